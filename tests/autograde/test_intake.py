"""Intake: which folders are students, which notebook is graded, what the instructor is told, submission times.

One class is graded for real (unsandboxed: the sandbox is not what these tests are about) in a course
whose submissions are where ``nbgrader collect`` puts them (``COURSE/submitted/``), found without
naming them. Discovery's finer rules are tested on :func:`intake.discover` alone.
"""
from __future__ import annotations

import csv
import json
import datetime
import os
import re
import shutil

import nbformat
import pytest

from autograde import safetext, classroom, course, coursedir, samples
from autograde import intake as intake_stage  # the module; `intake` is the fixture below

ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
ON_TIME = "2026-03-01 09:30:00.000000 UTC"    # nbgrader's timestamp.txt format
LATE = "2026-03-09 18:00:00.000000 UTC"
DUE = datetime.datetime(2026, 3, 2, 12, 0, 0)


def _points(source_nb) -> dict[str, float]:
    nb = nbformat.read(str(source_nb), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def _score(rows, student):
    return {r.grade_id: r.score for r in rows if r.student_id == student and r.status not in ("manual", "graded")}


@pytest.fixture(scope="module")
def intake(tmp_path_factory, source_nb01, release_nb01):
    """A course with a due date and a 'zero' late policy, and a submitted/ folder full of real-life clutter."""
    course_dir = tmp_path_factory.mktemp("intake") / "course"
    classroom.ensure_course(course_dir, [ASSIGNMENT])
    (course_dir / "nbgrader_config.py").write_text(
        (course_dir / "nbgrader_config.py").read_text() + "c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    subs = course_dir / "submitted"
    solved = lambda: samples.solved(release_nb01, source_nb01)  # noqa: E731
    samples.write_submission(solved(), subs, "ada", ASSIGNMENT, NOTEBOOK)
    (subs / "ada" / ASSIGNMENT / "timestamp.txt").write_text(ON_TIME)
    samples.write_submission(solved(), subs, "late", ASSIGNMENT, NOTEBOOK)
    (subs / "late" / ASSIGNMENT / "timestamp.txt").write_text(LATE)
    samples.write_submission(solved(), subs, "bad_stamp", ASSIGNMENT, NOTEBOOK)
    (subs / "bad_stamp" / ASSIGNMENT / "timestamp.txt").write_text("the day before the deadline")
    # clutter that is no one's submission
    (subs / "__MACOSX" / ASSIGNMENT).mkdir(parents=True)
    (subs / "__MACOSX" / ASSIGNMENT / "._perceptron.ipynb").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X")
    samples.write_submission(solved(), subs, ".stash", ASSIGNMENT, NOTEBOOK)
    (subs / "__pycache__").mkdir()
    (subs / "notes.txt").write_text("who handed in late")
    (subs / "ada" / ASSIGNMENT / "._perceptron.ipynb").write_bytes(b"\x00\x05\x16\x07")  # AppleDouble beside the real one
    # a blank notebook under the expected name, the finished work in a Jupyter copy
    samples.write_submission(samples.untouched(release_nb01), subs, "copier", ASSIGNMENT, NOTEBOOK)
    samples.write_submission(solved(), subs, "copier", ASSIGNMENT, "perceptron-Copy1.ipynb")
    samples.write_submission(solved(), subs, "renamer", ASSIGNMENT, "Perceptron (1).ipynb")
    samples.write_submission(solved(), subs, "dasher", "01-perceptron", NOTEBOOK)
    opts = classroom.Options(workers=2, use_sandbox=False, progress=False, force=True)
    summary = classroom.grade_class(None, course_dir, opts)   # no SUBMISSIONS: the course's submitted/
    return {"summary": summary, "course": course_dir, "subs": subs, "opts": opts}


def test_submissions_default_to_the_courses_submitted_folder(intake):
    """With no SUBMISSIONS given, are the course's submitted/ folders (where nbgrader collect puts them) graded?"""
    students = {r.student_id for r in intake["summary"].rows}
    assert {"ada", "late", "copier", "renamer", "dasher"} <= students


def test_hidden_and_system_folders_are_not_students(intake):
    """Are __MACOSX, __pycache__, a dot-folder and a loose file kept out of the grades?"""
    students = {r.student_id for r in intake["summary"].rows}
    assert not students & {"__MACOSX", "__pycache__", ".stash", "notes.txt"}
    assert {r.student_id for r in course.read_csv(intake["summary"].csv_path)} == students


def test_every_skipped_entry_is_listed_with_a_reason(intake):
    """Is each skipped folder or file (the dot-prefixed ones too) in the summary, with why?"""
    skipped = dict(intake["summary"].skipped)
    assert "hidden" in skipped[".stash/"]
    assert "macOS" in skipped["__MACOSX/"]
    assert "cache" in skipped["__pycache__/"]
    assert "not a folder" in skipped["notes.txt"]
    assert "hidden" in skipped[f"ada/{ASSIGNMENT}/._perceptron.ipynb"]


def test_a_finished_copy_beside_a_blank_notebook_is_a_warning(intake):
    """A blank perceptron.ipynb and a finished perceptron-Copy1.ipynb: is the instructor told which was graded and what was not?"""
    rows = intake["summary"].rows
    assert sum(_score(rows, "copier").values()) == 0  # nbgrader's rule: the notebook with the source's name
    [w] = [w for w in intake["summary"].warnings if w.startswith(f"copier/{ASSIGNMENT}")]
    assert "perceptron-Copy1.ipynb" in w and "not graded" in w and f"rename it to {NOTEBOOK}" in w


def test_a_renamed_notebook_is_graded_and_reported(intake, source_nb01):
    """Is the only notebook, under another name, graded, and does the instructor's summary say so?"""
    assert _score(intake["summary"].rows, "renamer") == _points(source_nb01)
    assert any(w.startswith(f"renamer/{ASSIGNMENT}") and "'Perceptron (1).ipynb' in place of perceptron.ipynb" in w
               for w in intake["summary"].warnings)


def test_a_misspelt_assignment_folder_gets_a_did_you_mean(intake):
    """Is a folder 01-perceptron reported with 'did you mean 01_perceptron', and does the student's row say so too?"""
    assert any(w.startswith("dasher:") and "01-perceptron/" in w and f"did you mean {ASSIGNMENT}/" in w
               for w in intake["summary"].warnings)
    rows = [r for r in intake["summary"].rows if r.student_id == "dasher"]
    assert rows and all(r.status == "missing" for r in rows if r.status != "manual")
    assert "01-perceptron" in rows[0].message and f"rename it to {ASSIGNMENT}" in rows[0].message


def test_submission_times_reach_the_gradebook(intake):
    """Is timestamp.txt recorded as the submission's time in the gradebook, as nbgrader records it?"""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{intake['course'] / 'gradebook.db'}") as gb:
        assert gb.find_submission(ASSIGNMENT, "ada").timestamp == datetime.datetime(2026, 3, 1, 9, 30)
        late = gb.find_submission(ASSIGNMENT, "late")
        assert late.timestamp == datetime.datetime(2026, 3, 9, 18, 0)
        assert late.total_seconds_late == (datetime.datetime(2026, 3, 9, 18, 0) - DUE).total_seconds()


def test_unreadable_timestamp_is_a_warning(intake):
    """Is a timestamp.txt nbgrader cannot read a warning (the submission still graded), not a crash?"""
    assert any(w.startswith(f"bad_stamp/{ASSIGNMENT}/timestamp.txt") for w in intake["summary"].warnings)
    assert sum(_score(intake["summary"].rows, "bad_stamp").values()) > 0


def test_nbgraders_late_policy_applies(intake):
    """With a due date and LateSubmissionPlugin.penalty_method = 'zero', is the late notebook's penalty its score (nbgrader's AssignLatePenalties), and the punctual one's none?"""
    got = coursedir.apply_late_penalties(intake["course"], [(ASSIGNMENT, "late", "perceptron"), (ASSIGNMENT, "ada", "perceptron")])
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{intake['course'] / 'gradebook.db'}") as gb:
        late = gb.find_submission_notebook("perceptron", ASSIGNMENT, "late")
        assert late.score > 0 and late.late_submission_penalty == late.score
        assert got[(ASSIGNMENT, "late", "perceptron")] == late.score
    assert got[(ASSIGNMENT, "ada", "perceptron")] is None
    with Gradebook(f"sqlite:///{intake['course'] / 'gradebook.db'}") as gb:  # a penalty that no longer applies is cleared
        gb.find_submission_notebook("perceptron", ASSIGNMENT, "ada").late_submission_penalty = 3.0
        gb.db.commit()
    coursedir.apply_late_penalties(intake["course"], [(ASSIGNMENT, "ada", "perceptron")])
    with Gradebook(f"sqlite:///{intake['course'] / 'gradebook.db'}") as gb:
        assert gb.find_submission_notebook("perceptron", ASSIGNMENT, "ada").late_submission_penalty is None


def test_a_late_penalty_is_taken_off_everywhere_the_total_shows(intake):
    """With the 'zero' policy, does the late student's total read 0 in totals.csv, the feedback and report.html (each
    saying why), and does the summary list the penalty, while grades.csv keeps the per-question scores?"""
    from autograde import outputs, report

    course_dir, summary = intake["course"], intake["summary"]
    raw = sum(r.score or 0.0 for r in summary.rows if r.student_id == "late")
    assert raw > 0 and summary.late == {("late", ASSIGNMENT): raw}
    assert any(line.startswith("late penalties (1") and f"late/{ASSIGNMENT} −{raw:g}" in line
               for line in report.summary_lines(summary.rows, summary.late))
    with open(course_dir / "totals.csv", newline="") as fh:
        totals = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert float(totals["late"]["score"]) == 0.0 and float(totals["late"]["raw_score"]) == raw
    feedback = outputs.feedback_path(course_dir, "late", ASSIGNMENT, "perceptron").read_text()
    assert "score <b>0 / " in feedback and f"late penalty −{raw:g}" in feedback
    page = (course_dir / "report.html").read_text()   # the totals are JSON data the page draws as "0 / 16 (late −14)"
    data = json.loads(re.search(r"id='totals-data'>(.*?)</script>", page, re.S).group(1))
    late_row = next(row for row in data if row[0] == "late")
    assert late_row[1][0] == [0.0, sum(r.max_score for r in summary.rows if r.student_id == "late"), raw] and late_row[2] == 0.0
    assert sum(r.score or 0.0 for r in course.read_csv(summary.csv_path) if r.student_id == "late") == raw


def test_autograde_report_applies_a_due_date_changed_after_grading(intake, capsys):
    """Moved past the late submission's time, does `autograde report` (nothing re-graded) clear its penalty, and
    moved back, put it back, in totals.csv and the feedback?"""
    from nbgrader.api import Gradebook

    from autograde import cli, outputs

    def late_row():
        with open(intake["course"] / "totals.csv", newline="") as fh:
            return next(r for r in csv.DictReader(fh) if r["student_id"] == "late")

    def report_late_cell():   # the late student's cell of report.html's totals: [score, max, penalty]
        page = (intake["course"] / "report.html").read_text()
        data = json.loads(re.search(r"id='totals-data'>(.*?)</script>", page, re.S).group(1))
        return next(row for row in data if row[0] == "late")[1][0]

    feedback = outputs.feedback_path(intake["course"], "late", ASSIGNMENT, "perceptron")
    try:
        with Gradebook(f"sqlite:///{intake['course'] / 'gradebook.db'}") as gb:
            gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE + datetime.timedelta(days=30))
        assert cli.main(["report", "--course-dir", str(intake["course"])]) == 0
        row = late_row()
        assert float(row["late_submission_penalty"]) == 0.0 and float(row["score"]) == float(row["raw_score"]) > 0
        assert "late penalty" not in feedback.read_text() and "late penalties" not in capsys.readouterr().out
        assert report_late_cell() == [float(row["raw_score"]), float(row["max_score"]), 0.0]   # report.html drawn again
    finally:
        with Gradebook(f"sqlite:///{intake['course'] / 'gradebook.db'}") as gb:
            gb.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
        assert cli.main(["report", "--course-dir", str(intake["course"])]) == 0
    row = late_row()
    assert float(row["score"]) == 0.0 and float(row["late_submission_penalty"]) == float(row["raw_score"])
    assert "late penalty" in feedback.read_text() and "late penalties (1" in capsys.readouterr().out
    assert report_late_cell() == [0.0, float(row["max_score"]), float(row["raw_score"])]


def test_timestamps_are_on_the_jobs(intake, tmp_path):
    """Does discovery put each submission's time on its job (naive UTC, as nbgrader stores it)?"""
    from autograde.reference import course_root
    found = intake_stage.discover(intake["subs"], intake_stage._source_notebooks(course_root()), ["ada", "late", "copier"], {}, False)
    stamps = {j.student_id: j.timestamp for j in found.jobs if j.assignment == ASSIGNMENT}
    assert stamps == {"ada": datetime.datetime(2026, 3, 1, 9, 30), "late": datetime.datetime(2026, 3, 9, 18, 0), "copier": None}


# --- discovery alone (no grading) ---------------------------------------------------------------------------

@pytest.fixture
def sources():
    from autograde.reference import course_root
    return intake_stage._source_notebooks(course_root())


def _write(path, data=b"{}"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


# folder names that cannot be ids: markup (issue 15's folder-name payload), bytes that are not UTF-8, escape
# sequences, bidi overrides, formula starts, spaces, quotes
REFUSED_IDS = [b'<img src=x onerror="document.title+=\' RAN-\'+document.domain">', b"mallory\xff",
               b"esc\x1b]0;PWNED\x07", "bidi\u202eSSAP".encode(), b"=1+2", b"jane doe", b"o'brien", b"a&b", b"tab\tname"]


@pytest.mark.parametrize("name", REFUSED_IDS, ids=lambda b: repr(b)[:30])
def test_a_folder_name_that_cannot_be_a_student_id_is_skipped_with_the_rule(tmp_path, sources, release_nb01, name):
    """Is a folder whose name could carry markup or control characters into formgrader's pages skipped (never graded,
    never renamed), listed with why and what ids may hold, while a classmate is graded?"""
    root = os.fsencode(tmp_path)
    _write(root + b"/" + name + b"/" + ASSIGNMENT.encode() + b"/" + NOTEBOOK.encode(), release_nb01.read_bytes())
    samples.write_submission(samples.untouched(release_nb01), tmp_path, "alice", ASSIGNMENT, NOTEBOOK)
    found = intake_stage.discover(tmp_path, sources, None, {}, False)
    assert {j.student_id for j in found.jobs} == {"alice"}
    [(shown, why)] = [(n, w) for n, w in found.skipped if n != "alice/"]
    assert "cannot be a student id" in why and "letters, digits" in why and "Rename the folder" in why
    assert shown == safetext.printable(shown) and shown.encode("utf-8")  # shown escaped in the terminal, never raw


@pytest.mark.parametrize("name", ["jane.doe@uni.edu", "anne-marie", "josé", "jose\u0301", "user+tag", "s_123", "Ωmega", "李雷"])
def test_ids_that_people_and_hubs_use_are_accepted(tmp_path, sources, release_nb01, name):
    """Are ids with letters of any script, digits and . _ - @ + (JupyterHub and LMS user names) graded as they are?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path, name, ASSIGNMENT, NOTEBOOK)
    found = intake_stage.discover(tmp_path, sources, None, {}, False)
    assert [j.student_id for j in found.jobs if j.assignment == ASSIGNMENT] == [name] and not found.skipped


def test_ids_that_look_alike_are_a_warning(tmp_path, sources, release_nb01):
    """Are 'alice' and 'аlice' (a Cyrillic а) both graded, with a warning that they read the same in every listing?"""
    for sid in ("alice", "\u0430lice", "bob"):
        samples.write_submission(samples.untouched(release_nb01), tmp_path, sid, ASSIGNMENT, NOTEBOOK)
    found = intake_stage.discover(tmp_path, sources, None, {}, False)
    assert {j.student_id for j in found.jobs} == {"alice", "\u0430lice", "bob"}
    [warning] = [w for w in found.warnings if "look alike" in w]
    assert "'alice'" in warning and "'\u0430lice'" in warning and "bob" not in warning


def test_a_timestamp_zone_that_is_a_path_is_never_looked_up(tmp_path, sources, release_nb01, monkeypatch):
    """Is a timestamp.txt whose zone is a file path ('/etc/shadow') refused before nbgrader's parse_utc hands it to
    dateutil's gettz (which opens the path), with a warning, while an IANA zone name still works?"""
    import dateutil.tz

    asked = []
    real = dateutil.tz.gettz
    monkeypatch.setattr(dateutil.tz, "gettz", lambda name=None: asked.append(name) or real(name))
    for sid, stamp in (("mallory", "2026-01-01 00:00:00 /etc/shadow"), ("ada", "2026-03-01 10:30:00 Europe/Paris")):
        samples.write_submission(samples.untouched(release_nb01), tmp_path, sid, ASSIGNMENT, NOTEBOOK)
        (tmp_path / sid / ASSIGNMENT / "timestamp.txt").write_text(stamp)
    found = intake_stage.discover(tmp_path, sources, None, {}, False)
    stamps = {j.student_id: j.timestamp for j in found.jobs}
    assert stamps == {"mallory": None, "ada": datetime.datetime(2026, 3, 1, 9, 30)}
    assert "/etc/shadow" not in asked and "Europe/Paris" in asked
    assert any(w.startswith(f"mallory/{ASSIGNMENT}/timestamp.txt") and "time zone" in w for w in found.warnings)


def test_a_non_utf8_notebook_name_is_graded_under_a_printable_name(tmp_path, sources, release_nb01):
    """The only notebook is perceptron<0xff>.ipynb: is it read, named printably, and does its job have a key?"""
    root = os.fsencode(tmp_path)
    _write(root + b"/eve/" + ASSIGNMENT.encode() + b"/perceptron\xff.ipynb", release_nb01.read_bytes())
    [job] = [j for j in intake_stage.discover(tmp_path, sources, None, {}, False).jobs if j.assignment == ASSIGNMENT]
    assert job.submitted_name == "perceptron\\xff.ipynb" and job.submission is not None
    assert len(job.key()) == 64


def test_hard_links_are_refused_like_symlinks(tmp_path):
    """Is a file with a second name (a hard link) refused before it is read, saying what to hand in instead?"""
    original = tmp_path / "source.ipynb"
    original.write_text("{}")
    os.link(original, tmp_path / "link.ipynb")
    with pytest.raises(ValueError, match="hard link.*hand in a copy"):
        intake_stage._read_regular(tmp_path / "link.ipynb", 2**20)
    shutil.copy(original, tmp_path / "copy.ipynb")
    assert intake_stage._read_regular(tmp_path / "copy.ipynb", 2**20) == b"{}"


def test_a_notebook_outside_any_assignment_folder_is_a_warning(tmp_path, sources, release_nb01):
    """A notebook handed in straight into the student folder: is the instructor told where it belongs?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path, "ada", ASSIGNMENT, NOTEBOOK)
    shutil.copy(release_nb01, tmp_path / "ada" / NOTEBOOK)
    samples.write_submission(samples.untouched(release_nb01), tmp_path, "bo", ".", NOTEBOOK)
    found = intake_stage.discover(tmp_path, sources, None, {}, False)
    assert any(w.startswith("bo:") and f"bo/{ASSIGNMENT}/" in w for w in found.warnings)
    [bo] = [j for j in found.jobs if j.student_id == "bo" and j.assignment == ASSIGNMENT]
    assert f"move it into {ASSIGNMENT}/" in bo.problem


def test_no_known_assignment_suggests_the_near_miss(tmp_path, sources, release_nb01):
    """When every student's folder is misspelt, does the error say which folder looks like which assignment?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path, "ada", "01_Perceptron (1)", NOTEBOOK)
    with pytest.raises(ValueError, match=r"ada/01_Perceptron \(1\)/ looks like 01_perceptron/"):
        intake_stage.discover(tmp_path, sources, None, {}, False)


# --- names and text made safe (autograde.safetext) ----------------------------------------------------------

def test_printable_shows_escape_sequences_instead_of_running_them():
    """Do OSC/CSI sequences, BEL, CR, newlines and bidi overrides come out as visible backslash escapes?"""
    from autograde.safetext import printable

    text = printable("\x1b]0;PWNED\x07\x1b]52;c;SGVsbG8=\x07\x1b[2K\rALL GOOD\x1b[8m\n\u202eevil\u2066\x9b")
    assert text == "\\x1b]0;PWNED\\x07\\x1b]52;c;SGVsbG8=\\x07\\x1b[2K\\x0dALL GOOD\\x1b[8m\\x0a\\u202eevil\\u2066\\x9b"
    assert text.isprintable() and printable(text) == text   # idempotent: every layer may apply it
    assert printable("Ünïcødé ok, 中文, emoji 🙂") == "Ünïcødé ok, 中文, emoji 🙂"
    assert printable("x" * 50, 10) == "x" * 9 + "…"


def test_safe_name_is_valid_utf8_and_fits_a_file_name():
    """Is a name with undecodable bytes escaped to valid UTF-8, and a very long one cut with a hash that keeps names apart?"""
    from autograde.safetext import MAX_NAME_BYTES, safe_name

    assert safe_name(os.fsdecode(b"mallory\xff")) == "mallory\\xff" == safe_name(b"mallory\xff")
    assert safe_name("plain") == "plain"
    long_a, long_b = safe_name(b"\xff" * 250 + b"a"), safe_name(b"\xff" * 250 + b"b")
    assert long_a != long_b and len(long_a.encode()) <= MAX_NAME_BYTES and safe_name(long_a) == long_a


@pytest.mark.parametrize("value", ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "'=already quoted", "'plain", "plain", "a=b"])
def test_spreadsheet_cells_round_trip(value):
    """Is a cell that starts like a formula (OWASP: = + - @ tab CR) or with a quote guarded by a quote, and read back exactly?"""
    from autograde.safetext import from_spreadsheet_cell, spreadsheet_cell

    cell = spreadsheet_cell(value)
    assert cell[0] not in "=+-@\t\r"
    assert cell == value if value[0] not in "=+-@\t\r'" else cell == "'" + value
    assert from_spreadsheet_cell(cell) == value


def test_grades_csv_round_trips_formula_ids(tmp_path):
    """Do write_csv/read_csv keep a student id like '=1+2' (quoted in the file) and make a message printable?"""
    rows = [course.GradeRow("=1+2", ASSIGNMENT, "perceptron", "test_step", 1.0, 1.0, "ok", "-\x1b[2Kx"),
            course.GradeRow("'quoted", ASSIGNMENT, "perceptron", "test_step", None, 1.0, "manual", "", "", "=instructor")]
    path = course.write_csv(rows, tmp_path / "grades.csv")
    text = path.read_text()
    assert "'=1+2" in text and "'-\\x1b[2Kx" in text and "\x1b" not in text
    back = course.read_csv(path)
    assert [r.student_id for r in back] == ["=1+2", "'quoted"]
    assert back[0].message == "-\\x1b[2Kx" and back[1].comment == "=instructor"
