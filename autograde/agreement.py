"""Do the visible checks agree with the hidden tests? The share of each item's known mistakes that its
visible check already rejects, and whether every correct alternative passes it.

A student who reads "✓ looks right" under an exercise and then loses its points in the hidden tests
learns to distrust the checks. So for every graded item this module runs the notebook's own visible
check cell (the part of the test cell above ``### BEGIN HIDDEN TESTS``) with the item's known mistake in
place of the answer, everything else being the reference, and records whether the check fails (rejects
the mistake) or runs to its end. It does the same with each correct alternative, which must pass.

How the notebook is run: in this process, cell by cell, in notebook order: the set-up and given cells,
the reference answer cells (solution markers dropped), and the visible part of each test cell;
demonstration cells are skipped (they draw; no check reads what they define, and the run says so if one
does). Before each test cell the namespace is kept; each variant then runs that cell in a copy of it
(arrays copied, so a variant that writes into its inputs cannot spoil the next run), with numpy warnings
as they would show in the notebook, stdout swallowed. Trusted side only: it runs the known mistakes.

``python benchmarks/visible_vs_hidden.py`` prints the table; ``tests/autograde/test_mutation.py`` asserts
the overall share and that no alternative fails.
"""
from __future__ import annotations

import contextlib
import io
import os
import textwrap
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import nbformat
import numpy as np

from autograde.items import all_items, items_of, modules
from autograde.reference import source_notebook, strip_solution_markers

HIDDEN = "### BEGIN HIDDEN TESTS"


@dataclass
class VisibleCell:
    """One graded test cell: its visible code, the graded names it checks, and the namespace just before it."""

    grade_id: str
    names: list[str]
    code: str
    namespace: dict


@dataclass
class ItemAgreement:
    name: str
    notebook: str
    rejected: list[str] = field(default_factory=list)      # mistake ids the visible check fails
    passed: list[str] = field(default_factory=list)        # mistake ids it lets through ("✓ looks right")
    alternatives_failing: dict[str, str] = field(default_factory=dict)  # alternative id -> the check's message
    reference_failing: str = ""                            # the reference itself must pass (else a course bug)

    @property
    def total(self) -> int:
        return len(self.rejected) + len(self.passed)


def _copy_namespace(ns: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in ns.items()}


def _run(code: str, ns: dict, label: str, full: bool = False) -> str:
    """Run ``code`` in ``ns``: "" when it runs to its end, else the first line of what it raised (all of it: ``full``)."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a check that looks at warnings records them itself
            exec(compile(code, label, "exec"), ns)  # trusted: the course's own check code and known mistakes
    except Exception as exc:  # any failure of the check (CheckFailed, or the variant raising) rejects it
        text = f"{type(exc).__name__}: {exc}"
        if full:
            return text[:3000]
        return text.splitlines()[0][:300] if text.strip() else type(exc).__name__
    finally:
        import matplotlib.pyplot as plt

        plt.close("all")
    return ""


@lru_cache(maxsize=None)
def visible_cells(notebook: str) -> tuple[VisibleCell, ...]:
    """Run the notebook's set-up, given and reference answer cells in order, and keep each test cell's visible code
    with the namespace it starts from."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    nb = nbformat.read(str(source_notebook(notebook)), as_version=4)
    ns: dict[str, Any] = {"__name__": "__main__"}
    cells: list[VisibleCell] = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        tags = cell.metadata.get("tags", [])
        if "demo" in tags:
            continue
        label = f"<{notebook} cell {k}>"
        if meta.get("grade") and not meta.get("solution"):
            visible, _, hidden = cell.source.partition(HIDDEN)
            from autograde.plan import CHECK_CALL

            cells.append(VisibleCell(meta.get("grade_id", f"cell-{k}"), CHECK_CALL.findall(hidden), visible,
                                     _copy_namespace(ns)))
            problem = _run(visible, _copy_namespace(ns), label)
            if problem:
                raise RuntimeError(f"{notebook}: the visible check {meta.get('grade_id')!r} fails on the reference: {problem}")
            continue
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(textwrap.dedent(strip_solution_markers(cell.source)), label, "exec"), ns)
    return tuple(cells)


def fresh_verdict(name: str, overrides: dict, code: str = "") -> str:
    """The visible check of graded ``name`` in a namespace of its own: the notebook's set-up, given and reference
    answer cells run afresh, then ``overrides`` put in (a wrong helper, say) and ``code`` run (another correct
    answer), then the check: "" if it passes, else all it said. Unlike :func:`verdict`, the reference functions see
    the overrides (they share this namespace)."""
    item = all_items()[name]
    nb = nbformat.read(str(source_notebook(item.notebook)), as_version=4)
    ns: dict[str, Any] = {"__name__": "__main__"}
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "demo" in cell.metadata.get("tags", []):
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            visible, _, hidden = cell.source.partition(HIDDEN)
            from autograde.plan import CHECK_CALL

            if name in CHECK_CALL.findall(hidden):
                ns.update(overrides)
                if code:
                    exec(compile(code, f"<another {name}>", "exec"), ns)
                return _run(visible, ns, f"<visible check {meta.get('grade_id')} of {name}>", full=True)
            continue
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(textwrap.dedent(strip_solution_markers(cell.source)), f"<{item.notebook} cell {k}>", "exec"), ns)
    raise KeyError(f"{name}: no test cell of {item.notebook} checks it")


def _cell_of(name: str) -> VisibleCell:
    item = all_items()[name]
    for cell in visible_cells(item.notebook):
        if name in cell.names:
            return cell
    raise KeyError(f"{name}: no test cell of {item.notebook} checks it")


def verdict(name: str, impl: Any, full: bool = False) -> str:
    """The visible check of graded ``name`` run with ``impl`` in its place: "" if it passes, else why it failed (the
    first line; all of it with ``full``)."""
    cell = _cell_of(name)
    ns = _copy_namespace(cell.namespace)
    ns[name] = impl
    return _run(cell.code, ns, f"<visible check {cell.grade_id} with a variant of {name}>", full=full)


def item_agreement(name: str) -> ItemAgreement:
    item = all_items()[name]
    out = ItemAgreement(name, item.notebook)
    cell = _cell_of(name)
    out.reference_failing = _run(cell.code, _copy_namespace(cell.namespace), f"<visible check {cell.grade_id}>")
    for m in item.mistakes:
        (out.rejected if verdict(name, m.impl) else out.passed).append(m.id)
    for a in item.alternatives:
        why = verdict(name, a.impl)
        if why:
            out.alternatives_failing[a.id] = why
    return out


def agreement(notebooks: list[str] | None = None) -> list[ItemAgreement]:
    """Every item of the given notebooks (default: all), in notebook order."""
    result = []
    for nb in notebooks or list(modules()):
        for item in items_of(nb):
            result.append(item_agreement(item.name))
    return result


def share(rows: list[ItemAgreement]) -> tuple[int, int]:
    """(rejected, total) known mistakes over ``rows``."""
    return sum(len(r.rejected) for r in rows), sum(r.total for r in rows)


def table(rows: list[ItemAgreement]) -> str:
    """A plain-text table: per item, then per notebook, then overall."""
    lines = [f"{'item':34} {'rejected':>9}  let through"]
    for r in rows:
        lines.append(f"{r.notebook[:2]} {r.name:31} {len(r.rejected):>3} / {r.total:<3}  {', '.join(r.passed)}"
                     + (f"   ALTERNATIVES FAILING: {r.alternatives_failing}" if r.alternatives_failing else ""))
    lines.append("")
    for nb in dict.fromkeys(r.notebook for r in rows):
        k, n = share([r for r in rows if r.notebook == nb])
        lines.append(f"{nb:24} {k:>3} / {n:<3} = {100 * k / max(n, 1):5.1f} %")
    k, n = share(rows)
    lines.append(f"{'overall':24} {k:>3} / {n:<3} = {100 * k / max(n, 1):5.1f} %")
    return "\n".join(lines)
