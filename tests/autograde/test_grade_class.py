"""`autograde grade` on the demo's class: the grades, Dask, re-runs, one student, the CLI, and refusing without a sandbox."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde import classroom, course, coursedir, demo, samples, sandbox

pytestmark = pytest.mark.slow
ASSIGNMENT = "01_perceptron"


def _points(source_nb) -> dict[str, float]:
    nb = nbformat.read(str(source_nb), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


@pytest.fixture(scope="module")
def demo_class(tmp_path_factory):
    """The demo's course and its three submissions, graded on a Dask LocalCluster."""
    course_dir = tmp_path_factory.mktemp("demo-course")
    coursedir.new_course_dir(course_dir, only=["01_perceptron"])  # what these tests grade: one release, not seven
    demo.make_samples(course_dir)
    opts = classroom.Options(workers=2, scheduler="local", progress=False, force=True)
    summary = classroom.grade_class(course_dir / "submitted", course_dir, opts)
    return course_dir, summary


def _scores(rows, student):
    return {r.grade_id: r.score for r in rows if r.student_id == student and r.status != "manual"}


def test_dask_grades_the_demo_class_right(demo_class, source_nb01):
    """On a Dask LocalCluster: solved full marks, untouched zero, buggy loses exactly its two functions?"""
    _, summary = demo_class
    points = _points(source_nb01)
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    assert _scores(summary.rows, "solved") == points
    assert _scores(summary.rows, "untouched") == {g: 0.0 for g in points}
    assert _scores(summary.rows, "buggy") == {g: (0.0 if g in lost else p) for g, p in points.items()}


def test_csv_has_the_documented_columns(demo_class, source_nb01):
    """Does grades.csv have one row per student and graded item with the documented columns?"""
    _, summary = demo_class
    header = summary.csv_path.read_text().splitlines()[0]
    assert header == "student_id,assignment,notebook,grade_id,score,max_score,status,message,diagnosis,comment"
    n_items = len(_points(source_nb01)) + 1  # + the written question
    assert len(course.read_csv(summary.csv_path)) == 3 * n_items


def test_report_has_a_histogram_per_question(demo_class, source_nb01):
    """Does the HTML report hold one score histogram and one outcome chart per autograded question?"""
    _, summary = demo_class
    html = summary.report_path.read_text()
    for gid in _points(source_nb01):
        assert html.count(f"alt='histogram of {gid}'") == 1 and html.count(f"alt='outcomes of {gid}'") == 1, gid


def test_rerun_grades_nothing_unchanged(demo_class):
    """Does a second run with no change re-grade nothing and keep the same grades?"""
    course_dir, first = demo_class
    again = classroom.grade_class(course_dir / "submitted", course_dir, classroom.Options(workers=2, progress=False))
    assert again.graded == 0 and again.cached == 3
    assert sorted(map(tuple, (r.as_dict().values() for r in again.rows))) == sorted(map(tuple, (r.as_dict().values() for r in first.rows)))


def test_changed_submission_is_regraded_alone(demo_class, source_nb01, release_nb01, tmp_path):
    """After one student fixes a bug, does --student re-grade just that notebook and keep the others' rows?"""
    course_dir, _ = demo_class
    fixed = samples.solved(release_nb01, source_nb01)
    samples.write_submission(fixed, course_dir / "submitted", "buggy", ASSIGNMENT, "perceptron.ipynb")
    summary = classroom.grade_class(course_dir / "submitted", course_dir,
                                    classroom.Options(workers=1, students=["buggy"], progress=False))
    assert summary.graded == 1
    rows = course.read_csv(summary.csv_path)
    assert _scores(rows, "buggy") == _points(source_nb01)
    assert {r.student_id for r in rows} == {"solved", "untouched", "buggy"}


def test_unknown_student_is_a_clear_error(demo_class):
    """Does --student with a name that has no folder say which folder was expected?"""
    course_dir, _ = demo_class
    with pytest.raises(ValueError, match="no submission folder for student"):
        classroom.grade_class(course_dir / "submitted", course_dir, classroom.Options(students=["nobody"], progress=False))


def test_cli_grade_prints_summary_and_table(tmp_path, source_nb01, release_nb01):
    """Does `autograde grade` from the shell grade a folder and print the summary and the table?"""
    subs = tmp_path / "subs"
    samples.write_submission(samples.solved(release_nb01, source_nb01), subs, "ada", ASSIGNMENT, "perceptron.ipynb")
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([str(exe), "grade", str(subs), "--course-dir", str(tmp_path / "course"), "--table", "--no-progress"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "graded 1 notebook(s)" in proc.stdout
    total = sum(_points(source_nb01).values())
    assert f"{total:g}/{total:g}" in proc.stdout


def test_cli_self_grades_one_notebook(tmp_path, source_nb01, release_nb01):
    """Does `autograde self NOTEBOOK` print per-question results and write feedback next to the notebook?"""
    nb_path = tmp_path / "perceptron.ipynb"
    nbformat.write(samples.with_answers(samples.solved(release_nb01, source_nb01), samples.BUGGY_01), str(nb_path))
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([str(exe), "self", str(nb_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "[FAIL] test_step" in proc.stdout and "[PASS] test_sign" in proc.stdout
    assert (tmp_path / "perceptron.feedback.html").exists()


def test_grader_refuses_without_bubblewrap(tmp_path, monkeypatch):
    """With no bubblewrap on PATH, does the grader refuse and say what it would not protect?"""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(sandbox.SandboxUnavailable, match="bwrap.*source notebooks"):
        sandbox.check_available()


def test_cli_says_no_sandbox_loudly(tmp_path):
    """Does `autograde grade` exit with an error naming bubblewrap when it is missing?"""
    subs = tmp_path / "subs" / "x" / ASSIGNMENT
    subs.mkdir(parents=True)
    env = {**os.environ, "PATH": str(tmp_path / "nothing")}
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([sys.executable, str(exe), "grade", str(tmp_path / "subs"), "--course-dir", str(tmp_path / "c")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "bwrap" in proc.stderr


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real Dask scheduler and two workers, each a process of its own started from the shell (`dask scheduler`,
    `dask worker`), as on a cluster."""
    import json
    import time

    folder = tmp_path_factory.mktemp("dask")
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = open(folder / "dask.log", "w")
    procs = [subprocess.Popen([str(bindir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address",
                               ":0", "--scheduler-file", str(folder / "scheduler.json")], stdout=log, stderr=subprocess.STDOUT, env=env)]
    try:
        deadline = time.monotonic() + 120
        while not (folder / "scheduler.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads((folder / "scheduler.json").read_text())["address"]
        for _ in range(2):
            procs.append(subprocess.Popen([str(bindir / "dask"), "worker", address, "--nthreads", "1", "--nworkers", "1",
                                           "--dashboard-address", ":0"], stdout=log, stderr=subprocess.STDOUT, env=env))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)


def test_a_dask_cluster_grades_and_renders_as_local_grading_does(dask_cluster, tmp_path):
    """On a real scheduler with two worker processes, is every grade and every feedback page the same as local
    grading gives (same case seed), and did the workers render the feedback (the scheduler ran _render tasks)?"""
    from distributed import Client

    courses = {}
    for name, scheduler in (("cluster", dask_cluster), ("local", None)):
        course_dir = tmp_path / name
        coursedir.new_course_dir(course_dir, only=[ASSIGNMENT])
        demo.make_samples(course_dir)
        opts = classroom.Options(workers=2, scheduler=scheduler, progress=False, seed=1234)
        summary = classroom.grade_class(None, course_dir, opts)
        courses[name] = (course_dir, summary)
    (cdir, csum), (ldir, lsum) = courses["cluster"], courses["local"]
    assert [r.as_dict() for r in csum.rows] == [r.as_dict() for r in lsum.rows]
    assert csum.rendered == lsum.rendered == 3
    for page in sorted((ldir / "feedback").rglob("*.html")):
        assert (cdir / page.relative_to(ldir)).read_text() == page.read_text(), page.relative_to(ldir)
    with Client(dask_cluster) as client:
        prefixes = set(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes)))
    assert {"grade_notebook", "render"} <= prefixes, prefixes   # dask names a task by its function, without the leading _


def test_one_changed_submission_is_graded_rendered_and_recorded_alone(tmp_path, source_nb01, release_nb01):
    """In a graded class, after one student changes their notebook, does a re-run grade that one notebook, render only
    its feedback page, write only its grades to the gradebook, and leave every other output's page untouched?"""
    course_dir = tmp_path / "course"
    coursedir.new_course_dir(course_dir, only=[ASSIGNMENT])
    for sid, nb in (("ada", samples.solved(release_nb01, source_nb01)), ("bob", samples.untouched(release_nb01)),
                    ("cy", samples.with_answers(samples.solved(release_nb01, source_nb01), samples.BUGGY_01))):
        samples.write_submission(nb, course_dir / "submitted", sid, ASSIGNMENT, "perceptron.ipynb")
    opts = classroom.Options(workers=2, progress=False, use_sandbox=False)
    classroom.grade_class(None, course_dir, opts)
    pages = {p: p.stat().st_mtime_ns for p in (course_dir / "feedback").rglob("*.html")}
    again = classroom.grade_class(None, course_dir, opts)
    assert (again.graded, again.rendered) == (0, 0) and again.recorded["grades"] == 0
    fixed = samples.solved(release_nb01, source_nb01)
    samples.write_submission(fixed, course_dir / "submitted", "cy", ASSIGNMENT, "perceptron.ipynb")
    summary = classroom.grade_class(None, course_dir, opts)
    assert (summary.graded, summary.cached, summary.rendered) == (1, 2, 1)
    assert summary.recorded["grades"] == len(samples.BUGGY_POINTS_01)   # the two functions it fixed
    changed = {p for p, t in pages.items() if p.stat().st_mtime_ns != t}
    assert changed == {course_dir / "feedback" / "cy" / ASSIGNMENT / "perceptron.html"}


def test_cli_self_grades_a_folder_and_prints_the_course_progress(tmp_path, source_nb01, release_nb01):
    """Does `autograde self FOLDER` grade every notebook of the course in it and print a progress table (done, not
    started, the named mistakes), writing each notebook's feedback beside it and naming a notebook it does not know?"""
    root = course.REPO
    (tmp_path / "01_perceptron").mkdir()
    nbformat.write(samples.with_answers(samples.solved(release_nb01, source_nb01), samples.BUGGY_01),
                   str(tmp_path / "01_perceptron" / "perceptron.ipynb"))
    (tmp_path / "06_optimizers").mkdir()
    shutil_copy = __import__("shutil").copy
    shutil_copy(root / "notebooks" / "06_optimizers" / "optimizers.ipynb", tmp_path / "06_optimizers" / "optimizers.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), str(tmp_path / "scratch.ipynb"))
    exe = Path(sys.executable).parent / "autograde"
    proc = subprocess.run([str(exe), "self", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.split("\n\n", 1)[1]
    line01 = next(x for x in table.splitlines() if x.startswith("01_perceptron/perceptron.ipynb"))
    line06 = next(x for x in table.splitlines() if x.startswith("06_optimizers/optimizers.ipynb"))
    total = sum(_points(source_nb01).values())
    lost = sum(p for _, p in samples.BUGGY_POINTS_01.values())
    assert f"{total - lost:g} / {total:g}" in line01 and "2 left: test_step, test_perceptron_train" in line01
    assert "not started" in line06
    assert "mistakes the grader recognised" in table and "01_perceptron/test_step" in table
    assert "scratch.ipynb: not a notebook of the course" in proc.stdout
    assert (tmp_path / "01_perceptron" / "perceptron.feedback.html").is_file()
    assert (tmp_path / "06_optimizers" / "optimizers.feedback.html").is_file()
