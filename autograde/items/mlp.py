"""Graded items of notebook 02 (the multi-layer perceptron, forward pass): cases, known mistakes, alternatives.

Tolerances: the forward pass is a few matrix products of O(1) numbers with at most 6 terms per sum,
so two correct float64 implementations (``@``, ``np.dot``, ``einsum``, loops; another summation
order) differ by ~1e-15 relative. ``rtol = 1e-9`` with ``atol = 1e-10`` (for entries that cancel to
~0) accepts every one of them, while each known mistake (a missing bias, a wrong activation, a
wrong scale) moves some entry by more than 1e-2. ``init_params`` is compared within the same
tolerance: ``rng.normal(0, s, size)`` and ``rng.standard_normal(size) * s`` draw the same numbers
and differ by at most one rounding. ``count_params`` is an integer: exact.

The mistakes' implementations below use plain numpy activations (trusted side; they never reach a
notebook or the sandbox). Every case of an item takes shapes where the mistakes stay runnable (a
mistake that raises on a case cannot be recognised on it), and at least one case tells each mistake
apart from the others.
"""
from __future__ import annotations

import numpy as np

from autograde.spec import Case, Item, Seed, Variant

NOTEBOOK = NB = "02_mlp"

_ACT = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(0.0, z),
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
}
ACTIVATIONS = tuple(_ACT)


def _dim(rng, lo=1, hi=5) -> int:
    return int(rng.integers(lo, hi + 1))


def _flat(params) -> tuple:
    return tuple(a for pair in params for a in pair)


def _random_params(rng, sizes) -> list:
    return [(rng.normal(size=(n, p)), rng.normal(size=(n, 1))) for p, n in zip(sizes[:-1], sizes[1:])]


# ----------------------------------------------------------------------------- layer_forward
def _layer_cases(rng) -> list[Case]:
    cases = []
    for act in ACTIVATIONS:
        n_prev, n, m = _dim(rng), _dim(rng, 2, 5), _dim(rng, 1, 6)
        while n == n_prev:
            n = _dim(rng, 2, 5)
        cases.append(Case(f"A_prev ({n_prev}, {m}), W ({n}, {n_prev}), activation {act!r}",
                          (rng.normal(size=(n_prev, m)), rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1)), act)))
    cases.append(Case("one sample, one input, one unit, 'relu'", (np.array([[2.0]]), np.array([[-1.5]]), np.array([[4.0]]), "relu")))
    # the spec: any other name raises a ValueError (the visible check asks the same)
    cases.append(Case("an unknown activation 'softplus' (must raise ValueError)",
                      (rng.normal(size=(2, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 1)), "softplus")))
    cases.append(Case("large pre-activations (|Z| up to ~60), 'sigmoid'",
                      (20 * rng.normal(size=(3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(2, 1)), "sigmoid")))
    return cases


def _g(activation, table=_ACT):
    """The activation by name, raising ValueError for any other name as the spec asks (so that each mistake below
    behaves like a student's on the unknown-activation case)."""
    if activation not in table:
        raise ValueError(f"unknown activation {activation!r}")
    return table[activation]


def _layer_no_bias(A_prev, W, b, activation):
    Z = W @ A_prev
    return _g(activation)(Z), (A_prev, W, b, Z, activation)


def _layer_cache_A(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = _g(activation)(Z)
    return A, (A_prev, W, b, A, activation)


def _layer_cache_output(A_prev, W, b, activation):
    Z = W @ A_prev + b
    A = _g(activation)(Z)
    return A, (A, W, b, Z, activation)


def _layer_tanh_is_sigmoid(A_prev, W, b, activation):
    Z = W @ A_prev + b
    return _g(activation, dict(_ACT, tanh=_ACT["sigmoid"]))(Z), (A_prev, W, b, Z, activation)


def _layer_loop(A_prev, W, b, activation):
    _g(activation)
    n, m = W.shape[0], A_prev.shape[1]
    Z = np.zeros((n, m))
    for k in range(m):
        for i in range(n):
            Z[i, k] = sum(W[i, j] * A_prev[j, k] for j in range(W.shape[1])) + b[i, 0]
    if activation == "identity":
        A = Z.copy()
    elif activation == "relu":
        A = np.where(Z > 0, Z, 0.0)
    elif activation == "sigmoid":
        A = 1.0 / (1.0 + np.exp(-Z))
    else:
        A = (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))
    return A, (A_prev, W, b, Z, activation)


def _layer_einsum(A_prev, W, b, activation):
    Z = np.einsum("ij,jk->ik", W, A_prev) + b
    return _g(activation)(Z), (A_prev, W, b, Z, activation)


# ----------------------------------------------------------------------------- mlp_forward
_PAIRS = [("relu", "identity"), ("tanh", "sigmoid"), ("relu", "sigmoid"), ("sigmoid", "identity"), ("identity", "tanh")]


def _mlp_cases(rng) -> list[Case]:
    cases = []
    for hidden, output in _PAIRS:
        L = _dim(rng, 2, 4)
        sizes = [_dim(rng) for _ in range(L + 1)]
        m = _dim(rng, 1, 6)
        cases.append(Case(f"layer sizes {sizes}, {m} samples, hidden {hidden!r}, output {output!r}",
                          (rng.normal(size=(sizes[0], m)), hidden, output, *_flat(_random_params(rng, sizes)))))
    sizes = [3, 4]
    cases.append(Case("one layer [3, 4], hidden 'relu', output 'tanh'",
                      (rng.normal(size=(3, 5)), "relu", "tanh", *_flat(_random_params(rng, sizes)))))
    return cases


def _forward_with(acts_of):
    """A forward pass whose activation of layer l (1..L) is acts_of(l, L, hidden, output)."""
    def forward(X, params, hidden_activation, output_activation):
        A, caches = X, []
        L = len(params)
        for l, (W, b) in enumerate(params, start=1):
            act = acts_of(l, L, hidden_activation, output_activation)
            Z = W @ A + b
            caches.append((A, W, b, Z, act))
            A = _ACT[act](Z)
        return A, caches
    return forward


_mlp_hidden_on_output = _forward_with(lambda l, L, h, o: h)
_mlp_output_everywhere = _forward_with(lambda l, L, h, o: o)
_mlp_no_hidden_activation = _forward_with(lambda l, L, h, o: "identity" if l < L else o)


def _mlp_reversed_caches(X, params, hidden_activation, output_activation):
    A, caches = _forward_with(lambda l, L, h, o: h if l < L else o)(X, params, hidden_activation, output_activation)
    return A, caches[::-1]


def _mlp_recursive(X, params, hidden_activation, output_activation):
    if len(params) == 1:
        W, b = params[0]
        Z = W @ X + b
        return _ACT[output_activation](Z), [(X, W, b, Z, output_activation)]
    W, b = params[0]
    Z = np.dot(W, X) + b
    rest, caches = _mlp_recursive(_ACT[hidden_activation](Z), params[1:], hidden_activation, output_activation)
    return rest, [(X, W, b, Z, hidden_activation)] + caches


# ----------------------------------------------------------------------------- init_params and count_params
def _size_cases(rng, with_seed: bool) -> list[Case]:
    lists = [[3, 5], [2, 4, 1], [784, 100, 10] if not with_seed else [30, 20, 10], [1, 1]]
    for _ in range(3):
        L = _dim(rng, 1, 4)
        sizes = [_dim(rng, 1, 7) for _ in range(L + 1)]
        sizes[1] = sizes[0] + 1 if L >= 1 and sizes[1] == sizes[0] else sizes[1]  # at least one non-square layer
        lists.append(sizes)
    cases = []
    for k, sizes in enumerate(lists):
        args = (np.array(sizes, dtype=float),) + ((Seed(int(rng.integers(0, 2**31))),) if with_seed else ())
        cases.append(Case(f"layer sizes {sizes}", args))
    return cases


def _init_with(scale, shape_of=lambda n, p: (n, p), bias=lambda n: np.zeros((n, 1))):
    def init(layer_sizes, rng):
        return [(rng.standard_normal(shape_of(n, p)) * scale(n, p), bias(n))
                for p, n in zip(layer_sizes[:-1], layer_sizes[1:])]
    return init


_init_xavier = _init_with(lambda n, p: np.sqrt(1 / p))
_init_fan_out = _init_with(lambda n, p: np.sqrt(2 / n))
_init_transposed = _init_with(lambda n, p: np.sqrt(2 / p), shape_of=lambda n, p: (p, n))
_init_flat_bias = _init_with(lambda n, p: np.sqrt(2 / p), bias=lambda n: np.zeros(n))


def _init_normal(layer_sizes, rng):
    params = []
    for i in range(1, len(layer_sizes)):
        n, p = layer_sizes[i], layer_sizes[i - 1]
        params.append((rng.normal(0.0, np.sqrt(2.0 / p), size=(n, p)), np.zeros(n)[:, None]))
    return params


def _count_weights_only(layer_sizes):
    return sum(n * p for p, n in zip(layer_sizes[:-1], layer_sizes[1:]))


def _count_prev_biases(layer_sizes):
    return sum(n * p + p for p, n in zip(layer_sizes[:-1], layer_sizes[1:]))


def _count_input_biases(layer_sizes):
    return sum(n * p for p, n in zip(layer_sizes[:-1], layer_sizes[1:])) + sum(layer_sizes)


def _count_float(layer_sizes):
    return float(sum(n * (p + 1.0) for p, n in zip(layer_sizes[:-1], layer_sizes[1:])))


def _count_dot(layer_sizes):
    s = np.array(layer_sizes)
    return s[1:] @ (s[:-1] + 1)            # a numpy integer: an int as the spec asks


# ----------------------------------------------------------------------------- shallow_net_1d
def _shallow_cases(rng) -> list[Case]:
    cases = []
    for act in ("relu", "tanh", "sigmoid", "identity", "relu"):
        D, m = _dim(rng, 1, 6), _dim(rng, 1, 9)
        cases.append(Case(f"D = {D} hidden units, {m} inputs, activation {act!r}",
                          (rng.uniform(-2, 2, size=m), rng.normal(size=(D, 2)), rng.normal(size=D + 1), act)))
    theta = np.array([[0.2, -1.0], [-0.9, 1.8], [-1.4, 1.75]])
    cases.append(Case("lecture-style D = 3 ReLU network, inputs at and between its joints",
                      (np.array([0.0, 0.2, 0.35, 0.5, 0.8, 1.0]), theta, np.array([-0.2, 1.5, -1.2, 4.0]), "relu")))
    return cases


def _shallow_no_phi0(x, theta, phi, activation):
    return phi[1:] @ _ACT[activation](theta[:, [0]] + theta[:, [1]] * x[None, :])


def _shallow_swapped_theta(x, theta, phi, activation):
    return phi[0] + phi[1:] @ _ACT[activation](theta[:, [1]] + theta[:, [0]] * x[None, :])


def _shallow_act_on_output(x, theta, phi, activation):
    return _ACT[activation](phi[0] + phi[1:] @ _ACT[activation](theta[:, [0]] + theta[:, [1]] * x[None, :]))


def _shallow_phi_last_offset(x, theta, phi, activation):
    return phi[-1] + phi[:-1] @ _ACT[activation](theta[:, [0]] + theta[:, [1]] * x[None, :])


def _shallow_loop(x, theta, phi, activation):
    f = np.full(x.shape, float(phi[0]))
    for d in range(theta.shape[0]):
        f = f + phi[d + 1] * _ACT[activation](theta[d, 0] + theta[d, 1] * x)
    return f


def _shallow_as_mlp(x, theta, phi, activation):
    W1, b1 = theta[:, 1:2], theta[:, 0:1]
    H = _ACT[activation](W1 @ x.reshape(1, -1) + b1)
    return (phi[None, 1:] @ H + phi[0]).reshape(-1)


# ----------------------------------------------------------------------------- collapse_linear
def _collapse_cases(rng) -> list[Case]:
    """Mostly hidden and output layers of one width n (the input width differs), where adding the biases runs and
    gives wrong numbers; one case of different widths, where it raises (a broadcasting ValueError), as a student's does."""
    cases = []
    for L in (2, 3, 4, 2):
        n0, n = _dim(rng), _dim(rng, 2, 5)
        sizes = [n0] + [n] * L
        cases.append(Case(f"{L} linear layers, sizes {sizes}", _flat(_random_params(rng, sizes))))
    cases.append(Case("one layer, sizes [4, 2]", _flat(_random_params(rng, [4, 2]))))
    cases.append(Case("layers of different widths, sizes [3, 4, 2]", _flat(_random_params(rng, [3, 4, 2]))))
    return cases


def _collapse_bias_sum(params):
    W, b = params[0]
    for W_l, b_l in params[1:]:
        W, b = W_l @ W, b + b_l
    return W, b


def _collapse_last_bias(params):
    W = params[0][0]
    for W_l, _ in params[1:]:
        W = W_l @ W
    return W, params[-1][1]


def _collapse_probe_network(params):
    """Read W and b off the network itself: b = f(0), column j of W = f(e_j) - f(0)."""
    n0 = params[0][0].shape[1]
    def f(X):
        for W_l, b_l in params:
            X = W_l @ X + b_l
        return X
    b = f(np.zeros((n0, 1)))
    return f(np.eye(n0)) - b, b


def _collapse_backwards(params):
    W, b = params[-1]
    for W_l, b_l in reversed(params[:-1]):
        b = b + W @ b_l
        W = W @ W_l
    return W, b


TOL = dict(rtol=1e-9, atol=1e-10)

ITEMS = [
    Item("layer_forward", NB, _layer_cases, probe="mlp_layer_forward", **TOL,
         outputs=(("A", "the layer's activations g(Z)"), ("cache[0]", "A_prev, the layer's input"), ("cache[1]", "W"),
                  ("cache[2]", "b"), ("cache[3]", "Z = W A_prev + b, before the activation"),
                  ("cache[4] == activation", "1 when the cache ends with the activation's name")),
         mistakes=(Variant("no_bias", "computes Z = W A_prev and forgets to add the bias b", _layer_no_bias),
                   Variant("cache_holds_A", "stores the activation A in the cache where Z (before the activation) belongs", _layer_cache_A),
                   Variant("cache_holds_output", "stores the layer's output A in the cache where its input A_prev belongs", _layer_cache_output),
                   Variant("tanh_is_sigmoid", "computes the sigmoid for 'tanh' (tanh is 2 sigmoid(2z) - 1, with values in (-1, 1))", _layer_tanh_is_sigmoid)),
         alternatives=(Variant("loops", "loops over samples, units and inputs, with textbook formulas for g", _layer_loop),
                       Variant("einsum", "np.einsum for the product", _layer_einsum))),
    Item("mlp_forward", NB, _mlp_cases, probe="mlp_forward", **TOL, uses=("layer_forward",),
         outputs=(("Y_hat", "the network's output"),),
         mistakes=(Variant("hidden_on_output", "applies the hidden activation to the output layer too, instead of output_activation", _mlp_hidden_on_output),
                   Variant("output_everywhere", "applies output_activation to every layer, hidden ones included", _mlp_output_everywhere),
                   Variant("no_hidden_activation", "leaves the hidden layers without an activation (only the output layer gets one)", _mlp_no_hidden_activation),
                   Variant("caches_reversed", "returns the caches last layer first; they must be in layer order, first layer first", _mlp_reversed_caches)),
         alternatives=(Variant("recursive", "recursion over the layers, np.dot", _mlp_recursive),)),
    Item("init_params", NB, lambda rng: _size_cases(rng, True), probe="mlp_init", **TOL,
         mistakes=(Variant("xavier", "scales the weights by sqrt(1 / n_prev) (Xavier) instead of He's sqrt(2 / n_prev)", _init_xavier),
                   Variant("fan_out", "scales by sqrt(2 / n_l), the layer's own width, instead of its input width n_prev", _init_fan_out),
                   Variant("transposed_W", "draws W with shape (n_prev, n_l), transposed; it must be (n_l, n_prev)", _init_transposed),
                   Variant("flat_bias", "makes the biases flat vectors of shape (n_l,) instead of columns (n_l, 1)", _init_flat_bias)),
         alternatives=(Variant("rng_normal", "rng.normal(0, scale, size) draws the same numbers", _init_normal),)),
    # Decided (issue 17, a "minor" case): a count returned as a float (12.0) fails. The spec says an int, and a count
    # is used as one (range(n), an index, "{:,d}"), where 12.0 raises; the probe reports whether it is an integer.
    Item("count_params", NB, lambda rng: _size_cases(rng, False), probe="mlp_sizes", exact=True,
         outputs=(("count", "the number of weights and biases"), ("is an int", "1 when the count is an int (or a numpy integer), not a float")),
         mistakes=(Variant("weights_only", "counts the weights but not the biases", _count_weights_only),
                   Variant("float_count", "returns the count as a float (e.g. 12.0); a count is an int", _count_float),
                   Variant("biases_of_input_side", "counts one bias per unit of the layer BELOW (n_prev) instead of per unit of the layer itself", _count_prev_biases),
                   Variant("bias_for_input_layer", "also counts biases for the input layer, which has none", _count_input_biases)),
         alternatives=(Variant("dot", "a dot product of the size arrays", _count_dot),)),
    Item("shallow_net_1d", NB, _shallow_cases, **TOL,
         mistakes=(Variant("no_phi0", "forgets the offset phi_0", _shallow_no_phi0),
                   Variant("theta_swapped", "swaps theta_d0 and theta_d1 (the bias is the first column of theta)", _shallow_swapped_theta),
                   Variant("activation_on_output", "applies the activation to the output sum too; the output is linear", _shallow_act_on_output),
                   Variant("phi_offset_last", "takes the offset from the last entry of phi; phi_0 is the first", _shallow_phi_last_offset)),
         alternatives=(Variant("loop", "a loop over the hidden units", _shallow_loop),
                       Variant("as_mlp", "written as a 1-D-1 MLP with matrices", _shallow_as_mlp))),
    Item("collapse_linear", NB, _collapse_cases, probe="mlp_collapse", **TOL,
         outputs=(("W", "the collapsed weight matrix"), ("b", "the collapsed bias")),
         mistakes=(Variant("bias_sum", "adds the biases (b1 + b2) instead of carrying each through the later weights (W2 b1 + b2)", _collapse_bias_sum),
                   Variant("last_bias_only", "keeps only the last layer's bias", _collapse_last_bias)),
         alternatives=(Variant("probe_network", "reads b = f(0) and W off the network's outputs on unit vectors", _collapse_probe_network),
                       Variant("backwards", "folds the layers from the last to the first", _collapse_backwards))),
]

# make demo's two-bug submission: two classic mistakes (answer cell grade id -> code), named by the grader.
DEMO_BUGS = {
    "mlp_forward": '''
        def mlp_forward(X, params, hidden_activation, output_activation):
            A, caches = X, []
            for W, b in params:                  # the hidden activation on the output layer too
                A, cache = layer_forward(A, W, b, hidden_activation)
                caches.append(cache)
            return A, caches
    ''',
    "count_params": '''
        def count_params(layer_sizes):
            return sum(n * n_prev for n_prev, n in zip(layer_sizes[:-1], layer_sizes[1:]))   # forgot the biases
    ''',
}
