"""Figures of a suite (matplotlib, Agg backend): SHD and seconds against d, one heat-map.

* ``shd_vs_d.png`` — mean SHD against d (bars: min–max over seeds), one line per method, one
  panel per group of settings (log-scaled d);
* ``seconds_vs_d.png`` — mean fit seconds against d, log-log;
* ``heatmap.png`` — truth vs estimate of one run (:func:`acyclic.plotting.plot_truth_vs_estimate`):
  by default the first learner's first successful run on the largest d of the first group.

The two curves need at least two values of d and are skipped otherwise (e.g. Sachs).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

from .report import setting_group

if TYPE_CHECKING:
    import numpy as np

__all__ = ["plot_metric_vs_d", "pick_heatmap_run", "plot_heatmap", "write_plots"]


def _pyplot():
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def plot_metric_vs_d(rows: Sequence[Dict[str, Any]], key: str, *, ylabel: str, log_y: bool = False):
    """One panel per group of settings, one line per method: mean of ``key`` against d.

    Bars span the seeds' minimum to maximum (never below zero, so they suit a log axis).

    Parameters
    ----------
    rows : sequence of dict
        Rows of ``runs.csv``; only successful runs are drawn.
    key : str
        The column, e.g. ``"shd"`` or ``"seconds"``.
    ylabel : str
        Label of the y axis.
    log_y : bool, default False
        Log-scale the y axis too (d is always log-scaled).

    Returns
    -------
    matplotlib.figure.Figure or None
        None when no group has two values of d.
    """
    plt = _pyplot()
    from matplotlib.ticker import NullFormatter

    ok = [r for r in rows if r["status"] == "ok" and r.get(key) is not None]
    groups: Dict[str, List[Dict[str, Any]]] = {}
    for r in ok:
        groups.setdefault(setting_group(r), []).append(r)
    groups = {g: rs for g, rs in groups.items() if len({r["d"] for r in rs}) >= 2}
    if not groups:
        return None
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups), 4.2), squeeze=False, sharey=log_y)
    methods = list(dict.fromkeys((r["method"], r["label"]) for r in ok))
    cmap = plt.get_cmap("tab10" if len(methods) <= 10 else "tab20")
    markers = "osD^v<>ph*"
    for ax, (heading, members) in zip(axes[0], groups.items()):
        for m, (name, label) in enumerate(methods):
            ds = sorted({r["d"] for r in members if r["method"] == name})
            if not ds:
                continue
            vals = [[float(r[key]) for r in members if r["method"] == name and r["d"] == d] for d in ds]
            means = [statistics.fmean(v) for v in vals]
            spread = [[m - min(v) for m, v in zip(means, vals)], [max(v) - m for m, v in zip(means, vals)]]
            ax.errorbar(ds, means, yerr=spread, label=label, color=cmap(m % cmap.N), marker=markers[m % len(markers)],
                        markersize=4, linewidth=1.2, capsize=2)  # fmt: skip
        ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        all_ds = sorted({r["d"] for r in members})
        ax.set_xticks(all_ds)
        ax.set_xticklabels([str(d) for d in all_ds])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("d (nodes)")
        ax.set_ylabel(ylabel)
        ax.set_title(heading, fontsize="small")
        ax.grid(True, which="major", alpha=0.3)
    handles: Dict[str, Any] = {}  # legend label → artist
    for ax in axes[0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    fig.tight_layout()
    fig.legend(handles.values(), handles.keys(), fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5))
    return fig


def pick_heatmap_run(rows: Sequence[Dict[str, Any]], estimates: Dict[int, np.ndarray],
                     method: Optional[str] = None) -> Optional[Dict[str, Any]]:  # fmt: skip
    """The run drawn in ``heatmap.png``.

    Parameters
    ----------
    rows : sequence of dict
        Rows of the suite.
    estimates : dict of int to ndarray
        Estimates by run index.
    method : str, optional
        Prefer this method; default: the first learner of the suite (else its first method).

    Returns
    -------
    dict or None
        The row of the first successful run, with an estimate, of that method on the largest d of
        the first group of settings (first seed); None when there is none.
    """
    ok = [r for r in rows if r["status"] == "ok" and r["run"] in estimates]
    if not ok:
        return None
    if method is None:
        learners = [r["method"] for r in ok if r.get("kind") == "learner"]
        method = learners[0] if learners else ok[0]["method"]
    chosen = [r for r in ok if r["method"] == method] or ok
    first_group = setting_group(chosen[0])
    chosen = [r for r in chosen if setting_group(r) == first_group]
    d_max = max(r["d"] for r in chosen)
    return next(r for r in chosen if r["d"] == d_max)


def plot_heatmap(row: Dict[str, Any], W):
    """Truth vs estimate of one run, the true graph rebuilt from the row's setting and seed.

    Parameters
    ----------
    row : dict
        The run's row.
    W : ndarray of shape (d, d)
        Its estimate.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..plotting import plot_truth_vs_estimate
    from .data import Setting, make_data

    setting = Setting(**{k: row[k] for k in ("graph", "k", "d", "n", "noise", "standardize")})
    B, _, _ = make_data(setting, int(row["seed"]))
    labels = None
    if setting.graph == "sachs":
        from ..datasets import load_sachs_adjacency

        labels = load_sachs_adjacency("dag17")[1]
    fig = plot_truth_vs_estimate(B, W, labels=labels)  # its title: SHD, TPR, FDR, NNZ
    fig.text(0.5, 1.0, f"{row['label']} on {setting.label()}, seed {row['seed']}", ha="center", va="bottom",
             fontsize="large")  # fmt: skip
    return fig


def write_plots(out_dir, rows: Sequence[Dict[str, Any]], estimates: Dict[int, np.ndarray],
                heatmap_method: Optional[str] = None) -> List[Path]:  # fmt: skip
    """Write ``shd_vs_d.png``, ``seconds_vs_d.png`` and ``heatmap.png`` into ``out_dir/plots``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The suite's output folder.
    rows : sequence of dict
        Its rows.
    estimates : dict of int to ndarray
        Its estimates by run index (for the heat-map).
    heatmap_method : str, optional
        Method of the heat-map (:func:`pick_heatmap_run`).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    plt = _pyplot()
    folder = Path(out_dir) / "plots"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    figures = [
        ("shd_vs_d.png", plot_metric_vs_d(rows, "shd", ylabel="SHD (reversed edge counted once)")),
        ("seconds_vs_d.png", plot_metric_vs_d(rows, "seconds", ylabel="fit seconds", log_y=True)),
    ]
    run = pick_heatmap_run(rows, estimates, heatmap_method)
    if run is not None:
        figures.append(("heatmap.png", plot_heatmap(run, estimates[run["run"]])))
    for name, fig in figures:
        if fig is None:
            continue
        try:
            width = fig.get_size_inches()[0]
            fig.savefig(folder / name, dpi=min(110.0, 1600.0 / width), bbox_inches="tight")  # ≤ ~1600 px wide
        finally:
            plt.close(fig)
        written.append(folder / name)
    return written
