"""Reference NOTEARS (linear, l2 loss, L1 penalty) in numpy/scipy, written from the paper's formulas.

A small re-derivation of the linear NOTEARS method of Zheng, Aragam, Ravikumar and Xing, "DAGs
with NO TEARS: Continuous Optimization for Structure Learning" (NeurIPS 2018), from the paper's
formulas, not copied from any implementation: expm acyclicity, L-BFGS-B on a split
W = W⁺ − W⁻, augmented Lagrangian. It is what ``acyclic.NOTEARS`` is compared with on identical
data (``benchmarks/bench_notears.py``) and the oracle of the tests that hold it to the paper's
algorithm. Nothing in ``acyclic`` uses it to learn a graph.

Problem (X is n×d, column-centred; W[i, j] ≠ 0 means edge i → j)::

    min_W  L(W) + λ1 ‖W‖₁   s.t.  h(W) = 0,  diag(W) = 0
    L(W)  = 1/(2n) ‖X − XW‖²_F,              ∇L = −(1/n) Xᵀ (X − XW)
    h(W)  = tr(exp(W∘W)) − d,                 ∇h = exp(W∘W)ᵀ ∘ 2W

Augmented Lagrangian subproblem, solved with L-BFGS-B over w = [w⁺; w⁻] ≥ 0 (diagonal fixed to 0)::

    F(w) = L(W) + (ρ/2) h(W)² + α h(W) + λ1 Σ w,        W = w⁺ − w⁻
    ∂F/∂w⁺ =  G + λ1,  ∂F/∂w⁻ = −G + λ1,   G = ∇L + (ρ h + α) ∇h

Outer loop: start w = 0, ρ = 1, α = 0, h = +∞. Each dual step re-solves from the last accepted w,
multiplying ρ by 10 while h_new > h/4 (and ρ < ρ_max); then it accepts w_new, sets h = h_new and
α += ρ h. Stop when h ≤ h_tol or ρ ≥ ρ_max, or after ``max_iter`` dual steps. Finally entries with
|W| < w_threshold are set to 0 (the thresholded result is not guaranteed to be acyclic).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.linalg
import scipy.optimize

__all__ = ["notears_linear"]


def notears_linear(
    X,
    lambda1: float = 0.1,
    max_iter: int = 100,
    h_tol: float = 1e-8,
    rho_max: float = 1e16,
    w_threshold: float = 0.3,
):
    """Fit linear NOTEARS (l2 loss + λ1‖W‖₁) to ``X``.

    Parameters
    ----------
    X : array-like, shape (n, d)
        Data; it is column-centred (a copy) before fitting.
    lambda1 : float
        L1 penalty weight.
    max_iter : int
        Maximum number of dual-ascent (outer) steps.
    h_tol : float
        Stop when h(W) ≤ h_tol.
    rho_max : float
        Stop when the penalty parameter ρ reaches this value.
    w_threshold : float
        Entries with |W| < w_threshold are zeroed in the returned matrix.

    Returns
    -------
    W : ndarray, shape (d, d)
        Thresholded weighted adjacency matrix.
    info : dict
        ``W_raw`` (unthresholded W), ``n_evals`` (objective+gradient evaluations over all
        L-BFGS-B calls), ``n_outer`` (dual steps taken), ``h`` (h of ``W_raw``), ``rho``,
        ``alpha``, ``seconds`` (wall time of the whole fit).
    """
    t_start = time.perf_counter()
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    X = X - X.mean(axis=0, keepdims=True)
    n_evals = 0

    def unpack(w):
        return (w[: d * d] - w[d * d :]).reshape(d, d)

    def acyclicity(W):
        E = scipy.linalg.expm(W * W)
        return np.trace(E) - d, E.T * (2.0 * W)

    def objective(w, rho, alpha):
        nonlocal n_evals
        n_evals += 1
        W = unpack(w)
        R = X - X @ W
        loss = 0.5 / n * np.sum(R * R)
        G_loss = -(1.0 / n) * (X.T @ R)
        h, G_h = acyclicity(W)
        value = loss + 0.5 * rho * h * h + alpha * h + lambda1 * w.sum()
        G = G_loss + (rho * h + alpha) * G_h
        grad = np.concatenate([(G + lambda1).ravel(), (-G + lambda1).ravel()])
        return value, grad

    # Bounds: w± ≥ 0 off the diagonal, exactly 0 on it (no self-loops).
    single = [(0.0, 0.0) if i == j else (0.0, None) for i in range(d) for j in range(d)]
    bounds = single + single

    w_est = np.zeros(2 * d * d)
    rho, alpha, h = 1.0, 0.0, np.inf
    n_outer = 0
    for _ in range(max_iter):
        n_outer += 1
        while rho < rho_max:
            sol = scipy.optimize.minimize(
                objective, w_est, args=(rho, alpha), method="L-BFGS-B", jac=True, bounds=bounds
            )
            w_new = sol.x
            h_new, _ = acyclicity(unpack(w_new))
            if h_new > 0.25 * h:
                rho *= 10.0
            else:
                break
        w_est, h = w_new, h_new
        alpha += rho * h
        if h <= h_tol or rho >= rho_max:
            break

    W_raw = unpack(w_est)
    W = W_raw.copy()
    W[np.abs(W) < w_threshold] = 0.0
    info = {
        "W_raw": W_raw,
        "n_evals": n_evals,
        "n_outer": n_outer,
        "h": float(h),
        "rho": float(rho),
        "alpha": float(alpha),
        "seconds": time.perf_counter() - t_start,
    }
    return W, info
