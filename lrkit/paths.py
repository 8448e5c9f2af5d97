"""The optimizer playground's reference: one optimizer's path on a 2-D problem, with optional
seeded gradient noise and a schedule, and the stability limits the page shows.

The page ``chapters/playground.md`` runs a JavaScript port of :func:`run`; the browser tests
compare the two to 1e-9. Everything here is built from lrkit's own pieces
(``problems``, ``optimizers``, ``schedules``, ``training.gradient_descent``) except the noise
source, which must be reproducible in JavaScript: numpy's generators are not, so the noise
comes from mulberry32 (a 32-bit generator that is a few lines in any language) turned into
normal draws by the Box-Muller transform.

>>> path = run(problem="quadratic", condition_number=10.0, optimizer="gd", lr=0.1,
...            x0=(1.0, 1.0), num_steps=2)
>>> path.xs.round(6).tolist()  # each coordinate shrinks by 1 - lr * h: 0.9 and 0.0
[[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]]
>>> stability_limits(smoothness=10.0, beta=0.9)["heavy_ball"]
0.38
"""

import numpy as np

from lrkit import optimizers, problems, schedules
from lrkit._checks import (
    check_choice,
    check_in_range,
    check_int,
    check_non_negative,
    check_positive,
)
from lrkit.training import gradient_descent

__all__ = [
    "PROBLEMS",
    "OPTIMIZERS",
    "SCHEDULES",
    "make_problem",
    "mulberry32",
    "noise_floor",
    "run",
    "smoothness",
    "stability_limits",
    "standard_normals",
]

PROBLEMS = ("quadratic", "rosenbrock")
OPTIMIZERS = ("gd", "momentum", "nesterov", "adam")
SCHEDULES = ("constant", "step", "cosine")
_UINT32 = 0xFFFFFFFF


def stability_limits(smoothness, beta):
    r"""The largest stable learning rates on a quadratic whose largest curvature is ``smoothness``.

    - ``gd``: :math:`2/L` (gradient descent multiplies the error by :math:`1 - \eta L`);
    - ``heavy_ball``: :math:`2(1+\beta)/L` (momentum; its characteristic polynomial
      :math:`z^2 - (1 + \beta - \eta L) z + \beta` has the root :math:`z = -1` there);
    - ``nesterov``: :math:`2(1+\beta)/((1+2\beta)L)` (the root :math:`z = -1` of
      :math:`z^2 - (1 - \eta L)(1 + \beta) z + (1 - \eta L)\beta`).

    >>> {k: round(v, 6) for k, v in stability_limits(smoothness=1.0, beta=0.5).items()}
    {'gd': 2.0, 'heavy_ball': 3.0, 'nesterov': 1.5}
    """
    check_positive(smoothness=smoothness)
    check_in_range("beta", beta, 0.0, 1.0, high_open=True)
    return {
        "gd": 2.0 / smoothness,
        "heavy_ball": 2.0 * (1.0 + beta) / smoothness,
        "nesterov": 2.0 * (1.0 + beta) / ((1.0 + 2.0 * beta) * smoothness),
    }


def mulberry32(seed, num):
    """``num`` uniform draws in [0, 1) from mulberry32 started at ``seed`` (a uint32).

    Bit for bit the JavaScript generator (``Math.imul`` is a product modulo 2**32).

    >>> mulberry32(seed=1, num=3).round(6).tolist()
    [0.627074, 0.002736, 0.527447]
    """
    check_int("seed", seed)
    check_int("num", num)
    if seed > _UINT32:
        raise ValueError(f"seed must be < 2**32, got {seed!r}")
    state, draws = seed, np.empty(num)
    for i in range(num):
        state = (state + 0x6D2B79F5) & _UINT32
        t = ((state ^ (state >> 15)) * (state | 1)) & _UINT32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & _UINT32)) & _UINT32
        draws[i] = (t ^ (t >> 14)) / 4294967296
    return draws


def standard_normals(seed, num):
    r"""``num`` standard normal draws: Box-Muller on pairs of mulberry32 draws
    :math:`(u_1, u_2)`, :math:`z = \sqrt{-2 \ln(1 - u_1)} \cos(2 \pi u_2)` (one draw per pair;
    :math:`1 - u_1 \in (0, 1]`, so the logarithm is finite).

    >>> z = standard_normals(seed=0, num=20_000)
    >>> bool(abs(z.mean()) < 0.03 and abs(z.std() - 1) < 0.03)
    True
    """
    check_int("num", num)
    u = mulberry32(seed, 2 * num).reshape(num, 2)
    return np.sqrt(-2.0 * np.log(1.0 - u[:, 0])) * np.cos(2.0 * np.pi * u[:, 1])


def make_problem(problem, condition_number=10.0, angle_deg=0.0):
    """The page's problems: the book's quadratic with curvatures (1, condition_number) (the
    curvature 1 along the direction ``angle_deg`` degrees from the x axis), or Rosenbrock
    (a=1, b=100)."""
    check_choice("problem", problem, PROBLEMS)
    if problem == "rosenbrock":
        return problems.rosenbrock()
    check_in_range("condition_number", condition_number, 1.0, 1e6)
    check_in_range("angle_deg", angle_deg, -180.0, 180.0)
    return problems.quadratic(curvatures=(1.0, condition_number), angle=angle_deg * np.pi / 180)


def smoothness(problem):
    """L: the largest curvature of a quadratic; for Rosenbrock, the largest Hessian eigenvalue
    at the minimum (the curvature that decides stability near it).

    >>> round(smoothness(problems.rosenbrock()), 1)
    1001.6
    """
    if isinstance(problem, problems.Quadratic):
        return problem.smoothness
    return float(np.linalg.eigvalsh(problem.hessian_at(problem.minimum)).max())


def noise_floor(problem, lr, noise_std):
    r"""The expected excess loss that gradient descent at constant ``lr`` settles at when each
    gradient gets independent :math:`N(0, \sigma^2 I)` noise:
    :math:`\sum_i \tfrac12 h_i V_i = \sum_i \eta \sigma^2 / (2 (2 - \eta h_i))` with :math:`V_i`
    of :meth:`lrkit.problems.NoisyQuadratic.stationary_variance` (rotating the bowl changes
    nothing: the noise is isotropic). Proportional to the rate for small rates.

    >>> round(noise_floor(problems.quadratic(curvatures=(1.0, 10.0)), lr=0.01, noise_std=1.0), 6)
    0.005144
    """
    if not isinstance(problem, problems.Quadratic):
        raise ValueError(f"problem must be a quadratic, got {type(problem).__name__}")
    check_non_negative(noise_std=noise_std)
    if noise_std == 0:
        return 0.0
    bowl = problems.noisy_quadratic(curvatures=problem.curvatures, noise_std=noise_std)
    return float(0.5 * np.sum(np.asarray(bowl.curvatures) * bowl.stationary_variance(lr=lr)))


class _NoisyGradients:
    """``problem`` whose ``grad`` adds ``noise_std`` times the next two draws of ``normals``
    (the k-th call uses ``normals[2k], normals[2k + 1]``); ``loss`` stays exact."""

    def __init__(self, problem, noise_std, normals):
        self.problem, self.noise_std, self.normals, self.calls = problem, noise_std, normals, 0

    def loss(self, x):
        return self.problem.loss(x)

    def grad(self, x):
        noise = self.normals[2 * self.calls : 2 * self.calls + 2]
        self.calls += 1
        return self.problem.grad(x) + self.noise_std * noise


def _schedule(schedule, lr, num_steps, step_size, gamma):
    check_choice("schedule", schedule, SCHEDULES)
    if schedule == "step":
        return schedules.step_decay(initial_lr=lr, step_size=step_size, gamma=gamma)
    if schedule == "cosine":
        return schedules.cosine_decay(initial_lr=lr, decay_steps=num_steps)
    return schedules.constant(lr=lr)


def _optimizer(optimizer, beta, beta1, beta2):
    check_choice("optimizer", optimizer, OPTIMIZERS)
    if optimizer == "momentum":
        return optimizers.momentum(beta=beta)
    if optimizer == "nesterov":
        return optimizers.nesterov(beta=beta)
    if optimizer == "adam":
        return optimizers.adam(beta1=beta1, beta2=beta2)
    return None  # gradient_descent's own x - lr * grad


def run(
    *,
    problem="quadratic",
    condition_number=10.0,
    angle_deg=0.0,
    optimizer="gd",
    lr=0.1,
    beta=0.9,
    beta1=0.9,
    beta2=0.999,
    x0=(-1.5, 1.0),
    num_steps=50,
    noise_std=0.0,
    seed=0,
    schedule="constant",
    step_size=25,
    gamma=0.5,
):
    """One path of the playground: a :class:`lrkit.training.Trajectory` (it stops, with
    ``diverged=True``, when the loss passes 1e12 or stops being finite).

    ``schedule`` drives the rate from ``lr``: "constant", "step" (times ``gamma`` every
    ``step_size`` steps) or "cosine" (to 0 at ``num_steps``). With ``noise_std > 0`` each
    gradient gets ``noise_std`` times two draws of :func:`standard_normals` (``seed``).
    """
    check_positive(lr=lr)
    check_int("num_steps", num_steps, minimum=1)
    check_non_negative(noise_std=noise_std)
    surface = make_problem(problem, condition_number, angle_deg)
    if noise_std > 0:
        surface = _NoisyGradients(surface, noise_std, standard_normals(seed, 2 * num_steps))
    return gradient_descent(
        surface,
        _schedule(schedule, lr, num_steps, step_size, gamma),
        num_steps=num_steps,
        x0=x0,
        optimizer=_optimizer(optimizer, beta, beta1, beta2),
    )
