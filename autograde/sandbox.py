"""The sandbox: bubblewrap + a non-root uid + resource limits (+ cgroups where the machine has them).

One grading job runs ``python -m autograde.sandboxed.client /job`` (nbclient and the kernel) inside::

    sh (joins the job's cgroups) -> prlimit (memory, processes, CPU, file size)
       -> bwrap (own pid/net/ipc/uts namespaces, no capabilities, a minimal read-only filesystem)
          -> setpriv (a non-root uid per worker slot, no new privileges, killed with its parent)

What the sandbox sees: ``/usr`` (and the ``/bin``, ``/lib`` links), ``/etc``, the Python interpreter,
the virtual environment, the ``nbcourse`` package and ``autograde.sandboxed`` (no answers, no known
mistakes: see that subpackage's docstring for the whole list), its
job folder (``/job/in`` read-only, ``/job/out`` writable) and size-limited tmpfs ``/tmp`` and
``/dev/shm``. Not the source notebooks, the gradebook, other submissions or the network.
The wall-clock limit is enforced from outside: the whole sandbox is killed.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import autograde
import nbcourse

BASE_UID = 64000        # sandbox users are uid BASE_UID + slot (no passwd entry needed)
SLOT_DIR = Path(tempfile.gettempdir()) / "autograde-slots"
CGROUP_ROOT = Path("/sys/fs/cgroup")


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

    def as_dict(self) -> dict:
        return asdict(self)


class SandboxUnavailable(RuntimeError):
    """bubblewrap (or setpriv/prlimit) is missing: the grader refuses rather than run unprotected."""


def check_available() -> None:
    missing = [tool for tool in ("bwrap", "setpriv", "prlimit") if shutil.which(tool) is None]
    if missing:
        raise SandboxUnavailable(
            f"the sandbox needs {', '.join(missing)} on PATH (Debian/Ubuntu: apt-get install bubblewrap util-linux; "
            f"`make sandbox-deps` does it). Without it student code would run with your permissions: it could read "
            f"the source notebooks and rewrite the gradebook. Pass --unsafe-no-sandbox only for your own notebook."
        )
    if os.geteuid() != 0:
        # unprivileged bwrap needs user namespaces and cannot switch to the per-slot uids
        raise SandboxUnavailable("the sandbox switches student code to a separate uid, which needs root (run the grader as root, e.g. in a container)")


@contextlib.contextmanager
def slot(max_slots: int = 64):
    """A worker slot, held with a file lock for the duration of a job: its own uid and cgroups.

    Works the same for threads, processes and Dask workers on one machine.
    """
    SLOT_DIR.mkdir(parents=True, exist_ok=True)
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
    raise RuntimeError(f"no free sandbox slot among {max_slots}")


def _cgroup_dirs(n: int, limits: Limits) -> list[Path]:
    """Per-slot cgroup v1 folders with pids.max and memory.limit_in_bytes, where the machine allows it."""
    made = []
    for controller, settings in (("pids", {"pids.max": str(limits.processes)}),
                                 ("memory", {"memory.limit_in_bytes": str(limits.memory_mb * 2**20),
                                             "memory.memsw.limit_in_bytes": None})):
        base = CGROUP_ROOT / controller
        if not (base / "cgroup.procs").exists():
            continue
        d = base / "autograde" / f"slot{n}"
        try:
            d.mkdir(parents=True, exist_ok=True)
            for key, value in settings.items():
                if value is not None and (d / key).exists():
                    (d / key).write_text(value)
            made.append(d)
        except OSError:
            continue
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
    return args


def command(job_dir: Path, uid: int, limits: Limits) -> list[str]:
    """The bwrap command line of one job (without the cgroup/prlimit wrapper)."""
    usr_links = []
    for name in ("bin", "lib", "lib64", "sbin"):
        p = Path("/") / name
        if p.is_symlink():
            usr_links += ["--symlink", os.readlink(p), f"/{name}"]
        elif p.is_dir():
            usr_links += ["--ro-bind", str(p), f"/{name}"]
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/.mpl",
        "IPYTHONDIR": "/tmp/.ipython", "JUPYTER_CONFIG_DIR": "/tmp/.jupyter", "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime",
        "JUPYTER_PLATFORM_DIRS": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NBCOURSE_GRADING": "1", "AUTOGRADE_HARNESS": "/job", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # this machine's numpy needs them (see env notes)
        if var in os.environ:
            env[var] = os.environ[var]
    cmd = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
           "--die-with-parent", "--new-session", "--hostname", "sandbox",
           # every capability goes, but the three setpriv needs to become the slot's uid; setpriv then empties
           # the bounding set, and the uid change clears the rest (no_new_privs: nothing regains them)
           "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP",
           "--ro-bind", "/usr", "/usr", *usr_links, "--ro-bind", "/etc", "/etc",
           "--proc", "/proc", "--dev", "/dev",
           "--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp",
           "--perms", "1777", "--size", str(64 * 2**20), "--tmpfs", "/dev/shm",
           *_binds(),
           "--perms", "0755", "--dir", "/job", "--ro-bind", str(job_dir / "in"), "/job/in", "--bind", str(job_dir / "out"), "/job/out",
           "--chdir", "/tmp", "--clearenv"]
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    cmd += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
            "--bounding-set=-all", "--inh-caps=-all", "--pdeathsig=KILL", "--", sys.executable, "-I", "-m", "autograde.sandboxed.client", "/job"]
    return cmd


@dataclass
class RunInfo:
    """What the trusted side itself observed about a run (never read from the sandbox)."""

    returncode: int
    wall_seconds: float
    timed_out: bool
    oom_killed: bool
    stderr_tail: str


def _mount_out(out: Path, uid: int, limits: Limits) -> None:
    """The writable output folder is a size-limited tmpfs: many big files cannot fill the host's disk."""
    opts = f"size={limits.out_mb}m,mode=0700,uid={uid},gid={uid},nosuid,nodev,noexec"
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SandboxUnavailable(f"could not mount the job's output tmpfs ({proc.stderr.strip()}); the grader needs root "
                                 "with the right to mount (in a container: CAP_SYS_ADMIN)")


def cleanup(job_dir: Path) -> None:
    """Unmount the job's output tmpfs (if mounted) and delete the job folder."""
    out = job_dir / "out"
    if os.path.ismount(out):
        if subprocess.run(["umount", str(out)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(out)], capture_output=True)
    shutil.rmtree(job_dir, ignore_errors=True)


def run(job_dir: Path, limits: Limits, slot_number: int) -> RunInfo:
    """Run one prepared job folder in the sandbox; kill it at the wall-clock limit.

    The output folder stays mounted for the caller to read; :func:`cleanup` removes it.
    """
    uid = BASE_UID + slot_number
    out = job_dir / "out"
    out.mkdir(exist_ok=True)
    _mount_out(out, uid, limits)
    os.chmod(job_dir / "in", 0o755)
    cgroups = _cgroup_dirs(slot_number, limits)
    fail_before = _failcnt(cgroups)
    join = " && ".join(f"echo $$ > {d / 'cgroup.procs'}" for d in cgroups) or "true"
    cpu = int(limits.notebook_timeout * 2 + 10)
    wrapper = ["sh", "-c", f'{join} && exec "$@"', "sh",
               "prlimit", f"--as={limits.memory_mb * 2**20}", f"--nproc={limits.processes}",
               f"--cpu={cpu}", f"--fsize={limits.file_mb * 2**20}", f"--core=0", "--",
               *command(job_dir, uid, limits)]
    returncode, wall, timed_out, tail = _supervise(wrapper, None, limits, lambda: _kill_cgroup(cgroups))
    _kill_cgroup(cgroups)  # nothing outlives its run, even if it escaped the pid namespace's teardown
    return RunInfo(returncode, wall, timed_out, _oom_killed(cgroups, fail_before), tail)


def _supervise(cmd: list[str], env: dict | None, limits: Limits, on_timeout=lambda: None) -> tuple[int, float, bool, str]:
    """Run ``cmd`` in its own session; at the wall-clock limit kill its process group (and call ``on_timeout``).

    Returns (exit code, wall seconds, timed out, the last 4000 characters of its stderr).
    """
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
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
    import threading

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
