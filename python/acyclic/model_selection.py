"""Choosing a learner's sparsity from the data: a λ path scored by BIC, EBIC or cross-validation.

:func:`select_lambda` fits the learner at each value of its sparsity parameter (``lambda1``
for NOTEARS, DAGMA and COSMO, ``lambda_kl`` for DP-DAG, ``w_threshold`` for TOPO and the
baselines) and keeps the value with the best criterion. No reference graph is involved: this is
how to choose λ on real data (``acyclic learn --lambda auto``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Tuple

import numpy as np
import pandas as pd
from scipy.special import gammaln

from . import _core
from ._resampling import (
    Prepared,
    check_learner,
    check_param_has_effect,
    fit_on_rows,
    prepare,
    resample_seed,
    sparsity_grid,
    sparsity_of,
)
from ._tasks import check_backend, run_tasks
from .exceptions import InvalidInputError

__all__ = ["CRITERIA", "select_lambda"]

CRITERIA = ("bic", "ebic", "cv")
_LOG_2PI = math.log(2 * math.pi)


def _path_point(learner, data: Prepared, seed, overrides):
    """The fit on all rows at one λ, with its edge count and BIC."""
    model = fit_on_rows(learner, data, None, seed, overrides)
    X, mask = data.take()
    return model, int(model.adjacency_.sum()), float(model.bic(X, intervention_mask=mask))


def _held_out(learner, data: Prepared, seed, overrides, train, test) -> Tuple[float, int]:
    """Gaussian negative log-likelihood summed over the held-out rows and nodes (each node's noise
    variance from the training residuals; intervened entries left out), and the entries counted."""
    model = fit_on_rows(learner, data, train, seed, overrides)
    X, mask = data.take(train)
    variance = model.residual_variances(X, intervention_mask=mask)
    test_values, test_mask = data.take(test, frame=False)
    squared = (test_values - model._predict_values(test_values)) ** 2
    terms = 0.5 * (_LOG_2PI + np.log(variance) + squared / variance)
    counted = np.ones_like(terms, dtype=bool) if test_mask is None else ~test_mask
    return float(np.where(counted, terms, 0.0).sum()), int(counted.sum())


def _log_binomial(n: int, k: np.ndarray) -> np.ndarray:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def select_lambda(
    learner,
    X,
    lambdas=None,
    *,
    criterion="bic",
    gamma=0.5,
    n_folds=5,
    intervention_mask=None,
    environments=None,
    backend="threads",
    client=None,
    n_jobs=None,
    random_state=None,
    verbose=False,
):
    """Fits ``learner`` along a path of its sparsity parameter and returns the best model.

    Criteria (lower is better):

    - ``"bic"``: :meth:`DAGLearner.bic <acyclic._base.DAGLearner.bic>` (Schwarz 1978), ``Σ_j n_j log σ̂_j² + |E| log n``.
    - ``"ebic"``: the extended BIC of Chen & Chen ("Extended Bayesian information criteria for
      model selection with large model spaces", Biometrika 2008),
      ``BIC + 2γ log C(d(d − 1), |E|)``: it also pays for the number of graphs with ``|E|`` edges,
      which matters when d is large against n.
    - ``"cv"``: the Gaussian negative log-likelihood of held-out rows per held-out entry,
      ``n_folds``-fold cross-validation stratified by experiment (each node's noise variance from
      its training residuals; intervened entries left out).

    The chosen value's model is refitted on nothing: it is the path's fit on all rows. Ties go
    to the sparser value. The learners take no warm start yet, so each point is a fresh fit (the
    fits run in parallel instead).

    Parameters
    ----------
    learner : DAGLearner
        Any of the package's point learners; not modified. Each point fits a clone with the
        value set, ``n_jobs=1``, ``verbose=False`` and the learner's own ``random_state``.
    X : array-like or DataFrame of shape (n_samples, n_features)
        The data, as for the learner's ``fit``.
    lambdas : sequence of float or None, default=None
        The values (≥ 0) of the learner's sparsity parameter (``type(learner)._sparsity_param``),
        any order (the path runs from the largest, the sparsest); None: its default grid (see
        :class:`acyclic.ensemble.StabilitySelection`).
    criterion : {"bic", "ebic", "cv"}, default="bic"
        The criterion minimised (see above).
    gamma : float in [0, 1], default=0.5
        EBIC's γ (0 is the BIC; Chen & Chen suggest 0.5 to 1).
    n_folds : int, default=5
        Folds for ``criterion="cv"`` (≥ 2).
    intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
        As for the learner's ``fit``; node j's likelihood counts only the rows that leave it alone.
    environments : array-like of shape (n_samples,), default=None
        Each row's experiment: the folds are stratified by it.
    backend : {"threads", "dask"}, default="threads"
        Where the fits run: a pool of ``n_jobs`` threads, or a Dask cluster.
    client : distributed.Client or None, default=None
        The cluster for ``backend="dask"`` (None: the current client).
    n_jobs : int or None, default=None
        Threads for ``backend="threads"`` (None → 1, -1 → all cores). The result does not depend
        on the backend or the number of threads.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the folds of ``"cv"`` (the fits use the learner's own ``random_state``).
    verbose : bool, default=False
        A progress bar over the fits.

    Returns
    -------
    model : DAGLearner
        The learner fitted on all rows at the chosen value (its ``n_jobs``, ``verbose`` and
        ``random_state`` as in ``learner``).
    path : pandas.DataFrame
        One row per value, sparsest (largest) first: the parameter's value (column named after it),
        ``n_edges``, ``bic``, ``ebic``, ``cv`` (NaN unless ``criterion="cv"``), ``cv_se`` (the
        standard error over folds) and ``chosen``.

    Raises
    ------
    InvalidInputError
        Bad data (as for the learner), an unknown criterion, bad ``lambdas``/``gamma``/
        ``n_folds``, ``"cv"`` with a logistic or Poisson loss, a parameter the learner ignores
        with its settings (TOPO pruning by BIC ignores ``w_threshold``), or a fit failing.

    Warns
    -----
    UserWarning
        The chosen value is at an end of the path with the criterion still improving there.

    Examples
    --------
    >>> import acyclic
    >>> from acyclic.simulate import simulate_dag, simulate_parameter, simulate_linear_sem
    >>> W = simulate_parameter(simulate_dag(8, 8, "ER", random_state=0), random_state=0)
    >>> X = simulate_linear_sem(W, 500, "gauss", random_state=0)
    >>> model, path = acyclic.select_lambda(acyclic.DAGMA(), X, [0.3, 0.1, 0.03])
    >>> list(path.columns)
    ['lambda1', 'n_edges', 'bic', 'ebic', 'cv', 'cv_se', 'chosen']
    """
    check_learner(learner)
    if criterion not in CRITERIA:
        raise InvalidInputError(f"criterion must be one of {CRITERIA}; got {criterion!r}")
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) or not 0 <= gamma <= 1:
        raise InvalidInputError(f"gamma must be a number in [0, 1]; got {gamma!r}")
    param, grid = sparsity_of(learner)
    grid = sparsity_grid(grid if lambdas is None else lambdas, "lambdas")
    if criterion == "cv" and (not isinstance(n_folds, numbers.Integral) or isinstance(n_folds, bool) or n_folds < 2):
        raise InvalidInputError(f"n_folds must be an integer >= 2; got {n_folds!r}")
    if criterion == "cv" and getattr(learner, "loss_type", "l2") != "l2":
        raise InvalidInputError(
            'criterion="cv" uses the Gaussian likelihood; with a logistic or Poisson loss use "bic"'
        )
    check_backend(backend, client)
    data = prepare(X, intervention_mask, environments)
    check_param_has_effect(learner, param, data)
    n, d = data.shape
    if criterion == "cv" and n_folds > n:
        raise InvalidInputError(f"n_folds = {n_folds} is more than the {n} rows")
    seed = learner.random_state
    common = dict(backend=backend, n_jobs=n_jobs, client=client, verbose=verbose)

    points = run_tasks(_path_point, (learner, data), [(seed, {param: v}) for v in grid], desc="path fits", **common)
    n_edges = np.array([p[1] for p in points])
    bic = np.array([p[2] for p in points])
    ebic = bic + 2 * gamma * _log_binomial(d * (d - 1), n_edges)
    cv = np.full(len(grid), np.nan)
    cv_se = np.full(len(grid), np.nan)
    if criterion == "cv":
        fold = _core.cv_folds(data.strata, int(n_folds), resample_seed(random_state))
        splits = [(np.flatnonzero(fold != k), np.flatnonzero(fold == k)) for k in range(n_folds)]
        tasks = [(seed, {param: v}, train, test) for v in grid for train, test in splits]
        held = run_tasks(_held_out, (learner, data), tasks, desc="cross-validation fits", **common)
        totals = np.array([h[0] for h in held]).reshape(len(grid), n_folds)
        counts = np.array([h[1] for h in held]).reshape(len(grid), n_folds)
        cv = totals.sum(axis=1) / counts.sum(axis=1)
        per_fold = totals / counts
        cv_se = per_fold.std(axis=1, ddof=1) / np.sqrt(n_folds)
    score = {"bic": bic, "ebic": ebic, "cv": cv}[criterion]
    # the smallest score; among equal ones, the sparsest value (fewest edges, then order given)
    best = min(range(len(grid)), key=lambda i: (score[i], n_edges[i], i))
    path = pd.DataFrame({param: grid, "n_edges": n_edges, "bic": bic, "ebic": ebic, "cv": cv, "cv_se": cv_se})
    path["chosen"] = np.arange(len(grid)) == best
    at_end = len(grid) > 1 and best in (0, len(grid) - 1)
    if at_end and score[best] < score[1 if best == 0 else len(grid) - 2]:
        end = "sparsest" if best == 0 else "densest"
        warnings.warn(
            f"select_lambda: the {end} value on the path ({param} = {grid[best]:g}) is the best by {criterion}, "
            "and the criterion was still improving there: the best value may lie beyond; extend lambdas",
            UserWarning,
            stacklevel=2,
        )
    model = points[best][0]
    model.set_params(n_jobs=learner.n_jobs, verbose=learner.verbose)
    return model, path
