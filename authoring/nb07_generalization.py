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
    4. shows why the initial weights must differ, and how large they should be in a deep network;
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
    `l2_penalty`, `p` applies your `dropout_forward` after every hidden layer during training (and your
    `dropout_backward` on the way back). Every
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
        \"\"\"Backpropagation through the layers and the dropout masks (your dropout_backward, Section 3.3).\"\"\"
        grads, dA = [], d_out
        for cache, mask in zip(reversed(caches), reversed(masks)):
            if mask is not None:
                dA = dropout_backward(dA, mask, p)
            dA, dW, db = layer_backward(dA, cache)
            grads.append((dW, db))
        return grads[::-1]

    def train(X, Y, sizes, loss, epochs, rng, lr=0.01, lam=0.0, p=0.0, hidden="tanh", X_val=None, Y_val=None,
              params=None, every=10, keep=()):
        \"\"\"Full-batch Adam on the layer sizes [n_0, *sizes, n_L]; returns (params, history).\"\"\"
        if params is None:
            params = init_params([X.shape[0], *sizes, Y.shape[0]], rng)
        # Adam works entry by entry, so every W and b can share one flat vector (and one m, one v): the same
        # numbers as one Adam step per array, in a quarter of the numpy calls. `params` holds views into it.
        shapes = [a.shape for W_b in params for a in W_b]
        ends = np.cumsum([int(np.prod(s)) for s in shapes])

        def unflatten(flat):
            arrays = [flat[end - int(np.prod(s)):end].reshape(s) for s, end in zip(shapes, ends)]
            return list(zip(arrays[::2], arrays[1::2]))

        flat = np.concatenate([a.ravel() for W_b in params for a in W_b])
        m, v, params = np.zeros_like(flat), np.zeros_like(flat), unflatten(flat)
        history = {"epoch": [], "train": [], "val": [], "kept": {}}
        for epoch in range(1, epochs + 1):
            out, caches, masks = forward(X, params, hidden, p, rng)
            _, d_out = LOSSES[loss](out, Y)
            grads = backward(d_out, caches, masks, p)
            if lam > 0:
                _, penalty_grads = l2_penalty(params, lam)
                grads = [(dW + pW, db + pb) for (dW, db), (pW, pb) in zip(grads, penalty_grads)]
            g = np.concatenate([g.ravel() for dW_db in grads for g in dW_db])
            flat, m, v = adam_step(flat, g, m, v, epoch, lr, 0.9, 0.999, 1e-8)
            params = unflatten(flat)
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
    nb.claim("val_best_epoch", "310", cell="KEEP = (50, 300, EPOCHS)", pattern=r"validation error lowest at epoch (\d+)")
    nb.claim("val_end_ratio", "1.9", cell="KEEP = (50, 300, EPOCHS)", pattern=r"([\d.]+) times the lowest")
    nb.md(r"""
    **A flexible model on little data.** Fifteen noisy samples of $y = \sin(\pi x)$ (noise of standard
    deviation $0.3$, so the best possible mean squared error on new data is about $0.3^2 = 0.09$). The
    validation set is another 200 samples drawn the same way (plenty of validation data keeps its
    curve smooth; Section 3.4 splits a real data set with your function). The network has two hidden layers of 50 tanh units,
    about 2,700 parameters for 15 data points.

    In this run (one random start; the capacity sweep below repeats such runs over five starts) the
    training error falls all the way, while the validation error falls, reaches its lowest point at epoch
    {{val_best_epoch}}, and then **rises**, to {{val_end_ratio}} times its lowest value by the end: from there
    on the network is learning the noise of these fifteen points. The fits on the right, taken at three
    moments of the same run, show it happen: first too smooth, then
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
    lowest = int(np.argmin(hist["val"]))
    print(f"validation error lowest at epoch {hist['epoch'][lowest]} ({hist['val'][lowest]:.3f}); at the end "
          f"{hist['val'][-1]:.3f}, {hist['val'][-1] / hist['val'][lowest]:.1f} times the lowest")
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
    nb.claim("cap_best_mean", "0.135", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H =  4: .*?validation mean ([\d.]+)")
    nb.claim("cap_8_mean", "0.135", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H =  8: .*?validation mean ([\d.]+)")
    nb.claim("cap_small_lo", "0.131", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H = 4 and 8, all runs: validation ([\d.]+)")
    nb.claim("cap_small_hi", "0.141", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H = 4 and 8, all runs: validation [\d.]+ to ([\d.]+)")
    nb.claim("cap_1_mean", "0.339", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H =  1: .*?validation mean ([\d.]+)")
    nb.claim("cap_16_mean", "0.233", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H = 16: .*?validation mean ([\d.]+)")
    nb.claim("cap_64_mean", "0.213", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H = 64: .*?validation mean ([\d.]+)")
    nb.claim("cap_16_lo", "0.128", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H = 16: .*?range ([\d.]+)")
    nb.claim("cap_16_hi", "0.417", cell="WIDTHS = (1, 2, 4, 8, 16, 64)", pattern=r"H = 16: .*?range [\d.]+ to ([\d.]+)")
    nb.md(r"""
    **Capacity.** Lecture 001 lists the number of hidden units as the first way to limit a network's
    capacity. Below, the same data and training budget for networks with one hidden layer of $H$
    units, $H$ from 1 to 64, each trained from five random starts (seeds 0 to 4): a single run is
    noisy, so the plot shows the mean of the five (line) and their range (bars). The theory says: too few
    units cannot bend enough (high training *and* validation error: underfitting); too many fit the noise
    (low training error, validation error going back up); the best capacity lies in between, and the
    validation set is what finds it.

    The run shows that picture in the mean, and something more. The mean validation error is lowest at
    $H = 4$ and $H = 8$ ({{cap_best_mean}} and {{cap_8_mean}}), and the five runs of these two widths all land
    between {{cap_small_lo}} and {{cap_small_hi}}. One unit underfits (mean {{cap_1_mean}}).
    The wide networks are worse *on average* ({{cap_16_mean}} at $H = 16$, {{cap_64_mean}} at $H = 64$) and
    far less predictable: at $H = 16$ the five runs range from {{cap_16_lo}}, as good as the small networks,
    to {{cap_16_hi}}. So "too many units overfit" is a statement about the typical run; with only fifteen
    training points, which noise a wide network ends up fitting depends on its random start, and one run
    cannot tell you where the bottom of the U is.
    """)
    nb.code("""
    WIDTHS = (1, 2, 4, 8, 16, 64)
    sweep_epochs, seeds = nc.demo_size(2000, 100), tuple(range(nc.demo_size(5, 2)))
    train_err, val_err = [], []                     # one row per width, one column per seed
    for H in WIDTHS:
        runs_H = [train(x_train, y_train, [H], "square", sweep_epochs, np.random.default_rng(seed), X_val=x_val, Y_val=y_val,
                        every=sweep_epochs)[1] for seed in seeds]
        train_err.append([h["train"][-1] for h in runs_H])
        val_err.append([h["val"][-1] for h in runs_H])
    train_err, val_err = np.array(train_err), np.array(val_err)
    fig, ax = nc.plot.subplots(figsize=(7.5, 4.2))
    for errors, name, shift in ((train_err, "training", 0.97), (val_err, "validation", 1.03)):
        mean = errors.mean(axis=1)
        ax.errorbar(np.array(WIDTHS) * shift, mean, yerr=[mean - errors.min(axis=1), errors.max(axis=1) - mean],
                    marker="o", capsize=3, label=f"{name} (mean, bars: min to max of {len(seeds)} seeds)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set(title=f"Capacity sweep: one hidden layer of H tanh units, {sweep_epochs} epochs",
           xlabel="hidden units H (log scale)", ylabel="mean squared error after training (log)")
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    for H, tr, va in zip(WIDTHS, train_err, val_err):
        print(f"H = {H:2d}: training mean {tr.mean():.3f}; validation mean {va.mean():.3f}, range {va.min():.3f} to {va.max():.3f}")
    print("lowest mean validation error: H =", WIDTHS[int(np.argmin(val_err.mean(axis=1)))])
    middle = val_err[[WIDTHS.index(4), WIDTHS.index(8)]]
    print(f"H = 4 and 8, all runs: validation {middle.min():.3f} to {middle.max():.3f}")
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
    trains the network of Section 2 anew (1,500 epochs), so give it a moment.
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
    nb.tests("test_dropout_forward", 1, """
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
    **The backward pass of dropout.** Training through a dropout layer needs its gradient: given
    `dA_drop` $= \partial L / \partial A_{\text{drop}}$, the gradient arriving at the layer's output, what is
    $\partial L / \partial A$? The mask is fixed during one forward and backward pass (it is a constant, drawn
    once), so $A_{\text{drop}}$ is a simple function of $A$.

    **Exercise 3.4 (derive, implement, check).** Derive $\partial L / \partial A$ from
    $A_{\text{drop}} = A \odot \text{mask} / (1 - p)$: for one entry, how does $A_{\text{drop}, ij}$ change when
    $A_{ij}$ changes, for a kept entry and for a dropped one? Then write `dropout_backward(dA_drop, mask, p)`:
    `dA_drop` and `mask` (the mask `dropout_forward` returned, 1.0 kept, 0.0 dropped) of one shape, `p` in
    $[0, 1)$. Return `dA`, the gradient at $A$, of that shape, without changing the inputs. The training loop
    above calls it for every dropout layer. The check compares your `dA` with centred differences of
    $L = \sum A_{\text{drop}} \odot \texttt{dA\_drop}$.
    """)
    nb.answer("dropout_backward", """
    def dropout_backward(dA_drop, mask, p):
        \"\"\"Backward pass of inverted dropout: the gradient at A from the gradient at A_drop = A * mask / (1 - p).

        dA_drop, mask: arrays of one shape (mask of 1.0 kept, 0.0 dropped); p in [0, 1). Returns dA, that shape.
        \"\"\"
        ### BEGIN SOLUTION
        return dA_drop * mask / (1.0 - p)
        ### END SOLUTION
    """)
    nb.tests("test_dropout_backward", 2, """
    rng_ = np.random.default_rng(3)
    A_, dA_drop_ = rng_.normal(size=(4, 6)), rng_.normal(size=(4, 6))
    mask_ = (rng_.random((4, 6)) >= 0.3).astype(float)
    dA_ = dropout_backward(dA_drop_.copy(), mask_.copy(), 0.3)
    nc.checks.expect_shape(dA_, (4, 6), "dA for dA_drop of shape (4, 6)")
    nc.checks.expect_equal(np.asarray(dA_)[mask_ == 0], np.zeros(int(np.sum(mask_ == 0))),
                           "dA where the unit was dropped (a dropped unit passes no gradient back)")
    report = nc.gradcheck.check_array(lambda A: A * mask_ / (1 - 0.3), A_, dA_drop_, dA_)
    nc.checks.expect_true(report, "dA disagrees with centred differences of the forward pass A * mask / (1 - p). "
                                  f"Did you keep the factor 1 / (1 - p) of the forward pass?\\n{report}")
    nc.checks.expect_close(dropout_backward(np.ones((2, 2)), np.ones((2, 2)), 0.0), np.ones((2, 2)),
                           "with p = 0 and nothing dropped, the gradient passes unchanged")
    nc.checks.ok("dropout_backward passes the gradient check.")
    """, ["dropout_backward"])
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

    with needs("train_val_test_split", "l2_penalty", "early_stopping_epoch", "dropout_forward", "dropout_backward"):
        X_all, labels_all = nc.data.load_digits()
        X_tr, y_tr, X_va, y_va, X_te, y_te = train_val_test_split(X_all, labels_all[None, :].astype(float), (0.6, 0.2, 0.2),
                                                                  np.random.default_rng(0))
        y_tr, y_va, y_te = (y.ravel().astype(int) for y in (y_tr, y_va, y_te))
        small = 100
        n_epochs, every = nc.demo_size(150, 30), 5
        common = dict(sizes=[64], loss="cross-entropy", epochs=n_epochs, lr=0.01, hidden="relu",
                      X_val=X_va, Y_val=one_hot(y_va, 10), every=every)
        REMEDIES = [("baseline", X_tr[:, :small], y_tr[:small], {}),
                    ("weight decay, lambda = 1e-2", X_tr[:, :small], y_tr[:small], dict(lam=1e-2)),
                    ("dropout, p = 0.5", X_tr[:, :small], y_tr[:small], dict(p=0.5)),
                    ("more data: 800 images", X_tr[:, :800], y_tr[:800], {})]
        SEEDS = tuple(range(1, 1 + nc.demo_size(6, 1)))
        results = {}                          # remedy -> one (params, history, train acc, val acc) per seed
        for seed in SEEDS:
            for name, X_fit, y_fit, extra in REMEDIES:
                keep = tuple(range(every, n_epochs + 1, every)) if name == "baseline" else ()
                params, h = train(X_fit, one_hot(y_fit, 10), rng=np.random.default_rng(seed), keep=keep, **common, **extra)
                results.setdefault(name, []).append((params, h, accuracy(params, X_fit, y_fit), accuracy(params, X_va, y_va)))
                if name == "baseline":        # early stopping: the baseline's run, cut by your early_stopping_epoch
                    stop, best = early_stopping_epoch(h["val"], 5)
                    kept = h["kept"][h["epoch"][best]]
                    results.setdefault("early stopping (patience 5 records)", []).append(
                        (kept, h, accuracy(kept, X_fit, y_fit), accuracy(kept, X_va, y_va)))
        base = np.array([r[3] for r in results["baseline"]])
        print(f"{len(SEEDS)} seeds; accuracies as mean (min to max); the change of validation accuracy against the "
              "baseline of the same seed, in points")
        print(f"{'remedy':<38} {'train acc':>9} {'val acc':>22} {'change vs baseline':>26}")
        for name, rs in results.items():
            val = np.array([r[3] for r in rs])
            diff = 100 * (val - base)
            print(f"{name:<38} {np.mean([r[2] for r in rs]):9.3f} {val.mean():8.3f} ({val.min():.3f} to {val.max():.3f}) "
                  f"{diff.mean():+6.1f} ({diff.min():+.1f} to {diff.max():+.1f}) better in {int(np.sum(diff > 0))} of {len(SEEDS)}")
        mean_val = {name: np.mean([r[3] for r in rs]) for name, rs in results.items()}
        chosen = max((n for n in mean_val if "more data" not in n), key=mean_val.get)
        test_acc = [accuracy(r[0], X_te, y_te) for r in results[chosen]]
        print(f"\\nchosen on the validation set (among the 100-image models): {chosen}; "
              f"its test accuracy, measured once: {np.mean(test_acc):.3f} (mean of {len(SEEDS)} seeds)")
        fig, axes = nc.plot.subplots(1, 2, figsize=(13, 4.2))
        h_b = results["baseline"][0][1]
        for name, _, _, _ in REMEDIES:
            axes[0].plot(results[name][0][1]["epoch"], results[name][0][1]["val"], label=name)
        stop, best = early_stopping_epoch(h_b["val"], 5)
        axes[0].axvline(h_b["epoch"][best], color="k", linestyle="--", label="early stopping keeps this epoch")
        axes[0].set(title=f"Digits: validation loss of each remedy (seed {SEEDS[0]})", xlabel="epoch",
                    ylabel="validation cross-entropy")
        axes[0].legend(fontsize="small")
        names = list(results)
        for k, name in enumerate(names):
            val = np.array([r[3] for r in results[name]])
            axes[1].errorbar([k], [val.mean()], yerr=[[val.mean() - val.min()], [val.max() - val.mean()]], marker="o",
                             capsize=4, color=f"C{k}")
            axes[1].scatter(np.full(val.size, k + 0.15), val, s=10, color=f"C{k}", alpha=0.6)
        axes[1].set_xticks(range(len(names)), [n.split(",")[0].split(" (")[0].split(":")[0] for n in names], rotation=20)
        axes[1].set(title=f"Validation accuracy: mean, range and each of {len(SEEDS)} seeds", xlabel="remedy",
                    ylabel="validation accuracy")
        for ax in axes:
            ax.grid(True, alpha=0.3)
    """)
    nb.claim("rem_base_lo", "0.880", cell="REMEDIES = [", pattern=r"baseline\s+[\d.]+\s+[\d.]+ \(([\d.]+) to")
    nb.claim("rem_base_hi", "0.914", cell="REMEDIES = [", pattern=r"baseline\s+[\d.]+\s+[\d.]+ \([\d.]+ to ([\d.]+)\)")
    nb.claim("rem_wd_mean", "+1.9", cell="REMEDIES = [", pattern=r"weight decay, lambda = 1e-2\s+[\d.]+\s+[\d.]+ \([^)]*\)\s+([-+][\d.]+)")
    nb.claim("rem_wd_lo", "+0.3", cell="REMEDIES = [", pattern=r"weight decay, lambda = 1e-2.*?\s[-+][\d.]+ \(([-+][\d.]+) to")
    nb.claim("rem_wd_hi", "+3.6", cell="REMEDIES = [", pattern=r"weight decay, lambda = 1e-2.*?\s[-+][\d.]+ \([-+][\d.]+ to ([-+][\d.]+)\)")
    nb.claim("rem_wd_count", "6", cell="REMEDIES = [", pattern=r"weight decay, lambda = 1e-2.*?better in (\d+) of")
    nb.claim("rem_drop_mean", "+0.8", cell="REMEDIES = [", pattern=r"dropout, p = 0.5\s+[\d.]+\s+[\d.]+ \([^)]*\)\s+([-+][\d.]+)")
    nb.claim("rem_drop_lo", "−0.3", cell="REMEDIES = [", pattern=r"dropout, p = 0.5.*?\s[-+][\d.]+ \(([-+][\d.]+) to")
    nb.claim("rem_drop_hi", "+1.9", cell="REMEDIES = [", pattern=r"dropout, p = 0.5.*?\s[-+][\d.]+ \([-+][\d.]+ to ([-+][\d.]+)\)")
    nb.claim("rem_early_mean", "+0.4", cell="REMEDIES = [", pattern=r"early stopping \(patience 5 records\)\s+[\d.]+\s+[\d.]+ \([^)]*\)\s+([-+][\d.]+)")
    nb.claim("rem_early_lo", "−0.3", cell="REMEDIES = [", pattern=r"early stopping \(patience 5 records\).*?\s[-+][\d.]+ \(([-+][\d.]+) to")
    nb.claim("rem_early_hi", "+1.1", cell="REMEDIES = [", pattern=r"early stopping \(patience 5 records\).*?\s[-+][\d.]+ \([-+][\d.]+ to ([-+][\d.]+)\)")
    nb.claim("rem_more_lo", "+5.3", cell="REMEDIES = [", pattern=r"more data: 800 images.*?\s[-+][\d.]+ \(([-+][\d.]+) to")
    nb.claim("rem_more_hi", "+8.9", cell="REMEDIES = [", pattern=r"more data: 800 images.*?\s[-+][\d.]+ \([-+][\d.]+ to ([-+][\d.]+)\)")
    nb.claim("rem_chosen", "weight decay", cell="REMEDIES = [", pattern=r"among the 100-image models\): (weight decay|dropout|early stopping|baseline)", relation="is")
    nb.claim("rem_test", "0.93", cell="REMEDIES = [", pattern=r"its test accuracy, measured once: ([\d.]+)")
    nb.md(r"""
    Reading the table, seed by seed (each seed is a different start and, for dropout, different masks; the
    data split is the same): the baseline learns its 100 training images perfectly (training accuracy 1.0)
    yet gets about one validation image in ten wrong, between {{rem_base_lo}} and {{rem_base_hi}} depending
    on the seed. The remedies, measured as the change of validation accuracy against the baseline of the
    same seed:

    - **more data** gains by far the most, {{rem_more_lo}} to {{rem_more_hi}} points: no regularizer replaces
      examples;
    - **weight decay** gains {{rem_wd_mean}} points on average ({{rem_wd_lo}} to {{rem_wd_hi}}), and it
      helped in {{rem_wd_count}} of the 6 seeds: a small but consistent gain;
    - **dropout** ({{rem_drop_mean}} on average, from {{rem_drop_lo}} to {{rem_drop_hi}}) and **early
      stopping** ({{rem_early_mean}}, from {{rem_early_lo}} to {{rem_early_hi}}) do not separate from the
      baseline here: they helped with some seeds and hurt with others, by less than the seed-to-seed spread.
      A single run could have shown either of them "winning".

    The curves (left, one seed) show that the remedies act differently. Dropout makes training noisier and
    slower, and its validation loss keeps falling longest. Early stopping keeps the epoch at the bottom of the
    baseline's curve. Weight decay keeps the weights small, which makes the network less sure of its
    answers: its validation *loss* is not lower, even where its accuracy is higher. Which remedy wins
    depends on the network and the data, and, as the table shows, a difference of a point can be noise:
    that is why the choice is made on a validation set, over several seeds, and the test set is looked at
    once. Here the validation set chose {{rem_chosen}}, whose test accuracy is {{rem_test}}.
    """)

    # ------------------------------------------------------------------ 4. symmetry
    nb.md(r"""
    ## 4 · The start: why the initial weights must differ, and how large they should be

    ### 4.1 Equal weights: the symmetry problem

    Lecture 000's first practical tip is about the start: the parameters must not all begin with the
    same value; draw them at random.
    Here is what goes wrong otherwise. A network with one hidden layer of 5 tanh units starts with
    every weight equal to $0.5$ and every bias $0$, and is trained on the fifteen points of Section 2.
    The left panel draws what each hidden unit computes, $\tanh(w_j x + b_j)$, after 1,000 epochs; the
    right panel does the same for the usual random start (He initialization, notebook 02).
    """)
    nb.code("""
    sym_epochs = nc.demo_size(4000, 400)
    equal = [(np.full((5, 1), 0.5), np.zeros((5, 1))), (np.full((1, 5), 0.5), np.zeros((1, 1)))]
    runs_sym = {"equal start (all weights 0.5)": equal, "random start (He)": init_params([1, 5, 1], np.random.default_rng(0))}
    shown_at = min(1000, sym_epochs)
    hist_sym = {}
    for name, start in runs_sym.items():
        hist_sym[name] = train(x_train, y_train, [5], "square", sym_epochs, np.random.default_rng(0), params=start,
                               lr=0.02, every=10, keep=tuple(range(10, sym_epochs + 1, 10)))[1]
    fig, axes = nc.plot.subplots(1, 2, figsize=(12, 3.8))
    grid = np.linspace(-1, 1, 200)[None, :]
    for ax, (name, h) in zip(axes, hist_sym.items()):
        W1, b1 = h["kept"][shown_at][0]
        for j in range(5):
            ax.plot(grid[0], np.tanh(W1[j, 0] * grid[0] + b1[j, 0]), label=f"unit {j + 1}")
        spread = float(np.ptp(W1[:, 0]) + np.ptp(b1[:, 0]))
        ax.set(title=f"{name}, epoch {shown_at}: spread of the units' weights {spread:.1e}", xlabel="$x$",
               ylabel="hidden unit output")
        ax.legend(fontsize="small")
        print(f"{name}: training MSE {h['train'][shown_at // 10 - 1]:.3f} after {shown_at} epochs; "
              f"hidden weights w_j = {np.round(W1[:, 0], 3)}")
    """)
    nb.claim("sym_mse_1000", "0.079", cell="sym_epochs = nc.demo_size(", pattern=r"equal start \(all weights 0.5\): training MSE ([\d.]+) after 1000")
    nb.claim("he_mse_1000", "0.022", cell="sym_epochs = nc.demo_size(", pattern=r"random start \(He\): training MSE ([\d.]+) after 1000")
    nb.claim("sym_250", "1e-15", cell="spread_per_epoch = [", pattern=r"epoch 250: ([\d.e+-]+)")
    nb.claim("sym_1000", "2e-7", cell="spread_per_epoch = [", pattern=r"epoch 1000: ([\d.e+-]+)")
    nb.claim("sym_2000", "0.38", cell="spread_per_epoch = [", pattern=r"epoch 2000: ([\d.e+-]+)")
    nb.claim("sym_split", "1,720", cell="spread_per_epoch = [", pattern=r"first above 0.01 after epoch (\d+)")
    nb.claim("sym_epochs_total", "4,000", cell="spread_per_epoch = [", pattern=r"equal start after (\d+) epochs")
    nb.claim("sym_mse_end", "0.032", cell="spread_per_epoch = [", pattern=r"equal start after \d+ epochs: training MSE ([\d.]+)")
    nb.md(r"""
    With the equal start, after 1,000 epochs the five units are still one and the same unit: the five lines
    lie on top of each other, so the network is in effect a one-unit network: its training error is
    {{sym_mse_1000}}, while the random start reaches {{he_mse_1000}}. In exact arithmetic this would last forever
    (Question 4.1 asks why). On a computer it does not quite: the units' sums are rounded slightly
    differently (a matrix product adds its rows in different orders), so they differ by about $10^{-16}$,
    and training *amplifies* such a difference by a roughly constant factor per epoch, like a ball balanced
    on the crest of a ridge. The cell below follows the spread of the five units (the largest minus the
    smallest incoming weight, plus the same for the biases) over {{sym_epochs_total}} epochs. In this run it is {{sym_250}} at epoch 250,
    {{sym_1000}} at epoch 1,000 and {{sym_2000}} at epoch 2,000; it first exceeds 0.01 after epoch
    {{sym_split}}, when one unit splits off, and then the training error drops, to {{sym_mse_end}} at the end.
    (The exact epochs depend on the machine's rounding; the shape of the curve does not.)

    So the symmetric state is **unstable**, not permanent, and rounding breaks it slowly and by accident,
    after thousands of wasted epochs; which unit splits off, and when, is left to the accidents of
    rounding. A random start breaks it on purpose, at epoch 0.
    """)
    nb.code("""
    h = hist_sym["equal start (all weights 0.5)"]
    spread_per_epoch = [float(np.ptp(W1[:, 0]) + np.ptp(b1[:, 0])) for W1, b1 in (h["kept"][e][0] for e in h["epoch"])]
    fig, axes = nc.plot.subplots(1, 2, figsize=(12, 3.8))
    axes[0].semilogy(h["epoch"], np.maximum(spread_per_epoch, 1e-17))
    axes[0].set(title="Equal start: spread of the 5 units' weights", xlabel="epoch", ylabel="largest - smallest (log)")
    for name, hh in hist_sym.items():
        axes[1].plot(hh["epoch"], hh["train"], label=name)
    axes[1].set_yscale("log")
    axes[1].set(title="Training error of the two starts", xlabel="epoch", ylabel="training MSE (log)")
    axes[1].legend(fontsize="small")
    for ax in axes:
        ax.grid(True, alpha=0.3)
    print("spread of the equal start's units: " + ", ".join(
        f"epoch {e}: {spread_per_epoch[e // 10 - 1]:.1e}" for e in (250, 500, 1000, 1500, 2000, 3000) if e <= h["epoch"][-1]))
    split = next((e for e, s in zip(h["epoch"], spread_per_epoch) if s > 0.01), None)
    print(f"the spread is first above 0.01 after epoch {split}")
    print(f"equal start after {h['epoch'][-1]} epochs: training MSE {h['train'][-1]:.3f}")
    """)
    nb.md(r"""
    **Question 4.1 (written, graded by hand).** Explain why, in exact arithmetic, the hidden units of the
    equal start would stay identical however long you train. Use backpropagation: what are the gradients of
    two hidden units whose weights are equal? Then say why the computer's run splits them after all, and why
    that is no rescue. Finally, say why a random start removes the problem, and whether starting all the
    *biases* at zero is a problem too.
    """)
    nb.written("q_symmetry", 2, r"""
    If hidden units $j$ and $k$ have the same incoming weights and bias, they compute the same $z$ and
    the same activation on every input. Their outgoing weights are equal too, so in backpropagation
    they receive the same upstream gradient $\partial \ell / \partial a_j = \partial \ell / \partial a_k$,
    hence the same $\delta_j = \delta_k$ and the same gradients for their incoming weights, bias and
    outgoing weights. Gradient descent (or Adam, which works entry by entry on the same numbers) then
    changes them by the same amount, so after the step they are still equal: by induction they stay equal
    forever, and the layer acts like a single unit. On a computer the units' sums are rounded slightly
    differently, so they differ by about $10^{-16}$; the symmetric state is unstable (a small difference
    grows by a roughly constant factor per epoch), so the difference eventually becomes visible and a unit
    splits off. But that takes thousands of epochs of training a one-unit network, depends on accidents of
    rounding, and frees only the units that happen to split in time. A random start makes the units compute
    different functions from the first step on, so their gradients differ and they learn different features
    (the symmetry is broken on purpose). Zero biases are fine once the weights are random, because the units
    already differ through their weights.
    """)
    nb.md(r"""
    ### 4.2 How large: vanishing and exploding signals through depth

    Random, yes, but at what scale? The lectures' deep networks stack many layers, and a layer multiplies
    what passes through it by its weights, on the way forward and on the way back. Take a layer with $n$
    inputs and weights drawn as `gain * rng.standard_normal((n_out, n)) / np.sqrt(n)`, so that each weight has
    variance $\text{gain}^2 / n$. A pre-activation $z_i = \sum_{j=1}^{n} w_{ij} a_j$ sums $n$ such terms; if the
    $a_j$ are independent of the weights, the root mean square (RMS) of $z$ is $\text{gain}$ times the RMS of
    $a$. Then the activation acts: tanh is the identity near 0 and squashes large values, ReLU sets half of
    the $z$ to zero, which divides the RMS by $\sqrt 2$. On the way back, `dA_prev = W.T @ dZ` multiplies the
    gradient by a factor of the same kind. Over $L$ layers these factors multiply, so a factor a little
    below 1 per layer **vanishes** like $0.7^{25} \approx 10^{-4}$, and a little above 1 **explodes**.
    The classic choices keep the factor near 1:

    | name | weight variance | gain (equal widths) | made for |
    |---|---|---|---|
    | LeCun | $1/n_{\text{in}}$ | 1 | tanh-like units |
    | Glorot (Xavier) | $2/(n_{\text{in}} + n_{\text{out}})$ | 1 | tanh: forward and backward at once |
    | He (notebook 02's `init_params`) | $2/n_{\text{in}}$ | $\sqrt 2$ | ReLU: the 2 makes up for the half that ReLU zeroes |

    To see it, measure the signals layer by layer: the RMS of each layer's activations $A^{[l]}$ on the way
    forward, and the RMS of the gradient at each layer's output, `dA` $= \partial L/\partial A^{[l]}$, on the way
    back.

    **Exercise 4.2.** Write `layer_statistics(X, params, activation, dY)`. `X` has shape `(n_0, m)`, `params`
    is a list of `L` pairs `(W, b)`, `activation` a name (`"tanh"`, `"relu"`, `"sigmoid"` or `"identity"`) used
    by **every** layer, the last included, and `dY` (shape of the last layer's output) is the gradient of some
    loss at that output. Exactly:

    - forward: $A^{[0]} = X$ and, for $l = 1, \dots, L$, `A, cache = layer_forward(A, W, b, activation)` (the
      given function), keeping every cache;
    - backward: start from `dA = dY` (the gradient at $A^{[L]}$) and, for $l = L, \dots, 1$, record the RMS of
      `dA` (the gradient at $A^{[l]}$), then `dA, _, _ = layer_backward(dA, cache)` for layer $l$;
    - the RMS of an array is `np.sqrt(np.mean(a ** 2))`, not its standard deviation (ReLU outputs have a mean
      far from 0);
    - return `(act_rms, grad_rms)`, two float arrays of shape `(L,)`, **first layer first**: entry `l - 1` is the
      RMS of $A^{[l]}$ and of $\partial L/\partial A^{[l]}$. Do not change `X`, `params` or `dY`.
    """)
    nb.answer("layer_statistics", """
    def layer_statistics(X, params, activation, dY):
        \"\"\"Root mean squares of every layer's activations and of the gradient at them, first layer first.

        X: (n_0, m); params: list of L (W, b); activation: the name used by every layer; dY: gradient at the output.
        Returns (act_rms (L,), grad_rms (L,)): RMS of A[l] and of dL/dA[l] for l = 1..L.
        \"\"\"
        ### BEGIN SOLUTION
        rms = lambda a: float(np.sqrt(np.mean(a ** 2)))
        out, caches, act_rms = X, [], []
        for W, b in params:
            out, layer_cache = layer_forward(out, W, b, activation)
            caches.append(layer_cache)
            act_rms.append(rms(out))
        grad, grad_rms = dY, []
        for layer_cache in caches[::-1]:
            grad_rms.append(rms(grad))                     # the gradient at this layer's output
            grad = layer_backward(grad, layer_cache)[0]
        return np.array(act_rms), np.array(grad_rms[::-1])
        ### END SOLUTION
    """)
    nb.tests("test_layer_statistics", 2, """
    X_ = np.array([[1.0, -2.0], [3.0, 0.0]])
    eye_ = [(np.eye(2), np.zeros((2, 1))), (2 * np.eye(2), np.zeros((2, 1)))]
    out_ = layer_statistics(X_, eye_, "identity", np.ones((2, 2)))
    nc.checks.expect_true(isinstance(out_, tuple) and len(out_) == 2, "layer_statistics must return the pair (act_rms, grad_rms)")
    act_, grad_ = out_
    nc.checks.expect_shape(act_, (2,), "act_rms of a 2-layer network")
    nc.checks.expect_shape(grad_, (2,), "grad_rms of a 2-layer network")
    # identity layers W = I then W = 2I: A1 = X (RMS sqrt(14 / 4)), A2 = 2X; the gradient at A2 is dY = 1, at A1 it is 2
    nc.checks.expect_close(act_, [np.sqrt(3.5), 2 * np.sqrt(3.5)],
                           "act_rms for X = [[1, -2], [3, 0]] through W = I, then W = 2I: sqrt(mean(A ** 2)), first layer first")
    nc.checks.expect_close(grad_, [2.0, 1.0], "grad_rms for dY = 1: at A[2] it is dY itself (RMS 1), at A[1] it is W2^T dY = 2 "
                           "(entry l - 1 is the gradient at the layer's OUTPUT A[l], first layer first)")
    relu_act, _ = layer_statistics(np.array([[1.0, -1.0]]), [(np.eye(1), np.zeros((1, 1)))], "relu", np.ones((1, 2)))
    nc.checks.expect_close(relu_act, [np.sqrt(0.5)], "act_rms of relu([1, -1]) = [1, 0]: the RMS is sqrt(1/2) (the standard deviation would be 0.5)")
    nc.checks.ok("layer_statistics looks right.")
    """, ["layer_statistics"])
    nb.claim("relu_he_last", "0.62", cell="GAINS = {", pattern=r"relu, He \(gain 1.41\): activations layer 1 [\d.e+-]+, layer 25 ([\d.e+-]+)")
    nb.claim("relu_glorot_last", "1.1e-4", cell="GAINS = {", pattern=r"relu, Glorot \(gain 1.00\): activations layer 1 [\d.e+-]+, layer 25 ([\d.e+-]+)")
    nb.claim("relu_large_last", "3.6e3", cell="GAINS = {", pattern=r"relu, too large \(gain 2.00\): activations layer 1 [\d.e+-]+, layer 25 ([\d.e+-]+)")
    nb.claim("relu_small_grad", "1.1e-11", cell="GAINS = {", pattern=r"relu, too small \(gain 0.50\): .*?gradients layer 1 ([\d.e+-]+)")
    nb.claim("tanh_glorot_last", "0.12", cell="GAINS = {", pattern=r"tanh, Glorot \(gain 1.00\): activations layer 1 [\d.e+-]+, layer 25 ([\d.e+-]+)")
    nb.claim("tanh_glorot_grad", "0.21", cell="GAINS = {", pattern=r"tanh, Glorot \(gain 1.00\): .*?gradients layer 1 ([\d.e+-]+)")
    nb.claim("tanh_large_last", "0.73", cell="GAINS = {", pattern=r"tanh, too large \(gain 2.00\): activations layer 1 [\d.e+-]+, layer 25 ([\d.e+-]+)")
    nb.claim("tanh_large_grad", "40", cell="GAINS = {", pattern=r"tanh, too large \(gain 2.00\): .*?gradients layer 1 ([\d.e+-]+)")
    nb.md(r"""
    The experiment: a stack of 25 layers of 64 units, inputs and the gradient `dY` at the output drawn from a
    standard normal (so both start with an RMS of 1), four gains and both activations, three seeds each.
    The figure draws your `layer_statistics` (the mean of the three seeds), layer by layer, on a log scale;
    the cell prints the first and last layers' values. Read it from left to right for the forward signal
    (the activations) and from right to left for the backward one (the gradient starts at layer 25):

    - **ReLU** keeps both signals steady only with **He** (activations at layer 25: {{relu_he_last}}). With
      Glorot's gain of 1 it loses a factor $\sqrt 2$ per layer, down to {{relu_glorot_last}} at layer 25;
      with gain 0.5 the gradient reaching layer 1 is {{relu_small_grad}}; with gain 2 the activations
      **explode** to {{relu_large_last}}.
    - **tanh** with Glorot still shrinks slowly (activations {{tanh_glorot_last}} at layer 25, gradient
      {{tanh_glorot_grad}} at layer 1), because tanh is below the identity away from 0. With gain 2 its
      activations cannot explode (tanh stays in $[-1, 1]$: {{tanh_large_last}} at layer 25, saturated), but
      the gradient does: {{tanh_large_grad}} at layer 1.
    """)
    nb.code("""
    def deep_stack(gain, rng, depth=25, width=64):
        return [(gain * rng.standard_normal((width, width)) / np.sqrt(width), np.zeros((width, 1))) for _ in range(depth)]

    GAINS = {"too small": 0.5, "Glorot": 1.0, "He": np.sqrt(2), "too large": 2.0}
    with needs("layer_statistics"):
        fig, axes = nc.plot.subplots(2, 2, figsize=(12, 7.5))
        for col, act in enumerate(("tanh", "relu")):
            for k, (name, gain) in enumerate(GAINS.items()):
                stats = []
                for seed in range(nc.demo_size(3, 1)):
                    rng = np.random.default_rng(seed)
                    params_deep = deep_stack(gain, rng)
                    stats.append(layer_statistics(rng.standard_normal((64, 256)), params_deep, act, rng.standard_normal((64, 256))))
                act_rms, grad_rms = (np.mean([s[i] for s in stats], axis=0) for i in (0, 1))
                layers = np.arange(1, act_rms.size + 1)
                axes[0, col].semilogy(layers, act_rms, marker=".", color=f"C{k}", label=f"{name} (gain {gain:.2f})")
                axes[1, col].semilogy(layers, grad_rms, marker=".", color=f"C{k}", label=f"{name} (gain {gain:.2f})")
                print(f"{act}, {name} (gain {gain:.2f}): activations layer 1 {act_rms[0]:.1e}, layer 25 {act_rms[-1]:.1e}; "
                      f"gradients layer 1 {grad_rms[0]:.1e}, layer 25 {grad_rms[-1]:.1e}")
            axes[0, col].set(title=f"{act}: RMS of the activations A[l]", xlabel="layer l", ylabel="RMS (log scale)")
            axes[1, col].set(title=f"{act}: RMS of the gradient dL/dA[l]", xlabel="layer l", ylabel="RMS (log scale)")
        for ax in axes.ravel():
            ax.grid(True, alpha=0.3)
            ax.set_ylim(1e-13, 1e6)
        axes[0, 0].legend(fontsize="small")
    """)
    nb.md(r"""
    Move the slider: the gain from 0.25 to 4, on a log scale, for the same 25-layer stack, tanh on the left
    and ReLU on the right (one seed). Find the gain at which each activation keeps its signals roughly flat. They
    are not the same gain: that is the whole difference between Glorot's and He's initialization.
    """)
    nb.code("""
    def draw_gain(axes, gain):
        rng = np.random.default_rng(0)
        params_deep, X_deep, dY_deep = deep_stack(gain, rng), rng.standard_normal((64, 256)), rng.standard_normal((64, 256))
        for ax, act in zip(axes, ("tanh", "relu")):
            act_rms, grad_rms = layer_statistics(X_deep, params_deep, act, dY_deep)
            layers = np.arange(1, act_rms.size + 1)
            ax.semilogy(layers, act_rms, marker=".", label="activations A[l]")
            ax.semilogy(layers, grad_rms, marker=".", label="gradient dL/dA[l]")
            ax.set_ylim(1e-13, 1e6)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize="small", loc="lower left")
            ax.set(title=f"{act}, gain {gain:.2f}: layer 25 / layer 1: A {act_rms[-1] / act_rms[0]:.0e}, "
                         f"dA {grad_rms[0] / grad_rms[-1]:.0e}", xlabel="layer l", ylabel="RMS (log scale)")
        return axes

    with needs("layer_statistics"):
        layer_statistics(np.ones((1, 1)), [(np.ones((1, 1)), np.zeros((1, 1)))], "tanh", np.ones((1, 1)))   # a stub stops here
        scale = slider_widget(draw_gain, {"gain": dict(min=0.25, max=4.0, value=1.0, log=True, step=0.05, format=".2f")},
                              figsize=(12, 4), ncols=2)
        display(scale)
    """)
    nb.claim("train_gain_small", "0.086", cell="def train_deep(", pattern=r"too small \(gain 0.50\): validation accuracy after \d+ epochs ([\d.]+)")
    nb.claim("train_gain_glorot_lo", "0.175", cell="def train_deep(", pattern=r"Glorot \(gain 1.00\): validation accuracy after \d+ epochs [\d.]+ \(([\d.]+) to")
    nb.claim("train_gain_glorot_hi", "0.390", cell="def train_deep(", pattern=r"Glorot \(gain 1.00\): validation accuracy after \d+ epochs [\d.]+ \([\d.]+ to ([\d.]+)\)")
    nb.claim("train_gain_he_lo", "0.903", cell="def train_deep(", pattern=r"He \(gain 1.41\): validation accuracy after \d+ epochs [\d.]+ \(([\d.]+) to")
    nb.claim("train_gain_he_hi", "0.964", cell="def train_deep(", pattern=r"He \(gain 1.41\): validation accuracy after \d+ epochs [\d.]+ \([\d.]+ to ([\d.]+)\)")
    nb.claim("train_gain_large_loss", "27", cell="def train_deep(", pattern=r"too large \(gain 2.00\): .*?loss at the start ([\d.]+) to", relation=">=")
    nb.claim("train_gain_large_end", "nan", cell="def train_deep(", pattern=r"too large \(gain 2.00\): .*?training loss at the end (nan|inf|[\d.]+)", relation="is")
    nb.md(r"""
    **What it does to training.** Now the digits (your split of Section 3.4), a ReLU network of 10 hidden
    layers of 64 units, trained by plain mini-batch SGD (learning rate 0.05, batches of 32, 10 epochs) from the
    four gains, three seeds each. The cell prints each gain's validation accuracy after the last epoch, the
    mean and the range over the seeds:

    - **too small** (gain 0.5): the signal dies on the way in and the gradient on the way back; the network
      never leaves its start and answers the same digit for everything ({{train_gain_small}}, chance level);
    - **Glorot** (gain 1) learns, but slowly: {{train_gain_glorot_lo}} to {{train_gain_glorot_hi}} (its signal
      shrinks by about $\sqrt 2$ per ReLU layer, so the first layers get small gradients);
    - **He** (gain $\sqrt 2$) learns fastest: {{train_gain_he_lo}} to {{train_gain_he_hi}};
    - **too large** (gain 2): the first loss is already huge (at least {{train_gain_large_loss}}, against
      $\ln 10 \approx 2.3$ for a network that knows nothing), the first steps throw the weights further out,
      and the loss overflows to {{train_gain_large_end}} (not a number): training is over.

    Same data, same network, same optimizer: only the scale of the random start differs.
    """)
    nb.code("""
    def train_deep(gain, seed, X_fit, y_fit, X_check, y_check, depth=10, lr=0.05, epochs=10, batch_size=32):
        \"\"\"Mini-batch SGD on a ReLU network of `depth` hidden layers whose start has the given gain.\"\"\"
        rng = np.random.default_rng(seed)
        sizes = [64] + [64] * depth + [10]
        params = [(gain * rng.standard_normal((n, n_prev)) / np.sqrt(n_prev), np.zeros((n, 1)))
                  for n_prev, n in zip(sizes[:-1], sizes[1:])]
        Y_fit = one_hot(y_fit, 10)
        first_loss, accuracies = mlp_loss_and_grads(params, X_fit, Y_fit)[0], []
        for _ in range(epochs):
            order = rng.permutation(X_fit.shape[1])
            for start in range(0, order.size, batch_size):
                batch = order[start:start + batch_size]
                _, grads = mlp_loss_and_grads(params, X_fit[:, batch], Y_fit[:, batch])
                params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
            logits = mlp_forward(X_check, params, "relu", "identity")[0]
            accuracies.append(np.mean(np.argmax(logits, axis=0) == y_check))
            if not np.all(np.isfinite(params[0][0])):       # overflowed: NaN stays NaN, the remaining epochs change nothing
                accuracies += accuracies[-1:] * (epochs - len(accuracies))
                break
        return first_loss, mlp_loss_and_grads(params, X_fit, Y_fit)[0], np.array(accuracies)

    with needs("train_val_test_split"):
        X_all, labels_all = nc.data.load_digits()
        X_tr, y_tr, X_va, y_va, _, _ = train_val_test_split(X_all, labels_all[None, :].astype(float), (0.6, 0.2, 0.2),
                                                            np.random.default_rng(0))   # the test part stays unused
        y_tr, y_va = y_tr.ravel().astype(int), y_va.ravel().astype(int)
        fig, ax = nc.plot.subplots(figsize=(7.5, 4.2))
        with np.errstate(all="ignore"):              # the too-large start overflows on purpose
            for k, (name, gain) in enumerate(GAINS.items()):
                runs_gain = [train_deep(gain, seed, X_tr, y_tr, X_va, y_va, epochs=nc.demo_size(10, 2))
                             for seed in range(1, 1 + nc.demo_size(3, 1))]
                acc = np.array([r[2] for r in runs_gain])
                ep = np.arange(1, acc.shape[1] + 1)
                ax.plot(ep, acc.mean(axis=0), marker=".", color=f"C{k}", label=f"{name} (gain {gain:.2f})")
                ax.fill_between(ep, acc.min(axis=0), acc.max(axis=0), color=f"C{k}", alpha=0.15)
                first, last = [r[0] for r in runs_gain], [r[1] for r in runs_gain]
                print(f"{name} (gain {gain:.2f}): validation accuracy after {acc.shape[1]} epochs {acc[:, -1].mean():.3f} "
                      f"({acc[:, -1].min():.3f} to {acc[:, -1].max():.3f}); training loss at the start {min(first):.1f} to "
                      f"{max(first):.1f}, training loss at the end {max(last):.3g}")
        ax.set(title="Digits, 10 hidden ReLU layers: validation accuracy by initial gain", xlabel="epoch",
               ylabel="validation accuracy (mean and range of 3 seeds)", ylim=(0, 1))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    """)
    nb.md(r"""
    **Question 4.3 (written, graded by hand).** Why does a deep ReLU network need weights with variance
    $2/n_{\text{in}}$ (He) where a tanh network does well with $1/n_{\text{in}}$ (LeCun, or Glorot for equal
    widths)? And why does a network that starts with weights *too large* fail to train even though its
    gradients are large, not small?
    """)
    nb.written("q_init_scale", 2, r"""
    With $n$ inputs and weights of variance $\sigma^2/n$, a unit's pre-activation has about $\sigma$ times the RMS
    of the layer's input (a sum of $n$ independent terms). tanh is close to the identity for small $z$, so
    $\sigma = 1$ passes the signal on at about the same size (a little less, since tanh squashes large
    values). ReLU sets about half of the pre-activations to zero, which halves the mean square of the output:
    $\sigma^2 = 2$ makes up for exactly that factor, layer after layer, forward and (through the same weights)
    backward. Any other factor is raised to the power of the depth: $0.5$ per layer over 25 layers is
    $3 \times 10^{-8}$. Too large a start makes the activations (ReLU) and the gradients huge: the first loss is
    far above chance, a step of the usual learning rate moves the weights by far more than their own size,
    the next forward pass is even larger, and the numbers overflow (inf, then NaN). Large gradients are as
    useless as vanishing ones when no learning rate fits all the layers at once.
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
      U-shaped validation error in the mean over several seeds, with a wide spread for the large
      networks; the validation set finds its bottom, and one run is not enough to see it.
    - Remedies: weight decay $\frac{\lambda}{2}\sum w^2$ (gradient $\lambda w$, biases not penalized),
      early stopping with patience (keep the best epoch), inverted dropout (drop with probability $p$,
      rescale by $\frac{1}{1-p}$ in training, nothing at inference; its backward pass multiplies by the same
      mask and factor), and above all more data. Measured over several seeds, some of them gain less than the
      noise of a single run.
    - Equal initial weights make hidden units identical (in exact arithmetic forever; on a computer until
      rounding slowly breaks the unstable symmetry): initialize at random. And at the right scale: Glorot
      ($1/n$ for equal widths) for tanh, He ($2/n$) for ReLU; a deep network started too small or too large
      loses its signals or blows up.
    - The recipe: fix the training error first (architecture, optimizer), then the validation error
      (data, regularization), and look at the test set once.
    """)
    return nb


def write(root: Path) -> Path:
    return build().save(root / "solutions" / NOTEBOOK / FILENAME)
