"""What the ensembles and the λ path share: the data checked once, the rows' strata, child
seeds, and the fit of one member on some rows (a module-level function, so Dask can ship it)."""

from __future__ import annotations

import copy
import math
import numbers
import warnings
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
from sklearn.base import clone

from . import _core
from ._base import DAGLearner, seed_from
from ._params import PYTHON_PARAMS
from ._validation import as_float_matrix, check_fit_input, check_intervention_mask
from .exceptions import InvalidInputError
from .interventions import encode_environments

__all__ = ["Prepared", "check_learner", "child_seeds", "fit_on_rows", "prepare", "sparsity_of"]


class Prepared:
    """The data of an ensemble, checked once: values (n, d), labels, the intervention mask (or
    None), each row's stratum code (its environment, or its distinct mask row), and whether the
    members see a DataFrame (so that prior knowledge by label applies)."""

    def __init__(self, values: np.ndarray, labels: List, mask: Optional[np.ndarray], strata: np.ndarray, frame: bool):
        self.values, self.labels, self.mask, self.strata, self.frame = values, labels, mask, strata, frame

    @property
    def shape(self) -> Tuple[int, int]:
        return self.values.shape

    def take(self, rows: Optional[np.ndarray] = None, *, frame: bool = True) -> Tuple[Any, Optional[np.ndarray]]:
        """(X, intervention mask) of the rows ``rows`` (all when None); X is a DataFrame with the
        labels when the data came as one and ``frame`` (so prior knowledge by label applies),
        else the float64 array."""
        values, mask = self.values, self.mask
        if rows is not None:
            values, mask = values[rows], None if mask is None else mask[rows]
        return (pd.DataFrame(values, columns=self.labels) if self.frame and frame else values), mask


def check_learner(learner) -> None:
    """Raises InvalidInputError unless ``learner`` is one of the package's DAG learners (not a
    posterior learner whose fit takes environments)."""
    if not isinstance(learner, DAGLearner):
        raise InvalidInputError(f"learner must be an acyclic learner (e.g. acyclic.TOPO()); got {learner!r}")
    if getattr(learner, "_sparsity_param", None) is None:
        raise InvalidInputError(
            f"{type(learner).__name__} returns a posterior over graphs itself; resample a point learner instead"
        )


def prepare(X, intervention_mask=None, environments=None) -> Prepared:
    """Checks X (as a learner's fit does), the mask and the environment labels; strata are the
    environments when given, else the distinct rows of the mask, else one."""
    values, labels = as_float_matrix(X)
    check_fit_input(values, labels)
    n, d = values.shape
    mask = None if intervention_mask is None else check_intervention_mask(intervention_mask, (n, d), labels)
    if environments is not None:
        strata, _ = encode_environments(environments, n)
    elif mask is not None:
        strata = np.unique(mask, axis=0, return_inverse=True)[1].reshape(-1).astype(np.int64)
    else:
        strata = np.zeros(n, dtype=np.int64)
    return Prepared(values, labels, mask, _pool_singletons(strata), isinstance(X, pd.DataFrame))


def _pool_singletons(strata: np.ndarray) -> np.ndarray:
    """Strata of one row joined into one (a resample of a single row is that row, every time,
    which would look like certainty), with a warning; codes renumbered 0.."""
    sizes = np.bincount(strata)
    single = sizes[strata] == 1
    if single.sum() < 2:  # none, or one that has nothing to join
        return strata
    warnings.warn(
        f"{int(single.sum())} rows are alone in their experiment (or intervention-mask pattern): they are "
        "resampled together as one group, since a group of one row would be drawn unchanged every time",
        UserWarning,
        stacklevel=4,
    )
    pooled = np.where(single, strata.max() + 1, strata)
    return np.unique(pooled, return_inverse=True)[1].reshape(-1).astype(np.int64)


def child_seeds(random_state, count: int) -> List[int]:
    """``count`` member seeds: the children of one seed drawn from ``random_state``
    (``numpy.random.SeedSequence.spawn``, whose output numpy keeps stable across versions)."""
    root = np.random.SeedSequence(seed_from(random_state))
    return [int(child.generate_state(1, dtype=np.uint32)[0] >> 1) for child in root.spawn(count)]


def resample_seed(random_state) -> int:
    """The seed of the rows' draws (the core's stream k is member k's rows)."""
    return int(np.random.SeedSequence(seed_from(random_state)).generate_state(1, dtype=np.uint32)[0])


def sparsity_of(learner) -> Tuple[str, Tuple[float, ...]]:
    """The learner's sparsity parameter and its default grid, sparsest first."""
    return learner._sparsity_param, tuple(learner._sparsity_grid)


def sparsity_grid(values, name: str) -> Tuple[float, ...]:
    """``values`` as a grid of a sparsity parameter: finite numbers ≥ 0, duplicates dropped,
    sparsest (largest) first. Raises InvalidInputError otherwise."""
    try:
        grid = tuple(values)
    except TypeError:
        raise InvalidInputError(f"{name} must be a sequence of numbers; got {values!r}") from None
    ok = all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in grid)
    if not grid or not ok or not all(math.isfinite(v) and v >= 0 for v in grid):
        raise InvalidInputError(f"{name} must be a non-empty sequence of finite numbers >= 0; got {values!r}")
    return tuple(sorted({float(v) for v in grid}, reverse=True))


def check_sparsity_param(learner, param: str) -> None:
    """Raises InvalidInputError unless ``param`` is one of the learner's own (core) parameters."""
    if param in PYTHON_PARAMS or param not in learner.get_params(deep=False):
        raise InvalidInputError(f"{param!r} is not a sparsity parameter of {type(learner).__name__}")


def check_param_has_effect(learner, param: str, data: Prepared) -> None:
    """Raises InvalidInputError when ``param`` does nothing with the learner's settings on these
    data (a path over it would repeat one fit)."""
    reason = learner._sparsity_unused(param, data.mask is not None)
    if reason is not None:
        raise InvalidInputError(reason)


def fit_on_rows(
    learner, data: Prepared, rows: Optional[np.ndarray], seed: int, overrides: Optional[Dict[str, Any]] = None
):
    """A clone of ``learner`` (random_state ``seed``, one thread, no progress bar, ``overrides``)
    fitted on ``data``'s rows ``rows`` (all when None). Returns the fitted clone."""
    # a RandomState or Generator is copied: every fit starts from the user's state, untouched
    seed = copy.deepcopy(seed) if isinstance(seed, (np.random.RandomState, np.random.Generator)) else seed
    member = clone(learner).set_params(random_state=seed, n_jobs=1, verbose=False, **(overrides or {}))
    X, mask = data.take(rows)
    try:
        return member.fit(X, intervention_mask=mask)
    except InvalidInputError as exc:
        where = "all rows" if rows is None else "a resample of the rows"
        at = "".join(f", {k} = {v!r}" for k, v in (overrides or {}).items())
        raise InvalidInputError(f"the fit on {where}{at} failed: {exc}") from exc


def graph_of(member) -> Tuple[np.ndarray, np.ndarray]:
    """(adjacency as uint8, weights) of a fitted member."""
    return member.adjacency_.astype(np.uint8), np.asarray(member.weights_, dtype=np.float64)


def rows_of(data: Prepared, seed: int, member: int, subsample: Optional[float]) -> np.ndarray:
    """Member ``member``'s rows (a stratified bootstrap, or a subsample of that fraction)."""
    return _core.resample_rows(data.strata, seed, member, subsample)
