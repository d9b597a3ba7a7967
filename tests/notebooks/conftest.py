"""Fixtures of the notebook tests: the session's shared solved runs (``solved_runs.py``)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helper `solved_runs` (tests/ is no package)

import solved_runs  # noqa: E402


@pytest.fixture(scope="session")
def solved_run(tmp_path_factory):
    """``solved_run("02_mlp")``: the solved notebook run once per session (shared by the xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "solved-runs"
    return lambda name: solved_runs.run(name, cache)
