"""Re-run the quiz pages when the quiz bank changes.

The pages under ``quizzes/`` render ``quizzes/bank/*.yaml`` when they execute. Sphinx re-reads
a page only when its own source changed, and myst-nb's execution cache keys on the page's
code, so an edited question would not show up in ``make book``. This extension records the
bank files as dependencies of every quiz page (Sphinx then re-reads the page when one of
them changes), and the quiz pages' front matter sets ``mystnb: execution_mode: force`` (a
re-read page is executed again rather than served from the cache).
"""

from pathlib import Path

BANK = Path(__file__).resolve().parent.parent / "quizzes" / "bank"


def note_bank_files(app, docname, source):
    if docname.startswith("quizzes/"):
        for path in sorted(BANK.glob("*.yaml")):
            app.env.note_dependency(str(path))


def setup(app):
    app.connect("source-read", note_bank_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
