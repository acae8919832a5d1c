"""``acyclic bench``: run a benchmark suite (:mod:`acyclic.bench`), list the suites, or re-summarize a run."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .errors import EXIT_INTERRUPTED, CLIError, eprint

__all__ = ["run"]


def _bench_suite(args):
    """The suite of ``args.suite`` with the grid flags applied (and checked)."""
    from ..bench.data import SACHS
    from ..bench.suites import get_suite

    suite = get_suite(args.suite)
    for name in ("graph", "k", "d", "noise", "seeds", "methods", "target_fraction"):
        values = getattr(args, name)
        if values is not None and len(set(values)) != len(values):
            raise CLIError(f"--{name.replace('_', '-')} lists a value twice")
    if suite.is_sachs:
        given = [
            f"--{name.replace('_', '-')}"
            for name in ("graph", "k", "d", "n", "noise", "target_fraction", "n_per_target")
            if getattr(args, name) is not None
        ]
        if given:
            raise CLIError(f"{', '.join(given)} do(es) not apply to --suite sachs (fixed data: 853 rows, 11 nodes)")
    if args.timeout is not None and not (args.timeout > 0 and math.isfinite(args.timeout)):
        raise CLIError("--timeout must be a positive number of seconds")
    if args.n_jobs == 0 or args.n_jobs < -1:
        raise CLIError("--n-jobs must be -1 (one per CPU) or a positive number")
    targets = suite.targets if args.target_fraction is None else tuple(args.target_fraction)
    if args.n_per_target is not None and not targets:
        raise CLIError("--n-per-target needs interventional settings: --suite interventional or --target-fraction")
    if args.noise is not None and targets and set(args.noise) & {"mlp", "mim", "gp-sines"}:
        raise CLIError("interventional settings simulate linear SEMs only: --noise gauss, exp, gumbel or uniform")
    standardize = None if args.standardize is None else (bool(args.standardize),)
    graphs = None if args.graph is None else tuple(SACHS if g == "SACHS" else g for g in args.graph)
    return suite.replace(
        methods=None if args.methods is None else tuple(args.methods),
        graphs=graphs,
        targets=None if args.target_fraction is None else tuple(args.target_fraction),
        n_per_target=args.n_per_target,
        ks=None if args.k is None else tuple(args.k),
        ds=None if args.d is None else tuple(args.d),
        n=args.n,
        noises=None if args.noise is None else tuple(args.noise),
        standardize=standardize,
        seeds=None if args.seeds is None else tuple(args.seeds),
        timeout=args.timeout,
    )


def _bench_list() -> int:
    from ..bench.methods import GROUPS, METHODS
    from ..bench.suites import SUITES

    print("suites:")
    for s in SUITES.values():
        grid = (
            "Sachs data"
            if s.is_sachs
            else f"graphs {'/'.join(s.graphs)}, k {'/'.join(map(str, s.ks))}, d {'/'.join(map(str, s.ds))}, "
            f"n {s.n}, noise {'/'.join(s.noises)}"
        )
        if s.targets:
            grid += (
                f", + {s.n_per_target} rows per single-node target on "
                f"{'/'.join(f'{t:.0%}' for t in s.targets)} of the nodes"
            )
        if s.sachs_variants:
            grid += f", Sachs experiments {'/'.join(s.sachs_variants)}"
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

    from ..bench.plots import write_plots
    from ..bench.report import summarize
    from ..bench.runner import read_rows

    out = Path(folder)
    if not (out / "runs.csv").is_file():
        raise CLIError(f"--summarize {folder!r}: no runs.csv there")
    try:
        rows = read_rows(out / "runs.csv")
    except (KeyError, ValueError, TypeError) as exc:
        raise CLIError(f"--summarize {folder!r}: runs.csv is not one written by acyclic bench ({exc!r})") from None
    from ..bench.runner import COLUMNS

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


def run(args) -> int:
    """Run ``acyclic bench`` with parsed arguments.

    ``--list`` prints the suites and methods, ``--summarize DIR`` rewrites an earlier run's
    summary and figures; otherwise the suite runs (:func:`acyclic.bench.run_benchmark`) and its
    summary is printed.

    Parameters
    ----------
    args : argparse.Namespace
        The arguments of the ``bench`` subcommand (:func:`acyclic.cli.build_parser`).

    Returns
    -------
    int
        Exit code: 0 done, 1 no run succeeded, 130 interrupted (the finished rows are kept).

    Raises
    ------
    CLIError
        On flags that do not fit the suite or an unusable output folder.
    """
    from ..bench import run_benchmark
    from ..bench.methods import resolve_methods
    from ..bench.runner import plan_runs

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
        eprint(f"interrupted: kept the {len(result.rows)} finished run(s) in {out}/")
        return EXIT_INTERRUPTED
    if result.rows and not any(row.get("status") == "ok" for row in result.rows):
        eprint(f"no run succeeded: see the errors in {out}/runs.csv")
        return 1
    return 0
