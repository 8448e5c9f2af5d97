"""Let pytest run the book's MyST Markdown notebooks under nbval.

nbval collects only ``.ipynb`` files. The book's notebooks are ``.md`` files (jupytext MyST
format, the only source), so this hook reads each one with jupytext and hands it to nbval's
own collector. Notebooks are stored without outputs, so nbval's check is "every cell runs";
correctness lives in the notebooks' ``assert`` cells.

It also makes Hypothesis derandomized: the property tests draw the same examples on every run, so
CI is reproducible (a new failing example is found by running with ``--hypothesis-seed``).
"""

from unittest import mock

import jupytext
import nbformat
from hypothesis import settings
from nbval.plugin import IPyNbFile

from lrkit.book import is_notebook

NOTEBOOK_DIRS = ("chapters", "quizzes")

settings.register_profile("book", derandomize=True)
settings.load_profile("book")


class MystNotebook(IPyNbFile):
    """nbval's collector, reading the notebook through jupytext."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compare_outputs = False  # no stored outputs to compare: every cell must run

    def collect(self):
        notebook = jupytext.read(self.path)
        with mock.patch.object(nbformat, "read", return_value=notebook):
            return list(super().collect())


def pytest_collect_file(file_path, parent):
    if file_path.parent.name in NOTEBOOK_DIRS and is_notebook(file_path):
        return MystNotebook.from_parent(parent, path=file_path)
    return None
