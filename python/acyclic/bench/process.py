"""One run per child process: peak memory from ``os.wait4``, a timeout that kills only that run.

:func:`run_in_subprocess` runs ``module:function(**arrays, **kwargs)`` in a fresh Python process
and returns the function's result dict with the process's peak resident memory and wall time.
``tracemalloc`` cannot see the Rust core's allocations; the kernel's ``ru_maxrss`` sees
everything. The process side is ``python -m acyclic.bench.process --launch JOB`` (a small
launcher that starts the fit process and reaps it with ``os.wait4``) and ``--one JOB`` (the fit
itself); neither is meant to be called by hand. The function may live in an importable module
(``"package.module:function"``) or in any Python file (``"/path/to/script.py:function"``), so a
benchmark script can run its own functions without being importable itself.

Inside the fit process, :func:`timed` times a call with warnings silenced and :func:`peak_rss_mib`
reads the process's own peak memory so far (e.g. just before a fit, to see what the imports and
the data cost).

Why a launcher: on Linux a child's ``ru_maxrss`` starts at the resident size of the process that
forked it (the counters carry over through fork and exec), so a fit process forked straight from
a large benchmark process would report the benchmark's own memory. The launcher is small, runs in
its own session (so a Ctrl-C at the terminal reaches only the benchmark process, which then ends
its runs itself) and enforces the timeout with SIGKILL on the fit process only. On Linux both
processes also ask the kernel to kill them when their parent dies (``PR_SET_PDEATHSIG``), so a
benchmark ended by SIGTERM or SIGKILL leaves no fit running on.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, Dict, Iterable, Mapping, Optional, Tuple

__all__ = ["THREAD_VARS", "child_env", "run_in_subprocess", "kill_running", "machine_info", "peak_rss_mib", "timed"]

#: Thread-count variables set in every child's environment before it imports numpy.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# Launchers now running (from any thread), so that a Ctrl-C can end them all.
_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def child_env(threads: int = 1, pythonpath: Iterable[str] = ()) -> Dict[str, str]:
    """The environment of a child process.

    Parameters
    ----------
    threads : int, default 1
        Value of ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``.
    pythonpath : iterable of str, default ()
        Folders put in front of ``PYTHONPATH`` (e.g. a repository root whose scripts the child
        imports).

    Returns
    -------
    dict
        A copy of ``os.environ`` with the thread variables set, ``TQDM_DISABLE=1`` (peers' own
        progress bars would only fill the log) and ``PYTHONPATH`` extended.
    """
    env = dict(os.environ)
    for var in THREAD_VARS:
        env[var] = str(int(threads))
    env["TQDM_DISABLE"] = "1"
    extra = [str(p) for p in pythonpath]
    if extra:
        old = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = os.pathsep.join(extra + ([old] if old else []))
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


def run_in_subprocess(
    fn_name: str,
    kwargs: Mapping[str, object],
    timeout: float,
    threads: int = 1,
    arrays: Optional[Mapping[str, object]] = None,
    *,
    cwd: Optional[str] = None,
    pythonpath: Iterable[str] = (),
) -> Dict[str, object]:
    """Run ``fn_name(**arrays, **kwargs)`` in a fresh Python process and return its result dict.

    Safe to call from several threads at once (each call has its own processes and folder).

    Parameters
    ----------
    fn_name : str
        ``"module:function"``, e.g. ``"acyclic.bench.methods:fit_in_child"``, or
        ``"path/to/file.py:function"`` (the file is loaded as a module of its stem's name). The
        function returns a dict of JSON-serialisable scalars and numpy arrays.
    kwargs : mapping
        JSON-serialisable keyword arguments.
    timeout : float
        Seconds of wall time before the run is killed (SIGKILL, that run only).
    threads : int, default 1
        Value of the OMP/OPENBLAS/MKL thread variables in the child (set before it imports numpy).
    arrays : mapping of str to array_like, optional
        Passed through ``.npy`` files and given to the function as keyword arguments.
    cwd : str, optional
        Working folder of the child (default: this process's).
    pythonpath : iterable of str, default ()
        Folders put in front of the child's ``PYTHONPATH``.

    Returns
    -------
    dict
        The function's scalars and arrays, plus ``peak_rss_mib`` (the fit process's
        ``ru_maxrss`` from ``os.wait4`` in MiB: interpreter, imports, inputs and fit together),
        ``wall_seconds`` (fit process start to exit), ``timed_out`` (bool) and ``error`` (None,
        or the exception, timeout or exit-status text).

    Raises
    ------
    KeyboardInterrupt
        Re-raised after this run's processes are killed.
    """
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="acyclic-bench-") as tmp:
        tmp_path = Path(tmp)
        array_paths = {}
        for name, value in (arrays or {}).items():
            path = tmp_path / f"in_{name}.npy"
            np.save(path, np.asarray(value))
            array_paths[name] = str(path)
        job = {"fn": fn_name, "kwargs": dict(kwargs), "arrays": array_paths,
               "out": str(tmp_path / "out"), "timeout": float(timeout)}  # fmt: skip
        job_path = tmp_path / "job.json"
        job_path.write_text(json.dumps(job))
        proc = subprocess.Popen(
            [sys.executable, "-m", "acyclic.bench.process", "--launch", str(job_path)],
            cwd=cwd,
            env={**child_env(threads, pythonpath), _PARENT_VAR: str(os.getpid())},
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        with _RUNNING_LOCK:
            _RUNNING.add(proc)
        backstop = False
        try:
            proc.wait(timeout=timeout + 60)
        except subprocess.TimeoutExpired:
            backstop = True
            _kill_group(proc)
        except BaseException:  # Ctrl-C here: end this run's processes, then stop
            _kill_group(proc)
            raise
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
        return _collect(tmp_path, proc, timeout, backstop)


def _collect(tmp: Path, proc: subprocess.Popen, timeout: float, backstop: bool) -> Dict[str, object]:
    """The result dict of one finished (or killed) launcher."""
    import numpy as np

    result: Dict[str, object] = {"peak_rss_mib": None, "wall_seconds": None, "timed_out": False, "error": None}
    launch_path = tmp / "launch.json"
    if not launch_path.exists():
        result["timed_out"] = backstop
        result["error"] = (f"timeout after {timeout:g} s (launcher killed)" if backstop
                           else f"launcher ended without a result (exit status {proc.returncode})")  # fmt: skip
        return result
    launch = json.loads(launch_path.read_text())
    result["peak_rss_mib"] = launch["maxrss_kib"] / 1024.0  # ru_maxrss is in KiB on Linux
    result["wall_seconds"] = launch["wall_seconds"]
    out = tmp / "out"
    if launch["timed_out"]:
        result["timed_out"] = True
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


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the launcher's process group (the launcher and its fit process only)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def kill_running() -> int:
    """SIGKILL every run started by :func:`run_in_subprocess` that is still going.

    Used on Ctrl-C by a benchmark that runs several runs at once from worker threads: each
    killed run's :func:`run_in_subprocess` call then returns an error result.

    Returns
    -------
    int
        The number of runs killed.
    """
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for proc in running:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return len(running)


#: Environment variable with the PID of the process that started a launcher or fit process.
_PARENT_VAR = "ACYCLIC_BENCH_PARENT"


def _die_with_parent() -> None:
    """Linux: have the kernel SIGKILL this process when its parent dies (a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    # The parent may have died while this interpreter started, before the request took effect.
    if os.environ.get(_PARENT_VAR, str(os.getppid())) != str(os.getppid()):
        os._exit(1)


def _launch_main(job_path: str) -> int:
    """Launcher side of :func:`run_in_subprocess`: start the fit process, reap it with ``os.wait4``."""
    _die_with_parent()
    job = json.loads(Path(job_path).read_text())
    tmp = Path(job_path).parent
    started = time.perf_counter()
    with open(tmp / "child.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "acyclic.bench.process", "--one", job_path],
            env={**os.environ, _PARENT_VAR: str(os.getpid())},
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


def _load_function(fn_name: str):
    """The function named ``"module:function"`` or ``"path/to/file.py:function"``."""
    import importlib
    import importlib.util

    target, _, func_name = fn_name.rpartition(":")  # the last colon: a Windows path has one too
    if target.endswith(".py"):
        name = Path(target).stem
        spec = importlib.util.spec_from_file_location(name, target)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {target!r} as a module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses and pickle look a module up by name
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    return getattr(module, func_name)


def _child_main(job_path: str) -> int:
    """Fit side of :func:`run_in_subprocess`: call the function, save its scalars and arrays."""
    _die_with_parent()
    import traceback

    import numpy as np

    job = json.loads(Path(job_path).read_text())
    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    scalars, arrays, error = {}, {}, None
    try:
        func = _load_function(job["fn"])
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
    (out / "result.json").write_text(json.dumps({"scalars": scalars, "arrays": sorted(arrays), "error": error}))
    return 0


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB.

    Returns
    -------
    float
        ``ru_maxrss`` of ``resource.getrusage(RUSAGE_SELF)`` / 1024 (``ru_maxrss`` is in KiB on
        Linux).
    """
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(func: Callable, *args, **kwargs) -> Tuple[object, float]:
    """Call ``func(*args, **kwargs)`` with warnings silenced and time it.

    Warnings (a ``ConvergenceWarning``, say) are not what a benchmark measures; a learner's
    ``converged_`` records the same thing.

    Parameters
    ----------
    func : callable
        What to time, e.g. ``estimator.fit``.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    result : object
        What ``func`` returned.
    seconds : float
        Wall time of the call (``time.perf_counter``).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        result = func(*args, **kwargs)
        seconds = time.perf_counter() - start
    return result, seconds


def machine_info(threads: Optional[int] = None) -> Dict[str, object]:
    """Describe the machine and the numeric stack, for the results files.

    Parameters
    ----------
    threads : int, optional
        Threads per run, recorded as given.

    Returns
    -------
    dict
        ``cpu_count``, ``cpus_usable`` (the affinity mask), ``processor`` (the CPU model where
        ``/proc/cpuinfo`` has one), ``platform``, ``python``, ``numpy``, ``scipy``, ``blas``,
        ``acyclic`` (versions) and ``threads``.
    """
    import numpy as np
    import scipy

    info: Dict[str, object] = {
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
        info["processor"] = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
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
    except ImportError:  # pragma: no cover - this module lives inside acyclic
        info["acyclic"] = None
    return info


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        sys.exit(_child_main(sys.argv[2]))
    if len(sys.argv) == 3 and sys.argv[1] == "--launch":
        sys.exit(_launch_main(sys.argv[2]))
    sys.exit("usage: python -m acyclic.bench.process --launch|--one JOB.json (used by run_in_subprocess)")
