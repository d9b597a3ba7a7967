"""Probes of notebook 04 (gradient descent): how to call answers whose arguments cannot cross the wire.

``gradient_descent`` takes a function (the gradient), and ``minibatches`` returns a list of pairs whose
length depends on the case; these probes build the function from plain arrays and flatten the list
into a fixed set of arrays. Probes hold no answers and use only numpy.
"""
from __future__ import annotations

import numpy as np


def _gradient(kind: str, A: np.ndarray, c: np.ndarray):
    """A gradient function made from plain arrays, by name."""
    if kind == "linear":        # gradient of 1/2 theta^T A theta - c^T theta (theta a vector or a matrix of columns)
        return lambda theta: A @ theta - c
    if kind == "double_well":   # gradient of sum(theta^4 / 4 - theta^2 / 2 + c theta), entry by entry, any shape
        return lambda theta: theta ** 3 - theta + c
    raise ValueError(f"unknown gradient kind {kind!r}")


def gd_descend(answer, kind, A, c, theta0, lr, n_steps):
    """``gradient_descent(grad_fn, theta0, lr, n_steps)`` with ``grad_fn`` given by name and arrays."""
    return np.asarray(answer(_gradient(kind, A, c), theta0, lr, int(n_steps)), dtype=np.float64)


def gd_minibatches(answer, X, Y, batch_size, rng, drop_last, epochs):
    """``minibatches`` called once per epoch with the same rng; returns, per epoch, the batch sizes and the
    samples and targets in the order the batches hold them (concatenated)."""
    out = []
    for _ in range(int(epochs)):
        batches = list(answer(X, Y, int(batch_size), rng, drop_last=bool(drop_last)))
        sizes = np.array([np.shape(Xb)[-1] for Xb, _ in batches], dtype=np.float64)
        if batches:
            X_cat = np.concatenate([np.asarray(Xb, dtype=np.float64).reshape(X.shape[0], -1) for Xb, _ in batches], axis=1)
            Y_cat = np.concatenate([np.asarray(Yb, dtype=np.float64).reshape(Y.shape[:-1] + (-1,)) for _, Yb in batches], axis=-1)
        else:
            X_cat, Y_cat = np.zeros((X.shape[0], 0)), np.zeros(Y.shape[:-1] + (0,))
        out += [sizes, X_cat, Y_cat]
    return tuple(out)


def gd_fit(answer, X, y, method, lr, epochs, batch_size, rng):
    """``fit_neuron(...)`` -> (w, b, loss_per_epoch), then one number drawn from ``rng`` after the call: it is the
    reference's when the answer drew from ``rng`` exactly as the spec says (one ``minibatches`` call per epoch, or
    none for 'gd')."""
    w, b, losses = answer(X, y, method, lr, int(epochs), int(batch_size), rng)
    return w, b, losses, rng.random()


PROBES = {"gd_descend": gd_descend, "gd_minibatches": gd_minibatches, "gd_fit": gd_fit}
