"""An instructor in nbgrader's formgrader, for real: grade the written answer, then `autograde report`.

The course is made as the demo makes it (``autograde.demo``), for notebook 01 only: released with
nbgrader, the demo's three submissions (solved, untouched, buggy), graded by ``autograde grade``. JupyterLab
serves the course directory with ``--CourseDirectory.root`` so that formgrader uses its gradebook.

The instructor opens Manual Grading for 01_perceptron/perceptron, opens the solved student's
submission, gives the written answer (``xor_proof``) full marks in its score box, sees the new
total in formgrader's list, runs ``autograde report --course-dir COURSE``, and finds the new total
in ``grades.csv`` and in the student's feedback.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import lab

# One xdist group (for `--dist loadgroup` once pytest-xdist supports pytest 9 there); `make test` runs them alone.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ASSIGNMENT, NOTEBOOK, STUDENT, WRITTEN = "01_perceptron", "perceptron", "solved", "xor_proof"
VENV_BIN = lab.VENV_BIN



@pytest.fixture(scope="module")
def course(tmp_path_factory, artifacts):
    """The demo's course, for notebook 01 only: released with nbgrader, three submissions, `autograde grade`."""
    if shutil.which("bwrap") is None:
        pytest.skip("the demo course is graded in the sandbox: install bubblewrap (`make sandbox-deps` as root)")
    from autograde import coursedir, demo

    course_dir = tmp_path_factory.mktemp("formgrader") / "course"
    t0 = time.monotonic()
    coursedir.prepare(course_dir, [ASSIGNMENT])  # what `autograde grade` and the demo do, for notebook 01 only
    demo.make_samples(course_dir, assignment=ASSIGNMENT)
    proc = subprocess.run([str(VENV_BIN / "autograde"), "grade", str(course_dir / "submitted"), "--course-dir",
                           str(course_dir), "--no-progress"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course_dir, time.monotonic() - t0


@pytest.fixture(scope="module")
def formgrader(course, artifacts):
    course_dir, _ = course
    server = lab.LabServer(course_dir, artifacts / "jupyterlab-formgrader.log",
                           [f"--CourseDirectory.root={course_dir}"]).start()
    yield server
    server.stop()


def _rows(course_dir: Path, name: str = "grades.csv") -> list[dict]:
    with open(course_dir / name, newline="") as f:
        return list(csv.DictReader(f))


def _score(row: dict) -> float:
    return float(row["score"] or 0.0)  # a written answer awaiting its grade has no score yet


def _listed_total(page, student: str) -> str:
    row = page.locator("#main-table tr", has=page.locator("a.name-shown", has_text=re.compile(rf"^{student}$")))
    return row.locator("td.score").text_content().strip()


def _open_gradebook_list(page, server) -> None:
    page.goto(server.base + f"/formgrader/gradebook/{ASSIGNMENT}/{NOTEBOOK}")
    page.wait_for_function("() => !document.querySelector('#main-table').textContent.includes('Loading')", timeout=60_000)
    page.locator("#toggle_names").click()  # show the students' ids instead of "Submission #n"


def test_instructor_grades_the_written_answer_and_the_report_shows_it(course, formgrader, page, artifacts):
    """After an instructor scores the written answer in formgrader and runs `autograde report`, do grades.csv and the feedback show the new total?"""
    course_dir, made_in = course
    assert (course_dir / "autograded" / STUDENT / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file(), \
        "autograde grade wrote no autograded/ notebook: formgrader lists only submissions that have one"
    before = [r for r in _rows(course_dir) if r["student_id"] == STUDENT]
    max_total = sum(float(r["max_score"]) for r in before)
    written = next(r for r in before if r["grade_id"] == WRITTEN)
    assert written["status"] == "manual" and _score(written) == 0.0, written
    full = float(written["max_score"])

    # The instructor logs in with the token (the URL `jupyter lab` prints), then opens Manual Grading.
    page.goto(formgrader.url("/lab"), wait_until="commit")
    page.wait_for_timeout(500)
    t0 = time.monotonic()
    _open_gradebook_list(page, formgrader)
    listed = page.locator("#main-table a.name-shown")
    assert listed.count() == 3, f"formgrader lists {listed.count()} submissions: {page.locator('#main-table').text_content()}"
    page.screenshot(path=str(artifacts / "formgrader-1-submissions.png"))
    auto_total = sum(_score(r) for r in before)
    assert _listed_total(page, STUDENT) == f"{auto_total:g} / {max_total:g}"

    page.locator("#main-table a.name-shown", has_text=re.compile(rf"^{STUDENT}$")).click()
    box = page.locator(f"input.score#{WRITTEN}")
    box.wait_for()
    # the box is in the page's HTML before formgrader's script binds it to its grade (after fetching the grades):
    # a score typed before that is never saved (seen on a loaded machine: no PUT within 60 s)
    page.wait_for_function("() => window.formgrader && formgrader.grades && formgrader.grades.loaded === true",
                           timeout=60_000, polling=100)
    box.scroll_into_view_if_needed()
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT") as saved:
        box.fill(f"{full:g}")
        box.press("Tab")  # the score is saved on "change"
    assert saved.value.ok and saved.value.json()["manual_score"] == full, saved.value.text()
    page.wait_for_timeout(300)
    page.evaluate(f"() => document.getElementById('{WRITTEN}').closest('.panel, .nbgrader_cell').scrollIntoView()")
    page.evaluate("() => window.scrollBy(0, -160)")  # below the fixed navigation bar, with the question above
    page.screenshot(path=str(artifacts / "formgrader-2-written-answer-graded.png"))

    _open_gradebook_list(page, formgrader)
    assert _listed_total(page, STUDENT) == f"{auto_total + full:g} / {max_total:g}"
    page.screenshot(path=str(artifacts / "formgrader-3-new-total.png"))
    ui_seconds = time.monotonic() - t0

    proc = subprocess.run([str(VENV_BIN / "autograde"), "report", "--course-dir", str(course_dir)],
                          capture_output=True, text=True, timeout=300)
    (artifacts / "formgrader-autograde-report.log").write_text(
        f"course made in {made_in:.1f} s; formgrader steps {ui_seconds:.1f} s\n$ autograde report\n{proc.stdout}\n{proc.stderr}")
    assert proc.returncode == 0, proc.stdout + proc.stderr

    after = {r["grade_id"]: r for r in _rows(course_dir) if r["student_id"] == STUDENT}
    assert _score(after[WRITTEN]) == full, after[WRITTEN]
    new_total = sum(_score(r) for r in after.values())
    assert new_total == auto_total + full == max_total
    total = next(r for r in _rows(course_dir, "totals.csv") if r["student_id"] == STUDENT)
    assert (float(total["score"]), float(total["max_score"])) == (new_total, max_total), total
    feedback = (course_dir / "feedback" / STUDENT / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert re.search(rf"\b{new_total:g} / {max_total:g}\b", feedback), "the feedback does not show the new total"
