"""Graded items of notebook 06 (optimizers): randomized cases, edge cases, known mistakes, alternatives.

Every step is probed with ``opt_step`` (see :mod:`autograde.sandboxed.probes_optimizers`): its outputs,
then its array inputs as they are after the call, so an in-place update is caught and named.

Tolerances. A step is a handful of float64 operations on entries of size about 1, so any correct
ordering of the arithmetic (the Adam paper's "efficient" form, PyTorch's form, a loop) agrees with the
reference to a few ulps: ``rtol = 1e-9`` and ``atol = 1e-12`` accept all of them by a margin of about
10^5. Every mistake below is off by far more on at least one case: the cases that tell epsilon inside
the square root from outside use gradients near sqrt(eps) or a large eps, where the two forms differ
by tens of percent (with eps = 1e-8 and gradients of size 1 they differ by ~1e-8 of the step, which
is below the tolerance, so those cases do not punish either form). ``step_decay`` is a power of
``drop``: a loop of multiplications is within a few ulps of it (``rtol = 1e-12``).
"""
from __future__ import annotations

import math

import numpy as np

from autograde.spec import Case, Item, Variant

NOTEBOOK = NB = "06_optimizers"

RTOL, ATOL = 1e-9, 1e-12


def _shape(rng: np.random.Generator) -> tuple:
    ndim = int(rng.integers(1, 3))
    return tuple(int(s) for s in rng.integers(1, 6, size=ndim))


def _with_zero(rng: np.random.Generator, a: np.ndarray) -> np.ndarray:
    a.reshape(-1)[rng.integers(0, a.size)] = 0.0  # an exact 0 in every random gradient
    return a


def _lr(rng: np.random.Generator) -> float:
    return float(rng.choice([0.003, 0.01, 0.05, 0.2, 0.7]))


# ----------------------------------------------------------------------------- sgd_step
def _sgd_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case("theta = [1, 2], grad = [0.5, -1], lr = 0.1", (np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1))]
    for _ in range(3):
        shape = _shape(rng)
        lr = _lr(rng)
        cases.append(Case(f"random theta and grad of shape {shape}, lr = {lr}",
                          (rng.normal(size=shape), _with_zero(rng, rng.normal(size=shape)), lr)))
    cases.append(Case("a (3, 1) bias column, lr = 2", (rng.normal(size=(3, 1)), rng.normal(size=(3, 1)), 2.0)))
    return cases


def _sgd_ascent(theta, grad, lr):
    return theta + lr * grad


def _sgd_in_place(theta, grad, lr):
    theta -= lr * grad
    return theta


def _sgd_no_lr(theta, grad, lr):
    return theta - grad


def _sgd_copy_then_update(theta, grad, lr):
    new = theta.copy()
    new -= lr * grad
    return new


def _sgd_subtract(theta, grad, lr):
    return np.subtract(theta, np.multiply(lr, grad))


# ----------------------------------------------------------------------------- momentum_step
def _momentum_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case("first step from m = 0: theta = [1], grad = [2], lr = 0.5, beta = 0.9",
                  (np.array([1.0]), np.array([2.0]), np.array([0.0]), 0.5, 0.9))]
    for beta in (0.5, 0.9, 0.99):
        shape = _shape(rng)
        lr = _lr(rng)
        cases.append(Case(f"random theta, grad and m of shape {shape}, lr = {lr}, beta = {beta}",
                          (rng.normal(size=shape), _with_zero(rng, rng.normal(size=shape)), rng.normal(size=shape), lr, beta)))
    shape = _shape(rng)
    cases.append(Case(f"beta = 0 (plain gradient descent), shape {shape}, lr = 0.1",
                      (rng.normal(size=shape), rng.normal(size=shape), rng.normal(size=shape), 0.1, 0.0)))
    return cases


def _mom_no_one_minus_beta(theta, grad, m, lr, beta):
    m_new = beta * m + grad
    return theta - lr * m_new, m_new


def _mom_along_gradient(theta, grad, m, lr, beta):
    m_new = beta * m + (1 - beta) * grad
    return theta - lr * grad, m_new


def _mom_old_m(theta, grad, m, lr, beta):
    m_new = beta * m + (1 - beta) * grad
    return theta - lr * m, m_new


def _mom_lecture_001(theta, grad, m, lr, beta):
    v = beta * m + lr * grad
    return theta - v, v


def _mom_in_place(theta, grad, m, lr, beta):
    m *= beta
    m += (1 - beta) * grad
    return theta - lr * m, m


def _mom_interpolate(theta, grad, m, lr, beta):
    m_new = m + (1 - beta) * (grad - m)  # the same average, written as a step from m towards grad
    return theta - lr * m_new, m_new


def _mom_loop(theta, grad, m, lr, beta):
    theta_new, m_new = np.array(theta, dtype=float), np.array(m, dtype=float)
    for i in np.ndindex(m_new.shape):
        m_new[i] = beta * m_new[i] + (1 - beta) * grad[i]
        theta_new[i] = theta_new[i] - lr * m_new[i]
    return theta_new, m_new


# ----------------------------------------------------------------------------- normalized_step
def _normalized_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case("the lecture's g = (3, -2, 5) from theta = 0, lr = 1, eps = 1e-8",
                  (np.zeros(3), np.array([3.0, -2.0, 5.0]), 1.0, 1e-8))]
    for _ in range(2):
        shape = _shape(rng)
        lr = _lr(rng)
        cases.append(Case(f"random theta and grad (with a zero entry) of shape {shape}, lr = {lr}, eps = 1e-8",
                          (rng.normal(size=shape), _with_zero(rng, rng.normal(size=shape) * 3), lr, 1e-8)))
    shape = _shape(rng)
    tiny = rng.choice([-1.0, 1.0], size=shape) * 10.0 ** rng.uniform(-6, -3, size=shape)
    cases.append(Case(f"tiny gradients (1e-6 to 1e-3) of shape {shape}, lr = 0.01, eps = 1e-8",
                      (rng.normal(size=shape), tiny, 0.01, 1e-8)))
    shape = _shape(rng)
    cases.append(Case(f"a large eps = 0.5, shape {shape}, lr = 0.1",
                      (rng.normal(size=shape), _with_zero(rng, rng.normal(size=shape)), 0.1, 0.5)))
    return cases


def _norm_eps_inside(theta, grad, lr, eps):
    return theta - lr * grad / np.sqrt(grad ** 2 + eps)


def _norm_vector(theta, grad, lr, eps):
    return theta - lr * grad / (np.sqrt(np.sum(grad ** 2)) + eps)


def _norm_sign(theta, grad, lr, eps):
    return theta - lr * np.sign(grad)


def _norm_no_eps(theta, grad, lr, eps):
    return theta - lr * grad / np.sqrt(grad ** 2)


def _norm_abs(theta, grad, lr, eps):
    return theta - lr * grad / (np.abs(grad) + eps)


def _norm_loop(theta, grad, lr, eps):
    new = np.array(theta, dtype=float)
    flat_new, flat_g = new.reshape(-1), np.asarray(grad, dtype=float).reshape(-1)
    for i in range(flat_g.size):
        flat_new[i] -= lr * flat_g[i] / (math.sqrt(flat_g[i] * flat_g[i]) + eps)
    return new


# ----------------------------------------------------------------------------- adam_step
def _state(rng: np.random.Generator, shape: tuple, scale: float = 1.0):
    """A plausible Adam state: m of the gradients' size, v of their squares' size (v >= 0)."""
    return rng.normal(size=shape) * scale * 0.5, (rng.normal(size=shape) * scale) ** 2


def _adam_cases(rng: np.random.Generator) -> list[Case]:
    std = (0.9, 0.999)
    g0 = np.array([2.0, -0.5, 0.0])
    cases = [Case("first step (t = 1) from m = v = 0, grad = [2, -0.5, 0], lr = 0.1, default betas, eps = 1e-8",
                  (np.ones(3), g0, np.zeros(3), np.zeros(3), 1, 0.1, *std, 1e-8))]
    cases.append(Case("second step (t = 2) with the same gradient",
                      (np.array([0.9, 1.1, 1.0]), g0, np.array([0.2, -0.05, 0.0]), np.array([0.004, 0.00025, 0.0]),
                       2, 0.1, *std, 1e-8)))
    for t in (3, int(rng.integers(5, 30))):
        shape = _shape(rng)
        m, v = _state(rng, shape)
        lr = _lr(rng)
        cases.append(Case(f"random state of shape {shape}, t = {t}, lr = {lr}, default betas, eps = 1e-8",
                          (rng.normal(size=shape), _with_zero(rng, rng.normal(size=shape)), m, v, t, lr, *std, 1e-8)))
    shape = _shape(rng)
    m, v = _state(rng, shape)
    cases.append(Case(f"late in training (t = 5000), shape {shape}, betas (0.8, 0.99)",
                      (rng.normal(size=shape), rng.normal(size=shape), m, v, 5000, 0.01, 0.8, 0.99, 1e-8)))
    shape = _shape(rng)
    m, v = _state(rng, shape, scale=1e-5)
    cases.append(Case(f"tiny gradients (about 1e-5) and state, t = 4, eps = 1e-8, shape {shape}",
                      (rng.normal(size=shape), rng.normal(size=shape) * 1e-5, m, v, 4, 0.01, *std, 1e-8)))
    shape = _shape(rng)
    m, v = _state(rng, shape)
    cases.append(Case(f"a large eps = 0.3, t = 2, shape {shape}",
                      (rng.normal(size=shape), _with_zero(rng, rng.normal(size=shape)), m, v, 2, 0.05, *std, 0.3)))
    return cases


def _adam_parts(grad, m, v, beta1, beta2):
    return beta1 * m + (1 - beta1) * grad, beta2 * v + (1 - beta2) * grad ** 2


def _adam_no_correction(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def _adam_t_from_0(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_abs_g(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * np.abs(grad)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_eps_inside(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v


def _adam_only_m_corrected(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v) + eps), m, v


def _adam_returns_corrected(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat


def _adam_efficient_plain_eps(theta, grad, m, v, t, lr, beta1, beta2, eps):
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    alpha_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return theta - alpha_t * m / (np.sqrt(v) + eps), m, v


def _adam_paper_efficient(theta, grad, m, v, t, lr, beta1, beta2, eps):
    """Kingma and Ba, Section 2: alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t), and eps_hat = eps sqrt(1 - beta2^t)."""
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    root = math.sqrt(1 - beta2 ** t)
    alpha_t = lr * root / (1 - beta1 ** t)
    return theta - alpha_t * m / (np.sqrt(v) + eps * root), m, v


def _adam_torch_form(theta, grad, m, v, t, lr, beta1, beta2, eps):
    """PyTorch's torch.optim.Adam: denom = sqrt(v) / sqrt(1 - beta2^t) + eps, step = lr / (1 - beta1^t)."""
    m, v = _adam_parts(grad, m, v, beta1, beta2)
    denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps
    return theta - (lr / (1 - beta1 ** t)) * m / denom, m, v


# ----------------------------------------------------------------------------- step_decay
def _decay_cases(rng: np.random.Generator) -> list[Case]:
    cases = [Case(f"lr0 = 1, drop = 0.5, every = 10, epoch = {e}", (1.0, e, 0.5, 10)) for e in (0, 9, 10, 20)]
    for _ in range(3):
        every = int(rng.integers(2, 8))
        epoch = int(rng.integers(every, 6 * every))
        lr0, drop = float(rng.choice([0.1, 0.05, 1.0])), float(rng.choice([0.1, 0.5, 0.9]))
        cases.append(Case(f"lr0 = {lr0}, drop = {drop}, every = {every}, epoch = {epoch}", (lr0, epoch, drop, every)))
    every = int(rng.integers(3, 7))
    cases.append(Case(f"the last epoch before a drop: every = {every}, epoch = {2 * every - 1}", (0.2, 2 * every - 1, 0.5, every)))
    cases.append(Case("every = 1 (a drop every epoch), epoch = 6", (0.3, 6, 0.5, 1)))
    return cases


def _decay_early(lr0, epoch, drop, every):
    return lr0 * drop ** ((epoch + 1) // every)


def _decay_late(lr0, epoch, drop, every):
    return lr0 * drop ** ((epoch - 1) // every)


def _decay_no_floor(lr0, epoch, drop, every):
    return lr0 * drop ** (epoch / every)


def _decay_loop(lr0, epoch, drop, every):
    lr = lr0
    for e in range(1, epoch + 1):
        if e % every == 0:
            lr *= drop
    return lr


def _decay_math_floor(lr0, epoch, drop, every):
    return lr0 * math.pow(drop, math.floor(epoch / every))


def _outputs(names: list[tuple[str, str]], inputs: list[str]) -> tuple:
    after = [(f"{a} after the call", f"your input {a} must come back unchanged: build new arrays instead of "
                                      f"updating in place") for a in inputs]
    return tuple(names) + tuple(after)


ITEMS = [
    Item("sgd_step", NB, _sgd_cases, probe="opt_step", rtol=RTOL, atol=ATOL,
         outputs=_outputs([("theta_new", "the new parameters")], ["theta", "grad"]),
         mistakes=(Variant("ascent", "adds the gradient instead of subtracting it (a step uphill)", _sgd_ascent),
                   Variant("in_place", "updates theta in place (theta -= ...), which changes the caller's array", _sgd_in_place),
                   Variant("no_lr", "forgets to multiply the gradient by the learning rate", _sgd_no_lr)),
         alternatives=(Variant("copy_then_update", "copies theta, then updates the copy in place", _sgd_copy_then_update),
                       Variant("np_subtract", "np.subtract and np.multiply", _sgd_subtract))),
    Item("momentum_step", NB, _momentum_cases, probe="opt_step", rtol=RTOL, atol=ATOL,
         outputs=_outputs([("theta_new", "the new parameters"), ("m_new", "the new average of the gradients")],
                          ["theta", "grad", "m"]),
         mistakes=(Variant("no_one_minus_beta", "leaves out the factor (1 - beta) in front of the gradient: m <- beta m + grad",
                           _mom_no_one_minus_beta),
                   Variant("along_gradient", "steps along the gradient instead of along the new average m", _mom_along_gradient),
                   Variant("old_m", "steps along the previous m instead of the updated one", _mom_old_m),
                   Variant("lecture_001", "uses lecture 001's form (v <- beta v + lr grad, theta <- theta - v); "
                                          "this notebook grades lecture 003's (m <- beta m + (1 - beta) grad, theta <- theta - lr m)",
                           _mom_lecture_001),
                   Variant("in_place", "updates m in place (m *= beta ...), which changes the caller's array", _mom_in_place)),
         alternatives=(Variant("interpolate", "m + (1 - beta) (grad - m), the same average", _mom_interpolate),
                       Variant("loop", "a loop over the entries", _mom_loop))),
    Item("normalized_step", NB, _normalized_cases, probe="opt_step", rtol=RTOL, atol=ATOL,
         outputs=_outputs([("theta_new", "the new parameters")], ["theta", "grad"]),
         mistakes=(Variant("eps_inside", "puts eps inside the square root (lecture 003's form); this notebook grades sqrt(grad^2) + eps",
                           _norm_eps_inside),
                   Variant("vector_norm", "divides by the length of the whole gradient vector instead of each entry's own size",
                           _norm_vector),
                   Variant("sign", "uses np.sign(grad), which ignores eps (wrong for gradients near eps or a large eps)", _norm_sign),
                   Variant("no_eps", "leaves eps out, so a zero gradient gives 0/0 = NaN", _norm_no_eps)),
         alternatives=(Variant("abs", "grad / (|grad| + eps)", _norm_abs),
                       Variant("loop", "a loop over the entries with math.sqrt", _norm_loop))),
    Item("adam_step", NB, _adam_cases, probe="opt_step", rtol=RTOL, atol=ATOL,
         outputs=_outputs([("theta_new", "the new parameters"), ("m_new", "the new uncorrected average of the gradients"),
                           ("v_new", "the new uncorrected average of the squared gradients")],
                          ["theta", "grad", "m", "v"]),
         uses=(),
         mistakes=(Variant("no_bias_correction", "leaves out the bias correction (m / (1 - beta1^t), v / (1 - beta2^t))",
                           _adam_no_correction),
                   Variant("t_from_0", "counts t from 0: the correction uses beta^(t + 1) instead of beta^t", _adam_t_from_0),
                   Variant("abs_g", "averages |grad| instead of grad^2 in v", _adam_abs_g),
                   Variant("eps_inside", "puts eps inside the square root, sqrt(v_hat + eps); this notebook grades sqrt(v_hat) + eps",
                           _adam_eps_inside),
                   Variant("only_m_corrected", "corrects m but not v", _adam_only_m_corrected),
                   Variant("returns_corrected", "returns the corrected m_hat and v_hat as the new state instead of the "
                                                "uncorrected m and v", _adam_returns_corrected),
                   Variant("efficient_plain_eps", "uses the Adam paper's efficient form (alpha_t = lr sqrt(1 - beta2^t) / (1 - beta1^t)) "
                                                  "with the plain eps; that form equals the graded one only with eps_hat = eps sqrt(1 - beta2^t) "
                                                  "(the difference is tiny unless the gradients are near eps)", _adam_efficient_plain_eps)),
         alternatives=(Variant("paper_efficient", "the Adam paper's efficient form: alpha_t = lr sqrt(1 - beta2^t) / (1 - beta1^t), "
                                                  "eps_hat = eps sqrt(1 - beta2^t)", _adam_paper_efficient),
                       Variant("torch_form", "PyTorch's form: sqrt(v) / sqrt(1 - beta2^t) + eps", _adam_torch_form))),
    Item("step_decay", NB, _decay_cases, rtol=1e-12, atol=0.0,
         outputs=(("lr", "the learning rate of that epoch"),),
         mistakes=(Variant("early", "drops one epoch too early (epochs counted from 1): the first drop must come at epoch = every",
                           _decay_early),
                   Variant("late", "drops one epoch too late: epoch 0 is the first epoch, so the first drop is at epoch = every",
                           _decay_late),
                   Variant("no_floor", "decays smoothly (drop ** (epoch / every)) instead of in steps (epoch // every)",
                           _decay_no_floor)),
         alternatives=(Variant("loop", "multiplies by drop at every multiple of `every`", _decay_loop),
                       Variant("math_floor", "math.pow and math.floor", _decay_math_floor))),
]

# make demo's two-bug submission: two classic mistakes (answer cell grade id -> code), each one of the
# items' known mistakes, so the grader names both ("this looks like: ...").
DEMO_BUGS = {
    "momentum_step": '''
        def momentum_step(theta, grad, m, lr, beta):
            m_new = beta * m + grad            # forgot the factor (1 - beta)
            return theta - lr * m_new, m_new
    ''',
    "adam_step": '''
        def adam_step(theta, grad, m, v, t, lr, beta1, beta2, eps):
            m_new = beta1 * m + (1 - beta1) * grad
            v_new = beta2 * v + (1 - beta2) * grad ** 2
            return theta - lr * m_new / (np.sqrt(v_new) + eps), m_new, v_new   # no bias correction
    ''',
}
