"""
Edge confidence on Sachs: bootstrap and stability selection
===========================================================

A single fit says nothing about which of its edges to trust. Both tools in
:mod:`acyclic.ensemble` refit a learner on resampled rows and count how often each edge comes
back: :class:`~acyclic.ensemble.Bootstrap` (edge frequencies, signs and a consensus DAG) and
:class:`~acyclic.ensemble.StabilitySelection` (edges kept at a threshold set by a bound on the
expected number of false ones).

Data: the Sachs et al. (2005) **853 observational rows**, **natural log then standardized**,
scored against the **acyclic 17-edge consensus graph** (the empty graph: SHD 17, printed
beside every figure). Small settings so that the example runs in seconds: 40 bootstrap fits
and 10 complementary pairs (the defaults are 100 and 50); ``benchmarks/RESULTS.md`` has the
full-size run.
"""

# %%
# One fit, and the empty graph
# ----------------------------
import acyclic
import matplotlib.pyplot as plt
import numpy as np
from acyclic.datasets import load_sachs
from acyclic.ensemble import Bootstrap, StabilitySelection
from acyclic.metrics import count_accuracy, edge_auprc
from acyclic.plotting import plot_adjacency, plot_edge_probabilities

df, _ = load_sachs()
X, B = load_sachs(return_X_y=True)
X, labels = np.log(X), list(df.columns)
learner = acyclic.NOTEARS(standardize=True)


def report(label, adjacency):
    acc = count_accuracy(B, adjacency)
    print(
        f"{label:30s} SHD {acc['shd']:2d}  edges {acc['nnz']:2d}  precision {acc['precision']:.2f}  TPR {acc['tpr']:.2f}"
    )


report("NOTEARS, one fit (defaults)", learner.fit(X).adjacency_)
report("empty graph", np.zeros_like(B))

# %%
# Bootstrap
# ---------
# Each member is a clone fitted on a bootstrap resample of the rows (drawn in the Rust core from
# ``random_state``); the consensus keeps the edges found in at least half of the fits. The
# frequencies also rank all 110 possible edges: the area under the precision–recall curve
# against the reference is compared with a ranking that knows nothing (the positive rate).
boot = Bootstrap(learner, n_resamples=40, n_jobs=2, random_state=0).fit(X)
report("bootstrap consensus (40 fits)", boot.adjacency_)
pr = edge_auprc(B, boot.edge_frequency_)
print(f"AUPRC of the bootstrap frequencies: {pr['auprc']:.2f} (no knowledge: {pr['positive_rate']:.3f})")

# %%
# Stability selection
# -------------------
# Complementary pairs of half samples over NOTEARS' λ1 grid; the threshold τ comes from the
# bound on the expected number of falsely selected pairs, here at most 1. The bound assumes the
# learner does better than chance and exchangeable false pairs: on real data, a guide.
stab = StabilitySelection(learner, max_false_edges=1, n_pairs=10, n_jobs=2, random_state=0).fit(X)
report("stability selection", stab.adjacency_)
print(
    f"threshold τ = {stab.threshold_:.2f} over {stab.n_grid_used_} grid values; "
    f"bound on the expected false pairs: {stab.false_edges_bound_:.2f}"
)
pr = edge_auprc(B, stab.edge_probabilities_)
print(f"AUPRC of selection × orientation: {pr['auprc']:.2f} (no knowledge: {pr['positive_rate']:.3f})")

# %%
# Edge scores beside the reference graph
# --------------------------------------
# Rows are parents, columns children.
fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
plot_adjacency(B, labels=labels, ax=axes[0], title="reference (17 edges)")
plot_adjacency(boot.edge_frequency_ * boot.edge_sign_, labels=labels, ax=axes[1], title="bootstrap: frequency × sign")
plot_edge_probabilities(stab.edge_probabilities_, labels=labels, ax=axes[2], title="stability: selection × orientation")
plt.show()
