"""Sort-and-regress baselines (Reisach, Seiler & Weichwald, "Beware of the Simulated DAG! Causal
Discovery Benchmarks May Be Easy To Game", NeurIPS 2021; R² variant: Reisach et al., NeurIPS 2023).

Sort the variables by a criterion, then regress each on all the variables before it with an
adaptive lasso whose penalty is chosen by BIC: ordinary least squares gives ``|β|``, the covariates
are scaled by it, the exact lasso path of the scaled problem is computed by least angle regression
(Efron et al., Annals of Statistics 2004) and its BIC-best breakpoint scaled back, as
``sklearn.linear_model.LassoLarsIC(criterion="bic")`` does in the reference. The Rust core runs
it on the covariance of the data (no BLAS: the same bits on every machine). Any method that does no better than these on simulated data is
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

from ._base import DAGLearner

__all__ = ["SortnRegress", "VarSortnRegress", "R2SortnRegress", "RandomSortnRegress"]

_COMMON_PARAMETERS = """
    w_threshold : float, default=0.0
        Edges with ``|weight|`` below it are dropped (0: keep what the lasso keeps, as the reference).
    standardize : bool, default=False
        Scale columns to unit variance first (the variance order then has nothing to sort by).
    random_state : int, RandomState or None, default=None
        Seeds the random order (unused by the other sorts).
    n_jobs, verbose : ignored
        Present for a uniform interface (the fit is d regressions in the core).
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
    regression falls back to plain least squares (with a ridge of 1e-10 × the mean variance where
    the predictors are collinear) and a warning says so.
"""


class SortnRegress(DAGLearner):
    __doc__ = (
        """Sort the variables by ``sort``, then regress each on its predecessors (adaptive
    lasso with BIC). See the module docstring for the papers.

    Parameters
    ----------
    sort : {"var", "r2", "random"}, default="var"
        Increasing marginal variance, increasing R² from all other variables, or a permutation
        drawn from ``random_state``. Variances or R² that agree to about 1e-9 relative count as
        tied and keep the columns' order (standardized data have no variance order to sort)."""
        + _COMMON_PARAMETERS
    )

    _core_learner = "sortnregress"

    def __init__(self, *, sort="var", w_threshold=0.0, standardize=False, random_state=None, n_jobs=None,
                 verbose=False, prior_knowledge=None):  # fmt: skip
        self._set_params(locals())


def _fixed_sort(criterion: str, summary: str):
    """A baseline class with the sort fixed to ``criterion``."""

    class Baseline(DAGLearner):
        _core_learner = "sortnregress"
        _core_fixed_params = {"sort": criterion}

        def __init__(self, *, w_threshold=0.0, standardize=False, random_state=None, n_jobs=None, verbose=False,
                     prior_knowledge=None):  # fmt: skip
            self._set_params(locals())

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
