"""Notebook 02 (the MLP forward pass): its widget (in process and in the shared solved run), its pictures, its depth section."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from autograde.reference import load_reference  # noqa: E402
from nbcourse import mlp_widgets  # noqa: E402
from nbcourse.ready import needs  # noqa: E402
from solved_runs import cell_with, code  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shallow():
    return load_reference("02_mlp").shallow_net_1d


@pytest.fixture(scope="module")
def solved(solved_run):
    return solved_run("02_mlp")


# ----------------------------------------------------------------------------- the widget's functions, in process
def test_fit_phi_recovers_a_network_with_the_same_joints(shallow):
    """Does the least-squares fit reproduce, to round-off, a target that IS a ReLU network with those joints?"""
    theta = mlp_widgets.spread_joints(6)
    phi = np.array([0.3, 1.0, -2.0, 0.5, 3.0, -1.0, 0.7])
    x = np.linspace(-1, 1, 300)
    target = 0.3 + sum(phi[d + 1] * np.maximum(0.0, x - (-1 + 2 * d / 6)) for d in range(6))  # written out by hand
    fitted, rms = mlp_widgets.fit_phi(shallow, x, target, theta)
    assert rms < 1e-10
    np.testing.assert_allclose(fitted, phi, rtol=1e-7, atol=1e-8)


def test_spread_joints_are_evenly_spaced_from_the_left_end():
    """Are the joints -theta_d0 / theta_d1 of D = 4 units at -1, -0.5, 0, 0.5?"""
    theta = mlp_widgets.spread_joints(4)
    np.testing.assert_allclose(-theta[:, 0] / theta[:, 1], [-1.0, -0.5, 0.0, 0.5])


def test_fit_error_falls_with_more_units(shallow):
    """Does the fit of sin(2 pi x) + x/2 get at least 10x better from D = 4 to D = 32 (error ~ 1/D^2)?"""
    x = np.linspace(-1, 1, 801)
    y = mlp_widgets.TARGETS["sin(2πx) + x/2"](x)
    _, e4 = mlp_widgets.fit_phi(shallow, x, y, mlp_widgets.spread_joints(4))
    _, e32 = mlp_widgets.fit_phi(shallow, x, y, mlp_widgets.spread_joints(32))
    assert e32 < e4 / 10


def test_widget_has_a_D_slider_and_a_target_menu(shallow):
    """Does the widget build with an IntSlider 'D' and a Dropdown of the targets?"""
    w = mlp_widgets.approximation_widget(shallow, D=5, D_max=30)
    kinds = [type(c) for c in w.children]
    assert ipywidgets.IntSlider in kinds and ipywidgets.Dropdown in kinds
    assert (w.slider.value, w.slider.min, w.slider.max) == (5, 1, 30)
    assert list(w.menu.options) == list(mlp_widgets.TARGETS)


def test_moving_the_slider_redraws_with_the_new_D(shallow):
    """Does moving D from 3 to 9 replace the picture and put D = 9 in the title?"""
    w = mlp_widgets.approximation_widget(shallow, D=3)
    before = w.output.outputs
    w.slider.value = 9
    assert w.output.outputs != before
    assert w.ax.get_title().startswith("D = 9 ")


def test_widget_leaves_no_pyplot_figure(shallow):
    """Does building and moving the widget leave no pyplot figure open?"""
    w = mlp_widgets.approximation_widget(shallow)
    w.slider.value = 4
    assert plt.get_fignums() == []


def test_widget_without_the_answer_raises_not_implemented():
    """With the release's stub, does the widget raise NotImplementedError (which the cell turns into one line)?"""
    def stub(x, theta, phi, activation):
        raise NotImplementedError()
    with pytest.raises(NotImplementedError):
        mlp_widgets.approximation_widget(stub)


def test_needs_turns_a_stub_into_one_line(capsys):
    """Does `with needs(...)` print 'implement ... first' for a NotImplementedError, and close its figure?"""
    with needs("shallow_net_1d"):
        plt.figure()
        raise NotImplementedError()
    assert "implement `shallow_net_1d` first" in capsys.readouterr().out
    assert plt.get_fignums() == []


def test_needs_lets_other_errors_through():
    """Does `needs` let a real bug (a ValueError) through, so the student sees it?"""
    with pytest.raises(ValueError):
        with needs("x"):
            raise ValueError("a real bug")


# ----------------------------------------------------------------------------- the notebook in a real kernel
@pytest.mark.slow
def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook?"""
    for cell in code(solved.nb):
        if "nc.plot." in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source[:80]


@pytest.mark.slow
def test_widget_is_built_and_redraws_in_a_kernel(solved):
    """In a real kernel: does the widget cell display a widget, and does moving D and the target redraw it?"""
    cell = cell_with(solved.nb, "approximation_widget", tag="demo")
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
    probe = solved.probe("widget")
    before, after, other_target = probe["titles"]
    assert before.startswith("D = 3 ") and after.startswith("D = 12 ")
    assert other_target != after             # the target changed: another error in the title
    assert probe["redrawn"]


@pytest.mark.slow
def test_depth_section_counts_2_to_the_K_sawtooth_regions(solved):
    """Do the notebook's count_regions_1d and sawtooth_params give 2^K regions (closed form) for K = 1, 2, 3, 5, 7?"""
    assert solved.probe("sawtooth") == [2 ** K for K in (1, 2, 3, 5, 7)]
