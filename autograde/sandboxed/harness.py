"""Inside the sandbox: evaluate the student's answers on the cases the grader wrote, write plain results.

The grading notebook's test cells call :func:`run_check` (``_ag("sigmoid", globals())``). It reads
``$AUTOGRADE_HARNESS/in/cases/<name>.json`` (the probe to use, whether the answer must be callable,
and the cases' inputs), evaluates the student's answer on each case (numpy warnings silenced) and
writes ``$AUTOGRADE_HARNESS/out/results/<name>.json``: per case a status and the outputs as plain
arrays. It knows no expected value and decides nothing: the trusted grader compares.
While a case runs, the other graded functions of the notebook are stand-ins
(:mod:`autograde.sandboxed.standins`, isolation): a call a correct caller makes gets a correct answer from
the case file's table; each case's result notes where the student's own callee answered instead.
Everything here runs in the student's process and may be tampered with; that can only spoil the
student's own results, which the grader then reports.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from autograde.sandboxed.arrays import InputChanged, NotArrays
from autograde.sandboxed.probes import evaluate
from autograde.sandboxed.standins import installed
from autograde.sandboxed.wire import WireError, decode_case, encode_array, write_json

HARNESS_ENV = "AUTOGRADE_HARNESS"  # the job folder; set by autograde.sandbox
_MISSING = object()


def _folder(folder: str | None = None) -> Path:
    return Path(folder or os.environ[HARNESS_ENV])


def record(name: str, answer: Any, folder: str | None = None, namespace: dict | None = None) -> None:
    """Evaluate ``answer`` on every case of graded ``name`` and write the results file.

    With ``namespace`` (the notebook's globals), the graded callees named in the case file are stand-ins there
    while each case runs (isolation); without it, the answer runs with whatever it calls.
    """
    root = _folder(folder)
    spec = json.loads((root / "in" / "cases" / f"{name}.json").read_text())
    probe, must_call = spec.get("probe", "call"), spec.get("callable", True)
    isolation = spec.get("isolation") if namespace is not None else None
    results: list[dict] = []
    out = root / "out" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)

    def flush(complete: bool) -> None:
        write_json(out, {"name": name, "complete": complete, "cases": results})

    if answer is _MISSING:
        results.append({"status": "missing", "message": f"{name} is not defined (its answer cell raised an error or was deleted)"})
        flush(True)
        print(f"{name}: not defined")
        return
    if must_call and not callable(answer):
        results.append({"status": "failed", "message": f"expected a function, got {type(answer).__name__}"})
        flush(True)
        return
    for k, raw in enumerate(spec["cases"]):
        case = decode_case(raw)
        log: dict = {}
        try:
            with installed(namespace, isolation, k, name, log):
                arrays = evaluate(probe, answer, case.args)
            results.append({"status": "ok", "outputs": [encode_array(a) for a in arrays]})
        except NotImplementedError:
            results.append({"status": "notimpl", "message": f"{name} is not implemented yet (it raises NotImplementedError)"})
            if log:
                results[-1]["calls"] = log
            break
        except (NotArrays, InputChanged, WireError) as exc:
            results.append({"status": "failed", "message": str(exc)[:300]})
        except KeyboardInterrupt:  # the cell's time limit interrupted the answer
            results.append({"status": "timeout", "message": "interrupted at the cell time limit"})
            flush(False)
            raise
        except MemoryError:
            results.append({"status": "memory", "message": "MemoryError (the memory limit was hit)"})
        except RecursionError:
            results.append({"status": "error", "message": "RecursionError: maximum recursion depth exceeded"})
        except Exception as exc:  # the student's code raised: that is this case's verdict
            results.append({"status": "error", "message": f"{type(exc).__name__}: {exc}"[:300]})
        if log:
            results[-1]["calls"] = log
        flush(False)
    flush(True)
    print(f"{name}: evaluated on {len(results)} hidden case(s); the grader compares them")


def run_check(name: str, namespace: dict) -> None:
    """The call in a grading notebook's test cell: look ``name`` up in the student's namespace and record it."""
    record(name, namespace.get(name, _MISSING), namespace=namespace)
