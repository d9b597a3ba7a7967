"""The whole attack corpus, graded by a non-root user in the user-namespace sandbox: every test of test_attacks.py,
against the same hostile class (built by its own fixture), graded by `autograde grade` run as a temporary user.

Opt-in (about 3 minutes more on 2 cores; test_sandbox_user.py runs the attacks that matter most without root in
every run)::

    NNCOURSE_USERNS_CORPUS=1 .venv/bin/python -m pytest -p no:randomly tests/autograde/test_attacks_usermode.py

Its results are the table of docs/sandbox-modes.md. A test that fails here is a promise the user-namespace sandbox
does not keep; the page says which, and why.
"""
from __future__ import annotations

import functools
import importlib.util
import inspect
import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograde import course
from unix_user import unix_user  # noqa: F401  (a fixture: a temporary Unix user)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("NNCOURSE_USERNS_CORPUS") != "1",
                                 reason="the whole attack corpus as a non-root user (3 minutes): NNCOURSE_USERNS_CORPUS=1 runs it")]

_spec = importlib.util.spec_from_file_location("nncourse_attacks_for_usermode", Path(__file__).with_name("test_attacks.py"))
attacks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(attacks)
EXE = Path(sys.executable).parent / "autograde"


def _keep_log(proc) -> Path:
    """The grading run's whole output, in a file that outlives the user's home (removed with the user)."""
    fd, name = tempfile.mkstemp(prefix="nncourse-usermode-grade-", suffix=".log")
    with os.fdopen(fd, "w") as fh:
        fh.write(f"exit code {proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}")
    return Path(name)


def _rerun(test):
    """``test`` of test_attacks, collected here too, where ``hostile_class`` is this module's (a new function object:
    marks added here never reach the original)."""
    @functools.wraps(test)
    def again(*args, **kwargs):
        return test(*args, **kwargs)
    return again


for _name in dir(attacks):  # the tests of the graded class (the parser's own tests do not depend on the mode)
    if _name.startswith("test_") and "hostile_class" in inspect.signature(getattr(attacks, _name)).parameters:
        globals()[_name] = _rerun(getattr(attacks, _name))


class _Here:
    """tmp_path_factory's ``mktemp``, in a folder the grading user can reach (pytest's own is root's, 0700)."""

    def __init__(self, base: Path):
        self.base = base

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.base))


@pytest.fixture(scope="module")
def hostile_class(unix_user, source_nb01, release_nb01, monkeypatch_module):
    """test_attacks' own fixture, with its one grading call run by the user instead of this (root) process."""
    def grade_as_user(subs, course_dir, opts):
        unix_user.own(subs.parent)
        limits = opts.limits
        proc = unix_user.run([EXE, "grade", subs, "--course-dir", course_dir, "--workers", opts.workers, "--no-progress",
                              "--force", "--cell-timeout", limits["cell_timeout"], "--notebook-timeout", limits["notebook_timeout"]],
                             timeout=1200)
        log = _keep_log(proc) if proc.returncode else None
        assert proc.returncode == 0, f"(whole output: {log}) " + proc.stdout[-2000:] + proc.stderr[-3000:]
        assert "sandbox: user namespaces" in proc.stderr, proc.stderr[-2000:]
        csv_path = course_dir / "grades.csv"
        return SimpleNamespace(rows=course.read_csv(csv_path), csv_path=csv_path)

    monkeypatch_module.setattr(attacks.classroom, "grade_class", grade_as_user)
    return attacks.hostile_class._get_wrapped_function()(_Here(unix_user.home), source_nb01, release_nb01)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()
