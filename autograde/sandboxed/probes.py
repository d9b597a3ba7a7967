"""How an answer is evaluated on one case: a probe, named in the item (``Item.probe``).

A probe takes the student's answer (a function or a value) and the case's arguments and returns
anything :func:`autograde.sandboxed.arrays.to_arrays` accepts. The same probe runs on both sides:
here in the sandbox on the student's answer, and on the trusted side on the reference and on the
known mistakes. Probes hold no answers: they only say how to *call* one.

Adding a probe: write a function ``probe(answer, *args)`` and add it to :data:`PROBES`.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from autograde.sandboxed.arrays import InputChanged, changed_inputs, materialize, to_arrays

# Activations handed to graded functions that take one (the neuron of 01, layers of 02): plain numpy,
# none of them an exercise answer; cases name them by string so that they cross the wire.
ACTIVATIONS: dict[str, Callable] = {
    "identity": lambda z: z,
    "tanh": np.tanh,
    "square": np.square,
    "relu_np": lambda z: np.maximum(z, 0.0),
    "logistic_np": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
}


def call(answer, *args):
    """The default: call the answer with the case's arguments."""
    return answer(*args)


def neuron(answer, X, w, b, activation):
    """``neuron(X, w, b, activation)`` with the activation given by name."""
    return answer(X, w, b, ACTIVATIONS[activation])


def gate(answer):
    """Run weights ``(w, b)`` as a unit-step neuron on its truth table (0.5 exactly on the line)."""
    w, b = answer
    w = np.asarray(w, dtype=float).reshape(-1)
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]]) if w.size == 2 else np.array([[0.0, 1.0]])
    z = w @ X + np.asarray(b, dtype=float).reshape(())
    return np.where(z > 0, 1.0, np.where(z < 0, 0.0, 0.5))


PROBES: dict[str, Callable] = {"call": call, "neuron": neuron, "gate": gate}


def _arg_name(answer: Any, probe: str, k: int) -> str:
    """How a message names argument ``k``: the answer's own parameter name when the probe passes the case's
    arguments straight through, else its position."""
    if probe in ("call", "opt_step"):
        try:
            import inspect

            names = [p.name for p in inspect.signature(answer).parameters.values()]
            if k < len(names):
                return names[k]
        except (TypeError, ValueError):
            pass
    return f"number {k + 1}"


def evaluate(probe: str, answer: Any, args: tuple) -> list[np.ndarray]:
    """Probe ``answer`` on one case with numpy warnings silenced; returns plain float64 arrays.

    Warnings are silenced because nbgrader scores any stderr output of a test cell as 0, and a
    correct but naive formula (``1 / (1 + np.exp(-z))``) must not lose points for a warning.
    The answer gets copies of the case's arrays; if it writes into one, :class:`InputChanged` says which
    (every graded function's spec says it leaves its inputs unchanged: a caller still needs them).
    """
    fn = PROBES[probe]
    fresh = materialize(args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            out = to_arrays(fn(answer, *fresh))
    changed = changed_inputs(args, fresh)
    if changed:
        k = changed[0]
        raise InputChanged(f"changed its input {_arg_name(answer, probe, k)} (an array of shape {tuple(np.shape(args[k]))}) "
                           "in place; it must leave its inputs unchanged: build new arrays instead of writing into them")
    return out


def _load_notebook_probes() -> None:
    """Probes of later notebooks live in ``autograde/sandboxed/probes_<topic>.py`` (a ``PROBES`` dict each),
    so that adding a notebook never edits this file."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if not info.name.startswith("probes_"):
            continue
        mod = importlib.import_module(f"{__package__}.{info.name}")
        for key, fn in getattr(mod, "PROBES", {}).items():
            if key in PROBES:
                raise ValueError(f"probe {key!r} of {info.name} is already defined")
            PROBES[key] = fn


_load_notebook_probes()
