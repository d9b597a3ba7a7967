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

    **Notation, and where the lectures differ.** In this course $y$ is always the *true* label and
    $\hat y$ (`y_hat` in code) is what the model *predicts*. Watch out: lectures 000 and 004 use the
    hat the other way round; there $\hat y$ is the observed label and the model's output is
    $f(x; \theta)$. Lecture 003 writes the label as $y$, as we do.
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

    The weights $w$ and the bias $b$ are the neuron's parameters. You can treat $b$ as one more weight
    whose input is stuck at the value 1: set $x_0 = 1$ and $w_0 = b$, and the sum becomes
    $\sum_{i=0}^{N} w_i x_i$. Without it, the line $w^\top x = 0$ would always pass through the
    origin; the bias shifts it, which lets the neuron prefer one answer when the evidence is weak.

    With all $m$ samples as the columns of `X`, the $m$ pre-activations are one matrix product:
    $z = w^\top X + b$, a vector of shape `(m,)`, which in numpy reads `w @ X + b`
    (`w` has shape `(N,)`, `X` shape `(N, m)`, and the number `b` is added to every entry).

    *Lecture notation.* Lecture 000 writes one neuron as $\sigma(Wx + b)$ with $W = [w_1\ w_2]$ a row
    of weights: that row is our $w^\top$. The lectures also name the activation differently. Lectures
    000 and 004 put $\sigma(\cdot)$ in the heading of their activation table but $\phi(z)$ in its rows;
    lecture 001 keeps $\sigma$ for the logistic sigmoid and calls other activations $f$ and $g$;
    lecture 003 writes $a[\cdot]$. Here a generic activation is $\varphi$, and $\sigma$ is only ever
    the logistic sigmoid.
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
    (The lectures' table also lists a linear and a piecewise-linear activation; you will not need
    them here. ReLU is not in that table, but it is on the slide right after it.)

    **Exercise 1.1.** Write `step(z)` and `sign(z)`. Each takes an array `z` of any shape (a 0-d array
    or a plain number included) and returns a float array of the same shape. Hint:
    `np.where(condition, a, b)` picks `a` where the condition holds and `b` elsewhere, entry by entry;
    for three cases, nest one `np.where` inside another. `np.asarray(z, dtype=float)` turns a number
    or a list into an array first.
    """)
    nb.answer("step", """
    def step(z):
        \"\"\"Unit step: 0 where z < 0, 0.5 where z == 0, 1 where z > 0.

        z: array of any shape (or a number). Returns a float array of the same shape.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        z = np.asarray(z, dtype=float)
        return np.heaviside(z, 0.5)   # the same as np.where(z > 0, 1.0, np.where(z < 0, 0.0, 0.5)), and NaN stays NaN
        ### END SOLUTION
    """)
    nb.tests("test_step", 1, """
    nc.checks.expect_close(nc.checks.call(step, np.array([-2.0, 0.0, 3.0])), [0.0, 0.5, 1.0], "step([-2, 0, 3])")
    nc.checks.expect_shape(step(np.zeros((2, 3))), (2, 3), "step of a (2, 3) array")
    nc.checks.ok("step looks right.")
    """, ["step"])
    nb.answer("sign", """
    def sign(z):
        \"\"\"Sign: -1 where z < 0, 0 where z == 0, 1 where z > 0 (float array, same shape as z). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return np.sign(np.asarray(z, dtype=float))
        ### END SOLUTION
    """)
    nb.tests("test_sign", 1, """
    nc.checks.expect_close(nc.checks.call(sign, np.array([-0.1, 0.0, 7.0])), [-1.0, 0.0, 1.0], "sign([-0.1, 0, 7])")
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
    paper from the definitions above), so it inherits the stability, and `relu`. As in Exercise 1.1,
    each function takes `z` of any shape (0-d included) and returns a float array of the same shape.

    Hint: `np.where(z >= 0, formula_1, formula_2)` is *not* enough. numpy evaluates both formulas on
    every entry before it picks, so the overflow (and its warning) still happens. Use a boolean mask
    instead: let `pos` be where $z \ge 0$, make an output array of the same shape (`np.empty_like`),
    then fill its entries at `pos` from `z[pos]` and those at `~pos` from `z[~pos]`, each with its
    own formula.
    """)
    nb.answer("sigmoid", """
    def sigmoid(z):
        \"\"\"Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow.

        z: array of any shape. Returns a float array of the same shape, entries in [0, 1].
        Leaves its input arrays unchanged.
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
    nb.tests("test_sigmoid", 2, """
    with np.errstate(all="ignore"):  # a warning is a hint below, not a failure
        s = nc.checks.call(sigmoid, np.array([-1000.0, 0.0, 1000.0]))
    nc.checks.expect_close(s, [0.0, 0.5, 1.0], "sigmoid([-1000, 0, 1000])")
    z = np.linspace(-6, 6, 13)
    nc.checks.expect_close(sigmoid(-z), 1 - sigmoid(z), "sigmoid(-z) = 1 - sigmoid(z)", rtol=1e-9, atol=1e-12)
    nc.checks.expect_close(sigmoid(np.log(3.0)), 0.75, "sigmoid(ln 3) = 3/4")
    nc.checks.advise_no_warning(sigmoid, np.array([-1000.0, 1000.0]), what="sigmoid([-1000, 1000])")
    nc.checks.ok("sigmoid looks right.")
    """, ["sigmoid"])
    nb.answer("tanh", """
    def tanh(z):
        \"\"\"Hyperbolic tangent through tanh(z) = 2 sigmoid(2z) - 1 (float array, same shape as z). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0
        ### END SOLUTION
    """)
    nb.tests("test_tanh", 1, """
    z = np.array([[-800.0, -2.0, 0.0], [0.5, 3.0, 800.0]])
    def check_tanh():
        with np.errstate(all="ignore"):
            t = nc.checks.call(tanh, z)
        nc.checks.expect_close(t, np.tanh(z), "tanh(z) against numpy's np.tanh", rtol=0, atol=1e-10)
    # a correct sigmoid on this example, from the identity itself: sigma(2z) = (1 + tanh z) / 2, sigma(-2z) = (1 - tanh z) / 2
    correct_sigmoid = nc.checks.answers([((2 * z,), (1 + np.tanh(z)) / 2), ((-2 * z,), (1 - np.tanh(z)) / 2)], "sigmoid")
    nc.checks.isolated(check_tanh, globals(), "tanh", sigmoid=correct_sigmoid)
    nc.checks.ok("tanh looks right.")
    """, ["tanh"])
    nb.answer("relu", """
    def relu(z):
        \"\"\"Rectified linear unit max(0, z) (float array, same shape as z). Leaves its input arrays unchanged.\"\"\"
        ### BEGIN SOLUTION
        return np.maximum(0.0, np.asarray(z, dtype=float))
        ### END SOLUTION
    """)
    nb.tests("test_relu", 1, """
    nc.checks.expect_close(nc.checks.call(relu, np.array([-3.0, 0.0, 2.5])), [0.0, 0.0, 2.5], "relu([-3, 0, 2.5])")
    nc.checks.expect_shape(relu(np.zeros((2, 3))), (2, 3), "relu of a (2, 3) array")
    nc.checks.ok("relu looks right.")
    """, ["relu"])
    nb.md("""
    Here are your five functions, drawn from your own code. On the left, the step and the sign both
    jump at $z = 0$ (the black dots are their values at exactly 0: $0.5$ and $0$). On the right, the
    sigmoid and tanh are smooth versions of these two jumps; tanh is the sigmoid stretched to
    $(-1, 1)$. ReLU has no upper bound at all.
    """)
    nb.code("""
    with nc.needs("step", "sign", "sigmoid", "tanh", "relu"):
        fig, axes = nc.plot.subplots(1, 2, figsize=(11, 4))
        nc.plot.activations({"step": step, "sign": sign}, ax=axes[0],
                            title="Threshold activations: step and sign", ylabel=r"$\\varphi(z)$")
        axes[0].lines[1].set_linestyle("--")  # sign dashed: it coincides with the step for z > 0
        axes[0].scatter([0.0, 0.0], [step(np.zeros(1))[0], sign(np.zeros(1))[0]], color="k", zorder=3,
                        label="value at $z = 0$")
        axes[0].legend()
        nc.plot.activations({"sigmoid": sigmoid, "tanh": tanh, "relu": relu}, ax=axes[1],
                            title="Smooth activations and ReLU", ylabel=r"$\\varphi(z)$")
        axes[1].set_ylim(-1.5, 3);
    """)

    nb.md(r"""
    **Exercise 1.3.** Write `neuron(X, w, b, activation)`: the outputs $a = \varphi(w^\top X + b)$ of one
    neuron for all the samples (columns) of `X`. `activation` is a function such as your `sigmoid`.
    `X` has shape `(N, m)`, `w` shape `(N,)`, `b` is a number; the result has shape `(m,)`.
    It is one line; no loop over the samples is needed.
    """)
    nb.answer("neuron", """
    def neuron(X, w, b, activation):
        \"\"\"Outputs of one neuron: activation(w^T X + b).

        X: (N, m) samples as columns; w: (N,) weights; b: float bias;
        activation: function applied entry by entry. Returns shape (m,).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        return activation(w @ X + b)
        ### END SOLUTION
    """)
    nb.tests("test_neuron", 1, """
    X = np.array([[1.0, 2.0, 0.0], [3.0, 4.0, 0.0]])  # 3 samples of 2 features
    w, b = np.array([1.0, -1.0]), 0.5
    nc.checks.expect_close(nc.checks.call(neuron, X, w, b, lambda z: z), [-1.5, -1.5, 0.5], "neuron(X, w, b, identity)")
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
    (Lecture 000 uses the word *perceptron* for a whole layer of such units, one per output, each
    working on its own. Here one unit with one output is enough.)

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
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        return (w @ X + b > 0).astype(float)
        ### END SOLUTION
    """)
    nb.tests("test_perceptron_predict", 1, """
    X = np.array([[2.0, -1.0, 1.0], [0.0, 0.0, 1.0]])

    def check_predict():
        nc.checks.expect_equal(nc.checks.call(perceptron_predict, X, np.array([1.0, 0.0]), 0.0), [1.0, 0.0, 1.0], "perceptron_predict")
        on_line = perceptron_predict(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), 0.0)
        nc.checks.expect_equal(on_line, [0.0], "prediction for a point exactly on the boundary")
    # if you use your step: what a correct one gives for these z = w @ X + b, (2, -1, 1) and (0)
    correct_step = nc.checks.answers([((np.array([2.0, -1.0, 1.0]),), np.array([1.0, 0.0, 1.0])),
                                      ((np.array([0.0]),), np.array([0.5]))], "step", params=("z",))
    nc.checks.isolated(check_predict, globals(), "perceptron_predict", step=correct_step)
    nc.checks.ok("perceptron_predict looks right.")
    """, ["perceptron_predict"])

    nb.md(r"""
    ### Logic gates by hand

    With inputs $x_1, x_2 \in \{0, 1\}$ a perceptron can compute **AND**, **OR** and (with one input)
    **NOT**: each is a matter of placing the line so that the 1-points and the 0-points fall on
    different sides. For AND, for instance, only $(1, 1)$ must give a positive $z$.

    Play with the widget below first: the sliders set $w_1$, $w_2$ and $b$ of a step neuron, the
    shaded side is where it answers 1, and the title counts the points it gets wrong. Find a setting
    with no mistakes for AND, then for OR. To try OR, change `"AND"` to `"OR"` and run the cell
    again. Keep every point *off* the line. The widget counts a point on the line as class 0 (as
    `perceptron_predict` does), but the check of Exercise 2.2 uses your `step`, which gives $0.5$ there,
    and $0.5$ matches neither row of a truth table. The starting setting puts $(0, 0)$ exactly on the line.
    """)
    nb.code("""
    X_and, y_and = nc.data.truth_table("AND")
    nc.widgets.neuron_widget(X_and, y_and, w=(0.5, 0.5), b=0.0)
    """)
    nb.md(r"""
    **Exercise 2.2.** Set `AND_WEIGHTS`, `OR_WEIGHTS` and `NOT_WEIGHTS`, each a pair `(w, b)` with `w` a
    numpy array (two entries for AND and OR, one for NOT) and `b` a number, so that
    `step(w @ X + b)` reproduces the truth table exactly. Here `X, y = nc.data.truth_table("AND")`
    gives `X` of shape `(2, 4)`, whose columns are the inputs $(0,0), (0,1), (1,0), (1,1)$, and the
    wanted outputs `y`, shape `(4,)`. For `"NOT"`, `X` has shape `(1, 2)` (the inputs 0 and 1).
    Hint: with $w = (1, 1)$, $w^\top x$ is $0$, $1$, $1$, $2$ on the four inputs; pick $b$ so that only
    the right ones end up above 0.
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
    nb.md(r"""
    Your three gates. For AND and OR, the shaded region is where the unit answers 1 and the black line
    is $w^\top x + b = 0$. NOT has a single input, so its "line" is one point on the $x_1$ axis where
    the output drops from 1 to 0.
    """)
    nb.code("""
    with nc.needs("AND_WEIGHTS", "OR_WEIGHTS", "NOT_WEIGHTS", "perceptron_predict", "step"):
        fig, axes = nc.plot.subplots(1, 3, figsize=(12, 3.6))
        for ax, (gate, (w, b)) in zip(axes, [("AND", AND_WEIGHTS), ("OR", OR_WEIGHTS)]):
            X, y = nc.data.truth_table(gate)
            w = np.asarray(w, dtype=float)
            nc.plot.decision_boundary(lambda P: perceptron_predict(P, w, b), X, y.astype(int), ax=ax,
                                      title=f"{gate}: w = {w.tolist()}, b = {b}", xlabel="$x_1$", ylabel="$x_2$")
        X, y = nc.data.truth_table("NOT")
        w, b = np.asarray(NOT_WEIGHTS[0], dtype=float), NOT_WEIGHTS[1]
        nc.plot.fit_1d(X, y, lambda x: step(w @ x + b), ax=axes[2], title=f"NOT: w = {w.tolist()}, b = {b}",
                       xlabel="input $x_1$", ylabel="output step($w x_1 + b$)", label="your NOT unit");
    """)

    # ------------------------------------------------------------------ 3. learning
    nb.md(r"""
    ## 3 · Learning the weights: the perceptron rule

    Setting weights by hand does not scale. The perceptron learning rule finds them from labelled
    examples $(x^{(i)}, y^{(i)})$, $y^{(i)} \in \{0, 1\}$, where $x^{(i)}$ is column $i$ of `X`
    (`X[:, i]`) and $y^{(i)}$ is `y[i]`. The lectures do not show this rule. They go straight from the
    perceptron to gradient descent, which comes in notebook 04. It is Rosenblatt's classic rule and
    needs no calculus. Start from $w = 0$, $b = 0$ and visit the examples one by one, in column order.
    For each example compute the prediction $\hat y^{(i)}$ with the rule of Exercise 2.1, using the
    *current* $w$ and $b$, and update at once, before the next example:

    $$w \leftarrow w + \eta\,(y^{(i)} - \hat y^{(i)})\,x^{(i)}, \qquad b \leftarrow b + \eta\,(y^{(i)} - \hat y^{(i)}),$$

    where $\eta > 0$ is the **learning rate** (`lr` in code). When the prediction is right,
    $y - \hat y = 0$ and nothing changes. When the neuron said 0 but should have said 1, $x$ is added
    to $w$, which raises $w^\top x$ for that example next time; the opposite mistake subtracts it.
    (Starting from zero, $\eta$ only scales $w$ and $b$ together and never changes a prediction, so
    any $\eta > 0$ makes the same mistakes. It starts to matter when the start is not zero.)

    One pass over all $m$ examples is an **epoch**. Count the mistakes (updates) in each epoch. If the
    classes can be separated by a line, the *perceptron convergence theorem* says an epoch with no
    mistake eventually comes (we use the theorem without proving it). Stop after that first error-free
    epoch, or after `epochs` epochs, whichever comes first.

    **Exercise 3.1.** Write `perceptron_train(X, y, lr, epochs)`. Inputs: `X` of shape `(N, m)` (samples
    as columns), `y` of shape `(m,)` with entries 0 or 1, the learning rate `lr` ($\eta$) and `epochs`,
    the most epochs to run. Return `(w, b, errors_per_epoch)`: `w` of shape `(N,)`, `b` a float and
    `errors_per_epoch` a list with the number of mistakes of each epoch that ran (so its last entry
    is 0 if training converged, and its length is `epochs` if it never did). Predict with the rule of
    `perceptron_predict` (class 0 on the line).

    Hint: use two nested loops, an outer one over the epochs and an inner one over the columns
    `i = 0, ..., m - 1`. Keep a mistake counter that starts at 0 in every epoch. At the end of the
    epoch, append it to the list and leave the outer loop (`break`) if it is 0.
    """)
    nb.answer("perceptron_train", """
    def perceptron_train(X, y, lr, epochs):
        \"\"\"Classic perceptron rule, examples in column order, starting from w = 0, b = 0.

        X: (N, m) samples as columns; y: (m,) labels in {0, 1}; lr: learning rate eta > 0;
        epochs: the most epochs to run. Stops after the first epoch with no mistake.
        Returns (w of shape (N,), b float, errors_per_epoch list of ints).
        Leaves its input arrays unchanged.
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
    nb.tests("test_perceptron_train", 3, """
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
    nc.checks.expect_true(np.ndim(b) == 0, f"b must be a single number, got {b!r}")
    # four points, worked by hand from w = 0, b = 0 in column order: epochs with 3, 1, 1 and 0 mistakes
    X4, y4 = np.array([[0.0, -1.0, 2.0, -1.0], [0.0, 1.0, 0.0, -2.0]]), np.array([1.0, 0.0, 1.0, 0.0])
    w4, b4, errors4 = nc.checks.call(perceptron_train, X4, y4, 0.5, 10)
    nc.checks.expect_equal(errors4, [3, 1, 1, 0], "errors_per_epoch on the four points (lr 0.5), column by column")
    nc.checks.expect_close(w4, [1.0, 0.5], "w after training on the four points (each update at once, b with lr too)")
    nc.checks.expect_close(b4, 0.5, "b after training on the four points")
    X_xor, y_xor = nc.data.truth_table("XOR")
    _, _, errors_xor = perceptron_train(X_xor, y_xor, lr=1.0, epochs=5)
    nc.checks.expect_true(len(errors_xor) == 5 and all(e > 0 for e in errors_xor),
                          "XOR is never learned, so all epochs=5 epochs must run, each with mistakes; "
                          f"got errors_per_epoch = {errors_xor}")
    nc.checks.ok("perceptron_train learns AND.")
    """, ["perceptron_train"])
    nb.claim("blobs_e1_updates", "22", cell="X_blobs = X_blobs +", pattern=r"epoch 1: (\d+) updates")
    nb.claim("blobs_e1_wrong", "30", cell="X_blobs = X_blobs +", pattern=r"epoch 1: \d+ updates during it; the line at its end gets (\d+)")
    nb.claim("blobs_clean_epoch", "6", cell="X_blobs = X_blobs +", pattern=r"first line with no point wrong: after epoch (\d+)")
    nb.claim("blobs_last_epoch", "7", cell="X_blobs = X_blobs +", pattern=r"first epoch without an update: (\d+)")
    nb.md(r"""
    Now watch it learn a real (if small) problem: two clouds of points that a line can separate. The
    clouds sit away from the origin, so the line has to be moved there, and moving it is the bias's
    job. Each panel shows the line at the **end** of one epoch. Its title gives two different counts: the
    points that line gets wrong, and the updates (mistakes) the rule made *during* the epoch, on lines that
    kept changing. In this run epoch 1 makes {{blobs_e1_updates}} updates, yet the line it ends with gets
    {{blobs_e1_wrong}} points wrong. The line after epoch {{blobs_clean_epoch}} already separates the clouds, but
    the rule only learns that in epoch {{blobs_last_epoch}}, the first epoch without an update, and stops there
    (the last panel). Notice in the curve below that the number of mistakes need not go down every epoch: an
    update that fixes one point can break others. The theorem only promises that the mistakes stop in the end.
    """)
    nb.code("""
    with nc.needs("perceptron_train", "perceptron_predict"):
        rng = np.random.default_rng(2)
        X_blobs, y_blobs = nc.data.blobs(nc.demo_size(60, 20), rng, distance=2.5)
        X_blobs = X_blobs + np.array([[3.0], [2.0]])  # move both clouds away from the origin
        w, b, errors = perceptron_train(X_blobs, y_blobs, lr=0.1, epochs=100)
        n_run = len(errors)
        shown = sorted({k for k in (1, 2, (n_run + 1) // 2, n_run) if k <= n_run})  # always includes the last epoch
        fig, axes = nc.plot.subplots(1, len(shown), figsize=(4 * len(shown), 3.8), squeeze=False)
        wrong_after = []                          # points the line at the end of each epoch gets wrong
        for k in range(1, n_run + 1):
            w_k, b_k, errors_k = perceptron_train(X_blobs, y_blobs, lr=0.1, epochs=k)  # the same run, cut after k epochs
            wrong_after.append(int(np.sum(perceptron_predict(X_blobs, w_k, b_k) != y_blobs)))
            print(f"epoch {k}: {errors_k[-1]} updates during it; the line at its end gets {wrong_after[-1]} of "
                  f"{y_blobs.size} points wrong")
        clean = next((k for k, wrong in enumerate(wrong_after, start=1) if wrong == 0), None)
        print(f"first line with no point wrong: after epoch {clean}; first epoch without an update: "
              f"{n_run if errors[-1] == 0 else None}")
        for k, ax in zip(shown, axes[0]):
            w_k, b_k, errors_k = perceptron_train(X_blobs, y_blobs, lr=0.1, epochs=k)
            nc.plot.decision_boundary(lambda P: perceptron_predict(P, w_k, b_k), X_blobs, y_blobs, ax=ax,
                                      title=f"line after epoch {k}: {wrong_after[k - 1]} wrong\\n"
                                            f"({errors_k[-1]} updates during the epoch)",
                                      xlabel="$x_1$", ylabel="$x_2$")
        status = "converged" if errors[-1] == 0 else "not converged"
        ax = nc.plot.loss_curves(errors, xlabel="epoch", ylabel="mistakes in the epoch", train_label="mistakes",
                                 title=f"Perceptron on separable blobs: {status} after {n_run} epochs")
        ax.set_xticks(range(1, n_run + 1, max(1, n_run // 10)));
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
    perceptron rule never reaches an error-free epoch. See for yourself below. On the right is the
    line after the last epoch. Two of the points lie exactly on it, and the rule counts them as class 0.
    """)
    nb.code("""
    with nc.needs("perceptron_train", "perceptron_predict"):
        X_xor, y_xor = nc.data.truth_table("XOR")
        w, b, errors = perceptron_train(X_xor, y_xor, lr=1.0, epochs=nc.demo_size(30, 10))
        fig, axes = nc.plot.subplots(1, 2, figsize=(11, 4))
        nc.plot.loss_curves(errors, ax=axes[0], xlabel="epoch", ylabel="mistakes in the epoch", train_label="mistakes",
                            title="Perceptron rule on XOR: the mistakes never stop")
        axes[0].set_ylim(-0.2, 4.5)
        axes[0].set_yticks(range(5))
        nc.plot.decision_boundary(lambda P: perceptron_predict(P, w, b), X_xor, y_xor.astype(int), ax=axes[1],
                                  title=f"Last boundary: {int(np.sum(perceptron_predict(X_xor, w, b) != y_xor))} of 4 wrong",
                                  xlabel="$x_1$", ylabel="$x_2$");
    """)
    nb.md(r"""
    Print `perceptron_train(X_xor, y_xor, lr=1.0, epochs=k)` for a few `k` and you will find
    that after the first couple of epochs, every epoch ends with the *same* $w$ and $b$. The four
    updates of an epoch cancel each other, and the rule goes round the same cycle for ever.

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

    Logic gives a way out: $A \text{ XOR } B = A\bar B + \bar A B$ ("A and not B, or not A and B";
    lecture 000 writes the same formula as $AB' + A'B$, with a prime for NOT).
    Each of the two terms is linearly separable, and so is the OR that joins them. So use **two layers**:

    - hidden unit $h_1 = \text{step}(x_1 - x_2 - 0.5)$ fires only for $(1, 0)$: it computes $A\bar B$;
    - hidden unit $h_2 = \text{step}(-x_1 + x_2 - 0.5)$ fires only for $(0, 1)$: it computes $\bar A B$;
    - the output $\text{step}(h_1 + h_2 - 0.5)$ is the OR of the two.

    In matrix form, the hidden layer is $h = \text{step}(W^{[1]} X + b^{[1]})$ with
    $W^{[1]} = \begin{pmatrix} 1 & -1 \\ -1 & 1 \end{pmatrix}$, $b^{[1]} = \begin{pmatrix} -0.5 \\ -0.5 \end{pmatrix}$,
    and the output is $\text{step}(w^{[2]\top} h + b^{[2]})$ with $w^{[2]} = (1, 1)$, $b^{[2]} = -0.5$.
    Shapes: `X` is `(2, m)`, $W^{[1]}$ is `(2, 2)`, $b^{[1]}$ is a column `(2, 1)`, so the hidden
    activations `H` are `(2, m)`, one column per sample, and the output is `(m,)`.
    The superscript in brackets is the layer number. Lecture 000 writes it without brackets
    ($W^1$, $b^1$), and we add them so that it is not read as a power.
    This is a **multi-layer perceptron**, the subject of the next notebook.

    **Exercise 4.2.** Write `xor_network(X)` for `X` of shape `(2, m)` holding 0/1 inputs: two layers of
    step units with the weights above (or any others that compute XOR), returning the 0/1 outputs,
    shape `(m,)`. Use your `step`. Hint: write $b^{[1]}$ as the column `np.array([[-0.5], [-0.5]])`
    so that it is added to every column of `W1 @ X`. With shape `(2,)` numpy would add it along the
    rows instead, which is wrong (and with `m = 2` it is silently wrong).
    """)
    nb.answer("xor_network", """
    def xor_network(X):
        \"\"\"XOR of the two rows of X with two layers of step units, weights set by hand.

        X: (2, m) inputs in {0, 1}. Returns a float array of shape (m,) with entries in {0, 1}.
        Leaves its input arrays unchanged.
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
    order = [3, 0, 2, 1, 1]  # the same inputs, shuffled and with a repeat: m = 5
    nc.checks.expect_equal(xor_network(X_xor[:, order]), y_xor[order], "xor_network on 5 inputs (columns 3, 0, 2, 1, 1 of the table)")
    nc.checks.ok("xor_network computes XOR.")
    """, ["xor_network"])
    nb.md(r"""
    Your network was built for 0/1 inputs, but it is defined on the whole plane, so we can colour the
    plane by its answer. Each hidden unit contributes one straight line; the output unit combines the
    two half-planes. With the weights above, the lines are $x_1 - x_2 = 0.5$ and $x_2 - x_1 = 0.5$,
    and the network answers 1 outside the band between them. No single line can cut the plane into
    that shape.
    """)
    nb.code("""
    with nc.needs("xor_network"):
        nc.plot.decision_boundary(lambda P: (xor_network(P) > 0.5).astype(int), X_xor, y_xor.astype(int),
                                  title="Your two-layer XOR network on the whole plane",
                                  xlabel="$x_1$", ylabel="$x_2$");
    """)
    nb.md(r"""
    ## Summary

    - A neuron computes $\varphi(w^\top x + b)$; the bias is the weight of an always-on input.
    - A perceptron (step activation) separates two classes by the hyperplane $w^\top x + b = 0$; it
      computes AND, OR and NOT, and on any linearly separable problem the perceptron rule finds
      a separating line after finitely many epochs.
    - XOR is not linearly separable: no single perceptron computes it, but two layers do
      ($A\bar B + \bar A B$). Stacking layers is what the next notebook, *02 · the multi-layer
      perceptron*, is about; there the step is replaced by smooth activations so that the weights can
      be learned by gradient descent instead of set by hand.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
