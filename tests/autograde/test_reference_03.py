"""The reference of notebook 03 (loss functions) against hand-worked values, closed forms and finite differences.

Each expected value comes from outside the code under test: worked by hand (in the docstring), a
closed form (log 2, a log-sum-exp of two numbers), a plain loop over the lectures' per-sample
formula, or centred finite differences computed here with numpy (not with nbcourse.gradcheck).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from autograde.reference import load_reference

GRADED_03 = ["one_hot", "square_loss", "hinge_loss", "binary_cross_entropy", "sigmoid_binary_cross_entropy",
             "softmax", "cross_entropy", "accuracy"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("03_losses")


def _fd(f, x, h=1e-6):
    """Centred finite differences of a scalar function, entry by entry (written here, independently)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


def test_every_graded_name_of_03_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 03?"""
    assert [n for n in GRADED_03 if not hasattr(ref, n)] == []


def test_one_hot_puts_a_one_at_each_label(ref):
    """Is one_hot([2, 0], 3) the columns e_2 and e_0, shape (C, m) = (3, 2)?"""
    np.testing.assert_array_equal(ref.one_hot(np.array([2, 0]), 3), [[0, 1], [0, 0], [1, 0]])


def test_square_loss_worked_by_hand(ref):
    """Is the square loss of errors (1, 0, 1 | 0, 2, 0) over m = 3 samples (1 + 1 + 4) / 3 = 2, gradient 2 e / 3?"""
    Y_hat = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])
    Y = np.array([[0.0, 2.0, 1.0], [0.0, 3.0, 1.0]])
    loss, grad = ref.square_loss(Y_hat, Y)
    assert loss == pytest.approx(2.0)
    np.testing.assert_allclose(grad, [[2 / 3, 0.0, -2 / 3], [0.0, -4 / 3, 0.0]])


@pytest.mark.parametrize("name,make", [
    ("square_loss", lambda rng: (rng.normal(size=(3, 4)), rng.normal(size=(3, 4)))),
    ("binary_cross_entropy", lambda rng: (rng.uniform(0.1, 0.9, size=(1, 5)), rng.integers(0, 2, size=(1, 5)).astype(float))),
    ("sigmoid_binary_cross_entropy", lambda rng: (rng.normal(0, 3, size=(1, 6)), rng.integers(0, 2, size=(1, 6)).astype(float))),
    ("cross_entropy", lambda rng: (rng.normal(0, 2, size=(4, 5)), np.eye(4)[:, [0, 3, 1, 1, 2]])),
    ("hinge_loss", lambda rng: (np.array([[-1.3, 0.4, 2.2, 0.7]]), np.array([[1.0, -1.0, 1.0, 1.0]]))),  # no margin at 1
])
def test_gradient_matches_finite_differences(ref, name, make):
    """Is each loss's gradient the centred finite difference of its loss (to 1e-6 relative)?"""
    x, y = make(np.random.default_rng(11))
    fn = getattr(ref, name)
    np.testing.assert_allclose(fn(x, y)[1], _fd(lambda v: fn(v, y)[0], x), rtol=1e-6, atol=1e-9)


def test_hinge_loss_worked_by_hand(ref):
    """Margins 2, 0.5, -1, 3: are the losses 0, 0.5, 2, 0 (mean 0.625) and the gradient -y/4 inside the hinge?"""
    loss, grad = ref.hinge_loss(np.array([[2.0, 0.5, -1.0, -3.0]]), np.array([[1.0, 1.0, 1.0, -1.0]]))
    assert loss == pytest.approx(0.625)
    np.testing.assert_allclose(grad, [[0.0, -0.25, -0.25, 0.0]])


def test_binary_cross_entropy_of_a_half_is_log_2(ref):
    """Is the binary cross-entropy of p = 0.5 exactly log 2 whatever the label?"""
    loss, _ = ref.binary_cross_entropy(np.array([[0.5, 0.5]]), np.array([[0.0, 1.0]]))
    assert loss == pytest.approx(math.log(2), rel=1e-14)


def test_sigmoid_bce_equals_bce_of_the_sigmoid(ref):
    """Is the loss from logits the binary cross-entropy of 1 / (1 + e^-z) on moderate logits (the derivation's claim)?"""
    z = np.array([[-3.0, -0.5, 0.0, 1.0, 4.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0, 1.0]])
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert ref.sigmoid_binary_cross_entropy(z, y)[0] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(ref.sigmoid_binary_cross_entropy(z, y)[1], (p - y) / 5, rtol=1e-12)


def test_sigmoid_bce_survives_logits_of_1000(ref):
    """For z = (1000, -1000) and y = (0, 1), confidently wrong, is the loss exactly (1000 + 1000) / 2, without a warning?"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            loss, grad = ref.sigmoid_binary_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]]))
    assert loss == 1000.0
    np.testing.assert_array_equal(grad, [[0.5, -0.5]])


def test_softmax_of_log_1_and_log_3_is_a_quarter_and_three_quarters(ref):
    """Is softmax of the column (0, ln 3) = (1/4, 3/4) (e^0 / (1 + 3), worked by hand), per column?"""
    np.testing.assert_allclose(ref.softmax(np.array([[0.0, 5.0], [np.log(3.0), 5.0]])), [[0.25, 0.5], [0.75, 0.5]], rtol=1e-14)


def test_softmax_survives_logits_of_1000(ref):
    """Does softmax of (1000, 999) give (e / (1 + e), 1 / (1 + e)) without overflow?"""
    with np.errstate(over="raise", invalid="raise"):
        P = ref.softmax(np.array([[1000.0, -1000.0], [999.0, -1000.0]]))
    np.testing.assert_allclose(P[:, 0], [math.e / (1 + math.e), 1 / (1 + math.e)], rtol=1e-14)
    np.testing.assert_allclose(P[:, 1], [0.5, 0.5])


def test_cross_entropy_equals_the_per_sample_formula(ref):
    """Is the loss the mean over samples of -log p_true, with p from a plain per-column softmax (a loop)?"""
    rng = np.random.default_rng(12)
    Z, t = rng.normal(size=(4, 6)), rng.integers(0, 4, size=6)
    expected = np.mean([-math.log(math.exp(Z[t[i], i]) / sum(math.exp(v) for v in Z[:, i])) for i in range(6)])
    loss, _ = ref.cross_entropy(Z, np.eye(4)[:, t])
    assert loss == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_of_an_unlikely_true_class_is_finite(ref):
    """For logits (1000, -1000) with the true class the second, is the loss the closed form LSE - z_true = 2000?"""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        loss, grad = ref.cross_entropy(np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]]))
    assert loss == 2000.0
    np.testing.assert_array_equal(grad, [[1.0], [-1.0]])


def test_accuracy_counts_argmax_matches_with_first_tie(ref):
    """Predictions 0, 1, 2 and a tie resolved to row 0 against labels 0, 1, 0, 0: is the accuracy 3/4?"""
    Z = np.array([[2.0, 0.1, 0.3, 0.0], [1.0, 0.5, 0.2, 0.0], [0.0, 0.2, 0.9, 0.0]])
    assert ref.accuracy(Z, np.array([0, 1, 0, 0])) == 0.75
