"""nbcourse: the helpers that the nncourse notebooks import.

One import line in a notebook::

    import numpy as np
    import nbcourse as nc        # nc.data, nc.plot, nc.checks, nc.gradcheck, nc.widgets

This package holds no exercise answer: every graded function of the course is written by the
student in a notebook (see DESIGN.md). Helpers here only load data, draw, check and explain.
"""
from __future__ import annotations

import os

__all__ = ["checks", "data", "gradcheck", "plot", "widgets", "grading_mode", "demo_size", "needs"]

GRADING_ENV = "NBCOURSE_GRADING"


def grading_mode() -> bool:
    """True when the notebook runs under the grader (environment variable NBCOURSE_GRADING=1).

    Notebooks use it to shrink long demonstrations (fewer epochs, smaller grids) so that a
    notebook grades in seconds; the graded functions themselves never look at it.
    """
    return os.environ.get(GRADING_ENV, "") not in ("", "0", "false", "False")


def demo_size(full: int, grading: int) -> int:
    """``full`` in a student's session, ``grading`` under the grader (see :func:`grading_mode`)."""
    return grading if grading_mode() else full


def needs(*names: str):
    """``with nc.needs("step", "sign"):`` around a plot or widget that uses the student's answers: while one is
    still a stub, the cell prints "implement step, sign first" instead of a traceback (see :mod:`nbcourse.ready`)."""
    from nbcourse.ready import needs as _needs

    return _needs(*names)


def __getattr__(name):  # lazy submodules: `import nbcourse as nc; nc.plot` without importing matplotlib up front
    if name in ("checks", "data", "gradcheck", "plot", "widgets", "gd_tools", "optim_tools", "mlp_widgets", "losses_widgets"):
        import importlib

        return importlib.import_module(f"nbcourse.{name}")
    raise AttributeError(f"module 'nbcourse' has no attribute {name!r}")
