"""Plotting helpers for the course notebooks.

Every helper draws on a matplotlib ``Axes``: pass ``ax=`` to draw into your own figure (e.g. one
panel of ``plt.subplots(1, 3)``), or leave it out and a new figure is made. Each returns the
Axes it drew on, sets a title and labelled axes (override them with ``title=``, ``xlabel=``,
``ylabel=``), and never changes matplotlib's global settings (``rcParams``).

Array conventions: samples are columns, ``X`` has shape ``(2, m)`` for points in the plane,
labels have shape ``(m,)``.
"""
from __future__ import annotations

import numbers

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.ticker import MaxNLocator

__all__ = ["subplots", "activations", "decision_boundary", "loss_curves", "loss_surface", "fit_1d", "digit_grid"]

# Colour-blind-friendly class colours (Okabe-Ito), class k gets _CLASS_COLOURS[k % 8].
_CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def subplots(nrows: int = 1, ncols: int = 1, *, figsize=None, **kwargs):
    """``matplotlib.pyplot.subplots`` with a layout that fits (so notebooks need no pyplot import).

    Returns ``(figure, axes)``; ``axes`` is one Axes or an array of them, as in pyplot.
    """
    kwargs.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **kwargs)
    return _shown_once(fig), axes


def _shown_once(fig):
    """In Jupyter's inline backend, a figure is drawn once, for the picture the cell shows.

    After every cell, pyplot's own hook (``_draw_all_if_interactive``) first renders each new figure into an
    off-screen buffer that nothing shows, and then the inline backend renders it again for the PNG: a third of the
    time every plot of the course takes (measured on notebook 01's figures: three draws each, one of them this
    one). Only figures made here, and only with the inline backend, where ``draw_idle`` has nothing to refresh."""
    if "inline" in str(matplotlib.get_backend()):
        fig.canvas.draw_idle = _no_idle_draw
    return fig


def _no_idle_draw(*args, **kwargs) -> None:
    return None


def _axes(ax):
    if ax is None:
        fig, ax = plt.subplots()
        _shown_once(fig)
    elif not isinstance(ax, plt.Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def _label(ax, title, xlabel, ylabel):
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _points(X, name="X") -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 2:
        raise ValueError(f"{name} must have shape (2, m) (one point per column), got {X.shape}")
    return X


def _labels(y, m: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == 1:
        y = y[0]
    if y.shape != (m,):
        raise ValueError(f"y must have shape ({m},) (one label per column of X), got {y.shape}")
    return y


def _as_1d(v, name: str) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 2 and v.shape[0] == 1:
        v = v[0]
    if v.ndim != 1:
        raise ValueError(f"{name} must have shape (1, m) or (m,), got {v.shape}")
    return v


# ----------------------------------------------------------------------------- activations
def activations(funcs, z=None, ax=None, *, title="Activation functions", xlabel="$z$",
                ylabel="$g(z)$"):
    """Plot activation functions side by side.

    Parameters
    ----------
    funcs : dict name -> callable; each maps an array of shape (k,) to an array of shape (k,).
    z : array, shape (k,) — where to evaluate them (default ``np.linspace(-5, 5, 401)``).
    ax : matplotlib Axes or None.

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(funcs, dict) or not funcs:
        raise TypeError(f"funcs must be a non-empty dict name -> function, got {type(funcs).__name__}")
    z = np.linspace(-5.0, 5.0, 401) if z is None else np.asarray(z, dtype=np.float64).ravel()
    ax = _axes(ax)
    for name, fn in funcs.items():
        if not callable(fn):
            raise TypeError(f"funcs[{name!r}] must be callable, got {type(fn).__name__}")
        values = np.asarray(fn(z), dtype=np.float64)
        if values.shape != z.shape:
            raise ValueError(f"funcs[{name!r}] must return an array of shape {z.shape} for z of that shape, got {values.shape}")
        ax.plot(z, values, label=str(name))
    ax.axhline(0.0, color="0.7", linewidth=0.8, zorder=0)
    ax.axvline(0.0, color="0.7", linewidth=0.8, zorder=0)
    ax.legend()
    ax.grid(True, alpha=0.3)
    return _label(ax, title, xlabel, ylabel)


# ----------------------------------------------------------------------------- decision boundary
def decision_boundary(predict, X, y, ax=None, resolution: int = 200, padding: float = 0.5, *,
                      title="Decision regions", xlabel="$x_1$", ylabel="$x_2$", levels=None, class_names=None):
    """Colour the plane by a classifier's prediction and scatter the data on top.

    Parameters
    ----------
    predict : callable mapping points of shape (2, k) to predictions of shape (k,) — class
        labels 0..C-1 (regions get the class colours, boundaries between labels are drawn as
        black lines) or real-valued scores (filled contours with a colour bar; pass ``levels``
        to choose the contour levels, and the score-0 line is drawn in black).
    X : array, shape (2, m) — the data points (columns).
    y : array, shape (m,) — their integer class labels (colours of the dots).
    ax : matplotlib Axes or None.
    resolution : int — grid points per axis.
    padding : float — margin around the data, in data units.
    levels : None, int or sequence — contour levels for score predictions.
    class_names : None or dict label -> str — the legend's name for the dots of each label (default
        "class k"); e.g. ``{0: "f < 0", 1: "f > 0"}`` when the colours are not true classes.

    Returns
    -------
    matplotlib Axes
    """
    X = _points(X)
    y = _labels(y, X.shape[1])
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    ax = _axes(ax)
    lo = X.min(axis=1) - padding
    hi = X.max(axis=1) + padding
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.stack([g1.ravel(), g2.ravel()])  # (2, resolution**2)
    pred = np.asarray(predict(grid))
    if pred.size != grid.shape[1]:
        raise ValueError(f"predict must map points of shape (2, k) to shape (k,); for k={grid.shape[1]} it returned shape {pred.shape}")
    pred = pred.reshape(g1.shape).astype(np.float64)
    classes = np.unique(np.concatenate([np.unique(y).astype(np.float64), np.unique(pred)])) if pred.size else np.array([])
    is_labels = (
        levels is None
        and np.all(np.isfinite(pred))
        and np.allclose(pred, np.round(pred))
        and pred.min() >= 0
        and classes.size <= len(_CLASS_COLOURS)
    )
    if is_labels:
        n = int(max(pred.max(), np.max(y) if y.size else 0)) + 1
        colours = [_CLASS_COLOURS[k % len(_CLASS_COLOURS)] for k in range(n)]
        cmap = ListedColormap(colours)
        norm = BoundaryNorm(np.arange(n + 1) - 0.5, n)
        ax.contourf(g1, g2, pred, levels=np.arange(n + 1) - 0.5, cmap=cmap, norm=norm, alpha=0.25)
        if np.unique(pred).size > 1:
            ax.contour(g1, g2, pred, levels=np.arange(n - 1) + 0.5, colors="k", linewidths=1.2)
    else:
        filled = ax.contourf(g1, g2, pred, levels=20 if levels is None else levels, cmap="RdBu_r", alpha=0.5)
        ax.figure.colorbar(filled, ax=ax, label="prediction")
        if pred.min() < 0 < pred.max():
            ax.contour(g1, g2, pred, levels=[0.0], colors="k", linewidths=1.2)
    for k in np.unique(y):
        mask = y == k
        colour = _CLASS_COLOURS[int(k) % len(_CLASS_COLOURS)] if float(k).is_integer() and k >= 0 else None
        name = f"class {int(k) if float(k).is_integer() else k}"
        if class_names is not None:
            name = str(class_names.get(int(k) if float(k).is_integer() else k, name))
        ax.scatter(X[0, mask], X[1, mask], s=25, color=colour, edgecolors="k", linewidths=0.5, label=name)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.legend(loc="best", fontsize="small")
    return _label(ax, title, xlabel, ylabel)


# ----------------------------------------------------------------------------- training curves
def loss_curves(train, val=None, ax=None, *, xlabel="epoch", ylabel="loss", title="Loss during training",
                logy: bool = False, train_label="training", val_label="validation"):
    """Plot training (and validation) loss against the epoch.

    Parameters
    ----------
    train : sequence of numbers, length n_epochs — one value per epoch (x-axis 1..n_epochs).
    val : sequence of numbers or None — same meaning, may have a different length.
    ax : matplotlib Axes or None.
    logy : bool — logarithmic y-axis.

    Returns
    -------
    matplotlib Axes
    """
    train = _as_1d(train, "train")
    ax = _axes(ax)
    ax.plot(np.arange(1, train.size + 1), train, marker="." if train.size <= 50 else None, label=train_label)
    if val is not None:
        val = _as_1d(val, "val")
        ax.plot(np.arange(1, val.size + 1), val, marker="." if val.size <= 50 else None, label=val_label)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.legend()
    ax.grid(True, alpha=0.3)
    return _label(ax, title, xlabel, ylabel)


# Paths over a viridis surface: white, orange, sky blue, pink, yellow, vermillion, each with its own line style,
# so that neighbouring paths differ in hue and in dash (the orange and vermillion of Okabe-Ito look alike on it).
_PATH_COLOURS = ["#ffffff", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#D55E00"]
_PATH_STYLES = ["-", "--", "-.", ":", "-", "--"]


def loss_surface(loss_fn, xlim, ylim, paths=None, ax=None, resolution: int = 100, levels=30,
                 logscale: bool = False, *, title="Loss surface", xlabel="$\\theta_0$",
                 ylabel="$\\theta_1$"):
    """Contour plot of a loss of two parameters, with optional optimiser paths.

    Parameters
    ----------
    loss_fn : callable — called once per grid point as ``loss_fn(np.array([theta0, theta1]))``
        (a parameter vector of shape (2,)), returning a number. (resolution**2 calls: simple
        rather than fast; 100x100 takes well under a second for a numpy loss.)
    xlim, ylim : (low, high) — the ranges of theta0 (x-axis) and theta1 (y-axis).
    paths : None or dict name -> array of shape (k, 2) — parameter iterates (row i is
        (theta0, theta1) after i steps), drawn as lines with markers; start marked by a circle.
    ax : matplotlib Axes or None.
    resolution : int — grid points per axis.
    levels : int or sequence — contour levels.
    logscale : bool — contour log10 of the loss (loss must be > 0), for losses with a wide range.

    Returns
    -------
    matplotlib Axes
    """
    (x0, x1), (y0, y1) = xlim, ylim
    ax = _axes(ax)
    t0 = np.linspace(x0, x1, resolution)
    t1 = np.linspace(y0, y1, resolution)
    T0, T1 = np.meshgrid(t0, t1)
    L = np.empty_like(T0)
    for i in range(resolution):
        for j in range(resolution):
            L[i, j] = float(np.asarray(loss_fn(np.array([T0[i, j], T1[i, j]]))).reshape(()))
    if logscale:
        if np.any(L <= 0):
            raise ValueError("logscale=True needs a loss > 0 everywhere on the grid")
        L = np.log10(L)
    filled = ax.contourf(T0, T1, L, levels=levels, cmap="viridis")
    ax.contour(T0, T1, L, levels=filled.levels, colors="k", linewidths=0.3, alpha=0.5)
    ax.figure.colorbar(filled, ax=ax, label="log10 loss" if logscale else "loss")
    if paths:
        for k, (name, path) in enumerate(paths.items()):
            path = np.asarray(path, dtype=np.float64)
            if path.ndim != 2 or path.shape[1] != 2:
                raise ValueError(f"paths[{name!r}] must have shape (k, 2) (one row per iterate), got {path.shape}")
            colour = _PATH_COLOURS[k % len(_PATH_COLOURS)]
            ax.plot(path[:, 0], path[:, 1], marker=".", markersize=4, color=colour, label=str(name),
                    linestyle=_PATH_STYLES[k % len(_PATH_STYLES)])
            ax.plot(path[0, 0], path[0, 1], marker="o", color=colour, markeredgecolor="k")
        ax.legend(loc="best", fontsize="small")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return _label(ax, title, xlabel, ylabel)


# ----------------------------------------------------------------------------- 1-D regression
def fit_1d(x, y, predict=None, ax=None, *, title="Data and model", xlabel="$x$", ylabel="$y$",
           n_grid: int = 400, label="model"):
    """Scatter 1-D data and, optionally, a model's curve over the data's range.

    Parameters
    ----------
    x : array, shape (1, m) or (m,) — inputs.
    y : array, shape (1, m) or (m,) — targets.
    predict : None or callable mapping x_grid of shape (1, n_grid) to shape (1, n_grid) or (n_grid,).
    ax : matplotlib Axes or None.
    n_grid : int — points of the curve.

    Returns
    -------
    matplotlib Axes
    """
    x = _as_1d(x, "x")
    y = _as_1d(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must hold the same number of samples, got {x.size} and {y.size}")
    ax = _axes(ax)
    ax.scatter(x, y, s=15, color=_CLASS_COLOURS[0], label="data")
    if predict is not None:
        span = x.max() - x.min() if x.size else 1.0
        grid = np.linspace(x.min() - 0.05 * span, x.max() + 0.05 * span, n_grid)[None, :]
        curve = np.asarray(predict(grid), dtype=np.float64)
        if curve.size != n_grid:
            raise ValueError(f"predict must map shape (1, {n_grid}) to (1, {n_grid}) or ({n_grid},), got {curve.shape}")
        ax.plot(grid[0], curve.ravel(), color=_CLASS_COLOURS[5], linewidth=2, label=label)
    ax.legend()
    return _label(ax, title, xlabel, ylabel)


# ----------------------------------------------------------------------------- digits
def digit_grid(X, labels, predictions=None, n: int = 25, ax=None, *, title="Digits"):
    """Show the first ``n`` digit images tiled into one picture, each with its label.

    Parameters
    ----------
    X : array, shape (64, m) — column j is an 8x8 image, row-major, values in [0, 1] (or 0..16).
    labels : int array, shape (m,) — true labels, written above each tile.
    predictions : None or int array, shape (m,) — predicted labels, written after the true one
        ("3→5"), in red where wrong.
    n : int — number of images shown (at most m), laid out on a near-square grid.
    ax : matplotlib Axes or None — the whole grid is one image on this single Axes.

    Returns
    -------
    matplotlib Axes
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] != 64:
        raise ValueError(f"X must have shape (64, m) (one 8x8 image per column), got {X.shape}")
    m = X.shape[1]
    labels = _labels(labels, m)
    if predictions is not None:
        predictions = _labels(predictions, m)
    n = min(int(n), m)
    if n < 1:
        raise ValueError(f"need at least one image, got n={n} and m={m}")
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    cell, gap, text_h = 8, 1, 3  # pixels of an image, of the gap, of the text band above it
    H, W = rows * (cell + gap + text_h), cols * (cell + gap)
    canvas = np.full((H, W), np.nan)
    ax = _axes(ax)
    for k in range(n):
        r, c = divmod(k, cols)
        top, left = r * (cell + gap + text_h) + text_h, c * (cell + gap)
        canvas[top:top + cell, left:left + cell] = X[:, k].reshape(8, 8)
    cmap = matplotlib.colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(canvas, cmap=cmap, vmin=0.0, vmax=max(1.0, float(np.nanmax(canvas))), interpolation="nearest")
    for k in range(n):
        r, c = divmod(k, cols)
        x_mid = c * (cell + gap) + cell / 2 - 0.5
        y_txt = r * (cell + gap + text_h) + text_h - 1.5
        text, colour = f"{labels[k]}", "k"
        if predictions is not None:
            text = f"{labels[k]}→{predictions[k]}"
            colour = "k" if predictions[k] == labels[k] else "red"
        ax.text(x_mid, y_txt, text, ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks([])
    ax.set_yticks([])
    xlabel = "label" if predictions is None else "label→prediction (red: wrong)"
    return _label(ax, title, xlabel, f"images 1..{n}")
