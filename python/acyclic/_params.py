"""Parameters: the declarative checks of those the Python layer handles, and the hand-over of
the others to the Rust core.

Every learner's algorithmic parameters are declared twice, once per language: in the
estimator's ``__init__`` (with its numpydoc docstring) and in the core learner's ``Config``,
which validates them and resolves their ``"auto"`` values. The Python layer only checks the
parameters it uses itself (:data:`PYTHON_PARAMS`), from the table below, in the spirit of
scikit-learn's ``_parameter_constraints``.
"""

from __future__ import annotations

import numbers
import os
from typing import Any, Callable, Dict, Mapping

import numpy as np

from .exceptions import InvalidInputError


class Constraint:
    """A rule a parameter value must follow; :meth:`check` raises InvalidInputError naming it."""

    description = ""

    def accepts(self, value: Any) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def check(self, name: str, value: Any) -> None:
        if not self.accepts(value):
            raise InvalidInputError(f"{name} must be {self.description}, got {value!r}")


class Boolean(Constraint):
    """True or False (not a string such as "False", not 0/1)."""

    description = "True or False"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (bool, np.bool_))


class NJobs(Constraint):
    """None, a positive int or a negative int (joblib's convention)."""

    description = "None, a positive int or a negative int"

    def accepts(self, value: Any) -> bool:
        if value is None:
            return True
        return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and value != 0


class InstanceOrNone(Constraint):
    """An instance of a class (imported lazily by name), or None."""

    def __init__(self, load: Callable[[], type], description: str):
        self._load = load
        self.description = description

    def accepts(self, value: Any) -> bool:
        return value is None or isinstance(value, self._load())


class RandomState(Constraint):
    """None, an int in [0, 2**32 − 1], a numpy RandomState or Generator."""

    description = "None, an int in [0, 2**32 - 1], a numpy RandomState or Generator"

    def accepts(self, value: Any) -> bool:
        if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
            return True
        is_int = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
        return bool(is_int and 0 <= value <= 2**32 - 1)


def _prior_knowledge_class() -> type:
    from .prior import PriorKnowledge

    return PriorKnowledge


#: The parameters every learner may have that the Python layer handles itself. Every other
#: parameter of a core learner goes to the Rust core, which validates it.
PYTHON_PARAMS: Dict[str, Constraint] = {
    "standardize": Boolean(),
    "verbose": Boolean(),
    "n_jobs": NJobs(),
    "prior_knowledge": InstanceOrNone(_prior_knowledge_class, "an acyclic.PriorKnowledge or None"),
    "random_state": RandomState(),
}


def check_params(params: Mapping[str, Any], table: Mapping[str, Constraint]) -> None:
    """Checks every parameter of ``params`` that ``table`` has a constraint for."""
    for name, constraint in table.items():
        if name in params:
            constraint.check(name, params[name])


def to_core(value: Any) -> Any:
    """A parameter value as plain Python (numpy scalars and arrays become int/float/bool/list),
    the only kinds the core reads."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [to_core(v) for v in value]
    return value


def core_params(params: Mapping[str, Any]) -> Dict[str, Any]:
    """The parameters the core reads: all but :data:`PYTHON_PARAMS`, as plain Python."""
    return {name: to_core(value) for name, value in params.items() if name not in PYTHON_PARAMS}


def resolve_n_jobs(n_jobs) -> int:
    """Threads for a fit: None → 1, -1 → all cores, -k → all but k − 1 cores, k → min(k, cores).

    More threads than cores never help these CPU-bound kernels, so larger values are capped.
    """
    NJobs().check("n_jobs", n_jobs)
    if n_jobs is None:
        return 1
    cores = os.cpu_count() or 1
    return min(int(n_jobs), cores) if n_jobs > 0 else max(1, cores + 1 + max(int(n_jobs), -cores))
