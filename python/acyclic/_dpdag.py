"""DP-DAG / VI-DP-DAG (Charpentier, Kibler, Günnemann, ICLR 2022) as a scikit-learn estimator."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._base import DAGLearner, seed_from
from ._mechanism import MLPMechanismMixin
from ._posterior import _MAX_SAMPLE_BYTES, InterventionalSampling
from .exceptions import InvalidInputError


class DPDAG(InterventionalSampling, MLPMechanismMixin, DAGLearner):
    """Learn a distribution over DAGs by differentiable DAG sampling (VI-DP-DAG).

    Implements Charpentier, Kibler & Günnemann, "Differentiable DAG Sampling", ICLR 2022. The
    model is a distribution q(G) over DAGs and one mechanism per node. A DAG is sampled in two
    steps. First a node order: sort the scores θ + Gumbel noise, largest first. Then the edges:
    U_ij ~ Bernoulli(σ(Φ_ij)), kept where i comes before j. Every sample is a DAG, so no
    acyclicity constraint is needed. Training is stochastic variational inference. Each minibatch
    draws one DAG: the order is relaxed by SoftSort and the edges by the binary concrete, both
    hard in the forward pass and straight-through in the backward pass. Adam then minimises

        Σ (x̂ − x)² / (B·d)  +  λ · mean_{i≠j} KL(Bernoulli(σ(Φ_ij)) ‖ Bernoulli(prior)),

    with x̂_j = f_j(x ∘ A[:, j]) predicted from the sampled parents. Training stops when the loss
    of the modal DAG on a held-out fraction of the rows has not improved for ``patience`` epochs.
    The best epoch's parameters are kept. The kernels (sampling, relaxations, mechanisms and their
    hand-written gradients, Adam, the refit) run in the Rust core with the GIL released.

    The final refit (linear mechanism, on by default; our addition to the paper's algorithm).
    The modal DAG of the trained q is often a poor fit even for its own order: once a pair is
    ordered the wrong way, the edges that would have to change with it are never sampled, so the
    straight-through gradients cannot propose the swap. The refit compares the modal order and
    ``refit_orders`` orders drawn from q(π). For each order, every node's parents are chosen
    among its predecessors by stepwise selection with least-squares mechanisms (add the parent
    that lowers the error most, drop those no longer worth their price, until no single change
    pays). The price of an edge is what the training objective charges for it:
    λ·log((1 − prior)/prior)/(d(d − 1)) in units of the mean squared error. The DAG with the
    lowest objective (mean squared error on all rows plus the edge prices) becomes the point
    estimate. ``edge_probabilities_`` and
    ``sample_dags`` still describe the trained q.

    With ``intervention_mask`` (perfect interventions), node j's mechanism is fitted only on the
    rows that leave it alone: the entries where a row set node j are left out of the squared
    error (linear and MLP mechanisms) and of the held-out loss, and the refit regresses each
    node on the covariance of its rows, its error weighted by its share of the rows.

    Departure from the reference code: the prior term is the true Bernoulli KL, as in the paper.
    The reference code's term is linear in Φ and pushes every logit up.

    Parameters
    ----------
    mechanism : {"linear", "mlp"}, default="linear"
        ``"linear"``: x̂_j = Σ_i A_ij w_ij x_i + b_j. ``"mlp"``: one MLP per node with hidden
        widths ``hidden`` and ReLU, fed the whole d-vector with its non-parents zeroed. The MLP
        is the package's nonlinear learner.
    hidden : tuple of int, default=(16, 16, 16)
        Hidden layer widths of the MLP mechanism (the reference's VI-DP-DAG setting). Ignored
        for ``"linear"``.
    lambda_kl : float or "auto", default="auto"
        λ, the weight of the mean KL term. An edge costs about λ·log(1/prior)/(d(d−1)) in the
        units of the mean squared error, and saves (its share of a node's error)/d. ``"auto"``:
        λ = 0.01·(d − 1), which keeps that price per edge the same for every d (0.09 at d = 10).
        A constant λ makes graphs denser as d grows (see the notes).
    prior : float, default=0.01
        Prior probability of an edge, in (0, 1).
    tau : float, default=1.0
        SoftSort temperature (the reference's ``pd_temperature``).
    lr_graph : float, default=1e-2
        Adam's learning rate for θ and Φ.
    lr_mech : float or "auto", default="auto"
        Adam's learning rate for the mechanisms. ``"auto"``: 1e-3 for the MLP (the reference's
        value) and 1e-2 for the linear mechanism, which reached a lower SHD (see the notes).
    batch_size : int, default=64
        Rows per minibatch; one DAG is sampled per minibatch.
    max_iter : int, default=5000
        Epochs at most.
    patience : int or "auto", default="auto"
        Training stops after this many epochs without a held-out loss lower by ``tol``
        (relative) than the last one that was. The best epoch is returned either way. The
        held-out loss is noisy from epoch to epoch (the parameters keep moving by about the
        learning rate), so a short patience stops long before convergence. ``"auto"``: 100
        epochs when the refit runs (a q that has not yet collapsed onto one order gives the
        refit more varied orders to compare), 500 otherwise.
    tol : float, default=1e-2
        The relative improvement that restarts the patience count, in [0, 1) (as
        scikit-learn's ``MLPRegressor``). Smaller improvements still update the best epoch.
    validation_fraction : float, default=0.1
        Fraction of the rows held out for early stopping, in [0, 0.5]. With 0, the modal DAG's
        loss on the training rows is monitored instead.
    edge_threshold : float, default=0.5
        The modal DAG keeps i → j where σ(Φ_ij) exceeds it and i precedes j in the order of θ.
        It is the point estimate without the refit, and the DAG early stopping scores.
    refit : bool or "auto", default="auto"
        Replace the modal DAG by the final refit (see above). ``"auto"``: for the linear
        mechanism only. True with ``mechanism="mlp"`` is an error: an MLP has no exact fit.
    refit_orders : int, default=500
        Orders drawn from q(π) for the refit besides the modal one (≥ 0; 0 refits the edges of
        the modal order only). Identical draws are compared once. The cost grows linearly with
        it; on one thread, 500 orders take about 0.03 s at d = 50 and 0.15 s at d = 100 (ER2),
        and 100,000 orders 70 s at d = 100 (from an untrained, uniform q). At most 1,000,000.
    standardize : bool, default=False
        Scale the columns to unit variance first; the data are always centred. False is the
        default of every learner, so that the results of different learners on the same data
        are comparable. Least-squares scores, this one's included, exploit varsortability on raw
        simulated data: the variances grow along the causal order, so simulated linear graphs are
        found far more easily (Reisach et al., NeurIPS 2021). On standardized data that signal is
        gone (see ``acyclic.metrics.varsortability``). Choose ``standardize=True`` for data whose
        units are arbitrary (the paper standardises; so does ``acyclic learn sachs``).
    random_state : int, RandomState, numpy.random.Generator or None, default=None
        Seeds the split, the initialisation (θ = 0, Φ ~ U(0, 1), PyTorch-style uniform weights),
        the minibatches, the sampled DAGs and the refit's orders.
    n_jobs : int or None, default=None
        Threads for the MLP mechanism's per-node work and the refit (None → 1). Results do not
        depend on it.
    verbose : bool, default=False
        Progress bar over the epochs.
    prior_knowledge : acyclic.PriorKnowledge or None, default=None
        Forbidden edges are never sampled. Required edges are always sampled, and every order
        respects them: Kahn's algorithm, taking the available node with the largest perturbed
        score first. The refit keeps required edges and never adds forbidden ones.

    Attributes
    ----------
    weights_ : ndarray of shape (d, d), float64
        On ``adjacency_``: the regression weights (linear; least-squares ones after the
        refit), or the L2 norm of the first-layer weights from input i into node j's network
        (MLP; the NOTEARS-MLP convention, ≥ 0).
    adjacency_ : ndarray of shape (d, d), int64
        The point estimate: the refitted DAG, or the modal DAG without the refit.
    edge_probabilities_ : ndarray of shape (d, d), float64
        Posterior edge marginals P(i → j) = σ(Φ_ij) · σ(θ_i − θ_j), exact without required
        edges. With required edges they are estimated from 10,000 sampled orders; forbidden
        edges get 0 and required ones 1.
    edge_probabilities_exact_ : bool
        False when ``edge_probabilities_`` is a Monte-Carlo estimate.
    order_scores_ : ndarray of shape (d,)
        θ. The modal order sorts it in descending order (roots first).
    edge_logits_ : ndarray of shape (d, d)
        Φ.
    raw_weights_ : ndarray of shape (d, d)
        ``weights_`` before the mask of ``adjacency_``: the mechanisms' input weights. After
        the refit they are the refitted weights, equal to ``weights_``.
    history_ : ndarray of shape ``(n_iter_,)``
        Mean training loss of each epoch, KL term included.
    validation_history_ : ndarray of shape ``(n_iter_,)``
        Held-out loss of the modal DAG after each epoch.
    best_epoch_ : int
        The epoch (0-based) whose parameters were kept.
    n_iter_ : int
        Epochs run.
    n_steps_ : int
        Adam steps (minibatches).
    n_refit_orders_ : int
        Distinct orders the refit compared, the modal one included (0 without the refit).
    refit_time_ : float
        Seconds the refit took (0 without it).
    converged_ : bool
        Early stopping triggered before ``max_iter``.
    training_statistics_ : SufficientStats
        The training rows' sufficient statistics per intervention pattern: what
        :meth:`sample_interventional` and :func:`acyclic.active.score_targets` fit each graph's
        least-squares mechanisms on.
    causal_order_, node_labels_, n_features_in_, feature_names_in_, mean_, scale_
        As in every learner (see :class:`acyclic._base.DAGLearner`).

    Raises
    ------
    InvalidInputError
        From ``fit``: bad data or parameters (the message names them), ``refit=True`` with the
        MLP mechanism, or required edges that form a cycle.
    NumericalError
        The loss left the float64 range (lower ``lr_mech`` or standardize).

    Notes
    -----
    How the defaults were chosen. Linear mechanism on raw Gaussian linear data (ER2, n = 1000,
    ``acyclic.simulate`` seeds, mean SHD). Without the refit, at d = 10 over seeds 0–9:
    ``lr_mech`` 1e-2 gave 8.8, 3e-3 gave 9.3 and 1e-3 gave 10.8; λ = 0.1 beat 0.01, 0.3 and 1.
    With the reference's patience (10 evaluations) the mean SHD was 14; a patience of hundreds
    of epochs brought it down to about 8.5. Restarts from other seeds end in the same graphs,
    so the error is a local optimum of the order, not bad luck. The refit, over seeds 0–19:
    7.75 without it; with it 3.35 (200 orders) and 2.95 (500) at patience 500, 1.5 (500) at
    patience 100. At d = 20 (seeds 0–4): 17.8 without, 4.2 with, against 6.6 for NOTEARS. At
    d = 50 the order learned by VI is worse (13 true edges reversed on one seed of three), and
    samples of q do not reach the true one. At larger d a constant λ = 0.1 gave ever denser
    graphs (ER2, d = 50: FDR 0.34 linear, 0.73 MLP); λ = 0.01·(d − 1) gave mean SHD 30.7
    against 55.7 (linear, Gaussian data) and 35.3 against 102 (MLP, index-model data), and no
    worse at d = 10 and 20 (``acyclic bench`` data, 3 seeds). MLP mechanism on raw nonlinear
    data (``simulate_nonlinear_sem``, ER2, d = 10, seeds 0–4, mean SHD; linear NOTEARS in
    brackets): ``lr_mech`` 1e-3 gave 10.8 / 7.0 / 11.8 on mlp / mim / gp-sines data [13.6 /
    14.2 / 14.4]; 1e-2 gave 11.8 / 9.8 / 13.2. A patience of 100 gave 10.6 / 9.4 on mlp / mim
    against 10.6 / 6.2 at 500, hence "auto". On standardized data (``standardize=True``), where
    every least-squares learner loses the variance order, ER2 d = 10 seeds 0–19 gave mean SHD 19.1
    with the refit, 18.65 without and 16.95 for NOTEARS.
    """

    _scale_dependent_params = "lambda_kl and the refit's price of an edge"
    _core_learner = "dpdag"
    _progress_unit = "epoch"
    _mlp_activation = "relu"

    # sparsity for stability selection and λ paths: around its default 0.01·(d − 1)
    _sparsity_param = "lambda_kl"
    _sparsity_grid = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.01, 0.005)

    def __init__(
        self,
        *,
        mechanism="linear",
        hidden=(16, 16, 16),
        lambda_kl="auto",
        prior=0.01,
        tau=1.0,
        lr_graph=1e-2,
        lr_mech="auto",
        batch_size=64,
        max_iter=5000,
        patience="auto",
        tol=1e-2,
        validation_fraction=0.1,
        edge_threshold=0.5,
        refit="auto",
        refit_orders=500,
        standardize=False,
        random_state=None,
        n_jobs=None,
        verbose=False,
        prior_knowledge=None,
    ):
        self._set_params(locals())

    # ------------------------------------------------------------------ fit
    def _store(self, result, forbidden=None, required=None) -> None:
        super()._store(result, forbidden, required)
        # what predict and sample_dags need, as of this fit (set_params may change the parameters)
        self._masks = (forbidden, required)

    def _convergence_advice(self) -> str:
        return (
            f"DP-DAG reached max_iter = {self.max_iter} epochs before its held-out loss stopped "
            f"improving for patience = {self.patience} epochs: increase max_iter. The returned graph "
            "(the best epoch's) is a DAG."
        )

    # ------------------------------------------------------------------ use
    def sample_dags(self, n_samples: int, random_state=None) -> np.ndarray:
        """Draws DAGs from the learned distribution q(G).

        Parameters
        ----------
        n_samples : int
            Number of DAGs, ≥ 1.
        random_state : int, RandomState, numpy.random.Generator or None, default=None
            Seed of the draws.

        Returns
        -------
        ndarray of shape (n_samples, d, d), uint8
            0/1 adjacency matrices (``[s, i, j] == 1`` means i → j in sample s), each acyclic.
            Their mean converges to ``edge_probabilities_``.

        Raises
        ------
        InvalidInputError
            ``n_samples`` is not a positive integer, or the samples would take more than 1 GiB
            (n_samples · d² bytes); draw them in batches.
        """
        check_is_fitted(self, "edge_logits_")
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < 1:
            raise InvalidInputError(f"n_samples must be a positive integer, got {n_samples!r}")
        d = self.edge_logits_.shape[0]
        if int(n_samples) * d * d > _MAX_SAMPLE_BYTES:
            raise InvalidInputError(
                f"n_samples = {n_samples} DAGs on {d} nodes would take {int(n_samples) * d * d / 2**30:.3g} GiB "
                f"(at most {_MAX_SAMPLE_BYTES // 2**30} GiB at a time); draw them in batches"
            )
        seed = seed_from(random_state)
        forbidden, required = self._masks
        return _core.dpdag_sample_dags(
            self.order_scores_, self.edge_logits_, int(n_samples), seed, forbidden=forbidden, required=required
        )
