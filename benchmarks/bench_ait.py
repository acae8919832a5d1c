"""AIT against random and uncertainty targeting: the issue's headline benchmark (issue 22).

    python -m benchmarks.bench_ait --d 10 --seeds 0 1 2 3 4 5 6 7 8 9
    python -m benchmarks.bench_ait --structures chain collider full jungle er2 --d 10 20 --seeds 0 1 2 \
        --plot ait_curves.png

    python -m benchmarks.bench_ait --structures chain collider full jungle er2 --d 10 --seeds 0 1 2 \
        --sem-type mlp --mechanism mlp --skip-cost --plot ait_curves_mlp.png

The second command re-creates the paper's settings (Scherrer et al. 2021: chain, collider, full,
jungle and ER2 structures) with linear mechanisms on fewer seeds, with the curves plotted; the
third with nonlinear ones: the ground truth's mechanisms are random MLPs (``sem_type="mlp"``,
their functions fixed by a seed of their own, so the oracle's experiments share them with the
initial rows) and the learner is DP-DAG with its MLP mechanism.
Structures: chain i → i+1; collider every node → the last; full every i → j for i < j; jungle a
binary tree whose nodes also receive an edge from their grandparent (SDI's "jungle"); er2 an
Erdős–Rényi graph with 2d edges.

Fixed in advance: standardized linear-Gaussian ER2, d = 10 (weights ±U[0.5, 2), noise scale 1;
the columns standardized by the mean and standard deviation of the 200 observational rows, and
every later row by the same ones), DP-DAG (linear mechanism, defaults) as the learner, 200
observational rows to start, 50 rows per round, a budget of 2d rounds, the three strategies on
the same seeds (graph, initial rows and learner seed). Each experiment sets its target to the
observational mean plus two standard deviations (2 in standardized units). AIT: K = 20 graphs,
S = 100 rows (``--n-graphs`` and ``--n-samples`` vary them, on other seeds than the headline's). Metric: the normalised area under the SHD-vs-rounds curve (SHD of the model after
0, 1, ..., 2d experiments, trapezoid rule, divided by 2d · SHD of the empty graph); per seed the
ratio AIT/random, then the mean ratio with a 95% t interval over seeds. The same ratio on the
posterior's expected SHD (E-SHD over 100 sampled graphs, ``ActiveLearner.history_["eshd"]``) is
printed beside it: it follows the whole posterior AIT scores, not only the point estimate. Also
the cost of one scoring step (d = 20, K = 20, S = 100, linear data and DP-DAG's linear mechanism
whatever the other flags) against one refit, in the same run. Each run also prints the targets
each strategy chose, how many distinct ones, and how often the most repeated one ran.
"""

from __future__ import annotations

import argparse
import time

import acyclic
import numpy as np
from acyclic.active import ActiveLearner, score_targets
from acyclic.simulate import (
    oracle_from_sem,
    simulate_dag,
    simulate_linear_sem,
    simulate_nonlinear_sem,
    simulate_parameter,
)
from scipy import stats as scipy_stats


def structure(name: str, d: int, seed: int) -> np.ndarray:
    B = np.zeros((d, d))
    if name == "er2":
        return simulate_dag(d, 2 * d, "ER", random_state=seed)
    for j in range(1, d):
        if name == "chain":
            B[j - 1, j] = 1
        elif name == "collider":
            B[j - 1, d - 1] = 1
        elif name == "full":
            B[:j, j] = 1
        elif name == "jungle":
            parent = (j - 1) // 2
            B[parent, j] = 1
            if parent > 0:
                B[(parent - 1) // 2, j] = 1
        else:
            raise ValueError(name)
    return B


def standardized_problem(d: int, seed: int, n0: int, name: str = "er2", sem_type: str = "gauss"):
    B = structure(name, d, seed)
    if sem_type == "gauss":
        W = simulate_parameter(B, random_state=seed)
        X0 = simulate_linear_sem(W, n0, "gauss", random_state=seed)
        raw = oracle_from_sem(W)
    else:  # the functions from a stream of their own, shared by the initial rows and the oracle
        functions = 1_000_003 + seed
        X0 = simulate_nonlinear_sem(B, n0, sem_type, random_state=seed, functions_random_state=functions)
        raw = oracle_from_sem(B, sem_type, functions_random_state=functions)
    mean, std = X0.mean(axis=0), X0.std(axis=0)

    def oracle(target, value, n, rng):
        # the experiment in raw units, reported in the initial data's standardized units
        return (raw(target, mean[target] + std[target] * value, n, rng) - mean) / std

    return B, (X0 - mean) / std, oracle


def area(shd: np.ndarray, empty: float) -> float:
    rounds = len(shd) - 1
    return float(np.trapezoid(shd) / (rounds * empty))


def run_setting(name: str, d: int, args) -> dict:
    budget = 2 * d
    areas = {s: [] for s in ("ait", "random", "uncertainty")}
    curves = {s: [] for s in areas}
    eshd_areas = {s: [] for s in areas}  # the same area on the posterior's expected SHD
    spread = {s: [] for s in areas}  # (distinct targets, rounds of the most repeated one)
    for seed in args.seeds:
        B, X0, oracle = standardized_problem(d, seed, args.n0, name, args.sem_type)
        empty = float(B.sum())
        for strategy in areas:
            t0 = time.perf_counter()
            loop = ActiveLearner(
                acyclic.DPDAG(mechanism=args.mechanism, random_state=seed), oracle, budget, args.batch, strategy,
                values=[2.0] * d, n_graphs=args.n_graphs, n_samples=args.n_samples, true_graph=B, random_state=seed,
            ).run(X0)  # fmt: skip
            shd = loop.history_["shd"].to_numpy(dtype=float)
            targets = [int(t) for t in loop.history_["target"].iloc[:-1]]
            spread[strategy].append((len(set(targets)), max(map(targets.count, targets), default=0)))
            curves[strategy].append(shd)
            areas[strategy].append(area(shd, empty))
            eshd_areas[strategy].append(area(loop.history_["eshd"].to_numpy(dtype=float), empty))
            print(
                f"{name} d={d} seed {seed} {strategy:12s} SHD by round {shd.astype(int).tolist()} "
                f"area {areas[strategy][-1]:.3f} E-SHD area {eshd_areas[strategy][-1]:.3f} "
                f"targets {targets} "
                f"({time.perf_counter() - t0:.1f} s)",
                flush=True,
            )
    print(
        f"\n{name}, d = {d}, {args.sem_type} data, DP-DAG ({args.mechanism}), {len(args.seeds)} seeds, "
        f"{budget} rounds of {args.batch} rows after {args.n0}:"
    )
    print(
        "| strategy | normalised area (mean ± sd) | final SHD (mean) | ratio to random (mean, 95% CI) "
        "| E-SHD area ratio to random (mean, 95% CI) |"
    )
    print("|---|---|---|---|---|")
    for strategy, values in areas.items():
        v = np.array(values)
        final = np.mean([c[-1] for c in curves[strategy]])
        print(
            f"| {strategy} | {v.mean():.3f} ± {np.std(v, ddof=1) if len(v) > 1 else float('nan'):.3f} | {final:.1f} | "
            f"{paired_ratio(v, areas['random'])} | {paired_ratio(eshd_areas[strategy], eshd_areas['random'])} |",
            flush=True,
        )
    for strategy, runs in spread.items():
        distinct, repeated = np.array(runs).T
        print(
            f"{strategy}: {distinct.mean():.1f} distinct targets of {d} in {budget} rounds ({distinct.min()} to "
            f"{distinct.max()}); the most repeated target took {repeated.mean():.1f} rounds (up to {repeated.max()})"
        )
    print()
    return curves


def paired_ratio(values, baseline) -> str:
    """Mean of the per-seed ratios with a 95% t interval."""
    ratio = np.asarray(values) / np.asarray(baseline)
    spread = ratio.std(ddof=1) if len(ratio) > 1 else float("nan")
    half = scipy_stats.t.ppf(0.975, max(len(ratio) - 1, 1)) * spread / np.sqrt(len(ratio))
    return f"{ratio.mean():.3f} [{ratio.mean() - half:.3f}, {ratio.mean() + half:.3f}]"


def plot(panels, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    structures = list(dict.fromkeys(name for name, _, _ in panels))
    ds = list(dict.fromkeys(d for _, d, _ in panels))
    # one row per d, one column per structure
    fig, axes = plt.subplots(len(ds), len(structures), figsize=(3.2 * len(structures), 2.8 * len(ds)), squeeze=False)
    for name, d, curves in panels:
        ax = axes[ds.index(d)][structures.index(name)]
        for strategy, runs in curves.items():
            runs = np.array(runs)
            mean, sd = runs.mean(axis=0), runs.std(axis=0)
            rounds = np.arange(runs.shape[1])
            ax.plot(rounds, mean, label=strategy)
            ax.fill_between(rounds, mean - sd, mean + sd, alpha=0.2)
        ax.set_title(f"{name}, d = {d}")
        ax.set_xlabel("experiments")
    axes[0][0].set_ylabel("SHD (mean ± sd over seeds)")
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"curves saved to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--d", type=int, nargs="+", default=[10])
    parser.add_argument("--structures", nargs="+", default=["er2"])
    parser.add_argument("--plot", default=None, help="save the SHD-vs-rounds curves to this file")
    parser.add_argument("--seeds", nargs="+", type=int, default=list(range(10)))
    parser.add_argument("--n0", type=int, default=200)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--sem-type", default="gauss", choices=["gauss", "mlp", "mim", "gp-sines"])
    parser.add_argument("--mechanism", default="linear", choices=["linear", "mlp"], help="DP-DAG's mechanism")
    parser.add_argument("--skip-cost", action="store_true", help="skip the scoring-cost measurement")
    parser.add_argument("--n-graphs", type=int, default=20, help="AIT's K (the headline: 20)")
    parser.add_argument("--n-samples", type=int, default=100, help="AIT's S (the headline: 100)")
    args = parser.parse_args()
    panels = []
    for name in args.structures:
        for d in args.d:
            curves = run_setting(name, d, args)
            panels.append((name, d, curves))
    if args.plot:
        plot(panels, args.plot)
    if args.skip_cost:
        return
    # cost of one scoring step against one refit, d = 20
    # (medians of 5, the same run)
    B, X0, _ = standardized_problem(20, 0, 1000)
    fits, scorings = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        model = acyclic.DPDAG(random_state=0).fit(X0)
        fits.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        score_targets(model, n_graphs=20, n_samples=100, random_state=0)
        scorings.append(time.perf_counter() - t0)
    refit, scoring = float(np.median(fits)), float(np.median(scorings))
    print(f"\ncost, d = 20, n = 1000 (medians of 5): one DP-DAG fit {refit:.3f} s, one AIT scoring step "
          f"(K = 20, S = 100, 20 candidates) {scoring:.4f} s: {scoring / refit:.1%} of a refit")  # fmt: skip


if __name__ == "__main__":
    main()
