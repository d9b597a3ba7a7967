"""The reference of notebook 01 against closed forms, hand-worked examples and numpy's own functions."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograde.reference import ReferenceError_, load_reference

GRADED_01 = ["step", "sign", "sigmoid", "tanh", "relu", "neuron", "perceptron_predict", "perceptron_train",
             "AND_WEIGHTS", "OR_WEIGHTS", "NOT_WEIGHTS", "xor_network"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("01_perceptron")


def test_every_graded_name_of_01_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 01?"""
    missing = [n for n in GRADED_01 if not hasattr(ref, n)]
    assert not missing


def test_unknown_notebook_is_a_clear_error():
    """Does asking for a notebook that does not exist say which notebooks exist?"""
    with pytest.raises(ReferenceError_, match="01_perceptron"):
        load_reference("99_nothing")


def test_step_matches_numpy_heaviside_with_half_at_zero(ref):
    """Is step numpy's Heaviside with the value 0.5 at 0, on every shape?"""
    z = np.random.default_rng(1).normal(size=(3, 4))
    z[0, 0] = 0.0
    np.testing.assert_array_equal(ref.step(z), np.heaviside(z, 0.5))
    assert float(ref.step(0.0)) == 0.5


def test_sign_matches_numpy_sign(ref):
    """Is sign -1 / 0 / 1 as numpy's sign?"""
    z = np.array([-3.0, -0.0, 0.0, 1e-300, 2.0])
    np.testing.assert_array_equal(ref.sign(z), np.sign(z))


def test_sigmoid_matches_the_tanh_closed_form(ref):
    """Does sigmoid equal (1 + tanh(z / 2)) / 2, an independent closed form?"""
    z = np.linspace(-30, 30, 241)
    np.testing.assert_allclose(ref.sigmoid(z), (1 + np.tanh(z / 2)) / 2, rtol=1e-12, atol=1e-15)


def test_sigmoid_survives_abs_z_of_1e4_without_warnings(ref):
    """Does sigmoid give finite 0 and 1 for z = -1e4 and 1e4 without a numpy warning?"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = ref.sigmoid(np.array([-1e4, -745.0, 0.0, 745.0, 1e4]))
    assert out[0] == 0.0 and out[-1] == 1.0 and out[2] == 0.5
    assert np.all(np.isfinite(out))


def test_sigmoid_is_accurate_for_very_negative_z(ref):
    """Is sigmoid(-700) the tiny exp(-700) rather than 0 (relative accuracy in the left tail)?"""
    np.testing.assert_allclose(ref.sigmoid(np.array([-700.0])), np.exp(-700.0) / (1 + np.exp(-700.0)), rtol=1e-12)


def test_tanh_matches_numpy(ref):
    """Does tanh agree with numpy's tanh, including far in the tails?"""
    z = np.concatenate([np.linspace(-20, 20, 81), [-1e4, 1e4]])
    np.testing.assert_allclose(ref.tanh(z), np.tanh(z), rtol=0, atol=1e-15)


def test_relu_matches_the_definition(ref):
    """Is relu max(0, z) entry by entry?"""
    z = np.random.default_rng(2).normal(size=50)
    np.testing.assert_array_equal(ref.relu(z), [max(0.0, v) for v in z])


def test_neuron_equals_a_loop_over_samples(ref):
    """Is neuron(X, w, b, g) the per-sample g(sum_i w_i x_i + b) of the lecture, shape (m,)?"""
    rng = np.random.default_rng(3)
    X, w, b = rng.normal(size=(4, 6)), rng.normal(size=4), 0.3
    expected = [np.tanh(sum(w[i] * X[i, j] for i in range(4)) + b) for j in range(6)]
    out = ref.neuron(X, w, b, np.tanh)
    assert out.shape == (6,)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_perceptron_predict_puts_the_boundary_in_class_0(ref):
    """Does perceptron_predict answer 1 only strictly above the line (class 0 on it)?"""
    X = np.array([[1.0, 2.0, 0.0], [1.0, 1.0, 5.0]])
    np.testing.assert_array_equal(ref.perceptron_predict(X, np.array([1.0, -1.0]), 0.0), [0.0, 1.0, 0.0])


def test_perceptron_train_follows_the_hand_worked_and_trace(ref):
    """Does training on AND (lr 1, from zeros, column order) follow the trace worked out by hand?

    Worked on paper: epoch 1 updates only at (1,1); epochs 2-5 make 3, 3, 2, 1 mistakes;
    epoch 6 is error-free and training stops with w = (2, 1), b = -2.
    """
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    w, b, errors = ref.perceptron_train(X, np.array([0.0, 0.0, 0.0, 1.0]), 1.0, 50)
    assert list(errors) == [1, 3, 3, 2, 1, 0]
    np.testing.assert_array_equal(w, [2.0, 1.0])
    assert b == -2.0


def test_perceptron_train_separates_separable_data(ref):
    """On linearly separable data, does training end error-free with weights that classify every point?"""
    rng = np.random.default_rng(4)
    X = rng.integers(-5, 6, size=(3, 40)).astype(float)
    y = (np.array([2.0, -1.0, 1.0]) @ X + 0.5 > 0).astype(float)
    w, b, errors = ref.perceptron_train(X, y, 0.5, 1000)
    assert errors[-1] == 0 and all(e > 0 for e in errors[:-1])
    np.testing.assert_array_equal((w @ X + b > 0).astype(float), y)


def test_perceptron_train_never_converges_on_xor(ref):
    """On XOR, does every one of the epochs make a mistake (no separating line exists)?"""
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    _, _, errors = ref.perceptron_train(X, np.array([0.0, 1.0, 1.0, 0.0]), 1.0, 40)
    assert len(errors) == 40 and min(errors) > 0


@pytest.mark.parametrize("gate,fn", [("AND_WEIGHTS", lambda a, b: a and b), ("OR_WEIGHTS", lambda a, b: a or b)])
def test_gate_weights_compute_their_gate(ref, gate, fn):
    """Do the AND / OR weights reproduce the boolean function with the 0.5-at-0 step, on all four inputs?"""
    w, b = getattr(ref, gate)
    for x1 in (0, 1):
        for x2 in (0, 1):
            assert np.heaviside(w @ np.array([x1, x2]) + b, 0.5) == float(fn(x1, x2))


def test_not_weights_negate(ref):
    """Do the NOT weights give 1 for 0 and 0 for 1?"""
    w, b = ref.NOT_WEIGHTS
    assert [float(np.heaviside(w @ np.array([x]) + b, 0.5)) for x in (0, 1)] == [1.0, 0.0]


def test_xor_network_computes_xor(ref):
    """Does the two-layer step network output x1 XOR x2 on every binary input?"""
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(ref.xor_network(X), [float(a != b) for a, b in X.T])


def test_step_sign_and_sigmoid_keep_nan_and_infinities(ref):
    """Do step, sign, sigmoid, tanh and relu map NaN to NaN and +-inf to their limits, as numpy's own functions do?"""
    z = np.array([np.nan, -np.inf, np.inf])
    np.testing.assert_array_equal(ref.step(z), np.heaviside(z, 0.5))
    np.testing.assert_array_equal(ref.sign(z), np.sign(z))
    np.testing.assert_array_equal(ref.sigmoid(z), [np.nan, 0.0, 1.0])
    np.testing.assert_array_equal(ref.tanh(z), np.tanh(z))
    np.testing.assert_array_equal(ref.relu(z), np.maximum(0.0, z))
