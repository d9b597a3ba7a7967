"""Per-student feedback HTML, rendered from the autograded notebook and the gradebook's rows.

What a student reads: the notebook's prose, their own code and written answers, each graded cell's
score and message (the failing case's label and what differed, and the known mistake it looks like),
and, once an instructor has graded by hand in formgrader, the manual scores and comments.

What never appears: hidden tests (a test cell is shown with its hidden block removed, as the
student's own notebook shows it), expected values beyond the failing case's message, and any
output of the student's run (those are untrusted and could carry markup).

Everything a student controls (their id, file names, notes, code, written answers, exception
messages, the instructor's comments) is neutralised here, at one depth: it never passes through the
markdown renderer. Code is shown as code (escaped by the highlighter, clipped); a written answer is
the safe HTML :mod:`autograde.written` made of it (no attribute, no link, math shown as LaTeX source
and skipped by MathJax), sanitized once more; every other piece of text is escaped with
``html.escape``; each goes into the page as the fragment it is. So blank lines, markdown links or
``javascript:`` URLs in a folder name stay text. The page itself forbids scripts (its Content-Security-Policy
allows inline style and data: images only).
Trusted prose (the source notebook's markdown cells) is rendered as markdown, as usual, with its
formulas written as MathML (:mod:`autograde.mathml`): the page loads nothing from another host.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from autograde import written
from autograde.mathml import render_markdown

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)
ICON = {"ok": "✅", "manual": "✍️", "graded": "✍️"}
MAX_CODE = 10_000      # characters of one answer cell shown (highlighting costs ~75 ms per KB)
MAX_TEXT = 10_000      # characters of one written answer shown
STYLE = ("<style>.ag-result{border-left:4px solid #888;padding:4px 10px;margin:4px 0;background:#f7f7f7}"
         ".ag-ok{border-color:#2a2}.ag-bad{border-color:#c22}.ag-hand{border-color:#27c}"
         ".ag-text{white-space:pre-wrap;font-family:inherit;margin:0}</style>")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} more characters not shown]"


def _e(text) -> str:
    """Escape for HTML, with every line break kept as text (never a block boundary)."""
    return html.escape(str(text), quote=True)


def _html_cell(fragment: str) -> tuple[str, str]:
    """A piece of the page shown as the HTML it is (every such fragment is escaped or sanitized where it is made)."""
    return ("html", fragment)


def _code_cell(source: str) -> tuple[str, str]:
    """A piece of the page shown as highlighted code."""
    return ("code", source)


# The page's own style: a plain page, readable printed or offline; code highlighted by Pygments' classes.
PAGE_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.5;color:#222;"
    "max-width:60rem;margin:1.5rem auto;padding:0 1rem}"
    ".jp-Cell{margin:.6rem 0}.jp-CodeCell pre{background:#f5f5f5;border:1px solid #e0e0e0;padding:.5rem .7rem;"
    "overflow-x:auto;font-size:.9em;line-height:1.35;margin:0}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
    "math[display=block]{margin:.5em 0;overflow-x:auto}"
)
# No script may run on a feedback page, whatever it holds: its policy allows inline style and data: images only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@lru_cache(maxsize=1)
def _highlighter():
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    formatter = HtmlFormatter(nowrap=True)
    return PythonLexer(), formatter, formatter.get_style_defs(".highlight")


@lru_cache(maxsize=4096)
def highlight_code(source: str) -> str:
    """Python source as escaped, highlighted HTML (Pygments escapes every character of it). Cached: the notebook's
    own code cells are the same for every student."""
    from pygments import highlight

    lexer, formatter, _ = _highlighter()
    return highlight(source, lexer, formatter)


def _to_html(cells, title: str = "Feedback") -> str:
    """The page: each piece in order, code as highlighted code, an HTML fragment as it is (every
    fragment here was escaped or sanitized where it was made). nbconvert's exporter wrote this page before; it
    spent ~1 s of every submission re-parsing the page (bleach, BeautifulSoup) for what the fragments already are."""
    _, _, pygments_css = _highlighter()
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{_e(title)}</title><style>{PAGE_STYLE}{pygments_css}</style></head>",
             '<body><main class="jp-Notebook">\n']
    for i, (kind, text) in enumerate(cells):
        cid = f"feedback-{i:04d}"   # the same notebook gives the same page, wherever it was rendered
        if kind == "html":
            parts.append(f'<div class="jp-Cell jp-OutputCell" id="{cid}">{text}</div>\n')
        else:
            parts.append(f'<div class="jp-Cell jp-CodeCell" id="{cid}"><div class="highlight hl-python"><pre>'
                         f"{highlight_code(text)}</pre></div></div>\n")
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _score(row) -> str:
    if row.score is None:
        return f"– / {row.max_score:g}"
    return f"{row.score:g} / {row.max_score:g}"


def result_html(row) -> str:
    """One graded cell's verdict: score, status, message, the instructor's comment."""
    if row.status == "ok":
        cls = "ag-ok"
    elif row.status in ("manual", "graded"):
        cls = "ag-hand"
    else:
        cls = "ag-bad"
    from autograde.report import status_word

    status = status_word(row)
    if row.status == "graded":
        status = "graded by hand"
    parts = [f"<div class='ag-result {cls}'><b>{ICON.get(row.status, '❌')} {_e(row.grade_id)}: {_score(row)}</b> — {_e(status)}"]
    if row.message and row.status not in ("manual", "graded"):
        lines = [" ".join(part.split()) for part in row.message.split(" | ")]
        parts.append("<br>" + "<br>".join(_e(line) for line in lines))
    if getattr(row, "comment", ""):
        parts.append(f"<br><b>Instructor's comment:</b><pre class='ag-text'>{_e(_clip(row.comment, MAX_TEXT))}</pre>")
    parts.append("</div>")
    return "".join(parts)


RULES = {True: "A test cell that checks several functions gives each right one its share of the cell's points (partial credit).",
         False: "A test cell that checks several functions gives its points only when every one of them is right (all or nothing)."}


def header_html(student_id: str, assignment: str, notebook: str, rows, notes: str = "", late_penalty: float = 0.0,
                partial_credit: bool = True) -> str:
    from autograde.report import is_written, status_word

    hand = [r for r in rows if is_written(r)]
    auto = [r for r in rows if not is_written(r)]
    got = sum(r.score or 0.0 for r in rows)
    total = sum(r.max_score for r in rows)
    waiting = [r for r in hand if r.score is None]
    parts = [STYLE, f"<h1>Feedback: {_e(assignment)} / {_e(notebook)}</h1>",
             f"<p>Student <b>{_e(student_id)}</b> — score <b>{max(0.0, got - late_penalty):g} / {total:g}</b>"
             f" (autograded {sum(r.score or 0.0 for r in auto):g} / {sum(r.max_score for r in auto):g}"
             + (f"; written answers {sum(r.score or 0.0 for r in hand):g} / {sum(r.max_score for r in hand):g}" if hand else "")
             + (f"; late penalty −{late_penalty:g}: handed in after the due date" if late_penalty else "")
             + ")" + (f". <b>{len(waiting)} written answer(s) awaiting manual grading.</b>" if waiting else "") + "</p>"]
    parts.append(f"<p><small>Scoring: {_e(RULES[bool(partial_credit)])}</small></p>")
    if notes:
        parts.append(f"<p>Note: {_e(' '.join(notes.split()))}</p>")
    parts.append("<table><tr><th>question</th><th>score</th><th>status</th></tr>" + "".join(
        f"<tr><td>{_e(r.grade_id)}</td><td>{_score(r)}</td><td>{_e(status_word(r))}</td></tr>"
        for r in rows) + "</table>")
    return "".join(parts)


def warm(source_text: str) -> None:
    """Fill the page's caches from the SOURCE notebook (``autograde self`` calls it in a thread while the student's
    notebook runs in the sandbox): its prose rendered, its own code cells highlighted, exactly as :func:`render` asks
    for them, since every student's notebook holds them unchanged. The answer cells (the source's solutions) are
    left alone: a page shows the student's answers, never these."""
    import json

    _highlighter()
    written.text_of("")  # the sanitizer's imports
    for cell in json.loads(source_text).get("cells", []):
        source = "".join(cell.get("source", ""))
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            continue
        if cell.get("cell_type") == "markdown":
            render_markdown(source)
        elif cell.get("cell_type") == "code":
            highlight_code(HIDDEN.sub("", source).rstrip() if meta.get("grade") else source)


def render(student_id: str, assignment: str, notebook: str, graded_nb, rows, notes: str = "", answer_comments: dict | None = None,
           late_penalty: float = 0.0, partial_credit: bool = True) -> str:
    """Feedback for one notebook. ``graded_nb`` is its autograded notebook (None when nothing could run:
    a missing or invalid submission); ``answer_comments`` maps an answer cell's grade id to the
    instructor's comment on it (formgrader); ``late_penalty`` is nbgrader's late-submission penalty, taken off the score;
    ``partial_credit`` is the course's scoring rule for a cell that checks several functions, stated in the header."""
    by_id = {r.grade_id: r for r in rows}
    answer_comments = answer_comments or {}
    cells = [_html_cell(header_html(student_id, assignment, notebook, rows, notes, late_penalty, partial_credit))]
    title = f"Feedback: {assignment} / {notebook}"
    if graded_nb is None:
        cells.append(_html_cell("".join(result_html(r) for r in rows)))
        return _to_html(cells, title)
    for cell in graded_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id")
        if cell.cell_type == "markdown" and meta.get("solution"):
            # the autograded notebook holds the answer as safe HTML (autograde.written); cleaned again here, so that
            # a page never trusts where its HTML came from
            answer = written.clean(cell.source)
            shown = written.text_of(answer)
            cells.append(_html_cell(f"<div class='{written.WRAPPER_CLASS}'>{answer}</div>" if not written.is_unanswered(shown)
                                    else "<p><i>(no answer)</i></p>"))
            if gid in by_id:
                cells.append(_html_cell(result_html(by_id[gid])))
        elif cell.cell_type == "markdown":  # trusted prose (the source's): its math as MathML, readable offline
            cells.append(_html_cell(f"<div class='jp-RenderedMarkdown'>{render_markdown(cell.source)}</div>"))
        elif not meta:  # a code cell the student added
            cells.append(_code_cell(_clip(cell.source, MAX_CODE)))
        elif meta.get("solution"):
            cells.append(_code_cell(_clip(cell.source, MAX_CODE)))
            if answer_comments.get(gid):
                cells.append(_html_cell(f"<div class='ag-result ag-hand'><b>Instructor's comment:</b>"
                                        f"<pre class='ag-text'>{_e(_clip(answer_comments[gid], MAX_TEXT))}</pre></div>"))
        elif meta.get("grade"):
            cells.append(_code_cell(HIDDEN.sub("", cell.source).rstrip()))
            if gid in by_id:
                cells.append(_html_cell(result_html(by_id[gid])))
        else:
            cells.append(_code_cell(cell.source))
    return _to_html(cells, title)
