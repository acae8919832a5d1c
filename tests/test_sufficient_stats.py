"""Sufficient statistics (issue 21, out-of-core data): streamed equal to in-memory in any
chunking, fits from statistics equal to fits from rows, named errors for bad chunks."""

from __future__ import annotations

import acyclic
import numpy as np
import pandas as pd
import pytest
from acyclic import SufficientStats
from acyclic.baselines import VarSortnRegress
from acyclic.exceptions import InvalidInputError, NonNumericInputError
from acyclic.graph import is_dag
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter
from sklearn.base import clone


@pytest.fixture(scope="module")
def data():
    B = simulate_dag(7, 14, "ER", random_state=4)
    X = simulate_linear_sem(simulate_parameter(B, random_state=4), 3000, "exp", random_state=4)
    return B, X + np.arange(7) * 10.0  # means far from 0: the merge must not lose the variance


def _scipy_moments(X):
    centred = X - X.mean(axis=0)
    return centred.T @ centred, (centred**3).sum(axis=0), (centred**4).sum(axis=0)


@pytest.mark.parametrize("cuts", [[], [1], [2999], [7, 8, 1000, 2500], list(range(100, 3000, 100))])
def test_streamed_statistics_equal_in_memory_ones_in_any_chunking(data, cuts):
    _, X = data
    stats = SufficientStats.from_chunks(np.split(X, cuts))
    scatter, m3, m4 = _scipy_moments(X)
    assert stats.n_ == len(X)
    np.testing.assert_allclose(stats.mean_, X.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(stats.scatter_, scatter, rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(stats._arrays[3], m3, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(stats._arrays[4], m4, rtol=1e-10)
    np.testing.assert_allclose(stats.covariance_, np.cov(X.T, bias=True), rtol=1e-11, atol=1e-12)


def test_threads_do_not_change_the_bits(data):
    _, X = data
    big = np.tile(X, (12, 1))  # several blocks of 16 384 rows
    one, two = SufficientStats.from_array(big, n_jobs=1), SufficientStats.from_array(big, n_jobs=2)
    for a, b in zip(one._arrays[1:], two._arrays[1:]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "learner",
    [
        acyclic.NOTEARS(),
        acyclic.NOTEARS(standardize=True),
        acyclic.DAGMA(),
        acyclic.TOPO(standardize=True),
        VarSortnRegress(),
    ],
    ids=["notears", "notears-std", "dagma", "topo-std", "varsortnregress"],
)
def test_fit_from_statistics_is_the_fit_of_the_rows(data, learner):
    B, X = data
    frame = pd.DataFrame(X, columns=list("abcdefg"))
    rows = clone(learner).fit(frame)
    stats = clone(learner).fit(SufficientStats.from_array(frame))
    np.testing.assert_array_equal(rows.weights_, stats.weights_)  # one path: the same bits
    np.testing.assert_array_equal(rows.mean_, stats.mean_)
    assert stats.node_labels_ == list("abcdefg") and is_dag(stats.adjacency_)
    np.testing.assert_allclose(stats.predict(frame), rows.predict(frame), rtol=1e-12)


@pytest.mark.parametrize("learner", [acyclic.DAGMA(), acyclic.TOPO(), VarSortnRegress()], ids=["dagma", "topo", "var"])
def test_chunked_statistics_fit_as_the_rows_to_rounding(data, learner):
    _, X = data
    rows = clone(learner).fit(X)
    chunked = clone(learner).fit(SufficientStats.from_chunks(np.array_split(X, 9)))
    np.testing.assert_array_equal(rows.adjacency_, chunked.adjacency_)
    np.testing.assert_allclose(chunked.weights_, rows.weights_, rtol=1e-10, atol=1e-12)


def test_learners_that_need_rows_refuse_statistics(data):
    stats = SufficientStats.from_array(data[1])
    for learner in (acyclic.COSMO(), acyclic.DPDAG(), acyclic.NOTEARS(mechanism="mlp")):
        with pytest.raises(InvalidInputError, match="needs the rows"):
            learner.fit(stats)
    with pytest.raises(InvalidInputError, match="intervention_mask"):
        acyclic.TOPO().fit(stats, intervention_mask=np.zeros((3000, 7), dtype=bool))


def test_a_bad_chunk_names_its_row(tmp_path, data):
    _, X = data
    frame = pd.DataFrame(X[:50].copy(), columns=list("abcdefg"))  # a copy: older pandas keep a view
    frame.loc[37, "c"] = np.nan
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InvalidInputError, match=r"row 37, column 'c'"):
        SufficientStats.from_csv(path, chunksize=10)
    text = pd.DataFrame(X[:50], columns=list("abcdefg")).astype(object)
    text.loc[23, "e"] = "oops"
    text.to_csv(path, index=False)
    with pytest.raises(NonNumericInputError, match=r"row 23, column 'e' \('oops'\)"):
        SufficientStats.from_csv(path, chunksize=10)
    with pytest.raises(InvalidInputError, match="no rows"):
        SufficientStats.from_chunks([])
    with pytest.raises(InvalidInputError, match="columns"):
        SufficientStats.from_chunks([X[:5], X[:5, :3]])


def test_csv_and_dask_give_the_chunked_statistics(tmp_path, data):
    _, X = data
    path = tmp_path / "x.csv"
    pd.DataFrame(X, columns=list("abcdefg")).to_csv(path, index=False, float_format="%.17g")
    from_csv = SufficientStats.from_csv(path, chunksize=700)
    reference = SufficientStats.from_chunks(np.split(X, range(700, 3000, 700)))
    assert from_csv.labels_ == list("abcdefg")
    # the same chunking; older pandas parse a CSV float to within an ulp of what was written
    for a, b in zip(from_csv._arrays[1:], reference._arrays[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
    da = pytest.importorskip("dask.array")
    from_dask = SufficientStats.from_dask(da.from_array(X, chunks=(700, 3)))
    for a, b in zip(from_dask._arrays[1:], reference._arrays[1:]):
        np.testing.assert_array_equal(a, b)
    merged = SufficientStats.from_array(X[:700]).merge(SufficientStats.from_array(X[700:]))
    np.testing.assert_allclose(merged.scatter_, reference.scatter_, rtol=1e-12)


def test_a_constant_column_in_statistics_is_named(data):
    X = data[1].copy()
    X[:, 2] = 5.0
    with pytest.raises(InvalidInputError, match="constant"):
        acyclic.TOPO().fit(SufficientStats.from_array(pd.DataFrame(X, columns=list("abcdefg"))))


def test_statistics_get_the_checks_of_rows(data):
    X = data[1].copy()
    X[:, 2] = 0.1  # constant: its variance from the statistics is rounding noise, not 0
    with pytest.raises(InvalidInputError, match="constant"):
        acyclic.TOPO(standardize=True).fit(SufficientStats.from_array(X))
    with pytest.raises(InvalidInputError, match="at least 2"):
        acyclic.TOPO().fit(SufficientStats.from_array(data[1][:, :1]))
    stats = SufficientStats.from_array(data[1])
    for call in (lambda: acyclic.BaCaDI().fit(stats), lambda: acyclic.TOPO().fit(data[1]).predict(stats)):
        with pytest.raises(InvalidInputError, match="not sufficient statistics"):
            call()


def test_from_dask_checks_labels_and_client(data):
    da = pytest.importorskip("dask.array")
    a = da.from_array(data[1], chunks=(500, 7))
    with pytest.raises(InvalidInputError, match="duplicate"):
        SufficientStats.from_dask(a, labels=list("aabcdef"))
    with pytest.raises(InvalidInputError, match="labels for 7 columns"):
        SufficientStats.from_dask(a, labels=["a", "b"])
    with pytest.raises(InvalidInputError, match="client"):
        SufficientStats.from_dask(a, client="tcp://nowhere:1")


def _interventional(seed=5, d=6, n_per=300):
    from acyclic.simulate import simulate_interventional_sem

    B = simulate_dag(d, 2 * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    X, mask, env = simulate_interventional_sem(W, 2 * n_per, [[0], [2], [4]], n_per, random_state=seed)
    return B, X, mask, env


def test_interventional_statistics_keep_one_group_per_mask_row_and_fit_as_the_rows():
    B, X, mask, _ = _interventional()
    stats = SufficientStats.from_array(X, intervention_mask=mask)
    assert stats.intervention_patterns_.shape == (4, 6) and stats.group_sizes_.tolist() == [600, 300, 300, 300]
    assert not stats.intervention_patterns_[0].any() and stats.intervention_patterns_[1, 0]
    np.testing.assert_allclose(stats.scatter_, SufficientStats.from_array(X).scatter_, rtol=1e-12)
    # in chunks that cut the groups, merged in any order of arrival: the same groups
    order = np.random.default_rng(0).permutation(len(X))
    chunks = [(X[rows], mask[rows]) for rows in np.array_split(order, 7)]
    streamed = SufficientStats.from_chunks(chunks)
    assert sorted(map(tuple, streamed.intervention_patterns_)) == sorted(map(tuple, stats.intervention_patterns_))
    for learner, rtol in ((VarSortnRegress(), 1e-8), (acyclic.DAGMA(), 1e-6), (acyclic.TOPO(), 1e-8)):
        rows = clone(learner).fit(X, intervention_mask=mask)
        for known in (stats, streamed):
            fitted = clone(learner).fit(known)
            assert is_dag(fitted.adjacency_)
            if isinstance(learner, acyclic.TOPO):
                # its restarts meet orders of equal score (here 1 -> 5 and 5 -> 1: neither node is
                # intervened on), and rounding decides which is kept: compare the score
                np.testing.assert_allclose(fitted.history_[-1], rows.history_[-1], rtol=rtol)
                continue
            np.testing.assert_array_equal(fitted.adjacency_, rows.adjacency_)
            np.testing.assert_allclose(fitted.weights_, rows.weights_, rtol=rtol, atol=rtol)
    # a node set in every row has nothing to be fitted on
    with pytest.raises(InvalidInputError, match="every row"):
        acyclic.TOPO().fit(SufficientStats.from_array(X, intervention_mask=np.eye(1, 6, dtype=bool).repeat(len(X), 0)))
    with pytest.raises(InvalidInputError, match="needs the rows"):
        acyclic.COSMO().fit(stats)


def test_a_mask_that_marks_nothing_gives_observational_statistics(data):
    _, X = data
    stats = SufficientStats.from_array(X, intervention_mask=np.zeros(X.shape, dtype=bool))
    assert stats.intervention_patterns_ is None
    np.testing.assert_array_equal(stats.scatter_, SufficientStats.from_array(X).scatter_)
    with pytest.raises(InvalidInputError, match="shape"):
        SufficientStats.from_array(X, intervention_mask=np.zeros((3, 7), dtype=bool))
