"""The schedule explorer page: its JavaScript port equals lrkit, and its controls work.

The page's JavaScript computes each curve; the Python call it prints under the plot is
evaluated here with lrkit and the two curves must agree to 1e-9 relative, at default and
at edge-case settings of every schedule, and after driving the controls as a reader does.
"""

import numpy as np
import pytest

from conftest import open_book, screenshot_path, settle, toc_page_names
from lrkit import schedules

EXPLORER = "chapters/schedule_explorer"
RTOL = 1e-9
MAIN, COMPARE = "fieldset[data-curve='0']", "fieldset[data-curve='1']"  # the two curves
PLOT_BOTTOM = 300 - 40  # the x axis in the SVG's units (height 300, bottom margin 40)

# (schedule, settings that differ from the page's defaults, steps computed)
SAMPLES = [
    ("warmup_cosine", {}, 1_000),
    (
        "warmup_cosine",
        {"peak_lr": 0.003, "warmup_steps": 1, "decay_steps": 4_990, "final_lr": 1e-5},
        5_000,
    ),
    ("constant", {"lr": 0.02}, 100),
    ("step_decay", {}, 1_000),
    ("step_decay", {"initial_lr": 1.0, "step_size": 10, "gamma": 0.05}, 500),
    ("exponential_decay", {}, 1_000),
    ("exponential_decay", {"initial_lr": 0.5, "gamma": 0.99}, 5_000),
    ("cosine_decay", {}, 1_000),
    ("cosine_decay", {"decay_steps": 10, "final_lr": 0.01}, 200),
    ("cosine_decay", {"decay_steps": 5_000}, 5_000),
    ("cosine_restarts", {}, 1_000),
    ("cosine_restarts", {"first_cycle_steps": 10, "cycle_mult": 3}, 5_000),
    ("cosine_restarts", {"cycle_mult": 1, "final_lr": 0.001}, 1_000),
    ("cyclic", {}, 1_000),
    ("cyclic", {"mode": "triangular2", "step_size_up": 30, "base_lr": 0.0001}, 1_000),
    ("one_cycle", {}, 1_000),
    (
        "one_cycle",
        {"three_phase": True, "anneal": "linear", "pct_start": 0.45, "div_factor": 1},
        1_200,
    ),
    ("one_cycle", {"total_steps": 10, "pct_start": 0.05}, 20),  # phase 1 shorter than a step
    ("one_cycle", {"total_steps": 5_000, "pct_start": 0.95, "three_phase": True}, 5_000),
    ("warmup_stable_decay", {}, 1_000),
    (
        "warmup_stable_decay",
        {"warmup_steps": 1, "stable_steps": 0, "decay_steps": 10, "final_lr": 0.001},
        100,
    ),
    ("inverse_sqrt", {}, 1_000),
    ("inverse_sqrt", {"peak_lr": 0.0007, "warmup_steps": 2_000}, 5_000),
]


def open_explorer(book):
    if EXPLORER not in toc_page_names():
        pytest.fail(f"{EXPLORER} is not in the table of contents")
    book.goto(f"{EXPLORER}.html")
    settle(book)
    book.page.wait_for_function("() => window.lrExplorer !== undefined")
    return book


@pytest.fixture(scope="module")
def shared_explorer(browser, base_url):
    """The explorer page, loaded once for the tests that only read from it."""
    book = open_explorer(open_book(browser, base_url))
    yield book
    book.assert_clean()
    book.page.context.close()


@pytest.fixture
def explorer(book):
    """The explorer page, fresh, for a test that moves its controls."""
    yield open_explorer(book)
    book.assert_clean()


def lrkit_curve(call, num_steps):
    """The curve of a call printed by the explorer, computed by lrkit."""
    return schedules_eval(call)(np.arange(num_steps))


def schedules_eval(call):
    return eval(call, {"schedules": schedules})  # the page's own template, filled in


def python_call(spec, name, args):
    """What the page prints for ``name`` with ``args`` (Python literals, as the page writes)."""
    return spec["schedules"][name]["call"].format(**{k: repr(v) for k, v in args.items()})


def current(book):
    return book.page.evaluate("() => window.lrExplorer.current()")


def test_every_schedule_of_the_page_is_sampled(shared_explorer):
    spec = shared_explorer.page.evaluate("() => window.lrExplorer.spec")
    assert set(spec["schedules"]) == {name for name, _, _ in SAMPLES}


def test_the_page_checked_itself_against_lrkit(shared_explorer):
    page = shared_explorer.page
    assert page.evaluate("() => window.lrExplorer.failures") == []
    assert "equals lrkit" in page.locator("#lr-explorer .lrx-check").inner_text()


def sample_id(sample):
    name, settings, num_steps = sample
    return f"{name}:{','.join(settings) or 'defaults'}:{num_steps}"


@pytest.mark.parametrize(("name", "settings", "num_steps"), SAMPLES, ids=map(sample_id, SAMPLES))
def test_javascript_port_equals_lrkit(shared_explorer, name, settings, num_steps):
    page = shared_explorer.page
    spec = page.evaluate("() => window.lrExplorer.spec")
    params = spec["schedules"][name]["params"]
    assert set(settings) <= set(params)
    args = {key: control["default"] for key, control in params.items()} | settings
    js = page.evaluate(
        "([name, args, n]) => window.lrExplorer.curve(name, args, n)", [name, args, num_steps]
    )
    expected = lrkit_curve(python_call(spec, name, args), num_steps)
    np.testing.assert_allclose(js, expected, rtol=RTOL, atol=0)


def test_the_controls_redraw_the_curve_and_the_call(explorer):
    page = explorer.page
    root = page.locator("#lr-explorer")
    path = root.locator("path.lrx-curve")

    def drawing():
        """The plot as drawn: the curve's path and the axes' labels (they follow the data)."""
        return path.get_attribute("d"), root.locator("svg text").all_text_contents()

    def redrawn(before):
        state = current(explorer)
        assert drawing() != before
        # the code printed under the plot runs, and computes the curve drawn
        printed = {}
        exec(root.locator(".lrx-code").inner_text(), printed)  # the page's own snippet
        np.testing.assert_allclose(state["lrs"], printed["lrs"], rtol=RTOL, atol=0)
        return state

    state = redrawn(None)
    assert state["schedule"] == "warmup_cosine"

    d = drawing()
    root.locator(f"{MAIN} select[name=schedule]").select_option("one_cycle")
    state = redrawn(d)
    assert state["call"].startswith("schedules.one_cycle(")

    d = drawing()
    slider = root.locator("input[name=max_lr]")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowLeft")
    state = redrawn(d)
    assert state["args"]["max_lr"] < 0.1
    assert root.locator("output[name=max_lr_value]").inner_text() == repr(state["args"]["max_lr"])

    d = drawing()
    root.locator("input[name=three_phase]").check()
    root.locator("select[name=anneal]").select_option("linear")
    state = redrawn(d)
    assert "anneal='linear'" in state["call"] and "three_phase=True" in state["call"]

    d = drawing()
    root.locator("input[name=follow_horizon]").uncheck()  # choose the steps shown
    root.locator("input[name=num_steps]").focus()
    page.keyboard.press("End")
    state = redrawn(d)
    assert len(state["lrs"]) == 5_000

    labels = root.locator("svg text")
    root.locator("input[name=log_scale]").check()
    assert any("e-" in text for text in labels.all_text_contents()), "log axis: decades"
    assert current(explorer)["yRange"] == pytest.approx([1e-7, 1.0], rel=1e-12)  # locked


def test_final_lr_is_kept_at_most_the_peak(explorer):
    root = explorer.page.locator("#lr-explorer")
    root.locator("input[name=peak_lr]").focus()
    explorer.page.keyboard.press("Home")  # the smallest peak
    root.locator("input[name=final_lr]").focus()
    explorer.page.keyboard.press("End")  # the largest final_lr
    state = current(explorer)
    assert state["args"]["final_lr"] == state["args"]["peak_lr"] == 1e-4
    np.testing.assert_allclose(
        state["lrs"], lrkit_curve(state["call"], len(state["lrs"])), rtol=RTOL, atol=0
    )


# --- the y-axis lock, the horizon, the comparison, the labels, the phone ---------------


SET_CONTROL = """([curve, key, value]) => {
  const box = document.querySelector(`#lr-explorer fieldset[data-curve="${curve}"]`);
  const name = box.querySelector("select[name=schedule]").value;
  const control = window.lrExplorer.spec.schedules[name].params[key];
  const input = box.querySelector(`.lrx-params [name=${key}]`);
  if (control.kind === "flag") input.checked = value;
  else if (control.kind === "log") input.value = value > 0 ? Math.log10(value) : control.min;
  else input.value = value;
  input.dispatchEvent(new Event("input"));
}"""


def set_controls(book, curve, name, settings):
    """Pick schedule ``name`` for curve 0 or 1 and move its controls as a reader would."""
    book.page.locator(
        f"#lr-explorer fieldset[data-curve='{curve}'] select[name=schedule]"
    ).select_option(name)
    for key, value in settings.items():
        book.page.evaluate(SET_CONTROL, [curve, key, value])


def drawn_height(book, curve=0):
    """The height of a drawn curve's highest point above the x axis, in the SVG's units."""
    d = book.page.locator(f"#lr-explorer path.lrx-curve-{curve}").get_attribute("d")
    points = d.replace("M", " ").replace("L", " ").split()
    return PLOT_BOTTOM - min(float(y) for y in points[1::2])


def test_with_the_lock_doubling_the_peak_doubles_the_curve(explorer):
    page = explorer.page
    root = page.locator("#lr-explorer")
    assert root.locator("input[name=lock_y]").is_checked()  # on by default
    assert current(explorer)["yRange"] == [0, 1]
    before = drawn_height(explorer)
    root.locator("input[name=peak_lr]").focus()
    for _ in range(6):  # the slider moves by 0.05 decades: 10**-1 -> 10**-0.7
        page.keyboard.press("ArrowRight")
    assert current(explorer)["args"]["peak_lr"] == 0.2
    assert drawn_height(explorer) == pytest.approx(2 * before, rel=1e-3)

    root.locator("input[name=lock_y]").uncheck()  # the axis fits the curve: no change shown
    fitted = drawn_height(explorer)
    root.locator("input[name=peak_lr]").focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    assert current(explorer)["args"]["peak_lr"] == 0.1
    assert drawn_height(explorer) == pytest.approx(fitted, abs=0.02)


def test_the_steps_shown_follow_the_schedules_horizon(explorer):
    root = explorer.page.locator("#lr-explorer")
    set_controls(explorer, 0, "one_cycle", {"total_steps": 3_750})
    state = current(explorer)
    assert state["numSteps"] == len(state["lrs"]) == 3_750
    assert root.locator("output[name=num_steps_value]").inner_text() == "3750"
    assert "3750 steps shown" in root.locator(".lrx-readout").inner_text()
    expected = lrkit_curve(state["call"], 3_750)
    np.testing.assert_allclose(state["lrs"], expected, rtol=RTOL, atol=0)
    assert state["lrs"][-1] == pytest.approx(0.1 / 25 / 1e4, rel=1e-9)  # the whole cycle
    assert np.argmax(state["lrs"]) == 1_124  # pct_start 0.3 of 3,750 steps, 0-based

    set_controls(explorer, 0, "warmup_stable_decay", {"stable_steps": 1_200})
    assert current(explorer)["numSteps"] == 100 + 1_200 + 200

    root.locator("input[name=follow_horizon]").uncheck()  # back to the slider's 1,000
    state = current(explorer)
    assert state["numSteps"] == len(state["lrs"]) == 1_000


# (schedule with settings, compared with schedule with settings)
COMPARISONS = [
    (("warmup_cosine", {}), ("cosine_decay", {"decay_steps": 2_000, "final_lr": 0.001})),
    (
        ("warmup_stable_decay", {"peak_lr": 0.2, "stable_steps": 2_000, "final_lr": 0.0}),
        ("one_cycle", {"max_lr": 0.2, "total_steps": 2_300, "three_phase": True}),
    ),
    (("step_decay", {"gamma": 0.1}), ("exponential_decay", {"gamma": 0.9923})),
    (("cyclic", {"mode": "triangular2"}), ("cosine_restarts", {"cycle_mult": 1})),
    (("inverse_sqrt", {"warmup_steps": 500}), ("constant", {"lr": 0.00501})),
]


@pytest.mark.parametrize(("first", "second"), COMPARISONS, ids=lambda s: s[0])
def test_two_curves_compared_equal_lrkit(explorer, first, second):
    root = explorer.page.locator("#lr-explorer")
    set_controls(explorer, 0, *first)
    set_controls(explorer, 1, *second)
    state = current(explorer)
    n = state["numSteps"]
    for (name, settings), drawn in [(first, state), (second, state["compare"])]:
        assert drawn["schedule"] == name
        assert {key: drawn["args"][key] for key in settings} == settings
        np.testing.assert_allclose(drawn["lrs"], lrkit_curve(drawn["call"], n), rtol=RTOL, atol=0)
    assert root.locator("path.lrx-curve").count() == 2
    legend = root.locator(".lrx-legend .lrx-key").all_inner_texts()
    spec = explorer.page.evaluate("() => window.lrExplorer.spec")
    assert legend == [
        f"{spec['schedules'][first[0]]['label']} (schedule)",
        f"{spec['schedules'][second[0]]['label']} (compare)",
    ]
    code = root.locator(".lrx-code").inner_text()
    assert max(map(len, code.splitlines())) <= 79
    printed = {}
    exec(code, printed)  # the page's own snippet computes both curves
    np.testing.assert_allclose(printed["lrs"], state["lrs"], rtol=RTOL, atol=0)
    np.testing.assert_allclose(printed["lrs_compare"], state["compare"]["lrs"], rtol=RTOL, atol=0)

    root.locator(f"{COMPARE} select[name=schedule]").select_option("")  # "none"
    assert current(explorer)["compare"] is None
    assert root.locator("path.lrx-curve").count() == 1


def test_controls_are_labelled_in_words_with_the_argument_in_the_tooltip(explorer):
    root = explorer.page.locator("#lr-explorer")
    spec = explorer.page.evaluate("() => window.lrExplorer.spec")
    for name, schedule in spec["schedules"].items():
        root.locator(f"{MAIN} select[name=schedule]").select_option(name)
        labels = root.locator(f"{MAIN} .lrx-params label")
        assert labels.count() == len(schedule["params"])
        for label, (key, control) in zip(labels.all(), schedule["params"].items(), strict=True):
            assert label.get_attribute("title") == f"lrkit argument: {key}"
            text = label.inner_text()
            raw_name = key in text and key not in control["words"]
            assert control["words"] in text and not raw_name, (name, key, text)
            assert f"{key}=" in current(explorer)["call"]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_on_a_phone_the_plot_comes_first_and_fits(explorer, theme):
    page = explorer.page
    page.set_viewport_size({"width": 390, "height": 844})
    explorer.set_theme(theme)
    set_controls(explorer, 1, "cosine_decay", {})
    page.evaluate("() => document.getElementById('lr-explorer').scrollIntoView()")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    box = page.locator("#lr-explorer svg").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] > 100 and box["y"] >= 0 and box["y"] + box["height"] <= 844
    first = page.evaluate(
        "() => { const r = document.getElementById('lr-explorer');"
        " return r.querySelector('svg').compareDocumentPosition(r.querySelector('fieldset')); }"
    )
    assert first & 4, "the plot precedes the controls"  # DOCUMENT_POSITION_FOLLOWING
    page.screenshot(path=screenshot_path(f"explorer_390_{theme}"))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_wide_screen_in_both_themes(explorer, theme):
    explorer.set_theme(theme)
    set_controls(explorer, 1, "warmup_stable_decay", {})
    explorer.page.evaluate("() => document.getElementById('lr-explorer').scrollIntoView()")
    assert explorer.page.locator("#lr-explorer path.lrx-curve").count() == 2
    explorer.page.screenshot(path=screenshot_path(f"explorer_1280_{theme}"))
