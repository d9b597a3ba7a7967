"""Probes of notebook 06 (optimizers). Plain numpy; no answers: they only say how to call one.

``opt_step`` calls a step function and returns what it returned, followed by the array arguments
*as they are after the call*: a step must build new arrays and leave its inputs alone (the notebook
says so), and comparing the inputs after the call with the reference's (which never changes them)
is how an in-place update (``theta -= lr * grad``) is caught and named.
"""
from __future__ import annotations

import numpy as np


def opt_step(answer, *args):
    """``answer(*args)``, then every array argument after the call (unchanged, if the step is right)."""
    out = answer(*args)
    several = isinstance(out, tuple) or (isinstance(out, list) and any(isinstance(o, (np.ndarray, tuple, list)) for o in out))
    out = tuple(out) if several else (out,)  # as to_arrays reads it: a list of numbers is one array
    return out + tuple(a for a in args if isinstance(a, np.ndarray))


PROBES = {"opt_step": opt_step}
