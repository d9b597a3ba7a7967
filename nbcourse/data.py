"""Small data sets for the course notebooks, all generated or loaded offline.

Conventions (see DESIGN.md): samples are **columns**. A feature matrix ``X`` has shape
``(n_features, m)``; class labels are a 1-D integer array of shape ``(m,)``; regression
targets have shape ``(1, m)``. Every generator takes a ``numpy.random.Generator`` as ``rng``
and never touches numpy's global random state, so the same seed gives the same arrays.

The digits set
--------------
``datasets/digits.csv.gz`` is the test set of the UCI "Optical Recognition of Handwritten
Digits" data (E. Alpaydin, C. Kaynak, 1998; https://doi.org/10.24432/C50P49), 1,797 images of
8x8 pixels with integer intensities 0..16, as copied from the file that scikit-learn ships in
its wheel (``sklearn/datasets/data/digits.csv.gz``). Licence: Creative Commons Attribution 4.0
International (CC BY 4.0). Each line holds 64 pixel values (row-major) followed by the label.
"""
from __future__ import annotations

import gzip
import importlib.resources
import numbers

import numpy as np

__all__ = [
    "truth_table",
    "blobs",
    "moons",
    "circles",
    "spirals",
    "regression_1d",
    "load_digits",
    "train_test_split",
    "digits_split",
]

_TRUTH_TABLES = {
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "XOR": lambda a, b: a ^ b,
}


# ----------------------------------------------------------------------------- validation
def _check_rng(rng, when: str = "") -> np.random.Generator:
    """``rng`` itself, or a TypeError saying a numpy Generator was expected (``when``: the condition, if any)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(0){when}; "
            f"got {type(rng).__name__}"
        )
    return rng


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_nonneg(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return float(value)


def _split_counts(m: int, k: int) -> list[int]:
    """Sizes of k groups that add up to m and differ by at most one."""
    return [m // k + (1 if i < m % k else 0) for i in range(k)]


def _shuffle(X: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    order = rng.permutation(X.shape[1])
    return X[:, order], y[order]


# ----------------------------------------------------------------------------- logic tables
def truth_table(name: str):
    """The truth table of a logic gate, as a tiny data set.

    Parameters
    ----------
    name : str
        One of "AND", "OR", "XOR" (two inputs) or "NOT" (one input); case-insensitive.

    Returns
    -------
    X : float64 array, shape (2, 4) — columns (0,0), (0,1), (1,0), (1,1) in that order;
        row 0 is x1, row 1 is x2. For "NOT": shape (1, 2), columns 0 and 1.
    y : float64 array, shape (4,) — the gate's output for each column (shape (2,) for "NOT").
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, one of 'AND', 'NOT', 'OR', 'XOR'; got {type(name).__name__}")
    key = name.strip().upper()
    if key == "NOT":
        return np.array([[0.0, 1.0]]), np.array([1.0, 0.0])
    if key not in _TRUTH_TABLES:
        raise ValueError(f"unknown truth table {name!r}; expected one of 'AND', 'NOT', 'OR', 'XOR'")
    a = np.array([0, 0, 1, 1])
    b = np.array([0, 1, 0, 1])
    X = np.stack([a, b]).astype(np.float64)
    y = _TRUTH_TABLES[key](a, b).astype(np.float64)
    return X, y


# ----------------------------------------------------------------------------- 2-D classification
def blobs(m: int, rng: np.random.Generator, *, n_classes: int = 2, spread: float = 0.5,
          distance: float = 4.0):
    """Gaussian blobs in the plane, one per class.

    The class centres sit on a circle of diameter ``distance`` (for two classes: at
    ``(-distance/2, -distance/2)/sqrt(2)`` and its mirror, so the centres are ``distance`` apart),
    and each point is its centre plus ``spread * N(0, I)`` noise. With the defaults and two
    classes each centre is 4 standard deviations from the perpendicular bisector, so a point
    falls on the wrong side with probability ~3e-5: a few hundred points are linearly
    separable with probability > 0.99. It is *not* guaranteed; a larger ``spread`` (e.g. 1.0)
    makes overlaps likely, which notebooks may want.

    Parameters
    ----------
    m : int — number of samples (split as evenly as possible between classes).
    rng : numpy.random.Generator
    n_classes : int >= 2
    spread : float >= 0 — standard deviation of each blob.
    distance : float >= 0 — distance between neighbouring centres for 2 classes (diameter of
        the circle of centres in general).

    Returns
    -------
    X : float64 array, shape (2, m); y : int64 array, shape (m,), values 0..n_classes-1.
    Samples come in random order.
    """
    m = _check_int(m, "m", 1)
    _check_rng(rng)
    n_classes = _check_int(n_classes, "n_classes", 2)
    spread = _check_nonneg(spread, "spread")
    distance = _check_nonneg(distance, "distance")
    angles = np.pi / 4 + np.pi + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = distance / 2 * np.stack([np.cos(angles), np.sin(angles)])  # (2, n_classes)
    y = np.repeat(np.arange(n_classes), _split_counts(m, n_classes))
    X = centres[:, y] + spread * rng.standard_normal((2, m))
    return _shuffle(X, y.astype(np.int64), rng)


def moons(m: int, rng: np.random.Generator, *, noise: float = 0.1):
    """Two interleaving half circles (not linearly separable).

    Class 0 is the upper half circle of radius 1 centred at (0, 0); class 1 the lower half
    circle centred at (1, 0.5). Gaussian noise of standard deviation ``noise`` is added.

    Returns
    -------
    X : float64 array, shape (2, m); y : int64 array, shape (m,), values 0 or 1, random order.
    """
    m = _check_int(m, "m", 1)
    _check_rng(rng)
    noise = _check_nonneg(noise, "noise")
    n0, n1 = _split_counts(m, 2)
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)])
    lower = np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower], axis=1) + noise * rng.standard_normal((2, m))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return _shuffle(X, y, rng)


def circles(m: int, rng: np.random.Generator, *, noise: float = 0.05, factor: float = 0.5):
    """A small circle (class 1) inside a large one (class 0), both centred at the origin.

    The outer circle has radius 1, the inner one radius ``factor`` (0 < factor < 1).

    Returns
    -------
    X : float64 array, shape (2, m); y : int64 array, shape (m,), values 0 (outer) or 1 (inner).
    """
    m = _check_int(m, "m", 1)
    _check_rng(rng)
    noise = _check_nonneg(noise, "noise")
    factor = _check_nonneg(factor, "factor")
    if not 0 < factor < 1:
        raise ValueError(f"factor must be strictly between 0 and 1, got {factor}")
    n0, n1 = _split_counts(m, 2)
    t = rng.uniform(0.0, 2 * np.pi, m)
    radius = np.concatenate([np.ones(n0), np.full(n1, factor)])
    X = radius * np.stack([np.cos(t), np.sin(t)]) + noise * rng.standard_normal((2, m))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    return _shuffle(X, y, rng)


def spirals(m: int, rng: np.random.Generator, *, n_classes: int = 2, noise: float = 0.2,
            turns: float = 1.0):
    """Interleaved spiral arms, one per class (the classic "hard for a linear model" set).

    Arm ``k`` runs from the origin outwards to radius 1 while its angle grows by
    ``2*pi*turns``, rotated by ``2*pi*k/n_classes``. Angle noise of standard deviation
    ``noise`` (radians) is added, scaled so points near the centre stay near the centre.

    Returns
    -------
    X : float64 array, shape (2, m); y : int64 array, shape (m,), values 0..n_classes-1.
    """
    m = _check_int(m, "m", 1)
    _check_rng(rng)
    n_classes = _check_int(n_classes, "n_classes", 2)
    noise = _check_nonneg(noise, "noise")
    turns = _check_nonneg(turns, "turns")
    y = np.repeat(np.arange(n_classes), _split_counts(m, n_classes)).astype(np.int64)
    r = rng.uniform(0.05, 1.0, m)
    theta = 2 * np.pi * (turns * r + y / n_classes) + noise * rng.standard_normal(m)
    X = r * np.stack([np.cos(theta), np.sin(theta)])
    return _shuffle(X, y, rng)


# ----------------------------------------------------------------------------- 1-D regression
_REGRESSION_KINDS = {
    "sin": lambda x: np.sin(np.pi * x),
    "step": lambda x: np.where(x > 0, 1.0, 0.0),
    "linear": lambda x: 0.5 + 1.5 * x,
    "abs": lambda x: np.abs(x),
}


def regression_1d(m: int, rng: np.random.Generator, *, noise: float = 0.1, kind: str = "sin"):
    """A noisy 1-D regression set: ``y = f(x) + noise * N(0, 1)``.

    ``x`` is drawn uniformly from [-1, 1] and sorted (handy for line plots). Targets:
    "sin": ``sin(pi x)``; "step": 0 for x <= 0, 1 for x > 0; "linear": ``0.5 + 1.5 x``;
    "abs": ``|x|``.

    Returns
    -------
    x : float64 array, shape (1, m), sorted ascending, in [-1, 1].
    y : float64 array, shape (1, m).
    """
    m = _check_int(m, "m", 1)
    _check_rng(rng)
    noise = _check_nonneg(noise, "noise")
    if kind not in _REGRESSION_KINDS:
        raise ValueError(f"kind must be one of {sorted(_REGRESSION_KINDS)}, got {kind!r}")
    x = np.sort(rng.uniform(-1.0, 1.0, m))[None, :]
    y = _REGRESSION_KINDS[kind](x) + noise * rng.standard_normal((1, m))
    return x, y


# ----------------------------------------------------------------------------- digits
_DIGITS_CACHE: tuple[np.ndarray, np.ndarray] | None = None


def load_digits():
    """The 1,797 handwritten digits (8x8 pixels) shipped with the package (see module docstring).

    Returns
    -------
    X : float64 array, shape (64, 1797) — column j is image j, pixels row-major, scaled to
        [0, 1] (raw intensity / 16). ``X[:, j].reshape(8, 8)`` is the picture.
    labels : int64 array, shape (1797,), values 0..9.

    The file is parsed once per process; every call returns fresh copies.
    """
    global _DIGITS_CACHE
    if _DIGITS_CACHE is None:
        resource = importlib.resources.files("nbcourse").joinpath("datasets/digits.csv.gz")
        with resource.open("rb") as raw, gzip.open(raw, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.int64, ndmin=2)
        if table.shape[1] != 65:
            raise ValueError(f"digits file: expected 65 columns per line, got {table.shape[1]}")
        _DIGITS_CACHE = (np.ascontiguousarray(table[:, :64].T / 16.0), table[:, 64].copy())
    X, labels = _DIGITS_CACHE
    return X.copy(), labels.copy()


# ----------------------------------------------------------------------------- splitting
def _check_fraction(test_fraction) -> float:
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real):
        raise TypeError(f"test_fraction must be a float in (0, 1), got {type(test_fraction).__name__}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be strictly between 0 and 1, got {test_fraction}")
    return float(test_fraction)


def train_test_split(X, y, test_fraction: float, rng: np.random.Generator):
    """Split samples (columns) at random into a training and a test part.

    Parameters
    ----------
    X : array, shape (n_features, m)
    y : array, shape (m,) or (k, m) — split along its last axis, like X's columns.
    test_fraction : float in (0, 1) — the test part has ``round(test_fraction * m)`` samples,
        at least 1 and at most m - 1.
    rng : numpy.random.Generator

    Returns
    -------
    X_train (n_features, m_train), y_train (m_train,) or (k, m_train),
    X_test (n_features, m_test), y_test (m_test,) or (k, m_test); m_train + m_test = m.
    """
    _check_rng(rng)
    test_fraction = _check_fraction(test_fraction)
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (n_features, m), got an array of shape {X.shape}")
    if y.ndim not in (1, 2):
        raise ValueError(f"y must have shape (m,) or (k, m), got an array of shape {y.shape}")
    m = X.shape[1]
    if y.shape[-1] != m:
        raise ValueError(f"X has {m} samples (columns) but y has {y.shape[-1]} (shape {y.shape})")
    if m < 2:
        raise ValueError(f"need at least 2 samples to split, got {m}")
    m_test = min(max(int(round(test_fraction * m)), 1), m - 1)
    order = rng.permutation(m)
    test, train = np.sort(order[:m_test]), np.sort(order[m_test:])
    return X[:, train], y[..., train], X[:, test], y[..., test]


def digits_split(rng: np.random.Generator, test_fraction: float = 0.2):
    """The digits set split into training and test parts, stratified by class.

    Each class contributes ``round(test_fraction * count)`` images to the test part, so both
    parts have (nearly) the class proportions of the whole set. Samples within each part are
    shuffled.

    Returns
    -------
    X_train : float64 (64, m_train), y_train : int64 (m_train,),
    X_test : float64 (64, m_test), y_test : int64 (m_test,); m_train + m_test = 1797.
    """
    _check_rng(rng)
    test_fraction = _check_fraction(test_fraction)
    X, labels = load_digits()
    train_idx, test_idx = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_test = min(max(int(round(test_fraction * idx.size)), 1), idx.size - 1)
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train = rng.permutation(np.concatenate(train_idx))
    test = rng.permutation(np.concatenate(test_idx))
    return X[:, train], labels[train], X[:, test], labels[test]
