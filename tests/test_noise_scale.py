"""lrkit.noise_scale against closed forms: a noisy quadratic whose G and Sigma are known."""

import numpy as np
import pytest

from lrkit import noise_scale, problems

DIM = 20
NOISE_STD = 0.5
POINT = np.linspace(-1.0, 1.0, DIM)


def test_exact_matches_the_definition_on_random_examples():
    rng = np.random.default_rng(0)
    g = rng.standard_normal((500, 7)) + 0.3
    result = noise_scale.exact(g)
    # an independent formula: tr(Sigma) is the sum of per-coordinate population variances
    assert np.isclose(result.trace_cov, np.var(g, axis=0).sum(), rtol=1e-12)
    assert np.isclose(result.grad_sq_norm, np.sum(np.mean(g, axis=0) ** 2), rtol=1e-12)
    assert np.isclose(result.b_simple, result.trace_cov / result.grad_sq_norm, rtol=1e-12)


def test_two_batch_estimator_recovers_a_noisy_quadratic():
    """G = H x, tr(Sigma) = sigma^2 d for one example; a batch of B has noise sigma / sqrt(B)."""
    f = problems.noisy_quadratic(curvatures=np.linspace(0.5, 2.0, DIM), noise_std=NOISE_STD)
    true_g2 = float(np.sum(f.grad(POINT) ** 2))
    true_trace = NOISE_STD**2 * DIM
    rng = np.random.default_rng(1)
    sq_norms = {}
    for batch in (4, 64):
        batch_f = problems.noisy_quadratic(
            curvatures=np.linspace(0.5, 2.0, DIM), noise_std=NOISE_STD / np.sqrt(batch)
        )
        grads = batch_f.noisy_grad(np.broadcast_to(POINT, (20_000, DIM)), rng)
        sq_norms[batch] = np.sum(grads**2, axis=1)
    result = noise_scale.from_two_batch_sizes(
        sq_norms[4], sq_norms[64], small_batch=4, big_batch=64
    )
    assert abs(result.grad_sq_norm / true_g2 - 1) < 0.02
    assert abs(result.trace_cov / true_trace - 1) < 0.03
    assert abs(result.b_simple / (true_trace / true_g2) - 1) < 0.04


def test_two_batch_estimator_is_exact_on_expected_values():
    """Fed the expected squared norms |G|^2 + tr / B, it returns G and tr exactly."""
    g2, trace = 3.0, 12.0
    for small, big in ((1, 2), (8, 512)):
        result = noise_scale.from_two_batch_sizes(
            g2 + trace / small, g2 + trace / big, small_batch=small, big_batch=big
        )
        assert np.allclose(result, (g2, trace, trace / g2), rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (([1.0], [0.5], 8, 8), "big_batch"),
        (([1.0], [0.5], 0, 8), "small_batch"),
        (([1.0], [0.5], 2, 8.5), "big_batch"),
        (([], [0.5], 2, 8), "small_sq_norms"),
        (([1.0], [np.nan], 2, 8), "big_sq_norms"),
        (([1.0], [-0.5], 2, 8), "big_sq_norms"),
        (([1.0], [0.1], 2, 8), "grad_sq_norm"),  # the big batch's norm fell too far: |G|^2 < 0
    ],
)
def test_bad_input_raises(args, name):
    with pytest.raises(ValueError, match=name):
        noise_scale.from_two_batch_sizes(*args)


def test_exact_bad_input_raises():
    with pytest.raises(ValueError, match="per_example_grads"):
        noise_scale.exact(np.ones(3))
    with pytest.raises(ValueError, match="per_example_grads"):
        noise_scale.exact(np.full((3, 2), np.inf))
    with pytest.raises(ValueError, match="grad_sq_norm"):
        noise_scale.exact(np.array([[1.0], [-1.0]]))  # G = 0
