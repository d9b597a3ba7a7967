"""Notebook 05 (backprop) itself: the solved notebook runs and plots, the release runs with only stubs failing."""
from __future__ import annotations

import time

import nbformat
import pytest
from nbclient import NotebookClient

GRADED = ["toy_forward", "toy_backward", "sigmoid_grad", "tanh_grad", "relu_grad", "layer_backward",
          "mlp_backward", "mlp_loss_and_grads", "train_mlp"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executed(repo):
    nb = nbformat.read(str(repo / "solutions" / "05_backprop" / "backprop.ipynb"), as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return nb, time.perf_counter() - t0


def _errors(nb):
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, o.evalue)
            for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_solved_notebook_runs_with_every_hidden_test_passing(executed):
    """Does the solved notebook run top to bottom without an error, in under 60 s, with every hidden check passing?"""
    nb, seconds = executed
    assert _errors(nb) == []
    assert seconds < 60
    printed = "".join(_text(c) for c in nb.cells if c.cell_type == "code")
    assert [n for n in GRADED if f"{n}: hidden cases passed" not in printed] == []


def test_every_plot_cell_draws_a_picture(executed):
    """Does every demo cell that plots put a PNG in the notebook (activations, curves, confusion matrix, XOR)?"""
    nb, _ = executed
    plot_cells = [c for c in nb.cells if c.cell_type == "code" and "demo" in c.metadata.get("tags", []) and "nc.plot." in c.source]
    assert len(plot_cells) >= 3
    for cell in plot_cells:
        assert "image/png" in [k for o in cell.outputs for k in o.get("data", {})], cell.source[:120]


def test_broken_gradients_are_named_by_the_gradient_check(executed):
    """Does the demo's gradient check pass on the network's own gradients and name W1[2, 3] and b2 on the broken ones?"""
    nb, _ = executed
    text = next(_text(c) for c in nb.cells if c.cell_type == "code" and "broken[0][0][2, 3]" in c.source)
    ours, broken = text.split("broken gradients:")
    assert "PASSED" in ours and "FAILED" in broken
    assert "W1[2, 3]" in broken and "b2[" in broken


def test_learned_xor_gets_all_four_points(executed):
    """Does the network trained from random weights classify all four XOR points?"""
    nb, _ = executed
    cell = next(c for c in nb.cells if c.cell_type == "code" and "params_xor" in c.source)
    assert "4 of 4 points right" in _text(cell)
    assert any("image/png" in o.get("data", {}) for o in cell.outputs)



def test_gradient_depth_widget_redraws_in_a_real_kernel(repo):
    """Is the depth widget built from the notebook's own passes, and do the depth slider and the activation menu redraw it?"""
    from autograde.reference import solution_sources, strip_solution_markers

    src = nbformat.read(str(repo / "solutions" / "05_backprop" / "backprop.ipynb"), as_version=4)
    setup = [c.source for c in src.cells if "setup" in c.metadata.get("tags", [])]
    answers = [strip_solution_markers(s) for _, s in solution_sources(src)]
    probe = (
        "box = gt.gradient_depth_widget(mlp_forward, mlp_backward, init_params, depth=10, activation='sigmoid')\n"
        "png0 = box.output.outputs[0]['data']['image/png']; print(box.ax.get_title())\n"
        "box.slider.value = 20\n"
        "print(box.output.outputs[0]['data']['image/png'] != png0, len(box.sizes))\n"
        "box.dropdown.value = 'relu'\n"
        "print(box.ax.get_title())\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in setup + answers + [probe]])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    lines = _text(nb.cells[-1]).splitlines()
    assert lines[0].startswith("sigmoid, 10 hidden layers")
    assert lines[1] == "True 21"
    assert lines[2].startswith("relu, 20 hidden layers")
