"""Input checks shared by every learner: dtypes, shape, non-finite values, constant columns.

Every check raises an exception from :mod:`acyclic.exceptions` whose message names the
offending columns, using the words scikit-learn's estimator checks look for ("NaN", "inf",
"n_samples", "feature(s)").
"""

from __future__ import annotations

from typing import Hashable, List, Tuple

import numpy as np
import pandas as pd

from .exceptions import InvalidInputError, NonNumericInputError


def _column_names(labels: List, columns) -> str:
    return ", ".join(repr(labels[j]) for j in columns)


def _numeric_column(values, label) -> np.ndarray:
    """One column as float64, or NonNumericInputError naming it."""
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if (
            isinstance(dtype, pd.CategoricalDtype)
            or (pd.api.types.is_string_dtype(dtype) and dtype != object)  # noqa: E721 (a dtype, not a type)
            or pd.api.types.is_complex_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
            or pd.api.types.is_timedelta64_dtype(dtype)
        ):
            raise NonNumericInputError(f"column {label!r} is not numeric (dtype {dtype})")
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            if values.isna().any() and not pd.api.types.is_float_dtype(dtype):
                # nullable Int64/boolean with missing values: report them as NaN below
                return values.astype("float64").to_numpy()
            return values.to_numpy(dtype=np.float64, na_value=np.nan)
        values = values.to_numpy()
    values = np.asarray(values)
    if values.dtype.kind in "USMmc" or (
        values.dtype == object and any(isinstance(v, (str, bytes, complex)) for v in values)
    ):
        bad = next((v for v in values if not _is_number(v)), values[0] if len(values) else None)
        raise NonNumericInputError(
            f"column {label!r} is not numeric (it holds e.g. {bad!r}); encode it as numbers first"
        )
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        bad = next((v for v in values if not _is_number(v)), None)
        raise NonNumericInputError(
            f"column {label!r} is not numeric (it holds e.g. {bad!r}): each value must be a real "
            "number (float() argument must be a string or a real number); encode it first"
        ) from None


def _is_sparse(X) -> bool:
    try:
        import scipy.sparse
    except ImportError:  # pragma: no cover - scipy is a dependency
        return False
    return scipy.sparse.issparse(X)


def _is_number(v) -> bool:
    if isinstance(v, (str, bytes, complex)):
        return False
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def as_float_matrix(X) -> Tuple[np.ndarray, List]:
    """Converts X (DataFrame, array-like) into a C-ordered float64 array and its labels.

    Returns ``(array of shape (n, d), labels)`` where labels are the DataFrame's column labels
    as given, or ``list(range(d))``. The array is X itself when X already is a C-ordered float64
    array (nothing here or in the learners writes to it), else a new one.

    Raises
    ------
    NonNumericInputError
        A column holds strings, categories or other non-numbers (named in the message).
    InvalidInputError
        X is not 2-D.
    """
    from .sufficient_stats import SufficientStats  # here: that module imports this one

    if isinstance(X, SufficientStats):
        raise InvalidInputError(
            "this needs the rows themselves, not sufficient statistics: SufficientStats serve the fit of "
            "NOTEARS and DAGMA (linear, l2), TOPO and SortnRegress only; pass the data array"
        )
    if _is_sparse(X):
        raise InvalidInputError(
            "Sparse data was passed for X, but dense data is required: the learners work on "
            "dense covariance matrices. Use X.toarray() to convert to a dense numpy array."
        )
    if isinstance(X, pd.DataFrame):
        labels: List[Hashable] = list(X.columns)
        check_unique_labels(labels)
        if X.shape[1] == 0:
            return np.empty((X.shape[0], 0)), labels
        columns = [_numeric_column(X.iloc[:, j], labels[j]) for j in range(X.shape[1])]
        return np.ascontiguousarray(np.column_stack(columns), dtype=np.float64), labels
    if isinstance(X, pd.Series) or (hasattr(X, "ndim") and X.ndim == 1):
        raise InvalidInputError(
            "Expected 2D array, got 1D array instead: X must have shape (n_samples, n_features). "
            "Reshape your data using X.reshape(-1, 1) for a single variable"
        )
    try:
        A = np.asarray(X)
    except ValueError as exc:  # ragged lists
        raise InvalidInputError(f"X could not be read as a 2-D array: {exc}") from None
    if A.ndim != 2:
        raise InvalidInputError(
            f"Expected 2D array, got {A.ndim}D array instead: X must have shape (n_samples, n_features)"
        )
    labels = list(range(A.shape[1]))
    if A.dtype.kind in "biuf":
        return np.ascontiguousarray(A, dtype=np.float64), labels
    if A.dtype.kind == "c":
        raise NonNumericInputError("Complex data not supported: X holds complex numbers")
    if A.dtype.kind in "US":
        raise NonNumericInputError("X holds strings; convert them to numbers first")
    columns = [_numeric_column(A[:, j], j) for j in range(A.shape[1])]
    return np.ascontiguousarray(np.column_stack(columns), dtype=np.float64), labels


def check_unique_labels(labels: List) -> None:
    """Raises InvalidInputError when two column labels are equal (or hash-equal, like 0 and
    False): they would name one node; or when a label is None, which cannot be a node."""
    seen = {}
    duplicated = []
    for label in labels:
        if label is None:  # networkx cannot make None a node
            raise InvalidInputError("a column label is None: name every column (it becomes a node)")
        try:
            if label in seen:
                duplicated.append(label)
            seen[label] = True
        except TypeError:  # unhashable label: networkx could not use it either
            raise InvalidInputError(f"column label {label!r} is not hashable") from None
    if duplicated:
        raise InvalidInputError(
            f"duplicate column label(s) {', '.join(repr(x) for x in duplicated)}: each variable "
            "needs its own name to become a node"
        )


def check_finite(X: np.ndarray, labels: List) -> None:
    """Raises InvalidInputError naming every column with NaN or inf and how many."""
    nan_counts = np.isnan(X).sum(axis=0)
    inf_counts = np.isinf(X).sum(axis=0)
    problems = []
    if nan_counts.any():
        cols = np.flatnonzero(nan_counts)
        problems.append(
            "X contains NaN in column(s) " + ", ".join(f"{labels[j]!r} ({nan_counts[j]} NaN)" for j in cols)
        )
    if inf_counts.any():
        cols = np.flatnonzero(inf_counts)
        problems.append(
            "X contains inf in column(s) " + ", ".join(f"{labels[j]!r} ({inf_counts[j]} inf)" for j in cols)
        )
    if problems:
        raise InvalidInputError("; ".join(problems) + ". Remove or impute these values first.")


def check_fit_input(X: np.ndarray, labels: List, *, min_samples: int = 2, min_features: int = 2) -> None:
    """Shape, finiteness and constant-column checks for data a learner is fitted on.

    Raises
    ------
    InvalidInputError
        Fewer than ``min_samples`` rows or ``min_features`` columns, NaN or inf values, or a
        constant column (all named in the message).
    """
    n, d = X.shape
    if n < min_samples:
        raise InvalidInputError(
            f"Found array with {n} sample(s) (shape={X.shape}) while a minimum of {min_samples} "
            "is required: n_samples is too small to learn a graph."
        )
    if d < min_features:
        raise InvalidInputError(
            f"Found array with {d} feature(s) (shape={X.shape}) while a minimum of {min_features} "
            "is required: a graph needs at least two variables."
        )
    check_finite(X, labels)
    constant = np.flatnonzero(np.ptp(X, axis=0) == 0)
    if constant.size:
        raise InvalidInputError(
            f"X has constant column(s) {_column_names(labels, constant)}: a variable that never "
            "varies carries no information about causes; drop it."
        )


def as_square_matrix(M, name: str = "W", *, allow_nan: bool = False) -> np.ndarray:
    """M as a new C-ordered float64 (d, d) array, or InvalidInputError naming ``name``.

    Raises on non-numeric input, a shape that is not square 2-D, and NaN/inf entries (NaN is
    let through with ``allow_nan=True``; inf never is).
    """
    if np.iscomplexobj(M):
        raise InvalidInputError(f"{name} must be real: complex data not supported")
    try:
        A = np.array(M, dtype=np.float64, order="C", copy=True)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{name} must be a numeric square matrix: {exc}") from None
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise InvalidInputError(f"{name} must be a square 2-D matrix, got shape {A.shape}")
    bad = np.isinf(A) if allow_nan else ~np.isfinite(A)
    if bad.any():
        raise InvalidInputError(f"{name} contains NaN or infinite entries")
    return A


def check_intervention_mask(mask, shape: Tuple[int, int], labels: List) -> np.ndarray | None:
    """The (n, d) boolean intervention mask a learner is fitted with, or ``None`` when it marks
    nothing (observational data: the fit is then the one without a mask, bit for bit).

    ``mask[i, j]`` is True where row i set node j by a perfect intervention. A DataFrame's
    columns must be X's labels (it is aligned to them); 0/1 integers are accepted.

    Raises
    ------
    InvalidInputError
        A shape other than X's, values other than booleans or 0/1 (NaN included), DataFrame
        columns that are not X's, or a node intervened on in every row (its equation has no
        rows to be fitted on; the message names it).
    """
    if isinstance(mask, pd.DataFrame):
        if set(mask.columns) != set(labels) or len(mask.columns) != len(labels):
            raise InvalidInputError(
                f"intervention_mask's columns {list(mask.columns)!r} are not X's columns {list(labels)!r}"
            )
        mask = mask[list(labels)]
    array = np.asarray(mask)
    if array.ndim != 2 or array.shape != tuple(shape):
        raise InvalidInputError(f"intervention_mask must have the shape of X, {tuple(shape)}, got {array.shape}")
    if array.dtype != np.bool_:
        if array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all():
            raise InvalidInputError(
                "intervention_mask must hold booleans (or 0/1): True where the row set the node by an intervention"
            )
        array = array.astype(bool)
    if not array.any():
        return None
    everywhere = np.flatnonzero(array.all(axis=0))
    if everywhere.size:
        raise InvalidInputError(
            f"node(s) {_column_names(labels, everywhere)} are intervened on in every row: their equations "
            "have no rows to be fitted on; add observational rows or rows from other experiments"
        )
    return np.ascontiguousarray(array)
