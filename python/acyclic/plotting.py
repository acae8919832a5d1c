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

__all__ = ["plot_adjacency", "plot_graph", "plot_truth_vs_estimate", "plot_edge_probabilities"]


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


def _dot_layout(G):
    """Graphviz ``dot``'s layered positions, or None when ``dot`` is not installed or fails."""
    import shutil
    import subprocess

    dot = shutil.which("dot")
    if dot is None:
        return None
    nodes = list(G.nodes)
    lines = ["digraph {"] + [f'  n{k} [label=""];' for k in range(len(nodes))]
    index = {node: k for k, node in enumerate(nodes)}
    lines += [f"  n{index[u]} -> n{index[v]};" for u, v in G.edges]
    lines.append("}")
    try:
        out = subprocess.run([dot, "-Tplain"], input="\n".join(lines), capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    pos = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "node" and parts[1].startswith("n"):
            pos[nodes[int(parts[1][1:])]] = (float(parts[2]), float(parts[3]))
    return pos if len(pos) == len(nodes) else None


def _layered_layout(G):
    """Roots on top, one row per topological generation (DAGs only); within a row the nodes are
    ordered by the mean position of their parents (a barycentre sweep), which removes most
    crossings of the layered drawing."""
    import networkx as nx

    generations = [list(g) for g in nx.topological_generations(G)]
    x = {}
    for level, generation in enumerate(generations):
        if level:

            def barycentre(node):
                parents = [x[p] for p in G.predecessors(node) if p in x]
                return sum(parents) / len(parents) if parents else 0.0

            generation.sort(key=barycentre)
        width = len(generation)
        for k, node in enumerate(generation):
            x[node] = k - (width - 1) / 2.0
    return {node: (x[node], -float(level)) for level, g in enumerate(generations) for node in g}


def _graph_layout(G):
    """``dot``'s layout for a DAG when Graphviz is installed, else the layered fallback; a
    circle for a graph with cycles."""
    import networkx as nx

    if not nx.is_directed_acyclic_graph(G):
        return nx.circular_layout(G)
    return _dot_layout(G) or _layered_layout(G)


def plot_graph(W_or_digraph, labels=None, ax=None, pos=None):
    """Draw a directed graph with networkx, edge width proportional to ``|weight|``.

    Edges with a positive weight are red, negative ones blue; a legend gives the sign and the
    widths of the smallest and largest ``|weight|``. Without ``pos``, a DAG is laid out in
    layers by Graphviz ``dot`` when it is installed, else roots on top, one row per
    topological generation, ordered to avoid crossings; a cyclic graph goes on a circle. Nodes
    are wide enough for their labels. Opposite edges are drawn curved so both directions of a
    2-cycle stay visible.

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
    if pos is None:
        pos = _graph_layout(G)
    if ax is None:
        xs = [p[0] for p in pos.values()] or [0.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        aspect = (max(xs) - min(xs) + 1.0) / (max(ys) - min(ys) + 1.0)
        size = max(4.0, 0.35 * G.number_of_nodes() + 3.0)
        _, ax = plt.subplots(figsize=(min(size * max(aspect, 0.6), 24.0), size))
    edges = list(G.edges(data="weight"))
    weights = np.array([abs(w) for _, _, w in edges], dtype=np.float64)
    wmax = float(weights.max()) if weights.size and weights.max() > 0 else 1.0
    widths = [0.5 + 3.5 * abs(w) / wmax for _, _, w in edges]
    colors = ["tab:red" if w >= 0 else "tab:blue" for _, _, w in edges]
    longest = max((len(str(n)) for n in G.nodes), default=1)
    font_size = 8 if longest <= 6 else max(5, int(8 * 6 / longest))
    node_size = max(600, 55 * longest * font_size)  # the label fits inside its node
    nx.draw_networkx_nodes(G, pos, ax=ax, node_color="white", edgecolors="black", node_size=node_size)
    nx.draw_networkx_labels(G, pos, ax=ax, font_size=font_size)
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
            node_size=node_size,
            connectionstyle="arc3,rad=0.12",
        )
        _weight_legend(ax, weights, wmax, any(w < 0 for _, _, w in edges))
    ax.set_axis_off()
    return ax


def _weight_legend(ax, weights: np.ndarray, wmax: float, negative: bool) -> None:
    """The legend of :func:`plot_graph`: the sign's colours and the widths of two |weight|s."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="tab:red", lw=2, label="positive weight")]
    if negative:
        handles.append(Line2D([], [], color="tab:blue", lw=2, label="negative weight"))
    for w in sorted({float(weights.min()), wmax}):
        handles.append(Line2D([], [], color="gray", lw=0.5 + 3.5 * w / wmax, label=f"|weight| {w:.3g}"))
    ax.legend(handles=handles, loc="best", fontsize=7, frameon=False)


def plot_edge_probabilities(P, labels=None, ax=None, title=None):
    """Heat-map of edge probabilities (a posterior's or an ensemble's ``edge_probabilities_``).

    A sequential colour map from 0 (light) to 1 (dark), fixed so that plots compare, with a colour bar
    labelled P(i → j); row ``i`` is the parent, column ``j`` the child.

    Parameters
    ----------
    P : array_like or pandas.DataFrame of shape (d, d)
        Probabilities in [0, 1] (the diagonal is drawn but ignored by the learners).
    labels : sequence, optional
        Node names; default: the DataFrame's columns or ``0..d-1``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is created when None.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    InvalidInputError
        If ``P`` is not a finite square matrix with entries in [0, 1], or ``labels`` has the
        wrong length.

    Notes
    -----
    Plotting conventions only; no paper.
    """
    A, df_labels = _matrix(P, "P")
    if A.size and (A.min() < 0 or A.max() > 1):
        raise InvalidInputError("edge probabilities must lie in [0, 1]")
    names = _labels(labels, A.shape[0], df_labels)
    plt = _pyplot()
    if ax is None:
        size = max(4.0, 0.4 * A.shape[0] + 2.5)
        _, ax = plt.subplots(figsize=(size + 1.0, size))
    im = ax.imshow(A, cmap="viridis_r", vmin=0.0, vmax=1.0)
    ticks = np.arange(A.shape[0])
    ax.set_xticks(ticks, names, rotation=90, fontsize=7)
    ax.set_yticks(ticks, names, fontsize=7)
    ax.set_xlabel("child j")
    ax.set_ylabel("parent i")
    if title:
        ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="P(i → j)")
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
