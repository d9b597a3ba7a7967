"""Source of solutions/03_losses/losses.ipynb (run `make sources`, then release it)."""
from __future__ import annotations

from pathlib import Path

from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "03_losses"
FILENAME = "losses.ipynb"

GIVEN_SIGMOID = r'''
# Given: the sigmoid of notebook 01, copied from its reference solution (run this cell, do not edit it).
def sigmoid(z):
    """Logistic sigmoid 1 / (1 + exp(-z)), computed without overflow."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])  # z < 0 here, so exp(z) < 1: no overflow
    out[~pos] = ez / (1.0 + ez)
    return out
'''


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p03")

    nb.md(r"""
    # 03 · Loss functions

    A network with random weights (notebook 02) computes *some* function. To make it compute a
    useful one we need a number that says how wrong it is on the training data: the **loss**
    (or cost) $L(\theta)$. Training then looks for the parameters $\theta^* = \arg\min_\theta L(\theta)$
    (lecture 000). This notebook writes the losses of the lectures, each with its gradient, makes the
    two that involve exponentials numerically safe, looks at their shapes, and ends with where they
    come from.

    **One API for every loss.** Each loss takes the network's output first and the targets second and
    returns a pair `(loss, gradient)`: the loss is a number, **averaged over the $m$ samples** (the
    columns), and the gradient is the derivative of that number with respect to the *first* argument,
    an array of the first argument's shape. Notebook 05 feeds that gradient into backpropagation.

    **Notation, and where the lectures differ.** As in notebook 01, $y$ is the true target and $\hat y$
    (`Y_hat`) the network's output; lectures 000 and 004 use the hat the other way round (their $\hat y$
    is the target, $f(x; \theta)$ the output), and lecture 001 writes $o$ for the output and $t$ for the
    target. The lectures first define the loss as a **sum** over the training samples
    ($C(\theta) = \sum_k \dots$ in 000 and 004, $\sum_n$ in 001, $\sum_i$ in 003) and later switch to
    the **average** (000 and 004 with $\frac1K \sum_k$ when they introduce stochastic gradient descent,
    001 with $\frac1N \sum_n$ for classification). We always average: it only rescales the loss and its
    gradient by $1/m$, and it does not depend on the batch size, so the same learning rate works for a
    batch of 10 and of 1000. Lecture 001 puts a $\tfrac12$ in front of the square loss; we do not (as
    lectures 000, 003 and 004), so our gradient has a factor 2.
    """)
    nb.setup("""
    import numpy as np
    import nbcourse as nc
    from nbcourse.ready import needs
    """)
    nb.md("The sigmoid comes from notebook 01 (its reference solution):")
    nb.given(GIVEN_SIGMOID)

    # ------------------------------------------------------------------ 1. regression: square loss
    nb.md(r"""
    ## 1 · The square loss

    For regression the output $\hat y$ should simply be close to $y$. The **square loss** of one sample
    with $n$ outputs is $\sum_{k=1}^n (\hat y_k - y_k)^2$; averaged over the $m$ columns of a batch,

    $$L = \frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{n} \big(\hat Y_{ki} - Y_{ki}\big)^2, \qquad
    \frac{\partial L}{\partial \hat Y_{ki}} = \frac{2}{m}\,\big(\hat Y_{ki} - Y_{ki}\big).$$

    Note what is averaged: the samples, not the outputs. (Lecture 004 writes the loss of one sample,
    $(y - f(x))^2$; lecture 001 writes $\sum_k \tfrac12 (o_k - t_k)^2$.)

    **Exercise 1.1.** Write `square_loss(Y_hat, Y)`: `Y_hat` and `Y` of the same shape `(n, m)`. Return
    `(loss, dY_hat)`: `loss` a float, `dY_hat` of shape `(n, m)`.
    """)
    nb.answer("square_loss", r'''
    def square_loss(Y_hat, Y):
        """Mean over the m samples (columns) of the summed squared error, and its gradient.

        Y_hat, Y: (n, m). Returns (loss: float, dY_hat: (n, m) = 2 (Y_hat - Y) / m).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        m = Y.shape[1]
        diff = Y_hat - Y
        return float(np.sum(diff ** 2) / m), 2.0 * diff / m
        ### END SOLUTION
    ''')
    nb.tests("test_square_loss", 2, r'''
    Y_hat = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]])   # 2 outputs, 3 samples
    Y = np.array([[0.0, 2.0, 1.0], [0.0, 3.0, 1.0]])
    loss, grad = nc.checks.call(square_loss, Y_hat, Y)
    # By hand: squared errors 1, 0, 1 and 0, 4, 0 sum to 6, over m = 3 samples: 2.
    nc.checks.expect_close(loss, 2.0, "square_loss on the 2 x 3 example (sum 6 over 3 samples)")
    nc.checks.expect_close(grad, 2 * (Y_hat - Y) / 3, "its gradient 2 (Y_hat - Y) / m")
    rng = np.random.default_rng(0)
    Yh, Yt = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    report = nc.gradcheck.check_scalar(lambda A: square_loss(A, Yt)[0], Yh, square_loss(Yh, Yt)[1])
    nc.checks.expect_true(report.passed, f"your gradient disagrees with finite differences: {report}")
    nc.checks.ok("square_loss looks right.")
    ''', ["square_loss"])

    # ------------------------------------------------------------------ 2. binary classification
    nb.md(r"""
    ## 2 · Two classes: hinge, binary cross-entropy, and cross-entropy from logits

    For a yes/no answer the network gives one number per sample. Two conventions for the label:

    - **labels $y \in \{-1, +1\}$ and a score $s = f(x)$** (a raw output, any real number). The sign of
      $s$ is the prediction, and the **margin** $y\,s$ is positive when it is right, and large when it is
      confidently right. The **hinge loss** $\max(0, 1 - y s)$ (lecture 000, 004) is zero once the margin
      passes 1 and grows linearly below it;
    - **labels $y \in \{0, 1\}$ and a probability $p = \sigma(z)$** of class 1. The **binary
      cross-entropy** (lecture 004) is $-y \log p - (1 - y)\log(1 - p)$: $-\log p$ when $y = 1$,
      $-\log(1 - p)$ when $y = 0$. It is huge when the network is confidently wrong.

    Every binary loss here takes two arrays of the same shape, usually `(1, m)`: one row, one column per
    sample (a vector of shape `(m,)` works too). In both cases $m$ is the size of the **last** axis:
    `m = y.shape[-1]`. As always, the loss is summed over the entries and divided by $m$.

    **Exercise 2.1.** Write `hinge_loss(scores, y)` with `y` in $\{-1, +1\}$:
    $L = \frac1m \sum_i \max(0, 1 - y_i s_i)$. Its gradient with respect to $s_i$ is $-y_i / m$ where the
    margin $y_i s_i < 1$ and $0$ where $y_i s_i > 1$. At a margin of exactly 1 the hinge has a kink
    and no derivative; use $0$ there (any value between is a valid *subgradient*; the tests avoid that point).
    """)
    nb.answer("hinge_loss", r'''
    def hinge_loss(scores, y):
        """Mean hinge loss max(0, 1 - y s) over the m samples, and its (sub)gradient with respect to the scores.

        scores, y: same shape, (1, m) or (m,); y in {-1, +1}; m = y.shape[-1].
        Returns (loss: float, dscores: shape of scores; -y / m where y s < 1, else 0).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        m = y.shape[-1]
        margin = y * scores
        return float(np.sum(np.maximum(0.0, 1.0 - margin)) / m), np.where(margin < 1.0, -y, 0.0) / m
        ### END SOLUTION
    ''')
    nb.tests("test_hinge_loss", 2, r'''
    s = np.array([[2.0, 0.5, -1.0, -3.0]])
    y = np.array([[1.0, 1.0, 1.0, -1.0]])
    loss, grad = nc.checks.call(hinge_loss, s, y)
    # By hand: margins 2, 0.5, -1, 3 -> losses 0, 0.5, 2, 0; mean over 4 samples: 0.625.
    nc.checks.expect_close(loss, 0.625, "hinge_loss on 4 samples with margins 2, 0.5, -1, 3 "
                                        "(m = 4 = y.shape[-1], the last axis, not y.shape[0])")
    nc.checks.expect_close(grad, [[0.0, -0.25, -0.25, 0.0]], "its gradient: -y/m where the margin is below 1, else 0")
    nc.checks.expect_close(hinge_loss(np.array([0.2, -0.2]), np.array([1.0, -1.0]))[0], 0.8,
                           "hinge_loss on plain vectors of shape (2,): margins 0.2 and 0.2")
    nc.checks.ok("hinge_loss looks right.")
    ''', ["hinge_loss"])

    nb.md(r"""
    **Exercise 2.2.** Write `binary_cross_entropy(p, y)` for probabilities `p` strictly between 0 and 1
    and labels `y` in $\{0, 1\}$, same shape. Derive its gradient with respect to $p$ first (on paper):

    $$\frac{\partial}{\partial p}\Big[-y\log p - (1-y)\log(1-p)\Big] = -\frac{y}{p} + \frac{1-y}{1-p} = \frac{p - y}{p\,(1-p)},$$

    then divide by $m$ as always. It is what a network whose last layer already applied the sigmoid
    would receive. (Clip nothing: the tests only use $p$ well inside $(0, 1)$. The next exercise
    shows how to avoid $\log 0$ altogether.)
    """)
    nb.answer("binary_cross_entropy", r'''
    def binary_cross_entropy(p, y):
        """Mean binary cross-entropy -y log p - (1 - y) log(1 - p) and its gradient with respect to p.

        p: probabilities in (0, 1); y: labels in {0, 1}, same shape; m = y.shape[-1].
        Returns (loss: float, dp = (p - y) / (p (1 - p) m)).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        m = y.shape[-1]
        loss = -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) / m
        return float(loss), (p - y) / (p * (1.0 - p)) / m
        ### END SOLUTION
    ''')
    nb.tests("test_binary_cross_entropy", 2, r'''
    p = np.array([[0.9, 0.2, 0.5]])
    y = np.array([[1.0, 0.0, 1.0]])
    loss, grad = nc.checks.call(binary_cross_entropy, p, y)
    nc.checks.expect_close(loss, -(np.log(0.9) + np.log(0.8) + np.log(0.5)) / 3,
                           "binary_cross_entropy: -(log 0.9 + log 0.8 + log 0.5) / 3")
    nc.checks.expect_close(grad, [[-1 / 0.9 / 3, 1 / 0.8 / 3, -1 / 0.5 / 3]], "its gradient: -1/p (y = 1) or 1/(1-p) (y = 0), over m = 3")
    rng = np.random.default_rng(1)
    P, Yb = rng.uniform(0.1, 0.9, size=(1, 6)), rng.integers(0, 2, size=(1, 6)).astype(float)
    report = nc.gradcheck.check_scalar(lambda A: binary_cross_entropy(A, Yb)[0], P, binary_cross_entropy(P, Yb)[1])
    nc.checks.expect_true(report.passed, f"your gradient disagrees with finite differences: {report}")
    nc.checks.ok("binary_cross_entropy looks right.")
    ''', ["binary_cross_entropy"])

    nb.md(r"""
    ### Sigmoid and cross-entropy together: the derivation

    In practice the network outputs a **logit** $z$ (the output layer's pre-activation) and the loss
    applies the sigmoid itself. Composing the two simplifies a lot. With $p = \sigma(z)$:

    1. $\log p = \log \frac{1}{1 + e^{-z}} = -\log(1 + e^{-z})$.
    2. $1 - p = \frac{e^{-z}}{1 + e^{-z}} = \frac{1}{1 + e^{z}}$, so $\log(1 - p) = -\log(1 + e^{z})$.
    3. The loss of one sample is therefore
       $$\ell(z, y) = y \log(1 + e^{-z}) + (1 - y)\log(1 + e^{z}) = \log(1 + e^{z}) - y\,z,$$
       the last form from $\log(1 + e^{-z}) = \log(1 + e^{z}) - z$.
    4. Its derivative: $\frac{d}{dz}\log(1 + e^{z}) = \frac{e^{z}}{1 + e^{z}} = \sigma(z)$, so
       $$\frac{\partial \ell}{\partial z} = \sigma(z) - y.$$
       The same comes from the chain rule: $\frac{\partial \ell}{\partial p}\cdot\frac{dp}{dz} = \frac{p - y}{p(1-p)} \cdot p(1-p) = p - y$
       (lecture 001 shows this step). The awkward $p(1-p)$ cancels.

    And $\log(1 + e^{z})$ is a **log-sum-exp**, $\log(e^0 + e^z)$, which numpy computes without overflow
    as `np.logaddexp(0, z)` (it factors out the larger of the two exponents, as your sigmoid did).

    **Exercise 2.3.** Write `sigmoid_binary_cross_entropy(z, y)` from logits `z` (any real numbers,
    up to $\pm 1000$ and beyond) and labels `y` in $\{0, 1\}$: loss $\frac1m \sum_i \big[\log(1 + e^{z_i}) - y_i z_i\big]$
    via `np.logaddexp`, gradient $(\sigma(z) - y)/m$ via the given `sigmoid`. No overflow, no NaN, no
    infinite loss for any finite `z`.
    """)
    nb.answer("sigmoid_binary_cross_entropy", r'''
    def sigmoid_binary_cross_entropy(z, y):
        """Binary cross-entropy of sigmoid(z), computed stably from the logits z, and its gradient.

        z: logits; y: labels in {0, 1}, same shape; m = y.shape[-1].
        Returns (loss: float = mean of log(1 + e^z) - y z, dz = (sigmoid(z) - y) / m).
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        m = y.shape[-1]
        loss = np.sum(np.logaddexp(0.0, z) - y * z) / m
        return float(loss), (sigmoid(z) - y) / m
        ### END SOLUTION
    ''')
    nb.tests("test_sigmoid_binary_cross_entropy", 2, r'''
    z = np.array([[0.0, 2.0, -1.0]])
    y = np.array([[1.0, 0.0, 0.0]])
    loss, grad = nc.checks.call(sigmoid_binary_cross_entropy, z, y)
    nc.checks.expect_close(loss, (np.log(2.0) + np.log(1 + np.exp(2.0)) + np.log(1 + np.exp(-1.0))) / 3,
                           "sigmoid_binary_cross_entropy: (log 2 + log(1 + e^2) + log(1 + e^-1)) / 3")
    nc.checks.expect_close(grad, (sigmoid(z) - y) / 3, "its gradient (sigmoid(z) - y) / m")
    with np.errstate(all="ignore"):
        big_loss, big_grad = sigmoid_binary_cross_entropy(np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]]))
    nc.checks.expect_finite(big_loss, "the loss for logits +-1000, confidently wrong (must be 1000, not inf or nan)")
    nc.checks.expect_close(big_loss, 1000.0, "the loss for z = (1000, -1000), y = (0, 1): (1000 + 1000) / 2")
    nc.checks.expect_close(big_grad, [[0.5, -0.5]], "the gradient for z = (1000, -1000), y = (0, 1)")
    nc.checks.advise_no_warning(sigmoid_binary_cross_entropy, np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]]),
                                what="sigmoid_binary_cross_entropy for logits +-1000")
    nc.checks.ok("sigmoid_binary_cross_entropy looks right.")
    ''', ["sigmoid_binary_cross_entropy"])
    nb.md(r"""
    The derivation, checked numerically: centred finite differences of *your* loss against *your*
    gradient, at random logits (`nc.gradcheck` names the entry that is worst, and its two values).
    """)
    nb.code(r'''
    with needs("sigmoid_binary_cross_entropy"):
        rng = np.random.default_rng(2)
        z, y = rng.normal(0, 3, size=(1, 8)), rng.integers(0, 2, size=(1, 8)).astype(float)
        report = nc.gradcheck.check_scalar(lambda v: sigmoid_binary_cross_entropy(v, y)[0], z,
                                           sigmoid_binary_cross_entropy(z, y)[1])
        print(report)
        print("worst entry:", report.worst_entry)
    ''')

    # ------------------------------------------------------------------ 3. multi-class
    nb.md(r"""
    ## 3 · Many classes: one-hot targets, softmax, cross-entropy

    With $C$ classes the network has $C$ outputs per sample, the logits $z_1, \dots, z_C$, and the
    target is written **one-hot**: a column of $C$ zeros with a 1 at the true class (lecture 004; lecture
    001 calls it "1-K encoding", also known as 1-of-K). For $m$ samples, the targets form an array `Y` of shape $(C, m)$.

    **Exercise 3.1.** Write `one_hot(labels, n_classes)`: `labels` an integer array of shape `(m,)`
    with entries in $0, \dots, C-1$; return the float array `Y` of shape `(C, m)` with `Y[labels[i], i] = 1`.
    Use `n_classes`, not the largest label: a batch may miss some classes.
    """)
    nb.answer("one_hot", r'''
    def one_hot(labels, n_classes):
        """One-hot columns: labels (m,) ints in 0..C-1 -> float array (C, m) with Y[labels[i], i] = 1. Leaves its input arrays unchanged."""
        ### BEGIN SOLUTION
        labels = np.asarray(labels, dtype=int)
        Y = np.zeros((n_classes, labels.size))
        Y[labels, np.arange(labels.size)] = 1.0
        return Y
        ### END SOLUTION
    ''')
    nb.tests("test_one_hot", 1, r'''
    Y = nc.checks.call(one_hot, np.array([2, 0, 2]), 4)
    nc.checks.expect_shape(Y, (4, 3), "one_hot([2, 0, 2], 4): C = 4 rows (n_classes, not the largest label + 1), "
                                      "m = 3 columns")
    nc.checks.expect_equal(Y, [[0, 1, 0], [0, 0, 0], [1, 0, 1], [0, 0, 0]], "one_hot([2, 0, 2], 4)")
    nc.checks.ok("one_hot looks right.")
    ''', ["one_hot"])

    nb.md(r"""
    The **softmax** turns logits into probabilities, column by column (lecture 001):

    $$p_k = \frac{e^{z_k}}{\sum_{j=1}^{C} e^{z_j}}, \qquad k = 1, \dots, C.$$

    Every $p_k$ is positive and they sum to 1; the largest logit gets the largest probability. Adding
    the same number $c$ to every logit of a column changes nothing (the $e^c$ cancels), and that is the
    way to keep it from overflowing: subtract each column's **maximum** first, so the largest exponent is
    $e^0 = 1$ and nothing overflows (the smallest may underflow to 0, which is harmless).

    **Exercise 3.2.** Write `softmax(Z)` for logits `Z` of shape `(C, m)`: normalise each **column**
    (`axis=0`, with `keepdims=True` so that the shapes broadcast), after subtracting each column's own
    maximum. It must give correct probabilities for logits of $\pm 1000$.
    """)
    nb.answer("softmax", r'''
    def softmax(Z):
        """Softmax of each column of Z (C, m), stable for large logits. Returns (C, m), columns summing to 1. Leaves its input arrays unchanged."""
        ### BEGIN SOLUTION
        E = np.exp(Z - np.max(Z, axis=0, keepdims=True))
        return E / np.sum(E, axis=0, keepdims=True)
        ### END SOLUTION
    ''')
    nb.tests("test_softmax", 2, r'''
    P = nc.checks.call(softmax, np.array([[0.0, 1.0], [np.log(3.0), 1.0]]))
    nc.checks.expect_close(P, [[0.25, 0.5], [0.75, 0.5]], "softmax of the columns (0, ln 3) and (1, 1)")
    Z = np.random.default_rng(3).normal(size=(4, 6))
    nc.checks.expect_close(softmax(Z).sum(axis=0), np.ones(6), "the column sums of softmax(Z), Z of shape (4, 6) (normalise over axis 0)")
    with np.errstate(all="ignore"):
        P_big = softmax(np.array([[1000.0, -1000.0], [0.0, -1000.0]]))
    nc.checks.expect_finite(P_big, "softmax of logits +-1000 (did you subtract each column's maximum?)")
    nc.checks.expect_close(P_big, [[1.0, 0.5], [0.0, 0.5]], "softmax of the columns (1000, 0) and (-1000, -1000)")
    with np.errstate(all="ignore"):
        P_far = softmax(np.array([[1000.0], [-1000.0]]))
    nc.checks.expect_finite(P_far, "softmax of the column (1000, -1000) (its mean is 0, so subtracting the mean does not "
                                   "help: subtract the column's maximum)")
    nc.checks.expect_close(P_far, [[1.0], [0.0]], "softmax of the column (1000, -1000)")
    nc.checks.ok("softmax looks right.")
    ''', ["softmax"])

    nb.md(r"""
    ### Softmax and cross-entropy together: the derivation

    The **cross-entropy** of one sample with one-hot target $y$ and probabilities $p = \text{softmax}(z)$ is
    $\ell = -\sum_k y_k \log p_k$, which is $-\log p_t$ for the true class $t$ (lecture 004). Again the
    composition simplifies:

    1. $\log p_k = z_k - \log \sum_j e^{z_j}$.
    2. So $\ell = -\sum_k y_k z_k + \big(\sum_k y_k\big) \log \sum_j e^{z_j} = -\sum_k y_k z_k + \log\sum_j e^{z_j}$, since the $y_k$ sum to 1.
    3. $\frac{\partial}{\partial z_k} \log\sum_j e^{z_j} = \frac{e^{z_k}}{\sum_j e^{z_j}} = p_k$, hence
       $$\frac{\partial \ell}{\partial z_k} = p_k - y_k, \qquad \text{for a batch: } \frac{\partial L}{\partial Z} = \frac{1}{m}\big(\text{softmax}(Z) - Y\big).$$

    (Lecture 001 arrives at the same $p - t$ on its back-propagation slide; its earlier slide on
    multi-class classification shows $(o_k - t_k)\,o_k(1 - o_k)$, which is the derivative of the *square*
    loss through one sigmoid-like output, not of the cross-entropy through a softmax.)

    Step 2 is also how to compute the loss safely: $\log\sum_j e^{z_j}$ is a **log-sum-exp**,
    $\text{LSE}(z) = \max_j z_j + \log\sum_j e^{z_j - \max_j z_j}$. Taking `np.log(softmax(Z))` instead fails when a
    probability underflows to 0: $\log 0 = -\infty$, though the true loss is finite.

    **Exercise 3.3.** Write `cross_entropy(Z, Y)`: logits `Z` and one-hot targets `Y`, both `(C, m)`.
    Loss $\frac1m \sum_i \big[\text{LSE}(z^{(i)}) - \sum_k Y_{ki} Z_{ki}\big]$ computed with the max
    subtraction; gradient $(\text{softmax}(Z) - Y)/m$. Finite for logits of $\pm 1000$.
    """)
    nb.answer("cross_entropy", r'''
    def cross_entropy(Z, Y):
        """Mean softmax cross-entropy from logits Z (C, m) and one-hot targets Y (C, m), and its gradient.

        Returns (loss: float, dZ = (softmax(Z) - Y) / m of shape (C, m)); stable for large logits.
        Leaves its input arrays unchanged.
        """
        ### BEGIN SOLUTION
        m = Z.shape[1]
        Z_max = np.max(Z, axis=0, keepdims=True)
        lse = Z_max + np.log(np.sum(np.exp(Z - Z_max), axis=0, keepdims=True))   # (1, m)
        loss = np.sum(lse - np.sum(Y * Z, axis=0, keepdims=True)) / m
        return float(loss), (softmax(Z) - Y) / m
        ### END SOLUTION
    ''')
    nb.tests("test_cross_entropy", 2, r'''
    Z = np.array([[0.0, 1.0], [np.log(3.0), 1.0]])
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    Z_far = np.array([[1000.0], [-1000.0]])

    def check_worked():
        loss, grad = nc.checks.call(cross_entropy, Z, Y)
        # By hand: p_true = 3/4 for sample 1 and 1/2 for sample 2; loss = -(log 0.75 + log 0.5) / 2.
        nc.checks.expect_close(loss, -(np.log(0.75) + np.log(0.5)) / 2, "cross_entropy, two samples worked by hand")
        nc.checks.expect_close(grad, [[0.125, -0.25], [-0.125, 0.25]], "its gradient (softmax(Z) - Y) / m")
        with np.errstate(all="ignore"):
            big, big_grad = cross_entropy(Z_far, np.array([[0.0], [1.0]]))
        nc.checks.expect_close(big, 2000.0, "cross_entropy for logits (1000, -1000) with the true class the unlikely one "
                                            "(2000, not inf or nan: use log-sum-exp, not log(softmax))")
        nc.checks.expect_close(big_grad, [[1.0], [-1.0]], "its gradient there")
    # a correct softmax on these logits (and on them minus each column's maximum), worked by hand
    correct_softmax = nc.checks.answers([((Z,), np.array([[0.25, 0.5], [0.75, 0.5]])),
                                         ((Z - Z.max(axis=0),), np.array([[0.25, 0.5], [0.75, 0.5]])),
                                         ((Z_far,), np.array([[1.0], [0.0]])), ((Z_far - 1000.0,), np.array([[1.0], [0.0]]))],
                                        "softmax", params=("Z",))
    nc.checks.isolated(check_worked, globals(), "cross_entropy", softmax=correct_softmax)
    rng = np.random.default_rng(4)
    Zr, Yr = rng.normal(size=(5, 4)), np.eye(5)[:, [0, 3, 3, 1]]
    report = nc.gradcheck.check_scalar(lambda A: cross_entropy(A, Yr)[0], Zr, cross_entropy(Zr, Yr)[1])
    nc.checks.expect_true(report.passed, f"your gradient disagrees with finite differences: {report}")
    nc.checks.ok("cross_entropy looks right.")
    ''', ["cross_entropy"])
    nb.md(r"""
    The softmax cross-entropy derivation, checked numerically on random logits of 4 classes and 6 samples:
    """)
    nb.code(r'''
    with needs("one_hot", "cross_entropy"):
        rng = np.random.default_rng(5)
        Z = rng.normal(0, 2, size=(4, 6))
        Y = one_hot(rng.integers(0, 4, size=6), 4)
        report = nc.gradcheck.check_scalar(lambda A: cross_entropy(A, Y)[0], Z, cross_entropy(Z, Y)[1])
        display(report)
        print("worst entry:", report.worst_entry, "- analytic", report.analytic, "numeric", report.numeric)
    ''')
    nb.md(r"""
    **Move a logit.** Three classes, the true one is class 0. Raise $z_0$ and its probability goes up and
    the cross-entropy $-\log p_0$ goes down towards 0, but never reaches it. Lower $z_0$ below the others and
    the loss grows about linearly: confidently wrong costs a lot. Raise all three together (move each by
    the same amount) and nothing changes: only differences of logits matter.
    """)
    nb.code(r'''
    from nbcourse import losses_widgets

    with needs("softmax", "cross_entropy"):
        display(losses_widgets.softmax_widget(softmax, cross_entropy, logits=(2.0, 1.0, 0.1), target=0))
    ''')

    # ------------------------------------------------------------------ 4. stability
    nb.md(r"""
    ## 4 · What breaks without the stable forms

    The formulas on paper are all fine; the floats are not. `np.exp(710)` is already larger than the
    largest float64 (about $1.8 \times 10^{308}$), and `np.exp(-746)` is 0. Below, the naive forms
    written straight from the definitions, next to yours, on logits of $\pm 1000$. The naive softmax
    computes $e^{1000}/e^{1000} = \infty/\infty$: NaN. The naive sigmoid cross-entropy computes
    $\sigma(1000) = 1$ exactly, then $\log(1 - 1) = -\infty$: an infinite loss, and its gradient would
    be NaN. numpy's warnings are collected and printed.
    """)
    nb.code(r'''
    import warnings

    def naive_softmax(Z):
        E = np.exp(Z)
        return E / E.sum(axis=0, keepdims=True)

    def naive_sigmoid_bce(z, y):
        p = 1 / (1 + np.exp(-z))
        return float(np.sum(-y * np.log(p) - (1 - y) * np.log(1 - p)) / y.shape[-1])

    def show(label, fn, *args):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with np.errstate(all="warn", under="ignore"):   # underflow to 0 is harmless
                value = fn(*args)
        said = "; ".join(sorted({str(w.message) for w in caught})) or "no warning"
        print(f"{label:44s} {np.array2string(np.asarray(value, dtype=float).ravel(), precision=4)}   [{said}]")

    Z = np.array([[1000.0], [999.0], [-1000.0]])
    z, y = np.array([[1000.0, -1000.0]]), np.array([[0.0, 1.0]])
    show("naive softmax of (1000, 999, -1000):", naive_softmax, Z)
    show("naive sigmoid + log, z = (1000, -1000):", naive_sigmoid_bce, z, y)
    with needs("softmax", "sigmoid_binary_cross_entropy", "cross_entropy"):
        show("your softmax:", softmax, Z)
        show("your sigmoid_binary_cross_entropy (loss):", lambda *a: sigmoid_binary_cross_entropy(*a)[0], z, y)
        show("your cross_entropy, true class (1000):", lambda A: cross_entropy(A, np.array([[1.0], [0.0], [0.0]]))[0], Z)
        show("your cross_entropy, true class (-1000):", lambda A: cross_entropy(A, np.array([[0.0], [0.0], [1.0]]))[0], Z)
    ''')

    # ------------------------------------------------------------------ 5. pictures
    nb.md(r"""
    ## 5 · The losses side by side

    For two classes with labels $y \in \{-1, +1\}$ and a score $f(x)$, every loss is a function of the margin
    $y f(x)$ alone (for $y^2 = 1$, $(y - f)^2 = (1 - y f)^2$: this is the margin form lecture 000 writes).
    Below, each drawn from your functions, with one sample per margin value:

    - **0-1 loss**: 1 for a wrong answer (margin $\le 0$), 0 for a right one. This is what we really
      care about, but it is flat almost everywhere: its gradient says nothing.
    - **square loss** $(1 - y f)^2$: it punishes margins above 1 too, "too right" answers.
    - **hinge** $\max(0, 1 - y f)$: zero beyond margin 1, linear below.
    - **logistic** $\log(1 + e^{-y f})$, the sigmoid cross-entropy with $z = f$ and label $(y + 1)/2$;
      divided by $\log 2$ it passes through $(0, 1)$ like the others. (Lecture 000's table writes its
      "logistic loss" as $-\hat y \log f(x; \theta)$, the $y = 1$ term of the binary cross-entropy with
      $f$ a probability; with labels $\pm 1$ and a raw score $f$, both terms together are this
      $\log(1 + e^{-y f})$.)

    The hinge, the logistic and (below margin 1) the square loss lie above the 0-1 loss: minimising
    them pushes the number of mistakes down, and they have useful gradients.
    """)
    nb.code(r'''
    with needs("square_loss", "hinge_loss", "sigmoid_binary_cross_entropy"):
        t = np.linspace(-2.5, 3.0, 221)
        one = np.array([[1.0]])
        per_margin = lambda loss: [loss(np.array([[v]])) for v in t]     # label +1, score v: margin v
        fig, ax = nc.plot.subplots(figsize=(7.5, 4.5))
        ax.plot(t, (t <= 0).astype(float), color="k", linewidth=2, label="0-1 loss")
        ax.plot(t, per_margin(lambda s: square_loss(s, one)[0]), label="square $(1 - yf)^2$")
        ax.plot(t, per_margin(lambda s: hinge_loss(s, one)[0]), label="hinge $\\max(0, 1 - yf)$")
        ax.plot(t, np.array(per_margin(lambda s: sigmoid_binary_cross_entropy(s, one)[0])) / np.log(2),
                label="logistic $\\log(1 + e^{-yf}) / \\log 2$")
        ax.set(ylim=(-0.1, 4), title="Binary losses against the margin $y f(x)$", xlabel="margin $y\\,f(x)$",
               ylabel="loss of one sample")
        ax.axvline(0, color="0.7", linewidth=0.8)
        ax.grid(True, alpha=0.3)
        ax.legend()
    ''')
    nb.md(r"""
    ### The loss surface of a two-parameter model

    The loss is a function of the parameters. Take the smallest classifier, one sigmoid neuron on one
    input, $p = \sigma(w x + b)$, and 40 points of two overlapping classes. With two parameters $(w, b)$
    the loss is a surface we can draw. Left: the **square loss** of the probability, $(p - y)^2$; right:
    the **sigmoid cross-entropy**. The square loss has flat plateaus far from the minimum (where the
    sigmoid saturates and its gradient vanishes) and is not convex; the cross-entropy is convex (one
    bowl) and keeps a slope everywhere. This is one reason classifiers are trained on cross-entropy
    (lecture 001: "cross-entropy error function often does better").
    """)
    nb.code(r'''
    with needs("square_loss", "sigmoid_binary_cross_entropy"):
        rng = np.random.default_rng(6)
        x = np.concatenate([rng.normal(-1.0, 1.0, 20), rng.normal(1.0, 1.0, 20)])[None, :]   # (1, 40)
        y = np.concatenate([np.zeros(20), np.ones(20)])[None, :]
        res = nc.demo_size(70, 25)
        fig, axes = nc.plot.subplots(1, 2, figsize=(12, 4.6))
        nc.plot.loss_surface(lambda th: square_loss(sigmoid(th[0] * x + th[1]), y)[0], (-8, 8), (-8, 8), ax=axes[0],
                             resolution=res, title="Square loss of $\\sigma(w x + b)$", xlabel="weight $w$", ylabel="bias $b$")
        nc.plot.loss_surface(lambda th: sigmoid_binary_cross_entropy(th[0] * x + th[1], y)[0], (-8, 8), (-8, 8), ax=axes[1],
                             resolution=res, logscale=True, title="Sigmoid cross-entropy (log10 scale)",
                             xlabel="weight $w$", ylabel="bias $b$")
    ''')

    # ------------------------------------------------------------------ 6. accuracy
    nb.md(r"""
    ## 6 · From loss to accuracy

    The number we report for a classifier is its **accuracy**, the fraction of samples whose predicted
    class (the largest logit) is the true one. We do not train on it: moving a weight a little changes
    no prediction at all, so accuracy is flat almost everywhere, with jumps where a prediction flips.
    Its gradient is 0 or undefined, and gradient descent (notebook 04) needs a slope. The cross-entropy
    is a smooth stand-in that also rewards *confidence*: two classifiers with the same accuracy can have
    very different losses.

    **Exercise 6.1.** Write `accuracy(Z, labels)`: `Z` the scores of shape `(C, m)`, `labels` integers of
    shape `(m,)`. Predicted class of sample $i$ = the row of the largest entry of column $i$ (`np.argmax`
    over axis 0; on a tie, the first such row, as `np.argmax` does). Return the fraction of correct
    predictions, a float in $[0, 1]$.
    """)
    nb.answer("accuracy", r'''
    def accuracy(Z, labels):
        """Fraction of columns of Z (C, m) whose largest entry is at row labels[i]; a float in [0, 1]. Leaves its input arrays unchanged."""
        ### BEGIN SOLUTION
        return float(np.mean(np.argmax(Z, axis=0) == np.asarray(labels)))
        ### END SOLUTION
    ''')
    nb.tests("test_accuracy", 1, r'''
    Z = np.array([[2.0, 0.1, 0.3, 0.0], [1.0, 0.5, 0.2, 0.0], [0.0, 0.2, 0.9, 0.0]])   # predictions 0, 1, 2, 0 (tie)
    try:
        acc = nc.checks.call(accuracy, Z, np.array([0, 1, 0, 0]))
    except ValueError as e:
        raise AssertionError(f"accuracy(Z, labels) with Z of shape (3, 4) raised ValueError ({e}); the classes are "
                             f"the rows, so take np.argmax over axis 0: one prediction per column") from None
    nc.checks.expect_close(acc, 0.75, "accuracy: predictions (0, 1, 2, 0), labels (0, 1, 0, 0)")
    nc.checks.expect_close(accuracy(Z[:, :1], np.array([1])), 0.0, "accuracy of one wrong sample")
    nc.checks.expect_close(accuracy(np.array([[1.0, 2.0], [1.0, 0.0]]), np.array([1, 0])), 0.5,
                           "accuracy with a tie in the first column: the first row wins it, so label 1 there is wrong")
    nc.checks.ok("accuracy looks right.")
    ''', ["accuracy"])
    nb.md(r"""
    Below, a linear classifier $Z = W x + b$ on three clusters of points (its weights fitted by least
    squares to the one-hot targets, no training needed); we scale the first row of $(W, b)$, the scores
    of class 0, by a factor and watch both numbers. The accuracy moves in steps and stays flat between
    them; the cross-entropy changes smoothly everywhere. Its minimum need not sit where the accuracy
    is highest: the loss also weighs how confident each prediction is. (Dashed: scale 1, the fitted weights.)
    """)
    nb.code(r'''
    with needs("one_hot", "cross_entropy", "accuracy"):
        rng = np.random.default_rng(8)
        X, labels = nc.data.blobs(nc.demo_size(150, 60), rng, n_classes=3, spread=1.0)
        Y = one_hot(labels, 3)
        X1 = np.vstack([X, np.ones((1, X.shape[1]))])                 # a row of ones carries the bias
        Wb = np.linalg.lstsq(X1.T, Y.T, rcond=None)[0].T               # (3, 3): the columns are W and b
        scales = np.linspace(-1, 4, nc.demo_size(301, 101))
        losses, accs = [], []
        for a in scales:
            Wa = Wb.copy()
            Wa[0] *= a
            Z = Wa @ X1
            losses.append(cross_entropy(Z, Y)[0])
            accs.append(accuracy(Z, labels))
        fig, axes = nc.plot.subplots(2, 1, figsize=(7.5, 6))   # both panels keep their x tick labels and x label
        axes[0].plot(scales, losses, color="#0072B2")
        axes[0].set(title="The loss is smooth...", xlabel="scale of the class-0 row of $(W, b)$", ylabel="cross-entropy")
        axes[1].step(scales, accs, where="mid", color="#D55E00")
        axes[1].set(title="...the accuracy is a staircase", xlabel="scale of the class-0 row of $(W, b)$", ylabel="accuracy")
        for ax in axes:
            ax.axvline(1.0, color="0.6", linestyle="--", linewidth=0.8)   # the least-squares weights themselves
            ax.grid(True, alpha=0.3)
    ''')

    # ------------------------------------------------------------------ 7. origin
    nb.md(r"""
    ## 7 · Where the losses come from

    (Beyond the lectures, which give the losses without this.) Both main losses are **negative
    log-likelihoods**: read the network's output as a probability model of the target and ask for the
    parameters under which the observed targets are most probable.

    - **Regression.** Suppose $y = f(x) + \varepsilon$ with Gaussian noise $\varepsilon \sim N(0, s^2)$. The
      probability density of one target is $\frac{1}{\sqrt{2\pi s^2}} e^{-(y - f(x))^2 / (2 s^2)}$, and its
      negative log is $\frac{(y - f(x))^2}{2 s^2} + \frac12\log(2\pi s^2)$. Over the samples, the second
      term is a constant and the first is the square loss times $\frac{1}{2s^2}$: minimising the square
      loss *is* maximising the Gaussian likelihood. (Lecture 001's $\frac12$ is this $\frac{1}{2s^2}$ with $s = 1$.)
    - **Classification.** Read the softmax output as the probabilities of a categorical distribution over the
      $C$ classes. The probability of the observed class $t$ is $p_t = \prod_k p_k^{y_k}$ (one-hot $y$), and its
      negative log is $-\sum_k y_k \log p_k$, the cross-entropy. With two classes and the sigmoid
      (a Bernoulli distribution) it is the binary cross-entropy.

    So the choice of loss is a choice of what we believe about the targets' noise, and the output
    activation chooses the distribution's parameter: the identity for the Gaussian's mean, the sigmoid
    for a Bernoulli probability, the softmax for categorical probabilities (lecture 001's "choosing
    activation and loss functions"). One difference: for regression that slide pairs the square loss
    with a *sigmoid* output. That only suits targets scaled into $(0, 1)$, since a sigmoid cannot output
    anything else; for targets of any size the identity output is the usual choice, and it is the one
    that matches the Gaussian model above.

    **Question 7.1 (written, graded by hand).** Suppose the noise on a regression target is not
    Gaussian but Laplace-distributed, with density $\frac{1}{2b} e^{-|\varepsilon| / b}$. Which loss does
    maximum likelihood give then? How does it treat a sample with a large error (an outlier),
    compared with the square loss?
    """)
    nb.written("laplace_loss", 2, r"""
    The negative log-likelihood of one target is $\frac{|y - f(x)|}{b} + \log(2b)$; dropping the constant and
    the factor $1/b$, maximum likelihood minimises the **absolute loss** $\frac1m\sum_i |y_i - f(x_i)|$
    (the mean absolute error). Its penalty grows linearly with the error instead of quadratically, and its
    gradient is $\pm 1/m$ whatever the error's size, so one outlier with a huge error pulls the fit no
    harder than any other wrong sample; under the square loss its pull (gradient $2(\hat y - y)/m$) grows
    with the error and can dominate the fit. (The absolute loss fits the median of the noise, the square
    loss its mean.)
    """)
    nb.md(r"""
    **Question 7.2 (written, graded by hand).** A classifier reaches 100 % training accuracy, yet its
    cross-entropy keeps going down as training continues. How is that possible, and what is the
    training changing?
    """)
    nb.written("loss_after_accuracy", 1, r"""
    Accuracy only asks whether the true class has the largest logit; the cross-entropy $-\log p_t$ is 0 only
    when $p_t = 1$, which no finite logits reach. Once every sample is classified correctly, training can
    still raise $p_t$ by widening the gaps between the true logit and the others, typically by making the
    weights larger: the predictions stay the same, the classifier becomes more confident. (This is why
    the loss can keep falling, and why unchecked it leads to very large weights: notebook 07.)
    """)
    nb.md(r"""
    ## Summary

    - Every loss returns `(loss, gradient)`, averaged over the $m$ samples (columns): square
      $2(\hat Y - Y)/m$, hinge $-y/m$ below margin 1, binary cross-entropy $\frac{p - y}{p(1-p)m}$.
    - Composed with their output activations the cross-entropies simplify: $(\sigma(z) - y)/m$ and
      $(\text{softmax}(Z) - Y)/m$, and they are computed stably with log-sum-exp (`np.logaddexp`, the
      max subtraction).
    - We train on a smooth loss and report accuracy, which has no useful gradient.
    - The square loss and the cross-entropy are the negative log-likelihoods of Gaussian and categorical
      targets.

    Next, *04 · gradient descent*: follow the gradient of a loss downhill.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
