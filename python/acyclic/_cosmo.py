"""COSMO (Massidda, Landolfi, Cinquini, Bacciu, ICLR 2024) as a scikit-learn estimator."""

from __future__ import annotations

from ._base import DAGLearner
from ._mechanism import MLPMechanismMixin


class COSMO(MLPMechanismMixin, DAGLearner):
    """Learn a DAG without an acyclicity constraint, through smooth acyclic orientations:
    linear, or with one MLP per node (COSMO's nonlinear model).

    Implements Massidda, Landolfi, Cinquini & Bacciu, "Constraint-Free Structure Learning with
    Smooth Acyclic Orientations", ICLR 2024. Each node gets a priority p_k; the edge i → j is
    weighted by W_ij · σ((p_j − p_i − ε)/t), so every directed cycle carries a factor that
    vanishes as the temperature t is annealed (cosine, from ``t_start`` to ``t_end``). The
    minibatch loss ``‖X − XA‖²/(B·d) + λ1‖W‖₁ + λ2‖W‖_F + λp‖p‖₂`` (A = W∘S) is minimised by Adam,
    with no acyclicity penalty: a step costs two minibatch matrix products and O(d²) element-wise
    work, against O(d³) for NOTEARS and DAGMA. Then (``refit=True``, our addition) the
    orientation is held and W is fitted exactly to the t → 0 limit of the same objective on all
    rows. The final graph keeps i → j where p_j − p_i > ε and ``|W_ij| > w_threshold``: a DAG by
    construction. The Rust core runs it with the GIL released.

    With ``intervention_mask`` (perfect interventions), node j's equation is fitted only on the
    rows that leave it alone: the minibatch error drops the entries (i, j) where row i set node
    j (still divided by B·d, so an epoch estimates ``Σ_j Σ_{rows of j} r²/(n·d)``), with node
    j's intercept fitted on its rows; the refit uses each node's covariance of its rows,
    weighted by its share of the rows; the divergence warning compares those masked errors.

    With ``mechanism="mlp"`` (the reference's ``PriorityNonLinearSCM``): x̂_j = Σ_m v_jm
    σ(Σ_i θ_ijm S_ij x_i + b_jm) + c_j, one sigmoid MLP per node whose first-layer weights from
    input i are scaled by the orientation S_ij, so the gradient also reaches the priorities
    through S; the regularisers act on the first-layer weights θ; the weighted adjacency is the
    reference's signed sum ``A_ij = Σ_m θ_ijm S_ij`` at the last temperature, kept where
    p_j − p_i > ε and ``|A_ij| > w_threshold``. There is no refit. ``predict`` goes through the
    fitted networks with the inputs of pruned edges zeroed.

    Parameters
    ----------
    mechanism : {"linear", "mlp"}, default="linear"
        ``"linear"``: X = XW + E. ``"mlp"``: the nonlinear model above.
    hidden : int or sequence of int, default=(10,)
        Hidden-layer widths of each node's MLP (``mechanism="mlp"``; the reference's
        ``hidden_size=[10]``), each in [1, 100000].
    lambda1 : float or "auto", default="auto"
        L1 weight on W (the first-layer weights with ``mechanism="mlp"``); "auto": 5e-4 linear
        (the middle of the authors' grid, 1e-4 to 1e-3), 9.7e-4 MLP.
    lambda2 : float or "auto", default="auto"
        Weight of ‖W‖_F, not squared (grid: 1e-3 to 5e-3); "auto": 2e-3 linear, 1.6e-3 MLP.
    lambda_p : float or "auto", default="auto"
        Weight of ‖p‖₂, not squared (grid: 1e-3 to 3e-3); "auto": 2e-3 linear, 1.8e-3 MLP.
    shift : float or "auto", default="auto"
        ε, the priority gap an edge needs (grid: 5e-3 to 2e-2); "auto": 6e-3 linear, 1.9e-2 MLP.
    t_start : float, default=0.45
        Temperature of the first epoch (the authors fix 0.45).
    t_end : float or "auto", default="auto"
        Temperature of the last epoch (grid 5e-4 to 1e-3); "auto": 1e-3 linear, 7.4e-4 MLP.

        The MLP values of these "auto" settings (and of ``lr``) are the configuration the
        authors published for their nonlinear model (rmassidda/cosmo,
        ``validation/n1000_d20_ER4_mlp_cosmo_nl.csv``, to two significant digits); on
        simulated mlp and mim data they gave far lower SHD than the linear values
        (benchmarks/RESULTS.md, "Nonlinear learners").
    lr : float or "auto", default="auto"
        Adam's learning rate, β = (0.9, 0.999) (the authors' grid: 1e-3 to 1e-2). ``"auto"``:
        linear 1e-2 up to d = 30 variables, 5e-3 above (see below); MLP 2.1e-3.
    batch_size : int, default=64
        Rows per minibatch.
    max_iter : int, default=2000
        Epochs (passes over the rows), as the authors.
    tol : float, default=1e-2
        Only with ``refit=False``: ``converged_`` is True when the mean epoch loss changed by at
        most ``tol`` (relative) over the last tenth of the epochs (the project's rule for
        COSMO). With the cosine schedule this almost never happens: t still falls 12-fold over
        that tenth, so every such fit warns.
    refit : bool or "auto", default="auto"
        "auto": True for the linear mechanism, False for ``"mlp"`` (True with ``"mlp"`` is an
        error). After the epochs, hold the orientation (S becomes the hard mask 1[p_j − p_i > ε]) and
        minimise the objective's t → 0 limit, ``‖X − XW‖²/(n·d) + λ1‖W‖₁ + λ2‖W‖_F`` over the
        allowed entries, on all rows instead of minibatches. It is convex; each column's
        elastic net is solved exactly (coordinate descent with active-set steps, Friedman,
        Hastie & Tibshirani 2010; Osborne, Presnell & Turlach 2000). ‖W‖_F couples the columns:
        unless W = 0 is optimal (tested directly), the minimiser is the elastic-net solution
        W(λ2/c) with the ridge λ2‖W‖²/(2c) in its place, where c solves ‖W(λ2/c)‖_F = c; a
        bracketing root search (secant, then Anderson–Björck regula falsi, in log c) finds c in
        at most 50 passes over the columns, stopping when ‖W(λ2/c)‖_F is within 1e-7 of c,
        relative. Required edges carry neither penalty here. ``converged_`` is then True when
        every column met its optimality conditions (within 1e-7 of its scale) and the search
        stopped so, or W = 0 is optimal. ``False`` is the authors' algorithm, which
        returns A = W∘S at ``t_end`` from the last minibatch step.
    w_threshold : float, default=0.3
        Edges whose weight (the refitted W_ij, or A_ij with ``refit=False``) is at most this in
        absolute value are dropped.
    standardize : bool, default=False
        Scale columns to unit variance first (the data are always centred: the model has no
        intercept; with ``intervention_mask``, node j's intercept is the one of its rows).
    random_state : int, RandomState, numpy.random.Generator or None, default=None
        Seeds the initialisation (W ~ U(±√(3/d)), p ~ N(0, ε²/2)) and the minibatch order.
    n_jobs : int or None, default=None
        Threads (None → 1). Results do not depend on it.
    verbose : bool, default=False
        Progress bar over the epochs.
    prior_knowledge : acyclic.PriorKnowledge or None, default=None
        Forbidden entries of W stay 0; required edges keep their priorities in order, are not
        penalised in the refit, and are kept whatever their weight.

    How the defaults were chosen: the authors' random search picked lr 3e-3–9e-3, λ1 1e-4–9e-4,
    λ2 1e-3–4e-3, λp 1e-3–3e-3, ε ≈ 5e-3–8e-3, t_end 5.5e-4–9.9e-4 for linear data (d = 30–500).
    Starting from the middle of those grids, variants were scored on raw ER2/ER4 data, n = 1000:

    - at d = 20 (seeds 0–4, mean SHD ER2 / ER4): lr 1e-2, λ1 5e-4, t_end 1e-3 gave 6.2 / 18.8,
      better than the grids' middle (lr 5e-3, t_end 7e-4: 8 / 48 on seeds 0–2);
    - on ER4 (mean SHD at d = 20 / 50 / 100, 3 / 2 / 2 seeds), lr 1e-2: 14 / 108 / 361, lr 5e-3:
      28 / 80 / 122, smaller lr worse everywhere, λ1 1e-3 or 3e-3 no better. Hence lr="auto".

    Why ``refit`` is the default (a departure from the paper): the minibatch Adam never settles.
    Between 90% and 100% of the epochs 5–232 entries of its graph still change, and its loss
    rises while t falls. The refit costs one Σ = XᵀX/n and a few elastic nets per column
    (0.2–4% of the fit at d = 100–1000) and halved the SHD on raw ER4 data: mean over seeds
    0–2, d = 50: 107 → 54, d = 100: 121 → 65 (benchmarks/RESULTS.md, "COSMO with the final
    refit").

    Results vary a lot from seed to seed. For comparison, the authors report SHD 139 ± 62 at
    d = 100 ER4 (a reversed edge counted twice) for their own code, with per-setting tuning; our
    DAGMA gets ~40 on the same kind of data. On standardized data COSMO, like every
    least-squares learner, loses the variance ordering and does far worse.

    Attributes
    ----------
    weights_, adjacency_, causal_order_, node_labels_, n_features_in_, feature_names_in_,
    mean_, scale_
        As in every learner (see :class:`acyclic._base.DAGLearner`).
    priorities_ : ndarray of shape (d,)
        The learned priorities: every edge i → j has p_j − p_i > ε.
    raw_weights_ : ndarray of shape (d, d)
        With ``refit``: the refitted W on the hard mask, before ``w_threshold``. Without:
        A = W∘S at the final temperature, before the hard mask.
    history_ : ndarray of shape (max_iter,)
        Loss of each epoch: its mean minibatch squared error plus the regularisers.
    diverged_ : bool
        The last epoch's mean squared error ended above the empty graph's (W = 0): the minibatch
        steps diverged (``lr`` too large); ``converged_`` is then False and a warning says so.
        Not when λ1 and λ2 are so large that W = 0 (with the required edges fitted alone) is
        the minimiser for every orientation: Adam's steps then only jitter W about 0 (or leave
        it where it started, once λ2's gradient squared overflows), and the answer does not
        depend on the epochs.
    shift_ : float
        The priority gap ε the fit used (``shift`` with "auto" resolved).
    n_refit_rounds_ : int
        Passes of the refit over the columns: evaluations of ‖W(λ2/c)‖_F − c, or 1 when W = 0
        is optimal (0 without the refit).
    refit_time_ : float
        Seconds the refit took (0 without it), as scikit-learn's ``GridSearchCV.refit_time_``.
    n_iter_ : int
        Epochs run.
    n_steps_ : int
        Adam steps.
    converged_ : bool
        See ``refit`` (and ``tol`` without it).

    Raises
    ------
    InvalidInputError
        From ``fit``: bad data or parameters (the message names them).
    NumericalError
        The loss left the float64 range (lower ``lr`` or standardize).
    """

    _core_learner = "cosmo"
    _progress_unit = "epoch"

    # sparsity for stability selection and λ paths: COSMO's λ1 is on the scale of its mean loss; around its default 5e-4
    _sparsity_param = "lambda1"
    _sparsity_grid = (0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 5e-4, 2e-4, 1e-4)

    def __init__(
        self,
        *,
        mechanism="linear",
        hidden=(10,),
        lambda1="auto",
        lambda2="auto",
        lambda_p="auto",
        shift="auto",
        t_start=0.45,
        t_end="auto",
        lr="auto",
        batch_size=64,
        max_iter=2000,
        tol=1e-2,
        refit="auto",
        w_threshold=0.3,
        standardize=False,
        random_state=None,
        n_jobs=None,
        verbose=False,
        prior_knowledge=None,
    ):
        self._set_params(locals())

    def _convergence_advice(self) -> str:
        if self.diverged_:
            return (
                "COSMO's minibatch optimisation diverged (its mean squared error ended above the empty graph's): "
                "lower lr. The returned graph is a DAG but unreliable."
            )
        if self.n_refit_rounds_ > 0:
            return (
                "COSMO's final refit of the weights did not reach its optimality conditions: the "
                "data are likely badly conditioned (nearly collinear columns); standardize=True or a "
                "larger lambda1 or lambda2 helps. The returned graph is a DAG."
            )
        return (
            f"COSMO's loss still changed by more than tol = {self.tol:g} over the last tenth of the "
            f"{self.max_iter} epochs (usual with refit=False: the temperature is still falling); "
            "refit=True gives a converged final fit. The returned graph is a DAG."
        )
