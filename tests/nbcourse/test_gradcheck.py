"""Tests of nbcourse.gradcheck: finite-difference gradient checks and their reports."""
import warnings

import numpy as np
import pytest

from nbcourse import gradcheck


def _tanh_layer(seed=0):
    """f = sum(tanh(W @ x)) reading W by reference, and its closed-form gradient dW."""
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((3, 4))
    x = rng.standard_normal(4)

    def f():
        return np.sum(np.tanh(W @ x))

    dW = np.outer(1.0 - np.tanh(W @ x) ** 2, x)  # d/dW_ij sum_k tanh(z_k) = (1 - tanh(z_i)^2) x_j
    return f, W, x, dW


def test_correct_gradient_of_tanh_layer_passes():
    """Does a correct gradient of sum(tanh(W @ x)) pass?"""
    f, W, _, dW = _tanh_layer()
    report = gradcheck.check_params(f, {"W": W}, {"W": dW})
    assert report.passed
    assert report.max_rel_error <= report.tol


def test_correct_gradient_of_quadratic_passes():
    """Does check_scalar pass the gradient A x of the quadratic x^T A x / 2 (A symmetric)?"""
    rng = np.random.default_rng(1)
    B = rng.standard_normal((5, 5))
    A = B + B.T
    x = rng.standard_normal(5)
    report = gradcheck.check_scalar(lambda v: 0.5 * v @ A @ v, x, A @ x)
    assert report.passed and report.n_checked == 5


def test_planted_bad_gradient_fails_and_names_entry():
    """Does gradcheck name the wrong entry of a planted bad gradient?"""
    f, W, _, dW = _tanh_layer()
    bad = dW.copy()
    bad[2, 1] += 0.5
    report = gradcheck.check_params(f, {"W": W}, {"W": bad})
    assert not report.passed
    assert (report.worst_name, report.worst_index) == ("W", (2, 1))
    assert report.analytic == pytest.approx(bad[2, 1])
    assert report.numeric == pytest.approx(dW[2, 1], rel=1e-6)
    assert report.n_failed == 1


def test_planted_bad_gradient_names_the_parameter():
    """Among several parameters, does the report name the one whose gradient is wrong?"""
    rng = np.random.default_rng(2)
    W = rng.standard_normal((2, 3))
    b = rng.standard_normal(2)
    x = rng.standard_normal(3)

    def f():
        return np.sum((W @ x + b) ** 2)

    r = W @ x + b
    grads = {"W": 2 * np.outer(r, x), "b": 2 * r}
    grads["b"] = grads["b"].copy()
    grads["b"][1] *= -1.0
    report = gradcheck.check_params(f, {"W": W, "b": b}, grads)
    assert not report.passed
    assert (report.worst_name, report.worst_index) == ("b", (1,))


def test_network_pairs_are_named_by_layer():
    """Does a network's list of (W, b) pairs get names W1, b1, W2, b2 in the report?"""
    rng = np.random.default_rng(3)
    W1, b1 = rng.standard_normal((3, 2)), np.zeros((3, 1))
    W2, b2 = rng.standard_normal((1, 3)), np.zeros((1, 1))
    x = rng.standard_normal((2, 1))

    def f():  # linear two-layer net, output summed
        return float(np.sum(W2 @ (W1 @ x + b1) + b2))

    grads = [(W2.T @ x.T, W2.T.copy()), (((W1 @ x + b1)).T, np.ones((1, 1)))]
    grads[1][1][0, 0] = 3.0  # wrong: d f / d b2 = 1
    report = gradcheck.check_params(f, [(W1, b1), (W2, b2)], grads)
    assert report.names == ["W1", "b1", "W2", "b2"]
    assert (report.worst_name, report.worst_index) == ("b2", (0, 0))


def test_check_params_restores_parameters_exactly():
    """Are the parameter arrays bitwise unchanged after check_params perturbed them in place?"""
    f, W, _, dW = _tanh_layer()
    before = W.copy()
    gradcheck.check_params(f, {"W": W}, {"W": dW})
    assert np.array_equal(W, before)


def test_sparse_mode_checks_exactly_k_entries():
    """With sample=k, are exactly k entries of a big array checked (and all of a small one)?"""
    rng = np.random.default_rng(4)
    W = rng.standard_normal((10, 10))
    b = rng.standard_normal(3)

    def f():
        return np.sum(W**2) + np.sum(b**3)

    report = gradcheck.check_params(f, {"W": W, "b": b}, {"W": 2 * W, "b": 3 * b**2},
                                    sample=7, rng=np.random.default_rng(0))
    assert report.passed
    assert report.n_checked == 7 + 3


def test_sparse_mode_without_generator_is_a_type_error():
    """Does sample=k without a numpy Generator raise TypeError?"""
    x = np.arange(5.0)
    with pytest.raises(TypeError, match="Generator"):
        gradcheck.check_scalar(lambda v: np.sum(v**2), x, 2 * x, sample=2, rng=42)


def test_relu_at_zero_passes_with_warning_and_records_kink():
    """Does a correct ReLU gradient with an entry exactly at 0 pass, warn, and list the kink?"""
    x = np.array([-1.5, 0.0, 2.0, 0.7])
    grad = (x > 0).astype(float)  # subgradient 0 at 0
    with pytest.warns(UserWarning, match=r"kink.*x\[1\]"):
        report = gradcheck.check_scalar(lambda v: np.sum(np.maximum(v, 0.0)), x, grad)
    assert report.passed
    assert report.kinks == [("x", (1,))]
    assert report.n_checked == 4


def test_hinge_at_margin_one_passes_with_warning_and_records_kink():
    """Is the hinge loss at margin exactly 1 skipped as a kink, while the other weight is compared?"""
    X = np.array([[1.0, 0.5], [0.0, 2.0]])  # sample 0 = (1, 0), sample 1 = (0.5, 2)
    y = np.array([1.0, -1.0])
    w = np.array([1.0, 0.3])  # margin of sample 0: 1 * (1*1 + 0.3*0) = 1 exactly

    def f():
        return np.sum(np.maximum(0.0, 1.0 - y * (w @ X)))

    active = 1.0 - y * (w @ X) > 0  # sample 1 only (margin -1.1)
    grad = -(X[:, active] @ y[active])  # = (0.5, 2)
    with pytest.warns(UserWarning, match="kink"):
        report = gradcheck.check_params(f, {"w": w}, {"w": grad})
    assert report.passed
    assert report.kinks == [("w", (0,))]
    assert report.n_checked - len(report.kinks) == 1


def test_wrong_relu_gradient_away_from_kink_still_fails():
    """Does a kink elsewhere not hide a wrong gradient entry away from it?"""
    x = np.array([0.0, 2.0, -1.0])
    grad = np.array([0.0, 0.0, 0.0])  # wrong at x[1] = 2 (true slope 1)
    with pytest.warns(UserWarning):
        report = gradcheck.check_scalar(lambda v: np.sum(np.maximum(v, 0.0)), x, grad)
    assert not report.passed
    assert report.worst_index == (1,)


def test_check_array_passes_correct_backward_of_matmul():
    """Does check_array pass dL/dW = dY @ A.T for Y = W @ A?"""
    rng = np.random.default_rng(5)
    W = rng.standard_normal((3, 4))
    A = rng.standard_normal((4, 6))
    dY = rng.standard_normal((3, 6))
    report = gradcheck.check_array(lambda M: M @ A, W, dY, dY @ A.T)
    assert report.passed and report.n_checked == 12


def test_check_array_fails_wrong_backward():
    """Does check_array fail a backward pass that forgot a factor of 2 in d(x^2)?"""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3))
    dY = rng.standard_normal((2, 3))
    report = gradcheck.check_array(lambda v: v**2, x, dY, dY * x)
    assert not report.passed


def test_check_array_rejects_upstream_of_wrong_shape():
    """Does an upstream gradient not shaped like f(x) raise ValueError?"""
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="upstream"):
        gradcheck.check_array(lambda v: v.sum(axis=0), x, np.ones((2, 3)), np.ones((2, 3)))


def test_gradient_of_wrong_shape_is_a_value_error():
    """Does an analytic gradient of the wrong shape raise ValueError naming both shapes?"""
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        gradcheck.check_scalar(lambda v: np.sum(v**2), x, np.ones(4))


def test_float32_parameter_is_a_type_error():
    """Does check_params refuse a float32 parameter (it could not be perturbed by 1e-6)?"""
    W = np.ones((2, 2), dtype=np.float32)
    with pytest.raises(TypeError, match="float64"):
        gradcheck.check_params(lambda: float(np.sum(W)), {"W": W}, {"W": np.ones((2, 2))})


def test_report_repr_says_passed():
    """Does a passing report's repr say PASSED?"""
    f, W, _, dW = _tanh_layer()
    text = repr(gradcheck.check_params(f, {"W": W}, {"W": dW}))
    assert text.startswith("gradient check PASSED")


def test_report_repr_says_failed_and_names_entry():
    """Does a failing report's repr say FAILED and name the entry like code, W[2, 1]?"""
    f, W, _, dW = _tanh_layer()
    bad = dW.copy()
    bad[2, 1] = 0.0 if dW[2, 1] != 0 else 1.0
    text = repr(gradcheck.check_params(f, {"W": W}, {"W": bad}))
    assert text.startswith("gradient check FAILED") and "W[2, 1]" in text


def test_report_html_says_passed():
    """Does the notebook (HTML) view of a report say PASSED?"""
    x = np.arange(3.0)
    assert "PASSED" in gradcheck.check_scalar(lambda v: np.sum(v**2), x, 2 * x)._repr_html_()


def test_report_truth_value_is_passed():
    """Is bool(report) the same as report.passed, for a pass and a fail?"""
    x = np.arange(1.0, 4.0)
    assert bool(gradcheck.check_scalar(lambda v: np.sum(v**2), x, 2 * x)) is True
    assert bool(gradcheck.check_scalar(lambda v: np.sum(v**2), x, 3 * x)) is False


def test_smooth_check_does_not_warn():
    """Does a check on a smooth function emit no warning at all?"""
    f, W, _, dW = _tanh_layer()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradcheck.check_params(f, {"W": W}, {"W": dW})


def test_numerical_gradient_matches_closed_form():
    """Is the numerical gradient of sum(x**3) close to 3 x**2?"""
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    assert np.allclose(gradcheck.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-7, atol=1e-9)


def test_numerical_gradient_restores_array_read_by_reference():
    """When f reads x by reference, is x bitwise unchanged after numerical_gradient?"""
    x = np.array([0.1, 0.2, 0.3])
    before = x.copy()
    grad = gradcheck.numerical_gradient(lambda _: np.sum(np.sin(x)), x)
    assert np.array_equal(x, before)
    assert np.allclose(grad, np.cos(before), rtol=1e-7)


def test_numerical_gradient_fills_only_requested_indices():
    """With indices given, are only those entries filled and the rest nan?"""
    x = np.ones((2, 3))
    grad = gradcheck.numerical_gradient(lambda v: np.sum(v**2), x, indices=[(0, 1), (1, 2)])
    assert np.isnan(grad).sum() == 4
    assert grad[0, 1] == pytest.approx(2.0) and grad[1, 2] == pytest.approx(2.0)


def test_function_returning_a_tuple_is_a_type_error():
    """Does an f that returns (loss, grad) raise TypeError explaining how to pass only the loss?"""
    x = np.ones(2)
    with pytest.raises(TypeError, match=r"\[0\]"):
        gradcheck.check_scalar(lambda v: (np.sum(v**2), 2 * v), x, 2 * x)
