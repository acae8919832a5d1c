"""The data of one benchmark setting: simulated linear SEMs or the built-in Sachs data.

A :class:`Setting` names a data set up to its seed. :func:`make_data` turns
``(setting, seed)`` into ``(B_true, W_true, X)``: for simulated settings a random DAG with
``s0 = k·d`` edges (:func:`acyclic.simulate.simulate_dag`), weights uniform on
``[-2, -0.5] ∪ [0.5, 2]`` and ``n`` samples of a linear SEM with the given noise, or of a
nonlinear additive-noise SEM (``noise`` one of :data:`NONLINEAR_SEMS`); the graph, the
weights and the noise get three independent seeds derived from ``seed`` (:func:`sub_seeds`), so a
``(setting, seed)`` is always the same data set. An interventional setting
(``Setting.interventional``) is made by :func:`make_interventional_data` instead: the same graph
and weights, an observational environment plus single-node perfect interventions on a fraction of
the nodes, or the Sachs experiments, with the intervention mask. With ``standardize`` the columns are centred and
scaled to unit variance here, once, so that every method — peers included — gets the same array.
:func:`least_squares_score` is the score every method's estimate is judged by;
:func:`penalized_score` adds the L1 term of the objective the NOTEARS-type learners minimise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, List, Optional

__all__ = ["SACHS", "NONLINEAR_SEMS", "Setting", "sub_seeds", "n_targeted", "make_data", "make_interventional_data",
           "least_squares_score", "penalized_score"]  # fmt: skip

#: ``Setting.graph`` of the built-in Sachs data (853 observational rows vs the 17-edge DAG).
SACHS = "sachs"

#: ``Setting.noise`` values that select a nonlinear SEM (:func:`acyclic.simulate.simulate_nonlinear_sem`
#: with Gaussian noise: random sigmoid MLPs, index models, GP-like sums of sines) instead of the
#: noise of a linear one.
NONLINEAR_SEMS = ("mlp", "mim", "gp-sines")


@dataclass(frozen=True)
class Setting:
    """One benchmark setting: the data source, its size, the SEM and the preprocessing.

    Parameters
    ----------
    graph : {"ER", "SF", "sachs"}, default "ER"
        Random graph model, or ``"sachs"``: the 853 observational rows of
        :func:`acyclic.datasets.load_sachs` scored against the acyclic 17-edge consensus graph
        (``k``, ``d``, ``n`` and ``noise`` are then fixed: None, 11, 853, None), or with
        ``interventional`` the 7466 or 5846 rows of the experiments (``n``).
    k : int or None, default 2
        Expected edges per node: ``s0 = k·d`` edges are requested.
    d : int, default 10
        Number of nodes.
    n : int, default 1000
        Number of samples.
    noise : str or None, default "gauss"
        ``sem_type`` of :func:`acyclic.simulate.simulate_linear_sem` (``gauss``, ``exp``,
        ``gumbel``, ``uniform``), or of :func:`acyclic.simulate.simulate_nonlinear_sem`
        (``mlp``, ``mim``, ``gp-sines``; unit Gaussian noise).
    standardize : bool, default False
        Centre and scale every column to unit variance before any method sees the data (over all
        rows, interventional ones included).
    interventional : bool, default False
        Interventional data (:func:`make_interventional_data`): simulated, ``n`` observational rows
        plus ``n_per_target`` rows for each of the :func:`n_targeted` single-node interventions;
        for Sachs, the experiments of the variant with ``n`` rows (7466 or 5846) and their
        documented targets. Every method is then fitted with and without the intervention mask.
    targets : float or None, default None
        Simulated interventional settings: the fraction of the nodes that get a single-node
        experiment each (in ``(0, 1]``).
    n_per_target : int or None, default None
        Simulated interventional settings: rows per single-node experiment.
    """

    graph: str = "ER"
    k: Optional[int] = 2
    d: int = 10
    n: int = 1000
    noise: Optional[str] = "gauss"
    standardize: bool = False
    interventional: bool = False
    targets: Optional[float] = None
    n_per_target: Optional[int] = None

    @classmethod
    def sachs(cls, standardize: bool = False, variant: Optional[str] = None) -> Setting:
        """The Sachs setting: the 853 observational rows, or a variant of the experiments.

        Parameters
        ----------
        standardize : bool, default False
            Standardize the columns.
        variant : {None, "7466", "5846"}, default None
            None: the 853 observational rows. ``"7466"`` or ``"5846"``: the rows of that variant of
            :func:`acyclic.datasets.load_sachs` with ``interventions=True`` (an interventional
            setting).

        Returns
        -------
        Setting
            ``Setting("sachs", None, 11, 853, None, standardize)``, or with ``n`` the variant's
            rows and ``interventional=True``.
        """
        if variant is None:
            return cls(graph=SACHS, k=None, d=11, n=853, noise=None, standardize=bool(standardize))
        if str(variant) not in ("7466", "5846"):
            raise ValueError(f"unknown Sachs variant {variant!r}; known: '7466', '5846'")
        return cls(graph=SACHS, k=None, d=11, n=int(variant), noise=None, standardize=bool(standardize),
                   interventional=True)  # fmt: skip

    def as_dict(self) -> Dict[str, object]:
        """The fields as a dict (the setting's CSV columns).

        Returns
        -------
        dict
            ``graph``, ``k``, ``d``, ``n``, ``noise``, ``standardize``, ``interventional``,
            ``targets``, ``n_per_target``.
        """
        return asdict(self)

    def label(self) -> str:
        """A short name, e.g. ``"ER2 d=20 n=1000 gauss raw"`` or ``"Sachs (853 rows) standardized"``.

        Returns
        -------
        str
            The label; an interventional one, e.g. ``"ER2 d=10 n=1000+200×10 gauss standardized"``
            (observational rows + rows per target × targets).
        """
        prep = "standardized" if self.standardize else "raw"
        if self.graph == SACHS:
            return f"Sachs ({self.n} rows{', experiments' if self.interventional else ''}) {prep}"
        if self.interventional:
            return (f"{self.graph}{self.k} d={self.d} n={self.n}+{self.n_per_target}×{n_targeted(self)} "
                    f"{self.noise} {prep}")  # fmt: skip
        return f"{self.graph}{self.k} d={self.d} n={self.n} {self.noise} {prep}"


def sub_seeds(seed: int, count: int) -> List[int]:
    """Independent integer seeds derived from one seed.

    Parameters
    ----------
    seed : int
        The seed of one data set.
    count : int
        How many seeds to derive.

    Returns
    -------
    list of int
        ``count`` seeds from ``numpy.random.SeedSequence([seed, 20180101]).spawn(count)``.
    """
    import numpy as np

    children = np.random.SeedSequence([int(seed), 20180101]).spawn(count)
    return [int(c.generate_state(1)[0]) for c in children]


def n_targeted(setting: Setting) -> int:
    """The number of single-node experiments of a simulated interventional setting.

    Parameters
    ----------
    setting : Setting
        A simulated setting with ``targets`` set.

    Returns
    -------
    int
        ``targets · d`` rounded half up, at least 1 (10 % of 10 nodes: 1; 50 % of 20: 10; 50 % of
        5: 3); 0 without ``targets``.
    """
    import math

    if setting.targets is None:
        return 0
    return max(1, int(math.floor(float(setting.targets) * int(setting.d) + 0.5)))


def make_interventional_data(setting: Setting, seed: int):
    """Simulate (or load) the interventional data set of ``setting`` and ``seed``.

    Simulated: the graph and weights of :func:`make_data` with the same seed (the same DAG as the
    observational suites), ``setting.n`` observational rows and ``setting.n_per_target`` rows for
    each of :func:`n_targeted` nodes, drawn at random without replacement (all of them at 100 %),
    each set by a perfect intervention to N(2, 1) (:func:`acyclic.simulate.simulate_interventional_sem`,
    linear SEMs only). Sachs: ``load_sachs(observational=False, interventions=True,
    variant=str(setting.n))`` with its documented targets against the 17-edge DAG.
    ``standardize`` scales over all rows.

    Parameters
    ----------
    setting : Setting
        An interventional setting (``setting.interventional``).
    seed : int
        Seed of the data set (ignored for Sachs).

    Returns
    -------
    B : numpy.ndarray of shape (d, d), int8
        True 0/1 adjacency.
    W : numpy.ndarray of shape (d, d), float64, or None
        True weights (None for Sachs).
    X : numpy.ndarray of shape (n_rows, d), float64
        The samples (standardized when ``setting.standardize``).
    intervention_mask : numpy.ndarray of shape (n_rows, d), bool
        True where the row's experiment set the node.

    Raises
    ------
    acyclic.exceptions.InvalidInputError
        If the setting is not interventional, its noise is nonlinear, or the simulators reject it.
    """
    import numpy as np

    from ..exceptions import InvalidInputError

    if not setting.interventional:
        raise InvalidInputError(f"{setting.label()} is not an interventional setting")
    if setting.graph == SACHS:
        from ..datasets import load_sachs

        X, B, _, mask = load_sachs(observational=False, graph="dag17", return_X_y=True, interventions=True,
                                   variant=str(setting.n))  # fmt: skip
        W = None
    else:
        from .. import simulate

        if setting.k is None or setting.noise is None or setting.noise in NONLINEAR_SEMS:
            raise InvalidInputError(
                f"an interventional setting needs k and a linear noise; got k={setting.k!r}, noise={setting.noise!r}"
            )
        if setting.targets is None or not 0 < float(setting.targets) <= 1 or not setting.n_per_target:
            raise InvalidInputError(
                f"an interventional setting needs targets in (0, 1] and n_per_target >= 1; got "
                f"targets={setting.targets!r}, n_per_target={setting.n_per_target!r}"
            )
        s_graph, s_weights, s_noise, s_targets = sub_seeds(seed, 4)  # the first three: those of make_data
        B = simulate.simulate_dag(int(setting.d), int(setting.k) * int(setting.d), setting.graph,
                                  random_state=s_graph)  # fmt: skip
        W = np.asarray(simulate.simulate_parameter(B, random_state=s_weights), dtype=np.float64)
        count = n_targeted(setting)
        nodes = np.arange(setting.d) if count >= setting.d else np.sort(
            np.random.default_rng(s_targets).choice(int(setting.d), size=count, replace=False))  # fmt: skip
        X, mask, _ = simulate.simulate_interventional_sem(W, int(setting.n), [int(j) for j in nodes],
                                                          int(setting.n_per_target), setting.noise,
                                                          random_state=s_noise)  # fmt: skip
    B = (np.asarray(B) != 0).astype(np.int8)
    X = np.asarray(X, dtype=np.float64)
    if setting.standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return B, W, X, np.asarray(mask, dtype=bool)


def make_data(setting: Setting, seed: int):
    """Simulate (or load) the data set of ``setting`` and ``seed``.

    Parameters
    ----------
    setting : Setting
        The setting.
    seed : int
        Seed of the data set (ignored for Sachs, whose data are fixed).

    Returns
    -------
    B : numpy.ndarray of shape (d, d), int8
        True 0/1 adjacency, ``B[i, j] = 1`` meaning ``i -> j``.
    W : numpy.ndarray of shape (d, d), float64, or None
        True weights (None for Sachs and nonlinear SEMs).
    X : numpy.ndarray of shape (n, d), float64
        The samples, standardized when ``setting.standardize``.

    Raises
    ------
    acyclic.exceptions.InvalidInputError
        If the simulators reject the setting (e.g. ``k·d`` edges do not fit in a DAG on ``d``
        nodes, or an unknown noise).
    """
    import numpy as np

    if setting.graph == SACHS:
        from ..datasets import load_sachs

        X, B = load_sachs(observational=True, graph="dag17", return_X_y=True)
        W = None
    else:
        from .. import simulate
        from ..exceptions import InvalidInputError

        if setting.k is None or setting.noise is None:
            raise InvalidInputError(
                f"a simulated setting needs k and noise; got k={setting.k!r}, noise={setting.noise!r}"
            )
        s_graph, s_weights, s_noise = sub_seeds(seed, 3)
        B = simulate.simulate_dag(int(setting.d), int(setting.k) * int(setting.d), setting.graph,
                                  random_state=s_graph)  # fmt: skip
        if setting.noise in NONLINEAR_SEMS:
            W = None  # the mechanisms are random functions, not weights
            X = simulate.simulate_nonlinear_sem(B, int(setting.n), setting.noise, random_state=s_noise)
        else:
            W = np.asarray(simulate.simulate_parameter(B, random_state=s_weights), dtype=np.float64)
            X = simulate.simulate_linear_sem(W, int(setting.n), setting.noise, random_state=s_noise)
    B = (np.asarray(B) != 0).astype(np.int8)
    X = np.asarray(X, dtype=np.float64)
    if setting.standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return B, W, X


def least_squares_score(X, W) -> float:
    """The least-squares score ``½n⁻¹‖Xc − Xc W‖²_F`` of a weight matrix, X column-centred.

    Computed by the benchmark for every method from the weight matrix it returns, on the data as
    fed to it, so the figure means the same thing for every method (lower is better for a given
    number of edges; it always prefers denser graphs).

    Parameters
    ----------
    X : array_like of shape (n, d)
        The data as given to the method.
    W : array_like of shape (d, d)
        Weights, ``W[i, j]`` the weight of ``i -> j``.

    Returns
    -------
    float
        The score.
    """
    import numpy as np

    X = np.asarray(X, dtype=np.float64)
    Xc = X - X.mean(axis=0, keepdims=True)
    R = Xc - Xc @ np.asarray(W, dtype=np.float64)
    return float(0.5 / X.shape[0] * np.sum(R * R))


def penalized_score(X, W, lambda1: float) -> float:
    """The l2 objective with its L1 term: ``½n⁻¹‖Xc − Xc W‖²_F + λ1 Σ|W|``, X column-centred.

    What linear NOTEARS and DAGMA minimise (besides the acyclicity constraint). Computed by the
    benchmark from each method's unthresholded W, so the figure means the same thing for every
    method.

    Parameters
    ----------
    X : array_like of shape (n, d)
        The data as given to the method.
    W : array_like of shape (d, d)
        Weights, ``W[i, j]`` the weight of ``i -> j``.
    lambda1 : float
        Weight of the L1 term (0: :func:`least_squares_score`).

    Returns
    -------
    float
        The objective.
    """
    import numpy as np

    return least_squares_score(X, W) + lambda1 * float(np.abs(np.asarray(W, dtype=np.float64)).sum())
