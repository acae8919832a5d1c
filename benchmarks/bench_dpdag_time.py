"""DP-DAG (linear mechanism, with its final refit) against our NOTEARS: seconds and SHD, same data.

    taskset -c 1 python -m benchmarks.bench_dpdag_time --d 50 --seeds 0 1 2 3 4

ER2 graphs from ``acyclic.simulate`` (the seeds of ``tests/test_dpdag.py``), n = 1000, Gaussian
noise, raw data; package defaults except ``standardize=False`` for DP-DAG (NOTEARS does not
standardize). Both fits run in this process, one after the other, on each data set; the ratio is
DP-DAG's seconds over NOTEARS'. The target: at d = 50 DP-DAG takes no more time than NOTEARS.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings


def main(argv=None):
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_dpdag_time", description=__doc__.splitlines()[0])
    p.add_argument("--d", type=int, default=50)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = p.parse_args(argv)
    import numpy as np
    from acyclic import DPDAG, NOTEARS
    from acyclic.metrics import count_accuracy
    from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

    warnings.simplefilter("ignore")
    print("| seed | NOTEARS s | NOTEARS SHD | DP-DAG s | DP-DAG SHD | refit s | ratio |")
    print("|---|---|---|---|---|---|---|")
    ratios = []
    for seed in args.seeds:
        B = simulate_dag(args.d, 2 * args.d, "ER", random_state=seed)
        X = simulate_linear_sem(simulate_parameter(B, random_state=seed), 1000, "gauss", random_state=seed)
        start = time.perf_counter()
        notears = NOTEARS().fit(X)
        t_notears = time.perf_counter() - start
        start = time.perf_counter()
        dpdag = DPDAG(standardize=False, random_state=seed).fit(X)
        t_dpdag = time.perf_counter() - start
        ratios.append(t_dpdag / t_notears)
        shd = [count_accuracy(B, m.adjacency_)["shd"] for m in (notears, dpdag)]
        print(f"| {seed} | {t_notears:.2f} | {shd[0]} | {t_dpdag:.2f} | {shd[1]} | {dpdag.refit_time_:.3f} | "
              f"{ratios[-1]:.2f} |", flush=True)  # fmt: skip
    print(f"\ngeometric mean of the ratio DP-DAG / NOTEARS: {np.exp(np.mean(np.log(ratios))):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
