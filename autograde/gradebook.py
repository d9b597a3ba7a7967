"""The nbgrader gradebook is the record: the grader writes autograded scores into it, formgrader adds
manual scores and comments, and every output (``grades.csv``, ``totals.csv``, feedback, the report)
is rebuilt from it (:mod:`autograde.outputs`).

Only the one process that runs ``autograde`` touches the gradebook (under the course lock), so no
submission can reach another's records.

Rules for a written answer (a manually graded cell):

- its ``auto_score`` stays empty (``None``) and it is flagged ``needs_manual_grade`` until an
  instructor gives it a score in formgrader; an empty answer is scored 0 at once;
- a manual score and comment given in formgrader are kept by every later run;
- when a student hands in a *changed* notebook, the manual score stays but the cell is flagged for
  review again (formgrader shows it as needing a manual grade).
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Mark:
    """What formgrader holds for one graded cell of one submission, beside the autograded score."""

    manual_score: float | None
    comment: str
    needs_manual_grade: bool
    extra_credit: float = 0.0


@contextmanager
def open_gradebook(course_dir: Path):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        # nbgrader's add_submission warns on SQLAlchemy 2 (harmless, see NBGRADER-NOTES)
        warnings.simplefilter("ignore", SAWarning)
        with Gradebook(_db_url(course_dir)) as gb:
            yield gb


def _has_gradebook(course_dir: Path) -> bool:
    url = _db_url(course_dir)
    return not url.startswith("sqlite:///") or Path(url[len("sqlite:///"):]).exists()


def _db_url(course_dir: Path) -> str:
    """The course's gradebook as its nbgrader configuration says (``CourseDirectory.db_url``), else ``gradebook.db``."""
    try:
        from autograde.coursedir import settings

        return settings(course_dir).db_url
    except Exception:  # no readable configuration: nbgrader's default place
        return f"sqlite:///{course_dir / 'gradebook.db'}"


def record(course_dir: Path, results, fresh: set | None = None, timestamps: dict | None = None) -> None:
    """Write the results' autograded scores into the gradebook (this process only).

    ``fresh`` holds the (student, assignment, notebook) of results graded in this run (not reused from
    the cache): a fresh written answer already graded by hand is flagged for review again.
    ``timestamps`` maps (student, assignment) to the submission time (nbgrader's ``timestamp.txt``).
    """
    from nbgrader.api import MissingEntry

    fresh = fresh or set()
    timestamps = timestamps or {}
    with open_gradebook(course_dir) as gb:
        for res in results:
            if not getattr(res, "cacheable", True):
                continue  # a host-side failure is not the student's result: the gradebook keeps what it had
            gb.update_or_create_student(res.student_id)
            if not getattr(res, "submitted", True):
                continue  # a non-submission stays one, as in nbgrader: formgrader says "not submitted", no feedback
            stamp = timestamps.get((res.student_id, res.assignment))
            try:
                sub = gb.find_submission(res.assignment, res.student_id)
            except MissingEntry:
                sub = gb.add_submission(res.assignment, res.student_id)
            if stamp is not None and sub.timestamp != stamp:
                sub.timestamp = stamp
            for row in res.rows:
                try:
                    grade = gb.find_grade(row.grade_id, row.notebook, res.assignment, res.student_id)
                except MissingEntry:
                    continue
                if row.status in ("manual", "graded"):
                    unanswered = row.message == "unanswered"
                    grade.auto_score = 0.0 if unanswered else None
                    if unanswered:
                        grade.needs_manual_grade = False
                    elif grade.manual_score is None:
                        grade.needs_manual_grade = True
                    elif (res.student_id, res.assignment, res.notebook) in fresh:
                        # the answer may have changed: review the kept score ("Needs Manual Grade?" and the
                        # notebook's "Flagged?" in formgrader)
                        grade.needs_manual_grade = True
                        grade.notebook.flagged = True
                else:
                    grade.auto_score = row.score
                    if grade.manual_score is None:
                        grade.needs_manual_grade = False
        gb.db.commit()


def marks(course_dir: Path) -> dict[tuple, Mark]:
    """Manual scores, comments and flags of every graded cell, by (student, assignment, notebook, grade_id)."""
    out: dict[tuple, Mark] = {}
    if not _has_gradebook(course_dir):
        return out
    with open_gradebook(course_dir) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    comments = {c.name: (c.manual_comment or "") for c in nb.comments}
                    for grade in nb.grades:
                        out[(sub.student.id, assignment.name, nb.name, grade.name)] = Mark(
                            None if grade.manual_score is None else float(grade.manual_score),
                            comments.get(grade.name, ""), bool(grade.needs_manual_grade), float(grade.extra_credit or 0.0))
                    for name, text in comments.items():  # comments on answer cells (not graded cells themselves)
                        key = (sub.student.id, assignment.name, nb.name, name)
                        if key not in out and text:
                            out[key] = Mark(None, text, False)
    return out


def submissions(course_dir: Path) -> dict[tuple, dict]:
    """Per (student, assignment): timestamp, due date, late penalty, as nbgrader's export reports them."""
    out: dict[tuple, dict] = {}
    if not _has_gradebook(course_dir):
        return out
    with open_gradebook(course_dir) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                out[(sub.student.id, assignment.name)] = {
                    "duedate": assignment.duedate, "timestamp": sub.timestamp,
                    "late_submission_penalty": float(sub.late_submission_penalty or 0.0),
                    "last_name": sub.student.last_name, "first_name": sub.student.first_name, "email": sub.student.email}
    return out


def assignments(course_dir: Path) -> tuple[dict[str, dict], list[dict]]:
    """The gradebook's assignments ({name: {"duedate", "max_score"}}) and students (id and names)."""
    if not _has_gradebook(course_dir):
        return {}, []
    with open_gradebook(course_dir) as gb:
        asg = {a.name: {"duedate": a.duedate, "max_score": float(a.max_score)} for a in gb.assignments}
        students = [{"student_id": s.id, "last_name": s.last_name, "first_name": s.first_name, "email": s.email,
                     "lms_user_id": s.lms_user_id} for s in gb.students]
    return asg, students
