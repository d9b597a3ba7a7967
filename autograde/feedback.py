"""Per-student feedback HTML: the student's answers and, after each graded cell, its score and message.

Hidden tests never appear: a test cell is shown with its hidden block removed (what the student's
own notebook shows). The HTML is made with nbconvert's exporter. Prose and tests come from the trusted
source notebook; what comes from the student is neutralised here: code is shown as code (escaped by
the highlighter), written answers and messages have ``<``, ``>`` and ``&`` escaped, so markdown and
math still render but no tag or script does. (nbconvert's own ``sanitize_html`` escapes headings and
paragraphs of the trusted prose too, so it is not used.)
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograde import assemble

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
ICON = {"ok": "✅", "manual": "✍️"}


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    exp = HTMLExporter(template_name="lab")
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    return exp


def _result_md(row) -> str:
    icon = ICON.get(row.status, "❌")
    text = f"**{icon} {row.grade_id}: {row.score:g} / {row.max_score:g}** — {row.status}"
    if row.message:
        text += "\n\n" + "\n".join(f"> {html.escape(line)}" for line in row.message.split(" | "))
    return text


def _header(job, rows, notes: str = "") -> str:
    auto = [r for r in rows if r.status != "manual"]
    got, total = sum(r.score for r in auto), sum(r.max_score for r in auto)
    lines = [f"# Feedback: {html.escape(job.assignment)} / {html.escape(job.notebook)}",
             f"Student **{html.escape(job.student_id)}** — autograded score **{got:g} / {total:g}**"
             + (" (written answers are graded by hand)" if len(auto) < len(rows) else "")]
    if notes:
        lines.append(f"Note: {html.escape(notes)}")
    lines.append("| question | score | status |\n|---|---|---|\n" + "\n".join(
        f"| {r.grade_id} | {r.score:g} / {r.max_score:g} | {r.status} |" for r in rows))
    return "\n\n".join(lines)


def _to_html(cells) -> str:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    body, _ = _exporter().from_notebook_node(nb)
    return body


def render(job, source, plan: assemble.Plan, rows, notes: str = "") -> str:
    """Feedback for a graded notebook: prose and tests from the source, answers from the student."""
    by_id = {r.grade_id: r for r in rows}
    cells = [new_markdown_cell(_header(job, rows, notes))]
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if cell.cell_type == "markdown" and meta.get("solution"):
            cells.append(new_markdown_cell(html.escape(plan.written.get(gid, ""), quote=False) or "*(no answer)*"))
            if gid in by_id:
                cells.append(new_markdown_cell(_result_md(by_id[gid])))
        elif cell.cell_type == "markdown":
            cells.append(new_markdown_cell(cell.source))
        elif meta.get("solution"):
            cells.append(new_code_cell(plan.answers.get(gid, "# (this answer cell was missing from the submission)")))
        elif meta.get("grade"):
            cells.append(new_code_cell(HIDDEN.sub("", cell.source).rstrip()))
            if gid in by_id:
                cells.append(new_markdown_cell(_result_md(by_id[gid])))
        else:
            cells.append(new_code_cell(cell.source))
    return _to_html(cells)


def render_problem(job, rows) -> str:
    """Feedback when nothing could be graded (missing or invalid notebook)."""
    return _to_html([new_markdown_cell(_header(job, rows)),
                     new_markdown_cell("\n\n".join(_result_md(r) for r in rows))])
