"""SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, AdamW, schedule-free SGD and AdamW, Lion and
Muon in numpy, from their equations.

The interface follows optax: a factory validates the hyperparameters once and returns an
:class:`Optimizer`; its ``init`` builds the state and its ``update`` is a pure function that
returns new parameters and a new state (it never mutates its inputs). The learning rate is an
argument of every step, so any schedule can drive it::

    opt = optimizers.adam()
    state = opt.init(params)
    for step in range(NUM_STEPS):
        params, state = opt.update(params, grad(params), state, lr=schedule(step))

Everything is float64. Each optimizer mirrors one ``torch.optim`` class *exactly*, including the
places where PyTorch differs from the textbook (each docstring says where);
``tests/test_optimizers.py`` runs both side by side and demands agreement to 1e-10. The
schedule-free pair mirrors the reference package ``schedulefree`` instead
(``tests/test_schedule_free.py``, same tolerance).

Notation in the docstrings: :math:`x` the parameters, :math:`g` the gradient, :math:`\\eta` the
learning rate of the current step, :math:`\\lambda` the weight decay, :math:`t = 1, 2, \\ldots`
the step count.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from lrkit._checks import (
    check_choice,
    check_in_range,
    check_int,
    check_non_negative,
    check_positive,
)

__all__ = [
    "AdagradState",
    "AdamState",
    "LionState",
    "MomentumState",
    "MuonState",
    "Optimizer",
    "RmspropState",
    "ScheduleFreeState",
    "SgdState",
    "adagrad",
    "adam",
    "adamw",
    "lion",
    "momentum",
    "muon",
    "nesterov",
    "newton_schulz",
    "rmsprop",
    "schedule_free_adamw",
    "schedule_free_eval_point",
    "schedule_free_sgd",
    "sgd",
]


class Optimizer(NamedTuple):
    """A named pair of pure functions: ``init(params) -> state`` and
    ``update(params, grads, state, lr) -> (params, state)``."""

    name: str
    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]


class SgdState(NamedTuple):
    count: int  # steps taken


class MomentumState(NamedTuple):
    count: int
    velocity: np.ndarray  # torch's "momentum_buffer"


class AdagradState(NamedTuple):
    count: int
    sum_sq: np.ndarray  # running *sum* of squared gradients, torch's "sum"


class RmspropState(NamedTuple):
    count: int
    square_avg: np.ndarray  # moving average of squared gradients
    velocity: np.ndarray  # momentum buffer (zeros when momentum == 0)


class AdamState(NamedTuple):
    count: int
    m: np.ndarray  # first moment, torch's "exp_avg"
    v: np.ndarray  # second moment, torch's "exp_avg_sq"


# ---------------------------------------------------------------------------------------------
# shared pieces


def _check_beta(name, value, *, allow_zero=True):
    check_in_range(name, value, 0.0, 1.0, low_open=not allow_zero, high_open=True)


def _zeros_like(params):
    return np.zeros_like(np.asarray(params, dtype=np.float64))


def _prepare(params, grads, lr):
    """Validate one step's inputs; return float64 arrays (``g`` is a fresh copy) and lr."""
    if isinstance(lr, np.ndarray) and lr.ndim == 0:
        lr = lr.item()  # a schedule evaluated at one step may hand back a 0-d array
    check_non_negative(lr=lr)
    x = np.asarray(params, dtype=np.float64)
    g = np.array(grads, dtype=np.float64)
    if g.shape != x.shape:
        raise ValueError(f"grads must have the shape of params {x.shape}, got {g.shape}")
    if not np.isfinite(g).all():
        bad = np.argwhere(~np.isfinite(g))[0]
        raise ValueError(f"grads must be finite, got {g[tuple(bad)]} at index {tuple(bad)}")
    return x, g, float(lr)


def _l2(g, x, weight_decay):
    """Coupled weight decay (L2): add lambda * x to the gradient, as every torch optimizer does
    except AdamW."""
    return g + weight_decay * x if weight_decay else g


# ---------------------------------------------------------------------------------------------
# SGD and its momentum variants


def sgd(weight_decay: float = 0.0) -> Optimizer:
    r"""Plain stochastic gradient descent.

    .. math::
        g \leftarrow g + \lambda x, \qquad x \leftarrow x - \eta\, g

    Mirrors ``torch.optim.SGD(params, lr, weight_decay=weight_decay)``.

    >>> opt = sgd()
    >>> x = np.array([1.0, -2.0])
    >>> x, state = opt.update(x, grads=np.array([1.0, 1.0]), state=opt.init(x), lr=0.5)
    >>> x
    array([ 0.5, -2.5])
    """
    check_non_negative(weight_decay=weight_decay)

    def init(params):
        return SgdState(count=0)

    def update(params, grads, state, lr):
        x, g, lr = _prepare(params, grads, lr)
        g = _l2(g, x, weight_decay)
        return x - lr * g, SgdState(count=state.count + 1)

    return Optimizer("sgd", init, update)


def _heavy_ball(name, beta, dampening, weight_decay, look_ahead):
    """The body shared by :func:`momentum` and :func:`nesterov` (torch.optim.SGD's branches)."""

    def init(params):
        return MomentumState(count=0, velocity=_zeros_like(params))

    def update(params, grads, state, lr):
        x, g, lr = _prepare(params, grads, lr)
        g = _l2(g, x, weight_decay)
        # 1) velocity: torch seeds it with the first gradient itself (no dampening on step 1),
        #    and with beta == 0 it keeps no buffer at all (dampening then has no effect)
        if state.count == 0 or beta == 0:
            v = g
        else:
            v = beta * state.velocity + (1.0 - dampening) * g
        # 2) Nesterov steps along the gradient plus the *new* velocity (a look-ahead)
        direction = g + beta * v if look_ahead else v
        return x - lr * direction, MomentumState(count=state.count + 1, velocity=v)

    return Optimizer(name, init, update)


def momentum(beta: float = 0.9, dampening: float = 0.0, weight_decay: float = 0.0) -> Optimizer:
    r"""SGD with (heavy-ball) momentum, in PyTorch's convention.

    .. math::
        g \leftarrow g + \lambda x, \qquad
        v_1 = g_1, \quad v_t = \beta v_{t-1} + (1 - \tau) g_t, \qquad
        x \leftarrow x - \eta\, v_t

    with :math:`\tau` the dampening. Mirrors
    ``torch.optim.SGD(params, lr, momentum=beta, dampening=dampening, weight_decay=...)``.

    Two ways this differs from textbook heavy ball:

    - The velocity holds *gradients*, not steps: :math:`\eta` multiplies it when it is used
      (Sutskever et al. write :math:`v \leftarrow \beta v - \eta g`, :math:`x \leftarrow x + v`).
      The two agree for a constant learning rate; when :math:`\eta` changes, torch rescales
      the whole accumulated velocity at once.
    - The first step sets :math:`v_1 = g_1` undamped, so with dampening the first step is
      larger than the later ones would suggest.

    Under a constant gradient the step tends to :math:`\eta g / (1 - \beta)` (10x for 0.9):

    >>> opt = momentum(beta=0.9)
    >>> x = np.zeros(1)
    >>> state = opt.init(x)
    >>> for _ in range(200):
    ...     x_new, state = opt.update(x, grads=np.ones(1), state=state, lr=0.1)
    ...     step, x = x - x_new, x_new
    >>> float(step[0].round(6))
    1.0
    """
    _check_beta("beta", beta)
    check_in_range("dampening", dampening, 0.0, 1.0)
    check_non_negative(weight_decay=weight_decay)
    return _heavy_ball("momentum", beta, dampening, weight_decay, look_ahead=False)


def nesterov(beta: float = 0.9, weight_decay: float = 0.0) -> Optimizer:
    r"""SGD with Nesterov momentum, in PyTorch's (Sutskever et al.'s reformulated) form.

    .. math::
        g \leftarrow g + \lambda x, \qquad
        v_1 = g_1, \quad v_t = \beta v_{t-1} + g_t, \qquad
        x \leftarrow x - \eta\, (g_t + \beta v_t)

    The gradient is taken at the current point, not at a look-ahead point: the look-ahead is
    folded into the update direction :math:`g + \beta v`. Mirrors
    ``torch.optim.SGD(params, lr, momentum=beta, nesterov=True, weight_decay=...)``, which,
    like this function, needs ``beta > 0`` (and has no dampening).

    The first step is :math:`\eta (1 + \beta) g`, larger than plain momentum's :math:`\eta g`:

    >>> opt = nesterov(beta=0.9)
    >>> x = np.zeros(1)
    >>> x, state = opt.update(x, grads=np.ones(1), state=opt.init(x), lr=0.1)
    >>> float(-x[0])
    0.19
    """
    _check_beta("beta", beta, allow_zero=False)
    check_non_negative(weight_decay=weight_decay)
    return _heavy_ball("nesterov", beta, 0.0, weight_decay, look_ahead=True)


# ---------------------------------------------------------------------------------------------
# adaptive methods


def adagrad(
    eps: float = 1e-10, initial_accumulator: float = 0.0, weight_decay: float = 0.0
) -> Optimizer:
    r"""AdaGrad: divide by the root of the *sum* of all squared gradients so far.

    .. math::
        g \leftarrow g + \lambda x, \qquad
        s_t = s_{t-1} + g_t^2 \;(s_0 = \text{initial\_accumulator}), \qquad
        x \leftarrow x - \eta\, \frac{g_t}{\sqrt{s_t} + \epsilon}

    Mirrors ``torch.optim.Adagrad(params, lr, lr_decay=0, eps=eps,
    initial_accumulator_value=initial_accumulator, weight_decay=...)``.
    Because :math:`s_t` only grows, the effective step size decays like :math:`1/\sqrt{t}` on
    its own: under a constant gradient the step at :math:`t` is
    :math:`\eta g / (\sqrt{t}\,|g| + \epsilon)`.

    >>> opt = adagrad()
    >>> x = np.zeros(1)
    >>> state = opt.init(x)
    >>> for _ in range(4):
    ...     x_new, state = opt.update(x, grads=np.array([5.0]), state=state, lr=1.0)
    ...     step, x = x - x_new, x_new
    >>> float(step[0].round(10))  # 1 / sqrt(4)
    0.5
    """
    check_positive(eps=eps)
    check_non_negative(initial_accumulator=initial_accumulator, weight_decay=weight_decay)

    def init(params):
        sum_sq = np.full_like(np.asarray(params, dtype=np.float64), initial_accumulator)
        return AdagradState(count=0, sum_sq=sum_sq)

    def update(params, grads, state, lr):
        x, g, lr = _prepare(params, grads, lr)
        g = _l2(g, x, weight_decay)
        sum_sq = state.sum_sq + g * g
        x = x - lr * (g / (np.sqrt(sum_sq) + eps))
        return x, AdagradState(count=state.count + 1, sum_sq=sum_sq)

    return Optimizer("adagrad", init, update)


def rmsprop(
    alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0
) -> Optimizer:
    r"""RMSprop: divide by the root of a *moving average* of squared gradients.

    .. math::
        g \leftarrow g + \lambda x, \qquad
        s_t = \alpha s_{t-1} + (1 - \alpha) g_t^2 \;(s_0 = 0), \qquad
        d_t = \frac{g_t}{\sqrt{s_t} + \epsilon}

    then :math:`x \leftarrow x - \eta\, d_t` without momentum, or with momentum :math:`\mu`:
    :math:`b_t = \mu b_{t-1} + d_t` (:math:`b_0 = 0`), :math:`x \leftarrow x - \eta\, b_t`.

    Mirrors ``torch.optim.RMSprop(params, lr, alpha=alpha, eps=eps, weight_decay=...,
    momentum=momentum)`` (``centered=False``). PyTorch's conventions, which other libraries
    do not share:

    - :math:`\epsilon` is added *outside* the square root (TensorFlow/Keras put it inside);
    - :math:`s` starts at 0 and is not bias-corrected, so the first steps are large:
      step 1 is :math:`\eta / \sqrt{1 - \alpha} = 10\eta` per coordinate for
      :math:`\alpha = 0.99`;
    - the momentum buffer starts at 0 (unlike SGD's, which starts at :math:`g_1`), and
      :math:`\eta` multiplies the buffer when it is used rather than entering it.

    >>> opt = rmsprop(alpha=0.99)
    >>> x = np.zeros(2)
    >>> x, state = opt.update(x, grads=np.array([2.0, -50.0]), state=opt.init(x), lr=0.01)
    >>> x.round(6)
    array([-0.1,  0.1])
    """
    _check_beta("alpha", alpha)
    check_positive(eps=eps)
    check_non_negative(weight_decay=weight_decay)
    _check_beta("momentum", momentum)

    def init(params):
        return RmspropState(count=0, square_avg=_zeros_like(params), velocity=_zeros_like(params))

    def update(params, grads, state, lr):
        x, g, lr = _prepare(params, grads, lr)
        g = _l2(g, x, weight_decay)
        square_avg = alpha * state.square_avg + (1.0 - alpha) * (g * g)
        direction = g / (np.sqrt(square_avg) + eps)
        velocity = state.velocity
        if momentum > 0:
            velocity = momentum * velocity + direction
            direction = velocity
        new_state = RmspropState(state.count + 1, square_avg, velocity)
        return x - lr * direction, new_state

    return Optimizer("rmsprop", init, update)


def _adam_family(name, beta1, beta2, eps, weight_decay, decoupled):
    """Adam's body, shared by :func:`adam` (L2 in the gradient) and :func:`adamw` (decoupled)."""
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    check_positive(eps=eps)
    check_non_negative(weight_decay=weight_decay)

    def init(params):
        return AdamState(count=0, m=_zeros_like(params), v=_zeros_like(params))

    def update(params, grads, state, lr):
        x, g, lr = _prepare(params, grads, lr)
        t = state.count + 1
        # 1) weight decay: AdamW shrinks x directly (outside the adaptive scaling);
        #    Adam adds lambda * x to the gradient, where the scaling below normalizes it away
        if decoupled:
            x = x * (1.0 - lr * weight_decay)
        else:
            g = _l2(g, x, weight_decay)
        # 2) moving averages of g and g^2, both started at zero
        m = beta1 * state.m + (1.0 - beta1) * g
        v = beta2 * state.v + (1.0 - beta2) * (g * g)
        # 3) bias correction, with eps added to the *corrected* root (torch's placement)
        step_size = lr / (1.0 - beta1**t)
        denom = np.sqrt(v) / np.sqrt(1.0 - beta2**t) + eps
        return x - step_size * (m / denom), AdamState(count=t, m=m, v=v)

    return Optimizer(name, init, update)


def adam(
    beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0
) -> Optimizer:
    r"""Adam, with bias correction and (optional) coupled L2 weight decay.

    .. math::
        g \leftarrow g + \lambda x, \quad
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \\
        x \leftarrow x - \frac{\eta}{1 - \beta_1^t}\,
        \frac{m_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}

    Mirrors ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)``. Note that torch's ``weight_decay`` for *Adam* is L2 added
    to the gradient, so it is divided by :math:`\sqrt{v}` like the rest of the gradient: that is
    not weight decay in the sense of :func:`adamw` (Loshchilov and Hutter, 2019).

    Bias correction makes the first step :math:`\eta\, g / (|g| + \epsilon)`, about
    :math:`\eta` per coordinate whatever the gradient's scale:

    >>> opt = adam()
    >>> x = np.zeros(2)
    >>> x, state = opt.update(x, grads=np.array([0.5, -50.0]), state=opt.init(x), lr=0.1)
    >>> x.round(6)
    array([-0.1,  0.1])
    """
    return _adam_family("adam", beta1, beta2, eps, weight_decay, decoupled=False)


def adamw(
    beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 1e-2
) -> Optimizer:
    r"""AdamW: Adam with decoupled weight decay.

    .. math::
        x \leftarrow (1 - \eta \lambda)\, x, \quad \text{then Adam's step with } \lambda = 0

    (Adam's step: the equations of :func:`adam`).

    Mirrors ``torch.optim.AdamW(params, lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)``, whose default ``weight_decay`` is 1e-2 (Adam's is 0).
    In PyTorch the shrink factor is :math:`\eta\lambda`: the decay follows the learning-rate
    schedule and is *multiplied by the learning rate*, so ``weight_decay=1e-2`` at
    ``lr=1e-3`` shrinks the weights by 1e-5 per step. (The paper writes
    :math:`\eta_t \lambda` with :math:`\eta_t` a schedule *multiplier*, not the learning rate.)

    With a zero gradient, only the decay acts:

    >>> opt = adamw(weight_decay=0.1)
    >>> x = np.array([2.0])
    >>> x, state = opt.update(x, grads=np.zeros(1), state=opt.init(x), lr=0.5)
    >>> float(x[0])  # 2 * (1 - 0.5 * 0.1)
    1.9
    """
    return _adam_family("adamw", beta1, beta2, eps, weight_decay, decoupled=True)


# ---------------------------------------------------------------------------------------------
# schedule-free SGD and AdamW (Defazio et al., 2024)


class ScheduleFreeState(NamedTuple):
    count: int
    z: np.ndarray  # the base sequence: plain SGD (or Adam) steps, taken at y
    x: np.ndarray  # the weighted average of z: the point to evaluate and to keep
    v: np.ndarray  # second moment of the gradients (AdamW only; zeros for SGD)
    lr_max: float  # the largest learning rate seen so far
    weight_sum: float  # sum of the averaging weights so far


def schedule_free_eval_point(state: ScheduleFreeState) -> np.ndarray:
    """The point a schedule-free run should be evaluated at (and saved): the average ``x``.

    ``params`` of a schedule-free optimizer hold ``y``, where gradients are taken; the
    reference package swaps ``x`` into the model with ``optimizer.eval()``.
    """
    if not isinstance(state, ScheduleFreeState):
        raise ValueError(f"state must be a ScheduleFreeState, got {type(state).__name__}")
    return state.x.copy()


def _schedule_free(name, beta1, weight_decay, r, weight_lr_power, beta2=None, eps=None):
    """The body shared by :func:`schedule_free_sgd` and :func:`schedule_free_adamw` (which
    passes ``beta2`` and ``eps``: Adam's scaling of the z step)."""
    adaptive = beta2 is not None

    def init(params):
        start = np.array(params, dtype=np.float64)
        return ScheduleFreeState(0, start, start.copy(), _zeros_like(params), 0.0, 0.0)

    def update(params, grads, state, lr):
        y, g, lr = _prepare(params, grads, lr)
        t = state.count + 1
        # 1) averaging weight c_t = w_t / sum(w): w_t = t**r * lr_max**weight_lr_power
        lr_max = max(lr, state.lr_max)
        weight = t**r * lr_max**weight_lr_power
        weight_sum = state.weight_sum + weight
        c = weight / weight_sum if weight_sum > 0 else 0.0
        # 2) the base step on z, with the gradient (and weight decay) taken at y
        v = state.v
        if adaptive:
            v = beta2 * v + (1.0 - beta2) * (g * g)
            g = g / (np.sqrt(v / (1.0 - beta2**t)) + eps)
        z = state.z - lr * (g + weight_decay * y)
        # 3) x: running weighted average of z; y: between x and z
        x = (1.0 - c) * state.x + c * z
        y = beta1 * x + (1.0 - beta1) * z
        return y, ScheduleFreeState(t, z, x, v, lr_max, weight_sum)

    return Optimizer(name, init, update)


def _check_schedule_free(weight_decay, r, weight_lr_power):
    check_non_negative(weight_decay=weight_decay, r=r, weight_lr_power=weight_lr_power)


def schedule_free_sgd(
    beta: float = 0.9, weight_decay: float = 0.0, r: float = 0.0, weight_lr_power: float = 2.0
) -> Optimizer:
    r"""Schedule-free SGD (Defazio et al., 2024): averaging in place of a decaying schedule.

    Three sequences, all started at the initial parameters:

    .. math::
        y_t = \beta x_t + (1 - \beta) z_t, \qquad
        z_{t+1} = z_t - \eta_t\, (\nabla f(y_t) + \lambda y_t), \qquad
        x_{t+1} = (1 - c_{t+1})\, x_t + c_{t+1} z_{t+1}

    with :math:`c_t = w_t / \sum_{i \le t} w_i` and
    :math:`w_t = t^r \max_{i \le t}(\eta_i)^{p}` (``p = weight_lr_power``). With a constant
    rate and ``r = 0``, ``x`` is the plain average of all the ``z``: Polyak-Ruppert averaging
    of an SGD run, with the gradient taken at the interpolation ``y``.

    ``params`` (what ``update`` takes and returns) hold ``y``, the point where the next
    gradient must be computed. The point to evaluate, report and save is ``x``:
    :func:`schedule_free_eval_point` returns it. Mirrors
    ``schedulefree.SGDScheduleFree(params, lr, momentum=beta, weight_decay=...,
    warmup_steps=0, r=r, weight_lr_power=...)`` in train mode, with ``lr`` the scheduled
    rate of each step (a warmup is a schedule you pass in, as for every lrkit optimizer).

    Under a constant gradient, z moves by ``lr * g`` per step and x is the running mean of z:

    >>> opt = schedule_free_sgd(beta=0.9)
    >>> y = np.zeros(1)
    >>> state = opt.init(y)
    >>> for _ in range(3):
    ...     y, state = opt.update(y, grads=np.ones(1), state=state, lr=1.0)
    >>> state.z, schedule_free_eval_point(state)  # z = -1, -2, -3; x = their mean
    (array([-3.]), array([-2.]))
    """
    _check_beta("beta", beta, allow_zero=False)
    _check_schedule_free(weight_decay, r, weight_lr_power)
    return _schedule_free("schedule_free_sgd", beta, weight_decay, r, weight_lr_power)


def schedule_free_adamw(
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    r: float = 0.0,
    weight_lr_power: float = 2.0,
) -> Optimizer:
    r"""Schedule-free AdamW (Defazio et al., 2024): :func:`schedule_free_sgd` with Adam's scaling.

    As :func:`schedule_free_sgd`, with ``beta1`` in the role of ``beta`` and the z step

    .. math::
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad
        z_{t+1} = z_t - \eta_t \left(\frac{g_t}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}
        + \lambda y_t\right)

    (no first moment: the interpolation ``y`` plays momentum's part; the weight decay is
    taken at ``y``, outside the scaling). Mirrors ``schedulefree.AdamWScheduleFree(params,
    lr, betas=(beta1, beta2), eps=eps, weight_decay=..., warmup_steps=0, r=r,
    weight_lr_power=...)`` in train mode.

    The first z step is about ``lr`` per coordinate, whatever the gradient's scale:

    >>> opt = schedule_free_adamw()
    >>> y = np.zeros(2)
    >>> y, state = opt.update(y, grads=np.array([0.5, -50.0]), state=opt.init(y), lr=0.1)
    >>> state.z.round(6)
    array([-0.1,  0.1])
    """
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    check_positive(eps=eps)
    _check_schedule_free(weight_decay, r, weight_lr_power)
    return _schedule_free(
        "schedule_free_adamw", beta1, weight_decay, r, weight_lr_power, beta2=beta2, eps=eps
    )


# ---------------------------------------------------------------------------------------------
# sign and orthogonalized updates (Lion, Muon): the update's size no longer follows the gradient's


class LionState(NamedTuple):
    count: int
    m: np.ndarray  # moving average of gradients, lion-pytorch's "exp_avg"


class MuonState(NamedTuple):
    count: int
    velocity: np.ndarray  # torch's "momentum_buffer" (an average of gradients, not a sum)


def lion(beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0) -> Optimizer:
    r"""Lion (Chen et al., 2023): the *sign* of an interpolation of momentum and gradient.

    .. math::
        c_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        x \leftarrow (1 - \eta\lambda)\, x - \eta\, \mathrm{sign}(c_t), \qquad
        m_t = \beta_2 m_{t-1} + (1 - \beta_2) g_t

    Two betas with two jobs: :math:`\beta_1` mixes the gradient into the step's direction,
    :math:`\beta_2` (slower) is the memory. Mirrors ``lion_pytorch.Lion(params, lr,
    betas=(beta1, beta2), weight_decay=weight_decay)`` (lion-pytorch 0.2.5), whose weight
    decay is decoupled and multiplied by the rate, like AdamW's.

    Every coordinate moves by exactly :math:`\eta` (unless :math:`c` is 0), so the update's
    RMS is :math:`\eta` whatever the gradient's scale. That is why Lion's rate is set 3-10x
    smaller than AdamW's, whose update RMS is usually well below :math:`\eta`:

    >>> opt = lion()
    >>> x = np.zeros(3)
    >>> x, state = opt.update(x, grads=np.array([1e-6, -30.0, 0.0]), state=opt.init(x), lr=0.1)
    >>> x
    array([-0.1,  0.1,  0. ])
    """
    _check_beta("beta1", beta1)
    _check_beta("beta2", beta2)
    check_non_negative(weight_decay=weight_decay)

    def init(params):
        return LionState(count=0, m=_zeros_like(params))

    def update(params, grads, state, lr):
        x, g, lr = _prepare(params, grads, lr)
        # 1) decoupled weight decay, 2) a sign step along the interpolation, 3) the memory
        x = x * (1.0 - lr * weight_decay)
        x = x - lr * np.sign(beta1 * state.m + (1.0 - beta1) * g)
        m = beta2 * state.m + (1.0 - beta2) * g
        return x, LionState(count=state.count + 1, m=m)

    return Optimizer("lion", init, update)


MUON_COEFFICIENTS = (3.4445, -4.7750, 2.0315)  # Jordan et al. 2024, as in torch.optim.Muon
MUON_SCALINGS = ("original", "match_rms_adamw")


def newton_schulz(
    matrix, num_steps: int = 5, coefficients=MUON_COEFFICIENTS, eps: float = 1e-7
) -> np.ndarray:
    r"""Push every singular value of ``matrix`` towards 1 (about :math:`U V^\top` of its SVD).

    Divide by the Frobenius norm (so every singular value is at most 1), then repeat
    ``num_steps`` times the odd quintic :math:`X \leftarrow aX + (bA + cA^2)X` with
    :math:`A = XX^\top`, on the wide orientation of the matrix. With Jordan et al.'s
    coefficients the singular values land between about 0.7 and 1.1, not exactly at 1: the
    coefficients trade accuracy for speed (a singular value 100x below the largest is
    lifted as far as the largest). Mirrors torch's
    ``_zeropower_via_newtonschulz`` in float64 (torch computes in bfloat16).

    >>> q = newton_schulz(np.diag([1.0, 1e-2]))
    >>> np.linalg.svd(q, compute_uv=False).round(2)
    array([0.7, 0.7])
    """
    check_int("num_steps", num_steps, minimum=1)
    check_positive(eps=eps)
    if len(coefficients) != 3:
        raise ValueError(f"coefficients must be 3 numbers (a, b, c), got {coefficients!r}")
    a, b, c = (float(k) for k in coefficients)
    x = np.array(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"matrix must be 2-D, got shape {x.shape}")
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.T
    x = x / max(np.linalg.norm(x), eps)
    for _ in range(num_steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


def muon(
    beta: float = 0.95,
    nesterov: bool = True,
    weight_decay: float = 0.1,
    scaling: str = "original",
    num_ns_steps: int = 5,
    coefficients=MUON_COEFFICIENTS,
    eps: float = 1e-7,
) -> Optimizer:
    r"""Muon (Jordan et al., 2024): momentum, orthogonalized, for 2-D weight matrices.

    .. math::
        v_t = \beta v_{t-1} + (1 - \beta) g_t \;(v_0 = 0), \qquad
        u_t = (1 - \beta) g_t + \beta v_t \;\text{(Nesterov; else } u_t = v_t), \\
        x \leftarrow (1 - \eta\lambda)\, x - \eta\, s\, \mathrm{NS}(u_t)

    with :math:`\mathrm{NS}` :func:`newton_schulz` and :math:`s` the shape's scaling for an
    :math:`A \times B` matrix: ``"original"`` (Jordan's) :math:`\sqrt{\max(1, A/B)}`, or
    ``"match_rms_adamw"`` (Liu et al., 2025) :math:`0.2\sqrt{\max(A, B)}`, which gives
    the update an RMS of about 0.2, like AdamW's, so AdamW's rate and weight decay can be
    reused. Mirrors ``torch.optim.Muon(params, lr, weight_decay, momentum=beta,
    nesterov=nesterov, ns_coefficients=coefficients, eps=eps, ns_steps=num_ns_steps,
    adjust_lr_fn=scaling)`` of torch 2.13: its momentum is an *average* (``lerp``), not the
    sum its docstring writes, and its weight decay uses the unscaled rate.

    Whatever the gradient's scale, the update's singular values are near 1:

    >>> opt = muon(weight_decay=0.0)
    >>> x = np.zeros((2, 2))
    >>> x, state = opt.update(x, grads=np.diag([500.0, 5.0]), state=opt.init(x), lr=1.0)
    >>> np.linalg.svd(x, compute_uv=False).round(2)
    array([0.7, 0.7])
    """
    _check_beta("beta", beta)
    check_non_negative(weight_decay=weight_decay)
    check_choice("scaling", scaling, MUON_SCALINGS)
    newton_schulz(np.eye(2), num_ns_steps, coefficients, eps)  # validates the NS arguments

    def init(params):
        return MuonState(count=0, velocity=_zeros_like(_matrix(params)))

    def update(params, grads, state, lr):
        x, g, lr = _prepare(_matrix(params), grads, lr)
        # 1) momentum as a moving average, with an optional Nesterov look-ahead
        v = beta * state.velocity + (1.0 - beta) * g
        u = (1.0 - beta) * g + beta * v if nesterov else v
        # 2) orthogonalize, scale for the shape, decay, step
        rows, cols = x.shape
        if scaling == "original":
            scale = np.sqrt(max(1.0, rows / cols))
        else:
            scale = 0.2 * np.sqrt(max(rows, cols))
        x = x * (1.0 - lr * weight_decay)
        x = x - lr * scale * newton_schulz(u, num_ns_steps, coefficients, eps)
        return x, MuonState(count=state.count + 1, velocity=v)

    return Optimizer("muon", init, update)


def _matrix(params):
    x = np.asarray(params, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(
            f"params must be a 2-D matrix for muon (use another optimizer for biases), "
            f"got shape {x.shape}"
        )
    return x
