"""Smoke tests for acyclic.plotting with the non-interactive Agg backend."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from acyclic.exceptions import InvalidInputError  # noqa: E402
from acyclic.plotting import plot_adjacency, plot_graph, plot_truth_vs_estimate  # noqa: E402

W = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, -0.8], [0.0, 0.0, 0.0]])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_adjacency_new_and_given_axes():
    ax = plot_adjacency(W, labels=["a", "b", "c"], title="W")
    assert ax.get_title() == "W"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    im = ax.images[0]
    lo, hi = im.get_clim()
    assert lo == -hi == -1.5  # centred at zero
    fig, ax2 = plt.subplots()
    assert plot_adjacency(np.zeros((2, 2)), ax=ax2) is ax2


def test_plot_adjacency_dataframe_labels():
    pd = pytest.importorskip("pandas")
    ax = plot_adjacency(pd.DataFrame(W, columns=["x", "y", "z"]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x", "y", "z"]


def test_plot_graph_matrix_digraph_and_cycle():
    ax = plot_graph(W, labels=["a", "b", "c"])
    assert ax.figure is not None
    G = nx.DiGraph([("u", "v", {"weight": 2.0}), ("v", "w", {"weight": -1.0})])
    plot_graph(G, pos={"u": (0, 0), "v": (1, 0), "w": (2, 0)})
    plot_graph(np.array([[0, 1], [1, 0]]))  # a 2-cycle: circular layout
    plot_graph(np.zeros((3, 3)))  # no edges
    ax.figure.savefig(__import__("io").BytesIO(), format="png")


def test_plot_truth_vs_estimate():
    B_true = (W != 0).astype(int)
    W_est = np.array([[0.0, 1.2, 0.4], [0.0, 0.0, 0.0], [0.0, 0.9, 0.0]])  # extra 0->2, reversed 2->1
    fig = plot_truth_vs_estimate(B_true, W_est, labels=["a", "b", "c"])
    assert len(fig.axes) >= 2
    assert "SHD 2" in fig._suptitle.get_text()
    legend = fig.axes[1].get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "extra (1)" in texts and "reversed (1)" in texts
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_plotting_bad_input():
    with pytest.raises(InvalidInputError):
        plot_adjacency(np.zeros((2, 3)))
    with pytest.raises(InvalidInputError):
        plot_adjacency(W, labels=["a"])
    with pytest.raises(InvalidInputError):
        plot_truth_vs_estimate(np.zeros((2, 2)), np.zeros((3, 3)))
    with pytest.raises(InvalidInputError):
        plot_graph(nx.Graph([(0, 1)]))


def test_plot_graph_has_a_legend_and_a_layout_without_graphviz(monkeypatch):
    import acyclic.plotting as plotting

    W = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, -0.5], [0.0, 0.0, 0.0]])
    ax = plotting.plot_graph(W, labels=["a long label", "b", "c"])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "positive weight" in texts and "negative weight" in texts and any("|weight|" in t for t in texts)
    monkeypatch.setattr(plotting, "_dot_layout", lambda G: None)  # no Graphviz: the layered fallback
    pos = plotting._graph_layout(plotting._to_digraph(W, None))
    assert pos["0"][1] > pos["1"][1] > pos["2"][1]  # roots on top


def test_plot_edge_probabilities_checks_its_range():
    from acyclic.exceptions import InvalidInputError
    from acyclic.plotting import plot_edge_probabilities

    ax = plot_edge_probabilities(np.full((3, 3), 0.5), labels=["x", "y", "z"])
    assert ax.images[0].get_clim() == (0.0, 1.0)
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        plot_edge_probabilities(np.full((3, 3), 1.5))


def test_weights_df_is_labelled():
    import acyclic
    import pandas as pd

    X = pd.DataFrame(np.random.default_rng(0).standard_normal((100, 3)), columns=["p", "q", "r"])
    model = acyclic.TOPO().fit(X)
    assert list(model.weights_df_.columns) == ["p", "q", "r"] and list(model.weights_df_.index) == ["p", "q", "r"]
    np.testing.assert_array_equal(model.weights_df_.to_numpy(), model.weights_)
