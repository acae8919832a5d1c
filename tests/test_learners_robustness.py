"""Every learner on degenerate but valid data, at the extremes of its settings, and repeatedly.

Input validation itself (NaN, inf, constant or non-numeric columns, shapes) is shared by all
learners and tested in test_bad_input.py; here each learner must return a finite DAG (or a
named error) on data that passes it.
"""

import warnings

import numpy as np
import pytest

from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO
from acyclic.baselines import R2SortnRegress
from acyclic.exceptions import InvalidInputError, NumericalError
from acyclic.graph import is_dag
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

# fast settings: these tests are about what comes back, not about accuracy
LEARNERS = {
    "notears": lambda **kw: NOTEARS(max_iter=kw.pop("max_iter", 20), **kw),
    "dagma": lambda **kw: DAGMA(T=kw.pop("T", 3), warm_iter=2000, max_iter=kw.pop("max_iter", 4000), **kw),
    "topo": lambda **kw: TOPO(**kw),
    "cosmo": lambda **kw: COSMO(max_iter=kw.pop("max_iter", 100), random_state=kw.pop("random_state", 0), **kw),
    # the MLP mechanism, so that n_jobs splits work; its threshold is on edge probabilities
    "dpdag": lambda **kw: DPDAG(mechanism="mlp", hidden=(4,), max_iter=kw.pop("max_iter", 30),
                                random_state=kw.pop("random_state", 0), standardize=kw.pop("standardize", False),
                                edge_threshold=max(kw.pop("w_threshold", 0.5), 1e-9), **kw),
    # no iterations: max_iter does not apply
    "r2sortnregress": lambda **kw: R2SortnRegress(**{k: v for k, v in kw.items() if k != "max_iter"}),
}

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def sem(seed=0, d=6, k=2, n=300):
    B = simulate_dag(d, k * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return simulate_linear_sem(W, n, "gauss", random_state=seed)


def check_output(model, d):
    A, W = model.adjacency_, model.weights_
    assert A.shape == W.shape == (d, d)
    assert is_dag(A) and not np.any(np.diag(A))
    assert np.all(np.isfinite(W)) and np.all(W[A == 0] == 0)
    assert np.all(np.isfinite(model.raw_weights_))


def degenerate_datasets():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    yield "collinear", np.column_stack([x, 2.0 * x[:, 0]])
    yield "duplicated", np.column_stack([x, x[:, 1]])
    yield "near-collinear", np.column_stack([x, x[:, 0] + 1e-9 * rng.normal(size=200)])
    yield "more columns than rows", rng.normal(size=(6, 10))
    yield "three rows", rng.normal(size=(3, 4))
    yield "two columns", np.column_stack([x[:, 0], x[:, 0] + 0.5 * x[:, 1]])
    yield "one value off", np.column_stack([x, np.r_[np.zeros(199), 1.0]])


@pytest.mark.parametrize("learner", sorted(LEARNERS))
@pytest.mark.parametrize("name, X", list(degenerate_datasets()), ids=[n for n, _ in degenerate_datasets()])
def test_degenerate_data_gives_a_finite_dag_or_a_named_error(learner, name, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = LEARNERS[learner]().fit(X)
        except (InvalidInputError, NumericalError) as exc:
            assert str(exc)  # a named error is acceptable; a panic or a NaN graph is not
            return
    check_output(model, X.shape[1])


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_huge_and_tiny_scales_give_finite_results(learner):
    X = sem(1)
    for factor in (1e6, 1e-6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = LEARNERS[learner]().fit(X * factor)
            except NumericalError:
                continue
        check_output(model, X.shape[1])


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_disparate_column_scales_warn(learner):
    X = sem(2) * np.array([1e-3, 1, 1, 1, 1, 1e3])
    with pytest.warns(UserWarning, match="standardize=True"):
        LEARNERS[learner](max_iter=1).fit(X)


@pytest.mark.parametrize("learner", sorted(LEARNERS))
@pytest.mark.parametrize("threshold", [0.0, 0.3])
def test_early_stop_and_zero_threshold_still_give_a_dag(learner, threshold):
    X = sem(3, d=8, k=3)
    model = LEARNERS[learner](max_iter=1, w_threshold=threshold).fit(X)
    check_output(model, 8)


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_same_result_for_any_n_jobs(learner):
    X = sem(4, d=8)
    fits = [LEARNERS[learner](n_jobs=n_jobs).fit(X) for n_jobs in (1, 2, -1)]
    for other in fits[1:]:
        np.testing.assert_array_equal(fits[0].raw_weights_, other.raw_weights_)
        np.testing.assert_array_equal(fits[0].weights_, other.weights_)


@pytest.mark.parametrize("learner", ["notears", "dagma", "topo"])
def test_permuting_columns_permutes_the_graph(learner):
    # well separated: ER2, d = 6, n = 1000, raw data; COSMO is left out (its random
    # initialisation is drawn per column index, so a permutation changes the draw)
    X = sem(5, d=6, n=1000)
    perm = np.array([3, 0, 5, 1, 4, 2])
    full = {"notears": NOTEARS(), "dagma": DAGMA(), "topo": TOPO()}[learner]
    base = full.fit(X)
    A, W = base.adjacency_.copy(), base.weights_.copy()
    permuted = type(full)(**full.get_params()).fit(X[:, perm])
    np.testing.assert_array_equal(permuted.adjacency_, A[np.ix_(perm, perm)])
    # the optimisers stop at a tolerance, so the weights agree to about that
    np.testing.assert_allclose(permuted.weights_, W[np.ix_(perm, perm)], atol=1e-2)


@pytest.mark.parametrize("learner", ["dagma", "topo", "cosmo", "dpdag"])
def test_ctrl_c_stops_every_learner_within_a_second(learner):
    # NOTEARS: test_estimator.py::test_ctrl_c_interrupts_a_long_fit. Settings that run for seconds:
    import _thread
    import threading
    import time

    rng = np.random.default_rng(0)
    if learner == "topo":
        X, model = rng.normal(size=(500, 400)), TOPO()
    elif learner == "dagma":
        X, model = sem(0, d=60, k=4, n=1000), DAGMA()
    elif learner == "cosmo":
        X, model = sem(0, d=10), COSMO(max_iter=1_000_000, random_state=0)
    else:
        X, model = sem(0, d=10), DPDAG(max_iter=1_000_000, patience=1_000_000, random_state=0)
    fired = {}

    def interrupt():
        fired["t"] = time.perf_counter()
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            model.fit(X)
        end = time.perf_counter()
    finally:
        timer.cancel()
    assert "t" in fired, "the fit ended before the interrupt"
    assert end - fired["t"] < 1.0
    assert not hasattr(model, "weights_")  # an interrupted fit leaves no half-fitted state


@pytest.mark.parametrize("learner", sorted(LEARNERS))
def test_dtypes_and_layouts_give_the_float64_result(learner):
    import pandas as pd

    X = np.round(sem(6, d=5, n=200), 1)
    reference = LEARNERS[learner]().fit(X).weights_
    readonly = X.copy()
    readonly.setflags(write=False)
    variants = {
        "fortran": np.asfortranarray(X),
        "read-only": readonly,
        "list of lists": X.tolist(),
        "nullable Float64": pd.DataFrame(X).astype("Float64"),
    }
    for name, data in variants.items():
        np.testing.assert_array_equal(LEARNERS[learner]().fit(data).weights_, reference, err_msg=name)
    ints = (X * 10).astype(np.int64)
    np.testing.assert_array_equal(LEARNERS[learner]().fit(ints).weights_,
                                  LEARNERS[learner]().fit(ints.astype(float)).weights_)  # fmt: skip


@pytest.mark.parametrize("learner", sorted(LEARNERS))
@pytest.mark.parametrize("labels", [[10, 20, 30, 40, 50], ["a", "b", "c", "d", "e"], ["a", 2, "c", 4.5, "e"]])
def test_labels_are_kept_everywhere(learner, labels):
    import pandas as pd

    df = pd.DataFrame(sem(7, d=5, n=200), columns=labels)
    model = LEARNERS[learner]().fit(df)
    assert model.node_labels_ == labels
    graph = model.to_networkx()
    assert list(graph.nodes) == labels
    for i, j in zip(*np.nonzero(model.adjacency_)):
        assert graph.has_edge(labels[i], labels[j])
