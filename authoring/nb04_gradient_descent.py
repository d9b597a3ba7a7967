"""Source of solutions/04_gradient_descent/gradient_descent.ipynb (run `make sources`, then `make release`)."""
from __future__ import annotations

from pathlib import Path

from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "04_gradient_descent"
FILENAME = "gradient_descent.ipynb"


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p04")

    nb.md(r"""
    # 04 · Gradient descent, SGD and mini-batch SGD

    Training a network means finding parameters that make a loss small. The lectures give the recipe
    in four lines: choose a loss; compute how the parameters should change to make it smaller (the
    gradient); take a small step that way; repeat. In this notebook you write that loop yourself and
    watch it work on a 1-D curve, a 2-D bowl, a straight-line fit (lecture 003), the single sigmoid
    neuron with square loss (lectures 000 and 004), and a bumpy loss with several minima (the Gabor
    model of lecture 003). Then you compare the three ways of feeding data to it — **gradient
    descent**, **stochastic gradient descent** and **mini-batch SGD** — per epoch *and* per second.

    **Conventions.** Samples are columns: `X` has shape `(N, m)` ($N$ features, $m$ samples), labels
    and targets `y` shape `(m,)`. Randomness comes in as an argument `rng` (a `numpy.random.Generator`).

    **Notation, and where the lectures differ.** The parameters are $\theta$ in lecture 000 and
    $\phi$ in lecture 003; the learning rate is $\eta$ in lecture 000, $\alpha$ in lecture 003 and
    $\epsilon$ in the algorithm box lecture 000 borrows from the *Deep Learning* book. We write
    $\theta$ and $\eta$ (`theta`, `lr` in code), except in the linear-regression section, which keeps
    lecture 003's $\phi$. One real difference: lecture 003 sums the loss over the data,
    $L[\phi] = \sum_i \ell_i$, while lecture 000 averages it, $C(\theta) = \frac1K \sum_k C_k(\theta)$.
    The two have the same minimum, and their gradients differ only by the factor $1/m$, which a
    learning rate $m$ times bigger absorbs. Each exercise says which one it wants. As in notebook 01,
    $y$ is the *true* target and $\hat y$ the model's output (lecture 000 uses the hat the other way).
    """)
    nb.setup("""
    import time
    import numpy as np
    import nbcourse as nc
    from nbcourse import gd_tools as gt
    """)
    nb.md(r"""
    The logistic sigmoid from notebook 01, given here (locked) so that this notebook does not depend
    on your notebook 01. It is the stable version: `np.exp` only ever sees numbers $\le 0$.
    """)
    nb.given("""
    def sigmoid(z):
        \"\"\"Logistic sigmoid 1 / (1 + exp(-z)) without overflow (float array, same shape as z).\"\"\"
        z = np.asarray(z, dtype=float)
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])
        out[~pos] = ez / (1.0 + ez)
        return out
    """)

    # ------------------------------------------------------------------ 1. gradient descent
    nb.md(r"""
    ## 1 · Gradient descent in 1-D and 2-D

    Lecture 000 pictures a ball dropped on the loss curve. Start somewhere, $\theta^0$; the derivative
    $dL/d\theta$ says which way is uphill, so step the other way, by an amount proportional to the slope:

    $$\theta^{t+1} = \theta^{t} - \eta\, \nabla_\theta L(\theta^{t}), \qquad t = 0, 1, 2, \dots$$

    With two parameters $\theta = (\theta_1, \theta_2)$ the gradient $\nabla_\theta L$ is the vector of
    the two partial derivatives, and the same line updates both at once. With a whole matrix of
    parameters, it updates every entry at once. The learning rate $\eta > 0$ sets the step length.

    **Exercise 1.1.** Write `gradient_descent(grad_fn, theta0, lr, n_steps)`. `grad_fn(theta)` returns
    the gradient at `theta`, an array of `theta`'s shape. `theta0` is the start: a number or an array
    of any shape. Take `n_steps` steps and return the **whole trajectory**: a float array of shape
    `(n_steps + 1, *theta0.shape)` whose row `t` is $\theta^t$. Row 0 is the start itself, and
    `n_steps = 0` returns just the start, shape `(1, *theta0.shape)` (for a number, `theta0.shape` is `()`,
    so the trajectory has shape `(n_steps + 1,)`).

    Hint: start from a fresh float copy of the start, `np.array(theta0, dtype=float)`, collect the iterates in a
    list and finish with `np.array(the_list)`. Careful: `theta -= lr * g` changes `theta` *in place*,
    so every entry of the list would be the same array; write `theta = theta - lr * g` instead.
    """)
    nb.answer("gradient_descent", """
    def gradient_descent(grad_fn, theta0, lr, n_steps):
        \"\"\"Plain gradient descent theta <- theta - lr * grad_fn(theta), n_steps times.

        grad_fn: function theta -> gradient (same shape as theta); theta0: number or array of any shape;
        lr: learning rate > 0; n_steps: int >= 0.
        Returns the trajectory, a float array of shape (n_steps + 1, *np.shape(theta0)); row 0 is theta0.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        theta = np.array(theta0, dtype=float)
        path = [theta]
        for _ in range(n_steps):
            theta = theta - lr * grad_fn(theta)   # a new array: the stored iterates stay as they were
            path.append(theta)
        return np.array(path)
        ### END SOLUTION
    """)
    nb.tests("test_gradient_descent", 2, """
    path = gradient_descent(lambda t: 2 * t, 1.0, 0.25, 3)   # L = theta^2: each step halves theta
    nc.checks.expect_true(np.shape(path) != (4,) or not np.allclose(path, path[-1]),
                          f"every row of your trajectory is the last iterate ({np.asarray(path).tolist()}): "
                          "you stored one array and then changed it in place; write theta = theta - lr * g")
    nc.checks.expect_close(path, [1.0, 0.5, 0.25, 0.125], "gradient_descent on L = theta^2 from 1, lr 0.25, 3 steps")
    nc.checks.expect_shape(gradient_descent(lambda t: 2 * t, 1.0, 0.25, 0), (1,), "trajectory with n_steps = 0 (just the start)")
    A = np.array([[2.0, 0.0], [0.0, 4.0]])                  # L = theta1^2 + 2 theta2^2
    path2 = nc.checks.call(gradient_descent, lambda t: A @ t, np.array([1.0, 1.0]), 0.1, 2)
    nc.checks.expect_close(path2, [[1.0, 1.0], [0.8, 0.6], [0.64, 0.36]], "gradient_descent on a 2-D bowl, 2 steps")
    M = gradient_descent(lambda t: t, np.ones((2, 3)), 0.5, 4)
    nc.checks.expect_shape(M, (5, 2, 3), "trajectory of a (2, 3) parameter matrix, 4 steps")
    nc.checks.expect_close(M[-1], np.full((2, 3), 0.5 ** 4), "last iterate of the matrix run")
    nc.checks.ok("gradient_descent looks right.")
    """, ["gradient_descent"])

    nb.md(r"""
    A 1-D loss with two valleys, $L(\theta) = \theta^4/4 - \theta^2 + \theta/2$: the ball rolls into
    whichever valley it starts above. From the right it ends in the shallower valley: a **local**
    minimum. Gradient descent only knows the slope where it stands.
    """)
    nb.code("""
    def L_well(t):
        return t ** 4 / 4 - t ** 2 + t / 2

    def dL_well(t):
        return t ** 3 - 2 * t + 0.5

    with gt.needs("gradient_descent"):
        paths = {f"start {t0:+.1f}": gradient_descent(dL_well, t0, 0.1, 25) for t0 in (-2.2, 0.3, 2.3)}
        for name, p in paths.items():
            print(f"{name}: ends at theta = {p[-1]:+.4f}, L = {L_well(p[-1]):+.4f}")
        gt.path_1d(L_well, paths, xlim=(-2.6, 2.6), title="Gradient descent on a 1-D loss with two valleys (η = 0.1)")
    """)
    nb.claim("bowl_crawl_end", "−2.18", cell="def dL_bowl(t)", pattern=r"η = 0.02: .*?theta = \((-?[\d.]+),")
    nb.claim("bowl_zigzag_end", "−0.007", cell="def dL_bowl(t)", pattern=r"η = 0.19: .*?theta = \((-?[\d.]+),")
    nb.md(r"""
    In 2-D, a bowl that is steep one way and shallow the other,
    $L(\theta) = \tfrac12(\theta_1^2 + 10\,\theta_2^2)$, with gradient $(\theta_1, 10\,\theta_2)$.
    One step multiplies $\theta_1$ by $1 - \eta$ and $\theta_2$ by $1 - 10\eta$, so the steep direction sets the
    largest safe learning rate ($|1 - 10\eta| < 1$, i.e. $\eta < 2/10$). Three rates, 30 steps each (the cell
    prints both factors and where each path ends):

    - $\eta = 0.02$ is safe but **crawls** along the shallow direction: $\theta_1$ shrinks by only 2 % per step
      and is still at {{bowl_crawl_end}} after 30 steps (it started at $-4$);
    - $\eta = 0.1$ removes $\theta_2$ in a single step (its factor is $1 - 10\eta = 0$), then slides along $\theta_1$;
    - $\eta = 0.19$, close to the limit, **zigzags** across the steep direction ($\theta_2$ changes sign at every
      step, factor $-0.9$), while $\theta_1$ shrinks fastest of the three (factor 0.81) and arrives: it ends at
      $\theta_1 =$ {{bowl_zigzag_end}}.
    """)
    nb.code("""
    def L_bowl(t):
        return 0.5 * (t[0] ** 2 + 10 * t[1] ** 2)

    def dL_bowl(t):
        return np.array([t[0], 10 * t[1]])

    with gt.needs("gradient_descent"):
        start = np.array([-4.0, 1.5])
        paths = {f"η = {lr}": gradient_descent(dL_bowl, start, lr, 30) for lr in (0.02, 0.1, 0.19)}
        for name, p in paths.items():
            lr = float(name.split("= ")[1])
            print(f"{name}: factors per step {1 - lr:.2f} (theta_1) and {1 - 10 * lr:+.2f} (theta_2); "
                  f"after 30 steps theta = ({p[-1][0]:.3f}, {p[-1][1]:.3f})")
        nc.plot.loss_surface(L_bowl, (-4.5, 4.5), (-2, 2), paths=paths, resolution=60,
                             title="Gradient descent on an elongated bowl, 30 steps each",
                             xlabel=r"$\\theta_1$", ylabel=r"$\\theta_2$");
    """)
    nb.md(r"""
    ### The learning rate

    Move the slider: it runs *your* `gradient_descent` on $L(\theta) = \theta^2$ from $\theta^0 = 2$.
    The gradient is $2\theta$, so one step gives $\theta^{t+1} = (1 - 2\eta)\,\theta^t$: the factor
    $1 - 2\eta$ decides everything. Find the four regimes: **too small** ($\eta$ near 0.01: the factor
    is nearly 1 and the loss barely moves); **good** (around $\eta = 0.5$ the factor is 0 and one step
    lands on the minimum); **oscillating** ($0.5 < \eta < 1$: the factor is negative, the path jumps
    from side to side, and at $\eta = 1$ it never settles); **diverging** ($\eta > 1$: $|1 - 2\eta| > 1$
    and the loss grows without bound). The right panel is the loss against the step on a log scale:
    a straight line down is steady convergence, a straight line up is divergence.
    """)
    nb.code("""
    with gt.needs("gradient_descent"):
        gradient_descent(lambda t: 2 * t, 1.0, 0.1, 1)   # fails here, with a hint, if it is not written yet
        display(gt.lr_widget(gradient_descent, lr=0.05))
    """)

    # ------------------------------------------------------------------ 2. linear regression
    nb.md(r"""
    ## 2 · Linear regression by gradient descent

    Lecture 003 fits a straight line $f[x, \phi] = \phi_0 + \phi_1 x$ to $I$ data points by
    gradient descent on the **summed** square loss

    $$L[\phi] = \sum_{i=1}^{I} \big(\phi_0 + \phi_1 x_i - y_i\big)^2, \qquad
      \frac{\partial L}{\partial \phi} = \sum_{i=1}^{I}
      \begin{bmatrix} 2(\phi_0 + \phi_1 x_i - y_i) \\ 2 x_i (\phi_0 + \phi_1 x_i - y_i) \end{bmatrix}.$$

    The gradient of a sum is the sum of the gradients of its terms, one per data point.

    **Exercise 2.1.** Write `linreg_loss_and_grad(phi, x, y)`: `phi` has shape `(2,)` (that is
    $(\phi_0, \phi_1)$), `x` and `y` shape `(I,)`. Return `(L, grad)`: the loss $L$ as a float (a **sum**
    over the data, not a mean), and the gradient, shape `(2,)`. No loop is needed: compute the
    residuals $r_i = \phi_0 + \phi_1 x_i - y_i$ as one array first.
    """)
    nb.answer("linreg_loss_and_grad", """
    def linreg_loss_and_grad(phi, x, y):
        \"\"\"Summed square loss of the line phi[0] + phi[1] * x, and its gradient.

        phi: (2,); x, y: (I,). Returns (L float, grad of shape (2,)).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        r = phi[0] + phi[1] * x - y                 # residuals, (I,)
        L = float(np.sum(r ** 2))
        grad = np.array([np.sum(2 * r), np.sum(2 * r * x)])
        return L, grad
        ### END SOLUTION
    """)
    nb.tests("test_linreg_loss_and_grad", 2, """
    x_ = np.array([0.0, 1.0, 2.0]); y_ = np.array([1.0, 2.0, 2.0])
    L_, g_ = nc.checks.call(linreg_loss_and_grad, np.array([1.0, 1.0]), x_, y_)  # residuals 0, 0, 1
    nc.checks.expect_close(L_, 1.0, "L for phi = (1, 1) on three points (residuals 0, 0, 1; L is their SUM of squares, not the mean)")
    nc.checks.expect_close(g_, [2.0, 4.0], "grad for phi = (1, 1): (sum 2 r_i, sum 2 x_i r_i)")
    L0, g0 = linreg_loss_and_grad(np.array([1.0, 0.5]), x_, 1.0 + 0.5 * x_)
    nc.checks.expect_close([L0, *g0], [0.0, 0.0, 0.0], "L and grad on data that lies exactly on the line")
    report = nc.gradcheck.check_scalar(lambda p: linreg_loss_and_grad(p, x_, y_)[0], np.array([0.3, -0.7]),
                                       linreg_loss_and_grad(np.array([0.3, -0.7]), x_, y_)[1])
    nc.checks.expect_true(report, f"your gradient disagrees with finite differences of your loss:\\n{report}")
    nc.checks.ok("linreg_loss_and_grad looks right.")
    """, ["linreg_loss_and_grad"])
    nb.claim("linreg_limit", "0.049", cell="x_lin = np.sort(", pattern=r"largest curvature\) = ([\d.]+)")
    nb.md(r"""
    Now descend. The data are 12 points near a line; on the left, the line after several numbers of
    steps; on the right, the path over the $(\phi_0, \phi_1)$ surface. Because the loss is a *sum*,
    its gradient grows with the number of points, and the learning rate must shrink with it: here
    $\eta = 0.01$, and $\eta = 0.05$ would diverge (the cell prints the limit, $2$ divided by the largest
    curvature of $L$: {{linreg_limit}}). The path first slides down the steep direction,
    then creeps along the long, flat valley: the intercept and the slope trade off against each other.
    """)
    nb.code("""
    rng = np.random.default_rng(3)
    x_lin = np.sort(rng.uniform(0.0, 2.0, 12))
    y_lin = 0.4 + 0.9 * x_lin + 0.15 * rng.standard_normal(12)
    with gt.needs("linreg_loss_and_grad", "gradient_descent"):
        path = gradient_descent(lambda p: linreg_loss_and_grad(p, x_lin, y_lin)[1], np.array([1.6, -0.6]), 0.01, 200)
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4.5))
        shown = [0, 2, 10, 200]
        nc.plot.fit_1d(x_lin, y_lin, lambda g: path[-1][0] + path[-1][1] * g, ax=axes[0],
                       title="Fitted line after 0, 2, 10 and 200 steps", label="after 200 steps")
        grid = np.linspace(0, 2, 50)
        for t in shown[:-1]:
            axes[0].plot(grid, path[t][0] + path[t][1] * grid, linestyle="--", label=f"after {t} steps")
        axes[0].legend()
        nc.plot.loss_surface(lambda p: linreg_loss_and_grad(p, x_lin, y_lin)[0], (-0.5, 2.0), (-1.0, 2.0),
                             paths={"gradient descent": path}, ax=axes[1], logscale=True, resolution=60,
                             title=r"Path over the loss surface $L[\\phi]$ (log scale)",
                             xlabel=r"intercept $\\phi_0$", ylabel=r"slope $\\phi_1$")
        print(f"after 200 steps: phi = {path[-1].round(3)}, L = {linreg_loss_and_grad(path[-1], x_lin, y_lin)[0]:.4f}")
        hessian = 2 * np.array([[x_lin.size, x_lin.sum()], [x_lin.sum(), np.sum(x_lin ** 2)]])   # L is quadratic in phi
        print(f"gradient descent diverges for learning rates above 2 / (largest curvature) = "
              f"{2 / np.linalg.eigvalsh(hessian).max():.4f}")
    """)

    # ------------------------------------------------------------------ 3. the sigmoid neuron
    nb.md(r"""
    ## 3 · The single sigmoid neuron with square loss

    Lectures 000 and 004 work one example by hand: a neuron $f(x; \theta) = \sigma(w^\top x + b)$
    with the square loss, whose derivative they take with the chain rule and the sigmoid's own
    derivative $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$:

    $$\frac{\partial}{\partial w_j}\big(\sigma(z) - y\big)^2 = 2\big(\sigma(z) - y\big)\,\sigma(z)\big(1 - \sigma(z)\big)\,x_j,
      \qquad z = w^\top x + b,$$

    and the same without the factor $x_j$ for $b$. Over $m$ samples we take the **mean**, as the
    course does for every loss from here on (and as lecture 000 does for gradient descent):

    $$C(w, b) = \frac1m \sum_{i=1}^{m} \big(a_i - y_i\big)^2, \qquad a_i = \sigma(w^\top x^{(i)} + b).$$

    **Exercise 3.1.** Write `neuron_square_loss_grad(w, b, X, y)`: `w` shape `(N,)`, `b` a number,
    `X` shape `(N, m)`, `y` shape `(m,)`. Return `(C, dw, db)`: the mean loss (a float), $\partial C/\partial w$
    (shape `(N,)`) and $\partial C/\partial b$ (a float). Use the given `sigmoid`. Vectorise: with
    $d_i = \frac{2}{m}(a_i - y_i)\,a_i(1 - a_i)$ (shape `(m,)`), `dw` is `X @ d` and `db` is the sum of $d$.
    """)
    nb.answer("neuron_square_loss_grad", """
    def neuron_square_loss_grad(w, b, X, y):
        \"\"\"Mean square loss of a sigmoid neuron and its gradient.

        w: (N,); b: float; X: (N, m) samples as columns; y: (m,) targets.
        Returns (C float, dw of shape (N,), db float) with C = mean over samples of (sigmoid(w^T x + b) - y)^2.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        m = X.shape[1]
        a = sigmoid(w @ X + b)                  # (m,)
        r = a - y
        C = float(np.sum(r ** 2) / m)
        d = 2.0 * r * a * (1.0 - a) / m         # dC/dz for every sample, (m,)
        return C, X @ d, float(np.sum(d))
        ### END SOLUTION
    """)
    nb.tests("test_neuron_square_loss_grad", 2, """
    C_, dw_, db_ = nc.checks.call(neuron_square_loss_grad, np.array([0.0, 0.0]), 0.0, np.array([[1.0, -1.0], [2.0, 0.0]]), np.array([1.0, 0.0]))
    # sigmoid(0) = 1/2 for both samples: C = ((-1/2)^2 + (1/2)^2) / 2 = 1/4; d = (2/2)(a - y)(1/4) = (-1/8, 1/8)
    nc.checks.expect_close(C_, 0.25, "C at w = 0, b = 0 (both outputs 1/2)")
    nc.checks.expect_close(dw_, [-0.25, -0.25], "dw at w = 0, b = 0: X @ d with d = (2/m)(a - y) a(1 - a) = (-1/8, 1/8) "
                       "(m = 2, a = 1/2; a factor m off means a missing 1/m, a factor 4 a missing a(1 - a))")
    nc.checks.expect_close(db_, 0.0, "db at w = 0, b = 0")
    rng_ = np.random.default_rng(0)
    X_, y_ = rng_.normal(size=(3, 7)), rng_.uniform(size=7)
    w_, b_ = rng_.normal(size=3), np.array(0.3)
    C_, dw_, db_ = neuron_square_loss_grad(w_, b_, X_, y_)
    nc.checks.expect_shape(dw_, (3,), "dw for N = 3 features")
    report = nc.gradcheck.check_params(lambda: neuron_square_loss_grad(w_, b_, X_, y_)[0],
                                       {"w": w_, "b": b_}, {"w": dw_, "b": np.asarray(db_)})
    nc.checks.expect_true(report, f"gradient check against finite differences of your C:\\n{report}")
    nc.checks.ok("neuron_square_loss_grad passes the gradient check.")
    """, ["neuron_square_loss_grad"])
    nb.md(r"""
    The gradient check above is `nbcourse.gradcheck`: it nudges every parameter by $\pm 10^{-6}$,
    measures how $C$ changes (a centred finite difference), and compares with your analytic gradient.
    When they disagree it names the parameter and entry, e.g. `w[2]`. Print `report` to see it.
    """)

    # ------------------------------------------------------------------ 4. GD, SGD, mini-batch
    nb.md(r"""
    ## 4 · Gradient descent, SGD and mini-batch SGD

    Gradient descent uses **all** $m$ samples for every step: one step per pass over the data, and
    the pass is expensive when $m$ is large. Lecture 000 lists three ways to feed the data:

    | method | samples per step | steps per epoch | update |
    |---|---|---|---|
    | gradient descent (`"gd"`) | all $m$ | 1 | $\theta \leftarrow \theta - \eta\,\frac1m\sum_{k=1}^{m}\nabla C_k(\theta)$ |
    | stochastic GD (`"sgd"`) | 1 | $m$ | $\theta \leftarrow \theta - \eta\,\nabla C_k(\theta)$ |
    | mini-batch SGD (`"minibatch"`) | $B$ | $\lceil m/B \rceil$ | $\theta \leftarrow \theta - \eta\,\frac1B\sum_{k \in \mathcal B}\nabla C_k(\theta)$ |

    An **epoch** is one pass over the training data. Lecture 003 describes how to make the passes:
    work through the data set *sampling without replacement*. Shuffle the sample order once per
    epoch, then cut the shuffled order into consecutive batches, so every sample is used exactly once
    per epoch. Because a random sample's gradient equals the full gradient on average, each cheap
    step still heads the right way on average. (Lecture 003 writes the mini-batch step with a *sum*
    over the batch; we use the mean, as lecture 000 does, so that $\eta$ means the same for every $B$.)

    **Exercise 4.1.** Write `minibatches(X, Y, batch_size, rng, drop_last=False)`. `X` has shape
    `(N, m)`; `Y` has shape `(m,)` or `(k, m)` (split it along its **last** axis, like the columns of
    `X`: `Y[..., idx]` works for both). Draw **one** permutation, `rng.permutation(m)`, per call
    (one call = one epoch) and cut it into consecutive pieces of `batch_size`:
    `order[0:B]`, `order[B:2B]`, and so on. Return a list of pairs `(X_batch, Y_batch)`. The last batch
    is smaller when `batch_size` does not divide `m`; with `drop_last=True` it is left out instead
    (so, with `drop_last=True` and `m < batch_size`, the list is empty).
    """)
    nb.answer("minibatches", """
    def minibatches(X, Y, batch_size, rng, drop_last=False):
        \"\"\"One epoch of mini-batches: a single random permutation of the m samples, cut into consecutive batches.

        X: (N, m); Y: (m,) or (k, m); batch_size: int >= 1; rng: numpy Generator (exactly one rng.permutation(m) per call);
        drop_last: leave out the last batch when it has fewer than batch_size samples.
        Returns a list of (X_batch (N, B_j), Y_batch (B_j,) or (k, B_j)).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        m = X.shape[1]
        order = rng.permutation(m)
        stop = m - m % batch_size if drop_last else m
        return [(X[:, order[k:k + batch_size]], Y[..., order[k:k + batch_size]]) for k in range(0, stop, batch_size)]
        ### END SOLUTION
    """)
    nb.tests("test_minibatches", 2, """
    X_ = np.arange(14.0).reshape(2, 7)              # column j is (j, 7 + j)
    y_ = np.arange(7.0) * 10
    batches = nc.checks.call(minibatches, X_, y_, 3, np.random.default_rng(0))
    nc.checks.expect_true(isinstance(batches, list), f"minibatches must return a list, got {type(batches).__name__}")
    nc.checks.expect_equal([Xb.shape[1] for Xb, _ in batches], [3, 3, 1], "batch sizes for m = 7, batch_size = 3")
    cols = np.concatenate([Xb[0] for Xb, _ in batches])
    nc.checks.expect_equal(np.sort(cols), np.arange(7.0), "the samples of one epoch (each exactly once)")
    nc.checks.expect_equal(cols, np.random.default_rng(0).permutation(7).astype(float),
                           "the order of the samples (rng.permutation(7) for this rng)")
    nc.checks.expect_equal(np.concatenate([yb for _, yb in batches]), cols * 10, "labels travel with their samples")
    nc.checks.expect_equal([Xb.shape[1] for Xb, _ in minibatches(X_, y_, 3, np.random.default_rng(0), drop_last=True)],
                           [3, 3], "batch sizes with drop_last=True")
    nc.checks.expect_equal([Xb.shape[1] for Xb, _ in minibatches(X_[:, :6], y_[:6], 3, np.random.default_rng(0), drop_last=True)],
                           [3, 3], "batch sizes for m = 6, batch_size = 3 with drop_last=True (no short batch: nothing dropped)")
    Y2 = np.vstack([y_, -y_])
    try:
        first_Y = minibatches(X_, Y2, 4, np.random.default_rng(1))[0][1]
    except IndexError as e:
        raise nc.checks.CheckFailed(f"minibatches fails for Y of shape (2, 7) ({e}): split Y along its last axis, Y[..., idx]")
    nc.checks.expect_shape(first_Y, (2, 4), "first Y batch for Y of shape (2, 7) (split along the last axis, Y[..., idx])")
    r = np.random.default_rng(5)
    first, second = minibatches(X_, y_, 7, r)[0][0], minibatches(X_, y_, 7, r)[0][0]
    nc.checks.expect_true(not np.array_equal(first, second),
                          "two calls with the same rng (two epochs) must give two different orders: draw from rng, do not re-seed it")
    nc.checks.ok("minibatches looks right.")
    """, ["minibatches"])

    nb.md(r"""
    **Exercise 4.2.** Write `fit_neuron(X, y, method, lr, epochs, batch_size, rng)`, training the sigmoid
    neuron of Section 3 with `method` one of `"gd"`, `"sgd"`, `"minibatch"`. Exactly:

    - start from `w = np.zeros(N)` and `b = 0.0`;
    - every epoch: with `"gd"` take **one** step with the gradient of the whole data set
      (`neuron_square_loss_grad(w, b, X, y)`); with `"sgd"` get the batches of `minibatches(X, y, 1, rng)`, with
      `"minibatch"` those of `minibatches(X, y, batch_size, rng)` (call it once per epoch, with the
      default `drop_last=False`), and take one step per batch, in order, with that batch's gradient;
      a step is `w = w - lr * dw`, `b = b - lr * db`;
    - at the **end** of each epoch record the loss $C$ on the **whole** data set;
    - `batch_size` is used only by `"minibatch"`, and `"gd"` never touches `rng`; any other `method`
      raises `ValueError`.

    Return `(w, b, loss_per_epoch)`: `w` shape `(N,)`, `b` a float, `loss_per_epoch` a float array of shape `(epochs,)`.
    (The lectures start from random weights. For one neuron, zeros work just as well and make every run
    of a method repeatable. Notebook 07 shows why zeros fail for a network with a hidden layer.)
    """)
    nb.answer("fit_neuron", """
    def fit_neuron(X, y, method, lr, epochs, batch_size, rng):
        \"\"\"Train the sigmoid neuron with square loss by "gd", "sgd" or "minibatch", from w = 0, b = 0.

        X: (N, m); y: (m,); lr: learning rate; epochs: number of passes over the data;
        batch_size: used by "minibatch" only; rng: numpy Generator, handed to minibatches.
        Returns (w (N,), b float, loss_per_epoch (epochs,)): the whole-data loss after each epoch.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        if method not in ("gd", "sgd", "minibatch"):
            raise ValueError(f"method must be 'gd', 'sgd' or 'minibatch', got {method!r}")
        w, b = np.zeros(X.shape[0]), 0.0
        loss_per_epoch = []
        for _ in range(epochs):
            if method == "gd":
                batches = [(X, y)]
            else:
                batches = minibatches(X, y, 1 if method == "sgd" else batch_size, rng)
            for X_b, y_b in batches:
                _, dw, db = neuron_square_loss_grad(w, b, X_b, y_b)
                w = w - lr * dw
                b = b - lr * db
            loss_per_epoch.append(neuron_square_loss_grad(w, b, X, y)[0])
        return w, float(b), np.array(loss_per_epoch)
        ### END SOLUTION
    """)
    nb.tests("test_fit_neuron", 3, """
    X_ = np.array([[1.0, -1.0]]); y_ = np.array([1.0, 0.0])
    s_ = sigmoid(-0.25)   # after one step w = 0.25, so a = (sigma(0.25), sigma(-0.25)) and C = ((1 - a1)^2 + a2^2) / 2 = s_^2

    def check_one_step():
        w_, b_, losses_ = nc.checks.call(fit_neuron, X_, y_, "gd", 1.0, 1, 2, np.random.default_rng(0))
        # one step from w = b = 0 with dw = -0.25, db = 0 (worked by hand like the check of Exercise 3.1)
        nc.checks.expect_close(w_, [0.25], "w after one epoch of 'gd' with lr 1 on two samples")
        nc.checks.expect_close(b_, 0.0, "b after that epoch")
        nc.checks.expect_close(losses_, [s_ ** 2], "loss_per_epoch: the whole-data loss at the END of the epoch")
    # what a correct neuron_square_loss_grad returns at the two points of this example, worked by hand
    correct_grad = nc.checks.answers([((np.zeros(1), 0.0, X_, y_), (0.25, np.array([-0.25]), 0.0)),
                                      ((np.array([0.25]), 0.0, X_, y_), (s_ ** 2, np.array([-2 * s_ ** 2 * (1 - s_)]), 0.0))],
                                     "neuron_square_loss_grad", params=("w", "b", "X", "y"))
    nc.checks.isolated(check_one_step, globals(), "fit_neuron", neuron_square_loss_grad=correct_grad)
    rng_ = np.random.default_rng(1)
    Xr, yr = rng_.normal(size=(3, 10)), (rng_.uniform(size=10) < 0.5).astype(float)

    def check_methods():
        for method in ("gd", "sgd", "minibatch"):
            w_, b_, losses_ = nc.checks.call(fit_neuron, Xr, yr, method, 0.5, 4, 3, np.random.default_rng(2))
            nc.checks.expect_shape(w_, (3,), f"w from method {method!r}")
            nc.checks.expect_shape(losses_, (4,), f"loss_per_epoch from method {method!r} (4 epochs)")
            nc.checks.expect_true(losses_[-1] < neuron_square_loss_grad(np.zeros(3), 0.0, Xr, yr)[0],
                                  f"method {method!r}: the loss after 4 epochs should be below the loss at w = 0")
        _, _, l_full = fit_neuron(Xr, yr, "gd", 0.5, 2, 3, np.random.default_rng(2))
        _, _, l_mb = fit_neuron(Xr, yr, "minibatch", 0.5, 2, 3, np.random.default_rng(2))
        nc.checks.expect_true(not np.allclose(l_full, l_mb), "'minibatch' gave the same losses as 'gd': does it really use batches?")
        w_sgd3 = fit_neuron(Xr, yr, "sgd", 0.5, 2, 3, np.random.default_rng(2))[0]
        w_sgd5 = fit_neuron(Xr, yr, "sgd", 0.5, 2, 5, np.random.default_rng(2))[0]
        nc.checks.expect_close(w_sgd5, w_sgd3, "w of 'sgd' with batch_size 5 against batch_size 3: 'sgd' takes one sample "
                                               "at a time and ignores batch_size", rtol=1e-12, atol=1e-12)
        w_gd = fit_neuron(Xr, yr, "gd", 0.5, 2, 3, np.random.default_rng(2))[0]
        w_one = fit_neuron(Xr, yr, "minibatch", 0.5, 2, 15, np.random.default_rng(2))[0]
        nc.checks.expect_close(w_one, w_gd, "w of 'minibatch' with batch_size 15 > m = 10 against 'gd': each epoch is one "
                                            "(short) batch of all 10 samples, which must not be dropped", rtol=1e-9, atol=1e-12)
        for method, draws in (("gd", 0), ("sgd", 3), ("minibatch", 3)):
            used, fresh = np.random.default_rng(8), np.random.default_rng(8)
            fit_neuron(Xr, yr, method, 0.5, 3, 4, used)
            for _ in range(draws):
                fresh.permutation(10)
            nc.checks.expect_true(used.random() == fresh.random(),
                                  f"method {method!r} over 3 epochs must draw from rng exactly "
                                  + ("nothing ('gd' never touches rng)" if not draws else
                                     "3 permutations (one minibatches call per epoch, nothing else)"))
    nc.checks.isolated(check_methods, globals(), "fit_neuron", also=("neuron_square_loss_grad", "minibatches"))
    try:
        fit_neuron(Xr, yr, "adam", 0.5, 1, 3, np.random.default_rng(2))
        raise nc.checks.CheckFailed("an unknown method such as 'adam' must raise ValueError")
    except ValueError:
        pass
    nc.checks.ok("fit_neuron looks right.")
    """, ["fit_neuron"])

    nb.md(r"""
    ### Per epoch, and per second

    A bigger problem: $m$ = 10,000 samples with $N = 20$ features of different scales (in grading mode,
    2,000 samples), labels drawn from a "true" sigmoid neuron. Each method gets its own number of epochs
    and a learning rate that suits it. On the left, the loss against epochs: SGD and mini-batch make
    many steps per epoch and are far ahead of gradient descent's one step. On the right, the same runs
    against **wall-clock seconds**, measured here (we time the whole run and spread it evenly over its
    epochs, since every epoch does the same work). In both panels the horizontal axis is logarithmic and
    the loss axis is not. SGD pays for its $m$ steps:
    each one is a few small numpy calls for a single sample. Mini-batch gets the best of both, many
    steps per epoch *and* a low cost per sample, and is the first to reach a low loss. Gradient descent
    catches up in the end and goes a little lower: with a fixed learning rate, the noise of the batches
    keeps SGD and mini-batch bouncing just above the minimum.

    **Where this differs from lecture 000.** Lecture 000's figure ranks training speed as mini-batch, then
    SGD, then gradient descent. Here SGD usually comes **last** per second (compare the µs per sample that the
    cell below prints): in numpy, each of its single-sample steps costs far more in call overhead than the arithmetic
    it does, and with only 20 features and 10,000 samples a full-batch step is cheap. The lecture's order
    is what you see when a pass over the data is expensive and the per-step overhead is small next to the
    work of a step (big data sets, big models, optimised frameworks). Mini-batch is first in both.
    """)
    nb.code("""
    rng = np.random.default_rng(0)
    m_big, N_big = nc.demo_size(10000, 2000), 20
    X_big = rng.standard_normal((N_big, m_big)) * np.linspace(0.3, 2.0, N_big)[:, None]   # features of different scales
    w_true = rng.standard_normal(N_big) / np.sqrt(N_big) * 3
    y_big = (rng.uniform(size=m_big) < sigmoid(w_true @ X_big + 0.5)).astype(float)
    runs = {"gd": dict(lr=4.0, epochs=nc.demo_size(300, 60), batch_size=1),
            "sgd": dict(lr=0.05, epochs=nc.demo_size(3, 2), batch_size=1),
            "minibatch": dict(lr=1.0, epochs=nc.demo_size(20, 10), batch_size=64)}
    results = {}
    with gt.needs("fit_neuron", "minibatches", "neuron_square_loss_grad"):
        for method, kw in runs.items():
            t0 = time.perf_counter()
            w, b, losses = fit_neuron(X_big, y_big, method, kw["lr"], kw["epochs"], kw["batch_size"], np.random.default_rng(1))
            seconds = time.perf_counter() - t0
            results[method] = (losses, seconds)
            print(f"{method:>9}: {kw['epochs']:3d} epochs in {seconds:6.2f} s = {1e6 * seconds / (kw['epochs'] * m_big):6.2f} µs "
                  f"per sample, final loss {losses[-1]:.4f}")
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4.5))
        gt.xy_curves({f"{k} (η = {runs[k]['lr']})": (np.arange(1, len(l) + 1), l) for k, (l, s) in results.items()},
                     ax=axes[0], logx=True, marker=".", title="Loss against epochs", xlabel="epoch (log scale)",
                     ylabel="mean square loss C")
        gt.xy_curves({f"{k} (η = {runs[k]['lr']})": (s * np.arange(1, len(l) + 1) / len(l), l) for k, (l, s) in results.items()},
                     ax=axes[1], marker=".", logx=True, title="Loss against wall-clock time",
                     xlabel="seconds (log scale)", ylabel="mean square loss C")
    """)
    nb.md(r"""
    **Why mini-batches win per second.** Lecture 000's last point on the subject: computers multiply a
    matrix by a matrix much faster than they multiply it by $B$ vectors one at a time. The cell below
    measures it for a layer's $z = W x$ with $W$ of shape $(32, 64)$ (32 hidden units on the 64 pixels of
    a digit, as in notebook 05): the batch as one matrix product
    `W @ X_batch`, against a loop of matrix-vector products `W @ x` for the same columns. The numbers are
    measured on this machine, so they vary from run to run.
    The loop pays numpy's per-call overhead (about a microsecond) for every sample, and each `W @ x`
    reads all of $W$ from memory to do only $2 \times 32 \times 64$ operations, while the matrix
    product reuses each entry of $W$ for all $B$ columns and runs on optimised, vectorised (BLAS) code.
    Each figure is the best of five repeats, which filters out most of the noise of a busy machine.
    (The sizes are kept small on purpose. For larger products numpy's BLAS splits the work over several
    cores, and on a machine busy with other work that split can stall and make the timings erratic.)
    """)
    nb.code("""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((32, 64))
    print(f"{'B':>5} {'W @ X_batch':>16} {'B times W @ x':>18}   (microseconds per sample)")
    def best_time(fn, reps, repeats=5):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(reps):
                fn()
            times.append((time.perf_counter() - t0) / reps)
        return min(times)

    for B in (1, 8, 32, 128):
        X_b = rng.standard_normal((64, B))
        cols = [X_b[:, j].copy() for j in range(B)]
        reps = max(2, 1000 // B)
        t_mm = best_time(lambda: W @ X_b, reps) / B
        t_mv = best_time(lambda: [W @ c for c in cols], reps) / B
        print(f"{B:5d} {1e6 * t_mm:16.3f} {1e6 * t_mv:18.3f}")
    """)
    nb.md(r"""
    ### Shuffle every epoch

    `minibatches` draws a fresh order every epoch. Suppose instead the data are **sorted**, say all the
    class-0 samples first, and SGD walks through them in that fixed order. Each epoch then ends with a
    long run of class-1 samples. Each of them pulls the neuron towards answering 1, so at the end of
    the epoch the neuron answers 1 to nearly everything. Below, the whole-data loss after **every step** of
    two epochs of SGD on sorted data, once walked in order (an `rng` stand-in whose "permutation" is
    the identity) and once shuffled by `minibatches`. The unshuffled loss swings with the order of
    the data; the shuffled one goes down.
    """)
    nb.code("""
    class NoShuffle:
        \"\"\"Stands in for an rng: its 'permutation' keeps the data in order.\"\"\"
        def permutation(self, m):
            return np.arange(m)

    rng = np.random.default_rng(4)
    m_s = nc.demo_size(400, 200)
    X_s = np.vstack([rng.normal(size=m_s), np.ones(m_s)])
    y_s = (X_s[0] + 0.3 * rng.normal(size=m_s) > 0).astype(float)
    order = np.argsort(y_s, kind="stable")          # all the 0s first, then all the 1s
    X_s, y_s = X_s[:, order], y_s[order]
    with gt.needs("minibatches", "neuron_square_loss_grad"):
        curves = {}
        for name, r in (("in sorted order", NoShuffle()), ("shuffled every epoch", np.random.default_rng(0))):
            w, b, trace = np.zeros(2), 0.0, []
            for epoch in range(2):
                for X_one, y_one in minibatches(X_s, y_s, 1, r):      # one sample per step
                    _, dw, db = neuron_square_loss_grad(w, b, X_one, y_one)
                    w, b = w - 0.5 * dw, b - 0.5 * db
                    trace.append(neuron_square_loss_grad(w, b, X_s, y_s)[0])
            curves[name] = (np.arange(1, len(trace) + 1) / m_s, np.array(trace))
        ax = gt.xy_curves(curves, title="SGD on data sorted by label: whole-data loss after every step",
                          xlabel="epochs (steps / m)", ylabel="mean square loss C")
    """)
    nb.md(r"""
    ### Learning rate against batch size

    The mean gradient of a batch of $B$ samples is a noisy estimate of the full gradient; the noise shrinks
    like $1/\sqrt{B}$. A small batch therefore needs a small learning rate (or its steps mostly follow
    noise), and a large batch tolerates a large one, but takes fewer steps per epoch. The plot shows the
    final loss after 5 epochs for each pair (batch size, learning rate). The best learning rate moves
    right as the batch grows. With a small batch a large rate is ruined by noise; with a large batch a
    small rate is too slow, since there are few steps per epoch.
    """)
    nb.code("""
    rng = np.random.default_rng(5)
    m_lr = nc.demo_size(1000, 300)
    X_lr = rng.standard_normal((10, m_lr))
    y_lr = (rng.uniform(size=m_lr) < sigmoid(rng.standard_normal(10) @ X_lr)).astype(float)
    lrs = np.array([0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0])   # 5 epochs each
    with gt.needs("fit_neuron", "minibatches", "neuron_square_loss_grad"):
        series = {}
        for B in (2, 16, 256):
            finals = [fit_neuron(X_lr, y_lr, "minibatch", lr, 5, B, np.random.default_rng(0))[2][-1] for lr in lrs]
            series[f"B = {B}"] = (lrs, np.array(finals))
        gt.xy_curves(series, logx=True, marker="o", title="Loss after 5 epochs of mini-batch SGD",
                     xlabel="learning rate η (log scale)", ylabel="final mean square loss C")
    """)
    nb.md(r"""
    **Question 4.1 (written, graded by hand).** The SGD loss curve is noisy, both per step (above) and
    from one run to the next. Why is it noisy, and is that bad? And what does one epoch cost in each
    of the three methods, counted in gradient evaluations of one sample, in parameter updates, and in
    calls to numpy?
    """)
    nb.written("sgd_noise", 2, r"""
    Each SGD step uses the gradient of one sample (or a small batch), which equals the full gradient
    only on average: its direction varies from sample to sample, so some steps go uphill for the whole
    loss and the curve jitters. Not necessarily bad: the expected step is right, the noise lets SGD
    leave shallow local minima and saddle points, and it makes $m$ updates per epoch instead of one.
    Near the end it keeps the parameters bouncing around the minimum, which a decreasing learning rate
    (or a larger batch) fixes.
    Cost of one epoch: all three evaluate $m$ per-sample gradients. GD makes 1 update (a few large
    vectorised numpy calls); SGD makes $m$ updates with a handful of numpy calls each (per-call overhead
    dominates); mini-batch makes $\lceil m/B \rceil$ updates, each a matrix-matrix product over $B$ samples,
    so it gets many updates and fast arithmetic.
    """)

    # ------------------------------------------------------------------ 5. non-convex
    nb.md(r"""
    ## 5 · Non-convex losses: the Gabor model

    The line fit has a bowl-shaped loss with one minimum. Lecture 003's **Gabor model** does not:

    $$f[x, \phi] = \sin\!\big[\phi_0 + 0.06\,\phi_1 x\big]\, \exp\!\Big(-\frac{(\phi_0 + 0.06\,\phi_1 x)^2}{8.0}\Big),
      \qquad L[\phi] = \sum_{i=1}^{I} \big(f[x_i, \phi] - y_i\big)^2 .$$

    $\phi_0$ shifts the wave and $\phi_1$ squeezes it. Many pairs fit the data partly, by matching
    some wiggles and not others, and each of these partial fits is a valley of its own. Its gradient is given below (write
    $t_i = \phi_0 + 0.06\,\phi_1 x_i$; then $\partial f/\partial t = \cos t\, e^{-t^2/8} - \tfrac{t}{4} \sin t\, e^{-t^2/8}$,
    and $\partial t/\partial\phi = (1, 0.06\,x_i)$). The data: 40 points from $\phi = (0, 16.6)$ plus noise.
    """)
    nb.code("""
    def gabor(phi, x):
        t = phi[0] + 0.06 * phi[1] * x
        return np.sin(t) * np.exp(-t ** 2 / 8.0)

    def gabor_loss_and_grad(phi, x, y):
        t = phi[0] + 0.06 * phi[1] * x
        e = np.exp(-t ** 2 / 8.0)
        r = np.sin(t) * e - y
        df_dt = np.cos(t) * e - t / 4.0 * np.sin(t) * e
        return float(np.sum(r ** 2)), np.array([np.sum(2 * r * df_dt), np.sum(2 * r * df_dt * 0.06 * x)])

    rng = np.random.default_rng(0)
    x_gab = rng.uniform(-15, 15, 40)
    y_gab = gabor(np.array([0.0, 16.6]), x_gab) + 0.1 * rng.standard_normal(40)
    L_gab = lambda p: gabor_loss_and_grad(p, x_gab, y_gab)[0]
    dL_gab = lambda p: gabor_loss_and_grad(p, x_gab, y_gab)[1]
    """)
    for key, pattern in (("gabor_800", r"start \(2.0, 12.0\): ends at phi = \("), ("gabor_min", r"after 20000 steps: phi = \(")):
        for k, text in enumerate({"gabor_800": ("−0.01", "15.12"), "gabor_min": ("0.00", "16.22")}[key]):
            nb.claim(f"{key}_{k}", text, cell="starts = [(-2.0, 4.0)",
                     pattern=pattern + (r"(-?[\d.]+)," if k == 0 else r"-?[\d.]+, (-?[\d.]+)\)"))
    nb.claim("gabor_min_loss", "0.50", cell="starts = [(-2.0, 4.0)", pattern=r"after 20000 steps: .*?L = ([\d.]+)")
    nb.md(r"""
    Gradient descent from four starts ($\eta = 0.02$, 800 steps), drawn over the loss surface (dark is low,
    on a log scale). Each start rolls into the valley below it. Only one, the start $(2, 12)$, heads for the
    global minimum; the others end in or near local minima, where the gradient is (nearly) zero but the
    loss is several times higher (printed below the plot). The global minimum's valley has a nearly flat floor: after
    800 steps that run is at φ = ({{gabor_800_0}}, {{gabor_800_1}}) and still creeping (its gradient is not yet zero), while
    20,000 steps end at the minimum itself, φ = ({{gabor_min_0}}, {{gabor_min_1}}) with $L =$ {{gabor_min_loss}}. It is not
    the $(0, 16.6)$ that made the data: with noise in the 40 targets, another $\phi$ fits them slightly better.
    On the right, the model each run ends with: only the global minimum matches every wiggle of the data.
    """)
    nb.code("""
    starts = [(-2.0, 4.0), (2.0, 12.0), (8.0, 7.0), (-6.0, 19.0)]
    with gt.needs("gradient_descent"):
        paths = {f"start {s}": gradient_descent(dL_gab, np.array(s), 0.02, nc.demo_size(800, 300)) for s in starts}
        fig, axes = nc.plot.subplots(1, 2, figsize=(13, 4.8))
        nc.plot.loss_surface(L_gab, (-10, 10), (2.5, 22.5), paths=paths, ax=axes[0], resolution=70, logscale=True,
                             title="Gabor model: gradient descent from four starts", xlabel=r"$\\phi_0$", ylabel=r"$\\phi_1$")
        nc.plot.fit_1d(x_gab, y_gab, ax=axes[1], title="Data and the four fitted models", xlabel="$x$", ylabel="$y$")
        grid = np.linspace(-15, 15, 400)
        for name, p in paths.items():
            axes[1].plot(grid, gabor(p[-1], grid), label=f"{name}: L = {L_gab(p[-1]):.2f}")
            print(f"{name}: ends at phi = ({p[-1][0]:.2f}, {p[-1][1]:.2f}), L = {L_gab(p[-1]):.2f}, "
                  f"|gradient| = {np.linalg.norm(dL_gab(p[-1])):.3f}")
        axes[1].legend(fontsize="small")
        long = gradient_descent(dL_gab, np.array([2.0, 12.0]), 0.02, nc.demo_size(20000, 2000))[-1]
        print(f"the same start after {nc.demo_size(20000, 2000)} steps: phi = ({long[0]:.2f}, {long[1]:.2f}), "
              f"L = {L_gab(long):.2f}, |gradient| = {np.linalg.norm(dL_gab(long)):.1e}")
    """)
    nb.claim("sgd_seed0", "0.56", cell="def sgd_path(", pattern=r"SGD seed 0: .*?L = ([\d.]+)")
    nb.claim("sgd_seed1", "6.37", cell="def sgd_path(", pattern=r"SGD seed 1: .*?L = ([\d.]+)")
    nb.claim("sgd_escaped", "4", cell="def sgd_path(", pattern=r"(\d+) of \d+ seeds end in the deep valley")
    nb.md(r"""
    **Noise can help.** From the start $(-2, 4)$ gradient descent settles in a local minimum. Now run
    SGD from the same start, with batches of 4 from your `minibatches` and each step along the batch's
    *summed* gradient with $\eta = 0.2$. A batch holds a tenth of the 40 points, so on average a step
    is exactly gradient descent's step with $\eta = 0.02$: only the noise differs. The noise kicks
    the parameters around. With some seeds, it kicks them over the ridge into the deep
    valley; with others it does not. Below are ten seeds, each run reproducible, and two of them
    drawn: seed 0 reaches the deep valley ($L =$ {{sgd_seed0}}) and seed 1 stays where gradient descent
    stays ($L =$ {{sgd_seed1}}); {{sgd_escaped}} of the ten seeds escape (the cell counts them). SGD makes escape
    possible, but it guarantees nothing.
    """)
    nb.code("""
    def sgd_path(phi0, lr, epochs, batch_size, seed):
        r, phi, path = np.random.default_rng(seed), np.array(phi0, dtype=float), [np.array(phi0, dtype=float)]
        for _ in range(epochs):
            for xb, yb in minibatches(x_gab[None, :], y_gab, batch_size, r):
                phi = phi - lr * gabor_loss_and_grad(phi, xb[0], yb)[1]
                path.append(phi)
        return np.array(path)

    with gt.needs("minibatches", "gradient_descent"):
        start = (-2.0, 4.0)
        gd_path = gradient_descent(dL_gab, np.array(start), 0.02, 1500)
        sgd_runs = {seed: sgd_path(start, 0.2, 150, 4, seed) for seed in range(nc.demo_size(10, 3))}
        for seed, p in sgd_runs.items():
            print(f"SGD seed {seed}: ends at phi = ({p[-1][0]:.2f}, {p[-1][1]:.2f}), L = {L_gab(p[-1]):.2f}")
        escaped = sum(L_gab(p[-1]) < 1.0 for p in sgd_runs.values())
        print(f"{escaped} of {len(sgd_runs)} seeds end in the deep valley (L < 1)")
        print(f"gradient descent: ends at phi = ({gd_path[-1][0]:.2f}, {gd_path[-1][1]:.2f}), L = {L_gab(gd_path[-1]):.2f}")
        nc.plot.loss_surface(L_gab, (-10, 10), (2.5, 22.5), resolution=70, logscale=True,
                             paths={"gradient descent": gd_path, "SGD, seed 0": sgd_runs[0], "SGD, seed 1": sgd_runs[1]},
                             title="Gradient descent stays in a local minimum; SGD's noise may escape",
                             xlabel=r"$\\phi_0$", ylabel=r"$\\phi_1$");
    """)
    nb.claim("saddle_steps", "47", cell="def L_saddle(t)", pattern=r"(\d+) steps with the loss within")
    nb.md(r"""
    ### Saddle points

    Lecture 003 warns that gradient descent can also "get stuck near a saddle point": a point where the
    gradient is zero but which is a minimum along one direction and a maximum along another. Take
    $L(\theta) = \theta_1^2 + \tfrac14\theta_2^4 - \tfrac12\theta_2^2$: the origin is a saddle (a minimum in
    $\theta_1$, a maximum in $\theta_2$), and the true minima are at $(0, \pm 1)$. Start almost exactly on
    the ridge, $\theta_2 = 10^{-4}$: gradient descent rushes to the saddle, then spends {{saddle_steps}} steps
    there (the loss within $10^{-3}$ of the saddle's $0$) while the tiny $\theta_2$ grows, and only then falls
    off to a minimum. On the loss curve the
    stall is a long plateau that looks like convergence, but it is not. (On the left, the red cross marks the
    saddle.)
    """)
    nb.code("""
    def L_saddle(t):
        return t[0] ** 2 + t[1] ** 4 / 4 - t[1] ** 2 / 2

    def dL_saddle(t):
        return np.array([2 * t[0], t[1] ** 3 - t[1]])

    with gt.needs("gradient_descent"):
        path = gradient_descent(dL_saddle, np.array([1.5, 1e-4]), 0.1, 150)
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4.5))
        nc.plot.loss_surface(L_saddle, (-1.7, 1.7), (-1.5, 1.5), paths={"gradient descent": path}, ax=axes[0],
                             resolution=60, title="A saddle point at the origin",
                             xlabel=r"$\\theta_1$", ylabel=r"$\\theta_2$")
        axes[0].plot([0], [0], marker="x", color="red", markersize=10)
        losses = np.array([L_saddle(p) for p in path])
        gt.xy_curves({"gradient descent": (np.arange(losses.size), losses)}, ax=axes[1],    # row t: after t steps
                     xlabel="step $t$ (0 = the start)", ylabel=r"$L(\\theta^t)$",
                     title="The plateau at the saddle (L = 0) before the fall to L = -1/4")
        print(f"{int(np.sum(np.abs(losses) < 1e-3))} steps with the loss within 1e-3 of the saddle's 0")
    """)
    nb.md(r"""
    **Question 5.1 (written, graded by hand).** In the Gabor experiment, would a *smaller* learning rate
    for gradient descent help it find the global minimum from $(-2, 4)$? And why is a saddle point a
    bigger problem for gradient descent with a small learning rate than for SGD?
    """)
    nb.written("nonconvex", 2, r"""
    No: a smaller learning rate follows the same downhill flow more faithfully, so it ends in the same
    local minimum (the one whose basin contains the start), only later. Gradient descent cannot climb out
    of a valley; only a different start, a larger step that jumps over the ridge, or noise can.
    At a saddle the gradient is nearly zero, so gradient descent's steps shrink and it leaves only as fast
    as the tiny component along the escaping direction grows (a long plateau, longer with a smaller
    rate). SGD's steps are not zero there: the noise of each batch pushes the parameters off the ridge
    in some direction at once, and the loss then falls away.
    """)
    nb.md(r"""
    ## Summary

    - Gradient descent repeats $\theta \leftarrow \theta - \eta \nabla L(\theta)$. The learning rate decides
      between crawling, converging, oscillating and diverging; on $L = \theta^2$ the factor $1 - 2\eta$ tells which.
    - A summed loss (lecture 003) and a mean loss (lecture 000) differ by $1/m$ in the gradient: the
      learning rate has to follow.
    - SGD and mini-batch SGD use a shuffled pass over the data per epoch and take many cheap, noisy steps.
      Mini-batches win per second, because one matrix-matrix product is much faster than many
      matrix-vector products.
    - On non-convex losses, where gradient descent ends depends on where it starts; noise can help it leave
      poor minima and saddle points.
    - Next, *05 · backpropagation*: the gradient of a whole network, computed layer by layer.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
