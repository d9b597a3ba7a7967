"""The sandbox without root (the user-namespace mode), run by a real non-root user.

A temporary Unix user (tests/autograde/conftest.py) grades its own solved notebook with ``autograde self`` and a
small hostile class with ``autograde grade``, the attacks chosen for what changes without root: the sandbox then runs
under the grader's own uid (so keyrings, the process limit and every file the grader owns are the grader's), with
no cgroup and no root-owned tmpfs. Attack cells come from tests/files/attacks/, planned as in test_attacks.py. The
whole corpus as a non-root user is tests/autograde/test_attacks_usermode.py (opt-in: 3 minutes). How each mode is
chosen and what each keeps: docs/sandbox-modes.md.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from autograde import course, samples, sandbox
from unix_user import unix_user  # noqa: F401  (a fixture: a temporary Unix user)

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("nncourse_attack_plan", Path(__file__).with_name("test_attacks.py"))
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)

ASSIGNMENT, NOTEBOOK = attacks.ASSIGNMENT, attacks.NOTEBOOK
EXE = Path(sys.executable).parent / "autograde"


def _keep_log(proc) -> Path:
    """The grading run's whole output, in a file that outlives the user's home (removed with the user)."""
    fd, name = tempfile.mkstemp(prefix="nncourse-usermode-grade-", suffix=".log")
    with os.fdopen(fd, "w") as fh:
        fh.write(f"exit code {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}")
    return Path(name)
# what matters most without root (see the module docstring); each attacker's honest points as in test_attacks.PLAN
CLASS = ["network", "read_source", "read_other", "forge_results", "fork_daemon", "memory_bomb", "process_bomb",
         "keyring", "disk_fill", "sigint_loop", "symlink_results_dir", "cpu_hog"]


def _auto_points(source_nb) -> float:
    nb = nbformat.read(str(source_nb), as_version=4)
    return sum(float(c.metadata["nbgrader"]["points"]) for c in nb.cells if c.cell_type == "code"
               and c.metadata.get("nbgrader", {}).get("grade") and not c.metadata["nbgrader"].get("solution"))


def test_self_as_a_normal_user_gets_full_marks_in_the_user_namespace_sandbox(unix_user, source_nb01, release_nb01):
    """Does a self-learner without root get full marks for a solved notebook 01 from `autograde self`, in the
    user-namespace sandbox, told what that sandbox does not keep?"""
    nb = unix_user.home / "work" / "perceptron.ipynb"
    nb.parent.mkdir()
    nbformat.write(samples.solved(release_nb01, source_nb01), str(nb))
    unix_user.own(nb.parent)
    proc = unix_user.run([EXE, "self", nb])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    total = _auto_points(source_nb01)
    assert f"autograded score: {total:g} / {total:g}" in proc.stdout, proc.stdout
    assert "sandbox: user namespaces" in proc.stderr and "Not kept without root" in proc.stderr, proc.stderr[-2000:]
    feedback = nb.with_suffix(".feedback.html")
    assert feedback.stat().st_uid == unix_user.uid


@pytest.fixture(scope="module")
def user_class(unix_user, source_nb01, release_nb01):
    """The class of :data:`CLASS` plus two honest students, graded by `autograde grade` as the user (2 workers)."""
    root = unix_user.home / "class"
    subs, course_dir = root / "submitted", root / "course"
    listener = attacks._Listener()
    solved = lambda: samples.solved(release_nb01, source_nb01)  # noqa: E731
    samples.write_submission(solved(), subs, "honest", ASSIGNMENT, NOTEBOOK)
    samples.write_submission(samples.with_answers(solved(), samples.BUGGY_01), subs, "honest_buggy", ASSIGNMENT, NOTEBOOK)
    fills = {"@GRADEBOOK@": str(course_dir / "gradebook.db"), "@SOURCE@": str(source_nb01),
             "@OTHER@": str(subs / "honest" / ASSIGNMENT / NOTEBOOK), "@COURSE@": str(course_dir),
             "@PORT@": str(listener.port), "@MYFOLDER@": str(subs / "symlink_results_dir" / ASSIGNMENT)}
    for name in CLASS:
        base, where, _ = attacks.PLAN[name]
        code = (attacks.ATTACKS / f"{name}.py").read_text()
        for k, v in fills.items():
            code = code.replace(k, v)
        nb = solved() if base == "solved" else samples.untouched(release_nb01)
        samples.write_submission(attacks._insert(nb, where, code), subs, name, ASSIGNMENT, NOTEBOOK)
    for name in attacks.ORDER:  # forged results beside the notebook, for the symlinked results folder to point at
        forged = {"name": name, "complete": True, "cases": [{"status": "ok", "outputs": [{"shape": [], "data": [1.0]}]}]}
        (subs / "symlink_results_dir" / ASSIGNMENT / f"{name}.json").write_text(json.dumps(forged))
    unix_user.own(root)
    disk_free_before = shutil.disk_usage(root).free
    t0 = time.monotonic()
    proc = unix_user.run([EXE, "grade", subs, "--course-dir", course_dir, "--workers", "2", "--no-progress", "--force",
                          "--cell-timeout", attacks.LIMITS["cell_timeout"], "--notebook-timeout", attacks.LIMITS["notebook_timeout"]],
                         timeout=600)
    elapsed = time.monotonic() - t0
    log = _keep_log(proc) if proc.returncode else None
    assert proc.returncode == 0, f"(whole output: {log}) " + proc.stdout[-2000:] + proc.stderr[-3000:]
    time.sleep(5)  # give any daemon that escaped its sandbox time to act
    listener.stop = True
    rows = {(r.student_id, r.grade_id): r for r in course.read_csv(course_dir / "grades.csv")}
    print(f"{len(CLASS) + 2} notebooks graded as {unix_user.name} in {elapsed:.1f} s")
    return {"rows": rows, "proc": proc, "course": course_dir, "listener": listener, "elapsed": elapsed,
            "processes_after": unix_user.processes(), "disk_free_before": disk_free_before,
            "disk_free_after": shutil.disk_usage(root).free}


def _score(rows, student):
    return {gid: r.score for (s, gid), r in rows.items() if s == student and r.status != "manual"}


def test_user_class_is_graded_in_the_user_namespace_sandbox(user_class):
    """Did `autograde grade` as a normal user choose the user-namespace sandbox and say what it does not keep?"""
    err = user_class["proc"].stderr
    assert "sandbox: user namespaces" in err and "separate uid per worker slot" in err and "no cgroups" in err, err[-2000:]


def test_honest_students_are_untouched_by_their_classmates(user_class, source_nb01):
    """Do both honest students get exactly their earned points beside the attackers, graded without root?"""
    points = attacks._points(source_nb01)
    assert _score(user_class["rows"], "honest") == points
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    assert _score(user_class["rows"], "honest_buggy") == {g: (0.0 if g in lost else p) for g, p in points.items()}


@pytest.mark.parametrize("attack", CLASS)
def test_attacker_gets_exactly_its_honest_points(user_class, source_nb01, attack):
    """Does each attacker score exactly what its honest answers earn in the user-namespace sandbox?"""
    points = attacks._points(source_nb01)
    earned = attacks._earned(attacks.PLAN[attack][2], points)
    got = _score(user_class["rows"], attack)
    assert got == {g: earned.get(g, 0.0) for g in points}, [
        (gid, r.status, r.message[:200]) for (s, gid), r in user_class["rows"].items() if s == attack and got.get(gid) != earned.get(gid, 0.0)]


@pytest.mark.parametrize("attack", sorted(set(CLASS) & set(attacks.EXPECTED_STATUS)))
def test_status_names_the_cause(user_class, source_nb01, attack):
    """Does every question an attack spoiled say why (the wall-clock kill, the memory limit, a symlinked folder)?"""
    earned = attacks._earned(attacks.PLAN[attack][2], attacks._points(source_nb01))
    spoiled = [r for (s, gid), r in user_class["rows"].items() if s == attack and r.status != "manual" and gid not in earned]
    assert spoiled and {r.status for r in spoiled} <= attacks.EXPECTED_STATUS[attack], [(r.grade_id, r.status, r.message) for r in spoiled]


def test_no_process_of_the_grader_outlives_the_class(user_class):
    """After `autograde grade` returned, is no process of the grading user left (the forked daemon, the fork bomb's
    children and the 50 spinning children all died with their sandboxes)?"""
    assert user_class["processes_after"] == []


def test_nothing_reached_the_host(user_class):
    """No connection to a server on the host's loopback, grades.csv and the gradebook (the grader's own files, under
    the uid the sandbox runs as) written by the grader only, and the disk as it was?"""
    assert user_class["listener"].connections == 0
    assert "hacked" not in (user_class["course"] / "grades.csv").read_text()
    assert b"hacked" not in (user_class["course"] / "gradebook.db").read_bytes()[:64]
    assert user_class["disk_free_before"] - user_class["disk_free_after"] < 200 * 2**20


# --- the promises one by one, measured with small probes run by the user ---------------------------------------

PROBE = r"""
import json, sys, tempfile
from pathlib import Path
from autograde import sandbox
limits = sandbox.Limits(**json.loads(sys.argv[2]))
job = Path(tempfile.mkdtemp(prefix="autograde-test-userns-"))
(job / "in").mkdir()
try:
    info = sandbox.run_user(job, limits, argv=[sys.executable, "-I", "-c", sys.argv[1]])
    out = sorted(str(p.relative_to(job / "out")) for p in (job / "out").rglob("*"))
    print(json.dumps({"rc": info.returncode, "timed_out": info.timed_out, "wall": info.wall_seconds,
                      "stderr": info.stderr_tail, "out": out}))
finally:
    sandbox.cleanup(job)
"""


def _probe(user, code: str, **limits) -> dict:
    proc = user.run([sys.executable, "-I", "-c", PROBE, code, json.dumps({"notebook_timeout": 60.0, **limits})], timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


FORKS = """
import os, sys, time
n = 0
try:
    for _ in range(200):
        if os.fork() == 0:
            time.sleep(5)
            os._exit(0)
        n += 1
except OSError as exc:
    print("forks", n, exc.errno, file=sys.stderr)
"""


HOLD = """
import os, signal, sys, time
children = []
for _ in range(40):
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        time.sleep(120)
        os._exit(0)
    children.append(pid)
def stop(*_):
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
open(sys.argv[1], "w").write(str(os.getpid()))
time.sleep(120)
"""


def test_the_process_limit_counts_the_sandbox_alone(unix_user):
    """With 41 other processes of the same user running outside, does a sandbox with --processes 16 still start,
    and stop forking near 16 (RLIMIT_NPROC set inside its user namespace counts that namespace only)?"""
    pid_file = unix_user.home / "holder.pid"
    outside = subprocess.Popen(unix_user.command([sys.executable, "-I", "-c", HOLD, pid_file]))
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(unix_user.processes()) >= 41
        res = _probe(unix_user, FORKS, processes=16)
    finally:
        if pid_file.exists() and pid_file.read_text():  # the holder kills and reaps its 40 children, then exits
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        outside.wait(timeout=60)
    line = [ln for ln in res["stderr"].splitlines() if ln.startswith("forks")]
    assert line, res["stderr"]
    forks, err = int(line[0].split()[1]), int(line[0].split()[2])
    print(f"with 41 processes of the user outside: {forks} forks inside a sandbox of 16 processes")
    assert err == 11 and 8 <= forks < 16


def test_keyrings_and_new_sessions_are_closed(unix_user):
    """Do add_key, request_key and keyctl (the keyrings of the grader's own uid) and setsid (a new session is a new
    CPU share) fail with EPERM in the user-namespace sandbox?"""
    code = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
got = {}
for name, call in {"add_key": lambda: libc.syscall(248, b"user", b"nncourse-covert", b"x", 1, -4),
                   "request_key": lambda: libc.syscall(249, b"user", b"nncourse-covert", None, 0),
                   "keyctl": lambda: libc.syscall(250, 22, -1, -4),
                   "setsid": lambda: libc.setsid()}.items():
    got[name] = (call(), ctypes.get_errno())
print(got, file=sys.stderr)
"""
    res = _probe(unix_user, code)
    assert eval(res["stderr"].strip().splitlines()[-1]) == {k: (-1, 1) for k in ("add_key", "request_key", "keyctl", "setsid")}


def test_output_folder_is_a_bounded_tmpfs_copied_back(unix_user):
    """Is the output folder size-limited (writing 100 MB stops at --out-mb), is what the grader reads copied back
    (two levels, a symlink as a symlink), and do 200 hard links of one file come back as one file's worth of disk?"""
    code = """
import os, sys
os.makedirs("/job/out/results/deeper/deepest")
open("/job/out/summary.json", "w").write("{}")
os.symlink("/etc/passwd", "/job/out/results/step.json")
with open("/job/out/results/big.bin", "wb") as fh:
    fh.write(b"x" * 2**20)
for i in range(200):
    os.link("/job/out/results/big.bin", f"/job/out/results/link{i}")
try:
    with open("/job/out/fill.bin", "wb") as fh:
        for _ in range(100):
            fh.write(b"\\0" * 2**20)
            fh.flush()
except OSError as exc:
    print("fill stopped:", exc.errno, os.path.getsize("/job/out/fill.bin") // 2**20, file=sys.stderr)
"""
    res = _probe(unix_user, code, out_mb=16)
    assert "fill stopped: 28" in res["stderr"], res["stderr"]
    assert int(res["stderr"].split("fill stopped: 28")[1].split()[0]) < 16
    assert {"summary.json", "results/step.json", "results/big.bin", "results/deeper", "fill.bin"} <= set(res["out"])
    assert "results/deeper/deepest" not in res["out"]  # two levels: the grader reads no deeper


def test_a_loop_ignoring_every_signal_is_killed_at_the_wall_clock_limit(unix_user):
    """Is a sandbox that ignores SIGINT and SIGTERM and spins killed at its wall-clock limit, said to have timed out,
    with what it wrote before kept?"""
    code = """
import signal
open("/job/out/summary.json", "w").write("{}")
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    pass
"""
    res = _probe(unix_user, code, notebook_timeout=3.0)
    assert res["timed_out"] and 3.0 <= res["wall"] < 20 and "summary.json" in res["out"], res


ENDLESS = r"""
import json, sys
from pathlib import Path
import nbformat
from autograde import grader, samples
src, rel = Path(sys.argv[1]), Path(sys.argv[2])
nb = samples.with_answers(samples.solved(rel, src), {"relu": "def relu(z):\n    while True:\n        pass"})
job = grader.Job("loop", "01_perceptron", "perceptron.ipynb", src.read_text(), nbformat.writes(nb).encode(),
                 limits={"cell_timeout": 4.0, "notebook_timeout": 90.0}, seed=1, sandbox="user")
print(json.dumps({r.grade_id: r.status for r in grader.grade_notebook(job).rows}))
"""


def test_an_endless_cell_is_interrupted_and_the_notebook_goes_on(unix_user, source_nb01, release_nb01):
    """With the kernel in a process group of its own (not a session: setsid is denied), does the interrupt at the
    cell limit still stop an endless relu, the next cells run in the same kernel, and only relu's test time out?"""
    proc = unix_user.run([sys.executable, "-I", "-c", ENDLESS, source_nb01, release_nb01], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    statuses = json.loads(proc.stdout.strip().splitlines()[-1])
    assert statuses.pop("test_relu") == "timeout"
    assert set(statuses.values()) <= {"ok", "manual"}, statuses


# --- choosing the mode ---------------------------------------------------------------------------------------

def test_user_mode_is_refused_as_root(tmp_path, source_nb01, release_nb01, capsys):
    """As root, is --sandbox user refused with the reason (it would run student code under root's uid)?"""
    if os.geteuid() != 0:
        pytest.skip("checks what root is told")
    from autograde import cli

    nb = tmp_path / "perceptron.ipynb"
    nbformat.write(samples.solved(release_nb01, source_nb01), str(nb))
    assert cli.main(["self", str(nb), "--sandbox", "user"]) == 2
    err = capsys.readouterr().err
    assert "root's uid" in err and "--sandbox full" in err, err


def test_full_mode_is_refused_without_root_saying_what_works(unix_user):
    """As a normal user, is --sandbox full refused, naming root and the user-namespace sandbox as the way out?"""
    nb = unix_user.home / "refused.ipynb"
    nb.write_text("{}")
    unix_user.own(nb)
    proc = unix_user.run([EXE, "self", nb, "--assignment", ASSIGNMENT, "--sandbox", "full"], timeout=120)
    assert proc.returncode == 2 and "needs root" in proc.stderr and "--sandbox user" in proc.stderr, proc.stderr


def test_without_user_namespaces_the_error_says_what_is_needed(unix_user):
    """Where a normal user may not make user namespaces (here: a container's seccomp profile, loaded before the
    user's command), does `autograde self` refuse with what failed and what to do (root, a kernel or administrator
    that allows them, --unsafe-no-sandbox for one's own notebook), without a traceback?"""
    nb = unix_user.home / "nouserns.ipynb"
    nb.write_text("{}")
    unix_user.own(nb)
    proc = unix_user.run([EXE, "self", nb, "--assignment", ASSIGNMENT], timeout=120, no_userns=True)
    err = proc.stderr
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert "no sandbox can run here" in err and "Operation not permitted" in err, err
    assert "as root" in err and "unprivileged user namespaces" in err and "--unsafe-no-sandbox" in err, err


# --- what the sandbox shows of the grader ----------------------------------------------------------------------

def test_a_grader_installed_into_the_venv_shows_only_its_sandboxed_part(monkeypatch):
    """When the grader lives inside the venv's folder (pip install ., not editable), does the sandbox still show only
    autograde/__init__.py and autograde/sandboxed, never the items (known mistakes and alternatives: answers)?"""
    if os.geteuid() != 0:
        pytest.skip("runs the full sandbox")
    pkg = Path(sandbox.autograde.__file__).resolve().parent
    monkeypatch.setattr(sys, "prefix", str(pkg.parent))  # the grader's parent folder stands for the venv
    code = (f"import os, sys; print(sorted(os.listdir({str(pkg)!r})), file=sys.stderr)\n"
            "try:\n    import autograde.items\n    print('items imported', file=sys.stderr)\n"
            "except ImportError as exc:\n    print('no items:', exc, file=sys.stderr)\n")
    job = Path(tempfile.mkdtemp(prefix="autograde-test-binds-"))
    (job / "in").mkdir()
    try:
        with sandbox.slot() as n:
            info = sandbox.run(job, sandbox.Limits(notebook_timeout=60.0), n,
                               argv=[sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(pkg.parent)!r})\n" + code])
    finally:
        sandbox.cleanup(job)
    assert "['__init__.py', 'sandboxed']" in info.stderr_tail and "no items:" in info.stderr_tail, info.stderr_tail
