"""lrkit.sharpness against closed-form Hessians and torch.autograd.functional.hessian."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from lrkit import schedules, sharpness

torch.set_num_threads(1)


def quadratic(eigenvalues, seed=0):
    """``0.5 theta' H theta`` with ``H = Q diag(eigenvalues) Q'`` for a random rotation Q."""
    gen = torch.Generator().manual_seed(seed)
    n = len(eigenvalues)
    q, _ = torch.linalg.qr(torch.randn(n, n, generator=gen, dtype=torch.float64))
    h = q @ torch.diag(torch.tensor(eigenvalues, dtype=torch.float64)) @ q.T
    return (lambda theta: 0.5 * theta @ h @ theta), h


def tiny_network(seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(20, 3, generator=gen, dtype=torch.float64)
    y = torch.randn(20, 2, generator=gen, dtype=torch.float64)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    return sharpness.flat_loss(model, nn.functional.mse_loss, x, y)


def test_hvp_is_the_hessian_times_the_vector_on_a_quadratic():
    loss, h = quadratic([5.0, 2.0, 1.0, 0.5])
    theta = torch.randn(4, dtype=torch.float64)
    v = torch.randn(4, dtype=torch.float64)
    torch.testing.assert_close(sharpness.hvp(loss, theta, v), h @ v)


def test_top_eigenvalue_of_a_quadratic_is_exact():
    loss, _ = quadratic([7.0, 3.0, 1.0, 0.1, 0.01])
    theta = torch.ones(5, dtype=torch.float64)
    eigen = sharpness.top_eigenvalue(loss, theta, num_iterations=100)
    assert eigen.value == pytest.approx(7.0, rel=1e-10)


def test_network_hessian_matches_autograd_and_numpy():
    loss, theta = tiny_network()
    hessian = torch.autograd.functional.hessian(loss, theta).numpy()
    expected = np.linalg.eigvalsh(hessian)
    top = expected[np.argmax(np.abs(expected))]
    v = torch.randn(theta.shape, dtype=torch.float64)
    np.testing.assert_allclose(sharpness.hvp(loss, theta, v).numpy(), hessian @ v.numpy())
    eigen = sharpness.top_eigenvalue(loss, theta, num_iterations=300)
    assert eigen.value == pytest.approx(top, rel=1e-6)


def test_warm_start_needs_fewer_iterations():
    loss, _ = quadratic([4.0, 3.6, 1.0, 0.5])
    theta = torch.ones(4, dtype=torch.float64)
    cold = sharpness.top_eigenvalue(loss, theta, num_iterations=3)
    converged = sharpness.top_eigenvalue(loss, theta, num_iterations=200)
    warm = sharpness.top_eigenvalue(loss, theta, num_iterations=3, init=converged.vector)
    assert abs(warm.value - 4.0) < 1e-9 < abs(cold.value - 4.0)


def test_gradient_descent_on_a_quadratic_follows_the_closed_form():
    loss, _ = quadratic([2.0, 1.0], seed=1)
    theta = torch.tensor([1.0, -2.0], dtype=torch.float64)
    lr = 0.3
    run = sharpness.gradient_descent(loss, theta, lr, num_steps=20, sharpness_every=5)
    # each eigen-component shrinks by (1 - lr * lambda) per step: the loss by its square
    expected = [float(loss(theta))]
    h_theta = theta.clone()
    for _ in range(20):
        h_theta = h_theta - lr * torch.autograd.functional.jacobian(loss, h_theta)
        expected.append(float(loss(h_theta)))
    np.testing.assert_allclose(run.losses, expected, rtol=1e-12)
    np.testing.assert_allclose(run.sharpness, 2.0, rtol=1e-9)
    assert list(run.sharpness_steps) == [0, 5, 10, 15, 20]
    assert not run.diverged


def test_gradient_descent_above_two_over_lambda_diverges_and_stops():
    loss, _ = quadratic([2.0, 1.0])
    theta = torch.ones(2, dtype=torch.float64)
    run = sharpness.gradient_descent(loss, theta, lr=1.5, num_steps=1000)  # 1.5 * 2 > 2
    assert run.diverged and len(run.losses) < 1000
    assert run.losses[-1] > 100 * run.losses[0]


def test_gradient_descent_takes_a_schedule():
    loss, _ = quadratic([1.0])
    warmup = schedules.linear_warmup(peak_lr=0.5, warmup_steps=4)
    run = sharpness.gradient_descent(loss, torch.ones(1, dtype=torch.float64), warmup, 6)
    np.testing.assert_allclose(run.lrs, [0.0, 0.125, 0.25, 0.375, 0.5, 0.5])
    assert run.losses[1] == run.losses[0]  # rate 0 at step 0: a wasted step


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_bad_num_iterations(bad):
    loss, _ = quadratic([1.0, 2.0])
    with pytest.raises(ValueError, match="num_iterations"):
        sharpness.top_eigenvalue(loss, torch.ones(2, dtype=torch.float64), num_iterations=bad)


def test_nan_theta_and_bad_lr_are_refused():
    loss, _ = quadratic([1.0, 2.0])
    nan = torch.tensor([math.nan, 1.0], dtype=torch.float64)
    with pytest.raises(ValueError, match="theta"):
        sharpness.top_eigenvalue(loss, nan)
    for lr in (-0.1, math.nan):
        with pytest.raises(ValueError, match="lr"):
            sharpness.gradient_descent(loss, torch.ones(2, dtype=torch.float64), lr, 5)
    with pytest.raises(ValueError, match="num_steps"):
        sharpness.gradient_descent(loss, torch.ones(2, dtype=torch.float64), 0.1, 0)


def test_gradient_of_a_quadratic_is_h_theta():
    loss, h = quadratic([3.0, 0.5, 2.0])
    theta = torch.randn(3, dtype=torch.float64)
    torch.testing.assert_close(sharpness.gradient(loss, theta), h @ theta)
