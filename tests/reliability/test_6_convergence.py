"""Reliability: convergence.

``converged_`` is defined for every learner as follows (NOTEARS, DAGMA: h(W) ≤ h_tol for
the unthresholded W; TOPO: a round found no improving swap before ``max_iter``; COSMO: its final
refit reached its optimality conditions (with ``refit=False``, the rule of its training loop:
the relative change of the loss over the last tenth of the epochs is below ``tol``); DP-DAG:
early stopping before ``max_iter``; the baselines: always, after one pass). When it is False, a
``ConvergenceWarning`` says what to change, and the result is still a DAG. Following the advice
gives ``converged_`` True and no warning.
"""

import warnings

import numpy as np
import pytest
from _learners import BASELINES, CORE_LEARNERS, check_output, make, sem
from acyclic import COSMO, DPDAG, NOTEARS
from acyclic.graph import is_dag
from sklearn.exceptions import ConvergenceWarning

# (settings that stop early, what the warning must advise, settings that follow the advice),
# on sem(3, d=8, k=3); TOPO starts from a random order (on raw data its default "var" start is
# often optimal at once)
SHORT_AND_ADVISED = {
    "notears": ({"max_iter": 1}, r"increase max_iter", {"max_iter": 100}),
    "dagma": ({"T": 3}, r"increase T", {"T": 6}),
    "topo": ({"init": "random", "random_state": 0, "max_iter": 1}, r"increase max_iter",
             {"init": "random", "random_state": 0, "max_iter": 1000}),
    # COSMO without its refit: the training loop's rule (the loss's relative change over the last
    # tenth of the epochs <= tol) is met now and then at tol = 0.01, the default (on 1 of seeds 0-19
    # at each of max_iter 10, 20, 100); at tol = 1e-12 on none (tests/measure_bounds.py
    # cosmo_without_refit)
    "cosmo": ({"refit": False, "max_iter": 100, "tol": 1e-12}, r"refit=True", {"max_iter": 100}),
    "dpdag": ({"max_iter": 3, "patience": 20}, r"increase max_iter", {"max_iter": 3000, "patience": 20}),
    "dpdag-linear": ({"max_iter": 3, "patience": 20}, r"increase max_iter", {"max_iter": 3000, "patience": 20}),
    # make() gives max_iter to D-Struct's NOTEARS members
    "dstruct": ({"max_iter": 1}, r"increase the learner's max_iter", {"max_iter": 100}),
}  # fmt: skip


def check_definition(learner, model):
    """``converged_`` against its definition (the module docstring), from the fitted attributes."""
    if learner in ("notears", "dagma"):
        assert model.converged_ == (model.h_ <= model.h_tol)
    elif learner == "dstruct":
        assert model.converged_ == (model.h_ <= model.learner.h_tol)
    elif learner == "topo":
        assert model.converged_ or model.n_iter_ == model.max_iter
    elif learner == "cosmo" and model.refit:
        assert model.converged_ == (model.n_refit_rounds_ >= 1)  # the refit ran (and settled)
    elif learner == "cosmo":
        assert model.n_refit_rounds_ == 0
        window = max(model.max_iter // 10, 1)
        then, now = model.history_[-1 - window], model.history_[-1]
        assert model.converged_ == (abs(then - now) <= model.tol * abs(then))
    elif learner.startswith("dpdag"):
        assert model.converged_ == (model.n_iter_ < model.max_iter)
    else:
        assert model.converged_ is True and model.n_iter_ == 1


@pytest.mark.parametrize("learner", CORE_LEARNERS)
def test_a_short_run_warns_what_to_change_and_still_returns_a_dag(learner):
    short, advice, _ = SHORT_AND_ADVISED[learner]
    with pytest.warns(ConvergenceWarning, match=advice) as record:
        model = make(learner, **short).fit(sem(3, d=8, k=3))
    assert model.converged_ is False
    check_definition(learner, model)
    message = next(str(w.message) for w in record if issubclass(w.category, ConvergenceWarning))
    assert type(model).__name__.replace("DPDAG", "DP-DAG") in message and "DAG" in message
    check_output(model, 8)


@pytest.mark.parametrize("learner", CORE_LEARNERS)
def test_following_the_advice_converges_without_a_warning(learner):
    _, _, advised = SHORT_AND_ADVISED[learner]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = make(learner, **advised).fit(sem(3, d=8, k=3))
    assert model.converged_ is True
    check_definition(learner, model)
    check_output(model, 8)


@pytest.mark.parametrize("learner", BASELINES)
def test_baselines_always_converge_in_one_pass(learner):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = make(learner).fit(sem(3, d=8, k=3))
    check_definition(learner, model)


# ----------------------------------------------------------------------------- one learner in depth
def test_notears_convergence_warning_when_max_iter_is_one():
    with pytest.warns(ConvergenceWarning, match=r"h_tol"):
        model = NOTEARS(max_iter=1).fit(sem(1, d=5, edges=5, n=500))
    assert model.converged_ is False and model.n_iter_ == 1
    assert model.h_ > model.h_tol
    assert is_dag(model.adjacency_)
    assert np.all(model.weights_[model.adjacency_ == 0] == 0)


def test_notears_no_warning_when_converged():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NOTEARS().fit(sem(1, d=5, edges=5, n=500))


def test_cosmo_without_refit_rarely_converges():
    # The training loop's rule (the loss over the last tenth) mostly fails while the temperature
    # still falls 12-fold over that tenth; that is why refit=True is the default. On seeds 0-19 of
    # this setting it is met on one seed at max_iter 20 (seed 9) and one at 1000 (seed 7)
    # (tests/measure_bounds.py cosmo_without_refit); the bound allows 3 of 20 (margin 2). Every fit
    # that does not converge warns, naming the refit.
    for max_iter in (20, 1000):
        converged = 0
        for seed in range(20):
            with warnings.catch_warnings(record=True) as record:
                warnings.simplefilter("always")
                model = COSMO(max_iter=max_iter, random_state=0, refit=False).fit(sem(seed, d=5, k=1, n=100))
            warned = any(issubclass(w.category, ConvergenceWarning) and "refit=True" in str(w.message) for w in record)
            assert warned != model.converged_, (max_iter, seed)
            converged += model.converged_
        assert converged <= 3, (max_iter, converged)


def test_cosmo_refit_converges_even_after_a_short_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = COSMO(max_iter=5, random_state=0).fit(sem(0, d=6, k=2))
    assert model.converged_ and model.n_refit_rounds_ >= 1


def test_dpdag_early_stopping_sets_converged_and_a_short_run_warns():
    X = sem(3, d=5, n=300)
    model = DPDAG(random_state=0, patience=5, tol=0.0, max_iter=10_000).fit(X)
    assert model.converged_ and model.n_iter_ < 10_000
    # with tol = 0 every new best restarts the count: the last 5 epochs were no better
    assert model.best_epoch_ == model.n_iter_ - 1 - 5
    assert model.validation_history_[model.best_epoch_] == model.validation_history_.min()
    # a coarser tol stops no later
    coarse = DPDAG(random_state=0, patience=5, tol=0.5, max_iter=10_000).fit(X)
    assert coarse.n_iter_ <= model.n_iter_
    with pytest.warns(ConvergenceWarning, match="DP-DAG"):
        DPDAG(random_state=0, max_iter=3, patience=100).fit(X)
