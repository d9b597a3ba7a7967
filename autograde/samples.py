"""Sample submissions made from a released notebook: solved, untouched, and realistically buggy.

Used by ``make demo``, the benchmark and the tests. They are generated (with nbformat) from the
current release and source notebooks, so they never go stale when a notebook changes.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from autograde.items import demo_bugs
from autograde.reference import strip_solution_markers

# Two classic mistakes in notebook 01 (the items' DEMO_BUGS): the step has no 0.5 at z = 0, and training never stops early.
BUGGY_01 = demo_bugs("01_perceptron")


def _points(assignment: str, grade_ids: list[str]) -> dict[str, float]:
    """The points of these graded cells in the assignment's source notebook (the one place points are set)."""
    from autograde.reference import source_notebook

    nb = nbformat.read(str(source_notebook(assignment)), as_version=4)
    found = {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
             for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in grade_ids}
    return {gid: found[gid] for gid in grade_ids}


# the graded cells those two mistakes fail, with their points: name -> (grade id, points)
BUGGY_POINTS_01 = {name: (gid, pts) for (name, gid), pts in zip(
    [("step", "test_step"), ("perceptron_train", "test_perceptron_train")],
    _points("01_perceptron", ["test_step", "test_perceptron_train"]).values())}


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def solved(release_nb: Path, source_nb: Path):
    """The release notebook with every answer cell filled in from the source (what a perfect student hands in)."""
    nb = nbformat.read(str(release_nb), as_version=4)
    answers = {_grade_id(c): c.source for c in nbformat.read(str(source_nb), as_version=4).cells
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    for cell in nb.cells:
        gid = _grade_id(cell)
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and gid in answers:
            cell.source = textwrap.dedent(strip_solution_markers(answers[gid]))
    return nb


def untouched(release_nb: Path):
    return nbformat.read(str(release_nb), as_version=4)


def with_answers(nb, replacements: dict[str, str]):
    """Replace the answer cells named by grade id with the given code (a submission with chosen mistakes)."""
    found = set()
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid in replacements:
            cell.source = textwrap.dedent(replacements[gid]).strip("\n")
            found.add(gid)
    missing = set(replacements) - found
    if missing:
        raise KeyError(f"no answer cells with grade ids {sorted(missing)}")
    return nb


def write_submission(nb, submitted_dir: Path, student: str, assignment: str, filename: str) -> Path:
    path = submitted_dir / student / assignment / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
