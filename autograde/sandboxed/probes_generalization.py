"""Probes of notebook 07 (generalization). Plain numpy; no answers: they only say how to call one.

``gen_split`` hands ``train_val_test_split`` its fractions as the tuple the notebook specifies (a tuple
cannot cross the wire as a case argument, three numbers can).

``gen_l2`` builds the list of ``(W, b)`` pairs that ``l2_penalty`` takes from flat arrays (a list of
pairs cannot cross the wire as such) and flattens the answer back: the penalty, then ``dW, db`` of
each layer in order, then the parameters as they are after the call (a penalty must not change them).
"""
from __future__ import annotations


def gen_l2(answer, lam, *arrays):
    """``l2_penalty([(W1, b1), (W2, b2), ...], lam)`` -> (penalty, dW1, db1, dW2, db2, ..., W1, b1, ... after the call)."""
    params = list(zip(arrays[::2], arrays[1::2]))
    penalty, grads = answer(params, lam)
    flat = []
    for pair in grads:
        dW, db = pair
        flat.extend([dW, db])
    return (penalty, *flat, *arrays)


def gen_split(answer, X, Y, f_train, f_val, f_test, rng):
    """``train_val_test_split(X, Y, (f_train, f_val, f_test), rng)``: the fractions cross the wire as three numbers.
    Fractions that do not sum to 1 give ``[1.0]`` when the answer raises ValueError (the spec)."""
    if abs(f_train + f_val + f_test - 1.0) > 1e-6:
        from autograde.sandboxed.probes_mlp import must_raise_value_error

        return must_raise_value_error(lambda: answer(X, Y, (f_train, f_val, f_test), rng),
                                      f"train_val_test_split with fractions {(f_train, f_val, f_test)}", "fractions that do not sum to 1")
    return answer(X, Y, (f_train, f_val, f_test), rng)


PROBES = {"gen_l2": gen_l2, "gen_split": gen_split}


def gen_layer_statistics(answer, X, dY, activation, *arrays):
    """``layer_statistics(X, [(W1, b1), ...], activation, dY)`` with the layers rebuilt from flat arrays."""
    params = list(zip(arrays[::2], arrays[1::2]))
    return answer(X, params, str(activation), dY)


PROBES["gen_layer_statistics"] = gen_layer_statistics
