"""The terminal self-quiz: ``python -m lrkit.quiz`` (English or Chinese).

Options are shuffled by ``--seed``; a reply is an option number (several, comma-separated,
where the question says "select all that apply") or a number (``1/60``, ``1.7e-2``,
``1,5`` and full-width digits are accepted); ``skip`` (跳过) and ``quit`` (退出) do what
they say; Ctrl-C or Ctrl-D end the session with the score so far. The question's id is
shown only after the answer. Only the asked questions are read from the bank: nothing is
computed before the first question.

``--review`` asks again the questions missed in earlier sessions. They are kept in a small
JSON file in the user's state directory (``platformdirs.user_state_dir("lrkit")``, file
``quiz-review.json``; the environment variable ``LRKIT_QUIZ_STATE`` overrides the path)::

    {"version": 1, "missed": ["decay-xor-bug", "warmup-linear-value"]}

A question answered wrongly (or skipped) is added, one answered right is removed. A file
that is not of this form is reported (and left untouched), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lrkit.quizbank import (
    CHAPTERS,
    CHAPTERS_ZH,
    DIFFICULTIES,
    LANGS,
    BankError,
    Question,
    format_number,
    grade_numeric,
    load,
    match_chapter,
    option_order,
    summary,
    validate,
)

STRINGS = {
    "en": {
        "header": "[{number}/{total}] {chapter} · {difficulty}",
        "easy": "easy",
        "medium": "medium",
        "hard": "hard",
        "prompt_number": "answer (a number, e.g. 0.05 or 1/20; skip, quit): ",
        "prompt_one": "answer (one option number; skip, quit): ",
        "prompt_many": "select all that apply (e.g. 1,3; skip, quit): ",
        "true_false": "(true or false)",
        "unreadable": "could not read that; try again",
        "right": "correct!",
        "wrong": "not quite.",
        "skipped": "skipped.",
        "right_options": "right option(s): {options}",
        "key": "key: {key}",
        "model": "model answer:",
        "see": "(question {id}; explained in {where})",
        "stopped": "(stopped)",
        "score": "score: {right}/{answered} ({pct:.0f}%), skipped: {skipped}",
        "review_none": "review: nothing, well done",
        "review": "review: {chapters}; tags: {tags}",
        "review_saved": "missed questions to review later: {count} (python -m lrkit.quiz --review)",
        "bad_num": "--num must be a whole number of at least 1, got {value!r}",
        "no_match": "no question matches these filters",
        "nothing_to_review": "nothing to review: no missed question is remembered",
        "bad_state": "the review file {path} is not valid ({reason}); fix or delete it",
        "wrote": "wrote {count} notes to {path}",
        "error": "error: {message}",
    },
    "zh": {
        "header": "[{number}/{total}] {chapter} · {difficulty}",
        "easy": "简单",
        "medium": "中等",
        "hard": "困难",
        "prompt_number": "答案（一个数，如 0.05 或 1/20；跳过、退出）：",
        "prompt_one": "答案（一个选项编号；跳过、退出）：",
        "prompt_many": "多选：选出所有正确的选项（如 1,3；跳过、退出）：",
        "true_false": "（判断题）",
        "unreadable": "无法识别，请重试",
        "right": "正确！",
        "wrong": "不对。",
        "skipped": "已跳过。",
        "right_options": "正确选项：{options}",
        "key": "答案：{key}",
        "model": "参考答案：",
        "see": "（题号 {id}；讲解见 {where}）",
        "stopped": "（已结束）",
        "score": "得分：{right}/{answered}（{pct:.0f}%），跳过：{skipped}",
        "review_none": "复习：没有，做得好",
        "review": "复习：{chapters}",
        "review_saved": "记下待复习的错题：{count} 道（python -m lrkit.quiz --review）",
        "bad_num": "--num 必须是不小于 1 的整数，收到 {value!r}",
        "no_match": "没有符合这些条件的题目",
        "nothing_to_review": "没有要复习的题：没有记下的错题",
        "bad_state": "复习文件 {path} 无效（{reason}）；请修复或删除它",
        "wrote": "已写入 {count} 张卡片到 {path}",
        "error": "错误：{message}",
    },
}
SKIP_WORDS = {"skip", "s", "跳过"}
QUIT_WORDS = {"quit", "q", "exit", "退出"}


def tr(lang: str, name: str, **values) -> str:
    """A localized interface string."""
    return STRINGS[lang][name].format(**values)


def normalize_reply(text: str) -> str:
    """Full-width digits and punctuation to ASCII, Chinese commas to commas.

    >>> normalize_reply(" １，２、3 ")
    '1,2,3'
    """
    text = unicodedata.normalize("NFKC", text).strip()
    return text.replace("、", ",").replace("，", ",")


@dataclass
class Session:
    """What a terminal session recorded (question ids)."""

    right: list
    wrong: list
    skipped: list

    @property
    def answered(self) -> int:
        return len(self.right) + len(self.wrong)

    def score(self, lang: str) -> str:
        n = self.answered
        pct = 100 * len(self.right) / n if n else 0
        right, skipped = len(self.right), len(self.skipped)
        return tr(lang, "score", right=right, answered=n, pct=pct, skipped=skipped)


def _choice_reply(q, reply, order):
    """(verdict, chosen display numbers), verdict None when unreadable."""
    parts = [p for p in re.split(r"[\s,;]+", reply) if p]
    if not parts or not all(p.isdigit() for p in parts):
        return None, []
    chosen = sorted({int(p) for p in parts})
    if any(not 1 <= c <= len(order) for c in chosen):
        return None, []
    if q.check["type"] == "single" and len(chosen) != 1:
        return None, []
    options = q.check["options"]
    wanted = [pos for pos, i in enumerate(order, 1) if options[i]["correct"]]
    return chosen == wanted, chosen


def _where(q):
    return f"chapters/{q.chapter}.md" + (f"#{q.section}" if q.section else "")


def ask(q: Question, number, total, *, lang, seed, read, say) -> str:
    """Ask one question; return "right", "wrong", "skip" or "quit"."""
    title = CHAPTERS[q.chapter] if lang == "en" else CHAPTERS_ZH[q.chapter]
    difficulty = tr(lang, q.difficulty)
    say("", tr(lang, "header", number=number, total=total, chapter=title, difficulty=difficulty))
    say(q.question[lang].strip())
    order = option_order(q, seed) if q.is_choice else []
    if q.is_choice:
        if q.check.get("true_false"):
            say(tr(lang, "true_false"))
        for pos, i in enumerate(order, 1):
            say(f"  {pos}) {q.check['options'][i]['text'][lang]}")
        prompt = "prompt_many" if q.check["type"] == "many" else "prompt_one"
    else:
        prompt = "prompt_number"
    while True:
        line = read(tr(lang, prompt))
        if line is None:
            return "quit"
        reply = normalize_reply(line)
        if reply.lower() in QUIT_WORDS:
            return "quit"
        if reply.lower() in SKIP_WORDS:
            say(tr(lang, "skipped"))
            verdict, chosen, feedback = "skip", [], None
            break
        if q.is_choice:
            verdict, chosen = _choice_reply(q, reply, order)
            feedback = None
        else:
            verdict, feedback = grade_numeric(q, reply)
            chosen = []
        if verdict is not None:
            say(tr(lang, "right" if verdict else "wrong"))
            break
        say(tr(lang, "unreadable"))
    if q.is_choice:
        options = q.check["options"]
        for c in chosen:
            say(f"  {c}) {options[order[c - 1]]['feedback'][lang]}")
        if verdict is not True:
            right = [str(pos) for pos, i in enumerate(order, 1) if options[i]["correct"]]
            say("  " + tr(lang, "right_options", options=", ".join(right)))
    else:
        if feedback:
            say("  " + feedback[lang])
        say("  " + tr(lang, "key", key=format_number(q.key)))
    say(tr(lang, "model"), q.answer_text(lang).strip(), tr(lang, "see", id=q.id, where=_where(q)))
    if verdict == "skip":
        return "skip"
    return "right" if verdict else "wrong"


def run_quiz(questions, *, stdin=None, stdout=None, lang="en", seed=None) -> Session:
    """Ask each question, reading one reply per line; Ctrl-C, Ctrl-D (end of input) and
    ``quit`` end the session early. The score so far is printed in every case."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    session = Session([], [], [])

    def say(*lines):
        print(*lines, sep="\n", file=stdout, flush=True)

    def read(prompt):
        print(prompt, end="", file=stdout, flush=True)
        line = stdin.readline()
        return line if line else None

    by_id = {q.id: q for q in questions}
    try:
        for number, q in enumerate(questions, 1):
            outcome = ask(q, number, len(questions), lang=lang, seed=seed, read=read, say=say)
            if outcome == "quit":
                say("", tr(lang, "stopped"))
                break
            {"right": session.right, "wrong": session.wrong, "skip": session.skipped}[
                outcome
            ].append(q.id)
    except KeyboardInterrupt:
        say("", tr(lang, "stopped"))
    say("", session.score(lang), _review_line([by_id[i] for i in session.wrong], lang))
    return session


def _review_line(missed, lang):
    """The chapters (and, in English, the tags) of the missed questions."""
    if not missed:
        return tr(lang, "review_none")
    stems = list(dict.fromkeys(q.chapter for q in missed))
    tags = list(dict.fromkeys(t for q in missed for t in q.tags))
    if lang == "en":
        chapters = ", ".join(f"chapters/{c}.md" for c in stems)
    else:
        chapters = "，".join(f"{CHAPTERS_ZH[c]}（chapters/{c}.md）" for c in stems)
    return tr(lang, "review", chapters=chapters, tags=", ".join(tags[:8]))


# ----------------------------------------------------------------------------- review file


class StateError(ValueError):
    """The review file exists but is not of the documented form."""


def state_path() -> Path:
    """Where missed questions are remembered (see the module's docstring)."""
    if os.environ.get("LRKIT_QUIZ_STATE"):
        return Path(os.environ["LRKIT_QUIZ_STATE"])
    from platformdirs import user_state_dir

    return Path(user_state_dir("lrkit")) / "quiz-review.json"


def read_missed(path: Path) -> list[str]:
    """The remembered ids; an empty list when there is no file yet."""
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"{type(exc).__name__}: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise StateError('expected {"version": 1, "missed": [...]}')
    missed = data.get("missed")
    if not isinstance(missed, list) or not all(isinstance(i, str) for i in missed):
        raise StateError('"missed" must be a list of question ids')
    return missed


def write_missed(path: Path, session: Session, before: list[str]) -> list[str]:
    """Add the wrong and skipped ids, remove the right ones; return the new list."""
    missed = [i for i in before if i not in session.right]
    missed += [i for i in session.wrong + session.skipped if i not in missed]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "missed": missed}, indent=1), encoding="utf-8")
    return missed


# ----------------------------------------------------------------------------- command line


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m lrkit.quiz",
        description="A terminal self-quiz on the Learning-Rate Book, or an Anki deck.",
    )
    parser.add_argument("--bank", type=Path, default=None, help="bank directory")
    parser.add_argument("--chapter", help="chapter: 3, 03, 03_decay_schedules or a word of it")
    parser.add_argument("--tag")
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    parser.add_argument("--seed", type=int, default=None, help="seed for questions and options")
    parser.add_argument("--num", default=None, help="ask at most this many (at least 1)")
    parser.add_argument("--lang", choices=LANGS, default="en")
    parser.add_argument("--review", action="store_true", help="ask the questions missed before")
    parser.add_argument("--validate", action="store_true", help="validate the bank and exit")
    parser.add_argument("--export-anki", type=Path, metavar="FILE.apkg", help="write an Anki deck")
    return parser


def _num(value, lang):
    if value is None:
        return None
    text = normalize_reply(str(value))
    if not re.fullmatch(r"\d+", text) or int(text) < 1:
        raise ValueError(tr(lang, "bad_num", value=value))
    return int(text)


def _validate(bank):
    questions = validate(bank)
    s = summary(questions)
    print(f"bank ok: {s['total']} questions, {len(s['sources'])} source items")
    for stem, n in s["per_chapter"].items():
        print(f"  {stem}: {n}")
    print("  " + ", ".join(f"{d}: {n}" for d, n in s["per_difficulty"].items()))
    return 0


def main(argv=None) -> int:
    """``python -m lrkit.quiz``: the terminal quiz, ``--validate`` or ``--export-anki``."""
    args = _parser().parse_args(argv)
    lang = args.lang

    def error(message, code=2):
        print(tr(lang, "error", message=message), file=sys.stderr)
        return code

    try:
        if args.validate:
            return _validate(args.bank)
        num = _num(args.num, lang)
        chapter = match_chapter(args.chapter) if args.chapter is not None else None
        questions = load(args.bank, chapter=chapter, tag=args.tag, difficulty=args.difficulty)
        path = state_path()
        before = read_missed(path) if args.review else None
    except StateError as exc:
        return error(tr(lang, "bad_state", path=path, reason=exc))
    except (BankError, ValueError) as exc:
        return error(str(exc))
    if args.review:
        questions = [q for q in questions if q.id in set(before)]
        if not questions:
            print(tr(lang, "nothing_to_review"))
            return 0
    if not questions:
        return error(tr(lang, "no_match"), code=1)
    random.Random(args.seed).shuffle(questions)
    if num is not None:
        questions = questions[:num]
    if args.export_anki:
        from lrkit.quizrender import export_anki

        try:
            n = export_anki(questions, args.export_anki, lang=lang, seed=args.seed)
        except ValueError as exc:
            return error(str(exc))
        print(tr(lang, "wrote", count=n, path=args.export_anki))
        return 0
    session = run_quiz(questions, lang=lang, seed=args.seed)
    return _remember(session, lang, before)


def _remember(session, lang, before):
    path = state_path()
    try:
        before = read_missed(path) if before is None else before
        missed = write_missed(path, session, before)
    except StateError as exc:
        print(tr(lang, "bad_state", path=path, reason=exc), file=sys.stderr)
        return 0
    except OSError as exc:
        print(tr(lang, "error", message=f"{path}: {exc.strerror}"), file=sys.stderr)
        return 0
    if missed:
        print(tr(lang, "review_saved", count=len(missed)))
    return 0
