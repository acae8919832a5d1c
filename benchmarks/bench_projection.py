"""Micro-benchmark: the cycle projection ``acyclic.graph.project_to_dag`` on dense matrices.

    python -m benchmarks.bench_projection --d 100 200 500 --repeat 5

For each d, W has every off-diagonal entry nonzero (magnitude U(0.01, 1), random sign): a
complete digraph, d(d − 1) edges, the worst case for the projection (every edge is examined,
every pair of nodes lies on a cycle). The projection keeps the required edges, then the others by
decreasing |w|, each unless it closes a cycle; on a complete digraph that leaves a total order,
d(d − 1)/2 edges, which the table checks (``kept``).

Times are the best of ``--repeat`` calls (``timeit``), in milliseconds, binding copies included;
the core runs on one thread.
"""

from __future__ import annotations

import argparse
import platform
import sys
import timeit

import numpy as np


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--d", type=int, nargs="+", default=[100, 200, 500])
    parser.add_argument("--repeat", type=int, default=5, help="best of this many calls (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def dense(d: int, seed: int) -> np.ndarray:
    """Every off-diagonal entry nonzero: magnitude U(0.01, 1), random sign."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(0.01, 1.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d))
    np.fill_diagonal(W, 0.0)
    return W


def main(argv=None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    args = _parse(argv)
    import acyclic
    from acyclic.graph import is_dag, project_to_dag

    print(f"acyclic {acyclic.__version__}, python {platform.python_version()}, numpy {np.__version__}")
    print("| d | edges in | kept | d(d-1)/2 | DAG | best (ms) | median (ms) |")
    print("|---:|---:|---:|---:|---|---:|---:|")
    project_to_dag(dense(20, args.seed))  # warm up
    for d in args.d:
        W = dense(d, args.seed)
        P = project_to_dag(W)
        times = timeit.repeat(lambda W=W: project_to_dag(W), number=1, repeat=args.repeat)
        print(
            f"| {d} | {int((W != 0).sum()):,} | {int((P != 0).sum()):,} | {d * (d - 1) // 2:,} "
            f"| {is_dag(P)} | {min(times) * 1000:.1f} | {float(np.median(times)) * 1000:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
