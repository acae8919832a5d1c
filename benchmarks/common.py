"""Shared pieces of the benchmark scripts: data, the common objective, the one-run-per-process runner.

The logic lives in the installed package (:mod:`acyclic.bench`, which also serves ``acyclic bench``);
this module adapts it to the scripts in this folder:

- :class:`Setting` and :func:`make_data` (``acyclic.bench.data``) simulate one benchmark setting;
- :func:`objective` scores any method's unthresholded W the same way (least squares + λ1‖W‖₁);
- :func:`run_in_subprocess` is ``acyclic.bench.process.run_in_subprocess`` with the repository root
  as the child's working folder and on its ``PYTHONPATH`` (so ``"benchmarks.bench_x:fit"`` imports);
  it measures the fit process's peak memory with ``os.wait4`` and kills only that run on timeout;
- :func:`machine_info` describes the machine; :func:`start_results` writes it (with the command and
  the date) beside a results CSV, and :func:`print_saved_summary` re-prints the summary of a CSV
  written earlier (every script's ``--summarize``).
"""

from __future__ import annotations

import json
from pathlib import Path

from acyclic.bench.data import Setting, least_squares_score, make_data
from acyclic.bench.process import THREAD_VARS, machine_info
from acyclic.bench.process import run_in_subprocess as _run_in_subprocess

__all__ = ["REPO_ROOT", "THREAD_VARS", "Setting", "make_data", "objective", "run_in_subprocess", "machine_info",
           "meta_path", "start_results", "print_saved_summary"]  # fmt: skip

REPO_ROOT = Path(__file__).resolve().parent.parent


def objective(X, W_raw, lambda1):
    """l2 loss on column-centred X plus λ1‖W‖₁: ``1/(2n)‖Xc − Xc W‖² + λ1 Σ|W|``.

    Computed by the harness (not by the methods) from each method's unthresholded W, so the
    figure means the same thing for every method.
    """
    import numpy as np

    return least_squares_score(X, W_raw) + lambda1 * float(np.abs(np.asarray(W_raw, dtype=np.float64)).sum())


def run_in_subprocess(fn_name, kwargs, timeout, threads=1, arrays=None):
    """Run ``fn_name(**arrays, **kwargs)`` in a fresh process (see ``acyclic.bench.process``).

    ``fn_name`` is ``"module:function"``, e.g. ``"benchmarks.bench_notears:fit_reference"``; the
    child runs in the repository root with it on ``PYTHONPATH``. Returns the function's scalars
    and arrays plus ``peak_rss_mib``, ``wall_seconds``, ``timed_out`` and ``error``.
    """
    return _run_in_subprocess(fn_name, kwargs, timeout, threads=threads, arrays=arrays, cwd=str(REPO_ROOT),
                              pythonpath=[str(REPO_ROOT)])  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Results files


def meta_path(csv_path: Path) -> Path:
    """Where the description of the run that wrote ``csv_path`` is kept."""
    return Path(csv_path).with_suffix(".meta.json")


def start_results(script: str, argv, out: Path, threads, **extra) -> dict:
    """The run's description (command, date, machine, ``extra``), written beside ``out``."""
    import shlex
    import sys
    import time

    meta = {
        "command": f"python -m benchmarks.{script} " + shlex.join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine_info(threads=threads),
        **extra,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    meta_path(out).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def print_saved_summary(csv_path: Path, markdown, summarize) -> int:
    """``summarize(rows, meta)`` of a CSV written earlier: printed, and written to ``markdown``."""
    import csv

    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    saved = meta_path(csv_path)
    report = summarize(rows, json.loads(saved.read_text()) if saved.exists() else None)
    print(report)
    if markdown:
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(report + "\n")
    return 0
