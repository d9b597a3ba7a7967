"""Every notebook of the course graded: by `autograde grade` (sandboxed; what `make demo` runs) and by plain
`nbgrader autograde`. The solved notebook gets every point, the untouched release none, and the two-bug
sample loses exactly its two bugs, each named as a known mistake; under plain nbgrader the solved
notebook passes its hidden tests too, and notebook 01's samples get the same grades there. (A file of its own so that pytest-xdist can run it beside
``test_every_notebook.py``: each holds minutes of work.)
"""
from __future__ import annotations

import contextlib
import io
import re

import nbformat
import pytest

from autograde import course, coursedir, demo, samples
from autograde.plan import make_plan
from autograde.items import demo_bugs, items_of
from autograde.reference import course_root, source_notebook

pytestmark = pytest.mark.slow
NOTEBOOKS = course.assignments(course_root())


def _src(name: str):
    return nbformat.read(str(source_notebook(name)), as_version=4)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """`make demo`'s run, kept: it releases every notebook and grades its three samples of each (solved, untouched,
    two bugs) in one sandboxed class; what it printed is kept too."""
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
    plan = make_plan(source, None)
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
            # isolation: a caller keeps its points beside a wrong callee, except where no stand-in can replace it,
            # and then the message names the callee
            assert row.score == pts or re.search(r"which fails? (its|their) own tests?", row.message), (gid, row.message)
        else:
            assert row.score == pts, (gid, row.message)


@pytest.fixture(scope="module")
def plain_class(tmp_path_factory):
    """One course graded by plain `nbgrader autograde` (hidden tests checked in-process), in one nbgrader run: the
    solved sample of every notebook, and for notebook 01 also the demo's untouched and two-bug samples and a solved
    notebook with a naive sigmoid.

    The kernels draw figures without turning them into PNGs (MPLBACKEND=Agg, as the grader's sandbox does): these
    tests read grades, and no grade depends on a picture; the pictures are checked in tests/notebooks and in JupyterLab.
    (The PNGs were about half of each notebook's kernel CPU, measured.)"""
    course_dir = tmp_path_factory.mktemp("plain")
    coursedir.new_course_dir(course_dir)
    for name in NOTEBOOKS:
        release_nb = next((course_dir / "release" / name).glob("*.ipynb"))
        source_nb = next((course_dir / "source" / name).glob("*.ipynb"))
        if name == demo.ASSIGNMENT:
            demo.make_samples(course_dir)   # solved, untouched, buggy
            naive = samples.with_answers(samples.solved(release_nb, source_nb), {"sigmoid": '''
                def sigmoid(z):
                    return 1 / (1 + np.exp(-z))   # correct, but numpy warns about overflow for z < -709
            '''})
            samples.write_submission(naive, course_dir / "submitted", "naive", name, release_nb.name)
        else:
            samples.write_submission(samples.solved(release_nb, source_nb), course_dir / "submitted", "solved", name,
                                     release_nb.name)
    # nbgrader's glob: every assignment in one nbgrader run
    proc = course.nbgrader_autograde(course_dir, "*", env={"MPLBACKEND": "Agg"})
    rows = {(r.student_id, name, r.grade_id): r for name in NOTEBOOKS for r in course.gradebook_rows(course_dir, name)}
    return proc, rows


def _said(proc) -> str:
    return proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solved_notebook_passes_under_plain_nbgrader(name, plain_class):
    """Does plain `nbgrader autograde` (the hidden tests' in-process check) give the solved notebook every point?"""
    proc, rows = plain_class
    for gid, pts in _graded_points(name).items():
        assert rows[("solved", name, gid)].score == pts, (gid, _said(proc))
    assert proc.returncode == 0, _said(proc)


def test_untouched_gets_zero_under_plain_nbgrader(plain_class):
    """Does the untouched release of notebook 01 score 0 on every question under plain nbgrader?"""
    _, rows = plain_class
    assert all(rows[("untouched", demo.ASSIGNMENT, gid)].score == 0 for gid in _graded_points(demo.ASSIGNMENT))


def test_buggy_loses_exactly_the_two_buggy_functions_under_plain_nbgrader(plain_class):
    """Does the two-bug sample of notebook 01 lose exactly the points of its two wrong functions, and nothing else?"""
    _, rows = plain_class
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    for gid, pts in _graded_points(demo.ASSIGNMENT).items():
        assert rows[("buggy", demo.ASSIGNMENT, gid)].score == (0 if gid in lost else pts), gid


def test_naive_sigmoid_keeps_its_points_under_plain_nbgrader(plain_class):
    """Does a correct but overflow-warning sigmoid keep its point (nbgrader scores stderr output as 0)?"""
    _, rows = plain_class
    assert rows[("naive", demo.ASSIGNMENT, "test_sigmoid")].score == _graded_points(demo.ASSIGNMENT)["test_sigmoid"]


def test_written_answer_waits_for_a_human_under_plain_nbgrader(plain_class):
    """Is the written XOR proof reported as manually graded, not as an autograded zero?"""
    _, rows = plain_class
    assert rows[("solved", demo.ASSIGNMENT, "xor_proof")].status == "manual"
