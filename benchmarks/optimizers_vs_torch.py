"""Notebook 06's reference optimizers against torch.optim: the same paths, and the time per step.

    .venv/bin/pip install torch          # optional; the course itself never needs it
    .venv/bin/python benchmarks/optimizers_vs_torch.py [--steps 500] [--size 10000]

Each optimizer of the reference (``autograde.reference.load_reference("06_optimizers")``) and its
PyTorch counterpart run from the same start on the same loss, L(theta) = sum(c * theta^2) / 2 with
curvatures c spread over four orders of magnitude, plus fixed noise in the gradient (a mini-batch's).
The counterparts:

- ``sgd_step(lr)``                     = ``torch.optim.SGD(lr)``
- ``momentum_step(lr, beta)``          = ``torch.optim.SGD(lr * (1 - beta), momentum=beta)`` (torch writes
  momentum as lecture 001 does, without the factor 1 - beta; the learning rate is rescaled)
- ``normalized_step(lr, eps)``         = ``torch.optim.Adam(lr, betas=(0, 0), eps)``
- ``adam_step(lr, beta1, beta2, eps)`` = ``torch.optim.Adam(lr, betas=(beta1, beta2), eps)``
- ``step_decay(lr0, epoch, drop, every)`` = the learning rate of ``StepLR(step_size=every, gamma=drop)``

It prints, per optimizer, the largest difference between the two paths relative to the largest
parameter (float64 on both sides: expect about 1e-15) and the time per step of each. Exits 1 if a path differs by more
than 1e-9, 0 otherwise, and 0 with a note when torch is not installed.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograde.reference import load_reference  # noqa: E402


def numpy_path(step, settings, grad_fn, theta0, n_steps, state=()):
    theta = theta0.copy()
    st = {s: np.zeros_like(theta) for s in state}
    start = time.perf_counter()
    path = [theta]
    for t in range(1, n_steps + 1):
        extra = {"t": t} if "v" in st else {}
        out = step(theta, grad_fn(theta, t), **st, **extra, **settings)
        theta, *new = out if isinstance(out, tuple) else (out,)
        st = dict(zip(st, new))
        path.append(theta)
    return np.array(path), (time.perf_counter() - start) / n_steps


def torch_path(torch, make_opt, grad_fn, theta0, n_steps):
    p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([p])
    start = time.perf_counter()
    path = [theta0.copy()]
    for t in range(1, n_steps + 1):
        g = grad_fn(p.detach().numpy(), t)
        p.grad = torch.from_numpy(g)
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path), (time.perf_counter() - start) / n_steps


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--size", type=int, default=10_000, help="number of parameters")
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed: `.venv/bin/pip install torch` to run this comparison (the course does not need it)")
        return 0
    torch.set_num_threads(1)
    ref = load_reference("06_optimizers")
    rng = np.random.default_rng(0)
    curv = 10.0 ** rng.uniform(-2, 2, size=args.size)
    noise = rng.normal(size=(args.steps + 1, args.size)) * 0.1
    theta0 = rng.normal(size=args.size)

    def grad_fn(theta, t):
        return curv * theta + noise[t]

    lr, beta = 0.005, 0.9
    adam = dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8)
    runs = [
        ("sgd_step", ref.sgd_step, dict(lr=lr), (), lambda p: torch.optim.SGD(p, lr=lr)),
        ("momentum_step", ref.momentum_step, dict(lr=lr, beta=beta), ("m",),
         lambda p: torch.optim.SGD(p, lr=lr * (1 - beta), momentum=beta)),
        ("normalized_step", ref.normalized_step, dict(lr=0.01, eps=1e-8), (),
         lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.0, 0.0), eps=1e-8)),
        ("adam_step", ref.adam_step, adam, ("m", "v"),
         lambda p: torch.optim.Adam(p, lr=adam["lr"], betas=(adam["beta1"], adam["beta2"]), eps=adam["eps"])),
    ]
    print(f"{args.steps} steps on {args.size} parameters, float64, torch {torch.__version__} on 1 thread")
    print(f"{'optimizer':>16} | {'max difference':>19} | {'numpy s/step':>12} | {'torch s/step':>12} | numpy/torch")
    worst = 0.0
    for name, step, settings, state, make in runs:
        ours, t_np = numpy_path(step, settings, grad_fn, theta0, args.steps, state)
        theirs, t_torch = torch_path(torch, make, grad_fn, theta0, args.steps)
        diff = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))  # relative to the parameters' scale
        worst = max(worst, diff)
        print(f"{name:>16} | {diff:19.2e} | {t_np:12.2e} | {t_torch:12.2e} | {t_np / t_torch:.2f}x")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5)
    decay_diff = 0.0
    for epoch in range(60):
        decay_diff = max(decay_diff, abs(ref.step_decay(0.3, epoch, 0.5, 7) - opt.param_groups[0]["lr"]) / 0.3)
        opt.step()
        sched.step()
    worst = max(worst, decay_diff)
    print(f"{'step_decay':>16} | {decay_diff:19.2e} | (60 epochs against StepLR)")
    ok = worst <= 1e-9
    print("agree" if ok else f"DIFFER: worst relative difference {worst:.2e} > 1e-9")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
