"""The reference of notebook 06 (optimizers) against closed forms, hand-worked examples, the lectures'
other forms, and PyTorch's optimizers (those tests are skipped when torch is not installed).

Where each expected value comes from is said in each test. No expected value is a number copied from a
run of the reference.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from autograde.reference import load_reference

GRADED_06 = ["sgd_step", "momentum_step", "normalized_step", "adam_step", "step_decay"]


@pytest.fixture(scope="module")
def ref():
    return load_reference("06_optimizers")


def _run(step, grads, theta0, state_names=(), **settings):
    """Iterates of a step function on a given sequence of gradients (state starts at 0, t from 1)."""
    theta = np.array(theta0, dtype=float)
    state = {s: np.zeros_like(theta) for s in state_names}
    out = [theta]
    for t, g in enumerate(grads, start=1):
        extra = {"t": t} if "v" in state else {}
        res = step(theta, g, **state, **extra, **settings)
        theta, *new = res if isinstance(res, tuple) else (res,)
        state = dict(zip(state, new))
        out.append(theta)
    return np.array(out)


def test_every_graded_name_of_06_is_loaded(ref):
    """Does the reference hold every graded name of DESIGN.md's row for notebook 06?"""
    assert [n for n in GRADED_06 if not hasattr(ref, n)] == []


# ----------------------------------------------------------------------------- sgd_step
def test_sgd_step_hand_example(ref):
    """Is sgd_step([1, 2], [0.5, -1], 0.1) = [0.95, 2.1] (worked by hand: 1 - 0.05, 2 + 0.1)?"""
    np.testing.assert_allclose(ref.sgd_step(np.array([1.0, 2.0]), np.array([0.5, -1.0]), 0.1), [0.95, 2.1], rtol=1e-15)


def test_sgd_step_leaves_its_inputs_alone(ref):
    """Does sgd_step return a new array and leave theta and grad as they were?"""
    theta, grad = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    new = ref.sgd_step(theta, grad, 0.5)
    assert new is not theta
    np.testing.assert_array_equal(theta, [1.0, 2.0])
    np.testing.assert_array_equal(grad, [3.0, 4.0])


def test_sgd_on_a_quadratic_contracts_by_one_minus_lr_curvature(ref):
    """On L = c theta^2 / 2, is each GD step the multiplication by 1 - lr c (the closed form of the lecture's bowl)?"""
    c, lr = 20.0, 0.09
    theta = np.array([1.5])
    for k in range(1, 11):
        theta = ref.sgd_step(theta, c * theta, lr)
        np.testing.assert_allclose(theta, 1.5 * (1 - lr * c) ** k, rtol=1e-12)


# ----------------------------------------------------------------------------- momentum_step
def test_momentum_first_steps_by_hand(ref):
    """From m = 0 with grad 2, lr 0.5, beta 0.9: is m = 0.2 then 0.38 and theta = 0.9 then 0.71 (worked by hand)?"""
    theta, m = ref.momentum_step(np.array([1.0]), np.array([2.0]), np.array([0.0]), 0.5, 0.9)
    np.testing.assert_allclose([theta[0], m[0]], [0.9, 0.2], rtol=1e-14)
    theta, m = ref.momentum_step(theta, np.array([2.0]), m, 0.5, 0.9)
    np.testing.assert_allclose([theta[0], m[0]], [0.71, 0.38], rtol=1e-14)


def test_momentum_on_a_constant_gradient_follows_the_geometric_sum(ref):
    """With a constant gradient g, is m_k = (1 - beta^k) g and theta_k = theta_0 - lr g (k - beta (1 - beta^k) / (1 - beta))?"""
    g, lr, beta, k = np.array([1.5, -2.0]), 0.1, 0.8, 12
    path = _run(ref.momentum_step, [g] * k, np.zeros(2), ("m",), lr=lr, beta=beta)
    steps_sum = k - beta * (1 - beta ** k) / (1 - beta)  # sum_{j=1..k} (1 - beta^j), summed on paper
    np.testing.assert_allclose(path[-1], -lr * g * steps_sum, rtol=1e-12)


def test_momentum_with_beta_zero_is_gradient_descent(ref):
    """Does beta = 0 make momentum_step the plain step theta - lr g (and m = g)?"""
    rng = np.random.default_rng(3)
    theta, g, m = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    new, m_new = ref.momentum_step(theta, g, m, 0.3, 0.0)
    np.testing.assert_allclose(new, theta - 0.3 * g, rtol=1e-14)
    np.testing.assert_allclose(m_new, g, rtol=1e-14)


def test_momentum_equals_lecture_001_form_with_rescaled_learning_rate(ref):
    """Is lecture 003's momentum (alpha, beta) the same path as lecture 001's (eta = alpha (1 - beta), gamma = beta)?"""
    rng = np.random.default_rng(4)
    grads = [rng.normal(size=3) for _ in range(25)]
    alpha, beta = 0.2, 0.85
    ours = _run(ref.momentum_step, grads, np.ones(3), ("m",), lr=alpha, beta=beta)
    theta, v, theirs = np.ones(3), np.zeros(3), [np.ones(3)]
    for g in grads:  # lecture 001: v <- gamma v + eta dE/dw; w <- w - v
        v = beta * v + alpha * (1 - beta) * g
        theta = theta - v
        theirs.append(theta)
    np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------- normalized_step
def test_normalized_step_on_the_lecture_example(ref):
    """Does g = (3, -2, 5) give the move (-1, 1, -1) of lecture 003's example (lr 1, eps 1e-8), up to eps/|g|?"""
    new = ref.normalized_step(np.zeros(3), np.array([3.0, -2.0, 5.0]), 1.0, 1e-8)
    np.testing.assert_allclose(new, [-1.0, 1.0, -1.0], rtol=1e-8)


def test_normalized_step_keeps_a_zero_gradient_still(ref):
    """Does an entry with gradient 0 stay where it is (no 0/0 NaN)?"""
    new = ref.normalized_step(np.array([0.5, -0.5]), np.array([0.0, 0.0]), 0.1, 1e-8)
    np.testing.assert_array_equal(new, [0.5, -0.5])


def test_normalized_step_puts_eps_outside_the_root(ref):
    """For g = 1e-4 and eps = 1e-8, is the move g / (|g| + eps) (eps outside), not g / sqrt(g^2 + eps) = 1/sqrt(2)?"""
    new = ref.normalized_step(np.array([0.0]), np.array([1e-4]), 1.0, 1e-8)
    np.testing.assert_allclose(new, [-1e-4 / (1e-4 + 1e-8)], rtol=1e-12)


# ----------------------------------------------------------------------------- adam_step
def test_adam_first_step_moves_each_entry_by_lr(ref):
    """At t = 1 the corrected averages are g and g^2 exactly: is the move lr g / (|g| + eps), i.e. lr per entry?"""
    g = np.array([2.0, -0.5, 1e-3])
    theta, m, v = ref.adam_step(np.ones(3), g, np.zeros(3), np.zeros(3), 1, 0.1, 0.9, 0.999, 1e-8)
    np.testing.assert_allclose(theta, 1 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(m, 0.1 * g, rtol=1e-12)     # (1 - beta1) g, uncorrected
    np.testing.assert_allclose(v, 0.001 * g ** 2, rtol=1e-12)  # (1 - beta2) g^2, uncorrected


def test_adam_with_constant_gradient_moves_lr_every_step(ref):
    """With the same g every step, m = (1 - beta1^t) g and v = (1 - beta2^t) g^2, so is every step exactly lr g / (|g| + eps)?"""
    g = np.array([0.7, -3.0])
    path = _run(ref.adam_step, [g] * 30, np.zeros(2), ("m", "v"), lr=0.05, beta1=0.9, beta2=0.999, eps=1e-8)
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile(-0.05 * g / (np.abs(g) + 1e-8), (30, 1)), rtol=1e-9)


def test_adam_matches_the_papers_efficient_form(ref):
    """Does adam_step follow Kingma and Ba's efficient form (alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t),
    eps_hat = eps sqrt(1 - beta2^t)) on a random sequence of gradients?"""
    rng = np.random.default_rng(5)
    grads = [rng.normal(size=4) * 10.0 ** rng.uniform(-3, 1, size=4) for _ in range(40)]
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-3
    ours = _run(ref.adam_step, grads, np.ones(4), ("m", "v"), lr=lr, beta1=b1, beta2=b2, eps=eps)
    theta, m, v, theirs = np.ones(4), np.zeros(4), np.zeros(4), [np.ones(4)]
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        alpha_t = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        theta = theta - alpha_t * m / (np.sqrt(v) + eps * math.sqrt(1 - b2 ** t))
        theirs.append(theta)
    np.testing.assert_allclose(ours, np.array(theirs), rtol=1e-12)


def test_adam_with_zero_betas_is_the_normalized_step(ref):
    """With beta1 = beta2 = 0 the averages are g and g^2 and the corrections are 1: is Adam the normalized step?"""
    rng = np.random.default_rng(6)
    theta, g = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    adam = ref.adam_step(theta, g, rng.normal(size=(2, 3)), rng.random((2, 3)), 7, 0.1, 0.0, 0.0, 1e-8)[0]
    np.testing.assert_allclose(adam, ref.normalized_step(theta, g, 0.1, 1e-8), rtol=1e-14)


# ----------------------------------------------------------------------------- step_decay
@pytest.mark.parametrize("epoch, expected", [(0, 1.0), (9, 1.0), (10, 0.5), (19, 0.5), (20, 0.25), (35, 0.125)])
def test_step_decay_halves_every_ten_epochs(ref, epoch, expected):
    """Does step_decay(1, epoch, 0.5, 10) halve at epochs 10, 20, 30 (epochs from 0; values worked by hand)?"""
    assert ref.step_decay(1.0, epoch, 0.5, 10) == expected


def test_step_decay_returns_a_float(ref):
    """Is the learning rate a plain float?"""
    assert isinstance(ref.step_decay(0.1, 3, 0.5, 2), float)


# ----------------------------------------------------------------------------- PyTorch (optional)
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="PyTorch is optional: `.venv/bin/pip install torch` to compare with torch.optim")


def _torch_path(torch, make_opt, grads, theta0, scheduler=None):
    p = torch.tensor(np.asarray(theta0, dtype=float), dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    out = [p.detach().numpy().copy()]
    for g in grads:
        opt.zero_grad()
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def test_sgd_matches_torch(ref, torch):
    """Is sgd_step torch.optim.SGD(lr) on the same gradients?"""
    grads = [np.random.default_rng(k).normal(size=3) for k in range(20)]
    ours = _run(ref.sgd_step, grads, np.ones(3), lr=0.05)
    np.testing.assert_allclose(ours, _torch_path(torch, lambda p: torch.optim.SGD(p, lr=0.05), grads, np.ones(3)), rtol=1e-12)


def test_momentum_matches_torch_with_rescaled_lr(ref, torch):
    """Is momentum_step(lr, beta) torch.optim.SGD(lr = lr (1 - beta), momentum = beta) (torch uses lecture 001's form)?"""
    grads = [np.random.default_rng(k).normal(size=3) for k in range(30)]
    lr, beta = 0.1, 0.9
    ours = _run(ref.momentum_step, grads, np.ones(3), ("m",), lr=lr, beta=beta)
    theirs = _torch_path(torch, lambda p: torch.optim.SGD(p, lr=lr * (1 - beta), momentum=beta), grads, np.ones(3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_adam_matches_torch(ref, torch):
    """Is adam_step torch.optim.Adam(lr, betas, eps) step for step?"""
    rng = np.random.default_rng(7)
    grads = [rng.normal(size=4) * 10.0 ** rng.uniform(-5, 1, size=4) for _ in range(50)]
    ours = _run(ref.adam_step, grads, np.ones(4), ("m", "v"), lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    theirs = _torch_path(torch, lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-8), grads, np.ones(4))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_normalized_step_matches_torch_adam_with_zero_betas(ref, torch):
    """Is normalized_step torch.optim.Adam with betas (0, 0) (no averaging, corrections of 1)?"""
    grads = [np.random.default_rng(k).normal(size=3) for k in range(10)]
    ours = _run(ref.normalized_step, grads, np.ones(3), lr=0.1, eps=1e-8)
    theirs = _torch_path(torch, lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.0, 0.0), eps=1e-8), grads, np.ones(3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_step_decay_matches_torch_steplr(ref, torch):
    """Is step_decay(lr0, epoch, drop, every) the learning rate of torch's StepLR(step_size=every, gamma=drop) in that epoch?"""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    for epoch in range(20):
        assert ref.step_decay(0.3, epoch, 0.5, 4) == pytest.approx(opt.param_groups[0]["lr"], rel=1e-12)
        opt.step()
        sched.step()
