"""Notebook 06 (optimizers): the solved notebook's plots and printed checks, the race widget in a real
kernel, and the release with only stubs failing. Also the helpers it uses (nbcourse.optim_tools), headless."""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nbcourse import optim_tools  # noqa: E402
from solved_runs import cell_with, code, text  # noqa: E402

NB = "06_optimizers"


@pytest.fixture(scope="module")
def solved(solved_run):
    return solved_run(NB)


# ----------------------------------------------------------------------------- the solved notebook
@pytest.mark.slow
def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook (no plot silently missing)?"""
    missing = []
    for cell in code(solved.nb):
        if "demo" in cell.metadata.get("tags", []) and (
                "nc.plot." in cell.source or "subplots" in cell.source) and "slider_widget(" not in cell.source:
            if not any("image/png" in o.get("data", {}) for o in cell.outputs):
                missing.append(cell.source[:60])
    assert missing == []


@pytest.mark.slow
def test_the_two_momentum_forms_agree_in_the_notebook(solved):
    """Does the notebook's comparison of lecture 003's and lecture 001's momentum print a difference below 1e-12?"""
    line = text(cell_with(solved.nb, "momentum_step_001"))
    assert float(line.rsplit("largest difference", 1)[1].strip()) < 1e-12


@pytest.mark.slow
def test_every_tuned_rate_lies_inside_its_grid(solved):
    """Is each optimizer's rate chosen on validation an interior point of its grid (so the grid brackets the best rate)?"""
    out = text(cell_with(solved.nb, "GRID = {"))
    tuned = dict(re.findall(r"(SGD|momentum|normalized|Adam) lr = ([\d.]+)", out.split("tuned on validation:")[1].splitlines()[0]))
    assert sorted(tuned) == ["Adam", "SGD", "momentum", "normalized"]
    for name, lr in tuned.items():
        grid = [float(r) for r in re.findall(rf"^\s*{name}\s+([\d.]+)\s", out, flags=re.M)]
        assert len(grid) >= 4 and min(grid) < float(lr) < max(grid), (name, lr, grid)


@pytest.mark.slow
def test_the_test_set_is_touched_once_after_the_choice(solved):
    """Is the digits' test part used by one code cell only (besides the split), the one after the choice on validation?"""
    users = [c.source for c in code(solved.nb) if re.search(r"\bX_test\b", c.source) and "digits_split" not in c.source]
    assert len(users) == 1 and "winner = min(" in users[0]


# ----------------------------------------------------------------------------- the widget in a kernel
@pytest.mark.slow
def test_race_widget_builds_and_redraws_in_a_kernel(solved):
    """In a real kernel, does the race widget have lr and beta sliders, and does moving lr redraw picture and title?"""
    result = solved.probe("widget")
    assert result["sliders"] == ["beta", "lr"] and result["lr_log"] == "FloatLogSlider"
    assert "lr = 0.09" in result["before"] and "lr = 0.3" in result["after"] and "beta = 0.50" in result["after"]
    assert result["png_changed"]


# ----------------------------------------------------------------------------- nbcourse.optim_tools
def test_needs_turns_a_stub_into_one_line(capsys):
    """Does `needs` swallow NotImplementedError, close the figure it opened, and name the exercises?"""
    with optim_tools.needs("sgd_step", "adam_step", "step_decay"):
        plt.figure()
        raise NotImplementedError()
    assert plt.get_fignums() == []
    assert capsys.readouterr().out.startswith("implement `sgd_step`, `adam_step` and `step_decay` first")


def test_needs_lets_real_errors_through():
    """Does a real bug (not a stub) still raise inside `needs`?"""
    with pytest.raises(ZeroDivisionError):
        with optim_tools.needs("x"):
            1 / 0


def test_slider_widget_redraws_on_every_move():
    """Does slider_widget call draw with the slider values and replace the picture when a slider moves?"""
    seen = []

    def draw(ax, a, b):
        seen.append((a, b))
        ax.plot([0, 1], [a, b])
        ax.set(title=f"a = {a}", xlabel="x", ylabel="y")
        return ax

    box = optim_tools.slider_widget(draw, {"a": dict(min=0.0, max=1.0, value=0.5), "b": dict(min=1e-3, max=1.0, value=0.1, log=True)})
    first = box.output.outputs
    box.sliders["a"].value = 0.75
    assert seen[-1][0] == 0.75 and box.axes.get_title() == "a = 0.75"
    assert box.output.outputs != first
    assert isinstance(box.sliders["b"], ipywidgets.FloatLogSlider)
    assert plt.get_fignums() == []


def test_slider_widget_shows_a_stub_as_a_message():
    """When draw hits a stub, does the widget show "implement ... first" instead of raising?"""
    def draw(ax, a):
        raise NotImplementedError()

    box = optim_tools.slider_widget(draw, {"a": dict(min=0.0, max=1.0, value=0.5)})
    assert "implement" in box.output.outputs[0]["text"] and box.axes is None


def test_slider_widget_rejects_a_bad_spec():
    """Does a slider whose value lies outside [min, max] raise ValueError saying so?"""
    with pytest.raises(ValueError, match="outside"):
        optim_tools.slider_widget(lambda ax, a: ax, {"a": dict(min=0.0, max=1.0, value=2.0)})
