"""Notebook 03 (loss functions): its widget (in process and in the shared solved run), its pictures, its printed demos."""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from autograde.reference import load_reference  # noqa: E402
from nbcourse import losses_widgets  # noqa: E402
from solved_runs import cell_with, code, text  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def ref():
    return load_reference("03_losses")


@pytest.fixture(scope="module")
def solved(solved_run):
    return solved_run("03_losses")


def _ce_title(title: str) -> float:
    return float(re.search(r"cross-entropy = -log p_true = ([0-9.]+)", title).group(1))


# ----------------------------------------------------------------------------- the widget, in process
def test_draw_softmax_shows_minus_log_p_true(ref):
    """For logits (0, ln 3), true class 1, does the title show -log(3/4) = 0.288 (worked by hand)?"""
    ax = losses_widgets.draw_softmax(ref.softmax, ref.cross_entropy, [0.0, np.log(3.0)], target=1)
    assert _ce_title(ax.get_title()) == pytest.approx(-np.log(0.75), abs=1e-3)
    assert ax.get_xlabel() and ax.get_ylabel()


def test_widget_has_one_slider_per_logit(ref):
    """Does the widget build with FloatSliders z0, z1, z2 starting at the given logits?"""
    w = losses_widgets.softmax_widget(ref.softmax, ref.cross_entropy, logits=(2.0, 1.0, 0.1))
    sliders = [c for c in w.children if isinstance(c, ipywidgets.FloatSlider)]
    assert [s.description for s in sliders] == ["z0", "z1", "z2"]
    assert [s.value for s in sliders] == [2.0, 1.0, 0.1]


def test_lowering_the_true_logit_raises_the_loss(ref):
    """Does moving z0 (the true class) from 2 to -3 redraw the picture with a larger cross-entropy?"""
    w = losses_widgets.softmax_widget(ref.softmax, ref.cross_entropy, logits=(2.0, 1.0, 0.1), target=0)
    before_png, before = w.output.outputs, _ce_title(w.ax.get_title())
    w.sliders[0].value = -3.0
    assert w.output.outputs != before_png
    after = _ce_title(w.ax.get_title())
    # closed form: -log softmax = log(e^-3 + e^1 + e^0.1) + 3
    assert after > before and after == pytest.approx(np.log(np.exp(-3) + np.exp(1) + np.exp(0.1)) + 3, abs=1e-3)


def test_widget_leaves_no_pyplot_figure(ref):
    """Does building and moving the widget leave no pyplot figure open?"""
    w = losses_widgets.softmax_widget(ref.softmax, ref.cross_entropy)
    w.sliders[1].value = 4.0
    assert plt.get_fignums() == []


def test_widget_rejects_a_bad_target(ref):
    """Does a target outside 0..C-1 raise ValueError naming the range?"""
    with pytest.raises(ValueError, match="0..2"):
        losses_widgets.softmax_widget(ref.softmax, ref.cross_entropy, logits=(1.0, 2.0, 3.0), target=3)


# ----------------------------------------------------------------------------- the notebook in a real kernel
@pytest.mark.slow
def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook?"""
    for cell in code(solved.nb):
        if "nc.plot." in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source[:80]


@pytest.mark.slow
def test_gradcheck_cells_pass_and_name_the_worst_entry(solved):
    """Do the visible gradient checks of the two derivations pass and name their worst entry?"""
    cells = [c for c in code(solved.nb) if "nc.gradcheck.check_scalar" in c.source and "demo" in c.metadata.get("tags", [])]
    assert len(cells) == 2
    for cell in cells:
        shown = text(cell) + "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert "gradient check PASSED" in shown and "worst entry: x[" in shown


@pytest.mark.slow
def test_stability_cell_shows_the_naive_forms_breaking(solved):
    """Does the stability demo show NaN for the naive softmax, inf for the naive loss, and finite stable values?"""
    out = text(cell_with(solved.nb, "def naive_softmax"))
    assert re.search(r"naive softmax.*nan", out) and re.search(r"naive sigmoid.*inf", out)
    assert re.search(r"your sigmoid_binary_cross_entropy \(loss\):\s+\[1000\.\]\s+\[no warning\]", out)
    assert re.search(r"your cross_entropy, true class \(-1000\):\s+\[2000\.3133\]", out)  # 1000 + log(1 + e^-1) + 1000


@pytest.mark.slow
def test_widget_is_built_and_redraws_in_a_kernel(solved):
    """In a real kernel: does the widget cell display a widget, and does moving a logit redraw it with a new loss?"""
    cell = cell_with(solved.nb, "softmax_widget", tag="demo")
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
    probe = solved.probe("widget")
    before, after = probe["titles"]
    assert _ce_title(after) > _ce_title(before)
    assert probe["redrawn"]
