"""Inside the sandbox: run the grading notebook with nbclient and a real ipykernel.

    python -m autograde.sandboxed.client /job

Reads ``/job/in/notebook.ipynb`` and ``/job/in/limits.json``; executes cell by cell (errors do not
stop the run; a cell over its time limit is interrupted); keeps at most ``output_bytes`` of outputs
(error outputs are always kept, shortened); writes ``/job/out/summary.json`` after every cell, so a
run killed from outside still shows how far it got (and ``client_error`` if the client itself failed). Both this client and the kernel run as the
sandbox user: everything written here is untrusted input to the grader, which only reads it for
statuses and messages, never for scores.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

# jsonschema imports rfc3987_syntax if present, only for IRI format checks that notebook validation never
# uses; building its grammar costs 3 s per process (autograde.startup, which this client does not import): skip it.
sys.modules.setdefault("rfc3987_syntax", None)


def _kernel_in_a_process_group() -> None:
    """In the user-namespace sandbox ``setsid`` fails (a session is a CPU share there: see
    ``autograde.sandbox.USER_DENIED_SYSCALLS``), and jupyter_client starts every kernel in a session of its own.
    Start it in a process group of its own instead: an interrupt (``killpg`` of the kernel's group) still reaches
    the kernel and its children, never this client."""
    import jupyter_client.launcher as launcher

    def popen(cmd, **kw):
        kw.pop("start_new_session", None)
        return subprocess.Popen(cmd, process_group=0, **kw)

    launcher.Popen = popen


if os.environ.get("AUTOGRADE_NO_SETSID") == "1":
    _kernel_in_a_process_group()


def _start_kernel():
    """Start the kernel first, so that it boots (about a second) while this client imports nbclient and nbformat
    and reads the job: a self-learner's grade is that much sooner. Returns (kernel manager, None), or (None, the
    exception) for :func:`main` to report as the client's own failure."""
    try:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        # the kernel's own fd 1/2 go nowhere: what a cell prints reaches the notebook through ZMQ (and its cap);
        # its history in memory, as nbclient would ask
        run_sync(km.start_kernel)(cwd="/tmp", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  extra_arguments=["--HistoryManager.hist_file=:memory:"])
        return km, None
    except Exception as exc:  # noqa: BLE001 - reported by main() in the summary
        return None, exc


_EARLY = _start_kernel() if __name__ == "__main__" else (None, None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellTimeoutError, DeadKernelError  # noqa: E402

from autograde.sandboxed.wire import write_json  # noqa: E402


class CappedClient(NotebookClient):
    """nbclient with a budget on kept output bytes (nbclient itself has no output cap)."""

    output_budget = 1_000_000
    timed_out = False

    async def _async_handle_timeout(self, timeout, cell=None):
        # nbclient turns a timeout into an error *reply* (error_on_timeout), which leaves no error output: note it
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        if out is None or not outs or outs[-1] is not out:
            return out
        size = len(json.dumps(out))
        if out.get("output_type") == "error":
            out["traceback"] = [line[:2000] for line in out.get("traceback", [])[-20:]]
            out["evalue"] = str(out.get("evalue", ""))[:2000]
            return out
        if size > self.output_budget:
            outs.pop()
            if not getattr(self, "_cap_noted", False):
                self._cap_noted = True
                outs.append(nbformat.v4.new_output("stream", name="stdout", text="[output truncated by the grader: over the output limit]\n"))
            self.output_budget = 0
            return None
        self.output_budget -= size
        return out


def _job_ready(folder: Path) -> bool:
    """Wait until the grader has written the whole job: its ``ready`` mark comes last. A sandbox is started before
    its job only by ``autograde self`` (``autograde.sandbox.Early``: the kernel boots while the grader reads the
    notebook); otherwise the mark is already there. False: the grader withdrew the job (``cancel``), nothing to run."""
    while not os.path.exists(folder / "ready"):
        if os.path.exists(folder / "cancel"):
            return False
        time.sleep(0.005)
    return True


def main(job: str) -> int:
    job_dir = Path(job)
    summary_path = job_dir / "out" / "summary.json"
    summary: dict = {"cells": [], "kernel_died": None, "finished": False}
    try:
        return _run(job_dir, summary_path, summary)
    except Exception as exc:
        # the client's own failure (a kernel that would not start, a host out of files or memory): note it for
        # the grader, which tells a host-side failure (retried) from the student's (scored) by it
        summary["client_error"] = f"{type(exc).__name__}: {exc}"[:500]
        try:
            write_json(summary_path, summary)
        except OSError:
            pass
        raise


def _run(job_dir: Path, summary_path: Path, summary: dict) -> int:
    km, early_error = _EARLY
    if early_error is not None:
        raise early_error
    if not _job_ready(job_dir / "in"):
        return 0
    limits = json.loads((job_dir / "in" / "limits.json").read_text())
    # the grader wrote this notebook (a valid v4 one): read without nbformat's schema validation (jsonschema on
    # every cell, a few hundred ms of every job)
    from nbformat.v4.rwbase import rejoin_lines

    nb = rejoin_lines(nbformat.from_dict(json.loads((job_dir / "in" / "notebook.ipynb").read_text())))
    client = CappedClient(
        nb, km=km, timeout=limits["cell_timeout"], kernel_name="python3", allow_errors=True,
        interrupt_on_timeout=True, startup_timeout=60, iopub_timeout=4, raise_on_iopub_timeout=False,
        error_on_timeout={"ename": "CellTimeoutError", "evalue": f"the cell ran over its {limits['cell_timeout']} s limit",
                          "traceback": []},
        resources={"metadata": {"path": "/tmp"}},
        # nothing outlives the sandbox: a graceful shutdown (a request, then polling until the kernel exits) only
        # cost 0.4 s of every job (measured)
        shutdown_kernel="immediate",
    )
    client.output_budget = int(limits["output_bytes"])
    write_json(summary_path, summary)
    # the kernel's own fd 1/2 go nowhere: what a cell prints reaches the notebook through ZMQ (and its cap);
    # started early (_start_kernel) when this runs as the sandbox's client, else here
    with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cleanup_kc=True):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            role = cell.metadata.get("autograde", {}).get("role", "")
            entry = {"index": index, "role": role, "key": cell.metadata.get("autograde", {}).get("key", ""), "error": None}
            t0 = time.monotonic()
            client.timed_out = False
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                summary["kernel_died"] = index
                entry["error"] = {"ename": "DeadKernelError", "evalue": "the kernel died while running this cell"}
            except CellTimeoutError as exc:
                entry["error"] = {"ename": "CellTimeoutError", "evalue": str(exc)[:300]}
            if client.timed_out and entry["error"] is None:
                entry["error"] = {"ename": "CellTimeoutError", "evalue": f"the cell ran over its {limits['cell_timeout']} s limit"}
            entry["seconds"] = round(time.monotonic() - t0, 3)
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and entry["error"] is None:
                    entry["error"] = {"ename": str(out.get("ename", ""))[:200], "evalue": str(out.get("evalue", ""))[:500]}
            summary["cells"].append(entry)
            write_json(summary_path, summary)
            if summary["kernel_died"] is not None:
                break
    summary["finished"] = summary["kernel_died"] is None
    write_json(summary_path, summary)
    write_executed(nb, job_dir / "out" / "executed.ipynb")
    return 0


def write_executed(nb, path: Path) -> None:
    """The executed notebook, compact: no indentation and no text split into lines, so its size is the notebook the
    grader sent plus the outputs as the output limit counts them (the grader reads no more than that)."""
    path.write_text(json.dumps(nb, ensure_ascii=False, separators=(",", ":")))   # nbformat.writes, without its validation


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/job"))
