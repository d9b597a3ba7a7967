"""The ``autograded/`` notebook of a submission, as nbgrader writes it, for formgrader and feedback.

nbgrader's formgrader lists and shows a submission only when
``autograded/<student>/<assignment>/<notebook>.ipynb`` exists; it renders that file and finds the
graded cells by their nbgrader metadata (``grade_id``), whose scores and comments it reads from and
writes to the gradebook. So the grader writes one per graded notebook, built here in the trusted
process, in the source notebook's order (nbgrader's ``OverwriteCells`` restores the source's locked
cells the same way):

- prose, set-up and given cells, and test cells (hidden tests included: only the instructor sees
  this file; feedback strips them) come from the SOURCE notebook, with its nbgrader metadata;
- answer cells are the student's code, under the source cell's metadata (no metadata, attachment or
  notebook metadata of the submission is ever copied);
- written answers are the student's text turned into safe, bounded HTML by :mod:`autograde.written`:
  formgrader renders markdown cells with raw HTML kept, inside the instructor's logged-in page;
- code cells the student added follow the cell they followed in the submission, as the grading plan
  placed them (:attr:`autograde.Plan.extras`);
- outputs come from the sandbox's run (the executed grading notebook) and are untrusted: only outputs
  are taken from that file, matched to the plan's cells by index (:func:`executed_outputs`), and of
  those only plain text streams, error names/messages/tracebacks (ANSI codes removed) and PNG images
  (checked base64), each clipped, all together within a budget. No HTML, JavaScript or widget output
  reaches formgrader, whose page runs with the instructor's rights;
- each test cell gets the trusted verdict as its output: ``✔ passed`` or the message of what failed.
"""
from __future__ import annotations

import base64
import binascii
import re
import textwrap
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

MAX_EXECUTED_BYTES = 16 * 2**20   # the executed notebook read back from the sandbox
MAX_TEXT = 5_000                  # characters of one text output kept
MAX_PNG = 500_000                 # base64 characters of one image kept
MAX_OUTPUTS = 10                  # outputs kept per cell
MAX_OUTPUT_CHARS = 2_000_000      # characters of all outputs kept (the sandbox's default output limit, in bytes)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    text = "".join(value) if isinstance(value, list) else str(value)
    text = CONTROL.sub("", ANSI.sub("", text))
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} more characters]"


def _png(data: Any) -> str | None:
    if not isinstance(data, str) or len(data) > MAX_PNG:
        return None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if raw.startswith(b"\x89PNG\r\n\x1a\n") else None


def safe_outputs(outputs: Any) -> list:
    """The outputs of one untrusted cell, reduced to text, errors and PNGs (see the module docstring)."""
    kept = []
    for out in outputs if isinstance(outputs, list) else []:
        if len(kept) >= MAX_OUTPUTS:
            break
        if not isinstance(out, dict):
            continue
        kind = out.get("output_type")
        if kind == "stream":
            kept.append(new_output("stream", name="stderr" if out.get("name") == "stderr" else "stdout", text=_text(out.get("text", ""))))
        elif kind == "error":
            tb = out.get("traceback", [])
            tb = [_text(line, 2000) for line in tb[-20:]] if isinstance(tb, list) else []
            kept.append(new_output("error", ename=_text(out.get("ename", ""), 200), evalue=_text(out.get("evalue", ""), 2000), traceback=tb))
        elif kind in ("display_data", "execute_result"):
            data = out.get("data", {}) if isinstance(out.get("data"), dict) else {}
            png = _png(data.get("image/png"))
            if png:
                kept.append(new_output("display_data", data={"image/png": png, "text/plain": "<image>"}))
            elif "text/plain" in data:
                kept.append(new_output("display_data", data={"text/plain": _text(data["text/plain"])}))
    return kept


def executed_outputs(nb: Any, n_cells: int, budget: int = MAX_OUTPUT_CHARS) -> list[list]:
    """The outputs of the grading notebook's ``n_cells`` cells, from the executed notebook read back from the
    sandbox (untrusted JSON: the student's code shares the client's uid and can write that file itself).

    Only outputs are taken, matched to the plan's cells by index: cell ``i`` of the file gives outputs to cell
    ``i`` of the notebook the grader sent, and nothing else of the file is used (its cells' sources, metadata
    and roles, and any cell past ``n_cells``, are ignored). Each output is reduced by :func:`safe_outputs`, and
    all of them together are kept within ``budget`` characters, so a forged file costs the trusted side no more
    than an honest run that used its whole output limit."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    cells = cells[:n_cells] if isinstance(cells, list) else []
    out: list[list] = []
    for cell in cells:
        kept = []
        for o in safe_outputs(cell.get("outputs") if isinstance(cell, dict) else None):
            size = _size(o)
            if size > budget:
                kept.append(new_output("stream", name="stdout", text="[output not shown: over the grader's output limit]\n"))
                budget = 0
                break
            budget -= size
            kept.append(o)
        out.append(kept)
    return out + [[] for _ in range(n_cells - len(out))]


def _size(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    if output.get("output_type") == "error":
        return len(output.get("evalue", "")) + sum(len(line) for line in output.get("traceback", []))
    return sum(len(v) for v in output.get("data", {}).values())


def verdict_output(row) -> Any:
    """The trusted verdict of a test cell, as its output."""
    if row.status == "ok":
        return new_output("stream", name="stdout", text=f"\N{HEAVY CHECK MARK} {row.grade_id}: {row.score:g} / {row.max_score:g} (autograde: every hidden case passed)\n")
    # wrapped: formgrader shows a traceback in a <pre> that does not wrap, and the end of a verdict (the known
    # mistake it looks like) is the part worth reading
    lines = textwrap.wrap(f"autograde: {row.grade_id} {row.score:g} / {row.max_score:g}, {row.status}: {_text(row.message, 2000)}",
                          100, break_long_words=True, break_on_hyphens=False)
    return new_output("error", ename=f"autograde: {row.status}", evalue=_text(row.message, 2000), traceback=lines)


def build(source, plan, outputs: list[list] | None, rows, kept_at: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """The autograded notebook of one submission (see the module docstring). ``outputs`` are the grading
    notebook's outputs by cell index (:func:`executed_outputs`; None when nothing ran); ``kept_at`` maps a
    written answer's grade id to where its whole text is kept when the page shows only its beginning."""
    from autograde import written

    by_gid = {r.grade_id: r for r in rows}
    outputs = outputs or []
    kept_at = kept_at or {}

    def outs(index: int) -> list:
        return outputs[index] if index < len(outputs) else []

    extras_after: dict[str | None, list[tuple[int, str]]] = {}
    for anchor, index, code in plan.extras:
        extras_after.setdefault(anchor, []).append((index, code))

    def added(anchor: str | None) -> list:
        cells = []
        for index, code in extras_after.get(anchor, []):
            cell = new_code_cell(code[:20_000])
            cell.outputs = outs(index)
            cells.append(cell)
        return cells

    cells = added(None)  # code the student put before every known cell
    for cell in source.cells:
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader", {})
        gid = nbg.get("grade_id")
        if cell.cell_type == "markdown":
            if nbg.get("solution"):  # the student's written answer: safe HTML, never the markdown as typed
                text = written.to_html(plan.written.get(gid, ""), kept_at=kept_at.get(gid, ""))
            else:
                text = cell.source
            cells.append(new_markdown_cell(text, metadata=dict(meta)))
        elif cell.cell_type == "code" and nbg.get("solution"):
            new = new_code_cell(plan.answers.get(gid, "# (this answer cell was missing from the submission)"), metadata=dict(meta))
            new.outputs = outs(plan.answer_index[gid]) if gid in plan.answer_index else []
            cells.append(new)
        elif cell.cell_type == "code":
            new = new_code_cell(cell.source, metadata=dict(meta))
            if nbg.get("grade") and gid in by_gid:
                new.outputs = [verdict_output(by_gid[gid])]
            cells.append(new)
        if gid:
            cells.extend(added(gid))
    nb = new_notebook(cells=cells, metadata=dict(source.metadata))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"autograded-{i:04d}"
    return nb
