"""Argument checks shared by lrkit's public functions.

Each check takes keyword arguments so that the error names the argument:
``check_positive(lr=-1.0)`` raises ``ValueError("lr must be > 0, got -1.0")``.
"""

import math
from numbers import Integral, Real


def _number(name, value):
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def check_finite(**kwargs):
    """Each argument is a finite real number."""
    for name, value in kwargs.items():
        _number(name, value)


def check_positive(**kwargs):
    """Each argument is a finite number > 0."""
    for name, value in kwargs.items():
        if _number(name, value) <= 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")


def check_non_negative(**kwargs):
    """Each argument is a finite number >= 0."""
    for name, value in kwargs.items():
        if _number(name, value) < 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")


def check_in_range(name, value, low, high, *, low_open=False, high_open=False):
    """``value`` lies in the interval from ``low`` to ``high`` (closed unless told otherwise)."""
    v = _number(name, value)
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low}, {high}{right}, got {value!r}")


def check_int(name, value, *, minimum=0):
    """``value`` is an integer >= ``minimum`` (bool is not an integer here)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def check_choice(name, value, choices):
    """``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
