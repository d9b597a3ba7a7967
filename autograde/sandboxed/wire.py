"""The wire format between the trusted grader and the sandbox: JSON with plain numbers, never pickle.

Cases go in as ``in/cases/<name>.json``; results come out as ``out/results/<name>.json``. Arrays are
``{"shape": [...], "data": [...]}`` with float64 values (``NaN``/``Infinity`` allowed: Python's json
round-trips every float exactly). Everything read back from the sandbox is untrusted: it is read
with :func:`read_untrusted_json` (no symlink at any level below the job's output folder, regular files
only, a size limit) and decoded with
:func:`decode_array` (numbers only, bounded size).
"""
from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Any

import numpy as np

from autograde.sandboxed.arrays import Case, Seed

MAX_ARRAY_ENTRIES = 1_000_000
MAX_RESULT_BYTES = 32 * 1024 * 1024


class WireError(ValueError):
    """Data from the sandbox is not what the harness writes (malformed, oversized, forged)."""


def encode_array(a: np.ndarray) -> dict:
    a = np.asarray(a, dtype=np.float64)
    if a.size > MAX_ARRAY_ENTRIES:
        raise WireError(f"an output has {a.size} entries, more than the {MAX_ARRAY_ENTRIES} any test expects")
    return {"shape": list(a.shape), "data": a.reshape(-1).tolist()}


def decode_array(obj: Any) -> np.ndarray:
    if not isinstance(obj, dict) or set(obj) != {"shape", "data"}:
        raise WireError("an array must be {'shape': [...], 'data': [...]}")
    shape, data = obj["shape"], obj["data"]
    if not isinstance(shape, list) or len(shape) > 8 or not all(isinstance(s, int) and 0 <= s <= MAX_ARRAY_ENTRIES for s in shape):
        raise WireError(f"bad array shape {str(shape)[:80]}")
    if not isinstance(data, list) or len(data) > MAX_ARRAY_ENTRIES or len(data) != math.prod(shape):  # Python ints: no wrap-around
        raise WireError("array data does not match its shape")
    if not all(type(v) in (int, float) for v in data):  # bool is not accepted either: harness writes floats
        raise WireError("array data must be numbers")
    try:
        return np.array(data, dtype=np.float64).reshape(shape)
    except (OverflowError, ValueError) as exc:  # e.g. an integer of 400 digits
        raise WireError(f"array data is not float64 numbers ({str(exc)[:80]})") from None


def encode_case(case: Case) -> dict:
    args = []
    for a in case.args:
        if isinstance(a, Seed):
            args.append({"t": "seed", "v": int(a.value)})
        elif isinstance(a, np.ndarray):
            args.append({"t": "array", "v": encode_array(a)})
        elif isinstance(a, bool):
            args.append({"t": "bool", "v": a})
        elif isinstance(a, (int, np.integer)):
            args.append({"t": "int", "v": int(a)})
        elif isinstance(a, (float, np.floating)):
            args.append({"t": "float", "v": float(a)})
        elif isinstance(a, str):
            args.append({"t": "str", "v": a})
        else:
            raise TypeError(f"case argument of type {type(a).__name__} cannot cross the sandbox boundary")
    return {"label": case.label, "args": args}


def decode_case(obj: dict) -> Case:
    out = []
    for a in obj["args"]:
        t, v = a["t"], a["v"]
        out.append({"seed": lambda: Seed(int(v)), "array": lambda: decode_array(v), "bool": lambda: bool(v),
                    "int": lambda: int(v), "float": lambda: float(v), "str": lambda: str(v)}[t]())
    return Case(obj["label"], tuple(out))


def write_json(path: Path, obj: Any) -> None:
    """Write atomically (a reader never sees half a file)."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w") as fh:
        json.dump(obj, fh)
    os.replace(tmp, path)


def _open_below(root: Path, path: Path) -> int:
    """Open ``path`` for reading, walking from the trusted folder ``root`` one component at a time with
    ``openat`` and ``O_NOFOLLOW``: a symlink at any level (a planted ``results`` folder link included) is
    refused, never followed. Returns the descriptor; raises FileNotFoundError or WireError."""
    parts = path.relative_to(root).parts
    if not parts or any(p in ("..", ".") for p in parts):
        raise WireError(f"{path.name}: not a file below {root}")
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_NONBLOCK if last else os.O_DIRECTORY)
            try:
                nxt = os.open(part, flags, dir_fd=fd)
            except FileNotFoundError:
                raise
            except OSError as exc:  # ELOOP: a symlink; ENOTDIR: a file (or a link) where a folder should be
                try:
                    link = stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                except OSError:
                    link = False
                why = "a symbolic link" if link else exc.strerror
                raise WireError(f"{'/'.join(parts[:i + 1])} is not a plain {'file' if last else 'folder'} ({why})") from None
            os.close(fd)
            fd = nxt
        return fd
    except BaseException:
        os.close(fd)
        raise


def read_untrusted_json(path: Path, max_bytes: int = MAX_RESULT_BYTES, root: Path | None = None) -> Any:
    """Read JSON written inside the sandbox: no symlinks, regular file, at most ``max_bytes``.

    ``root`` is the trusted folder the sandbox writes into (the job's ``out``): every component of
    ``path`` below it is opened relative to its parent's descriptor, without following symlinks. Without
    ``root`` only the last component is guarded (``path.parent`` must then be trusted). Returns None
    when the file does not exist.
    """
    try:
        fd = _open_below(Path(root) if root is not None else path.parent, path)
    except FileNotFoundError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise WireError(f"{path.name} is not a regular file")
        if st.st_size > max_bytes:
            raise WireError(f"{path.name} is {st.st_size} bytes, over the {max_bytes} limit")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(raw) > max_bytes:
        raise WireError(f"{path.name} grew over the {max_bytes} limit while it was read")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"{path.name} is not valid JSON: {str(exc)[:120]}") from None
