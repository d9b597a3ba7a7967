"""Per-student feedback HTML: the student's answers and, after each graded cell, its score and message.

Hidden tests never appear: a test cell is shown with its hidden block removed (what the student's
own notebook shows). The HTML is made with nbconvert's exporter. Prose and tests come from the trusted
source notebook; what comes from the student is neutralised here: code is shown as code (escaped by
the highlighter, clipped to 10,000 characters), written answers and messages as escaped HTML blocks
that the markdown renderer leaves alone (no links, images, headings or scripts; no slow pathological
markdown either). nbconvert's own ``sanitize_html`` is not used: it escapes the trusted prose's
headings and paragraphs too.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograde import assemble

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
ICON = {"ok": "✅", "manual": "✍️"}
MAX_CODE = 10_000      # characters of one answer cell shown (highlighting costs ~75 ms per KB)
MAX_TEXT = 10_000      # characters of one written answer shown


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} more characters not shown]"


def _pre(text: str, cls: str) -> str:
    """Student text as an HTML block: escaped, and not parsed as markdown (no links, images or headings)."""
    return f'<pre class="{cls}">' + html.escape(text).replace("\n\n", "\n&#8203;\n") + "</pre>"


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
    if row.message:  # messages quote the student's exceptions: one line each, escaped, outside markdown
        lines = [" ".join(part.split()) for part in row.message.split(" | ")]
        text += "\n\n<blockquote>" + "<br>".join(html.escape(line) for line in lines) + "</blockquote>"
    return text


def _header(job, rows, notes: str = "") -> str:
    auto = [r for r in rows if r.status != "manual"]
    got, total = sum(r.score for r in auto), sum(r.max_score for r in auto)
    e = html.escape
    parts = [f"<h1>Feedback: {e(job.assignment)} / {e(job.notebook)}</h1>",
             f"<p>Student <b>{e(job.student_id)}</b> — autograded score <b>{got:g} / {total:g}</b>"
             + (" (written answers are graded by hand)" if len(auto) < len(rows) else "") + "</p>"]
    if notes:
        parts.append(f"<p>Note: {e(' '.join(notes.split()))}</p>")
    parts.append("<table><tr><th>question</th><th>score</th><th>status</th></tr>" + "".join(
        f"<tr><td>{e(r.grade_id)}</td><td>{r.score:g} / {r.max_score:g}</td><td>{e(r.status)}</td></tr>" for r in rows)
        + "</table>")
    return "".join(parts)


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
            answer = plan.written.get(gid, "")
            cells.append(new_markdown_cell(_pre(_clip(answer, MAX_TEXT), "written-answer") if answer.strip() else "*(no answer)*"))
            if gid in by_id:
                cells.append(new_markdown_cell(_result_md(by_id[gid])))
        elif cell.cell_type == "markdown":
            cells.append(new_markdown_cell(cell.source))
        elif meta.get("solution"):
            cells.append(new_code_cell(_clip(plan.answers.get(gid, "# (this answer cell was missing from the submission)"), MAX_CODE)))
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
