"""DAGMA (Bello, Aragam, Ravikumar, NeurIPS 2022) as a scikit-learn estimator."""

from __future__ import annotations

from ._base import LinearSEMLearner


class DAGMA(LinearSEMLearner):
    """Learn a linear DAG by DAGMA's central path on the log-det acyclicity function.

    Implements Bello, Aragam & Ravikumar, "DAGMA: Learning DAGs via M-matrices and a
    Log-Determinant Acyclicity Characterization", NeurIPS 2022. With
    h_s(W) = −log det(sI − W∘W) + d·log s (zero exactly on DAGs, defined while sI − W∘W is an
    M-matrix), stage t = 0..T−1 solves, from the previous stage's W (W = 0 first),

        min_W  μ_t · (Q(W) + λ1‖W‖₁) + h_{s_t}(W),   μ_{t+1} = mu_factor · μ_t,

    and the limit of the path is a DAG. The Rust core runs it with the GIL released. The
    thresholded result is projected onto a DAG, so ``adjacency_`` is always acyclic.

    Parameters
    ----------
    lambda1 : float, default=0.03
        L1 weight (the package's default; the paper used 0.05).
    loss_type : {"l2", "logistic"}, default="l2"
        ``"l2"``: ½n⁻¹‖X − XW‖² from the covariance of centred X (O(d³) per iteration whatever
        n is); ``"logistic"``: binary X used as given (uncentred), as in the reference.
    w_threshold : float, default=0.3
        Entries with |w| below it are dropped.
    T : int, default=5
        Number of central-path stages.
    mu_init, mu_factor : float, default=1.0, 0.1
        μ of the first stage and its factor between stages.
    s : float or sequence of float, default=(1.0, 0.9, 0.8, 0.7, 0.6)
        The log-det parameter per stage (the last value repeats when shorter than T). When a
        stage cannot start inside its domain, its s is raised by 0.1 (``s_used_`` says so).
    warm_iter : int, default=30000
        Cap on inner iterations of every stage but the last.
    max_iter : int, default=60000
        Cap on inner iterations of the last stage (as in the reference).
    lr : float, default=3e-4
        Adam's learning rate (``solver="hybrid"`` or ``"adam"``; halved when a step leaves the
        domain).
    solver : {"hybrid", "adam", "lbfgs"}, default="hybrid"
        Inner solver of each stage.

        - ``"adam"``: the reference code's Adam on the L1 subgradient (β = (0.99, 0.999)),
          stopping when the objective changes by less than 1e-6 relative over 1000 iterations.
          It follows PyPI ``dagma``'s path step for step.
        - ``"hybrid"``: the same Adam until the change over 1000 iterations falls to
          ``hybrid_tol``, then OWL-QN (Andrew & Gao, ICML 2007) to convergence. Adam's early
          steps choose the local minimum (the same as the reference's); OWL-QN then does in a
          few dozen evaluations what Adam does in tens of thousands. On ER4 graphs, d = 20 and
          50, it matched the reference's SHD on every seed with equal or lower stage objectives,
          in 1.6–2.1× fewer evaluations; at d = 100 rounding alone makes paths part (the
          reference's own Adam differs from PyPI dagma there too; benchmarks/RESULTS.md).
        - ``"lbfgs"``: OWL-QN alone, which treats points outside the log-det domain as +∞. Its
          long first steps can reach another local minimum: on ER4 it ends at higher
          objectives on some seeds (SHD +3.3 on average at d = 20, +9.7 at d = 50).
    hybrid_tol : float, default=1e-4
        ``solver="hybrid"``: relative objective change over 1000 Adam iterations at which
        OWL-QN takes over. Smaller stays longer on Adam's path (0 gives "adam" followed by a
        polish).
    h_tol : float, default=1e-6
        ``converged_`` is h₁(W) ≤ h_tol for the unthresholded W (log-det with s = 1).
    standardize : bool, default=False
        Scale columns to unit variance first (l2 only); see :class:`acyclic.NOTEARS`.
    n_jobs : int or None, default=None
        Threads (None → 1, -1 → all cores). Results do not depend on it.
    prior_knowledge : acyclic.PriorKnowledge or None, default=None
        Forbidden and required edges, sources, sinks, tiers (see :class:`acyclic.PriorKnowledge`):
        forbidden weights are exactly zero, required edges are present in the result.
    verbose : bool, default=False
        Progress bar over the stages.

    Attributes
    ----------
    weights_, adjacency_, causal_order_, node_labels_, n_features_in_, feature_names_in_,
    mean_, scale_, converged_
        As in every learner (see :class:`acyclic._base.DAGLearner`).
    n_iter_ : int
        Inner iterations of the last stage.
    history_ : ndarray of shape (T,)
        Stage objective μ_t(Q + λ1‖W‖₁) + h_{s_t} at the end of each stage.
    raw_weights_ : ndarray of shape (d, d)
        W at the end of the path, before thresholding.
    h_ : float
        Log-det h₁ of ``raw_weights_``.
    s_used_ : ndarray of shape (T,)
        The s each stage actually used.
    n_evals_ : int
        Loss and gradient evaluations over all stages.

    Raises
    ------
    InvalidInputError
        From ``fit``: bad data or parameters (the message names them).
        Also: two columns that are copies of each other (up to sign and a constant, after
        standardization when ``standardize=True``). The score is then the same both ways and
        the search from W = 0 would drop the edge between them; the message names the columns.
    """

    _core_learner = "dagma"
    _progress_unit = "stage"

    def __init__(
        self,
        lambda1=0.03,
        *,
        loss_type="l2",
        w_threshold=0.3,
        T=5,
        mu_init=1.0,
        mu_factor=0.1,
        s=(1.0, 0.9, 0.8, 0.7, 0.6),
        warm_iter=30000,
        max_iter=60000,
        lr=3e-4,
        solver="hybrid",
        hybrid_tol=1e-4,
        h_tol=1e-6,
        standardize=False,
        n_jobs=None,
        verbose=False,
        prior_knowledge=None,
    ):
        self._set_params(locals())

    def _convergence_advice(self) -> str:
        return (
            f"DAGMA ended with h(W) = {self.h_:.3g} > h_tol = {self.h_tol:g}: increase T (6–8, as "
            "the reference suggests) or lower mu_factor. The returned graph is still a DAG "
            "(thresholded, cycles projected out)."
        )
