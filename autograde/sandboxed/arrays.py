"""Cases and results as plain data: what crosses the sandbox boundary (numbers, strings, arrays; never pickle).

Case arguments are only numbers, strings and numpy arrays, and :class:`Seed`, which becomes a fresh
``numpy.random.Generator`` on each side, so a case can be written to JSON. Whatever an answer returns
is flattened by :func:`to_arrays` into a list of float64 arrays.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

__all__ = ["Case", "Seed", "NotArrays", "InputChanged", "to_arrays", "materialize", "changed_inputs"]


@dataclass(frozen=True)
class Seed:
    """A placeholder argument: each side turns it into ``np.random.default_rng(value)``."""

    value: int


@dataclass(frozen=True)
class Case:
    """One input to a graded item: positional ``args`` and a short human label for messages."""

    label: str
    args: tuple


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


class InputChanged(ValueError):
    """The answer wrote into an array it was given (every graded function leaves its inputs unchanged)."""


def changed_inputs(before: Sequence[Any], after: Sequence[Any]) -> list[int]:
    """The positions of the array arguments that differ after the call (``after`` are the copies the answer got)."""
    out = []
    for k, (b, a) in enumerate(zip(before, after)):
        if isinstance(b, np.ndarray) and isinstance(a, np.ndarray):
            if a.shape != b.shape or not np.array_equal(a, b, equal_nan=np.issubdtype(b.dtype, np.inexact)):
                out.append(k)
    return out


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
