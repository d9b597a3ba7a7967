"""Isolation, the trusted half: each graded function is judged on its own, with its graded callees correct.

A correct ``mlp_forward`` must keep its points when the student's ``layer_forward`` forgets the bias; the
wrong ``layer_forward`` loses its own points, once. So, before the sandbox runs (in :func:`autograde.grader.write_job`):

1. :func:`tables` runs the **reference** caller on each hidden case with every other graded function of its
   notebook wrapped, and records each call of a callee that the caller makes (at any depth: ``train_mlp`` ->
   ``mlp_loss_and_grads`` -> ``mlp_backward`` -> ``layer_backward``): the arguments by parameter name, the
   result, and the state of a generator argument after the call. An item may add calls a correct answer
   typically makes although the reference does not (:attr:`autograde.spec.Item.callee_calls`: ``tanh`` through
   ``sigmoid(-2 z)``, ``perceptron_predict`` through ``step``). The table is plain data (arrays, numbers,
   strings as JSON, never code), and bounded (:data:`BUDGET`): a case whose calls would be larger gets none.
2. Inside the sandbox, :mod:`autograde.sandboxed.standins` puts a stand-in under each callee's name while the
   caller's cases run: a recorded call gets the recorded answer, any other goes to the student's own function,
   and is noted.
3. After the run, :func:`explain` names the callee when a caller failed on a case where the student's own,
   failing callee answered (isolation was not possible there), and otherwise says which argument of which
   call differed from a correct caller's.

Where a table cannot stand in (the item's :attr:`~autograde.spec.Item.no_stand_in`, with the reason), the
message names the callee. ``docs/design-notes.md`` ("Isolation") lists those pairs and why.
"""
from __future__ import annotations

import inspect
import re
import types
from typing import Any, Sequence

import numpy as np

from autograde.items import all_items, get_item
from autograde.sandboxed.probes import evaluate
from autograde.sandboxed.standins import ValueTooLarge, encode_value
from autograde.spec import Case, Item

# Entries (array elements, numbers, strings) recorded for one item, all cases together: about 20 bytes each as
# JSON, so at most ~8 MB per item. The course's largest table (train_mlp: three small training runs) holds ~40,000.
BUDGET = 400_000
RTOL, ATOL = 1e-8, 1e-11   # a recorded call matches when every argument is within this (a correct caller's rounding)


def watched(item: Item) -> list[str]:
    """The graded functions of ``item``'s notebook that its cases may call: every other callable item."""
    return [n for n, it in all_items().items() if it.notebook == item.notebook and it.callable_answer and n != item.name]


def _signature(fn) -> dict | None:
    """The parameter names and (encodable) defaults of a reference callee, or None for a signature that a
    stand-in cannot bind (``*args``)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    params, defaults = [], {}
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            return None
        params.append(p.name)
        if p.default is not p.empty:
            try:
                defaults[p.name] = encode_value(p.default)
            except (TypeError, ValueTooLarge):
                pass
    return {"params": params, "defaults": defaults}


def _recorder(name: str, fn, sig: inspect.Signature | None, calls: dict, budget: list[int], state: dict):
    """``fn`` wrapped: each call's arguments, result and generator states after it go into ``calls[name]`` (unless
    ``sig`` is None: then the call is only counted); ``state`` tracks the depth, so direct calls are known."""
    def wrapper(*args, **kwargs):
        if state["depth"] == 0:
            state["direct"].add(name)
        entry: dict[str, Any] | None = None
        bound = None
        if sig is not None:
            try:
                bound = sig.bind(*args, **kwargs)
                bound.apply_defaults()
                entry = {"args": {k: encode_value(v, budget) for k, v in bound.arguments.items()}}
            except ValueTooLarge:
                raise
            except (TypeError, ValueError):  # an argument that cannot be written (a function): not recorded
                entry, bound = None, None
        state["depth"] += 1
        try:
            out = fn(*args, **kwargs)
        finally:
            state["depth"] -= 1
        if isinstance(out, types.GeneratorType):
            out = list(out)
            if entry is not None:
                entry["iter"] = True
            result: Any = iter(out)
        else:
            result = out
        if entry is not None and bound is not None:
            try:
                entry["out"] = encode_value(out, budget)
            except TypeError:
                return result
            after = {k: v.bit_generator.state for k, v in bound.arguments.items() if isinstance(v, np.random.Generator)}
            if after:
                entry["after"] = after
            calls.setdefault(name, []).append(entry)
        return result
    wrapper.__name__ = name
    return wrapper


def _record(item: Item, cases: Sequence[Case], reference: Any, budget: int):
    """Run the reference ``item`` on every case with its notebook's other graded functions wrapped: the calls per case,
    the callees' signatures, and the names it called directly. None for an item that calls nothing (or is a value)."""
    fn = getattr(reference, item.name, None)
    names = watched(item)
    if not callable(fn) or not names or not hasattr(fn, "__globals__"):
        return None
    g = fn.__globals__
    specs: dict[str, dict] = {}
    sigs: dict[str, inspect.Signature | None] = {}
    impossible = dict(item.no_stand_in)
    for n in names:
        callee = g.get(n)
        if not callable(callee):
            continue
        spec = _signature(callee) if n not in impossible else None  # watched only: its inputs would tell the reference's choices
        sigs[n] = inspect.signature(callee) if spec is not None else None
        if spec is not None:
            specs[n] = spec
    left = [budget]
    per_case: list[dict] = []
    state: dict[str, Any] = {"depth": 0, "direct": set()}
    saved = {n: g[n] for n in sigs}
    try:
        for case in cases:
            calls: dict[str, list] = {}
            for n in sigs:
                g[n] = _recorder(n, saved[n], sigs[n], calls, left, state)
            try:
                evaluate(item.probe, fn, case.args)
                for callee, args in (item.callee_calls(case.args) if item.callee_calls else ()):
                    if callee in specs:
                        evaluate("call", g[callee], tuple(args))
            except ValueTooLarge:
                calls = {}
                left = [max(left[0], 0)]
            except Exception:  # noqa: BLE001 - the reference failing here is reported by judge, with the case
                pass
            state["depth"] = 0
            per_case.append(calls)
    finally:
        g.update(saved)
    return names, specs, per_case, state["direct"]


def tables(item: Item, cases: Sequence[Case], reference: Any, budget: int = BUDGET) -> dict | None:
    """The stand-ins' table for ``item``'s cases: what the reference caller's graded callees were called with
    and returned, per case. None for an item that calls nothing (or is a value)."""
    recorded = _record(item, cases, reference, budget)
    if recorded is None:
        return None
    names, specs, per_case, _ = recorded
    used = {n for calls in per_case for n in calls}
    return {"rtol": RTOL, "atol": ATOL, "watch": names,
            "callees": {n: specs[n] for n in sorted(used)}, "cases": per_case}


def direct_callees(item: Item, cases: Sequence[Case], reference: Any) -> set[str]:
    """The graded functions of its notebook that the reference ``item`` calls itself on these cases (not through
    another graded function)."""
    recorded = _record(item, cases, reference, BUDGET)
    return set(recorded[3]) if recorded else set()


# ----------------------------------------------------------------------------- after the run: naming the right callee
def _listing(names: list[str]) -> str:
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]


def _own_calls(verdict, cases: set[int] | None = None) -> list[dict]:
    """The notes of the cases (default: all) where the student's own callee answered a call (untrusted: checked)."""
    out: list[dict] = []
    for k, log in enumerate(getattr(verdict, "calls", None) or []):
        if (cases is not None and k not in cases) or not isinstance(log, dict) or not isinstance(log.get("own"), list):
            continue
        out.extend(e for e in log["own"][:8] if isinstance(e, dict) and isinstance(e.get("callee"), str))
    return out


def explain(names: list[str], by_name: dict, plan) -> None:
    """Say in each failing caller's message which callee is at fault, when its own failing callee answered.

    ``by_name`` holds the verdicts (:class:`autograde.grader.NameVerdict`) of the names graded so far: a callee's
    cell comes before its caller's. ``plan`` gives the answer code, for a verdict without notes (older results).
    """
    for n in names:
        v = by_name[n]
        if v.status == "ok":
            continue
        item = get_item(n)
        failing = set(getattr(v, "failed_cases", None) or [])
        own = _own_calls(v, failing or None)
        known = set(watched(item))
        ran = list(dict.fromkeys(e["callee"] for e in own if e["callee"] in known))
        if not getattr(v, "calls", None):  # no notes: the code that mentions a failing callee is all there is
            code = plan.answers.get(plan.defined_in.get(n, ""), "") if plan is not None else ""
            ran = [u for u in item.uses if re.search(rf"\b{re.escape(u)}\s*\(", code)]
        culprits = [u for u in ran if u in by_name and by_name[u].status != "ok"]
        if culprits:
            v.message = re.sub(rf"\b{re.escape(n)} is not implemented yet \(it raises NotImplementedError\)",
                               f"calling {n} raised NotImplementedError", v.message)
            why = dict(item.no_stand_in)
            reasons = [f"for {u} the grader cannot: {why[u]}" for u in culprits if u in why]
            they = "which fails its own test" if len(culprits) == 1 else "which fail their own tests"
            v.message += (f" (on that case your {n} ran your own {_listing(culprits)}, {they}"
                          f"{' — ' + '; '.join(reasons) if reasons else ''}: fix {culprits[0]} first, and {n} may pass too)")
            continue
        missed = [e for e in own if e.get("recorded") and e["callee"] in known]
        if missed:
            e = missed[0]
            differ = [d for d in e.get("differ", []) if isinstance(d, str) and re.fullmatch(r"\(?\w{1,40}\)?", d)][:3]
            what = f" with a different {_listing(differ)}" if differ and differ != ["(arguments)"] else " differently"
            v.message += (f" (on that case your {n} called {e['callee']}{what} than a correct {n} does, "
                          f"so your own {e['callee']} answered)")
