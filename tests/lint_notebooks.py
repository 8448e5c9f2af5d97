"""Lint the code cells of MyST Markdown notebooks with ruff.

Usage: python tests/lint_notebooks.py chapters/*.md quizzes/*.md

The code cells of each notebook (read with jupytext) are joined into one script and piped to
``ruff check``. Rules that do not fit notebooks are ignored: imports below the first cell
(E402), a bare expression, which is how a notebook displays a value (B018), and a trailing
semicolon, which is how it hides one (E703). Every code line the reader sees (cells not
tagged ``remove-input``/``remove-cell``) is at most 79 characters, so that it fits the column.
"""

import subprocess
import sys
from pathlib import Path

import jupytext

NOTEBOOK_IGNORES = "E402,B018,E703"
MAX_LINE = 79  # characters of a code line the reader sees: it fits the column (book.css)
HIDDEN = {"remove-input", "remove-cell"}  # cells whose code the reader never sees


def long_lines(path):
    """``(cell number, line)`` of every shown code line longer than ``MAX_LINE``."""
    found = []
    cells = [cell for cell in jupytext.read(path).cells if cell.cell_type == "code"]
    for number, cell in enumerate(cells, start=1):
        if HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        found += [(number, line) for line in cell.source.splitlines() if len(line) > MAX_LINE]
    return found


def lint(path):
    """Return ruff's exit code for one notebook, printing its findings."""
    cells = jupytext.read(path).cells
    script = "\n\n".join(cell.source for cell in cells if cell.cell_type == "code") + "\n"
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run(
        [ruff, "check", "--ignore", NOTEBOOK_IGNORES, "--stdin-filename", f"{path}.py", "-"],
        input=script,
        text=True,
        capture_output=True,
    )
    if result.returncode:
        print(result.stdout + result.stderr)
    too_long = long_lines(path)
    for number, line in too_long:
        print(f"{path}: code cell {number}: {len(line)} > {MAX_LINE} characters: {line.strip()}")
    return result.returncode or bool(too_long)


def main(paths):
    failed = [path for path in paths if lint(path)]
    if failed:
        print(f"ruff found problems in {len(failed)} notebook(s): {', '.join(failed)}")
        return 1
    print(f"ruff: {len(paths)} notebooks clean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
