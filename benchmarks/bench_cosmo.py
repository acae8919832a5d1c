"""COSMO's scaling beside DAGMA and NOTEARS, with the floor set by its matrix products.

    python -m benchmarks.bench_cosmo --d 50 100 200 500 1000 --seeds 0 --k 4 --n 1000 \\
        --timeout 600 --out benchmarks/results/cosmo.csv --markdown benchmarks/results/cosmo.md

Per (d, seed) each method runs in its own process (``acyclic.bench.process.run_in_subprocess``), one
thread. A method that fails or passes ``--timeout`` at some d is not run at larger d. ``floor``
is the time numpy (same process kind, one thread) takes for the two products of one COSMO
minibatch step, X_b·A (B×d by d×d) and X_bᵀ·R (d×B by B×d), times the steps of an epoch:
no implementation of COSMO's epoch can be faster than that. SHD is given with a reversed edge
counted once (``shd``, NOTEARS' convention) and twice (``shd2``, the COSMO authors').
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from acyclic.bench.data import Setting, make_data
from acyclic.bench.process import run_in_subprocess, timed
from acyclic.bench.results import CsvRows, start_results, write_report
from acyclic.bench.tables import format_number

METHODS = ("cosmo", "dagma", "notears")
COLUMNS = ["method", "d", "k", "n", "seed", "seconds", "refit_seconds", "epochs", "seconds_per_epoch", "floor_per_epoch",
           "shd", "shd2", "tpr", "fdr", "nnz", "is_dag", "peak_rss_mib", "error"]  # fmt: skip
# the child process loads this file and calls `fit` or `matmul_floor`
THIS_FILE = Path(__file__).resolve()


def fit(X, method):
    """Fit one learner (runs in the child; the fit alone is timed, imports resolved first).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    method : {"cosmo", "dagma", "notears"}
        The learner.

    Returns
    -------
    dict
        ``W``, ``seconds``, ``epochs`` (``n_iter_``) and ``refit_seconds`` (COSMO's final refit).
    """
    import acyclic

    learner = {"cosmo": acyclic.COSMO(random_state=0), "dagma": acyclic.DAGMA(), "notears": acyclic.NOTEARS()}[method]
    _, seconds = timed(learner.fit, X)
    return {
        "W": learner.weights_,
        "seconds": seconds,
        "epochs": int(learner.n_iter_),
        "refit_seconds": float(getattr(learner, "refit_time_", 0.0)),
    }


def matmul_floor(d, n, batch, repeats):
    """Seconds numpy takes for the two products of one COSMO minibatch step.

    Parameters
    ----------
    d : int
        Nodes.
    n : int
        Samples (unused: the products do not depend on it).
    batch : int
        Minibatch size.
    repeats : int
        Timings taken.

    Returns
    -------
    dict
        ``seconds``: the median over ``repeats`` of X_b·A plus X_bᵀ·R.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    xb, a, r = rng.normal(size=(batch, d)), rng.normal(size=(d, d)), rng.normal(size=(batch, d))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        xb @ a
        xb.T @ r
        times.append(time.perf_counter() - start)
    return {"seconds": float(np.median(times))}


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_cosmo", description=__doc__.splitlines()[0])
    p.add_argument("--d", type=int, nargs="+", default=[50, 100, 200, 500, 1000])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/cosmo.csv"))
    p.add_argument("--markdown", type=Path, default=None)
    args = p.parse_args(argv)
    from acyclic.metrics import count_accuracy

    meta = start_results(p.prog, argv, args.out, 1)
    stopped = set()
    rows = []
    with CsvRows(args.out, COLUMNS) as out:
        for d in args.d:
            for seed in args.seeds:
                B, _, X = make_data(Setting(graph="ER", k=args.k, d=d, n=args.n), seed)
                steps = math.ceil(args.n / 64)
                floor = run_in_subprocess(f"{THIS_FILE}:matmul_floor",
                                          {"d": d, "n": args.n, "batch": 64, "repeats": 20}, 300)  # fmt: skip
                for method in args.methods:
                    row = {c: None for c in COLUMNS}
                    row.update(method=method, d=d, k=args.k, n=args.n, seed=seed)
                    if method in stopped:
                        row["error"] = "skipped: timed out or failed at a smaller d"
                    else:
                        res = run_in_subprocess(f"{THIS_FILE}:fit", {"method": method}, args.timeout,
                                                arrays={"X": X})  # fmt: skip
                        row.update(error=res.get("error"), peak_rss_mib=res.get("peak_rss_mib"))
                        if row["error"]:
                            stopped.add(method)
                        else:
                            acc = count_accuracy(B, res["W"])
                            row.update(seconds=res["seconds"], epochs=res["epochs"], shd=acc["shd"],
                                       shd2=acc["shd"] + acc["reversed"], tpr=acc["tpr"], fdr=acc["fdr"],
                                       nnz=acc["nnz"], is_dag=acc["is_dag"])  # fmt: skip
                            if method == "cosmo":
                                # the epochs alone: COSMO's final refit is timed apart
                                row["refit_seconds"] = res["refit_seconds"]
                                row["seconds_per_epoch"] = (res["seconds"] - res["refit_seconds"]) / res["epochs"]
                                row["floor_per_epoch"] = floor.get("seconds", math.nan) * steps
                    row = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                    out.write(row)
                    rows.append(row)
                    print(
                        f"[{method}] d={d} seed={seed}: {format_number(row['seconds'])} s, SHD {row['shd']}, "
                        f"TPR {format_number(row['tpr'])}" + (f" ({row['error']})" if row["error"] else ""),
                        flush=True,
                    )
    lines = [f"- command: `{meta['command']}`", f"- date: {meta['date']}"]
    lines += [f"- {key}: {value}" for key, value in meta["machine"].items()]
    lines += ["", "| d | method | seconds | of which refit | s/epoch | floor s/epoch | ratio to floor | SHD (rev. once) | SHD (rev. twice) "
              "| TPR | FDR | nnz | DAG | peak MiB |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        ratio = (
            (r["seconds_per_epoch"] / r["floor_per_epoch"]) if r["seconds_per_epoch"] and r["floor_per_epoch"] else None
        )
        cells = [r["d"], r["method"], format_number(r["seconds"]), format_number(r.get("refit_seconds")), format_number(r["seconds_per_epoch"]), format_number(r["floor_per_epoch"]),
                 format_number(ratio), r["shd"], r["shd2"], format_number(r["tpr"]), format_number(r["fdr"]), r["nnz"], r["is_dag"],
                 format_number(r["peak_rss_mib"])]  # fmt: skip
        if r["error"]:
            cells = [r["d"], r["method"], r["error"]] + [""] * 11
        lines.append("| " + " | ".join("–" if c is None else str(c) for c in cells) + " |")
    write_report("\n".join(lines), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
