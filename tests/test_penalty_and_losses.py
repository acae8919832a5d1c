"""The Rust kernels seen from Python: expm, the NOTEARS penalty h(W) and the losses.

References are independent of the core: ``scipy.linalg.expm``, the formulas (h(W) = tr(e^{W∘W}) − d
with gradient (e^{W∘W})ᵀ ∘ 2W, the l2, logistic and Poisson losses) written out in numpy, and central
finite differences. Overflow (+inf, never NaN) in the penalty and the losses is tested with the
numerical range: tests/reliability/test_3_numerical_range.py.
"""

import numpy as np
import pytest
import scipy.linalg
import scipy.special
from _numeric import central_differences, logistic_reference
from acyclic import _core


def _h_reference(W):
    """h(W) = tr(exp(W∘W)) − d and ∇h = exp(W∘W)ᵀ ∘ 2W, via scipy."""
    E = scipy.linalg.expm(W * W)
    return np.trace(E) - W.shape[0], E.T * 2.0 * W


def _random_W(d, scale, seed, zero_diagonal=False):
    W = np.random.default_rng(seed).normal(scale=scale, size=(d, d))
    if zero_diagonal:
        np.fill_diagonal(W, 0.0)
    return W


def _random_dag(d, seed, density=0.5):
    """Strictly upper-triangular random weights, then the nodes relabelled by a permutation."""
    rng = np.random.default_rng(seed)
    U = np.triu(rng.uniform(0.5, 2.0, size=(d, d)) * rng.choice([-1.0, 1.0], size=(d, d)), k=1)
    U *= rng.random((d, d)) < density
    U[0, d - 1] = 1.3  # at least one edge
    perm = rng.permutation(d)
    return U[np.ix_(perm, perm)], U, perm


# ----------------------------------------------------------------------------- expm
def _expm_longdouble(A):
    """exp(A) in extended precision: Taylor series on A / 2^s (‖·‖₁ ≤ 1/4), then s squarings."""
    A = np.asarray(A, dtype=np.longdouble)
    norm1 = float(np.abs(A).sum(axis=0).max())
    s = max(0, int(np.ceil(np.log2(norm1 / 0.25)))) if norm1 > 0 else 0
    B = A / np.longdouble(2.0**s)
    E = np.eye(A.shape[0], dtype=np.longdouble)
    term = E.copy()
    for k in range(1, 40):
        term = term @ B / k
        E = E + term
    for _ in range(s):
        E = E @ E
    return E


def _random_with_norm(d, norm1, kind):
    rng = np.random.default_rng(1000 * d + int(100 * norm1))
    A = rng.standard_normal((d, d))
    if kind == "nonnegative":  # the penalty's argument W∘W is nonnegative
        A = A * A
    return A * (norm1 / np.linalg.norm(A, 1))


_NORMS = [1e-3, 0.3, 1.0, 2.5, 5.3, 5.5, 8.0, 15.0, 30.0, 60.0, 100.0]


@pytest.mark.parametrize("d", [1, 2, 5, 12, 30])
@pytest.mark.parametrize("norm1", [x for x in _NORMS if x <= 30.0])
@pytest.mark.parametrize("kind", ["gaussian", "nonnegative"])
def test_expm_matches_scipy(d, norm1, kind):
    """Random matrices with a prescribed 1-norm; 5.4 is where Padé-13 stops and scaling and
    squaring starts, so the larger norms exercise the squaring phase.

    The tolerance is 5e-12 rather than 1e-12 because of scipy, not the core: against an
    extended-precision reference (next test) the core stays below 1e-13 on these matrices
    (norms up to 100), while scipy 1.17's expm is off by up to 1.5e-12 here (d=5, gaussian,
    norm 30) and ~7e-12 at norm 100, which is why norms 60 and 100 are only checked there."""
    A = _random_with_norm(d, norm1, kind)
    E = _core.expm(A)
    R = scipy.linalg.expm(A)
    assert E.shape == (d, d) and E.dtype == np.float64
    rel = np.linalg.norm(E - R, 1) / np.linalg.norm(R, 1)
    assert rel < 5e-12, rel


@pytest.mark.skipif(np.finfo(np.longdouble).eps > 1e-18, reason="long double is not extended precision here")
@pytest.mark.parametrize("d", [1, 2, 5, 12, 30])
@pytest.mark.parametrize("norm1", _NORMS)
@pytest.mark.parametrize("kind", ["gaussian", "nonnegative"])
def test_expm_matches_extended_precision(d, norm1, kind):
    A = _random_with_norm(d, norm1, kind)
    R = _expm_longdouble(A)
    E = _core.expm(A).astype(np.longdouble)
    rel = float(np.abs(E - R).sum(axis=0).max() / np.abs(R).sum(axis=0).max())
    assert rel < 1e-13, rel


def test_expm_large_norm_symmetric_against_eigendecomposition():
    """Norm 100 (many squarings): for a symmetric matrix exp(A) = V diag(e^λ) Vᵀ is an
    accurate reference; agree to 1e-12 relative."""
    rng = np.random.default_rng(7)
    B = rng.standard_normal((15, 15))
    A = B + B.T
    A *= 100.0 / np.linalg.norm(A, 1)
    lam, V = np.linalg.eigh(A)
    R = (V * np.exp(lam)) @ V.T
    E = _core.expm(A)
    assert np.linalg.norm(E - R, 2) / np.linalg.norm(R, 2) < 1e-12
    assert np.linalg.norm(E - scipy.linalg.expm(A), 2) / np.linalg.norm(R, 2) < 1e-12


def test_expm_known_values():
    assert np.array_equal(_core.expm(np.zeros((4, 4))), np.eye(4))
    # nilpotent: exp(N) = I + N + N²/2
    N = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(_core.expm(N), np.eye(3) + N + N @ N / 2, rtol=0, atol=1e-14)
    # diagonal with large entries (scaling and squaring on an exact case)
    x = np.array([-30.0, 0.5, 40.0])
    np.testing.assert_allclose(np.diag(_core.expm(np.diag(x))), np.exp(x), rtol=1e-13)
    # rotation generator: exp([[0, -t], [t, 0]]) = [[cos t, -sin t], [sin t, cos t]]
    t = 7.3
    R = _core.expm(np.array([[0.0, -t], [t, 0.0]]))
    np.testing.assert_allclose(R, [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]], atol=1e-13)


def test_expm_accepts_non_contiguous_input():
    A = _random_W(6, 0.4, 3)
    np.testing.assert_allclose(_core.expm(A.T), scipy.linalg.expm(A.T), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(_core.expm(np.asfortranarray(A)), scipy.linalg.expm(A), rtol=1e-13, atol=1e-15)


# ----------------------------------------------------------------------------- h(W)
@pytest.mark.parametrize("d,scale", [(2, 0.8), (5, 0.5), (20, 0.25)])
@pytest.mark.parametrize("seed", [0, 1])
def test_penalty_value_and_gradient_match_scipy(d, scale, seed):
    W = _random_W(d, scale, seed)
    h, G = _core.penalty_value_grad(W)
    h_ref, G_ref = _h_reference(W)
    assert h > 0  # a dense W is not a DAG
    assert h == pytest.approx(h_ref, rel=1e-12)
    np.testing.assert_allclose(G, G_ref, rtol=1e-12, atol=1e-14 * np.abs(G_ref).max())


@pytest.mark.parametrize("d,scale", [(2, 0.8), (5, 0.5), (20, 0.25)])
def test_penalty_gradient_matches_finite_differences(d, scale):
    W = _random_W(d, scale, 10 + d)
    _, G = _core.penalty_value_grad(W)
    fd = central_differences(lambda V: _core.penalty_value_grad(V)[0], W, eps=1e-6)
    np.testing.assert_allclose(G, fd, rtol=1e-6, atol=1e-7)
    # explicit shape of the gradient: ∂h/∂W_ii = 2 W_ii exp(W∘W)_ii
    h_ref, G_ref = _h_reference(W)
    np.testing.assert_allclose(fd, G_ref, rtol=1e-6, atol=1e-7)


def test_penalty_known_value_two_cycle():
    # W∘W = [[0, a], [b, 0]] with a·b = c²: tr exp = 2 cosh(c), so h = 2 cosh(c) − 2.
    W = np.array([[0.0, 1.5], [0.4, 0.0]])
    c = 1.5 * 0.4
    h, G = _core.penalty_value_grad(W)
    assert h == pytest.approx(2.0 * np.cosh(c) - 2.0, rel=1e-13)
    # ∂h/∂W01 = 2 W01 · exp(W∘W)_10 = 2·1.5 · (b sinh(c)/c) with b = 0.16
    assert G[0, 1] == pytest.approx(2 * 1.5 * 0.16 * np.sinh(c) / c, rel=1e-12)
    assert G[0, 0] == 0.0 and G[1, 1] == 0.0


@pytest.mark.parametrize("d", [2, 5, 20, 60])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_penalty_is_zero_on_random_dags(d, seed):
    W, U, _ = _random_dag(d, seed, density=0.6)
    assert np.count_nonzero(W) == np.count_nonzero(U) > 0
    if d >= 20:  # the relabelling really hides the triangular structure
        assert np.count_nonzero(np.tril(W)) > 0
    h, G = _core.penalty_value_grad(W)
    assert abs(h) < 1e-12
    # the gradient is finite and, for a DAG, ∇h_ij = 2 W_ij · (#weighted paths j ⇝ i) = 0 on edges
    assert np.all(np.isfinite(G))
    np.testing.assert_allclose(G[W != 0], 0.0, atol=1e-12)


@pytest.mark.parametrize("d", [3, 5, 20])
@pytest.mark.parametrize("seed", [0, 1])
def test_penalty_is_positive_with_a_cycle(d, seed):
    W, U, perm = _random_dag(d, seed, density=0.6)
    # make a cycle: a path 0→1→…→d-1 in the triangular numbering, closed by (d-1)→0
    U = U.copy()
    for k in range(d - 1):
        U[k, k + 1] = 0.7
    U[d - 1, 0] = 0.2
    W = U[np.ix_(perm, perm)]
    h, _ = _core.penalty_value_grad(W)
    h_ref, _ = _h_reference(W)
    assert h > 0
    assert h == pytest.approx(h_ref, rel=1e-9)


def test_penalty_self_loop_is_positive():
    W = np.zeros((3, 3))
    W[1, 1] = 0.5
    h, _ = _core.penalty_value_grad(W)
    assert h == pytest.approx(np.exp(0.25) - 1.0, rel=1e-14)


# ----------------------------------------------------------------------------- losses
def _l2_reference(X, W):
    Xc = X - X.mean(axis=0)
    R = Xc - Xc @ W
    return 0.5 / X.shape[0] * np.sum(R * R), -Xc.T @ R / X.shape[0]


def _poisson_reference(X, W):
    M = X @ W
    value = np.mean(np.sum(np.exp(M) - X * M, axis=1))
    return value, X.T @ (np.exp(M) - X) / X.shape[0]


def _data(loss, n, d, seed):
    rng = np.random.default_rng(seed)
    if loss == "l2":
        X = rng.normal(loc=3.0, scale=2.0, size=(n, d))  # not centred: the core centres
    elif loss == "logistic":
        X = (rng.random((n, d)) < 0.4).astype(float)
    else:
        X = rng.poisson(1.5, size=(n, d)).astype(float)
    return X


_REFERENCES = {"l2": _l2_reference, "logistic": logistic_reference, "poisson": _poisson_reference}


@pytest.mark.parametrize("loss", ["l2", "logistic", "poisson"])
@pytest.mark.parametrize("d", [2, 5, 12])
def test_loss_value_and_gradient_match_formulas(loss, d):
    X = _data(loss, 200, d, seed=d)
    W = _random_W(d, 0.3 if loss != "poisson" else 0.1, seed=d + 1, zero_diagonal=True)
    value, G = _core.loss_value_grad(X, W, loss)
    v_ref, G_ref = _REFERENCES[loss](X, W)
    assert G.shape == (d, d)
    assert value == pytest.approx(v_ref, rel=1e-12)
    np.testing.assert_allclose(G, G_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", ["l2", "logistic", "poisson"])
@pytest.mark.parametrize("d", [3, 8])
def test_loss_gradient_matches_finite_differences(loss, d):
    X = _data(loss, 150, d, seed=20 + d)
    W = _random_W(d, 0.3 if loss != "poisson" else 0.1, seed=30 + d, zero_diagonal=True)
    _, G = _core.loss_value_grad(X, W, loss)
    fd = central_differences(lambda V: _core.loss_value_grad(X, V, loss)[0], W, eps=1e-6)
    np.testing.assert_allclose(G, fd, rtol=1e-6, atol=1e-7)


def test_l2_value_is_half_mean_squared_residual_of_centred_X():
    rng = np.random.default_rng(5)
    n, d = 300, 6
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + 10.0  # correlated, far from zero mean
    W = _random_W(d, 0.4, 6, zero_diagonal=True)
    Xc = X - X.mean(axis=0)
    expected = 0.5 / n * np.linalg.norm(Xc - Xc @ W, "fro") ** 2
    value, _ = _core.loss_value_grad(X, W, "l2")
    assert value == pytest.approx(expected, rel=1e-12)
    # at W = 0 it is half the sum of the (biased) variances
    value0, G0 = _core.loss_value_grad(X, np.zeros((d, d)), "l2")
    assert value0 == pytest.approx(0.5 * X.var(axis=0).sum(), rel=1e-12)
    np.testing.assert_allclose(G0, -np.cov(X.T, bias=True), rtol=1e-11, atol=1e-12)
    # the l2 loss depends on X only through its centred covariance: shifting X changes nothing
    value_shift, _ = _core.loss_value_grad(X - 10.0, W, "l2")
    assert value_shift == pytest.approx(value, rel=1e-10)
