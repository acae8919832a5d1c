"""Files of ``acyclic learn``: reading the CSV data, writing the learned graph.

:func:`read_csv_data` reads a CSV file of numeric columns (header row = node labels, or none
with ``--no-header``; from standard input for ``-``, any one-character ``--sep``) and says exactly
what is wrong with one that is not; :func:`learned_graph` turns a fitted estimator into a networkx
graph of plain Python values, which :func:`write_graph` writes as GraphML, GML, node-link JSON,
DOT or a CSV weight matrix (:data:`OUTPUT_FORMATS`), to a file or standard output.
:func:`check_out_path` and :func:`check_output_flags` refuse an unusable output before the fit
rather than after it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple, Union

from .errors import CLIError, eprint, one_line

if TYPE_CHECKING:  # for annotations only: the functions import them when called
    import networkx as nx
    import pandas as pd

__all__ = [
    "OUTPUT_FORMATS",
    "OUT_FORMATS",
    "STDIN",
    "CSVSource",
    "check_out_path",
    "check_output_flags",
    "csv_source",
    "format_of",
    "learned_graph",
    "log_transform",
    "read_csv_data",
    "write_graph",
]

#: ``--output-format`` names and the ``--out`` file extensions that choose them.
OUTPUT_FORMATS: Dict[str, Tuple[str, ...]] = {
    "graphml": (".graphml",),
    "gml": (".gml",),
    "json": (".json",),
    "dot": (".dot", ".gv"),
    "csv": (".csv",),
}

#: Graph file formats of ``--out``, by file extension.
OUT_FORMATS = tuple(ext for extensions in OUTPUT_FORMATS.values() for ext in extensions)

#: The SOURCE (and ``--out``) that stands for standard input (output).
STDIN = "-"


class CSVSource:
    """A CSV file, or standard input read once and kept, so that either can be read more than once.

    Parameters
    ----------
    path : str or os.PathLike
        The file, or ``"-"`` for standard input (read to its end here).

    Attributes
    ----------
    name : str
        How messages name it: the quoted path, or ``standard input``.

    Raises
    ------
    CLIError
        If the path is a directory or no file, or standard input is closed.
    """

    def __init__(self, path: Union[str, os.PathLike]):
        self.path: Optional[Path] = None
        self.data: Optional[bytes] = None
        if str(path) == STDIN:
            self.name = "standard input"
            self.data = _read_stdin()
            return
        self.path = Path(path)
        self.name = repr(str(self.path))
        if self.path.is_dir():
            raise CLIError(f"{self.name} is a directory, not a CSV file ({_SOURCE_IS})")
        if not self.path.is_file():
            raise CLIError(f"no such file: {self.name} ({_SOURCE_IS})")

    def open(self) -> Union[Path, io.BytesIO]:
        """A fresh handle on the data, for one :func:`pandas.read_csv`.

        Returns
        -------
        pathlib.Path or io.BytesIO
            The path of the file, or the kept bytes of standard input from their start.
        """
        return io.BytesIO(self.data) if self.data is not None else self.path  # type: ignore[return-value]


_SOURCE_IS = "SOURCE is 'sachs', the path of a CSV file, or - for standard input"


def _read_stdin() -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise CLIError("SOURCE '-' reads standard input, but there is none")
    if sys.stdin.isatty():
        eprint("reading the CSV data from standard input (end it with Ctrl-D)")
    return stream.read()


def csv_source(args) -> CSVSource:
    """The :class:`CSVSource` of ``args.source``, made once per run (standard input can be read once).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments whose SOURCE is a CSV file or ``-``.

    Returns
    -------
    CSVSource
        Kept on ``args`` for the next call.

    Raises
    ------
    CLIError
        As :class:`CSVSource`.
    """
    source = getattr(args, "_csv_source", None)
    if source is None:
        source = args._csv_source = CSVSource(args.source)
    return source


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_header(names: List[str], name: str, header: Optional[bool]) -> None:
    """Refuses a header that repeats a name (pandas would rename the second ``a`` to ``a.1``)
    and, unless ``header`` is True, one made of numbers only (probably a data row)."""
    named = [(k, name) for k, name in enumerate(names) if name.strip()]
    repeated = [name for name, count in Counter(name for _, name in named).items() if count > 1]
    if repeated:
        where = "; ".join(
            f"{name!r} (columns {', '.join(str(k + 1) for k, other in named if other == name)})" for name in repeated
        )
        raise CLIError(
            f"the header of {name} repeats the column name(s) {where}: each column needs its own name "
            "to become a node; rename them"
        )
    if header is None and names and all(_is_number(name) for name in names):
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise CLIError(
            f"the header row of {name} holds only numbers ({shown}): it looks like a data row, so the "
            "file probably has no header; pass --no-header to read every row as data (columns named x0, x1, "
            "...), or --header if these numbers are the node names"
        )


def read_csv_data(path, header: Optional[bool] = None, keep_raw: Sequence[str] = (), sep: str = ",") -> pd.DataFrame:
    """Read a CSV file of numeric columns, header row = node labels.

    Parameters
    ----------
    path : str, os.PathLike or CSVSource
        The CSV file (read with :func:`pandas.read_csv`), ``"-"`` for standard input, or a
        :class:`CSVSource` (standard input read once, see :func:`csv_source`).
    header : bool or None, default None
        Whether the first row names the columns. None: it does, but a first row of numbers only
        is refused (it is probably data); True: it does, even if it holds numbers only; False:
        every row is data and the columns are named ``x0``, ``x1``, ... (``--no-header``).
    keep_raw : sequence of str, default ()
        Columns read as text, exactly as written (empty cells as NaN), and not checked: e.g. the
        experiment labels of ``--environment-column``. A name that is not a column is ignored
        (the caller says what is missing).
    sep : str, default ","
        The delimiter, one character (``--sep``).

    Returns
    -------
    pandas.DataFrame
        Float64 columns in file order, labelled by the header (the ``keep_raw`` ones as text).

    Raises
    ------
    CLIError
        If the path is a directory, the file is missing, empty or not parseable, has no data
        rows, reads as a single column (probably another delimiter than ``sep``: the message
        names the ones it sees), the header repeats a name or (``header=None``) holds numbers
        only, a column holds a non-numeric value (the message names every such column and the
        first offending row and value), or a column has missing or infinite values.
    """
    import numpy as np
    import pandas as pd

    source = path if isinstance(path, CSVSource) else CSVSource(path)
    where = source.name
    try:
        if header is False:
            # the names x0, x1, ... given below: read column k of "xk" as text
            as_text: dict = {int(col[1:]): str for col in keep_raw if re.fullmatch(r"x(0|[1-9][0-9]*)", col)}
            df = pd.read_csv(source.open(), header=None, dtype=as_text or None, sep=sep)
            df.columns = [f"x{k}" for k in range(df.shape[1])]
        else:
            df = pd.read_csv(source.open(), dtype={col: str for col in keep_raw} or None, sep=sep)
            # the names as written: pandas renames a repeated "a" to "a.1"
            first = pd.read_csv(source.open(), header=None, nrows=1, dtype=str, keep_default_na=False, sep=sep)
            _check_header([str(cell) for cell in first.iloc[0].tolist()], where, header)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{where} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot read {where} as CSV: {one_line(exc)}") from None
    if df.shape[1] == 0 or df.shape[0] == 0:
        raise CLIError(f"{where} has no data rows (header row = node labels, then one row per sample)")
    if not set(df.columns) <= set(keep_raw):  # (the caller says what is wrong with a file of raw columns only)
        check_several_columns(df, where, sep, header)

    bad: List[str] = []
    bad_rows = set()
    columns = {}
    raw = [name for name in df.columns if name in set(keep_raw)]
    for k, name in enumerate(df.columns):
        col = df.iloc[:, k]
        if name in raw:
            columns[name] = col
            continue
        if pd.api.types.is_bool_dtype(col):
            col = col.astype(np.float64)
        elif not pd.api.types.is_numeric_dtype(col):
            converted = pd.to_numeric(col, errors="coerce")
            offending = converted.isna() & col.notna()
            if offending.any():
                row = int(np.flatnonzero(offending.to_numpy())[0])
                bad.append(f"{name!r} (row {row + 1}: {col.iloc[row]!r})")
                bad_rows.add(row)
                continue
            col = converted
        columns[name] = col.astype(np.float64)
    if bad:
        which = "column" if len(bad) == 1 else "columns"
        raise CLIError(
            f"non-numeric {which} in {where}: {', '.join(bad)}; every column must hold numbers "
            "(drop or encode the column first)"
            + ("; the first row looks like a header: drop --no-header" if header is False and bad_rows == {0} else "")
        )
    out = pd.DataFrame(columns, index=df.index)
    out.columns = df.columns
    numeric = out.drop(columns=raw)
    values = numeric.to_numpy(dtype=np.float64)
    missing = [repr(name) for name, m in zip(numeric.columns, np.isnan(values).sum(axis=0)) if m]
    if missing:
        raise CLIError(f"missing values in column(s) {', '.join(missing)} of {where}")
    infinite = [repr(name) for name, m in zip(numeric.columns, np.isinf(values).sum(axis=0)) if m]
    if infinite:
        raise CLIError(f"infinite values in column(s) {', '.join(infinite)} of {where}")
    if header is not False and str(out.columns[0]).startswith("Unnamed: 0"):
        eprint(
            f"note: the first column of {where} has no header; if it is a row index, "
            "write the file with index=False (pandas) or delete the column"
        )
    return out


def check_several_columns(df, name: str, sep: str, header: Optional[bool] = None) -> None:
    """Refuse data read as one column: a graph needs two nodes, and one column usually means that the
    file has another delimiter than ``sep``.

    Parameters
    ----------
    df : pandas.DataFrame
        The data as read (a whole file or its first chunk).
    name : str
        How the message names the source.
    sep : str
        The delimiter it was read with.
    header : bool or None, default None
        False when the file was read without a header row (its first cell is then data).

    Raises
    ------
    CLIError
        If ``df`` has one column; the message names the usual delimiters seen in its first line.
    """
    if df.shape[1] != 1:
        return
    first = str(df.iloc[0, 0]) if header is False else str(df.columns[0])
    raise CLIError(single_column_message(name, first, sep))


def single_column_message(name: str, first_line: str, sep: str) -> str:
    """Why a file read as one column: the usual delimiters other than ``sep`` in its first line.

    Parameters
    ----------
    name : str
        How the message names the file.
    first_line : str
        Its first line (or first cell, which is the whole line when it is read as one column).
    sep : str
        The delimiter it was read with.

    Returns
    -------
    str
        The message of the error.
    """
    seen = [repr(c) for c in (",", ";", "\t", "|", " ") if c != sep and c in first_line]
    hint = (
        f"; its first line holds {' and '.join(seen)}: pass the delimiter with --sep (e.g. --sep ';', --sep '\\t')"
        if seen
        else "; a graph needs at least two columns"
    )
    return f"{name} reads as a single column with --sep {sep!r}{hint}"


def log_transform(df):
    """The natural log of every column (``--log``).

    Parameters
    ----------
    df : pandas.DataFrame
        Numeric columns.

    Returns
    -------
    pandas.DataFrame
        ``numpy.log(df)``.

    Raises
    ------
    CLIError
        If a value is not positive (the message names each such column, its count and minimum).
    """
    import numpy as np

    values = df.to_numpy()
    nonpositive = [
        (name, int(c), float(values[:, k].min()))
        for k, (name, c) in enumerate(zip(df.columns, (values <= 0).sum(axis=0)))
        if c
    ]
    if nonpositive:
        listed = ", ".join(f"{name!r} ({c} values, min {m:g})" for name, c, m in nonpositive)
        raise CLIError(f"--log needs every value > 0; not so in column(s) {listed}")
    return np.log(df)


def learned_graph(estimator, **attrs) -> nx.DiGraph:
    """The fitted graph with plain Python values, ready for any networkx writer.

    Parameters
    ----------
    estimator : fitted acyclic estimator
        Anything with ``to_networkx()`` (nodes = ``node_labels_``, edges with ``weight``).
    **attrs
        Graph attributes to store (str, int, float or bool values: the source, the
        method and its parameters).

    Returns
    -------
    networkx.DiGraph
        Nodes relabelled to ``str``, every edge with a Python ``float`` ``weight``,
        ``attrs`` as graph attributes.
    """
    import networkx as nx

    G0 = estimator.to_networkx()
    G: nx.DiGraph[str] = nx.DiGraph()
    G.graph.update(attrs)
    G.add_nodes_from(str(u) for u in G0.nodes)
    for u, v, w in G0.edges(data="weight"):
        G.add_edge(str(u), str(v), weight=float(w))
    return G


def _node_link_data(G) -> dict:
    import networkx as nx

    try:
        return nx.node_link_data(G, edges="edges")
    except TypeError:  # networkx < 3.4: no `edges` keyword, the key is "links"; keep one file format
        data = nx.node_link_data(G)
        data["edges"] = data.pop("links")
        return data


def _dot_text(G) -> str:
    """DOT of the graph (:func:`acyclic.graph.to_dot`), its attributes in a comment first."""
    from ..graph import from_networkx, to_dot

    W, labels = from_networkx(G)
    comment = ", ".join(f"{key}={one_line(value)}" for key, value in G.graph.items())
    return (f"// acyclic learn: {comment}\n" if comment else "") + to_dot(W, labels)


def _csv_text(G, sep: str) -> str:
    """The weight matrix with node labels: a header row (an empty cell, then the labels), then one
    row per node (its label, then its out-going weights, ``repr`` of each float)."""
    from ..graph import from_networkx

    W, labels = from_networkx(G)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(["", *labels])
    for label, row in zip(labels, W):
        writer.writerow([label, *(repr(float(w)) for w in row)])
    return buffer.getvalue()


def format_of(path, output_format: Optional[str] = None) -> str:
    """The format of ``--out``: ``output_format`` (``--output-format``) or the one of the extension.

    Parameters
    ----------
    path : str or os.PathLike
        The ``--out`` path.
    output_format : str, optional
        A key of :data:`OUTPUT_FORMATS`; wins over the extension.

    Returns
    -------
    str
        A key of :data:`OUTPUT_FORMATS`.

    Raises
    ------
    CLIError
        If ``output_format`` is None and the extension is not one of :data:`OUT_FORMATS`.
    """
    if output_format is not None:
        return output_format
    ext = Path(path).suffix.lower()
    for name, extensions in OUTPUT_FORMATS.items():
        if ext in extensions:
            return name
    raise CLIError(_unknown_out_format(Path(path)))


def write_graph(G, path, output_format: Optional[str] = None, sep: str = ",") -> None:
    """Write a graph in the format of ``output_format``, or else of the file extension.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph (str nodes, float ``weight`` edge attributes, scalar graph
        attributes, as made by :func:`learned_graph`).
    path : str or os.PathLike
        The file, or ``"-"`` for standard output. Formats by extension (case-insensitive):
        ``.graphml`` (:func:`networkx.write_graphml`), ``.gml`` (:func:`networkx.write_gml`;
        booleans become 0/1), ``.json`` (networkx node-link data under the keys ``nodes`` and
        ``edges`` with any networkx; read it back with ``networkx.node_link_graph(data,
        edges="edges")`` (networkx >= 3.4; ``link="edges"`` before)), ``.dot`` or ``.gv``
        (:func:`acyclic.graph.to_dot`, the graph attributes in a ``//`` comment first; read back
        by :func:`acyclic.graph.from_dot`), ``.csv`` (the d×d weight matrix, a header row of the
        labels after an empty cell, each row starting with its label; ``--truth`` reads it).
    output_format : str, optional
        A key of :data:`OUTPUT_FORMATS`, used whatever the extension (needed for ``"-"``).
    sep : str, default ","
        The delimiter of the CSV format.

    Raises
    ------
    CLIError
        If the format is unknown (no ``output_format`` and an extension not in
        :data:`OUT_FORMATS`), or a node label holds a control character, which XML (GraphML) and
        GML cannot represent.
    OSError
        If the file cannot be written.
    """
    import networkx as nx

    fmt = format_of(path, output_format)
    if fmt in ("graphml", "gml"):
        bad = [n for n in G.nodes if any(ord(c) < 32 and c not in "\t\n\r" for c in str(n))]
        if bad:
            raise CLIError(
                f"node label(s) {', '.join(repr(str(n)) for n in bad)} hold control characters, "
                f"which {fmt} cannot store; rename the columns or write .json"
            )
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(G, buffer)
    elif fmt == "gml":
        nx.write_gml(G, buffer)
    elif fmt == "json":
        buffer.write((json.dumps(_node_link_data(G), indent=2) + "\n").encode("utf-8"))
    elif fmt == "dot":
        buffer.write(_dot_text(G).encode("utf-8"))
    else:
        buffer.write(_csv_text(G, sep).encode("utf-8"))
    if str(path) == STDIN:
        sys.stdout.flush()
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
    else:
        Path(path).write_bytes(buffer.getvalue())


def _unknown_out_format(path: Path) -> str:
    return (
        f"unknown graph format {path.suffix or '(no extension)'!r} for --out {str(path)!r}; "
        f"use one of {', '.join(OUT_FORMATS)}, or say the format with --output-format"
    )


def check_output_flags(args) -> None:
    """Fail before the fit on ``--out`` and ``--output-format`` that cannot work together.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``acyclic learn`` arguments.

    Raises
    ------
    CLIError
        ``--output-format`` without ``--out``; ``--out -`` without ``--output-format``; an
        ``--out`` extension that is not a known format (without ``--output-format``) or a folder
        that does not exist.
    """
    if args.output_format is not None and args.out is None:
        raise CLIError("--output-format applies to --out")
    if args.out == STDIN:
        if args.output_format is None:
            raise CLIError(
                f"--out - writes to standard output: say the format with --output-format ({', '.join(OUTPUT_FORMATS)})"
            )
        return
    check_out_path(args.out, "--out", OUT_FORMATS if args.output_format is None else None)


def check_out_path(path: Optional[str], flag: str, extensions=None) -> None:
    """Fail before the fit, not after it, on an unusable output path.

    Parameters
    ----------
    path : str or None
        The path given to ``flag`` (None: the flag was not given, nothing to check).
    flag : str
        The flag's name, for the message (``"--out"``, ``"--plot"``).
    extensions : sequence of str, optional
        The accepted lower-case file extensions (:data:`OUT_FORMATS` for ``--out``); any
        when None.

    Raises
    ------
    CLIError
        If the extension is not accepted or the folder does not exist.
    """
    if path is None:
        return
    p = Path(path)
    if extensions is not None and p.suffix.lower() not in extensions:
        raise CLIError(_unknown_out_format(p))
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise CLIError(f"{flag} {str(p)!r}: the folder {str(parent)!r} does not exist")
