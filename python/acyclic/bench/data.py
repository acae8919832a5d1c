"""The data of one benchmark setting: simulated linear SEMs or the built-in Sachs data.

A :class:`Setting` names a data set up to its seed. :func:`make_data` turns
``(setting, seed)`` into ``(B_true, W_true, X)``: for simulated settings a random DAG with
``s0 = k·d`` edges (:func:`acyclic.simulate.simulate_dag`), weights uniform on
``[-2, -0.5] ∪ [0.5, 2]`` and ``n`` samples of a linear SEM with the given noise, or of a
nonlinear additive-noise SEM (``noise`` one of :data:`NONLINEAR_SEMS`); the graph, the
weights and the noise get three independent seeds derived from ``seed`` (:func:`sub_seeds`), so a
``(setting, seed)`` is always the same data set. With ``standardize`` the columns are centred and
scaled to unit variance here, once, so that every method — peers included — gets the same array.
:func:`least_squares_score` is the score every method's estimate is judged by;
:func:`penalized_score` adds the L1 term of the objective the NOTEARS-type learners minimise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Dict, List, Optional

__all__ = ["SACHS", "NONLINEAR_SEMS", "Setting", "sub_seeds", "make_data", "least_squares_score", "penalized_score"]

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
        (``k``, ``d``, ``n`` and ``noise`` are then fixed: None, 11, 853, None).
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
        Centre and scale every column to unit variance before any method sees the data.
    """

    graph: str = "ER"
    k: Optional[int] = 2
    d: int = 10
    n: int = 1000
    noise: Optional[str] = "gauss"
    standardize: bool = False

    @classmethod
    def sachs(cls, standardize: bool = False) -> Setting:
        """The Sachs setting.

        Parameters
        ----------
        standardize : bool, default False
            Standardize the columns.

        Returns
        -------
        Setting
            ``Setting("sachs", None, 11, 853, None, standardize)``.
        """
        return cls(graph=SACHS, k=None, d=11, n=853, noise=None, standardize=bool(standardize))

    def as_dict(self) -> Dict[str, object]:
        """The fields as a dict (the setting's CSV columns).

        Returns
        -------
        dict
            ``graph``, ``k``, ``d``, ``n``, ``noise``, ``standardize``.
        """
        return asdict(self)

    def label(self) -> str:
        """A short name, e.g. ``"ER2 d=20 n=1000 gauss raw"`` or ``"Sachs (853 rows) standardized"``.

        Returns
        -------
        str
            The label.
        """
        prep = "standardized" if self.standardize else "raw"
        if self.graph == SACHS:
            return f"Sachs ({self.n} rows) {prep}"
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
