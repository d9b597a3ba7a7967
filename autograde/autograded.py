"""The ``autograded/`` notebook of a submission, as nbgrader writes it, for formgrader and feedback.

nbgrader's formgrader lists and shows a submission only when
``autograded/<student>/<assignment>/<notebook>.ipynb`` exists; it renders that file and finds the
graded cells by their nbgrader metadata (``grade_id``), whose scores and comments it reads from and
writes to the gradebook. So the grader writes one per graded notebook, built here in the trusted
process, in the source notebook's order (nbgrader's ``OverwriteCells`` restores the source's locked
cells the same way):

- prose, set-up and given cells, and test cells (hidden tests included: only the instructor sees
  this file; feedback strips them) come from the SOURCE notebook, with its nbgrader metadata;
- answer cells and written answers are the student's, under the source cell's metadata;
- code cells the student added follow the cell they followed in the submission;
- outputs come from the sandbox's run (the executed grading notebook) and are untrusted: only
  plain text streams, error names/messages/tracebacks (ANSI codes removed) and PNG images (checked
  base64) are kept, each clipped. No HTML, JavaScript or widget output reaches formgrader, whose
  page runs with the instructor's rights;
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
        if not isinstance(out, dict) or len(kept) >= MAX_OUTPUTS:
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


def executed_cells(nb: Any) -> list[dict]:
    """The cells of the executed grading notebook (untrusted JSON read back from the sandbox), or []."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    return [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []


def _role(cell: dict) -> tuple[str, str]:
    meta = cell.get("metadata", {})
    meta = meta.get("autograde", {}) if isinstance(meta, dict) else {}
    meta = meta if isinstance(meta, dict) else {}
    return str(meta.get("role", "")), str(meta.get("key", ""))


def _src(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def verdict_output(row) -> Any:
    """The trusted verdict of a test cell, as its output."""
    if row.status == "ok":
        return new_output("stream", name="stdout", text=f"\N{HEAVY CHECK MARK} {row.grade_id}: {row.score:g} / {row.max_score:g} (autograde: every hidden case passed)\n")
    # wrapped: formgrader shows a traceback in a <pre> that does not wrap, and the end of a verdict (the known
    # mistake it looks like) is the part worth reading
    lines = textwrap.wrap(f"autograde: {row.grade_id} {row.score:g} / {row.max_score:g}, {row.status}: {_text(row.message, 2000)}",
                          100, break_long_words=True, break_on_hyphens=False)
    return new_output("error", ename=f"autograde: {row.status}", evalue=_text(row.message, 2000), traceback=lines)


def build(source, plan, executed_cells: list[dict], rows) -> nbformat.NotebookNode:
    """The autograded notebook of one submission (see the module docstring)."""
    by_gid = {r.grade_id: r for r in rows}
    # the run, in order: each answer/test/setup cell's outputs, and the extra cells that follow it
    outputs: dict[str, list] = {}
    extras_after: dict[str, list[dict]] = {}
    anchor = ""
    for cell in executed_cells:
        role, key = _role(cell)
        if role == "extra":
            extras_after.setdefault(anchor, []).append(cell)
        elif role in ("answer", "setup", "test"):
            anchor = key
            if role == "answer":
                outputs[key] = safe_outputs(cell.get("outputs"))
    cells = []
    for cell in source.cells:
        meta = cell.get("metadata", {})
        nbg = meta.get("nbgrader", {})
        gid = nbg.get("grade_id")
        if cell.cell_type == "markdown":
            text = plan.written.get(gid, "") if nbg.get("solution") else cell.source
            cells.append(new_markdown_cell(text, metadata=dict(meta)))
        elif cell.cell_type == "code" and nbg.get("solution"):
            new = new_code_cell(plan.answers.get(gid, "# (this answer cell was missing from the submission)"), metadata=dict(meta))
            new.outputs = outputs.get(gid, [])
            cells.append(new)
        elif cell.cell_type == "code":
            new = new_code_cell(cell.source, metadata=dict(meta))
            if nbg.get("grade") and gid in by_gid:
                new.outputs = [verdict_output(by_gid[gid])]
            cells.append(new)
        for extra in extras_after.get(gid or "\0", []):
            added = new_code_cell(_src(extra)[:20_000])
            added.outputs = safe_outputs(extra.get("outputs"))
            cells.append(added)
    before = []
    for extra in extras_after.get("", []):  # code the student put before every known cell
        added = new_code_cell(_src(extra)[:20_000])
        added.outputs = safe_outputs(extra.get("outputs"))
        before.append(added)
    cells = before + cells
    nb = new_notebook(cells=cells, metadata=dict(source.metadata))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"autograded-{i:04d}"
    return nb
