"""The reference graph that ``acyclic learn`` scores against: ``--truth FILE`` or, for ``sachs``, the
built-in 17-edge consensus graph.

:func:`read_truth` reads a user's d×d adjacency matrix from a CSV file (with or without a header
row of node labels; a first column of the same labels is allowed) and aligns it to the data's
columns; :func:`reference_graph` chooses between it and the built-in Sachs graph, so that every
figure of ``learn`` and of its interventional variant comes from one code path
(:func:`acyclic.cli.learn.score_lines`).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, List, NamedTuple, Optional, Sequence

from .errors import CLIError, eprint
from .files import _is_number

if TYPE_CHECKING:  # for annotations only
    import numpy as np

__all__ = ["Reference", "check_truth_path", "read_truth", "reference_graph"]


class Reference(NamedTuple):
    """A reference graph aligned to the data's columns.

    Attributes
    ----------
    B : numpy.ndarray of shape (d, d)
        0/1 int64 adjacency, ``B[i, j] = 1`` for the edge i → j, zero diagonal.
    name : str
        What the report calls it (e.g. ``--truth 'g.csv'``).
    short : str
        The same for a figure's heading.
    """

    B: np.ndarray
    name: str
    short: str


def check_truth_path(path: Optional[str]) -> None:
    """Fail before reading the data on a ``--truth`` path that is no file.

    Parameters
    ----------
    path : str or None
        The ``--truth`` argument (None: nothing to check).

    Raises
    ------
    CLIError
        If the path does not exist or is a directory.
    """
    if path is None:
        return
    if Path(path).is_dir():
        raise CLIError(f"--truth {path!r} is a directory, not a CSV file")
    if not Path(path).is_file():
        raise CLIError(f"--truth: no such file: {path!r}")


def _shown(names: Sequence[str], limit: int = 12) -> str:
    return ", ".join(repr(n) for n in list(names)[:limit]) + (", ..." if len(names) > limit else "")


def read_truth(path: str, labels: Sequence[str], sep: str = ",") -> np.ndarray:
    """Read a reference adjacency matrix and align it to the data's node labels.

    The file is a CSV (delimiter ``sep``) of d rows of d numbers, ``row i, column j`` non-zero
    meaning the edge i → j (weights count as edges; signs and sizes are ignored). It may start
    with a header row naming the columns by the data's labels, in any order, and then each row
    may start with its own label (pandas' ``DataFrame.to_csv()``, or ``acyclic learn --out
    graph.csv``); without row labels, row k is the node of column k. Without a header, rows and
    columns are in the order of the data's columns.
    A header is recognised by its names: a first row that holds exactly the data's labels (after
    one more leading cell, for a labelled-rows file).

    Parameters
    ----------
    path : str
        The CSV file.
    labels : sequence of str
        The data's column labels, in order (d of them).
    sep : str, default ","
        The delimiter (``--sep``).

    Returns
    -------
    numpy.ndarray of shape (d, d)
        0/1 int64 adjacency in the order of ``labels``, zero diagonal (a non-zero diagonal is
        ignored, with a note on stderr).

    Raises
    ------
    CLIError
        If the file cannot be read or is empty; its header names other nodes than the data
        (the message lists the unknown and the missing ones); the matrix is not d×d (the message
        gives both shapes); or a cell is not a finite number (the message names row and column).
    """
    import numpy as np

    labels = [str(label) for label in labels]
    d = len(labels)
    flag = f"--truth {path!r}"
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = [row for row in csv.reader(fh, delimiter=sep) if any(cell.strip() for cell in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CLIError(f"cannot read {flag} as CSV: {exc}") from None
    if not rows:
        raise CLIError(f"{flag} is empty; it should hold the {d}×{d} adjacency matrix of the data's columns")

    first = rows[0]
    if len(first) == 1 and d > 1:
        from .files import single_column_message

        raise CLIError(single_column_message(flag, first[0], sep))
    wanted = set(labels)
    row_labels: Optional[List[str]] = None
    if len(first) == d and set(first) == wanted:
        columns, body = first, rows[1:]
    elif len(first) == d + 1 and set(first[1:]) == wanted:
        columns, body = first[1:], rows[1:]
        row_labels = [row[0] if row else "" for row in body]
    elif all(_is_number(cell) for cell in first):
        columns, body = labels, rows
    else:
        names = [cell for cell in first if not _is_number(cell)]
        unknown = [n for n in first if n not in wanted and n.strip()]
        missing = [n for n in labels if n not in set(first)]
        detail = []
        if unknown:
            detail.append(f"names {_shown(unknown)}, which the data do not have")
        if missing:
            detail.append(f"lacks the data's {_shown(missing)}")
        raise CLIError(
            f"the header of {flag} ({_shown(names)}) does not name the data's {d} columns: it "
            + ("; it ".join(detail) if detail else "holds a label twice")
            + f". The data's columns are {_shown(labels)}; a file without a header is read in that order"
        )

    skip_rows = len(rows) - len(body)  # 1 after a header row: file row numbers in the messages
    skip_cols = 0 if row_labels is None else 1  # the column of row labels
    if len(body) != d or any(len(row) - skip_cols != d for row in body):
        n_cols = max((len(row) for row in body), default=skip_cols) - skip_cols
        ragged = next((k for k, row in enumerate(body) if len(row) != len(body[0])), None)
        raise CLIError(
            f"{flag} holds a {len(body)}×{n_cols} matrix"
            + (f" (its row {ragged + 1 + skip_rows} has {len(body[ragged])} cells)" if ragged is not None else "")
            + f"; the data have {d} columns, so the reference must be {d}×{d} "
            "(with or without a header row of node labels)"
        )
    if row_labels is not None and set(row_labels) != wanted:
        unknown = [n for n in row_labels if n not in wanted]
        raise CLIError(
            f"the first column of {flag} should name the rows by the labels of its header; it holds "
            f"{_shown(unknown or row_labels)}, which do not match them"
        )

    values = np.zeros((d, d))
    for r, row in enumerate(body):
        for c, cell in enumerate(row[skip_cols:]):
            try:
                value = float(cell)
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                where = f"row {r + 1 + skip_rows}, column {c + 1 + skip_cols}"
                raise CLIError(f"{flag}: {where} holds {cell!r}, not a finite number")
            values[r, c] = value

    order_rows = row_labels if row_labels is not None else columns
    position = {label: k for k, label in enumerate(labels)}
    B = np.zeros((d, d), dtype=np.int64)
    rows_at = [position[label] for label in order_rows]
    cols_at = [position[label] for label in columns]
    B[np.ix_(rows_at, cols_at)] = values != 0
    if np.any(np.diag(B)):
        eprint(f"note: {flag} has non-zero entries on its diagonal (self-loops); they are ignored")
        np.fill_diagonal(B, 0)
    return B


def reference_graph(args, labels: Sequence[str]) -> Optional[Reference]:
    """The graph to score ``acyclic learn`` against: ``--truth``, else for ``sachs`` the built-in one.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments (``truth``, ``sep``, ``source``).
    labels : sequence of str
        The data's column labels, in order.

    Returns
    -------
    Reference or None
        None for a CSV source without ``--truth``.

    Raises
    ------
    CLIError
        As :func:`read_truth`.
    """
    labels = [str(label) for label in labels]
    if args.truth is not None:
        B = read_truth(args.truth, labels, sep=args.sep)
        return Reference(B, f"--truth {args.truth!r}", f"the reference graph of {Path(args.truth).name}")
    if args.source != "sachs":
        return None
    from ..datasets import load_sachs_adjacency
    from .defaults import SACHS_REFERENCE, SACHS_REFERENCE_NAME

    B_true, true_labels = load_sachs_adjacency(SACHS_REFERENCE)
    if [str(x) for x in true_labels] != labels:  # pragma: no cover - guards the shipped data
        raise CLIError("the Sachs reference graph and the data disagree on the column order")
    return Reference(B_true, SACHS_REFERENCE_NAME, "the 17-edge consensus DAG")
