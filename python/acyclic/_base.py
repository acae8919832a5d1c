"""The estimator base shared by every structure learner.

A learner subclasses :class:`DAGLearner` and declares its parameters in ``__init__``
(scikit-learn style: stored as given, validated in ``fit``). It names its Rust core learner in
``_core_learner``; :meth:`DAGLearner.fit` validates the data, hands the parameters to the
core (which validates them and resolves their ``"auto"`` values), runs the one ``_core.fit``
call and stores what it returns. The base also provides ``predict``, ``score``, ``bic``
and ``to_networkx``. ``ARCHITECTURE.md`` describes the data flow of a fit.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, cast

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _core
from ._params import PYTHON_PARAMS, check_params, core_params, resolve_n_jobs
from ._progress import progress_bar
from ._validation import as_float_matrix, check_finite, check_fit_input, check_intervention_mask
from .exceptions import InvalidInputError
from .sufficient_stats import SufficientStats

__all__ = ["DAGLearner", "LinearSEMLearner", "random_state_from", "resolve_n_jobs", "seed_from"]


def _centred_max(values: np.ndarray, mean: Optional[np.ndarray] = None) -> np.ndarray:
    """Each column's largest |x − mean| (inf where it overflows): the check for values too large
    to square."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        mean = values.mean(axis=0) if mean is None else mean
        return np.abs(values - mean).max(axis=0)


# Column scales further apart than this make least-squares learners favour the large columns.
_SCALE_RATIO_WARNING = 1e4
# Column scales beyond this (either way) make the unit-dependent lambda1 / w_threshold meaningless.
_EXTREME_SCALE = 1e6


def random_state_from(random_state) -> np.random.RandomState:
    """sklearn's ``check_random_state``, also taking a ``numpy.random.Generator``, with an
    InvalidInputError naming ``random_state`` instead of numpy's ValueError."""
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(int(random_state.integers(2**32)))
    PYTHON_PARAMS["random_state"].check("random_state", random_state)
    return check_random_state(random_state)


def seed_from(random_state) -> int:
    """An int seed in [0, 2**31 − 1] for the Rust core, drawn from ``random_state``."""
    return int(random_state_from(random_state).randint(0, 2**31 - 1))


class DAGLearner(BaseEstimator):
    """Base class of the structure learners (not used directly).

    Every learner has these fitted attributes (and its own, listed in its docstring).

    Attributes
    ----------
    weights_ : ndarray of shape (d, d), float64
        Weighted adjacency of the learned DAG; ``weights_[i, j] != 0`` means the edge i → j.
        Zero wherever ``adjacency_`` is zero. A required edge (``prior_knowledge``) is an edge
        even where the data give it a weight of exactly 0. The weights are those of the data the
        learner saw: the units of X, or standardized units when ``standardize=True``
        (``predict`` undoes it).
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
    cpdag_ : ndarray of shape (d, d), int64
        The equivalence class of ``adjacency_`` (read-only, computed on access): see
        :attr:`cpdag_`.
    """

    #: The Rust core's learner this estimator runs (one of ``_core.LEARNERS``); None for a
    #: learner written in Python, which overrides ``_fit_preprocessed``.
    _core_learner: Optional[str] = None
    #: What one step of the progress bar is (the learner's ``max_iter`` unit).
    _progress_unit = "iteration"
    #: Settings sent to the core learner whatever the parameters (a fixed variant of it).
    _core_fixed_params: dict = {}
    #: Extras of the core's result kept as private attributes (``_<name>``), not fitted ones.
    _private_extras: frozenset = frozenset()
    #: The hyper-parameters in units of the data, named by the warning about extreme scales.
    _scale_dependent_params = "lambda1 and w_threshold"
    #: The parameter that sets the learner's sparsity, and its default grid (sparsest first) for
    #: stability selection and λ paths (``acyclic.ensemble``, ``acyclic.select_lambda``); None for
    #: learners that return a posterior over graphs themselves.
    _sparsity_param: Optional[str] = "w_threshold"
    _sparsity_grid: tuple = (0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05)

    def _sparsity_unused(self, param: str, interventional: bool) -> Optional[str]:
        """Why ``param`` has no effect with these settings (None when it has one): scanning it
        would fit the same graph at every value."""
        return None

    def _set_params(self, params: Dict[str, Any]) -> None:
        """Stores ``__init__``'s arguments (its ``locals()``) as given, scikit-learn style: no
        validation or conversion here, ``fit`` does that."""
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    # Subclasses: "linear" (centre, optionally scale) or "glm" (data used as given).
    def _preprocessing(self) -> str:
        return "linear"

    def _check_preprocessed(self, X: np.ndarray, mean: np.ndarray, scale: np.ndarray, labels: List) -> None:
        """Checks the data before the fit (``(X − mean) / scale`` is what the learner sees);
        learners with known blind spots extend it."""

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, *, intervention_mask=None):
        """Learns a DAG from X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features), or SufficientStats
            Numeric data; rows are samples. DataFrame column labels become node labels.
            Not modified. An :class:`acyclic.SufficientStats` (data larger than memory) is fitted
            by NOTEARS and DAGMA (linear mechanism, l2 loss), TOPO and the SortnRegress baselines,
            with the result of fitting its rows; the other learners raise InvalidInputError.
        y : ignored
            Present for scikit-learn compatibility.
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            True where the row set the node by a perfect (hard) intervention, e.g. from
            :func:`acyclic.interventions.mask_from_environments`. Node j's equation is then
            fitted only on the rows that leave it alone (the interventional likelihood of
            Hauser & Bühlmann, JMLR 2012, used by GIES and DCDI); its intercept is fitted on
            those rows. Standardization still uses all rows. ``None`` (or a mask with no True)
            is observational data.

        Returns
        -------
        self

        Raises
        ------
        InvalidInputError
            NaN or inf values, a constant column, fewer than 2 rows or 2 columns, non-2-D input,
            an invalid hyper-parameter (the message names it), an intervention_mask of another
            shape or with non-boolean values, a node intervened on in every row, or a learner
            that does not take interventional data with these settings.
        NonNumericInputError
            A non-numeric column (also a ``TypeError``).
        NumericalError
            The optimisation left the float64 range.
        KeyboardInterrupt
            Ctrl-C during the fit.

        Warns
        -----
        UserWarning
            n_samples <= n_features: the problem is underdetermined and the graph unreliable.
        """
        params = self.get_params(deep=False)
        check_params(params, PYTHON_PARAMS)
        if isinstance(X, SufficientStats):
            if intervention_mask is not None:
                raise InvalidInputError(
                    "sufficient statistics carry their own intervention masks: build them with "
                    "SufficientStats.from_array(X, intervention_mask=...) instead"
                )
            return self._fit_statistics(X, X.labels_, X, None)
        values, labels = as_float_matrix(X)
        check_fit_input(values, labels)
        intervened = (
            None if intervention_mask is None else check_intervention_mask(intervention_mask, values.shape, labels)
        )
        if intervened is None and self._statistics_suffice():
            # the least-squares learners see observational rows only through their statistics:
            # one path, so fit(X) and fit(SufficientStats.from_array(X)) are the same bits
            stats = SufficientStats(_core.stats_of_rows(values, resolve_n_jobs(params.get("n_jobs"))), labels)
            return self._fit_statistics(stats, labels, X, _centred_max(values))
        self._warn_underdetermined(*values.shape)
        forbidden, required = self._prior_masks(labels)
        mean, scale = self._preprocessing_for(values, labels)
        self._check_preprocessed(values, mean, scale, labels)
        result = self._fit_preprocessed(values, mean, scale, forbidden, required, intervened)
        # Only now, with the fit done, replace the fitted state: a failed or interrupted refit
        # leaves the previous model intact.
        self._keep_training_data(values, labels, intervened)
        self._set_input_metadata(X, labels)
        self.mean_, self.scale_ = mean, scale
        self._intervention_targets = _targets_of(intervened)
        self._store(result, forbidden, required)
        return self

    def _keep_training_data(self, values: np.ndarray, labels: List, intervened: Optional[np.ndarray]) -> None:
        """What a fitted model keeps of its rows beyond ``_store`` (nothing by default; the
        posteriors keep their sufficient statistics, see ``_posterior``)."""

    def _sparsity_knobs(self) -> List[str]:
        """The parameters that make the graph sparser, for advice."""
        params = self.get_params(deep=False)
        return [p for p in ("lambda1", "lambda_kl", "w_threshold", "edge_threshold") if p in params]

    def _warn_underdetermined(self, n: int, d: int) -> None:
        if n <= d:  # the data cannot pin down d regressions on up to d - 1 parents each
            knobs = " or ".join(self._sparsity_knobs())
            warnings.warn(
                f"{type(self).__name__}: X has {n} samples for {d} variables: the problem is underdetermined "
                "(more variables than samples, n <= d), so the learned graph is likely to be dense and "
                f"unreliable; use more rows, fewer variables, or a larger sparsity parameter ({knobs})",
                UserWarning,
                stacklevel=3,
            )

    def _sent_params(self) -> Dict[str, Any]:
        """The parameters the core reads (with the seed drawn from ``random_state``)."""
        params = self.get_params(deep=False)
        sent = {**core_params(params), **self._core_fixed_params}
        if "random_state" in params:
            sent["seed"] = seed_from(params["random_state"])
        return sent

    def _statistics_suffice(self) -> bool:
        """Whether this learner, as set, fits observational data from n and the covariance."""
        if self._core_learner is None or self._preprocessing() != "linear":
            return False
        params = {**core_params(self.get_params(deep=False)), **self._core_fixed_params}
        return _core.fits_from_statistics(self._core_learner, params)

    def _fit_statistics(self, stats: SufficientStats, labels: List, X, centred_max) -> DAGLearner:
        """The fit of observational data known by its sufficient statistics (see ``fit``)."""
        if stats.n_ < 2 or stats.n_features_in_ < 2:
            raise InvalidInputError(
                f"the statistics describe {stats.n_} row(s) and {stats.n_features_in_} column(s): at least 2 of each"
            )
        # a constant column's variance is rounding noise, not 0 (the mean is not exact): call
        # a column constant when its standard deviation is below 1e-12 of its magnitude
        std, magnitude = stats.std_, np.abs(stats.mean_)
        constant = (std == 0) | (std <= 1e-12 * magnitude)
        if constant.any():
            names = ", ".join(repr(labels[j]) for j in np.flatnonzero(constant))
            raise InvalidInputError(f"column(s) {names} are constant (standard deviation 0 to rounding): drop them")
        self._warn_underdetermined(stats.n_, stats.n_features_in_)
        forbidden, required = self._prior_masks(labels)
        mean, scale = self._preprocessing_from(stats.mean_, stats.std_, centred_max, labels)
        self._check_statistics(stats, scale, labels)
        params = self.get_params(deep=False)
        with progress_bar(bool(params.get("verbose")), desc=type(self).__name__, unit=self._progress_unit) as callback:
            result = _core.fit_statistics(
                cast(str, self._core_learner),
                stats._core_arguments(),
                self._sent_params(),
                scale=scale,
                forbidden=forbidden,
                required=required,
                callback=callback,
                n_threads=resolve_n_jobs(params.get("n_jobs")),
                patterns=stats.intervention_patterns_,
            )
        self._set_input_metadata(X, labels)
        self.mean_, self.scale_ = mean, scale
        self._intervention_targets = _targets_of(stats.intervention_patterns_)
        self._store(result, forbidden, required)
        return self

    def _check_statistics(self, stats: SufficientStats, scale: np.ndarray, labels: List) -> None:
        """Checks before a fit from statistics; learners with known blind spots extend it."""

    def _fit_preprocessed(
        self, values, mean, scale, forbidden, required, intervened=None, environments=None
    ) -> Dict[str, Any]:
        """One call into the core: the fit of ``(values − mean) / scale`` (the centring and scaling
        happen in the core's copy of the data; ``environments``: int64 codes, 0 observational, for
        the learners that model experiments). Returns the core's result dict."""
        params = self.get_params(deep=False)
        sent = self._sent_params()
        with progress_bar(bool(params.get("verbose")), desc=type(self).__name__, unit=self._progress_unit) as callback:
            return _core.fit(
                cast(str, self._core_learner),  # set by every class that does not override this method
                values,
                sent,
                mean=mean,
                scale=scale,
                forbidden=forbidden,
                required=required,
                intervention_mask=intervened,
                environments=environments,
                callback=callback,
                n_threads=resolve_n_jobs(params.get("n_jobs")),
            )

    def _prior_masks(self, labels: List):
        """(forbidden, required) masks from ``prior_knowledge`` for these labels, or (None, None)."""
        prior = getattr(self, "prior_knowledge", None)
        if prior is None:
            return None, None
        return prior.masks(labels)

    def _set_input_metadata(self, X, labels: List) -> None:
        """``n_features_in_`` and, for a DataFrame with all-str labels, ``feature_names_in_`` (what
        scikit-learn's ``validate_data(reset=True)`` sets, without a second pass over X)."""
        self.node_labels_ = list(labels)
        self.n_features_in_ = len(labels)
        if isinstance(X, (pd.DataFrame, SufficientStats)) and all(isinstance(c, str) for c in labels):
            # plain str (not np.str_): scikit-learn rejects a mix of the two
            self.feature_names_in_ = np.asarray([str(c) for c in labels], dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    def _preprocessing_for(self, values: np.ndarray, labels: List):
        """(mean, scale) to apply before fitting; warns about disparate column scales."""
        if self._preprocessing() == "glm":
            return self._preprocessing_from(None, None, None, labels)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            mean = values.mean(axis=0)
            std = values.std(axis=0)
        return self._preprocessing_from(mean, std, _centred_max(values, mean), labels)

    def _preprocessing_from(self, mean, std, centred_max, labels: List):
        """(mean, scale) from the columns' means and standard deviations (and largest centred
        values, when the rows are at hand); warns about disparate column scales."""
        d = len(labels)
        if self._preprocessing() == "glm":
            if self.standardize:
                raise InvalidInputError(
                    "standardize=True is not available with this loss: binary or count data must be used as given"
                )
            return np.zeros(d), np.ones(d)
        bad = ~np.isfinite(mean) | ~np.isfinite(std) | (std == 0)
        if centred_max is not None:
            bad |= centred_max > 1e150
        if bad.any():
            names = ", ".join(repr(labels[j]) for j in np.flatnonzero(bad))
            raise InvalidInputError(
                f"column(s) {names} are constant, or have values too large or too varied in scale for "
                "float64 arithmetic (their squares overflow or their variance underflows to 0); drop or rescale them"
            )
        if self.standardize:
            return mean, std
        if std.max() > _EXTREME_SCALE or std.min() < 1.0 / _EXTREME_SCALE:
            warnings.warn(
                f"the columns' standard deviations range from {std.min():.3g} to {std.max():.3g}: at "
                f"such scales {self._scale_dependent_params} (in the units of the data) lose their meaning "
                "and the result may be empty or dense; rescale the data or use standardize=True",
                UserWarning,
                stacklevel=4,
            )
        elif std.max() / std.min() > _SCALE_RATIO_WARNING:
            warnings.warn(
                f"the columns' standard deviations range from {std.min():.3g} to {std.max():.3g}; "
                "least-squares learners are not scale-invariant, so consider standardize=True "
                "(and mind varsortability, acyclic.metrics.varsortability, when comparing results)",
                UserWarning,
                stacklevel=4,
            )
        return mean, np.ones(d)

    def _store(self, result: Dict[str, Any], forbidden=None, required=None) -> None:
        """Sets the fitted attributes from the core's result dict."""
        self.raw_weights_ = result["raw_weights"]
        self.weights_ = result["weights"]
        self.adjacency_ = result["adjacency"]
        self.causal_order_ = result["order"]
        self.n_iter_ = int(result["n_iter"])
        self.converged_ = bool(result["converged"])
        self.history_ = result["history"]
        for name, value in result["extras"].items():
            setattr(self, f"_{name}" if name in self._private_extras else f"{name}_", value)
        for message in result["warnings"]:
            warnings.warn(message, UserWarning, stacklevel=3)
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
            Data like those the learner was fitted on (same columns, same order).

        Returns
        -------
        ndarray of shape (n_samples, n_features), float64
            Linear learners: ``mean_ + scale_ · ((X − mean_)/scale_ · W)``; a root node is
            predicted by its mean. Logistic/Poisson losses: the conditional mean σ(XW) / exp(XW).

        Raises
        ------
        InvalidInputError
            X is not like the data the learner was fitted on (column count or names), or holds
            NaN or inf.
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
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

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data like those the learner was fitted on (same columns, same order).
        y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        float
            ``-mean((X - predict(X))²)`` over all entries.

        Raises
        ------
        InvalidInputError
            X is not like the data the learner was fitted on (column count or names), or holds
            NaN or inf.
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
        """
        values = self._check_predict_input(X)
        return -float(np.mean((values - self._predict_values(values)) ** 2))

    def residual_variances(self, X, intervention_mask=None) -> np.ndarray:
        """Each node's mean squared residual under the learned model, in the units of X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data like those the learner was fitted on (same columns, same order).
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            Rows where node j was set by an intervention do not count for node j.

        Returns
        -------
        ndarray of shape (n_features,), float64
            σ̂_j² = mean over the rows that leave j alone of (x_j − predict(X)_j)², at least the
            smallest positive float64.

        Raises
        ------
        InvalidInputError
            X is not like the fitted data, holds NaN or inf, or the mask has another shape or
            leaves a node no row.
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
        """
        values = self._check_predict_input(X)
        return self._residual_variances(values, self._mask_for(values, intervention_mask))

    def _mask_for(self, values: np.ndarray, intervention_mask) -> Optional[np.ndarray]:
        if intervention_mask is None:
            return None
        return check_intervention_mask(intervention_mask, values.shape, list(self.node_labels_))

    def _residual_variances(self, values: np.ndarray, mask: Optional[np.ndarray]) -> np.ndarray:
        squared = (values - self._predict_values(values)) ** 2
        if mask is None:
            variance = squared.mean(axis=0)
        else:
            variance = np.where(mask, 0.0, squared).sum(axis=0) / (~mask).sum(axis=0)
        return np.maximum(variance, np.finfo(float).tiny)

    def bic(self, X, intervention_mask=None) -> float:
        """Bayesian information criterion of the learned graph on X (lower is better).

        Gaussian linear SEM with one noise variance per node (Schwarz 1978):
        ``Σ_j n_j log(σ̂_j²) + |E| log n``, with σ̂_j² node j's mean squared residual
        (:meth:`residual_variances`) over the n_j rows that leave it alone (all n without a
        mask); the logistic and Poisson losses use twice their negative log-likelihood (the
        core's loss) instead of the Gaussian term. Use it to compare ``lambda1`` /
        ``w_threshold`` choices on the same X (:func:`acyclic.select_lambda` does).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data like those the learner was fitted on (same columns, same order).
        intervention_mask : array-like of bool, shape (n_samples, n_features), default=None
            As in ``fit``: rows where node j was intervened on do not count for node j.

        Returns
        -------
        float
            The criterion.

        Raises
        ------
        InvalidInputError
            X is not like the data the learner was fitted on (column count or names), or holds
            NaN or inf; a mask of another shape.
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
        """
        values = self._check_predict_input(X)
        mask = self._mask_for(values, intervention_mask)
        n = values.shape[0]
        n_edges = int(self.adjacency_.sum())
        if self._preprocessing() == "glm":
            if mask is not None:
                raise InvalidInputError("bic with an intervention_mask is available for the least-squares loss only")
            mean_loss, _ = _core.loss_value_grad(values, self.weights_, self.loss_type)
            fit_term = 2.0 * n * mean_loss
        else:
            rows = np.full(values.shape[1], n) if mask is None else (~mask).sum(axis=0)
            fit_term = float(np.sum(rows * np.log(self._residual_variances(values, mask))))
        return fit_term + n_edges * np.log(n)

    @property
    def weights_df_(self) -> pd.DataFrame:
        """``weights_`` as a DataFrame labelled by ``node_labels_`` (rows: parents, columns:
        children), e.g. the columns of the DataFrame the learner was fitted on.

        Returns
        -------
        pandas.DataFrame of shape (d, d), float64

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        """
        check_is_fitted(self, "weights_")
        labels = list(self.node_labels_)
        return pd.DataFrame(self.weights_, index=labels, columns=labels)

    def to_networkx(self):
        """The learned DAG as a ``networkx.DiGraph``.

        Nodes are ``node_labels_``; each edge i → j carries ``weight=weights_[i, j]``.

        Returns
        -------
        networkx.DiGraph
            The graph of ``weights_``.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
        """
        check_is_fitted(self, "weights_")
        from .graph import to_networkx

        return to_networkx(self.weights_, labels=self.node_labels_)

    def to_dot(self) -> str:
        """The learned DAG as Graphviz DOT text (:func:`acyclic.graph.to_dot`).

        Nodes are ``node_labels_`` as str; each edge i → j carries ``weight=weights_[i, j]``,
        written so that :func:`acyclic.graph.from_dot` reads back the same floats.

        Returns
        -------
        str
            A ``digraph``, one statement per line.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
        """
        check_is_fitted(self, "weights_")
        from .graph import to_dot

        return to_dot(self.weights_, labels=self.node_labels_)

    def to_gml(self) -> str:
        """The learned DAG as GML text for DoWhy and networkx (:func:`acyclic.graph.to_gml`).

        ``CausalModel(data, treatment, outcome, graph=model.to_gml())`` in DoWhy, or
        ``networkx.parse_gml(model.to_gml())``: nodes are ``node_labels_`` as str, each edge
        i → j carries ``weight=weights_[i, j]``.

        Returns
        -------
        str
            GML text on one line.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The learner has not been fitted.
        """
        check_is_fitted(self, "weights_")
        from .graph import to_gml

        return to_gml(self.weights_, labels=self.node_labels_)

    @property
    def cpdag_(self) -> np.ndarray:
        """The CPDAG (essential graph) of ``adjacency_``: the edges that every DAG equivalent to
        it orients the same way stay directed, the others are undirected.

        Fitted with an ``intervention_mask`` (or interventional sufficient statistics), the
        equivalence is the interventional one of Hauser & Bühlmann (JMLR 2012) for the distinct
        target sets of the mask's rows: an edge with exactly one endpoint in a target set is
        directed as well. Otherwise (no mask, or targets a learner inferred rather than was
        given) it is the observational CPDAG. See :func:`acyclic.graph.to_cpdag`.

        Returns
        -------
        ndarray of shape (d, d), int64
            ``C[i, j] = 1, C[j, i] = 0`` for a directed edge i → j, ``C[i, j] = C[j, i] = 1`` for an
            undirected edge i − j. Computed from ``adjacency_`` on each access.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            The learner has not been fitted (an ``AttributeError``).
        """
        check_is_fitted(self, "adjacency_")
        from .graph import to_cpdag

        return to_cpdag(self.adjacency_, targets=getattr(self, "_intervention_targets", None))


def _targets_of(intervention_mask: Optional[np.ndarray]) -> Optional[List[List[int]]]:
    """The distinct target sets of a fit's intervention mask (rows or groups), None without one."""
    if intervention_mask is None:
        return None
    from .graph import targets_of_mask

    return targets_of_mask(intervention_mask)


class LinearSEMLearner(DAGLearner):
    """Base of the learners of a linear SEM X = XW + E scored by a loss on XW.

    Handles ``loss_type`` ("l2" on centred data; "logistic" on binary and "poisson" on count
    data, used as given): the data checks each loss needs, and the conditional means behind
    ``predict`` for the GLM losses.
    """

    def _preprocessing(self) -> str:
        return "glm" if self.loss_type in ("logistic", "poisson") else "linear"

    def _check_preprocessed(self, X: np.ndarray, mean: np.ndarray, scale: np.ndarray, labels: List) -> None:
        if self.loss_type == "logistic" and not np.isin(X, (0.0, 1.0)).all():
            raise InvalidInputError("loss_type='logistic' needs binary data (every value 0 or 1)")
        if self.loss_type == "poisson" and (X < 0).any():
            raise InvalidInputError("loss_type='poisson' needs count data (no negative values)")
        if self._preprocessing() == "glm":
            return
        # Two columns that are copies of each other (up to sign and a constant) give i → j and
        # j → i the same score, and the search from W = 0 keeps their two weights equal (the
        # gradient is symmetric) until the acyclicity term shrinks both below w_threshold: the
        # edge the data determine would be silently lost. Say so instead.
        centred = (X - mean) / scale
        centred = centred - centred.mean(axis=0)
        self._refuse_copies(centred.T @ centred, labels)

    def _check_statistics(self, stats, scale: np.ndarray, labels: List) -> None:
        self._refuse_copies(stats.scatter_ / np.outer(scale, scale), labels)

    def _refuse_copies(self, gram: np.ndarray, labels: List) -> None:
        pair = _copied_columns(gram)
        if pair is not None:
            a, b = (labels[k] for k in pair)
            raise InvalidInputError(
                f"columns {a!r} and {b!r} are copies of each other (|correlation| = 1 and equal "
                f"scale{' after standardization' if self.standardize else ''}): "
                f"{type(self).__name__} scores {a!r} -> {b!r} and {b!r} -> {a!r} the same and, "
                "starting from W = 0, keeps both weights equal until it drops them; drop one of "
                "the two columns, or use TOPO, COSMO or DPDAG, which orient it"
            )

    def _glm_mean(self, eta: np.ndarray) -> np.ndarray:
        if self.loss_type == "logistic":
            return 0.5 * (1.0 + np.tanh(0.5 * eta))
        return np.exp(eta)


def _copied_columns(gram: np.ndarray):
    """(i, j) for the first pair of columns equal up to sign and a constant (|corr| ≥ 1 − 1e-12,
    norms within 1e-6 once centred), or None, from the Gram matrix of the centred columns."""
    norms = np.sqrt(np.maximum(np.diag(gram), 0.0))
    gram = np.abs(gram)
    with np.errstate(invalid="ignore", divide="ignore"):
        collinear = gram >= (1.0 - 1e-12) * np.outer(norms, norms)
        same_scale = np.abs(norms[:, None] - norms[None, :]) <= 1e-6 * np.maximum(norms[:, None], norms[None, :])
    hits = np.argwhere(np.triu(collinear & same_scale & (norms[:, None] > 0), k=1))
    return None if hits.size == 0 else (int(hits[0][0]), int(hits[0][1]))
