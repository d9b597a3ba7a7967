"""Each grading step alone: reading a submission, assembling the grading notebook, the wire format, comparing."""
from __future__ import annotations

import json
import os

import nbformat
import numpy as np
import pytest

from autograde import autograded, grader, samples
from autograde.plan import make_plan
from autograde.items import get_item
from autograde.spec import Case, Seed, compare, to_arrays
from autograde.sandboxed.wire import WireError, decode_array, decode_case, encode_array, encode_case, read_untrusted_json


@pytest.fixture(scope="module")
def source(source_nb01):
    return nbformat.read(str(source_nb01), as_version=4)


def _roles(nb):
    return [(c.metadata["autograde"]["role"], c.metadata["autograde"]["key"]) for c in nb.cells]


def test_read_submission_rejects_non_utf8():
    """Is a binary file rejected as invalid with what was expected?"""
    with pytest.raises(grader.InvalidSubmission, match="not UTF-8"):
        grader.read_submission(b"\xff\xfe\x00junk")


def test_read_submission_rejects_json_that_is_not_a_notebook():
    """Is valid JSON that is not a notebook (a list) rejected as invalid?"""
    with pytest.raises(grader.InvalidSubmission, match="not a valid notebook"):
        grader.read_submission(b"[1, 2, 3]")


def test_read_submission_drops_outputs(release_nb01):
    """Are the outputs of a submission dropped before anything uses it?"""
    nb = samples.untouched(release_nb01)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 1000)]
    parsed = grader.read_submission(nbformat.writes(nb).encode())
    assert all(not c.get("outputs") for c in parsed.cells)


def test_plan_takes_tests_from_the_source_and_skips_demos(source, release_nb01):
    """Is every graded test cell of the source in the grading notebook, as a harness call, with no demo cell?"""
    sub = samples.untouched(release_nb01)
    sub.cells = [c for c in sub.cells if not c.metadata.get("nbgrader", {}).get("grade")]  # every test deleted
    plan = make_plan(source, sub)
    tests = [k for r, k in _roles(plan.notebook) if r == "test"]
    assert tests == [g.grade_id for g in plan.graded if not g.manual]
    text = "\n".join(c.source for c in plan.notebook.cells)
    assert "nc.plot" not in text and "neuron_widget" not in text
    assert "BEGIN HIDDEN" not in text and "expect_close" not in text


def test_plan_keeps_extra_cells_after_their_anchor(source, release_nb01):
    """Does a helper cell the student added after an answer run right after that answer?"""
    sub = samples.untouched(release_nb01)
    idx = next(i for i, c in enumerate(sub.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "sigmoid")
    sub.cells.insert(idx + 1, nbformat.v4.new_code_cell("def helper(z):\n    return z"))
    roles = _roles(make_plan(source, sub).notebook)
    assert roles[roles.index(("answer", "sigmoid")) + 1] == ("extra", "")


def test_plan_reports_a_missing_answer_cell(source, release_nb01):
    """Is a deleted answer cell replaced by the stub and named in the notes?"""
    sub = samples.untouched(release_nb01)
    sub.cells = [c for c in sub.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "relu"]
    plan = make_plan(source, sub)
    assert any("'relu'" in n for n in plan.notes)
    assert "NotImplementedError" in plan.notebook.cells[_roles(plan.notebook).index(("answer", "relu"))].source


def test_plan_knows_which_answer_defines_each_name(source, release_nb01):
    """Does the plan map each graded name to the answer cell that defines it (the weights to 'gates')?"""
    plan = make_plan(source, samples.untouched(release_nb01))
    assert plan.defined_in["sigmoid"] == "sigmoid" and plan.defined_in["AND_WEIGHTS"] == "gates"


def test_case_round_trips_through_json():
    """Does a case with an array, numbers, a string and a seed cross the wire unchanged?"""
    case = Case("c", (np.array([[1.5, np.nan], [np.inf, -0.0]]), 3, 0.1, "tanh", Seed(7)))
    back = decode_case(json.loads(json.dumps(encode_case(case))))
    np.testing.assert_array_equal(back.args[0], case.args[0])
    assert back.args[1:] == case.args[1:]


@pytest.mark.parametrize("bad", [
    {"shape": [2], "data": [1.0]},                      # data does not match the shape
    {"shape": [10**9, 10**9], "data": []},              # a huge claimed shape
    {"shape": [1], "data": ["1.0"]},                    # strings are not numbers
    {"shape": [1], "data": [True]},                     # neither are booleans
    {"shape": [1], "data": [1.0], "pickle": "..."},     # unexpected keys
    [1.0, 2.0],                                         # not an array object at all
])
def test_decode_array_rejects_what_the_harness_never_writes(bad):
    """Is anything but {'shape', 'data'} of matching size and plain numbers rejected?"""
    with pytest.raises(WireError):
        decode_array(bad)


def test_encode_array_refuses_giant_outputs():
    """Is an output of more entries than any test expects refused before it is written?"""
    with pytest.raises(WireError):
        encode_array(np.zeros(2_000_001))


def test_untrusted_json_refuses_symlinks(tmp_path):
    """Is a result file that is a symlink refused (no reading host files through it)?"""
    target = tmp_path / "secret"
    target.write_text('{"a": 1}')
    os.symlink(target, tmp_path / "r.json")
    with pytest.raises(WireError, match="not a plain file"):
        read_untrusted_json(tmp_path / "r.json")


def test_untrusted_json_refuses_oversized_files(tmp_path):
    """Is a result file over the size limit refused without parsing it?"""
    (tmp_path / "r.json").write_text("[" + "1," * 1000 + "1]")
    with pytest.raises(WireError, match="over the"):
        read_untrusted_json(tmp_path / "r.json", max_bytes=100)


def test_compare_accepts_scalar_for_one_entry_array():
    """Is b given as 0.5 or as array([0.5]) accepted alike?"""
    item = get_item("perceptron_train")
    assert compare(item, to_arrays((np.ones(2), 0.5, [1, 0])), to_arrays((np.ones(2), np.array([0.5]), [1, 0]))).ok


def test_case_seeds_differ_per_name_and_repeat_per_seed():
    """Do the same seed and name give the same cases, and another seed other cases?"""
    item = get_item("sigmoid")
    a = item.cases(grader.case_rng(1, "sigmoid"))
    b = item.cases(grader.case_rng(1, "sigmoid"))
    c = item.cases(grader.case_rng(2, "sigmoid"))
    assert all(np.array_equal(x.args[0], y.args[0]) for x, y in zip(a, b))
    assert not all(x.args[0].shape == y.args[0].shape and np.array_equal(x.args[0], y.args[0]) for x, y in zip(a, c))


def test_feedback_escapes_what_the_student_wrote(source, release_nb01):
    """Do a <script>, a javascript: link or a fake heading written by the student (in an answer, a message, their folder
    name, a note or a comment) reach the feedback only as text?"""
    from autograde import feedback
    from autograde.course import GradeRow

    sub = samples.untouched(release_nb01)
    for cell in sub.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "xor_proof":
            cell.source = "My proof <script>alert('x')</script> [proof](javascript:alert(1)) ![t](https://evil.example/p.png)"
    plan = make_plan(source, sub)
    student = "eve<img src=x>\n\n[Click here](javascript:alert(3))\n\n"
    rows = [GradeRow(student, "01_perceptron", "perceptron", "test_step", 0.0, 1.0, "error",
                     "step: raised ValueError: <script>steal()</script>\n\n# Grader: full marks [x](javascript:alert(2))"),
            GradeRow(student, "01_perceptron", "perceptron", "xor_proof", None, 2.0, "manual", "awaiting manual grading",
                     comment="see <script>x()</script>\n\n[here](javascript:alert(4))")]
    graded_nb = autograded.build(source, plan, [], rows)
    html_text = feedback.render(student, "01_perceptron", "perceptron.ipynb", graded_nb, rows, notes=student)
    for bad in ["<script>alert", "<script>steal", "<script>x()", "<img src=x>", 'href="javascript:', "href='javascript:",
                "<img src=\"https://evil", "<h1>Grader", ">Click here</a>"]:
        assert bad not in html_text, bad
    assert "&lt;script&gt;alert" in html_text and "Grader: full marks" in html_text
    assert "<h2" in html_text  # the trusted prose still renders as HTML


def test_feedback_clips_huge_answers(source, release_nb01):
    """Is a 400 KB pathological written answer clipped, so rendering stays fast?"""
    import time

    from autograde import feedback
    from autograde.course import GradeRow

    sub = samples.untouched(release_nb01)
    for cell in sub.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "xor_proof":
            cell.source = "[a](" * 100_000
    plan = make_plan(source, sub)
    rows = [GradeRow("s", "01_perceptron", "perceptron", "xor_proof", None, 2, "manual", "")]
    t0 = time.monotonic()
    html_text = feedback.render("s", "01_perceptron", "perceptron.ipynb", autograded.build(source, plan, [], rows), rows)
    assert time.monotonic() - t0 < 30
    assert "400,000 characters long: the first 10,000 are shown" in html_text


def test_duplicate_answer_cells_all_run(source, release_nb01):
    """Does a copied answer cell run after the original (as top to bottom would), with a note saying so?"""
    sub = samples.untouched(release_nb01)
    idx = next(i for i, c in enumerate(sub.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "relu")
    copy = nbformat.from_dict(json.loads(json.dumps(sub.cells[idx])))
    copy.source = "def relu(z):\n    return np.maximum(0.0, z)"
    sub.cells.insert(idx + 1, copy)
    plan = make_plan(source, sub)
    roles = _roles(plan.notebook)
    after = plan.notebook.cells[roles.index(("answer", "relu")) + 1]
    assert "np.maximum" in after.source and any("more than once" in n for n in plan.notes)


def test_malformed_metadata_makes_a_notebook_invalid_not_a_crash(source, release_nb01):
    """Is a grade id that is a list (not a string) treated as no grade id, not a grader crash?"""
    sub = samples.untouched(release_nb01)
    sub.cells[3].metadata["nbgrader"] = {"grade_id": ["x"], "solution": True}
    plan = make_plan(source, sub)
    assert plan.graded


def test_a_missing_submission_still_gets_an_autograded_notebook(source_nb01):
    """Does a student who handed in nothing get an autograded notebook (so formgrader lists and opens them instead of
    nbgrader's broken 404 page), with the reason as every test's verdict?"""
    job = grader.Job("ghost", "01_perceptron", "perceptron.ipynb", source_nb01.read_text(), None,
                     problem="no folder 01_perceptron/ was submitted")
    result = grader.grade_notebook(job)
    nb = nbformat.reads(result.autograded, as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert tests and all(c.outputs[0].output_type == "error" and "no folder" in c.outputs[0].evalue for c in tests)


def test_a_lone_surrogate_in_a_cell_is_replaced_not_a_crash(release_nb01):
    """Does a '\\ud800' escape in a cell's JSON (valid JSON, but no UTF-8 file can hold it) become U+FFFD, so the job
    folder can be written, instead of crashing every run?"""
    nb = samples.untouched(release_nb01)
    raw = nbformat.writes(nb).replace("YOUR CODE HERE", "YOUR \\\\ud800 CODE", 1).replace("\\\\ud800", "\\ud800")
    parsed = grader.read_submission(raw.encode())
    text = "".join(c.source for c in parsed.cells)
    assert "\ufffd" in text
    text.encode("utf-8")  # no surrogate left


def test_a_correct_answer_keeps_its_points_beside_a_stub_it_calls(source_nb01, release_nb01):
    """A student wrote tanh with their sigmoid but left sigmoid as the stub: does tanh keep its point (its cases run
    with a stand-in for sigmoid), while sigmoid alone loses its own?"""
    stub = "def sigmoid(z):\n    raise NotImplementedError()\n"
    sub = samples.with_answers(samples.solved(release_nb01, source_nb01), {"sigmoid": stub})
    job = grader.Job("s", "01_perceptron", "perceptron.ipynb", source_nb01.read_text(), nbformat.writes(sub).encode(),
                     "perceptron.ipynb")
    rows = {r.grade_id: r for r in grader.grade_notebook(job).rows}
    assert "sigmoid is not implemented yet" in rows["test_sigmoid"].message
    assert rows["test_tanh"].score == rows["test_tanh"].max_score, rows["test_tanh"].message


def test_a_stub_that_no_stand_in_can_replace_is_blamed_not_the_answer(source_nb01, release_nb01):
    """xor_network calls step on pre-activations of the student's own weights, which no table can hold: with step
    left as the stub, does xor_network's message say that calling it raised NotImplementedError in the student's own
    step, not that xor_network "is not implemented yet"?"""
    stub = "def step(z):\n    raise NotImplementedError()\n"
    sub = samples.with_answers(samples.solved(release_nb01, source_nb01), {"step": stub})
    job = grader.Job("s", "01_perceptron", "perceptron.ipynb", source_nb01.read_text(), nbformat.writes(sub).encode(),
                     "perceptron.ipynb")
    rows = {r.grade_id: r for r in grader.grade_notebook(job).rows}
    xor = rows["test_xor_network"]
    assert xor.score == 0 and "xor_network is not implemented yet" not in xor.message, xor.message
    assert "calling xor_network raised NotImplementedError" in xor.message, xor.message
    assert "your xor_network ran your own step, which fails its own test" in xor.message, xor.message


def test_a_long_verdict_wraps_so_formgrader_shows_all_of_it():
    """Formgrader shows a test cell's verdict in a <pre> that does not wrap: is a long verdict split into lines of at
    most 100 characters that together still hold the whole message, the known mistake at its end included?"""
    from autograde.course import GradeRow

    message = ("relu: z = [-2, -1, 0, 1, 2]: output: entry [0] is -2, expected 0 (difference 2); 4 of 5 entries "
               "outside the tolerance — this looks like: min(0, z) instead of max(0, z)")
    out = autograded.verdict_output(GradeRow("s", "01_perceptron", "perceptron", "test_relu", 0.0, 1.0, "failed", message))
    assert len(out.traceback) > 1 and all(len(line) <= 100 for line in out.traceback)
    assert " ".join(out.traceback).endswith("min(0, z) instead of max(0, z)") and out.evalue == message
