"""The reference of notebook 05 (backprop) against closed forms, finite differences and hand-worked values."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.reference import load_reference
from nbcourse.data import digits_split

GRADED_05 = ["toy_forward", "toy_backward", "sigmoid_grad", "tanh_grad", "relu_grad", "layer_backward",
             "mlp_backward", "mlp_loss_and_grads", "train_mlp", "centred_difference", "fork_backward", "softmax_backward"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("05_backprop")


def _central_diff(f, x, h=1e-6):
    """Centred finite differences of a scalar f at x (written here, independent of nbcourse.gradcheck)."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def test_every_graded_name_of_05_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 05?"""
    assert [n for n in GRADED_05 if not hasattr(ref, n)] == []


def test_toy_forward_ends_in_the_closed_formula(ref):
    """Is f3 the lecture's one-line formula b3 + w3 cos(b2 + w2 exp(b1 + w1 sin(b0 + w0 x)))?"""
    b, w, x = np.array([0.2, -0.1, 0.4, 0.3]), np.array([1.1, 0.6, -0.8, 1.7]), 0.35
    expected = b[3] + w[3] * np.cos(b[2] + w[2] * np.exp(b[1] + w[1] * np.sin(b[0] + w[0] * x)))
    assert ref.toy_forward(x, b, w)[-1] == pytest.approx(expected, rel=1e-14)


def test_toy_backward_matches_finite_differences(ref):
    """Do d_beta and d_omega agree with centred differences of (f3 - y)^2?"""
    b, w, x, y = np.array([0.2, -0.1, 0.4, 0.3]), np.array([1.1, 0.6, -0.8, 1.7]), 0.35, -0.5
    d_beta, d_omega = ref.toy_backward(x, y, b, w)
    np.testing.assert_allclose(d_beta, _central_diff(lambda v: (ref.toy_forward(x, v, w)[-1] - y) ** 2, b), rtol=1e-6)
    np.testing.assert_allclose(d_omega, _central_diff(lambda v: (ref.toy_forward(x, b, v)[-1] - y) ** 2, w), rtol=1e-6)


def test_toy_backward_omega0_is_the_lectures_expanded_formula(ref):
    """Is dl/domega_0 lecture 003's expanded product 2 (f - y) w1 w2 w3 x cos(f0) exp(f1) (-sin(f2))?"""
    b, w, x, y = np.array([0.1, 0.2, -0.3, 0.4]), np.array([0.9, -0.7, 0.5, 1.3]), 0.6, 0.2
    f0 = b[0] + w[0] * x
    f1 = b[1] + w[1] * np.sin(f0)
    f2 = b[2] + w[2] * np.exp(f1)
    f = b[3] + w[3] * np.cos(f2)
    expected = 2 * (f - y) * w[1] * w[2] * w[3] * x * np.cos(f0) * np.exp(f1) * -np.sin(f2)
    assert ref.toy_backward(x, y, b, w)[1][0] == pytest.approx(expected, rel=1e-12)


def test_sigmoid_grad_has_its_closed_form(ref):
    """Is sigma'(z) = 1 / (4 cosh^2(z/2)) (1/4 at 0), also at |z| = 500 (where the true ~1e-217 may underflow to 0)?"""
    z = np.array([-500.0, -3.0, 0.0, 2.0, 500.0])
    np.testing.assert_allclose(ref.sigmoid_grad(z), 0.25 / np.cosh(z / 2) ** 2, rtol=1e-12, atol=1e-200)


def test_tanh_grad_has_its_closed_form(ref):
    """Is tanh'(z) = 1 / cosh^2(z)?"""
    z = np.linspace(-5, 5, 21)
    np.testing.assert_allclose(ref.tanh_grad(z), 1 / np.cosh(z) ** 2, rtol=1e-12)


def test_relu_grad_is_zero_at_the_kink(ref):
    """Is relu'(z) the indicator of z > 0, 0 at z = 0 (lecture 003's I[z > 0])?"""
    np.testing.assert_array_equal(ref.relu_grad(np.array([-2.0, -0.0, 0.0, 1e-300, 3.0])), [0, 0, 0, 1, 1])


@pytest.mark.parametrize("act", ["identity", "relu", "sigmoid", "tanh"])
def test_layer_backward_matches_finite_differences(ref, act):
    """For L = sum(A * dA), do dA_prev, dW and db agree with centred differences (each activation)?"""
    rng = np.random.default_rng(0)
    A_prev, W, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    A, cache = ref.layer_forward(A_prev, W, b, act)
    dA = rng.normal(size=A.shape)
    dA_prev, dW, db = ref.layer_backward(dA, cache)
    L = lambda A_, W_, b_: float(np.sum(ref.layer_forward(A_, W_, b_, act)[0] * dA))
    np.testing.assert_allclose(dA_prev, _central_diff(lambda v: L(v, W, b), A_prev), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dW, _central_diff(lambda v: L(A_prev, v, b), W), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(db, _central_diff(lambda v: L(A_prev, W, v), b), rtol=1e-5, atol=1e-8)


def test_layer_backward_of_a_linear_layer_is_hand_worked(ref):
    """For an identity layer with one sample, is dW the outer product dA a^T, db = dA and dA_prev = W^T dA?"""
    a, W, b = np.array([[1.0], [2.0]]), np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]]), np.zeros((3, 1))
    dA = np.array([[1.0], [0.0], [-2.0]])
    dA_prev, dW, db = ref.layer_backward(dA, (a, W, b, W @ a + b, "identity"))
    np.testing.assert_allclose(dW, [[1, 2], [0, 0], [-2, -4]])
    np.testing.assert_allclose(db, dA)
    np.testing.assert_allclose(dA_prev, [[1.0], [-3.0]])


def test_mlp_loss_and_grads_match_finite_differences(ref):
    """Does every gradient of a 3-layer ReLU / softmax network agree with centred differences of its loss?"""
    rng = np.random.default_rng(1)
    params = ref.init_params([4, 5, 3, 3], rng)
    X, Y = rng.normal(size=(4, 6)), ref.one_hot(rng.integers(0, 3, size=6), 3)
    _, grads = ref.mlp_loss_and_grads(params, X, Y)
    for l, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        def loss_with(l_, which, value):
            ps = [list(p) for p in params]
            ps[l_][which] = value
            return ref.mlp_loss_and_grads([tuple(p) for p in ps], X, Y)[0]
        np.testing.assert_allclose(dW, _central_diff(lambda v: loss_with(l, 0, v), W), rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(db, _central_diff(lambda v: loss_with(l, 1, v), b), rtol=1e-5, atol=1e-9)


def test_mlp_backward_of_one_layer_is_layer_backward(ref):
    """With a single layer, is mlp_backward's only pair layer_backward's (dW, db)?"""
    rng = np.random.default_rng(2)
    W, b, X = rng.normal(size=(2, 3)), rng.normal(size=(2, 1)), rng.normal(size=(3, 4))
    _, caches = ref.mlp_forward(X, [(W, b)], "relu", "tanh")
    dY = rng.normal(size=(2, 4))
    (dW, db), = ref.mlp_backward(dY, caches)
    _, dW1, db1 = ref.layer_backward(dY, caches[0])
    np.testing.assert_array_equal(dW, dW1)
    np.testing.assert_array_equal(db, db1)


def test_train_mlp_reaches_95_percent_on_the_digits(ref):
    """With the graded budget ([64, 64, 10], lr 0.5, 30 epochs, batches of 32), does the reference classify
    at least 95 % of a held-out split correctly, for three different splits and seeds?"""
    for seed in (0, 1, 2):
        X_tr, y_tr, X_te, y_te = digits_split(np.random.default_rng(seed))
        params, losses = ref.train_mlp(X_tr, ref.one_hot(y_tr, 10), [64, 64, 10], 0.5, 30, 32, np.random.default_rng(seed + 10))
        logits = ref.mlp_forward(X_te, params, "relu", "identity")[0]
        assert np.mean(np.argmax(logits, axis=0) == y_te) >= 0.95
        assert losses.shape == (30,) and losses[-1] < losses[0]


def test_train_mlp_calls_the_callback_after_every_epoch(ref):
    """Is callback(epoch, params) called once per epoch, with epochs counted from 1?"""
    seen = []
    X, Y = np.eye(2), np.eye(2)
    ref.train_mlp(X, Y, [2, 3, 2], 0.1, 3, 1, np.random.default_rng(0), callback=lambda e, p: seen.append((e, len(p))))
    assert seen == [(1, 2), (2, 2), (3, 2)]


# ----------------------------------------------------------------------------- the exercises added with issue 18
def test_centred_difference_is_exact_on_a_quadratic(ref):
    """On L = t^T A t / 2 + c^T t, whose centred differences are exact up to rounding, is the result A t + c?"""
    rng = np.random.default_rng(0)
    Q = rng.normal(size=(4, 4))
    A, c, t = Q + Q.T, rng.normal(size=4), rng.normal(size=4)
    np.testing.assert_allclose(ref.centred_difference(lambda v: 0.5 * v @ A @ v + c @ v, t.copy(), 1e-3), A @ t + c, rtol=1e-9, atol=1e-9)


def test_centred_difference_error_falls_like_h_squared(ref):
    """On sin at 1, does halving h quarter the error against cos(1) (the centred difference is second order)?"""
    err = [abs(ref.centred_difference(np.sin, np.array(1.0), h) - np.cos(1.0)) for h in (0.1, 0.05)]
    assert err[0] / err[1] == pytest.approx(4.0, rel=0.01)


def test_centred_difference_leaves_theta_unchanged(ref):
    """After the call, does theta (a matrix, changed in place during it) hold exactly its old values?"""
    theta = np.arange(6.0).reshape(2, 3) / 7
    before = theta.copy()
    ref.centred_difference(lambda v: float(np.sum(v ** 3)), theta, 1e-4)
    assert np.array_equal(theta, before)


def _fork_loss(x, y, b, w):
    f0 = b[0] + w[0] * x
    return (b[1] + w[1] * np.sin(f0) + w[2] * np.exp(f0) - y) ** 2


def test_fork_backward_matches_finite_differences(ref):
    """Do d_beta and d_omega of the forked toy agree with centred differences of its loss?"""
    b, w, x, y = np.array([0.3, -0.5]), np.array([1.2, 0.8, -0.6]), 0.5, 1.0
    d_beta, d_omega = ref.fork_backward(x, y, b, w)
    np.testing.assert_allclose(d_beta, _central_diff(lambda v: _fork_loss(x, y, v, w), b), rtol=1e-7)
    np.testing.assert_allclose(d_omega, _central_diff(lambda v: _fork_loss(x, y, b, v), w), rtol=1e-7)


def test_fork_backward_at_f0_is_the_sum_of_both_branches(ref):
    """Is dl/dbeta_0 the hand-worked sum 2 (f1 - y) (w1 cos f0 + w2 exp f0) of the two paths from f0?"""
    b, w, x, y = np.array([0.1, 0.2]), np.array([0.7, -1.1, 0.4]), -0.3, 0.5
    f0 = b[0] + w[0] * x
    expected = 2 * (b[1] + w[1] * np.sin(f0) + w[2] * np.exp(f0) - y) * (w[1] * np.cos(f0) + w[2] * np.exp(f0))
    assert ref.fork_backward(x, y, b, w)[0][0] == pytest.approx(expected, rel=1e-13)


def test_softmax_backward_is_the_jacobian_transpose_times_dP(ref):
    """Is dZ, column by column, J^T dP with J the Jacobian of the softmax measured by finite differences?"""
    rng = np.random.default_rng(1)
    Z, dP = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    dZ = ref.softmax_backward(dP, Z)
    for j in range(3):
        J = np.column_stack([_central_diff(lambda z: ref.softmax(z[:, None])[i, 0], Z[:, j]) for i in range(4)]).T
        np.testing.assert_allclose(dZ[:, j], J.T @ dP[:, j], rtol=1e-6, atol=1e-9)


def test_softmax_backward_of_the_log_loss_is_p_minus_y(ref):
    """Chained after the cross-entropy's gradient at P, -Y / (m P), does it give the closed form (P - Y) / m?"""
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(5, 6))
    Y = np.eye(5)[:, rng.integers(0, 5, size=6)]
    P = np.exp(Z) / np.exp(Z).sum(axis=0)
    np.testing.assert_allclose(ref.softmax_backward(-Y / (6 * P), Z), (P - Y) / 6, rtol=1e-12, atol=1e-15)
