"""Speed of one installed build of ``acyclic`` on a few learners, for comparing two builds.

    taskset -c 1 python -m benchmarks.bench_dispatch --repeat 3

Run it once in each environment (say, a wheel compiled with ``-C target-cpu=x86-64-v3`` for the
whole crate, and the portable wheel compiled for the x86-64 baseline with run-time dispatch) and
divide the times. Each line gives a learner on a fixed simulated problem, the best of
``--repeat`` fits in seconds, and a SHA-256 prefix of ``weights_``: the same prefix from two
builds means the two computed the same bits. ``_core.matmul_kernel()`` says which kernel path the
build took on this processor.
"""

from __future__ import annotations

import argparse
import hashlib
import time

import numpy as np


def _cases():
    import acyclic
    from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

    def data(d: int, n: int, seed: int) -> np.ndarray:
        B = simulate_dag(d, 4 * d, "ER", random_state=seed)
        W = simulate_parameter(B, random_state=seed + 1)
        return simulate_linear_sem(W, n, "gauss", random_state=seed + 2)

    X100, X30, X20 = data(100, 1000, 0), data(30, 500, 0), data(20, 1000, 0)
    return {
        "DAGMA d=100 (T=2, 1000 + 1000 steps)": lambda: acyclic.DAGMA(T=2, warm_iter=1000, max_iter=1000).fit(X100),
        "NOTEARS d=20": lambda: acyclic.NOTEARS().fit(X20),
        "TOPO d=100": lambda: acyclic.TOPO().fit(X100),
        "COSMO d=100 (1000 steps)": lambda: acyclic.COSMO(max_iter=1000, random_state=0).fit(X100),
        "DPDAG d=30 (2000 steps)": lambda: acyclic.DPDAG(max_iter=2000, random_state=0).fit(X30),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3, help="fits per learner; the best time is kept")
    p.add_argument("--only", nargs="*", default=None, help="substrings of the case names to run")
    args = p.parse_args(argv)
    import warnings

    from acyclic import _core

    print(f"kernel: {_core.matmul_kernel()}")
    for name, fit in _cases().items():
        if args.only and not any(s in name for s in args.only):
            continue
        best = float("inf")
        digest = ""
        for _ in range(args.repeat):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                model = fit()
                best = min(best, time.perf_counter() - t0)
            digest = hashlib.sha256(np.ascontiguousarray(model.weights_).tobytes()).hexdigest()[:12]
        print(f"{name:40s} {best:8.3f} s  weights {digest}", flush=True)


if __name__ == "__main__":
    main()
