"""Chapter 10's rate picker: the page draws the runs lrkit computes, and its control works.

When the book is built, the chapter's notebook runs full-batch gradient descent
(``lrkit.sharpness``) and embeds seed 0's five runs in the page as JSON;
``_static/eos_picker.js`` only draws the chosen run and prints its precomputed numbers. Here
lrkit computes the five runs again (the chapter's problem and settings, rebuilt below) and,
for every option of the control, chosen by clicking it as a reader does:

- the embedded curves equal the recomputation **exactly in float32**. The page stores each
  float32 value as its shortest decimal, which reads back to the same float32, and full-batch
  gradient descent in float32 on one thread is deterministic on one machine, so no tolerance is
  needed. (On another machine or torch build the rounding can differ, and runs at the edge of
  stability amplify it: build the book and run this test on the same machine.)
- the drawn curves (each SVG polyline mapped back through the axes the page writes on its
  panel) equal the embedded data to 1e-9 relative;
- every printed number carries the embedded value (``data-value``, equal to lrkit's summary to
  1e-12) and shows it rounded to the digits printed.

The section must also read at 1280 and 390 px, in light and dark themes, offline (conftest.py
blocks every non-localhost request), with no console error.
"""

import re

import numpy as np
import pytest
import torch
from torch import nn

from conftest import open_book, screenshot_path, settle, toc_page_names
from lrkit import data, schedules, sharpness

CHAPTER = "chapters/10_edge_of_stability"
RTOL = 1e-9  # drawn curves and printed values against the embedded data

# chapters/10_edge_of_stability.md: the problem (section "eos-setup") ...
NUM_EXAMPLES, HIDDEN, SEED = 200, 32, 0
# ... and the five runs the picker offers: settings, steps of the late mean
RUNS = {
    "0.17": ({"lr": 0.17, "num_steps": 500, "sharpness_every": 20}, (300, 500)),
    "0.2": ({"lr": 0.2, "num_steps": 500, "sharpness_every": 20}, (300, 500)),
    "0.5": ({"lr": 0.5, "num_steps": 150, "sharpness_every": 5}, (75, 150)),
    "0.8": ({"lr": 0.8, "num_steps": 150, "sharpness_every": 5}, None),
    "warmup": (
        {
            "lr": schedules.linear_warmup(peak_lr=0.8, warmup_steps=200),
            "num_steps": 400,
            "sharpness_every": 20,
        },
        (300, 400),
    ),
}
LABELS = {
    "0.17": "η = 0.17",
    "0.2": "η = 0.2",
    "0.5": "η = 0.5",
    "0.8": "η = 0.8",
    "warmup": "warmup to 0.8",
}


def chapter_problem():
    """The chapter's loss: 200 digits, a tanh net 64-32-10 without biases, seed 0."""
    digits = data.load_digits()
    inputs = digits.x_train[:NUM_EXAMPLES].reshape(NUM_EXAMPLES, -1)
    targets = nn.functional.one_hot(digits.y_train[:NUM_EXAMPLES], 10).float()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = nn.Sequential(
            nn.Linear(64, HIDDEN, bias=False), nn.Tanh(), nn.Linear(HIDDEN, 10, bias=False)
        )
    return sharpness.flat_loss(
        model, lambda out, y: 0.5 * ((out - y) ** 2).sum(dim=1).mean(), inputs, targets
    )


def summarize(run, window):
    """The numbers the page prints, computed from lrkit's run."""
    finite = run.losses[np.isfinite(run.losses)]
    steps = run.sharpness_steps
    late = None if window is None else run.sharpness[(steps >= window[0]) & (steps <= window[1])]
    return {
        "lr": run.lrs.max(),
        "final_limit": 2 / run.lrs[-1],
        "lambda_0": run.sharpness[0],
        "max_sharpness": run.sharpness.max(),
        "final_loss": None if run.diverged else run.losses[-1],
        "diverged_at": len(run.losses) - 1 if run.diverged else None,
        "last_loss": finite[-1] if run.diverged else None,
        "late_mean": None if late is None else late.mean(),
        "late_ratio": None if late is None else late.mean() * run.lrs[-1] / 2,
    }


@pytest.fixture(scope="module")
def lrkit_runs():
    """lrkit's five runs (about 2 s on one thread), with their summaries."""
    torch.set_num_threads(1)
    loss, theta = chapter_problem()
    runs = {}
    for key, (settings, window) in RUNS.items():
        run = sharpness.gradient_descent(loss, theta, num_iterations=3, **settings)
        runs[key] = (run, summarize(run, window))
    return runs


def open_picker(book):
    if CHAPTER not in toc_page_names():
        pytest.fail(f"{CHAPTER} is not in the table of contents")
    book.goto(f"{CHAPTER}.html")
    settle(book)
    book.page.wait_for_function("() => window.eosPicker !== undefined")
    return book


@pytest.fixture(scope="module")
def picker(browser, base_url):
    book = open_picker(open_book(browser, base_url))
    yield book
    book.assert_clean()
    book.page.context.close()


def embedded(book):
    return book.page.evaluate("() => JSON.parse(document.getElementById('eos-curves').textContent)")


def drawn(svg, cls):
    """The (x, y) data of the polyline ``cls`` in ``svg``, mapped back through its axes."""
    attrs = svg.evaluate("s => ({...s.dataset})")
    x0, x1 = map(float, attrs["xDomain"].split())
    r0, r1 = map(float, attrs["xRange"].split())
    y0, y1 = map(float, attrs["yDomain"].split())
    s0, s1 = map(float, attrs["yRange"].split())
    points = svg.locator(f"polyline.{cls}").get_attribute("points")
    px, py = np.array([p.split(",") for p in points.split()], dtype=float).T
    xs = x0 + (px - r0) / (r1 - r0) * (x1 - x0)
    if attrs["yScale"] == "log":
        y0, y1 = np.log10(y0), np.log10(y1)
    ys = y0 + (py - s0) / (s1 - s0) * (y1 - y0)
    return xs, (10**ys if attrs["yScale"] == "log" else ys)


def assert_drawn(svg, cls, steps, values):
    xs, ys = drawn(svg, cls)
    np.testing.assert_allclose(xs, steps, rtol=0, atol=RTOL * max(max(steps), 1), err_msg=cls)
    np.testing.assert_allclose(ys, values, rtol=RTOL, atol=0, err_msg=cls)


def shown_numbers(root):
    """{key: (text, data-value)} of the numbers printed beside the plot."""
    items = root.locator(".eos-numbers dd").all()
    return {
        i.get_attribute("data-key"): (i.inner_text(), i.get_attribute("data-value")) for i in items
    }


def assert_rounds_to(text, value, key):
    """``text`` is ``value`` rounded to the digits it shows."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert abs(float(text) - value) <= 0.5 * 10**-decimals * (1 + 1e-9), (key, text, value)


def test_the_options_are_the_chapters_five_runs(picker):
    root = picker.page.locator("#eos-picker")
    labels = [t.strip() for t in root.locator(".eos-choice label").all_inner_texts()]
    assert labels == list(LABELS.values())
    assert root.locator(".eos-choice legend").inner_text().strip() == "Run (seed 0)"
    runs = embedded(picker)
    assert list(runs) == list(RUNS)
    assert [run["diverged"] for run in runs.values()] == [False, False, False, True, False]


@pytest.mark.parametrize("key", list(RUNS))
def test_each_option_draws_and_prints_lrkits_run(picker, lrkit_runs, key):
    page = picker.page
    root = page.locator("#eos-picker")
    page.get_by_role("radio", name=LABELS[key]).check()  # the control, as a reader uses it
    assert page.evaluate("() => window.eosPicker.state().key") == key
    run, expected = lrkit_runs[key]
    page_run = embedded(picker)[key]

    # the embedded curves are lrkit's, exactly in float32 (see the module's docstring)
    finite = np.isfinite(run.losses)
    assert page_run["diverged"] == run.diverged
    for name, values in [("losses", run.losses[finite]), ("sharpness", run.sharpness)]:
        np.testing.assert_array_equal(np.float32(page_run[name]), np.float32(values), name)
    np.testing.assert_array_equal(page_run["sharpness_steps"], run.sharpness_steps)
    np.testing.assert_array_equal(page_run["lrs"], run.lrs)
    positive = np.flatnonzero(run.lrs > 0)
    np.testing.assert_array_equal(page_run["limit_steps"], positive)
    np.testing.assert_allclose(page_run["limits"], 2 / run.lrs[positive], rtol=1e-15)
    for name, value in expected.items():
        got = page_run["summary"][name]
        assert (got is None) == (value is None), name
        if value is not None:
            assert got == pytest.approx(float(value), rel=1e-12), name

    # the drawn curves are the embedded ones
    top, bottom = root.locator("svg#eos-sharpness-plot"), root.locator("svg#eos-loss-plot")
    assert_drawn(top, "eos-sharpness", page_run["sharpness_steps"], page_run["sharpness"])
    assert_drawn(top, "eos-limit", page_run["limit_steps"], page_run["limits"])
    losses = page_run["losses"]
    assert_drawn(bottom, "eos-loss", np.arange(len(losses)), losses)
    assert top.evaluate("s => s.dataset.xDomain") == f"0 {RUNS[key][0]['num_steps']}"
    assert top.locator("circle.eos-dot").count() == len(run.sharpness)
    assert ("eos-bad" in bottom.locator("polyline.eos-loss").get_attribute("class")) == (
        run.diverged
    )
    assert LABELS[key] in top.get_attribute("aria-label")

    # the printed numbers are the embedded ones, rounded to the digits shown
    shown = shown_numbers(root)
    summary = page_run["summary"]
    printed = {k for k in summary if k not in ("lr", "late_window") and summary[k] is not None}
    assert set(shown) == printed | {"rate"}
    for name, (text, value) in shown.items():
        if name == "rate":
            assert text == page_run["rate"]
            continue
        assert float(value) == pytest.approx(summary[name], rel=RTOL), name
        assert_rounds_to(text, summary[name], name)
    if run.diverged:
        assert shown["diverged_at"][0] == "4"  # the chapter's text says step 4
        assert "diverged at step 4" in bottom.text_content()
    else:
        window = "–".join(map(str, RUNS[key][1]))
        assert f"mean sharpness, steps {window}" in root.locator(".eos-numbers").inner_text()
    if key != "warmup":
        assert float(shown["rate"][0]) == RUNS[key][0]["lr"]


def test_the_keyboard_moves_the_choice(picker):
    page = picker.page
    page.get_by_role("radio", name=LABELS["0.5"]).check()
    before = page.locator("svg#eos-loss-plot polyline").get_attribute("points")
    page.get_by_role("radio", name=LABELS["0.5"]).focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => window.eosPicker.state().key") == "0.8"
    assert page.get_by_role("radio", name=LABELS["0.8"]).is_checked()
    assert page.locator("svg#eos-loss-plot polyline").get_attribute("points") != before


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_layout_and_themes(browser, base_url, width, theme):
    book = open_book(browser, base_url)
    try:
        page = book.page
        page.set_viewport_size({"width": width, "height": 900})
        open_picker(book)
        book.set_theme(theme)
        page.get_by_role("radio", name=LABELS["warmup"]).check()
        root = page.locator("#eos-picker")
        root.evaluate("r => r.scrollIntoView({block: 'start'})")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        # the control and the upper plot are on screen together
        for part in (".eos-choice", "svg#eos-sharpness-plot", "svg#eos-loss-plot"):
            box = root.locator(part).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, part
        plot = root.locator("svg#eos-sharpness-plot").bounding_box()
        assert 0 <= plot["y"] and plot["y"] + plot["height"] <= 900
        assert plot["width"] >= (300 if width == 390 else 400)
        numbers = root.locator(".eos-numbers").bounding_box()
        if width == 1280:  # the numbers beside the plots
            assert numbers["x"] >= plot["x"] + plot["width"]
        # the text takes the theme's colour: dark text on light, light text on dark
        for selector in (".eos-numbers", "svg#eos-sharpness-plot text"):
            color = root.locator(selector).first.evaluate(
                "e => getComputedStyle(e)[e instanceof SVGElement ? 'fill' : 'color']"
            )
            brightness = sum(map(int, re.findall(r"\d+", color)[:3])) / 3
            assert (brightness < 128) == (theme == "light"), (selector, color)
        root.screenshot(path=screenshot_path(f"eos_picker_{width}_{theme}"))
        book.assert_clean()
    finally:
        book.page.context.close()
