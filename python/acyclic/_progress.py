"""A tqdm progress bar fed by the Rust core's per-step callback."""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def progress_bar(enabled: bool, *, total: int, desc: str):
    """Yields a callback ``(iteration, max_iter, objective, h, rho)`` for the core, or None.

    With ``enabled``, a tqdm bar advances once per outer step and shows h and ρ.
    """
    if not enabled:
        yield None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit="step")

    def callback(iteration, max_iter, objective, h, rho):
        bar.update(iteration - bar.n)
        bar.set_postfix(objective=f"{objective:.4g}", h=f"{h:.2e}", rho=f"{rho:.0e}")

    try:
        yield callback
    finally:
        bar.close()
