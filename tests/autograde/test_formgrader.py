"""The instructor's term in nbgrader's own tools: formgrader on a course graded by `autograde grade`,
manual grading through formgrader's own API, and the outputs rebuilt from the gradebook.

A real Jupyter server with nbgrader's formgrader extension serves the graded course; grades are
given through the same REST calls formgrader's page makes (the browser test in tests/browser drives
the page itself). Expected totals come from nbgrader's own `nbgrader export`, run for real.
"""
from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, course, coursedir, demo

from formgrader_api import BIN, api, formgrader_server  # tests/autograde/formgrader_api.py

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course with the demo's three notebook-01 submissions, graded by autograde (sandboxed)."""
    course_dir = tmp_path_factory.mktemp("fgcourse")
    coursedir.new_course_dir(course_dir, only=["01_perceptron"])  # what these tests grade: one release, not seven
    demo.make_samples(course_dir)
    classroom.grade_class(course_dir / "submitted", course_dir, classroom.Options(workers=2, progress=False))
    return course_dir


@pytest.fixture(scope="module")
def server(graded, tmp_path_factory):
    """jupyter lab (with nbgrader's server extensions) rooted at the graded course."""
    with formgrader_server(graded, tmp_path_factory.mktemp("fghome")) as base:
        yield base


_call = api


def _rows(path: Path) -> dict:
    with open(path, newline="") as fh:
        return {(r["student_id"], r["grade_id"]): r for r in csv.DictReader(fh)}


def test_autograded_notebooks_carry_nbgrader_metadata(graded):
    """Is there an autograded/ notebook per submission, with every graded cell of the source under its grade id,
    the student's own written answer, and each test cell's trusted verdict as its output?"""
    source = nbformat.read(str(next((graded / "source" / demo.ASSIGNMENT).glob("*.ipynb"))), as_version=4)
    graded_ids = {c.metadata["nbgrader"]["grade_id"] for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")}
    for student in ("solved", "untouched", "buggy"):
        nb = nbformat.read(str(graded / "autograded" / student / demo.ASSIGNMENT / "perceptron.ipynb"), as_version=4)
        ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        assert graded_ids <= ids, student
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert not any("text/html" in o.get("data", {}) or "application/javascript" in o.get("data", {}) for o in outputs)
    buggy = nbformat.read(str(graded / "autograded" / "buggy" / demo.ASSIGNMENT / "perceptron.ipynb"), as_version=4)
    step_test = next(c for c in buggy.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_step")
    assert step_test.outputs and step_test.outputs[0].output_type == "error" and "this looks like" in step_test.outputs[0].evalue


def test_formgrader_lists_and_shows_every_submission(server):
    """Does formgrader's gradebook list the three submissions of the notebook, and show each one (no 500, no 404)?"""
    _, subs = _call(server, f"/formgrader/api/submitted_notebooks/{demo.ASSIGNMENT}/perceptron")
    assert sorted(s["student"] for s in subs) == ["buggy", "solved", "untouched"]
    _, assignments = _call(server, "/formgrader/api/assignments")
    assert next(a for a in assignments if a["name"] == demo.ASSIGNMENT)["num_submissions"] == 3
    for sub in subs:
        status, page = _call(server, f"/formgrader/submissions/{sub['id']}/")
        assert status == 200 and "perceptron_train" in page and "formgrade" in page.lower()


def test_manage_students_finds_each_notebook(server):
    """Does formgrader's Manage Students page have each student's notebook (not '(file missing)', which it shows
    when the notebook id is null)?"""
    for student in ("solved", "buggy"):
        _, nbs = _call(server, f"/formgrader/api/student_notebook_submissions/{student}/{demo.ASSIGNMENT}")
        assert nbs and all(nb["id"] is not None for nb in nbs)


def test_manual_grade_in_formgrader_reaches_every_output(server, graded, tmp_path):
    """After a written answer is graded and commented through formgrader's API, does `autograde report` put the
    manual score and comment into grades.csv and the feedback, with totals that agree with `nbgrader export`?"""
    _, subs = _call(server, f"/formgrader/api/submitted_notebooks/{demo.ASSIGNMENT}/perceptron")
    solved = next(s for s in subs if s["student"] == "solved")
    _, grades = _call(server, f"/formgrader/api/grades?submission_id={solved['id']}")
    proof = next(g for g in grades if g["name"] == "xor_proof")
    _call(server, f"/formgrader/api/grade/{proof['id']}", "PUT", {"manual_score": 1.5, "extra_credit": None})
    _, comments = _call(server, f"/formgrader/api/comments?submission_id={solved['id']}")
    note = next(c for c in comments if c["name"] == "xor_proof")
    _call(server, f"/formgrader/api/comment/{note['id']}", "PUT", {"manual_comment": "Right idea; <b>name</b> the four inequalities."})

    before = _rows(graded / "grades.csv")
    assert before[("solved", "xor_proof")]["score"] == "" and before[("solved", "xor_proof")]["message"] == "awaiting manual grading"
    proc = subprocess.run([str(BIN / "autograde"), "report", "--course-dir", str(graded)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    after = _rows(graded / "grades.csv")
    row = after[("solved", "xor_proof")]
    assert (row["score"], row["status"]) == ("1.5", "graded") and "four inequalities" in row["comment"]
    assert after[("buggy", "xor_proof")]["score"] == ""  # still awaiting: blank, not a zero
    html = (graded / "feedback" / "solved" / demo.ASSIGNMENT / "perceptron.html").read_text()
    assert "1.5 / 2" in html and "graded by hand" in html and "four inequalities" in html and "<b>name</b>" not in html

    export = tmp_path / "export.csv"
    proc = course.nbgrader(["export", f"--to={export}"], graded)
    assert proc.returncode == 0, proc.stderr
    with open(export, newline="") as fh:
        theirs = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(fh)}
    with open(graded / "totals.csv", newline="") as fh:
        ours = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(fh)}
    assert set(ours) == set(theirs)  # every student and assignment of the gradebook, as the export has them
    for key in theirs:
        for col in ("raw_score", "late_submission_penalty", "score", "max_score"):
            assert float(ours[key][col]) == float(theirs[key][col]), (key, col)
    mine = (demo.ASSIGNMENT, "solved"), (demo.ASSIGNMENT, "buggy")
    assert ours[mine[0]]["awaiting_manual_grading"] == "0" and ours[mine[1]]["awaiting_manual_grading"] == "1"


def test_manual_grade_survives_a_regrade(graded, server):
    """Does a later `autograde grade --force` keep the manual score given in formgrader, and flag the re-graded
    notebook for review (formgrader's "Flagged?" and "Needs Manual Grade?"; the status "graded, to review")?"""
    from autograde import record, report

    summary = classroom.grade_class(graded / "submitted", graded, classroom.Options(workers=2, progress=False, force=True,
                                                                                    students=["solved"]))
    marks = record.marks(graded)
    assert marks[("solved", demo.ASSIGNMENT, "perceptron", "xor_proof")].manual_score == 1.5
    row = _rows(graded / "grades.csv")[("solved", "xor_proof")]
    assert row["score"] == "1.5" and "review it in formgrader" in row["message"]
    with record.open_gradebook(graded) as gb:
        nb = gb.find_submission_notebook("perceptron", demo.ASSIGNMENT, "solved")
        assert nb.flagged and nb.needs_manual_grade
    assert "graded, to review 1" in report.summary_lines(summary.rows)[0]
    _, subs = _call(server, f"/formgrader/api/submitted_notebooks/{demo.ASSIGNMENT}/perceptron")  # what formgrader lists
    assert {s["student"]: s["flagged"] for s in subs} == {"solved": True, "buggy": False, "untouched": False}
