"""Where a test run's CPU goes, test by test: every process's CPU charged to the test that was running on the pytest
process it descends from (its xdist worker, or the browser tests' own pytest).

    python benchmarks/cpu_by_test.py [--out DIR] -- make test        (or any command that runs pytest)

While the command runs, /proc is read every 0.5 s: each process's CPU time (utime + stime) since the last reading, and
its parent when first seen. A pytest plugin (this file, loaded with ``-p cpu_by_test`` through PYTEST_ADDOPTS) logs
when each test starts and ends in each pytest process. Afterwards a process's CPU in each interval goes to the test
its pytest ancestor was running then (module-scoped fixtures count for the first test of their module, as pytest
runs them there). Printed: CPU-seconds by test file (with the kinds of process that used it: the pytest process
itself, kernels, sandbox clients, Chromium, nbgrader commands, ...), the 40 costliest tests, and what ran outside
any test (the machine's own processes, the venv's pip). The suite is CPU-bound on a 2-core machine, so this, not
``--durations``, says where a minute of `make test` can come from. Raw data stays in DIR (default: a temporary one).
"""
from __future__ import annotations

import argparse
import bisect
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HZ = os.sysconf("SC_CLK_TCK")
LOG_ENV = "NNCOURSE_CPU_BY_TEST_LOG"


# --- the pytest plugin (-p cpu_by_test) ---------------------------------------------------------------------

def pytest_runtest_logstart(nodeid, location):
    _log("start", nodeid)


def pytest_runtest_logfinish(nodeid, location):
    _log("end", nodeid)


def _log(kind: str, nodeid: str) -> None:
    path = os.environ.get(LOG_ENV)
    if path:
        with open(path, "a") as fh:
            fh.write(f"{time.time():.2f} {os.getpid()} {kind} {nodeid}\n")


# --- the sampler ----------------------------------------------------------------------------------------------

def sample(out: Path, stop: threading.Event) -> None:
    """Write /proc readings to ``out``: a JSON line for each new process, "t pid start cpu_delta" lines after."""
    last: dict[tuple[int, str], float] = {}
    first = True   # what ran before the command: its CPU so far is not the command's
    with open(out, "w") as fh:
        while not stop.is_set():
            now = time.time()
            for d in os.listdir("/proc"):
                if not d.isdigit():
                    continue
                pid = int(d)
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        stat = f.read()
                    rest = stat[stat.rindex(")") + 2:].split()
                    ppid, cpu, start = int(rest[1]), (int(rest[11]) + int(rest[12])) / HZ, rest[19]
                except (OSError, ValueError, IndexError):
                    continue
                key = (pid, start)
                if key not in last:
                    try:
                        with open(f"/proc/{pid}/cmdline", "rb") as f:
                            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")[:200]
                    except OSError:
                        cmd = ""
                    fh.write(json.dumps({"pid": pid, "start": start, "ppid": ppid, "cmd": cmd, "t": now}) + "\n")
                if cpu > last.get(key, 0.0) and not first:
                    fh.write(f"{now:.2f} {pid} {start} {cpu - last.get(key, 0.0):.2f}\n")
                last[key] = cpu
            fh.flush()
            first = False
            stop.wait(0.5)


# --- the attribution ------------------------------------------------------------------------------------------

def _kind(cmd: str, is_pytest: bool) -> str:
    if is_pytest:
        return "pytest process"
    for needle, name in (("ipykernel", "kernel"), ("sandboxed.client", "sandbox client"), ("chrom", "Chromium"),
                         ("nbgrader", "nbgrader"), ("jupyter-lab", "JupyterLab"), ("jupyter lab", "JupyterLab"),
                         ("forkserver", "grader's forkserver/workers"), ("dask", "Dask"), ("bin/autograde", "autograde CLI"),
                         # multiprocessing's spawned children (a Dask LocalCluster's workers) say "pipe_handle=": not pip
                         ("spawn_main", "spawned worker"), ("-m pip", "pip"), ("bin/pip", "pip")):
        if needle in cmd:
            return name
    return (cmd.split() or ["(no command line: a kernel thread)"])[0].rsplit("/", 1)[-1][:30]


def attribute(samples: Path, tests: Path) -> dict:
    meta: dict[tuple[int, str], dict] = {}
    deltas: list[tuple[float, tuple[int, str], float]] = []
    for line in samples.read_text().splitlines():
        if line.startswith("{"):
            d = json.loads(line)
            meta[(d["pid"], d["start"])] = d
        elif line:
            t, pid, start, cpu = line.split()
            deltas.append((float(t), (int(pid), start), float(cpu)))
    runs: dict[int, list] = collections.defaultdict(list)
    opened: dict[tuple[int, str], float] = {}
    for line in tests.read_text().splitlines() if tests.exists() else []:
        t, pid, kind, node = line.split(" ", 3)
        if kind == "start":
            opened[(int(pid), node)] = float(t)
        elif (int(pid), node) in opened:
            runs[int(pid)].append((opened.pop((int(pid), node)), float(t), node))
    for (pid, node), t in opened.items():   # a test still running when the command ended
        runs[pid].append((t, float("inf"), node))
    for pid in runs:
        runs[pid].sort()
    starts = {pid: [r[0] for r in rs] for pid, rs in runs.items()}
    by_pid: dict[int, list] = collections.defaultdict(list)
    for key, d in meta.items():
        by_pid[key[0]].append((d["t"], key))

    root_of: dict[tuple[int, str], int | None] = {}

    def root(key):
        if key not in root_of:
            cur, found = key, None
            for _ in range(60):
                if cur[0] in runs:
                    found = cur[0]
                    break
                ppid, seen_at = meta[cur]["ppid"], meta[cur]["t"]
                older = [k for t, k in by_pid.get(ppid, []) if t <= seen_at + 1]
                if ppid <= 1 or not older:
                    break
                cur = max((meta[k]["t"], k) for k in older)[1]
            root_of[key] = found
        return root_of[key]

    per_file: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    per_test: collections.Counter = collections.Counter()
    outside: collections.Counter = collections.Counter()
    for t, key, cpu in deltas:
        if key not in meta:
            continue
        pytest_pid = root(key)
        kind = _kind(meta[key]["cmd"], pytest_pid == key[0])
        if pytest_pid is None:
            outside[kind] += cpu
            continue
        i = bisect.bisect_right(starts[pytest_pid], t) - 1
        rs = runs[pytest_pid]
        node = rs[i][2] if i >= 0 and t <= rs[i][1] + 1 else "(between tests: collection, start-up, teardown)"
        per_test[node] += cpu
        per_file[node.split("::")[0]][kind] += cpu
    return {"per_file": per_file, "per_test": per_test, "outside": outside}


def report(result: dict) -> None:
    files = sorted(result["per_file"].items(), key=lambda kv: -sum(kv[1].values()))
    total = sum(sum(c.values()) for _, c in files)
    print(f"CPU-seconds charged to tests: {total:.0f}; outside any test: {sum(result['outside'].values()):.0f}\n")
    print("by test file (and by kind of process):")
    for name, kinds in files:
        parts = ", ".join(f"{k} {v:.0f}" for k, v in kinds.most_common(5))
        print(f"  {sum(kinds.values()):7.1f}  {name}   ({parts})")
    print("\nthe 40 costliest tests:")
    for node, cpu in result["per_test"].most_common(40):
        print(f"  {cpu:7.1f}  {node}")
    print("\noutside any test:")
    for kind, cpu in result["outside"].most_common(10):
        print(f"  {cpu:7.1f}  {kind}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="folder for the raw readings (default: a new temporary folder)")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command, e.g. -- make test")
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("give the command to measure after --, e.g. -- make test")
    out = args.out or Path(tempfile.mkdtemp(prefix="nncourse-cpu-by-test-"))
    out.mkdir(parents=True, exist_ok=True)
    samples, tests = out / "samples.txt", out / "tests.log"
    tests.unlink(missing_ok=True)
    env = dict(os.environ)
    env[LOG_ENV] = str(tests)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent), env.get("PYTHONPATH")]))
    env["PYTEST_ADDOPTS"] = " ".join(filter(None, [env.get("PYTEST_ADDOPTS"), "-p cpu_by_test"]))
    stop = threading.Event()
    sampler = threading.Thread(target=sample, args=(samples, stop), daemon=True)
    sampler.start()
    t0 = time.monotonic()
    rc = subprocess.call(command, env=env)
    stop.set()
    sampler.join()
    print(f"\n{' '.join(command)}: exit code {rc}, {time.monotonic() - t0:.0f} s; readings in {out}\n")
    report(attribute(samples, tests))
    return rc


if __name__ == "__main__":
    sys.exit(main())
