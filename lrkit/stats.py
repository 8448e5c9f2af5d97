"""Seed-to-seed spread, and a verdict that says "separated" only beyond it.

An experiment in the book runs each setting over several seeds. ``over_seeds`` collects the
results, ``Spread`` summarizes one metric of one setting, and ``compare`` decides whether two
settings differ by more than ``margin`` pooled standard deviations:

>>> a = Spread((0.25, 0.31, 0.18, 0.20, 0.31))
>>> b = Spread((0.02, 0.03, 0.02, 0.01, 0.03))
>>> print(a)
0.250 ± 0.060 (0.180 to 0.310, 5 seeds)
>>> verdict = compare(a, b)
>>> verdict.separated, round(verdict.gap_in_sd, 1)
(True, 5.3)
>>> print(verdict)
gap 0.228 = 5.3 pooled SD > 3: separated
"""

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from lrkit._checks import check_positive

__all__ = ["Comparison", "Spread", "compare", "over_seeds", "table"]


@dataclass(frozen=True)
class Spread:
    """One metric of one setting over several seeds: the values, in seed order."""

    values: tuple[float, ...]

    def __post_init__(self):
        values = tuple(float(v) for v in self.values)
        if len(values) < 2:
            raise ValueError(f"values: a spread needs at least 2 seeds, got {len(values)}")
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"values: every value must be finite, got {values}")
        object.__setattr__(self, "values", values)

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def std(self) -> float:
        """Sample standard deviation (``ddof=1``)."""
        return float(np.std(self.values, ddof=1))

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def format(self, digits: int = 3) -> str:
        """``mean ± std`` with ``digits`` decimals: ``0.250 ± 0.060``."""
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"

    def __str__(self):
        return f"{self.format()} ({self.low:.3f} to {self.high:.3f}, {self.n} seeds)"


@dataclass(frozen=True)
class Comparison:
    """The gap between two spreads' means, measured in pooled standard deviations."""

    gap: float  # mean of the first minus mean of the second
    pooled_std: float
    margin: float  # how many pooled SDs the gap must exceed

    @property
    def gap_in_sd(self) -> float:
        if self.pooled_std == 0.0:
            return 0.0 if self.gap == 0.0 else math.inf
        return abs(self.gap) / self.pooled_std

    @property
    def separated(self) -> bool:
        return self.gap_in_sd > self.margin

    def __str__(self):
        if self.separated:
            rule = f"> {self.margin:g}: separated"
        else:
            rule = f"≤ {self.margin:g}: not separated"
        return f"gap {self.gap:.3g} = {self.gap_in_sd:.1f} pooled SD {rule}"


def compare(a: Spread, b: Spread, margin: float = 3.0) -> Comparison:
    """Compare ``a`` with ``b``: separated when ``|mean_a - mean_b| > margin * pooled SD``.

    The pooled SD is ``sqrt(((n_a - 1) s_a² + (n_b - 1) s_b²) / (n_a + n_b - 2))``. With 5
    seeds each, a gap of 3 pooled SDs is far outside what seed noise alone produces.
    """
    for name, spread in (("a", a), ("b", b)):
        if not isinstance(spread, Spread):
            raise TypeError(f"{name}: expected a Spread, got {type(spread).__name__}")
    check_positive(margin=margin)
    dof = a.n + b.n - 2
    pooled = math.sqrt(((a.n - 1) * a.std**2 + (b.n - 1) * b.std**2) / dof)
    return Comparison(gap=a.mean - b.mean, pooled_std=pooled, margin=float(margin))


def over_seeds(
    run: Callable[..., float | Mapping[str, float]],
    settings: Mapping[str, Mapping],
    seeds: Iterable[int],
) -> dict[str, dict[str, Spread]]:
    """Run ``run(seed=seed, **kwargs)`` for every setting and seed; one ``Spread`` per metric.

    ``settings`` maps a setting's name to its keyword arguments. ``run`` returns a number
    (the metric is then called ``"value"``) or a mapping of metric names to numbers. Returns
    ``{setting: {metric: Spread}}``. A run that returns a non-finite number is reported with
    its setting and seed.
    """
    seeds = list(seeds)
    if len(seeds) < 2:
        raise ValueError(f"seeds: need at least 2 seeds to measure a spread, got {seeds}")
    if not settings:
        raise ValueError("settings: need at least one setting")
    results = {}
    for name, kwargs in settings.items():
        per_metric: dict[str, list[float]] = {}
        for seed in seeds:
            out = run(seed=seed, **kwargs)
            out = out if isinstance(out, Mapping) else {"value": out}
            for metric, value in out.items():
                if not math.isfinite(float(value)):
                    raise ValueError(f"setting {name!r}, seed {seed}: {metric} is {value}")
                per_metric.setdefault(metric, []).append(float(value))
        results[name] = {metric: Spread(tuple(v)) for metric, v in per_metric.items()}
    return results


def table(results: Mapping[str, Mapping[str, Spread]], metrics=None, digits: int = 3) -> str:
    """A Markdown table: one row per setting, ``mean ± std`` per metric.

    >>> r = {"constant": {"loss": Spread((0.2, 0.3))}, "cosine": {"loss": Spread((0.02, 0.04))}}
    >>> print(table(r))
    | setting | loss |
    |---|---:|
    | constant | 0.250 ± 0.071 |
    | cosine | 0.030 ± 0.014 |
    """
    if not results:
        raise ValueError("results: nothing to tabulate")
    metrics = list(metrics or next(iter(results.values())))
    lines = ["| setting | " + " | ".join(metrics) + " |", "|---|" + "---:|" * len(metrics)]
    for name, spreads in results.items():
        missing = [m for m in metrics if m not in spreads]
        if missing:
            raise KeyError(f"setting {name!r} has no metric {missing[0]!r}")
        cells = " | ".join(spreads[m].format(digits) for m in metrics)
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines)
