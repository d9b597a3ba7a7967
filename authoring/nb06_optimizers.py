"""Source of solutions/06_optimizers/optimizers.ipynb (write it with `make sources`, then release it)."""
from __future__ import annotations

from pathlib import Path

from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "06_optimizers"
FILENAME = "optimizers.ipynb"

# What this notebook takes from earlier ones (02 forward pass, 03 softmax / cross-entropy, 05 backprop),
# written from their references to the contract of DESIGN.md. numpy only: the reference loader runs it too.
GIVEN_MLP = '''
# ---- given: from notebook 02 (the forward pass) -------------------------------------------------
def init_params(layer_sizes, rng):
    """He initialization: W[l] = N(0, 1) * sqrt(2 / n_prev), shape (n_l, n_prev); b[l] = zeros (n_l, 1)."""
    return [(rng.standard_normal((n, n_prev)) * np.sqrt(2.0 / n_prev), np.zeros((n, 1)))
            for n_prev, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


_ACTIVATIONS = {"identity": lambda z: z, "relu": lambda z: np.maximum(z, 0.0), "sigmoid": _sigmoid, "tanh": np.tanh}
_DERIVATIVES = {"identity": lambda z: np.ones_like(z), "relu": lambda z: (z > 0).astype(float),
                "sigmoid": lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), "tanh": lambda z: 1.0 - np.tanh(z) ** 2}


def layer_forward(A_prev, W, b, activation):
    """Z = W A_prev + b, A = g(Z). A_prev (n_prev, m), W (n, n_prev), b (n, 1) -> (A (n, m), cache)."""
    Z = W @ A_prev + b
    return _ACTIVATIONS[activation](Z), (A_prev, W, b, Z, activation)


def mlp_forward(X, params, hidden_activation, output_activation):
    """All layers in turn: X (n_0, m) -> (Y_hat (n_L, m), caches), one cache per layer."""
    A, caches = X, []
    for l, (W, b) in enumerate(params):
        activation = output_activation if l == len(params) - 1 else hidden_activation
        A, cache = layer_forward(A, W, b, activation)
        caches.append(cache)
    return A, caches


# ---- given: from notebook 03 (losses) -----------------------------------------------------------
def softmax(Z):
    """Column-wise softmax of logits Z (C, m), stable for large logits."""
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def cross_entropy(Z, Y):
    """Mean cross-entropy of logits Z (C, m) against one-hot Y (C, m) -> (loss, dZ = (softmax(Z) - Y) / m)."""
    m = Z.shape[1]
    shifted = Z - Z.max(axis=0, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return float(-np.sum(Y * log_p) / m), (softmax(Z) - Y) / m


def one_hot(labels, n_classes):
    """Integer labels (m,) -> one-hot columns (n_classes, m)."""
    labels = np.asarray(labels).astype(int)
    Y = np.zeros((n_classes, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


# ---- given: from notebook 05 (backpropagation) --------------------------------------------------
def layer_backward(dA, cache):
    """Back through one layer: dA (n, m) and its cache -> (dA_prev (n_prev, m), dW (n, n_prev), db (n, 1))."""
    A_prev, W, b, Z, activation = cache
    dZ = dA * _DERIVATIVES[activation](Z)
    return W.T @ dZ, dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)


def mlp_backward(dY_hat, caches):
    """Back through every layer, last first -> grads, a list of (dW, db) like params."""
    grads, dA = [], dY_hat
    for cache in reversed(caches):
        dA, dW, db = layer_backward(dA, cache)
        grads.append((dW, db))
    return grads[::-1]


def mlp_loss_and_grads(params, X, Y):
    """ReLU hidden layers, softmax cross-entropy output: X (n_0, m), one-hot Y (C, m) -> (loss, grads)."""
    Z, caches = mlp_forward(X, params, "relu", "identity")
    loss, dZ = cross_entropy(Z, Y)
    return loss, mlp_backward(dZ, caches)
'''


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p06")

    nb.md(r"""
    # 06 · Optimizers: momentum, normalized gradients and Adam

    Gradient descent (notebook 04) takes a step $-\alpha\,g$ against the gradient $g$, the same rule
    for every parameter and every step. On a loss surface that is steep in one direction and flat in
    another it crawls along the flat direction and zig-zags across the steep one. This notebook
    writes the three repairs that lecture 003 presents, in its order: **momentum** (remember the past
    steps), **normalized gradients** (the same step size for every parameter) and **Adam** (both,
    with a correction for the first steps), and then a **learning-rate schedule**. You will race them
    against each other on a bad surface and on the digits network of notebook 05.

    **How to work.** As before: replace `raise NotImplementedError()` in the cells marked
    `# YOUR CODE HERE`, then run the check cell below each exercise. Hidden tests call your functions
    on random inputs of random shapes, so make them work for any shape.

    **Notation.** One set of letters, the same in the math and the code:

    | math | code | meaning |
    |---|---|---|
    | $\theta$ | `theta` | the parameters: any numpy array (a vector, a weight matrix, ...) |
    | $g$ | `grad` | the gradient $\partial L / \partial \theta$ at the current $\theta$, the same shape as $\theta$ |
    | $\alpha$ | `lr` | the learning rate (step size) |
    | $\beta$ | `beta` | momentum's decay rate, in $[0, 1)$ |
    | $m,\ v$ | `m`, `v` | the running averages of $g$ and of $g^2$ (the optimizer's *state*), the shape of $\theta$ |
    | $\beta_1,\ \beta_2$ | `beta1`, `beta2` | Adam's two decay rates |
    | $\varepsilon$ | `eps` | a small number that keeps a division away from $0$ |
    | $t$ | `t` | the number of the current step: $1$ for the first step |

    *Two letters change meaning here.* Everywhere else in the course (and in lectures 000 and 004), $m$
    is the number of samples in a batch; in this notebook, following lecture 003's Adam, $m$ is the running
    average of the gradients (the number of training samples is `m_train` in the code). And in notebook
    05 (lecture 003's toy), $\beta_0, \dots, \beta_3$ were **biases**; here $\beta$, $\beta_1$ and $\beta_2$ are
    **decay rates** of running averages, numbers in $[0, 1)$.

    *Where the lectures differ.* Lecture 003 names the parameters $\phi$ and writes Adam's two decay
    rates as $\beta$ and $\gamma$; lectures 000 and 004 write $\theta$ and a learning rate $\eta$;
    lecture 001 writes the weights $w$, the learning rate $\eta$, momentum's decay $\gamma$ and its
    running sum $v$ (a *velocity*). We use $\theta$ and $\alpha$, and Adam's $\beta_1, \beta_2$ as in
    the paper that introduced it (Kingma and Ba, 2015); lecture 003 writes Adam's bias-corrected
    averages with a tilde, $\tilde m, \tilde v$, where we (and the paper) write a hat, $\hat m, \hat v$.
    Lectures 000 and 004 also quote a textbook's SGD algorithm in which $\epsilon_k$ is the
    *learning rate* of iteration $k$; here $\varepsilon$ is only ever the small constant of the table
    (and a learning rate that changes with the iteration is the schedule of Section 6). Lecture 003
    numbers steps from $0$: its step from $\phi_t$ to $\phi_{t+1}$ uses $\beta^{t+1}$. We number them
    from $1$: step $t$ uses $\beta^{t}$.
    Two real differences between the lectures, momentum's $1 - \beta$ factor and where $\varepsilon$
    goes in Adam, get a section each below.
    """)
    nb.setup("""
    import inspect
    import numpy as np
    import nbcourse as nc
    from nbcourse.optim_tools import needs, slider_widget
    """)

    # ------------------------------------------------------------------ 1. one interface
    nb.md(r"""
    ## 1 · One interface for every optimizer

    Every optimizer in this notebook is a **step function**: it gets the parameters, the gradient at
    them, the optimizer's state and its settings, and returns the new parameters followed by the new
    state. Exactly:

    | step function | returns |
    |---|---|
    | `sgd_step(theta, grad, lr)` | `theta_new` (an array; plain descent has no state) |
    | `momentum_step(theta, grad, m, lr, beta)` | the tuple `(theta_new, m_new)` |
    | `normalized_step(theta, grad, lr, eps)` | `theta_new` (no state either) |
    | `adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)` | the tuple `(theta_new, m_new, v_new)` |

    Every array returned has the shape of `theta`. Two rules for all four:

    - **Build new arrays; never change the ones you are given.** Write `theta - lr * grad`, not
      `theta -= lr * grad`: the second form overwrites the caller's array. The code that drives the
      optimizer below keeps every iterate to draw the path, and an overwritten `theta` would
      silently change the stored path too. The hidden tests check that your inputs come back unchanged.
    - The state starts at zero (`m = 0`, `v = 0`) and the caller keeps it between steps.

    **Exercise 1.1.** Write `sgd_step(theta, grad, lr)`: one step of gradient descent,
    $\theta \leftarrow \theta - \alpha\,g$. `theta` and `grad` are arrays of the same (any) shape,
    `lr` a number; return the new parameters, an array of that shape.
    """)
    nb.answer("sgd_step", """
    def sgd_step(theta, grad, lr):
        \"\"\"One gradient-descent step: theta - lr * grad (a new array, the shape of theta). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return theta - lr * grad
        ### END SOLUTION
    """)
    nb.tests("test_sgd_step", 1, """
    theta, grad = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    new = sgd_step(theta, grad, 0.1)
    nc.checks.expect_close(new, [0.95, 2.1], "sgd_step([1, 2], grad=[0.5, -1], lr=0.1)")
    nc.checks.expect_equal(theta, [1.0, 2.0], "theta after calling sgd_step (it must not change: return a new array)")
    nc.checks.expect_shape(sgd_step(np.zeros((3, 2)), np.ones((3, 2)), 0.5), (3, 2), "sgd_step on a (3, 2) weight matrix")
    nc.checks.ok("sgd_step looks right.")
    """, ["sgd_step"])
    nb.md(r"""
    **A driver for any step function.** The cell below is given (read it, do not change it). It runs
    `n_steps` steps of any of the four step functions from `theta0` on any loss whose gradient
    `grad_fn(theta)` you supply: it starts the state at zero, counts $t$ from $1$, hands the state
    back in at each step, and returns the whole path, an array of shape `(n_steps + 1, *theta0.shape)`
    whose row $k$ is $\theta$ after $k$ steps. Settings go by name:
    `run_optimizer(momentum_step, grad_fn, theta0, 50, lr=0.1, beta=0.9)`.
    (It finds out which state a step needs from the names of its arguments, `m`, `v` and `t`, so keep
    the signatures as given.)
    """)
    nb.code("""
    def run_optimizer(step, grad_fn, theta0, n_steps, **settings):
        \"\"\"Path of n_steps steps of `step` from theta0: array (n_steps + 1, *theta0.shape).\"\"\"
        names = inspect.signature(step).parameters
        theta = np.array(theta0, dtype=float)
        state = {s: np.zeros_like(theta) for s in ("m", "v") if s in names}   # the state starts at 0
        path = [theta]
        for t in range(1, n_steps + 1):                                    # t counts steps from 1
            count = {"t": t} if "t" in names else {}
            out = step(theta, grad_fn(theta), **state, **count, **settings)
            theta, *new_state = out if isinstance(out, tuple) else (out,)
            state = dict(zip(state, new_state))                            # m then v, as returned
            path.append(theta)
        return np.array(path)
    """)
    nb.md(r"""
    ### An ill-conditioned bowl

    Our test surface is the quadratic
    $$L(\theta) = \tfrac12\left(\theta_0^2 + 20\,\theta_1^2\right), \qquad g = \nabla L(\theta) = (\theta_0,\ 20\,\theta_1),$$
    a bowl twenty times steeper along $\theta_1$ than along $\theta_0$, with its minimum at $(0, 0)$.
    (The ratio of the largest to the smallest curvature, here 20, is the *condition number*; a
    surface is *ill-conditioned* when it is large.) Gradient descent multiplies $\theta_0$ by
    $1 - \alpha$ and $\theta_1$ by $1 - 20\alpha$ at every step. For $\alpha > 2/20 = 0.1$ the second
    factor is below $-1$ and $\theta_1$ blows up; just under that limit, $\theta_1$ changes sign
    at every step (the zig-zag) while $\theta_0$ shrinks by less than 10 % per step.
    A small $\alpha$ avoids the zig-zag but then $\theta_0$ hardly moves. Plain gradient descent has
    no good learning rate here: that is what the rest of the notebook repairs.
    """)
    nb.code("""
    CURVATURE = np.array([1.0, 20.0])

    def bowl_loss(theta):
        \"\"\"L(theta) = (theta_0^2 + 20 theta_1^2) / 2 for theta of shape (2,).\"\"\"
        return 0.5 * np.sum(CURVATURE * theta ** 2)

    def bowl_grad(theta):
        return CURVATURE * theta

    THETA0 = np.array([-4.0, 1.5])
    BOWL = dict(xlim=(-4.5, 1.0), ylim=(-1.8, 1.8), resolution=nc.demo_size(80, 30), levels=25, xlabel=r"$\\theta_0$", ylabel=r"$\\theta_1$")

    with needs("sgd_step"):
        paths = {f"GD, lr = {lr}": run_optimizer(sgd_step, bowl_grad, THETA0, 30, lr=lr) for lr in (0.02, 0.09)}
        nc.plot.loss_surface(bowl_loss, paths=paths, title="Gradient descent on the bowl: 30 steps", **BOWL);
    """)

    # ------------------------------------------------------------------ 2. momentum
    nb.md(r"""
    ## 2 · Momentum: the heavy ball

    Picture a heavy ball rolling down the surface: it does not turn at once when the slope changes,
    because it carries its speed. Momentum gives the optimizer that inertia. It keeps $m$, a running
    (exponentially weighted) average of the gradients, and steps along $m$ instead of along $g$
    (lecture 003):

    $$m \leftarrow \beta\, m + (1 - \beta)\, g, \qquad \theta \leftarrow \theta - \alpha\, m .$$

    Across the steep direction the gradients alternate in sign, so they cancel in the average and the
    zig-zag is damped. Along the flat direction they agree, so they add up. With $\beta = 0.9$, the
    average remembers roughly the last $1/(1 - \beta) = 10$ gradients.

    **Exercise 2.1.** Write `momentum_step(theta, grad, m, lr, beta)`. `theta`, `grad` and `m` are
    arrays of the same shape (`m` is the average from the previous step, zeros before the first);
    `lr` is $\alpha$ and `beta` is $\beta \in [0, 1)$. Update $m$ first, then step along the **new**
    $m$. Return the tuple `(theta_new, m_new)`, both of the shape of `theta`, without changing the
    arrays you were given.
    """)
    nb.answer("momentum_step", """
    def momentum_step(theta, grad, m, lr, beta):
        \"\"\"Momentum (lecture 003): m <- beta m + (1 - beta) grad; theta <- theta - lr m.

        theta, grad, m: arrays of one shape. Returns (theta_new, m_new), new arrays of that shape.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        m_new = beta * m + (1.0 - beta) * grad
        return theta - lr * m_new, m_new
        ### END SOLUTION
    """)
    nb.tests("test_momentum_step", 2, """
    theta, grad, m = np.array([1.0]), np.array([2.0]), np.array([0.0])
    out = momentum_step(theta, grad, m, 0.5, 0.9)
    nc.checks.expect_true(isinstance(out, tuple) and len(out) == 2,
                          f"momentum_step must return the tuple (theta_new, m_new); got {type(out).__name__}")
    theta1, m1 = out
    nc.checks.expect_close(m1, [0.2], "m after one step from m = 0 (0.9 * 0 + 0.1 * 2)")
    nc.checks.expect_close(theta1, [0.9], "theta after one step (1 - 0.5 * 0.2): it steps along the NEW m")
    theta2, m2 = momentum_step(theta1, grad, m1, 0.5, 0.9)
    nc.checks.expect_close(m2, [0.38], "m after a second step (0.9 * 0.2 + 0.1 * 2)")
    nc.checks.expect_close(theta2, [0.71], "theta after a second step (0.9 - 0.5 * 0.38)")
    nc.checks.expect_equal(m, [0.0], "the m you were given, after the call (it must not change)")
    g = np.array([[1.0, -2.0], [0.5, 3.0]])
    nc.checks.expect_close(momentum_step(np.ones((2, 2)), g, np.ones((2, 2)), 0.1, 0.0)[0], np.ones((2, 2)) - 0.1 * g,
                           "with beta = 0 momentum is plain gradient descent")
    nc.checks.ok("momentum_step looks right.")
    """, ["momentum_step"])
    nb.md(r"""
    Gradient descent near its best learning rate ($\alpha = 0.09$; the best for this bowl is
    $2/21 \approx 0.095$, where $|1 - \alpha| = |1 - 20\alpha|$) against momentum on the bowl, 30 steps each. Gradient
    descent flips the sign of $\theta_1$ at every step. Momentum, at $\alpha = 0.1$ (where plain
    descent no longer converges: its factor $1 - 20\alpha$ is $-1$) and $\beta = 0.7$, swings across the
    valley slowly, in a smooth curve instead of a zig-zag, and reaches the minimum much sooner:
    the alternating gradients across the valley cancel in $m$, the steady ones along it add up.
    """)
    nb.code("""
    with needs("sgd_step", "momentum_step"):
        paths = {"GD, lr = 0.09": run_optimizer(sgd_step, bowl_grad, THETA0, 30, lr=0.09),
                 "momentum, lr = 0.1, beta = 0.7": run_optimizer(momentum_step, bowl_grad, THETA0, 30, lr=0.1, beta=0.7)}
        ax = nc.plot.loss_surface(bowl_loss, paths=paths, title="Heavy ball: momentum damps the zig-zag", **BOWL)
        final = {name: bowl_loss(p[-1]) for name, p in paths.items()}
        print("loss after 30 steps:", {name: f"{value:.1e}" for name, value in final.items()})
    """)
    nb.md(r"""
    ### Two ways to write momentum (the lectures differ)

    Lecture 001 writes momentum without the factor $1 - \beta$ and with the learning rate inside the
    running sum, which it calls the velocity $v$ (its decay rate is $\gamma$, its learning rate $\eta$):

    $$v \leftarrow \gamma\, v + \eta\, g, \qquad \theta \leftarrow \theta - v .$$

    (The slide lists the two lines the other way round, $w \leftarrow w - v$ first. Read them as
    above, velocity first: otherwise the first step, with $v = 0$, would not move at all, and every
    step would use the previous step's velocity.)

    This notebook grades lecture 003's form (the one in Exercise 2.1). The two are the same algorithm
    with a rescaled learning rate: multiply lecture 003's average by $\alpha$ and call it $v = \alpha m$.
    Then $v \leftarrow \beta v + \alpha (1 - \beta) g$ and $\theta \leftarrow \theta - v$, which is
    lecture 001's rule with $\gamma = \beta$ and $\eta = \alpha\,(1 - \beta)$. Both start from zero, so
    the paths agree exactly. The cell below checks it on the bowl with your `momentum_step`.

    So in lecture 003's form, once the gradients have agreed for a while ($m$ then equals $g$) the
    step is $\alpha g$, as in plain descent; in lecture 001's form that step is $\eta g / (1 - \gamma)$,
    ten times $\eta g$ for $\gamma = 0.9$. When you copy a learning rate from a paper or a library, check
    which form it uses. (PyTorch's `torch.optim.SGD(momentum=...)` uses lecture 001's.)
    """)
    nb.code("""
    def momentum_step_001(theta, grad, v, eta, gamma):
        \"\"\"Lecture 001's form: v <- gamma v + eta grad; theta <- theta - v (v = the velocity).\"\"\"
        v_new = gamma * v + eta * grad
        return theta - v_new, v_new

    with needs("momentum_step"):
        alpha, beta = 0.1, 0.7
        path_003 = run_optimizer(momentum_step, bowl_grad, THETA0, 30, lr=alpha, beta=beta)
        theta, v, path_001 = THETA0.copy(), np.zeros(2), [THETA0.copy()]
        for _ in range(30):
            theta, v = momentum_step_001(theta, bowl_grad(theta), v, eta=alpha * (1 - beta), gamma=beta)
            path_001.append(theta)
        gap = np.abs(path_003 - np.array(path_001)).max()
        print(f"lecture 003 form (alpha = {alpha}, beta = {beta}) against lecture 001 form "
              f"(eta = alpha (1 - beta) = {alpha * (1 - beta):.3g}, gamma = {beta}): largest difference {gap:.1e}")
    """)
    nb.md(r"""
    ### Aside: Nesterov momentum

    The ball could look ahead. The next move is $-\alpha\,(\beta m + (1 - \beta) g)$, and its first part,
    $-\alpha\beta m$, is known before the new gradient arrives. Nesterov's variant takes the gradient
    at that look-ahead point, $g = \nabla L(\theta - \alpha \beta m)$, and then makes the usual momentum
    step with it. Near a valley floor the look-ahead gradient already points back, so the ball brakes
    earlier and overshoots less. It is a one-line change around your `momentum_step`, drawn below
    with a large $\beta$ where plain momentum overshoots.
    """)
    nb.code("""
    with needs("momentum_step"):
        alpha, beta, n = 0.3, 0.9, 40
        theta, m, nesterov = THETA0.copy(), np.zeros(2), [THETA0.copy()]
        for _ in range(n):
            theta, m = momentum_step(theta, bowl_grad(theta - alpha * beta * m), m, alpha, beta)  # look-ahead gradient
            nesterov.append(theta)
        paths = {"momentum": run_optimizer(momentum_step, bowl_grad, THETA0, n, lr=alpha, beta=beta),
                 "Nesterov": np.array(nesterov)}
        nc.plot.loss_surface(bowl_loss, paths=paths, title=f"Momentum vs Nesterov, lr = {alpha}, beta = {beta}", **BOWL);
    """)

    # ------------------------------------------------------------------ 3. normalized gradients
    nb.md(r"""
    ## 3 · Normalized gradients: the same step for every parameter

    Lecture 003's next idea: divide each entry of the gradient by its own size, so that every
    parameter moves by about $\alpha$, whether its gradient is huge or tiny. Only the *sign* of each
    entry survives. With $m = g$ and $v = g^2$ (squared entry by entry):

    $$\theta \leftarrow \theta - \alpha\, \frac{m}{\sqrt{v} + \varepsilon} = \theta - \alpha\,\frac{g}{\sqrt{g^2} + \varepsilon}.$$

    The lecture's example: $g = (3, -2, 5)$ gives $v = (9, 4, 25)$ and $m / \sqrt{v} = (1, -1, 1)$.
    The small $\varepsilon$ (say $10^{-8}$) keeps an entry with $g = 0$ from becoming $0/0$: it
    simply does not move.

    *Where the lectures differ.* Lecture 003 puts $\varepsilon$ **inside** the square root,
    $\sqrt{v + \varepsilon}$; the Adam paper, PyTorch and this notebook put it **outside**,
    $\sqrt{v} + \varepsilon$, for this step and for Adam alike. While $|g| \gg \sqrt{\varepsilon}$ the
    two agree to about $\varepsilon / (2 g^2)$, relatively; they part only where $|g|$ is near
    $\sqrt{\varepsilon} = 10^{-4}$ or below, where the inside form takes much smaller steps (Adam's
    section measures it). The hidden tests include such tiny gradients, so put $\varepsilon$ outside.

    **Exercise 3.1.** Write `normalized_step(theta, grad, lr, eps)`. `theta` and `grad` are arrays
    of one shape; `lr` is $\alpha$, `eps` is $\varepsilon > 0$. Normalize each entry on its own (not
    by the length of the whole gradient vector). Return `theta_new`, a new array of the shape of `theta`.
    """)
    nb.answer("normalized_step", """
    def normalized_step(theta, grad, lr, eps):
        \"\"\"theta - lr * grad / (sqrt(grad ** 2) + eps), entry by entry (a new array, the shape of theta). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return theta - lr * grad / (np.sqrt(grad ** 2) + eps)
        ### END SOLUTION
    """)
    nb.tests("test_normalized_step", 1, """
    new = nc.checks.call(normalized_step, np.zeros(3), np.array([3.0, -2.0, 5.0]), 1.0, 1e-8)
    nc.checks.expect_close(new, [-1.0, 1.0, -1.0], "normalized_step from 0 with the lecture's g = (3, -2, 5), lr = 1", rtol=1e-7)
    still = normalized_step(np.array([0.5, 0.5]), np.array([0.0, 4.0]), 0.1, 1e-8)
    nc.checks.expect_close(still, [0.5, 0.4], "an entry with gradient 0 must not move (and must not be NaN)")
    tiny = normalized_step(np.array([0.0]), np.array([1e-4]), 1.0, 1e-8)
    nc.checks.expect_close(tiny, [-1e-4 / (1e-4 + 1e-8)], "gradient 1e-4, eps 1e-8: expected -1e-4 / (sqrt(1e-8) + 1e-8) = -0.9999, eps outside the square root "
                           "(eps inside gives -0.707; np.sign(grad) gives -1, ignoring eps)",
                           rtol=1e-9)
    nc.checks.ok("normalized_step looks right.")
    """, ["normalized_step"])

    # ------------------------------------------------------------------ 4. Adam
    nb.md(r"""
    ## 4 · Adam: momentum and normalization together

    Normalizing by the *current* $|g|$ is jumpy: a single large gradient and a single tiny one give the
    same step. **Adam** (adaptive moment estimation) normalizes by a running average of $g^2$ instead,
    and steps along a running average of $g$ (momentum). At step $t = 1, 2, \dots$:

    $$m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2,$$
    $$\hat m = \frac{m}{1 - \beta_1^{\,t}}, \qquad \hat v = \frac{v}{1 - \beta_2^{\,t}}, \qquad
    \theta \leftarrow \theta - \alpha\, \frac{\hat m}{\sqrt{\hat v} + \varepsilon},$$

    with $g^2$, the square root and the division taken entry by entry. Usual settings:
    $\beta_1 = 0.9$, $\beta_2 = 0.999$, $\varepsilon = 10^{-8}$.

    **Why $\hat m$ and $\hat v$ (bias correction).** Both averages start at $0$, so in the first steps
    they are too small: after one step $m = (1 - \beta_1) g$, a tenth of the gradient. If the
    gradient were the same $g$ at every step, after $t$ steps
    $m = (1 - \beta_1)(1 + \beta_1 + \dots + \beta_1^{t-1})\, g = (1 - \beta_1^{\,t})\, g$. Dividing by
    $1 - \beta_1^{\,t}$ undoes exactly that, and likewise for $v$. So $t$ must be the number of steps
    made so far *including this one*: $t = 1$ at the first call. (With $t = 0$ the division is by zero.)
    For large $t$ the factors tend to $1$ and the correction fades out.

    **Exercise 4.1.** Write `adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps)`. `theta`, `grad`,
    `m`, `v` are arrays of one shape (`m`, `v` from the previous step, zeros before the first), `t` is
    the step number (an int, $t \ge 1$), the rest are numbers. Return the tuple
    `(theta_new, m_new, v_new)`: the new parameters and the new **uncorrected** averages $m$, $v$
    (the caller hands those back next time; $\hat m$ and $\hat v$ are only used inside the step).
    Do not change the arrays you are given. $\varepsilon$ goes outside the square root, as in
    Section 3.
    """)
    nb.answer("adam_step", """
    def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
        \"\"\"One Adam step (t = 1 at the first step), bias-corrected, eps outside the square root.

        theta, grad, m, v: arrays of one shape. Returns (theta_new, m_new, v_new), new arrays of that shape.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        m_new = beta1 * m + (1.0 - beta1) * grad
        v_new = beta2 * v + (1.0 - beta2) * grad ** 2
        m_hat = m_new / (1.0 - beta1 ** t)
        v_hat = v_new / (1.0 - beta2 ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new
        ### END SOLUTION
    """)
    nb.tests("test_adam_step", 2, """
    theta, g = np.ones(3), np.array([2.0, -0.5, 0.0])
    out = adam_step(theta, g, np.zeros(3), np.zeros(3), 1, 0.1, 0.9, 0.999, 1e-8)
    nc.checks.expect_true(isinstance(out, tuple) and len(out) == 3,
                          f"adam_step must return the tuple (theta_new, m_new, v_new); got {type(out).__name__}")
    theta1, m1, v1 = out
    nc.checks.expect_close(m1, [0.2, -0.05, 0.0], "m after the first step: (1 - beta1) g, uncorrected")
    nc.checks.expect_close(v1, [0.004, 0.00025, 0.0], "v after the first step: (1 - beta2) g^2, uncorrected")
    nc.checks.expect_close(theta1, [0.9, 1.1, 1.0],
                           "theta after the first step (t = 1): with m_hat = m / (1 - beta1 ** t), v_hat = v / (1 - beta2 ** t), "
                           "each entry moves by lr against its gradient's sign (use beta ** t with t = 1, not beta ** (t + 1))",
                           rtol=1e-7)
    m1_before = np.array(m1, dtype=float)
    theta2, m2, v2 = adam_step(theta1, g, m1, v1, 2, 0.1, 0.9, 0.999, 1e-8)
    nc.checks.expect_close(theta2, [0.8, 1.2, 1.0], "theta after a second step with the same gradient (t = 2): again lr per step",
                           rtol=1e-7)
    nc.checks.expect_equal(m1, m1_before, "the m you passed to the second step, after the call (it must not change)")
    theta_tiny = adam_step(np.zeros(1), np.array([1e-5]), np.zeros(1), np.zeros(1), 1, 1.0, 0.9, 0.999, 1e-5)[0]
    nc.checks.expect_close(theta_tiny, [-0.5], "gradient 1e-5 with eps = 1e-5 at t = 1: 1e-5 / (sqrt(1e-10) + 1e-5); eps outside the root")
    nc.checks.ok("adam_step looks right.")
    """, ["adam_step"])
    nb.claim("adam_first", "3.2", cell="uncorrected = abs(m / (np.sqrt(v) + eps))", pattern=r"first step ([\d.]+) lr")
    nb.claim("adam_peak", "6.4", cell="uncorrected = abs(m / (np.sqrt(v) + eps))", pattern=r"longest step ([\d.]+) lr")
    nb.claim("adam_peak_step", "8", cell="uncorrected = abs(m / (np.sqrt(v) + eps))", pattern=r"longest step [\d.]+ lr at step (\d+)")
    nb.md(r"""
    With a constant gradient, the bias correction makes every Adam step exactly $\alpha$ long, from the
    very first one (the check above verified it for two steps). Below, the gradient is noisy: $g_t = 1$
    plus noise of size $0.3$. The left panel shows the running average $m$ and its corrected version
    $\hat m$ (returned by your `adam_step` and computed from it). The right panel shows the length of each step,
    in units of $\alpha$, with the correction (your `adam_step`) and without it, computed from the same
    $m$ and $v$ as $\alpha\, m / (\sqrt{v} + \varepsilon)$.

    Without the correction, the first step is $\frac{1 - \beta_1}{\sqrt{1 - \beta_2}} \approx$ {{adam_first}}
    times too long, and the steps keep growing for a while, up to {{adam_peak}} $\alpha$ at step {{adam_peak_step}},
    because $v$ (with $\beta_2 = 0.999$) warms up much more slowly than $m$ (the cell prints these). Only after a few thousand steps does the
    uncorrected version settle down to $\alpha$. The correction removes this start-up overshoot,
    which hits exactly when the parameters are still random.
    """)
    nb.code("""
    with needs("adam_step"):
        rng = np.random.default_rng(0)
        beta1, beta2, eps, lr, n = 0.9, 0.999, 1e-8, 0.01, nc.demo_size(3000, 300)
        theta, m, v = np.zeros(1), np.zeros(1), np.zeros(1)
        rows = []
        for t in range(1, n + 1):
            g = 1.0 + 0.3 * rng.standard_normal(1)
            theta_new, m, v = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
            corrected = abs(theta_new - theta)[0] / lr
            uncorrected = abs(m / (np.sqrt(v) + eps))[0]
            rows.append((m[0], m[0] / (1 - beta1 ** t), corrected, uncorrected))
            theta = theta_new
        rows = np.array(rows)
        steps = np.arange(1, n + 1)
        print(f"without the correction: first step {rows[0, 3]:.2f} lr, longest step {rows[:, 3].max():.2f} lr "
              f"at step {int(np.argmax(rows[:, 3])) + 1}, last step {rows[-1, 3]:.2f} lr")
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4))
        axes[0].plot(steps[:60], rows[:60, 0], label="$m$ (uncorrected)")
        axes[0].plot(steps[:60], rows[:60, 1], label=r"$\\hat m = m / (1 - \\beta_1^t)$")
        axes[0].axhline(1.0, color="0.5", linestyle=":", label="mean gradient")
        axes[0].set(title="The running average of g starts at 0; the correction removes that",
                    xlabel="step $t$", ylabel="average of the gradient")
        axes[0].legend()
        axes[1].plot(steps, rows[:, 3], label="without bias correction")
        axes[1].plot(steps, rows[:, 2], label="with bias correction (your adam_step)")
        axes[1].set_xscale("log")
        axes[1].set(title="Step length in units of lr", xlabel="step $t$ (log scale)", ylabel=r"$|\\Delta\\theta| / \\alpha$")
        axes[1].legend()
        for ax in axes:
            ax.grid(True, alpha=0.3)
    """)
    nb.md(r"""
    ### Epsilon inside or outside the square root

    Lecture 003 writes Adam's step with $\sqrt{\hat v + \varepsilon}$, the Adam paper and PyTorch with
    $\sqrt{\hat v} + \varepsilon$; this notebook grades the second. How different are they? The ratio
    of the two denominators depends only on $s = \sqrt{\hat v}$, the typical size of the gradient:
    $$\frac{\sqrt{s^2 + \varepsilon}}{s + \varepsilon} \approx 1 + \frac{\varepsilon}{2 s^2}
    \quad\text{for } s \gg \sqrt{\varepsilon}.$$
    With $\varepsilon = 10^{-8}$ and gradients of size $10^{-2}$ the steps differ by about
    $5 \times 10^{-5}$ relatively, far below the noise of training. The two forms part only for
    gradients near $\sqrt{\varepsilon} = 10^{-4}$ or smaller, where the inside form damps the step much
    more (it behaves like the outside form with $\varepsilon$ replaced by $\sqrt{\varepsilon}$). The
    table is computed from the two formulas:
    """)
    nb.code("""
    eps = 1e-8
    print(f"{'gradient size s':>16} | step with eps inside / step with eps outside")
    for s in (1.0, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6):
        ratio = (s + eps) / np.sqrt(s ** 2 + eps)
        print(f"{s:16.0e} | {ratio:.6f}")
    """)
    nb.md(r"""
    ### Adam's step size is per parameter

    On a badly scaled problem the gradient entries differ by orders of magnitude. Take
    $L(\theta) = \tfrac12\left(0.01\,\theta_0^2 + 10\,\theta_1^2\right)$, a thousand times steeper in $\theta_1$.
    Gradient descent must keep $\alpha < 2/10$ for $\theta_1$, and then $\theta_0$ shrinks by only
    $0.2\%$ per step. Adam divides each entry by its own $\sqrt{\hat v}$, so both coordinates move
    at a rate set by $\alpha$ alone. Below: the distance of each coordinate from the minimum, for
    gradient descent at $\alpha = 0.15$ and Adam at $\alpha = 0.05$.
    (Adam's steps do not shrink near the minimum on their own, so it ends up rattling around it
    within about $\alpha$; the schedules of Section 6 deal with that.)
    """)
    nb.code("""
    SCALES = np.array([0.01, 10.0])
    scaled_grad = lambda theta: SCALES * theta
    with needs("sgd_step", "adam_step"):
        start, n = np.array([3.0, 1.0]), 200
        runs = {"GD, lr = 0.15": run_optimizer(sgd_step, scaled_grad, start, n, lr=0.15),
                "Adam, lr = 0.05": run_optimizer(adam_step, scaled_grad, start, n, lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8)}
        fig, ax = nc.plot.subplots(figsize=(7, 4))
        for (name, path), colour in zip(runs.items(), ["C0", "C1"]):
            ax.plot(np.abs(path[:, 0]), color=colour, label=fr"{name}: $|\\theta_0|$ (flat direction)")
            ax.plot(np.abs(path[:, 1]), color=colour, linestyle="--", label=fr"{name}: $|\\theta_1|$ (steep direction)")
        ax.set_yscale("log")
        ax.set_ylim(1e-6, 10)
        ax.set(title="A badly scaled bowl: GD crawls along the flat direction, Adam does not",
               xlabel="step", ylabel="distance from the minimum")
        ax.legend(fontsize="small")
        ax.grid(True, alpha=0.3)
    """)

    # ------------------------------------------------------------------ 5. the race
    nb.md(r"""
    ## 5 · The optimizer race

    All four optimizers from the same start on the bowl of Section 1, 40 steps each. The sliders set
    the learning rate $\alpha$ shared by all four and the $\beta$ of momentum (also Adam's $\beta_1$;
    Adam's $\beta_2$ stays $0.999$). Things to try:

    - raise $\alpha$ past $0.1$: gradient descent leaves the picture (it diverges) while momentum does not;
    - set $\beta = 0$: momentum *is* gradient descent (the two paths coincide);
    - push $\beta$ towards $0.99$: momentum overshoots and circles, like a ball with too little friction;
    - normalized steps and Adam move diagonally at first (every coordinate by about $\alpha$) and
      then jitter around the minimum with steps of about $\alpha$, whatever the scale of the loss.
    """)
    nb.code("""
    def draw_race(ax, lr, beta):
        paths = {"GD": run_optimizer(sgd_step, bowl_grad, THETA0, 40, lr=lr),
                 "momentum": run_optimizer(momentum_step, bowl_grad, THETA0, 40, lr=lr, beta=beta),
                 "normalized": run_optimizer(normalized_step, bowl_grad, THETA0, 40, lr=lr, eps=1e-8),
                 "Adam": run_optimizer(adam_step, bowl_grad, THETA0, 40, lr=lr, beta1=beta, beta2=0.999, eps=1e-8)}
        paths = {name: np.clip(p, -50, 50) for name, p in paths.items()}  # a diverging run leaves the picture
        return nc.plot.loss_surface(bowl_loss, paths=paths, ax=ax, title=f"40 steps, lr = {lr:.3g}, beta = {beta:.2f}",
                                    **{**BOWL, "resolution": 40})

    with needs("sgd_step", "momentum_step", "normalized_step", "adam_step"):
        for step in (sgd_step, momentum_step, normalized_step, adam_step):  # a stub stops here, before the widget
            run_optimizer(step, bowl_grad, THETA0, 1, **{"sgd_step": dict(lr=0.1), "momentum_step": dict(lr=0.1, beta=0.9),
                          "normalized_step": dict(lr=0.1, eps=1e-8),
                          "adam_step": dict(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)}[step.__name__])
        race = slider_widget(draw_race, {"lr": dict(min=0.005, max=0.5, value=0.09, log=True),
                                         "beta": dict(min=0.0, max=0.99, value=0.9, step=0.01)}, figsize=(7, 4.5))
        display(race)
    """)
    nb.md(r"""
    ### The race on real data: the digits network

    Now the network of notebook 05: 64 pixels, one hidden layer of 32 ReLU units, 10 softmax outputs,
    trained with mini-batches of 32 digits. The cell below is **given**: the forward pass
    (notebook 02), softmax and cross-entropy (notebook 03) and backpropagation (notebook 05), written
    from those notebooks' solutions, so that this notebook works even if yours differ.
    """)
    nb.given(GIVEN_MLP)
    nb.md(r"""
    A small training loop that works with any of your step functions: every weight matrix and every
    bias vector is one $\theta$ with its own state ($m$, $v$), and $t$ counts the mini-batch steps
    from 1. An optional `schedule(epoch)` sets the learning rate of each epoch (try it with your
    `step_decay` of Section 6). After each epoch it records the training loss (on the whole training
    set) and the loss and accuracy on the **validation** set.

    **Which data decides.** The race below *chooses* a learning rate for each optimizer, and then an
    optimizer. A choice made by looking at a set of images fits that set a little (notebook 07 explains
    why), so the digits are split three ways: `nc.data.digits_split` keeps 20 % of each digit aside as
    the test set, and `nc.data.train_test_split` takes a quarter of the rest for validation. Every
    choice below is made on the validation set; the test set is used once, at the end, for the winner.
    """)
    nb.code("""
    def train_digits(step, settings, epochs, rng, schedule=None, hidden=32, batch_size=32):
        \"\"\"Train 64-hidden-10 on the digits with `step`.

        Returns (params, history): the trained [(W1, b1), (W2, b2)] and a dict of arrays, one entry per epoch:
        'train loss' (whole training set), 'val loss' and 'val accuracy' (validation set).
        \"\"\"
        names = inspect.signature(step).parameters
        arrays = [a for W_b in init_params([64, hidden, 10], rng) for a in W_b]          # W1, b1, W2, b2
        states = [{s: np.zeros_like(a) for s in ("m", "v") if s in names} for a in arrays]
        m_train, t = X_train.shape[1], 0
        history = {"train loss": [], "val loss": [], "val accuracy": []}
        for epoch in range(epochs):
            if schedule is not None:
                settings = {**settings, "lr": schedule(epoch)}
            order = rng.permutation(m_train)
            for start in range(0, m_train, batch_size):
                batch = order[start:start + batch_size]
                params = list(zip(arrays[::2], arrays[1::2]))
                _, grads = mlp_loss_and_grads(params, X_train[:, batch], Y_train[:, batch])
                t += 1
                count = {"t": t} if "t" in names else {}
                for k, grad in enumerate(g for dW_db in grads for g in dW_db):
                    out = step(arrays[k], grad, **states[k], **count, **settings)
                    arrays[k], *new_state = out if isinstance(out, tuple) else (out,)
                    states[k] = dict(zip(states[k], new_state))
            params = list(zip(arrays[::2], arrays[1::2]))
            history["train loss"].append(mlp_loss_and_grads(params, X_train, Y_train)[0])
            logits = mlp_forward(X_val, params, "relu", "identity")[0]
            history["val loss"].append(cross_entropy(logits, Y_val)[0])
            history["val accuracy"].append(np.mean(np.argmax(logits, axis=0) == y_val))
        return params, {k: np.array(v) for k, v in history.items()}

    X_learn, y_learn, X_test, y_test = nc.data.digits_split(np.random.default_rng(0))
    X_train, y_train, X_val, y_val = nc.data.train_test_split(X_learn, y_learn, 0.25, np.random.default_rng(0))
    Y_train, Y_val = one_hot(y_train, 10), one_hot(y_val, 10)
    print(f"{X_train.shape[1]} training, {X_val.shape[1]} validation and {X_test.shape[1]} test digits "
          f"of {X_train.shape[0]} pixels")
    """)
    nb.claim("tuned_sgd", "1", cell="GRID = {", pattern=r"tuned on validation: SGD lr = ([\d.]+)", relation="is")
    nb.claim("tuned_momentum", "1", cell="GRID = {", pattern=r"momentum lr = ([\d.]+)", relation="is")
    nb.claim("tuned_normalized", "0.01", cell="GRID = {", pattern=r"normalized lr = ([\d.]+)", relation="is")
    nb.claim("tuned_adam", "0.03", cell="GRID = {", pattern=r"Adam lr = ([\d.]+)", relation="is")
    nb.claim("tuned_lo", "0.076", cell="GRID = {", pattern=r"tuned runs end at a mean validation loss of ([\d.]+)")
    nb.claim("tuned_hi", "0.093", cell="GRID = {", pattern=r"tuned runs end at a mean validation loss of [\d.]+ to ([\d.]+)")
    nb.claim("seed_lo", "0.062", cell="GRID = {", pattern=r"single runs of the tuned settings range from ([\d.]+)")
    nb.claim("seed_hi", "0.106", cell="GRID = {", pattern=r"single runs of the tuned settings range from [\d.]+ to ([\d.]+)")
    nb.claim("sgd_at_2", "2.30", cell="GRID = {", pattern=r"SGD at lr = 2: validation loss ([\d.]+)", relation=">=")
    nb.claim("momentum_at_2", "0.14", cell="GRID = {", pattern=r"momentum at lr = 2: validation loss [\d.]+ to ([\d.]+)", relation="<=", tol=0)
    nb.claim("adam_default", "0.49", cell="GRID = {", pattern=r"Adam lr = 0.001 \(the usual default\): mean validation loss ([\d.]+)")
    nb.claim("epoch2_adam_hi", "0.18", cell="GRID = {", pattern=r"after epoch 2: Adam [\d.]+ to ([\d.]+)", relation="<=", tol=0)
    nb.claim("epoch2_sgd_lo", "0.46", cell="GRID = {", pattern=r"after epoch 2: Adam [\d.]+ to [\d.]+, SGD ([\d.]+) to", relation=">=", tol=0)
    nb.claim("race_winner", "Adam", cell="winner = min(", pattern=r"chosen on validation: (\w+)", relation="is")
    nb.claim("race_test", "95.7 %", cell="winner = min(", pattern=r"test accuracy, measured once \(mean of 3 seeds\): ([\d.]+)", scale=100)
    nb.md(r"""
    **Tuning each optimizer on the validation set.** A race between optimizers is only fair if each runs at
    its own best learning rate, so the cell below tries a grid of rates for each (10 epochs, three seeds
    each: three different starting weights and batch orders) and keeps, for each optimizer, the rate with
    the lowest mean validation loss after 10 epochs. The grids are steps of about 3 and bracket the best
    rate: it is never at the end of its grid. This is 60 training runs and takes a few seconds. The table
    prints the mean validation loss of every setting and the range over the three seeds.
    """)
    nb.code("""
    ADAM = dict(beta1=0.9, beta2=0.999, eps=1e-8)
    GRID = {"SGD": (sgd_step, {}, (0.1, 0.3, 1.0, 2.0, 3.0)),
            "momentum": (momentum_step, dict(beta=0.9), (0.1, 0.3, 1.0, 2.0, 3.0)),
            "normalized": (normalized_step, dict(eps=1e-8), (0.001, 0.003, 0.01, 0.03, 0.1)),
            "Adam": (adam_step, ADAM, (0.001, 0.003, 0.01, 0.03, 0.1))}
    SEEDS = (1, 2, 3)[:nc.demo_size(3, 1)]
    with needs("sgd_step", "momentum_step", "normalized_step", "adam_step"):
        epochs = nc.demo_size(10, 2)
        runs = {}                                 # (optimizer, lr) -> list of (params, history), one per seed
        print(f"{'optimizer':>10} {'lr':>6}   mean validation loss after {epochs} epochs (min - max over {len(SEEDS)} seeds)")
        for name, (step, extra, rates) in GRID.items():
            for lr in rates:
                runs[name, lr] = [train_digits(step, dict(lr=lr, **extra), epochs, np.random.default_rng(s)) for s in SEEDS]
                final = [h["val loss"][-1] for _, h in runs[name, lr]]
                print(f"{name:>10} {lr:>6g}   {np.mean(final):.3f} ({min(final):.3f} - {max(final):.3f})")
        mean_final = {key: np.mean([h["val loss"][-1] for _, h in r]) for key, r in runs.items()}
        TUNED = {name: min(rates, key=lambda lr: mean_final[name, lr]) for name, (_, _, rates) in GRID.items()}
        print("\\ntuned on validation: " + ", ".join(f"{name} lr = {lr:g}" for name, lr in TUNED.items()))
        tuned = [mean_final[name, lr] for name, lr in TUNED.items()]
        singles = [h["val loss"][-1] for name, lr in TUNED.items() for _, h in runs[name, lr]]
        print(f"the tuned runs end at a mean validation loss of {min(tuned):.3f} to {max(tuned):.3f}; "
              f"single runs of the tuned settings range from {min(singles):.3f} to {max(singles):.3f}")
        for name in ("SGD", "momentum"):
            at_2 = [h["val loss"][-1] for _, h in runs[name, 2.0]]
            print(f"{name} at lr = 2: validation loss {min(at_2):.2f} to {max(at_2):.2f} "
                  f"(chance level, always answering 1/10, is ln 10 = {np.log(10):.2f})")
        print(f"Adam lr = 0.001 (the usual default): mean validation loss {mean_final['Adam', 0.001]:.2f}")
        early = {name: [h["val loss"][1] for _, h in runs[name, TUNED[name]]] for name in ("Adam", "SGD")}
        print(f"validation loss after epoch 2: Adam {min(early['Adam']):.2f} to {max(early['Adam']):.2f}, "
              f"SGD {min(early['SGD']):.2f} to {max(early['SGD']):.2f}")
    """)
    nb.md(r"""
    The tuned runs over the epochs, on the validation set: for each optimizer at its tuned rate, the mean of
    the three seeds (line) and their range (band); dashed, plain SGD and momentum at $\alpha = 2$.
    """)
    nb.code("""
    with needs("sgd_step", "momentum_step", "normalized_step", "adam_step"):
        for step, extra, rates in GRID.values():                  # a stub stops here, before the runs are used
            run_optimizer(step, bowl_grad, THETA0, 1, lr=rates[0], **extra)
        fig, axes = nc.plot.subplots(1, 2, figsize=(13, 4.5))
        ep = np.arange(1, epochs + 1)
        curves = {f"{name}, lr = {lr:g} (tuned)": runs[name, lr] for name, lr in TUNED.items()}
        curves.update({f"{name}, lr = 2": runs[name, 2.0] for name in ("SGD", "momentum")})
        for k, (label, rs) in enumerate(curves.items()):
            style = "--" if label.endswith("= 2") else "-"
            for ax, key in zip(axes, ("val loss", "val accuracy")):
                values = np.array([h[key] for _, h in rs])
                ax.plot(ep, values.mean(axis=0), linestyle=style, color=f"C{k}", marker=".", label=label)
                ax.fill_between(ep, values.min(axis=0), values.max(axis=0), color=f"C{k}", alpha=0.15)
        axes[0].set_yscale("log")
        axes[0].set(title="Digits: validation loss (mean and range of 3 seeds)", xlabel="epoch",
                    ylabel="cross-entropy on the validation set (log)")
        axes[1].set(title="Digits: validation accuracy (mean and range of 3 seeds)", xlabel="epoch",
                    ylabel="accuracy on the validation set", ylim=(0.8, 1.0))
        for ax in axes:
            ax.grid(True, alpha=0.3)
        axes[0].legend(fontsize="small")
    """)
    nb.md(r"""
    What the runs show:

    - **Tuned, the four end close together.** The tuned rates are {{tuned_sgd}} for SGD, {{tuned_momentum}}
      for momentum, {{tuned_normalized}} for normalized steps and {{tuned_adam}} for Adam, and after 10 epochs
      their mean validation losses lie between {{tuned_lo}} and {{tuned_hi}}, while single runs of these
      settings range from {{seed_lo}} to {{seed_hi}} with the seed alone. On this small problem the
      differences between well-tuned optimizers are about as large as the noise of one run: plain SGD
      at its best rate is not behind momentum at its best rate.
    - **Momentum's real advantage is tolerance.** At $\alpha = 2$ plain SGD breaks down: its validation loss
      stays at {{sgd_at_2}} or more, chance level ($\ln 10 = 2.30$: the network answers $1/10$ for every
      digit). Momentum at the same $\alpha$ keeps training (validation loss at most {{momentum_at_2}}). Its
      average over past gradients cancels the part of each mini-batch gradient that flips from step to
      step, so a step that would throw plain SGD out of the valley does not.
    - **Adam starts fastest.** After two epochs tuned Adam's validation loss is at most {{epoch2_adam_hi}},
      tuned SGD's at least {{epoch2_sgd_lo}}: the per-weight normalization makes one learning rate fit the
      first layer and the last from the first steps.
    - **The usual default is not a tuned rate.** Adam at $10^{-3}$, the default of most libraries, ends at
      a mean validation loss of {{adam_default}}, far behind: the default suits large networks trained
      for long, not this one. Always tune the learning rate, on validation data.

    Finally the one choice left, the optimizer: the lowest mean validation loss. Only that optimizer's three
    networks meet the test set, once.
    """)
    nb.code("""
    with needs("sgd_step", "momentum_step", "normalized_step", "adam_step"):
        for step, extra, rates in GRID.values():                  # a stub stops here, before the runs are used
            run_optimizer(step, bowl_grad, THETA0, 1, lr=rates[0], **extra)
        winner = min(TUNED, key=lambda name: mean_final[name, TUNED[name]])   # chosen on validation
        test_acc = [np.mean(np.argmax(mlp_forward(X_test, params, "relu", "identity")[0], axis=0) == y_test)
                    for params, _ in runs[winner, TUNED[winner]]]
        print(f"chosen on validation: {winner} at lr = {TUNED[winner]:g}; "
              f"its test accuracy, measured once (mean of {len(test_acc)} seeds): {np.mean(test_acc):.3f} "
              f"({min(test_acc):.3f} to {max(test_acc):.3f})")
    """)
    nb.md(r"""
    The validation set chose {{race_winner}}, and the test set, looked at this once, says what to expect of
    its networks on new digits: {{race_test}} correct. Had we compared the optimizers on the test set
    instead, this number would have been the best of four noisy measurements, and too optimistic.
    """)

    # ------------------------------------------------------------------ 6. schedules
    nb.md(r"""
    ## 6 · Learning-rate schedules: step decay

    Stochastic gradient descent (lecture 003) uses a mini-batch's gradient, a noisy estimate of the
    true one. Near the minimum the true gradient is almost zero but the noise is not, so with a fixed
    $\alpha$ the parameters keep jumping around the minimum at a distance that grows with $\alpha$:
    lecture 003 warns that SGD never settles on one point in the usual sense, and suggests lowering the
    learning rate as training goes on. A **learning-rate schedule** starts with a large
    $\alpha$ (fast progress while far away) and lowers it later (small jumps, so it settles).

    The simplest is **step decay**: multiply the learning rate by a factor `drop` (such as $0.5$)
    every `every` epochs. With epochs counted from $0$:

    $$\alpha_{\text{epoch}} = \alpha_0 \cdot \text{drop}^{\lfloor \text{epoch} / \text{every} \rfloor},$$

    where $\lfloor\cdot\rfloor$ rounds down. So epochs $0, \dots, \text{every} - 1$ use $\alpha_0$,
    epochs $\text{every}, \dots, 2\,\text{every} - 1$ use $\alpha_0 \cdot \text{drop}$, and so on.

    **Exercise 6.1.** Write `step_decay(lr0, epoch, drop, every)`: `lr0` is $\alpha_0 > 0$, `epoch` an
    int $\ge 0$ (the first epoch is 0), `drop` a number in $(0, 1]$, `every` an int $\ge 1$. Return the
    learning rate of that epoch, a float. Hint: `epoch // every` is the rounded-down quotient.
    """)
    nb.answer("step_decay", """
    def step_decay(lr0, epoch, drop, every):
        \"\"\"Learning rate of `epoch` (from 0): lr0 * drop ** (epoch // every), a float. Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return float(lr0 * drop ** (epoch // every))
        ### END SOLUTION
    """)
    nb.tests("test_step_decay", 1, """
    got = [step_decay(1.0, e, 0.5, 10) for e in (0, 9, 10, 19, 20)]
    nc.checks.expect_close(got, [1.0, 1.0, 0.5, 0.5, 0.25],
                           "step_decay(1, epoch, 0.5, 10) for epochs 0, 9, 10, 19, 20 (the first drop is at epoch 10)")
    nc.checks.expect_close(step_decay(0.3, 7, 0.1, 1), 0.3 * 0.1 ** 7, "step_decay(0.3, 7, 0.1, every=1)", rtol=1e-12)
    nc.checks.ok("step_decay looks right.")
    """, ["step_decay"])
    for key, name in (("floor_constant", "constant lr = 0.05"), ("floor_small", "constant lr = 0.005"),
                      ("floor_decay", "step decay from 0.05")):
        nb.claim(key, {"floor_constant": "0.144", "floor_small": "0.021", "floor_decay": "0.0048"}[key],
                 cell="def noisy_sgd(", pattern=name.replace(".", "\\.") + r"[^:]*: .*? over the last 10 epochs ([\d.]+)")
    nb.claim("start_small", "2.87", cell="def noisy_sgd(", pattern=r"constant lr = 0\.005: mean loss after epoch 4 ([\d.]+)")
    nb.claim("start_fast", "0.150", cell="def noisy_sgd(", pattern=r"step decay from 0\.05[^:]*: mean loss after epoch 4 ([\d.]+)")
    nb.md(r"""
    Why a decaying rate helps SGD settle, on the bowl of Section 1 with noisy gradients: each step sees
    $g = \nabla L(\theta)$ plus random noise of size $2$, as a mini-batch gradient would. An "epoch"
    here is 20 steps. With a constant $\alpha = 0.05$ the loss stops falling at a floor set by the
    noise; with $\alpha = 0.005$ the floor is lower but the way down is ten times slower. Step decay
    from $0.05$, halving every 5 epochs, gets the fast start and the low floor. The cell prints the mean of
    20 runs: over the last 10 epochs (the floor) the loss is {{floor_constant}} for the constant 0.05,
    {{floor_small}} for 0.005 and {{floor_decay}} with step decay; after epoch 4 the small constant rate is
    still at {{start_small}}, where the other two are at {{start_fast}}.
    """)
    nb.code("""
    def noisy_sgd(schedule, epochs, rng, steps_per_epoch=20, noise=2.0):
        theta, losses = THETA0.copy(), []
        for epoch in range(epochs):
            lr = schedule(epoch)
            for _ in range(steps_per_epoch):
                theta = sgd_step(theta, bowl_grad(theta) + noise * rng.standard_normal(2), lr)
            losses.append(bowl_loss(theta))
        return np.array(losses)

    with needs("sgd_step", "step_decay"):
        epochs, n_runs = 40, nc.demo_size(20, 4)
        schedules = {"constant lr = 0.05": lambda e: 0.05, "constant lr = 0.005": lambda e: 0.005,
                     "step decay from 0.05, drop 0.5 every 5": lambda e: step_decay(0.05, e, 0.5, 5)}
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4))
        for name, schedule in schedules.items():
            mean_loss = np.mean([noisy_sgd(schedule, epochs, np.random.default_rng(r)) for r in range(n_runs)], axis=0)
            axes[0].plot(np.arange(epochs), [schedule(e) for e in range(epochs)], drawstyle="steps-post", label=name)
            axes[1].plot(np.arange(epochs), mean_loss, label=name)
            print(f"{name}: mean loss after epoch 4 {mean_loss[4]:.3f}, over the last 10 epochs {mean_loss[-10:].mean():.4f}")
        axes[0].set_yscale("log")
        axes[0].set(title="Learning rate per epoch", xlabel="epoch (from 0)", ylabel="learning rate (log)")
        axes[1].set_yscale("log")
        axes[1].set(title=f"SGD with noisy gradients: loss (mean of {n_runs} runs)", xlabel="epoch (from 0)",
                    ylabel="loss at the end of the epoch (log)")
        for ax in axes:
            ax.legend(fontsize="small")
            ax.grid(True, alpha=0.3)
    """)

    # ------------------------------------------------------------------ 7. written questions
    nb.md(r"""
    ## 7 · Questions (written, graded by hand)

    **Question 7.1.** In `momentum_step`, what does $\beta = 0$ make of momentum, and what happens as
    $\beta$ approaches $1$ (think of the race widget)? For a gradient that stays the same $g$ for many
    steps, how long is the step in lecture 003's form, and how long in lecture 001's form with the
    same $\eta$ and $\gamma = \beta$?
    """)
    nb.written("q_beta", 2, r"""
    With $\beta = 0$ the average is just the current gradient, $m = g$, and the step is
    $\theta - \alpha g$: plain gradient descent, with no memory. As $\beta \to 1$ the average
    remembers more and more of the past ($\approx 1/(1 - \beta)$ steps) and reacts more and more
    slowly to new gradients: the ball has little friction, so it overshoots the minimum and oscillates
    or circles around it for a long time before settling (with too large $\alpha$ as well it can still
    diverge). For a constant gradient, $m$ tends to $g$ in lecture 003's form, so the step tends to
    $\alpha g$; in lecture 001's form $v$ tends to $\eta g / (1 - \gamma)$, a step $1/(1 - \beta)$
    times larger than $\eta g$ (ten times for $\beta = 0.9$). That is the rescaled learning rate
    $\eta = \alpha (1 - \beta)$ seen from the other side.
    """)
    nb.md(r"""
    **Question 7.2.** When would you pick SGD with momentum over Adam, and when Adam over SGD with
    momentum? Give one reason for each, using what you saw in this notebook.
    """)
    nb.written("q_choose", 2, r"""
    *Adam* when the gradient entries have very different scales (different layers, badly scaled
    inputs, sparse features) or when there is little time to tune: its per-parameter normalization
    makes one learning rate (often the default $10^{-3}$) work for every parameter, as on the badly
    scaled bowl and the digits network. *SGD with momentum* when there is time to tune the learning
    rate and its schedule and the best final result matters more than speed at the start: it has one
    state array instead of two (less memory), its step shrinks with the gradient near a minimum
    (Adam's normalized step does not, and needs a decaying $\alpha$ to settle), and in practice SGD
    with momentum and a good schedule often generalizes as well as or better than Adam on large
    vision problems. Either answer needs a reason tied to scale, tuning effort, memory or final
    accuracy.
    """)
    nb.md(r"""
    ## Summary

    - One interface: a step takes $\theta$, $g$, the state and the settings, and returns the new
      $\theta$ and the new state, as new arrays.
    - **Momentum** averages the gradients: $m \leftarrow \beta m + (1 - \beta) g$, $\theta \leftarrow
      \theta - \alpha m$. It damps the zig-zag across a narrow valley and allows larger steps.
      Lecture 001's form $v \leftarrow \gamma v + \eta g$ is the same with $\eta = \alpha(1 - \beta)$.
    - **Normalized gradients** move every parameter by about $\alpha$, whatever the scale of its gradient.
    - **Adam** combines both with running averages of $g$ and $g^2$ and a bias correction
      $1/(1 - \beta^t)$ ($t$ from 1) for the zero start; $\varepsilon$ inside or outside the root
      matters only for gradients near $\sqrt{\varepsilon}$.
    - **Step decay** lowers $\alpha$ by a factor every few epochs, so that noisy SGD settles.

    Next, *07 · generalization*: a network that fits its training set perfectly can still be
    wrong on new data, and what to do about it.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
