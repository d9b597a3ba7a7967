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
  :func:`autograde.sandboxed.harness.run_check`, which only *evaluates* the answer inside the sandbox and
  hands plain JSON numbers back to the trusted grader (see :mod:`autograde.plan`).

Both paths judge with :func:`autograde.judge.judge`, so both name the same failing case and the same
known mistake ("this looks like: ..."), and both run a caller's cases with its graded callees standing in
for the reference's (isolation: a correct ``mlp_forward`` passes beside a wrong ``layer_forward``).

Cases are randomized: ``$AUTOGRADE_SEED`` fixes the seed (the failure message names the seed used).
Numpy warnings raised by the student's code are silenced while checking: nbgrader scores any stderr
output in a test cell as 0, and a correct but naive formula must not lose points for a warning.
"""
from __future__ import annotations

import os
import secrets
from typing import Any

from autograde.startup import skip_iri_grammar

# this runs in the kernel nbgrader grades in, where reading the source notebook imports nbformat and so jsonschema:
# its IRI grammar is 3 s of every graded notebook under plain nbgrader (autograde.startup)
skip_iri_grammar()
from autograde import isolation  # noqa: E402
from autograde.items import get_item  # noqa: E402
from autograde.judge import Judgement, judge  # noqa: E402
from autograde.sandboxed.probes import evaluate  # noqa: E402
from autograde.sandboxed.standins import installed  # noqa: E402
from autograde.sandboxed.arrays import InputChanged  # noqa: E402
from autograde.spec import Item, NotArrays, case_rng  # noqa: E402

__all__ = ["check", "run_cases"]

SEED_ENV = "AUTOGRADE_SEED"


def run_cases(item: Item, answer: Any, reference: Any, seed: int, namespace: dict | None = None) -> Judgement | str:
    """Judge ``answer`` against ``reference`` on every case of ``item`` (the same :func:`judge` as the grader).

    With ``namespace`` (the notebook's globals), the graded functions ``answer`` calls are stand-ins there while
    each case runs, answering like the reference (isolation, as under the grader: :mod:`autograde.isolation`).
    Returns the :class:`Judgement`, or a message when the answer is not implemented yet.
    """
    cases = item.cases(case_rng(seed, item.name))
    table = isolation.tables(item, cases, _reference_of(item, reference)) if namespace is not None else None
    got: list[Any] = []
    for k, case in enumerate(cases):
        try:
            with installed(namespace, table, k, item.name, {}):
                got.append(evaluate(item.probe, answer, case.args))
        except NotImplementedError:
            return f"{item.name} is not implemented yet (it raises NotImplementedError)"
        except (NotArrays, InputChanged) as exc:
            got.append(str(exc))
        except Exception as exc:  # the student's function raised: that is the verdict for this case
            got.append(f"raised {type(exc).__name__}: {exc}"[:500])
    return judge(item, cases, got, reference)


def _reference_of(item: Item, reference: Any) -> Any:
    """The namespace holding the reference function (its callees are looked up in its globals)."""
    from types import SimpleNamespace

    return SimpleNamespace(**{item.name: reference})


def check(name: str, answer: Any) -> None:
    """Check the student's ``answer`` for graded ``name``; raises AssertionError saying what is wrong."""
    item = get_item(name)
    if item.callable_answer and not callable(answer):
        raise AssertionError(f"{name}: expected a function, got {type(answer).__name__}")
    from autograde.reference import load_reference

    reference = getattr(load_reference(item.notebook), name)
    seed = int(os.environ.get(SEED_ENV) or secrets.randbelow(2**31))
    namespace = getattr(answer, "__globals__", None) if callable(answer) else None
    result = run_cases(item, answer, reference, seed, namespace if isinstance(namespace, dict) else None)
    if isinstance(result, str):
        raise AssertionError(result)
    if not result.ok:
        raise AssertionError(f"{result.text(name)} (seed {seed})")
    print(f"\N{CHECK MARK} {name}: hidden cases passed")
