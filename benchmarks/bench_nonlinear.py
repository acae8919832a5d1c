"""Nonlinear learners (MLP mechanisms) beside their reference implementations, on identical data.

    python -m benchmarks.bench_nonlinear --d 10 20 --sems mlp mim gp-sines --prep raw std \\
        --seeds 0 1 2 --notears-src /work/scratch/ref-notears --cosmo-src /work/scratch/ref-cosmo \\
        --out benchmarks/results/nonlinear.csv --markdown benchmarks/results/nonlinear.md

The references are installed into the benchmark environment only (never a dependency of
``acyclic``), see ``benchmarks/README.md``: torch (CPU), PyPI ``dagma`` (``dagma.nonlinear``), and
for the COSMO reference ``pytorch-lightning``; the NOTEARS and COSMO reference sources are checkouts
whose folders are given with ``--notears-src`` / ``--cosmo-src`` (or ``ACYCLIC_NOTEARS_SRC`` /
``ACYCLIC_COSMO_SRC``) and imported from there; nothing of theirs is copied here.

Methods (``--methods``):

- ``notears-mlp-ref``: xunzheng/notears ``notears/nonlinear.py``, ``NotearsMLP(dims=[d, 10, 1],
  bias=True)`` + ``notears_nonlinear(model, X, lambda1=0.01, lambda2=0.01)`` (its demo's values;
  threshold 0.3), double precision as in its demo. Evaluations = calls of the L-BFGS-B closure
  (one full-data objective + gradient each), counted through the model's ``forward``.
- ``dagma-mlp-ref``: PyPI ``dagma`` ``DagmaNonlinear(DagmaMLP(dims=[d, 10, 1], bias=True,
  dtype=torch.double), dtype=torch.double).fit(X, lambda1=0.02, lambda2=0.005)`` (its defaults,
  log-MSE score). Evaluations = Adam iterations (one full-data objective + gradient each), counted
  through the model's ``forward``; the iterations of every stage attempt are recorded.
- ``cosmo-nl-ref``: rmassidda/cosmo ``cosmolib.algorithms.COSMO`` with ``hidden_size=[10]``
  (``PriorityNonLinearSCM``), trained by pytorch-lightning as the reference does, with the fixed
  values of ``config/grids/cosmo_nl.yaml`` (batch 64, 2000 epochs, no early stop, initial
  temperature 0.45, cosine annealing, threshold 0.3) and, for the ranges of that grid, the
  configuration the authors validated for ``n1000_d20_ER4_mlp``
  (``validation/n1000_d20_ER4_mlp_cosmo_nl.csv``; override with ``--cosmo-hp``). Its data set
  centres X (as the reference's data sets do) and casts it to float32. Evaluations = Adam steps on
  mini-batches of 64 rows (not full-data evaluations), counted through the model's ``forward``.
- ``notears-mlp``, ``dagma-mlp``, ``cosmo-mlp``: ours, ``acyclic.NOTEARS(mechanism="mlp",
  hidden=(10,), lambda1=0.01, lambda2=0.01)``, ``acyclic.DAGMA(mechanism="mlp")``,
  ``acyclic.COSMO(mechanism="mlp")``, with ``n_jobs=1``, ``random_state=seed`` and
  ``standardize=False`` where they have them (this script standardizes the data itself, once, for
  every method). A learner whose constructor rejects these parameters (not implemented yet) gives
  ``status = skipped`` rows; one that raises in ``fit`` an ``error`` row. Evaluations are its
  ``n_evals_`` (COSMO: ``n_steps_``, its mini-batch steps; else ``n_iter_``).

Data: ``acyclic.bench.data.make_data`` (``Setting(graph, k, d, n, noise=SEM, standardize)``), the
nonlinear SEMs ``mlp``, ``mim``, ``gp-sines`` with unit Gaussian noise; a (setting, seed) is always
the same array, passed to every method through a ``.npy`` file. Each (method, setting, seed) runs
in its own process (``acyclic.bench.process.run_in_subprocess``) on one thread:
``OMP/OPENBLAS/MKL_NUM_THREADS=1`` before the child imports numpy, ``torch.set_num_threads(1)``
and ``set_num_interop_threads(1)``, our ``n_jobs=1``. The methods' random initialisations are
seeded with the data seed (``torch.manual_seed``, ``random_state``).

The CSV gets one row per run as soon as it ends; ``--append`` keeps the rows of an existing CSV and
skips the runs it already holds with status ``ok`` or ``timeout`` (re-running the others), so a
grid can be run in parts and resumed. The Markdown summary (printed, and written with
``--markdown``) gives per (SEM, d, preprocessing) and method the mean ± sd over seeds of SHD, TPR,
FDR, nnz, seconds, evaluations and seconds per evaluation, the empty graph's SHD, and ours / the
reference paired by seed. ``--summarize CSV`` re-prints it without running anything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

from acyclic.bench.data import NONLINEAR_SEMS, Setting, make_data
from acyclic.bench.process import peak_rss_mib, run_in_subprocess, timed
from acyclic.bench.results import CsvRows, meta_path, print_saved_summary, read_csv_rows, start_results, write_report
from acyclic.bench.tables import format_number, mean_sd_text, parse_number, ratio_text

REFERENCES = ("notears-mlp-ref", "dagma-mlp-ref", "cosmo-nl-ref")
OURS = ("notears-mlp", "dagma-mlp", "cosmo-mlp")
METHODS = OURS + REFERENCES
#: ours -> its reference, for the paired ratios
PAIRS = {"notears-mlp": "notears-mlp-ref", "dagma-mlp": "dagma-mlp-ref", "cosmo-mlp": "cosmo-nl-ref"}
LABELS = {
    "notears-mlp": "acyclic.NOTEARS(mlp)",
    "dagma-mlp": "acyclic.DAGMA(mlp)",
    "cosmo-mlp": "acyclic.COSMO(mlp)",
    "notears-mlp-ref": "notears NotearsMLP (ref)",
    "dagma-mlp-ref": "dagma DagmaMLP (ref)",
    "cosmo-nl-ref": "cosmo PriorityNonLinearSCM (ref)",
}
_HERE = Path(__file__).resolve()
# the child process loads this file and calls one of its functions
FIT_FUNCTIONS = {
    "notears-mlp-ref": f"{_HERE}:fit_notears_ref",
    "dagma-mlp-ref": f"{_HERE}:fit_dagma_ref",
    "cosmo-nl-ref": f"{_HERE}:fit_cosmo_ref",
    **{m: f"{_HERE}:fit_ours" for m in OURS},
}
#: hyper-parameters of each method (recorded in the CSV, passed to the fit)
NOTEARS_HP = {"hidden": 10, "lambda1": 0.01, "lambda2": 0.01, "w_threshold": 0.3}
DAGMA_HP = {"hidden": 10, "lambda1": 0.02, "lambda2": 0.005, "w_threshold": 0.3}
#: config/grids/cosmo_nl.yaml: the fixed values, and for its ranges the values validated by the
#: authors for n1000_d20_ER4_mlp (validation/n1000_d20_ER4_mlp_cosmo_nl.csv, first row)
COSMO_HP = {
    "threshold": 0.3, "force_dag": False, "batch_size": 64, "max_epochs": 2000, "early_stop": False,
    "learning_rate": 0.0020887556423211354, "l1_adj_reg": 0.0009660176755790513,
    "l2_adj_reg": 0.001619366498531805, "priority_reg": 0.001835804156919414, "hidden_size": [10],
    "init_temperature": 0.45, "temperature": 0.0007402860827581467, "shift": 0.019249848155030745,
    "hard_threshold": False, "anneal": "cosine", "symmetric": False,
}  # fmt: skip
OURS_PARAMS = {
    "notears-mlp": ("NOTEARS", {"mechanism": "mlp", "hidden": (10,), "lambda1": 0.01, "lambda2": 0.01}),
    "dagma-mlp": ("DAGMA", {"mechanism": "mlp"}),
    "cosmo-mlp": ("COSMO", {"mechanism": "mlp"}),
}
COLUMNS = [
    "method", "kind", "graph", "k", "d", "n", "sem", "standardize", "seed", "threads", "status",
    "seconds", "n_evals", "seconds_per_eval", "n_outer", "stage_iters", "wall_seconds",
    "peak_rss_mib", "prefit_rss_mib",
    "shd", "tpr", "fdr", "fpr", "nnz", "is_dag", "n_true_edges", "h",
    "hyperparameters", "error",
]  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Fit functions (run inside the child process; the fit alone is timed)


def _one_thread(seed):
    """Torch on one thread (the BLAS variables are set by the parent), seeded."""
    import numpy as np
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set in this process
        pass
    torch.manual_seed(int(seed))
    np.random.seed(int(seed))
    return torch


def _counting(fn, counts, key="evals"):
    """``fn`` wrapped so that every call adds one to ``counts[key]``."""

    def counted(*args, **kwargs):
        counts[key] += 1
        return fn(*args, **kwargs)

    return counted


def fit_notears_ref(X, seed, src, hidden, lambda1, lambda2, w_threshold):
    """xunzheng/notears ``notears_nonlinear`` with ``NotearsMLP`` (double precision, as its demo).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    seed : int
        Seed of torch's initialisation of the MLP.
    src : str
        Folder of the notears checkout (holds the package ``notears``).
    hidden, lambda1, lambda2, w_threshold
        Hidden units, L1 and L2 weights, threshold.

    Returns
    -------
    dict
        ``W_est`` (thresholded), ``W_raw``, ``seconds``, ``n_evals`` (closure calls = forward
        passes), ``n_outer`` (dual-ascent steps), ``stage_iters`` (L-BFGS-B solves per dual step),
        ``h`` and ``prefit_rss_mib``.
    """
    torch = _one_thread(seed)
    sys.path.insert(0, str(src))
    from notears import nonlinear

    torch.set_default_dtype(torch.double)
    d = X.shape[1]
    model = nonlinear.NotearsMLP(dims=[d, int(hidden), 1], bias=True)
    counts = {"evals": 0, "outer": 0, "solves": 0}
    solves_per_outer = []
    model.forward = _counting(model.forward, counts)  # the closure's one forward pass

    dual_ascent_step = nonlinear.dual_ascent_step
    step = nonlinear.LBFGSBScipy.step

    def counted_step(self, closure):
        counts["solves"] += 1
        return step(self, closure)

    def counted_dual_ascent_step(*args, **kwargs):
        before = counts["solves"]
        counts["outer"] += 1
        out = dual_ascent_step(*args, **kwargs)
        solves_per_outer.append(counts["solves"] - before)
        return out

    nonlinear.LBFGSBScipy.step = counted_step
    nonlinear.dual_ascent_step = counted_dual_ascent_step
    prefit_rss = peak_rss_mib()
    W_est, seconds = timed(nonlinear.notears_nonlinear, model, X.copy(), lambda1=lambda1,
                           lambda2=lambda2, w_threshold=w_threshold)  # fmt: skip
    with torch.no_grad():
        h = float(model.h_func().item())
    return {
        "W_est": W_est,
        "W_raw": model.fc1_to_adj(),
        "seconds": seconds,
        "n_evals": counts["evals"],
        "n_outer": counts["outer"],
        "stage_iters": "/".join(str(s) for s in solves_per_outer),
        "h": h,
        "prefit_rss_mib": prefit_rss,
    }


def fit_dagma_ref(X, seed, hidden, lambda1, lambda2, w_threshold):
    """PyPI dagma's ``DagmaNonlinear`` with ``DagmaMLP`` (double precision, its defaults).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    seed : int
        Seed of torch's initialisation of the MLP.
    hidden, lambda1, lambda2, w_threshold
        Hidden units, L1 and L2 weights, threshold.

    Returns
    -------
    dict
        ``W_est``, ``W_raw``, ``seconds``, ``n_evals`` (Adam iterations = forward passes),
        ``n_outer`` (stages), ``stage_iters`` (iterations of every stage attempt, ``!`` marking
        one that left the log-det domain and was restarted), ``h`` and ``prefit_rss_mib``.
    """
    os.environ["TQDM_DISABLE"] = "1"
    torch = _one_thread(seed)
    from dagma.nonlinear import DagmaMLP, DagmaNonlinear

    d = X.shape[1]
    eq_model = DagmaMLP(dims=[d, int(hidden), 1], bias=True, dtype=torch.double)
    model = DagmaNonlinear(eq_model, dtype=torch.double)
    counts = {"evals": 0}
    attempts = []
    eq_model.forward = _counting(eq_model.forward, counts)  # one forward per Adam iteration
    minimize = model.minimize

    def recorded_minimize(*args, **kwargs):
        before = counts["evals"]
        ok = minimize(*args, **kwargs)
        attempts.append((counts["evals"] - before, bool(ok)))
        return ok

    model.minimize = recorded_minimize
    prefit_rss = peak_rss_mib()
    W_est, seconds = timed(model.fit, X.copy(), lambda1=lambda1, lambda2=lambda2, w_threshold=w_threshold)
    with torch.no_grad():
        h = float(eq_model.h_func().item())
    return {
        "W_est": W_est,
        "W_raw": eq_model.fc1_to_adj(),
        "seconds": seconds,
        "n_evals": counts["evals"],
        "n_outer": sum(ok for _, ok in attempts),
        "stage_iters": "/".join(f"{it}" if ok else f"{it}!" for it, ok in attempts),
        "h": h,
        "prefit_rss_mib": prefit_rss,
    }


def fit_cosmo_ref(X, seed, src, hp_json):
    """rmassidda/cosmo's ``COSMO`` with ``PriorityNonLinearSCM``, trained by pytorch-lightning.

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data (centred and cast to float32 here, as the reference's data sets do).
    seed : int
        Seed of torch (initialisation, mini-batch order).
    src : str
        Folder of the cosmo checkout (holds the package ``cosmolib``).
    hp_json : str
        The keyword arguments of ``COSMO`` (JSON).

    Returns
    -------
    dict
        ``W_est`` (the weighted adjacency with |w| ≤ threshold set to 0), ``W_raw`` (the weighted
        adjacency: the hidden weights summed over the hidden units, times the orientation),
        ``seconds``, ``n_evals`` (Adam steps on mini-batches = forward passes), ``n_outer``
        (epochs), ``h`` (None) and ``prefit_rss_mib``.
    """
    import logging
    import warnings

    import numpy as np

    _one_thread(seed)
    sys.path.insert(0, str(src))
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    from cosmolib.algorithms.cosmo import COSMO
    from cosmolib.datasets import CausalDataset
    from cosmolib.models.priority_linear_scm import PriorityNonLinearSCM

    class ArrayDataset(CausalDataset):
        def __init__(self, X):
            self.observations = np.array(X, dtype=np.float64)
            self.n_nodes = self.observations.shape[1]
            self.causal_graph = np.zeros((self.n_nodes, self.n_nodes), dtype=int)
            super().__init__(normalize=True)  # centres the columns, as the reference's data sets
            self.observations = self.observations.astype("float32")

    hp = json.loads(hp_json)
    counts = {"evals": 0}
    forward = PriorityNonLinearSCM.forward

    def counted_forward(self, x_batch):
        counts["evals"] += 1
        return forward(self, x_batch)

    PriorityNonLinearSCM.forward = counted_forward
    dataset = ArrayDataset(X)
    algo = COSMO(**hp)
    prefit_rss = peak_rss_mib()
    _, seconds = timed(algo.fit, dataset)
    W_raw = algo.weighted_adj.detach().cpu().numpy().astype(np.float64)
    W_est = W_raw.copy()
    W_est[np.abs(W_est) <= float(hp["threshold"])] = 0.0
    batches = math.ceil(len(dataset) / int(hp["batch_size"]))
    return {
        "W_est": W_est,
        "W_raw": W_raw,
        "seconds": seconds,
        "n_evals": counts["evals"],
        "n_outer": counts["evals"] // batches,
        "h": None,
        "prefit_rss_mib": prefit_rss,
    }


def make_ours(method, seed, threads):
    """Our estimator for ``method`` (raises when the class does not take these parameters yet).

    Parameters
    ----------
    method : str
        One of :data:`OURS`.
    seed : int
        ``random_state``.
    threads : int
        ``n_jobs``.

    Returns
    -------
    sklearn-style estimator
        With ``n_jobs``, ``random_state`` and ``standardize=False`` set where it has them.
    """
    import acyclic

    cls_name, params = OURS_PARAMS[method]
    est = getattr(acyclic, cls_name)(**params)
    have = est.get_params()
    extra = {"n_jobs": int(threads), "random_state": int(seed), "standardize": False}
    est.set_params(**{k: v for k, v in extra.items() if k in have})
    return est


def fit_ours(X, seed, method, threads):
    """Fit one of our nonlinear learners (runs in the child process).

    Parameters
    ----------
    X : numpy.ndarray of shape (n, d)
        The data.
    seed : int
        ``random_state``.
    method : str
        One of :data:`OURS`.
    threads : int
        ``n_jobs``.

    Returns
    -------
    dict
        ``W_est`` (``weights_``), ``W_raw`` (``raw_weights_`` if present), ``seconds``,
        ``n_evals`` (``n_evals_``, COSMO's ``n_steps_``, else ``n_iter_``), ``n_outer`` (``n_iter_``), ``h``
        (``h_``) and ``prefit_rss_mib``.
    """
    _one_thread(seed)
    est = make_ours(method, seed, threads)
    prefit_rss = peak_rss_mib()
    _, seconds = timed(est.fit, X)
    # COSMO: its Adam steps on mini-batches (n_iter_ counts epochs), as the reference's are counted
    n_evals = getattr(est, "n_evals_", getattr(est, "n_steps_", None))
    n_iter = getattr(est, "n_iter_", None)
    h = getattr(est, "h_", None)
    return {
        "W_est": est.weights_,
        "W_raw": getattr(est, "raw_weights_", est.weights_),
        "seconds": seconds,
        "n_evals": int(n_evals) if n_evals is not None else (int(n_iter) if n_iter is not None else None),
        "n_outer": int(n_iter) if n_iter is not None else None,
        "h": float(h) if h is not None else None,
        "prefit_rss_mib": prefit_rss,
    }


# --------------------------------------------------------------------------------------------------
# Runs


def fit_kwargs(method, seed, threads, args):
    """The keyword arguments of the fit function of ``method`` and its recorded hyper-parameters."""
    if method == "notears-mlp-ref":
        return {"seed": seed, "src": str(args.notears_src), **NOTEARS_HP}, NOTEARS_HP
    if method == "dagma-mlp-ref":
        return {"seed": seed, **DAGMA_HP}, DAGMA_HP
    if method == "cosmo-nl-ref":
        hp = dict(COSMO_HP, **json.loads(args.cosmo_hp or "{}"))
        return {"seed": seed, "src": str(args.cosmo_src), "hp_json": json.dumps(hp)}, hp
    return {"seed": seed, "method": method, "threads": threads}, OURS_PARAMS[method][1]


def unavailable(method, args):
    """Why ``method`` cannot run here (None if it can): a missing reference or learner."""
    if method == "notears-mlp-ref":
        if not args.notears_src or not (Path(args.notears_src) / "notears" / "nonlinear.py").exists():
            return "no notears checkout: give --notears-src or ACYCLIC_NOTEARS_SRC"
        return _missing("torch")
    if method == "dagma-mlp-ref":
        return _missing("torch") or _missing("dagma")
    if method == "cosmo-nl-ref":
        if not args.cosmo_src or not (Path(args.cosmo_src) / "cosmolib").is_dir():
            return "no cosmo checkout: give --cosmo-src or ACYCLIC_COSMO_SRC"
        return _missing("torch") or _missing("pytorch_lightning")
    try:
        make_ours(method, 0, 1)
    except Exception as exc:  # not implemented yet: a constructor that rejects mechanism="mlp"
        return f"{type(exc).__name__}: {exc}"
    return None


def _missing(module):
    import importlib.util

    return None if importlib.util.find_spec(module) else f"{module} is not installed"


def run_one(method, setting, seed, B_true, X, args, skip_reason=None):
    """Run one (method, setting, seed) in its own process and score it.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    setting : acyclic.bench.data.Setting
        The data setting.
    seed : int
        The data set's seed (also the method's initialisation seed).
    B_true : numpy.ndarray of shape (d, d)
        The true graph.
    X : numpy.ndarray of shape (n, d)
        The data.
    args : argparse.Namespace
        The command line (threads, timeout, reference folders).
    skip_reason : str, optional
        Record the run as skipped, with this reason, without running it.

    Returns
    -------
    dict
        The CSV row.
    """
    from acyclic.metrics import count_accuracy

    kwargs, hp = fit_kwargs(method, seed, args.threads, args)
    row = {c: None for c in COLUMNS}
    sd = setting.as_dict()
    row.update({k: sd[k] for k in ("graph", "k", "d", "n", "standardize")})
    row.update(method=method, kind="ours" if method in OURS else "reference", sem=setting.noise,
               seed=seed, threads=args.threads, n_true_edges=int((B_true != 0).sum()),
               hyperparameters=json.dumps(hp, separators=(",", ":")))  # fmt: skip
    if skip_reason:
        row.update(status="skipped", error=skip_reason)
        return row
    res = run_in_subprocess(FIT_FUNCTIONS[method], kwargs, args.timeout, threads=args.threads,
                            arrays={"X": X})  # fmt: skip
    for key in ("seconds", "n_evals", "n_outer", "stage_iters", "h", "peak_rss_mib", "prefit_rss_mib",
                "wall_seconds", "error"):  # fmt: skip
        row[key] = res.get(key)
    row["status"] = "timeout" if res.get("timed_out") else ("error" if res.get("error") else "ok")
    if row["status"] == "ok":
        try:
            acc = count_accuracy(B_true, res["W_est"])
            for key in ("shd", "tpr", "fdr", "fpr", "nnz", "is_dag"):
                row[key] = acc[key]
            if row["n_evals"]:
                row["seconds_per_eval"] = row["seconds"] / row["n_evals"]
        except Exception as exc:  # a malformed result: keep the row, say why
            row.update(status="error", error=f"scoring failed: {type(exc).__name__}: {exc}")
    for key, value in row.items():  # numpy scalars -> plain Python for the CSV
        if hasattr(value, "item"):
            row[key] = value.item()
    return row


# --------------------------------------------------------------------------------------------------
# Summary


def _last_line(text):
    """The last line of an error text ("" for none)."""
    lines = str(text or "").strip().splitlines()
    return lines[-1] if lines else ""


def _key(r):
    return (r["sem"], int(r["d"]), str(r["standardize"]), r["graph"], str(r["k"]), str(r["n"]))


def summarize(rows, meta):
    """The Markdown report: per (SEM, d, preprocessing) and method, then ours / reference by seed.

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
    lines = ["# Nonlinear learners beside the references (NOTEARS-MLP, DAGMA-MLP, COSMO-NL)", ""]
    if meta:
        m = meta.get("machine", {})
        lines += [
            f"- command: `{meta.get('command', '?')}`",
            *[f"- earlier part (--append): `{c}`" for c in meta.get("earlier_commands", [])],
            f"- date: {meta.get('date', '?')}",
            f"- machine: {m.get('cpu_count')} CPUs ({m.get('cpus_usable')} usable), "
            f"{m.get('processor')}, {m.get('platform')}",
            f"- python {m.get('python')}, numpy {m.get('numpy')} ({m.get('blas')}), "
            f"scipy {m.get('scipy')}, acyclic {m.get('acyclic')}, torch {meta.get('torch')}, "
            f"dagma {meta.get('dagma')}, pytorch-lightning {meta.get('pytorch_lightning')}; "
            f"threads per run: {m.get('threads')}",
            f"- notears source: {meta.get('notears_src')}, cosmo source: {meta.get('cosmo_src')}",
            "",
        ]
    lines += [
        "Mean ± sd over seeds (successful runs only). Evaluations: notears-ref = L-BFGS-B closure "
        "calls, dagma-ref = Adam iterations (both full-data objective + gradient); cosmo-ref = Adam "
        "steps on mini-batches of 64 rows; ours = `n_evals_` (COSMO: `n_steps_`, mini-batch steps too). `empty` = the empty graph's SHD "
        "(true edges).",
        "",
        "| SEM | d | data | method | ok/runs | SHD | empty | TPR | FDR | nnz | DAG | seconds | evals | s/eval |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted({_key(r) for r in rows}, key=lambda k: (k[0], k[1], k[2]))
    for key in keys:
        sub = [r for r in rows if _key(r) == key]
        sem, d, std = key[0], key[1], "std" if key[2] == "True" else "raw"
        for method in METHODS:
            runs = [r for r in sub if r["method"] == method]
            if not runs:
                continue
            ok = [r for r in runs if r["status"] == "ok"]

            def col(name, digits=3, ok=ok):
                return mean_sd_text([parse_number(r[name]) for r in ok], digits)

            empty = mean_sd_text([parse_number(r["n_true_edges"]) for r in runs])
            lines.append(
                f"| {sem} | {d} | {std} | {LABELS[method]} | {len(ok)}/{len(runs)} | {col('shd')} "
                f"| {empty} | {col('tpr', 2)} | {col('fdr', 2)} | {col('nnz')} "
                f"| {sum(parse_number(r['is_dag']) == 1 for r in ok)}/{len(ok)} | {col('seconds')} "
                f"| {col('n_evals', 4)} | {col('seconds_per_eval')} |"
            )
    pair_lines = []
    for key in keys:
        sub = [r for r in rows if _key(r) == key and r["status"] == "ok"]
        sem, d, std = key[0], key[1], "std" if key[2] == "True" else "raw"
        for mine, ref in PAIRS.items():
            by_seed = {}
            for r in sub:
                if r["method"] in (mine, ref):
                    by_seed.setdefault(str(r["seed"]), {})[r["method"]] = r
            pairs = [p for p in by_seed.values() if {mine, ref} <= set(p)]
            if not pairs:
                continue
            total, per_eval, evals, dshd = [], [], [], []
            for p in pairs:
                a, b = p[mine], p[ref]
                sa, sb = parse_number(a["seconds"]), parse_number(b["seconds"])
                ea, eb = parse_number(a["n_evals"]), parse_number(b["n_evals"])
                if sa and sb:
                    total.append(sa / sb)
                if sa and sb and ea and eb:
                    per_eval.append((sa / ea) / (sb / eb))
                    evals.append(ea / eb)
                va, vb = parse_number(a["shd"]), parse_number(b["shd"])
                if va is not None and vb is not None:
                    dshd.append(va - vb)
            pair_lines.append(
                f"| {sem} | {d} | {std} | {LABELS[mine]} | {len(pairs)} | {ratio_text(total)} "
                f"| {ratio_text(per_eval)} | {ratio_text(evals)} | {mean_sd_text(dshd)} |"
            )
    if pair_lines:
        lines += [
            "",
            "Ours / reference, paired by seed (both succeeded): geometric mean (min–max); "
            "SHD difference = ours − reference (negative: ours closer to the truth).",
            "",
            "| SEM | d | data | ours | pairs | time ratio | per-eval time ratio | evals ratio | SHD diff. |",
            "|---|---|---|---|---|---|---|---|---|",
            *pair_lines,
        ]
    lines.append("")
    failed = [r for r in rows if r["status"] != "ok"]
    if failed:
        lines += ["Runs that did not succeed:", ""]
        lines += [f"- {r['method']} {r['sem']} d={r['d']} {'std' if str(r['standardize']) == 'True' else 'raw'} "
                  f"seed={r['seed']}: {r['status']}: {_last_line(r['error'])}"
                  for r in failed]  # fmt: skip
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# CLI


def _version(dist):
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:  # not installed
        return None


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_nonlinear",
        description="Nonlinear (MLP) learners beside the NOTEARS, DAGMA and COSMO references.",
    )
    p.add_argument("--d", type=int, nargs="+", default=[10, 20], help="numbers of nodes")
    p.add_argument("--sems", nargs="+", choices=NONLINEAR_SEMS, default=list(NONLINEAR_SEMS))
    p.add_argument("--prep", nargs="+", choices=["raw", "std"], default=["raw", "std"],
                   help="raw and/or standardized data")  # fmt: skip
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--n", type=int, default=1000, help="samples")
    p.add_argument("--graph", choices=["ER", "SF"], default="ER")
    p.add_argument("--k", type=int, default=2, help="edges per node: s0 = k*d")
    p.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    p.add_argument("--notears-src", default=os.environ.get("ACYCLIC_NOTEARS_SRC"),
                   help="xunzheng/notears checkout (default: $ACYCLIC_NOTEARS_SRC)")  # fmt: skip
    p.add_argument("--cosmo-src", default=os.environ.get("ACYCLIC_COSMO_SRC"),
                   help="rmassidda/cosmo checkout (default: $ACYCLIC_COSMO_SRC)")  # fmt: skip
    p.add_argument("--cosmo-hp", default=None, metavar="JSON",
                   help="override COSMO reference hyper-parameters, e.g. '{\"max_epochs\": 500}'")  # fmt: skip
    p.add_argument("--threads", type=int, default=1, help="threads per run (keep 1)")
    p.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/nonlinear.csv"))
    p.add_argument("--append", action="store_true",
                   help="keep the rows of an existing --out and skip its ok/timeout runs")  # fmt: skip
    p.add_argument("--markdown", type=Path, default=None, help="also write the summary here")
    p.add_argument("--summarize", type=Path, default=None, metavar="CSV",
                   help="only print the summary of an existing CSV")  # fmt: skip
    args = p.parse_args(argv)

    if args.summarize is not None:
        return print_saved_summary(args.summarize, args.markdown, summarize)

    old_rows = read_csv_rows(args.out) if args.append and args.out.exists() else []
    done = {(r["method"], r["sem"], str(r["d"]), str(r["standardize"]), str(r["seed"]))
            for r in old_rows if r["status"] in ("ok", "timeout")}  # fmt: skip
    old_rows = [r for r in old_rows if r["status"] in ("ok", "timeout")]
    previous = None
    if old_rows and meta_path(args.out).exists():  # keep the commands of the earlier parts
        previous = json.loads(meta_path(args.out).read_text())
    meta = start_results(
        p.prog, argv, args.out, args.threads,
        torch=_version("torch"), dagma=_version("dagma"), pytorch_lightning=_version("pytorch-lightning"),
        notears_src=str(args.notears_src), cosmo_src=str(args.cosmo_src),
        earlier_commands=(previous.get("earlier_commands", []) + [previous.get("command")]) if previous else [],
    )  # fmt: skip
    skips = {m: unavailable(m, args) for m in args.methods}
    for m, why in skips.items():
        if why:
            print(f"[{m}] skipped: {why}", file=sys.stderr, flush=True)

    rows = []
    with CsvRows(args.out, COLUMNS) as out:
        for r in old_rows:
            out.write({c: r.get(c) for c in COLUMNS})
        for d in args.d:
            for sem in args.sems:
                for prep in args.prep:
                    setting = Setting(graph=args.graph, k=args.k, d=d, n=args.n, noise=sem,
                                      standardize=prep == "std")  # fmt: skip
                    for seed in args.seeds:
                        todo = [m for m in args.methods
                                if (m, sem, str(d), str(prep == "std"), str(seed)) not in done]  # fmt: skip
                        if not todo:
                            continue
                        B_true, _, X = make_data(setting, seed)
                        for method in todo:
                            start = time.perf_counter()
                            row = run_one(method, setting, seed, B_true, X, args, skips[method])
                            rows.append(row)
                            out.write(row)
                            if row["status"] == "ok":
                                text = (f"{format_number(row['seconds'])} s, {row['n_evals']} evals, "
                                        f"SHD {row['shd']} (empty {row['n_true_edges']})")  # fmt: skip
                            else:
                                text = f"{row['status']}: {_last_line(row['error'])}"
                            print(f"[{method}] {sem} d={d} {prep} seed={seed}: {text} "
                                  f"[{time.perf_counter() - start:.0f} s wall]", file=sys.stderr, flush=True)  # fmt: skip

    all_rows = old_rows + [{k: ("" if v is None else str(v)) for k, v in r.items()} for r in rows]
    write_report(summarize(all_rows, meta), args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
