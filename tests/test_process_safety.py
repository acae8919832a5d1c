"""Fits in other processes (joblib, fork) and memory at d = 1000."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from joblib import Parallel, delayed

from acyclic import COSMO, DAGMA, DPDAG, TOPO
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


def sem(seed, d=8, n=300):
    B = simulate_dag(d, 2 * d, "ER", random_state=seed)
    return simulate_linear_sem(simulate_parameter(B, random_state=seed), n, "gauss", random_state=seed)


def fit_weights(kind, seed):
    X = sem(seed)
    model = {"dagma": DAGMA(T=2, warm_iter=2000, max_iter=2000), "topo": TOPO(),
             "cosmo": COSMO(max_iter=50, random_state=seed),
             "dpdag": DPDAG(mechanism="mlp", hidden=(4,), max_iter=20, random_state=seed)}[kind]  # fmt: skip
    return model.fit(X).weights_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("backend", ["loky", "multiprocessing", "threading"])
def test_parallel_fits_match_sequential_ones(backend):
    jobs = [(kind, seed) for kind in ("dagma", "topo", "cosmo", "dpdag") for seed in (0, 1)]
    # the parent has used the Rust thread pools before forking ("multiprocessing" forks on Linux)
    sequential = [fit_weights(kind, seed) for kind, seed in jobs]
    parallel = Parallel(n_jobs=2, backend=backend)(delayed(fit_weights)(kind, seed) for kind, seed in jobs)
    for a, b in zip(sequential, parallel):
        np.testing.assert_array_equal(a, b)


CHILD = textwrap.dedent(
    """
    import json, resource, sys, warnings
    import numpy as np
    import acyclic
    warnings.simplefilter("ignore")
    d, kind = 1000, sys.argv[1]
    X = np.random.default_rng(0).normal(size=(2000, d))
    model = {"dagma": acyclic.DAGMA(T=1, warm_iter=3, max_iter=3),
             "cosmo": acyclic.COSMO(max_iter=1, random_state=0)}[kind]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model.fit(X)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"before": before, "after": after}))
    """
)


@pytest.mark.parametrize("kind", ["dagma", "cosmo"])
def test_memory_at_d_1000_is_a_few_d_squared(kind):
    # one d×d float64 matrix is 8 MB at d = 1000. O(d²) memory, with a constant that is known:
    # DAGMA's OWL-QN keeps 10 correction pairs (20 d² vectors, 160 MB), Adam 8 d² vectors, the
    # log-det kernel a handful; measured 412 MiB for DAGMA. Anything O(d³) would be 8 GB.
    out = subprocess.run([sys.executable, "-c", CHILD, kind], capture_output=True, text=True, timeout=300, check=True)
    rss = json.loads(out.stdout.strip().splitlines()[-1])
    grown = rss["after"] - rss["before"]
    print(f"\n{kind} at d = 1000: peak RSS grew by {grown:.0f} MiB during the fit")
    assert grown < 640, rss  # 80 d×d matrices
