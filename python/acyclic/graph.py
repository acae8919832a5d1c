"""Graph helpers: networkx conversion, DOT and GML text (:func:`to_dot`, :func:`from_dot`,
:func:`to_gml`), acyclicity, topological order, thresholding, the cycle projection (a maximal
acyclic subgraph: strongest edges first, each kept unless it closes a cycle, required edges always
kept) and equivalence classes (the CPDAG of a DAG, observational or interventional). Convention:
``W[i, j] != 0`` means the edge i → j."""

from __future__ import annotations

import operator
from typing import Hashable, Iterable, List, Optional, Sequence, Tuple

import networkx as nx
import numpy as np

from . import _core
from ._graph_text import check_labels, from_dot, to_dot, to_gml
from ._validation import as_square_matrix
from .exceptions import InvalidInputError


def _square(W, name: str = "W") -> np.ndarray:
    return as_square_matrix(W, name)


def to_networkx(W, labels: Optional[Sequence] = None) -> nx.DiGraph:
    """A weighted adjacency matrix as a ``networkx.DiGraph``.

    Parameters
    ----------
    W : array-like of shape (d, d)
        ``W[i, j] != 0`` is the edge i → j with ``weight=W[i, j]``.
    labels : sequence of length d, optional
        Node names (default 0..d-1), all different.

    Returns
    -------
    networkx.DiGraph
        Nodes ``labels`` in order, an edge ``labels[i] → labels[j]`` with attribute ``weight``
        for every non-zero off-diagonal ``W[i, j]``.

    Raises
    ------
    InvalidInputError
        W not square, non-finite, or labels of the wrong length or repeating a name (two rows
        of W would become one node).
    """
    A = _square(W)
    labels = check_labels(labels, A.shape[0])
    G: nx.DiGraph[Hashable] = nx.DiGraph()
    G.add_nodes_from(labels)
    for i, j in zip(*np.nonzero(A)):
        if i != j:
            G.add_edge(labels[i], labels[j], weight=float(A[i, j]))
    return G


def from_networkx(
    G: nx.DiGraph, nodelist: Optional[Sequence] = None, weight: str = "weight"
) -> Tuple[np.ndarray, List]:
    """A ``networkx.DiGraph`` as ``(W, labels)``; edges without the weight attribute get 1.0.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph.
    nodelist : sequence, optional
        The nodes in the order of W's rows and columns (default: ``G.nodes``).
    weight : str, default "weight"
        The edge attribute read as the weight.

    Returns
    -------
    W : numpy.ndarray of shape (d, d)
        Float64 weights, ``W[i, j] != 0`` for the edge ``labels[i] → labels[j]``.
    labels : list
        The nodes, in the order of W.

    Raises
    ------
    networkx.NetworkXError
        If ``nodelist`` repeats a node or names one that is not in G.
    """
    labels = list(G.nodes) if nodelist is None else list(nodelist)
    W = nx.to_numpy_array(G, nodelist=labels, weight=weight, dtype=np.dtype(np.float64))
    return W, labels


def is_dag(W) -> bool:
    """True when the graph with edges where ``W != 0`` has no directed cycle (self-loops count).

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted or 0/1 adjacency matrix, ``W[i, j] != 0`` meaning i → j.

    Returns
    -------
    bool
        Whether the graph is acyclic.

    Raises
    ------
    InvalidInputError
        W not square or non-finite.
    """
    return bool(_core.is_dag(_square(W)))


def topological_order(W) -> np.ndarray:
    """A topological order (roots first, smallest index first among ties).

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted or 0/1 adjacency matrix, ``W[i, j] != 0`` meaning i → j.

    Returns
    -------
    numpy.ndarray of shape (d,)
        Node indices (int64), every node before its children.

    Raises
    ------
    InvalidInputError
        W not square or non-finite, or the graph has a directed cycle (a self-loop counts); the
        message names the nodes of one cycle. Use :func:`is_dag` to test without raising.
    """
    A = _square(W)
    order = _core.topological_order(A)
    if order is None:
        cycle = _core.find_cycle(A) or []
        path = " → ".join(str(v) for v in [*cycle, *cycle[:1]])
        raise InvalidInputError(f"the graph has a directed cycle ({path}), so it has no topological order")
    return order


def threshold(W, w_threshold: float) -> np.ndarray:
    """A copy of W with entries ``|w| < w_threshold`` and the diagonal set to zero.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weight matrix.
    w_threshold : float
        Entries whose absolute value is below it become zero.

    Returns
    -------
    numpy.ndarray of shape (d, d)
        The thresholded float64 copy.

    Raises
    ------
    InvalidInputError
        W not square or non-finite.
    """
    return _core.threshold(_square(W), float(w_threshold))


def project_to_dag(W, required=None) -> np.ndarray:
    """A DAG from W: a maximal acyclic subgraph, strongest edges first (greedy).

    The edges are taken in turn: first the required ones, then the others by decreasing ``|w|``
    (ties by (i, j), row-major). Each edge is kept unless it closes a directed cycle with the
    edges kept before it. The result is acyclic, keeps every required edge, and is maximal: no
    removed edge can be put back without creating a cycle. An acyclic W is returned unchanged
    (diagonal zeroed). A required edge counts as an edge even where W is 0 (as in a learner's
    ``adjacency_``), so the result together with the required edges is acyclic. Reachability is
    updated incrementally; ``benchmarks/bench_projection.py`` measures the speed.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weight matrix, ``W[i, j] != 0`` meaning i → j.
    required : array-like of bool, shape (d, d), optional
        Edges that are never removed.

    Returns
    -------
    numpy.ndarray of shape (d, d)
        A float64 copy of W with the removed edges (and the diagonal) set to zero: a DAG.

    Raises
    ------
    InvalidInputError
        W not square or non-finite, ``required`` of another shape, or the required edges alone
        form a cycle.
    """
    A = _square(W)
    req = None if required is None else np.ascontiguousarray(required, dtype=bool)
    if req is not None and req.shape != A.shape:
        raise InvalidInputError(f"required must have shape {A.shape}, got {req.shape}")
    return _core.project_to_dag(A, req)


def _target_family(targets, d: int) -> Optional[List[List[int]]]:
    """``targets`` as lists of node indices in 0..d-1 (None stays None), or InvalidInputError."""
    if targets is None:
        return None
    if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable):
        raise InvalidInputError(f"targets must be a list of lists of node indices, e.g. [[], [0]], got {targets!r}")
    family = []
    for k, target in enumerate(targets):
        if isinstance(target, (str, bytes)) or not isinstance(target, Iterable):
            raise InvalidInputError(
                f"target set {k} must be a list of node indices, got {target!r} (for one set write [[0]], not [0])"
            )
        nodes = []
        for v in target:
            if isinstance(v, (bool, np.bool_)):
                raise InvalidInputError(f"target set {k} holds the boolean {v!r}: give node indices")
            try:
                index = operator.index(v)
            except TypeError:
                raise InvalidInputError(f"target set {k} holds {v!r}, which is not a node index") from None
            if not 0 <= index < d:
                raise InvalidInputError(f"target set {k} names node {index}, but the graph has nodes 0..{d - 1}")
            nodes.append(index)
        family.append(nodes)
    if not family:
        raise InvalidInputError("targets is an empty family: give at least one set, e.g. [[]] for observational data")
    return family


def targets_of_mask(intervention_mask) -> List[List[int]]:
    """The distinct intervention target sets of the rows of an intervention mask.

    Parameters
    ----------
    intervention_mask : array-like of bool, shape (n_samples, d)
        True where the row's experiment set the node (as learners' ``fit`` takes it).

    Returns
    -------
    list of list of int
        One sorted list of node indices per distinct row, in the order of first appearance
        (``[]`` for observational rows): the ``targets`` of :func:`to_cpdag`.

    Raises
    ------
    InvalidInputError
        The mask is not 2-D.
    """
    mask = np.asarray(intervention_mask) != 0
    if mask.ndim != 2:
        raise InvalidInputError(f"intervention_mask must be 2-D (n_samples, d), got shape {mask.shape}")
    rows = np.unique(mask, axis=0, return_index=True)[1]
    return [np.flatnonzero(mask[r]).tolist() for r in sorted(rows)]


def to_cpdag(W, targets=None) -> np.ndarray:
    """The CPDAG (essential graph) of a DAG: the edges every equivalent DAG orients alike.

    Observational data determine a DAG only up to Markov equivalence: the DAGs with the same
    skeleton and v-structures (Verma & Pearl) fit every distribution of one another equally
    well. The completed partially directed acyclic graph (CPDAG) keeps an edge directed when all
    of them orient it the same way and leaves it undirected otherwise. It is computed by
    orienting the v-structures of W and closing under Meek's rules (Meek 1995); Chickering (1995,
    2002) proves that this gives the essential graph.

    With ``targets``, a family of intervention target sets, it is the interventional essential
    graph of Hauser & Bühlmann (2012): two DAGs are then equivalent when they are Markov
    equivalent and, for every target set I, orient alike every edge with exactly one endpoint
    in I (a perfect intervention on I cuts that edge in one orientation only), so those edges
    are directed too, and Meek's rules (rule 4 included) propagate them. The family must be
    conservative, every node left alone by at least one set, which it is whenever it holds the
    observational ``[]``.

    Parameters
    ----------
    W : array-like of shape (d, d)
        A DAG, weighted or 0/1: ``W[i, j] != 0`` is the edge i → j.
    targets : list of lists of int, optional
        The intervention target sets (node indices), e.g. ``[[], [0], [2, 3]]`` for
        observational data and two experiments, one on node 0 and one on nodes 2 and 3 together
        (:func:`targets_of_mask` reads them off an intervention mask). Default None: observational
        data, the same as ``[[]]``.

    Returns
    -------
    numpy.ndarray of shape (d, d), int64
        ``C[i, j] = 1`` and ``C[j, i] = 0`` for a directed edge i → j; ``C[i, j] = C[j, i] = 1``
        for an undirected edge i − j; 0 elsewhere (zero diagonal).

    Raises
    ------
    InvalidInputError
        W not square or non-finite, or not a DAG (the message names a directed cycle; a nonzero
        diagonal entry is a self-loop); ``targets`` not a family of lists of node indices in
        0..d-1, empty, or with a node in every set (not conservative).

    References
    ----------
    Verma, T., Pearl, J. (1990). Equivalence and synthesis of causal models. UAI.

    Meek, C. (1995). Causal inference and causal explanation with background knowledge. UAI.

    Chickering, D. M. (1995). A transformational characterization of equivalent Bayesian network
    structures. UAI. Chickering, D. M. (2002). Learning equivalence classes of Bayesian-network
    structures. JMLR 2, 445–498.

    Hauser, A., Bühlmann, P. (2012). Characterization and greedy learning of interventional
    Markov equivalence classes of directed acyclic graphs. JMLR 13, 2409–2464.

    Examples
    --------
    >>> from acyclic.graph import to_cpdag
    >>> chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]   # 0 -> 1 -> 2
    >>> to_cpdag(chain).tolist()                      # 0 - 1 - 2
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    >>> to_cpdag(chain, targets=[[], [0]]).tolist()   # an experiment on 0 orients both edges
    [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    """
    A = _square(W)
    return _core.to_cpdag(A, _target_family(targets, A.shape[0]))


def is_cpdag(C, targets=None) -> bool:
    """True when C is the CPDAG (or, with ``targets``, the interventional essential graph) of
    some DAG.

    C is read as :func:`to_cpdag` returns it: a nonzero ``C[i, j]`` with ``C[j, i] == 0`` is the
    edge i → j, nonzero ``C[i, j]`` and ``C[j, i]`` the undirected edge i − j. The test builds
    a DAG with C's skeleton, directed edges and v-structures (Dor & Tarsi's extension, 1992;
    none exists when, e.g., the undirected part has a chordless cycle of four nodes) and checks
    that C is its essential graph.

    Parameters
    ----------
    C : array-like of shape (d, d)
        A partially directed graph.
    targets : list of lists of int, optional
        The intervention target sets, as in :func:`to_cpdag`. Default None: observational.

    Returns
    -------
    bool

    Raises
    ------
    InvalidInputError
        C not square or non-finite; ``targets`` invalid as in :func:`to_cpdag`.

    References
    ----------
    Dor, D., Tarsi, M. (1992). A simple algorithm to construct a consistent extension of a
    partially oriented graph. Technical Report R-185, UCLA Cognitive Systems Laboratory.
    """
    A = _square(C, "C")
    return bool(_core.is_cpdag(A, _target_family(targets, A.shape[0])))


__all__ = [
    "to_networkx",
    "from_networkx",
    "to_dot",
    "from_dot",
    "to_gml",
    "is_dag",
    "topological_order",
    "threshold",
    "project_to_dag",
    "to_cpdag",
    "is_cpdag",
    "targets_of_mask",
]
