"""Data larger than memory: the sufficient statistics of the least-squares learners, built chunk
by chunk.

NOTEARS and DAGMA (linear mechanism, ``loss_type="l2"``), TOPO and the SortnRegress baselines
see observational data only through n and the covariance (and, for the canonical column order,
each column's variance, skewness and kurtosis). :class:`SufficientStats` holds exactly that,
reduced in the Rust core in one streaming pass (``acyclic._core.stats_of_rows``; chunks merged
exactly in the order they come, ``acyclic._core.merge_stats``), from an array, an iterator of
chunks, a CSV or Parquet file read in chunks, or a ``dask.array`` reduced on a cluster. A learner
fitted on it (``learner.fit(stats)``) gives the fit of the rows; ``fit(X)`` itself takes this
path for those learners, so ``fit(X)`` and ``fit(SufficientStats.from_array(X))`` are the same
bits. COSMO, DP-DAG, BaCaDI/DiBS and the nonlinear or GLM variants need the rows and refuse
statistics with an InvalidInputError.

Interventional data keep one set of statistics per group of rows with the same
``intervention_mask`` row (:meth:`SufficientStats.from_array` with ``intervention_mask``, or
``(rows, mask)`` chunks): node j's equation is then fitted on the groups that leave it alone, as
``fit(X, intervention_mask=...)`` does with the rows.
"""

from __future__ import annotations

import numbers
from typing import Iterable, List, Optional, Tuple

import numpy as np
import pandas as pd

from . import _core
from ._params import resolve_n_jobs
from ._validation import as_float_matrix, check_intervention_mask, check_unique_labels
from .exceptions import InvalidInputError, NonNumericInputError

__all__ = ["SufficientStats"]

_Arrays = Tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
#: Interventional statistics: (mask row, statistics of the rows with that mask row), in order of
#: first appearance.
_Groups = List[Tuple[Tuple[bool, ...], _Arrays]]


def _first_bad_row(values: np.ndarray) -> Tuple[int, int]:
    rows, cols = np.nonzero(~np.isfinite(values))
    k = int(np.argmin(rows * values.shape[1] + cols))
    return int(rows[k]), int(cols[k])


def _chunk_values(chunk, labels: Optional[List], offset: int) -> Tuple[np.ndarray, List]:
    """A chunk as a float64 array with its labels, or an error naming the first bad row
    (counted from 0 over all chunks) and column."""
    try:
        values, chunk_labels = as_float_matrix(chunk)
    except NonNumericInputError as exc:
        row = ""
        if isinstance(chunk, pd.DataFrame):
            for j, column in enumerate(chunk.columns):
                numeric = pd.to_numeric(chunk.iloc[:, j], errors="coerce")
                bad = np.flatnonzero(numeric.isna().to_numpy() & chunk.iloc[:, j].notna().to_numpy())
                if bad.size:
                    row = f"row {offset + int(bad[0])}, column {column!r} ({chunk.iloc[int(bad[0]), j]!r}): "
                    break
        raise NonNumericInputError(f"{row}{exc}") from None
    if labels is not None and list(chunk_labels) != list(labels) and isinstance(chunk, pd.DataFrame):
        raise InvalidInputError(f"the chunk starting at row {offset} has columns {chunk_labels}, not {labels}")
    if labels is not None and values.shape[1] != len(labels):
        raise InvalidInputError(f"the chunk starting at row {offset} has {values.shape[1]} columns, not {len(labels)}")
    if values.size and not np.isfinite(values).all():
        r, j = _first_bad_row(values)
        name = (labels or chunk_labels)[j]
        raise InvalidInputError(
            f"row {offset + r}, column {name!r}: {values[r, j]} (NaN or inf); remove or impute it first"
        )
    return values, chunk_labels


class SufficientStats:
    """n, the column means and the scatter matrix of a data set, built chunk by chunk.

    What the least-squares learners need of observational data: fit NOTEARS, DAGMA (linear, l2),
    TOPO or a SortnRegress baseline with ``learner.fit(stats)`` on data that never fits in
    memory. Build it with :meth:`from_array`, :meth:`from_chunks`, :meth:`from_csv`,
    :meth:`from_parquet` or :meth:`from_dask`; merge two with :meth:`merge`. The reduction runs
    in the Rust core (blocks of 16 384 rows in parallel, merged in order by the exact formulae of
    Chan, Golub & LeVeque 1979 and Pébay 2008), so the result depends on the chunking only to
    rounding and never on the number of threads.

    Attributes
    ----------
    n_ : int
        Rows.
    mean_ : ndarray of shape (d,), float64
    scatter_ : ndarray of shape (d, d), float64
        Σ_r (x_r − mean)(x_r − mean)ᵀ.
    labels_ : list
        Column labels (a DataFrame's or a CSV header's; 0..d−1 otherwise).
    n_features_in_ : int
    intervention_patterns_ : ndarray of shape (n_groups, d), bool, or None
        Interventional data: the distinct intervention-mask rows, one per group of rows (None:
        observational).
    group_sizes_ : ndarray of shape (n_groups,), int64, or None
        Rows per group.

    Examples
    --------
    >>> import numpy as np, acyclic
    >>> X = np.random.default_rng(0).standard_normal((1000, 3))
    >>> stats = acyclic.SufficientStats.from_chunks(np.array_split(X, 4))
    >>> stats.n_, stats.mean_.shape
    (1000, (3,))
    """

    def __init__(self, arrays: _Arrays, labels: List, groups: Optional[_Groups] = None):
        """Wraps statistics the core computed (use the ``from_*`` constructors instead).

        Parameters
        ----------
        arrays : tuple (n, mean (d,), scatter (d, d), m3 (d,), m4 (d,))
            As ``acyclic._core.stats_of_rows`` returns them: all rows.
        labels : list
            d distinct column labels.
        groups : list of (tuple of d bool, arrays) or None, default=None
            Interventional data: each distinct intervention-mask row with the statistics of its
            rows, whose merge is ``arrays``. None (or only all-False rows): observational.

        Raises
        ------
        InvalidInputError
            Shapes that do not agree with each other or with the labels, or repeated labels.
        """
        n, mean, scatter, m3, m4 = arrays
        labels = list(labels)
        check_unique_labels(labels)
        d = len(labels)
        if np.shape(mean) != (d,) or np.shape(scatter) != (d, d) or np.shape(m3) != (d,) or np.shape(m4) != (d,):
            raise InvalidInputError(f"sufficient statistics whose shapes do not match {d} labels")
        self._arrays = arrays
        self.labels_ = labels
        if groups is not None and not any(any(pattern) for pattern, _ in groups):
            groups = None  # no row intervenes on anything
        if groups is not None and any(len(pattern) != d for pattern, _ in groups):
            raise InvalidInputError(f"intervention-mask rows that do not match {d} labels")
        self._groups = groups

    # ------------------------------------------------------------------ views
    @property
    def n_(self) -> int:
        return int(self._arrays[0])

    @property
    def mean_(self) -> np.ndarray:
        return self._arrays[1]

    @property
    def scatter_(self) -> np.ndarray:
        return self._arrays[2]

    @property
    def n_features_in_(self) -> int:
        return len(self.labels_)

    def _core_arguments(self):
        """What the core's functions take as statistics: the arrays, or one per group (with
        ``intervention_patterns_`` as their ``patterns``)."""
        return self._arrays if self._groups is None else [arrays for _, arrays in self._groups]

    @property
    def intervention_patterns_(self) -> Optional[np.ndarray]:
        if self._groups is None:
            return None
        return np.array([pattern for pattern, _ in self._groups], dtype=bool).reshape(-1, self.n_features_in_)

    @property
    def group_sizes_(self) -> Optional[np.ndarray]:
        return None if self._groups is None else np.array([a[0] for _, a in self._groups], dtype=np.int64)

    @property
    def covariance_(self) -> np.ndarray:
        """``scatter_ / n_`` (the maximum-likelihood covariance), shape (d, d)."""
        return self.scatter_ / max(self.n_, 1)

    @property
    def std_(self) -> np.ndarray:
        """Each column's standard deviation (ddof 0), shape (d,)."""
        return np.sqrt(np.diag(self.scatter_) / max(self.n_, 1))

    def __repr__(self) -> str:
        groups = "" if self._groups is None else f", groups={len(self._groups)}"
        return f"SufficientStats(n={self.n_}, d={self.n_features_in_}{groups})"

    # ------------------------------------------------------------------ building
    @classmethod
    def from_array(cls, X, n_jobs=None, intervention_mask=None) -> SufficientStats:
        """The statistics of an in-memory array or DataFrame (one chunk).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric, finite.
        n_jobs : int or None, default=None
            Threads of the reduction (None → 1, -1 → all cores); the result does not depend on it.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            As in ``DAGLearner.fit``: True where the row set the node by a perfect intervention.
            The rows are grouped by their mask row (one set of statistics per group).

        Returns
        -------
        SufficientStats

        Raises
        ------
        InvalidInputError
            NaN or inf (the message names the first such row and column), not 2-D, duplicate labels;
            a mask of another shape or not boolean.
        NonNumericInputError
            A non-numeric column.
        """
        return cls.from_chunks([X if intervention_mask is None else (X, intervention_mask)], n_jobs=n_jobs)

    @classmethod
    def from_chunks(cls, chunks: Iterable, labels: Optional[List] = None, n_jobs=None) -> SufficientStats:
        """The statistics of the rows of ``chunks`` (arrays or DataFrames with the same columns),
        merged in the order they come.

        Parameters
        ----------
        chunks : iterable of array-like or DataFrame, each of shape (n_k, n_features)
            A chunk may also be a pair ``(rows, intervention_mask)`` (interventional data).
        labels : list or None, default=None
            Column labels; None: the first DataFrame chunk's, else 0..d−1.
        n_jobs : int or None, default=None
            Threads of each chunk's reduction (the result does not depend on it).

        Returns
        -------
        SufficientStats

        Raises
        ------
        InvalidInputError
            No rows; a chunk with other columns; NaN or inf (naming the row, counted from 0 over
            all chunks, and the column).
        NonNumericInputError
            A non-numeric value (naming its row and column when the chunk is a DataFrame).
        """
        threads = resolve_n_jobs(n_jobs)
        total: Optional[_Arrays] = None
        groups: Optional[_Groups] = None
        offset = 0
        for chunk in chunks:
            mask = None
            if isinstance(chunk, tuple) and len(chunk) == 2:
                chunk, mask = chunk
            values, chunk_labels = _chunk_values(chunk, labels, offset)
            if labels is None:
                labels = chunk_labels
            if values.shape[0] == 0:
                continue
            part = _core.stats_of_rows(values, threads)
            total = part if total is None else _core.merge_stats(total, part)
            if mask is not None or groups is not None:
                part_groups = _grouped(values, mask, list(labels), part, threads)
                groups = part_groups if groups is None else _merge_groups(groups, part_groups)
            offset += values.shape[0]
        if total is None:
            raise InvalidInputError("no rows: the chunks were empty")
        assert labels is not None
        return cls(total, list(labels), groups)  # the constructor checks the labels

    @classmethod
    def from_csv(cls, path, chunksize: int = 100_000, n_jobs=None, **read_csv) -> SufficientStats:
        """The statistics of a CSV file read ``chunksize`` rows at a time (``pandas.read_csv``).

        Parameters
        ----------
        path : str or path-like
        chunksize : int, default=100_000
            Rows per chunk (memory: about chunksize · d · 8 bytes at a time).
        n_jobs : int or None, default=None
        **read_csv
            Passed to ``pandas.read_csv`` (e.g. ``sep``, ``usecols``).

        Returns
        -------
        SufficientStats

        Raises
        ------
        InvalidInputError, NonNumericInputError
            As :meth:`from_chunks`, naming the file's data row (0 = the first after the header);
            also a ``chunksize`` below 1, and a file pandas cannot parse (empty, ragged rows).
        FileNotFoundError
            No such file.
        """
        if not isinstance(chunksize, numbers.Integral) or isinstance(chunksize, bool) or chunksize < 1:
            raise InvalidInputError(f"chunksize must be a positive integer; got {chunksize!r}")
        try:
            with pd.read_csv(path, chunksize=int(chunksize), **read_csv) as reader:
                return cls.from_chunks(reader, n_jobs=n_jobs)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise InvalidInputError(f"{path}: not a readable CSV file ({exc})") from None

    @classmethod
    def from_parquet(cls, path, batch_size: int = 100_000, n_jobs=None) -> SufficientStats:
        """The statistics of a Parquet file read in record batches (needs ``pyarrow``).

        Parameters
        ----------
        path : str or path-like
            The Parquet file; its column names become the labels.
        batch_size : int, default=100_000
            Rows per batch (memory: about batch_size · d · 8 bytes at a time).
        n_jobs : int or None, default=None
            Threads of each batch's reduction (the result does not depend on it).

        Returns
        -------
        SufficientStats

        Raises
        ------
        InvalidInputError, NonNumericInputError
            As :meth:`from_chunks`; also a ``batch_size`` below 1 or a file that is not Parquet.
        FileNotFoundError
            No such file.
        ImportError
            pyarrow is not installed (``pip install 'acyclic[dask]'``).
        """
        try:
            import pyarrow
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("from_parquet needs pyarrow: pip install 'acyclic[dask]'") from None
        if not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool) or batch_size < 1:
            raise InvalidInputError(f"batch_size must be a positive integer; got {batch_size!r}")
        try:
            batches = pq.ParquetFile(path).iter_batches(batch_size=int(batch_size))
            return cls.from_chunks((batch.to_pandas() for batch in batches), n_jobs=n_jobs)
        except pyarrow.ArrowInvalid as exc:
            raise InvalidInputError(f"{path}: not a readable Parquet file ({exc})") from None

    @classmethod
    def from_dask(cls, array, labels: Optional[List] = None, client=None) -> SufficientStats:
        """The statistics of a ``dask.array`` (n, d): each block of rows reduced where it lives (on
        the cluster of ``client``, or Dask's current scheduler), merged here in block order.

        Parameters
        ----------
        array : dask.array.Array of shape (n_samples, n_features)
            Chunked along the rows (column chunks are joined first).
        labels : list or None, default=None
            Column labels, one per column, distinct; None: 0..d−1.
        client : distributed.Client or None, default=None
            The cluster to reduce the blocks on; None: Dask's current scheduler.

        Returns
        -------
        SufficientStats
            Equal to :meth:`from_chunks` over the same blocks.

        Raises
        ------
        InvalidInputError
            Not a 2-D dask.array; labels of another length or repeated; a client that is not a
            running ``distributed.Client``; NaN or inf (naming the row and column); no rows.
        NonNumericInputError
            Non-numeric values.
        """
        import dask
        import dask.array as da

        if not isinstance(array, da.Array) or array.ndim != 2:
            raise InvalidInputError("from_dask needs a 2-D dask.array")
        if labels is not None:
            labels = list(labels)
            check_unique_labels(labels)
            if len(labels) != array.shape[1]:
                raise InvalidInputError(f"{len(labels)} labels for {array.shape[1]} columns")
        if client is not None:
            from ._tasks import current_client

            client = current_client(client)
        array = array.rechunk({1: -1})
        blocks = array.to_delayed().ravel()
        offsets = np.concatenate([[0], np.cumsum(array.chunks[0])[:-1]]).tolist()
        tasks = [dask.delayed(_block_stats)(block, offset) for block, offset in zip(blocks, offsets)]
        parts = client.gather(client.compute(tasks)) if client is not None else dask.compute(*tasks)
        total: Optional[_Arrays] = None
        for part in parts:
            if part is not None:
                total = part if total is None else _core.merge_stats(total, part)
        if total is None:
            raise InvalidInputError("no rows: the array is empty")
        return cls(total, list(labels) if labels is not None else list(range(array.shape[1])))

    def merge(self, other: SufficientStats) -> SufficientStats:
        """The statistics of this data set's rows followed by ``other``'s (exact).

        Raises
        ------
        InvalidInputError
            Other column labels.
        """
        if not isinstance(other, SufficientStats) or other.labels_ != self.labels_:
            raise InvalidInputError("merge needs SufficientStats over the same columns")
        groups = None
        if self._groups is not None or other._groups is not None:
            groups = _merge_groups(_groups_of(self), _groups_of(other))
        return SufficientStats(_core.merge_stats(self._arrays, other._arrays), self.labels_, groups)


def _groups_of(stats: SufficientStats) -> _Groups:
    """The groups of ``stats`` (observational: one group with the all-False mask row)."""
    return stats._groups if stats._groups is not None else [((False,) * stats.n_features_in_, stats._arrays)]


def _grouped(values: np.ndarray, mask, labels: List, whole: _Arrays, threads: int) -> _Groups:
    """One set of statistics per distinct mask row of ``values``, in order of first appearance."""
    d = values.shape[1]
    if mask is not None:
        mask = check_intervention_mask(mask, values.shape, labels)  # None when it marks nothing
    if mask is None:
        return [((False,) * d, whole)]
    patterns, first, inverse = np.unique(mask, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).reshape(-1)
    groups: _Groups = []
    for g in np.argsort(first, kind="stable"):
        rows = np.flatnonzero(inverse == g)
        part = (
            whole if rows.size == values.shape[0] else _core.stats_of_rows(np.ascontiguousarray(values[rows]), threads)
        )
        groups.append((tuple(bool(v) for v in patterns[g]), part))
    return groups


def _merge_groups(a: _Groups, b: _Groups) -> _Groups:
    """``a``'s groups with ``b``'s merged in (same mask row) or appended (a new one)."""
    merged = dict(a)
    for pattern, arrays in b:
        merged[pattern] = _core.merge_stats(merged[pattern], arrays) if pattern in merged else arrays
    return list(merged.items())


def _block_stats(block: np.ndarray, offset: int) -> Optional[_Arrays]:
    values, _ = _chunk_values(np.asarray(block), None, offset)
    return _core.stats_of_rows(values) if values.shape[0] else None
