"""Grading a class: find the submissions, grade the changed ones in parallel, record everything.

Steps, in order:

1. :func:`discover` — ``SUBMISSIONS/<student>/<assignment>/*.ipynb`` against the source notebooks;
   a missing, empty or ambiguous folder becomes a ``missing`` job, never a skipped student.
2. :func:`_cached` — a job whose content hash is unchanged reuses its stored result.
3. the scheduler — local worker processes (``--workers``), or a Dask cluster (``--scheduler``);
   each job is :func:`autograde.grader.grade_notebook`, which never raises for a student's fault.
4. in THIS process only, as results arrive: the nbgrader gradebook, feedback files and the cache
   (one writer, so no submission can reach another's records).
5. ``grades.csv``, the HTML report and the printed summary.
"""
from __future__ import annotations

import errno
import json
import os
import secrets
import stat
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograde import course
from autograde.course import GradeRow
from autograde.grader import Job, Result

CACHE_DIR = ".autograde"


@dataclass
class Options:
    workers: int = max(1, os.cpu_count() or 1)
    scheduler: str | None = None          # None: local processes; "local": a Dask LocalCluster; else an address
    students: list[str] | None = None
    limits: dict = field(default_factory=dict)
    use_sandbox: bool = True
    progress: bool = True
    force: bool = False


@dataclass
class Summary:
    rows: list[GradeRow]
    graded: int
    cached: int
    seconds: float
    csv_path: Path
    report_path: Path


def _source_notebooks(root: Path) -> dict[str, Path]:
    from autograde.reference import source_notebook

    return {a: source_notebook(a, root) for a in course.assignments(root)}


def _read_regular(path: Path, limit: int) -> bytes:
    """A submitted file's bytes: no symlink, a regular file, at most ``limit`` bytes (checked before reading)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("it is not a regular file")
        if st.st_size > limit:
            raise ValueError(f"it is {st.st_size / 2**20:.0f} MB, over the {limit // 2**20} MB limit")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


def discover(submissions: Path, sources: dict[str, Path], students: list[str] | None, limits: dict,
             use_sandbox: bool, run_tag: str = "") -> list[Job]:
    """One job per student and source notebook of every assignment anyone submitted.

    Folders and files that are symlinks are refused: a link could point at the source notebooks or at
    a classmate's work (git and tar keep symlinks), and grading it would hand those out as feedback.
    """
    from autograde.grader import MAX_SUBMISSION_BYTES

    if not submissions.is_dir():
        raise FileNotFoundError(f"expected a folder of submissions laid out as SUBMISSIONS/<student>/<assignment>/*.ipynb, got {submissions}")
    student_dirs = sorted(p for p in submissions.iterdir() if (p.is_dir() or p.is_symlink()) and not p.name.startswith("."))
    if students:
        unknown = sorted(set(students) - {p.name for p in student_dirs})
        if unknown:
            raise ValueError(f"no submission folder for student(s) {unknown} in {submissions}")
        student_dirs = [p for p in student_dirs if p.name in students]
    submitted = {a for s in student_dirs for a in sources if (s / a).is_dir() and not s.is_symlink()}
    if not submitted:
        raise ValueError(f"no folder of a known assignment ({', '.join(sources)}) under any student in {submissions}")
    jobs = []
    for sdir in student_dirs:
        for assignment in sorted(submitted):
            src = sources[assignment]
            folder = sdir / assignment
            data, name, problem, status = None, None, "", "missing"
            if sdir.is_symlink() or folder.is_symlink():
                problem, status = f"{'the student folder' if sdir.is_symlink() else f'the folder {assignment}/'} is a symbolic link; hand in a real folder", "invalid"
            else:
                present = sorted(p for p in folder.glob("*.ipynb")) if folder.is_dir() else []
                expected = folder / src.name
                pick = expected if expected in present else (present[0] if len(present) == 1 else None)
                if pick is not None:
                    try:
                        data, name = _read_regular(pick, MAX_SUBMISSION_BYTES), pick.name
                    except (OSError, ValueError) as exc:  # ELOOP for a symlink, a fifo, a file too big
                        reason = "it is a symbolic link" if isinstance(exc, OSError) and exc.errno == errno.ELOOP else str(exc)
                        problem, status = f"{pick.name} was not read: {reason}", "invalid"
                elif not folder.is_dir():
                    problem = f"no folder {assignment}/ was submitted"
                elif not present:
                    problem = f"the folder {assignment}/ holds no notebook (expected {src.name})"
                else:
                    problem = f"expected {src.name}; found several other notebooks ({', '.join(p.name for p in present[:5])}) and cannot tell which to grade"
            jobs.append(Job(sdir.name, assignment, src.name, src.read_text(), data, submitted_name=name, problem=problem,
                            problem_status=status, limits=limits, seed=secrets.randbelow(2**31),
                            use_sandbox=use_sandbox, run_tag=run_tag))
    return jobs


def _cache_path(course_dir: Path, job: Job) -> Path:
    return course_dir / CACHE_DIR / "cache" / job.student_id / job.assignment / (Path(job.notebook).stem + ".json")


def _cached(course_dir: Path, job: Job) -> Result | None:
    from autograde.outputs import autograded_path

    path = _cache_path(course_dir, job)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != job.key():
        return None
    nb = Path(job.notebook).stem
    if data.get("has_autograded") and not autograded_path(course_dir, job.student_id, job.assignment, nb).is_file():
        return None
    rows = [GradeRow(**r) for r in data["rows"]]
    return Result(job.student_id, job.assignment, nb, rows, "", 0.0, data["key"], data.get("seed", 0), data.get("notes", ""))


def _store(course_dir: Path, job: Job, result: Result) -> None:
    """Keep a result: the autograded notebook where formgrader looks for it, and the grader's record of it."""
    from autograde.outputs import autograded_path

    ag = autograded_path(course_dir, result.student_id, result.assignment, result.notebook)
    if result.autograded:
        ag.parent.mkdir(parents=True, exist_ok=True)
        if ag.exists():
            ag.chmod(0o644)  # nbgrader writes autograded notebooks read-only
        ag.write_text(result.autograded)
    elif ag.exists():
        ag.unlink()  # the submission no longer runs (missing or invalid now): no stale notebook in formgrader
    path = _cache_path(course_dir, job)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a host-side failure is stored for the outputs to show, under a key no job has: never reused
    path.write_text(json.dumps({"key": result.key if result.cacheable else "", "seed": result.seed, "student_id": result.student_id,
                                "assignment": result.assignment, "notebook": result.notebook, "notebook_file": job.notebook,
                                "notes": result.notes, "has_autograded": bool(result.autograded),
                                "rows": [asdict(r) for r in result.rows]}))


def _crash_result(job: Job, exc: BaseException) -> Result:
    """A grader failure (not the student's): reported as 'crashed' for that notebook, the class goes on."""
    from autograde.assemble import graded_cells
    import nbformat

    msg = f"the grader failed on this notebook: {type(exc).__name__}: {exc}"[:500]
    cells = graded_cells(nbformat.reads(job.source_text, as_version=4))
    rows = [GradeRow(job.student_id, job.assignment, Path(job.notebook).stem, c.grade_id, 0.0, c.points, "crashed", msg) for c in cells]
    return Result(job.student_id, job.assignment, Path(job.notebook).stem, rows, "", 0.0, "", job.seed, cacheable=False)


def _init_worker() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # see autograde.sandboxed.client: 0.76 s per process saved


def _run_jobs(jobs: list[Job], opts: Options, on_result) -> None:
    from autograde.grader import grade_notebook

    if not jobs:
        return
    if opts.scheduler:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed

        cluster = None
        if opts.scheduler == "local":
            cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True, dashboard_address=":0")  # any free port: two graders never collide
            client = Client(cluster)
        else:
            client = Client(opts.scheduler)
        try:
            client.run(_init_worker)
            futures = {client.submit(grade_notebook, job, pure=False): job for job in jobs}
            for fut in dask_completed(futures):
                job = futures[fut]
                try:
                    on_result(job, fut.result())
                except Exception as exc:  # a worker lost, a grader bug: report it, go on
                    on_result(job, _crash_result(job, exc))
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("forkserver")
    pending = list(jobs)
    # First every job in one shared pool. If a worker process dies (a grader bug, the host's OOM killer),
    # the pool breaks for every job still in it: those are retried one by one, each in a pool of its own,
    # so only a job that breaks its own pool again is reported as crashed.
    for isolated in (False, True):
        groups = [[job] for job in pending] if isolated else [pending]
        pending = []
        for group in groups:
            if not group:
                continue
            with ProcessPoolExecutor(max_workers=1 if isolated else opts.workers, mp_context=ctx,
                                     initializer=_init_worker) as pool:
                futures = {pool.submit(grade_notebook, job): job for job in group}
                for fut in as_completed(futures):
                    job = futures[fut]
                    try:
                        on_result(job, fut.result())
                    except BrokenProcessPool as exc:
                        if isolated:
                            on_result(job, _crash_result(job, exc))
                        else:
                            pending.append(job)
                    except Exception as exc:
                        traceback.print_exc(file=sys.stderr)
                        on_result(job, _crash_result(job, exc))
        if not pending:
            return


def _sweep(run_tag: str) -> None:
    """Remove job folders (and their output tmpfs) that a worker killed mid-job left behind in this run."""
    import tempfile

    from autograde.sandbox import cleanup

    for job_dir in Path(tempfile.gettempdir()).glob(f"autograde-job-{run_tag}-*"):
        cleanup(job_dir)


def ensure_course(course_dir: Path, assignments: list[str]) -> None:
    """The course work directory knows every assignment in its gradebook (made with nbgrader)."""
    from nbgrader.api import Gradebook, MissingEntry

    db = course_dir / "gradebook.db"
    if db.exists():
        with Gradebook(f"sqlite:///{db}") as gb:
            try:
                for a in assignments:
                    gb.find_assignment(a)
                return
            except MissingEntry:
                pass
    course.new_course_dir(course_dir)


def grade_class(submissions: Path, course_dir: Path, opts: Options) -> Summary:
    from autograde import gradebook, outputs, sandbox
    from autograde.reference import course_root

    if opts.use_sandbox:
        sandbox.check_available()
    t0 = time.monotonic()
    course_dir.mkdir(parents=True, exist_ok=True)
    sources = _source_notebooks(course_root())
    limits = {**sandbox.Limits().as_dict(), **opts.limits}
    run_tag = f"{os.getpid()}x{secrets.token_hex(3)}"
    jobs = discover(submissions, sources, opts.students, limits, opts.use_sandbox, run_tag)
    ensure_course(course_dir, sorted({j.assignment for j in jobs}))
    results: list[Result] = []
    todo = []
    cached = 0
    for job in jobs:
        hit = None if opts.force else _cached(course_dir, job)
        if hit:
            results.append(hit)
            cached += 1
        else:
            todo.append(job)
    bar = None
    if opts.progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), unit="nb", desc="grading", file=sys.stderr, dynamic_ncols=True)
    fresh: list[Result] = []

    def on_result(job: Job, result: Result) -> None:
        _store(course_dir, job, result)
        fresh.append(result)
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{result.student_id}/{result.notebook}")

    try:
        _run_jobs(todo, opts, on_result)
    finally:
        if bar is not None:
            bar.close()
        _sweep(run_tag)
    results.extend(fresh)
    # the gradebook is the record (cached results too: the gradebook may be newer than the cache), then
    # every output is rebuilt from it, manual grades from formgrader included
    gradebook.record(course_dir, results, fresh={(r.student_id, r.assignment, r.notebook) for r in fresh},
                     timestamps={(j.student_id, j.assignment): j.timestamp for j in jobs if getattr(j, "timestamp", None)})
    rows, csv_path, report_path = outputs.rebuild(course_dir, workers=opts.workers)
    return Summary(rows, len(todo), cached, time.monotonic() - t0, csv_path, report_path)
