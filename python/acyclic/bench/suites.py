"""Named benchmark suites: which methods, on which settings, with which seeds.

=============== ============================================================================
suite           what
=============== ============================================================================
``smoke``       seconds: ER1, d ∈ {5, 10}, n = 200, one seed, learners + baselines
``standard``    ER2 and ER4, d ∈ {10, 20, 50}, n = 1000, Gaussian noise, raw data, 3 seeds,
                learners + baselines
``scaling``     ER2, d ∈ {10, 20, 50, 100, 200}, n = 1000, one seed, learners + baselines
                (timeout 300 s a run): the seconds-vs-d plot
``standardized`` ER2, d ∈ {10, 20}, raw and standardized, 3 seeds, learners + baselines: SHD
                raw vs standardized beside R²-SortnRegress (Reisach et al. 2021, 2023)
``nonlinear``   ER2, d ∈ {10, 20, 50}, linear Gaussian and nonlinear (mlp, mim) SEMs, 3 seeds:
                NOTEARS, DP-DAG linear (with and without its refit) and DP-DAG with MLP
                mechanisms (timeout 900 s)
``sachs``       the 853 observational Sachs rows vs the 17-edge DAG, raw and standardized,
                learners + baselines + the empty graph (SHD 17)
=============== ============================================================================

Every field can be overridden from the command line (:meth:`Suite.replace`).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Dict, List, Tuple

from .data import SACHS, Setting

__all__ = ["Suite", "SUITES", "get_suite"]

_LEARNERS_AND_BASELINES = ("learners", "baselines")


@dataclass(frozen=True)
class Suite:
    """A benchmark suite: the grid of settings × methods × seeds.

    Parameters
    ----------
    name : str
        Its name (``--suite``).
    description : str
        One line for the report.
    methods : tuple of str
        Method and group names (:mod:`acyclic.bench.methods`).
    graphs : tuple of str
        ``"ER"``, ``"SF"``, or ``("sachs",)`` for the Sachs data.
    ks : tuple of int
        Expected edges per node (``s0 = k·d``).
    ds : tuple of int
        Numbers of nodes.
    n : int
        Samples per data set.
    noises : tuple of str
        Noise distributions of the linear SEM.
    standardize : tuple of bool
        Raw (False) and/or standardized (True) data.
    seeds : tuple of int
        Data-set seeds (also each run's ``random_state``).
    timeout : float
        Seconds before a run is killed.
    """

    name: str
    description: str
    methods: Tuple[str, ...] = _LEARNERS_AND_BASELINES
    graphs: Tuple[str, ...] = ("ER",)
    ks: Tuple[int, ...] = (2,)
    ds: Tuple[int, ...] = (10, 20)
    n: int = 1000
    noises: Tuple[str, ...] = ("gauss",)
    standardize: Tuple[bool, ...] = (False,)
    seeds: Tuple[int, ...] = (0, 1, 2)
    timeout: float = 600.0

    @property
    def is_sachs(self) -> bool:
        """Whether the suite runs on the Sachs data instead of simulated data.

        Returns
        -------
        bool
        """
        return SACHS in self.graphs

    def settings(self) -> List[Setting]:
        """The settings of the grid, in report order.

        Returns
        -------
        list of Setting
            Graph, k, noise, standardize, then d (innermost), so settings that differ only in d
            are adjacent.
        """
        if self.is_sachs:
            return [Setting.sachs(standardize=s) for s in self.standardize]
        grid = itertools.product(self.graphs, self.ks, self.noises, self.standardize, self.ds)
        return [Setting(graph=g, k=k, d=d, n=self.n, noise=noise, standardize=s) for g, k, noise, s, d in grid]

    def replace(self, **changes) -> Suite:
        """A copy with some fields changed (None values are ignored).

        Parameters
        ----------
        **changes
            Field names and values.

        Returns
        -------
        Suite
        """
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The named suites.
SUITES: Dict[str, Suite] = {s.name: s for s in (
    Suite("smoke", "seconds-long check of every learner and baseline on tiny graphs",
          ks=(1,), ds=(5, 10), n=200, seeds=(0,), timeout=120.0),
    Suite("standard", "ER2 and ER4, d = 10, 20, 50, n = 1000, Gaussian noise, raw data",
          ks=(2, 4), ds=(10, 20, 50)),
    Suite("scaling", "time against d: ER2, d = 10 … 200, n = 1000, one seed",
          ds=(10, 20, 50, 100, 200), seeds=(0,), timeout=300.0),
    Suite("standardized", "raw vs standardized data (varsortability): ER2, d = 10, 20",
          ds=(10, 20), standardize=(False, True)),
    Suite("nonlinear", "linear vs nonlinear SEMs (mlp, mim): ER2, d = 10, 20, 50, NOTEARS and DP-DAG",
          methods=("notears", "dpdag", "dpdag-modal", "dpdag-mlp"), ds=(10, 20, 50), noises=("gauss", "mlp", "mim"),
          timeout=900.0),
    Suite("sachs", "Sachs et al. (2005), 853 observational rows, vs the acyclic 17-edge consensus graph",
          methods=_LEARNERS_AND_BASELINES + ("empty",), graphs=(SACHS,), ks=(), ds=(11,), n=853,
          noises=(), standardize=(False, True)),
)}  # fmt: skip


def get_suite(name: str) -> Suite:
    """The named suite.

    Parameters
    ----------
    name : str
        A key of :data:`SUITES`.

    Returns
    -------
    Suite

    Raises
    ------
    KeyError
        With the list of suites.
    """
    try:
        return SUITES[name]
    except KeyError:
        raise KeyError(f"unknown suite {name!r}; known: {', '.join(SUITES)}") from None
