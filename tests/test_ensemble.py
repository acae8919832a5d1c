"""Bootstrap, stability selection and the λ path (issue 21): resampling in the core, frequencies,
the error bound on a null model, the criteria against their formulas, and Dask equal to threads."""

from __future__ import annotations

import copy
import warnings

import acyclic
import numpy as np
import pandas as pd
import pytest
from acyclic import _core
from acyclic.baselines import SortnRegress
from acyclic.ensemble import Bootstrap, StabilitySelection
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter
from scipy.special import comb


@pytest.fixture(scope="module")
def er2():
    B = simulate_dag(8, 16, "ER", random_state=3)
    W = simulate_parameter(B, random_state=3)
    return B, simulate_linear_sem(W, 400, "gauss", random_state=3)


# ---------------------------------------------------------------- rows drawn in the core
def test_bootstrap_rows_keep_each_stratum_size_and_are_reproducible():
    strata = np.repeat(np.arange(3, dtype=np.int64), [50, 20, 5])
    rows = _core.resample_rows(strata, 11, 4)
    assert np.bincount(strata[rows], minlength=3).tolist() == [50, 20, 5]
    assert np.array_equal(rows, _core.resample_rows(strata, 11, 4))
    assert not np.array_equal(rows, _core.resample_rows(strata, 11, 5))
    half = _core.resample_rows(strata, 11, 4, 0.5)
    assert np.bincount(strata[half], minlength=3).tolist() == [25, 10, 3]  # round half away from 0
    assert len(np.unique(half)) == len(half)


def test_complementary_halves_and_folds():
    strata = np.repeat(np.arange(2, dtype=np.int64), [9, 6])
    a, b = _core.complementary_halves(strata, 2, 0)
    assert len(a) == len(b) == 4 + 3 and not set(a) & set(b)
    fold = _core.cv_folds(strata, 3, 1)
    assert sorted(np.bincount(fold).tolist()) == [5, 5, 5]
    with pytest.raises(InvalidInputError, match="stratum codes"):
        _core.resample_rows(np.array([0, -1]), 0, 0)
    with pytest.raises(InvalidInputError, match="subsample"):
        _core.resample_rows(strata, 0, 0, 1.5)


# ---------------------------------------------------------------- Bootstrap
def test_identical_resamples_of_a_deterministic_learner_give_frequencies_0_or_1(er2):
    _, X = er2
    single = SortnRegress().fit(X)
    boot = Bootstrap(SortnRegress(), n_resamples=5, subsample=1.0, random_state=0).fit(X)
    assert set(np.unique(boot.edge_frequency_)) <= {0.0, 1.0}
    assert np.array_equal(boot.edge_frequency_, single.adjacency_)
    # the mean of 5 equal floats is that float to the last bit or so (sum, then divide)
    np.testing.assert_allclose(boot.mean_weights_, single.weights_, rtol=1e-15, atol=0)
    np.testing.assert_array_equal(boot.edge_sign_, np.sign(single.weights_))
    np.testing.assert_allclose(boot.weights_, single.weights_, rtol=1e-15, atol=0)


def test_bootstrap_summaries_match_the_members(er2):
    B, X = er2
    boot = Bootstrap(acyclic.TOPO(), n_resamples=12, random_state=1, n_jobs=2).fit(X)
    adjacency = np.stack([m.adjacency_ for m in boot.members_])
    weights = np.stack([m.weights_ for m in boot.members_])
    np.testing.assert_allclose(boot.edge_frequency_, adjacency.mean(axis=0), rtol=0, atol=1e-15)
    count = adjacency.sum(axis=0)
    i, j = np.unravel_index(np.argmax(count), count.shape)
    np.testing.assert_allclose(boot.mean_weights_[i, j], weights[:, i, j][adjacency[:, i, j] == 1].mean(), rtol=1e-12)
    assert is_dag(boot.adjacency_)
    assert np.all((boot.adjacency_ == 1) == ((boot.edge_frequency_ >= 0.5) & (boot.adjacency_ == 1)))
    # the consensus recovers raw-scale ER2 graphs: SHD at most 1 over graph/data seeds 0-19 of
    # this setting (12 members, random_state=1); bound 1 + 2
    assert count_accuracy(B, boot.adjacency_)["shd"] <= 3
    samples = boot.sample_dags(50, random_state=0)
    assert samples.shape == (50, 8, 8) and samples.dtype == np.uint8
    assert all(is_dag(s) for s in samples)
    assert np.array_equal(samples, boot.sample_dags(50, random_state=0))


def test_bootstrap_does_not_depend_on_threads(er2):
    _, X = er2
    one = Bootstrap(acyclic.DAGMA(), n_resamples=6, random_state=5).fit(X)
    two = Bootstrap(acyclic.DAGMA(), n_resamples=6, random_state=5, n_jobs=2).fit(X)
    np.testing.assert_array_equal(one.mean_weights_, two.mean_weights_)
    np.testing.assert_array_equal(one.edge_frequency_, two.edge_frequency_)


def test_bootstrap_with_environments_and_mask_and_labels():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((120, 4))
    X[:, 1] += 0.8 * X[:, 0]
    env = np.repeat(["obs", "do2"], [100, 20])
    mask = np.zeros((120, 4), dtype=bool)
    mask[100:, 2] = True
    frame = pd.DataFrame(X, columns=list("abcd"))
    prior = acyclic.PriorKnowledge(forbidden=[("b", "a")])
    boot = Bootstrap(acyclic.TOPO(prior_knowledge=prior), n_resamples=8, random_state=0)
    boot.fit(frame, intervention_mask=mask, environments=env)
    assert boot.node_labels_ == list("abcd")
    assert boot.edge_frequency_[1, 0] == 0  # the prior reached every member through the labels
    assert is_dag(boot.adjacency_)
    assert boot.to_networkx().number_of_nodes() == 4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_resamples": 0}, "n_resamples"),
        ({"subsample": 1.5}, "subsample"),
        ({"threshold": -0.1}, "threshold"),
        ({"backend": "mpi"}, "backend"),
        ({"client": object()}, "client"),
    ],
)
def test_bootstrap_refuses_bad_parameters(er2, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        Bootstrap(acyclic.TOPO(), **kwargs).fit(er2[1])


def test_ensembles_refuse_bad_data_and_learners(er2):
    X = er2[1].copy()
    X[3, 2] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        Bootstrap(acyclic.TOPO()).fit(X)
    with pytest.raises(InvalidInputError, match="posterior"):
        Bootstrap(acyclic.DiBS()).fit(er2[1])
    with pytest.raises(InvalidInputError, match="learner"):
        StabilitySelection("TOPO").fit(er2[1])
    with pytest.raises(InvalidInputError, match="environments"):
        Bootstrap(acyclic.TOPO()).fit(er2[1], environments=[0, 1])


def test_a_resample_with_a_constant_column_is_a_named_error():
    X = np.random.default_rng(0).standard_normal((40, 3))
    X[:, 2] = 0.0
    X[0, 2] = 1.0  # one row makes the column non-constant; most subsamples miss it
    with pytest.raises(InvalidInputError, match="the fit on a resample of the rows failed"):
        Bootstrap(acyclic.TOPO(), n_resamples=10, subsample=0.3, random_state=0).fit(X)


# ---------------------------------------------------------------- stability selection
def test_stability_selection_bounds_false_edges_on_a_null_model():
    """Independent columns: every selected edge is false. Over seeds 0-19 the selected count was
    at most 2 (mean 0.15, against the theorem's bound max_false_edges = 1): per seed ≤ 2 + 2, and
    the mean over the 20 seeds ≤ 1."""
    counts = []
    for seed in range(20):
        X = np.random.default_rng(seed).standard_normal((200, 10))
        s = StabilitySelection(acyclic.TOPO(), n_pairs=10, random_state=seed, n_jobs=2).fit(X)
        assert s.false_edges_bound_ <= 1.0 + 1e-12
        assert 0.5 < s.threshold_ <= 0.9
        assert is_dag(s.adjacency_)
        counts.append(int(s.adjacency_.sum()))
    assert max(counts) <= 4
    assert np.mean(counts) <= 1.0


def test_stability_selection_frequencies_and_selection(er2):
    B, X = er2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # ER2 at d = 8 needs more than the bound allows
        s = StabilitySelection(acyclic.TOPO(), n_pairs=6, random_state=0, n_jobs=2, max_false_edges=4).fit(X)
    assert s.path_frequency_.shape == (s.n_grid_used_, 8, 8)
    np.testing.assert_array_equal(s.path_frequency_, s.path_frequency_.transpose(0, 2, 1))
    np.testing.assert_array_equal(s.selection_frequency_, s.path_frequency_.max(axis=0))
    seen = s.orientation_frequency_ + s.orientation_frequency_.T
    assert np.allclose(seen[seen > 0], 1.0)
    selected = np.triu(s.selection_frequency_ >= s.threshold_, 1)
    assert np.array_equal(selected, np.triu((s.adjacency_ + s.adjacency_.T) > 0, 1))  # no cycle to break here
    tau, q, p = s.threshold_, s.q_, 8 * 7 / 2
    assert s.false_edges_bound_ == pytest.approx(q**2 / ((2 * tau - 1) * p), rel=1e-12)
    # every selected edge is a true one in this setting: FDR 0 over graph/data seeds 0-19; bound
    # 0 + 0.2 (one false edge in five)
    assert count_accuracy(B, s.adjacency_)["fdr"] <= 0.2


def test_stability_selection_warns_when_the_grid_is_too_dense(er2):
    with pytest.warns(UserWarning, match="sparser values"):
        s = StabilitySelection(acyclic.TOPO(), grid=[0.05], n_pairs=2, random_state=0).fit(er2[1])
    assert s.threshold_ == 0.9


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_false_edges": 0}, "max_false_edges"),
        ({"max_threshold": 0.5}, "max_threshold"),
        ({"n_pairs": 0}, "n_pairs"),
        ({"grid": []}, "grid"),
        ({"param": "lambda_kl"}, "not a sparsity parameter"),
        ({"param": "random_state", "grid": [1]}, "not a sparsity parameter"),
        ({"grid": 0.3}, "grid"),
        ({"grid": [True]}, "grid"),
        ({"param": "max_iter"}, "give a grid"),
    ],
)
def test_stability_selection_refuses_bad_parameters(er2, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        StabilitySelection(acyclic.TOPO(), **kwargs).fit(er2[1])


# ---------------------------------------------------------------- λ path
def test_select_lambda_criteria_follow_their_formulas(er2):
    _, X = er2
    model, path = acyclic.select_lambda(acyclic.DAGMA(), X, [0.3, 0.05, 0.01], criterion="ebic", gamma=0.5)
    d = X.shape[1]
    for row in path.itertuples():
        refit = acyclic.DAGMA(lambda1=row.lambda1).fit(X)
        assert row.n_edges == refit.adjacency_.sum()
        assert row.bic == pytest.approx(refit.bic(X), rel=1e-12)
        assert row.ebic == pytest.approx(row.bic + np.log(comb(d * (d - 1), row.n_edges, exact=True)), rel=1e-12)
    best = path.loc[path.chosen].iloc[0]
    assert best.ebic == path.ebic.min()
    assert model.lambda1 == best.lambda1 and model.n_jobs is None
    np.testing.assert_array_equal(model.weights_, acyclic.DAGMA(lambda1=best.lambda1).fit(X).weights_)


def test_select_lambda_cv_is_a_held_out_gaussian_likelihood(er2):
    _, X = er2
    _, path = acyclic.select_lambda(acyclic.TOPO(), X, [0.3, 5.0], criterion="cv", n_folds=3, random_state=0)
    # w_threshold = 5 leaves the empty graph: the held-out likelihood of independent Gaussians
    # with the training variances, which the graph of w_threshold = 0.3 must beat
    fold = _core.cv_folds(np.zeros(len(X), dtype=np.int64), 3, acyclic._resampling.resample_seed(0))
    total = 0.0
    for k in range(3):
        train, test = X[fold != k], X[fold == k]
        var = ((train - train.mean(0)) ** 2).mean(0)
        total += (0.5 * (np.log(2 * np.pi * var) + (test - train.mean(0)) ** 2 / var)).sum()
    # the path runs sparsest first: w_threshold 5 (empty), then 0.3
    assert list(path.w_threshold) == [5.0, 0.3]
    assert path.cv[0] == pytest.approx(total / X.size, rel=1e-10)
    assert path.cv[1] < path.cv[0] and bool(path.chosen[1])


def test_bic_with_an_intervention_mask_leaves_intervened_rows_out(er2):
    _, X = er2
    mask = np.zeros(X.shape, dtype=bool)
    mask[:50, 0] = True
    model = acyclic.TOPO().fit(X, intervention_mask=mask)
    residual = X - model.predict(X)
    rows = (~mask).sum(axis=0)
    var = np.where(mask, 0, residual**2).sum(axis=0) / rows
    expected = float(np.sum(rows * np.log(var)) + model.adjacency_.sum() * np.log(len(X)))
    assert model.bic(X, intervention_mask=mask) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(model.residual_variances(X, mask), var, rtol=1e-12)


def test_select_lambda_refuses_bad_parameters(er2):
    X = er2[1]
    with pytest.raises(InvalidInputError, match="criterion"):
        acyclic.select_lambda(acyclic.TOPO(), X, criterion="aic")
    with pytest.raises(InvalidInputError, match="lambdas"):
        acyclic.select_lambda(acyclic.TOPO(), X, [])
    with pytest.raises(InvalidInputError, match="n_folds"):
        acyclic.select_lambda(acyclic.TOPO(), X, [0.3], criterion="cv", n_folds=1)
    with pytest.raises(InvalidInputError, match="gamma"):
        acyclic.select_lambda(acyclic.TOPO(), X, gamma=2)


# ---------------------------------------------------------------- Dask
@pytest.mark.filterwarnings("ignore:StabilitySelection. the sparsest grid value:UserWarning")
def test_dask_gives_the_threads_results(er2):
    distributed = pytest.importorskip("distributed")
    _, X = er2
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        boot = Bootstrap(acyclic.TOPO(), n_resamples=8, random_state=2, backend="dask").fit(X)
        stab = StabilitySelection(
            acyclic.TOPO(), n_pairs=3, random_state=2, backend="dask", client=client, max_false_edges=4
        ).fit(X)
        _, path = acyclic.select_lambda(acyclic.DAGMA(), X, [0.1, 0.02], criterion="cv", backend="dask", random_state=2)
    boot_threads = Bootstrap(acyclic.TOPO(), n_resamples=8, random_state=2, n_jobs=2).fit(X)
    stab_threads = StabilitySelection(acyclic.TOPO(), n_pairs=3, random_state=2, n_jobs=2, max_false_edges=4).fit(X)
    _, path_threads = acyclic.select_lambda(acyclic.DAGMA(), X, [0.1, 0.02], criterion="cv", random_state=2)
    np.testing.assert_array_equal(boot.mean_weights_, boot_threads.mean_weights_)
    np.testing.assert_array_equal(boot.edge_frequency_, boot_threads.edge_frequency_)
    np.testing.assert_array_equal(stab.path_frequency_, stab_threads.path_frequency_)
    np.testing.assert_array_equal(stab.weights_, stab_threads.weights_)
    pd.testing.assert_frame_equal(path, path_threads, check_exact=True)


def test_dask_without_a_client_is_a_named_error(er2):
    pytest.importorskip("distributed")
    with pytest.raises(InvalidInputError, match="Client"):
        Bootstrap(acyclic.TOPO(), n_resamples=2, backend="dask").fit(er2[1])


def test_a_parameter_the_learner_ignores_is_refused(er2):
    _, X = er2
    mask = np.zeros(X.shape, dtype=bool)
    mask[:40, 0] = True
    with pytest.raises(InvalidInputError, match="ignores w_threshold"):
        acyclic.select_lambda(acyclic.TOPO(), X, intervention_mask=mask)
    with pytest.raises(InvalidInputError, match="ignores w_threshold"):
        StabilitySelection(acyclic.TOPO(prune="bic"), n_pairs=1).fit(X)
    _, path = acyclic.select_lambda(acyclic.TOPO(prune="threshold"), X, [0.3, 0.6], intervention_mask=mask)
    assert len(path) == 2


def test_sample_interventional_follows_the_members_sem_with_common_random_numbers():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 3))
    X[:, 1] = 2.0 + 1.5 * X[:, 0] + 0.5 * rng.standard_normal(500)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    boot = Bootstrap(acyclic.TOPO(standardize=True), n_resamples=4, random_state=0).fit(frame)
    k = 0
    member = boot.members_[k]
    low = boot.sample_interventional(k, "a", -1.0, 50, random_state=7)
    high = boot.sample_interventional(k, 0, 3.0, 50, random_state=7)
    assert low.shape == (50, 3) and np.all(low[:, 0] == -1.0) and np.all(high[:, 0] == 3.0)
    # the same noise in both calls: b moves by its weight (in the units of X) times the shift
    slope = member.weights_[0, 1] * member.scale_[1] / member.scale_[0]
    np.testing.assert_allclose(high[:, 1] - low[:, 1], slope * 4.0, rtol=1e-10)
    np.testing.assert_allclose(high[:, 2], low[:, 2], rtol=1e-12)  # c is not a descendant
    assert slope == pytest.approx(1.5, abs=0.15)
    # by graph: the first member with it
    assert np.array_equal(boot.sample_interventional(member.adjacency_, "a", -1.0, 50, random_state=7), low)
    for bad, match in [((9, "a", 0.0), "member index"), ((0, "z", 0.0), "target"), ((0, "a", np.nan), "value")]:
        with pytest.raises(InvalidInputError, match=match):
            boot.sample_interventional(*bad, 5)
    with pytest.raises(InvalidInputError, match="no member has this graph"):
        boot.sample_interventional(np.ones((3, 3)), "a", 0.0, 5)


def test_sample_interventional_runs_an_mlp_members_networks():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 3))
    X[:, 1] = np.tanh(2.0 * X[:, 0]) + 0.3 * rng.standard_normal(300)
    boot = Bootstrap(acyclic.NOTEARS(mechanism="mlp", hidden=[4]), n_resamples=2, random_state=0).fit(X)
    member = boot.members_[0]
    rows = boot.sample_interventional(0, 0, 1.2, 40, random_state=3)
    assert rows.shape == (40, 3) and np.all(rows[:, 0] == 1.2)
    # the descendants follow the member's networks: each row's b is predict's b plus the
    # member's noise, and without noise (a member with zero residual variance) exactly predict's
    quiet = copy.deepcopy(boot)
    quiet.noise_variances_ = np.zeros_like(boot.noise_variances_)
    exact = quiet.sample_interventional(0, 0, 1.2, 40, random_state=3)
    order = member.causal_order_
    prediction = member.predict(exact)
    for j in order[list(order).index(0) + 1 :]:
        np.testing.assert_allclose(exact[:, j], prediction[:, j], rtol=1e-10, atol=1e-12)
    residual = rows - exact
    assert np.all(residual[:, 0] == 0)
    assert np.std(residual[:, 1]) == pytest.approx(np.sqrt(boot.noise_variances_[0][1]), rel=0.5)


def test_stability_selection_with_nothing_selected_returns_the_empty_graph():
    X = np.random.default_rng(0).standard_normal((200, 4))
    s = StabilitySelection(acyclic.TOPO(), grid=[5.0], n_pairs=2, random_state=0).fit(X)
    assert s.q_ == 0 and s.false_edges_bound_ == 0 and s.adjacency_.sum() == 0
    s = StabilitySelection(acyclic.TOPO(), n_pairs=2, max_false_edges=1e300, random_state=0).fit(X)
    assert np.isfinite(s.false_edges_bound_) and is_dag(s.adjacency_)


def test_single_row_strata_are_pooled_with_a_warning():
    X = np.random.default_rng(1).standard_normal((60, 3))
    X[:, 1] += X[:, 0]
    with pytest.warns(UserWarning, match="alone in their experiment"):
        boot = Bootstrap(acyclic.TOPO(), n_resamples=10, random_state=0).fit(X, environments=np.arange(60))
    assert 0 < boot.edge_frequency_.max() and len(np.unique(boot.edge_frequency_)) > 2


def test_the_learners_random_state_object_is_not_touched(er2):
    rs = np.random.RandomState(5)
    before = rs.get_state()[1].copy()
    acyclic.select_lambda(acyclic.TOPO(init="random", random_state=rs), er2[1], [0.3, 0.2])
    Bootstrap(acyclic.TOPO(init="random", random_state=rs), n_resamples=2, random_state=0).fit(er2[1])
    assert np.array_equal(before, rs.get_state()[1])
