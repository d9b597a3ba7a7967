"""Shared fixtures: a private Jupyter/IPython home for every test session (nothing written to ~)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

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

