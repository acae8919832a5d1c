"""
Prior knowledge
===============

What is known before looking at the data — edges that cannot exist, edges that must, nodes
without parents or children, a temporal order in tiers — goes into a
:class:`~acyclic.PriorKnowledge`, which every learner honours exactly. Here the data are
standardized, so the least-squares learners cannot read the causal order off the variances:
the data identify the equivalence class at best, and knowing which variables were measured
earlier (three tiers) settles orientations that the data leave open.
"""

# %%
# Data with a known temporal order
# --------------------------------
# ER2, d = 9, n = 500, four seeds; the columns are named, and the tiers are three blocks of the
# true causal order (as a study's measurement waves would be).
import acyclic
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from acyclic.graph import topological_order
from acyclic.metrics import count_accuracy
from acyclic.plotting import plot_adjacency
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

d, seeds = 9, [0, 1, 2, 3]
names = [f"x{j}" for j in range(d)]


def data(seed):
    B = simulate_dag(d, 2 * d, "ER", random_state=seed)
    X = simulate_linear_sem(simulate_parameter(B, random_state=seed), 500, "gauss", random_state=seed)
    order = [names[j] for j in topological_order(B)]
    return B, pd.DataFrame(X, columns=names), [order[0:3], order[3:6], order[6:9]]


print("seed 0's tiers:", data(0)[2])

# %%
# The same learners with and without the tiers
# --------------------------------------------
# DAGMA (least squares) and TOPO scoring orders by the Gaussian likelihood
# (``criterion="nll"``, which does not depend on the columns' scales; edges pruned by BIC).
learners = {
    "DAGMA": lambda prior: acyclic.DAGMA(standardize=True, prior_knowledge=prior),
    "TOPO (nll)": lambda prior: acyclic.TOPO(standardize=True, criterion="nll", prior_knowledge=prior),
}
print(f"{'SHD':20s}" + "".join(f"seed {s:<3d}" for s in seeds) + " mean")
rows = {}
for name, make in learners.items():
    for tiers_known in (False, True):
        label = f"{name}{' + tiers' if tiers_known else ''}"
        rows[label] = []
        for seed in seeds:
            B, df, tiers = data(seed)
            prior = acyclic.PriorKnowledge(tiers=tiers) if tiers_known else None
            rows[label].append(count_accuracy(B, make(prior).fit(df).adjacency_)["shd"])
rows["empty graph"] = [int(data(seed)[0].sum()) for seed in seeds]
for label, values in rows.items():
    print(f"{label:20s}" + "".join(f"{v:<8d}" for v in values) + f" {np.mean(values):.1f}")

# %%
# Forbidden and required edges
# ----------------------------
# Edges are named by column label; a required edge is kept whatever its weight, a forbidden one
# is exactly zero.
B, df, tiers = data(0)
order = [name for tier in tiers for name in tier]
source, target = order[0], order[-1]
prior = acyclic.PriorKnowledge(tiers=tiers, forbidden=[(order[1], order[2])], required=[(source, target)])
model = acyclic.TOPO(standardize=True, criterion="nll", prior_knowledge=prior).fit(df)
W = pd.DataFrame(model.weights_, index=names, columns=names)
print(f"required {source} -> {target}: weight {W.loc[source, target]:.3f}")
print(f"forbidden {order[1]} -> {order[2]}: weight {W.loc[order[1], order[2]]:.3f}")

# %%
# Seed 0's estimates against the truth
# ------------------------------------
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), layout="constrained")
plot_adjacency(B, labels=names, ax=axes[0], title="truth")
plot_adjacency(
    acyclic.TOPO(standardize=True, criterion="nll").fit(df).weights_, labels=names, ax=axes[1], title="TOPO (nll)"
)
prior = acyclic.PriorKnowledge(tiers=tiers)
plot_adjacency(
    acyclic.TOPO(standardize=True, criterion="nll", prior_knowledge=prior).fit(df).weights_,
    labels=names,
    ax=axes[2],
    title="TOPO (nll) + tiers",
)
plt.show()
