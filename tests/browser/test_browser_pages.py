"""Every page of the table of contents, in headless Chromium with the network blocked.

Each page loads with HTTP 200, without console errors or uncaught exceptions, with all its
math typeset by MathJax, all its images loaded and described (alt text), in light and dark
mode; every internal link and image resolves (fragments included). A full-page screenshot of
each page goes to tests/screenshots/ for review (not committed).
"""

import functools
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlsplit

from conftest import BOOK_HTML, html_ids, screenshot_path, settle, toc_page_names

# The images in the page's content, whether visible, loaded and described.
IMAGES_JS = """() => [...document.querySelectorAll('article img')].map(img => ({
    src: img.getAttribute('src'),
    alt: (img.getAttribute('alt') || '').trim(),
    loaded: img.complete && img.naturalWidth > 0,
    visible: img.getBoundingClientRect().width > 0 && getComputedStyle(img).visibility !== 'hidden',
    lightOnly: img.classList.contains('only-light'),
    darkOnly: img.classList.contains('only-dark'),
}))"""

# Math: each element Sphinx marked as math holds a MathJax rendering and no MathJax error.
MATH_JS = """() => [...document.querySelectorAll('article .math')].map(m => ({
    text: m.textContent.slice(0, 60),
    rendered: m.querySelector('mjx-container') !== null,
    error: m.querySelector('mjx-merror') !== null,
}))"""


def test_the_sidebar_lists_every_page_of_the_toc(book):
    root = toc_page_names()[0]
    book.goto(f"{root}.html")
    hrefs = book.page.eval_on_selector_all(
        "nav.bd-docs-nav a.reference.internal", "links => links.map(a => a.href)"
    )
    listed = {urlsplit(href).path.strip("/").removesuffix(".html") for href in hrefs}
    assert listed | {root} == set(toc_page_names())


def test_page_loads_offline_without_errors(loaded, page):
    book = loaded
    book.assert_clean()
    assert book.page.title().strip()
    assert book.page.locator("article h1").count() == 1, "a page has one title"
    math = book.page.evaluate(MATH_JS)
    assert all(m["rendered"] and not m["error"] for m in math), math
    book.page.screenshot(path=screenshot_path(page), full_page=True, animations="disabled")


def test_images_have_alt_text_and_show_in_light_and_dark_mode(loaded):
    book = loaded
    for theme in ("dark", "light"):
        book.set_theme(theme)
        images = book.page.evaluate(IMAGES_JS)
        assert all(image["loaded"] for image in images), images
        # docutils writes the file's path as alt text when a figure has none
        undescribed = [i for i in images if not i["alt"] or i["alt"] in i["src"]]
        assert not undescribed, undescribed
        hidden_on_purpose = "darkOnly" if theme == "light" else "lightOnly"
        shown = [image for image in images if not image[hidden_on_purpose]]
        assert all(image["visible"] for image in shown), (theme, shown)
    book.assert_clean()


def test_dark_mode_screenshot_of_a_chapter(book):
    chapter = next(page for page in toc_page_names() if page.startswith("chapters/"))
    book.goto(f"{chapter}.html")
    settle(book)
    book.set_theme("dark")
    assert book.page.evaluate("getComputedStyle(document.body).backgroundColor") != (
        "rgb(255, 255, 255)"
    )
    book.page.screenshot(
        path=screenshot_path(f"{chapter}-dark"), full_page=True, animations="disabled"
    )


@functools.cache
def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except HTTPError as error:
        return error.code


def target_file(path):
    """The built file a local URL path names (a folder means its index.html)."""
    relative = path.lstrip("/")
    return BOOK_HTML / (
        relative + "index.html" if relative.endswith("/") or not relative else relative
    )


def test_internal_links_and_images_resolve(loaded):
    book = loaded
    urls = book.page.evaluate(
        """() => [...document.querySelectorAll('a[href]')].map(a => a.href)
                 .concat([...document.querySelectorAll('img[src]')].map(img => img.src))"""
    )
    local = urlsplit(book.base_url).netloc
    internal = {url for url in urls if urlsplit(url).netloc == local}
    assert internal, "a page links at least to the book's other pages"
    broken = []
    for url in sorted(internal):
        parts = urlsplit(url)
        target = parts._replace(fragment="", query="").geturl()
        if http_status(target) != 200:
            broken.append(f"{url}: HTTP {http_status(target)}")
        elif parts.fragment and target_file(parts.path).suffix == ".html":
            if parts.fragment not in html_ids(target_file(parts.path)):
                broken.append(f"{url}: no element with id {parts.fragment!r}")
    assert not broken, broken
