"""The reference of notebook 02 (the MLP forward pass) against hand-worked examples, closed forms and loops.

Each expected value below is worked out independently of the code under test: by hand (written in
the docstring), from a closed form, or from a plain Python loop over the lecture's per-unit formula
z_i = sum_j w_ij a_j + b_i.
"""
from __future__ import annotations

import numpy as np
import pytest

from autograde.reference import load_reference

GRADED_02 = ["layer_forward", "mlp_forward", "init_params", "count_params", "shallow_net_1d", "collapse_linear"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("02_mlp")


def _unit_by_unit(A_prev, W, b, g):
    """The lecture's formula one unit and one sample at a time: a_i = g(sum_j w_ij a_j + b_i)."""
    n, m = W.shape[0], A_prev.shape[1]
    out = np.zeros((n, m))
    for k in range(m):
        for i in range(n):
            out[i, k] = g(sum(W[i, j] * A_prev[j, k] for j in range(W.shape[1])) + b[i, 0])
    return out


def test_every_graded_name_of_02_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 02?"""
    assert [n for n in GRADED_02 if not hasattr(ref, n)] == []


def test_layer_forward_worked_by_hand(ref):
    """Is the 3-unit ReLU layer of the notebook's check Z = [[1.5, 2.5], [-3, -4], [3, 5]], A = relu(Z)?

    By hand: unit 1 = x1 + 0.5, unit 2 = -x2, unit 3 = x1 + x2 - 1, for the samples (1, 3) and (2, 4).
    """
    A_prev = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    b = np.array([[0.5], [0.0], [-1.0]])
    A, cache = ref.layer_forward(A_prev, W, b, "relu")
    np.testing.assert_array_equal(cache[3], [[1.5, 2.5], [-3.0, -4.0], [3.0, 5.0]])
    np.testing.assert_array_equal(A, [[1.5, 2.5], [0.0, 0.0], [3.0, 5.0]])


@pytest.mark.parametrize("name,g", [("identity", lambda z: z), ("relu", lambda z: max(z, 0.0)),
                                    ("sigmoid", lambda z: 1 / (1 + np.exp(-z))), ("tanh", np.tanh)])
def test_layer_forward_equals_the_unit_by_unit_formula(ref, name, g):
    """Does layer_forward equal g(sum_j w_ij a_j + b_i) computed one unit and one sample at a time, for each activation?"""
    rng = np.random.default_rng(1)
    A_prev, W, b = rng.normal(size=(4, 6)), rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    A, _ = ref.layer_forward(A_prev, W, b, name)
    np.testing.assert_allclose(A, _unit_by_unit(A_prev, W, b, g), rtol=1e-12, atol=1e-14)


def test_layer_forward_cache_is_the_contract_tuple(ref):
    """Is the cache exactly (A_prev, W, b, Z, activation), as notebook 05's layer_backward unpacks it?"""
    rng = np.random.default_rng(2)
    A_prev, W, b = rng.normal(size=(2, 3)), rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    _, cache = ref.layer_forward(A_prev, W, b, "tanh")
    assert isinstance(cache, tuple) and len(cache) == 5
    assert cache[0] is A_prev and cache[1] is W and cache[2] is b and cache[4] == "tanh"
    np.testing.assert_allclose(cache[3], _unit_by_unit(A_prev, W, b, lambda z: z), rtol=1e-12)


def test_layer_forward_rejects_an_unknown_activation(ref):
    """Does an unknown activation name raise ValueError naming the accepted ones?"""
    with pytest.raises(ValueError, match="relu"):
        ref.layer_forward(np.ones((1, 1)), np.ones((1, 1)), np.ones((1, 1)), "softplus")


def test_mlp_forward_computes_xor_with_relu(ref):
    """Does the ReLU XOR network h = relu(+-(x1 - x2)), y = h1 + h2 = |x1 - x2| give 0, 1, 1, 0?"""
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    params = [(np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros((2, 1))), (np.array([[1.0, 1.0]]), np.zeros((1, 1)))]
    Y, caches = ref.mlp_forward(X, params, "relu", "identity")
    np.testing.assert_array_equal(Y, [[0.0, 1.0, 1.0, 0.0]])
    assert len(caches) == 2 and caches[0][4] == "relu" and caches[1][4] == "identity"


def test_mlp_forward_equals_the_nested_formula(ref):
    """Is a 3-layer forward pass sigmoid(W3 tanh(W2 tanh(W1 x + b1) + b2) + b3), lecture 000's nested formula?"""
    rng = np.random.default_rng(3)
    sizes = [3, 5, 4, 2]
    params = [(rng.normal(size=(n, p)), rng.normal(size=(n, 1))) for p, n in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(3, 7))
    (W1, b1), (W2, b2), (W3, b3) = params
    expected = 1 / (1 + np.exp(-(W3 @ np.tanh(W2 @ np.tanh(W1 @ X + b1) + b2) + b3)))
    Y, caches = ref.mlp_forward(X, params, "tanh", "sigmoid")
    np.testing.assert_allclose(Y, expected, rtol=1e-12)
    assert [c[4] for c in caches] == ["tanh", "tanh", "sigmoid"]
    assert caches[0][0] is X


def test_count_params_of_784_100_10(ref):
    """Is [784, 100, 10] 784*100 + 100 + 100*10 + 10 = 79,510 parameters (worked by hand)?"""
    assert ref.count_params([784, 100, 10]) == 79_510


def test_count_params_of_lecture_003_shallow_net(ref):
    """Does the 3-unit shallow network of lecture 003 have the 10 parameters the lecture lists?"""
    assert ref.count_params([1, 3, 1]) == 10


def test_init_params_follows_the_he_recipe_draw_by_draw(ref):
    """Are the weights the seeded standard-normal draws times sqrt(2 / n_prev), layer by layer, biases zero columns?"""
    params = ref.init_params([5, 3, 2], np.random.default_rng(9))
    rng = np.random.default_rng(9)
    W1, W2 = rng.standard_normal((3, 5)), rng.standard_normal((2, 3))
    np.testing.assert_array_equal(params[0][0], W1 * np.sqrt(2 / 5))
    np.testing.assert_array_equal(params[1][0], W2 * np.sqrt(2 / 3))
    np.testing.assert_array_equal(params[0][1], np.zeros((3, 1)))
    np.testing.assert_array_equal(params[1][1], np.zeros((2, 1)))


def test_init_params_variance_is_two_over_fan_in(ref):
    """Do the weights of a 1000 -> 500 layer have variance 2 / 1000 (He), within sampling error?

    500,000 normal draws: the sample variance has relative standard error sqrt(2 / 500000) ~ 0.2 %.
    """
    W = ref.init_params([1000, 500], np.random.default_rng(4))[0][0]
    assert abs(W.var() / (2 / 1000) - 1) < 0.01
    assert abs(W.mean()) < 5 * np.sqrt(2 / 1000 / W.size)


def test_shallow_net_1d_worked_by_hand(ref):
    """For theta = [[1, -1], [-1, 2]], phi = (0.5, 1, -1), ReLU: is f(0), f(1), f(2) = 1.5, -0.5, -2.5 (by hand)?"""
    f = ref.shallow_net_1d(np.array([0.0, 1.0, 2.0]), np.array([[1.0, -1.0], [-1.0, 2.0]]), np.array([0.5, 1.0, -1.0]), "relu")
    np.testing.assert_allclose(f, [1.5, -0.5, -2.5], rtol=0, atol=1e-15)


def test_shallow_net_1d_is_linear_between_joints(ref):
    """Is the ReLU network linear between neighbouring joints and at most D + 1 = 4 pieces (second differences vanish off the joints)?"""
    theta = np.array([[0.2, -1.0], [-0.9, 1.8], [-1.4, 1.75]])       # joints at 0.2, 0.5, 0.8
    x = np.linspace(0.0, 1.0, 1001)
    f = ref.shallow_net_1d(x, theta, np.array([-0.2, 1.5, -1.2, 4.0]), "relu")
    second = np.abs(np.diff(f, 2))
    bent = x[1:-1][second > 1e-9]
    assert bent.size <= 2 * 3                                         # each joint bends at most the two differences around it
    assert np.all(np.min(np.abs(bent[:, None] - np.array([0.2, 0.5, 0.8])), axis=1) <= 1e-3 + 1e-12)


def test_collapse_linear_equals_the_deep_linear_network(ref):
    """Does W x + b of the collapsed pair equal the 4-layer network without activations on random inputs?"""
    rng = np.random.default_rng(6)
    sizes = [3, 6, 2, 5, 4]
    params = [(rng.normal(size=(n, p)), rng.normal(size=(n, 1))) for p, n in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(3, 20))
    A = X
    for W_l, b_l in params:
        A = W_l @ A + b_l
    W, b = ref.collapse_linear(params)
    assert W.shape == (4, 3) and b.shape == (4, 1)
    np.testing.assert_allclose(W @ X + b, A, rtol=1e-10, atol=1e-12)


def test_collapse_linear_of_two_layers_in_closed_form(ref):
    """Is the collapse of two layers (W2 W1, W2 b1 + b2), the closed form of lecture 000's argument?"""
    rng = np.random.default_rng(8)
    W1, b1, W2, b2 = rng.normal(size=(4, 2)), rng.normal(size=(4, 1)), rng.normal(size=(3, 4)), rng.normal(size=(3, 1))
    W, b = ref.collapse_linear([(W1, b1), (W2, b2)])
    np.testing.assert_allclose(W, W2 @ W1, rtol=1e-12)
    np.testing.assert_allclose(b, W2 @ b1 + b2, rtol=1e-12)
