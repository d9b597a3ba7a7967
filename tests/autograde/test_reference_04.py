"""The reference of notebook 04 (gradient descent) against closed forms, finite differences and hand-worked steps."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.reference import load_reference

GRADED_04 = ["gradient_descent", "linreg_loss_and_grad", "neuron_square_loss_grad", "minibatches", "fit_neuron"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("04_gradient_descent")


def _central_diff(f, x, h=1e-6):
    """Centred finite differences of a scalar f at x (written here, independent of nbcourse.gradcheck)."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_every_graded_name_of_04_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 04?"""
    assert [n for n in GRADED_04 if not hasattr(ref, n)] == []


def test_gradient_descent_on_a_quadratic_is_geometric(ref):
    """On L = a/2 theta^2, is theta_t = (1 - lr a)^t theta_0 (the closed form of the recursion)?"""
    a, lr, theta0 = 3.0, 0.1, 2.0
    path = ref.gradient_descent(lambda t: a * t, theta0, lr, 6)
    np.testing.assert_allclose(path, theta0 * (1 - lr * a) ** np.arange(7), rtol=1e-14)


def test_gradient_descent_keeps_the_shape_of_a_matrix_parameter(ref):
    """Does a (2, 3) start give a (n_steps + 1, 2, 3) trajectory whose row 0 is the start?"""
    start = np.arange(6.0).reshape(2, 3)
    path = ref.gradient_descent(lambda t: t, start, 0.5, 4)
    assert path.shape == (5, 2, 3)
    np.testing.assert_array_equal(path[0], start)
    np.testing.assert_allclose(path[-1], start * 0.5 ** 4)


def test_gradient_descent_with_zero_steps_is_the_start(ref):
    """Is the trajectory of 0 steps just the start, shape (1,)?"""
    assert ref.gradient_descent(lambda t: t, 1.5, 0.1, 0).tolist() == [1.5]


def test_linreg_gradient_matches_finite_differences(ref):
    """Does linreg's gradient agree with centred differences of its loss?"""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=9), rng.normal(size=9)
    phi = np.array([0.3, -1.2])
    num = _central_diff(lambda p: ref.linreg_loss_and_grad(p, x, y)[0], phi)
    np.testing.assert_allclose(ref.linreg_loss_and_grad(phi, x, y)[1], num, rtol=1e-6)


def test_linreg_loss_is_a_sum_not_a_mean(ref):
    """Is L the SUM of squared residuals, as lecture 003 writes it (residuals 1, 2, 3 give 14)?"""
    L, _ = ref.linreg_loss_and_grad(np.array([0.0, 0.0]), np.zeros(3), np.array([-1.0, -2.0, -3.0]))
    assert L == 14.0


def test_linreg_gradient_vanishes_at_the_least_squares_line(ref):
    """Is the gradient zero at numpy's least-squares fit (np.polyfit), the minimum of the summed loss?"""
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 2, 15)
    y = 0.5 + 0.8 * x + 0.1 * rng.normal(size=15)
    slope, intercept = np.polyfit(x, y, 1)
    _, g = ref.linreg_loss_and_grad(np.array([intercept, slope]), x, y)
    np.testing.assert_allclose(g, 0.0, atol=1e-10)


def test_gradient_descent_finds_the_least_squares_line(ref):
    """Does gradient descent on linreg's loss converge to np.polyfit's line?"""
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 2, 12)
    y = 0.4 + 0.9 * x + 0.15 * rng.normal(size=12)
    path = ref.gradient_descent(lambda p: ref.linreg_loss_and_grad(p, x, y)[1], np.zeros(2), 0.01, 5000)
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(path[-1], [intercept, slope], atol=1e-8)


def test_neuron_loss_at_zero_weights_is_hand_worked(ref):
    """At w = 0, b = 0 every output is 1/2: is C = mean (1/2 - y)^2, and db = mean of 2 (1/2 - y) / 4?"""
    y = np.array([1.0, 0.0, 1.0, 1.0])
    C, dw, db = ref.neuron_square_loss_grad(np.zeros(3), 0.0, np.ones((3, 4)), y)
    assert C == pytest.approx(0.25)
    assert db == pytest.approx(np.mean(2 * (0.5 - y) * 0.25))
    np.testing.assert_allclose(dw, np.full(3, db))   # every feature is 1, so dw_j = db


def test_neuron_gradient_matches_finite_differences(ref):
    """Do dw and db agree with centred differences of C?"""
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(3, 8)), rng.uniform(size=8)
    w, b = rng.normal(size=3), 0.4
    _, dw, db = ref.neuron_square_loss_grad(w, b, X, y)
    np.testing.assert_allclose(dw, _central_diff(lambda v: ref.neuron_square_loss_grad(v, b, X, y)[0], w), rtol=1e-6)
    num_b = _central_diff(lambda v: ref.neuron_square_loss_grad(w, float(v), X, y)[0], np.array(b))
    assert db == pytest.approx(float(num_b), rel=1e-6)


def test_minibatches_partition_one_permutation(ref):
    """Are the batches consecutive pieces of rng.permutation(m), sizes 3, 3, 1 for m = 7, B = 3?"""
    X = np.arange(7.0)[None, :]
    batches = ref.minibatches(X, X[0] * 2, 3, np.random.default_rng(4))
    order = np.random.default_rng(4).permutation(7)
    assert [b[0].shape[1] for b in batches] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate([b[0][0] for b in batches]), order)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), order * 2)


def test_minibatches_drop_last_leaves_out_the_short_batch(ref):
    """With drop_last=True and m = 7, B = 3: two batches of 3; with m < B: none?"""
    X = np.zeros((2, 7))
    assert [b[0].shape[1] for b in ref.minibatches(X, np.zeros(7), 3, np.random.default_rng(0), drop_last=True)] == [3, 3]
    assert ref.minibatches(X[:, :2], np.zeros(2), 3, np.random.default_rng(0), drop_last=True) == []


def test_fit_neuron_gd_one_epoch_is_one_hand_step(ref):
    """Is one 'gd' epoch one step w = -lr dC/dw from zero (two samples x = +-1, y = 1, 0: dw = -1/4)?"""
    w, b, losses = ref.fit_neuron(np.array([[1.0, -1.0]]), np.array([1.0, 0.0]), "gd", 2.0, 1, 1, np.random.default_rng(0))
    np.testing.assert_allclose(w, [0.5])
    assert b == pytest.approx(0.0)
    s = 1 / (1 + np.exp(-0.5))                      # outputs sigmoid(0.5), sigmoid(-0.5) = 1 - s
    assert losses[0] == pytest.approx(((s - 1) ** 2 + (1 - s) ** 2) / 2)


def test_fit_neuron_minibatch_of_the_whole_set_equals_gd(ref):
    """With batch_size >= m, one mini-batch holds every sample: does 'minibatch' equal 'gd'?"""
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(3, 9)), (rng.uniform(size=9) < 0.5).astype(float)
    gd = ref.fit_neuron(X, y, "gd", 0.7, 5, 4, np.random.default_rng(0))
    mb = ref.fit_neuron(X, y, "minibatch", 0.7, 5, 9, np.random.default_rng(0))
    for a, b in zip(gd, mb):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_fit_neuron_sgd_on_one_sample_equals_gd(ref):
    """With m = 1, an SGD epoch is one full-batch step: does 'sgd' equal 'gd'?"""
    X, y = np.array([[0.5], [-1.0]]), np.array([1.0])
    gd = ref.fit_neuron(X, y, "gd", 1.0, 4, 1, np.random.default_rng(0))
    sgd = ref.fit_neuron(X, y, "sgd", 1.0, 4, 1, np.random.default_rng(0))
    for a, b in zip(gd, sgd):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_fit_neuron_rejects_an_unknown_method(ref):
    """Does method 'adam' raise ValueError?"""
    with pytest.raises(ValueError):
        ref.fit_neuron(np.zeros((1, 2)), np.zeros(2), "adam", 0.1, 1, 1, np.random.default_rng(0))
