"""Reliability: dtypes, layouts and labels.

int, bool, nullable pandas ``Int64``/``Float64`` without missing values, float32, Fortran-ordered
and read-only arrays, object arrays of numbers and lists of lists give the same result as the
float64 array, for every learner, and X is never modified. Non-numeric, categorical, complex and
datetime columns raise ``NonNumericInputError`` (an ``InvalidInputError`` and a ``TypeError``)
naming the column. DataFrame labels that are ints, strings or mixed are kept as node labels in
``node_labels_``, ``to_networkx()`` and ``predict``/``score``/``bic``; duplicated labels are an error.
"""

import warnings

import acyclic
import numpy as np
import pandas as pd
import pytest
from _learners import LEARNERS, make, sem, small_data
from acyclic import NOTEARS
from acyclic.exceptions import InvalidInputError, NonNumericInputError

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


LABELS = {
    "str": ["x1", "x2", "x3", "x4", "x5"],
    "int": [10, 20, 30, 40, 50],
    "mixed": ["a", 2, "c", 4, 5.5],
}


# ----------------------------------------------------------------------------- every learner
@pytest.mark.parametrize("learner", LEARNERS)
def test_dtypes_and_layouts_give_the_float64_result(learner):
    X = np.round(sem(6, d=5, n=200), 1)
    reference = make(learner).fit(X).weights_
    readonly = X.copy()
    readonly.setflags(write=False)
    variants = {
        "fortran": np.asfortranarray(X),
        "read-only": readonly,
        "list of lists": X.tolist(),
        "object array of floats": X.astype(object),
        "nullable Float64": pd.DataFrame(X).astype("Float64"),
    }
    for name, data in variants.items():
        np.testing.assert_array_equal(make(learner).fit(data).weights_, reference, err_msg=name)
    ints = (X * 10).astype(np.int64)
    int_reference = make(learner).fit(ints.astype(float)).weights_
    for name, data in {
        "int64": ints,
        "int32": ints.astype(np.int32),
        "nullable Int64": pd.DataFrame(ints).astype("Int64"),
    }.items():
        np.testing.assert_array_equal(make(learner).fit(data).weights_, int_reference, err_msg=name)
    # float32 holds other numbers than X: the same result as those numbers in float64
    single = X.astype(np.float32)
    np.testing.assert_array_equal(
        make(learner).fit(single).weights_, make(learner).fit(single.astype(np.float64)).weights_
    )
    # a bool column counts as 0/1
    frame = pd.DataFrame(X, columns=list("abcde")).assign(e=X[:, 4] > 0)
    np.testing.assert_array_equal(make(learner).fit(frame).weights_, make(learner).fit(frame.astype(float)).weights_)


@pytest.mark.parametrize("learner", LEARNERS)
def test_every_learner_names_a_non_numeric_column(learner, df):
    for bad, column in ((df.assign(label=["x", "y"] * (len(df) // 2)), "label"),
                        (df.assign(grade=pd.Categorical(["lo", "hi"] * (len(df) // 2))), "grade")):  # fmt: skip
        with pytest.raises(NonNumericInputError, match=rf"'{column}'.*not numeric"):
            make(learner).fit(bad)


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("kind", ["str", "int", "mixed"])
def test_labels_are_kept_everywhere(learner, kind):
    """DataFrame labels are node labels in every output; feature_names_in_ only for str labels
    (scikit-learn's rule); predict/score/bic accept the same frame without warnings."""
    X = sem(1, d=5, edges=5, n=500)
    labels = LABELS[kind]
    df = pd.DataFrame(X, columns=labels)
    model = make(learner).fit(df)
    assert model.node_labels_ == labels
    assert all(type(a) is type(b) for a, b in zip(model.node_labels_, labels))
    assert model.n_features_in_ == 5
    if kind == "str":
        assert list(model.feature_names_in_) == labels
    else:
        assert not hasattr(model, "feature_names_in_")
    graph = model.to_networkx()
    assert list(graph.nodes) == labels
    assert graph.number_of_edges() == model.adjacency_.sum()
    for i, j in zip(*np.nonzero(model.adjacency_)):
        assert graph.has_edge(labels[i], labels[j])
    # predict and score accept the same frame without warnings (feature names are consistent)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.predict(df).shape == X.shape
        model.score(df)
        model.bic(df)
    # a numpy array gives the same result as the frame
    np.testing.assert_array_equal(model.weights_, make(learner).fit(X).weights_)


# ----------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [None, object])
def test_string_column_is_named(df, dtype):
    bad = df.copy()
    bad["label"] = pd.Series(["x", "y"] * (len(df) // 2), dtype=dtype)
    with pytest.raises(NonNumericInputError, match=r"'label'.*not numeric") as info:
        NOTEARS().fit(bad)
    assert isinstance(info.value, TypeError) and isinstance(info.value, InvalidInputError)
    # the same error is catchable as TypeError (what scikit-learn's checks expect)
    with pytest.raises(TypeError):
        NOTEARS().fit(bad)


@pytest.mark.parametrize("categories", [["lo", "hi"], [1.0, 2.0]])
def test_categorical_column_is_named(df, categories):
    bad = df.copy()
    bad["grade"] = pd.Categorical([categories[i % 2] for i in range(len(df))])
    with pytest.raises(NonNumericInputError, match=r"'grade'.*not numeric.*category"):
        NOTEARS().fit(bad)


def test_object_array_with_strings_names_column(X):
    bad = X.astype(object)
    bad[4, 2] = "oops"
    with pytest.raises(NonNumericInputError, match=r"column 2 .*'oops'"):
        NOTEARS().fit(bad)


def test_complex_array_is_rejected(X):
    with pytest.raises(NonNumericInputError, match=r"complex"):
        NOTEARS().fit(X.astype(complex))


def test_object_array_of_numbers_is_accepted(X, df):
    reference = NOTEARS().fit(X)
    as_object = NOTEARS().fit(X.astype(object))
    np.testing.assert_array_equal(as_object.weights_, reference.weights_)
    np.testing.assert_array_equal(as_object.adjacency_, reference.adjacency_)
    # mixed Python ints and floats in an object DataFrame column
    mixed = df.astype(object)
    mixed["alpha"] = [float(v) for v in df["alpha"]]
    from_df = NOTEARS().fit(mixed)
    np.testing.assert_array_equal(from_df.weights_, reference.weights_)


def test_integer_and_bool_columns_are_accepted():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, size=100)
    data = pd.DataFrame({"a": a, "b": 2 * a + rng.normal(size=100), "c": rng.random(100) < 0.5})
    model = NOTEARS().fit(data)
    assert model.weights_.shape == (3, 3)


@pytest.mark.parametrize(
    "make",
    [
        lambda X: np.vectorize(str)(X),  # numbers as strings in an ndarray
        lambda X: pd.DataFrame(X, columns=list("abcd")).assign(a=X[:, 0] + 1j),
        lambda X: pd.DataFrame(X, columns=list("abcd")).assign(a=pd.date_range("2020", periods=len(X))),
    ],
    ids=["str-array", "complex-column", "datetime-column"],
)
def test_strings_complex_and_dates_are_not_numbers(make):
    with pytest.raises(NonNumericInputError):
        acyclic.NOTEARS(max_iter=2).fit(make(small_data()))


# ----------------------------------------------------------------------------- X unchanged
def test_fit_does_not_modify_ndarray(X):
    data = np.asfortranarray(X.copy())
    before = data.copy()
    NOTEARS(standardize=True).fit(data)
    np.testing.assert_array_equal(data, before)
    assert data.flags.f_contiguous and data.dtype == np.float64
    ints = np.round(X * 10).astype(np.int64)
    ints_before = ints.copy()
    NOTEARS().fit(ints)
    np.testing.assert_array_equal(ints, ints_before)
    assert ints.dtype == np.int64


def test_fit_does_not_modify_dataframe(df):
    data = df.copy()
    data["count"] = np.arange(len(df)) % 7
    before = data.copy(deep=True)
    dtypes = data.dtypes.copy()
    model = NOTEARS().fit(data)
    model.predict(data)
    model.score(data)
    model.bic(data)
    pd.testing.assert_frame_equal(data, before)
    pd.testing.assert_series_equal(data.dtypes, dtypes)


# ----------------------------------------------------------------------------- labels
def test_refit_on_array_drops_feature_names():
    X = sem(1, d=5, edges=5, n=500)
    model = NOTEARS().fit(pd.DataFrame(X, columns=LABELS["str"]))
    assert hasattr(model, "feature_names_in_")
    model.fit(X)
    assert not hasattr(model, "feature_names_in_")
    assert model.node_labels_ == list(range(5))


@pytest.mark.parametrize("columns", [list("aabc"), [0, 0, 1, 2], [0, False, 2, 3]])
def test_duplicate_column_labels_are_rejected(columns):
    df = pd.DataFrame(small_data(), columns=columns)
    with pytest.raises(InvalidInputError, match="duplicate"):
        acyclic.NOTEARS(max_iter=2).fit(df)


def test_a_none_column_label_is_rejected():
    # networkx cannot make None a node, so to_networkx() would fail after a successful fit
    df = pd.DataFrame(small_data(), columns=["a", 1, None, 2.5])
    with pytest.raises(InvalidInputError, match="label is None"):
        acyclic.DPDAG(max_iter=2).fit(df)


def test_numpy_str_labels_mixed_with_str_work():
    df = pd.DataFrame(small_data()[:, :3], columns=list(np.array(list("abc"))))
    df["d"] = small_data()[:, 3]
    model = acyclic.NOTEARS(max_iter=5).fit(df)
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("learner", LEARNERS)
def test_predict_on_other_columns_is_an_invalid_input_error(learner):
    # sklearn's own messages, raised as the package's error type (a ValueError subclass)
    X = sem(2, d=5, n=200)
    model = make(learner).fit(pd.DataFrame(X, columns=list("abcde")))
    with pytest.raises(InvalidInputError, match="features"):
        model.predict(X[:, :4])
    with pytest.raises(InvalidInputError, match="feature names"):
        model.predict(pd.DataFrame(X, columns=list("abcdz")))
