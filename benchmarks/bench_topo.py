"""TOPO alone, NOTEARS, DAGMA, and NOTEARS / DAGMA refined by TOPO, on identical simulated data.

    python -m benchmarks.bench_topo --graphs ER2 ER4 --d 20 50 100 --seeds 0 1 2 --n 1000 \\
        --threads 1 --timeout 1800 --out benchmarks/results/topo.csv \\
        --markdown benchmarks/results/topo.md

Per (graph, d, seed) three processes (``acyclic.bench.process.run_in_subprocess``): ``topo``
(``acyclic.TOPO()``), ``notears`` (``acyclic.NOTEARS()``, then ``acyclic.refine_topo`` on its
output) and ``dagma`` (``acyclic.DAGMA()``, then ``refine_topo``). A refinement row's seconds are
the refinement's own; its ``score before`` is the least-squares score of the learner's output
DAG. ``score`` = ½n⁻¹‖Xc − Xc W‖² of the output DAG (thresholded weights), ``raw score`` = the
same for the unthresholded weights where the method has them (TOPO: OLS along its order),
computed by the harness. ``--summarize CSV`` re-prints the summary of an existing CSV.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from acyclic.bench.data import Setting, least_squares_score, make_data
from acyclic.bench.process import run_in_subprocess, timed
from acyclic.bench.results import CsvRows, print_saved_summary, start_results, write_report
from acyclic.bench.tables import format_number, mean_sd_text, parse_number, ratio_text

PROCESSES = ("topo", "notears", "dagma")
ROWS = ("topo", "notears", "notears+topo", "dagma", "dagma+topo")
LABELS = {"topo": "TOPO", "notears": "NOTEARS", "notears+topo": "NOTEARS → refine_topo",
          "dagma": "DAGMA", "dagma+topo": "DAGMA → refine_topo"}  # fmt: skip
COLUMNS = ["method", "graph", "k", "d", "n", "seed", "threads", "seconds", "shd", "tpr", "fdr", "nnz",
           "is_dag", "score", "raw_score", "score_before", "rounds", "error"]  # fmt: skip
# the child process loads this file and calls `fit`
FIT_FUNCTION = f"{Path(__file__).resolve()}:fit"


def fit(X, method, threads):
    """Fit a learner, and refine it with TOPO (runs in the child; each part timed apart).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    method : {"topo", "notears", "dagma"}
        The learner; NOTEARS and DAGMA are then refined by ``acyclic.refine_topo``.
    threads : int
        ``n_jobs``.

    Returns
    -------
    dict
        ``W``, ``W_raw``, ``seconds`` and ``rounds``; for NOTEARS and DAGMA also
        ``W_refined``, ``W_refined_raw`` and ``refine_seconds``.
    """
    import acyclic

    # warnings (ConvergenceWarning) are silenced by `timed`: not what is measured here
    # resolve the lazy imports (scikit-learn: ~1 s) before any timing
    TOPO, refine_topo = acyclic.TOPO, acyclic.refine_topo
    out = {}
    if method == "topo":
        topo = TOPO(n_jobs=threads)
        est, seconds = timed(topo.fit, X)
        out.update(W=est.weights_, W_raw=est.raw_weights_, seconds=seconds, rounds=est.n_iter_)
        return out
    learner = acyclic.NOTEARS() if method == "notears" else acyclic.DAGMA()
    if "n_jobs" in learner.get_params():
        learner.set_params(n_jobs=threads)
    base, seconds = timed(learner.fit, X)
    refined, refine_seconds = timed(refine_topo, base, X, n_jobs=threads)
    out.update(W=base.weights_, W_raw=base.raw_weights_, seconds=seconds,
               W_refined=refined.weights_, W_refined_raw=refined.raw_weights_,
               refine_seconds=refine_seconds, rounds=refined.n_iter_)  # fmt: skip
    return out


def run_setting(graph, d, n, seed, threads, timeout):
    """Every method on one data set, each learner in its own process.

    Parameters
    ----------
    graph : str
        Graph model and edges per node, e.g. ``"ER2"``.
    d, n, seed : int
        Nodes, samples and the data set's seed.
    threads : int
        Threads per run.
    timeout : float
        Seconds before a run is killed.

    Returns
    -------
    list of dict
        The CSV rows (:data:`ROWS` order, refinements after their learner).
    """
    from acyclic.metrics import count_accuracy

    k = int(graph[2:])
    setting = Setting(graph=graph[:2], k=k, d=d, n=n)
    B, _, X = make_data(setting, seed)
    rows = []
    for process in PROCESSES:
        res = run_in_subprocess(FIT_FUNCTION, {"method": process, "threads": threads},
                                timeout, threads=threads, arrays={"X": X})  # fmt: skip
        parts = [(process, "W", "W_raw", "seconds")]
        if process != "topo":
            parts.append((process + "+topo", "W_refined", "W_refined_raw", "refine_seconds"))
        for method, w_key, raw_key, seconds_key in parts:
            row = {c: None for c in COLUMNS}
            row.update(method=method, graph=graph, k=k, d=d, n=n, seed=seed, threads=threads,
                       error=res.get("error"))  # fmt: skip
            if row["error"] is None:
                acc = count_accuracy(B, res[w_key])
                row.update({key: acc[key] for key in ("shd", "tpr", "fdr", "nnz", "is_dag")})
                row.update(seconds=res[seconds_key], score=least_squares_score(X, res[w_key]),
                           raw_score=least_squares_score(X, res[raw_key]))  # fmt: skip
                if method.endswith("+topo"):
                    row.update(score_before=least_squares_score(X, res["W"]), rounds=res["rounds"])
                elif method == "topo":
                    row["rounds"] = res["rounds"]
            rows.append({key: (value.item() if hasattr(value, "item") else value) for key, value in row.items()})
            print(f"[{method}] {graph} d={d} seed={seed}: {format_number(row['seconds'])} s, SHD {row['shd']}, "
                  f"score {format_number(row['score'], 6)}", flush=True)  # fmt: skip
    return rows


def summarize(rows, meta):
    """The Markdown report: per (graph, d, method) table, then TOPO's speed and what refining changes.

    Parameters
    ----------
    rows : list of dict
        CSV rows (values as strings).
    meta : dict or None
        The run's description (:func:`acyclic.bench.results.start_results`).

    Returns
    -------
    str
        The report.
    """
    lines = []
    if meta:
        lines += [f"- command: `{meta['command']}`", f"- date: {meta['date']}"]
        lines += [f"- {key}: {value}" for key, value in meta["machine"].items()]
        lines.append("")
    lines += ["| graph | d | method | ok/runs | seconds | SHD | TPR | FDR | nnz | DAG | score | raw score |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    keys = sorted({(r["graph"], int(r["d"])) for r in rows})
    for graph, d in keys:
        for method in ROWS:
            group = [r for r in rows if r["graph"] == graph and int(r["d"]) == d and r["method"] == method]
            ok = [r for r in group if not r["error"]]
            if not group:
                continue

            def col(key, digits=3, ok=ok):
                return mean_sd_text([parse_number(r[key]) for r in ok], digits)

            dags = sum(str(r["is_dag"]) in ("True", "1") for r in ok)
            lines.append(f"| {graph} | {d} | {LABELS[method]} | {len(ok)}/{len(group)} | {col('seconds')} | "
                         f"{col('shd')} | {col('tpr', 2)} | {col('fdr', 2)} | {col('nnz')} | {dags}/{len(ok)} | "
                         f"{col('score', 5)} | {col('raw_score', 5)} |")  # fmt: skip
    lines += ["", "Paired by seed: TOPO's speed against DAGMA (DAGMA seconds / TOPO seconds), and what "
              "refinement changes (score after − score before, on the output DAGs; SHD after − before).", "",
              "| graph | d | TOPO vs DAGMA speed | SHD TOPO − DAGMA | refine NOTEARS: score change | SHD change "
              "| refine DAGMA: score change | SHD change |",
              "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    by = {(r["graph"], int(r["d"]), int(r["seed"]), r["method"]): r for r in rows if not r["error"]}
    for graph, d in keys:
        seeds = sorted({s for (g, dd, s, _) in by if g == graph and dd == d})

        def pair(a, b, graph=graph, d=d, seeds=seeds):
            """(row of a, row of b) per seed where both succeeded."""
            return [
                (by[(graph, d, s, a)], by[(graph, d, s, b)])
                for s in seeds
                if (graph, d, s, a) in by and (graph, d, s, b) in by
            ]

        speed = ratio_text([parse_number(g["seconds"]) / parse_number(t["seconds"]) for t, g in pair("topo", "dagma")])
        shd = mean_sd_text([parse_number(t["shd"]) - parse_number(g["shd"]) for t, g in pair("topo", "dagma")])
        cells = []
        for base in ("notears", "dagma"):
            refined = [r for _, r in pair(base, base + "+topo")]
            cells.append(mean_sd_text([parse_number(r["score"]) - parse_number(r["score_before"]) for r in refined], 4))
            cells.append(
                mean_sd_text([parse_number(r["shd"]) - parse_number(b["shd"]) for b, r in pair(base, base + "+topo")])
            )
        lines.append(f"| {graph} | {d} | {speed} | {shd} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_topo", description=__doc__.splitlines()[0])
    p.add_argument("--graphs", nargs="+", default=["ER2", "ER4"], help="ER2, ER4, SF4, …")
    p.add_argument("--d", type=int, nargs="+", default=[20, 50, 100])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/topo.csv"))
    p.add_argument("--markdown", type=Path, default=None)
    p.add_argument("--summarize", type=Path, default=None, metavar="CSV")
    args = p.parse_args(argv)
    if args.summarize is not None:
        return print_saved_summary(args.summarize, args.markdown, summarize)
    meta = start_results(p.prog, argv, args.out, args.threads)
    rows = []
    with CsvRows(args.out, COLUMNS) as out:
        for graph in args.graphs:
            for d in args.d:
                for seed in args.seeds:
                    for row in run_setting(graph, d, args.n, seed, args.threads, args.timeout):
                        out.write(row)
                        rows.append({k: ("" if v is None else str(v)) for k, v in row.items()})
    write_report(summarize(rows, meta), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
