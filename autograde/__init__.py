"""autograde: grading nncourse notebooks on top of nbgrader.

A class is graded in stages, each a module (``classroom.grade_class`` runs them in this order):

1. :mod:`autograde.intake` — what was handed in: student ids checked, notebooks read with bounds, nbgrader's
   timestamps and secrets read as nbgrader reads them; one :class:`~autograde.grader.Job` per notebook;
2. :mod:`autograde.plan` — the grading notebook made from the SOURCE cells and the student's answers;
3. :mod:`autograde.sandbox` — it runs under bubblewrap (:mod:`autograde.sandboxed` is what runs inside);
4. :mod:`autograde.judge` — each graded name compared with the reference on every case, known mistakes named;
5. :mod:`autograde.record` — the nbgrader gradebook written in bulk, where it differs;
6. :mod:`autograde.outputs` — feedback pages, grades.csv, totals.csv and report.html.

:mod:`autograde.grader` takes one job through stages 2–4 (it runs on a worker); :mod:`autograde.classroom`
schedules the jobs (local processes or Dask), keeps the cache and runs stages 1, 5 and 6 in the trusted
process. Around them: :mod:`autograde.reference` (the only way to reach solution code),
:mod:`autograde.items` / :mod:`autograde.spec` (graded items, their cases and the comparison),
:mod:`autograde.check` (``check(name, answer)``, the one call of every hidden-test cell under plain nbgrader),
:mod:`autograde.coursedir` (the course directory, its lock and settings), :mod:`autograde.course` (release,
plain nbgrader, grade rows and tables), :mod:`autograde.selfgrade` (``autograde self``) and
:mod:`autograde.demo` (``make demo``).
"""
__version__ = "0.1.0"
