"""
BaCaDI: a posterior over graphs and unknown intervention targets
================================================================

:class:`~acyclic.BaCaDI` (Hägele et al., AISTATS 2023) infers a particle posterior over DAGs,
their linear-Gaussian weights and, for each experiment, which nodes it intervened on, without
being told. The data follow the paper's design at a small size (the README's example): d = 6,
100 observational rows and one experiment of 10 rows per node, each setting its node to
±(5 + 2|z|) with the rows scattered around that value. 1000 SVGD steps instead of the default
3000, so that the example runs in seconds; ``benchmarks/RESULTS.md`` ("BaCaDI and DiBS") has
the paper-size runs (d = 20, ten seeds).
"""

# %%
# Simulate the experiments and fit
# --------------------------------
import acyclic
import matplotlib.pyplot as plt
import numpy as np
from acyclic.metrics import count_accuracy, edge_auroc, expected_shd, target_auprc
from acyclic.plotting import plot_adjacency, plot_edge_probabilities
from acyclic.simulate import simulate_dag, simulate_interventional_sem, simulate_parameter

d = 6
B = simulate_dag(d, d, "ER", random_state=1)
W = simulate_parameter(B, random_state=1)
X, mask, env = simulate_interventional_sem(
    W,
    100,
    range(d),
    10,
    value_loc=5,
    value_scale=2,
    value_sign="random",
    value_noise=0.5**0.5,
    noise_scale=0.1**0.5,
    random_state=1,
)
print(f"{X.shape[0]} rows in {len(np.unique(env))} environments; true edges: {int(B.sum())}")

model = acyclic.BaCaDI(n_steps=1000, n_jobs=2, random_state=0).fit(X, environments=env)
print(f"cyclic particles (left out of the edge marginals): {model.n_cyclic_} of {model.n_particles}")

# %%
# Edges and targets against the truth
# -----------------------------------
# The true targets, one row per environment in the order of ``environments_`` (observational
# first), are those of the simulation's mask. Random edge scores give an AUROC of 0.5; the
# empty graph's SHD is the number of true edges.
true_targets = np.array([mask[env == e].any(axis=0) for e in model.environments_])
particles = model.particles_
print(f"edge AUROC {edge_auroc(B, model.edge_probabilities_):.2f}")
print(f"E-SHD {expected_shd(B, particles['graphs'], particles['mixture_weight']):.1f} (empty graph: {int(B.sum())})")
print(f"point estimate SHD {count_accuracy(B, model.adjacency_)['shd']} (empty graph: {int(B.sum())})")
print(f"target AUPRC {target_auprc(true_targets, model.target_probabilities_)['auprc']:.2f}")

fig, axes = plt.subplots(1, 4, figsize=(14, 3.3), layout="constrained", width_ratios=[1, 1, 1.1, 1.1])
plot_adjacency(B, ax=axes[0], title="true edges")
plot_edge_probabilities(model.edge_probabilities_, ax=axes[1], title="P(edge)")
for ax, matrix, title in [(axes[2], true_targets, "true targets"), (axes[3], model.target_probabilities_, "P(target)")]:
    image = ax.imshow(matrix.astype(float), cmap="Greys", vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_xlabel("node")
    ax.set_ylabel("environment")
    ax.set_yticks(range(len(model.environments_)), model.environments_)
fig.colorbar(image, ax=axes[3])
plt.show()

# %%
# Known targets
# -------------
# Given the targets (environment → intervened nodes), BaCaDI infers the graph only;
# :class:`~acyclic.DiBS` is the same inference with known targets or observational data.
targets = {e: list(np.flatnonzero(mask[env == e].any(axis=0))) for e in np.unique(env)}
known = acyclic.BaCaDI(n_steps=1000, n_jobs=2, random_state=0).fit(X, environments=env, targets=targets)
print(f"known targets: edge AUROC {edge_auroc(B, known.edge_probabilities_):.2f}, ", end="")
print(f"point estimate SHD {count_accuracy(B, known.adjacency_)['shd']} (empty graph: {int(B.sum())})")
