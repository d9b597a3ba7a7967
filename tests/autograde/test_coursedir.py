"""--course-dir: an instructor's nbgrader course used as it is, wrong places refused, one run at a time, clear errors.

The instructor's course is graded for real, unsandboxed (the sandbox is not what these tests are about).
"""
from __future__ import annotations

import datetime
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, coursedir, samples

ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"
REPO = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).parent / "autograde"
INSTRUCTOR_CONFIG = "c = get_config()\nc.CourseDirectory.course_id = 'ml101'\n# the instructor's own settings\n"


def _cli(*args, timeout=300, **kw):
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, timeout=timeout, **kw)


def _gradebook(course_dir: Path, course_id: str = ""):
    """A new gradebook made in-process (nbgrader asks the venv's `alembic` for its schema version)."""
    from nbgrader.api import Gradebook

    os.environ["PATH"] = f"{EXE.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", course_id)


def _tree(root: Path) -> dict[str, str]:
    """Every file under root (but autograde's own state) with a hash of its bytes."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".autograde" not in p.parts}


@pytest.fixture(scope="module")
def instructor_course(tmp_path_factory, source_nb01, release_nb01):
    """An nbgrader course of the instructor's: its own config (no ClearHiddenTests), an assignment hw0, its own
    release of 01_perceptron, 01_perceptron in the gradebook with a due date only, and a collected submission."""
    course_dir = tmp_path_factory.mktemp("instructor") / "ml101"
    (course_dir / "source" / "hw0").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Homework 0")]),
                   str(course_dir / "source" / "hw0" / "hw0.ipynb"))
    (course_dir / "source" / "hw0" / "data.csv").write_text("x,y\n1,2\n")
    (course_dir / "nbgrader_config.py").write_text(INSTRUCTOR_CONFIG)
    (course_dir / "release" / ASSIGNMENT).mkdir(parents=True)
    (course_dir / "release" / ASSIGNMENT / NOTEBOOK).write_bytes(release_nb01.read_bytes())
    (course_dir / "release" / ASSIGNMENT / "README.txt").write_text("released on Monday\n")
    with _gradebook(course_dir, "ml101") as gb:
        gb.add_assignment("hw0")
        gb.add_assignment(ASSIGNMENT, duedate=datetime.datetime(2026, 3, 2, 12, 0))
        gb.add_student("ada", first_name="Ada", last_name="Lovelace")
    samples.write_submission(samples.solved(release_nb01, source_nb01), course_dir / "submitted", "ada", ASSIGNMENT, NOTEBOOK)
    before = _tree(course_dir)
    summary = classroom.grade_class(None, course_dir, classroom.Options(workers=1, use_sandbox=False, progress=False))
    return {"course": course_dir, "before": before, "summary": summary}


def test_an_existing_course_keeps_every_file_of_the_instructor(instructor_course):
    """After grading into an instructor's course, is every file it had (config, other assignments, its release) byte for byte the same?"""
    after = _tree(instructor_course["course"])
    changed = {p for p, h in instructor_course["before"].items() if after.get(p) != h and p != "gradebook.db"}
    assert changed == set()
    assert (instructor_course["course"] / "nbgrader_config.py").read_text() == INSTRUCTOR_CONFIG


def test_an_existing_course_gets_only_what_grading_needs(instructor_course, source_nb01):
    """Are the assignment's source notebooks added under source/, and the assignment registered in the gradebook (due date kept, hw0 kept)?"""
    from nbgrader.api import Gradebook

    course_dir = instructor_course["course"]
    assert (course_dir / "source" / ASSIGNMENT / NOTEBOOK).read_bytes() == source_nb01.read_bytes()
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", "ml101") as gb:
        asg = gb.find_assignment(ASSIGNMENT)
        assert asg.duedate == datetime.datetime(2026, 3, 2, 12, 0)
        assert [nb.name for nb in asg.notebooks] == ["perceptron"] and asg.max_score > 0
        gb.find_assignment("hw0")
        assert gb.find_submission(ASSIGNMENT, "ada").score > 0


def test_a_config_without_clear_hidden_tests_is_a_warning(instructor_course):
    """Does the instructor's config, which would let generate_feedback show hidden tests, get a warning (and no edit)?"""
    [w] = [w for w in instructor_course["summary"].warnings if "ClearHiddenTests" in w]
    assert "generate_feedback" in w and "does not edit your file" in w


def test_a_new_course_gets_autogrades_config(tmp_path, source_nb01, release_nb01):
    """An empty folder: does it become a course whose nbgrader_config.py hides hidden tests from generate_feedback?"""
    course_dir = tmp_path / "new"
    assert coursedir.prepare(course_dir, []) == []
    assert "ClearHiddenTests" in coursedir.settings(course_dir).feedback_preprocessors
    assert coursedir.prepare(course_dir, []) == []  # our own config: no warning about it


def test_a_conflicting_assignment_is_refused_and_nothing_changes(tmp_path, source_nb01):
    """A course whose source/01_perceptron differs from ours: is it refused, naming the cell and what to do, with nothing changed?"""
    course_dir = tmp_path / "course"
    nb = nbformat.read(str(source_nb01), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sign")
    cell.metadata["nbgrader"]["points"] = 5
    (course_dir / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(nb, str(course_dir / "source" / ASSIGNMENT / NOTEBOOK))
    before = _tree(course_dir)
    with pytest.raises(coursedir.CourseDirError, match=r"(?s)test_sign.*Nothing was changed.*generate_assignment"):
        coursedir.prepare(course_dir, [ASSIGNMENT])
    assert _tree(course_dir) == before and not (course_dir / "gradebook.db").exists()


def test_a_gradebook_with_other_cells_is_refused(tmp_path):
    """A gradebook whose 01_perceptron has other graded cells: is it refused before anything is added?"""
    course_dir = tmp_path / "course"
    course_dir.mkdir()
    with _gradebook(course_dir) as gb:
        gb.add_assignment(ASSIGNMENT)
        gb.add_notebook("perceptron", ASSIGNMENT)
        gb.add_grade_cell("q1", "perceptron", ASSIGNMENT, max_score=10, cell_type="code")
    with pytest.raises(coursedir.CourseDirError, match="gradebook.*perceptron/q1"):
        coursedir.prepare(course_dir, [ASSIGNMENT])
    assert not (course_dir / "source").exists() and not (course_dir / "nbgrader_config.py").exists()


@pytest.mark.parametrize("where", ["repository", "inside"])
def test_the_repository_is_refused(tmp_path, where, release_nb01):
    """--course-dir pointing at the repository (or into it): a message, exit 2, and the repository untouched?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path / "subs", "ada", ASSIGNMENT, NOTEBOOK)
    target = REPO if where == "repository" else REPO / "grading-here"
    config = (REPO / "nbgrader_config.py").read_bytes()
    ours = ["source", "release", "feedback", "autograded", "grades.csv", "report.html", ".autograde", "grading-here"]
    assert not any((REPO / name).exists() for name in ours)
    proc = _cli("grade", tmp_path / "subs", "--course-dir", target, "--no-progress")
    assert proc.returncode == 2 and "repository" in proc.stderr and "Traceback" not in proc.stderr
    assert (REPO / "nbgrader_config.py").read_bytes() == config
    assert not any((REPO / name).exists() for name in ours)


def test_a_file_as_course_dir_is_a_message(tmp_path, release_nb01):
    """--course-dir naming a file: a one-line reason and exit 2, no traceback, the file untouched?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path / "subs", "ada", ASSIGNMENT, NOTEBOOK)
    (tmp_path / "course.txt").write_text("mine")
    proc = _cli("grade", tmp_path / "subs", "--course-dir", tmp_path / "course.txt", "--no-progress")
    assert proc.returncode == 2 and "is a file" in proc.stderr and "Traceback" not in proc.stderr
    assert (tmp_path / "course.txt").read_text() == "mine"


def test_a_folder_that_is_no_course_is_refused(tmp_path, release_nb01):
    """A non-empty folder that is not an nbgrader course (someone's documents): refused, untouched?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path / "subs", "ada", ASSIGNMENT, NOTEBOOK)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "thesis.tex").write_text("\\documentclass{article}")
    proc = _cli("grade", tmp_path / "subs", "--course-dir", tmp_path / "docs", "--no-progress")
    assert proc.returncode == 2 and "not an nbgrader course" in proc.stderr
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["thesis.tex"]


def test_missing_submissions_create_nothing(tmp_path):
    """A submissions folder that does not exist: a message, exit 2, and no course directory made?"""
    proc = _cli("grade", tmp_path / "nope", "--course-dir", tmp_path / "course", "--no-progress")
    assert proc.returncode == 2 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "course").exists()


def test_no_submissions_and_no_submitted_folder_says_what_to_do(tmp_path):
    """No SUBMISSIONS and a course without submitted/: does the message name nbgrader collect?"""
    proc = _cli("grade", "--course-dir", tmp_path / "course", "--no-progress")
    assert proc.returncode == 2 and "nbgrader collect" in proc.stderr
    assert not (tmp_path / "course").exists()


def test_an_unreachable_scheduler_is_a_quick_message(tmp_path, release_nb01):
    """--scheduler at an address where nothing listens: within seconds, the address and how to start one, nothing made?"""
    samples.write_submission(samples.untouched(release_nb01), tmp_path / "subs", "ada", ASSIGNMENT, NOTEBOOK)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]   # closed again: nothing listens there
    t0 = time.monotonic()
    proc = _cli("grade", tmp_path / "subs", "--course-dir", tmp_path / "course", "--scheduler", f"tcp://127.0.0.1:{port}",
                "--no-progress", timeout=60)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"tcp://127.0.0.1:{port}" in proc.stderr and "dask scheduler" in proc.stderr and "dask worker" in proc.stderr
    assert elapsed < 20 and not (tmp_path / "course").exists()


def test_a_port_that_is_no_scheduler_is_refused():
    """Something accepts connections at the address but is not Dask (a firewall, another service): refused, saying so?"""
    coursedir.check_scheduler(None)
    coursedir.check_scheduler("local")
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(4)
        port = srv.getsockname()[1]
        for address in (f"tcp://127.0.0.1:{port}", f"127.0.0.1:{port}"):
            with pytest.raises(coursedir.SchedulerUnreachable, match="accepts connections, but it is nothing that speaks Dask"):
                coursedir.check_scheduler(address, timeout=1.0)
    with pytest.raises(coursedir.SchedulerUnreachable, match="not an address"):
        coursedir.check_scheduler("tcp://host:port")


def test_a_running_scheduler_is_accepted():
    """A real `dask scheduler`: is it accepted, with or without tcp://?"""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(EXE.parent / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                coursedir.check_scheduler(f"tcp://127.0.0.1:{port}")
                break
            except coursedir.SchedulerUnreachable:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        coursedir.check_scheduler(f"127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# --- one run at a time --------------------------------------------------------------------------------------

def test_a_second_run_refuses_while_the_course_is_locked(instructor_course):
    """While another run holds the course, does `autograde grade` exit 2 at once saying who holds it (no sqlite traceback)?"""
    course_dir = instructor_course["course"]
    with coursedir.lock(course_dir):
        t0 = time.monotonic()
        proc = _cli("grade", "--course-dir", course_dir, "--unsafe-no-sandbox", "--no-progress")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "another autograde run" in proc.stderr and f"pid {os.getpid()}" in proc.stderr and "--wait" in proc.stderr
    assert time.monotonic() - t0 < 60


def test_report_refuses_while_the_course_is_locked(instructor_course):
    """While another run holds the course, does `autograde report` exit 2 with the same message as grade, no traceback?"""
    with coursedir.lock(instructor_course["course"]):
        proc = _cli("report", "--course-dir", instructor_course["course"])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.startswith("autograde: error: another autograde run") and "--wait" in proc.stderr


def test_wait_starts_when_the_other_run_ends(instructor_course):
    """With --wait, does a second run wait while the lock is held, then grade (here: reuse) and succeed?"""
    course_dir = instructor_course["course"]
    with coursedir.lock(course_dir):
        proc = subprocess.Popen([str(EXE), "grade", "--course-dir", str(course_dir), "--unsafe-no-sandbox", "--no-progress",
                                 "--wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while not any("waiting for the run" in ln for ln in lines) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert any("waiting for the run" in ln for ln in lines), lines
        time.sleep(1.0)
        assert proc.poll() is None  # still waiting
    proc.wait(timeout=300)
    reader.join(5)
    out = proc.stdout.read()
    assert proc.returncode == 0, lines
    assert "graded 0 notebook(s), 1 unchanged" in out


def test_the_lock_is_per_course_and_nests_in_one_thread(tmp_path):
    """Can the holder take its lock again, while another thread is refused, and is it free once released?"""
    errors = []

    def other():
        try:
            with coursedir.lock(tmp_path):
                pass
        except coursedir.CourseBusy as exc:
            errors.append(str(exc))

    with coursedir.lock(tmp_path):
        with coursedir.lock(tmp_path):
            pass
        t = threading.Thread(target=other)
        t.start()
        t.join()
        with coursedir.lock(tmp_path / "elsewhere"):  # another course is not locked
            pass
    assert len(errors) == 1 and "another autograde run" in errors[0]
    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert len(errors) == 1
