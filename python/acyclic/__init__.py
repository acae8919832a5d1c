"""acyclic: learn causal DAGs from data, with a Rust core.

Learners (scikit-learn estimators): :class:`NOTEARS`.
Modules: :mod:`acyclic.simulate` (synthetic graphs and SEMs), :mod:`acyclic.metrics`
(SHD, TPR, FDR, ...), :mod:`acyclic.datasets` (Sachs et al. 2005), :mod:`acyclic.graph`,
:mod:`acyclic.plotting`, :mod:`acyclic.exceptions`. Command line: ``acyclic learn``.

Convention everywhere: ``W[i, j] != 0`` means the edge i → j.
"""

from importlib.metadata import PackageNotFoundError, version

from . import datasets, exceptions, graph, metrics, simulate
from ._notears import NOTEARS

try:
    __version__ = version("acyclic")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

__all__ = ["NOTEARS", "datasets", "exceptions", "graph", "metrics", "simulate", "__version__"]
