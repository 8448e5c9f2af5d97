"""lrkit.optimizers against torch.optim (the oracle), plus closed forms and input checks."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrkit import optimizers

NUM_STEPS = 100
SHAPE = (3, 4)
RTOL, ATOL = 1e-10, 1e-12

# (id, lrkit factory and kwargs, torch class and kwargs): one row per convention we mirror
CASES = [
    ("sgd", optimizers.sgd, {}, torch.optim.SGD, {}),
    ("sgd-wd", optimizers.sgd, {"weight_decay": 0.1}, torch.optim.SGD, {"weight_decay": 0.1}),
    ("momentum", optimizers.momentum, {}, torch.optim.SGD, {"momentum": 0.9}),
    (
        "momentum-damp-wd",
        optimizers.momentum,
        {"beta": 0.8, "dampening": 0.5, "weight_decay": 0.1},
        torch.optim.SGD,
        {"momentum": 0.8, "dampening": 0.5, "weight_decay": 0.1},
    ),
    (
        "momentum-beta0-damp",
        optimizers.momentum,
        {"beta": 0.0, "dampening": 0.5},
        torch.optim.SGD,
        {"momentum": 0.0, "dampening": 0.5},
    ),
    ("nesterov", optimizers.nesterov, {}, torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
    (
        "nesterov-wd",
        optimizers.nesterov,
        {"beta": 0.7, "weight_decay": 0.1},
        torch.optim.SGD,
        {"momentum": 0.7, "nesterov": True, "weight_decay": 0.1},
    ),
    ("adagrad", optimizers.adagrad, {}, torch.optim.Adagrad, {}),
    (
        "adagrad-acc-eps-wd",
        optimizers.adagrad,
        {"eps": 1e-3, "initial_accumulator": 0.5, "weight_decay": 0.1},
        torch.optim.Adagrad,
        {"eps": 1e-3, "initial_accumulator_value": 0.5, "weight_decay": 0.1},
    ),
    ("rmsprop", optimizers.rmsprop, {}, torch.optim.RMSprop, {}),
    (
        "rmsprop-alpha-eps",
        optimizers.rmsprop,
        {"alpha": 0.9, "eps": 1e-2},
        torch.optim.RMSprop,
        {"alpha": 0.9, "eps": 1e-2},
    ),
    (
        "rmsprop-momentum-wd",
        optimizers.rmsprop,
        {"momentum": 0.9, "weight_decay": 0.1},
        torch.optim.RMSprop,
        {"momentum": 0.9, "weight_decay": 0.1},
    ),
    ("adam", optimizers.adam, {}, torch.optim.Adam, {}),
    (
        "adam-l2",
        optimizers.adam,
        {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1},
        torch.optim.Adam,
        {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
    ),
    ("adamw", optimizers.adamw, {}, torch.optim.AdamW, {}),
    (
        "adamw-wd",
        optimizers.adamw,
        {"beta1": 0.5, "beta2": 0.9, "weight_decay": 0.3},
        torch.optim.AdamW,
        {"betas": (0.5, 0.9), "weight_decay": 0.3},
    ),
]

FACTORIES = [
    optimizers.sgd,
    optimizers.momentum,
    optimizers.nesterov,
    optimizers.adagrad,
    optimizers.rmsprop,
    optimizers.adam,
    optimizers.adamw,
]


def _state_arrays(state):
    return [np.array(a, copy=True) for a in state if isinstance(a, np.ndarray)]


# ---------------------------------------------------------------------------------------------
# the oracle: torch.optim on the same gradients and the same per-step learning rates


@pytest.mark.parametrize("foreach", [False, True], ids=["single-tensor", "foreach"])
@pytest.mark.parametrize(
    ("factory", "kwargs", "torch_cls", "torch_kwargs"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_matches_torch_optim(factory, kwargs, torch_cls, torch_kwargs, foreach):
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(SHAPE)
    grads = rng.standard_normal((NUM_STEPS, *SHAPE))
    lrs = rng.uniform(1e-3, 0.1, NUM_STEPS)  # a new learning rate every step

    opt = factory(**kwargs)
    x, state = x0, opt.init(x0)

    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    torch_opt = torch_cls([p], lr=lrs[0], foreach=foreach, **torch_kwargs)

    for g, lr in zip(grads, lrs, strict=True):
        x, state = opt.update(x, g, state, lr)
        torch_opt.param_groups[0]["lr"] = float(lr)
        p.grad = torch.tensor(g, dtype=torch.float64)
        torch_opt.step()
        np.testing.assert_allclose(x, p.detach().numpy(), rtol=RTOL, atol=ATOL)

    assert state.count == NUM_STEPS
    assert x.dtype == np.float64


# ---------------------------------------------------------------------------------------------
# closed forms from the equations


def _steps_under_constant_gradient(opt, g, lr, num_steps):
    """The step x_{t-1} - x_t at t = 1..num_steps when the gradient is always g."""
    x = np.zeros_like(g)
    state = opt.init(x)
    steps = []
    for _ in range(num_steps):
        x_new, state = opt.update(x, g, state, lr)
        steps.append(x - x_new)
        x = x_new
    return np.array(steps)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_momentum_step_tends_to_lr_g_over_one_minus_beta(beta):
    g, lr, num_steps = np.array([1.0, -3.0]), 0.1, 3_000
    steps = _steps_under_constant_gradient(optimizers.momentum(beta=beta), g, lr, num_steps)
    t = np.arange(1, num_steps + 1)[:, None]
    # v_1 = g and v_t = beta v_{t-1} + g, so v_t = g (1 - beta^t) / (1 - beta)
    np.testing.assert_allclose(steps, lr * g * (1 - beta**t) / (1 - beta), rtol=1e-12)
    np.testing.assert_allclose(steps[-1], lr * g / (1 - beta), rtol=1e-10)


def test_adagrad_step_shrinks_like_one_over_sqrt_t():
    g, lr, eps, num_steps = np.array([0.3, -2.0, 1e-4]), 0.5, 1e-10, 400
    steps = _steps_under_constant_gradient(optimizers.adagrad(eps=eps), g, lr, num_steps)
    t = np.arange(1, num_steps + 1)[:, None]
    np.testing.assert_allclose(steps, lr * g / (np.sqrt(t) * np.abs(g) + eps), rtol=1e-12)
    # the step at t = 400 is 1/20 of the first, for every coordinate whatever its scale
    np.testing.assert_allclose(steps[-1] / steps[0], 1 / 20, rtol=1e-5)


@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e3])
def test_adam_first_step_is_lr_per_coordinate(scale):
    rng = np.random.default_rng(1)
    g = scale * rng.uniform(0.5, 2.0, 6) * rng.choice([-1.0, 1.0], 6)
    lr = 0.01
    opt = optimizers.adam()
    x0 = rng.standard_normal(6)
    x1, _ = opt.update(x0, g, opt.init(x0), lr)
    # bias correction: m_hat = g and v_hat = g^2, so the step is lr * g / (|g| + eps)
    np.testing.assert_allclose(x0 - x1, lr * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(np.abs(x0 - x1), lr, rtol=1e-3)


def test_adamw_decays_weights_but_adam_l2_is_normalized_away():
    x0, lr, wd = np.array([1.0, -2.0, 4.0]), 0.01, 0.1
    zero = np.zeros(3)
    adamw, adam_l2 = optimizers.adamw(weight_decay=wd), optimizers.adam(weight_decay=wd)
    x_w, _ = adamw.update(x0, zero, adamw.init(x0), lr)
    x_l2, _ = adam_l2.update(x0, zero, adam_l2.init(x0), lr)
    # AdamW, zero gradient: x shrinks by the factor (1 - lr * wd), in proportion to |x|
    np.testing.assert_allclose(x_w, x0 * (1 - lr * wd), rtol=1e-14)
    # Adam + L2: the gradient is wd * x, and Adam's first step has size lr whatever the
    # gradient, so every coordinate moves lr toward 0, independent of wd and of |x|
    np.testing.assert_allclose(x0 - x_l2, lr * np.sign(x0), rtol=1e-6)
    assert not np.allclose(x_w, x_l2)
    # both shrink toward zero; here Adam-L2 shrinks much more (lr vs lr * wd * |x|)
    assert np.all(np.abs(x_l2) < np.abs(x_w)) and np.all(np.abs(x_w) < np.abs(x0))
    # and the L2 strength is invisible to Adam's first step
    weak = optimizers.adam(weight_decay=1e-4)
    x_weak, _ = weak.update(x0, zero, weak.init(x0), lr)
    np.testing.assert_allclose(x_weak, x_l2, rtol=1e-5)


def test_adamw_minus_adam_is_the_decay_term_when_gradient_dominates():
    # With a gradient far larger than wd * x, the Adam part of both updates is the same to
    # first order, and what is left is AdamW's -lr * wd * x shrink.
    rng = np.random.default_rng(2)
    x0, g = rng.standard_normal(5), 1e3 * rng.choice([-1.0, 1.0], 5)
    lr, wd = 0.01, 0.5
    adamw, adam_l2 = optimizers.adamw(weight_decay=wd), optimizers.adam(weight_decay=wd)
    x_w, _ = adamw.update(x0, g, adamw.init(x0), lr)
    x_l2, _ = adam_l2.update(x0, g, adam_l2.init(x0), lr)
    np.testing.assert_allclose(x_w - x_l2, -lr * wd * x0, rtol=1e-6, atol=1e-12)


def test_nesterov_first_step_is_one_plus_beta_times_sgd():
    g, lr, beta = np.array([2.0, -1.0]), 0.1, 0.9
    steps = _steps_under_constant_gradient(optimizers.nesterov(beta=beta), g, lr, 1)
    np.testing.assert_allclose(steps[0], (1 + beta) * lr * g, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# purity: update() never mutates its inputs


@pytest.mark.parametrize("factory", FACTORIES)
def test_update_does_not_mutate_inputs(factory):
    rng = np.random.default_rng(3)
    opt = factory()
    x = rng.standard_normal(4)
    state = opt.init(x)
    for _ in range(3):  # a few steps, so that the state holds non-trivial arrays
        x, state = opt.update(x, rng.standard_normal(4), state, 0.1)
    g = rng.standard_normal(4)
    x_before, g_before, state_before = x.copy(), g.copy(), _state_arrays(state)

    x_new, state_new = opt.update(x, g, state, 0.1)

    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(g, g_before)
    for before, after in zip(state_before, _state_arrays(state), strict=True):
        np.testing.assert_array_equal(before, after)
    assert not np.shares_memory(x_new, x)
    # the new state does not alias the caller's gradient array either
    g[:] = 0.0
    for a in state_new:
        if isinstance(a, np.ndarray):
            assert not np.shares_memory(a, g)
    assert state_new.count == state.count + 1
    assert isinstance(state_new, tuple) and type(state_new) is type(state)


@settings(max_examples=25, deadline=None, database=None)
@given(
    index=st.integers(0, len(FACTORIES) - 1),
    values=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=5),
)
def test_zero_lr_leaves_params_unchanged(index, values):
    opt = FACTORIES[index]()
    x = np.array(values)
    state = opt.init(x)
    for _ in range(3):
        x_new, state = opt.update(x, np.ones_like(x), state, lr=0.0)
        np.testing.assert_array_equal(x_new, x)


def test_accepts_lists_and_zero_d_lr():
    opt = optimizers.sgd()
    x, _ = opt.update([1.0, 2.0], [1.0, 1.0], opt.init([1.0, 2.0]), np.asarray(0.5))
    np.testing.assert_array_equal(x, [0.5, 1.5])


# ---------------------------------------------------------------------------------------------
# argument checks: a ValueError that names the argument


BAD_ARGUMENTS = [
    (optimizers.sgd, {"weight_decay": -0.1}, "weight_decay"),
    (optimizers.sgd, {"weight_decay": math.nan}, "weight_decay"),
    (optimizers.momentum, {"beta": 1.0}, "beta"),
    (optimizers.momentum, {"beta": -0.1}, "beta"),
    (optimizers.momentum, {"beta": math.nan}, "beta"),
    (optimizers.momentum, {"dampening": 1.5}, "dampening"),
    (optimizers.momentum, {"weight_decay": math.inf}, "weight_decay"),
    (optimizers.nesterov, {"beta": 0.0}, "beta"),
    (optimizers.nesterov, {"beta": 1.0}, "beta"),
    (optimizers.nesterov, {"weight_decay": -1.0}, "weight_decay"),
    (optimizers.adagrad, {"eps": 0.0}, "eps"),
    (optimizers.adagrad, {"initial_accumulator": -1.0}, "initial_accumulator"),
    (optimizers.adagrad, {"weight_decay": -1e-3}, "weight_decay"),
    (optimizers.rmsprop, {"alpha": 1.0}, "alpha"),
    (optimizers.rmsprop, {"eps": -1e-8}, "eps"),
    (optimizers.rmsprop, {"momentum": 1.0}, "momentum"),
    (optimizers.rmsprop, {"weight_decay": math.nan}, "weight_decay"),
    (optimizers.adam, {"beta1": 1.0}, "beta1"),
    (optimizers.adam, {"beta2": -0.5}, "beta2"),
    (optimizers.adam, {"beta2": math.inf}, "beta2"),
    (optimizers.adam, {"eps": 0.0}, "eps"),
    (optimizers.adam, {"weight_decay": -0.1}, "weight_decay"),
    (optimizers.adamw, {"beta1": "0.9"}, "beta1"),
    (optimizers.adamw, {"eps": math.nan}, "eps"),
    (optimizers.adamw, {"weight_decay": -0.1}, "weight_decay"),
]


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    BAD_ARGUMENTS,
    ids=[f"{f.__name__}-{k}" for f, k, _ in BAD_ARGUMENTS],
)
def test_bad_hyperparameter_raises_naming_it(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("lr", [-0.1, math.nan, math.inf, None])
def test_bad_lr_raises_naming_lr(factory, lr):
    opt = factory()
    x = np.ones(3)
    with pytest.raises(ValueError, match="lr"):
        opt.update(x, np.ones(3), opt.init(x), lr)


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_gradient_raises_naming_grads(factory, bad):
    opt = factory()
    x = np.ones(3)
    with pytest.raises(ValueError, match="grads"):
        opt.update(x, np.array([1.0, bad, 1.0]), opt.init(x), 0.1)


def test_gradient_of_wrong_shape_raises_naming_grads():
    opt = optimizers.adam()
    x = np.ones(3)
    with pytest.raises(ValueError, match="grads"):
        opt.update(x, np.ones(4), opt.init(x), 0.1)


def test_optimizer_is_a_named_tuple_with_its_name():
    for factory in FACTORIES:
        opt = factory()
        assert isinstance(opt, optimizers.Optimizer)
        assert opt.name == factory.__name__
