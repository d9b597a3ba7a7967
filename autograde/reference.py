"""The reference loader: the only way the grader and the tests reach reference code.

``load_reference("01_perceptron")`` finds the nbgrader SOURCE notebook
``solutions/01_perceptron/*.ipynb``, executes its solution cells (cells whose nbgrader metadata
says ``"solution": true``, code cells only, plus the locked ``given`` cells that carry an earlier
notebook's reference) in order, in a fresh namespace that holds only ``np`` (numpy), and returns a :class:`types.SimpleNamespace` of every public name they define::

    >>> ref = load_reference("01_perceptron")
    >>> ref.sigmoid(np.array([0.0]))
    array([0.5])

Solution cells therefore must not depend on prose cells, plots or the nbcourse helpers: the
reference is the solution code alone. The result is cached per notebook file and its
modification time, so an edited source notebook is reloaded.
"""
from __future__ import annotations

import functools
import os
import types
from pathlib import Path

import nbformat
import numpy as np

__all__ = ["course_root", "source_notebook", "solution_sources", "load_reference", "ReferenceError_"]

ROOT_ENV = "NNCOURSE_ROOT"


class ReferenceError_(RuntimeError):
    """The source notebook is missing, ambiguous, or its solution code does not run."""


def course_root() -> Path:
    """The folder holding ``solutions/``: ``$NNCOURSE_ROOT`` if set, else this repository's root (found once per
    value of the variable: the report asks for every row of a class)."""
    return _course_root(os.environ.get(ROOT_ENV) or "")


@functools.lru_cache(maxsize=8)
def _course_root(env: str) -> Path:
    root = Path(env) if env else Path(__file__).resolve().parents[1]
    if not (root / "solutions").is_dir():
        raise ReferenceError_(
            f"expected a course folder with a 'solutions/' subfolder at {root} "
            f"(set {ROOT_ENV} to the nncourse repository)"
        )
    return root


def source_notebook(notebook: str, root: Path | None = None) -> Path:
    """Path of the single source notebook in ``solutions/<notebook>/``."""
    folder = (root or course_root()) / "solutions" / notebook
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(found) != 1:
        available = sorted(p.name for p in folder.parent.iterdir() if p.is_dir())
        raise ReferenceError_(
            f"expected exactly one .ipynb in {folder}, found {len(found)}; notebooks available: {available}"
        )
    return found[0]


def written_answers(assignment: str) -> frozenset[str]:
    """Grade ids of the assignment's written answers (graded by hand), from its source notebook; empty for an
    assignment the repository does not have. Whatever a row's status (a missing submission's written
    answer is "missing"), these are the points an autograded total leaves out."""
    return _written_answers(assignment, str(course_root()))


@functools.lru_cache(maxsize=None)
def _written_answers(assignment: str, root: str) -> frozenset[str]:
    from autograde.plan import graded_cells

    try:
        nb = nbformat.read(str(source_notebook(assignment, Path(root))), as_version=4)
    except (ReferenceError_, OSError):
        return frozenset()
    return frozenset(c.grade_id for c in graded_cells(nb) if c.manual)


def solution_sources(nb_or_path, *, with_given: bool = False) -> list[tuple[str, str]]:
    """``(grade_id, source)`` of each code cell marked ``solution`` in an nbgrader source notebook.

    With ``with_given``, also the locked cells tagged ``given`` (code a later notebook takes from an
    earlier notebook's reference), in notebook order.
    """
    nb = nb_or_path if isinstance(nb_or_path, nbformat.NotebookNode) else nbformat.read(str(nb_or_path), as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        given = with_given and "given" in cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and (meta.get("solution") or given):
            out.append((meta.get("grade_id", "?"), cell.source))
    return out


def strip_solution_markers(source: str) -> str:
    """Drop the nbgrader ``### BEGIN/END SOLUTION`` marker lines (comments; harmless, but noise in tracebacks)."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


_cache: dict[tuple[str, float], types.SimpleNamespace] = {}


def load_reference(notebook: str, root: Path | None = None) -> types.SimpleNamespace:
    """Execute the solution cells of ``solutions/<notebook>/`` and return their public names."""
    path = source_notebook(notebook, root)
    key = (str(path), path.stat().st_mtime)
    if key not in _cache:
        _cache[key] = reference_from(nbformat.read(str(path), as_version=4), notebook)
    return _cache[key]


def reference_from(source_nb: nbformat.NotebookNode, label: str = "notebook") -> types.SimpleNamespace:
    """The reference namespace of a source notebook given as a NotebookNode (the grader ships notebooks to workers)."""
    namespace: dict = {"np": np, "__name__": f"reference_{label}"}
    for grade_id, source in solution_sources(source_nb, with_given=True):
        code = compile(strip_solution_markers(source), f"<reference {label}:{grade_id}>", "exec")
        try:
            exec(code, namespace)  # trusted: the instructors' own source notebook
        except Exception as exc:
            raise ReferenceError_(f"solution cell {grade_id!r} of {label} failed: {exc!r}") from exc
    public = {
        k: v for k, v in namespace.items()
        if not k.startswith("_") and k != "np" and not isinstance(v, types.ModuleType)
    }
    return types.SimpleNamespace(**public)
