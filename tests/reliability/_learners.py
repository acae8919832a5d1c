"""The learners that every reliability test runs over, on fast settings.

The reliability tests have one module per kind of failure, each parametrized over all learners:

====================================  =============================================================
``test_1_degenerate_data.py``         NaN/inf, constant and degenerate columns, tiny n, d > n,
                                      bad shapes and parameters: a finite DAG or a named error
``test_2_dtypes_and_labels.py``       int/bool/nullable/float32/Fortran/read-only/list input gives
                                      the float64 result; non-numeric columns are named; labels kept
``test_3_numerical_range.py``         huge and tiny scales, overflow in penalties and losses
``test_4_acyclicity.py``              every threshold and early stop gives a DAG; the projection
``test_5_reproducibility.py``         same seed → same bits, for any ``n_jobs``; column permutations
``test_6_convergence.py``             ``converged_``, the ConvergenceWarning and its advice
``test_7_process_safety.py``          fuzzing ``_core``, Ctrl-C, the GIL, memory at d = 1000,
                                      joblib and fork, thread counts (oversubscription)
``test_8_metrics.py``                 ``count_accuracy`` on hand-computed graphs
``test_9_sklearn_contract.py``        scikit-learn's estimator checks, clone, pickle, refit
====================================  =============================================================

A learner added to the package is added to :data:`LEARNERS` here (and to :func:`make`), and every
kind picks it up. Learner-specific behaviour (accuracy, parameters) stays in ``tests/test_<learner>.py``.
"""

import numpy as np
from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO, DStruct
from acyclic.baselines import R2SortnRegress, RandomSortnRegress, VarSortnRegress
from acyclic.graph import is_dag
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

#: The learners with an iterative fit in the Rust core: ``max_iter``, ``n_jobs``, ``converged_``
#: that can be False, Ctrl-C and the GIL apply to them.
CORE_LEARNERS = ("notears", "dagma", "topo", "cosmo", "dpdag", "dpdag-linear", "dstruct")
#: The sort-and-regress baselines (scikit-learn regressions in Python: no iterations, ``n_jobs``
#: ignored, always ``converged_``). SortnRegress(sort=...) is the same code as these three.
BASELINES = ("varsortnregress", "r2sortnregress", "randomsortnregress")
#: Every learner.
LEARNERS = CORE_LEARNERS + BASELINES
#: Learners whose result depends on ``random_state`` (TOPO only with ``init="random"``).
STOCHASTIC = ("cosmo", "dpdag", "dpdag-linear", "randomsortnregress", "dstruct")


def make(name, *, max_iter=None, threshold=None, **params):
    """A fresh, unfitted learner ``name`` with fast settings (these tests are about what comes
    back, not about accuracy); ``params`` override them.

    ``max_iter``: the learner's main-loop cap (its unit is the learner's own; ignored by the
    baselines, which have none). ``threshold``: ``w_threshold``, or DP-DAG's ``edge_threshold`` on
    edge probabilities, which must lie in (0, 1): 0 becomes 1e-9 (keep every edge the order allows).
    Stochastic learners get ``random_state=0`` unless ``params`` says otherwise.
    """
    if threshold is not None:
        if name.startswith("dpdag"):
            params["edge_threshold"] = max(threshold, 1e-9)
        else:
            params["w_threshold"] = threshold
    if name == "notears":
        return NOTEARS(max_iter=max_iter or 20, **params)
    if name == "dagma":
        return DAGMA(**{"T": 3, "warm_iter": 2000, "max_iter": max_iter or 4000, **params})
    if name == "topo":
        return TOPO(**({} if max_iter is None else {"max_iter": max_iter}), **params)
    if name == "cosmo":
        return COSMO(**{"max_iter": max_iter or 100, "random_state": 0, **params})
    if name == "dpdag":
        # the MLP mechanism, so that n_jobs splits work
        return DPDAG(**{"mechanism": "mlp", "hidden": (4,), "max_iter": max_iter or 30, "random_state": 0,
                        "standardize": False, **params})  # fmt: skip
    if name == "dpdag-linear":
        # the linear mechanism and its final refit (the defaults)
        return DPDAG(**{"max_iter": max_iter or 30, "random_state": 0, "standardize": False, **params})
    if name == "dstruct":
        # two NOTEARS members; the learner's settings go to the members
        members = {key: params.pop(key) for key in ("w_threshold", "lambda1", "prior_knowledge") if key in params}
        return DStruct(NOTEARS(max_iter=max_iter or 20, **members), **{"n_subsets": 2, "random_state": 0, **params})
    if name == "varsortnregress":
        return VarSortnRegress(**params)
    if name == "r2sortnregress":
        return R2SortnRegress(**params)
    if name == "randomsortnregress":
        return RandomSortnRegress(**{"random_state": 0, **params})
    raise KeyError(name)


def sem(seed=0, d=6, k=2, n=300, *, edges=None, truth=False):
    """Raw Gaussian linear-SEM data on an ER graph with ``k·d`` edges (or ``edges``), every
    simulation step seeded with ``seed``; ``truth=True`` returns ``(B, X)``."""
    B = simulate_dag(d, k * d if edges is None else edges, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    X = simulate_linear_sem(W, n, "gauss", random_state=seed)
    return (B, X) if truth else X


def check_output(model, d):
    """The fitted attributes every learner promises: a d×d DAG with zero diagonal,
    finite weights that are zero wherever the adjacency is."""
    A, W = model.adjacency_, model.weights_
    assert A.shape == W.shape == (d, d)
    assert is_dag(A) and not np.any(np.diag(A))
    assert np.all(np.isfinite(W)) and np.all(W[A == 0] == 0)
    assert np.all(np.isfinite(model.raw_weights_))


def small_data(d=4, n=200, seed=0):
    """Standard normal columns, with x1 += 1.5 x0 (one strong edge)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    X[:, 1] += 1.5 * X[:, 0]
    return X
