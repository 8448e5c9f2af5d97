"""Learning-rate schedules as pure functions of the 0-based step.

Each factory checks its arguments once and returns ``schedule(step) -> lr``.
``step`` is the number of optimizer steps already taken: ``schedule(0)`` is the
learning rate of the first update. A Python int gives a Python float; an integer
array gives a float64 array of the same shape, computed without a Python loop, so
a whole curve is one call:

>>> lrs = cosine_decay(initial_lr=0.1, decay_steps=100)(np.arange(101))
>>> lrs.shape, float(lrs[0]), float(lrs[100])
((101,), 0.1, 0.0)

A schedule keeps no state, so it cannot drift: evaluating step 5 twice, or out
of order, gives the same number. Where a PyTorch scheduler has the same shape,
the docstring names it, and ``tests/test_schedules.py`` checks the two against
each other value by value (float64, within 1e-12 relative). The arithmetic is
written in the same order as PyTorch's, which matters at the end of a cosine
decay to 0, where ``1 + cos(x)`` cancels and a one-ulp change in ``x`` moves
the result by about ``decay_steps`` ulps.

``lrkit.bridge.schedule_lr`` drives a ``torch.optim.Optimizer`` from any of them.
"""

from collections.abc import Callable, Sequence

import numpy as np

from lrkit._checks import (
    check_choice,
    check_in_range,
    check_int,
    check_non_negative,
    check_positive,
)

__all__ = [
    "Schedule",
    "constant",
    "step_decay",
    "multistep_decay",
    "exponential_decay",
    "inverse_time_decay",
    "polynomial_decay",
    "cosine_decay",
    "cosine_restarts",
    "cyclic",
    "cyclic_momentum",
    "one_cycle",
    "one_cycle_momentum",
    "linear_warmup",
    "inverse_sqrt",
    "transformer_peak_lr",
    "warmup_stable_decay",
    "join",
]

# schedule(step) -> lr, where step is an int (-> float) or an integer array (-> float64 array).
Schedule = Callable[..., float | np.ndarray]

_MAX_STEP = np.iinfo(np.int64).max
_CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
_ANNEAL_STRATEGIES = ("cos", "linear")
_WSD_SHAPES = ("linear", "cosine", "1-sqrt")


# --- plumbing: step validation and the public wrapper ------------------------------------


def _check_step(step) -> np.ndarray:
    """``step`` as an int64 array (0-d for a scalar); ValueError unless integers >= 0."""
    steps = np.asarray(step)
    if steps.dtype.kind not in "iu":
        raise ValueError(f"step must be an integer or an array of integers, got {step!r}")
    if steps.dtype.kind == "i" and steps.size and steps.min() < 0:
        raise ValueError(f"step must be >= 0, got {step!r}")
    if steps.dtype == np.uint64 and steps.size and steps.max() > _MAX_STEP:
        raise ValueError(f"step must be <= {_MAX_STEP}, got {step!r}")
    return steps.astype(np.int64, copy=False)


def _pure(curve: Callable[[np.ndarray], np.ndarray]) -> Schedule:
    """Wrap ``curve`` (1-d int64 steps -> float64 lrs of the same shape) into a public schedule.

    Curves work in place on the arrays they create (a 100,000-step curve costs
    little more than its one ``cos`` or ``**`` per step); a scalar step becomes
    a 1-element array, so there is one code path.
    """

    def schedule(step):
        steps = _check_step(step)
        lr = curve(steps.reshape(-1))
        return float(lr[0]) if steps.ndim == 0 else lr.reshape(steps.shape)

    return schedule


def _check_at_most(name, value, bound_name, bound):
    if value > bound:
        raise ValueError(f"{name} must be <= {bound_name} ({bound!r}), got {value!r}")


def _check_at_least_one(**kwargs):
    for name, value in kwargs.items():
        check_positive(**{name: value})
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value!r}")


def _int_power(base, exponents):
    """``base ** exponents`` for an integer array, bitwise equal to Python's ``float ** int``.

    A curve has few distinct exponents (``step // step_size``), so computing
    ``base ** k`` once per ``k`` and looking it up is much faster than a power per step.
    """
    if exponents.size > 64 and exponents.max() < exponents.size // 2:
        return (base ** np.arange(exponents.max() + 1))[exponents]
    return np.power(base, exponents, dtype=np.float64)


def _check_gamma(gamma):
    check_in_range("gamma", gamma, 0.0, 1.0, low_open=True)


# --- constant and step-wise decays -------------------------------------------------------


def constant(lr: float) -> Schedule:
    """The same learning rate at every step (PyTorch: no scheduler at all).

    >>> constant(0.1)(7)
    0.1
    """
    check_positive(lr=lr)
    return _pure(lambda t: np.full(t.shape, float(lr)))


def step_decay(initial_lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply by ``gamma`` every ``step_size`` steps: ``initial_lr * gamma**(step // step_size)``.

    Mirrors ``torch.optim.lr_scheduler.StepLR(step_size, gamma)`` and Keras
    ``ExponentialDecay(staircase=True)`` with ``decay_rate=gamma``.

    >>> s = step_decay(initial_lr=1.0, step_size=30, gamma=0.5)
    >>> s(29), s(30), s(60)
    (1.0, 0.5, 0.25)
    """
    check_positive(initial_lr=initial_lr)
    check_int("step_size", step_size, minimum=1)
    _check_gamma(gamma)
    return _pure(lambda t: np.multiply(_int_power(gamma, t // step_size), initial_lr))


def multistep_decay(initial_lr: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """Multiply by ``gamma`` at each milestone step (from that step on).

    Mirrors ``torch.optim.lr_scheduler.MultiStepLR(milestones, gamma)`` and Keras
    ``PiecewiseConstantDecay`` with values ``initial_lr * gamma**k``. The
    milestones are strictly increasing positive integers.

    >>> s = multistep_decay(initial_lr=1.0, milestones=[30, 80], gamma=0.1)
    >>> s(29), s(30), round(s(80), 12)
    (1.0, 0.1, 0.01)
    """
    check_positive(initial_lr=initial_lr)
    _check_gamma(gamma)
    if isinstance(milestones, str) or not isinstance(milestones, Sequence | np.ndarray):
        raise ValueError(f"milestones must be a sequence of integers, got {milestones!r}")
    for i, milestone in enumerate(milestones):
        check_int(f"milestones[{i}]", milestone, minimum=1)
    bounds = np.asarray(milestones, dtype=np.int64)
    decays = gamma ** np.arange(len(bounds) + 1)
    if np.any(np.diff(bounds) <= 0):
        raise ValueError(f"milestones must be strictly increasing, got {list(milestones)!r}")
    # the number of milestones already passed is the exponent of gamma
    return _pure(lambda t: initial_lr * decays[np.searchsorted(bounds, t, side="right")])


def exponential_decay(initial_lr: float, gamma: float) -> Schedule:
    """Multiply by ``gamma`` every step: ``initial_lr * gamma**step``.

    Mirrors ``torch.optim.lr_scheduler.ExponentialLR(gamma)`` and Keras
    ``ExponentialDecay(decay_steps=1, decay_rate=gamma)``. PyTorch multiplies the
    previous value by ``gamma`` at each step; the closed form here agrees with it
    to a few ulps after 100,000 steps.

    >>> s = exponential_decay(initial_lr=1.0, gamma=0.5)
    >>> s(0), s(3)
    (1.0, 0.125)
    """
    check_positive(initial_lr=initial_lr)
    _check_gamma(gamma)
    return _pure(lambda t: np.multiply(_int_power(gamma, t), initial_lr))


def inverse_time_decay(initial_lr: float, decay_rate: float, decay_steps: int = 1) -> Schedule:
    """``initial_lr / (1 + decay_rate * step / decay_steps)``: a 1/t decay.

    Mirrors Keras ``InverseTimeDecay(initial_lr, decay_steps, decay_rate,
    staircase=False)``; PyTorch has no class for it (use ``LambdaLR``). The
    time-based ``decay=`` argument of Keras' legacy optimizers applied the same
    formula once per update.

    This is NOT exponential decay, although its argument is called a "decay
    rate": the learning rate falls like ``1/step`` (halved at step
    ``decay_steps / decay_rate``, quartered only at three times that), whereas
    ``exponential_decay`` halves it again after every equal number of steps.

    >>> s = inverse_time_decay(initial_lr=1.0, decay_rate=1.0, decay_steps=10)
    >>> s(0), s(10), s(30)
    (1.0, 0.5, 0.25)
    """
    check_positive(initial_lr=initial_lr)
    check_non_negative(decay_rate=decay_rate)
    check_int("decay_steps", decay_steps, minimum=1)
    return _pure(lambda t: initial_lr / (1 + decay_rate * t / decay_steps))


# --- decays over a horizon: polynomial, cosine, cosine with restarts ---------------------


def polynomial_decay(
    initial_lr: float, decay_steps: int, final_lr: float = 0.0, power: float = 1.0
) -> Schedule:
    """``(initial_lr - final_lr) * (1 - step/decay_steps)**power + final_lr``, then ``final_lr``.

    Mirrors ``torch.optim.lr_scheduler.PolynomialLR(total_iters=decay_steps,
    power)`` when ``final_lr == 0`` (PyTorch has no end value) and Keras
    ``PolynomialDecay(cycle=False)``. After ``decay_steps`` the rate stays at
    ``final_lr``, as in both. ``power=1`` is a linear decay.

    >>> s = polynomial_decay(initial_lr=1.0, decay_steps=10, power=2.0)
    >>> s(0), s(5), s(10), s(1000)
    (1.0, 0.25, 0.0, 0.0)
    """
    check_positive(initial_lr=initial_lr, power=power)
    check_int("decay_steps", decay_steps, minimum=1)
    check_non_negative(final_lr=final_lr)
    _check_at_most("final_lr", final_lr, "initial_lr", initial_lr)

    def curve(t):
        lr = np.minimum(t, decay_steps) / decay_steps
        np.subtract(1.0, lr, out=lr)  # the fraction of the decay still to go
        lr **= power
        lr *= initial_lr - final_lr
        lr += final_lr
        return lr

    return _pure(curve)


def _half_cosine(high, low, steps_done, num_steps):
    """``low + (high - low) * (1 + cos(pi * steps_done / num_steps)) / 2``, as torch computes it.

    Goes from ``high`` at ``steps_done = 0`` to ``low`` at ``steps_done = num_steps``.
    """
    lr = steps_done.astype(np.float64)
    lr *= np.pi
    lr /= num_steps
    np.cos(lr, out=lr)
    lr += 1
    lr *= high - low
    lr /= 2
    lr += low
    return lr


def cosine_decay(initial_lr: float, decay_steps: int, final_lr: float = 0.0) -> Schedule:
    """Half a cosine from ``initial_lr`` to ``final_lr`` over ``decay_steps``, then ``final_lr``.

    Mirrors ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=decay_steps,
    eta_min=final_lr)`` for steps ``0..decay_steps`` (and Keras ``CosineDecay``,
    optax ``cosine_decay_schedule``). After the horizon the two differ on
    purpose: this one stays at ``final_lr``, while PyTorch's keeps following the
    cosine and climbs back to ``initial_lr`` at step ``2 * decay_steps`` (it is
    periodic, without being a warm restart).

    >>> s = cosine_decay(initial_lr=1.0, decay_steps=10)
    >>> s(0), s(5), s(10), s(20)
    (1.0, 0.5, 0.0, 0.0)
    """
    check_positive(initial_lr=initial_lr)
    check_int("decay_steps", decay_steps, minimum=1)
    check_non_negative(final_lr=final_lr)
    _check_at_most("final_lr", final_lr, "initial_lr", initial_lr)
    return _pure(
        lambda t: _half_cosine(initial_lr, final_lr, np.minimum(t, decay_steps), decay_steps)
    )


def cosine_restarts(
    initial_lr: float, first_cycle_steps: int, cycle_mult: int = 1, final_lr: float = 0.0
) -> Schedule:
    """Cosine decays restarted at ``initial_lr``; each cycle ``cycle_mult`` times longer (SGDR).

    Mirrors ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(T_0=first_cycle_steps,
    T_mult=cycle_mult, eta_min=final_lr)``. Cycle ``k`` lasts
    ``first_cycle_steps * cycle_mult**k`` steps and its last step is just above
    ``final_lr``: the rate never equals ``final_lr``, because the restart comes first.

    >>> s = cosine_restarts(initial_lr=1.0, first_cycle_steps=4, cycle_mult=2)
    >>> [round(s(t), 3) for t in range(13)]
    [1.0, 0.854, 0.5, 0.146, 1.0, 0.962, 0.854, 0.691, 0.5, 0.309, 0.146, 0.038, 1.0]
    """
    check_positive(initial_lr=initial_lr)
    check_int("first_cycle_steps", first_cycle_steps, minimum=1)
    check_int("cycle_mult", cycle_mult, minimum=1)
    check_non_negative(final_lr=final_lr)
    _check_at_most("final_lr", final_lr, "initial_lr", initial_lr)
    first, mult = int(first_cycle_steps), int(cycle_mult)

    # a table of cycle starts (cycle k starts at first * (mult**k - 1) / (mult - 1)) and
    # lengths, as far as int64 steps go: a step finds its cycle by binary search
    starts, lengths = [0], [first]
    while mult > 1 and starts[-1] + lengths[-1] <= _MAX_STEP:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(min(lengths[-1] * mult, _MAX_STEP))
    cycle_starts, cycle_lengths = np.array(starts), np.array(lengths)

    def cycle_position(t):
        """(steps into the current cycle, length of the current cycle), as integers."""
        if mult == 1:
            return t % first, first
        k = np.searchsorted(cycle_starts, t, side="right") - 1
        return t - cycle_starts[k], cycle_lengths[k]

    def curve(t):
        steps_done, cycle_steps = cycle_position(t)
        return _half_cosine(initial_lr, final_lr, steps_done, cycle_steps)

    return _pure(curve)


# --- cyclical schedules (CLR): learning rate and momentum share one triangle -------------


def _check_cyclic(step_size_up, step_size_down, mode, gamma):
    check_int("step_size_up", step_size_up, minimum=1)
    if step_size_down is not None:
        check_int("step_size_down", step_size_down, minimum=1)
    check_choice("mode", mode, _CYCLIC_MODES)
    _check_gamma(gamma)


def _cyclic_shape(t, step_size_up, step_size_down, mode, gamma):
    """(rise, scale) of CyclicLR at steps ``t``, in torch's arithmetic.

    ``rise`` goes 0 -> 1 over ``step_size_up`` steps and back to 0 over
    ``step_size_down``; ``scale`` shrinks the amplitude (1 for triangular,
    halved per cycle for triangular2, ``gamma**step`` for exp_range).
    """
    up = float(step_size_up)
    down = float(step_size_down) if step_size_down is not None else up
    total = up + down
    up_fraction = up / total
    x = t / total
    x += 1.0
    cycle = np.floor(x)  # 1-based
    x -= cycle  # position within the cycle, in [0, 1)
    rise = np.where(x <= up_fraction, x / up_fraction, (x - 1) / (up_fraction - 1))
    if mode == "triangular":
        scale = None
    elif mode == "triangular2":
        # torch: 1 / 2.0**(cycle - 1), the same number (an exact power of 2)
        scale = _int_power(0.5, cycle.astype(np.int64) - 1)
    else:
        scale = _int_power(gamma, t)
    return rise, scale


def _scaled_rise(t, amplitude, step_size_up, step_size_down, mode, gamma):
    """``amplitude * rise * scale`` at steps ``t``, multiplied in torch's order."""
    rise, scale = _cyclic_shape(t, step_size_up, step_size_down, mode, gamma)
    rise *= amplitude
    if scale is not None:
        rise *= scale
    return rise


def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Schedule:
    """Triangular cycles between ``base_lr`` and ``max_lr`` (Smith's cyclical learning rates).

    Mirrors ``torch.optim.lr_scheduler.CyclicLR(base_lr, max_lr, step_size_up,
    step_size_down, mode, gamma)``. The rate rises for ``step_size_up`` steps and
    falls for ``step_size_down`` (default: the same). ``mode="triangular2"`` halves
    the amplitude every cycle; ``mode="exp_range"`` multiplies it by
    ``gamma**step``. Pair it with ``cyclic_momentum`` for CyclicLR's momentum.

    >>> s = cyclic(base_lr=0.1, max_lr=0.5, step_size_up=2)
    >>> [round(s(t), 12) for t in range(6)]
    [0.1, 0.3, 0.5, 0.3, 0.1, 0.3]
    """
    check_positive(base_lr=base_lr, max_lr=max_lr)
    if max_lr < base_lr:
        raise ValueError(f"max_lr must be >= base_lr ({base_lr!r}), got {max_lr!r}")
    _check_cyclic(step_size_up, step_size_down, mode, gamma)

    def curve(t):
        lr = _scaled_rise(t, max_lr - base_lr, step_size_up, step_size_down, mode, gamma)
        lr += base_lr
        return lr

    return _pure(curve)


def cyclic_momentum(
    base_momentum: float,
    max_momentum: float,
    step_size_up: int,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Schedule:
    """The momentum CyclicLR pairs with ``cyclic``: high when the rate is low, and back.

    Mirrors the momentum set by ``torch.optim.lr_scheduler.CyclicLR(...,
    cycle_momentum=True, base_momentum, max_momentum)`` (torch's defaults are
    0.8 and 0.9). It starts at ``max_momentum``, reaches ``base_momentum`` when
    the learning rate peaks, and follows the same ``mode`` and ``gamma``.

    >>> s = cyclic_momentum(base_momentum=0.8, max_momentum=0.9, step_size_up=2)
    >>> [round(s(t), 12) for t in range(5)]
    [0.9, 0.85, 0.8, 0.85, 0.9]
    """
    check_in_range("base_momentum", base_momentum, 0.0, 1.0)
    check_in_range("max_momentum", max_momentum, 0.0, 1.0)
    if max_momentum < base_momentum:
        raise ValueError(
            f"max_momentum must be >= base_momentum ({base_momentum!r}), got {max_momentum!r}"
        )
    _check_cyclic(step_size_up, step_size_down, mode, gamma)

    def curve(t):
        amplitude = max_momentum - base_momentum
        momentum = _scaled_rise(t, amplitude, step_size_up, step_size_down, mode, gamma)
        return np.subtract(max_momentum, momentum, out=momentum)

    return _pure(curve)


# --- one cycle: learning rate and momentum share the phases ------------------------------


def _check_one_cycle(total_steps, pct_start, anneal, three_phase):
    check_int("total_steps", total_steps, minimum=1)
    check_in_range("pct_start", pct_start, 0.0, 1.0, low_open=True, high_open=True)
    check_choice("anneal", anneal, _ANNEAL_STRATEGIES)
    if not isinstance(three_phase, bool):
        raise ValueError(f"three_phase must be True or False, got {three_phase!r}")


def _one_cycle_curve(values, total_steps, pct_start, anneal, three_phase):
    """OneCycleLR's piecewise anneal through ``values`` (one value per phase boundary).

    The phase ends are torch's, float and all: phase 1 ends at step
    ``pct_start * total_steps - 1`` (not rounded), the last phase at
    ``total_steps - 1``. A step belongs to the first phase whose end it does
    not pass, or else to the last phase. When ``pct_start * total_steps < 1``
    phase 1 is skipped (step 0 is already past the peak), as in torch.
    """
    peak = float(pct_start * total_steps)
    if three_phase:
        ends = [peak - 1, float(2 * pct_start * total_steps) - 2, total_steps - 1]
    else:
        ends = [peak - 1, total_steps - 1]
    starts = [0.0, *ends[:-1]]
    phases = list(zip(starts, ends, values[:-1], values[1:], strict=True))

    def anneal_phase(t, start_step, end_step, start, end):
        # a phase of zero length (pct_start * total_steps == 1) counts as complete;
        # torch divides 0 by 0 there (ZeroDivisionError)
        span = end_step - start_step
        pct = (t - start_step) / span if span != 0 else np.ones(t.shape)
        if anneal == "linear":
            pct *= end - start
            pct += start
            return pct
        # torch: end + (start - end) / 2.0 * (cos(pi * pct) + 1)
        pct *= np.pi
        np.cos(pct, out=pct)
        pct += 1
        pct *= (start - end) / 2.0
        pct += end
        return pct

    def curve(t):
        # torch allows one step past the last (extrapolating), then raises: we stay at the end
        t = np.minimum(t, total_steps - 1)
        lr = np.empty(t.shape)
        unassigned = np.ones(t.shape, dtype=bool)
        for phase in phases[:-1]:
            in_phase = unassigned & (t <= phase[1])
            unassigned &= ~in_phase
            lr[in_phase] = anneal_phase(t[in_phase], *phase)
        lr[unassigned] = anneal_phase(t[unassigned], *phases[-1])
        return lr

    return curve


def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    """The 1cycle policy: up from ``max_lr/div_factor`` to ``max_lr``, then down to nearly 0.

    Mirrors ``torch.optim.lr_scheduler.OneCycleLR(max_lr, total_steps, pct_start,
    anneal_strategy=anneal, div_factor, final_div_factor, three_phase)``, with its
    exact phase boundaries:

    1. ``max_lr / div_factor`` -> ``max_lr``, ending at step ``pct_start * total_steps - 1``;
    2. (two phases, fastai's default) ``max_lr`` -> ``min_lr`` at step ``total_steps - 1``,
       where ``min_lr = max_lr / div_factor / final_div_factor``;
       (``three_phase=True``, Smith's paper) back down to ``max_lr / div_factor``
       at step ``2 * pct_start * total_steps - 2``, then to ``min_lr``.

    Step ``total_steps - 1`` is the last one with ``min_lr``; later steps stay
    there. (PyTorch lets you call ``scheduler.step()`` once more and then
    extrapolates the last phase: slightly above ``min_lr`` with ``anneal="cos"``,
    below it, usually negative, with ``"linear"``; one call later it raises.)

    >>> s = one_cycle(max_lr=1.0, total_steps=10, pct_start=0.5, anneal="linear")
    >>> [round(s(t), 4) for t in (0, 4, 9)]
    [0.04, 1.0, 0.0]
    """
    check_positive(max_lr=max_lr)
    _check_at_least_one(div_factor=div_factor, final_div_factor=final_div_factor)
    _check_one_cycle(total_steps, pct_start, anneal, three_phase)
    initial_lr = max_lr / div_factor
    min_lr = initial_lr / final_div_factor
    if three_phase:
        values = [initial_lr, max_lr, initial_lr, min_lr]
    else:
        values = [initial_lr, max_lr, min_lr]
    return _pure(_one_cycle_curve(values, total_steps, pct_start, anneal, three_phase))


def one_cycle_momentum(
    total_steps: int,
    pct_start: float = 0.3,
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    anneal: str = "cos",
    three_phase: bool = False,
) -> Schedule:
    """The momentum OneCycleLR pairs with ``one_cycle``: down while the rate goes up, and back.

    Mirrors the momentum (or Adam's ``beta1``) set by
    ``torch.optim.lr_scheduler.OneCycleLR(..., cycle_momentum=True,
    base_momentum, max_momentum)``: ``max_momentum`` -> ``base_momentum`` in
    phase 1, back to ``max_momentum`` in phase 2, and (three phases) constant
    at ``max_momentum`` in phase 3. Same phase boundaries as ``one_cycle``.

    >>> s = one_cycle_momentum(total_steps=10, pct_start=0.5, anneal="linear")
    >>> [round(s(t), 4) for t in (0, 4, 9)]
    [0.95, 0.85, 0.95]
    """
    check_in_range("base_momentum", base_momentum, 0.0, 1.0)
    check_in_range("max_momentum", max_momentum, 0.0, 1.0)
    if max_momentum < base_momentum:
        raise ValueError(
            f"max_momentum must be >= base_momentum ({base_momentum!r}), got {max_momentum!r}"
        )
    _check_one_cycle(total_steps, pct_start, anneal, three_phase)
    high, low = max_momentum, base_momentum
    values = [high, low, high, high] if three_phase else [high, low, high]
    return _pure(_one_cycle_curve(values, total_steps, pct_start, anneal, three_phase))


# --- warmups -----------------------------------------------------------------------------


def linear_warmup(peak_lr: float, warmup_steps: int, start_lr: float = 0.0) -> Schedule:
    """Linear from ``start_lr`` at step 0 to ``peak_lr`` at step ``warmup_steps``, then constant.

    Mirrors Hugging Face ``get_constant_schedule_with_warmup(num_warmup_steps=
    warmup_steps)`` when ``start_lr == 0`` (its first update has learning rate 0),
    and ``torch.optim.lr_scheduler.LinearLR(start_factor=start_lr/peak_lr,
    total_iters=warmup_steps)`` when ``start_lr > 0``.

    >>> s = linear_warmup(peak_lr=1.0, warmup_steps=4)
    >>> [s(t) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    check_positive(peak_lr=peak_lr)
    check_int("warmup_steps", warmup_steps, minimum=1)
    check_non_negative(start_lr=start_lr)
    _check_at_most("start_lr", start_lr, "peak_lr", peak_lr)

    def curve(t):
        ramp = start_lr + (peak_lr - start_lr) * (np.minimum(t, warmup_steps) / warmup_steps)
        # min: rounding must never carry the ramp above the peak
        return np.where(t >= warmup_steps, peak_lr, np.minimum(ramp, peak_lr))

    return _pure(curve)


def inverse_sqrt(peak_lr: float, warmup_steps: int) -> Schedule:
    """Linear warmup to ``peak_lr`` at ``warmup_steps``, then ``peak_lr * sqrt(warmup_steps/step)``.

    This is the Transformer schedule of Vaswani et al. (2017),
    ``lr(s) = d_model**-0.5 * min(s**-0.5, s * warmup**-1.5)``, rewritten around
    its peak: the two branches meet at ``s = warmup``, where the value is
    ``d_model**-0.5 * warmup**-0.5`` (``transformer_peak_lr``). With that
    ``peak_lr``, ``inverse_sqrt(peak_lr, warmup)(s)`` equals the paper's
    ``lr(s)`` for every ``s >= 1``. The paper counts steps from 1 (its first
    update uses ``lr(1) > 0``) while ``step`` here counts from 0, so our
    update number ``t`` uses the paper's value for ``s = t`` and the first update
    has learning rate 0, as in Hugging Face's warmup schedules; feed ``step + 1``
    to reproduce the paper's 1-based count. Fairseq's ``inverse_sqrt`` is the
    same shape. PyTorch has no class for it (use ``LambdaLR``).

    >>> s = inverse_sqrt(peak_lr=1.0, warmup_steps=4)
    >>> [s(t) for t in (0, 2, 4, 16)]
    [0.0, 0.5, 1.0, 0.5]
    """
    check_positive(peak_lr=peak_lr)
    check_int("warmup_steps", warmup_steps, minimum=1)

    def curve(t):
        warmup = peak_lr * (t / warmup_steps)
        decay = peak_lr * np.sqrt(warmup_steps / np.maximum(t, warmup_steps))
        return np.where(t < warmup_steps, warmup, decay)

    return _pure(curve)


def transformer_peak_lr(d_model: int, warmup_steps: int) -> float:
    """Peak of Vaswani et al.'s ``d_model**-0.5 * min(s**-0.5, s * warmup**-1.5)``.

    The peak is at ``s = warmup_steps`` and equals ``d_model**-0.5 * warmup_steps**-0.5``;
    for the base Transformer (``d_model=512``, 4000 warmup steps) it is about 7.0e-4.

    >>> d_model, warmup = 512, 4000
    >>> paper = lambda s: d_model**-0.5 * min(s**-0.5, s * warmup**-1.5)
    >>> best = max(range(1, 20_000), key=paper)
    >>> best, abs(paper(best) / transformer_peak_lr(d_model, warmup) - 1) < 1e-12
    (4000, True)
    >>> round(transformer_peak_lr(d_model, warmup), 7)
    0.0006988
    """
    check_int("d_model", d_model, minimum=1)
    check_int("warmup_steps", warmup_steps, minimum=1)
    return d_model**-0.5 * warmup_steps**-0.5


def warmup_stable_decay(
    peak_lr: float,
    warmup_steps: int,
    stable_steps: int,
    decay_steps: int,
    final_lr: float = 0.0,
    shape: str = "linear",
) -> Schedule:
    """Warmup-stable-decay (WSD, as in MiniCPM): a ramp, a long plateau, a short decay.

    1. linear warmup from 0 to ``peak_lr`` at step ``warmup_steps``;
    2. ``peak_lr`` for ``stable_steps`` steps (0 is allowed);
    3. a decay (the "cooldown") to ``final_lr``, reached at step
       ``warmup_steps + stable_steps + decay_steps`` and kept after it.

    The cooldown's ``shape``, with ``p`` the fraction of it done (0 to 1):

    - ``"linear"``: ``final_lr + (peak_lr - final_lr) * (1 - p)``, the default;
    - ``"cosine"``: ``final_lr + (peak_lr - final_lr) * (1 + cos(pi p)) / 2``;
    - ``"1-sqrt"``: ``final_lr + (peak_lr - final_lr) * (1 - sqrt(p))``, which drops fast
      and then lingers near the end (Hägele et al., 2024, found it better than linear).

    MiniCPM decays exponentially in phase 3; ``join`` builds other variants.
    PyTorch has no class for it.

    >>> s = warmup_stable_decay(peak_lr=1.0, warmup_steps=2, stable_steps=3, decay_steps=4)
    >>> [s(t) for t in range(11)]
    [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> s = warmup_stable_decay(1.0, warmup_steps=2, stable_steps=3, decay_steps=4, shape="1-sqrt")
    >>> [round(s(t), 3) for t in range(4, 11)]
    [1.0, 1.0, 0.5, 0.293, 0.134, 0.0, 0.0]
    """
    check_positive(peak_lr=peak_lr)
    check_int("warmup_steps", warmup_steps, minimum=1)
    check_int("stable_steps", stable_steps, minimum=0)
    check_int("decay_steps", decay_steps, minimum=1)
    check_non_negative(final_lr=final_lr)
    _check_at_most("final_lr", final_lr, "peak_lr", peak_lr)
    check_choice("shape", shape, _WSD_SHAPES)
    decay_start = warmup_steps + stable_steps
    decay_end = decay_start + decay_steps

    def cooldown(progress):
        if shape == "linear":
            return peak_lr - (peak_lr - final_lr) * progress
        if shape == "cosine":
            return final_lr + (peak_lr - final_lr) * 0.5 * (1.0 + np.cos(np.pi * progress))
        return final_lr + (peak_lr - final_lr) * (1.0 - np.sqrt(progress))

    def curve(t):
        warmup = peak_lr * (t / warmup_steps)
        progress = np.clip(t - decay_start, 0, decay_steps) / decay_steps
        # clip: rounding must never carry the decay above peak_lr or below final_lr
        decay = np.clip(cooldown(progress), final_lr, peak_lr)
        return np.select(
            [t < warmup_steps, t < decay_start, t < decay_end],
            [warmup, np.full(t.shape, float(peak_lr)), decay],
            default=final_lr,
        )

    return _pure(curve)


# --- composition -------------------------------------------------------------------------


def join(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Run ``schedules[i]`` on steps ``[boundaries[i-1], boundaries[i])``, each counting from 0.

    Same semantics as optax ``join_schedules``: the piece that starts at step
    ``b`` is called with ``step - b``. PyTorch's nearest equivalent is
    ``SequentialLR``. ``boundaries`` are strictly increasing positive integers,
    one fewer than ``schedules``.

    >>> warmup = linear_warmup(peak_lr=1.0, warmup_steps=2)
    >>> cosine = cosine_decay(initial_lr=1.0, decay_steps=4)
    >>> warmup_then_cosine = join([warmup, cosine], boundaries=[2])
    >>> [round(warmup_then_cosine(t), 3) for t in range(8)]
    [0.0, 0.5, 1.0, 0.854, 0.5, 0.146, 0.0, 0.0]
    """
    if isinstance(schedules, str) or not isinstance(schedules, Sequence) or not schedules:
        raise ValueError(f"schedules must be a non-empty sequence of schedules, got {schedules!r}")
    for i, piece in enumerate(schedules):
        if not callable(piece):
            raise ValueError(f"schedules[{i}] must be callable, got {piece!r}")
    if isinstance(boundaries, str) or not isinstance(boundaries, Sequence | np.ndarray):
        raise ValueError(f"boundaries must be a sequence of integers, got {boundaries!r}")
    if len(boundaries) != len(schedules) - 1:
        raise ValueError(
            f"boundaries must have len(schedules) - 1 = {len(schedules) - 1} entries, "
            f"got {len(boundaries)}"
        )
    for i, boundary in enumerate(boundaries):
        check_int(f"boundaries[{i}]", boundary, minimum=1)
    starts = [0, *(int(b) for b in boundaries)]
    if any(b <= a for a, b in zip(starts[1:], starts[2:], strict=False)):
        raise ValueError(f"boundaries must be strictly increasing, got {list(boundaries)!r}")
    pieces = list(schedules)

    def curve(t):
        lr = np.empty(t.shape)
        lr[:] = pieces[0](t)
        for start, piece in zip(starts[1:], pieces[1:], strict=True):
            later = t >= start
            lr[later] = piece(t[later] - start)
        return lr

    return _pure(curve)
