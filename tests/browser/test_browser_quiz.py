"""The quiz pages work in the static HTML, offline: shuffled self-checks give feedback and
keep a running score, the language choice applies to the whole page and is remembered,
answers unfold, and the Chinese text reads cleanly.

The quiz pages (quizzes/quiz_*.md, quizzes/interview.md) render the quiz bank with
jupyterquiz (self-checks, see lrkit.quizrender.show_self_checks and _static/quiz.js) and
sphinx-design dropdowns with synchronized language tabs (model answers). A test here is
skipped only when the built table of contents has no such page.
"""

import html
import re

import pytest

from conftest import page_file, settle, toc_page_names
from lrkit import quizbank, quizrender

PAGES = toc_page_names()
SELF_CHECK_PAGES = [p for p in PAGES if p.startswith("quizzes/quiz_")]
INTERVIEW = [p for p in PAGES if p == "quizzes/interview"]
ANSWER_PAGES = SELF_CHECK_PAGES[:1] + INTERVIEW
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
NOT_A_KEY = "123456.789"  # a numeric reply that no question of the bank expects
SCORED_PAGE = "quizzes/quiz_03"  # choices of each kind and numeric questions

needs = {
    "self_check": pytest.mark.skipif(
        not SELF_CHECK_PAGES, reason="no quiz page (quizzes/quiz_*) in the built toc"
    ),
    "scored": pytest.mark.skipif(SCORED_PAGE not in PAGES, reason=f"no {SCORED_PAGE}"),
    "answers": pytest.mark.skipif(not ANSWER_PAGES, reason="no quiz page in the built toc"),
    "interview": pytest.mark.skipif(not INTERVIEW, reason="no interview page in the toc"),
}


def verdict(feedback):
    """'correct', 'incorrect' or None, from the classes jupyterquiz gives its feedback box."""
    classes = (feedback.get_attribute("class") or "").split()
    return next((c for c in ("correct", "incorrect") if c in classes), None)


def visible_questions(book, lang="en"):
    return book.page.locator(f'[data-lrq-block="{lang}"] .Quiz')


def answer(question, every_option):
    """Answer one self-check as a reader does; return the verdicts of the options clicked."""
    feedback = question.locator(".Feedback")
    assert not feedback.inner_text().strip(), "no feedback before an answer"
    if question.locator(".NumericQn").count():
        reply = question.locator("input.Input-text")
        reply.fill(NOT_A_KEY)
        reply.press("Enter")
        assert feedback.inner_text().strip()
        return [verdict(feedback)]
    options = question.locator(".Answer label.MCButton")
    assert options.count() >= 3 or "True or false" in question.inner_text(), question.inner_text()
    verdicts = []
    for j in range(options.count() if every_option else 1):
        options.nth(j).click()
        assert feedback.inner_text().strip(), f"option {j} gave no feedback"
        verdicts.append(verdict(feedback))
    return verdicts


def score_text(book):
    return book.page.locator(".lrq-bar .lrq-score").inner_text()


@needs["self_check"]
@pytest.mark.parametrize("quiz_page", SELF_CHECK_PAGES)
def test_every_self_check_answers_a_click(book, quiz_page):
    """Every question of every quiz page gives feedback to a click (or a typed number)."""
    book.goto(f"{quiz_page}.html")
    settle(book)
    questions = visible_questions(book)
    assert questions.count() > 0, "the page shows no self-check"
    assert questions.count() == visible_questions(book, "zh").count()
    assert not visible_questions(book, "zh").first.is_visible()
    for i in range(questions.count()):
        assert None not in answer(questions.nth(i), every_option=False), f"question {i}"
    book.assert_clean()


@needs["scored"]
def test_a_shuffled_page_keeps_a_running_score(book):
    """Click through a shuffled page: right first tries on even questions, wrong on odd
    ones; the score counts first tries only, survives a reload and resets."""
    bank = quizrender.pick(chapter=SCORED_PAGE[-2:])
    book.goto(f"{SCORED_PAGE}.html")
    settle(book)
    book.page.locator(".lrq-bar .lrq-reset").click()
    questions = visible_questions(book)
    assert questions.count() == len(bank)
    right_positions, expected = [], 0
    for i, q in enumerate(bank):
        question = questions.nth(i)
        want_right = i % 2 == 0
        if q.is_choice:
            positions = quizbank.right_positions(q, quizrender.PAGE_SEED)
            right_positions.append(positions[0])
            others = [p for p in range(len(q.check["options"])) if p not in positions]
            option = question.locator(".Answer label.MCButton").nth(
                positions[0] if want_right else others[0]
            )
            shown = quizbank.option_order(q, quizrender.PAGE_SEED)[positions[0]]
            text = quizrender.markdown_to_html(q.check["options"][shown]["text"]["en"])
            if want_right:  # the page shows the options in the seeded order
                assert html.unescape(re.sub("<[^>]+>", "", text))[:20] in option.inner_text()
            option.click()
            option.click()  # a second try never changes the score
        else:
            reply = question.locator("input.Input-text")
            reply.fill(quizbank.format_number(q.key) if want_right else NOT_A_KEY)
            reply.press("Enter")
        assert verdict(question.locator(".Feedback")) == ("correct" if want_right else "incorrect")
        expected += want_right
        assert score_text(book).startswith(f"Score: {expected}/{i + 1} ")
    assert len(set(right_positions)) > 1, "the right answers all sit at one position"
    book.page.reload()
    settle(book)
    assert score_text(book).startswith(f"Score: {expected}/{len(bank)} ")
    book.page.locator(".lrq-bar .lrq-reset").click()
    assert score_text(book).startswith("Score: 0/0 ")
    book.assert_clean()


@needs["scored"]
def test_numbers_as_readers_type_them(book):
    q = next(q for q in quizrender.pick(chapter=3) if q.id == "decay-inverse-time-not-exponential")
    index = [p.id for p in quizrender.pick(chapter=3)].index(q.id)
    book.goto(f"{SCORED_PAGE}.html")
    settle(book)
    question = visible_questions(book).nth(index)
    reply = question.locator("input.Input-text")
    for typed, wanted in [("1/60", "correct"), ("0,0166667", "correct"), ("9.765625e-05", None)]:
        reply.fill(typed)
        reply.press("Enter")
        feedback = question.locator(".Feedback")
        if wanted:
            assert verdict(feedback) == wanted, typed
        else:  # the known wrong answer: its targeted feedback
            assert "exponential" in feedback.inner_text(), feedback.inner_text()
    book.assert_clean()


@needs["self_check"]
def test_the_language_choice_applies_everywhere_and_is_remembered(book):
    book.goto(f"{SELF_CHECK_PAGES[0]}.html")
    settle(book)
    book.page.locator(".lrq-bar button[data-lang=zh]").click()
    assert visible_questions(book, "zh").first.is_visible()
    assert not visible_questions(book, "en").first.is_visible()
    assert score_text(book).startswith("得分")
    book.goto(f"{SELF_CHECK_PAGES[-1]}.html")
    settle(book)
    assert visible_questions(book, "zh").first.is_visible()
    tabs = book.page.locator('.sd-tab-label[data-sync-id="zh"]')
    if tabs.count():
        checked = book.page.evaluate(
            "() => Array.from(document.querySelectorAll('.sd-tab-label[data-sync-id=zh]'))"
            ".every(l => document.getElementById(l.getAttribute('for')).checked)"
        )
        assert checked, "the model answers did not follow the language choice"
    book.page.locator(".lrq-bar button[data-lang=en]").click()
    assert visible_questions(book, "en").first.is_visible()
    book.assert_clean()


@needs["interview"]
def test_chinese_chosen_once_applies_to_every_answer(book):
    book.goto("quizzes/interview.html")
    settle(book)
    labels = book.page.locator('.sd-tab-label[data-sync-id="zh"]')
    assert labels.count() >= 135
    book.page.locator("article details.sd-dropdown summary").first.click()
    labels.first.click()
    book.page.reload()
    settle(book)
    checked = book.page.evaluate(
        "() => Array.from(document.querySelectorAll('.sd-tab-label[data-sync-id=zh]'))"
        ".filter(l => document.getElementById(l.getAttribute('for')).checked).length"
    )
    assert checked == labels.count()
    book.assert_clean()


BLOCK_TAGS = r"p|li|ul|ol|div|section|details|summary|h\d|pre|table|tr|td|th|label|input|dl|dt|dd"


def _article_text(page):
    """The article's text; a NUL between blocks (paragraphs, list items, tabs, ...)."""
    html = page_file(page).read_text(encoding="utf-8")
    html = html[html.index("<article") : html.index("</article>")]
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    html = re.sub(rf"</?(?:{BLOCK_TAGS})\b[^>]*>", "\0", html)
    return re.sub(r"<[^>]+>", "", html)


@needs["interview"]
def test_the_interview_page_has_no_space_between_chinese_characters():
    text = _article_text("quizzes/interview")
    cjk = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
    found = re.findall(rf"[{cjk}][ \t\n]+[{cjk}]", text)  # within one block
    assert not found, found[:10]


@needs["interview"]
def test_the_interview_page_opens_every_quote_with_an_opening_mark():
    text = _article_text("quizzes/interview")
    marks = re.findall(r"[“”]", text)
    assert marks, "no quoted phrase"
    for i, mark in enumerate(marks):
        assert mark == ("“" if i % 2 == 0 else "”"), (i, text[:200])


@needs["answers"]
@pytest.mark.parametrize("quiz_page", ANSWER_PAGES)
def test_a_folded_answer_opens(book, quiz_page):
    book.goto(f"{quiz_page}.html")
    settle(book)
    answers = book.page.locator("article details.sd-dropdown")
    assert answers.count() > 0, "the page has no folded answer"
    first = answers.first
    body = first.locator(".sd-summary-content")
    assert not first.evaluate("d => d.open") and not body.is_visible()
    first.locator("summary").click()
    assert first.evaluate("d => d.open")
    body.wait_for(state="visible")
    assert body.inner_text().strip()
    book.assert_clean()


def test_a_folded_exercise_solution_opens(book):
    pages = [p for p in CHAPTERS if "solution dropdown" in page_file(p).read_text("utf-8")]
    assert pages, "no chapter has a folded solution"
    book.goto(f"{pages[0]}.html")
    settle(book)
    solution = book.page.locator("article .admonition.dropdown").first
    button = solution.locator("button.toggle-button")
    body = solution.locator(":scope > :not(.admonition-title):not(button)").first
    assert not body.is_visible()
    button.click()
    body.wait_for(state="visible")
    assert button.get_attribute("aria-expanded") == "true"
    book.assert_clean()
