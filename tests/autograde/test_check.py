"""check(name, answer) in-process: honest answers pass, wrong ones fail with a message saying what differs."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.check import check
from autograde.items import all_items, items_of
from autograde.reference import load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference("01_perceptron")


@pytest.fixture(autouse=True)
def _fixed_seed(monkeypatch):
    monkeypatch.setenv("AUTOGRADE_SEED", "12345")


def test_every_item_of_01_has_a_reference(ref):
    """Does every graded item of notebook 01 name something the reference defines?"""
    assert [i.name for i in items_of("01_perceptron") if not hasattr(ref, i.name)] == []


def test_graded_names_are_unique_across_the_course():
    """Can a hidden test say only check("sigmoid", sigmoid) (no graded name used twice)?"""
    from autograde.items import modules

    assert len(all_items()) == sum(len(items_of(nb)) for nb in modules())


@pytest.mark.parametrize("name", [i.name for i in items_of("01_perceptron")])
def test_reference_passes_its_own_check(ref, name):
    """Does the reference answer pass the hidden check of its own name?"""
    check(name, getattr(ref, name))


def test_naive_sigmoid_passes_without_output_on_stderr(capfd):
    """Does a correct but naive 1 / (1 + exp(-z)) get full marks, with nothing written to stderr?"""
    check("sigmoid", lambda z: 1 / (1 + np.exp(-np.asarray(z, dtype=float))))
    assert capfd.readouterr().err == ""


def test_loop_implementation_passes(ref):
    """Does a correct alternative (a Python loop instead of numpy) pass the step check?"""
    def step(z):
        z = np.asarray(z, dtype=float)
        return np.array([1.0 if v > 0 else 0.0 if v < 0 else 0.5 for v in z.reshape(-1)]).reshape(z.shape)
    check("step", step)


def test_step_without_half_at_zero_names_the_entry():
    """Does a step with no 0.5 at z = 0 fail, naming the entry that differs and the expected value?"""
    with pytest.raises(AssertionError) as info:
        check("step", lambda z: (np.asarray(z) > 0).astype(float))
    assert "entry [2] is 0, expected 0.5" in str(info.value)


def test_wrong_shape_is_reported():
    """Does a neuron returning shape (1, m) instead of (m,) fail with both shapes in the message?"""
    with pytest.raises(AssertionError, match=r"expected shape \(\d+,\), got shape \(1, \d+\)"):
        check("neuron", lambda X, w, b, g: g(w[None, :] @ X + b))


def test_not_implemented_is_reported_as_such():
    """Does an untouched stub fail with 'not implemented' rather than a traceback?"""
    def relu(z):
        raise NotImplementedError()
    with pytest.raises(AssertionError, match="not implemented"):
        check("relu", relu)


def test_missing_return_is_reported():
    """Does a function that forgets `return` fail with a hint about return?"""
    with pytest.raises(AssertionError, match="forget to `return`"):
        check("tanh", lambda z: None)


def test_training_that_does_not_stop_early_fails():
    """Does a perceptron_train that runs every epoch (no early stop) fail, naming errors_per_epoch and what it means?"""
    ref = load_reference("01_perceptron")

    def no_stop(X, y, lr, epochs):
        w, b, errors = ref.perceptron_train(X, y, lr, epochs)
        return w, b, errors + [0] * (epochs - len(errors))
    with pytest.raises(AssertionError, match=r"errors_per_epoch \(the number of misclassified samples in each epoch\): expected shape"):
        check("perceptron_train", no_stop)


def test_gate_weights_on_the_line_fail():
    """Do AND weights that put (0, 1) exactly on the line (step gives 0.5) fail?"""
    with pytest.raises(AssertionError, match="is 0.5, expected 0"):
        check("AND_WEIGHTS", (np.array([1.0, 1.0]), -1.0))


def test_a_non_function_answer_is_rejected():
    """Does passing a number where a function is graded say what was expected?"""
    with pytest.raises(AssertionError, match="expected a function"):
        check("relu", 3.0)
