"""acyclic.NOTEARS against the numpy/scipy reference NOTEARS, on identical simulated data.

    python -m benchmarks.bench_notears --d 10 20 50 --seeds 0 1 2 --n 1000 --graph ER --k 2 \\
        --threads 1 --timeout 1800 --out benchmarks/results/notears.csv \\
        --markdown benchmarks/results/notears.md

Every (method, d, seed) runs in its own process (``acyclic.bench.process.run_in_subprocess``). The CSV
gets one row per run, written as soon as the run ends; the Markdown summary (printed, and written
with ``--markdown``) gives per d the mean ± sd over seeds and the paired speed ratios.
``--summarize CSV`` re-prints the summary of an existing CSV without running anything.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from acyclic.bench.data import Setting, make_data, penalized_score
from acyclic.bench.process import peak_rss_mib, run_in_subprocess, timed
from acyclic.bench.results import CsvRows, print_saved_summary, start_results, write_report
from acyclic.bench.tables import failed_runs_lines, format_number, mean_sd_text, parse_number, ratio_text

METHODS = ("acyclic", "reference")
LABELS = {"acyclic": "acyclic.NOTEARS", "reference": "reference (numpy/scipy)"}
# the child process loads this file and calls one of its functions
FIT_FUNCTIONS = {
    "acyclic": f"{Path(__file__).resolve()}:fit_acyclic",
    "reference": f"{Path(__file__).resolve()}:fit_reference",
}
COLUMNS = [
    "method", "graph", "k", "d", "n", "noise", "standardize", "seed", "threads", "lambda1",
    "seconds", "seconds_per_eval", "n_evals", "n_outer", "peak_rss_mib", "prefit_rss_mib",
    "wall_seconds",
    "shd", "tpr", "fdr", "fpr", "nnz", "n_true_edges", "is_dag",
    "objective", "h", "converged", "error",
]  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Fit functions (run inside the child process; time the fit only)


def fit_acyclic(X, lambda1, threads):
    """Fit ``acyclic.NOTEARS`` (runs in the child process; the fit alone is timed).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    lambda1 : float
        L1 weight.
    threads : int
        ``n_jobs`` of the estimator, where it has one.

    Returns
    -------
    dict
        ``W_est`` and ``W_raw`` (thresholded and raw weights), ``seconds``, ``n_evals``,
        ``n_outer``, ``h``, ``converged`` and ``prefit_rss_mib`` (peak memory before the fit).
    """
    import acyclic

    est = acyclic.NOTEARS(lambda1=lambda1)
    prefit_rss = peak_rss_mib()
    if "n_jobs" in est.get_params():
        est.set_params(n_jobs=threads)
    _, seconds = timed(est.fit, X)  # warnings silenced: a ConvergenceWarning is recorded as `converged`
    return {
        "W_est": est.weights_,
        "W_raw": est.raw_weights_,
        "seconds": seconds,
        "n_evals": int(est.n_evals_),
        "n_outer": int(est.n_iter_),
        "h": float(est.h_),
        "converged": bool(est.converged_),
        "prefit_rss_mib": prefit_rss,
    }


def fit_reference(X, lambda1, threads):
    """Fit the reference NOTEARS, :func:`acyclic.bench.reference.notears_linear` (runs in the child).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    lambda1 : float
        L1 weight.
    threads : int
        Unused (the BLAS threads are set in the child's environment); the same signature as
        :func:`fit_acyclic`.

    Returns
    -------
    dict
        The keys of :func:`fit_acyclic`; ``converged`` means h ≤ 1e-8.
    """
    from acyclic.bench.reference import notears_linear

    h_tol = 1e-8
    prefit_rss = peak_rss_mib()
    start = time.perf_counter()
    W_est, info = notears_linear(X, lambda1=lambda1, h_tol=h_tol)
    seconds = time.perf_counter() - start
    return {
        "W_est": W_est,
        "W_raw": info["W_raw"],
        "seconds": seconds,
        "n_evals": info["n_evals"],
        "n_outer": info["n_outer"],
        "h": info["h"],
        "converged": info["h"] <= h_tol,
        "prefit_rss_mib": prefit_rss,
    }


# --------------------------------------------------------------------------------------------------
# Runs


def run_one(method, setting, seed, B_true, X, lambda1, threads, timeout):
    """Run one (method, setting, seed) in its own process and score it.

    Parameters
    ----------
    method : {"acyclic", "reference"}
        The method.
    setting : acyclic.bench.data.Setting
        The data setting.
    seed : int
        The data set's seed.
    B_true : numpy.ndarray of shape (d, d)
        The true graph.
    X : numpy.ndarray of shape (n, d)
        The data.
    lambda1 : float
        L1 weight.
    threads : int
        Threads of the run.
    timeout : float
        Seconds before the run is killed.

    Returns
    -------
    dict
        The CSV row: the setting, the run's measurements and scores, ``error`` (None or why the
        run failed).
    """
    from acyclic.metrics import count_accuracy

    res = run_in_subprocess(
        FIT_FUNCTIONS[method],
        {"lambda1": lambda1, "threads": threads},
        timeout,
        threads=threads,
        arrays={"X": X},
    )
    row = {c: None for c in COLUMNS}
    row.update(setting.as_dict())
    row.update(method=method, seed=seed, threads=threads, lambda1=lambda1,
               n_true_edges=int((B_true != 0).sum()))  # fmt: skip
    for key in ("seconds", "n_evals", "n_outer", "peak_rss_mib", "prefit_rss_mib", "wall_seconds",
                "h", "converged", "error"):  # fmt: skip
        row[key] = res.get(key)
    if res.get("error") is None:
        try:
            acc = count_accuracy(B_true, res["W_est"])
            for key in ("shd", "tpr", "fdr", "fpr", "nnz", "is_dag"):
                row[key] = acc[key]
            row["objective"] = penalized_score(X, res["W_raw"], lambda1)
            if row["n_evals"]:
                row["seconds_per_eval"] = row["seconds"] / row["n_evals"]
        except Exception as exc:  # a malformed result: keep the row, say why
            row["error"] = f"scoring failed: {type(exc).__name__}: {exc}"
    for key, value in row.items():  # numpy scalars -> plain Python for the CSV
        if hasattr(value, "item"):
            row[key] = value.item()
    return row


# --------------------------------------------------------------------------------------------------
# Summary


def summarize(rows, meta):
    """The Markdown report: machine, command, per-(d, method) table, paired ratios per d.

    Parameters
    ----------
    rows : list of dict
        CSV rows (values as strings, as read back from the CSV).
    meta : dict or None
        The run's description (:func:`acyclic.bench.results.start_results`).

    Returns
    -------
    str
        The report.
    """
    lines = ["# NOTEARS: acyclic.NOTEARS vs reference (numpy/scipy)", ""]
    if meta:
        m = meta.get("machine", {})
        lines += [
            f"- command: `{meta.get('command', '?')}`",
            f"- date: {meta.get('date', '?')}",
            f"- machine: {m.get('cpu_count')} CPUs ({m.get('cpus_usable')} usable), "
            f"{m.get('processor')}, {m.get('platform')}",
            f"- python {m.get('python')}, numpy {m.get('numpy')} ({m.get('blas')}), "
            f"scipy {m.get('scipy')}, acyclic {m.get('acyclic')}; threads per run: "
            f"{m.get('threads')}",
            "",
        ]
    settings = sorted({(r["graph"], str(r["k"]), str(r["n"]), r["noise"], str(r["standardize"]),
                        str(r["lambda1"])) for r in rows})  # fmt: skip
    for graph, k, n, noise, std, lam in settings:
        lines.append(f"Setting: {graph}{k}, n = {n}, noise {noise}, standardize {std}, "
                     f"λ1 = {lam}. Mean ± sd over seeds (successful runs only).")  # fmt: skip
        lines.append("")
        sub = [r for r in rows if (r["graph"], str(r["k"]), str(r["n"]), r["noise"],
                                   str(r["standardize"]), str(r["lambda1"]))
               == (graph, k, n, noise, std, lam)]  # fmt: skip
        ds = sorted({int(r["d"]) for r in sub})
        lines += [
            "| d | method | ok/runs | seconds | s/eval | evals | outer | SHD | TPR | FDR | nnz "
            "| DAG | objective | peak MiB | pre-fit MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for d in ds:
            for method in METHODS:
                runs = [r for r in sub if int(r["d"]) == d and r["method"] == method]
                if not runs:
                    continue
                ok = [r for r in runs if not r["error"]]

                def col(key, digits=3, ok=ok):
                    return mean_sd_text([parse_number(r[key]) for r in ok], digits)

                lines.append(
                    f"| {d} | {LABELS[method]} | {len(ok)}/{len(runs)} | {col('seconds')} "
                    f"| {col('seconds_per_eval')} | {col('n_evals', 4)} | {col('n_outer')} "
                    f"| {col('shd')} | {col('tpr', 2)} | {col('fdr', 2)} | {col('nnz')} "
                    f"| {sum(parse_number(r['is_dag']) == 1 for r in ok)}/{len(ok)} "
                    f"| {col('objective', 5)} | {col('peak_rss_mib')} | {col('prefit_rss_mib')} |"
                )
        if not {"acyclic", "reference"} <= {r["method"] for r in sub}:
            lines.append("")
            continue
        lines += [
            "",
            "Paired by seed (both methods succeeded): geometric mean (min–max) of "
            "reference / acyclic; objective difference = acyclic − reference (negative: acyclic "
            "found a lower objective).",
            "",
            "| d | pairs | speed (total) | speed (per evaluation) | evaluations ratio | objective difference |",
            "|---|---|---|---|---|---|",
        ]
        for d in ds:
            by_seed = {}
            for r in sub:
                if int(r["d"]) == d and not r["error"]:
                    by_seed.setdefault(str(r["seed"]), {})[r["method"]] = r
            pairs = [p for p in by_seed.values() if set(METHODS) <= set(p)]
            total, per_eval, evals, diff = [], [], [], []
            for p in pairs:
                a, ref = p["acyclic"], p["reference"]
                sa, sr = parse_number(a["seconds"]), parse_number(ref["seconds"])
                ea, er = parse_number(a["n_evals"]), parse_number(ref["n_evals"])
                if sa and sr:
                    total.append(sr / sa)
                if sa and sr and ea and er:
                    per_eval.append((sr / er) / (sa / ea))
                    evals.append(er / ea)
                oa, orf = parse_number(a["objective"]), parse_number(ref["objective"])
                if oa is not None and orf is not None:
                    diff.append(oa - orf)
            lines.append(
                f"| {d} | {len(pairs)} | {ratio_text(total)} | {ratio_text(per_eval)} "
                f"| {ratio_text(evals)} | {mean_sd_text(diff)} |"
            )
        lines.append("")
    lines += failed_runs_lines(rows)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# CLI


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_notears",
        description="acyclic.NOTEARS vs the numpy/scipy reference NOTEARS on identical data.",
    )
    p.add_argument("--d", type=int, nargs="+", default=[10, 20, 50], help="numbers of nodes")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--n", type=int, default=1000, help="samples")
    p.add_argument("--graph", choices=["ER", "SF"], default="ER")
    p.add_argument("--k", type=int, default=2, help="edges per node: s0 = k*d")
    p.add_argument("--noise", default="gauss", help="sem_type: gauss, exp, gumbel, ...")
    p.add_argument("--standardize", action="store_true", help="standardize X before fitting")
    p.add_argument("--lambda1", type=float, default=0.1)
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (and n_jobs) per run")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/notears.csv"))
    p.add_argument("--markdown", type=Path, default=None, help="also write the summary here")
    p.add_argument("--summarize", type=Path, default=None, metavar="CSV",
                   help="only print the summary of an existing CSV")  # fmt: skip
    args = p.parse_args(argv)

    if args.summarize is not None:
        return print_saved_summary(args.summarize, args.markdown, summarize)

    meta = start_results(p.prog, argv, args.out, args.threads)

    rows = []
    with CsvRows(args.out, COLUMNS) as out:
        for d in args.d:
            setting = Setting(graph=args.graph, k=args.k, d=d, n=args.n, noise=args.noise,
                              standardize=args.standardize)  # fmt: skip
            for seed in args.seeds:
                B_true, _, X = make_data(setting, seed)
                for method in args.methods:
                    row = run_one(method, setting, seed, B_true, X, args.lambda1, args.threads,
                                  args.timeout)  # fmt: skip
                    rows.append(row)
                    out.write(row)
                    status = row["error"] or (
                        f"{format_number(row['seconds'])} s, {row['n_evals']} evals, SHD {row['shd']}"
                    )
                    print(f"[{method}] d={d} seed={seed}: {status}", file=sys.stderr, flush=True)

    write_report(summarize([{k: ("" if v is None else v) for k, v in r.items()} for r in rows], meta), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
