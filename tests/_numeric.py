"""Numerical helpers shared by the test modules."""

import numpy as np
import scipy.special
from acyclic.graph import is_dag


def central_differences(f, W, eps=1e-6):
    """∂f/∂W by central differences, entry by entry (f: (d, d) array → float)."""
    G = np.empty_like(W)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            Wp = W.copy()
            Wp[i, j] += eps
            Wm = W.copy()
            Wm[i, j] -= eps
            G[i, j] = (f(Wp) - f(Wm)) / (2.0 * eps)
    return G


def spectral_radius(A):
    return float(np.max(np.abs(np.linalg.eigvals(A))))


def scaled_to_radius(W, rho):
    """W rescaled so that ρ(W∘W) = rho."""
    return W * np.sqrt(rho / spectral_radius(W * W))


def cyclic_weights(d, seed, rho=0.5):
    """A sparse random digraph with cycles (d = 2: the 2-cycle), weights ±U(0.5, 2), scaled so
    that ρ(W∘W) = rho."""
    rng = np.random.default_rng(seed)
    if d == 2:
        W = np.array([[0.0, rng.uniform(0.5, 2.0)], [-rng.uniform(0.5, 2.0), 0.0]])
    else:
        W = rng.uniform(0.5, 2.0, (d, d)) * rng.choice([-1.0, 1.0], (d, d))
        W *= rng.random((d, d)) < min(1.0, 3.0 / d)
        np.fill_diagonal(W, 0.0)
        for k in range(d):  # a Hamiltonian cycle guarantees ρ > 0
            W[k, (k + 1) % d] = 1.0
    assert not is_dag(W)
    return scaled_to_radius(W, rho)


def logistic_reference(X, W):
    """The logistic loss n⁻¹Σ[log(1 + e^M) − X∘M] (M = XW) and its gradient, in numpy/scipy."""
    M = X @ W
    value = np.mean(np.sum(np.logaddexp(0.0, M) - X * M, axis=1))
    return value, X.T @ (scipy.special.expit(M) - X) / X.shape[0]
