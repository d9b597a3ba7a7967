"""Benchmark: notebook 05's numpy MLP against the same network in PyTorch on the CPU.

    python benchmarks/mlp_vs_torch.py [--epochs 30] [--batch-size 32] [--hidden 64] [--threads 1] [--repeats 3]

Both train the digits classifier of notebook 05 (ReLU hidden layer, softmax cross-entropy, plain
mini-batch SGD) from the **same initial weights** (the reference ``init_params``), on the **same
batches** (one ``rng.permutation`` per epoch, drawn once and shared), for the same epochs, in float64
(numpy's dtype; ``--float32`` adds a PyTorch run in its default float32). The numpy side is the
reference solution of ``solutions/05_backprop`` (``mlp_loss_and_grads``, loaded with
``autograde.reference.load_reference``); the PyTorch side is the textbook loop (``torch.nn.functional``
cross-entropy, ``backward()``, an in-place SGD step). It prints the best of ``--repeats`` wall-clock
times of each, their ratio, and both test accuracies.

Both libraries use ``--threads`` threads (numpy's BLAS through ``OPENBLAS_NUM_THREADS`` and friends, set
before numpy is imported; PyTorch through ``torch.set_num_threads``). One thread is the default: the
matrices here are small (at most 64 x 64 x 32), and on a shared machine more threads mostly add noise.

PyTorch is an optional extra (``pip install -e '.[bench]'``); nothing else in the course needs it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--float32", action="store_true", help="also time PyTorch in float32")
    return p.parse_args()


ARGS = _parse()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread settings)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograde.reference import load_reference  # noqa: E402
from nbcourse.data import digits_split  # noqa: E402


def train_numpy(ref, params, X, Y, orders, batch_size, lr):
    """Mini-batch SGD with the reference's mlp_loss_and_grads; ``orders`` holds one permutation per epoch."""
    params = [(W.copy(), b.copy()) for W, b in params]
    for order in orders:
        for k in range(0, X.shape[1], batch_size):
            idx = order[k:k + batch_size]
            _, grads = ref.mlp_loss_and_grads(params, X[:, idx], Y[:, idx])
            params = [(W - lr * dW, b - lr * db) for (W, b), (dW, db) in zip(params, grads)]
    return params


def train_torch(torch, params, X, labels, orders, batch_size, lr, dtype):
    """The same loop in PyTorch: samples as columns, W @ A + b, relu, cross-entropy on the logits."""
    F = torch.nn.functional
    weights = [(torch.tensor(W, dtype=dtype, requires_grad=True), torch.tensor(b, dtype=dtype, requires_grad=True))
               for W, b in params]
    Xt = torch.tensor(X, dtype=dtype)
    yt = torch.tensor(labels, dtype=torch.long)
    for order in orders:
        order_t = torch.from_numpy(order)
        for k in range(0, X.shape[1], batch_size):
            idx = order_t[k:k + batch_size]
            A = Xt[:, idx]
            for layer, (W, b) in enumerate(weights):
                A = W @ A + b
                if layer < len(weights) - 1:
                    A = torch.relu(A)
            loss = F.cross_entropy(A.T, yt[idx])
            for W, b in weights:
                W.grad = None
                b.grad = None
            loss.backward()
            with torch.no_grad():
                for W, b in weights:
                    W -= lr * W.grad
                    b -= lr * b.grad
    return [(W.detach().numpy().astype(np.float64), b.detach().numpy().astype(np.float64)) for W, b in weights]


def test_accuracy(params, X, labels):
    A = X
    for layer, (W, b) in enumerate(params):
        A = W @ A + b
        if layer < len(params) - 1:
            A = np.maximum(A, 0.0)
    return float(np.mean(np.argmax(A, axis=0) == labels))


def best_of(fn, repeats):
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> int:
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: pip install -e '.[bench]' (or pip install torch)", file=sys.stderr)
        return 2
    torch.set_num_threads(ARGS.threads)
    ref = load_reference("05_backprop")
    rng = np.random.default_rng(ARGS.seed)
    X_tr, y_tr, X_te, y_te = digits_split(rng)
    sizes = [64, ARGS.hidden, 10]
    params0 = ref.init_params(sizes, rng)
    orders = [rng.permutation(X_tr.shape[1]) for _ in range(ARGS.epochs)]
    Y_tr = ref.one_hot(y_tr, 10)
    steps = ARGS.epochs * -(-X_tr.shape[1] // ARGS.batch_size)
    print(f"digits: {X_tr.shape[1]} training / {X_te.shape[1]} test images; network {sizes}; {ARGS.epochs} epochs of "
          f"batches of {ARGS.batch_size} ({steps} SGD steps), lr {ARGS.lr}; {ARGS.threads} thread(s); "
          f"numpy {np.__version__}, torch {torch.__version__}; best of {ARGS.repeats}")

    t_np, p_np = best_of(lambda: train_numpy(ref, params0, X_tr, Y_tr, orders, ARGS.batch_size, ARGS.lr), ARGS.repeats)
    t_pt, p_pt = best_of(lambda: train_torch(torch, params0, X_tr, y_tr, orders, ARGS.batch_size, ARGS.lr, torch.float64), ARGS.repeats)
    gap = max(float(np.max(np.abs(a - b))) for (Wa, ba), (Wb, bb) in zip(p_np, p_pt) for a, b in ((Wa, Wb), (ba, bb)))
    print(f"numpy (reference) float64: {t_np:7.3f} s  ({1e6 * t_np / steps:6.1f} µs/step)  test accuracy {test_accuracy(p_np, X_te, y_te):.4f}")
    print(f"PyTorch CPU       float64: {t_pt:7.3f} s  ({1e6 * t_pt / steps:6.1f} µs/step)  test accuracy {test_accuracy(p_pt, X_te, y_te):.4f}")
    print(f"time ratio numpy / PyTorch: {t_np / t_pt:.2f}  (largest weight difference after training: {gap:.1e})")
    if ARGS.float32:
        t_32, p_32 = best_of(lambda: train_torch(torch, params0, X_tr, y_tr, orders, ARGS.batch_size, ARGS.lr, torch.float32), ARGS.repeats)
        print(f"PyTorch CPU       float32: {t_32:7.3f} s  ({1e6 * t_32 / steps:6.1f} µs/step)  test accuracy "
              f"{test_accuracy(p_32, X_te, y_te):.4f}; ratio numpy / PyTorch float32: {t_np / t_32:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
