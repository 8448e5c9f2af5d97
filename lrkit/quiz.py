"""The interview quiz bank: load, validate, render, and a terminal self-quiz.

The bank is data: YAML files under ``quizzes/bank/``, one per chapter. This module is the
only code that reads them. It

- validates the bank (:func:`validate`): schema, unique ids, exactly the allowed fields,
  correct options and feedback, chapters and sections that resolve, numeric keys recomputed
  from lrkit, ``solution``/``prove_it`` snippets executed, no raw HTML in any text;
- renders it for the book: interactive self-checks through jupyterquiz
  (:func:`show_self_checks`) and folded bilingual model answers as MyST Markdown
  (:func:`answers_markdown`, :func:`glue_answers`, :func:`glue_interview`);
- runs a terminal self-quiz that reads answers from stdin (``python -m lrkit.quiz``);
- exports an Anki-importable, tab-separated file (:func:`export_anki`).

A question in YAML::

    - id: decay-inverse-time-value
      chapter: 03_decay_schedules          # a chapter stem (see CHAPTERS)
      section: ch3-inverse-time            # a (label)= target in chapters/<chapter>.md
      difficulty: easy                     # easy | medium | hard
      tags: [decay, formula]
      source: {doc: 000_d7ef429b0ceb08aa, item: Q2}   # only for the seed items
      question: {en: ..., zh: ...}
      answer: {en: ..., zh: ...}           # Markdown; [[key]] is replaced by a numeric key
      check:
        type: numeric                      # or single / many, with options
        compute: "schedules.inverse_time_decay(0.1, 0.5)(4)"
        tolerance: 1.0e-6
      prove_it: |                          # optional, must assert something
        assert ...

>>> sorted(SOURCE_ITEMS)
['000_d7ef429b0ceb08aa', '002_eff4e35b97cf37b4']
>>> sum(len(items) for items in SOURCE_ITEMS.values())
29
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

import yaml

from lrkit.book import ROOT as REPO_ROOT

BANK_DIR = REPO_ROOT / "quizzes" / "bank"
CHAPTERS_DIR = REPO_ROOT / "chapters"

CHAPTERS = {
    "01_what_lr_does": "What the learning rate does",
    "02_choosing_lr": "Choosing a learning rate",
    "03_decay_schedules": "Decay schedules",
    "04_warmup": "Warmup",
    "05_cyclical": "Cyclical schedules and restarts",
    "06_adaptive_optimizers": "Momentum and adaptive optimizers",
    "07_pytorch_correctly": "Learning rates in PyTorch, correctly",
    "08_experiments": "Experiments",
    "09_misconceptions": "Misconceptions",
}

SOURCE_ITEMS = {
    "000_d7ef429b0ceb08aa": frozenset(["IQ1", "IQ2", "P1", "P2"] + [f"Q{i}" for i in range(1, 21)]),
    "002_eff4e35b97cf37b4": frozenset(f"Q{i}" for i in range(1, 6)),
}

DIFFICULTIES = ("easy", "medium", "hard")
LANGS = ("en", "zh")
CHECK_TYPES = ("single", "many", "numeric")

QUESTION_FIELDS = {
    "id": True,  # field name -> required
    "chapter": True,
    "section": False,
    "difficulty": True,
    "tags": True,
    "source": False,
    "question": True,
    "answer": True,
    "check": True,
    "solution": False,
    "prove_it": False,
}
FILE_FIELDS = {"title": False, "questions": True}
CHOICE_FIELDS = {"type": True, "options": True}
OPTION_FIELDS = {"text": True, "correct": True, "feedback": True}
NUMERIC_FIELDS = {"type": True, "compute": True, "tolerance": True, "wrong": False}
WRONG_FIELDS = {"compute": True, "feedback": True}

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_:.-]+$")
# Raw HTML (a tag, a comment, a doctype) or a javascript: URL. The text is Markdown.
HTML_PATTERN = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>|<!--|<![A-Za-z]|<\?|javascript\s*:", re.IGNORECASE
)
KEY_TOKEN = "[[key]]"


class BankError(ValueError):
    """The bank is invalid; the message names the file, the question id and the field."""


@dataclass(frozen=True)
class Question:
    """One validated question; ``file`` is the YAML file it came from."""

    id: str
    chapter: str
    difficulty: str
    tags: tuple[str, ...]
    question: dict
    answer: dict
    check: dict
    file: Path
    section: str | None = None
    source: dict | None = None
    solution: str | None = None
    prove_it: str | None = None
    key: float | None = field(default=None, compare=False)

    @property
    def source_item(self) -> str | None:
        """``"doc:item"`` for a seed question, else None."""
        return f"{self.source['doc']}:{self.source['item']}" if self.source else None

    def answer_text(self, lang: str = "en") -> str:
        """The model answer with the numeric key filled in."""
        text = self.answer[lang]
        if self.key is not None:
            text = text.replace(KEY_TOKEN, format_number(self.key))
        return text


def format_number(value: float) -> str:
    """Short, exact-enough text for a key.

    >>> format_number(0.1 * 0.9**10), format_number(250.0)
    ('0.0348678', '250')
    """
    return f"{value:.6g}"


# ----------------------------------------------------------------------------- validation


def _where(file, qid, fieldname):
    return f"{_display_path(file)}: question {qid!r} field {fieldname!r}"


def _display_path(file):
    file = Path(file)
    try:
        return file.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(file)


def _fail(file, qid, fieldname, message):
    raise BankError(f"{_where(file, qid, fieldname)}: {message}")


def _check_fields(mapping, allowed, file, qid, prefix):
    """Exactly the allowed fields: every required one present, nothing else."""
    if not isinstance(mapping, dict):
        _fail(file, qid, prefix or "question", f"must be a mapping, got {type(mapping).__name__}")
    for name in mapping:
        if name not in allowed:
            where = f"{prefix}.{name}" if prefix else str(name)
            _fail(file, qid, where, f"unknown field (allowed: {', '.join(allowed)})")
    for name, required in allowed.items():
        if required and name not in mapping:
            where = f"{prefix}.{name}" if prefix else name
            _fail(file, qid, where, "required field is missing")


def _check_text(value, file, qid, fieldname, *, prose=False):
    """A bilingual Markdown text: {en: ..., zh: ...}, both non-empty, no raw HTML."""
    if not isinstance(value, dict):
        _fail(file, qid, fieldname, "must be a mapping with 'en' and 'zh'")
    for lang in value:
        if lang not in LANGS:
            _fail(file, qid, f"{fieldname}.{lang}", "unknown language (allowed: en, zh)")
    for lang in LANGS:
        text = value.get(lang)
        where = f"{fieldname}.{lang}"
        if text is None:
            _fail(file, qid, where, "translation is missing")
        if not isinstance(text, str) or not text.strip():
            _fail(file, qid, where, "must be a non-empty string")
        found = HTML_PATTERN.search(text)
        if found:
            _fail(file, qid, where, f"raw HTML is not allowed ({found.group(0)!r})")
    if prose and not re.search(r"[\u4e00-\u9fff]", value["zh"]):
        _fail(file, qid, f"{fieldname}.zh", "contains no Chinese text")


def _check_code(code, file, qid, fieldname):
    if not isinstance(code, str) or not code.strip():
        _fail(file, qid, fieldname, "must be a non-empty string of Python code")
    try:
        compile(code, f"{file}:{qid}:{fieldname}", "exec")
    except SyntaxError as exc:
        _fail(file, qid, fieldname, f"is not valid Python: {exc}")


def _check_check(check, file, qid):
    if not isinstance(check, dict):
        _fail(file, qid, "check", "must be a mapping")
    kind = check.get("type")
    if kind not in CHECK_TYPES:
        _fail(file, qid, "check.type", f"must be one of {', '.join(CHECK_TYPES)}, got {kind!r}")
    if kind == "numeric":
        _check_fields(check, NUMERIC_FIELDS, file, qid, "check")
        if not isinstance(check["compute"], str) or not check["compute"].strip():
            _fail(file, qid, "check.compute", "must be a Python expression (a string)")
        tol = check["tolerance"]
        if isinstance(tol, bool) or not isinstance(tol, Real) or not tol > 0:
            _fail(file, qid, "check.tolerance", f"must be a number > 0, got {tol!r}")
        for i, wrong in enumerate(check.get("wrong") or []):
            _check_fields(wrong, WRONG_FIELDS, file, qid, f"check.wrong[{i}]")
            _check_text(wrong["feedback"], file, qid, f"check.wrong[{i}].feedback")
        return
    _check_fields(check, CHOICE_FIELDS, file, qid, "check")
    options = check["options"]
    if not isinstance(options, list) or len(options) < 2:
        _fail(file, qid, "check.options", "must be a list of at least two options")
    for i, option in enumerate(options):
        where = f"check.options[{i}]"
        if not isinstance(option, dict):
            _fail(file, qid, where, "must be a mapping")
        if "feedback" not in option:
            _fail(file, qid, f"{where}.feedback", "every option needs feedback")
        _check_fields(option, OPTION_FIELDS, file, qid, where)
        if not isinstance(option["correct"], bool):
            _fail(file, qid, f"{where}.correct", "must be true or false")
        _check_text(option["text"], file, qid, f"{where}.text")
        _check_text(option["feedback"], file, qid, f"{where}.feedback")
    num_correct = sum(option["correct"] for option in options)
    if num_correct == 0:
        _fail(file, qid, "check.options", "no option is marked correct")
    if kind == "single" and num_correct != 1:
        _fail(
            file,
            qid,
            "check.options",
            f"type 'single' needs exactly one correct option, got {num_correct} (use type 'many')",
        )


def _check_question(raw, file, known_ids):
    qid = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(qid, str) or not ID_PATTERN.match(qid):
        _fail(file, qid, "id", "must be a lowercase-hyphenated string like 'decay-why'")
    _check_fields(raw, QUESTION_FIELDS, file, qid, "")
    if qid in known_ids:
        _fail(file, qid, "id", f"duplicate id (first defined in {_display_path(known_ids[qid])})")
    if raw["chapter"] not in CHAPTERS:
        _fail(file, qid, "chapter", f"unknown chapter {raw['chapter']!r}")
    section = raw.get("section")
    if section is not None and (not isinstance(section, str) or not LABEL_PATTERN.match(section)):
        _fail(file, qid, "section", f"must be a MyST target label, got {section!r}")
    if raw["difficulty"] not in DIFFICULTIES:
        _fail(file, qid, "difficulty", f"must be one of {', '.join(DIFFICULTIES)}")
    tags = raw["tags"]
    if (
        not isinstance(tags, list)
        or not tags
        or not all(isinstance(t, str) and ID_PATTERN.match(t) for t in tags)
    ):
        _fail(file, qid, "tags", "must be a non-empty list of lowercase-hyphenated words")
    source = raw.get("source")
    if source is not None:
        _check_fields(source, {"doc": True, "item": True}, file, qid, "source")
        if source["doc"] not in SOURCE_ITEMS:
            _fail(file, qid, "source.doc", f"unknown source document {source['doc']!r}")
        if source["item"] not in SOURCE_ITEMS[source["doc"]]:
            _fail(file, qid, "source.item", f"unknown item {source['item']!r} of {source['doc']}")
    _check_text(raw["question"], file, qid, "question", prose=True)
    _check_text(raw["answer"], file, qid, "answer", prose=True)
    _check_check(raw["check"], file, qid)
    for name in ("solution", "prove_it"):
        if raw.get(name) is not None:
            _check_code(raw[name], file, qid, name)
    if raw.get("prove_it") is not None and "assert" not in raw["prove_it"]:
        _fail(file, qid, "prove_it", "must contain at least one assert")
    return Question(
        id=qid,
        chapter=raw["chapter"],
        difficulty=raw["difficulty"],
        tags=tuple(tags),
        question=raw["question"],
        answer=raw["answer"],
        check=raw["check"],
        file=Path(file),
        section=section,
        source=source,
        solution=raw.get("solution"),
        prove_it=raw.get("prove_it"),
    )


def load_bank(bank_dir: Path | str | None = None) -> list[Question]:
    """Read and check the structure of every ``*.yaml`` file; no code is run.

    Numeric keys are not computed here (see :func:`validate`), so ``key`` is None.
    """
    bank_dir = Path(bank_dir) if bank_dir is not None else BANK_DIR
    files = sorted(bank_dir.glob("*.yaml"))
    if not files:
        raise BankError(f"{_display_path(bank_dir)}: no *.yaml files in the bank")
    questions, known_ids = [], {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise BankError(f"{_display_path(file)}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise BankError(f"{_display_path(file)}: must be a mapping with 'questions'")
        for name in data:
            if name not in FILE_FIELDS:
                raise BankError(f"{_display_path(file)}: unknown top-level field {name!r}")
        if not isinstance(data.get("questions"), list):
            raise BankError(f"{_display_path(file)}: 'questions' must be a list")
        for raw in data["questions"]:
            q = _check_question(raw, file, known_ids)
            known_ids[q.id] = file
            questions.append(q)
    return questions


def _namespace():
    """What a numeric key's expression may use: lrkit's modules, numpy and math."""
    import numpy as np

    from lrkit import optimizers, problems, schedules

    return {
        "np": np,
        "math": math,
        "schedules": schedules,
        "optimizers": optimizers,
        "problems": problems,
    }


def _evaluate(expression, namespace, file, qid, fieldname):
    try:
        value = float(_run_compute(expression, namespace))
    except Exception as exc:  # any failure is reported with the question and field
        _fail(file, qid, fieldname, f"cannot compute {expression!r}: {type(exc).__name__}: {exc}")
    if not math.isfinite(value):
        _fail(file, qid, fieldname, f"{expression!r} is not finite ({value})")
    return value


def _run_compute(expression, namespace):
    """An expression, or statements that assign ``key`` (for a loop over lrkit's optimizers)."""
    scope = dict(namespace)
    try:
        code = compile(expression, "<compute>", "eval")
    except SyntaxError:
        exec(compile(expression, "<compute>", "exec"), scope)  # noqa: S102  (the bank is ours)
        return scope["key"]
    return eval(code, scope)  # noqa: S307


def compute_key(q: Question, namespace: dict | None = None) -> float:
    """Recompute a numeric question's key and check it against its known-wrong answers."""
    namespace = namespace if namespace is not None else _namespace()
    check = q.check
    key = _evaluate(check["compute"], namespace, q.file, q.id, "check.compute")
    tol = check["tolerance"]
    for i, wrong in enumerate(check.get("wrong") or []):
        value = _evaluate(wrong["compute"], namespace, q.file, q.id, f"check.wrong[{i}].compute")
        if abs(value - key) <= tol:
            _fail(
                q.file,
                q.id,
                "check.compute",
                f"the key {format_number(key)} equals the "
                f"known-wrong answer check.wrong[{i}] ({wrong['compute']!r})",
            )
    return key


def run_code(q: Question) -> None:
    """Execute the question's ``solution`` then ``prove_it`` in one fresh namespace."""
    namespace = {"__name__": f"bank_{q.id.replace('-', '_')}"}
    for name in ("solution", "prove_it"):
        code = getattr(q, name)
        if code is None:
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{q.file}:{q.id}:{name}", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            _fail(q.file, q.id, name, f"failed: {type(exc).__name__}: {exc}")


def _chapter_checks(chapters_dir):
    """Return the chapters directory to check files against, or None to skip file checks."""
    if chapters_dir is False:
        return None
    if chapters_dir is not None:
        return Path(chapters_dir)
    # By default check the repo's chapters once they are written.
    return CHAPTERS_DIR if any(CHAPTERS_DIR.glob("*.md")) else None


def check_chapter(q: Question, chapters_dir: Path | None) -> None:
    """The chapter file exists and holds the ``(section)=`` target, when files are checked."""
    if chapters_dir is None:
        return
    page = Path(chapters_dir) / f"{q.chapter}.md"
    if not page.is_file():
        _fail(q.file, q.id, "chapter", f"chapter page {page} does not exist")
    if q.section is not None:
        label = re.compile(rf"^\s*\({re.escape(q.section)}\)=\s*$", re.MULTILINE)
        if not label.search(page.read_text(encoding="utf-8")):
            _fail(q.file, q.id, "section", f"no target '({q.section})=' in {page.name}")


def check_coverage(questions: list[Question], bank_dir: Path | str | None = None) -> None:
    """Every one of the 29 seed items is answered, each by exactly one question."""
    seen = {}
    for q in questions:
        if q.source_item is None:
            continue
        if q.source_item in seen:
            _fail(
                q.file,
                q.id,
                "source.item",
                f"{q.source_item} is already covered by question {seen[q.source_item]!r}",
            )
        seen[q.source_item] = q.id
    wanted = {f"{doc}:{item}" for doc, items in SOURCE_ITEMS.items() for item in items}
    missing = sorted(wanted - set(seen))
    if missing:
        where = _display_path(bank_dir if bank_dir is not None else BANK_DIR)
        raise BankError(f"{where}: source items not covered by any question: {missing}")


def validate(
    bank_dir: Path | str | None = None,
    chapters_dir: Path | str | None = None,
    *,
    run_snippets: bool = True,
    require_coverage: bool = True,
) -> list[Question]:
    """Validate the whole bank and return its questions with numeric keys filled in.

    ``chapters_dir``: where chapter pages live. Given explicitly, every chapter file (and
    every ``section`` target) must exist there; ``False`` skips these file checks; by
    default (None) the repo's ``chapters/`` is checked once it holds any page.
    ``run_snippets`` executes ``solution`` and ``prove_it``.
    Raises :class:`BankError` naming the file, the question id and the field.
    """
    questions = load_bank(bank_dir)
    chapters = _chapter_checks(chapters_dir)
    namespace = _namespace()
    result = []
    for q in questions:
        check_chapter(q, chapters)
        key = compute_key(q, namespace) if q.check["type"] == "numeric" else None
        if key is None and KEY_TOKEN in q.answer["en"] + q.answer["zh"]:
            _fail(q.file, q.id, "answer", f"{KEY_TOKEN} is only allowed in numeric questions")
        if run_snippets:
            run_code(q)
        result.append(_with_key(q, key))
    if require_coverage:
        check_coverage(result, bank_dir)
    return result


def _with_key(q, key):
    fields = {name: getattr(q, name) for name in q.__dataclass_fields__}
    fields["key"] = key
    return Question(**fields)


def load(bank_dir=None, *, chapter=None, tag=None, difficulty=None) -> list[Question]:
    """The questions (filtered as in :func:`select`) with their numeric keys computed, for
    rendering and the terminal quiz: no snippets run, no file checks (a link to a missing
    chapter fails the strict book build instead). Only the chosen questions' keys are
    computed, so a chapter's quiz page does not pay for the imports of another chapter's."""
    questions = select(load_bank(bank_dir), chapter=chapter, tag=tag, difficulty=difficulty)
    namespace = _namespace()
    numeric = [q.check["type"] == "numeric" for q in questions]
    return [
        _with_key(q, compute_key(q, namespace) if n else None)
        for q, n in zip(questions, numeric, strict=True)
    ]


def select(questions, *, chapter=None, tag=None, difficulty=None) -> list[Question]:
    """Filter by chapter stem (or its two-digit prefix), tag and difficulty."""

    def keep(q):
        if chapter is not None and q.chapter != chapter and q.chapter[:2] != str(chapter)[:2]:
            return False
        if tag is not None and tag not in q.tags:
            return False
        return difficulty is None or q.difficulty == difficulty

    return [q for q in questions if keep(q)]


def summary(questions) -> dict:
    """Counts per chapter and difficulty, and the seed items covered."""
    return {
        "total": len(questions),
        "per_chapter": dict(sorted(Counter(q.chapter for q in questions).items())),
        "per_difficulty": {d: sum(q.difficulty == d for q in questions) for d in DIFFICULTIES},
        "sources": sorted(q.source_item for q in questions if q.source_item),
    }


# ----------------------------------------------------------------------------- rendering


def _markdown_to_html(text: str) -> str:
    """Markdown to HTML with raw HTML escaped (for jupyterquiz and Anki)."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": False}).render(text).strip()
    # A single paragraph is shown inline.
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def to_jupyterquiz(questions, lang: str = "en") -> list[dict]:
    """The self-checks as jupyterquiz's list of dicts (multiple/many choice, numeric)."""
    quiz = []
    for q in questions:
        check = q.check
        item = {"question": _markdown_to_html(q.question[lang])}
        if check["type"] == "numeric":
            tol = check["tolerance"]
            item["type"] = "numeric"
            answers = [
                {
                    "type": "range",
                    "range": [q.key - tol, q.key + tol],
                    "correct": True,
                    "feedback": _markdown_to_html(_correct_word(lang) + " " + format_number(q.key)),
                }
            ]
            namespace = _namespace()
            for wrong in check.get("wrong") or []:
                value = float(_run_compute(wrong["compute"], namespace))
                answers.append(
                    {
                        "type": "range",
                        "range": [value - tol, value + tol],
                        "correct": False,
                        "feedback": _markdown_to_html(wrong["feedback"][lang]),
                    }
                )
            answers.append(
                {
                    "type": "default",
                    "feedback": _markdown_to_html(_numeric_default(lang)),
                }
            )
            item["answers"] = answers
        else:
            item["type"] = "multiple_choice" if check["type"] == "single" else "many_choice"
            item["answers"] = [
                {
                    "answer": _markdown_to_html(option["text"][lang]),
                    "correct": option["correct"],
                    "feedback": _markdown_to_html(option["feedback"][lang]),
                }
                for option in check["options"]
            ]
        quiz.append(item)
    return quiz


def _correct_word(lang):
    return "Correct:" if lang == "en" else "正确："


def _numeric_default(lang):
    if lang == "en":
        return "Not quite: compute it step by step (step is 0-based) and try again."
    return "不对：请按步骤重新计算（step 从 0 开始），再试一次。"


def show_self_checks(chapter: str, bank_dir=None, lang: str = "en") -> None:
    """Display a chapter's interactive self-checks (jupyterquiz; works in static HTML)."""
    from jupyterquiz import display_quiz

    questions = load(bank_dir, chapter=chapter)
    display_quiz(to_jupyterquiz(questions, lang), shuffle_answers=False)


def _chapter_link(q):
    """MyST links to the question's section (its title, via ``{ref}``) and to its chapter.

    A ``(label)=`` target before a heading becomes the section's HTML id, so the rendered
    link is ``../chapters/<stem>.html#<label>``.
    """
    chapter = f"{{doc}}`{CHAPTERS[q.chapter]} <../chapters/{q.chapter}>`"
    if q.section:
        return f"{{ref}}`{q.section}` ({chapter})"
    return chapter


def _where_explained(q):
    """Plain-text pointer for the terminal and Anki: ``chapters/<stem>.md#<label>``."""
    return f"chapters/{q.chapter}.md" + (f"#{q.section}" if q.section else "")


def _indent_fences(text, depth):
    """Nothing to do for ``` fences; longer fences would close our directives."""
    if re.search(r"^\s*````", text, re.MULTILINE):
        raise ValueError("bank text may only use ``` code fences")
    return text


def question_markdown(q: Question, number: int | None = None) -> str:
    """One question as a folded MyST dropdown, English and Chinese in tabs.

    The dropdown uses a colon fence (MyST's ``colon_fence`` extension, on in the book's
    config) because a backtick fence's title may not contain backticks.
    """
    title = _title(q.question["en"])
    label = f"{number}. " if number is not None else ""
    tabs = []
    for lang, name in (("en", "English"), ("zh", "中文")):
        body = [
            _indent_fences(q.question[lang].strip(), 0),
            "",
            _model(lang),
            "",
            _indent_fences(q.answer_text(lang).strip(), 0),
        ]
        if q.solution:
            body += ["", "```python", q.solution.rstrip(), "```"]
        tabs += [f"````{{tab-item}} {name}", *body, "````"]
    meta = f"*{q.difficulty}* · tags: {', '.join(q.tags)} · explained in {_chapter_link(q)}"
    if q.source:
        meta += f" · source: `{q.source['doc']}` {q.source['item']}"
    return "\n".join(
        [
            f"::::::{{dropdown}} {label}{title} ({q.difficulty})",
            "`````{tab-set}",
            *tabs,
            "`````",
            "",
            meta,
            "::::::",
            "",
        ]
    )


def _title(text, width=110):
    """One line for a dropdown's title: the question's text, shortened at a word.

    >>> _title("Where is `x`   after 3 steps?")
    'Where is `x` after 3 steps?'
    >>> _title("word " * 30, width=12)
    'word word …'
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[:width].rsplit(" ", 1)[0]
    if cut.count("`") % 2:  # do not leave a code span open
        cut = cut[: cut.rfind("`")].rstrip()
    return cut + " …"


def _model(lang):
    return "**Model answer.**" if lang == "en" else "**参考答案。**"


def answers_markdown(questions, *, heading_level: int = 2, by_chapter: bool = False) -> str:
    """MyST Markdown: questions grouped by difficulty (and chapter), each folded."""
    hashes = "#" * heading_level
    out, number = [], 0
    groups = (
        [(stem, [q for q in questions if q.chapter == stem]) for stem in CHAPTERS]
        if by_chapter
        else [(None, list(questions))]
    )
    for stem, group in groups:
        if not group:
            continue
        if stem is not None:
            out += [
                f"{hashes} {CHAPTERS[stem]}",
                "",
                f"Chapter: {{doc}}`../chapters/{stem}` · quiz: {{doc}}`quiz_{stem[:2]}`",
                "",
            ]
        for difficulty in DIFFICULTIES:
            chosen = [q for q in group if q.difficulty == difficulty]
            if not chosen:
                continue
            sub = hashes + "#" if stem is not None else hashes
            where = f"{CHAPTERS[stem]}: " if stem is not None else ""
            out += [f"{sub} {where}{difficulty} ({len(chosen)})", ""]
            for q in chosen:
                number += 1
                out.append(question_markdown(q, number))
    return "\n".join(out)


def glue_answers(chapter: str, name: str = "answers", bank_dir=None) -> None:
    """Glue a chapter's folded model answers for a ``{glue:md}`` block (format: myst)."""
    _glue(name, answers_markdown(load(bank_dir, chapter=chapter)))


def glue_interview(name: str = "interview", bank_dir=None) -> None:
    """Glue the interview-mode page: every question by chapter and difficulty."""
    _glue(name, answers_markdown(load(bank_dir), by_chapter=True))


def _glue(name, text):
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


# ----------------------------------------------------------------------------- Anki export


def export_anki(questions, path, lang: str = "en") -> int:
    """Write a tab-separated file for Anki's plain-text import; return the number of notes.

    Columns: front (question and options), back (model answer), tags. Fields are HTML
    (Anki's ``#html:true``) so that line breaks and code survive one-line-per-note.
    """
    lines = ["#separator:tab", "#html:true", "#notetype:Basic", "#tags column:3"]
    for q in questions:
        front = q.question[lang]
        if q.check["type"] != "numeric":
            front += "\n\n" + "\n".join(
                f"{i}. {option['text'][lang]}" for i, option in enumerate(q.check["options"], 1)
            )
        back = q.answer_text(lang)
        if q.solution:
            back += "\n\n```python\n" + q.solution.rstrip() + "\n```"
        back += f"\n\n({CHAPTERS[q.chapter]}, {_where_explained(q)})"
        tags = " ".join(["lrbook", q.chapter, q.difficulty, *q.tags])
        lines.append("\t".join([_anki_field(front), _anki_field(back), tags]))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(questions)


def _anki_field(text):
    html = _markdown_to_html(text)
    return html.replace("\t", "    ").replace("\r", "").replace("\n", "<br>")


# ----------------------------------------------------------------------------- terminal quiz


@dataclass(frozen=True)
class QuizResult:
    """What a terminal session recorded: ids asked, ids answered right, ids missed."""

    asked: tuple[str, ...]
    correct: tuple[str, ...]
    missed: tuple[Question, ...]

    @property
    def score(self) -> str:
        n = len(self.asked)
        pct = 100 * len(self.correct) / n if n else 0
        return f"score: {len(self.correct)}/{n} ({pct:.0f}%)"

    def review(self) -> str:
        """The chapters and tags of the missed questions, most missed first."""
        if not self.missed:
            return "review: nothing, well done"
        chapters = Counter(q.chapter for q in self.missed)
        tags = Counter(t for q in self.missed for t in q.tags)
        ch = ", ".join(f"chapters/{c}.md" for c, _ in chapters.most_common())
        tg = ", ".join(t for t, _ in tags.most_common(8))
        return f"review: {ch}; tags: {tg}"


def _is_right(q, reply):
    """Whether a reply is right; None when it cannot be parsed."""
    reply = reply.strip()
    if q.check["type"] == "numeric":
        try:
            value = float(reply)
        except ValueError:
            return None, []
        return abs(value - q.key) <= q.check["tolerance"], []
    options = q.check["options"]
    try:
        chosen = sorted({int(part) for part in re.split(r"[\s,]+", reply) if part})
    except ValueError:
        return None, []
    if not chosen or any(not 1 <= c <= len(options) for c in chosen):
        return None, []
    wanted = [i for i, option in enumerate(options, 1) if option["correct"]]
    return chosen == wanted, chosen


def run_quiz(questions, *, stdin=None, stdout=None, lang: str = "en") -> QuizResult:
    """Ask each question, read a reply per line, show feedback and the model answer.

    Ends early at end of input, reporting the score so far.
    """
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    asked, correct, missed = [], [], []

    def say(*lines):
        print(*lines, sep="\n", file=stdout, flush=True)

    for number, q in enumerate(questions, 1):
        say(
            "",
            f"[{number}/{len(questions)}] {q.chapter} · {q.difficulty} · {q.id}",
            q.question[lang].strip(),
        )
        if q.check["type"] == "numeric":
            prompt = "answer (a number): " if lang == "en" else "答案（一个数）: "
        else:
            for i, option in enumerate(q.check["options"], 1):
                say(f"  {i}) {option['text'][lang]}")
            prompt = (
                "answer (option number(s), e.g. 2 or 1,3): "
                if lang == "en"
                else "答案（选项编号，如 2 或 1,3）: "
            )
        verdict, chosen = None, []
        while verdict is None:
            print(prompt, end="", file=stdout, flush=True)
            line = stdin.readline()
            if not line:
                say("", "(end of input)")
                return _finish(asked, correct, missed, say)
            verdict, chosen = _is_right(q, line)
            if verdict is None:
                say("could not read that; try again" if lang == "en" else "无法识别，请重试")
        asked.append(q.id)
        (correct if verdict else missed).append(q.id if verdict else q)
        say("correct!" if verdict else "not quite.")
        if q.check["type"] != "numeric":
            for c in chosen:
                say(f"  {c}) {q.check['options'][c - 1]['feedback'][lang]}")
            if not verdict:
                right = [i for i, o in enumerate(q.check["options"], 1) if o["correct"]]
                say(f"  right option(s): {', '.join(map(str, right))}")
        else:
            say(f"  key: {format_number(q.key)}")
        say(
            "model answer:" if lang == "en" else "参考答案：",
            q.answer_text(lang).strip(),
            f"(see {_where_explained(q)})",
        )
    return _finish(asked, correct, missed, say)


def _finish(asked, correct, missed, say):
    result = QuizResult(tuple(asked), tuple(correct), tuple(missed))
    say("", result.score, result.review())
    return result


def main(argv=None) -> int:
    """``python -m lrkit.quiz``: a terminal self-quiz, ``--validate`` or ``--export-anki``."""
    parser = argparse.ArgumentParser(prog="python -m lrkit.quiz", description=main.__doc__)
    parser.add_argument("--bank", type=Path, default=None, help="bank directory")
    parser.add_argument("--chapter", help="chapter stem or its number, e.g. 03")
    parser.add_argument("--tag")
    parser.add_argument("--difficulty", choices=DIFFICULTIES)
    parser.add_argument("--seed", type=int, default=None, help="seed for the question order")
    parser.add_argument("--num", type=int, default=None, help="ask at most this many")
    parser.add_argument("--lang", choices=LANGS, default="en")
    parser.add_argument("--validate", action="store_true", help="validate the bank and exit")
    parser.add_argument(
        "--export-anki",
        type=Path,
        metavar="FILE",
        help="write an Anki plain-text (tab-separated) file and exit",
    )
    args = parser.parse_args(argv)
    try:
        if args.validate:
            questions = validate(args.bank)
            s = summary(questions)
            print(f"bank ok: {s['total']} questions, {len(s['sources'])} source items")
            for stem, n in s["per_chapter"].items():
                print(f"  {stem}: {n}")
            print("  " + ", ".join(f"{d}: {n}" for d, n in s["per_difficulty"].items()))
            return 0
        questions = load(args.bank, chapter=args.chapter, tag=args.tag, difficulty=args.difficulty)
    except BankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not questions:
        print("no question matches these filters", file=sys.stderr)
        return 1
    if args.export_anki:
        n = export_anki(questions, args.export_anki, lang=args.lang)
        print(f"wrote {n} notes to {args.export_anki}")
        return 0
    random.Random(args.seed).shuffle(questions)
    if args.num is not None:
        questions = questions[: args.num]
    run_quiz(questions, lang=args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
