"""The book on a phone (390 px wide) and on a desktop: navigation, width, figures.

- At 390 px the navigation button opens the sidebar and a chapter link in it can be
  followed; no page scrolls sideways; no code block of a chapter is wider than the column
  (a failure names the page and the block).
- On a desktop there is one header band (no empty band with a second search box) and one
  ``.primary-toggle`` (pydata-sphinx-theme issue 2451; see _ext/book_theme.py).
- No printed output line is longer than 79 characters (read from the built HTML).
- Every figure is shown at least at half its pixel width (a 2x PNG at exactly half: sharp
  and at its intended size) and never wider than the column.
"""

from html.parser import HTMLParser

import pytest

from conftest import open_book, page_file, screenshot_path, settle, toc_page_names

PHONE = {"width": 390, "height": 844}
MIN_SHOWN_FRACTION = 0.5  # of the image's width in CSS pixels (natural / 2 for a 2x PNG)
CHAPTERS = [page for page in toc_page_names() if page.startswith("chapters/")]

# Code blocks (cell inputs and literal blocks) whose content is wider than their box.
WIDE_CODE_JS = """() => [...document.querySelectorAll('article div.highlight pre')]
    .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
    .map(pre => ({width: pre.scrollWidth, column: pre.clientWidth,
                  line: pre.textContent.split('\\n')
                      .reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100)}))"""

FIGURES_JS = """() => [...document.querySelectorAll('article img')].map(img => ({
    src: img.getAttribute('src'),
    natural: img.naturalWidth,
    css: img.naturalWidth / 2,  // every figure is a 2x PNG (plotting.book_style)
    shown: img.getBoundingClientRect().width,
    column: img.closest('article').getBoundingClientRect().width,
}))"""


@pytest.fixture
def phone(browser, base_url):
    book = open_book(browser, base_url)
    book.page.set_viewport_size(PHONE)
    yield book
    book.page.context.close()


def test_navigation_opens_on_a_phone_and_a_chapter_link_works(phone):
    chapter = CHAPTERS[1] if len(CHAPTERS) > 1 else CHAPTERS[0]
    phone.goto("intro.html")
    settle(phone)
    # the theme opens the sidebar as a modal dialog holding the navigation
    dialog = phone.page.locator("dialog#pst-primary-sidebar-modal")
    link = dialog.locator(f'a.reference.internal[href$="{chapter}.html"]').first
    sidebar_link = phone.page.locator(f'#pst-primary-sidebar a[href$="{chapter}.html"]')
    assert not sidebar_link.first.is_visible(), "the navigation is closed at first on a phone"
    toggle = phone.page.locator(".primary-toggle:visible")
    assert toggle.count() == 1
    toggle.click()
    link.wait_for(state="visible")
    phone.page.screenshot(path=screenshot_path("phone-navigation-open"))
    link.click()
    phone.page.wait_for_url(f"**/{chapter}.html")
    assert phone.page.locator("article h1").count() == 1
    phone.assert_clean()


def test_one_header_and_one_primary_toggle_on_a_desktop(book):
    book.goto(f"{CHAPTERS[0]}.html")
    page = book.page
    assert page.locator(".primary-toggle").count() == 1
    header_height = page.evaluate(
        "() => { const h = document.querySelector('#pst-header');"
        " return h ? h.getBoundingClientRect().height : 0; }"
    )
    assert header_height == 0, "an empty header band above the page"
    assert page.locator(".search-button-field:visible").count() <= 1
    book.assert_clean()


def test_no_page_scrolls_sideways_on_a_phone(phone, page):
    phone.goto(f"{page}.html")
    settle(phone)
    widths = phone.page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page} scrolls sideways: {widths[0]} > {widths[1]} px"
    phone.page.screenshot(
        path=screenshot_path(f"{page}-phone"), full_page=True, animations="disabled"
    )


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_no_code_block_wider_than_the_column(book, chapter, width):
    book.page.set_viewport_size({"width": width, "height": 900})
    book.goto(f"{chapter}.html")
    wide = book.page.evaluate(WIDE_CODE_JS)
    described = [f"{w['width']} px > {w['column']} px: {w['line']!r}" for w in wide]
    assert not wide, (
        f"{chapter} at {width} px: {len(wide)} code blocks wider than the column:\n"
        + "\n".join(described[:10])
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_every_figure_is_shown_at_least_at_half_its_pixel_width(browser, base_url, width):
    book = open_book(browser, base_url)
    book.page.set_viewport_size({"width": width, "height": 900})
    too_small = []
    try:
        for chapter in CHAPTERS:
            book.goto(f"{chapter}.html")
            for figure in book.page.evaluate(FIGURES_JS):
                if not figure["natural"]:
                    continue
                # at most the column's width; at least half its CSS pixels (a 2x PNG's
                # natural width is twice those), or the whole column
                wanted = min(MIN_SHOWN_FRACTION * figure["css"], figure["column"])
                if figure["shown"] < wanted - 1 or figure["shown"] > figure["column"] + 1:
                    too_small.append(f"{chapter}: {figure['src']} {figure}")
    finally:
        book.page.context.close()
    assert not too_small, "\n".join(too_small)


class _Outputs(HTMLParser):
    """The text of each printed output (``div.cell_output ... pre``) of a built page."""

    def __init__(self):
        super().__init__()
        self.outputs, self._depth, self._in_output = [], 0, 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "cell_output" in classes:
            self._in_output = 1
        if self._in_output and tag == "pre":
            self._depth += 1
            self.outputs.append("")

    def handle_endtag(self, tag):
        if tag == "pre" and self._depth:
            self._depth -= 1
            if not self._depth:
                self._in_output = 0

    def handle_data(self, data):
        if self._depth:
            self.outputs[-1] += data


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_printed_output_lines_fit_the_column(chapter):
    parser = _Outputs()
    parser.feed(page_file(chapter).read_text(encoding="utf-8"))
    long = [line for text in parser.outputs for line in text.splitlines() if len(line) > 79]
    assert not long, f"{chapter}: {len(long)} printed lines over 79 characters:\n" + "\n".join(
        line[:100] for line in long[:10]
    )
