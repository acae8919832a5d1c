"""DP-DAG on the Sachs data beside our other learners: SHD, TPR, FDR and edge-score AUC.

    python -m benchmarks.bench_dpdag_sachs --seeds 0 1 2 3 4 --out benchmarks/results/dpdag_sachs.md

The 853 observational rows (``acyclic.datasets.load_sachs``) against the acyclic 17-edge graph
(the empty graph has SHD 17), standardized, with and without a log transform first. The AUC is
the area under the ROC curve of an edge score over the 110 off-diagonal pairs: DP-DAG's
``edge_probabilities_`` (its posterior marginals), |W| before thresholding for the others
(``raw_weights_``). Stochastic learners run once per seed; the table gives mean ± sd. One
process, one thread: the fits take well under a second each (the MLP a few seconds).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

VARIANTS = {
    "DP-DAG linear (λ auto = 0.1)": ("DPDAG", {"mechanism": "linear"}),
    "DP-DAG linear (λ 0.01)": ("DPDAG", {"mechanism": "linear", "lambda_kl": 0.01}),
    "DP-DAG linear (λ 0.03)": ("DPDAG", {"mechanism": "linear", "lambda_kl": 0.03}),
    "DP-DAG linear, no refit (λ 0.01)": ("DPDAG", {"mechanism": "linear", "lambda_kl": 0.01, "refit": False}),
    "DP-DAG MLP (λ auto = 0.1)": ("DPDAG", {"mechanism": "mlp"}),
    "DP-DAG MLP (λ 0.01)": ("DPDAG", {"mechanism": "mlp", "lambda_kl": 0.01}),
    "NOTEARS (λ1 0.03)": ("NOTEARS", {"lambda1": 0.03}),
    "DAGMA (λ1 0.03)": ("DAGMA", {"lambda1": 0.03}),
    "COSMO": ("COSMO", {}),
}
STOCHASTIC = ("DPDAG", "COSMO")


def run_one(X, B, cls_name, params, seed):
    """Fit one variant on the Sachs data and score it.

    Parameters
    ----------
    X : numpy.ndarray of shape (853, 11)
        The data (standardized by the learner).
    B : numpy.ndarray of shape (11, 11)
        The 17-edge reference graph.
    cls_name : str
        The learner's class in :mod:`acyclic`.
    params : dict
        Its parameters.
    seed : int
        ``random_state`` of the stochastic learners.

    Returns
    -------
    dict
        ``shd``, ``tpr``, ``fdr``, ``nnz``, ``auc`` (of the edge scores) and ``seconds``.
    """
    import acyclic
    import numpy as np
    from acyclic.bench.process import timed
    from acyclic.metrics import count_accuracy
    from sklearn.metrics import roc_auc_score

    cls = getattr(acyclic, cls_name)
    extra = {"random_state": seed} if cls_name in STOCHASTIC else {}
    extra["standardize"] = True
    model = cls(**params, **extra)
    _, seconds = timed(model.fit, X)
    acc = count_accuracy(B, model.adjacency_)
    score = model.edge_probabilities_ if cls_name == "DPDAG" else np.abs(model.raw_weights_)
    off = ~np.eye(B.shape[0], dtype=bool)
    auc = roc_auc_score(B[off], score[off])
    return {"shd": acc["shd"], "tpr": acc["tpr"], "fdr": acc["fdr"], "nnz": acc["nnz"], "auc": auc, "seconds": seconds}


def _mean_sd(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    if values.size == 1 or np.allclose(values, values[0]):
        return f"{values.mean():.3g}"
    return f"{values.mean():.3g} ± {values.std(ddof=1):.2g}"


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_dpdag_sachs", description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    p.add_argument("--out", type=Path, default=None, help="Markdown file for the table")
    args = p.parse_args(argv)
    import numpy as np
    from acyclic.bench.process import machine_info
    from acyclic.datasets import load_sachs

    X, B = load_sachs(return_X_y=True)
    lines = [
        f"- command: `python -m benchmarks.bench_dpdag_sachs {' '.join(argv or sys.argv[1:])}`",
        f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
    ]
    lines += [f"- {k}: {v}" for k, v in machine_info(1).items()]
    lines += ["", "| data | method | SHD | TPR | FDR | NNZ | AUC | seconds |", "|---|---|---|---|---|---|---|---|"]
    for data_name, data in (("standardized", X), ("log, standardized", np.log(X))):
        for label, (cls_name, params) in VARIANTS.items():
            seeds = args.seeds if cls_name in STOCHASTIC else args.seeds[:1]
            rows = [run_one(data, B, cls_name, params, seed) for seed in seeds]
            cells = [_mean_sd([r[k] for r in rows]) for k in ("shd", "tpr", "fdr", "nnz", "auc", "seconds")]
            lines.append(f"| {data_name} | {label} | " + " | ".join(cells) + " |")
            print(lines[-1], flush=True)
    lines.append("| either | empty graph | 17 | 0 | 0 | 0 | 0.5 | – |")
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
