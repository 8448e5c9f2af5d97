"""Checks on the text of the book's chapter pages, one test per page and rule.

(a) The book speaks to the reader: no mention of the documents it grew from ("the source",
    "study notes", "source document") and no internal ids such as ``000_d7ef429b0ceb08aa``.
(b) Every exercise solution that states a number or contains code is executed: its code lives
    in code cells between ``solution-start`` and ``solution-end``, with an ``assert``. A
    solution written in a ``{solution}`` directive, as an indented block or a ```python block
    is never run, so its numbers are never checked.
(c) No ``try:``/``except`` in chapter code cells: an expected error is shown and asserted with
    ``lrkit.expect.raises``. A cell whose lesson *is* exception handling says so with the
    marker comment ``# lesson: exception handling``.
The width of shown code lines is checked by ``tests/lint_notebooks.py`` (``make lint``).
"""

import re
from pathlib import Path

import jupytext
import pytest

from lrkit.book import ROOT, toc_pages

EXCEPTION_LESSON = "# lesson: exception handling"

CHAPTER_PAGES = [
    Path(f"{page}.md") for page in toc_pages() if page.startswith("chapters/") or page == "intro"
]

FORBIDDEN = re.compile(
    r"\b\d{3}_[0-9a-f]{16}\b"  # an internal seed id
    r"|study notes?"
    r"|source (?:documents?|notes?|material)"
    r"|\b(?:the|a|this chapter's|one of this chapter's)"
    r" (?:same |second |first |other )?sources?\b(?! code| file| of truth)",
    re.IGNORECASE,
)
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")  # {ref}`...`, {doc}`...`, {cite:p}`...`
NUMBER = re.compile(r"(?<![\w-])\d")
SOLUTION_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{solution\}", re.MULTILINE)
GATED = re.compile(
    r"^`{3,}\{solution-start\}(?P<body>.*?)^`{3,}\{solution-end\}", re.MULTILINE | re.DOTALL
)
CODE_CELL = re.compile(
    r"^(?P<fence>`{3,})\{code-cell\}.*?^(?P=fence)\s*$", re.MULTILINE | re.DOTALL
)
UNEXECUTED_CODE = re.compile(r"^(?:```+ ?(?:python|ipython3?|py)\b| {4,}\S)", re.MULTILINE)


def ids(pages):
    return [page.stem for page in pages]


def text_of(page):
    return (ROOT / page).read_text(encoding="utf-8")


def code_cells(page):
    return [c.source for c in jupytext.read(ROOT / page).cells if c.cell_type == "code"]


def states_a_number(markdown):
    """True if prose (without roles, labels and directive options) contains a digit."""
    prose = ROLE.sub("", markdown)
    prose = "\n".join(
        line for line in prose.splitlines() if not line.lstrip().startswith((":", "```"))
    )
    return bool(NUMBER.search(prose))


def unexecuted_solutions(text):
    """Labels (or excerpts) of solutions whose numbers or code are not executed."""
    offenders = []
    for match in SOLUTION_DIRECTIVE.finditer(text):
        fence = match.group(1)
        end = text.find("\n" + fence + "\n", match.end())
        body = text[match.end() : end if end >= 0 else None]
        label = body.split("\n", 1)[0].strip()
        if states_a_number(body.split("\n", 1)[-1]) or UNEXECUTED_CODE.search(body):
            offenders.append(f"{label}: a {{solution}} directive with a number or code")
    for match in GATED.finditer(text):
        body = match.group("body")
        label = body.split("\n", 1)[0].strip()
        cells = [cell.group(0) for cell in CODE_CELL.finditer(body)]
        prose = CODE_CELL.sub("", body).split("\n", 1)[-1]
        if UNEXECUTED_CODE.search(prose):
            offenders.append(f"{label}: code outside a code cell")
        elif states_a_number(prose) and not any("assert" in cell for cell in cells):
            offenders.append(f"{label}: states a number that no executed assert checks")
    return offenders


# ---------------------------------------------------------------- the checks, per page


@pytest.mark.parametrize("page", CHAPTER_PAGES, ids=ids(CHAPTER_PAGES))
def test_no_source_documents_or_internal_ids(page):
    found = [m.group(0) for m in FORBIDDEN.finditer(text_of(page))]
    assert not found, f"{page} mentions {found}"


NOTEBOOK_CHAPTERS = [p for p in CHAPTER_PAGES if "kernelspec:" in text_of(p)[:400]]


@pytest.mark.parametrize("page", NOTEBOOK_CHAPTERS, ids=ids(NOTEBOOK_CHAPTERS))
def test_solutions_with_numbers_or_code_are_executed(page):
    offenders = unexecuted_solutions(text_of(page))
    assert not offenders, f"{page}: " + "; ".join(offenders)


@pytest.mark.parametrize("page", NOTEBOOK_CHAPTERS, ids=ids(NOTEBOOK_CHAPTERS))
def test_no_try_except_in_code_cells(page):
    offenders = [
        source.splitlines()[0]
        for source in code_cells(page)
        if re.search(r"^\s*(try\s*:|except\b)", source, re.MULTILINE)
        and EXCEPTION_LESSON not in source
    ]
    assert not offenders, f"{page}: try/except in cells starting {offenders}"


# ---------------------------------------------------------------- the checks can fail


def test_the_solution_check_catches_each_kind_of_offender():
    directive = "```{solution} ex-a\n:class: dropdown\n\nAbout 0.94.\n```\n"
    indented = "```{solution} ex-b\n:class: dropdown\n\n    x = f(1)\n```\n"
    gated_prose = "```{solution-start} ex-c\n```\nIt ends at 0.94.\n```{solution-end}\n```\n"
    gated_python = (
        "```{solution-start} ex-d\n```\nRun\n```python\nf()\n```\n```{solution-end}\n```\n"
    )
    executed = (
        "```{solution-start} ex-e\n```\nIt ends at 0.94.\n"
        "```{code-cell} ipython3\nassert round(f(), 2) == 0.94\n```\n"
        "```{solution-end}\n```\n"
    )
    words = "```{solution} ex-f\n:class: dropdown\n\nSee {ref}`ch3-traps`.\n```\n"
    assert len(unexecuted_solutions(directive)) == 1
    assert len(unexecuted_solutions(indented)) == 1
    assert len(unexecuted_solutions(gated_prose)) == 1
    assert len(unexecuted_solutions(gated_python)) == 1
    assert unexecuted_solutions(executed) == []
    assert unexecuted_solutions(words) == []


def test_the_source_check_catches_ids_and_notes_but_not_source_code():
    for bad in (
        "see 000_d7ef429b0ceb08aa",
        "the study notes",
        "The same source gives",
        "this chapter's second source",
        "a source document",
    ):
        assert FORBIDDEN.search(bad), bad
    for fine in ("the source code of PyTorch", "open-source", "a single sourced value"):
        assert not FORBIDDEN.search(fine), fine
