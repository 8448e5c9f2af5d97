"""Train K copies of the book's MLP side by side, as one batched network.

One run of ``lrkit.training.train`` on the digits is mostly Python overhead: the network is
tiny. Here the weights of K networks (``make_mlp(seed=s)`` for each seed) are stacked into one
tensor per layer, and one batched matrix product (``torch.baddbmm``) computes all K forward
passes. Each network keeps its own initial weights, its own batch order (a ``torch.Generator``
seeded with its seed, as ``train`` shuffles) and its own learning rate and momentum at every
step. Summing the K mean losses before ``backward`` gives each network exactly its own
gradient. The update is ``torch.optim.SGD``'s with momentum ``mu`` (``v <- mu v + g``,
``w <- w - lr v``), with ``mu`` allowed to change at every step.

>>> import numpy as np
>>> from lrkit.data import load_digits
>>> run = train(load_digits(), seeds=[0, 1], lrs=np.full((2, 44), 0.1), num_epochs=2)
>>> run.step_losses.shape, run.epoch_test_accuracy.shape
((2, 44), (2, 2))
"""

from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from lrkit._checks import check_int
from lrkit.data import make_mlp
from lrkit.training import steps_per_epoch

__all__ = ["SideBySide", "final_metrics", "forward", "stacked_mlps", "train"]


def stacked_mlps(seeds, num_inputs):
    """``[w1, b1, w2, b2]``: the weights of ``make_mlp(seed=s)`` for each seed, stacked."""
    nets = [make_mlp(seed=seed, num_inputs=num_inputs) for seed in seeds]
    w1 = torch.stack([net[1].weight.T for net in nets])
    b1 = torch.stack([net[1].bias for net in nets])[:, None]
    w2 = torch.stack([net[3].weight.T for net in nets])
    b2 = torch.stack([net[3].bias for net in nets])[:, None]
    return [p.detach().clone().requires_grad_() for p in (w1, b1, w2, b2)]


def forward(params, x):
    """Logits ``(K, batch, 10)`` of the K networks for inputs ``x`` of shape ``(K, batch, n)``."""
    w1, b1, w2, b2 = params
    return torch.baddbmm(b2, torch.relu(torch.baddbmm(b1, x, w1)), w2)


@dataclass(frozen=True, eq=False)
class SideBySide:
    """K runs: the final stacked weights, each step's mini-batch loss ``(K, steps)``, and per
    epoch the mean training loss and the test accuracy ``(K, epochs)`` (as ``History``)."""

    params: list
    step_losses: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_test_accuracy: np.ndarray


def _table(name, value, shape):
    """``value`` (a number or an array of ``shape``) as a float32 tensor of that shape."""
    table = np.asarray(value, dtype=np.float64)
    if table.ndim and table.shape != shape:
        raise ValueError(f"{name}: shape {table.shape}, expected {shape} (networks, steps)")
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise ValueError(f"{name}: every value must be finite and >= 0")
    return torch.tensor(np.broadcast_to(table, shape), dtype=torch.float32)


def train(data, *, seeds, lrs, num_epochs, momentum=0.9, batch_size=64):
    """Train ``len(seeds)`` MLPs on ``data``; network k uses ``lrs[k, step]``.

    ``momentum`` is a number or, like ``lrs``, an array ``(len(seeds), num_steps)`` with
    ``num_steps = num_epochs * steps_per_epoch(data, batch_size)``. A seed may repeat (the
    same network under two schedules). Returns a ``SideBySide``.
    """
    check_int("num_epochs", num_epochs, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    seeds = [check_int("seeds", seed) for seed in seeds]
    if not seeds:
        raise ValueError("seeds: give at least one")
    shape = (len(seeds), num_epochs * steps_per_epoch(data, batch_size))
    lr_table, momentum_table = _table("lrs", lrs, shape), _table("momentum", momentum, shape)
    x, y, n = data.x_train.flatten(1), data.y_train, len(data.y_train)
    params = stacked_mlps(seeds, num_inputs=x.shape[1])
    velocities = [torch.zeros_like(p) for p in params]
    shuffles = [torch.Generator().manual_seed(seed) for seed in seeds]
    step_losses, epoch_loss, epoch_accuracy = [], [], []
    for _ in range(num_epochs):
        order = torch.stack([torch.randperm(n, generator=g) for g in shuffles])
        loss_sum = torch.zeros(len(seeds))
        for start in range(0, n, batch_size):
            index = order[:, start : start + batch_size]
            logits = forward(params, x[index]).transpose(1, 2)
            losses = F.cross_entropy(logits, y[index], reduction="none").mean(dim=1)
            grads = torch.autograd.grad(losses.sum(), params)
            step = len(step_losses)
            with torch.no_grad():
                for p, v, g in zip(params, velocities, grads, strict=True):
                    broadcast = (-1,) + (1,) * (p.dim() - 1)
                    v.mul_(momentum_table[:, step].view(broadcast)).add_(g)
                    p.sub_(lr_table[:, step].view(broadcast) * v)
            step_losses.append(losses.detach())
            loss_sum += losses.detach() * index.shape[1]
        epoch_loss.append(loss_sum / n)
        epoch_accuracy.append(_evaluate(params, data.x_test, data.y_test)[1])
    return SideBySide(
        params=params,
        step_losses=torch.stack(step_losses, dim=1).numpy().astype(np.float64),
        epoch_train_loss=torch.stack(epoch_loss, dim=1).numpy().astype(np.float64),
        epoch_test_accuracy=np.stack(epoch_accuracy, axis=1),
    )


def _evaluate(params, x, y):
    """Each network's mean loss and accuracy on the whole set ``(x, y)``: two arrays of K."""
    k = params[0].shape[0]
    with torch.no_grad():
        logits = forward(params, x.flatten(1).expand(k, -1, -1))
        losses = F.cross_entropy(logits.transpose(1, 2), y.expand(k, -1), reduction="none")
        accuracy = (logits.argmax(2) == y).double().mean(1)
    return losses.mean(1).double().numpy(), accuracy.numpy()


def final_metrics(params, data):
    """``{"train loss", "train accuracy", "test loss", "test accuracy": array of K}``."""
    metrics = {}
    for part in ("train", "test"):
        loss, accuracy = _evaluate(params, getattr(data, f"x_{part}"), getattr(data, f"y_{part}"))
        metrics[f"{part} loss"], metrics[f"{part} accuracy"] = loss, accuracy
    return metrics
