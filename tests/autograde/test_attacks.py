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

from autograde import classroom, course, samples, sandbox

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
    "file_table": ("solved", "after:setup", "all"),
    "keyring": ("solved", "after:relu", "all"),  # spoils its own relu if any keyring call went through
    "cpu_hog": ("solved", "after:setup", "all"),
    "symlink_results_dir": ("untouched", "after:setup", []),
    "forge_executed": ("solved", "after:setup", []),
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
    "symlink_results_dir": {"tampered"},
    "forge_executed": {"crashed"},
}
# generous: honest notebooks must never hit them on a loaded CI machine. The forged time-out is told from a real one
# by the whole run being shorter than cell_timeout: beside the CPU hog on a loaded 2-core machine, runs took over 8 s
LIMITS = {"cell_timeout": 15.0, "notebook_timeout": 30.0}


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


class _FileTable:
    """Samples the host's open-file count (fs.file-nr) while the class is graded."""

    def __init__(self):
        self.peak, self.base, self.stop = 0, self._now(), False
        self.max = int(Path("/proc/sys/fs/file-max").read_text())
        threading.Thread(target=self._sample, daemon=True).start()

    @staticmethod
    def _now() -> int:
        return int(Path("/proc/sys/fs/file-nr").read_text().split()[0])

    def _sample(self):
        while not self.stop:
            self.peak = max(self.peak, self._now())
            time.sleep(0.2)


def _many_cells(n: int) -> bytes:
    """A notebook of ``n`` one-character code cells (the issue's: 98.5 MiB with 2.15 million)."""
    cell = b'{"cell_type":"code","metadata":{},"source":"1"},'
    return b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[' + cell * (n - 1) + cell[:-1] + b']}'


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
             "@PORT@": str(listener.port), "@MYFOLDER@": str(subs / "symlink_results_dir" / ASSIGNMENT)}
    for name, (base, where, _) in PLAN.items():
        code = (ATTACKS / f"{name}.py").read_text()
        for k, v in fills.items():
            code = code.replace(k, v)
        nb = solved() if base == "solved" else samples.untouched(release_nb01)
        samples.write_submission(_insert(nb, where, code), subs, name, ASSIGNMENT, NOTEBOOK)
    for name in ORDER:  # forged results handed in beside the notebook, for the symlinked results folder to point at
        forged = {"name": name, "complete": True, "cases": [{"status": "ok", "outputs": [{"shape": [], "data": [1.0]}]}]}
        (subs / "symlink_results_dir" / ASSIGNMENT / f"{name}.json").write_text(json.dumps(forged))
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
    (subs / "many_cells" / ASSIGNMENT).mkdir(parents=True)
    (subs / "many_cells" / ASSIGNMENT / NOTEBOOK).write_bytes(_many_cells(2_150_000))

    gradebook_before = (course_dir / "gradebook.db").read_bytes()
    disk_free_before = shutil.disk_usage(root).free
    opts = classroom.Options(workers=2, limits=LIMITS, progress=False, force=True)
    files = _FileTable()
    t0 = time.monotonic()
    summary = classroom.grade_class(subs, course_dir, opts)
    elapsed = time.monotonic() - t0
    files.stop = True
    time.sleep(5)  # give any daemon that escaped its sandbox time to act
    listener.stop = True
    rows = {(r.student_id, r.grade_id): r for r in summary.rows}
    return {"rows": rows, "summary": summary, "course": course_dir, "subs": subs, "listener": listener,
            "elapsed": elapsed, "gradebook_before": gradebook_before, "disk_free_before": disk_free_before,
            "disk_free_after": shutil.disk_usage(root).free, "files": files}


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
    assert got == {g: earned.get(g, 0.0) for g in points}, [
        (gid, r.status, r.message[:200]) for (s, gid), r in hostile_class["rows"].items() if s == attack and got.get(gid) != earned.get(gid, 0.0)]


@pytest.mark.parametrize("attack", sorted(EXPECTED_STATUS))
def test_status_says_what_happened(hostile_class, source_nb01, attack):
    """Does the status of every question the attack spoiled name the cause (timeout, memory, crashed, tampered)?"""
    earned = _earned(PLAN[attack][2], _points(source_nb01))
    spoiled = [r for (s, gid), r in hostile_class["rows"].items() if s == attack and r.status != "manual" and gid not in earned]
    assert spoiled and {r.status for r in spoiled} <= EXPECTED_STATUS[attack], [(r.grade_id, r.status, r.message) for r in spoiled]


def test_a_forged_executed_notebook_adds_no_cell_to_formgrader_or_feedback(hostile_class):
    """Does a student who wrote the executed notebook itself (30,000 extra cells, then killed the client) get an
    autograded notebook and a feedback page with exactly the cells of its own submission (the honest one's plus its
    one added cell), none of the forged ones?"""
    course_dir = hostile_class["course"]

    def cells(student):
        return nbformat.read(str(course_dir / "autograded" / student / ASSIGNMENT / NOTEBOOK), as_version=4).cells

    forged, honest = cells("forge_executed"), cells("honest")
    assert len(forged) == len(honest) + 1
    assert not any("forged output" in json.dumps(c.get("outputs", [])) for c in forged)
    page = (course_dir / "feedback" / "forge_executed" / ASSIGNMENT / "perceptron.html").read_text()
    honest_page = (course_dir / "feedback" / "honest" / ASSIGNMENT / "perceptron.html").read_text()
    assert len(page) < 1.2 * len(honest_page) + 50_000 and "forged output" not in page


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
    out = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    # only the full sandbox's uids (one per worker slot): test_sandbox_user grades the same attacks as a normal user,
    # perhaps at this moment on another xdist worker, and its fork bomb's children are alive inside its sandbox then
    slots = range(sandbox.BASE_UID, sandbox.BASE_UID + 64)
    left = [args for uid, _, args in (line.strip().partition(" ") for line in out.splitlines())
            if uid.isdigit() and int(uid) in slots]
    assert not [a for a in left if "nncourse-attack-" in a], left


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
    """Does no feedback file contain the hidden-test markers or the grader's check calls (or the name of
    the grader's package, unless the student's own code, shown back to it, names it)?"""
    files = list((hostile_class["course"] / "feedback").rglob("*.html"))
    assert len(files) == len({p.name for p in hostile_class["subs"].iterdir()})
    for f in files:
        text = f.read_text()
        assert "HIDDEN TESTS" not in text and "check(" not in text, f
        own = hostile_class["subs"] / f.relative_to(hostile_class["course"] / "feedback").parent / NOTEBOOK
        if not (own.is_file() and "autograde" in own.read_text(errors="replace")):
            assert "autograde" not in text.lower().replace("autograded", ""), f


def test_feedback_says_what_went_wrong(hostile_class):
    """Does the buggy student's feedback show the failed question's message?"""
    text = (hostile_class["course"] / "feedback" / "honest_buggy" / ASSIGNMENT / "perceptron.html").read_text()
    assert "expected 0.5" in text


def test_file_table_keeps_its_headroom(hostile_class):
    """While 36 children of one attacker held 72,000 mapped files, did the host's file table stay far from full?"""
    files = hostile_class["files"]
    print(f"fs.file-nr: {files.base} before, peak {files.peak} during the class; fs.file-max {files.max}")
    assert files.peak < files.max // 4


def test_symlinked_results_folder_is_not_followed(hostile_class):
    """With /job/out/results a symlink to a host folder of forged results, does the grader refuse the folder
    itself (never read through it), and say so?"""
    rows = [r for (s, _), r in hostile_class["rows"].items() if s == "symlink_results_dir" and r.status != "manual"]
    assert rows and all(r.status == "tampered" and r.score == 0 for r in rows)
    assert all("results is not a plain folder (a symbolic link)" in r.message for r in rows), rows[0].message


def test_a_notebook_of_two_million_cells_is_refused_quickly(hostile_class):
    """Is a 98 MB notebook of 2.15 million one-character cells invalid, with a message that says why?"""
    rows = [r for (s, _), r in hostile_class["rows"].items() if s == "many_cells"]
    assert rows and all(r.status == "invalid" and r.score == 0 for r in rows)
    assert "JSON values" in rows[0].message


def test_no_job_failed_for_a_host_side_reason(hostile_class):
    """Did every job of the hostile class get a verdict (no host-side failure, so nothing left un-cached)?"""
    assert not [r for r in hostile_class["rows"].values() if r.status == classroom.HOST_STATUS]


def test_read_submission_bounds_time_and_memory_of_two_million_cells():
    """Is the issue's notebook (2.15 million cells, 98 MB) refused within seconds and a few hundred MB,
    where it once took 737 s and 15.7 GB?"""
    import resource
    import tracemalloc

    from autograde import grader

    data = _many_cells(2_150_000)
    t0 = time.monotonic()
    with pytest.raises(grader.InvalidSubmission, match="JSON values"):
        grader.read_submission(data)
    seconds = time.monotonic() - t0
    tracemalloc.start()  # a second time, to count its allocations (tracemalloc slows it down)
    with pytest.raises(grader.InvalidSubmission, match="JSON values"):
        grader.read_submission(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"refused in {seconds:.2f} s, peak {peak / 2**20:.0f} MB allocated beyond the {len(data) / 2**20:.0f} MB file "
          f"(process maxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)")
    assert seconds < 30 and peak < 400 * 2**20


@pytest.mark.parametrize("make, message", [
    (lambda: b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[' + b",".join(
        [b'{"cell_type":"code","metadata":{},"outputs":[],"execution_count":null,"source":"x=1"}'] * 2001) + b"]}", "2,001 cells"),
    (lambda: b'{"nbformat":4,"nbformat_minor":5,"metadata":{"a":' + b"[" * 70 + b"]" * 70 + b'},"cells":[]}', "nested more than"),
    (lambda: b'{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","metadata":{},"outputs":[],'
             b'"execution_count":null,"source":"' + b"x" * (2**20 + 1) + b'"}]}', "characters, over the limit"),
    (lambda: b'{"nbformat":4,"nbformat_minor":5,"metadata":{"x":[' + b",".join([b"[]"] * 600_000) + b']},"cells":[]}', "JSON values"),
])
def test_read_submission_limits(make, message):
    """Are too many cells, too deep nesting, a huge cell and a flood of empty lists each refused as invalid, saying which?"""
    from autograde import grader

    with pytest.raises(grader.InvalidSubmission, match=message):
        grader.read_submission(make())
