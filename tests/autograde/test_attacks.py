"""A hostile class, graded once by `autograde grade` in the real sandbox: every attack in tests/files/attacks.

Each attacker hands in notebook 01 with one hostile cell. Two honest students are graded in the same
run. Expected scores come from the source notebook's points (not from a run of the grader).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, course, samples

pytestmark = pytest.mark.slow

ATTACKS = Path(__file__).resolve().parents[1] / "files" / "attacks"
ASSIGNMENT = "01_perceptron"
NOTEBOOK = "perceptron.ipynb"

# attack -> (base notebook, where the cell goes, graded names whose points the attacker earns honestly)
ORDER = ["step", "sign", "sigmoid", "tanh", "relu"]
PLAN = {
    "allclose_patch": ("untouched", "after:setup", []),
    "ast_transformer": ("solved", "after:setup", []),
    "gradebook_write": ("solved", "after:setup", "all"),
    "read_source": ("untouched", "after:setup", []),
    "read_other": ("untouched", "after:setup", []),
    "fork_daemon": ("solved", "after:setup", "all"),
    "sigint_loop": ("solved", "replace:perceptron_train", "before:test_perceptron_train"),
    "memory_bomb": ("solved", "replace:relu", "all-but:test_relu"),
    "process_bomb": ("solved", "after:setup", "all"),
    "kill_kernel": ("solved", "after:relu", "before:test_relu"),
    "print_flood": ("solved", "after:setup", "all"),
    "network": ("untouched", "after:setup", []),
    "forge_results": ("untouched", "after:setup", []),
    "symlink_results": ("untouched", "after:setup", []),
    "disk_fill": ("solved", "after:setup", []),  # its own results no longer fit: it spoils only itself
    "stderr_flood": ("solved", "after:setup", "all"),
    "forge_timeout": ("solved", "after:test_step", "all-but:test_step"),
}
EXPECTED_STATUS = {  # the status every unearned question of the attacker must show
    "ast_transformer": {"tampered"},
    "sigint_loop": {"timeout"},
    "memory_bomb": {"memory"},
    "kill_kernel": {"crashed"},
    "forge_results": {"tampered", "failed"},
    "symlink_results": {"tampered", "failed"},
    "disk_fill": {"error", "crashed"},
    "forge_timeout": {"tampered"},
}
LIMITS = {"cell_timeout": 8.0, "notebook_timeout": 30.0}  # generous: honest notebooks must never hit them on a loaded CI machine


def _points(source_nb) -> dict[str, float]:
    nb = nbformat.read(str(source_nb), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


def _earned(spec, points: dict[str, float]) -> dict[str, float]:
    order = list(points)
    if spec == "all":
        return dict(points)
    if spec == []:
        return {}
    if spec.startswith("before:"):
        return {g: points[g] for g in order[: order.index(spec.split(":")[1])]}
    if spec.startswith("all-but:"):
        return {g: p for g, p in points.items() if g != spec.split(":")[1]}
    raise ValueError(spec)


def _insert(nb, where: str, code: str):
    kind, gid = where.split(":")
    if kind == "replace":
        return samples.with_answers(nb, {gid: code})
    idx = next(i for i, c in enumerate(nb.cells)
               if c.metadata.get("nbgrader", {}).get("grade_id") == gid or (gid == "setup" and "setup" in c.metadata.get("tags", [])))
    nb.cells.insert(idx + 1, nbformat.v4.new_code_cell(code))
    return nb


class _Listener:
    """A TCP server on the host's loopback that counts connections (none may come from a sandbox)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory, source_nb01, release_nb01):
    root = tmp_path_factory.mktemp("hostile")
    subs, course_dir = root / "submitted", root / "course"
    listener = _Listener()
    solved = lambda: samples.solved(release_nb01, source_nb01)  # noqa: E731
    samples.write_submission(solved(), subs, "honest", ASSIGNMENT, NOTEBOOK)
    samples.write_submission(samples.with_answers(solved(), samples.BUGGY_01), subs, "honest_buggy", ASSIGNMENT, NOTEBOOK)
    course_dir.mkdir()
    classroom.ensure_course(course_dir, [ASSIGNMENT])
    fills = {"@GRADEBOOK@": str(course_dir / "gradebook.db"), "@SOURCE@": str(source_nb01),
             "@OTHER@": str(subs / "honest" / ASSIGNMENT / NOTEBOOK), "@COURSE@": str(course_dir),
             "@PORT@": str(listener.port)}
    for name, (base, where, _) in PLAN.items():
        code = (ATTACKS / f"{name}.py").read_text()
        for k, v in fills.items():
            code = code.replace(k, v)
        nb = solved() if base == "solved" else samples.untouched(release_nb01)
        samples.write_submission(_insert(nb, where, code), subs, name, ASSIGNMENT, NOTEBOOK)
    # bad input
    (subs / "bad_json" / ASSIGNMENT).mkdir(parents=True)
    (subs / "bad_json" / ASSIGNMENT / NOTEBOOK).write_text('{"cells": [')
    samples.write_submission(solved(), subs, "renamed", ASSIGNMENT, "Perceptron (1).ipynb")
    (subs / "empty_folder" / ASSIGNMENT).mkdir(parents=True)
    retyped = solved()
    for cell in retyped.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "relu":
            cell.pop("outputs", None)  # an answer cell turned into markdown
            cell.pop("execution_count", None)
            cell.cell_type = "markdown"
        if gid == "test_step":
            cell.source = "pass  # I deleted the tests"
    retyped.cells = [c for c in retyped.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_sign"]
    samples.write_submission(retyped, subs, "retyped_cells", ASSIGNMENT, NOTEBOOK)
    # symlinked folders: one points at the source notebooks, one at a classmate's folder
    (subs / "solcat").mkdir()
    (subs / "solcat" / ASSIGNMENT).symlink_to(source_nb01.parent)
    (subs / "copycat").symlink_to(subs / "honest")
    (subs / "sparse" / ASSIGNMENT).mkdir(parents=True)
    with open(subs / "sparse" / ASSIGNMENT / NOTEBOOK, "wb") as fh:
        fh.truncate(3 * 2**30)  # 3 GB, sparse: refused before reading
    flood = solved()
    setup = next(c for c in flood.cells if "setup" in c.metadata.get("tags", []))
    setup.outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 50_000_000)]
    samples.write_submission(flood, subs, "huge_file", ASSIGNMENT, NOTEBOOK)

    gradebook_before = (course_dir / "gradebook.db").read_bytes()
    disk_free_before = shutil.disk_usage(root).free
    opts = classroom.Options(workers=2, limits=LIMITS, progress=False, force=True)
    t0 = time.monotonic()
    summary = classroom.grade_class(subs, course_dir, opts)
    elapsed = time.monotonic() - t0
    time.sleep(5)  # give any daemon that escaped its sandbox time to act
    listener.stop = True
    rows = {(r.student_id, r.grade_id): r for r in summary.rows}
    return {"rows": rows, "summary": summary, "course": course_dir, "subs": subs, "listener": listener,
            "elapsed": elapsed, "gradebook_before": gradebook_before, "disk_free_before": disk_free_before,
            "disk_free_after": shutil.disk_usage(root).free}


def _score(rows, student):
    return {gid: r.score for (s, gid), r in rows.items() if s == student and r.status != "manual"}


def test_class_finishes_with_a_row_for_every_student(hostile_class):
    """Does the class finish, every student (hostile or broken) with one row per graded question?"""
    students = {p.name for p in hostile_class["subs"].iterdir()}
    assert {s for s, _ in hostile_class["rows"]} == students
    csv_rows = course.read_csv(hostile_class["summary"].csv_path)
    assert {r.student_id for r in csv_rows} == students


def test_honest_students_are_graded_as_if_alone(hostile_class, source_nb01):
    """Do the two honest students get exactly their earned points, whatever their classmates did?"""
    points = _points(source_nb01)
    assert _score(hostile_class["rows"], "honest") == points
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    assert _score(hostile_class["rows"], "honest_buggy") == {g: (0.0 if g in lost else p) for g, p in points.items()}


@pytest.mark.parametrize("attack", sorted(PLAN))
def test_attacker_gets_no_unearned_point(hostile_class, source_nb01, attack):
    """Does each attacker score exactly what its honest answers earn, and not one point more?"""
    points = _points(source_nb01)
    earned = _earned(PLAN[attack][2], points)
    got = _score(hostile_class["rows"], attack)
    assert got == {g: earned.get(g, 0.0) for g in points}


@pytest.mark.parametrize("attack", sorted(EXPECTED_STATUS))
def test_status_says_what_happened(hostile_class, source_nb01, attack):
    """Does the status of every question the attack spoiled name the cause (timeout, memory, crashed, tampered)?"""
    earned = _earned(PLAN[attack][2], _points(source_nb01))
    spoiled = [r for (s, gid), r in hostile_class["rows"].items() if s == attack and r.status != "manual" and gid not in earned]
    assert spoiled and {r.status for r in spoiled} <= EXPECTED_STATUS[attack], [(r.grade_id, r.status, r.message) for r in spoiled]


def test_gradebook_and_csv_are_written_only_by_the_grader(hostile_class):
    """Do the gradebook and grades.csv hold the grader's numbers (no sandbox wrote them, now or later)?"""
    text = hostile_class["summary"].csv_path.read_text()
    assert "hacked" not in text and text.startswith("student_id,")
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{hostile_class['course'] / 'gradebook.db'}") as gb:
        honest = gb.find_submission(ASSIGNMENT, "honest")
        assert honest.score == sum(_score(hostile_class["rows"], "honest").values())
        assert all(g.manual_score is None for nb in honest.notebooks for g in nb.grades)


def test_no_sandbox_process_outlives_its_run(hostile_class):
    """After grading, is no attacker process left (the forked daemon and the fork bomb's children died)?"""
    out = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
    assert "nncourse-attack-" not in out


def test_disk_filling_stays_in_the_sandbox(hostile_class):
    """Did the attempt to write 2 GB leave the host's disk as it was (the writable places are small tmpfs)?"""
    assert hostile_class["disk_free_before"] - hostile_class["disk_free_after"] < 200 * 2**20


def test_no_connection_reached_the_host(hostile_class):
    """Did the network attack's connection to a server on the host's loopback never arrive?"""
    assert hostile_class["listener"].connections == 0


def test_invalid_json_is_reported_as_invalid(hostile_class):
    """Is a notebook that is not valid JSON graded 0 with status invalid and a message saying so?"""
    rows = [r for (s, _), r in hostile_class["rows"].items() if s == "bad_json"]
    assert rows and all(r.status == "invalid" and r.score == 0 for r in rows)
    assert "not a valid notebook" in rows[0].message


def test_empty_folder_is_reported_as_missing(hostile_class):
    """Is an empty assignment folder a row of 'missing' per question, not a silent gap?"""
    rows = [r for (s, _), r in hostile_class["rows"].items() if s == "empty_folder"]
    assert rows and all(r.status == "missing" for r in rows)
    assert "holds no notebook" in rows[0].message


def test_notebook_under_another_name_is_graded(hostile_class, source_nb01):
    """Is the only notebook in the folder graded even under another file name?"""
    assert _score(hostile_class["rows"], "renamed") == _points(source_nb01)


def test_deleted_and_retyped_cells_change_nothing_but_the_missing_answer(hostile_class, source_nb01):
    """With test cells deleted or edited and one answer cell turned into markdown, do the source's tests still run?"""
    got = _score(hostile_class["rows"], "retyped_cells")
    expected = {g: (0.0 if g == "test_relu" else p) for g, p in _points(source_nb01).items()}
    assert got == expected
    assert "missing" in hostile_class["rows"][("retyped_cells", "test_relu")].message


@pytest.mark.parametrize("student", ["solcat", "copycat"])
def test_symlinked_folders_are_refused(hostile_class, student):
    """Is a folder that links to the source notebooks or to a classmate's work refused, with no points?"""
    rows = [r for (s, _), r in hostile_class["rows"].items() if s == student]
    assert rows and all(r.status == "invalid" and r.score == 0 for r in rows)
    assert "symbolic link" in rows[0].message
    for f in (hostile_class["course"] / "feedback" / student).rglob("*.html"):
        assert "BEGIN SOLUTION" not in f.read_text() and "np.heaviside" not in f.read_text()


def test_a_3_gb_file_is_refused_without_reading_it(hostile_class):
    """Is a 3 GB notebook file refused as invalid by its size?"""
    rows = [r for (s, _), r in hostile_class["rows"].items() if s == "sparse"]
    assert rows and all(r.status == "invalid" for r in rows) and "over the" in rows[0].message


def test_a_50_mb_submission_is_graded(hostile_class, source_nb01):
    """Is a submission with 50 MB of stored output graded normally?"""
    assert _score(hostile_class["rows"], "huge_file") == _points(source_nb01)


def test_feedback_never_shows_hidden_tests(hostile_class):
    """Does no feedback file contain the hidden-test markers or the grader's check calls?"""
    files = list((hostile_class["course"] / "feedback").rglob("*.html"))
    assert len(files) == len({p.name for p in hostile_class["subs"].iterdir()})
    for f in files:
        text = f.read_text()
        assert "HIDDEN TESTS" not in text and "check(" not in text and "autograde" not in text.lower().replace("autograded", "")


def test_feedback_says_what_went_wrong(hostile_class):
    """Does the buggy student's feedback show the failed question's message?"""
    text = (hostile_class["course"] / "feedback" / "honest_buggy" / ASSIGNMENT / "perceptron.html").read_text()
    assert "expected 0.5" in text
