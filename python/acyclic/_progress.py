"""A tqdm progress bar fed by the Rust core's per-step callback."""

from __future__ import annotations

import contextlib
import math
import threading

# The event that stops the fits of this thread (an ensemble's member fits on worker threads,
# where Python delivers no Ctrl-C): see ``stop_on``.
_local = threading.local()


class Stopped(Exception):
    """Raised by a member fit's callback when its ensemble was cancelled (Ctrl-C elsewhere)."""


@contextlib.contextmanager
def stop_on(event: threading.Event):
    """While active, the fits started on this thread stop at their next outer step once
    ``event`` is set (their core callback raises :class:`Stopped`)."""
    previous = getattr(_local, "event", None)
    _local.event = event
    try:
        yield
    finally:
        _local.event = previous


@contextlib.contextmanager
def progress_bar(enabled: bool, *, desc: str, unit: str = "step"):
    """Yields a callback ``(iteration, max_iter, objective, quantities)`` for the core, or None.

    With ``enabled``, a tqdm bar advances once per outer step (``unit``; its total is the
    learner's cap on them) and shows the objective and the learner's own quantities (NOTEARS'
    h and ρ, DAGMA's μ and s, COSMO's temperature).
    """
    event = getattr(_local, "event", None)
    if not enabled:
        if event is None:
            yield None
            return

        def check(iteration, max_iter, objective, quantities):
            if event.is_set():
                raise Stopped()

        yield check
        return
    from tqdm.auto import tqdm

    bar = tqdm(desc=desc, unit=unit)

    def callback(iteration, max_iter, objective, quantities):
        if bar.total != max_iter:
            bar.total = max_iter
        bar.update(iteration - bar.n)
        shown = {"objective": f"{objective:.4g}"}
        for name, value in quantities.items():
            if math.isfinite(value):
                shown[name] = f"{value:.3g}"
        bar.set_postfix(**shown)

    try:
        yield callback
    finally:
        bar.close()
