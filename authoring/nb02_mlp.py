"""Source of solutions/02_mlp/mlp.ipynb (run `make sources`, then release it)."""
from __future__ import annotations

from pathlib import Path

from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "02_mlp"
FILENAME = "mlp.ipynb"

# Notebook 01's reference activations (solutions/01_perceptron/perceptron.ipynb), given here as they are.
GIVEN_ACTIVATIONS = r'''
# Given: the activations of notebook 01, copied from its reference solution (run this cell, do not edit it).
def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])  # z < 0 here, so exp(z) < 1: no overflow
    out[~pos] = ez / (1.0 + ez)
    return out


def tanh(z):
    """Hyperbolic tangent through tanh(z) = 2 sigmoid(2z) - 1."""
    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0


def relu(z):
    """Rectified linear unit max(0, z)."""
    return np.maximum(0.0, np.asarray(z, dtype=float))


# The activation g of a layer, by name: ACTIVATIONS["relu"](Z) is relu(Z).
ACTIVATIONS = {"identity": lambda z: z, "relu": relu, "sigmoid": sigmoid, "tanh": tanh}
'''


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p02")

    nb.md(r"""
    # 02 · The multi-layer perceptron: the forward pass

    Notebook 01 ended with a network of two layers that computes XOR. Here that network becomes the
    general **multi-layer perceptron** (MLP): any number of layers, any widths, smooth activations,
    and a whole batch of samples at once. You will write its forward pass, count its parameters,
    initialise them, and then look at *what functions* such a network can compute: piecewise-linear
    functions with joints (lecture 003), as many joints as you like (universal approximation), none
    at all without activation functions, and many more per parameter when the network is deep.

    Nothing is trained in this notebook: the weights are set by hand, drawn at random, or (in one
    section) solved for directly. Training needs a loss (notebook 03) and its gradient (04, 05).

    **How to work.** As in notebook 01: replace `raise NotImplementedError()` in each cell marked
    `# YOUR CODE HERE`, then run the check cell below it. Hidden tests call your functions on random
    shapes, so write them for any shape, not just the example. The plots and the widget are drawn
    from *your* functions; until a function is written, its plots say so.
    """)
    nb.setup("""
    import numpy as np
    import nbcourse as nc
    from nbcourse.ready import needs
    """)
    nb.md(r"""
    The activation functions come from notebook 01. Here is its reference code for `sigmoid`, `tanh`
    and `relu` (yours may have differed in details; these are the ones the tests use), and a
    dictionary `ACTIVATIONS` that looks an activation up by its name.
    """)
    nb.given(GIVEN_ACTIVATIONS)

    # ------------------------------------------------------------------ 1. layers
    nb.md(r"""
    ## 1 · From notebook 01 to layers

    In notebook 01 the hidden layer of the XOR network was $h = \text{step}(W^{[1]} x + b^{[1]})$ and the
    output was one more unit on top of $h$. Every layer of an MLP does the same two things. Layer $l$
    takes the activations $a^{[l-1]}$ of the layer below (for $l = 1$, the input: $a^{[0]} = x$) and computes

    $$z^{[l]} = W^{[l]} a^{[l-1]} + b^{[l]}, \qquad a^{[l]} = g(z^{[l]}),$$

    where $g$ is the layer's activation function, applied entry by entry. Written out for unit $i$ of
    layer $l$: $z^{[l]}_i = \sum_j w^{[l]}_{ij} a^{[l-1]}_j + b^{[l]}_i$. The weight $w^{[l]}_{ij}$ goes
    *from* unit $j$ of layer $l-1$ *to* unit $i$ of layer $l$, so row $i$ of $W^{[l]}$ holds all the
    weights coming into unit $i$. A network with $L$ layers computes

    $$\hat y = a^{[L]} = g^{[L]}\!\big(W^{[L]} \cdots g(W^{[2]} g(W^{[1]} x + b^{[1]}) + b^{[2]}) \cdots + b^{[L]}\big).$$

    The hidden layers $1, \dots, L-1$ share one activation (`hidden_activation`); the output layer $L$
    has its own (`output_activation`): often the identity for regression, a sigmoid for a yes/no answer.

    **Shapes, for a batch.** Put the $m$ samples side by side as columns: $X = A^{[0]}$ has shape
    $(n_0, m)$. With $n_l$ units in layer $l$:

    | array | shape | meaning |
    |---|---|---|
    | `A_prev` $= A^{[l-1]}$ | $(n_{l-1}, m)$ | activations of the layer below, one column per sample |
    | `W` $= W^{[l]}$ | $(n_l, n_{l-1})$ | one row per unit of layer $l$ |
    | `b` $= b^{[l]}$ | $(n_l, 1)$ | a column: numpy adds it to every column of `W @ A_prev` |
    | `Z` $= Z^{[l]}$ | $(n_l, m)$ | pre-activations |
    | `A` $= A^{[l]}$ | $(n_l, m)$ | activations, $g$ applied to every entry of `Z` |

    The whole batch is one matrix product: column $k$ of `W @ A_prev` is $W^{[l]} a^{[l-1]}$ for sample $k$.

    **Notation, and where the lectures differ.** Lecture 000 writes $W^l, b^l, z^l, a^l$ with the layer
    as a plain superscript and $\sigma$ for a generic activation; we add brackets, $W^{[l]}$, so that the
    layer is not read as a power, and we call the activation $g$ (notebook 01 called it $\varphi$;
    lecture 003 uses $\phi$ for the output weights of a shallow network, so a different letter avoids a
    clash). Lecture 003 writes the same layer as $h_k = a[\beta_{k-1} + \Omega_{k-1} h_{k-1}]$: its
    $\Omega_{k-1}$ is our $W^{[k]}$, its $\beta_{k-1}$ our $b^{[k]}$ (it counts layers from 0, we from
    1), its $a[\cdot]$ our $g$. Lecture 001 is of two minds: its numpy forward pass,
    `h1 = f(np.dot(W1, x) + b1)` with `W1` of size $4 \times 3$, is our convention, but its later slides
    write $h^1 = \max(0, W_1^\top x + b_1)$, with the weights stored transposed, shape $(n_{l-1}, n_l)$.
    We never transpose: our `W` always has one row per unit of the layer it feeds, as in lecture 001's
    numpy code and lecture 000's $W^l$.

    ### The `(output, cache)` pattern

    Notebook 05 runs the network *backwards* to get gradients, and each layer's backward step needs
    what its forward step saw. So every forward function returns its output **and a cache**: here the
    tuple `(A_prev, W, b, Z, activation)`, exactly in this order.

    **Exercise 1.1.** Write `layer_forward(A_prev, W, b, activation)`. `activation` is the *name* of
    $g$: one of `"identity"`, `"relu"`, `"sigmoid"`, `"tanh"` (look it up in `ACTIVATIONS`; raise a
    `ValueError` that names the four for any other string). Shapes as in the table; `m` may be 1.
    Return `(A, cache)` with `cache = (A_prev, W, b, Z, activation)`.
    """)
    nb.answer("layer_forward", r'''
    def layer_forward(A_prev, W, b, activation):
        """One layer: Z = W A_prev + b, A = g(Z), for a batch of samples (columns).

        A_prev: (n_prev, m); W: (n, n_prev); b: (n, 1); activation: "identity", "relu", "sigmoid" or "tanh".
        Returns (A, cache): A of shape (n, m) and cache = (A_prev, W, b, Z, activation).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        Z = W @ A_prev + b
        A = ACTIVATIONS[activation](Z)
        return A, (A_prev, W, b, Z, activation)
        ### END SOLUTION
    ''')
    nb.tests("test_layer_forward", 2, r'''
    A_prev = np.array([[1.0, 2.0], [3.0, 4.0]])            # 2 samples (columns) of 2 features
    W = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])    # 3 units
    b = np.array([[0.5], [0.0], [-1.0]])
    A, cache = nc.checks.call(layer_forward, A_prev, W, b, "relu")
    nc.checks.expect_shape(A, (3, 2), "A of a 3-unit layer on 2 samples")
    # Worked by hand: Z = [[1.5, 2.5], [-3, -4], [3, 5]]; relu zeroes the middle row.
    nc.checks.expect_close(A, [[1.5, 2.5], [0.0, 0.0], [3.0, 5.0]], "A = relu(W A_prev + b)")
    nc.checks.expect_true(isinstance(cache, tuple) and len(cache) == 5,
                          f"cache must be the tuple (A_prev, W, b, Z, activation); got {type(cache).__name__} "
                          f"of length {len(cache) if hasattr(cache, '__len__') else '?'}")
    nc.checks.expect_close(cache[3], [[1.5, 2.5], [-3.0, -4.0], [3.0, 5.0]], "cache[3], the pre-activation Z (before relu)")
    nc.checks.expect_close(cache[0], A_prev, "cache[0], the layer's input A_prev")
    nc.checks.expect_true(cache[4] == "relu", f"cache[4] must be the activation's name 'relu', got {cache[4]!r}")
    A1, _ = layer_forward(A_prev[:, :1], W, b, "sigmoid")
    nc.checks.expect_close(A1, sigmoid(np.array([[1.5], [-3.0], [3.0]])), "A for one sample with the sigmoid")
    nc.checks.expect_close(layer_forward(A_prev, W, b, "identity")[0], cache[3], "the identity layer returns Z itself")
    nc.checks.expect_close(layer_forward(A_prev, W, b, "tanh")[0], np.tanh(cache[3]),
                           "A with 'tanh' (numpy's np.tanh of Z: values in (-1, 1), tanh(0) = 0)")
    try:
        layer_forward(A_prev, W, b, "softplus")
    except ValueError:
        pass
    except Exception as e:
        raise AssertionError(f"layer_forward(..., 'softplus') raised {type(e).__name__}; check the name first "
                             f"and raise ValueError for an unknown activation") from None
    else:
        raise AssertionError("layer_forward(..., 'softplus') must raise ValueError (unknown activation)")
    nc.checks.ok("layer_forward looks right.")
    ''', ["layer_forward"])

    nb.md(r"""
    **Exercise 1.2.** Write `mlp_forward(X, params, hidden_activation, output_activation)`. `params` is a
    list of $L$ pairs `(W, b)`, first layer first. Layers $1, \dots, L-1$ use `hidden_activation`, layer
    $L$ uses `output_activation` (with one layer, only `output_activation` is used). Call your
    `layer_forward` once per layer, feeding each layer's `A` to the next. Return `(Y_hat, caches)`:
    `Y_hat` $= A^{[L]}$, shape $(n_L, m)$, and `caches` the list of the $L$ layer caches, first layer first.
    """)
    nb.answer("mlp_forward", r'''
    def mlp_forward(X, params, hidden_activation, output_activation):
        """Forward pass of an MLP on a batch.

        X: (n_0, m) samples as columns; params: list of L pairs (W, b), W of layer l shaped (n_l, n_{l-1}),
        b shaped (n_l, 1); hidden_activation for layers 1..L-1, output_activation for layer L.
        Returns (Y_hat, caches): Y_hat of shape (n_L, m), caches a list of L layer caches, first layer first.
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        A, caches = X, []
        L = len(params)
        for l, (W, b) in enumerate(params, start=1):
            A, cache = layer_forward(A, W, b, hidden_activation if l < L else output_activation)
            caches.append(cache)
        return A, caches
        ### END SOLUTION
    ''')
    nb.tests("test_mlp_forward", 2, r'''
    # Notebook 01's XOR network with ReLU hidden units: h1 = relu(x1 - x2), h2 = relu(x2 - x1), y = h1 + h2 = |x1 - x2|.
    X_xor = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    xor_params = [(np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros((2, 1))), (np.array([[1.0, 1.0]]), np.zeros((1, 1)))]
    (W1, b1), (W2, b2) = xor_params
    Z1 = np.array([[0.0, -1.0, 1.0, 0.0], [0.0, 1.0, -1.0, 0.0]])   # worked by hand: W1 X + b1
    A1 = np.array([[0.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]])     # relu(Z1)
    Z2 = np.array([[0.0, 1.0, 1.0, 0.0]])                           # W2 A1 + b2

    def check_mlp_forward():
        Y_hat, caches = nc.checks.call(mlp_forward, X_xor, xor_params, "relu", "identity")
        nc.checks.expect_shape(Y_hat, (1, 4), "Y_hat of the XOR network on 4 samples")
        nc.checks.expect_close(Y_hat, Z2, "the ReLU XOR network on the truth table")
        nc.checks.expect_true(isinstance(caches, list) and len(caches) == 2,
                              f"caches must be a list with one cache per layer (2 here), got {caches!r:.80}")
        nc.checks.expect_close(caches[0][3], Z1, "caches[0][3], Z of the first layer")
        nc.checks.expect_close(caches[1][0], A1, "caches[1][0], the input of layer 2 (the hidden activations)")
        Y_sig, _ = mlp_forward(X_xor, xor_params, "relu", "sigmoid")
        nc.checks.expect_close(Y_sig, sigmoid(Z2), "with output_activation='sigmoid' only the LAST layer gets the sigmoid")
        Y_one, caches_one = mlp_forward(X_xor, xor_params[:1], "tanh", "identity")
        nc.checks.expect_close(Y_one, Z1, "a one-layer network uses output_activation only (identity here)")
    # what a correct layer_forward returns on the layers of this example (the same numbers, worked by hand)
    correct_layer_forward = nc.checks.answers([
        ((X_xor, W1, b1, "relu"), (A1, (X_xor, W1, b1, Z1, "relu"))),
        ((X_xor, W1, b1, "identity"), (Z1, (X_xor, W1, b1, Z1, "identity"))),
        ((A1, W2, b2, "identity"), (Z2, (A1, W2, b2, Z2, "identity"))),
        ((A1, W2, b2, "sigmoid"), (sigmoid(Z2), (A1, W2, b2, Z2, "sigmoid"))),
    ], "layer_forward", params=("A_prev", "W", "b", "activation"))
    nc.checks.isolated(check_mlp_forward, globals(), "mlp_forward", layer_forward=correct_layer_forward)
    nc.checks.ok("mlp_forward looks right.")
    ''', ["mlp_forward"])

    # ------------------------------------------------------------------ 2. parameters
    nb.md(r"""
    ## 2 · Parameters: how many, and where to start

    A network is described by its **layer sizes** $[n_0, n_1, \dots, n_L]$: $n_0$ inputs, then the width of
    each layer. Layer $l$ has $n_l \cdot n_{l-1}$ weights and $n_l$ biases. All of them together are the
    parameters $\theta = \{W^{[1]}, b^{[1]}, \dots, W^{[L]}, b^{[L]}\}$ (lecture 000): choosing $\theta$ picks one
    function out of the family the architecture describes.

    **Exercise 2.1.** Write `count_params(layer_sizes)`: the number of weights *and* biases of the network,
    as a Python `int`. `layer_sizes` is a list of at least two positive ints. Example: the XOR network
    above, `[2, 2, 1]`, has $2 \cdot 2 + 2 + 1 \cdot 2 + 1 = 9$ parameters.

    Lecture 001's numpy example is the network $[3, 4, 4, 1]$ ($W_1$ is $4 \times 3$, $W_2$ is
    $4 \times 4$) and asks about the biases and $W_3$. By the table of section 1: $b_1$ and $b_2$ are
    $(4, 1)$, $W_3$ is $1 \times 4$ and $b_3$ is $(1, 1)$, so $16 + 20 + 5 = 41$ parameters; the check
    below tests that case too.
    """)
    nb.answer("count_params", r'''
    def count_params(layer_sizes):
        """Number of weights and biases of an MLP with layer sizes [n_0, n_1, ..., n_L] (an int). Leaves its input arrays unchanged."""
        ### BEGIN SOLUTION
        return int(sum(n * n_prev + n for n_prev, n in zip(layer_sizes[:-1], layer_sizes[1:])))
        ### END SOLUTION
    ''')
    nb.tests("test_count_params", 1, r'''
    n_xor = nc.checks.call(count_params, [2, 2, 1])
    nc.checks.expect_true(isinstance(n_xor, (int, np.integer)),
                          f"count_params must return an int (a count), got {type(n_xor).__name__} {n_xor!r}")
    nc.checks.expect_equal(n_xor, 9, "count_params([2, 2, 1]), the XOR network")
    nc.checks.expect_equal(count_params([3, 1]), 4, "count_params([3, 1]): one neuron with 3 inputs, 3 weights + 1 bias")
    nc.checks.expect_equal(count_params([1, 3, 1]), 10, "count_params([1, 3, 1]), lecture 003's shallow network (10 parameters)")
    nc.checks.expect_equal(count_params([3, 4, 4, 1]), 41, "count_params([3, 4, 4, 1]), lecture 001's 3-layer numpy example")
    nc.checks.ok("count_params looks right.")
    ''', ["count_params"])

    nb.md(r"""
    ### Initialisation: He scaling

    Before training, the weights get small random values. How small matters: a pre-activation
    $z_i = \sum_{j=1}^{n_{l-1}} w_{ij} a_j$ sums $n_{l-1}$ terms, so with weights of a fixed size it grows with the
    width, and after a few layers the activations blow up or die out. **He initialisation** draws each
    weight from a normal distribution with variance $2 / n_{l-1}$, which keeps the size of the
    activations of ReLU layers about constant from layer to layer (the 2 makes up for ReLU zeroing
    half of its inputs). Two relatives you will meet: LeCun's initialisation uses the variance $1/n_{l-1}$,
    and Glorot's (also called Xavier's, made for tanh) uses $2/(n_{l-1} + n_l)$, the input and the output
    width averaged; notebook 07 measures what each does in a deep network. Biases start at zero.

    **Exercise 2.2.** Write `init_params(layer_sizes, rng)`. For each layer $l = 1, \dots, L$ in order, draw
    `W = rng.standard_normal((n_l, n_prev)) * np.sqrt(2 / n_prev)` and set `b = np.zeros((n_l, 1))`.
    Return the list of `(W, b)` pairs, first layer first. Draw exactly this way and in this order:
    the hidden tests use the same seed and expect the same numbers. Two ways to get the right shapes
    but other numbers: drawing the shape `(n_prev, n_l)` and transposing it, and scaling by the
    layer's own width `n_l` instead of its input width `n_prev`.
    """)
    nb.answer("init_params", r'''
    def init_params(layer_sizes, rng):
        """He initialisation: W of layer l is standard normal times sqrt(2 / n_{l-1}), b is zero.

        layer_sizes: [n_0, ..., n_L]; rng: numpy Generator, one standard_normal draw per layer, in order.
        Returns a list of L pairs (W of shape (n_l, n_{l-1}), b of shape (n_l, 1)).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        params = []
        for n_prev, n in zip(layer_sizes[:-1], layer_sizes[1:]):
            W = rng.standard_normal((n, n_prev)) * np.sqrt(2 / n_prev)
            params.append((W, np.zeros((n, 1))))
        return params
        ### END SOLUTION
    ''')
    nb.tests("test_init_params", 2, r'''
    params = nc.checks.call(init_params, [4, 3, 2], np.random.default_rng(0))
    nc.checks.expect_true(isinstance(params, list) and len(params) == 2,
                          "init_params([4, 3, 2], rng) must return a list of 2 (W, b) pairs")
    nc.checks.expect_shape(params[0][0], (3, 4), "W of layer 1 for sizes [4, 3, 2]")
    nc.checks.expect_shape(params[0][1], (3, 1), "b of layer 1 (a column)")
    nc.checks.expect_shape(params[1][0], (2, 3), "W of layer 2")
    nc.checks.expect_equal(params[1][1], np.zeros((2, 1)), "b of layer 2 (zeros)")
    rng = np.random.default_rng(0)
    nc.checks.expect_close(params[0][0], rng.standard_normal((3, 4)) * np.sqrt(2 / 4),
                           "W of layer 1: the first draw of default_rng(0), shape (3, 4) drawn as is (not "
                           "transposed), scaled by sqrt(2 / n_prev) = sqrt(2 / 4)")
    big = init_params([500, 400], np.random.default_rng(1))[0][0]
    nc.checks.expect_true(abs(big.std() / np.sqrt(2 / 500) - 1) < 0.03,
                          f"the weights of a 500 -> 400 layer should have standard deviation sqrt(2/500) = "
                          f"{np.sqrt(2 / 500):.4f}; yours have {big.std():.4f}")
    nc.checks.ok("init_params looks right.")
    ''', ["init_params"])

    nb.md(r"""
    **Why random, and not all equal?** Give every weight of a layer the same value and every hidden
    unit computes *the same function* of the input: each unit's row of $W^{[1]}$ is identical, so
    each unit's $z$ is identical for every sample. Below, a network with 1 input and 5 tanh hidden
    units: on the left with your He initialisation, on the right with every first-layer weight equal
    to 0.5 (and equal biases of 0.2). On the right you see one curve; it is five curves on top of each
    other. (On the left all five cross zero at $x = 0$: He initialisation starts every bias at zero, so
    every $z_d = w_d x$ is 0 there; the units still differ in slope and sign, and that is enough.)
    The layer above then receives five copies of one number, so five units are worth one.
    In exact arithmetic training cannot fix this either: identical units get identical gradients, so they
    stay identical. On a computer the units' sums are rounded slightly differently, so the symmetry is
    *unstable* rather than exact, and rounding breaks it, but only slowly and by accident. Notebook 07 comes
    back to this symmetry problem and measures how slowly.
    """)
    nb.code(r'''
    with needs("init_params", "mlp_forward"):
        x = np.linspace(-3, 3, 301)[None, :]                          # 301 inputs, shape (1, 301)
        he = init_params([1, 5, 1], np.random.default_rng(3))
        same = [(np.full((5, 1), 0.5), np.full((5, 1), 0.2)), he[1]]  # every first-layer weight 0.5
        fig, axes = nc.plot.subplots(1, 2, figsize=(11, 3.8), sharey=True)
        for ax, params, name in [(axes[0], he, "He initialisation"), (axes[1], same, "all weights equal")]:
            _, caches = mlp_forward(x, params, "tanh", "identity")
            H = caches[1][0]                                          # the hidden activations, shape (5, 301)
            for d in range(5):
                ax.plot(x[0], H[d], label=f"unit {d + 1}")
            ax.set(title=f"Hidden units of a 1-5-1 tanh network: {name}", xlabel="input $x$",
                   ylabel="hidden activation $a^{[1]}_d$")
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize="small")
    ''')

    # ------------------------------------------------------------------ 3. shallow network
    nb.md(r"""
    ## 3 · The shallow network of lecture 003

    Lecture 003 builds the smallest interesting network by hand: one input $x$, one hidden layer of
    $D$ units, one output:

    $$f(x) = \phi_0 + \sum_{d=1}^{D} \phi_d\, a(\theta_{d0} + \theta_{d1} x), \qquad h_d = a(\theta_{d0} + \theta_{d1} x).$$

    It is the MLP $[1, D, 1]$ with an identity output: $W^{[1]}$ is the column $(\theta_{11}, \dots, \theta_{D1})$,
    $b^{[1]} = (\theta_{10}, \dots, \theta_{D0})$, $W^{[2]} = (\phi_1, \dots, \phi_D)$, $b^{[2]} = \phi_0$. The lecture
    writes the activation $a[\cdot]$ with square brackets; it is our $g$. With $D = 3$ it has the 10
    parameters your `count_params([1, 3, 1])` counted.

    **Exercise 3.1.** Write `shallow_net_1d(x, theta, phi, activation)` in the lecture's notation:
    `x` of shape `(m,)` (a plain vector of inputs), `theta` of shape `(D, 2)` with row $d$ holding
    $(\theta_{d0}, \theta_{d1})$, `phi` of shape `(D + 1,)` holding $(\phi_0, \phi_1, \dots, \phi_D)$, and
    `activation` a name as in `ACTIVATIONS`. Return $f(x)$, shape `(m,)`. No loop is needed: build the
    hidden activations as a `(D, m)` array, then weigh and sum them.
    """)
    nb.answer("shallow_net_1d", r'''
    def shallow_net_1d(x, theta, phi, activation):
        """f(x) = phi_0 + sum_d phi_d a(theta_d0 + theta_d1 x), for every entry of x.

        x: (m,); theta: (D, 2), row d = (theta_d0, theta_d1); phi: (D + 1,) = (phi_0, ..., phi_D);
        activation: a name in ACTIVATIONS. Returns shape (m,).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        x = np.asarray(x, dtype=float)
        H = ACTIVATIONS[activation](theta[:, [0]] + theta[:, [1]] * x[None, :])   # (D, m): h_d for every input
        return phi[0] + phi[1:] @ H
        ### END SOLUTION
    ''')
    nb.tests("test_shallow_net_1d", 2, r'''
    theta = np.array([[1.0, -1.0], [-1.0, 2.0]])   # h1 = relu(1 - x), h2 = relu(-1 + 2x)
    phi = np.array([0.5, 1.0, -1.0])                # f = 0.5 + h1 - h2
    # By hand: x = 0: h = (1, 0), f = 1.5;  x = 1: h = (0, 1), f = -0.5;  x = 2: h = (0, 3), f = -2.5
    f = nc.checks.call(shallow_net_1d, np.array([0.0, 1.0, 2.0]), theta, phi, "relu")
    nc.checks.expect_shape(f, (3,), "shallow_net_1d on 3 inputs")
    nc.checks.expect_close(f, [1.5, -0.5, -2.5], "shallow_net_1d, two ReLU units, worked by hand")
    nc.checks.expect_close(shallow_net_1d(np.array([0.0]), theta, phi, "identity"), [2.5],
                           "with the identity activation, f(0) = 0.5 + 1 * 1 - 1 * (-1)")
    nc.checks.expect_close(shallow_net_1d(np.array([3.0]), theta[:1], phi[:2], "tanh"), [0.5 + np.tanh(-2.0)],
                           "one tanh unit: f(3) = 0.5 + tanh(1 - 3)")
    nc.checks.ok("shallow_net_1d looks right.")
    ''', ["shallow_net_1d"])

    nb.md(r"""
    ### Building $f$ step by step, as the lecture does

    Take $D = 3$ ReLU units with the parameters below. Each panel is one step of the computation:
    (1) the three linear functions $\theta_{d0} + \theta_{d1} x$; (2) their ReLUs $h_d$, each zero on
    one side of its **joint** $x_d = -\theta_{d0} / \theta_{d1}$, where its linear function crosses zero;
    (3) the weighted activations $\phi_d h_d$; (4) their sum plus $\phi_0$, which is $f$. Every panel
    is computed by your `shallow_net_1d` (a single unit with $\phi = (0, 1)$ gives $h_d$; with the
    identity it gives the linear function).

    The dashed lines are the joints. Between two neighbouring joints no ReLU switches, so $f$ is one
    straight line there: $f$ is **piecewise linear**, and $D$ joints cut the line into at most $D + 1$
    **linear regions**. (Fewer when a joint lies outside the range we look at, or two joints coincide.)
    The shaded band is one region with its **activation pattern**, the units that are on.
    """)
    nb.code(r'''
    theta3 = np.array([[0.2, -1.0], [-0.9, 1.8], [-1.4, 1.75]])   # joints at x = 0.2, 0.5, 0.8
    phi3 = np.array([-0.2, 1.5, -1.2, 4.0])
    with needs("shallow_net_1d"):
        x = np.linspace(0, 1, 401)
        joints = -theta3[:, 0] / theta3[:, 1]
        unit = lambda d, phi_d, act: shallow_net_1d(x, theta3[d:d + 1], np.array([0.0, phi_d]), act)
        fig, axes = nc.plot.subplots(1, 4, figsize=(16, 3.6), sharex=True)
        steps = [("1. linear functions", lambda d: unit(d, 1.0, "identity"), r"$\theta_{d0} + \theta_{d1} x$"),
                 ("2. ReLU activations", lambda d: unit(d, 1.0, "relu"), "$h_d$"),
                 ("3. weighted by $\\phi_d$", lambda d: unit(d, phi3[d + 1], "relu"), r"$\phi_d h_d$")]
        for ax, (title, curve, ylabel) in zip(axes, steps):
            for d in range(3):
                ax.plot(x, curve(d), label=f"unit {d + 1}")
            ax.set(title=title, xlabel="input $x$", ylabel=ylabel)
        f = shallow_net_1d(x, theta3, phi3, "relu")
        inside = joints[(joints > x[0]) & (joints < x[-1])]
        axes[3].plot(x, f, color="k")
        axes[3].set(title=f"4. sum: {inside.size + 1} linear regions (at most D + 1 = 4)", xlabel="input $x$",
                    ylabel=r"$f(x) = \phi_0 + \sum_d \phi_d h_d$")
        lo, hi = np.sort(joints)[1:3]                           # shade the region between the 2nd and 3rd joints
        on = [d + 1 for d in range(3) if theta3[d, 0] + theta3[d, 1] * (lo + hi) / 2 > 0]
        axes[3].axvspan(lo, hi, color="#E69F00", alpha=0.2, label=f"units on here: {on}")
        for ax in axes:
            for xj in joints:
                ax.axvline(xj, color="0.5", linestyle="--", linewidth=0.8)
            ax.axhline(0, color="0.8", linewidth=0.8, zorder=0)
        axes[0].legend(fontsize="small")
        axes[3].plot(inside, shallow_net_1d(inside, theta3, phi3, "relu"), "o", color="#D55E00", label="joints")
        axes[3].legend(fontsize="small")
    ''')

    # ------------------------------------------------------------------ 4. universal approximation
    nb.md(r"""
    ## 4 · Universal approximation, with a slider

    More hidden units, more joints, more linear pieces: with enough of them a piecewise-linear $f$ can
    follow any continuous function on an interval as closely as we like. That is the **universal
    approximation theorem** (Hornik, 1990, cited in lecture 003): one hidden layer is enough *to
    represent* any continuous function, to any accuracy, given enough units. It says nothing about how
    many units that takes, or how to find their parameters.

    In the widget, the $D$ joints are fixed and spread evenly over $[-1, 1]$ (unit $d$ is
    $\text{relu}(x - c_d)$). Then $f$ is *linear in* $\phi$, so the best $\phi$ (least squared error
    against the target) is one linear least-squares solve, `np.linalg.lstsq`: **no training is
    needed yet**. (Training moves the joints too; that needs gradients, notebooks 04 and 05.) The
    design matrix of the solve is built from your `shallow_net_1d`: its column $d$ is the network with
    $\phi = e_d$. Move the slider: each new unit adds one piece, and the error falls. Try the step
    target: a continuous $f$ can only approach a jump with ever steeper pieces.
    """)
    nb.code(r'''
    from nbcourse import mlp_widgets

    with needs("shallow_net_1d"):
        display(mlp_widgets.approximation_widget(shallow_net_1d, D=3))
    ''')
    nb.claim("slope_smooth_lo", "−2.15", cell="slopes[name] = np.polyfit", pattern=r"smooth targets: (-?[\d.]+) to")
    nb.claim("slope_smooth_hi", "−2.02", cell="slopes[name] = np.polyfit", pattern=r"smooth targets: -?[\d.]+ to (-?[\d.]+)")
    nb.claim("slope_step", "−0.58", cell="slopes[name] = np.polyfit", pattern=r"the step: (-?[\d.]+)")
    nb.md(r"""
    The error against $D$, for each target, on log-log axes, with two guide lines: $1/D^2$ (slope $-2$)
    and $1/\sqrt{D}$ (slope $-1/2$). For the smooth targets the error falls like $1/D^2$: halving the length of
    the pieces quarters the error of a linear interpolation. For the step it falls only like $1/\sqrt{D}$:
    near the jump one piece of width $2/D$ is always wrong by about half the jump, so the mean squared error
    falls like $1/D$ and its root like $1/\sqrt{D}$. The cell prints the slopes fitted to the curves for
    $D \ge 8$: {{slope_smooth_lo}} to {{slope_smooth_hi}} for the three smooth targets, {{slope_step}} for the step.
    """)
    nb.code(r'''
    from nbcourse import mlp_widgets

    with needs("shallow_net_1d"):
        Ds = np.unique(np.geomspace(1, nc.demo_size(64, 16), 11).astype(int))
        x = np.linspace(-1, 1, nc.demo_size(801, 201))
        fig, ax = nc.plot.subplots(figsize=(7, 4))
        slopes = {}
        for name, target in mlp_widgets.TARGETS.items():
            errors = [mlp_widgets.fit_phi(shallow_net_1d, x, target(x), mlp_widgets.spread_joints(D))[1] for D in Ds]
            ax.loglog(Ds, errors, marker=".", label=name)
            slopes[name] = np.polyfit(np.log(Ds[Ds >= 8]), np.log(np.array(errors)[Ds >= 8]), 1)[0]  # straight-line fit, log-log
        ax.loglog(Ds, 1.0 / Ds ** 2, "k--", linewidth=0.8, label="$1/D^2$ (slope $-2$)")
        ax.loglog(Ds, 0.25 / np.sqrt(Ds), "k:", linewidth=1.0, label=r"$0.25/\sqrt{D}$ (slope $-1/2$)")
        ax.set(title="Least-squares fit of a shallow ReLU network: error against width",
               xlabel="hidden units $D$", ylabel="RMS error on [-1, 1]")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
        print("slope of log(error) against log(D), fitted for D >= 8:",
              ", ".join(f"{name}: {slope:.2f}" for name, slope in slopes.items()))
        smooth = [slope for name, slope in slopes.items() if not name.startswith("step")]
        print(f"smooth targets: {min(smooth):.2f} to {max(smooth):.2f}; the step: {slopes['step at 0.3']:.2f}")
    ''')

    # ------------------------------------------------------------------ 5. non-linearity
    nb.md(r"""
    ## 5 · Why the activation functions matter

    Remove every activation (all identities) and the network collapses. Two layers give
    $W^{[2]}(W^{[1]} x + b^{[1]}) + b^{[2]} = (W^{[2]} W^{[1]})\, x + (W^{[2]} b^{[1]} + b^{[2]})$: one weight matrix and one
    bias, a single linear (affine) layer. Note the bias: $b^{[1]}$ passes *through* $W^{[2]}$. By
    induction, any number of linear layers is one (lecture 000: $W_1 (W_2 x) = (W_1 W_2) x = W x$).

    **Exercise 5.1.** Write `collapse_linear(params)`: given the layers `[(W1, b1), ..., (WL, bL)]` of a
    network *without* activations, return the one pair `(W, b)` with $W x + b$ equal to the network's
    output for every $x$. Shapes: `W` $(n_L, n_0)$, `b` $(n_L, 1)$. Hint: fold the layers in, first to last,
    keeping the running pair $(W, b)$ of the layers so far; one more layer $(W_l, b_l)$ on top turns it into
    $(W_l W,\; W_l b + b_l)$.
    """)
    nb.answer("collapse_linear", r'''
    def collapse_linear(params):
        """The single (W, b) computed by a network of linear layers [(W1, b1), ..., (WL, bL)].

        W: (n_L, n_0); b: (n_L, 1); W x + b equals the network's output with identity activations.
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        W, b = params[0]
        for W_l, b_l in params[1:]:
            W, b = W_l @ W, W_l @ b + b_l
        return W, b
        ### END SOLUTION
    ''')
    nb.tests("test_collapse_linear", 1, r'''
    rng = np.random.default_rng(5)
    sizes = [3, 4, 2, 5]
    layers = [(rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1))) for n_prev, n in zip(sizes[:-1], sizes[1:])]
    try:
        W, b = nc.checks.call(collapse_linear, layers)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        raise nc.checks.CheckFailed(
            f"collapse_linear raised ValueError ({e}) on layers of widths 4, 2 and 5: a bias of one layer cannot be "
            "added to the bias of another (they have different shapes, and they live in different spaces). Each bias "
            "goes through the weights of the layers above it: with one more layer, b becomes W_l b + b_l.") from None
    nc.checks.expect_shape(W, (5, 3), "W of the collapsed 3-4-2-5 network")
    nc.checks.expect_shape(b, (5, 1), "b of the collapsed network (a column)")
    X = rng.normal(size=(3, 7))
    A = X
    for W_l, b_l in layers:        # the deep linear network, layer by layer
        A = W_l @ A + b_l
    nc.checks.expect_close(W @ X + b, A, "W X + b against the deep linear network on 7 random inputs", rtol=1e-9, atol=1e-9)
    nc.checks.expect_close(collapse_linear(layers[:1])[1], layers[0][1], "one layer collapses to itself (its b)")
    nc.checks.ok("collapse_linear looks right.")
    ''', ["collapse_linear"])
    nb.claim("collapse_gap", "1e-13", cell="W, b = collapse_linear(deep)", pattern=r"on 1000 random inputs: ([\d.e+-]+)",
             relation="<=", tol=0)
    nb.md(r"""
    Checked once more on a bigger network with your own `mlp_forward` and `init_params` (identity
    activations everywhere, random biases): the largest difference is round-off, below {{collapse_gap}}. So
    a network without activations, however deep, can only draw straight decision boundaries: it cannot
    compute XOR, and depth buys nothing. With a ReLU in between, the same weights give something no
    single layer can (last line).
    """)
    nb.code(r'''
    with needs("init_params", "mlp_forward", "collapse_linear"):
        rng = np.random.default_rng(7)
        deep = [(W, rng.normal(size=b.shape)) for W, b in init_params([4, 16, 16, 16, 3], rng)]
        X = rng.normal(size=(4, 1000))
        Y_deep, _ = mlp_forward(X, deep, "identity", "identity")
        W, b = collapse_linear(deep)
        print(f"5 layers, {sum(W_l.size + b_l.size for W_l, b_l in deep)} parameters, without activations "
              f"-> one layer W {W.shape}, b {b.shape}")
        print(f"largest |deep network - (W X + b)| on 1000 random inputs: {np.max(np.abs(Y_deep - (W @ X + b))):.1e}")
        Y_relu, _ = mlp_forward(X, deep, "relu", "identity")
        print(f"the same weights with ReLU hidden layers differ from it by up to {np.max(np.abs(Y_relu - (W @ X + b))):.2f}")
    ''')

    # ------------------------------------------------------------------ 6. depth
    nb.md(r"""
    ## 6 · Depth: more regions per parameter

    Lecture 003 asks: if one hidden layer can approximate anything, why go deep? One answer is the
    number of **linear regions per parameter**. A shallow ReLU network with 1 input and $H$ hidden units
    has at most $H + 1$ regions, and $3H + 1$ parameters. A deep one can fold the input space: each
    layer can map several input intervals onto the same range, so the next layer's joints are repeated
    in each of them, and the counts *multiply* from layer to layer.

    We count regions with the caches of your `mlp_forward`: on a fine grid of inputs, the activation
    pattern (which ReLU units are on, in every hidden layer: `Z > 0` of each cache) is constant on a
    linear region, so the number of regions is one plus the number of times the pattern changes.
    """)
    nb.code(r'''
    def count_regions_1d(params, x):
        """Linear regions of a ReLU network with 1 input along the sorted grid x, shape (k,)."""
        _, caches = mlp_forward(x[None, :], params, "relu", "identity")
        pattern = np.concatenate([cache[3] > 0 for cache in caches[:-1]], axis=0)   # (hidden units, k)
        return 1 + int(np.sum(np.any(pattern[:, 1:] != pattern[:, :-1], axis=0)))
    ''')
    nb.md(r"""
    **The folding construction.** Two ReLU units make a *tent*: $t(x) = 2\,\text{relu}(x) - 4\,\text{relu}(x - 0.5)$
    rises from 0 to 1 on $[0, 0.5]$ and falls back to 0 on $[0.5, 1]$. Feed the tent into another tent
    and the interval is folded twice: 4 pieces; $K$ layers of 2 units give a sawtooth with $2^K$ pieces
    from only $6K + 1$ parameters (each layer's $W$ below takes the $2\,\text{relu}(\cdot) - 4\,\text{relu}(\cdot)$
    of the layer before it). A shallow network with the same $6K + 1$ parameters has $H = 2K$ units, so
    at most $2K + 1$ regions.
    """)
    nb.code(r'''
    def sawtooth_params(K):
        """A [1, 2, ..., 2, 1] ReLU network (K hidden layers) whose output on [0, 1] is the K-fold tent: 2^K pieces."""
        b = np.array([[0.0], [-0.5]])
        fold = np.array([[2.0, -4.0], [2.0, -4.0]])         # both units of the next layer read t = 2 h1 - 4 h2
        return [(np.array([[1.0], [1.0]]), b)] + [(fold, b) for _ in range(K - 1)] + [(np.array([[2.0, -4.0]]), np.zeros((1, 1)))]

    with needs("mlp_forward", "count_params"):
        x = (np.arange(20000) + 0.3183) / 20000             # a fine grid of (0, 1) that misses every joint k / 2^K
        fig, axes = nc.plot.subplots(1, 4, figsize=(15, 3.2), sharey=True)
        for ax, K in zip(axes, [1, 2, 3, 5]):
            params = sawtooth_params(K)
            y, _ = mlp_forward(x[None, :], params, "relu", "identity")
            ax.plot(x, y[0])
            ax.set(title=f"K = {K} layers: {count_regions_1d(params, x)} regions, {count_params([1] + [2] * K + [1])} params",
                   xlabel="input $x$", ylabel="network output")
    ''')
    nb.claim("regions_deep", "26.2", cell="deep_all = [count_regions_1d(", pattern=r" 241 parameters: deep \S+\s+([\d.]+) regions")
    nb.claim("regions_shallow", "74.1", cell="deep_all = [count_regions_1d(", pattern=r" 241 parameters: .*?\| shallow \S+\s+([\d.]+)")
    nb.md(r"""
    The construction shows what depth *can* do. What about networks with random weights (He weights
    from your `init_params`, biases drawn from $N(0, 0.25)$)? Below, for each parameter budget, a deep
    narrow network (4 hidden layers of width $w$) and a shallow wide one with the same number of
    parameters, 8 random draws each, regions counted on $[-3, 3]$. The plot puts them next to the
    most a shallow network can have and to the sawtooth.

    Look closely: at random weights the deep networks do **not** have more regions than the shallow
    ones; they have fewer, at every budget, in the mean of the draws and in nearly every single draw (the
    cell prints the range): at 241 parameters, {{regions_deep}} regions for the deep network against
    {{regions_shallow}} for the shallow one. The lecture's counts (161,501 regions for 471 parameters) are the *maximum*
    over all weights; a randomly initialised deep network has far fewer, about as many as it has
    units (Hanin & Rolnick, 2019, a result beyond the lectures). Depth multiplies what a network can
    *represent*, and training can use that; it does not show at initialisation.
    """)
    nb.code(r'''
    with needs("init_params", "mlp_forward", "count_params"):
        rng = np.random.default_rng(0)
        x = np.linspace(-3, 3, nc.demo_size(20001, 8001))
        draws = nc.demo_size(8, 3)
        rows = []
        for w in [2, 3, 4, 6, 8]:
            deep_sizes = [1, w, w, w, w, 1]
            n = count_params(deep_sizes)
            H = (n - 1) // 3                                   # the shallow [1, H, 1] with (about) as many parameters
            random_params = lambda sizes: [(W, 0.5 * rng.standard_normal(b.shape)) for W, b in init_params(sizes, rng)]
            deep_all = [count_regions_1d(random_params(deep_sizes), x) for _ in range(draws)]
            shallow_all = [count_regions_1d(random_params([1, H, 1]), x) for _ in range(draws)]
            deep, shallow = np.mean(deep_all), np.mean(shallow_all)
            rows.append((n, deep, shallow, H + 1))
            print(f"{n:4d} parameters: deep 1-{w}-{w}-{w}-{w}-1 {deep:6.1f} regions ({min(deep_all)} to {max(deep_all)}) | "
                  f"shallow 1-{H}-1 {shallow:6.1f} ({min(shallow_all)} to {max(shallow_all)}; at most {H + 1})")
        n, deep, shallow, most = np.array(rows).T
        Ks = np.arange(1, 9)
        fig, ax = nc.plot.subplots(figsize=(7.5, 4.5))
        ax.semilogy(6 * Ks + 1, 2.0 ** Ks, "o-", label="deep sawtooth, 2 units per layer: $2^K$")
        ax.semilogy(n, most, "k--", label="shallow, most possible: $H + 1$")
        ax.semilogy(n, shallow, "s", label="shallow, random weights (mean)")
        ax.semilogy(n, deep, "^", label="deep (4 layers), random weights (mean)")
        ax.set(title="Linear regions on a 1-D input against the number of parameters", xlabel="parameters",
               ylabel="linear regions (log scale)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small")
    ''')

    # ------------------------------------------------------------------ 7. several inputs and outputs
    nb.claim("n_regions_2d", "7", cell="def pattern_id(P)", pattern=r"(\d+) regions on a 300")
    nb.claim("smallest_region_2d", "3.2 %", cell="def pattern_id(P)", pattern=r"smallest covers ([\d.]+)%")
    nb.md(r"""
    ## 7 · Several inputs and outputs

    With two inputs, each hidden ReLU unit switches along a **line** $\theta_{d0} + \theta_{d1} x_1 + \theta_{d2} x_2 = 0$
    of the plane (its $z = 0$), not at a point. The lines of $D$ units cut the plane into convex
    polygons, and on each polygon the network is one flat plane: $f$ is piecewise *planar* (lecture 003's
    "2 inputs, 3 hidden units, 1 output"). Three lines cut the plane into at most $1 + 3 + 3 = 7$ regions,
    and into fewer when two of them cross outside the picture or the three meet near one point. Left: the
    regions of a random $[2, 3, 1]$ network, each activation pattern in its own colour: here
    {{n_regions_2d}} regions, the smallest covering {{smallest_region_2d}} of the picture. Right: its output
    $f(x_1, x_2)$, with the **decision boundary** $f = 0$ in black, the line a classifier would draw: it is made
    of straight pieces that bend where it crosses a unit's line. The dots are coloured by the sign of $f$ at
    them, the class this network would give them (no training happened: these are not true labels).

    Several *outputs* share the hidden units: each output is its own weighted sum of the same $h_d$,
    so each is piecewise linear with the *same* joints (lecture 003's "multivariate outputs").
    """)
    nb.code(r'''
    with needs("init_params", "mlp_forward"):
        rng = np.random.default_rng(724)
        net = [(W, rng.normal(size=b.shape)) for W, b in init_params([2, 3, 1], rng)]
        def pattern_id(P):                                      # which of the 3 units are on, as a number 0..7
            _, caches = mlp_forward(P, net, "relu", "identity")
            return (caches[0][3] > 0).T @ np.array([1, 2, 4])
        f = lambda P: mlp_forward(P, net, "relu", "identity")[0][0]
        X = rng.uniform(-2, 2, size=(2, 40))
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4.6))
        lo, hi = X.min(axis=1), X.max(axis=1)                   # the picture's extent (no padding)
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
        _, pixels = np.unique(pattern_id(np.stack([g1.ravel(), g2.ravel()])), return_counts=True)
        n_regions = pixels.size
        print(f"{n_regions} regions on a 300 x 300 grid of the picture; the smallest covers "
              f"{pixels.min() / pixels.sum():.1%} of it")
        nc.plot.decision_boundary(pattern_id, X, pattern_id(X), ax=axes[0], padding=0.0,
                                  title=f"Activation patterns of a 2-3-1 ReLU network: {n_regions} regions")
        axes[0].get_legend().remove()
        nc.plot.decision_boundary(f, X, (f(X) > 0).astype(int), ax=axes[1], padding=0.0,
                                  title="Its output $f(x_1, x_2)$ and the decision boundary $f = 0$",
                                  class_names={0: "$f < 0$ here", 1: "$f > 0$ here"})
    ''')
    nb.code(r'''
    with needs("init_params", "mlp_forward"):
        rng = np.random.default_rng(4)
        net2 = [(W, rng.normal(size=b.shape)) for W, b in init_params([1, 4, 2], rng)]
        x = np.linspace(-3, 3, 601)
        Y, caches = mlp_forward(x[None, :], net2, "relu", "identity")
        W1, b1 = net2[0]
        joints = (-b1 / W1).ravel()
        fig, ax = nc.plot.subplots(figsize=(7, 3.8))
        ax.plot(x, Y[0], label="output 1")
        ax.plot(x, Y[1], label="output 2")
        for xj in joints[(joints > -3) & (joints < 3)]:
            ax.axvline(xj, color="0.5", linestyle="--", linewidth=0.8)
        ax.set(title="Two outputs of one 1-4-2 ReLU network: the same joints (dashed)", xlabel="input $x$",
               ylabel="outputs $\\hat y_1, \\hat y_2$")
        ax.legend()
    ''')

    # ------------------------------------------------------------------ written questions
    nb.md(r"""
    ## 8 · Questions

    **Question 8.1 (written, graded by hand).** A network for the handwritten digits of MNIST takes the
    $28 \times 28 = 784$ pixels as input, has one hidden layer of 100 units and 10 outputs (one per
    digit): layer sizes $[784, 100, 10]$. How many parameters does it have? Show where each term comes
    from, and say which part of the network holds most of them.
    """)
    nb.written("params_784", 2, r"""
    Layer 1 has a weight from each of the 784 inputs to each of the 100 hidden units, $784 \cdot 100 = 78{,}400$
    weights, plus one bias per hidden unit, 100: $78{,}500$. Layer 2 has $100 \cdot 10 = 1{,}000$ weights and 10
    biases: $1{,}010$. In all $79{,}510$ parameters (`count_params([784, 100, 10])`). Almost all of them
    (99 %) are the first layer's weights: every pixel connects to every hidden unit, so the first
    layer's size grows with the input size times the width.
    """)
    nb.md(r"""
    **Question 8.2 (written, graded by hand).** What function does an MLP compute when every activation,
    hidden and output, is the identity? What does that mean for a classification problem such as XOR,
    and for adding more layers?
    """)
    nb.written("no_activation", 2, r"""
    It computes one affine function $x \mapsto W x + b$, with $W = W^{[L]} \cdots W^{[1]}$ and
    $b$ the biases each carried through the later layers' weights (`collapse_linear`): a single linear
    layer, however many layers there are. So its decision boundaries are hyperplanes (straight lines in
    2-D): it cannot compute XOR, exactly like the single perceptron of notebook 01, and more layers add
    parameters but no new functions (with narrow hidden layers they can even restrict it: the rank of
    $W$ is at most the narrowest width). The non-linear activations are what make depth useful.
    """)
    nb.md(r"""
    ## Summary

    - A layer computes $Z = W A_{\text{prev}} + b$, $A = g(Z)$ for a batch of columns; an MLP chains them,
      and each step returns `(output, cache)` for the backward pass of notebook 05.
    - Layer sizes $[n_0, \dots, n_L]$ give $\sum_l (n_l n_{l-1} + n_l)$ parameters; He initialisation draws
      the weights with variance $2 / n_{l-1}$. Equal weights would make every hidden unit the same.
    - A shallow ReLU network in 1-D is piecewise linear, with a joint per hidden unit (at most $D + 1$
      regions); with enough units it approximates any continuous function.
    - Without activations any network collapses to one linear layer.
    - Depth can multiply the number of regions ($2^K$ from $6K + 1$ parameters), though random weights
      do not show it.

    Next, *03 · loss functions*: how to measure how wrong a network's output is, the first step
    towards training it.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
