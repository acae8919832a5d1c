"""Acyclicity penalties h(W): smooth functions that vanish exactly on DAGs.

Every penalty takes a weighted adjacency matrix W (``W[i, j] != 0`` is the edge i → j) and
returns its value and its gradient with respect to W, computed by the Rust core. With
A = W∘W (the element-wise square), d the number of nodes and ρ(·) the spectral radius:

==============  ==========================================  ============================================
``kind``        h(W)                                        ∇h(W)
==============  ==========================================  ============================================
``"expm"``      tr(exp(A)) − d                              exp(A)ᵀ ∘ 2W
``"logdet"``    −log det(sI − A) + d log s, for ρ(A) < s    2 (sI − A)⁻ᵀ ∘ W
``"poly"``      tr((I + A/d)^d) − d                         2W ∘ ((I + A/d)^(d−1))ᵀ
``"spectral"``  ρ(A)                                        2W ∘ u vᵀ / (uᵀv), u, v the Perron vectors
==============  ==========================================  ============================================

Each is ≥ 0, and 0 exactly when W is a DAG (self-loops count as cycles); on a DAG the gradient
is 0 too.
"""

from __future__ import annotations

import numbers
from typing import Tuple

import numpy as np

from . import _core
from ._validation import as_square_matrix
from .exceptions import InvalidInputError

KINDS = ("expm", "logdet", "poly", "spectral")


def h(W, kind: str = "expm", s: float = 1.0) -> Tuple[float, np.ndarray]:
    """Value and gradient of an acyclicity penalty at W.

    Parameters
    ----------
    W : array-like of shape (d, d)
        Weighted adjacency matrix, ``W[i, j] != 0`` meaning the edge i → j. Finite numbers.
    kind : {"expm", "logdet", "poly", "spectral"}, default="expm"
        Which characterisation of acyclicity, with A = W∘W:

        ``"expm"``
            h = tr(exp(A)) − d, ∇h = exp(A)ᵀ ∘ 2W (Zheng, Aragam, Ravikumar & Xing, "DAGs with
            NO TEARS: Continuous Optimization for Structure Learning", NeurIPS 2018). Padé
            approximation with scaling and squaring, O(d³). When exp(A) overflows float64
            (ρ(A) above ~700) the value is ``inf`` and the gradient zero.
        ``"logdet"``
            h = −log det(sI − A) + d log s, ∇h = 2 (sI − A)⁻ᵀ ∘ W (Bello, Aragam & Ravikumar,
            "DAGMA: Learning DAGs via M-matrices and a Log-Determinant Acyclicity
            Characterization", NeurIPS 2022). Defined only on the domain where sI − A is a
            nonsingular M-matrix, i.e. ρ(A) < s; outside it (the determinant is not positive
            or the inverse has a negative entry) :class:`~acyclic.exceptions.OutsideDomainError`
            is raised instead of returning a number. One LU factorisation and inverse, O(d³).
        ``"poly"``
            h = tr((I + A/d)^d) − d, ∇h = 2W ∘ ((I + A/d)^(d−1))ᵀ (Yu, Chen, Gao & Yu, "DAG-GNN:
            DAG Structure Learning with Graph Neural Networks", ICML 2019). Binary powering,
            O(d³ log d); the powers are formed as (I + A/d)^k − I so that small values keep
            full relative accuracy. ``inf`` (and a zero gradient) on overflow.
        ``"spectral"``
            h = ρ(A), ∇h = 2W ∘ u vᵀ / (uᵀv) with u, v the left and right Perron vectors of A
            (Lee, Danieletto, Miotto, Cherng & Dudley, "Scaling structural learning with
            NO-BEARS to infer causal transcriptome networks", Pacific Symposium on Biocomputing
            2020). Power iteration for both vectors from all-ones starts, O(d²) per step, on
            A + σI with σ half the running estimate of ρ (i.e. on A + I after scaling A to
            spectral radius ≈ 2): the shift makes it converge on cycles, whose peripheral
            eigenvalues all have modulus ρ, at a rate that does not depend on the scale of W.
            It stops when no entry of the unit-norm vectors moves by more than 1e-12, or after
            1000 steps; the value is the two-sided Rayleigh quotient uᵀAv / uᵀv. The gradient
            exists where the Perron root is simple (e.g. when A is irreducible; where several
            cycles tie, ρ has a kink); h and ∇h are exactly 0 on DAGs (A nilpotent).
    s : float, default=1.0
        The log-det parameter, > 0 (DAGMA uses 1 and then 0.9, 0.8, …). Checked for every
        ``kind`` but only used by ``"logdet"``.

    Returns
    -------
    value : float
        h(W) ≥ 0; 0 on a DAG.
    grad : ndarray of shape (d, d)
        ∂h/∂W.

    Raises
    ------
    InvalidInputError
        W is not a finite square 2-D numeric matrix, ``kind`` is unknown or ``s`` is not a
        finite number > 0.
    OutsideDomainError
        ``kind="logdet"`` and ρ(W∘W) ≥ s (a :class:`~acyclic.exceptions.NumericalError`).
    NumericalError
        ``kind="logdet"`` and W∘W overflows float64 on a cyclic graph, or ``kind="spectral"``
        and the Perron vectors give no finite gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from acyclic.penalties import h
    >>> W = np.array([[0.0, 0.8], [0.5, 0.0]])  # a 2-cycle: A has eigenvalues ±0.4
    >>> round(h(W, "spectral")[0], 12)
    0.4
    >>> value, grad = h(W, "logdet")  # −log(1 − 0.4²)
    >>> bool(abs(value + np.log(1 - 0.16)) < 1e-15)
    True
    >>> h(np.triu(np.ones((3, 3)), k=1), "poly")[0]  # a DAG
    0.0
    """
    A = as_square_matrix(W, "W")
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidInputError(f"kind must be one of {KINDS}, got {kind!r}")
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, numbers.Real) or not (np.isfinite(s) and s > 0):
        raise InvalidInputError(f"s must be a finite number > 0, got {s!r}")
    value, grad = _core.penalty_value_grad(A, kind, float(s))
    return float(value), grad


__all__ = ["KINDS", "h"]
