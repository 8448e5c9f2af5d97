"""The quiz bank as it is in the repo: valid, complete, and every snippet runs."""

import pytest

from lrkit import quiz


@pytest.fixture(scope="module")
def bank():
    # Chapter pages are checked separately below; everything else, snippets included, here.
    return quiz.validate(chapters_dir=False, run_snippets=True, require_coverage=True)


def test_bank_has_at_least_92_questions(bank):
    assert len(bank) >= 92


def test_all_29_source_items_are_covered_once(bank):
    covered = [q.source_item for q in bank if q.source_item]
    wanted = {f"{doc}:{item}" for doc, items in quiz.SOURCE_ITEMS.items() for item in items}
    assert len(wanted) == 29
    assert sorted(covered) == sorted(wanted)


def test_every_chapter_has_at_least_6_questions_of_mixed_difficulty(bank):
    for stem in quiz.CHAPTERS:
        mine = [q for q in bank if q.chapter == stem]
        assert len(mine) >= 6, stem
        assert len({q.difficulty for q in mine}) >= 2, stem
    assert all(quiz.summary(bank)["per_difficulty"][d] >= 8 for d in quiz.DIFFICULTIES)


def test_numeric_keys_are_computed(bank):
    numeric = [q for q in bank if q.check["type"] == "numeric"]
    assert len(numeric) >= 15
    assert all(isinstance(q.key, float) for q in numeric)


def test_coding_questions_have_runnable_solutions(bank):
    coding = [q for q in bank if "coding" in q.tags]
    assert len(coding) >= 4
    assert all(q.solution for q in coding)
    assert {"implement-schedule", "fix-training-loop"} <= {t for q in coding for t in q.tags}


def test_seed_errors_are_corrected_in_the_answers(bank):
    answer = {q.id: " ".join(q.answer["en"].split()) for q in bank}
    assert "not exponential" in answer["decay-inverse-time-not-exponential"]
    assert "ramps *up*" in answer["decay-strategies-corrected"]
    assert "first-order" in answer["adaptive-methods-corrected"]
    assert "*sums*" in answer["adaptive-methods-corrected"]
    assert "contradicts itself" in answer["myth-self-contradiction"]
    assert "*overfitting* is wrong" in answer["lr-too-high-too-low"]


def test_chapter_pages_and_sections_resolve():
    missing = [s for s in quiz.CHAPTERS if not (quiz.CHAPTERS_DIR / f"{s}.md").is_file()]
    if missing:
        pytest.skip(f"chapter pages not written yet: {missing}")
    quiz.validate(chapters_dir=quiz.CHAPTERS_DIR, run_snippets=False)


def test_every_question_names_the_section_that_explains_it(bank):
    written = {s for s in quiz.CHAPTERS if (quiz.CHAPTERS_DIR / f"{s}.md").is_file()}
    missing = [q.id for q in bank if q.chapter in written and q.section is None]
    assert not missing, f"questions without a section: {missing}"
