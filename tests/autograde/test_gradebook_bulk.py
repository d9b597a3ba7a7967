"""The gradebook written in bulk equals the one nbgrader's own calls make (issue 19).

`record.write` reads the gradebook once and writes the difference in one transaction. Here the same results
are recorded twice, into two copies of one course: by `record.write`, and by nbgrader's own API one call at a
time (`update_or_create_student`, `add_submission`, `find_grade`, a commit per student), as the grader recorded them
before. The two gradebooks are then read back through nbgrader's API and through `nbgrader export`, and must agree
on everything but the random ids. Then a second round (a manual grade given, answers changed) is recorded the same
two ways, and they must still agree.
"""
from __future__ import annotations

import csv
import datetime
import shutil
from pathlib import Path

import pytest

from autograde import course, coursedir, record
from autograde.course import GradeRow
from autograde.grader import Result

pytestmark = pytest.mark.slow
A, NB = "01_perceptron", "perceptron"
CODE = ["test_step", "test_sign", "test_sigmoid", "test_tanh", "test_relu", "test_neuron", "test_perceptron_predict",
        "test_gates", "test_perceptron_train", "test_xor_network"]
POINTS = {"test_gates": 3.0, "test_perceptron_train": 2.0, "test_xor_network": 2.0}


def _results(round_: int) -> list[Result]:
    out = []
    for i in range(6):
        s = f"s{i}"
        rows = [GradeRow(s, A, NB, g, (0.0 if (i + k + round_) % 4 == 0 else POINTS.get(g, 1.0)), POINTS.get(g, 1.0),
                         "failed" if (i + k + round_) % 4 == 0 else "ok") for k, g in enumerate(CODE)]
        answer = ["unanswered", "written answer: graded by hand"][i % 2]
        rows.append(GradeRow(s, A, NB, "xor_proof", 0.0, 2.0, "manual", answer))
        out.append(Result(s, A, NB, rows, "", 0.0, submitted=(i != 5)))   # s5 handed nothing in
    return out


def _by_nbgrader_calls(course_dir: Path, results, fresh: set, timestamps: dict) -> None:
    """How the grader recorded results before: nbgrader's API, one look-up per grade, a commit per student."""
    from nbgrader.api import MissingEntry

    with record.open_gradebook(course_dir) as gb:
        for res in results:
            gb.update_or_create_student(res.student_id)
            if not res.submitted:
                continue
            stamp = timestamps.get((res.student_id, res.assignment))
            try:
                sub = gb.find_submission(res.assignment, res.student_id)
            except MissingEntry:
                sub = gb.add_submission(res.assignment, res.student_id)
            if stamp is not None and sub.timestamp != stamp:
                sub.timestamp = stamp
            for row in res.rows:
                grade = gb.find_grade(row.grade_id, row.notebook, res.assignment, res.student_id)
                if row.status in ("manual", "graded"):
                    unanswered = row.message == "unanswered"
                    grade.auto_score = 0.0 if unanswered else None
                    if unanswered:
                        grade.needs_manual_grade = False
                    elif grade.manual_score is None:
                        grade.needs_manual_grade = True
                    elif (res.student_id, res.assignment, res.notebook) in fresh:
                        grade.needs_manual_grade = True
                        grade.notebook.flagged = True
                else:
                    grade.auto_score = row.score
                    if grade.manual_score is None:
                        grade.needs_manual_grade = False
            gb.db.commit()


def _read(course_dir: Path, tmp: Path) -> dict:
    """Everything formgrader and nbgrader export show, without the random ids."""
    out = {}
    with record.open_gradebook(course_dir) as gb:
        out["students"] = sorted(s.id for s in gb.students)
        for sub in gb.find_assignment(A).submissions:
            d = sub.to_dict()
            d.pop("id")
            out[("submission", sub.student_id)] = d
            for nb in sub.notebooks:
                out[("flagged", sub.student_id)] = nb.flagged
                for g in nb.grades:
                    out[("grade", sub.student_id, g.name)] = (g.auto_score, g.manual_score, g.extra_credit,
                                                              g.needs_manual_grade, g.score, g.max_score)
                for c in nb.comments:
                    out[("comment", sub.student_id, c.name)] = (c.auto_comment, c.manual_comment)
    export = tmp / f"{course_dir.name}-export.csv"
    proc = course.nbgrader(["export", f"--to={export}"], course_dir)
    assert proc.returncode == 0, proc.stderr
    with open(export, newline="") as fh:
        out["export"] = sorted(tuple(sorted(r.items())) for r in csv.DictReader(fh))
    return out


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory):
    base = tmp_path_factory.mktemp("bulk")
    coursedir.prepare(base / "bulk", [A])
    shutil.copytree(base / "bulk", base / "calls")
    return base


def test_a_bulk_record_equals_nbgraders_own_calls(two_courses):
    """Recorded in bulk or by nbgrader's own calls (new students and submissions, a non-submission, timestamps,
    unanswered and awaiting written answers), do the two gradebooks read the same through nbgrader's API and export?"""
    base = two_courses
    stamps = {("s1", A): datetime.datetime(2026, 3, 1, 9, 30), ("s2", A): datetime.datetime(2026, 3, 2, 10, 0)}
    results = _results(0)
    written = record.write(base / "bulk", results, fresh={(r.student_id, A, NB) for r in results}, timestamps=stamps)
    _by_nbgrader_calls(base / "calls", results, {(r.student_id, A, NB) for r in results}, stamps)
    assert written["submissions"] == 5 and written["students"] == 6
    assert _read(base / "bulk", base) == _read(base / "calls", base)


def test_a_second_round_writes_only_the_difference_and_still_agrees(two_courses):
    """After a hand grade in both gradebooks, a round where some answers changed: does the bulk record write only the
    grades that differ (and flag the re-graded, hand-graded notebook) and still equal nbgrader's own calls?"""
    base = two_courses
    for course_dir in (base / "bulk", base / "calls"):
        with record.open_gradebook(course_dir) as gb:
            gb.find_grade("xor_proof", NB, A, "s1").manual_score = 1.5
            gb.db.commit()
    results = _results(1)
    fresh = {("s1", A, NB), ("s2", A, NB)}
    written = record.write(base / "bulk", results, fresh=fresh)
    _by_nbgrader_calls(base / "calls", results, fresh, {})
    assert written["submissions"] == 0 and written["flags"] == 1
    changed = sum(1 for i in range(5) for k in range(len(CODE)) if ((i + k) % 4 == 0) != ((i + k + 1) % 4 == 0))
    assert written["grades"] == changed   # the code cells whose verdict flipped (s1 still needed its review: only flagged)
    assert _read(base / "bulk", base) == _read(base / "calls", base)
    assert record.write(base / "bulk", results)["grades"] == 0   # nothing changed: nothing written
