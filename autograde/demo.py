"""``make demo``: release the notebooks, grade three sample submissions, print the grade table.

    python -m autograde.demo [--course-dir DIR]

In a course work directory (a temporary one unless ``--course-dir`` is given) it releases every
notebook with nbgrader, hands in three submissions of every notebook (``solved``: every answer right;
``untouched``: the release as it comes; ``buggy``: two classic mistakes, the items' ``DEMO_BUGS``,
which the grader names), grades them with
``autograde grade`` (sandboxed, in parallel), writes ``grades.csv`` with one row per student and
graded item plus feedback and a report, and prints the table.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from autograde import classroom, course, coursedir, report, samples

ASSIGNMENT = "01_perceptron"


def make_samples(course_dir: Path, submitted: Path | None = None, assignment: str = ASSIGNMENT) -> dict[str, Path]:
    """The three sample submissions of one assignment, written under ``submitted`` (default: the course's submitted/)."""
    from autograde.items import demo_bugs

    release_nb = next((course_dir / "release" / assignment).glob("*.ipynb"))
    source_nb = next((course_dir / "source" / assignment).glob("*.ipynb"))
    submitted = submitted or course_dir / "submitted"
    return {
        "solved": samples.write_submission(samples.solved(release_nb, source_nb), submitted, "solved", assignment, release_nb.name),
        "untouched": samples.write_submission(samples.untouched(release_nb), submitted, "untouched", assignment, release_nb.name),
        "buggy": samples.write_submission(samples.with_answers(samples.solved(release_nb, source_nb), demo_bugs(assignment)),
                                          submitted, "buggy", assignment, release_nb.name),
    }


def run(course_dir: Path) -> list[course.GradeRow]:
    t0 = time.perf_counter()
    print(f"course directory: {course_dir}")
    coursedir.new_course_dir(course_dir)
    print(f"released {', '.join(course.assignments(course_dir, 'source'))} with nbgrader ({time.perf_counter() - t0:.1f} s)")
    for assignment in course.assignments(course_dir, "source"):
        make_samples(course_dir, assignment=assignment)
    t1 = time.perf_counter()
    summary = classroom.grade_class(course_dir / "submitted", course_dir, classroom.Options(force=True))
    print(f"graded {summary.graded} submissions with autograde (sandboxed, parallel) in {time.perf_counter() - t1:.1f} s")
    for line in report.summary_lines(summary.rows, summary.late) + report.intake_lines(summary.skipped, summary.warnings):
        print(line)
    print()
    print(course.format_table(summary.rows))
    diagnosed = [r for r in summary.rows if r.diagnosis]
    if diagnosed:
        print("\nknown mistakes named by the grader (the buggy samples):")
        for r in diagnosed:
            said = textwrap.shorten(r.message.split(' — ')[-1], 200, placeholder=" …")  # cut between words
            print(f"  {r.student_id}/{r.notebook}/{r.grade_id} [{r.diagnosis}]: {said}")
    print(f"\nper-question grades: {summary.csv_path}\nreport: {summary.report_path}\nfeedback: {course_dir / 'feedback'}")
    print(f"demo finished in {time.perf_counter() - t0:.1f} s")
    return summary.rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course-dir", type=Path, help="keep the course work directory here (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.course_dir:
        run(args.course_dir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="nncourse-demo-") as tmp:
            run(Path(tmp))
        print("(that course directory was temporary and is deleted now: `make demo DEMO_DIR=DIR`, or "
              "`python -m autograde.demo --course-dir DIR`, keeps it to open the report and feedback, or formgrader on it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
