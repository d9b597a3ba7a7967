"""Notebook 04 (gradient descent) itself: its pictures and printed demos and its widget (in the shared solved run),
its helpers."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nbcourse import gd_tools  # noqa: E402
from solved_runs import cell_with, code, text  # noqa: E402


@pytest.fixture(scope="module")
def solved(solved_run):
    return solved_run("04_gradient_descent")


@pytest.mark.slow
def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots (nc.plot or gd_tools) put a PNG in the notebook?"""
    for cell in code(solved.nb):
        if ("nc.plot." in cell.source or "gt.path_1d" in cell.source or "gt.xy_curves" in cell.source):
            kinds = [k for o in cell.outputs for k in o.get("data", {})]
            assert "image/png" in kinds, cell.source[:120]


@pytest.mark.slow
def test_sgd_escapes_the_local_minimum_for_some_seed_and_gd_does_not(solved):
    """Does the Gabor demo show gradient descent stuck (L > 6) and SGD escaping (L < 1) for seed 0 but not seed 1?"""
    printed = text(cell_with(solved.nb, "sgd_path"))
    lines = {line.split(":")[0]: float(line.rsplit("L = ", 1)[1]) for line in printed.splitlines() if "L = " in line}
    assert lines["gradient descent"] > 6 and lines["SGD seed 1"] > 6 and lines["SGD seed 0"] < 1


@pytest.mark.slow
def test_learning_rate_widget_redraws_in_a_real_kernel(solved):
    """Is the learning-rate widget built from the notebook's gradient_descent, and does moving η redraw it with the right regime?"""
    probe = solved.probe("widget")
    small, diverging, good = probe["titles"]
    assert "too small" in small and "diverging" in diverging and "good" in good
    assert probe["redrawn"] and probe["path_shape"] == [21]



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
