"""Graded items of notebook 03 (loss functions): cases, known mistakes, alternatives.

Tolerances: losses and gradients are sums of at most ~30 float64 terms of moderate size, computed
by different but equally exact formulas (``logaddexp(0, z) - y z`` against
``max(z, 0) - y z + log1p(exp(-|z|))``; a log-sum-exp against the log of a stable softmax on
moderate logits; loops against vectorised sums), which agree to ~1e-15 relative. ``rtol = 1e-9``
with ``atol = 1e-12`` accepts all of them, while every known mistake (a missing 1/m or factor 2, a
wrong axis, a wrong sign, an overflow to inf or NaN) is off by far more on some case. At the logits
of +-1000 the correct losses are exact integers (0, 1000, 2000), so the same tolerance holds there.
The hinge's kink at a margin of exactly 1 is avoided by the cases (either subgradient is right).
``one_hot`` is compared exactly; ``accuracy`` within 1e-12 (a fraction k/m).

Every case keeps every mistake runnable (a mistake that raises on a case cannot be recognised on
it), and for each pair of mistakes some case tells them apart.
"""
from __future__ import annotations

import numpy as np

from autograde.spec import Case, Item, Variant

NOTEBOOK = NB = "03_losses"

TOL = dict(rtol=1e-9, atol=1e-12)
LOSS_OUTPUTS = (("loss", "the loss averaged over the m samples"), ("gradient", "the gradient with respect to the first argument"))


def _dim(rng, lo, hi) -> int:
    return int(rng.integers(lo, hi + 1))


def _sig(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _binary_shape(rng, k: int):
    m = _dim(rng, 2, 7)
    return (1, m) if k % 2 == 0 else (m,)


# ----------------------------------------------------------------------------- square_loss
def _square_cases(rng) -> list[Case]:
    cases = []
    for k in range(4):
        n, m = (_dim(rng, 2, 4) if k == 0 else _dim(rng, 1, 4)), _dim(rng, 2, 6)
        cases.append(Case(f"Y_hat and Y of shape ({n}, {m})", (rng.normal(size=(n, m)), rng.normal(size=(n, m)))))
    cases.append(Case("one sample, one output", (np.array([[3.0]]), np.array([[1.0]]))))
    return cases


def _square_sum(Y_hat, Y):
    return float(np.sum((Y_hat - Y) ** 2)), 2.0 * (Y_hat - Y)


def _square_grad_no_m(Y_hat, Y):
    return float(np.sum((Y_hat - Y) ** 2) / Y.shape[1]), 2.0 * (Y_hat - Y)


def _square_no_2(Y_hat, Y):
    return float(np.sum((Y_hat - Y) ** 2) / Y.shape[1]), (Y_hat - Y) / Y.shape[1]


def _square_mean_all(Y_hat, Y):
    return float(np.mean((Y_hat - Y) ** 2)), 2.0 * (Y_hat - Y) / Y.size


def _square_sign(Y_hat, Y):
    return float(np.sum((Y_hat - Y) ** 2) / Y.shape[1]), 2.0 * (Y - Y_hat) / Y.shape[1]


def _square_loop(Y_hat, Y):
    n, m = Y.shape
    loss, grad = 0.0, np.zeros((n, m))
    for i in range(m):
        for k in range(n):
            loss += (Y_hat[k, i] - Y[k, i]) ** 2
            grad[k, i] = 2 * (Y_hat[k, i] - Y[k, i]) / m
    return loss / m, grad


def _square_mean_of_sums(Y_hat, Y):
    return np.mean(np.sum(np.square(Y_hat - Y), axis=0)), (Y_hat - Y) * (2.0 / Y.shape[1])


# ----------------------------------------------------------------------------- hinge_loss
def _hinge_cases(rng) -> list[Case]:
    cases = []
    for k in range(4):
        shape = _binary_shape(rng, k)
        y = rng.choice([-1.0, 1.0], size=shape)
        cases.append(Case(f"scores of shape {shape}", (rng.normal(0.0, 1.5, size=shape), y)))
    cases.append(Case("every margin above 1 (loss 0)", (np.array([[2.0, -3.0, 1.5]]), np.array([[1.0, -1.0, 1.0]]))))
    cases.append(Case("margins -2, -0.5, 0.5 (all inside the hinge)", (np.array([[-2.0, 0.5, 0.5]]), np.array([[1.0, -1.0, 1.0]]))))
    return cases


def _hinge_no_one(scores, y):
    m = y.shape[-1]
    margin = y * scores
    return float(np.sum(np.maximum(0.0, -margin)) / m), np.where(margin < 0.0, -y, 0.0) / m


def _hinge_grad_everywhere(scores, y):
    m = y.shape[-1]
    return float(np.sum(np.maximum(0.0, 1.0 - y * scores)) / m), -y / m


def _hinge_sum(scores, y):
    margin = y * scores
    return float(np.sum(np.maximum(0.0, 1.0 - margin))), np.where(margin < 1.0, -y, 0.0)


def _hinge_sign(scores, y):
    m = y.shape[-1]
    margin = y * scores
    return float(np.sum(np.maximum(0.0, 1.0 - margin)) / m), np.where(margin < 1.0, y, 0.0) / m


def _hinge_loop(scores, y):
    s, t = scores.reshape(-1), y.reshape(-1)
    m = y.shape[-1]
    loss, grad = 0.0, np.zeros(s.size)
    for i in range(s.size):
        if t[i] * s[i] <= 1.0:       # the other subgradient at the kink
            loss += 1.0 - t[i] * s[i]
            grad[i] = -t[i] / m
    return loss / m, grad.reshape(scores.shape)


# ----------------------------------------------------------------------------- binary_cross_entropy
def _bce_cases(rng) -> list[Case]:
    cases = []
    for k in range(4):
        shape = _binary_shape(rng, k)
        y = rng.integers(0, 2, size=shape).astype(float)
        y.reshape(-1)[0], y.reshape(-1)[1] = 0.0, 1.0      # both classes in every case
        cases.append(Case(f"p and y of shape {shape}", (rng.uniform(0.05, 0.95, size=shape), y)))
    cases.append(Case("confident predictions p = 0.99 and 0.01, right and wrong",
                      (np.array([[0.99, 0.01, 0.99, 0.01]]), np.array([[1.0, 0.0, 0.0, 1.0]]))))
    return cases


def _bce_logit_grad(p, y):
    m = y.shape[-1]
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / m), (p - y) / m


def _bce_sum(p, y):
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))), (p - y) / (p * (1 - p))


def _bce_positive_only(p, y):
    m = y.shape[-1]
    return float(-np.sum(y * np.log(p)) / m), -y / p / m


def _bce_sign(p, y):
    m = y.shape[-1]
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / m), (y - p) / (p * (1 - p)) / m


def _bce_where(p, y):
    m = y.shape[-1]
    loss = np.sum(np.where(y == 1, -np.log(p), -np.log1p(-p))) / m
    return loss, (-y / p + (1 - y) / (1 - p)) / m


# ----------------------------------------------------------------------------- sigmoid_binary_cross_entropy
def _sbce_cases(rng) -> list[Case]:
    cases = []
    for k in range(3):
        shape = _binary_shape(rng, k)
        cases.append(Case(f"logits of shape {shape}", (rng.normal(0.0, 3.0, size=shape), rng.integers(0, 2, size=shape).astype(float))))
    cases.append(Case("logits 1000 (label 1) and -1000 (label 0): confidently right",
                      (np.array([[1000.0, -1000.0]]), np.array([[1.0, 0.0]]))))
    cases.append(Case("logit -1000 with label 1: confidently wrong", (np.array([[-1000.0, 0.5]]), np.array([[1.0, 1.0]]))))
    cases.append(Case("logit 1000 with label 0: confidently wrong", (np.array([[1000.0, 0.5]]), np.array([[0.0, 0.0]]))))
    return cases


def _sbce_naive_log(z, y):
    m = y.shape[-1]
    p = _sig(z)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / m), (p - y) / m


def _sbce_overflow(z, y):
    m = y.shape[-1]
    return float(np.sum(np.log(1 + np.exp(z)) - y * z) / m), (_sig(z) - y) / m


def _sbce_grad_no_m(z, y):
    return float(np.sum(np.logaddexp(0.0, z) - y * z) / y.shape[-1]), _sig(z) - y


def _sbce_sign(z, y):
    m = y.shape[-1]
    return float(np.sum(np.logaddexp(0.0, z) - y * z) / m), (y - _sig(z)) / m


def _sbce_softplus_abs(z, y):
    m = y.shape[-1]
    loss = np.sum(np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))) / m
    return loss, (0.5 * (1.0 + np.tanh(z / 2)) - y) / m


def _sbce_naive_gradient(z, y):
    """Correct values: the naive sigmoid overflows for z = -1000 (numpy warns) but gives exactly 0 there."""
    m = y.shape[-1]
    return float(np.sum(np.logaddexp(0.0, z) - y * z) / m), (1.0 / (1.0 + np.exp(-z)) - y) / m


def _sbce_two_terms(z, y):
    m = y.shape[-1]
    loss = np.sum(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)) / m
    return loss, (np.exp(-np.logaddexp(0.0, -z)) - y) / m


# ----------------------------------------------------------------------------- one_hot
def _one_hot_cases(rng) -> list[Case]:
    cases = []
    for _ in range(4):
        m = _dim(rng, 1, 9)
        labels = rng.integers(0, 4, size=m)
        C = int(labels.max()) + _dim(rng, 1, 3)            # some classes above the largest label
        cases.append(Case(f"{m} labels, {C} classes", (labels.astype(float), C)))
    cases.append(Case("one label, two classes", (np.array([0.0]), 2)))
    cases.append(Case("labels [1, 1, 0], 3 classes", (np.array([1.0, 1.0, 0.0]), 3)))
    return cases


def _one_hot_transposed(labels, n_classes):
    return np.eye(n_classes)[labels]


def _one_hot_from_data(labels, n_classes):
    C = int(np.max(labels)) + 1
    Y = np.zeros((C, labels.size))
    Y[labels, np.arange(labels.size)] = 1.0
    return Y


def _one_hot_eye(labels, n_classes):
    return np.eye(n_classes)[:, labels]


def _one_hot_loop(labels, n_classes):
    Y = np.zeros((n_classes, len(labels)))
    for i, c in enumerate(labels):
        Y[c, i] = 1
    return Y


# ----------------------------------------------------------------------------- softmax
def _softmax_cases(rng) -> list[Case]:
    cases = []
    for _ in range(3):
        C, m = _dim(rng, 2, 5), _dim(rng, 2, 6)
        while C == m:
            m = _dim(rng, 2, 6)
        cases.append(Case(f"logits of shape ({C}, {m})", (rng.normal(0.0, 2.0, size=(C, m)),)))
    cases.append(Case("one sample of 3 logits", (rng.normal(size=(3, 1)),)))
    cases.append(Case("logits +-1000", (np.array([[1000.0, -1000.0], [999.0, -1000.0], [-1000.0, -999.0]]),)))
    # the spec's "stable for logits of +-1000" in its plainest form: subtracting the column's mean leaves exp(1000)
    cases.append(Case("one column (1000, -1000)", (np.array([[1000.0], [-1000.0]]),)))
    cases.append(Case("one column near 700, the other near -100",
                      (np.array([[700.0, -100.0], [699.0, -101.0], [698.0, -99.0]]),)))
    return cases


def _softmax_naive(Z):
    E = np.exp(Z)
    return E / np.sum(E, axis=0, keepdims=True)


def _softmax_rows(Z):
    E = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return E / np.sum(E, axis=1, keepdims=True)


def _softmax_global_max(Z):
    E = np.exp(Z - np.max(Z))
    return E / np.sum(E, axis=0, keepdims=True)


def _softmax_mean_shift(Z):
    E = np.exp(Z - np.mean(Z, axis=0, keepdims=True))
    return E / np.sum(E, axis=0, keepdims=True)


def _softmax_lse(Z):
    c = np.max(Z, axis=0)
    lse = c + np.log(np.sum(np.exp(Z - c), axis=0))
    return np.exp(Z - lse)


def _softmax_loop(Z):
    out = np.empty_like(Z)
    for i in range(Z.shape[1]):
        e = np.exp(Z[:, i] - Z[:, i].max())
        out[:, i] = e / e.sum()
    return out


# ----------------------------------------------------------------------------- cross_entropy
def _ce_cases(rng) -> list[Case]:
    cases = []
    for _ in range(3):
        C, m = _dim(rng, 2, 5), _dim(rng, 2, 6)
        while C == m:
            m = _dim(rng, 2, 6)
        Y = np.eye(C)[:, rng.integers(0, C, size=m)]
        cases.append(Case(f"logits and one-hot targets of shape ({C}, {m})", (rng.normal(0.0, 2.0, size=(C, m)), Y)))
    cases.append(Case("one sample, 3 classes", (rng.normal(size=(3, 1)), np.array([[0.0], [1.0], [0.0]]))))
    cases.append(Case("logits (1000, -1000), true class the likely one (loss 0)", (np.array([[1000.0], [-1000.0]]), np.array([[1.0], [0.0]]))))
    cases.append(Case("logits (1000, -1000), true class the unlikely one (loss 2000)", (np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]]))))
    return cases


def _stable_softmax(Z, axis=0):
    E = np.exp(Z - np.max(Z, axis=axis, keepdims=True))
    return E / np.sum(E, axis=axis, keepdims=True)


def _ce_sum(Z, Y):
    P = _stable_softmax(Z)
    lse = np.max(Z, axis=0) + np.log(np.sum(np.exp(Z - np.max(Z, axis=0)), axis=0))
    return float(np.sum(lse - np.sum(Y * Z, axis=0))), P - Y


def _ce_naive(Z, Y):
    m = Z.shape[1]
    P = np.exp(Z) / np.sum(np.exp(Z), axis=0, keepdims=True)
    return float(-np.sum(Y * np.log(P)) / m), (P - Y) / m


def _ce_log_softmax(Z, Y):
    m = Z.shape[1]
    P = _stable_softmax(Z)
    return float(-np.sum(Y * np.log(P)) / m), (P - Y) / m


def _ce_rows(Z, Y):
    m = Z.shape[1]
    P = _stable_softmax(Z, axis=1)
    return float(-np.sum(Y * np.log(P)) / m), (P - Y) / m


def _ce_grad_no_m(Z, Y):
    m = Z.shape[1]
    lse = np.max(Z, axis=0) + np.log(np.sum(np.exp(Z - np.max(Z, axis=0)), axis=0))
    return float(np.sum(lse - np.sum(Y * Z, axis=0)) / m), _stable_softmax(Z) - Y


def _ce_loop(Z, Y):
    C, m = Z.shape
    loss, grad = 0.0, np.zeros((C, m))
    for i in range(m):
        z = Z[:, i]
        c = z.max()
        lse = c + np.log(np.exp(z - c).sum())
        t = int(np.argmax(Y[:, i]))
        loss += lse - z[t]
        grad[:, i] = (np.exp(z - lse) - Y[:, i]) / m
    return loss / m, grad


def _ce_log_softmax_stable(Z, Y):
    m = Z.shape[1]
    log_p = Z - np.max(Z, axis=0) - np.log(np.sum(np.exp(Z - np.max(Z, axis=0)), axis=0))
    return -np.sum(Y * log_p) / m, (np.exp(log_p) - Y) / m


# ----------------------------------------------------------------------------- accuracy
def _accuracy_cases(rng) -> list[Case]:
    cases = []
    for _ in range(4):
        C, m = _dim(rng, 2, 5), _dim(rng, 3, 10)
        Z = rng.normal(size=(C, m))
        labels = np.where(rng.uniform(size=m) < 0.6, np.argmax(Z, axis=0), rng.integers(0, C, size=m))
        cases.append(Case(f"scores of shape ({C}, {m})", (Z, labels.astype(float))))
    cases.append(Case("a tie in a column (the first maximum counts)",
                      (np.array([[1.0, 0.0, 2.0], [1.0, 3.0, 0.0]]), np.array([0.0, 1.0, 1.0]))))
    # the spec: the first row wins a tie, so a label on the second of two tied rows is a wrong prediction
    cases.append(Case("ties where the label is the second of the tied rows",
                      (np.array([[2.0, 0.5, 1.0, 0.0], [2.0, 0.5, 3.0, 1.0], [0.0, 0.5, 1.0, 1.0]]), np.array([1.0, 2.0, 1.0, 2.0]))))
    return cases


def _acc_count(Z, labels):
    return int(np.sum(np.argmax(Z, axis=0) == labels))


def _acc_percent(Z, labels):
    return 100.0 * float(np.mean(np.argmax(Z, axis=0) == labels))


def _acc_error_rate(Z, labels):
    return float(np.mean(np.argmax(Z, axis=0) != labels))


def _acc_ties_count(Z, labels):
    return float(np.mean(Z[np.asarray(labels), np.arange(Z.shape[1])] == Z.max(axis=0)))


def _acc_loop(Z, labels):
    right = 0
    for i in range(Z.shape[1]):
        right += int(list(Z[:, i]).index(max(Z[:, i])) == labels[i])
    return right / Z.shape[1]


ITEMS = [
    Item("square_loss", NB, _square_cases, **TOL, outputs=LOSS_OUTPUTS,
         mistakes=(Variant("sum_not_mean", "sums over the samples instead of averaging: the loss and the gradient miss the 1/m", _square_sum),
                   Variant("gradient_missing_m", "gives the gradient 2 (Y_hat - Y) without dividing by m", _square_grad_no_m),
                   Variant("gradient_missing_2", "drops the factor 2 of the gradient: d/dx of x^2 is 2x", _square_no_2),
                   Variant("mean_over_outputs_too", "averages over the outputs as well (divides by n m); average over the m samples only", _square_mean_all),
                   Variant("gradient_sign", "has the gradient's sign flipped: it is 2 (Y_hat - Y) / m, not 2 (Y - Y_hat) / m", _square_sign)),
         alternatives=(Variant("loops", "loops over samples and outputs", _square_loop),
                       Variant("mean_of_sums", "the mean over samples of the per-sample sums", _square_mean_of_sums))),
    Item("hinge_loss", NB, _hinge_cases, **TOL, outputs=LOSS_OUTPUTS,
         mistakes=(Variant("no_margin_of_one", "uses max(0, -y s) (the perceptron's loss): the hinge is max(0, 1 - y s)", _hinge_no_one),
                   Variant("gradient_everywhere", "gives the gradient -y/m for every sample; it is 0 where the margin y s is above 1", _hinge_grad_everywhere),
                   Variant("sum_not_mean", "sums over the samples instead of averaging (no 1/m)", _hinge_sum),
                   Variant("gradient_sign", "has the gradient's sign flipped: it is -y/m inside the hinge", _hinge_sign)),
         alternatives=(Variant("loop_other_subgradient", "a loop that takes -y/m at the kink as well", _hinge_loop),)),
    Item("binary_cross_entropy", NB, _bce_cases, **TOL, outputs=LOSS_OUTPUTS,
         mistakes=(Variant("logit_gradient", "returns (p - y)/m, the gradient with respect to the LOGIT; with respect to p it is (p - y) / (p (1 - p) m)", _bce_logit_grad),
                   Variant("sum_not_mean", "sums over the samples instead of averaging (no 1/m)", _bce_sum),
                   Variant("positive_term_only", "keeps only -y log p and drops the -(1 - y) log(1 - p) term of the samples with y = 0", _bce_positive_only),
                   Variant("gradient_sign", "has the gradient's sign flipped", _bce_sign)),
         alternatives=(Variant("where_log1p", "np.where on the label, log1p, and the unsimplified gradient", _bce_where),)),
    # Decided (issue 17, a "minor" case): a gradient computed with the naive 1 / (1 + exp(-z)) overflows (numpy warns)
    # for z = -1000 yet returns the right value, exactly 0 - y; DESIGN's rule is that a correct but naive formula keeps
    # its points (warnings are silenced in every test cell). So it keeps full marks here, and the visible check says it
    # as a hint ("numpy warned 'overflow'"), not as an error. A formula whose value is wrong (NaN from inf / inf) fails.
    Item("sigmoid_binary_cross_entropy", NB, _sbce_cases, **TOL, outputs=LOSS_OUTPUTS,
         mistakes=(Variant("log_of_sigmoid", "takes the log of sigmoid(z): for logits of +-1000 the sigmoid rounds to 0 or 1 and the log gives inf or NaN; use np.logaddexp(0, z) - y z", _sbce_naive_log),
                   Variant("log_one_plus_exp", "computes log(1 + exp(z)) directly, which overflows to inf for large z; np.logaddexp(0, z) does not", _sbce_overflow),
                   Variant("gradient_missing_m", "gives the gradient sigmoid(z) - y without dividing by m", _sbce_grad_no_m),
                   Variant("gradient_sign", "has the gradient's sign flipped: it is (sigmoid(z) - y) / m", _sbce_sign)),
         alternatives=(Variant("softplus_abs", "max(z, 0) - y z + log1p(exp(-|z|)), the other stable formula", _sbce_softplus_abs),
                       Variant("two_logaddexp", "y logaddexp(0, -z) + (1 - y) logaddexp(0, z)", _sbce_two_terms),
                       Variant("naive_sigmoid_gradient", "the gradient through the naive 1 / (1 + exp(-z)), which warns but is exact", _sbce_naive_gradient))),
    Item("one_hot", NB, _one_hot_cases, probe="losses_one_hot", exact=True,
         mistakes=(Variant("transposed", "returns shape (m, C), one row per sample; the course puts samples in columns: (C, m)", _one_hot_transposed),
                   Variant("classes_from_labels", "counts the classes from the largest label instead of using n_classes", _one_hot_from_data)),
         alternatives=(Variant("eye_columns", "columns of the identity matrix", _one_hot_eye),
                       Variant("loop", "a loop over the samples", _one_hot_loop))),
    Item("softmax", NB, _softmax_cases, rtol=1e-9, atol=1e-12,
         mistakes=(Variant("no_max_subtraction", "does not subtract the maximum first: exp(1000) overflows and the result is NaN", _softmax_naive),
                   Variant("wrong_axis", "normalises over the rows (axis=1) instead of over each column (axis=0)", _softmax_rows),
                   Variant("global_max", "subtracts the maximum of the whole array instead of each column's own: a column far below it underflows to 0/0", _softmax_global_max),
                   Variant("mean_shift", "subtracts each column's mean instead of its maximum: for the column (1000, -1000) the mean is 0 and exp(1000) still overflows", _softmax_mean_shift)),
         alternatives=(Variant("log_sum_exp", "exp(Z - LSE(Z)) per column", _softmax_lse),
                       Variant("loop", "a loop over the columns", _softmax_loop))),
    Item("cross_entropy", NB, _ce_cases, **TOL, outputs=LOSS_OUTPUTS, uses=("softmax",),
         callee_calls=lambda args: [("softmax", (args[0] - np.max(args[0], axis=0, keepdims=True),))],
         mistakes=(Variant("sum_not_mean", "sums over the samples instead of averaging: the loss and the gradient miss the 1/m", _ce_sum),
                   Variant("naive_softmax", "computes the softmax without subtracting the maximum: NaN for logits of 1000", _ce_naive),
                   Variant("log_of_softmax", "takes np.log of the softmax: an unlikely true class has probability 0 in floats and the loss becomes inf; use log-sum-exp", _ce_log_softmax),
                   Variant("wrong_axis", "normalises the softmax over the rows (axis=1) instead of over each column", _ce_rows),
                   Variant("gradient_missing_m", "gives the gradient softmax(Z) - Y without dividing by m", _ce_grad_no_m)),
         alternatives=(Variant("loop", "a loop over the samples with a per-column log-sum-exp", _ce_loop),
                       Variant("log_softmax", "-sum(Y * log_softmax) with log_softmax from the max subtraction", _ce_log_softmax_stable))),
    Item("accuracy", NB, _accuracy_cases, probe="losses_accuracy", rtol=1e-12, atol=1e-12,
         mistakes=(Variant("count_not_fraction", "returns the number of correct predictions instead of the fraction (divide by m)", _acc_count),
                   Variant("percent", "returns a percentage; the spec asks for a fraction in [0, 1]", _acc_percent),
                   Variant("error_rate", "returns the fraction of WRONG predictions (the error rate)", _acc_error_rate),
                   Variant("ties_count", "counts a label as right whenever its score equals the column's maximum, so every tied row wins; the spec says the first row wins a tie (np.argmax)", _acc_ties_count)),
         alternatives=(Variant("loop", "a loop with list.index(max(...)), which also picks the first maximum", _acc_loop),)),
]

# make demo's two-bug submission: two classic mistakes (answer cell grade id -> code), named by the grader.
DEMO_BUGS = {
    "square_loss": '''
        def square_loss(Y_hat, Y):
            diff = Y_hat - Y
            return float(np.sum(diff ** 2)), 2.0 * diff      # summed over the samples: no 1/m
    ''',
    "one_hot": '''
        def one_hot(labels, n_classes):
            return np.eye(n_classes)[labels]                  # (m, C): one row per sample
    ''',
}
