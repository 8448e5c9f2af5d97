"""lrkit's Lion and Muon against their oracles, step by step, plus closed forms and input checks.

Oracles: ``lion_pytorch.Lion`` (lion-pytorch 0.2.5, the reference the paper's authors point to)
and ``torch.optim.Muon`` (torch 2.13). The same gradients are fed to both sides and the
parameters are compared after every step, with a learning rate that changes every step.

torch's Muon runs its Newton-Schulz iteration in bfloat16 (8 bits of mantissa). Two tests
cover it: one makes torch's own code run in float64 (``Tensor.bfloat16`` patched to return
float64) and demands agreement to 1e-10; one runs torch as shipped, in bfloat16, and accepts
the difference bfloat16 rounding makes (about 5% of ``lr * scale`` per step, at most).
"""

import numpy as np
import pytest
import torch
from lion_pytorch import Lion

from lrkit import optimizers

NUM_STEPS = 30
SHAPE = (6, 4)
RTOL, ATOL = 1e-10, 1e-12


def _lrs(num_steps, peak_lr):
    """A rate that changes every step, so a wrong use of the current rate shows."""
    return peak_lr * (0.5 + 0.5 * np.cos(np.linspace(0.0, 3.0, num_steps)))


def _run_both(ours, theirs_cls, theirs_kwargs, *, shape=SHAPE, peak_lr=0.01, seed=0, check):
    """Feed the same random gradients to lrkit and to torch; call ``check`` every step."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    p = torch.nn.Parameter(torch.tensor(x, dtype=torch.float64))
    theirs = theirs_cls([p], lr=peak_lr, **theirs_kwargs)
    state = ours.init(x)
    for step, lr in enumerate(_lrs(NUM_STEPS, peak_lr)):
        g = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 1)  # scale varies too
        x, state = ours.update(x, g, state, lr=lr)
        for group in theirs.param_groups:
            group["lr"] = float(lr)
        p.grad = torch.tensor(g, dtype=torch.float64)
        theirs.step()
        check(step, x, p.detach().numpy())
    assert state.count == NUM_STEPS


def _close(rtol, atol):
    def check(step, ours, theirs):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=f"step {step}")

    return check


# ------------------------------------------------------------------------------- Lion


@pytest.mark.parametrize(
    ("ours_kwargs", "theirs_kwargs"),
    [
        ({}, {}),
        ({"beta1": 0.95, "beta2": 0.98}, {"betas": (0.95, 0.98)}),
        ({"weight_decay": 1.0}, {"weight_decay": 1.0}),
        (
            {"beta1": 0.0, "beta2": 0.5, "weight_decay": 0.3},
            {"betas": (0.0, 0.5), "weight_decay": 0.3},
        ),
    ],
    ids=["default", "betas", "wd", "beta1-0-wd"],
)
def test_lion_matches_lion_pytorch(ours_kwargs, theirs_kwargs):
    _run_both(optimizers.lion(**ours_kwargs), Lion, theirs_kwargs, check=_close(RTOL, ATOL))


def test_lion_moves_every_coordinate_by_lr():
    """Closed form: without weight decay each coordinate moves by exactly +-lr."""
    opt = optimizers.lion()
    rng = np.random.default_rng(1)
    x = np.zeros(1000)
    state = opt.init(x)
    for lr in (0.3, 0.01):
        new, state = opt.update(x, rng.standard_normal(1000) * 1e-4, state, lr=lr)
        np.testing.assert_allclose(np.abs(new - x), lr, rtol=1e-12)
        x = new


def test_lion_first_step_is_minus_lr_sign_g():
    opt = optimizers.lion(beta1=0.9, weight_decay=0.5)
    x = np.array([2.0, -1.0, 0.5])
    g = np.array([0.1, -7.0, 0.0])
    new, state = opt.update(x, g, opt.init(x), lr=0.1)
    np.testing.assert_allclose(new, x * (1 - 0.05) - 0.1 * np.array([1.0, -1.0, 0.0]))
    np.testing.assert_allclose(state.m, 0.01 * g)  # (1 - beta2) g with beta2 = 0.99


# ------------------------------------------------------------------------------- Muon


MUON_CASES = [
    ({}, {}),
    ({"nesterov": False}, {"nesterov": False}),
    ({"beta": 0.8, "weight_decay": 0.0}, {"momentum": 0.8, "weight_decay": 0.0}),
    ({"scaling": "match_rms_adamw"}, {"adjust_lr_fn": "match_rms_adamw"}),
    ({"num_ns_steps": 3, "eps": 1e-3}, {"ns_steps": 3, "eps": 1e-3}),
]
MUON_IDS = ["default", "no-nesterov", "beta-no-wd", "match-rms", "ns3-eps"]
SHAPES = [(6, 4), (4, 6), (5, 5)]  # tall (torch transposes), wide, square


@pytest.fixture
def float64_newton_schulz(monkeypatch):
    """Make torch.optim.Muon run its own Newton-Schulz code in float64 instead of bfloat16."""
    # copy=True: like the real cast, it must not alias the momentum buffer (torch divides in place)
    monkeypatch.setattr(
        torch.Tensor, "bfloat16", lambda self, *a, **k: self.to(torch.float64, copy=True)
    )


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("ours_kwargs", "theirs_kwargs"), MUON_CASES, ids=MUON_IDS)
def test_muon_matches_torch_in_float64(float64_newton_schulz, ours_kwargs, theirs_kwargs, shape):
    ours = optimizers.muon(**ours_kwargs)
    _run_both(ours, torch.optim.Muon, theirs_kwargs, shape=shape, check=_close(RTOL, ATOL))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize(("ours_kwargs", "theirs_kwargs"), MUON_CASES, ids=MUON_IDS)
def test_muon_matches_torch_in_bfloat16(ours_kwargs, theirs_kwargs, shape):
    """torch as shipped: the two stay within bfloat16's rounding of one step, every step."""
    peak_lr = 0.01
    rows, cols = shape
    if "adjust_lr_fn" in theirs_kwargs:
        scale = 0.2 * np.sqrt(max(rows, cols))
    else:
        scale = np.sqrt(max(1.0, rows / cols))
    # bfloat16 (a 0.4% ulp) through 5 Newton-Schulz iterations: the largest difference seen is
    # about 5% of lr * scale per step taken; allow 3 times that
    tolerance = 0.15 * peak_lr * scale

    def check(step, ours, theirs):
        # errors of separate steps add up, so allow one tolerance per step taken
        assert np.abs(ours - theirs).max() < tolerance * (step + 1), f"step {step}"

    ours = optimizers.muon(**ours_kwargs)
    _run_both(ours, torch.optim.Muon, theirs_kwargs, shape=shape, peak_lr=peak_lr, check=check)


def test_newton_schulz_output_singular_values_near_one():
    """Whatever the input's scale and conditioning, the singular values land in [0.6, 1.2]."""
    rng = np.random.default_rng(2)
    for shape, spread in (((32, 8), 1.0), ((8, 32), 1e-3), ((16, 16), 1e2)):
        u, _, vt = np.linalg.svd(rng.standard_normal(shape), full_matrices=False)
        singular = np.geomspace(1.0, 1e-2, min(shape)) * spread
        q = optimizers.newton_schulz(u @ np.diag(singular) @ vt)
        # the singular vectors are the input's: u^T q v is diagonal (q = u s' v^T) ...
        in_basis = u.T @ q @ vt.T
        s = np.diag(in_basis)
        np.testing.assert_allclose(in_basis, np.diag(s), atol=1e-8)
        # ... and the singular values s' are near 1
        assert 0.6 < s.min() and s.max() < 1.2, (shape, s.min(), s.max())


def test_muon_update_rms_under_match_rms_adamw_is_about_0_2():
    """Liu et al.'s scaling: RMS = 0.2 * sqrt(max(A, B)) * ||O||_F / sqrt(A B), about 0.2."""
    rng = np.random.default_rng(3)
    for shape in ((64, 16), (16, 64), (48, 48)):
        opt = optimizers.muon(scaling="match_rms_adamw", weight_decay=0.0)
        x = np.zeros(shape)
        new, _ = opt.update(x, rng.standard_normal(shape), opt.init(x), lr=1.0)
        rms = np.sqrt(np.mean(new**2))
        assert 0.15 < rms < 0.25, (shape, rms)


def test_muon_weight_decay_alone():
    """With a zero gradient the update is 0 (NS of 0 is 0) and only the decay acts."""
    opt = optimizers.muon(weight_decay=0.1)
    x = np.full((3, 2), 2.0)
    new, _ = opt.update(x, np.zeros((3, 2)), opt.init(x), lr=0.5)
    np.testing.assert_allclose(new, 2.0 * (1 - 0.05))


# ------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [
        (optimizers.lion, {"beta1": 1.0}, "beta1"),
        (optimizers.lion, {"beta2": -0.1}, "beta2"),
        (optimizers.lion, {"weight_decay": -1.0}, "weight_decay"),
        (optimizers.lion, {"weight_decay": float("nan")}, "weight_decay"),
        (optimizers.muon, {"beta": 1.0}, "beta"),
        (optimizers.muon, {"weight_decay": -0.1}, "weight_decay"),
        (optimizers.muon, {"scaling": "sqrt"}, "scaling"),
        (optimizers.muon, {"num_ns_steps": 0}, "num_steps"),
        (optimizers.muon, {"eps": 0.0}, "eps"),
        (optimizers.muon, {"coefficients": (1.0, 2.0)}, "coefficients"),
    ],
)
def test_bad_hyperparameters_raise(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


@pytest.mark.parametrize("factory", [optimizers.lion, optimizers.muon])
def test_bad_step_inputs_raise(factory):
    opt = factory()
    x = np.ones((2, 3))
    state = opt.init(x)
    with pytest.raises(ValueError, match="lr"):
        opt.update(x, np.ones((2, 3)), state, lr=-0.1)
    with pytest.raises(ValueError, match="grads must be finite"):
        opt.update(x, np.full((2, 3), np.nan), state, lr=0.1)
    with pytest.raises(ValueError, match="grads must have the shape"):
        opt.update(x, np.ones((3, 2)), state, lr=0.1)


def test_muon_refuses_non_matrices():
    opt = optimizers.muon()
    with pytest.raises(ValueError, match="params must be a 2-D matrix"):
        opt.init(np.ones(3))
    with pytest.raises(ValueError, match="matrix must be 2-D"):
        optimizers.newton_schulz(np.ones((2, 2, 2)))
