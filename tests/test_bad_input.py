"""Bad input gives a named exception from acyclic.exceptions whose message names the problem,
never a Rust panic; good input of unusual types is accepted; X is never modified."""

import os

import numpy as np
import pandas as pd
import pytest

import acyclic
from acyclic import NOTEARS, _core
from acyclic.exceptions import AcyclicError, InvalidInputError, NonNumericInputError
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


@pytest.fixture(scope="module")
def X():
    B = simulate_dag(4, 4, "ER", random_state=3)
    return simulate_linear_sem(simulate_parameter(B, random_state=3), 200, random_state=3)


@pytest.fixture(scope="module")
def df(X):
    return pd.DataFrame(X, columns=["alpha", "beta", "gamma", "delta"])


def test_exception_hierarchy():
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(InvalidInputError, AcyclicError)
    assert issubclass(NonNumericInputError, InvalidInputError)
    assert issubclass(NonNumericInputError, TypeError)
    assert acyclic.exceptions.NumericalError.__mro__[1] is AcyclicError


# ----------------------------------------------------------------------------- non-finite values
def test_nan_names_column_and_count_dataframe(df):
    bad = df.copy()
    bad.loc[[3, 10, 50], "gamma"] = np.nan
    with pytest.raises(InvalidInputError, match=r"NaN") as info:
        NOTEARS().fit(bad)
    msg = str(info.value)
    assert "'gamma'" in msg and "3 NaN" in msg
    assert "alpha" not in msg and "beta" not in msg


def test_nan_names_column_and_count_ndarray(X):
    bad = X.copy()
    bad[7, 1] = np.nan
    bad[:2, 3] = np.nan
    with pytest.raises(InvalidInputError) as info:
        NOTEARS().fit(bad)
    msg = str(info.value)
    assert "NaN" in msg and "1 (1 NaN)" in msg and "3 (2 NaN)" in msg


def test_nullable_integer_missing_value_is_reported_as_nan():
    data = pd.DataFrame({"a": pd.array([1, 2, None, 4, 5, 3], dtype="Int64"), "b": [1.0, 3.0, 2.0, 5.0, 4.0, 0.0]})
    with pytest.raises(InvalidInputError, match=r"'a' \(1 NaN\)"):
        NOTEARS().fit(data)


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_inf_names_column(df, value):
    bad = df.copy()
    bad.loc[5, "beta"] = value
    with pytest.raises(InvalidInputError, match=r"inf") as info:
        NOTEARS().fit(bad)
    assert "'beta' (1 inf)" in str(info.value)


def test_all_nan_column(df):
    bad = df.copy()
    bad["delta"] = np.nan
    with pytest.raises(InvalidInputError, match=r"NaN") as info:
        NOTEARS().fit(bad)
    assert f"'delta' ({len(df)} NaN)" in str(info.value)


def test_constant_column_is_named(df):
    bad = df.copy()
    bad["beta"] = 4.25
    with pytest.raises(InvalidInputError, match=r"constant") as info:
        NOTEARS().fit(bad)
    assert "'beta'" in str(info.value) and "'alpha'" not in str(info.value)


# ----------------------------------------------------------------------------- shapes
def test_single_sample(X):
    with pytest.raises(InvalidInputError, match=r"1 sample\(s\).*n_samples"):
        NOTEARS().fit(X[:1])


def test_single_column(X):
    with pytest.raises(InvalidInputError, match=r"1 feature\(s\)"):
        NOTEARS().fit(X[:, :1])


def test_one_dimensional_array(X):
    with pytest.raises(InvalidInputError, match=r"Expected 2D array, got 1D array"):
        NOTEARS().fit(X[:, 0])
    with pytest.raises(InvalidInputError, match=r"1D"):
        NOTEARS().fit(pd.Series(X[:, 0]))


def test_three_dimensional_array(X):
    with pytest.raises(InvalidInputError, match=r"got 3D array"):
        NOTEARS().fit(X.reshape(10, 20, 4))


def test_ragged_list():
    with pytest.raises(InvalidInputError):
        NOTEARS().fit([[1.0, 2.0], [3.0]])


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


# ----------------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "params,pattern",
    [
        ({"lambda1": -0.1}, r"lambda1 must be a finite number >= 0, got -0.1"),
        ({"lambda1": np.nan}, r"lambda1"),
        ({"lambda1": "0.1"}, r"lambda1"),
        ({"w_threshold": -0.3}, r"w_threshold must be a finite number >= 0, got -0.3"),
        ({"loss_type": "huber"}, r"loss_type must be one of .*'huber'"),
        ({"max_iter": 0}, r"max_iter must be an integer >= 1.*got 0"),
        ({"max_iter": 2.5}, r"max_iter"),
        ({"h_tol": 0.0}, r"h_tol"),
        ({"rho_max": 1.0}, r"rho_max"),
        ({"n_jobs": 0}, r"n_jobs"),
        ({"standardize": "yes"}, r"standardize"),
    ],
)
def test_bad_parameters(X, params, pattern):
    with pytest.raises(InvalidInputError, match=pattern):
        NOTEARS(**params).fit(X)


def test_logistic_needs_binary_data(X):
    with pytest.raises(InvalidInputError, match=r"logistic.*binary"):
        NOTEARS(loss_type="logistic").fit(X)
    binary = (X > 0).astype(float)
    with pytest.raises(InvalidInputError, match=r"logistic.*binary"):
        NOTEARS(loss_type="logistic").fit(binary * 2.0)


def test_poisson_needs_nonnegative_data(X):
    counts = np.random.default_rng(1).poisson(2.0, size=X.shape).astype(float)
    counts[3, 1] = -1.0
    with pytest.raises(InvalidInputError, match=r"poisson.*negative"):
        NOTEARS(loss_type="poisson").fit(counts)


def test_standardize_with_logistic_is_rejected(X):
    binary = (X > 0).astype(float)
    with pytest.raises(InvalidInputError, match=r"standardize=True"):
        NOTEARS(loss_type="logistic", standardize=True).fit(binary)
    with pytest.raises(InvalidInputError, match=r"standardize=True"):
        NOTEARS(loss_type="poisson", standardize=True).fit(np.abs(np.round(X)))


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


# ----------------------------------------------------------------------------- direct _core calls
def test_core_penalty_non_square():
    with pytest.raises(InvalidInputError, match=r"square"):
        _core.penalty_value_grad(np.zeros((3, 4)))
    with pytest.raises(InvalidInputError, match=r"unknown acyclicity penalty"):
        _core.penalty_value_grad(np.zeros((3, 3)), kind="spectral-magic")


def test_core_expm_non_square():
    with pytest.raises(InvalidInputError, match=r"square"):
        _core.expm(np.zeros((2, 5)))


@pytest.mark.parametrize("loss", ["l2", "logistic", "poisson"])
@pytest.mark.parametrize("w_shape", [(4, 4), (3, 4), (2, 3)])
def test_core_loss_mismatched_shapes(loss, w_shape):
    X = np.random.default_rng(0).integers(0, 2, size=(20, 3)).astype(float)
    with pytest.raises(InvalidInputError, match=r"3x3"):
        _core.loss_value_grad(X, np.zeros(w_shape), loss)


def test_core_loss_unknown_name_and_empty_data():
    with pytest.raises(InvalidInputError, match=r"unknown loss_type"):
        _core.loss_value_grad(np.ones((5, 2)), np.zeros((2, 2)), "hinge")
    with pytest.raises(InvalidInputError, match=r"no rows"):
        _core.loss_value_grad(np.ones((0, 2)), np.zeros((2, 2)), "l2")


@pytest.mark.parametrize("mask_shape", [(3, 3), (5, 5), (4, 3)])
def test_core_project_required_mask_wrong_shape(mask_shape):
    W = np.ones((4, 4))
    with pytest.raises(InvalidInputError, match=r"mask"):
        _core.project_to_dag(W, np.zeros(mask_shape, dtype=bool))


@pytest.mark.parametrize("mask_shape", [(2, 8), (16, 1)])
def test_core_project_required_mask_same_size_wrong_shape(mask_shape):
    with pytest.raises(InvalidInputError):
        _core.project_to_dag(np.ones((4, 4)), np.zeros(mask_shape, dtype=bool))


def test_core_notears_forbidden_mask_same_size_wrong_shape():
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(InvalidInputError):
        _core.notears_fit(X, forbidden=np.zeros((1, 9), dtype=bool), max_iter=1)


def test_core_project_non_square_and_notears_bad_mask():
    with pytest.raises(InvalidInputError, match=r"square"):
        _core.project_to_dag(np.ones((2, 3)))
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(InvalidInputError, match=r"forbidden mask"):
        _core.notears_fit(X, forbidden=np.zeros((2, 2), dtype=bool))
    with pytest.raises(InvalidInputError, match=r"no rows"):
        _core.notears_fit(np.zeros((0, 3)))


@pytest.mark.parametrize("func", ["is_dag", "topological_order"])
@pytest.mark.parametrize("shape", [(3, 2), (2, 3)])
def test_core_graph_functions_non_square(func, shape):
    try:
        getattr(_core, func)(np.ones(shape))
    except InvalidInputError:
        return
    except BaseException as exc:  # a pyo3 PanicException derives from BaseException
        pytest.fail(f"{func}{shape} raised {type(exc).__name__}, not InvalidInputError")
    pytest.fail(f"{func}{shape} returned instead of raising InvalidInputError")


def test_graph_module_checks_shapes_before_core():
    """The public wrappers in acyclic.graph validate shapes, so users never hit the above."""
    for func in (acyclic.graph.is_dag, acyclic.graph.topological_order, acyclic.graph.project_to_dag):
        with pytest.raises(InvalidInputError, match=r"square"):
            func(np.ones((3, 2)))
    with pytest.raises(InvalidInputError, match=r"required must have shape"):
        acyclic.graph.project_to_dag(np.ones((4, 4)), required=np.zeros((2, 8), dtype=bool))


# --- found by trying to break the package as a user ---------------------------------------


def _small_data(d=4, n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[:, 1] += 1.5 * X[:, 0]
    return X


def test_failed_refit_leaves_the_previous_model_intact():
    X = _small_data()
    model = acyclic.NOTEARS(max_iter=5).fit(X)
    before = {k: np.copy(getattr(model, k)) for k in ("weights_", "mean_", "scale_")}
    labels = list(model.node_labels_)
    with pytest.raises(InvalidInputError):
        model.set_params(loss_type="logistic").fit(np.hstack([X, X[:, :3]]))  # 7 non-binary columns
    for k, v in before.items():
        assert np.array_equal(getattr(model, k), v)
    assert model.node_labels_ == labels and model.n_features_in_ == 4
    assert model.set_params(loss_type="l2").predict(X).shape == X.shape


def test_n_jobs_is_capped_at_the_number_of_cores():
    from acyclic._base import resolve_n_jobs

    cores = os.cpu_count() or 1
    assert resolve_n_jobs(10**6) == cores and resolve_n_jobs(2**70) == cores
    assert resolve_n_jobs(-10**6) == 1
    with pytest.raises(InvalidInputError):
        resolve_n_jobs(True)


@pytest.mark.parametrize("columns", [list("aabc"), [0, 0, 1, 2], [0, False, 2, 3]])
def test_duplicate_column_labels_are_rejected(columns):
    df = pd.DataFrame(_small_data(), columns=columns)
    with pytest.raises(InvalidInputError, match="duplicate"):
        acyclic.NOTEARS(max_iter=2).fit(df)


def test_numpy_str_labels_mixed_with_str_work():
    df = pd.DataFrame(_small_data()[:, :3], columns=list(np.array(list("abc"))))
    df["d"] = _small_data()[:, 3]
    model = acyclic.NOTEARS(max_iter=5).fit(df)
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]


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
        acyclic.NOTEARS(max_iter=2).fit(make(_small_data()))


@pytest.mark.parametrize("scale", [1e160, 1e-170])
def test_columns_beyond_float64_arithmetic_are_named(scale):
    X = _small_data()
    X[:, 2] *= scale
    with pytest.raises(InvalidInputError, match="'2'|2"):
        acyclic.NOTEARS(standardize=True, max_iter=2).fit(X)


def test_extreme_uniform_scale_warns():
    X = _small_data()
    with pytest.warns(UserWarning, match="lose their meaning"):
        acyclic.NOTEARS(max_iter=3).fit(X * 1e100)


def test_complex_weight_matrix_is_rejected_by_metrics():
    from acyclic.metrics import count_accuracy

    with pytest.raises(InvalidInputError, match="complex"):
        count_accuracy(np.eye(3), np.eye(3) * (1 + 1j))
