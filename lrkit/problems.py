"""Test problems for gradient descent in numpy: quadratics, Rosenbrock, linear regression, and a
quadratic with noisy gradients.

Each problem is a frozen dataclass with ``loss(x)``, ``grad(x)`` and ``minimum``. ``loss`` and
``grad`` are vectorized over leading axes: ``x`` of shape ``(..., d)`` gives a loss of shape
``(...)`` and a gradient of shape ``(..., d)``, so a contour plot or many parallel runs need no
Python loop. Where the gradient is globally Lipschitz, ``smoothness`` is its constant
:math:`L` (the largest Hessian eigenvalue) and ``max_stable_lr`` is :math:`2/L`, the largest
learning rate at which gradient descent does not diverge on a quadratic.

>>> f = quadratic(curvatures=(1.0, 10.0))
>>> f.max_stable_lr
0.2
>>> xs, ys = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 3))
>>> f.loss(np.stack([xs, ys], axis=-1)).shape
(3, 5)
"""

from dataclasses import dataclass, field

import numpy as np

from lrkit._checks import check_finite, check_int, check_non_negative, check_positive

__all__ = [
    "LinearRegression",
    "NoisyQuadratic",
    "Quadratic",
    "Rosenbrock",
    "linear_regression",
    "noisy_quadratic",
    "quadratic",
    "rosenbrock",
]


def _points(x, dim):
    """``x`` as a float64 array of shape (..., dim), or a ValueError naming x."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] != dim:
        raise ValueError(f"x must have shape (..., {dim}), got shape {x.shape}")
    return x


def _read_only(values):
    a = np.array(values, dtype=np.float64)
    a.setflags(write=False)
    return a


def _curvatures(curvatures):
    try:
        values = tuple(curvatures)
    except TypeError:
        raise ValueError(f"curvatures must be a sequence of numbers, got {curvatures!r}") from None
    if not values:
        raise ValueError("curvatures must not be empty")
    for i, h in enumerate(values):
        check_positive(**{f"curvatures[{i}]": h})
    return tuple(float(h) for h in values)


def _center(center, dim):
    if center is None:
        return _read_only(np.zeros(dim))
    c = np.asarray(center, dtype=np.float64)
    if c.shape != (dim,):
        raise ValueError(f"center must have shape ({dim},), got shape {c.shape}")
    if not np.isfinite(c).all():
        raise ValueError(f"center must be finite, got {center!r}")
    return _read_only(c)


# ---------------------------------------------------------------------------------------------
# quadratics


@dataclass(frozen=True, eq=False)
class Quadratic:
    r""":math:`f(x) = \tfrac12 (x - x^*)^\top H (x - x^*)`, built by :func:`quadratic`."""

    hessian: np.ndarray  # H, symmetric positive definite
    minimum: np.ndarray  # x*
    curvatures: tuple[float, ...]  # the eigenvalues of H

    @property
    def dim(self) -> int:
        return self.minimum.shape[0]

    def loss(self, x):
        d = _points(x, self.dim) - self.minimum
        return 0.5 * np.sum((d @ self.hessian) * d, axis=-1)

    def grad(self, x):
        d = _points(x, self.dim) - self.minimum
        return d @ self.hessian  # H is symmetric, so d @ H is (H d) for each point

    @property
    def smoothness(self) -> float:
        """L, the largest curvature."""
        return max(self.curvatures)

    @property
    def max_stable_lr(self) -> float:
        """2 / L: gradient descent converges for 0 < lr < 2/L and diverges above."""
        return 2.0 / self.smoothness

    @property
    def condition_number(self) -> float:
        """Largest over smallest curvature."""
        return max(self.curvatures) / min(self.curvatures)


def quadratic(curvatures=(1.0, 10.0), angle: float = 0.0, center=None) -> Quadratic:
    r"""A convex quadratic bowl with the given curvatures (Hessian eigenvalues).

    .. math::
        f(x) = \tfrac12 (x - x^*)^\top H (x - x^*), \qquad
        H = R_\theta\, \mathrm{diag}(h_1, \ldots, h_d)\, R_\theta^\top

    In 2-D, ``angle`` (radians) rotates the axes so the valley runs diagonally: the curvature
    ``curvatures[0]`` lies along :math:`(\cos\theta, \sin\theta)`. ``center`` is the minimum
    :math:`x^*` (the origin by default). Gradient descent on it with learning rate
    :math:`\eta` multiplies the error along curvature :math:`h` by :math:`1 - \eta h` each
    step, hence converges if and only if :math:`\eta < 2/\max h` (``max_stable_lr``).

    >>> f = quadratic(curvatures=(1.0, 10.0), angle=np.pi / 4)
    >>> f.condition_number, f.smoothness
    (10.0, 10.0)
    >>> np.linalg.eigvalsh(f.hessian).round(12)
    array([ 1., 10.])
    >>> round(float(f.loss(np.array([1.0, 1.0]))), 12)  # along the gentle diagonal: 0.5 * 1 * |x|^2
    1.0
    """
    curvatures = _curvatures(curvatures)
    dim = len(curvatures)
    check_finite(angle=angle)
    hessian = np.diag(curvatures)
    if angle != 0.0:
        if dim != 2:
            raise ValueError(f"angle needs exactly 2 curvatures (a 2-D problem), got {dim}")
        c, s = np.cos(angle), np.sin(angle)
        rotation = np.array([[c, -s], [s, c]])
        hessian = rotation @ hessian @ rotation.T
        hessian = 0.5 * (hessian + hessian.T)  # exactly symmetric
    return Quadratic(_read_only(hessian), _center(center, dim), curvatures)


@dataclass(frozen=True, eq=False)
class NoisyQuadratic(Quadratic):
    r"""A diagonal quadratic whose gradient oracle adds Gaussian noise; see
    :func:`noisy_quadratic`."""

    noise_std: float

    def noisy_grad(self, x, rng):
        r""":math:`H (x - x^*) + \sigma \xi`, :math:`\xi \sim N(0, I)` drawn from ``rng``
        (a ``numpy.random.Generator``), independently for each point in ``x``."""
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
        g = self.grad(x)
        return g + self.noise_std * rng.standard_normal(g.shape)

    def stationary_variance(self, lr: float) -> np.ndarray:
        r"""Per-coordinate variance of :math:`x - x^*` that SGD at constant ``lr`` settles into.

        Along a coordinate with curvature :math:`h`, the error :math:`e = x - x^*` obeys

        .. math::
            e_{t+1} = e_t - \eta (h e_t + \sigma \xi_t) = (1 - \eta h)\, e_t - \eta \sigma \xi_t.

        :math:`\xi_t` is independent of :math:`e_t`, so the variance :math:`V_t` obeys
        :math:`V_{t+1} = (1 - \eta h)^2 V_t + \eta^2 \sigma^2`. When
        :math:`|1 - \eta h| < 1`, i.e. :math:`0 < \eta < 2/h`, it converges to the fixed point

        .. math::
            V = \frac{\eta^2 \sigma^2}{1 - (1 - \eta h)^2}
              = \frac{\eta \sigma^2}{h\,(2 - \eta h)}
              \approx \frac{\eta \sigma^2}{2 h} \quad (\eta h \ll 1),

        whatever the start. The noise floor is proportional to the learning rate: halving
        :math:`\eta` halves the spread (and the expected excess loss
        :math:`\tfrac12 \sum h V \approx \eta \sigma^2 d / 4`). For :math:`\eta \ge 2/h` there
        is no stationary distribution (the iterates diverge), and this raises ValueError.

        >>> f = noisy_quadratic(curvatures=(1.0, 4.0), noise_std=1.0)
        >>> f.stationary_variance(lr=0.1).round(6)
        array([0.052632, 0.015625])
        """
        check_positive(lr=lr)
        h = np.asarray(self.curvatures)
        if lr * h.max() >= 2.0:
            raise ValueError(
                f"lr must be < 2 / max curvature = {2.0 / h.max():g} for SGD to have a "
                f"stationary distribution, got {lr!r}"
            )
        return lr * self.noise_std**2 / (h * (2.0 - lr * h))


def noisy_quadratic(curvatures=(1.0,), noise_std: float = 1.0) -> NoisyQuadratic:
    r"""The quadratic :math:`\tfrac12 \sum_i h_i x_i^2` (minimum at the origin, axes aligned)
    with a noisy gradient oracle ``noisy_grad(x, rng)``: the model of SGD's gradient noise.

    ``loss`` and ``grad`` are exact; ``stationary_variance(lr)`` is the closed-form spread
    ("noise floor") that constant-learning-rate SGD reaches.

    >>> f = noisy_quadratic(curvatures=(1.0,), noise_std=0.5)
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((10_000, 1))  # 10,000 independent chains at once
    >>> for _ in range(300):
    ...     x = x - 0.1 * f.noisy_grad(x, rng)
    >>> bool(abs(x.var() / f.stationary_variance(lr=0.1)[0] - 1) < 0.05)
    True
    """
    curvatures = _curvatures(curvatures)
    check_non_negative(noise_std=noise_std)
    dim = len(curvatures)
    return NoisyQuadratic(
        _read_only(np.diag(curvatures)), _center(None, dim), curvatures, float(noise_std)
    )


# ---------------------------------------------------------------------------------------------
# Rosenbrock


@dataclass(frozen=True)
class Rosenbrock:
    r""":math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`, built by :func:`rosenbrock`."""

    a: float
    b: float

    dim = 2

    @property
    def minimum(self) -> np.ndarray:
        return np.array([self.a, self.a**2])

    def loss(self, x):
        x = _points(x, 2)
        u, v = x[..., 0], x[..., 1]
        return (self.a - u) ** 2 + self.b * (v - u**2) ** 2

    def grad(self, x):
        x = _points(x, 2)
        u, v = x[..., 0], x[..., 1]
        du = -2.0 * (self.a - u) - 4.0 * self.b * u * (v - u**2)
        dv = 2.0 * self.b * (v - u**2)
        return np.stack([du, dv], axis=-1)

    def hessian_at(self, x):
        """The 2x2 Hessian at each point of ``x`` (shape (..., 2) -> (..., 2, 2))."""
        x = _points(x, 2)
        u, v = x[..., 0], x[..., 1]
        duu = 2.0 - 4.0 * self.b * (v - u**2) + 8.0 * self.b * u**2
        duv = -4.0 * self.b * u
        dvv = np.broadcast_to(2.0 * self.b, u.shape)
        return np.stack([np.stack([duu, duv], -1), np.stack([duv, dvv], -1)], -2)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Rosenbrock:
    r"""The Rosenbrock "banana" :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`, minimum
    :math:`(a, a^2)` where :math:`f = 0`.

    Its Hessian is unbounded, so there is no global ``smoothness`` or ``max_stable_lr``; the
    local one, which governs gradient descent near the minimum, comes from ``hessian_at``
    (about 1001.6 for the default a=1, b=100, so lr must stay below about 0.002):

    >>> f = rosenbrock()
    >>> f.minimum, float(f.loss(f.minimum))
    (array([1., 1.]), 0.0)
    >>> round(float(np.linalg.eigvalsh(f.hessian_at(f.minimum)).max()), 1)
    1001.6
    """
    check_finite(a=a)
    check_positive(b=b)
    return Rosenbrock(float(a), float(b))


# ---------------------------------------------------------------------------------------------
# linear regression


@dataclass(frozen=True, eq=False)
class LinearRegression:
    r"""Least squares :math:`f(w) = \frac{1}{2n} \lVert X w - y \rVert^2` on synthetic data,
    built by :func:`linear_regression`."""

    features: np.ndarray = field(repr=False)  # X, shape (num_samples, num_features)
    targets: np.ndarray = field(repr=False)  # y, shape (num_samples,)
    true_weights: np.ndarray  # the weights that generated y (before noise)
    minimum: np.ndarray  # the least-squares solution
    noise_std: float

    @property
    def num_samples(self) -> int:
        return self.features.shape[0]

    @property
    def dim(self) -> int:
        return self.features.shape[1]

    def loss(self, w):
        residual = _points(w, self.dim) @ self.features.T - self.targets
        return 0.5 * np.mean(residual**2, axis=-1)

    def grad(self, w):
        w = _points(w, self.dim)
        return self._grad(w, self.features, self.targets)

    def minibatch_grad(self, w, idx):
        r"""The gradient of the loss on the samples ``idx`` only:
        :math:`\frac{1}{|B|} X_B^\top (X_B w - y_B)`, an unbiased estimate of ``grad(w)``
        when ``idx`` is drawn uniformly."""
        w = _points(w, self.dim)
        idx = np.asarray(idx)
        if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
            raise ValueError(f"idx must be a non-empty 1-D array of integers, got {idx!r}")
        if idx.min() < 0 or idx.max() >= self.num_samples:
            raise ValueError(f"idx must lie in [0, {self.num_samples}), got {idx!r}")
        return self._grad(w, self.features[idx], self.targets[idx])

    @staticmethod
    def _grad(w, features, targets):
        residual = w @ features.T - targets
        return residual @ features / features.shape[0]

    @property
    def smoothness(self) -> float:
        r"""L, the largest eigenvalue of the Hessian :math:`X^\top X / n`."""
        return float(np.linalg.eigvalsh(self.features.T @ self.features / self.num_samples)[-1])

    @property
    def max_stable_lr(self) -> float:
        """2 / L: full-batch gradient descent diverges above it."""
        return 2.0 / self.smoothness


def linear_regression(
    num_samples: int = 200, num_features: int = 5, noise_std: float = 0.1, seed: int = 0
) -> LinearRegression:
    r"""Synthetic least squares: :math:`X_{ij}, w^{\text{true}}_j \sim N(0, 1)`,
    :math:`y = X w^{\text{true}} + \sigma \varepsilon`, all drawn from ``seed``.

    The loss is :math:`\frac{1}{2n} \lVert X w - y \rVert^2` with gradient
    :math:`\frac1n X^\top (X w - y)` and Hessian :math:`X^\top X / n`; ``minimum`` is the
    least-squares solution (``np.linalg.lstsq``; the minimum-norm one if
    ``num_features > num_samples``).

    >>> f = linear_regression(num_samples=100, num_features=3, noise_std=0.0, seed=0)
    >>> bool(np.allclose(f.minimum, f.true_weights))  # no noise: the data's own weights
    True
    >>> float(np.abs(f.minibatch_grad(f.minimum, idx=np.arange(100))).max()) < 1e-12
    True
    """
    check_int("num_samples", num_samples, minimum=1)
    check_int("num_features", num_features, minimum=1)
    check_non_negative(noise_std=noise_std)
    check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((num_samples, num_features))
    true_weights = rng.standard_normal(num_features)
    targets = features @ true_weights + noise_std * rng.standard_normal(num_samples)
    minimum = np.linalg.lstsq(features, targets, rcond=None)[0]
    return LinearRegression(
        _read_only(features),
        _read_only(targets),
        _read_only(true_weights),
        _read_only(minimum),
        float(noise_std),
    )
