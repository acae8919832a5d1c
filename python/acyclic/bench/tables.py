"""Cells of the Markdown tables of the head-to-head benchmark scripts (``benchmarks/bench_*.py``).

Those scripts compare one of our learners with another implementation run by run, read their rows
back from CSV (every value a string) and print mean ± sd over seeds and speed ratios paired by
seed. :func:`parse_number` reads a cell, :func:`format_number` writes one, :func:`mean_sd_text`
and :func:`ratio_text` summarise a column, :func:`failed_runs_lines` lists the runs that failed.

The numbers are written as those scripts have always written them, which differs a little from
the suite summaries of ``acyclic bench`` (:func:`acyclic.bench.report.mean_sd`): the sd gets as
many significant digits as the mean, and large numbers are written in full.
"""

from __future__ import annotations

import math
import statistics
from typing import Dict, Iterable, List, Optional

__all__ = ["failed_runs_lines", "format_number", "mean_sd_text", "parse_number", "ratio_text"]


def parse_number(value) -> Optional[float]:
    """A table cell as a float.

    Parameters
    ----------
    value : object
        A number, a CSV cell (``"1.5"``, ``"True"``, ``""``) or None.

    Returns
    -------
    float or None
        The number (``"True"``/``"False"`` → 1.0/0.0), None for a missing or non-numeric value.
    """
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if value in ("True", "False"):
        return float(value == "True")
    try:
        return float(value)
    except ValueError:
        return None


def format_number(x, digits: int = 3) -> str:
    """A number for a table cell.

    Parameters
    ----------
    x : float or None
        The number.
    digits : int, default 3
        Significant digits.

    Returns
    -------
    str
        ``"–"`` for None or NaN, ``"0"`` for zero, the integer part for numbers of more than
        ``digits`` digits, scientific notation below 1e-3, else ``digits`` significant digits.
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if x == 0:
        return "0"
    if abs(x) >= 10**digits:
        return f"{x:.0f}"
    if abs(x) < 1e-3:
        return f"{x:.{digits - 1}e}"
    return f"{x:.{digits}g}"


def mean_sd_text(values: Iterable[Optional[float]], digits: int = 3) -> str:
    """``"mean ± sd"`` of the values that are not None.

    Parameters
    ----------
    values : iterable of float or None
        The values (None is skipped).
    digits : int, default 3
        Significant digits of the mean and of the sd (:func:`format_number`).

    Returns
    -------
    str
        ``"–"`` without values, the value alone for one value, else ``"mean ± sd"`` (sample sd).
    """
    present = [v for v in values if v is not None]
    if not present:
        return "–"
    if len(present) == 1:
        return format_number(present[0], digits)
    return f"{format_number(statistics.fmean(present), digits)} ± {format_number(statistics.stdev(present), digits)}"


def ratio_text(ratios: Iterable[Optional[float]]) -> str:
    """Geometric mean and range of ratios, e.g. speed-ups paired by seed.

    Parameters
    ----------
    ratios : iterable of float or None
        The ratios; None, non-positive and non-finite ones are skipped.

    Returns
    -------
    str
        ``"–"`` without ratios, ``"2.5×"`` for one, ``"2.5× (1.9–3.1)"`` (geometric mean, min–max)
        for several.
    """
    kept = [r for r in ratios if r is not None and r > 0 and math.isfinite(r)]
    if not kept:
        return "–"
    geo = math.exp(statistics.fmean(math.log(r) for r in kept))
    if len(kept) == 1:
        return f"{geo:.3g}×"
    return f"{geo:.3g}× ({min(kept):.3g}–{max(kept):.3g})"


def failed_runs_lines(rows: Iterable[Dict[str, object]]) -> List[str]:
    """Markdown lines listing the runs that failed.

    Parameters
    ----------
    rows : iterable of dict
        Rows with ``method``, ``d``, ``seed`` and ``error`` (empty or None when the run succeeded).

    Returns
    -------
    list of str
        ``"Failed runs:"``, a blank line, one ``"- method d=… seed=…: error"`` line per failure and
        a blank line; empty when no run failed.
    """
    errors = [r for r in rows if r["error"]]
    if not errors:
        return []
    return ["Failed runs:", "", *[f"- {r['method']} d={r['d']} seed={r['seed']}: {r['error']}" for r in errors], ""]
