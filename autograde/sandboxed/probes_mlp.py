"""Probes of notebook 02 (the multi-layer perceptron): how its graded functions are called on a case.

Cases cross the sandbox boundary as plain numbers, strings and arrays, so a network's parameters
travel flattened (``W1, b1, W2, b2, ...``) and layer sizes as a float array; the probes rebuild the
list of ``(W, b)`` pairs or the list of ints and call the answer. They check the *structure* of what
comes back (a cache is the 5-tuple ``(A_prev, W, b, Z, activation)``) and raise a ValueError that
says what was expected, so a student reads "cache must be ..." rather than a comparison of arrays.
Probes hold no answers: they only say how to call one, and what shape of result the contract asks.
"""
from __future__ import annotations

import numpy as np

from autograde.sandboxed.arrays import NotArrays

CACHE = "(A_prev, W, b, Z, activation)"


def _pairs(flat) -> list:
    if len(flat) % 2:
        raise ValueError("parameters must come as W1, b1, W2, b2, ... (a course bug if you see this)")
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def _sizes(sizes: np.ndarray) -> list:
    return [int(v) for v in np.asarray(sizes).reshape(-1)]


def _cache_parts(cache, activation: str, where: str) -> tuple:
    """The four arrays of a cache, and 1.0 if its activation entry is the activation's name (else 0.0)."""
    if not isinstance(cache, (tuple, list)) or len(cache) != 5:
        got = f"a {type(cache).__name__} of length {len(cache)}" if isinstance(cache, (tuple, list)) else type(cache).__name__
        raise ValueError(f"{where} must be the tuple {CACHE}, got {got}")
    A_prev, W, b, Z, name = cache
    return A_prev, W, b, Z, float(name == activation)


KNOWN_ACTIVATIONS = ("identity", "relu", "sigmoid", "tanh")   # the spec's four names


def must_raise_value_error(call, what: str, why: str):
    """``[1.0]`` when ``call()`` raises ValueError, as the spec asks; otherwise say what it did instead."""
    try:
        call()
    except ValueError:
        return np.array([1.0])
    except Exception as exc:  # noqa: BLE001 - any other exception is the wrong one
        raise NotArrays(f"{what} raised {type(exc).__name__}; {why} must raise ValueError") from None
    raise NotArrays(f"{what} returned a result; {why} must raise ValueError")


def layer_forward(answer, A_prev, W, b, activation):
    """``layer_forward(A_prev, W, b, activation)`` -> A, then the cache's A_prev, W, b, Z and a flag for its activation.
    For a name that is none of the four, ``[1.0]`` when it raises ValueError (the spec)."""
    if activation not in KNOWN_ACTIVATIONS:
        return must_raise_value_error(lambda: answer(A_prev, W, b, activation), f"layer_forward(..., {activation!r})",
                                      "an unknown activation")
    result = answer(A_prev, W, b, activation)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ValueError(f"layer_forward must return the pair (A, cache), got {type(result).__name__}")
    A, cache = result
    return (A, *_cache_parts(cache, activation, "cache"))


def mlp_forward(answer, X, hidden_activation, output_activation, *flat):
    """``mlp_forward(X, params, hidden, output)`` -> Y_hat, then every layer's Z, then every layer's A_prev."""
    params = _pairs(flat)
    result = answer(X, params, hidden_activation, output_activation)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ValueError(f"mlp_forward must return the pair (Y_hat, caches), got {type(result).__name__}")
    Y_hat, caches = result
    if not isinstance(caches, (list, tuple)) or len(caches) != len(params):
        n = len(caches) if isinstance(caches, (list, tuple)) else type(caches).__name__
        raise ValueError(f"caches must be a list with one cache per layer: {len(params)} layers, got {n}")
    parts = [_cache_parts(c, None, f"caches[{k}]") for k, c in enumerate(caches)]
    return (Y_hat, *[p[3] for p in parts], *[p[0] for p in parts])


def init(answer, layer_sizes, rng):
    """``init_params(layer_sizes, rng)`` with the sizes as a list of ints -> W1, b1, W2, b2, ..."""
    params = answer(_sizes(layer_sizes), rng)
    if not isinstance(params, (list, tuple)) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in params):
        raise ValueError("init_params must return a list of (W, b) pairs, one per layer")
    return tuple(a for pair in params for a in pair)


def sizes(answer, layer_sizes):
    """``count_params(layer_sizes)`` with the sizes as a list of ints -> the count, and 1.0 if it is an integer
    (an int or a numpy integer; a float such as 12.0 gives 0.0)."""
    count = answer(_sizes(layer_sizes))
    return count, float(isinstance(count, (int, np.integer)) and not isinstance(count, bool))


def collapse(answer, *flat):
    """``collapse_linear(params)`` -> (W, b)."""
    result = answer(_pairs(flat))
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise ValueError(f"collapse_linear must return the pair (W, b), got {type(result).__name__}")
    return tuple(result)


PROBES = {"mlp_layer_forward": layer_forward, "mlp_forward": mlp_forward, "mlp_init": init,
          "mlp_sizes": sizes, "mlp_collapse": collapse}
