"""The quiz bank as it is in the repo: valid, complete, fair, and every snippet runs."""

import re

import pytest

from lrkit import quizbank

# Section labels other chapters are adding now (see the lead's plan); until those pages are
# merged, a missing one of these is reported as a skip, any other missing label fails.
PLANNED_LABELS = {
    "ch-edge-of-stability", "eos-progressive-sharpening", "eos-catapult", "eos-warmup",
    "eos-what-survives", "ch-batch-size", "batch-linear-rule", "batch-sqrt-rule-adam",
    "batch-noise-scale", "batch-throughput", "ch-horizon-free", "horizon-wsd",
    "horizon-linear-to-zero", "horizon-schedule-free", "horizon-averaging", "horizon-results",
    "ch-rates-at-scale", "scale-effective-rate", "scale-mup", "scale-llm-schedules",
    "scale-loss-spikes", "scale-clipping-threshold", "scale-optimizer-conventions",
    "ch4-sizing-warmup", "ch6-adagrad-sparse", "ch6-wd-coupling", "ch6-adam-vs-sgd",
    "ch6-lars-lamb", "ch7-accumulation", "ch7-skipped-steps", "ch7-tensor-lr",
    "ch8-when-schedule-matters", "ch8-when-it-does-not", "ch8-fair-comparison",
    "ch8-wsd-budget",
}  # fmt: skip


@pytest.fixture(scope="module")
def bank():
    # Chapter pages are checked separately below; everything else, snippets included, here.
    return quizbank.validate(chapters_dir=False, run_snippets=True, require_coverage=True)


def test_bank_has_at_least_135_questions(bank):
    assert len(bank) >= 135


def test_all_29_source_items_are_covered_once(bank):
    covered = [q.source_item for q in bank if q.source_item]
    wanted = {f"{doc}:{item}" for doc, items in quizbank.SOURCE_ITEMS.items() for item in items}
    assert len(wanted) == 29
    assert sorted(covered) == sorted(wanted)


def test_every_chapter_has_questions_of_mixed_difficulty(bank):
    for stem in quizbank.CHAPTERS:
        mine = [q for q in bank if q.chapter == stem]
        assert len(mine) >= 5, stem
        assert len({q.difficulty for q in mine}) >= 2, stem
    assert all(quizbank.summary(bank)["per_difficulty"][d] >= 25 for d in quizbank.DIFFICULTIES)


def test_choice_questions_have_three_options_unless_true_false(bank):
    choice = [q for q in bank if q.is_choice]
    true_false = [q for q in choice if q.check.get("true_false")]
    assert all(len(q.check["options"]) >= 3 for q in choice if q not in true_false)
    assert len(true_false) <= 0.1 * len(choice)


def test_numeric_keys_are_stored_and_checked(bank):
    numeric = [q for q in bank if q.check["type"] == "numeric"]
    assert len(numeric) >= 40
    assert all(isinstance(q.key, float) for q in numeric)


def test_coding_questions_have_runnable_solutions(bank):
    coding = [q for q in bank if "coding" in q.tags]
    assert len(coding) >= 4
    assert all(q.solution for q in coding)
    assert {"implement-schedule", "fix-training-loop"} <= {t for q in coding for t in q.tags}


def test_common_errors_are_corrected_in_the_answers(bank):
    answer = {q.id: " ".join(q.answer["en"].split()) for q in bank}
    assert "not exponential" in answer["decay-inverse-time-not-exponential"]
    assert "`t = 3/k`, then at `t = 7/k`" in answer["decay-inverse-time-not-exponential"]
    assert "`patience + 1` evaluations" in answer["torch-plateau-metric"]
    assert "ramps *up*" in answer["decay-strategies-corrected"]
    assert "first-order" in answer["adaptive-methods-corrected"]
    assert "*sums*" in answer["adaptive-methods-corrected"]
    assert "contradicts itself" in answer["myth-self-contradiction"]
    assert "*overfitting* is wrong" in answer["lr-too-high-too-low"]
    zh = {q.id: q.answer["zh"] for q in bank}
    assert "提前" in zh["torch-scheduler-order-warning"]


def test_new_topics_are_covered(bank):
    tags = {t for q in bank for t in q.tags}
    for topic in [
        "edge-of-stability", "critical-batch-size", "sqrt-scaling", "gradient-accumulation",
        "wsd", "schedule-free", "ema", "swa", "mup", "lion", "beta2", "eps", "adagrad",
        "lars", "layer-wise", "fine-tuning", "clipping", "loss-spike", "gradscaler",
    ]:  # fmt: skip
        assert topic in tags, topic
    new = [q for q in bank if q.chapter >= "10"]
    assert len(new) >= 25 and all(q.section for q in new)


def test_chapter_pages_and_sections_resolve(bank):
    pages = {s: quizbank.CHAPTERS_DIR / f"{s}.md" for s in quizbank.CHAPTERS}
    missing_pages = [s for s, page in pages.items() if not page.is_file()]
    planned = []
    for q in bank:
        page = quizbank.CHAPTERS_DIR / f"{q.chapter}.md"
        if q.chapter in missing_pages:
            assert q.section in PLANNED_LABELS, (q.id, q.section)
            planned.append(q.section)
            continue
        label = re.compile(rf"^\s*\({re.escape(q.section)}\)=\s*$", re.MULTILINE)
        if not label.search(page.read_text(encoding="utf-8")):
            assert q.section in PLANNED_LABELS, f"{q.id}: no ({q.section})= in {page.name}"
            planned.append(q.section)
    if planned:
        pytest.skip(f"planned labels not merged yet: {sorted(set(planned))}")


def test_every_question_names_the_section_that_explains_it(bank):
    assert not [q.id for q in bank if q.section is None]
