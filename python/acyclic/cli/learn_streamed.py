"""``acyclic learn FILE --chunksize N``: a CSV or Parquet file too large for memory, read N rows at
a time into sufficient statistics (:class:`acyclic.SufficientStats`) and fitted from them by a
learner that needs only those (NOTEARS and DAGMA, linear and l2; TOPO). SOURCE ``-`` streams the
CSV from standard input the same way."""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Tuple

from .errors import CLIError, one_line
from .files import log_transform

__all__ = ["check_streamed_flags", "run_streamed"]


def check_streamed_flags(args, pre: dict) -> None:
    """Usage errors of ``--chunksize`` (it needs a file, and the flags that need rows are out)."""
    if args.chunksize is None:
        return
    if args.source == "sachs":
        raise CLIError("--chunksize reads a CSV or Parquet file; the built-in sachs data fit in memory")
    for flag, given in (
        ("--bootstrap", args.bootstrap is not None),
        ("--stability", args.stability),
        ("--lambda auto", pre.get("select") == "flag"),
        ("--refine", args.refine),
        ("--interventions", args.interventions),
        ("--rows", args.rows is not None),
        ("--environment-column", args.environment_column is not None),
    ):
        if given:
            raise CLIError(f"{flag} needs the rows in memory; it does not combine with --chunksize")


def _chunks(args, log: bool) -> Iterator[Any]:
    from .files import STDIN, check_several_columns

    if args.source == STDIN:  # read as it comes: standard input is not kept in memory here
        import pandas as pd

        name = "standard input"
        frames: Iterable[Any] = pd.read_csv(
            sys.stdin.buffer, chunksize=args.chunksize, header=None if args.header is False else "infer", sep=args.sep
        )
    else:
        path = Path(args.source)
        name = repr(args.source)
        if not path.is_file():
            raise CLIError(f"no such file: {str(path)!r}")
        if path.suffix.lower() in (".parquet", ".pq"):
            try:
                import pyarrow.parquet as pq
            except ImportError:
                raise CLIError("reading Parquet needs pyarrow: pip install 'acyclic[dask]'") from None
            frames = (batch.to_pandas() for batch in pq.ParquetFile(path).iter_batches(batch_size=args.chunksize))
        else:
            import pandas as pd

            frames = pd.read_csv(
                path, chunksize=args.chunksize, header=None if args.header is False else "infer", sep=args.sep
            )
    for k, frame in enumerate(frames):
        if k == 0:
            check_several_columns(frame, name, args.sep, args.header)
        if args.header is False:
            frame.columns = [f"x{j}" for j in range(frame.shape[1])]
        yield log_transform(frame) if log else frame


def run_streamed(args, est, pre: dict, say: Callable[..., None]) -> Tuple[Any, int]:
    """Builds the statistics of ``args.source`` chunk by chunk and fits ``est`` from them.
    Returns (the fitted estimator, the number of rows); raises CLIError when the learner needs
    the rows."""
    from ..exceptions import AcyclicError
    from ..sufficient_stats import SufficientStats

    if not est._statistics_suffice():
        raise CLIError(
            f"--method {args.method} with these settings needs the rows; --chunksize serves NOTEARS and DAGMA "
            "(linear mechanism, l2 loss) and TOPO"
        )
    t0 = time.perf_counter()
    try:
        stats = SufficientStats.from_chunks(_chunks(args, bool(pre["log"])))
    except AcyclicError as exc:
        raise CLIError(f"{args.source}: {one_line(exc)}") from None
    say(
        f"data: {stats.n_} rows × {stats.n_features_in_} columns, read {args.chunksize} rows at a time into "
        f"sufficient statistics in {time.perf_counter() - t0:.1f} s"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        est.fit(stats)
    return est, stats.n_
