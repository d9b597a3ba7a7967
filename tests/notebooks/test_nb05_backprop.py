"""Notebook 05 (backprop) itself: in the shared solved run, its pictures, its printed demos and its widget."""
from __future__ import annotations

import re

import pytest

from solved_runs import cell_with, code, text

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def solved(solved_run):
    return solved_run("05_backprop")


def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook (activations, curves, confusion matrix, XOR)?"""
    plot_cells = [c for c in code(solved.nb) if "demo" in c.metadata.get("tags", []) and "nc.plot." in c.source]
    assert len(plot_cells) >= 3
    for cell in plot_cells:
        assert "image/png" in [k for o in cell.outputs for k in o.get("data", {})], cell.source[:120]


def test_broken_gradients_are_named_by_the_gradient_check(solved):
    """Does the demo's gradient check pass on the network's own gradients and name W1[2, 3] and b2 on the broken ones?"""
    ours, broken = text(cell_with(solved.nb, "broken[0][0][2, 3]")).split("broken gradients:")
    assert "PASSED" in ours and "FAILED" in broken
    assert "W1[2, 3]" in broken and "b2[" in broken


def test_learned_xor_gets_all_four_points(solved):
    """Does the network trained from random weights classify all four XOR points?"""
    cell = cell_with(solved.nb, "params_xor")
    assert "4 of 4 points right" in text(cell)
    assert any("image/png" in o.get("data", {}) for o in cell.outputs)



def test_gradient_depth_widget_redraws_in_a_real_kernel(solved):
    """Is the depth widget built from the notebook's own passes, and do the depth slider and the activation menu redraw it?"""
    probe = solved.probe("widget")
    first, last = probe["titles"]
    assert first.startswith("sigmoid, 10 hidden layers") and last.startswith("relu, 20 hidden layers")
    assert probe["redrawn"] and probe["sizes"] == 21


def test_the_fork_demo_shows_the_two_branches_adding_up(solved):
    """Do the slopes measured through sin only and through exp only add up to the slope of nudging f0 itself?"""
    line = text(cell_with(solved.nb, "def fork_loss(")).strip()
    numbers = [float(v) for v in re.findall(r"[-+]\d+\.\d+", line)]
    through_sin, through_exp, _, both = numbers
    assert abs(through_sin + through_exp - both) < 1e-6 * max(1.0, abs(both))
    assert abs(through_sin) > 0.1 and abs(through_exp) > 0.1      # both branches matter at this point


def test_softmax_backward_the_long_way_equals_the_fused_gradient(solved):
    """Does backpropagating the log and then the softmax give cross_entropy's (P - Y) / m to rounding?"""
    line = text(cell_with(solved.nb, "dZ_long = softmax_backward("))
    assert float(line.rsplit("largest difference", 1)[1]) < 1e-12


def test_the_test_set_is_touched_once_after_the_choice(solved):
    """Is the digits' test part used by one code cell only (besides the split), the one after the choice on validation?"""
    users = [c.source for c in code(solved.nb) if re.search(r"\bX_te\b", c.source) and "digits_split" not in c.source]
    assert len(users) == 1 and "best_seed = max(final" in users[0]
