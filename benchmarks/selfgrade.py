"""Benchmark: how long a self-learner waits for `autograde self`, beside `python -c "import numpy"`.

    python benchmarks/selfgrade.py [--runs 5] [--notebook 01_perceptron]       (make bench-self)

Each command is run ``--runs`` times in turn, as a self-learner runs it (a new process each time, the sandbox
included), on the solved notebook of one assignment; the script prints each command's median wall time, and
their ratio: the machine's speed and load cancel out of it. Also printed: `autograde self` on a folder holding
every notebook of the course (one run), the case of a self-learner checking the whole course.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--notebook", default="01_perceptron", help="the assignment whose solved notebook is graded")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from autograde.reference import source_notebook

    with tempfile.TemporaryDirectory(prefix="nncourse-self-") as tmp:
        nb = Path(tmp) / source_notebook(args.notebook).name
        shutil.copy(source_notebook(args.notebook), nb)
        course = Path(tmp) / "course"
        course.mkdir()
        for src in sorted((REPO / "solutions").glob("*/*.ipynb")):
            shutil.copy(src, course / src.name)
        numpy_cmd = [sys.executable, "-c", "import numpy"]
        self_cmd = [str(BIN / "autograde"), "self", str(nb)]
        wall(self_cmd)   # a first run warms the page cache, as a self-learner's second run finds it
        times: dict[str, list[float]] = {"numpy": [], "self": []}
        for _ in range(args.runs):   # interleaved, so that a change of load hits both
            times["numpy"].append(wall(numpy_cmd))
            times["self"].append(wall(self_cmd))
        folder = wall([str(BIN / "autograde"), "self", str(course)])
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; median of {args.runs} runs each")
    print(f"  python -c 'import numpy'           {med['numpy']:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['numpy'])})")
    print(f"  autograde self {nb.name:<20} {med['self']:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['self'])})")
    print(f"  ratio                              {med['self'] / med['numpy']:6.1f}x")
    print(f"  autograde self FOLDER (all {len(list((REPO / 'solutions').glob('*/*.ipynb')))} notebooks, one run) {folder:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
