"""acyclic.graph: networkx conversion. (The cycle projection, ``is_dag`` and ``topological_order``
are tested with the acyclicity guarantee: tests/reliability/test_4_acyclicity.py.)"""

import networkx as nx
import numpy as np
import pytest
from acyclic.exceptions import InvalidInputError
from acyclic.graph import from_networkx, to_networkx


def _edges(d, triples):
    W = np.zeros((d, d))
    for i, j, w in triples:
        W[i, j] = w
    return W


# ----------------------------------------------------------------------------- networkx
@pytest.mark.parametrize("labels", [None, ["a", "b", "c", "d"], [10, "x", 2.5, ("t", 1)]])
def test_networkx_round_trip(labels):
    W = _edges(4, [(0, 1, 0.5), (2, 1, -1.5), (3, 0, 2.0), (2, 3, 1e-7)])
    G = to_networkx(W, labels=labels)
    names = list(range(4)) if labels is None else labels
    assert list(G.nodes) == names
    assert G.number_of_edges() == 4
    assert G[names[2]][names[1]]["weight"] == -1.5
    W2, labels2 = from_networkx(G)
    np.testing.assert_array_equal(W2, W)
    assert labels2 == names
    # a different node order permutes the matrix
    W3, _ = from_networkx(G, nodelist=names[::-1])
    np.testing.assert_array_equal(W3, W[::-1, ::-1])


def test_from_networkx_unweighted_edges_get_one():
    G = nx.DiGraph([("u", "v"), ("v", "w")])
    W, labels = from_networkx(G)
    assert labels == ["u", "v", "w"]
    np.testing.assert_array_equal(W, [[0, 1, 0], [0, 0, 1], [0, 0, 0]])


def test_to_networkx_bad_labels():
    with pytest.raises(InvalidInputError, match=r"2 labels for a 3x3"):
        to_networkx(np.zeros((3, 3)), labels=["a", "b"])


@pytest.mark.parametrize("labels", [["a", "a", "b"], [1, 1.0, 2], ["x", "y", "x"]])
def test_to_networkx_refuses_duplicate_labels(labels):
    # two rows with one name would merge into one node (an edge between them a self-loop)
    W = _edges(3, [(0, 1, 1.0), (1, 2, 2.0)])
    with pytest.raises(InvalidInputError, match=r"duplicate label\(s\) .*each node needs its own name"):
        to_networkx(W, labels=labels)
