"""Figures for the book: schedules, training histories, range tests, optimization paths.

Every function takes ``ax=None`` and returns the Axes it drew on. Without ``ax`` it
creates a figure of the book's size with an opaque white background (readable on a
dark page). The style is applied to each Axes; importing this module changes no
global state (no rcParams; pyplot is imported only when a figure is created).

>>> import numpy as np
>>> ax = plot_schedule(lambda step: 0.1 * 0.5 ** (step // 10), num_steps=50, log=True)
>>> ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()
('step', 'learning rate', 'log')
>>> close(ax)
"""

import numpy as np

from lrkit._checks import check_choice, check_int, check_positive

__all__ = [
    "BOOK_RC",
    "FIGSIZE",
    "book_style",
    "close",
    "plot_history",
    "plot_range_test",
    "plot_schedule",
    "plot_trajectory",
    "subplots",
]

FIGSIZE = (6.4, 3.6)  # inches, one panel: the width of the page's column at 100 dpi
MAX_WIDTH = 6.4  # inches (the column at 100 dpi); wider is shrunk below half size on a phone
MAX_COLUMNS = 2  # panels side by side; more would be unreadable on a phone
_RAW_ALPHA = 0.35  # raw, noisy curves under their smoothed or averaged version
_SPAN_FOR_LOG = 100.0  # a positive series spanning this factor or more gets a log axis

# The book's figure style: text at the body's size (16 px) when a FIGSIZE figure fills the
# column, and figures sent as 2x PNG for sharp text on high-density screens.
BOOK_RC = {
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "lines.linewidth": 1.8,
    "figure.dpi": 100,
}


def book_style():
    """Use the book's figure style in this notebook (each chapter calls it once, at the top).

    It sets matplotlib's fonts (``BOOK_RC``) and asks IPython for 2x PNG figures. It is a
    function, not an import side effect: importing lrkit changes no global state.
    """
    import matplotlib as mpl

    mpl.rcParams.update(BOOK_RC)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # not in IPython: nothing to configure
        return
    set_matplotlib_formats("retina")


def subplots(nrows=1, ncols=1, **kwargs):
    """``plt.subplots`` with the book's figure size and an opaque white background.

    At most ``MAX_COLUMNS`` panels side by side and at most ``MAX_WIDTH`` inches wide, so
    that the figure is shown near its full size in the column: stack panels in rows. The
    default size is the column's width and ``FIGSIZE[1]`` per row (less per row for two
    columns). Returns ``(fig, axes)`` like ``plt.subplots``, each Axes styled.
    """
    import matplotlib.pyplot as plt

    check_int("nrows", nrows, minimum=1)
    check_int("ncols", ncols, minimum=1)
    if ncols > MAX_COLUMNS:
        raise ValueError(
            f"ncols: at most {MAX_COLUMNS} panels side by side (got {ncols}); stack them in rows"
        )
    row_height = FIGSIZE[1] if ncols == 1 else 0.8 * FIGSIZE[1]
    kwargs.setdefault("figsize", (FIGSIZE[0], row_height * nrows))
    if kwargs["figsize"][0] > MAX_WIDTH:
        raise ValueError(
            f"figsize: at most {MAX_WIDTH} inches wide (got {kwargs['figsize'][0]}); "
            "a wider figure is shrunk below readable size in the column"
        )
    kwargs.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, **kwargs)
    fig.patch.set_facecolor("white")
    fig.patch.set_alpha(1.0)
    for ax in np.atleast_1d(axes).ravel():
        _style(ax)
    return fig, axes


def close(ax_or_fig):
    """Close the figure of an Axes (or a Figure): frees it when drawing many in a loop."""
    import matplotlib.pyplot as plt

    fig = getattr(ax_or_fig, "figure", ax_or_fig)
    plt.close(fig)


def _axes(ax):
    if ax is None:
        _, ax = subplots()
    return ax


def _style(ax):
    """The book's per-Axes style: a light grid behind the data, no top/right frame."""
    ax.set_facecolor("white")
    ax.grid(True, color="0.85", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _spans_decades(values):
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    return values.size > 0 and values.min() > 0 and values.max() / values.min() >= _SPAN_FOR_LOG


def _legend_if_labelled(ax):
    if any(not label.startswith("_") for label in ax.get_legend_handles_labels()[1]):
        ax.legend(frameon=False)


# ---------------------------------------------------------------- schedules


def plot_schedule(schedule, num_steps=None, ax=None, label=None, log=False):
    """Plot a learning-rate schedule against the 0-based step.

    ``schedule`` is a callable (evaluated once, vectorized, on ``np.arange(num_steps)``),
    a float (constant), or an array of learning rates (``num_steps`` then optional).
    ``log=True`` puts the learning rate on a log scale.
    """
    if callable(schedule):
        if num_steps is None:
            raise ValueError("num_steps is required when schedule is callable")
        check_int("num_steps", num_steps, minimum=1)
        lrs = np.asarray(schedule(np.arange(num_steps)), dtype=float)
        lrs = np.broadcast_to(lrs, (num_steps,))  # a constant schedule may return a scalar
    elif np.ndim(schedule) == 0:
        if num_steps is None:
            raise ValueError("num_steps is required when schedule is a number")
        check_int("num_steps", num_steps, minimum=1)
        lrs = np.full(num_steps, float(schedule))
    else:
        lrs = np.asarray(schedule, dtype=float)
        if lrs.ndim != 1:
            raise ValueError(f"schedule as an array must be 1-d, got shape {lrs.shape}")
        if num_steps is not None and check_int("num_steps", num_steps) != len(lrs):
            raise ValueError(f"num_steps={num_steps} but the schedule array has {len(lrs)} lrs")
    if log and np.any(lrs <= 0):
        raise ValueError("log=True needs learning rates > 0")
    ax = _axes(ax)
    ax.plot(np.arange(len(lrs)), lrs, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=min(0.0, float(lrs.min())))
    _legend_if_labelled(ax)
    return ax


# ---------------------------------------------------------------- training histories


def plot_history(history, ax=None, what="loss", label=None):
    """Plot a ``lrkit.training.History`` against the epoch.

    - ``what="loss"``: the per-step mini-batch loss (faint), the epoch's mean training
      loss and the test loss (log scale if they span two decades or more);
    - ``what="accuracy"``: the test accuracy per epoch;
    - ``what="lr"``: the learning rate of every step.

    Step ``t`` is drawn at epoch ``(t + 1) / steps_per_epoch``, so step and epoch values
    share the x axis. ``label`` prefixes the legend entries (to compare runs).
    """
    check_choice("what", what, {"loss", "accuracy", "lr"})
    ax = _axes(ax)
    prefix = "" if label is None else f"{label}: "
    step_x = (np.arange(len(history.step_losses)) + 1) / history.steps_per_epoch
    epoch_x = np.arange(1, len(history.epoch_test_loss) + 1)
    if what == "loss":
        (line,) = ax.plot(
            step_x, history.step_losses, alpha=_RAW_ALPHA, linewidth=0.8,
            label=f"{prefix}mini-batch loss",
        )  # fmt: skip
        color = line.get_color() if label is not None else None
        ax.plot(epoch_x, history.epoch_train_loss, "o-", color=color,
                label=f"{prefix}train loss (epoch mean)")  # fmt: skip
        ax.plot(epoch_x, history.epoch_test_loss, "s--", color=color, label=f"{prefix}test loss")
        ax.set_ylabel("cross-entropy loss")
        if _spans_decades(np.concatenate([history.step_losses, history.epoch_test_loss])):
            ax.set_yscale("log")
    elif what == "accuracy":
        ax.plot(epoch_x, history.epoch_test_accuracy, "o-", label=f"{prefix}test accuracy")
        ax.set_ylabel("test accuracy")
        ax.set_ylim(0.0, 1.0)
    else:
        ax.plot(step_x, history.step_lrs, label=label)
        ax.set_ylabel("learning rate")
        if _spans_decades(history.step_lrs):
            ax.set_yscale("log")
    ax.set_xlabel("epoch")
    if history.diverged and len(step_x):
        ax.axvline(step_x[-1], color="crimson", linestyle=":", label=f"{prefix}diverged")
    _legend_if_labelled(ax)
    return ax


# ---------------------------------------------------------------- range tests


def plot_range_test(result, ax=None, suggestions=None):
    """Plot a ``lrkit.finder.RangeTest``: raw loss (faint) and smoothed loss vs lr (log x).

    ``suggestions``: a dict ``{name: lr}`` or a sequence of lrs, drawn as vertical lines.
    The y range is cut a little above the loss at the start, so the final blow-up does
    not flatten the interesting part.
    """
    ax = _axes(ax)
    lrs, raw, smooth = result.lrs, result.losses, result.smoothed_losses
    ax.plot(lrs, raw, alpha=_RAW_ALPHA, linewidth=0.8, label="loss")
    ax.plot(lrs, smooth, linewidth=2.0, label="smoothed loss")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss")
    # the interesting part: up to where the smoothed loss first exceeds its start again
    top = 1.25 * max(float(smooth[: int(np.argmin(smooth)) + 1].max()), float(smooth[0]))
    bottom = float(min(raw.min(), smooth.min()))
    ax.set_ylim(bottom - 0.05 * (top - bottom), top)
    if suggestions is not None:
        items = suggestions.items() if isinstance(suggestions, dict) else (
            (None, lr) for lr in np.atleast_1d(suggestions)
        )  # fmt: skip
        for (name, lr), color in zip(items, ("C2", "C3", "C4", "C5", "C6", "C7"), strict=False):
            check_positive(suggestion=lr)
            text = f"{lr:.2g}" if name is None else f"{name}: {lr:.2g}"
            ax.axvline(lr, color=color, linestyle="--", linewidth=1.2, label=text)
    _legend_if_labelled(ax)
    return ax


# ---------------------------------------------------------------- optimization paths


def plot_trajectory(problem, xs, ax=None, levels=12, label=None, bounds=None, resolution=200):
    """Contours of a 2-d ``problem.loss`` with the path ``xs`` (shape ``(n, 2)``) on top.

    The loss is computed in one vectorized call on a ``resolution x resolution`` grid
    covering ``bounds = ((x0_min, x0_max), (x1_min, x1_max))``, by default the path and
    ``problem.minimum`` (if it has one) with a margin. ``levels`` is a number of contour
    levels, spaced geometrically above the grid's minimum (losses span decades), or an
    array of loss values. To compare paths, call it once per path on the same Axes: the
    first call (on an Axes without contours) draws the contours and sets the view, later
    calls add their path only, so pass the widest path first or give ``bounds``.
    """
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2 or xs.shape[1] != 2 or len(xs) == 0:
        raise ValueError(f"xs must have shape (n, 2), got {xs.shape}")
    check_int("resolution", resolution, minimum=2)
    minimum = getattr(problem, "minimum", None)
    minimum = None if minimum is None else np.asarray(minimum, dtype=float)
    if bounds is None:
        points = xs[np.all(np.isfinite(xs), axis=1)]
        if minimum is not None and minimum.shape == (2,):
            points = np.vstack([points, minimum])
        low, high = points.min(axis=0), points.max(axis=0)
        margin = np.maximum(0.15 * (high - low), 0.5)
        bounds = tuple(zip(low - margin, high + margin, strict=True))
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    if not (x_lo < x_hi and y_lo < y_hi):
        raise ValueError(f"bounds must be ((x_min, x_max), (y_min, y_max)), got {bounds!r}")

    ax = _axes(ax)
    first_path = not ax.collections
    if first_path:  # contours (and the view) once per Axes
        grid_x, grid_y = np.meshgrid(
            np.linspace(x_lo, x_hi, resolution), np.linspace(y_lo, y_hi, resolution)
        )
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.asarray(problem.loss(np.stack([grid_x, grid_y], axis=-1)), dtype=float)
        if z.shape != grid_x.shape:
            raise ValueError("problem.loss must be vectorized over leading axes of (..., 2)")
        if np.ndim(levels) == 0:
            count = check_int("levels", levels, minimum=1)
            finite = z[np.isfinite(z)]
            floor, span = finite.min(), finite.max() - finite.min()
            levels = floor + np.geomspace(1e-3 * span, span, count) if span > 0 else count
        ax.contour(grid_x, grid_y, z, levels=levels, colors="0.6", linewidths=0.8)
        if minimum is not None and minimum.shape == (2,):
            ax.plot(*minimum, marker="*", markersize=12, color="black", linestyle="none",
                    label="minimum")  # fmt: skip
    ax.plot(xs[:, 0], xs[:, 1], "o-", markersize=3, linewidth=1.2, label=label)
    ax.plot(*xs[0], marker="o", markersize=7, color="black", fillstyle="none", linestyle="none")
    if first_path:
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
    ax.set_xlabel("$x_1$ (parameter)")
    ax.set_ylabel("$x_2$ (parameter)")
    _legend_if_labelled(ax)
    return ax
