"""The quiz pages work in the static HTML, offline: answers give feedback, answers unfold.

The quiz pages (quizzes/quiz_*.md, quizzes/interview.md) render the quiz bank with
jupyterquiz (self-checks) and sphinx-design dropdowns (folded model answers). A test here is
skipped only when the built table of contents has no such page.
"""

import pytest

from conftest import page_file, settle, toc_page_names

PAGES = toc_page_names()
SELF_CHECK_PAGES = [p for p in PAGES if p.startswith("quizzes/quiz_")]
# folded answers: one quiz page and the interview page (the same markup everywhere)
ANSWER_PAGES = SELF_CHECK_PAGES[:1] + [p for p in PAGES if p == "quizzes/interview"]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
NOT_A_KEY = "123456.789"  # a numeric reply that no question of the bank expects

needs = {
    "self_check": pytest.mark.skipif(
        not SELF_CHECK_PAGES, reason="no quiz page (quizzes/quiz_*) in the built toc"
    ),
    "answers": pytest.mark.skipif(not ANSWER_PAGES, reason="no quiz page in the built toc"),
}


def verdict(feedback):
    """'correct', 'incorrect' or None, from the classes jupyterquiz gives its feedback box."""
    classes = (feedback.get_attribute("class") or "").split()
    return next((c for c in ("correct", "incorrect") if c in classes), None)


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
    assert options.count() >= 2, question.inner_text()
    verdicts = []
    for j in range(options.count() if every_option else 1):
        options.nth(j).click()
        assert feedback.inner_text().strip(), f"option {j} gave no feedback"
        verdicts.append(verdict(feedback))
    return verdicts


@needs["self_check"]
@pytest.mark.parametrize("quiz_page", SELF_CHECK_PAGES)
def test_every_self_check_answers_a_click(book, quiz_page):
    """Every question of every quiz page gives feedback to a click (or a typed number)."""
    book.goto(f"{quiz_page}.html")
    settle(book)
    questions = book.page.locator(".Quiz")
    assert questions.count() > 0, "the page shows no self-check"
    for i in range(questions.count()):
        assert None not in answer(questions.nth(i), every_option=False), f"question {i}"
    book.assert_clean()


@needs["self_check"]
def test_each_option_gets_its_verdict(book):
    """On one quiz page, every option: a single-choice question has exactly one right option,
    a number that is not the key is wrong."""
    book.goto(f"{SELF_CHECK_PAGES[0]}.html")
    settle(book)
    questions = book.page.locator(".Quiz")
    for i in range(questions.count()):
        question = questions.nth(i)
        verdicts = answer(question, every_option=True)
        if question.locator(".MultipleChoiceQn").count():
            assert verdicts.count("correct") == 1, (question.inner_text(), verdicts)
        elif question.locator(".NumericQn").count():
            assert verdicts == ["incorrect"], question.inner_text()
    book.assert_clean()


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
