"""Results files of a benchmark: a CSV written row by row, and the description of the run beside it.

:class:`CsvRows` writes the header at once and flushes every row as soon as it is written, so an
interrupted benchmark keeps every finished run (``acyclic bench``'s ``runs.csv`` and the CSV of
each ``benchmarks/bench_*.py`` script). For the scripts, :func:`start_results` writes the command,
the date and the machine to ``<csv stem>.meta.json`` before the first run,
:func:`write_report` prints the Markdown summary and saves it, and :func:`print_saved_summary`
re-prints the summary of a CSV written earlier (their ``--summarize``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

__all__ = ["CsvRows", "meta_path", "print_saved_summary", "read_csv_rows", "start_results", "write_report"]


def _plain(value):
    """numpy scalars → Python scalars."""
    return value.item() if hasattr(value, "item") else value


class CsvRows:
    """A CSV file written row by row: the header at once, then one flushed line per row.

    Parameters
    ----------
    path : str or os.PathLike
        The file (overwritten).
    columns : sequence of str
        The header; every row's keys must be among them (missing ones are left empty).

    Examples
    --------
    >>> with CsvRows(path, ["method", "seconds"]) as rows:  # doctest: +SKIP
    ...     rows.write({"method": "notears", "seconds": 1.5})
    """

    def __init__(self, path, columns: Sequence[str]):
        self.path = Path(path)
        self._file = open(self.path, "w", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._file, fieldnames=list(columns))
        self._writer.writeheader()
        self._file.flush()

    def write(self, row: Dict[str, object]) -> None:
        """Append one row and flush it to disk.

        Parameters
        ----------
        row : dict
            Column → value; None is written as an empty cell, numpy scalars as Python ones.
        """
        self._writer.writerow({k: "" if v is None else _plain(v) for k, v in row.items()})
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> CsvRows:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def read_csv_rows(path) -> List[Dict[str, str]]:
    """The rows of a CSV file, every value a string.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    list of dict
        One dict per row, keyed by the header.
    """
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def meta_path(csv_path) -> Path:
    """Where the description of the run that wrote ``csv_path`` is kept.

    Parameters
    ----------
    csv_path : str or os.PathLike
        The results CSV, e.g. ``results/notears.csv``.

    Returns
    -------
    pathlib.Path
        The same path with the suffix ``.meta.json``, e.g. ``results/notears.meta.json``.
    """
    return Path(csv_path).with_suffix(".meta.json")


def start_results(prog: str, argv: Optional[Sequence[str]], out, threads: Optional[int], **extra) -> Dict[str, object]:
    """Describe a benchmark run and write the description beside its results CSV.

    Parameters
    ----------
    prog : str
        How the benchmark is started, e.g. ``"python -m benchmarks.bench_notears"``.
    argv : sequence of str or None
        Its arguments (``sys.argv[1:]`` when None).
    out : str or os.PathLike
        The results CSV (its folder is created if missing).
    threads : int or None
        Threads per run, recorded with the machine.
    **extra
        More JSON-serialisable entries (peer versions, hyper-parameters, ...).

    Returns
    -------
    dict
        ``command`` (``prog`` and the quoted arguments), ``date``, ``machine``
        (:func:`acyclic.bench.process.machine_info`) and ``extra``, as written to
        :func:`meta_path` of ``out``.
    """
    import shlex
    import sys
    import time

    from .process import machine_info

    meta = {
        "command": f"{prog} " + shlex.join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine_info(threads=threads),
        **extra,
    }
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta_path(out).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def write_report(report: str, markdown=None) -> None:
    """Print a Markdown report and save it.

    Parameters
    ----------
    report : str
        The report.
    markdown : str or os.PathLike, optional
        Where to save it too (its folder is created if missing).
    """
    print(report)
    if markdown:
        markdown = Path(markdown)
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(report + "\n")


def print_saved_summary(csv_path, markdown, summarize: Callable[[List[Dict[str, str]], Optional[dict]], str]) -> int:
    """Re-print the summary of a results CSV written earlier (a script's ``--summarize``).

    Parameters
    ----------
    csv_path : str or os.PathLike
        The CSV.
    markdown : str or os.PathLike or None
        Where to save the summary too.
    summarize : callable
        ``summarize(rows, meta)`` → Markdown, with the rows as read from the CSV (strings) and
        the description from :func:`meta_path` (None when there is none).

    Returns
    -------
    int
        Exit code 0.
    """
    rows = read_csv_rows(csv_path)
    saved = meta_path(csv_path)
    write_report(summarize(rows, json.loads(saved.read_text()) if saved.exists() else None), markdown)
    return 0
