"""lrkit's schedule-free SGD and AdamW against the reference package ``schedulefree`` (the
oracle), step by step in float64, plus closed forms and input checks."""

import numpy as np
import pytest
import schedulefree
import torch

from lrkit import optimizers

NUM_STEPS = 60
SHAPE = (3, 4)
TOL = 1e-10


def _lrs(kind, peak_lr=0.1):
    """One learning rate per step: constant, a warmup from (k+1)/W as the package does it,
    a warmup that starts at 0 (lrkit's linear_warmup), or a rate that goes up and down."""
    k = np.arange(NUM_STEPS)
    if kind == "constant":
        return np.full(NUM_STEPS, peak_lr)
    if kind == "warmup":
        return peak_lr * np.minimum((k + 1) / 10, 1.0)
    if kind == "warmup-from-0":
        return peak_lr * np.minimum(k / 10, 1.0)
    return peak_lr * (1.0 + 0.5 * np.sin(k / 3.0))  # changing, up and down


# (id, lrkit factory and kwargs, package class and kwargs)
CASES = [
    ("sgd", optimizers.schedule_free_sgd, {}, schedulefree.SGDScheduleFree, {}),
    (
        "sgd-beta-wd-r",
        optimizers.schedule_free_sgd,
        {"beta": 0.7, "weight_decay": 0.05, "r": 1.0, "weight_lr_power": 1.0},
        schedulefree.SGDScheduleFree,
        {"momentum": 0.7, "weight_decay": 0.05, "r": 1.0, "weight_lr_power": 1.0},
    ),
    ("adamw", optimizers.schedule_free_adamw, {}, schedulefree.AdamWScheduleFree, {}),
    (
        "adamw-betas-wd",
        optimizers.schedule_free_adamw,
        {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1, "r": 0.5},
        schedulefree.AdamWScheduleFree,
        {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1, "r": 0.5},
    ),
]


def _run_both(factory, kwargs, oracle_cls, oracle_kwargs, lrs, foreach):
    """Feed the same gradients to both; yield (ours y, ours x, theirs y, theirs x) per step."""
    rng = np.random.default_rng(0)
    start = rng.standard_normal(SHAPE)
    opt = factory(**kwargs)
    y, state = start.copy(), opt.init(start)
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    oracle = oracle_cls([p], lr=float(lrs[0]), foreach=foreach, **oracle_kwargs)
    oracle.train()
    for lr in lrs:
        # a gradient that depends on the point (a quadratic) plus noise
        grad = 2.0 * y + rng.standard_normal(SHAPE)
        y, state = opt.update(y, grad, state, lr=lr)
        for group in oracle.param_groups:
            group["lr"] = float(lr)
        p.grad = torch.tensor(grad, dtype=torch.float64)
        oracle.step()
        their_y = p.detach().numpy().copy()
        oracle.eval()  # swaps x into the parameters
        their_x = p.detach().numpy().copy()
        oracle.train()
        yield y, optimizers.schedule_free_eval_point(state), their_y, their_x


@pytest.mark.parametrize("foreach", [False, True], ids=["loop", "foreach"])
@pytest.mark.parametrize("lr_kind", ["constant", "warmup", "warmup-from-0", "changing"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_schedulefree_step_by_step(case, lr_kind, foreach):
    _, factory, kwargs, oracle_cls, oracle_kwargs = case
    steps = _run_both(factory, kwargs, oracle_cls, oracle_kwargs, _lrs(lr_kind), foreach)
    for step, (y, x, their_y, their_x) in enumerate(steps):
        np.testing.assert_allclose(y, their_y, rtol=TOL, atol=TOL, err_msg=f"y, step {step}")
        np.testing.assert_allclose(x, their_x, rtol=TOL, atol=TOL, err_msg=f"x, step {step}")


def test_package_warmup_is_a_schedule_we_pass_in():
    """The package's warmup_steps=W multiplies lr by (k+1)/W: the same as passing that rate."""
    rng = np.random.default_rng(1)
    start = rng.standard_normal(5)
    opt = optimizers.schedule_free_sgd()
    y, state = start.copy(), opt.init(start)
    p = torch.tensor(start, requires_grad=True, dtype=torch.float64)
    oracle = schedulefree.SGDScheduleFree([p], lr=0.1, warmup_steps=10)
    oracle.train()
    for lr in _lrs("warmup"):
        grad = rng.standard_normal(5)
        y, state = opt.update(y, grad, state, lr=lr)
        p.grad = torch.tensor(grad)
        oracle.step()
    np.testing.assert_allclose(y, p.detach().numpy(), rtol=TOL, atol=TOL)


def test_constant_rate_x_is_the_plain_average_of_z():
    """With a constant rate and r = 0 every weight is lr**2, so x is the mean of z_1..z_t."""
    rng = np.random.default_rng(2)
    opt = optimizers.schedule_free_sgd(beta=0.5)
    y = np.zeros(3)
    state = opt.init(y)
    zs = []
    for _ in range(25):
        y, state = opt.update(y, rng.standard_normal(3), state, lr=0.3)
        zs.append(state.z)
    np.testing.assert_allclose(state.x, np.mean(zs, axis=0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(y, 0.5 * state.x + 0.5 * state.z, rtol=1e-12, atol=1e-14)


def test_zero_rate_step_moves_nothing_and_does_not_divide_by_zero():
    opt = optimizers.schedule_free_sgd()
    start = np.array([1.0, -2.0])
    y, state = opt.update(start, np.ones(2), opt.init(start), lr=0.0)
    np.testing.assert_array_equal(y, start)
    assert state.weight_sum == 0.0
    np.testing.assert_array_equal(optimizers.schedule_free_eval_point(state), start)


def test_update_is_pure():
    opt = optimizers.schedule_free_adamw()
    params, grads = np.ones(3), np.full(3, 0.5)
    state = opt.init(params)
    before = (params.copy(), grads.copy(), state.z.copy(), state.x.copy())
    opt.update(params, grads, state, lr=0.1)
    for a, b in zip(before, (params, grads, state.z, state.x), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [
        (optimizers.schedule_free_sgd, {"beta": 0.0}, "beta"),
        (optimizers.schedule_free_sgd, {"beta": 1.0}, "beta"),
        (optimizers.schedule_free_sgd, {"weight_decay": -0.1}, "weight_decay"),
        (optimizers.schedule_free_sgd, {"r": -1.0}, "r"),
        (optimizers.schedule_free_sgd, {"weight_lr_power": float("nan")}, "weight_lr_power"),
        (optimizers.schedule_free_adamw, {"beta1": 1.0}, "beta1"),
        (optimizers.schedule_free_adamw, {"beta2": -0.1}, "beta2"),
        (optimizers.schedule_free_adamw, {"eps": 0.0}, "eps"),
    ],
)
def test_invalid_hyperparameters(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


def test_invalid_step_inputs():
    opt = optimizers.schedule_free_sgd()
    params = np.zeros(2)
    state = opt.init(params)
    with pytest.raises(ValueError, match="lr"):
        opt.update(params, np.ones(2), state, lr=-0.1)
    with pytest.raises(ValueError, match="grads"):
        opt.update(params, np.array([1.0, np.nan]), state, lr=0.1)
    with pytest.raises(ValueError, match="grads"):
        opt.update(params, np.ones(3), state, lr=0.1)
    with pytest.raises(ValueError, match="state"):
        optimizers.schedule_free_eval_point(params)
