"""Shared fixtures: a private Jupyter/IPython home for every test session (nothing written to ~)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from autograde.startup import skip_iri_grammar

skip_iri_grammar()  # 3 s of every test process's start, as in the grader's own processes (autograde.startup)
REPO = Path(__file__).resolve().parents[1]

_home = Path(tempfile.mkdtemp(prefix="nncourse-tests-home-"))
# one BLAS thread per kernel: tests run two at a time on 2 cores, and a multithreaded OpenBLAS on a busy machine
# turned a 3.5 s training demo into 86 s (measured); the grader's sandbox sets the same
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
for var, sub in [("JUPYTER_CONFIG_DIR", "jupyter-config"), ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
                 ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")]:
    os.environ.setdefault(var, str(_home / sub))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def source_nb01() -> Path:
    return REPO / "solutions" / "01_perceptron" / "perceptron.ipynb"


@pytest.fixture(scope="session")
def release_nb01() -> Path:
    return REPO / "notebooks" / "01_perceptron" / "perceptron.ipynb"



# Files that hold minutes of work (a class graded in the sandbox, every notebook run), heaviest first. `make test`
# hands whole files to 2 xdist workers in collection order (--dist loadfile), so these start first and the run does
# not end with one worker grinding through a long file while the other idles (measured with --durations).
HEAVY_FIRST = [
    "tests/autograde/test_exchange_term.py",            # a whole term with four real users: the longest file (~3 min)
    "tests/notebooks/test_every_notebook_graded.py",   # the demo class and plain nbgrader, every notebook
    "tests/autograde/test_attacks.py",                  # the hostile class
    "tests/autograde/test_sandbox_user.py",             # a hostile class and autograde self as a non-root user
    "tests/notebooks/test_every_notebook.py",           # every solved run (shared with the per-notebook files)
    "tests/autograde/test_grade_class.py",
    "tests/autograde/test_coursedir.py",
    "tests/autograde/test_formgrader.py",
    "tests/autograde/test_hostile_names.py",
    "tests/students/test_students_wheel.py",            # the students' wheel in a fresh venv, every release run there
    "tests/autograde/test_intake.py",
    "tests/autograde/test_term_outputs.py",
]


def pytest_collection_modifyitems(config, items):
    rank = {name: k for k, name in enumerate(HEAVY_FIRST)}

    def key(item):
        rel = Path(str(item.path)).resolve().relative_to(REPO).as_posix()
        return rank.get(rel, len(rank))

    items.sort(key=key)  # stable: every other file keeps its place and its tests' order
