"""Sort-and-regress baselines (Reisach, Seiler & Weichwald, "Beware of the Simulated DAG! Causal
Discovery Benchmarks May Be Easy To Game", NeurIPS 2021; R² variant: Reisach et al., NeurIPS 2023).

Sort the variables by a criterion, then regress each on all the variables before it with an
adaptive lasso whose penalty is chosen by BIC: ordinary least squares gives |β|, the covariates
are scaled by it, ``sklearn.linear_model.LassoLarsIC(criterion="bic")`` fits the scaled problem and
the coefficients are scaled back. Any method that does no better than these on simulated data is
exploiting how the data were simulated (the marginal variances, or the R² from the other
variables, grow along the causal order), not learning structure.

- :class:`VarSortnRegress`: increasing marginal variance (fails once the data are standardized);
- :class:`R2SortnRegress`: increasing R² of each variable regressed on all others
  (scale-invariant);
- :class:`RandomSortnRegress`: a random order (the floor any method should beat).

No weight threshold by default (``w_threshold=0``), as in the reference; the result is a DAG by
construction (every edge goes forward in the order).
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _core
from ._base import DAGLearner, python_result, random_state_from
from ._params import NonNegative, OneOf

__all__ = ["SortnRegress", "VarSortnRegress", "R2SortnRegress", "RandomSortnRegress"]

_SORTS = ("var", "r2", "random")


_COMMON_PARAMETERS = """
    w_threshold : float, default=0.0
        Edges with |weight| below it are dropped (0: keep what the lasso keeps, as the reference).
    standardize : bool, default=False
        Scale columns to unit variance first (the variance order then has nothing to sort by).
    random_state : int, RandomState or None, default=None
        Seeds the random order (unused by the other sorts).
    n_jobs, verbose : ignored
        Present for a uniform interface (the fit is a few scikit-learn regressions).
    prior_knowledge : acyclic.PriorKnowledge or None, default=None
        Forbidden parents are left out of each regression; required edges set the order where
        it would contradict them (Kahn's algorithm, preferring the sorted order) and are kept
        with their least-squares weight when the lasso drops them.

    Attributes
    ----------
    weights_, adjacency_, causal_order_, node_labels_, mean_, scale_, raw_weights_
        As in every learner (``raw_weights_``: before ``w_threshold``).
    order_ : ndarray of shape (d,)
        The order used.
    n_iter_, converged_, history_
        1, True, and the least-squares score ½n⁻¹‖Xc − Xc W‖² of ``raw_weights_``.

    Notes
    -----
    Where a node has too many predecessors for BIC (n ≤ predecessors + 1, e.g. d ≥ n), its
    regression falls back to plain least squares (minimum-norm) and a warning says so.
"""


class _SortAndRegress(DAGLearner):
    """The fit shared by the sort-and-regress baselines; ``_criterion()`` names the sort."""

    def _criterion(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    _python_learner_params = {"w_threshold": NonNegative(), "sort": OneOf(*_SORTS)}

    def _fit_preprocessed(self, values, mean, scale, forbidden, required):
        X = (values - mean) / scale
        d = X.shape[1]
        criterion = self._criterion()
        if criterion == "var":
            order = np.argsort(X.var(axis=0), kind="stable")
        elif criterion == "r2":
            order = np.argsort(_core.r2_scores(np.cov(X, rowvar=False, bias=True).reshape(d, d)), kind="stable")
        else:
            order = random_state_from(self.random_state).permutation(d)
        if required is not None:  # the closest order that keeps every required edge forward
            order = _core.order_respecting(required, [int(v) for v in order])
        raw = np.zeros((d, d))
        fallback = 0
        for k, target in enumerate(order):
            parents = [p for p in order[:k] if forbidden is None or not forbidden[p, target]]
            if not parents:
                continue
            beta, used_ols = _adaptive_lasso(X[:, parents], X[:, target])
            fallback += used_ols
            raw[parents, target] = beta
            if required is not None and any(required[p, target] and raw[p, target] == 0.0 for p in parents):
                ols = np.linalg.lstsq(X[:, parents], X[:, target], rcond=None)[0]
                for i, p in enumerate(parents):
                    if required[p, target] and raw[p, target] == 0.0:
                        raw[p, target] = ols[i]
        notes = []
        if fallback:
            notes.append(f"{fallback} regression(s) had too few rows for BIC and used plain least squares")
        weights = np.where(np.abs(raw) >= self.w_threshold, raw, 0.0)
        if required is not None:
            weights[required] = raw[required]
        residual = X - X @ raw
        score = 0.5 / X.shape[0] * float(np.sum(residual * residual))
        extras = {"order": np.asarray(order, dtype=np.int64)}
        return python_result(raw, weights, required, n_iter=1, converged=True, history=np.array([score]),
                             extras=extras, warnings_=notes)  # fmt: skip


class SortnRegress(_SortAndRegress):
    __doc__ = (
        """Sort the variables by ``sort``, then regress each on its predecessors (adaptive
    lasso with BIC). See the module docstring for the papers.

    Parameters
    ----------
    sort : {"var", "r2", "random"}, default="var"
        Increasing marginal variance, increasing R² from all other variables, or a permutation
        drawn from ``random_state``."""
        + _COMMON_PARAMETERS
    )

    def __init__(self, *, sort="var", w_threshold=0.0, standardize=False, random_state=None, n_jobs=None,
                 verbose=False, prior_knowledge=None):  # fmt: skip
        self.sort = sort
        self.w_threshold = w_threshold
        self.standardize = standardize
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.prior_knowledge = prior_knowledge

    def _criterion(self) -> str:
        return self.sort


def _fixed_sort(criterion: str, summary: str):
    """A baseline class with the sort fixed to ``criterion``."""

    class Baseline(_SortAndRegress):
        def __init__(self, *, w_threshold=0.0, standardize=False, random_state=None, n_jobs=None, verbose=False,
                     prior_knowledge=None):  # fmt: skip
            self.w_threshold = w_threshold
            self.standardize = standardize
            self.random_state = random_state
            self.n_jobs = n_jobs
            self.verbose = verbose
            self.prior_knowledge = prior_knowledge

        def _criterion(self) -> str:
            return criterion

    Baseline.__doc__ = summary + "\n\n    Parameters\n    ----------" + _COMMON_PARAMETERS
    return Baseline


VarSortnRegress = _fixed_sort(
    "var", "Var-SortnRegress (Reisach, Seiler & Weichwald, NeurIPS 2021): sort by increasing variance."
)
VarSortnRegress.__name__ = VarSortnRegress.__qualname__ = "VarSortnRegress"
R2SortnRegress = _fixed_sort(
    "r2",
    "R²-SortnRegress (Reisach et al., NeurIPS 2023): sort by increasing R² from the other variables (scale-invariant).",
)
R2SortnRegress.__name__ = R2SortnRegress.__qualname__ = "R2SortnRegress"
RandomSortnRegress = _fixed_sort("random", "Random-SortnRegress: a random order, the floor any learner should beat.")
RandomSortnRegress.__name__ = RandomSortnRegress.__qualname__ = "RandomSortnRegress"


def _adaptive_lasso(covariates: np.ndarray, target: np.ndarray):
    """(coefficients, 1 if plain least squares was used) of the BIC-chosen adaptive lasso."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LassoLarsIC

    ols = np.linalg.lstsq(covariates, target, rcond=None)[0]
    n, k = covariates.shape
    if n <= k + 1 or not np.all(np.isfinite(ols)):
        return np.where(np.isfinite(ols), ols, 0.0), 1
    scale = np.abs(ols)
    # An exact fit (the target is a copy or a multiple of its parents: duplicated or collinear
    # columns) leaves no residual: LassoLarsIC's noise-variance estimate is then 0, every BIC is
    # NaN and it silently picks the empty model. A floor relative to the target's scale keeps
    # BIC defined, and it then picks the smallest exact model.
    noise_floor = 1e-12 * float(np.mean(target * target))
    residual = target - covariates @ ols
    noise = {"noise_variance": noise_floor} if float(residual @ residual) / (n - k) < noise_floor else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            lasso = LassoLarsIC(criterion="bic", fit_intercept=False, **noise).fit(covariates * scale, target)
        except ValueError:  # e.g. a zero noise-variance estimate on exactly collinear data
            return ols, 1
    return lasso.coef_ * scale, 0
