"""lrkit.stats against Python's own statistics module and the textbook pooled-SD formula."""

import math
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrkit import stats

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)


@given(st.lists(finite, min_size=2, max_size=12))
def test_spread_matches_statistics_module(values):
    spread = stats.Spread(tuple(values))
    assert spread.mean == pytest.approx(statistics.fmean(values), abs=1e-9)
    assert spread.std == pytest.approx(statistics.stdev(values), abs=1e-7)
    assert (spread.low, spread.high, spread.n) == (min(values), max(values), len(values))


@given(st.lists(finite, min_size=2, max_size=8), st.lists(finite, min_size=2, max_size=8))
def test_pooled_sd_is_the_textbook_formula(a, b):
    va, vb = statistics.variance(a), statistics.variance(b)
    pooled = math.sqrt(((len(a) - 1) * va + (len(b) - 1) * vb) / (len(a) + len(b) - 2))
    verdict = stats.compare(stats.Spread(tuple(a)), stats.Spread(tuple(b)))
    assert verdict.pooled_std == pytest.approx(pooled, rel=1e-6, abs=1e-9)
    assert verdict.gap == pytest.approx(statistics.fmean(a) - statistics.fmean(b), abs=1e-9)


def test_verdict_follows_the_margin():
    a, b = stats.Spread((1.0, 2.0, 3.0)), stats.Spread((4.0, 5.0, 6.0))  # gap 3, pooled SD 1
    assert not stats.compare(a, b, margin=3.0).separated  # exactly 3 is not more than 3
    assert stats.compare(a, b, margin=2.9).separated
    assert stats.compare(a, b).gap_in_sd == pytest.approx(3.0)
    assert "not separated" in str(stats.compare(a, b))


def test_identical_constant_runs_are_not_separated_and_distinct_ones_are():
    same = stats.compare(stats.Spread((1.0, 1.0)), stats.Spread((1.0, 1.0)))
    assert same.gap_in_sd == 0.0 and not same.separated
    apart = stats.compare(stats.Spread((1.0, 1.0)), stats.Spread((2.0, 2.0)))
    assert apart.gap_in_sd == math.inf and apart.separated


def test_over_seeds_runs_every_setting_and_seed_once():
    calls = []

    def run(seed, lr):
        calls.append((lr, seed))
        return {"loss": lr * seed, "acc": 1.0 - lr}

    results = stats.over_seeds(run, {"small": {"lr": 0.1}, "large": {"lr": 1.0}}, seeds=range(3))
    assert calls == [(0.1, 0), (0.1, 1), (0.1, 2), (1.0, 0), (1.0, 1), (1.0, 2)]
    assert results["large"]["loss"].values == (0.0, 1.0, 2.0)
    assert results["small"]["acc"].mean == pytest.approx(0.9)
    scalar = stats.over_seeds(lambda seed: float(seed), {"x": {}}, seeds=[3, 5])
    assert scalar["x"]["value"].values == (3.0, 5.0)


def test_table_is_markdown_with_one_row_per_setting():
    results = {"a": {"loss": stats.Spread((1.0, 3.0))}, "b": {"loss": stats.Spread((2.0, 2.0))}}
    assert stats.table(results).splitlines() == [
        "| setting | loss |",
        "|---|---:|",
        "| a | 2.000 ± 1.414 |",
        "| b | 2.000 ± 0.000 |",
    ]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: stats.Spread((1.0,)), "values: a spread needs at least 2 seeds"),
        (lambda: stats.Spread((1.0, math.nan)), "values: every value must be finite"),
        (lambda: stats.compare(stats.Spread((1, 2)), stats.Spread((1, 2)), margin=-1), "margin"),
        (lambda: stats.over_seeds(lambda seed: 1.0, {"x": {}}, seeds=[0]), "seeds"),
        (lambda: stats.over_seeds(lambda seed: 1.0, {}, seeds=[0, 1]), "settings"),
        (
            lambda: stats.over_seeds(lambda seed: math.nan, {"bad": {}}, seeds=[0, 1]),
            "setting 'bad', seed 0",
        ),
        (lambda: stats.table({}), "results"),
    ],
)
def test_bad_input_names_the_argument(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_compare_refuses_plain_lists():
    with pytest.raises(TypeError, match="a: expected a Spread"):
        stats.compare([1.0, 2.0], stats.Spread((1.0, 2.0)))
