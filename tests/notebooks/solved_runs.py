"""One real-kernel run of every SOLVED source notebook per test session, shared by every test that reads it.

``test_every_notebook.py`` checks what every notebook must do (no error, hidden tests passing, titled
plots); the per-notebook files check what their notebook shows (a printed result, a widget that
redraws). Both read the same run: the source notebook with ``RECORD_FIGURES`` first and the
notebook's ``PROBES`` last, run once with ``AUTOGRADE_SEED=7``. Under pytest-xdist the first worker
to ask runs it and the others wait for the file (a lock per notebook in the session's shared temp
folder), so a notebook is executed once per session however the files are spread.

A probe is a cell appended to the solved notebook: it runs after every cell of the notebook, in the
same kernel, and prints one JSON line that a test reads with :meth:`SolvedRun.probe`.
"""
from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograde.reference import source_notebook

SEED = "7"

# Prepended: records, for every figure the kernel renders (inline or in a widget's Output), each Axes' title
# and axis labels. Colorbars, axes switched off and 3-D axes' z label are exempt.
RECORD_FIGURES = r'''
import json as _json, matplotlib
from matplotlib.backend_bases import FigureCanvasBase as _FCB
_nncourse_figs = []
_orig_print_figure = _FCB.print_figure
def _nncourse_record(self, *a, **k):
    fig = self.figure
    sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    axes = []
    for ax in fig.axes:
        if hasattr(ax, "_colorbar") or ax.__class__.__name__ == "Colorbar" or not ax.axison or getattr(ax, "_colorbar_info", None):
            continue
        if ax.get_label() == "<colorbar>":
            continue
        axes.append({"title": ax.get_title() or ax.get_title("left") or sup, "x": ax.get_xlabel(), "y": ax.get_ylabel()})
    _nncourse_figs.append(axes)
    return _orig_print_figure(self, *a, **k)
_FCB.print_figure = _nncourse_record
'''

# Appended to the solved run of a notebook: {notebook: {probe: source}}; each prints ONE line of JSON.
PROBES: dict[str, dict[str, str]] = {
    "02_mlp": {
        # the approximation widget: D from 3 to 12 redraws it, a new target changes the error in the title
        "widget": """
from nbcourse import mlp_widgets as _mw
_w = _mw.approximation_widget(shallow_net_1d, D=3)
_before = (_w.ax.get_title(), _w.output.outputs[0]["data"]["image/png"])
_w.slider.value = 12
_after = (_w.ax.get_title(), _w.output.outputs[0]["data"]["image/png"])
_w.menu.value = "step at 0.3"
print(_json.dumps({"titles": [_before[0], _after[0], _w.ax.get_title()], "redrawn": _before[1] != _after[1]}))
""",
        # the depth section's sawtooth: 2^K linear regions
        "sawtooth": """
print(_json.dumps([count_regions_1d(sawtooth_params(K), (np.arange(20000) + 0.3183) / 20000) for K in (1, 2, 3, 5, 7)]))
""",
    },
    "03_losses": {
        # the softmax widget: lowering the true class's logit redraws it with a higher loss
        "widget": """
from nbcourse import losses_widgets as _lw
_w = _lw.softmax_widget(softmax, cross_entropy, logits=(2.0, 1.0, 0.1), target=0)
_before = (_w.ax.get_title(), _w.output.outputs[0]["data"]["image/png"])
_w.sliders[0].value = -3.0
_after = (_w.ax.get_title(), _w.output.outputs[0]["data"]["image/png"])
print(_json.dumps({"titles": [_before[0], _after[0]], "redrawn": _before[1] != _after[1]}))
""",
    },
    "04_gradient_descent": {
        # the learning-rate widget built on the notebook's gradient_descent: each regime in the title
        "widget": """
_box = gt.lr_widget(gradient_descent, lr=0.05)
_before = (_box.output.outputs[0]['data']['image/png'], _box.axes[0].get_title())
_box.slider.value = 1.1
_after = (_box.output.outputs[0]['data']['image/png'], _box.axes[0].get_title())
_shape = list(_box.path.shape)
_box.slider.value = 0.5
print(_json.dumps({"titles": [_before[1], _after[1], _box.axes[0].get_title()], "redrawn": _before[0] != _after[0],
                   "path_shape": _shape}))
""",
    },
    "05_backprop": {
        # the gradient-through-depth widget built on the notebook's own passes
        "widget": """
_box = gt.gradient_depth_widget(mlp_forward, mlp_backward, init_params, depth=10, activation='sigmoid')
_png0, _t0 = _box.output.outputs[0]['data']['image/png'], _box.ax.get_title()
_box.slider.value = 20
_redrawn, _sizes = _box.output.outputs[0]['data']['image/png'] != _png0, len(_box.sizes)
_box.dropdown.value = 'relu'
print(_json.dumps({"titles": [_t0, _box.ax.get_title()], "redrawn": _redrawn, "sizes": _sizes}))
""",
    },
    "06_optimizers": {
        # the race widget the notebook built (`race`): lr and beta sliders redraw picture and title
        "widget": """
_before = (race.axes.get_title(), race.output.outputs[0]['data']['image/png'])
race.sliders['lr'].value = 0.3
race.sliders['beta'].value = 0.5
_after = (race.axes.get_title(), race.output.outputs[0]['data']['image/png'])
print(_json.dumps({'sliders': sorted(race.sliders), 'lr_log': type(race.sliders['lr']).__name__,
                   'before': _before[0], 'after': _after[0], 'png_changed': _before[1] != _after[1]}))
""",
    },
    "07_generalization": {
        # the weight-decay widget the notebook built (`decay`): the log-scale lambda slider redraws it
        "widget": """
_before = (decay.axes.get_title(), decay.output.outputs[0]['data']['image/png'])
decay.sliders['lam'].value = 0.3
_after = (decay.axes.get_title(), decay.output.outputs[0]['data']['image/png'])
print(_json.dumps({'sliders': sorted(decay.sliders), 'kind': type(decay.sliders['lam']).__name__,
                   'before': _before[0], 'after': _after[0], 'png_changed': _before[1] != _after[1]}))
""",
        # the initial-scale widget (`scale`): the log-scale gain slider redraws both panels (tanh, relu) and their titles
        "init_widget": """
_before = ([ax.get_title() for ax in scale.axes], scale.output.outputs[0]['data']['image/png'])
scale.sliders['gain'].value = 2.0
_after = ([ax.get_title() for ax in scale.axes], scale.output.outputs[0]['data']['image/png'])
print(_json.dumps({'sliders': sorted(scale.sliders), 'kind': type(scale.sliders['gain']).__name__,
                   'before': _before[0], 'after': _after[0], 'png_changed': _before[1] != _after[1]}))
""",
    },
}

_FIGS = "print('FIGS' + _json.dumps(_nncourse_figs))"


def code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def errors(cells) -> list[tuple]:
    """(grade_id, exception name, message) of every error output of these cells (a notebook's, or a list)."""
    cells = cells.cells if hasattr(cells, "cells") else cells
    return [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, str(o.evalue)[:200])
            for c in cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]


def text(cell) -> str:
    """What a cell printed (stdout and stderr)."""
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def cell_with(nb, *pieces: str, tag: str | None = None):
    """The first code cell whose source contains every piece (and has the tag, when given)."""
    for c in code(nb):
        if all(p in c.source for p in pieces) and (tag is None or tag in c.metadata.get("tags", [])):
            return c
    raise AssertionError(f"no code cell contains {pieces}" + (f" with tag {tag!r}" if tag else ""))


@dataclass
class SolvedRun:
    name: str
    nb: nbformat.NotebookNode   # the executed notebook: RECORD_FIGURES cell, the notebook's cells, probes, FIGS
    seconds: float              # wall time of the whole run (kernel start included)

    @property
    def cells(self) -> list:
        """The notebook's own cells, as executed (without the recording and probe cells)."""
        return self.nb.cells[1:len(self.nb.cells) - 1 - len(PROBES.get(self.name, {}))]

    def printed(self) -> str:
        return "".join(text(c) for c in self.cells if c.cell_type == "code")

    def figures(self) -> list[list[dict]]:
        return json.loads(self.nb.cells[-1].outputs[0].text.split("FIGS", 1)[1])

    def probe(self, key: str):
        """The JSON a probe printed (the probe's own error, if it raised, fails the test here)."""
        cell = next(c for c in self.nb.cells if c.get("metadata", {}).get("probe") == key)
        assert not errors([cell]), errors([cell])
        return json.loads(text(cell).strip().splitlines()[-1])


def run(name: str, cache: Path) -> SolvedRun:
    """The solved run of notebook ``name``: executed here, or read from ``cache`` if another worker ran it."""
    cache.mkdir(parents=True, exist_ok=True)
    out, meta = cache / f"{name}.ipynb", cache / f"{name}.json"
    with open(cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not meta.exists():
            nb, seconds = _execute(name)
            nbformat.write(nb, str(out))
            meta.write_text(json.dumps({"seconds": seconds}))
    return SolvedRun(name, nbformat.read(str(out), as_version=4), json.loads(meta.read_text())["seconds"])


def _execute(name: str):
    nb = nbformat.read(str(source_notebook(name)), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORD_FIGURES))
    for key, src in PROBES.get(name, {}).items():
        nb.cells.append(nbformat.v4.new_code_cell(src.strip(), metadata={"probe": key}))
    nb.cells.append(nbformat.v4.new_code_cell(_FIGS))
    env = {"AUTOGRADE_SEED": SEED}
    old = {k: os.environ.get(k) for k in (*env, "NBCOURSE_GRADING")}
    os.environ.update(env)
    os.environ.pop("NBCOURSE_GRADING", None)  # the student's sizes, not the grader's
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=True, record_timing=True).execute()
        return nb, time.perf_counter() - t0
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
