"""The course on real nbgrader: release, autograde of sample submissions, per-question grades."""
from __future__ import annotations

import nbformat
import pytest

from autograde import coursedir, demo, samples

pytestmark = pytest.mark.slow


def _points(source_nb) -> dict[str, float]:
    nb = nbformat.read(str(source_nb), as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, source_nb01):
    """A course graded once with plain nbgrader: the demo's three samples plus a naive-sigmoid submission."""
    course_dir = tmp_path_factory.mktemp("course")
    coursedir.new_course_dir(course_dir, only=["01_perceptron"])  # what these tests grade: one release, not seven
    paths = demo.make_samples(course_dir)
    release_nb = next((course_dir / "release" / demo.ASSIGNMENT).glob("*.ipynb"))
    naive = samples.with_answers(samples.solved(release_nb, source_nb01), {"sigmoid": '''
        def sigmoid(z):
            return 1 / (1 + np.exp(-z))   # correct, but numpy warns about overflow for z < -709
    '''})
    samples.write_submission(naive, course_dir / "submitted", "naive", demo.ASSIGNMENT, paths["solved"].name)
    rows = demo.grade_with_nbgrader(course_dir)
    return {(r.student_id, r.grade_id): r for r in rows}


def test_solved_gets_every_autograded_point(graded, source_nb01):
    """Does the solved notebook get full marks on every autograded question?"""
    for gid, pts in _points(source_nb01).items():
        assert graded[("solved", gid)].score == pts, gid


def test_untouched_gets_zero(graded, source_nb01):
    """Does the untouched release score 0 on every question?"""
    assert all(graded[("untouched", gid)].score == 0 for gid in _points(source_nb01))


def test_buggy_loses_exactly_the_two_buggy_functions(graded, source_nb01):
    """Does the buggy submission lose exactly the points of its two wrong functions, and nothing else?"""
    lost = {gid for gid, _ in samples.BUGGY_POINTS_01.values()}
    for gid, pts in _points(source_nb01).items():
        assert graded[("buggy", gid)].score == (0 if gid in lost else pts), gid


def test_naive_sigmoid_keeps_its_points_under_nbgrader(graded, source_nb01):
    """Does a correct but overflow-warning sigmoid keep its point (nbgrader scores stderr output as 0)?"""
    assert graded[("naive", "test_sigmoid")].score == _points(source_nb01)["test_sigmoid"]


def test_written_answer_waits_for_a_human(graded):
    """Is the written XOR proof reported as manually graded, not as an autograded zero?"""
    assert graded[("solved", "xor_proof")].status == "manual"
