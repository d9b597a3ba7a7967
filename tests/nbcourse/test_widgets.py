"""Tests of nbcourse.widgets: the neuron widget and its drawing function, headless."""
import re

import matplotlib

matplotlib.use("Agg")

import ipywidgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nbcourse import widgets  # noqa: E402

# AND written out here, independently of nbcourse.data
AND_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
AND_Y = np.array([0.0, 0.0, 0.0, 1.0])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _count(title: str) -> int:
    match = re.search(r"(\d+) misclassified", title)
    assert match, f"no misclassification count in title {title!r}"
    return int(match.group(1))


def _sliders(widget):
    return {c.description: c for c in widget.children if isinstance(c, ipywidgets.FloatSlider)}


def test_widget_has_sliders_w1_w2_b():
    """Does neuron_widget build with sliders w1, w2, b over [-3, 3]?"""
    sliders = _sliders(widgets.neuron_widget(AND_X, AND_Y))
    assert set(sliders) == {"w1", "w2", "b"}
    assert all((s.min, s.max) == (-3.0, 3.0) for s in sliders.values())


def test_widget_sliders_start_at_given_weights():
    """Do the sliders start at the given w and b?"""
    sliders = _sliders(widgets.neuron_widget(AND_X, AND_Y, w=(0.5, -1.0), b=2.0))
    assert (sliders["w1"].value, sliders["w2"].value, sliders["b"].value) == (0.5, -1.0, 2.0)


def test_moving_a_slider_redraws():
    """Does changing the bias slider replace the picture and the title?"""
    widget = widgets.neuron_widget(AND_X, AND_Y)
    outputs, title = widget.output.outputs, widget.ax.get_title()
    _sliders(widget)["b"].value = 0.5
    assert widget.output.outputs != outputs
    assert widget.ax.get_title() != title


def test_widget_does_not_leave_pyplot_figures():
    """Does building and moving the widget leave no pyplot figure open?"""
    widget = widgets.neuron_widget(AND_X, AND_Y)
    _sliders(widget)["w1"].value = -1.0
    assert plt.get_fignums() == []


def test_draw_neuron_and_gate_has_no_errors():
    """Does the AND neuron w=(1, 1), b=-1.5 report 0 misclassified points?"""
    ax = widgets.draw_neuron(AND_X, AND_Y, 1.0, 1.0, -1.5)
    assert _count(ax.get_title()) == 0


def test_draw_neuron_counts_errors_of_a_bad_bias():
    """With b=0.5, does the title count the points the neuron gets wrong?"""
    expected = 0
    for (x1, x2), label in zip(AND_X.T, AND_Y):
        fires = 1.0 * x1 + 1.0 * x2 + 0.5 > 0
        expected += int(fires != (label == 1.0))
    ax = widgets.draw_neuron(AND_X, AND_Y, 1.0, 1.0, 0.5)
    assert _count(ax.get_title()) == expected


def test_draw_neuron_returns_given_axes_with_labels():
    """Does draw_neuron draw on the given Axes and label its axes?"""
    _, ax = plt.subplots()
    assert widgets.draw_neuron(AND_X, AND_Y, 1.0, -1.0, 0.0, ax=ax) is ax
    assert ax.get_xlabel() and ax.get_ylabel()


def test_draw_neuron_sigmoid_activation_runs():
    """Does the sigmoid shading draw with the same error count as the step?"""
    ax = widgets.draw_neuron(AND_X, AND_Y, 1.0, 1.0, -1.5, activation="sigmoid")
    assert _count(ax.get_title()) == 0


def test_draw_neuron_unknown_activation_is_a_value_error():
    """Does an unknown activation name raise ValueError?"""
    with pytest.raises(ValueError, match="activation"):
        widgets.draw_neuron(AND_X, AND_Y, 1.0, 1.0, 0.0, activation="relu")


def test_draw_neuron_bad_data_shape_is_a_value_error():
    """Does X of shape (m, 2) raise ValueError naming the expected shape?"""
    with pytest.raises(ValueError, match=r"\(2, m\)"):
        widgets.draw_neuron(AND_X.T, AND_Y, 1.0, 1.0, 0.0)
