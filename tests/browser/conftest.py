"""Fixtures for the browser tests: the built book on a localhost server, headless Chromium.

The tests read the HTML that ``jupyter-book build`` wrote (``_build/html``; set ``BOOK_HTML``
to test another build, and ``BOOK_TOC`` to the table of contents it was built with). Every
page runs **offline**: the ``book`` fixture aborts every request to a host other than the
local server and records it, so a page that needs the network to show its math or its
quizzes fails here. Console errors and uncaught exceptions fail a test, except the known,
harmless ones listed by exact message in ``ALLOWED_ERRORS`` (empty).

Chromium is Debian's (``make browser-deps`` installs it), driven by Playwright's Python
package: ``playwright install`` cannot download its own browsers on our machines.
"""

import contextlib
import functools
import gzip
import io
import os
import shutil
import sys
import threading
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from lrkit.book import ROOT, toc_pages

BOOK_HTML = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html"))
BOOK_TOC = Path(os.environ.get("BOOK_TOC", ROOT / "_toc.yml"))
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in containers
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 15_000

# Console errors and uncaught exceptions that are known and harmless, by exact message:
# none (the duplicate Thebe script is gone: _ext/book_theme.py).
ALLOWED_ERRORS = set()


def toc_page_names():
    """The pages of the table of contents the book was built with (``docname`` strings)."""
    if BOOK_TOC.name == "_toc.yml":
        return toc_pages(BOOK_TOC.parent)
    return toc_pages(_toc_dir(BOOK_TOC))


@functools.cache
def _toc_dir(toc):
    """A directory holding ``toc`` as ``_toc.yml`` (toc_pages reads it from a folder)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="book_toc_"))
    shutil.copy(toc, folder / "_toc.yml")
    return folder


def pytest_generate_tests(metafunc):
    """``page``: each page of the table of contents, shared by a module's tests."""
    if "page" in metafunc.fixturenames:
        metafunc.parametrize("page", toc_page_names(), scope="module")


# --- the server --------------------------------------------------------------------------


COMPRESSED_TYPES = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map")


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the book as a real host does: text compressed with gzip when asked for."""

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.is_file() and path.suffix in COMPRESSED_TYPES):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a page closed while the browser was still loading: not an error of the book
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def book_html():
    if not (BOOK_HTML / "index.html").is_file():
        pytest.fail(f"no built book in {BOOK_HTML}: run `make html` first (or set BOOK_HTML)")
    return BOOK_HTML


@contextlib.contextmanager
def serve(directory=None):
    """Serve ``directory`` (the built book) on a free localhost port; yields its base URL."""
    directory = BOOK_HTML if directory is None else directory
    server = QuietServer(("127.0.0.1", 0), partial(QuietHandler, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(book_html):
    """The book, served from ``book_html`` on a free localhost port."""
    with serve(book_html) as url:
        yield url


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Book:
    """A browser tab on the book, offline, recording what went wrong."""

    page: object  # playwright Page
    base_url: str
    errors: list = field(default_factory=list)  # console errors and uncaught exceptions
    blocked: list = field(default_factory=list)  # non-localhost URLs we aborted
    broken: list = field(default_factory=list)  # localhost requests that failed or gave >= 400
    stacks: list = field(default_factory=list)  # the stack of each uncaught exception

    def goto(self, path, wait_until="load"):
        response = self.page.goto(self.base_url + path, wait_until=wait_until)
        assert response is not None and response.status == 200, (path, response)
        return response

    def unexpected_errors(self):
        return [e for e in self.errors if e not in ALLOWED_ERRORS]

    def assert_clean(self):
        assert not self.unexpected_errors(), (self.unexpected_errors(), self.stacks)
        assert not self.broken, self.broken

    def set_theme(self, theme):
        """Switch the theme's light/dark mode, as its toggle button does."""
        self.page.evaluate("theme => { document.documentElement.dataset.theme = theme; }", theme)


def open_book(browser, base_url):
    """A new browser context and tab on the book, offline; close its ``context`` when done."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    book = Book(page=page, base_url=base_url)
    local = urlsplit(base_url).netloc

    def route(route):
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            book.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def on_console(message):
        if message.type != "error":
            return
        source = message.location.get("url", "")
        # the console's "Failed to load resource" for a request we blocked ourselves
        if source in book.blocked and message.text.startswith("Failed to load resource"):
            return
        book.errors.append(message.text)

    def on_failed(request):
        if urlsplit(request.url).netloc == local:
            book.broken.append(f"{request.url}: {request.failure}")

    def on_response(response):
        if urlsplit(response.url).netloc == local and response.status >= 400:
            book.broken.append(f"{response.url}: HTTP {response.status}")

    def on_page_error(error):
        book.errors.append(error.message)
        book.stacks.append(error.stack)

    context.route("**/*", route)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    return book


@pytest.fixture
def book(browser, base_url):
    """A fresh tab on the book, offline."""
    book = open_book(browser, base_url)
    yield book
    book.page.context.close()


@pytest.fixture(scope="module")
def loaded(browser, base_url, page):
    """The tab of one page of the table of contents, loaded once for a module's tests."""
    book = open_book(browser, base_url)
    book.goto(f"{page}.html")
    settle(book)
    yield book
    book.page.context.close()


def settle(book):
    """Wait until MathJax has typeset the page and jupyterquiz has finished its set-up."""
    book.page.evaluate(
        "() => (window.MathJax && MathJax.startup) ? MathJax.startup.promise.then(() => 1) : 1"
    )
    if book.page.locator(".Quiz").count():
        book.page.wait_for_timeout(700)  # jupyterquiz typesets its math after 500 ms


# --- reading the built HTML --------------------------------------------------------------


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)


@functools.cache
def html_ids(path):
    """The ``id`` (and ``<a name>``) values in a built HTML file: the fragments it defines."""
    parser = _Ids()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def page_file(page):
    """The HTML file of a docname such as ``chapters/01_what_lr_does``."""
    return BOOK_HTML / f"{page}.html"


def screenshot_path(name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name.replace('/', '__')}.png"
