"""The students' install (students/pyproject.toml): the helpers the notebooks import, nothing of the grader.

One wheel is built per session, as ``make student-wheel`` builds it, and installed (with its dependencies, from
the package index through pip's cache) in a fresh virtual environment that has never seen this repository. Then:
the wheel holds nbcourse and its data only, and no answer; ``import autograde`` fails in that environment; and
the solved twin of every released notebook (what a student who answered everything has) runs its set-up, demos
and visible checks there without an error, in a kernel of that environment, in grading mode (short demos).

Its figures are built there (every plotting call of nbcourse and the notebooks runs) but not rasterized
(MPLBACKEND=Agg, as in the grader's sandbox): turning a figure into the PNG a student sees is the same matplotlib
in both environments, and the pictures are checked where they are seen, in the full-size runs of tests/notebooks
and in JupyterLab (tests/browser). The PNGs were more than half of these kernels' CPU (notebook 07: 12.9 s of a
kernel with them, 5.4 s without, measured).

Measured here (2 cores, other test runs beside it): see docs/students.md, "How it is tested".
"""
from __future__ import annotations

import asyncio
import gzip
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from autograde import course, samples
from autograde.items import all_items, demo_bugs
from autograde.reference import solution_sources, source_notebook

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]  # students/ and nbcourse/ are this repository's
NOTEBOOKS = course.assignments(REPO)
KERNEL = "nncourse-students"
PARALLEL = 2  # notebooks run at once (2 cores; the other xdist worker runs too)


def _release(name: str) -> Path:
    return next((REPO / "notebooks" / name).glob("*.ipynb"))


def _scratch(tmp_path_factory, name: str) -> Path:
    """A folder for the students' venv: in RAM (/dev/shm) when it has room, else the session's temp folder.

    pip writes the environment's ~110 packages (about 400 MB) there: 11 s on tmpfs against 26 s on this machine's
    disk, measured with the same local wheels."""
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * 2**30:
            return Path(tempfile.mkdtemp(prefix=f"nncourse-{name}-", dir=shm))
    except OSError:
        pass
    return tmp_path_factory.mktemp(name)


@pytest.fixture(scope="module")
def timings() -> dict:
    return {}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, timings) -> Path:
    """The students' wheel, built as `make student-wheel` builds it, from a copy of students/ and nbcourse/ (so a
    build here never shares setuptools' build/ folder with one in the working tree)."""
    src = tmp_path_factory.mktemp("students-src")
    skip = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".ipynb_checkpoints")
    shutil.copytree(REPO / "students", src / "students", ignore=skip)
    shutil.copytree(REPO / "nbcourse", src / "nbcourse", ignore=skip)
    out = tmp_path_factory.mktemp("students-dist")
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(src / "students")],
                          capture_output=True, text=True, timeout=600)
    timings["build"] = time.perf_counter() - t0
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def student_env(wheel, tmp_path_factory, timings):
    """A fresh venv with only the students' wheel and its dependencies (from the index, through pip's cache)."""
    scratch = _scratch(tmp_path_factory, "students-venv")
    try:
        env_dir = scratch / "venv"
        t0 = time.perf_counter()
        # no pip of its own (ensurepip costs seconds): this session's pip installs into it with --python
        venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
        py = env_dir / "bin" / "python"
        # --no-compile: byte-compiling all of JupyterLab's server side costs more than the imports the kernels make
        done = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-compile",
                               "--disable-pip-version-check", str(wheel)], capture_output=True, text=True, timeout=900)
        timings["install"] = time.perf_counter() - t0
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield env_dir
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _clean_env(env_dir: Path) -> dict:
    """This process's environment without anything that would let the students' python see this repository."""
    # (and without PYTHONDONTWRITEBYTECODE, which this machine sets: the venv is installed with --no-compile, so the
    # first kernels byte-compile what the notebooks import, numpy and matplotlib among it, and the others reuse it)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


# ---------------------------------------------------------------------------------------------------- the wheel

def _members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_wheel_holds_only_nbcourse_and_its_data(wheel):
    """Does the students' wheel hold every module of nbcourse and the digits data, and nothing else (no autograde,
    no items, no solutions, no notebook)?"""
    names = set(_members(wheel))
    meta = {n for n in names if n.split("/")[0].endswith(".dist-info")}
    payload = names - meta
    expected = {p.relative_to(REPO).as_posix() for p in (REPO / "nbcourse").rglob("*.py") if "__pycache__" not in p.parts}
    expected |= {p.relative_to(REPO).as_posix() for p in (REPO / "nbcourse" / "datasets").glob("*.csv.gz")}
    assert "nbcourse/datasets/digits.csv.gz" in expected
    assert payload == expected, f"extra: {sorted(payload - expected)}; missing: {sorted(expected - payload)}"
    for n in names:
        assert not any(bad in n for bad in ("autograde", "items", "solutions", "authoring", ".ipynb")), n
    top = {n.split("/")[0] for n in meta}
    assert len(top) == 1 and top.pop().startswith("nncourse_students-"), meta


def _secret_lines() -> set[str]:
    """Distinctive lines of every answer: the solution cells of solutions/, the items' correct alternatives and
    known mistakes, and the demo's bugs, minus any line the released notebooks show students anyway."""
    public: set[str] = set()
    for name in NOTEBOOKS:
        for c in nbformat.read(str(_release(name)), as_version=4).cells:
            public.update(line.strip() for line in c.source.splitlines())

    def lines(src: str) -> set[str]:
        return {s for s in (line.strip() for line in src.splitlines())
                if len(s) > 24 and not s.startswith(("#", '"""', "'''")) and s not in public}

    out: set[str] = set()
    for name in NOTEBOOKS:
        for _gid, src in solution_sources(source_notebook(name)):
            out |= lines(src.split("### BEGIN SOLUTION")[-1].split("### END SOLUTION")[0])
    for item in all_items().values():
        for variant in item.alternatives + item.mistakes:
            try:  # a value item's impl is the value itself; a generated function has no source file
                out |= lines(inspect.getsource(variant.impl))
            except (OSError, TypeError):
                pass
    for name in NOTEBOOKS:  # the demo's two classic bugs per notebook: code strings (also known mistakes, exec'd)
        for src in demo_bugs(name).values():
            out |= lines(src)
    return out


def test_wheel_holds_no_answer(wheel):
    """Does no file of the students' wheel carry nbgrader's solution or hidden-test markers, a line of any
    answer (solution cell, correct alternative, known mistake), or a definition of a graded name?"""
    secret = _secret_lines()
    assert len(secret) > 300, "too few answer lines found: is the fingerprint still reading the answers?"
    graded = sorted(all_items())
    for name, data in _members(wheel).items():
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, (name, marker)
        present = {line.strip() for line in text.splitlines()}
        assert not (secret & present), (name, sorted(secret & present)[:5])
        for g in graded:
            assert f"def {g}(" not in text and f"\n{g} = " not in text, (name, g)


# -------------------------------------------------------------------------------------------- the students' venv

def test_students_env_has_nbcourse_and_nbgrader_but_no_grader(student_env, tmp_path):
    """In the students' environment, does `import autograde` fail, while nbcourse (from the wheel, with its data)
    and nbgrader (the Assignment List and Validate) import?"""
    py = str(student_env / "bin" / "python")
    env = _clean_env(student_env)
    grader = subprocess.run([py, "-c", "import autograde"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert grader.returncode != 0 and "ModuleNotFoundError: No module named 'autograde'" in grader.stderr, grader.stderr
    # nbgrader is found, not imported: its import takes seconds, and the notebooks' kernels never import it
    probe = ("import json, importlib.metadata as md, importlib.util as u, nbcourse; from nbcourse import data; "
             "X, y = data.load_digits(); "
             "print(json.dumps({'file': nbcourse.__file__, 'digits': list(X.shape), 'nbgrader': u.find_spec('nbgrader') is not None, "
             "'dists': sorted(d.metadata['Name'].lower() for d in md.distributions())}))")
    done = subprocess.run([py, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(got["file"]).resolve().is_relative_to(student_env.resolve()), got["file"]
    assert got["digits"] == [64, 1797], got["digits"]
    assert got["nbgrader"] and "nncourse-students" in got["dists"] and "nncourse" not in got["dists"]


# Appended to each solved twin: where nbcourse came from, and that the grader was neither loaded nor loadable.
PROBE = """
import importlib.util as _u, json as _j, sys as _s, nbcourse as _nc
print("STUDENTS-PROBE" + _j.dumps({"nbcourse": _nc.__file__, "python": _s.executable,
      "autograde": _u.find_spec("autograde") is not None, "loaded": sorted(m for m in _s.modules if m.startswith("autograde"))}))
"""


@pytest.fixture(scope="module")
def student_runs(student_env, tmp_path_factory, timings) -> dict:
    """The solved twin of every release notebook, run in a kernel of the students' venv, at most PARALLEL at once."""
    kernels = tmp_path_factory.mktemp("students-kernels")
    spec = kernels / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(student_env / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "nncourse students", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(kernels)])
    env = _clean_env(student_env) | {"NBCOURSE_GRADING": "1", "MPLBACKEND": "Agg"}
    work = tmp_path_factory.mktemp("students-notebooks")
    runs: dict = {}

    async def one(name: str, gate: asyncio.Semaphore):
        release = _release(name)
        nb = samples.solved(release, source_notebook(name))
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        folder = work / name
        folder.mkdir()
        nbformat.write(nb, str(folder / release.name))
        async with gate:
            t0 = time.perf_counter()
            km = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=specs)
            client = NotebookClient(nb, km=km, timeout=300, allow_errors=True,
                                    resources={"metadata": {"path": str(folder)}})
            await client.async_execute(env=env)
            runs[name] = (nb, time.perf_counter() - t0)

    async def main():
        gate = asyncio.Semaphore(PARALLEL)
        await asyncio.gather(*(one(n, gate) for n in NOTEBOOKS))

    t0 = time.perf_counter()
    asyncio.run(main())
    timings["notebooks"] = time.perf_counter() - t0
    (tmp_path_factory.getbasetemp() / "students-timings.json").write_text(
        json.dumps(timings | {n: round(s, 1) for n, (_nb, s) in runs.items()}, indent=1))
    return runs


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_runs_with_students_install_alone(name, student_runs, student_env):
    """Does the solved twin of the released notebook run every cell (set-up, demos, widgets, visible checks)
    without an error in a kernel of the students' environment, importing nbcourse from the wheel and never the
    grader?"""
    nb, seconds = student_runs[name]
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = [(c.metadata.get("nbgrader", {}).get("grade_id"), o.ename, str(o.evalue)[:300])
              for c in code for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == [], errors
    assert all(c.get("execution_count") for c in code), "a cell did not run"
    said = "".join(o.get("text", "") for o in code[-1].outputs if o.output_type == "stream")
    assert "STUDENTS-PROBE" in said, said[-500:]
    probe = json.loads(said.split("STUDENTS-PROBE", 1)[1].splitlines()[0])
    assert Path(probe["nbcourse"]).resolve().is_relative_to(student_env.resolve()), probe
    assert Path(probe["python"]).parent == student_env / "bin", probe
    assert probe["autograde"] is False and probe["loaded"] == [], probe
