"""What a term needs from the outputs (issue 16): feedback nbgrader's exchange can release, non-submissions that stay
non-submissions, late penalties in every total, the partial-credit rule stated and configurable, and an LMS export.

One class over two assignments (01 and 06) is graded for real (unsandboxed: the sandbox is not what these tests are
about) from the course's submitted/ folder, laid out as `nbgrader collect` leaves it (timestamp.txt and
submission_secret.txt beside each notebook). The end-to-end term with real Unix users and nbgrader's exchange is
tests/autograde/test_exchange_term.py.
"""
from __future__ import annotations

import csv
import datetime
import html
import io
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, course, coursedir, export, outputs, samples
from autograde.reference import course_root

pytestmark = pytest.mark.slow
A1, A6 = "01_perceptron", "06_optimizers"
NB1, NB6 = "perceptron.ipynb", "optimizers.ipynb"
ROOT = course_root()
WRONG_OR = "AND_WEIGHTS = (np.array([1.0, 1.0]), -1.5)\nOR_WEIGHTS = (np.array([1.0, 1.0]), -1.5)\nNOT_WEIGHTS = (np.array([-1.0]), 0.5)\n"
DUE = datetime.datetime(2026, 3, 2, 12, 0, 0)


def _solved(assignment: str, notebook: str):
    return samples.solved(ROOT / "notebooks" / assignment / notebook, ROOT / "solutions" / assignment / notebook)


def _hand_in(subs: Path, student: str, assignment: str, notebook: str, nb, when: str = "2026-03-01 09:30:00.000000 UTC") -> str:
    """A submission as `nbgrader collect` leaves it: the notebook, timestamp.txt and submission_secret.txt."""
    samples.write_submission(nb, subs, student, assignment, notebook)
    secret = secrets.token_hex(64)
    (subs / student / assignment / "timestamp.txt").write_text(when)
    (subs / student / assignment / "submission_secret.txt").write_text(secret)
    return secret


def _grade(course_dir: Path) -> classroom.Summary:
    return classroom.grade_class(None, course_dir, classroom.Options(workers=2, use_sandbox=False, progress=False))


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    course_dir = tmp_path_factory.mktemp("term") / "course"
    classroom.ensure_course(course_dir, [A1, A6])
    (course_dir / "nbgrader_config.py").write_text(
        (course_dir / "nbgrader_config.py").read_text() + "c.LateSubmissionPlugin.penalty_method = 'zero'\n")
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(A6, duedate=DUE)
        gb.update_or_create_student("ada", first_name="Ada", last_name="Lovelace", email="ada@uni.edu", lms_user_id="1001")
        gb.update_or_create_student("bob", first_name="Bob", last_name="=HYPERLINK(0)", lms_user_id="1002")
    subs = course_dir / "submitted"
    secrets_ = {"ada": _hand_in(subs, "ada", A1, NB1, _solved(A1, NB1))}
    _hand_in(subs, "ada", A6, NB6, _solved(A6, NB6))
    # bob: 01 with a wrong OR gate (1 of 3 names of test_gates wrong), nothing for 06
    _hand_in(subs, "bob", A1, NB1, samples.with_answers(_solved(A1, NB1), {"gates": WRONG_OR}))
    # cy: 06 handed in late (after the due date; the 'zero' policy), 01 a folder without a notebook
    _hand_in(subs, "cy", A6, NB6, _solved(A6, NB6), when="2026-03-09 18:00:00.000000 UTC")
    (subs / "cy" / A1).mkdir(parents=True)
    summary = _grade(course_dir)
    return {"course": course_dir, "subs": subs, "summary": summary, "secrets": secrets_}


def _totals(course_dir: Path) -> dict:
    with open(course_dir / "totals.csv", newline="") as fh:
        return {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}


def test_feedback_sits_beside_the_files_release_feedback_reads(term):
    """Does each graded submission's feedback folder hold timestamp.txt and submission_secret.txt as collected, so that
    `nbgrader release_feedback` finds them?"""
    folder = term["course"] / "feedback" / "ada" / A1
    assert (folder / "perceptron.html").is_file()
    assert (folder / "submission_secret.txt").read_text() == term["secrets"]["ada"]
    assert (folder / "timestamp.txt").read_text() == "2026-03-01 09:30:00.000000 UTC"


def test_nbgrader_release_feedback_releases_every_graded_submission(term, tmp_path):
    """Does nbgrader's own `release_feedback` run on the graded course (it once failed with FileNotFoundError on
    timestamp.txt) and put each feedback page in the exchange under the hash of its submission's secret?"""
    from nbgrader.utils import notebook_hash

    exchange = tmp_path / "exchange"
    exchange.mkdir()
    proc = course.nbgrader(["release_feedback", A1, f"--Exchange.root={exchange}", "--CourseDirectory.course_id=nncourse"],
                           term["course"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    released = {p.name for p in (exchange / "nncourse" / "feedback").iterdir()}
    assert f"{notebook_hash(secret=term['secrets']['ada'], notebook_id='perceptron')}.html" in released
    assert len(released) == 3   # ada, bob, and cy's folder copied by hand (under a secret of the kit's: see below)


def test_a_submission_not_collected_through_the_exchange_does_not_stop_the_release(term):
    """cy's 01 folder was made by hand (no timestamp.txt, no secret): does it get files of its own beside its feedback
    (so release_feedback goes on to the rest of the class), and is the instructor told to hand that feedback over?"""
    folder = term["course"] / "feedback" / "cy" / A1
    assert len((folder / "submission_secret.txt").read_text()) == 128 and (folder / "timestamp.txt").read_text()
    assert any("did not come through nbgrader's exchange" in w and "cy/01_perceptron" in w for w in term["summary"].warnings)


def test_a_student_who_did_not_submit_gets_no_submission(term):
    """Does bob, who handed in 01 but not 06, have no 06 submission in the gradebook, no autograded notebook and no
    feedback for it, while totals.csv still counts it 0 with the status 'not submitted'?"""
    from nbgrader.api import Gradebook, MissingEntry

    course_dir = term["course"]
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        with pytest.raises(MissingEntry):
            gb.find_submission(A6, "bob")
        gb.find_submission(A1, "bob")
    assert not (course_dir / "autograded" / "bob" / A6).exists()
    assert not (course_dir / "feedback" / "bob" / A6).exists()
    row = _totals(course_dir)[("bob", A6)]
    assert float(row["score"]) == 0.0 and row["status"] == "not submitted"
    assert _totals(course_dir)[("ada", A6)]["status"] == "awaiting manual grading"


def test_a_folder_without_a_notebook_is_still_a_submission(term):
    """Is cy's empty 01 folder a submission (handed in, nothing usable: status missing), unlike bob's absent 06?"""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{term['course'] / 'gradebook.db'}") as gb:
        gb.find_submission(A1, "cy")
    rows = [r for r in term["summary"].rows if r.student_id == "cy" and r.assignment == A1]
    assert rows and {r.status for r in rows} == {"missing"}


def test_partial_credit_is_the_rule_and_says_so(term, source_nb01):
    """Does bob's test_gates (2 of its 3 weights right) get 2 of 3 points, with a message and a feedback line that
    state the partial-credit rule?"""
    [row] = [r for r in term["summary"].rows if r.student_id == "bob" and r.grade_id == "test_gates"]
    assert row.score == 2.0 and row.max_score == 3.0
    assert "partial credit: 2 of the 3 functions this cell checks are right" in row.message
    page = html.unescape((term["course"] / "feedback" / "bob" / A1 / "perceptron.html").read_text())  # as read
    assert "gives each right one its share of the cell's points (partial credit)" in page


def test_a_course_can_choose_all_or_nothing(term, tmp_path):
    """With c.NNCourse.partial_credit = False in the course's nbgrader_config.py, does the same answer get 0 of 3, as
    nbgrader scores it, and does the feedback state that rule?"""
    course_dir = tmp_path / "course"
    shutil.copytree(term["course"], course_dir)
    (course_dir / "nbgrader_config.py").write_text((course_dir / "nbgrader_config.py").read_text()
                                                   + "c.NNCourse.partial_credit = False\n")
    summary = _grade(course_dir)
    [row] = [r for r in summary.rows if r.student_id == "bob" and r.grade_id == "test_gates"]
    assert row.score == 0.0 and "all or nothing (this course's rule): 2 of the 3" in row.message
    assert "only when every one of them is right (all or nothing)" in (course_dir / "feedback" / "bob" / A1 / "perceptron.html").read_text()


def test_a_resubmission_of_the_same_notebook_is_released_under_its_new_secret(term, tmp_path):
    """When ada hands in the same notebook again (`collect --update`: a new secret and time), is the unchanged result
    reused but its feedback folder given the new secret, so that fetch_feedback finds the feedback?"""
    course_dir = tmp_path / "course"
    shutil.copytree(term["course"], course_dir)
    new = secrets.token_hex(64)
    (course_dir / "submitted" / "ada" / A1 / "submission_secret.txt").write_text(new)
    (course_dir / "submitted" / "ada" / A1 / "timestamp.txt").write_text("2026-03-02 08:00:00.000000 UTC")
    summary = _grade(course_dir)
    assert summary.graded == 0
    assert (course_dir / "feedback" / "ada" / A1 / "submission_secret.txt").read_text() == new
    assert (course_dir / "feedback" / "ada" / A1 / "timestamp.txt").read_text() == "2026-03-02 08:00:00.000000 UTC"


def test_late_penalties_are_taken_off_every_total_shown(term):
    """Is cy's late 06 (the 'zero' policy) 0 in totals.csv, in the printed table's total and in the summary's mean
    with written answers (they once showed the total before the penalty)?"""
    summary = term["summary"]
    assert summary.late.get(("cy", A6))
    assert float(_totals(term["course"])[("cy", A6)]["score"]) == 0.0
    table = course.format_table([r for r in summary.rows if r.assignment == A6], summary.late).splitlines()
    header = table[0].split()
    total = next(line for line in table if line.startswith("total"))
    assert total.split()[-len(header) + 1 + header.index("cy") - 1].startswith("0/")
    from autograde import report

    line = next(x for x in report.summary_lines(summary.rows, summary.late) if x.startswith(f"{A6}/"))
    assert "late penalties taken off" in line


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_from_the_command_line(term, tmp_path, fmt):
    """Does `autograde export --format FMT` write one row per student with a column per assignment?"""
    out = tmp_path / f"{fmt}.csv"
    proc = subprocess.run([str(Path(sys.executable).parent / "autograde"), "export", "--course-dir", str(term["course"]),
                           "--format", fmt, "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))
    body = rows[2:] if fmt == "canvas" else rows[1:]
    assert len(body) == 3 and A1 in rows[0] and A6 in rows[0]
    assert "not final" in proc.stdout   # written answers still wait for a hand grade


def _possible(assignment: str) -> float:
    """The points of every graded cell of the source notebook, written answers included (what nbgrader's max_score sums)."""
    source = next((course_root() / "solutions" / assignment).glob("*.ipynb"))
    return sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nbformat.read(str(source), as_version=4).cells
               if c.metadata.get("nbgrader", {}).get("grade"))


def test_canvas_export_has_canvas_layout_and_blank_for_not_submitted(term):
    """Canvas: Student, ID, SIS User ID, SIS Login ID, Section, then assignments; a Points Possible row; the LMS user
    id in ID; a blank (ungraded) cell for bob's missing 06, and a real 0 for cy's late 06?"""
    path, _ = export.export(term["course"], "canvas")
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A1, A6]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == _possible(A1) and float(rows[1][6]) == _possible(A6)
    by = {r[3]: r for r in rows[2:]}
    assert by["ada"][:2] == ["Lovelace, Ada", "1001"]
    assert by["bob"][6] == "" and by["cy"][6] == "0"
    assert by["bob"][0].startswith("'=")   # a name a spreadsheet would run is quoted


def test_moodle_export_reads_back_as_moodle_imports_it(term):
    """Moodle: its export's identity columns, then one per assignment; read back with Moodle's own rule ('' or '-' is
    no grade, else a number), is bob's 06 no grade and cy's late 06 a 0?"""
    path, _ = export.export(term["course"], "moodle")
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert list(rows[0])[:5] == ["First name", "Last name", "ID number", "Username", "Email address"]

    def moodle(value):  # grade/import/csv/classes/load_data.php: if ($value === '' or $value == '-') no grade
        return None if value.strip() in ("", "-") else float(value)

    by = {r["Username"]: r for r in rows}
    assert moodle(by["bob"][A6]) is None and moodle(by["cy"][A6]) == 0.0 and moodle(by["ada"][A1]) > 0
    assert by["ada"]["ID number"] == "1001" and by["ada"]["Email address"] == "ada@uni.edu"


def test_wide_export_lists_what_was_not_submitted(term):
    """Wide: a blank score and the assignment named in not_submitted for bob's 06, totals per student?"""
    path, _ = export.export(term["course"], "wide")
    by = {r["student_id"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}
    assert by["bob"][A6] == "" and by["bob"]["not_submitted"] == A6 and by["ada"]["not_submitted"] == ""
    assert float(by["ada"]["total"]) == float(by["ada"][A1]) + float(by["ada"][A6])


def test_an_unknown_export_format_is_refused_with_the_choices():
    """Is a format the kit does not know refused, naming the ones it knows?"""
    with pytest.raises(ValueError, match="canvas, moodle, wide"):
        export.rows_for("blackboard", [], [])
