"""A temporary Unix user for the tests of the sandbox without root (test_sandbox_user.py, test_attacks_usermode.py
import the ``unix_user`` fixture from here).

The suite runs as root; these tests create a user with ``useradd``, run the grader as that user with ``runuser``,
and remove it. That user must read the interpreter, the virtual environment and this repository. The repository
and venv are world-readable in a checkout made with the usual umask; the interpreter may not be (here it lives in
root's 0700 home, under pyenv). So, where a folder on the way to one of them is closed to others, the command runs in
a private mount namespace in which that folder is an empty tmpfs showing back only what is needed, read-only
(``unshare --mount`` as root, then ``runuser``): nothing of the host's permissions changes, and nothing else of
root's home shows. The user's own files (course, submissions, notebooks) are in its home, a fresh folder in /tmp.
"""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

# A container's default seccomp profile, as Docker's: no new user namespace (unshare, clone with CLONE_NEWUSER
# fail with EPERM; clone3 with ENOSYS, so that the C library falls back to clone). Loaded with libseccomp, then
# the command is executed: the kernel itself refuses, as it does on a machine that forbids user namespaces.
_NO_USERNS = r"""
import ctypes, ctypes.util, errno, os, sys
lib = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2")
lib.seccomp_init.restype = ctypes.c_void_p
lib.seccomp_init.argtypes = [ctypes.c_uint32]
lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
lib.seccomp_load.argtypes = [ctypes.c_void_p]
class Cmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]
ctx = lib.seccomp_init(0x7FFF0000)
nr = lib.seccomp_syscall_resolve_name
assert lib.seccomp_rule_add_array(ctx, 0x00050000 | errno.EPERM, nr(b"unshare"), 0, None) == 0
assert lib.seccomp_rule_add_array(ctx, 0x00050000 | errno.ENOSYS, nr(b"clone3"), 0, None) == 0
newuser = Cmp(0, 7, 0x10000000, 0x10000000)  # arg 0 (flags) masked with CLONE_NEWUSER equals CLONE_NEWUSER
assert lib.seccomp_rule_add_array(ctx, 0x00050000 | errno.EPERM, nr(b"clone"), 1, ctypes.byref(newuser)) == 0
assert lib.seccomp_load(ctx) == 0
os.execvp(sys.argv[1], sys.argv[1:])
"""


def _closed_ancestor(path: Path) -> Path | None:
    """The outermost folder on the way to ``path`` that others cannot enter, if any. Root's home counts as closed
    whatever its mode now: another test may open it for a while (o+x) and close it again during our run."""
    root_home = Path(pwd.getpwuid(0).pw_dir)
    for parent in reversed(path.parents):
        if parent != Path("/") and (parent == root_home or not parent.stat().st_mode & 0o001):
            return parent
    return None


class UnixUser:
    """A user made for one test module; :meth:`run` runs a command as it."""

    def __init__(self, name: str):
        self.name = name
        entry = pwd.getpwnam(name)
        self.uid, self.gid = entry.pw_uid, entry.pw_gid
        self.home = Path(entry.pw_dir)

    def env(self) -> dict[str, str]:
        env = {"PATH": f"{VENV_BIN}:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(self.home), "LANG": "C.UTF-8",
               "USER": self.name, "LOGNAME": self.name}
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if var in os.environ:
                env[var] = os.environ[var]
        return env

    def command(self, argv: list[str], no_userns: bool = False) -> list[str]:
        """``argv`` as this user (with the folders it needs shown, see the module docstring). ``no_userns``: under a
        seccomp filter that forbids new user namespaces, as a container's default profile does."""
        runuser = ["runuser", "-u", self.name, "--", "env", "-i", *(f"{k}={v}" for k, v in self.env().items())]
        if no_userns:
            runuser = [sys.executable, "-I", "-c", _NO_USERNS, *runuser]
        needed = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO}, key=lambda p: len(p.parts))
        closed: dict[Path, list[Path]] = {}
        for p in needed:
            top = _closed_ancestor(p)
            if top is not None and not any(q in p.parents for q in closed.get(top, [])):
                closed.setdefault(top, []).append(p)
        if not closed:
            return [*runuser, *argv]
        lines = ["set -e", 'stage=$(mktemp -d)']
        for k, (top, paths) in enumerate(closed.items()):
            for j, p in enumerate(paths):
                lines.append(f'mkdir "$stage/{k}_{j}" && mount --bind "{p}" "$stage/{k}_{j}"')
            lines.append(f'mount -t tmpfs -o mode=0755,size=1m tmpfs "{top}"')
            for j, p in enumerate(paths):
                lines.append(f'mkdir -p "{p}" && mount --bind -o ro "$stage/{k}_{j}" "{p}" && umount "$stage/{k}_{j}"')
        lines.append('rm -rf "$stage"')
        lines.append('exec "$@"')
        return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "\n".join(lines), "sh", *runuser, *argv]

    def run(self, argv: list[str], timeout: float = 300, no_userns: bool = False, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(self.command([str(a) for a in argv], no_userns), capture_output=True, text=True,
                              timeout=timeout, cwd=self.home, **kw)

    def own(self, *paths: Path) -> None:
        """Give ``paths`` (recursively) to this user: the course and submissions belong to whoever grades."""
        for p in paths:
            subprocess.run(["chown", "-R", f"{self.uid}:{self.gid}", str(p)], check=True)

    def processes(self) -> list[str]:
        out = subprocess.run(["ps", "-u", str(self.uid), "-o", "pid=,args="], capture_output=True, text=True).stdout
        return [line.strip() for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def unix_user():
    """A temporary Unix user (removed afterwards) that can run this checkout's grader; skips, saying why, when the
    tests are not root, a tool is missing, or this machine does not let that user make user namespaces."""
    if os.geteuid() != 0:
        pytest.skip("creates a temporary Unix user (useradd) and runs the grader as it: needs root")
    missing = [t for t in ("useradd", "userdel", "runuser", "unshare", "bwrap", "prlimit") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    name = f"agt{secrets.token_hex(4)}"
    home = Path(tempfile.mkdtemp(prefix=f"nncourse-{name}-"))
    subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                    "--user-group", name], check=True, capture_output=True)
    user = UnixUser(name)
    user.own(home)
    try:
        probe = user.run([sys.executable, "-I", "-c", "from autograde import sandbox; print(sandbox.userns_problem())"], timeout=120)
        if probe.returncode != 0:
            raise RuntimeError(f"the user {name} could not run this checkout's Python:\n{probe.stderr[-2000:]}")
        if probe.stdout.strip():
            pytest.skip(f"this machine does not let a normal user run the user-namespace sandbox: {probe.stdout.strip()[:500]}")
        yield user
    finally:
        deadline = time.monotonic() + 10  # an orphan's exit is reaped by init, which may take a moment here
        while (left := user.processes()) and time.monotonic() < deadline:
            time.sleep(0.5)
        gone = subprocess.run(["userdel", name], capture_output=True, text=True)
        shutil.rmtree(home, ignore_errors=True)
        assert not left, f"processes of the test user {name} outlived the tests: {left}"
        assert gone.returncode == 0, f"userdel {name} failed: {gone.stderr}"
