"""Page weight: the bytes a first visit to each page transfers (HTML, theme, scripts, images).

Each page is loaded in a fresh browser context (empty cache), offline, and left to settle
(MathJax typeset, its fonts fetched); the weight is the sum of the Resource Timing
``transferSize`` of the document and of everything it loaded. Our test server does not
compress, so these are raw bytes: a real host serving gzip transfers less.

Budgets. The goal (DESIGN.md, issue 13) is a chapter page at most 1.75 MB and at most half
of what it weighed before (``BEFORE_MB``, measured the same way on 2026-12-01; the README's
table). Reached so far: no page loads ``fontawesome.js`` (1.49 MB for a handful of icons),
only pages with math load MathJax, every page at most ``MAX_FRACTION`` of its weight
before, a chapter at most ``CHAPTER_BUDGET_MB``. Not yet: MathJax's single bundle is
1.17 MB of a chapter's 2.4-2.7 MB; loading its components (startup, core, TeX input with
the packages used, CommonHTML output) would save about 0.4 MB. Tighten the two numbers
below when that is done.

Run as a script to print the README's table: ``python tests/browser/test_browser_weight.py``.
"""

import re
import sys

from conftest import open_book, page_file, settle, toc_page_names

MB = 1_000_000
CHAPTER_BUDGET_MB = 2.75  # goal 1.75
OTHER_BUDGET_MB = 1.75  # pages without math
MAX_FRACTION = 0.7  # of the weight before; goal 0.5
# Raw bytes per page on 2026-12-01, before: fontawesome.js and MathJax everywhere (chapters
# 1, 3, 5, 6 and 8 then built without their figures: their notebooks failed).
BEFORE_MB = {
    "intro": 3.88,
    "chapters/01_what_lr_does": 4.01,
    "chapters/02_choosing_lr": 4.16,
    "chapters/03_decay_schedules": 4.15,
    "chapters/04_warmup": 4.22,
    "chapters/05_cyclical": 4.01,
    "chapters/06_adaptive_optimizers": 4.12,
    "chapters/07_pytorch_correctly": 4.22,
    "chapters/08_experiments": 4.10,
    "chapters/09_misconceptions": 4.10,
    "chapters/schedule_explorer": 2.74,
    "quizzes/interview": 3.13,
    "quizzes/quiz_01": 2.78,
    "references": 2.70,
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
    budget = CHAPTER_BUDGET_MB if has_math(page) else OTHER_BUDGET_MB
    assert total <= budget * MB, (page, total, heavy)
    if page in BEFORE_MB:
        assert total <= MAX_FRACTION * BEFORE_MB[page] * MB, (page, total, heavy)


def main():
    """Print every page's weight as a Markdown table (the README's)."""
    from playwright.sync_api import sync_playwright

    from conftest import CHROMIUM, CHROMIUM_ARGS, serve

    with serve() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        print("| page | transferred (MB) | before | raw (MB) | MathJax |")
        print("|---|---:|---:|---:|---|")
        for page in toc_page_names():
            total, raw, _ = measure(browser, base_url, page, check=False)
            before = BEFORE_MB.get(page)
            before = "" if before is None else f"{before:.2f}"
            math = "yes" if has_math(page) else "no"
            print(f"| {page} | {total / MB:.2f} | {before} | {raw / MB:.2f} | {math} |")
        browser.close()


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    main()
