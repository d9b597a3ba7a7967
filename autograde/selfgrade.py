"""``autograde self``: a self-learner's grade in seconds, for one notebook or a folder of them.

    autograde self work/01_perceptron/perceptron.ipynb     (one notebook: each question, and its feedback page)
    autograde self work/                                   (every notebook of the course in the folder: a progress table)

The same grading as a class (:func:`autograde.grader.grade_notebook`: the plan from the source notebook, the
sandbox, the trusted comparison, the known mistakes), without what only a class needs: no nbgrader course, no
gradebook, no report. Each notebook's feedback page is written beside it (``perceptron.feedback.html``).
A written answer waits for a reader: it counts in no score here.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograde.course import GradeRow


@dataclass
class SelfResult:
    path: Path
    assignment: str
    rows: list[GradeRow]
    feedback: Path | None
    seconds: float
    notes: str = ""
    problem: str = ""                       # why it could not be graded (not a notebook, ...), else ""
    mistakes: list[tuple[str, str]] = field(default_factory=list)   # (question, known mistake id) the grader named

    @property
    def auto(self) -> list[GradeRow]:
        from autograde.report import is_written

        return [r for r in self.rows if not is_written(r)]

    def status(self) -> str:
        auto = self.auto
        if self.problem:
            return "not graded"
        if auto and all(r.status == "ok" for r in auto):
            return "done"
        if auto and all(r.status != "ok" and "not implemented" in r.message for r in auto):
            return "not started"
        left = [r.grade_id for r in auto if r.status != "ok"]
        return f"{len(left)} left: {', '.join(left[:4])}{', ...' if len(left) > 4 else ''}"


def assignments_by_notebook() -> dict[str, str]:
    """The course's source notebook file names -> their assignment ("perceptron.ipynb" -> "01_perceptron")."""
    from autograde import course
    from autograde.reference import course_root, source_notebook

    return {source_notebook(a).name: a for a in course.assignments(course_root())}


def find(path: Path, assignment: str | None = None) -> tuple[list[tuple[Path, str]], list[str]]:
    """The notebooks to grade under ``path`` (a notebook, or a folder searched for the course's notebooks by name),
    each with its assignment; and notes on notebooks found but not the course's. Raises ValueError saying what was
    expected when there is nothing to grade."""
    names = assignments_by_notebook()
    if path.is_file():
        a = assignment or names.get(path.name) or (path.parent.name if path.parent.name in names.values() else None)
        if a is None:
            raise ValueError(f"cannot tell which assignment {path.name} is; expected one of {sorted(names)} or pass "
                             f"--assignment (one of {sorted(names.values())})")
        if a not in names.values():
            raise ValueError(f"no assignment {a!r}; expected one of {sorted(names.values())}")
        return [(path, a)], []
    if not path.is_dir():
        raise ValueError(f"no notebook or folder at {path}")
    found, notes = [], []
    for nb in sorted(path.rglob("*.ipynb")):
        if any(part.startswith(".") for part in nb.relative_to(path).parts):
            continue   # .ipynb_checkpoints and other hidden copies
        if nb.name in names:
            found.append((nb, names[nb.name]))
        else:
            notes.append(f"{nb.relative_to(path)}: not a notebook of the course (expected one of {', '.join(sorted(names))})")
    if not found:
        raise ValueError(f"no notebook of the course in {path} (looked for {', '.join(sorted(names))})")
    return found, notes


def grade_one(path: Path, assignment: str, limits: dict, use_sandbox: bool, mode: str = "auto", early=None) -> SelfResult:
    """Grade one notebook as the class is graded, and write its feedback page beside it. ``early``: a sandbox
    already started for it (:class:`autograde.sandbox.Early`)."""
    import nbformat

    from autograde import feedback, grader, outputs
    from autograde.intake import _read_regular
    from autograde.reference import source_notebook
    from autograde.sandbox import Limits

    t0 = time.monotonic()
    source = source_notebook(assignment)
    try:
        data = _read_regular(path, grader.MAX_SUBMISSION_BYTES)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return SelfResult(path, assignment, [], None, time.monotonic() - t0, problem=f"{path.name} was not read: {reason}")
    job = grader.Job("me", assignment, source.name, source.read_text(), data, submitted_name=path.name,
                     limits={**Limits().as_dict(), **limits}, seed=secrets.randbelow(2**31), use_sandbox=use_sandbox,
                     sandbox=mode)
    # the feedback page's trusted parts are rendered meanwhile: the sandbox keeps one core busy, this the other
    threading.Thread(target=feedback.warm, args=(job.source_text,), daemon=True).start()
    result = grader.grade_notebook(job, early=early)
    rows = outputs.merge(result.rows, {})   # a written answer: awaiting a reader
    nb = nbformat.reads(result.autograded, as_version=4) if result.autograded else None
    page = path.with_suffix(".feedback.html")
    page.write_text(feedback.render("me", assignment, source.name, nb, rows, result.notes))
    mistakes = [(r.grade_id, d) for r in rows if r.diagnosis for d in r.diagnosis.split(";")]
    return SelfResult(path, assignment, rows, page, time.monotonic() - t0, result.notes, mistakes=mistakes)


def grade_all(found: list[tuple[Path, str]], limits: dict, use_sandbox: bool, workers: int = 1, mode: str = "auto",
              early=None):
    """Grade every notebook found, ``workers`` at a time; yields each :class:`SelfResult` as it is done. ``early``: a
    sandbox already started for the one notebook found (not used for several; its owner withdraws it)."""
    if len(found) != 1:
        early = None
    if workers <= 1 or len(found) <= 1:
        for path, a in found:
            yield grade_one(path, a, limits, use_sandbox, mode, early=early)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from autograde.classroom import _init_worker
    from autograde.startup import worker_context

    with ProcessPoolExecutor(max_workers=min(workers, len(found)), mp_context=worker_context(),
                             initializer=_init_worker) as pool:
        futures = [pool.submit(grade_one, path, a, limits, use_sandbox, mode) for path, a in found]
        for fut in as_completed(futures):
            yield fut.result()


def question_lines(res: SelfResult) -> list[str]:
    """One line per question (messages made printable: they quote what the notebook raised)."""
    from autograde.safetext import printable

    if res.problem:
        return [f"[FAIL] {printable(res.problem)}"]
    lines = []
    for r in res.rows:
        mark = {"ok": "PASS", "manual": "HAND"}.get(r.status, "FAIL")
        score = "–" if r.score is None else f"{r.score:g}"
        lines.append(f"[{mark}] {r.grade_id}: {score}/{r.max_score:g} {r.status}"
                     + (f" - {printable(r.message)}" if r.message and r.status != "ok" else ""))
    auto = res.auto
    lines.append(f"autograded score: {sum(r.score or 0.0 for r in auto):g} / {sum(r.max_score for r in auto):g}")
    return lines


def progress_table(results: list[SelfResult], root: Path) -> list[str]:
    """Across the course: each notebook's autograded score, its written answers, what is left, the named mistakes."""
    from autograde.safetext import printable

    results = sorted(results, key=lambda r: (r.assignment, str(r.path)))
    width = max([len(str(r.path.relative_to(root))) for r in results] + [8])
    lines = [f"{'notebook':<{width}}  {'autograded':>11}  {'written':>8}  status"]
    got = total = 0.0
    for r in results:
        auto = r.auto
        written = [x for x in r.rows if x not in auto]
        a_got, a_max = sum(x.score or 0.0 for x in auto), sum(x.max_score for x in auto)
        got, total = got + a_got, total + a_max
        w = f"– / {sum(x.max_score for x in written):g}" if written else ""
        lines.append(f"{printable(r.path.relative_to(root)):<{width}}  {f'{a_got:g} / {a_max:g}':>11}  {w:>8}  {printable(r.status())}")
    done = sum(1 for r in results if r.status() == "done")
    fresh = sum(1 for r in results if r.status() == "not started")
    lines.append(f"course: {got:g} / {total:g} autograded points; {done} of {len(results)} notebooks done, "
                 f"{len(results) - done - fresh} in progress, {fresh} not started (written answers wait for a reader)")
    named = [(r.assignment, q, m) for r in results for q, m in r.mistakes]
    if named:
        from autograde.items import all_items

        says = {m.id: m.says for item in all_items().values() for m in item.mistakes}
        lines.append("mistakes the grader recognised (each notebook's feedback page says more):")
        lines += [f"  {a}/{q}: {says.get(m, m)}" for a, q, m in named]
    return lines
