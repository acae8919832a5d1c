"""DOT and GML text of weighted DAGs: acyclic.graph.to_dot / from_dot / to_gml and the learners'
to_dot() / to_gml()."""

import shutil
import subprocess

import acyclic
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from acyclic.exceptions import InvalidInputError
from acyclic.graph import from_dot, to_dot, to_gml, to_networkx
from acyclic.simulate import simulate_dag
from sklearn.exceptions import NotFittedError

# Names a writer must escape: spaces, quotes, backslashes (one at the end too), newlines, DOT
# keywords and punctuation, numbers, non-ASCII, GML's '&' and '#'.
AWKWARD = [
    "a b",
    'say "hi"',
    "back\\slash",
    "ends with \\",
    "\\",
    '\\"',
    "two\nlines",
    "cr\rhere",
    "digraph",
    "node",
    "Edge",
    "->",
    "a -> b",
    "{x}",
    "[w=1]",
    "x;y",
    "42",
    "-1.5",
    "",
    " ",
    "Straße → β",
    "&amp; #1",
    "// not a comment",
    "/* nor this */",
]


def _random_weighted_dag(seed: int, d: int):
    """A random DAG with full-precision weights over many orders of magnitude, both signs."""
    rng = np.random.default_rng(seed)
    B = simulate_dag(d, min(2 * d, d * (d - 1) // 2), "ER", random_state=seed)
    magnitudes = 10.0 ** rng.uniform(-12, 12, size=(d, d))
    W = B * rng.choice([-1.0, 1.0], size=(d, d)) * magnitudes * rng.uniform(0.5, 2.0, size=(d, d))
    labels = list(rng.permutation(AWKWARD))[:d] if d <= len(AWKWARD) else [f"v {k}" for k in range(d)]
    return W, labels


@pytest.mark.parametrize("seed", range(25))
def test_dot_round_trip_is_exact(seed):
    d = 3 + seed % 20
    W, labels = _random_weighted_dag(seed, d)
    text = to_dot(W, labels)
    W2, labels2 = from_dot(text)
    assert labels2 == labels
    assert W2.dtype == np.float64 and W2.shape == (d, d)
    assert np.array_equal(W2, W)  # every weight bit for bit
    assert to_dot(W2, labels2) == text  # and the text is stable


@pytest.mark.parametrize("seed", range(25))
def test_gml_is_read_back_by_networkx_as_the_same_digraph(seed):
    d = 3 + seed % 20
    W, labels = _random_weighted_dag(seed, d)
    text = to_gml(W, labels)
    assert "\n" not in text and text.startswith("graph [ directed 1 ")
    G = nx.parse_gml(text)
    expected = to_networkx(W, labels)
    assert G.is_directed() and not G.is_multigraph()
    assert list(G.nodes) == labels
    assert nx.utils.graphs_equal(G, expected)  # nodes, edges and each edge's weight, exactly
    assert sorted(G.edges(data="weight")) == sorted(expected.edges(data="weight"))


def test_default_labels_and_node_order():
    W = np.array([[0.0, 0.0, 0.0], [2.5, 0.0, 0.0], [0.0, -1.0, 7.0]])  # the diagonal is ignored
    assert to_dot(W) == (
        'digraph {\n  "0";\n  "1";\n  "2";\n  "1" -> "0" [weight=2.5];\n  "2" -> "1" [weight=-1.0];\n}\n'
    )
    W2, labels = from_dot(to_dot(W))
    assert labels == ["0", "1", "2"] and np.array_equal(W2, W * (1 - np.eye(3)))
    assert list(nx.parse_gml(to_gml(W)).nodes) == ["0", "1", "2"]
    assert from_dot(to_dot(np.zeros((0, 0))))[1] == []


def test_weights_that_are_not_dot_numerals_are_quoted():
    text = to_dot([[0, 1e-300, 3.0], [0, 0, -2.5e17], [0, 0, 0]], ["a", "b", "c"])
    assert '[weight="1e-300"]' in text and '[weight="-2.5e+17"]' in text and "[weight=3.0]" in text
    assert from_dot(text)[0][0, 1] == 1e-300


def test_from_dot_reads_hand_written_dot():
    text = """
    # a preprocessor line
    strict digraph "my graph" {
      graph [rankdir=LR]; node [shape=box]   // defaults are ignored
      rankdir = TB
      /* a block
         comment */
      x [label="the x"];
      x -> y -> "z z" [weight=.5, color=red]
      y -> w
      "multi
line" -> x [weight="-3"]
    }
    """
    W, labels = from_dot(text)
    assert labels == ["x", "y", "z z", "w", "multi\nline"]
    expected = np.zeros((5, 5))
    expected[0, 1] = expected[1, 2] = 0.5  # a chain's attributes belong to each of its edges
    expected[1, 3] = 1.0  # no weight: 1, as in from_networkx
    expected[4, 0] = -3.0
    assert np.array_equal(W, expected)


def test_from_dot_keeps_cycles_and_other_backslashes():
    W, labels = from_dot('digraph { a -> b; b -> a; "p\\lq" }')
    assert labels == ["a", "b", "p\\lq"]
    assert not acyclic.graph.is_dag(W)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "expected 'digraph', got the end of the text"),
        ("graph { a -- b }", "undirected 'graph'"),
        ("digraph { a -- b }", "undirected edge '--'"),
        ("digraph { a -> b", "expected a statement or '}'"),
        ("digraph a -> b }", "expected '{'"),
        ('digraph { "a -> b }', "line 1: a quoted string is not closed"),
        ("digraph {\n a -> b\n /* open", "line 3: a /* comment is not closed"),
        ("digraph { subgraph s { a } }", "subgraphs are not read"),
        ("digraph { { a b } -> c }", "subgraphs are not read"),
        ("digraph { a:n -> b }", "ports (name:port) are not read"),
        ("digraph { <b>bold</b> }", "HTML-like strings"),
        ("digraph { a -> b [weight=heavy] }", "the weight 'heavy' is not a number"),
        ('digraph { a -> b [weight="inf"] }', "is not finite"),
        ('digraph { a -> b [weight="nan"] }', "is not finite"),
        ("digraph { a -> b [weight=0] }", "weight 0"),
        ("digraph { a -> a }", "a self-loop 'a' -> 'a'"),
        ("digraph {\n a -> b [weight=1]\n a -> b [weight=2] }", "line 3: the edge 'a' -> 'b' appears twice"),
        ("digraph { a -> }", "expected a node name after '->'"),
        ("digraph { a -> b [weight] }", "expected '=' after the attribute 'weight'"),
        ("digraph { a -> b [weight=] }", "expected a value of the attribute 'weight'"),
        ("digraph { node }", "expected '[' and a list of attributes"),
        ("digraph { a = }", "expected an attribute value"),
        ("digraph { a } digraph { b }", "expected the end of the text after the closing '}'"),
        ("digraph { a ? b }", "unexpected character '?'"),
        ('digraph { "a" + "b" }', "got '+'"),
    ],
)
def test_malformed_dot_is_a_named_error(text, message):
    with pytest.raises(InvalidInputError, match="from_dot: ") as info:
        from_dot(text)
    assert message in str(info.value)


def test_from_dot_reads_text_only():
    with pytest.raises(TypeError, match="reads a str"):
        from_dot(b"digraph {}")


@pytest.mark.parametrize("writer", [to_dot, to_gml])
def test_writers_refuse_bad_matrices_and_labels(writer):
    with pytest.raises(InvalidInputError):
        writer(np.zeros((2, 3)))
    with pytest.raises(InvalidInputError):
        writer([[0, np.nan], [0, 0]])
    with pytest.raises(InvalidInputError, match="got 1 labels for a 2x2 matrix"):
        writer(np.zeros((2, 2)), labels=["a"])
    with pytest.raises(InvalidInputError, match="duplicate label"):
        writer(np.zeros((2, 2)), labels=[1, "1"])  # equal once written as text


def test_learner_methods_match_the_functions():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    X[:, 1] += 2 * X[:, 0]
    X[:, 2] -= 1.5 * X[:, 1]
    model = acyclic.NOTEARS()
    with pytest.raises(NotFittedError):
        model.to_dot()
    with pytest.raises(NotFittedError):
        model.to_gml()
    model.fit(pd.DataFrame(X, columns=["in put", 'the "mid"', "out"]))
    assert model.to_dot() == to_dot(model.weights_, model.node_labels_)
    assert model.to_gml() == to_gml(model.weights_, model.node_labels_)
    W, labels = from_dot(model.to_dot())
    assert labels == ["in put", 'the "mid"', "out"] and np.array_equal(W, model.weights_)
    assert nx.utils.graphs_equal(nx.parse_gml(model.to_gml()), model.to_networkx())


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_graphviz_draws_the_dot_text():
    W, labels = _random_weighted_dag(3, 12)
    W = np.sign(W) * np.minimum(np.abs(W), 1e6)  # Graphviz 2.43's layout crashed on a weight of 7e9
    proc = subprocess.run(["dot", "-Tplain"], input=to_dot(W, labels), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    drawn = [line for line in proc.stdout.splitlines() if line.startswith("edge ")]
    assert len(drawn) == np.count_nonzero(W)


def test_dowhy_takes_the_gml_text():
    dowhy = pytest.importorskip("dowhy")  # not a dependency: runs where DoWhy happens to be installed
    rng = np.random.default_rng(0)
    z = rng.normal(size=2000)
    t = 1.5 * z + rng.normal(size=2000)
    y = 0.7 * z + 2.0 * t + rng.normal(size=2000)
    data = pd.DataFrame({"z": z, "the treatment": t, "y": y})
    W = np.array([[0, 1.5, 0.7], [0, 0, 2.0], [0, 0, 0]])
    model = dowhy.CausalModel(data=data, treatment="the treatment", outcome="y", graph=to_gml(W, list(data.columns)))
    estimand = model.identify_effect(proceed_when_unidentifiable=True)
    effect = model.estimate_effect(estimand, method_name="backdoor.linear_regression").value
    assert abs(effect - 2.0) < 0.1
