"""The notebooks themselves: the solved one runs, the release has no solutions, both are current."""
from __future__ import annotations

import filecmp
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from authoring import build as authoring_build
from autograde import course, samples
from solved_runs import code

pytestmark = pytest.mark.slow


def test_every_plot_is_drawn(solved_run):
    """Does every demo cell that plots put a picture in the notebook (no plot silently missing)?"""
    for cell in code(solved_run("01_perceptron").nb):
        if "nc.plot." in cell.source:
            kinds = [k for o in cell.outputs for k in o.get("data", {})]
            assert "image/png" in kinds, cell.source[:80]


def test_release_has_no_solution_code_or_hidden_tests(source_nb01, release_nb01):
    """Does the student notebook hide every solution block and every hidden test of the source?"""
    release = nbformat.read(str(release_nb01), as_version=4)
    text = "\n".join(c.source for c in release.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "autograde" not in text
    source = nbformat.read(str(source_nb01), as_version=4)
    for cell in source.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            body = cell.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            for line in body.strip().splitlines():
                if len(line.strip()) > 12:  # the code lines themselves, not a lone `return` or bracket
                    assert line.strip() not in text, line


def test_release_stubs_raise_not_implemented(release_nb01):
    """Does every answer of the release raise NotImplementedError (a function when called, a value cell when run)?"""
    release = nbformat.read(str(release_nb01), as_version=4)
    answers = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    setup = [c for c in release.cells if "setup" in c.metadata.get("tags", [])]
    probe = nbformat.v4.new_code_cell(
        "import inspect\n"
        "for _name, _fn in list(globals().items()):\n"
        "    if inspect.isfunction(_fn) and _fn.__module__ == '__main__':\n"
        "        try:\n"
        "            _fn(*[None] * len(inspect.signature(_fn).parameters))\n"
        "        except NotImplementedError:\n"
        "            print('stub', _name)\n")
    cells = [nbformat.v4.new_code_cell(c.source) for c in setup + answers] + [probe]
    nb = nbformat.v4.new_notebook(cells=cells)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    cell_errors = [o.ename for c in nb.cells[len(setup):-1] for o in c.outputs if o.output_type == "error"]
    stubs = "".join(o.get("text", "") for o in nb.cells[-1].outputs).split()
    functions = [c for c in answers if c.source.lstrip().startswith("def ")]
    assert set(cell_errors) == {"NotImplementedError"} and len(cell_errors) == len(answers) - len(functions)
    assert stubs.count("stub") == len(functions)


def test_solutions_are_current_with_authoring(tmp_path, repo):
    """Is solutions/ what `make sources` writes from authoring/ (no hand edits, nothing stale)?"""
    for path in authoring_build.build_all(tmp_path):
        rel = path.relative_to(tmp_path)
        assert filecmp.cmp(path, repo / rel, shallow=False), f"{rel} is stale: run `make sources`"


def test_notebooks_are_a_fresh_release(tmp_path, repo):
    """Is notebooks/ exactly what `make release` (nbgrader generate_assignment) makes from solutions/?"""
    shutil.copytree(repo / "solutions", tmp_path / "solutions")
    written = course.release(tmp_path)
    assert written, "nothing released"
    for path in written:
        rel = path.relative_to(tmp_path)
        fresh = nbformat.read(str(path), as_version=4)
        committed = nbformat.read(str(repo / rel), as_version=4)
        assert fresh == committed, f"{rel} differs from a fresh release: run `make release`"
    assert sorted(p.name for p in (repo / "notebooks").iterdir() if p.is_dir()) == course.assignments(tmp_path)


def test_solved_sample_has_every_answer(source_nb01, release_nb01):
    """Does the solved sample fill every answer cell (no NotImplementedError left)?"""
    nb = samples.solved(release_nb01, source_nb01)
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    assert answers and not any("NotImplementedError" in c.source for c in answers)
