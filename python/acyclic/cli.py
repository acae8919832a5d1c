"""Command-line interface: ``acyclic learn …`` and ``acyclic bench …``.

Installed as the console script ``acyclic`` (``acyclic = "acyclic.cli:main"``); also
runnable as ``python -m acyclic.cli``.

``acyclic learn SOURCE``
    Learn a DAG from the built-in Sachs data (``SOURCE = sachs``) or from a CSV file
    (header row = node labels, every column numeric). Prints the source, its size, the
    preprocessing, the method and its parameters, the learned edges sorted by
    ``|weight|``, the iteration count, convergence and time; for ``sachs`` also SHD,
    TPR, FDR, FPR and NNZ against the acyclic 17-edge consensus graph, with the empty
    graph's figures (SHD 17) beside them. ``--out`` writes the graph (``.graphml``,
    ``.gml`` or ``.json``); ``--plot`` draws it (for ``sachs`` a second file
    ``<stem>_vs_truth<suffix>`` holds the truth-vs-estimate heat-maps).

``acyclic bench``
    Benchmark suites (``--suite smoke|standard|scaling|standardized|nonlinear|sachs``) of the learners,
    the sort-and-regress baselines and optional peer packages, each run in its own process;
    writes ``runs.csv``, ``summary.md`` and plots (see :mod:`acyclic.bench`).

Exit codes: 0 success; 2 bad input or parameters (argparse's usage errors, unreadable
or non-numeric data, unknown output format, any :class:`acyclic.exceptions.AcyclicError`),
reported as one line on stderr without a traceback; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

__all__ = [
    "SACHS_DEFAULTS",
    "SACHS_REFERENCE",
    "OUT_FORMATS",
    "CLIError",
    "build_parser",
    "main",
    "read_csv_data",
    "learned_graph",
    "write_graph",
]

#: Preprocessing and NOTEARS parameters used for ``acyclic learn sachs`` unless a flag
#: overrides them. For a CSV file the estimator's own defaults apply instead.
#: Chosen by measurement on the 853 observational rows against the 17-edge graph (SHD, λ1 in
#: 0.01/0.03/0.1): raw 11/11/11 but never converged (h stalls near 2e-8 with ρ = 1e16, as the
#: reference code's does) and dependent on the arbitrary units (7 of its 15 edges reversed);
#: standardized 15/15/15; log + standardized 14/13/15 and converged. The abundances are positive
#: and heavy-tailed, so log then standardize, λ1 = 0.03. See benchmarks/RESULTS.md.
SACHS_DEFAULTS = dict(standardize=True, log=True, lambda1=0.03, w_threshold=0.3)

#: Per-method changes to SACHS_DEFAULTS (None: the estimator's own default). COSMO's λ1 is on
#: another scale (its loss is a mean over B·d entries); DP-DAG has no λ1 but a KL weight, and
#: (with its final refit) 0.03 gave mean SHD 13.0 over seeds 0–4 on the log-standardized rows,
#: against 14.2 for 0.01 and 15.8 for 0.1, its "auto" value at d = 11 (see benchmarks/RESULTS.md,
#: DP-DAG).
SACHS_METHOD_DEFAULTS = {"cosmo": {"lambda1": None}, "dpdag": {"lambda_kl": 0.03}}

#: Reference graph for the Sachs metrics (see :func:`acyclic.datasets.load_sachs`).
SACHS_REFERENCE = "dag17"
_SACHS_REFERENCE_NAME = "the acyclic 17-edge consensus graph (load_sachs(graph='dag17'))"

#: Graph file formats of ``--out``, by file extension.
OUT_FORMATS = (".graphml", ".gml", ".json")

#: ``acyclic learn --method`` names → estimator class names in :mod:`acyclic`.
_LEARNERS = {"notears": "NOTEARS", "dagma": "DAGMA", "topo": "TOPO", "cosmo": "COSMO", "dpdag": "DPDAG"}

_EXIT_USAGE = 2
_EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """A user-facing error of the command line: printed as one line, exit code 2."""


# --------------------------------------------------------------------------------------------------
# Parser


def _int_in(low: int, high: int):
    """An argparse type: an integer in [low, high] (a clear usage error otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside [{low}, {high}]")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``acyclic`` command.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the subcommands ``learn`` and ``bench``.
    """
    from . import __version__

    est_defaults = _notears_defaults()
    parser = argparse.ArgumentParser(
        prog="acyclic",
        description="Learn causal DAGs from data (NOTEARS with a Rust core).",
    )
    parser.add_argument("--version", action="version", version=f"acyclic {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    learn = sub.add_parser(
        "learn",
        help="learn a DAG from the built-in Sachs data or a CSV file",
        description=(
            "Learn a DAG from SOURCE: 'sachs' (built-in Sachs et al. 2005 data, scored against the "
            "acyclic 17-edge consensus graph) or a CSV file whose header row names the nodes and "
            "whose columns are all numeric."
        ),
        epilog=(
            f"Defaults for sachs: standardize={SACHS_DEFAULTS['standardize']}, "
            f"log={SACHS_DEFAULTS['log']}, lambda1={SACHS_DEFAULTS['lambda1']}, "
            f"threshold={SACHS_DEFAULTS['w_threshold']}; for dpdag lambda_kl=0.03 instead of lambda1 and "
            "threshold, for cosmo its own lambda1. For a CSV file: the estimator's defaults (no log; no "
            "standardization, except dpdag, which standardizes by default). With --plot and sachs, a second file "
            "<stem>_vs_truth<suffix> holds the truth-vs-estimate heat-maps."
        ),
    )
    learn.add_argument("source", metavar="SOURCE", help="'sachs' or the path of a CSV file")
    learn.add_argument(
        "--method",
        choices=list(_LEARNERS),
        default="notears",
        help="learner: notears (Zheng et al. 2018), dagma (Bello et al. 2022), topo (Deng et al. "
        "2023; no L1 term, so --lambda1 and --loss do not apply), cosmo (Massidda et al. 2024) "
        "or dpdag (Charpentier et al. 2022, linear mechanism; --threshold and --lambda1 do not "
        "apply); default: notears",
    )
    learn.add_argument(
        "--seed",
        type=_int_in(0, 2**31 - 1),
        default=None,
        metavar="N",
        help="random_state of the stochastic learners (cosmo, dpdag; default: 0); does not apply to the others",
    )
    learn.add_argument(
        "--refine",
        action="store_true",
        help="improve the learned graph by TOPO's swap search started from its order "
        "(acyclic.refine_topo; least-squares score never worse)",
    )
    learn.add_argument(
        "--standardize",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="scale every column to unit variance before fitting "
        f"(default: {_yn(SACHS_DEFAULTS['standardize'])} for sachs, {_yn(est_defaults['standardize'])} for a CSV)",
    )
    learn.add_argument(
        "--log",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply the natural log to every column first (all values must be > 0; "
        f"default: {_yn(SACHS_DEFAULTS['log'])} for sachs, no for a CSV)",
    )
    learn.add_argument(
        "--lambda1",
        type=float,
        default=None,
        metavar="X",
        help=f"L1 penalty weight (default: {SACHS_DEFAULTS['lambda1']:g} for sachs, "
        f"{est_defaults['lambda1']:g} for a CSV)",
    )
    learn.add_argument(
        "--threshold",
        type=float,
        default=None,
        metavar="X",
        help="drop edges with |weight| below X, NOTEARS' w_threshold "
        f"(default: {SACHS_DEFAULTS['w_threshold']:g} for sachs, {est_defaults['w_threshold']:g} for a CSV)",
    )
    learn.add_argument(
        "--loss",
        choices=["l2", "logistic", "poisson"],
        default=None,
        help=f"loss; logistic for 0/1 data, poisson for counts (default: {est_defaults['loss_type']})",
    )
    learn.add_argument(
        "--max-iter",
        type=_int_in(1, 10**7),
        default=None,
        metavar="N",
        help="cap on the learner's main loop: NOTEARS dual-ascent steps (default: "
        f"{est_defaults['max_iter']}), DAGMA inner iterations of the last stage, TOPO swap "
        "rounds, COSMO and DP-DAG epochs (default: each learner's own)",
    )
    learn.add_argument(
        "--rows",
        choices=["observational", "all"],
        default=None,
        help="sachs only: the 853 observational rows (default) or all 7466 rows",
    )
    learn.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write the learned graph; format by extension: .graphml, .gml or .json (node-link)",
    )
    learn.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="draw the learned graph into FILE (e.g. graph.png); for sachs also <stem>_vs_truth<suffix>",
    )
    learn.add_argument(
        "--forbid",
        action="append",
        default=[],
        metavar="A:B",
        help="forbid the edge A -> B (repeatable; node names are column labels)",
    )
    learn.add_argument(
        "--require",
        action="append",
        default=[],
        metavar="A:B",
        help="require the edge A -> B (repeatable; it is then always in the result)",
    )
    learn.add_argument(
        "--tiers",
        default=None,
        metavar="FILE",
        help="temporal tiers, earliest first: a text file with one tier per line, node names "
        "separated by commas; edges from a later tier to an earlier one are forbidden",
    )
    learn.add_argument(
        "--knowledge",
        default=None,
        metavar="FILE",
        help='prior knowledge as JSON: {"forbidden": [[A, B], ...], "required": [...], '
        '"sources": [...], "sinks": [...], "tiers": [[...], ...]} (acyclic.PriorKnowledge.from_json); '
        "--forbid/--require/--tiers add to it",
    )
    learn.add_argument("--quiet", action="store_true", help="print nothing on stdout (errors still go to stderr)")
    learn.set_defaults(func=_cmd_learn)

    _add_bench_parser(sub)
    return parser


def _add_bench_parser(sub) -> None:
    """The ``bench`` subcommand's parser (suite names and defaults from :mod:`acyclic.bench`)."""
    from .bench.suites import SUITES

    bench = sub.add_parser(
        "bench",
        help="benchmark suites: learners, baselines and peers on simulated or Sachs data",
        description=(
            "Run a benchmark suite: every (setting, seed, method) in its own process (peak memory from "
            "os.wait4, --timeout kills only that run), scored against the true graph (SHD with a reversed "
            "edge counted once and twice, TPR, FDR, FPR, NNZ, is_dag, least-squares score, varsortability "
            "and R²-sortability of the data). Writes runs.csv (row by row), runs.json, meta.json, "
            "estimates.npz, summary.md and plots/ into --out, and prints the summary. Failures are rows, "
            "not aborts; Ctrl-C keeps the finished rows. Suites: "
            + "; ".join(f"{s.name}: {s.description}" for s in SUITES.values())
            + "."
        ),
        epilog=(
            "Method names: see --list; groups 'learners', 'nonlinear', 'baselines', 'peers', 'variants', "
            "'all'. Peers (dagma, lingam, gcastle) are optional installs and skipped with a notice when absent. The flags below override "
            "the suite's grid."
        ),
    )
    bench.add_argument("--suite", choices=list(SUITES), default="smoke", help="the suite (default: smoke)")
    bench.add_argument(
        "--methods",
        nargs="+",
        default=None,
        metavar="M",
        help="methods or groups to run instead of the suite's (see --list)",
    )
    bench.add_argument("--graph", nargs="+", choices=["ER", "SF"], type=str.upper, default=None, help="graph models")
    bench.add_argument("--k", nargs="+", type=_int_in(1, 100), default=None, help="expected edges per node, s0 = k*d")
    bench.add_argument("--d", nargs="+", type=_int_in(2, 100000), default=None, metavar="D", help="numbers of nodes")
    bench.add_argument("--n", type=_int_in(2, 10**8), default=None, help="samples per data set")
    bench.add_argument(
        "--noise",
        nargs="+",
        choices=["gauss", "exp", "gumbel", "uniform", "mlp", "mim", "gp-sines"],
        default=None,
        help="noise of the linear SEM, or a nonlinear SEM (mlp, mim, gp-sines)",
    )
    bench.add_argument(
        "--seeds",
        nargs="+",
        type=_int_in(0, 2**32 - 1),
        default=None,
        metavar="S",
        help="data-set seeds (also each run's random_state)",
    )
    bench.add_argument(
        "--standardize",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="standardized data only (--standardize) or raw only (--no-standardize); "
        "default: the suite's (standardized and sachs: both)",
    )
    bench.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        metavar="N",
        help="runs at a time, each in its own process (-1: one per CPU; default: 1)",
    )
    bench.add_argument(
        "--threads",
        type=_int_in(1, 1024),
        default=1,
        metavar="T",
        help="threads per run (learners' n_jobs, BLAS threads; default: 1)",
    )
    bench.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds before a run is killed (default: the suite's)",
    )
    bench.add_argument("--out", default=None, metavar="DIR", help="output folder (default: bench-results/<suite>)")
    bench.add_argument("--no-plots", action="store_true", help="skip the figures")
    bench.add_argument(
        "--heatmap", default=None, metavar="M", help="method drawn in plots/heatmap.png (default: the first learner)"
    )
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")
    bench.add_argument("--list", action="store_true", help="list the suites and methods (with availability) and exit")
    bench.add_argument(
        "--summarize",
        default=None,
        metavar="DIR",
        help="re-write summary.md and plots/ of an earlier run's folder, print the summary, run nothing",
    )
    bench.set_defaults(func=_cmd_bench)


def _yn(flag) -> str:
    return "yes" if flag else "no"


def _notears_defaults() -> Dict[str, object]:
    """The constructor defaults of :class:`acyclic.NOTEARS` (for the help texts)."""
    import inspect

    from . import NOTEARS

    return {
        name: p.default
        for name, p in inspect.signature(NOTEARS).parameters.items()
        if p.default is not inspect.Parameter.empty
    }


# --------------------------------------------------------------------------------------------------
# Entry point


@contextlib.contextmanager
def _sigterm_as_ctrl_c():
    """SIGTERM (a scheduler's or ``timeout``'s stop) raises KeyboardInterrupt, so that it ends a
    command as Ctrl-C does; in the main thread only, with the previous handler restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``acyclic`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        Exit code: 0 success, 2 usage or input error (one line on stderr), 130
        interrupted with Ctrl-C or SIGTERM (which the command treats as Ctrl-C: a benchmark
        keeps its finished rows and ends its runs).
    """
    from .exceptions import AcyclicError

    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version, usage errors: return instead of exiting
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else _EXIT_USAGE)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded by `bench` in meta.json
    try:
        with _sigterm_as_ctrl_c():
            return int(args.func(args))
    except KeyboardInterrupt:
        _eprint("interrupted")
        return _EXIT_INTERRUPTED
    except (CLIError, AcyclicError) as exc:
        if type(exc).__name__ == "Cancelled" or "cancelled" in str(exc).lower():
            _eprint("interrupted")
            return _EXIT_INTERRUPTED
        _eprint(f"acyclic {args.command}: error: {_one_line(exc)}")
        return _EXIT_USAGE
    except OSError as exc:  # unreadable input, unwritable output
        if isinstance(exc, BrokenPipeError):
            return _broken_pipe()
        _eprint(f"acyclic {args.command}: error: {_one_line(exc)}")
        return _EXIT_USAGE


def _eprint(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def _broken_pipe() -> int:
    """Stdout was closed early (``acyclic learn sachs | head``): exit quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a descriptor
        pass
    return 1


# --------------------------------------------------------------------------------------------------
# Data


def read_csv_data(path) -> pandas.DataFrame:  # noqa: F821
    """Read a CSV file of numeric columns, header row = node labels.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (read with :func:`pandas.read_csv`, default settings).

    Returns
    -------
    pandas.DataFrame
        Float64 columns in file order, labelled by the header.

    Raises
    ------
    CLIError
        If the file is missing, empty or not parseable, has no data rows, a column
        holds a non-numeric value (the message names every such column and the first
        offending row and value), or a column has missing or infinite values.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"no such file: {str(path)!r} (SOURCE is 'sachs' or the path of a CSV file)")
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{str(path)!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot read {str(path)!r} as CSV: {_one_line(exc)}") from None
    if df.shape[1] == 0 or df.shape[0] == 0:
        raise CLIError(f"{str(path)!r} has no data rows (header row = node labels, then one row per sample)")

    bad: List[str] = []
    columns = {}
    for k, name in enumerate(df.columns):
        col = df.iloc[:, k]
        if pd.api.types.is_bool_dtype(col):
            col = col.astype(np.float64)
        elif not pd.api.types.is_numeric_dtype(col):
            converted = pd.to_numeric(col, errors="coerce")
            offending = converted.isna() & col.notna()
            if offending.any():
                row = int(np.flatnonzero(offending.to_numpy())[0])
                bad.append(f"{name!r} (row {row + 1}: {col.iloc[row]!r})")
                continue
            col = converted
        columns[name] = col.astype(np.float64)
    if bad:
        which = "column" if len(bad) == 1 else "columns"
        raise CLIError(
            f"non-numeric {which} in {str(path)!r}: {', '.join(bad)}; every column must hold numbers "
            "(drop or encode the column first)"
        )
    out = pd.DataFrame(columns, index=df.index)
    out.columns = df.columns
    values = out.to_numpy()
    missing = [repr(name) for name, m in zip(out.columns, np.isnan(values).sum(axis=0)) if m]
    if missing:
        raise CLIError(f"missing values in column(s) {', '.join(missing)} of {str(path)!r}")
    infinite = [repr(name) for name, m in zip(out.columns, np.isinf(values).sum(axis=0)) if m]
    if infinite:
        raise CLIError(f"infinite values in column(s) {', '.join(infinite)} of {str(path)!r}")
    if str(out.columns[0]).startswith("Unnamed: 0"):
        _eprint(
            f"note: the first column of {str(path)!r} has no header; if it is a row index, "
            "write the file with index=False (pandas) or delete the column"
        )
    return out


def _log_transform(df):
    import numpy as np

    values = df.to_numpy()
    nonpositive = [
        (name, int(c), float(values[:, k].min()))
        for k, (name, c) in enumerate(zip(df.columns, (values <= 0).sum(axis=0)))
        if c
    ]
    if nonpositive:
        listed = ", ".join(f"{name!r} ({c} values, min {m:g})" for name, c, m in nonpositive)
        raise CLIError(f"--log needs every value > 0; not so in column(s) {listed}")
    return np.log(df)


# --------------------------------------------------------------------------------------------------
# Output


def learned_graph(estimator, **attrs) -> networkx.DiGraph:  # noqa: F821
    """The fitted graph with plain Python values, ready for any networkx writer.

    Parameters
    ----------
    estimator : fitted acyclic estimator
        Anything with ``to_networkx()`` (nodes = ``node_labels_``, edges with ``weight``).
    **attrs
        Graph attributes to store (str, int, float or bool values: the source, the
        method and its parameters).

    Returns
    -------
    networkx.DiGraph
        Nodes relabelled to ``str``, every edge with a Python ``float`` ``weight``,
        ``attrs`` as graph attributes.
    """
    import networkx as nx

    G0 = estimator.to_networkx()
    G = nx.DiGraph()
    G.graph.update(attrs)
    G.add_nodes_from(str(u) for u in G0.nodes)
    for u, v, w in G0.edges(data="weight"):
        G.add_edge(str(u), str(v), weight=float(w))
    return G


def _node_link_data(G) -> dict:
    import networkx as nx

    try:
        return nx.node_link_data(G, edges="edges")
    except TypeError:  # networkx < 3.4: no `edges` keyword, the key is "links"; keep one file format
        data = nx.node_link_data(G)
        data["edges"] = data.pop("links")
        return data


def write_graph(G, path) -> None:
    """Write a graph in the format given by the file extension.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph (str nodes, float ``weight`` edge attributes, scalar graph
        attributes, as made by :func:`learned_graph`).
    path : str or os.PathLike
        ``.graphml`` (:func:`networkx.write_graphml`), ``.gml``
        (:func:`networkx.write_gml`; booleans become 0/1) or ``.json`` (networkx
        node-link data under the keys ``nodes`` and ``edges`` with any networkx; read
        it back with ``networkx.node_link_graph(data, edges="edges")`` (networkx >= 3.4;
        ``link="edges"`` before)). Case-insensitive.

    Raises
    ------
    CLIError
        If the extension is not one of :data:`OUT_FORMATS`, or a node label holds a control
        character, which XML (GraphML) cannot represent.
    OSError
        If the file cannot be written.
    """
    import networkx as nx

    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".graphml", ".gml"):
        bad = [n for n in G.nodes if any(ord(c) < 32 and c not in "\t\n\r" for c in str(n))]
        if bad:
            raise CLIError(
                f"node label(s) {', '.join(repr(str(n)) for n in bad)} hold control characters, "
                f"which {ext} cannot store; rename the columns or write .json"
            )
    if ext == ".graphml":
        nx.write_graphml(G, path)
    elif ext == ".gml":
        nx.write_gml(G, path)
    elif ext == ".json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_node_link_data(G), fh, indent=2)
            fh.write("\n")
    else:
        raise CLIError(_unknown_out_format(path))


def _unknown_out_format(path: Path) -> str:
    return (
        f"unknown graph format {path.suffix or '(no extension)'!r} for --out {str(path)!r}; "
        f"use one of {', '.join(OUT_FORMATS)}"
    )


def _check_out_path(path: Optional[str], flag: str, extensions=None) -> None:
    """Fail before the fit, not after it, on an unusable output path."""
    if path is None:
        return
    p = Path(path)
    if extensions is not None and p.suffix.lower() not in extensions:
        raise CLIError(_unknown_out_format(p))
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise CLIError(f"{flag} {str(p)!r}: the folder {str(parent)!r} does not exist")


def _plot_formats() -> Dict[str, str]:
    from matplotlib.backend_bases import FigureCanvasBase

    return FigureCanvasBase.get_supported_filetypes()


def _check_plot_path(path: Optional[str]) -> None:
    if path is None:
        return
    _check_out_path(path, "--plot")
    ext = Path(path).suffix.lower().lstrip(".")
    formats = _plot_formats()
    if ext not in formats:
        raise CLIError(
            f"unknown image format {Path(path).suffix or '(no extension)'!r} for --plot "
            f"{path!r}; use e.g. .png, .pdf or .svg"
        )


def _truth_plot_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_vs_truth{path.suffix}")


def _pyplot():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # the command line only writes files; never open a window
    import matplotlib.pyplot as plt

    return plt


def _write_plots(G, path: str, title: str, truth=None) -> List[Path]:
    """Draw ``G`` into ``path``; with ``truth = (B_true, W_est, labels, heading)`` also the heat-maps."""
    from .plotting import plot_graph, plot_truth_vs_estimate

    plt = _pyplot()
    written = []
    path = Path(path)
    ax = plot_graph(G)
    ax.set_title(title, fontsize="small")
    try:
        ax.figure.savefig(path, dpi=150, bbox_inches="tight")
    finally:
        plt.close(ax.figure)
    written.append(path)
    if truth is not None:
        B_true, W_est, labels, heading = truth
        fig = plot_truth_vs_estimate(B_true, W_est, labels=labels)
        if hasattr(fig, "get_suptitle"):  # matplotlib >= 3.8
            metrics_line = fig.get_suptitle()
        else:  # pragma: no cover - older matplotlib
            metrics_line = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
        fig.suptitle(f"{heading}\n{metrics_line}", fontsize="medium")
        second = _truth_plot_path(path)
        try:
            fig.savefig(second, dpi=150, bbox_inches="tight")
        finally:
            plt.close(fig)
        written.append(second)
    return written


# --------------------------------------------------------------------------------------------------
# learn


def _resolve_learn_params(args) -> Tuple[dict, dict]:
    """(preprocessing, estimator kwargs) with the source's defaults under the given flags."""
    is_sachs = args.source == "sachs"
    defaults = dict(SACHS_DEFAULTS) if is_sachs else {}
    if is_sachs:
        defaults.update(SACHS_METHOD_DEFAULTS.get(args.method, {}))
        defaults = {key: value for key, value in defaults.items() if value is not None}
    pre = {
        "log": args.log if args.log is not None else bool(defaults.get("log", False)),
        "standardize_from": "flag" if args.standardize is not None else ("sachs default" if is_sachs else "default"),
        "log_from": "flag" if args.log is not None else ("sachs default" if is_sachs else "default"),
    }
    kwargs = {}
    if args.standardize is not None:
        kwargs["standardize"] = bool(args.standardize)
    elif "standardize" in defaults:
        kwargs["standardize"] = bool(defaults["standardize"])
    if args.lambda1 is not None:
        kwargs["lambda1"] = float(args.lambda1)
    elif "lambda1" in defaults:
        kwargs["lambda1"] = float(defaults["lambda1"])
    if args.threshold is not None:
        kwargs["w_threshold"] = float(args.threshold)
    elif "w_threshold" in defaults:
        kwargs["w_threshold"] = float(defaults["w_threshold"])
    if args.loss is not None:
        kwargs["loss_type"] = args.loss
    if args.max_iter is not None:
        kwargs["max_iter"] = int(args.max_iter)
    # method-specific source defaults that no flag sets
    handled = {"log", "standardize", "lambda1", "w_threshold"}
    kwargs.update({key: value for key, value in defaults.items() if key not in handled})
    return pre, kwargs


# learn's flags by the estimator parameter they set
_FLAG_OF_PARAM = {
    "lambda1": "--lambda1",
    "loss_type": "--loss",
    "max_iter": "--max-iter",
    "w_threshold": "--threshold",
    "standardize": "--standardize",
}


def _params_for(learner, kwargs: dict, args) -> dict:
    """``kwargs`` without the parameters ``learner`` does not have: a source default is dropped,
    a flag the user gave is an error."""
    accepted = learner().get_params()
    explicit = {
        "lambda1": args.lambda1,
        "loss_type": args.loss,
        "max_iter": args.max_iter,
        "w_threshold": args.threshold,
        "standardize": args.standardize,
    }
    for key in [k for k in kwargs if k not in accepted]:
        if explicit.get(key) is not None:
            raise CLIError(f"{_FLAG_OF_PARAM[key]} does not apply to --method {args.method}")
        del kwargs[key]
    return kwargs


def _edge(text: str, flag: str):
    """'A:B' → ('A', 'B') (split at the last colon)."""
    tail, sep, head = text.rpartition(":")
    if not sep or not tail or not head:
        raise CLIError(f"{flag} takes an edge written A:B, got {text!r}")
    return tail, head


def _prior_knowledge(args):
    """A PriorKnowledge from --knowledge, --forbid, --require and --tiers, or None."""
    from .prior import PriorKnowledge

    if not (args.knowledge or args.forbid or args.require or args.tiers):
        return None
    base = PriorKnowledge.from_json(args.knowledge) if args.knowledge else PriorKnowledge()
    tiers = list(base.tiers)
    if args.tiers:
        try:
            lines = Path(args.tiers).read_text().splitlines()
        except OSError as exc:
            raise CLIError(f"cannot read --tiers {args.tiers!r}: {exc.strerror or exc}") from None
        tiers += [[name.strip() for name in line.split(",") if name.strip()] for line in lines if line.strip()]
    return PriorKnowledge(
        forbidden=[*base.forbidden, *(_edge(e, "--forbid") for e in args.forbid)],
        required=[*base.required, *(_edge(e, "--require") for e in args.require)],
        sources=base.sources,
        sinks=base.sinks,
        tiers=tiers,
    )


def _load_source(args):
    """(DataFrame, description) of the learn SOURCE."""
    if args.source == "sachs":
        from .datasets import load_sachs

        observational = args.rows != "all"
        df, _ = load_sachs(observational=observational, graph=SACHS_REFERENCE)
        if observational:
            what = f"Sachs et al. (2005) flow cytometry, the {len(df)} observational rows (cd3cd28)"
        else:
            what = (
                f"Sachs et al. (2005) flow cytometry, all {len(df)} rows (9 experiments stacked; "
                "the interventional rows are not labelled as such)"
            )
        return df, what
    if args.rows is not None:
        raise CLIError("--rows applies to the built-in sachs data only")
    df = read_csv_data(args.source)
    return df, f"CSV file {args.source!r}"


def _fmt_num(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _estimator_params(
    est,
    keys=(
        "lambda1",
        "lambda_kl",
        "loss_type",
        "w_threshold",
        "edge_threshold",
        "max_iter",
        "h_tol",
        "rho_max",
        "standardize",
        "random_state",
    ),
) -> Dict[str, object]:
    return {k: getattr(est, k) for k in keys if hasattr(est, k)}


def _format_edges(labels: List[str], W, A) -> List[str]:
    import numpy as np

    rows, cols = np.nonzero(A)
    edges = sorted(
        ((labels[i], labels[j], float(W[i, j]), (int(i), int(j))) for i, j in zip(rows, cols)),
        key=lambda e: (-abs(e[2]), e[3]),
    )
    if not edges:
        return ["  (no edges)"]
    wu = max(len(u) for u, _, _, _ in edges)
    wv = max(len(v) for _, v, _, _ in edges)
    return [f"  {u:<{wu}} -> {v:<{wv}}  {w:+.4f}" for u, v, w, _ in edges]


def _metrics_lines(name: str, B_true, A_est) -> Tuple[List[str], dict]:
    import numpy as np

    from .metrics import count_accuracy

    acc = count_accuracy(B_true, A_est)
    empty = count_accuracy(B_true, np.zeros_like(B_true))
    width = max(len(name), len("empty graph"))
    head = f"  {'':<{width}}  {'SHD':>4}  {'TPR':>5}  {'FDR':>5}  {'FPR':>5}  {'NNZ':>4}"

    def line(label, a, extra=""):
        return (
            f"  {label:<{width}}  {a['shd']:>4d}  {a['tpr']:>5.3f}  {a['fdr']:>5.3f}  "
            f"{a['fpr']:>5.3f}  {a['nnz']:>4d}{extra}"
        )

    detail = (
        f"   (extra {acc['extra']}, missing {acc['missing']}, reversed {acc['reversed']}"
        + ("" if acc["is_dag"] else ", has a cycle")
        + ")"
    )
    return [head, line(name, acc, detail), line("empty graph", empty)], acc


def _cmd_learn(args) -> int:
    import numpy as np

    import acyclic

    from . import refine_topo

    learner = getattr(acyclic, _LEARNERS[args.method])
    name = learner.__name__
    say = (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k, flush=True))

    # check the output paths first: a typo should not cost a fit
    _check_out_path(args.out, "--out", OUT_FORMATS)
    _check_plot_path(args.plot)

    pre, kwargs = _resolve_learn_params(args)
    kwargs = _params_for(learner, kwargs, args)
    if "random_state" in learner().get_params():
        kwargs["random_state"] = 0 if args.seed is None else int(args.seed)
    elif args.seed is not None:
        raise CLIError(f"--seed does not apply to --method {args.method} (it is deterministic)")
    prior = _prior_knowledge(args)
    if prior is not None:
        kwargs["prior_knowledge"] = prior
    df, source_text = _load_source(args)
    n, d = df.shape
    say(f"source: {args.source} — {source_text}")
    say(f"data: {n} rows × {d} columns")

    X = _log_transform(df) if pre["log"] else df
    # the progress bar (tqdm, on stderr) only when someone is watching
    est = learner(**kwargs, verbose=bool(not args.quiet and sys.stderr.isatty()))
    params = _estimator_params(est)
    standardize = bool(params.get("standardize", kwargs.get("standardize", False)))
    say(
        "preprocessing: "
        f"log {'yes' if pre['log'] else 'no'} ({pre['log_from']}), "
        f"standardize {'yes' if standardize else 'no'} ({pre['standardize_from']})"
        + (" — log first, then each column scaled to unit variance" if pre["log"] and standardize else "")
    )
    say(f"method: {name}({', '.join(f'{k}={_fmt_num(v)}' for k, v in params.items())})")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        est.fit(X)
        if args.refine:
            refined = refine_topo(est, X, **{k: v for k, v in params.items() if k in ("w_threshold", "standardize")})
            say(
                f"refined by TOPO: least-squares score {refined.history_[0]:.6g} on the learned order → "
                f"{refined.history_[-1]:.6g} after {refined.n_iter_} swap round(s)"
            )
            est, name = refined, f"{name}+TOPO"
        seconds = time.perf_counter() - t0
    for w in caught:
        # ConvergenceWarning etc.: one line each, never a traceback-like dump
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            _eprint(f"warning: {_one_line(w.message)}")

    labels = [str(x) for x in est.node_labels_]
    A = np.asarray(est.adjacency_)
    W = np.asarray(est.weights_, dtype=np.float64)
    n_edges = int(np.count_nonzero(A))
    say(f"learned {n_edges} edge{'s' if n_edges != 1 else ''} (sorted by |weight|):")
    for line in _format_edges(labels, W, A):
        say(line)
    h = getattr(est, "h_", None)
    h_text = f" (h = {float(h):.2e})" if h is not None and math.isfinite(float(h)) else ""
    say(f"n_iter {int(est.n_iter_)}, converged {bool(est.converged_)}{h_text}, {seconds:.2f} s")

    truth = None
    if args.source == "sachs":
        from .datasets import load_sachs_adjacency

        B_true, true_labels = load_sachs_adjacency(SACHS_REFERENCE)
        if [str(x) for x in true_labels] != labels:  # pragma: no cover - guards the shipped data
            raise CLIError("the Sachs reference graph and the data disagree on the column order")
        lines, acc = _metrics_lines(name, B_true, A)
        say(f"reference: {_SACHS_REFERENCE_NAME}, {int(B_true.sum())} edges; SHD counts a reversed edge once")
        for line in lines:
            say(line)
        rows_text = f"{n} {'observational ' if args.rows != 'all' else ''}rows"
        prep_text = "+".join(t for t, on in (("log", pre["log"]), ("standardized", standardize)) if on) or "raw"
        truth = (B_true, W, labels, f"{name} on Sachs ({rows_text}, {prep_text}) vs the 17-edge consensus DAG")

    attrs = {
        "source": str(args.source),
        "rows": int(n),
        "method": name,
        "log": bool(pre["log"]),
        "standardize": standardize,
    }
    for k, v in params.items():
        if k != "standardize" and isinstance(v, (bool, int, float, str)):
            attrs[k] = v
    G = learned_graph(est, **attrs)
    if args.out is not None:
        write_graph(G, args.out)
        say(f"wrote {args.out}")
    if args.plot is not None:
        title = f"{name} on {args.source}: {n_edges} edges"
        if truth is not None:
            title = truth[3].replace(" vs the 17-edge consensus DAG", "") + f": {n_edges} edges"
        for path in _write_plots(G, args.plot, title, truth):
            say(f"wrote {path}")
    return 0


# --------------------------------------------------------------------------------------------------
# bench


def _bench_suite(args):
    """The suite of ``args.suite`` with the grid flags applied (and checked)."""
    from .bench.suites import get_suite

    suite = get_suite(args.suite)
    for name in ("graph", "k", "d", "noise", "seeds", "methods"):
        values = getattr(args, name)
        if values is not None and len(set(values)) != len(values):
            raise CLIError(f"--{name} lists a value twice")
    if suite.is_sachs:
        given = [f"--{name}" for name in ("graph", "k", "d", "n", "noise") if getattr(args, name) is not None]
        if given:
            raise CLIError(f"{', '.join(given)} do(es) not apply to --suite sachs (fixed data: 853 rows, 11 nodes)")
    if args.timeout is not None and not (args.timeout > 0 and math.isfinite(args.timeout)):
        raise CLIError("--timeout must be a positive number of seconds")
    if args.n_jobs == 0 or args.n_jobs < -1:
        raise CLIError("--n-jobs must be -1 (one per CPU) or a positive number")
    standardize = None if args.standardize is None else (bool(args.standardize),)
    return suite.replace(
        methods=None if args.methods is None else tuple(args.methods),
        graphs=None if args.graph is None else tuple(args.graph),
        ks=None if args.k is None else tuple(args.k),
        ds=None if args.d is None else tuple(args.d),
        n=args.n,
        noises=None if args.noise is None else tuple(args.noise),
        standardize=standardize,
        seeds=None if args.seeds is None else tuple(args.seeds),
        timeout=args.timeout,
    )


def _bench_list() -> int:
    from .bench.methods import GROUPS, METHODS
    from .bench.suites import SUITES

    print("suites:")
    for s in SUITES.values():
        grid = (
            "Sachs data"
            if s.is_sachs
            else f"graphs {'/'.join(s.graphs)}, k {'/'.join(map(str, s.ks))}, d {'/'.join(map(str, s.ds))}, "
            f"n {s.n}, noise {'/'.join(s.noises)}"
        )
        prep = "/".join("standardized" if x else "raw" for x in s.standardize)
        print(f"  {s.name:<13} {s.description}")
        print(
            f"  {'':<13} {grid}, {prep}, seeds {' '.join(map(str, s.seeds))}, "
            f"methods {' '.join(s.methods)}, timeout {s.timeout:g} s"
        )
    print("methods:")
    for m in METHODS.values():
        why = m.unavailable()
        print(f"  {m.name:<19} {m.label:<20} {m.kind:<9} {'available' if why is None else 'unavailable: ' + why}")
    print("groups: " + "; ".join(f"{g} = {' '.join(names)}" for g, names in GROUPS.items()))
    return 0


def _bench_summarize(folder: str) -> int:
    import numpy as np

    from .bench.plots import write_plots
    from .bench.report import summarize
    from .bench.runner import read_rows

    out = Path(folder)
    if not (out / "runs.csv").is_file():
        raise CLIError(f"--summarize {folder!r}: no runs.csv there")
    try:
        rows = read_rows(out / "runs.csv")
    except (KeyError, ValueError, TypeError) as exc:
        raise CLIError(f"--summarize {folder!r}: runs.csv is not one written by acyclic bench ({exc!r})") from None
    from .bench.runner import COLUMNS

    missing = [c for c in ("method", "status", "d", "seed") if rows and c not in rows[0]]
    if missing or (rows and not set(rows[0]) <= set(COLUMNS)):
        raise CLIError(
            f"--summarize {folder!r}: runs.csv is not one written by acyclic bench (columns {sorted(rows[0])[:6]}...)"
        )
    if not rows:
        raise CLIError(f"--summarize {folder!r}: runs.csv has no runs")
    meta = json.loads((out / "meta.json").read_text()) if (out / "meta.json").is_file() else None
    estimates = {}
    if (out / "estimates.npz").is_file():
        with np.load(out / "estimates.npz") as npz:
            estimates = {int(key[3:]): npz[key] for key in npz.files}
    text = summarize(rows, meta)
    (out / "summary.md").write_text(text, encoding="utf-8")
    print(text, end="")
    for path in write_plots(out, rows, estimates):
        print(f"wrote {path}")
    return 0


def _cmd_bench(args) -> int:
    from .bench import run_benchmark
    from .bench.methods import resolve_methods
    from .bench.runner import plan_runs

    if args.list:
        return _bench_list()
    if args.summarize is not None:
        return _bench_summarize(args.summarize)
    suite = _bench_suite(args)
    try:
        methods = resolve_methods(suite.methods)
    except KeyError as exc:
        raise CLIError(exc.args[0]) from None
    if args.heatmap is not None and args.heatmap not in [m.name for m in methods]:
        raise CLIError(f"--heatmap {args.heatmap!r} is not one of the methods run")
    if all(m.unavailable() for m in methods):
        raise CLIError("none of the methods can run here: " + "; ".join(f"{m.name} {m.unavailable()}" for m in methods))
    out = Path(args.out) if args.out is not None else Path("bench-results") / suite.name
    if args.out is not None and (not args.out.strip() or (out.exists() and not out.is_dir())):
        raise CLIError(f"--out {args.out!r} must name a folder (it is created if missing), not a file")
    n_runs = len(plan_runs(suite, methods))
    print(
        f"acyclic bench: suite {suite.name} ({suite.description}); {n_runs} runs, "
        f"{args.n_jobs if args.n_jobs != -1 else os.cpu_count()} at a time, {args.threads} thread(s) each, "
        f"timeout {suite.timeout:g} s; writing to {out}/",
        flush=True,
    )
    argv = getattr(args, "argv", None)
    result = run_benchmark(
        suite,
        out,
        methods=methods,
        n_jobs=args.n_jobs,
        threads=args.threads,
        progress=False if args.no_progress else None,
        plots=not args.no_plots,
        heatmap_method=args.heatmap,
        command=argv,
    )
    print((out / "summary.md").read_text(encoding="utf-8"), end="")
    print(f"wrote {', '.join(str(Path(f).name) for f in result.meta['files'])} in {out}/")
    if result.interrupted:
        _eprint(f"interrupted: kept the {len(result.rows)} finished run(s) in {out}/")
        return _EXIT_INTERRUPTED
    if result.rows and not any(row.get("status") == "ok" for row in result.rows):
        _eprint(f"no run succeeded: see the errors in {out}/runs.csv")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
