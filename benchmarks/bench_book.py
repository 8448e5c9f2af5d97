"""Time every notebook page of the book against the floor, serially and on every core.

Usage: python benchmarks/bench_book.py [PAGE ...]   (default: every notebook in _toc.yml)

In ONE run it executes ``benchmarks/floor.md`` (imports numpy, torch, matplotlib and lrkit,
one torch.optim step, one figure: what every chapter pays before its content) three times
and takes the median, then every page one after another, then all of them again on
``WORKERS`` processes (as the build does, _ext/parallel_execution.py), and prints:

- each page's time as a multiple of the floor (budget 2x; ``chapters/08_experiments.md`` 4x)
  and its kernel's peak memory (budget 1 GB, what Binder guarantees);
- the serial sum and the parallel wall time of the whole book, and their ratio (budget
  0.65x).

Times are ratios measured in the same run: absolute seconds differ 2x between machines.
Peak memory is the kernel's own maximum resident set size (getrusage, after the last cell).
Exits non-zero if a budget is exceeded.
"""

import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lrkit.book import ROOT, notebook_pages  # noqa: E402

FLOOR = Path("benchmarks/floor.md")
RATIO_BUDGET = {"chapters/08_experiments.md": 4.0}
DEFAULT_RATIO = 2.0
PARALLEL_BUDGET = 0.65  # parallel wall time / serial sum
WORKERS = 2
FLOOR_RUNS = 3  # the floor's median of 3 runs: one noisy run would shift every ratio
MEMORY_BUDGET_MB = 1024.0
PEAK_RSS_CELL = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def run(page):
    """Execute one notebook; return (page, seconds, peak kernel memory in MB)."""
    page = Path(page)
    notebook = jupytext.read(ROOT / page)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_RSS_CELL))
    client = NotebookClient(
        notebook, timeout=600, resources={"metadata": {"path": str(ROOT / page.parent)}}
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError:
        return str(page), None, None  # reported as FAILED; the notebook tests say why
    seconds = time.perf_counter() - start
    peak_kb = int(notebook.cells[-1].outputs[0]["text"])  # Linux reports ru_maxrss in KiB
    return str(page), seconds, peak_kb / 1024


def main(pages):
    floors = [run(FLOOR) for _ in range(FLOOR_RUNS)]
    _, floor, floor_mb = sorted(floors, key=lambda row: row[1])[FLOOR_RUNS // 2]  # the median
    shown = ", ".join(f"{row[1]:.1f}" for row in floors)
    print(f"  floor: {shown} s; median {floor:.1f} s", file=sys.stderr)
    rows, ok, failed = [], True, []
    for page in pages:
        name, seconds, peak_mb = run(page)
        if seconds is None:
            failed.append(name)
            print(f"  {name} FAILED", file=sys.stderr)
            continue
        budget = RATIO_BUDGET.get(name, DEFAULT_RATIO)
        within = seconds <= budget * floor and peak_mb <= MEMORY_BUDGET_MB
        ok &= within
        rows.append((name, seconds, budget, peak_mb, "ok" if within else "OVER"))
        print(f"  ran {name} in {seconds:.1f} s", file=sys.stderr)
    serial = sum(row[1] for row in rows)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(run, [row[0] for row in rows]))  # the pages that ran
    parallel = time.perf_counter() - start
    ratio = parallel / serial
    ok &= ratio <= PARALLEL_BUDGET
    print("| notebook | seconds | x floor | budget | peak kernel memory (MB) | |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| floor ({FLOOR}, median of {FLOOR_RUNS}) | {floor:.1f} | 1.00 | | {floor_mb:.0f} | |")
    for name, seconds, budget, peak_mb, verdict in rows:
        times = f"{seconds:.1f} | {seconds / floor:.2f} | {budget:.0f}x"
        print(f"| {name} | {times} | {peak_mb:.0f} | {verdict} |")
    for name in failed:
        print(f"| {name} | | | | | FAILED |")
    verdict = "ok" if ratio <= PARALLEL_BUDGET else "OVER"
    print(f"| **serial sum** | {serial:.1f} | | | max {max(r[3] for r in rows):.0f} | |")
    print(
        f"| **parallel, {WORKERS} workers** | {parallel:.1f} | {ratio:.2f}x serial | "
        f"{PARALLEL_BUDGET}x | | {verdict} |"
    )
    return 0 if ok and not failed else 1


if __name__ == "__main__":
    chosen = [Path(p) for p in sys.argv[1:]] or notebook_pages()
    sys.exit(main(chosen))
