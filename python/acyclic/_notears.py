"""NOTEARS (Zheng, Aragam, Ravikumar, Xing, NeurIPS 2018) as a scikit-learn estimator."""

from __future__ import annotations

from ._base import LinearSEMLearner


class NOTEARS(LinearSEMLearner):
    """Learn a linear DAG by NOTEARS: min L(W) + λ1‖W‖₁ subject to h(W) = 0, by default with
    h(W) = tr(exp(W∘W)) − d.

    Implements Zheng, Aragam, Ravikumar & Xing, "DAGs with NO TEARS: Continuous Optimization
    for Structure Learning", NeurIPS 2018: the augmented Lagrangian with ρ ×10 while h does not
    fall below a quarter of its last value, α += ρh, each subproblem solved by OWL-QN (Andrew &
    Gao, ICML 2007) on W's off-diagonal entries (the Rust core, with the GIL released; the
    reference code splits W = W⁺ − W⁻ for L-BFGS-B instead, which takes about 4× more
    evaluations at d = 50 for no better objective). The least-squares loss
    works from the covariance XᵀX/n, so an iteration costs O(d³) whatever n is. The thresholded
    result is projected onto a DAG (weakest edges on cycles removed first), so ``adjacency_``
    is always acyclic.

    Parameters
    ----------
    lambda1 : float, default=0.1
        L1 penalty weight (≥ 0), in the units of the loss.
    loss_type : {"l2", "logistic", "poisson"}, default="l2"
        ``"l2"``: ½n⁻¹‖X − XW‖² on centred X; ``"logistic"``: binary X (0/1), no centring;
        ``"poisson"``: count X, no centring.
    penalty : {"expm", "logdet", "poly", "spectral"}, default="expm"
        The acyclicity function h in the constraint h(W) = 0 (formulas and papers in
        :func:`acyclic.penalties.h`): ``"expm"`` is the paper's tr(exp(W∘W)) − d;
        ``"logdet"`` is DAGMA's −log det(sI − W∘W) + d log s, defined only while
        ρ(W∘W) < s — the start W = 0 is inside that domain (as it is inside every penalty's), and
        a trial step of the line search that leaves it counts as an objective of +∞, so the
        search backtracks and the iterates stay inside; ``"poly"`` is DAG-GNN's
        tr((I + W∘W/d)^d) − d; ``"spectral"`` is NO-BEARS' spectral radius ρ(W∘W) (power
        iteration). ``h_tol`` applies to whichever h is chosen. With ``"spectral"`` the fit
        rarely reaches ``h_tol``: the spectral radius has a kink wherever several cycles share
        it, the optimisation drives the iterates to such points, and the subproblems then
        stall at h ≈ 1e-2 while the penalty parameter climbs to ``rho_max`` (minutes even at
        d = 10 with the default 1e16); pass e.g. ``rho_max=1e6`` to stop early. The
        projection still returns a DAG.
    s : float, default=1.0
        The log-det penalty's parameter (``penalty="logdet"`` only; the others ignore it): the
        iterates keep ρ(W∘W) < s.
    max_iter : int, default=100
        Cap on dual-ascent (outer) steps.
    inner_max_iter : int, default=15000
        Cap on the inner solver's iterations per subproblem (scipy's L-BFGS-B default). Each
        iteration costs one or a few evaluations of L and h (O(d³) each), so ``max_iter`` and
        ``inner_max_iter`` together bound a fit's time; lower both for a quick look at large d.
    h_tol : float, default=1e-8
        The fit has converged when h(W) ≤ h_tol for the unthresholded W.
    rho_max : float, default=1e16
        Largest penalty parameter ρ; the fit stops when ρ reaches it.
    w_threshold : float, default=0.3
        Entries with |w| below it are dropped (in the units the learner saw).
    standardize : bool, default=False
        Scale each column to unit variance before fitting (l2 only). Least-squares learners are
        not scale-invariant: on simulated data the raw variances leak the causal order
        (varsortability), so results on raw and standardized data can differ widely.
    n_jobs : int or None, default=None
        Threads for the fit (None → 1, -1 → all cores). Results do not depend on it.
    verbose : bool, default=False
        Show a progress bar over the outer steps (tqdm).
    prior_knowledge : acyclic.PriorKnowledge or None, default=None
        Forbidden and required edges, sources, sinks, tiers (see :class:`acyclic.PriorKnowledge`):
        forbidden weights are exactly zero, required edges are present in the result.

    Attributes
    ----------
    weights_, adjacency_, causal_order_, node_labels_, n_features_in_, feature_names_in_,
    n_iter_, converged_, mean_, scale_, history_
        As in every learner (see :class:`acyclic._base.DAGLearner`); ``history_`` is the score
        L(W) + λ1‖W‖₁ after each outer step.
    raw_weights_ : ndarray of shape (d, d)
        The optimiser's W before thresholding and projection.
    h_ : float
        h(W) of ``raw_weights_``.
    rho_ : float
        Final ρ.
    n_evals_ : int
        Loss and gradient evaluations over all subproblems.

    Raises
    ------
    InvalidInputError
        From ``fit``: bad data (see :meth:`fit`) or bad parameters (negative ``lambda1`` or
        ``w_threshold``, unknown ``loss_type`` or ``penalty``, non-binary data with
        ``"logistic"``, negative data with ``"poisson"``).
        Also: two columns that are copies of each other (up to sign and a constant, after
        standardization when ``standardize=True``). The score is then the same both ways and
        the search from W = 0 would drop the edge between them; the message names the columns.

    Examples
    --------
    >>> from acyclic import NOTEARS
    >>> from acyclic.simulate import simulate_dag, simulate_parameter, simulate_linear_sem
    >>> B = simulate_dag(5, 5, "ER", random_state=0)
    >>> X = simulate_linear_sem(simulate_parameter(B, random_state=0), 500, random_state=0)
    >>> model = NOTEARS().fit(X)
    >>> model.adjacency_.shape
    (5, 5)
    """

    _core_learner = "notears"
    _progress_unit = "outer step"

    def __init__(
        self,
        lambda1=0.1,
        *,
        loss_type="l2",
        penalty="expm",
        s=1.0,
        max_iter=100,
        inner_max_iter=15000,
        h_tol=1e-8,
        rho_max=1e16,
        w_threshold=0.3,
        standardize=False,
        n_jobs=None,
        verbose=False,
        prior_knowledge=None,
    ):
        self._set_params(locals())

    def _convergence_advice(self) -> str:
        return (
            f"NOTEARS stopped with h(W) = {self.h_:.3g} > h_tol = {self.h_tol:g} "
            f"(rho = {self.rho_:.3g}, {self.n_iter_} outer steps): increase max_iter or rho_max"
            + (", " if self.loss_type == "l2" else ". ")
            + ("or standardize the data. " if self.loss_type == "l2" else "")
            + "The returned graph is still a DAG (cycles were projected out)."
        )
