"""Active intervention targeting: which experiment to run next.

AIT (Scherrer, Bilaniuk, Annadani, Goyal, Schwab, Schölkopf, Mozer, Bengio, Bauer & Ke,
"Learning Neural Causal Models with Active Interventions", arXiv 2109.02429, 2021) picks the
intervention about whose outcome the graphs a learner still holds disagree most.
:func:`score_targets` scores candidate experiments do(X_t = v) from any fitted learner with a
posterior over DAGs (``sample_dags``: :class:`~acyclic.DPDAG`, :class:`~acyclic.BaCaDI`,
:class:`~acyclic.DiBS`, :class:`~acyclic.ensemble.Bootstrap`); :class:`ActiveLearner` runs the
loop fit → score → experiment → refit against an oracle, with AIT, random or uncertainty
targeting.

Each sampled graph gets linear-Gaussian mechanisms fitted by least squares on the data seen so
far (per node on the rows that do not intervene on it; columns standardized by the data's
standard deviations): the posterior learners keep their training rows' sufficient statistics
(``training_statistics_``) for it, and :meth:`DPDAG.sample_interventional
<acyclic.DPDAG.sample_interventional>` simulates the same hypothesis. The graph hypotheses, not
the learner's own mechanisms, carry the disagreement; nonlinear mechanisms are not modelled by
the score (a nonlinear ground truth is, by :func:`acyclic.simulate.oracle_from_sem`). The score
runs in the Rust core (``rust/core/src/active.rs``), parallel over
candidates and graphs, with common random numbers across graphs.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _core
from ._base import seed_from
from ._params import resolve_n_jobs
from .exceptions import InvalidInputError
from .sufficient_stats import SufficientStats

__all__ = ["score_targets", "sample_interventional", "ActiveLearner", "edge_entropy"]

Candidate = Tuple[int, float]


def _statistics(X, intervention_mask) -> SufficientStats:
    if isinstance(X, SufficientStats):
        if intervention_mask is not None:
            raise InvalidInputError("statistics carry their own intervention masks: pass intervention_mask=None")
        return X
    return SufficientStats.from_array(X, intervention_mask=intervention_mask)


def _training_data(model, X, intervention_mask) -> SufficientStats:
    if X is not None:
        return _statistics(X, intervention_mask)
    if intervention_mask is not None:
        raise InvalidInputError("intervention_mask describes X's rows: pass X too")
    stats = getattr(model, "training_statistics_", None)
    if stats is None:  # the model was checked to be fitted: it keeps none
        raise InvalidInputError(
            f"{type(model).__name__} keeps no training_statistics_: pass the data it was fitted on as X=..."
        )
    return stats


def _require_fitted_posterior(model) -> None:
    if not hasattr(model, "sample_dags"):
        raise InvalidInputError(
            f"{type(model).__name__} has no posterior over graphs (sample_dags): use DPDAG, BaCaDI, DiBS "
            "or ensemble.Bootstrap"
        )
    if hasattr(model, "fit"):  # an estimator (a bare posterior with sample_dags is taken as is)
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(model)


def _graphs(model, n_graphs: int, seed: int, d: int) -> np.ndarray:
    graphs = np.asarray(model.sample_dags(n_graphs, random_state=seed))
    if graphs.shape != (n_graphs, d, d):
        raise InvalidInputError(f"the model's graphs have shape {graphs.shape}, the data {d} columns")
    return graphs.astype(bool)


def _default_candidates(stats: SufficientStats) -> List[Candidate]:
    # every node set 2 standard deviations above its mean (DCDI's shifted Gaussian, in units of X)
    return [(j, float(stats.mean_[j] + 2.0 * stats.std_[j])) for j in range(stats.n_features_in_)]


#: Values one simulated experiment, or one scoring step's hypotheses, may hold (1 GiB of float64):
#: an arbitrary ceiling, so that a mistyped size is a named error, not an aborted allocation.
_MAX_SIMULATED = 2**27
#: Graphs drawn per scoring step.
_MAX_GRAPHS = 100_000


def _check_simulated_rows(n_samples, minimum: int, d: int) -> None:
    if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < minimum:
        raise InvalidInputError(f"n_samples must be an integer >= {minimum}; got {n_samples!r}")
    if int(n_samples) * max(d, 1) > _MAX_SIMULATED:
        raise InvalidInputError(
            f"n_samples = {n_samples} rows of {d} columns is more than {_MAX_SIMULATED} values (1 GiB) per "
            "simulated experiment: use fewer rows"
        )


def _adjacency(graph, d: int) -> np.ndarray:
    """A (d, d) bool adjacency from a 0/1 (or weighted) graph, with its self-loops and bad
    entries named (cycles are the core's to find)."""
    try:
        values = np.asarray(graph, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"graph must be a numeric (d, d) array: {exc}") from exc
    if values.shape != (d, d):
        raise InvalidInputError(f"graph must be {d}x{d}; got shape {values.shape}")
    if not np.isfinite(values).all():
        raise InvalidInputError("graph has NaN or infinite entries")
    if np.diag(values).any():
        raise InvalidInputError("graph has self-loops (non-zero diagonal entries): it must be a DAG")
    return values != 0


def check_interventions(candidates, labels: List) -> List[Candidate]:
    """(target index, value) pairs from (target index or label, finite value) pairs."""
    checked = []
    for candidate in candidates:
        if not (isinstance(candidate, (tuple, list)) and len(candidate) == 2):
            raise InvalidInputError(f"a candidate is a (target, value) pair; got {candidate!r}")
        target, value = candidate
        if isinstance(target, np.ndarray):
            if target.ndim != 0:
                raise InvalidInputError(f"a target is one node (index or label); got an array of shape {target.shape}")
            target = target.item()
        if target in labels and not isinstance(target, (bool, np.bool_)):
            t = labels.index(target)
        elif isinstance(target, numbers.Integral) and not isinstance(target, bool) and 0 <= int(target) < len(labels):
            t = int(target)
        else:
            raise InvalidInputError(f"target {target!r} is neither a node label nor an index in 0..{len(labels) - 1}")
        if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
            raise InvalidInputError(f"value must be a finite number; got {value!r}")
        checked.append((t, float(value)))
    if not checked:
        raise InvalidInputError("no candidates to score")
    return checked


def score_targets(
    model,
    candidates: Optional[Sequence[Tuple[Any, float]]] = None,
    *,
    X=None,
    intervention_mask=None,
    n_graphs: int = 20,
    n_samples: int = 100,
    random_state=None,
    n_jobs=None,
) -> pd.DataFrame:
    """AIT's score of candidate interventions: where the model's graphs disagree most.

    Scherrer et al., "Learning Neural Causal Models with Active Interventions", arXiv
    2109.02429 (2021). Draws ``n_graphs`` DAGs from the model's posterior (``sample_dags``),
    fits each one's linear-Gaussian mechanisms by least squares on the training data (the
    model's ``training_statistics_``, or ``X``; standardized columns; per node on the rows that
    do not intervene on it), simulates ``n_samples`` rows of each
    candidate do(X_t = v) under every graph from the same standard normals, and scores
    D = Σ_k S‖μ_k − μ‖² / Σ_k Σ_s ‖x_ks − μ_k‖² (between- over within-graph variation; 0 when the
    graphs agree). Ties keep the candidates' order.

    Parameters
    ----------
    model : fitted estimator with ``sample_dags(k, random_state)``
        DPDAG, BaCaDI, DiBS or ensemble.Bootstrap (which keep ``training_statistics_``), or any
        posterior with ``sample_dags`` when ``X`` is given.
    candidates : sequence of (target, value) or None, default=None
        Targets by index or label, values in the units of X. None: every node at its mean plus
        two standard deviations.
    X : array-like of shape (n, d), DataFrame, SufficientStats or None, default=None
        The data to fit each graph's mechanisms on. None: the model's
        ``training_statistics_`` (the data it was fitted on).
    intervention_mask : array-like of bool, shape (n_samples, d), default=None
        The mask of X's rows (as in ``fit``).
    n_graphs : int, default=20
        K ≥ 2 graphs drawn.
    n_samples : int, default=100
        S ≥ 2 simulated rows per graph and candidate.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the graphs and the simulated noise.
    n_jobs : int or None, default=None
        Threads (the scores do not depend on them).

    Returns
    -------
    DataFrame
        Columns ``target`` (label), ``value``, ``score`` (float64) and ``rank`` (1 = run it
        first), one row per candidate in the given order.

    Raises
    ------
    InvalidInputError
        A model without ``sample_dags``, or without ``training_statistics_`` and no ``X``;
        ``intervention_mask`` without ``X``; data with other columns; bad candidates, or an array
        given as candidates; K outside 2..100000, S < 2; sizes above the 1 GiB cap (S × d, or
        K × (d² + candidates × d) values).
    sklearn.exceptions.NotFittedError
        An unfitted model.
    """
    if isinstance(candidates, (np.ndarray, pd.DataFrame, SufficientStats)):
        raise InvalidInputError(
            "candidates must be a list of (target, value) tuples, not an array; the data go in X=..."
        )
    _require_fitted_posterior(model)
    stats = _training_data(model, X, intervention_mask)
    labels = list(getattr(model, "node_labels_", stats.labels_))
    if len(labels) != stats.n_features_in_:
        raise InvalidInputError(f"the model has {len(labels)} nodes, the data {stats.n_features_in_} columns")
    if not isinstance(n_graphs, numbers.Integral) or isinstance(n_graphs, bool) or not 2 <= n_graphs <= _MAX_GRAPHS:
        raise InvalidInputError(f"n_graphs must be an integer in 2..{_MAX_GRAPHS}; got {n_graphs!r}")
    _check_simulated_rows(n_samples, 2, len(labels))
    chosen = check_interventions(_default_candidates(stats) if candidates is None else candidates, labels)
    d = len(labels)
    # the core holds K hypotheses (d x d each) and a mean per candidate and hypothesis
    if int(n_graphs) * (d * d + len(chosen) * d) > _MAX_SIMULATED:
        raise InvalidInputError(
            f"{n_graphs} graphs on {d} nodes with {len(chosen)} candidates hold more than {_MAX_SIMULATED} values "
            "(1 GiB): use fewer graphs or candidates"
        )
    seed = seed_from(random_state)
    graphs = _graphs(model, int(n_graphs), seed, len(labels))
    scale = np.where(stats.std_ > 0, stats.std_, 1.0)
    standardized = np.array([(v - stats.mean_[t]) / scale[t] for t, v in chosen], dtype=np.float64)
    scores = _core.ait_scores(
        stats._core_arguments(),
        np.ascontiguousarray(graphs),
        [t for t, _ in chosen],
        standardized,
        int(n_samples),
        seed,
        scale=scale,
        patterns=stats.intervention_patterns_,
        n_threads=resolve_n_jobs(n_jobs),
    )
    ranks = pd.Series(scores).rank(method="first", ascending=False).astype(int).to_numpy()
    return pd.DataFrame(
        {"target": [labels[t] for t, _ in chosen], "value": [v for _, v in chosen], "score": scores, "rank": ranks}
    )


def sample_interventional(
    graph, X, target, value: float, n_samples: int, *, intervention_mask=None, random_state=None
) -> np.ndarray:
    """Rows under do(X_target = value) from a graph with its least-squares mechanisms.

    The hypothesis :func:`score_targets` simulates for each sampled graph: every node regressed
    on its parents in ``graph`` by least squares on ``X`` (per node on the rows that do not
    intervene on it), Gaussian noise with the residual variance, the data's means as
    intercepts. With the same ``random_state``, two graphs get the same standard normals
    (common random numbers). Use it with any posterior's ``sample_dags`` (DPDAG, BaCaDI, DiBS,
    ensemble.Bootstrap; the bootstrap also simulates its members' own fitted models with
    ``Bootstrap.sample_interventional``).

    Parameters
    ----------
    graph : array-like of shape (d, d)
        A DAG, nonzero ``graph[i, j]`` for i -> j.
    X : array-like of shape (n, d), DataFrame or SufficientStats
        The data the mechanisms are fitted on.
    target : int or label
        The intervened node: a label of X's columns, or an index.
    value : float
        In the units of X.
    n_samples : int
        Rows, ≥ 1 (at most 2²⁷ values, n_samples × d, per call).
    intervention_mask : array-like of bool, shape (n, d), default=None
        The mask of X's rows (as in ``fit``); None for observational rows or statistics.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the standard normals.

    Returns
    -------
    ndarray of shape (n_samples, d), float64

    Raises
    ------
    InvalidInputError
        A graph of the wrong shape, with a cycle, self-loops, NaN or non-numeric entries; an
        unknown target or an array of them; a non-finite value; ``n_samples`` < 1 or above the
        size cap.
    """
    stats = _statistics(X, intervention_mask)
    labels = stats.labels_
    d = len(labels)
    adjacency = _adjacency(graph, d)
    ((t, v),) = check_interventions([(target, value)], labels)
    _check_simulated_rows(n_samples, 1, d)
    scale = np.where(stats.std_ > 0, stats.std_, 1.0)
    rows = _core.ait_simulate(
        stats._core_arguments(),
        np.ascontiguousarray(adjacency),
        t,
        float((v - stats.mean_[t]) / scale[t]),
        int(n_samples),
        seed_from(random_state),
        scale=scale,
        patterns=stats.intervention_patterns_,
    )
    return stats.mean_ + scale * rows


def edge_entropy(probabilities) -> float:
    """Mean binary entropy (nats) of the off-diagonal edge marginals: 0 when every edge is
    certain, log 2 when every edge is a coin flip.

    Parameters
    ----------
    probabilities : array-like of shape (d, d)
        Edge marginals in [0, 1] (``edge_probabilities_``).

    Returns
    -------
    float
    """
    entropy = _edge_entropies(probabilities)
    off = ~np.eye(len(entropy), dtype=bool)
    return float(entropy[off].mean())


def _edge_entropies(probabilities) -> np.ndarray:
    """Each edge marginal's binary entropy (nats), clipped away from 0 and 1."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, 1 - 1e-12)
    return -(p * np.log(p) + (1 - p) * np.log(1 - p))


Oracle = Callable[[int, float, int, np.random.Generator], Any]


class ActiveLearner:
    """The active loop: fit, choose an experiment, ask the oracle for its rows, refit.

    Per round: fit ``learner`` (a clone) on the rows so far with their ``intervention_mask``,
    choose a target by ``strategy``, ask ``oracle(target, value, batch_size, rng)`` for
    ``batch_size`` rows under do(X_target = value), append them with their mask, and record the
    choice, the mean edge entropy of the posterior and, given the true graph, SHD and E-SHD.
    Strategies: ``"ait"`` (:func:`score_targets`, Scherrer et al. 2021), ``"random"`` (uniform
    without replacement, cycling once every node was used) and ``"uncertainty"`` (the node whose
    incident edge marginals have the highest total entropy). A failing oracle (an exception,
    rows of the wrong shape, NaN) raises an :class:`~acyclic.exceptions.InvalidInputError` that
    names it; the rows collected so far are kept and :meth:`run` resumes from them.

    Parameters
    ----------
    learner : estimator with ``sample_dags`` and ``edge_probabilities_``
        DPDAG, BaCaDI, DiBS or ensemble.Bootstrap (cloned each round).
    oracle : callable (target, value, n, rng) -> array of shape (n, d)
        Runs the experiment. :func:`acyclic.simulate.oracle_from_sem` makes one from a
        simulated SEM (linear or nonlinear).
    budget : int
        Rounds (experiments) to run.
    batch_size : int, default=50
        Rows per experiment.
    strategy : {"ait", "random", "uncertainty"}, default="ait"
    values : sequence of float or None, default=None
        The value of each node's experiment in the units of X (the oracle's); None: the
        initial data's mean plus two standard deviations.
    n_graphs, n_samples : int, default=20, 100
        AIT's K and S.
    true_graph : array-like of shape (d, d) or None, default=None
        For the SHD and E-SHD columns of ``history_``.
    random_state : int, RandomState, Generator or None, default=None

    Attributes
    ----------
    X_ : ndarray of shape (n_rows, d), float64
        All rows so far (the initial ones first).
    intervention_mask_ : ndarray of shape (n_rows, d), bool
    model_ : fitted learner of the last round
    history_ : DataFrame
        One row per round: ``round``, ``target``, ``value``, ``entropy`` and, with
        ``true_graph``, ``shd`` and ``eshd`` of the model fitted before the experiment, plus a
        final row (target None) for the model after the last experiment.
    """

    def __init__(
        self,
        learner,
        oracle: Oracle,
        budget: int,
        batch_size: int = 50,
        strategy: str = "ait",
        *,
        values: Optional[Sequence[float]] = None,
        n_graphs: int = 20,
        n_samples: int = 100,
        true_graph=None,
        random_state=None,
    ):
        if strategy not in ("ait", "random", "uncertainty"):
            raise InvalidInputError(f"strategy must be 'ait', 'random' or 'uncertainty'; got {strategy!r}")
        for name, value, low in (("budget", budget, 0), ("batch_size", batch_size, 1)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
                raise InvalidInputError(f"{name} must be an integer >= {low}; got {value!r}")
        if not callable(oracle):
            raise InvalidInputError("oracle must be a callable (target, value, n, rng) -> rows")
        self.learner, self.oracle, self.budget, self.batch_size = learner, oracle, int(budget), int(batch_size)
        self.strategy, self.values, self.n_graphs, self.n_samples = strategy, values, n_graphs, n_samples
        self.true_graph = None if true_graph is None else (np.asarray(true_graph) != 0)
        self._rng = np.random.default_rng(seed_from(random_state))
        self._rounds: List[Dict[str, Any]] = []
        self._unused: List[int] = []

    def run(self, X, intervention_mask=None) -> ActiveLearner:
        """Runs the remaining rounds from ``X`` (the first call) or from the rows so far.

        Parameters
        ----------
        X : array-like of shape (n_samples, d)
            Initial rows (observational unless ``intervention_mask`` says otherwise); ignored
            when resuming.
        intervention_mask : array-like of bool, shape (n_samples, d), default=None

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            The oracle failed or returned bad rows (the rows so far are kept: call ``run``
            again to resume), bad values.
        """
        from sklearn.base import clone

        if not hasattr(self, "X_"):
            self.X_ = np.array(X, dtype=np.float64)
            d = self.X_.shape[1]
            mask = np.zeros(self.X_.shape, dtype=bool) if intervention_mask is None else np.asarray(intervention_mask)
            self.intervention_mask_ = mask.astype(bool)
            if self.values is None:
                self._values = self.X_.mean(axis=0) + 2.0 * self.X_.std(axis=0)
            else:
                self._values = np.asarray(self.values, dtype=np.float64)
                if self._values.shape != (d,) or not np.isfinite(self._values).all():
                    raise InvalidInputError(f"values must hold {d} finite numbers")
        d = self.X_.shape[1]
        while len(self._rounds) < self.budget:
            model = self._fit(clone(self.learner))
            target = self._choose(model)
            value = float(self._values[target])
            rows = self._ask(target, value, d)
            self._record(model, target, value)
            mask = np.zeros(rows.shape, dtype=bool)
            mask[:, target] = True
            self.X_ = np.vstack([self.X_, rows])
            self.intervention_mask_ = np.vstack([self.intervention_mask_, mask])
        self.model_ = self._fit(clone(self.learner))
        return self

    @property
    def history_(self) -> pd.DataFrame:
        rows = list(self._rounds)
        if hasattr(self, "model_"):
            rows.append(self._summary(self.model_, len(self._rounds), None, None))
        return pd.DataFrame(rows)

    # ------------------------------------------------------------------ the steps
    def _fit(self, model):
        mask = self.intervention_mask_ if self.intervention_mask_.any() else None
        return model.fit(self.X_, intervention_mask=mask)

    def _choose(self, model) -> int:
        d = self.X_.shape[1]
        if self.strategy == "random":
            if not self._unused:
                self._unused = list(self._rng.permutation(d))
            return int(self._unused.pop())
        if self.strategy == "uncertainty":
            entropy = _edge_entropies(model.edge_probabilities_)
            np.fill_diagonal(entropy, 0.0)
            return int(np.argmax(entropy.sum(axis=0) + entropy.sum(axis=1)))
        mask = self.intervention_mask_ if self.intervention_mask_.any() else None
        table = score_targets(
            model,
            [(j, float(self._values[j])) for j in range(d)],
            X=self.X_,
            intervention_mask=mask,
            n_graphs=self.n_graphs,
            n_samples=self.n_samples,
            random_state=int(self._rng.integers(2**32)),
        )
        return int(np.argmin(table["rank"].to_numpy()))

    def _ask(self, target: int, value: float, d: int) -> np.ndarray:
        try:
            rows = np.asarray(self.oracle(target, value, self.batch_size, self._rng), dtype=np.float64)
        except Exception as exc:
            raise InvalidInputError(
                f"the oracle failed on do(X_{target} = {value}): {exc!r}; the rows so far are kept, call run() to resume"
            ) from exc
        if rows.shape != (self.batch_size, d) or not np.isfinite(rows).all():
            raise InvalidInputError(
                f"the oracle returned rows of shape {rows.shape} (expected {(self.batch_size, d)}, finite) for "
                f"do(X_{target} = {value}); the rows so far are kept, call run() to resume"
            )
        return rows

    def _record(self, model, target: int, value: float) -> None:
        self._rounds.append(self._summary(model, len(self._rounds), target, value))

    def _summary(self, model, index: int, target, value) -> Dict[str, Any]:
        from .metrics import count_accuracy, expected_shd

        row: Dict[str, Any] = {"round": index, "target": target, "value": value}
        row["entropy"] = edge_entropy(model.edge_probabilities_)
        if self.true_graph is not None:
            row["shd"] = count_accuracy(self.true_graph, model.adjacency_)["shd"]
            row["eshd"] = expected_shd(self.true_graph, model.sample_dags(100, random_state=0))
        return row
