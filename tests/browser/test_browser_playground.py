"""The optimizer playground page: its JavaScript equals lrkit.paths, and its controls work.

The page's JavaScript computes every path; lrkit.paths.run (lrkit's problems, optimizers and
schedules through training.gradient_descent) computes it again here, and paths, losses, rates
and stability limits must agree to 1e-9 relative, for chosen settings (including rates past
the stability limits, whose runs stop once the loss passes 1e12) and after driving every control
as a reader does. The page also has to read at 1280 and 390 px, in light and dark themes.
"""

import re

import numpy as np
import pytest

from conftest import open_book, screenshot_path, settle, toc_page_names
from lrkit import paths

PLAYGROUND = "chapters/playground"
RTOL = 1e-9

MAIN = {
    "problem": "quadratic",
    "condition_number": 10.0,
    "angle_deg": 30.0,
    "optimizer": "gd",
    "lr": 0.15,
    "beta": 0.9,
    "beta1": 0.9,
    "beta2": 0.999,
    "x0": [-1.5, 1.0],
    "num_steps": 50,
    "noise_std": 0.0,
    "seed": 0,
    "schedule": "constant",
    "step_size": 25,
    "gamma": 0.5,
}

# settings that differ from MAIN; the comment says what each one is for
SAMPLES = [
    {},
    {"lr": 0.2001, "num_steps": 500},  # just past 2/L = 0.2: diverges slowly
    {"lr": 3.0},  # far past 2/L: overflows fast
    {"angle_deg": 0.0, "x0": [2.0, 0.0]},  # axis-aligned, exact zeros along y
    {"condition_number": 1000.0, "lr": 0.0019, "num_steps": 500, "angle_deg": -45.0},
    {"optimizer": "momentum", "lr": 0.37, "num_steps": 500},  # just below 2(1+b)/L = 0.38
    {"optimizer": "momentum", "lr": 0.39, "num_steps": 500},  # just above it
    {"optimizer": "momentum", "beta": 0.01, "lr": 0.1},
    {"optimizer": "nesterov", "beta": 0.9, "lr": 0.13, "num_steps": 500},  # limit 0.1357
    {"optimizer": "nesterov", "beta": 0.9, "lr": 0.14, "num_steps": 500},  # past it
    {"optimizer": "adam", "lr": 0.05, "num_steps": 300},
    {"optimizer": "adam", "lr": 10.0, "beta1": 0.0, "beta2": 0.5, "num_steps": 500},
    {"problem": "rosenbrock", "lr": 0.001, "num_steps": 500},
    {"problem": "rosenbrock", "lr": 0.0021, "num_steps": 500, "x0": [1.05, 1.1]},
    {"problem": "rosenbrock", "lr": 0.05, "x0": [-2.0, -2.0]},  # overflows
    {"problem": "rosenbrock", "optimizer": "adam", "lr": 0.02, "num_steps": 500},
    {"noise_std": 1.0, "lr": 0.1, "num_steps": 300},
    {"noise_std": 3.0, "seed": 99, "schedule": "step", "step_size": 5, "gamma": 0.05},
    {"noise_std": 0.5, "schedule": "cosine", "optimizer": "nesterov", "num_steps": 400},
    {"noise_std": 2.0, "problem": "rosenbrock", "lr": 0.0005, "optimizer": "momentum"},
    {"noise_std": 1.0, "lr": 0.25, "num_steps": 500, "seed": 5},  # noisy and past the limit
]


def sample_id(overrides):
    return ",".join(f"{k}={v}" for k, v in overrides.items()) or "defaults"


def open_playground(book):
    if PLAYGROUND not in toc_page_names():
        pytest.fail(f"{PLAYGROUND} is not in the table of contents")
    book.goto(f"{PLAYGROUND}.html")
    settle(book)
    book.page.wait_for_function("() => window.playground !== undefined")
    return book


@pytest.fixture(scope="module")
def shared(browser, base_url):
    """The page, loaded once for the tests that only read from it."""
    book = open_playground(open_book(browser, base_url))
    yield book
    book.assert_clean()
    book.page.context.close()


@pytest.fixture
def playground(book):
    """The page, fresh, for a test that moves its controls."""
    yield open_playground(book)
    book.assert_clean()


def lrkit_limits(settings):
    problem = paths.make_problem(
        settings["problem"], settings["condition_number"], settings["angle_deg"]
    )
    return paths.smoothness(problem), paths.stability_limits(
        paths.smoothness(problem), settings["beta"]
    )


def assert_equals_lrkit(js, settings):
    """The page's run ``js`` (path, losses, rates, limits) equals lrkit's for ``settings``."""
    expected = paths.run(**settings)
    assert js["diverged"] == expected.diverged
    assert len(js["losses"]) == len(expected.losses)
    np.testing.assert_allclose(np.array(js["xs"]), expected.xs, rtol=RTOL, atol=0)
    np.testing.assert_allclose(js["losses"], expected.losses, rtol=RTOL, atol=0)
    np.testing.assert_allclose(js["lrs"], expected.lrs, rtol=RTOL, atol=0)
    smoothness, limits = lrkit_limits(settings)
    np.testing.assert_allclose(js["smoothness"], smoothness, rtol=RTOL)
    for key, value in limits.items():
        np.testing.assert_allclose(js["limits"][key], value, rtol=RTOL, err_msg=key)
    return expected


def current(book, panel):
    return book.page.evaluate("name => window.playground.current(name)", panel)


def test_the_page_checked_itself_against_lrkit(shared):
    assert shared.page.evaluate("() => window.playground.failures") == []
    for panel in ("main", "noise"):
        text = shared.page.locator(f"#pg-panel-{panel} .pg-check").inner_text()
        assert "equals lrkit on 11 settings" in text


def test_the_panels_open_at_the_settings_the_text_describes(shared):
    spec = shared.page.evaluate("() => window.playground.spec.panels")
    assert spec["main"]["defaults"] == MAIN
    assert spec["noise"]["defaults"] == MAIN | {
        "lr": 0.1,
        "num_steps": 300,
        "noise_std": 1.0,
        "step_size": 100,
        "gamma": 0.3,
    }
    for panel in ("main", "noise"):
        state = current(shared, panel)
        assert_equals_lrkit(state, state["settings"])


@pytest.mark.parametrize("overrides", SAMPLES, ids=map(sample_id, SAMPLES))
def test_javascript_port_equals_lrkit(shared, overrides):
    settings = MAIN | overrides
    js = shared.page.evaluate("s => window.playground.run(s)", settings)
    expected = assert_equals_lrkit(js, settings)
    if expected.diverged:
        assert expected.losses[-1] > 1e12 or len(expected.losses) < settings["num_steps"] + 1


def test_samples_cover_each_optimizer_problem_schedule_and_divergence():
    runs = [(MAIN | o, paths.run(**(MAIN | o))) for o in SAMPLES]
    assert {s["optimizer"] for s, _ in runs} == set(paths.OPTIMIZERS)
    assert {s["problem"] for s, _ in runs} == set(paths.PROBLEMS)
    assert {s["schedule"] for s, _ in runs if s["noise_std"] > 0} == set(paths.SCHEDULES)
    diverged = [s for s, r in runs if r.diverged]
    assert len(diverged) >= 5
    # past each limit of a quadratic, and still converging just below it
    for settings, run in runs:
        if settings["problem"] == "quadratic" and settings["noise_std"] == 0:
            _, limits = lrkit_limits(settings)
            key = {"gd": "gd", "momentum": "heavy_ball", "nesterov": "nesterov"}.get(
                settings["optimizer"]
            )
            if key and settings["num_steps"] == 500:
                grew = run.losses[-1] > run.losses[0]  # diverged, or on its way
                assert grew == (settings["lr"] > limits[key]), settings


def shown_limits(root):
    """The limits the page prints beside the plot: {key: (value, above)}."""
    shown = {}
    for item in root.locator(".pg-limits li").all():
        text = item.inner_text()
        value = float(re.search(r"= ([0-9.e+-]+) ", text).group(1))
        shown[item.get_attribute("data-limit")] = (value, "above" in text)
    return shown


def move(page, slider, *keys):
    slider.focus()
    for key in keys:
        page.keyboard.press(key)


def test_every_control_redraws_and_stays_equal_to_lrkit(playground):
    page = playground.page
    driven = set()

    for panel in ("main", "noise"):
        root = page.locator(f"#pg-panel-{panel}")
        path = root.locator("svg.pg-surface polyline.pg-path")

        def check(key, before, root=root, path=path, panel=panel):
            """After moving ``key``: the path changed and still equals lrkit's."""
            state = current(playground, panel)
            assert path.get_attribute("points") != before, key
            assert_equals_lrkit(state, state["settings"])
            driven.add((panel, key))
            return state

        def slide(key, *keys, root=root, path=path, check=check):
            before = path.get_attribute("points")
            slider = root.locator(f"input[name={key}]")
            move(page, slider, *keys)
            state = check(key, before)
            shown = root.locator(f"output[name={key}_value]").inner_text()
            return state, shown

        def choose(key, value, root=root, path=path, check=check):
            before = path.get_attribute("points")
            root.locator(f"select[name={key}]").select_option(value)
            return check(key, before)

        state, shown = slide("lr", *["ArrowLeft"] * 10)
        assert state["settings"]["lr"] == float(shown)
        slide("condition_number", "ArrowRight", "ArrowRight")
        slide("angle_deg", "ArrowLeft", "ArrowLeft")
        slide("x0_0", "ArrowRight")
        slide("x0_1", "ArrowLeft")
        state, _ = slide("num_steps", "ArrowRight", "ArrowRight")
        choose("optimizer", "momentum")
        slide("beta", *["ArrowLeft"] * 20)
        choose("optimizer", "nesterov")
        slide("beta", "ArrowRight")
        choose("optimizer", "adam")
        slide("beta1", "Home")
        slide("beta2", *["ArrowLeft"] * 50)
        choose("problem", "rosenbrock")
        assert root.locator("label[data-setting=condition_number]").is_hidden()
        choose("optimizer", "gd")
        if panel == "noise":
            choose("problem", "quadratic")
            slide("noise_std", "ArrowRight")
            slide("seed", "ArrowRight")
            choose("schedule", "step")
            slide("step_size", "ArrowLeft")
            slide("gamma", "ArrowLeft")
            choose("schedule", "cosine")
            assert root.locator("label[data-setting=gamma]").is_hidden()

    controls = page.evaluate("() => window.playground.spec.controls")
    names = {c[0] for c in controls}
    assert {k for p, k in driven if p == "noise"} == names
    noise_only = {c[0] for c in controls if "noise" in c[4:]}
    assert {k for p, k in driven if p == "main"} == names - noise_only
    assert page.locator("#pg-panel-main select[name=schedule]").count() == 0


def test_crossing_a_limit_is_marked_and_a_divergent_run_says_diverged(playground):
    page = playground.page
    root = page.locator("#pg-panel-main")
    status = root.locator(".pg-status")
    state = current(playground, "main")
    assert "diverg" not in status.inner_text()
    _, limits = lrkit_limits(state["settings"])
    for key, (value, above) in shown_limits(root).items():  # 4 significant digits
        assert value == pytest.approx(limits[key], rel=5e-4)
        assert above == (state["settings"]["lr"] >= limits[key])
    assert "L = 10 " in root.locator(".pg-limit-l").inner_text()
    mark = root.locator("svg.pg-rate line.pg-limit-mark")  # the strip: rate against 2/L
    dot = root.locator("svg.pg-rate circle.pg-lr")
    assert float(mark.get_attribute("data-value")) == pytest.approx(limits["gd"], rel=RTOL)
    assert float(dot.get_attribute("data-value")) == state["settings"]["lr"]
    assert "pg-bad" not in dot.get_attribute("class")

    lr = root.locator("input[name=lr]")
    move(page, lr, *["ArrowRight"] * 3)  # 0.15 * 10**0.03 = 0.161: still below 0.2
    assert not shown_limits(root)["gd"][1]
    move(page, lr, *["ArrowRight"] * 20)  # 10**(log10(0.15) + 0.23) = 0.255
    state = current(playground, "main")
    assert state["settings"]["lr"] > 0.2 and state["diverged"]
    assert shown_limits(root)["gd"][1]  # marked above
    assert "pg-current" in root.locator("li[data-limit=gd]").get_attribute("class")
    assert "diverged" in status.inner_text()
    assert "pg-bad" in dot.get_attribute("class")
    assert_equals_lrkit(state, state["settings"])
    root.locator("select[name=optimizer]").select_option("momentum")  # limit 0.38
    assert float(mark.get_attribute("data-value")) == pytest.approx(0.38, rel=RTOL)
    assert "pg-bad" not in dot.get_attribute("class")
    assert "diverged" not in status.inner_text()
    root.locator("select[name=optimizer]").select_option("gd")

    move(page, lr, *["ArrowLeft"] * 22)  # 0.15 * 10**0.01 = 0.153: converges again
    assert "diverged" not in status.inner_text()


def test_the_noise_panel_shows_the_floor_lrkit_computes(playground):
    root = playground.page.locator("#pg-panel-noise")
    settings = current(playground, "noise")["settings"]
    bowl = paths.make_problem("quadratic", settings["condition_number"], settings["angle_deg"])
    floor = paths.noise_floor(bowl, lr=settings["lr"], noise_std=settings["noise_std"])
    text = root.locator("[data-noise-floor]").inner_text()
    assert float(text.rsplit(" ", 1)[1]) == pytest.approx(floor, rel=5e-4)
    assert root.locator("svg.pg-loss line.pg-floor").count() == 2  # the line and its legend


def test_a_click_on_the_plot_moves_the_start(playground):
    root = playground.page.locator("#pg-panel-main")
    surface = root.locator("svg.pg-surface")
    box = surface.bounding_box()
    surface.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    state = current(playground, "main")
    # the view spans -2.2..2.2 both ways: three quarters across is x = 1.1, a quarter down y = 1.1
    assert state["settings"]["x0"] == [1.1, 1.1]
    assert_equals_lrkit(state, state["settings"])


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_layout_and_themes(browser, base_url, width, theme):
    book = open_book(browser, base_url)
    try:
        page = book.page
        page.set_viewport_size({"width": width, "height": 900})
        open_playground(book)
        book.set_theme(theme)
        root = page.locator("#pg-panel-main")
        plot = root.locator("svg.pg-surface").bounding_box()
        controls = root.locator(".pg-controls").bounding_box()
        if width == 1280:  # controls beside the plot
            assert controls["x"] >= plot["x"] + plot["width"] - 1
        else:  # controls under the plots, and nothing wider than the screen
            assert controls["y"] >= root.locator("svg.pg-loss").bounding_box()["y"]
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        for box in (plot, controls):
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        # the text takes the theme's colour: dark text on light, light text on dark
        color = page.evaluate(
            "() => getComputedStyle(document.querySelector('#pg-panel-main .pg-status')).color"
        )
        brightness = sum(map(int, re.findall(r"\d+", color)[:3])) / 3
        assert (brightness < 128) == (theme == "light"), color
        root.scroll_into_view_if_needed()
        root.screenshot(path=screenshot_path(f"playground_{width}_{theme}"))
        book.assert_clean()
    finally:
        book.page.context.close()
