"""What formgrader's submission page makes of the kit's autograded notebooks (issue 15).

Formgrader renders ``autograded/<student>/<assignment>/<notebook>.ipynb`` with nbconvert's HTMLExporter and
nbgrader's ``formgrade`` template, inside the instructor's logged-in JupyterLab: markdown cells go through
``markdown2html``, which keeps raw HTML. These tests render the kit's autograded notebooks with that very
exporter and template (as ``nbgrader.server_extensions.formgrader`` configures it) and read the HTML as a
browser would parse it. The browser test (tests/browser/test_formgrader_hostile.py) opens the pages for real.
"""
from __future__ import annotations

import html.parser
import json
import time

import nbformat
import pytest
from nbformat.v4 import new_output

from autograde import autograded, feedback, grader, samples, written
from autograde.plan import make_plan
from autograde.course import GradeRow

WRITTEN = "xor_proof"
# what a hostile written answer tried (issue 15, and the usual XSS shapes); each must reach the page as text
PAYLOADS = {
    "img_onerror": "The proof. <img src=x style=display:none onerror=\"eval(atob('ZG9jdW1lbnQudGl0bGU9J1BXTkVEJw=='))\">",
    "svg_onload": "<svg onload=\"document.title='PWNED'\"><circle r=1></svg>",
    "iframe_srcdoc": "<iframe srcdoc=\"<script>parent.document.title='PWNED'</script>\"></iframe>",
    "script": "<script>document.title='PWNED'</script>",
    "markdown_js_link": "[click me](javascript:document.title='PWNED')",
    "markdown_data_link": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "html_js_link": "<a href=\"javascript:document.title='PWNED'\">x</a>",
    "markdown_image": "![x](javascript:alert(1)) ![y](https://example.org/track.png)",
    "style": "<style>body{display:none}</style><div style=\"position:fixed;inset:0\">covered</div>",
    "math_href": "$\\href{javascript:document.title='PWNED'}{x}$ and $$\\unicode[some-font]{x41}$$",
    "mxss": "<math><mtext><table><mglyph><style><img src=x onerror=\"document.title='PWNED'\">",
    "object": "<object data=\"javascript:alert(1)\"></object><embed src=x>",
    "form": "<form action=\"/formgrader/api/grade/1\" method=post><button>ok</button></form>",
    "meta_refresh": "<meta http-equiv=refresh content=\"0;url=javascript:alert(1)\">",
    "autolink": "<javascript:alert(1)> <https://example.org>",
    "html_comment": "<!-- --><img src=x onerror=alert(1)> -->",
}
DANGEROUS_TAGS = {"script", "iframe", "svg", "math", "object", "embed", "form", "meta", "style", "link", "base", "img",
                  "a", "button", "input", "textarea", "video", "audio", "source", "frame", "frameset", "template"}


class _Page(html.parser.HTMLParser):
    """The tags and attributes a browser would build from the page (html.parser follows HTML5 tokenizing)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def source(source_nb01):
    return nbformat.read(str(source_nb01), as_version=4)


@pytest.fixture(scope="module")
def exporter():
    """nbconvert's HTMLExporter as nbgrader's formgrader extension configures it (template 'formgrade')."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config

    cfg = Config()
    cfg.HTMLExporter.template_name = "formgrade"
    cfg.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    return HTMLExporter(config=cfg)


def _formgrader_page(exporter, nb) -> str:
    resources = {"assignment_id": "01_perceptron", "notebook_id": "perceptron", "submission_id": "x", "index": 0,
                 "total": 1, "base_url": "", "student": "alice", "last_name": None, "first_name": None,
                 "notebook_path": "autograded/alice/01_perceptron/perceptron.ipynb"}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def _autograded(source, release_nb01, answer: str, **changes):
    sub = samples.untouched(release_nb01)
    for cell in sub.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = answer
    for key, value in changes.items():
        setattr(sub, key, value)
    parsed = grader.read_submission(nbformat.writes(sub).encode())
    plan = make_plan(source, parsed)
    rows = [GradeRow("alice", "01_perceptron", "perceptron", WRITTEN, None, 2, "manual", "written answer: graded by hand")]
    return autograded.build(source, plan, None, rows)


@pytest.fixture(scope="module")
def honest_page(exporter, source, release_nb01):
    return _parse(_formgrader_page(exporter, _autograded(source, release_nb01, "XOR is not linearly separable.")))


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_a_hostile_written_answer_reaches_formgrader_as_inert_text(exporter, source, release_nb01, honest_page, payload):
    """Rendered by formgrader's own template, does a hostile written answer add no tag a browser could run, load or
    submit (no script, iframe, svg, image, link, form or style, no event attribute) beyond what an honest page has?"""
    page = _parse(_formgrader_page(exporter, _autograded(source, release_nb01, PAYLOADS[payload])))
    baseline = [(t, a) for t, a in honest_page.tags if t in DANGEROUS_TAGS]
    added = [(t, a) for t, a in page.tags if t in DANGEROUS_TAGS]
    assert added == baseline, f"the page gained {[(t, a) for t, a in added if (t, a) not in baseline][:3]}"
    events = [(t, k) for t, attrs in page.tags for k in attrs if k.startswith("on")]
    assert events == [(t, k) for t, attrs in honest_page.tags for k in attrs if k.startswith("on")]
    urls = [v for _, attrs in page.tags for k, v in attrs.items() if k in ("href", "src", "action", "data") and v]
    assert not [u for u in urls if u.strip().lower().startswith(("javascript:", "data:text", "vbscript:"))]


def test_the_payload_stays_readable_as_text(exporter, source, release_nb01):
    """Does the instructor still see what the student typed (the markup shown as text), so it can be graded?"""
    page = _parse(_formgrader_page(exporter, _autograded(source, release_nb01, PAYLOADS["img_onerror"])))
    shown = "".join(page.text)
    assert "The proof." in shown and "<img src=x" in shown and "onerror=" in shown


def test_markdown_a_student_writes_stays_readable(exporter, source, release_nb01):
    """Are paragraphs, emphasis, lists, inline code and quotes of an honest answer rendered as such?"""
    answer = "Two *lines* cannot **split** it:\n\n- the points `(0,1)`, `(1,0)`\n- and the others\n\n> a quote"
    page = _parse(_formgrader_page(exporter, _autograded(source, release_nb01, answer)))
    tags = [t for t, _ in page.tags]
    for tag in ("em", "strong", "ul", "li", "code", "blockquote"):
        assert tag in tags, tag


def test_math_is_shown_as_latex_source_that_mathjax_skips(exporter, source, release_nb01):
    """Is a formula shown as the LaTeX the student typed, inside an element MathJax 2 and 3 are told to skip?"""
    nb = _autograded(source, release_nb01, "so $w_1 + w_2 \\le b$ fails")
    cell = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == WRITTEN)
    # as character references in the cell: the page's markdown and math parsers see no dollar and no backslash
    assert "$" not in cell.source and "\\" not in cell.source
    page = _parse(_formgrader_page(exporter, nb))
    assert "$w_1 + w_2 \\le b$" in "".join(page.text)
    wrapper = [a.get("class", "") for t, a in page.tags if t == "div" and "ag-written" in a.get("class", "")]
    assert wrapper and "tex2jax_ignore" in wrapper[0] and "mathjax_ignore" in wrapper[0]


def test_the_longest_written_answer_the_kit_accepts_renders_in_seconds(exporter, source, release_nb01):
    """Does formgrader's page of a written answer at the per-cell limit (1 MiB of unclosed LaTeX environments, which
    nbconvert's math-aware markdown once took hours on) render in under 5 s, with a note that it was clipped?"""
    answer = ("\\begin{a}" * (grader.MAX_CELL_SOURCE // 9))[: grader.MAX_CELL_SOURCE]
    t0 = time.monotonic()
    nb = _autograded(source, release_nb01, answer)
    built = time.monotonic() - t0
    t0 = time.monotonic()
    page = _formgrader_page(exporter, nb)
    rendered = time.monotonic() - t0
    assert built + rendered < 5.0, f"built in {built:.2f} s, rendered in {rendered:.2f} s"
    assert f"{len(answer):,} characters long: the first {written.MAX_SHOWN:,} are shown" in page
    assert len(page) < 2_000_000


def test_the_students_metadata_and_attachments_never_reach_the_page(exporter, source, release_nb01, honest_page):
    """Do a submission's notebook metadata, cell metadata and attachments (an SVG with a script) stay out of the
    autograded notebook, which takes metadata from the source notebook only?"""
    svg = "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4="
    nb = samples.untouched(release_nb01)
    nb.metadata["kernelspec"]["display_name"] = "<img src=x onerror=alert(1)>"
    nb.metadata["language_info"] = {"name": "<script>alert(1)</script>"}
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = "see ![a](attachment:a.svg)"
            cell["attachments"] = {"a.svg": {"image/svg+xml": svg}}
            cell.metadata["tags"] = ["<img src=x onerror=alert(1)>"]
        elif cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("locked"):
            cell.metadata["jupyter"] = {"source_hidden": "<img src=x onerror=alert(1)>"}
    parsed = grader.read_submission(nbformat.writes(nb).encode())
    plan = make_plan(source, parsed)
    ag = autograded.build(source, plan, None, [])
    assert ag.metadata == source.metadata
    assert "onerror" not in nbformat.writes(ag).replace(PAYLOADS["img_onerror"], "")
    page = _parse(_formgrader_page(exporter, ag))
    assert [(t, a) for t, a in page.tags if t in DANGEROUS_TAGS] == [(t, a) for t, a in honest_page.tags if t in DANGEROUS_TAGS]


def test_outputs_of_the_run_reach_the_page_as_text_only(exporter, source, release_nb01, honest_page):
    """Do HTML, JavaScript and SVG outputs from the sandbox's run (untrusted) reach formgrader only as text, or not at all?"""
    sub = samples.untouched(release_nb01)
    plan = make_plan(source, grader.read_submission(nbformat.writes(sub).encode()))
    evil = [new_output("display_data", data={"text/html": "<img src=x onerror=alert(1)>", "text/plain": "<b>plain</b>",
                                             "application/javascript": "alert(1)", "image/svg+xml": "<svg onload=alert(1)/>"}),
            new_output("stream", name="stdout", text="<script>alert(1)</script>\x1b]0;title\x07"),
            new_output("error", ename="<img src=x onerror=alert(1)>", evalue="<svg onload=alert(1)>", traceback=["<iframe>"])]
    executed = {"cells": [{"outputs": evil} for _ in plan.notebook.cells]}
    nb = autograded.build(source, plan, autograded.executed_outputs(executed, len(plan.notebook.cells)), [])
    page = _parse(_formgrader_page(exporter, nb))
    assert [(t, a) for t, a in page.tags if t in DANGEROUS_TAGS] == [(t, a) for t, a in honest_page.tags if t in DANGEROUS_TAGS]
    assert "<script>alert(1)</script>" in "".join(page.text)  # shown, as text


def test_feedback_shows_the_written_answer_inert_and_readable(source, release_nb01):
    """Does the student's feedback page show the written answer readable, with the payload as text and no tag of its own?"""
    nb = _autograded(source, release_nb01, "*Proof*: " + PAYLOADS["img_onerror"])
    rows = [GradeRow("alice", "01_perceptron", "perceptron", WRITTEN, None, 2, "manual", "written answer: graded by hand")]
    page = _parse(feedback.render("alice", "01_perceptron", "perceptron.ipynb", nb, rows))
    assert not [a for t, a in page.tags if any(k.startswith("on") for k in a)]
    assert "em" in [t for t, _ in page.tags] and "<img src=x" in "".join(page.text)


def test_a_written_cell_that_is_not_kit_html_is_cleaned_in_feedback(source, release_nb01):
    """If an autograded notebook's written cell holds raw markup (written by another tool), is it still cleaned in feedback?"""
    nb = _autograded(source, release_nb01, "ok")
    for cell in nb.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = "<img src=x onerror=alert(1)><script>alert(2)</script>text"
    page = _parse(feedback.render("alice", "01_perceptron", "perceptron.ipynb", nb, []))
    assert "img" not in [t for t, _ in page.tags]
    assert not [a for t, a in page.tags if any(k.startswith("on") for k in a)]
    assert "alert(2)" not in "".join(page.text)


def test_a_feedback_page_lets_no_script_run_and_shows_code_as_code(source, release_nb01):
    """Whatever reaches a feedback page, does the page itself forbid scripts (its Content-Security-Policy, the
    first thing in its head), and does a student's code cell show as escaped, highlighted code?"""
    nb = _autograded(source, release_nb01, "ok")
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell.source = "x = '</pre><script>alert(3)</script>'"
            break
    text = feedback.render("alice", "01_perceptron", "perceptron.ipynb", nb, [])
    page = _parse(text)
    meta = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(meta) == 1 and "default-src 'none'" in meta[0]["content"] and "script-src" not in meta[0]["content"]
    assert text.index("Content-Security-Policy") < text.index("<title>")
    assert "script" not in [t for t, _ in page.tags]
    assert "</pre><script>alert(3)</script>" in "".join(page.text).replace("&#39;", "'")


def test_a_page_rendered_after_the_warm_up_is_the_page_rendered_cold(source, release_nb01, monkeypatch):
    """`autograde self` fills the page's caches from the source notebook while the sandbox runs (feedback.warm): is
    the page then exactly the one rendered with empty caches, and did the warm-up leave the source's answers out?"""
    nb = _autograded(source, release_nb01, "ok")
    for cache in (feedback.highlight_code, feedback.render_markdown):
        cache.cache_clear()
    cold = feedback.render("alice", "01_perceptron", "perceptron.ipynb", nb, [])
    for cache in (feedback.highlight_code, feedback.render_markdown):
        cache.cache_clear()
    seen = []
    cached = feedback.highlight_code
    monkeypatch.setattr(feedback, "highlight_code", lambda text: seen.append(text) or cached(text))
    feedback.warm(nbformat.writes(source))
    monkeypatch.setattr(feedback, "highlight_code", cached)
    answers = {c.source for c in source.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    assert seen and not set(seen) & answers
    assert feedback.render("alice", "01_perceptron", "perceptron.ipynb", nb, []) == cold
    assert feedback.highlight_code.cache_info().hits > 0   # the page used what the warm-up made


def _trusted_cost(source, plan, out_dir, rows):
    """What the trusted side spends on one executed notebook: cells and size of what it writes, CPU seconds (one
    pass), peak Python memory of reading it and building the autograded notebook (a second pass, under tracemalloc)."""
    import tracemalloc

    from autograde import sandbox

    limits = sandbox.Limits()

    def build():
        outputs = autograded.executed_outputs(grader.read_executed(out_dir, plan, limits), len(plan.notebook.cells),
                                              budget=limits.output_bytes)
        return nbformat.writes(autograded.build(source, plan, outputs, rows))

    t0 = time.process_time()
    text = build()
    page = feedback.render("s", "01_perceptron", "perceptron.ipynb", nbformat.reads(text, as_version=4), rows)
    cpu = time.process_time() - t0
    tracemalloc.start()
    build()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"cells": len(nbformat.reads(text, as_version=4).cells), "bytes": len(text) + len(page), "cpu": round(cpu, 3), "peak": peak}


def test_a_forged_executed_notebook_costs_no_more_than_an_honest_run(tmp_path, source, release_nb01, source_nb01):
    """The executed notebook is the student's to forge (its code shares the client's uid). Does one with as many extra
    cells as fit in what the grader reads (about 20,000) give the autograded notebook no extra cell and cost the trusted side no more
    time, memory or output than an honest run that used its whole output limit?"""
    from autograde import sandbox

    limits = sandbox.Limits()
    sub = grader.read_submission(nbformat.writes(samples.solved(release_nb01, source_nb01)).encode())
    plan = make_plan(source, sub)
    rows = [GradeRow("s", "01_perceptron", "perceptron", c.grade_id, c.points, c.points, "ok") for c in plan.graded]
    limit = grader.executed_limit(plan, limits)
    # honest, at its limits: the notebook the grader sent, every cell printing and raising, one printing its whole output budget
    honest = nbformat.reads(nbformat.writes(plan.notebook), as_version=4)
    for cell in honest.cells:
        cell.outputs = [new_output("stream", name="stdout", text="line of output\n" * 20),
                        new_output("error", ename="ValueError", evalue="x" * 2000, traceback=["t" * 2000] * 20)]
    # a loop that displays a number at a time until the output limit (each display is an output of its own)
    shown = new_output("display_data", data={"text/plain": "12345"})
    honest.cells[0].outputs += [shown] * (limits.output_bytes // len(json.dumps(shown)))
    from autograde.sandboxed.client import write_executed

    write_executed(honest, tmp_path / "honest.ipynb")   # as the client writes it
    honest_json = (tmp_path / "honest.ipynb").read_text()
    # forged: as many cells claiming to be extra code as fit in what the grader reads
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {"autograde": {"role": "extra", "key": ""}}, "source": "x = 1",
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "forged output\n"}]}
    n = (limit - 2_000) // (len(json.dumps(cell)) + 2)
    forged_json = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell] * n})
    assert n > 15_000 and len(forged_json) <= limit < len(forged_json) + 10_000

    costs = {}
    for name, text in (("honest", honest_json), ("forged", forged_json)):
        out = tmp_path / name / "out"
        out.mkdir(parents=True)
        (out / "executed.ipynb").write_text(text)
        costs[name] = _trusted_cost(source, plan, out, rows)
    h, f = costs["honest"], costs["forged"]
    assert f["cells"] == h["cells"], costs
    assert f["bytes"] <= h["bytes"], costs
    assert f["cpu"] <= 1.5 * h["cpu"] + 0.5, costs
    assert f["peak"] <= 1.5 * h["peak"] + 8 * 2**20, costs


def test_an_executed_notebook_over_what_an_honest_run_writes_is_not_read(tmp_path, source, release_nb01):
    """Is an executed notebook larger than the grader sent plus the output limits ignored (no outputs), not parsed?"""
    from autograde import sandbox

    plan = make_plan(source, grader.read_submission(nbformat.writes(samples.untouched(release_nb01)).encode()))
    out = tmp_path / "out"
    out.mkdir()
    limit = grader.executed_limit(plan, sandbox.Limits())
    (out / "executed.ipynb").write_text(json.dumps({"cells": [{"outputs": []}], "pad": "x" * limit}))
    assert grader.read_executed(out, plan, sandbox.Limits()) is None
