"""Benchmark: each solved notebook's run time, as a student runs it and as the grader runs it.

    python benchmarks/notebooks.py [NN_topic ...]

For every notebook (or the ones named): the solved source notebook top to bottom in a real kernel
(interactive: full-size demos; target under 60 s on 2 cores), and in grading mode (NBCOURSE_GRADING=1):
the cells the grader runs — set-up, given, answer and test cells, not the demonstrations — with their
cell time summed (target under 10 s). One BLAS thread, as the grader's sandbox uses.
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from autograde import course  # noqa: E402
from autograde.reference import source_notebook  # noqa: E402


def _cell_seconds(cell) -> float:
    ex = cell.get("metadata", {}).get("execution", {})
    try:
        t0 = datetime.fromisoformat(ex["iopub.execute_input"].replace("Z", "+00:00"))
        t1 = datetime.fromisoformat(ex["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    return (t1 - t0).total_seconds()


def run(name: str, grading: bool) -> tuple[float, float, int]:
    """(wall seconds with kernel start, summed cell seconds, errors) of one notebook in one mode."""
    nb = nbformat.read(str(source_notebook(name)), as_version=4)
    if grading:
        nb.cells = [c for c in nb.cells if "demo" not in c.get("metadata", {}).get("tags", [])]
        os.environ["NBCOURSE_GRADING"] = "1"
    else:
        os.environ.pop("NBCOURSE_GRADING", None)
    os.environ["AUTOGRADE_SEED"] = "7"
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True, record_timing=True).execute()
    wall = time.perf_counter() - t0
    errors = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error")
    return wall, sum(_cell_seconds(c) for c in nb.cells if c.cell_type == "code"), errors


def main(argv: list[str]) -> int:
    names = argv or course.assignments(REPO)
    print(f"{'notebook':<22}{'interactive s':>15}{'grading: wall s':>17}{'grading: cells s':>18}")
    bad = 0
    for name in names:
        wall_i, _, err_i = run(name, grading=False)
        wall_g, cells_g, err_g = run(name, grading=True)
        bad += err_i + err_g
        flag = "" if wall_i < 60 and cells_g < 10 else "   (over a target)"
        print(f"{name:<22}{wall_i:>15.1f}{wall_g:>17.1f}{cells_g:>18.1f}{flag}" + (f"   ERRORS {err_i}/{err_g}" if err_i or err_g else ""))
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
