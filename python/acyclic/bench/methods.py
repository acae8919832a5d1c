"""The methods ``acyclic bench`` can run: a registry from a command-line name to an estimator.

Every method is a :class:`Method`: a name, a table label, a kind (``learner``, ``baseline``,
``peer``, ``reference``), the ``"module:attribute"`` of an estimator class with ``fit(X)``
setting ``weights_`` (``weights_[i, j] != 0`` meaning ``i -> j``), its benchmark parameters and
the modules it needs. The estimator is built and fitted inside the run's child process
(:func:`fit_in_child`); ``random_state`` is set to the run's seed, ``n_jobs`` to its threads and
``verbose`` to False wherever the estimator has them.

Adding a learner is one entry in :data:`METHODS`. A method whose class or modules cannot be
found (a peer not installed, a learner this version does not have) is reported by
:meth:`Method.unavailable` and recorded as skipped, never a crash.

Groups usable in ``--methods``: ``learners``, ``baselines``, ``peers``, ``all``.

On interventional settings :func:`fit_interventional_in_child` fits each method with
``fit(X, intervention_mask=mask)`` and then, afresh, with ``fit(X)``; a method whose ``fit`` has
no ``intervention_mask`` parameter (peers) or whose learner answers that it does not take one yet
(:data:`NOT_SUPPORTED`) is reported as unsupported, with its observational fit.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

__all__ = ["Method", "METHODS", "GROUPS", "EmptyGraph", "NOT_SUPPORTED", "get_method", "resolve_methods",
           "fit_in_child", "fit_interventional_in_child"]  # fmt: skip


@dataclass(frozen=True)
class Method:
    """One benchmark method.

    Parameters
    ----------
    name : str
        Command-line name (``--methods NAME``).
    label : str
        Name in tables and plots.
    kind : {"learner", "nonlinear", "baseline", "peer", "reference"}
        Our learners, the sort-and-regress baselines, peer packages, or a reference point
        (the empty graph).
    target : str
        ``"module:attribute"`` of the estimator class.
    params : mapping, default {}
        Constructor keyword arguments (the benchmark's choice; the class defaults otherwise).
    requires : tuple of str, default ()
        Top-level modules that must be importable (checked without importing them).
    install : str, default ""
        How to install what is missing (shown in the skip notice).
    """

    name: str
    label: str
    kind: str
    target: str
    params: Mapping[str, object] = field(default_factory=dict)
    requires: Tuple[str, ...] = ()
    install: str = ""

    def unavailable(self) -> Optional[str]:
        """Why the method cannot run here, or None when it can.

        Returns
        -------
        str or None
            E.g. ``"needs 'lingam' (pip install lingam)"`` or ``"acyclic.DPDAG does not exist in
            this version"``.
        """
        missing = [m for m in self.requires if importlib.util.find_spec(m) is None]
        if missing:
            hint = f" ({self.install})" if self.install else ""
            return f"needs {', '.join(repr(m) for m in missing)}{hint}"
        module_name, attr = self.target.split(":")
        try:
            module = importlib.import_module(module_name)
            getattr(module, attr)
        except AttributeError:
            return f"{module_name}.{attr} does not exist in this version"
        except ImportError as exc:
            return f"cannot import {module_name}: {exc}"
        return None

    def build(self, seed: int, threads: int = 1):
        """Construct the estimator for one run.

        Parameters
        ----------
        seed : int
            Given as ``random_state`` where the estimator has one.
        threads : int, default 1
            Given as ``n_jobs`` where the estimator has one.

        Returns
        -------
        estimator
            Unfitted, with ``fit(X)`` and (after it) ``weights_``.
        """
        module_name, attr = self.target.split(":")
        cls = getattr(importlib.import_module(module_name), attr)
        est = cls(**dict(self.params))
        if hasattr(est, "get_params"):
            accepted = est.get_params()
            runtime = {"random_state": int(seed), "n_jobs": int(threads), "verbose": False}
            est.set_params(**{k: v for k, v in runtime.items() if k in accepted and k not in self.params})
        return est

    def job(self) -> Dict[str, object]:
        """What the child process needs to build the method (JSON-serialisable).

        Returns
        -------
        dict
            ``name``, ``label``, ``kind``, ``target``, ``params``.
        """
        return {"name": self.name, "label": self.label, "kind": self.kind, "target": self.target,
                "params": dict(self.params)}  # fmt: skip


class EmptyGraph:
    """The empty graph, whatever the data: the reference point of every SHD (SHD = true edges).

    Attributes
    ----------
    weights_ : ndarray of shape (d, d)
        Zeros.
    """

    def fit(self, X, y=None, *, intervention_mask=None):
        """Set ``weights_`` to zeros.

        Parameters
        ----------
        X : array_like of shape (n, d)
            Data (only its width is used).
        y : ignored
            Present for scikit-learn compatibility.
        intervention_mask : ignored
            Present so that the empty graph runs on interventional settings too.

        Returns
        -------
        self
        """
        import numpy as np

        d = np.asarray(X).shape[1]
        self.weights_ = np.zeros((d, d))
        return self


_DAGMA_PYPI = "pip install --no-deps dagma && pip install igraph tqdm"

#: Words of the error of a learner that does not take an intervention mask yet (the core's message).
NOT_SUPPORTED = "does not take intervention_mask"

#: The registry, in table order. Benchmark parameters: each class's defaults (NOTEARS λ1 = 0.1,
#: DAGMA λ1 = 0.03, w_threshold 0.3 for the learners; the baselines keep every coefficient of
#: their BIC-chosen adaptive lasso, as their reference does — a 0.3 threshold would lower their
#: SHD (ER4, d = 50, seed 0: Var-SortnRegress 82 → 47) but make R²-SortnRegress depend on the
#: units of the data, and it is the scale-invariant yardstick of the standardized suite);
#: DP-DAG with the linear mechanism.
METHODS: Dict[str, Method] = {m.name: m for m in (
    Method("notears", "NOTEARS", "learner", "acyclic:NOTEARS"),
    Method("dagma", "DAGMA", "learner", "acyclic:DAGMA"),
    Method("topo", "TOPO", "learner", "acyclic:TOPO"),
    Method("cosmo", "COSMO", "learner", "acyclic:COSMO"),
    # the authors' algorithm, without our final refit (for comparison; in no group but "variants")
    Method("cosmo-paper", "COSMO (no refit)", "variant", "acyclic:COSMO", {"refit": False}),
    # standardize=False: the benchmark standardizes the data itself when a setting asks for it,
    # so that every method sees the same array (whatever the estimator's default).
    Method("dpdag", "DP-DAG", "learner", "acyclic:DPDAG", {"mechanism": "linear", "standardize": False}),
    # the authors' point estimate (the modal DAG of q), without our final refit
    Method("dpdag-modal", "DP-DAG (no refit)", "variant", "acyclic:DPDAG",
           {"mechanism": "linear", "standardize": False, "refit": False}),
    # nonlinear: not in the "learners" group (tens of seconds per fit at d = 50)
    Method("dpdag-mlp", "DP-DAG (MLP)", "nonlinear", "acyclic:DPDAG", {"mechanism": "mlp", "standardize": False}),
    Method("notears-mlp", "NOTEARS-MLP", "nonlinear", "acyclic:NOTEARS", {"mechanism": "mlp"}),
    Method("dagma-mlp", "DAGMA-MLP", "nonlinear", "acyclic:DAGMA", {"mechanism": "mlp"}),
    Method("cosmo-mlp", "COSMO (MLP)", "nonlinear", "acyclic:COSMO", {"mechanism": "mlp"}),
    Method("varsortnregress", "Var-SortnRegress", "baseline", "acyclic.baselines:VarSortnRegress"),
    Method("r2sortnregress", "R²-SortnRegress", "baseline", "acyclic.baselines:R2SortnRegress"),
    Method("randomsortnregress", "Random-SortnRegress", "baseline", "acyclic.baselines:RandomSortnRegress"),
    Method("dagma-pypi", "DAGMA (PyPI)", "peer", "acyclic.bench.peers:DagmaPyPI", requires=("dagma",),
           install=_DAGMA_PYPI),
    Method("lingam", "DirectLiNGAM", "peer", "acyclic.bench.peers:DirectLiNGAM", requires=("lingam",),
           install="pip install lingam"),
    Method("gcastle-notears", "NOTEARS (poly)", "peer", "acyclic.bench.peers:GCastleNotears",
           requires=("castle", "torch"), install="pip install gcastle torch"),
    Method("empty", "empty graph", "reference", "acyclic.bench.methods:EmptyGraph"),
)}  # fmt: skip

#: Names usable in ``--methods`` for several methods at once.
GROUPS: Dict[str, Tuple[str, ...]] = {
    "learners": tuple(m.name for m in METHODS.values() if m.kind == "learner"),
    "baselines": tuple(m.name for m in METHODS.values() if m.kind == "baseline"),
    "peers": tuple(m.name for m in METHODS.values() if m.kind == "peer"),
    "nonlinear": tuple(m.name for m in METHODS.values() if m.kind == "nonlinear"),
    "variants": tuple(m.name for m in METHODS.values() if m.kind == "variant"),
}
GROUPS["all"] = GROUPS["learners"] + GROUPS["nonlinear"] + GROUPS["baselines"] + GROUPS["peers"]


def get_method(name: str) -> Method:
    """The registered method called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`METHODS`.

    Returns
    -------
    Method

    Raises
    ------
    KeyError
        With the list of known names.
    """
    try:
        return METHODS[name]
    except KeyError:
        raise KeyError(f"unknown method {name!r}; known: {', '.join(METHODS)} "
                       f"(groups: {', '.join(GROUPS)})") from None  # fmt: skip


def resolve_methods(names: Sequence[str]) -> List[Method]:
    """Methods for names and group names, in the given order, without repeats.

    Parameters
    ----------
    names : sequence of str
        Method names (:data:`METHODS`) and group names (:data:`GROUPS`).

    Returns
    -------
    list of Method

    Raises
    ------
    KeyError
        For an unknown name.
    """
    out: Dict[str, Method] = {}
    for name in names:
        for member in GROUPS.get(name, (name,)):
            out.setdefault(member, get_method(member))
    return list(out.values())


def fit_in_child(X, method: Mapping[str, Any], seed: int, threads: int = 1) -> Dict[str, object]:
    """Build and fit one method (runs inside the run's child process).

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The data as fed to the method.
    method : mapping
        :meth:`Method.job` of the method.
    seed : int
        The run's seed (``random_state``).
    threads : int, default 1
        ``n_jobs``.

    Returns
    -------
    dict
        ``W`` (the estimate's ``weights_``, float (d, d)), ``seconds`` (wall time of ``fit``
        alone), ``n_iter`` and ``converged`` (None where the estimator has no such attribute).
    """
    from .process import timed

    est = _spec(method).build(seed, threads)
    _, seconds = timed(est.fit, X)  # warnings silenced: `converged` is recorded instead
    return _outcome(est, seconds)


def _spec(method: Mapping[str, Any]) -> Method:
    """The :class:`Method` of a :meth:`Method.job` mapping."""
    return Method(**{k: method[k] for k in ("name", "label", "kind", "target", "params")})


def _outcome(est, seconds: float) -> Dict[str, object]:
    """``W``, ``seconds``, ``n_iter`` and ``converged`` of a fitted estimator."""
    import numpy as np

    n_iter = getattr(est, "n_iter_", None)
    converged = getattr(est, "converged_", None)
    return {
        "W": np.asarray(est.weights_, dtype=np.float64),
        "seconds": float(seconds),
        "n_iter": None if n_iter is None else int(n_iter),
        "converged": None if converged is None else bool(converged),
    }


def fit_interventional_in_child(X, intervention_mask, method: Mapping[str, Any], seed: int,
                                threads: int = 1) -> Dict[str, object]:  # fmt: skip
    """Fit one method with and without the intervention mask (runs inside the run's child process).

    The interventional fit comes first; the observational one is a fresh estimator with the same
    parameters and seed, fitted on the same rows without the mask.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        The data as fed to the method (every environment's rows).
    intervention_mask : ndarray of shape (n, d), bool
        True where the row's experiment set the node.
    method : mapping
        :meth:`Method.job` of the method.
    seed : int
        The run's seed (``random_state``).
    threads : int, default 1
        ``n_jobs``.

    Returns
    -------
    dict
        ``W`` (the interventional fit's ``weights_``; None when unsupported), ``W_obs`` (the
        observational fit's), ``seconds`` and ``obs_seconds`` (wall time of each ``fit``),
        ``n_iter`` and ``converged`` of the interventional fit, and ``unsupported``: None, or why
        the method cannot take the mask (its ``fit`` has no such parameter, or the learner says it
        does not take one yet).

    Raises
    ------
    Exception
        Whatever a fit raises, other than a learner's "does not take intervention_mask" error.
    """
    import inspect

    import numpy as np

    from ..exceptions import AcyclicError
    from .process import timed

    mask = np.asarray(intervention_mask, dtype=bool)
    est = _spec(method).build(seed, threads)
    unsupported: Optional[str] = None
    fitted: Dict[str, object] = {"W": None, "seconds": None, "n_iter": None, "converged": None}
    if "intervention_mask" not in inspect.signature(est.fit).parameters:
        unsupported = f"{type(est).__name__}.fit takes no intervention_mask"
    else:
        try:
            _, seconds = timed(est.fit, X, intervention_mask=mask)
        except AcyclicError as exc:
            if NOT_SUPPORTED not in str(exc):
                raise
            unsupported = " ".join(str(exc).split())
        else:
            fitted = _outcome(est, seconds)
    observational = fit_in_child(X, method, seed, threads)
    return {**fitted, "W_obs": observational["W"], "obs_seconds": observational["seconds"], "unsupported": unsupported}
