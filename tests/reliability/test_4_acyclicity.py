"""Reliability: the acyclicity guarantee.

For every learner, every threshold (``w_threshold``, or DP-DAG's ``edge_threshold``) including 0,
and every early stop (``max_iter=1``), ``adjacency_`` is a DAG with a zero diagonal and
``weights_`` is zero wherever ``adjacency_`` is. The cycle projection (``graph.project_to_dag``,
used after thresholding): it leaves an acyclic graph unchanged, keeps the strongest edges first and
each edge unless it closes a cycle (equal to that greedy rule written naively), breaks ties by
index, never removes required edges, returns a maximal acyclic subgraph, and handles d = 500
dense (its speed is measured in ``benchmarks/bench_projection.py``, not here). ``is_dag`` and
``topological_order``, which every fit uses to check its result, are tested here too.
"""

import networkx as nx
import numpy as np
import pytest
from _learners import LEARNERS, check_output, make, sem
from acyclic import COSMO
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag, project_to_dag, threshold, topological_order


def _edges(d, triples):
    W = np.zeros((d, d))
    for i, j, w in triples:
        W[i, j] = w
    return W


def _random_dag(d, seed, density=0.3):
    rng = np.random.default_rng(seed)
    U = np.triu(rng.uniform(0.3, 2.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d)), k=1)
    U *= rng.random((d, d)) < density
    perm = rng.permutation(d)
    return U[np.ix_(perm, perm)]


def _dense(d, seed):
    """All off-diagonal entries nonzero, random sign and magnitude."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(0.01, 1.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d))
    np.fill_diagonal(W, 0.0)
    return W


def _reaches(kept, start, target):
    """Whether a directed path leads from ``start`` to ``target`` in the 0/1 matrix ``kept``."""
    seen = np.zeros(kept.shape[0], bool)
    seen[start] = True
    frontier = seen.copy()
    while frontier.any():
        frontier = kept[frontier].any(axis=0) & ~seen
        seen |= frontier
    return bool(seen[target])


def _reference_projection(W, required=None):
    """The cycle projection's rule written naively: the required edges, then the others by
    decreasing |w| (ties by (i, j), row-major), each kept unless it closes a directed cycle with
    the edges kept before it. A required edge counts even where W is 0."""
    W = np.array(W, dtype=float)
    np.fill_diagonal(W, 0.0)
    d = W.shape[0]
    req = np.zeros((d, d), bool) if required is None else np.array(required, bool)
    np.fill_diagonal(req, False)
    candidates = sorted(
        (not req[i, j], -abs(W[i, j]), i, j)
        for i in range(d)
        for j in range(d)
        if req[i, j] or (i != j and W[i, j] != 0)
    )
    kept = np.zeros((d, d), bool)
    for is_optional, _, i, j in candidates:
        if _reaches(kept, j, i):
            if not is_optional:
                raise InvalidInputError("the required edges form a directed cycle")
            W[i, j] = 0.0
        else:
            kept[i, j] = True
    return W


def _assert_maximal(P, W, required=None):
    """No edge of W that P dropped can be put back without a cycle (required edges included)."""
    graph = (P != 0) | (np.zeros(W.shape, bool) if required is None else np.asarray(required, bool))
    np.fill_diagonal(graph, False)
    for i, j in zip(*np.nonzero((W != 0) & (P == 0))):
        if i != j:
            assert _reaches(graph, j, i), f"({i}, {j}) was removed but closes no cycle"


# ----------------------------------------------------------------------------- every learner
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("threshold", [0.0, 0.3, 0.9])
@pytest.mark.parametrize("max_iter", [1, None], ids=["max_iter=1", "fast-default"])
def test_early_stop_and_zero_threshold_still_give_a_dag(learner, threshold, max_iter):
    # 0: nothing is thresholded away, so only the learner's own acyclicity (or the projection)
    # stands between it and a cycle. DP-DAG's edge_threshold is on probabilities: 0 → 1e-9.
    X = sem(3, d=8, k=3)
    model = make(learner, max_iter=max_iter, threshold=threshold).fit(X)
    check_output(model, 8)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("seed", range(5))
def test_cosmo_always_a_dag(seed):
    X = sem(seed, d=12, k=4, n=200)
    assert is_dag(COSMO(random_state=seed, max_iter=50, w_threshold=0.0).fit(X).adjacency_)


# ----------------------------------------------------------------------------- projection
@pytest.mark.parametrize("d", [2, 10, 50])
@pytest.mark.parametrize("seed", [0, 1])
def test_projection_leaves_a_dag_unchanged(d, seed):
    W = _random_dag(d, seed)
    P = project_to_dag(W)
    np.testing.assert_array_equal(P, W)
    assert P is not W


def test_projection_zeroes_the_diagonal_only():
    W = _edges(3, [(0, 1, 1.0), (1, 2, 2.0)])
    W[1, 1] = 5.0
    expected = W.copy()
    expected[1, 1] = 0.0
    np.testing.assert_array_equal(project_to_dag(W), expected)


def test_projection_removes_only_edges_that_close_a_cycle():
    # 2 -> 0 (9) and 1 -> 0 (6) are kept; 0 -> 1 (5) closes 0 -> 1 -> 0; 1 -> 2 (3) closes nothing
    W = np.array([[0.0, 5.0, 0.0], [6.0, 0.0, 3.0], [9.0, 0.0, 0.0]])
    np.testing.assert_array_equal(project_to_dag(W), [[0.0, 0.0, 0.0], [6.0, 0.0, 3.0], [9.0, 0.0, 0.0]])


def test_projection_removes_weakest_edge_of_three_cycle():
    # cycle 0→1→2→0 plus edges that lie on no cycle (3→0, 2→4, 1→4, weak ones too)
    W = _edges(5, [(0, 1, 0.9), (1, 2, -0.5), (2, 0, 0.7), (3, 0, 0.01), (2, 4, -0.02), (1, 4, 3.0)])
    P = project_to_dag(W)
    expected = W.copy()
    expected[1, 2] = 0.0
    np.testing.assert_array_equal(P, expected)
    assert is_dag(P)


def test_projection_uses_absolute_values():
    W = _edges(3, [(0, 1, -0.2), (1, 2, 0.5), (2, 0, -0.9)])
    np.testing.assert_array_equal(project_to_dag(W), _edges(3, [(1, 2, 0.5), (2, 0, -0.9)]))


def test_projection_two_cycles():
    W = _edges(4, [(0, 1, 1.0), (1, 0, 0.4), (2, 3, -0.3), (3, 2, 0.6), (1, 2, 0.1)])
    expected = W.copy()
    expected[1, 0] = 0.0
    expected[2, 3] = 0.0
    np.testing.assert_array_equal(project_to_dag(W), expected)


@pytest.mark.parametrize(
    "triples,removed",
    [
        # equal |w|: the edges come in row-major order, the last one of the cycle goes
        ([(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)], (2, 0)),
        ([(2, 1, 1.0), (1, 0, -1.0), (0, 2, 1.0)], (2, 1)),
        ([(3, 1, 0.5), (1, 2, 0.5), (2, 3, -0.5), (1, 0, 0.1)], (3, 1)),
    ],
)
def test_projection_breaks_ties_by_index(triples, removed):
    W = _edges(4, triples)
    P = project_to_dag(W)
    expected = W.copy()
    expected[removed] = 0.0
    np.testing.assert_array_equal(P, expected)
    # deterministic
    for _ in range(3):
        np.testing.assert_array_equal(project_to_dag(W), P)


def test_projection_never_removes_required_edges():
    W = _edges(3, [(0, 1, 0.9), (1, 2, 0.1), (2, 0, 0.7)])
    required = np.zeros((3, 3), bool)
    required[1, 2] = True  # the weakest edge is required: the next weakest (2, 0) goes
    P = project_to_dag(W, required=required)
    np.testing.assert_array_equal(P, _edges(3, [(0, 1, 0.9), (1, 2, 0.1)]))


@pytest.mark.parametrize("d", [8, 30])
def test_projection_keeps_required_edges_on_dense_matrix(d):
    W = _dense(d, d)
    # required: a random DAG's edges (so they cannot form a cycle), given small weights
    R = _random_dag(d, 100 + d, density=0.2) != 0
    W[R] = 1e-3 * np.sign(W[R])
    P = project_to_dag(W, required=R)
    assert is_dag(P)
    assert np.all(P[R] == W[R])
    _assert_maximal(P, W, R)
    np.testing.assert_array_equal(P, _reference_projection(W, R))


def test_projection_required_cycle_raises():
    W = _edges(3, [(0, 1, 0.9), (1, 2, 0.1), (2, 0, 0.7)])
    required = np.zeros((3, 3), bool)
    required[0, 1] = required[1, 2] = required[2, 0] = True
    with pytest.raises(InvalidInputError, match=r"required edges form a directed cycle"):
        project_to_dag(W, required=required)
    # a required 2-cycle inside a larger dense component
    W = _dense(6, 0)
    required = np.zeros((6, 6), bool)
    required[2, 4] = required[4, 2] = True
    with pytest.raises(InvalidInputError, match=r"cycle"):
        project_to_dag(W, required=required)


@pytest.mark.parametrize("d", [30, 100])
@pytest.mark.parametrize("seed", [0, 1])
def test_projection_of_dense_matrix_is_a_dag(d, seed):
    W = _dense(d, seed)
    P = project_to_dag(W)
    assert is_dag(P)
    kept = P != 0
    np.testing.assert_array_equal(P[kept], W[kept])  # surviving weights unchanged
    # a maximal acyclic subgraph of a complete digraph is a total order: d(d−1)/2 edges
    assert int(kept.sum()) == d * (d - 1) // 2
    if d <= 30:
        np.testing.assert_array_equal(P, _reference_projection(W))


def test_projection_only_touches_edges_inside_cycles():
    rng = np.random.default_rng(3)
    d = 40
    W = _random_dag(d, 3, density=0.3)
    # add a few short cycles
    for _ in range(6):
        i, j = rng.choice(d, 2, replace=False)
        W[j, i] = W[i, j] = rng.uniform(0.1, 1.0)
    G = nx.DiGraph((W != 0).astype(int))
    comp = {v: k for k, c in enumerate(nx.strongly_connected_components(G)) for v in c}
    P = project_to_dag(W)
    assert is_dag(P)
    for i, j in zip(*np.nonzero(W)):
        if comp[i] != comp[j]:
            assert P[i, j] == W[i, j]
    np.testing.assert_array_equal(P, _reference_projection(W))


@pytest.mark.parametrize("seed", range(60))
def test_projection_matches_naive_rule(seed):
    """The incremental implementation equals the greedy rule written naively, including ties
    (weights drawn from a few values) and required edges, and its result is maximal."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(3, 9))
    W = rng.choice([-1.0, -0.5, 0.5, 1.0, 2.0], (d, d)) * (rng.random((d, d)) < rng.uniform(0.3, 0.9))
    np.fill_diagonal(W, 0.0)
    required = None
    if seed % 3 == 0:
        required = (_random_dag(d, seed, density=0.3) != 0) & (W != 0)
    P = project_to_dag(W, required=required)
    np.testing.assert_array_equal(P, _reference_projection(W, required))
    _assert_maximal(P, W, required)


def test_projection_required_edge_of_weight_zero_counts():
    W = _edges(3, [(0, 1, 1.0), (1, 2, 1.0)])
    required = np.zeros((3, 3), bool)
    required[2, 0] = True  # an edge of the graph although W[2, 0] == 0: 1 -> 2 (tied, later) goes
    np.testing.assert_array_equal(project_to_dag(W, required=required), _edges(3, [(0, 1, 1.0)]))


def test_projection_d500_dense():
    # its speed is measured by benchmarks/bench_projection.py
    W = _dense(500, 42)
    P = project_to_dag(W)
    assert is_dag(P)
    kept = P != 0
    np.testing.assert_array_equal(P[kept], W[kept])
    assert int(kept.sum()) == 500 * 499 // 2


def test_projection_rejects_bad_input():
    with pytest.raises(InvalidInputError, match=r"square"):
        project_to_dag(np.ones((3, 4)))
    with pytest.raises(InvalidInputError, match=r"NaN or inf"):
        project_to_dag(np.array([[0.0, np.nan], [1.0, 0.0]]))
    with pytest.raises(InvalidInputError, match=r"required must have shape"):
        project_to_dag(np.ones((3, 3)), required=np.zeros((3, 2), bool))


# ----------------------------------------------------------------------------- order, is_dag
@pytest.mark.parametrize("d", [1, 5, 30, 120])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_topological_order_is_valid_and_lexicographically_smallest(d, seed):
    W = _random_dag(d, seed)
    order = topological_order(W)
    assert order is not None and order.dtype.kind == "i"
    assert sorted(order.tolist()) == list(range(d))
    position = np.empty(d, dtype=int)
    position[order] = np.arange(d)
    for i, j in zip(*np.nonzero(W)):
        assert position[i] < position[j]
    G = nx.DiGraph()
    G.add_nodes_from(range(d))
    G.add_edges_from(zip(*np.nonzero(W)))
    assert order.tolist() == list(nx.lexicographical_topological_sort(G))
    assert is_dag(W)


def test_topological_order_examples():
    np.testing.assert_array_equal(topological_order(np.zeros((4, 4))), [0, 1, 2, 3])
    W = _edges(4, [(3, 1, 1.0), (2, 0, 1.0), (0, 1, -2.0)])
    np.testing.assert_array_equal(topological_order(W), [2, 0, 3, 1])


@pytest.mark.parametrize(
    "triples,cycle",
    [
        ([(0, 1, 1.0), (1, 0, 1.0)], "0 → 1 → 0"),
        ([(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1e-300)], "0 → 1 → 2 → 0"),
        ([(2, 2, 0.5)], "2 → 2"),  # a self-loop is a cycle
        ([(4, 0, 1.0), (0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 1, -1.0)], "1 → 2 → 3 → 1"),
    ],
)
def test_topological_order_raises_naming_a_cycle(triples, cycle):
    W = _edges(5, triples)
    with pytest.raises(InvalidInputError, match=rf"directed cycle \({cycle}\)"):
        topological_order(W)
    assert not is_dag(W)


def test_threshold_helper():
    W = np.array([[0.5, 0.2, -0.4], [-0.1, 0.0, 0.3], [0.29, -0.31, 1.0]])
    np.testing.assert_array_equal(threshold(W, 0.3), [[0, 0, -0.4], [0, 0, 0.3], [0, -0.31, 0]])
    assert W[0, 0] == 0.5  # not modified in place
