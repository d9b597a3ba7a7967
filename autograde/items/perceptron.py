"""Graded items of notebook 01 (perceptron): randomized cases, edge cases, known mistakes, correct alternatives.

Tolerances: activations are bounded by 1 in size, so an absolute tolerance of 1e-10 accepts every
float64 formula (a naive ``(e^z - e^-z)/(e^z + e^-z)`` loses ~1e-16 absolute near 0, far below it;
it fails only where it overflows, at the |z| = 1000 of the large case), while any real mistake (a
wrong sign, a missing 0.5) is off by far more. Near 1 the relative tolerance (1e-7) dominates: a
sigmoid that clips z to [-20, 20] is within it on the positive side (sigma(20) = 1 - 2e-9) but not
on the negative side (sigma(-20) = 2e-9 where ~0 is expected, over atol = 1e-10), so it is still
rejected, by the large negative z of its cases. The perceptron cases use integer inputs and
power-of-two learning rates, so every update is exact in float64 and the trajectory (and its error
counts) does not depend on how a student orders the arithmetic.

Known mistakes and correct alternatives (:class:`autograde.spec.Variant`) follow each item's cases.
They are trusted-side code only: self-contained numpy (no student or reference function is
available to them), never shown to a student as code. ``tests/autograde/test_mutation.py`` proves
that each mistake is rejected and named as itself, and that each alternative passes.
"""
from __future__ import annotations

import textwrap

import numpy as np

from autograde.spec import Case, Item, Variant

NOTEBOOK = NB = "01_perceptron"


def _shape(rng: np.random.Generator) -> tuple:
    ndim = int(rng.integers(1, 4))
    return tuple(int(s) for s in rng.integers(1, 6, size=ndim))


def _activation_cases(rng: np.random.Generator, scale: float = 5.0, big: float | None = None) -> list[Case]:
    cases = [Case("z = [-2, -1, 0, 1, 2]", (np.array([-2.0, -1.0, 0.0, 1.0, 2.0]),)),
             Case("z = 0 (a 0-d array)", (np.array(0.0),)),
             # a fixed 2-D case: an answer that flattens z (a loop building a list) cannot pass by luck
             Case("z of shape (2, 3)", (np.array([[-3.0, 0.0, 0.5], [2.0, -0.25, 4.0]]),))]
    for _ in range(4):
        shape = _shape(rng)
        z = rng.normal(0.0, scale, size=shape)
        z.reshape(-1)[rng.integers(0, z.size)] = 0.0  # every random case also holds an exact 0
        cases.append(Case(f"random z of shape {shape}", (z,)))
    if big is not None:
        z = np.concatenate([np.array([-big, big, -1000.0, 1000.0, -40.0, 40.0]), rng.uniform(-big, big, size=6)])
        cases.append(Case(f"large |z| (up to {max(big, 1000.0):g})", (z,)))
    return cases


NEURON_ACTIVATIONS = ("identity", "tanh", "square")  # by name: see autograde.sandboxed.probes


def _neuron_cases(rng: np.random.Generator) -> list[Case]:
    cases = []
    for act in NEURON_ACTIVATIONS:
        n, m = int(rng.integers(1, 5)), int(rng.integers(1, 8))
        cases.append(Case(f"X of shape ({n}, {m}), activation {act}",
                          (rng.normal(size=(n, m)), rng.normal(size=n), float(rng.normal()), act)))
    cases.append(Case("one sample, one feature, identity", (np.array([[2.0]]), np.array([3.0]), -1.0, "identity")))
    return cases


def _predict_cases(rng: np.random.Generator) -> list[Case]:
    # z = x1 - x2 = 0, 2, -2: one point on the line (class 0) and one off it on each side
    cases = [Case("a point exactly on the line (z = 0) and two off it",
                  (np.array([[1.0, 2.0, 0.0], [1.0, 0.0, 2.0]]), np.array([1.0, -1.0]), 0.0))]
    for _ in range(3):
        n, m = int(rng.integers(1, 4)), int(rng.integers(2, 10))
        cases.append(Case(f"X of shape ({n}, {m})", (rng.normal(size=(n, m)), rng.normal(size=n), float(rng.normal()))))
    return cases


def _separable(rng: np.random.Generator, n: int, m: int):
    """Integer points labelled by an integer hyperplane, none on it (so the data is separable)."""
    w_true = rng.integers(-3, 4, size=n)
    w_true[0] = w_true[0] or 1
    b_true = int(rng.integers(-2, 3)) + 0.5  # half-integer: no integer point sits on the plane
    X = rng.integers(-4, 5, size=(n, m)).astype(float)
    y = (w_true @ X + b_true > 0).astype(float)
    return X, y


def _train_cases(rng: np.random.Generator) -> list[Case]:
    X_and = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    cases = [
        Case("AND truth table, lr 1, 20 epochs", (X_and, np.array([0.0, 0.0, 0.0, 1.0]), 1.0, 20)),
        Case("OR truth table, lr 0.5, 20 epochs", (X_and, np.array([0.0, 1.0, 1.0, 1.0]), 0.5, 20)),
        Case("XOR truth table (never converges), lr 1, 7 epochs", (X_and, np.array([0.0, 1.0, 1.0, 0.0]), 1.0, 7)),
        # small, and every known mistake changes its result. In column order training ends at w = (0.5, -0.5),
        # b = 0.5, errors [1, 2, 0]; visiting the columns from last to first ends at w = (0.5, 0); a bias
        # updated without lr ends at b = 1 (on OR at lr 0.5 both end at b = 0, and the random cases below
        # missed that mistake for 1 seed in 6)
        Case("3 points (-1, 0), (0, -1), (0, 0) labelled 0, 1, 1, lr 0.5, 10 epochs",
             (np.array([[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]), np.array([0.0, 1.0, 1.0]), 0.5, 10)),
    ]
    for lr in (0.25, 1.0):
        n, m = int(rng.integers(2, 4)), int(rng.integers(6, 16))
        X, y = _separable(rng, n, m)
        cases.append(Case(f"separable integer data, X of shape ({n}, {m}), lr {lr}, 100 epochs", (X, y, lr, 100)))
    return cases


def _xor_cases(rng: np.random.Generator) -> list[Case]:
    table = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    shuffled = table[:, rng.integers(0, 4, size=9)]
    return [Case("the XOR truth table", (table,)), Case("9 binary inputs in random order", (shuffled,))]


def _no_cases(rng: np.random.Generator) -> list[Case]:
    return [Case("its truth table", ())]


# make demo's two-bug submission: two classic mistakes (answer cell grade id -> code). Both are also
# known mistakes below (the same code), so the grader names them ("this looks like: ...").
DEMO_BUGS = {
    "step": '''
        def step(z):
            z = np.asarray(z, dtype=float)
            return np.where(z > 0, 1.0, 0.0)   # forgot the 0.5 at z == 0
    ''',
    "perceptron_train": '''
        def perceptron_train(X, y, lr, epochs):
            N, m = X.shape
            w, b = np.zeros(N), 0.0
            errors_per_epoch = []
            for epoch in range(epochs):          # forgot to stop after an error-free epoch
                errors = 0
                for i in range(m):
                    y_hat = 1.0 if w @ X[:, i] + b > 0 else 0.0
                    if y_hat != y[i]:
                        w = w + lr * (y[i] - y_hat) * X[:, i]
                        b = b + lr * (y[i] - y_hat)
                        errors += 1
                errors_per_epoch.append(errors)
            return w, b, errors_per_epoch
    ''',
}


def _demo_bug(name: str):
    """The function a DEMO_BUGS entry defines (trusted code, ours), so the demo's bug and the known mistake are one."""
    namespace: dict = {"np": np}
    exec(compile(textwrap.dedent(DEMO_BUGS[name]), f"<known mistake {name}>", "exec"), namespace)
    return namespace[name]


def _f(z) -> np.ndarray:
    return np.asarray(z, dtype=float)


def _sigmoid(z):
    """A stable logistic sigmoid for the variants below (self-contained: no reference is available to them)."""
    z = _f(z)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


# ------------------------------------------------------------------ step
def _step_one_at_zero(z):
    return np.where(_f(z) >= 0, 1.0, 0.0)


def _step_flattened(z):
    return np.array([1.0 if v > 0 else 0.0 if v < 0 else 0.5 for v in _f(z).reshape(-1)])


def _step_loop(z):
    z = _f(z)
    return np.array([1.0 if v > 0 else 0.0 if v < 0 else 0.5 for v in z.reshape(-1)]).reshape(z.shape)


def _step_nested_where(z):
    z = _f(z)
    return np.where(z > 0, 1.0, np.where(z < 0, 0.0, 0.5))


def _step_from_sign(z):
    return 0.5 * (np.sign(_f(z)) + 1.0)


STEP_MISTAKES = (
    Variant("zero_at_zero", "a step that gives 0 at z = 0, where the unit step is 0.5", _demo_bug("step")),
    Variant("one_at_zero", "a step that gives 1 at z = 0, where the unit step is 0.5", _step_one_at_zero),
    Variant("flattened", "a result that lost the shape of z: a 2-D input comes back as one flat list of values",
            _step_flattened),
)
STEP_ALTERNATIVES = (
    Variant("loop", "a Python loop over the entries, reshaped", _step_loop),
    Variant("nested_where", "two nested np.where", _step_nested_where),
    Variant("from_sign", "(sign(z) + 1) / 2", _step_from_sign),
)


# ------------------------------------------------------------------ sign
def _sign_zero_positive(z):
    return np.where(_f(z) >= 0, 1.0, -1.0)


def _sign_zero_negative(z):
    return np.where(_f(z) > 0, 1.0, -1.0)


def _sign_zero_for_negative(z):
    return np.where(_f(z) > 0, 1.0, 0.0)


def _sign_divide_by_abs(z):
    z = _f(z)
    return z / np.abs(z)


def _sign_nested_where(z):
    z = _f(z)
    return np.where(z > 0, 1.0, np.where(z < 0, -1.0, 0.0))


def _sign_difference(z):
    z = _f(z)
    return (z > 0).astype(float) - (z < 0).astype(float)


def _sign_loop(z):
    z = _f(z)
    return np.array([1.0 if v > 0 else -1.0 if v < 0 else 0.0 for v in z.reshape(-1)]).reshape(z.shape)


SIGN_MISTAKES = (
    Variant("one_at_zero", "a sign that gives 1 at z = 0, where the sign is 0", _sign_zero_positive),
    Variant("minus_one_at_zero", "a sign that gives -1 at z = 0, where the sign is 0", _sign_zero_negative),
    Variant("zero_for_negative", "a sign that gives 0 for negative z, like the unit step, instead of -1",
            _sign_zero_for_negative),
    Variant("divides_by_abs", "z divided by |z|, which is 0 / 0 = NaN at z = 0", _sign_divide_by_abs),
)
SIGN_ALTERNATIVES = (
    Variant("nested_where", "two nested np.where", _sign_nested_where),
    Variant("difference", "(z > 0) - (z < 0) as floats", _sign_difference),
    Variant("loop", "a Python loop over the entries, reshaped", _sign_loop),
)


# ------------------------------------------------------------------ sigmoid
def _sigmoid_exp_plus(z):
    return 1.0 / (1.0 + np.exp(_f(z)))


def _sigmoid_clipped_20(z):
    return 1.0 / (1.0 + np.exp(-np.clip(_f(z), -20.0, 20.0)))


def _sigmoid_exp_ratio_everywhere(z):
    ez = np.exp(_f(z))
    return ez / (1.0 + ez)


def _sigmoid_naive(z):
    return 1.0 / (1.0 + np.exp(-_f(z)))  # overflows (and warns) for z << 0, yet 1 / inf = 0 is right


def _sigmoid_where(z):
    z = _f(z)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-z)), np.exp(z) / (1.0 + np.exp(z)))  # both branches computed, one kept


def _sigmoid_clipped_500(z):
    return 1.0 / (1.0 + np.exp(-np.clip(_f(z), -500.0, 500.0)))  # sigma(-500) ~ 1e-217: indistinguishable from 0


def _sigmoid_logaddexp(z):
    return np.exp(-np.logaddexp(0.0, -_f(z)))


def _sigmoid_loop(z):
    z = _f(z)
    out = [1.0 / (1.0 + np.exp(-v)) if v >= 0 else np.exp(v) / (1.0 + np.exp(v)) for v in z.reshape(-1)]
    return np.array(out).reshape(z.shape)


SIGMOID_MISTAKES = (
    Variant("exp_plus", "exp(+z) where the formula has exp(-z): that computes sigma(-z), the curve mirrored",
            _sigmoid_exp_plus),
    Variant("clipped_20", "z clipped to [-20, 20]: for z far below -20 that gives sigma(-20), about 2e-9, instead of "
            "practically 0", _sigmoid_clipped_20),
    Variant("exp_ratio_everywhere", "e^z / (1 + e^z) used for positive z too, where e^z overflows to infinity and "
            "infinity / infinity gives NaN", _sigmoid_exp_ratio_everywhere),
)
SIGMOID_ALTERNATIVES = (
    Variant("naive", "the naive 1 / (1 + exp(-z)), which warns about an overflow but is right", _sigmoid_naive),
    Variant("via_tanh", "0.5 (1 + tanh(z / 2))", _sigmoid),
    Variant("where_branches", "np.where over both stable formulas", _sigmoid_where),
    Variant("clipped_500", "the naive formula on z clipped to [-500, 500]", _sigmoid_clipped_500),
    Variant("logaddexp", "exp(-log(1 + exp(-z))) with np.logaddexp", _sigmoid_logaddexp),
    Variant("loop", "a Python loop, one stable formula per entry", _sigmoid_loop),
)


# ------------------------------------------------------------------ tanh
def _tanh_two_sigma_z(z):
    return 2.0 * _sigmoid(z) - 1.0


def _tanh_sigma_minus_one(z):
    return _sigmoid(2.0 * _f(z)) - 1.0


def _tanh_no_minus_one(z):
    return 2.0 * _sigmoid(2.0 * _f(z))


def _tanh_numpy(z):
    return np.tanh(_f(z))


def _tanh_exp_formula(z):
    z = _f(z)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))  # inf / inf = NaN for |z| above ~710


def _tanh_stable_exp(z):
    z = _f(z)
    e = np.exp(-2.0 * np.abs(z))  # <= 1: never overflows
    return np.sign(z) * (1.0 - e) / (1.0 + e)


def _tanh_naive_sigmoid(z):
    return 2.0 / (1.0 + np.exp(-2.0 * _f(z))) - 1.0


TANH_MISTAKES = (
    Variant("two_sigma_z", "2 sigma(z) - 1, without doubling z inside the sigmoid: that is tanh(z / 2)",
            _tanh_two_sigma_z),
    Variant("sigma_minus_one", "sigma(2z) - 1, without the factor 2 in front of the sigmoid", _tanh_sigma_minus_one),
    Variant("no_minus_one", "2 sigma(2z) without the - 1, so the values lie between 0 and 2 instead of -1 and 1",
            _tanh_no_minus_one),
    Variant("exp_overflow", "(e^z - e^-z) / (e^z + e^-z) computed directly: for |z| above about 710 e^z overflows to "
            "infinity, and infinity / infinity gives NaN", _tanh_exp_formula),
)
TANH_ALTERNATIVES = (
    Variant("numpy", "np.tanh", _tanh_numpy),
    Variant("naive_sigmoid", "2 sigma(2z) - 1 with the naive sigmoid", _tanh_naive_sigmoid),
    Variant("stable_exp", "sign(z) (1 - e^(-2|z|)) / (1 + e^(-2|z|))", _tanh_stable_exp),
)


# ------------------------------------------------------------------ relu
def _relu_leaky(z):
    z = _f(z)
    return np.where(z > 0, z, 0.01 * z)


def _relu_minimum(z):
    return np.minimum(0.0, _f(z))


def _relu_ones(z):
    return (_f(z) > 0).astype(float)


def _relu_where(z):
    z = _f(z)
    return np.where(z > 0, z, 0.0)


def _relu_mask(z):
    z = _f(z)
    return z * (z > 0)


def _relu_loop(z):
    z = _f(z)
    return np.array([max(0.0, v) for v in z.reshape(-1)]).reshape(z.shape)


RELU_MISTAKES = (
    Variant("leaky", "a leaky ReLU: it keeps 0.01 z for negative z, where ReLU gives 0", _relu_leaky),
    Variant("minimum", "min(0, z), the negative part, instead of max(0, z)", _relu_minimum),
    Variant("ones_for_positive", "1 for positive z instead of z itself (that is the unit step, or ReLU's slope)",
            _relu_ones),
)
RELU_ALTERNATIVES = (
    Variant("where", "np.where(z > 0, z, 0)", _relu_where),
    Variant("mask", "z * (z > 0)", _relu_mask),
    Variant("loop", "a Python loop with max", _relu_loop),
)


# ------------------------------------------------------------------ neuron
def _neuron_bias_after(X, w, b, activation):
    return activation(w @ X) + b


def _neuron_no_activation(X, w, b, activation):
    return w @ X + b


def _neuron_no_bias(X, w, b, activation):
    return activation(w @ X)


def _neuron_loop(X, w, b, activation):
    return np.array([activation(sum(w[j] * X[j, i] for j in range(X.shape[0])) + b) for i in range(X.shape[1])])


def _neuron_transposed(X, w, b, activation):
    return activation(X.T @ w + b)


def _neuron_sum(X, w, b, activation):
    return activation(np.sum(w[:, None] * X, axis=0) + b)


NEURON_MISTAKES = (
    Variant("bias_after_activation", "the bias added after the activation, activation(w^T x) + b, instead of inside it",
            _neuron_bias_after),
    Variant("no_activation", "a neuron without its activation: it returns w^T x + b", _neuron_no_activation),
    Variant("no_bias", "a neuron without its bias b", _neuron_no_bias),
)
NEURON_ALTERNATIVES = (
    Variant("loop", "Python loops over the samples and the features", _neuron_loop),
    Variant("transposed", "activation(X.T @ w + b)", _neuron_transposed),
    Variant("broadcast_sum", "np.sum of w[:, None] * X over the features", _neuron_sum),
)


# ------------------------------------------------------------------ perceptron_predict
def _predict_ge(X, w, b):
    return (w @ X + b >= 0).astype(float)


def _predict_step(X, w, b):
    return np.heaviside(w @ X + b, 0.5)


def _predict_minus_one(X, w, b):
    return np.where(w @ X + b > 0, 1.0, -1.0)


def _predict_where(X, w, b):
    return np.where(w @ X + b > 0, 1.0, 0.0)


def _predict_loop(X, w, b):
    return np.array([1.0 if np.dot(w, X[:, i]) + b > 0 else 0.0 for i in range(X.shape[1])])


def _predict_heaviside0(X, w, b):
    return np.heaviside(w @ X + b, 0.0)


PREDICT_MISTAKES = (
    Variant("ge_on_line", "class 1 for a point exactly on the line (z = 0), where the rule says class 0", _predict_ge),
    Variant("step_on_line", "the unit step as the prediction: it gives 0.5 for a point on the line instead of class 0",
            _predict_step),
    Variant("minus_one_labels", "-1 instead of 0 for class 0", _predict_minus_one),
)
PREDICT_ALTERNATIVES = (
    Variant("where", "np.where(z > 0, 1, 0)", _predict_where),
    Variant("loop", "a Python loop over the columns", _predict_loop),
    Variant("heaviside_0", "np.heaviside(z, 0): a step that is 0 on the line", _predict_heaviside0),
)


# ------------------------------------------------------------------ perceptron_train
def _train(X, y, lr, epochs, *, decide=lambda z: z > 0, order=None, stop=True, record_zero=True,
           reset=True, bias_lr=True, at_epoch_end=False):
    """The classic rule with one switch per known mistake (each variant below turns on exactly one)."""
    N, m = X.shape
    w, b = np.zeros(N), 0.0
    errors_per_epoch: list[int] = []
    errors = 0
    for _ in range(epochs):
        if reset:
            errors = 0
        dw, db = np.zeros(N), 0.0
        for i in (range(m) if order is None else order(m)):
            y_hat = 1.0 if decide(w @ X[:, i] + b) else 0.0
            if y_hat != y[i]:
                step_w = lr * (y[i] - y_hat) * X[:, i]
                step_b = (lr if bias_lr else 1.0) * (y[i] - y_hat)
                if at_epoch_end:
                    dw, db = dw + step_w, db + step_b
                else:
                    w, b = w + step_w, b + step_b
                errors += 1
        w, b = w + dw, b + db
        if stop and errors == 0 and not record_zero:
            break
        errors_per_epoch.append(errors)
        if stop and errors == 0:
            break
    return w, float(b), errors_per_epoch


def _train_ge(X, y, lr, epochs):
    return _train(X, y, lr, epochs, decide=lambda z: z >= 0)


def _train_reversed(X, y, lr, epochs):
    return _train(X, y, lr, epochs, order=lambda m: range(m - 1, -1, -1))


def _train_zero_not_recorded(X, y, lr, epochs):
    return _train(X, y, lr, epochs, record_zero=False)


def _train_counter_not_reset(X, y, lr, epochs):
    return _train(X, y, lr, epochs, reset=False)


def _train_bias_without_lr(X, y, lr, epochs):
    return _train(X, y, lr, epochs, bias_lr=False)


def _train_at_epoch_end(X, y, lr, epochs):
    return _train(X, y, lr, epochs, at_epoch_end=True)


def _train_always_update(X, y, lr, epochs):
    """Updates on every example (y - y_hat is 0 when right), counts the mistakes apart, stops with a while loop."""
    w, b = np.zeros(X.shape[0]), 0.0
    errors_per_epoch = []
    while len(errors_per_epoch) < epochs:
        mistakes = 0
        for x_i, y_i in zip(X.T, y):
            err = y_i - np.heaviside(np.dot(w, x_i) + b, 0.0)
            w += lr * err * x_i
            b += lr * err
            mistakes += int(err != 0)
        errors_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return w, b, np.array(errors_per_epoch)


def _train_signed_updates(X, y, lr, epochs):
    """Adds or subtracts x explicitly (no (y - y_hat) factor), with the decision through perceptron_predict's rule."""
    w, b = np.zeros(X.shape[0]), 0.0
    errors_per_epoch = []
    for _ in range(epochs):
        errors = 0
        for i in range(X.shape[1]):
            positive = float(X[:, i] @ w) + b > 0
            if positive and y[i] == 0:
                w, b, errors = w - lr * X[:, i], b - lr, errors + 1
            elif not positive and y[i] == 1:
                w, b, errors = w + lr * X[:, i], b + lr, errors + 1
        errors_per_epoch.append(errors)
        if not errors:
            break
    return w, b, errors_per_epoch


TRAIN_MISTAKES = (
    Variant("no_early_stop", "training that never stops after an error-free epoch: it always runs all the epochs",
            _demo_bug("perceptron_train")),
    Variant("ge_on_line", "training that predicts class 1 for a point exactly on the line (z = 0), where the rule says "
            "class 0", _train_ge),
    Variant("reversed_order", "the examples visited from the last column to the first, instead of in column order",
            _train_reversed),
    Variant("zero_not_recorded", "training that stops after the error-free epoch without adding that epoch's 0 to "
            "errors_per_epoch", _train_zero_not_recorded),
    Variant("counter_not_reset", "a mistake counter that is never reset, so errors_per_epoch adds up the mistakes of "
            "all epochs so far (and no epoch is ever error-free)", _train_counter_not_reset),
    Variant("bias_without_lr", "the bias updated without the learning rate: b + (y - y_hat) instead of "
            "b + lr (y - y_hat)", _train_bias_without_lr),
    Variant("update_at_epoch_end", "updates added up and applied only at the end of each epoch, instead of after each "
            "example", _train_at_epoch_end),
)
TRAIN_ALTERNATIVES = (
    Variant("always_update", "update on every example, count mistakes apart, a while loop, in-place updates",
            _train_always_update),
    Variant("signed_updates", "add or subtract x explicitly on each kind of mistake", _train_signed_updates),
)


# ------------------------------------------------------------------ gates (value items: impl IS the (w, b) value)
AND_MISTAKES = (
    Variant("on_the_line_01_10", "a line through (0, 1) and (1, 0), where the step gives 0.5", ((1.0, 1.0), -1.0)),
    Variant("on_the_line_11", "a line through (1, 1), where the step gives 0.5", ((1.0, 1.0), -2.0)),
    Variant("or_instead", "the weights of OR, not AND", ((1.0, 1.0), -0.5)),
)
AND_ALTERNATIVES = (
    Variant("doubled", "w = (2, 2), b = -3", ((2.0, 2.0), -3.0)),
    Variant("unequal", "w = (1, 2), b = -2.5", ((1.0, 2.0), -2.5)),
    Variant("close_to_the_line", "w = (1, 1), b = -1.9", ((1.0, 1.0), -1.9)),
)
OR_MISTAKES = (
    Variant("on_the_line_00", "a line through (0, 0), where the step gives 0.5", ((1.0, 1.0), 0.0)),
    Variant("on_the_line_01_10", "a line through (0, 1) and (1, 0), where the step gives 0.5", ((1.0, 1.0), -1.0)),
    Variant("and_instead", "the weights of AND, not OR", ((1.0, 1.0), -1.5)),
)
OR_ALTERNATIVES = (
    Variant("doubled", "w = (2, 2), b = -1", ((2.0, 2.0), -1.0)),
    Variant("unequal", "w = (1, 0.5), b = -0.25", ((1.0, 0.5), -0.25)),
    Variant("small_bias", "w = (1, 1), b = -0.1", ((1.0, 1.0), -0.1)),
)
NOT_MISTAKES = (
    Variant("on_the_line_0", "a threshold exactly at the input 0, where the step gives 0.5", ((-1.0,), 0.0)),
    Variant("on_the_line_1", "a threshold exactly at the input 1, where the step gives 0.5", ((-1.0,), 1.0)),
    Variant("identity", "weights that copy the input instead of negating it", ((1.0,), -0.5)),
)
NOT_ALTERNATIVES = (
    Variant("doubled", "w = -2, b = 1", ((-2.0,), 1.0)),
    Variant("small_bias", "w = -1, b = 0.1", ((-1.0,), 0.1)),
)


# ------------------------------------------------------------------ xor_network
def _step(z):
    return np.heaviside(z, 0.5)


def _xor_with(X, W1, b1, w2, b2):
    return _step(np.asarray(w2) @ _step(np.asarray(W1) @ X + np.asarray(b1)[:, None]) + b2)


def _xor_or(X):
    return _step(np.array([1.0, 1.0]) @ X - 0.5)


def _xor_and_output(X):
    return _xor_with(X, [[1.0, -1.0], [-1.0, 1.0]], [-0.5, -0.5], [1.0, 1.0], -1.5)


def _xor_xnor(X):
    return _xor_with(X, [[1.0, -1.0], [-1.0, 1.0]], [-0.5, -0.5], [-1.0, -1.0], 0.5)


def _xor_hidden_on_line(X):
    return _xor_with(X, [[1.0, -1.0], [-1.0, 1.0]], [0.0, 0.0], [1.0, 1.0], -0.5)


def _xor_or_nand(X):
    return _xor_with(X, [[1.0, 1.0], [-1.0, -1.0]], [-0.5, 1.5], [1.0, 1.0], -1.5)  # AND(OR, NAND)


def _xor_or_and(X):
    return _xor_with(X, [[1.0, 1.0], [1.0, 1.0]], [-0.5, -1.5], [1.0, -1.0], -0.5)  # OR and not AND


def _xor_loop(X):
    def unit(z):
        return 1.0 if z > 0 else 0.0
    out = []
    for x1, x2 in X.T:
        h1, h2 = unit(x1 - x2 - 0.5), unit(x2 - x1 - 0.5)
        out.append(unit(h1 + h2 - 0.5))
    return np.array(out)


XOR_MISTAKES = (
    Variant("or_instead", "OR instead of XOR: it also answers 1 when both inputs are 1", _xor_or),
    Variant("and_output", "an output unit that joins the hidden units with AND instead of OR, so the network never "
            "answers 1", _xor_and_output),
    Variant("xnor", "the opposite of XOR: 1 when the two inputs are equal", _xor_xnor),
    Variant("hidden_on_line", "hidden units without a bias: some inputs fall exactly on their lines, where the step "
            "gives 0.5, and the network answers 1 everywhere", _xor_hidden_on_line),
)
XOR_ALTERNATIVES = (
    Variant("or_nand", "AND of OR and NAND", _xor_or_nand),
    Variant("or_and", "OR and not AND", _xor_or_and),
    Variant("loop", "a Python loop over the columns", _xor_loop),
)


ITEMS = [
    Item("step", NB, lambda rng: _activation_cases(rng), exact=True,
         mistakes=STEP_MISTAKES, alternatives=STEP_ALTERNATIVES),
    Item("sign", NB, lambda rng: _activation_cases(rng), exact=True,
         mistakes=SIGN_MISTAKES, alternatives=SIGN_ALTERNATIVES),
    Item("sigmoid", NB, lambda rng: _activation_cases(rng, big=1e4),
         mistakes=SIGMOID_MISTAKES, alternatives=SIGMOID_ALTERNATIVES),
    Item("tanh", NB, lambda rng: _activation_cases(rng, big=50.0), uses=("sigmoid",),
         callee_calls=lambda args: [("sigmoid", (-2.0 * np.asarray(args[0], dtype=float),))],
         mistakes=TANH_MISTAKES, alternatives=TANH_ALTERNATIVES),
    Item("relu", NB, lambda rng: _activation_cases(rng),
         mistakes=RELU_MISTAKES, alternatives=RELU_ALTERNATIVES),
    Item("neuron", NB, _neuron_cases, probe="neuron", rtol=1e-9, atol=1e-10,
         mistakes=NEURON_MISTAKES, alternatives=NEURON_ALTERNATIVES),
    Item("perceptron_predict", NB, _predict_cases, exact=True, uses=("step",),
         callee_calls=lambda args: [("step", (args[1] @ args[0] + args[2],))],
         mistakes=PREDICT_MISTAKES, alternatives=PREDICT_ALTERNATIVES),
    Item("perceptron_train", NB, _train_cases, rtol=1e-12, atol=1e-12,
         outputs=(("w", "the weights"), ("b", "the bias"), ("errors_per_epoch", "the number of misclassified samples in each epoch")),
         mistakes=TRAIN_MISTAKES, alternatives=TRAIN_ALTERNATIVES),
    Item("AND_WEIGHTS", NB, _no_cases, probe="gate", exact=True, callable_answer=False,
         mistakes=AND_MISTAKES, alternatives=AND_ALTERNATIVES),
    Item("OR_WEIGHTS", NB, _no_cases, probe="gate", exact=True, callable_answer=False,
         mistakes=OR_MISTAKES, alternatives=OR_ALTERNATIVES),
    Item("NOT_WEIGHTS", NB, _no_cases, probe="gate", exact=True, callable_answer=False,
         mistakes=NOT_MISTAKES, alternatives=NOT_ALTERNATIVES),
    Item("xor_network", NB, _xor_cases, exact=True, uses=("step",),
         no_stand_in=(("step", "it is called on the pre-activations of the weights you chose, which no table made in "
                               "advance can hold"),),
         mistakes=XOR_MISTAKES, alternatives=XOR_ALTERNATIVES),
]
