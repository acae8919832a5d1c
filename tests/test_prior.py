"""Prior knowledge: every learner honours forbidden and required edges, sources, sinks and tiers."""

import acyclic
import numpy as np
import pandas as pd
import pytest
from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO, PriorKnowledge
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

LEARNERS = {
    "notears": lambda prior: NOTEARS(prior_knowledge=prior),
    "dagma": lambda prior: DAGMA(prior_knowledge=prior),
    "topo": lambda prior: TOPO(prior_knowledge=prior),
    "cosmo": lambda prior: COSMO(prior_knowledge=prior, random_state=0, max_iter=300),
    "dpdag": lambda prior: DPDAG(prior_knowledge=prior, random_state=0, max_iter=200, standardize=False),
}

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def er_data(seed, d=10, k=2, n=500):
    B = simulate_dag(d, k * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return B, simulate_linear_sem(W, n, "gauss", random_state=seed)


def chain_data(d=5, n=1000, seed=0):
    W = np.diag(np.full(d - 1, 1.0), k=1)  # 0 -> 1 -> ... -> d-1
    X = simulate_linear_sem(W, n, "gauss", random_state=seed)
    return W, pd.DataFrame(X, columns=[f"x{i}" for i in range(d)])


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_forbidden_required_sources_sinks_tiers_hold_on_a_chain(learner):
    W, X = chain_data()
    prior = PriorKnowledge(
        forbidden=[("x1", "x2")],  # a true edge
        required=[("x0", "x4")],  # a false one
        sources=["x3"],
        sinks=["x1"],
        tiers=[["x0"], ["x2", "x3", "x4"]],
    )
    model = LEARNERS[learner](prior).fit(X)
    A = model.adjacency_
    assert is_dag(A)
    forbidden, required = prior.masks(list(X.columns))
    assert np.all(model.weights_[forbidden] == 0.0)
    assert np.all(A[required] == 1) and A[0, 4] == 1
    assert A[1, 2] == 0 and A[:, 3].sum() == 0 and A[1, :].sum() == 0
    assert A[2:, 0].sum() == 0  # nothing from tier 2 back to tier 1
    if hasattr(model, "raw_weights_") and learner == "topo":
        assert np.all(model.raw_weights_[forbidden] == 0.0)  # fixed inside the fit, not removed after


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_forbidden_entries_exactly_zero_on_er2(learner):
    B, X = er_data(0)
    rng = np.random.default_rng(0)
    true_edges = np.argwhere(B != 0)
    pairs = [tuple(e) for e in true_edges[rng.choice(len(true_edges), 4, replace=False)]]
    pairs.append((9, 0))
    prior = PriorKnowledge(forbidden=pairs)
    model = LEARNERS[learner](prior).fit(X)
    for i, j in pairs:
        assert model.weights_[i, j] == 0.0
    assert is_dag(model.adjacency_)


#: Mean TPR with three true edges required minus without, over seeds 0-19 (tests/measure_bounds.py
#: prior_tpr_*): notears +0.005, dagma +0.0025, topo 0, cosmo -0.015, dpdag +0.0275. Single fits go
#: either way (the optimisers are not convex; worst seed: COSMO's seed 4, -0.3, 6 of 20 edges lost),
#: so the claim is on the mean: not below the worst measured mean, -0.015, by more than a margin of
#: 0.05 (one true edge of 20 lost on every seed).
MEAN_TPR_LOSS_BOUND = -0.065


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_required_true_edges_are_kept_and_do_not_lower_the_mean_tpr(learner):
    free, helped = [], []
    for seed in range(20):
        B, X = er_data(seed)
        true_edges = [tuple(map(int, e)) for e in np.argwhere(B != 0)][:3]
        base = LEARNERS[learner](None).fit(X)
        guided = LEARNERS[learner](PriorKnowledge(required=true_edges)).fit(X)
        assert all(guided.adjacency_[i, j] == 1 for i, j in true_edges), seed
        free.append(count_accuracy(B, base.weights_)["tpr"])
        helped.append(count_accuracy(B, guided.weights_)["tpr"])
    assert np.mean(helped) - np.mean(free) >= MEAN_TPR_LOSS_BOUND, (free, helped)


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_a_required_edge_with_no_weight_in_the_data_is_still_an_edge(learner):
    # a 2³ factorial design: the columns are exactly orthogonal, so least squares gives the
    # required edge 0 -> 1 a weight of exactly 0; it must stay in the DAG (found by a review)
    X = np.array([[a, b, c] for c in (1, -1) for b in (1, -1) for a in (1, -1)], dtype=float)
    model = LEARNERS[learner](PriorKnowledge(required=[(0, 1)])).fit(X)
    assert model.adjacency_[0, 1] == 1 and is_dag(model.adjacency_)
    assert list(model.causal_order_).index(0) < list(model.causal_order_).index(1)


@pytest.mark.parametrize(
    "prior, match",
    [
        (PriorKnowledge(forbidden=[("x0", "nope")]), "unknown node 'nope'"),
        (PriorKnowledge(forbidden=[("x0", "x1")], required=[("x0", "x1")]), "both forbidden and required"),
        (PriorKnowledge(required=[("x0", "x1"), ("x1", "x2"), ("x2", "x0")]), "cycle: 'x0' -> 'x1' -> 'x2' -> 'x0'"),
        (PriorKnowledge(required=[("x0", "x1")], sources=["x1"]), "declared a source"),
        (PriorKnowledge(required=[("x0", "x1")], sinks=["x0"]), "declared a sink"),
        (PriorKnowledge(required=[("x3", "x1")], tiers=[["x1"], ["x3"]]), "from tier 2 back to tier 1"),
        (PriorKnowledge(tiers=[["x1"], ["x1", "x2"]]), "two tiers"),
        (PriorKnowledge(required=[("x2", "x2")]), "self-loop"),
    ],
)
def test_conflicts_are_named(prior, match):
    _, X = chain_data()
    for learner in LEARNERS.values():
        with pytest.raises(InvalidInputError, match=match):
            learner(prior).fit(X)


def test_nodes_by_index_and_the_mask_rules():
    prior = PriorKnowledge(forbidden=[(0, 1)], required=[(2, 3)], sources=[4], sinks=[0], tiers=[[1], [2]])
    forbidden, required = prior.masks(["a", "b", "c", "d", "e"])  # string labels: ints are indices
    assert forbidden[0, 1] and not forbidden[1, 0]  # forbidding u -> v does not forbid v -> u
    assert required[2, 3] and forbidden[3, 2]  # requiring u -> v forbids v -> u
    assert forbidden[:, 4].sum() == 4 and forbidden[0, :].sum() == 4  # source, sink (no diagonal)
    assert forbidden[2, 1] and not forbidden[1, 2]
    assert not forbidden.diagonal().any()
    # integer labels are names, not indices
    with pytest.raises(InvalidInputError, match="unknown node 7"):
        PriorKnowledge(sources=[7]).masks([0, 1, 2])
    with pytest.raises(InvalidInputError, match="pairs"):
        PriorKnowledge(forbidden=["ab"])
    with pytest.raises(InvalidInputError, match="prior_knowledge must be"):
        NOTEARS(prior_knowledge={"forbidden": []}).fit(np.random.default_rng(0).normal(size=(50, 3)))


def test_from_json_and_refinement_keeps_the_prior(tmp_path):
    path = tmp_path / "prior.json"
    path.write_text('{"forbidden": [["x1", "x2"]], "required": [["x0", "x4"]]}')
    prior = PriorKnowledge.from_json(path)
    assert prior == PriorKnowledge(forbidden=[("x1", "x2")], required=[("x0", "x4")])
    _, X = chain_data()
    refined = acyclic.refine_topo(DAGMA(prior_knowledge=prior).fit(X), X)
    assert refined.prior_knowledge == prior
    assert refined.weights_[1, 2] == 0 and refined.adjacency_[0, 4] == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"forbid": []}')
    with pytest.raises(InvalidInputError, match="keys among"):
        PriorKnowledge.from_json(bad)
