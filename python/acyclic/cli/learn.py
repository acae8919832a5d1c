"""``acyclic learn SOURCE``: learn a DAG from the built-in Sachs data or a CSV file and report it.

Prints the source, its size, the preprocessing, the method and its parameters, the learned edges
sorted by ``|weight|``, the iteration count, convergence and time; for ``sachs`` also SHD, TPR,
FDR, FPR and NNZ against the acyclic 17-edge consensus graph, with the empty graph's figures
(SHD 17) beside them; ``--truth FILE`` scores against a user's own reference graph in the same way
(:mod:`acyclic.cli.truth`, :func:`score_lines`). SOURCE ``-`` reads the CSV from standard input,
``--sep`` sets its delimiter. ``--out`` writes the graph (``-``: to standard output, the report then
going to standard error), ``--plot`` draws it (:mod:`acyclic.cli.files`, :mod:`acyclic.cli.plots`).
``--verbose`` shows the learners' progress bars. The defaults per source are in
:mod:`acyclic.cli.defaults`. On interventional data (``--interventions``, ``--environment-column``
with ``--targets``) the run goes on in :mod:`acyclic.cli.learn_interventional`.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from .choose import check_choice_applies, check_choice_flags, fit_choosing
from .defaults import LEARNERS, SACHS_DEFAULTS, SACHS_METHOD_DEFAULTS, SACHS_REFERENCE
from .errors import CLIError, eprint, one_line
from .files import (
    STDIN,
    check_output_flags,
    csv_source,
    format_of,
    learned_graph,
    log_transform,
    read_csv_data,
    write_graph,
)
from .interventions import check_interventional_flags
from .learn_streamed import check_streamed_flags, run_streamed
from .plots import check_plot_path, write_plots
from .prior_flags import prior_knowledge
from .truth import Reference, check_truth_path, reference_graph

__all__ = ["progress_bars", "reporter", "run", "score_lines", "source_name", "write_outputs"]


def _resolve_learn_params(args) -> Tuple[Dict[str, object], Dict[str, object]]:
    """(preprocessing, estimator kwargs) with the source's defaults under the given flags."""
    is_sachs = args.source == "sachs"
    defaults: Dict[str, Union[bool, float, str]] = {}
    if is_sachs:
        merged: Dict[str, Optional[Union[bool, float, str]]] = {
            **SACHS_DEFAULTS,
            **SACHS_METHOD_DEFAULTS.get(args.method, {}),
        }
        defaults = {key: value for key, value in merged.items() if value is not None}
    pre: Dict[str, object] = {
        "log": args.log if args.log is not None else bool(defaults.get("log", False)),
        "standardize_from": "flag" if args.standardize is not None else ("sachs default" if is_sachs else "default"),
        "log_from": "flag" if args.log is not None else ("sachs default" if is_sachs else "default"),
    }
    kwargs: Dict[str, object] = {}
    if args.standardize is not None:
        kwargs["standardize"] = bool(args.standardize)
    elif "standardize" in defaults:
        kwargs["standardize"] = bool(defaults["standardize"])
    lambda1 = args.lambda1 if args.lambda1 is not None else defaults.get("lambda1")
    pre["select"] = None  # "auto": chosen along the λ path (acyclic.cli.choose)
    if lambda1 == "auto":
        pre["select"] = "flag" if args.lambda1 is not None else "sachs default"
    elif lambda1 is not None:
        kwargs["lambda1"] = float(lambda1)
    if args.threshold is not None:
        kwargs["w_threshold"] = float(args.threshold)
    elif "w_threshold" in defaults:
        kwargs["w_threshold"] = float(defaults["w_threshold"])
    if args.loss is not None:
        kwargs["loss_type"] = args.loss
    if args.max_iter is not None:
        kwargs["max_iter"] = int(args.max_iter)
    if args.mechanism is not None:
        kwargs["mechanism"] = args.mechanism
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
    "mechanism": "--mechanism",
}


def _params_for(learner, kwargs: dict, args) -> dict:
    """``kwargs`` without the parameters ``learner`` does not have: a source default is dropped,
    a flag the user gave is an error."""
    accepted = learner().get_params()
    explicit = {
        "lambda1": None if args.lambda1 == "auto" else args.lambda1,
        "loss_type": args.loss,
        "max_iter": args.max_iter,
        "w_threshold": args.threshold,
        "standardize": args.standardize,
        "mechanism": args.mechanism,
    }
    for key in [k for k in kwargs if k not in accepted]:
        if explicit.get(key) is not None:
            raise CLIError(f"{_FLAG_OF_PARAM[key]} does not apply to --method {args.method}")
        del kwargs[key]
    return kwargs


def _load_source(args):
    """(DataFrame, description) of the learn SOURCE."""
    if args.source == "sachs":
        from ..datasets import load_sachs

        if args.header is not None:
            raise CLIError(f"--{'' if args.header else 'no-'}header applies to a CSV file only")
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
    df = read_csv_data(csv_source(args), header=args.header, sep=args.sep)
    what = "CSV from standard input" if args.source == STDIN else f"CSV file {args.source!r}"
    if args.header is False:
        return df, f"{what} without a header row (columns named x0 to x{df.shape[1] - 1})"
    return df, what


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


def _format_edges(labels: List[str], W, A, scores=None) -> List[str]:
    """One line per edge, sorted by |weight|; with ``scores`` (an ensemble's edge frequencies)
    each line ends with the edge's."""
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
    if scores is None:
        return [f"  {u:<{wu}} -> {v:<{wv}}  {w:+.4f}" for u, v, w, _ in edges]
    return [f"  {u:<{wu}} -> {v:<{wv}}  {w:+.4f}  frequency {scores[ij]:.2f}" for u, v, w, ij in edges]


def _accuracy_lines(B_true, fits: List[Tuple[str, object]]) -> Tuple[List[str], List[dict]]:
    """A table of SHD, TPR, FDR, FPR, NNZ and the SHD between the CPDAGs against ``B_true``: one
    line per ``(label, adjacency)``, then the empty graph's; each fit's line ends with its extra,
    missing and reversed edges."""
    import numpy as np

    from ..exceptions import InvalidInputError
    from ..metrics import count_accuracy, shd_cpdag

    def cpdag_shd(A) -> str:
        # between the equivalence classes: orientations no observational data decide cost nothing
        try:
            return str(shd_cpdag(B_true, A))
        except InvalidInputError:  # a reference or a fit with a cycle has no CPDAG
            return "-"

    accs: List[Dict[str, Any]] = [dict(count_accuracy(B_true, A), cpdag_shd=cpdag_shd(A)) for _, A in fits]
    zero = np.zeros_like(B_true)
    empty: Dict[str, Any] = dict(count_accuracy(B_true, zero), cpdag_shd=cpdag_shd(zero))
    width = max(len("empty graph"), *(len(label) for label, _ in fits))
    head = f"  {'':<{width}}  {'SHD':>4}  {'TPR':>5}  {'FDR':>5}  {'FPR':>5}  {'NNZ':>4}  {'CPDAG SHD':>9}"

    def line(label, a, extra=""):
        return (
            f"  {label:<{width}}  {a['shd']:>4d}  {a['tpr']:>5.3f}  {a['fdr']:>5.3f}  "
            f"{a['fpr']:>5.3f}  {a['nnz']:>4d}  {a['cpdag_shd']:>9}{extra}"
        )

    def detail(a):
        return (
            f"   (extra {a['extra']}, missing {a['missing']}, reversed {a['reversed']}"
            + ("" if a["is_dag"] else ", has a cycle")
            + ")"
        )

    lines = [head] + [line(label, a, detail(a)) for (label, _), a in zip(fits, accs)] + [line("empty graph", empty)]
    return lines, accs


def score_lines(ref: Reference, fits: List[Tuple[str, object]], edge_scores=None, data: str = "") -> List[str]:
    """The report's scores against a reference graph: what the reference is, then SHD, TPR, FDR,
    FPR and NNZ of each fit and of the empty graph (the project's rule: every figure beside the
    empty graph's on the same reference), then, with an ensemble's ``edge_scores``, their AUPRC.

    Parameters
    ----------
    ref : Reference
        The reference graph (``--truth``, or the built-in Sachs graph).
    fits : list of (str, array of shape (d, d))
        Each fit's name and adjacency.
    edge_scores : array of shape (d, d), optional
        Edge frequencies of a bootstrap or stability selection.
    data : str, default ""
        Appended to the first line: which rows and preprocessing every line uses.

    Returns
    -------
    list of str
        The lines to print.
    """
    B = ref.B
    lines = [f"reference: {ref.name}, {int(B.sum())} edges; SHD counts a reversed edge once{data}"]
    lines += _accuracy_lines(B, fits)[0]
    if edge_scores is not None:
        from ..metrics import edge_auprc

        d = B.shape[0]
        pr = edge_auprc(B, edge_scores)
        lines.append(
            f"  edge frequencies as scores: AUPRC {pr['auprc']:.3f} against the positive rate "
            f"{pr['positive_rate']:.3f} ({int(B.sum())} of {d * (d - 1)} ordered pairs), what "
            "random scores give"
        )
    return lines


def progress_bars(args) -> bool:
    """Whether the learners show their progress bars (``verbose=True``): ``--verbose`` or
    ``--no-verbose``, else when someone watches stderr and stdout is not silenced.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments.

    Returns
    -------
    bool
        The learners' ``verbose``.
    """
    if args.verbose is not None:
        return bool(args.verbose)
    return bool(not args.quiet and sys.stderr.isatty())


def reporter(args) -> Callable[..., None]:
    """The report's ``print``: nothing with ``--quiet``, stderr when ``--out -`` takes stdout.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments.

    Returns
    -------
    callable
        ``print``-like, flushing every line.
    """
    if args.quiet:
        return lambda *a, **k: None
    stream = sys.stderr if args.out == STDIN else sys.stdout
    return lambda *a, **k: print(*a, **k, file=stream, flush=True)


def source_name(args) -> str:
    """SOURCE as titles and graph attributes name it.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments.

    Returns
    -------
    str
        ``args.source``, or ``"standard input"`` for ``-``.
    """
    return "standard input" if args.source == STDIN else str(args.source)


def _report_warnings(caught) -> None:
    """ConvergenceWarning etc.: one line each on stderr, never a traceback-like dump."""
    for w in caught:
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            eprint(f"warning: {one_line(w.message)}")


def _preprocessing_line(pre: dict, standardize: bool) -> str:
    return (
        "preprocessing: "
        f"log {'yes' if pre['log'] else 'no'} ({pre['log_from']}), "
        f"standardize {'yes' if standardize else 'no'} ({pre['standardize_from']})"
        + {
            (True, True): " — log first, then each column scaled to unit variance",
            (True, False): " — the log of every column, not scaled",
            (False, True): " — each column scaled to unit variance",
            (False, False): " — the data as given, not scaled",
        }[(bool(pre["log"]), standardize)]
    )


def run(args) -> int:
    """Run ``acyclic learn`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        The arguments of the ``learn`` subcommand (:func:`acyclic.cli.build_parser`).

    Returns
    -------
    int
        Exit code 0.

    Raises
    ------
    CLIError
        On bad input or flags that do not apply (reported by :func:`acyclic.cli.main`).
    """
    import numpy as np

    import acyclic

    from .. import refine_topo

    learner = getattr(acyclic, LEARNERS[args.method])
    name = learner.__name__
    say = reporter(args)

    # check the output paths and the reference first: a typo should not cost a fit
    check_output_flags(args)
    check_plot_path(args.plot)
    check_truth_path(args.truth)
    writes_csv = args.out is not None and format_of(args.out, args.output_format) == "csv"
    if args.source == "sachs" and args.sep != "," and args.truth is None and not writes_csv:
        raise CLIError("--sep applies to CSV files: a CSV SOURCE, --truth or a .csv --out")

    pre, kwargs = _resolve_learn_params(args)
    check_choice_flags(args, pre)
    check_streamed_flags(args, pre)
    kwargs = _params_for(learner, kwargs, args)
    if "random_state" in learner().get_params():
        kwargs["random_state"] = 0 if args.seed is None else int(args.seed)
    elif args.seed is not None:
        raise CLIError(f"--seed does not apply to --method {args.method} (it is deterministic)")
    prior = prior_knowledge(args)
    if prior is not None:
        kwargs["prior_knowledge"] = prior
    if check_interventional_flags(args):
        from .learn_interventional import run_interventional

        if args.bootstrap is not None or args.stability:
            raise CLIError(
                "--bootstrap and --stability run on observational data here; for experiments use "
                "acyclic.ensemble.Bootstrap / StabilitySelection with fit(X, intervention_mask=...)"
            )

        return run_interventional(args, learner, kwargs, pre, say)
    est = learner(**kwargs, verbose=progress_bars(args))  # tqdm bars on stderr
    check_choice_applies(args, pre, est)
    params = _estimator_params(est)
    standardize = bool(params.get("standardize", kwargs.get("standardize", False)))
    ref: Optional[Reference] = None
    if args.chunksize is None:
        df, source_text = _load_source(args)
        n, d = df.shape
        ref = reference_graph(args, [str(c) for c in df.columns])  # before the fit: a bad file costs none
        say(f"source: {args.source} — {source_text}")
        say(f"data: {n} rows × {d} columns")
        X = log_transform(df) if pre["log"] else df
    else:
        say(f"source: {args.source} — a file read in chunks")
    say(_preprocessing_line(pre, standardize))
    say(f"method: {name}({', '.join(f'{k}={_fmt_num(v)}' for k, v in params.items())})")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        if args.chunksize is not None:
            (est, n), edge_scores = run_streamed(args, est, pre, say), None
            choice_lines: List[str] = []
            d = est.n_features_in_
        else:
            est, choice_lines, edge_scores = fit_choosing(est, X, args, pre, say)
        if args.stability or args.bootstrap is not None:
            name = f"{name} ({'stability selection' if args.stability else 'bootstrap consensus'})"
        if args.refine:
            refined = refine_topo(est, X, **{k: v for k, v in params.items() if k in ("w_threshold", "standardize")})
            say(
                f"refined by TOPO: least-squares score {refined.history_[0]:.6g} on the learned order → "
                f"{refined.history_[-1]:.6g} after {refined.n_iter_} swap round(s)"
            )
            est, name = refined, f"{name}+TOPO"
        seconds = time.perf_counter() - t0
    _report_warnings(caught)
    for line in choice_lines:
        say(line)
    if choice_lines:
        params = _estimator_params(getattr(est, "learner", est))

    labels = [str(x) for x in est.node_labels_]
    A = np.asarray(est.adjacency_)
    W = np.asarray(est.weights_, dtype=np.float64)
    n_edges = int(np.count_nonzero(A))
    say(f"learned {n_edges} edge{'s' if n_edges != 1 else ''} (sorted by |weight|):")
    for line in _format_edges(labels, W, A, edge_scores):
        say(line)
    if hasattr(est, "n_iter_"):
        h = getattr(est, "h_", None)
        h_text = f" (h = {float(h):.2e})" if h is not None and math.isfinite(float(h)) else ""
        say(f"n_iter {int(est.n_iter_)}, converged {bool(est.converged_)}{h_text}, {seconds:.2f} s")
    else:
        say(f"{seconds:.2f} s")

    if args.chunksize is not None:
        ref = reference_graph(args, labels)
    truth = None
    title = f"{name} on {source_name(args)}"
    if args.source == "sachs":
        rows_text = f"{n} {'observational ' if args.rows != 'all' else ''}rows"
        prep_text = "+".join(t for t, on in (("log", pre["log"]), ("standardized", standardize)) if on) or "raw"
        title = f"{name} on Sachs ({rows_text}, {prep_text})"
    if ref is not None:
        for line in score_lines(ref, [(name, A)], edge_scores):
            say(line)
        truth = (ref.B, W, labels, f"{title} vs {ref.short}")

    attrs = {
        "source": source_name(args),
        "rows": int(n),
        "method": name,
        "log": bool(pre["log"]),
        "standardize": standardize,
    }
    write_outputs(args, est, attrs, params, title, n_edges, truth, say)
    return 0


def write_outputs(args, est, attrs, params, title, n_edges, truth, say, what: str = "") -> None:
    """Write ``--out`` and ``--plot``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments (``out``, ``output_format``, ``sep``, ``plot``).
    est : fitted estimator
        Anything with ``to_networkx()``.
    attrs : dict
        Graph attributes (the source, the method, ...); the scalar ``params`` are added.
    params : dict
        The estimator's parameters.
    title : str
        The drawing's title (``: <n_edges> edges`` is appended).
    n_edges : int
        The number of learned edges.
    truth : tuple or None
        ``(B_true, W_est, labels, heading)`` for the truth-vs-estimate heat-maps.
    say : callable
        The report's ``print``.
    what : str, default ""
        Added to the messages (e.g. which of two fits was written).
    """
    for k, v in params.items():
        if k != "standardize" and isinstance(v, (bool, int, float, str)):
            attrs[k] = v
    G = learned_graph(est, **attrs)
    if args.out is not None:
        write_graph(G, args.out, args.output_format, sep=args.sep)
        say(f"wrote {'the graph to standard output' if args.out == STDIN else args.out}{what}")
    if args.plot is not None:
        for path in write_plots(G, args.plot, f"{title}: {n_edges} edges", truth):
            say(f"wrote {path}")
