"""Tests of nbcourse.data: generated and shipped data sets, splitting."""
import itertools
from collections import Counter

import numpy as np
import pytest

from nbcourse import data

GENERATORS = {
    "blobs": lambda m, rng: data.blobs(m, rng),
    "blobs3": lambda m, rng: data.blobs(m, rng, n_classes=3),
    "moons": lambda m, rng: data.moons(m, rng),
    "circles": lambda m, rng: data.circles(m, rng),
    "spirals": lambda m, rng: data.spirals(m, rng),
    "regression_1d": lambda m, rng: data.regression_1d(m, rng),
}
CLASSIFICATION = ["blobs", "blobs3", "moons", "circles", "spirals"]


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_gives_same_arrays(name):
    """Does each generator give identical arrays for the same seed?"""
    a = GENERATORS[name](50, np.random.default_rng(7))
    b = GENERATORS[name](50, np.random.default_rng(7))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.mark.parametrize("name", GENERATORS)
def test_different_seeds_give_different_arrays(name):
    """Does each generator give different points for different seeds?"""
    a = GENERATORS[name](50, np.random.default_rng(1))
    b = GENERATORS[name](50, np.random.default_rng(2))
    assert not np.array_equal(a[0], b[0])


@pytest.mark.parametrize("name", GENERATORS)
def test_non_generator_rng_is_a_type_error(name):
    """Does passing an int seed instead of a Generator raise TypeError?"""
    with pytest.raises(TypeError, match="Generator"):
        GENERATORS[name](10, 0)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_shapes_and_dtypes(name):
    """Do classification sets have X float64 (2, m) and integer labels (m,) from 0 to C-1?"""
    X, y = GENERATORS[name](61, np.random.default_rng(0))
    assert X.shape == (2, 61) and X.dtype == np.float64
    assert y.shape == (61,) and np.issubdtype(y.dtype, np.integer)
    n_classes = 3 if name == "blobs3" else 2
    assert set(np.unique(y)) == set(range(n_classes))


def test_spirals_with_three_classes_has_three_labels():
    """Does spirals(n_classes=3) produce labels 0, 1 and 2?"""
    _, y = data.spirals(30, np.random.default_rng(0), n_classes=3)
    assert set(np.unique(y)) == {0, 1, 2}


def test_blobs_are_linearly_separable_by_default():
    """Are two default blobs of 200 points split by the bisector x1 + x2 = 0 of their centres?"""
    X, y = data.blobs(200, np.random.default_rng(0))
    s = X[0] + X[1]
    assert s[y == 0].max() < 0 < s[y == 1].min() or s[y == 1].max() < 0 < s[y == 0].min()


@pytest.mark.parametrize("kind", ["sin", "step", "linear"])
def test_regression_shapes_and_sorted_inputs(kind):
    """Does regression_1d give x (1, m) sorted in [-1, 1] and y (1, m)?"""
    x, y = data.regression_1d(40, np.random.default_rng(0), kind=kind)
    assert x.shape == (1, 40) and y.shape == (1, 40)
    assert np.all(np.diff(x[0]) >= 0) and x.min() >= -1 and x.max() <= 1


def test_regression_unknown_kind_is_a_value_error():
    """Does an unknown regression kind raise ValueError listing the valid ones?"""
    with pytest.raises(ValueError, match="sin"):
        data.regression_1d(10, np.random.default_rng(0), kind="cubic")


def test_bad_sample_count_is_a_value_error():
    """Does m = 0 raise ValueError?"""
    with pytest.raises(ValueError, match="m must be"):
        data.moons(0, np.random.default_rng(0))


@pytest.mark.parametrize("name, gate", [("AND", lambda a, b: a and b), ("OR", lambda a, b: a or b),
                                        ("XOR", lambda a, b: a != b)])
def test_truth_table_matches_boolean_function(name, gate):
    """Do the two-input truth tables list (0,0),(0,1),(1,0),(1,1) with the gate's outputs?"""
    X, y = data.truth_table(name)
    rows = list(itertools.product([0, 1], repeat=2))
    assert X.shape == (2, 4) and X.dtype == np.float64 and y.shape == (4,) and y.dtype == np.float64
    assert [tuple(col) for col in X.T] == rows
    assert list(y) == [float(bool(gate(bool(a), bool(b)))) for a, b in rows]


def test_truth_table_not():
    """Is NOT a (1, 2) table with outputs 1, 0?"""
    X, y = data.truth_table("NOT")
    assert X.tolist() == [[0.0, 1.0]] and y.tolist() == [1.0, 0.0]


def test_truth_table_is_case_insensitive():
    """Does truth_table accept lower-case names?"""
    assert np.array_equal(data.truth_table("xor")[1], data.truth_table("XOR")[1])


def test_truth_table_unknown_name_lists_valid_names():
    """Does an unknown gate raise ValueError naming the valid gates?"""
    with pytest.raises(ValueError, match="AND.*NOT.*OR.*XOR"):
        data.truth_table("NAND")


def test_digits_shape_and_range():
    """Are the digits 1797 columns of 64 float64 pixels in [0, 1], with int64 labels?"""
    X, labels = data.load_digits()
    assert X.shape == (64, 1797) and X.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0


def test_digits_have_ten_classes_each_frequent():
    """Are the labels 0..9, each present at least 150 times?"""
    _, labels = data.load_digits()
    counts = np.bincount(labels, minlength=10)
    assert counts.size == 10 and counts.min() >= 150


def test_digits_returns_copies():
    """Does modifying a returned digits array leave the next call untouched?"""
    X, labels = data.load_digits()
    X[:] = -1.0
    labels[:] = -1
    X2, labels2 = data.load_digits()
    assert X2.min() == 0.0 and labels2.min() == 0


def test_train_test_split_sizes_add_up_and_are_disjoint():
    """Do the split parts hold every column exactly once?"""
    X = np.arange(30.0).reshape(1, 30) * np.ones((2, 1))
    y = np.arange(30)
    X_tr, y_tr, X_te, y_te = data.train_test_split(X, y, 0.3, np.random.default_rng(0))
    assert X_tr.shape == (2, 21) and X_te.shape == (2, 9)
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == list(range(30))
    assert np.array_equal(X_tr[0], y_tr) and np.array_equal(X_te[0], y_te)  # columns stay paired


def test_train_test_split_splits_columns_of_2d_targets():
    """Does a (k, m) target get split along its columns, like X?"""
    X = np.arange(10.0)[None, :]
    Y = np.stack([np.arange(10), -np.arange(10)])
    _, Y_tr, X_te, Y_te = data.train_test_split(X, Y, 0.2, np.random.default_rng(0))
    assert Y_tr.shape == (2, 8) and Y_te.shape == (2, 2)
    assert np.array_equal(Y_te[0], X_te[0]) and np.array_equal(Y_te[1], -X_te[0])


def test_train_test_split_mismatched_samples_is_a_value_error():
    """Does a y with a different number of samples than X raise ValueError?"""
    with pytest.raises(ValueError, match="samples"):
        data.train_test_split(np.ones((2, 5)), np.ones(4), 0.2, np.random.default_rng(0))


def test_train_test_split_non_generator_is_a_type_error():
    """Does train_test_split refuse an int seed?"""
    with pytest.raises(TypeError, match="Generator"):
        data.train_test_split(np.ones((2, 5)), np.ones(5), 0.2, 3)


def test_digits_split_sizes_add_up_and_are_disjoint():
    """Do the digits parts add up to 1797 images with no image in both?"""
    X_tr, y_tr, X_te, y_te = data.digits_split(np.random.default_rng(0), test_fraction=0.2)
    assert X_tr.shape[1] + X_te.shape[1] == 1797 and X_tr.shape[0] == X_te.shape[0] == 64
    assert y_tr.shape == (X_tr.shape[1],) and y_te.shape == (X_te.shape[1],)
    X, _ = data.load_digits()
    # each image (a few occur twice in the set) is used exactly as often as it occurs
    whole = Counter(c.tobytes() for c in X.T)
    parts = Counter(c.tobytes() for c in np.concatenate([X_tr, X_te], axis=1).T)
    assert parts == whole
    assert abs(X_te.shape[1] - 0.2 * 1797) <= 10


def test_digits_split_is_stratified():
    """Does each class make up about the same share of the test part as of the whole set?"""
    _, labels = data.load_digits()
    _, _, _, y_te = data.digits_split(np.random.default_rng(0), test_fraction=0.2)
    assert np.all(np.abs(np.bincount(y_te, minlength=10) - 0.2 * np.bincount(labels)) <= 1)


def test_digits_split_is_deterministic():
    """Does the same seed give the same digits split?"""
    a = data.digits_split(np.random.default_rng(3))
    b = data.digits_split(np.random.default_rng(3))
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
