"""The interview quiz bank as data: load, validate, select, grade.

The bank is YAML under ``quizzes/bank/``, one file per chapter; this module is the only
code that reads it (rendering is :mod:`lrkit.quizrender`, the terminal quiz
:mod:`lrkit.quizterm`). It never imports torch: a numeric question stores its key as a
number (``check.value``) and :func:`validate` recomputes it from ``check.compute``.

A question in YAML::

    - id: decay-inverse-time-value
      chapter: 03_decay_schedules          # a chapter stem (see CHAPTERS)
      section: ch3-inverse-time            # a (label)= target in chapters/<chapter>.md
      difficulty: easy                     # easy | medium | hard
      tags: [decay, formula]
      source: {doc: 000_d7ef429b0ceb08aa, item: Q2}   # internal: never displayed
      question: {en: ..., zh: ...}
      answer: {en: ..., zh: ...}           # Markdown; [[key]] is replaced by the key
      check:
        type: numeric                      # or single / many, with options
        compute: "schedules.inverse_time_decay(0.1, 0.5)(4)"   # run by validate()
        value: 0.0333333                   # the key as shown; compute must agree
        rtol: 5.0e-3                       # optional (default 5e-3); or atol
        wrong: [{compute: ..., value: ..., feedback: {en: ..., zh: ...}}]
      prove_it: |                          # optional, must assert something
        assert ...

A choice question has at least three options, unless it says ``true_false: true``
(two options, a small minority of the bank).

>>> sorted(SOURCE_ITEMS)
['000_d7ef429b0ceb08aa', '002_eff4e35b97cf37b4']
>>> sum(len(items) for items in SOURCE_ITEMS.values())
29
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
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
    "10_edge_of_stability": "The edge of stability",
    "11_batch_size": "Batch size and the learning rate",
    "12_horizon_free": "Schedules that do not need the run length",
    "13_rates_at_scale": "Learning rates at scale",
}
CHAPTERS_ZH = {
    "01_what_lr_does": "学习率的作用",
    "02_choosing_lr": "选择学习率",
    "03_decay_schedules": "衰减调度",
    "04_warmup": "预热",
    "05_cyclical": "循环调度与重启",
    "06_adaptive_optimizers": "动量与自适应优化器",
    "07_pytorch_correctly": "在 PyTorch 中正确设置学习率",
    "08_experiments": "实验",
    "09_misconceptions": "常见误解",
    "10_edge_of_stability": "稳定性边缘",
    "11_batch_size": "批量大小与学习率",
    "12_horizon_free": "不依赖训练长度的调度",
    "13_rates_at_scale": "大规模训练中的学习率",
}

SOURCE_ITEMS = {
    "000_d7ef429b0ceb08aa": frozenset(["IQ1", "IQ2", "P1", "P2"] + [f"Q{i}" for i in range(1, 21)]),
    "002_eff4e35b97cf37b4": frozenset(f"Q{i}" for i in range(1, 6)),
}

DIFFICULTIES = ("easy", "medium", "hard")
LANGS = ("en", "zh")
CHECK_TYPES = ("single", "many", "numeric")
DEFAULT_RTOL = 5e-3  # a reply rounded to three significant figures is accepted
MAX_TRUE_FALSE_SHARE = 0.15

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
CHOICE_FIELDS = {"type": True, "options": True, "true_false": False}
OPTION_FIELDS = {"text": True, "correct": True, "feedback": True}
NUMERIC_FIELDS = {
    "type": True,
    "compute": True,
    "value": True,
    "rtol": False,
    "atol": False,
    "wrong": False,
}
WRONG_FIELDS = {"compute": True, "value": True, "feedback": True}

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9_:.-]+$")
# Raw HTML (a tag, a comment, a doctype) or a javascript: URL. The text is Markdown.
HTML_PATTERN = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?>|<!--|<![A-Za-z]|<\?|javascript\s*:", re.IGNORECASE
)
# Reader-facing text never mentions where a question came from.
SOURCE_WORDS = re.compile(
    r"\bthe source\b|\ba source\b|source document|study notes|the tests show|原文|某资料|测试表明",
    re.IGNORECASE,
)
KEY_TOKEN = "[[key]]"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when built with it
CJK = "\u2018-\u201d\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"


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

    @property
    def source_item(self) -> str | None:
        """``"doc:item"`` for a seed question, else None (internal, never displayed)."""
        return f"{self.source['doc']}:{self.source['item']}" if self.source else None

    @property
    def key(self) -> float | None:
        """A numeric question's key (stored in the bank, checked by :func:`validate`)."""
        return float(self.check["value"]) if self.check["type"] == "numeric" else None

    @property
    def is_choice(self) -> bool:
        return self.check["type"] != "numeric"

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


def tidy_zh(text: str) -> str:
    """Chinese text as it should render: no line break (which a browser shows as a space)
    between two CJK characters, and ASCII double quotes outside code turned into “ ”.

    >>> tidy_zh('前期用较大的\\n学习率，称为"噪声底"。`a "b"`')
    '前期用较大的学习率，称为“噪声底”。`a "b"`'
    """
    parts = re.split(r"(```.*?```|`[^`\n]*`)", text, flags=re.DOTALL)
    opening = True
    for i in range(0, len(parts), 2):  # even parts are outside code
        chars = list(parts[i])
        for j, char in enumerate(chars):
            if char == '"':
                chars[j] = "“" if opening else "”"
                opening = not opening
        parts[i] = "".join(chars)
    return re.sub(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])", "", "".join(parts))


# ----------------------------------------------------------------------------- numbers


def parse_number(text: str) -> float | None:
    """A number as a reader types it, or None: ``0.0167``, ``1/60``, ``1.7e-2``,
    ``1,67e-2`` (decimal comma), full-width digits, ``2^-3``.

    >>> [parse_number(s) for s in ["1/60", "1,5", "２．５", "3e-4", "2^-3", "x", "1/0"]]
    [0.016666666666666666, 1.5, 2.5, 0.0003, 0.125, None, None]
    """
    text = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    text = text.replace("−", "-").replace("×10^", "e").replace("*10^", "e")
    if re.fullmatch(r"[+-]?\d+,\d+(?:e[+-]?\d+)?", text, re.IGNORECASE):
        text = text.replace(",", ".")
    try:
        if "/" in text:
            num, den = text.split("/", 1)
            value = float(num) / float(den)
        elif "^" in text:
            base, power = text.split("^", 1)
            value = float(base) ** float(power)
        else:
            value = float(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def tolerance(check: dict, value: float) -> float:
    """The accepted distance from ``value``: ``atol`` when given, else ``rtol·|value|``."""
    if "atol" in check:
        return float(check["atol"])
    return float(check.get("rtol", DEFAULT_RTOL)) * abs(value)


def matches(check: dict, reply: float, value: float) -> bool:
    """Whether a reply counts as ``value`` under the check's tolerance."""
    return abs(reply - value) <= tolerance(check, value)


def grade_numeric(q: Question, reply: str):
    """``(verdict, feedback)``: verdict None when the reply is not a number; feedback is the
    targeted feedback of a known wrong answer ({en, zh}) or None."""
    value = parse_number(reply)
    if value is None:
        return None, None
    if matches(q.check, value, q.key):
        return True, None
    for wrong in q.check.get("wrong") or []:
        if matches(q.check, value, float(wrong["value"])):
            return False, wrong["feedback"]
    return False, None


# ----------------------------------------------------------------------------- display order


def option_order(q: Question, seed: int | None) -> list[int]:
    """The order in which a choice question's options are displayed (indices into the YAML
    list), shuffled by ``seed`` and the question's id; ``seed=None`` keeps the YAML order.

    >>> q = Question("a", "01_what_lr_does", "easy", ("t",), {}, {}, {"type": "single",
    ...     "options": [{}, {}, {}]}, Path("x"))
    >>> sorted(option_order(q, 3)), option_order(q, None)
    ([0, 1, 2], [0, 1, 2])
    """
    order = list(range(len(q.check["options"])))
    if seed is not None:
        random.Random(f"{seed}:{q.id}").shuffle(order)
    return order


def right_positions(q: Question, seed: int | None) -> list[int]:
    """The 0-based display positions of the right options."""
    order = option_order(q, seed)
    return [pos for pos, i in enumerate(order) if q.check["options"][i]["correct"]]


# ----------------------------------------------------------------------------- validation


def _display_path(file):
    file = Path(file)
    try:
        return file.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(file)


def _fail(file, qid, fieldname, message):
    raise BankError(f"{_display_path(file)}: question {qid!r} field {fieldname!r}: {message}")


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
        found = HTML_PATTERN.search(text) or SOURCE_WORDS.search(text)
        if found:
            kind = "raw HTML" if HTML_PATTERN.search(text) else "a mention of sources or tests"
            _fail(file, qid, where, f"{kind} is not allowed ({found.group(0)!r})")
    if prose and not re.search(r"[\u4e00-\u9fff]", value["zh"]):
        _fail(file, qid, f"{fieldname}.zh", "contains no Chinese text")
    value["zh"] = tidy_zh(value["zh"])


def _check_code(code, file, qid, fieldname):
    if not isinstance(code, str) or not code.strip():
        _fail(file, qid, fieldname, "must be a non-empty string of Python code")
    try:
        compile(code, f"{file}:{qid}:{fieldname}", "exec")
    except SyntaxError as exc:
        _fail(file, qid, fieldname, f"is not valid Python: {exc}")


def _check_number(value, file, qid, fieldname, *, positive=False):
    bad = isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value)
    if bad or (positive and not value > 0):
        _fail(file, qid, fieldname, f"must be a finite number{' > 0' * positive}, got {value!r}")


def _check_numeric(check, file, qid):
    _check_fields(check, NUMERIC_FIELDS, file, qid, "check")
    if not isinstance(check["compute"], str) or not check["compute"].strip():
        _fail(file, qid, "check.compute", "must be a Python expression (a string)")
    _check_number(check["value"], file, qid, "check.value")
    for name in ("rtol", "atol"):
        if name in check:
            _check_number(check[name], file, qid, f"check.{name}", positive=True)
    if "rtol" in check and "atol" in check:
        _fail(file, qid, "check.atol", "give rtol or atol, not both")
    if check["value"] == 0 and "atol" not in check:
        _fail(file, qid, "check.atol", "a key of 0 needs an absolute tolerance")
    for i, wrong in enumerate(check.get("wrong") or []):
        _check_fields(wrong, WRONG_FIELDS, file, qid, f"check.wrong[{i}]")
        _check_number(wrong["value"], file, qid, f"check.wrong[{i}].value")
        _check_text(wrong["feedback"], file, qid, f"check.wrong[{i}].feedback")
        if matches(check, float(wrong["value"]), float(check["value"])):
            _fail(file, qid, "check.value", f"the key equals the known-wrong answer wrong[{i}]")


def _check_choice(check, kind, file, qid):
    _check_fields(check, CHOICE_FIELDS, file, qid, "check")
    options = check["options"]
    true_false = check.get("true_false", False)
    if not isinstance(true_false, bool):
        _fail(file, qid, "check.true_false", "must be true or false")
    need = 2 if true_false else 3
    if not isinstance(options, list) or len(options) < need:
        why = "a true/false question has two" if true_false else "mark a two-option question"
        _fail(file, qid, "check.options", f"needs at least {need} options ({why} true_false)")
    if true_false and (len(options) != 2 or kind != "single"):
        _fail(file, qid, "check.true_false", "a true/false question has two options, one right")
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
    if kind == "many" and num_correct == len(options):
        _fail(file, qid, "check.options", "every option is right: nothing to choose")


def _check_check(check, file, qid):
    if not isinstance(check, dict):
        _fail(file, qid, "check", "must be a mapping")
    kind = check.get("type")
    if kind not in CHECK_TYPES:
        _fail(file, qid, "check.type", f"must be one of {', '.join(CHECK_TYPES)}, got {kind!r}")
    if kind == "numeric":
        _check_numeric(check, file, qid)
    else:
        _check_choice(check, kind, file, qid)


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
    if raw["check"]["type"] != "numeric" and KEY_TOKEN in raw["answer"]["en"] + raw["answer"]["zh"]:
        _fail(file, qid, "answer", f"{KEY_TOKEN} is only allowed in numeric questions")
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
    """Read and check the structure of every ``*.yaml`` file; no code is run."""
    bank_dir = Path(bank_dir) if bank_dir is not None else BANK_DIR
    files = sorted(bank_dir.glob("*.yaml"))
    if not files:
        raise BankError(f"{_display_path(bank_dir)}: no *.yaml files in the bank")
    questions, known_ids = [], {}
    for file in files:
        try:
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
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


def load(bank_dir=None, *, chapter=None, tag=None, difficulty=None) -> list[Question]:
    """The questions, filtered as in :func:`select`; nothing is computed or run."""
    return select(load_bank(bank_dir), chapter=chapter, tag=tag, difficulty=difficulty)


def match_chapter(name) -> str:
    """The chapter stem for ``3``, ``03``, ``03_decay_schedules`` or ``decay``; a
    ValueError listing the valid values when nothing (or more than one) matches.

    >>> match_chapter("3"), match_chapter("decay")
    ('03_decay_schedules', '03_decay_schedules')
    """
    text = str(name).strip().lower()
    if text.isdigit():
        found = [s for s in CHAPTERS if int(s[:2]) == int(text)]
    else:
        found = [s for s in CHAPTERS if s == text] or [s for s in CHAPTERS if text in s]
    if len(found) != 1:
        valid = ", ".join(f"{int(s[:2])} ({s})" for s in CHAPTERS)
        raise ValueError(f"chapter {name!r} matches no single chapter; valid values: {valid}")
    return found[0]


def select(questions, *, chapter=None, tag=None, difficulty=None) -> list[Question]:
    """Filter by chapter (see :func:`match_chapter`), tag and difficulty."""
    stem = match_chapter(chapter) if chapter is not None else None

    def keep(q):
        if stem is not None and q.chapter != stem:
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


# ----------------------------------------------------------------------------- checks that run code


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


def _run_compute(expression, namespace):
    """An expression, or statements that assign ``key``."""
    scope = dict(namespace)
    try:
        code = compile(expression, "<compute>", "eval")
    except SyntaxError:
        exec(compile(expression, "<compute>", "exec"), scope)  # noqa: S102  (the bank is ours)
        return scope["key"]
    return eval(code, scope)  # noqa: S307


def _evaluate(expression, namespace, file, qid, fieldname):
    try:
        value = float(_run_compute(expression, namespace))
    except Exception as exc:  # any failure is reported with the question and field
        _fail(file, qid, fieldname, f"cannot compute {expression!r}: {type(exc).__name__}: {exc}")
    if not math.isfinite(value):
        _fail(file, qid, fieldname, f"{expression!r} is not finite ({value})")
    return value


def compute_key(q: Question, namespace: dict | None = None) -> float:
    """Recompute a numeric question's key (and its known-wrong answers) and check that the
    stored values agree to the question's tolerance; return the computed key."""
    namespace = namespace if namespace is not None else _namespace()
    check = q.check
    key = _evaluate(check["compute"], namespace, q.file, q.id, "check.compute")
    if not matches(check, float(check["value"]), key):
        _fail(
            q.file,
            q.id,
            "check.value",
            f"stored {check['value']!r} but check.compute gives {format_number(key)}",
        )
    for i, wrong in enumerate(check.get("wrong") or []):
        where = f"check.wrong[{i}]"
        value = _evaluate(wrong["compute"], namespace, q.file, q.id, f"{where}.compute")
        if not matches(check, float(wrong["value"]), value):
            _fail(q.file, q.id, f"{where}.value", f"compute gives {format_number(value)}")
        if matches(check, value, key):
            _fail(
                q.file,
                q.id,
                "check.compute",
                f"the key {format_number(key)} equals the "
                f"known-wrong answer {where} ({wrong['compute']!r})",
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


def check_balance(questions: list[Question]) -> None:
    """True/false questions stay a small minority."""
    choice = [q for q in questions if q.is_choice]
    true_false = [q for q in choice if q.check.get("true_false")]
    if choice and len(true_false) > MAX_TRUE_FALSE_SHARE * len(choice):
        raise BankError(
            f"{len(true_false)} of {len(choice)} choice questions are true/false "
            f"(at most {MAX_TRUE_FALSE_SHARE:.0%})"
        )


def validate(
    bank_dir: Path | str | None = None,
    chapters_dir: Path | str | None = None,
    *,
    run_snippets: bool = True,
    require_coverage: bool = True,
) -> list[Question]:
    """Validate the whole bank and return its questions.

    ``chapters_dir``: where chapter pages live. Given explicitly, every chapter file (and
    every ``section`` target) must exist there; ``False`` skips these file checks; by
    default (None) the repo's ``chapters/`` is checked once it holds any page.
    Numeric keys are recomputed; ``run_snippets`` executes ``solution`` and ``prove_it``.
    Raises :class:`BankError` naming the file, the question id and the field.
    """
    questions = load_bank(bank_dir)
    chapters = _chapter_checks(chapters_dir)
    namespace = _namespace()
    for q in questions:
        check_chapter(q, chapters)
        if q.check["type"] == "numeric":
            compute_key(q, namespace)
        if run_snippets:
            run_code(q)
    check_balance(questions)
    if require_coverage:
        check_coverage(questions, bank_dir)
    return questions


def with_check(q: Question, **changes) -> Question:
    """A copy of ``q`` whose check has ``changes`` (for tests and tools)."""
    return replace(q, check={**q.check, **changes})
