"""One correct PyTorch training loop, and a gradient-descent runner for numpy problems.

``train`` sets the learning rate from a schedule *before* each optimizer step, so the
rate used by step ``t`` is exactly ``schedule(t)`` (0-based, counted in optimizer steps);
it stops early and says so when the loss stops being finite. ``gradient_descent`` runs
a numpy optimizer on a problem from ``lrkit.problems`` and records the whole path.

>>> from lrkit.data import load_digits, make_mlp
>>> history = train(make_mlp(seed=0), load_digits(), schedule=0.1, num_epochs=1)
>>> history.steps_per_epoch, len(history.step_lrs), history.diverged
(22, 22, False)
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lrkit._checks import check_choice, check_int, check_non_negative, check_positive

__all__ = ["History", "Trajectory", "evaluate", "gradient_descent", "steps_per_epoch", "train"]

OPTIMIZERS = ("sgd", "adam", "adamw")
DIVERGENCE_LOSS = 1e12  # gradient_descent: a loss above this counts as diverged


# ---------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class History:
    """What ``train`` measured: per optimizer step and per completed epoch.

    ``step_lrs[t]`` is the learning rate used by optimizer step ``t`` and
    ``step_losses[t]`` the mini-batch loss at that step (before the update). The epoch
    arrays hold one value per *completed* epoch. If ``diverged`` is True the run stopped
    at the first non-finite loss, which is not recorded: every array is finite.
    """

    step_lrs: np.ndarray
    step_losses: np.ndarray
    epoch_train_loss: np.ndarray
    epoch_test_loss: np.ndarray
    epoch_test_accuracy: np.ndarray
    diverged: bool
    steps_per_epoch: int

    @property
    def num_steps(self):
        """Optimizer steps recorded."""
        return len(self.step_losses)

    @property
    def num_epochs(self):
        """Epochs completed (evaluated on the test set)."""
        return len(self.epoch_test_loss)

    @property
    def final_test_accuracy(self):
        """Test accuracy after the last completed epoch, or None if none completed."""
        return float(self.epoch_test_accuracy[-1]) if self.num_epochs else None

    @property
    def final_test_loss(self):
        """Test loss after the last completed epoch, or None if none completed."""
        return float(self.epoch_test_loss[-1]) if self.num_epochs else None

    def epochs_to_reach(self, accuracy):
        """Number of epochs until the test accuracy first reached ``accuracy``, or None."""
        check_non_negative(accuracy=accuracy)
        reached = np.flatnonzero(self.epoch_test_accuracy >= accuracy)
        return int(reached[0]) + 1 if reached.size else None

    def __repr__(self):
        accuracy = self.final_test_accuracy
        shown = "None" if accuracy is None else f"{accuracy:.4f}"
        return (
            f"History(num_steps={self.num_steps}, num_epochs={self.num_epochs}, "
            f"final_test_accuracy={shown}, diverged={self.diverged})"
        )


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The path of ``gradient_descent``: ``xs[k]`` the k-th iterate, ``losses[k]`` its loss,
    ``lrs[k]`` the rate of the step from ``xs[k]`` to ``xs[k + 1]``.

    When ``diverged`` is True the run stopped early; the arrays hold the finite iterates.
    """

    xs: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    diverged: bool

    @property
    def num_steps(self):
        """Steps taken (``len(xs) - 1``)."""
        return len(self.lrs)

    @property
    def final_x(self):
        return self.xs[-1]

    @property
    def final_loss(self):
        return float(self.losses[-1])

    def __repr__(self):
        return (
            f"Trajectory(num_steps={self.num_steps}, final_loss={self.final_loss:.6g}, "
            f"diverged={self.diverged})"
        )


# ---------------------------------------------------------------- helpers


def _as_schedule(schedule):
    """A float becomes a constant schedule; a callable is used as is."""
    if callable(schedule):
        return schedule
    check_non_negative(schedule=schedule)
    lr = float(schedule)
    return lambda step: lr


def _lr_at(schedule, step):
    """``schedule(step)`` as a float, checked to be finite and >= 0."""
    lr = schedule(step)
    try:
        lr = float(lr)
    except (TypeError, ValueError) as error:
        raise ValueError(f"schedule({step}) must return a number, got {lr!r}") from error
    if not math.isfinite(lr) or lr < 0:
        raise ValueError(f"schedule({step}) must return a finite lr >= 0, got {lr!r}")
    return lr


def _make_optimizer(optimizer, params, lr, momentum, weight_decay):
    if callable(optimizer):
        return optimizer(params, lr)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    if optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    betas = (momentum, 0.999)
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, betas=betas, weight_decay=weight_decay)
    return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay)


def steps_per_epoch(data, batch_size=64):
    """Optimizer steps per epoch of ``train``: ``ceil(len(data.y_train) / batch_size)``.

    The last, smaller batch of an epoch is kept (no ``drop_last``).
    """
    check_int("batch_size", batch_size, minimum=1)
    return math.ceil(len(data.y_train) / batch_size)


def evaluate(model, x, y, batch_size=1024):
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)``, in eval mode, no grad.

    The model's train/eval mode is restored afterwards.
    """
    check_int("batch_size", batch_size, minimum=1)
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    try:
        with torch.no_grad():
            for start in range(0, len(y), batch_size):
                logits = model(x[start : start + batch_size])
                target = y[start : start + batch_size]
                total_loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
                correct += (logits.argmax(dim=1) == target).sum().item()
    finally:
        model.train(was_training)
    return total_loss / len(y), correct / len(y)


# ---------------------------------------------------------------- training loop


def train(
    model,
    data,
    *,
    schedule,
    num_epochs,
    batch_size=64,
    optimizer="sgd",
    momentum=0.9,
    weight_decay=0.0,
    clip_norm=None,
    max_loss=1e3,
    seed=0,
    num_threads=1,
):
    """Train ``model`` on ``data`` with cross-entropy and a learning-rate schedule.

    - ``data``: a ``lrkit.data.Digits`` (anything with ``x_train, y_train, x_test, y_test``).
    - ``schedule``: a float (constant lr) or a callable of the 0-based *optimizer step*.
      For a per-epoch schedule ``s``, pass ``lambda t: s(t // steps)`` with
      ``steps = steps_per_epoch(data, batch_size)``.
    - ``optimizer``: ``"sgd"`` (``torch.optim.SGD`` with ``momentum``, ``weight_decay``),
      ``"adam"`` / ``"adamw"`` (``betas=(momentum, 0.999)``), or a callable
      ``make_optimizer(params, lr) -> torch.optim.Optimizer`` (``momentum`` and
      ``weight_decay`` are then ignored).
    - ``clip_norm``: if given, ``clip_grad_norm_`` to this total norm before each step.

    Each step: set every param group's lr to ``schedule(step)``, zero the gradients,
    forward, loss, backward, clip, ``optimizer.step()``. Shuffling uses a
    ``torch.Generator`` seeded with ``seed``; anything else random in the model (dropout)
    draws from a forked global RNG seeded with ``seed``, so the run is reproducible and
    the caller's RNG state is untouched. ``torch.set_num_threads(num_threads)`` holds
    for the call only. The model is trained in place and left in train mode.

    Divergence: the run stops with ``diverged=True`` at the first mini-batch loss above
    ``max_loss`` (recorded, no update made; None to disable) or not finite (not
    recorded; likewise a non-finite test loss drops its epoch). The threshold matters: a
    too-large lr often does *not* produce NaN. With ReLUs the loss spikes (to 1e20 at
    lr=1e6 on the digits), the units die, the network collapses to its biases and the
    loss falls back to a finite value. The default 1e3 is far above any cross-entropy a
    working run reaches (ln 10 = 2.3 is chance level on 10 classes).
    """
    schedule = _as_schedule(schedule)
    check_int("num_epochs", num_epochs, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    if not callable(optimizer):
        check_choice("optimizer", optimizer, OPTIMIZERS)
    check_non_negative(momentum=momentum, weight_decay=weight_decay)
    if momentum >= 1:
        raise ValueError(f"momentum must be < 1, got {momentum!r}")
    if clip_norm is not None:
        check_positive(clip_norm=clip_norm)
    if max_loss is not None:
        check_positive(max_loss=max_loss)
    check_int("seed", seed)
    check_int("num_threads", num_threads, minimum=1)
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    x_train, y_train, x_test, y_test = data.x_train, data.y_train, data.x_test, data.y_test
    num_train = len(y_train)
    if num_train == 0:
        raise ValueError("data must hold at least one training example")

    step_lrs, step_losses = [], []
    epoch_train, epoch_test, epoch_accuracy = [], [], []
    diverged = False
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            shuffle = torch.Generator().manual_seed(seed)
            params = [p for p in model.parameters() if p.requires_grad]
            opt = _make_optimizer(optimizer, params, _lr_at(schedule, 0), momentum, weight_decay)
            model.train()
            step = 0
            for _epoch in range(num_epochs):
                order = torch.randperm(num_train, generator=shuffle)
                loss_sum = 0.0
                for start in range(0, num_train, batch_size):
                    index = order[start : start + batch_size]
                    # 1) the lr this step uses, set before the step
                    lr = _lr_at(schedule, step)
                    for group in opt.param_groups:
                        group["lr"] = lr
                    # 2) forward, backward, (clip), update
                    opt.zero_grad(set_to_none=True)
                    loss = nn.functional.cross_entropy(model(x_train[index]), y_train[index])
                    loss_value = loss.item()
                    if not math.isfinite(loss_value):
                        diverged = True
                        break
                    step_lrs.append(lr)
                    step_losses.append(loss_value)
                    if max_loss is not None and loss_value > max_loss:
                        diverged = True
                        break
                    loss.backward()
                    if clip_norm is not None:
                        nn.utils.clip_grad_norm_(params, clip_norm)
                    opt.step()
                    loss_sum += loss_value * len(index)
                    step += 1
                if diverged:
                    break
                # 3) end of epoch: evaluate on the test set
                test_loss, test_accuracy = evaluate(model, x_test, y_test)
                if not math.isfinite(test_loss):
                    diverged = True
                    break
                epoch_train.append(loss_sum / num_train)
                epoch_test.append(test_loss)
                epoch_accuracy.append(test_accuracy)
    finally:
        torch.set_num_threads(previous_threads)

    return History(
        step_lrs=np.asarray(step_lrs, dtype=float),
        step_losses=np.asarray(step_losses, dtype=float),
        epoch_train_loss=np.asarray(epoch_train, dtype=float),
        epoch_test_loss=np.asarray(epoch_test, dtype=float),
        epoch_test_accuracy=np.asarray(epoch_accuracy, dtype=float),
        diverged=diverged,
        steps_per_epoch=steps_per_epoch(data, batch_size),
    )


# ---------------------------------------------------------------- numpy gradient descent


def gradient_descent(problem, schedule, num_steps, x0, optimizer=None):
    """Run ``num_steps`` steps on a numpy ``problem`` (with ``.loss(x)`` and ``.grad(x)``).

    ``schedule``: a float or a callable of the 0-based step. ``optimizer``: None for
    plain gradient descent ``x <- x - lr * grad(x)``, otherwise an object with
    ``init(params) -> state`` and ``update(params, grads, state, lr) -> (params, state)``
    (the interface of ``lrkit.optimizers``).

    Stops early with ``diverged=True`` when an iterate is non-finite (it is dropped) or
    its loss exceeds 1e12 (it is kept), without leaking overflow warnings.

    >>> class Bowl:  # loss = x^2 / 2 in one dimension, L = 1
    ...     def loss(self, x):
    ...         return 0.5 * np.sum(np.square(x), axis=-1)
    ...     def grad(self, x):
    ...         return np.asarray(x, dtype=float)
    >>> gradient_descent(Bowl(), 0.5, num_steps=3, x0=[8.0]).xs[:, 0].tolist()
    [8.0, 4.0, 2.0, 1.0]
    >>> gradient_descent(Bowl(), 2.5, num_steps=500, x0=[1.0]).diverged
    True
    """
    schedule = _as_schedule(schedule)
    check_int("num_steps", num_steps)
    x = np.array(x0, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x0 must be a non-empty 1-d array, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x0 must be finite")
    if optimizer is not None and not (hasattr(optimizer, "init") and hasattr(optimizer, "update")):
        raise ValueError("optimizer must be None or have init(params) and update(...) methods")

    xs, losses, lrs = [x.copy()], [float(problem.loss(x))], []
    diverged = False
    state = optimizer.init(x) if optimizer is not None else None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for step in range(num_steps):
            lr = _lr_at(schedule, step)
            grad = np.asarray(problem.grad(x), dtype=float)
            if not np.all(np.isfinite(grad)):  # an optimizer would refuse it: stop here
                diverged = True
                break
            if optimizer is None:
                x_next = x - lr * grad
            else:
                x_next, state = optimizer.update(x, grad, state, lr)
                x_next = np.array(x_next, dtype=float)
            if not np.all(np.isfinite(x_next)):
                diverged = True
                break
            loss = float(problem.loss(x_next))
            if not math.isfinite(loss):
                diverged = True
                break
            x = x_next
            xs.append(x.copy())
            losses.append(loss)
            lrs.append(lr)
            if loss > DIVERGENCE_LOSS:
                diverged = True
                break
    return Trajectory(
        xs=np.asarray(xs),
        losses=np.asarray(losses),
        lrs=np.asarray(lrs, dtype=float),
        diverged=diverged,
    )
