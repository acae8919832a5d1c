"""The posterior interface active targeting needs (Scherrer et al. 2021): graphs from
``sample_dags``, and rows under an experiment simulated from one of them.

A posterior learner (DPDAG, BaCaDI, DiBS) keeps the sufficient statistics of its training rows,
per intervention pattern (a few d × d matrices, not the rows), so that a graph's mechanisms can be
fitted by least squares on the data without the caller passing the data again. The simulation
itself is :func:`acyclic.active.sample_interventional`'s, in the Rust core.
"""

from __future__ import annotations

import numbers
from typing import Callable, List, Optional

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .exceptions import InvalidInputError
from .sufficient_stats import SufficientStats

#: ``sample_dags`` returns at most this many bytes (one uint8 per entry) per call.
_MAX_SAMPLE_BYTES = 2**30
#: Largest graph index ``sample_interventional`` draws graphs up to.
_MAX_INDEX = 100_000


class InterventionalSampling:
    """Mixin of the posterior learners: ``training_statistics_`` and ``sample_interventional``."""

    training_statistics_: SufficientStats
    sample_dags: Callable[..., np.ndarray]  # the learner's own (an annotation, not a definition)

    def _keep_training_data(self, values: np.ndarray, labels: List, intervened: Optional[np.ndarray]) -> None:
        self.training_statistics_ = training_statistics(values, labels, intervened)

    def sample_interventional(self, dag, target, value: float, n_samples: int, random_state=None) -> np.ndarray:
        """Rows simulated under do(X_target = value) from one graph of the posterior.

        The graph's mechanisms are linear-Gaussian, fitted by least squares on the training
        rows (``training_statistics_``; per node on the rows that do not intervene on it), with
        the residual variances as noise and the data's means as intercepts: the hypothesis AIT
        scores for each sampled graph (:func:`acyclic.active.score_targets`; Scherrer et al.,
        "Learning Neural Causal Models with Active Interventions", arXiv 2109.02429, 2021). The
        intervened column is ``value`` in every row; the others follow their equations in a
        topological order, in the Rust core. With the same ``random_state`` two graphs get the
        same standard normals (common random numbers).

        Parameters
        ----------
        dag : int or array-like of shape (d, d)
            A graph: an int k is the k-th graph of ``sample_dags(k + 1, random_state)`` (for
            BaCaDI and DiBS, particle k's graph); an array is a 0/1 adjacency (any DAG on the
            model's nodes).
        target : int or label
            The intervened node: its index, or its label in ``node_labels_``.
        value : float
            The value it is set to, in the units of X.
        n_samples : int
            Rows, ≥ 1.
        random_state : int, RandomState, Generator or None, default=None
            Seeds the simulated noise and, for DPDAG's int ``dag``, the graph's draw.

        Returns
        -------
        ndarray of shape (n_samples, d), float64

        Raises
        ------
        InvalidInputError
            A negative index, an index ≥ 100000 (DPDAG) or past the particles (BaCaDI, DiBS), a
            cyclic particle; a graph of the wrong shape, with a cycle, self-loops, NaN or
            non-numeric entries; an unknown target; a non-finite value; ``n_samples`` < 1 or
            n_samples × d above 2²⁷.
        sklearn.exceptions.NotFittedError
            An unfitted model.
        """
        check_is_fitted(self, "training_statistics_")
        from .active import sample_interventional

        index = _index(dag)
        graph = dag if index is None else self._graph_at(index, random_state)  # a graph: checked below
        stats = self.training_statistics_
        return sample_interventional(graph, stats, target, value, n_samples, random_state=random_state)

    def _graph_at(self, index: int, random_state) -> np.ndarray:
        """The graph a non-negative index names: here the index-th of the posterior's draws."""
        if index >= _MAX_INDEX:
            raise InvalidInputError(
                f"graph index {index}: an index k draws k + 1 graphs; for k >= {_MAX_INDEX} draw them with "
                "sample_dags and pass the graph"
            )
        return self.sample_dags(index + 1, random_state=random_state)[index]


def training_statistics(values: np.ndarray, labels: List, intervened: Optional[np.ndarray]) -> SufficientStats:
    """The rows' sufficient statistics, one set per intervention pattern of ``intervened``."""
    chunk = values if intervened is None else (values, intervened)
    return SufficientStats.from_chunks([chunk], labels=list(labels))


def _index(dag) -> Optional[int]:
    """``dag`` as a graph index (None for an array); a negative index is an error."""
    if isinstance(dag, (bool, np.bool_)) or not isinstance(dag, numbers.Integral):
        return None
    if dag < 0:
        raise InvalidInputError(f"a graph index is >= 0; got {dag}")
    return int(dag)
