"""Grades for a learning-management system: one row per student, one column per assignment.

    autograde export --course-dir COURSE --format canvas|moodle|wide [--output FILE]

``totals.csv`` is nbgrader's long format (a row per student and assignment). An LMS import wants one row per
student, a column per assignment, an identifier the LMS knows, and "not submitted" told apart from a real 0.
The numbers are those of ``totals.csv`` (written answers in, nbgrader's late penalty out); the people are
nbgrader's student table (``nbgrader db student add --lms-user-id ...``, or ``nbgrader db student import``).

- ``canvas`` — the layout of a Canvas gradebook export, which its gradebook import reads back: ``Student``
  ("Last, First"), ``ID`` (the Canvas user id: nbgrader's ``lms_user_id``), ``SIS User ID``, ``SIS Login ID``
  (the nbgrader id, the login a hub shares with the LMS), ``Section``, then one column per assignment, and a
  second row ``Points Possible`` with each assignment's maximum. A blank cell is no grade (Canvas leaves it
  ungraded), so a student who handed nothing in is blank, and a real 0 is ``0``.
- ``moodle`` — the columns of a Moodle grade export (``First name``, ``Last name``, ``ID number``, ``Username``,
  ``Email address``, then one per assignment), for Moodle's CSV grade import, which maps a user by ``ID number``
  (``lms_user_id``), username or email, and reads ``-`` as no grade (``grade/import/csv``: ``'' or '-'`` → null).
- ``wide`` — for a spreadsheet: ``student_id``, ``lms_user_id``, names, email, one column per assignment
  (blank: not submitted), ``total``, ``max_total`` and ``not_submitted`` (the assignments not handed in, by name).

Every text cell a spreadsheet would run as a formula is quoted (:func:`autograde.safetext.spreadsheet_cell`);
student ids never start like one (:func:`autograde.safetext.student_id_problem`).
"""
from __future__ import annotations

import csv
from pathlib import Path

from autograde.outputs import NOT_SUBMITTED

FORMATS = ("canvas", "moodle", "wide")


def wide_table(totals: list[dict], people: list[dict]) -> tuple[list[str], list[dict]]:
    """Assignments (in order) and one record per student: identity, and per assignment its score or None (not submitted).

    ``totals`` are :func:`autograde.outputs.totals` rows; ``people`` the gradebook's students (id, names, email,
    lms_user_id)."""
    assignments = sorted({t["assignment"] for t in totals})
    maxima = {}
    by_student: dict[str, dict] = {}
    info = {p["student_id"]: p for p in people}
    for t in totals:
        sid = t["student_id"]
        rec = by_student.setdefault(sid, {"student_id": sid, "scores": {}, **{k: (info.get(sid, {}).get(k) or "") for k in
                                                                             ("last_name", "first_name", "email", "lms_user_id")}})
        rec["scores"][t["assignment"]] = None if t.get("status") == NOT_SUBMITTED else float(t["score"])
        maxima[t["assignment"]] = max(maxima.get(t["assignment"], 0.0), float(t["max_score"]))
    for rec in by_student.values():
        for a in assignments:
            rec["scores"].setdefault(a, None)
    return [(a, maxima.get(a, 0.0)) for a in assignments], [by_student[s] for s in sorted(by_student)]


def _text(value) -> str:
    from autograde.safetext import printable, spreadsheet_cell

    return spreadsheet_cell(printable(value)) if value else ""


def _num(x: float) -> str:
    return f"{x:g}"


def rows_for(fmt: str, assignments: list[tuple[str, float]], students: list[dict]) -> list[list[str]]:
    """The CSV rows (header first) of one format (see the module docstring)."""
    names = [a for a, _ in assignments]
    if fmt == "canvas":
        out = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *names],
               ["Points Possible", "", "", "", "", *(_num(m) for _, m in assignments)]]
        for s in students:
            shown = ", ".join(x for x in (s["last_name"], s["first_name"]) if x) or s["student_id"]
            out.append([_text(shown), _text(s["lms_user_id"]), "", s["student_id"], "",
                        *("" if s["scores"][a] is None else _num(s["scores"][a]) for a in names)])
        return out
    if fmt == "moodle":
        out = [["First name", "Last name", "ID number", "Username", "Email address", *names]]
        for s in students:
            out.append([_text(s["first_name"]), _text(s["last_name"]), _text(s["lms_user_id"]), s["student_id"], _text(s["email"]),
                        *("-" if s["scores"][a] is None else _num(s["scores"][a]) for a in names)])
        return out
    if fmt == "wide":
        out = [["student_id", "lms_user_id", "last_name", "first_name", "email", *names, "total", "max_total", "not_submitted"]]
        total_max = sum(m for _, m in assignments)
        for s in students:
            scores = [s["scores"][a] for a in names]
            out.append([s["student_id"], _text(s["lms_user_id"]), _text(s["last_name"]), _text(s["first_name"]), _text(s["email"]),
                        *("" if x is None else _num(x) for x in scores), _num(sum(x or 0.0 for x in scores)), _num(total_max),
                        " ".join(a for a, x in zip(names, scores) if x is None)])
        return out
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


def export(course_dir: Path, fmt: str, output: Path | None = None) -> tuple[Path, list[str]]:
    """Write the course's grades in ``fmt`` to ``output`` (default ``COURSE/grades-<fmt>.csv``); returns the path
    and notes for the instructor (students whose written answers still wait for a grade)."""
    from autograde import record, outputs

    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    stored = outputs.stored_results(course_dir)
    marks = record.marks(course_dir)
    rows = outputs.merge([outputs.GradeRow(**r) for d in stored for r in d["rows"]], marks)
    subs = record.submissions(course_dir)
    known = record.assignments(course_dir)
    totals = outputs.totals(rows, subs, known)
    assignments, students = wide_table(totals, known[1])
    output = Path(output) if output else Path(course_dir) / f"grades-{fmt}.csv"
    with open(output, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows_for(fmt, assignments, students))
    waiting = sorted({(t["student_id"], t["assignment"]) for t in totals if t["awaiting_manual_grading"]})
    notes = []
    if waiting:
        notes.append(f"{len(waiting)} submission(s) have written answers not graded yet, so their scores are not final "
                     f"(first: {', '.join(f'{s}/{a}' for s, a in waiting[:5])}): grade them in formgrader, run "
                     f"`autograde report`, then export again.")
    return output, notes
