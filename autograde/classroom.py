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

import json
import os
import secrets
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


def discover(submissions: Path, sources: dict[str, Path], students: list[str] | None, limits: dict,
             use_sandbox: bool) -> list[Job]:
    """One job per student and source notebook of every assignment anyone submitted."""
    if not submissions.is_dir():
        raise FileNotFoundError(f"expected a folder of submissions laid out as SUBMISSIONS/<student>/<assignment>/*.ipynb, got {submissions}")
    student_dirs = sorted(p for p in submissions.iterdir() if p.is_dir() and not p.name.startswith("."))
    if students:
        unknown = sorted(set(students) - {p.name for p in student_dirs})
        if unknown:
            raise ValueError(f"no submission folder for student(s) {unknown} in {submissions}")
        student_dirs = [p for p in student_dirs if p.name in students]
    submitted = {a for s in student_dirs for a in sources if (s / a).is_dir()}
    if not submitted:
        raise ValueError(f"no folder of a known assignment ({', '.join(sources)}) under any student in {submissions}")
    jobs = []
    for sdir in student_dirs:
        for assignment in sorted(submitted):
            src = sources[assignment]
            folder = sdir / assignment
            data, name, problem = None, None, ""
            expected = folder / src.name
            present = sorted(p for p in folder.glob("*.ipynb") if p.is_file()) if folder.is_dir() else []
            if expected.is_file() and not expected.is_symlink():
                data, name = expected.read_bytes(), src.name
            elif len(present) == 1 and not present[0].is_symlink():
                data, name = present[0].read_bytes(), present[0].name
            elif not folder.is_dir():
                problem = f"no folder {assignment}/ was submitted"
            elif not present:
                problem = f"the folder {assignment}/ holds no notebook (expected {src.name})"
            else:
                problem = f"expected {src.name}; found several other notebooks ({', '.join(p.name for p in present[:5])}) and cannot tell which to grade"
            jobs.append(Job(sdir.name, assignment, src.name, src.read_text(), data, name, problem, limits,
                            secrets.randbelow(2**31), use_sandbox))
    return jobs


def _cache_path(course_dir: Path, job: Job) -> Path:
    return course_dir / CACHE_DIR / "cache" / job.student_id / job.assignment / (Path(job.notebook).stem + ".json")


def _feedback_path(course_dir: Path, student: str, assignment: str, notebook: str) -> Path:
    return course_dir / "feedback" / student / assignment / f"{notebook}.html"


def _cached(course_dir: Path, job: Job) -> Result | None:
    path = _cache_path(course_dir, job)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("key") != job.key():
        return None
    fb = _feedback_path(course_dir, job.student_id, job.assignment, Path(job.notebook).stem)
    if not fb.exists():
        return None
    rows = [GradeRow(**r) for r in data["rows"]]
    return Result(job.student_id, job.assignment, Path(job.notebook).stem, rows, "", 0.0, data["key"], data.get("seed", 0))


def _store(course_dir: Path, job: Job, result: Result) -> None:
    fb = _feedback_path(course_dir, result.student_id, result.assignment, result.notebook)
    fb.parent.mkdir(parents=True, exist_ok=True)
    fb.write_text(result.feedback_html)
    path = _cache_path(course_dir, job)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"key": result.key, "seed": result.seed, "rows": [asdict(r) for r in result.rows]}))


def _crash_result(job: Job, exc: BaseException) -> Result:
    """A grader failure (not the student's): reported as 'crashed' for that notebook, the class goes on."""
    from autograde.assemble import graded_cells
    import nbformat

    msg = f"the grader failed on this notebook: {type(exc).__name__}: {exc}"[:500]
    cells = graded_cells(nbformat.reads(job.source_text, as_version=4))
    rows = [GradeRow(job.student_id, job.assignment, Path(job.notebook).stem, c.grade_id, 0.0, c.points, "crashed", msg) for c in cells]
    return Result(job.student_id, job.assignment, Path(job.notebook).stem, rows, f"<p>{msg}</p>", 0.0, "", job.seed)


def _write_gradebook(course_dir: Path, results: list[Result]) -> None:
    """Record scores in the nbgrader gradebook (this process only)."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings(), Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission warns on SQLAlchemy 2 (harmless, see NBGRADER-NOTES)
        for res in results:
            gb.update_or_create_student(res.student_id)
            try:
                gb.find_submission(res.assignment, res.student_id)
            except MissingEntry:
                gb.add_submission(res.assignment, res.student_id)
            for row in res.rows:
                try:
                    grade = gb.find_grade(row.grade_id, row.notebook, res.assignment, res.student_id)
                except MissingEntry:
                    continue
                if row.status == "manual":
                    grade.auto_score = None if row.message != "unanswered" else 0.0
                    grade.needs_manual_grade = row.message != "unanswered"
                else:
                    grade.auto_score = row.score
                    grade.needs_manual_grade = False
        gb.db.commit()


def _init_worker() -> None:
    sys.modules.setdefault("rfc3987_syntax", None)  # see autograde.sandbox_client: 0.76 s per process saved


def _run_jobs(jobs: list[Job], opts: Options, on_result) -> None:
    from autograde.grader import grade_notebook

    if not jobs:
        return
    if opts.scheduler:
        from dask.distributed import Client, LocalCluster, as_completed as dask_completed

        cluster = None
        if opts.scheduler == "local":
            cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True, dashboard_address=None)
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

    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=opts.workers, mp_context=ctx, initializer=_init_worker) as pool:
        futures = {pool.submit(grade_notebook, job): job for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                on_result(job, fut.result())
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                on_result(job, _crash_result(job, exc))


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
    from autograde import report, sandbox
    from autograde.reference import course_root

    if opts.use_sandbox:
        sandbox.check_available()
    t0 = time.monotonic()
    course_dir.mkdir(parents=True, exist_ok=True)
    sources = _source_notebooks(course_root())
    limits = {**sandbox.Limits().as_dict(), **opts.limits}
    jobs = discover(submissions, sources, opts.students, limits, opts.use_sandbox)
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
    results.extend(fresh)
    _write_gradebook(course_dir, results)  # cached results too: the gradebook may be newer than the cache
    rows = sorted((r for res in results for r in res.rows), key=lambda r: (r.student_id, r.assignment, r.notebook))
    if opts.students:  # one student re-graded: keep everyone else's rows in grades.csv
        old = course.read_csv(course_dir / "grades.csv") if (course_dir / "grades.csv").exists() else []
        rows = sorted([r for r in old if r.student_id not in opts.students] + rows,
                      key=lambda r: (r.student_id, r.assignment, r.notebook))
    csv_path = course.write_csv(rows, course_dir / "grades.csv")
    report_path = report.write(rows, course_dir / "report.html")
    return Summary(rows, len(todo), cached, time.monotonic() - t0, csv_path, report_path)
