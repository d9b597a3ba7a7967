"""Pictures and the widget of notebook 02 (the multi-layer perceptron), drawn from the STUDENT's functions.

Nothing here is an exercise answer: every function takes the student's ``shallow_net_1d`` as an
argument and only calls it. The fit is a linear least-squares solve for the output weights ``phi``
with the joints held fixed (so no training is involved yet): since the network is linear in ``phi``,
column ``d`` of the design matrix is the network evaluated with ``phi = e_d`` (a unit vector).

- :func:`spread_joints` — ``theta`` of D ReLU units whose joints are spread evenly over an interval;
- :func:`fit_phi` — the least-squares ``phi`` for fixed ``theta``, and the fit's RMS error;
- :func:`draw_fit` — target, fit and joints on one Axes;
- :func:`approximation_widget` — a slider for D (and a target menu) redrawing :func:`draw_fit`.
"""
from __future__ import annotations

import base64
import io
import numbers

import numpy as np

__all__ = ["TARGETS", "spread_joints", "fit_phi", "draw_fit", "approximation_widget"]

# 1-D target functions on [-1, 1] (plain numpy; none of them is an exercise).
TARGETS = {
    "sin(2πx) + x/2": lambda x: np.sin(2 * np.pi * x) + 0.5 * x,
    "bump exp(-20x²)": lambda x: np.exp(-20.0 * x ** 2),
    "step at 0.3": lambda x: (x > 0.3).astype(float),
    "|x| - x²": lambda x: np.abs(x) - x ** 2,
}

_LO, _HI = -1.0, 1.0


def _check_D(D) -> int:
    if isinstance(D, bool) or not isinstance(D, numbers.Integral) or D < 1:
        raise ValueError(f"D (the number of hidden units) must be an int >= 1, got {D!r}")
    return int(D)


def spread_joints(D: int, lo: float = _LO, hi: float = _HI) -> np.ndarray:
    """``theta`` of shape (D, 2) for D units ``relu(x - c_d)`` with joints ``c_d`` spread evenly.

    The first joint sits at ``lo``, so on ``[lo, hi]`` that unit is a plain line and the sum can
    follow a slope from the left end; the others split ``[lo, hi)`` into D equal pieces.
    Row d is ``(theta_d0, theta_d1) = (-c_d, 1)``.
    """
    D = _check_D(D)
    c = lo + (hi - lo) * np.arange(D) / D
    return np.stack([-c, np.ones(D)], axis=1)


def fit_phi(shallow_net_1d, x, y, theta, activation: str = "relu"):
    """The output weights ``phi`` (shape (D + 1,)) minimising the squared error of the fit.

    Parameters
    ----------
    shallow_net_1d : the student's function ``(x, theta, phi, activation) -> (m,)``.
    x, y : arrays of shape (m,) — inputs and targets.
    theta : array (D, 2) — fixed joints and slopes.

    Returns
    -------
    (phi, rms) — ``phi`` of shape (D + 1,) and the root-mean-square error of the fit on (x, y).
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    theta = np.asarray(theta, dtype=np.float64)
    D = theta.shape[0]
    columns = []
    for d in range(D + 1):  # the network is linear in phi: its value for phi = e_d is column d
        e = np.zeros(D + 1)
        e[d] = 1.0
        col = np.asarray(shallow_net_1d(x, theta, e, activation), dtype=np.float64)
        if col.shape != x.shape:
            raise ValueError(f"shallow_net_1d must return shape {x.shape} for x of shape {x.shape}, got {col.shape}")
        columns.append(col)
    design = np.stack(columns, axis=1)  # (m, D + 1)
    phi, *_ = np.linalg.lstsq(design, y, rcond=None)
    rms = float(np.sqrt(np.mean((design @ phi - y) ** 2)))
    return phi, rms


def draw_fit(shallow_net_1d, D: int, target: str = "sin(2πx) + x/2", ax=None, n: int = 400):
    """Fit a shallow ReLU net with D units to ``TARGETS[target]`` and draw target, fit and joints.

    Returns the Axes; its title holds D, the RMS error and the number of linear regions on [-1, 1].
    """
    D = _check_D(D)
    if target not in TARGETS:
        raise ValueError(f"target must be one of {sorted(TARGETS)}, got {target!r}")
    x = np.linspace(_LO, _HI, n)
    y = TARGETS[target](x)
    theta = spread_joints(D)
    phi, rms = fit_phi(shallow_net_1d, x, y, theta)
    fit = np.asarray(shallow_net_1d(x, theta, phi, "relu"), dtype=np.float64)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(layout="constrained")
    ax.plot(x, y, color="0.4", linewidth=3, alpha=0.6, label="target")
    ax.plot(x, fit, color="#D55E00", linewidth=1.5, label=f"network, D = {D}")
    joints = -theta[1:, 0]  # the first joint is the left end itself
    ax.plot(joints, np.asarray(shallow_net_1d(joints, theta, phi, "relu")), "k|", markersize=12, label="joints")
    ax.legend(loc="best", fontsize="small")
    ax.grid(True, alpha=0.3)
    ax.set_title(f"D = {D} hidden units: {D} linear pieces, RMS error {rms:.3g}")
    ax.set_xlabel("input $x$")
    ax.set_ylabel("output $f(x)$")
    return ax


def _png_output(fig) -> dict:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    text = fig.axes[0].get_title() if fig.axes else "figure"
    return {"output_type": "display_data",
            "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text},
            "metadata": {}}


def approximation_widget(shallow_net_1d, D: int = 3, D_max: int = 40, target: str = "sin(2πx) + x/2"):
    """A slider for the number of hidden units D and a menu of targets, redrawing :func:`draw_fit`.

    Returns an ``ipywidgets.VBox`` (children: an IntSlider "D", a Dropdown "target", an Output); the
    box also carries ``.slider``, ``.menu``, ``.output``, ``.figure`` and ``.ax`` (last drawn Axes).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    D, D_max = _check_D(D), _check_D(D_max)
    if target not in TARGETS:
        raise ValueError(f"target must be one of {sorted(TARGETS)}, got {target!r}")
    draw_fit(shallow_net_1d, 1, target, ax=Figure().add_subplot())  # fails here, once, if the function is not written yet
    slider = widgets.IntSlider(value=min(D, D_max), min=1, max=D_max, step=1, description="D",
                               continuous_update=False)
    menu = widgets.Dropdown(options=list(TARGETS), value=target, description="target")
    output = widgets.Output()
    fig = Figure(figsize=(7, 4), layout="constrained")  # not pyplot: nothing leaks or auto-shows
    box = widgets.VBox([slider, menu, output])
    box.slider, box.menu, box.output, box.figure = slider, menu, output, fig

    def redraw(_change=None):
        fig.clear()
        box.ax = draw_fit(shallow_net_1d, slider.value, menu.value, ax=fig.add_subplot())
        output.outputs = (_png_output(fig),)

    slider.observe(redraw, names="value")
    menu.observe(redraw, names="value")
    redraw()
    return box
