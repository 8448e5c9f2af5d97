"""Lint the code cells of MyST Markdown notebooks with ruff.

Usage: python tests/lint_notebooks.py chapters/*.md quizzes/*.md

The code cells of each notebook (read with jupytext) are joined into one script and piped to
``ruff check``. Rules that do not fit notebooks are ignored: imports below the first cell
(E402), a bare expression, which is how a notebook displays a value (B018), and a trailing
semicolon, which is how it hides one (E703).
"""

import subprocess
import sys
from pathlib import Path

import jupytext

NOTEBOOK_IGNORES = "E402,B018,E703"


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
    return result.returncode


def main(paths):
    failed = [path for path in paths if lint(path)]
    if failed:
        print(f"ruff found problems in {len(failed)} notebook(s): {', '.join(failed)}")
        return 1
    print(f"ruff: {len(paths)} notebooks clean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
