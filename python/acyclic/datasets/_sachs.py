"""Sachs et al. (2005) flow-cytometry protein-signalling data, shipped with the package.

The experiments and their intervention targets
----------------------------------------------
``sachs_7466.csv`` stacks nine experiments (Sachs et al. 2005, their Table 1 and supplement). Each
row of the table: the environment label :func:`load_sachs` gives the rows, the row count, the
reagent and what it acts on, the node marked as intervened by default (:data:`SACHS_TARGETS`),
and whether a perfect (hard) intervention on that node describes the experiment. The last
column is what the data show: the median of log values minus that of cd3cd28, for the marked
node and the largest other changes (computed from the shipped file).

================  ====  =====================================  ===========  ==========================================
environment       rows  reagent → acts on                      marked       hard model? (log-median shifts)
================  ====  =====================================  ===========  ==========================================
cd3cd28           853   anti-CD3 + anti-CD28: general           —            observational (the reference)
                        stimulation of the T-cell receptor
cd3cd28icam2      902   + ICAM-2 (LFA-1 co-stimulation)         —            observational: a change of stimulation,
                                                                             no measured node targeted (PIP3 −0.65)
cd3cd28+aktinhib  911   + Akt inhibitor → Akt kinase activity   pakts473     poor: activity is blocked, phospho-Akt
                                                                             stays (pakts473 +0.16; PIP2 +1.08)
cd3cd28+g0076     723   + Gö6976 → PKC activity (inhibitor)     PKC          poor: measured PKC rises (+1.85),
                                                                             PKA −3.78, most others rise
cd3cd28+psitect   810   + psitectorigenin → PIP2 (inhibitor)    PIP2         good: PIP2 drops (−3.14), plcg −1.22
cd3cd28+u0126     799   + U0126 → MEK kinase activity           pmek         poor: pmek rises (+2.65, lost ERK feedback),
                                                                             its substrate p44/42 drops (−1.70)
cd3cd28+ly        848   + LY294002 → PI3K (not measured),       PIP3         weak: PIP3 −0.22, pakts473 −0.14
                        which makes PIP3
pma               913   PMA → PKC activation, *without*         PKC          poor: PKC unchanged (−0.04); the missing
                        anti-CD3/CD28                                        receptor stimulation shifts every node
b2camp            707   β2cAMP → PKA activation, *without*      PKA          poor: PKA −0.22; pmek −2.87, PKC −2.61,
                        anti-CD3/CD28                                        pjnk −2.57
================  ====  =====================================  ===========  ==========================================

**The choice.** The default targets are those of the interventional literature on these data,
so that results compare with published numbers: Wang, Solus, Yang & Uhler (2017, NeurIPS) and
DCDI (Brouillard et al. 2020) use the 5846 rows with cd3cd28 and cd3cd28icam2 as observational
(1755 rows) and aktinhib → Akt, g0076 → PKC, psitect → PIP2, u0126 → MEK, ly → PIP3 (4091 rows);
for pma and b2camp we mark the activated kinase, PKC and PKA, as Sachs et al. do. The table shows
the caveat the issue names: inhibitors block a protein's *activity*, not its measured
phosphorylation, so for aktinhib, g0076 and u0126 the marked node's own measurement is not
"cut from its parents" — the change is in its children's mechanisms (U0126: pmek is measured,
p44/42 drops). A hard model closer to that marks the children (e.g. ``{"cd3cd28+u0126":
["p44/42"]}``; Mooij & Heskes 2013 model such "activity interventions" explicitly). Pass your own
mapping with ``load_sachs(..., targets=...)``.

References
----------
Sachs, K., Perez, O., Pe'er, D., Lauffenburger, D. A., Nolan, G. P. (2005). Causal
protein-signaling networks derived from multiparameter single-cell data. Science 308(5721),
523–529.

Wang, Y., Solus, L., Yang, K. D., Uhler, C. (2017). Permutation-based causal inference algorithms
with interventions. NeurIPS 30.

Brouillard, P., Lachapelle, S., Lacoste, A., Lacoste-Julien, S., Drouin, A. (2020).
Differentiable causal discovery from interventional data. NeurIPS 33.

Mooij, J. M., Heskes, T. (2013). Cyclic causal discovery from continuous equilibrium data.
UAI 2013.
"""

from __future__ import annotations

from importlib import resources
from types import MappingProxyType
from typing import Hashable, List, Literal, Mapping, Optional, Sequence, Tuple, Union, overload

import networkx as nx
import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError
from ..interventions import mask_from_environments

__all__ = ["load_sachs", "load_sachs_adjacency", "SACHS_COLUMNS", "SACHS_EXPERIMENTS", "SACHS_TARGETS"]

#: The 11 measured proteins / phospholipids, in the column order of the data files.
SACHS_COLUMNS: Tuple[str, ...] = (
    "praf",
    "pmek",
    "plcg",
    "PIP2",
    "PIP3",
    "p44/42",
    "pakts473",
    "PKA",
    "PKC",
    "P38",
    "pjnk",
)

#: The nine experiments of the 7466 rows, in row order: (environment label, number of rows).
#: The labels are the names of Sachs et al.'s data files.
SACHS_EXPERIMENTS: Tuple[Tuple[str, int], ...] = (
    ("cd3cd28", 853),
    ("cd3cd28icam2", 902),
    ("cd3cd28+aktinhib", 911),
    ("cd3cd28+g0076", 723),
    ("cd3cd28+psitect", 810),
    ("cd3cd28+u0126", 799),
    ("cd3cd28+ly", 848),
    ("pma", 913),
    ("b2camp", 707),
)

#: The default intervention targets (environment label -> intervened columns); cd3cd28 and
#: cd3cd28icam2 are observational. See the table in this module's docstring for the reasons.
SACHS_TARGETS: Mapping[str, Tuple[str, ...]] = MappingProxyType(
    {
        "cd3cd28+aktinhib": ("pakts473",),
        "cd3cd28+g0076": ("PKC",),
        "cd3cd28+psitect": ("PIP2",),
        "cd3cd28+u0126": ("pmek",),
        "cd3cd28+ly": ("PIP3",),
        "pma": ("PKC",),
        "b2camp": ("PKA",),
    }
)

#: The experiments of each variant of the interventional data (a prefix of the 7466 rows).
_VARIANTS = {"7466": 9, "5846": 7}

_DATA_FILES = {True: "sachs_853_observational.csv", False: "sachs_7466.csv"}
_N_ROWS = {True: 853, False: 7466}
_GRAPH_FILES = {"dag17": "consensus_dag_17_edges.csv", "cdt18": "consensus_edges.csv"}


def _data_path(name: str):
    return resources.files("acyclic.datasets").joinpath("data", name)


def _read_csv(name: str) -> pd.DataFrame:
    with _data_path(name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def _graph_key(graph) -> str:
    key = graph.lower() if isinstance(graph, str) else None
    if key not in _GRAPH_FILES:
        raise InvalidInputError(
            f"unknown Sachs reference graph {graph!r}; expected 'dag17' (acyclic 17-edge consensus "
            "graph, the default) or 'cdt18' (cdt's 18-edge list, which has a cycle)"
        )
    return key


def _edges(graph: str) -> List[Tuple[str, str]]:
    df = _read_csv(_GRAPH_FILES[_graph_key(graph)])
    edges = [(str(c), str(e)) for c, e in zip(df["Cause"], df["Effect"])]
    unknown = {v for edge in edges for v in edge} - set(SACHS_COLUMNS)
    if unknown:  # pragma: no cover - guards the shipped files
        raise InvalidInputError(f"the Sachs graph file names unknown variables {sorted(unknown)}")
    return edges


def _digraph(graph: str) -> nx.DiGraph:
    G: nx.DiGraph[str] = nx.DiGraph()
    G.add_nodes_from(SACHS_COLUMNS)
    G.add_edges_from(_edges(graph))
    return G


_Plain = Union[Tuple[pd.DataFrame, nx.DiGraph], Tuple[np.ndarray, np.ndarray]]
_WithExperiments = Union[
    Tuple[pd.DataFrame, nx.DiGraph, np.ndarray, np.ndarray], Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
]
_Targets = Mapping[Hashable, Sequence[Union[str, int]]]


@overload
def load_sachs(
    observational: bool = ...,
    graph: str = ...,
    *,
    return_X_y: bool = ...,
    interventions: Literal[False] = ...,
    variant: str = ...,
    targets: None = ...,
) -> _Plain: ...
@overload
def load_sachs(
    observational: bool = ...,
    graph: str = ...,
    *,
    return_X_y: bool = ...,
    interventions: Literal[True],
    variant: str = ...,
    targets: Optional[_Targets] = ...,
) -> _WithExperiments: ...
@overload
def load_sachs(
    observational: bool = ...,
    graph: str = ...,
    *,
    return_X_y: bool = ...,
    interventions: bool,
    variant: str = ...,
    targets: Optional[_Targets] = ...,
) -> Union[_Plain, _WithExperiments]: ...


def load_sachs(
    observational: bool = True,
    graph: str = "dag17",
    *,
    return_X_y: bool = False,
    interventions: bool = False,
    variant: str = "7466",
    targets: Optional[_Targets] = None,
) -> Union[_Plain, _WithExperiments]:
    """Load the Sachs et al. (2005) protein-signalling data and a reference graph.

    Single-cell flow-cytometry measurements of 11 phosphorylated proteins and
    phospholipids in human T cells: columns ``praf, pmek, plcg, PIP2, PIP3, p44/42,
    pakts473, PKA, PKC, P38, pjnk``. The values are raw abundances (positive,
    heavy-tailed); many papers log-transform or standardize them first. Copied from
    the data resources of the Causal Discovery Toolbox (``cdt`` 0.6.0, Apache-2.0);
    see ``acyclic/datasets/data/README.md``.

    With ``interventions=True`` the rows come with the experiment they were measured in
    (``environments``) and the intervention mask of the documented targets, ready for a
    learner's ``fit(X, intervention_mask=mask)``:

    ======================  ==================================================================
    experiment (rows)       default target (:data:`SACHS_TARGETS`)
    ======================  ==================================================================
    cd3cd28 (853)           observational
    cd3cd28icam2 (902)      observational
    cd3cd28+aktinhib (911)  pakts473 (Akt inhibitor)
    cd3cd28+g0076 (723)     PKC (Gö6976, PKC inhibitor)
    cd3cd28+psitect (810)   PIP2 (psitectorigenin)
    cd3cd28+u0126 (799)     pmek (U0126, MEK inhibitor)
    cd3cd28+ly (848)        PIP3 (LY294002, PI3K inhibitor)
    pma (913)               PKC (PMA, PKC activator; no anti-CD3/CD28), 7466 rows only
    b2camp (707)            PKA (β2cAMP, PKA activator; no anti-CD3/CD28), 7466 rows only
    ======================  ==================================================================

    The targets follow the interventional literature (Wang et al. 2017; DCDI, Brouillard et
    al. 2020). Inhibitors block a protein's activity, not its measured phosphorylation, so the
    hard-intervention model fits only some experiments well (psitectorigenin on PIP2 best;
    U0126 leaves pmek measured, and raised, while p44/42 drops): the module docstring of
    ``acyclic.datasets._sachs`` tabulates, for each experiment, the reagent, what it acts on,
    the shifts the data show and the reasons for the choice. Pass ``targets=`` for another
    encoding.

    Parameters
    ----------
    observational : bool, default True
        ``True``: the 853 purely observational rows (the cd3cd28 experiment; the
        subset used by e.g. GraN-DAG, DAGuerreotype and VI-DP-DAG). ``False``: all
        7466 rows, the nine stimulation/inhibition experiments stacked (cd3cd28 853,
        +icam2 902, +aktinhib 911, +g0076 723, +psitect 810, +u0126 799, +ly 848,
        pma 913, b2camp 707, in this order; the first 853 rows are the observational
        ones), or the 5846 rows of ``variant="5846"``. Without ``interventions=True``
        the interventional rows are not labelled as such.
    graph : {"dag17", "cdt18"}, default "dag17"
        Reference graph (case-insensitive).

        * ``"dag17"`` — the **acyclic** 17-edge consensus graph used with the 853
          observational rows by e.g. GraN-DAG and DAGuerreotype. The empty graph has
          SHD 17 against it.
        * ``"cdt18"`` — the consensus network as listed by cdt, 18 directed edges.
          It is **not acyclic**: it contains the cycle ``plcg -> PIP2 -> PIP3 -> plcg``,
          so no DAG reaches SHD 0 against it (the best is 1).

        Papers differ on the reference graph (17, 18 or 20 edges); state which one a
        figure uses.
    return_X_y : bool, default False
        If True, return numpy arrays ``(X, B)`` instead of ``(df, G)``.
    interventions : bool, default False
        If True (needs ``observational=False``), also return the environment of every row
        and the intervention mask (see Returns).
    variant : {"7466", "5846"}, default "7466"
        The rows when ``observational=False``. ``"7466"``: the nine experiments.
        ``"5846"``: the first seven, i.e. cd3cd28 and cd3cd28icam2 (1755 rows, both
        observational) and the five inhibitor experiments (4091 rows), without pma and b2camp,
        which were run without anti-CD3/CD28 (the setting of Wang et al. 2017 and DCDI).
        Only ``"7466"`` (the default, ignored) is accepted with ``observational=True``.
    targets : mapping or None, default None
        With ``interventions=True``: environment label → intervened columns (names from
        :data:`SACHS_COLUMNS` or indices 0-10), replacing the default :data:`SACHS_TARGETS`
        (restricted to the variant's experiments) entirely; an experiment absent from the
        mapping, or mapped to ``[]``, is observational. The labels are those of
        :data:`SACHS_EXPERIMENTS`.

    Returns
    -------
    df : pandas.DataFrame of shape (853, 11), (5846, 11) or (7466, 11), float64 columns
        The data, columns in the order above (when ``return_X_y=False``).
    G : networkx.DiGraph
        Reference graph over the 11 column names (nodes in column order), when
        ``return_X_y=False``.
    X : numpy.ndarray of shape (853, 11), (5846, 11) or (7466, 11), float64
        The data (when ``return_X_y=True``).
    B : numpy.ndarray of shape (11, 11), int64
        0/1 adjacency of the reference graph in column order, ``B[i, j] = 1`` meaning
        column ``i`` -> column ``j`` (when ``return_X_y=True``).
    environments : numpy.ndarray of shape (n,), dtype str
        The experiment of every row (labels of :data:`SACHS_EXPERIMENTS`), only with
        ``interventions=True``.
    intervention_mask : numpy.ndarray of shape (n, 11), dtype bool
        ``True`` where the row's experiment targets the column, only with
        ``interventions=True``.

    Raises
    ------
    InvalidInputError
        If ``graph`` is not ``"dag17"`` or ``"cdt18"``; ``variant`` is not ``"7466"`` or
        ``"5846"``, or is ``"5846"`` with ``observational=True``; ``interventions=True`` with
        ``observational=True``; ``targets`` is given without ``interventions=True``; or
        ``targets`` names an experiment that is not among the rows (e.g. ``"pma"`` with
        ``variant="5846"``), an unknown column, an index out of range or a column twice (the
        errors of :func:`acyclic.interventions.mask_from_environments`).

    References
    ----------
    Sachs, K., Perez, O., Pe'er, D., Lauffenburger, D. A., Nolan, G. P. (2005). Causal
    protein-signaling networks derived from multiparameter single-cell data. Science
    308(5721), 523–529.

    Wang, Y., Solus, L., Yang, K. D., Uhler, C. (2017). Permutation-based causal inference
    algorithms with interventions. NeurIPS 30.

    Brouillard, P., Lachapelle, S., Lacoste, A., Lacoste-Julien, S., Drouin, A. (2020).
    Differentiable causal discovery from interventional data. NeurIPS 33.

    Examples
    --------
    >>> df, G = load_sachs()
    >>> df.shape, G.number_of_edges()
    ((853, 11), 17)
    >>> X, B, env, mask = load_sachs(observational=False, interventions=True, variant="5846", return_X_y=True)
    >>> X.shape, int((env == "cd3cd28+u0126").sum()), mask[env == "cd3cd28+u0126"][0].nonzero()[0].tolist()
    ((5846, 11), 799, [1])
    """
    key = _graph_key(graph)
    obs = bool(observational)
    variant_key = str(variant)
    if variant_key not in _VARIANTS:
        raise InvalidInputError(f"unknown Sachs variant {variant!r}; expected '7466' (nine experiments) or '5846'")
    if obs and variant_key != "7466":
        raise InvalidInputError(
            f"variant={variant!r} selects interventional rows: it needs observational=False "
            "(observational=True loads the 853 cd3cd28 rows)"
        )
    if interventions and obs:
        raise InvalidInputError(
            "interventions=True needs observational=False: the 853 observational rows are one experiment"
        )
    if targets is not None and not interventions:
        raise InvalidInputError("targets= is used with interventions=True only")
    df = _read_csv(_DATA_FILES[obs]).astype(np.float64)
    if tuple(df.columns) != SACHS_COLUMNS or len(df) != _N_ROWS[obs]:  # pragma: no cover
        raise InvalidInputError("the shipped Sachs data file is corrupted (unexpected columns or rows)")
    experiments = SACHS_EXPERIMENTS[: _VARIANTS[variant_key]]
    if not obs and variant_key != "7466":
        df = df.iloc[: sum(rows for _, rows in experiments)].copy()
    extra: Tuple[np.ndarray, ...] = ()
    if interventions:
        environments = np.repeat([label for label, _ in experiments], [rows for _, rows in experiments])
        if targets is None:
            present = {label for label, _ in experiments}
            targets = {env: list(nodes) for env, nodes in SACHS_TARGETS.items() if env in present}
        extra = (environments, mask_from_environments(environments, targets, SACHS_COLUMNS))
    if return_X_y:
        B, _ = load_sachs_adjacency(key)
        return (df.to_numpy(dtype=np.float64, copy=True), B, *extra)  # type: ignore[return-value]
    return (df, _digraph(key), *extra)  # type: ignore[return-value]


def load_sachs_adjacency(graph: str = "dag17") -> Tuple[np.ndarray, List[str]]:
    """Adjacency matrix of a Sachs reference graph, in the data's column order.

    Parameters
    ----------
    graph : {"dag17", "cdt18"}, default "dag17"
        ``"dag17"``: the acyclic 17-edge consensus graph (default). ``"cdt18"``: cdt's
        18-edge list, which contains the cycle ``plcg -> PIP2 -> PIP3 -> plcg``. See
        :func:`load_sachs`.

    Returns
    -------
    B : numpy.ndarray of shape (11, 11), int64
        ``B[i, j] = 1`` iff ``labels[i] -> labels[j]``.
    labels : list of str
        The 11 variable names, in the column order of :func:`load_sachs`.

    Raises
    ------
    InvalidInputError
        If ``graph`` is not ``"dag17"`` or ``"cdt18"``.

    References
    ----------
    Sachs, K., Perez, O., Pe'er, D., Lauffenburger, D. A., Nolan, G. P. (2005). Causal
    protein-signaling networks derived from multiparameter single-cell data. Science
    308(5721), 523–529.
    """
    labels = list(SACHS_COLUMNS)
    index = {name: k for k, name in enumerate(labels)}
    B = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for cause, effect in _edges(graph):
        B[index[cause], index[effect]] = 1
    return B, labels
