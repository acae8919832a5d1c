"""Sachs: the nonlinear learners beside the linear ones and the empty graph.

Two tables, both log-transformed then standardized (the command line's Sachs preprocessing) and
scored against the acyclic 17-edge consensus graph (``load_sachs(graph="dag17")``; SHD counts a
reversed edge once):

1. the 853 observational rows (``load_sachs()``);
2. the 7466 rows of the nine experiments with their documented targets
   (``acyclic.datasets.SACHS_TARGETS``), each learner fitted without and with the intervention
   mask on the same rows.

Every learner runs with its defaults (``random_state=0``; the preprocessing is done here, so
``standardize=False``), on one thread.

    python -m benchmarks.bench_sachs_nonlinear > sachs_nonlinear.md
"""

from __future__ import annotations

import time
import warnings

import acyclic
import numpy as np
from acyclic.datasets import load_sachs
from acyclic.metrics import count_accuracy

LEARNERS = [
    ("NOTEARS", lambda: acyclic.NOTEARS()),
    ("DAGMA", lambda: acyclic.DAGMA()),
    ("COSMO", lambda: acyclic.COSMO(random_state=0)),
    ("DP-DAG", lambda: acyclic.DPDAG(random_state=0)),
    ("NOTEARS-MLP", lambda: acyclic.NOTEARS(mechanism="mlp", random_state=0)),
    ("DAGMA-MLP", lambda: acyclic.DAGMA(mechanism="mlp", random_state=0)),
    ("COSMO (MLP)", lambda: acyclic.COSMO(mechanism="mlp", random_state=0)),
    ("DP-DAG (MLP)", lambda: acyclic.DPDAG(mechanism="mlp", random_state=0)),
]


def _standardized_log(X: np.ndarray) -> np.ndarray:
    logged = np.log(X)
    return (logged - logged.mean(0)) / logged.std(0)


def _fit(make, X, mask=None):
    start = time.perf_counter()
    model = make().fit(X, intervention_mask=mask)
    return model, time.perf_counter() - start


def _row(B, model) -> str:
    acc = count_accuracy(B, model.adjacency_)
    return f"{acc['shd']} | {acc['tpr']:.2f} | {acc['fdr']:.2f} | {acc['nnz']}"


def main() -> None:
    """Prints the two Markdown tables."""
    warnings.simplefilter("ignore")
    X, B = load_sachs(return_X_y=True)
    X = _standardized_log(np.asarray(X, dtype=float))
    print("\n#### Sachs, 853 observational rows, log + standardized, 17-edge DAG\n")
    print("| learner | SHD | TPR | FDR | edges | seconds |")
    print("|---|---|---|---|---|---|")
    for name, make in LEARNERS:
        model, seconds = _fit(make, X)
        print(f"| {name} | {_row(B, model)} | {seconds:.1f} |", flush=True)
    print(f"| empty graph | {int(B.sum())} | 0.00 | 0.00 | 0 | – |")

    X, B, _, mask = load_sachs(observational=False, interventions=True, variant="7466", return_X_y=True)
    X = _standardized_log(np.asarray(X, dtype=float))
    print("\n#### Sachs, 7466 rows (nine experiments), log + standardized, 17-edge DAG, without / with the mask\n")
    print("| learner | SHD obs. / int. | TPR obs. / int. | FDR obs. / int. | edges obs. / int. | seconds obs. / int. |")
    print("|---|---|---|---|---|---|")
    for name, make in LEARNERS:
        pooled, t_pooled = _fit(make, X)
        masked, t_masked = _fit(make, X, mask)
        a, b = count_accuracy(B, pooled.adjacency_), count_accuracy(B, masked.adjacency_)
        print(
            f"| {name} | {a['shd']} / {b['shd']} | {a['tpr']:.2f} / {b['tpr']:.2f} | {a['fdr']:.2f} / "
            f"{b['fdr']:.2f} | {a['nnz']} / {b['nnz']} | {t_pooled:.1f} / {t_masked:.1f} |",
            flush=True,
        )
    print(f"| empty graph | {int(B.sum())} / {int(B.sum())} | 0.00 / 0.00 | 0.00 / 0.00 | 0 / 0 | – |")


if __name__ == "__main__":
    main()
