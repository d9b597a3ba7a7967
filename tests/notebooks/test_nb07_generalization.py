"""Notebook 07 (generalization): the solved notebook's plots and printed results, the weight-decay widget
in a real kernel, and the release with only stubs failing."""
from __future__ import annotations

import pytest

from solved_runs import cell_with, code, text

pytestmark = pytest.mark.slow

NB = "07_generalization"


@pytest.fixture(scope="module")
def solved(solved_run):
    return solved_run(NB)


def test_every_plot_cell_draws_a_picture(solved):
    """Does every demo cell that plots put a PNG in the notebook (no plot silently missing)?"""
    missing = [c.source[:60] for c in code(solved.nb)
               if "demo" in c.metadata.get("tags", []) and "slider_widget(" not in c.source
               and ("nc.plot." in c.source or "subplots" in c.source)
               and not any("image/png" in o.get("data", {}) for o in c.outputs)]
    assert missing == []


def test_equal_start_keeps_the_hidden_units_identical(solved):
    """Do the printed hidden weights of the equal start show five equal values, and the random start five different ones?"""
    lines = {line.split(":")[0]: line for line in text(cell_with(solved.nb, "equal start")).splitlines()}
    equal = lines["equal start (all weights 0.5)"].split("w_j = [")[1].rstrip("]").split()
    rand = lines["random start (He)"].split("w_j = [")[1].rstrip("]").split()
    assert len(set(equal)) == 1 and len(set(rand)) == 5


def test_remedy_table_has_every_remedy_and_more_data_helps(solved):
    """Does the remedy table list all five remedies, and does more data beat the 100-image baseline on validation accuracy?"""
    printed = text(cell_with(solved.nb, "def accuracy("))
    rows = {line[:38].strip(): line[38:].split() for line in printed.splitlines() if line[:38].strip()}
    names = " ".join(rows)
    for remedy in ("baseline", "weight decay", "dropout", "more data", "early stopping"):
        assert remedy in names
    assert float(rows["more data: 800 images"][1]) > float(rows["baseline"][1])


def test_weight_decay_widget_builds_and_redraws_in_a_kernel(solved):
    """In a real kernel, does the lambda slider exist (log scale) and does moving it redraw picture and title?"""
    result = solved.probe("widget")
    assert result["sliders"] == ["lam"] and result["kind"] == "FloatLogSlider"
    assert "lambda = 1.0e-02" in result["before"] and "lambda = 3.0e-01" in result["after"] and result["png_changed"]
