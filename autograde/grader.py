"""Grading one notebook: the steps, in order, and the trusted scoring.

``grade_notebook(job)`` is a pure function of plain data (a :class:`Job`), so the same code runs in
a local process pool or on a Dask worker. Its steps, each small and tested on its own:

1. :func:`read_submission` — parse the untrusted file (size limit, JSON, nbformat); outputs dropped.
2. :func:`autograde.plan.make_plan` — the grading notebook from the SOURCE cells and the answers.
3. :func:`write_job` — the job folder: notebook, limits, and each graded name's cases (from the seed).
4. :func:`autograde.sandbox.run` — execute in the sandbox (or unsandboxed, for self-grading only).
5. :func:`score` — read the untrusted results, compare with the reference *here*, score each cell.
6. :func:`autograde.autograded.build` — the autograded notebook (nbgrader's ``autograded/`` file, for
   formgrader, and the source of the feedback, which :mod:`autograde.outputs` renders from it).

Order matters: the reference is compared only after the sandbox has finished (step 5), in this
process. Of the reference, the job folder holds only data: for a graded function that calls another,
what a correct callee answered on the caller's own cases (the stand-ins' table of
:mod:`autograde.isolation`, step 3), never code and never the caller's expected outputs.
"""
from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from autograde import autograded, isolation, sandbox
from autograde.plan import GradedCell, Plan, graded_cells, make_plan
from autograde.course import GradeRow
from autograde.items import get_item, items_of
from autograde.judge import judge
from autograde.reference import load_reference, reference_from
from autograde.sandboxed.wire import WireError, decode_array, encode_case, read_untrusted_json, write_json
from autograde.spec import case_rng

MAX_SUBMISSION_BYTES = 100 * 2**20
# worst first: the status of a cell with several graded names is the worst of theirs
STATUS_ORDER = ["tampered", "crashed", "timeout", "memory", "error", "invalid", "missing", "failed", "ok"]
GRADER_VERSION = "4"   # 3: written answers as safe HTML, outputs matched to the plan by index; 4: the source by digest
WRITTEN_DIR = ".autograde/written"   # the whole text of written answers too long for a page, per student


_SOURCES: dict[str, str] = {}   # source notebooks sent to this process once (a worker's), by sha256


def register_sources(sources: dict[str, str]) -> None:
    """Make the source notebooks (by sha256) known to this process, for jobs that name theirs by ``source_sha``."""
    _SOURCES.update(sources)


def source_of(job: "Job", sources: dict[str, str] | None = None) -> str:
    """A job's source notebook: carried, given, or sent to this process once (:func:`register_sources`)."""
    if job.source_text:
        return job.source_text
    found = (sources or {}).get(job.source_sha) or _SOURCES.get(job.source_sha)
    if found is None:
        raise KeyError(f"the source notebook {job.source_sha[:12]} of {job.assignment} was not sent to this worker")
    return found


@functools.lru_cache(maxsize=None)
def verdict_digest(assignment: str) -> str:
    """A hash of the code that decides a verdict: the notebook's items (cases, tolerances, mistakes),
    the comparison and the in-sandbox probes. Part of the re-grading key, so that a fix to a case, a
    tolerance or a mistake re-grades instead of reusing old verdicts."""
    import inspect

    from autograde import isolation, items, judge as judge_mod, spec
    from autograde.sandboxed import harness, probes, standins

    h = hashlib.sha256()
    for mod in (items.modules().get(assignment), spec, judge_mod, probes, harness, isolation, standins):
        if mod is not None:
            h.update(inspect.getsource(mod).encode() + b"\0")
    return h.hexdigest()


@dataclass
class Job:
    """Everything needed to grade one submitted notebook: plain data, picklable, no open files."""

    student_id: str
    assignment: str
    notebook: str                    # the source notebook's file name, e.g. "perceptron.ipynb"
    source_text: str                 # the source notebook (trusted); "" when it travels on its own (source_of)
    submission: bytes | None         # the submitted file, or None when nothing was handed in
    submitted_name: str | None = None
    problem: str = ""                # why nothing usable came (missing / ambiguous / refused files)
    problem_status: str = "missing"  # ... and the status that says so ("missing" or "invalid")
    run_tag: str = ""                # names this run's job folders, so a run can sweep what a dead worker left
    limits: dict = field(default_factory=dict)
    seed: int = 0
    use_sandbox: bool = True
    sandbox: str = "auto"            # the sandbox mode asked for (autograde.sandbox.MODES), resolved where the job runs
    # when it was handed in (nbgrader's timestamp.txt), a naive UTC datetime as nbgrader stores it; None: not known.
    # Not part of key(): the time changes no verdict; the gradebook records it and applies the late policy.
    timestamp: datetime.datetime | None = None
    # nbgrader's exchange files of the submission folder, as handed in (``timestamp.txt``, ``submission_secret.txt``):
    # `nbgrader release_feedback` reads both beside the feedback. Not part of key() either.
    exchange: dict = field(default_factory=dict)
    submitted: bool = True           # False: no folder for this assignment at all (a non-submission, as in nbgrader)
    partial_credit: bool = True      # the course's rule for a test cell that checks several functions (see score_cell)
    source_sha: str = ""             # sha256 of the source notebook: how a job names it without carrying it

    def __post_init__(self):
        if self.source_text and not self.source_sha:
            self.source_sha = hashlib.sha256(self.source_text.encode()).hexdigest()

    def key(self) -> str:
        """Content hash: re-grading is skipped when none of this changed."""
        h = hashlib.sha256()
        for part in (GRADER_VERSION, verdict_digest(self.assignment), self.source_sha, repr(sorted(self.limits.items())),
                     self.problem, self.submitted_name or "", str(self.use_sandbox), str(self.submitted),
                     str(self.partial_credit)):
            h.update(part.encode() + b"\0")
        h.update(self.submission or b"<none>")
        return h.hexdigest()


@dataclass
class Result:
    """One graded notebook: plain data sent back from a worker to the one process that records it."""

    student_id: str
    assignment: str
    notebook: str
    rows: list[GradeRow]
    autograded: str              # the autograded notebook (JSON) for formgrader and feedback; "" when nothing ran
    seconds: float
    key: str = ""
    seed: int = 0
    notes: str = ""              # facts about the submission worth telling (renamed file, missing cells, ...)
    cacheable: bool = True       # False for a host-side failure: never reused as the student's result
    # the whole text of each written answer too long for a page (grade id -> text), kept in the course
    # directory at :func:`written_path` by the one process that records results
    long_written: dict[str, str] = field(default_factory=dict)
    submitted: bool = True       # False: nothing was handed in (no gradebook submission, no autograded notebook, no feedback)
    exchange: dict = field(default_factory=dict)   # the job's exchange files, as recorded with this result


class InvalidSubmission(ValueError):
    pass


# what a submission may hold, checked before anything costly is built from it (a notebook of 2 million
# one-character cells once took 737 s and 15.7 GB in nbformat, the plan and the job folder)
MAX_JSON_VALUES = 500_000        # JSON values of every kind (a 2,000-cell notebook with outputs has ~50,000)
MAX_JSON_DEPTH = 64              # nesting (a notebook's is under 10)
MAX_CELLS = 2_000
MAX_CELL_SOURCE = 2**20          # characters of one cell's code or text
MAX_TOTAL_SOURCE = 8 * 2**20     # ... and of all cells together (outputs are dropped, so they do not count)
_JSON_TOKEN = re.compile(r'["\[\]{},]')
_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_json_shape(text: str) -> None:
    """Count the values and the nesting of a JSON text without building it, and stop at the limits.

    Each value but the first follows a ``[``, ``{`` or ``,``, so counting those (strings skipped with
    json's own scanner) bounds the values; the walk stops as soon as a limit is passed, so its cost is
    bounded too (3 s for 500,000 values on a loaded 2-core machine), whatever the file holds.
    """
    values, depth, pos = 1, 0, 0
    search, scanstring = _JSON_TOKEN.search, json.decoder.scanstring
    while (m := search(text, pos)) is not None:
        ch = m.group()
        if ch == '"':
            try:
                pos = scanstring(text, m.end())[1]
            except ValueError as exc:
                raise InvalidSubmission(f"not a valid notebook (expected Jupyter notebook JSON): {str(exc)[:200]}") from None
            continue
        pos = m.end()
        if ch in "]}":
            depth -= 1
            continue
        values += 1
        if ch != ",":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise InvalidSubmission(f"not a valid notebook: its JSON is nested more than {MAX_JSON_DEPTH} levels deep")
        if values > MAX_JSON_VALUES:
            raise InvalidSubmission(f"the notebook holds more than {MAX_JSON_VALUES:,} JSON values (cells, lines, outputs); "
                                    "a notebook for this course has far fewer: clear its outputs and hand it in again")


def _text_size(value) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(len(v) if isinstance(v, str) else 0 for v in value)
    return 0


def read_submission(data: bytes) -> nbformat.NotebookNode:
    """Parse an untrusted notebook file; outputs are dropped (they are never trusted nor needed).

    The work is bounded before it is done: file size, then the JSON's values and depth
    (:func:`_check_json_shape`), then cells and their sizes on the plain JSON, and only then nbformat,
    on the notebook without its outputs.
    """
    if len(data) > MAX_SUBMISSION_BYTES:
        raise InvalidSubmission(f"the file is {len(data) / 2**20:.0f} MB, over the {MAX_SUBMISSION_BYTES // 2**20} MB limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSubmission(f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    _check_json_shape(text)
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidSubmission(f"not a valid notebook (expected Jupyter notebook JSON): {str(exc).splitlines()[0][:200]}") from None
    del text
    if not isinstance(raw, dict):
        raise InvalidSubmission("not a valid notebook: it has no list of cells")
    cells = raw.get("cells")
    if cells is None and isinstance(raw.get("worksheets"), list):  # nbformat 3
        cells = [c for ws in raw["worksheets"] if isinstance(ws, dict) and isinstance(ws.get("cells"), list) for c in ws["cells"]]
    if not isinstance(cells, list):
        raise InvalidSubmission("not a valid notebook: it has no list of cells")
    if len(cells) > MAX_CELLS:
        raise InvalidSubmission(f"the notebook has {len(cells):,} cells, over the limit of {MAX_CELLS:,}")
    total = 0
    for cell in cells:
        if not isinstance(cell, dict):
            raise InvalidSubmission("not a valid notebook: a cell is not an object")
        size = _text_size(cell.get("source", cell.get("input")))
        if size > MAX_CELL_SOURCE:
            raise InvalidSubmission(f"a cell holds {size:,} characters, over the limit of {MAX_CELL_SOURCE:,}")
        total += size
        if "outputs" in cell:
            cell["outputs"] = []
        cell.pop("attachments", None)
        src = cell.get("source")
        if isinstance(src, list):
            src = cell["source"] = "".join(s for s in src if isinstance(s, str))
        if isinstance(src, str) and _SURROGATE.search(src):  # a lone "\ud800" escape: no UTF-8 file could hold it
            cell["source"] = _SURROGATE.sub("\ufffd", src)
    if total > MAX_TOTAL_SOURCE:
        raise InvalidSubmission(f"the cells hold {total:,} characters, over the limit of {MAX_TOTAL_SOURCE:,}")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as exc:  # nbformat raises several kinds for JSON that is not a notebook
        raise InvalidSubmission(f"not a valid notebook (expected Jupyter notebook JSON): {str(exc).splitlines()[0][:200]}") from None
    if not isinstance(nb.get("cells"), list):
        raise InvalidSubmission("not a valid notebook: it has no list of cells")
    for cell in nb.cells:
        if not isinstance(cell, dict):
            raise InvalidSubmission("not a valid notebook: a cell is not an object")
        if "outputs" in cell:
            cell["outputs"] = []
    return nb


def write_job(job_dir: Path, plan: Plan, seed: int, limits: sandbox.Limits, reference=None) -> dict[str, list]:
    """Write the job folder the sandbox sees (inputs, and the stand-ins' tables of isolation) and return the
    trusted copy of the cases. ``reference`` (default: the repository's) answers for the callees."""
    (job_dir / "in" / "cases").mkdir(parents=True)
    # the plan's notebook was built from a validated submission and the source: written as JSON, without
    # nbformat's second schema validation of every cell
    (job_dir / "in" / "notebook.ipynb").write_text(json.dumps(plan.notebook, ensure_ascii=False))
    write_json(job_dir / "in" / "limits.json", limits.as_dict())
    cases = {}
    for cell in plan.graded:
        for name in cell.names:
            item = get_item(name)
            cases[name] = item.cases(case_rng(seed, name))
            spec = {"name": name, "probe": item.probe, "callable": item.callable_answer,
                    "cases": [encode_case(c) for c in cases[name]]}
            table = isolation.tables(item, cases[name], reference if reference is not None else load_reference(item.notebook))
            if table is not None:
                spec["isolation"] = table
            write_json(job_dir / "in" / "cases" / f"{name}.json", spec)
    (job_dir / "in" / "ready").touch()   # last: a sandbox started before its job (sandbox.Early) waits for it
    return cases


def _answer_errors(summary: dict) -> str:
    bad = [f"{c.get('key')} ({c['error'].get('ename')})" for c in summary.get("cells", [])
           if c.get("role") == "answer" and isinstance(c.get("error"), dict)]
    return f"; answer cells that raised: {', '.join(bad[:3])}" if bad else ""


def _undefined(name: str, answer_gid: str | None, summary: dict) -> tuple[str, str]:
    """(status, message) for a graded name the student's namespace lacks: why its answer cell failed."""
    cell = next((c for c in summary.get("cells", []) if c.get("role") == "answer" and c.get("key") == answer_gid), None)
    err = cell.get("error") if cell else None
    if not isinstance(err, dict):
        return "failed", f"{name} is not defined (is its answer cell {answer_gid!r} still there, and does it define {name}?)"
    ename, evalue = str(err.get("ename"))[:80], str(err.get("evalue"))[:300]
    status = {"NotImplementedError": "failed", "MemoryError": "memory", "CellTimeoutError": "timeout",
              "DeadKernelError": "crashed"}.get(ename, "error")
    if ename == "NotImplementedError":
        return status, f"{name} is not implemented yet (its answer cell raises NotImplementedError)"
    return status, f"{name} is not defined: its answer cell {answer_gid!r} raised {ename}: {evalue}"


def _missing_result(name: str, gid: str, summary: dict, run: sandbox.RunInfo, limits: sandbox.Limits) -> tuple[str, str]:
    """Why no result came back for ``name``: from what the trusted side saw first, then the summary."""
    cell = next((c for c in summary.get("cells", []) if c.get("role") == "test" and c.get("key") == gid), None)
    if run.oom_killed:
        return "memory", f"the notebook was killed at the {limits.memory_mb} MB memory limit before this test finished"
    if run.timed_out and (cell is None or cell.get("error")):
        return "timeout", f"the notebook ran over its {limits.notebook_timeout:g} s limit before this test finished"
    died = summary.get("kernel_died")
    if isinstance(died, int) and cell is None:
        return "crashed", f"the kernel died (cell {died} of the grading notebook) before this test ran{_answer_errors(summary)}"
    if cell is not None and isinstance(cell.get("error"), dict):
        ename, evalue = str(cell["error"].get("ename"))[:80], str(cell["error"].get("evalue"))[:300]
        if ename == "CellTimeoutError":
            return "timeout", f"the test ran over the {limits.cell_timeout:g} s cell limit"
        if ename == "MemoryError":
            return "memory", "MemoryError: the memory limit was hit"
        if ename == "DeadKernelError":
            return "crashed", "the kernel died while this test ran"
        return "error", f"the test cell raised {ename}: {evalue}"
    tail = [ln for ln in run.stderr_tail.strip().splitlines() if ln.strip() and "WARNING" not in ln][-1:]
    why = f"exit code {run.returncode}{': ' + tail[0][:200] if tail else ''}"
    if cell is None and not summary.get("cells"):
        return "crashed", f"the notebook did not run ({why})"
    if cell is None:
        return "crashed", f"the run stopped before this test ({why}){_answer_errors(summary)}"
    return "tampered", "the test ran but no result came back: code in the notebook interfered with the grader"


@dataclass
class NameVerdict:
    """The trusted verdict on one graded name of one submission."""

    status: str
    message: str = ""
    diagnosis: str = ""      # the id of the known mistake it reproduces, if exactly one does
    says: str = ""           # ... and that mistake's sentence
    calls: list = field(default_factory=list)          # per case: the stand-ins' notes (untrusted), see autograde.isolation
    failed_cases: list = field(default_factory=list)   # the indices of the failing cases


def score_name(name: str, gid: str, trusted_cases: list, reference, out_dir: Path, summary: dict,
               run: sandbox.RunInfo, limits: sandbox.Limits, answer_gid: str | None = None) -> NameVerdict:
    """The verdict on one graded name: the student's untrusted arrays against the reference, here."""
    item = get_item(name)
    try:
        res = read_untrusted_json(out_dir / "results" / f"{name}.json", root=out_dir)
    except WireError as exc:
        return NameVerdict("tampered", f"{name}: the result file was tampered with ({exc})")
    if res is None:
        status, msg = _missing_result(name, gid, summary, run, limits)
        return NameVerdict(status, f"{name}: {msg}")
    got: list = []           # per case: arrays, or the message of what the answer did instead
    calls: list = []         # per case: where the student's own callees answered (isolation notes; untrusted)
    first_status = ""
    try:
        if not isinstance(res, dict) or res.get("name") != name or not isinstance(res.get("cases"), list):
            raise WireError("it does not have the harness's structure")
        if len(res["cases"]) > len(trusted_cases):
            raise WireError(f"it holds {len(res['cases'])} cases, the grader sent {len(trusted_cases)}")
        for case, one in zip(trusted_cases, res["cases"]):
            if not isinstance(one, dict):
                raise WireError("a case result is not an object")
            status = one.get("status")
            message = str(one.get("message", ""))[:300]
            calls.append(one.get("calls") if isinstance(one.get("calls"), dict) else {})
            if status == "ok":
                outputs = one.get("outputs")
                if not isinstance(outputs, list) or len(outputs) > 16:
                    raise WireError("outputs must be a short list of arrays")
                got.append([decode_array(o) for o in outputs])
            elif status == "notimpl":
                return NameVerdict("failed", f"{name}: {message or 'not implemented yet'}", calls=calls,
                                   failed_cases=[len(calls) - 1])
            elif status == "missing":
                status, message = _undefined(name, answer_gid, summary)
                return NameVerdict(status, f"{name}: {message}")
            elif status == "timeout" and not (run.timed_out or run.wall_seconds >= limits.cell_timeout):
                # a cell time-out takes at least cell_timeout seconds: a quicker "timeout" was written, not lived
                return NameVerdict("tampered", f"{name}: the results claim a time-out the grader did not see")
            elif status in ("timeout", "memory"):
                return NameVerdict(status, f"{name}: {case.label}: {message}")
            elif status in ("failed", "error"):  # this case's verdict: the answer raised, or returned no numbers
                got.append(message)
                first_status = first_status or status
            else:
                raise WireError(f"unknown case status {str(status)[:40]!r}")
        if len(res["cases"]) < len(trusted_cases) or not res.get("complete"):
            status, msg = _missing_result(name, gid, summary, run, limits)
            return NameVerdict(status, f"{name}: only {len(res['cases'])} of {len(trusted_cases)} cases came back: {msg}")
    except WireError as exc:
        return NameVerdict("tampered", f"{name}: the result file was tampered with ({exc})")
    verdict = judge(item, trusted_cases, got, getattr(reference, name))
    if verdict.ok:
        return NameVerdict("ok", calls=calls)
    mistake = verdict.diagnosis
    return NameVerdict(first_status or "failed", verdict.text(name), mistake.id if mistake else "", mistake.says if mistake else "",
                       calls, verdict.failed_at)


def _blame_earlier(names: list[str], by_name: dict[str, "NameVerdict"], plan: Plan) -> None:
    """A failure that the student's own (failing) callee caused says so (see :func:`autograde.isolation.explain`)."""
    isolation.explain(names, by_name, plan)


ERROR_OUTPUT_BYTES = 50_000   # the client keeps an error output beside the output limit: 20 lines of 2,000 characters


def executed_limit(plan: Plan, limits: sandbox.Limits) -> int:
    """The largest executed notebook an honest run writes (:func:`autograde.sandboxed.client.write_executed`, compact):
    the notebook the grader sent, its output limit, one error output per cell (kept beside that limit) and 1 MiB
    (execution times, prompts); at most
    :data:`autograde.autograded.MAX_EXECUTED_BYTES`."""
    nb = plan.notebook
    sent = len(nbformat.writes(nb, split_lines=False, indent=None).encode())
    return min(autograded.MAX_EXECUTED_BYTES, sent + limits.output_bytes + ERROR_OUTPUT_BYTES * len(nb.cells) + 2**20)


def read_executed(out_dir: Path, plan: Plan, limits: sandbox.Limits):
    """The executed grading notebook the sandbox wrote (untrusted JSON), or None when it is missing or unusable.

    The file is the student's to forge (its code shares the client's uid), so what it may cost is bounded
    by what an honest run can write (:func:`executed_limit`). Only its outputs are used
    (:func:`autograded.executed_outputs`).
    """
    limit = executed_limit(plan, limits)
    try:
        return read_untrusted_json(out_dir / "executed.ipynb", limit, root=out_dir)
    except WireError:
        return None


def written_path(student_id: str, assignment: str, notebook: str, grade_id: str) -> str:
    """Where the whole text of a long written answer is kept, relative to the course directory."""
    return f"{WRITTEN_DIR}/{student_id}/{assignment}/{notebook}/{grade_id}.txt"


def _kept_at(job: "Job", plan: Plan) -> dict[str, str]:
    from autograde import written

    nb = Path(job.notebook).stem
    return {gid: written_path(job.student_id, job.assignment, nb, gid)
            for gid, text in plan.written.items() if len(text) > written.MAX_SHOWN}


def score_cell(points: float, passed: list[bool], partial_credit: bool = True) -> tuple[float, str]:
    """A test cell's score from its graded functions' verdicts, and a note on the rule when it decided the score.

    With partial credit (the kit's default), each passing function earns its share of the cell's points: 2 of 3 right
    give 2/3 of them. Without it (a course's ``c.NNCourse.partial_credit = False``), nbgrader's own rule: all the
    points when every function passes, else none.
    """
    if not passed:
        return 0.0, ""
    k, n = sum(passed), len(passed)
    if k == n:
        return float(points), ""
    if partial_credit:
        return round(points * k / n, 6), (f"partial credit: {k} of the {n} functions this cell checks are right, {k}/{n} of "
                                          f"its points" if k else "")
    return 0.0, f"all or nothing (this course's rule): {k} of the {n} functions this cell checks are right" if k else ""


def _unrun(source, rows) -> str:
    """The autograded notebook of a submission that could not run (missing, invalid): the source's cells, no
    answers, and the reason as each test's verdict, so formgrader still lists and opens it (a missing file
    sends nbgrader's formgrader to a broken 404 template: HTTP 500)."""
    from autograde import autograded

    return nbformat.writes(autograded.build(source, make_plan(source, None), None, rows))


def _rows_for_all(job: Job, graded: list[GradedCell], status: str, message: str) -> list[GradeRow]:
    return [GradeRow(job.student_id, job.assignment, Path(job.notebook).stem, c.grade_id, 0.0, c.points,
                     "manual" if c.manual and status not in ("invalid", "missing") else status, message) for c in graded]


def grade_notebook(job: Job, sources: dict[str, str] | None = None, early: sandbox.Early | None = None) -> Result:
    """Grade one submitted notebook (runs in a worker process or on a Dask worker). ``sources`` maps source notebook
    digests to their text, for a job that does not carry its own (sent once per worker, not once per job).
    ``early``: a sandbox already started for this job (``autograde self``), used when its limits are the job's and
    withdrawn otherwise."""
    t0 = time.monotonic()
    limits = sandbox.Limits(**job.limits)
    if early is not None and not (job.use_sandbox and early.limits == limits and early.requested == job.sandbox):
        early.cancel()
        early = None
    try:
        return _grade(job, sources, early, limits, t0)
    finally:
        if early is not None:   # withdrawn if the job never reached it (say, an invalid submission); folder removed
            early.cancel()


def _grade(job: Job, sources: dict[str, str] | None, early: sandbox.Early | None, limits: sandbox.Limits,
           t0: float) -> Result:
    from autograde import autograded

    source = nbformat.reads(source_of(job, sources), as_version=4)
    graded = graded_cells(source)
    nb_stem = Path(job.notebook).stem
    if job.submission is None:
        rows = _rows_for_all(job, graded, job.problem_status, job.problem or f"no {job.notebook} was submitted")
        if not job.submitted:  # a non-submission stays one: no autograded notebook, hence no formgrader page or feedback
            return Result(job.student_id, job.assignment, nb_stem, rows, "", time.monotonic() - t0, job.key(), job.seed,
                          job.problem, submitted=False)
        return Result(job.student_id, job.assignment, nb_stem, rows, _unrun(source, rows), time.monotonic() - t0, job.key(), job.seed, job.problem)
    try:
        submission = read_submission(job.submission)
    except InvalidSubmission as exc:
        rows = _rows_for_all(job, graded, "invalid", str(exc))
        return Result(job.student_id, job.assignment, nb_stem, rows, _unrun(source, rows), time.monotonic() - t0, job.key(), job.seed, job.problem)

    try:
        plan = make_plan(source, submission)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # cells of the wrong types, and the like
        rows = _rows_for_all(job, graded, "invalid", f"not a valid notebook: {type(exc).__name__}: {str(exc)[:200]}")
        return Result(job.student_id, job.assignment, nb_stem, rows, _unrun(source, rows), time.monotonic() - t0, job.key(), job.seed, job.problem)
    work = early.work if early is not None else \
        Path(tempfile.mkdtemp(prefix=f"autograde-job-{job.run_tag}-" if job.run_tag else "autograde-job-"))
    try:
        reference = reference_from(source, job.assignment)
        cases = write_job(work, plan, job.seed, limits, reference)
        if early is not None:
            run = early.wait()
        elif job.use_sandbox:
            run = sandbox.run_job(work, limits, job.sandbox)  # full mode: in a free slot, within the host's memory budget
        else:
            run = sandbox.run_unsandboxed(work, limits)
        try:
            summary = read_untrusted_json(work / "out" / "summary.json", root=work / "out") or {}
        except WireError:
            summary = {}
        if not isinstance(summary, dict) or not isinstance(summary.get("cells", []), list):
            summary = {}
        summary["cells"] = [c for c in summary.get("cells", []) if isinstance(c, dict)]
        host = sandbox.host_failure(run, summary)
        if host:  # not the student's doing: the class retries this job, and never scores or caches it
            raise sandbox.HostFailure(host)
        rows = []
        notes = "; ".join(plan.notes)
        if job.submitted_name and job.submitted_name != job.notebook:
            notes = "; ".join(filter(None, [f"graded {job.submitted_name!r} in place of the expected {job.notebook!r}", notes]))
        by_name: dict[str, NameVerdict] = {}
        for cell in graded:
            if cell.manual:
                answer = plan.written.get(cell.grade_id, "")
                unanswered = not answer.strip() or answer.strip() == "YOUR ANSWER HERE"
                rows.append(GradeRow(job.student_id, job.assignment, nb_stem, cell.grade_id, 0.0, cell.points, "manual",
                                     "unanswered" if unanswered else "written answer: graded by hand"))
                continue
            for n in cell.names:
                by_name[n] = score_name(n, cell.grade_id, cases[n], reference, work / "out", summary, run, limits,
                                        plan.defined_in.get(n))
            _blame_earlier(cell.names, by_name, plan)
            verdicts = [by_name[n] for n in cell.names]
            score, rule = score_cell(cell.points, [v.status == "ok" for v in verdicts], job.partial_credit)
            status = min((v.status for v in verdicts), key=STATUS_ORDER.index) if verdicts else "error"
            message = " | ".join(filter(None, [rule] + [v.message for v in verdicts if v.status != "ok"]))
            if notes and status != "ok":
                message = f"{message} (note: {notes})"
            diagnosis = ";".join(v.diagnosis for v in verdicts if v.diagnosis)
            rows.append(GradeRow(job.student_id, job.assignment, nb_stem, cell.grade_id, score, cell.points, status,
                                 message[:1000], diagnosis))
        outputs = autograded.executed_outputs(read_executed(work / "out", plan, limits), len(plan.notebook.cells),
                                              budget=limits.output_bytes)
        graded_nb = autograded.build(source, plan, outputs, rows, kept_at=_kept_at(job, plan))
    finally:
        if early is None:   # an early sandbox's folder goes with it (grade_notebook)
            sandbox.cleanup(work)
    from autograde import written

    long_written = {gid: text for gid, text in plan.written.items() if len(text) > written.MAX_SHOWN}
    return Result(job.student_id, job.assignment, nb_stem, rows, nbformat.writes(graded_nb), time.monotonic() - t0,
                  job.key(), job.seed, notes, long_written=long_written)
