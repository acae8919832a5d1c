"""scikit-learn's estimator checks, on fast settings of every learner."""

import warnings

import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO
from acyclic.baselines import R2SortnRegress, SortnRegress


@parametrize_with_checks([NOTEARS(max_iter=5), DAGMA(T=2, warm_iter=200, max_iter=200), TOPO(), COSMO(max_iter=5, random_state=0), DPDAG(max_iter=5, random_state=0), SortnRegress(), R2SortnRegress()])
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # the fast settings stop before h reaches h_tol, on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
