"""Sachs with its experiments: every learner's observational and interventional fits on the same rows.

Log-transformed, then standardized over all rows (the command line's Sachs preprocessing); both
variants (7466 rows, nine experiments; 5846 rows, the five inhibitor experiments and the two
observational ones) with the documented targets (``acyclic.datasets.SACHS_TARGETS``); scored
against the acyclic 17-edge consensus graph, beside the empty graph. Learners with edge
probabilities also get the AUPRC (DiBS's evaluation), beside the positive rate 17/110.

    python -m benchmarks.bench_sachs_interventional > sachs_interventional.md
"""

from __future__ import annotations

import warnings

import acyclic
import numpy as np
from acyclic.baselines import R2SortnRegress, RandomSortnRegress, VarSortnRegress
from acyclic.datasets import load_sachs
from acyclic.metrics import count_accuracy, edge_auprc

LEARNERS = [
    ("NOTEARS", acyclic.NOTEARS),
    ("DAGMA", acyclic.DAGMA),
    ("TOPO", acyclic.TOPO),
    ("COSMO", lambda: acyclic.COSMO(random_state=0)),
    ("DP-DAG", lambda: acyclic.DPDAG(random_state=0)),
    ("Var-SortnRegress", VarSortnRegress),
    ("R²-SortnRegress", R2SortnRegress),
    ("Random-SortnRegress", lambda: RandomSortnRegress(random_state=0)),
]


def _auprc(B, model) -> str:
    if not hasattr(model, "edge_probabilities_"):
        return "–"
    return f"{edge_auprc(B, model.edge_probabilities_)['auprc']:.3f}"


def main() -> None:
    """Prints one Markdown table per variant."""
    warnings.simplefilter("ignore")
    for variant in ("7466", "5846"):
        X, B, _, mask = load_sachs(observational=False, interventions=True, variant=variant, return_X_y=True)
        logged = np.log(X)
        Xs = (logged - logged.mean(0)) / logged.std(0)
        n_obs = int((~mask.any(axis=1)).sum())
        print(f"\n#### Sachs, {variant} rows ({n_obs} observational), log + standardized, 17-edge DAG\n")
        print(
            "| learner | SHD obs. | SHD int. | TPR obs. / int. | FDR obs. / int. | edges obs. / int. | AUPRC obs. / int. |"
        )
        print("|---|---|---|---|---|---|---|")
        for name, make in LEARNERS:
            observational, interventional = make().fit(Xs), make().fit(Xs, intervention_mask=mask)
            a, b = count_accuracy(B, observational.adjacency_), count_accuracy(B, interventional.adjacency_)
            print(
                f"| {name} | {a['shd']} | {b['shd']} | {a['tpr']:.2f} / {b['tpr']:.2f} | {a['fdr']:.2f} / "
                f"{b['fdr']:.2f} | {a['nnz']} / {b['nnz']} | {_auprc(B, observational)} / {_auprc(B, interventional)} |"
            )
        print(f"| empty graph | 17 | 17 | 0 / 0 | 0 / 0 | 0 / 0 | positive rate {17 / 110:.3f} |")


if __name__ == "__main__":
    main()
