"""autograde: grading nncourse notebooks on top of nbgrader.

- :mod:`autograde.reference` — the reference loader (the only way to reach solution code);
- :mod:`autograde.items` / :mod:`autograde.spec` — graded items, their cases and the trusted comparison;
- :mod:`autograde.check` — ``check(name, answer)``, the one call of every hidden-test cell;
- :mod:`autograde.course` — release, plain nbgrader, gradebook rows and tables;
- :mod:`autograde.demo` — ``make demo``.
"""
__version__ = "0.1.0"
