"""Source of solutions/01_perceptron/perceptron.ipynb (run `make sources`, then `make release`)."""
from __future__ import annotations

from pathlib import Path

from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "01_perceptron"
FILENAME = "perceptron.ipynb"


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p01")

    nb.md(r"""
    # 01 · The perceptron

    A neural network is built from one very small function, the **neuron**, copied many times. In this
    notebook you write that neuron yourself, give it the classic activation functions, make it compute
    logic gates, train it with the perceptron learning rule, and then watch it fail on **XOR**, the
    problem that shows why we need more than one layer.

    **How to work.** Cells that start with `# YOUR CODE HERE` are yours: replace
    `raise NotImplementedError()` with your code. The cell right after each exercise checks it and
    tells you *what* is wrong (a shape, a NaN, which entry differs). When you submit, hidden tests
    call your functions on many random inputs, so make them work for any shape, not just the example.

    **Conventions used all course long.** Samples are *columns*: a data set of $m$ samples with $N$
    features is an array `X` of shape `(N, m)`. Labels are a vector `y` of shape `(m,)`.
    Randomness always comes in as an argument `rng` (a `numpy.random.Generator`).
    """)
    nb.setup("""
    import numpy as np
    import nbcourse as nc
    """)

    # ------------------------------------------------------------------ 1. the neuron
    nb.md(r"""
    ## 1 · A single neuron

    A neuron takes an input vector $x = (x_1, \dots, x_N)$, weighs each entry, adds a **bias** and passes
    the sum through an **activation function** $\varphi$:

    $$z = \sum_{i=1}^{N} w_i x_i + b = w^\top x + b, \qquad a = \varphi(z).$$

    The weights $w$ and the bias $b$ are the neuron's parameters. The bias acts like the weight of an
    extra input that is always on: write $x_0 = 1$ and $w_0 = b$ and the sum becomes
    $\sum_{i=0}^{N} w_i x_i$. Without it, the line $w^\top x = 0$ would always pass through the
    origin; the bias shifts it, which lets the neuron prefer one answer when the evidence is weak.

    With all $m$ samples as the columns of `X`, the $m$ pre-activations are one matrix product:
    $z = w^\top X + b$, a vector of shape `(m,)`, which in numpy reads `w @ X + b`.
    (The lecture writes the activation as $\sigma(\cdot)$; here $\sigma$ is kept for the logistic
    sigmoid and a generic activation is $\varphi$.)
    """)
    nb.md(r"""
    ### Activation functions

    | name | $\varphi(z)$ | used in |
    |---|---|---|
    | unit step (Heaviside) | $0$ if $z < 0$, $\;0.5$ if $z = 0$, $\;1$ if $z > 0$ | the perceptron |
    | sign | $-1$ if $z < 0$, $\;0$ if $z = 0$, $\;1$ if $z > 0$ | a perceptron with $\pm 1$ labels |
    | logistic sigmoid | $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ | logistic regression, output layers |
    | hyperbolic tangent | $\tanh(z) = \dfrac{e^{z} - e^{-z}}{e^{z} + e^{-z}}$ | hidden layers |
    | ReLU | $\max(0, z)$ | hidden layers of deep networks |

    Note the value $0.5$ of the unit step at exactly $z = 0$: half-way between the two answers.

    **Exercise 1.1.** Write `step(z)` and `sign(z)`. Each takes an array `z` of any shape (or a number)
    and returns a float array of the same shape. Hint: `np.where(condition, a, b)` picks entry by entry.
    """)
    nb.answer("step", """
    def step(z):
        \"\"\"Unit step: 0 where z < 0, 0.5 where z == 0, 1 where z > 0.

        z: array of any shape (or a number). Returns a float array of the same shape.
        \"\"\"
        ### BEGIN SOLUTION
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, 1.0, np.where(z < 0, 0.0, 0.5))
        ### END SOLUTION
    """)
    nb.tests("test_step", 1, """
    nc.checks.expect_close(step(np.array([-2.0, 0.0, 3.0])), [0.0, 0.5, 1.0], "step([-2, 0, 3])")
    nc.checks.expect_shape(step(np.zeros((2, 3))), (2, 3), "step of a (2, 3) array")
    nc.checks.ok("step looks right.")
    """, ["step"])
    nb.answer("sign", """
    def sign(z):
        \"\"\"Sign: -1 where z < 0, 0 where z == 0, 1 where z > 0 (float array, same shape as z).\"\"\"
        ### BEGIN SOLUTION
        z = np.asarray(z, dtype=float)
        return np.where(z > 0, 1.0, np.where(z < 0, -1.0, 0.0))
        ### END SOLUTION
    """)
    nb.tests("test_sign", 1, """
    nc.checks.expect_close(sign(np.array([-0.1, 0.0, 7.0])), [-1.0, 0.0, 1.0], "sign([-0.1, 0, 7])")
    nc.checks.expect_shape(sign(np.ones((4, 1))), (4, 1), "sign of a (4, 1) array")
    nc.checks.ok("sign looks right.")
    """, ["sign"])

    nb.md(r"""
    **Exercise 1.2 — a sigmoid that never overflows.** The formula $\sigma(z) = 1/(1 + e^{-z})$ is
    fine for $z \ge 0$, but for $z = -1000$ it asks numpy for $e^{1000}$, which does not fit in a float:
    numpy warns about an overflow (the answer, $1/\infty = 0$, happens to be right, but a stable
    formula should not rely on that). For $z < 0$ multiply top and bottom by $e^{z}$:

    $$\sigma(z) = \frac{1}{1 + e^{-z}} \;(z \ge 0), \qquad \sigma(z) = \frac{e^{z}}{1 + e^{z}} \;(z < 0),$$

    so `np.exp` only ever sees numbers $\le 0$. Your `sigmoid` must give finite, correct values for
    $|z|$ up to $10^4$. Then write `tanh` using the identity $\tanh(z) = 2\,\sigma(2z) - 1$ (check it on
    paper from the definitions above), so it inherits the stability, and `relu`.
    """)
    nb.answer("sigmoid", """
    def sigmoid(z):
        \"\"\"Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow.

        z: array of any shape. Returns a float array of the same shape, entries in [0, 1].
        \"\"\"
        ### BEGIN SOLUTION
        z = np.asarray(z, dtype=float)
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[~pos])  # z < 0 here, so exp(z) < 1: no overflow
        out[~pos] = ez / (1.0 + ez)
        return out
        ### END SOLUTION
    """)
    nb.tests("test_sigmoid", 1, """
    with np.errstate(all="ignore"):  # a warning is a hint below, not a failure
        s = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    nc.checks.expect_close(s, [0.0, 0.5, 1.0], "sigmoid([-1000, 0, 1000])")
    z = np.linspace(-6, 6, 13)
    nc.checks.expect_close(sigmoid(-z), 1 - sigmoid(z), "sigmoid(-z) = 1 - sigmoid(z)", rtol=1e-9, atol=1e-12)
    nc.checks.expect_close(sigmoid(np.log(3.0)), 0.75, "sigmoid(ln 3) = 3/4")
    nc.checks.advise_no_warning(sigmoid, np.array([-1000.0, 1000.0]), what="sigmoid([-1000, 1000])")
    nc.checks.ok("sigmoid looks right.")
    """, ["sigmoid"])
    nb.answer("tanh", """
    def tanh(z):
        \"\"\"Hyperbolic tangent through tanh(z) = 2 sigmoid(2z) - 1 (float array, same shape as z).\"\"\"
        ### BEGIN SOLUTION
        return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0
        ### END SOLUTION
    """)
    nb.tests("test_tanh", 1, """
    z = np.array([[-800.0, -2.0, 0.0], [0.5, 3.0, 800.0]])
    with np.errstate(all="ignore"):
        t = tanh(z)
    nc.checks.expect_close(t, np.tanh(z), "tanh(z) against numpy's np.tanh", rtol=0, atol=1e-10)
    nc.checks.ok("tanh looks right.")
    """, ["tanh"])
    nb.answer("relu", """
    def relu(z):
        \"\"\"Rectified linear unit max(0, z) (float array, same shape as z).\"\"\"
        ### BEGIN SOLUTION
        return np.maximum(0.0, np.asarray(z, dtype=float))
        ### END SOLUTION
    """)
    nb.tests("test_relu", 1, """
    nc.checks.expect_close(relu(np.array([-3.0, 0.0, 2.5])), [0.0, 0.0, 2.5], "relu([-3, 0, 2.5])")
    nc.checks.ok("relu looks right.")
    """, ["relu"])
    nb.md("""
    Here are your five functions side by side. The step and the sign jump at 0; the sigmoid and tanh
    are smooth versions of them (tanh is the sigmoid stretched to $(-1, 1)$); ReLU is not bounded at all.
    """)
    nb.code("""
    ax = nc.plot.activations({"step": step, "sign": sign, "sigmoid": sigmoid, "tanh": tanh, "relu": relu},
                             title="Your activation functions")
    ax.set_ylim(-1.5, 3);
    """)

    nb.md(r"""
    **Exercise 1.3.** Write `neuron(X, w, b, activation)`: the outputs $a = \varphi(w^\top X + b)$ of one
    neuron for all the samples (columns) of `X`. `activation` is a function such as your `sigmoid`.
    `X` has shape `(N, m)`, `w` shape `(N,)`, `b` is a number; the result has shape `(m,)`.
    """)
    nb.answer("neuron", """
    def neuron(X, w, b, activation):
        \"\"\"Outputs of one neuron: activation(w^T X + b).

        X: (N, m) samples as columns; w: (N,) weights; b: float bias;
        activation: function applied entry by entry. Returns shape (m,).
        \"\"\"
        ### BEGIN SOLUTION
        return activation(w @ X + b)
        ### END SOLUTION
    """)
    nb.tests("test_neuron", 1, """
    X = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]])  # 3 samples of 2 features
    w, b = np.array([1.0, -1.0]), 0.5
    nc.checks.expect_close(neuron(X, w, b, lambda z: z), [-1.5, -1.5, 0.5], "neuron(X, w, b, identity)")
    nc.checks.expect_close(neuron(X, w, b, step), [0.0, 0.0, 1.0], "neuron(X, w, b, step)")
    nc.checks.ok("neuron looks right.")
    """, ["neuron"])

    # ------------------------------------------------------------------ 2. perceptron and gates
    nb.md(r"""
    ## 2 · The perceptron: a neuron that decides

    A **perceptron** is a neuron with a step activation used as a binary classifier: it answers class
    1 when $z = w^\top x + b > 0$ and class 0 otherwise. The two classes are separated by the
    **decision boundary** $w^\top x + b = 0$, a line in 2-D (a hyperplane in general); $w$ is
    perpendicular to it and $b$ slides it.

    The unit step gives $0.5$ for a point exactly on the boundary, which is not a class. In this course
    the perceptron's prediction is
    $$\hat y = \begin{cases} 1 & \text{if } w^\top x + b > 0 \\ 0 & \text{otherwise,} \end{cases}$$
    so a point *on* the line is predicted as class 0.

    **Exercise 2.1.** Write `perceptron_predict(X, w, b)`, returning $\hat y$ as a float array of
    0s and 1s, shape `(m,)`.
    """)
    nb.answer("perceptron_predict", """
    def perceptron_predict(X, w, b):
        \"\"\"Perceptron decisions: 1.0 where w^T x + b > 0, else 0.0.

        X: (N, m); w: (N,); b: float. Returns a float array of shape (m,).
        \"\"\"
        ### BEGIN SOLUTION
        return (w @ X + b > 0).astype(float)
        ### END SOLUTION
    """)
    nb.tests("test_perceptron_predict", 1, """
    X = np.array([[2.0, -1.0, 1.0], [0.0, 0.0, 1.0]])
    nc.checks.expect_equal(perceptron_predict(X, np.array([1.0, 0.0]), 0.0), [1.0, 0.0, 1.0], "perceptron_predict")
    on_line = perceptron_predict(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), 0.0)
    nc.checks.expect_equal(on_line, [0.0], "prediction for a point exactly on the boundary")
    nc.checks.ok("perceptron_predict looks right.")
    """, ["perceptron_predict"])

    nb.md(r"""
    ### Logic gates by hand

    With inputs $x_1, x_2 \in \{0, 1\}$ a perceptron can compute **AND**, **OR** and (with one input)
    **NOT**: each is a matter of placing the line so that the 1-points and the 0-points fall on
    different sides. For AND, for instance, only $(1, 1)$ must give a positive $z$.

    Play with the widget below first: the sliders set $w_1$, $w_2$ and $b$ of a step neuron, the
    shaded side is where it answers 1, and the title counts the points it gets wrong. Find a setting
    with no mistakes for AND, then for OR. (Keep every point off the line: exactly on it the step
    gives $0.5$, which is neither answer.)
    """)
    nb.code("""
    X_and, y_and = nc.data.truth_table("AND")
    nc.widgets.neuron_widget(X_and, y_and, w=(0.5, 0.5), b=0.0)
    """)
    nb.md(r"""
    **Exercise 2.2.** Set `AND_WEIGHTS`, `OR_WEIGHTS` and `NOT_WEIGHTS`, each a pair `(w, b)` with `w` a
    numpy array (two entries for AND and OR, one for NOT) and `b` a number, so that
    `step(w @ X + b)` reproduces the truth table exactly.
    """)
    nb.answer("gates", """
    ### BEGIN SOLUTION
    AND_WEIGHTS = (np.array([1.0, 1.0]), -1.5)   # only x1 = x2 = 1 gives z > 0
    OR_WEIGHTS = (np.array([1.0, 1.0]), -0.5)    # any 1 gives z > 0
    NOT_WEIGHTS = (np.array([-1.0]), 0.5)        # x = 0 gives z = 0.5 > 0, x = 1 gives -0.5
    ### END SOLUTION
    """)
    nb.tests("test_gates", 3, """
    for gate, (w, b) in [("AND", AND_WEIGHTS), ("OR", OR_WEIGHTS), ("NOT", NOT_WEIGHTS)]:
        X, y = nc.data.truth_table(gate)
        nc.checks.expect_equal(step(np.asarray(w) @ X + b), y, f"step(w @ X + b) for your {gate}_WEIGHTS")
    nc.checks.ok("all three gates are right.")
    """, ["AND_WEIGHTS", "OR_WEIGHTS", "NOT_WEIGHTS"])
    nb.code("""
    fig, axes = nc.plot.subplots(1, 3, figsize=(12, 3.6))
    for ax, (gate, (w, b)) in zip(axes, [("AND", AND_WEIGHTS), ("OR", OR_WEIGHTS)]):
        X, y = nc.data.truth_table(gate)
        nc.plot.decision_boundary(lambda P: perceptron_predict(P, w, b), X, y, ax=ax,
                                  title=f"{gate}: w = {w}, b = {b}", xlabel="$x_1$", ylabel="$x_2$")
    X, y = nc.data.truth_table("NOT")
    w, b = NOT_WEIGHTS
    nc.plot.fit_1d(X, y, lambda x: step(w @ x + b), ax=axes[2], title=f"NOT: w = {w}, b = {b}",
                   xlabel="$x_1$", ylabel="output");
    """)

    # ------------------------------------------------------------------ 3. learning
    nb.md(r"""
    ## 3 · Learning the weights: the perceptron rule

    Setting weights by hand does not scale. The perceptron learning rule finds them from labelled
    examples $(x^{(i)}, y^{(i)})$, $y^{(i)} \in \{0, 1\}$. Start from $w = 0$, $b = 0$ and visit the
    examples one by one, in column order. For each example compute the prediction $\hat y^{(i)}$ and
    update

    $$w \leftarrow w + \eta\,(y^{(i)} - \hat y^{(i)})\,x^{(i)}, \qquad b \leftarrow b + \eta\,(y^{(i)} - \hat y^{(i)}),$$

    where $\eta > 0$ is the **learning rate** (`lr` in code). When the prediction is right,
    $y - \hat y = 0$ and nothing changes. When the neuron said 0 but should have said 1, $x$ is added
    to $w$, which raises $w^\top x$ for that example next time; the opposite mistake subtracts it.

    One pass over all $m$ examples is an **epoch**. Count the mistakes (updates) in each epoch. If the
    classes can be separated by a line, the *perceptron convergence theorem* says an epoch with no
    mistake eventually comes; stop after that first error-free epoch, or after `epochs` epochs.

    **Exercise 3.1.** Write `perceptron_train(X, y, lr, epochs)` returning `(w, b, errors_per_epoch)`:
    `w` of shape `(N,)`, `b` a float and `errors_per_epoch` a list with the number of mistakes of each
    epoch that ran (so its last entry is 0 if training converged). Use your `perceptron_predict` rule
    (class 0 on the line).
    """)
    nb.answer("perceptron_train", """
    def perceptron_train(X, y, lr, epochs):
        \"\"\"Classic perceptron rule, examples in column order, starting from w = 0, b = 0.

        X: (N, m) samples as columns; y: (m,) labels in {0, 1}; lr: learning rate eta > 0;
        epochs: the most epochs to run. Stops after the first epoch with no mistake.
        Returns (w of shape (N,), b float, errors_per_epoch list of ints).
        \"\"\"
        ### BEGIN SOLUTION
        N, m = X.shape
        w, b = np.zeros(N), 0.0
        errors_per_epoch = []
        for epoch in range(epochs):
            errors = 0
            for i in range(m):
                x_i = X[:, i]
                y_hat = 1.0 if w @ x_i + b > 0 else 0.0
                if y_hat != y[i]:
                    w = w + lr * (y[i] - y_hat) * x_i
                    b = b + lr * (y[i] - y_hat)
                    errors += 1
            errors_per_epoch.append(errors)
            if errors == 0:
                break
        return w, float(b), errors_per_epoch
        ### END SOLUTION
    """)
    nb.tests("test_perceptron_train", 2, """
    X_and, y_and = nc.data.truth_table("AND")
    w, b, errors = perceptron_train(X_and, y_and, lr=1.0, epochs=50)
    nc.checks.expect_shape(w, (2,), "w returned by perceptron_train")
    nc.checks.expect_true(len(errors) >= 1 and errors[-1] == 0,
                          f"on AND training should end with an error-free epoch; errors_per_epoch = {errors}")
    nc.checks.expect_true(all(e > 0 for e in errors[:-1]),
                          f"training must stop after the first error-free epoch; errors_per_epoch = {errors}")
    nc.checks.expect_equal(perceptron_predict(X_and, w, b), y_and, "predictions of the trained AND perceptron")
    w1, b1, errors1 = perceptron_train(X_and, y_and, lr=1.0, epochs=1)
    nc.checks.expect_true(len(errors1) == 1, f"with epochs=1 exactly one epoch runs; got errors_per_epoch = {errors1}")
    nc.checks.ok("perceptron_train learns AND.")
    """, ["perceptron_train"])
    nb.md(r"""
    Now watch it learn a real (if small) problem: two clouds of points that a line can separate.
    Each panel shows the boundary after one more epoch; the title says how many mistakes that epoch made.
    """)
    nb.code("""
    rng = np.random.default_rng(0)
    X_blobs, y_blobs = nc.data.blobs(nc.demo_size(60, 20), rng)
    fig, axes = nc.plot.subplots(1, 4, figsize=(16, 3.8))
    for k, ax in enumerate(axes, start=1):
        w, b, errors = perceptron_train(X_blobs, y_blobs, lr=0.1, epochs=k)
        nc.plot.decision_boundary(lambda P: perceptron_predict(P, w, b), X_blobs, y_blobs, ax=ax,
                                  title=f"after epoch {len(errors)}: {errors[-1]} mistakes",
                                  xlabel="$x_1$", ylabel="$x_2$")
    w, b, errors = perceptron_train(X_blobs, y_blobs, lr=0.1, epochs=100)
    nc.plot.loss_curves(errors, xlabel="epoch", ylabel="mistakes in the epoch",
                        title=f"Perceptron on separable blobs: converged after {len(errors)} epochs");
    """)

    # ------------------------------------------------------------------ 4. XOR
    nb.md(r"""
    ## 4 · The limit: XOR

    | $x_1$ | $x_2$ | $x_1$ XOR $x_2$ |
    |---|---|---|
    | 0 | 0 | 0 |
    | 0 | 1 | 1 |
    | 1 | 0 | 1 |
    | 1 | 1 | 0 |

    XOR is 1 when exactly one input is 1. Plot the four points: the two 1s sit on one diagonal, the
    two 0s on the other, and no straight line has both 1s on one side and both 0s on the other. The
    classes are not **linearly separable**, so the convergence theorem does not apply, and the
    perceptron rule never reaches an error-free epoch. See for yourself:
    """)
    nb.code("""
    X_xor, y_xor = nc.data.truth_table("XOR")
    w, b, errors = perceptron_train(X_xor, y_xor, lr=1.0, epochs=nc.demo_size(30, 10))
    fig, axes = nc.plot.subplots(1, 2, figsize=(11, 4))
    nc.plot.loss_curves(errors, ax=axes[0], xlabel="epoch", ylabel="mistakes in the epoch",
                        title="Perceptron rule on XOR: the mistakes never stop")
    nc.plot.decision_boundary(lambda P: perceptron_predict(P, w, b), X_xor, y_xor, ax=axes[1],
                              title=f"Last boundary: {int(np.sum(perceptron_predict(X_xor, w, b) != y_xor))} of 4 wrong",
                              xlabel="$x_1$", ylabel="$x_2$");
    """)
    nb.md(r"""
    **Question 4.1 (written, graded by hand).** Prove that no single perceptron computes XOR: assume some
    $w_1, w_2, b$ classify all four points correctly with the rule "class 1 iff $w_1 x_1 + w_2 x_2 + b > 0$",
    write the four inequalities this demands, and derive a contradiction.
    """)
    nb.written("xor_proof", 2, r"""
    The four points demand: $(0,0) \mapsto 0$: $b \le 0$; $(0,1) \mapsto 1$: $w_2 + b > 0$;
    $(1,0) \mapsto 1$: $w_1 + b > 0$; $(1,1) \mapsto 0$: $w_1 + w_2 + b \le 0$.
    Adding the two strict inequalities gives $w_1 + w_2 + 2b > 0$, that is $w_1 + w_2 + b > -b \ge 0$
    (because $b \le 0$), contradicting the last inequality. So no $w_1, w_2, b$ exist: the 1s and the 0s of
    XOR are not linearly separable.
    """)
    nb.md(r"""
    ### Two layers solve it

    Logic gives a way out: $A \text{ XOR } B = A\bar B + \bar A B$ ("A and not B, or not A and B").
    Each of the two terms is linearly separable, and so is the OR that joins them. So use **two layers**:

    - hidden unit $h_1 = \text{step}(x_1 - x_2 - 0.5)$ fires only for $(1, 0)$: it computes $A\bar B$;
    - hidden unit $h_2 = \text{step}(-x_1 + x_2 - 0.5)$ fires only for $(0, 1)$: it computes $\bar A B$;
    - the output $\text{step}(h_1 + h_2 - 0.5)$ is the OR of the two.

    In matrix form, the hidden layer is $h = \text{step}(W^{[1]} X + b^{[1]})$ with
    $W^{[1]} = \begin{pmatrix} 1 & -1 \\ -1 & 1 \end{pmatrix}$, $b^{[1]} = \begin{pmatrix} -0.5 \\ -0.5 \end{pmatrix}$,
    and the output is $\text{step}(w^{[2]\top} h + b^{[2]})$ with $w^{[2]} = (1, 1)$, $b^{[2]} = -0.5$.
    This is a **multi-layer perceptron**, the subject of the next notebook.

    **Exercise 4.2.** Write `xor_network(X)` for `X` of shape `(2, m)` holding 0/1 inputs: two layers of
    step units with the weights above (or any others you justify), returning the 0/1 outputs, shape `(m,)`.
    Use your `step`.
    """)
    nb.answer("xor_network", """
    def xor_network(X):
        \"\"\"XOR of the two rows of X with two layers of step units, weights set by hand.

        X: (2, m) inputs in {0, 1}. Returns a float array of shape (m,) with entries in {0, 1}.
        \"\"\"
        ### BEGIN SOLUTION
        W1 = np.array([[1.0, -1.0], [-1.0, 1.0]])   # h1 = A and not B, h2 = not A and B
        b1 = np.array([[-0.5], [-0.5]])
        H = step(W1 @ X + b1)                      # (2, m)
        w2, b2 = np.array([1.0, 1.0]), -0.5        # OR of h1 and h2
        return step(w2 @ H + b2)
        ### END SOLUTION
    """)
    nb.tests("test_xor_network", 2, """
    X_xor, y_xor = nc.data.truth_table("XOR")
    nc.checks.expect_equal(xor_network(X_xor), y_xor, "xor_network on the XOR truth table")
    nc.checks.ok("xor_network computes XOR.")
    """, ["xor_network"])
    nb.code("""
    nc.plot.decision_boundary(lambda P: xor_network((P > 0.5).astype(float)), X_xor, y_xor,
                              title="Two layers of step units: XOR regions (inputs rounded to 0/1)",
                              xlabel="$x_1$", ylabel="$x_2$");
    """)
    nb.md(r"""
    ## Summary

    - A neuron computes $\varphi(w^\top x + b)$; the bias is the weight of an always-on input.
    - A perceptron (step activation) separates two classes by the hyperplane $w^\top x + b = 0$; it
      computes AND, OR and NOT, and the perceptron rule learns any linearly separable problem.
    - XOR is not linearly separable: no single perceptron computes it, but two layers do
      ($A\bar B + \bar A B$). Stacking layers is what the next notebook, *02 · the multi-layer
      perceptron*, is about; there the step is replaced by smooth activations so that the weights can
      be learned by gradient descent instead of set by hand.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
