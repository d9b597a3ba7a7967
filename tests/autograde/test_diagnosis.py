"""The in-process path (check, under plain nbgrader) names a known mistake as the grader does."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograde.check import check
from autograde.items import demo_bugs, get_item


@pytest.fixture(autouse=True)
def _fixed_seed(monkeypatch):
    monkeypatch.setenv("AUTOGRADE_SEED", "2024")


def _says(name: str, mistake_id: str) -> str:
    return next(m.says for m in get_item(name).mistakes if m.id == mistake_id)


def test_check_names_the_exp_plus_sigmoid():
    """Does check("sigmoid", ...) on a sigmoid written with exp(+z) fail with "this looks like: <its sentence>"?"""
    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))
    with pytest.raises(AssertionError) as info:
        check("sigmoid", sigmoid)
    assert f"this looks like: {_says('sigmoid', 'exp_plus')}" in str(info.value)


def test_check_names_the_demo_step_bug():
    """Is the demo's buggy step (0 at z = 0), written as a student would, named by check?"""
    namespace: dict = {"np": np}
    exec(textwrap.dedent(demo_bugs("01_perceptron")["step"]), namespace)
    with pytest.raises(AssertionError) as info:
        check("step", namespace["step"])
    assert f"this looks like: {_says('step', 'zero_at_zero')}" in str(info.value)


def test_check_names_nothing_it_does_not_recognise():
    """Does a wrong answer that no known mistake reproduces fail without a guessed diagnosis?"""
    with pytest.raises(AssertionError) as info:
        check("relu", lambda z: np.maximum(0.0, np.asarray(z, dtype=float)) + 1.0)
    assert "this looks like" not in str(info.value)
