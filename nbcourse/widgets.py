"""Interactive widgets for the course notebooks (ipywidgets).

The drawing lives in plain functions that take and return a matplotlib ``Axes`` (testable
without a browser); the widgets only wire sliders to them.
"""
from __future__ import annotations

import base64
import io
import numbers

import numpy as np

__all__ = ["draw_neuron", "neuron_widget"]

_ACTIVATIONS = ("step", "sigmoid")


def _check_data(X, y):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"X must have shape (2, m) (one point per column), got {X.shape}")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.shape != (X.shape[1],):
        raise ValueError(f"y must have shape ({X.shape[1]},) (one label per column of X), got {y.shape}")
    return X, y


def _check_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    return float(value)


def _fires(P: np.ndarray, w1: float, w2: float, b: float) -> np.ndarray:
    """Whether a threshold unit with weights (w1, w2), bias b fires at points P, shape (2, k) -> (k,)."""
    return (w1 * P[0] + w2 * P[1] + b) > 0


def draw_neuron(X, y, w1: float, w2: float, b: float, ax=None, *, activation: str = "step"):
    """Draw a single neuron's decision in the plane.

    Shades the side of the line ``w1 x1 + w2 x2 + b = 0`` where the neuron fires (``z > 0``),
    draws the line, scatters the data coloured by label, and puts the weights and the number
    of misclassified points in the title. A point counts as misclassified when the neuron fires
    and its label is not positive (> 0), or does not fire and its label is positive — so labels
    may be 0/1 or -1/+1.

    Parameters
    ----------
    X : array, shape (2, m) — points (columns).
    y : array, shape (m,) — labels, 0/1 (or -1/+1).
    w1, w2, b : float — the neuron's weights and bias.
    ax : matplotlib Axes or None.
    activation : "step" (shade the firing side) or "sigmoid" (shade by the unit's output in
        [0, 1], the 0.5 level being the same line).

    Returns
    -------
    matplotlib Axes
    """
    from nbcourse import plot

    X, y = _check_data(X, y)
    w1, w2, b = _check_real(w1, "w1"), _check_real(w2, "w2"), _check_real(b, "b")
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    wrong = int(np.sum(_fires(X, w1, w2, b) != (y > 0)))
    title = f"$w_1$={w1:.2f}, $w_2$={w2:.2f}, $b$={b:.2f}: {wrong} misclassified"
    labels = (y > 0).astype(np.int64)
    if activation == "step":
        ax = plot.decision_boundary(lambda P: _fires(P, w1, w2, b).astype(np.int64), X, labels, ax=ax,
                                    resolution=150, title=title)
    else:
        def output(P):  # the logistic unit's output, computed stably from z
            z = w1 * P[0] + w2 * P[1] + b
            return np.exp(-np.logaddexp(0.0, -z))

        ax = plot.decision_boundary(output, X, labels, ax=ax, resolution=150, title=title,
                                    levels=np.linspace(0.0, 1.0, 11))
    if w1 != 0.0 or w2 != 0.0:  # the line itself, also when it lies outside the shaded grid
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        point = -b * np.array([w1, w2]) / (w1 * w1 + w2 * w2)  # closest point of the line to 0
        ax.axline(tuple(point), tuple(point + np.array([-w2, w1])), color="k", linewidth=1.5)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    return ax


def _png_output(fig) -> dict:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    text = fig.axes[0].get_title() if fig.axes else "figure"
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text},
        "metadata": {},
    }


def neuron_widget(X, y, w=(1.0, 1.0), b: float = -1.5, activation: str = "step"):
    """Sliders for a neuron's weights and bias, redrawing :func:`draw_neuron` on every move.

    Parameters
    ----------
    X : array, shape (2, m); y : array, shape (m,) — the data (e.g. ``nbcourse.data.truth_table("AND")``).
    w : (float, float) — initial weights (w1, w2).
    b : float — initial bias.
    activation : "step" or "sigmoid" (see :func:`draw_neuron`).

    Returns
    -------
    ipywidgets.VBox — children: FloatSliders with descriptions "w1", "w2", "b" (range [-3, 3]),
    then an Output holding the picture. The box also carries ``.sliders`` (dict name ->
    slider), ``.output``, ``.figure`` and ``.ax`` (the Axes last drawn on).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    X, y = _check_data(X, y)
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    w = tuple(w)
    if len(w) != 2:
        raise ValueError(f"w must hold two weights (w1, w2), got {len(w)}")
    initial = {"w1": _check_real(w[0], "w[0]"), "w2": _check_real(w[1], "w[1]"), "b": _check_real(b, "b")}
    sliders = {
        name: widgets.FloatSlider(value=float(np.clip(value, -3.0, 3.0)), min=-3.0, max=3.0, step=0.05,
                                  description=name, readout_format=".2f")
        for name, value in initial.items()
    }
    output = widgets.Output()
    fig = Figure(figsize=(5, 4), layout="constrained")  # not pyplot: no global figure to leak or auto-show
    box = widgets.VBox([*sliders.values(), output])
    box.sliders, box.output, box.figure = sliders, output, fig

    def redraw(_change=None):
        fig.clear()  # also drops the colour bar of the "sigmoid" picture
        box.ax = draw_neuron(X, y, sliders["w1"].value, sliders["w2"].value, sliders["b"].value,
                             ax=fig.add_subplot(), activation=activation)
        output.outputs = (_png_output(fig),)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return box
