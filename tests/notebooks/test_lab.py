"""`make lab`: a real JupyterLab server serves the student notebooks, with nbgrader's extension."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(repo, tmp_path_factory):
    port, token = _free_port(), "nncourse-test"
    log = tmp_path_factory.mktemp("lab") / "lab.log"
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", "--allow-root", f"--ServerApp.root_dir={repo / 'notebooks'}"],
        stdout=open(log, "w"), stderr=subprocess.STDOUT, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a first start in a fresh venv on a busy 2-core machine can be slow
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            break
        except OSError:
            time.sleep(0.25)
    else:
        proc.kill()
        pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-2000:]}")
    yield base, token
    proc.terminate()
    proc.wait(timeout=20)


def _get(url: str):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.status, r.read()


def test_lab_serves_the_student_notebook(lab):
    """Does JupyterLab open notebooks/01_perceptron/perceptron.ipynb as a notebook with its cells?"""
    base, token = lab
    status, body = _get(f"{base}/api/contents/01_perceptron/perceptron.ipynb?token={token}")
    model = json.loads(body)
    assert status == 200 and model["type"] == "notebook"
    assert any("YOUR CODE HERE" in "".join(c["source"]) for c in model["content"]["cells"])


def test_lab_page_loads(lab):
    """Does the JupyterLab page itself load (the front end a student opens)?"""
    base, token = lab
    status, body = _get(f"{base}/lab?token={token}")
    assert status == 200 and b"JupyterLab" in body


def test_nbgrader_and_widgets_extensions_are_installed(lab):
    """Does the lab page load nbgrader's and ipywidgets' extensions (assignment list, validate, sliders)?"""
    base, token = lab
    _, body = _get(f"{base}/lab?token={token}")
    assert b"@jupyter/nbgrader" in body and b"@jupyter-widgets/jupyterlab-manager" in body
