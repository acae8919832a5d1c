"""`run_benchmark`: a suite's runs, then its summary and figures."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from .methods import Method
from .plots import write_plots
from .report import summarize
from .runner import SuiteResult, run_suite
from .suites import Suite

__all__ = ["run_benchmark"]


def run_benchmark(
    suite: Suite,
    out_dir,
    *,
    methods: Optional[Sequence[Method]] = None,
    n_jobs: int = 1,
    threads: int = 1,
    progress: Optional[bool] = None,
    plots: bool = True,
    heatmap_method: Optional[str] = None,
    command: Optional[Sequence[str]] = None,
) -> SuiteResult:
    """Run a suite and write everything: rows, summary, figures.

    Files in ``out_dir``: ``runs.csv`` (one row per run, written as runs finish), ``runs.json``
    (the same rows), ``meta.json`` (command, date, machine, options, wall time),
    ``estimates.npz`` (each successful run's weight matrix, key ``run<index>``), ``summary.md``
    (:func:`acyclic.bench.report.summarize`) and, with ``plots``, ``plots/shd_vs_d.png``,
    ``plots/seconds_vs_d.png`` and ``plots/heatmap.png``. After a Ctrl-C the same files are
    written from the finished runs and ``interrupted`` is set on the result.

    Parameters
    ----------
    suite : Suite
        The suite.
    out_dir : str or os.PathLike
        Output folder (created if needed).
    methods : sequence of Method, optional
        Instead of the suite's own.
    n_jobs : int, default 1
        Runs at a time (-1: one per CPU).
    threads : int, default 1
        Threads per run.
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    plots : bool, default True
        Draw the figures.
    heatmap_method : str, optional
        Method of the heat-map (default: the first learner).
    command : sequence of str, optional
        The command-line arguments, for ``meta.json`` and the summary.

    Returns
    -------
    SuiteResult
        Its ``meta`` also lists the files written under ``"files"``.
    """
    out = Path(out_dir)
    result = run_suite(suite, methods=methods, out_dir=out, n_jobs=n_jobs, threads=threads,
                       progress=progress, command=command)  # fmt: skip
    files = [out / "runs.csv", out / "runs.json", out / "meta.json", out / "estimates.npz"]
    (out / "summary.md").write_text(summarize(result.rows, result.meta), encoding="utf-8")
    files.append(out / "summary.md")
    if plots and result.rows:
        files += write_plots(out, result.rows, result.estimates, heatmap_method)
    result.meta["files"] = [str(f) for f in files]
    return result
