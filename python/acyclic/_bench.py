"""A small smoke benchmark of :class:`acyclic.NOTEARS` on simulated data (``acyclic bench``).

Each ``(d, seed)`` pair simulates one data set with :mod:`acyclic.simulate` (a random
DAG with ``s0 = k * d`` edges, weights uniform on ``[-2, -0.5] ∪ [0.5, 2]``, a linear
SEM with ``n`` samples), fits NOTEARS once in this process and scores the estimate with
:func:`acyclic.metrics.count_accuracy`. The graph, the weights and the noise get three
independent seeds derived from ``seed`` exactly as ``benchmarks/common.py`` derives
them, so a ``(setting, seed)`` here is the same data set as in the full benchmark suite.

This is a quick check, not the benchmark suite: no peers, no subprocess isolation, no
memory figures (see ``benchmarks/`` in the repository for those).
"""

from __future__ import annotations

import time
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    "BENCH_NOISES", "sub_seeds", "make_data", "run_smoke_bench",
    "format_header", "format_row", "format_mean", "format_table",
]

#: Noise types of :func:`acyclic.simulate.simulate_linear_sem` with a continuous outcome.
BENCH_NOISES: Tuple[str, ...] = ("gauss", "exp", "gumbel", "uniform")


def sub_seeds(seed: int, count: int) -> List[int]:
    """Independent integer seeds derived from one seed.

    Parameters
    ----------
    seed : int
        The seed of one data set.
    count : int
        How many seeds to derive.

    Returns
    -------
    list of int
        ``count`` seeds from ``numpy.random.SeedSequence([seed, 20180101]).spawn(count)``
        (the derivation used by ``benchmarks/common.py``).
    """
    children = np.random.SeedSequence([int(seed), 20180101]).spawn(count)
    return [int(c.generate_state(1)[0]) for c in children]


def make_data(
    d: int,
    seed: int,
    *,
    graph: str = "ER",
    k: int = 2,
    n: int = 1000,
    noise: str = "gauss",
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate one data set of the smoke benchmark.

    Parameters
    ----------
    d : int
        Number of nodes.
    seed : int
        Seed of the data set (graph, weights and noise get derived seeds, see
        :func:`sub_seeds`).
    graph : {"ER", "SF"}, default "ER"
        Graph model of :func:`acyclic.simulate.simulate_dag`.
    k : int, default 2
        Expected edges per node, ``s0 = k * d``.
    n : int, default 1000
        Number of samples.
    noise : {"gauss", "exp", "gumbel", "uniform"}, default "gauss"
        ``sem_type`` of :func:`acyclic.simulate.simulate_linear_sem`.

    Returns
    -------
    B : numpy.ndarray of shape (d, d), int
        True 0/1 adjacency, ``B[i, j] = 1`` meaning ``i -> j``.
    W : numpy.ndarray of shape (d, d), float64
        True weights.
    X : numpy.ndarray of shape (n, d), float64
        The raw (unstandardized) samples.

    Raises
    ------
    acyclic.exceptions.InvalidInputError
        If the simulators reject the setting (e.g. ``k * d`` edges do not fit in an
        ER DAG on ``d`` nodes).
    """
    from . import simulate

    s_graph, s_weights, s_noise = sub_seeds(seed, 3)
    B = simulate.simulate_dag(int(d), int(k) * int(d), graph, random_state=s_graph)
    W = simulate.simulate_parameter(B, random_state=s_weights)
    X = simulate.simulate_linear_sem(W, int(n), noise, random_state=s_noise)
    return np.asarray(B), np.asarray(W, dtype=np.float64), np.asarray(X, dtype=np.float64)


def run_smoke_bench(
    ds: Sequence[int] = (10, 20),
    seeds: Sequence[int] = (0, 1, 2),
    *,
    graph: str = "ER",
    k: int = 2,
    n: int = 1000,
    noise: str = "gauss",
    standardize: bool = False,
    lambda1: Optional[float] = None,
    w_threshold: Optional[float] = None,
    callback=None,
) -> List[Dict[str, object]]:
    """Fit NOTEARS once per ``(d, seed)`` and score it against the simulated truth.

    Parameters
    ----------
    ds : sequence of int, default (10, 20)
        Numbers of nodes.
    seeds : sequence of int, default (0, 1, 2)
        Data-set seeds.
    graph : {"ER", "SF"}, default "ER"
        Graph model.
    k : int, default 2
        Expected edges per node (``s0 = k * d``).
    n : int, default 1000
        Samples per data set.
    noise : {"gauss", "exp", "gumbel", "uniform"}, default "gauss"
        Noise distribution of the linear SEM.
    standardize : bool, default False
        Passed to :class:`acyclic.NOTEARS` (standardizing removes the varsortability
        of raw simulated data, which makes the problem much harder for least squares).
    lambda1, w_threshold : float, optional
        NOTEARS parameters; the estimator's defaults when None.
    callback : callable, optional
        Called with each result row as soon as it is computed (e.g. to print it).

    Returns
    -------
    list of dict
        One row per ``(d, seed)``, in loop order (``d`` outer), with keys ``d``,
        ``seed``, ``edges`` (true edge count), ``seconds`` (wall time of ``fit``),
        ``shd``, ``tpr``, ``fdr``, ``nnz``, ``is_dag``, ``n_iter``, ``converged``.

    Raises
    ------
    acyclic.exceptions.InvalidInputError
        If a setting cannot be simulated or a parameter is rejected by NOTEARS.
    """
    from . import NOTEARS
    from .metrics import count_accuracy

    params = {"standardize": bool(standardize)}
    if lambda1 is not None:
        params["lambda1"] = float(lambda1)
    if w_threshold is not None:
        params["w_threshold"] = float(w_threshold)
    rows: List[Dict[str, object]] = []
    for d in ds:
        for seed in seeds:
            B, _, X = make_data(d, seed, graph=graph, k=k, n=n, noise=noise)
            est = NOTEARS(**params)
            with warnings.catch_warnings():
                # converged_ is reported in the table; the warning would only repeat it
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                est.fit(X)
                seconds = time.perf_counter() - t0
            acc = count_accuracy(B, est.adjacency_)
            row = {
                "d": int(d),
                "seed": int(seed),
                "edges": int(np.count_nonzero(B)),
                "seconds": float(seconds),
                "shd": int(acc["shd"]),
                "tpr": float(acc["tpr"]),
                "fdr": float(acc["fdr"]),
                "nnz": int(acc["nnz"]),
                "is_dag": bool(acc["is_dag"]),
                "n_iter": int(est.n_iter_),
                "converged": bool(est.converged_),
            }
            rows.append(row)
            if callback is not None:
                callback(row)
    return rows


_COLUMNS = (
    # (key, header, format)
    ("d", "d", "{:d}"),
    ("seed", "seed", "{:d}"),
    ("edges", "edges", "{:d}"),
    ("seconds", "seconds", "{:.3f}"),
    ("shd", "SHD", "{:d}"),
    ("tpr", "TPR", "{:.3f}"),
    ("fdr", "FDR", "{:.3f}"),
    ("nnz", "NNZ", "{:d}"),
    ("is_dag", "is_dag", "{}"),
    ("n_iter", "n_iter", "{:d}"),
    ("converged", "converged", "{}"),
)
_WIDTHS = {key: max(len(header), 7) for key, header, _ in _COLUMNS}


def format_header() -> str:
    """The header line of the table printed by :func:`format_row`.

    Returns
    -------
    str
        Column names, right-aligned to the widths of :func:`format_row`.
    """
    return "  ".join(header.rjust(_WIDTHS[key]) for key, header, _ in _COLUMNS)


def format_row(row: Dict[str, object]) -> str:
    """One result row of :func:`run_smoke_bench` as a table line.

    Parameters
    ----------
    row : dict
        A row returned by :func:`run_smoke_bench`.

    Returns
    -------
    str
        The values, right-aligned under :func:`format_header`.
    """
    return "  ".join(fmt.format(row[key]).rjust(_WIDTHS[key]) for key, _, fmt in _COLUMNS)


def format_mean(d: int, rows: Sequence[Dict[str, object]]) -> str:
    """Mean over the seeds of one ``d`` as a table line.

    Parameters
    ----------
    d : int
        The number of nodes the rows belong to.
    rows : sequence of dict
        The rows of :func:`run_smoke_bench` with that ``d``.

    Returns
    -------
    str
        A line with ``mean`` in the seed column, mean seconds, SHD, TPR, FDR, NNZ
        and edge count, the number of DAG estimates / converged fits as ``k/m``.
    """
    m = len(rows)
    mean = lambda key: float(np.mean([float(r[key]) for r in rows]))  # noqa: E731
    cells = {
        "d": str(d),
        "seed": "mean",
        "edges": f"{mean('edges'):.1f}",
        "seconds": f"{mean('seconds'):.3f}",
        "shd": f"{mean('shd'):.1f}",
        "tpr": f"{mean('tpr'):.3f}",
        "fdr": f"{mean('fdr'):.3f}",
        "nnz": f"{mean('nnz'):.1f}",
        "is_dag": f"{sum(bool(r['is_dag']) for r in rows)}/{m}",
        "n_iter": f"{mean('n_iter'):.1f}",
        "converged": f"{sum(bool(r['converged']) for r in rows)}/{m}",
    }
    return "  ".join(cells[key].rjust(_WIDTHS[key]) for key, _, _ in _COLUMNS)


def format_table(rows: Sequence[Dict[str, object]]) -> str:
    """The whole result table: header, one line per run, a mean line per ``d`` with several seeds.

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`run_smoke_bench`.

    Returns
    -------
    str
        The table, lines separated by newlines (no trailing newline).
    """
    lines = [format_header()]
    for row in rows:
        lines.append(format_row(row))
    lines.extend(_mean_lines(rows))
    return "\n".join(lines)


def _mean_lines(rows: Sequence[Dict[str, object]]) -> List[str]:
    by_d: Dict[int, List[Dict[str, object]]] = {}
    for row in rows:
        by_d.setdefault(int(row["d"]), []).append(row)
    return [format_mean(d, group) for d, group in by_d.items() if len(group) > 1]
