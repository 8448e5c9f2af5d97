"""Offline reading: with every non-localhost request blocked, math renders and quizzes work.

Every browser test runs with the network blocked (see conftest.py); this module proves the
two things a reader most needs offline, and that no page loads a script or a style sheet
from another host. (Thebe, behind the "Live Code" button, loads from a CDN only when
clicked: it needs Binder, so the network, anyway.)
"""

import re
from html.parser import HTMLParser

import pytest

from conftest import page_file, settle, toc_page_names

PAGES = toc_page_names()
MATH_PAGES = [p for p in PAGES if 'class="math' in page_file(p).read_text("utf-8")]
QUIZ_PAGES = [p for p in PAGES if p.startswith("quizzes/quiz_")]
RENDERING = re.compile(r"mathjax|jupyterquiz", re.IGNORECASE)


def assert_nothing_needed_was_blocked(book):
    """Requests we blocked (recorded, expected) include nothing for math or quizzes."""
    assert not [url for url in book.blocked if RENDERING.search(url)], book.blocked


def test_math_renders_with_the_network_blocked(book):
    assert MATH_PAGES, "no page with math in the built toc"
    book.goto(f"{MATH_PAGES[0]}.html")
    settle(book)
    page = book.page
    mathjax = page.evaluate("() => document.querySelector('script[src*=\"mathjax\"]').src")
    assert mathjax.startswith(book.base_url), mathjax
    assert page.evaluate("() => MathJax.version").startswith("3.")
    math = page.locator("article .math")
    assert math.count() > 0
    assert page.locator("article .math mjx-container").count() == math.count()
    assert page.locator("mjx-merror").count() == 0
    # MathJax's own web fonts came from the book
    fonts = page.evaluate(
        "() => performance.getEntriesByType('resource').map(r => r.name)"
        ".filter(n => n.includes('woff'))"
    )
    assert fonts and all(font.startswith(book.base_url) for font in fonts), fonts
    assert_nothing_needed_was_blocked(book)
    book.assert_clean()


@pytest.mark.skipif(not QUIZ_PAGES, reason="no quiz page (quizzes/quiz_*) in the built toc")
def test_quizzes_work_with_the_network_blocked(book):
    book.goto(f"{QUIZ_PAGES[0]}.html")
    settle(book)
    choice = book.page.locator(".Answer label.MCButton")
    question = book.page.locator(".Quiz", has=choice).first
    question.locator(".Answer label.MCButton").first.click()
    assert question.locator(".Feedback").inner_text().strip()
    assert_nothing_needed_was_blocked(book)
    book.assert_clean()


class _Resources(HTMLParser):
    """The URLs of a page's <script src> and <link rel=stylesheet href>."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_no_page_loads_a_script_or_style_from_another_host(page):  # page: from conftest
    parser = _Resources()
    parser.feed(page_file(page).read_text(encoding="utf-8"))
    remote = [url for url in parser.urls if re.match(r"^(https?:)?//", url)]
    assert not remote, remote


def test_live_code_offline_says_it_needs_the_network(book):
    """With a repository configured, "Live Code" offline explains itself (_static/book.js)."""
    chapter = next(p for p in PAGES if p.startswith("chapters/"))
    book.goto(f"{chapter}.html")
    button = book.page.locator(".btn-launch-thebe")
    if not button.count():
        pytest.skip("no Live Code button: repository.url is empty in this build")
    book.page.context.set_offline(True)
    book.page.locator(".dropdown-launch-buttons button").first.click()
    button.first.click()
    note = book.page.locator("#book-thebe-offline")
    note.wait_for()
    assert "needs the network" in note.inner_text()
    book.assert_clean()
