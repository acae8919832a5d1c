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
``nonlinear``   ER2, d ∈ {10, 20, 50}, linear Gaussian and nonlinear (mlp, mim, gp-sines) SEMs,
                3 seeds: NOTEARS and DP-DAG linear, and every nonlinear learner (NOTEARS-MLP,
                DAGMA-MLP, COSMO and DP-DAG with MLP mechanisms; timeout 900 s)
``sachs``       the 853 observational Sachs rows vs the 17-edge DAG, raw and standardized,
                learners + baselines + the empty graph (SHD 17)
``interventional`` ER2, d ∈ {10, 20, 50}, 1000 observational rows + 200 rows for each single-node
                perfect intervention on 10 %, 50 % and 100 % of the nodes, raw and standardized,
                3 seeds; and the Sachs experiments (7466 rows and the 5846-row variant) with their
                documented targets: every learner and baseline fitted with and without the
                intervention mask on the same rows (a method that does not take the mask yet gives
                an ``unsupported`` row with its observational figures)
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
    targets : tuple of float, default ()
        Fractions of the nodes with a single-node experiment each; non-empty makes the simulated
        settings interventional (``n`` observational rows plus ``n_per_target`` rows per target).
    n_per_target : int, default 200
        Rows per single-node experiment of the interventional settings.
    sachs_variants : tuple of str, default ()
        For ``"sachs"`` among ``graphs``: the variants of the experiments (``"7466"``, ``"5846"``),
        each an interventional setting; empty: the 853 observational rows.
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
    targets: Tuple[float, ...] = ()
    n_per_target: int = 200
    sachs_variants: Tuple[str, ...] = ()

    @property
    def is_sachs(self) -> bool:
        """Whether the suite runs on the Sachs data only, no simulated data.

        Returns
        -------
        bool
        """
        return bool(self.graphs) and all(g == SACHS for g in self.graphs)

    def settings(self) -> List[Setting]:
        """The settings of the grid, in report order.

        Returns
        -------
        list of Setting
            The simulated graphs' settings: graph, k, noise, standardize, target fraction, then d
            (innermost), so settings that differ only in d are adjacent; then the Sachs settings
            (each variant raw, then standardized).
        """
        out: List[Setting] = []
        simulated = tuple(g for g in self.graphs if g != SACHS)
        if self.targets:
            grid = itertools.product(simulated, self.ks, self.noises, self.standardize, self.targets, self.ds)
            out += [Setting(graph=g, k=k, d=d, n=self.n, noise=noise, standardize=s, interventional=True,
                            targets=float(t), n_per_target=int(self.n_per_target))
                    for g, k, noise, s, t, d in grid]  # fmt: skip
        else:
            plain = itertools.product(simulated, self.ks, self.noises, self.standardize, self.ds)
            out += [Setting(graph=g, k=k, d=d, n=self.n, noise=noise, standardize=s)
                    for g, k, noise, s, d in plain]  # fmt: skip
        if SACHS in self.graphs:
            for variant in self.sachs_variants or (None,):
                out += [Setting.sachs(standardize=s, variant=variant) for s in self.standardize]
        return out

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
    Suite("nonlinear", "linear vs nonlinear SEMs (mlp, mim, gp-sines): ER2, d = 10, 20, 50, the linear and "
          "the nonlinear learners",
          methods=("notears", "dpdag", "notears-mlp", "dagma-mlp", "cosmo-mlp", "dpdag-mlp"), ds=(10, 20, 50),
          noises=("gauss", "mlp", "mim", "gp-sines"), timeout=900.0),
    Suite("sachs", "Sachs et al. (2005), 853 observational rows, vs the acyclic 17-edge consensus graph",
          methods=_LEARNERS_AND_BASELINES + ("empty",), graphs=(SACHS,), ks=(), ds=(11,), n=853,
          noises=(), standardize=(False, True)),
    Suite("interventional", "interventional data: ER2, d = 10, 20, 50, 1000 observational rows + 200 per "
          "single-node target on 10/50/100 % of the nodes, and the Sachs experiments (7466, 5846 rows); "
          "every method with and without the intervention mask",
          graphs=("ER", SACHS), ds=(10, 20, 50), standardize=(False, True), targets=(0.1, 0.5, 1.0),
          sachs_variants=("7466", "5846"), timeout=900.0),
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
