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


def write(course_dir: Path, results, fresh: set | None = None, timestamps: dict | None = None) -> dict[str, int]:
    """Write the results' autograded scores into the gradebook (this process only), in bulk; returns what it wrote.

    The gradebook is read once (every grade of the course, in one query), compared with what the results say,
    and only the difference is written, in one transaction: a re-run with nothing changed writes nothing, and
    its cost is a query and a comparison per student, not a look-up and a commit. A submission the gradebook
    lacks is made the way nbgrader's own ``Gradebook.add_submission`` makes it (its notebooks, grades and
    comments, from nbgrader's own model classes), all of them in that one transaction.

    ``fresh`` holds the (student, assignment, notebook) of results graded in this run (not reused from
    the cache): a fresh written answer already graded by hand is flagged for review again.
    ``timestamps`` maps (student, assignment) to the submission time (nbgrader's ``timestamp.txt``).
    """
    from nbgrader.api import Assignment, Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import bindparam, select

    fresh = fresh or set()
    timestamps = timestamps or {}
    # a host-side failure is not the student's result: the gradebook keeps what it had
    results = [r for r in results if getattr(r, "cacheable", True)]
    written = {"students": 0, "submissions": 0, "grades": 0, "flags": 0, "timestamps": 0}
    with open_gradebook(course_dir) as gb:
        db = gb.db
        students = set(db.scalars(select(Student.id)))
        new_students = sorted({r.student_id for r in results} - students)
        db.add_all([Student(id=s) for s in new_students])
        written["students"] = len(new_students)
        subs = {(a, s): (sa_id, ts) for sa_id, a, s, ts in db.execute(
            select(SubmittedAssignment.id, Assignment.name, SubmittedAssignment.student_id, SubmittedAssignment.timestamp)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id))}
        wanted = sorted({(r.assignment, r.student_id) for r in results if getattr(r, "submitted", True)} - set(subs))
        if wanted:
            assignments = {a.name: a for a in db.scalars(select(Assignment).where(Assignment.name.in_({a for a, _ in wanted})))}
            for a, s in wanted:
                if a not in assignments:
                    continue   # not in the gradebook (coursedir.prepare registers every graded assignment first)
                sub = SubmittedAssignment(assignment=assignments[a], student_id=s, timestamp=timestamps.get((s, a)))
                for notebook in sub.assignment.notebooks:   # as nbgrader's Gradebook.add_submission mirrors them
                    nb = SubmittedNotebook(notebook=notebook, assignment=sub)
                    for cell in notebook.grade_cells:
                        Grade(cell_id=cell.id, notebook=nb)
                    for cell in notebook.solution_cells:
                        Comment(cell_id=cell.id, notebook=nb)
                    for cell in notebook.task_cells:
                        Comment(cell_id=cell.id, notebook=nb)
                        Grade(cell_id=cell.id, notebook=nb)
                db.add(sub)
            db.flush()
            written["submissions"] = len(wanted)
            subs = {(a, s): (sa_id, ts) for sa_id, a, s, ts in db.execute(
                select(SubmittedAssignment.id, Assignment.name, SubmittedAssignment.student_id, SubmittedAssignment.timestamp)
                .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id))}
        state = {(s, a, n, c): (gid, auto, manual, needs, sn_id, flagged) for gid, s, a, n, c, auto, manual, needs, sn_id, flagged
                 in db.execute(_grades_query())}
        grade_updates, flags, stamps = [], set(), []
        for res in results:
            if not getattr(res, "submitted", True):
                continue  # a non-submission stays one, as in nbgrader: formgrader says "not submitted", no feedback
            stamp = timestamps.get((res.student_id, res.assignment))
            sa = subs.get((res.assignment, res.student_id))
            if sa is not None and stamp is not None and sa[1] != stamp:
                stamps.append({"sa": sa[0], "ts": stamp})
            for row in res.rows:
                cur = state.get((res.student_id, res.assignment, res.notebook, row.grade_id))
                if cur is None:
                    continue
                gid, auto, manual, needs, sn_id, _ = cur
                if row.status in ("manual", "graded"):
                    unanswered = row.message == "unanswered"
                    want_auto = 0.0 if unanswered else None
                    if unanswered:
                        want_needs = False
                    elif manual is None:
                        want_needs = True
                    elif (res.student_id, res.assignment, res.notebook) in fresh:
                        # the answer may have changed: review the kept score ("Needs Manual Grade?" and the notebook's
                        # "Flagged?" in formgrader)
                        want_needs = True
                        flags.add(sn_id)
                    else:
                        want_needs = bool(needs)
                else:
                    want_auto = row.score
                    want_needs = False if manual is None else bool(needs)
                if want_auto != auto or want_needs != bool(needs):
                    grade_updates.append({"gid": gid, "auto": want_auto, "needs": want_needs})
        flags -= {v[4] for v in state.values() if v[5]}   # already flagged
        if grade_updates:
            db.execute(Grade.__table__.update().where(Grade.__table__.c.id == bindparam("gid"))
                       .values(auto_score=bindparam("auto"), needs_manual_grade=bindparam("needs")), grade_updates)
        if flags:
            db.execute(SubmittedNotebook.__table__.update().where(SubmittedNotebook.__table__.c.id.in_(flags)).values(flagged=True))
        if stamps:
            db.execute(SubmittedAssignment.__table__.update().where(SubmittedAssignment.__table__.c.id == bindparam("sa"))
                       .values(timestamp=bindparam("ts")), stamps)
        written.update(grades=len(grade_updates), flags=len(flags), timestamps=len(stamps))
        db.commit()
    return written


def _grades_query():
    """Every grade of the course with whose it is: (grade id, student, assignment, notebook, cell name, auto score,
    manual score, needs manual grade, submitted notebook id, flagged), in one query."""
    from nbgrader.api import Assignment, BaseCell, Grade, Notebook, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import select

    return (select(Grade.id, SubmittedAssignment.student_id, Assignment.name, Notebook.name, BaseCell.name, Grade.auto_score,
                   Grade.manual_score, Grade.needs_manual_grade, SubmittedNotebook.id, SubmittedNotebook.flagged)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(BaseCell, Grade.cell_id == BaseCell.id))


def marks(course_dir: Path) -> dict[tuple, Mark]:
    """Manual scores, comments and flags of every graded cell, by (student, assignment, notebook, grade_id); two
    queries for the whole course."""
    from nbgrader.api import Assignment, BaseCell, Comment, Grade, Notebook, SubmittedAssignment, SubmittedNotebook
    from sqlalchemy import select

    out: dict[tuple, Mark] = {}
    if not _has_gradebook(course_dir):
        return out
    with open_gradebook(course_dir) as gb:
        comments = {(s, a, n, c): text for s, a, n, c, text in gb.db.execute(
            select(SubmittedAssignment.student_id, Assignment.name, Notebook.name, BaseCell.name, Comment.manual_comment)
            .join(SubmittedNotebook, Comment.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(BaseCell, Comment.cell_id == BaseCell.id)
            .where(Comment.manual_comment.isnot(None)))}
        query = (select(SubmittedAssignment.student_id, Assignment.name, Notebook.name, BaseCell.name, Grade.manual_score,
                        Grade.needs_manual_grade, Grade.extra_credit)
                 .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                 .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                 .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                 .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
                 .join(BaseCell, Grade.cell_id == BaseCell.id))
        for s, a, n, c, manual, needs, extra in gb.db.execute(query):
            out[(s, a, n, c)] = Mark(None if manual is None else float(manual), comments.get((s, a, n, c)) or "", bool(needs),
                                     float(extra or 0.0))
    for key, text in comments.items():  # comments on answer cells (not graded cells themselves)
        if key not in out and text:
            out[key] = Mark(None, text, False)
    return out


def submissions(course_dir: Path) -> dict[tuple, dict]:
    """Per (student, assignment): timestamp, due date, late penalty, as nbgrader's export reports them (one query)."""
    from nbgrader.api import Assignment, Student, SubmittedAssignment
    from sqlalchemy import select

    out: dict[tuple, dict] = {}
    if not _has_gradebook(course_dir):
        return out
    with open_gradebook(course_dir) as gb:
        for s, a, due, ts, penalty, last, first, email in gb.db.execute(
                select(SubmittedAssignment.student_id, Assignment.name, Assignment.duedate, SubmittedAssignment.timestamp,
                       SubmittedAssignment.late_submission_penalty, Student.last_name, Student.first_name, Student.email)
                .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                .join(Student, SubmittedAssignment.student_id == Student.id)):
            out[(s, a)] = {"duedate": due, "timestamp": ts, "late_submission_penalty": float(penalty or 0.0),
                           "last_name": last, "first_name": first, "email": email}
    return out


def assignments(course_dir: Path) -> tuple[dict[str, dict], list[dict]]:
    """The gradebook's assignments ({name: {"duedate", "max_score"}}) and students (id, names, email, LMS id)."""
    from nbgrader.api import Assignment, Student
    from sqlalchemy import select

    if not _has_gradebook(course_dir):
        return {}, []
    with open_gradebook(course_dir) as gb:
        asg = {name: {"duedate": due, "max_score": float(mx or 0.0)}
               for name, due, mx in gb.db.execute(select(Assignment.name, Assignment.duedate, Assignment.max_score))}
        students = [{"student_id": i, "last_name": last, "first_name": first, "email": email, "lms_user_id": lms}
                    for i, last, first, email, lms in gb.db.execute(
                        select(Student.id, Student.last_name, Student.first_name, Student.email, Student.lms_user_id))]
    return asg, students
