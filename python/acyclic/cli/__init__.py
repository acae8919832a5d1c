"""Command-line interface: ``acyclic learn …`` and ``acyclic bench …``.

Installed as the console script ``acyclic`` (``acyclic = "acyclic.cli:main"``); also
runnable as ``python -m acyclic.cli`` and ``python -m acyclic``.

``acyclic learn SOURCE``
    Learn a DAG from the built-in Sachs data (``SOURCE = sachs``) or from a CSV file
    (header row = node labels, every column numeric; ``-`` reads it from standard input,
    ``--sep`` sets its delimiter). Prints the source, its size, the preprocessing, the
    method and its parameters, the learned edges sorted by ``|weight|``, the iteration
    count, convergence and time; for ``sachs`` also SHD, TPR, FDR, FPR and NNZ against the
    acyclic 17-edge consensus graph, with the empty graph's figures (SHD 17) beside them,
    and the same against a user's reference with ``--truth FILE`` (a d×d adjacency CSV).
    ``--out`` writes the graph (``.graphml``, ``.gml``, ``.json``, ``.dot``/``.gv`` or
    ``.csv``, or ``--output-format``; ``-`` for standard output); ``--plot`` draws it (with a
    reference graph a second file ``<stem>_vs_truth<suffix>`` holds the truth-vs-estimate
    heat-maps); ``--verbose`` shows the learners' progress bars.

    On interventional data — ``acyclic learn sachs --interventions [--variant 7466|5846]`` (the
    experiments with their documented targets, or ``--targets FILE``) or ``acyclic learn data.csv
    --environment-column COL --targets FILE`` (JSON ``{"<environment label>": ["<node>", ...]}``;
    the column is removed from the data) — the learner is fitted with the intervention mask and,
    on the same rows with the same preprocessing, without it; both fits' edges are printed side by
    side and, for ``sachs``, SHD, TPR, FDR, FPR and NNZ of both and of the empty graph.

``acyclic bench``
    Benchmark suites (``--suite smoke|standard|scaling|standardized|nonlinear|sachs|interventional``) of the learners,
    the sort-and-regress baselines and optional peer packages, each run in its own process;
    writes ``runs.csv``, ``summary.md`` and plots (see :mod:`acyclic.bench`).

Exit codes: 0 success; 2 bad input or parameters (argparse's usage errors, unreadable
or non-numeric data, unknown output format, any :class:`acyclic.exceptions.AcyclicError`),
reported as one line on stderr without a traceback; 130 interrupted (Ctrl-C).

Modules, one job each: :mod:`~acyclic.cli.parser` (the argument parser and its help texts),
:mod:`~acyclic.cli.learn` and :mod:`~acyclic.cli.bench` (the two subcommands, loaded when they
run), :mod:`~acyclic.cli.learn_interventional` (``learn`` on interventional data: the two fits side
by side), :mod:`~acyclic.cli.interventions` (the experiments: ``--interventions``,
``--environment-column``, ``--targets``), :mod:`~acyclic.cli.defaults` (the learners' names, the defaults for Sachs),
:mod:`~acyclic.cli.files` (reading the CSV data, writing graph files), :mod:`~acyclic.cli.plots`
(``--plot``), :mod:`~acyclic.cli.truth` (the reference graph: ``--truth`` or the built-in Sachs
graph), :mod:`~acyclic.cli.prior_flags` (``--forbid``, ``--require``, ``--tiers``,
``--knowledge``), :mod:`~acyclic.cli.signals` (SIGTERM as Ctrl-C) and :mod:`~acyclic.cli.errors`
(:class:`CLIError` and its one-line report). Every module imports only the standard library when
loaded; numpy, pandas, scikit-learn, networkx and matplotlib are imported by the function that
needs them, so ``acyclic --version`` and ``--help`` load none of them
(``tests/test_cli_startup.py``).
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence

from .defaults import SACHS_DEFAULTS, SACHS_REFERENCE
from .errors import EXIT_INTERRUPTED, EXIT_USAGE, CLIError, broken_pipe, eprint, one_line
from .parser import build_parser
from .signals import sigterm_as_ctrl_c

__all__ = [
    "SACHS_DEFAULTS",
    "SACHS_REFERENCE",
    "OUT_FORMATS",
    "CLIError",
    "build_parser",
    "main",
    "read_csv_data",
    "learned_graph",
    "write_graph",
]

# The file functions, imported on first use (PEP 562): `acyclic --help` does not load them.
_FILES = ("OUT_FORMATS", "learned_graph", "read_csv_data", "write_graph")


def __getattr__(name):
    if name in _FILES:
        from . import files

        return getattr(files, name)
    raise AttributeError(f"module 'acyclic.cli' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the ``acyclic`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        Exit code: 0 success, 2 usage or input error (one line on stderr), 130
        interrupted with Ctrl-C or SIGTERM (which the command treats as Ctrl-C: a benchmark
        keeps its finished rows and ends its runs).
    """
    from ..exceptions import AcyclicError

    parser = build_parser()
    try:
        args = parser.parse_args(None if argv is None else list(argv))
    except SystemExit as exc:  # --help, --version, usage errors: return instead of exiting
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded by `bench` in meta.json
    try:
        with sigterm_as_ctrl_c():
            return int(args.func(args))
    except KeyboardInterrupt:
        eprint("interrupted")
        return EXIT_INTERRUPTED
    except (CLIError, AcyclicError) as exc:
        if type(exc).__name__ == "Cancelled" or "cancelled" in str(exc).lower():
            eprint("interrupted")
            return EXIT_INTERRUPTED
        eprint(f"acyclic {args.command}: error: {one_line(exc)}")
        return EXIT_USAGE
    except OSError as exc:  # unreadable input, unwritable output
        if isinstance(exc, BrokenPipeError):
            return broken_pipe()
        eprint(f"acyclic {args.command}: error: {one_line(exc)}")
        return EXIT_USAGE
