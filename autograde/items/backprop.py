"""Graded items of notebook 05 (backpropagation): cases, known mistakes, correct alternatives.

Tolerances. The toy chain, the activation derivatives and the backward passes are a few dozen float64
operations on O(1) numbers; another order of the same arithmetic (a loop, an expanded product, 1/cosh^2
for 1 - tanh^2) differs by ~1e-15 relative, so ``rtol=1e-8, atol=1e-12`` accepts every correct formula
with seven orders of margin, while each known mistake is off by a sign, a factor (2, m, 1/4) or a whole
term. (For the activation derivatives at |z| = 500 the correct values underflow to ~1e-217 or 0; the
absolute tolerance treats both as 0.)

``train_mlp`` is compared step by step on small training runs (two or three layers, up to 12 samples, two or
three epochs): the spec fixes every draw (``init_params(layer_sizes, rng)`` first, then one
``minibatches(X, Y, batch_size, rng)`` per epoch), so a right answer ends with the reference's parameters, its
losses and its callback calls, within the backward passes' tolerance (at most nine steps of SGD, which do not
amplify round-off). While they run, its ``mlp_loss_and_grads`` (and what that calls) is a stand-in answering like
the reference (isolation), so the check judges the training loop alone. (Until issue 17 the check trained on
the digits and only asked for 95 % test accuracy: it gave full marks to epochs counted from 0, a mini-batch's
loss in ``losses`` and no shuffling, and a wrong ``mlp_loss_and_grads`` cost ``train_mlp`` its points too. That
the reference reaches 95 % on the digits with the notebook's budget is a test of the reference,
``tests/autograde/test_reference_05.py``.)
"""
from __future__ import annotations

import numpy as np

from autograde.spec import Case, Item, Seed, Variant

NOTEBOOK = NB = "05_backprop"


# ----------------------------------------------------------------------------- the scalar toy
def _toy_params(rng):
    return rng.normal(0.0, 0.7, size=4), rng.normal(0.0, 0.9, size=4)


def _toy_forward_cases(rng):
    cases = []
    for _ in range(3):
        beta, omega = _toy_params(rng)
        cases.append(Case("random beta, omega and x", (float(rng.normal()), beta, omega)))
    cases.append(Case("x = 0, beta = 0, omega = 1", (0.0, np.zeros(4), np.ones(4))))
    beta, omega = _toy_params(rng)
    cases.append(Case("x an array of 5 samples", (rng.normal(size=5), beta, omega)))
    return cases


def _toy_backward_cases(rng):
    cases = []
    for _ in range(4):
        beta, omega = _toy_params(rng)
        cases.append(Case("random x, y, beta, omega", (float(rng.normal()), float(rng.normal()), beta, omega)))
    cases.append(Case("x = 0.5, y = 0, beta = 0, omega = 1", (0.5, 0.0, np.zeros(4), np.ones(4))))
    return cases


def _tf(x, beta, omega, order=(np.sin, np.exp, np.cos), bias=True):
    s = 1.0 if bias else 0.0
    f0 = s * beta[0] + omega[0] * x
    h1 = order[0](f0)
    f1 = s * beta[1] + omega[1] * h1
    h2 = order[1](f1)
    f2 = s * beta[2] + omega[2] * h2
    h3 = order[2](f2)
    f3 = s * beta[3] + omega[3] * h3
    return f0, h1, f1, h2, f2, h3, f3


def _tf_reversed(x, beta, omega):
    return _tf(x, beta, omega, order=(np.cos, np.exp, np.sin))


def _tf_no_bias(x, beta, omega):
    return _tf(x, beta, omega, bias=False)


def _tf_one_line(x, beta, omega):
    """Correct: every intermediate written out from x directly."""
    f0 = beta[0] + omega[0] * x
    f1 = beta[1] + omega[1] * np.sin(beta[0] + omega[0] * x)
    f2 = beta[2] + omega[2] * np.exp(f1)
    f3 = beta[3] + omega[3] * np.cos(f2)
    return f0, np.sin(f0), f1, np.exp(f1), f2, np.cos(f2), f3


def _tb(x, y, beta, omega, cos_sign=-1.0, two=2.0, omega_input="h"):
    f0, h1, f1, h2, f2, h3, f3 = _tf(x, beta, omega)
    d3 = two * (f3 - y)
    d2 = cos_sign * np.sin(f2) * omega[3] * d3
    d1 = np.exp(f1) * omega[2] * d2
    d0 = np.cos(f0) * omega[1] * d1
    ins = (x, h1, h2, h3) if omega_input == "h" else (x, f0, f1, f2)
    return np.array([d0, d1, d2, d3]), np.array([ins[0] * d0, ins[1] * d1, ins[2] * d2, ins[3] * d3])


def _tb_cos_sign(x, y, beta, omega):
    return _tb(x, y, beta, omega, cos_sign=1.0)


def _tb_no_two(x, y, beta, omega):
    return _tb(x, y, beta, omega, two=1.0)


def _tb_pre_activation(x, y, beta, omega):
    return _tb(x, y, beta, omega, omega_input="f")


def _tb_expanded(x, y, beta, omega):
    """Correct: each derivative as the full product of the chain, as the lecture writes dl/domega_0."""
    f0, h1, f1, h2, f2, h3, f3 = _tf(x, beta, omega)
    e = 2 * (f3 - y)
    chain3 = e
    chain2 = e * omega[3] * -np.sin(f2)
    chain1 = e * omega[3] * -np.sin(f2) * omega[2] * np.exp(f1)
    chain0 = e * omega[3] * -np.sin(f2) * omega[2] * np.exp(f1) * omega[1] * np.cos(f0)
    return np.array([chain0, chain1, chain2, chain3]), np.array([x * chain0, h1 * chain1, h2 * chain2, h3 * chain3])


# ----------------------------------------------------------------------------- activation derivatives
def _act_cases(rng):
    cases = [Case("z = [-2, -1, 0, 1, 2]", (np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),)),
             Case("z = 0 (a 0-d array)", (np.array(0.0),)),
             Case("large |z|: -500, -30, 30, 500", (np.array([-500.0, -30.0, 30.0, 500.0]),))]
    for _ in range(3):
        shape = tuple(int(s) for s in rng.integers(1, 5, size=int(rng.integers(1, 3))))
        z = rng.normal(0.0, 3.0, size=shape)
        z.reshape(-1)[0] = 0.0
        cases.append(Case(f"random z of shape {shape} with a 0", (z,)))
    return cases


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


ITEMS_ACT = {
    "sigmoid_grad": (
        (Variant("plus", "uses sigma (1 + sigma) instead of sigma (1 - sigma)", lambda z: _sig(z) * (1 + _sig(z))),
         Variant("of_z", "applies the formula to z instead of to sigma(z): z (1 - z)", lambda z: np.asarray(z, float) * (1 - np.asarray(z, float))),
         Variant("sigmoid_itself", "returns sigma(z) instead of its derivative", _sig)),
        (Variant("cosh", "1 / (4 cosh(z/2)^2), another exact form", lambda z: 0.25 / np.cosh(0.5 * np.asarray(z, float)) ** 2),)),
    "tanh_grad": (
        (Variant("not_squared", "uses 1 - tanh(z) instead of 1 - tanh(z)^2", lambda z: 1 - np.tanh(z)),
         Variant("of_z", "applies the formula to z instead of tanh(z): 1 - z^2", lambda z: 1 - np.asarray(z, float) ** 2),
         Variant("plus", "uses 1 + tanh(z)^2", lambda z: 1 + np.tanh(z) ** 2)),
        (Variant("cosh", "1 / cosh(z)^2, another exact form", lambda z: 1 / np.cosh(np.asarray(z, float)) ** 2),)),
    "relu_grad": (
        (Variant("one_at_zero", "gives relu'(0) = 1 (z >= 0) where the course uses 0", lambda z: (np.asarray(z) >= 0).astype(float)),
         Variant("relu_itself", "returns relu(z) instead of its derivative", lambda z: np.maximum(np.asarray(z, float), 0.0)),
         Variant("sign", "returns sign(z), so -1 for negative z", lambda z: np.sign(np.asarray(z, float))),
         Variant("booleans", "returns booleans (z > 0) instead of floats: -relu_grad(z) then raises TypeError; use (z > 0).astype(float)",
                 lambda z: np.asarray(z) > 0)),
        (Variant("heaviside", "np.heaviside(z, 0.0)", lambda z: np.heaviside(np.asarray(z, float), 0.0)),)),
}


# ----------------------------------------------------------------------------- layer and network backward
_DER = {"identity": np.ones_like, "relu": lambda z: (z > 0).astype(float),
        "sigmoid": lambda z: _sig(z) * (1 - _sig(z)), "tanh": lambda z: 1 - np.tanh(z) ** 2}


def _layer_cases(rng):
    cases = []
    for act in ("relu", "sigmoid", "tanh", "identity"):
        n_prev, n, m = (int(v) for v in rng.integers(1, 6, size=3))
        m += 1
        cases.append(Case(f"{act} layer, W ({n}, {n_prev}), batch of {m}",
                          (rng.normal(size=(n, m)), rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)),
                           rng.normal(size=(n, 1)), act)))
    cases.append(Case("relu layer, square W (3, 3), batch of 3",
                      (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 1)), "relu")))
    return cases


def _lb(dA, cache, *, by_m=False, transposed=False, no_derivative=False, no_db=False):
    A_prev, W, b, Z, act = cache
    dZ = dA if no_derivative else dA * _DER[act](Z)
    m = A_prev.shape[1] if by_m else 1
    dW = (A_prev @ dZ.T if transposed else dZ @ A_prev.T) / m
    db = np.zeros_like(b) if no_db else np.sum(dZ, axis=1, keepdims=True) / m
    return W.T @ dZ, dW, db


def _lb_loop(dA, cache):
    """Correct: dW and db summed sample by sample."""
    A_prev, W, b, Z, act = cache
    dZ = dA * _DER[act](Z)
    dW, db = np.zeros_like(W), np.zeros_like(b)
    for j in range(A_prev.shape[1]):
        dW += np.outer(dZ[:, j], A_prev[:, j])
        db[:, 0] += dZ[:, j]
    return W.T @ dZ, dW, db


def _flat(params):
    return tuple(a for Wb in params for a in Wb)


def _net(rng, sizes):
    return [(rng.normal(size=(n, p)) / np.sqrt(p), rng.normal(0, 0.3, size=(n, 1))) for p, n in zip(sizes[:-1], sizes[1:])]


def _mlp_backward_cases(rng):
    cases = []
    for hidden, output, sizes in (("relu", "identity", [3, 5, 4]), ("tanh", "sigmoid", [4, 6, 5, 3]), ("sigmoid", "identity", [2, 3, 3, 3, 2])):
        m = int(rng.integers(2, 7))
        cases.append(Case(f"{hidden} hidden layers, {output} output, sizes {sizes}, batch of {m}",
                          (rng.normal(size=(sizes[-1], m)), rng.normal(size=(sizes[0], m)), hidden, output, *_flat(_net(rng, sizes)))))
    cases.append(Case("one layer (no hidden layer), relu, batch of 4",
                      (rng.normal(size=(2, 4)), rng.normal(size=(3, 4)), "relu", "relu", *_flat(_net(rng, [3, 2])))))
    return cases


def _G(act):
    return {"identity": lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "sigmoid": _sig, "tanh": np.tanh}[act]


def _mb(dY, caches, *, no_hidden_derivative=False, reverse=False):
    grads, dA = [], dY
    for k, cache in enumerate(reversed(caches)):
        hidden = k > 0
        dA_prev, dW, db = _lb(dA, cache, no_derivative=no_hidden_derivative and hidden)
        grads.append((dW, db))
        dA = dA_prev
    return grads if reverse else grads[::-1]


def _mb_inline(dY, caches):
    """Correct: the delta rule written out without layer_backward, building the list from the front."""
    grads, dA = [], dY
    for A_prev, W, b, Z, act in caches[::-1]:
        delta = dA * _DER[act](Z)
        grads.insert(0, (delta @ A_prev.T, delta.sum(axis=1).reshape(-1, 1)))
        dA = W.T @ delta
    return grads


def _lg_cases(rng):
    cases = []
    for sizes in ([4, 6, 3], [5, 8, 6, 4], [3, 2]):
        m = int(rng.integers(2, 9))
        labels = rng.integers(0, sizes[-1], size=m)
        Y = np.zeros((sizes[-1], m))
        Y[labels, np.arange(m)] = 1.0
        cases.append(Case(f"sizes {sizes}, batch of {m}", (rng.normal(size=(sizes[0], m)), Y, *_flat(_net(rng, sizes)))))
    return cases


def _lg(params, X, Y, *, output="identity", hidden="relu", extra_m=False, no_m=False):
    A, caches = X, []
    for l, (W, b) in enumerate(params, start=1):
        act = hidden if l < len(params) else output
        Z = W @ A + b
        caches.append((A, W, b, Z, act))
        A = _G(act)(Z)
    m = X.shape[1]
    Zc = A - A.max(axis=0, keepdims=True)
    P = np.exp(Zc) / np.exp(Zc).sum(axis=0, keepdims=True)
    loss = float(np.sum(-np.sum(Y * (Zc - np.log(np.exp(Zc).sum(axis=0, keepdims=True))), axis=0)) / m)
    dZ = (P - Y) / (1 if no_m else m) / (m if extra_m else 1)
    return loss, _mb(dZ, caches)


def _lg_relu_out(params, X, Y):
    return _lg(params, X, Y, output="relu")


def _lg_extra_m(params, X, Y):
    return _lg(params, X, Y, extra_m=True)


def _lg_no_m(params, X, Y):
    return _lg(params, X, Y, no_m=True)


def _lg_sigmoid_hidden(params, X, Y):
    return _lg(params, X, Y, hidden="sigmoid")


def _lg_logsoftmax(params, X, Y):
    """Correct: the loss through log-softmax computed with np.logaddexp.reduce per column."""
    A, caches = X, []
    for l, (W, b) in enumerate(params, start=1):
        act = "relu" if l < len(params) else "identity"
        Z = W @ A + b
        caches.append((A, W, b, Z, act))
        A = _G(act)(Z)
    m = X.shape[1]
    lse = np.logaddexp.reduce(A, axis=0)
    loss = float(np.mean(lse - np.sum(Y * A, axis=0)))
    return loss, _mb_inline((np.exp(A - lse) - Y) / m, caches)


# ----------------------------------------------------------------------------- train_mlp
def _train_cases(rng):
    """Small training runs on random data, compared with the reference's step by step: the spec fixes every draw
    (init_params from rng first, then one minibatches(X, Y, batch_size, rng) per epoch), so a right answer ends
    with the reference's parameters, losses and callback calls. A batch size that does not divide m, one that
    does, and one larger than m."""
    cases = []
    for hidden, (m, batch, epochs) in zip(([5], [4, 3], [6]), ((11, 4, 3), (12, 4, 2), (7, 10, 2))):
        n0, C = int(rng.integers(2, 5)), int(rng.integers(2, 4))
        sizes = [n0, *hidden, C]
        Y = np.zeros((C, m))
        Y[rng.integers(0, C, size=m), np.arange(m)] = 1.0
        lr = float(rng.choice([0.1, 0.5]))
        cases.append(Case(f"layer_sizes {sizes}, {m} samples, batch_size {batch}, lr {lr}, {epochs} epochs",
                          (rng.normal(size=(n0, m)), Y, np.array(sizes, dtype=float), lr, epochs, batch,
                           Seed(int(rng.integers(0, 2 ** 31))))))
    return cases


def _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None, *, sign=-1.0, update=True, order=True,
           first_epoch=1, batch_loss=False, in_place=False):
    params = [(rng.standard_normal((n, p)) * np.sqrt(2 / p), np.zeros((n, 1))) for p, n in zip(layer_sizes[:-1], layer_sizes[1:])]
    losses = []
    for epoch in range(first_epoch, first_epoch + epochs):
        perm = rng.permutation(X.shape[1]) if order else np.arange(X.shape[1])
        for k in range(0, X.shape[1], batch_size):
            idx = perm[k:k + batch_size]
            loss, grads = _lg(params, X[:, idx], Y[:, idx])
            if in_place:
                for (W, b), (dW, db) in zip(params, grads):
                    W -= lr * dW
                    b -= lr * db
                continue
            new = [(W + sign * lr * dW, b + sign * lr * db) for (W, b), (dW, db) in zip(params, grads)]
            if update:
                params = new
        losses.append(loss if batch_loss else _lg(params, X, Y)[0])
        if callback is not None:
            callback(epoch, params)
    return params, np.array(losses)


def _train_ascent(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    return _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback, sign=+1.0)


def _train_no_update(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    return _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback, update=False)


def _train_no_shuffle(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    return _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback, order=False)


def _train_epochs_from_0(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    return _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback, first_epoch=0)


def _train_batch_loss(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    return _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback, batch_loss=True)


def _train_in_place(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    """Correct: W -= lr * dW on the arrays init_params made (they belong to train_mlp)."""
    return _train(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback, in_place=True)


def _train_while(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
    """Correct: a while loop over the epochs, the batches sliced from its own rng.permutation(m) (the draw of minibatches)."""
    params = [(rng.standard_normal((n, p)) * np.sqrt(2 / p), np.zeros((n, 1))) for p, n in zip(layer_sizes[:-1], layer_sizes[1:])]
    losses, epoch, m = [], 0, X.shape[1]
    while epoch < epochs:
        epoch += 1
        perm = rng.permutation(m)
        start = 0
        while start < m:
            idx = perm[start:start + batch_size]
            start += batch_size
            grads = _lg(params, X[:, idx], Y[:, idx])[1]
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
        losses.append(_lg(params, X, Y)[0])
        if callback:
            callback(epoch, params)
    return params, losses


# ----------------------------------------------------------------------------- centred_difference (Exercise 1.2)
# The probe builds f from plain arrays by name (autograde/sandboxed/probes_backprop.py: bp_centred_difference) and
# returns the answer's gradient and theta as the answer left it. Two correct answers evaluate f at exactly the same
# points (theta[i] + h and theta[i] - h are the same floats however they are formed), so they agree to a few ulps;
# the one-sided quotient is off by about h/2 f'' (1e-4 relative at h = 1e-3), dividing by h doubles everything.
def _cd_cases(rng):
    cases = []
    n = int(rng.integers(2, 5))
    Q = rng.normal(size=(n, n))
    cases.append(Case(f"a quadratic of {n} parameters, h = 1e-5", ("quadratic", Q + Q.T, rng.normal(size=n), rng.normal(size=n), 1e-5)))
    shape = (2, int(rng.integers(2, 4)))
    cases.append(Case(f"a smooth function of a {shape} matrix, h = 1e-3",
                      ("smooth", rng.uniform(0.5, 2.0, size=shape), rng.normal(size=shape), rng.normal(size=shape), 1e-3)))
    cases.append(Case("a 0-d array (one number), h = 0.1",
                      ("smooth", np.array(rng.uniform(0.5, 2.0)), np.array(rng.normal()), np.array(rng.normal()), 0.1)))
    cases.append(Case("a smooth function of 4 parameters, h = 1e-4",
                      ("smooth", rng.uniform(0.5, 2.0, size=4), rng.normal(size=4), rng.normal(size=4), 1e-4)))
    return cases


def _cd(f, theta, h=1e-5, *, one_sided=False, divisor=2.0, all_at_once=False, restore=True):
    grad = np.zeros(theta.shape)
    if all_at_once:
        slope = (f(theta + h) - f(theta - h)) / (2 * h)
        return np.full(theta.shape, slope)
    for i in np.ndindex(theta.shape):
        old = theta[i]
        theta[i] = old + h
        up = f(theta)
        theta[i] = old if one_sided else old - h
        down = f(theta)
        if restore:
            theta[i] = old
        grad[i] = (up - down) / (h if one_sided else divisor * h)
    return grad


def _cd_copy(f, theta, h=1e-5):
    """Correct: a fresh copy nudged for every entry; theta itself is never touched."""
    grad = np.zeros(theta.shape)
    for i in np.ndindex(theta.shape):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (f(up) - f(down)) / (2 * h)
    return grad


# ----------------------------------------------------------------------------- fork_backward (Exercise 1.4)
def _fork_cases(rng):
    cases = [Case("random x, y, beta, omega", (float(rng.normal()), float(rng.normal()), rng.normal(0, 0.7, 2), rng.normal(0, 0.9, 3)))
             for _ in range(4)]
    cases.append(Case("x = 0.5, y = 1, beta = 0, omega = 1", (0.5, 1.0, np.zeros(2), np.ones(3))))
    return cases


def _fork(x, y, beta, omega, *, paths=("sin", "exp"), two=2.0):
    f0 = beta[0] + omega[0] * x
    h1, h2 = np.sin(f0), np.exp(f0)
    f1 = beta[1] + omega[1] * h1 + omega[2] * h2
    d1 = two * (f1 - y)
    d0 = (np.cos(f0) * omega[1] * d1 if "sin" in paths else 0.0) + (np.exp(f0) * omega[2] * d1 if "exp" in paths else 0.0)
    return np.array([d0, d1]), np.array([x * d0, h1 * d1, h2 * d1])


def _fork_expanded(x, y, beta, omega):
    """Correct: the gradient at f0 written as one expression, the two branches expanded."""
    f0 = beta[0] + omega[0] * x
    e = 2 * (beta[1] + omega[1] * np.sin(f0) + omega[2] * np.exp(f0) - y)
    d0 = e * (omega[1] * np.cos(f0) + omega[2] * np.exp(f0))
    return np.array([d0, e]), np.array([x * d0, np.sin(f0) * e, np.exp(f0) * e])


# ----------------------------------------------------------------------------- softmax_backward (Exercise 3.4)
def _smb_cases(rng):
    cases = []
    for scale in (1.0, 3.0):
        C, m = int(rng.integers(2, 6)), int(rng.integers(1, 6))
        cases.append(Case(f"random logits of size {scale:g} and dP, shape ({C}, {m})", (rng.normal(size=(C, m)), scale * rng.normal(size=(C, m)))))
    cases.append(Case("logits of size 30 (the softmax nearly one-hot), shape (4, 3)", (rng.normal(size=(4, 3)), 30 * rng.normal(size=(4, 3)))))
    cases.append(Case("one column (a single sample), 5 classes", (rng.normal(size=(5, 1)), rng.normal(size=(5, 1)))))
    cases.append(Case("two classes, 4 samples", (rng.normal(size=(2, 4)), rng.normal(size=(2, 4)))))
    return cases


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _smb(dP, Z, *, diagonal=False, axis=0, no_p=False, sign=1.0):
    P = _softmax(Z)
    if diagonal:
        return dP * P * (1 - P)
    s = np.sum(P * dP, axis=axis, keepdims=True)
    return sign * ((dP - s) if no_p else P * (dP - s))


def _smb_jacobian(dP, Z):
    """Correct: the C x C Jacobian diag(p) - p p^T built per column, applied to that column of dP."""
    P = _softmax(Z)
    dZ = np.zeros_like(dP)
    for j in range(P.shape[1]):
        p = P[:, j]
        dZ[:, j] = (np.diag(p) - np.outer(p, p)).T @ dP[:, j]
    return dZ
TOL = dict(rtol=1e-8, atol=1e-12)

ITEMS = [
    Item("toy_forward", NB, _toy_forward_cases, **TOL,
         outputs=tuple((n, "") for n in ("f0", "h1", "f1", "h2", "f2", "h3", "f3")),
         mistakes=(Variant("reversed", "applies the functions in the wrong order (cos innermost, sin outermost)", _tf_reversed),
                   Variant("no_bias", "leaves out the biases beta_k", _tf_no_bias)),
         alternatives=(Variant("one_line", "each intermediate written out from x", _tf_one_line),)),
    Item("toy_backward", NB, _toy_backward_cases, **TOL, uses=("toy_forward",),
         outputs=(("d_beta", "dl/dbeta_0..3"), ("d_omega", "dl/domega_0..3")),
         mistakes=(Variant("cos_sign", "has the sign of the derivative of cos wrong (+sin instead of -sin)", _tb_cos_sign),
                   Variant("no_two", "drops the 2 of the loss derivative dl/df3 = 2 (f3 - y)", _tb_no_two),
                   Variant("pre_activation", "multiplies dl/df_k by the pre-activation f_(k-1) instead of the activation h_k for omega_k", _tb_pre_activation)),
         alternatives=(Variant("expanded", "each derivative as the full product of the chain", _tb_expanded),)),
    # Decided (issue 17, a "minor" case): relu_grad returning booleans (z > 0) fails. The spec says a float array,
    # and booleans break arithmetic a derivative takes part in (-relu_grad(z) raises TypeError in numpy, and
    # relu_grad(z) - 1 is an integer array); so its probe also reports whether the result is floats.
    *[Item(name, NB, _act_cases, **TOL, mistakes=mistakes, alternatives=alternatives,
           **({"probe": "bp_float_array", "outputs": (("output", ""), ("floats", "1 when the result is a float array, "
                                                                      "not booleans or integers"))} if name == "relu_grad" else {}))
      for name, (mistakes, alternatives) in ITEMS_ACT.items()],
    Item("layer_backward", NB, _layer_cases, probe="bp_layer_backward", **TOL, uses=("relu_grad", "sigmoid_grad", "tanh_grad"),
         outputs=(("dA_prev", "the gradient at the layer's input"), ("dW", "the gradient of W"), ("db", "the gradient of b")),
         mistakes=(Variant("divides_by_m", "divides dW and db by m again (the 1/m is already in dA)", lambda dA, c: _lb(dA, c, by_m=True)),
                   Variant("no_db", "leaves db at zero", lambda dA, c: _lb(dA, c, no_db=True)),
                   Variant("transposed_dW", "computes dW as A_prev dZ^T, the transpose of the gradient", lambda dA, c: _lb(dA, c, transposed=True)),
                   Variant("no_derivative", "forgets the activation's derivative: dZ = dA", lambda dA, c: _lb(dA, c, no_derivative=True))),
         alternatives=(Variant("loop", "dW and db summed sample by sample", _lb_loop),)),
    Item("mlp_backward", NB, _mlp_backward_cases, probe="bp_mlp_backward", **TOL, uses=("layer_backward",),
         outputs=(),
         mistakes=(Variant("no_hidden_derivative", "forgets the activation derivative in the hidden layers", lambda d, c: _mb(d, c, no_hidden_derivative=True)),
                   Variant("last_first", "returns the gradients last layer first instead of first layer first", lambda d, c: _mb(d, c, reverse=True))),
         alternatives=(Variant("inline", "the delta rule written out without layer_backward", _mb_inline),)),
    Item("mlp_loss_and_grads", NB, _lg_cases, probe="bp_loss_and_grads", **TOL, uses=("mlp_backward", "layer_backward"),
         mistakes=(Variant("relu_output", "puts a ReLU on the output layer instead of passing the logits to the softmax", _lg_relu_out),
                   Variant("extra_m", "divides the gradient by m a second time", _lg_extra_m),
                   Variant("no_m", "starts the backward pass from softmax(Z) - Y without the 1/m of the mean loss: every gradient is m times too large", _lg_no_m),
                   Variant("sigmoid_hidden", "uses sigmoid hidden layers instead of ReLU", _lg_sigmoid_hidden)),
         alternatives=(Variant("logsumexp", "the loss through np.logaddexp and the backward pass written inline", _lg_logsoftmax),)),
    Item("train_mlp", NB, _train_cases, probe="bp_train", rtol=1e-8, atol=1e-12,
         uses=("mlp_loss_and_grads", "mlp_backward", "layer_backward"),
         outputs=(("losses", "the loss on the whole of X after each epoch"),
                  ("callback epochs", "the epoch number each callback call got, counted from 1"),
                  ("callback params", "the sum of all entries of the parameters each callback call got"),
                  *[(f"{p}{l}", f"the trained {p} of layer {l}") for l in (1, 2, 3) for p in ("W", "b")]),
         mistakes=(Variant("ascent", "steps up the gradient (W + lr dW): the training loss grows", _train_ascent),
                   Variant("no_update", "computes the new parameters but never keeps them: the loss never changes", _train_no_update),
                   Variant("no_shuffle", "never calls minibatches: the batches take the samples in their original order every epoch", _train_no_shuffle),
                   Variant("epochs_from_0", "counts the callback's epochs from 0; the spec counts them from 1", _train_epochs_from_0),
                   Variant("batch_loss", "records the last mini-batch's loss as the epoch's loss instead of the loss on the whole of X", _train_batch_loss)),
         alternatives=(Variant("in_place", "W -= lr * dW on the arrays it made", _train_in_place),
                       Variant("while_loops", "while loops, the batches sliced from its own rng.permutation(m)", _train_while))),
]

# Added with notebook 05's derive-implement-check exercises (after the items above, so that edits to those merge).
ITEMS += [
    Item("centred_difference", NB, _cd_cases, probe="bp_centred_difference", rtol=1e-9, atol=1e-12,
         outputs=(("grad", "the centred differences, shape of theta"), ("theta_after", "theta as your function left it: it must be unchanged")),
         mistakes=(Variant("one_sided", "uses the one-sided quotient (f(theta + h e_i) - f(theta)) / h instead of the centred one",
                           lambda f, t, h=1e-5: _cd(f, t, h, one_sided=True)),
                   Variant("divides_by_h", "divides by h instead of 2h: every entry twice the slope", lambda f, t, h=1e-5: _cd(f, t, h, divisor=1.0)),
                   Variant("all_at_once", "nudges every entry at once, so every entry gets the same number (the slope along (1, 1, ...))",
                           lambda f, t, h=1e-5: _cd(f, t, h, all_at_once=True)),
                   Variant("not_restored", "nudges theta in place and never puts the entry back: theta comes back changed, and the later entries are measured at the wrong point",
                           lambda f, t, h=1e-5: _cd(f, t, h, restore=False))),
         alternatives=(Variant("copies", "a fresh copy of theta nudged for every entry", _cd_copy),)),
    Item("fork_backward", NB, _fork_cases, **TOL,
         outputs=(("d_beta", "dl/dbeta_0, dl/dbeta_1"), ("d_omega", "dl/domega_0..2")),
         mistakes=(Variant("only_sin", "keeps only the branch through sin at f0: the gradient through exp is lost (the two parts must add)",
                           lambda x, y, b, w: _fork(x, y, b, w, paths=("sin",))),
                   Variant("only_exp", "keeps only the branch through exp at f0 (the part through sin is overwritten instead of added)",
                           lambda x, y, b, w: _fork(x, y, b, w, paths=("exp",))),
                   Variant("no_two", "drops the 2 of the loss derivative dl/df1 = 2 (f1 - y)", lambda x, y, b, w: _fork(x, y, b, w, two=1.0))),
         alternatives=(Variant("expanded", "the gradient at f0 as one expression with both branches", _fork_expanded),)),
    Item("softmax_backward", NB, _smb_cases, **TOL,
         outputs=(("dZ", "the gradient at the logits"),),
         mistakes=(Variant("diagonal", "keeps only the i = k term of the sum, dP * p (1 - p), as if z_k changed p_k alone",
                           lambda dP, Z: _smb(dP, Z, diagonal=True)),
                   Variant("rows", "sums over the rows (across samples) instead of over each column's classes",
                           lambda dP, Z: _smb(dP, Z, axis=1)),
                   Variant("no_p", "forgets the factor p in front: dP - sum(p dP) instead of p (dP - sum(p dP))",
                           lambda dP, Z: _smb(dP, Z, no_p=True)),
                   Variant("sign", "has the sign of the result flipped: p (sum(p dP) - dP)", lambda dP, Z: _smb(dP, Z, sign=-1.0))),
         alternatives=(Variant("jacobian", "the C x C Jacobian diag(p) - p p^T built for each column and applied to it", _smb_jacobian),)),
]
# make demo's two-bug submission (answer cell grade id -> code): the grader should name both.
DEMO_BUGS = {
    "relu_grad": '''
        def relu_grad(z):
            return (np.asarray(z) >= 0).astype(float)   # 1 at the kink z = 0
    ''',
    "toy_backward": '''
        def toy_backward(x, y, beta, omega):
            f0, h1, f1, h2, f2, h3, f3 = toy_forward(x, beta, omega)
            dl_df3 = 2.0 * (f3 - y)
            dl_df2 = np.sin(f2) * omega[3] * dl_df3          # d cos / dz = +sin?
            dl_df1 = np.exp(f1) * omega[2] * dl_df2
            dl_df0 = np.cos(f0) * omega[1] * dl_df1
            return (np.array([dl_df0, dl_df1, dl_df2, dl_df3]),
                    np.array([x * dl_df0, h1 * dl_df1, h2 * dl_df2, h3 * dl_df3]))
    ''',
}
