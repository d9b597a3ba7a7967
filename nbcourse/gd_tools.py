"""Helpers for the training notebooks (04 gradient descent, 05 backprop): plots, a learning-rate widget,
and a guard for demo cells whose exercise is not written yet.

Nothing here is an exercise answer: every function that descends, differentiates or trains is passed
in by the notebook (the student's own function), and this module only calls it and draws.
Plotting helpers follow :mod:`nbcourse.plot`: they take ``ax=`` (a matplotlib Axes, or None for a new
figure), return the Axes they drew on, set a title and labelled axes, and never touch ``rcParams``.
matplotlib is imported lazily, so importing this module in a set-up cell costs nothing.
"""
from __future__ import annotations

import base64
import io
import numbers

import numpy as np

__all__ = ["needs", "path_1d", "xy_curves", "confusion_matrix", "lr_widget", "draw_lr_demo", "draw_gradient_depth",
           "gradient_depth_widget"]


from nbcourse.ready import needs  # noqa: E402  the one 'implement X first' guard of the course


# ----------------------------------------------------------------------------- small checks
def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    elif not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _label(ax, title, xlabel, ylabel):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _vector(v, name: str) -> np.ndarray:
    arr = np.asarray(v, dtype=np.float64)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.reshape(-1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional (shape (k,)), got shape {arr.shape}")
    return arr


# ----------------------------------------------------------------------------- plots
def path_1d(loss_fn, paths, ax=None, *, xlim=None, n_grid: int = 400, title="Gradient descent in 1-D",
            xlabel=r"$\theta$", ylabel=r"loss $L(\theta)$", clip=None):
    """A 1-D loss curve with optimiser paths drawn on it.

    Parameters
    ----------
    loss_fn : callable mapping an array of shape (k,) to losses of shape (k,) (vectorised).
    paths : dict name -> array of shape (n_steps + 1,) — the iterates theta_0, theta_1, ...
        (a trajectory of 0-d parameters); each is drawn as dots on the curve, start circled.
    xlim : (low, high) or None — the range of theta (default: the paths' range, padded).
    clip : (low, high) or None — the y range shown (diverging paths leave it).

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(paths, dict):
        raise TypeError(f"paths must be a dict name -> trajectory, got {type(paths).__name__}")
    paths = {str(k): _vector(v, f"paths[{k!r}]") for k, v in paths.items()}
    ax = _axes(ax)
    if xlim is None:
        finite = np.concatenate([p[np.isfinite(p)] for p in paths.values()] or [np.zeros(1)])
        lo, hi = float(finite.min()), float(finite.max())
        pad = 0.15 * max(hi - lo, 1.0)
        xlim = (lo - pad, hi + pad)
    grid = np.linspace(xlim[0], xlim[1], n_grid)
    curve = np.asarray(loss_fn(grid), dtype=np.float64)
    if curve.shape != grid.shape:
        raise ValueError(f"loss_fn must map shape {grid.shape} to {grid.shape}, got {curve.shape}")
    ax.plot(grid, curve, color="0.3", linewidth=1.5, label="loss")
    colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    for k, (name, p) in enumerate(paths.items()):
        c = colours[k % len(colours)]
        with np.errstate(all="ignore"):
            values = np.asarray(loss_fn(p), dtype=np.float64)
        ax.plot(p, values, marker="o", markersize=3.5, linewidth=0.8, color=c, label=name)
        ax.plot(p[:1], values[:1], marker="o", markersize=9, markerfacecolor="none", color=c)
    ax.set_xlim(*xlim)
    if clip is not None:
        ax.set_ylim(*clip)
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return _label(ax, title, xlabel, ylabel)


def xy_curves(series, ax=None, *, title="Loss", xlabel="x", ylabel="loss", logx: bool = False,
              logy: bool = False, marker=None):
    """Several curves y(x) on one Axes: e.g. the loss against epochs, or against wall-clock seconds.

    Parameters
    ----------
    series : dict name -> (x, y), each an array of shape (k,) (k may differ between curves).
    logx, logy : bool — logarithmic axes.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(series, dict) or not series:
        raise TypeError("series must be a non-empty dict name -> (x, y)")
    ax = _axes(ax)
    for name, xy in series.items():
        if not (isinstance(xy, (tuple, list)) and len(xy) == 2):
            raise TypeError(f"series[{name!r}] must be a pair (x, y)")
        x, y = _vector(xy[0], f"x of {name!r}"), _vector(xy[1], f"y of {name!r}")
        if x.shape != y.shape:
            raise ValueError(f"series[{name!r}]: x has {x.size} points, y has {y.size}")
        ax.plot(x, y, marker=marker, markersize=3, label=str(name))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return _label(ax, title, xlabel, ylabel)


def confusion_matrix(labels, predictions, n_classes=None, ax=None, *, title="Confusion matrix",
                     xlabel="predicted class", ylabel="true class"):
    """Count how often each true class (row) was predicted as each class (column), and draw the table.

    Parameters
    ----------
    labels, predictions : int arrays of shape (m,), values 0..n_classes - 1.
    n_classes : int or None (default: 1 + the largest label or prediction).

    Returns
    -------
    matplotlib Axes; the counts, an int array (n_classes, n_classes), are in ``ax.counts``.
    """
    labels = np.asarray(labels).reshape(-1)
    predictions = np.asarray(predictions).reshape(-1)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels and predictions must have the same shape, got {labels.shape} and {predictions.shape}")
    for name, v in (("labels", labels), ("predictions", predictions)):
        if v.size and (not np.all(v == np.round(v)) or v.min() < 0):
            raise ValueError(f"{name} must hold class numbers 0, 1, 2, ...")
    labels, predictions = labels.astype(int), predictions.astype(int)
    top = int(max(labels.max(initial=-1), predictions.max(initial=-1))) + 1
    n = top if n_classes is None else int(n_classes)
    if n < top:
        raise ValueError(f"n_classes={n} but a class number {top - 1} occurs")
    counts = np.zeros((n, n), dtype=int)
    np.add.at(counts, (labels, predictions), 1)
    ax = _axes(ax)
    image = ax.imshow(counts, cmap="Blues")
    ax.figure.colorbar(image, ax=ax, label="count")
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                ax.text(j, i, str(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.counts = counts
    return _label(ax, title, xlabel, ylabel)


# ----------------------------------------------------------------------------- learning-rate widget
def _regime(lr: float, curvature: float) -> str:
    """What gradient descent does on L = curvature / 2 * theta^2: each step multiplies theta by 1 - lr * curvature."""
    factor = 1.0 - lr * curvature
    if abs(factor) > 1.0 + 1e-12:
        return "diverging"
    if abs(factor) > 1.0 - 1e-12:
        return "oscillating for ever" if factor < 0 else "not moving"
    if factor < 0:
        return "oscillating, converging"
    if factor < 0.7:
        return "good"
    return "too small"


def draw_lr_demo(gradient_descent, lr: float, axes, *, theta0: float = 2.0, n_steps: int = 20):
    """Run the student's ``gradient_descent`` on L(theta) = theta^2 and draw the path and the loss curve.

    ``axes`` is a pair of Axes: left the path on the loss curve, right the loss against the step
    (log scale). Returns the trajectory (shape (n_steps + 1,)).
    """
    lr = float(lr)
    with np.errstate(all="ignore"):
        path = np.asarray(gradient_descent(lambda t: 2.0 * t, np.array(float(theta0)), lr, int(n_steps)), dtype=np.float64)
    path = path.reshape(-1)
    regime = _regime(lr, 2.0)
    left, right = axes
    shown = np.clip(path, -4.0, 4.0)  # a diverging path leaves the picture; clip to its edge
    path_1d(lambda t: t ** 2, {f"η = {lr:.3g}": shown}, ax=left, xlim=(-4.0, 4.0), clip=(-0.5, 16.5),
            title=f"η = {lr:.3g}: {regime}", xlabel=r"$\theta$", ylabel=r"$L(\theta) = \theta^2$")
    with np.errstate(all="ignore"):
        losses = np.maximum(path ** 2, 1e-30)
    right.plot(np.arange(path.size), losses, marker=".", color="#0072B2")
    right.set_yscale("log")
    right.set_ylim(1e-12, 1e8)
    right.grid(True, alpha=0.3)
    _label(right, f"loss per step (factor {1 - 2 * lr:+.2f} on θ per step)", "step $t$", r"$L(\theta_t)$ (log scale)")
    return path


def _png_output(fig) -> dict:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    text = fig.axes[0].get_title() if fig.axes else "figure"
    return {"output_type": "display_data",
            "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": text},
            "metadata": {}}


def lr_widget(gradient_descent, lr: float = 0.1, *, theta0: float = 2.0, n_steps: int = 20):
    """A learning-rate slider over the student's gradient descent on L(theta) = theta^2.

    Parameters
    ----------
    gradient_descent : the student's ``gradient_descent(grad_fn, theta0, lr, n_steps)``.
    lr : float — the slider's starting value (the slider is logarithmic, from 0.01 to about 1.26).

    Returns
    -------
    ipywidgets.VBox — children: a FloatLogSlider described "η" and an Output holding the picture
    (path on the curve, loss per step). The box also carries ``.slider``, ``.output``, ``.figure``
    and ``.axes`` (the two Axes last drawn on) and ``.path`` (the last trajectory).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    if not callable(gradient_descent):
        raise TypeError(f"gradient_descent must be your function, got {type(gradient_descent).__name__}")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr:
        raise ValueError(f"lr must be a number > 0, got {lr!r}")
    slider = widgets.FloatLogSlider(value=float(lr), base=10, min=-2.0, max=0.1, step=0.02, description="η",
                                    readout_format=".3f", continuous_update=False)
    output = widgets.Output()
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    box = widgets.VBox([slider, output])
    box.slider, box.output, box.figure = slider, output, fig

    def redraw(_change=None):
        fig.clear()
        axes = fig.subplots(1, 2)
        box.path = draw_lr_demo(gradient_descent, slider.value, axes, theta0=theta0, n_steps=n_steps)
        box.axes = axes
        output.outputs = (_png_output(fig),)

    slider.observe(redraw, names="value")
    redraw()
    return box


# ----------------------------------------------------------------------------- gradients through depth (notebook 05)
def draw_gradient_depth(mlp_forward, mlp_backward, init_params, depth: int, activation: str, ax, *,
                        width: int = 32, m: int = 64, seed: int = 0):
    """Run the student's forward and backward pass through a deep network and draw the gradient size per layer.

    The network has ``depth`` hidden layers of ``width`` units with the given hidden ``activation``, a linear
    output of 10 units, weights from ``init_params`` (seeded), random inputs, and the upstream gradient of
    the mean of the outputs' squares. Plots the mean absolute entry of dW of every layer (log scale).
    Returns that array, first layer first.
    """
    rng = np.random.default_rng(seed)
    sizes = [width] * (int(depth) + 1) + [10]
    params = init_params(sizes, rng)
    X = rng.standard_normal((width, m))
    Y_hat, caches = mlp_forward(X, params, activation, "identity")
    grads = mlp_backward(2.0 * Y_hat / Y_hat.size, caches)
    sizes_dw = np.array([float(np.mean(np.abs(dW))) for dW, _ in grads])
    layers = np.arange(1, sizes_dw.size + 1)
    ax.semilogy(layers, np.maximum(sizes_dw, 1e-300), marker="o")
    ax.set_ylim(1e-12, 1e1)
    ax.grid(True, alpha=0.3)
    ratio = sizes_dw[0] / sizes_dw[-1] if sizes_dw[-1] > 0 else float("nan")
    _label(ax, f"{activation}, {int(depth)} hidden layers: |dW| of layer 1 / last layer = {ratio:.1e}",
           "layer (1 = next to the input)", "mean |dW| (log scale)")
    return sizes_dw


def gradient_depth_widget(mlp_forward, mlp_backward, init_params, depth: int = 3, activation: str = "sigmoid"):
    """A depth slider and an activation menu over :func:`draw_gradient_depth` (the student's own passes).

    Returns an ipywidgets.VBox: an IntSlider "depth" (1..30), a Dropdown "activation" (sigmoid, tanh,
    relu) and an Output with the picture; also ``.slider``, ``.dropdown``, ``.output``, ``.figure``, ``.ax``
    and ``.sizes`` (the last mean |dW| per layer).
    """
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    slider = widgets.IntSlider(value=int(depth), min=1, max=30, step=1, description="depth", continuous_update=False)
    dropdown = widgets.Dropdown(options=["sigmoid", "tanh", "relu"], value=activation, description="activation")
    output = widgets.Output()
    fig = Figure(figsize=(7, 4), layout="constrained")
    box = widgets.VBox([slider, dropdown, output])
    box.slider, box.dropdown, box.output, box.figure = slider, dropdown, output, fig

    def redraw(_change=None):
        fig.clear()
        box.ax = fig.add_subplot()
        box.sizes = draw_gradient_depth(mlp_forward, mlp_backward, init_params, slider.value, dropdown.value, box.ax)
        output.outputs = (_png_output(fig),)

    slider.observe(redraw, names="value")
    dropdown.observe(redraw, names="value")
    redraw()
    return box
