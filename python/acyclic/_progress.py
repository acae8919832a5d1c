"""A tqdm progress bar fed by the Rust core's per-step callback."""

from __future__ import annotations

import contextlib
import math


@contextlib.contextmanager
def progress_bar(enabled: bool, *, total: int, desc: str, unit: str = "step"):
    """Yields a callback ``(iteration, max_iter, objective, h, rho)`` for the core, or None.

    With ``enabled``, a tqdm bar advances once per outer step (``unit``) and shows the objective,
    and h and ρ where the learner reports them (not NaN).
    """
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit)

    def callback(iteration, max_iter, objective, h, rho):
        bar.update(iteration - bar.n)
        shown = {"objective": f"{objective:.4g}"}
        if math.isfinite(h):
            shown["h"] = f"{h:.2e}"
        if math.isfinite(rho):
            shown["rho"] = f"{rho:.0e}"
        bar.set_postfix(**shown)

    try:
        yield callback
    finally:
        bar.close()
