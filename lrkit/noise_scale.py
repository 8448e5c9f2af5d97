r"""The gradient noise scale :math:`B_\text{simple} = \operatorname{tr}(\Sigma) / \lVert G \rVert^2`
(McCandlish et al., 2018): the batch size at which a mini-batch gradient's noise is as large as
the gradient itself.

:math:`G` is the full gradient and :math:`\Sigma` the covariance of one example's gradient, so a
batch of :math:`B` examples (drawn with replacement) has
:math:`\mathbb{E} \lVert G_B \rVert^2 = \lVert G \rVert^2 + \operatorname{tr}(\Sigma) / B`.
Below :math:`B_\text{simple}` a larger batch buys a proportionally better gradient (and a
proportionally larger usable rate); far above it, a larger batch only repeats what the gradient
already says. McCandlish et al. predict the *critical batch size* to be about the noise scale.

Two ways to measure it:

- ``exact``: from every example's gradient (small data sets only);
- ``from_two_batch_sizes``: from the squared norms of mini-batch gradients at two batch sizes,
  the paper's unbiased estimator (its appendix A.1), which needs no per-example gradients: in
  data-parallel training the per-device and the all-reduced gradients are the two sizes.

>>> per_example = np.array([[1.0, 0.0], [3.0, 0.0], [2.0, 2.0], [2.0, -2.0]])
>>> exact(per_example)  # G = (2, 0), tr(Sigma) = (1 + 1 + 4 + 4) / 4
NoiseScale(grad_sq_norm=4.0, trace_cov=2.5, b_simple=0.625)
"""

from typing import NamedTuple

import numpy as np

from lrkit._checks import check_int

__all__ = ["NoiseScale", "exact", "from_two_batch_sizes"]


class NoiseScale(NamedTuple):
    grad_sq_norm: float  # |G|^2
    trace_cov: float  # tr(Sigma), one example's gradient covariance
    b_simple: float  # tr(Sigma) / |G|^2


def _noise_scale(grad_sq_norm, trace_cov):
    if not grad_sq_norm > 0:
        raise ValueError(
            f"grad_sq_norm: the estimate of |G|^2 is {grad_sq_norm:.3g}, not positive, so the "
            "noise scale is undefined (average more batches, or use a larger big batch)"
        )
    return NoiseScale(float(grad_sq_norm), float(trace_cov), float(trace_cov / grad_sq_norm))


def exact(per_example_grads) -> NoiseScale:
    r"""The noise scale of a finite data set from every example's gradient, shape
    ``(num_examples, num_params)``: :math:`G` their mean, :math:`\operatorname{tr}(\Sigma)` the
    mean squared distance to it (the covariance of sampling one example uniformly)."""
    g = np.asarray(per_example_grads, dtype=np.float64)
    if g.ndim != 2 or g.shape[0] < 2:
        raise ValueError(
            f"per_example_grads must have shape (num_examples >= 2, num_params), got {g.shape}"
        )
    if not np.isfinite(g).all():
        raise ValueError("per_example_grads must be finite")
    mean = g.mean(axis=0)
    return _noise_scale(mean @ mean, np.mean(np.sum((g - mean) ** 2, axis=1)))


def from_two_batch_sizes(
    small_sq_norms, big_sq_norms, small_batch: int, big_batch: int
) -> NoiseScale:
    r"""McCandlish et al.'s unbiased estimator from squared gradient norms at two batch sizes.

    ``small_sq_norms`` holds :math:`\lVert G_{B_s} \rVert^2` for one or more batches of
    ``small_batch`` examples, ``big_sq_norms`` the same for ``big_batch``. With their means
    :math:`\overline{s}, \overline{b}`:

    .. math::
        \lVert G \rVert^2 \approx \frac{B_b \overline{b} - B_s \overline{s}}{B_b - B_s},
        \qquad
        \operatorname{tr}(\Sigma) \approx \frac{\overline{s} - \overline{b}}{1/B_s - 1/B_b}

    Each is unbiased; their ratio is not (it is a ratio of averages, as in the paper), so
    average many batches before dividing.

    >>> from_two_batch_sizes([4.0 + 2.5 / 2], [4.0 + 2.5 / 8], small_batch=2, big_batch=8)
    NoiseScale(grad_sq_norm=4.0, trace_cov=2.5, b_simple=0.625)
    """
    check_int("small_batch", small_batch, minimum=1)
    check_int("big_batch", big_batch, minimum=1)
    if big_batch <= small_batch:
        raise ValueError(
            f"big_batch must be larger than small_batch={small_batch}, got {big_batch}"
        )
    means = []
    for name, values in (("small_sq_norms", small_sq_norms), ("big_sq_norms", big_sq_norms)):
        values = np.atleast_1d(np.asarray(values, dtype=np.float64))
        if values.size == 0 or not np.isfinite(values).all() or (values < 0).any():
            raise ValueError(f"{name} must be non-empty, finite and >= 0, got {values}")
        means.append(values.mean())
    small, big = means
    grad_sq_norm = (big_batch * big - small_batch * small) / (big_batch - small_batch)
    trace_cov = (small - big) / (1.0 / small_batch - 1.0 / big_batch)
    return _noise_scale(grad_sq_norm, trace_cov)
