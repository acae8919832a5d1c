"""BaCaDI (Hägele et al., AISTATS 2023) and DiBS (Lorch et al., NeurIPS 2021): Bayesian structure
learning with particles, for observational data and for experiments with known or unknown targets."""

from __future__ import annotations

import numbers
from typing import Any, Dict, List, Optional

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import DAGLearner, _targets_of, random_state_from
from ._params import PYTHON_PARAMS, check_params
from ._posterior import _MAX_SAMPLE_BYTES, InterventionalSampling
from ._validation import as_float_matrix, check_fit_input
from .exceptions import InvalidInputError
from .interventions import encode_environments, mask_from_environments

_PARTICLE_EXTRAS = {
    "particle_graphs": "graphs",
    "particle_weights": "weights",
    "particle_targets": "targets",
    "particle_log_joint": "log_joint",
    "particle_acyclic": "acyclic",
    "mixture_weights": "mixture_weight",
}


class BaCaDI(InterventionalSampling, DAGLearner):
    """Bayesian causal discovery with unknown interventions: a posterior over DAGs, their weights
    and each experiment's intervention targets.

    Implements Hägele, Rothfuss, Lorch, Somnath, Schölkopf & Krause, "BaCaDI: Bayesian Causal
    Discovery with Unknown Interventions", AISTATS 2023, on the latent particles of DiBS (Lorch,
    Rothfuss, Schölkopf & Krause, "DiBS: Differentiable Bayesian Structure Learning", NeurIPS
    2021). Each of ``n_particles`` particles holds a latent graph Z = (U, V) with edge
    probabilities σ(α_t uᵢᵀvⱼ), linear-Gaussian edge weights Θ (prior N(0, sig_edge²)), one
    intervention mean per environment and node (prior N(0, interv_prior_std²)) and target
    latents Γ with target probabilities σ(α_t γ/2) (a Beta(1/d, 1 − 1/d) prior plus
    ``lambda_regul`` times the expected number of targets). A node of a row is either explained
    by its parents (noise variance ``obs_noise``) or, where its environment intervened on it,
    drawn around the environment's mean (variance ``interv_noise``). Stein variational gradient
    descent (additive RBF kernel, RMSprop) moves the particles along self-normalised Monte-Carlo
    estimates of the gradient of the log posterior; the acyclicity prior
    −β_t E[tr((I + G/d)^d) − d] and α_t sharpen linearly with the step. Everything runs in the
    Rust core, parallel over particles (``n_jobs``) with the same result for any number of
    threads; the likelihood is computed from per-environment statistics, so a step costs the
    same for 300 rows or 10⁶.

    The posterior is the particles' hard graphs 1[uᵢᵀvⱼ > 0] and targets 1[γ > 0], each
    weighted by its joint density (likelihood and the priors of the weights and means), as in
    the reference's evaluation. Particles whose graph is cyclic are left out of
    ``edge_probabilities_`` and of the point estimate (``weights_``, ``adjacency_``: the acyclic
    particle of highest density); ``n_cyclic_`` says how many.

    Defaults are those of the reference's published linear-Gaussian runs (``haeggee/bacadi``,
    its result files), which differ from its code's constructor defaults: 3000 steps (code:
    1000), β = 2 (code: 1), λ = 1 (code: 10), 2 expected edges per node (code: 1), kernel
    bandwidths 0.5518 / 452 / 3.276 (code: 5 / 500 / 5; the published ER runs' tuned values;
    its scale-free runs used 12.1 / 3285 / 21.8), intervention variance 0.5 (code: 1).

    Parameters
    ----------
    likelihood : {"linear-gaussian", "bge"}, default="linear-gaussian"
        ``"linear-gaussian"``: joint inference over graphs, weights and intervention means (the
        reference's published runs; reparameterised gradients). ``"bge"``: the marginal BGe
        likelihood (Geiger & Heckerman 2002; Kuipers et al. 2014), weights integrated out, with
        score-function gradients over hard draws of graphs and targets (DiBS' marginal
        estimator, without a baseline); an intervened node's values are scored by the
        one-variable BGe on its environment's rows. ``weights_`` are then each node's
        least-squares regression on its parents over the rows that do not set it.
    n_particles : int, default=20
        Particles M.
    n_steps : int, default=3000
        SVGD steps.
    step_size : float, default=0.005
        RMSprop's step size.
    alpha_linear : float, default=0.01
        α_t = alpha_linear·t, the sharpness of edge and target probabilities at step t.
    beta_linear : float, default=2.0
        β_t = beta_linear·t, the weight of the acyclicity prior at step t.
    lambda_regul : float, default=1.0
        Weight of the expected number of targets in the prior (sparser targets when larger).
    n_grad_mc_samples : int, default=128
        Monte-Carlo draws of each likelihood-gradient estimator (those of Z, of Θ and μ, of Γ).
    n_acyclicity_mc_samples : int, default=32
        Draws of the acyclicity and target-sparsity expectations.
    h_latent, h_theta, h_interv : float, default=0.5518, 452.0, 3.276
        Kernel bandwidths of Z, of (Θ, μ) and of Γ.
    graph_prior : {"er", "sf"}, default="er"
        Erdős–Rényi (``edges_per_node``·d expected edges) or scale-free (out-degrees).
    edges_per_node : float, default=2.0
        Expected edges per node of the ER prior.
    obs_noise : float, default=0.1
        Noise variance of every node's linear mechanism, in the units the learner sees.
    interv_noise : float, default=0.5
        Variance of an intervened node around its environment's mean.
    sig_edge : float, default=1.0
        Prior standard deviation of an edge weight.
    interv_prior_std : float, default=10.0
        Prior standard deviation of an intervention mean.
    bge_alpha_mu, bge_alpha_lambda : float, default=1.0, "auto"
        BGe's α_μ and α_λ (> d + 1; "auto": d + 2), as DiBS and BaCaDI set them (likelihood
        ``"bge"`` only).
    n_latent : int or "auto", default="auto"
        k, the latent dimension of U and V; "auto": d.
    standardize : bool, default=False
        Scale every column by its standard deviation in the observational environment. The
        data are always centred by the observational environment's means (the model has no
        intercept). ``obs_noise`` and ``interv_noise`` are in the units the learner sees: the
        defaults suit raw data of the reference's scale (noise variance ≈ 0.1).
    prior_knowledge : PriorKnowledge or None, default=None
        Forbidden edges get probability 0, required edges probability 1.
    random_state : int, RandomState, Generator or None, default=None
        Seed of the initial particles and of every Monte-Carlo draw.
    n_jobs : int or None, default=None
        Threads (over particles); the result does not depend on it.
    verbose : bool, default=False
        Show a progress bar (one tick per step).

    Attributes
    ----------
    edge_probabilities_ : ndarray of shape (d, d)
        Posterior probability of each edge i → j (the mixture of the acyclic particles).
    target_probabilities_ : ndarray of shape (n_environments, d)
        Posterior probability that each environment (rows in the order of ``environments_``)
        intervened on each node, over all particles (as the reference's evaluation); the
        observational environment's row is 0.
    environments_ : list
        The environments' labels: the observational one first, then the others in order of
        first appearance.
    particles_ : dict of ndarray
        ``graphs`` (M, d, d) 0/1 hard graphs, ``weights`` (M, d, d) their weights,
        ``targets`` (M, n_environments, d) 0/1 targets, ``log_joint`` (M,) the unnormalised log
        joint each is weighted by, ``acyclic`` (M,) bool, ``mixture_weight`` (M,) the weight
        in ``edge_probabilities_`` (0 for cyclic particles).
    n_cyclic_ : int
        Particles with a cyclic hard graph (left out of the edge marginals, as in the
        reference's evaluation; a warning says so only when every particle is cyclic).
    weights_, adjacency_ : ndarray of shape (d, d)
        The acyclic particle of highest log joint (with none, the best particle with its
        weakest cycle edges removed, and a warning).
    history_ : ndarray of shape (n_steps,)
        Mean log joint of the particles' hard graphs after each step.
    n_iter_ : int
        Steps run. ``converged_`` is always True (SVGD runs a fixed number of steps).
    training_statistics_ : SufficientStats
        The training rows' sufficient statistics per intervention pattern (known targets, or
        with unknown ones those of ``target_probabilities_`` > 0.5): what
        :meth:`sample_interventional` and :func:`acyclic.active.score_targets` fit each graph's
        least-squares mechanisms on. A posterior that has not converged may call most nodes
        targets, leaving each mechanism only the observational rows; when the targets are
        known, pass ``X=`` and ``intervention_mask=`` to ``score_targets`` instead.
    causal_order_, raw_weights_, node_labels_, n_features_in_, feature_names_in_, mean_, scale_
        As in every learner (see :class:`acyclic._base.DAGLearner`).

    Notes
    -----
    A linear-Gaussian model identifies a graph only up to its interventional Markov equivalence
    class: with observational data alone, the posterior spreads over the orientations of
    each class, which is what ``edge_probabilities_`` should show.

    References
    ----------
    Hägele, A., Rothfuss, J., Lorch, L., Somnath, V. R., Schölkopf, B., Krause, A. (2023).
    BaCaDI: Bayesian causal discovery with unknown interventions. AISTATS 2023, PMLR 206.

    Lorch, L., Rothfuss, J., Schölkopf, B., Krause, A. (2021). DiBS: Differentiable Bayesian
    structure learning. NeurIPS 34.

    Geiger, D., Heckerman, D. (2002). Parameter priors for directed acyclic graphical models and
    the characterization of several probability distributions. Annals of Statistics 30(5).

    Kuipers, J., Moffa, G., Heckerman, D. (2014). Addendum on the scoring of Gaussian directed
    acyclic graphical models. Annals of Statistics 42(4).

    Liu, Q., Wang, D. (2016). Stein variational gradient descent. NeurIPS 29.

    Examples
    --------
    >>> from acyclic import BaCaDI, simulate
    >>> B = simulate.simulate_dag(5, 5, "ER", random_state=0)
    >>> W = simulate.simulate_parameter(B, random_state=0)
    >>> X, _, env = simulate.simulate_interventional_sem(W, 100, range(5), 10, value_loc=5,
    ...     value_scale=2, value_sign="random", value_noise=0.5 ** 0.5, noise_scale=0.1 ** 0.5,
    ...     random_state=0)
    >>> model = BaCaDI(n_steps=300, edges_per_node=1.0, random_state=0).fit(X, environments=env)
    >>> model.target_probabilities_.shape
    (6, 5)
    """

    _core_learner = "bacadi"
    _progress_unit = "step"
    _scale_dependent_params = "obs_noise and interv_noise"

    _sparsity_param = None  # a posterior over graphs already

    def __init__(
        self,
        *,
        likelihood="linear-gaussian",
        n_particles=20,
        n_steps=3000,
        step_size=0.005,
        alpha_linear=0.01,
        beta_linear=2.0,
        lambda_regul=1.0,
        n_grad_mc_samples=128,
        n_acyclicity_mc_samples=32,
        h_latent=0.5518,
        h_theta=452.0,
        h_interv=3.276,
        graph_prior="er",
        edges_per_node=2.0,
        obs_noise=0.1,
        interv_noise=0.5,
        sig_edge=1.0,
        interv_prior_std=10.0,
        bge_alpha_mu=1.0,
        bge_alpha_lambda="auto",
        n_latent="auto",
        standardize=False,
        prior_knowledge=None,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self._set_params(locals())

    #: Whether targets may be left unknown (BaCaDI infers them; DiBS needs them).
    _infers_targets = True

    def fit(self, X, y=None, *, environments=None, targets=None, observational_environment=None):
        """Infers the posterior over DAGs (and unknown targets) from X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric data; rows are samples. Not modified.
        y : ignored
        environments : array-like of shape (n_samples,)
            The experiment of every row (any hashable labels). Required by BaCaDI; for DiBS,
            ``None`` means one observational data set.
        targets : mapping or None, default=None
            Environment label → intervened nodes (column indices or labels), as in
            :func:`acyclic.interventions.mask_from_environments`. ``None``: unknown (BaCaDI
            infers them). A mapping fixes them (an environment absent from it is
            observational).
        observational_environment : hashable or None, default=None
            The label of the observational environment; ``None``: the first row's.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            NaN or inf, a constant column, fewer than 2 rows, non-2-D input, a bad parameter;
            environments of another length, with missing labels, or with an environment of
            fewer than 2 rows; a single environment with unknown targets; targets naming unknown
            nodes or environments, or an observational environment with targets; a column
            constant within the observational environment with ``standardize=True``.
        NonNumericInputError
            A non-numeric column.
        NumericalError
            A particle left the float64 range (lower ``step_size``).
        KeyboardInterrupt
            Ctrl-C during the fit (within a second).
        """
        check_params(self.get_params(deep=False), PYTHON_PARAMS)
        values, labels = as_float_matrix(X)
        check_fit_input(values, labels)
        n, d = values.shape
        codes, env_labels = self._environments(environments, targets, observational_environment, n)
        intervened = None
        # the observational rows: environment 0, or with known targets every row that has none
        observational = codes == 0
        if targets is not None:
            mask = mask_from_environments(np.asarray(env_labels, dtype=object)[codes], targets, labels)
            if mask[codes == 0].any():
                raise InvalidInputError(
                    f"targets gives the observational environment {env_labels[0]!r} intervention targets; "
                    "name another observational_environment or drop its targets"
                )
            intervened = mask if mask.any() else None
            observational = ~mask.any(axis=1)
        sent_codes: Optional[np.ndarray] = codes
        if len(env_labels) == 1 or (targets is not None and intervened is None):
            sent_codes = None  # one observational data set
        forbidden, required = self._prior_masks(labels)
        mean, scale = self._observational_scaling(values, observational, labels)
        result = self._fit_preprocessed(values, mean, scale, forbidden, required, intervened, sent_codes)
        self._set_input_metadata(X, labels)
        self.mean_, self.scale_ = mean, scale
        self.environments_ = env_labels
        self._intervention_targets = _targets_of(intervened)  # known targets only: cpdag_
        self._store(result, forbidden, required)
        if sent_codes is None and len(env_labels) > 1:
            # every environment observational: fitted as one data set, reported per environment
            m = self.particles_["targets"].shape[0]
            self.target_probabilities_ = np.zeros((len(env_labels), d))
            self.particles_["targets"] = np.zeros((m, len(env_labels), d))
        if intervened is None and sent_codes is not None:
            # unknown targets: a node counts as intervened on in an environment the posterior
            # more likely than not says it is (for the mechanisms sample_interventional fits)
            inferred = self.target_probabilities_[codes] > 0.5
            intervened = inferred if inferred.any() else None
        self._keep_training_data(values, labels, intervened)
        return self

    def _graph_at(self, index: int, random_state) -> np.ndarray:
        """Particle ``index``'s graph (``random_state`` is not needed)."""
        graphs = self.particles_["graphs"]
        if index >= len(graphs):
            raise InvalidInputError(f"particle index {index} is outside 0..{len(graphs) - 1}")
        if not self.particles_["acyclic"][index]:
            raise InvalidInputError(
                f"particle {index}'s graph has a cycle: pick an acyclic particle (particles_['acyclic'])"
            )
        return graphs[index]

    def _environments(self, environments, targets, observational, n: int):
        """(codes, labels) of the rows' environments, checked for this learner."""
        name = type(self).__name__
        if environments is None:
            if self._infers_targets:
                raise InvalidInputError(
                    f"{name} needs environments (the experiment of every row); for observational data use DiBS"
                )
            if targets is not None:
                raise InvalidInputError("targets without environments: give the experiment of every row")
            return np.zeros(n, dtype=np.int64), [0]
        codes, env_labels = encode_environments(environments, n, observational)
        counts = np.bincount(codes, minlength=len(env_labels))
        small = [env_labels[e] for e in np.flatnonzero(counts < 2)]
        if small:
            raise InvalidInputError(
                f"environment(s) {small!r} have fewer than 2 rows; every environment needs at least 2"
            )
        if targets is None and not self._infers_targets and len(env_labels) > 1:
            raise InvalidInputError(
                f"{name} needs the targets of each environment (a mapping); BaCaDI infers unknown targets"
            )
        if targets is None and len(env_labels) == 1 and self._infers_targets:
            raise InvalidInputError(
                f"{name} with unknown targets needs at least two environments (an observational one and an "
                f"experiment); all rows are in {env_labels[0]!r}. For observational data use DiBS"
            )
        return codes, env_labels

    def _observational_scaling(self, values: np.ndarray, observational: np.ndarray, labels: List):
        """Centre by the observational rows' means, scale by their standard deviations when
        ``standardize``."""
        obs = values[observational]
        mean = obs.mean(axis=0)
        if not self.standardize:
            return mean, np.ones(values.shape[1])
        std = obs.std(axis=0)
        constant = np.flatnonzero(~(std > 0) | ~np.isfinite(std))
        if constant.size:
            names = ", ".join(repr(labels[j]) for j in constant)
            raise InvalidInputError(
                f"column(s) {names} are constant in the observational environment: standardize=True cannot scale them"
            )
        return mean, std

    def _store(self, result: Dict[str, Any], forbidden=None, required=None) -> None:
        extras = result["extras"]
        particles = {name: extras.pop(key) for key, name in _PARTICLE_EXTRAS.items()}
        m, d = particles["graphs"].shape[0], particles["graphs"].shape[1]
        particles["targets"] = particles["targets"].reshape(m, -1, d)
        particles["acyclic"] = particles["acyclic"].astype(bool)
        particles["graphs"] = particles["graphs"].astype(np.uint8)
        n_cyclic = int(extras.pop("n_cyclic"))
        super()._store(result, forbidden, required)
        self.particles_ = particles
        self.n_cyclic_ = n_cyclic

    # ------------------------------------------------------------------ use
    def sample_dags(self, n_samples: int, random_state=None) -> np.ndarray:
        """Draws DAGs from the posterior: acyclic particles with their mixture weights.

        Parameters
        ----------
        n_samples : int
            Number of DAGs, ≥ 1.
        random_state : int, RandomState, Generator or None, default=None
            Seed of the draws.

        Returns
        -------
        ndarray of shape (n_samples, d, d), uint8
            0/1 adjacency matrices, each acyclic; their mean converges to
            ``edge_probabilities_``.

        Raises
        ------
        InvalidInputError
            ``n_samples`` is not a positive integer, the samples would take more than 1 GiB,
            or no particle is acyclic.
        """
        check_is_fitted(self, "particles_")
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < 1:
            raise InvalidInputError(f"n_samples must be a positive integer, got {n_samples!r}")
        graphs = self.particles_["graphs"]
        d = graphs.shape[1]
        if int(n_samples) * d * d > _MAX_SAMPLE_BYTES:
            raise InvalidInputError(
                f"n_samples = {n_samples} DAGs on {d} nodes would take more than 1 GiB; draw them in batches"
            )
        weights = self.particles_["mixture_weight"]
        if not weights.sum() > 0:
            raise InvalidInputError("no particle is acyclic: there is no DAG to sample (run more steps)")
        rng = random_state_from(random_state)
        picks = rng.choice(len(weights), size=int(n_samples), p=weights / weights.sum())
        return graphs[picks].copy()


class DiBS(BaCaDI):
    """Differentiable Bayesian structure learning: a posterior over DAGs and their weights from
    observational data or experiments with known targets.

    Implements the joint linear-Gaussian inference of Lorch, Rothfuss, Schölkopf & Krause,
    "DiBS: Differentiable Bayesian Structure Learning", NeurIPS 2021: :class:`BaCaDI` with the
    targets given (every environment's intervened nodes are dropped from their equations and
    drawn around the environment's mean) or with one observational data set. Same algorithm,
    core and defaults as :class:`BaCaDI` (those of BaCaDI's published linear-Gaussian runs; the
    ``dibs-lib`` package's own JointDiBS defaults are α = 0.05, β = 1, bandwidths 5 / 500).

    Parameters
    ----------
    likelihood, n_particles, n_steps, step_size, alpha_linear, beta_linear, n_grad_mc_samples, \
n_acyclicity_mc_samples, h_latent, h_theta, graph_prior, edges_per_node, obs_noise, interv_noise, \
sig_edge, interv_prior_std, bge_alpha_mu, bge_alpha_lambda, n_latent, standardize, prior_knowledge, \
random_state, n_jobs, verbose
        As in :class:`BaCaDI` (without the target prior's ``lambda_regul`` and ``h_interv``).

    Attributes
    ----------
    edge_probabilities_, environments_, target_probabilities_, particles_, n_cyclic_, weights_, \
adjacency_, history_, training_statistics_
        As in :class:`BaCaDI`; ``target_probabilities_`` holds the given targets.

    References
    ----------
    Lorch, L., Rothfuss, J., Schölkopf, B., Krause, A. (2021). DiBS: Differentiable Bayesian
    structure learning. NeurIPS 34.

    Examples
    --------
    >>> from acyclic import DiBS, simulate
    >>> B = simulate.simulate_dag(5, 5, "ER", random_state=0)
    >>> W = simulate.simulate_parameter(B, random_state=0)
    >>> X = simulate.simulate_linear_sem(W, 200, noise_scale=0.1 ** 0.5, random_state=0)
    >>> DiBS(n_steps=300, edges_per_node=1.0, random_state=0).fit(X).edge_probabilities_.shape
    (5, 5)
    """

    _infers_targets = False

    def __init__(
        self,
        *,
        likelihood="linear-gaussian",
        n_particles=20,
        n_steps=3000,
        step_size=0.005,
        alpha_linear=0.01,
        beta_linear=2.0,
        n_grad_mc_samples=128,
        n_acyclicity_mc_samples=32,
        h_latent=0.5518,
        h_theta=452.0,
        graph_prior="er",
        edges_per_node=2.0,
        obs_noise=0.1,
        interv_noise=0.5,
        sig_edge=1.0,
        interv_prior_std=10.0,
        bge_alpha_mu=1.0,
        bge_alpha_lambda="auto",
        n_latent="auto",
        standardize=False,
        prior_knowledge=None,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self._set_params(locals())
