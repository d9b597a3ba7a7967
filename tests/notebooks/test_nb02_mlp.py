"""Notebook 02 (the MLP forward pass): its widget, its pictures, its run time, its release."""
from __future__ import annotations

import datetime
import re
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from autograde.reference import load_reference  # noqa: E402
from nbcourse import mlp_widgets  # noqa: E402
from nbcourse.ready import needs  # noqa: E402

SOURCE = "solutions/02_mlp/mlp.ipynb"
RELEASE = "notebooks/02_mlp/mlp.ipynb"

WIDGET_PROBE = """
from nbcourse import mlp_widgets as _mw
_w = _mw.approximation_widget(shallow_net_1d, D=3)
_before = (_w.ax.get_title(), _w.output.outputs[0]["data"]["image/png"])
_w.slider.value = 12
_after = (_w.ax.get_title(), _w.output.outputs[0]["data"]["image/png"])
_w.menu.value = "step at 0.3"
print("TITLES", _before[0], "||", _after[0], "||", _w.ax.get_title())
print("REDRAWN", _before[1] != _after[1])
print("SAW", [count_regions_1d(sawtooth_params(K), (np.arange(20000) + 0.3183) / 20000) for K in (1, 2, 3, 5, 7)])
"""


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shallow():
    return load_reference("02_mlp").shallow_net_1d


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _errors(nb):
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, o.evalue[:200])
            for c in _code(nb) for o in c.get("outputs", []) if o.output_type == "error"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def _seconds(cell) -> float:
    ex = cell.metadata.get("execution", {})
    start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
    parse = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds() if start and end else 0.0


def _run(path, monkeypatch, extra: str | None = None, grading: bool = False):
    monkeypatch.setenv("AUTOGRADE_SEED", "3")
    if grading:
        monkeypatch.setenv("NBCOURSE_GRADING", "1")
    nb = nbformat.read(str(path), as_version=4)
    if extra:
        nb.cells.append(nbformat.v4.new_code_cell(extra))
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True, record_timing=True).execute()
    return nb, time.perf_counter() - t0


@pytest.fixture(scope="module")
def solved(repo):
    mp = pytest.MonkeyPatch()
    try:
        yield _run(repo / SOURCE, mp, extra=WIDGET_PROBE)
    finally:
        mp.undo()


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
def test_solved_notebook_runs_in_under_60_s_with_hidden_tests(solved):
    """Does the solved source run top to bottom without an error, every hidden test passing, in under 60 s?"""
    nb, seconds = solved
    assert _errors(nb) == []
    out = "".join(_text(c) for c in _code(nb))
    for name in ["layer_forward", "mlp_forward", "init_params", "count_params", "shallow_net_1d", "collapse_linear"]:
        assert f"{name}: hidden cases passed" in out
    assert seconds < 60


@pytest.mark.slow
def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook?"""
    nb, _ = solved
    for cell in _code(nb):
        if "nc.plot." in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source[:80]


@pytest.mark.slow
def test_widget_is_built_and_redraws_in_a_kernel(solved):
    """In a real kernel: does the widget cell display a widget, and does moving D and the target redraw it?"""
    nb, _ = solved
    widget_cells = [c for c in _code(nb) if "approximation_widget" in c.source and "demo" in c.metadata.get("tags", [])]
    assert widget_cells and any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                                for o in widget_cells[0].outputs)
    probe = _text(nb.cells[-1])
    titles = re.search(r"TITLES (.*) \|\| (.*) \|\| (.*)", probe)
    assert titles, probe
    assert titles.group(1).startswith("D = 3 ") and titles.group(2).startswith("D = 12 ")
    assert titles.group(3) != titles.group(2)             # the target changed: another error in the title
    assert "REDRAWN True" in probe


@pytest.mark.slow
def test_depth_section_counts_2_to_the_K_sawtooth_regions(solved):
    """Do the notebook's count_regions_1d and sawtooth_params give 2^K regions (closed form) for K = 1, 2, 3, 5, 7?"""
    nb, _ = solved
    assert "SAW [2, 4, 8, 32, 128]" in _text(nb.cells[-1])

