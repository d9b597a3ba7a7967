"""The reference of notebook 07 (generalization) against hand-worked examples, definitions written out
independently, finite differences and the law of large numbers. Where each expected value comes from is
said in each test; none is copied from a run of the reference."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.reference import load_reference

GRADED_07 = ["train_val_test_split", "l2_penalty", "early_stopping_epoch", "dropout_forward", "dropout_backward",
             "layer_statistics"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("07_generalization")


def test_every_graded_name_of_07_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 07?"""
    assert [n for n in GRADED_07 if not hasattr(ref, n)] == []


# ----------------------------------------------------------------------------- train_val_test_split
def test_split_is_a_partition_of_the_columns(ref):
    """Does every column go to exactly one part (the parts' columns together are a permutation of 0..m-1)?"""
    m = 37
    X = np.arange(m, dtype=float)[None, :]
    parts = ref.train_val_test_split(X, X * 10, (0.7, 0.15, 0.15), np.random.default_rng(3))
    cols = np.concatenate([parts[0][0], parts[2][0], parts[4][0]])
    np.testing.assert_array_equal(np.sort(cols), np.arange(m))


def test_split_sizes_follow_round_of_the_fractions(ref):
    """For m = 37 and (0.7, 0.15, 0.15): is m_val = m_test = round(5.55) = 6 and m_train = 37 - 12 = 25 (by hand)?"""
    X = np.zeros((2, 37))
    parts = ref.train_val_test_split(X, np.zeros((1, 37)), (0.7, 0.15, 0.15), np.random.default_rng(0))
    assert [p.shape[1] for p in parts] == [25, 25, 6, 6, 6, 6]


def test_split_keeps_each_target_with_its_sample(ref):
    """Is column j of Y still the target of column j of X in every part?"""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 20))
    Y = 2 * X[:1] + 1
    Xtr, Ytr, Xva, Yva, Xte, Yte = ref.train_val_test_split(X, Y, (0.5, 0.25, 0.25), np.random.default_rng(2))
    for Xp, Yp in [(Xtr, Ytr), (Xva, Yva), (Xte, Yte)]:
        np.testing.assert_array_equal(Yp, 2 * Xp[:1] + 1)


def test_split_order_is_one_permutation(ref):
    """Are the parts, read in order, the columns given by one rng.permutation(m) (the notebook's rule)?"""
    X = np.arange(10.0)[None, :]
    parts = ref.train_val_test_split(X, X, (0.6, 0.2, 0.2), np.random.default_rng(5))
    np.testing.assert_array_equal(np.concatenate([parts[0][0], parts[2][0], parts[4][0]]), np.random.default_rng(5).permutation(10))


def test_split_shuffles(ref):
    """Is the training part of a sorted set not simply its first columns (the split is random)?"""
    X = np.arange(100.0)[None, :]
    Xtr = ref.train_val_test_split(X, X, (0.6, 0.2, 0.2), np.random.default_rng(0))[0]
    assert not np.array_equal(np.sort(Xtr[0]), np.arange(60.0))


@pytest.mark.parametrize("bad", [(0.5, 0.2, 0.2), (0.6, 0.5, -0.1), (0.5, 0.5)])
def test_split_rejects_bad_fractions(ref, bad):
    """Do fractions that are not three non-negative numbers summing to 1 raise ValueError?"""
    with pytest.raises(ValueError):
        ref.train_val_test_split(np.zeros((1, 10)), np.zeros((1, 10)), bad, np.random.default_rng(0))


# ----------------------------------------------------------------------------- l2_penalty
def test_l2_penalty_hand_example(ref):
    """Is the penalty of W1 = [[1, -2], [0, 3]], W2 = [[0.5, 0.5]] with lam 0.1 equal to 0.05 * 14.5 (by hand), biases ignored?"""
    params = [(np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[5.0], [5.0]])), (np.array([[0.5, 0.5]]), np.array([[7.0]]))]
    penalty, grads = ref.l2_penalty(params, 0.1)
    assert penalty == pytest.approx(0.05 * 14.5, rel=1e-14)
    np.testing.assert_array_equal(grads[0][1], np.zeros((2, 1)))
    np.testing.assert_array_equal(grads[1][1], np.zeros((1, 1)))


def test_l2_gradient_matches_finite_differences(ref):
    """Is dW the finite-difference slope of the penalty (central differences, step 1e-6)?"""
    rng = np.random.default_rng(4)
    params = [(rng.normal(size=(3, 2)), rng.normal(size=(3, 1))), (rng.normal(size=(1, 3)), rng.normal(size=(1, 1)))]
    lam = 0.3
    _, grads = ref.l2_penalty(params, lam)
    for layer, (W, b) in enumerate(params):
        for idx in np.ndindex(W.shape):
            Wp, Wm = W.copy(), W.copy()
            Wp[idx] += 1e-6
            Wm[idx] -= 1e-6
            f = lambda Wx: ref.l2_penalty([(Wx if k == layer else P[0], P[1]) for k, P in enumerate(params)], lam)[0]
            assert grads[layer][0][idx] == pytest.approx((f(Wp) - f(Wm)) / 2e-6, rel=1e-6, abs=1e-9)


def test_l2_penalty_is_zero_for_lambda_zero(ref):
    """Does lam = 0 give a zero penalty and zero gradients?"""
    penalty, grads = ref.l2_penalty([(np.ones((2, 2)), np.ones((2, 1)))], 0.0)
    assert penalty == 0.0 and not np.any(grads[0][0]) and not np.any(grads[0][1])


# ----------------------------------------------------------------------------- early_stopping_epoch
@pytest.mark.parametrize("losses, patience, expected", [
    ([5, 4, 4.5, 3, 3.2, 3.1, 2], 2, (5, 3)),      # the notebook's example, worked by hand
    ([3, 2, 1], 1, (2, 2)),                        # always improving: runs to the end
    ([1, 1, 1, 1], 3, (3, 0)),                     # ties do not improve
    ([2, 3, 2.5, 2.8, 1], 3, (3, 0)),              # 2.5 is below the previous epoch but not below the best
    ([4, 3, 3.5, 1], 1, (2, 1)),                   # patience 1: stop at the first epoch without improvement
    ([1.5], 4, (0, 0)),                            # a single epoch
])
def test_early_stopping_on_hand_worked_curves(ref, losses, patience, expected):
    """Does early_stopping_epoch give the (stop, best) worked out by hand from the notebook's rule?"""
    assert tuple(int(v) for v in ref.early_stopping_epoch(losses, patience)) == expected


def test_early_stopping_accepts_an_array(ref):
    """Does a numpy array of losses give the same answer as the list?"""
    assert tuple(ref.early_stopping_epoch(np.array([5, 4, 4.5, 3, 3.2, 3.1, 2.0]), 2)) == (5, 3)


# ----------------------------------------------------------------------------- dropout_forward
def test_dropout_keeps_about_one_minus_p(ref):
    """Over 100,000 units, is the kept fraction 1 - p within 5 standard deviations (binomial)?"""
    p, n = 0.3, 100_000
    _, mask = ref.dropout_forward(np.ones(n), p, np.random.default_rng(0))
    assert abs(mask.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)


def test_dropout_preserves_the_mean(ref):
    """Is the mean of dropout_forward(A) that of A, up to sampling noise (inverted dropout: E[A_drop] = A)?"""
    A = np.full((300, 400), 2.0)
    A_drop, _ = ref.dropout_forward(A, 0.5, np.random.default_rng(1))
    assert A_drop.mean() == pytest.approx(2.0, rel=0.02)


def test_dropout_mask_is_zero_one_and_kept_entries_scaled(ref):
    """Is the mask 0/1 and every kept entry A / (1 - p), every dropped one 0?"""
    A = np.random.default_rng(2).normal(size=(5, 7))
    A_drop, mask = ref.dropout_forward(A, 0.25, np.random.default_rng(3))
    assert set(np.unique(mask)) <= {0.0, 1.0}
    np.testing.assert_allclose(A_drop[mask == 1], A[mask == 1] / 0.75, rtol=1e-15)
    assert np.all(A_drop[mask == 0] == 0)


def test_dropout_with_p_zero_is_the_identity(ref):
    """Does p = 0 keep everything unchanged?"""
    A = np.random.default_rng(4).normal(size=(3, 3))
    A_drop, mask = ref.dropout_forward(A, 0.0, np.random.default_rng(5))
    np.testing.assert_array_equal(A_drop, A)
    np.testing.assert_array_equal(mask, np.ones((3, 3)))


def test_dropout_uses_one_call_of_rng_random(ref):
    """Is the mask rng.random(A.shape) >= p, as the notebook specifies (so a grader can reproduce it)?"""
    A = np.ones((4, 6))
    _, mask = ref.dropout_forward(A, 0.4, np.random.default_rng(6))
    np.testing.assert_array_equal(mask, np.random.default_rng(6).random((4, 6)) >= 0.4)


# ----------------------------------------------------------------------------- added with issue 18
def test_dropout_backward_matches_finite_differences_of_the_forward_pass(ref):
    """With the mask held fixed, is dropout_backward the gradient of sum(A * mask / (1 - p) * dA_drop) (centred differences)?"""
    rng = np.random.default_rng(4)
    A, dA_drop = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    mask, p, h = (rng.random((3, 4)) >= 0.4).astype(float), 0.4, 1e-6
    numeric = np.zeros_like(A)
    for i in np.ndindex(A.shape):
        e = np.zeros_like(A)
        e[i] = h
        numeric[i] = (np.sum((A + e) * mask / (1 - p) * dA_drop) - np.sum((A - e) * mask / (1 - p) * dA_drop)) / (2 * h)
    np.testing.assert_allclose(ref.dropout_backward(dA_drop, mask, p), numeric, rtol=1e-7, atol=1e-9)


def test_layer_statistics_of_linear_layers_by_hand(ref):
    """Through W = 3I then W = I/2 (identity activations): are the RMS of the activations 3|x| and 1.5|x|, and of
    the gradients 1/2 and 1 for dY = 1 (worked by hand)?"""
    X = np.array([[2.0, -2.0]])
    act, grad = ref.layer_statistics(X, [(np.array([[3.0]]), np.zeros((1, 1))), (np.array([[0.5]]), np.zeros((1, 1)))],
                                     "identity", np.ones((1, 2)))
    np.testing.assert_allclose(act, [6.0, 3.0])
    np.testing.assert_allclose(grad, [0.5, 1.0])


def test_layer_statistics_he_keeps_a_wide_relu_stack_steady(ref):
    """Through 10 ReLU layers of 512 units with He weights, does the activations' RMS stay within 20 % of the first
    layer's (the variance argument: E[relu(z)^2] = Var(z) / 2, and He's 2 / n restores it; law of large numbers)?"""
    rng = np.random.default_rng(5)
    params = [(rng.standard_normal((512, 512)) * np.sqrt(2 / 512), np.zeros((512, 1))) for _ in range(10)]
    act, _ = ref.layer_statistics(rng.standard_normal((512, 200)), params, "relu", np.ones((512, 200)))
    assert np.all(np.abs(act / act[0] - 1) < 0.2)


def test_layer_statistics_leaves_its_inputs_unchanged(ref):
    """After the call, do X, the weights and dY hold their old values?"""
    rng = np.random.default_rng(6)
    X, dY = rng.normal(size=(3, 4)), rng.normal(size=(2, 4))
    params = [(rng.normal(size=(2, 3)), rng.normal(size=(2, 1)))]
    copies = [X.copy(), dY.copy(), params[0][0].copy(), params[0][1].copy()]
    ref.layer_statistics(X, params, "tanh", dY)
    for before, after in zip(copies, [X, dY, *params[0]]):
        np.testing.assert_array_equal(before, after)
