"""The book's harness: every notebook page is tested, and the configuration hangs together."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lrkit.book import ROOT, notebook_pages, toc_pages


def collected_notebooks():
    """The notebooks that `pytest --collect-only` finds, as paths relative to the repo."""
    folders = [d for d in ("chapters", "quizzes") if (ROOT / d).is_dir()]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *folders],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {Path(line.split("::")[0]) for line in result.stdout.splitlines() if "::Cell" in line}


def test_every_notebook_page_is_collected_by_nbval():
    pages = set(notebook_pages())
    assert pages, "the table of contents names no notebook"
    assert collected_notebooks() == pages


def test_every_page_in_the_toc_exists():
    missing = [page for page in toc_pages() if not (ROOT / f"{page}.md").is_file()]
    assert not missing


def test_no_notebook_outside_the_toc():
    on_disk = {
        p.relative_to(ROOT) for d in ("chapters", "quizzes") for p in (ROOT / d).glob("*.md")
    }
    assert on_disk <= set(notebook_pages()), "a page on disk is missing from _toc.yml"


def test_no_ipynb_beside_a_markdown_notebook():
    clashes = [p for p in ROOT.glob("*/*.ipynb") if p.with_suffix(".md").exists()]
    assert not clashes, "an .ipynb beside a .md of the same name breaks the build"


def test_binder_pins_match_the_project_pins():
    def pins(path):
        lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
        found = (re.match(r"^([A-Za-z0-9_.-]+)==([^\s#+]+)", line) for line in lines)
        return {m.group(1).lower(): m.group(2) for m in found if m}

    binder, project = pins("binder/requirements.txt"), pins("requirements.txt")
    assert binder, "binder/requirements.txt pins nothing"
    assert {name: project.get(name) for name in binder} == binder
    assert (
        "--extra-index-url https://download.pytorch.org/whl/cpu"
        in (ROOT / "binder/requirements.txt").read_text()
    )
    assert (ROOT / "binder/runtime.txt").read_text().strip() == "python-3.11"


def test_launch_configuration_is_consistent():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    repository = config["repository"]
    thebe = config["sphinx"]["config"]["thebe_config"]
    # empty: no public repository yet, and no launch button (_ext/book_theme.py)
    assert repository["url"] == "" or repository["url"].startswith("https://github.com/")
    assert repository["branch"] == "main"
    assert thebe["path_to_docs"] == repository["path_to_book"]
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["thebe"] is True
    assert config["only_build_toc_files"] is True


def test_jupyter_book_is_pinned_below_2():
    assert re.search(r"^jupyter-book==1\.", (ROOT / "requirements.txt").read_text(), re.M)


# The harness must be able to fail: a failing cell fails the notebook tests, and a Sphinx
# warning fails the strict build.

FRONT_MATTER = (ROOT / "chapters/01_what_lr_does.md").read_text().split("\n---\n", 1)[0] + "\n---\n"


def test_a_failing_cell_fails_the_notebook_tests(tmp_path):
    notebook = tmp_path / "chapters" / "broken.md"
    notebook.parent.mkdir()
    cells = "```{code-cell} ipython3\nx = 1\n```\n\n```{code-cell} ipython3\nassert x == 2\n```\n"
    notebook.write_text(FRONT_MATTER + "\n# Broken\n\n" + cells)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:xdist", "-q", str(notebook)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout


def test_a_broken_reference_fails_the_strict_build(tmp_path):
    (tmp_path / "_config.yml").write_text("title: t\nexecute:\n  execute_notebooks: 'off'\n")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n")
    (tmp_path / "intro.md").write_text("# Intro\n\nSee {ref}`no-such-label`.\n")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [jupyter_book, "build", tmp_path, "-W", "-n", "--keep-going"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr


# --- the book's Sphinx extensions (_ext/) --------------------------------------------------

sys.path.insert(0, str(ROOT / "_ext"))


def test_citation_labels_read_as_author_and_year():
    import bib_links  # noqa: F401 (registers the "book" style)
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    bib = parse_string(
        r"""
        @misc{g, author = {Goyal, Priya and Doll{\'a}r, Piotr and Girshick, Ross},
                 title = {Large Minibatch}, howpublished = {arXiv:1706.02677}, year = {2017}}
        @article{s1, author = {Smith, Leslie N.}, title = {A}, journal = {J}, year = {2017}}
        @article{s2, author = {Smith, Leslie N.}, title = {B}, journal = {J}, year = {2017}}
        @article{k, author = {Kingma, D. and Ba, J.}, title = {Adam}, journal = {J}, year = {2015}}
        """,
        "bibtex",
    )
    style = find_plugin("pybtex.style.formatting", "book")()
    entries = {e.key: e for e in style.format_entries(bib.entries.values())}
    assert entries["g"].label == "Goyal et al., 2017"
    assert entries["k"].label == "Kingma and Ba, 2015"
    assert {entries["s1"].label, entries["s2"].label} == {"Smith, 2017a", "Smith, 2017b"}
    html = entries["g"].text.render_as("html")
    assert 'href="https://arxiv.org/abs/1706.02677"' in html
    assert bib.entries["g"].fields["howpublished"] == "arXiv:1706.02677"  # left as written


def test_icons_are_read_from_fontawesome_and_drawn_as_css_masks(tmp_path):
    import book_theme

    script = tmp_path / "fontawesome.js"
    script.write_text(
        'var p={bars:[448,512,["navicon"],"f0c9","M0 96C0 78"],"circle-half-stroke":'
        '[512,512,[],"f042","M448 256c0"]};d("fas",p);'
        'var p={github:[496,512,[],"f09b","M165.9 397"]};d("fab",p);',
        encoding="utf-8",
    )
    icons = book_theme.fontawesome_icons(script)
    assert icons["fas"]["bars"] == (448, 512, "M0 96C0 78", 0xF0C9)
    assert icons["fas"]["navicon"] == icons["fas"]["bars"]  # an alias
    assert "github" in icons["fab"] and "github" not in icons["fas"]
    css = book_theme.icon_css({"bars", "github", "not-an-icon"}, icons)
    assert ".fa-solid.fa-bars::before" in css and "width: 0.8750em" in css
    assert ".fa-brands.fa-github::before" in css and "not-an-icon" not in css


def test_parallel_execution_jobs_setting(monkeypatch):
    import parallel_execution

    monkeypatch.setenv("BOOK_JOBS", "3")
    assert parallel_execution.jobs() == 3
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("BOOK_JOBS", bad)
        with pytest.raises(ValueError, match="BOOK_JOBS"):
            parallel_execution.jobs()
