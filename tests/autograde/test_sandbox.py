"""The sandbox's bounds on host-wide resources, measured in the real sandbox with small probes (issue 11).

Each test runs a few lines of Python in the sandbox (``sandbox.run(..., argv=...)``: the same bwrap,
uid, prlimit, cgroups and seccomp filter as a graded notebook, without a kernel), or grades a
notebook, and prints what it measured. Each takes a free slot, as a grader's job does.
"""
from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, grader, sandbox, samples
from autograde.sandboxed.wire import WireError, read_untrusted_json

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None or os.geteuid() != 0,
                                reason="needs bubblewrap and root")


def _run(code: str, slot: int | None = None, **limits) -> sandbox.RunInfo:
    """Run ``code`` with python -I -c in the sandbox of a free slot (or of ``slot``, which the caller holds);
    its stderr comes back in stderr_tail."""
    if slot is None:
        with sandbox.slot() as n:
            return _run(code, n, **limits)
    job = Path(tempfile.mkdtemp(prefix="autograde-test-sandbox-"))
    (job / "in").mkdir()
    try:
        return sandbox.run(job, sandbox.Limits(**{"notebook_timeout": 60.0, **limits}), slot,
                           argv=[sys.executable, "-I", "-c", code])
    finally:
        sandbox.cleanup(job)


def _file_nr() -> int:
    return int(Path("/proc/sys/fs/file-nr").read_text().split()[0])


# --- the kernel's file table -------------------------------------------------------------------------

MAP_FILES = """
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
open("/tmp/small", "wb").write(b"x" * 4096)
for c in range(CHILDREN):
    if os.fork() == 0:
        n = 0
        try:
            for _ in range(PER_CHILD):
                fd = os.open("/tmp/small", os.O_RDONLY)
                addr = libc.mmap(None, 4096, 1, 1, fd, 0)  # PROT_READ, MAP_SHARED: keeps the open file alive
                os.close(fd)
                if addr in (None, 2**64 - 1):
                    break
                n += 1
        finally:
            print("child", c, "held", n, "files", file=sys.stderr, flush=True)
            time.sleep(60)
            os._exit(0)
time.sleep(60)
"""


def test_files_a_job_holds_are_bounded_by_its_memory_cgroup():
    """Do 16 children each mapping a file 65,000 times (the issue's attack, 1 million files) stop at the
    job's memory limit, because every open file is kernel memory charged to the job's cgroup?"""
    limit_mb = 128
    base, peak, stop = _file_nr(), [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _file_nr())
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    code = MAP_FILES.replace("CHILDREN", "16").replace("PER_CHILD", "65000")
    t0 = time.monotonic()
    info = _run(code, memory_mb=limit_mb, notebook_timeout=90.0)
    stop.set()
    held = peak[0] - base
    bound = limit_mb * 2**20 // sandbox._file_object_bytes()
    print(f"one job of {limit_mb} MB: the host's open files grew by at most {held:,} (bound {bound:,}: "
          f"{limit_mb} MB / {sandbox._file_object_bytes()} B per file) in {time.monotonic() - t0:.1f} s; "
          f"OOM-killed: {info.oom_killed}; fs.file-max {Path('/proc/sys/fs/file-max').read_text().strip()}")
    assert info.oom_killed, info.stderr_tail[-500:]  # the memory cgroup stopped it, not the file table
    assert 0 < held < bound


def test_file_table_is_larger_than_all_sandboxes_can_hold():
    """Is fs.file-max above every file all sandboxes together could hold (their parent cgroup's memory
    divided by the kernel's size of one open file), so that no job can make another's open() fail?"""
    bounds = sandbox.prepare_host()
    file_max = int(Path("/proc/sys/fs/file-max").read_text())
    print(f"all sandboxes: {bounds.memory_bytes / 2**30:.1f} GiB of memory -> at most {bounds.files:,} open files; "
          f"fs.file-max {file_max:,}, in use {_file_nr():,}; pids of all sandboxes {bounds.pids:,}; "
          f"unbounded here: {bounds.unbounded or 'nothing'}")
    assert not bounds.unbounded
    assert bounds.files == bounds.memory_bytes // sandbox._file_object_bytes()
    assert file_max - _file_nr() > bounds.files


def test_per_process_limits_inside():
    """Does a process in the sandbox see the job's limits on descriptors, processes and address space?"""
    info = _run("import resource, sys; print([resource.getrlimit(getattr(resource, 'RLIMIT_' + r))[0] "
                "for r in ('NOFILE', 'NPROC', 'AS')], file=sys.stderr)", open_files=256, processes=32, memory_mb=1024)
    assert info.stderr_tail.strip() == str([256, 32, 1024 * 2**20])


# --- kernel keyrings ---------------------------------------------------------------------------------

KEYRING = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
payload = b"covert"
calls = {
    "add_key": lambda: libc.syscall(248, b"user", b"nncourse-covert", payload, len(payload), -4),
    "request_key": lambda: libc.syscall(249, b"user", b"nncourse-covert", None, 0),
    "keyctl_search": lambda: libc.syscall(250, 10, -4, b"user", b"nncourse-covert", 0),
    "keyctl_persistent": lambda: libc.syscall(250, 22, -1, -4),
}
for name, call in calls.items():
    ret = call()
    print(name, ret, ctypes.get_errno(), file=sys.stderr)
"""


def test_keyrings_are_closed_and_nothing_survives_a_job():
    """Do add_key, request_key and keyctl fail with EPERM in the sandbox, in a first and in a second job
    of the same slot (so no job can leave a key for the next), and does the slot's uid own no key?"""
    with sandbox.slot() as n:
        for _ in range(2):
            info = _run(KEYRING, n)
            results = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in info.stderr_tail.strip().splitlines()}
            assert results == {k: (-1, errno.EPERM) for k in ("add_key", "request_key", "keyctl_search", "keyctl_persistent")}
    # /proc/key-users: "uid: usage nkeys/nikeys qnkeys/maxkeys qnbytes/maxbytes". A uid that ever touched a
    # keyring keeps its two empty keyrings (user, user session): no key beyond them
    keys = {int(line.split(":")[0]): int(line.split(":")[1].split()[2].split("/")[0])
            for line in Path("/proc/key-users").read_text().splitlines()}
    assert keys.get(sandbox.BASE_UID + n, 0) <= 2, keys


@pytest.mark.skipif(platform.machine() != "x86_64", reason="i386 system calls from a 64-bit process: x86_64 only")
def test_a_32_bit_system_call_cannot_reach_the_keyrings():
    """Is keyctl through the i386 entry point (int 0x80, another syscall table) stopped too (the thread is killed)?"""
    code = """
import ctypes, mmap, sys
buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(bytes([0xb8, 0x20, 0x01, 0x00, 0x00, 0xcd, 0x80, 0xc3]))  # mov eax, 288 (i386 keyctl); int 0x80; ret
addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
print("before", file=sys.stderr, flush=True)
print("returned", ctypes.CFUNCTYPE(ctypes.c_int)(addr)(), file=sys.stderr, flush=True)
"""
    info = _run(code)
    assert "before" in info.stderr_tail and "returned" not in info.stderr_tail and info.returncode != 0


# --- matplotlib's font list ----------------------------------------------------------------------------------

FONTS = r"""
import json, logging, os, sys
logging.basicConfig(level=logging.INFO, stream=sys.stderr)  # matplotlib says "generated new fontManager" at INFO
import matplotlib
from matplotlib import font_manager as fm
import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.set_title("a title"); ax.set_xlabel("x"); fig.savefig("/tmp/figure.png")
name = f"/tmp/.mpl/fontlist-v{fm.FontManager.__version__}.json"
try:
    with open(name, "w") as fh:
        fh.write("{}")
    changed = "yes"
except OSError as exc:
    changed = type(exc).__name__
print("FONTS " + json.dumps({"cache": matplotlib.get_cachedir(), "exists": os.path.isfile(name), "changed": changed,
      "font": fm.findfont("DejaVu Sans"), "png": os.path.getsize("/tmp/figure.png")}), file=sys.stderr)
"""


def test_kernels_read_the_font_list_made_outside_and_cannot_change_it():
    """Does matplotlib in the sandbox use the font list the grader made (no "generated new fontManager", which costs
    every graded notebook 0.2-0.6 CPU-s here), draw text with it, and fail to write it, the host's file unchanged?"""
    cache = sandbox.font_cache()
    assert cache is not None, "the grader could not make matplotlib's font list"
    before = cache.read_bytes()
    info = _run(FONTS)
    said = info.stderr_tail
    assert "FONTS " in said, said[-2000:]
    got = json.loads(said.split("FONTS ", 1)[1].splitlines()[0])
    assert "generated new fontManager" not in said, said[-2000:]
    assert got["cache"] == "/tmp/.mpl" and got["exists"] and got["png"] > 1000, got
    assert got["changed"] in ("OSError", "PermissionError"), got   # a read-only file
    assert Path(got["font"]).name == "DejaVuSans.ttf", got
    assert cache.read_bytes() == before


# --- results read from the sandbox --------------------------------------------------------------------

def test_a_symlinked_results_folder_is_refused_not_followed(tmp_path):
    """With out/results a symlink to a host folder of valid JSON, is it refused at the folder, never read?"""
    out, host = tmp_path / "out", tmp_path / "host"
    out.mkdir()
    host.mkdir()
    (host / "step.json").write_text('{"name": "step"}')
    (out / "results").symlink_to(host)
    with pytest.raises(WireError, match="results is not a plain folder .a symbolic link."):
        read_untrusted_json(out / "results" / "step.json", root=out)
    (out / "results").unlink()
    (out / "results").mkdir()
    (out / "results" / "step.json").write_text('{"name": "step"}')
    assert read_untrusted_json(out / "results" / "step.json", root=out) == {"name": "step"}
    assert read_untrusted_json(out / "results" / "none.json", root=out) is None


# --- CPU ---------------------------------------------------------------------------------------------

HOG = """
import os, time
for i in range(50):
    if os.fork() == 0:
        os.setsid()
        end = time.time() + 300
        while time.time() < end:
            pass
        os._exit(0)
time.sleep(300)
"""


def _honest_job(source_nb01, release_nb01, timeout: float) -> grader.Job:
    sub = nbformat.writes(samples.solved(release_nb01, source_nb01)).encode()
    return grader.Job("honest", "01_perceptron", "perceptron.ipynb", source_nb01.read_text(), sub,
                      limits=sandbox.Limits(notebook_timeout=timeout, cell_timeout=timeout / 2).as_dict(), seed=1)


def test_an_honest_notebook_beside_a_cpu_hog_finishes_in_time(source_nb01, release_nb01):
    """Graded beside a job of 50 spinning processes (each in its own session), does an honest notebook
    get its share of the CPU and all its points well within its time limit?"""
    timeout = 60.0
    job = _honest_job(source_nb01, release_nb01, timeout)
    t0 = time.monotonic()
    grader.grade_notebook(job)
    alone = time.monotonic() - t0
    with sandbox.slot() as hog_slot:
        hog = threading.Thread(target=_run, args=(HOG, hog_slot), kwargs={"notebook_timeout": 3 * timeout}, daemon=True)
        hog.start()
        time.sleep(3)
        t0 = time.monotonic()
        result = grader.grade_notebook(job)
        beside = time.monotonic() - t0
        sandbox._kill_cgroup(sandbox._cgroup_dirs(hog_slot, sandbox.Limits()))
        hog.join(30)
    print(f"honest notebook: {alone:.1f} s alone, {beside:.1f} s beside 50 spinning processes ({beside / alone:.1f}x), "
          f"limit {timeout:g} s")
    assert {r.status for r in result.rows} <= {"ok", "manual"}
    assert beside < timeout / 2


# --- host-side failures ------------------------------------------------------------------------------

def _summary(*cells, **extra):
    return {"cells": [{"role": role, "error": {"ename": "OSError", "evalue": evalue} if evalue else None} for role, evalue in cells],
            **extra}


RUN = sandbox.RunInfo(returncode=0, wall_seconds=1.0, timed_out=False, oom_killed=False, stderr_tail="")


@pytest.mark.parametrize("summary, run, host", [
    (_summary(("setup", None), ("answer", "[Errno 23] Too many open files in system")), RUN, True),
    (_summary(("setup", "[Errno 24] Too many open files"), ("answer", None)), RUN, True),
    (_summary(("setup", None), ("answer", "[Errno 28] No space left on device")), RUN, False),   # its own full /tmp
    (_summary(("setup", None), ("extra", "[Errno 24] Too many open files")), RUN, False),        # its own descriptors
    (_summary(client_error="OSError: [Errno 12] Cannot allocate memory"), RUN, True),
    (_summary(("setup", None), ("answer", None), client_error="OSError: [Errno 28] No space left on device"), RUN, False),
    (_summary(), sandbox.RunInfo(1, 1.0, False, False, "OSError: [Errno 11] Resource temporarily unavailable"), True),
    (_summary(), sandbox.RunInfo(1, 1.0, False, False, "Traceback ...\nValueError: bad"), False),
])
def test_host_failure_is_told_from_the_students_own(summary, run, host):
    """Is a full file table anywhere, or a host error before any student code ran, a host failure, and a
    student's own full /tmp or descriptor table not?"""
    assert bool(sandbox.host_failure(run, summary)) is host


def test_a_sandbox_that_cannot_start_is_a_host_failure(monkeypatch):
    """When bwrap cannot set the sandbox up (here: a bind of a path that does not exist), is it a HostFailure?"""
    binds = sandbox._binds
    monkeypatch.setattr(sandbox, "_binds", lambda: [*binds(), "--ro-bind", "/nonexistent-autograde-test", "/x"])
    job = Path(tempfile.mkdtemp(prefix="autograde-test-sandbox-"))
    (job / "in").mkdir()
    try:
        with sandbox.slot() as n, pytest.raises(sandbox.HostFailure, match="bwrap: Can't find source path"):
            sandbox.run(job, sandbox.Limits(notebook_timeout=30.0), n)
    finally:
        sandbox.cleanup(job)


def test_a_failed_output_mount_is_a_host_failure():
    """Is a tmpfs that cannot be mounted a HostFailure (retried), not the student's crash?"""
    job = Path(tempfile.mkdtemp(prefix="autograde-test-sandbox-"))
    (job / "in").mkdir()
    try:
        with sandbox.slot() as n, pytest.raises(sandbox.HostFailure, match="could not mount"):
            sandbox.run(job, sandbox.Limits(out_mb=-1), n)
    finally:
        sandbox.cleanup(job)


def test_host_failures_are_retried_then_reported_uncacheable(monkeypatch, source_nb01):
    """Is a job that fails for a host-side reason retried after a wait, its result kept if a retry works, and
    one that always fails reported as host-error, not cacheable, while the others are graded once?"""
    calls: dict[str, int] = {}
    good = grader.Result("ok", "01_perceptron", "perceptron", [], "", 0.0, "k")

    def fake_round(jobs, opts, on_result, host_failed, sources=None, client=None):
        for job in jobs:
            calls[job.student_id] = calls.get(job.student_id, 0) + 1
            if job.student_id == "flaky" and calls["flaky"] == 1 or job.student_id == "doomed":
                host_failed.append((job, sandbox.HostFailure("ENFILE")))
            elif job.student_id == "crashy" and calls["crashy"] == 1:
                host_failed.append((job, OSError(errno.ENOSPC, "No space left on device")))
            else:
                on_result(job, good)

    monkeypatch.setattr(classroom, "_run_round", fake_round)
    monkeypatch.setattr(classroom, "HOST_RETRY_WAITS", (0.01, 0.01))
    source = source_nb01.read_text()
    jobs = [grader.Job(s, "01_perceptron", "perceptron.ipynb", source, b"", seed=1) for s in ("ok", "flaky", "crashy", "doomed")]
    got: dict[str, grader.Result] = {}
    classroom._run_jobs(jobs, classroom.Options(), lambda job, res: got.__setitem__(job.student_id, res))
    assert calls == {"ok": 1, "flaky": 2, "crashy": 2, "doomed": 3}
    assert got["flaky"] is good and got["crashy"] is good and got["ok"] is good
    doomed = got["doomed"]
    assert not doomed.cacheable and doomed.rows and all(r.status == classroom.HOST_STATUS and r.score == 0 for r in doomed.rows)
    assert "not the student's doing" in doomed.rows[0].message


def test_host_failure_crosses_the_process_pool(source_nb01, monkeypatch):
    """Does a HostFailure raised in a worker process (here: an output tmpfs that cannot be mounted) come
    back as one, get retried, and end as host-error rows that are not cacheable?"""
    monkeypatch.setattr(classroom, "HOST_RETRY_WAITS", (0.1,))
    sub = nbformat.writes(nbformat.read(str(source_nb01), as_version=4)).encode()
    job = grader.Job("s", "01_perceptron", "perceptron.ipynb", source_nb01.read_text(), sub,
                     limits=sandbox.Limits(out_mb=-1).as_dict(), seed=1)
    got = []
    classroom._run_jobs([job], classroom.Options(workers=1), lambda j, r: got.append(r))
    assert len(got) == 1 and not got[0].cacheable
    assert {r.status for r in got[0].rows} == {classroom.HOST_STATUS} and "could not mount" in got[0].rows[0].message


def test_no_more_jobs_at_once_than_the_memory_budget_holds(monkeypatch):
    """Are jobs admitted only as far as all sandboxes' memory budget holds them at their limit (so the
    budget never kills a job within its own limit), a job waiting for a slot rather than failing?"""
    budget = sandbox.prepare_host().memory_bytes
    assert sandbox.max_jobs(sandbox.Limits(memory_mb=2048)) == min(64, budget // 2**31)
    assert sandbox.max_jobs(sandbox.Limits(memory_mb=10**7)) == 1
    monkeypatch.setattr(sandbox, "SLOT_DIR", Path(tempfile.mkdtemp(prefix="autograde-test-slots-")))
    got = []

    def second():
        with sandbox.slot(1) as n:
            got.append(n)

    with sandbox.slot(1) as first:
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.6)
        assert first == 0 and got == []  # still waiting
    thread.join(5)
    assert got == [0]


# --- a sandbox started before its job (autograde self) ---------------------------------------------------

def _as_dicts(result: grader.Result) -> list[dict]:
    return [r.as_dict() for r in result.rows]


def test_a_sandbox_started_early_runs_nothing_before_its_job_and_grades_as_one_started_after(source_nb01, release_nb01):
    """Does a sandbox started before its job (``autograde self``) wait for the whole job, with nothing of the
    notebook run (no summary in its output folder), and then grade the notebook exactly as a sandbox started after
    the job was written? And is the job folder gone afterwards?"""
    job = _honest_job(source_nb01, release_nb01, 120.0)
    early = sandbox.Early(sandbox.Limits(**job.limits), job.sandbox)
    time.sleep(4)   # long enough for the client and its kernel to start on a loaded machine
    assert early._thread.is_alive(), "the early sandbox exited before its job was written"
    assert not (early.work / "out" / "summary.json").exists(), "the client began before the job was marked ready"
    with_early = grader.grade_notebook(job, early=early)
    assert early.done and not early.work.exists()
    assert _as_dicts(with_early) == _as_dicts(grader.grade_notebook(job))
    assert {r.status for r in with_early.rows} <= {"ok", "manual"}


def test_an_early_sandbox_whose_job_is_invalid_is_withdrawn(source_nb01):
    """When the submission turns out not to be a notebook, is the early sandbox withdrawn (its thread ends, its folder
    is removed) and the submission scored invalid, as without it?"""
    job = grader.Job("broken", "01_perceptron", "perceptron.ipynb", source_nb01.read_text(), b"{not json",
                     limits=sandbox.Limits(notebook_timeout=60.0).as_dict(), seed=1)
    early = sandbox.Early(sandbox.Limits(**job.limits), job.sandbox)
    t0 = time.monotonic()
    result = grader.grade_notebook(job, early=early)
    assert {r.status for r in result.rows} == {"invalid"}
    assert early.done and not early._thread.is_alive() and not early.work.exists()
    assert time.monotonic() - t0 < 30, "withdrawing the early sandbox waited for its wall-clock limit"


def test_an_early_sandbox_with_other_limits_is_not_used(source_nb01, release_nb01):
    """An early sandbox started with limits other than the job's is withdrawn and the job runs in a sandbox of its
    own, with its own limits."""
    job = _honest_job(source_nb01, release_nb01, 120.0)
    early = sandbox.Early(sandbox.Limits(notebook_timeout=5.0), job.sandbox)
    result = grader.grade_notebook(job, early=early)
    assert early.done and not early.work.exists()
    assert {r.status for r in result.rows} <= {"ok", "manual"}
