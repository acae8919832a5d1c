"""Out-of-core data: a data set larger than memory fitted through ``acyclic.SufficientStats`` (issue 21).

    python -m benchmarks.bench_out_of_core --rows 10000000 --d 100 --chunk 100000 --dir /tmp

1. Writes an n × d float64 linear-Gaussian ER2 data set to ``DIR/acyclic_big.npy`` chunk by chunk
   (8 GB at the defaults; each chunk simulated with its own seed from one weighted DAG), in a
   child process.
2. In a fresh child process: reads the file back ``--chunk`` rows at a time into one reused
   buffer (plain reads, no memory map, so the pages do not count as the process's memory),
   reduces it with ``SufficientStats.from_chunks`` on 2 threads, fits TOPO and DAGMA from the
   statistics, and reports the pass's time and throughput, each fit's time and SHD, and the
   child's peak resident memory (``ru_maxrss``; target < 1 GB).
3. Throughput against numpy on in-memory data of the same width: ``_core.stats_of_rows`` and
   ``X.T @ X`` on the same ``--inmemory`` rows (target: the statistics within 2× of numpy's
   product, which computes less: no centring, no third and fourth moments).
4. Deletes the file.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def _weights(d: int):
    from acyclic.simulate import simulate_dag, simulate_parameter

    B = simulate_dag(d, 2 * d, "ER", random_state=0)
    return B, simulate_parameter(B, random_state=0)


def write(path: Path, rows: int, d: int, chunk: int) -> None:
    from acyclic.simulate import simulate_linear_sem

    _, W = _weights(d)
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "<f8", "fortran_order": False, "shape": (rows, d)})
        for k, start in enumerate(range(0, rows, chunk)):
            size = min(chunk, rows - start)
            f.write(np.ascontiguousarray(simulate_linear_sem(W, size, "gauss", random_state=1000 + k)).tobytes())


def chunks(path: Path, chunk: int):
    """The file's rows, ``chunk`` at a time, read into one reused buffer."""
    with open(path, "rb") as f:
        np.lib.format.read_magic(f)
        shape, _, _ = np.lib.format.read_array_header_1_0(f)
        rows, d = shape
        buffer = np.empty((chunk, d))
        for start in range(0, rows, chunk):
            size = min(chunk, rows - start)
            view = buffer[:size]
            f.readinto(memoryview(view).cast("B"))
            yield view


def fit(path: Path, d: int, chunk: int) -> None:
    import acyclic
    from acyclic.metrics import count_accuracy

    B, _ = _weights(d)
    t0 = time.perf_counter()
    stats = acyclic.SufficientStats.from_chunks(chunks(path, chunk), n_jobs=2)
    seconds = time.perf_counter() - t0
    gb = stats.n_ * d * 8 / 1e9
    print(
        f"streaming pass: {stats.n_} rows × {d} in {seconds:.1f} s ({gb / seconds:.2f} GB/s, {stats.n_ / seconds:.3g} rows/s)"
    )
    for learner in (acyclic.TOPO(n_jobs=2), acyclic.DAGMA(n_jobs=2)):
        t0 = time.perf_counter()
        learner.fit(stats)
        shd = count_accuracy(B, learner.adjacency_)["shd"]
        print(
            f"{type(learner).__name__} from the statistics: {time.perf_counter() - t0:.1f} s, SHD {shd} ({int(B.sum())} true edges)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"peak resident memory of this process: {peak:.2f} GiB")


def throughput(rows: int, d: int) -> None:
    from acyclic import _core

    X = np.random.default_rng(0).standard_normal((rows, d))
    _core.stats_of_rows(X[:1000], 2)
    X.T @ X
    best = {}
    for name, run in (
        ("_core.stats_of_rows (2 threads)", lambda: _core.stats_of_rows(X, 2)),
        ("numpy X.T @ X", lambda: X.T @ X),
    ):
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        best[name] = min(times)
        print(f"{name}: {best[name]:.3f} s for {rows} × {d} in memory (best of 3)")
    ratio = best["_core.stats_of_rows (2 threads)"] / best["numpy X.T @ X"]
    print(f"statistics / numpy product: {ratio:.2f}× (target ≤ 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--chunk", type=int, default=100_000)
    parser.add_argument("--inmemory", type=int, default=1_000_000)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--step", choices=["write", "fit", "all"], default="all")
    args = parser.parse_args()
    path = Path(args.dir) / "acyclic_big.npy"
    if args.step == "write":
        return write(path, args.rows, args.d, args.chunk)
    if args.step == "fit":
        return fit(path, args.d, args.chunk)
    me = [sys.executable, "-m", "benchmarks.bench_out_of_core", "--rows", str(args.rows), "--d", str(args.d),
          "--chunk", str(args.chunk), "--dir", args.dir]  # fmt: skip
    try:
        t0 = time.perf_counter()
        subprocess.run([*me, "--step", "write"], check=True)
        print(f"wrote {path} ({os.path.getsize(path) / 1e9:.1f} GB) in {time.perf_counter() - t0:.0f} s")
        subprocess.run([*me, "--step", "fit"], check=True)
    finally:
        path.unlink(missing_ok=True)
    throughput(args.inmemory, args.d)


if __name__ == "__main__":
    main()
