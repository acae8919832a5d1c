"""Reliability: reproducibility.

The same ``random_state`` gives a bit-identical result, for ``n_jobs`` in {1, 2, -1}, for every
learner; NOTEARS and DAGMA have no randomness at all, and every learner that has a
``random_state`` documents what it seeds (the only source of randomness). On well-separated small
cases (ER2, d = 6, n = 1000, raw data) permuting the input columns permutes ``adjacency_`` exactly
and ``weights_`` within the optimiser's tolerance, for the deterministic learners.
"""

import numpy as np
import pytest
from _learners import LEARNERS, STOCHASTIC, make, sem
from acyclic import COSMO, DPDAG, NOTEARS, TOPO
from acyclic.graph import is_dag
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# ----------------------------------------------------------------------------- every learner
@pytest.mark.parametrize("learner", LEARNERS)
def test_same_result_for_any_n_jobs(learner):
    X = sem(4, d=8)
    fits = [make(learner, n_jobs=n_jobs).fit(X) for n_jobs in (1, 2, -1)]
    for other in fits[1:]:
        np.testing.assert_array_equal(fits[0].raw_weights_, other.raw_weights_)
        np.testing.assert_array_equal(fits[0].weights_, other.weights_)
        np.testing.assert_array_equal(fits[0].history_, other.history_)
        assert fits[0].n_iter_ == other.n_iter_
        for counter in ("n_evals_", "n_steps_"):
            assert getattr(fits[0], counter, None) == getattr(other, counter, None)


@pytest.mark.parametrize("learner", LEARNERS)
def test_same_random_state_same_bits_and_nothing_else_is_random(learner):
    X = sem(4, d=8)
    params = {"init": "random"} if learner == "topo" else {}  # TOPO's only random part
    seeded = "random_state" in make(learner).get_params()
    if seeded:
        params["random_state"] = 7
    first = make(learner, **params).fit(X)
    for again in (make(learner, **params).fit(X),
                  make(learner, **{**params, "random_state": np.random.RandomState(7)}).fit(X) if seeded else None):  # fmt: skip
        if again is not None:
            np.testing.assert_array_equal(first.raw_weights_, again.raw_weights_)
            np.testing.assert_array_equal(first.weights_, again.weights_)
            np.testing.assert_array_equal(first.history_, again.history_)
    if learner in STOCHASTIC or learner == "topo":
        other = make(learner, **{**params, "random_state": 8}).fit(X)
        if learner == "topo":  # another starting order (the search may still end at the same DAG)
            assert first.history_[0] != other.history_[0]
        else:
            assert not np.array_equal(first.raw_weights_, other.raw_weights_)
    if seeded:  # the docstring says what random_state seeds
        doc = type(first).__doc__
        entry = doc[doc.index("random_state :") :].split("\n")[1].lower()
        assert "seed" in entry, entry


#: The node-indexed fitted attributes that follow a permutation of the columns.
_NODE_VECTORS = ("priorities_", "order_scores_")
_NODE_MATRICES = ("weights_", "raw_weights_", "adjacency_", "edge_logits_", "edge_probabilities_")


@pytest.mark.parametrize("learner", LEARNERS)
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(perm=st.permutations(range(6)))
def test_permuting_columns_permutes_the_answer_bit_for_bit(learner, perm):
    # every learner fits in a canonical column order, so the order of the input's columns
    # changes nothing but the labels (stochastic learners with the same random_state too)
    X = _PERMUTATION_DATA
    perm = np.asarray(perm)
    base, permuted = make(learner).fit(X), make(learner).fit(X[:, perm])
    for name in _NODE_MATRICES:
        if hasattr(base, name):
            np.testing.assert_array_equal(
                getattr(permuted, name), getattr(base, name)[np.ix_(perm, perm)], err_msg=name
            )
    for name in _NODE_VECTORS:
        if hasattr(base, name):
            np.testing.assert_array_equal(getattr(permuted, name), getattr(base, name)[perm], err_msg=name)
    np.testing.assert_array_equal(permuted.history_, base.history_)
    assert permuted.n_iter_ == base.n_iter_
    inverse = np.argsort(perm)
    # the same order of the same nodes (a causal order of the permuted graph is its relabelling)
    assert is_dag(permuted.adjacency_) and sorted(inverse[permuted.causal_order_]) == list(range(6))


_PERMUTATION_DATA = sem(5, d=6, n=300)


# ----------------------------------------------------------------------------- one learner in depth
def test_notears_n_jobs_do_not_change_the_result():
    X = sem(5, d=10, edges=20, n=300)
    one = NOTEARS(n_jobs=1).fit(X)
    two = NOTEARS(n_jobs=2).fit(X)
    all_cores = NOTEARS(n_jobs=-1).fit(X)
    for other in (two, all_cores):
        assert np.array_equal(other.raw_weights_, one.raw_weights_)
        assert np.array_equal(other.weights_, one.weights_)
        assert other.n_evals_ == one.n_evals_
        assert np.array_equal(other.history_, one.history_)


def test_topo_same_result_for_any_n_jobs_and_every_init():
    X = sem(3, d=15, k=2, n=500)
    one = TOPO(n_jobs=1).fit(X)
    two = TOPO(n_jobs=2).fit(X)
    np.testing.assert_array_equal(one.raw_weights_, two.raw_weights_)
    np.testing.assert_array_equal(one.order_, two.order_)
    # "var" starts from increasing variance; "r2" and "random" start elsewhere but are seeded
    assert TOPO(init="var", max_iter=1, size_small=0, size_large=0).fit(X).order_.tolist() == list(
        np.argsort(X.var(axis=0), kind="stable")
    )
    for init in ("r2", "random"):
        a = TOPO(init=init, random_state=0).fit(X)
        b = TOPO(init=init, random_state=0).fit(X)
        np.testing.assert_array_equal(a.weights_, b.weights_)
        assert is_dag(a.adjacency_)


def test_cosmo_same_random_state_same_result_for_any_n_jobs():
    X = sem(4, d=8, k=2, n=300)
    a = COSMO(random_state=7, max_iter=100, n_jobs=1).fit(X)
    b = COSMO(random_state=7, max_iter=100, n_jobs=2).fit(X)
    np.testing.assert_array_equal(a.raw_weights_, b.raw_weights_)
    np.testing.assert_array_equal(a.priorities_, b.priorities_)
    c = COSMO(random_state=8, max_iter=100).fit(X)
    assert not np.array_equal(a.raw_weights_, c.raw_weights_)
    assert a.n_iter_ == 100 and a.history_.shape == (100,) and a.n_steps_ == 100 * 5


def test_dpdag_same_seed_same_result_and_no_validation_rows():
    X = sem(4, d=5, n=200)
    a = DPDAG(random_state=9, max_iter=60).fit(X)
    b = DPDAG(random_state=9, max_iter=60).fit(X)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    np.testing.assert_array_equal(a.history_, b.history_)
    c = DPDAG(random_state=9, max_iter=60, validation_fraction=0.0).fit(X)
    assert is_dag(c.adjacency_) and np.all(np.isfinite(c.validation_history_))
