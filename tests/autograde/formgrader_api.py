"""Helpers shared by the grader's tests: a real Jupyter server with nbgrader's formgrader, and its REST API."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
TOKEN = "nncourse-formgrader"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def formgrader_server(root: Path, home: Path, extra_args: list[str] = ()):
    """`jupyter lab` (with nbgrader's server extensions) rooted at the course ``root``; yields its base URL."""
    port = _free_port()
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_CONFIG_DIR": str(home / "cfg"), "JUPYTER_RUNTIME_DIR": str(home / "rt"), "IPYTHONDIR": str(home / "ipy")}
    with open(log, "w") as out:
        proc = subprocess.Popen([str(BIN / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                                 f"--IdentityProvider.token={TOKEN}", "--allow-root", f"--ServerApp.root_dir={root}",
                                 *extra_args], cwd=root, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5)
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        else:
            raise RuntimeError(f"jupyter lab did not start:\n{log.read_text()[-3000:]}")
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def api(base: str, path: str, method: str = "GET", body: dict | None = None):
    """A call to the server's REST API with the token, as formgrader's page makes it: (status, JSON or text)."""
    req = urllib.request.Request(f"{base}{path}", method=method, headers={"Authorization": f"token {TOKEN}"},
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=60) as r:
        raw = r.read()
        return r.status, (json.loads(raw) if raw[:1] in (b"[", b"{") else raw.decode())
