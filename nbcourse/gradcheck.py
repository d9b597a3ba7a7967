"""Gradient checking by centred finite differences, in float64.

Three entry points, each returning a :class:`GradcheckReport` (truthy when the check passed;
it prints a readable summary in a notebook) and never printing anything themselves:

- :func:`check_scalar` — ``f(x) -> float`` against an analytic gradient of ``x``;
- :func:`check_array`  — ``f(x) -> Y`` against ``dL/dx`` for ``L = sum(Y * upstream)``
  (how a layer's backward pass is checked: ``upstream`` plays the role of ``dY``);
- :func:`check_params` — ``f() -> float`` that reads parameter arrays by reference (a
  network's loss) against the gradients of every parameter.

How an entry is checked
-----------------------
For entry ``i`` of an array, with ``h = eps``::

    numeric = (f(x + h e_i) - f(x - h e_i)) / (2 h)
    rel_error = |analytic - numeric| / max(|analytic|, |numeric|, atol / tol)

the relative error of the CS231n notes, with a floor on the denominator: ``atol = 128 *
machine_eps * max|f| / (2 h)`` is the round-off floor of the centred difference itself, below
which two values cannot be told apart. The floor makes an entry whose difference is within
``atol`` pass (it matters only where both values are ~0, where the plain ratio is meaningless);
an exact match counts as 0 error.

Kinks. At each entry the one-sided slopes ``left = (f(x) - f(x - h)) / h`` and
``right = (f(x + h) - f(x)) / h`` are compared too. If they disagree by far more than a smooth
function can (see :data:`KINK_RTOL`), ``x`` sits on a kink (ReLU at 0, the hinge at margin 1),
where the centred difference is an average of two slopes and says nothing about the analytic
subgradient: such entries are left out of pass/fail, listed in ``report.kinks``, and a
``UserWarning`` names them.
"""
from __future__ import annotations

import html
import numbers
import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "GradcheckReport",
    "numerical_gradient",
    "numerical_backward",
    "check_scalar",
    "check_array",
    "check_params",
    "DEFAULT_TOL",
    "DEFAULT_EPS",
    "KINK_RTOL",
]

# Centred differences in float64 with eps = 1e-6 have truncation error ~ f''' eps^2 / 6 ~ 1e-12
# and round-off error ~ machine_eps * |f| / eps ~ 1e-10 relative, so on smooth functions a correct
# gradient shows relative errors of ~1e-10..1e-7. A wrong gradient (a missing factor, a transposed
# matrix, a sign) is off by 1e-2 or more. 1e-5 sits between the two with two orders of margin on
# either side.
DEFAULT_TOL = 1e-5
DEFAULT_EPS = 1e-6

# For a smooth f, right - left = eps * f''(x) + O(eps^3). With eps = 1e-6 the threshold
# |right - left| > KINK_RTOL * max(1, |left|, |right|) = 1e-3 * max(1, ...) is only crossed when
# |f''| > 1e3 * max(1, |f'|) — a curvature a million times larger than the step can resolve,
# which none of the course's functions reach — while a true kink makes the two slopes differ by
# the jump in slope itself, O(1) for ReLU and the hinge. (Limitation: a kink whose jump in slope
# is below 1e-3 is not recognised, and is then compared like any other entry.)
KINK_RTOL = 1e-3

# Round-off floor of a difference of two evaluations of f, in units of machine_eps * max|f|.
# Evaluating f (sums over many terms) loses a few dozen ulps at most; 128 leaves margin.
_ROUNDOFF_ULPS = 128.0
_MACHINE_EPS = float(np.finfo(np.float64).eps)


# ----------------------------------------------------------------------------- the report
@dataclass
class GradcheckReport:
    """The result of a gradient check; ``bool(report)`` is ``report.passed``.

    Attributes
    ----------
    passed : bool — every compared entry has ``rel_error <= tol``.
    tol : float — the tolerance on the relative error.
    max_rel_error : float — the largest relative error over compared entries (0 if none).
    worst_name : str — the parameter holding that entry ("x" for check_scalar/check_array).
    worst_index : tuple — its index in that array (``()`` for a 0-d array).
    analytic, numeric : float — the two gradient values at that entry.
    n_checked : int — entries evaluated, including those skipped as kinks.
    kinks : list of (name, index) — entries left out because they sit on a kink.
    eps : float — the finite-difference step.
    n_failed : int — compared entries with ``rel_error > tol``.
    failures : list of (name, index, analytic, numeric, rel_error) — the worst failing entries,
        largest error first (at most 10).
    names : list of str — the arrays checked, in order.
    ratio : float or None — when every compared entry's analytic value is the same multiple of its numeric one
        (within 1e-4, over entries whose numeric value is above 1e-3), that multiple (1.0 for a right gradient; m for a missing 1/m, -1 for a sign); else None.
    """

    passed: bool
    tol: float
    max_rel_error: float
    worst_name: str
    worst_index: tuple
    analytic: float
    numeric: float
    n_checked: int
    kinks: list = field(default_factory=list)
    eps: float = DEFAULT_EPS
    n_failed: int = 0
    failures: list = field(default_factory=list)
    names: list = field(default_factory=list)
    ratio: float | None = None

    def __bool__(self) -> bool:
        return bool(self.passed)

    def factor_hint(self, m: int | None = None) -> str:
        """A sentence when a failed check's analytic gradient is the numeric one times one constant factor (a missing
        or extra 1/m, a 2, a sign): "" otherwise. ``m`` is the batch size, to name that factor."""
        r = self.ratio
        if self.passed or r is None or abs(r - 1.0) < 1e-4 or abs(r) < 1e-4:  # right, or all zeros: no factor to name
            return ""
        if m and abs(r - m) <= 1e-4 * m:
            return (f"Every entry is exactly {m} times the numeric one, and m = {m}: the 1/m of the mean loss is missing "
                    "(the gradient arriving from the loss carries it).")
        if m and abs(r * m - 1.0) <= 1e-4:
            return (f"Every entry is exactly 1/{m} of the numeric one, and m = {m}: a division by m too many (it arrives "
                    "inside the gradient from the loss; do not divide again).")
        return f"Every entry is exactly {r:.6g} times the numeric one: one constant factor is off (a 2, a sign, a 1/m)."

    @property
    def worst_entry(self) -> str:
        """The worst entry written like code, e.g. ``"W[1, 0]"``."""
        return _entry_label(self.worst_name, self.worst_index)

    def _lines(self) -> list[str]:
        verdict = "PASSED" if self.passed else "FAILED"
        n_compared = self.n_checked - len(self.kinks)
        if n_compared == 0:
            head = f"gradient check {verdict}: no entry could be compared (tolerance {self.tol:.0e})"
        else:
            head = (
                f"gradient check {verdict}: max relative error {self.max_rel_error:.1e} at "
                f"{self.worst_entry}: analytic {self.analytic:.6g}, numeric {self.numeric:.6g} "
                f"(tolerance {self.tol:.0e})"
            )
        lines = [head]
        names = ", ".join(self.names) if self.names else "x"
        lines.append(f"  checked {_entries(self.n_checked)} of {names} (centred differences, eps={self.eps:g})")
        if self.n_failed:
            lines.append(f"  {_entries(self.n_failed)} above tolerance; worst:")
            for name, index, a, n, err in self.failures[:5]:
                lines.append(f"    {_entry_label(name, index)}: analytic {a:.6g}, numeric {n:.6g}, rel. error {err:.1e}")
        if self.kinks:
            shown = ", ".join(_entry_label(n, i) for n, i in self.kinks[:10])
            more = f" and {len(self.kinks) - 10} more" if len(self.kinks) > 10 else ""
            lines.append(f"  skipped {_entries(len(self.kinks))} on a kink (one-sided slopes differ): {shown}{more}")
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        lines = self._lines()
        head = html.escape(lines[0])
        rest = "".join(f"<li>{html.escape(line.strip())}</li>" for line in lines[1:])
        return (
            f'<div style="border-left: 4px solid {colour}; padding-left: 8px">'
            f'<b style="color: {colour}">{head}</b><ul style="margin: 4px 0">{rest}</ul></div>'
        )


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _entry_label(name: str, index: tuple) -> str:
    if not index:
        return name
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


# ----------------------------------------------------------------------------- validation
def _check_rng(rng) -> np.random.Generator:
    from nbcourse.data import _check_rng as check

    return check(rng, " when sample is given")


def _check_positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {type(value).__name__}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return float(value)


def _check_sample(sample, rng):
    if sample is None:
        return None
    if isinstance(sample, bool) or not isinstance(sample, numbers.Integral):
        raise TypeError(f"sample must be an int (entries per array) or None, got {type(sample).__name__}")
    if sample < 1:
        raise ValueError(f"sample must be >= 1, got {sample}")
    _check_rng(rng)
    return int(sample)


def _as_scalar(value, what: str) -> float:
    if isinstance(value, tuple):
        raise TypeError(
            f"{what} must return a single number, got a tuple of {len(value)} items; if your "
            "function returns (loss, gradient), check `lambda ...: fn(...)[0]`"
        )
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must return a single real number, got {type(value).__name__} of shape {arr.shape}")
    return float(arr.reshape(()))


def _float64_copy(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")
    return np.array(arr, dtype=np.float64, copy=True)


def _check_grad(grad, shape: tuple, name: str) -> np.ndarray:
    g = np.asarray(grad)
    if g.dtype.kind not in "biuf":
        raise TypeError(f"the gradient of {name} must be an array of real numbers, got dtype {g.dtype}")
    if g.shape != shape:
        raise ValueError(f"the gradient of {name} must have the shape of {name}, {shape}; got {g.shape}")
    return g.astype(np.float64)


# ----------------------------------------------------------------------------- the core
def _probe(evaluate, arr: np.ndarray, index: tuple, h: float):
    """f at arr[index] + h and - h (arr restored afterwards) -> (f_plus, f_minus)."""
    old = arr[index]
    try:
        arr[index] = old + h
        f_plus = evaluate()
        arr[index] = old - h
        f_minus = evaluate()
    finally:
        arr[index] = old
    return f_plus, f_minus


def _indices(shape: tuple, sample, rng) -> list[tuple]:
    size = int(np.prod(shape, dtype=np.int64))
    if sample is None or size <= sample:
        flat = np.arange(size)
    else:
        flat = np.sort(rng.choice(size, size=sample, replace=False))
    return [tuple(int(i) for i in np.unravel_index(k, shape)) for k in flat] if shape else [()] * size


def _run(evaluate, arrays, grads, *, tol, eps, sample, rng, stacklevel=3) -> GradcheckReport:
    """Check analytic ``grads`` against centred differences of ``evaluate()``.

    arrays: list of (name, float64 array perturbed in place); grads: list of float64 arrays of
    the same shapes.
    """
    tol = _check_positive(tol, "tol")
    h = _check_positive(eps, "eps")
    sample = _check_sample(sample, rng)
    f0 = evaluate()
    records = []  # (name, index, analytic, numeric, rel_error)
    kinks = []
    n_checked = 0
    for (name, arr), grad in zip(arrays, grads):
        for index in _indices(arr.shape, sample, rng):
            f_plus, f_minus = _probe(evaluate, arr, index, h)
            n_checked += 1
            scale = max(abs(f_plus), abs(f_minus), abs(f0))
            roundoff = _ROUNDOFF_ULPS * _MACHINE_EPS * scale / h  # of a one-sided slope
            left, right = (f0 - f_minus) / h, (f_plus - f0) / h
            if abs(right - left) > KINK_RTOL * max(1.0, abs(left), abs(right)) + 2 * roundoff:
                kinks.append((name, index))
                continue
            numeric = (f_plus - f_minus) / (2 * h)
            analytic = float(grad[index])
            diff = abs(analytic - numeric)
            if not (np.isfinite(analytic) and np.isfinite(numeric)):
                err = float("inf")
            elif diff == 0.0:
                err = 0.0
            else:  # floor: a difference within round-off (roundoff / 2) never exceeds tol
                err = diff / max(abs(analytic), abs(numeric), roundoff / 2 / tol)
            records.append((name, index, analytic, float(numeric), err))

    if kinks:
        shown = ", ".join(_entry_label(n, i) for n, i in kinks[:10])
        more = f" and {len(kinks) - 10} more" if len(kinks) > 10 else ""
        warnings.warn(
            f"gradient check skipped {len(kinks)} of {n_checked} entries that sit on a kink "
            f"(the one-sided slopes of f differ there, e.g. ReLU at 0 or the hinge at margin 1, so "
            f"a finite difference cannot check them): {shown}{more}",
            UserWarning,
            stacklevel=stacklevel,
        )
    failures = sorted((r for r in records if not r[4] <= tol), key=lambda r: -r[4])
    names = [name for name, _ in arrays]
    # entries large enough that the centred difference is right to ~1e-7 relative (round-off ~1e-10 |f| / |numeric|)
    ratios = [r[2] / r[3] for r in records if abs(r[3]) > 1e-3 and np.isfinite(r[2])]
    ratio = None
    if len(ratios) >= 2 and all(abs(q - ratios[0]) <= 1e-4 * max(1.0, abs(ratios[0])) for q in ratios):
        ratio = float(np.median(ratios))
    if records:
        worst = max(records, key=lambda r: r[4])
        name, index, analytic, numeric, err = worst
    else:
        name, index, analytic, numeric, err = (names[0] if names else "x"), (), float("nan"), float("nan"), 0.0
    return GradcheckReport(
        passed=not failures,
        tol=tol,
        max_rel_error=float(err),
        worst_name=name,
        worst_index=tuple(index),
        analytic=float(analytic),
        numeric=float(numeric),
        n_checked=n_checked,
        kinks=kinks,
        eps=h,
        n_failed=len(failures),
        failures=failures[:10],
        names=names,
        ratio=ratio,
    )


# ----------------------------------------------------------------------------- public API
def numerical_gradient(f, x, eps: float = DEFAULT_EPS, indices=None) -> np.ndarray:
    """The centred-difference gradient of a scalar function of one array.

    Parameters
    ----------
    f : callable, ``f(x) -> float``.
    x : array of any shape. A float64 ndarray is perturbed **in place** (one entry at a time,
        restored exactly afterwards, also when ``f`` raises), so ``f`` may read ``x`` by
        reference instead of through its argument. Any other array-like is copied to float64
        first and the copy is passed to ``f``.
    eps : float — the step ``h`` in ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``.
    indices : None, or an iterable of index tuples (ints are taken as flat indices) — only
        those entries are computed.

    Returns
    -------
    grad : float64 array, shape of ``x``; entries not in ``indices`` are nan.
    """
    h = _check_positive(eps, "eps")
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        arr = x
    else:
        arr = _float64_copy(x, "x")

    def evaluate():
        return _as_scalar(f(arr), "f")

    if indices is None:
        index_list = _indices(arr.shape, None, None)
        grad = np.zeros(arr.shape)
    else:
        index_list = []
        for idx in indices:
            if isinstance(idx, numbers.Integral):
                idx = np.unravel_index(int(idx), arr.shape)
            idx = tuple(int(i) for i in np.atleast_1d(idx)) if arr.ndim else ()
            if len(idx) != arr.ndim:
                raise ValueError(f"index {idx} does not fit an array of shape {arr.shape}")
            index_list.append(idx)
        grad = np.full(arr.shape, np.nan)
    for idx in index_list:
        f_plus, f_minus = _probe(evaluate, arr, idx, h)
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_backward(forward, upstream, *inputs, eps: float = DEFAULT_EPS) -> tuple:
    """The gradients of ``L = sum(forward(*inputs) * upstream)`` with respect to each of ``inputs``, by centred
    differences: the backward pass of any forward function, slow (two calls of ``forward`` per entry) but right to
    ~1e-9. A visible check uses it as a stand-in for a backward pass (``layer_backward`` from ``layer_forward``),
    to tell whether a failure is the function's own or its helper's."""
    arrays = [np.array(x, dtype=np.float64) for x in inputs]
    up = np.asarray(upstream, dtype=np.float64)
    grads = []
    for k in range(len(arrays)):
        def f(x, k=k):
            args = list(arrays)
            args[k] = x
            return float(np.sum(np.asarray(forward(*args), dtype=np.float64) * up))
        grads.append(numerical_gradient(f, arrays[k].copy(), eps))
    return tuple(grads)


def check_scalar(f, x, grad, *, tol: float = DEFAULT_TOL, eps: float = DEFAULT_EPS, sample=None,
                 rng=None) -> GradcheckReport:
    """Check the analytic gradient of a scalar function of one array.

    Parameters
    ----------
    f : callable, ``f(x) -> float`` (a float64 copy of ``x`` is passed and perturbed; the
        caller's array is not modified).
    x : array, any shape — the point where the gradient is checked.
    grad : array, same shape as ``x`` — the analytic gradient ``df/dx`` at ``x``.
    tol : float — maximum relative error (see the module docstring) for a pass.
    eps : float — finite-difference step.
    sample : int or None — check only ``sample`` random entries when ``x`` has more
        ("sparse mode", for big arrays); requires ``rng``.
    rng : numpy.random.Generator — chooses the sampled entries.

    Returns
    -------
    GradcheckReport (``worst_name`` is "x").
    """
    arr = _float64_copy(x, "x")
    g = _check_grad(grad, arr.shape, "x")
    return _run(lambda: _as_scalar(f(arr), "f"), [("x", arr)], [g], tol=tol, eps=eps, sample=sample, rng=rng)


def check_array(f, x, upstream, grad_in, *, tol: float = DEFAULT_TOL, eps: float = DEFAULT_EPS,
                sample=None, rng=None) -> GradcheckReport:
    """Check the backward pass of an array function ``Y = f(x)``.

    The checked scalar is ``L = sum(f(x) * upstream)``, whose gradient is what a backward pass
    returns when it receives ``dY = upstream``.

    Parameters
    ----------
    f : callable, ``f(x) -> Y`` (a float64 copy of ``x`` is passed and perturbed).
    x : array, any shape.
    upstream : array, same shape as ``Y = f(x)`` — the upstream gradient ``dL/dY``.
    grad_in : array, same shape as ``x`` — the analytic ``dL/dx`` (your backward's output).
    tol, eps, sample, rng : as in :func:`check_scalar`.

    Returns
    -------
    GradcheckReport (``worst_name`` is "x").
    """
    arr = _float64_copy(x, "x")
    up = _float64_copy(upstream, "upstream")
    g = _check_grad(grad_in, arr.shape, "x")
    y0 = np.asarray(f(arr))
    if y0.shape != up.shape:
        raise ValueError(f"upstream must have the shape of f(x), {y0.shape}; got {up.shape}")

    def evaluate():
        return float(np.sum(np.asarray(f(arr), dtype=np.float64) * up))

    return _run(evaluate, [("x", arr)], [g], tol=tol, eps=eps, sample=sample, rng=rng)


def _named_arrays(params, what: str) -> list[tuple[str, object]]:
    """dict name -> array | list of (name, array) | list of (W, b) layer pairs | list of arrays."""
    if isinstance(params, dict):
        return [(str(k), v) for k, v in params.items()]
    if not isinstance(params, (list, tuple)):
        raise TypeError(
            f"{what} must be a dict name -> array, a list of (name, array) pairs or a list of "
            f"(W, b) layer pairs; got {type(params).__name__}"
        )
    items = list(params)
    if all(isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) for p in items):
        return [(p[0], p[1]) for p in items]
    if all(isinstance(p, (list, tuple)) and len(p) == 2 for p in items):  # network: [(W1, b1), ...]
        named = []
        for layer, (W, b) in enumerate(items, start=1):
            named += [(f"W{layer}", W), (f"b{layer}", b)]
        return named
    return [(f"param{i}", p) for i, p in enumerate(items)]


def check_params(f, params, grads, *, tol: float = DEFAULT_TOL, eps: float = DEFAULT_EPS, sample=None,
                 rng=None) -> GradcheckReport:
    """Check the gradients of a loss with respect to parameter arrays it reads by reference.

    Each parameter array is perturbed **in place**, one entry at a time, and restored exactly
    afterwards (also when ``f`` raises).

    Parameters
    ----------
    f : callable, ``f() -> float`` — reads the arrays in ``params`` (e.g. a closure over them).
    params : the parameters, float64 ndarrays of any shapes, as a dict name -> array, a list of
        (name, array) pairs, or a network's list of ``(W, b)`` layer pairs (named W1, b1, W2, ...).
    grads : the analytic gradients in the same structure (same names for a dict), each array
        the shape of its parameter.
    tol, eps, sample, rng : as in :func:`check_scalar`; with ``sample=k`` every array with more
        than k entries is checked at k random entries.

    Returns
    -------
    GradcheckReport (``worst_name`` is the parameter's name).
    """
    named = _named_arrays(params, "params")
    named_grads = _named_arrays(grads, "grads")
    if isinstance(params, dict) and isinstance(grads, dict):
        missing = [n for n, _ in named if n not in grads]
        extra = [n for n, _ in named_grads if n not in params]
        if missing or extra:
            raise ValueError(f"grads must have the keys of params, {list(params)}; missing {missing}, unexpected {extra}")
        grad_list = [grads[n] for n, _ in named]
    else:
        if len(named_grads) != len(named):
            raise ValueError(f"grads must hold one array per parameter ({len(named)}), got {len(named_grads)}")
        grad_list = [g for _, g in named_grads]
    arrays, checked_grads = [], []
    for (name, arr), g in zip(named, grad_list):
        if not isinstance(arr, np.ndarray) or arr.dtype != np.float64:
            got = arr.dtype if isinstance(arr, np.ndarray) else type(arr).__name__
            raise TypeError(
                f"parameter {name} must be a float64 numpy array (it is perturbed in place), got {got}; "
                f"convert it once with {name} = {name}.astype(np.float64)"
            )
        if not arr.flags.writeable:
            raise ValueError(f"parameter {name} is read-only; it must be writeable to be perturbed in place")
        arrays.append((name, arr))
        checked_grads.append(_check_grad(g, arr.shape, name))
    return _run(lambda: _as_scalar(f(), "f"), arrays, checked_grads, tol=tol, eps=eps, sample=sample, rng=rng)
