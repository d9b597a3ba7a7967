"""The course work directory (``--course-dir``): checked, locked, and made ready without harming it.

An instructor's nbgrader course is used as it is. Steps, in order (``classroom.grade_class``):

1. :func:`check_inputs` — before anything is created: the course directory is not a file, not this
   repository, and not some other non-empty folder; the submissions folder exists (by default the
   course's ``submitted/``, where ``nbgrader collect`` puts them); a Dask scheduler answers.
2. :func:`lock` — one run at a time per course (``.autograde/lock``, an ``fcntl`` lock held for the
   run): a second run refuses with a message, or waits (``--wait``). ``autograde report`` takes it too.
3. :func:`prepare` — only what grading needs is added: each graded assignment's source notebooks in
   ``source/<assignment>/`` (copied from the repository's ``solutions/``), and the assignment in the
   gradebook, registered by nbgrader's own ``generate_assignment``. Nothing of the instructor's is
   deleted or overwritten: ``nbgrader_config.py`` is written only where none exists, an existing
   ``release/<assignment>/`` is left alone, and a course whose assignment of the same name differs
   from ours (another notebook, other graded cells) is refused with what to do.

The course's own nbgrader configuration is read as nbgrader reads it (the Jupyter config path, then
the course directory), so a course that keeps its gradebook elsewhere (``CourseDirectory.db_url``) or
renames its folders is used as configured (:func:`settings`).

Late submissions (:func:`apply_late_penalties`) reuse nbgrader's ``AssignLatePenalties`` with the
course's ``LateSubmissionPlugin`` configuration, after the submission times are in the gradebook.
"""
from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATE_DIR = ".autograde"

# What makes a non-empty folder an nbgrader course (or one autograde made): any of these.
COURSE_MARKERS = ("nbgrader_config.py", "nbgrader_config.json", "gradebook.db", "source", "release", "submitted",
                  "autograded", "feedback", STATE_DIR)

CONFIG = """\
c = get_config()  # noqa: F821  (written by autograde; edit it as any nbgrader_config.py, autograde never rewrites it)
c.CourseDirectory.course_id = 'nncourse'
# a test cell that checks several functions: each passing one earns its share of the points (False: all or nothing,
# nbgrader's own rule)
c.NNCourse.partial_credit = True
# nbgrader's own generate_feedback shows hidden tests unless ClearHiddenTests is in this list
c.GenerateFeedback.preprocessors = ['nbgrader.preprocessors.GetGrades', 'nbgrader.preprocessors.ClearHiddenTests',
                                    'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']
"""


class CourseDirError(ValueError):
    """The course directory or the submissions cannot be used as given; the message says why and what to do."""


class CourseBusy(CourseDirError):
    """Another autograde run holds the course's lock."""


class SchedulerUnreachable(ValueError):
    """The Dask scheduler given with --scheduler does not answer."""


# --- 1. inputs, checked before anything is created ------------------------------------------------------

def _repositories() -> list[Path]:
    roots = [REPO]
    env = os.environ.get("NNCOURSE_ROOT")
    if env:
        roots.append(Path(env).resolve())
    return roots


def check_course_dir(course_dir: Path) -> None:
    """Refuse a course directory that autograde must not write into (raises :class:`CourseDirError`)."""
    course_dir = Path(course_dir).resolve()
    if course_dir.exists() and not course_dir.is_dir():
        raise CourseDirError(f"--course-dir {course_dir} is a file, not a folder. Pass a folder: a new or empty one "
                             f"(autograde makes an nbgrader course there) or an existing nbgrader course.")
    for repo in _repositories():
        if course_dir == repo or repo in course_dir.parents:
            raise CourseDirError(
                f"--course-dir {course_dir} is {'the nncourse repository' if course_dir == repo else 'inside the nncourse repository'} "
                f"({repo}). Grading writes a gradebook, source/, release/, feedback/ and grades into the course directory: "
                f"use a folder outside the repository, e.g. --course-dir ~/nncourse-grading.")
    if course_dir.is_dir():
        try:
            names = {p.name for p in course_dir.iterdir()}
        except OSError as exc:
            raise CourseDirError(f"--course-dir {course_dir} cannot be read ({exc.strerror}).") from None
        if names and not names & set(COURSE_MARKERS):
            shown = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
            raise CourseDirError(
                f"--course-dir {course_dir} is not empty ({shown}) and is not an nbgrader course (no nbgrader_config.py, "
                f"gradebook.db, source/ or submitted/). autograde would add an nbgrader course to it. Pass a new or empty "
                f"folder, or an existing nbgrader course.")


def check_scheduler(address: str | None, timeout: float = 3.0) -> None:
    """A Dask scheduler address must answer within ``timeout`` seconds (raises :class:`SchedulerUnreachable`).

    ``None`` (local processes) and ``"local"`` (a LocalCluster started here) need no check; transports
    other than TCP and TLS are left to Dask."""
    if not address or address == "local":
        return
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp", "tls"):
        return
    rest = rest.split("/", 1)[0]
    host, sep, port = rest.rpartition(":")
    if not sep or "]" in port:      # no port given: Dask's default
        host, port = rest, "8786"
    host = host.strip("[]") or "127.0.0.1"
    how = (f"Start a scheduler on that machine with `dask scheduler` (it listens on port 8786) and workers with "
           f"`dask worker {address if '://' in address else 'tcp://' + address}` (each worker needs this package, "
           f"bubblewrap and root), or grade on this machine: --scheduler local, or no --scheduler.")
    try:
        port_no = int(port)
    except ValueError:
        raise SchedulerUnreachable(f"--scheduler {address!r} is not an address like tcp://HOST:8786. {how}") from None
    try:
        socket.create_connection((host, port_no), timeout=timeout).close()
    except OSError as exc:
        reason = "no answer within {:g} s".format(timeout) if isinstance(exc, socket.timeout) else (exc.strerror or str(exc))
        raise SchedulerUnreachable(f"cannot reach the Dask scheduler at {address} ({reason}). {how}") from None
    # A port that accepts connections is not yet a scheduler (another service, a firewall or proxy that
    # accepts everything): ask it who it is, in Dask's own protocol, with a deadline.
    kind = _dask_identity(address if scheme else f"tcp://{rest}", timeout)
    if kind != "Scheduler":
        what = f"a Dask {kind}" if kind else "nothing that speaks Dask's protocol"
        raise SchedulerUnreachable(f"{address} accepts connections, but it is {what}: no Dask scheduler answered "
                                   f"there. {how}")


def _dask_identity(address: str, timeout: float) -> str:
    """The ``type`` a Dask server at ``address`` reports ("Scheduler", "Worker", ...), or '' when none answers."""
    import asyncio

    async def ask() -> str:
        from distributed.comm import connect

        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)  # includes Dask's handshake
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), timeout)
            reply = await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()
        return str(reply.get("type", "")) if isinstance(reply, dict) else ""

    found: list[str] = []

    def run() -> None:  # a thread of its own: the caller may be inside an event loop (a notebook)
        try:
            found.append(asyncio.run(ask()))
        except Exception:  # refused, timed out, not Dask's protocol
            found.append("")

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(3 * timeout + 5)
    return found[0] if found else ""


def check_inputs(course_dir: Path, submissions: Path | None, scheduler: str | None = None) -> Path:
    """Check every input before anything is created; return the submissions folder to grade.

    ``submissions`` defaults to the course's submitted folder (``submitted/``, or the course's
    ``CourseDirectory.submitted_directory``), where ``nbgrader collect`` puts the submissions.
    """
    course_dir = Path(course_dir).resolve()
    check_course_dir(course_dir)
    if submissions is None:
        submitted = settings(course_dir).submitted if course_dir.is_dir() else course_dir / "submitted"
        if not submitted.is_dir():
            raise CourseDirError(
                f"no SUBMISSIONS folder was given and the course has no {submitted}. Collect the submissions into it "
                f"(`nbgrader collect ASSIGNMENT` in {course_dir}), or pass the folder: "
                f"autograde grade SUBMISSIONS --course-dir {course_dir}, laid out as SUBMISSIONS/<student>/<assignment>/*.ipynb.")
        submissions = submitted
    submissions = Path(submissions)
    if not submissions.is_dir():
        what = "is a file, not a folder" if submissions.exists() else "does not exist"
        raise CourseDirError(f"the submissions folder {submissions} {what}. Expected a folder laid out as nbgrader's "
                             f"submitted/: SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb.")
    check_scheduler(scheduler)
    return submissions


# --- 2. one run at a time ---------------------------------------------------------------------------------

_held: dict[str, list] = {}     # lock file -> [thread id, depth]: a thread that holds a course's lock may take it again
_held_guard = threading.Lock()


@dataclass
class Held:
    path: Path
    waited: bool = False        # True when the lock was busy and this run waited for it


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096) or b"{}")
        return f"pid {int(info['pid'])} on {info['host']}, started {info['started']}: {info['command']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "a process that is just starting"


@contextlib.contextmanager
def lock(course_dir: Path, wait: bool = False, *, on_wait=None):
    """Hold the course's lock (``.autograde/lock``) for the ``with`` block: one autograde run per course.

    A second run (another process, or another thread) raises :class:`CourseBusy` saying who holds it,
    or with ``wait=True`` waits for it (``on_wait(message)`` is called once first; default: print to
    stderr). The same thread may take the lock again (nested use is a no-op). Yields a :class:`Held`.
    The lock is ``flock``ed, so it is released when the process ends, however it ends.
    """
    path = Path(course_dir) / STATE_DIR / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    me = threading.get_ident()
    with _held_guard:
        entry = _held.get(key)
        if entry is not None and entry[0] == me:
            entry[1] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield Held(path)
        finally:
            with _held_guard:
                _held[key][1] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
    try:
        waited = False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise CourseBusy(f"another autograde run is using the course {course_dir} ({holder}). Two runs at once "
                                 f"would write the same gradebook: wait for it to finish, or pass --wait to start when it "
                                 f"has finished.") from None
            (on_wait or (lambda msg: print(msg, file=sys.stderr, flush=True)))(
                f"autograde: waiting for the run that is using {course_dir} to finish ({holder}) ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "started": datetime.datetime.now().isoformat(timespec="seconds"),
                "command": " ".join(["autograde", *sys.argv[1:]])[:300]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        with _held_guard:
            _held[key] = [me, 0]
        try:
            yield Held(path, waited)
        finally:
            with _held_guard:
                _held.pop(key, None)
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the flock


# --- 3. the course: read as nbgrader reads it, and made ready --------------------------------------------

@dataclass
class CourseSettings:
    root: Path
    db_url: str
    course_id: str
    source: Path                   # root / CourseDirectory.source_directory
    release: Path
    submitted: Path
    feedback_preprocessors: list[str] = field(default_factory=list)   # class names, as generate_feedback will run them
    config: object = None          # the merged traitlets Config
    # c.NNCourse.partial_credit in the course's nbgrader_config.py: True (default): a test cell that checks several
    # functions gives each passing one its share of the cell's points; False: nbgrader's rule, all or nothing
    partial_credit: bool = True


def _load_config(course_dir: Path):
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config.loader import Config, ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

    cfg = Config()
    # as an nbgrader command run in the course directory: the Jupyter config path (system first, the
    # user's last), then the course directory's own file, which wins
    for folder in [*reversed(jupyter_config_path()), str(course_dir)]:
        for loader_cls, name in ((JSONFileConfigLoader, "nbgrader_config.json"), (PyFileConfigLoader, "nbgrader_config.py")):
            if not os.path.isfile(os.path.join(folder, name)):
                continue
            try:
                cfg.merge(loader_cls(name, path=folder).load_config())
            except ConfigFileNotFound:
                continue
            except Exception as exc:  # the instructor's Python: report it as nbgrader would fail on it
                raise CourseDirError(f"could not read {os.path.join(folder, name)}: {type(exc).__name__}: {exc}. "
                                     f"nbgrader itself would fail on it; fix the file and run again.") from None
    return cfg


def settings(course_dir: Path) -> CourseSettings:
    """The course's nbgrader settings, from its configuration (root: ``course_dir``, as autograde passes it)."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory

    course_dir = Path(course_dir).resolve()
    cfg = _load_config(course_dir)
    cd = CourseDirectory(config=cfg)
    cd.root = str(course_dir)
    db_url = cfg.CourseDirectory.db_url if "db_url" in cfg.CourseDirectory else f"sqlite:///{course_dir / 'gradebook.db'}"
    if "preprocessors" in cfg.GenerateFeedback:
        pps = list(cfg.GenerateFeedback.preprocessors)
    else:
        pps = list(GenerateFeedback.class_traits()["preprocessors"].default())  # nbgrader's own: no ClearHiddenTests
    names = [p.__name__ if isinstance(p, type) else str(p).rsplit(".", 1)[-1] for p in pps]
    partial = cfg.NNCourse.partial_credit if "partial_credit" in cfg.NNCourse else True
    if not isinstance(partial, bool):
        raise CourseDirError(f"c.NNCourse.partial_credit in {course_dir}'s nbgrader configuration is {partial!r}; expected "
                             f"True (each function a test cell checks earns its share) or False (all or nothing, as nbgrader)")
    return CourseSettings(course_dir, db_url, cd.course_id, course_dir / cd.source_directory,
                          course_dir / cd.release_directory, course_dir / cd.submitted_directory, names, cfg, partial)


def _graded_cells(nb_path: Path) -> dict[str, float]:
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _cells(nb_path: Path) -> list[tuple]:
    """What makes two source notebooks the same assignment: each cell's kind, text and nbgrader metadata."""
    import nbformat

    nb = nbformat.read(str(nb_path), as_version=4)
    keep = ("grade", "solution", "locked", "task", "grade_id", "points")
    return [(c.cell_type, c.source, tuple((k, c.get("metadata", {}).get("nbgrader", {}).get(k)) for k in keep)) for c in nb.cells]


def _differences(ours: Path, theirs: Path) -> str:
    """'' when the two notebooks are the same assignment, else a short account of where they differ."""
    if ours.read_bytes() == theirs.read_bytes():
        return ""
    try:
        a, b = _cells(ours), _cells(theirs)
    except Exception as exc:  # not a notebook nbformat reads
        return f"it is not a notebook nbformat can read ({type(exc).__name__})"
    if a == b:
        return ""
    if len(a) != len(b):
        return f"it has {len(b)} cells, the repository's has {len(a)}"
    where = [dict(x[2]).get("grade_id") or f"cell {i + 1}" for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return f"its cells differ from the repository's at {', '.join(map(str, where[:5]))}{', ...' if len(where) > 5 else ''}"


def _gradebook_state(s: CourseSettings, assignment: str, ours: dict[str, dict[str, float]]) -> tuple[str, str]:
    """("absent" | "same" | "different", detail): the assignment in the course's gradebook against ours."""
    from nbgrader.api import Gradebook, MissingEntry

    if s.db_url.startswith("sqlite:///") and not Path(s.db_url[len("sqlite:///"):]).is_file():
        return "absent", ""
    with Gradebook(s.db_url, s.course_id) as gb:
        try:
            asg = gb.find_assignment(assignment)
        except MissingEntry:
            return "absent", ""
        theirs = {nb.name: {c.name: float(c.max_score) for c in nb.grade_cells} for nb in asg.notebooks}
    if not theirs:
        return "absent", ""   # made by `nbgrader db assignment add` (a due date, no notebooks yet)
    if theirs == ours:
        return "same", ""
    if set(theirs) != set(ours):
        return "different", f"notebooks {sorted(theirs)}, the repository's {sorted(ours)}"
    bad = sorted(f"{nb}/{g}" for nb in ours for g in set(ours[nb]) | set(theirs[nb]) if ours[nb].get(g) != theirs[nb].get(g))
    return "different", f"graded cells that differ: {', '.join(bad[:6])}{', ...' if len(bad) > 6 else ''}"


def prepare(course_dir: Path, assignments: list[str], repo: Path | None = None) -> list[str]:
    """Make the course ready to grade ``assignments``, adding only what is missing; returns warnings.

    Every check comes before the first change: a conflict raises :class:`CourseDirError` with the
    course as it was. Then, for each assignment: ``source/<assignment>/`` copied from the repository's
    ``solutions/`` when absent, and the assignment registered in the gradebook with ``nbgrader
    generate_assignment`` when the gradebook lacks it (into ``release/`` when the course has no
    ``release/<assignment>/``, else into a throw-away folder, so an instructor's release stays as it is).
    """
    from autograde.reference import course_root

    course_dir = Path(course_dir).resolve()
    check_course_dir(course_dir)
    repo = repo or course_root()
    course_dir.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    has_config = any((course_dir / n).exists() for n in ("nbgrader_config.py", "nbgrader_config.json"))
    s = settings(course_dir)
    if has_config and "ClearHiddenTests" not in s.feedback_preprocessors:
        warnings.append(
            f"{course_dir / 'nbgrader_config.py'} does not put ClearHiddenTests in c.GenerateFeedback.preprocessors, so "
            f"nbgrader's own `nbgrader generate_feedback` would show students the hidden tests (autograde's feedback never "
            f"does). If you use it, add to your config: c.GenerateFeedback.preprocessors = ['nbgrader.preprocessors.GetGrades', "
            f"'nbgrader.preprocessors.ClearHiddenTests', 'nbconvert.preprocessors.CSSHTMLHeaderPreprocessor']. "
            f"autograde does not edit your file.")

    conflicts, plan = [], []
    for a in assignments:
        ours_dir = repo / "solutions" / a
        ours = {p.name: p for p in ours_dir.glob("*.ipynb") if not p.name.startswith(".")}
        theirs_dir = s.source / a
        copy = not (theirs_dir.exists() or theirs_dir.is_symlink())
        if not copy:
            if theirs_dir.is_symlink() or not theirs_dir.is_dir():
                conflicts.append(f"{theirs_dir} is not a folder (a file or a link); autograde needs the assignment's "
                                 f"source notebooks there.")
            else:
                theirs = {p.name: p for p in theirs_dir.glob("*.ipynb") if not p.name.startswith(".")}
                if set(theirs) != set(ours):
                    conflicts.append(f"{theirs_dir} holds {sorted(theirs) or 'no notebook'}, the repository's {ours_dir} "
                                     f"holds {sorted(ours)}.")
                for name in sorted(set(theirs) & set(ours)):
                    diff = _differences(ours[name], theirs[name])
                    if diff:
                        conflicts.append(f"{theirs[name]} is not the repository's {ours[name]}: {diff}.")
        graded = {Path(n).stem: _graded_cells(p) for n, p in ours.items()}
        state, detail = _gradebook_state(s, a, graded)
        if state == "different":
            conflicts.append(f"the gradebook ({s.db_url}) has an assignment {a} that is not the repository's: {detail}.")
        plan.append((a, copy, state == "absent"))
    if conflicts:
        raise CourseDirError(
            f"the course {course_dir} already has an assignment of the same name that differs from this repository's, "
            f"and autograde grades with the repository's notebooks:\n  - " + "\n  - ".join(conflicts) +
            f"\nNothing was changed. If the course's copy is an older version of the repository's notebook, replace it "
            f"(copy solutions/<assignment>/ over source/<assignment>/, then run `nbgrader generate_assignment <assignment> "
            f"--force` in {course_dir}); if it is another assignment of yours, grade this course in another --course-dir.")

    if not has_config:
        with open(course_dir / "nbgrader_config.py", "x") as fh:  # "x": never over a file that appeared meanwhile
            fh.write(CONFIG)
        s = settings(course_dir)
    for a, copy, register in plan:
        if copy:
            shutil.copytree(repo / "solutions" / a, s.source / a, ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".*"))
    todo = [a for a, _, register in plan if register]
    in_source = {p.name for p in s.source.iterdir() if p.is_dir() and not p.name.startswith(".")} if s.source.is_dir() else set()
    if len(todo) > 1 and set(todo) == in_source and not any((s.release / a).exists() for a in todo):
        _register(course_dir, s, "*")  # every assignment of the course, none released yet: one nbgrader run
    else:
        for a in todo:
            _register(course_dir, s, a)
    return warnings


def new_course_dir(course_dir: Path, only: list[str] | None = None) -> Path:
    """An nbgrader course work directory with every assignment of the repository (or ``only`` these), made or
    completed safely.

    A new or empty folder becomes a course (``nbgrader_config.py``, ``source/`` copied from ``solutions/``,
    ``release/`` and the gradebook made by ``nbgrader generate_assignment``). An existing nbgrader course
    only gets what it lacks; nothing of it is deleted or overwritten, and a conflicting course, this
    repository, or a file is refused (:func:`prepare`, which raises
    :class:`CourseDirError` saying why).
    """
    from autograde.course import assignments
    from autograde.reference import course_root

    prepare(course_dir, only or assignments(course_root()))
    return course_dir


def _register(course_dir: Path, s: CourseSettings, assignment: str) -> None:
    """``nbgrader generate_assignment`` in the course: the gradebook learns the assignment and its cells.
    ``assignment`` is nbgrader's glob: "*" registers every assignment of ``source/`` in one go.

    Run in this process with nbgrader's own converter (``GenerateAssignment``, as formgrader's "Generate" button runs
    it through ``NbGraderAPI``), with the course's configuration as the command would load it (:func:`settings`): a
    ``nbgrader`` subprocess cost 3-4 s more, importing nbgrader a second time (measured; this process needs nbgrader
    for the gradebook anyway)."""
    import logging

    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    from autograde.startup import fast_gradebooks

    fast_gradebooks()
    cd = CourseDirectory(config=s.config)
    cd.root = str(course_dir)
    cd.assignment_id = assignment
    scratch = None
    if (s.release / assignment).exists():  # the instructor's release stays as it is: release into a scratch folder
        (course_dir / STATE_DIR).mkdir(exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix="release-", dir=course_dir / STATE_DIR))
        cd.release_directory = str(scratch)
    # nbgrader's log goes to the result (and into the error below), not to this process's stderr
    log = logging.getLogger("autograde.nbgrader")
    log.propagate, log.level = False, logging.INFO
    try:
        converter = GenerateAssignment(coursedir=cd, config=s.config, log=log)
        converter.force = True
        result = capture_log(converter)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if not result["success"]:
        from autograde import course

        raise course.CourseError(f"nbgrader generate_assignment {assignment} failed in {course_dir}:\n"
                                 f"{result.get('log', '')[-3000:]}\n{result.get('error', '')[-3000:]}")


# --- submission times and late penalties (nbgrader's own) -------------------------------------------------

def apply_late_penalties(course_dir: Path, submissions: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], float | None]:
    """nbgrader's late-submission policy for each (assignment, student, notebook), as ``nbgrader autograde`` applies it.

    A late submission (its timestamp after the assignment's due date: nbgrader's ``total_seconds_late``)
    goes through nbgrader's own ``AssignLatePenalties`` with the course's configuration
    (``LateSubmissionPlugin.penalty_method``, or a custom ``AssignLatePenalties.plugin_class``), which
    writes the notebook's ``late_submission_penalty`` from its score. Any other has its penalty cleared,
    as ``AssignLatePenalties`` does (one gradebook session for all of them: most are on time).
    Call it after the scores and timestamps are committed, with no gradebook session open.
    Returns the penalty recorded for each (None: none; a submission the gradebook lacks is left out).
    """
    import logging

    from nbformat.v4 import new_notebook
    from nbgrader.api import Gradebook, MissingEntry, SubmittedNotebook
    from nbgrader.preprocessors import AssignLatePenalties

    check_course_dir(course_dir)
    s = settings(course_dir)
    wanted: dict[tuple[str, str], list[str]] = {}
    for assignment, student, notebook in submissions:
        wanted.setdefault((assignment, student), []).append(notebook)
    late: list[tuple[str, str, str]] = []
    out: dict[tuple[str, str, str], float | None] = {}
    with Gradebook(s.db_url, s.course_id) as gb:  # a few queries for the whole class, not a few per submission
        for assignment in sorted({a for a, _ in wanted}):
            try:
                subs = gb.find_assignment(assignment).submissions
            except MissingEntry:
                continue
            for sub in subs:
                for notebook in wanted.get((assignment, sub.student_id), []):
                    if sub.total_seconds_late > 0:
                        late.append((assignment, sub.student_id, notebook))
                    else:
                        out[(assignment, sub.student_id, notebook)] = None
        for nb in gb.db.query(SubmittedNotebook).filter(SubmittedNotebook.late_submission_penalty.isnot(None)):
            if (nb.assignment.name, nb.assignment.student_id, nb.name) in out:
                nb.late_submission_penalty = None  # no longer late: as AssignLatePenalties resets it
        gb.db.commit()
    log = logging.getLogger("autograde.late")   # nbgrader's "... is N seconds late" lines: the gradebook has it
    if not log.handlers:
        log.addHandler(logging.NullHandler())
        log.propagate = False
    for assignment, student, notebook in late:
        pp = AssignLatePenalties(config=s.config, log=log)
        pp.preprocess(new_notebook(), {"nbgrader": {"notebook": notebook, "assignment": assignment, "student": student,
                                                    "db_url": s.db_url}})
    if late:
        with Gradebook(s.db_url, s.course_id) as gb:
            for key in late:
                out[key] = gb.find_submission_notebook(key[2], key[0], key[1]).late_submission_penalty
    return out
