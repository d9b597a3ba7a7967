"""Grading a class: find the submissions, grade the changed ones in parallel, record everything.

Steps, in order:

1. :func:`autograde.intake.discover` — ``SUBMISSIONS/<student>/<assignment>/*.ipynb`` against the source
   notebooks; a missing, empty or ambiguous folder becomes a ``missing`` job, never a skipped student.
2. :func:`_cached` — a job whose content hash is unchanged reuses its stored result.
3. the scheduler — local worker processes (``--workers``), or a Dask cluster (``--scheduler``);
   each job is :func:`autograde.grader.grade_notebook`, which never raises for a student's fault.
4. in THIS process only, as results arrive: the nbgrader gradebook, feedback files and the cache
   (one writer, so no submission can reach another's records).
5. ``grades.csv``, the HTML report and the printed summary.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import sys
import time
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograde.course import GradeRow
from autograde.grader import Job, Result
from autograde.intake import _source_notebooks, discover, quarantine

CACHE_DIR = ".autograde"


@dataclass
class Options:
    workers: int = max(1, os.cpu_count() or 1)
    scheduler: str | None = None          # None: local processes; "local": a Dask LocalCluster; else an address
    students: list[str] | None = None
    limits: dict = field(default_factory=dict)
    use_sandbox: bool = True
    sandbox: str = "auto"                 # the sandbox mode: auto (full as root, else user), full or user
    progress: bool = True
    force: bool = False
    wait: bool = False                    # another run holds the course's lock: wait for it (else refuse)
    report: bool = True                   # write report.html (autograde self on a throw-away course: no)
    seed: int | None = None               # None: fresh random cases per submission; a number: the same cases every run


@dataclass
class Summary:
    rows: list[GradeRow]
    graded: int
    cached: int
    seconds: float
    csv_path: Path
    report_path: Path
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (folder or file, why it is not a submission)
    rendered: int = 0                                             # feedback pages rendered (the others had not changed)
    recorded: dict = field(default_factory=dict)                  # what the gradebook got: new students, submissions, grades
    warnings: list[str] = field(default_factory=list)             # for the instructor: intake and course set-up
    late: dict[tuple[str, str], float] = field(default_factory=dict)  # (student, assignment): nbgrader's late penalty


def _cache_path(course_dir: Path, job: Job) -> Path:
    """Where a job's result is kept. Ids come from :func:`discover` already safe; ``safe_name`` (a no-op on
    them) keeps any other caller's id a single, writable path component."""
    from autograde.safetext import safe_name

    return course_dir / CACHE_DIR / "cache" / safe_name(job.student_id) / job.assignment / (Path(job.notebook).stem + ".json")


def _cached(course_dir: Path, job: Job) -> Result | None:
    from autograde.outputs import autograded_path

    path = _cache_path(course_dir, job)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != job.key():
        return None
    nb = Path(job.notebook).stem
    if data.get("has_autograded") and not autograded_path(course_dir, job.student_id, job.assignment, nb).is_file():
        return None
    try:
        rows = [GradeRow(**r) for r in data["rows"]]
    except (KeyError, TypeError):  # a record of another version, or damaged: grade again rather than stop the class
        return None
    return Result(job.student_id, job.assignment, nb, rows, "", 0.0, data["key"], data.get("seed", 0), data.get("notes", ""),
                  submitted=data.get("submitted", True), exchange=data.get("exchange") or {})


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
    from autograde.grader import written_path

    for gid, text in result.long_written.items():  # the whole text of a written answer the pages show the start of
        kept = course_dir / written_path(result.student_id, result.assignment, result.notebook, gid)
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(text, encoding="utf-8", errors="replace")
    path = _cache_path(course_dir, job)
    path.parent.mkdir(parents=True, exist_ok=True)
    # a host-side failure is stored for the outputs to show, under a key no job has: never reused
    path.write_text(json.dumps({"key": result.key if result.cacheable else "", "seed": result.seed, "student_id": result.student_id,
                                "assignment": result.assignment, "notebook": result.notebook, "notebook_file": job.notebook,
                                "notes": result.notes, "has_autograded": bool(result.autograded),
                                # the feedback's key names the autograded notebook by this, without reading it again
                                "autograded_sha256": hashlib.sha256(result.autograded.encode()).hexdigest() if result.autograded else "",
                                "submitted": result.submitted, "exchange": job.exchange,
                                "rows": [r.as_dict() for r in result.rows]}))


def _store_exchange(course_dir: Path, job: Job) -> None:
    """A re-submission of the same notebook (`nbgrader collect --update`) has a new secret and time but an unchanged
    result: record them with it, so that its feedback is released under the new secret."""
    path = _cache_path(course_dir, job)
    data = json.loads(path.read_text())
    data["exchange"] = job.exchange
    path.write_text(json.dumps(data))


def _crash_result(job: Job, exc: BaseException, sources: dict | None = None) -> Result:
    """A grader failure (not the student's): reported as 'crashed' for that notebook, the class goes on."""
    from autograde.plan import graded_cells
    import nbformat

    from autograde.grader import source_of

    msg = f"the grader failed on this notebook: {type(exc).__name__}: {exc}"[:500]
    cells = graded_cells(nbformat.reads(source_of(job, sources), as_version=4))
    rows = [GradeRow(job.student_id, job.assignment, Path(job.notebook).stem, c.grade_id, 0.0, c.points, "crashed", msg) for c in cells]
    return Result(job.student_id, job.assignment, Path(job.notebook).stem, rows, "", 0.0, "", job.seed, cacheable=False)


def _init_worker(sources: dict[str, str] | None = None) -> None:
    """Set up a worker process (a local pool's or a Dask worker): skip jsonschema's IRI grammar
    (:mod:`autograde.startup`: 3 s per process), and know the source notebooks, sent once per worker."""
    from autograde.startup import skip_iri_grammar

    skip_iri_grammar()
    if sources:
        from autograde import grader

        grader.register_sources(sources)


HOST_RETRY_WAITS = (2.0, 10.0)  # seconds before each retry of a job that failed for a host-side reason
HOST_STATUS = "host-error"       # ... and the status of one that failed every time: not graded, not the student's fault


def _host_failure(exc: BaseException) -> bool:
    """A failure of the grading host, not of the student or the grader: worth a retry, never a verdict."""
    from autograde.sandbox import HOST_ERRNOS, HostFailure

    return isinstance(exc, HostFailure) or (isinstance(exc, OSError) and exc.errno in HOST_ERRNOS)


def _host_failure_result(job: Job, exc: BaseException, attempts: int, sources: dict | None = None) -> Result:
    from autograde.plan import graded_cells
    import nbformat

    msg = (f"not graded: the grading machine failed {attempts} times on this notebook ({type(exc).__name__}: {exc}); "
           f"this is not the student's doing: grade again to grade it")[:500]
    from autograde.grader import source_of

    cells = graded_cells(nbformat.reads(source_of(job, sources), as_version=4))
    rows = [GradeRow(job.student_id, job.assignment, Path(job.notebook).stem, c.grade_id, 0.0, c.points, HOST_STATUS, msg) for c in cells]
    return Result(job.student_id, job.assignment, Path(job.notebook).stem, rows, "", 0.0, "", job.seed, cacheable=False)


IN_FLIGHT_PER_WORKER = 4   # jobs submitted ahead of the results: memory stays flat in the class size


@contextlib.contextmanager
def dask_client(opts: Options):
    """The run's Dask client (None without ``--scheduler``): one for the whole run, grading and feedback rendering.

    ``--scheduler local`` starts a LocalCluster of ``opts.workers`` processes; an address connects to a running
    scheduler. Every worker skips jsonschema's IRI grammar, as local workers do."""
    if not opts.scheduler:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    cluster = None
    if opts.scheduler == "local":  # any free port for the dashboard: two graders never collide
        cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    else:
        client = Client(opts.scheduler)
    try:
        client.run(_init_worker)
        if opts.use_sandbox:  # each worker says which sandbox it runs, or why none, before any job is sent
            from autograde.sandbox import announce_workers, check_available

            announce_workers(client.run(check_available, opts.sandbox, False))
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def bounded(submit, items, window: int, dask: bool = False):
    """Yield ``(item, future)`` as futures finish, with at most ``window`` submitted and unfinished at a time
    (``submit(item) -> future``; Dask futures with ``dask=True``): a class of 10,000 never has 10,000 futures,
    inputs or results in memory."""
    if dask:
        from distributed import wait as dask_wait

        def wait(fs, return_when):
            return dask_wait(fs, return_when=return_when)
    else:
        from concurrent.futures import wait
    from concurrent.futures import FIRST_COMPLETED

    items = iter(items)
    running = {}
    for item in items:
        running[submit(item)] = item
        if len(running) >= window:
            break
    while running:
        done, _ = wait(list(running), return_when=FIRST_COMPLETED)
        for fut in done:
            yield running.pop(fut), fut
            nxt = next(items, None)
            if nxt is not None:
                running[submit(nxt)] = nxt


def _dask_workers(client) -> int:
    try:
        return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()))
    except Exception:  # an old scheduler without the info: a small window is still right
        return 1


def _run_jobs(jobs: list[Job], opts: Options, on_result, client=None) -> None:
    """Grade ``jobs``, calling ``on_result`` as each finishes. A job that fails for a host-side reason
    (:func:`_host_failure`) is run again after a short wait, up to ``len(HOST_RETRY_WAITS)`` times; if it
    still fails, its rows say ``host-error``, and its result is not cacheable."""
    from autograde import grader

    sources = {j.source_sha: grader.source_of(j) for j in jobs}   # each source notebook travels once, not once per job
    light = [replace(j, source_text="") for j in jobs]
    pending, failed = light, []
    for attempt, wait in enumerate((0.0, *HOST_RETRY_WAITS)):
        if not pending:
            return
        if wait:
            print(f"autograde: {len(pending)} notebook(s) failed for a host-side reason ({str(failed[0][1])[:200]}); "
                  f"retrying in {wait:g} s", file=sys.stderr)
            time.sleep(wait)
        failed = []
        _run_round(pending, opts, on_result, failed, sources, client)
        pending = [job for job, _ in failed]
    for job, exc in failed:
        on_result(job, _host_failure_result(job, exc, 1 + len(HOST_RETRY_WAITS), sources))


def _run_round(jobs: list[Job], opts: Options, on_result, host_failed: list, sources: dict[str, str], client=None) -> None:
    """One pass over ``jobs``; those that fail for a host-side reason go to ``host_failed`` as (job, exception)."""
    from autograde.grader import grade_notebook

    if not jobs:
        return
    if client is not None:
        shared = client.scatter(sources, broadcast=True)   # once per worker, not once per job
        window = IN_FLIGHT_PER_WORKER * _dask_workers(client)
        for job, fut in bounded(lambda job: client.submit(grade_notebook, job, shared, pure=False), jobs, window, dask=True):
            try:
                result = fut.result()
            except Exception as exc:  # a worker lost, a grader bug: report it, go on
                if _host_failure(exc):
                    host_failed.append((job, exc))
                else:
                    on_result(job, _crash_result(job, exc, sources))
                continue
            on_result(job, result)
        return
    from concurrent.futures.process import BrokenProcessPool

    from autograde.startup import worker_context

    ctx = worker_context()
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
            workers = 1 if isolated else opts.workers
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(sources,)) as pool:
                def submit(job):
                    try:
                        return pool.submit(grade_notebook, job)
                    except BrokenProcessPool as exc:  # the pool broke under an earlier job: this one goes round again
                        fut = Future()
                        fut.set_exception(exc)
                        return fut

                for job, fut in bounded(submit, group, IN_FLIGHT_PER_WORKER * workers):
                    try:
                        result = fut.result()
                    except BrokenProcessPool as exc:
                        if isolated:
                            on_result(job, _crash_result(job, exc, sources))
                        else:
                            pending.append(job)
                        continue
                    except Exception as exc:
                        if _host_failure(exc):
                            host_failed.append((job, exc))
                        else:
                            traceback.print_exc(file=sys.stderr)
                            on_result(job, _crash_result(job, exc, sources))
                        continue
                    on_result(job, result)
        if not pending:
            return


def _sweep(run_tag: str) -> None:
    """Remove job folders (and their output tmpfs) that a worker killed mid-job left behind in this run."""
    import tempfile

    from autograde.sandbox import cleanup

    for job_dir in Path(tempfile.gettempdir()).glob(f"autograde-job-{run_tag}-*"):
        cleanup(job_dir)


def ensure_course(course_dir: Path, assignments: list[str]) -> list[str]:
    """The course directory is ready to grade ``assignments``: only what is missing is added (source
    notebooks, the assignment in the gradebook), nothing of the instructor's is changed, a conflicting
    course is refused (:func:`autograde.coursedir.prepare`). Returns warnings for the instructor."""
    from autograde import coursedir

    return coursedir.prepare(course_dir, assignments)


def grade_class(submissions: Path | None, course_dir: Path, opts: Options) -> Summary:
    """Grade a class. Every input is checked before anything is created (``submissions`` None: the
    course's ``submitted/``); the course directory is locked for the run (a second run refuses, or
    waits with ``opts.wait``); skipped folders and warnings go into the :class:`Summary`."""
    from autograde import coursedir, sandbox
    from autograde.reference import course_root

    t0 = time.monotonic()
    course_dir = Path(course_dir).resolve()
    submissions = coursedir.check_inputs(course_dir, submissions, opts.scheduler)
    if opts.use_sandbox and opts.scheduler in (None, "local"):  # a remote cluster's workers check for themselves
        sandbox.check_available(opts.sandbox)
    sources = _source_notebooks(course_root())
    limits = {**sandbox.Limits().as_dict(), **opts.limits}
    run_tag = f"{os.getpid()}x{secrets.token_hex(3)}"
    intake = discover(submissions, sources, opts.students, limits, opts.use_sandbox, run_tag, opts.seed, opts.sandbox)  # may refuse: nothing made yet
    course_dir.mkdir(parents=True, exist_ok=True)
    with coursedir.lock(course_dir, wait=opts.wait) as held:
        if held.waited:  # another run went first: the submissions may have changed meanwhile
            intake = discover(submissions, sources, opts.students, limits, opts.use_sandbox, run_tag, opts.seed, opts.sandbox)
        notes = ensure_course(course_dir, sorted({j.assignment for j in intake.jobs}))
        notes += quarantine(course_dir, submissions, intake.refused)
        partial = coursedir.settings(course_dir).partial_credit
        for job in intake.jobs:
            job.partial_credit = partial
        with dask_client(opts) as client:   # one client for the run: grading and feedback rendering
            summary = _grade_jobs(intake.jobs, submissions, course_dir, opts, run_tag, t0, client)
    summary.skipped, summary.warnings = intake.skipped, notes + intake.warnings + summary.warnings
    return summary


def _grade_jobs(jobs: list[Job], submissions: Path, course_dir: Path, opts: Options, run_tag: str, t0: float,
                client=None) -> Summary:
    """The run, under the course's lock: reuse unchanged results, grade the rest, record, rebuild the outputs."""
    from autograde import record, outputs, sandbox  # noqa: F401  (sandbox: for the steps below)

    results: list[Result] = []
    todo = []
    cached = 0
    for job in jobs:
        hit = None if opts.force else _cached(course_dir, job)
        if hit:
            if hit.exchange != job.exchange:
                _store_exchange(course_dir, job)
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
        # on disk now: keep only what the record needs (an autograded notebook is 50-400 KB; a class is thousands)
        result.autograded, result.long_written = "", {}
        fresh.append(result)
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"{result.student_id}/{result.notebook}")

    try:
        _run_jobs(todo, opts, on_result, client)
    finally:
        if bar is not None:
            bar.close()
        _sweep(run_tag)
    results.extend(fresh)
    # the gradebook is the record (cached results too: the gradebook may be newer than the cache), then
    # every output is rebuilt from it, manual grades from formgrader included
    recorded = record.write(course_dir, results, fresh={(r.student_id, r.assignment, r.notebook) for r in fresh},
                                timestamps={(j.student_id, j.assignment): j.timestamp for j in jobs if getattr(j, "timestamp", None)})
    from autograde.coursedir import apply_late_penalties

    apply_late_penalties(course_dir, [(r.assignment, r.student_id, r.notebook) for r in results if r.cacheable])
    built = outputs.rebuild(course_dir, workers=opts.workers, write_report=opts.report, client=client)
    return Summary(built.rows, len(todo), cached, time.monotonic() - t0, built.csv_path, built.report_path, late=built.late,
                   warnings=list(built.notes), rendered=built.rendered, recorded=recorded)
