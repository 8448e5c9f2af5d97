"""lrkit.plotting: every helper returns a labelled Axes and leaves global state alone."""

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from lrkit.finder import RangeTest  # noqa: E402
from lrkit.plotting import (  # noqa: E402
    FIGSIZE,
    close,
    plot_history,
    plot_range_test,
    plot_schedule,
    plot_trajectory,
    subplots,
)
from lrkit.problems import quadratic  # noqa: E402
from lrkit.training import History  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_history(diverged=False):
    steps = np.arange(10)
    return History(
        step_lrs=0.1 * 0.5 ** (steps // 5), step_losses=2.3 * 0.7**steps,
        epoch_train_loss=np.array([1.5, 0.5]), epoch_test_loss=np.array([1.2, 0.6]),
        epoch_test_accuracy=np.array([0.6, 0.9]), diverged=diverged, steps_per_epoch=5,
    )  # fmt: skip


def make_range_test():
    lrs = np.geomspace(1e-6, 1.0, 50)
    losses = 2.3 - 2.0 / (1 + np.exp(-(np.log10(lrs) + 3))) + 5 * (lrs > 0.3)
    return RangeTest(lrs=lrs, losses=losses, smoothed_losses=losses, stopped_early=True)


def assert_labelled(ax):
    assert isinstance(ax, Axes)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_plot_schedule_from_callable_array_and_float():
    calls = []

    def schedule(step):
        calls.append(np.shape(step))
        return 0.1 * 0.5 ** (np.asarray(step) // 10)

    ax = plot_schedule(schedule, num_steps=40, label="step decay", log=True)
    assert_labelled(ax)
    assert calls == [(40,)]  # one vectorized call
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "learning rate"
    assert ax.get_yscale() == "log" and ax.get_legend() is not None
    np.testing.assert_allclose(ax.lines[0].get_ydata(), schedule(np.arange(40)))
    assert tuple(ax.figure.get_size_inches()) == FIGSIZE

    ax = plot_schedule(lambda step: 0.1, num_steps=5)  # a scalar for every step
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), np.full(5, 0.1))
    ax = plot_schedule(np.linspace(0.1, 0.0, 7), ax=ax)
    assert len(ax.lines) == 2 and ax.get_yscale() == "linear"
    assert len(plot_schedule(0.3, num_steps=4).lines[0].get_ydata()) == 4


def test_figure_background_is_opaque_white():
    ax = plot_schedule(lambda step: 0.1 + 0 * step, num_steps=3)
    assert matplotlib.colors.to_rgba(ax.figure.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)
    fig, axes = subplots(1, 2)
    assert axes.shape == (2,) and fig.get_size_inches()[0] == FIGSIZE[0]  # the column's width
    assert matplotlib.colors.to_rgba(fig.get_facecolor())[3] == 1.0
    close(axes[0])
    assert not plt.fignum_exists(fig.number)


@pytest.mark.parametrize(
    ("what", "ylabel"),
    [("loss", "cross-entropy loss"), ("accuracy", "test accuracy"), ("lr", "learning rate")],
)
def test_plot_history(what, ylabel):
    ax = plot_history(make_history(), what=what)
    assert_labelled(ax)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == ylabel
    if what == "loss":  # the step losses fall from 2.3 to 0.1: less than two decades
        assert len(ax.lines) == 3 and ax.get_yscale() == "linear"
        np.testing.assert_allclose(ax.lines[0].get_xdata(), (np.arange(10) + 1) / 5)


def test_plot_history_marks_divergence_and_labels_runs():
    _, ax = subplots()
    plot_history(make_history(), ax=ax, label="lr=0.1")
    returned = plot_history(make_history(diverged=True), ax=ax, what="loss", label="lr=10")
    assert returned is ax
    labels = ax.get_legend_handles_labels()[1]
    assert "lr=10: diverged" in labels and "lr=0.1: test loss" in labels


def test_plot_range_test_with_suggestions():
    result = make_range_test()
    ax = plot_range_test(result, suggestions={"valley": 1e-3, "steepest": 3e-3})
    assert_labelled(ax)
    assert ax.get_xscale() == "log" and "learning rate" in ax.get_xlabel()
    assert len(ax.lines) == 4  # raw, smoothed, two suggestions
    assert ax.get_ylim()[1] < result.losses.max()  # the blow-up is cut off
    ax = plot_range_test(result, suggestions=[1e-4])
    assert len(ax.lines) == 3
    with pytest.raises(ValueError, match="suggestion"):
        plot_range_test(result, suggestions=[-1.0])


def test_plot_trajectory_contours_and_path():
    problem = quadratic(curvatures=[1.0, 10.0])
    xs = np.array([[2.0, 1.0], [1.8, -0.9], [1.6, 0.8], [1.4, -0.7]])
    ax = plot_trajectory(problem, xs, label="lr=0.19")
    assert_labelled(ax)
    assert len(ax.collections) >= 1  # the contours
    path = [line for line in ax.lines if line.get_label() == "lr=0.19"][0]
    np.testing.assert_array_equal(path.get_xydata(), xs)
    x_lo, x_hi = ax.get_xlim()
    assert x_lo < 0.0 and x_hi > 2.0  # the path and the minimum are in view
    contours = len(ax.collections)
    plot_trajectory(problem, xs * 0.5, ax=ax, label="second")
    assert len(ax.collections) == contours  # contours drawn once per Axes
    plot_trajectory(problem, xs, levels=[0.1, 1.0], bounds=((-3, 3), (-2, 2)))


def test_plotting_leaves_rcparams_alone():
    before = matplotlib.rcParams.copy()
    plot_schedule(lambda step: 0.1 / (1 + np.asarray(step)), num_steps=10, log=True)
    plot_history(make_history())
    plot_range_test(make_range_test(), suggestions=[1e-3])
    plot_trajectory(quadratic(curvatures=[1.0, 4.0]), np.ones((3, 2)))
    assert matplotlib.rcParams.copy() == before


def test_importing_lrkit_changes_no_rcparams():
    code = (
        "import matplotlib\n"
        "before = matplotlib.rcParams.copy()\n"
        "import lrkit, lrkit.plotting\n"
        "assert matplotlib.rcParams.copy() == before\n"
        "import sys; assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    env = dict(os.environ, MPLBACKEND="Agg")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("call", "name"),
    [(lambda: plot_schedule(lambda t: 0.1), "num_steps"),
     (lambda: plot_schedule(lambda t: 0.1, num_steps=0), "num_steps"),
     (lambda: plot_schedule(np.ones(3), num_steps=4), "num_steps"),
     (lambda: plot_schedule(np.zeros(3), log=True), "log"),
     (lambda: plot_history(make_history(), what="lrs"), "what"),
     (lambda: plot_trajectory(quadratic(curvatures=[1.0]), np.ones(3)), "xs"),
     (lambda: plot_trajectory(quadratic(), np.ones((2, 2)), levels=0), "levels"),
     (lambda: plot_trajectory(quadratic(), np.ones((2, 2)), bounds=((1, 0), (0, 1))), "bounds")],
)  # fmt: skip
def test_plotting_rejects_bad_arguments(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"nrows": 1, "ncols": 3}, "ncols: at most 2 panels"), ({"figsize": (12, 4)}, "figsize")],
)
def test_figures_wider_than_the_column_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        subplots(**kwargs)


def test_book_style_text_is_at_least_the_body_size_when_the_figure_fills_the_column():
    from lrkit.plotting import BOOK_RC, book_style

    with matplotlib.rc_context():
        book_style()
        fig, ax = subplots()
        ax.set_xlabel("step")
        fig.canvas.draw()
        label_px = ax.xaxis.label.get_window_extent().height
        tick_px = max(t.get_window_extent().height for t in ax.get_xticklabels() if t.get_text())
        close(fig)
    # shown at 640 CSS px (the column is about 700 px), text keeps its pixel height
    assert BOOK_RC["figure.dpi"] * FIGSIZE[0] <= 700
    assert label_px >= 14 and tick_px >= 13, (label_px, tick_px)
