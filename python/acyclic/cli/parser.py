"""The argument parser of the ``acyclic`` command: subcommands ``learn``, ``bench`` and ``suggest``, their flags and help."""

from __future__ import annotations

import argparse

from .defaults import LEARNERS, NOTEARS_DEFAULTS, SACHS_DEFAULTS
from .files import OUTPUT_FORMATS

__all__ = ["build_parser"]


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


def _number_or_auto(text: str):
    """An argparse type: "auto" or a number."""
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is neither a number nor 'auto'") from None


def _fraction(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is outside (0, 1]")
    return value


def _separator(text: str) -> str:
    """An argparse type: the one-character CSV delimiter of ``--sep`` (``\\t`` or ``tab`` for a tab)."""
    sep = "\t" if text in ("\\t", "tab", "TAB") else text
    if len(sep) != 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not one character (a tab is written '\\t' or tab)")
    if sep in '"\r\n':
        raise argparse.ArgumentTypeError(f"{text!r} cannot separate CSV fields")
    return sep


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``acyclic`` command.

    Returns
    -------
    argparse.ArgumentParser
        Parser with the subcommands ``learn`` and ``bench``.
    """
    from .. import __version__

    est_defaults = NOTEARS_DEFAULTS
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
            "acyclic 17-edge consensus graph) or a CSV file whose header row names the nodes (or none, "
            "with --no-header) and whose columns are all numeric; '-' reads the CSV from standard input. "
            "With --truth FILE the result is scored against your own reference graph. Every score is "
            "printed beside the empty graph's on the same reference."
        ),
        epilog=(
            f"Defaults for sachs: standardize={SACHS_DEFAULTS['standardize']}, "
            f"log={SACHS_DEFAULTS['log']}, lambda1={SACHS_DEFAULTS['lambda1']} (chosen by BIC along the λ path), "
            f"threshold={SACHS_DEFAULTS['w_threshold']}; dpdag and cosmo keep their own sparsity defaults. "
            "For a CSV file: the estimator's defaults (no log, no "
            "standardization, the same for every method). With --plot and a reference graph (sachs, or "
            "--truth), a second file <stem>_vs_truth<suffix> holds the truth-vs-estimate heat-maps."
        ),
    )
    learn.add_argument(
        "source", metavar="SOURCE", help="'sachs', the path of a CSV file, or '-' for a CSV on standard input"
    )
    learn.add_argument(
        "--method",
        choices=list(LEARNERS),
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
        "--lambda",
        type=_number_or_auto,
        default=None,
        metavar="X|auto",
        help="L1 penalty weight, or 'auto': the learner's sparsity parameter (lambda1; lambda_kl for "
        "dpdag, the threshold for topo) chosen by --criterion along its path (acyclic.select_lambda) "
        f"(default: {SACHS_DEFAULTS['lambda1']} for sachs, "
        f"the estimator's ({est_defaults['lambda1']}: 0.1 for NOTEARS' linear mechanism) for a CSV)",
    )
    learn.add_argument(
        "--criterion",
        choices=["bic", "ebic", "cv"],
        default=None,
        help="how --lambda auto chooses: BIC, extended BIC (Chen & Chen 2008) or 5-fold held-out "
        "Gaussian likelihood (default: bic)",
    )
    learn.add_argument(
        "--bootstrap",
        type=_int_in(1, 100000),
        default=None,
        metavar="N",
        help="fit N bootstrap resamples and report each edge's frequency; the graph is their consensus "
        "(edges in at least half of the fits; acyclic.ensemble.Bootstrap)",
    )
    learn.add_argument(
        "--stability",
        action="store_true",
        help="stability selection with complementary pairs over the learner's sparsity grid "
        "(acyclic.ensemble.StabilitySelection): the edges kept with at most --max-false-edges false "
        "ones expected",
    )
    learn.add_argument(
        "--max-false-edges",
        type=float,
        default=None,
        metavar="X",
        help="--stability: the bound on the expected number of false edges (default: 1)",
    )
    learn.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the fits of --bootstrap, --stability or --lambda auto on this Dask scheduler "
        "(e.g. tcp://10.0.0.1:8786; needs pip install 'acyclic[dask]')",
    )
    learn.add_argument(
        "--chunksize",
        type=_int_in(1, 10**9),
        default=None,
        metavar="N",
        help="a CSV or Parquet SOURCE too large for memory: read N rows at a time into sufficient statistics "
        "(acyclic.SufficientStats) and fit from them (NOTEARS and DAGMA with the linear mechanism and l2 loss, TOPO)",
    )
    learn.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="threads for the fits of --bootstrap, --stability or --lambda auto (-1: all cores; default: 1)",
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
        "--mechanism",
        choices=["linear", "mlp"],
        default=None,
        help="linear equations, or one MLP per node (NOTEARS-MLP, DAGMA-MLP, COSMO's and DP-DAG's "
        "nonlinear models; default: the estimator's, linear)",
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
        "--header",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="CSV only: --no-header reads a file without a header row, every row as data, the columns "
        "named x0, x1, ...; --header takes the first row as the node names even if it holds only numbers "
        "(default: the first row names the nodes, and one of numbers only is refused as probably data)",
    )
    learn.add_argument(
        "--sep",
        type=_separator,
        default=",",
        metavar="CHAR",
        help="the delimiter of the CSV files: SOURCE, --truth and a .csv --out (one character; '\\t' or tab "
        "for a tab; default: ',')",
    )
    learn.add_argument(
        "--truth",
        default=None,
        metavar="FILE",
        help="score the learned graph against your own reference graph: a CSV file holding the d×d adjacency "
        "matrix (row i, column j non-zero means the edge i -> j; weights count as edges), either with a header "
        "row of node labels (the data's column names, in any order, row k being the node of column k; or a "
        "first column of the same labels names the rows, as pandas writes it) or without one (rows and "
        "columns in the data's column order); read with --sep. "
        "Prints SHD, TPR, FDR, FPR and NNZ beside the empty graph's on the same reference; for sachs it "
        "replaces the built-in graph",
    )
    learn.add_argument(
        "--rows",
        choices=["observational", "all"],
        default=None,
        help="sachs only: the 853 observational rows (default) or all 7466 rows",
    )
    learn.add_argument(
        "--interventions",
        action="store_true",
        help="sachs: use the experiments with their documented intervention targets (every row of --variant) "
        "and print the same learner's observational fit on the same rows and the empty graph beside the "
        "interventional fit; for a CSV file --environment-column and --targets say the same",
    )
    learn.add_argument(
        "--variant",
        choices=["7466", "5846"],
        default=None,
        help="sachs with --interventions: all nine experiments (7466, default) or the 5846 rows without the "
        "pma and b2camp experiments (run without anti-CD3/CD28)",
    )
    learn.add_argument(
        "--environment-column",
        default=None,
        metavar="COL",
        help="CSV only: the column naming each row's experiment (any text; removed from the data); needs --targets",
    )
    learn.add_argument(
        "--targets",
        default=None,
        metavar="FILE",
        help='the nodes each experiment intervened on, as JSON {"<environment label>": ["<node>", ...], ...}; '
        "an experiment absent from it, or mapped to [], is observational. With a CSV file it needs "
        "--environment-column; with sachs --interventions it replaces the documented targets",
    )
    learn.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write the learned graph (with interventions: the interventional fit); format by extension: "
        ".graphml, .gml, .json (node-link), .dot or .gv (Graphviz DOT, acyclic.graph.from_dot reads it back), "
        ".csv (the d×d weight matrix with node labels, which --truth reads); '-' writes to standard output "
        "(with --output-format; the report then goes to standard error)",
    )
    learn.add_argument(
        "--output-format",
        choices=list(OUTPUT_FORMATS),
        default=None,
        help="the format of --out whatever its extension (default: by the extension)",
    )
    learn.add_argument(
        "--plot",
        default=None,
        metavar="FILE",
        help="draw the learned graph into FILE (e.g. graph.png); for sachs or with --truth also "
        "<stem>_vs_truth<suffix>",
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
    learn.add_argument(
        "--verbose",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="--verbose shows the learners' progress bars on stderr (verbose=True), --no-verbose hides them "
        "(default: shown when stderr is a terminal and --quiet is not given)",
    )
    learn.set_defaults(func=_run_learn)

    _add_bench_parser(sub)
    from .suggest import add_parser as add_suggest_parser

    add_suggest_parser(sub)
    return parser


def _add_bench_parser(sub) -> None:
    """The ``bench`` subcommand's parser (suite names and defaults from :mod:`acyclic.bench`)."""
    from ..bench.suites import SUITES

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
    bench.add_argument(
        "--graph",
        nargs="+",
        choices=["ER", "SF", "SACHS"],
        type=str.upper,
        default=None,
        help="graph models; SACHS: the Sachs data (the experiments in the interventional suite)",
    )
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
        "--target-fraction",
        nargs="+",
        type=_fraction,
        default=None,
        metavar="F",
        help="fractions of the nodes given a single-node perfect intervention each, in (0, 1]; makes the "
        "simulated settings interventional (interventional suite: 0.1 0.5 1)",
    )
    bench.add_argument(
        "--n-per-target",
        type=_int_in(1, 10**8),
        default=None,
        metavar="N",
        help="rows per single-node intervention (interventional suite: 200; --n is the observational rows)",
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
    bench.set_defaults(func=_run_bench)


def _run_learn(args) -> int:
    """``acyclic learn`` (its module is loaded only when the command runs)."""
    from .learn import run

    return run(args)


def _run_bench(args) -> int:
    """``acyclic bench`` (its module is loaded only when the command runs)."""
    from .bench import run

    return run(args)


def _yn(flag) -> str:
    return "yes" if flag else "no"
