"""Runs independent fits (an ensemble's members, a λ path's points) on threads or on Dask.

Every task is ``function(*shared, *arguments)`` with the shared arguments (the data) sent once;
results come back in task order, so the outcome does not depend on the backend, the number of
workers or the order in which tasks finish. The core releases the GIL during a fit, so threads
run fits in parallel. Ctrl-C stops the run within a second: pending tasks are cancelled and the
running fits stop at their next outer step.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
import warnings
from collections import Counter
from typing import Any, Callable, List, Optional, Sequence, Tuple

from ._params import resolve_n_jobs
from ._progress import Stopped, stop_on
from .exceptions import InvalidInputError

__all__ = ["BACKENDS", "check_backend", "current_client", "run_tasks"]

BACKENDS = ("threads", "dask")
# How often the waiting thread wakes to let Ctrl-C through.
_POLL_SECONDS = 0.1


def check_backend(backend, client) -> None:
    """Raises InvalidInputError for an unknown backend or a client given with ``threads``."""
    if backend not in BACKENDS:
        raise InvalidInputError(f"backend must be one of {BACKENDS}; got {backend!r}")
    if client is not None and backend != "dask":
        raise InvalidInputError('a Dask client is used only with backend="dask"')


def run_tasks(
    function: Callable,
    shared: Tuple,
    tasks: Sequence[Tuple],
    *,
    backend: str = "threads",
    n_jobs=None,
    client=None,
    verbose: bool = False,
    desc: str = "fits",
) -> List[Any]:
    """``[function(*shared, *task) for task in tasks]``, run in parallel.

    ``backend="threads"``: a pool of ``n_jobs`` threads (None → 1, -1 → all cores).
    ``backend="dask"``: the tasks go to ``client`` (a ``distributed.Client``; the current one when
    None) with the shared arguments scattered once. The warnings the tasks raise are shown once
    each afterwards, with how many tasks raised them.
    """
    check_backend(backend, client)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if backend == "dask":
            results = _run_dask(function, shared, tasks, client, verbose, desc)
        else:
            results = _run_threads(function, shared, tasks, resolve_n_jobs(n_jobs), verbose, desc)
    counts = Counter((w.category, str(w.message)) for w in caught)
    for (category, message), count in counts.items():
        suffix = "" if len(tasks) == 1 else f" [{count} of {len(tasks)} {desc}]"
        warnings.warn(f"{message}{suffix}", category, stacklevel=3)
    return results


def _bar(verbose: bool, total: int, desc: str):
    if not verbose:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="fit")


def _run_threads(function, shared, tasks, n_threads: int, verbose: bool, desc: str) -> List[Any]:
    stop = threading.Event()

    def run(task):
        if stop.is_set():
            raise Stopped()
        with stop_on(stop):
            return function(*shared, *task)

    if n_threads == 1 and not verbose:
        # no pool: Ctrl-C reaches the fit directly, which stops within a second
        return [function(*shared, *task) for task in tasks]
    bar = _bar(verbose, len(tasks), desc)
    pool = cf.ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="acyclic")
    futures = [pool.submit(run, task) for task in tasks]
    try:
        pending = set(futures)
        while pending:
            done, pending = cf.wait(pending, timeout=_POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
            for future in done:
                future.result()  # the first failure stops the run
            if bar is not None:
                bar.update(len(done))
        return [future.result() for future in futures]
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        raise
    finally:
        pool.shutdown(wait=True)
        if bar is not None:
            bar.close()


def current_client(client):
    """``client`` (a running ``distributed.Client``), or the current one when None; an
    InvalidInputError for anything else, a closed client or no client at all."""
    try:
        from distributed import Client, default_client
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise ImportError('backend="dask" needs dask and distributed: pip install "acyclic[dask]"') from exc
    if client is None:
        try:
            return default_client()
        except ValueError as exc:
            raise InvalidInputError(
                'backend="dask" needs a distributed.Client: start one (Client(address) or '
                "Client(LocalCluster())) or pass client="
            ) from exc
    if not isinstance(client, Client):
        raise InvalidInputError(f"client must be a distributed.Client; got {type(client).__name__}")
    if client.status != "running":
        raise InvalidInputError(f"the Dask client is {client.status}, not running: connect a new one")
    return client


def _run_dask(function, shared, tasks, client: Optional[Any], verbose: bool, desc: str) -> List[Any]:
    from distributed import as_completed

    client = current_client(client)
    # hash=False: fresh keys, so a run never shares (and races to release) an earlier run's data
    scattered = [client.scatter(value, broadcast=True, hash=False) for value in shared]
    # worker processes keep their warnings: each task records its own and hands them back
    futures = [client.submit(_recording, function, *scattered, *task, pure=False) for task in tasks]
    bar = _bar(verbose, len(tasks), desc)
    try:
        for future in as_completed(futures):
            if future.status == "error":
                future.result()  # raises the task's exception here
            if bar is not None:
                bar.update(1)
        recorded = client.gather(futures)
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        if bar is not None:
            bar.close()
    for _, caught in recorded:
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
    return [result for result, _ in recorded]


def _recording(function, *args):
    """``function(*args)`` and the warnings it raised, as (category, message) pairs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args)
    return result, [(w.category, str(w.message)) for w in caught]
