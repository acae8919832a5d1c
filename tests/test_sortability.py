"""acyclic.metrics: varsortability and R²-sortability. (``count_accuracy`` is tested with the
other reliability checks: tests/reliability/test_8_metrics.py.)"""

import numpy as np
import pytest
from acyclic.exceptions import InvalidInputError
from acyclic.metrics import r2_sortability, varsortability
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_parameter


def _adj(d, edges):
    B = np.zeros((d, d), dtype=int)
    for i, j in edges:
        B[i, j] = 1
    return B


# ----------------------------------------------------------------------------- sortability
def _scaled_columns(scales, n=500, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 1)) * np.asarray(scales)[None, :]  # exact variance ratios


def test_varsortability_increasing_and_decreasing_chain():
    B = _adj(3, [(0, 1), (1, 2)])
    assert varsortability(_scaled_columns([1.0, 2.0, 3.0]), B) == 1.0
    assert varsortability(_scaled_columns([3.0, 2.0, 1.0]), B) == 0.0
    assert varsortability(_scaled_columns([1.0, 1.0, 1.0]), B) == 0.5


def test_varsortability_counts_walks_of_every_length():
    # variances 1, 9, 4 on 0 -> 1 -> 2: walks (0,1) up, (1,2) down, (0,2) [length 2] up -> 2/3
    B = _adj(3, [(0, 1), (1, 2)])
    assert varsortability(_scaled_columns([1.0, 3.0, 2.0]), B) == pytest.approx(2 / 3)
    # with the shortcut 0 -> 2 the pair (0, 2) is counted twice (lengths 1 and 2): 3/4
    B2 = _adj(3, [(0, 1), (1, 2), (0, 2)])
    assert varsortability(_scaled_columns([1.0, 3.0, 2.0]), B2) == pytest.approx(3 / 4)


def test_varsortability_on_a_cycle_and_empty_graph():
    # 3-cycle: walks of length 1 and 2 (d - 1 = 2) cover all 6 ordered pairs once -> 1/2
    B = _adj(3, [(0, 1), (1, 2), (2, 0)])
    assert varsortability(_scaled_columns([1.0, 2.0, 3.0]), B) == pytest.approx(0.5)
    assert varsortability(_scaled_columns([1.0, 2.0, 3.0]), np.zeros((3, 3))) == 0.5


def test_sortability_on_simulated_data():
    B = simulate_dag(10, 20, "ER", random_state=1)
    W = simulate_parameter(B, random_state=2)
    X = simulate_linear_sem(W, 2000, "gauss", random_state=3)
    v = varsortability(X, B)
    # raw simulated data are varsortable: at least 0.898 on seeds 0-19 of this setting (seed 15;
    # tests/measure_bounds.py sortability), bound 0.85
    assert 0.85 < v <= 1.0
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    assert varsortability(Xs, B) == pytest.approx(0.5)  # standardizing removes it
    r = r2_sortability(X, B)
    assert 0.0 <= r <= 1.0
    assert r2_sortability(Xs * np.arange(1, 11), B) == pytest.approx(r)  # scale-invariant
    assert varsortability(X, W) == v  # weights accepted


def _r2_brute(X):
    d = X.shape[1]
    out = np.empty(d)
    for j in range(d):
        A = np.column_stack([np.ones(len(X)), np.delete(X, j, axis=1)])
        coef, *_ = np.linalg.lstsq(A, X[:, j], rcond=None)
        resid = X[:, j] - A @ coef
        out[j] = 1 - resid.var() / X[:, j].var()
    return out


def test_r2_sortability_matches_brute_force():
    B = simulate_dag(6, 8, "ER", random_state=5)
    W = simulate_parameter(B, random_state=6)
    X = simulate_linear_sem(W, 3000, "gauss", random_state=7)
    r2 = _r2_brute(X)
    # brute force alignment over walks via integer matrix powers
    num = den = 0.0
    E = (B != 0).astype(np.int64)
    for k in range(1, 6):
        Pk = np.linalg.matrix_power(E, k) > 0
        num += ((r2[None, :] > r2[:, None] + 1e-9) * Pk).sum() + 0.5 * (
            (np.abs(r2[None, :] - r2[:, None]) <= 1e-9) * Pk
        ).sum()
        den += Pk.sum()
    assert r2_sortability(X, B) == pytest.approx(num / den)


def test_r2_sortability_collinear_columns():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(200)
    X = np.column_stack([x0, 2 * x0 + 1, rng.standard_normal(200)])  # singular correlation
    r = r2_sortability(X, _adj(3, [(0, 1), (1, 2)]))
    assert 0.0 <= r <= 1.0


@pytest.mark.parametrize(
    "X,B",
    [
        (np.zeros((10, 3)) + np.arange(3), np.zeros((4, 4))),
        (np.ones((10,)), np.zeros((1, 1))),
        (np.full((10, 2), np.nan), np.zeros((2, 2))),
        (np.ones((1, 2)), np.zeros((2, 2))),
    ],
)
def test_sortability_bad_input(X, B):
    with pytest.raises(InvalidInputError):
        varsortability(X, B)
    with pytest.raises(InvalidInputError):
        r2_sortability(X, B)


def test_r2_constant_column_raises():
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    with pytest.raises(InvalidInputError, match="constant"):
        r2_sortability(X, _adj(2, [(0, 1)]))
    with pytest.raises(InvalidInputError, match="tol"):
        varsortability(np.arange(20.0).reshape(10, 2), _adj(2, [(0, 1)]), tol=-1)
