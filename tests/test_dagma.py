"""DAGMA recovers simulated graphs; parameters and the log-det domain are handled."""

import acyclic
import numpy as np
import pytest
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


def sem_data(seed, d, k, n=1000, sem_type="gauss", w_ranges=((-2.0, -0.5), (0.5, 2.0))):
    B = simulate_dag(d, k * d, "ER", random_state=seed)
    W = simulate_parameter(B, w_ranges=w_ranges, random_state=seed)
    return B, simulate_linear_sem(W, n, sem_type, random_state=seed)


def test_er2_d20_raw_gaussian_seeds_0_to_2():
    shds = []
    for seed in range(3):
        B, X = sem_data(seed, 20, 2)
        model = acyclic.DAGMA().fit(X)
        assert is_dag(model.adjacency_)
        assert model.converged_ and model.h_ <= 1e-6
        shds.append(count_accuracy(B, model.weights_)["shd"])
    assert np.mean(shds) <= 2 and max(shds) <= 4, shds


def test_hybrid_solver_keeps_adams_graph_in_fewer_evaluations():
    # ER4 d = 20: the default ("hybrid") against the reference's Adam path
    B, X = sem_data(0, 20, 4)
    adam = acyclic.DAGMA(solver="adam").fit(X)
    hybrid = acyclic.DAGMA().fit(X)
    assert hybrid.solver == "hybrid" and is_dag(hybrid.adjacency_)
    np.testing.assert_array_equal(hybrid.adjacency_, adam.adjacency_)
    assert count_accuracy(B, hybrid.weights_)["shd"] == count_accuracy(B, adam.weights_)["shd"]
    # each stage ends at the same objective (to 0.1%) or a lower one
    assert np.all(hybrid.history_ <= adam.history_ * (1 + 1e-3)), (hybrid.history_, adam.history_)
    assert hybrid.n_evals_ < 0.8 * adam.n_evals_
    # hybrid_tol = 0 never hands over early: Adam's full path, then a polish
    polished = acyclic.DAGMA(hybrid_tol=0.0, T=2, warm_iter=3000, max_iter=3000).fit(X)
    plain = acyclic.DAGMA(solver="adam", T=2, warm_iter=3000, max_iter=3000).fit(X)
    assert polished.n_evals_ >= plain.n_evals_ and polished.history_[-1] <= plain.history_[-1]


def test_lbfgs_inner_solver_matches_adam_on_er2():
    B, X = sem_data(1, 20, 2)
    adam = acyclic.DAGMA(solver="adam").fit(X)
    lbfgs = acyclic.DAGMA(solver="lbfgs").fit(X)
    assert is_dag(lbfgs.adjacency_)
    assert count_accuracy(B, lbfgs.weights_)["shd"] <= count_accuracy(B, adam.weights_)["shd"] + 1
    # both reach the same final stage objective to 1%
    assert abs(lbfgs.history_[-1] - adam.history_[-1]) <= 0.01 * abs(adam.history_[-1])
    assert lbfgs.n_evals_ < adam.n_evals_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # T = 4 on purpose
def test_stage_history_and_schedule():
    _, X = sem_data(2, 8, 2, n=500)
    model = acyclic.DAGMA(T=4, s=1.0, warm_iter=2000, max_iter=4000).fit(X)
    assert model.history_.shape == (4,)
    assert np.all(np.diff(model.history_) < 0)  # μ shrinks ×10 per stage, so does the objective
    assert np.all(model.s_used_ >= 1.0)
    assert model.n_iter_ <= 4000


def test_logistic_loss_on_binary_data():
    d = 5
    B, X = sem_data(1, d, 1, n=2000, sem_type="logistic")
    model = acyclic.DAGMA(loss_type="logistic", lambda1=0.01, solver="lbfgs").fit(X)
    assert is_dag(model.adjacency_)
    assert count_accuracy(B, model.weights_)["shd"] <= 3
    p = model.predict(X)
    assert np.all((p >= 0) & (p <= 1))


@pytest.mark.parametrize(
    "params",
    [
        {"lambda1": -0.1},
        {"T": 0},
        {"mu_factor": 1.5},
        {"mu_init": 0.0},
        {"s": [1.0, -0.5]},
        {"s": "big"},
        {"solver": "sgd"},
        {"hybrid_tol": -1.0},
        {"loss_type": "poisson"},
        {"warm_iter": 0},
        {"lr": 0},
    ],
)
def test_bad_parameters_raise(params):
    _, X = sem_data(0, 4, 1, n=50)
    with pytest.raises(InvalidInputError):
        acyclic.DAGMA(**params).fit(X)
