"""Time the terminal quiz from launch to its first question, and its imports.

Usage: python benchmarks/bench_quiz.py [--repeat N]

``first_question_seconds()`` starts ``python -m lrkit.quiz --seed 1 --num 1`` as a reader
would and returns the wall time until the first answer prompt appears on its output (the
bank is read, nothing is computed: numeric keys are stored in the bank). The lead's book
benchmark can import and call it. The script also reports whether torch was imported
(it must not be: the quiz pages and the terminal quiz never need it).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = (b"answer (", b"select all that apply")


def first_question_seconds(timeout=120.0) -> float:
    """Seconds from launching the terminal quiz to its first answer prompt."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), LRKIT_QUIZ_STATE=os.devnull + ".lrkit")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lrkit.quiz", "--seed", "1", "--num", "1"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    seen = b""
    try:
        while not any(p in seen for p in PROMPTS):
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk or time.perf_counter() - start > timeout:
                raise RuntimeError(f"no prompt from the quiz: {seen[-300:]!r}")
            seen += chunk
        return time.perf_counter() - start
    finally:
        proc.kill()
        proc.wait()


def imports_torch() -> bool:
    """Whether loading the bank and rendering every page's self-checks imports torch."""
    code = (
        "import sys\nfrom lrkit import quiz, quizrender\n"
        "quizrender.to_jupyterquiz(quiz.load())\nprint('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return out.stdout.strip() == "True"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    times = [first_question_seconds() for _ in range(args.repeat)]
    print("| measure | value |")
    print("| --- | --- |")
    print(
        f"| terminal quiz, launch to first question (median of {args.repeat}) "
        f"| {statistics.median(times):.2f} s |"
    )
    print(f"| quiz modules import torch | {'yes' if imports_torch() else 'no'} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
