"""Sachs with defaults chosen on the data alone: stability selection, the bootstrap and the λ path
beside one default fit and the empty graph (issue 21).

    python -m benchmarks.bench_stability_sachs [--learners notears topo] [--n-jobs 2]

Rows: (a) the 853 observational rows (cd3cd28); (b) all 7466 rows, fitted as observational
(the experiments' labels ignored); (c) the 7466 rows with the documented targets as an
intervention mask (``load_sachs(interventions=True)``; the resampling stratified by experiment).
Preprocessing: natural log, then each column standardized (``standardize=True``).
Reference: the acyclic 17-edge consensus graph (``load_sachs(graph="dag17")``); SHD counts a
reversed edge once; the empty graph's SHD is 17. No setting below was chosen by looking at it:
each learner runs with its defaults, the λ path picks by BIC, stability selection uses
``max_false_edges=1`` and 50 complementary pairs over the learner's default grid, the
bootstrap 100 resamples with the consensus threshold 0.5. AUPRC (trapezoid) and average
precision of the edge scores (stability: selection × orientation frequency; bootstrap: edge
frequency) against the 17 edges, beside the positive rate 17/110, which random scores give.
"""

from __future__ import annotations

import argparse
import time
import warnings

import acyclic
import numpy as np
from acyclic.datasets import load_sachs, load_sachs_adjacency
from acyclic.ensemble import Bootstrap, StabilitySelection
from acyclic.metrics import count_accuracy, edge_auprc

LEARNERS = {"notears": acyclic.NOTEARS, "dagma": acyclic.DAGMA, "topo": acyclic.TOPO}


def data_sets():
    obs, _ = load_sachs(observational=True)
    pooled, _, environments, mask = load_sachs(observational=False, interventions=True)
    yield "853 observational rows", np.log(obs.to_numpy()), None, None
    yield "7466 rows, fitted as observational", np.log(pooled.to_numpy()), None, None
    yield "7466 rows, documented targets as a mask", np.log(pooled.to_numpy()), mask, environments


def row(name, B, adjacency, seconds, scores=None):
    a = count_accuracy(B, adjacency)
    text = f"| {name} | {a['shd']} | {a['nnz']} | {a['precision']:.2f} | {a['tpr']:.2f} |"
    if scores is None:
        return text + " – | – |" + f" {seconds:.1f} |"
    pr = edge_auprc(B, scores)
    return text + f" {pr['auprc']:.3f} | {pr['average_precision']:.3f} | {seconds:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", nargs="+", choices=list(LEARNERS), default=["notears", "topo"])
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    B, _ = load_sachs_adjacency("dag17")
    print(f"positive rate {int(B.sum())}/110 = {B.sum() / 110:.3f}")
    for title, X, mask, environments in data_sets():
        print(f"\n### {title} (log, standardized)\n")
        print("| method | SHD | NNZ | precision | TPR | AUPRC | avg. precision | seconds |")
        print("|---|---|---|---|---|---|---|---|")
        print(row("empty graph", B, np.zeros_like(B), 0.0))
        for key in args.learners:
            learner = LEARNERS[key](standardize=True)
            if key == "topo" and mask is not None:
                # with a mask TOPO prunes by BIC and ignores w_threshold; the path and the
                # ensembles scan w_threshold on its thresholded variant
                learner = LEARNERS[key](standardize=True, prune="threshold")
            name = type(learner).__name__
            t0 = time.perf_counter()
            single = LEARNERS[key](standardize=True).fit(X, intervention_mask=mask)  # the defaults
            print(row(f"{name}, defaults", B, single.adjacency_, time.perf_counter() - t0))
            t0 = time.perf_counter()
            chosen, path = acyclic.select_lambda(learner, X, intervention_mask=mask, n_jobs=args.n_jobs)
            param = path.columns[0]
            value = float(path.loc[path.chosen, param].iloc[0])
            print(row(f"{name}, {param} by BIC ({value:g})", B, chosen.adjacency_, time.perf_counter() - t0))
            t0 = time.perf_counter()
            stab = StabilitySelection(learner, n_jobs=args.n_jobs, random_state=0)
            stab.fit(X, intervention_mask=mask, environments=environments)
            label = (
                f"{name}, stability selection (τ = {stab.threshold_:.2f}, {stab.n_grid_used_}/{len(stab.grid_)} "
                f"grid values, bound {stab.false_edges_bound_:.2f})"
            )
            print(row(label, B, stab.adjacency_, time.perf_counter() - t0, stab.edge_probabilities_))
            t0 = time.perf_counter()
            boot = Bootstrap(learner, n_resamples=100, n_jobs=args.n_jobs, random_state=0)
            boot.fit(X, intervention_mask=mask, environments=environments)
            print(
                row(
                    f"{name}, bootstrap consensus (100)",
                    B,
                    boot.adjacency_,
                    time.perf_counter() - t0,
                    boot.edge_frequency_,
                )
            )


if __name__ == "__main__":
    main()
