"""The book's search page (Sphinx's searchindex.js, run in the browser) finds topic words."""

from urllib.parse import urlsplit

import pytest

from conftest import BOOK_HTML

# Words every build of the book contains: the title's topic, chapter 1, the explorer
TOPIC_WORDS = ["learning", "gradient", "warmup"]


@pytest.mark.parametrize("word", TOPIC_WORDS)
def test_search_finds_a_topic_word(book, word):
    book.goto(f"search.html?q={word}")
    hits = book.page.locator("#search-results ul.search li")
    hits.first.wait_for()
    book.page.locator("#search-results .search-summary", has_text="found").wait_for()
    links = hits.locator("a").evaluate_all("links => links.map(a => a.href)")
    pages = {urlsplit(link).path.lstrip("/") for link in links}
    assert pages, f"no hit for {word!r}"
    for page in pages:  # each hit is a page that contains the word
        assert word in (BOOK_HTML / page).read_text(encoding="utf-8").lower(), page
    book.assert_clean()


def pages_containing(word):
    """The built pages of the toc whose text contains ``word``."""
    from conftest import toc_page_names

    return {
        f"{page}.html"
        for page in toc_page_names()
        if word in (BOOK_HTML / f"{page}.html").read_text(encoding="utf-8")
    }


def test_search_finds_a_chinese_word_on_most_pages_that_contain_it(book):
    word = "学习率"  # "learning rate"
    containing = pages_containing(word)
    assert containing, f"no built page contains {word}"
    book.goto(f"search.html?q={word}")
    book.page.locator("#search-results .search-summary", has_text="found").wait_for()
    links = book.page.locator("#search-results ul.search li a").evaluate_all(
        "links => links.map(a => a.href)"
    )
    found = {urlsplit(link).path.lstrip("/") for link in links}
    assert found <= containing | {"index.html"}, found - containing
    assert len(found & containing) >= 0.75 * len(containing), (sorted(found), sorted(containing))
    book.assert_clean()
