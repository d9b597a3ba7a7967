"""Probes of notebook 03 (loss functions): how its graded functions are called on a case.

Labels cross the sandbox boundary as float arrays (the wire carries float64 only); the probes turn
them back into the integer arrays the answers expect. The losses themselves take arrays and return
``(loss, gradient)``, which the default ``call`` probe already handles. Probes hold no answers.
"""
from __future__ import annotations

import numpy as np


def _labels(labels) -> np.ndarray:
    return np.asarray(labels).astype(np.int64)


def one_hot(answer, labels, n_classes):
    """``one_hot(labels, n_classes)`` with integer labels and an int number of classes."""
    return answer(_labels(labels), int(n_classes))


def accuracy(answer, Z, labels):
    """``accuracy(Z, labels)`` with integer labels."""
    return answer(Z, _labels(labels))


PROBES = {"losses_one_hot": one_hot, "losses_accuracy": accuracy}
