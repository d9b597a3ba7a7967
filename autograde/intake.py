"""Intake, the first stage of grading a class: what was handed in, read safely, as one job per notebook.

The pipeline a class goes through, each stage a module:

    intake (this) -> plan (autograde.plan) -> sandbox (autograde.sandbox) -> judge (autograde.judge)
      -> record (autograde.record: the gradebook) -> outputs (autograde.outputs: feedback, CSV, report)

:func:`discover` walks ``SUBMISSIONS/<student>/<assignment>/*.ipynb`` against the course's source notebooks:

- student ids are checked (:func:`autograde.safetext.student_id_problem`); a folder whose name cannot be an id
  is refused, and, in the course's own ``submitted/``, moved aside by :func:`quarantine`;
- each notebook is read with a bound on its size and only if it is a regular file (:func:`_read_regular`);
- nbgrader's ``timestamp.txt`` is parsed as nbgrader parses it, with its time zone checked first
  (:func:`parse_timestamp`), and ``submission_secret.txt`` kept for ``nbgrader release_feedback``;
- a missing, empty or ambiguous folder becomes a ``missing`` job, never a skipped student.

Nothing here runs a student's code or writes the gradebook.
"""
from __future__ import annotations

import datetime
import errno
import functools
import hashlib
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from autograde import course
from autograde.grader import Job


def _source_notebooks(root: Path) -> dict[str, Path]:
    from autograde.reference import source_notebook

    return {a: source_notebook(a, root) for a in course.assignments(root)}


def _read_regular(path: Path, limit: int) -> bytes:
    """A submitted file's bytes: no symlink, a regular file with one name, at most ``limit`` bytes (checked before reading).

    A hard link is refused like a symlink: it is the same file under another name, so a link to the
    course's source notebooks (or a classmate's) would be graded, and shown in feedback, as the student's.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError("it is not a regular file")
        if st.st_nlink > 1:
            raise ValueError(f"it is a hard link (one file with {st.st_nlink} names, which may be someone else's); "
                             "hand in a copy of the file, not a link")
        if st.st_size > limit:
            raise ValueError(f"it is {st.st_size / 2**20:.0f} MB, over the {limit // 2**20} MB limit" if limit >= 2**20
                             else f"it is {st.st_size} bytes, over the {limit}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)
    finally:
        os.close(fd)


# Folders that are never a student's hand-in (nor are dot-prefixed ones: .ipynb_checkpoints, .git, .autograde)
SYSTEM_FOLDERS = {"__MACOSX": "a macOS archive's resource folder", "__pycache__": "Python's cache folder",
                  "$RECYCLE.BIN": "a Windows recycle bin", "System Volume Information": "a Windows system folder"}
TIMESTAMP_FILE = "timestamp.txt"   # nbgrader's submission time, in SUBMISSIONS/<student>/<assignment>/


@dataclass
class Intake:
    """What :func:`discover` found: one job per student and notebook, what it skipped and why, warnings."""

    jobs: list[Job]
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (name as shown, why it is not graded)
    warnings: list[str] = field(default_factory=list)              # printable sentences for the instructor
    refused: list[Path] = field(default_factory=list)   # student folders whose names cannot be ids (see quarantine)


def _not_a_submission(p: Path) -> str:
    """Why a folder entry is no one's hand-in ('' when it may be one)."""
    if p.name.startswith("."):
        return "hidden (its name starts with a dot)"
    if p.name in SYSTEM_FOLDERS:
        return f"{SYSTEM_FOLDERS[p.name]}, not a student's"
    if not (p.is_dir() or p.is_symlink()):
        return "a file, not a folder"
    return ""


def _meant(name: str, known: list[str]) -> str | None:
    """The assignment a mistyped folder name most likely means ('01-perceptron', 'Perceptron' -> '01_perceptron')."""
    import difflib
    import re

    def norm(s: str) -> str:
        return re.sub(r"[^0-9a-z]", "", s.lower())

    keys = {norm(a): a for a in known}
    n = norm(name)
    if not n:
        return None
    if n in keys:
        return keys[n]
    for k, a in keys.items():  # the topic without its number: 'perceptron' -> '01_perceptron'
        if k.lstrip("0123456789") and k.lstrip("0123456789") == n.lstrip("0123456789"):
            return a
    close = difflib.get_close_matches(n, list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None


def _timestamp(folder: Path, where: str, warnings: list[str]) -> tuple:
    """The submission time in ``folder/timestamp.txt`` as nbgrader reads it, and the file's text; (None, "") when it is
    missing or unreadable (a warning says why)."""

    path = folder / TIMESTAMP_FILE
    if not (path.exists() or path.is_symlink()):
        return None, ""
    try:
        text = _read_regular(path, 4096).decode("utf-8")
        return parse_timestamp(text), text.strip()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        warnings.append(f"{where}/{TIMESTAMP_FILE} was not used ({reason}): the submission time is not recorded.")
        return None, ""


SECRET_FILE = "submission_secret.txt"   # nbgrader's per-submission secret: feedback is released under its hash
_SECRET = re.compile(r"[0-9A-Za-z]{1,512}")


def _exchange_files(folder: Path, where: str, warnings: list[str], stamp_text: str) -> dict:
    """The submission's ``timestamp.txt`` and ``submission_secret.txt`` as nbgrader's exchange wrote them (the text of
    each, for `nbgrader release_feedback`, which reads both beside the feedback), or {} for those not there or unusable."""
    out = {"timestamp": stamp_text} if stamp_text else {}
    path = folder / SECRET_FILE
    if path.exists() or path.is_symlink():
        try:
            secret = _read_regular(path, 4096).decode("ascii").strip()
            if not _SECRET.fullmatch(secret):
                raise ValueError("it is not the letters and digits nbgrader writes")
            out["secret"] = secret
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            warnings.append(f"{where}/{SECRET_FILE} was not used ({reason}): `nbgrader release_feedback` cannot release "
                            f"this submission's feedback.")
    return out


def _fs_order(p: Path) -> bytes:
    return os.fsencode(p.name)


def _job_seed(seed: int | None, student: str, assignment: str) -> int:
    """A job's case seed: fresh and random, or (with ``seed``) the same for a student and assignment on every run."""
    if seed is None:
        return secrets.randbelow(2**31)
    return int.from_bytes(hashlib.sha256(f"{seed}\0{student}\0{assignment}".encode()).digest()[:4], "big") % 2**31


def discover(submissions: Path, sources: dict[str, Path], students: list[str] | None, limits: dict,
             use_sandbox: bool, run_tag: str = "", seed: int | None = None, sandbox_mode: str = "auto") -> Intake:
    """One job per student and source notebook of every assignment anyone submitted; what was skipped; warnings.

    - Hidden and system folders (dot-prefixed, ``__MACOSX``, ``__pycache__``) and loose files are no
      one's hand-in: each is listed in ``skipped`` with the reason, never graded as a student.
    - A student folder's name is the student's id, which reaches gradebook, formgrader pages, feedback,
      CSV and terminal. A name that cannot be an id (:func:`autograde.safetext.student_id_problem`:
      markup, spaces, control or format characters, bytes that are not UTF-8, ...) is skipped with the
      reason and the rule, never graded under another name. Ids that look alike (``alice``, ``аlice``)
      are a warning. Every other name in a message (files, entries) is :func:`autograde.safetext.safe_name`
      of the name (``perceptron\\xff.ipynb``); the real path is used only to read.
    - Folders and files that are symlinks, and files with hard links, are refused: a link could point at
      the source notebooks or at a classmate's work (git and tar keep symlinks), and grading it would
      hand those out as feedback.
    - The notebook graded is the one with the source's name, else the folder's only notebook. Other
      notebooks beside it, a renamed notebook, and a folder that looks like a misspelt assignment
      (``01-perceptron``) are warnings for the instructor.
    - ``timestamp.txt`` (nbgrader's submission time) goes on the job, for the gradebook.
    """
    from autograde.grader import MAX_SUBMISSION_BYTES
    from autograde.safetext import ID_RULE, confusable_ids, printable, safe_name, student_id_problem

    if not submissions.is_dir():
        raise FileNotFoundError(f"expected a folder of submissions laid out as SUBMISSIONS/<student>/<assignment>/*.ipynb, got {submissions}")
    skipped: list[tuple[str, str]] = []
    warnings: list[str] = []
    refused: list[Path] = []
    student_dirs: list[tuple[str, Path]] = []
    for p in sorted(submissions.iterdir(), key=_fs_order):
        why = _not_a_submission(p)
        if not why and (bad := student_id_problem(p.name)):
            # an id reaches formgrader's pages, some of which put it into HTML unescaped: never pass one on that could
            # carry markup (and never rename a student behind the instructor's back)
            why = f"not graded: its name cannot be a student id ({bad}); {ID_RULE}. Rename the folder to the student's id"
            refused.append(p)
        if why:
            skipped.append((safe_name(p.name) + ("/" if p.is_dir() else ""), why))
        else:
            student_dirs.append((p.name, p))
    for group in confusable_ids(sid for sid, _ in student_dirs):
        warnings.append(f"the student ids {', '.join(repr(g) for g in group)} look alike (letters of other scripts, or "
                        f"case): they read the same in every listing, so check that they are different students.")
    if students:
        wanted = set(students)
        unknown = sorted(wanted - {sid for sid, _ in student_dirs} - {p.name for _, p in student_dirs})
        if unknown:
            raise ValueError(f"no submission folder for student(s) {', '.join(printable(u, 80) for u in unknown)} in {submissions}")
        student_dirs = [(sid, p) for sid, p in student_dirs if sid in wanted or p.name in wanted]

    known = sorted(sources)
    by_notebook = {src.name: a for a, src in sources.items()}
    elsewhere: dict[tuple[str, str], list[str]] = {}   # (entry, why) -> students: skipped, listed once per entry
    misplaced: dict[str, list[tuple[str, str]]] = {}   # student -> [(folder or notebook, the assignment it looks like)]
    for sid, sdir in student_dirs:
        if sdir.is_symlink():
            continue
        try:
            entries = sorted(sdir.iterdir(), key=_fs_order)
        except OSError:
            continue  # unreadable: its assignments show as missing
        for e in entries:
            if e.name in sources and (e.is_dir() or e.is_symlink()):
                continue
            shown = safe_name(e.name) + ("/" if e.is_dir() else "")
            hidden = e.name.startswith(".") or e.name in SYSTEM_FOLDERS
            loose_notebook = not hidden and e.name.endswith(".ipynb") and not e.is_dir()
            guess = None if hidden else by_notebook.get(e.name) if loose_notebook else _meant(e.name, known) if e.is_dir() else None
            if guess:
                misplaced.setdefault(sid, []).append((shown, guess))
                continue
            why = ("a notebook outside any assignment folder" if loose_notebook
                   else _not_a_submission(e) or "not an assignment of this course")
            elsewhere.setdefault((shown, why), []).append(sid)

    submitted = {a for _, s in student_dirs for a in sources if (s / a).is_dir() and not s.is_symlink()}
    if not submitted:
        hint = "".join(f"; {sid}/{shown} looks like {a}/" for sid, items in list(misplaced.items())[:3] for shown, a in items[:1])
        raise ValueError(f"no folder of a known assignment ({', '.join(sources)}) under any student in {submissions}{hint}")
    hints: dict[tuple[str, str], str] = {}
    dirs = dict(student_dirs)
    for sid, items in misplaced.items():
        sdir = dirs[sid]
        for shown, a in items:
            if shown.endswith(".ipynb"):
                warnings.append(f"{sid}: {shown} is not in an assignment folder, so it was not graded; it belongs in "
                                f"{sid}/{a}/.")
                hints.setdefault((sid, a), f" (there is a notebook {shown} directly in the student folder: move it into {a}/)")
            elif (sdir / a).is_dir():
                warnings.append(f"{sid}: also handed in a folder '{shown}', which looks like {a}/; only {a}/ was graded.")
            else:
                warnings.append(f"{sid}: the folder '{shown}' is not an assignment; did you mean {a}/? It was not graded: "
                                f"rename it to {a} and grade again.")
                hints.setdefault((sid, a), f" (there is a folder '{shown}': if it is this assignment, rename it to {a})")

    jobs = []
    texts = {a: sources[a].read_text() for a in submitted}   # each source notebook read and hashed once, not per student
    shas = {a: hashlib.sha256(t.encode()).hexdigest() for a, t in texts.items()}
    for sid, sdir in student_dirs:
        for assignment in sorted(submitted):
            src = sources[assignment]
            folder = sdir / assignment
            where = f"{sid}/{assignment}"
            data, name, problem, status, stamp, exchange = None, None, "", "missing", None, {}
            handed_in = folder.is_dir() or folder.is_symlink()
            if sdir.is_symlink() or folder.is_symlink():
                problem, status = f"{'the student folder' if sdir.is_symlink() else f'the folder {assignment}/'} is a symbolic link; hand in a real folder", "invalid"
            else:
                listing = sorted(folder.glob("*.ipynb"), key=_fs_order) if folder.is_dir() else []
                present = [p for p in listing if not p.name.startswith(".")]
                for p in listing:
                    if p.name.startswith("."):
                        elsewhere.setdefault((f"{assignment}/{safe_name(p.name)}", "hidden (its name starts with a dot)"), []).append(sid)
                expected = folder / src.name
                pick = expected if expected in present else (present[0] if len(present) == 1 else None)
                if pick is not None:
                    try:
                        data, name = _read_regular(pick, MAX_SUBMISSION_BYTES), safe_name(pick.name)
                    except (OSError, ValueError) as exc:  # ELOOP for a symlink, a fifo, a hard link, a file too big
                        reason = ("it is a symbolic link" if isinstance(exc, OSError) and exc.errno == errno.ELOOP
                                  else exc.strerror if isinstance(exc, OSError) else str(exc))
                        problem, status = f"{safe_name(pick.name)} was not read: {reason}", "invalid"
                    others = [safe_name(p.name) for p in present if p != pick]
                    if others:
                        warnings.append(f"{where}: graded {safe_name(pick.name)}; the folder also holds "
                                        f"{', '.join(others[:5])}{', ...' if len(others) > 5 else ''}, not graded. If the "
                                        f"finished work is in one of them, rename it to {src.name} and grade again.")
                    elif pick != expected:
                        warnings.append(f"{where}: graded '{safe_name(pick.name)}' in place of {src.name} (the only "
                                        f"notebook in the folder).")
                elif not folder.is_dir():
                    problem = f"no folder {assignment}/ was submitted" + hints.get((sid, assignment), "")
                elif not present:
                    problem = f"the folder {assignment}/ holds no notebook (expected {src.name})" + hints.get((sid, assignment), "")
                else:
                    names = ", ".join(safe_name(p.name) for p in present[:5])
                    problem = f"expected {src.name}; found several other notebooks ({names}) and cannot tell which to grade"
                    warnings.append(f"{where}: not graded: {problem}. Rename the one to grade to {src.name}.")
                if folder.is_dir():
                    stamp, stamp_text = _timestamp(folder, where, warnings)
                    exchange = _exchange_files(folder, where, warnings, stamp_text)
            jobs.append(Job(sid, assignment, src.name, texts[assignment], data, submitted_name=name, problem=problem,
                            problem_status=status, limits=limits, seed=_job_seed(seed, sid, assignment),
                            use_sandbox=use_sandbox, sandbox=sandbox_mode, run_tag=run_tag, timestamp=stamp, exchange=exchange,
                            submitted=handed_in, source_sha=shas[assignment]))
    for (shown, why), sids in elsewhere.items():
        skipped.append((f"{sids[0]}/{shown}", why) if len(sids) == 1 else (f"*/{shown}", f"{why} (in {len(sids)} student folders)"))
    return Intake(jobs, skipped, warnings, refused)


QUARANTINE_DIR = ".autograde/quarantine"


def quarantine(course_dir: Path, submissions: Path, refused: list[Path]) -> list[str]:
    """Move the student folders whose names cannot be ids out of the course's own ``submitted/``; returns warnings.

    nbgrader's formgrader lists every folder of the course's submitted directory as a student, whatever the
    gradebook says, and its Manage Students pages put that name into HTML and a script unescaped (the
    ``<img onerror>`` folder of issue 15 ran in the instructor's page). So such a folder does not stay where
    formgrader looks: it is moved (never deleted) to ``.autograde/quarantine/`` in the course, under a neutral
    name, and the instructor is told where and why. A submissions folder outside the course is not formgrader's
    to list, and is left as it is.
    """
    import hashlib

    from autograde.safetext import safe_name

    if not refused:
        return []
    try:
        from autograde.coursedir import settings

        submitted = settings(course_dir).submitted.resolve()
    except Exception:  # no readable configuration: nbgrader's default folder
        submitted = (course_dir / "submitted").resolve()
    if submissions.resolve() != submitted:
        return []
    out = []
    target_dir = course_dir / QUARANTINE_DIR
    for path in refused:
        shown = safe_name(path.name)
        target = target_dir / f"folder-{hashlib.sha256(os.fsencode(path.name)).hexdigest()[:16]}"
        try:
            target_dir.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target = target.with_name(f"{target.name}-{secrets.token_hex(3)}")
            os.rename(path, target)
            (target.parent / f"{target.name}.name.txt").write_text(shown + "\n", encoding="utf-8")
            out.append(f"the folder '{shown}' was moved out of {submitted.name}/ to {QUARANTINE_DIR}/{target.name} "
                       f"(its name, escaped, is in {target.name}.name.txt): formgrader lists every folder of "
                       f"{submitted.name}/ and puts its name into its pages unescaped. Rename it to the student's id "
                       f"and move it back to grade it.")
        except OSError as exc:
            out.append(f"the folder '{shown}' could not be moved out of {submitted.name}/ ({exc.strerror}): formgrader "
                       f"will list it and put its name into its pages unescaped. Remove or rename it before opening "
                       f"formgrader.")
    return out


# --- submission times, read as nbgrader reads them ---------------------------------------------------

_NUMERIC_ZONE = re.compile(r"[+-]?\d{1,4}|[+-]\d{2}:\d{2}")


def _check_zone(text: str) -> None:
    """Refuse a time zone nbgrader would look up as a file: ``parse_utc`` passes the third word of a timestamp
    to ``dateutil.tz.gettz``, which opens any path it is given (``2026-01-01 00:00:00 /etc/shadow`` opened that
    file, as the grader's user). Only a numeric offset, ``UTC``/``GMT``/``Z`` or an IANA name (``Europe/Paris``,
    from ``zoneinfo.available_timezones()``) reaches it."""

    parts = text.split(" ")
    if len(parts) != 3:
        return   # parse_utc hands these to dateutil's parser, which never opens a file
    zone = parts[2]
    if zone in ("UTC", "GMT", "Z") or _NUMERIC_ZONE.fullmatch(zone):
        return
    if zone not in _zones():
        raise ValueError(f"its time zone {zone[:40]!r} is not a numeric offset (+0100), UTC, or a zone name such as "
                         f"Europe/Paris")


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def parse_timestamp(text: str) -> datetime.datetime:
    """A ``timestamp.txt`` as nbgrader reads it (``nbgrader.utils.parse_utc``): a naive UTC datetime.
    Raises ValueError when nbgrader could not read it either."""
    from nbgrader.utils import parse_utc

    text = text.strip()
    if not text:
        raise ValueError("it is empty")
    _check_zone(text)
    try:
        return parse_utc(text)
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(f"it is not a time nbgrader can read ({str(exc)[:80]})") from None
