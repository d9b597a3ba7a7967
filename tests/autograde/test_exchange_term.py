"""A term through nbgrader's exchange, with students as real Unix users (issue 16).

As root, the test makes four Unix users and a shared exchange. The instructor (root) releases notebook 01 with
`nbgrader release_assignment`; each student fetches it with `nbgrader fetch_assignment` as themselves, answers it
(complete, partial, two bugs, and one handed in after the due date the instructor sets meanwhile) and submits with
`nbgrader submit`. The instructor collects (`nbgrader collect`), grades with `autograde grade` (sandboxed), gives a
written answer a score through formgrader's REST API on a real server, runs `autograde report` and
`nbgrader release_feedback`. Each student fetches their feedback with `nbgrader fetch_feedback` and must find their
own page only, with the manual grade. Then the hand-graded student re-submits after the due date, and the loop runs
again (`collect --update`): the new feedback is released under the new submission with the late penalty, the
hand-graded answer keeps its score and is flagged for review, and the other students' feedback is as it was. The users and folders are removed at the end. Skipped, saying why, when not root.
"""
from __future__ import annotations

import contextlib
import datetime
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograde import coursedir, samples
from autograde.reference import course_root

from formgrader_api import api, formgrader_server  # tests/autograde/formgrader_api.py

pytestmark = pytest.mark.slow
ASSIGNMENT, NOTEBOOK = "01_perceptron", "perceptron.ipynb"
BIN = Path(sys.executable).parent
COURSE_ID = "nncourse"
TIMES: list = []   # (seconds, command) of every command the test ran: printed when it ends
STUDENTS = {  # user -> what they hand in (answer cell grade id -> code, from the demo's bugs and stubs)
    "ncstu_full": "solved",
    "ncstu_part": "partial",
    "ncstu_bugs": "buggy",
    "ncstu_late": "solved",
}


def _need_root():
    if os.geteuid() != 0:
        pytest.skip("the term test makes Unix users for the students (useradd) and runs nbgrader as each: it needs root")
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            pytest.skip(f"the term test needs {tool}")
    if shutil.which("bwrap") is None:
        pytest.skip("the course is graded in the sandbox: install bubblewrap (`make sandbox-deps` as root)")


def _run(cmd: list[str], cwd: Path, user: str | None = None, env: dict | None = None, timeout: float = 600) -> str:
    """Run a command (as ``user`` when given, with that user's HOME) and return its output; fail loudly on an error."""
    full = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
    if user:
        home = pwd.getpwnam(user).pw_dir
        full.update(HOME=home, USER=user, LOGNAME=user, JUPYTER_CONFIG_DIR=f"{home}/.jupyter",
                    JUPYTER_DATA_DIR=f"{home}/.local/share/jupyter", JUPYTER_RUNTIME_DIR=f"{home}/.local/share/jupyter/runtime",
                    IPYTHONDIR=f"{home}/.ipython")
        cmd = ["runuser", "-u", user, "--", *cmd]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout)
    TIMES.append((round(time.monotonic() - t0, 1), " ".join(c for c in cmd[-4:])))
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout + proc.stderr


# `python -m nbgrader`, without jsonschema's IRI grammar (3 s of every start; see autograde.startup, which the
# instructor's own nbgrader commands go through): about 25 commands here, and the students' side needs no autograde
NBGRADER = "import runpy, sys; sys.modules.setdefault('rfc3987_syntax', None); runpy.run_module('nbgrader', run_name='__main__', alter_sys=True)"


def _nbgrader(args: list[str], cwd: Path, user: str | None = None) -> str:
    return _run([str(BIN / "python"), "-c", NBGRADER, *args], cwd, user)


def _answers(kind: str, release: Path, source: Path):
    if kind == "solved":
        return samples.solved(release, source)
    solved = samples.solved(release, source)
    if kind == "buggy":
        return samples.with_answers(solved, samples.BUGGY_01)
    # partial: the first answers done, the rest left as released
    untouched = samples.untouched(release)
    keep = {"step", "sign", "sigmoid", "tanh", "relu"}
    return samples.with_answers(untouched, {c.metadata["nbgrader"]["grade_id"]: c.source for c in solved.cells
                                            if c.metadata.get("nbgrader", {}).get("grade_id") in keep})


@contextlib.contextmanager
def _reachable_by_everyone(path: Path):
    """Let other users reach ``path`` (search permission, o+x, on each folder above it that lacks it), as on a
    server where Python is installed for everyone; restored afterwards. Here the interpreter lives under /root
    (pyenv), which other users cannot enter."""
    changed = []
    try:
        for folder in [*reversed(Path(path).resolve().parents)]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)
                changed.append((folder, mode))
        yield
    finally:
        for folder, mode in reversed(changed):
            folder.chmod(mode & 0o7777)


@pytest.fixture(scope="module")
def term():
    """The shared folders, the users, the course; removed at the end, whatever happened."""
    _need_root()
    # the interpreter, the venv the students run and the repository its editable install points to (a fresh
    # clone may sit in a private folder such as mktemp -d's)
    with _reachable_by_everyone(Path(os.path.realpath(sys.executable))), \
            _reachable_by_everyone(Path(sys.prefix) / "pyvenv.cfg"), \
            _reachable_by_everyone(course_root() / "pyproject.toml"):
        yield from _term()


def _term():
    base = Path(tempfile.mkdtemp(prefix="nncourse-term-"))
    base.chmod(0o755)
    exchange, homes, course_dir = base / "exchange", base / "home", base / "course"
    exchange.mkdir()
    exchange.chmod(0o777)   # nbgrader's docs: the exchange is writable by every student
    homes.mkdir()
    made = []
    try:
        for user in STUDENTS:
            subprocess.run(["userdel", "-r", user], capture_output=True)  # a leftover of an interrupted run
            subprocess.run(["useradd", "--create-home", "--home-dir", str(homes / user), "--shell", "/bin/sh", user],
                           check=True, capture_output=True)
            made.append(user)
            (homes / user / ".jupyter").mkdir(exist_ok=True)
            # the students' side of the course: which course, and where the exchange is (docs/instructors.md's worked example)
            (homes / user / ".jupyter" / "nbgrader_config.py").write_text(
                f"c = get_config()\nc.CourseDirectory.course_id = '{COURSE_ID}'\nc.Exchange.root = '{exchange}'\n")
            shutil.chown(homes / user / ".jupyter", user, user)
            shutil.chown(homes / user / ".jupyter" / "nbgrader_config.py", user, user)
        coursedir.prepare(course_dir, [ASSIGNMENT])   # source/, release/ and the gradebook, as `autograde grade` makes them
        with open(course_dir / "nbgrader_config.py", "a") as fh:   # the instructor's side
            fh.write(f"c.Exchange.root = '{exchange}'\nc.LateSubmissionPlugin.penalty_method = 'zero'\n")
        yield {"base": base, "exchange": exchange, "homes": homes, "course": course_dir}
    finally:
        for user in made:
            subprocess.run(["userdel", "-r", "-f", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _submit(term, user: str, kind: str, written: str | None = None) -> None:
    home = term["homes"] / user
    root = course_root()
    nb = _answers(kind, root / "notebooks" / ASSIGNMENT / NOTEBOOK, root / "solutions" / ASSIGNMENT / NOTEBOOK)
    for cell in nb.cells if written else []:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "xor_proof":
            cell.source = written
    path = home / ASSIGNMENT / NOTEBOOK
    nbformat.write(nb, str(path))
    shutil.chown(path, user, user)
    _nbgrader(["submit", ASSIGNMENT], home, user)


def _feedback_pages(term, user: str) -> list[Path]:
    _nbgrader(["fetch_feedback", ASSIGNMENT], term["homes"] / user, user)
    return sorted((term["homes"] / user / ASSIGNMENT / "feedback").glob("*/perceptron.html"))


def _score(page: Path) -> str:
    return re.search(r"score <b>([^<]+)</b>", page.read_text()).group(1)


def _max_points() -> float:
    """The notebook's total, written answers included, from its source notebook (where points are set)."""
    from autograde.reference import source_notebook

    nb = nbformat.read(str(source_notebook(ASSIGNMENT)), as_version=4)
    return sum(float(c.metadata.get("nbgrader", {}).get("points", 0)) for c in nb.cells
               if c.metadata.get("nbgrader", {}).get("grade") or c.metadata.get("nbgrader", {}).get("task"))


def test_a_whole_term_through_the_exchange(term):
    """Release, fetch, submit as four real users, collect, `autograde grade`, a hand grade in formgrader, `autograde
    report`, release_feedback, fetch_feedback: does each student get exactly their own feedback with the hand grade,
    and after a re-submission the new feedback, with the review flag and the late penalty right?"""
    course_dir = term["course"]
    _nbgrader(["release_assignment", ASSIGNMENT], course_dir)
    for user in STUDENTS:
        out = _nbgrader(["fetch_assignment", ASSIGNMENT], term["homes"] / user, user)
        assert (term["homes"] / user / ASSIGNMENT / NOTEBOOK).is_file(), out
    for user, kind in STUDENTS.items():
        if user == "ncstu_late":
            # the instructor sets the due date after three have handed in; the fourth hands in after it
            due = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            _nbgrader(["db", "assignment", "add", ASSIGNMENT, f"--duedate={due}"], course_dir)
        _submit(term, user, kind)

    _nbgrader(["collect", ASSIGNMENT], course_dir)
    for user in STUDENTS:
        assert (course_dir / "submitted" / user / ASSIGNMENT / "submission_secret.txt").is_file()
    out = _run([str(BIN / "autograde"), "grade", "--course-dir", str(course_dir), "--no-progress"], course_dir)
    assert "graded 4 notebook(s)" in out, out

    # the instructor grades ncstu_full's written answer in formgrader (its REST API, on a real server)
    with formgrader_server(course_dir, term["base"] / "lab-home") as base:
        _, subs = api(base, f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/perceptron")
        assert sorted(s["student"] for s in subs) == sorted(STUDENTS)
        full = next(s for s in subs if s["student"] == "ncstu_full")
        _, grades = api(base, f"/formgrader/api/grades?submission_id={full['id']}")
        proof = next(g for g in grades if g["name"] == "xor_proof")
        api(base, f"/formgrader/api/grade/{proof['id']}", "PUT", {"manual_score": 2.0, "extra_credit": None})
    _run([str(BIN / "autograde"), "report", "--course-dir", str(course_dir)], course_dir)
    _nbgrader(["release_feedback", ASSIGNMENT], course_dir)

    pages = {user: _feedback_pages(term, user) for user in STUDENTS}
    for user, found in pages.items():
        assert len(found) == 1, (user, found)
        text = found[0].read_text()
        assert f"Student <b>{user}</b>" in text and not any(f"<b>{o}</b>" in text for o in STUDENTS if o != user), user
    full = _max_points()
    assert _score(pages["ncstu_full"][0]) == f"{full:g} / {full:g}"   # every autograded point + the written answer by hand
    assert "graded by hand" in pages["ncstu_full"][0].read_text()
    assert _score(pages["ncstu_late"][0]) == f"0 / {full:g}"             # the 'zero' policy: late
    assert "late penalty" in pages["ncstu_late"][0].read_text()

    # ncstu_full rewrites the written answer and hands in again, after the due date; the instructor collects the update
    # and runs the loop again
    _submit(term, "ncstu_full", "solved", written="Two lines, and an AND of them: that is the hidden layer.")
    _nbgrader(["collect", "--update", ASSIGNMENT], course_dir)
    out = _run([str(BIN / "autograde"), "grade", "--course-dir", str(course_dir), "--no-progress"], course_dir)
    assert "graded 1 notebook(s), 3 unchanged" in out and "graded, to review 1" in out, out
    _run([str(BIN / "autograde"), "report", "--course-dir", str(course_dir)], course_dir)
    from autograde import record

    with record.open_gradebook(course_dir) as gb:
        nb = gb.find_submission_notebook("perceptron", ASSIGNMENT, "ncstu_full")
        assert nb.flagged and gb.find_grade("xor_proof", "perceptron", ASSIGNMENT, "ncstu_full").manual_score == 2.0
    _nbgrader(["release_feedback", ASSIGNMENT], course_dir)
    again = _feedback_pages(term, "ncstu_full")
    assert len(again) == 2   # one page per submission, each under its own time
    newest = max(again, key=lambda p: p.parent.name)
    assert _score(newest) == f"0 / {full:g}" and "late penalty" in newest.read_text()   # handed in again after the due date
    assert _feedback_pages(term, "ncstu_bugs")[0].read_text() == pages["ncstu_bugs"][0].read_text()
    assert _score(_feedback_pages(term, "ncstu_late")[0]) == f"0 / {full:g}"
    print("\n".join(f"{t:6.1f} s  {c}" for t, c in TIMES))
