"""Source of solutions/07_generalization/generalization.ipynb (write it with `make sources`, then release it)."""
from __future__ import annotations

from pathlib import Path

from authoring.nb06_optimizers import GIVEN_MLP
from authoring.nbbuild import NotebookBuilder

NOTEBOOK = "07_generalization"
FILENAME = "generalization.ipynb"

# Notebook 03's square loss and notebook 06's Adam step, written from their references (numpy only).
GIVEN_MORE = '''
# ---- given: from notebook 03 (losses) -----------------------------------------------------------
def square_loss(Y_hat, Y):
    """Mean over the m samples of the summed squared error -> (loss, dY_hat = 2 (Y_hat - Y) / m)."""
    m = Y.shape[1]
    return float(np.sum((Y_hat - Y) ** 2) / m), 2.0 * (Y_hat - Y) / m


# ---- given: from notebook 06 (optimizers) -------------------------------------------------------
def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
    """One Adam step (t = 1 at the first step), bias-corrected -> (theta_new, m_new, v_new)."""
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad ** 2
    m_hat = m_new / (1.0 - beta1 ** t)
    v_hat = v_new / (1.0 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new
'''


def build() -> NotebookBuilder:
    nb = NotebookBuilder("p07")

    nb.md(r"""
    # 07 · Generalization: overfitting and what to do about it

    A network is trained on one set of examples and used on others. Doing well on the training set is
    easy for a flexible model: it can learn the examples by heart, noise included. Lecture 001 calls
    this **overfitting**: the training data hold the real regularities of the problem *and* accidental
    ones (noise in the targets, the luck of which examples were drawn), and a model that is flexible
    enough fits both. This notebook

    1. splits the data so that overfitting can be *measured* (training, validation, test);
    2. shows it: training and validation error parting ways, wiggly fits, a capacity sweep;
    3. writes the remedies of lecture 001 and lecture 000 — weight decay, early stopping, dropout,
       more data — and measures each on the same problem;
    4. shows why the initial weights must not all be equal;
    5. ends with the *learning recipe* of lecture 000 as a decision chart.

    **Conventions**, as in every notebook: samples are columns (`X` of shape `(n_features, m)`, targets
    `Y` of shape `(n_outputs, m)`), a network's parameters are a list of `(W, b)` pairs with `b` of
    shape `(n_l, 1)`, and randomness comes in as `rng`.

    *Words in the lectures.* Lecture 000 calls the validation set the **dev** set; lecture 001 says
    *validation*. Both mean the same: data held out from training and used to choose between models.
    Lecture 001 writes the loss as $\ell$ and weight decay's strength as $\lambda$, as we do.
    """)
    nb.setup("""
    import numpy as np
    import nbcourse as nc
    from nbcourse.optim_tools import needs, slider_widget
    """)

    # ------------------------------------------------------------------ 1. splits
    nb.md(r"""
    ## 1 · Three splits, three jobs

    Lecture 001 divides the data into three parts (it does not say how; we draw them at random, once):

    - the **training set** is what the parameters $W$, $b$ are fitted to (what gradient descent sees);
    - the **validation set** (lecture 000's *dev* set) is never trained on; it is used to *choose*:
      the number of hidden units, the weight decay $\lambda$, when to stop, which model to keep;
    - the **test set** is touched once, at the very end, to estimate how the chosen model does on new
      data. Every decision based on a set makes the model a little better *on that set* by luck, so the
      validation error of the chosen model is optimistic; the untouched test set is not.

    The split must be **random**: data sets often come sorted (by class, by date, by who collected them),
    and the first 60 % of a sorted set is not like the rest. And it must be a **partition**: every
    sample goes to exactly one part, so that nothing trained on is ever validated or tested on.

    **Exercise 1.1.** Write `train_val_test_split(X, Y, fractions, rng)`. `X` has shape `(n, m)`, `Y`
    shape `(k, m)` (the same `m` columns), `fractions = (f_train, f_val, f_test)` three numbers
    $\ge 0$ that sum to 1, `rng` a `numpy.random.Generator`. Exactly:

    - `m_val = round(f_val * m)` and `m_test = round(f_test * m)` (Python's `round`), and
      the training part takes what is left, `m - m_val - m_test` columns (call it `m_train`);
    - call `rng.permutation(m)` **once** and name the result `order`; the training part is the columns
      `order[:m_train]`, in that order, the validation part the next `m_val` entries of `order`, the
      test part the last `m_test`;
    - the same columns of `X` and of `Y` go to the same part, so each sample keeps its target;
    - return `(X_train, Y_train, X_val, Y_val, X_test, Y_test)`, shapes `(n, m_train)`, `(k, m_train)`,
      `(n, m_val)`, `(k, m_val)`, `(n, m_test)`, `(k, m_test)`.

    Raise a `ValueError` if `fractions` does not hold three non-negative numbers summing to 1 (within
    `1e-9`).
    """)
    nb.answer("train_val_test_split", """
    def train_val_test_split(X, Y, fractions, rng):
        \"\"\"Partition the columns of X (n, m) and Y (k, m) at random into training, validation and test parts.

        fractions: (f_train, f_val, f_test), >= 0, summing to 1. One rng.permutation(m) decides the order.
        Returns (X_train, Y_train, X_val, Y_val, X_test, Y_test).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        fractions = tuple(float(f) for f in fractions)
        if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-9:
            raise ValueError(f"fractions must be three numbers >= 0 summing to 1, got {fractions}")
        m = X.shape[1]
        m_val, m_test = round(fractions[1] * m), round(fractions[2] * m)
        m_train = m - m_val - m_test
        order = rng.permutation(m)
        train, val, test = order[:m_train], order[m_train:m_train + m_val], order[m_train + m_val:]
        return X[:, train], Y[:, train], X[:, val], Y[:, val], X[:, test], Y[:, test]
        ### END SOLUTION
    """)
    nb.tests("test_train_val_test_split", 2, """
    X = np.arange(20.0).reshape(2, 10)            # column j holds (j, 10 + j): easy to follow
    Y = np.arange(10.0).reshape(1, 10) * 100      # its target is 100 j
    parts = nc.checks.call(train_val_test_split, X, Y, (0.6, 0.2, 0.2), np.random.default_rng(0))
    nc.checks.expect_true(isinstance(parts, tuple) and len(parts) == 6,
                          "train_val_test_split must return the six arrays (X_train, Y_train, X_val, Y_val, X_test, Y_test)")
    Xtr, Ytr, Xva, Yva, Xte, Yte = parts
    for name, got, shape in [("X_train", Xtr, (2, 6)), ("Y_train", Ytr, (1, 6)), ("X_val", Xva, (2, 2)),
                             ("Y_val", Yva, (1, 2)), ("X_test", Xte, (2, 2)), ("Y_test", Yte, (1, 2))]:
        nc.checks.expect_shape(got, shape, f"{name} for m = 10 and fractions (0.6, 0.2, 0.2)")
    cols = np.concatenate([Xtr[0], Xva[0], Xte[0]])
    nc.checks.expect_equal(np.sort(cols), np.arange(10.0), "the columns of the three parts together (each column exactly once)")
    nc.checks.expect_equal(cols, np.random.default_rng(0).permutation(10).astype(float),
                           "the column order: train, then validation, then test, in the order of one rng.permutation(m)")
    nc.checks.expect_equal(np.concatenate([Ytr[0], Yva[0], Yte[0]]), 100 * cols, "each target stays with its sample")
    sizes7 = [p.shape[1] for p in train_val_test_split(X[:, :7], Y[:, :7], (0.5, 0.25, 0.25), np.random.default_rng(0))[::2]]
    nc.checks.expect_equal(sizes7, [3, 2, 2], "the sizes (train, validation, test) for m = 7 and fractions (0.5, 0.25, 0.25): "
                                              "round(0.25 * 7) = round(1.75) = 2 each (rounded, not truncated), the rest trains")
    try:
        train_val_test_split(X, Y, (0.5, 0.2, 0.2), np.random.default_rng(0))
        nc.checks.expect_true(False, "fractions (0.5, 0.2, 0.2) sum to 0.9: expected a ValueError")
    except ValueError:
        pass
    nc.checks.ok("train_val_test_split looks right.")
    """, ["train_val_test_split"])

    # ------------------------------------------------------------------ 2. overfitting shown
    nb.md(r"""
    ## 2 · Overfitting, seen

    The networks of this notebook come from the earlier notebooks. The cell below is **given**: the
    forward pass (notebook 02), the losses (notebook 03), backpropagation (notebook 05) and Adam
    (notebook 06), written from those notebooks' solutions.
    """)
    nb.given(GIVEN_MLP + GIVEN_MORE)
    nb.md(r"""
    A training loop for this notebook (given; read it). It trains a network with full-batch Adam,
    and each remedy of Section 3 plugs into it once you have written it: `lam` adds your
    `l2_penalty`, `p` applies your `dropout_forward` after every hidden layer during training. Every
    `every` epochs it records the training and the validation loss (computed without dropout:
    that is the network as it will be used), and it keeps a copy of the parameters at the epochs
    listed in `keep`.
    """)
    nb.code("""
    LOSSES = {"square": square_loss, "cross-entropy": cross_entropy}

    def forward(X, params, hidden, p=0.0, rng=None):
        \"\"\"Forward pass; with p > 0 (training mode), your dropout_forward after every hidden layer.\"\"\"
        A, caches, masks = X, [], []
        for l, (W, b) in enumerate(params):
            last = l == len(params) - 1
            A, cache = layer_forward(A, W, b, "identity" if last else hidden)
            caches.append(cache)
            mask = None
            if not last and p > 0:
                A, mask = dropout_forward(A, p, rng)
            masks.append(mask)
        return A, caches, masks

    def backward(d_out, caches, masks, p):
        \"\"\"Backpropagation through the layers and the dropout masks (a dropped unit passes no gradient).\"\"\"
        grads, dA = [], d_out
        for cache, mask in zip(reversed(caches), reversed(masks)):
            if mask is not None:
                dA = dA * mask / (1 - p)
            dA, dW, db = layer_backward(dA, cache)
            grads.append((dW, db))
        return grads[::-1]

    def train(X, Y, sizes, loss, epochs, rng, lr=0.01, lam=0.0, p=0.0, hidden="tanh", X_val=None, Y_val=None,
              params=None, every=10, keep=()):
        \"\"\"Full-batch Adam on the layer sizes [n_0, *sizes, n_L]; returns (params, history).\"\"\"
        if params is None:
            params = init_params([X.shape[0], *sizes, Y.shape[0]], rng)
        params = [(W.copy(), b.copy()) for W, b in params]
        state = [(np.zeros_like(a), np.zeros_like(a)) for W_b in params for a in W_b]
        history = {"epoch": [], "train": [], "val": [], "kept": {}}
        for epoch in range(1, epochs + 1):
            out, caches, masks = forward(X, params, hidden, p, rng)
            _, d_out = LOSSES[loss](out, Y)
            grads = backward(d_out, caches, masks, p)
            if lam > 0:
                _, penalty_grads = l2_penalty(params, lam)
                grads = [(dW + pW, db + pb) for (dW, db), (pW, pb) in zip(grads, penalty_grads)]
            arrays, new = [a for W_b in params for a in W_b], []
            for k, (a, g) in enumerate(zip(arrays, (g for dW_db in grads for g in dW_db))):
                a, m, v = adam_step(a, g, *state[k], epoch, lr, 0.9, 0.999, 1e-8)
                state[k] = (m, v)
                new.append(a)
            params = list(zip(new[::2], new[1::2]))
            if epoch in keep:
                history["kept"][epoch] = [(W.copy(), b.copy()) for W, b in params]
            if epoch % every == 0:
                history["epoch"].append(epoch)
                history["train"].append(LOSSES[loss](forward(X, params, hidden)[0], Y)[0])
                if X_val is not None:
                    history["val"].append(LOSSES[loss](forward(X_val, params, hidden)[0], Y_val)[0])
        return params, history

    def predict(params, hidden="tanh"):
        return lambda x: forward(x, params, hidden)[0]
    """)
    nb.md(r"""
    **A flexible model on little data.** Fifteen noisy samples of $y = \sin(\pi x)$ (noise of standard
    deviation $0.3$, so the best possible mean squared error on new data is about $0.3^2 = 0.09$). The
    validation set is another 200 samples drawn the same way (plenty of validation data keeps its
    curve smooth; Section 3.4 splits a real data set with your function). The network has two hidden layers of 50 tanh units,
    about 2,700 parameters for 15 data points.

    The training error falls all the way, while the validation error falls, reaches its lowest point,
    and then **rises**: from there on the network is learning the noise of these fifteen points. The
    fits on the right, taken at three moments of the same run, show it happen: first too smooth, then
    about right, then bending to pass through every noisy point. (The brief spikes late in the
    training curve come from Adam, not from the data: near a minimum its steps stay about $\alpha$
    long, as notebook 06 showed, and now and then one overshoots before the next steps repair it.)
    """)
    nb.code("""
    x_train, y_train = nc.data.regression_1d(15, np.random.default_rng(0), noise=0.3, kind="sin")
    x_val, y_val = nc.data.regression_1d(200, np.random.default_rng(1), noise=0.3, kind="sin")
    EPOCHS = nc.demo_size(2000, 300)
    KEEP = (50, 300, EPOCHS)
    params, hist = train(x_train, y_train, [50, 50], "square", EPOCHS, np.random.default_rng(0),
                         X_val=x_val, Y_val=y_val, keep=KEEP)
    fig, axes = nc.plot.subplots(1, 1 + len(KEEP), figsize=(17, 3.8))
    axes[0].plot(hist["epoch"], hist["train"], label="training")
    axes[0].plot(hist["epoch"], hist["val"], label="validation")
    axes[0].axhline(0.09, color="0.5", linestyle=":", label="noise level (0.3²)")
    axes[0].set_yscale("log")
    axes[0].set(title="Training and validation error part ways", xlabel="epoch", ylabel="mean squared error (log)")
    axes[0].legend()
    for ax, epoch in zip(axes[1:], KEEP):
        nc.plot.fit_1d(x_train, y_train, predict(hist["kept"][epoch]), ax=ax, title=f"the fit after {epoch} epochs",
                       label="network")
        ax.plot(np.linspace(-1, 1, 200), np.sin(np.pi * np.linspace(-1, 1, 200)), color="0.6", linestyle="--",
                label=r"true $\\sin(\\pi x)$")
        ax.set_ylim(-2, 2)
        ax.legend(fontsize="small")
    """)
    nb.md(r"""
    **Capacity.** Lecture 001 lists the number of hidden units as the first way to limit a network's
    capacity. Below, the same data and training budget for networks with one hidden layer of $H$
    units, $H$ from 1 to 64 (each point the mean of two runs from different random starts, since a
    single run is noisy). Too few units cannot bend enough (high training *and* validation error:
    underfitting); too many fit the noise (low training error, validation error going back up). In
    between is the best capacity, at the bottom of the U-shaped validation curve. The validation set
    is what finds it.
    """)
    nb.code("""
    WIDTHS = (1, 2, 4, 8, 16, 64)
    sweep_epochs, seeds = nc.demo_size(2500, 100), (0, 1)
    finals = []
    for H in WIDTHS:
        runs_H = [train(x_train, y_train, [H], "square", sweep_epochs, np.random.default_rng(seed), X_val=x_val, Y_val=y_val,
                        every=sweep_epochs)[1] for seed in seeds]
        finals.append([np.mean([h["train"][-1] for h in runs_H]), np.mean([h["val"][-1] for h in runs_H])])
    finals = np.array(finals)
    fig, ax = nc.plot.subplots(figsize=(7, 4))
    ax.plot(WIDTHS, finals[:, 0], marker="o", label="training")
    ax.plot(WIDTHS, finals[:, 1], marker="o", label="validation")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set(title=f"Capacity sweep: one hidden layer of H tanh units, {sweep_epochs} epochs (mean of {len(seeds)} runs)",
           xlabel="hidden units H (log scale)", ylabel="mean squared error after training (log)")
    ax.legend()
    ax.grid(True, alpha=0.3)
    print("best H on the validation set:", WIDTHS[int(np.argmin(finals[:, 1]))])
    """)

    # ------------------------------------------------------------------ 3. remedies
    nb.md(r"""
    ## 3 · Remedies

    ### 3.1 Weight decay (L2 regularization)

    Lecture 001 adds to the loss a penalty on the squared weights:

    $$C = \ell + \frac{\lambda}{2} \sum_i w_i^2, \qquad \frac{\partial C}{\partial w_i} = \frac{\partial \ell}{\partial w_i} + \lambda\, w_i .$$

    The lecture's sum over "every weight $w_i$" does not say what to do with the biases. This course
    decides: the sum runs over every entry of every weight matrix $W^{[l]}$, and **not over the biases**
    (the usual practice): a bias
    only shifts a unit's output and does not make the function any steeper, so penalizing it limits
    nothing useful (and can push the model off the data's mean). The factor $\frac12$ is there so that
    the gradient is exactly $\lambda w$. In a plain gradient-descent step the extra term multiplies each
    weight by $1 - \alpha\lambda$ before the usual update: the weights *decay* towards zero unless the
    data keep pushing them. Small weights make a smoother function, which changes slowly with the input.
    (The training loop of this notebook uses Adam, which divides the whole gradient, penalty included,
    by $\sqrt{\hat v}$: the penalty still pulls the weights towards zero, but no longer by exactly the
    factor $1 - \alpha\lambda$. Libraries offer that exact decay beside Adam as *AdamW*.)

    **Exercise 3.1.** Write `l2_penalty(params, lam)`. `params` is a list of `(W, b)` pairs (any number
    of layers), `lam` is $\lambda \ge 0$. Return `(penalty, grads)`: `penalty` the number
    $\frac{\lambda}{2}\sum_l \sum_{\text{entries}} (W^{[l]})^2$, and `grads` a list of `(dW, db)`
    pairs like `params`, with `dW = lam * W` and `db` an array of zeros of the shape of `b`.
    """)
    nb.answer("l2_penalty", """
    def l2_penalty(params, lam):
        \"\"\"Weight decay: penalty lam / 2 * (sum of the squared entries of every W; biases excluded).

        params: list of (W, b). Returns (penalty float, grads: list of (lam * W, zeros like b)).
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        penalty = lam / 2 * sum(float(np.sum(W ** 2)) for W, b in params)
        grads = [(lam * W, np.zeros_like(b)) for W, b in params]
        return penalty, grads
        ### END SOLUTION
    """)
    nb.tests("test_l2_penalty", 2, """
    params = [(np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[5.0], [5.0]])), (np.array([[0.5, 0.5]]), np.array([[7.0]]))]
    out = nc.checks.call(l2_penalty, params, 0.1)
    nc.checks.expect_true(isinstance(out, tuple) and len(out) == 2, "l2_penalty must return the pair (penalty, grads)")
    penalty, grads = out
    nc.checks.expect_close(penalty, 0.1 / 2 * (1 + 4 + 0 + 9 + 0.25 + 0.25),
                           "the penalty lam/2 * (sum of squared weights) = 0.05 * 14.5 (biases not included)")
    nc.checks.expect_true(len(grads) == 2, f"grads must hold one (dW, db) pair per layer; got {len(grads)}")
    nc.checks.expect_close(grads[0][0], 0.1 * params[0][0], "dW of layer 1: lam * W")
    nc.checks.expect_close(grads[1][1], [[0.0]], "db of layer 2: biases are not penalized, so zeros of b's shape")
    nc.checks.expect_close(l2_penalty(params, 0.0)[0], 0.0, "the penalty for lam = 0")
    nc.checks.ok("l2_penalty looks right.")
    """, ["l2_penalty"])
    nb.md(r"""
    Move the slider: $\lambda$ from $10^{-5}$ (almost no decay: the wiggly fit of Section 2) to $1$
    (the weights are held so small that the network is nearly linear and underfits). Somewhere in
    between the fit follows the sine and ignores the noise; the title gives both errors. Each position
    trains the network of Section 2 anew (1,500 epochs, about a second).
    """)
    nb.code("""
    _fits = {}

    def draw_decay(ax, lam):
        if lam not in _fits:
            params, h = train(x_train, y_train, [50, 50], "square", nc.demo_size(1500, 200), np.random.default_rng(0),
                              lam=lam, X_val=x_val, Y_val=y_val, every=nc.demo_size(1500, 200))
            _fits[lam] = (params, h["train"][-1], h["val"][-1])
        params, err_train, err_val = _fits[lam]
        nc.plot.fit_1d(x_train, y_train, predict(params), ax=ax, label="network",
                       title=f"lambda = {lam:.1e}: training MSE {err_train:.3f}, validation MSE {err_val:.3f}")
        ax.set_ylim(-2, 2)
        return ax

    with needs("l2_penalty"):
        l2_penalty([(np.ones((1, 1)), np.zeros((1, 1)))], 1.0)   # a stub stops here, before the widget
        decay = slider_widget(draw_decay, {"lam": dict(min=1e-5, max=1.0, value=1e-2, log=True, step=0.5,
                                                       description="lambda", format=".1e")}, figsize=(7, 4))
        display(decay)
    """)

    nb.md(r"""
    ### 3.2 Early stopping

    Lecture 001's cheaper remedy: start from small weights and stop training when the validation error
    stops improving. Small weights keep every tanh unit in its nearly linear range, so the network
    starts out nearly linear; its capacity grows as the weights grow, and stopping early caps it.
    You then keep the parameters of the **best** epoch seen, not the last. (The lecture's argument is
    for tanh or sigmoid units started small. Section 3.4 also stops a ReLU network started with He's
    weights, which are not small: there it is simply "keep the epoch the validation set likes best",
    and it works, though the linear-range reason does not apply.)

    Validation losses are noisy, so one bad epoch should not stop training: wait `patience` epochs.
    Precisely, with epochs numbered from 0 (`val_losses[e]` is the validation loss after epoch `e`):

    - epoch `e` **improves** if `val_losses[e]` is strictly lower than every earlier value (epoch 0
      always improves);
    - training **stops** after the first epoch `e` that comes `patience` epochs after the last
      improving one, i.e. the epochs `e - patience + 1, ..., e` brought no improvement; if that never
      happens, it runs to the last epoch, `len(val_losses) - 1`;
    - the **best** epoch is the last improving epoch at or before the stop.

    Example, `patience = 2`: `val_losses = [5, 4, 4.5, 3, 3.2, 3.1, 2]`. Epochs 0, 1 and 3 improve;
    epochs 4 and 5 do not, so training stops after epoch 5 (the final 2 is never seen), and the best
    epoch is 3.

    **Exercise 3.2.** Write `early_stopping_epoch(val_losses, patience)`: `val_losses` a sequence of
    numbers (a list or a 1-D array, at least one), `patience` an int $\ge 1$. Return the pair of ints
    `(stop_epoch, best_epoch)`.
    """)
    nb.answer("early_stopping_epoch", """
    def early_stopping_epoch(val_losses, patience):
        \"\"\"Early stopping with patience on validation losses (epochs from 0).

        Returns (stop_epoch, best_epoch): the epoch after which training stops, and the last improving
        epoch (strictly lower than every earlier loss) at or before it.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        best, best_epoch = np.inf, 0
        for epoch, loss in enumerate(val_losses):
            if loss < best:
                best, best_epoch = loss, epoch
            elif epoch - best_epoch >= patience:
                return epoch, best_epoch
        return len(val_losses) - 1, best_epoch
        ### END SOLUTION
    """)
    nb.tests("test_early_stopping_epoch", 2, """
    got = nc.checks.call(early_stopping_epoch, np.array([5, 4, 4.5, 3, 3.2, 3.1, 2]), 2)
    nc.checks.expect_equal(np.asarray(got), [5, 3], "early_stopping_epoch([5, 4, 4.5, 3, 3.2, 3.1, 2], patience=2) = (stop, best): epochs (from 0) "
                       "0, 1, 3 improve, 4 and 5 do not, so it stops after epoch 5 and keeps epoch 3")
    nc.checks.expect_equal(np.asarray(early_stopping_epoch([3, 2, 1], 1)), [2, 2], "a loss that always improves: run to the end")
    nc.checks.expect_equal(np.asarray(early_stopping_epoch([1, 1, 1, 1], 3)), [3, 0],
                           "equal losses do not improve (strictly lower): stop after 3 epochs, best epoch 0")
    nc.checks.expect_equal(np.asarray(early_stopping_epoch([2, 3, 2.5, 2.8, 1], 3)), [3, 0],
                           "improvement means lower than the BEST so far, not than the previous epoch")
    nc.checks.ok("early_stopping_epoch looks right.")
    """, ["early_stopping_epoch"])
    nb.md(r"""
    Your `early_stopping_epoch` on the validation curve of Section 2. That curve was recorded every 10
    epochs, so each entry of the list stands for 10 epochs, and a patience of 10 entries is 100 epochs.
    The dashed line is where training stops, the dot the parameters you keep.
    """)
    nb.code("""
    with needs("early_stopping_epoch"):
        stop, best = early_stopping_epoch(hist["val"], 10)
        fig, ax = nc.plot.subplots(figsize=(7, 4))
        ax.plot(hist["epoch"], hist["train"], label="training")
        ax.plot(hist["epoch"], hist["val"], label="validation")
        ax.axvline(hist["epoch"][stop], color="k", linestyle="--", label=f"training stops after epoch {hist['epoch'][stop]}")
        ax.scatter([hist["epoch"][best]], [hist["val"][best]], color="k", zorder=3, label=f"kept: epoch {hist['epoch'][best]}")
        ax.set_yscale("log")
        ax.set(title="Early stopping (patience 10 records) on Section 2's run", xlabel="epoch", ylabel="mean squared error (log)")
        ax.legend()
        ax.grid(True, alpha=0.3)
    """)

    nb.md(r"""
    ### 3.3 Dropout

    Lecture 000 names *dropout* among the tips against overfitting. During training, every hidden
    unit's output is set to zero with probability $p$, afresh for every forward pass; the network
    cannot rely on any single unit, so it spreads what it learns over many. At inference (when the
    network is used) nothing is dropped.

    One detail matters: with units dropped, the next layer sees on average only $1 - p$ of its usual
    input. **Inverted dropout** fixes that during training by dividing the kept outputs by $1 - p$, so
    the expected value of every unit's output is the same in training and at inference, and the
    network at inference needs no change at all:

    $$\text{mask} = (U \ge p), \qquad A_{\text{drop}} = \frac{A \odot \text{mask}}{1 - p},$$

    where $U$ holds independent uniform random numbers in $[0, 1)$, one per entry of $A$, and $\odot$
    is the product entry by entry. Here $p$ is the probability of **dropping** a unit (as in PyTorch's
    `nn.Dropout(p)`; the original dropout paper uses $p$ for the probability of *keeping* one, so read
    carefully when you compare).

    **Exercise 3.3.** Write `dropout_forward(A, p, rng)`: `A` an array of any shape (a layer's
    activations, `(n_l, m)`), `p` the drop probability in $[0, 1)$, `rng` a Generator. Draw
    `U = rng.random(A.shape)` (exactly that one call), keep the entries where `U >= p`, and return the
    pair `(A_drop, mask)`: `mask` of the shape of `A`, `1.0` where kept and `0.0` where dropped (not
    rescaled), and `A_drop = A * mask / (1 - p)`. With `p = 0` nothing is dropped and `A_drop` equals
    `A`. This is the training mode; in inference mode you do not call it at all.
    """)
    nb.answer("dropout_forward", """
    def dropout_forward(A, p, rng):
        \"\"\"Inverted dropout (training mode): drop each entry with probability p, rescale the rest by 1 / (1 - p).

        A: any shape; p in [0, 1); rng: Generator (one call rng.random(A.shape)).
        Returns (A_drop, mask), mask of 1.0 (kept) and 0.0 (dropped), shapes of A.
        Leaves its input arrays unchanged.
        \"\"\"
        ### BEGIN SOLUTION
        mask = (rng.random(A.shape) >= p).astype(float)
        return A * mask / (1.0 - p), mask
        ### END SOLUTION
    """)
    nb.tests("test_dropout_forward", 2, """
    A = np.arange(1.0, 7.0).reshape(2, 3)
    out = nc.checks.call(dropout_forward, A, 0.5, np.random.default_rng(0))   # on a copy of A, which must stay unchanged
    nc.checks.expect_true(isinstance(out, tuple) and len(out) == 2, "dropout_forward must return the pair (A_drop, mask)")
    A_drop, mask = out
    expected_mask = (np.random.default_rng(0).random((2, 3)) >= 0.5).astype(float)
    nc.checks.expect_equal(mask, expected_mask, "the mask for p = 0.5 and rng = default_rng(0) (keep where rng.random(A.shape) >= p)")
    nc.checks.expect_close(A_drop, A * expected_mask * 2.0, "A_drop = A * mask / (1 - p): kept entries doubled for p = 0.5")
    nc.checks.expect_close(dropout_forward(A, 0.0, np.random.default_rng(1))[0], A, "with p = 0 nothing changes")
    big = np.ones((200, 500))
    mean = dropout_forward(big, 0.3, np.random.default_rng(2))[0].mean()
    nc.checks.expect_true(abs(mean - 1.0) < 0.02, f"the mean of dropout_forward(ones, 0.3) should stay about 1 (inverted dropout), got {mean:.3f}")
    nc.checks.ok("dropout_forward looks right.")
    """, ["dropout_forward"])
    nb.md(r"""
    Why the rescaling matters, measured with your function: the mean of a layer of ones after dropout,
    for several $p$, with and without dividing by $1 - p$. Without it the next layer would see inputs
    shrunk by $1 - p$ in training but full-size at inference, a different network from the one trained.
    """)
    nb.code("""
    with needs("dropout_forward"):
        ps = np.linspace(0.0, 0.9, 10)
        ones = np.ones((100, 200))
        rescaled, plain = [], []
        for p_ in ps:
            A_drop, mask = dropout_forward(ones, p_, np.random.default_rng(0))
            rescaled.append(A_drop.mean())
            plain.append((ones * mask).mean())
        fig, ax = nc.plot.subplots(figsize=(6, 3.8))
        ax.plot(ps, rescaled, marker="o", label="inverted dropout (your A_drop)")
        ax.plot(ps, plain, marker="o", label="mask only, no rescaling")
        ax.axhline(1.0, color="0.5", linestyle=":", label="at inference (nothing dropped)")
        ax.set(title="Mean output of a layer of ones in training", xlabel="drop probability p", ylabel="mean activation")
        ax.legend()
        ax.grid(True, alpha=0.3)
    """)

    nb.md(r"""
    ### 3.4 All remedies on one problem: digits from a small training set

    Now the remedies side by side on a classification problem, where the measure is accuracy: the
    digits, split by **your** `train_val_test_split` into 60 % training, 20 % validation and 20 % test.
    To make overfitting easy, the network (64 inputs, 64 ReLU units, 10 outputs) trains on only the first
    100 training images. Each row of the table changes one thing:

    - **baseline**: 150 epochs of full-batch Adam, nothing else;
    - **weight decay**: $\lambda = 10^{-2}$ through your `l2_penalty`;
    - **early stopping**: the baseline's validation curve cut by your `early_stopping_epoch`
      (patience 5 records of 5 epochs), keeping the parameters of the best record;
    - **dropout**: $p = 0.5$ after the hidden layer, through your `dropout_forward`;
    - **more data**: the baseline on 800 training images instead of 100.

    The **test set stays unused**: every choice here is made on the validation set. Only the model you
    would finally pick is scored once on the test set, in the last line.
    """)
    nb.code("""
    def accuracy(params, X, labels, hidden="relu"):
        return float(np.mean(np.argmax(forward(X, params, hidden)[0], axis=0) == labels))

    with needs("train_val_test_split", "l2_penalty", "early_stopping_epoch", "dropout_forward"):
        X_all, labels_all = nc.data.load_digits()
        X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(X_all, labels_all[None, :].astype(float), (0.6, 0.2, 0.2),
                                                                  np.random.default_rng(0))
        y_tr, y_va, y_te = (y.ravel().astype(int) for y in (y_tr, y_va, y_te))
        small = 100
        n_epochs, every = nc.demo_size(150, 30), 5
        common = dict(sizes=[64], loss="cross-entropy", epochs=n_epochs, lr=0.01, hidden="relu",
                      X_val=X_va, Y_val=one_hot(y_va, 10), every=every)
        runs = {}
        for name, X_fit, y_fit, extra in [("baseline", X_tr[:, :small], y_tr[:small], {}),
                                          ("weight decay, lambda = 1e-2", X_tr[:, :small], y_tr[:small], dict(lam=1e-2)),
                                          ("dropout, p = 0.5", X_tr[:, :small], y_tr[:small], dict(p=0.5)),
                                          ("more data: 800 images", X_tr[:, :800], y_tr[:800], {})]:
            keep = tuple(range(every, n_epochs + 1, every)) if name == "baseline" else ()
            params, h = train(X_fit, one_hot(y_fit, 10), rng=np.random.default_rng(1), keep=keep, **common, **extra)
            runs[name] = (params, h, X_fit, y_fit)
        params_b, h_b, X_fit, y_fit = runs["baseline"]
        stop, best = early_stopping_epoch(h_b["val"], 5)
        runs[f"early stopping (epoch {h_b['epoch'][best]} of {n_epochs})"] = (h_b["kept"][h_b["epoch"][best]], h_b, X_fit, y_fit)
        print(f"{'remedy':<38} {'train acc':>9} {'val acc':>8}")
        val_acc = {}
        for name, (params, h, X_fit, y_fit) in runs.items():
            val_acc[name] = accuracy(params, X_va, y_va)
            print(f"{name:<38} {accuracy(params, X_fit, y_fit):9.3f} {val_acc[name]:8.3f}")
        chosen = max((n for n in val_acc if "more data" not in n), key=val_acc.get)
        print(f"\\nchosen on the validation set (among the 100-image models): {chosen}; "
              f"its test accuracy, measured once: {accuracy(runs[chosen][0], X_te, y_te):.3f}")
        fig, ax = nc.plot.subplots(figsize=(7, 4))
        for name in ("baseline", "weight decay, lambda = 1e-2", "dropout, p = 0.5", "more data: 800 images"):
            ax.plot(runs[name][1]["epoch"], runs[name][1]["val"], label=name)
        ax.axvline(h_b["epoch"][best], color="k", linestyle="--", label="early stopping keeps this epoch")
        ax.set(title="Digits: validation loss of each remedy", xlabel="epoch", ylabel="validation cross-entropy")
        ax.legend(fontsize="small")
        ax.grid(True, alpha=0.3)
    """)
    nb.md(r"""
    Reading the table: the baseline learns its 100 training images perfectly (training accuracy 1.0)
    yet gets about one validation image in ten wrong; its validation loss (the plot) stops falling
    after a few dozen epochs and creeps back up. The regularizers of the 100-image models gain a little
    validation accuracy; **more data** gains by far the most: no regularizer replaces examples. The
    curves show that the remedies act differently. Dropout makes training noisier and slower, and its
    validation loss keeps falling longest. Early stopping keeps the epoch at the bottom of the baseline's
    curve. Weight decay keeps the weights small, which makes the network less sure of its answers: its
    validation *loss* is not lower, even where its accuracy is higher. Which remedy wins among the
    100-image models can change with the seed, the network and the data, and that is why the choice is
    made on a validation set, and the test set is looked at once.
    """)

    # ------------------------------------------------------------------ 4. symmetry
    nb.md(r"""
    ## 4 · Why the initial weights must differ

    Lecture 000's first practical tip is about the start: the parameters must not all begin with the
    same value; draw them at random.
    Here is what goes wrong otherwise. A network with one hidden layer of 5 tanh units starts with
    every weight equal to $0.5$ and every bias $0$, and is trained on the fifteen points of Section 2.
    The left panel draws what each hidden unit computes, $\tanh(w_j x + b_j)$, after training; the right
    panel does the same for the usual random start (He initialization, notebook 02).
    """)
    nb.code("""
    sym_epochs = nc.demo_size(1000, 200)
    equal = [(np.full((5, 1), 0.5), np.zeros((5, 1))), (np.full((1, 5), 0.5), np.zeros((1, 1)))]
    runs_sym = {"equal start (all weights 0.5)": equal, "random start (He)": init_params([1, 5, 1], np.random.default_rng(0))}
    fig, axes = nc.plot.subplots(1, 2, figsize=(12, 3.8))
    grid = np.linspace(-1, 1, 200)[None, :]
    for ax, (name, start) in zip(axes, runs_sym.items()):
        params, h = train(x_train, y_train, [5], "square", sym_epochs, np.random.default_rng(0), params=start,
                          lr=0.02, every=sym_epochs)
        W1, b1 = params[0]
        for j in range(5):
            ax.plot(grid[0], np.tanh(W1[j, 0] * grid[0] + b1[j, 0]), label=f"unit {j + 1}")
        spread = float(np.ptp(W1[:, 0]) + np.ptp(b1[:, 0]))
        ax.set(title=f"{name}: spread of the units' weights {spread:.1e}", xlabel="$x$", ylabel="hidden unit output")
        ax.legend(fontsize="small")
        print(f"{name}: training MSE {h['train'][-1]:.3f}; hidden weights w_j = {np.round(W1[:, 0], 3)}")
    """)
    nb.md(r"""
    With the equal start, the five units are still one and the same unit after a thousand epochs (the
    lines lie on top of each other): the network is no better than one with a single hidden unit.
    (The spread in the title is not exactly zero only because the computer adds up the rows of a
    matrix product in slightly different orders: rounding differences of $10^{-16}$ that grow over the
    epochs to the size the title shows, still far too little for the units to learn different things.)

    **Question 4.1 (written, graded by hand).** Explain why the hidden units of the equal start stay
    identical however long you train. Use backpropagation: what are the gradients of two hidden units
    whose weights are equal? Then say why a random start removes the problem, and whether starting all
    the *biases* at zero is a problem too.
    """)
    nb.written("q_symmetry", 2, r"""
    If hidden units $j$ and $k$ have the same incoming weights and bias, they compute the same $z$ and
    the same activation on every input. Their outgoing weights are equal too, so in backpropagation
    they receive the same upstream gradient $\partial \ell / \partial a_j = \partial \ell / \partial a_k$,
    hence the same $\delta_j = \delta_k$ and the same gradients for their incoming weights, bias and
    outgoing weights. Gradient descent (or Adam, which works entry by entry on the same numbers) then
    changes them by the same amount, so after the step they are still equal: by induction they stay equal
    forever. The layer acts like a single unit. A random start makes the units compute different
    functions from the first step on, so their gradients differ and they learn different features
    (the symmetry is broken). Zero biases are fine once the weights are random, because the units already
    differ through their weights.
    """)

    # ------------------------------------------------------------------ 5. recipe
    nb.md(r"""
    ## 5 · The learning recipe (lecture 000) as a decision chart

    Lecture 000 ends its practical tips with a recipe: first check the training set, then the dev
    (validation) set, and change different things depending on which one is bad.

    ```
    train the network
          |
          v
    good results on the TRAINING set? --- no ---> the model cannot even fit what it sees:
          |                                        - no good function in the model family
          |                                          -> change the architecture (more units, more
          |                                             layers, other activations)
          |                                        - a good function exists but training does not find it
          |                                          -> change the training (learning rate, optimizer:
          |                                             momentum, Adam, a schedule; initialization;
          |                                             more epochs)
          |                                        then train again
          | yes
          v
    good results on the VALIDATION (dev) set? --- no ---> overfitting: good on training, bad on new data
          |                                        -> more training data
          |                                        -> regularize: weight decay, dropout, early stopping
          |                                        -> less capacity (fewer hidden units)
          |                                        then train again, and check the training set again
          | yes
          v
    done: measure the chosen model ONCE on the test set
    ```

    Two warnings the chart encodes. Do not blame overfitting when the *training* error is bad: then
    the cure is the opposite one (more capacity, better training), and regularizing only makes it
    worse. And every fix of the second box costs some training accuracy, so after it the first box has
    to be checked again.
    """)
    nb.md(r"""
    **Question 5.1 (written, graded by hand).** Why must the test set be used only once, at the end?
    What goes wrong if you try ten settings of $\lambda$ and keep the one with the best *test*
    accuracy, and report that accuracy?
    """)
    nb.written("q_test_once", 2, r"""
    The test set is there to give an unbiased estimate of the error on new data. Any choice made by
    looking at a set fits the model (its hyperparameters) to that set's accidental features, just as
    training fits the parameters to the training set. With ten values of $\lambda$, the best test
    accuracy is the maximum of ten noisy estimates, so it is biased upwards: partly the setting is good,
    partly it was lucky on these particular test examples. The reported number is then too optimistic,
    and there is no untouched data left to tell. The choice must be made on the validation set, and the
    test set measured once for the chosen model (if it is used again and again, it has silently become
    a second validation set).
    """)
    nb.md(r"""
    ## Summary

    - Split once, at random, into training (fit the parameters), validation (choose the model) and
      test (measure once) sets; every sample in exactly one of them.
    - Overfitting: training error low, validation error high and rising. A capacity sweep shows the
      U-shaped validation error; the validation set finds its bottom.
    - Remedies: weight decay $\frac{\lambda}{2}\sum w^2$ (gradient $\lambda w$, biases not penalized),
      early stopping with patience (keep the best epoch), inverted dropout (drop with probability $p$,
      rescale by $\frac{1}{1-p}$ in training, nothing at inference), and above all more data.
    - Equal initial weights make hidden units identical forever: initialize at random.
    - The recipe: fix the training error first (architecture, optimizer), then the validation error
      (data, regularization), and look at the test set once.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
