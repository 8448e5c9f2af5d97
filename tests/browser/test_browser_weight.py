"""Page weight: the bytes a first visit to each page transfers (HTML, theme, scripts, images).

Each page is loaded in a fresh browser context (empty cache), offline, from a server that
compresses text with gzip as real hosts do (conftest.py), and left to settle (MathJax
typeset, its fonts fetched). The weight is the sum of the Resource Timing ``transferSize``
of the document and of everything it loaded; the raw (uncompressed) bytes are reported too.

Budgets (DESIGN.md, issue 13): a chapter page transfers at most ``CHAPTER_BUDGET_MB`` with
its theme assets, and every page at most half of what it transferred before the page-weight
work (``BEFORE_MB``, measured the same way on 2026-12-01, before: fontawesome.js and the
whole MathJax bundle on every page; chapters 1, 3, 5, 6 and 8 then built without figures,
their notebooks failing). Figures are the content, not the overhead that work removed, and five
"before" pages had none, so the half-of-before rule counts everything but ``_images/``; the
1.75 MB budget counts everything. No page loads ``fontawesome.js``; only pages with math load
MathJax.

Run as a script to print the README's table: ``python tests/browser/test_browser_weight.py``.
"""

import re
import sys

from conftest import open_book, page_file, settle, toc_page_names

MB = 1_000_000
CHAPTER_BUDGET_MB = 1.75
MAX_FRACTION = 0.5  # of the bytes transferred before
# (transferred, raw) MB per page on 2026-12-01, before the page-weight work
BEFORE_MB = {
    "intro": (1.29, 3.87),
    "chapters/01_what_lr_does": (1.39, 4.00),
    "chapters/02_choosing_lr": (1.51, 4.14),
    "chapters/03_decay_schedules": (1.43, 4.14),
    "chapters/04_warmup": (1.55, 4.21),
    "chapters/05_cyclical": (1.36, 4.00),
    "chapters/06_adaptive_optimizers": (1.42, 4.11),
    "chapters/07_pytorch_correctly": (1.48, 4.21),
    "chapters/08_experiments": (1.46, 4.09),
    "chapters/09_misconceptions": (1.41, 4.08),
    "chapters/schedule_explorer": (1.03, 2.73),
    "quizzes/interview": (1.09, 3.12),
    "quizzes/quiz_01": (1.04, 2.77),
    "references": (1.02, 2.69),
}

WEIGHT_JS = """() => {
    const entries = performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'));
    return entries.map(e => ({name: e.name, bytes: e.transferSize, raw: e.decodedBodySize}));
}"""


def has_math(page):
    return 'class="math' in page_file(page).read_text(encoding="utf-8")


def measure(browser, base_url, page, check=True):
    """(bytes transferred, raw bytes, {url: bytes}) of a first visit to ``page``, offline."""
    book = open_book(browser, base_url)
    try:
        book.goto(f"{page}.html")
        settle(book)
        book.page.wait_for_timeout(300)  # late fetches (fonts) after typesetting
        entries = book.page.evaluate(WEIGHT_JS)
        if check:
            book.assert_clean()
    finally:
        book.page.context.close()
    by_url = {entry["name"]: entry["bytes"] for entry in entries}
    raw = sum({entry["name"]: entry["raw"] for entry in entries}.values())
    return sum(by_url.values()), raw, by_url


def test_page_weight_within_budget(browser, base_url, page):
    total, _, by_url = measure(browser, base_url, page)
    heavy = sorted(by_url.items(), key=lambda item: -item[1])[:5]
    assert not [url for url in by_url if "fontawesome.js" in url], "fontawesome.js is loaded"
    loads_mathjax = any(re.search(r"/mathjax/", url) for url in by_url)
    assert loads_mathjax == has_math(page), f"{page}: MathJax loaded={loads_mathjax}"
    assert total <= CHAPTER_BUDGET_MB * MB, (page, total, heavy)
    if page in BEFORE_MB:
        overhead = total - sum(size for url, size in by_url.items() if "/_images/" in url)
        assert overhead <= MAX_FRACTION * BEFORE_MB[page][0] * MB, (page, overhead, heavy)


def main():
    """Print every page's weight as a Markdown table (the README's)."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS, serve

    with serve() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print("| page | MB transferred: before | now | raw MB: before | now | MathJax |")
        print("|---|---:|---:|---:|---:|---|")
        for page in toc_page_names():
            total, raw, _ = measure(browser, base_url, page, check=False)
            then = BEFORE_MB.get(page)
            then = ("", "") if then is None else (f"{then[0]:.2f}", f"{then[1]:.2f}")
            math = "yes" if has_math(page) else "no"
            print(
                f"| {page} | {then[0]} | {total / MB:.2f} | {then[1]} | {raw / MB:.2f} | {math} |"
            )
        browser.close()


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    main()
