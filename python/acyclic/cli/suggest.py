"""``acyclic suggest``: rank the next interventions by AIT's score (:mod:`acyclic.active`).

``acyclic suggest SOURCE [--environment-column COL --targets FILE] [--method dpdag|bacadi]
[--top 3]`` fits a learner with a posterior over DAGs to the data: DP-DAG, or with ``--method
bacadi`` BaCaDI given the experiments' targets (DiBS without experiments). The data are the
built-in Sachs observational rows, log-transformed, or a CSV file; with
``--environment-column`` and ``--targets`` the experiments' rows carry their intervention mask
(``--method bacadi`` then needs one environment without targets). It scores every node set two
standard deviations above and below its mean (Scherrer et al. 2021's between/within ratio of
the rows the sampled graphs predict) and prints the best ``--top`` candidates.
"""

from __future__ import annotations

import argparse
from typing import Any

from .errors import CLIError

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Adds the ``suggest`` subcommand to the subparsers ``sub``.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``acyclic`` command's subparsers.
    """
    p = sub.add_parser(
        "suggest",
        help="rank the next interventions to run (AIT: where the learned graphs disagree most)",
        description=(
            "Fit a learner with a posterior over DAGs to SOURCE ('sachs': the 853 observational rows, "
            "log-transformed; or a CSV file whose header row names the nodes) and rank the interventions "
            "do(node = mean ± 2 sd) by AIT's score (Scherrer et al. 2021): the between-graph over the "
            "within-graph variation of the rows the sampled graphs predict."
        ),
    )
    p.add_argument("source", help="'sachs' or a CSV file")
    p.add_argument("--method", choices=["dpdag", "bacadi"], default="dpdag", help="the posterior (default dpdag)")
    p.add_argument("--top", type=int, default=3, help="how many candidates to print (default 3)")
    p.add_argument("--n-graphs", type=int, default=20, help="graphs drawn from the posterior (default 20)")
    p.add_argument("--n-samples", type=int, default=100, help="rows simulated per graph (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the learner, the graphs and the noise")
    p.add_argument("--log", action="store_true", help="log-transform the data first (always for sachs)")
    p.add_argument("--environment-column", default=None, metavar="COL",
                   help="CSV only: the column naming each row's experiment; needs --targets")  # fmt: skip
    p.add_argument("--targets", default=None, metavar="FILE",
                   help='CSV only: JSON {"<environment label>": ["<node>", ...]} of the experiments\' targets')  # fmt: skip
    p.add_argument("--header", dest="header", action="store_true", default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def _data(args):
    import numpy as np

    if args.source == "sachs":
        from ..datasets import load_sachs

        df, _ = load_sachs(observational=True)
        return np.log(df), None, None, "Sachs et al. (2005), the 853 observational rows, log-transformed"
    from .files import log_transform, read_csv_data

    if (args.environment_column is None) != (args.targets is None):
        raise CLIError("--environment-column and --targets go together")
    if args.environment_column is None:
        df = read_csv_data(args.source)
        return (log_transform(df) if args.log else df), None, None, f"CSV file {args.source!r}"
    from .interventions import load_interventional

    args.variant, args.interventions = None, True
    data = load_interventional(args)
    df = log_transform(data.df) if args.log else data.df
    return df, data.mask, data.environments, data.description


def run(args) -> int:
    """Runs ``acyclic suggest`` (see the module docstring).

    Parameters
    ----------
    args : argparse.Namespace

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    CLIError
        Unreadable data, flags that do not go together, ``--top`` < 1.
    """
    import numpy as np

    from .. import DPDAG, BaCaDI, DiBS
    from ..active import score_targets

    if args.top < 1:
        raise CLIError("--top must be >= 1")
    df, mask, environments, description = _data(args)
    X = df.to_numpy(dtype=float)
    standardized = (X - X.mean(axis=0)) / X.std(axis=0)
    if args.method == "dpdag":
        model = DPDAG(random_state=args.seed).fit(standardized, intervention_mask=mask)
    elif environments is None:  # BaCaDI without experiments is DiBS
        model = DiBS(random_state=args.seed).fit(standardized)
    else:  # the targets are known (--targets): BaCaDI's posterior over graphs given them
        codes = np.unique(environments, return_inverse=True)[1].reshape(-1)
        known = {int(k): np.flatnonzero(mask[codes == k].any(axis=0)).tolist() for k in np.unique(codes)}
        observational = [k for k, t in known.items() if not t]
        if not observational:
            raise CLIError("--method bacadi needs an observational environment (one whose rows have no target)")
        model = BaCaDI(random_state=args.seed).fit(
            standardized, environments=codes, targets={k: t for k, t in known.items() if t},
            observational_environment=observational[0],
        )  # fmt: skip
    candidates = [(j, s * 2.0) for j in range(X.shape[1]) for s in (1.0, -1.0)]
    # each graph's mechanisms fitted on the rows that leave each node alone (the known targets)
    table = score_targets(model, candidates, n_graphs=args.n_graphs, n_samples=args.n_samples, random_state=args.seed)
    table = table.sort_values("rank").head(args.top)
    print(f"data: {description}; {X.shape[0]} rows, {X.shape[1]} nodes; standardized for the fit")
    print(f"posterior: {type(model).__name__}; AIT with {args.n_graphs} graphs x {args.n_samples} rows")
    print("rank  intervention                          score")
    columns = list(df.columns)
    for _, row in table.iterrows():
        j = int(row["target"])
        value = X[:, j].mean() + float(row["value"]) * X[:, j].std()
        sign = "+" if row["value"] > 0 else "-"
        text = f"{int(row['rank']):>4}  do({columns[j]} = mean {sign} 2 sd = {value:.4g})"
        print(text.ljust(42) + f"{row['score']:.4g}")
    if args.source == "sachs" or args.log:
        print("(values in the log units of the data)")
    return 0
