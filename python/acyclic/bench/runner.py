"""Run a suite: every (setting, seed, method) in its own process, rows written as they finish.

:func:`run_suite` simulates each data set once in this process, computes its varsortability and
R²-sortability, then runs every method on it through :func:`acyclic.bench.process.run_in_subprocess`
(``n_jobs`` runs at a time, each with ``threads`` threads) and scores the returned weight matrix
here: SHD with a reversed edge counted once and twice, TPR, FDR, FPR, NNZ, is_dag, and the
least-squares score on the data as fed. On an interventional setting the run fits the method twice
on the same rows, with the intervention mask (the scored estimate) and without it (the ``obs_*``
columns); a method that does not take the mask yet gives a row with ``status="unsupported"``, the
reason, and its observational figures. Every row has the empty graph's SHD (``empty_shd``). A run that raises becomes a row with ``status="error"``
and the message, one killed at ``timeout`` a row with ``status="timeout"``, a method that is not
installed rows with ``status="skipped"``; the suite carries on. Each row is appended to
``runs.csv`` as soon as its run ends (and the file is rewritten in plan order at the end), so a
Ctrl-C keeps every finished row (the running runs are
killed and the result says ``interrupted``).
"""

from __future__ import annotations

import csv
import json
import shlex
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from .data import Setting, least_squares_score, make_data, make_interventional_data
from .methods import Method, resolve_methods
from .process import kill_running, machine_info, run_in_subprocess
from .results import CsvRows
from .suites import Suite

if TYPE_CHECKING:
    import numpy as np

__all__ = ["COLUMNS", "Run", "SuiteResult", "plan_runs", "run_suite", "read_rows", "FIT_FUNCTION",
           "FIT_INTERVENTIONAL_FUNCTION"]  # fmt: skip

#: The function every run's child process calls.
FIT_FUNCTION = "acyclic.bench.methods:fit_in_child"

#: The function of an interventional setting's runs: the fit with the mask and the one without.
FIT_INTERVENTIONAL_FUNCTION = "acyclic.bench.methods:fit_interventional_in_child"

#: Columns of ``runs.csv`` (one row per run), documented in ``benchmarks/README.md``.
COLUMNS = [
    "run", "suite", "method", "label", "kind", "graph", "k", "d", "n", "noise", "standardize", "seed",
    "status", "error", "seconds", "wall_seconds", "peak_rss_mib",
    "shd", "shd_reversed_twice", "shd_cpdag", "tpr", "fdr", "fpr", "nnz", "n_true_edges", "is_dag", "ls_score",
    "varsortability", "r2_sortability", "n_iter", "converged", "threads",
    "interventional", "targets", "n_per_target", "n_rows", "n_targeted", "empty_shd",
    "obs_shd", "obs_tpr", "obs_fdr", "obs_nnz", "obs_seconds",
]  # fmt: skip

_INT = {"run", "k", "d", "n", "seed", "shd", "shd_reversed_twice", "shd_cpdag", "nnz", "n_true_edges", "n_iter", "threads",
        "n_per_target", "n_rows", "n_targeted", "empty_shd", "obs_shd", "obs_nnz"}  # fmt: skip
_FLOAT = {"seconds", "wall_seconds", "peak_rss_mib", "tpr", "fdr", "fpr", "ls_score", "varsortability",
          "r2_sortability", "targets", "obs_tpr", "obs_fdr", "obs_seconds"}  # fmt: skip
_BOOL = {"standardize", "is_dag", "converged", "interventional"}


@dataclass(frozen=True)
class Run:
    """One planned run.

    Parameters
    ----------
    index : int
        Position in the plan (the ``run`` column; also the key of its estimate).
    method : Method
        The method.
    setting : Setting
        The data setting.
    seed : int
        The data-set seed and the method's ``random_state``.
    """

    index: int
    method: Method
    setting: Setting
    seed: int


@dataclass
class SuiteResult:
    """What :func:`run_suite` returns.

    Parameters
    ----------
    rows : list of dict
        One row per finished run (columns :data:`COLUMNS`), in plan order.
    estimates : dict of int to ndarray
        The weight matrix of every successful run, by run index.
    meta : dict
        The command, date, machine, suite, options, wall time and skip notices.
    out_dir : pathlib.Path or None
        Where the files went.
    interrupted : bool
        Whether Ctrl-C ended the suite early.
    """

    rows: List[Dict[str, Any]]
    estimates: Dict[int, np.ndarray] = field(default_factory=dict)
    meta: Dict[str, Any] = field(default_factory=dict)
    out_dir: Optional[Path] = None
    interrupted: bool = False


def plan_runs(suite: Suite, methods: Optional[Sequence[Method]] = None) -> List[Run]:
    """Every (setting, seed, method) of a suite, settings outermost.

    Parameters
    ----------
    suite : Suite
        The suite.
    methods : sequence of Method, optional
        Instead of the suite's own.

    Returns
    -------
    list of Run
    """
    methods = list(methods) if methods is not None else resolve_methods(suite.methods)
    runs: List[Run] = []
    for setting in suite.settings():
        for seed in suite.seeds:
            for method in methods:
                runs.append(Run(len(runs), method, setting, int(seed)))
    return runs


class _Data:
    """The data sets of a suite, simulated once each, with their sortability (thread-safe)."""

    def __init__(self) -> None:
        self._cache: Dict[Tuple[Setting, int], object] = {}
        self._lock = threading.Lock()

    def get(self, setting: Setting, seed: int):
        """``(B, X, mask, varsortability, r2_sortability)`` (``mask`` None for observational data) or
        the exception that simulation raised."""
        key = (setting, seed)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._make(setting, seed)
            return self._cache[key]

    @staticmethod
    def _make(setting: Setting, seed: int):
        from ..metrics import r2_sortability, varsortability

        mask = None
        try:
            if setting.interventional:
                B, _, X, mask = make_interventional_data(setting, seed)
            else:
                B, _, X = make_data(setting, seed)
        except Exception as exc:  # a setting the simulators reject: every run of it fails
            return exc
        try:
            r2 = r2_sortability(X, B)
        except Exception:  # e.g. a constant column
            r2 = None
        return B, X, mask, varsortability(X, B), r2


def _accuracy(B, W) -> Dict[str, Any]:
    import numpy as np

    from ..metrics import count_accuracy

    W = np.asarray(W, dtype=np.float64)
    if W.shape != B.shape or not np.all(np.isfinite(W)):
        raise ValueError(f"the estimate is not a finite {B.shape[0]}×{B.shape[1]} matrix (shape {W.shape})")
    return count_accuracy(B, W)


def _cpdag_distance(B, W) -> Any:
    """SHD between the CPDAGs of the truth and the estimate (None when the estimate has a cycle)."""
    import numpy as np

    from ..exceptions import InvalidInputError
    from ..metrics import shd_cpdag

    try:
        return shd_cpdag(B, (np.asarray(W) != 0).astype(np.int64))
    except InvalidInputError:
        return None


def _score(row: Dict[str, Any], B, X, W, interventional: bool = False) -> None:
    """Fill the accuracy columns of ``row`` from the estimate ``W`` (no least-squares score for an
    interventional fit: its loss leaves out each node's intervened rows)."""
    acc = _accuracy(B, W)
    row.update(shd_cpdag=_cpdag_distance(B, W))
    row.update(shd=acc["shd"], shd_reversed_twice=acc["shd"] + acc["reversed"], tpr=acc["tpr"],
               fdr=acc["fdr"], fpr=acc["fpr"], nnz=acc["nnz"], is_dag=acc["is_dag"],
               ls_score=None if interventional else least_squares_score(X, W))  # fmt: skip


def _score_observational(row: Dict[str, Any], B, W_obs) -> None:
    """Fill the ``obs_*`` columns from the fit without the mask."""
    acc = _accuracy(B, W_obs)
    row.update(obs_shd=acc["shd"], obs_tpr=acc["tpr"], obs_fdr=acc["fdr"], obs_nnz=acc["nnz"])


def _base_row(run: Run, suite_name: str, threads: int) -> Dict[str, Any]:
    row: Dict[str, Any] = {c: None for c in COLUMNS}
    row.update(run.setting.as_dict())
    row.update(run=run.index, suite=suite_name, method=run.method.name, label=run.method.label,
               kind=run.method.kind, seed=run.seed, threads=threads)  # fmt: skip
    return row


def _execute(run: Run, suite_name: str, data: _Data, timeout: float, threads: int, skip: Optional[str]):
    """One run, from data to scored row: ``(row, W or None)``."""
    row = _base_row(run, suite_name, threads)
    if skip is not None:
        row.update(status="skipped", error=skip)
        return row, None
    made = data.get(run.setting, run.seed)
    if isinstance(made, Exception):
        row.update(status="error", error=f"data: {type(made).__name__}: {made}")
        return row, None
    B, X, mask, vsort, r2sort = made
    row.update(n_true_edges=int(B.sum()), empty_shd=int(B.sum()), varsortability=vsort, r2_sortability=r2sort,
               n_rows=int(X.shape[0]))  # fmt: skip
    kwargs = {"method": run.method.job(), "seed": run.seed, "threads": threads}
    if mask is None:
        res = run_in_subprocess(FIT_FUNCTION, kwargs, timeout, threads=threads, arrays={"X": X})
    else:
        row["n_targeted"] = int(mask.any(axis=0).sum())
        res = run_in_subprocess(FIT_INTERVENTIONAL_FUNCTION, kwargs, timeout, threads=threads,
                                arrays={"X": X, "intervention_mask": mask})  # fmt: skip
    for key in ("seconds", "wall_seconds", "peak_rss_mib", "n_iter", "converged", "obs_seconds"):
        row[key] = res.get(key)
    if res.get("error") is not None:
        row.update(status="timeout" if res.get("timed_out") else "error", error=str(res["error"]))
        return row, None
    try:
        if mask is not None:
            _score_observational(row, B, res["W_obs"])
        if res.get("unsupported"):
            row.update(status="unsupported", error=str(res["unsupported"]))
            return row, None
        _score(row, B, X, res["W"], interventional=mask is not None)
    except Exception as exc:  # a malformed estimate: keep the row, say why
        row.update(status="error", error=f"scoring: {type(exc).__name__}: {exc}")
        return row, None
    row["status"] = "ok"
    return row, res["W"]


def _plain(value):
    """numpy scalars → Python scalars (for CSV and JSON)."""
    return value.item() if hasattr(value, "item") else value


def run_suite(
    suite: Suite,
    *,
    methods: Optional[Sequence[Method]] = None,
    out_dir=None,
    n_jobs: int = 1,
    threads: int = 1,
    progress: Optional[bool] = None,
    command: Optional[Sequence[str]] = None,
    notice: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True),
) -> SuiteResult:
    """Run every (setting, seed, method) of a suite, each in its own process.

    Parameters
    ----------
    suite : Suite
        The suite (its ``timeout`` applies to every run).
    methods : sequence of Method, optional
        Instead of the suite's own (e.g. a method that is not in the registry).
    out_dir : str or os.PathLike, optional
        Folder for ``runs.csv`` (appended to as runs finish, rewritten in plan order at the
        end), ``runs.json``, ``meta.json`` and
        ``estimates.npz`` (the weight matrix of every successful run, key ``run<index>``);
        created if needed. Nothing is written when None.
    n_jobs : int, default 1
        Runs at a time; -1: one per CPU. Each run is its own process with ``threads`` threads,
        so ``n_jobs × threads`` should not exceed the cores when the seconds matter.
    threads : int, default 1
        Threads per run (``n_jobs`` of the learners, the BLAS thread variables).
    progress : bool, optional
        Show a tqdm progress bar on stderr; default: when stderr is a terminal.
    command : sequence of str, optional
        The command line, recorded in ``meta.json``.
    notice : callable, default print to stderr
        Receives the one-line notices (skipped methods, failed runs).

    Returns
    -------
    SuiteResult
        Rows in plan order, estimates, meta. After a Ctrl-C the running runs are killed, the
        rows of the finished ones are kept and written, and ``interrupted`` is True (the
        :class:`KeyboardInterrupt` is not re-raised: the caller decides).
    """
    import os

    import numpy as np
    from tqdm.auto import tqdm

    runs = plan_runs(suite, methods)
    n_workers = (os.cpu_count() or 1) if n_jobs in (-1, None) else max(1, int(n_jobs))
    skips: Dict[str, Optional[str]] = {}
    for run in runs:
        if run.method.name not in skips:
            skips[run.method.name] = run.method.unavailable()
            if skips[run.method.name]:
                notice(f"skipping {run.method.label} ({run.method.name}): {skips[run.method.name]}")
    meta = {
        "suite": suite.name,
        "description": suite.description,
        "command": None if command is None else shlex.join(["acyclic", *command]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine_info(threads=threads),
        "n_jobs": n_workers,
        "threads": int(threads),
        "timeout": float(suite.timeout),
        "methods": [m.name for m in (methods if methods is not None else resolve_methods(suite.methods))],
        "skipped": {k: v for k, v in skips.items() if v},
        "runs_planned": len(runs),
    }
    out = Path(out_dir) if out_dir is not None else None
    appender = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        appender = CsvRows(out / "runs.csv", COLUMNS)

    data = _Data()
    stop = threading.Event()
    rows: Dict[int, Dict[str, Any]] = {}
    estimates: Dict[int, np.ndarray] = {}
    interrupted = False
    started = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else bool(progress)
    bar = tqdm(total=len(runs), desc=f"acyclic bench {suite.name}", unit="run", disable=not show, file=sys.stderr)
    say = (lambda text: bar.write(text, file=sys.stderr)) if show else notice

    def job(run: Run):
        if stop.is_set():
            return None
        try:
            return _execute(run, suite.name, data, suite.timeout, threads, skips[run.method.name])
        except Exception as exc:  # the harness itself failed on this run (e.g. no process could start)
            row = _base_row(run, suite.name, threads)
            row.update(status="error", error=f"harness: {type(exc).__name__}: {exc}")
            return row, None

    pool = ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="acyclic-bench")
    try:
        pending = {pool.submit(job, run): run for run in runs}
        while pending:
            done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                run = pending.pop(future)
                result = future.result()
                if result is None:
                    continue
                row, W = result
                rows[run.index] = row
                if W is not None:
                    estimates[run.index] = np.asarray(W)
                if appender is not None:
                    appender.write(row)
                if row["status"] in ("error", "timeout"):
                    say(
                        f"{row['status']}: {run.method.label}, {run.setting.label()}, seed {run.seed}: "
                        f"{_one_line(row['error'])}"
                    )
                bar.set_postfix_str(f"{run.method.name} d={run.setting.d}", refresh=False)
                bar.update(1)
    except KeyboardInterrupt:
        interrupted = True
        stop.set()
        for future in pending:
            future.cancel()
        while not all(f.done() for f in pending):  # end the runs that are going; their rows are dropped
            kill_running()
            time.sleep(0.05)
    finally:
        pool.shutdown(wait=True)
        bar.close()
        if appender is not None:
            appender.close()

    ordered = [rows[i] for i in sorted(rows)]
    meta.update(wall_seconds=time.perf_counter() - started, runs_finished=len(ordered), interrupted=interrupted)
    result = SuiteResult(ordered, estimates, meta, out, interrupted)
    if out is not None:
        _write_final(out, result)
    return result


def _one_line(text) -> str:
    return " ".join(str(text).split())[:300]


def _write_final(out: Path, result: SuiteResult) -> None:
    """``runs.csv`` again in plan order (it was written in finishing order), ``runs.json``,
    ``meta.json`` and ``estimates.npz``."""
    import os

    import numpy as np

    tmp = out / "runs.csv.tmp"
    appender = CsvRows(tmp, COLUMNS)
    for row in result.rows:
        appender.write(row)
    appender.close()
    os.replace(tmp, out / "runs.csv")

    (out / "runs.json").write_text(json.dumps([{k: _plain(v) for k, v in r.items()} for r in result.rows],
                                              indent=1) + "\n")  # fmt: skip
    (out / "meta.json").write_text(json.dumps(result.meta, indent=2) + "\n")
    # Called through Any: numpy >= 2.1's stubs type an allow_pickle keyword that the ** mapping would be
    # matched against, and passing allow_pickle itself to an older numpy saves an array of that name.
    savez: Any = np.savez_compressed
    savez(out / "estimates.npz", **{f"run{i}": W for i, W in result.estimates.items()})


def read_rows(path) -> List[Dict[str, Any]]:
    """Rows of a ``runs.csv`` written by :func:`run_suite`, with their types restored.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.

    Returns
    -------
    list of dict
        Empty cells become None; integer, float and boolean columns are converted.
    """
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for raw in csv.DictReader(f):
            row: Dict[str, Any] = {}
            for key, value in raw.items():
                if value in ("", None):
                    row[key] = None
                elif key in _INT:
                    row[key] = int(float(value))
                elif key in _FLOAT:
                    row[key] = float(value)
                elif key in _BOOL:
                    row[key] = value == "True"
                else:
                    row[key] = value
            rows.append(row)
    return rows
