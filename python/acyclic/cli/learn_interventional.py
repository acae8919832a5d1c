"""``acyclic learn`` on interventional data: the interventional fit beside the observational one.

``acyclic learn sachs --interventions`` and ``acyclic learn data.csv --environment-column COL
--targets FILE`` (data and mask from :mod:`acyclic.cli.interventions`) fit the learner twice on
the same rows with the same parameters and preprocessing: once with the intervention mask
(``fit(X, intervention_mask=mask)``: each node's equation fitted on the rows that do not
intervene on it) and once without it (every row taken as observational). It prints the
experiments, the preprocessing, both fits' edges side by side and, for ``sachs`` or with ``--truth``, SHD,
TPR, FDR, FPR and NNZ of both fits and of the empty graph against the reference graph (the 17-edge
one, or the user's), saying which rows, preprocessing and reference graph every figure uses. ``--out`` and ``--plot`` take the
interventional fit. A learner that does not take an intervention mask yet is a named error
before any fit is printed.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Callable, Dict, List, Optional

from ..bench.methods import NOT_SUPPORTED
from .choose import fit_choosing
from .errors import CLIError, one_line
from .files import log_transform
from .interventions import describe_experiments, load_interventional
from .learn import (
    _estimator_params,
    _fmt_num,
    _preprocessing_line,
    _report_warnings,
    progress_bars,
    score_lines,
    source_name,
    write_outputs,
)
from .truth import reference_graph

__all__ = ["run_interventional"]


def _fit_info(est, seconds: float) -> str:
    h = getattr(est, "h_", None)
    h_text = f" (h = {float(h):.2e})" if h is not None and math.isfinite(float(h)) else ""
    return f"n_iter {int(est.n_iter_)}, converged {bool(est.converged_)}{h_text}, {seconds:.2f} s"


def _edge_table(labels: List[str], fits: List[tuple], B_true=None) -> List[str]:
    """Every edge of either fit, one line each, with each fit's weight ('·' where absent) and, with a
    reference graph, whether it is a true edge ('yes'), a reversed one ('reversed') or neither ('no').
    Sorted by the largest |weight| over the fits."""
    import numpy as np

    edges: Dict[tuple, List[Optional[float]]] = {}
    for k, (_, W, A) in enumerate(fits):
        for i, j in zip(*np.nonzero(A)):
            edges.setdefault((int(i), int(j)), [None] * len(fits))[k] = float(W[i, j])
    if not edges:
        return ["  (no edges in either fit)"]
    order = sorted(edges, key=lambda e: (-max(abs(w) for w in edges[e] if w is not None), e))
    wu = max(len(labels[i]) for i, _ in order)
    wv = max(len(labels[j]) for _, j in order)
    widths = [max(len(name), 8) for name, _, _ in fits]
    head = f"  {'':<{wu + wv + 4}}" + "".join(f"  {name:>{w}}" for (name, _, _), w in zip(fits, widths))
    if B_true is not None:
        head += "  reference"
    lines = [head]
    for i, j in order:
        cells = "".join(f"  {('·' if w is None else f'{w:+.4f}'):>{width}}" for w, width in zip(edges[i, j], widths))
        line = f"  {labels[i]:<{wu}} -> {labels[j]:<{wv}}{cells}"
        if B_true is not None:
            line += "  " + ("yes" if B_true[i, j] else "reversed" if B_true[j, i] else "no")
        lines.append(line)
    return lines


def _agreement(A_int, A_obs) -> str:
    import numpy as np

    both = int(np.count_nonzero(A_int & A_obs))
    reversed_ = int(np.count_nonzero(A_int & A_obs.T))
    only_int = int(np.count_nonzero(A_int)) - both - reversed_
    only_obs = int(np.count_nonzero(A_obs)) - both - reversed_
    return (
        f"the two fits share {both} edge(s), orient {reversed_} the other way; {only_int} only in the interventional "
        f"fit, {only_obs} only in the observational one (no reference graph for a CSV file; --truth FILE gives one)"
    )


def run_interventional(args, learner, kwargs: dict, pre: dict, say: Callable[..., None]) -> int:
    """Fit ``learner`` with and without the intervention mask on the same rows and report both.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments (checked by
        :func:`acyclic.cli.interventions.check_interventional_flags`).
    learner : type
        The estimator class of ``--method``.
    kwargs : dict
        Its parameters (the source's defaults under the flags, prior knowledge, seed).
    pre : dict
        The preprocessing (``log`` and where each choice came from).
    say : callable
        ``print`` on stdout, or nothing with ``--quiet``.

    Returns
    -------
    int
        Exit code 0.

    Raises
    ------
    CLIError
        On unusable data or targets, or a learner that does not take an intervention mask yet.
    """
    import numpy as np

    from ..exceptions import AcyclicError

    name = learner.__name__
    data = load_interventional(args)
    df = data.df
    n, d = df.shape
    n_env = len(set(data.environments.tolist()))
    ref = reference_graph(args, [str(c) for c in df.columns])  # before the fits: a bad file costs none
    say(f"source: {args.source} — {data.description}")
    say(f"data: {n} rows × {d} columns, {n_env} experiments:")
    for line in describe_experiments(data):
        say(line)

    X = log_transform(df) if pre["log"] else df
    verbose = progress_bars(args)
    est_int = learner(**kwargs, verbose=verbose)
    params = _estimator_params(est_int)
    standardize = bool(params.get("standardize", kwargs.get("standardize", False)))
    say(_preprocessing_line(pre, standardize) + f"; over all {n} rows, the same for both fits")
    say(f"method: {name}({', '.join(f'{k}={_fmt_num(v)}' for k, v in params.items())})")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        try:
            est_int, lines_int, _ = fit_choosing(est_int, X, args, pre, say, intervention_mask=data.mask)
        except AcyclicError as exc:
            if NOT_SUPPORTED in str(exc):
                raise CLIError(
                    f"--method {args.method}: {name} does not take interventional data yet ({one_line(exc)}); "
                    "choose another --method"
                ) from None
            raise
        t_int = time.perf_counter() - t0
        t0 = time.perf_counter()
        est_obs, lines_obs, _ = fit_choosing(learner(**kwargs, verbose=verbose), X, args, pre, say)
        t_obs = time.perf_counter() - t0
    _report_warnings(caught)
    for fit, lines in (("interventional", lines_int), ("observational", lines_obs)):
        for k, line in enumerate(lines):
            say(f"{fit} fit: {line}" if k == 0 else line)

    labels = [str(x) for x in est_int.node_labels_]
    A_int = np.asarray(est_int.adjacency_) != 0
    A_obs = np.asarray(est_obs.adjacency_) != 0
    W_int = np.asarray(est_int.weights_, dtype=np.float64)
    W_obs = np.asarray(est_obs.weights_, dtype=np.float64)
    say(
        f"interventional fit: each node's equation fitted on the rows that do not intervene on it; "
        f"{int(A_int.sum())} edges; {_fit_info(est_int, t_int)}"
    )
    say(
        f"observational fit: the same {n} rows, the intervention mask ignored; {int(A_obs.sum())} edges; "
        f"{_fit_info(est_obs, t_obs)}"
    )

    truth = None
    rows_text = f"all {n} rows of the {n_env} experiments"
    if args.source == "sachs":
        rows_text += f" (variant {args.variant or '7466'})"
    prep_text = "+".join(t for t, on in (("log", pre["log"]), ("standardized", standardize)) if on) or "raw"
    fits = [("interventional", W_int, A_int), ("observational", W_obs, A_obs)]
    say("edges of either fit (weights; · = not in that fit; sorted by the largest |weight|):")
    for line in _edge_table(labels, fits, None if ref is None else ref.B):
        say(line)
    title = f"{name} with interventions on {source_name(args)}"
    if ref is not None:
        fitted = [(f"{name} interventional", A_int.astype(int)), (f"{name} observational", A_obs.astype(int))]
        for line in score_lines(
            ref, fitted, data=f"; every line on the same data: {rows_text}, {prep_text} (statistics over all rows)"
        ):
            say(line)
        if args.source == "sachs":
            title = f"{name} with interventions on Sachs ({n} rows, {prep_text})"
        truth = (ref.B, W_int, labels, f"{title} vs {ref.short}")
    else:
        say(_agreement(A_int, A_obs))

    attrs: Dict[str, object] = {
        "source": source_name(args),
        "rows": int(n),
        "method": name,
        "log": bool(pre["log"]),
        "standardize": standardize,
        "interventions": True,
        "experiments": int(n_env),
        "intervened_rows": int(data.mask.any(axis=1).sum()),
    }
    if args.source == "sachs":
        attrs["variant"] = str(args.variant or "7466")
    else:
        attrs["environment_column"] = str(args.environment_column)
    write_outputs(args, est_int, attrs, params, title, int(A_int.sum()), truth, say, " (the interventional fit)")
    return 0
