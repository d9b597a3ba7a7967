"""What a graded item is, how its answer is turned into plain arrays, and how those are compared.

Small pieces, shared by the in-notebook ``check`` and the sandboxed grader:

- an :class:`Item` names a graded function (or value) of one notebook, makes its test cases from
  an ``rng``, names the probe that evaluates an answer on a case, and lists its known mistakes and
  correct alternatives (:class:`Variant`);
- :func:`autograde.sandboxed.arrays.to_arrays` turns whatever a probe returned into plain float64
  arrays (what crosses the sandbox boundary: never pickle);
- :func:`compare` judges a student's arrays against the reference's arrays and says what is wrong.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograde.sandboxed.arrays import Case, NotArrays, Seed, materialize, to_arrays

__all__ = ["Case", "Item", "Seed", "Variant", "Verdict", "NotArrays", "case_rng", "to_arrays", "compare", "materialize"]


@dataclass(frozen=True, eq=False)
class Variant:
    """Another implementation of an item's answer, kept on the trusted side only.

    As a **known mistake** (:attr:`Item.mistakes`) it is what students typically get wrong: ``id`` is
    short (it goes in ``grades.csv``'s ``diagnosis`` column), ``says`` is one sentence a student
    understands ("normalises over the rows instead of the columns"), ``impl`` has the answer's
    signature (or, for a value item, *is* the value). As a **correct alternative**
    (:attr:`Item.alternatives`) it is another right answer that must keep full marks.
    Mistakes are close to answers: they never enter a notebook, the sandbox or feedback as code.
    A mistake is named only when it reproduces the student's outputs on *every* case; on a case where
    it raises (a broadcast of two widths, say), it matches an answer that raises the same kind of
    exception there, so write it the way a student would.
    Compared by identity (``eq=False``): a value ``impl`` may be an array.
    """

    id: str
    says: str
    impl: Any


@dataclass(frozen=True, eq=False)
class Item:
    """A graded name of a notebook and how to test it.

    ``cases(rng)`` returns the list of :class:`Case`; ``probe`` names how an answer is evaluated on
    one case (:data:`autograde.sandboxed.probes.PROBES`: call it, run weights as a neuron, ...);
    ``exact`` items must match exactly (labels, 0/1 outputs, counts), the others within
    ``atol + rtol * |expected|``. ``outputs`` names each output with a few words on what it means
    (used in messages: "errors_per_epoch (mistakes in each epoch): expected shape (6,) ...").
    ``uses`` lists the graded names of the same notebook an answer typically calls (``tanh`` through
    ``sigmoid``): while its cases run, each of them is a stand-in that answers like the reference
    (isolation, :mod:`autograde.isolation`), and the mutation test proves for every such pair that a
    correct caller keeps its points beside each known mistake of the callee. ``callee_calls(args)``
    lists calls ``(callee, args)`` a correct answer typically makes on a case although the reference
    does not (``perceptron_predict`` through ``step(w @ X + b)``), so that the stand-in can answer them
    too. ``no_stand_in`` names callees a stand-in cannot replace, each with the reason (its inputs
    come from weights the student chose): there the message names the callee instead.
    ``mistakes`` and ``alternatives`` are :class:`Variant` lists (see there); the mutation test proves
    each is told apart.
    """

    name: str
    notebook: str
    cases: Callable[[np.random.Generator], list[Case]]
    probe: str = "call"
    rtol: float = 1e-7
    atol: float = 1e-10
    exact: bool = False
    callable_answer: bool = True
    outputs: tuple[tuple[str, str], ...] = ()
    uses: tuple[str, ...] = ()
    callee_calls: Callable[[tuple], list[tuple[str, tuple]]] | None = None
    no_stand_in: tuple[tuple[str, str], ...] = ()
    mistakes: tuple[Variant, ...] = ()
    alternatives: tuple[Variant, ...] = ()

    def output_name(self, k: int, n: int) -> str:
        """How messages name output ``k`` of ``n``."""
        if k < len(self.outputs):
            name, meaning = self.outputs[k]
            return f"{name} ({meaning})" if meaning else name
        return f"output {k}" if n > 1 else "output"


def case_rng(seed: int, name: str) -> np.random.Generator:
    """The cases of one graded name: the same seed and name give the same cases on every side."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


@dataclass
class Verdict:
    """The outcome of one case: ``ok`` and, when not, the message that says what differs."""

    ok: bool
    message: str = ""


def _fmt_index(i: int, shape: tuple) -> str:
    if not shape:
        return ""
    return "[" + ", ".join(str(int(k)) for k in np.unravel_index(i, shape)) + "]"


MAX_LISTED = 12   # a 1-D output of at most this many entries is shown whole, as a list


def pair(got: float, expected: float) -> tuple[str, str]:
    """Two numbers with just enough significant digits to tell them apart (6 at least, 17 at most):
    "1.00000006" and "1.1", never "1.1" and "1.1"."""
    got, expected = float(got), float(expected)
    for digits in range(6, 18):
        a, b = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if a != b or got == expected:
            return a, b
    return repr(got), repr(expected)


def _entry(x: float) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:.6g}"


def as_list(a: np.ndarray) -> str:
    """A short 1-D array as a student writes it: ``[3, 3, 1]``."""
    return "[" + ", ".join(_entry(x) for x in np.asarray(a).reshape(-1)) + "]"


def _listed(g: np.ndarray, e: np.ndarray) -> bool:
    return g.ndim == 1 and e.ndim == 1 and g.size <= MAX_LISTED and e.size <= MAX_LISTED


def compare(item: Item, got: list[np.ndarray], expected: list[np.ndarray]) -> Verdict:
    """Judge the student's arrays ``got`` against the reference's ``expected`` for one case.

    Shapes must agree exactly, except that an output of one entry may be a scalar or an array of
    one entry interchangeably (``b`` as ``0.5`` or ``array([0.5])``). Messages show numbers with the
    digits it takes to see the difference, and the relative error; a short 1-D output (batch sizes,
    errors per epoch) is shown whole, as lists.
    """
    if len(got) != len(expected):
        return Verdict(False, f"returned {len(got)} value(s), expected {len(expected)}")
    for k, (g, e) in enumerate(zip(got, expected)):
        part = item.output_name(k, len(expected))
        if g.shape != e.shape:
            if not (g.size == 1 and e.size == 1):
                if _listed(g, e):
                    return Verdict(False, f"{part}: expected {as_list(e)} ({e.size} entries), got {as_list(g)} ({g.size} entries)")
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
                a, b = pair(g.reshape(-1)[i], e.reshape(-1)[i])
                whole = f": expected {as_list(e)}, got {as_list(g)}" if _listed(g, e) else ""
                return Verdict(False, f"{part}: entry {_fmt_index(i, g.shape) or '(scalar)'} is {a}, "
                                      f"expected {b} ({int(neq.sum())} of {g.size} entries differ){whole}")
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
            gi, ei, di = g.reshape(-1)[i], e.reshape(-1)[i], diff.reshape(-1)[i]
            a, b = pair(gi, ei)
            rel = f", relative {di / abs(ei):.2g}" if np.isfinite(ei) and ei != 0 and np.isfinite(di) else ""
            return Verdict(False, f"{part}: entry {_fmt_index(i, g.shape) or '(scalar)'} is {a}, expected "
                                  f"{b} (difference {di:.3g}{rel}); {n_bad} of {g.size} entries off")
    return Verdict(True)
