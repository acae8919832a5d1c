"""Reliability: the scikit-learn contract.

Every estimator passes ``sklearn.utils.estimator_checks.parametrize_with_checks`` on fast
settings (no check is skipped by us; sklearn itself skips its array-API check, one per estimator,
unless ``SCIPY_ARRAY_API`` is set). Every learner clones (same parameters, unfitted),
pickles (the unpickled estimator predicts, scores and, for DP-DAG, samples DAGs exactly like the
original) and refits (a clone, the unpickled copy, and the same estimator on other data; a failed
refit leaves the previous model intact); ``GridSearchCV`` runs. sklearn's checks match error
messages by regex ("1 sample", "1 feature(s)", "NaN", "inf"); those words are kept in ours
(tests/reliability/test_1_degenerate_data.py checks them for every learner).
"""

import pickle
import warnings

import acyclic
import numpy as np
import pytest
from _learners import LEARNERS, make, sem, small_data
from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO
from acyclic.baselines import R2SortnRegress, RandomSortnRegress, SortnRegress, VarSortnRegress
from acyclic.exceptions import InvalidInputError
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks


@parametrize_with_checks([NOTEARS(max_iter=5), DAGMA(T=2, warm_iter=200, max_iter=200), TOPO(), COSMO(max_iter=5, random_state=0),
                          DPDAG(max_iter=5, random_state=0), SortnRegress(), VarSortnRegress(), R2SortnRegress(),
                          RandomSortnRegress(random_state=0)])  # fmt: skip
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # the fast settings stop before h reaches h_tol, on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


FITTED_STATE = ("weights_", "adjacency_", "raw_weights_", "causal_order_", "history_", "mean_", "scale_")


def _settings(model):
    """Every parameter, a nested learner's (D-Struct's) by its own parameters."""
    return {name: value for name, value in model.get_params(deep=True).items() if not hasattr(value, "get_params")}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("learner", LEARNERS)
def test_clone_pickle_and_refit(learner):
    X = sem(1, d=5, edges=5, n=500)
    fitted = make(learner, standardize=True).fit(X)
    # clone: the same parameters, nothing fitted
    copy = clone(fitted)
    assert type(copy) is type(fitted) and _settings(copy) == _settings(fitted)
    assert not hasattr(copy, "weights_")
    # pickle: the same state, the same answers
    restored = pickle.loads(pickle.dumps(fitted))
    assert _settings(restored) == _settings(fitted) and restored.node_labels_ == fitted.node_labels_
    for name in FITTED_STATE:
        np.testing.assert_array_equal(getattr(restored, name), getattr(fitted, name), err_msg=name)
    assert restored.converged_ == fitted.converged_ and restored.n_iter_ == fitted.n_iter_
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    assert restored.score(X) == fitted.score(X) and restored.bic(X) == fitted.bic(X)
    assert list(restored.to_networkx().edges(data="weight")) == list(fitted.to_networkx().edges(data="weight"))
    if learner.startswith("dpdag"):  # the learned distribution survives too
        np.testing.assert_array_equal(restored.edge_probabilities_, fitted.edge_probabilities_)
        np.testing.assert_array_equal(restored.sample_dags(50, random_state=3), fitted.sample_dags(50, random_state=3))
    # refit: a clone and the unpickled copy give the same bits; a refit on other data replaces
    # the fitted state; one that fails leaves it as it was
    for again in (copy.fit(X), restored.fit(X)):
        for name in FITTED_STATE:
            np.testing.assert_array_equal(getattr(again, name), getattr(fitted, name), err_msg=name)
    other = sem(2, d=7, n=300)
    fitted.fit(other)
    assert fitted.weights_.shape == (7, 7) and fitted.n_features_in_ == 7 and fitted.node_labels_ == list(range(7))
    assert fitted.predict(other).shape == other.shape
    before = {name: np.copy(getattr(fitted, name)) for name in FITTED_STATE}
    bad = other.copy()
    bad[3, 2] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        fitted.fit(bad)
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(fitted, name), value, err_msg=name)
    assert fitted.n_features_in_ == 7


def test_failed_notears_refit_leaves_the_previous_model_intact():
    X = small_data()
    model = acyclic.NOTEARS(max_iter=5).fit(X)
    before = {k: np.copy(getattr(model, k)) for k in ("weights_", "mean_", "scale_")}
    labels = list(model.node_labels_)
    with pytest.raises(InvalidInputError):
        model.set_params(loss_type="logistic").fit(np.hstack([X, X[:, :3]]))  # 7 non-binary columns
    for k, v in before.items():
        assert np.array_equal(getattr(model, k), v)
    assert model.node_labels_ == labels and model.n_features_in_ == 4
    assert model.set_params(loss_type="l2").predict(X).shape == X.shape


def test_grid_search_runs():
    X = sem(1, d=5, edges=5, n=500)[:200]
    search = GridSearchCV(NOTEARS(), {"lambda1": [0.05, 0.2]}, cv=2).fit(X)
    assert search.best_params_["lambda1"] in (0.05, 0.2)
