"""``check(name, answer)``: the one function a hidden-test cell calls.

In a source notebook a hidden test reads::

    ### BEGIN HIDDEN TESTS
    from autograde.check import check; check("sigmoid", sigmoid)
    ### END HIDDEN TESTS

How the comparison is done is decided here, in one place:

- **in-process** (plain ``nbgrader autograde``, the tests of the reference): the reference is loaded
  with :func:`autograde.reference.load_reference` in the same kernel and compared at once; a
  mismatch raises ``AssertionError`` with what differs. This mode trusts the kernel: a student's
  code can fool it, which is why the class is graded with ``autograde grade``.
- under ``autograde grade`` this cell never runs: the grader replaces each test cell by a call of
  :func:`autograde.harness.run_check`, which only *evaluates* the answer inside the sandbox and hands
  plain JSON numbers back to the trusted grader (see :mod:`autograde.assemble`).

Cases are randomized: ``$AUTOGRADE_SEED`` fixes the seed (the failure message names the seed used).
Numpy warnings raised by the student's code are silenced while checking: nbgrader scores any stderr
output in a test cell as 0, and a correct but naive formula must not lose points for a warning.
"""
from __future__ import annotations

import os
import secrets
import warnings
from typing import Any

import numpy as np

from autograde.items import get_item
from autograde.spec import Item, NotArrays, compare, materialize, to_arrays

__all__ = ["check", "evaluate", "run_cases"]

SEED_ENV = "AUTOGRADE_SEED"


def evaluate(item: Item, answer: Any, args: tuple) -> list[np.ndarray]:
    """Probe ``answer`` on one case with numpy warnings silenced; returns plain float64 arrays."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return to_arrays(item.probe(answer, *materialize(args)))


def run_cases(item: Item, answer: Any, reference: Any, seed: int) -> list[str]:
    """Compare ``answer`` with ``reference`` on every case of ``item``; the list of failure messages."""
    failures = []
    for case in item.cases(np.random.default_rng(seed)):
        expected = evaluate(item, reference, case.args)
        try:
            got = evaluate(item, answer, case.args)
        except NotImplementedError:
            return [f"{item.name} is not implemented yet (it raises NotImplementedError)"]
        except NotArrays as exc:
            failures.append(f"{case.label}: {exc}")
            continue
        except Exception as exc:  # the student's function raised: that is the verdict for this case
            failures.append(f"{case.label}: raised {type(exc).__name__}: {exc}"[:500])
            continue
        verdict = compare(item, got, expected)
        if not verdict.ok:
            failures.append(f"{case.label}: {verdict.message}")
    return failures


def check(name: str, answer: Any) -> None:
    """Check the student's ``answer`` for graded ``name``; raises AssertionError saying what is wrong."""
    item = get_item(name)
    if item.callable_answer and not callable(answer):
        raise AssertionError(f"{name}: expected a function, got {type(answer).__name__}")
    from autograde.reference import load_reference

    reference = getattr(load_reference(item.notebook), name)
    seed = int(os.environ.get(SEED_ENV) or secrets.randbelow(2**31))
    failures = run_cases(item, answer, reference, seed)
    if failures:
        shown = "\n  - ".join(failures[:5])
        more = f"\n  (+{len(failures) - 5} more)" if len(failures) > 5 else ""
        raise AssertionError(f"{name}: {len(failures)} hidden case(s) failed (seed {seed}):\n  - {shown}{more}")
    print(f"\N{CHECK MARK} {name}: hidden cases passed")
