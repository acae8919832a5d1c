"""D-Struct: K NOTEARS or DAGMA learners on overlapping subsets of the rows, trained to agree."""

from __future__ import annotations

from typing import Any, Dict, List, Union

import numpy as np

from . import _core
from ._base import LinearSEMLearner, seed_from
from ._dagma import DAGMA
from ._mechanism import MLPMechanismMixin
from ._notears import NOTEARS
from ._params import PYTHON_PARAMS, check_params, core_params
from .exceptions import InvalidInputError

__all__ = ["DStruct"]


class DStruct(MLPMechanismMixin, LinearSEMLearner):
    """D-Struct around NOTEARS (linear or MLP) or DAGMA, with the agreement term's gradient.

    Berrevoets, Seedat, Imrie & van der Schaar, "Differentiable and Transportable Structure
    Learning", ICML 2023. K copies of ``learner`` are each fitted on their own overlapping subset
    of the rows (the reference's Beta partition: the rows, in a random order, sit at positions in
    [0, 1], and member k takes a row with probability Beta_k's min-max-normalised density there)
    and trained jointly, the objective adding λ Σ_k mean_{i≠j} (A_k − Ā)² with Ā the members'
    mean A: the members are pulled towards one graph. A_k = W_k ∘ W_k for linear members and the
    edge strengths W_k = sqrt(Σ_m θ¹²) for NOTEARS-MLP's networks (the paper's own setting). The
    published code adds that term detached, so it moves no weight; here it carries its gradient,
    and ``agreement_gradient=False`` is the published variant (K independent fits, averaged).
    NOTEARS members share one augmented-Lagrangian schedule, each with its own multiplier; DAGMA
    members share one central path, each stage solved by OWL-QN (the lone DAGMA's default starts
    each stage with Adam). The networks of every member start from the learner's seeded
    initialisation. The result is the members' mean W, thresholded at the learner's
    ``w_threshold`` and projected to a DAG; ``predict`` (and so ``score`` and ``bic``) averages
    the members' predictions on that graph. The whole fit runs in the Rust core
    (``rust/core/src/learners/dstruct/``).

    Parameters
    ----------
    learner : NOTEARS, DAGMA or None, default=None
        The members' settings (λ1, threshold, schedule, penalty, hidden widths, prior knowledge);
        None: ``NOTEARS()``. NOTEARS with ``mechanism="linear"`` or ``"mlp"``, DAGMA with
        ``mechanism="linear"``; the l2 loss. Its ``standardize``, ``random_state``, ``n_jobs`` and
        ``verbose`` are not used: D-Struct's own apply.
    n_subsets : int, default=5
        K ≥ 2 (the reference's 5; its sweeps use 2, 3, 5).
    lambda_agreement : float, default=3.0
        λ ≥ 0 (the reference's 3).
    agreement_gradient : bool, default=True
        Whether the agreement term moves the weights (False: the published code).
    standardize : bool, default=False
        Scale each column to unit variance first.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the subsets.
    n_jobs : int or None, default=None
        Threads (the result does not depend on them).
    verbose : bool, default=False
        A progress bar over the outer steps.

    Attributes
    ----------
    weights_, adjacency_, causal_order_, raw_weights_, ... : see :class:`~acyclic._base.DAGLearner`
        ``raw_weights_`` is the members' mean W before thresholding.
    member_weights_ : ndarray of shape (n_subsets, d, d), float64
        Each member's W.
    subset_sizes_ : ndarray of shape (n_subsets,), float64
        Rows per member.
    agreement_ : float
        Σ_k mean_{i≠j} (A_k − Ā)² at the end (without λ).
    h_ : float
        The largest member's h at the end (DAGMA members: the log-det h with s = 1).
    rho_ : float
        The final ρ (NOTEARS members).
    mu_ : float
        μ of the last stage (DAGMA members).

    Raises
    ------
    InvalidInputError
        (from ``fit``) as for the learner; also a learner other than NOTEARS or a linear DAGMA, a
        loss other than l2, an intervention mask, sufficient statistics, or a subset of fewer than
        2 rows.

    Examples
    --------
    >>> import acyclic
    >>> from acyclic.simulate import simulate_dag, simulate_parameter, simulate_linear_sem
    >>> W = simulate_parameter(simulate_dag(6, 6, "ER", random_state=0), random_state=0)
    >>> X = simulate_linear_sem(W, 500, "gauss", random_state=0)
    >>> acyclic.DStruct(n_subsets=3, random_state=0).fit(X).member_weights_.shape
    (3, 6, 6)
    """

    _core_learner = "dstruct"
    _progress_unit = "dual step"
    _sparsity_param = None  # its sparsity is the learner's λ1: scan that learner instead

    def __init__(
        self,
        learner=None,
        *,
        n_subsets=5,
        lambda_agreement=3.0,
        agreement_gradient=True,
        standardize=False,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self._set_params(locals())

    @property
    def loss_type(self) -> str:
        return "l2"

    def _base(self) -> Union[NOTEARS, DAGMA]:
        learner = NOTEARS() if self.learner is None else self.learner
        if not isinstance(learner, (NOTEARS, DAGMA)):
            raise InvalidInputError(f"DStruct runs NOTEARS or DAGMA members; got {learner!r}")
        return learner

    @property
    def mechanism(self) -> str:
        return getattr(self._base(), "mechanism", "linear")

    @property
    def hidden(self):
        return self._base().hidden

    def _sent_params(self) -> Dict[str, Any]:
        base = self._base()
        members = {
            name: value for name, value in core_params(base.get_params(deep=False)).items() if name != "prior_knowledge"
        }
        return {
            "n_subsets": self.n_subsets,
            "lambda_agreement": self.lambda_agreement,
            "agreement_gradient": self.agreement_gradient,
            "seed": seed_from(self.random_state),
            base._core_learner: members,
        }

    def _predict_values(self, values: np.ndarray) -> np.ndarray:
        """The members' networks on ``adjacency_``, averaged (linear members: ``weights_``)."""
        if not getattr(self, "_fitted_with_mlp", False):
            return LinearSEMLearner._predict_values(self, values)
        standardized = np.ascontiguousarray((values - self.mean_) / self.scale_)
        adjacency = self.adjacency_.astype(np.float64)
        members = self._mechanism_params.reshape(len(self.subset_sizes_), -1)
        prediction = np.mean(
            [_core.mlp_predict(standardized, self._hidden, self._mlp_activation, p, adjacency) for p in members],
            axis=0,
        )
        return prediction * self.scale_ + self.mean_

    def _sparsity_knobs(self) -> List[str]:
        return self._base()._sparsity_knobs()

    def _statistics_suffice(self) -> bool:
        return False  # the subsets need the rows

    def _prior_masks(self, labels: List):
        check_params(self._base().get_params(deep=False), {"prior_knowledge": PYTHON_PARAMS["prior_knowledge"]})
        prior = getattr(self._base(), "prior_knowledge", None)
        return (None, None) if prior is None else prior.masks(labels)

    def _convergence_advice(self) -> str:
        return "DStruct did not reach h_tol; increase the learner's max_iter or rho_max (NOTEARS members) or T (DAGMA members)."
