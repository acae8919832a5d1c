"""COSMO: DAG by construction, recovery on ER2, reproducibility, parameters."""

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from acyclic import COSMO
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def sem_data(seed, d, k, n=1000):
    B = simulate_dag(d, k * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return B, simulate_linear_sem(W, n, "gauss", random_state=seed)


def test_recovers_er2_d20():
    shds, tprs = [], []
    for seed in range(3):
        B, X = sem_data(seed, 20, 2)
        model = COSMO(random_state=seed).fit(X)
        assert is_dag(model.adjacency_)
        # every edge goes up the priorities by more than the shift
        i, j = np.nonzero(model.adjacency_)
        assert np.all(model.priorities_[j] - model.priorities_[i] > model.shift)
        acc = count_accuracy(B, model.weights_)
        shds.append(acc["shd"])
        tprs.append(acc["tpr"])
    assert np.mean(tprs) >= 0.8 and np.mean(shds) <= 10, (shds, tprs)


def test_same_random_state_same_result_for_any_n_jobs():
    _, X = sem_data(4, 8, 2, n=300)
    a = COSMO(random_state=7, max_iter=100, n_jobs=1).fit(X)
    b = COSMO(random_state=7, max_iter=100, n_jobs=2).fit(X)
    np.testing.assert_array_equal(a.raw_weights_, b.raw_weights_)
    np.testing.assert_array_equal(a.priorities_, b.priorities_)
    c = COSMO(random_state=8, max_iter=100).fit(X)
    assert not np.array_equal(a.raw_weights_, c.raw_weights_)
    assert a.n_iter_ == 100 and a.history_.shape == (100,) and a.n_steps_ == 100 * 5


@pytest.mark.parametrize("seed", range(5))
def test_always_a_dag(seed):
    _, X = sem_data(seed, 12, 4, n=200)
    assert is_dag(COSMO(random_state=seed, max_iter=50, w_threshold=0.0).fit(X).adjacency_)


@pytest.mark.parametrize(
    "params, match",
    [({"shift": 0.0}, "shift"), ({"lr": -1.0}, "lr"), ({"lr": "fast"}, "lr"), ({"batch_size": 0}, "batch_size"),
     ({"lambda1": np.nan}, "lambda1"), ({"t_end": 0.0}, "t_end"), ({"max_iter": 1.5}, "max_iter")],
)
def test_bad_parameters_are_named(params, match):
    _, X = sem_data(0, 5, 1, n=100)
    with pytest.raises(InvalidInputError, match=match):
        COSMO(**params).fit(X)


def test_short_runs_warn_about_convergence():
    _, X = sem_data(0, 5, 1, n=100)
    with pytest.warns(ConvergenceWarning, match="COSMO"):
        COSMO(max_iter=20, random_state=0, tol=0.0).fit(X)


def test_auto_learning_rate_depends_on_d():
    assert COSMO()._learning_rate(20) == 1e-2 and COSMO()._learning_rate(100) == 5e-3
    assert COSMO(lr=3e-3)._learning_rate(20) == 3e-3
