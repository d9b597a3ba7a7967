"""Benchmark: `autograde grade` against plain `nbgrader autograde` on the same submissions, one run.

    python benchmarks/grading.py [--submissions 40] [--workers N]

Makes N submissions of every notebook that exists (solved, buggy and naive-sigmoid variants in turn),
grades them with plain nbgrader (autograde, then generate_feedback) and with `autograde grade`
(sandboxed, parallel, feedback included), each as the command a user runs, and prints seconds,
seconds per notebook and the ratios. Both graders must agree on every student's total, under the same rule:
the autograde course is set to nbgrader's all-or-nothing rule for a test cell that checks several functions
(``c.NNCourse.partial_credit = False``; the kit's default gives each right function its share), and one
notebook-01 variant gets one of its three gate weights wrong, where the two rules differ.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograde import course, coursedir, samples  # noqa: E402

NAIVE = {"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"}
# one of the three weights of test_gates wrong: 2/3 of its points with partial credit, none under nbgrader's rule
WRONG_OR = {"gates": "AND_WEIGHTS = (np.array([1.0, 1.0]), -1.5)\nOR_WEIGHTS = (np.array([1.0, 1.0]), -1.5)\n"
                     "NOT_WEIGHTS = (np.array([-1.0]), 0.5)\n"}


def make_class(course_dir: Path, n: int) -> int:
    coursedir.new_course_dir(course_dir)
    count = 0
    for assignment in course.assignments(course_dir, "source"):
        release_nb = next((course_dir / "release" / assignment).glob("*.ipynb"))
        source_nb = next((course_dir / "source" / assignment).glob("*.ipynb"))
        for i in range(n):
            nb = samples.solved(release_nb, source_nb)
            if assignment == "01_perceptron" and i % 4 == 1:
                nb = samples.with_answers(nb, samples.BUGGY_01)
            elif assignment == "01_perceptron" and i % 4 == 2:
                nb = samples.with_answers(nb, NAIVE)
            elif assignment == "01_perceptron" and i % 4 == 3:
                nb = samples.with_answers(nb, WRONG_OR)
            samples.write_submission(nb, course_dir / "submitted", f"student{i:03d}", assignment, release_nb.name)
            count += 1
    return count


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def sandbox_overhead(course_dir: Path, repeats: int = 5) -> None:
    """One solved notebook graded with and without the sandbox: the median cost of the isolation."""
    import statistics

    from autograde import grader

    assignment = course.assignments(course_dir, "source")[0]
    source_nb = next((course_dir / "source" / assignment).glob("*.ipynb"))
    sub = next((course_dir / "submitted" / "student000" / assignment).glob("*.ipynb"))
    times = {True: [], False: []}
    for i in range(repeats):
        for use in ((True, False) if i % 2 == 0 else (False, True)):  # alternate, so neither always runs warm
            job = grader.Job("bench", assignment, source_nb.name, source_nb.read_text(), sub.read_bytes(), sub.name, use_sandbox=use)
            t0 = time.perf_counter()
            grader.grade_notebook(job)
            times[use].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"one notebook, median of {repeats}: sandboxed {med[True]:.2f} s, unsandboxed {med[False]:.2f} s "
          f"(sandbox cost {1000 * (med[True] - med[False]):+.0f} ms)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--submissions", type=int, default=40)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    bindir = Path(sys.executable).parent
    env = {"PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "NBCOURSE_GRADING": "1"}
    with tempfile.TemporaryDirectory(prefix="nncourse-bench-") as tmp:
        nb_dir, ag_dir = Path(tmp) / "nbgrader-course", Path(tmp) / "autograde-course"
        n = make_class(nb_dir, args.submissions)
        shutil.copytree(nb_dir, ag_dir)
        with open(ag_dir / "nbgrader_config.py", "a") as fh:   # the same rule as nbgrader's, so that totals compare
            fh.write("\nc.NNCourse.partial_credit = False\n")
        print(f"{n} submitted notebooks ({args.submissions} per notebook), {os.cpu_count()} cores, workers={args.workers}")
        assignments = course.assignments(nb_dir, "source")
        t_nb = sum(timed([sys.executable, "-m", "nbgrader", "autograde", a, "--force"], nb_dir, env) for a in assignments)
        t_fb = sum(timed([sys.executable, "-m", "nbgrader", "generate_feedback", a, "--force"], nb_dir, env) for a in assignments)
        def ours(workers: int) -> float:
            return timed([str(bindir / "autograde"), "grade", str(ag_dir / "submitted"), "--course-dir", str(ag_dir),
                          "--workers", str(workers), "--force", "--no-progress"], ag_dir, env)
        t_ag1 = ours(1) if args.workers > 1 else None
        t_ag = ours(args.workers)
        # both graders must agree on every student's autograded total
        plain = {}
        for a in assignments:
            for r in course.gradebook_rows(nb_dir, a):
                if r.status != "manual":
                    plain[r.student_id] = plain.get(r.student_id, 0.0) + r.score
        ours = {}
        for r in course.read_csv(ag_dir / "grades.csv"):
            if r.status != "manual":
                ours[r.student_id] = ours.get(r.student_id, 0.0) + r.score
        disagree = {s for s in plain if abs(plain[s] - ours.get(s, -1)) > 1e-9}
        print(f"{'grader':<44}{'seconds':>9}{'s/notebook':>12}")
        print(f"{'nbgrader autograde (sequential, unsandboxed)':<44}{t_nb:>9.1f}{t_nb / n:>12.2f}")
        print(f"{'nbgrader autograde + generate_feedback':<44}{t_nb + t_fb:>9.1f}{(t_nb + t_fb) / n:>12.2f}")
        if t_ag1 is not None:
            print(f"{'autograde grade, 1 worker':<44}{t_ag1:>9.1f}{t_ag1 / n:>12.2f}")
        print(f"{f'autograde grade, {args.workers} workers':<44}{t_ag:>9.1f}{t_ag / n:>12.2f}")
        print(f"speed-up vs nbgrader autograde: {t_nb / t_ag:.2f}x; vs nbgrader autograde + feedback: {(t_nb + t_fb) / t_ag:.2f}x")
        if t_ag1 is not None:
            print(f"scaling: {args.workers} workers are {t_ag1 / t_ag:.2f}x faster than 1 (ideal {args.workers}x)")
        print("totals agree for every student" if not disagree else f"TOTALS DISAGREE for {sorted(disagree)}")
        sandbox_overhead(nb_dir)
        return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
