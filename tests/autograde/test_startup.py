"""The start-up work the grader skips (autograde.startup) changes nothing nbgrader writes."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autograde import startup


def test_the_in_process_alembic_head_is_the_one_nbgraders_subprocess_prints():
    """Does the head revision read with alembic's API equal what nbgrader's own `alembic heads` subprocess gives?"""
    from nbgrader.dbutil import _temp_alembic_ini

    bindir = Path(sys.executable).parent
    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:  # nbgrader.api.get_alembic_version, unpatched
        out = subprocess.run([str(bindir / "alembic"), "-c", ini, "heads"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert startup._alembic_head() == out.stdout.split("\n")[0].split(" ")[0] != ""


@pytest.mark.slow
def test_a_gradebook_made_through_the_kits_nbgrader_command_is_one_nbgrader_upgrades_as_current(tmp_path):
    """Does `nbgrader generate_assignment` run as the kit runs it (autograde.course.nbgrader) make a gradebook at
    alembic's head, which nbgrader's own `nbgrader db upgrade` then finds current?"""
    from autograde import coursedir

    coursedir.new_course_dir(tmp_path / "course", only=["01_perceptron"])
    with sqlite3.connect(tmp_path / "course" / "gradebook.db") as db:
        [(version,)] = db.execute("select version_num from alembic_version").fetchall()
    assert version == startup._alembic_head()
    bindir = str(Path(sys.executable).parent)  # nbgrader runs `alembic upgrade` from PATH
    up = subprocess.run([sys.executable, "-m", "nbgrader", "db", "upgrade"], cwd=tmp_path / "course", capture_output=True,
                        text=True, timeout=300, env={**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")})
    assert up.returncode == 0, up.stdout + up.stderr
    with sqlite3.connect(tmp_path / "course" / "gradebook.db") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [(version,)]
