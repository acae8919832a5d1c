"""Graph helpers: networkx conversion, DOT and GML text (:func:`to_dot`, :func:`from_dot`,
:func:`to_gml`), acyclicity, topological order, thresholding and the cycle projection (a maximal
acyclic subgraph: strongest edges first, each kept unless it closes a cycle, required edges always
kept). Convention: ``W[i, j] != 0`` means the edge i → j."""

from __future__ import annotations

from typing import Hashable, List, Optional, Sequence, Tuple

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
    """A copy of W with entries |w| < ``w_threshold`` and the diagonal set to zero.

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

    The edges are taken in turn: first the required ones, then the others by decreasing |w|
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
]
