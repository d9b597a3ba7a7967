"""Inside the sandbox: stand-ins for the graded functions a graded function calls, while its own cases run.

**Isolation.** Each graded function is judged on its own: a correct ``mlp_forward`` keeps its points when the
student's ``layer_forward`` is wrong (``layer_forward`` loses its own points, once). The trusted side ran the
reference ``mlp_forward`` on each hidden case with the reference ``layer_forward`` wrapped, and wrote what that
callee was called with and what it returned (plain arrays, numbers and strings as JSON, never code: see
:func:`autograde.isolation.tables`) into the case file. While ``mlp_forward``'s cases run, the name
``layer_forward`` in the notebook's namespace is this module's :class:`StandIn`, which answers a recorded call
(arguments matched within a small tolerance, because a correct caller may compute them with other rounding)
with the recorded result, and restores the generator's state a recorded call left behind (``minibatches``
draws from ``rng``). Any other call goes to the student's own function, as without isolation, and is noted:
the trusted grader then names that callee when the caller fails (the student's own function answered there).
A call nobody recorded is never refused: a correct caller that calls its helper in an unusual way must not
lose points for it.

Every other graded function of the notebook is watched the same way (a :class:`StandIn` without records), so
that the grader knows which of the student's own functions actually ran during a failing case.

What the sandbox sees here is data: the callee's outputs on the caller's own inputs. No reference code enters
it. Everything in this module runs in the student's process and can be tampered with; that can only spoil the
student's own results and messages, which the trusted side reads as untrusted input.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

__all__ = ["encode_value", "decode_value", "StandIn", "installed", "RNG_TAG", "ValueTooLarge"]

RNG_TAG = "rng"
_DTYPES = {"float64", "float32", "int64", "int32", "int16", "int8", "uint8", "bool"}
MAX_LOG = 8          # notes kept per case (the first few calls that the student's own functions answered)


class ValueTooLarge(ValueError):
    """A value to encode is over the size budget (a table is kept small, or not written at all)."""


# ----------------------------------------------------------------------------- values as JSON
def encode_value(value: Any, budget: list[int] | None = None) -> Any:
    """A value as JSON: numbers, strings, None and booleans as themselves; arrays, numpy scalars, lists, tuples and
    generators (as their state) tagged. ``budget`` (a one-element list of remaining entries) bounds the size."""
    if budget is not None:
        budget[0] -= value.size if isinstance(value, np.ndarray) else 1
        if budget[0] < 0:
            raise ValueTooLarge("over the size budget")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, (np.integer, np.floating)):
        return value if not isinstance(value, int) or abs(value) < 2**63 else float(value)
    if isinstance(value, np.ndarray):
        dtype = str(value.dtype)
        if dtype not in _DTYPES:
            raise TypeError(f"arrays of dtype {dtype} are not recorded")
        return {"t": "a", "d": dtype, "s": list(value.shape), "v": value.reshape(-1).tolist()}
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return {"t": "n", "d": str(value.dtype), "v": value.item()}
    if isinstance(value, list):
        return {"t": "l", "v": [encode_value(v, budget) for v in value]}
    if isinstance(value, tuple):
        return {"t": "u", "v": [encode_value(v, budget) for v in value]}
    if isinstance(value, np.random.Generator):
        return {"t": RNG_TAG, "v": value.bit_generator.state}
    raise TypeError(f"a {type(value).__name__} is not recorded")


class RngState(dict):
    """A recorded generator's state (matched against a Generator's ``bit_generator.state``)."""


def decode_value(obj: Any) -> Any:
    """The inverse of :func:`encode_value` (fresh objects every time: a caller may write into what it gets)."""
    if obj is None or isinstance(obj, (bool, str, int, float)):
        return obj
    if not isinstance(obj, dict):
        raise ValueError("not an encoded value")
    tag, v = obj.get("t"), obj.get("v")
    if tag == "a":
        if obj.get("d") not in _DTYPES or not isinstance(obj.get("s"), list):
            raise ValueError("bad array")
        return np.array(v, dtype=obj["d"]).reshape(obj["s"])
    if tag == "n":
        if obj.get("d") not in _DTYPES:
            raise ValueError("bad scalar")
        return np.array(v, dtype=obj["d"])[()]
    if tag == "l":
        return [decode_value(x) for x in v]
    if tag == "u":
        return tuple(decode_value(x) for x in v)
    if tag == RNG_TAG:
        return RngState(v)
    raise ValueError(f"unknown tag {tag!r}")


# ----------------------------------------------------------------------------- matching a call
def _same(recorded: Any, got: Any, rtol: float, atol: float) -> bool:
    """Is ``got`` (what the student's caller passed) the recorded argument, within the tolerance?"""
    if isinstance(recorded, RngState):
        return isinstance(got, np.random.Generator) and got.bit_generator.state == recorded
    if isinstance(recorded, str) or recorded is None:
        return type(got) is type(recorded) and got == recorded
    if isinstance(recorded, (list, tuple)):
        return (isinstance(got, (list, tuple)) and len(got) == len(recorded)
                and all(_same(r, g, rtol, atol) for r, g in zip(recorded, got)))
    if isinstance(got, (str, list, tuple, dict, np.random.Generator)) or got is None or callable(got):
        return False
    try:
        g = np.asarray(got)
    except Exception:  # noqa: BLE001 - anything that is not an array does not match
        return False
    r = np.asarray(recorded)
    if g.shape != r.shape or g.dtype == object or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
        return False
    with np.errstate(all="ignore"):
        return bool(np.allclose(g.astype(np.float64), r.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True))


def _bind(params: list[str], defaults: dict, args: tuple, kwargs: dict) -> dict | None:
    """The call's arguments by parameter name (the spec's names), defaults filled in; None if it cannot be bound."""
    if len(args) > len(params):
        return None
    bound = dict(zip(params, args))
    for k, v in kwargs.items():
        if k not in params or k in bound:
            return None
        bound[k] = v
    for p in params:
        if p not in bound:
            if p not in defaults:
                return None
            bound[p] = decode_value(defaults[p])
    return bound


class StandIn:
    """What a graded callee's name means while a caller's case runs: the recorded answers, else the student's own."""

    def __init__(self, name: str, own: Any, spec: dict | None, calls: list | None, log: dict, rtol: float, atol: float):
        self.__name__ = self.__qualname__ = name
        self._name, self._own, self._log = name, own, log
        self._params = list(spec.get("params", [])) if spec else []
        self._defaults = dict(spec.get("defaults", {})) if spec else {}
        self._calls = [(dict((k, decode_value(v)) for k, v in c["args"].items()), c) for c in calls or []]
        self._rtol, self._atol = rtol, atol

    def _answer(self, bound: dict) -> tuple[bool, Any, list[str]]:
        """(found, result, the parameters that differ in the closest recorded call)."""
        closest: list[str] | None = None
        for args, call in self._calls:
            if set(args) != set(bound):
                continue
            differ = [p for p in self._params if p in args and not _same(args[p], bound[p], self._rtol, self._atol)]
            if not differ:
                for p, state in (call.get("after") or {}).items():
                    if isinstance(bound.get(p), np.random.Generator):
                        bound[p].bit_generator.state = state
                result = decode_value(call["out"])
                return True, (iter(result) if call.get("iter") else result), []
            if closest is None or len(differ) < len(closest):
                closest = differ
        return False, None, closest or []

    def __call__(self, *args, **kwargs):
        if self._calls:
            bound = _bind(self._params, self._defaults, args, kwargs)
            if bound is not None:
                found, result, differ = self._answer(bound)
                if found:
                    self._log["hits"] = self._log.get("hits", 0) + 1
                    return result
            else:
                differ = ["(arguments)"]
            self._note({"callee": self._name, "differ": differ[:4], "recorded": True})
        else:
            self._note({"callee": self._name, "recorded": False})
        if self._own is None:
            raise NameError(f"name {self._name!r} is not defined")
        return self._own(*args, **kwargs)

    def _note(self, entry: dict) -> None:
        own = self._log.setdefault("own", [])
        if len(own) < MAX_LOG and entry not in own:
            own.append(entry)


@contextlib.contextmanager
def installed(namespace: dict | None, isolation: dict | None, case_index: int, caller: str, log: dict) -> Iterator[None]:
    """While the block runs, each graded callee's name in ``namespace`` is a :class:`StandIn` (with the recorded
    calls of case ``case_index``, if any); afterwards every name is what it was. ``log`` collects what happened."""
    if not isinstance(namespace, dict) or not isinstance(isolation, dict):
        yield
        return
    specs = isolation.get("callees", {}) or {}
    cases = isolation.get("cases", []) or []
    calls = cases[case_index] if 0 <= case_index < len(cases) and isinstance(cases[case_index], dict) else {}
    rtol, atol = float(isolation.get("rtol", 1e-8)), float(isolation.get("atol", 1e-11))
    saved: dict[str, Any] = {}
    try:
        for name in isolation.get("watch", []) or []:
            if name == caller or name in saved or not isinstance(name, str):
                continue
            own = namespace.get(name)
            if own is not None and not callable(own):
                continue
            saved[name] = own
            namespace[name] = StandIn(name, own, specs.get(name), calls.get(name), log, rtol, atol)
        yield
    finally:
        for name, own in saved.items():
            if own is None:
                namespace.pop(name, None)
            else:
                namespace[name] = own
