"""The estimator base shared by every structure learner.

A learner subclasses :class:`DAGLearner`, declares its parameters in ``__init__`` (scikit-learn
style: stored as given, validated in ``fit``) and implements ``_fit_standardized(X)``, which gets
the preprocessed float64 data and returns a :class:`CoreResult` from one stateless ``_core``
call. The base validates input, applies centring/scaling, stores the fitted attributes of
DESIGN §2, and provides ``predict``, ``score``, ``bic`` and ``to_networkx``.
"""

from __future__ import annotations

import numbers
import os
import warnings
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _core
from ._validation import as_float_matrix, check_finite, check_fit_input
from .exceptions import InvalidInputError
from .prior import PriorKnowledge

# Column scales further apart than this make least-squares learners favour the large columns.
_SCALE_RATIO_WARNING = 1e4
# Column scales beyond this (either way) make the unit-dependent lambda1 / w_threshold meaningless.
_EXTREME_SCALE = 1e6


@dataclass
class CoreResult:
    """What a learner's core call returns, in the preprocessed units."""

    raw_weights: np.ndarray
    weights: np.ndarray
    n_iter: int
    converged: bool
    history: np.ndarray
    extras: dict = field(default_factory=dict)

    @classmethod
    def from_core(cls, out: dict, **extras: str) -> CoreResult:
        """From a ``_core.*_fit`` dict; ``extras`` maps fitted-attribute names to its keys."""
        return cls(
            raw_weights=out["raw_weights"],
            weights=out["weights"],
            n_iter=out["n_iter"],
            converged=out["converged"],
            history=out["history"],
            extras={name: out[key] for name, key in extras.items()},
        )


def _check_prior_held(weights: np.ndarray, forbidden) -> None:
    """The core honours forbidden edges exactly; never hand out a result that does not. (Required
    edges are in ``adjacency_`` by construction: their weight may be exactly 0.)"""
    if forbidden is not None and np.any(np.asarray(weights)[forbidden] != 0):
        raise AssertionError("internal error: a forbidden edge has a nonzero weight")


def random_state_from(random_state) -> np.random.RandomState:
    """sklearn's ``check_random_state``, also taking a ``numpy.random.Generator``, with an
    InvalidInputError naming ``random_state`` instead of numpy's ValueError."""
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(int(random_state.integers(2**32)))
    try:
        return check_random_state(random_state)
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(
            f"random_state must be None, an int in [0, 2**32 - 1], a numpy RandomState or Generator, "
            f"got {random_state!r}"
        ) from exc


def seed_from(random_state) -> int:
    """An int seed in [0, 2**31 − 1] for the Rust core, drawn from ``random_state``."""
    return int(random_state_from(random_state).randint(0, 2**31 - 1))


def resolve_n_jobs(n_jobs: Optional[int]) -> int:
    """Threads for a fit: None → 1, -1 → all cores, -k → all but k − 1 cores, k → min(k, cores).

    More threads than cores never help these CPU-bound kernels, so larger values are capped.
    """
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise InvalidInputError(f"n_jobs must be None, a positive int or a negative int, got {n_jobs!r}")
    cores = os.cpu_count() or 1
    return min(int(n_jobs), cores) if n_jobs > 0 else max(1, cores + 1 + max(int(n_jobs), -cores))


class DAGLearner(BaseEstimator):
    """Base class of the structure learners (not used directly).

    Fitted attributes (every learner)
    ---------------------------------
    weights_ : ndarray of shape (d, d), float64
        Weighted adjacency of the learned DAG; ``weights_[i, j] != 0`` means the edge i → j.
        Zero wherever ``adjacency_`` is zero. A required edge (``prior_knowledge``) is an edge
        even where the data give it a weight of exactly 0. The weights are those of the data the learner saw:
        the units of X, or standardized units when ``standardize=True`` (``predict`` undoes it).
    adjacency_ : ndarray of shape (d, d), int64
        0/1 adjacency, always acyclic, zero diagonal.
    causal_order_ : ndarray of shape (d,), int64
        A topological order of ``adjacency_`` (roots first, smallest index first among ties).
    node_labels_ : list
        The input's column labels (DataFrame columns as given, else 0..d-1).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame whose labels are all strings.
    n_iter_ : int
    converged_ : bool
    mean_, scale_ : ndarray of shape (d,)
        The centring and scaling applied to X before fitting (zeros/ones where none was).
    history_ : ndarray
        Objective after each outer iteration.
    """

    #: The hyper-parameters in units of the data, named by the warning about extreme scales.
    _scale_dependent_params = "lambda1 and w_threshold"

    # Subclasses: "linear" (centre, optionally scale) or "glm" (data used as given).
    def _preprocessing(self) -> str:
        return "linear"

    def _fit_standardized(self, X: np.ndarray, forbidden, required) -> CoreResult:  # pragma: no cover
        """The core fit on preprocessed X; ``forbidden`` / ``required``: (d, d) bool masks or None."""
        raise NotImplementedError

    def _check_preprocessed(self, X: np.ndarray, labels: List) -> None:
        """Checks the preprocessed data before the fit; learners with known blind spots extend it."""

    def _check_params(self) -> None:
        """Validates hyper-parameters; subclasses extend it."""
        for name in ("standardize", "verbose"):
            check_bool(self, name)
        resolve_n_jobs(self.n_jobs)
        prior = getattr(self, "prior_knowledge", None)
        if prior is not None and not isinstance(prior, PriorKnowledge):
            raise InvalidInputError(f"prior_knowledge must be an acyclic.PriorKnowledge or None, got {prior!r}")

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Learns a DAG from X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric data; rows are samples. DataFrame column labels become node labels.
            Not modified.
        y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            NaN or inf values, a constant column, fewer than 2 rows or 2 columns, non-2-D input,
            or an invalid hyper-parameter (the message names it).
        NonNumericInputError
            A non-numeric column (also a ``TypeError``).
        NumericalError
            The optimisation left the float64 range.
        KeyboardInterrupt
            Ctrl-C during the fit.
        """
        self._check_params()
        values, labels = as_float_matrix(X)
        check_fit_input(values, labels)
        forbidden, required = self._prior_masks(labels)
        mean, scale = self._preprocessing_for(values, labels)
        preprocessed = (values - mean) / scale
        self._check_preprocessed(preprocessed, labels)
        result = self._fit_standardized(preprocessed, forbidden, required)
        _check_prior_held(result.weights, forbidden)
        # Only now, with the fit done, replace the fitted state: a failed or interrupted refit
        # leaves the previous model intact.
        self._set_input_metadata(X, values, labels)
        self.mean_, self.scale_ = mean, scale
        self._store(result, required)
        return self

    def _prior_masks(self, labels: List):
        """(forbidden, required) masks from ``prior_knowledge`` for these labels, or (None, None)."""
        prior = getattr(self, "prior_knowledge", None)
        if prior is None:
            return None, None
        return prior.masks(labels)

    def _set_input_metadata(self, X, values: np.ndarray, labels: List) -> None:
        self.node_labels_ = list(labels)
        if all(isinstance(c, str) for c in labels) and isinstance(X, pd.DataFrame):
            # plain str (not np.str_): scikit-learn rejects a mix of the two
            validate_data(self, pd.DataFrame(values, columns=[str(c) for c in labels]), reset=True)
        else:
            validate_data(self, values, reset=True)
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_

    def _preprocessing_for(self, values: np.ndarray, labels: List):
        """(mean, scale) to apply before fitting; warns about disparate column scales."""
        d = values.shape[1]
        if self._preprocessing() == "glm":
            if self.standardize:
                raise InvalidInputError(
                    "standardize=True is not available with this loss: binary or count data must be used as given"
                )
            return np.zeros(d), np.ones(d)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            mean = values.mean(axis=0)
            std = values.std(axis=0)
            centred_max = np.abs(values - mean).max(axis=0)
        bad = ~np.isfinite(mean) | ~np.isfinite(std) | (std == 0) | (centred_max > 1e150)
        if bad.any():
            names = ", ".join(repr(labels[j]) for j in np.flatnonzero(bad))
            raise InvalidInputError(
                f"column(s) {names} have values too large or too varied in scale for float64 "
                "arithmetic (their squares overflow or their variance underflows to 0); rescale them"
            )
        if self.standardize:
            return mean, std
        if std.max() > _EXTREME_SCALE or std.min() < 1.0 / _EXTREME_SCALE:
            warnings.warn(
                f"the columns' standard deviations range from {std.min():.3g} to {std.max():.3g}: at "
                f"such scales {self._scale_dependent_params} (in the units of the data) lose their meaning "
                "and the result may be empty or dense; rescale the data or use standardize=True",
                UserWarning,
                stacklevel=3,
            )
        elif std.max() / std.min() > _SCALE_RATIO_WARNING:
            warnings.warn(
                f"the columns' standard deviations range from {std.min():.3g} to {std.max():.3g}; "
                "least-squares learners are not scale-invariant, so consider standardize=True "
                "(and mind varsortability, acyclic.metrics.varsortability, when comparing results)",
                UserWarning,
                stacklevel=3,
            )
        return mean, np.ones(d)

    def _store(self, result: CoreResult, required=None) -> None:
        self.raw_weights_ = np.asarray(result.raw_weights, dtype=np.float64)
        weights = np.array(result.weights, dtype=np.float64)
        np.fill_diagonal(weights, 0.0)
        self.weights_ = weights
        # a required edge stays an edge when the data give it no weight (e.g. an exactly
        # orthogonal design: its least-squares coefficient is 0)
        adjacency = weights != 0
        if required is not None:
            adjacency |= required
        self.adjacency_ = adjacency.astype(np.int64)
        order = _core.topological_order(self.adjacency_.astype(np.float64))
        if order is None:  # the core guarantees a DAG; never hand out anything else
            raise AssertionError("internal error: the learned graph has a cycle")
        self.causal_order_ = np.asarray(order, dtype=np.int64)
        self.n_iter_ = int(result.n_iter)
        self.converged_ = bool(result.converged)
        self.history_ = np.asarray(result.history, dtype=np.float64)
        for name, value in result.extras.items():
            setattr(self, name, value)
        if not self.converged_:
            warnings.warn(self._convergence_advice(), ConvergenceWarning, stacklevel=3)

    def _convergence_advice(self) -> str:
        return f"{type(self).__name__} did not converge; increase max_iter."

    # ------------------------------------------------------------------ use
    def _check_predict_input(self, X) -> np.ndarray:
        check_is_fitted(self, "weights_")
        values, labels = as_float_matrix(X)
        check_finite(values, labels)
        # sklearn's messages (wrong column count or names), as the package's own error type: it
        # subclasses ValueError, so sklearn's checks still match them
        try:
            if all(isinstance(c, str) for c in labels) and isinstance(X, pd.DataFrame):
                validate_data(self, pd.DataFrame(values, columns=labels), reset=False)
            else:
                validate_data(self, values, reset=False)
        except InvalidInputError:
            raise
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from exc
        return values

    def _linear_predictor(self, values: np.ndarray) -> np.ndarray:
        """((X − mean_) / scale_) · weights_ (the weights live in the preprocessed units)."""
        return ((values - self.mean_) / self.scale_) @ self.weights_

    def predict(self, X) -> np.ndarray:
        """Predicts each column from its parents in the learned graph, in the units of X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_features), float64
            Linear learners: ``mean_ + scale_ · ((X − mean_)/scale_ · W)``; a root node is
            predicted by its mean. Logistic/Poisson losses: the conditional mean σ(XW) / exp(XW).
        """
        return self._predict_values(self._check_predict_input(X))

    def _predict_values(self, values: np.ndarray) -> np.ndarray:
        """``predict`` on already validated float64 values (no second feature-name check)."""
        eta = self._linear_predictor(values)
        if self._preprocessing() == "glm":
            return self._glm_mean(eta)
        return eta * self.scale_ + self.mean_

    def _glm_mean(self, eta: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def score(self, X, y=None) -> float:
        """Negative mean squared residual of :meth:`predict` (higher is better).

        Note: it always prefers denser graphs (more parents never increase the in-sample
        residual), so do not use it to choose ``lambda1`` or ``w_threshold``; use :meth:`bic`.
        """
        values = self._check_predict_input(X)
        return -float(np.mean((values - self._predict_values(values)) ** 2))

    def bic(self, X) -> float:
        """Bayesian information criterion of the learned graph on X (lower is better).

        Gaussian linear SEM with one noise variance per node (Schwarz 1978):
        ``n Σ_j log(σ̂_j²) + |E| log n``, with σ̂_j² the mean squared residual of node j; the
        logistic and Poisson losses use twice their negative log-likelihood instead of the
        Gaussian term. Use it to compare ``lambda1`` / ``w_threshold`` choices on the same X.
        """
        values = self._check_predict_input(X)
        n = values.shape[0]
        n_edges = int(self.adjacency_.sum())
        if self._preprocessing() == "glm":
            fit_term = 2.0 * self._glm_negative_loglik(values)
        else:
            residual_var = np.mean((values - self._predict_values(values)) ** 2, axis=0)
            fit_term = n * float(np.sum(np.log(np.maximum(residual_var, np.finfo(float).tiny))))
        return fit_term + n_edges * np.log(n)

    def _glm_negative_loglik(self, values: np.ndarray) -> float:  # pragma: no cover
        raise NotImplementedError

    def to_networkx(self):
        """The learned DAG as a ``networkx.DiGraph``.

        Nodes are ``node_labels_``; each edge i → j carries ``weight=weights_[i, j]``.
        """
        check_is_fitted(self, "weights_")
        from .graph import to_networkx

        return to_networkx(self.weights_, labels=self.node_labels_)


_LOSSES = ("l2", "logistic", "poisson")


def check_bool(estimator, name: str, *, auto: bool = False) -> None:
    """Raise InvalidInputError unless ``estimator.<name>`` is a bool (not a string such as "False"),
    or, with ``auto``, the string ``"auto"``."""
    value = getattr(estimator, name)
    if auto and isinstance(value, str) and value == "auto":
        return
    if not isinstance(value, (bool, np.bool_)):
        either = ' or "auto"' if auto else ""
        raise InvalidInputError(f"{name} must be True or False{either}, got {value!r}")


def check_number(estimator, name: str, *, low: float = 0.0, low_inclusive: bool = True, auto: bool = False) -> None:
    """Raises InvalidInputError unless ``estimator.<name>`` is a finite real ≥ (or >) ``low``, or,
    with ``auto``, the string ``"auto"``."""
    value = getattr(estimator, name)
    if auto and isinstance(value, str) and value == "auto":
        return
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value >= low if low_inclusive else value > low)
    if not ok:
        relation = ">=" if low_inclusive else ">"
        either = ' or "auto"' if auto else ""
        raise InvalidInputError(f"{name} must be a finite number {relation} {low:g}{either}, got {value!r}")


def check_count(estimator, name: str, *, low: int = 1, high: int = 2**31 - 1, auto: bool = False) -> None:
    """Raises InvalidInputError unless ``estimator.<name>`` is an integer in [low, high], or, with
    ``auto``, the string ``"auto"``."""
    value = getattr(estimator, name)
    if auto and isinstance(value, str) and value == "auto":
        return
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not low <= value <= high:
        either = ' or "auto"' if auto else ""
        raise InvalidInputError(f"{name} must be an integer >= {low} (and <= {high}){either}, got {value!r}")


class LinearSEMLearner(DAGLearner):
    """Base of the learners of a linear SEM X = XW + E scored by a loss on XW.

    Handles ``loss_type`` ("l2" on centred data; "logistic" on binary and "poisson" on count
    data, used as given), the shared ``lambda1`` / ``w_threshold`` checks, and the conditional
    means and likelihoods behind ``predict`` and ``bic`` for the GLM losses.
    """

    def _preprocessing(self) -> str:
        return "linear" if self.loss_type == "l2" else "glm"

    def _check_params(self) -> None:
        super()._check_params()
        if self.loss_type not in _LOSSES:
            raise InvalidInputError(f"loss_type must be one of {_LOSSES}, got {self.loss_type!r}")
        check_number(self, "lambda1")
        check_number(self, "w_threshold")

    def _check_preprocessed(self, X: np.ndarray, labels: List) -> None:
        # Two columns that are copies of each other (up to sign and a constant) give i → j and
        # j → i the same score, and the search from W = 0 keeps their two weights equal (the
        # gradient is symmetric) until the acyclicity term shrinks both below w_threshold: the
        # edge the data determine would be silently lost. Say so instead.
        pair = _copied_columns(X)
        if pair is not None:
            a, b = (labels[k] for k in pair)
            raise InvalidInputError(
                f"columns {a!r} and {b!r} are copies of each other (|correlation| = 1 and equal "
                f"scale{' after standardization' if self.standardize else ''}): "
                f"{type(self).__name__} scores {a!r} -> {b!r} and {b!r} -> {a!r} the same and, "
                "starting from W = 0, keeps both weights equal until it drops them; drop one of "
                "the two columns, or use TOPO, COSMO or DPDAG, which orient it"
            )

    def _check_glm_data(self, X: np.ndarray) -> None:
        if self.loss_type == "logistic" and not np.isin(X, (0.0, 1.0)).all():
            raise InvalidInputError("loss_type='logistic' needs binary data (every value 0 or 1)")
        if self.loss_type == "poisson" and (X < 0).any():
            raise InvalidInputError("loss_type='poisson' needs count data (no negative values)")

    def _glm_mean(self, eta: np.ndarray) -> np.ndarray:
        if self.loss_type == "logistic":
            return 0.5 * (1.0 + np.tanh(0.5 * eta))
        return np.exp(eta)

    def _glm_negative_loglik(self, values: np.ndarray) -> float:
        eta = self._linear_predictor(values)
        if self.loss_type == "logistic":
            return float(np.sum(np.logaddexp(0.0, eta) - values * eta))
        return float(np.sum(np.exp(eta) - values * eta))


def _copied_columns(X: np.ndarray):
    """(i, j) for the first pair of columns equal up to sign and a constant (|corr| ≥ 1 − 1e-12,
    norms within 1e-6 once centred), or None. One Gram matrix: O(n d²)."""
    centred = X - X.mean(axis=0)
    norms = np.sqrt(np.einsum("ij,ij->j", centred, centred))
    gram = np.abs(centred.T @ centred)
    with np.errstate(invalid="ignore", divide="ignore"):
        collinear = gram >= (1.0 - 1e-12) * np.outer(norms, norms)
        same_scale = np.abs(norms[:, None] - norms[None, :]) <= 1e-6 * np.maximum(norms[:, None], norms[None, :])
    hits = np.argwhere(np.triu(collinear & same_scale & (norms[:, None] > 0), k=1))
    return None if hits.size == 0 else (int(hits[0][0]), int(hits[0][1]))
