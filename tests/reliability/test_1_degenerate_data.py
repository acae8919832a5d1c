"""Reliability: non-finite and degenerate data.

NaN/inf cells, an all-NaN column, a constant column, a column constant but for one value,
duplicated, collinear (y = 2x) and near-collinear columns, n ≤ 3, d ≥ n (every learner warns
that the problem is underdetermined), a single column, and input of the wrong shape. Every learner either raises a clear ``InvalidInputError`` that names
the columns (the words sklearn's checks look for, "NaN", "inf", "1 sample(s)", "1 feature(s)",
are kept), or returns a finite DAG. Also here: bad hyper-parameters and data that do not suit the
loss (binary data for ``logistic``, counts for ``poisson``), the same kind of named error.
"""

import warnings

import acyclic
import numpy as np
import pandas as pd
import pytest
from _learners import LEARNERS, check_output, make, sem
from acyclic import DAGMA, NOTEARS, TOPO
from acyclic.baselines import VarSortnRegress
from acyclic.exceptions import AcyclicError, InvalidInputError, NonNumericInputError, NumericalError
from acyclic.graph import is_dag

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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


@pytest.mark.parametrize("learner", LEARNERS)
def test_every_learner_names_the_bad_columns(learner, df):
    """The checks above are shared (they run before any learner's own code); every learner
    must reach them: the same named error whatever the learner."""
    cases = []
    for column, value, words in (("gamma", np.nan, "'gamma' (1 NaN)"), ("beta", np.inf, "'beta' (1 inf)")):
        bad = df.copy()
        bad.loc[5, column] = value
        cases.append((bad, words))
    cases.append((df.assign(delta=np.nan), f"'delta' ({len(df)} NaN)"))
    cases.append((df.assign(beta=4.25), "constant"))
    cases.append((df.iloc[:1], "1 sample(s)"))
    cases.append((df[["alpha"]], "1 feature(s)"))
    for bad, words in cases:
        with pytest.raises(InvalidInputError) as info:
            make(learner).fit(bad)
        assert words in str(info.value)


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


# ----------------------------------------------------------------------------- degenerate data
def degenerate_datasets():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    yield "collinear", np.column_stack([x, 2.0 * x[:, 0]])
    yield "duplicated", np.column_stack([x, x[:, 1]])
    yield "near-collinear", np.column_stack([x, x[:, 0] + 1e-9 * rng.normal(size=200)])
    yield "more columns than rows", rng.normal(size=(6, 10))
    yield "three rows", rng.normal(size=(3, 4))
    yield "two columns", np.column_stack([x[:, 0], x[:, 0] + 0.5 * x[:, 1]])
    yield "one value off", np.column_stack([x, np.r_[np.zeros(199), 1.0]])


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("name, X", list(degenerate_datasets()), ids=[n for n, _ in degenerate_datasets()])
def test_degenerate_data_gives_a_finite_dag_or_a_named_error(learner, name, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = make(learner).fit(X)
        except (InvalidInputError, NumericalError) as exc:
            assert str(exc)  # a named error is acceptable; a panic or a NaN graph is not
            return
    check_output(model, X.shape[1])


def collinear_datasets():
    """(name, X, (i, j)): columns i and j carry the same signal, up to a factor or noise 1e-9."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    yield "collinear", np.column_stack([x, 2.0 * x[:, 0]]), (0, 3)
    yield "duplicated", np.column_stack([x, x[:, 1]]), (1, 3)
    yield "near-collinear", np.column_stack([x, x[:, 0] + 1e-9 * rng.normal(size=200)]), (0, 3)


# NOTEARS and DAGMA start from W = 0, where an exact (or nearly exact) copy makes i → j and j → i
# symmetric: the two weights stay equal (to 12 digits) and the acyclicity term keeps both small, so
# w_threshold would drop both and silently lose the edge. They refuse such data with a named error
# instead; a scaled copy (y = 2x) is not symmetric for them and gets its edge.
_SYMMETRIC = {("notears", "duplicated"), ("notears", "near-collinear"),
              ("dagma", "duplicated"), ("dagma", "near-collinear"),
              ("dstruct", "duplicated"), ("dstruct", "near-collinear")}  # fmt: skip


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("case", ["collinear", "duplicated", "near-collinear"])
def test_collinear_columns_are_joined_by_an_edge_one_way(learner, case):
    _, X, (i, j) = next(c for c in collinear_datasets() if c[0] == case)
    # DP-DAG's fast setting (30 epochs) has not learned yet; 300 epochs take 10 ms here
    model = make(learner, **({"max_iter": 300} if learner.startswith("dpdag") else {}))
    if (learner, case) in _SYMMETRIC:
        with pytest.raises(InvalidInputError, match=rf"columns {i} and {j} are copies of each other"):
            model.fit(X)
        return
    model.fit(X)
    check_output(model, 4)
    assert model.adjacency_[i, j] + model.adjacency_[j, i] == 1, model.adjacency_


def test_a_scaled_copy_is_refused_after_standardization_and_labels_are_named():
    import pandas as pd

    _, X, _ = next(c for c in collinear_datasets() if c[0] == "collinear")
    frame = pd.DataFrame(X, columns=["a", "b", "c", "twice a"])
    for cls in (NOTEARS, DAGMA):
        assert cls().fit(frame).adjacency_[0, 3] == 1  # raw: x → 2x is the better fit
        with pytest.raises(InvalidInputError, match=r"'a' and 'twice a' are copies .* after standardization"):
            cls(standardize=True).fit(frame)


# ----------------------------------------------------------------------------- more columns than rows
#: the sparsity parameters each learner's warning suggests
_KNOBS = {"notears": "lambda1 or w_threshold", "dagma": "lambda1 or w_threshold", "topo": "w_threshold",
          "cosmo": "lambda1 or w_threshold", "dpdag": "lambda_kl or edge_threshold",
          "dpdag-linear": "lambda_kl or edge_threshold", "varsortnregress": "w_threshold",
          "r2sortnregress": "w_threshold", "randomsortnregress": "w_threshold",
          "dstruct": "lambda1 or w_threshold"}  # fmt: skip


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("n,d", [(10, 15), (12, 12)])
def test_more_variables_than_samples_warns(learner, n, d):
    X = sem(4, d=d, k=1, n=n)
    with pytest.warns(UserWarning) as record:
        model = make(learner, max_iter=3 if learner.startswith("dpdag") else None).fit(X)
    messages = [str(w.message) for w in record if "underdetermined" in str(w.message)]
    assert len(messages) == 1, [str(w.message) for w in record]
    assert messages[0].startswith(f"{type(model).__name__}: X has {n} samples for {d} variables")
    for words in ("more variables than samples", "dense", "unreliable", "more rows", "fewer variables"):
        assert words in messages[0]
    assert f"larger sparsity parameter ({_KNOBS[learner]})" in messages[0]
    check_output(model, d)


@pytest.mark.parametrize("learner", LEARNERS)
def test_more_samples_than_variables_does_not_warn_of_it(learner):
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        make(learner, max_iter=3 if learner.startswith("dpdag") else None).fit(sem(4, d=8, k=1, n=9))
    assert not [w for w in record if "underdetermined" in str(w.message)]


def test_more_variables_than_samples_uses_a_ridge():
    X = sem(1, d=30, k=2, n=20)
    with pytest.warns(UserWarning, match="underdetermined"):
        model = TOPO().fit(X)
    assert model.ridge_ > 0
    assert np.isfinite(model.raw_weights_).all() and is_dag(model.adjacency_)


def test_more_columns_than_rows_falls_back_to_least_squares():
    X = sem(2, d=12, n=8)
    with pytest.warns(UserWarning, match="underdetermined"), pytest.warns(UserWarning, match="plain least squares"):
        model = VarSortnRegress().fit(X)
    assert is_dag(model.adjacency_) and np.all(np.isfinite(model.weights_))


# ----------------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "params,pattern",
    [
        ({"lambda1": -0.1}, r"lambda1 must be a finite number >= 0, got -0.1"),
        ({"lambda1": np.nan}, r"lambda1"),
        ({"lambda1": "0.1"}, r"lambda1"),
        ({"w_threshold": -0.3}, r"w_threshold must be a finite number >= 0, got -0.3"),
        ({"loss_type": "huber"}, r"loss_type: Unknown variant huber. Expected one of l2, logistic, poisson"),
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


@pytest.mark.parametrize("learner", LEARNERS)
def test_every_learner_names_bad_shared_parameters(learner, X):
    for params, pattern in (({"n_jobs": 0}, r"n_jobs"), ({"standardize": "yes"}, r"standardize"),
                            ({"verbose": "loud"}, r"verbose"), ({"prior_knowledge": "a -> b"}, r"prior_knowledge")):  # fmt: skip
        with pytest.raises(InvalidInputError, match=pattern):
            make(learner, **params).fit(X)
