"""D-Struct (issue 21): NOTEARS, NOTEARS-MLP or DAGMA members on Beta subsets, trained jointly to agree."""

import acyclic
import numpy as np
import pytest
from acyclic import DStruct
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_nonlinear_sem, simulate_parameter


def _er2(seed, d=8, n=600):
    B = simulate_dag(d, 2 * d, "ER", random_state=seed)
    return B, simulate_linear_sem(simulate_parameter(B, random_state=seed), n, "gauss", random_state=seed)


def test_members_agree_more_with_the_gradient_and_the_result_is_a_dag():
    B, X = _er2(0)
    joint = DStruct(n_subsets=3, random_state=0).fit(X)
    apart = DStruct(n_subsets=3, agreement_gradient=False, random_state=0).fit(X)
    assert joint.member_weights_.shape == (3, 8, 8) and joint.subset_sizes_.shape == (3,)
    assert joint.agreement_ < apart.agreement_  # the term pulls the members together
    np.testing.assert_allclose(joint.raw_weights_, joint.member_weights_.mean(axis=0), rtol=1e-12, atol=1e-15)
    for model in (joint, apart):
        assert is_dag(model.adjacency_) and model.converged_


def test_accuracy_on_raw_linear_er2():
    """SHD of D-Struct (K = 3, random_state 0) on raw-scale linear-Gaussian ER2, d = 8, n = 600
    (16 edges), graph/data seeds 0-19: worst 9, mean 2.85; bound 9 + 3 on seeds 0-4."""
    for seed in range(5):
        B, X = _er2(seed)
        assert count_accuracy(B, DStruct(n_subsets=3, random_state=0).fit(X).adjacency_)["shd"] <= 12


def test_reruns_are_bit_identical_and_threads_do_not_matter():
    _, X = _er2(1)
    a = DStruct(n_subsets=2, random_state=4).fit(X)
    b = DStruct(n_subsets=2, random_state=4, n_jobs=2).fit(X)
    np.testing.assert_array_equal(a.member_weights_, b.member_weights_)


def test_bad_settings_are_named():
    _, X = _er2(2)
    with pytest.raises(InvalidInputError, match="NOTEARS or DAGMA members"):
        DStruct(learner=acyclic.TOPO()).fit(X)
    with pytest.raises(InvalidInputError, match="DAGMA-MLP"):
        DStruct(learner=acyclic.DAGMA(mechanism="mlp")).fit(X)
    with pytest.raises(InvalidInputError, match="n_subsets"):
        DStruct(n_subsets=1).fit(X)
    with pytest.raises(InvalidInputError, match="l2"):
        DStruct(learner=acyclic.NOTEARS(loss_type="poisson")).fit(np.abs(np.round(X)))
    with pytest.raises(InvalidInputError, match="too few rows"):
        DStruct(n_subsets=5).fit(X[:4])
    with pytest.raises(InvalidInputError, match="observational"):
        DStruct().fit(X, intervention_mask=np.eye(len(X), X.shape[1], dtype=bool))
    with pytest.raises(InvalidInputError, match="needs the rows"):
        DStruct().fit(acyclic.SufficientStats.from_array(X))


def test_dagma_members_agree_more_with_the_gradient():
    _, X = _er2(3)
    joint = DStruct(acyclic.DAGMA(), n_subsets=3, random_state=0).fit(X)
    apart = DStruct(acyclic.DAGMA(), n_subsets=3, agreement_gradient=False, random_state=0).fit(X)
    assert joint.agreement_ < apart.agreement_
    assert joint.mu_ > 0 and not hasattr(joint, "rho_")
    for model in (joint, apart):
        assert is_dag(model.adjacency_) and model.converged_


def test_network_members_predict_by_averaging_and_follow_a_column_permutation():
    B = simulate_dag(5, 5, "ER", random_state=1)
    X = simulate_nonlinear_sem(B, 300, "mlp", random_state=1)
    model = DStruct(acyclic.NOTEARS(mechanism="mlp", hidden=[4]), n_subsets=2, random_state=0).fit(X)
    assert is_dag(model.adjacency_) and model.member_weights_.shape == (2, 5, 5)
    assert (model.member_weights_ >= 0).all()  # edge strengths
    prediction = model.predict(X)
    assert prediction.shape == X.shape and np.isfinite(prediction).all()
    assert model.score(X) > -np.mean((X - X.mean(axis=0)) ** 2)  # better than the means alone
    perm = np.array([3, 0, 4, 1, 2])
    permuted = DStruct(acyclic.NOTEARS(mechanism="mlp", hidden=[4]), n_subsets=2, random_state=0).fit(X[:, perm])
    np.testing.assert_array_equal(permuted.adjacency_, model.adjacency_[np.ix_(perm, perm)])
    np.testing.assert_allclose(permuted.predict(X[:, perm]), prediction[:, perm], rtol=1e-10, atol=1e-12)
