"""`autograde grade` on the demo's class: the grades, Dask, re-runs, one student, the CLI, and refusing without a sandbox."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, course, demo, samples, sandbox

pytestmark = pytest.mark.slow
ASSIGNMENT = "01_perceptron"


def _points(source_nb) -> dict[str, float]:
    nb = nbformat.read(str(source_nb), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


@pytest.fixture(scope="module")
def demo_class(tmp_path_factory):
    """The demo's course and its three submissions, graded on a Dask LocalCluster."""
    course_dir = tmp_path_factory.mktemp("demo-course")
    course.new_course_dir(course_dir, only=["01_perceptron"])  # what these tests grade: one release, not seven
    demo.make_samples(course_dir)
    opts = classroom.Options(workers=2, scheduler="local", progress=False, force=True)
    summary = classroom.grade_class(course_dir / "submitted", course_dir, opts)
    return course_dir, summary


def _scores(rows, student):
    return {r.grade_id: r.score for r in rows if r.student_id == student and r.status != "manual"}


def test_dask_grades_the_demo_class_right(demo_class, source_nb01):
    """On a Dask LocalCluster: solved full marks, untouched zero, buggy loses exactly its two functions?"""
    _, summary = demo_class
    points = _points(source_nb01)
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    assert _scores(summary.rows, "solved") == points
    assert _scores(summary.rows, "untouched") == {g: 0.0 for g in points}
    assert _scores(summary.rows, "buggy") == {g: (0.0 if g in lost else p) for g, p in points.items()}


def test_csv_has_the_documented_columns(demo_class, source_nb01):
    """Does grades.csv have one row per student and graded item with the documented columns?"""
    _, summary = demo_class
    header = summary.csv_path.read_text().splitlines()[0]
    assert header == "student_id,assignment,notebook,grade_id,score,max_score,status,message,diagnosis,comment"
    n_items = len(_points(source_nb01)) + 1  # + the written question
    assert len(course.read_csv(summary.csv_path)) == 3 * n_items


def test_report_has_a_histogram_per_question(demo_class, source_nb01):
    """Does the HTML report hold one score histogram and one outcome chart per autograded question?"""
    _, summary = demo_class
    html = summary.report_path.read_text()
    for gid in _points(source_nb01):
        assert html.count(f"alt='histogram of {gid}'") == 1 and html.count(f"alt='outcomes of {gid}'") == 1, gid


def test_rerun_grades_nothing_unchanged(demo_class):
    """Does a second run with no change re-grade nothing and keep the same grades?"""
    course_dir, first = demo_class
    again = classroom.grade_class(course_dir / "submitted", course_dir, classroom.Options(workers=2, progress=False))
    assert again.graded == 0 and again.cached == 3
    assert sorted(map(tuple, (r.as_dict().values() for r in again.rows))) == sorted(map(tuple, (r.as_dict().values() for r in first.rows)))


def test_changed_submission_is_regraded_alone(demo_class, source_nb01, release_nb01, tmp_path):
    """After one student fixes a bug, does --student re-grade just that notebook and keep the others' rows?"""
    course_dir, _ = demo_class
    fixed = samples.solved(release_nb01, source_nb01)
    samples.write_submission(fixed, course_dir / "submitted", "buggy", ASSIGNMENT, "perceptron.ipynb")
    summary = classroom.grade_class(course_dir / "submitted", course_dir,
                                    classroom.Options(workers=1, students=["buggy"], progress=False))
    assert summary.graded == 1
    rows = course.read_csv(summary.csv_path)
    assert _scores(rows, "buggy") == _points(source_nb01)
    assert {r.student_id for r in rows} == {"solved", "untouched", "buggy"}


def test_unknown_student_is_a_clear_error(demo_class):
    """Does --student with a name that has no folder say which folder was expected?"""
    course_dir, _ = demo_class
    with pytest.raises(ValueError, match="no submission folder for student"):
        classroom.grade_class(course_dir / "submitted", course_dir, classroom.Options(students=["nobody"], progress=False))


def test_cli_grade_prints_summary_and_table(tmp_path, source_nb01, release_nb01):
    """Does `autograde grade` from the shell grade a folder and print the summary and the table?"""
    subs = tmp_path / "subs"
    samples.write_submission(samples.solved(release_nb01, source_nb01), subs, "ada", ASSIGNMENT, "perceptron.ipynb")
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([str(exe), "grade", str(subs), "--course-dir", str(tmp_path / "course"), "--table", "--no-progress"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "graded 1 notebook(s)" in proc.stdout
    total = sum(_points(source_nb01).values())
    assert f"{total:g}/{total:g}" in proc.stdout


def test_cli_self_grades_one_notebook(tmp_path, source_nb01, release_nb01):
    """Does `autograde self NOTEBOOK` print per-question results and write feedback next to the notebook?"""
    nb_path = tmp_path / "perceptron.ipynb"
    nbformat.write(samples.with_answers(samples.solved(release_nb01, source_nb01), samples.BUGGY_01), str(nb_path))
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([str(exe), "self", str(nb_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "[FAIL] test_step" in proc.stdout and "[PASS] test_sign" in proc.stdout
    assert (tmp_path / "perceptron.feedback.html").exists()


def test_grader_refuses_without_bubblewrap(tmp_path, monkeypatch):
    """With no bubblewrap on PATH, does the grader refuse and say what it would not protect?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(sandbox.SandboxUnavailable, match="bwrap.*source notebooks"):
        sandbox.check_available()


def test_cli_says_no_sandbox_loudly(tmp_path):
    """Does `autograde grade` exit with an error naming bubblewrap when it is missing?"""
    subs = tmp_path / "subs" / "x" / ASSIGNMENT
    subs.mkdir(parents=True)
    env = {**os.environ, "PATH": str(tmp_path / "nothing")}
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([sys.executable, str(exe), "grade", str(tmp_path / "subs"), "--course-dir", str(tmp_path / "c")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "bwrap" in proc.stderr
