"""The interview quiz bank, one import away: ``from lrkit import quiz``.

The work is split by job; this module only gathers the public names and is the terminal
entry (``python -m lrkit.quiz``):

- :mod:`lrkit.quizbank`    the bank as data: load, validate, select, grade answers
- :mod:`lrkit.quizrender`  self-checks and model answers for pages, Anki decks
- :mod:`lrkit.quizterm`    the terminal self-quiz and its review file

None of them imports torch.
"""

import sys

from lrkit.quizbank import (
    BANK_DIR,
    CHAPTERS,
    CHAPTERS_DIR,
    CHAPTERS_ZH,
    DIFFICULTIES,
    LANGS,
    SOURCE_ITEMS,
    BankError,
    Question,
    format_number,
    grade_numeric,
    load,
    load_bank,
    match_chapter,
    option_order,
    parse_number,
    right_positions,
    select,
    summary,
    validate,
)
from lrkit.quizrender import (
    answers_markdown,
    export_anki,
    glue_answers,
    glue_interview,
    show_self_checks,
    to_jupyterquiz,
)
from lrkit.quizterm import main, run_quiz

__all__ = [
    "BANK_DIR",
    "CHAPTERS",
    "CHAPTERS_DIR",
    "CHAPTERS_ZH",
    "DIFFICULTIES",
    "LANGS",
    "SOURCE_ITEMS",
    "BankError",
    "Question",
    "answers_markdown",
    "export_anki",
    "format_number",
    "glue_answers",
    "glue_interview",
    "grade_numeric",
    "load",
    "load_bank",
    "main",
    "match_chapter",
    "option_order",
    "parse_number",
    "right_positions",
    "run_quiz",
    "select",
    "show_self_checks",
    "summary",
    "to_jupyterquiz",
    "validate",
]

if __name__ == "__main__":
    sys.exit(main())
