"""Visible checks: messages a student can read, tracebacks that end at the student's own cell."""
from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from nbcourse import checks


def test_messages_print_plain_numbers_under_numpy_2():
    """Does a failed check say `got 1, expected 0.5`, never numpy 2's `np.float64(0.5)`?"""
    with pytest.raises(checks.CheckFailed) as err:
        checks.expect_close(np.array([1.0, 2.0]), np.array([0.5, 2.0]), "sigmoid(z)")
    assert "np.float64" not in str(err.value) and "got 1, expected 0.5" in str(err.value)
    with pytest.raises(checks.CheckFailed) as err:
        checks.expect_equal(np.array([0.0, 1.0]), np.array([0.5, 1.0]), "step(z)")
    assert "np.float64" not in str(err.value) and "is 0, expected 0.5" in str(err.value)


@pytest.mark.slow
def test_traceback_ends_at_the_students_cell():
    """In a real kernel, is a failed check still an error output (so nbgrader counts it) whose traceback
    shows the student's line and the message, but none of nbcourse/checks.py's internals?"""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import numpy as np, nbcourse as nc\n"
        "nc.checks.expect_close(np.array([1.0, 2.0]), [0.5, 2.0], 'sigmoid(z)')")])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    errors = [o for o in nb.cells[0].outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "CheckFailed"
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(errors[0].traceback))
    assert "nc.checks.expect_close(np.array([1.0, 2.0])" in text  # the student's own line
    assert "got 1, expected 0.5" in text
    assert "checks.py" not in text and "raise CheckFailed" not in text


def test_needs_turns_an_unwritten_answer_into_one_line(capsys):
    """Does `with nc.needs(...)` print 'implement X first' for a stub (NotImplementedError) or a value answer whose
    cell failed (NameError of that name), and still raise any other error?"""
    import nbcourse as nc

    def stub(z):
        raise NotImplementedError()

    with nc.needs("step"):
        stub(0)
    with nc.needs("AND_WEIGHTS"):
        AND_WEIGHTS  # noqa: F821 - never defined: its answer cell raised
    out = capsys.readouterr().out
    assert "implement `step` first" in out and "implement `AND_WEIGHTS` first" in out
    with pytest.raises(NameError):
        with nc.needs("step"):
            some_typo  # noqa: F821 - a real bug in the cell must still show
    with pytest.raises(ZeroDivisionError):
        with nc.needs("step"):
            1 / 0
