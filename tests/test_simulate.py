"""Tests for acyclic.simulate (statistical checks use fixed seeds)."""

import networkx as nx
import numpy as np
import pytest
from acyclic.exceptions import InvalidInputError, NumericalError
from acyclic.simulate import (
    oracle_from_sem,
    simulate_dag,
    simulate_interventional_sem,
    simulate_linear_sem,
    simulate_nonlinear_sem,
    simulate_parameter,
)


def _is_dag(B):
    return nx.is_directed_acyclic_graph(nx.DiGraph(np.asarray(B)))


# ----------------------------------------------------------------------------- graphs
@pytest.mark.parametrize("d,s0", [(1, 0), (2, 1), (5, 0), (10, 10), (20, 40), (20, 80), (30, 435), (100, 400)])
def test_er_exact_edge_count_and_dag(d, s0):
    B = simulate_dag(d, s0, "ER", random_state=d + s0)
    assert B.shape == (d, d)
    assert B.dtype.kind == "i"
    assert set(np.unique(B)) <= {0, 1}
    assert int(B.sum()) == s0
    assert np.all(np.diag(B) == 0)
    assert np.all(B * B.T == 0)  # no 2-cycles
    assert _is_dag(B)


def test_er_is_relabelled_and_reproducible():
    B1 = simulate_dag(10, 20, "ER", random_state=3)
    B2 = simulate_dag(10, 20, "er", random_state=3)
    B3 = simulate_dag(10, 20, "ER", random_state=4)
    np.testing.assert_array_equal(B1, B2)
    assert not np.array_equal(B1, B3)
    assert np.tril(B1, -1).sum() > 0 and np.triu(B1, 1).sum() > 0  # not stored in one triangle
    # a Generator is accepted too: it gives one seed
    B4 = simulate_dag(10, 20, "ER", random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(B4, simulate_dag(10, 20, "ER", random_state=np.random.default_rng(3)))


def test_er_pairs_are_uniform():
    # each of the 6 pairs of a 4-node graph gets chosen with probability s0/6 = 1/2
    counts = np.zeros((4, 4))
    rng = np.random.default_rng(0)
    for _ in range(2000):
        B = simulate_dag(4, 3, "ER", random_state=rng)
        counts += B + B.T
    freq = counts[np.triu_indices(4, 1)] / 2000
    np.testing.assert_allclose(freq, 0.5, atol=0.05)


@pytest.mark.parametrize(
    "d,s0,m",
    [(20, 80, 4), (10, 10, 1), (50, 100, 2), (30, 0, 1), (12, 30, 2), (5, 0, 1)],
)
def test_sf_edge_count_formula(d, s0, m):
    B = simulate_dag(d, s0, "SF", random_state=7)
    assert int(B.sum()) == m * d - m * (m + 1) // 2
    assert np.all(np.diag(B) == 0)
    assert _is_dag(B)


def test_sf_small_d_caps_attachment():
    # m = round(40/4) = 10 >= d: every node links to all earlier ones -> complete DAG
    B = simulate_dag(4, 40, "SF", random_state=0)
    assert int(B.sum()) == 6
    assert _is_dag(B)


def test_sf_has_hubs():
    B = simulate_dag(300, 300, "SF", random_state=1)  # m = 1: a tree, 299 edges
    indeg = B.sum(axis=0)
    assert int(B.sum()) == 299
    assert indeg.max() >= 15  # preferential attachment: a few nodes collect many edges
    assert np.all(B.sum(axis=1) <= 1)  # every node sends at most m = 1 edge


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(d=0, s0=0),
        dict(d=-3, s0=0),
        dict(d=2.5, s0=0),
        dict(d=True, s0=0),
        dict(d=5, s0=11),
        dict(d=5, s0=-1),
        dict(d=5, s0=-1, graph_type="SF"),
        dict(d=5, s0=3, graph_type="BP"),
        dict(d=5, s0=3, graph_type=None),
        dict(d=5, s0=3, random_state="seed"),
    ],
)
def test_simulate_dag_bad_args(kwargs):
    with pytest.raises(InvalidInputError):
        simulate_dag(**kwargs)


def test_invalid_input_error_is_value_error():
    with pytest.raises(ValueError, match="s0"):
        simulate_dag(3, 4)


# ----------------------------------------------------------------------------- weights
def test_parameter_support_and_ranges():
    B = simulate_dag(30, 120, "ER", random_state=0)
    W = simulate_parameter(B, random_state=0)
    assert W.dtype == np.float64
    np.testing.assert_array_equal(W != 0, B != 0)
    a = np.abs(W[B != 0])
    assert a.min() >= 0.5 and a.max() <= 2.0
    assert (W > 0).sum() > 30 and (W < 0).sum() > 30  # both signs, roughly half each


def test_parameter_custom_ranges_and_reproducible():
    B = np.triu(np.ones((6, 6), dtype=int), 1)
    W = simulate_parameter(B, w_ranges=((1.0, 1.5),), random_state=5)
    assert np.all((W[B == 1] >= 1.0) & (W[B == 1] <= 1.5))
    np.testing.assert_array_equal(W, simulate_parameter(B, w_ranges=((1.0, 1.5),), random_state=5))


@pytest.mark.parametrize(
    "B,ranges",
    [
        (np.ones((2, 3)), ((0.5, 2.0),)),
        (np.zeros((3, 3)), ()),
        (np.zeros((3, 3)), ((2.0, 1.0),)),
        (np.zeros((3, 3)), ((0.0, np.inf),)),
        (np.zeros((3, 3)), (1.0, 2.0)),
        ([[0, np.nan], [0, 0]], ((0.5, 2.0),)),
    ],
)
def test_parameter_bad_args(B, ranges):
    with pytest.raises(InvalidInputError):
        simulate_parameter(B, w_ranges=ranges)


# ----------------------------------------------------------------------------- linear SEM
def test_gauss_covariance_matches_population():
    B = simulate_dag(5, 6, "ER", random_state=11)
    W = simulate_parameter(B, random_state=12)
    s = np.array([1.0, 0.5, 2.0, 1.0, 1.5])
    X = simulate_linear_sem(W, 200_000, "gauss", noise_scale=s, random_state=13)
    assert X.shape == (200_000, 5) and X.dtype == np.float64
    inv = np.linalg.inv(np.eye(5) - W)
    sigma = inv.T @ np.diag(s**2) @ inv
    S = np.cov(X, rowvar=False)
    # Sample moments against the population's. The tolerances hold on seeds 0-19 of each draw below
    # with room to spare (tests/measure_bounds.py simulate_moments, worst seed in brackets): here the
    # atol alone covers every entry, and the largest mean is 0.004 standard deviations.
    np.testing.assert_allclose(S, sigma, rtol=0.03, atol=0.02 * np.abs(sigma).max())
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=0.05 * np.sqrt(np.diag(sigma)).max())


def test_linear_sem_follows_structural_equations():
    # chain 0 -> 1 -> 2 with uniform noise: residual x_j - X W[:, j] is the noise itself
    W = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, -0.7], [0.0, 0.0, 0.0]])
    X = simulate_linear_sem(W, 5000, "uniform", noise_scale=[1.0, 2.0, 0.5], random_state=0)
    E = X - X @ W
    assert np.all(np.abs(E) <= np.array([1.0, 2.0, 0.5]) + 1e-12)
    np.testing.assert_allclose(np.abs(E).max(axis=0), [1.0, 2.0, 0.5], rtol=0.01)  # worst 0.0018


def test_exp_and_gumbel_noise_not_centred():
    W = np.zeros((3, 3))
    s = np.array([1.0, 2.0, 3.0])
    n = 100_000
    Xe = simulate_linear_sem(W, n, "exp", noise_scale=s, random_state=1)
    np.testing.assert_allclose(Xe.mean(axis=0), s, rtol=0.02)  # Exponential(scale s): mean s; worst 0.0084
    assert Xe.min() >= 0
    Xg = simulate_linear_sem(W, n, "gumbel", noise_scale=s, random_state=2)
    np.testing.assert_allclose(Xg.mean(axis=0), np.euler_gamma * s, rtol=0.03)  # mean 0.5772 s; worst 0.015
    Xn = simulate_linear_sem(W, n, "gauss", noise_scale=s, random_state=3)
    np.testing.assert_allclose(Xn.mean(axis=0), 0.0, atol=0.03)  # worst 0.024
    np.testing.assert_allclose(Xn.std(axis=0), s, rtol=0.02)  # worst 0.0054
    # the non-zero mean propagates: E[x1] = w * E[x0] + s1
    W2 = np.array([[0.0, 2.0], [0.0, 0.0]])
    X2 = simulate_linear_sem(W2, n, "exp", noise_scale=1.0, random_state=4)
    np.testing.assert_allclose(X2.mean(axis=0), [1.0, 3.0], rtol=0.02)  # worst 0.0069


def test_logistic_and_poisson():
    W = np.array([[0.0, 1.0, -0.5], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]])
    Xl = simulate_linear_sem(W, 20_000, "logistic", random_state=0)
    assert set(np.unique(Xl)) == {0.0, 1.0}
    # worst deviations over seeds 0-19 (tests/measure_bounds.py simulate_moments): 0.0055, 0.0126,
    # 0.0104 and 0.030 relative
    np.testing.assert_allclose(Xl[:, 0].mean(), 0.5, atol=0.02)  # root: Bernoulli(sigmoid(0))
    # P(x1 = 1 | x0 = 1) = sigmoid(1)
    np.testing.assert_allclose(Xl[Xl[:, 0] == 1, 1].mean(), 1 / (1 + np.exp(-1.0)), atol=0.02)
    Wp = np.array([[0.0, 0.3, 0.0], [0.0, 0.0, 0.2], [0.0, 0.0, 0.0]])  # counts explode fast: small weights
    Xp = simulate_linear_sem(Wp, 20_000, "POISSON", random_state=0)
    assert np.all(Xp >= 0) and np.all(Xp == np.round(Xp))
    np.testing.assert_allclose(Xp[:, 0].mean(), 1.0, atol=0.03)  # root: Poisson(exp(0))
    # E[x1 | x0 = 2] = exp(0.3 * 2)
    np.testing.assert_allclose(Xp[Xp[:, 0] == 2, 1].mean(), np.exp(0.6), rtol=0.05)


def test_poisson_explosion_raises_numerical_error():
    d = 6
    W = np.diag(np.full(d - 1, 8.0), k=1)  # long chain with large weights
    with pytest.raises(NumericalError):
        simulate_linear_sem(W, 200, "poisson", random_state=0)


def test_linear_sem_order_independent_of_labels():
    # parents listed after children in index order still work (topological order is used)
    W = np.array([[0.0, 0.0], [1.0, 0.0]])  # 1 -> 0
    X = simulate_linear_sem(W, 50_000, "gauss", random_state=0)
    np.testing.assert_allclose(np.var(X, axis=0), [2.0, 1.0], rtol=0.03)  # worst of seeds 0-19: 0.017


@pytest.mark.parametrize(
    "W,n,kwargs",
    [
        (np.zeros((2, 3)), 10, {}),
        (np.array([[0.0, 1.0], [1.0, 0.0]]), 10, {}),  # 2-cycle
        (np.array([[1.0, 0.0], [0.0, 0.0]]), 10, {}),  # self-loop
        (np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]], dtype=float), 10, {}),  # 3-cycle
        (np.zeros((2, 2)), 0, {}),
        (np.zeros((2, 2)), -5, {}),
        (np.zeros((2, 2)), 2.5, {}),
        (np.zeros((2, 2)), 10, {"sem_type": "cauchy"}),
        (np.zeros((2, 2)), 10, {"sem_type": "mlp"}),
        (np.zeros((2, 2)), 10, {"noise_scale": [1.0, 2.0, 3.0]}),
        (np.zeros((2, 2)), 10, {"noise_scale": -1.0}),
        (np.zeros((2, 2)), 10, {"noise_scale": np.nan}),
        ([[0.0, np.inf], [0.0, 0.0]], 10, {}),
    ],
)
def test_linear_sem_bad_args(W, n, kwargs):
    with pytest.raises(InvalidInputError):
        simulate_linear_sem(W, n, **kwargs)


def test_cyclic_error_message_names_the_problem():
    with pytest.raises(InvalidInputError, match="cycle"):
        simulate_linear_sem(np.array([[0.0, 1.0], [1.0, 0.0]]), 10)


# ----------------------------------------------------------------------------- non-linear SEM
@pytest.mark.parametrize("sem_type", ["mlp", "mim", "gp-sines", "GP-Sines"])
def test_nonlinear_sem_shapes_roots_and_reproducible(sem_type):
    B = np.zeros((4, 4), dtype=int)
    B[0, 2] = B[1, 2] = B[2, 3] = 1  # roots 0, 1
    X = simulate_nonlinear_sem(B, 20_000, sem_type, noise_scale=0.5, random_state=3)
    assert X.shape == (20_000, 4) and np.all(np.isfinite(X))
    np.testing.assert_allclose(X[:, [0, 1]].std(axis=0), 0.5, rtol=0.03)  # roots are pure noise; worst 0.012
    np.testing.assert_array_equal(X, simulate_nonlinear_sem(B, 20_000, sem_type, noise_scale=0.5, random_state=3))
    # the child of two roots carries signal from its parents: more variance than its noise (at
    # least 1.167 times it on seeds 0-19: gp-sines, seed 16; mlp 1.195, mim 1.671; bound 1.05)
    assert X[:, 2].var() > 1.05 * 0.25


# Worst ratio (degree-5 residual / linear residual) over seeds 0-19, measured: mim 0.958, mlp
# 0.758, gp-sines 0.871; the bound adds a margin of 0.03. Some draws are nearly linear over the
# parent's range (small mim weights), so the bound is per draw and loose, not a typical ratio.
@pytest.mark.parametrize("kind, worst", [("mim", 0.958), ("mlp", 0.758), ("gp-sines", 0.871)])
def test_nonlinear_sem_dependence_is_nonlinear(kind, worst):
    # the conditional mean of the child given its one parent is not linear: a degree-5 fit
    # explains more than a linear one, on every seed
    B = np.array([[0, 1], [0, 0]])
    for seed in range(20):
        X = simulate_nonlinear_sem(B, 20_000, kind, noise_scale=[2.0, 0.1], random_state=seed)
        x, y = X[:, 0], X[:, 1]
        res1 = np.polyfit(x, y, 1, full=True)[1][0]
        res5 = np.polyfit(x, y, 5, full=True)[1][0]
        assert res5 < (worst + 0.03) * res1, (seed, res5 / res1)


@pytest.mark.parametrize(
    "B,n,kwargs",
    [
        (np.array([[0, 1], [1, 0]]), 10, {}),
        (np.zeros((2, 2)), 0, {}),
        (np.zeros((2, 2)), 10, {"sem_type": "gp"}),
        (np.zeros((2, 2)), 10, {"sem_type": "gauss"}),
        (np.zeros((2, 2)), 10, {"n_features": 0}),
        (np.zeros(3), 10, {}),
    ],
)
def test_nonlinear_sem_bad_args(B, n, kwargs):
    with pytest.raises(InvalidInputError):
        simulate_nonlinear_sem(B, n, **kwargs)


# --------------------------------------------------------------------------------------
# interventional SEM
# --------------------------------------------------------------------------------------
def _four_nodes():
    """0 -> 1 -> 2 (weights 1) and 0 -> 3 (weight 0.8): 2 descends from 1, 0 and 3 do not."""
    W = np.zeros((4, 4))
    W[0, 1] = W[1, 2] = 1.0
    W[0, 3] = 0.8
    return W


def test_interventional_environments_and_mask_are_consistent():
    W = _four_nodes()
    X, mask, env = simulate_interventional_sem(W, 30, [[1], [0, 3], 2, []], [5, 6, 7, 8], random_state=0)
    assert X.shape == (56, 4) and X.dtype == np.float64 and np.all(np.isfinite(X))
    assert mask.shape == (56, 4) and mask.dtype == np.bool_
    assert env.shape == (56,) and env.dtype == np.int64
    np.testing.assert_array_equal(env, np.repeat([0, 1, 2, 3, 4], [30, 5, 6, 7, 8]))
    expected = {0: [], 1: [1], 2: [0, 3], 3: [2], 4: []}
    for k, nodes in expected.items():
        rows = mask[env == k]
        np.testing.assert_array_equal(rows, np.broadcast_to(np.isin(np.arange(4), nodes), rows.shape))
    # the mask is what mask_from_environments builds from the same environments and targets
    from acyclic.interventions import mask_from_environments

    np.testing.assert_array_equal(mask, mask_from_environments(env, expected, 4))


@pytest.mark.parametrize("kind", ["gauss", "exp", "gumbel", "uniform", "mlp", "mim", "gp-sines"])
def test_interventional_without_targets_is_the_observational_simulator(kind):
    B = simulate_dag(8, 12, "ER", random_state=0)
    W = simulate_parameter(B, random_state=1)
    X, mask, env = simulate_interventional_sem(W, 150, [], [], kind, random_state=7, noise_scale=0.5)
    if kind in ("mlp", "mim", "gp-sines"):
        reference = simulate_nonlinear_sem(W, 150, kind, noise_scale=0.5, random_state=7)
    else:
        reference = simulate_linear_sem(W, 150, kind, noise_scale=0.5, random_state=7)
    np.testing.assert_array_equal(X, reference)  # bit for bit
    assert not mask.any() and not env.any()


def test_interventional_is_reproducible():
    W = _four_nodes()
    a = simulate_interventional_sem(W, 40, [[1], [2]], 10, "mlp", random_state=3)
    b = simulate_interventional_sem(W, 40, [[1], [2]], 10, "mlp", random_state=np.random.default_rng(0))
    c = simulate_interventional_sem(W, 40, [[1], [2]], 10, "mlp", random_state=3)
    for x, y in zip(a, c):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], b[0])


# Bounds over seeds 0-19 (1000 rows per environment), measured worst values in brackets for
# gauss / mlp / gp-sines; each bound has a margin of 2.5x or more over them:
#   target's mean - value_loc: |.| < 0.15   [0.053 / 0.054 / 0.054]   (sd of the mean 0.032)
#   target's std - value_scale: |.| < 0.15  [0.044 / 0.052 / 0.050]
#   non-descendants (0, 3), standardized mean difference between environments < 0.3
#     [0.102 / 0.102 / 0.120], std ratio in [0.85, 1.15]  [0.925 to 1.077]
#   linear descendant 2: mean shift in [1.6, 2.4] (population 2; measured 1.90 to 2.15)
#   corr(parent, target) in the interventional rows: |.| < 0.15 (population 0, sd 0.032)
@pytest.mark.parametrize("kind", ["gauss", "mlp", "gp-sines"])
def test_interventional_distributions(kind):
    W = _four_nodes()
    for seed in range(20):
        X, mask, env = simulate_interventional_sem(W, 1000, [[1]], 1000, kind, random_state=seed)
        obs, intv = env == 0, env == 1
        target = X[intv, 1]
        assert abs(target.mean() - 2.0) < 0.15 and abs(target.std() - 1.0) < 0.15, (seed, target.mean(), target.std())
        # the intervened values ignore the parent: no correlation with node 0 beyond sampling noise
        assert abs(np.corrcoef(X[intv, 0], target)[0, 1]) < 0.15, seed
        for j in (0, 3):
            a, b = X[obs, j], X[intv, j]
            assert abs(a.mean() - b.mean()) / a.std() < 0.3, (seed, j)
            assert 0.85 < b.std() / a.std() < 1.15, (seed, j)
        if kind == "gauss":
            shift = X[intv, 2].mean() - X[obs, 2].mean()
            assert 1.6 < shift < 2.4, (seed, shift)


def test_interventional_value_settings():
    W = _four_nodes()
    # value_scale 0: the targets are constants; random signs are drawn per environment
    X, _, env = simulate_interventional_sem(
        W, 5, [[k % 4] for k in range(40)], 3, value_loc=5.0, value_scale=0.0, value_sign="random", random_state=1
    )
    values = np.array([X[env == k + 1, k % 4] for k in range(40)])
    assert np.all(values == values[:, :1]) and set(np.unique(values)) == {-5.0, 5.0}
    # BaCaDI's ±(5 + N(0, 4)): 4000 values around ±5 with sd 2 (sd of the mean 0.03, bounds 10x)
    X, _, env = simulate_interventional_sem(
        W, 0, [[0], [0]], 4000, value_loc=5.0, value_scale=2.0, value_sign="random", random_state=2
    )
    for k in (1, 2):
        v = X[env == k, 0]
        assert abs(abs(v.mean()) - 5.0) < 0.3 and abs(v.std() - 2.0) < 0.2


@pytest.mark.parametrize(
    "W,n_obs,targets,n_per,kwargs",
    [
        (np.array([[0, 1.0], [1.0, 0]]), 10, [[0]], 5, {}),  # cycle
        (np.zeros(3), 10, [[0]], 5, {}),  # not square
        (np.zeros((2, 2)), -1, [[0]], 5, {}),
        (np.zeros((2, 2)), 10, [[2]], 5, {}),  # node out of range
        (np.zeros((2, 2)), 10, [[-1]], 5, {}),
        (np.zeros((2, 2)), 10, [[1, 1]], 5, {}),  # a node twice
        (np.zeros((2, 2)), 10, [["a"]], 5, {}),
        (np.zeros((2, 2)), 10, [[0.5]], 5, {}),
        (np.zeros((2, 2)), 10, "01", 5, {}),
        (np.zeros((2, 2)), 10, [[0]], 0, {}),
        (np.zeros((2, 2)), 10, [[0], [1]], [5], {}),  # one size for two target sets
        (np.zeros((2, 2)), 0, [], 5, {}),  # no rows
        (np.zeros((2, 2)), 10, [[0]], 5, {"sem_type": "logistic"}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"sem_type": "poisson"}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"sem_type": "gp"}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"value_loc": np.inf}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"value_scale": -1.0}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"value_sign": "negative"}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"noise_scale": [1.0]}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"n_features": 0}),
        (np.zeros((2, 2)), 10, [[0]], 5, {"random_state": -1}),
    ],
)
def test_interventional_bad_args(W, n_obs, targets, n_per, kwargs):
    with pytest.raises(InvalidInputError):
        simulate_interventional_sem(W, n_obs, targets, n_per, **kwargs)


@pytest.mark.parametrize("kind", ["mlp", "mim", "gp-sines"])
def test_functions_random_state_fixes_the_ground_truth_for_the_oracle(kind):
    B = np.triu(np.ones((4, 4)), 1)
    rng = np.random.default_rng(0)
    # without noise, a row is the functions' values: under do(X_0 = v) every row is the same,
    # whatever the noise seed and the number of rows, and equals the observational equations at X_0 = v
    oracle = oracle_from_sem(B, kind, noise_scale=0.0, functions_random_state=7)
    a, b = oracle(0, 0.5, 3, rng), oracle(0, 0.5, 6, rng)
    assert a.shape == (3, 4) and np.array_equal(a[0], b[5]) and np.all(a[:, 0] == 0.5)
    other = oracle_from_sem(B, kind, noise_scale=0.0, functions_random_state=8)(0, 0.5, 1, rng)
    assert not np.array_equal(a[0], other[0])
    # the same functions as the observational simulator with that seed: with noise on X_0 only,
    # do(X_0 = x) on an observational row's x_0 gives back the rest of that row
    X = simulate_nonlinear_sem(B, 5, kind, noise_scale=[1.0, 0.0, 0.0, 0.0], random_state=3, functions_random_state=7)
    for row in X:
        assert np.allclose(oracle(0, float(row[0]), 1, rng)[0], row, rtol=0, atol=1e-12)
    # the linear oracle is the linear SEM; a nonlinear one needs its functions' seed
    W = np.triu(np.full((3, 3), 0.5), 1)
    rows = oracle_from_sem(W, noise_scale=0.0)(1, 2.0, 2, rng)
    assert np.allclose(rows, [[0.0, 2.0, 1.0]] * 2)
    with pytest.raises(InvalidInputError, match="functions_random_state"):
        oracle_from_sem(B, kind)
    for target in (4, -1, True):
        with pytest.raises(InvalidInputError, match="target"):
            oracle(target, 0.5, 3, rng)
