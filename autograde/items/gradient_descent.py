"""Graded items of notebook 04 (gradient descent, SGD, mini-batch SGD): cases, known mistakes, alternatives.

Tolerances. ``gradient_descent`` runs at most 12 steps of a contracting linear map or a smooth double
well with small rates, so a different order of the arithmetic (``theta - lr * g`` against
``theta + (-lr) * g``) moves an iterate by a few ulps: ``rtol=1e-9`` (1e-7 would do; the trajectories
are O(1)). The losses and gradients of ``linreg_loss_and_grad`` and ``neuron_square_loss_grad`` are
sums of at most 40 terms of size O(10): a loop against a vectorised sum differs by ~1e-14 relative,
``rtol=1e-9, atol=1e-12`` leaves five orders of margin, and every known mistake is off by a factor
(2, m, -1) or a whole term. ``minibatches`` only moves samples around: its outputs are copies of the
inputs and must match exactly (``exact=True``). ``fit_neuron`` runs up to 40 small gradient steps on a
sigmoid neuron; the steps are contractions at these rates (the square loss of a sigmoid has curvature
below 1/2 per unit feature), so round-off does not grow: ``rtol=1e-7, atol=1e-10``.

Cases with randomness pass :class:`Seed` so that both sides draw the same permutations; the
``minibatches`` probe calls the answer for two epochs with one generator, which catches re-seeding and
per-batch permutations.
"""
from __future__ import annotations

import numpy as np

from autograde.spec import Case, Item, Seed, Variant

NOTEBOOK = NB = "04_gradient_descent"


# ----------------------------------------------------------------------------- gradient_descent
def _gd_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    n = int(rng.integers(2, 5))
    Q = rng.normal(size=(n, n))
    A = Q @ Q.T / n + np.eye(n)                     # symmetric positive definite: a bowl
    lr = float(0.5 / np.linalg.eigvalsh(A).max())
    cases.append(Case(f"a bowl in {n}-D, lr {lr:.3g}, 10 steps",
                      ("linear", A, rng.normal(size=n), rng.normal(size=n), lr, 10)))
    k = int(rng.integers(2, 4))
    cases.append(Case(f"a ({n}, {k}) parameter matrix, 6 steps",
                      ("linear", A, rng.normal(size=(n, k)), rng.normal(size=(n, k)), lr, 6)))
    cases.append(Case("a number (0-d) on a double well, lr 0.1, 12 steps",
                      ("double_well", np.zeros(0), np.array(0.3), np.array(float(rng.uniform(-2, 2))), 0.1, 12)))
    shape = (2, 3)
    cases.append(Case("a (2, 3) array on a double well, lr 0.05, 5 steps",
                      ("double_well", np.zeros(0), rng.normal(0, 0.2, size=shape), rng.uniform(-2, 2, size=shape), 0.05, 5)))
    cases.append(Case("n_steps = 0 (the start alone)",
                      ("linear", A, rng.normal(size=n), rng.normal(size=n), lr, 0)))
    return cases


def _gd_ascent(grad_fn, theta0, lr, n_steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(n_steps):
        theta = theta + lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)


def _gd_no_start(grad_fn, theta0, lr, n_steps):
    theta = np.array(theta0, dtype=float)
    path = []
    for _ in range(n_steps):
        theta = theta - lr * grad_fn(theta)
        path.append(theta)
    return np.array(path).reshape((n_steps,) + theta.shape)


def _gd_in_place(grad_fn, theta0, lr, n_steps):
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(n_steps):
        theta -= lr * grad_fn(theta)
        path.append(theta)
    return np.array(path)


def _gd_frozen_gradient(grad_fn, theta0, lr, n_steps):
    theta = np.array(theta0, dtype=float)
    g = grad_fn(theta)
    path = [theta]
    for _ in range(n_steps):
        theta = theta - lr * g
        path.append(theta)
    return np.array(path)


def _gd_preallocated(grad_fn, theta0, lr, n_steps):
    theta0 = np.asarray(theta0, dtype=float)
    path = np.empty((n_steps + 1,) + theta0.shape)
    path[0] = theta0
    for t in range(n_steps):
        path[t + 1] = path[t] - lr * grad_fn(path[t].copy())
    return path


# ----------------------------------------------------------------------------- linreg_loss_and_grad
def _linreg_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(3):
        m = int(rng.integers(2, 30))
        x = rng.uniform(-2, 3, size=m)
        y = rng.normal(1.0, 1.0) + rng.normal() * x + 0.3 * rng.normal(size=m)
        cases.append(Case(f"{m} points", (rng.normal(size=2), x, y)))
    cases.append(Case("one point", (np.array([0.5, -1.0]), np.array([2.0]), np.array([0.25]))))
    cases.append(Case("phi = (0, 0), 5 points", (np.zeros(2), np.arange(5.0), np.arange(5.0) * 2 - 1)))
    return cases


def _linreg_mean(phi, x, y):
    r = phi[0] + phi[1] * x - y
    return float(np.mean(r ** 2)), np.array([np.mean(2 * r), np.mean(2 * r * x)])


def _linreg_no_two(phi, x, y):
    r = phi[0] + phi[1] * x - y
    return float(np.sum(r ** 2)), np.array([np.sum(r), np.sum(r * x)])


def _linreg_sign(phi, x, y):
    r = y - (phi[0] + phi[1] * x)
    return float(np.sum(r ** 2)), np.array([np.sum(2 * r), np.sum(2 * r * x)])


def _linreg_no_x(phi, x, y):
    r = phi[0] + phi[1] * x - y
    return float(np.sum(r ** 2)), np.array([np.sum(2 * r), np.sum(2 * r)])


def _linreg_loop(phi, x, y):
    L, g0, g1 = 0.0, 0.0, 0.0
    for xi, yi in zip(x, y):
        r = phi[0] + phi[1] * xi - yi
        L += r * r
        g0 += 2 * r
        g1 += 2 * xi * r
    return L, np.array([g0, g1])


# ----------------------------------------------------------------------------- neuron_square_loss_grad
def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def _neuron_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for _ in range(3):
        n, m = int(rng.integers(1, 5)), int(rng.integers(2, 12))
        cases.append(Case(f"X of shape ({n}, {m})", (rng.normal(size=n), float(rng.normal()), rng.normal(size=(n, m)),
                                                     rng.uniform(size=m))))
    cases.append(Case("one sample, two features, 0/1 target", (np.array([0.5, -0.5]), 0.2, np.array([[1.0], [2.0]]), np.array([1.0]))))
    cases.append(Case("w = 0, b = 0, 4 samples", (np.zeros(2), 0.0, rng.normal(size=(2, 4)), np.array([0.0, 1.0, 1.0, 0.0]))))
    return cases


def _neuron_impl(w, b, X, y, *, deriv=lambda a: a * (1 - a), two=2.0, mean=True):
    m = X.shape[1]
    a = _sig(w @ X + b)
    r = a - y
    scale = 1.0 / m if mean else 1.0
    d = two * r * deriv(a) * scale
    return float(np.sum(r ** 2) * scale), X @ d, float(np.sum(d))


def _neuron_no_deriv(w, b, X, y):
    return _neuron_impl(w, b, X, y, deriv=lambda a: np.ones_like(a))


def _neuron_plus(w, b, X, y):
    return _neuron_impl(w, b, X, y, deriv=lambda a: a * (1 + a))


def _neuron_no_two(w, b, X, y):
    return _neuron_impl(w, b, X, y, two=1.0)


def _neuron_sum(w, b, X, y):
    return _neuron_impl(w, b, X, y, mean=False)


def _neuron_loop(w, b, X, y):
    m = X.shape[1]
    C, dw, db = 0.0, np.zeros_like(w, dtype=float), 0.0
    for i in range(m):
        a = 1.0 / (1.0 + np.exp(-(w @ X[:, i] + b)))
        C += (a - y[i]) ** 2 / m
        d = 2 * (a - y[i]) * a * (1 - a) / m
        dw = dw + d * X[:, i]
        db += d
    return C, dw, db


# ----------------------------------------------------------------------------- minibatches
def _mb_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    n, m = int(rng.integers(1, 4)), int(rng.integers(7, 20))
    X = rng.normal(size=(n, m))
    y = rng.normal(size=m)
    B = int(rng.integers(2, 6))
    if m % B == 0:
        m += 1
        X, y = rng.normal(size=(n, m)), rng.normal(size=m)
    seed = int(rng.integers(0, 2 ** 31))
    cases.append(Case(f"X ({n}, {m}), y ({m},), batch_size {B}, two epochs", (X, y, B, Seed(seed), False, 2)))
    cases.append(Case(f"the same, drop_last=True", (X, y, B, Seed(seed + 1), True, 2)))
    Y = rng.normal(size=(3, m))
    cases.append(Case(f"Y of shape (3, {m}), batch_size 4", (X, Y, 4, Seed(seed + 2), False, 1)))
    cases.append(Case("batch_size 1 (SGD), 6 samples", (rng.normal(size=(2, 6)), rng.normal(size=6), 1, Seed(seed + 3), False, 2)))
    cases.append(Case("batch_size larger than m", (rng.normal(size=(2, 5)), rng.normal(size=5), 8, Seed(seed + 4), False, 1)))
    cases.append(Case("batch_size larger than m, drop_last=True (no batch)", (rng.normal(size=(2, 5)), rng.normal(size=5), 8, Seed(seed + 5), True, 1)))
    cases.append(Case("batch_size divides m", (rng.normal(size=(1, 8)), rng.normal(size=8), 4, Seed(seed + 6), True, 1)))
    return cases


def _mb_from_order(X, Y, batch_size, order, drop_last):
    m = X.shape[1]
    stop = m - m % batch_size if drop_last else m
    return [(X[:, order[k:k + batch_size]], Y[..., order[k:k + batch_size]]) for k in range(0, stop, batch_size)]


def _mb_no_shuffle(X, Y, batch_size, rng, drop_last=False):
    return _mb_from_order(X, Y, batch_size, np.arange(X.shape[1]), drop_last)


def _mb_per_batch(X, Y, batch_size, rng, drop_last=False):
    m = X.shape[1]
    stop = m - m % batch_size if drop_last else m
    out = []
    for k in range(0, stop, batch_size):
        idx = rng.permutation(m)[:min(batch_size, m - k)]
        out.append((X[:, idx], Y[..., idx]))
    return out


def _mb_ignores_drop_last(X, Y, batch_size, rng, drop_last=False):
    return _mb_from_order(X, Y, batch_size, rng.permutation(X.shape[1]), False)


def _mb_reseeded(X, Y, batch_size, rng, drop_last=False):
    return _mb_from_order(X, Y, batch_size, np.random.default_rng(0).permutation(X.shape[1]), drop_last)


def _mb_drops_full_batch(X, Y, batch_size, rng, drop_last=False):
    m = X.shape[1]
    order = rng.permutation(m)
    stop = m - batch_size if drop_last else m      # also drops the last batch when it is full (m a multiple of batch_size)
    return [(X[:, order[k:k + batch_size]], Y[..., order[k:k + batch_size]]) for k in range(0, stop, batch_size)]


def _mb_shuffle_copy(X, Y, batch_size, rng, drop_last=False):
    order = np.arange(X.shape[1])
    rng.shuffle(order)                         # the same draw as rng.permutation(m)
    Xs, Ys = X[:, order], Y[..., order]
    m = X.shape[1]
    stop = m - m % batch_size if drop_last else m
    return [(Xs[:, k:k + batch_size], Ys[..., k:k + batch_size]) for k in range(0, stop, batch_size)]


# ----------------------------------------------------------------------------- fit_neuron
def _fit_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    n, m = int(rng.integers(2, 4)), int(rng.integers(9, 16))
    X = rng.normal(size=(n, m))
    y = (rng.uniform(size=m) < 0.5).astype(float)
    seed = int(rng.integers(0, 2 ** 31))
    B = 4 if m % 4 else 5
    cases.append(Case(f"'gd', X ({n}, {m}), lr 2, 6 epochs", (X, y, "gd", 2.0, 6, B, Seed(seed))))
    cases.append(Case(f"'sgd', X ({n}, {m}), lr 0.5, 3 epochs", (X, y, "sgd", 0.5, 3, B, Seed(seed + 1))))
    cases.append(Case(f"'minibatch', batch_size {B} (does not divide m = {m}), lr 1, 4 epochs",
                      (X, y, "minibatch", 1.0, 4, B, Seed(seed + 2))))
    X2 = rng.normal(size=(1, 6)) + 1.0
    y2 = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    cases.append(Case("'minibatch', 1 feature, 6 samples sorted by label, batch_size 2, 3 epochs",
                      (X2, y2, "minibatch", 1.0, 3, 2, Seed(seed + 3))))
    cases.append(Case("'sgd', 1 feature, 6 samples sorted by label, 2 epochs", (X2, y2, "sgd", 1.0, 2, 2, Seed(seed + 4))))
    return cases


def _ref_grad(w, b, X, y):
    return _neuron_impl(w, b, X, y)


def _fit_impl(X, y, method, lr, epochs, batch_size, rng, *, batches_of=None, record_before=False):
    if method not in ("gd", "sgd", "minibatch"):
        raise ValueError(method)
    w, b = np.zeros(X.shape[0]), 0.0
    losses = []
    for _ in range(epochs):
        if record_before:
            losses.append(_ref_grad(w, b, X, y)[0])
        if method == "gd":
            batches = [(X, y)]
        else:
            B = 1 if method == "sgd" else batch_size
            batches = batches_of(X, y, B, rng) if batches_of else _mb_from_order(X, y, B, rng.permutation(X.shape[1]), False)
        for X_b, y_b in batches:
            _, dw, db = _ref_grad(w, b, X_b, y_b)
            w, b = w - lr * dw, b - lr * db
        if not record_before:
            losses.append(_ref_grad(w, b, X, y)[0])
    return w, float(b), np.array(losses)


def _fit_minibatch_is_gd(X, y, method, lr, epochs, batch_size, rng):
    return _fit_impl(X, y, "gd" if method == "minibatch" else method, lr, epochs, batch_size, rng)


def _fit_loss_before(X, y, method, lr, epochs, batch_size, rng):
    return _fit_impl(X, y, method, lr, epochs, batch_size, rng, record_before=True)


def _fit_in_order(X, y, method, lr, epochs, batch_size, rng):
    return _fit_impl(X, y, method, lr, epochs, batch_size, rng,
                     batches_of=lambda X_, y_, B, r: _mb_from_order(X_, y_, B, np.arange(X_.shape[1]), False))


def _fit_drop_last(X, y, method, lr, epochs, batch_size, rng):
    return _fit_impl(X, y, method, lr, epochs, batch_size, rng,
                     batches_of=lambda X_, y_, B, r: _mb_from_order(X_, y_, B, r.permutation(X_.shape[1]), True))


def _fit_sgd_batch_size(X, y, method, lr, epochs, batch_size, rng):
    return _fit_impl(X, y, "minibatch" if method == "sgd" else method, lr, epochs, batch_size, rng)


def _fit_gd_draws(X, y, method, lr, epochs, batch_size, rng):
    if method != "gd":
        return _fit_impl(X, y, method, lr, epochs, batch_size, rng)
    w, b = np.zeros(X.shape[0]), 0.0
    losses = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[1])         # one shuffled batch of all samples: the same step, but rng consumed
        _, dw, db = _ref_grad(w, b, X[:, order], y[order])
        w, b = w - lr * dw, b - lr * db
        losses.append(_ref_grad(w, b, X, y)[0])
    return w, float(b), np.array(losses)


def _fit_loop_sgd(X, y, method, lr, epochs, batch_size, rng):
    """Correct: SGD written out sample by sample from the same permutation."""
    if method != "sgd":
        return _fit_impl(X, y, method, lr, epochs, batch_size, rng)
    w, b = np.zeros(X.shape[0]), 0.0
    losses = []
    for _ in range(epochs):
        for i in rng.permutation(X.shape[1]):
            _, dw, db = _ref_grad(w, b, X[:, [i]], y[[i]])
            w -= lr * dw
            b -= lr * db
        losses.append(_ref_grad(w, b, X, y)[0])
    return w, b, losses


ITEMS = [
    Item("gradient_descent", NB, _gd_cases, probe="gd_descend", rtol=1e-9, atol=1e-12,
         outputs=(("trajectory", "row t is the parameter after t steps"),),
         mistakes=(
             Variant("ascent", "steps up the gradient (theta + lr * grad) instead of down", _gd_ascent),
             Variant("no_start", "leaves the start theta0 out of the trajectory (n_steps rows instead of n_steps + 1)", _gd_no_start),
             Variant("in_place", "updates theta in place (theta -= ...) and stores the same array every step, so every row is the last iterate", _gd_in_place),
             Variant("frozen_gradient", "computes the gradient once at theta0 and reuses it for every step", _gd_frozen_gradient),
         ),
         alternatives=(Variant("preallocated", "fills a preallocated (n_steps + 1, ...) array", _gd_preallocated),)),
    Item("linreg_loss_and_grad", NB, _linreg_cases, rtol=1e-9, atol=1e-12,
         outputs=(("L", "the summed square loss"), ("grad", "(dL/dphi0, dL/dphi1)")),
         mistakes=(
             Variant("mean", "averages over the points (a mean) where lecture 003's loss is a sum", _linreg_mean),
             Variant("no_two", "drops the factor 2 of the derivative of the square", _linreg_no_two),
             Variant("sign", "uses the residual y - f in the gradient, so the gradient points the wrong way", _linreg_sign),
             Variant("no_x", "forgets the factor x_i in dL/dphi1", _linreg_no_x),
         ),
         alternatives=(Variant("loop", "a loop over the points", _linreg_loop),)),
    Item("neuron_square_loss_grad", NB, _neuron_cases, rtol=1e-9, atol=1e-12,
         outputs=(("C", "the mean square loss"), ("dw", "dC/dw"), ("db", "dC/db")),
         mistakes=(
             Variant("no_sigmoid_derivative", "leaves out the sigmoid's derivative a (1 - a) in the chain rule", _neuron_no_deriv),
             Variant("sigmoid_derivative_plus", "uses a (1 + a) for the sigmoid's derivative instead of a (1 - a)", _neuron_plus),
             Variant("no_two", "drops the factor 2 of the derivative of the square", _neuron_no_two),
             Variant("sum", "sums over the samples where the loss is a mean (no division by m)", _neuron_sum),
         ),
         alternatives=(Variant("loop", "a loop over the samples with the naive sigmoid", _neuron_loop),)),
    Item("minibatches", NB, _mb_cases, probe="gd_minibatches", exact=True,
         outputs=(("batch_sizes", "the number of samples in each batch"), ("X_batches", "the columns of X in batch order"),
                  ("Y_batches", "the targets in batch order")),
         mistakes=(
             Variant("no_shuffle", "never shuffles: the batches take the samples in their original order", _mb_no_shuffle),
             Variant("permutation_per_batch", "draws a new permutation for every batch, so samples repeat or go missing within an epoch", _mb_per_batch),
             Variant("ignores_drop_last", "keeps the short last batch even with drop_last=True", _mb_ignores_drop_last),
             Variant("reseeded", "makes a new generator with a fixed seed instead of using rng, so every epoch has the same order", _mb_reseeded),
             Variant("drops_full_batch", "with drop_last=True also drops the last batch when it is full (m a multiple of batch_size); only a short last batch is dropped", _mb_drops_full_batch),
         ),
         alternatives=(Variant("shuffle_then_slice", "shuffles an index array with rng.shuffle, reorders the data, then slices", _mb_shuffle_copy),)),
    # Decided (issue 17, a "minor" case): 'gd' that draws from rng (a shuffled full batch, say) fails although its w
    # and b agree to rounding: the spec says 'gd' never touches rng, and the caller shares that generator (notebook 05
    # draws the initial weights and the batches from one rng). The probe draws one number from rng after the call.
    Item("fit_neuron", NB, _fit_cases, probe="gd_fit", rtol=1e-7, atol=1e-10, uses=("neuron_square_loss_grad", "minibatches"),
         outputs=(("w", "the trained weights"), ("b", "the trained bias"), ("loss_per_epoch", "the whole-data loss after each epoch"),
                  ("rng afterwards", "a number drawn from rng after the call: it differs when fit_neuron drew from rng other than "
                                     "one minibatches call per epoch ('sgd', 'minibatch') or not at all ('gd')")),
         mistakes=(
             Variant("minibatch_is_gd", "runs 'minibatch' as full-batch gradient descent (one step per epoch)", _fit_minibatch_is_gd),
             Variant("loss_before_epoch", "records the loss at the start of each epoch instead of at its end", _fit_loss_before),
             Variant("no_shuffle", "visits the samples in their original order instead of taking the batches of minibatches(..., rng)", _fit_in_order),
             Variant("drop_last", "drops the short last batch of each epoch", _fit_drop_last),
             Variant("sgd_uses_batch_size", "runs 'sgd' with batches of batch_size; SGD takes one sample at a time (batch_size 1), batch_size is for 'minibatch' only", _fit_sgd_batch_size),
             Variant("gd_draws_from_rng", "draws from rng in 'gd' (a shuffled full batch); full-batch gradient descent never touches rng", _fit_gd_draws),
         ),
         alternatives=(Variant("loop_sgd", "SGD written sample by sample from rng.permutation(m)", _fit_loop_sgd),)),
]

# make demo's two-bug submission (answer cell grade id -> code): the grader should name both.
DEMO_BUGS = {
    "linreg_loss_and_grad": '''
        def linreg_loss_and_grad(phi, x, y):
            r = phi[0] + phi[1] * x - y
            return float(np.mean(r ** 2)), np.array([np.mean(2 * r), np.mean(2 * r * x)])   # a mean, not lecture 003's sum
    ''',
    "minibatches": '''
        def minibatches(X, Y, batch_size, rng, drop_last=False):
            m = X.shape[1]
            order = np.arange(m)                      # forgot to shuffle
            stop = m - m % batch_size if drop_last else m
            return [(X[:, order[k:k + batch_size]], Y[..., order[k:k + batch_size]]) for k in range(0, stop, batch_size)]
    ''',
}
