"""The learning-rate range test (Smith 2017) and three rules that read a suggestion off it.

``range_test`` takes one optimizer step per learning rate on an exponential sweep from
``min_lr`` to ``max_lr``, records the loss, smooths it, stops once it blows up, and puts
the model's weights back exactly as they were. Reference: L. N. Smith, "Cyclical
Learning Rates for Training Neural Networks", WACV 2017 (arXiv:1506.01186), section 3.3;
the procedure and the defaults follow fastai's ``Learner.lr_find`` (fastai 2.x).

The suggestion rules are pure functions of ``(lrs, losses)``, usually the smoothed
losses of a ``RangeTest``:

- ``steepest``: the lr where the loss falls fastest per unit of log(lr);
- ``minimum_over_10``: the lr of the lowest loss, divided by 10;
- ``valley``: fastai's default since 2.4, the middle of the longest valley.

Like fastai, each rule first drops the first 10 % and the last 5 % of the points (the
start is flat and noisy, the end is the blow-up): ``skip_start``, ``skip_end``.

>>> lrs = np.geomspace(1e-4, 1e4, 9)  # one point per decade
>>> losses = np.array([5.0, 5.0, 4.9, 4.0, 2.0, 1.0, 0.8, 3.0, 9.0])
>>> float(steepest(lrs, losses, skip_start=0, skip_end=0))  # 4.0 -> 2.0
0.1
>>> float(minimum_over_10(lrs, losses, skip_start=0, skip_end=0))  # 100 / 10
10.0
"""

import copy
import math
from dataclasses import dataclass
from itertools import cycle

import numpy as np
import torch
from torch import nn

from lrkit._checks import check_in_range, check_int, check_positive

__all__ = [
    "RangeTest",
    "digits_range_test",
    "exponential_sweep",
    "minimum_over_10",
    "range_test",
    "steepest",
    "valley",
]


@dataclass(frozen=True, eq=False)
class RangeTest:
    """An lr range test: ``losses[i]`` is the mini-batch loss computed at the step taken
    with ``lrs[i]`` (before that step's update); ``smoothed_losses`` is its bias-corrected
    exponential moving average. The arrays have equal lengths and hold finite values.
    ``stopped_early`` is True if the loss blew up before the sweep reached ``max_lr``.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    stopped_early: bool

    def suggest(self, rule="valley", smoothed=True, **kwargs):
        """Apply a rule (``"steepest"``, ``"minimum_over_10"``, ``"valley"``) to the sweep."""
        rules = {"steepest": steepest, "minimum_over_10": minimum_over_10, "valley": valley}
        if rule not in rules:
            raise ValueError(f"rule must be one of {sorted(rules)}, got {rule!r}")
        losses = self.smoothed_losses if smoothed else self.losses
        return rules[rule](self.lrs, losses, **kwargs)

    def __repr__(self):
        return (
            f"RangeTest(num_steps={len(self.lrs)}, lrs=[{self.lrs[0]:.3g} .. {self.lrs[-1]:.3g}], "
            f"stopped_early={self.stopped_early})"
        )


def exponential_sweep(min_lr, max_lr, num_steps):
    """``lr_i = min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))`` for i = 0..num_steps-1.

    >>> exponential_sweep(1e-3, 1e-1, 3).tolist()
    [0.001, 0.01, 0.1]
    """
    check_positive(min_lr=min_lr, max_lr=max_lr)
    check_int("num_steps", num_steps, minimum=2)
    if max_lr <= min_lr:
        raise ValueError(f"max_lr must be > min_lr, got max_lr={max_lr!r}, min_lr={min_lr!r}")
    i = np.arange(num_steps)
    lrs = min_lr * (max_lr / min_lr) ** (i / (num_steps - 1))
    lrs[-1] = max_lr  # exact end point despite rounding
    return lrs


def range_test(
    model,
    loss_fn,
    batches,
    *,
    make_optimizer=None,
    min_lr=1e-6,
    max_lr=10.0,
    num_steps=100,
    smoothing=0.98,
    diverge_factor=4.0,
    seed=0,
):
    """Sweep the learning rate exponentially, one optimizer step per rate.

    - ``loss_fn(model, batch) -> scalar tensor``; ``batches``: a non-empty sequence or
      iterable of batches, cycled as often as needed.
    - ``make_optimizer(params, lr) -> torch.optim.Optimizer``; default plain SGD.
    - At step i the lr is set to ``lr_i`` (``exponential_sweep``), the loss of the next
      batch is computed and recorded, and the optimizer steps. So ``losses[i]`` is the
      loss of the weights reached after the steps at ``lr_0 .. lr_{i-1}``.
    - ``smoothed_losses``: ``avg = smoothing * avg + (1 - smoothing) * loss``, divided by
      ``1 - smoothing ** (i + 1)`` (bias correction, as in fastai and Adam).
    - Stops after recording a smoothed loss above ``diverge_factor`` times the best so
      far; a non-finite loss stops the sweep without being recorded.

    The model's ``state_dict`` (weights and buffers), its train/eval mode and the global
    torch RNG are restored afterwards: the call leaves the model bitwise unchanged.
    Randomness inside the model (dropout) is seeded with ``seed``.
    """
    lrs_planned = exponential_sweep(min_lr, max_lr, num_steps)
    check_in_range("smoothing", smoothing, 0.0, 1.0, high_open=True)
    check_positive(diverge_factor=diverge_factor)
    if diverge_factor <= 1:
        raise ValueError(f"diverge_factor must be > 1, got {diverge_factor!r}")
    check_int("seed", seed)
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not callable(loss_fn):
        raise ValueError("loss_fn must be callable: loss_fn(model, batch) -> scalar tensor")
    if make_optimizer is None:
        make_optimizer = _plain_sgd
    elif not callable(make_optimizer):
        raise ValueError("make_optimizer must be callable: make_optimizer(params, lr)")

    saved_state = copy.deepcopy(model.state_dict())
    was_training = model.training
    lrs, losses, smoothed = [], [], []
    stopped_early = False
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            params = [p for p in model.parameters() if p.requires_grad]
            optimizer = make_optimizer(params, float(lrs_planned[0]))
            model.train()
            average, best = 0.0, math.inf
            batch_stream = cycle(batches)
            for i, lr in enumerate(lrs_planned):
                for group in optimizer.param_groups:
                    group["lr"] = float(lr)
                optimizer.zero_grad(set_to_none=True)
                try:
                    batch = next(batch_stream)
                except StopIteration:
                    raise ValueError("batches must hold at least one batch") from None
                loss = loss_fn(model, batch)
                value = float(loss.item())
                if not math.isfinite(value):
                    stopped_early = True
                    break
                # 1) record the raw and the bias-corrected smoothed loss
                average = smoothing * average + (1 - smoothing) * value
                smooth = average / (1 - smoothing ** (i + 1))
                lrs.append(float(lr))
                losses.append(value)
                smoothed.append(smooth)
                # 2) stop once the smoothed loss has blown up
                best = min(best, smooth)
                if smooth > diverge_factor * best:
                    stopped_early = i < num_steps - 1
                    break
                loss.backward()
                optimizer.step()
    finally:
        model.load_state_dict(saved_state)
        model.train(was_training)

    if not lrs:
        raise ValueError("the loss was not finite even at min_lr: nothing to report")
    return RangeTest(
        lrs=np.asarray(lrs),
        losses=np.asarray(losses),
        smoothed_losses=np.asarray(smoothed),
        stopped_early=stopped_early,
    )


def _plain_sgd(params, lr):
    return torch.optim.SGD(params, lr=lr)


def digits_range_test(model, data, batch_size=64, **kwargs):
    """``range_test`` with cross-entropy on shuffled mini-batches of ``data.x_train``.

    ``data`` is a ``lrkit.data.Digits``; the shuffle is seeded with ``kwargs["seed"]``
    (default 0). Other keyword arguments go to ``range_test``.
    """
    check_int("batch_size", batch_size, minimum=1)
    seed = kwargs.get("seed", 0)
    check_int("seed", seed)
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(data.y_train), generator=generator)
    batches = [
        (data.x_train[order[i : i + batch_size]], data.y_train[order[i : i + batch_size]])
        for i in range(0, len(order), batch_size)
    ]
    return range_test(model, _cross_entropy, batches, **kwargs)


def _cross_entropy(model, batch):
    x, y = batch
    return nn.functional.cross_entropy(model(x), y)


# ---------------------------------------------------------------- suggestion rules


def _trimmed(lrs, losses, skip_start, skip_end):
    """Validate the sweep and drop its first and last few points."""
    lrs = np.asarray(lrs, dtype=float)
    losses = np.asarray(losses, dtype=float)
    if lrs.ndim != 1 or losses.ndim != 1:
        raise ValueError("lrs and losses must be 1-d arrays")
    if len(lrs) != len(losses):
        raise ValueError(
            f"lrs and losses must have the same length, got {len(lrs)} and {len(losses)}"
        )
    n = len(lrs)
    if n < 3:
        raise ValueError(f"lrs must hold at least 3 points, got {n}")
    if not np.all(np.isfinite(lrs)) or np.any(lrs <= 0):
        raise ValueError("lrs must be finite and > 0")
    if np.any(np.diff(lrs) <= 0):
        raise ValueError("lrs must be sorted in increasing order")
    if not np.all(np.isfinite(losses)):
        raise ValueError("losses must be finite")
    skip_start = n // 10 if skip_start is None else check_int("skip_start", skip_start)
    skip_end = n // 20 if skip_end is None else check_int("skip_end", skip_end)
    if n - skip_start - skip_end < 3:
        raise ValueError(
            f"skip_start={skip_start} and skip_end={skip_end} leave fewer than 3 of {n} points"
        )
    return lrs[skip_start : n - skip_end], losses[skip_start : n - skip_end]


def steepest(lrs, losses, *, skip_start=None, skip_end=None):
    """The lr at the most negative slope of the loss against log(lr).

    The slope between neighbours i and i+1 is attributed to ``lrs[i]``, as in fastai's
    ``steep`` rule. ``skip_start`` / ``skip_end`` default to 10 % / 5 % of the points.
    """
    lrs, losses = _trimmed(lrs, losses, skip_start, skip_end)
    slopes = np.diff(losses) / np.diff(np.log(lrs))
    return float(lrs[np.argmin(slopes)])


def minimum_over_10(lrs, losses, *, skip_start=None, skip_end=None):
    """The lr of the lowest loss, divided by 10 (fastai's ``minimum`` rule).

    ``skip_start`` / ``skip_end`` default to 10 % / 5 % of the points.
    """
    lrs, losses = _trimmed(lrs, losses, skip_start, skip_end)
    return float(lrs[np.argmin(losses)] / 10)


def valley(lrs, losses, *, skip_start=None, skip_end=None):
    """fastai's ``valley`` rule (fastai 2.4+, ``fastai.callback.schedule.valley``).

    Find the longest strictly decreasing subsequence of the losses (the "valley"; its
    points need not be adjacent) with ``length`` points, ending at index ``end``; take
    ``start = end - length + 1`` and ``L = end - start``, and return the lr at index
    ``start + int(L / 3) + int(L / 6)``, about halfway down the valley. (fastai describes
    the rule as "2/3 of the way" but its formula lands about halfway, and it subtracts
    ``length`` without the ``+ 1``, one point earlier, -1 for a valley that starts at the
    first point; we fix that.) Ties in length keep the earliest valley.
    ``skip_start`` / ``skip_end`` default to 10 % / 5 % of the points.

    >>> lrs = np.geomspace(1e-4, 1e5, 10)
    >>> losses = [9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 5.0, 8.0, 20.0]
    >>> float(valley(lrs, losses, skip_start=0, skip_end=0))
    0.1
    """
    lrs, losses = _trimmed(lrs, losses, skip_start, skip_end)
    n = len(losses)
    # 1) length of the longest decreasing subsequence ending at each point, O(n^2) like fastai
    lengths = np.ones(n, dtype=int)
    for i in range(1, n):
        earlier = lengths[:i][losses[:i] > losses[i]]
        if earlier.size:
            lengths[i] = earlier.max() + 1
    # 2) the point about halfway down the longest valley
    end = int(np.argmax(lengths))
    start = end - int(lengths[end]) + 1
    sections = (end - start) / 3
    return float(lrs[start + int(sections) + int(sections / 2)])
