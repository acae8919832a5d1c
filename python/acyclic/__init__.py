"""acyclic: learn causal DAGs from data, with a Rust core.

Learners (scikit-learn estimators): :class:`NOTEARS`, :class:`DAGMA`, :class:`TOPO`, :class:`COSMO`,
:class:`DPDAG`, :class:`BaCaDI` and :class:`DiBS` (posteriors over DAGs), :class:`DStruct`
(NOTEARS, NOTEARS-MLP or DAGMA members on overlapping subsets, trained to agree); and
:func:`refine_topo`, which improves any learner's DAG by TOPO's swap search;
:class:`PriorKnowledge` (forbidden/required edges, sources, sinks, tiers) for any learner;
:func:`select_lambda` (a learner's sparsity chosen by BIC, EBIC or cross-validation);
:class:`SufficientStats` (data larger than memory, reduced chunk by chunk, for the
least-squares learners).
Edge confidence: :mod:`acyclic.ensemble` (:class:`~acyclic.ensemble.Bootstrap`,
:class:`~acyclic.ensemble.StabilitySelection`), on threads or a Dask cluster.
The next experiment: :mod:`acyclic.active` (AIT's scores of candidate interventions, and the
active loop).
Modules: :mod:`acyclic.simulate` (synthetic graphs and SEMs), :mod:`acyclic.metrics`
(SHD, TPR, FDR, ...), :mod:`acyclic.datasets` (Sachs et al. 2005), :mod:`acyclic.interventions`
(environments, targets and the intervention mask of interventional data), :mod:`acyclic.graph`,
:mod:`acyclic.plotting`, :mod:`acyclic.penalties` (acyclicity penalties h(W) and their gradients),
:mod:`acyclic.exceptions`. Command line: ``acyclic learn``.

Convention everywhere: ``W[i, j] != 0`` means the edge i → j.

Names are imported on first use (PEP 562), so ``import acyclic`` stays cheap: scikit-learn and
pandas load only when a learner or data set is touched.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("acyclic")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

_LEARNERS = {
    "NOTEARS": "._notears",
    "DAGMA": "._dagma",
    "TOPO": "._topo",
    "refine_topo": "._topo",
    "PriorKnowledge": ".prior",
    "COSMO": "._cosmo",
    "DPDAG": "._dpdag",
    "BaCaDI": "._bacadi",
    "DiBS": "._bacadi",
    "DStruct": "._dstruct",
    "select_lambda": ".model_selection",
    "SufficientStats": ".sufficient_stats",
}
_SUBMODULES = (
    "active",
    "baselines",
    "datasets",
    "ensemble",
    "exceptions",
    "graph",
    "interventions",
    "metrics",
    "model_selection",
    "penalties",
    "plotting",
    "prior",
    "simulate",
    "sufficient_stats",
)

__all__ = [*sorted(_LEARNERS), *_SUBMODULES, "__version__"]


def __getattr__(name):
    if name in _LEARNERS:
        return getattr(importlib.import_module(_LEARNERS[name], __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'acyclic' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
