"""Probes of notebook 05 (backprop): how to call answers that take caches, parameter lists or train a network.

A cache is ``(A_prev, W, b, Z, activation)`` and a network is a list of ``(W, b)`` pairs: neither crosses the
wire as such, so the cases carry plain arrays (and activation names) and these probes rebuild them. To build
the caches of ``mlp_backward`` and to measure the accuracy of what ``train_mlp`` returns, the probes run a
forward pass in plain numpy: the same forward pass notebook 05 hands every student in its given cell, so it
holds no answer of notebook 05. Only numpy is used.
"""
from __future__ import annotations

import numpy as np

_G = {"identity": lambda z: z, "relu": lambda z: np.maximum(z, 0.0),
      "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), "tanh": np.tanh}


def _params(flat) -> list:
    """(W1, b1, W2, b2, ...) -> [(W1, b1), (W2, b2), ...] (fresh float64 copies)."""
    flat = [np.array(a, dtype=np.float64) for a in flat]
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def _forward(X, params, hidden, output):
    A, caches = X, []
    for l, (W, b) in enumerate(params, start=1):
        act = hidden if l < len(params) else output
        Z = W @ A + b
        caches.append((A, W, b, Z, act))
        A = _G[act](Z)
    return A, caches


def bp_layer_backward(answer, dA, A_prev, W, b, activation):
    """``layer_backward(dA, cache)`` with the cache of ``Z = W A_prev + b`` and the named activation."""
    return answer(dA, (A_prev, W, b, W @ A_prev + b, str(activation)))


def bp_mlp_backward(answer, dY, X, hidden, output, *flat):
    """``mlp_backward(dY, caches)`` with the caches of a forward pass through the given layers."""
    _, caches = _forward(X, _params(flat), str(hidden), str(output))
    return [tuple(g) for g in answer(dY, caches)]


def bp_loss_and_grads(answer, X, Y, *flat):
    """``mlp_loss_and_grads(params, X, Y)`` with params rebuilt from (W1, b1, W2, b2, ...)."""
    loss, grads = answer(_params(flat), X, Y)
    return loss, [tuple(g) for g in grads]


def bp_train(answer, X, Y, layer_sizes, lr, epochs, batch_size, rng):
    """Train with the answer, a callback following it, and return: the losses, the epochs the callback got, the sum
    of the entries of the parameters it got each time, then the trained W1, b1, W2, b2, ..."""
    seen: list[tuple[float, float]] = []

    def callback(epoch, params):
        total = sum(float(np.sum(np.asarray(W, dtype=np.float64))) + float(np.sum(np.asarray(b, dtype=np.float64)))
                    for W, b in params)
        seen.append((float(epoch), total))

    params, losses = answer(X, Y, [int(s) for s in layer_sizes], float(lr), int(epochs), int(batch_size), rng,
                            callback=callback)
    flat = [np.asarray(a, dtype=np.float64) for W, b in params for a in (W, b)]
    return (np.asarray(losses, dtype=np.float64).reshape(-1), np.array([e for e, _ in seen]),
            np.array([t for _, t in seen]), *flat)


def bp_float_array(answer, z):
    """``answer(z)``, then 1.0 if it returned floats (a float array or number), 0.0 for booleans or integers."""
    out = answer(z)
    return out, float(np.issubdtype(np.asarray(out).dtype, np.floating))


PROBES = {"bp_float_array": bp_float_array, "bp_layer_backward": bp_layer_backward, "bp_mlp_backward": bp_mlp_backward,
          "bp_loss_and_grads": bp_loss_and_grads, "bp_train": bp_train}


def _scalar_function(kind: str, A: np.ndarray, c: np.ndarray):
    """A scalar function of an array, built from plain arrays by name (for ``centred_difference``)."""
    if kind == "quadratic":      # 1/2 t^T A t + c^T t of the flattened t
        return lambda t: float(0.5 * np.ravel(t) @ A @ np.ravel(t) + c @ np.ravel(t))
    if kind == "smooth":         # sum(sin(A * t)) + 1/2 (sum(c * t))^2, entry by entry, any shape (A and c of t's shape)
        return lambda t: float(np.sum(np.sin(A * t)) + 0.5 * np.sum(c * t) ** 2)
    raise ValueError(f"unknown function kind {kind!r}")


def bp_centred_difference(answer, kind, A, c, theta, h):
    """``centred_difference(f, theta, h)`` with ``f`` given by name and arrays; returns the answer's gradient and
    ``theta`` as the answer left it (it must come back unchanged)."""
    theta = np.array(theta, dtype=np.float64)
    grad = answer(_scalar_function(str(kind), np.asarray(A), np.asarray(c)), theta, float(h))
    return np.asarray(grad, dtype=np.float64), theta


PROBES["bp_centred_difference"] = bp_centred_difference
