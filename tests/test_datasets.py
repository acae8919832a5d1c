"""Tests for acyclic.datasets (the shipped Sachs data)."""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from acyclic.datasets import SACHS_EXPERIMENTS, SACHS_TARGETS, load_sachs, load_sachs_adjacency
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


# --------------------------------------------------------------------------------------
# the experiments and their intervention targets
# --------------------------------------------------------------------------------------
SIZES_7466 = {
    "cd3cd28": 853,
    "cd3cd28icam2": 902,
    "cd3cd28+aktinhib": 911,
    "cd3cd28+g0076": 723,
    "cd3cd28+psitect": 810,
    "cd3cd28+u0126": 799,
    "cd3cd28+ly": 848,
    "pma": 913,
    "b2camp": 707,
}
DEFAULT_TARGETS = {
    "cd3cd28+aktinhib": "pakts473",
    "cd3cd28+g0076": "PKC",
    "cd3cd28+psitect": "PIP2",
    "cd3cd28+u0126": "pmek",
    "cd3cd28+ly": "PIP3",
    "pma": "PKC",
    "b2camp": "PKA",
}


def _check_experiments(env, mask, sizes):
    # environments in row order with the documented sizes; one target column per intervened experiment
    labels, first, counts = np.unique(env, return_index=True, return_counts=True)
    order = np.argsort(first)
    assert dict(zip(labels[order].tolist(), counts[order].tolist())) == sizes
    assert list(labels[order]) == list(sizes)
    np.testing.assert_array_equal(env, np.repeat(list(sizes), list(sizes.values())))
    assert mask.shape == (len(env), 11) and mask.dtype == np.bool_
    for label in sizes:
        rows = mask[env == label]
        expected = np.zeros(11, dtype=bool)
        if label in DEFAULT_TARGETS:
            expected[COLUMNS.index(DEFAULT_TARGETS[label])] = True
        np.testing.assert_array_equal(rows, np.broadcast_to(expected, rows.shape), err_msg=label)


def test_experiments_7466():
    df, G, env, mask = load_sachs(observational=False, interventions=True)
    plain, _ = load_sachs(observational=False)
    pd.testing.assert_frame_equal(df, plain)
    assert isinstance(G, nx.DiGraph) and G.number_of_edges() == 17
    _check_experiments(env, mask, SIZES_7466)
    assert dict(SIZES_7466) == dict(SACHS_EXPERIMENTS)
    assert {k: v[0] for k, v in SACHS_TARGETS.items()} == DEFAULT_TARGETS


def test_experiments_5846():
    X, B, env, mask = load_sachs(observational=False, interventions=True, variant="5846", return_X_y=True)
    full, B_full = load_sachs(observational=False, return_X_y=True)
    assert X.shape == (5846, 11)
    np.testing.assert_array_equal(X, full[:5846])
    np.testing.assert_array_equal(B, B_full)
    sizes = {k: v for k, v in SIZES_7466.items() if k not in ("pma", "b2camp")}
    _check_experiments(env, mask, sizes)
    # 1755 observational rows (cd3cd28 and cd3cd28icam2), 4091 with one target each
    assert int((~mask.any(axis=1)).sum()) == 1755 and int(mask.sum()) == 4091
    # the rows alone, without the experiments
    df, _ = load_sachs(observational=False, variant="5846")
    np.testing.assert_array_equal(df.to_numpy(), X)


def test_default_loader_unchanged_by_the_new_parameters():
    # interventions=False (the default) and the default variant give the same bits as before
    a, _ = load_sachs(observational=False)
    b, _ = load_sachs(observational=False, interventions=False, variant="7466")
    pd.testing.assert_frame_equal(a, b)
    assert a.shape == (7466, 11)


def test_user_targets():
    # the "activity" encoding of U0126: mark MEK's substrate p44/42; labels and indices mix
    targets = {"cd3cd28+u0126": ["p44/42"], "cd3cd28+psitect": [3, "plcg"], "pma": []}
    _, _, env, mask = load_sachs(observational=False, interventions=True, targets=targets)
    np.testing.assert_array_equal(mask[env == "cd3cd28+u0126"], np.broadcast_to(np.eye(11, dtype=bool)[5], (799, 11)))
    psitect = mask[env == "cd3cd28+psitect"]
    assert psitect.all(axis=0).nonzero()[0].tolist() == [2, 3] and psitect.sum() == 2 * 810
    others = ~np.isin(env, ["cd3cd28+u0126", "cd3cd28+psitect"])
    assert not mask[others].any()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"targets": {"pma": ["PKC"]}, "variant": "5846"}, "no rows"),  # pma is not in the 5846 rows
        ({"targets": {"cd3cd28+ly": ["PI3K"]}}, "unknown node"),
        ({"targets": {"cd3cd28+ly": [11]}}, "out of range"),
        ({"targets": {"cd3cd28+ly": ["PIP3", 4]}}, "twice"),
        ({"targets": {"cd3cd28+ly": "PIP3"}}, "list of nodes"),
        ({"targets": {"ly": ["PIP3"]}}, "no rows"),
        ({"targets": [("cd3cd28+ly", ["PIP3"])]}, "mapping"),
        ({"variant": "853"}, "variant"),
    ],
)
def test_bad_sachs_targets_raise(kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        load_sachs(observational=False, interventions=True, **kwargs)


def test_sachs_experiments_need_the_interventional_rows():
    with pytest.raises(InvalidInputError, match="observational=False"):
        load_sachs(interventions=True)
    with pytest.raises(InvalidInputError, match="observational=False"):
        load_sachs(variant="5846")
    with pytest.raises(InvalidInputError, match="interventions=True"):
        load_sachs(observational=False, targets={"pma": ["PKC"]})
