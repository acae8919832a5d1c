"""The 1-ulp experiment: does a change of the data's last bit change a learner's graph?

    python -m benchmarks.bench_one_ulp --make-data ulp.npz          # once, with the package
    python -m benchmarks.bench_one_ulp --data ulp.npz --out after.csv
    python -m benchmarks.bench_one_ulp --summarize before.csv after.csv

Data: ER2 graphs, d = 10, n = 500, Gaussian linear SEMs from ``acyclic.simulate`` (seeds 0-5
and 20-39), each standardized beforehand (columns with mean 0 and unit variance: their variances
are 1 up to a few ulps, i.e. rounding noise). The nudged copy adds one ulp to every other entry
(``np.nextafter`` towards +inf on the entries whose flat index is even). Each learner fits both
copies twice, once as given and once with ``standardize=True``; a row records whether the graph
(``adjacency_``) changed. The data are written once to an .npz so that two versions of the package
(before and after a change) can be run on the very same arrays.
"""

from __future__ import annotations

import argparse
import csv
import sys
import warnings

SEEDS = [*range(6), *range(20, 40)]


def learners():
    """name → factory of a fresh learner with the package defaults (DP-DAG's standardize given
    explicitly, since its default changed between versions)."""
    from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO
    from acyclic.baselines import R2SortnRegress, RandomSortnRegress, VarSortnRegress

    return {
        "NOTEARS": lambda s: NOTEARS(standardize=s),
        "DAGMA": lambda s: DAGMA(standardize=s),
        "TOPO": lambda s: TOPO(standardize=s),
        "COSMO": lambda s: COSMO(standardize=s, random_state=0),
        "DP-DAG": lambda s: DPDAG(standardize=s, random_state=0),
        "Var-SortnRegress": lambda s: VarSortnRegress(standardize=s),
        "R2-SortnRegress": lambda s: R2SortnRegress(standardize=s),
        "Random-SortnRegress": lambda s: RandomSortnRegress(standardize=s, random_state=0),
    }


def make_data(path: str) -> None:
    """Writes the standardized data sets of :data:`SEEDS` and their nudged copies to ``path``."""
    import numpy as np
    from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

    arrays = {}
    for seed in SEEDS:
        B = simulate_dag(10, 20, "ER", random_state=seed)
        X = simulate_linear_sem(simulate_parameter(B, random_state=seed), 500, "gauss", random_state=seed)
        X = (X - X.mean(axis=0)) / X.std(axis=0)
        nudged = X.copy().ravel()
        nudged[::2] = np.nextafter(nudged[::2], np.inf)
        arrays[f"x{seed}"], arrays[f"n{seed}"] = X, nudged.reshape(X.shape)
    np.savez(path, **arrays)


def run(data: str, out: str) -> None:
    """Fits every learner on every data set and its nudged copy; writes one row per fit pair."""
    import numpy as np

    arrays = np.load(data)
    rows = []
    for name, make in learners().items():
        for standardize in (False, True):
            for seed in SEEDS:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    a = make(standardize).fit(arrays[f"x{seed}"]).adjacency_
                    b = make(standardize).fit(arrays[f"n{seed}"]).adjacency_
                rows.append({"learner": name, "standardize": standardize, "seed": seed,
                             "changed": int(not np.array_equal(a, b)), "shd_between": int(np.abs(a - b).sum())})  # fmt: skip
            print(name, standardize, sum(r["changed"] for r in rows[-len(SEEDS) :]), "of", len(SEEDS), file=sys.stderr)
    with open(out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def summarize(before: str, after: str) -> str:
    """A markdown table: per learner and preprocessing, the fits whose graph changed, before and after."""

    def counts(path):
        table = {}
        with open(path) as handle:
            for row in csv.DictReader(handle):
                key = (row["learner"], row["standardize"])
                changed, total = table.get(key, (0, 0))
                table[key] = (changed + int(row["changed"]), total + 1)
        return table

    b, a = counts(before), counts(after)
    lines = ["| learner | standardize | graphs changed before | after |", "|---|---|---|---|"]
    for key in b:
        lines.append(
            f"| {key[0]} | {key[1]} | {b[key][0]}/{b[key][1]} | {a.get(key, ('-', '-'))[0]}/{a.get(key, ('-', '-'))[1]} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    """The command line (see the module docstring; ``--help`` lists the options); returns 0."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_one_ulp", description=__doc__.splitlines()[0])
    p.add_argument("--make-data", metavar="NPZ")
    p.add_argument("--data", metavar="NPZ")
    p.add_argument("--out", metavar="CSV")
    p.add_argument("--summarize", nargs=2, metavar=("BEFORE", "AFTER"))
    args = p.parse_args(argv)
    if args.make_data:
        make_data(args.make_data)
    if args.data and args.out:
        run(args.data, args.out)
    if args.summarize:
        print(summarize(*args.summarize))
    return 0


if __name__ == "__main__":
    sys.exit(main())
