"""Prior knowledge about the graph: forbidden and required edges, sources, sinks and tiers.

Pass a :class:`PriorKnowledge` to any learner as ``prior_knowledge=``. It is turned into two
d×d boolean masks when the learner sees the data (node names are resolved against its column
labels), and every learner honours them exactly: forbidden weights are fixed at zero inside
the optimiser; required edges are exempt from the L1 term, the threshold and the cycle
projection (and the order-based learners keep their endpoints in order), so they are present
in the result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Hashable, Iterable, List, Sequence, Tuple

import numpy as np

from . import _core
from .exceptions import InvalidInputError

__all__ = ["PriorKnowledge"]


class PriorKnowledge:
    """What is known about the graph before looking at the data.

    Nodes are named by their column label (a DataFrame's column) or, where the labels are not
    integers, by their column index.

    Parameters
    ----------
    forbidden : iterable of (node, node), default=()
        Edges u → v that must not appear. Forbidding u → v does not forbid v → u.
    required : iterable of (node, node), default=()
        Edges u → v that must appear. Requiring u → v forbids v → u.
    sources : iterable of node, default=()
        Nodes without parents (e.g. a randomised treatment).
    sinks : iterable of node, default=()
        Nodes without children (e.g. a final outcome).
    tiers : sequence of sequences of node, default=()
        Temporal tiers, earliest first: an edge from a later tier to an earlier one is
        forbidden; edges within a tier and nodes in no tier are unconstrained.

    Raises
    ------
    InvalidInputError
        At construction, when an edge is not a pair. When a learner is fitted (the data give the
        node names): an unknown node, a node in two tiers, a required self-loop, an edge both
        forbidden and required, a required edge into a source, out of a sink or from a later
        tier to an earlier one, or required edges that form a directed cycle. The message names
        the nodes.

    Examples
    --------
    >>> from acyclic import PriorKnowledge, DAGMA
    >>> prior = PriorKnowledge(forbidden=[("outcome", "treatment")], sources=["treatment"],
    ...                        tiers=[["age", "sex"], ["treatment"], ["outcome"]])
    >>> model = DAGMA(prior_knowledge=prior)  # doctest: +SKIP
    """

    def __init__(self, forbidden=(), required=(), sources=(), sinks=(), tiers=()):
        self.forbidden = _pairs(forbidden, "forbidden")
        self.required = _pairs(required, "required")
        self.sources = _nodes(sources, "sources")
        self.sinks = _nodes(sinks, "sinks")
        if isinstance(tiers, (str, bytes)):
            raise InvalidInputError("tiers must be a sequence of sequences of nodes")
        self.tiers = tuple(_nodes(tier, "each tier") for tier in tiers)

    @classmethod
    def from_json(cls, path) -> PriorKnowledge:
        """Reads a JSON object with any of the keys ``forbidden``, ``required`` (lists of
        ``[u, v]`` pairs), ``sources``, ``sinks`` (lists of nodes) and ``tiers`` (a list of
        lists of nodes), e.g. ``{"forbidden": [["Akt", "PKA"]], "tiers": [["PKC"], ["Raf"]]}``.

        Parameters
        ----------
        path : str or os.PathLike
            The JSON file.

        Returns
        -------
        PriorKnowledge
            The prior knowledge the file describes.

        Raises
        ------
        InvalidInputError
            When the file cannot be read or parsed, is not a JSON object, holds other keys, or
            an edge is not a pair.
        """
        try:
            spec = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            raise InvalidInputError(f"cannot read prior knowledge from {str(path)!r}: {exc}") from None
        keys = {"forbidden", "required", "sources", "sinks", "tiers"}
        if not isinstance(spec, dict) or set(spec) - keys:
            raise InvalidInputError(f"a prior-knowledge file holds a JSON object with keys among {sorted(keys)}")
        return cls(**spec)

    def __repr__(self) -> str:
        parts = [f"{name}={value!r}" for name in ("forbidden", "required", "sources", "sinks", "tiers")
                 if (value := getattr(self, name))]  # fmt: skip
        return f"PriorKnowledge({', '.join(parts)})"

    def __eq__(self, other) -> bool:
        return isinstance(other, PriorKnowledge) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    def masks(self, labels: Sequence[Hashable]) -> Tuple[np.ndarray, np.ndarray]:
        """The (forbidden, required) boolean masks of shape (d, d) for nodes ``labels``.

        ``forbidden[i, j]`` means the edge i → j must be absent (diagonal False); it includes the
        reverses of required edges and what sources, sinks and tiers imply.

        Parameters
        ----------
        labels : sequence of hashable
            The node names, in column order (a node may also be named by its index where the
            labels are not integers).

        Returns
        -------
        forbidden : numpy.ndarray of bool, shape (d, d)
            Edges that must be absent.
        required : numpy.ndarray of bool, shape (d, d)
            Edges that must be present.

        Raises
        ------
        InvalidInputError
            See the class docstring.
        """
        labels = list(labels)
        d = len(labels)
        index = _Resolver(labels)
        name = lambda i: repr(labels[i])  # noqa: E731
        forbidden = np.zeros((d, d), dtype=bool)
        required = np.zeros((d, d), dtype=bool)
        explicit = np.zeros((d, d), dtype=bool)
        for u, v in self.forbidden:
            explicit[index(u), index(v)] = True
        for u, v in self.required:
            i, j = index(u), index(v)
            if i == j:
                raise InvalidInputError(
                    f"the required edge {name(i)} -> {name(j)} is a self-loop: a node cannot cause itself"
                )
            required[i, j] = True
        sources = [index(s) for s in self.sources]
        sinks = [index(s) for s in self.sinks]
        tier_of: Dict[int, int] = {}
        for t, tier in enumerate(self.tiers):
            for node in tier:
                i = index(node)
                if tier_of.setdefault(i, t) != t:
                    raise InvalidInputError(f"node {name(i)} is in two tiers ({tier_of[i] + 1} and {t + 1})")
        for i, j in zip(*np.nonzero(required)):
            if explicit[i, j]:
                raise InvalidInputError(f"the edge {name(i)} -> {name(j)} is both forbidden and required")
            if j in sources:
                raise InvalidInputError(f"the required edge {name(i)} -> {name(j)} enters {name(j)}, declared a source")
            if i in sinks:
                raise InvalidInputError(f"the required edge {name(i)} -> {name(j)} leaves {name(i)}, declared a sink")
            if i in tier_of and j in tier_of and tier_of[i] > tier_of[j]:
                raise InvalidInputError(
                    f"the required edge {name(i)} -> {name(j)} goes from tier {tier_of[i] + 1} back to tier {tier_of[j] + 1}"
                )
        cycle = _core.find_cycle(required.astype(np.float64))
        if cycle:
            raise InvalidInputError(
                "the required edges form a directed cycle: " + " -> ".join(name(i) for i in [*cycle, cycle[0]])
            )
        forbidden |= explicit | required.T
        forbidden[:, sources] = True
        forbidden[sinks, :] = True
        for i, ti in tier_of.items():
            for j, tj in tier_of.items():
                if ti > tj:
                    forbidden[i, j] = True
        np.fill_diagonal(forbidden, False)
        return forbidden, required


class _Resolver:
    """Maps a node name (a label, or an index where labels are not integers) to its index."""

    def __init__(self, labels: List[Hashable]):
        self.labels = labels
        self.by_label: Dict[Hashable, int] = {}  # _key(label) → its first index
        for i, label in enumerate(labels):
            self.by_label.setdefault(_key(label), i)
        self.integer_labels = any(isinstance(label, (int, np.integer)) for label in labels)

    def __call__(self, node) -> int:
        i = self.by_label.get(_key(node))
        if i is not None:
            return i
        is_index = isinstance(node, (int, np.integer)) and not isinstance(node, (bool, np.bool_))
        if is_index and not self.integer_labels and 0 <= node < len(self.labels):
            return int(node)
        shown = ", ".join(repr(label) for label in self.labels[:12]) + (", ..." if len(self.labels) > 12 else "")
        raise InvalidInputError(f"prior knowledge names an unknown node {node!r} (the nodes are: {shown})")


def _key(label):
    """Dictionary key of a label: numpy scalars compare as their Python values."""
    return label.item() if isinstance(label, np.generic) else label


def _pairs(edges: Iterable, what: str) -> Tuple[Tuple[Hashable, Hashable], ...]:
    if isinstance(edges, (str, bytes)):
        raise InvalidInputError(f"{what} must be a list of (from, to) pairs, got {edges!r}")
    out = []
    for edge in edges:
        if isinstance(edge, (str, bytes)) or not hasattr(edge, "__len__") or len(edge) != 2:
            raise InvalidInputError(f"{what} must hold (from, to) pairs, got {edge!r}")
        out.append((_key(edge[0]), _key(edge[1])))
    return tuple(out)


def _nodes(nodes: Iterable, what: str) -> Tuple[Hashable, ...]:
    if isinstance(nodes, (str, bytes)) or not hasattr(nodes, "__iter__"):
        raise InvalidInputError(f"{what} must be a list of nodes, got {nodes!r}")
    return tuple(_key(node) for node in nodes)
