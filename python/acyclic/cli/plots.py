"""Figures of ``acyclic learn --plot``: the learned graph, and for Sachs the truth-vs-estimate heat-maps."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Dict, List, Optional, Union

from .errors import CLIError
from .files import check_out_path

__all__ = ["check_plot_path", "truth_plot_path", "write_plots"]


def _plot_formats() -> Dict[str, str]:
    from matplotlib.backend_bases import FigureCanvasBase

    return FigureCanvasBase.get_supported_filetypes()


def check_plot_path(path: Optional[str]) -> None:
    """Fail before the fit on a ``--plot`` path that cannot be written.

    Parameters
    ----------
    path : str or None
        The path given to ``--plot`` (None: nothing to check).

    Raises
    ------
    CLIError
        If the folder does not exist or matplotlib cannot write the file's extension.
    """
    if path is None:
        return
    check_out_path(path, "--plot")
    ext = Path(path).suffix.lower().lstrip(".")
    formats = _plot_formats()
    if ext not in formats:
        raise CLIError(
            f"unknown image format {Path(path).suffix or '(no extension)'!r} for --plot "
            f"{path!r}; use e.g. .png, .pdf or .svg"
        )


def truth_plot_path(path: Path) -> Path:
    """The file of the truth-vs-estimate heat-maps beside a ``--plot`` file.

    Parameters
    ----------
    path : pathlib.Path
        The ``--plot`` file, e.g. ``sachs.png``.

    Returns
    -------
    pathlib.Path
        ``<stem>_vs_truth<suffix>`` in the same folder, e.g. ``sachs_vs_truth.png``.
    """
    return path.with_name(f"{path.stem}_vs_truth{path.suffix}")


def _pyplot():
    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # the command line only writes files; never open a window
    import matplotlib.pyplot as plt

    return plt


def write_plots(G, path: Union[str, os.PathLike], title: str, truth=None) -> List[Path]:
    """Draw the learned graph, and with a reference graph also the truth-vs-estimate heat-maps.

    Parameters
    ----------
    G : networkx.DiGraph
        The learned graph.
    path : str or os.PathLike
        The image file (format by extension).
    title : str
        Title of the graph drawing.
    truth : tuple, optional
        ``(B_true, W_est, labels, heading)``: the heat-maps then go to
        :func:`truth_plot_path` of ``path``, under ``heading``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from ..plotting import plot_graph, plot_truth_vs_estimate

    plt = _pyplot()
    written: List[Path] = []
    out = Path(path)
    ax = plot_graph(G)
    ax.set_title(title, fontsize="small")
    try:
        ax.figure.savefig(out, dpi=150, bbox_inches="tight")
    finally:
        plt.close(ax.figure)
    written.append(out)
    if truth is not None:
        B_true, W_est, labels, heading = truth
        fig = plot_truth_vs_estimate(B_true, W_est, labels=labels)
        if hasattr(fig, "get_suptitle"):  # matplotlib >= 3.8
            metrics_line = fig.get_suptitle()
        else:  # pragma: no cover - older matplotlib
            metrics_line = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
        fig.suptitle(f"{heading}\n{metrics_line}", fontsize="medium")
        second = truth_plot_path(out)
        try:
            fig.savefig(second, dpi=150, bbox_inches="tight")
        finally:
            plt.close(fig)
        written.append(second)
    return written
