"""Edge confidence from resampling: the bootstrap ensemble and stability selection.

Both wrap any of the package's learners (``acyclic.TOPO()``, ``acyclic.NOTEARS()``, ...), fit
clones of it on resampled rows and summarise how often each edge comes back. The rows are drawn
in the Rust core (``acyclic._core.resample_rows``), stratified by experiment (the rows'
``environments``, or the distinct rows of the ``intervention_mask``), member k from stream k of
one seed, so a result depends only on ``random_state``: not on the backend (threads or a Dask
cluster), the number of workers or the order in which fits finish.

- :class:`Bootstrap`: edge frequencies, signs and mean weights over bootstrap fits, a consensus
  DAG, and the posterior interface of the active-learning issue: ``edge_probabilities_``,
  ``sample_dags`` and ``sample_interventional`` (rows under do(X_t = v) from a member's SEM).
- :class:`StabilitySelection`: Meinshausen & Bühlmann's stability selection with Shah &
  Samworth's complementary pairs over a grid of the learner's sparsity parameter: the edges
  kept at a threshold set by a bound on the expected number of false edges.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import List

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._base import random_state_from, seed_from
from ._posterior import _MAX_SAMPLE_BYTES, training_statistics
from ._resampling import (
    Prepared,
    check_learner,
    check_param_has_effect,
    check_sparsity_param,
    child_seeds,
    fit_on_rows,
    graph_of,
    prepare,
    resample_seed,
    rows_of,
    sparsity_grid,
    sparsity_of,
)
from ._tasks import check_backend, run_tasks
from .exceptions import InvalidInputError
from .graph import project_to_dag, topological_order

__all__ = ["Bootstrap", "StabilitySelection"]


def _check_int(name: str, value, low: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise InvalidInputError(f"{name} must be an integer >= {low}; got {value!r}")
    return int(value)


def _check_fraction(name: str, value, *, low_open: bool = True) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not ((0 < value <= 1) if low_open else (0 <= value <= 1)):
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise InvalidInputError(f"{name} must be a number in {interval}; got {value!r}")
    return float(value)


def _member_graph(learner, data: Prepared, rows, seed, overrides=None):
    """(adjacency uint8, weights) of one member: what stability selection keeps of a fit."""
    return graph_of(fit_on_rows(learner, data, rows, seed, overrides))


def _bootstrap_member(learner, data: Prepared, rows_seed, member, subsample, seed):
    """Member ``member`` fitted on its resample, and each node's residual variance there (in the
    units of X; NaN for a model without Gaussian residuals): the noise of its SEM."""
    rows = rows_of(data, rows_seed, member, subsample)
    model = fit_on_rows(learner, data, rows, seed)
    if model._preprocessing() != "linear":
        return model, np.full(data.shape[1], np.nan)
    values, mask = data.take(rows, frame=False)
    return model, model._residual_variances(values, mask)


def _summarise(adjacency: np.ndarray, weights: np.ndarray):
    """Per edge over the fits (axis 0): frequency, mean sign and mean weight over the fits that
    have it (0 where none has)."""
    present = adjacency.astype(bool)
    count = present.sum(axis=0)
    frequency = count / adjacency.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        sign = np.where(count > 0, np.where(present, np.sign(weights), 0.0).sum(axis=0) / count, 0.0)
        mean = np.where(count > 0, np.where(present, weights, 0.0).sum(axis=0) / count, 0.0)
    return frequency, sign, mean


def _consensus(score: np.ndarray, keep: np.ndarray, weights: np.ndarray):
    """The kept edges as a DAG (cycles broken by ``project_to_dag`` on ``score``, strongest kept
    first): (weights, 0/1 adjacency, causal order)."""
    dag = project_to_dag(np.where(keep, score, 0.0)) != 0
    adjacency = dag.astype(np.int64)
    return np.where(dag, weights, 0.0), adjacency, topological_order(adjacency)


class _EnsembleBase(BaseEstimator):
    """What the two ensembles share: the fitted-graph attributes and DAG samples."""

    def _set_graph(self, data: Prepared, weights, adjacency, order) -> None:
        self.weights_, self.adjacency_, self.causal_order_ = weights, adjacency, order
        self.node_labels_ = list(data.labels)
        self.n_features_in_ = data.shape[1]

    def to_networkx(self):
        """The selected (consensus) DAG as a graph.

        Returns
        -------
        networkx.DiGraph
            Nodes ``node_labels_``; an edge per nonzero of ``adjacency_`` with attribute
            ``weight`` (from ``weights_``).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        """
        import networkx as nx

        check_is_fitted(self, "weights_")
        graph = nx.DiGraph()
        graph.add_nodes_from(self.node_labels_)
        for i, j in zip(*np.nonzero(self.adjacency_)):
            graph.add_edge(self.node_labels_[i], self.node_labels_[j], weight=float(self.weights_[i, j]))
        return graph


class Bootstrap(_EnsembleBase):
    """Bootstrap ensemble of a structure learner: how often each edge comes back on resampled rows.

    Fits ``n_resamples`` clones of ``learner`` on stratified resamples of the rows (Efron's
    bootstrap, or subsamples without replacement) and reports each edge's frequency, sign and
    mean weight, and a consensus DAG: the edges found in at least ``threshold`` of the fits
    (Friedman, Goldszmidt & Wyner, "Data analysis with Bayesian networks: a bootstrap approach",
    UAI 1999), cycles broken by :func:`acyclic.graph.project_to_dag` on the frequencies.

    Parameters
    ----------
    learner : DAGLearner
        Any of the package's point learners (``acyclic.TOPO()``, ``acyclic.NOTEARS()``, ...; not
        BaCaDI/DiBS, which are posteriors already). Not modified: clones are fitted, member k
        with ``random_state`` = child seed k, ``n_jobs=1`` and ``verbose=False``.
    n_resamples : int, default=100
        Number of fits, ≥ 1.
    subsample : float in (0, 1] or None, default=None
        None: bootstrap samples (each stratum's size, with replacement). A fraction: that share of
        each stratum without replacement (m-out-of-n subsampling, e.g. 0.5).
    threshold : float in [0, 1], default=0.5
        The consensus DAG's edges are those with ``edge_frequency_ >= threshold`` (and > 0: with
        0, every edge seen at least once).
    backend : {"threads", "dask"}, default="threads"
        Where the fits run: a pool of ``n_jobs`` threads, or the Dask cluster of ``client``.
        The results are the same bits either way.
    client : distributed.Client or None, default=None
        The cluster for ``backend="dask"``; None uses the current client
        (``distributed.default_client()``).
    n_jobs : int or None, default=None
        Threads for ``backend="threads"`` (None → 1, -1 → all cores).
    random_state : int, RandomState, Generator or None, default=None
        Seeds the rows' draws and the members' seeds.
    verbose : bool, default=False
        A progress bar over the fits.

    Attributes
    ----------
    edge_frequency_ : ndarray of shape (d, d), float64
        Share of the fits with the edge i → j.
    edge_probabilities_ : ndarray of shape (d, d), float64
        ``edge_frequency_`` (the name posterior learners use).
    edge_sign_ : ndarray of shape (d, d), float64
        Mean sign of the edge's weight over the fits that have it (in [-1, 1]; 0 where none has).
    mean_weights_ : ndarray of shape (d, d), float64
        Mean weight over the fits that have the edge (0 where none has).
    weights_, adjacency_, causal_order_ : ndarray
        The consensus DAG: ``mean_weights_`` on its edges, its 0/1 adjacency (acyclic) and a
        topological order.
    members_ : list of DAGLearner
        The fitted clones, member k fitted on resample k.
    noise_variances_ : ndarray of shape (n_resamples, d), float64
        Each member's residual variance per node on its resample, in the units of X (the noise
        of its SEM in :meth:`sample_interventional`; NaN for the logistic and Poisson losses).
    training_statistics_ : SufficientStats
        The training rows' sufficient statistics per pattern of ``intervention_mask`` (one group
        without a mask: ``environments`` alone only stratifies the resampling): the data
        :func:`acyclic.active.score_targets` fits each sampled graph's mechanisms on.
    node_labels_ : list
    n_features_in_ : int

    Raises
    ------
    InvalidInputError
        (from ``fit``) Bad data as for the learner, bad parameters, or a member's fit failing on
        its resample (e.g. a column constant on those rows); the message says so.

    Examples
    --------
    >>> import acyclic
    >>> from acyclic.simulate import simulate_dag, simulate_parameter, simulate_linear_sem
    >>> W = simulate_parameter(simulate_dag(6, 6, "ER", random_state=0), random_state=0)
    >>> X = simulate_linear_sem(W, 300, "gauss", random_state=0)
    >>> boot = acyclic.ensemble.Bootstrap(acyclic.TOPO(), n_resamples=20, random_state=0).fit(X)
    >>> boot.edge_frequency_.shape
    (6, 6)
    """

    def __init__(
        self,
        learner,
        *,
        n_resamples=100,
        subsample=None,
        threshold=0.5,
        backend="threads",
        client=None,
        n_jobs=None,
        random_state=None,
        verbose=False,
    ):
        self.learner = learner
        self.n_resamples = n_resamples
        self.subsample = subsample
        self.threshold = threshold
        self.backend = backend
        self.client = client
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None, *, intervention_mask=None, environments=None):
        """Fits the members and summarises their graphs.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The data, as for the learner.
        y : ignored
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            As for the learner; resampled with its rows.
        environments : array-like of shape (n_samples,), default=None
            Each row's experiment; the resampling keeps each experiment's row count. Without it,
            the distinct rows of ``intervention_mask`` are the strata. Strata of one row are
            pooled (a resample of one row is that row: it would look certain), with a warning.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            See the class docstring.
        KeyboardInterrupt
            Ctrl-C (the running fits stop at their next step).
        """
        check_learner(self.learner)
        n_resamples = _check_int("n_resamples", self.n_resamples, 1)
        subsample = None if self.subsample is None else _check_fraction("subsample", self.subsample)
        threshold = _check_fraction("threshold", self.threshold, low_open=False)
        check_backend(self.backend, self.client)
        data = prepare(X, intervention_mask, environments)
        rows_seed = resample_seed(self.random_state)
        seeds = child_seeds(self.random_state, n_resamples)
        fitted = run_tasks(
            _bootstrap_member,
            (self.learner, data),
            [(rows_seed, k, subsample, seeds[k]) for k in range(n_resamples)],
            backend=self.backend,
            n_jobs=self.n_jobs,
            client=self.client,
            verbose=self.verbose,
            desc="bootstrap fits",
        )
        members = [m for m, _ in fitted]
        self.noise_variances_ = np.stack([v for _, v in fitted])
        graphs = [graph_of(m) for m in members]
        adjacency = np.stack([a for a, _ in graphs])
        weights = np.stack([w for _, w in graphs])
        self.edge_frequency_, self.edge_sign_, self.mean_weights_ = _summarise(adjacency, weights)
        self.edge_probabilities_ = self.edge_frequency_
        self.members_ = members
        keep = (self.edge_frequency_ >= threshold) & (self.edge_frequency_ > 0)
        self._set_graph(data, *_consensus(self.edge_frequency_, keep, self.mean_weights_))
        self.training_statistics_ = training_statistics(data.values, data.labels, data.mask)
        return self

    def sample_dags(self, n_samples: int, random_state=None) -> np.ndarray:
        """DAGs drawn from the ensemble: the graphs of members chosen uniformly with replacement.

        Parameters
        ----------
        n_samples : int
            Number of DAGs, ≥ 1.
        random_state : int, RandomState, Generator or None, default=None
            Seed of the draws.

        Returns
        -------
        ndarray of shape (n_samples, d, d), uint8
            0/1 adjacency matrices, each acyclic; their mean converges to ``edge_frequency_``.

        Raises
        ------
        InvalidInputError
            ``n_samples`` not a positive integer.
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self, "members_")
        n_samples = _check_int("n_samples", n_samples, 1)
        d = len(self.node_labels_)
        if n_samples * d * d > _MAX_SAMPLE_BYTES:
            raise InvalidInputError(
                f"n_samples = {n_samples} DAGs on {d} nodes would take more than 1 GiB; draw them in batches"
            )
        chosen = random_state_from(random_state).randint(0, len(self.members_), size=n_samples)
        return np.stack([self.members_[k].adjacency_.astype(np.uint8) for k in chosen])

    def sample_interventional(self, dag, target, value: float, n_samples: int, random_state=None) -> np.ndarray:
        """Rows simulated under do(X_target = value) from one member's fitted model.

        The member's equations — its weights (``weights_``), or its fitted per-node networks on
        its graph for ``mechanism="mlp"`` (inputs outside ``adjacency_`` zeroed, as ``predict``)
        — with Gaussian noise of its residual variances (``noise_variances_``), in the units of
        X: the intervened column is ``value`` in every row, the others follow the equations in a
        topological order. The simulation runs in the Rust core
        (``acyclic.simulate.simulate_interventional_sem``); with the same ``random_state`` two
        calls draw the same noise (common random numbers), whatever the member, target or value.

        Parameters
        ----------
        dag : int or array-like of shape (d, d)
            A member's index in ``members_``, or a 0/1 adjacency: the first member with that graph.
        target : int or label
            The intervened node: its index, or its label in ``node_labels_``.
        value : float
            The value it is set to, in the units of X.
        n_samples : int
            Rows, ≥ 1.
        random_state : int, RandomState, Generator or None, default=None

        Returns
        -------
        ndarray of shape (n_samples, d), float64

        Raises
        ------
        InvalidInputError
            An index out of range, a graph no member has, an unknown target, a non-finite value,
            or a member with a GLM loss (binary or count data take no Gaussian values).
        """
        check_is_fitted(self, "members_")
        k = self._member_index(dag)
        member = self.members_[k]
        if member._preprocessing() != "linear":
            raise InvalidInputError("sample_interventional simulates members with the l2 loss only (Gaussian noise)")
        from .active import _check_simulated_rows, check_interventions

        ((t, value),) = check_interventions([(target, value)], list(self.node_labels_))
        _check_simulated_rows(n_samples, 1, len(self.node_labels_))
        n_samples = int(n_samples)
        mean, scale = member.mean_, member.scale_
        noise = np.sqrt(self.noise_variances_[k]) / scale
        weights = np.ascontiguousarray(member.weights_, dtype=np.float64)
        mechanism, networks = "linear", None
        if getattr(member, "_fitted_with_mlp", False):  # the member's networks on its graph
            mechanism = "networks"
            networks = (member._hidden, member._mlp_activation, member._mechanism_params.tolist())
        standardized, _, _ = _core.simulate_interventional_sem(
            weights, 0, [[t]], [n_samples], mechanism, "gauss", noise.tolist(),
            float((value - mean[t]) / scale[t]), 0.0, "positive", 1, seed_from(random_state), networks=networks,
        )  # fmt: skip
        return mean + scale * standardized

    def _member_index(self, dag) -> int:
        if isinstance(dag, numbers.Integral) and not isinstance(dag, bool):
            if not 0 <= int(dag) < len(self.members_):
                raise InvalidInputError(f"member index {dag} is outside 0..{len(self.members_) - 1}")
            return int(dag)
        graph = np.asarray(dag) != 0
        for k, member in enumerate(self.members_):
            if graph.shape == member.adjacency_.shape and np.array_equal(graph, member.adjacency_ != 0):
                return k
        raise InvalidInputError("no member has this graph: pass a member's index or one of sample_dags' graphs")


class StabilitySelection(_EnsembleBase):
    """Stability selection of edges, with complementary pairs and an error bound.

    Meinshausen & Bühlmann, "Stability selection", JRSS-B 2010, with the complementary pairs of
    Shah & Samworth, "Variable selection with error control: another look at stability
    selection", JRSS-B 2013. For each of ``n_pairs`` random splits of the rows into two disjoint
    halves (stratified by experiment) and each value λ of the learner's sparsity parameter on
    ``grid``, the learner is fitted on both halves. An unordered pair {i, j} is *selected by a
    fit* when the fit has an edge between i and j in either direction: the selection works on the
    skeleton, because the data may not settle a direction. Its frequency over the 2·``n_pairs``
    fits at λ is Π̂_λ.

    The threshold comes from the user's bound on the expected number of falsely selected pairs,
    E[V] ≤ q² / ((2τ − 1) p) (Meinshausen & Bühlmann's Theorem 1, which Shah & Samworth's
    Theorem 1 extends to complementary pairs), with p = d(d − 1)/2 pairs and q the mean number
    of pairs a fit selects over the grid values used (the union along the grid, per fit). The
    grid is used from its sparsest value on, as far as the threshold this gives,
    τ = 1/2 + q² / (2 p · max_false_edges), stays ≤ ``max_threshold``. The pairs with
    max_λ Π̂_λ ≥ τ are selected; each is oriented by its orientation frequency (the share of the
    fits having the pair that have i → j), and cycles are broken by
    :func:`acyclic.graph.project_to_dag` on selection × orientation frequency. The bound assumes,
    as the theorem does, that the learner is no worse than random guessing and that the false
    pairs are exchangeable; on real data read it as a guide.

    Parameters
    ----------
    learner : DAGLearner
        Any of the package's point learners; clones are fitted (``n_jobs=1``, ``verbose=False``,
        ``random_state`` a child seed per half).
    param : str or None, default=None
        The sparsity parameter to vary; None: the learner's own (``lambda1`` for NOTEARS, DAGMA
        and COSMO, ``lambda_kl`` for DP-DAG, ``w_threshold`` for TOPO and the baselines).
    grid : sequence of float or None, default=None
        Its values (≥ 0, any order: they are used sparsest first, the largest value first, as
        for λ1, λ_KL and thresholds alike); None: the learner's default grid
        (``type(learner)._sparsity_grid``: 0.5 … 0.005 for NOTEARS/DAGMA's λ1, 0.05 … 1e-4 for
        COSMO's, 1 … 0.005 for DP-DAG's λ_KL, 0.8 … 0.05 for ``w_threshold``; 9 values each).
    max_false_edges : float, default=1.0
        The bound on the expected number of falsely selected pairs (the PFER), > 0.
    n_pairs : int, default=50
        Complementary pairs of halves (Shah & Samworth use 50), ≥ 1.
    max_threshold : float in (0.5, 1], default=0.9
        The largest threshold τ accepted when extending the grid.
    backend, client, n_jobs, random_state, verbose
        As for :class:`Bootstrap`.

    Attributes
    ----------
    selection_frequency_ : ndarray of shape (d, d), float64
        max over the grid values used of Π̂_λ({i, j}); symmetric.
    orientation_frequency_ : ndarray of shape (d, d), float64
        Among the fits (grid values used) that have the pair {i, j}, the share with i → j; 0
        where none has it. ``[i, j] + [j, i] == 1`` where the pair was seen.
    edge_probabilities_ : ndarray of shape (d, d), float64
        ``selection_frequency_ * orientation_frequency_``.
    path_frequency_ : ndarray of shape ``(n_grid_used_, d, d)``, float64
        Π̂_λ per grid value used (the stability path), symmetric. The fits stop at the first value
        that would push the threshold above ``max_threshold``: later values are not fitted.
    threshold_ : float
        τ.
    n_grid_used_ : int
        How many grid values (from the sparsest) were used.
    q_ : float
        Mean number of pairs selected per fit over those values.
    false_edges_bound_ : float
        q² / ((2τ − 1) p): the bound on E[V] that holds at τ.
    weights_, adjacency_, causal_order_ : ndarray
        The selected DAG: each edge's mean weight over the fits that have it, 0/1 adjacency
        (acyclic), a topological order.
    node_labels_, n_features_in_, grid_, param_

    Raises
    ------
    InvalidInputError
        (from ``fit``) Bad data as for the learner; ``param`` not one of the learner's sparsity
        parameters; a grid that is empty, not numeric or negative; a parameter the learner
        ignores with its settings (TOPO pruning by BIC ignores ``w_threshold``); bad
        ``max_false_edges``, ``n_pairs`` or ``max_threshold``; a fit failing.

    Warns
    -----
    UserWarning
        Even the sparsest grid value selects too many pairs for the bound (τ > ``max_threshold``
        at q = its mean): the threshold is then ``max_threshold`` and ``false_edges_bound_``
        says what bound holds; extend the grid to sparser values.
    """

    def __init__(
        self,
        learner,
        *,
        param=None,
        grid=None,
        max_false_edges=1.0,
        n_pairs=50,
        max_threshold=0.9,
        backend="threads",
        client=None,
        n_jobs=None,
        random_state=None,
        verbose=False,
    ):
        self.learner = learner
        self.param = param
        self.grid = grid
        self.max_false_edges = max_false_edges
        self.n_pairs = n_pairs
        self.max_threshold = max_threshold
        self.backend = backend
        self.client = client
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _param_and_grid(self):
        param, grid = sparsity_of(self.learner)
        if self.param is not None:
            check_sparsity_param(self.learner, self.param)
            if self.grid is None and self.param != param:
                raise InvalidInputError(f"give a grid for {self.param!r} (the default grid is for {param!r})")
            param = self.param
        return param, sparsity_grid(grid if self.grid is None else self.grid, "grid")

    def fit(self, X, y=None, *, intervention_mask=None, environments=None):
        """Fits the learner on both halves of every pair at each grid value (sparsest first, as
        long as the threshold stays ≤ ``max_threshold``) and selects the edges.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The data, as for the learner.
        y : ignored
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            As for the learner; split with its rows.
        environments : array-like of shape (n_samples,), default=None
            As for :meth:`Bootstrap.fit`: the halves are split within each experiment.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            See the class docstring.
        KeyboardInterrupt
            Ctrl-C (the running fits stop at their next step).
        """
        check_learner(self.learner)
        param, grid = self._param_and_grid()
        n_pairs = _check_int("n_pairs", self.n_pairs, 1)
        ok = isinstance(self.max_false_edges, numbers.Real) and not isinstance(self.max_false_edges, bool)
        if not ok or not (np.isfinite(self.max_false_edges) and self.max_false_edges > 0):
            raise InvalidInputError(f"max_false_edges must be a positive number; got {self.max_false_edges!r}")
        max_threshold = _check_fraction("max_threshold", self.max_threshold)
        if max_threshold <= 0.5:
            raise InvalidInputError(f"max_threshold must be in (0.5, 1]; got {self.max_threshold!r}")
        check_backend(self.backend, self.client)
        data = prepare(X, intervention_mask, environments)
        check_param_has_effect(self.learner, param, data)
        d = data.shape[1]
        rows_seed = resample_seed(self.random_state)
        halves: List[np.ndarray] = []
        for b in range(n_pairs):
            halves.extend(_core.complementary_halves(data.strata, rows_seed, b))
        seeds = child_seeds(self.random_state, len(halves))
        n_pairs_total = d * (d - 1) / 2
        bound = float(self.max_false_edges)
        adjacency: List[np.ndarray] = []  # per grid value fitted: (fits, d, d)
        weights: List[np.ndarray] = []
        union = np.zeros((len(halves), d, d), dtype=bool)  # per fit, along the grid
        m, tau, q = 0, max_threshold, 0.0
        for value in grid:
            # each half keeps its seed along the grid
            graphs = run_tasks(
                _member_graph,
                (self.learner, data),
                [(halves[h], seeds[h], {param: value}) for h in range(len(halves))],
                backend=self.backend,
                n_jobs=self.n_jobs,
                client=self.client,
                verbose=self.verbose,
                desc=f"stability fits at {param} = {value:g}",
            )
            a = np.stack([g[0] for g in graphs]).astype(bool)
            skeleton = a | a.transpose(0, 2, 1)
            q_next = float(np.triu(union | skeleton, 1).sum(axis=(1, 2)).mean())
            tau_next = 0.5 + q_next**2 / (2 * n_pairs_total * bound)
            if tau_next > max_threshold and m > 0:
                break  # this value would need a threshold above max_threshold: stop before it
            union |= skeleton
            adjacency.append(a)
            weights.append(np.stack([g[1] for g in graphs]))
            m, q = m + 1, q_next
            if tau_next > max_threshold:  # even the sparsest value selects too many pairs
                warnings.warn(
                    f"StabilitySelection: the sparsest grid value ({param} = {grid[0]:g}) selects "
                    f"{q_next:.3g} pairs per fit on average, too many for max_false_edges = "
                    f"{bound:g} at threshold <= {max_threshold:g}; using threshold {max_threshold:g}, "
                    "where the bound is false_edges_bound_. Extend the grid to sparser values.",
                    UserWarning,
                    stacklevel=2,
                )
                break
            tau = tau_next
        adjacency_, weights_ = np.stack(adjacency), np.stack(weights)
        skeletons = adjacency_ | adjacency_.transpose(0, 1, 3, 2)
        self.path_frequency_ = skeletons.mean(axis=1)
        self.param_, self.grid_ = param, grid
        self.n_grid_used_, self.threshold_, self.q_ = m, tau, q
        # E[V] <= q² / ((2τ − 1) p); q = 0 selects nothing (and τ = 1/2)
        self.false_edges_bound_ = q**2 / ((2 * tau - 1) * n_pairs_total) if q > 0 and tau > 0.5 else 0.0
        self.selection_frequency_ = self.path_frequency_.max(axis=0)

        # every fit at the grid values used, as one ensemble
        fits = adjacency_.reshape(-1, d, d)
        _, _, mean_weights = _summarise(fits, weights_.reshape(-1, d, d))
        directed = fits.sum(axis=0).astype(float)  # counts, not frequency × fits: exact ties stay ties
        seen = directed + directed.T
        with np.errstate(invalid="ignore", divide="ignore"):
            self.orientation_frequency_ = np.where(seen > 0, directed / seen, 0.0)
        self.edge_probabilities_ = self.selection_frequency_ * self.orientation_frequency_
        selected = self.selection_frequency_ >= tau
        # orient each selected pair by its more frequent direction (a tie keeps both, and the
        # projection keeps the first it meets: the lower row index)
        oriented = selected & (self.orientation_frequency_ >= self.orientation_frequency_.T) & (directed > 0)
        self._set_graph(data, *_consensus(self.edge_probabilities_, oriented, mean_weights))
        return self
