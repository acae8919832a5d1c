"""How ``acyclic learn`` fits: once, along a λ path (``--lambda auto``), as a bootstrap ensemble
(``--bootstrap N``) or by stability selection (``--stability``), on threads or a Dask scheduler
(``--scheduler``). Returns the fitted object and the lines that describe the choice."""

from __future__ import annotations

import contextlib
from typing import Any, Callable, List, Optional, Tuple

from .errors import CLIError, one_line

__all__ = ["check_choice_applies", "check_choice_flags", "fit_choosing", "selects"]


def selects(args, pre: dict, est) -> bool:
    """Whether the sparsity is chosen along a path: ``--lambda auto``, or the source's default
    "auto" for a learner that has a λ1 (the others keep their own default), except under
    ``--stability``, which scans the grid itself."""
    source = pre.get("select")
    if args.stability:
        return False
    return source == "flag" or (source == "sachs default" and "lambda1" in est.get_params())


def check_choice_flags(args, pre: dict) -> None:
    """Usage errors among the choice flags, before any data is read."""
    if args.stability and args.bootstrap is not None:
        raise CLIError("--stability and --bootstrap are two ways to the same question: choose one")
    if args.stability and pre.get("select") == "flag":
        raise CLIError("--stability scans the learner's sparsity grid itself: drop --lambda auto")
    if args.max_false_edges is not None and not args.stability:
        raise CLIError("--max-false-edges applies to --stability only")
    if args.max_false_edges is not None and not (0 < args.max_false_edges < float("inf")):
        raise CLIError(f"--max-false-edges must be a positive finite number; got {args.max_false_edges:g}")
    if args.n_jobs == 0:
        raise CLIError("--n-jobs must be a positive or negative integer (-1: all cores), not 0")
    if args.criterion is not None and pre.get("select") is None:
        raise CLIError("--criterion applies to --lambda auto only")
    several = args.stability or args.bootstrap is not None or pre.get("select") is not None
    if (args.scheduler is not None or args.n_jobs is not None) and not several:
        flag = "--scheduler" if args.scheduler is not None else "--n-jobs"
        raise CLIError(f"{flag} applies to --bootstrap, --stability or --lambda auto")
    if args.refine and (args.stability or args.bootstrap is not None):
        raise CLIError("--refine applies to a single fit, not to --bootstrap or --stability")


def check_choice_applies(args, pre: dict, est) -> None:
    """Flags of the choice that this learner would silently ignore (e.g. --criterion for a
    learner without a λ1 under the sachs default) are usage errors."""
    several = args.stability or args.bootstrap is not None or selects(args, pre, est)
    for flag, given in (("--criterion", args.criterion), ("--n-jobs", args.n_jobs), ("--scheduler", args.scheduler)):
        if given is not None and not several:
            raise CLIError(
                f"{flag} applies to --bootstrap, --stability or --lambda auto; --method {args.method} "
                "has no lambda1, so the sachs default runs one fit"
            )


@contextlib.contextmanager
def _backend(args):
    """(backend, client) for the ensembles: threads, or a client of ``--scheduler`` (closed after)."""
    if args.scheduler is None:
        yield {"backend": "threads", "n_jobs": args.n_jobs}
        return
    try:
        from distributed import Client
    except ImportError:
        raise CLIError("--scheduler needs Dask: pip install 'acyclic[dask]'") from None
    try:
        client = Client(args.scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CLIError(f"--scheduler {args.scheduler}: cannot connect ({one_line(exc)})") from None
    try:
        yield {"backend": "dask", "client": client}
    finally:
        client.close()


def _path_lines(path, criterion: str) -> List[str]:
    param = path.columns[0]
    lines = [f"  {param:>10}  {'edges':>5}  {criterion:>12}"]
    for row in path.itertuples(index=False):
        value = getattr(row, criterion)
        lines.append(f"  {row[0]:>10g}  {row.n_edges:>5d}  {value:>12.6g}{'  <- chosen' if row.chosen else ''}")
    return lines


def fit_choosing(
    est, X, args, pre: dict, say: Callable[..., None], intervention_mask=None
) -> Tuple[Any, List[str], Optional[Any]]:
    """Fits ``est`` as the flags say. Returns (fitted, lines to print, edge scores or None): the
    fitted object has ``weights_``, ``adjacency_``, ``node_labels_``; the scores are the
    ensemble's edge frequencies (for the edge list and the AUPRC)."""
    from ..ensemble import Bootstrap, StabilitySelection
    from ..model_selection import select_lambda

    lines: List[str] = []
    fitted = False
    seed = getattr(est, "random_state", None)
    seed = 0 if seed is None else seed
    with _backend(args) as where:
        if selects(args, pre, est):
            criterion = args.criterion or "bic"
            model, path = select_lambda(
                est, X, criterion=criterion, intervention_mask=intervention_mask, random_state=seed, **where
            )
            origin = "--lambda auto" if pre["select"] == "flag" else "the sachs default, lambda1=auto"
            lines.append(f"{path.columns[0]} chosen by {criterion.upper()} along its path ({origin}; lower is better):")
            lines += _path_lines(path, criterion)
            est, fitted = model, True
        if args.stability:
            bound = 1.0 if args.max_false_edges is None else float(args.max_false_edges)
            ens = StabilitySelection(est, max_false_edges=bound, random_state=seed, **where)
            ens.fit(X, intervention_mask=intervention_mask)
            lines.append(
                f"stability selection: {2 * ens.n_pairs} fits on complementary halves × {ens.n_grid_used_} of "
                f"{len(ens.grid_)} {ens.param_} values ({ens.grid_[0]:g} to {ens.grid_[ens.n_grid_used_ - 1]:g}); "
                f"pairs selected in ≥ {ens.threshold_:.3f} of the fits (q = {ens.q_:.3g} per fit), so at most "
                f"{ens.false_edges_bound_:.3g} false edge(s) expected (Meinshausen & Bühlmann 2010; the bound "
                "assumes exchangeable noise edges)"
            )
            return ens, lines, ens.edge_probabilities_
        if args.bootstrap is not None:
            ens = Bootstrap(est, n_resamples=int(args.bootstrap), random_state=seed, **where)
            ens.fit(X, intervention_mask=intervention_mask)
            lines.append(
                f"bootstrap: {ens.n_resamples} fits on resampled rows; the graph keeps the edges found in ≥ "
                f"{ens.threshold:g} of them (each edge's frequency after its weight)"
            )
            return ens, lines, ens.edge_frequency_
    if not fitted:
        est.fit(X, intervention_mask=intervention_mask)
    return est, lines, None
