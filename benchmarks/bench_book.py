"""Execute every notebook page of the book and print its wall time and peak kernel memory.

Usage: python benchmarks/bench_book.py [PAGE ...]     (default: every notebook in _toc.yml)

Budgets (DESIGN.md): a notebook in at most 15 s (the experiments chapter 45 s), the whole
book in at most 2 minutes, a kernel's peak memory at most 1 GB (what Binder guarantees).
Peak memory is the kernel process's own maximum resident set size, read inside the kernel
with getrusage after the last cell. Exits non-zero if a budget is exceeded.
"""

import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from lrkit.book import ROOT, notebook_pages  # noqa: E402

SECONDS_BUDGET = {"chapters/08_experiments.md": 45.0}
DEFAULT_SECONDS = 15.0
TOTAL_SECONDS = 120.0
MEMORY_BUDGET_MB = 1024.0
PEAK_RSS_CELL = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def run(page):
    """Execute one notebook; return (seconds, peak kernel memory in MB)."""
    notebook = jupytext.read(ROOT / page)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_RSS_CELL))
    client = NotebookClient(
        notebook, timeout=600, resources={"metadata": {"path": str(ROOT / page.parent)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    peak_kb = int(notebook.cells[-1].outputs[0]["text"])  # Linux reports ru_maxrss in KiB
    return seconds, peak_kb / 1024


def main(pages):
    rows, ok = [], True
    for page in pages:
        seconds, peak_mb = run(page)
        budget = SECONDS_BUDGET.get(str(page), DEFAULT_SECONDS)
        within = seconds <= budget and peak_mb <= MEMORY_BUDGET_MB
        ok &= within
        rows.append((str(page), seconds, budget, peak_mb, "ok" if within else "OVER"))
        print(f"  ran {page} in {seconds:.1f} s", file=sys.stderr)
    total = sum(row[1] for row in rows)
    ok &= total <= TOTAL_SECONDS
    print("| notebook | seconds | budget (s) | peak kernel memory (MB) | |")
    print("|---|---:|---:|---:|---|")
    for page, seconds, budget, peak_mb, verdict in rows:
        print(f"| {page} | {seconds:.1f} | {budget:.0f} | {peak_mb:.0f} | {verdict} |")
    verdict = "ok" if total <= TOTAL_SECONDS else "OVER"
    peak = max(row[3] for row in rows)
    print(f"| **total** | {total:.1f} | {TOTAL_SECONDS:.0f} | max {peak:.0f} | {verdict} |")
    return 0 if ok else 1


if __name__ == "__main__":
    chosen = [Path(p) for p in sys.argv[1:]] or notebook_pages()
    sys.exit(main(chosen))
