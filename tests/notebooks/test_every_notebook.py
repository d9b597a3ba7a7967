"""DESIGN.md's checklist of a finished notebook, checked for EVERY notebook of the course (found in solutions/).

A notebook added by the convention (authoring/nbNN_topic.py + autograde/items/topic.py) is covered
here and in ``test_every_notebook_graded.py`` without a line of test code: it runs solved in a real
kernel with its hidden tests passing; every figure it draws has a title and labelled axes; its
release hides every solution and runs top to bottom with only the stubs failing (a plot or widget
cell prints "implement X first", never a traceback). The solved run is the session's shared one
(``solved_runs.py``), which the per-notebook files read too for what their notebook shows.
"""
from __future__ import annotations

import datetime
import json
import re

import nbformat
import pytest
from nbclient import NotebookClient

from autograde import course
from autograde.items import items_of
from autograde.reference import course_root, source_notebook
from solved_runs import errors, text

pytestmark = pytest.mark.slow
NOTEBOOKS = course.assignments(course_root())


def _src(name: str):
    return nbformat.read(str(source_notebook(name)), as_version=4)


def _release(name: str):
    path = next((course_root() / "notebooks" / name).glob("*.ipynb"))
    return nbformat.read(str(path), as_version=4), path


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_notebook_runs_with_hidden_tests_and_titled_plots(name, solved_run):
    """Does the solved source notebook run top to bottom in a real kernel, hidden tests passing, in under 60 s, with a
    title and labelled axes on every figure it draws?"""
    run = solved_run(name)
    assert errors(run.nb) == []
    assert run.seconds < 120, f"{name} took {run.seconds:.0f} s (target 60 s on a quiet machine)"
    passed = run.printed()
    for item in items_of(name):
        assert f"{item.name}: hidden cases passed" in passed, item.name
    figs = run.figures()
    assert figs, f"{name} draws no figure"
    for k, axes in enumerate(figs):
        for ax in axes:
            assert ax["title"] and ax["x"] and ax["y"], f"{name}: figure {k} has an Axes without a title or axis label: {ax}"


# jupyter_server's defaults (ZMQChannelsWebsocketConnection): over this, JupyterLab drops a cell's output and shows
# "IOPub data rate exceeded" instead, which a run with nbclient (no server in between) would never show
IOPUB_DATA_RATE_LIMIT, RATE_LIMIT_WINDOW = 1_000_000, 3.0


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_notebook_output_stays_under_jupyter_servers_iopub_rate_limit(name, solved_run):
    """At the student's sizes, does every cell send its output slower than jupyter_server's IOPub data rate limit
    (bytes per second, over its 3 s window), so that JupyterLab shows it all? (The browser tests run the notebooks
    at the grader's smaller sizes: this is the check of the full-size output that only a server would refuse.)"""
    run = solved_run(name)
    for k, cell in enumerate(run.cells):
        if cell.cell_type != "code" or not cell.get("outputs"):
            continue
        timing = cell.metadata.get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        assert start and end, f"{name}: cell {k} has no timing"
        seconds = (datetime.datetime.fromisoformat(end.replace("Z", "+00:00"))
                   - datetime.datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
        sent = len(json.dumps(cell.outputs))
        assert sent <= IOPUB_DATA_RATE_LIMIT * max(RATE_LIMIT_WINDOW, seconds), \
            f"{name}: cell {k} sent {sent} bytes of output in {seconds:.1f} s:\n{cell.source[:300]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_hides_solutions_and_stubs_raise(name):
    """Does the release hide every solution line and hidden test, and do its answers raise NotImplementedError?"""
    release, _ = _release(name)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "autograde" not in text
    for cell in _src(name).cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in body.strip().splitlines():
                if len(line.strip()) > 24 and not line.strip().startswith("#"):
                    assert line.strip() not in text, line
    answers = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert answers and all("raise NotImplementedError()" in c.source for c in answers)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_runs_with_only_the_stubs_failing(name, monkeypatch):
    """Run top to bottom as a student first would: do only answer and test cells fail (NotImplementedError), while
    every demonstration cell (plot, widget) prints what to implement first instead of a traceback?"""
    monkeypatch.setenv("NBCOURSE_GRADING", "1")  # the demos' small sizes: this test is about errors, not pictures
    monkeypatch.setenv("MPLBACKEND", "Agg")      # figures built, not turned into PNGs (the solved run checks those)
    release, path = _release(name)
    NotebookClient(release, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in release.cells:
        if cell.cell_type != "code":
            continue
        errs = [o for o in cell.outputs if o.output_type == "error"]
        meta = cell.metadata.get("nbgrader", {})
        if "demo" in _tags(cell) or "setup" in _tags(cell):
            assert not errs, f"{name}: a demonstration/set-up cell raised {[(e.ename, e.evalue) for e in errs]}:\n{cell.source[:300]}"
            if "needs(" in cell.source:  # a demo drawn with the student's functions: it says what to write first
                said = text(cell)
                assert "implement `" in said and " first" in said, f"{name}: {cell.source[:200]}"
                for call in re.findall(r"needs\(([^)]*)\)", cell.source):  # it names what the cell needs
                    for needed in re.findall(r"[\"']([^\"']+)[\"']", call):
                        assert f"`{needed}`" in said, f"{name}: the message does not name {needed}: {said[:300]}"
        elif errs:
            assert meta.get("solution") or meta.get("grade"), cell.source[:200]
            assert all(e.ename in ("NotImplementedError", "CheckFailed", "AssertionError", "NameError") for e in errs), \
                [(e.ename, e.evalue) for e in errs]
