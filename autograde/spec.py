"""What a graded item is, how its answer is turned into plain arrays, and how those are compared.

Three small pieces, shared by the in-notebook ``check`` and the sandboxed grader:

- an :class:`Item` names a graded function (or value) of one notebook, makes its test cases from
  an ``rng`` and says how to *probe* an answer on a case (call it; or, for weights, run them);
- :func:`to_arrays` turns whatever a probe returned into a list of plain float64 arrays
  (what crosses the sandbox boundary: never pickle);
- :func:`compare` judges a student's arrays against the reference's arrays and says what is wrong.

Case arguments are only numbers, strings and numpy arrays (and :class:`Seed`, which becomes a fresh
``numpy.random.Generator`` on each side), so a case can be written to ``.npz``/JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["Case", "Item", "Seed", "Verdict", "to_arrays", "compare", "materialize"]


@dataclass(frozen=True)
class Seed:
    """A placeholder argument: each side turns it into ``np.random.default_rng(value)``."""

    value: int


@dataclass(frozen=True)
class Case:
    """One input to a graded item: positional ``args`` and a short human label for messages."""

    label: str
    args: tuple


@dataclass(frozen=True)
class Item:
    """A graded name of a notebook and how to test it.

    ``cases(rng)`` returns the list of :class:`Case`; ``probe(answer, *args)`` evaluates the
    student's (or the reference's) ``answer`` on one case and returns anything :func:`to_arrays`
    accepts; ``exact`` items must match exactly (labels, 0/1 outputs, counts), the others within
    ``atol + rtol * |expected|``.
    """

    name: str
    notebook: str
    cases: Callable[[np.random.Generator], list[Case]]
    probe: Callable[..., Any] = field(default=lambda answer, *args: answer(*args))
    rtol: float = 1e-7
    atol: float = 1e-10
    exact: bool = False
    callable_answer: bool = True


def materialize(args: Sequence[Any]) -> tuple:
    """Fresh copies of a case's arguments: arrays copied, :class:`Seed` turned into a Generator."""
    out = []
    for a in args:
        if isinstance(a, Seed):
            out.append(np.random.default_rng(a.value))
        elif isinstance(a, np.ndarray):
            out.append(a.copy())
        else:
            out.append(a)
    return tuple(out)


class NotArrays(ValueError):
    """A probe returned something that is not numbers (None, a string, a dict, ...)."""


def to_arrays(value: Any, _depth: int = 0) -> list[np.ndarray]:
    """Flatten a result (array, number, or a tuple/list of them) into a list of float64 arrays.

    A list of numbers becomes one array; a tuple (or a list holding arrays) becomes several.
    Raises :class:`NotArrays` with what came instead.
    """
    if _depth > 3:
        raise NotArrays("results nest more than 3 levels deep")
    if isinstance(value, tuple) or (
        isinstance(value, list) and any(isinstance(v, (np.ndarray, tuple, list)) for v in value)
    ):
        out: list[np.ndarray] = []
        for v in value:
            out.extend(to_arrays(v, _depth + 1))
        return out
    if value is None:
        raise NotArrays("got None (did the function forget to `return`?)")
    if isinstance(value, (str, bytes, dict, set)):
        raise NotArrays(f"got a {type(value).__name__}, expected numbers")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested sequences
        raise NotArrays(f"got {type(value).__name__} that is not an array: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise NotArrays(f"got an array of dtype {arr.dtype}, expected numbers")
    if np.iscomplexobj(arr):
        raise NotArrays("got complex numbers, expected real numbers")
    return [np.array(arr, dtype=np.float64)]


@dataclass
class Verdict:
    """The outcome of one case: ``ok`` and, when not, the message that says what differs."""

    ok: bool
    message: str = ""


def _fmt_index(i: int, shape: tuple) -> str:
    if not shape:
        return ""
    return "[" + ", ".join(str(int(k)) for k in np.unravel_index(i, shape)) + "]"


def compare(item: Item, got: list[np.ndarray], expected: list[np.ndarray]) -> Verdict:
    """Judge the student's arrays ``got`` against the reference's ``expected`` for one case.

    Shapes must agree exactly, except that an output of one entry may be a scalar or an array of
    one entry interchangeably (``b`` as ``0.5`` or ``array([0.5])``).
    """
    if len(got) != len(expected):
        return Verdict(False, f"returned {len(got)} value(s), expected {len(expected)}")
    for k, (g, e) in enumerate(zip(got, expected)):
        part = f"output {k}" if len(expected) > 1 else "output"
        if g.shape != e.shape:
            if not (g.size == 1 and e.size == 1):
                return Verdict(False, f"{part}: expected shape {e.shape}, got shape {g.shape}")
            g = g.reshape(e.shape)
        nan_g, nan_e = np.isnan(g), np.isnan(e)
        bad_nan = nan_g & ~nan_e
        if bad_nan.any():
            i = int(np.flatnonzero(bad_nan)[0])
            return Verdict(False, f"{part}: entry {_fmt_index(i, g.shape) or '(scalar)'} is NaN, expected {e.reshape(-1)[i]:.6g} "
                                  f"({int(bad_nan.sum())} NaN entries)")
        if item.exact:
            neq = ~((g == e) | (nan_g & nan_e))
            if neq.any():
                i = int(np.flatnonzero(neq)[0])
                return Verdict(False, f"{part}: entry {_fmt_index(i, g.shape) or '(scalar)'} is {g.reshape(-1)[i]:.6g}, "
                                      f"expected {e.reshape(-1)[i]:.6g} ({int(neq.sum())} of {g.size} entries differ)")
            continue
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(g - e)
            same_inf = np.isinf(e) & (g == e)
            diff = np.where(same_inf | (nan_g & nan_e), 0.0, diff)
            tol = item.atol + item.rtol * np.abs(np.where(np.isinf(e), 0.0, e))
            excess = np.where(np.isnan(diff), np.inf, diff - tol)
        if (excess > 0).any():
            i = int(np.argmax(excess))
            n_bad = int((excess > 0).sum())
            return Verdict(False, f"{part}: entry {_fmt_index(i, g.shape) or '(scalar)'} is {g.reshape(-1)[i]:.6g}, expected "
                                  f"{e.reshape(-1)[i]:.6g} (difference {diff.reshape(-1)[i]:.3g}); {n_bad} of {g.size} entries off")
    return Verdict(True)
