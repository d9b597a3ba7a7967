"""Small builders for nbgrader source notebooks, on top of nbformat.

The source notebooks in ``solutions/`` are written by the ``authoring/nbNN_*.py`` modules through
these functions (``make sources``), so a notebook is reviewed as a Python diff and its nbgrader
metadata is always well formed. ``notebooks/`` is then generated from ``solutions/`` by
``nbgrader generate_assignment`` (``make release``).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SCHEMA_VERSION = 3


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _clean(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


class NotebookBuilder:
    """Collects cells in order; ``save(path)`` writes the notebook with nbformat (validated)."""

    def __init__(self, prefix: str):
        self.prefix = prefix  # grade ids of plain locked cells: f"{prefix}-md-3"
        self.cells: list = []
        self._n = 0

    def _id(self, kind: str) -> str:
        self._n += 1
        return f"{self.prefix}-{kind}-{self._n}"

    def md(self, text: str, locked: bool = True) -> None:
        """A prose cell; locked (read-only) so nbgrader restores it if a student edits it."""
        meta = _meta(self._id("md"), grade=False, solution=False, locked=True) if locked else {}
        self.cells.append(new_markdown_cell(_clean(text), metadata=meta))

    def setup(self, src: str) -> None:
        """The read-only set-up cell (imports): the grader runs it before the answers."""
        meta = _meta(self._id("setup"), grade=False, solution=False, locked=True)
        meta["tags"] = ["setup"]
        self.cells.append(new_code_cell(_clean(src), metadata=meta))

    def given(self, src: str) -> None:
        """A locked, visible cell of code from an EARLIER notebook's reference (softmax in 05, say).

        Notebooks are released one after another and nbcourse holds no answers, so what a later
        notebook needs is given here, written from the earlier notebook's reference. The grader runs
        it like a set-up cell, and the reference loader runs it with the solution cells.
        """
        meta = _meta(self._id("given"), grade=False, solution=False, locked=True)
        meta["tags"] = ["setup", "given"]
        self.cells.append(new_code_cell(_clean(src), metadata=meta))

    def code(self, src: str) -> None:
        """A read-only demonstration (a plot, a widget): students run it, the grader skips it."""
        meta = _meta(self._id("demo"), grade=False, solution=False, locked=True)
        meta["tags"] = ["demo"]
        self.cells.append(new_code_cell(_clean(src), metadata=meta))

    def answer(self, grade_id: str, src: str) -> None:
        """A fill-in cell: the ``### BEGIN/END SOLUTION`` block becomes ``raise NotImplementedError()``."""
        src = _clean(src)
        if "### BEGIN SOLUTION" not in src:
            raise ValueError(f"answer cell {grade_id!r} has no '### BEGIN SOLUTION' block")
        self.cells.append(new_code_cell(src, metadata=_meta(grade_id, grade=False, solution=True, locked=False)))

    def tests(self, grade_id: str, points: float, visible: str, graded_names: list[str]) -> None:
        """A graded test cell: visible checks, then one hidden ``check`` per graded name."""
        hidden = "\n".join(f"check({name!r}, {name})" for name in graded_names)
        src = (_clean(visible) + "\n\n### BEGIN HIDDEN TESTS\nfrom autograde.check import check\n"
               + hidden + "\n### END HIDDEN TESTS")
        self.cells.append(new_code_cell(src, metadata=_meta(grade_id, grade=True, solution=False, locked=True, points=points)))

    def written(self, grade_id: str, points: float, model_answer: str) -> None:
        """A manually graded written answer (markdown); the release shows 'YOUR ANSWER HERE'."""
        self.cells.append(new_markdown_cell(_clean(model_answer),
                                            metadata=_meta(grade_id, grade=True, solution=True, locked=False, points=points)))

    def notebook(self):
        nb = new_notebook(cells=self.cells)
        nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        nb.metadata["language_info"] = {"name": "python"}
        return nb

    def save(self, path: Path) -> Path:
        nb = self.notebook()
        for i, cell in enumerate(nb.cells):  # stable cell ids: a rebuild changes nothing that did not change
            cell["id"] = f"{self.prefix}-{i:03d}"
        nbformat.validate(nb)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        return path
