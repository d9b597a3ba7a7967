"""Notebook 04 (gradient descent) itself: the solved notebook, its widget in a real kernel, the release, its helpers."""
from __future__ import annotations

import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from autograde.reference import solution_sources, strip_solution_markers  # noqa: E402
from nbcourse import gd_tools  # noqa: E402

GRADED = ["gradient_descent", "linreg_loss_and_grad", "neuron_square_loss_grad", "minibatches", "fit_neuron"]


@pytest.fixture(scope="module")
def source(repo):
    return repo / "solutions" / "04_gradient_descent" / "gradient_descent.ipynb"


@pytest.fixture(scope="module")
def release(repo):
    return repo / "notebooks" / "04_gradient_descent" / "gradient_descent.ipynb"


@pytest.fixture(scope="module")
def executed(source):
    nb = nbformat.read(str(source), as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return nb, time.perf_counter() - t0


def _errors(nb):
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, o.evalue)
            for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.mark.slow
def test_solved_notebook_runs_with_every_hidden_test_passing(executed):
    """Does the solved notebook run top to bottom without an error, in under 60 s, with every hidden check passing?"""
    nb, seconds = executed
    assert _errors(nb) == []
    assert seconds < 60
    printed = "".join(_text(c) for c in nb.cells if c.cell_type == "code")
    assert [n for n in GRADED if f"{n}: hidden cases passed" not in printed] == []


@pytest.mark.slow
def test_every_plot_cell_draws_a_picture(executed):
    """Does every demo cell that plots (nc.plot or gd_tools) put a PNG in the notebook?"""
    nb, _ = executed
    for cell in nb.cells:
        if cell.cell_type == "code" and ("nc.plot." in cell.source or "gt.path_1d" in cell.source or "gt.xy_curves" in cell.source):
            kinds = [k for o in cell.outputs for k in o.get("data", {})]
            assert "image/png" in kinds, cell.source[:120]


@pytest.mark.slow
def test_sgd_escapes_the_local_minimum_for_some_seed_and_gd_does_not(executed):
    """Does the Gabor demo show gradient descent stuck (L > 6) and SGD escaping (L < 1) for seed 0 but not seed 1?"""
    nb, _ = executed
    text = next(_text(c) for c in nb.cells if c.cell_type == "code" and "sgd_path" in c.source)
    lines = {line.split(":")[0]: float(line.rsplit("L = ", 1)[1]) for line in text.splitlines() if "L = " in line}
    assert lines["gradient descent"] > 6 and lines["SGD seed 1"] > 6 and lines["SGD seed 0"] < 1


@pytest.mark.slow
def test_learning_rate_widget_redraws_in_a_real_kernel(source):
    """Is the learning-rate widget built from the notebook's gradient_descent, and does moving η redraw it with the right regime?"""
    src = nbformat.read(str(source), as_version=4)
    setup = [c.source for c in src.cells if "setup" in c.metadata.get("tags", [])]
    answers = [strip_solution_markers(s) for gid, s in solution_sources(src) if gid == "gradient_descent"]
    probe = (
        "box = gt.lr_widget(gradient_descent, lr=0.05)\n"
        "before = (box.output.outputs[0]['data']['image/png'], box.axes[0].get_title())\n"
        "box.slider.value = 1.1\n"
        "after = (box.output.outputs[0]['data']['image/png'], box.axes[0].get_title())\n"
        "print(before[1]); print(after[1]); print(before[0] != after[0]); print(box.path.shape)\n"
        "box.slider.value = 0.5\n"
        "print(box.axes[0].get_title())\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in setup + answers + [probe]])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    lines = _text(nb.cells[-1]).splitlines()
    assert "too small" in lines[0] and "diverging" in lines[1]
    assert lines[2] == "True" and lines[3] == "(21,)"
    assert "good" in lines[4]



def test_needs_turns_a_stub_into_a_hint_and_closes_its_figure(capsys):
    """Does gd_tools.needs swallow NotImplementedError, name the exercises, and close the figure it left?"""
    n_before = len(plt.get_fignums())
    with gd_tools.needs("a", "b", "c"):
        plt.figure()
        raise NotImplementedError()
    assert "implement `a`, `b` and `c` first" in capsys.readouterr().out
    assert len(plt.get_fignums()) == n_before


def test_needs_lets_a_real_bug_through():
    """Does gd_tools.needs let any other exception (a real bug) propagate?"""
    with pytest.raises(ZeroDivisionError):
        with gd_tools.needs("a"):
            1 / 0


@pytest.mark.parametrize("lr, regime", [(0.01, "too small"), (0.3, "good"), (0.5, "good"), (0.8, "oscillating, converging"),
                                        (1.0, "oscillating for ever"), (1.2, "diverging")])
def test_lr_regimes_follow_the_factor_one_minus_two_eta(lr, regime):
    """On L = theta^2 a step multiplies theta by 1 - 2 eta: does the widget name the regime that factor implies?"""
    assert gd_tools._regime(lr, 2.0) == regime


def test_confusion_matrix_counts_pairs():
    """Does confusion_matrix count (true, predicted) pairs: rows true, columns predicted?"""
    ax = gd_tools.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], n_classes=3)
    np.testing.assert_array_equal(ax.counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    plt.close("all")
