"""Equivalence classes: ``acyclic.graph.to_cpdag`` against a brute-force oracle (every DAG of
the class enumerated), a learner's ``cpdag_``, ``metrics.shd_cpdag`` and the gadjid wrappers
``metrics.sid`` / ``metrics.aid``."""

import itertools
import sys

import networkx as nx
import numpy as np
import pytest
from acyclic import TOPO, SufficientStats
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_cpdag, targets_of_mask, to_cpdag
from acyclic.metrics import IdentificationDistance, aid, shd_cpdag, sid
from acyclic.simulate import simulate_dag, simulate_interventional_sem, simulate_linear_sem, simulate_parameter
from sklearn.exceptions import NotFittedError

CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])  # 0 -> 1 -> 2
COLLIDER = np.array([[0, 1, 0], [0, 0, 0], [0, 1, 0]])  # 0 -> 1 <- 2


# ----------------------------------------------------------------------------- the oracle
def _v_structures(B):
    d = B.shape[0]
    return {
        (a, b, c)
        for b in range(d)
        for a, c in itertools.combinations(np.flatnonzero(B[:, b]), 2)
        if not B[a, c] and not B[c, a]
    }


def _equivalence_class(B, targets=([],)):
    """Every DAG with B's skeleton and v-structures that, for each target set, orients every
    edge with exactly one endpoint in it as B does (Hauser & Bühlmann 2012, Theorem 10)."""
    edges = [(i, j) for i, j in zip(*np.nonzero(B))]
    cut = {(i, j) for i, j in edges for target in targets if (i in target) != (j in target)}
    members = []
    for flips in itertools.product((False, True), repeat=len(edges)):
        D = np.zeros_like(B)
        for (i, j), flip in zip(edges, flips):
            if flip and (i, j) in cut:
                break
            D[(j, i) if flip else (i, j)] = 1
        else:
            if nx.is_directed_acyclic_graph(nx.DiGraph(D)) and _v_structures(D) == _v_structures(B):
                members.append(D)
    return members


def _oracle_cpdag(B, targets=([],)):
    """Directed where every DAG of the class agrees, undirected where they differ."""
    members = _equivalence_class(B, targets)
    C = np.zeros_like(B)
    for D in members:
        C |= D
    return C


def _random_dag(rng, d):
    B = np.triu(rng.random((d, d)) < rng.uniform(0.3, 0.8), k=1).astype(np.int64)
    perm = rng.permutation(d)
    return B[np.ix_(perm, perm)]


def _random_targets(rng, d):
    sizes = rng.integers(1, 3, size=rng.integers(1, 3))
    return [[]] + [sorted(rng.choice(d, size=size, replace=False).tolist()) for size in sizes]


# ----------------------------------------------------------------------------- to_cpdag
def test_hand_checked_classes():
    np.testing.assert_array_equal(to_cpdag(CHAIN), [[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(to_cpdag(COLLIDER), COLLIDER)
    # R1 orients 2 -> 3 away from the collider 0 -> 2 <- 1; R2 then orients 0 -> 3
    B = np.zeros((4, 4), dtype=int)
    B[0, 2] = B[1, 2] = B[2, 3] = B[0, 3] = 1
    np.testing.assert_array_equal(to_cpdag(B), B)
    # weights count as edges, whatever their sign
    np.testing.assert_array_equal(to_cpdag(-0.5 * B), B)
    # the targets orient a chain: an experiment on 0 cuts 0 - 1, R1 does the rest; one on 2
    # cuts 1 - 2 only
    np.testing.assert_array_equal(to_cpdag(CHAIN, targets=[[], [0]]), CHAIN)
    np.testing.assert_array_equal(to_cpdag(CHAIN, targets=[[], [2]]), [[0, 1, 0], [1, 0, 1], [0, 0, 0]])
    assert to_cpdag(CHAIN).dtype == np.int64


@pytest.mark.parametrize("seed", range(30))
def test_cpdag_matches_the_enumerated_class(seed):
    rng = np.random.default_rng(seed)
    B = _random_dag(rng, int(rng.integers(3, 6)))
    C = to_cpdag(B)
    np.testing.assert_array_equal(C, _oracle_cpdag(B))
    assert is_cpdag(C)
    # the CPDAG is the same from every member of the class
    for D in _equivalence_class(B):
        np.testing.assert_array_equal(to_cpdag(D), C)


@pytest.mark.parametrize("seed", range(30))
def test_interventional_cpdag_matches_the_enumerated_class(seed):
    rng = np.random.default_rng(1000 + seed)
    d = int(rng.integers(3, 6))
    B = _random_dag(rng, d)
    targets = _random_targets(rng, d)
    C = to_cpdag(B, targets=targets)
    np.testing.assert_array_equal(C, _oracle_cpdag(B, targets))
    assert is_cpdag(C, targets=targets)
    # interventions only add orientations
    observational = to_cpdag(B)
    assert ((C != 0) <= (observational != 0)).all()


def test_is_cpdag_refuses_what_is_not_one():
    assert not is_cpdag(CHAIN)  # a DAG whose CPDAG has undirected edges
    square = np.zeros((4, 4), dtype=int)
    for i in range(4):
        square[i, (i + 1) % 4] = square[(i + 1) % 4, i] = 1
    assert not is_cpdag(square)  # an undirected 4-cycle has no chord
    partial = np.array([[0, 1, 0], [0, 0, 1], [0, 1, 0]])  # 0 -> 1 - 2 is not closed under R1
    assert not is_cpdag(partial)


def test_targets_of_mask_lists_the_distinct_rows():
    mask = np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0], [0, 1, 1], [1, 0, 0]], dtype=bool)
    assert targets_of_mask(mask) == [[], [0], [1, 2]]


@pytest.mark.parametrize(
    ("W", "targets", "match"),
    [
        (np.zeros((2, 3)), None, "square"),
        ([[0, 1], [1, 0]], None, "directed cycle 0 -> 1 -> 0"),
        ([[1, 0], [0, 0]], None, "directed cycle 0 -> 0"),
        ([[0, np.nan], [0, 0]], None, "NaN"),
        (CHAIN, [[3]], "names node 3"),
        (CHAIN, [[-1]], "names node -1"),
        (CHAIN, [0], r"write \[\[0\]\]"),
        (CHAIN, [[True]], "boolean"),
        (CHAIN, [[0.5]], "not a node index"),
        (CHAIN, [], "empty family"),
        (CHAIN, [[1], [1, 2]], "node 1 is in every target set"),
        (CHAIN, "abc", "list of lists"),
    ],
)
def test_bad_input_is_a_named_error(W, targets, match):
    with pytest.raises(InvalidInputError, match=match):
        to_cpdag(W, targets=targets)


# ----------------------------------------------------------------------------- cpdag_
def _data(seed=0, d=5):
    B = simulate_dag(d, 6, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return B, W


def test_a_learner_reports_the_class_of_its_dag():
    B, W = _data()
    X = simulate_linear_sem(W, 300, "gauss", random_state=0)
    model = TOPO().fit(X)
    np.testing.assert_array_equal(model.cpdag_, _oracle_cpdag(model.adjacency_))
    np.testing.assert_array_equal(model.cpdag_, to_cpdag(model.adjacency_))
    with pytest.raises(NotFittedError):
        TOPO().cpdag_  # noqa: B018 (the property raises)
    assert not hasattr(TOPO(), "cpdag_")


def test_an_interventional_fit_reports_the_interventional_class():
    B, W = _data(seed=1)
    X, mask, _ = simulate_interventional_sem(W, 300, [[0], [2, 3]], 100, random_state=1)
    targets = targets_of_mask(mask)
    assert targets == [[], [0], [2, 3]]
    model = TOPO().fit(X, intervention_mask=mask)
    np.testing.assert_array_equal(model.cpdag_, _oracle_cpdag(model.adjacency_, targets))
    # the same targets through sufficient statistics
    from_stats = TOPO().fit(SufficientStats.from_array(X, intervention_mask=mask))
    np.testing.assert_array_equal(from_stats.cpdag_, to_cpdag(from_stats.adjacency_, targets=targets))
    # an observational refit forgets them
    model.fit(X)
    np.testing.assert_array_equal(model.cpdag_, to_cpdag(model.adjacency_))


# ----------------------------------------------------------------------------- shd_cpdag
def test_shd_cpdag_counts_each_pair_once():
    reversed_chain = CHAIN.T
    assert shd_cpdag(CHAIN, reversed_chain) == 0  # the same class
    assert shd_cpdag(CHAIN, COLLIDER) == 2  # two pairs, directed vs undirected
    assert shd_cpdag(CHAIN, np.zeros((3, 3))) == 2  # two missing edges
    assert shd_cpdag(CHAIN, to_cpdag(CHAIN)) == 0  # a CPDAG is taken as one
    assert shd_cpdag(CHAIN, reversed_chain, targets=[[], [0]]) == 2  # both orientations now known
    full = np.triu(np.ones((3, 3), dtype=int), k=1)
    assert shd_cpdag(CHAIN, full) == 1  # one extra edge; all undirected in both


@pytest.mark.parametrize("seed", range(20))
def test_shd_cpdag_equals_gadjid_shd_on_cpdags(seed):
    gadjid = pytest.importorskip("gadjid")
    rng = np.random.default_rng(2000 + seed)
    d = int(rng.integers(2, 8))
    A, B = _random_dag(rng, d), _random_dag(rng, d)
    coded = []
    for G in (A, B):
        C = to_cpdag(G).astype(np.int8)
        C[(C == 1) & (C.T == 1)] = 2  # gadjid's undirected edge
        coded.append(C)
    assert shd_cpdag(A, B) == gadjid.shd(*coded)[1]


def test_shd_cpdag_refuses_bad_graphs():
    with pytest.raises(InvalidInputError, match="same shape"):
        shd_cpdag(CHAIN, np.zeros((2, 2)))
    with pytest.raises(InvalidInputError, match="B_est is not acyclic"):
        shd_cpdag(CHAIN, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    with pytest.raises(InvalidInputError, match="B_est has undirected edges .* not a CPDAG"):
        shd_cpdag(CHAIN, [[0, 1, 0], [0, 0, 1], [0, 1, 0]])
    with pytest.raises(InvalidInputError, match="names node 5"):
        shd_cpdag(CHAIN, CHAIN, targets=[[], [5]])


# ----------------------------------------------------------------------------- SID and AID
def test_sid_on_a_hand_computed_example():
    """True chain 0 -> 1 -> 2. The collider guess 0 -> 1 <- 2 gets (0, 1), (0, 2) and (1, 0)
    right (adjusting for nothing; 0 a parent of 1 means no effect) and (1, 2) (2 a parent of 1
    in the guess: "no effect"), (2, 0), (2, 1) (nothing adjusted, yet dependent) wrong: 3 of 6.
    The empty guess gets (1, 0), (2, 0), (2, 1) wrong; the reversed chain all 6."""
    pytest.importorskip("gadjid")
    assert sid(CHAIN, CHAIN) == IdentificationDistance(0.0, 0)
    assert sid(CHAIN, COLLIDER) == IdentificationDistance(0.5, 3)
    assert sid(CHAIN, np.zeros((3, 3))) == IdentificationDistance(0.5, 3)
    assert sid(CHAIN, CHAIN.T) == IdentificationDistance(1.0, 6)
    normalised, count = sid(CHAIN, 2.5 * COLLIDER)  # a tuple; weights count as edges
    assert (normalised, count) == (0.5, 3)
    # between DAGs the parent AID is the SID
    assert aid(CHAIN, COLLIDER, kind="parent") == sid(CHAIN, COLLIDER)


def test_aid_passes_the_orientation_and_cpdags_as_gadjid_reads_them():
    gadjid = pytest.importorskip("gadjid")
    # gadjid's README example, given here from row to column
    true = np.array([[0, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    guess = np.array([[0, 0, 1, 1, 1], [1, 0, 1, 1, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    for kind in ("ancestor", "oset", "parent"):
        expected = getattr(gadjid, f"{kind}_aid")(
            true.T.astype(np.int8), guess.T.astype(np.int8), edge_direction="from column to row"
        )
        assert aid(true, guess, kind=kind) == expected
    # a CPDAG in our coding (both entries 1) is gadjid's 2
    coded = np.array([[0, 2, 0], [0, 0, 2], [0, 0, 0]], dtype=np.int8)
    for kind in ("ancestor", "oset", "parent"):
        expected = getattr(gadjid, f"{kind}_aid")(CHAIN.astype(np.int8), coded, edge_direction="from row to column")
        assert aid(CHAIN, to_cpdag(CHAIN), kind=kind) == expected
        assert aid(to_cpdag(CHAIN), to_cpdag(CHAIN), kind=kind) == IdentificationDistance(0.0, 0)


def test_identification_distances_refuse_bad_input(monkeypatch):
    pytest.importorskip("gadjid")
    with pytest.raises(InvalidInputError, match="SID compares DAGs"):
        sid(CHAIN, to_cpdag(CHAIN))
    with pytest.raises(InvalidInputError, match="not acyclic"):
        sid(CHAIN, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    square = np.zeros((4, 4))
    for i in range(4):
        square[i, (i + 1) % 4] = square[(i + 1) % 4, i] = 1
    with pytest.raises(InvalidInputError, match="not a CPDAG"):
        aid(square, np.zeros((4, 4)))
    with pytest.raises(InvalidInputError, match="kind must be one of"):
        aid(CHAIN, CHAIN, kind="sid")
    with pytest.raises(InvalidInputError, match="same shape"):
        aid(CHAIN, np.zeros((4, 4)))
    assert sid([[0]], [[0]]) == IdentificationDistance(0.0, 0)  # no pairs (gadjid refuses d < 2)
    monkeypatch.setitem(sys.modules, "gadjid", None)
    with pytest.raises(ImportError, match="pip install gadjid"):
        sid(CHAIN, CHAIN)
