"""The ``autograde`` command.

    autograde grade [SUBMISSIONS] --course-dir DIR [--workers N] [--scheduler ADDRESS|local] [--student ID] [--sandbox MODE]
    autograde self NOTEBOOK|FOLDER [--assignment ID] [--sandbox MODE | --unsafe-no-sandbox]
    autograde report --course-dir DIR     (rebuild every output from the gradebook, after manual grading)
    autograde export --course-dir DIR --format canvas|moodle|wide [--output FILE]   (grades for an LMS)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from autograde.safetext import printable
from autograde.sandbox import DOCS, MODES, Limits, SandboxUnavailable

_SANDBOX_HELP = (f"full: as root, every promise (a uid per worker slot, cgroups); user: without root, in user namespaces, "
                 f"fewer promises ({DOCS}); auto (default): full as root, else user")

_LIMIT_FLAGS = [("memory_mb", int, "memory per process and per notebook, MB"),
                ("processes", int, "processes and threads per notebook"),
                ("cell_timeout", float, "seconds per cell"),
                ("notebook_timeout", float, "wall-clock seconds per notebook"),
                ("output_bytes", int, "bytes of output kept per notebook"),
                ("file_mb", int, "largest file a notebook may write, MB")]


def _add_limits(p: argparse.ArgumentParser) -> None:
    defaults = Limits()
    for name, typ, help_ in _LIMIT_FLAGS:
        p.add_argument("--" + name.replace("_", "-"), type=typ, default=getattr(defaults, name), help=f"{help_} (default %(default)s)")


def _limits(args) -> dict:
    return {name: getattr(args, name) for name, _, _ in _LIMIT_FLAGS}


def _warn_unsandboxed() -> None:
    print("WARNING: --unsafe-no-sandbox: student code runs with YOUR permissions, with no memory, process or "
          "file-system limits. It can read the source notebooks and change any file you can. "
          "Use it only for your own notebook.", file=sys.stderr)


def _error(exc: BaseException) -> None:
    """``autograde: error: MESSAGE`` on stderr, each line made printable (a message may quote a student's name)."""
    lines = str(exc).splitlines() or [type(exc).__name__]
    print("autograde: error: " + "\n".join(printable(line) for line in lines), file=sys.stderr)


def _sandbox_flags(args) -> bool:
    """False (after a message) when --sandbox and --unsafe-no-sandbox are both given; warns for the latter."""
    if args.unsafe_no_sandbox and args.sandbox != "auto":
        print(f"autograde: error: --sandbox {args.sandbox} and --unsafe-no-sandbox contradict each other: choose one",
              file=sys.stderr)
        return False
    if args.unsafe_no_sandbox:
        _warn_unsandboxed()
    return True


def cmd_grade(args) -> int:
    from autograde import classroom, course, report

    if not _sandbox_flags(args):
        return 2
    opts = classroom.Options(workers=args.workers, scheduler=args.scheduler, students=args.student or None,
                             limits=_limits(args), use_sandbox=not args.unsafe_no_sandbox, sandbox=args.sandbox,
                             progress=not args.no_progress, force=args.force, wait=args.wait)
    submissions = Path(args.submissions).resolve() if args.submissions else None  # None: the course's submitted/
    try:
        summary = classroom.grade_class(submissions, Path(args.course_dir).resolve(), opts)
    except (SandboxUnavailable, ValueError, OSError, course.CourseError) as exc:  # bad input, a busy course: a message, no traceback
        _error(exc)
        return 2
    print(f"graded {summary.graded} notebook(s), {summary.cached} unchanged since the last run, in {summary.seconds:.1f} s")
    for line in report.summary_lines(summary.rows, summary.late):
        print(printable(line))
    for line in report.intake_lines(summary.skipped, summary.warnings):
        print(line)
    if args.table:
        print()
        print(course.format_table(summary.rows, summary.late))
    print(f"grades:   {summary.csv_path}\nreport:   {summary.report_path}\nfeedback: {Path(args.course_dir).resolve() / 'feedback'}")
    return 0


def cmd_self(args) -> int:
    """Grade one notebook, or every notebook of the course in a folder, for a self-learner (autograde.selfgrade)."""
    target = Path(args.notebook).resolve()
    early = _early_sandbox(args, target)
    try:
        return _self(args, target, early)
    finally:
        if early is not None:   # withdrawn if no job reached it; its folder removed either way
            early.cancel()


def _self(args, target: Path, early) -> int:
    from autograde import course, selfgrade

    try:
        found, notes = selfgrade.find(target, args.assignment)
    except ValueError as exc:
        _error(exc)
        return 2
    if not _sandbox_flags(args):
        return 2
    use_sandbox = not args.unsafe_no_sandbox
    if args.course_dir:   # keep a real nbgrader course: the class pipeline, one notebook
        return _self_in_course(args, found)
    try:
        if use_sandbox:
            from autograde import sandbox

            sandbox.check_available(args.sandbox)
        results = []
        for res in selfgrade.grade_all(found, _limits(args), use_sandbox, workers=args.workers, mode=args.sandbox, early=early):
            results.append(res)
            if len(found) > 1:
                print(f"graded {printable(res.path.relative_to(target))} ({res.seconds:.1f} s): {printable(res.status())}", flush=True)
    except (SandboxUnavailable, ValueError, OSError, course.CourseError) as exc:
        _error(exc)
        return 2
    if len(found) == 1:
        res = results[0]
        for line in selfgrade.question_lines(res):
            print(line)
        if res.feedback:
            print(f"feedback: {res.feedback}")
        return 0
    print()
    for line in selfgrade.progress_table(results, target):
        print(line)
    for note in notes:
        print(f"note: {printable(note)}")
    print(f"feedback: each notebook's *.feedback.html beside it")
    return 0


def _early_sandbox(args, target: Path):
    """For one notebook graded in the sandbox: the sandbox started now, before the grader reads anything, so that its
    kernel boots meanwhile (:class:`autograde.sandbox.Early`; a second of the self-learner's wait, measured by
    `make bench-self`). None whenever anything is not plain: the usual path then says what is wrong."""
    if args.unsafe_no_sandbox or args.course_dir or not (target.suffix == ".ipynb" and target.is_file()):
        return None
    from autograde import sandbox

    try:
        sandbox.check_available(args.sandbox, announce=False)
        return sandbox.Early(Limits(**{**Limits().as_dict(), **_limits(args)}), args.sandbox)
    except (SandboxUnavailable, ValueError, TypeError, OSError):
        return None


def _self_in_course(args, found) -> int:
    """``autograde self NOTEBOOK --course-dir DIR``: grade in a kept nbgrader course, as a class is graded."""
    from autograde import classroom, course, selfgrade
    from autograde.outputs import feedback_path
    from autograde.reference import source_notebook

    if len(found) != 1:
        print("autograde: error: --course-dir keeps the course of one notebook: give a notebook, not a folder", file=sys.stderr)
        return 2
    nb_path, assignment = found[0]
    with tempfile.TemporaryDirectory(prefix="autograde-self-") as tmp:
        subs = Path(tmp) / "submissions" / "me" / assignment
        subs.mkdir(parents=True)
        (subs / source_notebook(assignment).name).write_bytes(nb_path.read_bytes())
        course_dir = Path(args.course_dir).resolve()
        opts = classroom.Options(workers=1, limits=_limits(args), use_sandbox=not args.unsafe_no_sandbox, sandbox=args.sandbox,
                                 progress=False, force=True)
        try:
            summary = classroom.grade_class(Path(tmp) / "submissions", course_dir, opts)
        except (SandboxUnavailable, ValueError, OSError, course.CourseError) as exc:
            _error(exc)
            return 2
    res = selfgrade.SelfResult(nb_path, assignment, summary.rows, None, summary.seconds)
    for line in selfgrade.question_lines(res):
        print(line)
    fb = feedback_path(course_dir, "me", assignment, Path(source_notebook(assignment).name).stem)
    html_out = nb_path.with_suffix(".feedback.html")
    html_out.write_text(fb.read_text())
    print(f"feedback: {html_out}")
    return 0


def cmd_report(args) -> int:
    """Rebuild grades.csv, totals.csv, feedback and report.html from the gradebook (after manual grading)."""
    from autograde import course, outputs, report

    course_dir = Path(args.course_dir).resolve()
    if not (course_dir / "gradebook.db").is_file() or not (course_dir / outputs.CACHE_DIR / "cache").is_dir():
        print(f"autograde: error: {course_dir} is not a course graded by `autograde grade` (expected gradebook.db and "
              f"{outputs.CACHE_DIR}/cache/ in it); grade it first: autograde grade --course-dir {course_dir}", file=sys.stderr)
        return 2
    from autograde.coursedir import CourseDirError, apply_late_penalties, lock

    try:
        with lock(course_dir, wait=args.wait):
            # a due date or policy set since the last run (nbgrader db assignment add --duedate, nbgrader_config.py)
            # counts now, as it would in `autograde grade`
            apply_late_penalties(course_dir, [(d["assignment"], d["student_id"], d["notebook"])
                                              for d in outputs.stored_results(course_dir)])
            rows, csv_path, report_path, late, notes, _ = outputs.rebuild(course_dir, workers=args.workers, force_feedback=args.force)
    except (CourseDirError, OSError, course.CourseError) as exc:  # a busy course (another run holds it): a message
        _error(exc)
        return 2
    for line in report.summary_lines(rows, late):
        print(printable(line))
    for line in report.intake_lines([], notes):
        print(line)
    if args.table:
        print()
        print(course.format_table(rows, late))
    print(f"grades:   {csv_path}\ntotals:   {course_dir / 'totals.csv'}\nreport:   {report_path}\nfeedback: {course_dir / 'feedback'}")
    return 0


def cmd_export(args) -> int:
    """One row per student, a column per assignment, in the layout an LMS imports (autograde.export)."""
    from autograde import course, export, outputs
    from autograde.coursedir import CourseDirError, lock

    course_dir = Path(args.course_dir).resolve()
    if not (course_dir / "gradebook.db").is_file() or not (course_dir / outputs.CACHE_DIR / "cache").is_dir():
        print(f"autograde: error: {course_dir} is not a course graded by `autograde grade` (expected gradebook.db and "
              f"{outputs.CACHE_DIR}/cache/ in it); grade it first: autograde grade --course-dir {course_dir}", file=sys.stderr)
        return 2
    try:
        with lock(course_dir, wait=args.wait):
            path, notes = export.export(course_dir, args.format, Path(args.output).resolve() if args.output else None)
    except (CourseDirError, OSError, ValueError, course.CourseError) as exc:
        _error(exc)
        return 2
    for note in notes:
        print(f"note: {printable(note)}")
    print(f"{args.format}: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    # the command's own process skips jsonschema's IRI grammar (3 s; autograde.startup), as the workers do
    # (classroom._init_worker): before anything imports nbformat, which imports jsonschema
    from autograde.startup import skip_iri_grammar

    skip_iri_grammar()
    parser = argparse.ArgumentParser(prog="autograde", description="Grade nncourse notebooks safely, in parallel, on top of nbgrader.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a class: SUBMISSIONS/<student>/<assignment>/*.ipynb")
    g.add_argument("submissions", nargs="?", help="folder of submissions, laid out as nbgrader's submitted/ folder "
                                                  "(default: the course's submitted/, where `nbgrader collect` puts them)")
    g.add_argument("--course-dir", required=True, help="course work directory: gradebook.db, feedback/, grades.csv, report.html")
    g.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1), help="notebooks graded at once (default: cores)")
    g.add_argument("--scheduler", help="run on Dask: 'local' for a LocalCluster, or a scheduler address (tcp://host:8786)")
    g.add_argument("--student", action="append", help="grade only this student (repeatable)")
    g.add_argument("--force", action="store_true", help="re-grade even what has not changed")
    g.add_argument("--table", action="store_true", help="also print a per-question table")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.add_argument("--wait", action="store_true", help="if another run is grading the same course, wait for it (default: refuse)")
    g.add_argument("--sandbox", choices=MODES, default="auto", help=_SANDBOX_HELP)
    g.add_argument("--unsafe-no-sandbox", action="store_true", help="run student code without the sandbox (NOT for a class)")
    _add_limits(g)
    g.set_defaults(func=cmd_grade)
    s = sub.add_parser("self", help="grade your own notebook (or every notebook of the course in a folder) and see feedback")
    s.add_argument("notebook", help="a notebook, or a folder: every notebook of the course in it, with a progress table")
    s.add_argument("--assignment", help="assignment id, e.g. 01_perceptron (guessed from the file name)")
    s.add_argument("--course-dir", help="grade in a kept nbgrader course here (slower: the class pipeline)")
    s.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1), help="notebooks of a folder graded at once")
    s.add_argument("--sandbox", choices=MODES, default="auto", help=_SANDBOX_HELP)
    s.add_argument("--unsafe-no-sandbox", action="store_true", help="grade without bubblewrap (your own code only)")
    _add_limits(s)
    s.set_defaults(func=cmd_self)
    r = sub.add_parser("report", help="rebuild grades.csv, totals.csv, feedback and report.html from the gradebook "
                                      "(after manual grading in formgrader); runs no notebook")
    r.add_argument("--course-dir", required=True, help="a course directory graded by `autograde grade`")
    r.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1), help="feedback pages rendered at once")
    r.add_argument("--force", action="store_true", help="re-render every feedback page, even unchanged ones")
    r.add_argument("--wait", action="store_true", help="wait for a grading run on the same course to finish")
    r.add_argument("--table", action="store_true", help="also print a per-question table")
    r.set_defaults(func=cmd_report)
    x = sub.add_parser("export", help="grades for an LMS: one row per student, one column per assignment")
    x.add_argument("--course-dir", required=True, help="a course directory graded by `autograde grade`")
    x.add_argument("--format", required=True, choices=["canvas", "moodle", "wide"],
                   help="canvas: Canvas's gradebook import; moodle: Moodle's CSV grade import; wide: a spreadsheet")
    x.add_argument("--output", help="the CSV file to write (default: COURSE/grades-FORMAT.csv)")
    x.add_argument("--wait", action="store_true", help="wait for a grading run on the same course to finish")
    x.set_defaults(func=cmd_export)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
