"""lrkit.quizbank and lrkit.quizrender: a corrupted bank fails loudly; choices are fair,
numbers are graded fairly; pages, interview answers and Anki decks render correctly."""

import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from lrkit import quiz, quizbank, quizrender
from lrkit.quizbank import format_number, grade_numeric, option_order, parse_number

REPO = Path(quizbank.__file__).resolve().parent.parent
SEEDS = range(30)


@pytest.fixture(scope="module")
def questions():
    return quizbank.load()


@pytest.fixture(scope="module")
def by_id(questions):
    return {q.id: q for q in questions}


@pytest.fixture()
def bank_copy(tmp_path):
    """A writable copy of the bank, and a helper to edit one question in it."""
    bank = tmp_path / "bank"
    shutil.copytree(quizbank.BANK_DIR, bank)

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
    with pytest.raises(quizbank.BankError) as info:
        quizbank.validate(bank, **kwargs)
    message = str(info.value)
    assert file in message and f"question {qid!r}" in message and f"field {field!r}" in message
    if match:
        assert re.search(match, message), message
    return message


# ----------------------------------------------------------------------------- validation


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


def test_two_options_only_when_marked_true_false(bank_copy):
    bank, edit = bank_copy
    file = edit("decay-what-is", lambda q, data: q["check"]["options"].pop())
    _fails(bank, file, "decay-what-is", "check.options", "at least 3 options")


def test_true_false_stays_a_small_minority(bank_copy, questions):
    bank, edit = bank_copy
    choice = [q for q in questions if q.is_choice and len(q.check["options"]) >= 2]
    for q in choice[:20]:

        def change(raw, data):
            right = next(o for o in raw["check"]["options"] if o["correct"])
            wrong = next(o for o in raw["check"]["options"] if not o["correct"])
            raw["check"] = {"type": "single", "true_false": True, "options": [right, wrong]}

        edit(q.id, change)
    with pytest.raises(quizbank.BankError, match="true/false"):
        quizbank.validate(bank, chapters_dir=False, run_snippets=False)


@pytest.mark.parametrize("html", ["<script>alert(1)</script>", "<b>bold</b>", "<!-- x -->"])
def test_html_in_a_text_field(bank_copy, html):
    bank, edit = bank_copy
    file = edit(
        "decay-inverse-time-not-exponential",
        lambda q, data: q["answer"].__setitem__("zh", q["answer"]["zh"] + html),
    )
    _fails(bank, file, "decay-inverse-time-not-exponential", "answer.zh", "raw HTML")


@pytest.mark.parametrize("words", ["The source's claim is wrong.", "The tests show it.", "原文说"])
def test_reader_text_never_mentions_sources_or_tests(bank_copy, words):
    bank, edit = bank_copy
    file = edit("lr-definition", lambda q, data: q["answer"].__setitem__("en", words))
    _fails(bank, file, "lr-definition", "answer.en", "sources or tests")


def test_less_than_signs_are_not_html():
    assert not quizbank.HTML_PATTERN.search("converges for 0 < lr < 2/L and lr<2/L")


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
    file = edit("choose-how", lambda q, data: q.__setitem__("chapter", "99_nowhere"))
    _fails(bank, file, "choose-how", "chapter", "unknown chapter")


def _write_chapters(chapters, questions, extra=""):
    """Stand-in chapter pages that hold every section label the bank uses, plus ``extra``."""
    chapters.mkdir(exist_ok=True)
    for stem in quizbank.CHAPTERS:
        labels = sorted({q.section for q in questions if q.chapter == stem and q.section})
        targets = "".join(f"\n({label})=\n## {label}\n" for label in labels)
        (chapters / f"{stem}.md").write_text(f"# {stem}\n{targets}{extra}")


def test_chapter_page_and_section_must_exist(bank_copy, tmp_path, questions):
    bank, edit = bank_copy
    chapters = tmp_path / "chapters"
    _write_chapters(chapters, questions, extra="\n(sec-extra)=\n## A section\n")
    quizbank.validate(bank, chapters_dir=chapters, run_snippets=False)  # all resolve
    (chapters / "04_warmup.md").unlink()
    first = next(q.id for q in questions if q.chapter == "04_warmup")
    _fails(bank, "04_warmup.yaml", first, "chapter", "does not exist", chapters_dir=chapters)
    _write_chapters(chapters, questions, extra="\n(sec-extra)=\n## A section\n")
    edit("cyclic-clr-what", lambda q, data: q.__setitem__("section", "sec-extra"))
    quizbank.validate(bank, chapters_dir=chapters, run_snippets=False)  # the label exists
    file = edit("cyclic-clr-what", lambda q, data: q.__setitem__("section", "sec-missing"))
    _fails(
        bank,
        file,
        "cyclic-clr-what",
        "section",
        r"no target '\(sec-missing\)='",
        chapters_dir=chapters,
    )


def test_stored_key_must_match_its_computation(bank_copy):
    bank, edit = bank_copy

    def change(q, data):  # the common mistake: the exponential formula as the key
        q["check"]["compute"] = q["check"]["wrong"][0]["compute"]

    file = edit("decay-inverse-time-not-exponential", change)
    _fails(bank, file, "decay-inverse-time-not-exponential", "check.value", "check.compute gives")


def test_key_equal_to_a_known_wrong_answer(bank_copy):
    bank, edit = bank_copy

    def change(q, data):
        q["check"]["value"] = q["check"]["wrong"][0]["value"]

    file = edit("decay-inverse-time-not-exponential", change)
    _fails(bank, file, "decay-inverse-time-not-exponential", "check.value", "known-wrong")


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
    data = yaml.safe_load((quizbank.BANK_DIR / "04_warmup.yaml").read_text(encoding="utf-8"))
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
    with pytest.raises(quizbank.BankError, match="000_d7ef429b0ceb08aa:IQ1"):
        quizbank.validate(bank, chapters_dir=False, run_snippets=False)


# ----------------------------------------------------------------------------- fair choices


def test_option_order_is_shuffled_and_seeded(questions):
    choice = [q for q in questions if q.is_choice]
    for q in choice:
        assert option_order(q, 5) == option_order(q, 5)
        assert sorted(option_order(q, 5)) == list(range(len(q.check["options"])))
        assert option_order(q, None) == list(range(len(q.check["options"])))
    moved = sum(option_order(q, 1) != option_order(q, 2) for q in choice)
    assert moved > 0.6 * len(choice)


def test_no_question_keeps_its_right_answer_at_one_position(questions):
    for q in (q for q in questions if q.is_choice):
        positions = {tuple(quizbank.right_positions(q, seed)) for seed in SEEDS}
        assert len(positions) > 1, q.id


def _first_option_score(questions, seed):
    """The share of choice questions answered right by always picking the first option."""
    choice = [q for q in questions if q.is_choice]
    return statistics.mean(quizbank.right_positions(q, seed) == [0] for q in choice)


def _chance(questions):
    """Expected score of a random single pick: the mean of P(only that option is right)."""
    choice = [q for q in questions if q.is_choice]
    return statistics.mean((q.check["type"] == "single") / len(q.check["options"]) for q in choice)


def test_first_option_strategy_scores_about_chance(questions):
    chance = _chance(questions)
    assert 0.25 < chance < 0.4
    displayed = statistics.mean(_first_option_score(questions, seed) for seed in range(10))
    assert abs(displayed - chance) < 0.05, (displayed, chance)
    assert abs(_first_option_score(questions, None) - chance) < 0.08  # the YAML order too


# ----------------------------------------------------------------------------- fair numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1/60", 1 / 60),
        ("0,0166667", 0.0166667),
        ("１／６０", 1 / 60),
        ("1.67e-2", 0.0167),
        ("1.67E-2", 0.0167),
        ("２．５", 2.5),
        (" 3e-4 ", 3e-4),
        ("2^-3", 0.125),
        ("−0.5", -0.5),
    ],
)
def test_parse_number_accepts_what_readers_type(text, value):
    assert parse_number(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "1,000,000", "nan", "inf", "1/2/3"])
def test_parse_number_refuses_what_is_not_one_number(text):
    assert parse_number(text) is None


def test_every_displayed_numeric_key_is_accepted(questions):
    numeric = [q for q in questions if q.check["type"] == "numeric"]
    assert len(numeric) >= 40
    for q in numeric:
        shown = format_number(q.key)
        assert grade_numeric(q, shown) == (True, None), q.id
        assert shown in q.answer_text("en") or "[[key]]" not in q.answer["en"], q.id
        item = quizrender.to_jupyterquiz([q])[0]
        low, high = item["answers"][0]["range"]
        assert low <= float(shown) <= high and item["answers"][0]["correct"], q.id
        three = f"{q.key:.3g}"  # rounded to three significant figures
        assert grade_numeric(q, three)[0] or "atol" in q.check, (q.id, three)


def test_fraction_and_decimal_comma_are_accepted(by_id):
    q = by_id["decay-inverse-time-not-exponential"]  # 0.1 / (1 + 0.5·10) = 1/60
    for reply in ("1/60", "0,0166667", "0.0167", "１／６０"):
        assert grade_numeric(q, reply)[0] is True, reply


def test_known_wrong_answers_get_their_feedback(questions):
    for q in (q for q in questions if q.check["type"] == "numeric"):
        for wrong in q.check.get("wrong") or []:
            verdict, feedback = grade_numeric(q, format_number(float(wrong["value"])))
            assert verdict is False and feedback == wrong["feedback"], q.id


def test_pages_give_the_targeted_feedback_too(by_id):
    q = by_id["decay-inverse-time-not-exponential"]
    item = quizrender.to_jupyterquiz([q], lang="zh")[0]
    wrong = float(q.check["wrong"][0]["value"])
    hits = [a for a in item["answers"][1:-1] if a["range"][0] <= wrong <= a["range"][1]]
    assert hits and not hits[0]["correct"] and "指数衰减" in hits[0]["feedback"]


# ----------------------------------------------------------------------------- text


def test_chinese_text_has_no_line_break_between_characters(questions):
    cjk_break = re.compile(r"[\u4e00-\u9fff，。：；、）]\s*\n\s*[\u4e00-\u9fff（“]")
    for q in questions:
        for text in (q.question["zh"], q.answer["zh"]):
            assert not cjk_break.search(text), q.id


def test_chinese_quotes_are_curly_outside_code(questions):
    for q in questions:
        for text in (q.question["zh"], q.answer["zh"]):
            outside = re.sub(r"```.*?```|`[^`\n]*`", "", text, flags=re.DOTALL)
            assert '"' not in outside, q.id
            assert outside.count("“") == outside.count("”"), q.id


def test_edge_of_stability_names_only_the_phenomenon(questions):
    loose = re.compile(r"(at|near|to|closest to) the edge of stability", re.IGNORECASE)
    for q in questions:
        assert not loose.search(str(q.answer) + str(q.check)), q.id


def test_one_chinese_term_per_concept(questions):
    text = " ".join(str(q.question) + str(q.answer) + str(q.check) for q in questions)
    pairs = [("偏差修正", "偏差校正"), ("反时间衰减", "逆时衰减"), ("余弦衰减", "余弦退火")]
    for preferred, banned in pairs:
        assert banned not in text, banned
        assert preferred in text, preferred


def test_glossary_lists_the_terms_the_bank_uses(questions):
    glossary = (REPO / "quizzes" / "glossary.md").read_text(encoding="utf-8")
    text = " ".join(str(q.question) + str(q.answer) for q in questions)
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|", glossary, re.MULTILINE)[2:]
    assert len(rows) >= 30
    for en, zh in rows:
        assert zh.strip() in text, (en, zh)


# ----------------------------------------------------------------------------- rendering


def test_jupyterquiz_items_follow_the_display_order(questions):
    chosen = quizbank.select(questions, chapter="03_decay_schedules")
    items = quizrender.to_jupyterquiz(chosen, seed=4)
    assert len(items) == len(quizbank.select(questions, chapter="3"))
    for q, item in zip(chosen, items, strict=True):
        if q.is_choice:
            order = option_order(q, 4)
            texts = [a["answer"] for a in item["answers"]]
            options = q.check["options"]
            wanted = [quizrender.markdown_to_html(options[i]["text"]["en"]) for i in order]
            assert texts == wanted
            assert all(a["feedback"] for a in item["answers"])
        if q.check["type"] == "many":
            assert "Select all that apply" in item["question"]


def test_markdown_never_breaks_a_sentence():
    html = quizrender.markdown_to_html("one line\nand the next\n\n```python\na = 1\nb = 2\n```")
    assert "one line and the next" in html and "a = 1\nb = 2" in html and "<br" not in html


def test_answers_markdown_links_every_question_and_syncs_languages(questions):
    text = quizrender.answers_markdown(questions, by_chapter=True)
    assert text.count("::::::{dropdown}") == len(questions)
    assert text.count("{tab-item} 中文\n:sync: zh") == len(questions)
    assert text.count(":sync-group: lang") == len(questions)
    for q in questions:
        assert f"../chapters/{q.chapter}>`" in text
    assert "[[key]]" not in text


def test_the_source_field_is_never_rendered(questions):
    text = quizrender.answers_markdown(questions, by_chapter=True)
    for lang in ("en", "zh"):
        text += str(quizrender.to_jupyterquiz(questions, lang))
    for doc in quizbank.SOURCE_ITEMS:
        assert doc not in text
    assert "source" not in text.lower().replace("open-source", "")


def test_a_section_renders_as_a_ref_to_its_label(questions):
    q = next(q for q in questions if q.section)
    text = quizrender.question_markdown(q)
    assert f"explained in {{ref}}`{q.section}` ({{doc}}`{quizbank.CHAPTERS[q.chapter]} " in text


def test_numeric_answers_show_the_key(by_id):
    q = by_id["decay-step-value"]
    assert format_number(q.key) in q.answer_text("en")
    assert format_number(q.key) in q.answer_text("zh")


def test_pick_for_chapter_self_checks(questions):
    ids = ["warmup-vs-decay", "decay-what-is"]
    assert [q.id for q in quizrender.pick(ids=ids)] == ids
    assert len(quizrender.pick(chapter=4, num=2)) == 2
    with pytest.raises(ValueError, match="ids"):
        quizrender.pick(ids=["no-such-question"])
    with pytest.raises(ValueError, match="num"):
        quizrender.pick(chapter=4, num=0)


def test_quiz_pages_link_their_chapter_and_the_next_one():
    stems = list(quizbank.CHAPTERS)
    pages = sorted((REPO / "quizzes").glob("quiz_*.md"))
    assert [p.stem for p in pages] == [f"quiz_{s[:2]}" for s in stems]
    for i, page in enumerate(pages):
        text = page.read_text(encoding="utf-8")
        assert "format_name: myst" in text and "name: python3" in text
        assert f'show_self_checks("{stems[i]}"' in text
        assert f"{{doc}}`../chapters/{stems[i]}`" in text
        if i + 1 < len(stems):
            assert f"{{doc}}`../chapters/{stems[i + 1]}`" in text
        assert not re.search(r"import torch|\btorch\.", text)


def test_quiz_modules_never_import_torch():
    code = (
        "import sys\n"
        "from lrkit import quiz, quizrender\n"
        "qs = quiz.load()\n"
        "quizrender.to_jupyterquiz(qs, 'zh')\n"
        "quizrender.answers_markdown(qs, by_chapter=True)\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_facade_keeps_the_public_names():
    assert quiz.load is quizbank.load and quiz.show_self_checks is quizrender.show_self_checks


# ----------------------------------------------------------------------------- Anki


def _read_apkg(path):
    with zipfile.ZipFile(path) as deck:
        names = deck.namelist()
        name = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
        data = deck.read(name)
    db = path.parent / "collection.sqlite"
    db.write_bytes(data)
    with sqlite3.connect(db) as con:
        return con.execute("select flds, tags from notes").fetchall()


def test_anki_deck_has_one_note_per_question_and_the_right_option_on_the_back(tmp_path, questions):
    chosen = quizbank.select(questions, chapter="06")
    path = tmp_path / "cards.apkg"
    assert quizrender.export_anki(chosen, path, lang="zh", seed=3) == len(chosen)
    notes = _read_apkg(path)
    assert len(notes) == len(chosen)
    base = quizrender.published_base_url()
    by_front = {}
    for fields, tags in notes:
        front, back = fields.split("\x1f")
        by_front[front] = back
        assert "<br" not in front + back
        assert "06_adaptive_optimizers" in tags.split() and "lrbook" in tags.split()
        if base:  # the book's address is configured: the card links to its page
            assert f'href="{base}chapters/06_adaptive_optimizers.html' in back
        else:
            assert "href=" not in back and quizbank.CHAPTERS_ZH["06_adaptive_optimizers"] in back
    for q in chosen:
        front, back = quizrender.anki_fields(q, "zh", 3, base)
        assert by_front[front] == back
        if q.is_choice:
            right = [o for o in q.check["options"] if o["correct"]]
            assert back.startswith("<p><b>正确选项：</b>")
            for option in right:
                assert quizrender.markdown_to_html(option["text"]["zh"]) in back.split("</p>")[0]


def test_anki_unwritable_path_is_a_clear_error(tmp_path, questions):
    with pytest.raises(ValueError, match="path: cannot write the Anki deck"):
        quizrender.export_anki(questions[:2], tmp_path / "missing" / "dir" / "x.apkg")


def test_published_url_from_baseurl_or_repository(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/lr-book\n")
    assert quizrender.published_base_url(config) == "https://someone.github.io/lr-book/"
    config.write_text("html:\n  baseurl: https://lr.example.org/book\n")
    assert quizrender.published_base_url(config) == "https://lr.example.org/book/"
    config.write_text("repository:\n  url: ''\n")
    assert quizrender.published_base_url(config) is None
    config.write_text("repository:\n  url: https://gitlab.com/someone/lr-book\n")
    with pytest.raises(ValueError, match="html.baseurl"):
        quizrender.published_base_url(config)


def test_anki_card_links_its_page_when_the_address_is_known(questions):
    q = questions[0]
    _, linked = quizrender.anki_fields(q, "en", 0, "https://lr.example.org/")
    assert f'href="https://lr.example.org/chapters/{q.chapter}.html' in linked
    _, unlinked = quizrender.anki_fields(q, "en", 0, None)
    assert "href=" not in unlinked and quizbank.CHAPTERS[q.chapter] in unlinked


def test_self_checks_never_fetch_mathjax_from_a_cdn(questions):
    """jupyterquiz would load MathJax from a CDN when the book's is still loading: offline that
    breaks the page (console errors); the rendered block waits for the book's MathJax instead."""
    html = quizrender.quiz_html(quizrender.to_jupyterquiz(questions[:3], "en", 0), "en")
    assert "cdn.jsdelivr" not in html and "MathJax.typeset([container])" in html
