"""Tests of nbcourse.plot: every helper draws headless on a given Axes and leaves rcParams alone."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nbcourse import plot  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _points():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 30))
    y = (X[0] + X[1] > 0).astype(int)
    return X, y


def _three_classes():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 30))
    return X, np.arange(30) % 3


def _digits():
    rng = np.random.default_rng(2)
    X = rng.uniform(0, 1, (64, 12))
    labels = np.arange(12) % 10
    predictions = labels.copy()
    predictions[0] = 5
    return X, labels, predictions


HELPERS = {
    "activations": lambda ax: plot.activations({"tanh": np.tanh, "abs": np.abs}, ax=ax),
    "decision_boundary_labels": lambda ax: plot.decision_boundary(
        lambda P: (P[0] + P[1] > 0).astype(int), *_points(), ax=ax, resolution=40),
    "decision_boundary_scores": lambda ax: plot.decision_boundary(
        lambda P: P[0] - P[1], *_points(), ax=ax, resolution=40),
    "decision_boundary_3_classes": lambda ax: plot.decision_boundary(
        lambda P: (P[0] > 0).astype(int) + (P[1] > 0), *_three_classes(), ax=ax, resolution=40),
    "loss_curves": lambda ax: plot.loss_curves([3.0, 2.0, 1.5, 1.2], [3.1, 2.2, 1.9, 1.8], ax=ax, logy=True),
    "loss_surface": lambda ax: plot.loss_surface(
        lambda t: t[0] ** 2 + 2 * t[1] ** 2, (-2, 2), (-1, 1), ax=ax, resolution=20,
        paths={"gd": np.array([[1.5, 0.8], [0.8, 0.2], [0.1, 0.0]])}),
    "loss_surface_log": lambda ax: plot.loss_surface(
        lambda t: 1 + t[0] ** 2 + t[1] ** 2, (-2, 2), (-1, 1), ax=ax, resolution=15, logscale=True),
    "fit_1d": lambda ax: plot.fit_1d(np.linspace(-1, 1, 20)[None, :], np.linspace(-1, 1, 20)[None, :] ** 2,
                                     lambda g: g**2, ax=ax, n_grid=50),
    "fit_1d_no_model": lambda ax: plot.fit_1d(np.arange(5.0), np.arange(5.0), ax=ax),
    "digit_grid": lambda ax: plot.digit_grid(*_digits(), n=10, ax=ax),
    "digit_grid_no_predictions": lambda ax: plot.digit_grid(*_digits()[:2], ax=ax),
}


@pytest.mark.parametrize("name", HELPERS)
def test_returns_the_axes_it_was_given(name):
    """Does the helper draw on, and return, the Axes passed as ax?"""
    _, ax = plt.subplots()
    assert HELPERS[name](ax) is ax


@pytest.mark.parametrize("name", HELPERS)
def test_makes_its_own_axes_when_none_given(name):
    """Without ax, does the helper return a new matplotlib Axes?"""
    assert isinstance(HELPERS[name](None), plt.Axes)


@pytest.mark.parametrize("name", HELPERS)
def test_sets_title_and_axis_labels(name):
    """Does the helper set a non-empty title, x label and y label?"""
    ax = HELPERS[name](None)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize("name", HELPERS)
def test_leaves_rcparams_unchanged(name):
    """Are matplotlib's global rcParams the same after the helper ran?"""
    plt.subplots()  # settle the backend before taking the snapshot
    before = dict(matplotlib.rcParams.copy())
    HELPERS[name](None)
    assert dict(matplotlib.rcParams) == before


def test_title_and_labels_can_be_overridden():
    """Do title=, xlabel=, ylabel= replace the defaults?"""
    ax = plot.loss_curves([1.0, 0.5], title="T", xlabel="X", ylabel="Y")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("T", "X", "Y")


def test_activations_draws_one_line_per_function_with_legend():
    """Does activations draw one labelled line per function?"""
    ax = plot.activations({"a": np.tanh, "b": np.sin, "c": np.abs})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["a", "b", "c"]


def test_decision_boundary_bad_data_shape_is_a_value_error():
    """Does X of shape (m, 2) instead of (2, m) raise ValueError naming the expected shape?"""
    X, y = _points()
    with pytest.raises(ValueError, match=r"\(2, m\)"):
        plot.decision_boundary(lambda P: P[0] > 0, X.T, y)


def test_decision_boundary_bad_prediction_shape_is_a_value_error():
    """Does a predict that returns the wrong number of values raise ValueError?"""
    X, y = _points()
    with pytest.raises(ValueError, match="predict"):
        plot.decision_boundary(lambda P: P[0][:10], X, y, resolution=10)


def test_loss_surface_bad_path_shape_is_a_value_error():
    """Does a path of shape (2, k) instead of (k, 2) raise ValueError?"""
    with pytest.raises(ValueError, match=r"\(k, 2\)"):
        plot.loss_surface(lambda t: t @ t, (-1, 1), (-1, 1), paths={"p": np.zeros((2, 5))}, resolution=5)


def test_digit_grid_marks_wrong_prediction_in_red():
    """Is the text of a wrongly predicted digit red and a right one not?"""
    ax = plot.digit_grid(*_digits(), n=4)
    colours = [matplotlib.colors.to_hex(t.get_color()) for t in ax.texts]
    assert colours[0] == "#ff0000" and "#ff0000" not in colours[1:]


def test_digit_grid_is_one_image():
    """Are all tiles drawn as a single image on the single Axes?"""
    ax = plot.digit_grid(*_digits(), n=9)
    assert len(ax.images) == 1 and len(ax.figure.axes) == 1


def test_decision_boundary_names_the_dots_as_told():
    """With class_names, does the legend say "f < 0" / "f > 0" instead of "class 0" / "class 1"?"""
    X = np.array([[0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 0.0, 1.0]])
    ax = plot.decision_boundary(lambda P: (P[0] > 1.5).astype(int), X, np.array([0, 0, 1, 1]), resolution=10,
                                class_names={0: "f < 0", 1: "f > 0"})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["f < 0", "f > 0"]


def test_loss_surface_paths_differ_in_colour_and_dash():
    """Are three paths drawn in three different colours and three different line styles?"""
    paths = {name: np.array([[0.0, 0.0], [k + 1.0, 1.0]]) for k, name in enumerate("abc")}
    ax = plot.loss_surface(lambda t: float(t @ t), (-1, 4), (-1, 2), paths=paths, resolution=5)
    lines = [line for line in ax.get_lines() if line.get_label() in paths]
    assert len({line.get_color() for line in lines}) == 3 and len({line.get_linestyle() for line in lines}) == 3


def test_in_jupyter_a_course_figure_is_shown_and_not_drawn_off_screen_first():
    """In a real kernel with Jupyter's inline backend, does a figure made by nc.plot still show its picture, and
    is it drawn once less than a plain pyplot figure (pyplot's after-cell hook renders every new figure off screen,
    which nobody sees, before the inline backend renders the PNG the cell shows)?"""
    import json
    import os

    import nbformat
    from nbclient import NotebookClient

    count = """
import json, matplotlib.figure as _mf, matplotlib.pyplot as plt
import nbcourse as nc
_draws = [0]
_orig = _mf.Figure.draw
def _counting(self, *a, **k):
    _draws[0] += 1
    return _orig(self, *a, **k)
_mf.Figure.draw = _counting
"""
    cells = [count,
             "fig, ax = nc.plot.subplots(); ax.plot([1, 2, 3]); ax.set_title('course figure')",
             "print(json.dumps({'course': _draws[0]})); _draws[0] = 0",
             "ax = nc.plot.loss_curves([3.0, 2.0, 1.0])",
             "print(json.dumps({'helper': _draws[0]})); _draws[0] = 0",
             "fig, ax = plt.subplots(layout='constrained'); ax.plot([1, 2, 3]); ax.set_title('plain figure')",
             "print(json.dumps({'plain': _draws[0]}))"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    # a student's kernel: Jupyter's inline backend (a test before may have set MPLBACKEND=Agg in this process)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    NotebookClient(nb, kernel_name="python3", timeout=120).execute(env=env)
    shown = [any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in nb.cells[i].outputs)
             for i in (1, 3, 5)]
    assert shown == [True, True, True], "a figure showed no picture"
    draws = {}
    for i in (2, 4, 6):
        draws.update(json.loads(nb.cells[i].outputs[0]["text"]))
    assert draws["course"] == draws["helper"] == draws["plain"] - 1, draws
