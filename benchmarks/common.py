"""Shared pieces of the benchmark suites: data, the common objective, the one-run-per-process runner.

- :func:`make_data` simulates one benchmark setting with ``acyclic.simulate``.
- :func:`objective` scores any method's unthresholded W the same way.
- :func:`run_in_subprocess` runs one fit in a fresh child process (thread variables set before numpy
  is imported there), measures its peak memory with ``os.wait4`` and kills only that child on timeout.
- :func:`machine_info` describes the machine for the results files; :func:`start_results` writes it
  (with the command and the date) beside a results CSV, and :func:`print_saved_summary` re-prints
  the summary of a CSV written earlier (every script's ``--summarize``).

The process side is ``python -m benchmarks.common --launch <job.json>`` (a small stdlib-only launcher
that reaps the fit process with ``os.wait4``) and ``--one <job.json>`` (the fit itself); both are
started by :func:`run_in_subprocess` and are not meant to be called by hand.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Setting:
    """One benchmark setting: a graph model, its size, the SEM and the preprocessing."""

    graph: str = "ER"  # "ER" or "SF"
    k: int = 2  # expected edges per node: s0 = k * d
    d: int = 10
    n: int = 1000
    noise: str = "gauss"  # sem_type of simulate_linear_sem: gauss, exp, gumbel, ...
    standardize: bool = False  # standardize the columns of X before every fit

    def as_dict(self):
        return asdict(self)


def _sub_seeds(seed: int, count: int):
    """Independent integer seeds for the graph, the weights and the samples of one data set."""
    import numpy as np

    children = np.random.SeedSequence([int(seed), 20180101]).spawn(count)
    return [int(c.generate_state(1)[0]) for c in children]


def make_data(setting: Setting, seed: int):
    """Simulate (B_true, W_true, X) for ``setting`` and ``seed`` with ``acyclic.simulate``.

    ``s0 = k * d`` edges are requested. The graph, the weights and the noise get three independent
    seeds derived from ``seed`` (so the same ``seed`` always gives the same data set). With
    ``setting.standardize`` the columns of X are centred and scaled to unit variance here, so every
    method sees the same standardized array.
    """
    import numpy as np
    from acyclic import simulate

    s_graph, s_weights, s_noise = _sub_seeds(seed, 3)
    B = simulate.simulate_dag(setting.d, setting.k * setting.d, setting.graph, random_state=s_graph)
    W = simulate.simulate_parameter(B, random_state=s_weights)
    X = simulate.simulate_linear_sem(W, setting.n, setting.noise, random_state=s_noise)
    B = (np.asarray(B) != 0).astype(np.int8)
    W = np.asarray(W, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if setting.standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return B, W, X


def objective(X, W_raw, lambda1):
    """l2 loss on column-centred X plus λ1‖W‖₁: ``1/(2n)‖Xc − Xc W‖² + λ1 Σ|W|``.

    Computed by the harness (not by the methods) from each method's unthresholded W, so the
    figure means the same thing for every method.
    """
    import numpy as np

    X = np.asarray(X, dtype=np.float64)
    W_raw = np.asarray(W_raw, dtype=np.float64)
    Xc = X - X.mean(axis=0, keepdims=True)
    R = Xc - Xc @ W_raw
    return float(0.5 / X.shape[0] * np.sum(R * R) + lambda1 * np.abs(W_raw).sum())


# --------------------------------------------------------------------------------------------------
# One run per child process


def child_env(threads: int):
    """The environment for a child: thread variables set, the repository root importable."""
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(threads)
    path = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + path if path else "")
    return env


def _wait_with_timeout(pid: int, timeout: float):
    """Reap ``pid`` with ``os.wait4``; SIGKILL it (only it) after ``timeout`` seconds.

    Returns (status, rusage, timed_out).
    """
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        reaped, status, rusage = os.wait4(pid, os.WNOHANG)
        if reaped == pid:
            return status, rusage, False
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, rusage = os.wait4(pid, 0)
            return status, rusage, True
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def run_in_subprocess(fn_name, kwargs, timeout, threads=1, arrays=None):
    """Run ``fn_name(**arrays, **kwargs)`` in a fresh Python process and return its result dict.

    Parameters
    ----------
    fn_name : str
        ``"module:function"``, e.g. ``"benchmarks.bench_notears:fit_reference"``. The function
        returns a dict of JSON-serialisable scalars and numpy arrays.
    kwargs : dict
        JSON-serialisable keyword arguments.
    timeout : float
        Seconds of wall time before the run is killed (SIGKILL, that run only).
    threads : int
        Value of OMP/OPENBLAS/MKL_NUM_THREADS in the child (set before it imports numpy).
    arrays : dict of str -> ndarray, optional
        Passed through ``.npy`` files and given to the function as keyword arguments.

    Returns
    -------
    dict
        The function's scalars and arrays, plus ``peak_rss_mib`` (the child's ru_maxrss from
        ``os.wait4``: the whole process — interpreter, imports, inputs and fit), ``wall_seconds``
        (child start to exit) and ``error`` (None, or the exception / timeout / exit status text).

    Notes
    -----
    On Linux a child's ru_maxrss is at least the resident size of the process that forked it (the
    counters carry over through fork/vfork and exec), so a child forked by this — possibly large —
    process would report this process's memory. The fit therefore runs as the child of a small
    launcher (``python -m benchmarks.common --launch``, stdlib only) which reaps it with
    ``os.wait4`` and enforces the timeout. The launcher runs in its own session, so the backstop
    here (timeout + 60 s) kills that run's process group and nothing else.
    """
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="acyclic-bench-") as tmp:
        tmp = Path(tmp)
        array_paths = {}
        for name, value in (arrays or {}).items():
            path = tmp / f"in_{name}.npy"
            np.save(path, np.asarray(value))
            array_paths[name] = str(path)
        job = {
            "fn": fn_name,
            "kwargs": kwargs,
            "arrays": array_paths,
            "out": str(tmp / "out"),
            "timeout": float(timeout),
        }
        job_path = tmp / "job.json"
        job_path.write_text(json.dumps(job))
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.common", "--launch", str(job_path)],
            cwd=str(REPO_ROOT),
            env=child_env(threads),
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        backstop = False
        try:
            proc.wait(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            backstop = True
            _kill_group(proc)
        except BaseException:  # Ctrl-C here: end this run's processes, then stop
            _kill_group(proc)
            raise

        result = {"peak_rss_mib": None, "wall_seconds": None, "error": None}
        launch_path = tmp / "launch.json"
        if not launch_path.exists():
            result["error"] = (
                f"timeout after {timeout:g} s (launcher killed)"
                if backstop
                else f"launcher failed (exit status {proc.returncode})"
            )
            return result
        launch = json.loads(launch_path.read_text())
        result["peak_rss_mib"] = launch["maxrss_kib"] / 1024.0  # ru_maxrss is in KiB on Linux
        result["wall_seconds"] = launch["wall_seconds"]
        out = tmp / "out"
        if launch["timed_out"]:
            result["error"] = f"timeout after {timeout:g} s"
        elif (out / "result.json").exists():
            payload = json.loads((out / "result.json").read_text())
            result.update(payload["scalars"])
            for name in payload["arrays"]:
                result[name] = np.load(out / f"{name}.npy")
            result["error"] = payload.get("error")
        else:
            log = (tmp / "child.log").read_text(errors="replace")[-2000:].strip()
            result["error"] = f"child exited with status {launch['exit_code']}: {log}"
    return result


def _kill_group(proc):
    """SIGKILL the launcher's process group (the launcher and its fit process only)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _launch_main(job_path: str) -> int:
    """Launcher side of :func:`run_in_subprocess`: start the child, reap it with ``os.wait4``."""
    job = json.loads(Path(job_path).read_text())
    tmp = Path(job_path).parent
    started = time.perf_counter()
    with open(tmp / "child.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.common", "--one", job_path],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        status, rusage, timed_out = _wait_with_timeout(proc.pid, job["timeout"])
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by os.wait4 above
    launch = {
        "maxrss_kib": rusage.ru_maxrss,
        "wall_seconds": time.perf_counter() - started,
        "timed_out": timed_out,
        "exit_code": proc.returncode,
    }
    (tmp / "launch.json").write_text(json.dumps(launch))
    return 0


def _child_main(job_path: str) -> int:
    """Child side of :func:`run_in_subprocess`."""
    import importlib
    import traceback

    import numpy as np

    job = json.loads(Path(job_path).read_text())
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    scalars, arrays, error = {}, {}, None
    try:
        module_name, func_name = job["fn"].split(":")
        func = getattr(importlib.import_module(module_name), func_name)
        inputs = {name: np.load(path) for name, path in job["arrays"].items()}
        result = func(**inputs, **job["kwargs"])
        for name, value in result.items():
            if isinstance(value, np.ndarray):
                np.save(out / f"{name}.npy", value)
                arrays[name] = True
            elif isinstance(value, np.generic):
                scalars[name] = value.item()
            else:
                scalars[name] = value
    except Exception as exc:  # recorded in the row; the parent carries on with the next run
        error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    (out / "result.json").write_text(
        json.dumps({"scalars": scalars, "arrays": sorted(arrays), "error": error})
    )
    return 0


# --------------------------------------------------------------------------------------------------
# Machine description


def machine_info(threads=None):
    """A dict describing the machine and the numeric stack, for the results files."""
    import numpy as np
    import scipy

    info = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "blas": None,
        "threads": threads,
    }
    try:
        cpu_model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        info["processor"] = cpu_model
    except (OSError, StopIteration):
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # numpy < 1.25 or an unusual build: leave it out
        pass
    try:
        import acyclic

        info["acyclic"] = getattr(acyclic, "__version__", "unknown")
    except ImportError:
        info["acyclic"] = None
    return info


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        sys.exit(_child_main(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "--launch":
        sys.exit(_launch_main(sys.argv[2]))
    sys.exit("usage: python -m benchmarks.common --launch|--one JOB.json (used by run_in_subprocess)")


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
