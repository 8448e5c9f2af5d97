"""lrkit schedules vs. stepping the equivalent PyTorch scheduler: speed and agreement.

Run: python benchmarks/bench_schedules.py

For each schedule with a torch counterpart, computes a NUM_STEPS-step curve

- with lrkit: one vectorized call, ``schedule(np.arange(NUM_STEPS))`` (best of REPEATS);
- with torch: ``lrkit.bridge.sample``, i.e. ``optimizer.step()`` then
  ``scheduler.step()`` NUM_STEPS times on a one-parameter float64 SGD, reading
  the lr (or momentum) of each step (one run).

The budget (DESIGN.md): lrkit at least MIN_RATIO times faster, and equal within
MAX_REL_DIFF relative. The table also shows the time of ``scheduler.step()``
alone (the optimizer stepped once, before the loop), for readers who want the
scheduler's own cost. Exits 1 if any row fails the budget.
"""

import sys
import time

import numpy as np
import torch

from lrkit import schedules as S
from lrkit.bridge import sample

NUM_STEPS = 100_000
REPEATS = 7
MIN_RATIO = 1_000
MAX_REL_DIFF = 1e-12

L = torch.optim.lr_scheduler
N = NUM_STEPS

# (name, lrkit schedule, torch scheduler factory, optimizer lr, param-group key)
CASES = [
    ("step_decay", S.step_decay(0.1, N // 10, 0.5), lambda o: L.StepLR(o, N // 10, 0.5), 0.1, "lr"),
    (
        "multistep_decay",
        S.multistep_decay(0.1, [3 * N // 10, 6 * N // 10, 9 * N // 10]),
        lambda o: L.MultiStepLR(o, [3 * N // 10, 6 * N // 10, 9 * N // 10]),
        0.1,
        "lr",
    ),
    (
        "exponential_decay",
        S.exponential_decay(0.1, gamma=0.99995),
        lambda o: L.ExponentialLR(o, 0.99995),
        0.1,
        "lr",
    ),
    (
        "polynomial_decay",
        S.polynomial_decay(0.1, N, power=2.0),
        lambda o: L.PolynomialLR(o, total_iters=N, power=2.0),
        0.1,
        "lr",
    ),
    (
        "cosine_decay",
        S.cosine_decay(0.1, N),
        lambda o: L.CosineAnnealingLR(o, T_max=N),
        0.1,
        "lr",
    ),
    (
        "cosine_restarts",
        S.cosine_restarts(0.1, 1_000, cycle_mult=2, final_lr=1e-4),
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=1_000, T_mult=2, eta_min=1e-4),
        0.1,
        "lr",
    ),
    (
        "cyclic",
        S.cyclic(1e-3, 0.1, 2_000, 3_000, mode="exp_range", gamma=0.99999),
        lambda o: L.CyclicLR(o, 1e-3, 0.1, 2_000, 3_000, mode="exp_range", gamma=0.99999),
        0.1,
        "lr",
    ),
    (
        "cyclic_momentum",
        S.cyclic_momentum(0.8, 0.9, 2_000, mode="triangular2"),
        lambda o: L.CyclicLR(o, 1e-3, 0.1, 2_000, mode="triangular2"),
        0.1,
        "momentum",
    ),
    ("one_cycle", S.one_cycle(0.1, N), lambda o: L.OneCycleLR(o, 0.1, total_steps=N), 0.1, "lr"),
    (
        "one_cycle_momentum",
        S.one_cycle_momentum(N, three_phase=True),
        lambda o: L.OneCycleLR(o, 0.1, total_steps=N, three_phase=True),
        0.1,
        "momentum",
    ),
    (
        "linear_warmup",
        S.linear_warmup(0.1, N // 10, start_lr=1e-3),
        lambda o: L.LinearLR(o, start_factor=0.01, total_iters=N // 10),
        0.1,
        "lr",
    ),
]


def time_lrkit(schedule):
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        curve = schedule(np.arange(NUM_STEPS))
        best = min(best, time.perf_counter() - start)
    return curve, best


def time_torch(make, lr, key):
    start = time.perf_counter()
    curve = sample(make, NUM_STEPS, lr=lr, key=key)
    return curve, time.perf_counter() - start


def time_scheduler_alone(make, lr):
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr, momentum=0.0)
    scheduler = make(optimizer)
    optimizer.step()  # once, so that torch does not warn about the order
    start = time.perf_counter()
    for _ in range(NUM_STEPS - 1):
        scheduler.step()
    return time.perf_counter() - start


def max_relative_difference(ours, theirs):
    """max |ours - theirs| / |theirs|; where theirs is 0, any nonzero difference is infinite."""
    diff = np.abs(ours - theirs)
    zero = theirs == 0
    if np.any(diff[zero] != 0):
        return float("inf")
    return float(np.max(diff[~zero] / np.abs(theirs[~zero]), initial=0.0))


def main():
    header = (
        f"{'schedule':<20} {'lrkit ms':>9} {'torch ms':>9} {'ratio':>8} {'max rel diff':>13}"
        f"  {'result':<6} {'sched-only ms':>13} {'ratio':>6}"
    )
    print(f"{NUM_STEPS:,}-step curves; budget: ratio >= {MIN_RATIO}x, diff <= {MAX_REL_DIFF:g}")
    print(header)
    print("-" * len(header))
    failed = []
    for name, schedule, make, lr, key in CASES:
        ours, lrkit_s = time_lrkit(schedule)
        theirs, torch_s = time_torch(make, lr, key)
        alone_s = time_scheduler_alone(make, lr)
        ratio, diff = torch_s / lrkit_s, max_relative_difference(ours, theirs)
        ok = ratio >= MIN_RATIO and diff <= MAX_REL_DIFF
        if not ok:
            failed.append(name)
        print(
            f"{name:<20} {lrkit_s * 1e3:>9.2f} {torch_s * 1e3:>9.0f} {ratio:>7.0f}x {diff:>13.2e}"
            f"  {'PASS' if ok else 'FAIL':<6} {alone_s * 1e3:>13.0f} {alone_s / lrkit_s:>5.0f}x"
        )
    print("-" * len(header))
    print("FAIL: " + ", ".join(failed) if failed else "all rows PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
