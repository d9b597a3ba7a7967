"""The sandbox: bubblewrap + a non-root uid + resource limits (+ cgroups where the machine has them).

Two modes (:func:`resolve_mode`; docs/sandbox-modes.md measures what each keeps):

- ``full`` (the grader runs as root): everything below: a uid per worker slot, cgroups, a raised file table;
- ``user`` (a normal user, where the kernel allows unprivileged user namespaces): :func:`run_user`. The same
  filesystem view, namespaces, seccomp filter, per-process limits and wall clock, under the grader's own uid:
  what it cannot keep without root is :data:`USER_MODE_GAPS`, printed when grading starts.

One grading job runs ``python -m autograde.sandboxed.client /job`` (nbclient and the kernel) inside (full mode)::

    sh (joins the job's cgroups) -> prlimit (memory, processes, CPU, file size)
       -> bwrap (own pid/net/ipc/uts namespaces, no capabilities, a minimal read-only filesystem)
          -> setpriv (a non-root uid per worker slot, no new privileges, killed with its parent)

What the sandbox sees: ``/usr`` (and the ``/bin``, ``/lib`` links), ``/etc``, the Python interpreter,
the virtual environment, the ``nbcourse`` package and ``autograde.sandboxed`` (no answers, no known
mistakes: see that subpackage's docstring for the whole list), its
job folder (``/job/in`` read-only, ``/job/out`` writable) and size-limited tmpfs ``/tmp`` and
``/dev/shm``. Not the source notebooks, the gradebook, other submissions or the network.
The wall-clock limit is enforced from outside: the whole sandbox is killed.

Host-wide resources, and what bounds each (measured on cgroup v1, kernel 6.18; see docs/grader.md, step 4):

- memory, kernel memory included: the slot's memory cgroup (``memory.limit_in_bytes``; slab objects
  such as open files, mappings and tmpfs inodes are charged to it), and all slots together the parent
  cgroup ``autograde`` (:data:`HOST_MEMORY_SHARE` of RAM);
- the kernel's file table: every open file is a 192-byte ``filp`` object charged to the job's memory
  cgroup, so all sandboxes together hold at most (parent budget / 192 B) files; ``fs.file-max`` is
  raised above that once (:func:`prepare_host`), so the table is never the limit that is reached;
- processes: the slot's ``pids.max``, the parent's ``pids.max`` (half of ``kernel.pid_max``), RLIMIT_NPROC;
- CPU: one ``cpu`` cgroup per slot (``autograde-slotN``, beside the host's sessions), with the weight of one
  session: a job with 50 spinning processes, each in its own session, gets the same share as a job with one;
- disk and inodes: nothing of the host is writable; ``/tmp``, ``/dev/shm`` and the output folder are
  size-limited tmpfs, whose pages and inodes are charged to the job's memory cgroup;
- kernel keyrings (per uid, they outlive every process): a seccomp filter denies ``add_key``,
  ``request_key`` and ``keyctl``, so no job can leave anything there for the next job of its slot.

A job that fails for a host-side reason raises :class:`HostFailure` (see :func:`host_failure`): the
class retries it and never records it as the student's result.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import autograde
import nbcourse

BASE_UID = 64000        # sandbox users are uid BASE_UID + slot (no passwd entry needed)
SLOT_DIR = Path(tempfile.gettempdir()) / "autograde-slots"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_PARENT = "autograde"  # every slot's cgroups live under this one, which bounds them all together
HOST_MEMORY_SHARE = 0.75     # all sandboxes together may use this share of the host's RAM (kernel memory included)
FILE_OBJECT_BYTES = 192      # the kernel's ``filp`` slab object (one per open file); read from /proc/slabinfo when possible
# kernel keyrings are per uid and outlive every process of it: a channel from one job of a slot to the next
DENIED_SYSCALLS = ("add_key", "request_key", "keyctl")
# the user-namespace sandbox has no cpu cgroup: a notebook weighs what its session weighs (the scheduler's autogroup),
# so no process in it may start another session (50 processes in 50 sessions would get 50 shares of the CPU)
USER_DENIED_SYSCALLS = (*DENIED_SYSCALLS, "setsid")
# errors that say the host ran out of something (never the student's own limits, which have their own statuses)
HOST_ERRNOS = {errno.ENFILE: "ENFILE", errno.EMFILE: "EMFILE", errno.ENOSPC: "ENOSPC", errno.ENOMEM: "ENOMEM",
               errno.EAGAIN: "EAGAIN"}


@dataclass
class Limits:
    """Resource limits of one notebook's run (defaults fit a laptop and a class)."""

    memory_mb: int = 2048          # address space per process (RLIMIT_AS) and the job's cgroup memory
    processes: int = 64            # processes + threads of the sandbox user (RLIMIT_NPROC, cgroup pids.max)
    cell_timeout: float = 30.0     # seconds per cell, then the kernel is interrupted
    notebook_timeout: float = 120.0  # wall-clock seconds for the whole notebook, then the sandbox is killed
    output_bytes: int = 2_000_000  # outputs kept for feedback (errors always kept)
    file_mb: int = 64              # largest file the sandbox may write (RLIMIT_FSIZE)
    tmp_mb: int = 256              # size of the sandbox's /tmp
    out_mb: int = 64               # size of the job's output folder (a tmpfs: no run can fill the disk)
    open_files: int = 1024         # open descriptors per process (RLIMIT_NOFILE; also bounds fds in flight over sockets)

    def as_dict(self) -> dict:
        return asdict(self)


class SandboxUnavailable(RuntimeError):
    """No sandbox can run here (a tool is missing, or neither root nor unprivileged user namespaces): the grader
    refuses rather than run unprotected, saying what is needed."""


class HostFailure(RuntimeError):
    """The job failed for a reason on the grading host (a full file table or disk, a spawn or mount that
    failed), not because of the student's code: retry it later, never score or cache it."""


MODES = ("auto", "full", "user")
DOCS = "docs/sandbox-modes.md"
# What the user-namespace sandbox cannot keep without root (measured: docs/sandbox-modes.md), printed when grading starts
USER_MODE_GAPS = (
    "student code runs under your own uid (confined by its namespaces), not under a separate uid per worker slot",
    "no cgroups: a notebook's memory is bounded per process only (up to --processes x --memory-mb in all), and kernel "
    "memory (open files, mappings, socket buffers) and the memory of all notebooks together not at all, so one "
    "submission can fill the kernel's file table (fs.file-max is not raised) or push the machine into its OOM killer",
)


def _tools(mode: str) -> list[str]:
    return ["bwrap", "setpriv", "prlimit"] if mode == "full" else ["bwrap", "prlimit", "unshare"]


def check_available(requested: str = "auto", announce: bool = True) -> str:
    """The sandbox mode this process can run (``full`` or ``user``), or :class:`SandboxUnavailable` saying what
    is needed. In the user mode, the promises it does not keep are printed (once per process; not with
    ``announce=False``, as on Dask workers, for which the grading process says it once: :func:`announce_workers`)."""
    mode = resolve_mode(requested)
    missing = [tool for tool in _tools(mode) if shutil.which(tool) is None]
    if missing:
        raise SandboxUnavailable(
            f"the sandbox needs {', '.join(missing)} on PATH (Debian/Ubuntu: apt-get install bubblewrap util-linux; "
            f"`make sandbox-deps` does it). Without it student code would run with your permissions: it could read "
            f"the source notebooks and rewrite the gradebook. Pass --unsafe-no-sandbox only for your own notebook."
        )
    if mode == "user":
        problem = userns_problem()
        if problem:
            raise SandboxUnavailable(_no_sandbox_message(requested, problem))
        if announce:
            _announce_user_mode()
    return mode


def resolve_mode(requested: str = "auto") -> str:
    """``full`` as root, ``user`` otherwise; an explicit request that this process cannot honour is refused, saying why.

    The user mode is refused as root: it runs student code under the grader's own uid, and root's uid owns files
    (``/etc/shadow`` is readable by its owner without any capability) and is exempt from the process limit."""
    if requested not in MODES:
        raise SandboxUnavailable(f"unknown sandbox mode {requested!r}: expected one of {', '.join(MODES)}")
    root = os.geteuid() == 0
    if requested == "full" and not root:
        raise SandboxUnavailable(
            "the full sandbox (--sandbox full) needs root: it runs student code under a separate uid per worker "
            "slot, in cgroups of that slot, and mounts the output folder. Run the grader as root (sudo, or in a "
            "grading container), or use the user-namespace sandbox (--sandbox user, or auto), which keeps fewer "
            f"promises ({DOCS} lists them)")
    if requested == "user" and root:
        raise SandboxUnavailable(
            "the user-namespace sandbox (--sandbox user) runs student code under the grader's own uid, which is "
            "root here: root's uid owns files such as /etc/shadow and is exempt from the process limit. As root, "
            "the full sandbox is used (--sandbox full, or auto)")
    return "full" if requested == "full" or (requested == "auto" and root) else "user"


def _no_sandbox_message(requested: str, problem: str) -> str:
    why = "; ".join(_userns_hints()) or "no known switch is set here, so a seccomp or AppArmor profile may forbid them"
    head = ("the user-namespace sandbox (--sandbox user) cannot run here" if requested == "user" else
            "no sandbox can run here: the full sandbox needs root (it gives each worker slot its own uid and cgroups), "
            "and the sandbox for a normal user needs unprivileged user namespaces, which this machine does not allow")
    return (f"{head}.\n{problem}\nWhy: {why}.\nWhat works: grade as root (sudo, or in a grading container run as root); "
            f"or ask the administrator to allow unprivileged user namespaces; or, for your own notebook only, pass "
            f"--unsafe-no-sandbox (no protection at all). See {DOCS}.")


def _userns_hints() -> list[str]:
    """The machine's known switches that forbid unprivileged user namespaces, as set now."""
    hints = []
    for path, bad, text in [
            ("/proc/sys/user/max_user_namespaces", "0", "user.max_user_namespaces is 0 (sysctl -w user.max_user_namespaces=15000 allows them)"),
            ("/proc/sys/kernel/unprivileged_userns_clone", "0", "kernel.unprivileged_userns_clone is 0 (Debian's switch: sysctl -w kernel.unprivileged_userns_clone=1)"),
            ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1",
             "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10 and later: AppArmor takes the capabilities "
             "that unshare needs to mount the sandbox's tmpfs)")]:
        with contextlib.suppress(OSError):
            if Path(path).read_text().strip() == bad:
                hints.append(text)
    if not hints and (Path("/.dockerenv").exists() or Path("/run/.containerenv").exists()):
        hints.append("this is a container, whose seccomp profile may forbid unshare (Docker's default does)")
    return hints


_userns_lock = threading.Lock()
_userns_result: str | None = None
_announced = False


def userns_problem() -> str:
    """"" when the user-namespace sandbox works here (tried once per process: unshare, the tmpfs mounts, bwrap with
    its namespaces and the seccomp filter, the nested process limit); else what failed."""
    global _userns_result
    with _userns_lock:
        if _userns_result is None:
            job = Path(tempfile.mkdtemp(prefix="autograde-userns-probe-"))
            try:
                (job / "in").mkdir()
                info = run_user(job, Limits(notebook_timeout=60.0), argv=["true"])
                _userns_result = "" if info.returncode == 0 else (
                    "trying it failed: " + (info.stderr_tail.strip()[-600:] or f"exit code {info.returncode}"))
            except (HostFailure, OSError) as exc:
                _userns_result = f"trying it failed: {exc}"
            finally:
                cleanup(job)
        return _userns_result


def _announce_user_mode() -> None:
    global _announced
    if not _announced:
        _announced = True
        print(user_mode_notice(), file=sys.stderr)


def user_mode_notice() -> str:
    """What the user-namespace sandbox keeps and what it does not (printed when grading starts)."""
    gaps = list(USER_MODE_GAPS)
    if _read_int(Path("/proc/sys/kernel/sched_autogroup_enabled"), 1) != 1:
        gaps.append("the CPU share per notebook (kernel.sched_autogroup_enabled is 0, and there is no cpu cgroup)")
    return ("autograde: sandbox: user namespaces (you are not root). Kept: no network, only /usr, /etc, Python, the venv "
            "and the course helpers visible (read-only), no capabilities, the seccomp filter, per-process limits, "
            "--processes per notebook, size-limited /tmp and output folder, the wall-clock limit, nothing outliving its "
            "run, one CPU share per notebook. Not kept without root: " + "; ".join(gaps) + ". For every promise, grade "
            f"as root (e.g. in a grading container). Details: {DOCS}")


def announce_workers(modes: dict) -> None:
    """After each Dask worker said which sandbox it runs (:func:`check_available` on it): one line, plus the
    user-namespace sandbox's notice when any worker runs it."""
    counts = {m: sum(1 for v in modes.values() if v == m) for m in ("full", "user")}
    print(f"autograde: Dask workers: {counts['full']} with the full sandbox, {counts['user']} with the user-namespace "
          "sandbox", file=sys.stderr)
    if counts["user"]:
        _announce_user_mode()


def run_job(job_dir: Path, limits: Limits, requested: str = "auto") -> RunInfo:
    """Run one prepared job folder in this process's sandbox mode: a free worker slot for the full sandbox (never more
    jobs than the host's memory budget holds), none for the user-namespace sandbox (it has no uid or cgroup per slot)."""
    if resolve_mode(requested) == "user":
        return run_user(job_dir, limits)
    with slot(max_jobs(limits)) as n:
        return run(job_dir, limits, n)


class Early:
    """A sandbox started before its job is written, so that its client and kernel start (about 1.5 s) while the grader
    reads the notebook and writes the job: ``autograde self`` on one notebook starts one first thing.

    The client waits for the job folder's ``in/ready`` mark, which :func:`autograde.grader.write_job` writes last
    (``in/`` is bound read-only into the sandbox, and what the grader writes there later shows through), or for
    ``in/cancel`` (:meth:`cancel`). Nothing of the student's runs before the job is complete, and the sandbox is the
    same as :func:`run_job`'s: same command, limits, slot and wall clock (which counts the wait as well)."""

    def __init__(self, limits: Limits, requested: str = "auto"):
        self.limits, self.requested = limits, requested
        self.work = Path(tempfile.mkdtemp(prefix="autograde-job-"))
        (self.work / "in").mkdir()
        self._info: RunInfo | None = None
        self._error: BaseException | None = None
        self.done = False   # waited for, or withdrawn
        self._thread = threading.Thread(target=self._run, name="autograde-early-sandbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._info = run_job(self.work, self.limits, self.requested)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait(), in the grader's thread
            self._error = exc

    def wait(self) -> RunInfo:
        """The run's :class:`RunInfo` once the sandbox has exited (after the job was marked ready)."""
        self.done = True
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._info

    def cancel(self) -> None:
        """Withdraw the job if it was not run (nothing to run: say, the submission was invalid); the folder is removed.
        Safe to call again, and after :meth:`wait`: then it only removes what is left."""
        if not self.done:
            self.done = True
            (self.work / "in" / "cancel").touch()
            self._thread.join()
        cleanup(self.work)


@contextlib.contextmanager
def slot(max_slots: int = 64):
    """A worker slot, held with a file lock for the duration of a job: its own uid and cgroups.

    Works the same for threads, processes and Dask workers on one machine. When all ``max_slots`` are
    taken, it waits for one (each job ends within its wall-clock limit).
    """
    SLOT_DIR.mkdir(parents=True, exist_ok=True)
    while True:
        for n in range(max_slots):
            fh = open(SLOT_DIR / f"{n}.lock", "w")
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            try:
                yield n
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
                fh.close()
            return
        time.sleep(0.2)


def max_jobs(limits: Limits, ceiling: int = 64) -> int:
    """How many jobs may run at once on this host: as many as all sandboxes' memory budget holds at the
    job's limit. More would let the budget (the parent cgroup) bind before a job's own limit, and kill a job
    that stayed within its limit, which would then be scored as the student's memory error."""
    budget = prepare_host().memory_bytes
    if not budget:
        return ceiling
    return max(1, min(ceiling, budget // (limits.memory_mb * 2**20)))


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
        return True
    except OSError:
        return False


def _read_int(path: Path, default: int = 0) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def _host_memory() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def _file_object_bytes() -> int:
    """Bytes of kernel memory one open file costs at least: the ``filp`` slab object."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/slabinfo").read_text().splitlines():
            if line.startswith("filp "):
                return int(line.split()[3])
    return FILE_OBJECT_BYTES


@dataclass
class HostBounds:
    """What all sandboxes of this host may hold together, and what is not bounded here (see docs/grader.md, step 4)."""

    memory_bytes: int = 0       # the parent memory cgroup's limit (kernel memory included), 0 if none
    pids: int = 0               # the parent pids cgroup's limit, 0 if none
    files: int = 0              # open files all sandboxes can hold together (memory_bytes / filp object size)
    file_max: int = 0           # fs.file-max after preparation
    unbounded: list = field(default_factory=list)


_host_lock = threading.Lock()
_host: HostBounds | None = None


def prepare_host() -> HostBounds:
    """Once per process: the parent cgroups that bound all slots together, and a file table above what they allow.

    The kernel charges every open file (and every mapping that keeps one alive) to the memory cgroup of the
    process that opened it. So the sandboxes together can hold at most ``budget / 192 B`` files, and once
    ``fs.file-max`` is above that, no sandbox can make another's ``open`` fail with ENFILE: the memory limit
    is reached first, and it stops only the job that reached it. (systemd raises fs.file-max to its maximum
    on boot for the same reason; this raises it only as far as the sandboxes need.)
    """
    global _host
    with _host_lock:
        if _host is not None:
            return _host
        bounds = HostBounds()
        memory = CGROUP_ROOT / "memory"
        if (memory / "cgroup.procs").exists():
            parent = memory / CGROUP_PARENT
            budget = int(_host_memory() * HOST_MEMORY_SHARE) // 2**20 * 2**20
            with contextlib.suppress(OSError):
                parent.mkdir(exist_ok=True)
            _write(parent / "memory.use_hierarchy", "1")
            if _read_int(parent / "memory.limit_in_bytes", 2**63) > budget and budget:
                _write(parent / "memory.limit_in_bytes", str(budget))
            limit = _read_int(parent / "memory.limit_in_bytes", 2**63)
            if limit < 2**62:
                bounds.memory_bytes = limit
            else:
                bounds.unbounded.append("memory of all sandboxes together (the parent memory cgroup's limit could not be set)")
            if not (parent / "memory.kmem.usage_in_bytes").exists() or "nokmem" in Path("/proc/cmdline").read_text():
                bounds.unbounded.append("kernel memory: open files, mappings, tmpfs inodes (no kmem accounting in the memory cgroup)")
        else:
            bounds.unbounded.append("memory of all sandboxes together, kernel memory, the file table (no cgroup v1 memory controller)")
        pids = CGROUP_ROOT / "pids"
        if (pids / "cgroup.procs").exists():
            parent = pids / CGROUP_PARENT
            with contextlib.suppress(OSError):
                parent.mkdir(exist_ok=True)
            total = max(1024, _read_int(Path("/proc/sys/kernel/pid_max"), 32768) // 2)
            if _read_int(parent / "pids.max", 2**31) > total:  # "max" reads as the default
                _write(parent / "pids.max", str(total))
            bounds.pids = _read_int(parent / "pids.max", 0)
        else:
            bounds.unbounded.append("processes of all sandboxes together (no cgroup v1 pids controller)")
        if not (CGROUP_ROOT / "cpu" / "cgroup.procs").exists():
            bounds.unbounded.append("CPU share per job (no cgroup v1 cpu controller)")
        file_max = Path("/proc/sys/fs/file-max")
        if bounds.memory_bytes:
            bounds.files = bounds.memory_bytes // _file_object_bytes()
            # everything the sandboxes can hold, plus the host's files now and a million more of its own
            need = _read_int(Path("/proc/sys/fs/file-nr")) + bounds.files + 1_000_000
            if _read_int(file_max) < need and not _write(file_max, str(need)):
                bounds.unbounded.append(f"the kernel's file table (fs.file-max {_read_int(file_max)} is below the "
                                        f"{need} the sandboxes could fill, and could not be raised)")
        bounds.file_max = _read_int(file_max)
        if bounds.unbounded:
            print("autograde: on this host the sandbox does not bound: " + "; ".join(bounds.unbounded), file=sys.stderr)
        _host = bounds
        return bounds


def _cgroup_dirs(n: int, limits: Limits) -> list[Path]:
    """Per-slot cgroup v1 folders (under the parent of all slots) with their limits, where the machine allows it.

    memory: the job's memory, kernel memory included (its open files, mappings, tmpfs inodes), and TCP
    buffers; pids: processes and threads; cpu: one share per slot, whatever the number of processes or sessions.
    """
    prepare_host()
    made = []
    for controller, settings in (("pids", {"pids.max": str(limits.processes)}),
                                 ("memory", {"memory.limit_in_bytes": str(limits.memory_mb * 2**20),
                                             "memory.kmem.tcp.limit_in_bytes": str(min(limits.memory_mb, 256) * 2**20)}),
                                 ("cpu", {"cpu.shares": "1024"})):
        base = CGROUP_ROOT / controller
        if not (base / "cgroup.procs").exists():
            continue
        # cpu: at the top level, each slot weighs what one login session weighs (the scheduler's autogroup of a
        # session), as a sandbox did before it had a cpu cgroup; under a common parent, all slots would share one
        d = base / (f"{CGROUP_PARENT}-slot{n}" if controller == "cpu" else f"{CGROUP_PARENT}/slot{n}")
        try:
            d.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        for key, value in settings.items():
            if (d / key).exists():
                _write(d / key, value)
        made.append(d)
    return made


def _kill_cgroup(dirs: list[Path]) -> None:
    for d in dirs:
        try:
            for pid in (d / "cgroup.procs").read_text().split():
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass


def _oom_killed(dirs: list[Path], before: int) -> bool:
    for d in dirs:
        f = d / "memory.failcnt"
        if f.exists():
            with contextlib.suppress(OSError, ValueError):
                return int(f.read_text()) > before
    return False


def _failcnt(dirs: list[Path]) -> int:
    for d in dirs:
        f = d / "memory.failcnt"
        if f.exists():
            with contextlib.suppress(OSError, ValueError):
                return int(f.read_text())
    return 0


_SCMP_ACT_ALLOW = 0x7FFF0000
_seccomp_cache: dict[tuple, bytes] = {}


def seccomp_program(denied: tuple[str, ...] = DENIED_SYSCALLS) -> bytes:
    """A seccomp BPF program (made with libseccomp, which bubblewrap itself links) that makes the ``denied``
    system calls (:data:`DENIED_SYSCALLS`; the user-namespace sandbox adds :data:`USER_DENIED_SYSCALLS`) fail with
    EPERM; a system call of another architecture (``int 0x80``, x32) kills the thread, so no other entry point
    reaches them."""
    if denied in _seccomp_cache:
        return _seccomp_cache[denied]
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise SandboxUnavailable(f"the sandbox needs libseccomp ({name}: {exc}); Debian/Ubuntu: apt-get install libseccomp2") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise SandboxUnavailable("libseccomp could not make a filter")
    try:
        for syscall in denied:
            nr = lib.seccomp_syscall_resolve_name(syscall.encode())
            if nr < 0 or lib.seccomp_rule_add_array(ctx, 0x00050000 | errno.EPERM, nr, 0, None) != 0:
                raise SandboxUnavailable(f"libseccomp could not deny {syscall}")
        with tempfile.TemporaryFile() as fh:
            if lib.seccomp_export_bpf(ctx, fh.fileno()) != 0:
                raise SandboxUnavailable("libseccomp could not export the filter")
            fh.seek(0)
            _seccomp_cache[denied] = fh.read()
    finally:
        lib.seccomp_release(ctx)
    return _seccomp_cache[denied]


def _binds() -> list[str]:
    """Read-only binds of the interpreter, the venv, ``nbcourse`` and ``autograde.sandboxed``.

    A private folder on the way (root's 0700 home holds pyenv's Python) is covered by an empty tmpfs
    first, so nothing else in it shows; bwrap would make the missing parents 0700, so each is made 0755.
    """
    args: list[str] = []
    pkg = Path(autograde.__file__).resolve().parent
    # of autograde, only what runs inside (autograde.sandboxed): never the items (known mistakes) or the grader
    targets = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
               Path(nbcourse.__file__).resolve().parent, pkg / "__init__.py", pkg / "sandboxed"}
    mounted = {Path("/"), Path("/usr"), Path("/etc"), Path("/tmp"), Path("/proc"), Path("/dev")}
    made: set[Path] = set()
    for target in sorted(targets, key=lambda q: (len(q.parts), str(q))):
        for parent in reversed(target.parents):
            if parent in mounted or parent in made or any(parent == t for t in targets):
                continue
            if parent.stat().st_mode & 0o077 == 0:  # a private folder: hide its contents
                args += ["--perms", "0755", "--tmpfs", str(parent)]
            else:
                args += ["--perms", "0755", "--dir", str(parent)]
            made.add(parent)
        if not any(t in target.parents for t in targets):  # not already visible through an outer bind
            args += ["--ro-bind", str(target), str(target)]
    if any(t in pkg.parents for t in targets):
        # the grader installed into the venv (pip install ., not editable): the venv's bind would show all of it, its
        # items (known mistakes and alternatives: answers) included. Hide the package, show back what runs inside.
        args += ["--perms", "0755", "--tmpfs", str(pkg)]
        for part in (pkg / "__init__.py", pkg / "sandboxed"):
            args += ["--ro-bind", str(part), str(part)]
    return args


def _env(mode: str) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/.mpl",
        "IPYTHONDIR": "/tmp/.ipython", "JUPYTER_CONFIG_DIR": "/tmp/.jupyter", "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime",
        "JUPYTER_PLATFORM_DIRS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NBCOURSE_GRADING": "1", "AUTOGRADE_HARNESS": "/job", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    if mode == "user":  # setsid is denied there: the client starts the kernel in a process group of its own instead
        env["AUTOGRADE_NO_SETSID"] = "1"
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # this machine's numpy needs them (see env notes)
        if var in os.environ:
            env[var] = os.environ[var]
    return env


def _usr_links() -> list[str]:
    links = []
    for name in ("bin", "lib", "lib64", "sbin"):
        p = Path("/") / name
        if p.is_symlink():
            links += ["--symlink", os.readlink(p), f"/{name}"]
        elif p.is_dir():
            links += ["--ro-bind", str(p), f"/{name}"]
    return links


def command(job_dir: Path, uid: int, limits: Limits, seccomp_fd: int | None = None, argv: list[str] | None = None,
            mode: str = "full") -> list[str]:
    """The bwrap command line of one job (without the cgroup/prlimit wrapper of :func:`run`, or the user-namespace
    wrapper of :func:`run_user`).

    ``seccomp_fd``: a readable descriptor holding :func:`seccomp_program`; ``argv``: what runs inside
    (default: the client on ``/job``; tests run small probes). ``mode``: ``full`` (as root: the slot's ``uid``
    through setpriv) or ``user`` (as the grader's own uid, in a user namespace of its own; /tmp, /dev/shm and the
    output folder are the tmpfs that :func:`run_user` mounted in ``job_dir/box``; the process limit is set inside,
    where it counts only this sandbox's processes).
    """
    argv = argv or [sys.executable, "-I", "-m", "autograde.sandboxed.client", "/job"]
    cmd = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if mode == "user":
        # every capability goes (they would be the namespace's own only), and no user namespace can be made inside
        cmd += ["--unshare-user", "--uid", str(os.getuid()), "--gid", str(os.getgid()), "--cap-drop", "ALL",
                *(["--disable-userns"] if _bwrap_version() >= (0, 8) else [])]
    else:
        # every capability goes, but the three setpriv needs to become the slot's uid; setpriv then empties
        # the bounding set, and the uid change clears the rest (no_new_privs: nothing regains them)
        cmd += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"]
    cmd += ["--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", *_usr_links(), "--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev"]
    if mode == "user":
        box = job_dir / "box"
        cmd += ["--bind", str(box / "tmp"), "/tmp", *_font_binds(), "--bind", str(box / "shm"), "/dev/shm", *_binds(),
                "--perms", "0755", "--dir", "/job", "--ro-bind", str(job_dir / "in"), "/job/in",
                "--bind", str(box / "out"), "/job/out"]
    else:
        cmd += ["--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp", *_font_binds(),
                "--perms", "1777", "--size", str(64 * 2**20), "--tmpfs", "/dev/shm", *_binds(),
                "--perms", "0755", "--dir", "/job", "--ro-bind", str(job_dir / "in"), "/job/in",
                "--bind", str(job_dir / "out"), "/job/out"]
    cmd += ["--chdir", "/tmp", "--clearenv"]
    if seccomp_fd is not None:
        cmd += ["--seccomp", str(seccomp_fd)]
    for k, v in _env(mode).items():
        cmd += ["--setenv", k, v]
    if mode == "user":
        # RLIMIT_NPROC counts the processes of a uid in a user namespace (and each namespace's processes in its
        # parents too): set inside, it bounds this sandbox alone, whatever else runs under your uid
        return [*cmd, "--", "prlimit", f"--nproc={limits.processes}", "--", *argv]
    return [*cmd, "--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
            "--bounding-set=-all", "--inh-caps=-all", "--pdeathsig=KILL", "--", *argv]


# matplotlib's font cache for the kernels, made on the trusted side (see font_cache).
_FONT_CACHE_BUILD = r"""
import os, sys
from matplotlib import font_manager as fm
out, roots = sys.argv[1], tuple(os.path.realpath(r) + os.sep for r in sys.argv[2:])
m = fm.FontManager()
for attr in ("ttflist", "afmlist"):  # only fonts a sandbox can see (/usr and the interpreter's own trees)
    setattr(m, attr, [e for e in getattr(m, attr) if os.path.realpath(e.fname).startswith(roots)])
fm.json_dump(m, out)
print(fm.FontManager.__version__)
"""


@functools.cache
def font_cache() -> Path | None:
    """matplotlib's font list for the sandbox's kernels (its file, named as MPLCONFIGDIR wants it), or None.

    A kernel's first ``import matplotlib.pyplot`` looks for ``fontlist-vNNN.json`` in its MPLCONFIGDIR (the
    sandbox's empty /tmp/.mpl) and, not finding it, lists and reads every font of the system to write one: 0.2-0.6
    CPU-seconds of every graded notebook on the test machine (87 fonts; `import matplotlib.pyplot` 1.3-1.5 against
    1.1-1.3 CPU-s, measured), more on a host with more fonts, and the same list every time. It is made here once
    per machine and matplotlib version, by this interpreter in a process of its own with an empty HOME (so no font
    of the grader's own account is listed), keeping only fonts under /usr and the interpreter's trees, which every
    sandbox binds read-only; each sandbox gets it as a read-only file. It is made on the trusted side and never
    written back from a sandbox, so no student can change a classmate's fonts. Kept in $XDG_CACHE_HOME/autograde
    (default ~/.cache/autograde); None (each kernel makes its own, as before) when it cannot be made."""
    try:
        from importlib.metadata import version

        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autograde" / \
            f"matplotlib-{version('matplotlib')}"
        found = sorted(folder.glob("fontlist-v*.json"))
        if found:
            return found[-1]
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="autograde-fonts-") as home:
            tmp = folder / f".building-{os.getpid()}.json"
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "MPLCONFIGDIR": home,
                   "LANG": "C.UTF-8"}
            done = subprocess.run([sys.executable, "-I", "-c", _FONT_CACHE_BUILD, str(tmp), "/usr",
                                   sys.prefix, sys.base_prefix], env=env, capture_output=True, text=True, timeout=120)
            if done.returncode != 0 or not tmp.is_file():
                tmp.unlink(missing_ok=True)
                return None
            final = folder / f"fontlist-v{done.stdout.strip().splitlines()[-1]}.json"
            os.chmod(tmp, 0o644)
            os.replace(tmp, final)   # atomic: graders making it at once each see a whole file
            return final
    except (OSError, ValueError, IndexError, subprocess.SubprocessError, ImportError):
        return None


def _font_binds() -> list[str]:
    """/tmp/.mpl (the kernels' MPLCONFIGDIR, writable by all) holding the font list of :func:`font_cache`, read-only."""
    path = font_cache()
    if path is None:
        return []
    return ["--perms", "1777", "--dir", "/tmp/.mpl", "--ro-bind", str(path), f"/tmp/.mpl/{path.name}"]


_bwrap_version_cache: tuple | None = None


def _bwrap_version() -> tuple:
    global _bwrap_version_cache
    if _bwrap_version_cache is None:
        try:
            out = subprocess.run(["bwrap", "--version"], capture_output=True, text=True, timeout=30).stdout
            _bwrap_version_cache = tuple(int(x) for x in re.findall(r"(\d+)\.(\d+)", out)[0])
        except (OSError, IndexError, ValueError, subprocess.TimeoutExpired):
            _bwrap_version_cache = (0, 0)
    return _bwrap_version_cache


@dataclass
class RunInfo:
    """What the trusted side itself observed about a run (never read from the sandbox)."""

    returncode: int
    wall_seconds: float
    timed_out: bool
    oom_killed: bool
    stderr_tail: str


def _mount_out(out: Path, uid: int, limits: Limits) -> None:
    """The writable output folder is a size-limited tmpfs: many big files cannot fill the host's disk
    (nor its inodes: at most 4096, each charged to the job's memory cgroup)."""
    opts = f"size={limits.out_mb}m,nr_inodes=4096,mode=0700,uid={uid},gid={uid},nosuid,nodev,noexec"
    try:
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(out)], capture_output=True, text=True)
    except OSError as exc:  # the host could not even start mount(8)
        raise HostFailure(f"could not start mount for the job's output tmpfs: {exc}") from None
    if proc.returncode != 0:
        raise HostFailure(f"could not mount the job's output tmpfs ({proc.stderr.strip()[:300]}); the grader needs root "
                          "with the right to mount (in a container: CAP_SYS_ADMIN)")


def cleanup(job_dir: Path) -> None:
    """Unmount the job's output tmpfs (if mounted) and delete the job folder."""
    out = job_dir / "out"
    if os.path.ismount(out):
        if subprocess.run(["umount", str(out)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(out)], capture_output=True)
    shutil.rmtree(job_dir, ignore_errors=True)


# lines only the wrapper (sh, prlimit, bwrap, setpriv; unshare and the user-namespace wrapper) writes, before any
# code of the notebook runs
_TOOL_ERROR = re.compile(r"^(?:sh: |prlimit: |bwrap: |setpriv: |unshare: |autograde-sandbox: )", re.M)
_HOST_ERRNO = re.compile(r"\[Errno (\d+)\]|(Too many open files in system|No space left on device|Cannot allocate memory)")


def _host_errors(text: str, which: set[int] | None = None) -> list[str]:
    """The host-side error numbers named in ``text`` (by "[Errno N]" or strerror), as names like ENFILE."""
    which = set(HOST_ERRNOS) if which is None else which
    found = []
    names = {"Too many open files in system": errno.ENFILE, "No space left on device": errno.ENOSPC,
             "Cannot allocate memory": errno.ENOMEM}
    for m in _HOST_ERRNO.finditer(text or ""):
        n = int(m.group(1)) if m.group(1) else names[m.group(2)]
        if n in which and HOST_ERRNOS[n] not in found:
            found.append(HOST_ERRNOS[n])
    return found


def run(job_dir: Path, limits: Limits, slot_number: int, argv: list[str] | None = None) -> RunInfo:
    """Run one prepared job folder in the sandbox; kill it at the wall-clock limit.

    The output folder stays mounted for the caller to read; :func:`cleanup` removes it. Raises
    :class:`HostFailure` when the sandbox could not be set up or started (a failed mount or spawn, an
    error of bwrap or its wrapper before the notebook's client started).
    """
    uid = BASE_UID + slot_number
    out = job_dir / "out"
    out.mkdir(exist_ok=True)
    _mount_out(out, uid, limits)
    os.chmod(job_dir / "in", 0o755)
    cgroups = _cgroup_dirs(slot_number, limits)
    _kill_cgroup(cgroups)  # a job of this slot that a dead worker left behind
    fail_before = _failcnt(cgroups)
    join = " && ".join(f"echo $$ > {d / 'cgroup.procs'}" for d in cgroups) or "true"
    cpu = int(limits.notebook_timeout * 2 + 10)
    seccomp = os.memfd_create("autograde-seccomp", 0)  # inheritable only through pass_fds
    try:
        os.write(seccomp, seccomp_program())
        os.lseek(seccomp, 0, os.SEEK_SET)
        wrapper = ["sh", "-c", f'{join} && exec "$@"', "sh",
                   "prlimit", f"--as={limits.memory_mb * 2**20}", f"--nproc={limits.processes}",
                   f"--nofile={limits.open_files}", f"--cpu={cpu}", f"--fsize={limits.file_mb * 2**20}", "--core=0", "--",
                   *command(job_dir, uid, limits, seccomp, argv)]
        returncode, wall, timed_out, tail = _supervise(wrapper, None, limits, lambda: _kill_cgroup(cgroups), pass_fds=(seccomp,))
    finally:
        os.close(seccomp)
    _kill_cgroup(cgroups)  # nothing outlives its run, even if it escaped the pid namespace's teardown
    info = RunInfo(returncode, wall, timed_out, _oom_killed(cgroups, fail_before), tail)
    if argv is None and not info.oom_killed and not os.path.lexists(out / "summary.json"):
        # the client writes its summary before any cell runs: without one, nothing of the student's ran
        tools = [ln for ln in tail.splitlines() if _TOOL_ERROR.match(ln)]
        if tools or timed_out or _host_errors(tail):
            why = tools[-1] if tools else ("it did not start within the time limit" if timed_out else _host_errors(tail)[0])
            raise HostFailure(f"the sandbox did not start: {why[:300]}")
    return info


# The user-namespace sandbox's wrapper: the grader's interpreter (python -I -S), run by `unshare --user --map-root-user
# --mount`, so it is root of a user and mount namespace of its own (your uid outside) and may mount tmpfs there. It is
# trusted code, outside the sandbox's view: it mounts /tmp, /dev/shm and the output folder as tmpfs with sizes and inode
# counts, runs bwrap, kills it at the wall-clock limit, waits until every process of the sandbox is gone (it is their
# subreaper), then copies the output folder to the job folder on disk (its tmpfs dies with this namespace): two levels
# deep (the grader reads summary.json, executed.ipynb and results/*.json), symlinks as symlinks (the grader refuses
# them), a hard-linked file once. Its verdict (timed out? copied?) goes to box.json, which the sandbox never sees.
_USER_WRAPPER = r"""
import ctypes, errno, json, os, stat, subprocess, sys
cfg, cmd = json.loads(sys.argv[1]), sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
for path, opts, flags in cfg["mounts"]:
    if libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, opts.encode()) != 0:
        sys.stderr.write("autograde-sandbox: could not mount a tmpfs on %s: %s\n" % (path, os.strerror(ctypes.get_errno())))
        sys.exit(125)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: the sandbox's init comes back to us if bwrap dies first
try:
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, pass_fds=cfg["fds"])
except OSError as exc:
    sys.stderr.write("autograde-sandbox: could not start bwrap: %s\n" % exc)
    sys.exit(126)
timed_out = False
try:
    rc = proc.wait(timeout=cfg["timeout"])
except subprocess.TimeoutExpired:
    timed_out = True
    proc.kill()  # bwrap: --die-with-parent takes the sandbox's init, and with it the whole pid namespace
    rc = proc.wait()
while True:  # every child, the orphaned sandbox init included: only then is no sandbox process left
    try:
        os.waitpid(-1, 0)
    except ChildProcessError:
        break
    except InterruptedError:
        pass
HOST = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.ENOMEM, errno.EMFILE, errno.ENFILE, errno.EROFS}
seen, left, copy_error = {}, [cfg["entries"]], ""
def copy(src, dst, depth):
    global copy_error
    with os.scandir(src) as it:
        for e in it:
            if left[0] <= 0 or copy_error:
                return
            left[0] -= 1
            s, d = os.path.join(src, e.name), os.path.join(dst, e.name)
            try:
                st = os.lstat(s)
                if stat.S_ISLNK(st.st_mode):
                    os.symlink(os.readlink(s), d)
                elif stat.S_ISDIR(st.st_mode):
                    os.mkdir(d, 0o755)
                    if depth > 1:
                        copy(s, d, depth - 1)
                elif stat.S_ISREG(st.st_mode):
                    if (st.st_dev, st.st_ino) in seen:
                        os.link(seen[(st.st_dev, st.st_ino)], d)
                        continue
                    fi = os.open(s, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                    try:
                        fo = os.open(d, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
                        try:
                            while True:
                                chunk = os.read(fi, 1 << 20)
                                if not chunk:
                                    break
                                while chunk:
                                    chunk = chunk[os.write(fo, chunk):]
                        finally:
                            os.close(fo)
                    finally:
                        os.close(fi)
                    seen[(st.st_dev, st.st_ino)] = d
            except OSError as exc:  # the host's failure stops the copy; anything else skips one odd entry
                if exc.errno in HOST:
                    copy_error = "%s: %s" % (errno.errorcode.get(exc.errno, exc.errno), exc.strerror)
try:
    copy(cfg["box_out"].encode(), cfg["out"].encode(), 2)
except OSError as exc:
    copy_error = copy_error or "%s: %s" % (errno.errorcode.get(exc.errno, exc.errno), exc.strerror)
with open(cfg["status"], "w") as fh:
    json.dump({"returncode": rc, "timed_out": timed_out, "copy_error": copy_error}, fh)
sys.exit(rc if rc >= 0 else 128 - rc)
"""
USER_TMP_INODES = 16384   # /tmp of the user-namespace sandbox: without a memory cgroup, inodes must be bounded by count
USER_OUT_INODES = 4096    # the output folder and /dev/shm
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8


def run_user(job_dir: Path, limits: Limits, argv: list[str] | None = None) -> RunInfo:
    """Run one prepared job folder in the user-namespace sandbox (no root): the same filesystem view, namespaces,
    seccomp filter (plus ``setsid``), per-process limits and wall clock as :func:`run`, under the grader's own uid.

    ``unshare`` makes a user and mount namespace in which :data:`_USER_WRAPPER` (trusted) mounts size- and
    inode-limited tmpfs for ``/tmp``, ``/dev/shm`` and ``/job/out``, runs bwrap (a user namespace of its own, no
    capabilities, the process limit set inside), kills it at the wall-clock limit and copies the output folder
    back to ``job_dir/out``. Raises :class:`HostFailure` as :func:`run` does.
    """
    out, box = job_dir / "out", job_dir / "box"
    out.mkdir(exist_ok=True)
    for name in ("tmp", "shm", "out"):
        (box / name).mkdir(parents=True, exist_ok=True)
    cpu = int(limits.notebook_timeout * 2 + 10)
    seccomp = os.memfd_create("autograde-seccomp", 0)  # inheritable only through pass_fds
    status = job_dir / "box.json"
    try:
        os.write(seccomp, seccomp_program(USER_DENIED_SYSCALLS))
        os.lseek(seccomp, 0, os.SEEK_SET)
        cfg = {"timeout": limits.notebook_timeout, "fds": [seccomp], "entries": 4 * USER_OUT_INODES,
               "box_out": str(box / "out"), "out": str(out), "status": str(status),
               "mounts": [(str(box / "tmp"), f"size={limits.tmp_mb}m,nr_inodes={USER_TMP_INODES},mode=0700", _MS_NOSUID | _MS_NODEV),
                          (str(box / "shm"), f"size=64m,nr_inodes={USER_OUT_INODES},mode=0700", _MS_NOSUID | _MS_NODEV),
                          (str(box / "out"), f"size={limits.out_mb}m,nr_inodes={USER_OUT_INODES},mode=0700",
                           _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)]}
        # RLIMIT_NPROC is not set here: out here it would count every process of your uid (command() sets it inside)
        wrapper = ["prlimit", f"--as={limits.memory_mb * 2**20}", f"--nofile={limits.open_files}", f"--cpu={cpu}",
                   f"--fsize={limits.file_mb * 2**20}", "--core=0", "--",
                   "unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "--",
                   sys.executable, "-I", "-S", "-c", _USER_WRAPPER, json.dumps(cfg),
                   *command(job_dir, os.getuid(), limits, seccomp, argv, mode="user")]
        # the wrapper kills the sandbox at the limit and then copies its output: this is only the backstop
        backstop = replace(limits, notebook_timeout=limits.notebook_timeout + 30)
        returncode, wall, killed, tail = _supervise(wrapper, None, backstop, pass_fds=(seccomp,))
    finally:
        os.close(seccomp)
    try:
        verdict = json.loads(status.read_text())
    except (OSError, ValueError):
        verdict = {}
    if verdict.get("copy_error"):
        raise HostFailure(f"could not copy the job's output folder from its tmpfs: {str(verdict['copy_error'])[:300]}")
    timed_out = killed or bool(verdict.get("timed_out"))
    info = RunInfo(returncode, wall, timed_out, False, tail)
    if argv is None and not os.path.lexists(out / "summary.json"):
        tools = [ln for ln in tail.splitlines() if _TOOL_ERROR.match(ln)]
        if tools or killed or not verdict or _host_errors(tail):
            why = (tools[-1] if tools else "it did not finish within the time limit" if killed
                   else _host_errors(tail)[0] if _host_errors(tail) else f"its wrapper stopped (exit code {returncode})")
            raise HostFailure(f"the sandbox did not start: {why[:300]}")
    return info


def host_failure(run: RunInfo, summary: dict) -> str:
    """Why a finished run failed for a host-side reason, from what the trusted side saw; "" if it did not.

    - ENFILE anywhere: the kernel's file table was full. No sandbox can fill it (see :func:`prepare_host`),
      so it is the host's doing, whichever cell met it;
    - EMFILE, ENOSPC, ENOMEM or EAGAIN before any student code ran: in the set-up cells that come first in
      the grading notebook, or, when no other cell ran, in the client itself (its ``client_error``, or its
      stderr when no cell ran at all). Later, these are the student's own limits (a full ``/tmp``, too many
      open files), with their own statuses.

    Student code can fake these (it shares the client's uid): that only earns it a retry and a row that
    says "host-error" with no points, never points or a cached verdict.
    """
    cells = [c for c in summary.get("cells") or [] if isinstance(c, dict)]
    everything = run.stderr_tail + "".join(str(c.get("error")) for c in cells) + str(summary.get("client_error", ""))
    if _host_errors(everything, {errno.ENFILE}):
        return "the kernel's file table was full (ENFILE: Too many open files in system)"
    leading = []
    for c in cells:
        if c.get("role") != "setup":
            break
        leading.append(c)
    before_student = "".join(str(c.get("error")) for c in leading if c.get("error"))
    if len(leading) == len(cells) and not run.timed_out and not run.oom_killed:  # no student cell ran
        before_student += str(summary.get("client_error", ""))
        if not cells:
            before_student += run.stderr_tail
    found = _host_errors(before_student)
    if found:
        return f"the host ran out of a resource before the student's code ran ({', '.join(found)})"
    return ""


def _supervise(cmd: list[str], env: dict | None, limits: Limits, on_timeout=lambda: None,
               pass_fds: tuple = ()) -> tuple[int, float, bool, str]:
    """Run ``cmd`` in its own session; at the wall-clock limit kill its process group (and call ``on_timeout``).

    Returns (exit code, wall seconds, timed out, the last 4000 characters of its stderr). A failure to
    start it at all (no process, no descriptor left on the host) is a :class:`HostFailure`.
    """
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True, pass_fds=pass_fds)
    except OSError as exc:
        raise HostFailure(f"could not start the sandbox: {type(exc).__name__}: {exc}") from None
    tail = _drain(proc.stderr)
    timed_out = False
    try:
        proc.wait(timeout=limits.notebook_timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        on_timeout()
        proc.wait()
    return proc.returncode, time.monotonic() - t0, timed_out, tail()


def _drain(stream, keep: int = 4000):
    """Read a sandbox's stderr to the end in a thread, keeping only its last ``keep`` bytes.

    The kernel can write to this pipe (it shares the client's uid): gigabytes must cost the grader nothing.
    """
    buf = bytearray()

    def pump():
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
            if not chunk:
                break
            buf.extend(chunk)
            if len(buf) > 4 * keep:
                del buf[:-keep]
        stream.close()

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()

    def result() -> str:
        thread.join(timeout=5)
        return bytes(buf[-keep:]).decode("utf-8", "replace")
    return result


def run_unsandboxed(job_dir: Path, limits: Limits) -> RunInfo:
    """Self-grading without bubblewrap (--unsafe-no-sandbox): the same client, same limits on time only."""
    env = {**os.environ, "NBCOURSE_GRADING": "1", "AUTOGRADE_HARNESS": str(job_dir), "MPLBACKEND": "Agg"}
    (job_dir / "out").mkdir(exist_ok=True)
    returncode, wall, timed_out, tail = _supervise([sys.executable, "-m", "autograde.sandboxed.client", str(job_dir)], env, limits)
    return RunInfo(returncode, wall, timed_out, False, tail)
