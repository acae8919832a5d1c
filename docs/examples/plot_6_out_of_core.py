"""
Data larger than memory: sufficient statistics
==============================================

NOTEARS and DAGMA (linear mechanism, least-squares loss), TOPO and the sort-and-regress
baselines see observational data only through n, the column means and the scatter matrix
(plus each column's moments, for the canonical column order). :class:`~acyclic.SufficientStats`
holds exactly that, reduced chunk by chunk in the Rust core, so a file that does not fit in
memory is fitted from one pass over it. Here the file is small (50,000 rows, 10 columns, read
5,000 rows at a time) so that the example runs in seconds; ``benchmarks/RESULTS.md`` ("Out of
core") has a 10⁷ × 100 run (8 GB) fitted in 0.37 GiB of memory.
"""

# %%
# Write a CSV file, read it back in chunks
# ----------------------------------------
import tempfile
from pathlib import Path

import acyclic
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from acyclic.metrics import count_accuracy
from acyclic.plotting import plot_adjacency
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

d = 10
B = simulate_dag(d, 2 * d, "ER", random_state=0)
X = simulate_linear_sem(simulate_parameter(B, random_state=0), 50_000, "gauss", random_state=0)
folder = tempfile.TemporaryDirectory()
path = Path(folder.name) / "data.csv"
pd.DataFrame(X, columns=[f"x{j}" for j in range(d)]).to_csv(path, index=False)
print(f"{path.name}: {path.stat().st_size / 2**20:.1f} MiB on disk")

stats = acyclic.SufficientStats.from_csv(path, chunksize=5_000)
print(f"n = {stats.n_}, d = {stats.n_features_in_}, labels {stats.labels_[:3]} ...")
print(f"what is kept: means {stats.mean_.shape}, scatter matrix {stats.scatter_.shape}")

# %%
# Fit from the statistics
# -----------------------
# The fit from the statistics is the fit of the rows. ``fit(X)`` itself goes through the same
# statistics for these learners, so with the rows in memory the two are the same bits; over
# another chunking the statistics agree to rounding.
from_file = acyclic.TOPO().fit(stats)
from_rows = acyclic.TOPO().fit(X)
print("same graph as from the rows in memory:", np.array_equal(from_file.adjacency_, from_rows.adjacency_))
print(f"largest weight difference: {np.abs(from_file.weights_ - from_rows.weights_).max():.1e}")
print(f"SHD {count_accuracy(B, from_file.adjacency_)['shd']} (empty graph: {int(B.sum())})")

# %%
# Chunks from anywhere
# --------------------
# :meth:`~acyclic.SufficientStats.from_chunks` takes any iterator of arrays (a database cursor, a
# generator over files); :meth:`~acyclic.SufficientStats.merge` adds two sets of statistics.
first = acyclic.SufficientStats.from_chunks(X[k : k + 1000] for k in range(0, 25_000, 1000))
second = acyclic.SufficientStats.from_array(X[25_000:])
merged = first.merge(second)
print(f"merged: n = {merged.n_}, covariance agrees to {np.abs(merged.covariance_ - stats.covariance_).max():.1e}")

fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), layout="constrained")
plot_adjacency(B, ax=axes[0], title="truth")
plot_adjacency(from_file.weights_, ax=axes[1], title="TOPO from the file's statistics")
plt.show()
folder.cleanup()
