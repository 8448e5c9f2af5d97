"""The terminal quiz (python -m lrkit.quiz): localized, forgiving input, clean exits,
``--review`` from a documented state file, and a first question without computing keys."""

import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrkit import quizbank, quizterm
from lrkit.quizbank import format_number, option_order

REPO = Path(quizbank.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def questions():
    return quizbank.load()


@pytest.fixture()
def state(tmp_path, monkeypatch):
    path = tmp_path / "state" / "quiz-review.json"
    monkeypatch.setenv("LRKIT_QUIZ_STATE", str(path))
    return path


def _run(args, stdin, state_file):
    env = dict(os.environ, LRKIT_QUIZ_STATE=str(state_file), PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "lrkit.quiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )


def _order(questions, seed, num, chapter=None):
    chosen = quizbank.select(questions, chapter=chapter)
    random.Random(seed).shuffle(chosen)
    return chosen[:num]


def right_reply(q, seed):
    if q.check["type"] == "numeric":
        return format_number(q.key)
    order = option_order(q, seed)
    return ",".join(str(pos) for pos, i in enumerate(order, 1) if q.check["options"][i]["correct"])


def wrong_reply(q, seed):
    if q.check["type"] == "numeric":
        return format_number(q.key * 3 + 7)
    order = option_order(q, seed)
    return next(str(pos) for pos, i in enumerate(order, 1) if not q.check["options"][i]["correct"])


def test_all_right_with_shuffled_options(questions, state):
    asked = _order(questions, seed=7, num=4, chapter="03_decay_schedules")
    replies = "".join(right_reply(q, 7) + "\n" for q in asked)
    result = _run(["--chapter", "3", "--seed", "7", "--num", "4"], replies, state)
    assert result.returncode == 0, result.stderr
    assert "score: 4/4 (100%), skipped: 0" in result.stdout
    assert "review: nothing" in result.stdout and "model answer:" in result.stdout


def test_the_id_is_shown_only_after_the_answer(questions, state):
    q = _order(questions, seed=2, num=1)[0]
    result = _run(["--seed", "2", "--num", "1"], right_reply(q, 2) + "\n", state)
    first_prompt = re.search(r"answer \(|select all", result.stdout).start()
    assert q.id not in result.stdout[:first_prompt]
    assert q.id in result.stdout[first_prompt:]


def test_wrong_answers_are_reviewed_and_remembered(questions, state):
    asked = _order(questions, seed=3, num=3)
    replies = [wrong_reply(asked[0], 3), "not a number", right_reply(asked[1], 3)]
    replies.append(right_reply(asked[2], 3))
    result = _run(["--seed", "3", "--num", "3"], "\n".join(replies) + "\n", state)
    assert "score: 2/3 (67%)" in result.stdout
    assert f"review: chapters/{asked[0].chapter}.md" in result.stdout
    assert "could not read that" in result.stdout
    assert json.loads(state.read_text()) == {"version": 1, "missed": [asked[0].id]}


def test_review_asks_exactly_the_missed_questions(questions, state):
    asked = _order(questions, seed=11, num=5)
    replies = [wrong_reply(asked[0], 11), right_reply(asked[1], 11), "skip"]
    replies += [wrong_reply(asked[3], 11), right_reply(asked[4], 11)]
    _run(["--seed", "11", "--num", "5"], "\n".join(replies) + "\n", state)
    missed = {asked[0].id, asked[2].id, asked[3].id}
    assert set(json.loads(state.read_text())["missed"]) == missed
    result = _run(["--review", "--seed", "0"], "quit\n", state)
    assert "[1/3]" in result.stdout
    review = [q for q in questions if q.id in missed]
    random.Random(0).shuffle(review)
    replies = "".join(right_reply(q, 0) + "\n" for q in review)
    result = _run(["--review", "--seed", "0"], replies, state)
    assert "score: 3/3 (100%)" in result.stdout
    for q in review:
        assert f"question {q.id};" in result.stdout
    assert json.loads(state.read_text())["missed"] == []
    assert "nothing to review" in _run(["--review"], "", state).stdout


@pytest.mark.parametrize("content", ["{not json", '{"version": 2}', '{"version": 1, "missed": 3}'])
def test_a_corrupt_review_file_is_reported(state, content):
    state.parent.mkdir(parents=True)
    state.write_text(content)
    result = _run(["--review"], "", state)
    assert result.returncode == 2
    assert "review file" in result.stderr and "not valid" in result.stderr
    assert "Traceback" not in result.stderr
    assert state.read_text() == content  # left untouched


def test_zh_session_prints_no_english(questions, state):
    asked = _order(questions, seed=5, num=4)
    replies = [wrong_reply(asked[0], 5), "abc", right_reply(asked[1], 5), "跳过", "退出"]
    result = _run(["--seed", "5", "--num", "4", "--lang", "zh"], "\n".join(replies) + "\n", state)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for q in asked:  # the bank's own English (code, names) is allowed: remove it
        for lang_text in [q.question["zh"], q.answer_text("zh")]:
            out = out.replace(lang_text.strip(), "")
        if q.is_choice:
            for option in q.check["options"]:
                out = out.replace(option["text"]["zh"], "").replace(option["feedback"]["zh"], "")
        for wrong in q.check.get("wrong") or []:
            out = out.replace(wrong["feedback"]["zh"], "")
    english = re.compile(r"\b(?!python\b|lrkit\b|quiz\b|review\b|chapters\b|md\b)[a-z]{3,}\b")
    leftover = [w for w in english.findall(out) if not re.search(rf"{w}[-.#_/]|[-.#_/]{w}", out)]
    assert not leftover, (leftover, out)
    for name, template in quizterm.STRINGS["en"].items():
        words = [p for p in re.split(r"\{[^}]*\}", template) if len(p.strip()) > 3]
        for piece in words:
            assert piece.strip() not in result.stdout, (name, piece)
    assert "得分：1/2" in result.stdout and "跳过：1" in result.stdout


def test_full_width_replies_are_accepted(questions, state):
    many = next(q for q in _order(questions, seed=9, num=200) if q.check["type"] == "many")
    reply = right_reply(many, 9).translate(str.maketrans("0123456789,", "０１２３４５６７８９，"))
    session = quizterm.run_quiz(
        [many], stdin=io.StringIO(reply + "\n"), stdout=io.StringIO(), lang="zh", seed=9
    )
    assert session.right == [many.id]


def test_select_all_that_apply_is_said(questions):
    many = next(q for q in questions if q.check["type"] == "many")
    single = next(q for q in questions if q.check["type"] == "single")
    out = io.StringIO()
    quizterm.run_quiz([many, single], stdin=io.StringIO("quit\n"), stdout=out)
    assert "select all that apply" in out.getvalue()
    out = io.StringIO()
    quizterm.run_quiz([single], stdin=io.StringIO("1,2\nquit\n"), stdout=out)
    assert "select all" not in out.getvalue() and "could not read that" in out.getvalue()


class _Interrupting(io.StringIO):
    """stdin that gives its lines, then raises KeyboardInterrupt as Ctrl-C does."""

    def readline(self, *args):
        line = super().readline(*args)
        if not line:
            raise KeyboardInterrupt
        return line


def test_ctrl_c_ends_with_the_score_in_process(questions):
    asked = _order(questions, seed=4, num=3)
    out = io.StringIO()
    session = quizterm.run_quiz(
        asked, stdin=_Interrupting(right_reply(asked[0], 4) + "\n"), stdout=out, seed=4
    )
    assert session.right == [asked[0].id]
    assert "(stopped)" in out.getvalue() and "score: 1/1 (100%)" in out.getvalue()


def test_ctrl_c_in_a_real_terminal_session_prints_the_score(questions, state):
    asked = _order(questions, seed=8, num=3)
    env = dict(os.environ, LRKIT_QUIZ_STATE=str(state), PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrkit.quiz", "--seed", "8", "--num", "3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    proc.stdin.write((right_reply(asked[0], 8) + "\n").encode())
    proc.stdin.flush()
    seen, deadline = b"", time.monotonic() + 60
    while seen.count(b"[2/3]") == 0 and time.monotonic() < deadline:
        seen += os.read(proc.stdout.fileno(), 4096)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    out = (seen + rest).decode()
    assert "score: 1/1 (100%)" in out, out
    assert b"Traceback" not in err and proc.returncode == 0


def test_chapter_by_number_or_name_and_a_clear_list_when_nothing_matches(state):
    for value in ("3", "03", "03_decay_schedules", "decay"):
        assert quizbank.match_chapter(value) == "03_decay_schedules"
    result = _run(["--chapter", "99"], "", state)
    assert result.returncode == 2
    assert "valid values" in result.stderr and "3 (03_decay_schedules)" in result.stderr


@pytest.mark.parametrize("value", ["-1", "0", "abc", "2.5"])
def test_bad_num_is_refused_clearly(state, value):
    result = _run(["--num", value], "", state)
    assert result.returncode == 2 and "--num must be a whole number of at least 1" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_first_question_needs_no_key_computation(monkeypatch, capsys, state, questions):
    def refuse(*args, **kwargs):
        raise AssertionError("a key was computed")

    monkeypatch.setattr(quizbank, "_run_compute", refuse)
    monkeypatch.setattr(quizbank, "_namespace", refuse)
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert quizterm.main(["--seed", "1", "--num", "2"]) == 0
    assert "[1/2]" in capsys.readouterr().out


def test_anki_from_the_command_line_applies_num_seed_and_filters(tmp_path, state):
    path = tmp_path / "deck.apkg"
    args = ["--chapter", "4", "--num", "3", "--seed", "1", "--export-anki", str(path)]
    result = _run(args, "", state)
    assert result.returncode == 0 and "wrote 3 notes" in result.stdout, result.stderr
    bad = _run(["--export-anki", str(tmp_path / "no" / "such" / "deck.apkg")], "", state)
    assert bad.returncode == 2 and "cannot write the Anki deck" in bad.stderr


def test_no_question_matches(state):
    result = _run(["--tag", "no-such-tag"], "", state)
    assert result.returncode == 1 and "no question matches" in result.stderr


def test_validate_flag(monkeypatch, capsys):
    monkeypatch.setattr(quizbank, "run_code", lambda q: None)  # snippets run in test_bank
    monkeypatch.setattr(quizbank, "_chapter_checks", lambda chapters_dir: None)
    assert quizterm.main(["--validate"]) == 0
    assert "bank ok: " in capsys.readouterr().out
