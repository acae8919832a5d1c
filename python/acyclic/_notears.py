"""NOTEARS (Zheng, Aragam, Ravikumar, Xing, NeurIPS 2018) as a scikit-learn estimator."""

from __future__ import annotations

from ._base import LinearSEMLearner
from ._mechanism import MLPMechanismMixin


class NOTEARS(MLPMechanismMixin, LinearSEMLearner):
    """Learn a DAG by NOTEARS: min L(W) + λ1‖W‖₁ subject to h(W) = 0, by default with
    h(W) = tr(exp(W∘W)) − d; linear, or with one MLP per node (NOTEARS-MLP).

    Implements Zheng, Aragam, Ravikumar & Xing, "DAGs with NO TEARS: Continuous Optimization
    for Structure Learning", NeurIPS 2018: the augmented Lagrangian with ρ ×10 while h does not
    fall below a quarter of its last value, α += ρh, each subproblem solved by OWL-QN (Andrew &
    Gao, ICML 2007) on W's off-diagonal entries (the Rust core, with the GIL released; the
    reference code splits W = W⁺ − W⁻ for L-BFGS-B instead, which takes about 4× more
    evaluations at d = 50 for no better objective). The least-squares loss
    works from the covariance XᵀX/n, so an iteration costs O(d³) whatever n is. The thresholded
    result is projected onto a DAG (weakest edges on cycles removed first), so ``adjacency_``
    is always acyclic.

    With ``mechanism="mlp"`` it implements Zheng, Dan, Aragam, Ravikumar & Xing, "Learning
    Sparse Nonparametric DAGs", AISTATS 2020 (NOTEARS-MLP): x̂_j = f_j(x), one sigmoid MLP per
    node whose first layer reads all d inputs; the edge weight W_ij = sqrt(Σ_m θ¹_{j,m,i}²) is
    the L2 norm of the first-layer weights from input i into node j's network (never negative),
    the score ½n⁻¹Σ(x̂ − x)² + (λ2/2)‖θ‖² (weights, not biases) + λ1‖θ¹‖₁, the same augmented
    Lagrangian, each subproblem by OWL-QN on all network parameters (the reference splits the
    first layer for L-BFGS-B). Every node's network is evaluated in parallel over ``n_jobs``
    threads; ``predict`` goes through the fitted networks with the inputs of pruned edges zeroed.

    Parameters
    ----------
    lambda1 : float or "auto", default="auto"
        L1 penalty weight (≥ 0), in the units of the loss. "auto": 0.1 for the linear
        mechanism (the reference code's), 0.01 for ``mechanism="mlp"`` (the nonlinear
        reference's example).
    mechanism : {"linear", "mlp"}, default="linear"
        ``"linear"``: X = XW + E. ``"mlp"``: NOTEARS-MLP (least squares only).
    hidden : int or sequence of int, default=(10,)
        Hidden-layer widths of each node's MLP (``mechanism="mlp"`` only), each in
        [1, 100000]; the reference's [d, 10, 1] network is ``(10,)``.
    lambda2 : float or "auto", default="auto"
        L2 weight (≥ 0) on the MLP weights (``mechanism="mlp"``; "auto": 0.01, the nonlinear
        reference's example). The linear mechanism has no L2 term: "auto" or 0 only.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the MLPs' initial weights (PyTorch's ``Linear`` initialisation, U(±1/√fan_in)).
        The linear mechanism starts at W = 0 and ignores it.
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
        Entries with ``|w|`` below it are dropped (in the units the learner saw).
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
        The optimiser's W before thresholding and projection; with ``mechanism="mlp"``, the
        first-layer norms sqrt(Σ_m θ²), all ≥ 0.
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
        ``hidden`` empty or with a width outside [1, 100000], ``lambda2`` ≠ 0 with the linear
        mechanism, ``mechanism="mlp"`` with a loss other than ``"l2"``.
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

    # sparsity for stability selection and λ paths: around the linear default 0.1 (standardized data), a decade each way
    _sparsity_param = "lambda1"
    _sparsity_grid = (0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005)

    def __init__(
        self,
        lambda1="auto",
        *,
        mechanism="linear",
        hidden=(10,),
        lambda2="auto",
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
        random_state=None,
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
