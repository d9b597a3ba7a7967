"""Driving a real JupyterLab in headless Chromium (Playwright): the server, the browser, the student's moves.

Everything here was measured against JupyterLab 4.6 / ipywidgets 8 / nbgrader 0.9.6 in Debian's
Chromium (see shared/BROWSER-NOTES.md). The helpers are plain functions over a Playwright ``Page``:

    server = LabServer(root_dir=folder, log=path).start()
    page.goto(...)                       # or:
    open_notebook(page, server, "01_perceptron/perceptron.ipynb")
    restart_and_run_all(page)
    outputs_text(page, 5)               # what cell 5 shows (prompt-less text of its outputs)
    move_slider(page, cell, 0)          # and wait for the picture to redraw; returns (old src, new src)
    validate(page)                      # nbgrader's Validate button: the dialog's text
    screenshot_notebook(page, path)     # the whole notebook, not just the viewport
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent

# Chromium flags: no sandbox (root), no GPU, and nothing that phones home or shows a first-run page.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]

INSTALL_HINT = ("the browser tests need Chromium: `sudo apt-get install chromium` (Debian/Ubuntu; `make test` "
                "installs it when run as root), or set NNCOURSE_CHROMIUM=/path/to/chromium")


def find_chromium() -> str | None:
    """The Chromium to drive: $NNCOURSE_CHROMIUM, else Debian's `chromium` (or `chromium-browser`) on PATH."""
    explicit = os.environ.get("NNCOURSE_CHROMIUM")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_env(home: Path) -> dict:
    """Chromium's environment: its own HOME and XDG folders, so nothing is written to the user's home."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for var, sub in [("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_DATA_HOME", "data")]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``jupyter lab`` on a folder, for real: venv first on PATH, private settings, token, free port.

    ``extra_args`` go on the command line (e.g. ``--CourseDirectory.root=...`` for formgrader).
    The server's own config, data and runtime folders, its settings and workspaces are in a
    temporary folder; extensions are still found in the venv's ``share/jupyter`` and ``etc/jupyter``.
    """

    def __init__(self, root_dir: Path, log: Path, extra_args: list[str] = (), startup_timeout: float = 120,
                 env: dict | None = None):
        self.root_dir, self.log, self.extra_args = Path(root_dir), Path(log), list(extra_args)
        self.extra_env = dict(env or {})   # for the server and the kernels it starts
        self.startup_timeout = startup_timeout
        self.port, self.token = _free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.started_in = 0.0

    def _environment(self, home: Path) -> dict:
        env = dict(os.environ)
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic` by name
        for var, sub in [("HOME", "home"), ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
            (home / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(home / sub)
        env.setdefault("MPLCONFIGDIR", str(home / "mpl"))
        env.pop("JUPYTER_PATH", None)
        env.update(self.extra_env)
        return env

    def start(self) -> "LabServer":
        self._tmp = tempfile.TemporaryDirectory(prefix="nncourse-lab-")
        home = Path(self._tmp.name)
        settings = home / "settings"
        # No "Jupyter news?" toast over the page, no update check (no network here anyway).
        notify = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notify.parent.mkdir(parents=True)
        notify.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        cmd = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
               f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={home / 'workspaces'}",
               *self.extra_args]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.root_dir,
                                         env=self._environment(home), start_new_session=True)
        deadline = t0 + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited {self.proc.returncode}:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(self.url("/api/status"), timeout=5)
                self.started_in = time.monotonic() - t0
                return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer in {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def url(self, path: str, **query: str) -> str:
        sep = "&" if "?" in path else "?"
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"{self.base}{path}{sep}token={self.token}{extra}"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # jupyter shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: the server and its kernels only
                self.proc.wait(timeout=10)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


# ---------------------------------------------------------------------------------------------- notebook

CELL = ".jp-Notebook .jp-Cell[data-windowed-list-index='{}']"
INDICATOR_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"


def cell(page, index: int):
    """The cell at position ``index`` of the open notebook (the notebook file's cell order)."""
    return page.locator(CELL.format(index))


def open_notebook(page, server: LabServer, path: str, timeout: float = 120_000, collapse_sidebar: bool = True) -> None:
    """Open a notebook in a fresh workspace and wait until its kernel is Python 3 and idle."""
    page.goto(server.url(f"/lab/tree/{path}", reset=""), wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel-toolbar [data-jp-item-name='kernelName']").filter(
        has_text="Python 3").first.wait_for(timeout=timeout)
    page.locator(INDICATOR_IDLE).first.wait_for(timeout=timeout)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout)
    if collapse_sidebar:  # more room for the notebook (and its screenshots): close the file browser
        tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if tab.count():
            tab.first.click()


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


# Done when nothing is queued or running, the indicator says idle, and either every code cell ran
# or a cell failed (Run All stops at the first error).
_RUN_FINISHED = """() => {
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!ind || ind.dataset.status !== 'idle') return false;
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim());
  if (prompts.some(p => p.includes('*'))) return false;
  const failed = document.querySelector('.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-Notebook .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]');
  return failed !== null || prompts.every(p => /\\[\\d+\\]/.test(p));
}"""

_RUN_STARTED = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
  .some(p => p.textContent.includes('*'))"""


def restart_and_run_all(page, timeout: float = 180_000) -> float:
    """Kernel menu → "Restart Kernel and Run All Cells", accept the dialog, wait until it finished. Seconds taken."""
    t0 = time.monotonic()
    _menu(page, "Kernel", "Restart Kernel and Run All Cells")
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    page.wait_for_function(_RUN_STARTED, timeout=60_000, polling=50)
    wait_until_settled(page, timeout)
    return time.monotonic() - t0


def wait_until_settled(page, timeout: float = 180_000, quiet_ms: int = 500) -> None:
    """Wait for the run to finish, and for it to stay finished ``quiet_ms`` (a queued cell may start late)."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        page.wait_for_function(_RUN_FINISHED, timeout=max(1000, (deadline - time.monotonic()) * 1000), polling=100)
        page.wait_for_timeout(quiet_ms)
        if page.evaluate(_RUN_FINISHED):
            return


def run_cell(page, index: int, timeout: float = 60_000) -> None:
    """Run one cell as a student does: click its prompt, Ctrl+Enter, wait until it ran and the kernel is idle."""
    c = cell(page, index)
    c.scroll_into_view_if_needed()
    c.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Control+Enter")
    _wait_ran(page, index, timeout)


def _wait_ran(page, index: int, timeout: float) -> None:
    page.wait_for_function(
        f"""() => {{ const p = document.querySelector("{CELL.format(index)} .jp-InputArea-prompt");
                     return p && /\\[\\d+\\]/.test(p.textContent); }}""", timeout=timeout, polling=50)
    page.locator(INDICATOR_IDLE).first.wait_for(timeout=timeout)


def run_cells_from(page, start: int, stop: int, code_cells: set[int], timeout: float = 60_000) -> None:
    """Shift+Enter through cells ``start`` .. ``stop - 1`` as a student does, waiting for each code cell to run.

    A failing cell does not stop the next one (unlike Run All).
    """
    c = cell(page, start)
    c.scroll_into_view_if_needed()
    c.locator(".jp-InputArea-prompt").first.click()
    for k in range(start, stop):
        page.keyboard.press("Shift+Enter")
        if k in code_cells:
            _wait_ran(page, k, timeout)


def prompts(page) -> dict[int, str]:
    """Execution prompt of every code cell, by cell index: "[3]:", "[ ]:" (not run), "[*]:"."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.jp-Notebook .jp-Cell.jp-CodeCell')]
        .map(c => [c.dataset.windowedListIndex, (c.querySelector('.jp-InputArea-prompt') || {}).textContent || '']))""")


def outputs_text(page, index: int) -> str:
    """The text of a cell's outputs (``text_content``: off-screen cells have no innerText)."""
    area = cell(page, index).locator(".jp-OutputArea")
    return area.first.text_content() if area.count() else ""


def error_cells(page) -> dict[int, str]:
    """Cells whose outputs hold an error (a traceback or stderr), with their output text."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.jp-Notebook .jp-Cell')]
        .filter(c => c.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'))
        .map(c => [c.dataset.windowedListIndex, c.querySelector('.jp-OutputArea').textContent]))""")


def images_in(page, index: int) -> int:
    return cell(page, index).locator(".jp-OutputArea img").count()


# ---------------------------------------------------------------------------------------------- widgets

def widget_picture_src(page, index: int) -> str | None:
    img = cell(page, index).locator(".widget-output img")
    return img.first.get_attribute("src") if img.count() else None


def wait_picture_settled(page, index: int, previous: str | None, timeout: float = 30.0, settle: float = 1.0) -> str:
    """Wait until the widget's picture differs from ``previous`` and then keeps the same src for ``settle`` s."""
    deadline = time.monotonic() + timeout
    src, since = widget_picture_src(page, index), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = widget_picture_src(page, index)
        if now != src:
            src, since = now, time.monotonic()
        elif src is not None and src != previous and time.monotonic() - since >= settle:
            page.locator(INDICATOR_IDLE).first.wait_for(timeout=30_000)
            return src
    raise TimeoutError(f"the widget picture of cell {index} did not change and settle in {timeout:.0f} s")


def sliders(page, index: int):
    return cell(page, index).locator(".widget-slider")


def slider_readout(page, index: int, k: int) -> str:
    return sliders(page, index).nth(k).locator(".widget-readout").text_content().strip()


def move_slider(page, index: int, k: int, presses: int = 3) -> tuple[str, str, str, str]:
    """Move slider ``k`` of cell ``index`` with the keyboard and wait for the picture to redraw.

    Returns (readout before, readout after, picture src before, picture src after).
    Focusing the handle (not clicking the cell) keeps JupyterLab from scrolling it away.
    """
    slider = sliders(page, index).nth(k)
    slider.scroll_into_view_if_needed()
    handle = slider.locator(".noUi-handle").first
    before_readout, before_src = slider_readout(page, index, k), widget_picture_src(page, index)
    handle.focus()
    key = "ArrowRight"
    for _ in range(presses):
        handle.press(key)
    after_readout = slider_readout(page, index, k)
    if after_readout == before_readout:  # the slider was at its maximum: go the other way
        for _ in range(2 * presses):
            handle.press("ArrowLeft")
        after_readout = slider_readout(page, index, k)
    after_src = wait_picture_settled(page, index, before_src)
    return before_readout, after_readout, before_src, after_src


# ---------------------------------------------------------------------------------------------- nbgrader

def validate(page, timeout: float = 120_000) -> str:
    """Click nbgrader's Validate button, wait for the server's answer, return the dialog's text (and close it)."""
    button = page.locator(".jp-NotebookPanel-toolbar .validate-button, .jp-NotebookPanel-toolbar button",
                          has_text="Validate").first
    with page.expect_response(lambda r: "assignments/validate" in r.url, timeout=timeout):
        button.click()
    dialog = page.locator(".jp-Dialog").last
    dialog.locator(".jp-Dialog-content").wait_for(timeout=timeout)
    page.wait_for_timeout(300)  # the body is filled right after the response
    return dialog.text_content()


def close_dialog(page) -> None:
    page.locator(".jp-Dialog .jp-Dialog-button").last.click()
    page.locator(".jp-Dialog").wait_for(state="detached", timeout=10_000)


# ---------------------------------------------------------------------------------------------- pictures

def screenshot_notebook(page, path: Path, max_height: int = 16000) -> Path:
    """The whole notebook in one picture.

    JupyterLab scrolls inside ``.jp-WindowedPanel-outer``, so ``full_page`` only gets the viewport:
    grow the viewport to the notebook's height (re-measured until it stops growing), shoot, restore.
    """
    size = page.viewport_size
    height = size["height"]
    for _ in range(10):
        inner = page.evaluate("() => (document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-viewport') || {}).scrollHeight || 0")
        want = min(max_height, int(inner) + 200)
        if want <= height:
            break
        height = want
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(300)
    page.evaluate("() => { const o = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer'); if (o) o.scrollTop = 0; }")
    page.wait_for_timeout(300)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def shrink_png(src: Path, dst: Path, width: int = 900, crop: tuple[int, int, int, int] | None = None) -> Path:
    """A small copy for docs/img: optionally cropped (left, top, right, bottom), at most ``width`` px wide, 8-bit palette."""
    from PIL import Image

    with Image.open(src) as im:
        im = im.convert("RGB")
        if crop:
            im = im.crop(crop)
        if im.width > width:
            im = im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)
        dst.parent.mkdir(parents=True, exist_ok=True)
        im.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)
    return dst
