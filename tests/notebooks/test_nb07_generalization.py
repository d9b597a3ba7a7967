"""Notebook 07 (generalization): the solved notebook's plots and printed results, the weight-decay widget
in a real kernel, and the release with only stubs failing."""
from __future__ import annotations

import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.slow

NB = "07_generalization"
GRADED = ["train_val_test_split", "l2_penalty", "early_stopping_epoch", "dropout_forward"]


@pytest.fixture(scope="module")
def source(repo):
    return repo / "solutions" / NB / "generalization.ipynb"


@pytest.fixture(scope="module")
def release(repo):
    return repo / "notebooks" / NB / "generalization.ipynb"


def _run(nb, timeout=180):
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True).execute()
    return nb


def _errors(nb):
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename) for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.output_type == "error"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def _upto_widget(path, probe: str):
    """The notebook's code cells up to the weight-decay widget (test cells left out), then a probe cell."""
    nb = nbformat.read(str(path), as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        if "demo" in cell.metadata.get("tags", []) and "def train(" not in cell.source and "decay = slider_widget(" not in cell.source:
            continue  # the other demos are not needed by the widget
        cells.append(nbformat.v4.new_code_cell(cell.source))
        if "decay = slider_widget(" in cell.source:
            break
    else:
        raise AssertionError("no weight-decay widget cell found")
    prelude = nbformat.v4.new_code_cell(
        "x_train, y_train = nc.data.regression_1d(15, np.random.default_rng(0), noise=0.3, kind='sin')\n"
        "x_val, y_val = nc.data.regression_1d(200, np.random.default_rng(1), noise=0.3, kind='sin')")
    cells.insert(len(cells) - 1, prelude)
    cells.append(nbformat.v4.new_code_cell(probe))
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)


@pytest.fixture(scope="module")
def solved(source):
    old = os.environ.get("AUTOGRADE_SEED")
    os.environ["AUTOGRADE_SEED"] = "13"  # the kernel inherits it: reproducible hidden cases
    try:
        yield _run(nbformat.read(str(source), as_version=4), timeout=240)
    finally:
        if old is None:
            os.environ.pop("AUTOGRADE_SEED", None)
        else:
            os.environ["AUTOGRADE_SEED"] = old


def test_solved_notebook_runs_and_passes_its_hidden_tests(solved):
    """Does the solved notebook run without an error, every graded name passing its hidden cases?"""
    assert _errors(solved) == []
    printed = "".join(_text(c) for c in solved.cells if c.cell_type == "code")
    assert [n for n in GRADED if f"{n}: hidden cases passed" not in printed] == []


def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook (no plot silently missing)?"""
    missing = [c.source[:60] for c in solved.cells
               if c.cell_type == "code" and "demo" in c.metadata.get("tags", []) and "slider_widget(" not in c.source
               and ("nc.plot." in c.source or "subplots" in c.source)
               and not any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert missing == []


def test_equal_start_keeps_the_hidden_units_identical(solved):
    """Do the printed hidden weights of the equal start show five equal values, and the random start five different ones?"""
    cell = next(c for c in solved.cells if c.cell_type == "code" and "equal start" in c.source)
    lines = {line.split(":")[0]: line for line in _text(cell).splitlines()}
    equal = lines["equal start (all weights 0.5)"].split("w_j = [")[1].rstrip("]").split()
    rand = lines["random start (He)"].split("w_j = [")[1].rstrip("]").split()
    assert len(set(equal)) == 1 and len(set(rand)) == 5


def test_remedy_table_has_every_remedy_and_more_data_helps(solved):
    """Does the remedy table list all five remedies, and does more data beat the 100-image baseline on validation accuracy?"""
    cell = next(c for c in solved.cells if c.cell_type == "code" and "def accuracy(" in c.source)
    rows = {line[:38].strip(): line[38:].split() for line in _text(cell).splitlines() if line[:38].strip()}
    names = " ".join(rows)
    for remedy in ("baseline", "weight decay", "dropout", "more data", "early stopping"):
        assert remedy in names
    assert float(rows["more data: 800 images"][1]) > float(rows["baseline"][1])


def test_weight_decay_widget_builds_and_redraws_in_a_kernel(source):
    """In a real kernel, does the lambda slider exist (log scale) and does moving it redraw picture and title?"""
    probe = (
        "import json\n"
        "before = (decay.axes.get_title(), decay.output.outputs[0]['data']['image/png'])\n"
        "decay.sliders['lam'].value = 0.3\n"
        "after = (decay.axes.get_title(), decay.output.outputs[0]['data']['image/png'])\n"
        "print(json.dumps({'sliders': sorted(decay.sliders), 'kind': type(decay.sliders['lam']).__name__,\n"
        "                  'before': before[0], 'after': after[0], 'png_changed': before[1] != after[1]}))\n")
    nb = _run(_upto_widget(source, probe))
    assert _errors(nb) == []
    result = json.loads(_text(nb.cells[-1]))
    assert result["sliders"] == ["lam"] and result["kind"] == "FloatLogSlider"
    assert "lambda = 1.0e-02" in result["before"] and "lambda = 3.0e-01" in result["after"] and result["png_changed"]


def test_weight_decay_widget_in_the_release_says_implement_first(release):
    """In the untouched release, does the widget cell print "implement `l2_penalty` first" instead of a traceback?"""
    nb = _run(_upto_widget(release, "print('done')"))
    cell = next(c for c in nb.cells if "decay = slider_widget(" in c.source)
    assert not any(o.output_type == "error" for o in cell.outputs)
    assert "implement `l2_penalty` first" in _text(cell)
