"""Every output of a graded course, rebuilt from the record: ``grades.csv``, ``totals.csv``, feedback, the report.

    autograde report --course-dir DIR      (after manual grading in formgrader; re-runs nothing)

The record is two things, both in the course directory: the grader's stored result of each
submitted notebook (``.autograde/cache/``: per-question statuses, messages and diagnoses, which the
gradebook has no place for) and nbgrader's gradebook (scores; manual scores and comments given in
formgrader). Steps, in order:

1. :func:`stored_results` — every notebook's stored result;
2. :func:`merge` — each row takes the gradebook's word: a manual score (and comment) replaces the
   autograded one; a written answer without one is blank and "awaiting manual grading";
3. ``grades.csv`` (one row per student, notebook and question) and ``totals.csv`` (one row per student
   and assignment, with the columns of ``nbgrader export`` and the same numbers);
4. feedback, re-rendered only for notebooks whose rows, notes or autograded notebook changed;
5. ``report.html`` (:mod:`autograde.report`).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from autograde import course, record, report
from autograde.course import GradeRow

CACHE_DIR = ".autograde"
TOTALS_FIELDS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                 "raw_score", "late_submission_penalty", "score", "max_score", "awaiting_manual_grading", "status")
# totals.csv's status: a 0 of a student who handed nothing in is not a 0 earned
NOT_SUBMITTED, AWAITING, GRADED = "not submitted", "awaiting manual grading", "graded"


def feedback_path(course_dir: Path, student: str, assignment: str, notebook: str) -> Path:
    return course_dir / "feedback" / student / assignment / f"{notebook}.html"


def autograded_path(course_dir: Path, student: str, assignment: str, notebook: str) -> Path:
    return course_dir / "autograded" / student / assignment / f"{notebook}.ipynb"


def stored_results(course_dir: Path) -> list[dict]:
    """Every stored result of the course (one per student, assignment and notebook)."""
    out = []
    for path in sorted((course_dir / CACHE_DIR / "cache").glob("*/*/*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and {"student_id", "assignment", "notebook", "rows"} <= set(data):
            out.append(data)
    return out


def merge(rows: list[GradeRow], marks: dict) -> list[GradeRow]:
    """The rows as the gradebook has them now: manual scores and comments in, ungraded written answers blank."""
    out = []
    for r in rows:
        mark = marks.get((r.student_id, r.assignment, r.notebook, r.grade_id))
        comment = mark.comment if mark else ""
        if r.status in ("manual", "graded"):
            if mark is not None and mark.manual_score is not None:
                r = replace(r, score=mark.manual_score, status="graded", message="graded by hand in formgrader" + (
                    "; handed in again since: review it in formgrader (flagged)" if mark.needs_manual_grade else ""))
            elif r.message == "unanswered":
                r = replace(r, score=0.0, status="manual")
            else:
                r = replace(r, score=None, status="manual", message="awaiting manual grading")
        elif mark is not None and mark.manual_score is not None and mark.manual_score != r.score:
            r = replace(r, score=mark.manual_score,
                        message=f"{r.message} (score set by hand in formgrader: {mark.manual_score:g} of {r.max_score:g})".strip())
        if mark is not None and mark.extra_credit and r.score is not None:
            r = replace(r, score=r.score + mark.extra_credit,
                        message=f"{r.message} (extra credit from formgrader: {mark.extra_credit:g})".strip())
        out.append(replace(r, comment=comment))
    return out


def totals(rows: list[GradeRow], subs: dict, known: tuple[dict, list] = ({}, [])) -> list[dict]:
    """One row per student and assignment, as ``nbgrader export`` computes it (score = raw - late penalty, at
    least 0). Like the export, a student with no submission of an assignment in the gradebook gets a row of 0, and
    its ``status`` says "not submitted" (else "awaiting manual grading" or "graded")."""
    assignments, students = known
    by: dict[tuple, list[GradeRow]] = {}
    for r in rows:
        by.setdefault((r.student_id, r.assignment), []).append(r)
    people = {s["student_id"]: s for s in students}
    for student in {r.student_id for r in rows} | set(people):
        for assignment in assignments:
            by.setdefault((student, assignment), [])
    out = []
    for (student, assignment), rs in sorted(by.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        info = {**people.get(student, {}), **subs.get((student, assignment), {})}
        raw = round(sum(r.score or 0.0 for r in rs), 6)
        penalty = float(info.get("late_submission_penalty") or 0.0)
        max_score = round(sum(r.max_score for r in rs), 6) if rs else assignments.get(assignment, {}).get("max_score", 0.0)
        out.append({"assignment": assignment, "duedate": info.get("duedate") or assignments.get(assignment, {}).get("duedate") or "",
                    "timestamp": info.get("timestamp") or "", "student_id": student, "last_name": info.get("last_name") or "",
                    "first_name": info.get("first_name") or "", "email": info.get("email") or "", "raw_score": raw,
                    "late_submission_penalty": penalty, "score": max(0.0, raw - penalty), "max_score": max_score,
                    "awaiting_manual_grading": sum(1 for r in rs if r.score is None),
                    "status": (NOT_SUBMITTED if (student, assignment) not in subs
                               else AWAITING if any(r.score is None for r in rs) else GRADED)})
    return out


def write_totals(rows: list[dict], path: Path) -> Path:
    """``totals.csv``, safe to open in a spreadsheet as ``grades.csv`` is (see :func:`autograde.course.write_csv`)."""
    from autograde.safetext import printable, spreadsheet_cell

    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=TOTALS_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_cell(printable(v)) if isinstance(v, str) else v for k, v in row.items()})
    return path


def _render(task: dict) -> str:
    """One feedback page (runs in a local worker process or on a Dask worker: plain data in, HTML out)."""
    import nbformat

    from autograde import feedback

    nb = nbformat.reads(task["autograded"], as_version=4) if task["autograded"] else None
    rows = [GradeRow(**r) for r in task["rows"]]
    return feedback.render(task["student_id"], task["assignment"], task["notebook_file"], nb, rows, task["notes"],
                           task["answer_comments"], task.get("late_penalty", 0.0), task.get("partial_credit", True))


def feedback_task(course_dir: Path, data: dict, rows: list[GradeRow], comments: dict, late_penalty: float,
                  partial_credit: bool) -> dict:
    """What one feedback page is made of, and its digest: the page is rendered again only when the digest changes.

    The autograded notebook is named by its digest (recorded with the result), not read: a run with nothing changed
    reads no notebook. :func:`_with_notebook` adds its text to the few tasks that are rendered."""
    sid, asg, nb = data["student_id"], data["assignment"], data["notebook"]
    ag_path = autograded_path(course_dir, sid, asg, nb)
    has = bool(data.get("has_autograded")) and ag_path.is_file()
    ag_sha = data.get("autograded_sha256") or (hashlib.sha256(ag_path.read_bytes()).hexdigest() if has else "")
    task = {"student_id": sid, "assignment": asg, "notebook": nb, "notebook_file": data.get("notebook_file", nb + ".ipynb"),
            "autograded_sha256": ag_sha if has else "", "rows": [r.as_dict() for r in rows], "notes": data.get("notes", ""),
            "answer_comments": comments, "late_penalty": late_penalty, "partial_credit": partial_credit}
    task["digest"] = hashlib.sha256(json.dumps(task, sort_keys=True).encode()).hexdigest()
    return task


def _with_notebook(course_dir: Path, task: dict) -> dict:
    path = autograded_path(course_dir, task["student_id"], task["assignment"], task["notebook"])
    return {**task, "autograded": path.read_text() if task["autograded_sha256"] else ""}


def _feedback_tasks(course_dir: Path, stored: list[dict], rows_by_nb: dict, marks: dict, force: bool,
                    late: dict[tuple[str, str], float], partial_credit: bool = True) -> tuple[list[dict], dict]:
    """The feedback pages to render (their digest changed, or the page is gone), and every page's digest."""
    keys_path = course_dir / CACHE_DIR / "feedback-keys.json"
    try:
        old_keys = json.loads(keys_path.read_text())
    except (OSError, ValueError):
        old_keys = {}
    comments: dict[tuple, dict] = {}   # the instructor's comments, grouped once (not a scan of every mark per page)
    for (sid, asg, nb, gid), m in marks.items():
        if m.comment:
            comments.setdefault((sid, asg, nb), {})[gid] = m.comment
    tasks, keys = [], {}
    for data in stored:
        if not data.get("submitted", True):
            continue  # nothing was handed in: no feedback (nbgrader's release_feedback has nothing to release either)
        sid, asg, nb = data["student_id"], data["assignment"], data["notebook"]
        task = feedback_task(course_dir, data, rows_by_nb.get((sid, asg, nb), []), comments.get((sid, asg, nb), {}),
                             late.get((sid, asg), 0.0), partial_credit)
        out_path = str(feedback_path(course_dir, sid, asg, nb))
        keys[out_path] = task["digest"]
        if force or old_keys.get(out_path) != task["digest"] or not os.path.isfile(out_path):
            tasks.append(task)
    return tasks, keys


def render_feedback(course_dir: Path, tasks: list[dict], workers: int = 1, client=None):
    """Render ``tasks`` and yield ``(task, html)`` as pages are done: on the Dask cluster when ``client`` is given
    (the workers do the heavy work), else in a local process pool; at most a few tasks per worker in flight, each
    task's notebook read only when it is sent, so memory does not grow with the class."""
    from autograde.classroom import IN_FLIGHT_PER_WORKER, _dask_workers, _init_worker, bounded

    if client is not None:
        window = IN_FLIGHT_PER_WORKER * _dask_workers(client)
        for task, fut in bounded(lambda t: client.submit(_render, _with_notebook(course_dir, t), pure=False), tasks, window,
                                 dask=True):
            yield task, fut.result()
        return
    if len(tasks) > 4 and workers > 1:
        from autograde.startup import worker_context

        with ProcessPoolExecutor(max_workers=workers, mp_context=worker_context(),
                                 initializer=_init_worker) as pool:
            for task, fut in bounded(lambda t: pool.submit(_render, _with_notebook(course_dir, t)), tasks,
                                     IN_FLIGHT_PER_WORKER * workers):
                yield task, fut.result()
        return
    for task in tasks:
        yield task, _render(_with_notebook(course_dir, task))


def write_exchange_files(course_dir: Path, stored: list[dict]) -> list[str]:
    """Beside each student's feedback, the submission's ``timestamp.txt`` and ``submission_secret.txt``, as nbgrader's
    own ``generate_feedback`` leaves them: ``nbgrader release_feedback`` reads both and releases the feedback under a
    hash of the secret, which ``nbgrader fetch_feedback`` finds on the student's side. Written from the graded
    submission's record, so a re-submission (``nbgrader collect --update``, then ``autograde grade``) is released under
    its own secret.

    A submission that did not come through the exchange (copied by hand: no secret) gets a secret of its own, so that
    ``release_feedback`` still releases the rest of the class (it stops at the first folder without one); no student
    holds that secret, so the instructor is told to hand those pages over another way. Returns that note."""
    import datetime
    import secrets

    from autograde.intake import SECRET_FILE, TIMESTAMP_FILE

    by_hand = []
    for data in stored:
        if not data.get("submitted", True):
            continue
        folder = feedback_path(course_dir, data["student_id"], data["assignment"], data["notebook"]).parent
        if not folder.is_dir():
            continue
        exchange = data.get("exchange") or {}
        stamp, secret = folder / TIMESTAMP_FILE, folder / SECRET_FILE
        if "secret" not in exchange:
            by_hand.append(f"{data['student_id']}/{data['assignment']}")
        wanted = {stamp: exchange.get("timestamp") or (stamp.read_text() if stamp.is_file() else
                                                        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")),
                  secret: exchange.get("secret") or (secret.read_text() if secret.is_file() else secrets.token_hex(64))}
        for path, text in wanted.items():
            if not path.is_file() or path.read_text() != text:
                path.write_text(text)
    if not by_hand:
        return []
    return [f"{len(by_hand)} submission(s) did not come through nbgrader's exchange (no submission_secret.txt), so "
            f"`nbgrader release_feedback` releases their feedback under a secret no student holds: send "
            f"feedback/<student>/<assignment>/*.html to them another way ({', '.join(by_hand[:5])}"
            f"{', ...' if len(by_hand) > 5 else ''})."]


class Rebuilt(NamedTuple):
    rows: list[GradeRow]
    csv_path: Path
    report_path: Path
    late: dict[tuple[str, str], float]  # (student, assignment): the late penalty nbgrader's policy recorded
    notes: list[str] = []               # for the instructor (feedback the exchange cannot deliver)
    rendered: int = 0                   # feedback pages rendered in this run (the others had not changed)


def late_penalties(subs: dict[tuple, dict]) -> dict[tuple[str, str], float]:
    """(student, assignment) -> late penalty, for the submissions that have one (from :func:`autograde.record.submissions`)."""
    return {k: float(v["late_submission_penalty"]) for k, v in subs.items() if v.get("late_submission_penalty")}


def rebuild(course_dir: Path, workers: int = 1, force_feedback: bool = False, write_report: bool = True, client=None) -> Rebuilt:
    """Rebuild grades.csv, totals.csv, feedback and report.html from the record. Late penalties (nbgrader's, in the
    gradebook) are taken off in totals.csv, the feedback and the report; grades.csv keeps per-question scores.
    Feedback pages are rendered only where their content changed, on the Dask cluster when ``client`` is given."""
    stored = stored_results(course_dir)
    marks = record.marks(course_dir)
    raw = [GradeRow(**r) for data in stored for r in data["rows"]]
    rows = sorted(merge(raw, marks), key=lambda r: (r.student_id, r.assignment, r.notebook))
    rows_by_nb: dict[tuple, list[GradeRow]] = {}
    for r in rows:
        rows_by_nb.setdefault((r.student_id, r.assignment, r.notebook), []).append(r)
    csv_path = course.write_csv(rows, course_dir / "grades.csv")
    subs = record.submissions(course_dir)
    late = late_penalties(subs)
    write_totals(totals(rows, subs, record.assignments(course_dir)), course_dir / "totals.csv")

    from autograde.coursedir import settings

    partial = settings(course_dir).partial_credit   # the course's scoring rule, stated in every feedback page
    tasks, keys = _feedback_tasks(course_dir, stored, rows_by_nb, marks, force_feedback, late, partial)
    rendered = 0
    for task, html_text in render_feedback(course_dir, tasks, workers, client):
        out_path = feedback_path(course_dir, task["student_id"], task["assignment"], task["notebook"])
        out_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = out_path.with_name(out_path.name + ".part")
        tmp.write_text(html_text)
        os.replace(tmp, out_path)
        rendered += 1
    keys_path = course_dir / CACHE_DIR / "feedback-keys.json"
    keys_path.parent.mkdir(parents=True, exist_ok=True)
    keys_path.write_text(json.dumps(keys))
    notes = write_exchange_files(course_dir, stored)
    report_path = course_dir / "report.html"
    if write_report:   # its histograms are most of a nothing-changed run's time: drawn again only when a grade changed
        key, key_path = report.content_key(rows, late), course_dir / CACHE_DIR / "report-key.txt"
        if force_feedback or not report_path.exists() or not key_path.exists() or key_path.read_text() != key:
            report.write(rows, report_path, late)
            key_path.write_text(key)
    return Rebuilt(rows, csv_path, report_path, late, notes, rendered)
