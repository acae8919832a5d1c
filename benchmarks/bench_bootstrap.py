"""Bootstrap ensembles: parallel speed-up on threads, and the Dask backend's overhead (issue 21).

    python -m benchmarks.bench_bootstrap --d 100 --n 1000 --members 100 --threads 2

On one linear-Gaussian ER2 data set (seed 0) it times, in the same process and run:

1. ``lone``: ``members`` fits of ``acyclic.TOPO()`` one after the other on one thread, each on
   its bootstrap resample (the same rows as the ensemble's members), data already in memory;
2. ``threads``: ``acyclic.ensemble.Bootstrap(TOPO(), n_resamples=members, n_jobs=threads)``;
3. ``dask``: the same ensemble with ``backend="dask"`` on a ``distributed.LocalCluster`` of
   ``threads`` workers with one thread each, in processes (``--dask-processes``, the default) or
   threads; the cluster's start-up is timed apart and not counted.

It prints each time, ``threads / (lone / threads)`` (the issue's target: ≤ 1.1), the Dask
overhead against the threads backend, and whether Dask's edge frequencies and mean weights equal
the threads backend's bit for bit. Nothing else should run on the machine meanwhile.
"""

from __future__ import annotations

import argparse
import time

import acyclic
import numpy as np
from acyclic import _core
from acyclic._resampling import child_seeds, prepare, resample_seed
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--dask-threads", action="store_true", help="a LocalCluster of threads, not processes")
    args = parser.parse_args()

    B = simulate_dag(args.d, 2 * args.d, "ER", random_state=0)
    X = simulate_linear_sem(simulate_parameter(B, random_state=0), args.n, "gauss", random_state=0)
    learner = acyclic.TOPO()
    print(f"TOPO bootstrap, ER2 d = {args.d}, n = {args.n}, {args.members} members, {args.threads} threads")

    # 1. the same members' fits, one after the other (rows and seeds as the ensemble draws them)
    data = prepare(X)
    rows_seed, seeds = resample_seed(0), child_seeds(0, args.members)
    t0 = time.perf_counter()
    for k in range(args.members):
        rows = _core.resample_rows(data.strata, rows_seed, k)
        acyclic.TOPO(random_state=seeds[k]).fit(X[rows])
    lone = time.perf_counter() - t0
    print(f"lone fits, 1 thread:        {lone:8.2f} s ({lone / args.members * 1e3:.1f} ms per fit)")

    t0 = time.perf_counter()
    threads = acyclic.ensemble.Bootstrap(learner, n_resamples=args.members, n_jobs=args.threads, random_state=0).fit(X)
    t_threads = time.perf_counter() - t0
    ratio = t_threads / (lone / args.threads)
    print(f"Bootstrap, {args.threads} threads:      {t_threads:8.2f} s; time / (lone / {args.threads}) = {ratio:.3f}")
    shd = acyclic.metrics.count_accuracy(B, threads.adjacency_)["shd"]
    print(f"consensus SHD {shd} (true edges {int(B.sum())})")

    if args.no_dask:
        return
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=args.threads,
            threads_per_worker=1,
            processes=not args.dask_threads,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        startup = time.perf_counter() - t0
        t0 = time.perf_counter()
        dask = acyclic.ensemble.Bootstrap(
            learner, n_resamples=args.members, backend="dask", client=client, random_state=0
        ).fit(X)
        t_dask = time.perf_counter() - t0
    kind = "threads" if args.dask_threads else "processes"
    print(
        f"Bootstrap, Dask LocalCluster ({args.threads} worker {kind}): {t_dask:8.2f} s "
        f"(cluster start {startup:.1f} s, not counted); overhead vs threads {t_dask / t_threads:.3f}×"
    )
    same = np.array_equal(dask.edge_frequency_, threads.edge_frequency_) and np.array_equal(
        dask.mean_weights_, threads.mean_weights_
    )
    print(f"Dask results identical to threads: {same}")


if __name__ == "__main__":
    main()
