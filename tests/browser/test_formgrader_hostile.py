"""A hostile class in the instructor's real formgrader (issue 15): no student script may run in its pages.

Students hand in notebook 01 solved, with written answers that carry the payloads a hostile student would try
(the issue's ``<img onerror>`` that calls formgrader's API with the page's own XSRF cookie, ``<svg onload>``,
``<iframe srcdoc>``, a markdown ``javascript:`` link, MathJax ``\\href``, HTML and JavaScript outputs), one
with the longest written answer the kit accepts (1 MiB of unclosed LaTeX environments, which froze
formgrader for hours), and one in a folder named like the issue's folder-name payload. The class is graded
by ``autograde grade``; JupyterLab serves it with formgrader; the instructor (headless Chromium) opens
every submission page, every Manage Students page and the gradebook pages. Every payload announces itself
by a request to ``/pwned/...`` and by changing ``document.title``; the test asserts none did, and that
the gradebook, the course's files and ``nbgrader_config.py`` are as they were.
"""
from __future__ import annotations

import base64
import json
import shutil
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import lab

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ASSIGNMENT, NOTEBOOK, WRITTEN = "01_perceptron", "perceptron", "xor_proof"
VENV_BIN = lab.VENV_BIN

# The attack: with the page's own _xsrf cookie, zero every grade of every submission and write a file
# (the second version appended Python to nbgrader_config.py the same way).
ATTACK_JS = """(async () => {
  document.title += ' RAN-' + document.domain; fetch('/pwned/WHO');
  const x = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
  const h = {'X-XSRFToken': decodeURIComponent(x), 'Content-Type': 'application/json'};
  const subs = await (await fetch('/formgrader/api/submitted_notebooks/01_perceptron/perceptron')).json();
  for (const s of subs) {
    const grades = await (await fetch('/formgrader/api/grades?submission_id=' + s.id)).json();
    for (const g of grades) {
      await fetch('/formgrader/api/grade/' + g.id, {method: 'PUT', headers: h,
                  body: JSON.stringify({manual_score: 0, extra_credit: 5})});
    }
  }
  await fetch('/api/contents/pwned.txt', {method: 'PUT', headers: h,
              body: JSON.stringify({type: 'file', format: 'text', content: 'pwned'})});
})();"""


def _js(who: str) -> str:
    return base64.b64encode(ATTACK_JS.replace("WHO", who).encode()).decode()


WRITTEN_PAYLOADS = {
    "img_onerror": f"XOR needs two lines. <img src=x style=display:none onerror=\"eval(atob('{_js('img')}'))\">",
    "svg_onload": f"Not separable. <svg onload=\"eval(atob('{_js('svg')}'))\"><circle r=1></svg>",
    "iframe_srcdoc": f"<iframe srcdoc=\"<script>parent.eval(atob('{_js('iframe')}'))</script>\"></iframe>",
    "markdown_link": "See [the proof](javascript:fetch('/pwned/link');document.title+='RAN') and "
                     "<a href=\"javascript:fetch('/pwned/a')\">this</a>.",
    "math_href": "$\\href{javascript:fetch('/pwned/math')}{proof}$ and $$\\unicode[x]{x41}$$",
    "mxss": f"<math><mtext><table><mglyph><style><img src=x onerror=\"eval(atob('{_js('mxss')}'))\">",
}
FOLDER_PAYLOAD = "<img src=x onerror=\"document.title+=' RAN-'+document.domain\">"   # the issue's: printable ASCII, no /
HUGE = "huge_answer"
OUTPUTS = "html_output"


def _with_written(nb, text: str):
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN:
            cell.source = text
    return nb


def _snapshot(course_dir: Path) -> list:
    """Every grade and comment in the gradebook, as formgrader would change them."""
    with sqlite3.connect(course_dir / "gradebook.db") as db:
        grades = db.execute("select id, auto_score, manual_score, extra_credit, needs_manual_grade from grade order by id").fetchall()
        comments = db.execute("select id, manual_comment from comment order by id").fetchall()
    return grades + comments


@pytest.fixture(scope="module")
def hostile_course(tmp_path_factory):
    """Notebook 01 released by nbgrader; honest and hostile submissions; `autograde grade` run for real."""
    if shutil.which("bwrap") is None:
        pytest.skip("the course is graded in the sandbox: install bubblewrap (`make sandbox-deps` as root)")
    import nbformat

    from autograde import coursedir, grader, samples
    from autograde.reference import course_root

    course_dir = tmp_path_factory.mktemp("formgrader-hostile") / "course"
    coursedir.prepare(course_dir, [ASSIGNMENT])
    source = course_root() / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    release = course_root() / "notebooks" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    subs = course_dir / "submitted"

    def solved():
        return samples.solved(release, source)

    samples.write_submission(_with_written(solved(), "Two lines are needed: $w_1 + w_2 > b$ and $b > 0$ cannot both fail."),
                             subs, "honest", ASSIGNMENT, f"{NOTEBOOK}.ipynb")
    samples.write_submission(solved(), subs, "classmate", ASSIGNMENT, f"{NOTEBOOK}.ipynb")
    for who, text in WRITTEN_PAYLOADS.items():
        samples.write_submission(_with_written(solved(), text), subs, who, ASSIGNMENT, f"{NOTEBOOK}.ipynb")
    huge = ("\\begin{a}" * (grader.MAX_CELL_SOURCE // 9))[: grader.MAX_CELL_SOURCE]
    samples.write_submission(_with_written(solved(), huge), subs, HUGE, ASSIGNMENT, f"{NOTEBOOK}.ipynb")
    out = solved()
    idx = next(i for i, c in enumerate(out.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "relu")
    out.cells.insert(idx + 1, nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, SVG, display\n"
        f"display(HTML(\"<img src=x onerror=\\\"eval(atob('{_js('output')}'))\\\">\"))\n"
        "display(Javascript(\"fetch('/pwned/js-output')\"))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"fetch(\\'/pwned/svg-output\\')\"/>'))\n"
        "print('<img src=x onerror=fetch(\"/pwned/printed\")>')"))
    samples.write_submission(out, subs, OUTPUTS, ASSIGNMENT, f"{NOTEBOOK}.ipynb")
    samples.write_submission(solved(), subs, FOLDER_PAYLOAD, ASSIGNMENT, f"{NOTEBOOK}.ipynb")

    proc = subprocess.run([str(VENV_BIN / "autograde"), "grade", "--course-dir", str(course_dir), "--no-progress"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course_dir, proc.stdout


@pytest.fixture(scope="module")
def formgrader(hostile_course, artifacts):
    course_dir, _ = hostile_course
    server = lab.LabServer(course_dir, artifacts / "jupyterlab-formgrader-hostile.log",
                           [f"--CourseDirectory.root={course_dir}"]).start()
    yield server
    server.stop()


def _api(server, path: str):
    with urllib.request.urlopen(server.url(path), timeout=60) as resp:
        return json.loads(resp.read())


def test_the_folder_name_payload_is_not_graded_and_leaves_formgraders_sight(hostile_course, formgrader):
    """Is the folder named like markup left out of the class (no gradebook student), listed with the reason, and moved
    out of submitted/ (kept, not deleted), so that formgrader, which lists every folder there, never shows its name?"""
    course_dir, stdout = hostile_course
    assert "cannot be a student id" in stdout and "was moved out of submitted/" in stdout
    with sqlite3.connect(course_dir / "gradebook.db") as db:
        ids = {r[0] for r in db.execute("select id from student")}
    assert FOLDER_PAYLOAD not in ids and "honest" in ids and not any("<" in i for i in ids)
    assert not (course_dir / "submitted" / FOLDER_PAYLOAD).exists()
    [kept] = [p for p in (course_dir / ".autograde" / "quarantine").iterdir() if p.is_dir()]
    assert (kept / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file()
    assert not [s for s in _api(formgrader, "/formgrader/api/students") if "<" in s["id"]]


def test_no_student_script_runs_in_any_formgrader_page(hostile_course, formgrader, page, artifacts):
    """Does the instructor open every submission page, every Manage Students page and the gradebook pages of a
    hostile class without one student script running (no /pwned request, no title change, no dialog), and is
    every grade, the course's files and nbgrader_config.py unchanged afterwards?"""
    course_dir, _ = hostile_course
    before = _snapshot(course_dir)
    config_before = (course_dir / "nbgrader_config.py").read_text()
    pwned, writes, dialogs = [], [], []
    page.on("request", lambda r: pwned.append(r.url) if "/pwned" in r.url else
            writes.append(f"{r.method} {r.url}") if r.method in ("PUT", "POST", "DELETE", "PATCH") else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.context.on("page", lambda p: dialogs.append(f"popup {p.url}"))

    page.goto(formgrader.url("/formgrader"), wait_until="load")  # logs in with the token (sets the _xsrf cookie)
    submissions = _api(formgrader, f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{NOTEBOOK}")
    students = _api(formgrader, "/formgrader/api/students")
    assert {s["student"] for s in submissions} >= {"honest", "classmate", *WRITTEN_PAYLOADS, HUGE, OUTPUTS}
    visited, timings = [], {}
    pages = [f"/formgrader/submissions/{s['id']}/" for s in submissions]
    pages += ["/formgrader/manage_students", "/formgrader/manage_assignments", f"/formgrader/gradebook/{ASSIGNMENT}/{NOTEBOOK}"]
    pages += [f"/formgrader/manage_students/{s['id']}" for s in students]
    pages += [f"/formgrader/manage_students/{s['id']}/{ASSIGNMENT}" for s in students]
    by_path = {f"/formgrader/submissions/{s['id']}/": s["student"] for s in submissions}
    for path in pages:
        t0 = time.monotonic()
        page.goto(formgrader.base + path, wait_until="load", timeout=120_000)
        timings[by_path.get(path, path)] = round(time.monotonic() - t0, 2)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(400)   # an onerror/onload fires after load; give a payload its chance
        for link in page.locator(".ag-written a, .rendered_html a").all():  # a student's link would need a click
            try:
                link.click(timeout=2_000, no_wait_after=True)
            except Exception:  # not clickable: no harm done either way
                pass
        title = page.title()
        assert "RAN" not in title and "PWNED" not in title, (path, title)
        visited.append(path)
        if by_path.get(path) in ("img_onerror", HUGE):
            page.screenshot(path=str(artifacts / f"formgrader-hostile-{by_path[path]}.png"))
    (artifacts / "formgrader-hostile-timings.json").write_text(json.dumps(timings, indent=1))
    assert not pwned, f"student scripts ran: {pwned[:5]}"
    assert not dialogs, dialogs
    assert not writes, f"the pages sent writes the instructor never made: {writes[:5]}"
    assert _snapshot(course_dir) == before, "a grade or comment changed"
    assert not (course_dir / "pwned.txt").exists()
    assert (course_dir / "nbgrader_config.py").read_text() == config_before
    assert len(visited) == len(pages)


def test_the_longest_written_answer_opens_in_seconds(hostile_course, formgrader, page, artifacts):
    """Does the submission page of the longest written answer the kit accepts (1 MiB) load in under 5 s, showing
    the beginning of the answer and where the whole text is kept?"""
    course_dir, _ = hostile_course
    [sub] = [s for s in _api(formgrader, f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{NOTEBOOK}") if s["student"] == HUGE]
    page.goto(formgrader.url("/formgrader"), wait_until="load")
    t0 = time.monotonic()
    page.goto(formgrader.base + f"/formgrader/submissions/{sub['id']}/", wait_until="load", timeout=120_000)
    seconds = time.monotonic() - t0
    text = page.locator(".ag-written").first.text_content()
    (artifacts / "formgrader-hostile-huge.txt").write_text(f"page load {seconds:.2f} s\n")
    assert seconds < 5.0, f"the page took {seconds:.1f} s"
    assert "characters long: the first 10,000 are shown" in text and ".autograde/written/huge_answer/" in text
    kept = course_dir / ".autograde" / "written" / HUGE / ASSIGNMENT / NOTEBOOK / f"{WRITTEN}.txt"
    assert kept.read_text().startswith("\\begin{a}") and len(kept.read_text()) > 1_000_000


def test_a_written_answer_is_readable_in_formgrader(hostile_course, formgrader, page):
    """Does the instructor see an honest answer's text and its math as LaTeX source, and a payload as visible text?"""
    subs = {s["student"]: s for s in _api(formgrader, f"/formgrader/api/submitted_notebooks/{ASSIGNMENT}/{NOTEBOOK}")}
    page.goto(formgrader.url("/formgrader"), wait_until="load")
    page.goto(formgrader.base + f"/formgrader/submissions/{subs['honest']['id']}/", wait_until="load")
    assert "$w_1 + w_2 > b$" in page.locator(".ag-written").first.text_content()
    page.goto(formgrader.base + f"/formgrader/submissions/{subs['img_onerror']['id']}/", wait_until="load")
    shown = page.locator(".ag-written").first.text_content()
    assert "XOR needs two lines." in shown and "<img src=x" in shown
