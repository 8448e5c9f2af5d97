"""lrkit.problems: gradients against finite differences and torch.autograd, the 2/L stability
limit, the least-squares minimum, and the noisy quadratic's noise floor."""

import math

import numpy as np
import pytest
import torch

from lrkit import problems


def _torch_loss(problem, x):
    """A second implementation of each loss, in torch, from the problem's data."""
    if isinstance(problem, problems.Quadratic):  # includes NoisyQuadratic
        d = x - torch.tensor(problem.minimum)
        return 0.5 * d @ torch.tensor(problem.hessian) @ d
    if isinstance(problem, problems.Rosenbrock):
        return (problem.a - x[0]) ** 2 + problem.b * (x[1] - x[0] ** 2) ** 2
    if isinstance(problem, problems.LinearRegression):
        residual = torch.tensor(problem.features) @ x - torch.tensor(problem.targets)
        return 0.5 * torch.mean(residual**2)
    raise TypeError(problem)


PROBLEMS = {
    "quadratic": problems.quadratic(),
    "quadratic-rotated-centered": problems.quadratic(
        curvatures=(0.5, 20.0), angle=0.7, center=(1.0, -2.0)
    ),
    "quadratic-3d": problems.quadratic(curvatures=(1.0, 2.0, 3.0)),
    "rosenbrock": problems.rosenbrock(),
    "rosenbrock-a2-b10": problems.rosenbrock(a=2.0, b=10.0),
    "linear_regression": problems.linear_regression(num_samples=50, num_features=4),
    "noisy_quadratic": problems.noisy_quadratic(curvatures=(1.0, 4.0)),
}


def _points(problem, num_points, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, (num_points, problem.minimum.shape[0]))


@pytest.mark.parametrize("problem", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_grad_matches_central_differences(problem):
    h = 1e-6
    for x in _points(problem, 5):
        eye = np.eye(x.size)
        numeric = np.array(
            [(problem.loss(x + h * e) - problem.loss(x - h * e)) / (2 * h) for e in eye]
        )
        np.testing.assert_allclose(problem.grad(x), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("problem", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_loss_and_grad_match_torch_autograd(problem):
    for x in _points(problem, 5, seed=1):
        xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        loss = _torch_loss(problem, xt)
        loss.backward()
        np.testing.assert_allclose(problem.loss(x), loss.item(), rtol=1e-12)
        np.testing.assert_allclose(problem.grad(x), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("problem", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_vectorized_loss_and_grad_equal_point_by_point(problem):
    grid = _points(problem, 24, seed=2).reshape(4, 6, -1)
    losses, grads = problem.loss(grid), problem.grad(grid)
    assert losses.shape == (4, 6) and grads.shape == grid.shape
    for i, j in np.ndindex(4, 6):
        np.testing.assert_allclose(losses[i, j], problem.loss(grid[i, j]), rtol=1e-14)
        np.testing.assert_allclose(grads[i, j], problem.grad(grid[i, j]), rtol=1e-14)


@pytest.mark.parametrize("problem", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_minimum_has_zero_gradient(problem):
    np.testing.assert_allclose(problem.grad(problem.minimum), 0.0, atol=1e-12)
    for x in _points(problem, 5, seed=3):
        assert problem.loss(x) >= problem.loss(problem.minimum)


@pytest.mark.parametrize("problem", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_wrong_dimension_raises_naming_x(problem):
    dim = problem.minimum.shape[0]
    for bad in (np.zeros(dim + 1), np.zeros((3, dim + 1)), 1.0):
        with pytest.raises(ValueError, match="x must"):
            problem.loss(bad)
        with pytest.raises(ValueError, match="x must"):
            problem.grad(bad)


# ---------------------------------------------------------------------------------------------
# quadratics: curvature, conditioning and the 2/L stability limit


def test_quadratic_hessian_has_the_curvatures_as_eigenvalues():
    f = problems.quadratic(curvatures=(2.0, 50.0), angle=1.1)
    np.testing.assert_allclose(np.linalg.eigvalsh(f.hessian), [2.0, 50.0], rtol=1e-12)
    np.testing.assert_allclose(f.hessian, f.hessian.T, rtol=0, atol=0)
    assert f.smoothness == 50.0 and f.max_stable_lr == 2 / 50 and f.condition_number == 25.0
    # curvatures[0] lies along (cos angle, sin angle)
    u = np.array([math.cos(1.1), math.sin(1.1)])
    np.testing.assert_allclose(f.hessian @ u, 2.0 * u, rtol=1e-12)


@pytest.mark.parametrize("angle", [0.0, 0.6])
def test_gradient_descent_converges_below_two_over_l_and_diverges_above(angle):
    f = problems.quadratic(curvatures=(1.0, 10.0), angle=angle, center=(0.5, -0.5))
    x0, num_steps = np.array([2.0, 1.0]), 600

    def distance_after_gd(lr):
        x = x0
        for _ in range(num_steps):
            x = x - lr * f.grad(x)
        return np.linalg.norm(x - f.minimum)

    start = np.linalg.norm(x0 - f.minimum)
    # the stiff direction contracts by |1 - lr L| per step: 0.98 below, 1.02 above
    assert distance_after_gd(0.99 * f.max_stable_lr) < 1e-3 * start
    assert distance_after_gd(1.01 * f.max_stable_lr) > 1e3 * start


def test_quadratic_arrays_are_read_only():
    f = problems.quadratic()
    with pytest.raises(ValueError):
        f.hessian[0, 0] = 5.0
    with pytest.raises(AttributeError):
        f.curvatures = (1.0,)


def test_rosenbrock_minimum_and_local_curvature():
    f = problems.rosenbrock(a=1.0, b=100.0)
    np.testing.assert_array_equal(f.minimum, [1.0, 1.0])
    assert f.loss(f.minimum) == 0.0
    hessian = f.hessian_at(f.minimum)
    np.testing.assert_allclose(hessian, [[802.0, -400.0], [-400.0, 200.0]])
    # the Hessian against torch's, at a few points and vectorized
    points = _points(f, 4, seed=4)
    for x, h in zip(points, f.hessian_at(points), strict=True):
        xt = torch.tensor(x, dtype=torch.float64)
        expected = torch.autograd.functional.hessian(lambda v: _torch_loss(f, v), xt)
        np.testing.assert_allclose(h, expected.numpy(), rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# linear regression


def test_linear_regression_minimum_and_smoothness():
    f = problems.linear_regression(num_samples=200, num_features=5, noise_std=0.1, seed=0)
    X, y = f.features, f.targets
    np.testing.assert_allclose(f.grad(f.minimum), 0.0, atol=1e-12)
    np.testing.assert_allclose(f.minimum, np.linalg.solve(X.T @ X, X.T @ y), rtol=1e-10)
    np.testing.assert_allclose(f.minimum, f.true_weights, atol=0.05)  # noise is small
    assert f.smoothness == pytest.approx(np.linalg.eigvalsh(X.T @ X / 200).max(), rel=1e-12)
    assert f.max_stable_lr == pytest.approx(2 / f.smoothness)


def test_linear_regression_minibatch_gradients():
    f = problems.linear_regression(num_samples=30, num_features=3, seed=1)
    w = np.array([0.3, -1.0, 2.0])
    np.testing.assert_allclose(f.minibatch_grad(w, np.arange(30)), f.grad(w), rtol=1e-12)
    # the average of all single-sample gradients is the full gradient (unbiasedness)
    singles = [f.minibatch_grad(w, [i]) for i in range(30)]
    np.testing.assert_allclose(np.mean(singles, axis=0), f.grad(w), rtol=1e-12)
    for bad in ([], [30], [-1], [0.5], [[0, 1]]):
        with pytest.raises(ValueError, match="idx"):
            f.minibatch_grad(w, bad)


def test_linear_regression_is_reproducible_from_its_seed():
    a, b = problems.linear_regression(seed=3), problems.linear_regression(seed=3)
    np.testing.assert_array_equal(a.features, b.features)
    np.testing.assert_array_equal(a.targets, b.targets)
    assert not np.array_equal(a.features, problems.linear_regression(seed=4).features)


# ---------------------------------------------------------------------------------------------
# the noisy quadratic: SGD's noise floor


@pytest.mark.parametrize("lr", [0.05, 0.2, 0.45])
def test_measured_stationary_variance_matches_closed_form(lr):
    f = problems.noisy_quadratic(curvatures=(1.0, 4.0), noise_std=0.7)
    rng = np.random.default_rng(5)
    num_chains, burn_in, num_samples = 20_000, 400, 20
    x = np.zeros((num_chains, 2))  # many independent chains, all advanced at once
    for _ in range(burn_in):
        x = x - lr * f.noisy_grad(x, rng)
    samples = []
    for _ in range(num_samples):
        x = x - lr * f.noisy_grad(x, rng)
        samples.append(x)
    measured = np.var(np.array(samples), axis=(0, 1))
    np.testing.assert_allclose(measured, f.stationary_variance(lr), rtol=0.03)


def test_stationary_variance_closed_form_and_limits():
    f = problems.noisy_quadratic(curvatures=(1.0, 4.0), noise_std=2.0)
    lr = 0.1
    np.testing.assert_allclose(
        f.stationary_variance(lr), [lr * 4 / (1 * (2 - lr)), lr * 4 / (4 * (2 - 4 * lr))]
    )
    # the fixed point of V <- (1 - lr h)^2 V + lr^2 sigma^2
    v = f.stationary_variance(lr)
    h = np.array(f.curvatures)
    np.testing.assert_allclose((1 - lr * h) ** 2 * v + lr**2 * 4.0, v, rtol=1e-14)
    # small lr: lr sigma^2 / (2 h), proportional to lr
    np.testing.assert_allclose(f.stationary_variance(1e-8), 1e-8 * 4.0 / (2 * h), rtol=1e-7)
    for bad_lr in (0.5, 0.6, 0.0, -0.1, math.nan):  # 2 / max h = 0.5
        with pytest.raises(ValueError, match="lr"):
            f.stationary_variance(bad_lr)


def test_noisy_grad_is_unbiased_and_has_noise_std():
    f = problems.noisy_quadratic(curvatures=(1.0, 3.0), noise_std=0.5)
    x = np.broadcast_to(np.array([1.0, -1.0]), (50_000, 2))
    g = f.noisy_grad(x, np.random.default_rng(6))
    np.testing.assert_allclose(g.mean(axis=0), f.grad(x[0]), atol=0.01)
    np.testing.assert_allclose(g.std(axis=0), 0.5, rtol=0.02)
    with pytest.raises(ValueError, match="rng"):
        f.noisy_grad(x, rng=0)


# ---------------------------------------------------------------------------------------------
# argument checks: a ValueError that names the argument


BAD_ARGUMENTS = [
    (problems.quadratic, {"curvatures": (1.0, -1.0)}, "curvatures"),
    (problems.quadratic, {"curvatures": (1.0, 0.0)}, "curvatures"),
    (problems.quadratic, {"curvatures": (1.0, math.inf)}, "curvatures"),
    (problems.quadratic, {"curvatures": (math.nan,)}, "curvatures"),
    (problems.quadratic, {"curvatures": ()}, "curvatures"),
    (problems.quadratic, {"curvatures": 1.0}, "curvatures"),
    (problems.quadratic, {"angle": math.nan}, "angle"),
    (problems.quadratic, {"curvatures": (1.0, 2.0, 3.0), "angle": 0.3}, "angle"),
    (problems.quadratic, {"center": (1.0, 2.0, 3.0)}, "center"),
    (problems.quadratic, {"center": (1.0, math.nan)}, "center"),
    (problems.rosenbrock, {"a": math.inf}, "a"),
    (problems.rosenbrock, {"b": 0.0}, "b"),
    (problems.linear_regression, {"num_samples": 0}, "num_samples"),
    (problems.linear_regression, {"num_samples": 10.0}, "num_samples"),
    (problems.linear_regression, {"num_features": 0}, "num_features"),
    (problems.linear_regression, {"num_features": True}, "num_features"),
    (problems.linear_regression, {"noise_std": -0.1}, "noise_std"),
    (problems.linear_regression, {"seed": -1}, "seed"),
    (problems.noisy_quadratic, {"curvatures": (-1.0,)}, "curvatures"),
    (problems.noisy_quadratic, {"noise_std": math.nan}, "noise_std"),
]


@pytest.mark.parametrize(
    ("factory", "kwargs", "name"),
    BAD_ARGUMENTS,
    ids=[f"{f.__name__}-{'-'.join(k)}" for f, k, _ in BAD_ARGUMENTS],
)
def test_bad_argument_raises_naming_it(factory, kwargs, name):
    with pytest.raises(ValueError, match=name):
        factory(**kwargs)
