"""Graded items of notebook 01 (perceptron): randomized cases and edge cases.

Tolerances: activations are bounded by 1 in size, so an absolute tolerance of 1e-10 accepts every
float64 formula (a naive ``(e^z - e^-z)/(e^z + e^-z)`` loses ~1e-16 absolute near 0, far below it)
while any real mistake (a wrong sign, a missing 0.5) is off by far more. The perceptron cases use
integer inputs and power-of-two learning rates, so every update is exact in float64 and the
trajectory (and its error counts) does not depend on how a student orders the arithmetic.
"""
from __future__ import annotations

import numpy as np

from autograde.spec import Case, Item

NOTEBOOK = NB = "01_perceptron"


def _shape(rng: np.random.Generator) -> tuple:
    ndim = int(rng.integers(1, 4))
    return tuple(int(s) for s in rng.integers(1, 6, size=ndim))


def _activation_cases(rng: np.random.Generator, scale: float = 5.0, big: float | None = None) -> list[Case]:
    cases = [Case("z = [-2, -1, 0, 1, 2]", (np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),)),
             Case("z = 0 (a 0-d array)", (np.array(0.0),))]
    for _ in range(4):
        shape = _shape(rng)
        z = rng.normal(0.0, scale, size=shape)
        z.reshape(-1)[rng.integers(0, z.size)] = 0.0  # every random case also holds an exact 0
        cases.append(Case(f"random z of shape {shape}", (z,)))
    if big is not None:
        z = np.concatenate([np.array([-big, big, -1000.0, 1000.0, -40.0, 40.0]), rng.uniform(-big, big, size=6)])
        cases.append(Case(f"large |z| up to {big:g}", (z,)))
    return cases


NEURON_ACTIVATIONS = ("identity", "tanh", "square")  # by name: see autograde.sandboxed.probes


def _neuron_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for act in NEURON_ACTIVATIONS:
        n, m = int(rng.integers(1, 5)), int(rng.integers(1, 8))
        cases.append(Case(f"X of shape ({n}, {m}), activation {act}",
                          (rng.normal(size=(n, m)), rng.normal(size=n), float(rng.normal()), act)))
    cases.append(Case("one sample, one feature, identity", (np.array([[2.0]]), np.array([3.0]), -1.0, "identity")))
    return cases


def _predict_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case("a point exactly on the line (z = 0) and two off it",
                  (np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 0.0]]), np.array([1.0, -1.0]), 0.0))]
    for _ in range(3):
        n, m = int(rng.integers(1, 4)), int(rng.integers(2, 10))
        cases.append(Case(f"X of shape ({n}, {m})", (rng.normal(size=(n, m)), rng.normal(size=n), float(rng.normal()))))
    return cases


def _separable(rng: np.random.Generator, n: int, m: int):
    """Integer points labelled by an integer hyperplane, none on it (so the data is separable)."""
    w_true = rng.integers(-3, 4, size=n)
    w_true[0] = w_true[0] or 1
    b_true = int(rng.integers(-2, 3)) + 0.5  # half-integer: no integer point sits on the plane
    X = rng.integers(-4, 5, size=(n, m)).astype(float)
    y = (w_true @ X + b_true > 0).astype(float)
    return X, y


def _train_cases(rng: np.random.Generator) -> list[Case]:
    X_and = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    cases = [
        Case("AND truth table, lr 1, 20 epochs", (X_and, np.array([0.0, 0.0, 0.0, 1.0]), 1.0, 20)),
        Case("OR truth table, lr 0.5, 20 epochs", (X_and, np.array([0.0, 1.0, 1.0, 1.0]), 0.5, 20)),
        Case("XOR truth table (never converges), lr 1, 7 epochs", (X_and, np.array([0.0, 1.0, 1.0, 0.0]), 1.0, 7)),
    ]
    for lr in (0.25, 1.0):
        n, m = int(rng.integers(2, 4)), int(rng.integers(6, 16))
        X, y = _separable(rng, n, m)
        cases.append(Case(f"separable integer data, X of shape ({n}, {m}), lr {lr}, 100 epochs", (X, y, lr, 100)))
    return cases


def _xor_cases(rng: np.random.Generator) -> list[Case]:
    table = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    shuffled = table[:, rng.integers(0, 4, size=9)]
    return [Case("the XOR truth table", (table,)), Case("9 binary inputs in random order", (shuffled,))]


def _no_cases(rng: np.random.Generator) -> list[Case]:
    return [Case("its truth table", ())]


ITEMS = [
    Item("step", NB, lambda rng: _activation_cases(rng), exact=True),
    Item("sign", NB, lambda rng: _activation_cases(rng), exact=True),
    Item("sigmoid", NB, lambda rng: _activation_cases(rng, big=1e4)),
    Item("tanh", NB, lambda rng: _activation_cases(rng, big=50.0), uses=("sigmoid",)),
    Item("relu", NB, lambda rng: _activation_cases(rng)),
    Item("neuron", NB, _neuron_cases, probe="neuron", rtol=1e-9, atol=1e-10),
    Item("perceptron_predict", NB, _predict_cases, exact=True, uses=("step",)),
    Item("perceptron_train", NB, _train_cases, rtol=1e-12, atol=1e-12,
         outputs=(("w", "the weights"), ("b", "the bias"), ("errors_per_epoch", "the number of misclassified samples in each epoch"))),
    Item("AND_WEIGHTS", NB, _no_cases, probe="gate", exact=True, callable_answer=False),
    Item("OR_WEIGHTS", NB, _no_cases, probe="gate", exact=True, callable_answer=False),
    Item("NOT_WEIGHTS", NB, _no_cases, probe="gate", exact=True, callable_answer=False),
    Item("xor_network", NB, _xor_cases, exact=True, uses=("step",)),
]

# make demo's two-bug submission: two classic mistakes (answer cell grade id -> code). The grader
# should name both ("this looks like: ...").
DEMO_BUGS = {
    "step": '''
        def step(z):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, 1.0, 0.0)   # forgot the 0.5 at z == 0
    ''',
    "perceptron_train": '''
        def perceptron_train(X, y, lr, epochs):
            N, m = X.shape
            w, b = np.zeros(N), 0.0
            errors_per_epoch = []
            for epoch in range(epochs):          # forgot to stop after an error-free epoch
                errors = 0
                for i in range(m):
                    y_hat = 1.0 if w @ X[:, i] + b > 0 else 0.0
                    if y_hat != y[i]:
                        w = w + lr * (y[i] - y_hat) * X[:, i]
                        b = b + lr * (y[i] - y_hat)
                        errors += 1
                errors_per_epoch.append(errors)
            return w, b, errors_per_epoch
    ''',
}
