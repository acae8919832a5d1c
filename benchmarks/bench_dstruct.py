"""D-Struct against one learner and against bootstrap averaging, with and without the agreement
gradient: accuracy and transportability (issue 21).

    python -m benchmarks.bench_dstruct --learner notears --d 10 20 --k 2 3 5 --seeds 0 1 2 3 4
    python -m benchmarks.bench_dstruct --learner dagma --d 10 20 --k 2 3 5 --seeds 0 1 2 3 4
    python -m benchmarks.bench_dstruct --learner notears-mlp --d 10 --k 2 3 5 --seeds 0 1 2 3 4

Per (d, seed): an ER2 SCM, linear-Gaussian (raw scale, noise scale 1; ``notears``, ``dagma``)
or with random MLP mechanisms and Gaussian noise (``notears-mlp``, the simulator's ``"mlp"``);
three data sets of n rows from one draw of it: A (observational, fitted on), B (a fresh
observational sample) and C (another environment: node t = seed mod d set by
do(X_t ~ N(2, 1))). Methods, each fitted on A and on B: the learner on all rows;
``Bootstrap(learner, n_resamples=K)`` (the consensus of K bootstrap fits);
``DStruct(learner, n_subsets=K)`` with the agreement gradient and without it (the published
code). Learners: ``NOTEARS()``, ``DAGMA()``, ``NOTEARS(mechanism="mlp")`` (defaults).
The bootstrap consensus is scored with its mean weights and its first member's centring.
Columns: SHD of the A-fit against the truth; "transport SHD", the SHD between the A-fit's and the
B-fit's graphs (0: the method returns the same graph on a fresh sample); held-out Gaussian
negative log-likelihood per entry of the A-fit on B and on C (C: the intervened column left
out; noise variances from A's residuals). Means over the seeds (± standard deviation).
"""

from __future__ import annotations

import argparse
import copy
import math
import time

import acyclic
import numpy as np
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_interventional_sem, simulate_parameter


def held_out_nll(model, train: np.ndarray, test: np.ndarray, skip=None) -> float:
    """Mean Gaussian NLL per entry of ``test`` under ``model`` (variances from ``train``)."""
    variance = model.residual_variances(train)
    squared = (test - model.predict(test)) ** 2
    terms = 0.5 * (math.log(2 * math.pi) + np.log(variance) + squared / variance)
    keep = np.ones(test.shape[1], dtype=bool)
    if skip is not None:
        keep[skip] = False
    return float(terms[:, keep].mean())


LEARNERS = {
    "notears": lambda: acyclic.NOTEARS(),
    "dagma": lambda: acyclic.DAGMA(),
    "notears-mlp": lambda: acyclic.NOTEARS(mechanism="mlp"),
}


def methods(learner: str, k: int, seed: int):
    make = LEARNERS[learner]
    return {
        learner: make,
        f"bootstrap consensus (K={k})": lambda: acyclic.ensemble.Bootstrap(make(), n_resamples=k, random_state=seed),
        f"D-Struct K={k}, with gradient": lambda: acyclic.DStruct(make(), n_subsets=k, random_state=seed),
        f"D-Struct K={k}, no gradient": lambda: acyclic.DStruct(
            make(), n_subsets=k, agreement_gradient=False, random_state=seed
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learner", choices=sorted(LEARNERS), default="notears")
    parser.add_argument("--d", nargs="+", type=int, default=[10, 20])
    parser.add_argument("--k", nargs="+", type=int, default=[2, 3, 5])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    sem_type = "mlp" if args.learner.endswith("mlp") else "gauss"
    print(f"learner {args.learner}, data {sem_type}, n = {args.n}, seeds {args.seeds}")
    print("| d | method | SHD | transport SHD | NLL on B | NLL on C | seconds |")
    print("|---|---|---|---|---|---|---|")
    for d in args.d:
        rows = {}
        for seed in args.seeds:
            B = simulate_dag(d, 2 * d, "ER", random_state=seed)
            W = simulate_parameter(B, random_state=seed)
            t = seed % d
            # one draw of the SCM (its random functions too): A, a second observational sample B,
            # and C under do(X_t)
            X, _, env = simulate_interventional_sem(W, args.n, [[], [t]], args.n, sem_type, random_state=seed)
            A, Bdata, C = (X[env == e] for e in range(3))
            for k in args.k:
                for name, make in methods(args.learner, k, seed).items():
                    if name == args.learner and k != args.k[0]:
                        continue
                    t0 = time.perf_counter()
                    on_a = make().fit(A)
                    seconds = time.perf_counter() - t0
                    on_b = make().fit(Bdata)
                    model = on_a
                    if hasattr(on_a, "members_"):  # the consensus' weights, a member's centring
                        model = copy.deepcopy(on_a.members_[0])
                        model.weights_, model.adjacency_ = on_a.weights_, on_a.adjacency_
                    rows.setdefault(name, []).append(
                        (
                            count_accuracy(B, on_a.adjacency_)["shd"],
                            count_accuracy(on_b.adjacency_, on_a.adjacency_)["shd"],
                            held_out_nll(model, A, Bdata),
                            held_out_nll(model, A, C, skip=t),
                            seconds,
                        )
                    )
        for name, values in rows.items():
            v = np.array(values, dtype=float)
            mean, sd = v.mean(axis=0), v.std(axis=0)
            print(
                f"| {d} | {name} | {mean[0]:.1f} ± {sd[0]:.1f} | {mean[1]:.1f} ± {sd[1]:.1f} | "
                f"{mean[2]:.4f} ± {sd[2]:.4f} | {mean[3]:.3f} ± {sd[3]:.3f} | {mean[4]:.2f} |"
            )


if __name__ == "__main__":
    main()
