"""D-Struct: K NOTEARS learners on overlapping subsets of the rows, trained to agree."""

from __future__ import annotations

from typing import Any, Dict, List

from ._base import LinearSEMLearner, seed_from
from ._notears import NOTEARS
from ._params import core_params
from .exceptions import InvalidInputError

__all__ = ["DStruct"]


class DStruct(LinearSEMLearner):
    """D-Struct around the linear NOTEARS, with the agreement term's gradient.

    Berrevoets, Seedat, Imrie & van der Schaar, "Differentiable and Transportable Structure
    Learning", ICML 2023. K copies of ``learner`` are each fitted on their own overlapping subset
    of the rows (the reference's Beta partition: the rows, in a random order, sit at positions in
    [0, 1], and member k takes a row with probability Beta_k's min-max-normalised density there)
    and trained jointly, the objective adding λ Σ_k mean_{i≠j} (A_k − Ā)² with A_k = W_k ∘ W_k and
    Ā their mean: the members are pulled towards one graph. The published code adds that term
    detached, so it moves no weight; here it carries its gradient, and
    ``agreement_gradient=False`` is the published variant (K independent fits, averaged). One
    augmented-Lagrangian schedule (NOTEARS') runs for all members, each with its own multiplier.
    The result is the members' mean W, thresholded at the learner's ``w_threshold`` and projected
    to a DAG. The whole fit runs in the Rust core (``rust/core/src/learners/dstruct.rs``).

    Parameters
    ----------
    learner : NOTEARS or None, default=None
        The members' settings (λ1, threshold, schedule, penalty, prior knowledge); None:
        ``NOTEARS()``. Linear mechanism and l2 loss only (DAGMA and NOTEARS-MLP members are not
        implemented yet). Its ``standardize``, ``random_state``, ``n_jobs`` and ``verbose`` are
        not used: D-Struct's own apply.
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
    weights_, adjacency_, causal_order_, raw_weights_, ... : see :class:`DAGLearner`
        ``raw_weights_`` is the members' mean W before thresholding.
    member_weights_ : ndarray of shape (n_subsets, d, d), float64
        Each member's W.
    subset_sizes_ : ndarray of shape (n_subsets,), float64
        Rows per member.
    agreement_ : float
        Σ_k mean_{i≠j} (A_k − Ā)² at the end (without λ).
    h_, rho_ : float
        The largest member's h and the final ρ.

    Raises
    ------
    InvalidInputError
        (from ``fit``) as for NOTEARS; also a learner other than a linear l2 NOTEARS, an
        intervention mask, sufficient statistics, or a subset of fewer than 2 rows.

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

    def _base(self) -> NOTEARS:
        learner = NOTEARS() if self.learner is None else self.learner
        if not isinstance(learner, NOTEARS):
            raise InvalidInputError(
                f"DStruct runs NOTEARS members (DAGMA and NOTEARS-MLP members are not implemented); got {learner!r}"
            )
        return learner

    def _sent_params(self) -> Dict[str, Any]:
        sent = {
            name: value
            for name, value in core_params(self._base().get_params(deep=False)).items()
            if name != "prior_knowledge"
        }
        sent.update(
            n_subsets=self.n_subsets,
            lambda_agreement=self.lambda_agreement,
            agreement_gradient=self.agreement_gradient,
            seed=seed_from(self.random_state),
        )
        return sent

    def _statistics_suffice(self) -> bool:
        return False  # the subsets need the rows

    def _prior_masks(self, labels: List):
        prior = getattr(self._base(), "prior_knowledge", None)
        return (None, None) if prior is None else prior.masks(labels)

    def _convergence_advice(self) -> str:
        return "DStruct did not reach h_tol; increase the learner's max_iter or rho_max."
