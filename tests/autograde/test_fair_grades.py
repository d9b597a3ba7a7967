"""Issue 17, "Fair grades": one test per case it found (a correct function never pays for another's bug, no known
wrong answer earns full marks, "✓ looks right" means it, messages can be read, math reads offline).

The mechanisms are tested in general elsewhere (tests/autograde/test_mutation.py: isolation for every caller/callee
pair, every known mistake rejected and named, the visible checks' agreement; tests/autograde/test_mathml.py and
tests/browser/test_feedback_math.py: math offline). These are the cases as the issue reported them.
"""
from __future__ import annotations

import re
import textwrap

import nbformat
import numpy as np
import pytest

from autograde import agreement, grader
from autograde.check import run_cases
from autograde.course import GradeRow
from autograde.items import all_items
from autograde.reference import course_root, load_reference, source_notebook
from autograde import samples


def _graded(notebook: str, answers: dict[str, str]) -> dict[str, GradeRow]:
    """The solved notebook with some answer cells replaced, graded in the sandbox: its rows by grade id."""
    source = source_notebook(notebook)
    release = course_root() / "notebooks" / notebook / source.name
    sub = samples.with_answers(samples.solved(release, source), answers)
    job = grader.Job("s", notebook, source.name, source.read_text(), nbformat.writes(sub).encode(), source.name, seed=3)
    return {r.grade_id: r for r in grader.grade_notebook(job).rows}


def _judged(name: str, answer, seed: int = 0):
    item = all_items()[name]
    return run_cases(item, answer, getattr(load_reference(item.notebook), name), seed)


def _mistake(name: str, mistake_id: str):
    return next(m.impl for m in all_items()[name].mistakes if m.id == mistake_id)


# ------------------------------------------------------------------ 1. a correct function loses its points to a buggy helper

@pytest.mark.slow
def test_case1_correct_callers_keep_their_points_beside_buggy_helpers_in_notebook_02():
    """Issue case 1: a correct mlp_forward got 0/2 because layer_forward lacked the bias. Graded in the sandbox now, does
    mlp_forward keep 2/2 while layer_forward alone loses its points, with no message on mlp_forward?"""
    rows = _graded("02_mlp", {"layer_forward": '''
        def layer_forward(A_prev, W, b, activation):
            if activation not in ACTIVATIONS:
                raise ValueError(activation)
            Z = W @ A_prev                         # the bias forgotten
            return ACTIVATIONS[activation](Z), (A_prev, W, b, Z, activation)
    '''})
    assert rows["test_layer_forward"].score == 0 and rows["test_layer_forward"].diagnosis == "no_bias"
    assert rows["test_mlp_forward"].score == 2 and rows["test_mlp_forward"].message == ""


@pytest.mark.slow
def test_case1_fit_neuron_keeps_its_points_beside_a_wrong_gradient_and_minibatches():
    """Issue case 1: a correct fit_neuron got 0/3 because of neuron_square_loss_grad, and the hint blamed minibatches,
    whose bug was in drop_last=True, which fit_neuron never uses. Does fit_neuron now keep 3/3 beside both bugs?"""
    rows = _graded("04_gradient_descent", {
        "neuron_square_loss_grad": '''
            def neuron_square_loss_grad(w, b, X, y):
                m = X.shape[1]
                a = sigmoid(w @ X + b)
                d = 2.0 * (a - y) / m                  # the sigmoid's derivative left out
                return float(np.sum((a - y) ** 2) / m), X @ d, float(np.sum(d))
        ''',
        "minibatches": '''
            def minibatches(X, Y, batch_size, rng, drop_last=False):
                m = X.shape[1]
                order = rng.permutation(m)
                return [(X[:, order[k:k + batch_size]], Y[..., order[k:k + batch_size]]) for k in range(0, m, batch_size)]
        '''})
    assert rows["test_neuron_square_loss_grad"].score == 0
    assert rows["test_minibatches"].score == 0 and rows["test_minibatches"].diagnosis == "ignores_drop_last"
    assert rows["test_fit_neuron"].score == 3 and rows["test_fit_neuron"].message == ""


@pytest.mark.slow
def test_case1_cross_entropy_keeps_its_points_beside_a_softmax_that_returns_nan():
    """Issue case 1: a correct cross_entropy that reuses a softmax returning NaN got 0/2 (and in notebook 03 nothing
    cascaded the same way). Does it keep 2/2 now?"""
    rows = _graded("03_losses", {"softmax": '''
        def softmax(Z):
            E = np.exp(Z)
            return E / np.sum(E, axis=0, keepdims=True)
    ''', "cross_entropy": '''
        def cross_entropy(Z, Y):
            m = Z.shape[1]
            Z_max = np.max(Z, axis=0, keepdims=True)
            lse = Z_max + np.log(np.sum(np.exp(Z - Z_max), axis=0, keepdims=True))
            return float(np.sum(lse - np.sum(Y * Z, axis=0, keepdims=True)) / m), (softmax(Z) - Y) / m
    '''})
    assert rows["test_softmax"].score == 0
    assert rows["test_cross_entropy"].score == 2, rows["test_cross_entropy"].message


def test_case1_a_blamed_callee_is_named_in_plain_grammar():
    """Issue case 1: the hint read "calls your neuron_square_loss_grad, minibatches, which failed its own test". Where
    the student's own failing callees did answer, does the message list them as a list, with the verb agreeing?"""
    from autograde import isolation

    verdict = grader.NameVerdict("failed", "xor_network: the XOR truth table: output: ...", calls=[{"own": [
        {"callee": "step", "recorded": False}, {"callee": "sign", "recorded": False}]}], failed_cases=[0])
    by_name = {"step": grader.NameVerdict("failed"), "sign": grader.NameVerdict("failed"), "xor_network": verdict}
    isolation.explain(["xor_network"], by_name, None)
    assert "your xor_network ran your own step and sign, which fail their own tests" in verdict.message
    assert ": fix step first, and xor_network may pass too)" in verdict.message


def test_case1_the_visible_check_says_the_caller_is_right_and_the_helper_is_not():
    """Issue case 1: the visible checks never said that a correct mlp_forward failed because of layer_forward. With a
    layer_forward that caches A where Z belongs, does the visible check of the reference mlp_forward say so?"""
    message = agreement.fresh_verdict("mlp_forward", {"layer_forward": _mistake("layer_forward", "cache_holds_A")})
    assert "your mlp_forward is right with a correct layer_forward" in message and "fix that first" in message


# ------------------------------------------------------------------ 2. wrong answers with full marks

@pytest.mark.parametrize("name,mistake_id", [
    ("softmax", "mean_shift"), ("accuracy", "ties_count"), ("train_mlp", "epochs_from_0"), ("train_mlp", "batch_loss"),
    ("train_mlp", "no_shuffle"), ("fit_neuron", "gd_draws_from_rng"), ("relu_grad", "booleans"), ("count_params", "float_count"),
])
def test_case2_a_wrong_answer_that_had_full_marks_is_rejected_and_named(name, mistake_id):
    """Issue case 2: mean-shifted softmax, accuracy counting any tied label, train_mlp's callback epochs from 0, its
    mini-batch loss and no shuffling, 'gd' drawing from rng, bool relu_grad, float count_params all had full marks.
    Does each now fail its hidden cases and get named?"""
    verdict = _judged(name, _mistake(name, mistake_id))
    assert not verdict.ok and verdict.diagnosis is not None and verdict.diagnosis.id == mistake_id, verdict.text(name)


def test_case2_softmax_of_the_column_1000_minus_1000_is_a_hidden_case():
    """Issue case 2: the mean-shifted softmax returns [[nan], [0]] on the column (1000, -1000), which the spec's
    "stable for logits of ±1000" covers. Is that column among softmax's hidden cases, on every seed?"""
    for seed in (0, 1, 2):
        cases = all_items()["softmax"].cases(np.random.default_rng(seed))
        assert any(c.args[0].shape == (2, 1) and list(c.args[0][:, 0]) == [1000.0, -1000.0] for c in cases)


def test_case2_the_minor_decisions_are_written_in_their_items():
    """Issue case 2: "decide per case and say why". Does each minor case's item say what was decided and why?"""
    import inspect

    from autograde.items import backprop, gradient_descent, losses, mlp

    for module, marker in [(losses, "sigmoid_binary_cross_entropy"), (gradient_descent, "fit_neuron"),
                           (backprop, "relu_grad"), (mlp, "count_params")]:
        assert re.search(rf'Decided \(issue 17, a "minor" case\):[^\n]*(\n\s*#[^\n]*)*\n\s*Item\("{marker}"|'
                         rf'Decided \(issue 17, a "minor" case\): {marker}', inspect.getsource(module)), marker


def test_case2_a_naive_sigmoid_in_the_gradient_keeps_its_marks():
    """Issue case 2, decided: sigmoid_binary_cross_entropy whose gradient uses the naive sigmoid (numpy warns about an
    overflow at z = -1000, the value is exact) keeps full marks, as DESIGN's rule for correct but naive formulas says."""
    impl = next(a.impl for a in all_items()["sigmoid_binary_cross_entropy"].alternatives if a.id == "naive_sigmoid_gradient")
    assert _judged("sigmoid_binary_cross_entropy", impl).ok


# ------------------------------------------------------------------ 3. "✓ looks right", then points lost (and the reverse)

@pytest.mark.parametrize("name,mistake_id", [("fit_neuron", "sgd_uses_batch_size"), ("minibatches", "drops_full_batch"),
                                             ("layer_forward", "tanh_is_sigmoid"), ("dropout_forward", "in_place")])
def test_case3_the_visible_check_rejects_what_the_hidden_tests_reject(name, mistake_id):
    """Issue case 3: fit_neuron('sgd') using batch_size, a drop_last that drops a full last batch, and 'tanh' computed as
    a sigmoid passed the visible checks and lost points. Do the visible check and the hidden tests now both reject each
    (and an in-place dropout, now that the spec says inputs stay unchanged)?"""
    impl = _mistake(name, mistake_id)
    assert agreement.verdict(name, impl) != ""
    assert not _judged(name, impl).ok


def test_case3_the_dropout_check_builds_its_expectation_from_an_untouched_input():
    """Issue case 3, the reverse: a correct in-place dropout failed the visible check with a wrong "expected 24" (built from
    the A it had changed). Does the visible check now say that A was changed in place, not a wrong expected value?"""
    message = agreement.verdict("dropout_forward", _mistake("dropout_forward", "in_place"))
    assert "changed its argument 1 in place" in message and "expected" not in message


# ------------------------------------------------------------------ 4. messages that cannot be read

def test_case4_numbers_show_the_digits_that_differ():
    """Issue case 4: "entry [1] is 1.1, expected 1.1 (difference 6.12e-08)". Does the message show enough digits to see
    the difference, and the relative error?"""
    from autograde.spec import compare

    item = all_items()["adam_step"]
    verdict = compare(item, [np.array([1.0, 1.1 + 6.12e-8])], [np.array([1.0, 1.1])])
    assert "is 1.1000001, expected 1.1" in verdict.message and "relative 5.6e-08" in verdict.message


def test_case4_adams_efficient_form_with_the_plain_eps_is_named():
    """Issue case 4: Adam's "efficient" form with the plain eps failed with no diagnosis. Is it named now?"""
    verdict = _judged("adam_step", _mistake("adam_step", "efficient_plain_eps"))
    assert not verdict.ok and verdict.diagnosis.id == "efficient_plain_eps"


def test_case4_batch_sizes_are_shown_as_lists():
    """Issue case 4: batch sizes read "expected shape (3,), got shape (2,)". Are they shown as [3, 3, 1] and [3, 3]?"""
    from autograde.spec import compare

    item = all_items()["minibatches"]
    verdict = compare(item, [np.array([3.0, 3.0])], [np.array([3.0, 3.0, 1.0])])
    assert "expected [3, 3, 1] (3 entries), got [3, 3] (2 entries)" in verdict.message
    from nbcourse import checks

    with pytest.raises(checks.CheckFailed, match=r"expected \[3, 3, 1\] \(3 entries\), got \[3, 3\] \(2 entries\)"):
        checks.expect_equal([3, 3], [3, 3, 1], "batch sizes")


def test_case4_summed_biases_are_explained_not_a_bare_broadcasting_error():
    """Issue case 4: summed biases in collapse_linear surfaced as a bare broadcasting error. Does the visible check
    explain it, and do the hidden tests name the mistake (it raises the same ValueError on layers of two widths)?"""
    impl = _mistake("collapse_linear", "bias_sum")
    message = agreement.verdict("collapse_linear", impl)
    assert "a bias of one layer cannot be added to the bias of another" in message
    verdict = _judged("collapse_linear", impl)
    assert not verdict.ok and verdict.diagnosis.id == "bias_sum"


def test_case4_the_missing_one_over_m_hint_fires_for_that_and_only_that():
    """Issue case 4: a missing 1/m in mlp_loss_and_grads got no "every ratio is exactly m" hint, while the hint of
    layer_backward fired for unrelated failures. Does the hint now appear exactly when the gradients are off by m?"""
    no_m = agreement.verdict("mlp_loss_and_grads", _mistake("mlp_loss_and_grads", "no_m"), full=True)
    assert "Every entry is exactly 9 times the numeric one, and m = 9: the 1/m of the mean loss is missing" in no_m
    assert "Every entry is exactly 1/5 of the numeric one" in agreement.verdict(
        "layer_backward", _mistake("layer_backward", "divides_by_m"), full=True)
    for other in ("no_db", "transposed_dW", "no_derivative"):
        message = agreement.verdict("layer_backward", _mistake("layer_backward", other), full=True)
        assert message and "times the numeric one" not in message and "of the numeric one" not in message


# ------------------------------------------------------------------ 5. feedback math unreadable offline

def test_case5_a_feedback_page_loads_nothing_from_another_host_and_carries_its_math():
    """Issue case 5: feedback HTML loaded MathJax from a CDN, so offline every formula showed as raw $…$. Does a
    feedback page now reference no script or style of another host, and carry its formulas as MathML?"""
    from autograde import feedback

    source = nbformat.read(str(source_notebook("02_mlp")), as_version=4)
    page = feedback.render("s", "02_mlp", "mlp", source, [GradeRow("s", "02_mlp", "mlp", "test_layer_forward", 2, 2, "ok", "")])
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page) == []
    assert page.count("<math") > 20
    # the notebook's own prose (a student's written answer stays the LaTeX they typed, as text: autograde.written)
    prose = [part.split('<div class="jp-Cell', 1)[0] for part in re.split(r"<div class=[\"']jp-RenderedMarkdown[\"']>", page)[1:]]
    assert len(prose) > 10
    assert [p for p in prose if re.search(r"\$[^$<>\n]{1,80}\$", re.sub(r"<code.*?</code>", "", p, flags=re.S))] == []
