"""The schedule explorer page: its JavaScript port equals lrkit, and its controls work.

The page's JavaScript computes each curve; the Python call it prints under the plot is
evaluated here with lrkit and the two curves must agree to 1e-9 relative, at default and
at edge-case settings of every schedule, and after driving the controls as a reader does.
"""

import numpy as np
import pytest

from conftest import open_book, settle, toc_page_names
from lrkit import schedules

EXPLORER = "chapters/schedule_explorer"
RTOL = 1e-9

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
    root.locator("select[name=schedule]").select_option("one_cycle")
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
    root.locator("input[name=num_steps]").focus()
    page.keyboard.press("End")
    state = redrawn(d)
    assert len(state["lrs"]) == 5_000

    labels = root.locator("svg text")
    root.locator("input[name=log_scale]").check()
    assert any("e-" in text for text in labels.all_text_contents()), "log axis: decades"


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
