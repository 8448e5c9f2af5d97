"""The launch buttons of the built book: Binder and Thebe name the right repository, branch, file.

``repository.url`` in ``_config.yml`` is the one setting: while it is empty (no public
repository yet) no page has a Binder, Live Code, repository or issues button, nor Thebe's
configuration (_ext/book_theme.py); once it is set, every notebook page has them, built
from it. The tests of the case that does not apply are skipped.

Reads the HTML that ``jupyter-book build`` wrote (``_build/html``, or ``BOOK_HTML`` with the
table of contents ``BOOK_TOC`` it was built from), so it runs after the build, with the
browser tests. The repository URL is written once, in ``_config.yml``; every page's buttons
must be built from it.
"""

import os
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from lrkit.book import ROOT, is_notebook, toc_pages

BOOK_HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
BOOK_TOC = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
# the configuration the book was built with (BOOK_CONFIG to test another build's)
BOOK_CONFIG = Path(os.environ.get("BOOK_CONFIG", ROOT / "_config.yml"))
CONFIG = yaml.safe_load(BOOK_CONFIG.read_text(encoding="utf-8"))
REPOSITORY = CONFIG["repository"]
HAS_REPOSITORY = bool((REPOSITORY.get("url") or "").strip())
REPO = urlsplit(REPOSITORY["url"]).path.strip("/")  # owner/name
BRANCH = REPOSITORY["branch"]
BOOK_DIR = REPOSITORY.get("path_to_book", "").strip("/")
MODEL_CHAPTER = "chapters/01_what_lr_does"
# What Binder needs to run the notebooks; test and build tools stay out (Binder has 1-2 GB).
NOT_FOR_BINDER = {
    "pytest",
    "pytest-xdist",
    "nbval",
    "hypothesis",
    "ruff",
    "playwright",
    "psutil",
    "jupyter-book",
    "django-static-mathjax",
}


def built_pages():
    toc = BOOK_TOC
    if toc.name != "_toc.yml":  # toc_pages reads <folder>/_toc.yml
        folder = Path(tempfile.mkdtemp(prefix="book_toc_"))
        shutil.copy(toc, folder / "_toc.yml")
        toc = folder / "_toc.yml"
    return toc_pages(toc.parent)


NOTEBOOKS = [page for page in built_pages() if is_notebook(ROOT / f"{page}.md")]


class LaunchParser(HTMLParser):
    """The Binder link, the Thebe button and the Thebe configuration of a page."""

    def __init__(self):
        super().__init__()
        self.binder, self.thebe_button, self.thebe_config = [], False, []
        self.repository_links = []
        self._in_config = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("title") == "Launch on Binder":
            self.binder.append(attrs["href"])
        if "btn-launch-thebe" in (attrs.get("class") or ""):
            self.thebe_button = True
        if tag == "a" and attrs.get("title") in {"Source repository", "Open an issue"}:
            self.repository_links.append(attrs.get("href"))
        self._in_config = tag == "script" and attrs.get("type") == "text/x-thebe-config"

    def handle_endtag(self, tag):
        self._in_config = False

    def handle_data(self, data):
        if self._in_config:
            self.thebe_config.append(data)


def launch(page):
    html = BOOK_HTML / f"{page}.html"
    if not html.is_file():
        pytest.fail(f"{html} not built: run `make html` first (or set BOOK_HTML)")
    parser = LaunchParser()
    parser.feed(html.read_text(encoding="utf-8"))
    return parser


def thebe_value(config, key):
    """A string value of the Thebe configuration (a JavaScript object literal)."""
    found = re.findall(rf'\b{key}:\s*"([^"]*)"', config)
    assert len(found) == 1, (key, config)
    return found[0]


needs_repository = pytest.mark.skipif(not HAS_REPOSITORY, reason="repository.url is empty")


def test_the_model_chapter_is_a_built_notebook():
    assert MODEL_CHAPTER in NOTEBOOKS


@pytest.mark.skipif(HAS_REPOSITORY, reason="repository.url is set")
@pytest.mark.parametrize("page", built_pages())
def test_no_launch_or_repository_button_without_a_repository(page):
    parsed = launch(page)
    assert not parsed.binder, parsed.binder
    assert not parsed.thebe_button
    assert not parsed.thebe_config
    assert not parsed.repository_links, parsed.repository_links
    html = (BOOK_HTML / f"{page}.html").read_text(encoding="utf-8")
    assert "THEBE_JS_URL" not in html and "sphinx-thebe" not in html


@pytest.mark.parametrize("page", built_pages())
def test_scripts_are_on_each_page_once(page):
    html = (BOOK_HTML / f"{page}.html").read_text(encoding="utf-8")
    assert html.count("const THEBE_JS_URL") <= 1
    assert html.count("var togglebuttonSelector") <= 1


@needs_repository
@pytest.mark.parametrize("page", NOTEBOOKS)
def test_binder_opens_this_page_of_this_repository(page):
    (url,) = launch(page).binder
    parts = urlsplit(url)
    binderhub = urlsplit(CONFIG["launch_buttons"]["binderhub_url"])
    assert (parts.scheme, parts.netloc) == (binderhub.scheme, binderhub.netloc)
    assert parts.path == f"/v2/gh/{REPO}/{BRANCH}"
    interface = {"jupyterlab": "lab/tree", "classic": "tree"}[
        CONFIG["launch_buttons"]["notebook_interface"]
    ]
    source = "/".join(filter(None, [BOOK_DIR, f"{page}.md"]))
    assert parse_qs(parts.query) == {"urlpath": [f"{interface}/{source}"]}


@needs_repository
def test_the_model_chapter_binder_url_in_full():
    (url,) = launch(MODEL_CHAPTER).binder
    assert url == f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}?urlpath=lab/tree/{MODEL_CHAPTER}.md"
    assert BRANCH == "main"


@needs_repository
@pytest.mark.parametrize("page", NOTEBOOKS)
def test_thebe_runs_this_page_on_this_repository(page):
    parsed = launch(page)
    assert parsed.thebe_button, "no Live Code button"
    config = "".join(parsed.thebe_config)
    assert thebe_value(config, "repo") == REPO
    assert thebe_value(config, "ref") == BRANCH
    # the kernel starts in the page's folder, so relative paths in the notebook work
    kernel_dir = thebe_value(config, "path").strip("/").removeprefix("./")
    assert kernel_dir == "/".join(filter(None, [BOOK_DIR, str(Path(page).parent)]))


def test_binder_environment_is_small_and_cpu_only():
    lines = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [line.split("#")[0].strip() for line in lines]
    requirements = [line for line in requirements if line]
    names = {re.split(r"[=<>!~\[ ]", line, maxsplit=1)[0].lower() for line in requirements}
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in requirements
    assert any(re.fullmatch(r"torch==[\d.]+\+cpu", line) for line in requirements)
    assert not names & NOT_FOR_BINDER
    assert not [line for line in requirements if re.search(r"cuda|nvidia", line, re.I)]
