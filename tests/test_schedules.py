"""lrkit.schedules against PyTorch's schedulers (the oracle), closed forms and properties."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrkit import schedules as S
from lrkit.bridge import sample

L = torch.optim.lr_scheduler
RTOL = 1e-12  # DESIGN.md: equal to torch within 1e-12 relative (float64)
FAST = settings(max_examples=50, deadline=None)


def assert_close(ours, theirs, rtol=RTOL):
    """Relative comparison; where the oracle is exactly 0, ours must be exactly 0 too."""
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)


# --- oracle: PyTorch schedulers, stepped with a float64 parameter ------------------------

# (id, our schedule, torch scheduler factory, the optimizer's initial lr, steps to compare)
ORACLE_CASES = [
    ("step", S.step_decay(0.1, step_size=7), lambda o: L.StepLR(o, 7), 0.1, 60),
    (
        "step-gamma",
        S.step_decay(2.0, step_size=1, gamma=0.97),
        lambda o: L.StepLR(o, 1, gamma=0.97),
        2.0,
        500,
    ),
    (
        "multistep",
        S.multistep_decay(0.1, milestones=[5, 12, 30]),
        lambda o: L.MultiStepLR(o, [5, 12, 30]),
        0.1,
        50,
    ),
    (
        "multistep-gamma",
        S.multistep_decay(3.0, milestones=[1, 2, 100], gamma=0.5),
        lambda o: L.MultiStepLR(o, [1, 2, 100], gamma=0.5),
        3.0,
        150,
    ),
    ("exp", S.exponential_decay(0.1, gamma=0.99), lambda o: L.ExponentialLR(o, 0.99), 0.1, 2000),
    ("exp-one", S.exponential_decay(0.5, gamma=1.0), lambda o: L.ExponentialLR(o, 1.0), 0.5, 20),
    (
        "poly-linear",
        S.polynomial_decay(0.1, decay_steps=100),
        lambda o: L.PolynomialLR(o, total_iters=100),
        0.1,
        101,
    ),
    (
        "poly-square",
        S.polynomial_decay(1.0, decay_steps=37, power=2.0),
        lambda o: L.PolynomialLR(o, total_iters=37, power=2.0),
        1.0,
        38,
    ),
    (
        "poly-sqrt",
        S.polynomial_decay(0.3, decay_steps=500, power=0.5),
        lambda o: L.PolynomialLR(o, total_iters=500, power=0.5),
        0.3,
        501,
    ),
    # polynomial with final_lr > 0 and power 1 is LinearLR decaying to a factor
    (
        "poly-final",
        S.polynomial_decay(0.4, decay_steps=50, final_lr=0.1),
        lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.25, total_iters=50),
        0.4,
        80,
    ),
    (
        "cosine",
        S.cosine_decay(0.1, decay_steps=1000),
        lambda o: L.CosineAnnealingLR(o, T_max=1000),
        0.1,
        1001,
    ),
    (
        "cosine-final",
        S.cosine_decay(1.0, decay_steps=33, final_lr=0.01),
        lambda o: L.CosineAnnealingLR(o, T_max=33, eta_min=0.01),
        1.0,
        34,
    ),
    (
        "cosine-one",
        S.cosine_decay(1.0, decay_steps=1),
        lambda o: L.CosineAnnealingLR(o, T_max=1),
        1.0,
        2,
    ),
    (
        "restarts",
        S.cosine_restarts(0.1, first_cycle_steps=10),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10),
        0.1,
        100,
    ),
    (
        "restarts-mult2",
        S.cosine_restarts(0.1, first_cycle_steps=3, cycle_mult=2, final_lr=0.001),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
        0.1,
        400,
    ),
    (
        "restarts-mult3",
        S.cosine_restarts(1.0, first_cycle_steps=1, cycle_mult=3),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=1, T_mult=3),
        1.0,
        400,
    ),
    (
        "cyclic",
        S.cyclic(0.01, 0.1, step_size_up=10),
        lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=10),
        1.0,
        100,
    ),
    (
        "cyclic-asym",
        S.cyclic(0.001, 0.1, step_size_up=3, step_size_down=7),
        lambda o: L.CyclicLR(o, 0.001, 0.1, step_size_up=3, step_size_down=7),
        1.0,
        100,
    ),
    (
        "cyclic-tri2",
        S.cyclic(0.01, 0.1, step_size_up=5, step_size_down=4, mode="triangular2"),
        lambda o: L.CyclicLR(o, 0.01, 0.1, 5, 4, mode="triangular2"),
        1.0,
        100,
    ),
    (
        "cyclic-exp",
        S.cyclic(0.01, 0.1, step_size_up=6, mode="exp_range", gamma=0.99),
        lambda o: L.CyclicLR(o, 0.01, 0.1, 6, mode="exp_range", gamma=0.99),
        1.0,
        200,
    ),
    (
        "linear-warmup-hf",
        S.linear_warmup(0.1, warmup_steps=10),
        # Hugging Face's get_constant_schedule_with_warmup, written out: LambdaLR over the lr
        lambda o: L.LambdaLR(o, lambda t: t / max(1.0, 10) if t < 10 else 1.0),
        0.1,
        30,
    ),
    (
        "linear-warmup-start",
        S.linear_warmup(0.1, warmup_steps=20, start_lr=0.01),
        lambda o: L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=20),
        0.1,
        40,
    ),
]


@pytest.mark.parametrize(
    ("ours", "make", "lr", "num_steps"),
    [case[1:] for case in ORACLE_CASES],
    ids=[case[0] for case in ORACLE_CASES],
)
def test_matches_torch_scheduler(ours, make, lr, num_steps):
    assert_close(ours(np.arange(num_steps)), sample(make, num_steps, lr=lr))


ONE_CYCLE_SETTINGS = [
    # (total_steps, pct_start, anneal, three_phase, div_factor, final_div_factor)
    (100, 0.3, "cos", False, 25.0, 1e4),
    (100, 0.3, "linear", False, 25.0, 1e4),
    (97, 0.25, "cos", True, 10.0, 100.0),
    (97, 0.25, "linear", True, 25.0, 1e4),
    (10, 0.33, "cos", False, 25.0, 1e4),  # phase 1 ends at the non-integer step 2.3
    (7, 0.1, "cos", False, 25.0, 1e4),  # pct_start * total_steps < 1: no warmup at all
    (7, 0.1, "linear", True, 25.0, 1e4),
    (1, 0.5, "cos", False, 25.0, 1e4),
    (20, 0.6, "linear", True, 25.0, 1e4),  # pct_start > 0.5 with three phases: no phase 3
]


@pytest.mark.parametrize(
    ("total_steps", "pct_start", "anneal", "three_phase", "div", "final_div"), ONE_CYCLE_SETTINGS
)
def test_one_cycle_matches_torch(total_steps, pct_start, anneal, three_phase, div, final_div):
    kwargs = {"total_steps": total_steps, "pct_start": pct_start, "three_phase": three_phase}

    def make(opt):
        return L.OneCycleLR(
            opt, 0.5, anneal_strategy=anneal, div_factor=div, final_div_factor=final_div, **kwargs
        )

    ours = S.one_cycle(0.5, anneal=anneal, div_factor=div, final_div_factor=final_div, **kwargs)
    momentum = S.one_cycle_momentum(anneal=anneal, **kwargs)
    steps = np.arange(total_steps)
    assert_close(ours(steps), sample(make, total_steps))
    assert_close(momentum(steps), sample(make, total_steps, key="momentum"))


def test_one_cycle_last_step_differs_from_torch_on_purpose():
    """Torch allows one scheduler.step() past the last step and extrapolates; we stay at min_lr."""
    total = 20
    for anneal in ("cos", "linear"):
        torch_lrs = sample(
            lambda o, a=anneal: L.OneCycleLR(o, 1.0, total_steps=total, anneal_strategy=a),
            total + 1,
        )
        ours = S.one_cycle(1.0, total, anneal=anneal)(np.arange(total + 5))
        min_lr = 1.0 / 25.0 / 1e4
        assert torch_lrs[total - 1] == ours[total - 1] == pytest.approx(min_lr, rel=1e-12)
        assert np.all(ours[total - 1 :] == ours[total - 1])
        if anneal == "cos":
            assert torch_lrs[total] > min_lr  # the cosine comes back up
        else:
            assert torch_lrs[total] < 0  # linear overshoots to a negative learning rate
    with pytest.raises(ValueError, match="Tried to step"):
        sample(lambda o: L.OneCycleLR(o, 1.0, total_steps=total), total + 2)


def test_one_cycle_zero_length_phase_where_torch_divides_by_zero():
    """pct_start * total_steps == 1 makes torch's phase 1 empty and step 0 divide 0 by 0."""
    with pytest.raises(ZeroDivisionError):
        sample(lambda o: L.OneCycleLR(o, 1.0, total_steps=10, pct_start=0.1), 2)
    assert S.one_cycle(1.0, total_steps=10, pct_start=0.1)(0) == 1.0  # the phase is complete


def test_triangular2_after_1024_cycles_where_torch_overflows():
    """CyclicLR computes 1 / 2.0**(cycle - 1) in Python floats: OverflowError in cycle 1026."""
    steps = 2 * 1026  # step_size_up = step_size_down = 1: two steps per cycle
    with pytest.raises(OverflowError):
        sample(lambda o: L.CyclicLR(o, 0.01, 0.1, 1, mode="triangular2"), steps)
    lrs = S.cyclic(0.01, 0.1, step_size_up=1, mode="triangular2")(np.arange(steps + 10))
    assert np.all(np.isfinite(lrs)) and lrs[-1] == 0.01


CYCLIC_MOMENTUM_SETTINGS = [
    (10, None, "triangular", 1.0),
    (3, 7, "triangular", 1.0),
    (5, 4, "triangular2", 1.0),
    (6, None, "exp_range", 0.99),
]


@pytest.mark.parametrize(("up", "down", "mode", "gamma"), CYCLIC_MOMENTUM_SETTINGS)
def test_cyclic_momentum_matches_torch(up, down, mode, gamma):
    def make(opt):
        return L.CyclicLR(opt, 0.01, 0.1, up, down, mode=mode, gamma=gamma)

    momentum = S.cyclic_momentum(0.8, 0.9, up, down, mode=mode, gamma=gamma)
    assert_close(momentum(np.arange(150)), sample(make, 150, key="momentum"))


def test_momentum_reaches_optimizer_param_groups_in_a_real_loop():
    """The momentum the torch optimizer actually holds at each step, with SGD(momentum)."""
    model = torch.nn.Linear(3, 1).double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = L.OneCycleLR(optimizer, max_lr=0.1, total_steps=50)
    ours = S.one_cycle_momentum(total_steps=50)
    x = torch.randn(8, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for t in range(50):
        assert optimizer.param_groups[0]["momentum"] == pytest.approx(ours(t), rel=RTOL)
        optimizer.zero_grad()
        model(x).pow(2).mean().backward()
        optimizer.step()
        if t < 49:
            scheduler.step()


# --- past the horizon: where we differ from torch on purpose, and where we agree ---------


def test_cosine_past_horizon_clamps_while_torch_rises_again():
    """Ours stays at final_lr after decay_steps; CosineAnnealingLR keeps following the cosine."""
    torch_lrs = sample(lambda o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.01), 31, lr=1.0)
    ours = S.cosine_decay(1.0, decay_steps=10, final_lr=0.01)(np.arange(31))
    assert_close(ours[:11], torch_lrs[:11])
    assert np.all(ours[10:] == 0.01)
    assert torch_lrs[15] == pytest.approx(0.505, rel=1e-9)  # halfway back up
    assert torch_lrs[20] == pytest.approx(1.0, rel=1e-9)  # back at initial_lr at 2 * T_max


def test_polynomial_past_horizon_agrees_with_torch():
    """Both stay at the end value after decay_steps (PolynomialLR has no final_lr: it is 0)."""
    torch_lrs = sample(lambda o: L.PolynomialLR(o, total_iters=10, power=1.5), 40, lr=0.2)
    ours = S.polynomial_decay(0.2, decay_steps=10, power=1.5)(np.arange(40))
    assert_close(ours, torch_lrs)
    assert np.all(ours[10:] == 0.0)


def test_polynomial_final_lr_past_horizon():
    """With final_lr > 0 (no PolynomialLR equivalent) the rate stays at final_lr."""
    s = S.polynomial_decay(1.0, decay_steps=10, final_lr=0.05, power=3.0)
    assert s(10) == 0.05
    assert np.all(s(np.arange(10, 1000)) == 0.05)


# --- closed forms for schedules without a torch class -------------------------------------


@pytest.mark.parametrize(
    ("initial_lr", "decay_rate", "decay_steps"), [(0.1, 0.5, 1), (1.0, 2.0, 100), (0.3, 0.0, 7)]
)
def test_inverse_time_decay_closed_form(initial_lr, decay_rate, decay_steps):
    lrs = S.inverse_time_decay(initial_lr, decay_rate, decay_steps)(np.arange(1000))
    expected = [initial_lr / (1 + decay_rate * t / decay_steps) for t in range(1000)]
    assert_close(lrs, expected)


def test_inverse_time_decay_is_not_exponential():
    """A 1/t decay: equal halvings need ever longer intervals, unlike gamma**t."""
    s = S.inverse_time_decay(1.0, decay_rate=1.0, decay_steps=10)
    assert s(10) == 0.5 and s(30) == 0.25 and s(70) == 0.125  # halvings after 10, 20, 40 steps
    exp = S.exponential_decay(1.0, gamma=0.5 ** (1 / 10))
    assert exp(20) == pytest.approx(0.25) and s(20) > 0.3


@pytest.mark.parametrize(("d_model", "warmup"), [(512, 4000), (64, 10), (1024, 1)])
def test_inverse_sqrt_is_the_transformer_schedule(d_model, warmup):
    """Vaswani et al.: d_model**-0.5 * min(s**-0.5, s * warmup**-1.5), s counted from 1."""
    peak = S.transformer_peak_lr(d_model, warmup)
    assert peak == pytest.approx(d_model**-0.5 * warmup**-0.5, rel=RTOL)
    s = np.arange(1, 3 * warmup + 50)
    paper = d_model**-0.5 * np.minimum(s**-0.5, s * warmup**-1.5)
    assert_close(S.inverse_sqrt(peak, warmup)(s), paper)
    assert paper.max() == pytest.approx(peak, rel=RTOL)
    assert s[paper.argmax()] == warmup
    assert S.inverse_sqrt(peak, warmup)(0) == 0.0  # our step 0 is the paper's s = 0


def test_warmup_stable_decay_closed_form():
    peak, final, warm, stable, decay = 0.3, 0.03, 10, 25, 15
    lrs = S.warmup_stable_decay(peak, warm, stable, decay, final_lr=final)(np.arange(80))
    for t, lr in enumerate(lrs):
        if t < warm:
            expected = peak * t / warm
        elif t < warm + stable:
            expected = peak
        elif t < warm + stable + decay:
            expected = peak - (peak - final) * (t - warm - stable) / decay
        else:
            expected = final
        assert lr == pytest.approx(expected, rel=RTOL, abs=0)
    assert lrs.argmax() == warm and lrs[warm + stable] == peak


WSD_COOLDOWNS = {
    # shape -> the fraction of (peak - final) left after a fraction p of the cooldown
    "linear": lambda p: 1 - p,
    "cosine": lambda p: (1 + math.cos(math.pi * p)) / 2,
    "1-sqrt": lambda p: 1 - math.sqrt(p),
}


@pytest.mark.parametrize("shape", sorted(WSD_COOLDOWNS))
def test_warmup_stable_decay_cooldown_shapes_closed_form(shape):
    peak, final, warm, stable, decay = 0.3, 0.03, 10, 25, 16
    s = S.warmup_stable_decay(peak, warm, stable, decay, final_lr=final, shape=shape)
    lrs = s(np.arange(80))
    for t, lr in enumerate(lrs):
        if t < warm:
            expected = peak * t / warm
        elif t < warm + stable:
            expected = peak
        elif t < warm + stable + decay:
            expected = final + (peak - final) * WSD_COOLDOWNS[shape]((t - warm - stable) / decay)
        else:
            expected = final
        assert lr == pytest.approx(expected, rel=RTOL, abs=0)
    cooldown = lrs[warm + stable : warm + stable + decay + 1]
    assert _non_increasing(cooldown) and cooldown[-1] == final
    # a quarter of the way into the cooldown, 1-sqrt has already dropped half-way
    quarter = warm + stable + decay // 4
    expected_half = {"1-sqrt": 0.5, "linear": 0.75, "cosine": (1 + math.cos(math.pi / 4)) / 2}
    assert (lrs[quarter] - final) / (peak - final) == pytest.approx(expected_half[shape])


def test_warmup_stable_decay_cosine_cooldown_matches_torch():
    """The cosine cooldown is CosineAnnealingLR(T_max=decay_steps, eta_min=final_lr)."""
    peak, final, warm, stable, decay = 0.3, 0.03, 5, 7, 40
    s = S.warmup_stable_decay(peak, warm, stable, decay, final_lr=final, shape="cosine")
    start = warm + stable
    ours = s(np.arange(start, start + decay + 1))
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=peak)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=decay, eta_min=final)
    theirs = []
    for _ in range(decay + 1):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def test_warmup_stable_decay_default_shape_is_unchanged():
    args = {"peak_lr": 0.2, "warmup_steps": 3, "stable_steps": 10, "decay_steps": 7}
    t = np.arange(30)
    np.testing.assert_array_equal(
        S.warmup_stable_decay(**args)(t), S.warmup_stable_decay(**args, shape="linear")(t)
    )


def test_join_runs_each_piece_from_its_own_start():
    warmup = S.linear_warmup(1.0, warmup_steps=5)
    cosine = S.cosine_decay(1.0, decay_steps=20, final_lr=0.1)
    tail = S.constant(0.05)
    joined = S.join([warmup, cosine, tail], boundaries=[5, 30])
    t = np.arange(50)
    lrs = joined(t)
    np.testing.assert_array_equal(lrs[:5], warmup(t[:5]))
    np.testing.assert_array_equal(lrs[5:30], cosine(t[5:30] - 5))
    np.testing.assert_array_equal(lrs[30:], tail(t[30:] - 30))
    assert joined(29) == cosine(24) and joined(30) == 0.05


def test_join_of_one_schedule_is_that_schedule():
    s = S.exponential_decay(0.1, gamma=0.9)
    np.testing.assert_array_equal(S.join([s], [])(np.arange(20)), s(np.arange(20)))


# --- return types and step validation ----------------------------------------------------


def test_scalar_gives_float_array_gives_float64_array():
    s = S.cosine_decay(0.1, decay_steps=10)
    assert type(s(3)) is float and type(s(np.int32(3))) is float
    out = s(np.arange(12, dtype=np.int32).reshape(3, 4))
    assert out.dtype == np.float64 and out.shape == (3, 4)
    assert S.constant(0.1)(np.arange(5)).dtype == np.float64
    assert S.constant(0.1)(np.array([], dtype=int)).shape == (0,)


@pytest.mark.parametrize("bad_step", [-1, 1.5, 2.0, np.array([0, -3]), np.array([0.5]), True, "3"])
def test_bad_step_raises_value_error_naming_step(bad_step):
    for s in (S.constant(0.1), S.one_cycle(0.1, 10), S.join([S.constant(1.0)] * 2, [3])):
        with pytest.raises(ValueError, match="step"):
            s(bad_step)


# --- properties (hypothesis) -------------------------------------------------------------

lrs_ = st.floats(1e-6, 10.0)
steps_ = st.integers(1, 300)
gammas = st.floats(0.5, 1.0)
modes = st.sampled_from(["triangular", "triangular2", "exp_range"])
anneals = st.sampled_from(["cos", "linear"])
pcts = st.floats(0.01, 0.99)
fractions = st.floats(0.0, 1.0)


@st.composite
def milestones_(draw):
    return sorted(draw(st.sets(st.integers(1, 300), min_size=1, max_size=5)))


def _cyclic(draw, momentum=False):
    low, high = sorted(
        [draw(fractions if momentum else lrs_), draw(fractions if momentum else lrs_)]
    )
    args = (low, high, draw(steps_), draw(st.none() | steps_))
    factory = S.cyclic_momentum if momentum else S.cyclic
    return factory(*args, mode=draw(modes), gamma=draw(gammas))


@st.composite
def any_schedule(draw):
    """A schedule from any factory, with valid random arguments."""
    kind = draw(st.sampled_from(sorted(_VALID_BUILDERS)))
    return _VALID_BUILDERS[kind](draw)


def _below(draw, high):
    return draw(st.floats(0.0, 1.0)) * high


_VALID_BUILDERS = {
    "constant": lambda d: S.constant(d(lrs_)),
    "step": lambda d: S.step_decay(d(lrs_), d(steps_), d(gammas)),
    "multistep": lambda d: S.multistep_decay(d(lrs_), d(milestones_()), d(gammas)),
    "exp": lambda d: S.exponential_decay(d(lrs_), d(gammas)),
    "inverse_time": lambda d: S.inverse_time_decay(d(lrs_), d(st.floats(0, 10)), d(steps_)),
    "poly": lambda d: (
        lambda lr: S.polynomial_decay(lr, d(steps_), _below(d, lr), d(st.floats(0.1, 4)))
    )(d(lrs_)),
    "cosine": lambda d: (lambda lr: S.cosine_decay(lr, d(steps_), _below(d, lr)))(d(lrs_)),
    "restarts": lambda d: (
        lambda lr: S.cosine_restarts(lr, d(steps_), d(st.integers(1, 4)), _below(d, lr))
    )(d(lrs_)),
    "cyclic": lambda d: _cyclic(d),
    "cyclic_momentum": lambda d: _cyclic(d, momentum=True),
    "one_cycle": lambda d: S.one_cycle(
        d(lrs_),
        d(steps_),
        d(pcts),
        d(anneals),
        d(st.floats(1, 100)),
        d(st.floats(1, 1e4)),
        d(st.booleans()),
    ),
    "one_cycle_momentum": lambda d: (
        lambda low, high: S.one_cycle_momentum(
            d(steps_), d(pcts), low, high, d(anneals), d(st.booleans())
        )
    )(*sorted([d(fractions), d(fractions)])),
    "linear_warmup": lambda d: (lambda lr: S.linear_warmup(lr, d(steps_), _below(d, lr)))(d(lrs_)),
    "inverse_sqrt": lambda d: S.inverse_sqrt(d(lrs_), d(steps_)),
    "wsd": lambda d: (
        lambda lr: S.warmup_stable_decay(
            lr, d(steps_), d(st.integers(0, 300)), d(steps_), _below(d, lr)
        )
    )(d(lrs_)),
}

STEPS = np.concatenate([np.arange(2000), [10**6, 10**9, 2**40]])


@FAST
@given(any_schedule())
def test_valid_arguments_give_finite_non_negative_values(schedule):
    lrs = schedule(STEPS)
    assert lrs.dtype == np.float64 and lrs.shape == STEPS.shape
    assert np.all(np.isfinite(lrs)) and np.all(lrs >= 0)


@FAST
@given(any_schedule(), st.lists(st.integers(0, 10**7), min_size=1, max_size=20))
def test_array_call_equals_scalar_calls(schedule, steps):
    lrs = schedule(np.array(steps))
    assert lrs.tolist() == [schedule(t) for t in steps]


def _non_increasing(lrs):
    return bool(np.all(np.diff(lrs) <= 0))


def _non_decreasing(lrs):
    return bool(np.all(np.diff(lrs) >= 0))


@FAST
@given(st.data())
def test_decays_never_increase(data):
    d = data.draw
    lr, n = d(lrs_), d(steps_)
    t = np.arange(3 * n + 10)
    for s in (
        S.step_decay(lr, n, d(gammas)),
        S.multistep_decay(lr, d(milestones_()), d(gammas)),
        S.exponential_decay(lr, d(gammas)),
        S.inverse_time_decay(lr, d(st.floats(0, 10)), n),
        S.polynomial_decay(lr, n, _below(d, lr), d(st.floats(0.1, 4))),
        S.cosine_decay(lr, n, _below(d, lr)),
    ):
        assert _non_increasing(s(t))
    restarts = S.cosine_restarts(lr, n, d(st.integers(1, 3)), _below(d, lr))
    assert _non_increasing(restarts(np.arange(n)))  # within the first cycle
    warmup = d(steps_)
    assert _non_increasing(S.inverse_sqrt(lr, warmup)(np.arange(warmup, warmup + 3 * n)))
    shape = d(st.sampled_from(sorted(WSD_COOLDOWNS)))
    wsd = S.warmup_stable_decay(lr, warmup, d(st.integers(0, 50)), n, _below(d, lr), shape)
    assert _non_increasing(wsd(np.arange(warmup, warmup + 100 + n)))
    one_cycle = S.one_cycle(lr, n, d(pcts), d(anneals))
    peak = int(np.argmax(one_cycle(t)))
    assert _non_increasing(one_cycle(t[peak:]))


@FAST
@given(st.data())
def test_warmups_never_decrease(data):
    d = data.draw
    lr, warmup = d(lrs_), d(steps_)
    t = np.arange(warmup + 1)
    assert _non_decreasing(S.linear_warmup(lr, warmup, _below(d, lr))(np.arange(3 * warmup)))
    assert _non_decreasing(S.inverse_sqrt(lr, warmup)(t))
    assert _non_decreasing(S.warmup_stable_decay(lr, warmup, d(steps_), d(steps_))(t))
    total, pct = d(steps_), d(pcts)
    end_of_warmup = math.floor(pct * total - 1)
    phase_1 = np.arange(max(end_of_warmup + 1, 0))
    assert _non_decreasing(S.one_cycle(lr, total, pct, d(anneals))(phase_1))


# --- invalid arguments: ValueError, and only ValueError, naming the argument --------------

# factory, valid keyword arguments
VALID = {
    S.constant: {"lr": 0.1},
    S.step_decay: {"initial_lr": 0.1, "step_size": 10, "gamma": 0.5},
    S.multistep_decay: {"initial_lr": 0.1, "milestones": [10, 20], "gamma": 0.5},
    S.exponential_decay: {"initial_lr": 0.1, "gamma": 0.9},
    S.inverse_time_decay: {"initial_lr": 0.1, "decay_rate": 0.5, "decay_steps": 10},
    S.polynomial_decay: {"initial_lr": 0.1, "decay_steps": 10, "final_lr": 0.01, "power": 2.0},
    S.cosine_decay: {"initial_lr": 0.1, "decay_steps": 10, "final_lr": 0.01},
    S.cosine_restarts: {
        "initial_lr": 0.1,
        "first_cycle_steps": 10,
        "cycle_mult": 2,
        "final_lr": 0.01,
    },
    S.cyclic: {
        "base_lr": 0.01,
        "max_lr": 0.1,
        "step_size_up": 5,
        "step_size_down": 6,
        "mode": "exp_range",
        "gamma": 0.9,
    },
    S.cyclic_momentum: {
        "base_momentum": 0.8,
        "max_momentum": 0.9,
        "step_size_up": 5,
        "step_size_down": 6,
        "mode": "triangular2",
        "gamma": 0.9,
    },
    S.one_cycle: {
        "max_lr": 0.1,
        "total_steps": 100,
        "pct_start": 0.3,
        "anneal": "linear",
        "div_factor": 10.0,
        "final_div_factor": 100.0,
        "three_phase": True,
    },
    S.one_cycle_momentum: {
        "total_steps": 100,
        "pct_start": 0.3,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
        "anneal": "cos",
        "three_phase": False,
    },
    S.linear_warmup: {"peak_lr": 0.1, "warmup_steps": 10, "start_lr": 0.01},
    S.inverse_sqrt: {"peak_lr": 0.1, "warmup_steps": 10},
    S.transformer_peak_lr: {"d_model": 512, "warmup_steps": 4000},
    S.warmup_stable_decay: {
        "peak_lr": 0.1,
        "warmup_steps": 10,
        "stable_steps": 20,
        "decay_steps": 10,
        "final_lr": 0.01,
    },
}

NOT_FINITE = [math.nan, math.inf, -math.inf]
NOT_A_NUMBER = ["0.1", None, True, [0.1]]
BAD_VALUES = {
    # argument name (or suffix) -> values that must be rejected
    "lr": [0.0, -0.1, *NOT_FINITE, *NOT_A_NUMBER],
    "final_lr": [-0.1, *NOT_FINITE, *NOT_A_NUMBER],  # 0 is fine: decay to nothing
    "start_lr": [-0.1, *NOT_FINITE, *NOT_A_NUMBER],
    "step_size_down": [0, -1, 2.5, *NOT_FINITE, "5"],  # None is fine: same as step_size_up
    "steps": [0, -1, 2.5, 10.0, *NOT_FINITE, *NOT_A_NUMBER],
    "step_size": [0, -1, 2.5, 10.0, *NOT_FINITE, *NOT_A_NUMBER],
    "gamma": [0.0, -0.5, 1.5, *NOT_FINITE, *NOT_A_NUMBER],
    "power": [0.0, -1.0, *NOT_FINITE, *NOT_A_NUMBER],
    "decay_rate": [-0.1, *NOT_FINITE, *NOT_A_NUMBER],
    "momentum": [-0.1, 1.5, *NOT_FINITE, *NOT_A_NUMBER],
    "pct_start": [0.0, 1.0, -0.2, 1.2, *NOT_FINITE, *NOT_A_NUMBER],
    "mode": ["triangle", "", None, 1],
    "anneal": ["cosine", "", None],
    "three_phase": [1, "yes", None],
    "div_factor": [0.0, -1.0, 0.5, *NOT_FINITE, *NOT_A_NUMBER],
    "cycle_mult": [0, 1.5, -2, *NOT_A_NUMBER],
    "milestones": [[0, 5], [5, 5], [10, 5], [1.5, 3], [math.nan], "abc", 10],
    "d_model": [0, -1, 1.5, *NOT_A_NUMBER],
}


def _bad_values_for(name):
    if name in BAD_VALUES:
        return BAD_VALUES[name]
    for suffix in ("lr", "steps", "momentum", "div_factor", "step_size"):
        if name.endswith(suffix) or name.startswith(suffix):
            return BAD_VALUES[suffix]
    raise KeyError(name)


INVALID_CASES = [
    (factory, name, bad)
    for factory, kwargs in VALID.items()
    for name in kwargs
    for bad in _bad_values_for(name)
    if not (name == "stable_steps" and bad == 0)  # a WSD without a plateau is valid
]


@pytest.mark.parametrize("factory", list(VALID), ids=lambda f: f.__name__)
def test_valid_arguments_are_accepted(factory):
    factory(**VALID[factory])


@FAST
@given(st.sampled_from(INVALID_CASES))
def test_invalid_argument_raises_value_error_naming_it(case):
    factory, name, bad = case
    with pytest.raises(ValueError, match=name):
        factory(**{**VALID[factory], name: bad})


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    [
        (S.polynomial_decay, {"initial_lr": 0.1, "decay_steps": 5, "final_lr": 0.2}, "final_lr"),
        (S.cosine_decay, {"initial_lr": 0.1, "decay_steps": 5, "final_lr": 0.2}, "final_lr"),
        (S.linear_warmup, {"peak_lr": 0.1, "warmup_steps": 5, "start_lr": 0.2}, "start_lr"),
        (S.cyclic, {"base_lr": 0.2, "max_lr": 0.1, "step_size_up": 5}, "max_lr"),
        (S.cyclic, {"base_lr": 0.1, "max_lr": 0.2, "step_size_up": 5, "mode": "x"}, "mode"),
        (S.cyclic_momentum, {"base_momentum": 0.9, "max_momentum": 0.8, "step_size_up": 5}, "max"),
        (
            S.one_cycle_momentum,
            {"total_steps": 5, "base_momentum": 0.9, "max_momentum": 0.8},
            "max",
        ),
        (
            S.warmup_stable_decay,
            {"peak_lr": 0.1, "warmup_steps": 2, "stable_steps": 3, "decay_steps": 4, "shape": "x"},
            "shape",
        ),
        (S.join, {"schedules": [], "boundaries": []}, "schedules"),
        (S.join, {"schedules": [S.constant(1.0), 3], "boundaries": [2]}, r"schedules\[1\]"),
        (S.join, {"schedules": [S.constant(1.0)] * 2, "boundaries": []}, "boundaries"),
        (S.join, {"schedules": [S.constant(1.0)] * 2, "boundaries": [0]}, "boundaries"),
        (S.join, {"schedules": [S.constant(1.0)] * 3, "boundaries": [5, 5]}, "boundaries"),
        (S.join, {"schedules": [S.constant(1.0)] * 3, "boundaries": [7, 5]}, "boundaries"),
        (S.join, {"schedules": [S.constant(1.0)] * 2, "boundaries": [2.5]}, "boundaries"),
    ],
)
def test_inconsistent_arguments_raise_value_error(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)


def test_error_message_names_argument_and_value():
    with pytest.raises(ValueError, match=r"^gamma must be in \(0.0, 1.0\], got 1.5$"):
        S.step_decay(0.1, step_size=10, gamma=1.5)
    with pytest.raises(ValueError, match=r"pct_start must be in \(0.0, 1.0\), got 1.0"):
        S.one_cycle(0.1, total_steps=10, pct_start=1.0)
