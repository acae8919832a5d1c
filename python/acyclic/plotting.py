"""Plots of weighted adjacency matrices and graphs (matplotlib, imported lazily).

matplotlib is imported only when a plotting function is called. If no backend has
been chosen yet (no ``MPLBACKEND``, pyplot not yet imported, no explicit
``backend`` in the matplotlibrc) and there is no display on Linux (no ``DISPLAY``
or ``WAYLAND_DISPLAY``, not inside a Jupyter kernel), the non-interactive ``Agg``
backend is selected so that plotting works on headless machines; otherwise the
user's backend is left alone.

Conventions: ``W[i, j] != 0`` means the edge ``i -> j``; in the heat-maps row ``i``
is the parent and column ``j`` the child.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from ._validation import as_square_matrix
from .exceptions import InvalidInputError
from .graph import to_networkx

__all__ = ["plot_adjacency", "plot_graph", "plot_truth_vs_estimate"]


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - matplotlib is a dependency
        raise ImportError("acyclic.plotting needs matplotlib: pip install matplotlib") from exc
    if (
        "matplotlib.pyplot" not in sys.modules
        and not os.environ.get("MPLBACKEND")
        and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        and "ipykernel" not in sys.modules
    ):
        get_backend_or_none = getattr(matplotlib.rcParams, "_get_backend_or_none", None)
        if get_backend_or_none is None or get_backend_or_none() is None:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _matrix(W, name: str):
    """Float matrix and labels (from a DataFrame's columns) of a square input."""
    labels = None
    if hasattr(W, "columns") and hasattr(W, "to_numpy"):
        labels = [str(c) for c in W.columns]
        W = W.to_numpy()
    return as_square_matrix(W, name), labels


def _labels(labels, d: int, default=None):
    if labels is None:
        labels = default if default is not None else [str(k) for k in range(d)]
    labels = [str(x) for x in labels]
    if len(labels) != d:
        raise InvalidInputError(f"labels must have {d} entries, got {len(labels)}")
    return labels


def _heatmap(ax, A, labels, title, vmax=None):
    vmax = float(np.max(np.abs(A))) if vmax is None else vmax
    if vmax == 0:
        vmax = 1.0
    im = ax.imshow(A, cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
    d = A.shape[0]
    ax.set_xticks(range(d))
    ax.set_yticks(range(d))
    ax.set_xticklabels(labels, rotation=90 if d > 1 else 0, fontsize="small")
    ax.set_yticklabels(labels, fontsize="small")
    ax.set_xlabel("child j")
    ax.set_ylabel("parent i")
    if title is not None:
        ax.set_title(title)
    return im


def plot_adjacency(W, labels=None, ax=None, title=None):
    """Heat-map of a (weighted) adjacency matrix.

    A diverging colormap (``RdBu_r``) centred at 0: positive weights red, negative
    blue, absent edges white; the colour limits are ``±max|W|``. Row ``i`` is the
    parent, column ``j`` the child (``W[i, j]`` is the edge ``i -> j``).

    Parameters
    ----------
    W : array_like or pandas.DataFrame of shape (d, d)
        Weighted or 0/1 adjacency matrix (finite). A DataFrame's column names are
        used as labels when ``labels`` is None.
    labels : sequence of length d, optional
        Node names for the ticks; default ``0..d-1``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when None.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into (its figure is ``ax.figure``; a colour bar is attached).

    Raises
    ------
    InvalidInputError
        If ``W`` is not a finite square matrix or ``labels`` has the wrong length.

    Notes
    -----
    Plotting conventions only; no paper.
    """
    A, df_labels = _matrix(W, "W")
    labels = _labels(labels, A.shape[0], df_labels)
    plt = _pyplot()
    if ax is None:
        size = max(3.0, 0.35 * A.shape[0] + 2.0)
        _, ax = plt.subplots(figsize=(size + 1.0, size))
    im = _heatmap(ax, A, labels, title)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="weight")
    return ax


def _to_digraph(W_or_digraph, labels):
    import networkx as nx

    if isinstance(W_or_digraph, nx.Graph):
        if not W_or_digraph.is_directed():
            raise InvalidInputError("plot_graph needs a directed graph (networkx.DiGraph)")
        G = nx.DiGraph()
        G.add_nodes_from(W_or_digraph.nodes)
        for u, v, data in W_or_digraph.edges(data=True):
            G.add_edge(u, v, weight=float(data.get("weight", 1.0)))
        if labels is not None:
            nodes = list(G.nodes)
            if len(labels) != len(nodes):
                raise InvalidInputError(f"labels must have {len(nodes)} entries, got {len(labels)}")
            G = nx.relabel_nodes(G, dict(zip(nodes, [str(x) for x in labels])))
        return G
    A, df_labels = _matrix(W_or_digraph, "W")
    return to_networkx(A, labels=_labels(labels, A.shape[0], df_labels))


def _layered_layout(G):
    """Roots on top, one row per topological generation (DAGs only)."""
    import networkx as nx

    pos = {}
    for level, generation in enumerate(nx.topological_generations(G)):
        generation = list(generation)
        width = len(generation)
        for k, node in enumerate(generation):
            pos[node] = (k - (width - 1) / 2.0, -float(level))
    return pos


def plot_graph(W_or_digraph, labels=None, ax=None, pos=None):
    """Draw a directed graph with networkx, edge width proportional to ``|weight|``.

    Edges with a positive weight are red, negative ones blue. Without ``pos``, a
    DAG is laid out in layers (roots on top, one row per topological generation)
    and a cyclic graph on a circle. Opposite edges are drawn curved so both
    directions of a 2-cycle stay visible.

    Parameters
    ----------
    W_or_digraph : array_like or pandas.DataFrame of shape (d, d), or networkx.DiGraph
        Weighted adjacency matrix (``W[i, j]`` the weight of ``i -> j``, diagonal
        ignored) or a DiGraph whose edges may carry a ``weight`` attribute
        (default 1).
    labels : sequence, optional
        Node names (length ``d`` / number of nodes); default: the DataFrame's
        columns, the DiGraph's nodes, or ``0..d-1``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when None.
    pos : dict, optional
        Node positions ``{name: (x, y)}`` as accepted by networkx (keys are the
        labels).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidInputError
        If the matrix is not finite and square, ``labels`` has the wrong length, or
        an undirected networkx graph is given.

    Notes
    -----
    Plotting conventions only; no paper.
    """
    import networkx as nx

    G = _to_digraph(W_or_digraph, labels)
    plt = _pyplot()
    if ax is None:
        size = max(4.0, 0.5 * G.number_of_nodes() + 3.0)
        _, ax = plt.subplots(figsize=(size, size))
    if pos is None:
        pos = _layered_layout(G) if nx.is_directed_acyclic_graph(G) else nx.circular_layout(G)
    edges = list(G.edges(data="weight"))
    weights = np.array([abs(w) for _, _, w in edges], dtype=np.float64)
    wmax = float(weights.max()) if weights.size and weights.max() > 0 else 1.0
    widths = [0.5 + 3.5 * abs(w) / wmax for _, _, w in edges]
    colors = ["tab:red" if w >= 0 else "tab:blue" for _, _, w in edges]
    nx.draw_networkx_nodes(G, pos, ax=ax, node_color="white", edgecolors="black", node_size=600)
    nx.draw_networkx_labels(G, pos, ax=ax, font_size=8)
    if edges:
        nx.draw_networkx_edges(
            G,
            pos,
            ax=ax,
            edgelist=[(u, v) for u, v, _ in edges],
            width=widths,
            edge_color=colors,
            arrows=True,
            arrowstyle="-|>",
            arrowsize=12,
            node_size=600,
            connectionstyle="arc3,rad=0.12",
        )
    ax.set_axis_off()
    return ax


def plot_truth_vs_estimate(B_true, W_est, labels=None):
    """Two heat-maps side by side: the true graph and the estimate, errors marked.

    On the estimate's panel each cell ``(i, j)`` is marked when it is

    * ``missing`` (open black square) — ``i -> j`` is true but the estimate has
      neither ``i -> j`` nor ``j -> i``;
    * ``extra`` (black ×) — ``i -> j`` is estimated but neither direction is true;
    * ``reversed`` (green triangle) — ``i -> j`` is estimated, ``j -> i`` is true and
      ``i -> j`` is not.

    The figure title gives SHD, TPR, FDR and NNZ from
    :func:`acyclic.metrics.count_accuracy`.

    Parameters
    ----------
    B_true : array_like or pandas.DataFrame of shape (d, d)
        True graph (0/1 or weights), ``B_true[i, j] != 0`` meaning ``i -> j``.
    W_est : array_like or pandas.DataFrame of shape (d, d)
        Estimated weighted (or 0/1) adjacency matrix.
    labels : sequence of length d, optional
        Node names; default: a DataFrame's columns or ``0..d-1``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``fig.axes[0]`` is the truth, ``fig.axes[1]`` the estimate.

    Raises
    ------
    InvalidInputError
        If the matrices are not finite and square, their shapes differ, or
        ``labels`` has the wrong length.

    Notes
    -----
    Plotting conventions only; the metrics follow Zheng et al. (2018), NeurIPS 31
    (see :func:`acyclic.metrics.count_accuracy`).
    """
    from .metrics import count_accuracy

    T, lab_t = _matrix(B_true, "B_true")
    E, lab_e = _matrix(W_est, "W_est")
    if T.shape != E.shape:
        raise InvalidInputError(f"B_true and W_est must have the same shape, got {T.shape} and {E.shape}")
    d = T.shape[0]
    labels = _labels(labels, d, lab_t if lab_t is not None else lab_e)
    acc = count_accuracy(T, E)

    St = T != 0
    Se = E != 0
    np.fill_diagonal(St, False)
    np.fill_diagonal(Se, False)
    missing = St & ~Se & ~Se.T
    extra = Se & ~St & ~St.T
    reversed_ = Se & ~St & St.T

    plt = _pyplot()
    size = max(3.0, 0.35 * d + 2.0)
    fig, axes = plt.subplots(1, 2, figsize=(2 * size + 2.0, size + 1.0), layout="constrained")
    vmax = max(float(np.max(np.abs(T))), float(np.max(np.abs(E))), 1e-12)
    _heatmap(axes[0], T, labels, "truth", vmax=vmax)
    im = _heatmap(axes[1], E, labels, "estimate", vmax=vmax)
    for mask, marker, color, name in (
        (missing, "s", "black", "missing"),
        (extra, "x", "black", "extra"),
        (reversed_, "^", "tab:green", "reversed"),
    ):
        rows, cols = np.nonzero(mask)
        if rows.size:
            style = {"color": color} if marker == "x" else {"facecolors": "none", "edgecolors": color}
            axes[1].scatter(cols, rows, marker=marker, s=60, linewidths=1.5, label=f"{name} ({rows.size})", **style)
    if missing.any() or extra.any() or reversed_.any():
        axes[1].legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12 - 0.01 * max(len(x) for x in labels)),
            ncol=3,
            fontsize="small",
            frameon=False,
        )
    fig.colorbar(im, ax=axes[1], fraction=0.046, pad=0.04, label="weight")
    fig.suptitle(
        f"SHD {acc['shd']}  TPR {acc['tpr']:.2f}  FDR {acc['fdr']:.2f}  NNZ {acc['nnz']}"
        + ("" if acc["is_dag"] else "  (estimate has a cycle)")
    )
    return fig
