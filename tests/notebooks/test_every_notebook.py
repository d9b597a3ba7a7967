"""DESIGN.md's checklist of a finished notebook, checked for EVERY notebook of the course (found in solutions/).

A notebook added by the convention (authoring/nbNN_topic.py + autograde/items/topic.py) is covered
here without a line of test code: it runs solved in a real kernel with its hidden tests passing;
every figure it draws has a title and labelled axes; its release hides every solution and runs top
to bottom with only the stubs failing (a plot or widget cell prints "implement X first", never a
traceback); graded by `autograde grade` (sandboxed), the solved notebook gets every point, the
untouched release none, and the two-bug sample loses exactly its two bugs, each named as a known
mistake; under plain `nbgrader autograde` the solved notebook passes its hidden tests too.
Notebook-specific behaviour (widgets in a kernel, the reference against outside oracles) is in the
per-notebook test files.
"""
from __future__ import annotations

import json
import time

import nbformat
import pytest
from nbclient import NotebookClient

from autograde import classroom, course, demo, samples
from autograde.items import demo_bugs, items_of
from autograde.reference import course_root, source_notebook

pytestmark = pytest.mark.slow
NOTEBOOKS = course.assignments(course_root())

# Prepended to a notebook run: records, for every figure the kernel renders (inline or in a widget's
# Output), each Axes' title and axis labels. Colorbars, axes switched off and 3-D axes' z label are exempt.
RECORD_FIGURES = r'''
import json as _json, matplotlib
from matplotlib.backend_bases import FigureCanvasBase as _FCB
_nncourse_figs = []
_orig_print_figure = _FCB.print_figure
def _nncourse_record(self, *a, **k):
    fig = self.figure
    sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    axes = []
    for ax in fig.axes:
        if hasattr(ax, "_colorbar") or ax.__class__.__name__ == "Colorbar" or not ax.axison or getattr(ax, "_colorbar_info", None):
            continue
        if ax.get_label() == "<colorbar>":
            continue
        axes.append({"title": ax.get_title() or ax.get_title("left") or sup, "x": ax.get_xlabel(), "y": ax.get_ylabel()})
    _nncourse_figs.append(axes)
    return _orig_print_figure(self, *a, **k)
_FCB.print_figure = _nncourse_record
'''


def _src(name: str):
    return nbformat.read(str(source_notebook(name)), as_version=4)


def _release(name: str):
    path = next((course_root() / "notebooks" / name).glob("*.ipynb"))
    return nbformat.read(str(path), as_version=4), path


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _errors(cells):
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, str(o.evalue)[:200])
            for c in cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_notebook_runs_with_hidden_tests_and_titled_plots(name, monkeypatch):
    """Does the solved source notebook run top to bottom in a real kernel, hidden tests passing, in under 60 s, with a
    title and labelled axes on every figure it draws?"""
    monkeypatch.setenv("AUTOGRADE_SEED", "7")
    monkeypatch.delenv("NBCOURSE_GRADING", raising=False)
    nb = _src(name)
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORD_FIGURES))
    nb.cells.append(nbformat.v4.new_code_cell("print('FIGS' + _json.dumps(_nncourse_figs))"))
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    elapsed = time.perf_counter() - t0
    assert _errors(nb.cells) == []
    assert elapsed < 120, f"{name} took {elapsed:.0f} s (target 60 s on a quiet machine)"
    passed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream")
    for item in items_of(name):
        assert f"{item.name}: hidden cases passed" in passed, item.name
    figs = json.loads(nb.cells[-1].outputs[0].text.split("FIGS", 1)[1])
    assert figs, f"{name} draws no figure"
    for k, axes in enumerate(figs):
        for ax in axes:
            assert ax["title"] and ax["x"] and ax["y"], f"{name}: figure {k} has an Axes without a title or axis label: {ax}"


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
                said = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
                assert "implement `" in said and " first" in said, f"{name}: {cell.source[:200]}"
        elif errs:
            assert meta.get("solution") or meta.get("grade"), cell.source[:200]
            assert all(e.ename in ("NotImplementedError", "CheckFailed", "AssertionError", "NameError") for e in errs), \
                [(e.ename, e.evalue) for e in errs]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """`make demo`'s run, kept: it releases every notebook and grades its three samples of each (solved, untouched,
    two bugs) in one sandboxed class; what it printed is kept too."""
    import contextlib
    import io

    course_dir = tmp_path_factory.mktemp("every")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        rows = demo.run(course_dir)
    return course_dir, {(r.student_id, r.assignment, r.grade_id): r for r in rows}, printed.getvalue()


def test_make_demo_prints_the_grades_and_names_the_mistakes(graded_class):
    """Does the demo (what `make demo` runs) print full marks for the solved samples, zero for the untouched ones,
    less for the buggy ones, and name at least the two known mistakes of each notebook?"""
    _, _, out = graded_class
    total = sum(sum(_graded_points(n).values()) for n in NOTEBOOKS)
    totals_line = next(line for line in out.splitlines() if line.startswith("autograded total"))
    buggy, solved, untouched = totals_line.split()[2:]
    assert solved == f"{total:g}/{total:g}" and untouched == f"0/{total:g}"
    assert float(buggy.split("/")[0]) < total
    named = out.split("known mistakes named by the grader")[1].strip().splitlines()
    for name in NOTEBOOKS:  # two bugs each, named (a function calling a buggy one may be named too)
        stem = source_notebook(name).stem
        assert sum(1 for line in named if line.startswith(f"  buggy/{stem}/")) >= 2, name


def _graded_points(name: str) -> dict[str, float]:
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"]) for c in _src(name).cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_autograde_gives_solved_full_marks_and_untouched_none(name, graded_class):
    """Under `autograde grade` (sandboxed), does the solved notebook get every autograded point and the release none?"""
    _, rows, _ = graded_class
    for gid, pts in _graded_points(name).items():
        assert rows[("solved", name, gid)].score == pts, rows[("solved", name, gid)].message
        assert rows[("untouched", name, gid)].score == 0, gid


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_two_bug_sample_loses_exactly_its_bugs_and_they_are_named(name, graded_class):
    """Does the two-bug sample lose points in the test cells of its two buggy functions, each with a diagnosis, and
    elsewhere only where a function calls a buggy one, saying so?"""
    _, rows, _ = graded_class
    bugs = demo_bugs(name)
    assert len(bugs) == 2, f"{name}: DEMO_BUGS must hold two classic mistakes"
    source = _src(name)
    defined_in = {}
    from autograde import assemble

    plan = assemble.plan(source, None)
    for cell in plan.graded:
        for n in cell.names:
            defined_in.setdefault(plan.defined_in.get(n), set()).add(cell.grade_id)
    lost = {gid for bug in bugs for gid in defined_in.get(bug, set())}
    buggy_names = {n for cell in plan.graded if cell.grade_id in lost for n in cell.names}
    # a function that calls a buggy one (the item's `uses`: fit_neuron through minibatches) may fail with it
    downstream = {cell.grade_id for cell in plan.graded for n in cell.names
                  if set(next(i for i in items_of(name) if i.name == n).uses) & buggy_names}
    for gid, pts in _graded_points(name).items():
        row = rows[("buggy", name, gid)]
        if gid in lost:
            assert row.score < pts and row.diagnosis, (gid, row.message)
        elif gid in downstream - lost:
            assert row.score == pts or "which failed its own test" in row.message, (gid, row.message)
        else:
            assert row.score == pts, (gid, row.message)


@pytest.fixture(scope="module")
def plain_class(tmp_path_factory):
    """The solved sample of every notebook graded by plain `nbgrader autograde` (hidden tests checked in-process)."""
    course_dir = tmp_path_factory.mktemp("plain")
    course.new_course_dir(course_dir)
    out = {}
    for name in NOTEBOOKS:
        release_nb = next((course_dir / "release" / name).glob("*.ipynb"))
        source_nb = next((course_dir / "source" / name).glob("*.ipynb"))
        samples.write_submission(samples.solved(release_nb, source_nb), course_dir / "submitted", "solved", name, release_nb.name)
        proc = course.nbgrader_autograde(course_dir, name)
        out[name] = (proc, {r.grade_id: r.score for r in course.gradebook_rows(course_dir, name) if r.student_id == "solved"})
    return out


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_notebook_passes_under_plain_nbgrader(name, plain_class):
    """Does plain `nbgrader autograde` (the hidden tests' in-process check) give the solved notebook every point?"""
    proc, got = plain_class[name]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for gid, pts in _graded_points(name).items():
        assert got[gid] == pts, gid
