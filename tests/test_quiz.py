"""lrkit.quiz: a corrupted bank fails loudly; rendering, terminal quiz and export work."""

import dataclasses
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lrkit import quiz

REPO = Path(quiz.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def questions():
    return quiz.load()


@pytest.fixture()
def bank_copy(tmp_path):
    """A writable copy of the bank, and a helper to edit one question in it."""
    bank = tmp_path / "bank"
    shutil.copytree(quiz.BANK_DIR, bank)

    def edit(qid, change):
        for file in sorted(bank.glob("*.yaml")):
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
            for q in data["questions"]:
                if q["id"] == qid:
                    change(q, data)
                    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
                    return file.name
        raise KeyError(qid)

    return bank, edit


def _fails(bank, file, qid, field, match=None, **kwargs):
    kwargs.setdefault("chapters_dir", False)
    kwargs.setdefault("run_snippets", False)
    with pytest.raises(quiz.BankError) as info:
        quiz.validate(bank, **kwargs)
    message = str(info.value)
    assert file in message and f"question {qid!r}" in message and f"field {field!r}" in message
    if match:
        assert re.search(match, message), message
    return message


def test_duplicate_id(bank_copy):
    bank, edit = bank_copy
    file = edit("lr-definition", lambda q, data: data["questions"].append(dict(q)))
    _fails(bank, file, "lr-definition", "id", "duplicate id")


def test_no_correct_option(bank_copy):
    bank, edit = bank_copy

    def change(q, data):
        for option in q["check"]["options"]:
            option["correct"] = False

    file = edit("warmup-vs-decay", change)
    _fails(bank, file, "warmup-vs-decay", "check.options", "no option is marked correct")


def test_option_without_feedback(bank_copy):
    bank, edit = bank_copy
    file = edit("decay-what-is", lambda q, data: q["check"]["options"][1].pop("feedback"))
    _fails(bank, file, "decay-what-is", "check.options[1].feedback", "needs feedback")


@pytest.mark.parametrize("html", ["<script>alert(1)</script>", "<b>bold</b>", "<!-- x -->"])
def test_html_in_a_text_field(bank_copy, html):
    bank, edit = bank_copy
    file = edit(
        "decay-inverse-time-not-exponential",
        lambda q, data: q["answer"].__setitem__("zh", q["answer"]["zh"] + html),
    )
    _fails(bank, file, "decay-inverse-time-not-exponential", "answer.zh", "raw HTML")


def test_html_in_feedback(bank_copy):
    bank, edit = bank_copy

    def change(q, data):
        q["check"]["options"][0]["feedback"]["en"] = '<a href="javascript:x()">x</a>'

    file = edit("lr-definition", change)
    _fails(bank, file, "lr-definition", "check.options[0].feedback.en", "raw HTML")


def test_less_than_signs_are_not_html():
    assert not quiz.HTML_PATTERN.search("converges for 0 < lr < 2/L and lr<2/L")


def test_unknown_field(bank_copy):
    bank, edit = bank_copy
    file = edit("lr-definition", lambda q, data: q.__setitem__("hint", "try harder"))
    _fails(bank, file, "lr-definition", "hint", "unknown field")


def test_missing_zh_translation(bank_copy):
    bank, edit = bank_copy
    file = edit("choose-how", lambda q, data: q["question"].pop("zh"))
    _fails(bank, file, "choose-how", "question.zh", "translation is missing")


def test_unknown_chapter(bank_copy):
    bank, edit = bank_copy
    file = edit("choose-how", lambda q, data: q.__setitem__("chapter", "10_nowhere"))
    _fails(bank, file, "choose-how", "chapter", "unknown chapter")


def _write_chapters(chapters, questions, extra=""):
    """Stand-in chapter pages that hold every section label the bank uses, plus ``extra``."""
    chapters.mkdir(exist_ok=True)
    for stem in quiz.CHAPTERS:
        labels = sorted({q.section for q in questions if q.chapter == stem and q.section})
        targets = "".join(f"\n({label})=\n## {label}\n" for label in labels)
        (chapters / f"{stem}.md").write_text(f"# {stem}\n{targets}{extra}")


def test_chapter_page_and_section_must_exist(bank_copy, tmp_path, questions):
    bank, edit = bank_copy
    chapters = tmp_path / "chapters"
    _write_chapters(chapters, questions, extra="\n(sec-extra)=\n## A section\n")
    quiz.validate(bank, chapters_dir=chapters, run_snippets=False)  # all resolve
    (chapters / "04_warmup.md").unlink()
    _fails(
        bank,
        "04_warmup.yaml",
        "warmup-vs-decay",
        "chapter",
        "does not exist",
        chapters_dir=chapters,
    )
    _write_chapters(chapters, questions, extra="\n(sec-extra)=\n## A section\n")
    edit("cyclic-clr-what", lambda q, data: q.__setitem__("section", "sec-extra"))
    quiz.validate(bank, chapters_dir=chapters, run_snippets=False)  # the label exists
    file = edit("cyclic-clr-what", lambda q, data: q.__setitem__("section", "sec-missing"))
    _fails(
        bank,
        file,
        "cyclic-clr-what",
        "section",
        r"no target '\(sec-missing\)='",
        chapters_dir=chapters,
    )


def test_wrong_numeric_key(bank_copy):
    bank, edit = bank_copy

    def change(q, data):  # the common mistake: the exponential formula as the key
        q["check"]["compute"] = q["check"]["wrong"][0]["compute"]

    file = edit("decay-inverse-time-not-exponential", change)
    _fails(bank, file, "decay-inverse-time-not-exponential", "check.compute", "known-wrong")


def test_numeric_key_that_does_not_compute(bank_copy):
    bank, edit = bank_copy
    file = edit(
        "decay-step-value",
        lambda q, data: q["check"].__setitem__("compute", "schedules.no_such_thing(1)"),
    )
    _fails(bank, file, "decay-step-value", "check.compute", "AttributeError")


def test_failing_prove_it(tmp_path):
    bank = tmp_path / "bank"
    bank.mkdir()
    data = yaml.safe_load((quiz.BANK_DIR / "04_warmup.yaml").read_text(encoding="utf-8"))
    target = next(q for q in data["questions"] if q["id"] == "warmup-wsd")
    target["prove_it"] = target["prove_it"].replace("lrs[0] < lrs[5]", "lrs[0] > lrs[5]")
    (bank / "04_warmup.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    _fails(
        bank,
        "04_warmup.yaml",
        "warmup-wsd",
        "prove_it",
        "AssertionError",
        run_snippets=True,
        require_coverage=False,
    )


def test_prove_it_must_assert(bank_copy):
    bank, edit = bank_copy
    file = edit("lr-definition", lambda q, data: q.__setitem__("prove_it", "x = 1\n"))
    _fails(bank, file, "lr-definition", "prove_it", "assert")


def test_unknown_source_item(bank_copy):
    bank, edit = bank_copy
    file = edit("decay-what-is", lambda q, data: q["source"].__setitem__("item", "Q21"))
    _fails(bank, file, "decay-what-is", "source.item", "unknown item 'Q21'")


def test_missing_source_item_fails_coverage(bank_copy):
    bank, edit = bank_copy
    edit("decay-what-is", lambda q, data: q.pop("source"))
    with pytest.raises(quiz.BankError, match="000_d7ef429b0ceb08aa:IQ1"):
        quiz.validate(bank, chapters_dir=False, run_snippets=False)


# ----------------------------------------------------------------------------- rendering


def test_jupyterquiz_items(questions):
    items = quiz.to_jupyterquiz(quiz.select(questions, chapter="03_decay_schedules"))
    assert len(items) == len(quiz.select(questions, chapter="03"))
    for item in items:
        assert item["type"] in {"multiple_choice", "many_choice", "numeric"}
        if item["type"] != "numeric":
            assert any(a["correct"] for a in item["answers"])
            assert all(a["feedback"] for a in item["answers"])
    numeric = next(i for i in items if i["type"] == "numeric")
    low, high = numeric["answers"][0]["range"]
    assert low < high and numeric["answers"][0]["correct"]


def test_answers_markdown_links_every_question_to_its_chapter(questions):
    text = quiz.answers_markdown(questions, by_chapter=True)
    assert text.count("::::::{dropdown}") == len(questions)
    assert text.count("{tab-item} 中文") == len(questions)
    for q in questions:
        assert f"../chapters/{q.chapter}>`" in text
    assert "[[key]]" not in text


def test_a_section_renders_as_a_ref_to_its_label(questions):
    q = next(q for q in questions if q.section)
    text = quiz.question_markdown(q)
    # a {ref} to a (label)= target links ../chapters/<stem>.html#<label>, titled by the heading
    assert f"explained in {{ref}}`{q.section}` ({{doc}}`{quiz.CHAPTERS[q.chapter]} " in text
    chapter_level = dataclasses.replace(q, section=None)
    assert "{ref}" not in quiz.question_markdown(chapter_level)


def test_numeric_answers_show_the_computed_key(questions):
    q = next(q for q in questions if q.id == "decay-step-value")
    assert quiz.format_number(q.key) in q.answer_text("en")
    assert quiz.format_number(q.key) in q.answer_text("zh")


def test_quiz_pages_call_one_function_each():
    pages = sorted((REPO / "quizzes").glob("quiz_0*.md"))
    assert [p.stem for p in pages] == [f"quiz_{s[:2]}" for s in quiz.CHAPTERS]
    for page in pages + [REPO / "quizzes" / "interview.md"]:
        text = page.read_text(encoding="utf-8")
        assert "format_name: myst" in text and "name: python3" in text
        assert "remove-input" in text or "remove-cell" in text


def test_anki_export(tmp_path, questions):
    path = tmp_path / "cards.txt"
    n = quiz.export_anki(questions, path, lang="zh")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#separator:tab" and "#html:true" in lines
    notes = [line for line in lines if not line.startswith("#")]
    assert n == len(notes) == len(questions)
    assert all(len(note.split("\t")) == 3 for note in notes)


# ----------------------------------------------------------------------------- terminal quiz


def _run(args, stdin):
    return subprocess.run(
        [sys.executable, "-m", "lrkit.quiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def _order(questions, chapter, seed, num):
    chosen = quiz.select(questions, chapter=chapter)
    random.Random(seed).shuffle(chosen)
    return chosen[:num]


def _right_reply(q):
    if q.check["type"] == "numeric":
        return repr(q.key)
    return ",".join(str(i) for i, o in enumerate(q.check["options"], 1) if o["correct"])


def _wrong_reply(q):
    if q.check["type"] == "numeric":
        return repr(q.key + 10 * q.check["tolerance"] + 1)
    return next(str(i) for i, o in enumerate(q.check["options"], 1) if not o["correct"])


def test_terminal_quiz_all_right(questions):
    asked = _order(questions, "03", seed=7, num=4)
    result = _run(
        ["--chapter", "03", "--seed", "7", "--num", "4"],
        "".join(_right_reply(q) + "\n" for q in asked),
    )
    assert result.returncode == 0, result.stderr
    assert [q.id for q in asked] == re.findall(r"· ([a-z0-9-]+)\n", result.stdout)
    assert "score: 4/4 (100%)" in result.stdout
    assert "review: nothing" in result.stdout
    assert "model answer:" in result.stdout


def test_terminal_quiz_reports_what_to_review(questions):
    asked = _order(questions, None, seed=3, num=3)
    replies = [
        _wrong_reply(asked[0]),
        "not a number",
        _right_reply(asked[1]),
        _right_reply(asked[2]),
    ]
    result = _run(["--seed", "3", "--num", "3"], "\n".join(replies) + "\n")
    assert "score: 2/3 (67%)" in result.stdout
    assert f"review: chapters/{asked[0].chapter}.md" in result.stdout
    assert "could not read that" in result.stdout


def test_terminal_quiz_stops_cleanly_at_end_of_input(questions):
    asked = _order(questions, None, seed=1, num=5)
    result = _run(["--seed", "1", "--num", "5", "--lang", "zh"], _right_reply(asked[0]) + "\n")
    assert result.returncode == 0, result.stderr
    assert "(end of input)" in result.stdout and "score: 1/1" in result.stdout
    assert asked[0].question["zh"].strip().splitlines()[0] in result.stdout


def test_terminal_filters_and_export(tmp_path):
    result = _run(
        ["--difficulty", "hard", "--tag", "warmup", "--export-anki", str(tmp_path / "a.txt")], ""
    )
    assert result.returncode == 0 and "wrote" in result.stdout
    assert _run(["--tag", "no-such-tag"], "").returncode == 1


def test_validate_flag_in_process(tmp_path, monkeypatch, capsys, questions):
    chapters = tmp_path / "chapters"
    _write_chapters(chapters, questions)
    monkeypatch.setattr(quiz, "CHAPTERS_DIR", chapters)
    monkeypatch.setattr(quiz, "run_code", lambda q: None)  # snippets run in test_bank
    assert quiz.main(["--validate"]) == 0
    assert "bank ok:" in capsys.readouterr().out
    (chapters / "05_cyclical.md").unlink()
    assert quiz.main(["--validate"]) == 2
    assert "05_cyclical" in capsys.readouterr().err
