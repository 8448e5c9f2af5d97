"""A synthetic sequence task and a small recurrent net, for the gradient-clipping experiment.

The *adding problem* (Hochreiter and Schmidhuber, 1997): each input is a sequence of
``seq_len`` pairs ``(value, marker)``; the values are uniform in [0, 1], exactly two steps
carry marker 1 (one in each half of the sequence), and the target is the sum of the two
marked values. Predicting the mean target (1.0) gives a mean squared error of about 1/6, so
a model has learned something only when its loss falls well below that.

A vanilla ReLU RNN whose recurrent matrix starts as a scaled orthogonal matrix has
gradients that grow with the sequence length when the scale is above 1: the setting in which
gradient clipping (Pascanu et al., 2013) is what keeps training stable.

>>> task = make_sequence_task(num_samples=4, seq_len=10, seed=0)
>>> tuple(task.inputs.shape), tuple(task.targets.shape)
((4, 10, 2), (4, 1))
>>> task.inputs[:, :, 1].sum(dim=1).tolist()   # exactly two markers per sequence
[2.0, 2.0, 2.0, 2.0]
>>> model = make_rnn(hidden=8, seed=0)
>>> tuple(model(task.inputs).shape)
(4, 1)
>>> run = train_rnn(model, task, lr=0.01, num_steps=3, batch_size=2, clip_norm=1.0)
>>> run.num_steps, len(run.grad_norms), run.diverged
(3, 3, False)
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from lrkit._checks import check_choice, check_int, check_non_negative, check_positive

__all__ = [
    "BASELINE_MSE",
    "RecurrentRegressor",
    "SequenceRun",
    "SequenceTask",
    "make_rnn",
    "make_sequence_task",
    "train_rnn",
]

NUM_FEATURES = 2  # (value, marker)
BASELINE_MSE = 1.0 / 6.0  # variance of the sum of two U(0, 1): the loss of always predicting 1
DIVERGENCE_LOSS = 1e6  # train_rnn: a mini-batch loss above this counts as diverged
NONLINEARITIES = ("relu", "tanh")


# ---------------------------------------------------------------- the task


@dataclass(frozen=True, eq=False)
class SequenceTask:
    """Adding-problem data: ``inputs`` ``(N, seq_len, 2)`` float32, ``targets`` ``(N, 1)``."""

    inputs: torch.Tensor
    targets: torch.Tensor

    @property
    def num_samples(self):
        return len(self.targets)

    @property
    def seq_len(self):
        return self.inputs.shape[1]

    def __repr__(self):
        return f"SequenceTask(num_samples={self.num_samples}, seq_len={self.seq_len})"


def make_sequence_task(num_samples=1_000, seq_len=50, seed=0):
    """The adding problem: ``num_samples`` sequences of length ``seq_len``, fixed by ``seed``.

    Step ``t`` of a sequence is ``(value_t, marker_t)`` with ``value_t ~ U(0, 1)``; one
    marker is at a random step of the first half, one in the second half; the target is the
    sum of the two marked values. Uses its own ``torch.Generator`` (global RNG untouched).

    >>> a = make_sequence_task(num_samples=3, seq_len=6, seed=1)
    >>> b = make_sequence_task(num_samples=3, seq_len=6, seed=1)
    >>> torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets)
    True
    >>> marked = (a.inputs[:, :, 0] * a.inputs[:, :, 1]).sum(dim=1, keepdim=True)
    >>> torch.allclose(marked, a.targets)
    True
    """
    check_int("num_samples", num_samples, minimum=1)
    check_int("seq_len", seq_len, minimum=2)
    check_int("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    half = seq_len // 2
    values = torch.rand(num_samples, seq_len, generator=generator)
    first = torch.randint(0, half, (num_samples,), generator=generator)
    second = torch.randint(half, seq_len, (num_samples,), generator=generator)
    rows = torch.arange(num_samples)
    markers = torch.zeros(num_samples, seq_len)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    targets = (values[rows, first] + values[rows, second]).unsqueeze(1)
    return SequenceTask(inputs=torch.stack([values, markers], dim=2), targets=targets)


# ---------------------------------------------------------------- the model


class RecurrentRegressor(nn.Module):
    """A one-layer vanilla RNN followed by a linear read-out of its last hidden state."""

    def __init__(self, hidden, nonlinearity="relu"):
        super().__init__()
        self.rnn = nn.RNN(NUM_FEATURES, hidden, nonlinearity=nonlinearity, batch_first=True)
        self.readout = nn.Linear(hidden, 1)

    def forward(self, inputs):
        states, _ = self.rnn(inputs)
        return self.readout(states[:, -1])


def make_rnn(hidden=32, seed=0, *, nonlinearity="relu", recurrent_scale=1.0):
    """A vanilla RNN regressor whose recurrent matrix starts as ``recurrent_scale`` times a
    random orthogonal matrix (``recurrent_scale=1`` with ReLU is close to Le et al.'s IRNN).

    Every singular value of the initial recurrent matrix equals ``recurrent_scale``, so above
    1 signals and gradients can grow along the sequence. Weights depend only on ``seed``
    (the global torch RNG is left untouched).

    >>> model = make_rnn(hidden=4, seed=0, recurrent_scale=2.0)
    >>> torch.linalg.svdvals(model.rnn.weight_hh_l0).detach().round(decimals=4).tolist()
    [2.0, 2.0, 2.0, 2.0]
    """
    check_int("hidden", hidden, minimum=1)
    check_int("seed", seed)
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    check_positive(recurrent_scale=recurrent_scale)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = RecurrentRegressor(hidden, nonlinearity=nonlinearity)
        with torch.no_grad():
            nn.init.orthogonal_(model.rnn.weight_hh_l0, gain=recurrent_scale)
            model.rnn.bias_hh_l0.zero_()
            model.rnn.bias_ih_l0.zero_()
    return model


# ---------------------------------------------------------------- training


@dataclass(frozen=True, eq=False)
class SequenceRun:
    """What ``train_rnn`` measured, one value per optimizer step taken.

    ``grad_norms[t]`` is the total gradient norm of step ``t`` *before* clipping (what
    ``clip_grad_norm_`` returns); ``losses[t]`` the mini-batch loss before the update. If
    ``diverged`` is True the run stopped at the first loss that was not finite or exceeded
    ``DIVERGENCE_LOSS``; that step is not recorded, so every array is finite.
    """

    losses: np.ndarray
    grad_norms: np.ndarray
    lr: float
    clip_norm: float | None
    diverged: bool

    @property
    def num_steps(self):
        return len(self.losses)

    @property
    def final_loss(self):
        """Mean loss over the last 10% of the recorded steps (inf if the run diverged)."""
        if self.diverged or not self.num_steps:
            return math.inf
        tail = max(1, self.num_steps // 10)
        return float(np.mean(self.losses[-tail:]))

    @property
    def max_grad_norm(self):
        return float(self.grad_norms.max()) if self.num_steps else math.nan

    def __repr__(self):
        return (
            f"SequenceRun(num_steps={self.num_steps}, lr={self.lr}, clip_norm={self.clip_norm}, "
            f"final_loss={self.final_loss:.4g}, diverged={self.diverged})"
        )


def train_rnn(
    model,
    task,
    *,
    lr,
    num_steps,
    batch_size=32,
    clip_norm=None,
    momentum=0.0,
    seed=0,
    num_threads=1,
):
    """Train ``model`` on ``task`` with mean squared error and SGD at a constant ``lr``.

    Each step draws a mini-batch (a ``torch.Generator`` seeded with ``seed``), runs
    forward, backward, records the total gradient norm, clips it to ``clip_norm`` with
    ``torch.nn.utils.clip_grad_norm_`` if given, and calls ``optimizer.step()``. Stops with
    ``diverged=True`` at a loss that is not finite or exceeds ``DIVERGENCE_LOSS``.
    ``torch.set_num_threads(num_threads)`` holds for the call only.

    >>> task = make_sequence_task(num_samples=8, seq_len=5)
    >>> train_rnn(make_rnn(hidden=4), task, lr=0.0, num_steps=2, batch_size=4).losses.shape
    (2,)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_non_negative(lr=lr, momentum=momentum)
    if momentum >= 1:
        raise ValueError(f"momentum must be < 1, got {momentum!r}")
    check_int("num_steps", num_steps, minimum=1)
    check_int("batch_size", batch_size, minimum=1)
    if clip_norm is not None:
        check_positive(clip_norm=clip_norm)
    check_int("seed", seed)
    check_int("num_threads", num_threads, minimum=1)

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.SGD(params, lr=lr, momentum=momentum)
    sampler = torch.Generator().manual_seed(seed)
    max_norm = math.inf if clip_norm is None else clip_norm
    losses, grad_norms, diverged = [], [], False
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        model.train()
        for _step in range(num_steps):
            index = torch.randint(0, task.num_samples, (batch_size,), generator=sampler)
            optimizer.zero_grad(set_to_none=True)
            loss = nn.functional.mse_loss(model(task.inputs[index]), task.targets[index])
            loss_value = loss.item()
            if not math.isfinite(loss_value) or loss_value > DIVERGENCE_LOSS:
                diverged = True
                break
            loss.backward()
            # the pre-clip total norm; with max_norm=inf nothing is scaled
            norm = nn.utils.clip_grad_norm_(params, max_norm).item()
            if not math.isfinite(norm):
                diverged = True
                break
            optimizer.step()
            losses.append(loss_value)
            grad_norms.append(norm)
    finally:
        torch.set_num_threads(previous_threads)
    return SequenceRun(
        losses=np.asarray(losses, dtype=float),
        grad_norms=np.asarray(grad_norms, dtype=float),
        lr=float(lr),
        clip_norm=None if clip_norm is None else float(clip_norm),
        diverged=diverged,
    )
