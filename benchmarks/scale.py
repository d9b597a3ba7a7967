"""Benchmark: what the trusted side (the one `autograde` process) costs as the class grows.

    python benchmarks/scale.py [--sizes 250,1000,4000] [--workers N]     (make bench-scale)

The smallest class is graded for real (notebook 01, sandboxed: solved, untouched and two-bug submissions in
turn). The larger ones are made by cloning its graded results under new student ids (the submissions, the
stored results, the autograded notebooks and the feedback pages with the keys `autograde report` would give
them), so that only the trusted side runs: recording into an empty gradebook, the outputs, the report. For
each size it prints the main process's CPU seconds (user + system, children excluded: the sandboxed jobs and
the feedback renderers are not in it) for:

- a first run (the gradebook empty: every result recorded),
- a re-run with nothing changed,
- a re-run with one changed submission (graded for real),
- `autograde report` (every output rebuilt from the gradebook),

and the ratio of each to the smallest size, against the ratio of the sizes (linear growth).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

ASSIGNMENT, NOTEBOOK = "01_perceptron", "perceptron.ipynb"


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def measured(fn):
    c0, t0 = cpu(), time.perf_counter()
    out = fn()
    return cpu() - c0, time.perf_counter() - t0, out


def sid(i: int) -> str:
    return f"s{i:05d}"


def make_graded(base: Path, n: int, workers: int) -> tuple[Path, float]:
    """A course of ``n`` students graded for real; returns it and the first run's main-process CPU seconds."""
    from autograde import classroom, coursedir, samples
    from autograde.items import demo_bugs

    course_dir = base / "course"
    coursedir.prepare(course_dir, [ASSIGNMENT])
    shutil.copy(course_dir / "gradebook.db", base / "empty-gradebook.db")
    release = course_dir / "release" / ASSIGNMENT / NOTEBOOK
    source = course_dir / "source" / ASSIGNMENT / NOTEBOOK
    kinds = [samples.solved(release, source), samples.untouched(release),
             samples.with_answers(samples.solved(release, source), demo_bugs(ASSIGNMENT))]
    for i in range(n):
        samples.write_submission(kinds[i % 3], course_dir / "submitted", sid(i), ASSIGNMENT, NOTEBOOK)
    c, w, _ = measured(lambda: classroom.grade_class(None, course_dir, classroom.Options(workers=workers, progress=False)))
    return course_dir, c, w


def clone(graded: Path, n_graded: int, base: Path, n: int) -> Path:
    """A course of ``n`` students made of the graded one's results under new ids (the gradebook empty)."""
    from autograde import course, outputs
    from autograde.classroom import CACHE_DIR

    course_dir = base / "course"
    shutil.copytree(graded, course_dir, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback", ".autograde",
                                                                     "gradebook.db", "grades*.csv", "totals.csv", "report.html"))
    shutil.copy(graded.parent / "empty-gradebook.db", course_dir / "gradebook.db")
    keys = {}
    for i in range(n):
        src_id, new_id = sid(i % n_graded), sid(i)
        for folder in ("submitted", "autograded", "feedback"):
            shutil.copytree(graded / folder / src_id, course_dir / folder / new_id)
        data = json.loads((graded / CACHE_DIR / "cache" / src_id / ASSIGNMENT / "perceptron.json").read_text())
        data["student_id"] = new_id
        for r in data["rows"]:
            r["student_id"] = new_id
        target = course_dir / CACHE_DIR / "cache" / new_id / ASSIGNMENT / "perceptron.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data))
        # the feedback page is the graded one's (the page names the student: fine for a benchmark); its key is what
        # `autograde report` computes for this student, so that no page is rendered again
        rows = outputs.merge([course.GradeRow(**r) for r in data["rows"]], {})
        task = outputs.feedback_task(course_dir, data, rows, {}, 0.0, True)
        keys[str(outputs.feedback_path(course_dir, new_id, ASSIGNMENT, "perceptron"))] = task["digest"]
    (course_dir / CACHE_DIR / "feedback-keys.json").write_text(json.dumps(keys))
    return course_dir


def runs(course_dir: Path, workers: int) -> dict[str, float]:
    from autograde import classroom, outputs

    opts = classroom.Options(workers=workers, progress=False)
    out = {}
    out["first"], out["first_wall"], _ = measured(lambda: classroom.grade_class(None, course_dir, opts))
    out["nothing"], out["nothing_wall"], _ = measured(lambda: classroom.grade_class(None, course_dir, opts))
    changed = course_dir / "submitted" / sid(0) / ASSIGNMENT / NOTEBOOK
    nb = json.loads(changed.read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    code["source"] = ("".join(code["source"]) if isinstance(code["source"], list) else code["source"]) + "\n# changed\n"
    changed.write_text(json.dumps(nb))
    out["one"], out["one_wall"], summary = measured(lambda: classroom.grade_class(None, course_dir, opts))
    assert summary.graded == 1, summary.graded
    out["report"], out["report_wall"], _ = measured(lambda: outputs.rebuild(course_dir, workers=workers))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="250,1000,4000", help="class sizes; the first is graded for real")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", help="keep the courses in this folder")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    base = Path(args.keep or tempfile.mkdtemp(prefix="nncourse-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    print(f"sizes {sizes}; {os.cpu_count()} cores, workers={args.workers}; load average {os.getloadavg()[0]:.1f}; in {base}")
    results = {}
    try:
        graded, c_graded, w_graded = make_graded(base / "graded", sizes[0], args.workers)
        print(f"graded {sizes[0]} students for real (sandboxed): main process {c_graded:.1f} CPU-s, {w_graded:.0f} s wall", flush=True)
        for n in sizes:
            results[n] = r = runs(clone(graded, sizes[0], base / f"size-{n}", n), args.workers)
            print(f"  {n:>6} students: first {r['first']:7.2f}  nothing changed {r['nothing']:7.2f}  one changed "
                  f"{r['one']:7.2f}  report {r['report']:7.2f}  (CPU-s of the main process; walls {r['first_wall']:.0f}, "
                  f"{r['nothing_wall']:.0f}, {r['one_wall']:.0f}, {r['report_wall']:.0f} s)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    n0 = sizes[0]
    print(f"\nmain process CPU-seconds, and the ratio to {n0} students (linear growth: the ratio of the sizes)")
    print(f"{'students':>9} {'first run':>17} {'nothing changed':>17} {'one changed':>17} {'autograde report':>17} {'sizes':>7}")
    for n in sizes:
        r, r0 = results[n], results[n0]
        cells = [f"{r[k]:7.2f} ({r[k] / r0[k]:4.1f}x)" for k in ("first", "nothing", "one", "report")]
        print(f"{n:>9} " + " ".join(f"{c:>17}" for c in cells) + f" {n / n0:>6.1f}x")
    last = sizes[-1]
    print(f"\na re-run with nothing changed: {results[last]['nothing']:.2f} CPU-s at {last} students "
          f"({results[last]['nothing'] / last * 1000:.2f} ms per student)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
