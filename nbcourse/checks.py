"""Visible checks for the notebooks: assertions whose messages say *what* is wrong.

A visible test cell in a notebook reads like::

    nc.checks.expect_close(sigmoid(np.array([0.0])), [0.5], "sigmoid(0)")
    nc.checks.expect_no_warning(sigmoid, np.array([-1000.0, 1000.0]), what="sigmoid of +-1000")

and fails with messages such as ``sigmoid(0): expected shape (1,), got shape (1, 1)`` or
``sigmoid(z): entry [3] differs: got 0.3, expected 0.5 (|difference| 0.2 > tolerance 1e-07)``.

Every helper raises :class:`CheckFailed` (a subclass of ``AssertionError``, so nbgrader and pytest
treat it as a failed test) and returns ``None`` on success. None of them knows an exercise answer:
the expected values are given by the notebook's own check cell.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

__all__ = [
    "CheckFailed",
    "expect_array",
    "expect_close",
    "expect_equal",
    "expect_finite",
    "expect_no_warning",
    "expect_shape",
    "expect_true",
    "advise_no_warning",
    "ok",
]


class CheckFailed(AssertionError):
    """A visible check failed; the message says what was expected and what came."""


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    """IPython handler for :class:`CheckFailed`: the traceback ends at the student's cell, without this
    module's internals (the message says everything; the lines of nbcourse would only distract)."""
    import types
    from pathlib import Path

    here = str(Path(__file__).resolve().parent)
    frames = []
    while tb is not None:
        if not str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(here):
            frames.append(tb)
        tb = tb.tb_next
    trimmed = None
    for old in reversed(frames):
        trimmed = types.TracebackType(trimmed, old.tb_frame, old.tb_lasti, old.tb_lineno)
    stb = shell.InteractiveTB.structured_traceback(etype, value, trimmed, tb_offset=tb_offset)
    shell._showtraceback(etype, value, stb)  # IPython leaves showing it to the handler: an error output, as usual
    return stb


def _install_short_tracebacks() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to do
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((CheckFailed,), _short_traceback)


_install_short_tracebacks()


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None (did the function forget to `return`?)"
    return f"{type(value).__name__} {value!r}"[:200]


def _as_array(value: Any, what: str) -> np.ndarray:
    if value is None:
        raise CheckFailed(f"{what}: expected an array, got None (did the function forget to `return`?)")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise CheckFailed(f"{what}: expected an array, got {_describe(value)} ({exc})") from None
    if arr.dtype == object:
        raise CheckFailed(f"{what}: expected a numeric array, got {_describe(value)} with dtype object")
    return arr


def _num(x: Any) -> str:
    """A number as a student reads it: ``0.5``, not numpy 2's ``np.float64(0.5)``."""
    try:
        return f"{float(x):.6g}"
    except (TypeError, ValueError):
        return str(x)


def _index(flat_index: int, shape: tuple) -> str:
    if not shape:
        return ""
    idx = np.unravel_index(flat_index, shape)
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def expect_shape(value: Any, shape: tuple, what: str = "result") -> None:
    """Fail unless ``np.shape(value) == shape``."""
    arr = _as_array(value, what)
    if arr.shape != tuple(shape):
        hint = ""
        if arr.size == int(np.prod(shape)):
            hint = " (same number of entries: a reshape or a transpose is missing or extra)"
        raise CheckFailed(f"{what}: expected shape {tuple(shape)}, got shape {arr.shape}{hint}")


def expect_finite(value: Any, what: str = "result") -> None:
    """Fail if any entry is NaN or infinite, naming the first bad entry."""
    arr = _as_array(value, what)
    if not np.issubdtype(arr.dtype, np.number) and arr.dtype != bool:
        raise CheckFailed(f"{what}: expected numbers, got dtype {arr.dtype}")
    bad = ~np.isfinite(arr.astype(np.float64, copy=False))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise CheckFailed(
            f"{what}: {int(bad.sum())} of {arr.size} entries are NaN or infinite; "
            f"the first is entry {_index(first, arr.shape) or '(scalar)'} = {_num(arr.reshape(-1)[first])}"
        )


def expect_close(value: Any, expected: Any, what: str = "result", *, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    """Fail unless ``value`` has the expected shape and every entry is within tolerance.

    The message names the shape mismatch, the NaN, or the worst entry and its difference.
    Tolerance per entry: ``atol + rtol * |expected|`` (as ``numpy.isclose``).
    """
    exp = np.asarray(expected, dtype=np.float64)
    arr = _as_array(value, what)
    if arr.shape != exp.shape:
        expect_shape(arr, exp.shape, what)
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise CheckFailed(f"{what}: expected numbers, got dtype {arr.dtype}")
    got = arr.astype(np.float64)
    nan_got = np.isnan(got) & ~np.isnan(exp)
    if nan_got.any():
        first = int(np.flatnonzero(nan_got)[0])
        raise CheckFailed(
            f"{what}: entry {_index(first, got.shape) or '(scalar)'} is NaN, expected {_num(exp.reshape(-1)[first])} "
            f"({int(nan_got.sum())} NaN entries in all; an overflow or 0/0 somewhere?)"
        )
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(got - exp)
        diff = np.where(np.isnan(exp) & np.isnan(got), 0.0, diff)
        diff = np.where(np.isinf(exp) & (got == exp), 0.0, diff)
        tol = atol + rtol * np.abs(np.nan_to_num(exp, posinf=0, neginf=0))
        excess = np.where(np.isnan(diff), np.inf, diff - tol)
    if (excess > 0).any():
        worst = int(np.argmax(excess))
        n_bad = int((excess > 0).sum())
        where = _index(worst, got.shape)
        where = f"entry {where}" if where else "the value"
        raise CheckFailed(
            f"{what}: {where} differs: got {_num(got.reshape(-1)[worst])}, expected {_num(exp.reshape(-1)[worst])} "
            f"(|difference| {diff.reshape(-1)[worst]:.3g} > tolerance {tol.reshape(-1)[worst]:.3g}); "
            f"{n_bad} of {got.size} entries are off"
        )


def expect_equal(value: Any, expected: Any, what: str = "result") -> None:
    """Fail unless ``value`` equals ``expected`` exactly (for labels, counts, 0/1 outputs)."""
    exp = np.asarray(expected)
    arr = _as_array(value, what)
    if arr.shape != exp.shape:
        expect_shape(arr, exp.shape, what)
    neq = arr != exp
    if np.any(neq):
        first = int(np.flatnonzero(neq)[0])
        where = _index(first, arr.shape)
        where = f"entry {where}" if where else "the value"
        raise CheckFailed(
            f"{what}: {where} is {_num(arr.reshape(-1)[first])}, expected {_num(exp.reshape(-1)[first])} "
            f"({int(np.sum(neq))} of {arr.size} entries differ)"
        )


def expect_array(value: Any, what: str = "result", *, shape: tuple | None = None, dtype_kind: str | None = None) -> None:
    """Fail unless ``value`` is a numpy array (not a list or a number), optionally of a shape and dtype kind ('f', 'i', 'b')."""
    if not isinstance(value, np.ndarray):
        raise CheckFailed(f"{what}: expected a numpy array, got {_describe(value)}")
    if shape is not None:
        expect_shape(value, shape, what)
    if dtype_kind is not None and value.dtype.kind not in dtype_kind:
        raise CheckFailed(f"{what}: expected dtype kind {dtype_kind!r}, got dtype {value.dtype}")


def expect_true(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds (for properties such as symmetry)."""
    if not bool(condition):
        raise CheckFailed(message)


def expect_no_warning(fn: Callable, *args: Any, what: str | None = None, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` and fail if numpy warns (overflow, invalid value, divide by zero).

    Returns the function's result, so a check can go on with it. The message names the warning,
    e.g. ``sigmoid for z = [-1000, 1000]: numpy warned 'overflow encountered in exp'``.
    """
    label = what or getattr(fn, "__name__", "the function")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):  # underflow to 0 is harmless
            result = fn(*args, **kwargs)
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if numeric:
        raise CheckFailed(
            f"{label}: numpy warned {str(numeric[0].message)!r}; a numerically stable formula avoids it "
            f"(for large |z|, compute exp only of negative numbers)"
        )
    return result


def advise_no_warning(fn: Callable, *args: Any, what: str | None = None, **kwargs: Any) -> None:
    """Like :func:`expect_no_warning`, but only *prints* a hint (on stdout) instead of failing.

    For checks where a warning is worth knowing about but the result is still right: a naive
    ``1 / (1 + np.exp(-z))`` warns about overflow for z = -1000 yet returns the right 0.0.
    """
    try:
        expect_no_warning(fn, *args, what=what, **kwargs)
    except CheckFailed as exc:
        print(f"Hint (not an error): {exc}")


def ok(message: str = "All visible checks passed.") -> None:
    """Print a success line (visible checks end with it, so a student sees that the cell ran to the end)."""
    print(f"\N{CHECK MARK} {message}")
