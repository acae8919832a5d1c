"""COSMO: recovery on ER2, parameters, the learning rate. (DAG at every threshold, reproducibility
and convergence warnings: tests/reliability/test_4, test_5, test_6.)"""

import numpy as np
import pytest

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


@pytest.mark.parametrize(
    "params, match",
    [({"shift": 0.0}, "shift"), ({"lr": -1.0}, "lr"), ({"lr": "fast"}, "lr"), ({"batch_size": 0}, "batch_size"),
     ({"lambda1": np.nan}, "lambda1"), ({"t_end": 0.0}, "t_end"), ({"max_iter": 1.5}, "max_iter")],
)
def test_bad_parameters_are_named(params, match):
    _, X = sem_data(0, 5, 1, n=100)
    with pytest.raises(InvalidInputError, match=match):
        COSMO(**params).fit(X)


def test_auto_learning_rate_depends_on_d():
    assert COSMO()._learning_rate(20) == 1e-2 and COSMO()._learning_rate(100) == 5e-3
    assert COSMO(lr=3e-3)._learning_rate(20) == 3e-3
