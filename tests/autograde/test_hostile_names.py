"""Hostile names and text, graded in one sandboxed class beside two honest students (issues 11 and 15).

Names on disk need not be valid UTF-8 or printable, and what a student names or raises reaches the
gradebook, grades.csv, feedback paths, the cache, formgrader's pages and the instructor's terminal.
A student folder whose name cannot be a student id (markup, escape sequences, bidi overrides, bytes
that are not UTF-8, a formula) is skipped with the reason, never graded under another name and never
recorded. Every other attacker hands in an honest notebook (or one with a hostile exception message or
file name) and must get exactly its honest points; the class must finish, the honest students be
untouched, and a re-run without --force reuse everything.
"""
from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, course, samples

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
LIMITS = {"cell_timeout": 8.0, "notebook_timeout": 30.0}   # as the hostile class of test_attacks.py
ESCAPES = "\x1b]0;PWNED\x07\x1b]52;c;SGVsbG8=\x07\x1b[2K\rALL GOOD\x1b[8m"   # title, clipboard, erase line, hide text
# what must never reach a terminal or a spreadsheet: C0/C1 controls (newline aside), bidi overrides and isolates
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# student id (as recorded) -> the graded ids whose points it earns honestly ("all", or all but these)
ATTACKERS = {
    "eve": "all",                                # its only notebook is named perceptron<0xff>.ipynb
    "raiser": ["test_relu"],                     # its relu raises an exception whose message is escape sequences
    "linker": None,                              # a hard link to the course's source notebook: refused, no points
}
# folder names that cannot be student ids (as shown, escaped, in the list of what was not graded)
REFUSED = {
    b"mallory\xff": "mallory\\xff",                                   # the byte 0xff (not UTF-8)
    b"esc\x1b]0;PWNED\x07\x1b[8m": "esc\\x1b]0;PWNED\\x07\\x1b[8m",      # terminal escape sequences
    "bidi\u202eSSAP".encode(): "bidi\\u202eSSAP",                     # a right-to-left override
    b"=1+2": "=1+2",                                                  # names a spreadsheet would run as formulas
    b"@SUM(1,2)": "@SUM(1,2)",
    b'<img src=x onerror="document.title+=\' RAN-\'+document.domain">':  # markup for formgrader's pages (issue 15)
        '<img src=x onerror="document.title+=\' RAN-\'+document.domain">',
}


def _points(source_nb) -> dict[str, float]:
    nb = nbformat.read(str(source_nb), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def _score(rows, student):
    return {r.grade_id: r.score for r in rows if r.student_id == student and r.status not in ("manual", "graded")}


def _bytes_path(base: Path, *parts: bytes) -> bytes:
    return b"/".join([os.fsencode(base), *parts])


@pytest.fixture(scope="module")
def named_class(tmp_path_factory, source_nb01, release_nb01):
    root = tmp_path_factory.mktemp("names")
    subs, course_dir = root / "submitted", root / "course"
    classroom.ensure_course(course_dir, [ASSIGNMENT])
    solved = lambda: samples.solved(release_nb01, source_nb01)  # noqa: E731
    solved_bytes = nbformat.writes(solved()).encode()
    samples.write_submission(solved(), subs, "honest", ASSIGNMENT, NOTEBOOK)
    samples.write_submission(samples.with_answers(solved(), samples.BUGGY_01), subs, "honest_buggy", ASSIGNMENT, NOTEBOOK)
    for folder, name in [*((f, NOTEBOOK.encode()) for f in REFUSED), (b"eve", b"perceptron\xff.ipynb")]:
        os.makedirs(_bytes_path(subs, folder, ASSIGNMENT.encode()))
        with open(_bytes_path(subs, folder, ASSIGNMENT.encode(), name), "wb") as fh:
            fh.write(solved_bytes)
    samples.write_submission(samples.with_answers(solved(), {"relu": f"def relu(z):\n    raise ValueError({ESCAPES!r})\n"}),
                             subs, "raiser", ASSIGNMENT, NOTEBOOK)
    (subs / "linker" / ASSIGNMENT).mkdir(parents=True)
    os.link(course_dir / "source" / ASSIGNMENT / NOTEBOOK, subs / "linker" / ASSIGNMENT / NOTEBOOK)  # same disk as the course
    opts = classroom.Options(workers=2, limits=LIMITS, progress=False, force=True)
    summary = classroom.grade_class(subs, course_dir, opts)
    return {"summary": summary, "rows": summary.rows, "course": course_dir, "subs": subs, "opts": opts}


def test_the_class_finishes_with_every_student_under_a_printable_id(named_class):
    """Does every student, whatever its folder is named, get rows under a printable UTF-8 id (and no one else)?"""
    ids = {r.student_id for r in named_class["rows"]}
    assert ids == {"honest", "honest_buggy", *ATTACKERS}  # the refused folders have no rows (they are listed as skipped)
    for sid in ids:
        sid.encode("utf-8")
        assert not CONTROL.search(sid)
    assert {r.student_id for r in course.read_csv(named_class["summary"].csv_path)} == ids


def test_honest_students_are_untouched(named_class, source_nb01):
    """Do the honest students get exactly their points beside these classmates?"""
    points = _points(source_nb01)
    assert _score(named_class["rows"], "honest") == points
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    assert _score(named_class["rows"], "honest_buggy") == {g: (0.0 if g in lost else p) for g, p in points.items()}


@pytest.mark.parametrize("student", sorted(ATTACKERS))
def test_each_attacker_gets_exactly_its_honest_points(named_class, source_nb01, student):
    """Does a hostile name or message earn exactly what the notebook's honest answers earn?"""
    points = _points(source_nb01)
    spec = ATTACKERS[student]
    earned = {} if spec is None else points if spec == "all" else {g: p for g, p in points.items() if g not in spec}
    got = _score(named_class["rows"], student)
    assert {g: got.get(g) for g in points} == {g: earned.get(g, 0.0) for g in points}, \
        [(r.grade_id, r.status, r.message[:200]) for r in named_class["rows"] if r.student_id == student and r.status != "ok"]


def test_a_hard_linked_solution_is_refused_and_never_shown(named_class):
    """Is a hard link to the course's source notebook invalid, with a reason, and is no solution code in its feedback?"""
    rows = [r for r in named_class["rows"] if r.student_id == "linker"]
    assert rows and all(r.status == "invalid" and not r.score for r in rows)
    assert "hard link" in rows[0].message
    files = list((named_class["course"] / "feedback" / "linker").rglob("*.html"))
    assert files
    for f in files:
        assert "BEGIN SOLUTION" not in f.read_text() and "np.heaviside" not in f.read_text()


def test_a_non_utf8_notebook_name_is_graded_and_named_printably(named_class):
    """Is the only notebook perceptron<0xff>.ipynb graded (not 'crashed'), and the instructor told its printable name?"""
    assert {r.status for r in named_class["rows"] if r.student_id == "eve"} <= {"ok", "manual"}
    assert any(w.startswith(f"eve/{ASSIGNMENT}") and "perceptron\\xff.ipynb" in w for w in named_class["summary"].warnings)


def test_a_name_that_cannot_be_an_id_is_listed_as_not_graded_with_the_rule(named_class):
    """Is every folder whose name cannot be a student id listed as not graded, escaped, with the reason and the rule?"""
    skipped = dict(named_class["summary"].skipped)
    for shown in REFUSED.values():
        why = skipped[shown + "/"]
        assert "cannot be a student id" in why and "letters, digits" in why and "Rename the folder" in why


def test_nothing_is_recorded_under_a_refused_name(named_class):
    """Does no refused folder reach the gradebook's students, autograded/, feedback/ or the cache (so no formgrader
    page ever shows its name)?"""
    from nbgrader.api import Gradebook

    course_dir = named_class["course"]
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        ids = {s.id for s in gb.students}
    assert ids == {"honest", "honest_buggy", *ATTACKERS}
    for folder in ("autograded", "feedback", ".autograde/cache"):
        assert {p.name for p in (course_dir / folder).iterdir()} == ids, folder


def test_grades_csv_is_text_a_spreadsheet_will_not_run(named_class):
    """Is grades.csv valid UTF-8 with no control character in any cell, and is every cell that starts like a formula quoted, and read back as it was?"""
    raw = named_class["summary"].csv_path.read_bytes().decode("utf-8")
    cells = [c for row in csv.reader(io.StringIO(raw, newline="")) for c in row]
    assert not [c for c in cells if CONTROL.search(c)]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    raiser = [r for r in course.read_csv(named_class["summary"].csv_path) if r.student_id == "raiser" and r.grade_id == "test_relu"]
    assert raiser and "\\x1b]0;PWNED\\x07" in raiser[0].message and raiser[0].status == "error"


def test_the_table_is_printable(named_class):
    """Does the per-question table show the hostile exception message escaped, with no control character?"""
    table = course.format_table(named_class["rows"])
    assert not CONTROL.search(table.replace("\n", ""))
    assert set(ATTACKERS) <= set(table.split("\n")[0].split())


def test_a_rerun_reuses_every_result_and_prints_nothing_raw(named_class):
    """Run again from the shell without --force: nothing re-graded, the same grades, and not one control character on the terminal?"""
    before = sorted(tuple(r.as_dict().values()) for r in course.read_csv(named_class["summary"].csv_path))
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([str(exe), "grade", str(named_class["subs"]), "--course-dir", str(named_class["course"]), "--table",
                           "--no-progress", "--cell-timeout", "8", "--notebook-timeout", "30"],
                          capture_output=True, text=True, timeout=600, errors="surrogateescape")
    assert proc.returncode == 0, proc.stderr
    n = len({(r.student_id, r.notebook) for r in named_class["rows"]})
    assert f"graded 0 notebook(s), {n} unchanged" in proc.stdout
    assert not CONTROL.search(proc.stdout.replace("\n", "")) and not CONTROL.search(proc.stderr.replace("\n", ""))
    assert "esc\\x1b]0;PWNED\\x07\\x1b[8m/" in proc.stdout and "bidi\\u202eSSAP/" in proc.stdout  # listed, escaped
    after = sorted(tuple(r.as_dict().values()) for r in course.read_csv(named_class["summary"].csv_path))
    assert after == before
