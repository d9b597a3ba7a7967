"""A student in JupyterLab, for real: headless Chromium on a real JupyterLab serving a copy of the notebooks.

For the released notebook 01 (every released notebook with NNCOURSE_BROWSER_ALL=1), and for the
SOLVED twin of every released notebook (the release with each answer cell filled in from
``solutions/`` by ``autograde.samples.solved``):

- Run All on the release stops at the first visible check, which shows the stub's NotImplementedError
  (or an "implement ... first" message); running the rest cell by cell, every check of a stubbed
  answer fails visibly and none says its answer looks right;
- nbgrader's Validate button reports the release as failing;
- Run All on the solved notebook runs every cell with no error and no stderr, and every check
  prints its "looks right" line;
- Validate reports the solved notebook as passing;
- every widget registered in ``widgets_registry.py`` redraws its picture when each slider moves.

One JupyterLab serves this whole module; each notebook gets one page for the release and one for
the solved notebook, shared by the tests of that notebook (all pages in one browser context, so that JupyterLab's
scripts are fetched once).

The kernels run at the grader's sizes (NBCOURSE_GRADING=1: fewer epochs, smaller grids), as the other runs of the
solved notebooks at a server do (plain nbgrader, the students' install). What these tests are about is the page:
every cell run and shown, no error, each check's line, the widgets redrawn, Validate; and every run of a notebook
here is a run of all of its code. The student's full sizes run in tests/notebooks (one real-kernel run of each
solved notebook, read by the tests of what the notebooks show), which also checks that no cell's output at those
sizes is over jupyter_server's IOPub rate limit, the one thing about them that only a server would refuse. (At full size
the kernels here took 160 CPU-s, 8 % of a whole `make test`'s CPU, measured from /proc.)
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest

import lab
from autograde import samples
from widgets_registry import WIDGETS

# One xdist group (for `--dist loadgroup` once pytest-xdist supports pytest 9 there); `make test` runs them alone.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
REPO = Path(__file__).resolve().parents[2]


def _released() -> list[str]:
    """Released notebooks as "assignment/file.ipynb"; $NNCOURSE_BROWSER_NOTEBOOKS=01_perceptron,... restricts them."""
    found = sorted(p.relative_to(REPO / "notebooks").as_posix() for p in (REPO / "notebooks").glob("*/*.ipynb"))
    only = [s.strip() for s in os.environ.get("NNCOURSE_BROWSER_NOTEBOOKS", "").split(",") if s.strip()]
    return [nb for nb in found if not only or nb.split("/")[0] in only]


# Run All of every solved notebook (its widgets need it anyway); the student's path through the release
# and the Validate button on notebook 01 only (the same plumbing for every notebook; the release itself
# is checked without a browser in tests/notebooks), or on every notebook with NNCOURSE_BROWSER_ALL=1.
NOTEBOOKS = _released()
STUDENT_NOTEBOOKS = NOTEBOOKS if os.environ.get("NNCOURSE_BROWSER_ALL") == "1" else \
    [nb for nb in NOTEBOOKS if nb == "01_perceptron/perceptron.ipynb"]


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_check(cell) -> bool:
    return cell.cell_type == "code" and bool(_nbgrader(cell).get("grade"))


def _ok_message(cell) -> str | None:
    """The line a check cell prints when it passes: ``nc.checks.ok("msg")`` prints "\N{CHECK MARK} msg"."""
    m = re.search(r"""checks\.ok\(\s*f?(["'])(.*?)\1""", cell.source)
    return f"\N{CHECK MARK} {m.group(2)}" if m and "{" not in m.group(2) else None


class Session:
    """One JupyterLab for the module; lazily opened pages per (kind, notebook), closed at the end."""

    def __init__(self, server: lab.LabServer, folder: Path, browser, artifacts: Path):
        self.server, self.folder, self.browser, self.artifacts = server, folder, browser, artifacts
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.set_default_timeout(60_000)
        self.pages: dict[tuple[str, str], object] = {}
        self.current = None  # the page the running test used last (screenshot on failure)
        self.ran: dict[tuple[str, str], float] = {}
        self.timings: dict[str, float] = {"lab start": server.started_in}

    def page(self, kind: str, nb: str):
        key = (kind, nb)
        if key not in self.pages:
            page = self.context.new_page()
            t0 = time.monotonic()
            lab.open_notebook(page, self.server, f"{kind}/{nb}")
            self.timings[f"open {kind} {nb}"] = time.monotonic() - t0
            self.pages[key] = page
        self.current = self.pages[key]
        return self.current

    def run_all(self, kind: str, nb: str):
        page = self.page(kind, nb)
        if (kind, nb) not in self.ran:
            self.ran[(kind, nb)] = lab.restart_and_run_all(page)
            self.timings[f"run all {kind} {nb}"] = self.ran[(kind, nb)]
        return page

    def notebook(self, kind: str, nb: str):
        return nbformat.read(str(self.folder / kind / nb), as_version=4)

    def shot(self, name: str) -> Path:
        return self.artifacts / f"{name}.png"

    def close(self) -> None:
        self.context.close()
        (self.artifacts / "timings-student.json").write_text(json.dumps(self.timings, indent=1))


@pytest.fixture(scope="module")
def session(browser, artifacts, tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    shutil.copytree(REPO / "notebooks", folder / "release", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for nb in NOTEBOOKS:
        solved = samples.solved(REPO / "notebooks" / nb, REPO / "solutions" / nb)
        (folder / "solved" / nb).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(solved, str(folder / "solved" / nb))
    server = lab.LabServer(folder, artifacts / "jupyterlab-student.log", env={"NBCOURSE_GRADING": "1"}).start()
    s = Session(server, folder, browser, artifacts)
    yield s
    s.close()
    server.stop()


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request, session):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed and session.current is not None:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        try:
            session.current.screenshot(path=str(session.artifacts / f"FAILED-{name}.png"))
        except Exception:  # the page may be gone; the failure itself is the report
            pass


def _stem(nb: str) -> str:
    return nb.split("/")[0]


# ---------------------------------------------------------------------------------------------- release

@pytest.mark.parametrize("nb", STUDENT_NOTEBOOKS)
def test_released_notebook_run_all_shows_the_stubs_failing(session, nb):
    """Does a student who runs the untouched release see each stub fail at its check, and no check pass?"""
    page = session.run_all("release", nb)
    cells = session.notebook("release", nb).cells
    page.wait_for_timeout(200)
    session_shot = session.shot(f"{_stem(nb)}-release-1-run-all")

    errors = lab.error_cells(page)
    assert errors, "Run All on the release showed no error at all: the stubs should fail their checks"
    first = min(int(k) for k in errors)
    lab.cell(page, first).scroll_into_view_if_needed()
    page.screenshot(path=str(session_shot))
    text = errors[str(first)]
    assert _is_check(cells[first]), f"Run All stopped at cell {first}, which is not a check:\n{text[:1500]}"
    assert "NotImplementedError" in text or "implement" in text.lower(), text[:1500]

    prompts = {int(k): v for k, v in lab.prompts(page).items()}
    assert all(re.search(r"\[\d+\]", p) for k, p in prompts.items() if k <= first), prompts
    assert all("[ ]" in p for k, p in prompts.items() if k > first), f"cells after the failing check ran: {prompts}"

    # The student goes on, Shift+Enter through the cells below (a failing cell does not stop the next).
    t0 = time.monotonic()
    lab.run_cells_from(page, first + 1, max(prompts) + 1, set(prompts))
    session.timings[f"shift-enter through release {nb}"] = time.monotonic() - t0
    seen = {k: lab.outputs_text(page, k) for k in sorted(prompts) if k >= first}
    shown = {k: _what_it_shows(out) for k, out in seen.items()}
    (session.artifacts / f"{_stem(nb)}-release-cells.json").write_text(json.dumps(
        {k: ["check" if _is_check(cells[k]) else "code", shown[k]] for k in shown}, indent=1, ensure_ascii=False))
    lab.screenshot_notebook(page, session.shot(f"{_stem(nb)}-release-2-every-cell-run"))

    for k, out in seen.items():
        if _is_check(cells[k]):
            ok = _ok_message(cells[k])
            assert not (ok and re.search(rf"^{re.escape(ok)}$", out, re.M)), f"check cell {k} says {ok!r} on the release"
            assert shown[k].endswith("Error") or "implement" in out.lower(), \
                f"check cell {k} of the release does not show a failure:\n{out[:1500]}"
        elif _nbgrader(cells[k]).get("solution") and "NotImplementedError" in cells[k].source \
                and not re.search(r"^\s*def ", cells[k].source, re.M):
            # a stub that raises where it stands (e.g. "set AND_WEIGHTS = ..."): the student sees it there
            assert "NotImplementedError" in out, f"stub cell {k} does not raise NotImplementedError:\n{out[:1500]}"


def _what_it_shows(out: str) -> str:
    """In a few words, what a cell's output shows: the exception's name, an "implement" line, or its last line."""
    m = re.search(r"^(\w+(?:Error|Exception|Warning))\b", out, re.M)
    if m:
        return m.group(1)
    lines = [ln.strip() for ln in out.splitlines() if ln.strip()]
    hint = next((ln for ln in lines if "implement" in ln.lower()), None)
    return hint or (lines[-1][:120] if lines else "")


@pytest.mark.parametrize("nb", STUDENT_NOTEBOOKS)
def test_validate_reports_the_release_as_failing(session, nb):
    """Does nbgrader's Validate button say the untouched release fails, naming a failed cell?"""
    page = session.page("release", nb)
    t0 = time.monotonic()
    text = lab.validate(page)
    session.timings[f"validate release {nb}"] = time.monotonic() - t0
    page.locator(".jp-Dialog-content").last.screenshot(path=str(session.shot(f"{_stem(nb)}-release-3-validate")))
    lab.close_dialog(page)
    assert "Success" not in text, text[:1000]
    assert "The following cell failed" in text and "NotImplementedError" in text, text[:1000]


# ---------------------------------------------------------------------------------------------- solved

@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_solved_notebook_runs_clean(session, nb):
    """Does Run All on the solved notebook run every cell, with no error or stderr, every check saying ok?"""
    page = session.run_all("solved", nb)
    cells = session.notebook("solved", nb).cells
    lab.screenshot_notebook(page, session.shot(f"{_stem(nb)}-solved-1-run-all"))
    errors = lab.error_cells(page)
    assert not errors, "\n\n".join(f"cell {k}:\n{v[:1500]}" for k, v in errors.items())
    prompts = lab.prompts(page)
    assert all(re.search(r"\[\d+\]", p) for p in prompts.values()), f"cells that did not run: {prompts}"
    for k, c in enumerate(cells):
        ok = _ok_message(c) if _is_check(c) else None
        if ok:
            assert ok in lab.outputs_text(page, k), f"check cell {k} does not print {ok!r}"


@pytest.mark.parametrize("nb", STUDENT_NOTEBOOKS)
def test_validate_reports_the_solved_notebook_as_passing(session, nb):
    """Does nbgrader's Validate button say "Success! Your notebook passes all the tests." for the solved notebook?"""
    page = session.run_all("solved", nb)
    t0 = time.monotonic()
    text = lab.validate(page)
    session.timings[f"validate solved {nb}"] = time.monotonic() - t0
    page.locator(".jp-Dialog-content").last.screenshot(path=str(session.shot(f"{_stem(nb)}-solved-3-validate")))
    lab.close_dialog(page)
    assert "Success! Your notebook passes all the tests." in text, text[:2000]


# ---------------------------------------------------------------------------------------------- widgets

@pytest.mark.parametrize("widget", WIDGETS, ids=[w.id for w in WIDGETS])
def test_widget_sliders_redraw_the_picture(session, widget):
    """In the solved notebook, does each slider of the widget change its readout and redraw the picture?"""
    nb = f"{widget.assignment}/{widget.notebook}"
    assert (session.folder / "solved" / nb).is_file(), f"{nb} is registered for its widget but is not in notebooks/"
    cells = session.notebook("solved", nb).cells
    index = next((k for k, c in enumerate(cells) if c.cell_type == "code" and widget.marker in c.source), None)
    assert index is not None, f"no code cell of {nb} contains {widget.marker!r}"
    page = session.run_all("solved", nb)
    cell = lab.cell(page, index)
    cell.scroll_into_view_if_needed()
    assert lab.sliders(page, index).count() == widget.sliders, lab.outputs_text(page, index)[:1000]
    assert lab.widget_picture_src(page, index), f"the widget of cell {index} shows no picture (.widget-output img)"
    name = f"{widget.assignment}-widget-{re.sub(r'[^A-Za-z0-9]+', '_', widget.marker).strip('_')}"
    cell.screenshot(path=str(session.shot(f"{name}-0")))
    for k in range(widget.sliders):
        t0 = time.monotonic()
        before, after, src_before, src_after = lab.move_slider(page, index, k)
        session.timings[f"slider {k} {widget.id}"] = time.monotonic() - t0
        cell.screenshot(path=str(session.shot(f"{name}-{k + 1}")))
        assert after != before, f"slider {k}: the readout stayed at {before}"
        assert src_after != src_before, f"slider {k}: the picture was not redrawn"
    assert not lab.error_cells(page), lab.error_cells(page)
