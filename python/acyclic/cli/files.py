"""Files of ``acyclic learn``: reading the CSV data, writing the learned graph.

:func:`read_csv_data` reads a CSV file of numeric columns (header row = node labels, or none
with ``--no-header``) and says exactly what is wrong with one that is not; :func:`learned_graph`
turns a fitted estimator into a networkx graph of plain Python values, which :func:`write_graph` writes as GraphML, GML or
node-link JSON (:data:`OUT_FORMATS`). :func:`check_out_path` refuses an unusable output path
before the fit rather than after it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence

from .errors import CLIError, eprint, one_line

if TYPE_CHECKING:  # for annotations only: the functions import them when called
    import networkx as nx
    import pandas as pd

__all__ = ["OUT_FORMATS", "check_out_path", "learned_graph", "log_transform", "read_csv_data", "write_graph"]

#: Graph file formats of ``--out``, by file extension.
OUT_FORMATS = (".graphml", ".gml", ".json")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_header(names: List[str], path: Path, header: Optional[bool]) -> None:
    """Refuses a header that repeats a name (pandas would rename the second ``a`` to ``a.1``)
    and, unless ``header`` is True, one made of numbers only (probably a data row)."""
    named = [(k, name) for k, name in enumerate(names) if name.strip()]
    repeated = [name for name, count in Counter(name for _, name in named).items() if count > 1]
    if repeated:
        where = "; ".join(
            f"{name!r} (columns {', '.join(str(k + 1) for k, other in named if other == name)})" for name in repeated
        )
        raise CLIError(
            f"the header of {str(path)!r} repeats the column name(s) {where}: each column needs its own name "
            "to become a node; rename them"
        )
    if header is None and names and all(_is_number(name) for name in names):
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        raise CLIError(
            f"the header row of {str(path)!r} holds only numbers ({shown}): it looks like a data row, so the "
            "file probably has no header; pass --no-header to read every row as data (columns named x0, x1, "
            "...), or --header if these numbers are the node names"
        )


def read_csv_data(path, header: Optional[bool] = None, keep_raw: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV file of numeric columns, header row = node labels.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (read with :func:`pandas.read_csv`, default settings).
    header : bool or None, default None
        Whether the first row names the columns. None: it does, but a first row of numbers only
        is refused (it is probably data); True: it does, even if it holds numbers only; False:
        every row is data and the columns are named ``x0``, ``x1``, ... (``--no-header``).
    keep_raw : sequence of str, default ()
        Columns read as text, exactly as written (empty cells as NaN), and not checked: e.g. the
        experiment labels of ``--environment-column``. A name that is not a column is ignored
        (the caller says what is missing).

    Returns
    -------
    pandas.DataFrame
        Float64 columns in file order, labelled by the header (the ``keep_raw`` ones as text).

    Raises
    ------
    CLIError
        If the path is a directory, the file is missing, empty or not parseable, has no data
        rows, the header repeats a name or (``header=None``) holds numbers only, a column holds
        a non-numeric value (the message names every such column and the first offending row
        and value), or a column has missing or infinite values.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    if path.is_dir():
        raise CLIError(f"{str(path)!r} is a directory, not a CSV file (SOURCE is 'sachs' or the path of a CSV file)")
    if not path.is_file():
        raise CLIError(f"no such file: {str(path)!r} (SOURCE is 'sachs' or the path of a CSV file)")
    try:
        if header is False:
            # the names x0, x1, ... given below: read column k of "xk" as text
            as_text: dict = {int(name[1:]): str for name in keep_raw if re.fullmatch(r"x(0|[1-9][0-9]*)", name)}
            df = pd.read_csv(path, header=None, dtype=as_text or None)
            df.columns = [f"x{k}" for k in range(df.shape[1])]
        else:
            df = pd.read_csv(path, dtype={name: str for name in keep_raw} or None)
            # the names as written: pandas renames a repeated "a" to "a.1"
            names = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0].tolist()
            _check_header([str(name) for name in names], path, header)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{str(path)!r} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot read {str(path)!r} as CSV: {one_line(exc)}") from None
    if df.shape[1] == 0 or df.shape[0] == 0:
        raise CLIError(f"{str(path)!r} has no data rows (header row = node labels, then one row per sample)")

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
            f"non-numeric {which} in {str(path)!r}: {', '.join(bad)}; every column must hold numbers "
            "(drop or encode the column first)"
            + ("; the first row looks like a header: drop --no-header" if header is False and bad_rows == {0} else "")
        )
    out = pd.DataFrame(columns, index=df.index)
    out.columns = df.columns
    numeric = out.drop(columns=raw)
    values = numeric.to_numpy(dtype=np.float64)
    missing = [repr(name) for name, m in zip(numeric.columns, np.isnan(values).sum(axis=0)) if m]
    if missing:
        raise CLIError(f"missing values in column(s) {', '.join(missing)} of {str(path)!r}")
    infinite = [repr(name) for name, m in zip(numeric.columns, np.isinf(values).sum(axis=0)) if m]
    if infinite:
        raise CLIError(f"infinite values in column(s) {', '.join(infinite)} of {str(path)!r}")
    if header is not False and str(out.columns[0]).startswith("Unnamed: 0"):
        eprint(
            f"note: the first column of {str(path)!r} has no header; if it is a row index, "
            "write the file with index=False (pandas) or delete the column"
        )
    return out


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


def write_graph(G, path) -> None:
    """Write a graph in the format given by the file extension.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph (str nodes, float ``weight`` edge attributes, scalar graph
        attributes, as made by :func:`learned_graph`).
    path : str or os.PathLike
        ``.graphml`` (:func:`networkx.write_graphml`), ``.gml``
        (:func:`networkx.write_gml`; booleans become 0/1) or ``.json`` (networkx
        node-link data under the keys ``nodes`` and ``edges`` with any networkx; read
        it back with ``networkx.node_link_graph(data, edges="edges")`` (networkx >= 3.4;
        ``link="edges"`` before)). Case-insensitive.

    Raises
    ------
    CLIError
        If the extension is not one of :data:`OUT_FORMATS`, or a node label holds a control
        character, which XML (GraphML) cannot represent.
    OSError
        If the file cannot be written.
    """
    import networkx as nx

    path = Path(path)
    ext = path.suffix.lower()
    if ext in (".graphml", ".gml"):
        bad = [n for n in G.nodes if any(ord(c) < 32 and c not in "\t\n\r" for c in str(n))]
        if bad:
            raise CLIError(
                f"node label(s) {', '.join(repr(str(n)) for n in bad)} hold control characters, "
                f"which {ext} cannot store; rename the columns or write .json"
            )
    if ext == ".graphml":
        nx.write_graphml(G, path)
    elif ext == ".gml":
        nx.write_gml(G, path)
    elif ext == ".json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(_node_link_data(G), fh, indent=2)
            fh.write("\n")
    else:
        raise CLIError(_unknown_out_format(path))


def _unknown_out_format(path: Path) -> str:
    return (
        f"unknown graph format {path.suffix or '(no extension)'!r} for --out {str(path)!r}; "
        f"use one of {', '.join(OUT_FORMATS)}"
    )


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
