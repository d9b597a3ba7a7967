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
    "StandInMiss",
    "answers",
    "call",
    "isolated",
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


def _pair(got: Any, expected: Any) -> tuple[str, str]:
    """Two numbers with the digits it takes to tell them apart (6 at least): "1.0000001" and "1", not "1" and "1"."""
    try:
        g, e = float(got), float(expected)
    except (TypeError, ValueError):
        return str(got), str(expected)
    for digits in range(6, 18):
        a, b = f"{g:.{digits}g}", f"{e:.{digits}g}"
        if a != b or g == e:
            return a, b
    return repr(g), repr(e)


MAX_LISTED = 12  # a 1-D array of at most this many entries is shown whole, as a list


def _as_list(arr: np.ndarray) -> str:
    def entry(x):
        try:
            f = float(x)
        except (TypeError, ValueError):
            return str(x)
        return str(int(f)) if f.is_integer() and abs(f) < 1e15 else f"{f:.6g}"
    return "[" + ", ".join(entry(x) for x in np.asarray(arr).reshape(-1)) + "]"


def _listed(*arrays: np.ndarray) -> bool:
    return all(a.ndim == 1 and a.size <= MAX_LISTED for a in arrays)


def _index(flat_index: int, shape: tuple) -> str:
    if not shape:
        return ""
    idx = np.unravel_index(flat_index, shape)
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def expect_shape(value: Any, shape: tuple, what: str = "result", *, expected: Any = None) -> None:
    """Fail unless ``np.shape(value) == shape``. With ``expected`` (the whole expected value), a short 1-D
    mismatch is shown as the two lists ("expected [3, 3, 1], got [3, 3]")."""
    arr = _as_array(value, what)
    if expected is not None and arr.shape != tuple(shape):
        exp = np.asarray(expected)
        if _listed(arr, exp):
            raise CheckFailed(f"{what}: expected {_as_list(exp)} ({exp.size} entries), got {_as_list(arr)} ({arr.size} entries)")
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
        expect_shape(arr, exp.shape, what, expected=exp)
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
        g, e, d = got.reshape(-1)[worst], exp.reshape(-1)[worst], diff.reshape(-1)[worst]
        a, b = _pair(g, e)
        rel = f", relative {d / abs(e):.2g}" if np.isfinite(e) and e != 0 and np.isfinite(d) else ""
        whole = f"; got {_as_list(got)}, expected {_as_list(exp)}" if _listed(got) and n_bad > 1 else ""
        raise CheckFailed(
            f"{what}: {where} differs: got {a}, expected {b} "
            f"(|difference| {d:.3g}{rel} > tolerance {tol.reshape(-1)[worst]:.3g}); "
            f"{n_bad} of {got.size} entries are off{whole}"
        )


def expect_equal(value: Any, expected: Any, what: str = "result") -> None:
    """Fail unless ``value`` equals ``expected`` exactly (for labels, counts, 0/1 outputs)."""
    exp = np.asarray(expected)
    arr = _as_array(value, what)
    if arr.shape != exp.shape:
        expect_shape(arr, exp.shape, what, expected=exp)
    neq = arr != exp
    if np.any(neq):
        first = int(np.flatnonzero(neq)[0])
        where = _index(first, arr.shape)
        where = f"entry {where}" if where else "the value"
        a, b = _pair(arr.reshape(-1)[first], exp.reshape(-1)[first])
        whole = f": expected {_as_list(exp)}, got {_as_list(arr)}" if _listed(arr, exp) and arr.size > 1 else ""
        raise CheckFailed(
            f"{what}: {where} is {a}, expected {b} "
            f"({int(np.sum(neq))} of {arr.size} entries differ){whole}"
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


def _copies(value: Any) -> Any:
    """Arrays copied, inside lists and tuples too; anything else (a generator, a number) as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copies(v) for v in value)
    return value


def _changed(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and after.shape == before.shape
                    and np.array_equal(after, before, equal_nan=np.issubdtype(before.dtype, np.inexact)))
    if isinstance(before, (list, tuple)):
        return len(after) != len(before) or any(_changed(b, a) for b, a in zip(before, after))
    return False


def call(fn: Callable, *args: Any, what: str | None = None, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` on copies of the array arguments; fail if ``fn`` wrote into one of them.

    Every graded function of the course leaves its inputs unchanged (a caller still needs them: the
    activations of a layer, the logits of a batch). So a check passes copies, builds its expectations
    from the untouched originals, and says so when a copy came back changed.
    """
    label = what or getattr(fn, "__name__", "the function")
    fresh = [_copies(a) for a in args]
    fresh_kw = {k: _copies(v) for k, v in kwargs.items()}
    result = fn(*fresh, **fresh_kw)
    for k, (before, after) in enumerate(list(zip(args, fresh)) + [(kwargs[n], fresh_kw[n]) for n in kwargs]):
        if _changed(before, after):
            which = f"argument {k + 1}" if k < len(args) else f"argument {list(kwargs)[k - len(args)]!r}"
            raise CheckFailed(f"{label} changed its {which} in place (it wrote into the array it was given); it must leave "
                              "its inputs unchanged: compute a new array (A * mask, not A *= mask)")
    return result


class StandInMiss(CheckFailed):
    """A stand-in was called with arguments it has no answer for (see :func:`answers`)."""


def _same(expected: Any, got: Any, rtol: float, atol: float) -> bool:
    if isinstance(expected, str) or expected is None:
        return got == expected
    if isinstance(expected, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(got) == len(expected) and all(
            _same(e, g, rtol, atol) for e, g in zip(expected, got))
    try:
        e, g = np.asarray(expected, dtype=np.float64), np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return e.shape == g.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol))


def answers(calls: list, name: str = "the function", *, params: tuple = (), rtol: float = 1e-9,
            atol: float = 1e-12) -> Callable:
    """A stand-in for a helper on one worked example: ``calls`` lists ``(args, result)`` pairs, what a correct helper
    returns for those arguments (worked by hand in the check). ``params`` names the helper's parameters, so that a
    call with keywords is understood. Any other call raises :class:`StandInMiss`. Each call returns fresh copies."""
    def stand_in(*args, **kwargs):
        if kwargs:
            if not params or len(args) + len(kwargs) != len(params) or any(k not in params[len(args):] for k in kwargs):
                raise StandInMiss(f"{name} was called with arguments this check has no answer for")
            args = args + tuple(kwargs[p] for p in params[len(args):])
        for expected_args, result in calls:
            if _same(tuple(expected_args), args, rtol, atol):
                return _copies(result)
        raise StandInMiss(f"{name} was called with arguments this check has no answer for")
    stand_in.__name__ = name
    return stand_in


def _restore(namespace: dict, saved: dict) -> None:
    for n, v in saved.items():
        if v is None:
            namespace.pop(n, None)
        else:
            namespace[n] = v


def _passes(check: Callable[[], None], namespace: dict, stand_ins: dict) -> bool:
    saved = {n: namespace.get(n) for n in stand_ins}
    try:
        namespace.update(stand_ins)
        check()
        return True
    except Exception:  # noqa: BLE001 - any failure
        return False
    finally:
        _restore(namespace, saved)


def isolated(check: Callable[[], None], namespace: dict, caller: str, *, also: tuple = (), **stand_ins: Callable) -> None:
    """Run ``check()`` with the student's own helpers; if it fails, run it again with ``stand_ins`` (name -> a correct
    helper for this example: :func:`answers`, or finite differences of a given forward pass) in their place.

    When it passes with them, the function checked is right and its helper is not, and the message says so ("your
    mlp_forward is right with a correct layer_forward: fix layer_forward first"). Otherwise the failure is the
    function's own, and the message is the one of the run with correct helpers (it points at the function's own
    mistake), or the first one if a stand-in had no answer. ``also`` names helpers the check runs without a
    stand-in: a failure then says that their own checks must pass first.
    """
    try:
        check()
        return
    except Exception as first:  # noqa: BLE001 - any failure: find out whose it is
        failure = first
    note = (f" (this check also runs your {' and '.join(also)}: if a check above fails for {'one of them' if len(also) > 1 else 'it'}, "
            "fix that first)") if also else ""
    if not stand_ins:
        if note and isinstance(failure, CheckFailed):
            raise CheckFailed(f"{failure}{note}") from None
        raise failure
    saved = {n: namespace.get(n) for n in stand_ins}
    try:
        namespace.update(stand_ins)
        check()
    except StandInMiss:
        if note and isinstance(failure, CheckFailed):
            raise CheckFailed(f"{failure}{note}") from None
        raise failure from None
    except Exception as second:  # noqa: BLE001 - the function's own mistake, with correct helpers
        if note and isinstance(second, CheckFailed):
            raise CheckFailed(f"{second}{note}") from None
        raise second from None
    finally:
        _restore(namespace, saved)
    culprits = list(stand_ins)
    if len(stand_ins) > 1:  # which of the student's helpers make it fail: each alone among correct ones
        culprits = [n for n in stand_ins if not _passes(check, namespace, {k: v for k, v in stand_ins.items() if k != n})]
        culprits = culprits or list(stand_ins)
    helpers = " and ".join(culprits)
    first_line = f"{type(failure).__name__}: {failure}".splitlines()[0][:300]
    raise CheckFailed(f"your {caller} is right with a correct {helpers} (this check passes with one in its place): the "
                      f"mistake is in your {helpers} or in a function it calls; fix that first (its own check above says "
                      f"what is wrong). With your {helpers}: {first_line}")


def ok(message: str = "All visible checks passed.") -> None:
    """Print a success line (visible checks end with it, so a student sees that the cell ran to the end)."""
    print(f"\N{CHECK MARK} {message}")
