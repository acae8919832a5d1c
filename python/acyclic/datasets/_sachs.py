"""Sachs et al. (2005) flow-cytometry protein-signalling data, shipped with the package."""

from __future__ import annotations

from importlib import resources
from typing import List, Tuple, Union

import networkx as nx
import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError

__all__ = ["load_sachs", "load_sachs_adjacency", "SACHS_COLUMNS"]

#: The 11 measured proteins / phospholipids, in the column order of the data files.
SACHS_COLUMNS: Tuple[str, ...] = (
    "praf",
    "pmek",
    "plcg",
    "PIP2",
    "PIP3",
    "p44/42",
    "pakts473",
    "PKA",
    "PKC",
    "P38",
    "pjnk",
)

_DATA_FILES = {True: "sachs_853_observational.csv", False: "sachs_7466.csv"}
_N_ROWS = {True: 853, False: 7466}
_GRAPH_FILES = {"dag17": "consensus_dag_17_edges.csv", "cdt18": "consensus_edges.csv"}


def _data_path(name: str):
    return resources.files("acyclic.datasets").joinpath("data", name)


def _read_csv(name: str) -> pd.DataFrame:
    with _data_path(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def _graph_key(graph) -> str:
    key = graph.lower() if isinstance(graph, str) else None
    if key not in _GRAPH_FILES:
        raise InvalidInputError(
            f"unknown Sachs reference graph {graph!r}; expected 'dag17' (acyclic 17-edge consensus "
            "graph, the default) or 'cdt18' (cdt's 18-edge list, which has a cycle)"
        )
    return key


def _edges(graph: str) -> List[Tuple[str, str]]:
    df = _read_csv(_GRAPH_FILES[_graph_key(graph)])
    edges = [(str(c), str(e)) for c, e in zip(df["Cause"], df["Effect"])]
    unknown = {v for edge in edges for v in edge} - set(SACHS_COLUMNS)
    if unknown:  # pragma: no cover - guards the shipped files
        raise InvalidInputError(f"the Sachs graph file names unknown variables {sorted(unknown)}")
    return edges


def _digraph(graph: str) -> nx.DiGraph:
    G: nx.DiGraph[str] = nx.DiGraph()
    G.add_nodes_from(SACHS_COLUMNS)
    G.add_edges_from(_edges(graph))
    return G


def load_sachs(
    observational: bool = True,
    graph: str = "dag17",
    *,
    return_X_y: bool = False,
) -> Union[Tuple[pd.DataFrame, nx.DiGraph], Tuple[np.ndarray, np.ndarray]]:
    """Load the Sachs et al. (2005) protein-signalling data and a reference graph.

    Single-cell flow-cytometry measurements of 11 phosphorylated proteins and
    phospholipids in human T cells: columns ``praf, pmek, plcg, PIP2, PIP3, p44/42,
    pakts473, PKA, PKC, P38, pjnk``. The values are raw abundances (positive,
    heavy-tailed); many papers log-transform or standardize them first. Copied from
    the data resources of the Causal Discovery Toolbox (``cdt`` 0.6.0, Apache-2.0);
    see ``acyclic/datasets/data/README.md``.

    Parameters
    ----------
    observational : bool, default True
        ``True``: the 853 purely observational rows (the cd3cd28 experiment; the
        subset used by e.g. GraN-DAG, DAGuerreotype and VI-DP-DAG). ``False``: all
        7466 rows, the nine stimulation/inhibition experiments stacked (cd3cd28 853,
        +icam2 902, +aktinhib 911, +g0076 723, +psitect 810, +u0126 799, +ly 848,
        pma 913, b2camp 707, in this order; the first 853 rows are the observational
        ones). The interventional rows are not labelled as such.
    graph : {"dag17", "cdt18"}, default "dag17"
        Reference graph (case-insensitive).

        * ``"dag17"`` — the **acyclic** 17-edge consensus graph used with the 853
          observational rows by e.g. GraN-DAG and DAGuerreotype. The empty graph has
          SHD 17 against it.
        * ``"cdt18"`` — the consensus network as listed by cdt, 18 directed edges.
          It is **not acyclic**: it contains the cycle ``plcg -> PIP2 -> PIP3 -> plcg``,
          so no DAG reaches SHD 0 against it (the best is 1).

        Papers differ on the reference graph (17, 18 or 20 edges); state which one a
        figure uses.
    return_X_y : bool, default False
        If True, return numpy arrays ``(X, B)`` instead of ``(df, G)``.

    Returns
    -------
    df : pandas.DataFrame of shape (853, 11) or (7466, 11), float64 columns
        The data, columns in the order above (when ``return_X_y=False``).
    G : networkx.DiGraph
        Reference graph over the 11 column names (nodes in column order), when
        ``return_X_y=False``.
    X : numpy.ndarray of shape (853, 11) or (7466, 11), float64
        The data (when ``return_X_y=True``).
    B : numpy.ndarray of shape (11, 11), int64
        0/1 adjacency of the reference graph in column order, ``B[i, j] = 1`` meaning
        column ``i`` -> column ``j`` (when ``return_X_y=True``).

    Raises
    ------
    InvalidInputError
        If ``graph`` is not ``"dag17"`` or ``"cdt18"``.

    References
    ----------
    Sachs, K., Perez, O., Pe'er, D., Lauffenburger, D. A., Nolan, G. P. (2005). Causal
    protein-signaling networks derived from multiparameter single-cell data. Science
    308(5721), 523–529.

    Examples
    --------
    >>> df, G = load_sachs()
    >>> df.shape, G.number_of_edges()
    ((853, 11), 17)
    """
    key = _graph_key(graph)
    obs = bool(observational)
    df = _read_csv(_DATA_FILES[obs]).astype(np.float64)
    if tuple(df.columns) != SACHS_COLUMNS or len(df) != _N_ROWS[obs]:  # pragma: no cover
        raise InvalidInputError("the shipped Sachs data file is corrupted (unexpected columns or rows)")
    if return_X_y:
        B, _ = load_sachs_adjacency(key)
        return df.to_numpy(dtype=np.float64, copy=True), B
    return df, _digraph(key)


def load_sachs_adjacency(graph: str = "dag17") -> Tuple[np.ndarray, List[str]]:
    """Adjacency matrix of a Sachs reference graph, in the data's column order.

    Parameters
    ----------
    graph : {"dag17", "cdt18"}, default "dag17"
        ``"dag17"``: the acyclic 17-edge consensus graph (default). ``"cdt18"``: cdt's
        18-edge list, which contains the cycle ``plcg -> PIP2 -> PIP3 -> plcg``. See
        :func:`load_sachs`.

    Returns
    -------
    B : numpy.ndarray of shape (11, 11), int64
        ``B[i, j] = 1`` iff ``labels[i] -> labels[j]``.
    labels : list of str
        The 11 variable names, in the column order of :func:`load_sachs`.

    Raises
    ------
    InvalidInputError
        If ``graph`` is not ``"dag17"`` or ``"cdt18"``.

    References
    ----------
    Sachs, K., Perez, O., Pe'er, D., Lauffenburger, D. A., Nolan, G. P. (2005). Causal
    protein-signaling networks derived from multiparameter single-cell data. Science
    308(5721), 523–529.
    """
    labels = list(SACHS_COLUMNS)
    index = {name: k for k, name in enumerate(labels)}
    B = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for cause, effect in _edges(graph):
        B[index[cause], index[effect]] = 1
    return B, labels
