"""The students' install files agree with each other, with the instructors' install and with nbgrader 0.9.6.

students/pyproject.toml (the wheel's dependencies), requirements-students.txt (a JupyterHub image) and
environment-students.yml (conda) list the same packages with the same ranges, and those ranges are the
instructors' (pyproject.toml), so students run the notebooks on what the grader and the tests run them on.
The commands docs/students.md gives to hide nbgrader's instructor extensions name every instructor plugin and
server extension of the installed nbgrader, and none that students use (Assignment List, Validate).
"""
from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
# what students use of nbgrader: the Assignment List (fetch, submit, feedback), Validate, and the menu they sit in
STUDENT_PLUGINS = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:menu"}
STUDENT_SERVER = {"nbgrader.server_extensions.assignment_list", "nbgrader.server_extensions.validate_assignment"}


def _reqs(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        r = Requirement(line)
        out[canonicalize_name(r.name)] = str(r.specifier)
    return out


def _students_pyproject() -> dict[str, str]:
    return _reqs(tomllib.loads((REPO / "students" / "pyproject.toml").read_text())["project"]["dependencies"])


def test_requirements_file_is_the_wheels_dependencies():
    """Does requirements-students.txt list exactly the students' wheel's dependencies, with the same ranges?"""
    lines = [ln.strip() for ln in (REPO / "requirements-students.txt").read_text().splitlines()]
    assert _reqs(ln for ln in lines if ln and not ln.startswith("#")) == _students_pyproject()


def test_conda_file_is_the_wheels_dependencies():
    """Does environment-students.yml list the same packages and ranges (conda's `=x.y.z` for `==x.y.z`)?"""
    deps = yaml.safe_load((REPO / "environment-students.yml").read_text())["dependencies"]
    conda = {}
    for dep in deps:
        if not isinstance(dep, str) or dep in ("pip", "python") or dep.startswith("python"):
            continue
        name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", dep).groups()
        conda[canonicalize_name(name)] = str(Requirement(name + re.sub(r"(?<![<>=!])=(?!=)", "==", spec)).specifier)
    assert conda == _students_pyproject()


def test_students_get_the_instructors_ranges():
    """Is every dependency of the students' wheel also the instructors', with the same range (nbgrader==0.9.6 on both
    sides of the exchange), and is nothing of the grader's own stack (dask, nh3, ...) among the students'?"""
    instructors = _reqs(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    students = _students_pyproject()
    for name, spec in students.items():
        assert instructors.get(name) == spec, (name, spec, instructors.get(name))
    assert not {"dask", "nh3", "markdown-it-py", "confusable-homoglyphs", "tqdm"} & set(students)


def test_students_wheel_packages_only_nbcourse():
    """Does students/pyproject.toml package nbcourse (mapped from the repository's nbcourse/) and nothing else?"""
    tool = tomllib.loads((REPO / "students" / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert tool["package-dir"] == {"nbcourse": "../nbcourse"}
    assert all(p == "nbcourse" or p.startswith("nbcourse.") for p in tool["packages"])
    on_disk = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "nbcourse").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert set(tool["packages"]) == on_disk, "a folder of nbcourse/ is not packaged for students (or one is gone)"


def _documented_commands() -> list[str]:
    text = (REPO / "docs" / "students.md").read_text()
    return re.findall(r"jupyter (?:labextension (?:disable|lock)|server extension disable)[^\n\\&`]*", text)


def _nbgrader_lab_plugins() -> set[str]:
    static = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    found = set()
    for js in static.glob("*.js"):
        found |= set(re.findall(r'"(@jupyter/nbgrader:[a-z-]+)"', js.read_text(errors="replace")))
    return found


def _nbgrader_server_extensions() -> set[str]:
    conf = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json"
    return set(json.loads(conf.read_text())["ServerApp"]["jpserver_extensions"])


def test_documented_commands_hide_every_instructor_extension_and_keep_the_students():
    """Do docs/students.md's commands disable and lock every nbgrader plugin but the Assignment List, Validate and
    their menu, and disable every nbgrader server extension but theirs, by the names the installed nbgrader uses?"""
    commands = _documented_commands()
    plugins, servers = _nbgrader_lab_plugins(), _nbgrader_server_extensions()
    assert STUDENT_PLUGINS <= plugins and STUDENT_SERVER <= servers, (plugins, servers)  # names read right

    def named(prefix: str) -> set[str]:
        return {w for c in commands if c.startswith(prefix) for w in c.split()[len(prefix.split()):] if not w.startswith("-")}

    disabled, locked = named("jupyter labextension disable"), named("jupyter labextension lock")
    server_off = named("jupyter server extension disable")
    assert disabled == locked == plugins - STUDENT_PLUGINS, (disabled, locked, plugins)
    assert server_off == servers - STUDENT_SERVER, (server_off, servers)
    assert all("--level=sys_prefix" in c or "--sys-prefix" in c for c in commands), commands
