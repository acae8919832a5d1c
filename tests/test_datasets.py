"""Tests for acyclic.datasets (the shipped Sachs data)."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from acyclic.datasets import load_sachs, load_sachs_adjacency
from acyclic.exceptions import InvalidInputError

COLUMNS = ["praf", "pmek", "plcg", "PIP2", "PIP3", "p44/42", "pakts473", "PKA", "PKC", "P38", "pjnk"]


def test_observational_shape_columns_dtypes():
    df, G = load_sachs()
    assert isinstance(df, pd.DataFrame)
    assert df.shape == (853, 11)
    assert list(df.columns) == COLUMNS
    assert all(dt == np.float64 for dt in df.dtypes)
    assert np.all(np.isfinite(df.to_numpy()))
    np.testing.assert_allclose(df.iloc[0].to_numpy()[:3], [26.4, 13.2, 8.82])
    assert isinstance(G, nx.DiGraph)
    assert list(G.nodes) == COLUMNS


def test_all_rows_and_observational_prefix():
    full, _ = load_sachs(observational=False)
    obs, _ = load_sachs(observational=True)
    assert full.shape == (7466, 11)
    assert list(full.columns) == COLUMNS
    pd.testing.assert_frame_equal(full.iloc[:853].reset_index(drop=True), obs)


def test_dag17_is_acyclic_with_17_edges():
    _, G = load_sachs(graph="dag17")
    assert G.number_of_edges() == 17
    assert nx.is_directed_acyclic_graph(G)
    assert G.has_edge("praf", "pmek") and G.has_edge("PKC", "PKA") and G.has_edge("PIP3", "PIP2")


def test_cdt18_has_18_edges_and_the_plcg_cycle():
    _, G = load_sachs(graph="CDT18")
    assert G.number_of_edges() == 18
    assert not nx.is_directed_acyclic_graph(G)
    for u, v in [("plcg", "PIP2"), ("PIP2", "PIP3"), ("PIP3", "plcg")]:
        assert G.has_edge(u, v)
    cycles = [sorted(c) for c in nx.simple_cycles(G)]
    assert cycles == [sorted(["plcg", "PIP2", "PIP3"])]
    # the differences from the 17-edge graph stated in the docs
    _, D = load_sachs()
    assert set(G.edges) - set(D.edges) == {
        ("plcg", "PKC"),
        ("PIP2", "PIP3"),
        ("PIP2", "PKC"),
        ("PIP3", "pakts473"),
        ("PIP3", "plcg"),
    }
    assert set(D.edges) - set(G.edges) == {
        ("p44/42", "pakts473"),
        ("plcg", "PIP3"),
        ("PIP3", "PIP2"),
        ("PKC", "PKA"),
    }


def test_adjacency_and_return_X_y():
    B, labels = load_sachs_adjacency()
    assert labels == COLUMNS
    assert B.shape == (11, 11) and B.dtype.kind == "i"
    assert int(B.sum()) == 17
    assert B[labels.index("praf"), labels.index("pmek")] == 1
    assert B[labels.index("pmek"), labels.index("praf")] == 0
    _, G = load_sachs()
    np.testing.assert_array_equal(B, nx.to_numpy_array(G, nodelist=COLUMNS, dtype=int))
    B18, _ = load_sachs_adjacency("cdt18")
    assert int(B18.sum()) == 18
    X, B2 = load_sachs(observational=False, return_X_y=True)
    assert isinstance(X, np.ndarray) and X.shape == (7466, 11) and X.dtype == np.float64
    np.testing.assert_array_equal(B2, B)


@pytest.mark.parametrize("graph", ["dag20", "", None, 17])
def test_unknown_graph_raises(graph):
    with pytest.raises(InvalidInputError, match="graph"):
        load_sachs(graph=graph)
    with pytest.raises(InvalidInputError):
        load_sachs_adjacency(graph)


def test_returns_fresh_copies():
    df1, G1 = load_sachs()
    df1.iloc[0, 0] = -1.0
    G1.remove_edge("praf", "pmek")
    df2, G2 = load_sachs()
    assert df2.iloc[0, 0] == 26.4
    assert G2.has_edge("praf", "pmek")
