"""The course on real nbgrader: list assignments, release them, run plain ``nbgrader autograde``, read grades.

A *course work directory* (``--course-dir``) is an nbgrader course root outside the repository:
``source/`` (a copy of ``solutions/``), ``release/``, ``submitted/<student>/<assignment>/``,
``autograded/``, ``feedback/`` and ``gradebook.db``. The repository itself uses ``solutions/`` and
``notebooks/`` as nbgrader's source and release folders (``nbgrader_config.py``).
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class CourseError(RuntimeError):
    """An nbgrader step failed; the message holds nbgrader's own output."""


def assignments(root: Path = REPO, source: str = "solutions") -> list[str]:
    """Assignment ids (folders holding a notebook) under ``root/source``, sorted."""
    folder = root / source
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def nbgrader(args: list[str], root: Path, *, env: dict | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run ``python -m nbgrader ARGS`` with ``root`` as the course root; returns the finished process."""
    # `python -m nbgrader` without the start-up work that changes nothing here (autograde.startup: 3 s of
    # jsonschema's IRI grammar, and a subprocess of its own for alembic's head revision when a gradebook is made)
    from autograde.startup import NBGRADER_MAIN

    cmd = [sys.executable, "-c", NBGRADER_MAIN, *args, f"--CourseDirectory.root={root}"]
    # nbgrader shells out to `alembic` and starts kernels by name: the venv's bin must come first on PATH
    bin_dir = str(Path(sys.executable).parent)
    full_env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), **(env or {})}
    return subprocess.run(cmd, cwd=root, env=full_env, capture_output=True, text=True, timeout=timeout)


def release(root: Path = REPO, source: str = "solutions", release_dir: str = "notebooks",
            only: list[str] | None = None) -> list[Path]:
    """``nbgrader generate_assignment`` for every assignment: ``root/source`` -> ``root/release_dir``.

    The gradebook nbgrader insists on is a throw-away file, so releasing never touches a course's grades.
    """
    every = assignments(root, source)
    wanted = only or every
    with tempfile.TemporaryDirectory(prefix="nncourse-release-") as tmp:
        # nbgrader takes the assignment id as a glob: "*" releases all of them in one process (9 s for seven
        # notebooks, 28 s one by one: each run starts nbgrader and alembic again)
        for pattern in ["*"] if set(wanted) == set(every) else wanted:
            proc = nbgrader(["generate_assignment", pattern, "--force",
                             f"--CourseDirectory.source_directory={source}",
                             f"--CourseDirectory.release_directory={release_dir}",
                             f"--CourseDirectory.db_url=sqlite:///{tmp}/release.db"], root)
            if proc.returncode != 0:
                raise CourseError(f"nbgrader generate_assignment {pattern} failed:\n{proc.stdout}\n{proc.stderr}")
    return [p for assignment in wanted for p in sorted((root / release_dir / assignment).glob("*.ipynb"))]


def nbgrader_autograde(course_dir: Path, assignment: str, *, env: dict | None = None) -> subprocess.CompletedProcess:
    """Plain ``nbgrader autograde`` of one assignment, every submitted student (the peer we measure against)."""
    return nbgrader(["autograde", assignment, "--force"], course_dir, env={"NBCOURSE_GRADING": "1", **(env or {})})


@dataclass
class GradeRow:
    student_id: str
    assignment: str
    notebook: str
    grade_id: str
    score: float | None   # None: a written answer awaiting manual grading (blank in grades.csv)
    max_score: float
    status: str
    message: str = ""
    diagnosis: str = ""   # the known mistake(s) the answer reproduces (ids), empty when none applies
    comment: str = ""     # the instructor's comment from formgrader

    FIELDS = ("student_id", "assignment", "notebook", "grade_id", "score", "max_score", "status", "message", "diagnosis", "comment")

    def as_dict(self) -> dict:
        return {f: getattr(self, f) for f in self.FIELDS}


def gradebook_rows(course_dir: Path, assignment: str) -> list[GradeRow]:
    """Per-question grades of every submission in the gradebook (nbgrader's export has totals only)."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        asg = gb.find_assignment(assignment)
        for student in sorted(s.id for s in gb.students):
            for nb in asg.notebooks:
                for cell in nb.grade_cells:
                    try:
                        grade = gb.find_grade(cell.name, nb.name, assignment, student)
                    except MissingEntry:
                        rows.append(GradeRow(student, assignment, nb.name, cell.name, 0.0, cell.max_score, "missing",
                                             "no graded submission (nbgrader dropped it or it was never submitted)"))
                        continue
                    if cell.cell_type == "markdown" and grade.manual_score is None:
                        status = "manual"  # a written answer: an instructor grades it (0 now if left unanswered)
                    elif grade.score >= grade.max_score:
                        status = "ok"
                    else:
                        status = "failed"
                    rows.append(GradeRow(student, assignment, nb.name, cell.name, float(grade.score or 0.0),
                                         float(grade.max_score), status))
    return rows


_STUDENT_TEXT = ("student_id", "message")   # fields that carry what a student named or raised


def write_csv(rows: list[GradeRow], path: Path) -> Path:
    """``grades.csv``, safe to open in a spreadsheet and to print.

    Student-controlled text (ids, messages quoting exceptions) is made printable (control characters and
    escape sequences shown as ``\\x1b``), and every text cell that a spreadsheet would run as a formula
    (one starting with ``= + - @``, a tab or a carriage return; OWASP's CSV-injection rule) or that starts
    with a single quote gets a single quote in front. :func:`read_csv` removes it again, so the values read
    back are the values written (control characters stay escaped).
    """
    from autograde.safetext import printable, spreadsheet_cell

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=GradeRow.FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_cell(printable(v) if k in _STUDENT_TEXT else v) if isinstance(v, str) else v
                             for k, v in row.as_dict().items()})
    return path


def read_csv(path: Path) -> list[GradeRow]:
    """The rows of a ``grades.csv`` written by :func:`write_csv` (its formula-guard quotes removed)."""
    from autograde.safetext import from_spreadsheet_cell as text

    with open(path, newline="", encoding="utf-8") as fh:
        return [GradeRow(text(r["student_id"]), text(r["assignment"]), text(r["notebook"]), text(r["grade_id"]),
                         float(r["score"]) if r["score"] != "" else None, float(r["max_score"]), text(r["status"]),
                         text(r.get("message") or ""), text(r.get("diagnosis") or ""), text(r.get("comment") or ""))
                for r in csv.DictReader(fh)]


def format_table(rows: list[GradeRow], late: dict[tuple[str, str], float] | None = None) -> str:
    """One line per graded item, one column per student; totals at the bottom, late penalties (nbgrader's, by
    (student, assignment)) taken off the total as totals.csv does (per assignment, never below 0).

    Student ids (and every other name) are shown printable (:func:`autograde.safetext.printable`): a folder
    name holding escape sequences cannot act on the instructor's terminal.
    """
    from dataclasses import replace

    from autograde.safetext import printable

    rows = [replace(r, student_id=printable(r.student_id), notebook=printable(r.notebook),  # keys: never cut
                    grade_id=printable(r.grade_id), status=printable(r.status, 20)) for r in rows]
    students = sorted({r.student_id for r in rows})
    items = list(dict.fromkeys((r.notebook, r.grade_id) for r in rows))
    by = {(r.student_id, r.notebook, r.grade_id): r for r in rows}
    width = max([len(s) for s in students] + [9])
    written = {(r.notebook, r.grade_id) for r in rows if r.status in ("manual", "graded")}  # graded by hand: not in the autograded total
    late = {(printable(st), a): p for (st, a), p in (late or {}).items() if p}
    total_label = ("total (with written)" if written else "total") + (", after late penalties" if late else "")
    name_w = max([len(f"{nb}/{g}") for nb, g in items] + [len("autograded total"), len(total_label)])
    lines = [f"{'item':<{name_w}}  " + "  ".join(f"{s:>{width}}" for s in students)]
    for nb, g in items:
        cells = []
        for s in students:
            r = by.get((s, nb, g))
            if r is None:
                cells.append(f"{'-':>{width}}")
            elif r.status == "manual" or r.score is None:
                cells.append(f"{'manual':>{width}}")
            elif r.status == "graded":  # a written answer graded by hand in formgrader
                cells.append(f"{f'{r.score:g}/{r.max_score:g} hand':>{width}}")
            else:
                mark = "" if r.status == "ok" else ("" if r.status == "failed" else f" {r.status}")
                cells.append(f"{f'{r.score:g}/{r.max_score:g}{mark}':>{width}}")
        lines.append(f"{f'{nb}/{g}':<{name_w}}  " + "  ".join(cells))
    mine: dict[str, list[GradeRow]] = {}
    for r in rows:
        mine.setdefault(r.student_id, []).append(r)
    auto = [[r for r in mine[s] if (r.notebook, r.grade_id) not in written] for s in students]
    lines.append(f"{'autograded total':<{name_w}}  " + "  ".join(
        f"{f'{sum(r.score for r in a):g}/{sum(r.max_score for r in a):g}':>{width}}" for a in auto))
    if late:
        owed: dict[str, float] = {}
        for (st, _), p in late.items():
            owed[st] = owed.get(st, 0.0) + p
        lines.append(f"{'late penalties':<{name_w}}  " + "  ".join(
            f"{('-' + format(owed[s], 'g')) if s in owed else '':>{width}}" for s in students))
    if written or late:
        totals = []
        for s in students:
            per_assignment: dict[str, list[float]] = {}
            for r in mine[s]:
                acc = per_assignment.setdefault(r.assignment, [0.0, 0.0])
                acc[0] += r.score or 0.0
                acc[1] += r.max_score
            got = sum(max(0.0, raw - late.get((s, a), 0.0)) for a, (raw, _) in per_assignment.items())
            totals.append(f"{f'{got:g}/{sum(m for _, m in per_assignment.values()):g}':>{width}}")
        lines.append(f"{total_label:<{name_w}}  " + "  ".join(totals))
    return "\n".join(lines)
