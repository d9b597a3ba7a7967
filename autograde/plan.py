"""Build the notebook that the sandbox runs, from the SOURCE notebook and the student's answers.

Ordering rules (each a reason the grade cannot be fooled by editing the submission):

1. The cell list comes from the source notebook, not the submission: a deleted, retyped or edited
   test cell changes nothing, because tests are the source's.
2. Set-up cells (tag ``setup``) come from the source; demonstration cells (tag ``demo``) are skipped:
   they draw and explain, and cannot change a grade, so grading does not spend time on them.
3. Each answer cell (nbgrader ``solution``) is the student's code cell with the same grade id; a
   missing one (deleted, turned into markdown) stays the release stub and is reported.
4. Code cells the student added (no known grade id) run too, right after the known cell they
   followed in the submission: a helper defined in an extra cell is part of the answer.
5. Each graded test cell becomes a harness cell: ``_ag(name, globals())`` per graded name. Its
   visible checks do not run (a crash there must not cost the hidden comparison), and no expected
   value is in it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

CHECK_CALL = re.compile(r"""check\(\s*["'](\w+)["']""")
DEFINES = re.compile(r"^(?:def\s+(\w+)\s*\(|(\w+)\s*=)", re.M)
STUB = "raise NotImplementedError()"


@dataclass
class GradedCell:
    """A graded cell of the source notebook: a test cell (its graded names) or a written answer."""

    grade_id: str
    points: float
    names: list[str] = field(default_factory=list)   # empty for a manually graded written answer
    manual: bool = False


@dataclass
class Plan:
    """The grading notebook and what it grades."""

    notebook: nbformat.NotebookNode
    graded: list[GradedCell]
    notes: list[str]                 # facts about the submission worth telling (missing answer cells, ...)
    answers: dict[str, str]          # grade id -> the student's code (for feedback)
    written: dict[str, str]          # grade id -> the student's written answer (markdown)
    defined_in: dict[str, str] = field(default_factory=dict)  # graded name -> grade id of the answer cell defining it
    # the student's added code cells, in order: (grade id of the source cell they follow, or None before every
    # known cell; their index in ``notebook``; their code). The autograded notebook is built from these and from
    # ``answer_index``, never from what the sandbox writes back (that file is the student's to forge).
    extras: list[tuple[str | None, int, str]] = field(default_factory=list)
    answer_index: dict[str, int] = field(default_factory=dict)  # answer cell grade id -> its index in ``notebook``


def _nbg(cell) -> dict:
    """A cell's nbgrader metadata, with a grade id that is a string or absent (submissions are untrusted)."""
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    if not isinstance(meta, dict):
        return {}
    if "grade_id" in meta and not isinstance(meta["grade_id"], str):
        meta = {k: v for k, v in meta.items() if k != "grade_id"}
    return meta


def _tags(cell) -> list:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def graded_cells(source) -> list[GradedCell]:
    """The graded cells of a source notebook, in order."""
    out = []
    for cell in source.cells:
        meta = _nbg(cell)
        if not meta.get("grade"):
            continue
        if cell.cell_type == "code" and not meta.get("solution"):
            hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1]
            out.append(GradedCell(meta["grade_id"], float(meta.get("points", 0)), CHECK_CALL.findall(hidden)))
        elif cell.cell_type == "markdown" and meta.get("solution"):
            out.append(GradedCell(meta["grade_id"], float(meta.get("points", 0)), [], manual=True))
    return out


def _cell(source: str, role: str, key: str = ""):
    cell = new_code_cell(source)
    cell.metadata["autograde"] = {"role": role, "key": key}
    return cell


def make_plan(source, submission) -> Plan:
    """The grading notebook for ``submission`` (a NotebookNode, or None when nothing usable came)."""
    source_ids = {_nbg(c).get("grade_id"): c for c in source.cells if _nbg(c).get("grade_id")}
    answer_ids = {gid for gid, c in source_ids.items() if _nbg(c).get("solution") and c.cell_type == "code"}
    answers: dict[str, str] = {}
    written: dict[str, str] = {}
    extras_after: dict[str | None, list[str]] = {}
    notes: list[str] = []
    anchor = None
    for cell in (submission.cells if submission is not None else []):
        gid = _nbg(cell).get("grade_id")
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if gid in answer_ids and cell.get("cell_type") == "code":
            if gid in answers:  # a copied answer cell: every copy runs, in order, as a top-to-bottom run would
                extras_after.setdefault(anchor, []).append(src)
                notes.append(f"answer cell {gid!r} appears more than once; every copy ran, in order")
                continue
            answers[gid] = src
            anchor = gid
        elif gid in source_ids:
            if source_ids[gid].cell_type == "markdown" and _nbg(source_ids[gid]).get("grade"):
                written.setdefault(gid, src)
            anchor = gid
        elif cell.get("cell_type") == "code" and src.strip():
            extras_after.setdefault(anchor, []).append(src)

    extras: list[tuple[str | None, int, str]] = []
    answer_index: dict[str, int] = {}
    cells = []

    def add_extras(anchor: str | None) -> None:
        for extra in extras_after.get(anchor, []):
            extras.append((anchor, len(cells), extra))
            cells.append(_cell(extra, "extra"))

    add_extras(None)
    for cell in source.cells:
        meta, gid = _nbg(cell), _nbg(cell).get("grade_id")
        if cell.cell_type != "code":
            pass
        elif "setup" in _tags(cell):
            cells.append(_cell(cell.source, "setup", gid or ""))
        elif gid in answer_ids:
            if gid not in answers:
                notes.append(f"answer cell {gid!r} is missing from the submission (deleted, or no longer a code cell)")
            answer_index[gid] = len(cells)
            cells.append(_cell(answers.get(gid, STUB), "answer", gid))
        elif meta.get("grade"):
            names = CHECK_CALL.findall(cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1])
            body = "from autograde.sandboxed.harness import run_check as _ag\n" + "\n".join(f"_ag({n!r}, globals())" for n in names)
            cells.append(_cell(body, "test", gid))
        if gid:
            add_extras(gid)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    defined_in = {}
    for cell in source.cells:
        if _nbg(cell).get("grade_id") in answer_ids:
            for fn, var in DEFINES.findall(cell.source):
                defined_in.setdefault(fn or var, _nbg(cell)["grade_id"])
    return Plan(nb, graded_cells(source), notes, answers, written, defined_in, extras, answer_index)
