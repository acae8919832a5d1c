"""Signal handling of the command line: SIGTERM ends a command as Ctrl-C does."""

from __future__ import annotations

import contextlib
import signal
import threading

__all__ = ["sigterm_as_ctrl_c"]


@contextlib.contextmanager
def sigterm_as_ctrl_c():
    """Within the block, SIGTERM raises :class:`KeyboardInterrupt`.

    A scheduler's or ``timeout``'s stop then ends a command as Ctrl-C does (a benchmark keeps its
    finished rows and ends its runs). Only in the main thread, where Python runs signal handlers;
    elsewhere the block runs unchanged. The previous handler is restored afterwards.

    Yields
    ------
    None
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
