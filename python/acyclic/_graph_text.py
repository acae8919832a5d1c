"""Text formats of a weighted DAG: DOT (written and read back, without pydot or graphviz) and GML.

:func:`to_dot` writes, and :func:`from_dot` reads, a simple subset of Graphviz's DOT language: a
``digraph`` of node statements and ``a -> b [weight=...]`` edge statements. :func:`to_gml` writes
GML through networkx, in the form DoWhy's ``CausalModel(graph=...)`` and ``networkx.parse_gml``
read. The public names are re-exported by :mod:`acyclic.graph`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from ._validation import as_square_matrix
from .exceptions import InvalidInputError

__all__ = ["check_labels", "from_dot", "to_dot", "to_gml"]


def check_labels(labels: Optional[Sequence], d: int, as_str: bool = False) -> List:
    """The node labels of a d×d matrix: ``0..d-1`` when None, else ``labels`` checked.

    Parameters
    ----------
    labels : sequence of length d, optional
        Node names.
    d : int
        The number of nodes.
    as_str : bool, default False
        Convert every label with ``str`` (the default labels become ``"0"``, ``"1"``, ...) and
        check the converted names for repeats (``1`` and ``"1"`` would become one node).

    Returns
    -------
    list
        The labels, in order.

    Raises
    ------
    InvalidInputError
        If there are not d labels, or two are equal.
    """
    out = list(range(d)) if labels is None else list(labels)
    if as_str:
        out = [str(label) for label in out]
    if len(out) != d:
        raise InvalidInputError(f"got {len(out)} labels for a {d}x{d} matrix")
    repeated = [label for label, count in Counter(out).items() if count > 1]
    if repeated:
        raise InvalidInputError(
            f"duplicate label(s) {', '.join(map(repr, repeated))}: each node needs its own name "
            "(equal labels would merge their nodes)"
        )
    return out


# ---------------------------------------------------------------------------------------------
# DOT, written


def _dot_string(text: str) -> str:
    """A DOT quoted string. Backslashes are doubled so that a label ending in one cannot escape the
    closing quote; newlines become ``\\n`` (Graphviz shows a line break there too)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


# A DOT numeral: no exponent, so repr's "1e-05" must be quoted.
_DOT_NUMERAL = re.compile(r"-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)")


def _dot_weight(w: float) -> str:
    text = repr(float(w))  # the shortest string that reads back as the same float
    return text if _DOT_NUMERAL.fullmatch(text) else f'"{text}"'


def to_dot(W, labels: Optional[Sequence] = None) -> str:
    """A weighted adjacency matrix as a Graphviz DOT ``digraph``.

    One statement per node in the order of W's rows, then one ``"a" -> "b" [weight=w]`` per
    non-zero off-diagonal entry, row by row (so equal inputs give equal text). Every name is
    quoted; the weight is written with ``repr`` and so reads back as the same float
    (:func:`from_dot`). Graphviz draws the text as it is (``dot -Tsvg``); its ``dot`` layout
    reads ``weight`` as a layout hint (and Graphviz 2.43 crashed on weights of about 10⁹ and
    more: scale such a matrix before drawing it).

    Parameters
    ----------
    W : array-like of shape (d, d)
        Finite weights, ``W[i, j] != 0`` meaning the edge i → j. The diagonal is ignored.
    labels : sequence of length d, optional
        Node names, converted with ``str`` (default ``"0"``, ..., ``"d-1"``), all different. Any
        text works: quotes, backslashes, spaces, newlines and DOT keywords are escaped.

    Returns
    -------
    str
        ``digraph {`` ... ``}``, one statement per line, ending with a newline.

    Raises
    ------
    InvalidInputError
        W not square or non-finite, or labels of the wrong length or repeating a name.

    Examples
    --------
    >>> print(to_dot([[0, 0.5], [0, 0]], labels=["x", "y z"]), end="")
    digraph {
      "x";
      "y z";
      "x" -> "y z" [weight=0.5];
    }
    """
    A = as_square_matrix(W, "W")
    names = [_dot_string(label) for label in check_labels(labels, A.shape[0], as_str=True)]
    lines = ["digraph {"]
    lines += [f"  {name};" for name in names]
    for i, j in zip(*np.nonzero(A)):
        if i != j:
            lines.append(f"  {names[i]} -> {names[j]} [weight={_dot_weight(A[i, j])}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# DOT, read


class _Token(NamedTuple):
    kind: str  # "id" (a name, numeral or quoted string), "keyword" or the punctuation itself
    text: str
    line: int


_KEYWORDS = {"strict", "graph", "digraph", "node", "edge", "subgraph"}
_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<quoted>"(?:[^"\\]|\\.|\\\n)*")
  | (?P<name>[A-Za-z_\u0080-\U0010ffff][A-Za-z_0-9\u0080-\U0010ffff]*)
  | (?P<numeral>-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
  | (?P<punct>->|--|[{}\[\];,=:<+])
    """,
    re.VERBOSE | re.DOTALL,
)
_UNESCAPE = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "\n": ""}  # backslash-newline: a continued line


def _unquote(body: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(0)), body, flags=re.DOTALL)


def _tokens(text: str) -> Iterator[_Token]:
    line, pos = 1, 0
    at_line_start = True
    while pos < len(text):
        if at_line_start and text[pos] == "#":  # a C preprocessor line, which DOT skips
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
            continue
        match = _TOKEN.match(text, pos)
        if match is None:
            what = {'"': "a quoted string is not closed", "/": "a /* comment is not closed"}.get(
                text[pos], f"unexpected character {text[pos]!r}"
            )
            raise InvalidInputError(f"from_dot: line {line}: {what}")
        kind, value = match.lastgroup, match.group()
        pos = match.end()
        if kind == "newline":
            line, at_line_start = line + 1, True
            continue
        if kind == "space":
            continue
        at_line_start = False
        if kind == "comment":
            line += value.count("\n")
        elif kind == "quoted":
            yield _Token("id", _unquote(value[1:-1]), line)
            line += value.count("\n")
        elif kind == "name" and value.lower() in _KEYWORDS:
            yield _Token("keyword", value.lower(), line)
        elif kind in ("name", "numeral"):
            yield _Token("id", value, line)
        elif value == "<":
            raise InvalidInputError(f"from_dot: line {line}: HTML-like strings (<...>) are not read; quote the name")
        else:
            yield _Token(value, value, line)


class _DotReader:
    """A recursive-descent reader of the DOT subset: ``[strict] digraph [name] { statements }``
    where a statement is a node (``"a" [attributes]``), an edge chain (``"a" -> "b" -> "c"
    [attributes]``), a default (``graph|node|edge [attributes]``) or a graph attribute (``a = b``);
    defaults and attributes other than an edge's ``weight`` are read and ignored."""

    def __init__(self, text: str):
        self.tokens = list(_tokens(text))
        self.pos = 0
        self.index: Dict[str, int] = {}  # node name -> row of W, in order of first appearance
        self.edges: Dict[Tuple[int, int], float] = {}

    def _peek(self) -> Optional[_Token]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _fail(self, expected: str) -> InvalidInputError:
        token = self._peek()
        if token is None:
            last = self.tokens[-1].line if self.tokens else 1
            return InvalidInputError(f"from_dot: line {last}: expected {expected}, got the end of the text")
        got = repr(token.text) if token.kind != "id" else f"the name {token.text!r}"
        return InvalidInputError(f"from_dot: line {token.line}: expected {expected}, got {got}")

    def _take(self, kind: str, text: Optional[str] = None, expected: Optional[str] = None) -> _Token:
        token = self._peek()
        if token is None or token.kind != kind or (text is not None and token.text != text):
            raise self._fail(expected or repr(text or kind))
        self.pos += 1
        return token

    def _accept(self, kind: str, text: Optional[str] = None) -> bool:
        token = self._peek()
        if token is not None and token.kind == kind and (text is None or token.text == text):
            self.pos += 1
            return True
        return False

    def read(self) -> Tuple[np.ndarray, List[str]]:
        self._accept("keyword", "strict")
        token = self._peek()
        if token is not None and token.kind == "keyword" and token.text == "graph":
            raise InvalidInputError(
                f"from_dot: line {token.line}: an undirected 'graph'; a DAG is written as a 'digraph'"
            )
        self._take("keyword", "digraph", "'digraph'")
        self._accept("id")  # the graph's name
        self._take("{", expected="'{'")
        while not self._accept("}"):
            self._statement()
            self._accept(";")
        if self._peek() is not None:
            raise self._fail("the end of the text after the closing '}'")
        labels = list(self.index)
        W = np.zeros((len(labels), len(labels)), dtype=np.float64)
        for (i, j), w in self.edges.items():
            W[i, j] = w
        return W, labels

    def _statement(self) -> None:
        token = self._peek()
        if token is None:
            raise self._fail("a statement or '}'")
        if token.kind == "keyword" and token.text in ("graph", "node", "edge"):
            self.pos += 1
            self._attributes(required=True)
            return
        if token.kind == "keyword" and token.text == "subgraph" or token.kind == "{":
            raise InvalidInputError(
                f"from_dot: line {token.line}: subgraphs are not read; write one statement per node and per edge"
            )
        first = self._take("id", expected="a node name, 'graph', 'node', 'edge' or '}'")
        if self._accept("="):  # a graph attribute such as rankdir=LR
            self._take("id", expected="an attribute value")
            return
        self._no_port()
        chain = [first]
        while True:
            arrow = self._peek()
            if arrow is None or arrow.kind not in ("->", "--"):
                break
            if arrow.kind == "--":
                raise InvalidInputError(
                    f"from_dot: line {arrow.line}: an undirected edge '--'; a DAG's edges are written 'a -> b'"
                )
            self.pos += 1
            chain.append(self._take("id", expected="a node name after '->'"))
            self._no_port()
        attributes = self._attributes(required=False)
        for name in chain:
            self.index.setdefault(name.text, len(self.index))
        if len(chain) > 1:
            weight = self._weight(attributes, chain[0].line)
            for tail, head in zip(chain, chain[1:]):
                self._add_edge(tail, head, weight)

    def _no_port(self) -> None:
        token = self._peek()
        if token is not None and token.kind == ":":
            raise InvalidInputError(f"from_dot: line {token.line}: node ports (name:port) are not read")

    def _attributes(self, required: bool) -> Dict[str, str]:
        attributes: Dict[str, str] = {}
        token = self._peek()
        if required and (token is None or token.kind != "["):
            raise self._fail("'[' and a list of attributes")
        while self._accept("["):
            while not self._accept("]"):
                key = self._take("id", expected="an attribute name or ']'")
                self._take("=", expected=f"'=' after the attribute {key.text!r}")
                attributes[key.text] = self._take("id", expected=f"a value of the attribute {key.text!r}").text
                if not self._accept(","):
                    self._accept(";")
        return attributes

    @staticmethod
    def _weight(attributes: Dict[str, str], line: int) -> float:
        if "weight" not in attributes:
            return 1.0  # an unweighted edge, as in acyclic.graph.from_networkx
        text = attributes["weight"]
        try:
            weight = float(text)
        except ValueError:
            raise InvalidInputError(f"from_dot: line {line}: the weight {text!r} is not a number") from None
        if not math.isfinite(weight):
            raise InvalidInputError(f"from_dot: line {line}: the weight {text!r} is not finite")
        if weight == 0.0:
            raise InvalidInputError(
                f"from_dot: line {line}: an edge with weight 0, which a weight matrix cannot hold "
                "(W[i, j] = 0 means no edge)"
            )
        return weight

    def _add_edge(self, tail: _Token, head: _Token, weight: float) -> None:
        i, j = self.index[tail.text], self.index[head.text]
        if i == j:
            raise InvalidInputError(f"from_dot: line {tail.line}: a self-loop {tail.text!r} -> {head.text!r}")
        if (i, j) in self.edges:
            raise InvalidInputError(
                f"from_dot: line {tail.line}: the edge {tail.text!r} -> {head.text!r} appears twice"
            )
        self.edges[i, j] = weight


def from_dot(text: str) -> Tuple[np.ndarray, List[str]]:
    """Read a DOT ``digraph`` (as written by :func:`to_dot`) back into ``(W, labels)``.

    The subset read: an optional ``strict``, ``digraph`` with an optional name, then statements
    separated by newlines or ``;``: nodes (``"a"`` or ``a [attributes]``), edges and edge chains
    (``"a" -> "b" [weight=0.5]``, ``a -> b -> c``), defaults (``node [shape=box]``) and graph
    attributes (``rankdir=LR``). Names are quoted strings (``\\"``, ``\\\\``, ``\\n`` and ``\\r``
    escaped as :func:`to_dot` writes them; other backslashes kept), identifiers or numerals;
    ``//``, ``/* */`` and ``#`` comments are skipped. Attributes other than an edge's ``weight``
    are ignored.

    Parameters
    ----------
    text : str
        The DOT text.

    Returns
    -------
    W : numpy.ndarray of shape (d, d)
        Float64 weights: ``W[i, j]`` is the ``weight`` of the edge ``labels[i] -> labels[j]``
        (1.0 for an edge without one), 0 elsewhere. Neither acyclicity nor a zero diagonal of
        the input is assumed; a cycle comes back as it is (see :func:`acyclic.graph.is_dag`).
    labels : list of str
        The nodes in the order of their first appearance (for :func:`to_dot`'s text, W's rows).

    Raises
    ------
    InvalidInputError
        On text outside the subset, naming the line: an undirected ``graph`` or ``--`` edge,
        subgraphs, ports, HTML-like strings, a missing brace, an unterminated string, a weight
        that is not a finite non-zero number, a self-loop, or the same edge twice.
    TypeError
        If ``text`` is not a str.

    Examples
    --------
    >>> W, labels = from_dot('digraph { "x" -> "y z" [weight=0.5]; }')
    >>> W.tolist(), labels
    ([[0.0, 0.5], [0.0, 0.0]], ['x', 'y z'])
    """
    if not isinstance(text, str):
        raise TypeError(f"from_dot reads a str, got {type(text).__name__}")
    return _DotReader(text).read()


# ---------------------------------------------------------------------------------------------
# GML


def to_gml(W, labels: Optional[Sequence] = None) -> str:
    """A weighted adjacency matrix as GML text for DoWhy and networkx.

    The networkx GML writer (:func:`networkx.generate_gml`) of :func:`acyclic.graph.to_networkx`'s
    graph with ``str`` labels, on one line: ``graph [ directed 1 node [ id 0 label "a" ] ...
    edge [ source 0 target 1 weight 0.5 ] ]``. ``networkx.parse_gml(text)`` reads it back as the
    same DiGraph (nodes named by their labels, the same weights exactly), and DoWhy's
    ``CausalModel(data, treatment, outcome, graph=text)`` takes it as a graph (DoWhy recognises
    GML text by ``graph [ ... ]``; on one line, so that releases which do not join lines read it
    too). Characters outside printable ASCII, quotes and ``&`` in labels are written as
    ``&#NNN;`` character references, which ``parse_gml`` turns back.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Finite weights, ``W[i, j] != 0`` meaning the edge i → j. The diagonal is ignored.
    labels : sequence of length d, optional
        Node names, converted with ``str`` (default ``"0"``, ..., ``"d-1"``), all different. For
        DoWhy they are the column names of its data frame.

    Returns
    -------
    str
        GML text on one line.

    Raises
    ------
    InvalidInputError
        W not square or non-finite, or labels of the wrong length or repeating a name.

    Notes
    -----
    DoWhy tells a file name from graph text with regular expressions that it tries first: text in
    which a label contains ``.gml``, ``.dot``, ``.txt`` or ``graph {...}`` is taken for something
    else. Pass such a graph to DoWhy as ``networkx.parse_gml(text)`` instead.

    Examples
    --------
    >>> to_gml([[0, 0.5], [0, 0]], labels=["x", "y"])
    'graph [ directed 1 node [ id 0 label "x" ] node [ id 1 label "y" ] edge [ source 0 target 1 weight 0.5 ] ]'
    """
    import networkx as nx

    from .graph import to_networkx

    A = as_square_matrix(W, "W")
    G = to_networkx(A, labels=check_labels(labels, A.shape[0], as_str=True))
    return " ".join(line.strip() for line in nx.generate_gml(G))
