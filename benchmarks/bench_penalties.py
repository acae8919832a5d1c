"""Micro-benchmark: one value + gradient of each acyclicity penalty, ``acyclic`` vs numpy/scipy.

    python -m benchmarks.bench_penalties --d 100 500 1000 --repeat 3 \\
        --markdown benchmarks/results/penalties.md

For each d two matrices W (zero diagonal, both signs) are built, each scaled so that
ρ(W∘W) = 0.5 (inside the log-det domain for s = 1, far from expm overflow):

- ``dense``: every off-diagonal entry N(0, 1) — W∘W is positive, its Perron root well separated;
- ``sparse``: a random digraph with about 2d edges plus a Hamiltonian cycle, weights ±U(0.5, 2) —
  the kind of support a learner's iterate has, where power iteration converges more slowly.

``acyclic`` is ``acyclic.penalties.h(W, kind)`` (the Rust core, one thread). The numpy/scipy
computation is written from the same formulas, A = W∘W:

- expm: ``E = scipy.linalg.expm(A)``; h = tr E − d, ∇h = Eᵀ ∘ 2W (the NOTEARS reference code);
- logdet: ``numpy.linalg.slogdet`` and ``numpy.linalg.inv`` of I − A, ∇h = 2 (I − A)⁻ᵀ ∘ W (DAGMA's);
- poly: ``P = numpy.linalg.matrix_power(I + A/d, d − 1)``; h = Σ Pᵀ ∘ (I + A/d) − d, ∇h = 2W ∘ Pᵀ
  (the alternative in the NOTEARS reference code);
- spectral: ``scipy.linalg.eig(A, left=True, right=True)`` for ρ and the Perron vectors, and
  (row ``spectral (power)``) the same shifted power iteration as the core, in numpy.

Times are the best of ``--repeat`` calls (``timeit``), in µs per call; ratio = numpy/scipy time ÷
acyclic time (> 1: acyclic is faster). Numpy's BLAS gets ``--threads`` threads (default 1, as the
core uses one); the variables are set before numpy is imported. ``agree`` is the larger of the
relative differences of h and of ∇h (max-norm) between the two.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit

from acyclic.bench.process import THREAD_VARS  # imports neither numpy nor the core


def _parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--d", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--kinds", nargs="+", default=["expm", "logdet", "poly", "spectral"])
    parser.add_argument("--matrices", nargs="+", default=["dense", "sparse"], choices=["dense", "sparse"])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many calls (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for numpy/scipy (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", help="also write the table to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    args = _parse(argv)
    for var in THREAD_VARS:
        os.environ[var] = str(args.threads)

    import numpy as np
    import scipy.linalg
    from acyclic.penalties import h

    def scaled(W, rho=0.5):
        return W * np.sqrt(rho / np.max(np.abs(np.linalg.eigvals(W * W))))

    def make(kind, d, rng):
        if kind == "dense":
            W = rng.standard_normal((d, d))
        else:
            W = rng.uniform(0.5, 2.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d))
            W *= rng.random((d, d)) < 2.0 / (d - 1)
            for k in range(d):
                W[k, (k + 1) % d] = 1.0
        np.fill_diagonal(W, 0.0)
        return scaled(W)

    def ref_expm(W):
        E = scipy.linalg.expm(W * W)
        return np.trace(E) - W.shape[0], E.T * 2.0 * W

    def ref_logdet(W):
        M = np.eye(W.shape[0]) - W * W
        _, logabsdet = np.linalg.slogdet(M)
        return -logabsdet, 2.0 * np.linalg.inv(M).T * W

    def ref_poly(W):
        d = W.shape[0]
        M = np.eye(d) + W * W / d
        P = np.linalg.matrix_power(M, d - 1)
        return np.sum(P.T * M) - d, 2.0 * W * P.T

    def ref_spectral_eig(W):
        lam, left, right = scipy.linalg.eig(W * W, left=True, right=True)
        k = np.argmax(lam.real)
        u, v = left[:, k].real, right[:, k].real
        return lam[k].real, 2.0 * W * np.outer(u, v) / (u @ v)

    def ref_spectral_power(W, tol=1e-12, max_iter=1000):
        A = W * W
        A = A / A.max()
        d = A.shape[0]
        u = v = np.full(d, 1.0 / np.sqrt(d))
        for _ in range(max_iter):
            Av, Atu = A @ v, A.T @ u
            estimate = (u @ Av) / (u @ v)
            v_next, u_next = Av + 0.5 * estimate * v, Atu + 0.5 * estimate * u
            v_next /= np.linalg.norm(v_next)
            u_next /= np.linalg.norm(u_next)
            done = max(np.abs(v_next - v).max(), np.abs(u_next - u).max()) <= tol
            if done:
                break
            u, v = u_next, v_next
        scale = (W * W).max()
        return scale * estimate, 2.0 * W * np.outer(u, v) / (u @ v)

    references = {
        "expm": [("expm", ref_expm)],
        "logdet": [("logdet", ref_logdet)],
        "poly": [("poly", ref_poly)],
        "spectral": [("spectral (eig)", ref_spectral_eig), ("spectral (power)", ref_spectral_power)],
    }

    def best(f, W):
        return min(timeit.repeat(lambda: f(W), number=1, repeat=args.repeat)) * 1e6

    rows = []
    rng = np.random.default_rng(args.seed)
    for d in args.d:
        for matrix in args.matrices:
            W = make(matrix, d, rng)
            for kind in args.kinds:
                ours = best(lambda V, kind=kind: h(V, kind), W)
                value, grad = h(W, kind)
                for label, ref in references[kind]:
                    theirs = best(ref, W)
                    ref_value, ref_grad = ref(W)
                    agree = max(
                        abs(value - ref_value) / abs(ref_value),
                        np.abs(grad - ref_grad).max() / np.abs(ref_grad).max(),
                    )
                    rows.append((label, matrix, d, ours, theirs, theirs / ours, agree))
                    print(
                        f"{label:17s} {matrix:6s} d={d:5d}: acyclic {ours:12.1f} µs, numpy/scipy "
                        f"{theirs:12.1f} µs, ratio {theirs / ours:6.2f}, agree {agree:.1e}",
                        flush=True,
                    )

    lines = [
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"numpy {np.__version__}, scipy {scipy.__version__}; BLAS threads {args.threads}; "
        f"best of {args.repeat}; W with ρ(W∘W) = 0.5.",
        "",
        "| penalty | W | d | acyclic (µs) | numpy/scipy (µs) | ratio | agree |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, matrix, d, ours, theirs, ratio, agree in rows:
        lines.append(f"| {label} | {matrix} | {d} | {ours:,.0f} | {theirs:,.0f} | {ratio:.2f} | {agree:.0e} |")
    table = "\n".join(lines)
    print()
    print(table)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
