"""COSMO and DPDAG on interventional data (perfect interventions, ``intervention_mask``)."""

import numpy as np
import pytest
from acyclic import COSMO, DPDAG
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_interventional_sem, simulate_linear_sem, simulate_parameter

# short fits (max_iter below the defaults, for speed) end before they converge
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

LEARNERS = {"COSMO": COSMO, "DPDAG": DPDAG}


def _standardized(d, seed):
    """ER2 graph, 1000 observational rows + 200 per single-node target on every node, X / X.std(0)."""
    B = simulate_dag(d, 2 * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    X, mask, _ = simulate_interventional_sem(W, 1000, list(range(d)), 200, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    return B, X, mask


@pytest.mark.parametrize("name", LEARNERS)
def test_a_mask_on_nothing_is_the_observational_fit_bit_for_bit(name):
    W = simulate_parameter(simulate_dag(6, 12, "ER", random_state=1), random_state=1)
    X = simulate_linear_sem(W, 300, random_state=1)
    plain = LEARNERS[name](random_state=3).fit(X)
    masked = LEARNERS[name](random_state=3).fit(X, intervention_mask=np.zeros_like(X, bool))
    assert np.array_equal(plain.weights_, masked.weights_)
    assert np.array_equal(plain.raw_weights_, masked.raw_weights_)
    assert np.array_equal(plain.history_, masked.history_)


@pytest.mark.parametrize("name", LEARNERS)
def test_an_interventional_fit_is_a_dag_and_uses_the_mask(name):
    B, X, mask = _standardized(6, 2)
    est = LEARNERS[name](random_state=0, max_iter=200).fit(X, intervention_mask=mask)
    assert is_dag(est.adjacency_)
    pooled = LEARNERS[name](random_state=0, max_iter=200).fit(X)
    assert not np.array_equal(est.raw_weights_, pooled.raw_weights_)


def test_dpdag_mlp_takes_the_mask():
    B, X, mask = _standardized(5, 4)
    est = DPDAG(mechanism="mlp", hidden=[4], random_state=0, max_iter=30).fit(X, intervention_mask=mask)
    assert is_dag(est.adjacency_)


# Interventional vs observational fit on the same rows, default parameters (standardized ER2
# d = 10, 1000 + 200 per single-node target on every node, random_state=0 for the learner and
# the simulation seed for the data). Measured over seeds 0-19, margin = SHD(observational) −
# SHD(interventional):
#   COSMO: mean SHD 21.90 observational, 17.25 interventional. Per seed the margin ranges from
#          −5 (seed 5: 19 vs 24) to 12; seeds 3, 5 and 6 are worse with interventions. The 5-seed
#          blocks 0-4 / 5-9 / 10-14 / 15-19 have mean margins 5.4 / 0.4 / 6.8 / 6.0.
#   DPDAG: mean SHD 17.90 observational, 10.05 interventional. Per seed from −4 (seed 3: 14 vs
#          18) to 19 (only seed 3 is worse); block means 5.4 / 6.2 / 9.8 / 10.0.
# Not every seed improves, so the test runs seeds 0-4 and asserts (a) every seed's margin at
# least the worst seed's of the 20 less 2 (COSMO −7, DPDAG −6) and (b) the mean margin of
# seeds 0-4 (measured 5.4 for both) above 3: the interventional fit is better on these seeds by
# a stated margin. (COSMO's block 5-9, 0.4, shows that its gain is not robust seed by seed.)
BOUNDS = {"COSMO": (-7, 3.0), "DPDAG": (-6, 3.0)}


@pytest.mark.parametrize("name", LEARNERS)
def test_interventions_lower_the_shd_on_standardized_data(name):
    worst_seed, mean_bound = BOUNDS[name]
    margins = []
    for seed in range(5):
        B, X, mask = _standardized(10, seed)
        observational = LEARNERS[name](random_state=0).fit(X)
        interventional = LEARNERS[name](random_state=0).fit(X, intervention_mask=mask)
        assert is_dag(interventional.adjacency_)
        shd_obs = count_accuracy(B, observational.adjacency_)["shd"]
        shd_int = count_accuracy(B, interventional.adjacency_)["shd"]
        margins.append(shd_obs - shd_int)
    assert min(margins) >= worst_seed, margins
    assert np.mean(margins) > mean_bound, margins
