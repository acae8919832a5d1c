"""NOTEARS as a scikit-learn estimator: parameters, cloning, pickling, fitted attributes,
predict/score/bic, networkx export, progress, warnings, exceptions from callbacks, Ctrl-C,
the GIL and thread-count independence."""

import _thread
import pickle
import threading
import time
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from acyclic import NOTEARS, _core
from acyclic.graph import is_dag
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter

DEFAULTS = {
    "lambda1": 0.1,
    "loss_type": "l2",
    "penalty": "expm",
    "max_iter": 100,
    "h_tol": 1e-8,
    "rho_max": 1e16,
    "w_threshold": 0.3,
    "standardize": False,
    "n_jobs": None,
    "verbose": False,
    "prior_knowledge": None,
}


def _sem(d, n, seed, edges=None):
    B = simulate_dag(d, d if edges is None else edges, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return B, W, simulate_linear_sem(W, n, random_state=seed)


@pytest.fixture(scope="module")
def data():
    return _sem(5, 500, 1)  # seed 1: NOTEARS recovers the true graph exactly


@pytest.fixture(scope="module")
def fitted(data):
    return NOTEARS().fit(data[2])


LABELS = {
    "str": ["x1", "x2", "x3", "x4", "x5"],
    "int": [10, 20, 30, 40, 50],
    "mixed": ["a", 2, "c", 4, 5.5],
}


# ----------------------------------------------------------------------------- parameters
def test_get_params_defaults():
    assert NOTEARS().get_params() == DEFAULTS


def test_set_params_returns_self_and_updates():
    model = NOTEARS()
    assert model.set_params(lambda1=0.05, standardize=True) is model
    assert model.lambda1 == 0.05 and model.standardize is True
    assert model.get_params()["lambda1"] == 0.05
    with pytest.raises(ValueError):
        model.set_params(not_a_parameter=1)


def test_clone_is_unfitted_with_same_params(fitted):
    fitted.set_params(w_threshold=0.3)
    copy = clone(NOTEARS(lambda1=0.02, max_iter=7))
    assert copy.get_params() == {**DEFAULTS, "lambda1": 0.02, "max_iter": 7}
    fitted_copy = clone(fitted)
    assert fitted_copy.get_params() == fitted.get_params()
    assert not hasattr(fitted_copy, "weights_")


def test_pickle_round_trip(fitted, data):
    X = data[2]
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(restored.weights_, fitted.weights_)
    np.testing.assert_array_equal(restored.causal_order_, fitted.causal_order_)
    assert restored.score(X) == fitted.score(X)
    assert restored.bic(X) == fitted.bic(X)
    assert restored.get_params() == fitted.get_params()


def test_grid_search_runs(data):
    X = data[2][:200]
    search = GridSearchCV(NOTEARS(), {"lambda1": [0.05, 0.2]}, cv=2).fit(X)
    assert search.best_params_["lambda1"] in (0.05, 0.2)


# ----------------------------------------------------------------------------- fitted attributes
def test_fitted_attributes(fitted, data):
    B, _, X = data
    d = X.shape[1]
    W, A = fitted.weights_, fitted.adjacency_
    assert W.shape == (d, d) and W.dtype == np.float64
    assert A.shape == (d, d) and A.dtype.kind == "i"
    assert set(np.unique(A)) <= {0, 1}
    assert np.all(np.diag(A) == 0) and np.all(np.diag(W) == 0)
    assert is_dag(A)
    assert np.all(W[A == 0] == 0) and np.all(W[A == 1] != 0)
    assert np.all(np.abs(W[A == 1]) >= fitted.w_threshold)
    # the easy d=5 problem is solved exactly
    np.testing.assert_array_equal(A, B)
    order = fitted.causal_order_
    assert order.dtype.kind == "i" and sorted(order.tolist()) == list(range(d))
    position = np.empty(d, dtype=int)
    position[order] = np.arange(d)
    for i, j in zip(*np.nonzero(A)):
        assert position[i] < position[j]
    assert fitted.node_labels_ == list(range(d))
    assert fitted.n_features_in_ == d
    assert not hasattr(fitted, "feature_names_in_")
    assert isinstance(fitted.n_iter_, int) and 1 <= fitted.n_iter_ <= fitted.max_iter
    assert fitted.converged_ is True
    assert 0 <= fitted.h_ <= fitted.h_tol
    assert fitted.history_.shape == (fitted.n_iter_,) and np.all(np.isfinite(fitted.history_))
    assert fitted.raw_weights_.shape == (d, d)
    np.testing.assert_allclose(fitted.mean_, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(fitted.scale_, np.ones(d))


@pytest.mark.parametrize("kind", ["str", "int", "mixed"])
def test_node_labels_from_dataframe(data, kind):
    X = data[2]
    labels = LABELS[kind]
    df = pd.DataFrame(X, columns=labels)
    model = NOTEARS().fit(df)
    assert model.node_labels_ == labels
    assert all(type(a) is type(b) for a, b in zip(model.node_labels_, labels))
    assert model.n_features_in_ == 5
    if kind == "str":
        assert list(model.feature_names_in_) == labels
    else:
        assert not hasattr(model, "feature_names_in_")
    G = model.to_networkx()
    assert list(G.nodes) == labels
    # predict and score accept the same frame without warnings (feature names are consistent)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model.predict(df).shape == X.shape
        model.score(df)
        model.bic(df)
    # a numpy array gives the same result as the frame
    np.testing.assert_array_equal(model.weights_, NOTEARS().fit(X).weights_)


def test_refit_on_array_drops_feature_names(data):
    X = data[2]
    model = NOTEARS().fit(pd.DataFrame(X, columns=LABELS["str"]))
    assert hasattr(model, "feature_names_in_")
    model.fit(X)
    assert not hasattr(model, "feature_names_in_")
    assert model.node_labels_ == list(range(5))


def test_predict_matches_formula():
    _, _, X = _sem(5, 400, 1)
    X = X * np.array([1.0, 3.0, 0.5, 2.0, 10.0]) + np.array([5.0, -2.0, 0.0, 1.0, 100.0])
    for standardize in (False, True):
        model = NOTEARS(standardize=standardize).fit(X)
        expected = model.mean_ + ((X - model.mean_) / model.scale_ @ model.weights_) * model.scale_
        P = model.predict(X)
        assert P.shape == X.shape and P.dtype == np.float64
        np.testing.assert_allclose(P, expected, rtol=1e-12, atol=1e-12)
        # root nodes (no parents) are predicted by their mean
        roots = np.flatnonzero(model.adjacency_.sum(axis=0) == 0)
        assert roots.size > 0
        np.testing.assert_allclose(P[:, roots], np.broadcast_to(model.mean_[roots], (len(X), roots.size)))
        assert model.score(X) == pytest.approx(-np.mean((X - P) ** 2), rel=1e-14)


def test_standardize_sets_scale_to_column_std():
    _, _, X = _sem(5, 300, 2)
    X = X * np.array([1.0, 100.0, 0.01, 5.0, 1.0])
    model = NOTEARS(standardize=True).fit(X)
    np.testing.assert_allclose(model.scale_, X.std(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.mean_, X.mean(axis=0), rtol=1e-12, atol=1e-12)
    # standardized fit is invariant to column rescaling
    other = NOTEARS(standardize=True).fit(X * np.array([2.0, 0.5, 3.0, 1.0, 7.0]))
    np.testing.assert_array_equal(other.adjacency_, model.adjacency_)


def test_score_is_negative_mse_and_bic(fitted, data):
    X = data[2]
    n, d = X.shape
    residual = X - fitted.predict(X)
    assert fitted.score(X) == pytest.approx(-np.mean(residual**2), rel=1e-14)
    bic = fitted.bic(X)
    assert np.isfinite(bic)
    expected = n * np.sum(np.log(np.mean(residual**2, axis=0))) + fitted.adjacency_.sum() * np.log(n)
    assert bic == pytest.approx(expected, rel=1e-12)
    # the empty graph predicts every column by its mean: BIC = n Σ log var_j
    bic_empty = n * np.sum(np.log(X.var(axis=0)))
    assert bic < bic_empty - 100
    # and the same through an estimator whose weights were zeroed
    empty = pickle.loads(pickle.dumps(fitted))
    empty.weights_ = np.zeros_like(fitted.weights_)
    empty.adjacency_ = np.zeros_like(fitted.adjacency_)
    assert empty.bic(X) == pytest.approx(bic_empty, rel=1e-12)
    assert empty.score(X) == pytest.approx(-np.mean(X.var(axis=0)), rel=1e-12)


def test_to_networkx(data):
    X = data[2]
    labels = LABELS["mixed"]
    model = NOTEARS().fit(pd.DataFrame(X, columns=labels))
    G = model.to_networkx()
    assert isinstance(G, nx.DiGraph)
    assert list(G.nodes) == labels
    assert G.number_of_edges() == model.adjacency_.sum()
    for i, j in zip(*np.nonzero(model.adjacency_)):
        assert G[labels[i]][labels[j]]["weight"] == model.weights_[i, j]
    assert nx.is_directed_acyclic_graph(G)


# ----------------------------------------------------------------------------- progress, warnings
def test_verbose_shows_progress_bar(data, capsys):
    model = NOTEARS(verbose=True).fit(data[2])
    err = capsys.readouterr().err
    assert "NOTEARS" in err and "step" in err
    np.testing.assert_array_equal(model.weights_, NOTEARS().fit(data[2]).weights_)


def test_convergence_warning_when_max_iter_is_one(data):
    with pytest.warns(ConvergenceWarning, match=r"h_tol"):
        model = NOTEARS(max_iter=1).fit(data[2])
    assert model.converged_ is False and model.n_iter_ == 1
    assert model.h_ > model.h_tol
    assert is_dag(model.adjacency_)
    assert np.all(model.weights_[model.adjacency_ == 0] == 0)


def test_no_warning_when_converged(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NOTEARS().fit(data[2])


def test_callback_exception_propagates(data):
    calls = []

    def callback(iteration, max_iter, objective, h, rho):
        calls.append((iteration, max_iter, objective, h, rho))
        if iteration == 2:
            raise RuntimeError("stop from callback")

    with pytest.raises(RuntimeError, match="stop from callback"):
        _core.notears_fit(data[2], callback=callback)
    assert [c[0] for c in calls] == [1, 2]
    assert calls[0][1] == 100 and calls[0][4] >= 1.0


def test_callback_receives_every_outer_step(data):
    seen = []
    out = _core.notears_fit(data[2], callback=lambda *args: seen.append(args))
    assert [s[0] for s in seen] == list(range(1, out["n_iter"] + 1))
    np.testing.assert_allclose([s[2] for s in seen], out["history"], rtol=1e-12)
    assert seen[-1][3] == pytest.approx(out["h"], rel=1e-12)


# ----------------------------------------------------------------------------- Ctrl-C, GIL, threads
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_ctrl_c_interrupts_a_long_fit():
    # d=40 ER2: each outer step takes ≈1-2 s, so three of them run for ≈5 s on one core; the
    # fit must stop within ≈50 ms of the interrupt (the binding polls signals on the calling
    # thread while a rayon worker fits). max_iter caps the cost should that ever regress.
    _, _, X = _sem(40, 500, 4, edges=80)
    fired = {}

    def interrupt():
        fired["t"] = time.perf_counter()
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            NOTEARS(lambda1=0.01, max_iter=3).fit(X)
        end = time.perf_counter()
    finally:
        timer.cancel()
    assert "t" in fired, f"the fit ended after {time.perf_counter() - start:.2f} s, before the interrupt"
    latency = end - fired["t"]
    print(f"\nCtrl-C latency: {latency * 1000:.0f} ms (fit ran {end - start:.2f} s)")
    assert latency < 1.5


def test_fit_releases_the_gil():
    _, _, X = _sem(20, 500, 1, edges=40)  # ≈1.2 s
    started = threading.Event()
    result = {}

    def work():
        def callback(iteration, *rest):
            started.set()

        result["out"] = _core.notears_fit(X, callback=callback)
        result["end"] = time.perf_counter()

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(timeout=60)
    t0 = time.perf_counter()
    count = 0
    while thread.is_alive():
        count += 1
    thread.join()
    running = result["end"] - t0
    print(f"\nmain-thread iterations while the fit ran ({running:.2f} s): {count}")
    assert running > 0.1
    assert count > 10_000
    assert result["out"]["converged"]


def test_fit_in_background_thread_with_estimator(data):
    X = data[2]
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("m", NOTEARS().fit(X)))
    thread.start()
    thread.join(timeout=60)
    np.testing.assert_array_equal(box["m"].weights_, NOTEARS().fit(X).weights_)


def test_n_jobs_do_not_change_the_result():
    _, _, X = _sem(10, 300, 5, edges=20)
    one = NOTEARS(n_jobs=1).fit(X)
    two = NOTEARS(n_jobs=2).fit(X)
    all_cores = NOTEARS(n_jobs=-1).fit(X)
    for other in (two, all_cores):
        assert np.array_equal(other.raw_weights_, one.raw_weights_)
        assert np.array_equal(other.weights_, one.weights_)
        assert other.n_evals_ == one.n_evals_
        assert np.array_equal(other.history_, one.history_)
