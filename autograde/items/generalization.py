"""Graded items of notebook 07 (generalization): randomized cases, edge cases, known mistakes, alternatives.

Tolerances. ``train_val_test_split`` and ``early_stopping_epoch`` move or count things: they must match
exactly (the notebook fixes the one ``rng.permutation(m)`` call and the rounding, so a right answer
reproduces the reference's columns bit for bit). ``dropout_forward`` fixes the one ``rng.random(A.shape)``
call, so its mask matches exactly and ``A * mask / (1 - p)`` agrees to a few ulps however it is ordered
(``rtol = 1e-12``). ``l2_penalty`` sums at most a few hundred squares of size about 1: any summation
order (loops, ``np.linalg.norm(W) ** 2``, ``np.vdot``) is within 1e-13 relatively, so ``rtol = 1e-10``
accepts them all while a missing factor 1/2 or a penalized bias is off by far more.
"""
from __future__ import annotations

import math

import numpy as np

from autograde.spec import Case, Item, Seed, Variant

NOTEBOOK = NB = "07_generalization"


# ----------------------------------------------------------------------------- train_val_test_split
def _no_tie(m: int, fractions) -> bool:
    """No fraction * m ends in exactly .5 (where rounding conventions differ) nor is an integer (where truncation
    and rounding agree) for the validation and test fractions: so a case tells rounding from truncating."""
    fracs = [(f * m) % 1.0 for f in fractions[1:]]
    return all(abs(fr - 0.5) > 1e-6 for fr in fracs)


def _split_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case("X of shape (2, 10), Y of shape (1, 10), fractions (0.6, 0.2, 0.2)",
                  (np.arange(20.0).reshape(2, 10), np.arange(10.0).reshape(1, 10), 0.6, 0.2, 0.2, Seed(0)))]
    picks = [(0.7, 0.15, 0.15), (0.5, 0.3, 0.2), (0.8, 0.1, 0.1)]
    for fractions in picks:
        m = int(rng.integers(11, 40))
        while not _no_tie(m, fractions) or all(((f * m) % 1.0) < 0.5 for f in fractions[1:]):
            m += 1  # some fraction * m must round up, so truncating (int) is told apart from round
        n, k = int(rng.integers(1, 4)), int(rng.integers(1, 3))
        cases.append(Case(f"X of shape ({n}, {m}), Y of shape ({k}, {m}), fractions {fractions}",
                          (rng.normal(size=(n, m)), rng.normal(size=(k, m)), *fractions, Seed(int(rng.integers(2**31))))))
    cases.append(Case("no test part: fractions (0.75, 0.25, 0.0), m = 8",
                      (rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), 0.75, 0.25, 0.0, Seed(int(rng.integers(2**31))))))
    # the spec: fractions that do not sum to 1 raise a ValueError (the visible check asks the same)
    cases.append(Case("fractions (0.5, 0.2, 0.2), which sum to 0.9 (must raise ValueError)",
                      (rng.normal(size=(2, 10)), rng.normal(size=(1, 10)), 0.5, 0.2, 0.2, Seed(int(rng.integers(2**31))))))
    return cases


def _check_fractions(fractions):
    if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"fractions must be three numbers >= 0 summing to 1, got {fractions}")


def _counts(fractions, m):
    _check_fractions(fractions)
    m_val, m_test = round(fractions[1] * m), round(fractions[2] * m)
    return m - m_val - m_test, m_val, m_test


def _split_by(X, Y, tr, va, te):
    return X[:, tr], Y[:, tr], X[:, va], Y[:, va], X[:, te], Y[:, te]


def _split_no_shuffle(X, Y, fractions, rng):
    m = X.shape[1]
    m_train, m_val, _ = _counts(fractions, m)
    order = np.arange(m)
    return _split_by(X, Y, order[:m_train], order[m_train:m_train + m_val], order[m_train + m_val:])


def _split_two_permutations(X, Y, fractions, rng):
    m = X.shape[1]
    m_train, m_val, _ = _counts(fractions, m)
    ox, oy = rng.permutation(m), rng.permutation(m)  # X and Y shuffled separately: samples lose their targets
    return (X[:, ox[:m_train]], Y[:, oy[:m_train]], X[:, ox[m_train:m_train + m_val]], Y[:, oy[m_train:m_train + m_val]],
            X[:, ox[m_train + m_val:]], Y[:, oy[m_train + m_val:]])


def _split_with_replacement(X, Y, fractions, rng):
    m = X.shape[1]
    m_train, m_val, _ = _counts(fractions, m)
    order = rng.integers(0, m, size=m)  # samples drawn with replacement: columns repeat, others are lost
    return _split_by(X, Y, order[:m_train], order[m_train:m_train + m_val], order[m_train + m_val:])


def _split_per_part(X, Y, fractions, rng):
    m = X.shape[1]
    m_train, m_val, m_test = _counts(fractions, m)
    tr = rng.choice(m, m_train, replace=False)  # each part drawn on its own: parts overlap
    va = rng.choice(m, m_val, replace=False)
    te = rng.choice(m, m_test, replace=False)
    return _split_by(X, Y, tr, va, te)


def _split_truncate(X, Y, fractions, rng):
    _check_fractions(fractions)
    m = X.shape[1]
    m_val, m_test = int(fractions[1] * m), int(fractions[2] * m)
    m_train = m - m_val - m_test
    order = rng.permutation(m)
    return _split_by(X, Y, order[:m_train], order[m_train:m_train + m_val], order[m_train + m_val:])


def _split_np_split(X, Y, fractions, rng):
    m = X.shape[1]
    m_train, m_val, _ = _counts(fractions, m)
    idx = np.arange(m)
    rng.shuffle(idx)  # the same random stream as rng.permutation(m)
    tr, va, te = np.split(idx, [m_train, m_train + m_val])
    return (np.take(X, tr, axis=1), np.take(Y, tr, axis=1), np.take(X, va, axis=1), np.take(Y, va, axis=1),
            np.take(X, te, axis=1), np.take(Y, te, axis=1))


def _split_stacked(X, Y, fractions, rng):
    m = X.shape[1]
    m_train, m_val, _ = _counts(fractions, m)
    both = np.vstack([X, Y])[:, rng.permutation(m)]  # shuffle X and Y together, then cut
    n = X.shape[0]
    parts = [both[:, :m_train], both[:, m_train:m_train + m_val], both[:, m_train + m_val:]]
    return tuple(a for p in parts for a in (p[:n], p[n:]))


# ----------------------------------------------------------------------------- l2_penalty
def _l2_cases(rng: np.random.Generator) -> list[Case]:
    W1, b1 = np.array([[1.0, -2.0], [0.0, 3.0]]), np.array([[5.0], [5.0]])
    W2, b2 = np.array([[0.5, 0.5]]), np.array([[7.0]])
    cases = [Case("the notebook's two layers, lam = 0.1", (0.1, W1, b1, W2, b2))]
    for n_layers in (1, 2, 3):
        sizes = [int(s) for s in rng.integers(1, 6, size=n_layers + 1)]
        arrays = []
        for n_prev, n in zip(sizes[:-1], sizes[1:]):
            arrays += [rng.normal(size=(n, n_prev)), rng.normal(size=(n, 1)) + 1.0]
        lam = float(rng.choice([1e-3, 0.05, 0.7]))
        cases.append(Case(f"{n_layers} layer(s) of sizes {sizes}, lam = {lam}", (lam, *arrays)))
    cases.append(Case("lam = 0 (no penalty)", (0.0, rng.normal(size=(2, 3)), rng.normal(size=(2, 1)))))
    return cases


def _l2_biases(params, lam):
    penalty = lam / 2 * sum(float(np.sum(W ** 2) + np.sum(b ** 2)) for W, b in params)
    return penalty, [(lam * W, lam * b) for W, b in params]


def _l2_no_half(params, lam):
    return lam * sum(float(np.sum(W ** 2)) for W, b in params), [(lam * W, np.zeros_like(b)) for W, b in params]


def _l2_grad_twice(params, lam):
    return lam / 2 * sum(float(np.sum(W ** 2)) for W, b in params), [(2 * lam * W, np.zeros_like(b)) for W, b in params]


def _l2_abs(params, lam):
    return lam / 2 * sum(float(np.sum(np.abs(W))) for W, b in params), [(lam * W, np.zeros_like(b)) for W, b in params]


def _l2_norm(params, lam):
    penalty = 0.5 * lam * sum(np.linalg.norm(W) ** 2 for W, b in params)
    return penalty, [(lam * W, 0 * b) for W, b in params]


def _l2_loops(params, lam):
    total, grads = 0.0, []
    for W, b in params:
        dW = np.zeros_like(W)
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                total += W[i, j] * W[i, j]
                dW[i, j] = lam * W[i, j]
        grads.append((dW, np.zeros(b.shape)))
    return lam * total / 2, grads


# ----------------------------------------------------------------------------- early_stopping_epoch
def _es_cases(rng: np.random.Generator) -> list[Case]:
    cases = [
        Case("the notebook's example [5, 4, 4.5, 3, 3.2, 3.1, 2], patience 2", (np.array([5, 4, 4.5, 3, 3.2, 3.1, 2.0]), 2)),
        Case("always improving, patience 1", (np.array([3.0, 2.0, 1.0, 0.5]), 1)),
        Case("a plateau of equal losses, patience 3", (np.array([2.0, 1.0, 1.0, 1.0, 1.0, 0.5]), 3)),
        Case("up and down above the best, patience 3", (np.array([2.0, 3.0, 2.5, 2.8, 2.6, 1.0]), 3)),
        Case("patience 1 stops at the first epoch without improvement", (np.array([4.0, 3.0, 3.5, 1.0]), 1)),
        Case("a single epoch", (np.array([1.5]), 4)),
        Case("an improvement exactly at the last epoch of patience", (np.array([3.0, 2.0, 2.5, 2.2, 1.0, 1.5, 1.6, 1.7]), 3)),
    ]
    for _ in range(3):
        n = int(rng.integers(15, 40))
        curve = 1.0 / np.arange(1, n + 1) + 0.02 * np.arange(n) + rng.normal(0, 0.05, size=n)  # U-shaped and noisy
        curve = np.round(curve, 2)  # ties happen, as they do with printed losses
        patience = int(rng.integers(1, 6))
        cases.append(Case(f"a noisy U-shaped curve of {n} epochs, patience {patience}", (curve, patience)))
    return cases


def _es(val_losses, patience, *, extra=0, improves=lambda loss, best: loss < best):
    """The stopping rule with a twist: ``extra`` epochs more (or fewer) of patience, another test of improvement."""
    best, best_epoch = np.inf, 0
    for epoch, loss in enumerate(val_losses):
        if improves(loss, best):
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience + extra:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def _es_late(val_losses, patience):
    return _es(val_losses, patience, extra=1)


def _es_early(val_losses, patience):
    return _es(val_losses, patience, extra=-1)


def _es_not_strict(val_losses, patience):
    return _es(val_losses, patience, improves=lambda loss, best: loss <= best)


def _es_previous(val_losses, patience):
    """Counts epochs that are worse than the PREVIOUS epoch (reset when the loss goes down at all)."""
    best, best_epoch, prev, waited = np.inf, 0, np.inf, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        waited = 0 if loss < prev else waited + 1
        prev = loss
        if waited >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def _es_overall(val_losses, patience):
    stop, _ = _es(val_losses, patience)
    return stop, int(np.argmin(val_losses))


def _es_one_based(val_losses, patience):
    stop, best = _es(val_losses, patience)
    return stop + 1, best + 1


def _es_counter(val_losses, patience):
    best, best_epoch, bad = math.inf, 0, 0
    for epoch, loss in enumerate(list(val_losses)):
        if loss < best:
            best, best_epoch, bad = loss, epoch, 0
        else:
            bad += 1
            if bad == patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


def _es_running_min(val_losses, patience):
    losses = np.asarray(val_losses, dtype=float)
    previous_best = np.concatenate([[np.inf], np.minimum.accumulate(losses)[:-1]])
    improving = np.flatnonzero(losses < previous_best)
    for epoch in range(len(losses)):
        last = improving[improving <= epoch].max()
        if epoch - last >= patience:
            return epoch, int(last)
    return len(losses) - 1, int(improving.max())


# ----------------------------------------------------------------------------- dropout_forward
def _dropout_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case("A of shape (2, 3), p = 0.5, rng = default_rng(0)", (np.arange(1.0, 7.0).reshape(2, 3), 0.5, Seed(0)))]
    for p in (0.1, 0.3, 0.8):
        shape = (int(rng.integers(1, 8)), int(rng.integers(1, 12)))
        cases.append(Case(f"A of shape {shape}, p = {p}", (rng.normal(size=shape), p, Seed(int(rng.integers(2**31))))))
    cases.append(Case("p = 0 (nothing dropped)", (rng.normal(size=(3, 4)), 0.0, Seed(int(rng.integers(2**31))))))
    cases.append(Case("a 1-D array of 50 entries, p = 0.5", (rng.normal(size=50), 0.5, Seed(int(rng.integers(2**31))))))
    return cases


def _do_no_rescale(A, p, rng):
    mask = (rng.random(A.shape) >= p).astype(float)
    return A * mask, mask


def _do_keep_prob(A, p, rng):
    mask = (rng.random(A.shape) < p).astype(float)  # p read as the probability of KEEPING a unit
    return A * mask / p, mask


def _do_divide_by_p(A, p, rng):
    mask = (rng.random(A.shape) >= p).astype(float)
    return A * mask / p, mask


def _do_times_keep(A, p, rng):
    mask = (rng.random(A.shape) >= p).astype(float)
    return A * mask * (1 - p), mask  # the scaling of classic (non-inverted) dropout at inference, applied in training


def _do_scaled_mask(A, p, rng):
    mask = (rng.random(A.shape) >= p) / (1 - p)
    return A * mask, mask


def _do_in_place(A, p, rng):
    mask = (rng.random(A.shape) >= p).astype(float)
    A *= mask / (1 - p)                              # the caller's A is overwritten
    return A, mask


def _do_where(A, p, rng):
    keep = rng.random(A.shape) >= p
    return np.where(keep, A / (1 - p), 0.0), keep


def _do_strict(A, p, rng):
    mask = (rng.random(A.shape) > p).astype(float)  # > or >= differ only when U == p exactly (probability 0)
    return A * (mask / (1 - p)), mask


ITEMS = [
    Item("train_val_test_split", NB, _split_cases, probe="gen_split", exact=True,
         outputs=(("X_train", "training inputs"), ("Y_train", "training targets"), ("X_val", "validation inputs"),
                  ("Y_val", "validation targets"), ("X_test", "test inputs"), ("Y_test", "test targets")),
         mistakes=(Variant("no_shuffle", "does not shuffle: takes the first columns for training, the next for validation", _split_no_shuffle),
                   Variant("two_permutations", "shuffles X and Y with different permutations, so samples lose their targets",
                           _split_two_permutations),
                   Variant("with_replacement", "draws columns with replacement, so some are repeated and others lost", _split_with_replacement),
                   Variant("per_part", "draws each part separately, so the parts share columns", _split_per_part),
                   Variant("truncate", "truncates the counts (int(f * m)) instead of rounding them (round(f * m))", _split_truncate)),
         alternatives=(Variant("np_split", "rng.shuffle of np.arange(m), np.split and np.take", _split_np_split),
                       Variant("stacked", "stacks X and Y, shuffles the columns once, then cuts", _split_stacked))),
    Item("l2_penalty", NB, _l2_cases, probe="gen_l2", rtol=1e-10, atol=1e-12,
         outputs=(("penalty", "lam / 2 times the sum of the squared weights"),),
         mistakes=(Variant("biases", "penalizes the biases too (only the weights W are penalized)", _l2_biases),
                   Variant("no_half", "uses lam instead of lam / 2 in the penalty (its gradient would be 2 lam W, not lam W)", _l2_no_half),
                   Variant("grad_twice", "gives the gradient 2 lam W; the derivative of lam / 2 * w^2 is lam * w", _l2_grad_twice),
                   Variant("abs", "sums |w| instead of w^2 in the penalty", _l2_abs)),
         alternatives=(Variant("norm", "np.linalg.norm(W) ** 2", _l2_norm),
                       Variant("loops", "loops over every entry", _l2_loops))),
    Item("early_stopping_epoch", NB, _es_cases, exact=True,
         outputs=(("stop_epoch", "the epoch after which training stops"), ("best_epoch", "the last improving epoch at or before it")),
         mistakes=(Variant("late", "waits one epoch too many: stops after patience + 1 epochs without improvement", _es_late),
                   Variant("early", "stops one epoch too early: after patience - 1 epochs without improvement", _es_early),
                   Variant("not_strict", "counts an equal loss as an improvement (it must be strictly lower than the best)", _es_not_strict),
                   Variant("previous", "compares with the previous epoch instead of with the best so far", _es_previous),
                   Variant("overall", "returns the best epoch of the whole list, including epochs after the stop", _es_overall),
                   Variant("one_based", "numbers the epochs from 1 instead of 0", _es_one_based)),
         alternatives=(Variant("counter", "a counter of epochs without improvement", _es_counter),
                       Variant("running_min", "a running minimum with np.minimum.accumulate", _es_running_min))),
    Item("dropout_forward", NB, _dropout_cases, rtol=1e-12, atol=1e-15,
         outputs=(("A_drop", "the activations after dropout, kept entries divided by 1 - p"),
                  ("mask", "1.0 where kept, 0.0 where dropped")),
         mistakes=(Variant("no_rescale", "does not divide the kept activations by 1 - p (inverted dropout rescales in training)", _do_no_rescale),
                   Variant("keep_prob", "treats p as the probability of keeping a unit; here p is the probability of dropping it",
                           _do_keep_prob),
                   Variant("divide_by_p", "divides by p instead of by 1 - p, the probability of keeping a unit", _do_divide_by_p),
                   Variant("times_keep", "multiplies by 1 - p instead of dividing by it", _do_times_keep),
                   Variant("scaled_mask", "returns the rescaled mask (mask / (1 - p)) instead of the 0/1 mask", _do_scaled_mask),
                   Variant("in_place", "rescales A in place (A *= ...), which overwrites the caller's activations; the spec says A is left unchanged", _do_in_place)),
         alternatives=(Variant("where", "np.where on a boolean mask", _do_where),
                       Variant("strict", "keeps where U > p (equal to U >= p with probability 1)", _do_strict))),
]

# ----------------------------------------------------------------------------- added with issue 18
# dropout_backward: one product per entry, so two correct formulas agree to an ulp (rtol 1e-12); each mistake is off
# by a factor (1 - p, 1 / (1 - p)^2) or keeps the gradient of dropped units.
def _dropout_backward_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for p in (0.5, float(rng.uniform(0.1, 0.8)), 0.0):
        shape = (int(rng.integers(1, 5)), int(rng.integers(1, 6)))
        mask = (rng.random(shape) >= p).astype(float)
        if p > 0:
            mask.reshape(-1)[0], mask.reshape(-1)[-1] = 0.0, 1.0     # at least one dropped and one kept entry
        cases.append(Case(f"dA_drop and a mask of shape {shape}, p = {p:.3g}", (rng.normal(size=shape), mask, p)))
    cases.append(Case("a 1-D layer of 6 units, p = 0.25", (rng.normal(size=6), np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0]), 0.25)))
    return cases


def _db_where(dA_drop, mask, p):
    """Correct: np.where on the kept entries."""
    return np.where(mask > 0, dA_drop / (1.0 - p), 0.0)


# layer_statistics: the forward and backward passes of the given layers (O(1) numbers, at most 5 layers), RMS by
# np.sqrt(np.mean(.)) against np.linalg.norm / sqrt(size): ~1e-15 relative; rtol 1e-9 leaves six orders of margin.
# Each mistake changes a whole entry (a mean instead of an RMS, a layer shifted, the order reversed).
_ACT = {"identity": lambda z: z, "relu": lambda z: np.maximum(z, 0.0),
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), "tanh": np.tanh}
_ACT_DER = {"identity": np.ones_like, "relu": lambda z: (z > 0).astype(float),
            "sigmoid": lambda z: _ACT["sigmoid"](z) * (1 - _ACT["sigmoid"](z)), "tanh": lambda z: 1 - np.tanh(z) ** 2}


def _stats_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for act in ("tanh", "relu", "sigmoid", "identity"):
        depth, width, m = int(rng.integers(2, 6)), int(rng.integers(2, 6)), int(rng.integers(2, 7))
        sizes = [int(rng.integers(2, 6))] + [width] * depth
        gain = float(rng.uniform(0.5, 2.0))
        flat = []
        for n_prev, n in zip(sizes[:-1], sizes[1:]):
            flat += [gain * rng.normal(size=(n, n_prev)) / np.sqrt(n_prev), rng.normal(0, 0.3, size=(n, 1))]
        cases.append(Case(f"{act}, {depth} layers of {width} units, gain {gain:.2f}, batch of {m}",
                          (rng.normal(size=(sizes[0], m)), rng.normal(size=(width, m)), act, *flat)))
    cases.append(Case("one relu layer", (rng.normal(size=(3, 4)), rng.normal(size=(2, 4)), "relu",
                                          rng.normal(size=(2, 3)), np.zeros((2, 1)))))
    return cases


def _stats(X, params, activation, dY, *, measure="rms", shift=False, reverse=False, identity_last=False):
    m = {"rms": lambda a: float(np.sqrt(np.mean(a ** 2))), "std": lambda a: float(np.std(a)),
         "abs": lambda a: float(np.mean(np.abs(a)))}[measure]
    A, caches, acts = X, [], []
    for l, (W, b) in enumerate(params):
        act = "identity" if identity_last and l == len(params) - 1 else activation
        Z = W @ A + b
        caches.append((A, W, Z, act))
        A = _ACT[act](Z)
        acts.append(m(A))
    dA, grads = dY, []
    for A_prev, W, Z, act in reversed(caches):
        if not shift:
            grads.append(m(dA))
        dA = W.T @ (dA * _ACT_DER[act](Z))
        if shift:
            grads.append(m(dA))
    return np.array(acts), np.array(grads if reverse else grads[::-1])


def _stats_norm(X, params, activation, dY):
    """Correct: the passes written out, the RMS as a norm over the square root of the size."""
    A, Zs, As, acts = X, [], [X], []
    for W, b in params:
        Z = W @ A + b
        A = _ACT[activation](Z)
        Zs.append(Z)
        As.append(A)
        acts.append(np.linalg.norm(A) / np.sqrt(A.size))
    grads = [0.0] * len(params)
    dA = dY
    for l in range(len(params) - 1, -1, -1):
        grads[l] = np.linalg.norm(dA) / np.sqrt(dA.size)
        dA = params[l][0].T @ (dA * _ACT_DER[activation](Zs[l]))
    return np.array(acts), np.array(grads)


ITEMS += [
    Item("dropout_backward", NB, _dropout_backward_cases, rtol=1e-12, atol=1e-15,
         outputs=(("dA", "the gradient at the activations before dropout"),),
         mistakes=(Variant("no_rescale", "forgets the factor 1 / (1 - p) of the forward pass: dA_drop * mask", lambda d, m, p: d * m),
                   Variant("times_keep", "multiplies by 1 - p instead of dividing by it", lambda d, m, p: d * m * (1 - p)),
                   Variant("no_mask", "ignores the mask: dropped units pass the gradient back too", lambda d, m, p: d / (1 - p))),
         alternatives=(Variant("where", "np.where on the kept entries", _db_where),)),
    Item("layer_statistics", NB, _stats_cases, probe="gen_layer_statistics", rtol=1e-9, atol=1e-12,
         outputs=(("act_rms", "the RMS of each layer's activations, first layer first"),
                  ("grad_rms", "the RMS of the gradient at each layer's output, first layer first")),
         mistakes=(Variant("std", "uses the standard deviation (np.std) instead of the root mean square",
                           lambda X, P, a, d: _stats(X, P, a, d, measure="std")),
                   Variant("mean_abs", "uses the mean absolute value instead of the root mean square",
                           lambda X, P, a, d: _stats(X, P, a, d, measure="abs")),
                   Variant("input_gradient", "records the gradient at each layer's input (dA_prev) instead of at its output",
                           lambda X, P, a, d: _stats(X, P, a, d, shift=True)),
                   Variant("last_first", "returns the gradients last layer first", lambda X, P, a, d: _stats(X, P, a, d, reverse=True)),
                   Variant("identity_output", "uses the identity at the last layer instead of the given activation",
                           lambda X, P, a, d: _stats(X, P, a, d, identity_last=True))),
         alternatives=(Variant("norm", "the passes written out, the RMS as norm / sqrt(size)", _stats_norm),)),
]
# make demo's two-bug submission: two classic mistakes (answer cell grade id -> code), each one of the
# items' known mistakes, so the grader names both ("this looks like: ...").
DEMO_BUGS = {
    "l2_penalty": '''
        def l2_penalty(params, lam):
            penalty = lam / 2 * sum(float(np.sum(W ** 2) + np.sum(b ** 2)) for W, b in params)   # biases penalized too
            return penalty, [(lam * W, lam * b) for W, b in params]
    ''',
    "dropout_forward": '''
        def dropout_forward(A, p, rng):
            mask = (rng.random(A.shape) >= p).astype(float)
            return A * mask, mask          # forgot to rescale by 1 / (1 - p)
    ''',
}
