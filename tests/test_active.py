"""AIT (issue 22): the score against its definition, the hypotheses it must tell apart, the loop
with its oracle errors and resumption."""

from __future__ import annotations

import acyclic
import numpy as np
import pandas as pd
import pytest
from acyclic.active import ActiveLearner, edge_entropy, sample_interventional, score_targets
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.simulate import oracle_from_sem, simulate_dag, simulate_linear_sem, simulate_parameter


class FixedPosterior:
    """A stand-in posterior that always returns the given graphs (in turn)."""

    def __init__(self, graphs, labels):
        self.graphs = np.asarray(graphs, dtype=np.uint8)
        self.node_labels_ = list(labels)
        self.edge_probabilities_ = self.graphs.mean(axis=0)

    def __sklearn_is_fitted__(self):
        return True

    def sample_dags(self, n, random_state=None):
        return np.stack([self.graphs[k % len(self.graphs)] for k in range(n)])


def _chain_data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal(n)
    x1 = x0 + rng.standard_normal(n)
    x2 = x1 + rng.standard_normal(n)
    return np.column_stack([x0, x1, x2])


def _graph(edges, d=3):
    g = np.zeros((d, d), dtype=np.uint8)
    for i, j in edges:
        g[i, j] = 1
    return g


def _d(table):
    return table.set_index("target")["score"].to_numpy()


def test_the_score_is_zero_when_all_graphs_agree():
    X = _chain_data()
    model = FixedPosterior([_graph([(0, 1), (1, 2)])], range(3))
    table = score_targets(model, X=X, random_state=0)
    assert list(table.columns) == ["target", "value", "score", "rank"]
    np.testing.assert_array_equal(table["score"].to_numpy(), 0.0)


def test_the_one_separating_intervention_is_picked():
    # data from 0 -> 1 -> 2; the hypotheses {0->1, 0->2} and {0->1, 1->2} predict the same mean
    # of X_2 under do(X_0) and nothing under do(X_2): only do(X_1) tells them apart
    X = _chain_data()
    model = FixedPosterior([_graph([(0, 1), (0, 2)]), _graph([(0, 1), (1, 2)])], range(3))
    table = score_targets(model, X=X, random_state=1)
    d = _d(table)
    assert table.loc[table["rank"] == 1, "target"].item() == 1
    assert d[0] < 0.1 * d[1] and d[2] < 0.1 * d[1]


def test_a_strong_disagreement_beats_uncertain_near_zero_edges():
    # 0 -> 1 with weight 2 (the hypotheses disagree on its direction); 2 -> 3 with weight 0.01
    # (present in one hypothesis only: uncertain, but it moves nothing). "uncertainty" would
    # count both edges alike; AIT prefers the one that matters
    rng = np.random.default_rng(3)
    x0, x2 = rng.standard_normal(3000), rng.standard_normal(3000)
    X = np.column_stack([x0, 2 * x0 + rng.standard_normal(3000), x2, 0.01 * x2 + rng.standard_normal(3000)])
    model = FixedPosterior([_graph([(0, 1), (2, 3)], 4), _graph([(1, 0)], 4)], range(4))
    d = _d(score_targets(model, X=X, random_state=2))
    assert max(d[0], d[1]) > 100 * max(d[2], d[3])


def test_scores_are_deterministic_and_bad_input_is_named():
    X = _chain_data()
    model = FixedPosterior([_graph([(0, 1)]), _graph([(1, 0), (1, 2)])], ["a", "b", "c"])
    one = score_targets(model, [("a", 1.0), (2, -1.0)], X=X, random_state=5)
    two = score_targets(model, [("a", 1.0), (2, -1.0)], X=X, random_state=5, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    assert one["target"].tolist() == ["a", "c"]
    for bad, match in [([("z", 1.0)], "target"), ([(0, np.inf)], "finite"), ([], "no candidates"), ([0], "pair")]:
        with pytest.raises(InvalidInputError, match=match):
            score_targets(model, bad, X=X)
    with pytest.raises(InvalidInputError, match="n_graphs"):
        score_targets(model, X=X, n_graphs=1)
    with pytest.raises(InvalidInputError, match="posterior"):
        score_targets(acyclic.TOPO().fit(X), X=X)
    with pytest.raises(InvalidInputError, match="columns"):
        score_targets(model, X=X[:, :2])


def test_edge_entropy():
    assert edge_entropy(np.eye(3)) == pytest.approx(0.0, abs=1e-9)
    assert edge_entropy(np.full((3, 3), 0.5)) == pytest.approx(np.log(2))


def _problem(seed=0, d=5):
    B = simulate_dag(d, d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return B, W, simulate_linear_sem(W, 200, "gauss", random_state=seed)


@pytest.mark.parametrize("strategy", ["ait", "random", "uncertainty"])
def test_the_loop_records_rounds_and_returns_dags(strategy):
    B, W, X = _problem()
    loop = ActiveLearner(
        acyclic.DPDAG(random_state=0), oracle_from_sem(W), 3, 20, strategy, true_graph=B, random_state=0
    ).run(X)
    history = loop.history_
    assert len(history) == 4 and history["target"].iloc[:3].notna().all() and np.isnan(history["target"].iloc[3])
    assert {"entropy", "shd", "eshd"} <= set(history.columns)
    assert loop.X_.shape == (260, 5) and loop.intervention_mask_[200:].sum() == 60
    for r, t in enumerate(history["target"].iloc[:3].astype(int)):
        assert loop.intervention_mask_[200 + 20 * r : 220 + 20 * r, t].all()
    assert is_dag(loop.model_.adjacency_)
    if strategy == "random":  # without replacement
        assert len(set(history["target"].iloc[:3])) == 3


def test_the_loop_is_reproducible():
    B, W, X = _problem(1)
    runs = [
        ActiveLearner(acyclic.DPDAG(random_state=0), oracle_from_sem(W), 2, 10, random_state=4).run(X) for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].X_, runs[1].X_)


def test_a_failing_oracle_is_named_and_the_rows_so_far_are_kept():
    B, W, X = _problem(2)
    good = oracle_from_sem(W)
    calls = {"n": 0}

    def flaky(target, value, n, rng):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the lab is closed")
        return good(target, value, n, rng)

    loop = ActiveLearner(acyclic.DPDAG(random_state=0), flaky, 3, 10, "random", random_state=0)
    with pytest.raises(InvalidInputError, match="the lab is closed"):
        loop.run(X)
    assert loop.X_.shape == (210, 5)  # the first experiment's rows are kept
    loop.run(X)  # resumes
    assert loop.X_.shape == (230, 5) and len(loop.history_) == 4
    for bad in (lambda t, v, n, rng: np.zeros((n, 4)), lambda t, v, n, rng: np.full((n, 5), np.nan)):
        with pytest.raises(InvalidInputError, match="oracle returned rows"):
            ActiveLearner(acyclic.DPDAG(random_state=0), bad, 1, 10).run(X)
    with pytest.raises(InvalidInputError, match="strategy"):
        ActiveLearner(acyclic.DPDAG(), good, 1, strategy="greedy")
    with pytest.raises(InvalidInputError, match="functions_random_state"):
        oracle_from_sem(W, "mlp")


def test_sample_interventional_fits_the_graphs_mechanisms_with_common_random_numbers():
    X = _chain_data(5000)
    chain = _graph([(0, 1), (1, 2)])
    low = sample_interventional(chain, X, 1, -1.0, 4000, random_state=3)
    high = sample_interventional(chain, X, 1, 3.0, 4000, random_state=3)
    assert np.all(low[:, 1] == -1.0) and np.all(high[:, 1] == 3.0)
    np.testing.assert_allclose(high[:, 0], low[:, 0])  # a parent does not move
    slope = (high[:, 2] - low[:, 2]) / 4.0  # the same noise: X_2 moves by its fitted weight, ~1
    np.testing.assert_allclose(slope, slope[0], rtol=1e-12)
    assert slope[0] == pytest.approx(1.0, abs=0.05)
    # the mechanisms are the least-squares ones: X_0's noise variance ~ 1 around its mean
    assert low[:, 0].std() == pytest.approx(1.0, abs=0.05)
    with pytest.raises(InvalidInputError, match="cycle"):
        sample_interventional(_graph([(0, 1), (1, 0)]), X, 0, 1.0, 5)
    with pytest.raises(InvalidInputError, match="3x3"):
        sample_interventional(np.zeros((2, 2)), X, 0, 1.0, 5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_posteriors_keep_their_training_statistics_and_simulate_their_graphs():
    # the posterior interface: score_targets(model) and model.sample_interventional use the
    # statistics of the rows the model was fitted on, with their intervention mask
    X = _chain_data(300)
    mask = np.zeros(X.shape, dtype=bool)
    mask[250:, 1] = True
    X[250:, 1] = 2.0 + 0.1 * np.arange(50) / 50
    model = acyclic.DPDAG(max_iter=30, random_state=0).fit(X, intervention_mask=mask)
    expected = acyclic.SufficientStats.from_array(X, intervention_mask=mask)
    assert model.training_statistics_.intervention_patterns_.tolist() == expected.intervention_patterns_.tolist()
    np.testing.assert_array_equal(model.training_statistics_.mean_, expected.mean_)
    pd.testing.assert_frame_equal(
        score_targets(model, random_state=4), score_targets(model, X=X, intervention_mask=mask, random_state=4)
    )
    graph = model.sample_dags(3, random_state=6)[2]
    rows = model.sample_interventional(2, 0, 1.5, 20, random_state=6)
    np.testing.assert_array_equal(
        rows, sample_interventional(graph, X, 0, 1.5, 20, intervention_mask=mask, random_state=6)
    )
    chain = _graph([(0, 1), (1, 2)])
    np.testing.assert_array_equal(
        model.sample_interventional(chain, 0, 1.5, 20, random_state=6),
        sample_interventional(chain, X, 0, 1.5, 20, intervention_mask=mask, random_state=6),
    )
    with pytest.raises(InvalidInputError, match=">= 0"):
        model.sample_interventional(-1, 0, 1.5, 5)
    with pytest.raises(InvalidInputError, match="cycle"):
        model.sample_interventional(_graph([(0, 1), (1, 0)]), 0, 1.5, 5)
    with pytest.raises(InvalidInputError, match="X="):
        score_targets(model, X)  # the data passed where the candidates go
    with pytest.raises(InvalidInputError, match="training_statistics_"):
        score_targets(FixedPosterior([chain], range(3)))
    # BaCaDI: an index is a particle; unknown targets count where the posterior says > 0.5
    env = np.repeat([0, 1], [250, 50])
    bacadi = acyclic.BaCaDI(n_particles=4, n_steps=300, random_state=0).fit(X, environments=env)
    assert bacadi.particles_["acyclic"].any()
    k = int(np.argmax(bacadi.particles_["acyclic"]))
    inferred = bacadi.target_probabilities_[env] > 0.5
    stats = acyclic.SufficientStats.from_array(X, intervention_mask=inferred if inferred.any() else None)
    assert bacadi.training_statistics_.intervention_patterns_.tolist() == stats.intervention_patterns_.tolist()
    np.testing.assert_array_equal(
        bacadi.sample_interventional(k, 2, -1.0, 10, random_state=1),
        sample_interventional(bacadi.particles_["graphs"][k], stats, 2, -1.0, 10, random_state=1),
    )
    with pytest.raises(InvalidInputError, match="particle index"):
        bacadi.sample_interventional(4, 2, -1.0, 10)
    for cyclic in np.flatnonzero(~bacadi.particles_["acyclic"]):
        with pytest.raises(InvalidInputError, match="has a cycle"):
            bacadi.sample_interventional(int(cyclic), 2, -1.0, 10)
    with pytest.raises(InvalidInputError, match="pass the graph"):
        model.sample_interventional(10**6, 0, 1.5, 5)
    # the bootstrap keeps them too
    boot = acyclic.ensemble.Bootstrap(acyclic.TOPO(), n_resamples=4, random_state=0).fit(X, intervention_mask=mask)
    pd.testing.assert_frame_equal(
        score_targets(boot, random_state=2), score_targets(boot, X=X, intervention_mask=mask, random_state=2)
    )


def test_bad_graphs_targets_and_sizes_are_named_before_the_core_allocates():
    X = _chain_data(200)
    chain = _graph([(0, 1), (1, 2)])
    bad_graphs = [(np.eye(3), "self-loops"), (np.full((3, 3), np.nan), "NaN"), ([[0, 1], [0]], "numeric")]
    for graph, match in bad_graphs + [(np.array([["a"] * 3] * 3), "numeric")]:
        with pytest.raises(InvalidInputError, match=match):
            sample_interventional(graph, X, 0, 1.0, 5)
    with pytest.raises(InvalidInputError, match="one node"):
        sample_interventional(chain, X, np.array([1, 2]), 1.0, 5)
    np.testing.assert_array_equal(  # a 0-d array is its item
        sample_interventional(chain, X, np.array(1), 1.0, 5, random_state=0),
        sample_interventional(chain, X, 1, 1.0, 5, random_state=0),
    )
    for n in (10**12, 2**64):
        with pytest.raises(InvalidInputError, match="values"):
            sample_interventional(chain, X, 0, 1.0, n)
        with pytest.raises(InvalidInputError, match="values"):
            score_targets(FixedPosterior([chain], range(3)), X=X, n_samples=n)
        with pytest.raises(InvalidInputError, match="simulate in batches"):
            oracle_from_sem(chain)(0, 1.0, n, np.random.default_rng(0))
    with pytest.raises(InvalidInputError, match="n_features"):
        oracle_from_sem(chain, "gp-sines", n_features=10**9, functions_random_state=0)
    with pytest.raises(InvalidInputError, match="no nodes"):
        oracle_from_sem(np.zeros((0, 0)))
    with pytest.raises(InvalidInputError, match="random_state"):
        oracle_from_sem(chain, functions_random_state="junk")
    with pytest.raises(InvalidInputError, match="sample_dags"):  # before asking for X
        score_targets(acyclic.TOPO().fit(X))
    model = FixedPosterior([chain], range(3))
    with pytest.raises(InvalidInputError, match="n_graphs"):
        score_targets(model, X=X, n_graphs=10**9)
