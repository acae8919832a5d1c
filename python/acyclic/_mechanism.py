"""Prediction through the per-node networks of a nonlinear fit (``mechanism="mlp"``).

The learners with MLP mechanisms (NOTEARS, DAGMA, COSMO, DP-DAG) keep the networks' parameters
as the private ``_mechanism_params`` and predict each column from its parents in ``adjacency_``
with the core's ``mlp_predict`` (inputs of pruned edges are zeroed).
"""

from __future__ import annotations

from typing import Any, List

import numpy as np

from . import _core


class MLPMechanismMixin:
    """``predict`` through the fitted networks when the learner used them (put it before the
    learner's base class)."""

    #: The networks' hidden activation ("sigmoid" for NOTEARS/DAGMA/COSMO, "relu" for DP-DAG).
    _mlp_activation = "sigmoid"
    _private_extras = frozenset({"mechanism_params"})
    # set by the learner's __init__ or its fit (declared for the type checker only)
    hidden: Any
    mean_: np.ndarray
    scale_: np.ndarray
    adjacency_: np.ndarray
    _mechanism_params: np.ndarray

    def _uses_mlp(self) -> bool:
        """Whether the fitted model predicts through networks (the "mlp" mechanism)."""
        return getattr(self, "mechanism", "linear") == "mlp"

    def _network_widths(self) -> List[int]:
        """Hidden widths of the fitted networks (empty: the linear mechanism)."""
        return [int(h) for h in np.atleast_1d(self.hidden)] if self._uses_mlp() else []

    def _store(self, result, forbidden=None, required=None) -> None:
        super()._store(result, forbidden, required)  # type: ignore[misc]
        # what predict needs, as of this fit (set_params may change the parameters later)
        self._fitted_with_mlp = self._uses_mlp() or "mechanism_params" in result["extras"]
        self._hidden = self._network_widths()

    def _predict_values(self, values: np.ndarray) -> np.ndarray:
        """The fitted networks on ``adjacency_``, in the units of X."""
        if not getattr(self, "_fitted_with_mlp", False):
            return super()._predict_values(values)  # type: ignore[misc]
        standardized = (values - self.mean_) / self.scale_
        prediction = _core.mlp_predict(
            np.ascontiguousarray(standardized),
            self._hidden,
            self._mlp_activation,
            self._mechanism_params,
            self.adjacency_.astype(np.float64),
        )
        return prediction * self.scale_ + self.mean_
