"""Adapters for peer implementations, each returning a d×d weight matrix in acyclic's convention.

Peers are never dependencies of ``acyclic``: install them into the benchmark environment
(``pip install "acyclic[bench]"`` for DAGMA and LiNGAM, or the commands below). A peer that is not
importable is skipped with a notice by ``acyclic bench``. Every adapter is a scikit-learn
estimator whose ``fit(X)`` sets ``weights_`` with ``weights_[i, j] != 0`` meaning ``i -> j``.

* :class:`DagmaPyPI` — ``dagma.linear.DagmaLinear`` (Bello et al. 2022), the authors' package:
  ``pip install --no-deps dagma && pip install igraph tqdm`` (``dagma.linear`` needs no torch).
  Same convention as ours (``X ≈ X W``).
* :class:`DirectLiNGAM` — ``lingam.DirectLiNGAM`` (Shimizu et al. 2011): ``pip install lingam``.
  Its ``adjacency_matrix_`` ``B`` has ``B[i, j]`` = effect of ``x_j`` on ``x_i`` (``x = B x + e``),
  the **transpose** of our W; the adapter returns ``B.T``.
* :class:`GCastleNotears` — gCastle's ``castle.algorithms.Notears``: ``pip install gcastle torch``
  (its package import needs torch). Labelled "NOTEARS (poly)" in the tables: per the project's
  design notes it is not the expm-penalty reference algorithm.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

__all__ = ["DagmaPyPI", "DirectLiNGAM", "GCastleNotears"]


def _square(W, d: int, who: str) -> np.ndarray:
    """``W`` as a float (d, d) array, or a clear error."""
    W = np.array(W, dtype=np.float64)
    if W.shape != (d, d):
        raise ValueError(f"{who} returned a matrix of shape {W.shape}, expected ({d}, {d})")
    np.fill_diagonal(W, 0.0)
    return W


class DagmaPyPI(BaseEstimator):
    """PyPI ``dagma``'s ``DagmaLinear`` (least squares), with our parameter names.

    Parameters
    ----------
    lambda1 : float, default 0.03
        L1 weight (acyclic.DAGMA's default, for a like-for-like comparison).
    w_threshold : float, default 0.3
        |weight| below it is dropped (by ``DagmaLinear.fit``).
    random_state, n_jobs, verbose : ignored
        For a uniform interface (DagmaLinear is deterministic and single-process).

    Attributes
    ----------
    weights_ : ndarray of shape (d, d)
        The thresholded weights returned by ``DagmaLinear.fit``.
    """

    def __init__(self, lambda1=0.03, w_threshold=0.3, random_state=None, n_jobs=None, verbose=False):
        self.lambda1 = lambda1
        self.w_threshold = w_threshold
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y=None):
        """Fit ``DagmaLinear(loss_type="l2")`` on a copy of X (it centres its input in place).

        Parameters
        ----------
        X : array_like of shape (n, d)
            Data.
        y : ignored

        Returns
        -------
        self
        """
        from dagma.linear import DagmaLinear

        X = np.array(X, dtype=np.float64)
        W = DagmaLinear(loss_type="l2", verbose=False).fit(X.copy(), lambda1=self.lambda1,
                                                           w_threshold=self.w_threshold)  # fmt: skip
        self.weights_ = _square(W, X.shape[1], "DagmaLinear")
        return self


class DirectLiNGAM(BaseEstimator):
    """``lingam.DirectLiNGAM``, its adjacency transposed into our convention.

    Parameters
    ----------
    random_state : int or None, default None
        Passed to ``DirectLiNGAM``.
    n_jobs, verbose : ignored
        For a uniform interface.

    Attributes
    ----------
    weights_ : ndarray of shape (d, d)
        ``adjacency_matrix_.T`` (lingam's ``B[i, j]`` is the effect of ``x_j`` on ``x_i``), after
        lingam's own adaptive-lasso pruning; no further threshold.
    causal_order_ : ndarray of shape (d,)
        lingam's causal order.
    """

    def __init__(self, random_state=None, n_jobs=None, verbose=False):
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y=None):
        """Fit ``lingam.DirectLiNGAM``.

        Parameters
        ----------
        X : array_like of shape (n, d)
            Data.
        y : ignored

        Returns
        -------
        self
        """
        import lingam

        X = np.asarray(X, dtype=np.float64)
        model = lingam.DirectLiNGAM(random_state=self.random_state).fit(X)
        self.weights_ = _square(np.asarray(model.adjacency_matrix_).T, X.shape[1], "DirectLiNGAM")
        self.causal_order_ = np.asarray(model.causal_order_, dtype=np.int64)
        return self


class GCastleNotears(BaseEstimator):
    """gCastle's linear ``Notears`` ("NOTEARS (poly)" in the tables).

    Parameters
    ----------
    lambda1 : float, default 0.1
        L1 weight.
    w_threshold : float, default 0.3
        |weight| below it is dropped (by gCastle).
    random_state, n_jobs, verbose : ignored
        For a uniform interface.

    Attributes
    ----------
    weights_ : ndarray of shape (d, d)
        gCastle's ``weight_causal_matrix`` where the installed version has it, otherwise its 0/1
        ``causal_matrix`` (both with ``[i, j]`` meaning ``i -> j``).
    """

    def __init__(self, lambda1=0.1, w_threshold=0.3, random_state=None, n_jobs=None, verbose=False):
        self.lambda1 = lambda1
        self.w_threshold = w_threshold
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y=None):
        """Fit ``castle.algorithms.Notears``.

        Parameters
        ----------
        X : array_like of shape (n, d)
            Data.
        y : ignored

        Returns
        -------
        self
        """
        from castle.algorithms import Notears

        X = np.asarray(X, dtype=np.float64)
        model = Notears(lambda1=self.lambda1, w_threshold=self.w_threshold)
        model.learn(X)
        W = getattr(model, "weight_causal_matrix", None)
        if W is None:
            W = model.causal_matrix
        self.weights_ = _square(np.asarray(W), X.shape[1], "gCastle Notears")
        return self
