"""NOTEARS recovers simulated graphs as the paper's algorithm does."""

import acyclic
import numpy as np
import pytest
from acyclic.bench.reference import notears_linear
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


def er2_data(seed, d=10, n=1000):
    B = simulate_dag(d, 2 * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    X = simulate_linear_sem(W, n, "gauss", random_state=seed)
    return B, W, X


def reference_shd(X, B):
    """SHD of the numpy/scipy re-derivation of the paper's method on the same data."""
    W_ref, _ = notears_linear(X)
    return count_accuracy(B, W_ref)["shd"]


def test_er2_d10_raw_gaussian_seeds_0_to_4():
    shds = []
    for seed in range(5):
        B, _, X = er2_data(seed)
        model = acyclic.NOTEARS().fit(X)
        assert is_dag(model.adjacency_)
        shd = count_accuracy(B, model.weights_)["shd"]
        if shd > 5:
            # A data draw on which the paper's algorithm itself lands in a poor local optimum
            # (seed 0: both get SHD 7 with the same objective): be no worse than it.
            assert shd <= reference_shd(X, B), f"seed {seed}: SHD {shd}"
        shds.append(shd)
    assert np.mean(shds) <= 3, shds


def test_objective_decreases_towards_acyclicity_and_weights_match_truth():
    B, W, X = er2_data(3)
    model = acyclic.NOTEARS().fit(X)
    assert model.converged_ and model.h_ <= 1e-8
    assert np.all(np.diff(model.history_) >= -1e-9)  # the score rises as h is driven to zero
    true_edges = B != 0
    found = model.adjacency_.astype(bool) & true_edges
    assert np.median(np.abs(model.weights_[found] - W[found])) < 0.1


@pytest.mark.parametrize(
    "loss_type, w_ranges",
    # Poisson rates exp(X W) explode along chains unless the weights are negative.
    [("logistic", ((-2.0, -0.5), (0.5, 2.0))), ("poisson", ((-1.0, -0.5),))],
)
def test_glm_losses_find_a_dag_with_true_edges(loss_type, w_ranges):
    d = 5
    B = simulate_dag(d, d, "ER", random_state=1)
    W = simulate_parameter(B, w_ranges=w_ranges, random_state=1)
    X = simulate_linear_sem(W, 2000, loss_type, random_state=1)
    model = acyclic.NOTEARS(lambda1=0.01, loss_type=loss_type).fit(X)
    assert is_dag(model.adjacency_)
    acc = count_accuracy(B, model.weights_)
    assert acc["shd"] <= 3, acc
    pred = model.predict(X)
    assert pred.shape == X.shape and np.all(np.isfinite(pred))


def test_max_iter_and_inner_max_iter_bound_the_work():
    # found by a review: max_iter=1 did not bound the time (the inner solver ran up to 15000
    # iterations); the two caps bound the evaluations: each iteration's line search takes at most
    # 40 evaluations, plus one at the start of each subproblem
    X = np.random.default_rng(0).normal(size=(200, 30))
    model = acyclic.NOTEARS(max_iter=1, inner_max_iter=3).fit(X)
    assert model.n_iter_ <= 1 and model.n_evals_ <= 1 * (1 + 3 * 40)
