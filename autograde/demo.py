"""``make demo``: release the notebooks, grade three sample submissions, print the grade table.

    python -m autograde.demo [--course-dir DIR] [--grader nbgrader|autograde]

In a course work directory (a temporary one unless ``--course-dir`` is given) it releases every
notebook with nbgrader, hands in three submissions of notebook 01 (``solved``: every answer right;
``untouched``: the release as it comes; ``buggy``: two classic mistakes), grades them, writes
``grades.csv`` with one row per student and graded item, and prints the table.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from autograde import course, samples

ASSIGNMENT = "01_perceptron"


def make_samples(course_dir: Path) -> dict[str, Path]:
    release_nb = next((course_dir / "release" / ASSIGNMENT).glob("*.ipynb"))
    source_nb = next((course_dir / "source" / ASSIGNMENT).glob("*.ipynb"))
    submitted = course_dir / "submitted"
    return {
        "solved": samples.write_submission(samples.solved(release_nb, source_nb), submitted, "solved", ASSIGNMENT, release_nb.name),
        "untouched": samples.write_submission(samples.untouched(release_nb), submitted, "untouched", ASSIGNMENT, release_nb.name),
        "buggy": samples.write_submission(samples.with_answers(samples.solved(release_nb, source_nb), samples.BUGGY_01),
                                          submitted, "buggy", ASSIGNMENT, release_nb.name),
    }


def grade_with_nbgrader(course_dir: Path) -> list[course.GradeRow]:
    proc = course.nbgrader_autograde(course_dir, ASSIGNMENT)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n", file=sys.stderr)
        raise course.CourseError(f"nbgrader autograde exited {proc.returncode}")
    return course.gradebook_rows(course_dir, ASSIGNMENT)


def run(course_dir: Path, grader: str = "nbgrader") -> list[course.GradeRow]:
    t0 = time.perf_counter()
    print(f"course directory: {course_dir}")
    course.new_course_dir(course_dir)
    print(f"released {', '.join(course.assignments(course_dir, 'source'))} ({time.perf_counter() - t0:.1f} s)")
    make_samples(course_dir)
    t1 = time.perf_counter()
    rows = grade_with_nbgrader(course_dir)
    csv_path = course.write_csv(rows, course_dir / "grades.csv")
    print(f"graded 3 submissions with plain nbgrader in {time.perf_counter() - t1:.1f} s; per-question grades: {csv_path}\n")
    print(course.format_table(rows))
    print(f"\ndemo finished in {time.perf_counter() - t0:.1f} s")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course-dir", type=Path, help="keep the course work directory here (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.course_dir:
        run(args.course_dir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="nncourse-demo-") as tmp:
            run(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
