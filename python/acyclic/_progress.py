"""A tqdm progress bar fed by the Rust core's per-step callback."""

from __future__ import annotations

import contextlib
import math


@contextlib.contextmanager
def progress_bar(enabled: bool, *, desc: str, unit: str = "step"):
    """Yields a callback ``(iteration, max_iter, objective, quantities)`` for the core, or None.

    With ``enabled``, a tqdm bar advances once per outer step (``unit``; its total is the
    learner's cap on them) and shows the objective and the learner's own quantities (NOTEARS'
    h and ρ, DAGMA's μ and s, COSMO's temperature).
    """
    if not enabled:
        yield None
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
