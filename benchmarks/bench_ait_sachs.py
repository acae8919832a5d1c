"""AIT on Sachs: the order in which it would run the recorded experiments (issue 22).

    python -m benchmarks.bench_ait_sachs --random-orders 20

Rows: the 7466 (nine experiments); log-transformed, then standardized by the mean and standard
deviation of the 853 observational cd3cd28 rows. Start: those 853 rows. Candidates: the seven
targeted experiments, each a target and the direction of its effect (aktinhib → pakts473 −,
g0076 → PKC −, psitect → PIP2 −, u0126 → pmek −, ly → PIP3 −, pma → PKC +, b2camp → PKA +; the
targets of ``acyclic.datasets.SACHS_TARGETS``), scored at value ±2 (standardized units) by
AIT (K = 20, S = 100); cd3cd28icam2, a general stimulation without a measured target, is not a
candidate. The "oracle" of an experiment returns its recorded rows with the target marked in the
intervention mask. Learner: DP-DAG (linear mechanism, defaults), refitted after each
experiment. SHD against the acyclic 17-edge reference graph (the empty graph: 17), after 0..7
experiments, for AIT's order and for random orders of the same experiments (mean over
``--random-orders`` orders, and their min–max).
"""

from __future__ import annotations

import argparse

import acyclic
import numpy as np
from acyclic.active import score_targets
from acyclic.datasets import SACHS_TARGETS, load_sachs
from acyclic.metrics import count_accuracy

DIRECTION = {
    "cd3cd28+aktinhib": -1.0,
    "cd3cd28+g0076": -1.0,
    "cd3cd28+psitect": -1.0,
    "cd3cd28+u0126": -1.0,
    "cd3cd28+ly": -1.0,
    "pma": 1.0,
    "b2camp": 1.0,
}


def data():
    frame, _, environments, mask = load_sachs(observational=False, interventions=True)
    _, B = load_sachs(observational=True, return_X_y=True)  # the acyclic 17-edge graph, column order
    logged = np.log(frame.to_numpy(dtype=float))
    observational = np.asarray(environments) == "cd3cd28"
    mean, std = logged[observational].mean(axis=0), logged[observational].std(axis=0)
    return (
        (logged - mean) / std,
        np.asarray(B),
        np.asarray(environments),
        np.asarray(mask, dtype=bool),
        list(frame.columns),
    )


def run(order, X, B, environments, mask, seed):
    rows = environments == "cd3cd28"
    shd = []
    for step in range(len(order) + 1):
        model = acyclic.DPDAG(random_state=seed).fit(
            X[rows], intervention_mask=mask[rows] if mask[rows].any() else None
        )
        shd.append(count_accuracy(B, model.adjacency_)["shd"])
        if step < len(order):
            rows = rows | (environments == order[step])
    return shd


def ait_order(X, B, environments, mask, labels, seed):
    rows = environments == "cd3cd28"
    remaining = list(DIRECTION)
    order, shd = [], []
    while True:
        m = mask[rows] if mask[rows].any() else None
        model = acyclic.DPDAG(random_state=seed).fit(X[rows], intervention_mask=m)
        shd.append(count_accuracy(B, model.adjacency_)["shd"])
        if not remaining:
            return order, shd
        candidates = [(labels.index(SACHS_TARGETS[e][0]), 2.0 * DIRECTION[e]) for e in remaining]
        table = score_targets(model, candidates, X=X[rows], intervention_mask=m, random_state=seed)
        best = remaining[int(np.argmin(table["rank"].to_numpy()))]
        print(f"  round {len(order)}: scores " + ", ".join(f"{e} {s:.3g}" for e, s in zip(remaining, table["score"])))
        order.append(best)
        remaining.remove(best)
        rows = rows | (environments == best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--random-orders", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, B, environments, mask, labels = data()
    print(f"reference: acyclic 17 edges; empty graph SHD {int(B.sum())}")
    order, shd = ait_order(X, B, environments, mask, labels, args.seed)
    print("AIT order:", " → ".join(order))
    print("SHD after 0..7 experiments, AIT:", shd)
    rng = np.random.default_rng(args.seed)
    curves = np.array(
        [
            run(list(rng.permutation(list(DIRECTION))), X, B, environments, mask, args.seed)
            for _ in range(args.random_orders)
        ]
    )
    print(f"random orders ({args.random_orders}): mean", np.round(curves.mean(axis=0), 1).tolist())
    print("                 min", curves.min(axis=0).tolist(), "max", curves.max(axis=0).tolist())
    print(f"area (mean SHD over rounds 0..7): AIT {np.mean(shd):.2f}, random {curves.mean():.2f}")


if __name__ == "__main__":
    main()
