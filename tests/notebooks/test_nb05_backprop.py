"""Notebook 05 (backprop) itself: in the shared solved run, its pictures, its printed demos and its widget."""
from __future__ import annotations

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
