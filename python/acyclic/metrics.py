"""Accuracy of an estimated graph and sortability diagnostics of a data set.

* :func:`count_accuracy` — SHD, TPR, FDR, FPR, NNZ, precision / recall / F1 of an
  estimated graph against the true one (NOTEARS / DAGMA / gCastle conventions,
  extended to graphs with cycles).
* :func:`edge_auprc`, :func:`edge_auroc` — the areas under the precision–recall and ROC
  curves of edge probabilities (or any edge scores), as the DiBS / BaCaDI evaluation
  computes them; :func:`target_auprc` the same for intervention-target probabilities;
  :func:`expected_shd` the expected SHD of a posterior over graphs (E-SHD).
* :func:`shd_cpdag` — the SHD between the equivalence classes (CPDAGs) of two graphs, which
  does not count the orientations that data cannot determine; :func:`sid` and :func:`aid` —
  the structural intervention distance and the adjustment identification distances, which
  count the causal effects a graph gets wrong (through the optional package ``gadjid``).
* :func:`varsortability` and :func:`r2_sortability` — how well the marginal variance
  (resp. the coefficient of determination R²) of the variables increases along the
  causal order (Reisach et al. 2021, 2023). Values near 1 mean that simply sorting
  the variables recovers the causal order, which least-squares learners exploit.

Conventions: ``B[i, j] != 0`` means the edge ``i -> j`` (column ``j`` holds the
parents of ``j``); ``X`` has shape ``(n_samples, d)``.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, NamedTuple, Union

import networkx as nx
import numpy as np
import pandas as pd

from . import _core
from ._validation import as_square_matrix
from .exceptions import InvalidInputError

__all__ = [
    "count_accuracy",
    "edge_auprc",
    "edge_auroc",
    "expected_shd",
    "target_auprc",
    "shd_cpdag",
    "sid",
    "aid",
    "IdentificationDistance",
    "varsortability",
    "r2_sortability",
]


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _support(M, name: str) -> np.ndarray:
    """Boolean support of a square matrix with the diagonal cleared."""
    if isinstance(M, (nx.Graph,)):
        raise InvalidInputError(
            f"{name} must be an adjacency matrix (array-like), not a networkx graph; "
            "use networkx.to_numpy_array(G, nodelist=...)"
        )
    A = as_square_matrix(M, name)
    S = A != 0
    np.fill_diagonal(S, False)
    return S


def _labels(df: pd.DataFrame, name: str) -> list:
    """The node labels of an adjacency DataFrame: its columns, which its index must repeat."""
    columns, index = list(df.columns), list(df.index)
    repeated = [label for label, count in Counter(columns).items() if count > 1]
    if repeated:
        raise InvalidInputError(f"{name} repeats the column label(s) {', '.join(map(repr, repeated))}")
    if index != columns:
        raise InvalidInputError(
            f"{name}'s index and columns disagree ({index!r} vs {columns!r}): an adjacency DataFrame "
            "names the same nodes, in the same order, in both (read a CSV with index_col=0)"
        )
    return columns


def _aligned(B_true: pd.DataFrame, B_est: pd.DataFrame) -> pd.DataFrame:
    """``B_est`` with its rows and columns in the order of ``B_true``'s labels."""
    truth, est = _labels(B_true, "B_true"), _labels(B_est, "B_est")
    if set(truth) != set(est):
        only_true = [label for label in truth if label not in est]
        only_est = [label for label in est if label not in truth]
        raise InvalidInputError(
            "B_true and B_est label different nodes: "
            + "; ".join(
                f"only in {name}: {', '.join(map(repr, labels))}"
                for name, labels in (("B_true", only_true), ("B_est", only_est))
                if labels
            )
        )
    return B_est.loc[truth, truth]


def _is_dag(S: np.ndarray) -> bool:
    return bool(_core.is_dag(S.astype(np.float64)))


# --------------------------------------------------------------------------------------
# count_accuracy
# --------------------------------------------------------------------------------------
def count_accuracy(B_true, B_est, *, double_for_anticausal: bool = False) -> Dict[str, Union[float, int, bool]]:
    """Compare an estimated graph with the true one.

    Both matrices are binarized by ``!= 0`` (weight matrices are accepted, signs and
    magnitudes are ignored) and their diagonals are ignored. Neither needs to be
    acyclic: cdt's Sachs graph has a cycle and some learners return cyclic graphs;
    ``is_dag`` reports whether the estimate is acyclic.

    Let ``T`` be the true and ``P`` the predicted set of directed edges ``(i, j)``,
    and call a pair ``{i, j}`` *adjacent* in a graph when it holds ``i -> j`` or
    ``j -> i`` (its skeleton).

    Directed counts (used by the rates):

    * ``tp`` = ``|P ∩ T|``, predicted edges with the true orientation;
    * false discoveries ``|P \\ T|`` = reversed predictions (``(j, i) ∈ T``) plus false
      positives ``fp`` (the pair is not adjacent in the truth).

    Pair (skeleton) counts (used by the SHD), each pair counted at most once:

    * ``extra`` — adjacent in the estimate, not in the truth;
    * ``missing`` — adjacent in the truth, not in the estimate;
    * ``reversed`` — adjacent in both, but the set of directions differs (a pure
      reversal ``j -> i`` for ``i -> j``; also ``i <-> j`` for ``i -> j`` and vice versa).

    Then

    * ``shd = extra + missing + reversed``, a reversed edge costing 1 (NOTEARS, DAGMA,
      gCastle; equal to cdt's ``SHD(double_for_anticausal=False)``); with
      ``double_for_anticausal=True`` ``shd = extra + missing + 2 * reversed`` (cdt's
      default, equal to cdt's value whenever neither graph has a 2-cycle);
    * ``tpr = recall = tp / |T|`` (0 when ``T`` is empty; never above 1);
    * ``fdr = |P \\ T| / |P|`` (0 for an empty estimate) ``= 1 - precision``;
    * ``fpr = |P \\ T| / max(d(d-1)/2 - |T|, 1)``. The numerator counts *directed*
      errors but the denominator *undirected* non-edges, so ``fpr`` **can exceed 1**
      on dense estimates (kept for comparability with the reference code);
    * ``nnz = |P|``; ``precision = tp / |P|`` (0 when empty);
      ``f1 = 2 precision recall / (precision + recall)`` (0 when both are 0).

    Estimate with both directions of a true edge: for a true ``i -> j`` and an
    estimate holding ``i -> j`` and ``j -> i``, ``i -> j`` is a true positive (so the
    TPR counts the edge as found, never exceeding 1) and ``j -> i`` a false discovery
    (a reversed prediction: it raises FDR and FPR); the pair counts once as
    ``reversed`` in the SHD. On DAG inputs every number equals NOTEARS'
    ``utils.count_accuracy``.

    Labels: when both graphs are DataFrames, nodes are matched by label (``B_est`` is
    reordered to ``B_true``'s labels); each DataFrame must name the same nodes in the same order
    in its index and columns, and both must name the same nodes. Otherwise rows and columns are
    matched by position.

    Parameters
    ----------
    B_true : array_like or DataFrame of shape (d, d)
        True graph, ``B_true[i, j] != 0`` meaning ``i -> j``. May be cyclic.
    B_est : array_like or DataFrame of shape (d, d)
        Estimated graph (0/1 or weights), same shape. May be cyclic. Matched to ``B_true`` by
        label when both are DataFrames.
    double_for_anticausal : bool, default False
        Count a reversed pair twice in the SHD (delete + add), as cdt does by default.

    Returns
    -------
    dict
        ``fdr``, ``tpr``, ``fpr``, ``precision``, ``recall``, ``f1`` (float);
        ``shd``, ``nnz``, ``extra``, ``missing``, ``reversed``, ``tp``, ``fp`` (int);
        ``is_dag`` (bool, whether the off-diagonal support of ``B_est`` is acyclic).

    Raises
    ------
    InvalidInputError
        If an input is not a numeric square 2-D matrix, contains NaN, is a networkx
        graph, or the shapes differ; for two DataFrames, if a DataFrame's index and columns
        disagree or repeat a label, or the two label different nodes.

    References
    ----------
    Zheng, X., Aragam, B., Ravikumar, P., Xing, E. P. (2018). DAGs with NO TEARS:
    Continuous optimization for structure learning. NeurIPS 31.

    Tsamardinos, I., Brown, L. E., Aliferis, C. F. (2006). The max-min hill-climbing
    Bayesian network structure learning algorithm. Machine Learning 65(1), 31–78 (SHD).

    Examples
    --------
    >>> B_true = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    >>> B_est = [[0, 1, 0], [0, 0, 0], [0, 1, 0]]   # 1 -> 2 reversed
    >>> r = count_accuracy(B_true, B_est)
    >>> r["shd"], r["tpr"], r["fdr"]
    (1, 0.5, 0.5)
    """
    if isinstance(B_true, pd.DataFrame) and isinstance(B_est, pd.DataFrame):
        B_est = _aligned(B_true, B_est)
    T = _support(B_true, "B_true")
    P = _support(B_est, "B_est")
    if T.shape != P.shape:
        raise InvalidInputError(f"B_true and B_est must have the same shape, got {T.shape} and {P.shape}")
    d = T.shape[0]

    # directed counts
    n_true = int(T.sum())
    nnz = int(P.sum())
    tp = int((P & T).sum())
    rev_pred = int((P & ~T & T.T).sum())
    fp = int((P & ~T & ~T.T).sum())
    false_disc = rev_pred + fp  # == nnz - tp

    # pair counts over the upper triangle
    iu = np.triu_indices(d, k=1)
    adj_t = (T | T.T)[iu]
    adj_p = (P | P.T)[iu]
    extra = int((adj_p & ~adj_t).sum())
    missing = int((adj_t & ~adj_p).sum())
    same_dirs = (T[iu] == P[iu]) & (T.T[iu] == P.T[iu])
    reversed_pairs = int((adj_t & adj_p & ~same_dirs).sum())
    shd = extra + missing + (2 if double_for_anticausal else 1) * reversed_pairs

    cond_neg = d * (d - 1) // 2 - n_true
    tpr = tp / n_true if n_true else 0.0
    precision = tp / nnz if nnz else 0.0
    fdr = false_disc / nnz if nnz else 0.0
    fpr = false_disc / max(cond_neg, 1)
    f1 = 2.0 * precision * tpr / (precision + tpr) if (precision + tpr) > 0 else 0.0

    return {
        "fdr": float(fdr),
        "tpr": float(tpr),
        "fpr": float(fpr),
        "shd": int(shd),
        "nnz": nnz,
        "precision": float(precision),
        "recall": float(tpr),
        "f1": float(f1),
        "extra": extra,
        "missing": missing,
        "reversed": reversed_pairs,
        "tp": tp,
        "fp": fp,
        "is_dag": bool(_is_dag(P)),
    }


# --------------------------------------------------------------------------------------
# sortability
# --------------------------------------------------------------------------------------
def edge_auprc(B_true, scores) -> Dict[str, float]:
    """Area under the precision–recall curve of edge scores against the true graph.

    Every ordered pair (i, j) is a binary prediction "i -> j" scored by ``scores[i, j]`` (e.g. a
    learner's ``edge_probabilities_``); the curve is scikit-learn's ``precision_recall_curve``
    over all d² entries and its area the trapezoidal ``auc(recall, precision)``, as in the
    evaluation code of DiBS (Lorch, Rothfuss, Schölkopf & Krause, NeurIPS 2021) and BaCaDI
    (Hägele, Rothfuss & Krause, AISTATS 2023). A classifier that knows nothing scores about the
    positive rate, the share of true edges among the d(d − 1) ordered pairs: compare with it.

    Parameters
    ----------
    B_true : array-like of shape (d, d)
        The true graph; nonzero means an edge (the diagonal is ignored).
    scores : array-like of shape (d, d)
        Edge scores, higher meaning more likely (finite). The diagonal is set to the lowest
        score (a sure "no edge", as DiBS's zero probability there).

    Returns
    -------
    dict
        ``auprc`` (float in [0, 1]), ``positive_rate`` (true edges / (d(d − 1))) and
        ``average_precision`` (scikit-learn's step-wise area, less optimistic than the
        trapezoids).

    Raises
    ------
    InvalidInputError
        Non-square or mismatched shapes, NaN or inf scores, or a true graph without edges
        (precision–recall is undefined then).
    """
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve

    truth = _support(B_true, "B_true")
    S = as_square_matrix(scores, "scores")
    if S.shape != truth.shape:
        raise InvalidInputError(f"scores has shape {S.shape}, B_true {truth.shape}: they must match")
    d = truth.shape[0]
    if not truth.any():
        raise InvalidInputError("B_true has no edges: precision and recall are undefined")
    # DiBS flattens all d² entries, the diagonal being "no edge" at probability 0: here it gets
    # the lowest score given, which is that for probabilities
    S = S.copy()
    np.fill_diagonal(S, S.min())
    precision, recall, _ = precision_recall_curve(truth.ravel(), S.ravel())
    return {
        "auprc": float(auc(recall, precision)),
        "positive_rate": float(truth.sum() / (d * (d - 1))),
        "average_precision": float(average_precision_score(truth.ravel(), S.ravel())),
    }


def _finite_scores(scores, shape, name: str) -> np.ndarray:
    S = np.asarray(scores, dtype=np.float64)
    if S.shape != shape:
        raise InvalidInputError(f"{name} has shape {S.shape}, the truth {shape}: they must match")
    if not np.isfinite(S).all():
        raise InvalidInputError(f"{name} holds NaN or inf")
    return S


def edge_auroc(B_true, scores) -> float:
    """Area under the ROC curve of edge scores against the true graph.

    Every ordered pair (i, j) is a binary prediction "i -> j" scored by ``scores[i, j]``, as in
    :func:`edge_auprc` (the diagonal gets the lowest score); the area is scikit-learn's
    ``roc_curve`` and ``auc``, as in the DiBS (Lorch et al., NeurIPS 2021) and BaCaDI (Hägele
    et al., AISTATS 2023) evaluation code. 0.5 is chance.

    Parameters
    ----------
    B_true : array-like of shape (d, d)
        The true graph; nonzero means an edge (the diagonal is ignored).
    scores : array-like of shape (d, d)
        Edge scores, higher meaning more likely (finite).

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    InvalidInputError
        Non-square or mismatched shapes, NaN or inf scores, or a true graph with no edge or
        with every edge (the curve is undefined).
    """
    from sklearn.metrics import auc, roc_curve

    truth = _support(B_true, "B_true")
    S = _finite_scores(scores, truth.shape, "scores").copy()
    d = truth.shape[0]
    if not truth.any() or truth.sum() == d * (d - 1):
        raise InvalidInputError("B_true must have at least one edge and one non-edge for a ROC curve")
    np.fill_diagonal(S, S.min())
    fpr, tpr, _ = roc_curve(truth.ravel(), S.ravel())
    return float(auc(fpr, tpr))


def _shd(A: np.ndarray, B: np.ndarray) -> float:
    """SHD of two 0/1 graphs, a reversed edge counting once (the DiBS/BaCaDI code's definition,
    equal to count_accuracy's for DAGs)."""
    D = np.abs(A.astype(np.int64) - B.astype(np.int64))
    return float(np.minimum(D + D.T, 1).sum() / 2)


def expected_shd(B_true, graphs, weights=None) -> float:
    """Expected structural Hamming distance of a posterior over graphs (E-SHD).

    Σ_m w_m SHD(G_m, B_true), the SHD counting a missing, extra or reversed edge once, as in the
    evaluation code of DiBS (Lorch et al., NeurIPS 2021) and BaCaDI (Hägele et al., AISTATS
    2023).

    Parameters
    ----------
    B_true : array-like of shape (d, d)
        The true graph (nonzero means an edge; diagonal ignored).
    graphs : array-like of shape (m, d, d)
        The posterior's graphs, e.g. ``model.sample_dags(1000)`` or ``model.particles_["graphs"]``.
    weights : array-like of shape (m,) or None, default=None
        Nonnegative weights (normalised here), e.g. ``model.particles_["mixture_weight"]``;
        ``None``: equal weights.

    Returns
    -------
    float

    Raises
    ------
    InvalidInputError
        Shapes that do not match, or weights that are negative, not finite or all zero.
    """
    truth = _support(B_true, "B_true")
    G = np.asarray(graphs)
    if G.ndim != 3 or G.shape[1:] != truth.shape or G.shape[0] == 0:
        raise InvalidInputError(
            f"graphs must have shape (m, {truth.shape[0]}, {truth.shape[0]}) with m >= 1, got {G.shape}"
        )
    w = np.ones(G.shape[0]) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (G.shape[0],) or not np.isfinite(w).all() or (w < 0).any() or not w.sum() > 0:
        raise InvalidInputError("weights must be one finite nonnegative number per graph, not all zero")
    w = w / w.sum()
    support = G != 0
    idx = np.arange(truth.shape[0])
    support[:, idx, idx] = False
    return float(sum(wm * _shd(g, truth) for wm, g in zip(w, support)))


def target_auprc(true_targets, probabilities) -> Dict[str, float]:
    """Recovery of intervention targets: areas under the precision–recall and ROC curves.

    Every (environment, node) pair is a binary prediction "the environment intervened on the
    node" scored by its probability, as in BaCaDI's evaluation (Hägele et al., AISTATS 2023),
    which scores the interventional environments only: leave the observational one out of
    both arguments (e.g. ``model.target_probabilities_[1:]``).

    Parameters
    ----------
    true_targets : array-like of shape (n_environments, d)
        Nonzero where the environment intervened on the node.
    probabilities : array-like of shape (n_environments, d)
        Scores, higher meaning more likely (finite).

    Returns
    -------
    dict
        ``auprc`` (trapezoidal area under scikit-learn's precision–recall curve, BaCaDI's
        "AUPRC"), ``average_precision``, ``auroc`` and ``positive_rate`` (the share of true
        targets, what a classifier that knows nothing scores).

    Raises
    ------
    InvalidInputError
        Shapes that differ or are not 2-D, NaN or inf, or no true target (or only targets).
    """
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_curve

    truth = np.asarray(true_targets)
    if truth.ndim != 2:
        raise InvalidInputError(f"true_targets must be 2-D (environments x nodes), got shape {truth.shape}")
    truth = truth != 0
    P = _finite_scores(probabilities, truth.shape, "probabilities")
    if not truth.any() or truth.all():
        raise InvalidInputError("true_targets must mark at least one target and leave one entry unmarked")
    precision, recall, _ = precision_recall_curve(truth.ravel(), P.ravel())
    fpr, tpr, _ = roc_curve(truth.ravel(), P.ravel())
    return {
        "auprc": float(auc(recall, precision)),
        "average_precision": float(average_precision_score(truth.ravel(), P.ravel())),
        "auroc": float(auc(fpr, tpr)),
        "positive_rate": float(truth.mean()),
    }


# --------------------------------------------------------------------------------------
# equivalence classes and identification distances
# --------------------------------------------------------------------------------------
def _cycle_message(S: np.ndarray, name: str) -> str:
    cycle = _core.find_cycle(S.astype(np.float64)) or []
    path = " -> ".join(str(v) for v in [*cycle, *cycle[:1]])
    return f"{name} is not acyclic: it has the directed cycle {path}"


def _dag_or_cpdag(S: np.ndarray, name: str, targets=None) -> bool:
    """Whether the graph of marks S (``_support``) is a CPDAG rather than a DAG: S[i, j] alone
    is i → j, S[i, j] and S[j, i] the undirected i − j. A graph with an undirected edge must be
    a CPDAG (for ``targets``: their essential graph), one without must be acyclic."""
    if (S & S.T).any():
        if not _core.is_cpdag(S.astype(np.float64), targets):
            kind = "CPDAG" if targets is None else "interventional essential graph for these targets"
            raise InvalidInputError(
                f"{name} has undirected edges (B[i, j] and B[j, i] both nonzero) but is not a {kind}, "
                "e.g. an undirected cycle without a chord, or an orientation Meek's rules would "
                "propagate; give a DAG or the output of acyclic.graph.to_cpdag"
            )
        return True
    if not _is_dag(S):
        raise InvalidInputError(_cycle_message(S, name))
    return False


def _same_shape(A: np.ndarray, B: np.ndarray) -> None:
    if A.shape != B.shape:
        raise InvalidInputError(f"B_true and B_est must have the same shape, got {A.shape} and {B.shape}")


def shd_cpdag(B_true, B_est, *, targets=None) -> int:
    """Structural Hamming distance between the equivalence classes (CPDAGs) of two graphs.

    Each graph is a DAG, replaced by its CPDAG (:func:`acyclic.graph.to_cpdag`), or already a
    CPDAG. Every pair of nodes {i, j} has one mark in each: no edge, i → j, j → i or i − j
    (undirected). The distance counts the pairs whose marks differ, each **once**: a missing or
    an extra edge, a reversed edge, and a directed edge where the other has an undirected one
    all cost 1. Orientations that no data of the class could decide (undirected in both) cost
    nothing, unlike the DAG SHD of :func:`count_accuracy`. Conventions for a pair that differs
    in both adjacency and orientation vary between packages; here, as in ``gadjid.shd`` on
    CPDAGs, every differing pair costs 1.

    Parameters
    ----------
    B_true, B_est : array-like or DataFrame of shape (d, d)
        A DAG (weighted or 0/1; ``B[i, j] != 0`` is i → j) or a CPDAG (``B[i, j]`` and
        ``B[j, i]`` both nonzero is the undirected edge i − j, as :func:`~acyclic.graph.to_cpdag`
        returns it). The diagonal is ignored. When both are DataFrames, nodes are matched by
        label as in :func:`count_accuracy`.
    targets : list of lists of int, optional
        Intervention target sets (node indices of ``B_true``), e.g. ``[[], [0]]``: the classes
        are then the interventional ones of Hauser & Bühlmann (JMLR 2012), and a graph with
        undirected edges must be such a class. Default None: observational.

    Returns
    -------
    int
        The number of node pairs whose marks differ, between 0 and d(d − 1)/2.

    Raises
    ------
    InvalidInputError
        Not square, NaN or inf, different shapes; a graph with a directed cycle, or with an
        undirected edge that is not a CPDAG (see :func:`acyclic.graph.is_cpdag`); invalid
        ``targets`` (see :func:`acyclic.graph.to_cpdag`).

    References
    ----------
    Chickering, D. M. (2002). Learning equivalence classes of Bayesian-network structures.
    JMLR 2, 445–498.

    Tsamardinos, I., Brown, L. E., Aliferis, C. F. (2006). The max-min hill-climbing Bayesian
    network structure learning algorithm. Machine Learning 65, 31–78 (the SHD between CPDAGs).

    Examples
    --------
    >>> chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]      # 0 -> 1 -> 2
    >>> reversed_chain = [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
    >>> collider = [[0, 1, 0], [0, 0, 0], [0, 1, 0]]   # 0 -> 1 <- 2
    >>> shd_cpdag(chain, reversed_chain), shd_cpdag(chain, collider)
    (0, 2)
    """
    from .graph import _target_family

    if isinstance(B_true, pd.DataFrame) and isinstance(B_est, pd.DataFrame):
        B_est = _aligned(B_true, B_est)
    truth, est = _support(B_true, "B_true"), _support(B_est, "B_est")
    _same_shape(truth, est)
    family = _target_family(targets, truth.shape[0])
    T, E = (
        S if _dag_or_cpdag(S, name, family) else _core.to_cpdag(S.astype(np.float64), family) != 0
        for S, name in ((truth, "B_true"), (est, "B_est"))
    )
    differ = (T != E) | (T.T != E.T)
    return int(np.triu(differ, 1).sum())


class IdentificationDistance(NamedTuple):
    """A distance of ``gadjid``, as it returns it: ``(normalised_distance, mistake_count)``."""

    #: The share of the d(d − 1) ordered pairs whose causal effect the estimate gets wrong.
    normalised_distance: float
    #: Their number.
    mistake_count: int


def _gadjid():
    try:
        import gadjid
    except ImportError as exc:
        raise ImportError(
            "acyclic.metrics.sid and aid compute through the gadjid package, which is not installed: "
            "pip install gadjid (or pip install 'acyclic[metrics]')"
        ) from exc
    return gadjid


def _gadjid_matrix(S: np.ndarray) -> np.ndarray:
    """gadjid's int8 coding: 1 for i → j (row to column), 2 for an undirected i − j."""
    G = S.astype(np.int8)
    G[S & S.T] = 2
    return G


_AID_KINDS = {"parent": "parent_aid", "ancestor": "ancestor_aid", "oset": "oset_aid"}


def sid(B_true, B_est) -> IdentificationDistance:
    """Structural intervention distance (SID) between two DAGs, computed by ``gadjid``.

    For every ordered pair (i, j), i ≠ j, the estimate suggests how to compute the causal
    effect of i on j: no effect when j is a parent of i in ``B_est``, otherwise adjustment for
    the parents of i in ``B_est``. SID counts the pairs where that formula is wrong for some
    distribution of the true DAG (Peters & Bühlmann 2015). It is not symmetric, and an estimate
    can be far in SHD yet close in SID (a supergraph of the truth has SID 0) or the reverse.
    ``gadjid`` (Henckel, Würtzen & Weichwald, UAI 2024) computes it as the parent adjustment
    identification distance between DAGs; it runs on rayon threads, as many as physical cores
    unless ``RAYON_NUM_THREADS`` says otherwise.

    Parameters
    ----------
    B_true, B_est : array-like of shape (d, d)
        DAGs, weighted or 0/1: ``B[i, j] != 0`` is the edge i → j. The diagonal is ignored.
        For CPDAGs use :func:`aid`.

    Returns
    -------
    IdentificationDistance
        The named tuple ``(normalised_distance, mistake_count)`` as ``gadjid.sid`` returns it:
        ``mistake_count`` the number of wrongly identified effects (int, 0 to d(d − 1)),
        ``normalised_distance`` = mistake_count / (d(d − 1)) (float; 0 when d < 2).

    Raises
    ------
    InvalidInputError
        Not square, NaN or inf, different shapes, a directed cycle, or both ``B[i, j]`` and
        ``B[j, i]`` nonzero (an undirected edge: a CPDAG, which SID does not take).
    ImportError
        ``gadjid`` is not installed (``pip install gadjid``).

    References
    ----------
    Peters, J., Bühlmann, P. (2015). Structural intervention distance for evaluating causal
    graphs. Neural Computation 27(3), 771–799.

    Henckel, L., Würtzen, T., Weichwald, S. (2024). Adjustment identification distance: a gadjid
    for causal structure learning. UAI.

    Examples
    --------
    >>> chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]      # 0 -> 1 -> 2
    >>> collider = [[0, 1, 0], [0, 0, 0], [0, 1, 0]]   # 0 -> 1 <- 2
    >>> sid(chain, collider)  # doctest: +SKIP
    IdentificationDistance(normalised_distance=0.5, mistake_count=3)
    """
    gadjid = _gadjid()
    truth, est = _support(B_true, "B_true"), _support(B_est, "B_est")
    _same_shape(truth, est)
    for S, name in ((truth, "B_true"), (est, "B_est")):
        if (S & S.T).any():
            raise InvalidInputError(
                f"{name} has undirected edges (B[i, j] and B[j, i] both nonzero): SID compares DAGs; "
                "for CPDAGs use acyclic.metrics.aid"
            )
        _dag_or_cpdag(S, name)
    if truth.shape[0] < 2:
        return IdentificationDistance(0.0, 0)  # no pair of nodes (gadjid refuses such graphs)
    normalised, count = gadjid.sid(truth.astype(np.int8), est.astype(np.int8), edge_direction="from row to column")
    return IdentificationDistance(float(normalised), int(count))


def aid(B_true, B_est, kind: str = "ancestor") -> IdentificationDistance:
    """Adjustment identification distance (AID) between DAGs or CPDAGs, computed by ``gadjid``.

    For every ordered pair (i, j), i ≠ j, the estimate ``B_est`` either says that i has no
    effect on j, or that the effect is not identifiable (in a CPDAG), or gives an adjustment set
    for it; the distance counts the pairs where that answer is wrong in the true graph
    (Henckel, Würtzen & Weichwald, UAI 2024). ``kind`` chooses the adjustment set read off the
    estimate:

    * ``"ancestor"`` (default) — i's ancestors; recommended by the authors with ``"oset"``;
    * ``"oset"`` — the optimal adjustment set (the smallest asymptotic variance); the slowest;
    * ``"parent"`` — i's parents: between DAGs this is the SID (:func:`sid`), on CPDAGs it
      differs from the SID.

    It is not symmetric. ``gadjid`` runs on rayon threads, as many as physical cores unless
    ``RAYON_NUM_THREADS`` says otherwise.

    Parameters
    ----------
    B_true, B_est : array-like of shape (d, d)
        Each a DAG (weighted or 0/1; ``B[i, j] != 0`` is i → j) or a CPDAG (``B[i, j]`` and
        ``B[j, i]`` both nonzero is the undirected i − j, as :func:`acyclic.graph.to_cpdag` and a
        learner's ``cpdag_`` give it). The diagonal is ignored.
    kind : {"ancestor", "oset", "parent"}, default "ancestor"
        The adjustment strategy.

    Returns
    -------
    IdentificationDistance
        The named tuple ``(normalised_distance, mistake_count)`` as ``gadjid`` returns it:
        ``mistake_count`` the number of wrongly inferred effects (int, 0 to d(d − 1)),
        ``normalised_distance`` = mistake_count / (d(d − 1)) (float; 0 when d < 2).

    Raises
    ------
    InvalidInputError
        Not square, NaN or inf, different shapes, a directed cycle, a graph with undirected
        edges that is not a CPDAG (gadjid assumes one and does not check; the interventional
        essential graphs of :func:`acyclic.graph.to_cpdag` with ``targets`` are refused too), or
        an unknown ``kind``.
    ImportError
        ``gadjid`` is not installed (``pip install gadjid``).

    References
    ----------
    Henckel, L., Würtzen, T., Weichwald, S. (2024). Adjustment identification distance: a gadjid
    for causal structure learning. UAI.

    Examples
    --------
    >>> chain = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]      # 0 -> 1 -> 2
    >>> aid(chain, chain, kind="oset")  # doctest: +SKIP
    IdentificationDistance(normalised_distance=0.0, mistake_count=0)
    """
    if kind not in _AID_KINDS:
        raise InvalidInputError(f"kind must be one of {', '.join(map(repr, _AID_KINDS))}, got {kind!r}")
    distance = getattr(_gadjid(), _AID_KINDS[kind])
    truth, est = _support(B_true, "B_true"), _support(B_est, "B_est")
    _same_shape(truth, est)
    _dag_or_cpdag(truth, "B_true")
    _dag_or_cpdag(est, "B_est")
    if truth.shape[0] < 2:
        return IdentificationDistance(0.0, 0)  # no pair of nodes (gadjid refuses such graphs)
    normalised, count = distance(_gadjid_matrix(truth), _gadjid_matrix(est), edge_direction="from row to column")
    return IdentificationDistance(float(normalised), int(count))


def _check_X_B(X, B):
    try:
        Xa = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"X must be a numeric 2-D array: {exc}") from exc
    if Xa.ndim != 2:
        raise InvalidInputError(f"X must be a 2-D array of shape (n_samples, d), got shape {Xa.shape}")
    if not np.all(np.isfinite(Xa)):
        raise InvalidInputError("X contains NaN or infinite values")
    S = _support(B, "B")
    if S.shape[0] != Xa.shape[1]:
        raise InvalidInputError(f"B has shape {S.shape} but X has {Xa.shape[1]} columns")
    if Xa.shape[0] < 2:
        raise InvalidInputError("X needs at least 2 samples")
    return Xa, S


def _walk_alignment(S: np.ndarray, score: np.ndarray, tol: float, relative: bool) -> float:
    """Fraction of (walk length k, i, j) with a walk of length k from i to j along
    which the score increases; ties (within tol) count one half. k = 1..d-1."""
    d = S.shape[0]
    if relative:
        up = score[None, :] > score[:, None] * (1.0 + tol)
        tie = (score[None, :] >= score[:, None] * (1.0 - tol)) & ~up
    else:
        diff = score[None, :] - score[:, None]
        up = diff > tol
        tie = np.abs(diff) <= tol
    weight = up + 0.5 * tie
    E = S.astype(np.float64)
    Pk = S.copy()
    num = 0.0
    den = 0
    for _ in range(max(d - 1, 0)):
        cnt = int(Pk.sum())
        if cnt == 0:
            break  # no walks of this length, hence none longer (always reached on a DAG)
        num += float(weight[Pk].sum())
        den += cnt
        Pk = (Pk.astype(np.float64) @ E) > 0.5  # boolean product: walks one step longer
    if den == 0:
        return 0.5
    return num / den


def varsortability(X, B, tol: float = 1e-9) -> float:
    """Fraction of directed walks along which the marginal variance increases.

    With ``E = 1[B != 0]`` (diagonal ignored) and ``P_k`` the boolean ``k``-th power of
    ``E`` (``P_k[i, j] = 1`` iff a directed walk of length exactly ``k`` leads from
    ``i`` to ``j``), ``k = 1, ..., d-1``::

        varsortability = sum_k sum_ij P_k[i,j] * ( 1[v_j / v_i > 1 + tol]
                                                  + 1/2 * 1[1 - tol < v_j / v_i <= 1 + tol] )
                         / sum_k sum_ij P_k[i,j]

    where ``v = X.var(axis=0)`` (population variance, ``ddof=0``). 1 means the
    variance strictly increases along every walk (sorting by variance recovers a
    causal order), 0 that it always decreases, **0.5 is uninformative** (e.g. after
    standardizing every column). A graph without edges has no walks; 0.5 is
    returned then. On a DAG the loop stops at the longest path; on a cyclic graph
    it costs ``d-1`` dense ``d × d`` products.

    Parameters
    ----------
    X : array_like of shape (n_samples, d)
        Data, finite, ``n_samples >= 2``.
    B : array_like of shape (d, d)
        Graph (0/1 or weights); need not be acyclic.
    tol : float, default 1e-9
        Relative tolerance under which two variances count as equal.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    InvalidInputError
        If ``X`` is not a finite 2-D array with at least 2 rows, ``B`` is not a
        square matrix matching ``X``'s columns, or ``tol < 0``.

    References
    ----------
    Reisach, A. G., Seiler, C., Weichwald, S. (2021). Beware of the simulated DAG!
    Causal discovery benchmarks may be easy to game. NeurIPS 34.
    """
    Xa, S = _check_X_B(X, B)
    if not (np.isfinite(tol) and tol >= 0):
        raise InvalidInputError(f"tol must be a finite non-negative number, got {tol!r}")
    v = Xa.var(axis=0)
    return float(_walk_alignment(S, v, float(tol), relative=True))


def _r2_scores(Xa: np.ndarray) -> np.ndarray:
    """R² of each column regressed (with intercept) on all others."""
    n, d = Xa.shape
    if d == 1:
        return np.zeros(1)
    std = Xa.std(axis=0)
    const = np.flatnonzero(std == 0)
    if const.size:
        raise InvalidInputError(f"X has constant columns {const.tolist()}; R² is undefined for them")
    C = np.corrcoef(Xa, rowvar=False)
    try:
        Ci = np.linalg.inv(C)
        diag = np.diag(Ci)
        ok = np.all(np.isfinite(diag)) and np.all(diag >= 1.0 - 1e-8) and np.linalg.cond(C) < 1e12
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        return np.clip(1.0 - 1.0 / diag, 0.0, 1.0)
    # singular correlation (collinear columns or n <= d): least squares on the others
    Z = (Xa - Xa.mean(axis=0)) / std
    r2 = np.empty(d)
    for j in range(d):
        others = np.delete(Z, j, axis=1)
        coef, *_ = np.linalg.lstsq(others, Z[:, j], rcond=None)
        resid = Z[:, j] - others @ coef
        r2[j] = 1.0 - resid @ resid / (Z[:, j] @ Z[:, j])
    return np.clip(r2, 0.0, 1.0)


def r2_sortability(X, B, tol: float = 1e-9) -> float:
    """Fraction of directed walks along which R² (predictability from all other
    variables) increases.

    ``R²_j = 1 - 1 / [corr(X)^{-1}]_{jj}`` is the coefficient of determination of
    regressing ``x_j`` on all other columns (with intercept); when the correlation
    matrix is singular it is computed by least squares instead. The alignment is
    counted over walks as in :func:`varsortability` (boolean walk products for
    lengths ``1..d-1``; a pair counts 1 if ``R²_j - R²_i > tol``, 1/2 if
    ``|R²_j - R²_i| <= tol``). R² is invariant to rescaling the columns, so unlike
    varsortability it survives standardization. **0.5 is uninformative**; 1 means
    sorting by R² recovers a causal order. A graph without edges returns 0.5.

    Parameters
    ----------
    X : array_like of shape (n_samples, d)
        Data, finite, ``n_samples >= 2``, no constant column.
    B : array_like of shape (d, d)
        Graph (0/1 or weights); need not be acyclic.
    tol : float, default 1e-9
        Absolute tolerance under which two R² values count as equal.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    InvalidInputError
        If ``X`` is not a finite 2-D array with at least 2 rows, has a constant
        column, ``B`` does not match ``X``'s columns, or ``tol < 0``.

    References
    ----------
    Reisach, A. G., Tami, M., Seiler, C., Weichwald, S. (2023). A scale-invariant
    sorting criterion to find a causal order in additive noise models. NeurIPS 36.
    """
    Xa, S = _check_X_B(X, B)
    if not (np.isfinite(tol) and tol >= 0):
        raise InvalidInputError(f"tol must be a finite non-negative number, got {tol!r}")
    r2 = _r2_scores(Xa)
    return float(_walk_alignment(S, r2, float(tol), relative=False))
