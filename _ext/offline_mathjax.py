"""Serve MathJax from the book itself, so that math renders with no network.

Sphinx loads MathJax from a CDN by default: a reader offline (or behind a firewall) sees raw
``\\(...\\)``. The PyPI package ``django-static-mathjax`` (pinned in requirements.txt) ships
MathJax 3's ``es5`` build. When ``mathjax_path`` names a bundle under ``mathjax/`` (a path
relative to the build's ``_static/``), this extension copies, at the end of an HTML build,

- that file (``_config.yml`` names ``mathjax/startup.js``, see below), and
- the directories MathJax loads from at run time, relative to the bundle: the CommonHTML
  fonts (``output/chtml/fonts/woff-v2``), TeX extensions (``input/tex/extensions``), the
  context menu (``ui``), the accessibility components (``a11y``, ``sre``) and ``adaptors``,

into ``_static/mathjax/``. The other prebuilt bundles are left out. With any other
``mathjax_path`` (a CDN URL, say) it does nothing.

The book loads ``startup.js`` (30 kB) and names the components it needs in
``mathjax3_config.loader.load`` (TeX input, CommonHTML output): about 0.55 MB (0.17 MB
compressed) instead of the 1.17 MB ``tex-mml-chtml.js`` bundle, which also carries MathML
input and the right-click menu the book does not need. In ``_config.yml``::

    sphinx:
      local_extensions:
        offline_mathjax: _ext
      config:
        mathjax_path: mathjax/startup.js
        mathjax3_config:
          loader: {load: [input/tex, output/chtml]}
"""

import shutil
from importlib.resources import files
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

PREFIX = "mathjax/"
RUNTIME_DIRS = ("a11y", "adaptors", "input", "output", "sre", "ui")
# the components a page loads when mathjax_path is the small ``startup.js`` (see below)
COMPONENT_FILES = ("core.js", "loader.js", "startup.js")


def mathjax_es5() -> Path:
    """The ``es5`` directory of the installed MathJax distribution."""
    return Path(str(files("mathjax"))) / "static" / "mathjax" / "es5"


def local_bundle(app: Sphinx) -> str | None:
    """The bundle's file name when ``mathjax_path`` points into ``_static/mathjax/``."""
    path = app.config.mathjax_path
    return path.removeprefix(PREFIX) if path.startswith(PREFIX) else None


def check_bundle(app: Sphinx, config) -> None:
    # fail at the start of the build, naming the file, rather than publish pages without math
    bundle = local_bundle(app)
    if bundle and not (mathjax_es5() / bundle).is_file():
        raise ConfigError(f"mathjax_path names {bundle}, not found in {mathjax_es5()}")


def copy_mathjax(app: Sphinx, exception) -> None:
    bundle = local_bundle(app)
    if exception is not None or app.builder.format != "html" or bundle is None:
        return
    target = Path(app.outdir) / "_static" / PREFIX
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(mathjax_es5() / bundle, target / bundle)
    for name in COMPONENT_FILES:
        shutil.copy2(mathjax_es5() / name, target / name)
    for name in RUNTIME_DIRS:
        shutil.copytree(mathjax_es5() / name, target / name, dirs_exist_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", check_bundle)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
