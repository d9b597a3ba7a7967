"""Benchmark: what naming known mistakes costs, against the grading time of the demo class.

    python benchmarks/diagnosis.py [--repeats 3]

1. Makes the demo class (solved, untouched and two-bug submissions of every notebook) and grades it with
   `autograde grade --force` (sandboxed, parallel, as a user runs it): the class's grading time.
2. Replays the trusted side's verdicts of that class in this process: for every submission and graded
   name, the answer's outputs on the hidden cases, judged with the item as it is and with its known
   mistakes removed. The difference is what diagnosis costs (it runs only for wrong answers).
3. Prints the cost in seconds and as a share of the class's grading time (target: at most 10 %).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograde import course, coursedir, demo  # noqa: E402
from autograde.items import items_of  # noqa: E402
from autograde.judge import judge  # noqa: E402
from autograde.reference import load_reference, strip_solution_markers  # noqa: E402
from autograde.sandboxed.probes import evaluate  # noqa: E402
from autograde.spec import case_rng  # noqa: E402


def answers_of(path: Path) -> dict:
    """The namespace a submission's setup, given and answer cells define (our own demo samples: trusted code)."""
    nb = nbformat.read(str(path), as_version=4)
    ns: dict = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        if cell.cell_type == "code" and (meta.get("nbgrader", {}).get("solution") or "setup" in meta.get("tags", [])):
            try:
                exec(compile(strip_solution_markers(cell.source), str(path), "exec"), ns)
            except Exception:  # a stub raising NotImplementedError, as the untouched release does
                pass
    return ns


def replay(course_dir: Path) -> tuple[float, float, int]:
    """Seconds of judging the class with and without known mistakes, and how many wrong answers there were."""
    with_d = without_d = 0.0
    wrong = 0
    for assignment in course.assignments(course_dir, "source"):
        ref = load_reference(assignment)
        for student in ("solved", "untouched", "buggy"):
            sub = next((course_dir / "submitted" / student / assignment).glob("*.ipynb"))
            ns = answers_of(sub)
            for item in items_of(assignment):
                cases = item.cases(case_rng(12345, item.name))
                got = []
                try:
                    for case in cases:
                        try:
                            got.append(evaluate(item.probe, ns[item.name], case.args))
                        except NotImplementedError:
                            raise
                        except Exception as exc:
                            got.append(f"raised {type(exc).__name__}")
                except (NotImplementedError, KeyError):  # a stub: the grader says "not implemented", judging nothing
                    continue
                for it, bucket in ((item, "with"), (replace(item, mistakes=()), "without")):
                    t0 = time.perf_counter()
                    verdict = judge(it, cases, got, getattr(ref, item.name))
                    dt = time.perf_counter() - t0
                    if bucket == "with":
                        with_d += dt
                        wrong += not verdict.ok
                    else:
                        without_d += dt
    return with_d, without_d, wrong


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    with tempfile.TemporaryDirectory(prefix="nncourse-diag-") as tmp:
        course_dir = Path(tmp) / "course"
        coursedir.new_course_dir(course_dir)
        for assignment in course.assignments(course_dir, "source"):
            demo.make_samples(course_dir, assignment=assignment)
        n = sum(1 for _ in (course_dir / "submitted").glob("*/*/*.ipynb"))
        grading = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            proc = subprocess.run([str(bindir / "autograde"), "grade", str(course_dir / "submitted"), "--course-dir", str(course_dir), "--force", "--no-progress"],
                                  cwd=tmp, env=env, capture_output=True, text=True)
            grading.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                raise SystemExit(f"autograde grade failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        replays = [replay(course_dir) for _ in range(args.repeats)]
        with_d = statistics.median(r[0] for r in replays)
        without_d = statistics.median(r[1] for r in replays)
        wrong = replays[0][2]
        t_class = statistics.median(grading)
        cost = max(0.0, with_d - without_d)
        print(f"demo class: {n} notebooks, {wrong} wrong answers; `autograde grade --force`: {t_class:.1f} s (median of {args.repeats})")
        print(f"trusted-side judging: {with_d:.3f} s with diagnosis, {without_d:.3f} s without (medians)")
        print(f"diagnosis costs {cost:.3f} s = {100 * cost / t_class:.1f} % of the class's grading time (target <= 10 %)")
        return 0 if cost <= 0.10 * t_class else 1


if __name__ == "__main__":
    sys.exit(main())
