"""Notebook 07 (generalization): the solved notebook's plots and printed results, the weight-decay widget
in a real kernel, and the release with only stubs failing."""
from __future__ import annotations

import re

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


def test_equal_start_stays_one_unit_for_1000_epochs_and_the_random_start_does_not(solved):
    """After 1,000 epochs, do the printed hidden weights of the equal start show five equal values, and the random start five different ones?"""
    lines = {line.split(":")[0]: line for line in text(cell_with(solved.nb, "sym_epochs = nc.demo_size(")).splitlines()}
    equal = lines["equal start (all weights 0.5)"].split("w_j = [")[1].rstrip("]").split()
    rand = lines["random start (He)"].split("w_j = [")[1].rstrip("]").split()
    assert len(set(equal)) == 1 and len(set(rand)) == 5


def test_the_equal_start_symmetry_grows_by_roughly_a_constant_factor_and_breaks(solved):
    """Does the spread of the equal start's units grow from rounding size (below 1e-12 at epoch 250) and break (above 0.01) later?"""
    out = text(cell_with(solved.nb, "spread_per_epoch = ["))
    spread = {int(e): float(v) for e, v in re.findall(r"epoch (\d+): ([\d.e+-]+)", out)}
    assert spread[250] < 1e-12 < spread[1000] < spread[2000] and spread[3000] > 0.01
    assert spread[500] / spread[250] > 10 and spread[1000] / spread[500] > 10   # exponential growth, not a drift


def test_remedy_table_has_every_remedy_and_more_data_helps_in_every_seed(solved):
    """Does the remedy table list all five remedies over several seeds, and does more data beat the 100-image baseline in every seed?"""
    printed = text(cell_with(solved.nb, "REMEDIES = ["))
    rows = {line[:38].strip(): line[38:] for line in printed.splitlines() if "better in" in line}
    for remedy in ("baseline", "weight decay", "dropout", "more data", "early stopping"):
        assert any(remedy in name for name in rows), remedy
    more = next(v for k, v in rows.items() if k.startswith("more data"))
    better, seeds = re.search(r"better in (\d+) of (\d+)", more).groups()
    assert int(seeds) >= 5 and better == seeds


def test_init_scale_measures_vanishing_and_exploding_signals(solved):
    """At depth 25, does ReLU with He keep its activations within 10x of layer 1, while gain 0.5 vanishes (<1e-6) and gain 2 explodes (>1e2)?"""
    out = text(cell_with(solved.nb, "GAINS = {"))
    last = {(act, gain): float(v) for act, gain, v in
            re.findall(r"(tanh|relu), [^(]+\(gain ([\d.]+)\): activations layer 1 [\d.e+-]+, layer 25 ([\d.e+-]+)", out)}
    assert 0.1 < last["relu", "1.41"] < 10 and last["relu", "0.50"] < 1e-6 and last["relu", "2.00"] > 1e2


def test_init_scale_widget_redraws_in_a_kernel(solved):
    """In a real kernel, does the gain slider (log scale) redraw both panels, tanh and relu, with the new gain in their titles?"""
    result = solved.probe("init_widget")
    assert result["sliders"] == ["gain"] and result["kind"] == "FloatLogSlider"
    assert result["before"][0].startswith("tanh, gain 1.00") and result["before"][1].startswith("relu, gain 1.00")
    assert result["after"][0].startswith("tanh, gain 2.00") and result["after"][1].startswith("relu, gain 2.00")
    assert result["png_changed"]


def test_weight_decay_widget_builds_and_redraws_in_a_kernel(solved):
    """In a real kernel, does the lambda slider exist (log scale) and does moving it redraw picture and title?"""
    result = solved.probe("widget")
    assert result["sliders"] == ["lam"] and result["kind"] == "FloatLogSlider"
    assert "lambda = 1.0e-02" in result["before"] and "lambda = 3.0e-01" in result["after"] and result["png_changed"]
