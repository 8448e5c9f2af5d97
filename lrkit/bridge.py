"""Between lrkit's pure schedules and ``torch.optim``.

- ``schedule_lr(optimizer, schedule)`` drives an optimizer from a schedule: the
  learning rate of optimizer step ``t`` is exactly ``schedule(t)``.
- ``sample(make_scheduler, num_steps)`` runs any PyTorch scheduler and records the
  learning rate each optimizer step would use: the oracle our tests compare against.

Step ``t`` counts ``scheduler.step()`` calls made so far, so the loop is the usual
one: ``optimizer.step()`` then ``scheduler.step()``.

>>> import torch
>>> from lrkit import schedules
>>> param = torch.zeros(1, requires_grad=True)
>>> optimizer = torch.optim.SGD([param], lr=123.0)  # the schedule overrides this lr
>>> scheduler = schedule_lr(optimizer, schedules.step_decay(initial_lr=0.1, step_size=2))
>>> lrs = []
>>> for t in range(5):
...     lrs.append(optimizer.param_groups[0]["lr"])
...     optimizer.step()
...     scheduler.step()
>>> [round(lr, 12) for lr in lrs]
[0.1, 0.1, 0.01, 0.01, 0.001]
"""

from collections.abc import Callable, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import torch
from torch.optim.lr_scheduler import LRScheduler

from lrkit._checks import check_int, check_positive

__all__ = ["ScheduleLR", "schedule_lr", "sample"]


class ScheduleLR(LRScheduler):
    """A PyTorch scheduler that sets group ``i``'s learning rate to ``schedules[i](last_epoch)``.

    Unlike ``LambdaLR``, which multiplies the optimizer's initial lr by a factor
    (``base_lr * f(t)``, not always bitwise equal to the intended value), this
    writes ``schedule(t)`` itself. Build it with ``schedule_lr``.

    The state dict holds the step count but not the schedules (functions do not
    pickle); a resumed run rebuilds the scheduler with the same schedules and
    loads the state dict, which also puts ``schedule(step)`` back into the
    optimizer's param groups, whatever order the optimizer state was loaded in.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, schedules: Sequence[Callable]):
        self.schedules = list(schedules)
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        return [float(schedule(self.last_epoch)) for schedule in self.schedules]

    # PyTorch calls this for the deprecated ``step(epoch)``; a pure schedule is closed-form.
    _get_closed_form_lr = get_lr

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "schedules")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update({k: v for k, v in state_dict.items() if k != "schedules"})
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def schedule_lr(
    optimizer: torch.optim.Optimizer, schedule: Callable | Sequence[Callable]
) -> ScheduleLR:
    """A ``torch.optim.lr_scheduler.LRScheduler`` that follows ``schedule`` exactly.

    After ``t`` calls of ``scheduler.step()``, every param group's ``lr`` is
    ``schedule(t)`` (bitwise), so optimizer step ``t`` (0-based) uses
    ``schedule(t)``. Pass a list with one schedule per param group to give the
    groups different schedules. The optimizer's own ``lr`` is ignored: the
    scheduler sets ``schedule(0)`` as soon as it is built.

    >>> import torch
    >>> from lrkit import schedules
    >>> layers = torch.nn.Linear(2, 2)
    >>> optimizer = torch.optim.SGD(
    ...     [{"params": [layers.weight]}, {"params": [layers.bias]}], lr=1.0
    ... )
    >>> scheduler = schedule_lr(optimizer, [schedules.constant(0.1), schedules.constant(0.2)])
    >>> [group["lr"] for group in optimizer.param_groups]
    [0.1, 0.2]
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise ValueError(f"optimizer must be a torch.optim.Optimizer, got {optimizer!r}")
    num_groups = len(optimizer.param_groups)
    if callable(schedule):
        schedules = [schedule] * num_groups
    elif isinstance(schedule, Sequence) and not isinstance(schedule, str):
        schedules = list(schedule)
        if len(schedules) != num_groups:
            raise ValueError(
                f"schedule must be one callable or one per param group ({num_groups}), "
                f"got {len(schedules)}"
            )
        for i, piece in enumerate(schedules):
            if not callable(piece):
                raise ValueError(f"schedule[{i}] must be callable, got {piece!r}")
    else:
        raise ValueError(f"schedule must be callable or a list of callables, got {schedule!r}")
    return ScheduleLR(optimizer, schedules)


def sample(
    make_scheduler: Callable[[torch.optim.Optimizer], LRScheduler],
    num_steps: int,
    lr: float = 1.0,
    *,
    key: str = "lr",
) -> np.ndarray:
    """The learning rate of each of the first ``num_steps`` optimizer steps under a torch scheduler.

    Builds a throwaway ``torch.optim.SGD`` (initial ``lr``, one float64
    parameter, ``momentum`` available for schedulers that cycle it), calls
    ``make_scheduler(optimizer)``, then records ``param_groups[0][key]`` before
    each ``optimizer.step()`` / ``scheduler.step()`` pair, in the order PyTorch
    asks for, so no warning is emitted. ``key="momentum"`` records the momentum
    that OneCycleLR or CyclicLR sets. Returns a float64 array of length ``num_steps``.

    >>> import torch
    >>> sample(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5), 5)
    array([1.  , 1.  , 0.5 , 0.5 , 0.25])
    """
    if not callable(make_scheduler):
        raise ValueError(f"make_scheduler must be callable, got {make_scheduler!r}")
    check_int("num_steps", num_steps, minimum=1)
    check_positive(lr=lr)
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.0)
    scheduler = make_scheduler(optimizer)
    if not isinstance(scheduler, LRScheduler):
        raise ValueError(
            f"make_scheduler must return a torch LRScheduler, got {type(scheduler).__name__}"
        )
    group = optimizer.param_groups[0]
    if key not in group or not isinstance(group[key], float | Integral | torch.Tensor):
        raise ValueError(f"key must name a number in the optimizer's param group, got {key!r}")
    values = np.empty(num_steps, dtype=np.float64)
    for t in range(num_steps):
        values[t] = float(group[key])
        if t < num_steps - 1:  # no step past the last recorded one (OneCycleLR would raise)
            optimizer.step()
            scheduler.step()
    return values
