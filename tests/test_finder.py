"""lrkit.finder: the range test, its weight restoration, and the suggestion rules."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrkit.data import load_digits, make_mlp
from lrkit.finder import (
    RangeTest,
    digits_range_test,
    exponential_sweep,
    minimum_over_10,
    range_test,
    steepest,
    valley,
)
from lrkit.training import evaluate, train

RULES = {"steepest": steepest, "minimum_over_10": minimum_over_10, "valley": valley}


class QuadraticModel(torch.nn.Module):
    """loss = 0.5 * sum(c * x^2) with x a torch parameter: GD is stable iff lr < 2 / max(c)."""

    def __init__(self, curvatures):
        super().__init__()
        self.curvatures = torch.tensor(curvatures, dtype=torch.float64)
        self.x = torch.nn.Parameter(torch.ones(len(curvatures), dtype=torch.float64))

    def loss(self):
        return 0.5 * (self.curvatures * self.x**2).sum()


def quadratic_loss(model, batch):
    return model.loss()


def sgd_momentum(params, lr):
    return torch.optim.SGD(params, lr=lr, momentum=0.9)


# ---------------------------------------------------------------- the sweep


def test_exponential_sweep():
    lrs = exponential_sweep(1e-6, 10.0, 100)
    assert lrs[0] == 1e-6 and lrs[-1] == 10.0 and len(lrs) == 100
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], (1e7) ** (1 / 99), rtol=1e-12)
    with pytest.raises(ValueError, match="max_lr"):
        exponential_sweep(1.0, 0.1, 10)
    with pytest.raises(ValueError, match="num_steps"):
        exponential_sweep(1e-3, 1.0, 1)


@pytest.mark.parametrize("curvatures", [(1.0, 10.0), (1.0, 100.0), (0.5, 2.0, 8.0)])
def test_suggestions_on_a_quadratic_lie_below_the_stability_limit(curvatures):
    result = range_test(QuadraticModel(curvatures), quadratic_loss, [None])
    limit = 2 / max(curvatures)  # gradient descent diverges above 2 / L
    assert result.stopped_early and result.lrs[-1] > limit
    for smoothed in (True, False):
        for rule in RULES:
            suggestion = result.suggest(rule, smoothed=smoothed)
            assert result.lrs[0] < suggestion < limit, (rule, smoothed, suggestion)


def test_weights_mode_and_rng_are_restored_bitwise():
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.Dropout(0.5),
        torch.nn.Linear(8, 1),
    ).eval()  # fmt: skip
    before = {name: value.clone() for name, value in model.state_dict().items()}
    rng_state = torch.get_rng_state()
    generator = torch.Generator().manual_seed(0)
    batches = [(torch.randn(16, 4, generator=generator), torch.randn(16, 1, generator=generator))]

    def mse(model, batch):
        x, y = batch
        return ((model(x) - y) ** 2).mean()

    result = range_test(model, mse, batches, make_optimizer=sgd_momentum, num_steps=30)
    assert len(result.lrs) >= 3
    after = model.state_dict()
    assert after.keys() == before.keys()
    for name, value in before.items():
        assert torch.equal(after[name], value), name  # weights and BatchNorm buffers
    assert not model.training
    assert torch.equal(torch.get_rng_state(), rng_state)


def test_weights_are_restored_when_loss_fn_raises():
    model = QuadraticModel((1.0,))
    calls = []

    def failing(model, batch):
        calls.append(batch)
        if len(calls) == 5:
            raise RuntimeError("boom")
        return model.loss()

    with pytest.raises(RuntimeError, match="boom"):
        range_test(model, failing, [0, 1], min_lr=0.1, max_lr=1.0, num_steps=10)
    assert torch.equal(model.x.detach(), torch.ones(1, dtype=torch.float64))
    assert calls == [0, 1, 0, 1, 0]  # batches are cycled


def test_sweep_stops_early_on_divergence_and_records_only_finite_values():
    result = range_test(QuadraticModel((1.0, 10.0)), quadratic_loss, [None], max_lr=1e3)
    assert isinstance(result, RangeTest) and result.stopped_early
    assert len(result.lrs) < 100
    assert len(result.lrs) == len(result.losses) == len(result.smoothed_losses)
    assert result.smoothed_losses[-1] > 4.0 * result.smoothed_losses.min()
    assert np.all(np.isfinite(result.losses)) and np.all(np.isfinite(result.smoothed_losses))
    np.testing.assert_allclose(result.lrs, exponential_sweep(1e-6, 1e3, 100)[: len(result.lrs)])


def test_non_finite_loss_stops_the_sweep():
    def loss_fn(model, batch):
        loss = model.loss()
        return loss * float("inf") if model.x.detach().abs().max() < 0.999 else loss

    result = range_test(QuadraticModel((1.0,)), loss_fn, [None], smoothing=0.0)
    assert result.stopped_early and np.all(np.isfinite(result.losses))


def test_smoothing_is_bias_corrected_and_sweep_runs_to_the_end_without_blow_up():
    # a loss that does not depend on the weights: the smoothed value equals it exactly
    def constant(model, batch):
        return (model.x * 0.0).sum() + 3.0

    result = range_test(QuadraticModel((1.0,)), constant, [None], num_steps=20)
    assert not result.stopped_early and len(result.lrs) == 20
    np.testing.assert_allclose(result.smoothed_losses, 3.0, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"min_lr": 0.0}, "min_lr"), ({"max_lr": 1e-7}, "max_lr"), ({"num_steps": 1}, "num_steps"),
     ({"smoothing": 1.0}, "smoothing"), ({"diverge_factor": 1.0}, "diverge_factor"),
     ({"make_optimizer": "sgd"}, "make_optimizer"), ({"seed": -1}, "seed")],
)  # fmt: skip
def test_range_test_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        range_test(QuadraticModel((1.0,)), quadratic_loss, [None], **kwargs)
    with pytest.raises(ValueError, match="batches"):
        range_test(QuadraticModel((1.0,)), quadratic_loss, [])


def test_digits_suggestion_trains_an_mlp():
    data = load_digits()
    model = make_mlp(seed=0)
    initial_loss, _ = evaluate(model, data.x_test, data.y_test)
    result = digits_range_test(model, data, make_optimizer=sgd_momentum)
    for rule in ("valley", "minimum_over_10"):
        lr = result.suggest(rule)
        history = train(make_mlp(seed=0), data, schedule=lr, num_epochs=3, optimizer=sgd_momentum)
        assert not history.diverged
        assert history.epoch_test_loss[-1] < 0.8 * initial_loss, rule


# ---------------------------------------------------------------- suggestion rules


def fastai_valley_index(losses):
    """fastai 2.x ``valley`` (callback/schedule.py) transcribed, with ``start`` fixed by +1."""
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end] + 1
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=3, max_size=40))
def test_valley_matches_the_fastai_loops(losses):
    lrs = np.geomspace(1e-5, 1.0, len(losses))
    expected = lrs[fastai_valley_index(losses)]
    assert valley(lrs, losses, skip_start=0, skip_end=0) == expected


def test_rules_on_a_hand_made_curve():
    lrs = np.geomspace(1e-4, 1e4, 9)  # one point per decade
    losses = [5.0, 5.0, 4.9, 4.0, 2.0, 1.0, 0.8, 3.0, 9.0]
    assert steepest(lrs, losses, skip_start=0, skip_end=0) == lrs[3]  # 4.0 -> 2.0
    assert minimum_over_10(lrs, losses, skip_start=0, skip_end=0) == pytest.approx(10.0)
    # the default trimming (10 % and 5 % of 9 points: 0 and 0) changes nothing here
    assert steepest(lrs, losses) == lrs[3]
    # longest decreasing subsequence: 5.0, 4.9, 4.0, 2.0, 1.0, 0.8 (indices 1..6)
    assert valley(lrs, losses, skip_start=0, skip_end=0) == lrs[1 + 1 + 0]
    # only 2.0, 1.0, 0.8, 3.0 are seen: the steepest drop is now 2.0 -> 1.0
    assert steepest(lrs, losses, skip_start=4, skip_end=1) == lrs[4]


def test_default_trimming_drops_the_first_10_and_last_5_percent():
    lrs = np.geomspace(1e-6, 10.0, 100)
    losses = np.where(np.arange(100) < 50, 3.0, 2.5)  # one drop, from step 49 to 50
    losses[2] = 0.5  # a steeper drop inside the first 10 % is ignored
    losses[97] = 0.0  # so is the lowest loss inside the last 5 %
    assert steepest(lrs, losses) == lrs[49]
    assert minimum_over_10(lrs, losses) == lrs[50] / 10


@pytest.mark.parametrize("rule", RULES.values())
@pytest.mark.parametrize(
    ("lrs", "losses", "message"),
    [([1e-3, 1e-2], [1.0, 0.5], "at least 3"), ([1e-3, 1e-2, 1e-1], [1.0, 0.5], "same length"),
     ([0.0, 1e-2, 1e-1], [1.0, 0.5, 0.2], "lrs"), ([1e-1, 1e-2, 1e-3], [1.0, 0.5, 0.2], "sorted"),
     ([1e-3, 1e-2, np.inf], [1.0, 0.5, 0.2], "lrs"),
     ([1e-3, 1e-2, 1e-1], [1.0, np.nan, 0.2], "losses")],
)  # fmt: skip
def test_rules_validate_their_input(rule, lrs, losses, message):
    with pytest.raises(ValueError, match=message):
        rule(lrs, losses)


def test_rules_reject_trimming_that_leaves_too_few_points():
    with pytest.raises(ValueError, match="skip_start"):
        valley(np.geomspace(1e-3, 1.0, 5), np.ones(5), skip_start=2, skip_end=1)
    with pytest.raises(ValueError, match="rule"):
        RangeTest(np.ones(3), np.ones(3), np.ones(3), False).suggest("median")
