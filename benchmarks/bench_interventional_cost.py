"""What an interventional fit costs: each learner's fit time with the intervention mask over without it.

    taskset -c 1 python -m benchmarks.bench_interventional_cost --d 50 --seeds 0 --repeats 3 \\
        --out benchmarks/results/interventional_cost.csv \\
        --markdown benchmarks/results/interventional_cost.md

Data (``acyclic.bench.data.make_interventional_data``, the interventional suite's): ER2 on ``d``
nodes, ``--n`` observational rows plus ``--n-per-target`` rows for a single-node perfect
intervention on every node, Gaussian noise, standardized over all rows. On each data set every
method (``acyclic.bench.methods`` registry, its benchmark parameters) is fitted ``--repeats`` times
with ``fit(X, intervention_mask=mask)`` and as often with ``fit(X)`` on the same rows, alternating,
in this process, one thread; the table gives each one's median seconds and the ratio
interventional / observational of the medians (the issue's bound for the gradient learners: 2×),
with the SHD of both fits. A method that does not take the mask yet is a row saying so.
``--summarize CSV`` re-prints the summary of an existing CSV.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
from pathlib import Path

from acyclic.bench.data import Setting, make_interventional_data
from acyclic.bench.methods import NOT_SUPPORTED, resolve_methods
from acyclic.bench.process import timed
from acyclic.bench.results import CsvRows, print_saved_summary, start_results, write_report
from acyclic.bench.tables import format_number, parse_number, ratio_text

COLUMNS = ["method", "label", "d", "n_rows", "seed", "repeats", "obs_seconds", "int_seconds", "ratio",
           "obs_shd", "int_shd", "true_edges", "obs_all", "int_all", "error"]  # fmt: skip


def _median_fit(method, X, mask, seed: int, repeats: int):
    """(observational seconds, interventional seconds or None, W_obs, W_int or None, all times, error)."""
    from acyclic.exceptions import AcyclicError

    obs_times, int_times = [], []
    W_obs = W_int = None
    error = ""
    for _ in range(repeats):
        est = method.build(seed, 1)
        _, seconds = timed(est.fit, X)
        obs_times.append(seconds)
        W_obs = est.weights_
        if error:
            continue
        est = method.build(seed, 1)
        if "intervention_mask" not in inspect.signature(est.fit).parameters:  # a peer
            error = f"not supported: {type(est).__name__}.fit takes no intervention_mask"
            continue
        try:
            _, seconds = timed(est.fit, X, intervention_mask=mask)
        except AcyclicError as exc:
            if NOT_SUPPORTED not in str(exc):
                raise
            error = "not supported yet: " + " ".join(str(exc).split())
            continue
        int_times.append(seconds)
        W_int = est.weights_
    obs = statistics.median(obs_times)
    inter = statistics.median(int_times) if int_times else None
    return obs, inter, W_obs, W_int, (obs_times, int_times), error


def run(d: int, n: int, n_per_target: int, seed: int, methods, repeats: int):
    """The rows of one data set: one per method."""
    from acyclic.metrics import count_accuracy

    setting = Setting(graph="ER", k=2, d=d, n=n, noise="gauss", standardize=True, interventional=True, targets=1.0,
                      n_per_target=n_per_target)  # fmt: skip
    B, _, X, mask = make_interventional_data(setting, seed)
    rows = []
    for method in methods:
        obs, inter, W_obs, W_int, (obs_all, int_all), error = _median_fit(method, X, mask, seed, repeats)
        rows.append({
            "method": method.name, "label": method.label, "d": d, "n_rows": X.shape[0], "seed": seed,
            "repeats": repeats, "obs_seconds": obs, "int_seconds": inter,
            "ratio": None if inter is None else inter / obs,
            "obs_shd": count_accuracy(B, W_obs)["shd"],
            "int_shd": None if W_int is None else count_accuracy(B, W_int)["shd"],
            "true_edges": int(B.sum()), "obs_all": " ".join(f"{t:.4f}" for t in obs_all),
            "int_all": " ".join(f"{t:.4f}" for t in int_all), "error": error,
        })  # fmt: skip
        print(f"{method.label}: observational {obs:.3f} s, interventional "
              f"{'–' if inter is None else f'{inter:.3f} s'} {error}", file=sys.stderr, flush=True)  # fmt: skip
    return rows


def summarize(rows, meta=None) -> str:
    """The Markdown table of the rows (strings, as read from the CSV, or values)."""
    lines = ["# Interventional fit time over the observational fit on the same rows", ""]
    if meta:
        lines += [f"- command: `{meta['command']}`", f"- date: {meta['date']}",
                  f"- machine: {meta['machine'].get('processor')}, {meta['machine'].get('cpu_count')} CPUs", ""]  # fmt: skip
    lines += ["| method | d | rows | seed | obs. s (median) | int. s (median) | ratio int./obs. | SHD obs. | SHD int. "
              "| SHD empty |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        if r.get("error"):
            ratio = str(r["error"]).replace("|", "\\|")[:100]
        else:
            ratio = ratio_text([parse_number(r["ratio"])])
        cells = [r["label"], str(r["d"]), str(r["n_rows"]), str(r["seed"]),
                 format_number(parse_number(r["obs_seconds"])), format_number(parse_number(r["int_seconds"])), ratio,
                 format_number(parse_number(r["obs_shd"])), format_number(parse_number(r["int_shd"])),
                 str(r["true_edges"])]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_interventional_cost",
                                description=__doc__.splitlines()[0])  # fmt: skip
    p.add_argument("--d", type=int, default=50)
    p.add_argument("--n", type=int, default=1000, help="observational rows")
    p.add_argument("--n-per-target", type=int, default=200)
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--repeats", type=int, default=3, help="fits of each kind; the median is reported")
    p.add_argument("--methods", nargs="+", default=["learners", "baselines"], help="names or groups")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/interventional_cost.csv"))
    p.add_argument("--markdown", type=Path, default=None)
    p.add_argument("--summarize", type=Path, default=None, metavar="CSV")
    args = p.parse_args(argv)
    if args.summarize is not None:
        return print_saved_summary(args.summarize, args.markdown, summarize)
    methods = resolve_methods(args.methods)
    meta = start_results(p.prog, argv, args.out, 1)
    rows = []
    with CsvRows(args.out, COLUMNS) as out:
        for seed in args.seeds:
            for row in run(args.d, args.n, args.n_per_target, seed, methods, args.repeats):
                out.write(row)
                rows.append(row)
    write_report(summarize(rows, meta), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
