"""Interventional data of ``acyclic learn``: the Sachs experiments or a CSV file's environment column.

``acyclic learn sachs --interventions [--variant 7466|5846] [--targets FILE]`` loads the Sachs
experiments with their documented targets (:func:`acyclic.datasets.load_sachs`), or with the
mapping of ``--targets``; ``acyclic learn data.csv --environment-column COL --targets FILE``
reads a CSV file whose column ``COL`` names each row's experiment (the column is removed from the
data) and a JSON file ``{"<environment label>": ["<node>", ...], ...}`` naming the nodes each
experiment intervened on (an environment absent from it, or mapped to ``[]``, is observational).
:func:`load_interventional` returns the data with the intervention mask
(:func:`acyclic.interventions.mask_from_environments`); :func:`read_targets` reads the JSON file;
:func:`describe_experiments` gives the lines that say which rows came from which experiment.
Every problem is a :class:`~acyclic.cli.errors.CLIError` naming the flag and what is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, cast

from .errors import CLIError, one_line

if TYPE_CHECKING:  # for annotations only: the functions import them when called
    import numpy as np
    import pandas as pd

__all__ = ["InterventionalData", "describe_experiments", "check_interventional_flags", "load_interventional",
           "read_targets"]  # fmt: skip

_TARGETS_FORMAT = '{"<environment label>": ["<node>", ...], ...}'


class InterventionalData(NamedTuple):
    """Data with the experiment of every row and the intervention mask.

    Parameters
    ----------
    df : pandas.DataFrame
        The numeric data (the environment column removed), float64 columns = the nodes.
    environments : numpy.ndarray of shape (n,)
        The experiment of every row (str labels).
    mask : numpy.ndarray of shape (n, d), dtype bool
        True where the row's experiment intervened on the node.
    targets : dict
        Environment label → the intervened nodes (column labels), as used for the mask.
    description : str
        Where the data and the targets come from (one line).
    """

    df: pd.DataFrame
    environments: np.ndarray
    mask: np.ndarray
    targets: Dict[str, List[str]]
    description: str


def check_interventional_flags(args) -> bool:
    """Check the interventional flags of ``acyclic learn`` against each other and the source.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments.

    Returns
    -------
    bool
        Whether the command fits interventional data (``--interventions`` for ``sachs``,
        ``--environment-column`` with ``--targets`` for a CSV file).

    Raises
    ------
    CLIError
        For a flag that does not apply to the source or lacks its partner.
    """
    is_sachs = args.source == "sachs"
    if is_sachs:
        if args.environment_column is not None:
            raise CLIError("--environment-column applies to a CSV file only; the sachs experiments are built in")
        if not args.interventions:
            for flag, value in (("--variant", args.variant), ("--targets", args.targets)):
                if value is not None:
                    raise CLIError(f"{flag} applies to sachs with --interventions only")
            return False
        if args.rows is not None:
            raise CLIError(
                "--rows does not apply with --interventions: both fits use every row of the experiments "
                "of --variant (7466 or 5846)"
            )
    else:
        if args.variant is not None:
            raise CLIError("--variant applies to the built-in sachs data only")
        given = args.environment_column is not None, args.targets is not None
        if given == (False, False):
            if args.interventions:
                raise CLIError(
                    "--interventions with a CSV file needs --environment-column COL (the column naming each "
                    f"row's experiment) and --targets FILE (JSON {_TARGETS_FORMAT})"
                )
            return False
        if not given[0]:
            raise CLIError("--targets needs --environment-column COL: the column naming each row's experiment")
        if not given[1]:
            raise CLIError(
                f"--environment-column needs --targets FILE: a JSON object {_TARGETS_FORMAT} naming the nodes "
                "each experiment intervened on"
            )
    if args.refine:
        raise CLIError("--refine does not take interventional data yet (refine_topo fits every row)")
    return True


def read_targets(path) -> Dict[str, List[str]]:
    """Read a targets file: a JSON object environment label → list of node names.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON file, e.g. ``{"drugA": ["y"], "drugB": ["x", "z"], "control": []}``.

    Returns
    -------
    dict of str to list of str
        The mapping, as written.

    Raises
    ------
    CLIError
        If the file cannot be read, is not JSON, is not an object, or a value is not a list of
        node names (strings).
    """
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"--targets {str(p)!r} is a directory, not a JSON file")
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot read --targets {str(p)!r}: {exc.strerror or one_line(exc)}") from None
    except UnicodeDecodeError as exc:
        raise CLIError(f"--targets {str(p)!r} is not UTF-8 text: {one_line(exc)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CLIError(
            f"--targets {str(p)!r} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            f"expected {_TARGETS_FORMAT}"
        ) from None
    if not isinstance(data, dict):
        raise CLIError(f"--targets {str(p)!r} must hold a JSON object {_TARGETS_FORMAT}, not a {_json_type(data)}")
    for label, nodes in data.items():
        if not isinstance(nodes, list) or not all(isinstance(node, str) for node in nodes):
            raise CLIError(
                f"--targets {str(p)!r}: the targets of environment {label!r} must be a list of node names "
                f"(strings; [] for an observational environment), got {json.dumps(nodes)}"
            )
    return {str(label): list(nodes) for label, nodes in data.items()}


def _json_type(value) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), "null")


def _check_column(source, column: str, header, sep: str) -> None:
    """A named error when the CSV source (a :class:`~acyclic.cli.files.CSVSource`) has no column
    ``column`` (checked on its first row, before the numeric checks would refuse the text labels of
    the other columns). A source that cannot be read is left to
    :func:`~acyclic.cli.files.read_csv_data`, which says why."""
    import pandas as pd

    try:
        if header is False:
            columns = [f"x{k}" for k in range(pd.read_csv(source.open(), header=None, nrows=1, sep=sep).shape[1])]
        else:
            columns = [str(c) for c in pd.read_csv(source.open(), nrows=0, sep=sep).columns]
    except Exception:  # unreadable: read_csv_data reports it
        return
    if column not in columns:
        shown = ", ".join(repr(c) for c in columns[:20]) + (", ..." if len(columns) > 20 else "")
        raise CLIError(f"--environment-column {column!r} is not a column of {source.name}; its columns are {shown}")


def _environment_column(df, column: str, where: str):
    """(the data without ``column``, its labels as str): named errors for empty labels or no nodes."""
    import numpy as np

    labels = df[column]
    missing = np.flatnonzero(labels.isna().to_numpy())
    if missing.size:
        rows = ", ".join(str(int(i) + 1) for i in missing[:5]) + (", ..." if missing.size > 5 else "")
        raise CLIError(
            f"the environment column {column!r} of {where} is empty in {missing.size} data row(s) ({rows}): "
            "every row needs the label of its experiment"
        )
    data = df.drop(columns=[column])
    if data.shape[1] == 0:
        raise CLIError(f"{where} has no column besides the environment column {column!r}: there are no nodes")
    return data, labels.astype(str).to_numpy(dtype=object)


def load_interventional(args) -> InterventionalData:
    """The data of an interventional ``acyclic learn``, with environments and the intervention mask.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments that passed :func:`check_interventional_flags`.

    Returns
    -------
    InterventionalData

    Raises
    ------
    CLIError
        If the data or targets cannot be read, the environment column is missing or has empty
        cells, or the targets do not fit the data (an environment with no rows, an unknown node,
        a node intervened on in every row, no intervened node at all).
    """
    from ..exceptions import InvalidInputError
    from ..interventions import mask_from_environments

    targets = read_targets(args.targets) if args.targets is not None else None
    flag = f"--targets {args.targets!r}: " if args.targets is not None else ""
    if args.source == "sachs":
        from ..datasets import SACHS_TARGETS, load_sachs
        from .defaults import SACHS_REFERENCE

        variant = args.variant or "7466"
        try:
            df, _, environments, mask = load_sachs(
                observational=False,
                graph=SACHS_REFERENCE,
                interventions=True,
                variant=variant,
                targets=cast(Any, targets),
            )
        except InvalidInputError as exc:
            raise CLIError(flag + one_line(exc)) from None
        present = set(environments.tolist())
        used = targets if targets is not None else {k: list(v) for k, v in SACHS_TARGETS.items() if k in present}
        n_exp = len(present)
        whose = (
            f"the targets of {args.targets!r}" if targets is not None else "their documented targets (SACHS_TARGETS)"
        )
        description = (
            f"Sachs et al. (2005) flow cytometry, variant {variant}: the {len(df)} rows of {n_exp} experiments "
            f"with {whose}"
        )
    else:
        from .files import csv_source, read_csv_data

        assert targets is not None  # check_interventional_flags
        source = csv_source(args)
        sep = getattr(args, "sep", ",")  # `acyclic suggest` has no --sep
        _check_column(source, args.environment_column, args.header, sep)
        raw = read_csv_data(source, header=args.header, keep_raw=(args.environment_column,), sep=sep)
        df, environments = _environment_column(raw, args.environment_column, source.name)
        try:
            mask = mask_from_environments(environments, targets, columns=list(df.columns))
        except InvalidInputError as exc:
            raise CLIError(flag + one_line(exc)) from None
        used = targets
        description = (
            f"{'CSV from standard input' if args.source == '-' else f'CSV file {args.source!r}'}, experiments from "
            f"its column {args.environment_column!r} (removed from the data), targets from {args.targets!r}"
        )
    if not mask.any():
        raise CLIError(
            f"{flag or '--interventions: '}no row intervenes on any node (every experiment is observational): "
            "the interventional fit would be the observational one"
        )
    return InterventionalData(cast("pd.DataFrame", df), environments, mask, {str(k): [str(n) for n in v] for k, v in used.items()},
                              description)  # fmt: skip


def describe_experiments(data: InterventionalData) -> List[str]:
    """Lines naming each experiment, its rows and its targets, then the rows per intervened node.

    Parameters
    ----------
    data : InterventionalData
        The data.

    Returns
    -------
    list of str
        ``"  <label>  <rows> rows  <targets or observational>"`` per experiment in order of
        first appearance, then one line with how many rows are observational and how many
        intervene on each node.
    """
    import numpy as np

    labels = list(dict.fromkeys(data.environments.tolist()))
    counts = {label: int(np.count_nonzero(data.environments == label)) for label in labels}
    wl = max(len(str(label)) for label in labels)
    wn = max(len(str(c)) for c in counts.values())
    lines = []
    for label in labels:
        nodes = data.targets.get(str(label), [])
        what = "intervened on " + ", ".join(nodes) if nodes else "observational"
        lines.append(f"  {str(label):<{wl}}  {counts[label]:>{wn}} rows  {what}")
    observational = int(np.count_nonzero(~data.mask.any(axis=1)))
    per_node = data.mask.sum(axis=0)
    columns = [str(c) for c in data.df.columns]
    hit = ", ".join(f"{columns[j]} {int(per_node[j])}" for j in np.flatnonzero(per_node))
    lines.append(f"  {observational} observational rows; rows intervening on each node: {hit}")
    return lines
