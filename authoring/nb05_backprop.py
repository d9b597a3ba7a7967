"""Source of solutions/05_backprop/backprop.ipynb (run `make sources`, then `make release`)."""
from __future__ import annotations

from pathlib import Path

from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "05_backprop"
FILENAME = "backprop.ipynb"


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p05")

    nb.md(r"""
    # 05 · Backpropagation

    Notebook 04 trained one neuron, whose gradient we could write out by hand. A network has
    thousands of parameters, and lecture 003 shows what the hand-written derivative of just
    one of them looks like in a small network: a long formula that repeats the same
    sub-expressions again and again. **Backpropagation** computes all of them in one backward sweep.
    It costs about twice the forward pass, whatever the number of parameters.

    The plan follows the lectures. First lecture 003's scalar toy function, one derivative at a time,
    then the derivatives of the activations, then lecture 004's **delta rule** for a whole layer,
    vectorised over the batch. Then you train a network on handwritten digits to at least 95 % test
    accuracy, and count what a forward and a backward pass cost.

    **Conventions.** Samples are columns: `X` has shape `(n_0, m)`, one-hot targets `Y` shape `(C, m)`.
    Layer $l$ has `W` of shape `(n_l, n_{l-1})` and `b` of shape `(n_l, 1)`; $Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$,
    $A^{[l]} = g(Z^{[l]})$, $A^{[0]} = X$. A network's parameters are a list of `(W, b)` pairs, first layer
    first, and its gradients have the same structure. Losses are means over the batch.
    """)
    nb.setup("""
    import time
    import numpy as np
    import nbcourse as nc
    from nbcourse import gd_tools as gt
    """)
    nb.md(r"""
    ### Given: what this notebook takes from notebooks 01–04

    The cell below is locked. It holds the reference versions of functions you wrote earlier: the activations
    (01), `init_params`, `layer_forward` and `mlp_forward` (02), `one_hot`, `softmax`, `cross_entropy`
    and `accuracy` (03), and `minibatches` (04). Read it once: your code below calls these functions. A
    layer's `cache` is `(A_prev, W, b, Z, activation)`, with the activation given by its **name**.
    """)
    nb.given('''
    # From notebook 01 (activations)
    def sigmoid(z):
        """Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow."""
        z = np.asarray(z, dtype=float)
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
        return out


    def tanh(z):
        """Hyperbolic tangent through tanh(z) = 2 sigmoid(2z) - 1."""
        return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0


    def relu(z):
        """Rectified linear unit max(0, z)."""
        return np.maximum(0.0, np.asarray(z, dtype=float))


    ACTIVATIONS = {"identity": lambda z: z, "relu": relu, "sigmoid": sigmoid, "tanh": tanh}


    # From notebook 02 (the forward pass)
    def init_params(layer_sizes, rng):
        """He initialisation: W of layer l is rng.standard_normal((n_l, n_{l-1})) * sqrt(2 / n_{l-1}), b is zero."""
        params = []
        for n_prev, n in zip(layer_sizes[:-1], layer_sizes[1:]):
            W = rng.standard_normal((n, n_prev)) * np.sqrt(2 / n_prev)
            params.append((W, np.zeros((n, 1))))
        return params


    def layer_forward(A_prev, W, b, activation):
        """Z = W A_prev + b, A = g(Z). Returns (A, cache) with cache = (A_prev, W, b, Z, activation)."""
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        Z = W @ A_prev + b
        return ACTIVATIONS[activation](Z), (A_prev, W, b, Z, activation)


    def mlp_forward(X, params, hidden_activation, output_activation):
        """Forward pass. Returns (Y_hat of shape (n_L, m), caches: one per layer, first layer first)."""
        A, caches = X, []
        L = len(params)
        for l, (W, b) in enumerate(params, start=1):
            A, cache = layer_forward(A, W, b, hidden_activation if l < L else output_activation)
            caches.append(cache)
        return A, caches


    # From notebook 03 (losses)
    def one_hot(labels, n_classes):
        """labels (m,) ints in 0..C-1 -> float array (C, m) with Y[labels[i], i] = 1."""
        labels = np.asarray(labels, dtype=int)
        Y = np.zeros((n_classes, labels.size))
        Y[labels, np.arange(labels.size)] = 1.0
        return Y


    def softmax(Z):
        """Softmax of each column of Z (C, m), stable for large logits."""
        E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
        return E / np.sum(E, axis=0, keepdims=True)


    def cross_entropy(Z, Y):
        """Mean softmax cross-entropy from logits Z (C, m) and one-hot Y (C, m): (loss, dZ = (softmax(Z) - Y) / m)."""
        m = Z.shape[1]
        Z_max = np.max(Z, axis=0, keepdims=True)
        lse = Z_max + np.log(np.sum(np.exp(Z - Z_max), axis=0, keepdims=True))
        loss = np.sum(lse - np.sum(Y * Z, axis=0, keepdims=True)) / m
        return float(loss), (softmax(Z) - Y) / m


    def accuracy(Z, labels):
        """Fraction of columns of Z (C, m) whose largest entry is at row labels[i]."""
        return float(np.mean(np.argmax(Z, axis=0) == np.asarray(labels)))


    # From notebook 04 (mini-batches)
    def minibatches(X, Y, batch_size, rng, drop_last=False):
        """One epoch: one rng.permutation(m), cut into consecutive batches. Returns a list of (X_b, Y_b)."""
        m = X.shape[1]
        order = rng.permutation(m)
        stop = m - m % batch_size if drop_last else m
        return [(X[:, order[k:k + batch_size]], Y[..., order[k:k + batch_size]]) for k in range(0, stop, batch_size)]
    ''')

    # ------------------------------------------------------------------ 1. scalar toy
    nb.md(r"""
    ## 1 · The scalar toy of lecture 003

    $$f[x, \phi] = \beta_3 + \omega_3 \cos\!\Big[\beta_2 + \omega_2 \exp\!\big[\beta_1 + \omega_1 \sin[\beta_0 + \omega_0 x]\big]\Big],
      \qquad \ell = (f[x, \phi] - y)^2 .$$

    It is a chain of scalar "layers": each one multiplies by a weight $\omega_k$, adds a bias $\beta_k$ and
    applies an "activation" ($\sin$, $\exp$, $\cos$). The **forward pass** names every intermediate
    value, innermost first:

    $$f_0 = \beta_0 + \omega_0 x,\quad h_1 = \sin f_0,\quad f_1 = \beta_1 + \omega_1 h_1,\quad h_2 = \exp f_1,\quad
      f_2 = \beta_2 + \omega_2 h_2,\quad h_3 = \cos f_2,\quad f_3 = \beta_3 + \omega_3 h_3 .$$

    **Exercise 1.1.** Write `toy_forward(x, beta, omega)`: `beta` and `omega` are arrays of shape `(4,)`
    holding $\beta_0..\beta_3$ and $\omega_0..\omega_3$; `x` is a number (or an array, entry by entry). Return
    the tuple `(f0, h1, f1, h2, f2, h3, f3)`, in that order.
    """)
    nb.answer("toy_forward", """
    def toy_forward(x, beta, omega):
        \"\"\"Forward pass of f = b3 + w3 cos(b2 + w2 exp(b1 + w1 sin(b0 + w0 x))), keeping every intermediate.

        x: number (or array); beta, omega: (4,). Returns (f0, h1, f1, h2, f2, h3, f3).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        f0 = beta[0] + omega[0] * x
        h1 = np.sin(f0)
        f1 = beta[1] + omega[1] * h1
        h2 = np.exp(f1)
        f2 = beta[2] + omega[2] * h2
        h3 = np.cos(f2)
        f3 = beta[3] + omega[3] * h3
        return f0, h1, f1, h2, f2, h3, f3
        ### END SOLUTION
    """)
    nb.tests("test_toy_forward", 1, """
    vals = nc.checks.call(toy_forward, 0.0, np.zeros(4), np.ones(4))
    # f0 = 0, h1 = sin 0 = 0, f1 = 0, h2 = e^0 = 1, f2 = 1, h3 = cos 1, f3 = cos 1
    nc.checks.expect_close(np.array(vals, dtype=float), [0, 0, 0, 1, 1, np.cos(1), np.cos(1)],
                           "toy_forward(0, beta = 0, omega = 1): (f0, h1, f1, h2, f2, h3, f3)")
    beta_, omega_ = np.array([0.1, -0.2, 0.3, 0.5]), np.array([1.5, 0.7, -0.4, 2.0])
    f3_ = 0.5 + 2.0 * np.cos(0.3 - 0.4 * np.exp(-0.2 + 0.7 * np.sin(0.1 + 1.5 * 0.8)))
    nc.checks.expect_close(toy_forward(0.8, beta_, omega_)[-1], f3_, "f3 against the formula written in one line")
    nc.checks.ok("toy_forward looks right.")
    """, ["toy_forward"])
    nb.md(r"""
    ### A gradient checker of your own

    Before writing any backward pass, build the tool that tells you whether it is right. A derivative is
    a limit of difference quotients, and a difference quotient with a small step $h$ is something a
    computer can evaluate. For a function $L(\theta)$ of many parameters, nudge **one** entry $\theta_i$ at a
    time, by $+h$ and by $-h$, and measure the slope in between (the **centred difference**):

    $$\frac{\partial L}{\partial \theta_i} \approx \frac{L(\theta + h\,e_i) - L(\theta - h\,e_i)}{2h},$$

    where $e_i$ is the array of zeros with a 1 at entry $i$. Why centred, and not the one-sided
    $(L(\theta + h e_i) - L(\theta))/h$? Expand $L$ in a Taylor series around $\theta$: the one-sided quotient is
    off by about $\frac{h}{2}$ times the second derivative, the centred one by about $\frac{h^2}{6}$ times the
    third, because the second-derivative terms of the two sides cancel. With $h = 10^{-5}$ that is the
    difference between an error of about $10^{-5}$ and one of about $10^{-10}$ or less (for derivatives of size 1). (A much smaller $h$ does not help:
    $L(\theta + h e_i)$ and $L(\theta - h e_i)$ then agree in almost all their digits, and the rounding error of
    their difference, divided by $2h$, grows.)

    This costs two evaluations of $L$ per parameter: far too slow for training a network (Section 5 counts
    it), but just right for *checking* a backward pass on a small example.

    **Exercise 1.2.** Write `centred_difference(f, theta, h=1e-5)`. `f` is a function that takes an array of
    the shape of `theta` and returns a number; `theta` is a float array of any shape (a vector, a weight
    matrix, or a 0-d array holding one number). Return a float array of the shape of `theta` whose entry `i`
    is the centred difference above. When your function returns, `theta` must hold exactly the values it
    had before: if you nudge its entries in place, put each one back; or nudge a copy. Loop over the
    entries with `for i in np.ndindex(theta.shape):`, which gives every index of an array of any shape
    (`theta[i]` is then one entry).
    """)
    nb.answer("centred_difference", """
    def centred_difference(f, theta, h=1e-5):
        \"\"\"Numerical gradient of the scalar function f at theta by centred differences, one entry at a time.

        f: array of theta's shape -> number; theta: float array of any shape (unchanged on return); h: the step.
        Returns a float array of theta's shape: (f(theta + h e_i) - f(theta - h e_i)) / (2 h) at every index i.
        \"\"\"
        ### BEGIN SOLUTION
        grad = np.zeros(theta.shape)
        for idx in np.ndindex(theta.shape):
            kept = theta[idx]
            theta[idx] = kept + h
            up = f(theta)
            theta[idx] = kept - h
            down = f(theta)
            theta[idx] = kept                   # put it back
            grad[idx] = (up - down) / (2 * h)
        return grad
        ### END SOLUTION
    """)
    nb.tests("test_centred_difference", 2, """
    f_ = lambda t: t[0] ** 2 + 3 * t[0] * t[1]             # gradient (2 t0 + 3 t1, 3 t0)
    theta_ = np.array([1.0, -2.0])
    g_ = centred_difference(f_, theta_)
    nc.checks.expect_shape(g_, (2,), "centred_difference of a function of 2 parameters")
    nc.checks.expect_close(g_, [2 * 1.0 + 3 * -2.0, 3 * 1.0], "the gradient of t0^2 + 3 t0 t1 at (1, -2)", rtol=1e-6, atol=1e-8)
    nc.checks.expect_equal(theta_, [1.0, -2.0], "theta after the call (put every nudged entry back, or nudge a copy)")
    M_ = np.arange(6.0).reshape(2, 3)
    g2_ = centred_difference(lambda t: float(np.sum(t ** 3)), M_, 1e-4)
    nc.checks.expect_shape(g2_, (2, 3), "centred_difference at a (2, 3) matrix")
    nc.checks.expect_close(g2_, 3 * M_ ** 2, "the gradient of sum(t^3) at a (2, 3) matrix (3 t^2, entry by entry)", rtol=1e-6, atol=1e-6)
    g3_ = centred_difference(np.sin, np.array(0.5), 0.1)    # a 0-d array: one entry, index ()
    nc.checks.expect_close(g3_, (np.sin(0.6) - np.sin(0.4)) / 0.2,
                           "sin at 0.5 with h = 0.1: expected (sin(0.6) - sin(0.4)) / 0.2 = 0.87612 (the one-sided "
                           "(sin(0.6) - sin(0.5)) / 0.1 is 0.83601, and dividing by h instead of 2h doubles it)", rtol=1e-9)
    nc.checks.ok("centred_difference looks right.")
    """, ["centred_difference"])
    nb.claim("cd_best_error", "1e-11", cell="one_sided_err = [", pattern=r"centred: smallest error ([\d.e+-]+)")
    nb.claim("cd_best_h", "1e-5", cell="one_sided_err = [", pattern=r"centred: smallest error [\d.e+-]+ at h = ([\d.e+-]+)")
    nb.claim("fd_best_error", "3e-9", cell="one_sided_err = [", pattern=r"one-sided: smallest error ([\d.e+-]+)")
    nb.md(r"""
    How good is it? Below, your checker on $\sin$ at $\theta = 1$, where the exact slope $\cos 1$ is known, for
    steps $h$ from $10^{-1}$ down to $10^{-12}$, against the one-sided quotient. On the log-log plot the
    centred error falls like $h^2$ (slope 2) and the one-sided like $h$ (slope 1), until rounding takes over
    and both errors grow again as $h$ shrinks further. The cell prints the best step of each: the centred
    difference reaches an error of {{cd_best_error}} at $h$ = {{cd_best_h}}, the one-sided one only {{fd_best_error}}.
    """)
    nb.code("""
    with gt.needs("centred_difference"):
        hs = 10.0 ** -np.arange(1, 13)
        centred_err = [abs(centred_difference(np.sin, np.array(1.0), h_) - np.cos(1.0)) for h_ in hs]
        one_sided_err = [abs((np.sin(1.0 + h_) - np.sin(1.0)) / h_ - np.cos(1.0)) for h_ in hs]
        fig, ax = nc.plot.subplots(figsize=(7, 4))
        ax.loglog(hs, centred_err, marker="o", label="centred (your centred_difference)")
        ax.loglog(hs, one_sided_err, marker="s", label="one-sided (f(x + h) - f(x)) / h")
        ax.set(title="Error of a difference quotient of sin at 1, against the step h", xlabel="step $h$ (log scale)",
               ylabel="|quotient - cos(1)| (log scale)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        k, j = int(np.argmin(centred_err)), int(np.argmin(one_sided_err))
        print(f"centred: smallest error {centred_err[k]:.0e} at h = {hs[k]:.0e}; "
              f"one-sided: smallest error {one_sided_err[j]:.0e} at h = {hs[j]:.0e}")
    """)
    nb.md(r"""
    **The backward pass.** Go back through the intermediates in **reverse** order, each derivative
    built from the one before it (the chain rule), exactly as the lecture lists them:

    $$\frac{\partial \ell}{\partial f_3} = 2(f_3 - y),\quad
      \frac{\partial \ell}{\partial h_3} = \omega_3 \frac{\partial \ell}{\partial f_3},\quad
      \frac{\partial \ell}{\partial f_2} = -\sin(f_2)\, \frac{\partial \ell}{\partial h_3},\quad
      \frac{\partial \ell}{\partial h_2} = \omega_2 \frac{\partial \ell}{\partial f_2},\quad
      \frac{\partial \ell}{\partial f_1} = \exp(f_1)\, \frac{\partial \ell}{\partial h_2},\ \dots$$

    down to $\partial \ell / \partial f_0 = \cos(f_0)\, \partial \ell / \partial h_1$. Then the parameters: $f_k = \beta_k + \omega_k h_k$
    (with $h_0 = x$), so

    $$\frac{\partial \ell}{\partial \beta_k} = \frac{\partial \ell}{\partial f_k}, \qquad
      \frac{\partial \ell}{\partial \omega_k} = h_k\, \frac{\partial \ell}{\partial f_k}.$$

    Every factor is something the forward pass has already computed, which is why it keeps them all.

    **Exercise 1.3.** Write `toy_backward(x, y, beta, omega)` for one example (`x`, `y` numbers): call
    `toy_forward`, then return `(d_beta, d_omega)`, two arrays of shape `(4,)` with
    $\partial\ell/\partial\beta_k$ and $\partial\ell/\partial\omega_k$ for $k = 0..3$.
    """)
    nb.answer("toy_backward", """
    def toy_backward(x, y, beta, omega):
        \"\"\"Gradient of l = (f3 - y)^2 with respect to beta and omega, by the backward pass of lecture 003.

        x, y: numbers; beta, omega: (4,). Returns (d_beta (4,), d_omega (4,)).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        f0, h1, f1, h2, f2, h3, f3 = toy_forward(x, beta, omega)
        dl_df3 = 2.0 * (f3 - y)
        dl_dh3 = omega[3] * dl_df3
        dl_df2 = -np.sin(f2) * dl_dh3
        dl_dh2 = omega[2] * dl_df2
        dl_df1 = np.exp(f1) * dl_dh2
        dl_dh1 = omega[1] * dl_df1
        dl_df0 = np.cos(f0) * dl_dh1
        d_beta = np.array([dl_df0, dl_df1, dl_df2, dl_df3])
        d_omega = np.array([x * dl_df0, h1 * dl_df1, h2 * dl_df2, h3 * dl_df3])
        return d_beta, d_omega
        ### END SOLUTION
    """)
    nb.tests("test_toy_backward", 2, """
    s1, c1 = np.sin(1.0), np.cos(1.0)

    def check_worked():
        # x = 0, y = 0, beta = 0, omega = 1: (f0, h1, f1, h2, f2, h3, f3) = (0, 0, 0, 1, 1, cos 1, cos 1), so by hand
        # dl/df3 = 2 cos 1, dl/df2 = -sin 1 * 2 cos 1 = dl/df1 = dl/df0, and dl/domega_k = h_k dl/df_k
        d_beta0, d_omega0 = nc.checks.call(toy_backward, 0.0, 0.0, np.zeros(4), np.ones(4))
        nc.checks.expect_shape(d_beta0, (4,), "d_beta")
        nc.checks.expect_shape(d_omega0, (4,), "d_omega")
        nc.checks.expect_close(d_beta0, [-2 * s1 * c1] * 3 + [2 * c1], "d_beta at x = 0, y = 0, beta = 0, omega = 1")
        nc.checks.expect_close(d_omega0, [0.0, 0.0, -2 * s1 * c1, 2 * c1 * c1], "d_omega there (h0 = x = 0, h1 = 0, h2 = 1, h3 = cos 1)")
    correct_toy_forward = nc.checks.answers([((0.0, np.zeros(4), np.ones(4)), (0.0, 0.0, 0.0, 1.0, 1.0, c1, c1))],
                                            "toy_forward", params=("x", "beta", "omega"))
    nc.checks.isolated(check_worked, globals(), "toy_backward", toy_forward=correct_toy_forward)
    beta_, omega_ = np.array([0.1, -0.2, 0.3, 0.5]), np.array([1.5, 0.7, -0.4, 2.0])
    x_, y_ = 0.8, 1.0

    def check_gradient():
        d_beta_, d_omega_ = toy_backward(x_, y_, beta_, omega_)
        nc.checks.expect_close(d_beta_[3], 2 * (toy_forward(x_, beta_, omega_)[-1] - y_), "d_beta[3] = dl/df3 = 2 (f3 - y)")
        report = nc.gradcheck.check_params(lambda: (toy_forward(x_, beta_, omega_)[-1] - y_) ** 2,
                                           {"beta": beta_, "omega": omega_}, {"beta": d_beta_, "omega": d_omega_})
        nc.checks.expect_true(report, f"your backward pass disagrees with finite differences:\\n{report}")
    nc.checks.isolated(check_gradient, globals(), "toy_backward", also=("toy_forward",))
    nc.checks.ok("toy_backward passes the gradient check.")
    """, ["toy_backward"])
    nb.md(r"""
    The check above is `nbcourse.gradcheck.check_params`, the library's version of your `centred_difference`:
    it nudges each of the 8 parameters, measures the change of $\ell$ by centred differences, and compares it
    with your backward pass. It also computes a relative error per entry and, when they disagree, names the
    entry, e.g. `omega[2]`. The cell below first checks your backward pass with **your** checker (the largest
    difference should be around $10^{-9}$ or below), then shows what the library's report looks like (yours,
    so it should pass), and then the same check with the gradient of $\beta_2$ deliberately multiplied by $-1$,
    the kind of sign slip that the derivative of $\cos$ invites.
    """)
    nb.code("""
    with gt.needs("toy_backward", "centred_difference"):
        beta_, omega_ = np.array([0.1, -0.2, 0.3, 0.5]), np.array([1.5, 0.7, -0.4, 2.0])
        d_beta_, d_omega_ = toy_backward(0.8, 1.0, beta_, omega_)
        mine_beta = centred_difference(lambda b: (toy_forward(0.8, b, omega_)[-1] - 1.0) ** 2, beta_)
        mine_omega = centred_difference(lambda w: (toy_forward(0.8, beta_, w)[-1] - 1.0) ** 2, omega_)
        print(f"your checker against your backward pass: largest difference "
              f"{max(np.abs(mine_beta - d_beta_).max(), np.abs(mine_omega - d_omega_).max()):.1e}\\n")
        loss = lambda: (toy_forward(0.8, beta_, omega_)[-1] - 1.0) ** 2
        print(nc.gradcheck.check_params(loss, {"beta": beta_, "omega": omega_}, {"beta": d_beta_, "omega": d_omega_}))
        slipped = d_beta_ * np.array([1.0, 1.0, -1.0, 1.0])
        print(nc.gradcheck.check_params(loss, {"beta": beta_, "omega": omega_}, {"beta": slipped, "omega": d_omega_}))
    """)

    # ------------------------------------------------------------------ 1b. branches
    nb.md(r"""
    ### Branches: a value used twice

    Lecture 003 notes that backpropagation "works with branches as long as it's still an acyclic graph".
    In the toy chain every intermediate feeds exactly one later step. In real networks a value often
    feeds several: an input reaches every unit of the first layer, and later architectures add a layer's
    input to its output. Here is the smallest such case, a toy with a **fork**: $f_0$ is used twice.

    $$f_0 = \beta_0 + \omega_0 x,\quad h_1 = \sin f_0,\quad h_2 = \exp f_0,\quad
      f_1 = \beta_1 + \omega_1 h_1 + \omega_2 h_2,\quad \ell = (f_1 - y)^2 .$$

    ```
                  +--> sin --> h1 --+
    x --> f0 -----+                 +--> f1 --> l
                  +--> exp --> h2 --+
    ```

    What is $\partial \ell / \partial f_0$? Nudge $f_0$ by a tiny $\delta$. Both branches see the nudge: $h_1$ moves
    by about $\cos(f_0)\,\delta$ and $h_2$ by about $\exp(f_0)\,\delta$, and each of those moves $f_1$ and so $\ell$.
    For a tiny $\delta$ the two effects on $\ell$ simply **add up**. The cell below measures it with the loss
    itself (no formula): it nudges $f_0$ only where $\sin$ reads it, then only where $\exp$ reads it, then
    everywhere, and prints the three slopes. The first two add up to the third.
    """)
    nb.code("""
    def fork_loss(x, y, beta, omega, nudge_sin=0.0, nudge_exp=0.0):
        # the forked toy's forward pass, written in one expression; the two nudges move f0 in one branch only
        z = beta[0] + omega[0] * x                        # this is f0
        return (beta[1] + omega[1] * np.sin(z + nudge_sin) + omega[2] * np.exp(z + nudge_exp) - y) ** 2

    beta_f, omega_f, d = np.array([0.3, -0.5]), np.array([1.2, 0.8, -0.6]), 1e-6
    through_sin = (fork_loss(0.5, 1.0, beta_f, omega_f, nudge_sin=d) - fork_loss(0.5, 1.0, beta_f, omega_f, nudge_sin=-d)) / (2 * d)
    through_exp = (fork_loss(0.5, 1.0, beta_f, omega_f, nudge_exp=d) - fork_loss(0.5, 1.0, beta_f, omega_f, nudge_exp=-d)) / (2 * d)
    both = (fork_loss(0.5, 1.0, beta_f, omega_f, d, d) - fork_loss(0.5, 1.0, beta_f, omega_f, -d, -d)) / (2 * d)
    print(f"dl/df0 through sin only {through_sin:+.6f}, through exp only {through_exp:+.6f}, "
          f"sum {through_sin + through_exp:+.6f}; nudging f0 itself {both:+.6f}")
    """)
    nb.md(r"""
    This is the multivariate chain rule: when a value $u$ feeds several later values $v_1, v_2, \dots$, the
    gradient arriving at $u$ is the **sum** of what comes back along each use,
    $\frac{\partial \ell}{\partial u} = \sum_k \frac{\partial \ell}{\partial v_k}\,\frac{\partial v_k}{\partial u}$.
    In code: where the forward pass reads a value twice, the backward pass **accumulates** into its gradient
    (`+=`), it never overwrites it. Backpropagation then visits the graph in reverse order, and the
    gradient of a node is complete once every node that uses it has sent its part back: for an acyclic graph
    such an order always exists. (Notebook 02's layer did this already without saying so: each input $a_j$
    feeds every unit $i$ of the layer, and $dA_{\text{prev}} = W^\top dZ$ sums the contributions
    $w_{ij}\, dz_i$ of all the units.)

    **Exercise 1.4 (derive, implement, check).** Derive the five derivatives of $\ell$ for the forked toy
    yourself, with pencil and paper first: $\partial\ell/\partial\beta_0$, $\partial\ell/\partial\beta_1$ and
    $\partial\ell/\partial\omega_0$, $\partial\ell/\partial\omega_1$, $\partial\ell/\partial\omega_2$. Start at $\partial\ell/\partial f_1$, go
    back through $h_1$ and $h_2$, and combine the two branches at $f_0$. Then write
    `fork_backward(x, y, beta, omega)`: `x`, `y` numbers, `beta` of shape `(2,)` ($\beta_0, \beta_1$), `omega` of
    shape `(3,)` ($\omega_0, \omega_1, \omega_2$); compute the forward pass yourself (the formulas above), then
    return `(d_beta, d_omega)`, arrays of shapes `(2,)` and `(3,)`. Do not change `beta` or `omega`. The check
    compares your gradient with centred differences of the loss.
    """)
    nb.answer("fork_backward", """
    def fork_backward(x, y, beta, omega):
        \"\"\"Gradient of l = (f1 - y)^2 for the forked toy f0 = b0 + w0 x, h1 = sin f0, h2 = exp f0, f1 = b1 + w1 h1 + w2 h2.

        x, y: numbers; beta: (2,); omega: (3,). Returns (d_beta (2,), d_omega (3,)).
        \"\"\"
        ### BEGIN SOLUTION
        f0 = beta[0] + omega[0] * x
        h1, h2 = np.sin(f0), np.exp(f0)
        f1 = beta[1] + omega[1] * h1 + omega[2] * h2
        dl_df1 = 2.0 * (f1 - y)
        dl_dh1, dl_dh2 = omega[1] * dl_df1, omega[2] * dl_df1
        dl_df0 = np.cos(f0) * dl_dh1 + np.exp(f0) * dl_dh2      # f0 is used twice: the two parts add
        return np.array([dl_df0, dl_df1]), np.array([x * dl_df0, h1 * dl_df1, h2 * dl_df1])
        ### END SOLUTION
    """)
    nb.tests("test_fork_backward", 3, """
    beta_, omega_, x_, y_ = np.array([0.3, -0.5]), np.array([1.2, 0.8, -0.6]), 0.5, 1.0
    out_ = fork_backward(x_, y_, beta_.copy(), omega_.copy())
    nc.checks.expect_true(isinstance(out_, tuple) and len(out_) == 2, "fork_backward must return the pair (d_beta, d_omega)")
    d_beta_, d_omega_ = out_
    nc.checks.expect_shape(d_beta_, (2,), "d_beta (beta_0, beta_1)")
    nc.checks.expect_shape(d_omega_, (3,), "d_omega (omega_0, omega_1, omega_2)")
    def loss_(nudge_sin=0.0, nudge_exp=0.0):                  # the forward pass and the loss; a nudge moves f0 in one branch
        f0 = beta_[0] + omega_[0] * x_
        return float((beta_[1] + omega_[1] * np.sin(f0 + nudge_sin) + omega_[2] * np.exp(f0 + nudge_exp) - y_) ** 2)
    report = nc.gradcheck.check_params(loss_, {"beta": beta_, "omega": omega_}, {"beta": d_beta_, "omega": d_omega_})
    one_branch = [(loss_(**{k: 1e-6}) - loss_(**{k: -1e-6})) / 2e-6 for k in ("nudge_sin", "nudge_exp")]
    if not report and any(np.isclose(d_beta_[0], part, rtol=1e-5) for part in one_branch):
        raise nc.checks.CheckFailed("d_beta[0] is the gradient through ONE branch only: f0 feeds both sin and exp, "
                                    f"and the two parts add up (dl/df0 = part through sin + part through exp).\\n{report}")
    nc.checks.expect_true(report, f"your gradient disagrees with centred differences of the loss:\\n{report}")
    nc.checks.ok("fork_backward passes the gradient check.")
    """, ["fork_backward"])
    nb.md(r"""
    **Question 1.5 (written, graded by hand).** A classmate's `fork_backward` computes the gradient at $f_0$ in
    two lines: the first assigns it the part through $\sin$, $\cos(f_0)\,\partial\ell/\partial h_1$, and the next line
    assigns it the part through $\exp$, $\exp(f_0)\,\partial\ell/\partial h_2$, to the same variable. Which of the five
    derivatives come out wrong, and which
    stay right? How would the gradient check show it? Why must a backward pass *add* into a gradient where
    the forward pass used a value more than once?
    """)
    nb.written("fork_accumulate", 2, r"""
    The second line overwrites the first, so $\partial\ell/\partial f_0$ keeps only the part through $\exp$ and
    loses $\cos(f_0)\,\omega_1\,\partial\ell/\partial f_1$. Everything computed from it is wrong: $\partial\ell/\partial\beta_0$
    and $\partial\ell/\partial\omega_0 = x\,\partial\ell/\partial f_0$. The derivatives after the fork,
    $\partial\ell/\partial\beta_1$, $\partial\ell/\partial\omega_1$ and $\partial\ell/\partial\omega_2$, do not go through $f_0$ and stay right. The gradient
    check names `beta[0]` and `omega[0]` with large relative errors and passes the other three entries. A
    small change of a value that is used twice changes the loss through both uses, and for small changes
    the effects add (the multivariate chain rule: the derivative is the sum over the paths). So the backward
    pass must accumulate (`+=`) the parts that come back along each use; automatic differentiation does
    exactly that for every node with several consumers.
    """)
    # ------------------------------------------------------------------ 2. activation derivatives
    nb.md(r"""
    ## 2 · Derivatives of the activations

    The backward pass through a layer needs $g'(z)$ for its activation $g$:

    | $g(z)$ | $g'(z)$ |
    |---|---|
    | $\sigma(z) = 1/(1 + e^{-z})$ | $\sigma(z)\,\big(1 - \sigma(z)\big)$ (lectures 000 and 004 derive it) |
    | $\tanh z$ | $1 - \tanh^2 z$ |
    | $\mathrm{ReLU}(z) = \max(0, z)$ | $1$ if $z > 0$, $0$ if $z < 0$ |

    ReLU has a kink at $z = 0$: its slope is 0 on the left and 1 on the right, so no derivative exists
    there. Any value in $[0, 1]$ is a valid *subgradient*, and lecture 003 writes the derivative as the
    indicator $\mathbb{I}[z > 0]$, which takes the value 0 at the kink; so do we. It hardly matters: a
    pre-activation computed from real data is exactly $0.0$ almost never. (One exception you will meet: an
    all-zero input with the zero starting biases, like XOR's point $(0, 0)$ in Section 4, gives $Z = 0$ exactly,
    but only until the first update moves the biases.)

    **Exercise 2.1.** Write `sigmoid_grad(z)`, `tanh_grad(z)` and `relu_grad(z)`: each takes an array of
    any shape and returns a float array of the same shape, the derivative at every entry. Use the given
    `sigmoid` and `tanh` (they do not overflow), and give `relu_grad` the value 0 at $z = 0$.
    """)
    nb.answer("sigmoid_grad", """
    def sigmoid_grad(z):
        \"\"\"sigma'(z) = sigma(z) (1 - sigma(z)), entry by entry (float array, shape of z). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        s = sigmoid(z)
        return s * (1.0 - s)
        ### END SOLUTION
    """)
    nb.answer("tanh_grad", """
    def tanh_grad(z):
        \"\"\"tanh'(z) = 1 - tanh(z)^2, entry by entry (float array, shape of z). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return 1.0 - tanh(z) ** 2
        ### END SOLUTION
    """)
    nb.answer("relu_grad", """
    def relu_grad(z):
        \"\"\"ReLU'(z): 1.0 where z > 0, 0.0 where z <= 0 (0 at the kink z = 0); float array, shape of z. Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return (np.asarray(z) > 0).astype(float)
        ### END SOLUTION
    """)
    nb.tests("test_activation_grads", 3, """
    z_ = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 40.0]])
    with np.errstate(all="ignore"):
        nc.checks.expect_close(sigmoid_grad(np.array([0.0, 1000.0, -1000.0])), [0.25, 0.0, 0.0], "sigmoid_grad at 0 and +-1000")
        nc.checks.expect_close(tanh_grad(np.array([0.0, 1000.0])), [1.0, 0.0], "tanh_grad at 0 and 1000")
    r_ = nc.checks.call(relu_grad, np.array([-1.0, 0.0, 2.0]))
    nc.checks.expect_equal(r_, [0.0, 0.0, 1.0], "relu_grad at -1, 0 (the kink: 0) and 2")
    nc.checks.expect_true(np.asarray(r_).dtype.kind == "f", f"relu_grad must return floats, got dtype {np.asarray(r_).dtype} "
                                                           "(booleans break -relu_grad(z); use (z > 0).astype(float))")
    for name, g, dg in [("sigmoid", sigmoid, sigmoid_grad), ("tanh", tanh, tanh_grad), ("relu", relu, relu_grad)]:
        nc.checks.expect_shape(dg(z_), (2, 3), f"{name}_grad of a (2, 3) array")
        numeric = (g(z_ + 1e-6) - g(z_ - 1e-6)) / 2e-6          # slope of your activation, measured
        away = np.abs(z_) > 1e-3                                 # the kink of ReLU at 0 has no slope to measure
        nc.checks.expect_close(np.asarray(dg(z_))[away], numeric[away], f"{name}_grad against the measured slope of {name}",
                               rtol=1e-5, atol=1e-8)
    nc.checks.ok("the three activation derivatives look right.")
    """, ["sigmoid_grad", "tanh_grad", "relu_grad"])
    nb.code("""
    with gt.needs("sigmoid_grad", "tanh_grad", "relu_grad"):
        fig, axes = nc.plot.subplots(1, 2, figsize=(11, 4))
        nc.plot.activations({"sigmoid": sigmoid, "tanh": tanh, "relu": relu}, ax=axes[0], title="Activations g(z)")
        axes[0].set_ylim(-1.5, 3)
        nc.plot.activations({"sigmoid'": sigmoid_grad, "tanh'": tanh_grad, "relu'": relu_grad}, ax=axes[1],
                            title="Their derivatives g'(z): the sigmoid's is at most 1/4", ylabel="$g'(z)$")
    """)

    # ------------------------------------------------------------------ 3. delta rule
    nb.md(r"""
    ## 3 · The delta rule, for a whole batch

    Lecture 004 calls $\delta^l = \partial C / \partial z^l$ the *error* of layer $l$ and derives, for one sample,

    $$\delta^L = \sigma'(z^L) \odot \nabla C(y), \qquad \delta^l = \sigma'(z^l) \odot (W^{l+1})^\top \delta^{l+1},
      \qquad \frac{\partial C}{\partial w^l_{ij}} = \delta^l_i\, a^{l-1}_j .$$

    The same in three notations:

    | | lecture 004 (and 000) | lecture 001 | this course (code) |
    |---|---|---|---|
    | pre-activation, activation of layer $l$ | $z^l$, $a^l$ | $z_k$ (output), $u_j$ (hidden); $o_k$, $h_j$ | `Z`, `A` ($Z^{[l]}$, $A^{[l]}$), one column per sample |
    | the error at $z$ | $\delta^l$ | $\delta^z_k$, $\delta^u_j$ | `dZ` $= \partial C/\partial Z^{[l]}$ |
    | the gradient at the activations | $(W^{l+1})^\top \delta^{l+1}$ | $\delta^h_j$ | `dA` $= \partial C/\partial A^{[l]}$ |
    | weights into layer $l$ | $W^l$, $w^l_{ij}$ | $w_{kj}$ (output), $v_{ji}$ (hidden) | `W` ($W^{[l]}$), shape $(n_l, n_{l-1})$ |

    Lecture 004 writes $\sigma'$ for the derivative of whatever activation a layer uses; we write $g'$.
    For a batch of $m$ samples as columns, the per-sample vectors become matrices and the sum over
    samples (lecture 001's $\sum_n$) becomes a matrix product. (Lecture 001's error $E$ is a **sum** over the
    $N$ samples, with no $1/N$; our losses are means, so our gradients are lecture 001's divided by $m$. That
    only rescales the learning rate.) For one layer, given
    `dA` $= \partial C/\partial A^{[l]}$:

    $$dZ = dA \odot g'(Z), \qquad dW = dZ\, A_{\text{prev}}^\top, \qquad db = \textstyle\sum_{\text{columns}} dZ, \qquad dA_{\text{prev}} = W^\top dZ .$$

    Shapes: `dZ` and `dA` are `(n_l, m)`; `dW` is `(n_l, n_{l-1})` like `W`; `db` is `(n_l, 1)` like `b`;
    `dA_prev` is `(n_{l-1}, m)`. There is **no** division by $m$ here: the loss is already a mean, so the
    gradient that arrives from it (`cross_entropy`'s `(softmax(Z) - Y) / m`) already carries the $1/m$,
    and $dW = dZ\,A_{\text{prev}}^\top$ sums the samples' contributions.

    (A warning about lecture 001: for softmax with cross-entropy it writes
    $\partial E/\partial z_k = (o_k - t_k)\,o_k(1 - o_k)$. The correct result, which notebook 03's
    `cross_entropy` returns, is $o_k - t_k$: the softmax's derivative and the log's cancel.)

    **Exercise 3.1.** Write `layer_backward(dA, cache)`, with `cache = (A_prev, W, b, Z, activation)` from
    `layer_forward` and `activation` one of `"identity"` (derivative 1), `"relu"`, `"sigmoid"`, `"tanh"` (use
    your `relu_grad`, `sigmoid_grad`, `tanh_grad`). Return `(dA_prev, dW, db)`, with the shapes listed above.
    Every formula uses `dZ`, not `dA`: compute `dZ` first.
    """)
    nb.answer("layer_backward", """
    def layer_backward(dA, cache):
        \"\"\"Backward pass of one layer Z = W A_prev + b, A = g(Z).

        dA: (n, m) gradient of the loss at A; cache: (A_prev (n_prev, m), W (n, n_prev), b (n, 1), Z (n, m), activation name).
        Returns (dA_prev (n_prev, m), dW (n, n_prev), db (n, 1)).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        A_prev, W, b, Z, activation = cache
        derivative = {"identity": np.ones_like, "relu": relu_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad}[activation]
        dZ = dA * derivative(Z)                     # the delta of this layer
        dW = dZ @ A_prev.T
        db = np.sum(dZ, axis=1, keepdims=True)
        dA_prev = W.T @ dZ
        return dA_prev, dW, db
        ### END SOLUTION
    """)
    nb.tests("test_layer_backward", 2, """
    rng_ = np.random.default_rng(0)
    A_prev_, W_, b_ = rng_.normal(size=(3, 5)), rng_.normal(size=(4, 3)), rng_.normal(size=(4, 1))
    dAs_ = {act: rng_.normal(size=(4, 5)) for act in ("identity", "relu", "sigmoid", "tanh")}

    def check_layer_backward():
        for act, dA_ in dAs_.items():
            A_, cache_ = layer_forward(A_prev_, W_, b_, act)
            dA_prev_, dW_, db_ = nc.checks.call(layer_backward, dA_, cache_)
            nc.checks.expect_shape(dA_prev_, (3, 5), f"dA_prev ({act})")
            nc.checks.expect_shape(dW_, (4, 3), f"dW ({act}), the shape of W")
            nc.checks.expect_shape(db_, (4, 1), f"db ({act}), the shape of b")
            # L = sum(A * dA) has exactly these gradients: check them against finite differences
            for what, x_, g_, f_ in [("A_prev", A_prev_, dA_prev_, lambda x: layer_forward(x, W_, b_, act)[0]),
                                     ("W", W_, dW_, lambda x: layer_forward(A_prev_, x, b_, act)[0]),
                                     ("b", b_, db_, lambda x: layer_forward(A_prev_, W_, x, act)[0])]:
                report = nc.gradcheck.check_array(f_, x_, dA_, g_)
                nc.checks.expect_true(report, f"d{what} of the {act} layer disagrees with finite differences "
                                              f"(in the report, x stands for {what}):\\n{report}\\n{report.factor_hint(m=5)}")
    # correct derivatives for this check: the slopes of the given activations, measured
    slope = lambda g: (lambda z: (g(z + 1e-6) - g(z - 1e-6)) / 2e-6)
    nc.checks.isolated(check_layer_backward, globals(), "layer_backward",
                       relu_grad=slope(relu), sigmoid_grad=slope(sigmoid), tanh_grad=slope(tanh))
    nc.checks.ok("layer_backward passes the gradient checks for all four activations.")
    """, ["layer_backward"])
    nb.md(r"""
    **Exercise 3.2.** Write `mlp_backward(dY_hat, caches)`: `caches` is the list returned by
    `mlp_forward` (one cache per layer, first layer first) and `dY_hat` the gradient of the loss at the
    network's output (shape `(n_L, m)`). Go through the layers from the **last** to the first, feeding each
    layer's `dA_prev` to the layer below as its `dA`. Return the list of `(dW, db)` pairs **first layer first**,
    the same structure as `params`.

    **Exercise 3.3.** Write `mlp_loss_and_grads(params, X, Y)` for the network used from here on: ReLU
    hidden layers and a softmax cross-entropy output. That is `mlp_forward(X, params, "relu", "identity")`
    (the last layer outputs the **logits**), then `cross_entropy(logits, Y)` (which returns the loss and its
    gradient at the logits), then `mlp_backward`. `Y` is one-hot, shape `(C, m)`. Return `(loss, grads)`.
    The gradient at the logits is the `dY_hat` you pass to `mlp_backward`: the last layer's activation is
    `"identity"`, so its $g' = 1$ and `layer_backward` passes it through unchanged. (Do not apply the softmax's
    derivative again: `cross_entropy` has already combined it with the log's.)
    """)
    nb.answer("mlp_backward", """
    def mlp_backward(dY_hat, caches):
        \"\"\"Backward pass of the whole network: layer_backward from the last layer to the first.

        dY_hat: (n_L, m) gradient of the loss at the output; caches: from mlp_forward, first layer first.
        Returns grads: a list of (dW, db), first layer first (the structure of params).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        grads = []
        dA = dY_hat
        for cache in reversed(caches):
            dA, dW, db = layer_backward(dA, cache)
            grads.append((dW, db))
        return grads[::-1]
        ### END SOLUTION
    """)
    nb.answer("mlp_loss_and_grads", """
    def mlp_loss_and_grads(params, X, Y):
        \"\"\"Mean softmax cross-entropy of a ReLU network and its gradients.

        params: list of (W, b); X: (n_0, m); Y: (C, m) one-hot. Returns (loss float, grads like params).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        logits, caches = mlp_forward(X, params, "relu", "identity")
        loss, dZ = cross_entropy(logits, Y)
        return loss, mlp_backward(dZ, caches)
        ### END SOLUTION
    """)
    nb.tests("test_mlp_backward", 2, """
    rng_ = np.random.default_rng(1)
    params_ = init_params([4, 6, 5, 3], rng_)
    X_ = rng_.normal(size=(4, 7))
    Y_hat_, caches_ = mlp_forward(X_, params_, "tanh", "sigmoid")
    dY_ = rng_.normal(size=Y_hat_.shape)

    def check_mlp_backward():
        grads_ = nc.checks.call(mlp_backward, dY_, caches_)
        nc.checks.expect_true(isinstance(grads_, list) and len(grads_) == 3, f"mlp_backward must return a list of 3 pairs, got {type(grads_).__name__}")
        for l, ((W, b), (dW, db)) in enumerate(zip(params_, grads_), start=1):
            nc.checks.expect_shape(dW, W.shape, f"dW of layer {l} (first layer first)")
            nc.checks.expect_shape(db, b.shape, f"db of layer {l}")
        report = nc.gradcheck.check_params(lambda: float(np.sum(mlp_forward(X_, params_, "tanh", "sigmoid")[0] * dY_)), params_, grads_)
        nc.checks.expect_true(report, f"the gradients of sum(Y_hat * dY) disagree with finite differences:\\n{report}")
    # a correct layer_backward for this check: finite differences of the given layer_forward
    numeric_layer_backward = lambda dA, cache: nc.gradcheck.numerical_backward(
        lambda A, W, b: layer_forward(A, W, b, cache[4])[0], dA, *cache[:3])
    nc.checks.isolated(check_mlp_backward, globals(), "mlp_backward", layer_backward=numeric_layer_backward)
    nc.checks.ok("mlp_backward passes the gradient check of a 3-layer tanh/sigmoid network.")
    """, ["mlp_backward"])
    nb.tests("test_mlp_loss_and_grads", 1, """
    rng_ = np.random.default_rng(2)
    params_ = init_params([5, 8, 6, 4], rng_)
    X_ = rng_.normal(size=(5, 9))
    Y_ = one_hot(rng_.integers(0, 4, size=9), 4)

    def check_loss_and_grads():
        loss_, grads_ = nc.checks.call(mlp_loss_and_grads, params_, X_, Y_)
        nc.checks.expect_close(loss_, cross_entropy(mlp_forward(X_, params_, "relu", "identity")[0], Y_)[0],
                               "loss: cross_entropy of the logits of a ReLU network")
        with np.errstate(all="ignore"):
            report = nc.gradcheck.check_params(lambda: cross_entropy(mlp_forward(X_, params_, "relu", "identity")[0], Y_)[0],
                                               params_, grads_)
        nc.checks.expect_true(report, f"your gradients disagree with finite differences of the loss:\\n{report}\\n"
                                      f"{report.factor_hint(m=9)}")

    def numeric_mlp_backward(dY, caches):   # a correct mlp_backward for this check: finite differences of the given mlp_forward
        X0, acts = caches[0][0], [c[4] for c in caches]
        out = lambda *flat: mlp_forward(X0, list(zip(flat[::2], flat[1::2])), acts[0], acts[-1])[0]
        g = nc.gradcheck.numerical_backward(out, dY, *[a for c in caches for a in c[1:3]])
        return [(g[2 * l], g[2 * l + 1]) for l in range(len(caches))]
    nc.checks.isolated(check_loss_and_grads, globals(), "mlp_loss_and_grads", mlp_backward=numeric_mlp_backward)
    nc.checks.ok("mlp_loss_and_grads passes the gradient check of the whole network.")
    """, ["mlp_loss_and_grads"])
    nb.md(r"""
    **When it goes wrong, the check says where.** Below, the gradient check of a small network, once
    with your gradients (it passes) and once with the gradients deliberately broken in two places: one
    entry of $dW^{[1]}$ off by 50 %, and $db^{[2]}$ halved, as if a factor had been lost. The report lists the
    failing entries by name (`W1[2, 3]`, `b2[...]`) and the worst one first, so you know which layer and which
    entry to look at. Its relative error is $|\text{analytic} - \text{numeric}| / \max(|\text{analytic}|, |\text{numeric}|)$,
    so the entry that is 50 % too large shows as 0.33 and the halved ones as 0.5. Run such a check on a small
    network whenever you change a backward pass.
    """)
    nb.code("""
    with gt.needs("mlp_loss_and_grads", "mlp_backward", "layer_backward"):
        rng = np.random.default_rng(3)
        params = init_params([4, 5, 3, 2], rng)
        X_small, Y_small = rng.normal(size=(4, 6)), one_hot(rng.integers(0, 2, size=6), 2)
        loss_fn = lambda: mlp_loss_and_grads(params, X_small, Y_small)[0]
        _, grads = mlp_loss_and_grads(params, X_small, Y_small)
        print("your gradients:\\n", nc.gradcheck.check_params(loss_fn, params, grads), sep="")
        broken = [(dW.copy(), db.copy()) for dW, db in grads]
        broken[0][0][2, 3] *= 1.5
        broken[1] = (broken[1][0], broken[1][1] / 2)
        print("\\nbroken gradients:\\n", nc.gradcheck.check_params(loss_fn, params, broken), sep="")
    """)

    nb.md(r"""
    ### The softmax's own backward pass

    `cross_entropy` (notebook 03) hands back the gradient at the logits directly, $(\mathrm{softmax}(Z) - Y)/m$:
    the derivative of the softmax and that of the log, combined and simplified into one short formula. That
    shortcut only exists for this one pair. When a softmax's output feeds anything else (another loss, or a
    weighted average as in attention layers), backpropagation needs the softmax's **own** backward pass: given
    `dP` $= \partial L/\partial P$ for $P = \mathrm{softmax}(Z)$, return `dZ` $= \partial L/\partial Z$.

    The columns (samples) do not interact, so look at one column $z = (z_1, \dots, z_C)$ with
    $p_i = e^{z_i} / \sum_k e^{z_k}$. Every $p_i$ depends on **every** $z_k$, through the sum in the denominator:
    each $z_k$ feeds all $C$ outputs, a fork with $C$ branches. So, as in the forked toy, the gradient at $z_k$
    collects a part from each output:

    $$\frac{\partial L}{\partial z_k} = \sum_{i=1}^{C} \frac{\partial L}{\partial p_i}\,\frac{\partial p_i}{\partial z_k}.$$

    **Exercise 3.4 (derive, implement, check).** First derive $\partial p_i / \partial z_k$ with the quotient rule,
    in two cases, $i = k$ and $i \ne k$, and write both in terms of $p_i$ and $p_k$ alone. Put them into the sum
    and simplify until it needs only $p$, `dP` and one sum over the column. Then write
    `softmax_backward(dP, Z)`: `Z` the logits, shape `(C, m)`; `dP` shape `(C, m)`, the gradient of some loss at
    `P = softmax(Z)` (the given `softmax`, column by column). Return `dZ`, shape `(C, m)`. Each column is
    independent, and a vectorised version needs no loop (a loop over the columns is fine too). Do not change
    `dP` or `Z`. The check compares your `dZ` with centred differences of $L = \sum_{i,j} P_{ij}\,dP_{ij}$, whose
    gradient at $P$ is exactly `dP`.
    """)
    nb.answer("softmax_backward", """
    def softmax_backward(dP, Z):
        \"\"\"Backward pass of the column-wise softmax: dZ = dL/dZ from dP = dL/dP, where P = softmax(Z).

        dP, Z: (C, m). Returns dZ: (C, m).
        \"\"\"
        ### BEGIN SOLUTION
        P = softmax(Z)
        return P * (dP - np.sum(P * dP, axis=0, keepdims=True))
        ### END SOLUTION
    """)
    nb.tests("test_softmax_backward", 3, """
    rng_ = np.random.default_rng(4)
    Z_, dP_ = rng_.normal(size=(4, 5)), rng_.normal(size=(4, 5))
    dZ_ = softmax_backward(dP_.copy(), Z_.copy())
    nc.checks.expect_shape(dZ_, (4, 5), "dZ for Z and dP of shape (4, 5)")
    nc.checks.expect_close(np.sum(dZ_, axis=0), np.zeros(5),
                           "the sum of each column of dZ (adding the same number to every logit of a column leaves the "
                           "softmax unchanged, so dZ must sum to 0 over each column)", atol=1e-12)
    report = nc.gradcheck.check_array(softmax, Z_, dP_, dZ_)
    nc.checks.expect_true(report, "dZ disagrees with centred differences of sum(softmax(Z) * dP). Remember that every z_k "
                                  "changes EVERY output p_i (through the sum in the denominator), so dz_k collects a part "
                                  f"from all C outputs, not only from p_k:\\n{report}")
    nc.checks.expect_close(softmax_backward(np.ones((3, 2)), np.zeros((3, 2))), np.zeros((3, 2)),
                           "dZ for dP = 1 everywhere (L = the sum of the probabilities = m, a constant)", atol=1e-12)
    nc.checks.ok("softmax_backward passes the gradient check.")
    """, ["softmax_backward"])
    nb.md(r"""
    With your `softmax_backward`, cross-entropy can be backpropagated the long way, one operation at a time:
    $L = -\frac1m \sum_{i,j} Y_{ij} \log P_{ij}$ has $\partial L / \partial P = -Y / (m P)$ (entry by entry), and
    the softmax's backward pass takes it to $Z$. The cell below does this and compares the result with
    `cross_entropy`'s fused $(P - Y)/m$: they agree to rounding. This is the cancellation notebook 03 and
    Section 3's warning about lecture 001 talk about. Lecture 001's $(o_k - t_k)\,o_k(1 - o_k)$ keeps only the
    term $i = k$ of the sum above, as if $z_k$ changed $p_k$ alone.
    """)
    nb.code("""
    with gt.needs("softmax_backward"):
        rng = np.random.default_rng(5)
        Z_demo = 3 * rng.normal(size=(10, 8))
        Y_demo = one_hot(rng.integers(0, 10, size=8), 10)
        P_demo = softmax(Z_demo)
        dZ_long = softmax_backward(-Y_demo / (8 * P_demo), Z_demo)     # the log's gradient, then the softmax's
        dZ_fused = cross_entropy(Z_demo, Y_demo)[1]                    # (softmax(Z) - Y) / m
        print(f"the long way against cross_entropy's fused gradient: largest difference {np.abs(dZ_long - dZ_fused).max():.1e}")
    """)
    # ------------------------------------------------------------------ 4. training
    nb.claim("n_train_all", "1,438", cell="def follow(epoch, params)", pattern=r"digits_split: (\d+) training")
    nb.claim("n_test", "359", cell="def follow(epoch, params)", pattern=r"digits_split: \d+ training and (\d+) test")
    nb.claim("n_fit", "1,078", cell="def follow(epoch, params)", pattern=r"we train on (\d+)")
    nb.claim("n_val", "360", cell="def follow(epoch, params)", pattern=r"and validate on (\d+)")
    nb.claim("val_acc_lo", "97.8 %", cell="def follow(epoch, params)", pattern=r"validation accuracy after \d+ epochs, seeds 1-3: ([\d.]+)", scale=100)
    nb.claim("val_acc_hi", "98.3 %", cell="def follow(epoch, params)", pattern=r"validation accuracy after \d+ epochs, seeds 1-3: [\d.]+ to ([\d.]+)", scale=100)
    nb.claim("test_acc_once", "95.5 %", cell="params_digits = runs[best_seed]", pattern=r"test accuracy, measured once: ([\d.]+)", scale=100)
    nb.md(r"""
    ## 4 · Training for real: handwritten digits

    `nc.data.digits_split(rng)` gives the UCI digits (8×8 pixels, values in $[0, 1]$) as columns of length 64,
    with their labels, split into a training and a test part: 20 % of the images of each digit go to the
    test part. With `default_rng(0)` that is {{n_train_all}} training and {{n_test}} test images (printed below).

    **Three parts, not two.** While training we will follow the accuracy epoch by epoch and pick the best
    of three runs. Each such look is a *choice*, and a choice made by looking at a set of images fits
    the model a little to those particular images (notebook 07 explains why). So choices are made
    on images held out from training, the **validation set**, and the test set is used **once**, at the
    very end, for the one model we keep. We set {{n_val}} of the training images aside for validation with
    `nc.data.train_test_split` and train on the other {{n_fit}}. Then we train a network with one hidden
    layer by mini-batch SGD.

    **Exercise 4.1.** Write `train_mlp(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None)`:

    - `X` `(n_0, m)`, `Y` one-hot `(C, m)`, `layer_sizes` a list `[n_0, ..., C]`;
    - start from the parameters `init_params(layer_sizes, rng)` gives (He initialisation, drawn from `rng` first);
    - each epoch: for every batch of `minibatches(X, Y, batch_size, rng)` (one call per epoch, with the
      same `rng`), compute `mlp_loss_and_grads` on the batch and step every `W` and `b` by `-lr` times its gradient;
    - after each epoch, append the **mean training loss on the whole of `X`** (with the epoch's final
      parameters, e.g. `mlp_loss_and_grads(params, X, Y)[0]`) to a list, and, if a
      `callback` is given, call `callback(epoch, params)` (epochs counted from 1; the plots below use it
      to follow the validation set);
    - return `(params, losses)`, `losses` a float array of shape `(epochs,)`.

    The graded check runs your function on small random problems and compares, step by step, its
    parameters, its `losses` and the calls of `callback` with those of a correct `train_mlp` (so follow the
    steps above exactly: the random numbers are drawn in that order). While it runs, a correct
    `mlp_loss_and_grads` stands in for yours, so the check judges the training loop alone. The visible
    check below does one such small run, then trains on the digits (5 epochs, a smaller hidden layer: at
    least 90 % of the validation images). The demo below trains with `layer_sizes = [64, 64, 10]`,
    `lr = 0.5`, `epochs = 30`, `batch_size = 32` (three seeds: {{val_acc_lo}} to {{val_acc_hi}} on our
    validation images).
    """)
    nb.answer("train_mlp", """
    def train_mlp(X, Y, layer_sizes, lr, epochs, batch_size, rng, callback=None):
        \"\"\"Mini-batch SGD on a ReLU network with softmax cross-entropy output.

        X: (n_0, m); Y: (C, m) one-hot; layer_sizes: [n_0, ..., C]; lr: learning rate; epochs, batch_size: ints;
        rng: numpy Generator (init_params, then one minibatches call per epoch); callback(epoch, params) after each epoch.
        Returns (params, losses): the trained list of (W, b) and the whole-set training loss after each epoch, shape (epochs,).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        params = init_params(layer_sizes, rng)
        losses = []
        for epoch in range(1, epochs + 1):
            for X_b, Y_b in minibatches(X, Y, batch_size, rng):
                _, grads = mlp_loss_and_grads(params, X_b, Y_b)
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            losses.append(mlp_loss_and_grads(params, X, Y)[0])
            if callback is not None:
                callback(epoch, params)
        return params, np.array(losses)
        ### END SOLUTION
    """)
    nb.tests("test_train_mlp", 3, """
    rng_ = np.random.default_rng(3)
    Xs_, Ys_ = rng_.normal(size=(3, 7)), one_hot(rng_.integers(0, 2, size=7), 2)
    loss_of = lambda params, X, Y: cross_entropy(mlp_forward(X, params, "relu", "identity")[0], Y)[0]

    def check_small_run():     # a small run: 3 epochs of batches 3, 3 and 1 of 7 samples
        seen_ = []
        follow = lambda epoch, params: seen_.append((epoch, loss_of(params, Xs_, Ys_), np.array(params[0][0])))
        params_, losses_ = nc.checks.call(train_mlp, Xs_, Ys_, [3, 4, 2], 0.5, 3, 3, np.random.default_rng(4), callback=follow)
        nc.checks.expect_true(isinstance(params_, list) and len(params_) == 2, "train_mlp must return the list of 2 (W, b) pairs first")
        nc.checks.expect_equal([e for e, _, _ in seen_], [1, 2, 3], "the epochs callback(epoch, params) got (counted from 1)")
        nc.checks.expect_close(losses_, [loss for _, loss, _ in seen_],
                               "losses: the loss on the WHOLE of X with each epoch's final parameters (not a batch's loss)")
        nc.checks.expect_close(params_[0][0], seen_[-1][2], "the W1 returned against the one the last callback got")
        used_, fresh_ = np.random.default_rng(4), np.random.default_rng(4)
        train_mlp(Xs_, Ys_, [3, 4, 2], 0.5, 3, 3, used_)
        start_ = init_params([3, 4, 2], fresh_)
        for _ in range(3):
            fresh_.permutation(7)
        nc.checks.expect_true(used_.random() == fresh_.random(),
                              "train_mlp must draw from rng exactly: init_params(layer_sizes, rng) first, then one "
                              "minibatches(X, Y, batch_size, rng) per epoch (so its batches are shuffled), nothing else")
        nc.checks.expect_true(losses_[-1] < loss_of(start_, Xs_, Ys_),
                              f"the loss should go down from {loss_of(start_, Xs_, Ys_):.4f} (the initial parameters); "
                              f"got {np.asarray(losses_).tolist()}: step by -lr times the gradient, and keep the new parameters")

    def numeric_loss_and_grads(params, X, Y):   # a correct mlp_loss_and_grads for this run: finite differences of the loss
        loss = lambda *flat: loss_of(list(zip(flat[::2], flat[1::2])), X, Y)
        flat = [a for pair in params for a in pair]
        g = nc.gradcheck.numerical_backward(loss, 1.0, *flat)
        return loss(*flat), [(g[2 * l], g[2 * l + 1]) for l in range(len(params))]
    nc.checks.isolated(check_small_run, globals(), "train_mlp", mlp_loss_and_grads=numeric_loss_and_grads)
    X_all_, y_all_, _, _ = nc.data.digits_split(np.random.default_rng(0))               # the test part stays unused
    X_tr, y_tr, X_va, y_va = nc.data.train_test_split(X_all_, y_all_, 0.25, np.random.default_rng(0))
    t0_ = time.perf_counter()
    params_, losses_ = train_mlp(X_tr, one_hot(y_tr, 10), [64, 32, 10], 0.5, 5, 32, np.random.default_rng(1))   # a quick run
    seconds_ = time.perf_counter() - t0_
    acc_ = accuracy(mlp_forward(X_va, params_, "relu", "identity")[0], y_va)
    nc.checks.isolated(lambda: nc.checks.expect_true(acc_ >= 0.9, f"validation accuracy {acc_:.3f} is below 0.9 after 5 epochs of "
                                                                  "this quick run on the digits"),
                       globals(), "train_mlp", also=("mlp_loss_and_grads",))
    print(f"quick run: validation accuracy {acc_:.3f} after 5 epochs ({1e3 * seconds_:.0f} ms)")
    nc.checks.ok("train_mlp learns the digits.")
    """, ["train_mlp"])
    nb.md(r"""
    The training run in full, with the graded settings and three seeds (three different starting weights
    and batch orders): the loss and the accuracy on the training and the validation images after every
    epoch, followed with the `callback`. The test images are not looked at here.
    """)
    nb.code("""
    X_train_all, y_train_all, X_te, y_te = nc.data.digits_split(np.random.default_rng(0))
    X_tr, y_tr, X_va, y_va = nc.data.train_test_split(X_train_all, y_train_all, 0.25, np.random.default_rng(0))
    Y_tr, Y_va = one_hot(y_tr, 10), one_hot(y_va, 10)
    print(f"digits_split: {X_train_all.shape[1]} training and {X_te.shape[1]} test images; "
          f"of the training images we train on {X_tr.shape[1]} and validate on {X_va.shape[1]}")

    def follow(epoch, params):
        for name, X_, Y_, y_ in (("train", X_tr, Y_tr, y_tr), ("validation", X_va, Y_va, y_va)):
            logits = mlp_forward(X_, params, "relu", "identity")[0]
            history[f"{name} loss"].append(cross_entropy(logits, Y_)[0])
            history[f"{name} accuracy"].append(accuracy(logits, y_))

    with gt.needs("train_mlp", "mlp_loss_and_grads", "mlp_backward", "layer_backward"):
        runs, histories = {}, {}
        for seed in (1, 2, 3):
            history = {"train loss": [], "validation loss": [], "train accuracy": [], "validation accuracy": []}
            runs[seed], _ = train_mlp(X_tr, Y_tr, [64, 64, 10], 0.5, nc.demo_size(30, 8), 32, np.random.default_rng(seed),
                                      callback=follow)
            histories[seed] = history
        final = {seed: h["validation accuracy"][-1] for seed, h in histories.items()}
        print(f"validation accuracy after {len(histories[1]['train loss'])} epochs, seeds 1-3: "
              f"{min(final.values()):.3f} to {max(final.values()):.3f}")
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4))
        for seed, h in histories.items():
            epochs_ = np.arange(1, len(h["train loss"]) + 1)
            for k, (what, style) in enumerate((("train", ":"), ("validation", "-"))):
                axes[0].plot(epochs_, h[f"{what} loss"], linestyle=style, color=f"C{seed - 1}", label=f"seed {seed}, {what}")
                axes[1].plot(epochs_, h[f"{what} accuracy"], linestyle=style, color=f"C{seed - 1}", label=f"seed {seed}, {what}")
        axes[0].set_yscale("log")
        axes[0].set(title="Cross-entropy (dotted: training, solid: validation)", xlabel="epoch",
                    ylabel="mean cross-entropy (log)")
        axes[1].set(title=f"Accuracy: {min(final.values()):.1%} to {max(final.values()):.1%} on validation",
                    xlabel="epoch", ylabel="accuracy")
        axes[1].set_ylim(0.85, 1.001)
        for ax in axes:
            ax.grid(True, alpha=0.3)
        axes[1].legend(fontsize="x-small", ncol=2)
    """)
    nb.md(r"""
    Training accuracy climbs to 100 % and the training loss keeps falling, while the validation accuracy and
    loss level off: the gap is what the network learned about these particular training images and not about
    digits in general (notebook 07's subject). Now the choice: keep the seed with the best validation accuracy. Only
    that network meets the test set, once: its test accuracy, the **confusion matrix** (row: the true
    digit, column: the predicted one; everything off the diagonal is a mistake), and the test digits it gets
    wrong. The test accuracy is an honest estimate for new images precisely because nothing was chosen on
    it. Here it is {{test_acc_once}}, lower than the chosen seed's validation accuracy: part of the gap is the
    luck of choosing (the winner of a comparison looks a little better than it is), part the luck of which
    images landed in which part (a few hundred images per part make a point or two of noise).
    """)
    nb.code("""
    with gt.needs("train_mlp", "mlp_loss_and_grads", "mlp_backward", "layer_backward"):
        train_mlp(X_tr[:, :4], Y_tr[:, :4], [64, 10], 0.1, 1, 4, np.random.default_rng(0))   # a stub stops here
        best_seed = max(final, key=final.get)                      # chosen on the validation set
        params_digits = runs[best_seed]
        pred = np.argmax(mlp_forward(X_te, params_digits, "relu", "identity")[0], axis=0)
        print(f"chosen on validation: seed {best_seed} ({final[best_seed]:.3f}); "
              f"its test accuracy, measured once: {np.mean(pred == y_te):.3f}")
        fig, axes = nc.plot.subplots(1, 2, figsize=(13, 5.5))
        gt.confusion_matrix(y_te, pred, 10, ax=axes[0], title=f"Confusion matrix on the test set (seed {best_seed})")
        wrong = np.flatnonzero(pred != y_te)
        nc.plot.digit_grid(X_te[:, wrong], y_te[wrong], pred[wrong], n=min(25, wrong.size), ax=axes[1],
                           title=f"The {wrong.size} misclassified test digits (first {min(25, wrong.size)})")
    """)
    nb.claim("xor_solved", "8", cell="params_xor, losses_xor = train_mlp(", pattern=r"(\d+) of 10 seeds get all four points")
    nb.md(r"""
    ### XOR, learned

    Notebook 01 set the weights of a two-layer XOR network by hand. Now `train_mlp` learns them from
    random weights: 2 inputs, 8 ReLU hidden units, 2 outputs (class 0 and class 1), on the four points of
    the truth table. On the right is the decision region after training: the network cuts the plane
    with the bent lines of its ReLU units, not with one straight line. Not every start works: the cell also
    trains from ten starting seeds, and {{xor_solved}} of the ten get all four points; for the others some ReLU
    units start (or end up) inactive on all four points, and the network stops at 2 or 3 right. With only a
    few hidden units, the result depends on the starting weights.
    """)
    nb.code("""
    X_xor, y_xor = nc.data.truth_table("XOR")
    with gt.needs("train_mlp", "mlp_loss_and_grads", "mlp_backward", "layer_backward"):
        params_xor, losses_xor = train_mlp(X_xor, one_hot(y_xor.astype(int), 2), [2, 8, 2], 0.5, 300, 4, np.random.default_rng(0))
        fig, axes = nc.plot.subplots(1, 2, figsize=(11, 4))
        nc.plot.loss_curves(losses_xor, ax=axes[0], logy=True, title="XOR: training loss")
        predict = lambda P: np.argmax(mlp_forward(P, params_xor, "relu", "identity")[0], axis=0)
        print(f"XOR after training: {int(np.sum(predict(X_xor) == y_xor))} of 4 points right")
        nc.plot.decision_boundary(predict, X_xor, y_xor.astype(int), ax=axes[1], padding=0.7,
                                  title=f"Learned XOR: {int(np.sum(predict(X_xor) == y_xor))} of 4 right")
        right = {}
        for seed in range(10):
            p_seed, _ = train_mlp(X_xor, one_hot(y_xor.astype(int), 2), [2, 8, 2], 0.5, 300, 4, np.random.default_rng(seed))
            right[seed] = int(np.sum(np.argmax(mlp_forward(X_xor, p_seed, "relu", "identity")[0], axis=0) == y_xor))
        print("points right, by starting seed:", right)
        print(f"{sum(r == 4 for r in right.values())} of 10 seeds get all four points")
    """)

    # ------------------------------------------------------------------ 5. cost
    nb.md(r"""
    ## 5 · What a backward pass costs

    Count floating-point operations (a multiply and an add are 2 FLOPs). In layer $l$ with $m$ samples,
    the forward product $W A_{\text{prev}}$ costs $2\,n_l\,n_{l-1}\,m$. The backward pass does **two**
    products of the same size: $dW = dZ\,A_{\text{prev}}^\top$ and $dA_{\text{prev}} = W^\top dZ$ (the
    first layer can skip the second, since nobody needs the gradient of the input). The element-wise
    work ($g$, $g'$, the sums for $db$) is only $O(n_l\, m)$. So the backward pass costs about **twice**
    the forward pass, and a training step about three forward passes, however many parameters there are.
    Computing each of the $P$ derivatives separately, with finite differences, would cost $P$ forward passes.

    The cell below counts the FLOPs and measures both passes with your code on a bigger network (best of
    repeats, taken in turn). The printed count skips the first layer's $dA_{\text{prev}}$, but your
    `mlp_backward` computes it anyway (`layer_backward` does not know which layer is first), so the work it
    really does is twice the forward pass's, a little more than the count. The measured ratio is usually near 2,
    somewhat above or below it depending on the machine; on a machine busy with other work the timings can be
    far off, so run it twice.
    """)
    nb.code("""
    def matmul_flops(layer_sizes, m):
        forward = sum(2 * n * n_prev * m for n_prev, n in zip(layer_sizes[:-1], layer_sizes[1:]))
        backward = 2 * forward - 2 * layer_sizes[1] * layer_sizes[0] * m   # dW everywhere, dA_prev except layer 1
        return forward, backward

    def best_of_alternating(fns, repeats=15):
        # the best time of each function, measured in turn (so both see the same machine load)
        best = [float("inf")] * len(fns)
        for _ in range(repeats):
            for k, fn in enumerate(fns):
                t0 = time.perf_counter()
                fn()
                best[k] = min(best[k], time.perf_counter() - t0)
        return best

    sizes, m = [128, 256, 256, 10], nc.demo_size(256, 64)
    fwd, bwd = matmul_flops(sizes, m)
    print(f"network {sizes}, batch of {m}: forward {fwd / 1e6:.0f} MFLOP, backward {bwd / 1e6:.0f} MFLOP, ratio {bwd / fwd:.2f}")
    with gt.needs("mlp_backward", "layer_backward"):
        rng = np.random.default_rng(0)
        params_big = init_params(sizes, rng)
        X_big = rng.standard_normal((sizes[0], m))
        Y_big = one_hot(rng.integers(0, 10, size=m), 10)
        logits, caches = mlp_forward(X_big, params_big, "relu", "identity")
        dZ = cross_entropy(logits, Y_big)[1]
        t_fwd, t_bwd = best_of_alternating([lambda: mlp_forward(X_big, params_big, "relu", "identity"),
                                            lambda: mlp_backward(dZ, caches)])
        print(f"measured: forward {1e3 * t_fwd:.2f} ms ({fwd / t_fwd / 1e9:.1f} GFLOP/s), "
              f"backward {1e3 * t_bwd:.2f} ms ({bwd / t_bwd / 1e9:.1f} GFLOP/s), ratio {t_bwd / t_fwd:.2f}")
    """)
    nb.md(r"""
    **Question 5.1 (written, graded by hand).** Why does the forward pass keep its intermediate values
    (the caches) instead of recomputing them in the backward pass? What does this cost, and when does it matter?
    """)
    nb.written("keep_intermediates", 2, r"""
    Every factor of the backward pass is a forward quantity: $g'(Z^{[l]})$ needs $Z^{[l]}$, and
    $dW^{[l]} = dZ^{[l]} A^{[l-1]\top}$ needs the activation of the layer below (lecture 003: "we need to know
    the activations at each layer"). Keeping them makes the backward pass cost about two forward passes;
    recomputing them for each layer would redo the forward pass up to that layer, a cost quadratic in the depth.
    The price is memory: every layer's $Z$ and $A$ for the whole batch, about (sum of the layer widths) × $m$
    numbers, which limits the batch size and the depth on a GPU. (Gradient checkpointing trades some recomputation
    for memory.)
    """)
    nb.claim("sigmoid_depth30", "7.3e-18", cell="sizes_30 = gt.draw_gradient_depth",
             pattern=r"sigmoid, 30 hidden layers: mean \|dW\| of layer 1 ([\d.e+-]+)")
    nb.claim("tanh_relu_spread", "4", cell="sizes_30 = gt.draw_gradient_depth", relation="<=", tol=0,
             pattern=r"relu, 30 hidden layers: .*? largest / smallest over the layers ([\d.]+)")
    nb.claim("tanh_spread", "4", cell="sizes_30 = gt.draw_gradient_depth", relation="<=", tol=0,
             pattern=r"tanh, 30 hidden layers: .*? largest / smallest over the layers ([\d.]+)")
    nb.md(r"""
    ### Gradients through depth

    The widget runs *your* `mlp_forward` and `mlp_backward` through a deep network (32 units per hidden
    layer, He initialisation, random inputs) and plots the average size of $dW$ in every layer, the first
    layer on the left, on a **log scale**, so a straight falling line means the same factor lost per layer.
    The title gives the ratio of the first layer's size to the last's. Move the depth slider with the sigmoid,
    then switch the activation to tanh and to ReLU. With the sigmoid, the first layers' gradients shrink by a
    roughly constant factor per layer (at depth 30 the first layer's falls below the bottom of the plot, to
    {{sigmoid_depth30}}). With tanh (whose slope is 1 at $z = 0$) and with ReLU, under He initialisation, they
    stay within a small factor of each other: at depth 30, the largest layer's is at most {{tanh_spread}} times
    the smallest's with tanh and {{tanh_relu_spread}} times with ReLU (the cell prints the three cases). Notebook 07 comes back to this: how the scale of the
    initial weights decides whether signals and gradients survive many layers.
    """)
    nb.code("""
    from matplotlib.figure import Figure

    with gt.needs("mlp_backward", "layer_backward", "sigmoid_grad", "tanh_grad", "relu_grad"):
        display(gt.gradient_depth_widget(mlp_forward, mlp_backward, init_params, depth=10, activation="sigmoid"))
        for act in ("sigmoid", "tanh", "relu"):                      # depth 30, measured off screen
            sizes_30 = gt.draw_gradient_depth(mlp_forward, mlp_backward, init_params, 30, act, Figure().add_subplot())
            print(f"{act:>7}, 30 hidden layers: mean |dW| of layer 1 {sizes_30[0]:.1e}, of the last layer {sizes_30[-1]:.1e}; "
                  f"largest / smallest over the layers {sizes_30.max() / sizes_30.min():.1f}")
    """)
    nb.md(r"""
    **Question 5.2 (written, graded by hand).** What happens to the gradients of the first layers of a
    deep network whose hidden layers all use the sigmoid? Use the delta rule and the plot of Section 2.
    What does ReLU change?
    """)
    nb.written("deep_sigmoid", 2, r"""
    By the delta rule, $\delta^l = \sigma'(z^l) \odot (W^{l+1})^\top \delta^{l+1}$: going down one layer multiplies by
    $\sigma'(z) \le 1/4$ (and by the weights). Over $L$ layers the factor is at most $(1/4)^L$ times the
    weight products, so with weights of moderate size the gradients of the first layers shrink
    exponentially with depth (**vanishing gradients**), and those layers barely learn. It is worse when
    units saturate ($|z|$ large, $\sigma' \approx 0$). ReLU's derivative is exactly 1 for active units, so
    the factor does not shrink by itself. With a suitable initialisation (He), gradients keep their size through many layers;
    the price is dead units (derivative 0 when $z < 0$ for every input).
    """)
    nb.md(r"""
    ## Summary

    - Backpropagation applies the chain rule in reverse order and reuses the forward pass's intermediates:
      lecture 003's toy chain, term by term, then a layer at a time.
    - Activation derivatives: $\sigma(1-\sigma)$, $1 - \tanh^2$, $\mathbb{I}[z > 0]$ (0 at ReLU's kink).
    - The delta rule for a batch: $dZ = dA \odot g'(Z)$, $dW = dZ A_{\text{prev}}^\top$,
      $db = \sum_{\text{columns}} dZ$, $dA_{\text{prev}} = W^\top dZ$, with the $1/m$ coming from the loss, once.
    - A gradient check names the entry where a backward pass is wrong.
    - A backward pass costs about two forward passes. With it, mini-batch SGD trains a digit classifier
      to over 95 % on images it has not seen, choosing on a validation set and measuring on the test set once.
    - Next, *06 · optimizers*: better steps than plain SGD (momentum, Adam).
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
