"""acyclic.DAGMA against PyPI ``dagma`` 1.1.1 (``DagmaLinear``), on identical data and hyper-parameters.

    python -m benchmarks.bench_dagma --d 20 50 100 --seeds 0 1 2 --k 4 --n 1000 --lambda1 0.03 \\
        --threads 1 --methods acyclic acyclic-adam dagma --timeout 1800 \\
        --out benchmarks/results/dagma.csv --markdown benchmarks/results/dagma.md

The peer is installed into the benchmark environment only (never a runtime dependency of
``acyclic``), without torch: ``pip install --no-deps dagma==1.1.1 && pip install igraph tqdm``.

Methods: ``acyclic`` = ``acyclic.DAGMA()`` (the default solver, "hybrid": Adam then OWL-QN),
``acyclic-adam`` = ``acyclic.DAGMA(solver="adam")`` (the reference's Adam path),
``acyclic-lbfgs`` = ``acyclic.DAGMA(solver="lbfgs")``, ``dagma`` =
``dagma.linear.DagmaLinear(loss_type="l2").fit``. All get the same X and the same ``lambda1, w_threshold, T, mu_init, mu_factor, s, warm_iter,
max_iter, lr`` (``lr`` is unused by L-BFGS).

Every (method, d, seed) runs in its own process (``acyclic.bench.process.run_in_subprocess``). The CSV
gets one row per run, written as soon as the run ends; the Markdown summary (printed, and written
with ``--markdown``) gives per d the mean ± sd over seeds and the speed ratios paired by seed.
``--summarize CSV`` re-prints the summary of an existing CSV without running anything.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

from acyclic.bench.data import Setting, make_data, penalized_score
from acyclic.bench.process import peak_rss_mib, run_in_subprocess, timed
from acyclic.bench.results import CsvRows, print_saved_summary, start_results, write_report
from acyclic.bench.tables import failed_runs_lines, format_number, mean_sd_text, parse_number, ratio_text

METHODS = ("acyclic", "acyclic-adam", "acyclic-lbfgs", "dagma")
OURS = ("acyclic", "acyclic-adam", "acyclic-lbfgs")
SOLVERS = {"acyclic": "hybrid", "acyclic-adam": "adam", "acyclic-lbfgs": "lbfgs"}
PEER = "dagma"
LABELS = {
    "acyclic": "acyclic.DAGMA (hybrid)",
    "acyclic-adam": "acyclic.DAGMA (adam)",
    "acyclic-lbfgs": "acyclic.DAGMA (lbfgs)",
    "dagma": "dagma 1.1.1 DagmaLinear",
}
# the child process loads this file and calls one of its functions
FIT_FUNCTIONS = {
    "acyclic": f"{Path(__file__).resolve()}:fit_acyclic",
    "acyclic-adam": f"{Path(__file__).resolve()}:fit_acyclic",
    "acyclic-lbfgs": f"{Path(__file__).resolve()}:fit_acyclic",
    "dagma": f"{Path(__file__).resolve()}:fit_dagma",
}
H_TOL = 1e-6  # acyclic.DAGMA's default h_tol; `converged` = h1(W_raw) <= H_TOL for every method
COLUMNS = [
    "method", "graph", "k", "d", "n", "noise", "standardize", "seed", "threads",
    "lambda1", "w_threshold", "T", "mu_init", "mu_factor", "s", "warm_iter", "max_iter", "lr",
    "seconds", "seconds_per_eval", "n_evals", "n_grads", "n_iter_last", "stage_iters", "s_used",
    "peak_rss_mib", "prefit_rss_mib", "wall_seconds",
    "shd", "tpr", "fdr", "fpr", "nnz", "n_true_edges", "is_dag",
    "objective", "objective_thresholded", "stage_objective", "h", "converged", "error",
]  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Fit functions (run inside the child process; time the fit only)


def fit_acyclic(X, threads, solver, lambda1, w_threshold, T, mu_init, mu_factor, s, warm_iter,
                max_iter, lr):  # fmt: skip
    """Fit ``acyclic.DAGMA`` (runs in the child process; the fit alone is timed).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    threads : int
        ``n_jobs``.
    solver : {"hybrid", "adam", "lbfgs"}
        The inner solver.
    lambda1, w_threshold, T, mu_init, mu_factor, s, warm_iter, max_iter, lr
        DAGMA's hyper-parameters, the same for every method.

    Returns
    -------
    dict
        ``W_est``, ``W_raw``, ``seconds``, ``n_evals``, ``n_iter_last``, ``s_used`` and
        ``prefit_rss_mib`` (``n_grads`` and ``stage_iters`` are None: not exposed).
    """
    import acyclic

    est = acyclic.DAGMA(
        lambda1=lambda1, w_threshold=w_threshold, T=T, mu_init=mu_init, mu_factor=mu_factor,
        s=tuple(s), warm_iter=warm_iter, max_iter=max_iter, lr=lr, solver=solver, h_tol=H_TOL,
        n_jobs=threads,
    )  # fmt: skip
    prefit_rss = peak_rss_mib()
    _, seconds = timed(est.fit, X)  # warnings silenced: a ConvergenceWarning is recorded as `converged`
    return {
        "W_est": est.weights_,
        "W_raw": est.raw_weights_,
        "seconds": seconds,
        "n_evals": int(est.n_evals_),
        "n_grads": None,  # not exposed (n_evals_ mixes gradient and value-only evaluations)
        "n_iter_last": int(est.n_iter_),
        "stage_iters": None,  # only the last stage's count is exposed
        "s_used": "/".join(f"{v:g}" for v in est.s_used_),
        "prefit_rss_mib": prefit_rss,
    }


def fit_dagma(X, threads, lambda1, w_threshold, T, mu_init, mu_factor, s, warm_iter, max_iter, lr):
    """PyPI dagma's DagmaLinear, instrumented (instance attributes shadow three of its methods).

    - ``_adam_update`` is called exactly once per inner (Adam) iteration, after the one gradient
      of that iteration: its calls are the gradient evaluations ``n_grads``;
    - ``_func`` is the objective value computed every ``checkpoint`` (1000) iterations and at the
      last one: ``n_evals = n_grads + _func calls`` (acyclic's Adam counts the same way, plus one
      final value per stage);
    - ``minimize`` (one call per stage attempt) records each attempt's iterations, its s and a
      copy of the W it returns: the last successful one is the unthresholded W (``fit`` thresholds
      its own copy in place before returning it).

    Each wrapper adds one Python call per iteration (~0.1 µs), negligible against an iteration.
    tqdm's progress bar is disabled (``TQDM_DISABLE=1`` before tqdm is imported; ``pbar.update``
    still runs, as a no-op), since ``acyclic.DAGMA(verbose=False)`` has none either.

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data (the peer gets a copy: its ``fit`` centres X in place).
    threads : int
        Unused (the BLAS threads are set in the child's environment).
    lambda1, w_threshold, T, mu_init, mu_factor, s, warm_iter, max_iter, lr
        DAGMA's hyper-parameters, the same for every method.

    Returns
    -------
    dict
        The keys of :func:`fit_acyclic`, with ``n_grads`` and ``stage_iters`` filled in.
    """
    os.environ["TQDM_DISABLE"] = "1"
    from dagma.linear import DagmaLinear

    model = DagmaLinear(loss_type="l2")
    counts = {"grads": 0, "values": 0}
    attempts = []  # (iterations, success, s) per minimize call
    raw = {}

    adam_update, func, minimize = model._adam_update, model._func, model.minimize

    def counted_adam_update(*args, **kwargs):
        counts["grads"] += 1
        return adam_update(*args, **kwargs)

    def counted_func(*args, **kwargs):
        counts["values"] += 1
        return func(*args, **kwargs)

    def recorded_minimize(W, mu, max_iter, s, *args, **kwargs):
        before = counts["grads"]
        W_out, success = minimize(W, mu, max_iter, s, *args, **kwargs)
        attempts.append((counts["grads"] - before, bool(success), float(s)))
        if success:
            raw["W"] = W_out.copy()
        return W_out, success

    model._adam_update = counted_adam_update
    model._func = counted_func
    model.minimize = recorded_minimize

    X_fit = X.copy()  # fit centres its X in place
    s_list = [float(v) for v in s]  # fit raises s[i] in place when a stage leaves the domain
    prefit_rss = peak_rss_mib()
    start = time.perf_counter()
    W_est = model.fit(
        X_fit, lambda1=lambda1, w_threshold=w_threshold, T=T, mu_init=mu_init,
        mu_factor=mu_factor, s=s_list, warm_iter=warm_iter, max_iter=max_iter, lr=lr,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    stage_iters = "/".join(f"{it}" if ok else f"{it}!" for it, ok, _ in attempts)
    s_used = [s_attempt for _, ok, s_attempt in attempts if ok]
    return {
        "W_est": W_est,
        "W_raw": raw["W"],
        "seconds": seconds,
        "n_evals": counts["grads"] + counts["values"],
        "n_grads": counts["grads"],
        "n_iter_last": attempts[-1][0],
        "stage_iters": stage_iters,
        "s_used": "/".join(f"{v:g}" for v in s_used),
        "prefit_rss_mib": prefit_rss,
    }


# --------------------------------------------------------------------------------------------------
# Scores computed by the harness, the same way for every method


def logdet_h(W, s=1.0):
    """The log-det acyclicity ``h_s(W) = −log det(sI − W∘W) + d log s``.

    Parameters
    ----------
    W : array_like of shape (d, d)
        Weights.
    s : float, default 1.0
        The log-det parameter.

    Returns
    -------
    float
        h, or +inf when ``sI − W∘W`` has a non-positive determinant.
    """
    import numpy as np

    W = np.asarray(W, dtype=np.float64)
    d = W.shape[0]
    sign, logabsdet = np.linalg.slogdet(s * np.eye(d) - W * W)
    return float(-logabsdet + d * math.log(s)) if sign > 0 else math.inf


def stage_objective(X, W_raw, hp, s_last):
    """The last stage's objective ``μ_T(Q + λ1‖W‖₁) + h_{s_T}(W)``, ``μ_T = mu_init·mu_factor^(T−1)``.

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    W_raw : numpy.ndarray of shape (d, d)
        Unthresholded weights.
    hp : dict
        The hyper-parameters (``mu_init``, ``mu_factor``, ``T``, ``lambda1``).
    s_last : float
        The s the last stage ended with.

    Returns
    -------
    float
        The objective.
    """
    mu = hp["mu_init"] * hp["mu_factor"] ** (hp["T"] - 1)
    return mu * penalized_score(X, W_raw, hp["lambda1"]) + logdet_h(W_raw, s_last)


# --------------------------------------------------------------------------------------------------
# Runs


def run_one(method, setting, seed, B_true, X, hp, threads, timeout):
    """Run one (method, setting, seed) in its own process and score it.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    setting : acyclic.bench.data.Setting
        The data setting.
    seed : int
        The data set's seed.
    B_true : numpy.ndarray of shape (d, d)
        The true graph.
    X : numpy.ndarray of shape (n, d)
        The data.
    hp : dict
        The hyper-parameters, the same for every method.
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

    kwargs = dict(hp, threads=threads)
    if method in OURS:
        kwargs["solver"] = SOLVERS[method]
    res = run_in_subprocess(FIT_FUNCTIONS[method], kwargs, timeout, threads=threads,
                            arrays={"X": X})  # fmt: skip
    row = {c: None for c in COLUMNS}
    row.update(setting.as_dict())
    row.update({k: v for k, v in hp.items() if k != "s"})
    row.update(method=method, seed=seed, threads=threads, s="/".join(f"{v:g}" for v in hp["s"]),
               n_true_edges=int((B_true != 0).sum()))  # fmt: skip
    for key in ("seconds", "n_evals", "n_grads", "n_iter_last", "stage_iters", "s_used",
                "peak_rss_mib", "prefit_rss_mib", "wall_seconds", "error"):  # fmt: skip
        row[key] = res.get(key)
    if res.get("error") is None:
        try:
            acc = count_accuracy(B_true, res["W_est"])
            for key in ("shd", "tpr", "fdr", "fpr", "nnz", "is_dag"):
                row[key] = acc[key]
            row["objective"] = penalized_score(X, res["W_raw"], hp["lambda1"])
            row["objective_thresholded"] = penalized_score(X, res["W_est"], hp["lambda1"])
            row["h"] = logdet_h(res["W_raw"])
            row["converged"] = row["h"] <= H_TOL
            if row["s_used"]:
                s_last = float(str(row["s_used"]).split("/")[-1])
                row["stage_objective"] = stage_objective(X, res["W_raw"], hp, s_last)
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


def _setting_key(r):
    return (r["graph"], str(r["k"]), str(r["n"]), r["noise"], str(r["standardize"]),
            str(r["lambda1"]), str(r["threads"]))  # fmt: skip


def summarize(rows, meta):
    """The Markdown report: machine, command, per-(d, method) table, ratios paired by seed.

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
    lines = ["# DAGMA: acyclic.DAGMA vs PyPI dagma 1.1.1 (DagmaLinear)", ""]
    if meta:
        m = meta.get("machine", {})
        hp = meta.get("hyperparameters", {})
        lines += [
            f"- command: `{meta.get('command', '?')}`",
            f"- date: {meta.get('date', '?')}",
            f"- machine: {m.get('cpu_count')} CPUs ({m.get('cpus_usable')} usable), "
            f"{m.get('processor')}, {m.get('platform')}",
            f"- python {m.get('python')}, numpy {m.get('numpy')} ({m.get('blas')}), "
            f"scipy {m.get('scipy')}, acyclic {m.get('acyclic')}, dagma {meta.get('dagma')}; "
            f"threads per run: {m.get('threads')}",
            "- hyper-parameters (all methods): " + ", ".join(f"{k} = {v}" for k, v in hp.items()),
            "",
        ]
    for key in sorted({_setting_key(r) for r in rows}):
        graph, k, n, noise, std, lam, threads = key
        sub = [r for r in rows if _setting_key(r) == key]
        lines += [
            f"Setting: {graph}{k}, n = {n}, noise {noise}, standardize {std}, λ1 = {lam}, "
            f"threads {threads}. Mean ± sd over seeds (successful runs only). `objective` = "
            "½n⁻¹‖Xc − XcW‖² + λ1‖W‖₁ on the unthresholded W, `stage obj.` = the last stage's "
            "μ_T(objective) + h_{s_T}(W), both computed by the harness.",
            "",
            "| d | method | ok/runs | seconds | s/eval | evals | SHD | TPR | FDR | nnz | DAG "
            "| objective | stage obj. | h | peak MiB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        ds = sorted({int(r["d"]) for r in sub})
        for d in ds:
            for method in METHODS:
                runs = [r for r in sub if int(r["d"]) == d and r["method"] == method]
                if not runs:
                    continue
                ok = [r for r in runs if not r["error"]]

                def col(name, digits=3, ok=ok):
                    return mean_sd_text([parse_number(r[name]) for r in ok], digits)

                lines.append(
                    f"| {d} | {LABELS[method]} | {len(ok)}/{len(runs)} | {col('seconds')} "
                    f"| {col('seconds_per_eval')} | {col('n_evals', 4)} | {col('shd')} "
                    f"| {col('tpr', 2)} | {col('fdr', 2)} | {col('nnz')} "
                    f"| {sum(parse_number(r['is_dag']) == 1 for r in ok)}/{len(ok)} "
                    f"| {col('objective', 5)} | {col('stage_objective', 5)} | {col('h', 2)} "
                    f"| {col('peak_rss_mib')} |"
                )
        present = {r["method"] for r in sub}
        ours = [m for m in OURS if m in present]
        if PEER in present and ours:
            lines += [
                "",
                "Paired by seed (both succeeded): geometric mean (min–max) of dagma / acyclic; "
                "differences = acyclic − dagma (negative: acyclic lower, i.e. better).",
                "",
                "| d | acyclic method | pairs | speed (total) | speed (per evaluation) "
                "| evaluations ratio | objective diff. | SHD diff. |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for d in ds:
                by_seed = {}
                for r in sub:
                    if int(r["d"]) == d and not r["error"]:
                        by_seed.setdefault(str(r["seed"]), {})[r["method"]] = r
                for mine in ours:
                    pairs = [p for p in by_seed.values() if {mine, PEER} <= set(p)]
                    total, per_eval, evals, dobj, dshd = [], [], [], [], []
                    for p in pairs:
                        a, b = p[mine], p[PEER]
                        sa, sb = parse_number(a["seconds"]), parse_number(b["seconds"])
                        ea, eb = parse_number(a["n_evals"]), parse_number(b["n_evals"])
                        if sa and sb:
                            total.append(sb / sa)
                        if sa and sb and ea and eb:
                            per_eval.append((sb / eb) / (sa / ea))
                            evals.append(eb / ea)
                        for out, name in ((dobj, "objective"), (dshd, "shd")):
                            va, vb = parse_number(a[name]), parse_number(b[name])
                            if va is not None and vb is not None:
                                out.append(va - vb)
                    lines.append(
                        f"| {d} | {LABELS[mine]} | {len(pairs)} | {ratio_text(total)} "
                        f"| {ratio_text(per_eval)} | {ratio_text(evals)} "
                        f"| {mean_sd_text(dobj)} | {mean_sd_text(dshd)} |"
                    )
        lines += [
            "",
            "Per run:",
            "",
            "| d | seed | method | seconds | evals | last-stage iters | stage iters (! = failed "
            "attempt) | s used | SHD | objective | h |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in sorted(sub, key=lambda r: (int(r["d"]), int(r["seed"]),
                                            METHODS.index(r["method"]))):  # fmt: skip
            lines.append(
                f"| {r['d']} | {r['seed']} | {LABELS[r['method']]} | {format_number(parse_number(r['seconds']))} "
                f"| {r['n_evals'] or '–'} | {r['n_iter_last'] or '–'} | {r['stage_iters'] or '–'} "
                f"| {r['s_used'] or '–'} | {r['shd'] if r['shd'] not in (None, '') else '–'} "
                f"| {format_number(parse_number(r['objective']), 6)} | {format_number(parse_number(r['h']), 2)} |"
            )
        lines.append("")
    lines += failed_runs_lines(rows)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# CLI


def _dagma_version():
    try:
        from importlib.metadata import version

        return version("dagma")
    except Exception:  # not installed: only acyclic methods can run
        return None


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_dagma",
        description="acyclic.DAGMA vs PyPI dagma's DagmaLinear on identical data.",
    )
    p.add_argument("--d", type=int, nargs="+", default=[20, 50, 100], help="numbers of nodes")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--n", type=int, default=1000, help="samples")
    p.add_argument("--graph", choices=["ER", "SF"], default="ER")
    p.add_argument("--k", type=int, default=4, help="edges per node: s0 = k*d")
    p.add_argument("--noise", default="gauss", help="sem_type: gauss, exp, gumbel, ...")
    p.add_argument("--standardize", action="store_true", help="standardize X before fitting")
    p.add_argument("--lambda1", type=float, default=0.03)
    p.add_argument("--w-threshold", type=float, default=0.3)
    p.add_argument("--T", type=int, default=5, help="central-path stages")
    p.add_argument("--mu-init", type=float, default=1.0)
    p.add_argument("--mu-factor", type=float, default=0.1)
    p.add_argument("--s", type=float, nargs="+", default=[1.0, 0.9, 0.8, 0.7, 0.6])
    p.add_argument("--warm-iter", type=int, default=30000)
    p.add_argument("--max-iter", type=int, default=60000)
    p.add_argument("--lr", type=float, default=3e-4, help="Adam's learning rate (not L-BFGS)")
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--threads", type=int, default=1,
                   help="threads per run: OMP/OPENBLAS/MKL_NUM_THREADS (numpy) and n_jobs (acyclic)")  # fmt: skip
    p.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/dagma.csv"))
    p.add_argument("--markdown", type=Path, default=None, help="also write the summary here")
    p.add_argument("--summarize", type=Path, default=None, metavar="CSV",
                   help="only print the summary of an existing CSV")  # fmt: skip
    args = p.parse_args(argv)

    if args.summarize is not None:
        return print_saved_summary(args.summarize, args.markdown, summarize)

    if PEER in args.methods and _dagma_version() is None:
        p.error("dagma is not installed: pip install --no-deps dagma==1.1.1 && pip install igraph "
                "tqdm (or leave it out of --methods)")  # fmt: skip
    hp = {
        "lambda1": args.lambda1, "w_threshold": args.w_threshold, "T": args.T,
        "mu_init": args.mu_init, "mu_factor": args.mu_factor, "s": list(args.s),
        "warm_iter": args.warm_iter, "max_iter": args.max_iter, "lr": args.lr,
    }  # fmt: skip
    meta = start_results(p.prog, argv, args.out, args.threads, dagma=_dagma_version(), hyperparameters=hp)

    rows = []
    with CsvRows(args.out, COLUMNS) as out:
        for d in args.d:
            setting = Setting(graph=args.graph, k=args.k, d=d, n=args.n, noise=args.noise,
                              standardize=args.standardize)  # fmt: skip
            for seed in args.seeds:
                B_true, _, X = make_data(setting, seed)
                for method in args.methods:
                    row = run_one(method, setting, seed, B_true, X, hp, args.threads, args.timeout)
                    rows.append(row)
                    out.write(row)
                    status = row["error"] or (
                        f"{format_number(row['seconds'])} s, {row['n_evals']} evals, SHD {row['shd']}, "
                        f"objective {format_number(row['objective'], 6)}"
                    )
                    print(f"[{method}] d={d} seed={seed}: {status}", file=sys.stderr, flush=True)

    write_report(summarize([{k: ("" if v is None else v) for k, v in r.items()} for r in rows], meta), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
