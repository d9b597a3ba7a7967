"""What every process of the grader skips at start-up: work that nbgrader's stack does on every start and that
changes nothing here.

Measured on the 2-core test machine (``python -X importtime``; CPU-seconds from ``/proc`` over a whole test run):

- ``import nbformat`` takes 3.4 s, 3.0 s of it in ``rfc3987_syntax``, which jsonschema imports (when installed,
  as ``jsonschema[format-nongpl]`` installs it) only to check the ``iri`` and ``iri-reference`` string formats:
  it builds an Earley grammar for them at import. No schema that nbformat, nbgrader or Jupyter validate here uses
  those formats. Skipped: ``import nbformat`` takes 0.4 s.
- A new gradebook makes nbgrader run ``alembic heads`` in a subprocess to learn the head revision of nbgrader's own
  migration scripts. That process imports nbgrader (and so nbformat) again: 6 CPU-seconds, 9 on a loaded machine,
  for every course made. :func:`fast_gradebooks` reads the same revision from the same scripts in this process,
  with alembic's API.

Neither changes what nbgrader writes (``tests/autograde/test_startup.py``: the revision is the one ``alembic heads``
prints, and nbgrader's own ``nbgrader db upgrade`` finds such a gradebook current). Every nbgrader command the kit
runs goes through :data:`NBGRADER_MAIN`.
"""
from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Before anything imports jsonschema: its IRI format checker is left out (see the module's docstring)."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _alembic_head() -> str:
    """The head revision of nbgrader's migration scripts: what ``alembic -c <nbgrader's ini> heads`` prints first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    config = Config()
    config.set_main_option("script_location", ALEMBIC_DIR)
    return ScriptDirectory.from_config(config).get_heads()[0]


def fast_gradebooks() -> None:
    """nbgrader's ``Gradebook`` learns alembic's head revision in this process, not from a subprocess."""
    skip_iri_grammar()
    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head


def nbgrader_main() -> None:
    """``python -m nbgrader``, with the two start-up costs skipped (:data:`NBGRADER_MAIN` runs it)."""
    import runpy

    fast_gradebooks()
    runpy.run_module("nbgrader", run_name="__main__", alter_sys=True)


# the command line every nbgrader command of the kit runs: ``python -c NBGRADER_MAIN <nbgrader's arguments>``
NBGRADER_MAIN = "import autograde.startup as s; s.nbgrader_main()"


# Imported once by the forkserver that starts the grader's worker processes (see worker_context): every worker is
# forked from it with these loaded, instead of importing them itself (1.5-2 CPU-s per worker, measured).
WORKER_MODULES = ["autograde.grader", "autograde.autograded", "autograde.feedback", "autograde.selfgrade"]


def worker_context():
    """The multiprocessing context of the grader's local worker pools: forkserver (no state of the trusted process
    is inherited), with the grader's modules preloaded in the server. This module goes first, so the server skips
    the IRI grammar before anything imports jsonschema."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["autograde.startup_preload", *WORKER_MODULES])
    return ctx
