"""``acyclic bench``: benchmark suites of the learners, the baselines and peer packages.

Modules, one job each:

* :mod:`~acyclic.bench.data` — a setting's data (simulated linear SEM or Sachs) and the
  least-squares and penalized scores;
* :mod:`~acyclic.bench.methods` — the registry of methods (name → estimator);
* :mod:`~acyclic.bench.peers` — adapters for peer packages (``dagma``, ``lingam``, gCastle);
* :mod:`~acyclic.bench.suites` — the named suites;
* :mod:`~acyclic.bench.process` — one run per child process (peak memory, timeout);
* :mod:`~acyclic.bench.runner` — the suite loop: parallel runs, scoring, ``runs.csv``;
* :mod:`~acyclic.bench.report` — the Markdown summary (mean ± sd per method and setting);
* :mod:`~acyclic.bench.plots` — SHD and seconds against d, a truth-vs-estimate heat-map;
* :mod:`~acyclic.bench.results` — results files: a CSV written row by row, the run's description;
* :mod:`~acyclic.bench.tables` — table cells of the head-to-head scripts in ``benchmarks/``;
* :mod:`~acyclic.bench.reference` — NOTEARS in numpy/scipy from the paper's formulas, the
  reference that ``acyclic.NOTEARS`` is compared with.

:func:`run_benchmark` does all of it for a suite; the scripts in ``benchmarks/`` build their
head-to-head comparisons from the same pieces. Names are imported on first use so that the child
processes (``python -m acyclic.bench.process``) start light.
"""

import importlib

_NAMES = {
    "Setting": ".data",
    "make_data": ".data",
    "least_squares_score": ".data",
    "penalized_score": ".data",
    "Method": ".methods",
    "METHODS": ".methods",
    "GROUPS": ".methods",
    "resolve_methods": ".methods",
    "Suite": ".suites",
    "SUITES": ".suites",
    "get_suite": ".suites",
    "run_in_subprocess": ".process",
    "machine_info": ".process",
    "peak_rss_mib": ".process",
    "timed": ".process",
    "run_suite": ".runner",
    "read_rows": ".runner",
    "COLUMNS": ".runner",
    "summarize": ".report",
    "CsvRows": ".results",
    "notears_linear": ".reference",
    "write_plots": ".plots",
    "run_benchmark": "._all",
}

__all__ = sorted(_NAMES)


def __getattr__(name):
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name], __name__), name)
    raise AttributeError(f"module 'acyclic.bench' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
