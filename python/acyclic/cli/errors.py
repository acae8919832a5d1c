"""Errors of the command line and how they are reported: one line on stderr, an exit code."""

from __future__ import annotations

import os
import sys

__all__ = ["EXIT_INTERRUPTED", "EXIT_USAGE", "CLIError", "broken_pipe", "eprint", "one_line"]

#: Exit code of bad input or parameters.
EXIT_USAGE = 2

#: Exit code of a command stopped by Ctrl-C or SIGTERM.
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """A user-facing error of the command line: printed as one line, exit code 2."""


def eprint(message: str) -> None:
    """Print a message on stderr at once.

    Parameters
    ----------
    message : str
        The line to print.
    """
    print(message, file=sys.stderr, flush=True)


def one_line(exc: object) -> str:
    """An exception's message on one line (its type name when the message is empty).

    Parameters
    ----------
    exc : BaseException or object
        The exception (or anything whose ``str`` is the message, e.g. a warning's message).

    Returns
    -------
    str
        The message with every run of whitespace replaced by one space.
    """
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def broken_pipe() -> int:
    """Stdout was closed early (``acyclic learn sachs | head``): exit quietly.

    Points stdout at the null device, so that the interpreter's final flush does not fail too.

    Returns
    -------
    int
        The exit code, 1.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a descriptor
        pass
    return 1
