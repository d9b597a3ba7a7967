"""The trusted verdict on one graded name: compare with the reference on every case, then diagnose.

Both grading paths call :func:`judge`: the sandboxed grader (:func:`autograde.grader.score_name`),
with the student's outputs read back from the sandbox, and the in-process ``check`` under plain
nbgrader (:mod:`autograde.check`). So both say the same thing about the same answer.

Steps, in order:

1. the reference is evaluated on every case, here (never in the student's process);
2. each case's student outputs are compared with :func:`autograde.spec.compare`; the first failing
   case is the one the message shows (its label and what differs, never its inputs);
3. only when something failed, each known mistake of the item is evaluated on the same cases, case
   by case, until one differs. A mistake is named when it reproduces the student's outputs on
   **every** case, within the item's tolerance. On a case where the answer raised, a mistake matches
   when it raises the same kind of exception there (summed biases of different widths: a broadcasting
   ``ValueError``; an input written in place: :class:`~autograde.sandboxed.arrays.InputChanged`);
   when none, or more than one, matches, nothing is named (never guess). The mistake's code never
   leaves this process: only its ``id`` and its one sentence do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from autograde.sandboxed.arrays import InputChanged
from autograde.sandboxed.probes import evaluate
from autograde.spec import Case, Item, NotArrays, Variant, compare

# One case's student result: the arrays the probe returned, or a message (the answer raised on it).
Got = "list[np.ndarray] | str"


@dataclass
class Judgement:
    ok: bool
    message: str = ""              # the first failing case: "label: what differs"
    failed_cases: int = 0
    diagnosis: Variant | None = None
    failed_at: list[int] = field(default_factory=list)   # the indices of the failing cases

    def text(self, name: str) -> str:
        """The message a student reads: the failing case, and the known mistake it looks like."""
        if self.ok:
            return ""
        more = f" ({self.failed_cases} hidden cases failed)" if self.failed_cases > 1 else ""
        looks = f" — this looks like: {self.diagnosis.says}" if self.diagnosis else ""
        return f"{name}: {self.message}{more}{looks}"


def _exc_key(exc: BaseException) -> str:
    return "InputChanged" if isinstance(exc, InputChanged) else type(exc).__name__


_RAISED = re.compile(r"^(?:raised )?([A-Za-z_]\w*): ")


def raised_key(got: str) -> str | None:
    """The kind of exception a student's answer raised on a case, from its message ("ValueError: operands ..."),
    or None when the message does not say (it returned something that is not numbers)."""
    if got.startswith("changed its input"):
        return "InputChanged"
    m = _RAISED.match(got)
    return m.group(1) if m else None


def outputs_of(item: Item, impl: Any, cases: Sequence[Case]) -> list[Any]:
    """``impl`` evaluated on every case: arrays, or the message of what it raised (trusted code only)."""
    out: list[Any] = []
    for case in cases:
        try:
            out.append(evaluate(item.probe, impl, case.args))
        except InputChanged as exc:
            out.append(str(exc)[:300])
        except Exception as exc:  # a mistake that raises on a case matches an answer that raises the same there
            out.append(f"raised {type(exc).__name__}: {exc}"[:300])
    return out


def _reproduces(item: Item, mistake: Variant, cases: Sequence[Case], got: Sequence[Any]) -> bool:
    """Does ``mistake`` give ``got`` on every case? Case by case, stopping at the first that differs (most
    mistakes differ on the first case, so diagnosis rarely evaluates a mistake more than once)."""
    for case, g in zip(cases, got):
        try:
            out = evaluate(item.probe, mistake.impl, case.args)
        except Exception as exc:  # matches only an answer that raised the same kind of exception on this case
            if isinstance(g, str) and raised_key(g) == _exc_key(exc):
                continue
            return False
        if isinstance(g, str) or not compare(item, g, out).ok:
            return False
    return len(got) == len(cases)


def diagnose(item: Item, cases: Sequence[Case], got: Sequence[Any]) -> Variant | None:
    """The one known mistake of ``item`` that reproduces ``got`` on every case, or None."""
    if any(isinstance(g, str) and raised_key(g) is None for g in got):  # no mistake can match "returned no numbers"
        return None
    matches = [m for m in item.mistakes if _reproduces(item, m, cases, got)]
    return matches[0] if len(matches) == 1 else None


def judge(item: Item, cases: Sequence[Case], got: Sequence[Any], reference: Any) -> Judgement:
    """Compare the student's results ``got`` (one per case) with ``reference``'s, and diagnose a failure."""
    first, failed, at = "", 0, []
    for k, (case, g) in enumerate(zip(cases, got)):
        if isinstance(g, str):
            verdict_msg = g
        else:
            try:
                expected = evaluate(item.probe, reference, case.args)
            except NotArrays as exc:  # the reference itself produced no arrays: a course bug, say so loudly
                raise RuntimeError(f"reference of {item.name} returned no arrays: {exc}") from exc
            verdict = compare(item, g, expected)
            if verdict.ok:
                continue
            verdict_msg = verdict.message
        failed += 1
        at.append(k)
        first = first or f"{case.label}: {verdict_msg}"
    if not failed:
        return Judgement(True)
    return Judgement(False, first, failed, diagnose(item, cases, got), at)
