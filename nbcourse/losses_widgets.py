"""The widget of notebook 03 (loss functions), drawn from the STUDENT's ``softmax`` and ``cross_entropy``.

Nothing here is an exercise answer: both functions come in as arguments and are only called.

- :func:`draw_softmax` — bar chart of the softmax probabilities of a few logits, the true class
  marked, the cross-entropy in the title;
- :func:`softmax_widget` — one slider per logit, redrawing :func:`draw_softmax`.
"""
from __future__ import annotations

import base64
import io
import numbers

import numpy as np

__all__ = ["draw_softmax", "softmax_widget"]


def _logits(logits) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    if z.size < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"logits must be at least two finite numbers, got {logits!r}")
    return z


def _target(target, C: int) -> int:
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or not 0 <= target < C:
        raise ValueError(f"target must be a class index in 0..{C - 1}, got {target!r}")
    return int(target)


def draw_softmax(softmax, cross_entropy, logits, target: int = 0, ax=None):
    """Bars of ``softmax(z)`` for one sample (the logits z as a column), the true class highlighted.

    Parameters
    ----------
    softmax : the student's ``softmax(Z)``, Z of shape (C, m) -> (C, m).
    cross_entropy : the student's ``cross_entropy(Z, Y) -> (loss, dZ)``.
    logits : C numbers.
    target : index of the true class.

    Returns the Axes; the title holds the cross-entropy and the probability of the true class.
    """
    z = _logits(logits)
    C = z.size
    t = _target(target, C)
    Z = z[:, None]
    Y = np.zeros((C, 1))
    Y[t, 0] = 1.0
    p = np.asarray(softmax(Z), dtype=np.float64).reshape(-1)
    loss, _ = cross_entropy(Z, Y)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    colours = ["#E69F00" if k == t else "#0072B2" for k in range(C)]
    bars = ax.bar(np.arange(C), p, color=colours)
    for k, (bar, zk) in enumerate(zip(bars, z)):
        ax.text(bar.get_x() + bar.get_width() / 2, min(p[k] + 0.03, 1.02), f"p={p[k]:.3f}\nz={zk:.1f}",
                ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 1.15)
    ax.set_xticks(np.arange(C), [f"class {k}" + (" (true)" if k == t else "") for k in range(C)])
    ax.set_title(f"cross-entropy = -log p_true = {float(loss):.3f}   (p_true = {p[t]:.3f})")
    ax.set_xlabel("class")
    ax.set_ylabel("softmax probability")
    return ax


def _png_output(fig) -> dict:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    text = fig.axes[0].get_title() if fig.axes else "figure"
    return {"output_type": "display_data",
            "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text},
            "metadata": {}}


def softmax_widget(softmax, cross_entropy, logits=(2.0, 1.0, 0.1), target: int = 0, limit: float = 8.0):
    """One FloatSlider per logit (``z0``, ``z1``, ...; range [-limit, limit]) redrawing :func:`draw_softmax`.

    Returns an ``ipywidgets.VBox`` (the sliders, then an Output); the box also carries ``.sliders``
    (a list), ``.output``, ``.figure`` and ``.ax`` (the Axes last drawn on).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    z = _logits(logits)
    t = _target(target, z.size)
    draw_softmax(softmax, cross_entropy, z, t, ax=Figure().add_subplot())  # fails here, once, if not written yet
    sliders = [widgets.FloatSlider(value=float(np.clip(v, -limit, limit)), min=-limit, max=limit, step=0.1,
                                   description=f"z{k}", readout_format=".1f") for k, v in enumerate(z)]
    output = widgets.Output()
    fig = Figure(figsize=(6, 3.8), layout="constrained")
    box = widgets.VBox([*sliders, output])
    box.sliders, box.output, box.figure = sliders, output, fig

    def redraw(_change=None):
        fig.clear()
        box.ax = draw_softmax(softmax, cross_entropy, [s.value for s in sliders], t, ax=fig.add_subplot())
        output.outputs = (_png_output(fig),)

    for s in sliders:
        s.observe(redraw, names="value")
    redraw()
    return box
