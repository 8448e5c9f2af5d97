"""Execute the book's notebooks on every core before Sphinx reads them.

myst-nb (``execute_notebooks: cache``) executes a notebook when Sphinx reads it and no
cached run matches its code, one notebook after another: on two cores half the machine
waits. This extension runs first (``env-before-read-docs``): it takes the notebooks Sphinx
is about to read, reads each exactly as myst-nb does, and executes the ones with no match
in myst-nb's jupyter-cache in a pool of processes, one kernel each, in the notebook's own
folder (as myst-nb does). Each successful run is stored in that cache the way myst-nb stores
it; myst-nb then finds it and does not execute again.

Nothing else changes: a notebook that fails here is not cached, so myst-nb executes it
again when it reads it and reports the error as usual (``-W`` fails the build); ``--all``
or a changed cell still means a fresh run; with ``execute_notebooks`` other than ``cache``
this extension does nothing. ``BOOK_JOBS`` sets the number of processes (default: the
number of cores; 1 turns the extension off).
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def jobs() -> int:
    value = os.environ.get("BOOK_JOBS", "").strip()
    if value and (not value.isdigit() or int(value) < 1):
        raise ValueError(f"BOOK_JOBS must be a whole number >= 1, got {value!r}")
    return int(value) if value else (os.cpu_count() or 1)


def _execute(path, notebook, cwd, allow_errors, timeout):
    """In a worker process: run one notebook; return (path, notebook, seconds, error)."""
    from jupyter_cache.executors.utils import single_nb_execution

    start = time.perf_counter()
    result = single_nb_execution(
        notebook,
        cwd=cwd,
        allow_errors=allow_errors,
        timeout=timeout,
        meta_override=True,
        # the outputs are in hand: a graceful shutdown only waits (2.5 s per page, measured:
        # a kernel that imported torch._dynamo takes that long to exit on its own)
        shutdown_kernel="immediate",
    )
    error = None if result.err is None else f"{type(result.err).__name__}"
    return path, notebook, time.perf_counter() - start, error


def excluded(path, nb_config) -> bool:
    """myst-nb's test: the notebook matches one of ``execution_excludepatterns``."""
    posix_path = PurePosixPath(Path(path).as_posix())
    return any(posix_path.match(pattern) for pattern in nb_config.execution_excludepatterns)


def _to_execute(app: Sphinx, docnames):
    """(path, notebook, read_fmt, config) of each notebook to read that the cache lacks."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    nb_config = app.env.mystnb_config
    cache = get_cache(nb_config.execution_cache_path)
    pending = []
    for docname in sorted(docnames):
        path = Path(app.env.doc2path(docname))
        if path.suffix not in {".md", ".ipynb"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), app.env.myst_config, nb_config, text)
        if reader is None:
            continue
        notebook = reader.read(text)
        config = nb_config
        overrides = dict(notebook.metadata.get(nb_config.metadata_key, {}))
        overrides.pop("output_folder", None)
        if overrides:
            config = nb_config.copy(**overrides)
        if config.execution_mode != "cache" or excluded(path, config):
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pending.append((path, notebook, reader.read_fmt, config))
    return cache, pending


def execute_in_parallel(app: Sphinx, env, docnames) -> None:
    if app.env.mystnb_config.execution_mode != "cache" or jobs() < 2:
        return
    cache, pending = _to_execute(app, docnames)
    if len(pending) < 2:
        return  # nothing to gain: myst-nb runs it
    from jupyter_cache.base import CacheBundleIn

    logger.info(f"[parallel_execution] executing {len(pending)} notebooks on {jobs()} cores")
    read_fmts = {str(path): read_fmt for path, _, read_fmt, _ in pending}
    # the longest first would be best; we do not know it, so keep the toc's order
    with ProcessPoolExecutor(max_workers=min(jobs(), len(pending))) as pool:
        futures = [
            pool.submit(
                _execute,
                str(path),
                notebook,
                str(path.parent),
                config.execution_allow_errors,
                config.execution_timeout,
            )  # fmt: skip
            for path, notebook, _, config in pending
        ]
        for future in futures:
            path, notebook, seconds, error = future.result()
            if error is not None:  # myst-nb runs it again and reports the error
                logger.info(f"[parallel_execution] {path}: {error}; left to myst-nb")
                continue
            read_fmt = read_fmts[path]
            stage = cache.add_nb_to_project(path, read_data=read_fmt) if read_fmt else (
                cache.add_nb_to_project(path)
            )  # fmt: skip
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, stage.uri, data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            logger.info(f"[parallel_execution] {path}: executed in {seconds:.1f} s")


def setup(app: Sphinx) -> dict:
    app.connect("env-before-read-docs", execute_in_parallel)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
