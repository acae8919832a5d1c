"""Simulate random DAGs, edge weights and data from structural equation models.

The protocol is the one used by NOTEARS and its successors (DAGMA, TOPO, GOLEM):
draw a random graph (Erdős–Rényi or scale-free), draw a weight for each edge
uniformly from ``±[0.5, 2]``, and sample the variables in a topological order
from a linear or non-linear structural equation model (SEM).

Conventions (as everywhere in :mod:`acyclic`): ``B[i, j] != 0`` / ``W[i, j] != 0``
means the edge ``i -> j``, so column ``j`` holds the parents of node ``j``; a linear
SEM reads ``X = X W + E`` with ``X`` of shape ``(n, d)``.

Randomness: every function takes ``random_state`` (``None``, an ``int`` or a
:class:`numpy.random.Generator`). An int is the seed itself; a Generator gives one seed; None
draws a fresh one. The simulation runs in the Rust core (ChaCha8 random bits, samplers and
transcendental functions in software, sums in a fixed order, no BLAS), so a seed means the same
data on every machine, with any BLAS and any numpy version. No global seed is ever touched. The
random streams do not reproduce the reference implementations bit for bit; the distributions
are the same.

References
----------
Zheng, X., Aragam, B., Ravikumar, P., Xing, E. P. (2018). DAGs with NO TEARS:
Continuous optimization for structure learning. NeurIPS 31.

Zheng, X., Dan, C., Aragam, B., Ravikumar, P., Xing, E. P. (2020). Learning sparse
nonparametric DAGs. AISTATS 2020, PMLR 108.

Brouillard, P., Lachapelle, S., Lacoste, A., Lacoste-Julien, S., Drouin, A. (2020).
Differentiable causal discovery from interventional data. NeurIPS 33 (perfect interventions).
"""

from __future__ import annotations

import numbers
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._validation import as_square_matrix
from .exceptions import InvalidInputError

__all__ = [
    "simulate_dag",
    "simulate_parameter",
    "simulate_linear_sem",
    "simulate_nonlinear_sem",
    "simulate_interventional_sem",
    "oracle_from_sem",
]

RandomState = Union[None, int, np.random.Generator]

_LINEAR_SEM_TYPES = ("gauss", "exp", "gumbel", "uniform", "logistic", "poisson")
_NONLINEAR_SEM_TYPES = ("mlp", "mim", "gp-sines")
_INTERVENTIONAL_SEM_TYPES = ("gauss", "exp", "gumbel", "uniform", *_NONLINEAR_SEM_TYPES)
_VALUE_SIGNS = ("positive", "random")


# --------------------------------------------------------------------------------------
# small private helpers
# --------------------------------------------------------------------------------------
def _seed(random_state) -> int:
    """The core's u64 seed: an int as given, one draw from a Generator, a fresh one for None."""
    if random_state is None:
        return int(np.random.default_rng().integers(2**63))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, (bool, np.bool_)):
        seed = int(random_state)
        if 0 <= seed < 2**64:
            return seed
    raise InvalidInputError(
        f"random_state must be None, a non-negative int or a numpy.random.Generator; got {random_state!r}"
    )


def _check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as an int (integral floats accepted), raising InvalidInputError."""
    if isinstance(value, (bool, np.bool_)):
        raise InvalidInputError(f"{name} must be an integer, got a bool ({value!r})")
    if isinstance(value, numbers.Integral):
        out = int(value)
    elif isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        out = int(value)
    else:
        raise InvalidInputError(f"{name} must be an integer, got {value!r}")
    if out < minimum:
        raise InvalidInputError(f"{name} must be >= {minimum}, got {out}")
    return out


#: A simulation returns at most this many float64 entries (8 GiB, and as much again in copies):
#: an arbitrary ceiling, so that a mistyped n is a named error rather than an allocation that
#: aborts the interpreter.
_MAX_ENTRIES = 2**30
#: Random sines per parent of "gp-sines" (three vectors of them per parent are drawn).
_MAX_FEATURES = 2**20


def _check_size(n: int, d: int) -> None:
    if n * max(d, 1) > _MAX_ENTRIES:
        raise InvalidInputError(
            f"{n} rows x {d} columns is more than {_MAX_ENTRIES} values ({_MAX_ENTRIES * 8 // 2**30} GiB) in one "
            "simulation: simulate in batches"
        )


def _check_features(n_features) -> int:
    R = _check_int(n_features, "n_features", 1)
    if R > _MAX_FEATURES:
        raise InvalidInputError(f"n_features must be <= {_MAX_FEATURES}, got {R}")
    return R


def _as_square(M, name: str) -> np.ndarray:
    return as_square_matrix(M, name)


def _topological_order(A: np.ndarray) -> Optional[np.ndarray]:
    """Roots first, ties by smallest index; None when ``A`` has a cycle (the core's Kahn)."""
    return _core.topological_order(np.ascontiguousarray(A, dtype=np.float64))


def _require_dag(A: np.ndarray, name: str) -> np.ndarray:
    if np.any(np.diag(A) != 0):
        raise InvalidInputError(f"{name} has non-zero diagonal entries (self-loops); it must be a DAG")
    order = _topological_order(A)
    if order is None:
        raise InvalidInputError(f"{name} has a directed cycle; it must be a DAG")
    return order


def _noise_scales(noise_scale, d: int) -> np.ndarray:
    if noise_scale is None:
        return np.ones(d)
    try:
        s = np.asarray(noise_scale, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"noise_scale must be a number or a length-{d} array: {exc}") from exc
    if s.ndim == 0:
        s = np.full(d, float(s))
    elif s.shape != (d,):
        raise InvalidInputError(f"noise_scale must be a scalar or have length d = {d}, got shape {s.shape}")
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise InvalidInputError("noise_scale must be finite and non-negative")
    return s


def _sem_type(sem_type, allowed: Sequence[str]) -> str:
    if not isinstance(sem_type, str) or sem_type.lower() not in allowed:
        raise InvalidInputError(f"unknown sem_type {sem_type!r}; expected one of {', '.join(allowed)}")
    return sem_type.lower()


# --------------------------------------------------------------------------------------
# graphs
# --------------------------------------------------------------------------------------
def simulate_dag(d: int, s0: int, graph_type: str = "ER", random_state: RandomState = None) -> np.ndarray:
    """Draw a random DAG.

    Parameters
    ----------
    d : int
        Number of nodes, ``d >= 1``.
    s0 : int
        Expected size of the graph. For ``"ER"`` the exact number of edges,
        ``0 <= s0 <= d*(d-1)/2``. For ``"SF"`` it only sets the attachment number
        ``m = max(1, round(s0 / d))`` (Python's ``round``, halves to even), and must
        satisfy ``s0 >= 0``. ``s0 = k*d`` gives the usual "ERk" / "SFk" graphs.
    graph_type : {"ER", "SF"}, default "ER"
        Case-insensitive.

        * ``"ER"`` — Erdős–Rényi G(d, s0): exactly ``s0`` edges drawn uniformly
          (without replacement) among the ``d(d-1)/2`` unordered pairs, each oriented
          along one random total order of the nodes, which makes the graph acyclic
          and the labels uniformly random.
        * ``"SF"`` — scale-free, Barabási–Albert preferential attachment: nodes
          arrive one by one and node ``t`` sends ``min(t, m)`` edges to distinct
          earlier nodes chosen with probability proportional to ``1 + in-degree``.
          Edges point from the newer to the older node, so early nodes become hubs
          with many parents (a heavy-tailed in-degree), as in the reference
          simulator; the graph is acyclic by construction. The edge count is
          ``sum_t min(t, m)``, which equals ``m*d - m*(m+1)/2`` when ``m < d``
          (e.g. d = 20, SF4: 70 edges), not ``s0``. The nodes are then randomly
          relabelled.
    random_state : None, int or numpy.random.Generator, default None
        The seed (an int is used as given), or a generator that gives one.

    Returns
    -------
    B : numpy.ndarray of shape (d, d), dtype int64
        0/1 adjacency matrix of a DAG, ``B[i, j] = 1`` meaning ``i -> j``; zero diagonal.

    Raises
    ------
    InvalidInputError
        If ``d < 1``, ``s0`` is out of range or not an integer, ``graph_type`` is
        not ``"ER"`` or ``"SF"``, or ``random_state`` is not usable.

    References
    ----------
    Zheng, X., Aragam, B., Ravikumar, P., Xing, E. P. (2018). DAGs with NO TEARS:
    Continuous optimization for structure learning. NeurIPS 31 (simulation protocol).

    Erdős, P., Rényi, A. (1959). On random graphs I. Publicationes Mathematicae
    Debrecen 6, 290–297.

    Barabási, A.-L., Albert, R. (1999). Emergence of scaling in random networks.
    Science 286(5439), 509–512.

    Examples
    --------
    >>> B = simulate_dag(10, 20, "ER", random_state=0)
    >>> int(B.sum())
    20
    """
    d = _check_int(d, "d", 1)
    s0 = _check_int(s0, "s0", 0)
    if not isinstance(graph_type, str) or graph_type.upper() not in ("ER", "SF"):
        raise InvalidInputError(f"unknown graph_type {graph_type!r}; expected 'ER' or 'SF'")
    seed = _seed(random_state)
    gt = graph_type.upper()
    n_pairs = d * (d - 1) // 2
    if gt == "ER" and s0 > n_pairs:
        raise InvalidInputError(f"s0 = {s0} edges do not fit in a DAG on d = {d} nodes (at most d*(d-1)/2 = {n_pairs})")
    return _core.simulate_dag(d, s0, gt, seed).astype(np.int64)


# --------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------
def simulate_parameter(
    B,
    w_ranges: Sequence[Tuple[float, float]] = ((-2.0, -0.5), (0.5, 2.0)),
    random_state: RandomState = None,
) -> np.ndarray:
    """Draw an edge weight for every edge of a graph.

    For each edge one of the ``w_ranges`` is chosen with equal probability, then the
    weight is drawn uniformly in that range; non-edges get weight 0. With the
    default ranges the weights are uniform on ``[-2, -0.5] ∪ [0.5, 2]``.

    Parameters
    ----------
    B : array_like of shape (d, d)
        Graph; every non-zero off-diagonal or diagonal entry is an edge (use a DAG
        for the SEM simulators). Any numeric dtype.
    w_ranges : sequence of (low, high) pairs, default ((-2.0, -0.5), (0.5, 2.0))
        Finite intervals with ``low <= high``; at least one.
    random_state : None, int or numpy.random.Generator, default None
        The seed (an int is used as given), or a generator that gives one.

    Returns
    -------
    W : numpy.ndarray of shape (d, d), dtype float64
        Weighted adjacency matrix with the support of ``B``.

    Raises
    ------
    InvalidInputError
        If ``B`` is not a finite square matrix, ``w_ranges`` is empty or holds a
        malformed interval, or ``random_state`` is not usable.

    References
    ----------
    Zheng, X., Aragam, B., Ravikumar, P., Xing, E. P. (2018). DAGs with NO TEARS:
    Continuous optimization for structure learning. NeurIPS 31.
    """
    A = _as_square(B, "B")
    try:
        ranges = np.asarray(w_ranges, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"w_ranges must be a sequence of (low, high) pairs: {exc}") from exc
    if ranges.ndim != 2 or ranges.shape[1] != 2 or ranges.shape[0] == 0:
        raise InvalidInputError(f"w_ranges must be a non-empty sequence of (low, high) pairs, got {w_ranges!r}")
    if not np.all(np.isfinite(ranges)) or np.any(ranges[:, 0] > ranges[:, 1]):
        raise InvalidInputError(f"every range in w_ranges must be finite with low <= high, got {w_ranges!r}")
    return _core.simulate_parameter(A, [(float(lo), float(hi)) for lo, hi in ranges], _seed(random_state))


# --------------------------------------------------------------------------------------
# linear SEM
# --------------------------------------------------------------------------------------
def simulate_linear_sem(
    W,
    n: int,
    sem_type: str = "gauss",
    noise_scale=None,
    random_state: RandomState = None,
) -> np.ndarray:
    """Sample from a linear SEM ``X = X W + E`` (or a GLM for binary / count data).

    Nodes are visited in a topological order of ``W``; with ``eta_j = X[:, pa(j)] @
    W[pa(j), j]`` and ``s = noise_scale[j]``:

    ============  ==============================================================
    sem_type      ``x_j``
    ============  ==============================================================
    ``gauss``     ``eta_j + z``, ``z ~ N(0, s^2)`` (``s`` is the std)
    ``exp``       ``eta_j + z``, ``z ~ Exponential(scale=s)``: mean ``s``, **not centred**
    ``gumbel``    ``eta_j + z``, ``z ~ Gumbel(0, s)``: mean ``0.5772 s``, **not centred**
    ``uniform``   ``eta_j + z``, ``z ~ U(-s, s)``
    ``logistic``  ``Bernoulli(sigmoid(eta_j))`` (no additive noise, ``s`` unused)
    ``poisson``   ``Poisson(exp(eta_j))`` (no additive noise, ``s`` unused)
    ============  ==============================================================

    For ``gauss`` the population covariance is ``(I - W)^{-T} diag(s^2) (I - W)^{-1}``.
    Raw simulated data is highly *varsortable* (variance grows along the causal
    order); see :func:`acyclic.metrics.varsortability` and standardize to remove it.

    Parameters
    ----------
    W : array_like of shape (d, d)
        Weighted adjacency matrix of a DAG, ``W[i, j]`` the weight of ``i -> j``.
    n : int
        Number of samples, ``n >= 1``.
    sem_type : {"gauss", "exp", "gumbel", "uniform", "logistic", "poisson"}, default "gauss"
        Noise model (case-insensitive).
    noise_scale : None, float or array_like of shape (d,), default None
        Scale ``s`` of each node's noise (non-negative); ``None`` means 1 for every node.
    random_state : None, int or numpy.random.Generator, default None
        The seed (an int is used as given), or a generator that gives one.

    Returns
    -------
    X : numpy.ndarray of shape (n, d), dtype float64
        The samples (0/1 for ``logistic``, non-negative integers for ``poisson``).

    Raises
    ------
    InvalidInputError
        If ``W`` is not a finite square matrix or not a DAG (a self-loop counts as a
        cycle), ``n < 1`` or n × d above 2³⁰, ``sem_type`` is unknown, ``noise_scale`` has the wrong
        length or a negative entry, or ``random_state`` is not usable.
    NumericalError
        For ``poisson``, if a rate ``exp(eta)`` exceeds 1e15 (the counts explode
        along long chains with large weights; use smaller weights).

    References
    ----------
    Zheng, X., Aragam, B., Ravikumar, P., Xing, E. P. (2018). DAGs with NO TEARS:
    Continuous optimization for structure learning. NeurIPS 31.

    Examples
    --------
    >>> B = simulate_dag(5, 5, "ER", random_state=0)
    >>> W = simulate_parameter(B, random_state=0)
    >>> simulate_linear_sem(W, 100, "gauss", random_state=0).shape
    (100, 5)
    """
    A = _as_square(W, "W")
    n = _check_int(n, "n", 1)
    kind = _sem_type(sem_type, _LINEAR_SEM_TYPES)
    d = A.shape[0]
    _check_size(n, d)
    s = _noise_scales(noise_scale, d)
    order = _require_dag(A, "W")
    del order  # checked: a DAG
    return _core.simulate_linear_sem(A, n, kind, [float(v) for v in s], _seed(random_state))


# --------------------------------------------------------------------------------------
# non-linear SEM
# --------------------------------------------------------------------------------------
def simulate_nonlinear_sem(
    B,
    n: int,
    sem_type: str = "mlp",
    noise_scale=None,
    random_state: RandomState = None,
    *,
    n_features: int = 100,
    functions_random_state: RandomState = None,
) -> np.ndarray:
    """Sample from a non-linear additive-noise SEM ``x_j = f_j(x_pa(j)) + z_j``.

    Nodes are visited in a topological order of ``B``; ``z_j ~ N(0, s_j^2)``; a root
    node is ``x_j = z_j``. Each node's function is drawn independently:

    * ``"mlp"`` — one hidden layer of 100 sigmoid units:
      ``f(x) = sigmoid(x W1) w2`` with every entry of ``W1`` (``|pa|`` × 100) and ``w2``
      (100) uniform on ``±[0.5, 2]`` (Zheng et al. 2020).
    * ``"mim"`` — multiple index model:
      ``f(x) = tanh(x w1) + cos(x w2) + sin(x w3)`` with ``w1, w2, w3`` uniform on
      ``±[0.5, 2]`` (Zheng et al. 2020).
    * ``"gp-sines"`` — an additive, GP-like model: ``f(x) = sum_k g_k(x_k)`` over the
      parents, each ``g_k`` a sum of ``n_features`` random sines,
      ``g(t) = sqrt(2/R) * sum_r a_r sin(omega_r t + phi_r)`` with ``a_r ~ N(0, 1)``,
      ``omega_r ~ N(0, 1)``, ``phi_r ~ U(0, 2 pi)``. This is the random-Fourier-feature
      approximation (Rahimi & Recht 2007) of a draw from a Gaussian process with an
      RBF kernel of unit length-scale and unit variance, i.e. it stands in for the
      reference's ``gp-add`` (a sum of 1-D GP samples from scikit-learn's default
      kernel) without sampling an actual GP (no O(n^3) cost, no scikit-learn).

    Parameters
    ----------
    B : array_like of shape (d, d)
        Adjacency matrix of a DAG (non-zero entries are edges; weights are ignored).
    n : int
        Number of samples, ``n >= 1``.
    sem_type : {"mlp", "mim", "gp-sines"}, default "mlp"
        Mechanism family (case-insensitive).
    noise_scale : None, float or array_like of shape (d,), default None
        Standard deviation of each node's Gaussian noise; ``None`` means 1.
    random_state : None, int or numpy.random.Generator, default None
        The seed (an int is used as given), or a generator that gives one.
    n_features : int, default 100
        Number of random sines per parent for ``"gp-sines"`` (``>= 1``); ignored otherwise.
    functions_random_state : None, int or numpy.random.Generator, default None
        ``None``: the functions are drawn from ``random_state``'s stream, between the noises.
        A seed: they are drawn from a stream of their own, so every call with this seed has
        the same functions whatever ``random_state`` and ``n`` (the observational data of a
        ground truth whose experiments :func:`oracle_from_sem` runs).

    Returns
    -------
    X : numpy.ndarray of shape (n, d), dtype float64

    Raises
    ------
    InvalidInputError
        If ``B`` is not a finite square matrix or not a DAG, ``n < 1`` or n × d above 2³⁰,
        ``sem_type`` is unknown, ``noise_scale`` is malformed, ``n_features`` outside
        1..2²⁰, or ``random_state`` or ``functions_random_state`` is not usable.

    References
    ----------
    Zheng, X., Dan, C., Aragam, B., Ravikumar, P., Xing, E. P. (2020). Learning sparse
    nonparametric DAGs. AISTATS 2020, PMLR 108, 3414–3425.

    Rahimi, A., Recht, B. (2007). Random features for large-scale kernel machines.
    NeurIPS 20.
    """
    A = _as_square(B, "B")
    n = _check_int(n, "n", 1)
    kind = _sem_type(sem_type, _NONLINEAR_SEM_TYPES)
    R = _check_features(n_features)
    d = A.shape[0]
    _check_size(n, d)
    s = _noise_scales(noise_scale, d)
    order = _require_dag(A, "B")
    del order  # checked: a DAG
    return _core.simulate_nonlinear_sem(
        A, n, kind, [float(v) for v in s], R, _seed(random_state), _functions_seed(functions_random_state)
    )


def _functions_seed(functions_random_state: RandomState) -> Optional[int]:
    return None if functions_random_state is None else _seed(functions_random_state)


# --------------------------------------------------------------------------------------
# interventional SEM
# --------------------------------------------------------------------------------------
def _target_sets(targets, d: int) -> List[List[int]]:
    """The target sets as lists of node indices (an int entry is a single-node set)."""
    if isinstance(targets, (str, bytes)) or not isinstance(targets, (Sequence, np.ndarray)):
        raise InvalidInputError(
            f"targets must be a list of target sets (lists of node indices), got {type(targets).__name__}"
        )
    sets: List[List[int]] = []
    for k, entry in enumerate(targets):
        nodes = [entry] if isinstance(entry, numbers.Integral) else entry
        if isinstance(nodes, (str, bytes)) or not isinstance(nodes, (Sequence, np.ndarray, set, frozenset)):
            raise InvalidInputError(f"targets[{k}] must be a node index or a list of node indices, got {entry!r}")
        out: List[int] = []
        for node in nodes:
            if isinstance(node, (bool, np.bool_)) or not isinstance(node, numbers.Integral):
                raise InvalidInputError(f"targets[{k}] holds {node!r}, which is not a node index")
            j = int(node)
            if not 0 <= j < d:
                raise InvalidInputError(f"targets[{k}] names node {j}, out of range for d = {d} nodes (0 to {d - 1})")
            if j in out:
                raise InvalidInputError(f"targets[{k}] names node {j} twice")
            out.append(j)
        sets.append(out)
    return sets


def simulate_interventional_sem(
    W,
    n_obs: int,
    targets: Sequence[Union[int, Sequence[int]]],
    n_per_environment: Union[int, Sequence[int]],
    sem_type: str = "gauss",
    value_loc: float = 2.0,
    value_scale: float = 1.0,
    random_state: RandomState = None,
    *,
    value_sign: str = "positive",
    noise_scale=None,
    n_features: int = 100,
    value_noise: Optional[float] = None,
    functions_random_state: RandomState = None,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample a SEM in an observational environment and under perfect interventions.

    Environment 0 holds ``n_obs`` observational rows; environment ``k >= 1`` holds
    ``n_per_environment[k-1]`` rows in which every node of ``targets[k-1]`` is set by a perfect
    (hard) intervention: its equation is replaced by a draw of ``s_k (value_loc + value_scale z)``,
    ``z ~ N(0, 1)`` independent for every row and node, i.e. ``N(s_k value_loc, value_scale^2)``.
    ``s_k = 1`` by default (the shifted Gaussian of DCDI's perfect interventions, Brouillard et al.
    2020); with ``value_sign="random"`` each environment draws ``s_k = ±1`` once. With
    ``value_noise`` set, the values follow BaCaDI's design instead (Hägele et al. 2023): each
    environment draws one value per target, ``s_k (value_loc + value_scale |z|)``, and each row
    adds ``N(0, value_noise²)`` to it; BaCaDI's benchmark is ``value_loc=5, value_scale=2,
    value_sign="random", value_noise=0.5 ** 0.5`` with ``n_obs=100``, ``targets=range(d)``,
    ``n_per_environment=10``, weights ``±U[0.5, 2)`` and noise variances ``U[0.05, 0.15)``. The
    mechanisms (and, for the nonlinear models, the random functions) are drawn once and shared by
    every environment; the descendants of a target are computed from its intervened values, the
    other nodes keep their observational distribution.

    ``sem_type`` chooses the model as in :func:`simulate_linear_sem` and
    :func:`simulate_nonlinear_sem`: an additive noise (``"gauss"``, ``"exp"``, ``"gumbel"``,
    ``"uniform"``) means the linear SEM ``X = X W + E`` with the weights ``W``; a mechanism
    (``"mlp"``, ``"mim"``, ``"gp-sines"``) means the nonlinear SEM ``x_j = f_j(x_pa(j)) + z_j``
    with Gaussian noise on the graph of ``W`` (its weights ignored). ``"logistic"`` and
    ``"poisson"`` are refused: binary and count data cannot take Gaussian intervention values.

    With no target sets, ``X`` equals ``simulate_linear_sem(W, n_obs, sem_type, noise_scale,
    random_state)`` (or ``simulate_nonlinear_sem``) with the same seed, bit for bit. The
    simulation runs in the Rust core: a seed gives the same bits on every machine.

    Parameters
    ----------
    W : array_like of shape (d, d)
        Weighted adjacency matrix of a DAG, ``W[i, j]`` the weight of ``i -> j`` (for the
        nonlinear ``sem_type`` only its support is used).
    n_obs : int
        Rows of the observational environment (label 0), ``>= 0``.
    targets : sequence of int or of sequences of int
        The target sets, one per interventional environment (labels 1, 2, ...): each a list of
        distinct node indices in ``[0, d)``, or a single index for a single-node set, so
        ``targets=range(d)`` intervenes on every node in turn. An empty set gives a second
        observational environment.
    n_per_environment : int or sequence of int
        Rows of each interventional environment (``>= 1``): one int for all, or one per target set.
    sem_type : {"gauss", "exp", "gumbel", "uniform", "mlp", "mim", "gp-sines"}, default "gauss"
        The model (case-insensitive): a linear SEM with this noise, or a nonlinear mechanism.
    value_loc : float, default 2.0
        Mean of the intervention values (before the sign); finite.
    value_scale : float, default 1.0
        Standard deviation of the intervention values; finite, ``>= 0`` (0 sets the targets to
        the constant ``s_k value_loc``).
    random_state : None, int or numpy.random.Generator, default None
        The seed (an int is used as given), or a generator that gives one.
    value_sign : {"positive", "random"}, default "positive"
        ``"positive"``: ``s_k = 1``. ``"random"``: each environment draws ``s_k = ±1`` with
        probability 1/2 (once for all its targets and rows).
    noise_scale : None, float or array_like of shape (d,), default None
        Scale of each node's noise (as in :func:`simulate_linear_sem`); ``None`` means 1.
    n_features : int, default 100
        Random sines per parent of ``"gp-sines"`` (``>= 1``); ignored otherwise.
    value_noise : float or None, default None
        ``None``: every row draws its own value. A float ``>= 0``: the standard deviation of
        each row around its environment's value (BaCaDI's design, above).
    functions_random_state : None, int or numpy.random.Generator, default None
        For the nonlinear models (checked but unused by the linear ones, whose mechanisms are
        ``W``):
        ``None`` draws the random functions from ``random_state``'s stream; a seed draws them
        from a stream of their own, the same functions as :func:`simulate_nonlinear_sem` with
        that seed, whatever ``random_state``, the rows and the targets.

    Returns
    -------
    X : numpy.ndarray of shape (n, d), dtype float64
        The samples, ``n = n_obs + sum(n_per_environment)``, grouped by environment:
        observational rows first, then environment 1, 2, ...
    intervention_mask : numpy.ndarray of shape (n, d), dtype bool
        ``True`` where node ``j`` was set by the intervention of row ``i``'s environment.
    environments : numpy.ndarray of shape (n,), dtype int64
        The environment of every row: 0 observational, ``k`` for ``targets[k-1]``.

    Raises
    ------
    InvalidInputError
        If ``W`` is not a finite square matrix or not a DAG; ``n_obs < 0``; ``targets`` is not a
        list of target sets, or one names a node out of range or twice; ``n_per_environment`` is
        below 1 or has another length than ``targets``; there are no rows at all; ``sem_type`` is
        unknown, ``"logistic"`` or ``"poisson"``; ``value_loc`` is not finite or ``value_scale``
        not finite and ``>= 0``; ``value_sign`` is unknown; ``noise_scale`` is malformed;
        ``n_features`` outside 1..2²⁰; ``value_noise`` is not ``None`` or a finite number
        ``>= 0``; more than 2³⁰ values (rows × d); or ``random_state`` or
        ``functions_random_state`` is not usable.

    Notes
    -----
    A node intervened on in every row (``n_obs = 0`` and in every target set) gives data a
    learner refuses: its equation has no row to be fitted on.

    References
    ----------
    Brouillard, P., Lachapelle, S., Lacoste, A., Lacoste-Julien, S., Drouin, A. (2020).
    Differentiable causal discovery from interventional data. NeurIPS 33.

    Hägele, A., Rothfuss, J., Lorch, L., Somnath, V. R., Schölkopf, B., Krause, A. (2023).
    BaCaDI: Bayesian causal discovery with unknown interventions. AISTATS 2023, PMLR 206.

    Hauser, A., Bühlmann, P. (2012). Characterization and greedy learning of interventional
    Markov equivalence classes of directed acyclic graphs. JMLR 13, 2409–2464.

    Examples
    --------
    >>> B = simulate_dag(5, 5, "ER", random_state=0)
    >>> W = simulate_parameter(B, random_state=0)
    >>> X, mask, env = simulate_interventional_sem(W, 100, targets=range(5), n_per_environment=20,
    ...                                            random_state=0)
    >>> X.shape, mask.sum(axis=0).tolist(), env[[0, 100, 199]].tolist()
    ((200, 5), [20, 20, 20, 20, 20], [0, 1, 5])
    """
    A = _as_square(W, "W")
    d = A.shape[0]
    n_obs = _check_int(n_obs, "n_obs", 0)
    sets = _target_sets(targets, d)
    if isinstance(n_per_environment, (numbers.Integral, float, np.floating)):
        sizes = [_check_int(n_per_environment, "n_per_environment", 1)] * len(sets)
    else:
        if isinstance(n_per_environment, (str, bytes)) or not isinstance(n_per_environment, (Sequence, np.ndarray)):
            raise InvalidInputError(f"n_per_environment must be an int or a list of ints, got {n_per_environment!r}")
        sizes = [_check_int(m, f"n_per_environment[{k}]", 1) for k, m in enumerate(n_per_environment)]
        if len(sizes) != len(sets):
            raise InvalidInputError(
                f"n_per_environment has {len(sizes)} entries for {len(sets)} target sets (one each)"
            )
    if n_obs + sum(sizes) == 0:
        raise InvalidInputError("no rows: n_obs is 0 and there are no target sets")
    _check_size(n_obs + sum(sizes), d)
    if isinstance(sem_type, str) and sem_type.lower() in ("logistic", "poisson"):
        raise InvalidInputError(
            f"sem_type {sem_type!r} is not supported under interventions: the intervention values are "
            "Gaussian draws, which binary (logistic) or count (poisson) data cannot take"
        )
    kind = _sem_type(sem_type, _INTERVENTIONAL_SEM_TYPES)
    mechanism, noise = (kind, "gauss") if kind in _NONLINEAR_SEM_TYPES else ("linear", kind)
    for name, value in (("value_loc", value_loc), ("value_scale", value_scale)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise InvalidInputError(f"{name} must be a finite number, got {value!r}")
    if value_scale < 0:
        raise InvalidInputError(f"value_scale must be >= 0, got {value_scale!r}")
    if not isinstance(value_sign, str) or value_sign.lower() not in _VALUE_SIGNS:
        raise InvalidInputError(f"unknown value_sign {value_sign!r}; expected 'positive' or 'random'")
    R = _check_features(n_features)
    s = _noise_scales(noise_scale, d)
    if value_noise is not None and (
        isinstance(value_noise, (bool, np.bool_))
        or not isinstance(value_noise, numbers.Real)
        or not np.isfinite(value_noise)
        or value_noise < 0
    ):
        raise InvalidInputError(f"value_noise must be None or a finite number >= 0, got {value_noise!r}")
    _require_dag(A, "W")
    return _core.simulate_interventional_sem(
        A,
        n_obs,
        sets,
        sizes,
        mechanism,
        noise,
        [float(v) for v in s],
        float(value_loc),
        float(value_scale),
        value_sign.lower(),
        R,
        _seed(random_state),
        None if value_noise is None else float(value_noise),
        functions_seed=_functions_seed(functions_random_state),
    )


# --------------------------------------------------------------------------------------
# an experiment oracle on a ground truth
# --------------------------------------------------------------------------------------
def oracle_from_sem(
    W,
    sem_type: str = "gauss",
    noise_scale=None,
    *,
    n_features: int = 100,
    functions_random_state: RandomState = None,
) -> Callable[[int, float, int, np.random.Generator], np.ndarray]:
    """An oracle that runs experiments on a simulated SEM: the ground truth of an active loop.

    ``oracle(target, value, n, rng)`` returns ``n`` rows of the SEM under the perfect
    intervention do(X_target = value), simulated in the Rust core by
    :func:`simulate_interventional_sem` from a seed drawn from ``rng`` (the callable
    :class:`acyclic.active.ActiveLearner` expects). For a linear ``sem_type`` the mechanisms are
    ``W``'s weights. For a nonlinear one they are the random functions of
    ``functions_random_state``, fixed across calls: pass the seed the observational data were
    simulated with (``simulate_nonlinear_sem(..., functions_random_state=seed)``) so that data
    and experiments share one ground truth.

    Parameters
    ----------
    W : array_like of shape (d, d)
        A DAG, ``W[i, j]`` the weight of i -> j (the nonlinear models use its support only).
    sem_type : {"gauss", "exp", "gumbel", "uniform", "mlp", "mim", "gp-sines"}, default "gauss"
        A linear SEM with this additive noise, or a nonlinear mechanism with Gaussian noise.
    noise_scale : None, float or array_like of shape (d,), default None
        As in :func:`simulate_linear_sem` (None: 1).
    n_features : int, default 100
        Random sines per parent of ``"gp-sines"``.
    functions_random_state : None, int or numpy.random.Generator, default None
        The seed of the nonlinear functions (a Generator gives one seed, drawn here once).
        Required for the nonlinear models; checked but unused by the linear ones. The oracle's
        ``noise_scale`` and ``n_features`` must be those of the observational data's call too
        ("gp-sines" functions depend on ``n_features``).

    Returns
    -------
    callable (target: int, value: float, n: int, rng: numpy.random.Generator) -> ndarray of shape (n, d), float64

    Raises
    ------
    InvalidInputError
        ``W`` not a finite square DAG or without nodes; an unknown, GLM (``"logistic"``,
        ``"poisson"``) or nonlinear ``sem_type`` without ``functions_random_state``; a bad
        ``noise_scale``, ``n_features`` or ``functions_random_state``. The oracle itself raises
        it for a target out of range, a non-finite value, ``n < 1`` or n × d above 2³⁰, or an
        ``rng`` that is not a Generator, an int seed or None.

    References
    ----------
    Scherrer, N., Bilaniuk, O., Annadani, Y., Goyal, A., Schwab, P., Schölkopf, B., Mozer,
    M. C., Bengio, Y., Bauer, S., Ke, N. R. (2021). Learning neural causal models with active
    interventions. arXiv:2109.02429.

    Examples
    --------
    >>> B = simulate_dag(5, 5, "ER", random_state=0)
    >>> X = simulate_nonlinear_sem(B, 200, "mlp", random_state=1, functions_random_state=7)
    >>> oracle = oracle_from_sem(B, "mlp", functions_random_state=7)
    >>> oracle(2, 1.5, 50, np.random.default_rng(0)).shape
    (50, 5)
    """
    A = _as_square(W, "W")
    d = A.shape[0]
    if d == 0:
        raise InvalidInputError("W has no nodes: an oracle needs a graph with at least one")
    _require_dag(A, "W")
    kind = _sem_type(sem_type, _INTERVENTIONAL_SEM_TYPES)
    nonlinear = kind in _NONLINEAR_SEM_TYPES
    if nonlinear and functions_random_state is None:
        raise InvalidInputError(
            f"a {kind!r} oracle needs functions_random_state: the seed of the ground truth's functions "
            "(the one its observational data were simulated with), or every experiment would draw new ones"
        )
    seed_of_functions = _functions_seed(functions_random_state)  # checked even where unused
    functions_seed = seed_of_functions if nonlinear else None
    R = _check_features(n_features)
    scales = _noise_scales(noise_scale, d)

    def oracle(target: int, value: float, n: int, rng: np.random.Generator) -> np.ndarray:
        if isinstance(target, (bool, np.bool_)) or not isinstance(target, numbers.Integral) or not 0 <= target < d:
            raise InvalidInputError(f"target must be a node index in 0..{d - 1}; got {target!r}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise InvalidInputError(f"value must be a finite number; got {value!r}")
        X, _, _ = simulate_interventional_sem(
            A, 0, [[int(target)]], _check_int(n, "n", 1), kind, value_loc=value, value_scale=0.0,
            random_state=_seed(rng), noise_scale=scales, n_features=R, functions_random_state=functions_seed,
        )  # fmt: skip
        return X

    return oracle
