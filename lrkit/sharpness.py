"""Sharpness (the top Hessian eigenvalue of the loss) and full-batch gradient descent.

The model's parameters are handled as one flat vector ``theta``: ``flat_loss`` turns a
``torch.nn.Module``, a loss and a data set into a function ``loss(theta)``. ``hvp`` takes a
Hessian-vector product by double backward (the gradient of ``grad(loss) . vector``), and
``top_eigenvalue`` finds the largest Hessian eigenvalue by power iteration, warm-started
from a previous eigenvector when one is given. ``gradient_descent`` runs full-batch GD on
``theta`` and records the loss at every step and the sharpness every ``sharpness_every``
steps (the setting of Cohen et al. 2021, "Gradient Descent on Neural Networks Typically
Occurs at the Edge of Stability").

>>> import torch
>>> h = torch.diag(torch.tensor([3.0, 1.0], dtype=torch.float64))
>>> loss = lambda theta: 0.5 * theta @ h @ theta
>>> theta = torch.ones(2, dtype=torch.float64)
>>> round(top_eigenvalue(loss, theta, num_iterations=50).value, 6)
3.0
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call

from lrkit._checks import check_finite, check_int, check_non_negative, check_positive

__all__ = ["Eigen", "GDRun", "flat_loss", "gradient", "gradient_descent", "hvp", "top_eigenvalue"]


def flat_loss(model, loss_fn, inputs, targets):
    """``(loss, theta0)``: the loss as a function of one flat parameter vector, and its start.

    ``loss(theta)`` evaluates ``loss_fn(model(inputs), targets)`` with the model's
    parameters taken from ``theta`` (the model itself is not modified). ``theta0`` is a
    detached copy of the model's parameters, flattened in ``model.parameters()`` order.
    """
    names = [name for name, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]
    sizes = [p.numel() for p in model.parameters()]
    if not names:
        raise ValueError("model: it has no parameters")
    theta0 = torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone()

    def loss(theta):
        pieces = torch.split(theta, sizes)
        params = {n: t.view(s) for n, t, s in zip(names, pieces, shapes, strict=True)}
        return loss_fn(functional_call(model, params, (inputs,)), targets)

    return loss, theta0


def hvp(loss, theta, vector):
    """The Hessian of ``loss`` at ``theta`` times ``vector`` (both flat tensors).

    Double backward: ``H v`` is the gradient of ``grad(loss)(theta) . v``. (``torch.func``'s
    ``jvp(grad(loss))`` gives the same product, but its first call costs seconds of set-up.)
    """
    if theta.shape != vector.shape:
        raise ValueError(f"vector: shape {tuple(vector.shape)} != theta's {tuple(theta.shape)}")
    theta = theta.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(loss(theta), theta, create_graph=True)
    (product,) = torch.autograd.grad(gradient @ vector, theta)
    return product


def gradient(loss, theta):
    """The gradient of ``loss`` at ``theta`` (a flat tensor), detached."""
    theta = theta.detach().requires_grad_(True)
    return torch.autograd.grad(loss(theta), theta)[0]


@dataclass(frozen=True, eq=False)
class Eigen:
    """An eigenvalue estimate and its unit eigenvector (pass it back as ``init``)."""

    value: float
    vector: torch.Tensor


def top_eigenvalue(loss, theta, num_iterations=20, init=None, seed=0):
    """The Hessian eigenvalue of largest magnitude at ``theta``, by power iteration.

    Starts from ``init`` (for instance the previous check's eigenvector: a warm start
    needs a few iterations where a cold one needs dozens) or from a random vector drawn
    with ``seed``. Returns an ``Eigen`` whose value is the Rayleigh quotient of the last
    unit vector. Near a minimum of a network's loss the top eigenvalue is positive and
    dominates; a negative eigenvalue of larger magnitude would be returned instead.
    """
    check_int("num_iterations", num_iterations, minimum=1)
    if not bool(torch.isfinite(theta).all()):
        raise ValueError("theta: contains NaN or inf")
    if init is None:
        gen = torch.Generator().manual_seed(check_int("seed", seed))
        init = torch.randn(theta.shape, generator=gen, dtype=theta.dtype)
    elif init.shape != theta.shape:
        raise ValueError(f"init: shape {tuple(init.shape)} != theta's {tuple(theta.shape)}")
    vector = init / init.norm()
    theta = theta.detach().requires_grad_(True)
    # the gradient's graph is built once; each iteration differentiates it again (as hvp does)
    (grad,) = torch.autograd.grad(loss(theta), theta, create_graph=True)
    for _ in range(num_iterations):
        (product,) = torch.autograd.grad(grad @ vector, theta, retain_graph=True)
        value = float(vector @ product)
        norm = product.norm()
        if not math.isfinite(value) or float(norm) == 0.0:
            raise ValueError(f"theta: the Hessian-vector product is {float(norm)} here")
        vector = product / norm
    return Eigen(value=value, vector=vector)


@dataclass(frozen=True, eq=False)
class GDRun:
    """A full-batch gradient-descent run.

    ``losses[t]`` is the loss at step ``t`` (before update ``t``), ``lrs[t]`` the rate of
    update ``t``; ``sharpness[i]`` is the top Hessian eigenvalue at step
    ``sharpness_steps[i]``. ``diverged`` is True when the loss became non-finite or
    exceeded ``blowup`` times its initial value; the arrays then end at that step.
    """

    losses: np.ndarray
    lrs: np.ndarray
    sharpness_steps: np.ndarray
    sharpness: np.ndarray
    diverged: bool
    theta: torch.Tensor

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


def gradient_descent(
    loss,
    theta,
    lr,
    num_steps,
    sharpness_every=10,
    num_iterations=5,
    blowup=100.0,
):
    """Full-batch gradient descent ``theta <- theta - lr(step) * grad(loss)(theta)``.

    ``lr`` is a positive number or a schedule (a callable of the 0-based step). The
    sharpness is measured at steps ``0, sharpness_every, ...`` with ``num_iterations``
    power iterations, each warm-started from the previous eigenvector (20 iterations at
    step 0). Stops early, ``diverged=True``, when the loss is non-finite or above
    ``blowup`` times its initial value. Returns a ``GDRun``.
    """
    check_int("num_steps", num_steps, minimum=1)
    check_int("sharpness_every", sharpness_every, minimum=1)
    check_int("num_iterations", num_iterations, minimum=1)
    check_positive(blowup=blowup)
    schedule = lr if callable(lr) else _constant(lr)
    theta = theta.detach().clone()
    losses, lrs, steps, sharpness = [], [], [], []
    eigen, diverged = None, False
    for step in range(num_steps + 1):
        theta = theta.detach().requires_grad_(True)
        value = loss(theta)
        losses.append(float(value.detach()))
        if not math.isfinite(losses[-1]) or losses[-1] > blowup * losses[0]:
            diverged = True
            break
        if step % sharpness_every == 0:
            iterations = 20 if eigen is None else num_iterations
            init = None if eigen is None else eigen.vector
            eigen = top_eigenvalue(loss, theta, num_iterations=iterations, init=init)
            steps.append(step)
            sharpness.append(eigen.value)
        if step == num_steps:
            break
        rate = float(schedule(step))
        check_non_negative(lr=rate)
        lrs.append(rate)
        (step_gradient,) = torch.autograd.grad(value, theta)
        theta = theta.detach() - rate * step_gradient
    return GDRun(
        losses=np.array(losses),
        lrs=np.array(lrs),
        sharpness_steps=np.array(steps),
        sharpness=np.array(sharpness),
        diverged=diverged,
        theta=theta.detach(),
    )


def _constant(lr):
    check_finite(lr=lr)
    check_positive(lr=lr)
    return lambda step: lr
