"""Adapters for peer implementations, each returning a d×d weight matrix in acyclic's convention.

Peers are never dependencies of ``acyclic``: install them into the benchmark environment
(``pip install "acyclic[bench]"`` for LiNGAM, and the commands below). A peer that is not
importable is skipped with a notice by ``acyclic bench``. Every adapter is a scikit-learn
estimator whose ``fit(X)`` sets ``weights_`` with ``weights_[i, j] != 0`` meaning ``i -> j``;
``random_state``, ``n_jobs`` and ``verbose`` exist for a uniform interface and are used only
where the peer has them.

* :class:`DagmaPyPI` — ``dagma.linear.DagmaLinear`` (Bello et al. 2022), the authors' package:
  ``pip install --no-deps dagma && pip install igraph tqdm`` (its metadata asks for torch, which
  ``dagma.linear`` does not use). Same convention as ours (``X ≈ X W``).
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


class _Peer(BaseEstimator):
    """``fit`` shared by the adapters: ``_learn(X)`` returns the peer's matrix in our convention."""

    def _learn(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y=None):
        """Fit the peer and store its weights in acyclic's convention.

        Parameters
        ----------
        X : array_like of shape (n, d)
            Data.
        y : ignored
            Present for scikit-learn compatibility.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If the peer returns a matrix that is not d × d.
        """
        X = np.array(X, dtype=np.float64)  # a copy: some peers centre their input in place
        d = X.shape[1]
        W = np.array(self._learn(X), dtype=np.float64)
        if W.shape != (d, d):
            raise ValueError(f"{type(self).__name__}: the peer returned shape {W.shape}, expected ({d}, {d})")
        np.fill_diagonal(W, 0.0)
        self.weights_ = W
        return self


class DagmaPyPI(_Peer):
    """PyPI ``dagma``'s ``DagmaLinear`` with the least-squares loss.

    Parameters
    ----------
    lambda1 : float, default 0.03
        L1 weight (acyclic.DAGMA's default, for a like-for-like comparison).
    w_threshold : float, default 0.3
        |weight| below it is dropped (by ``DagmaLinear.fit``).
    random_state, n_jobs, verbose : ignored
        DagmaLinear is deterministic and single-process.

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

    def _learn(self, X):
        from dagma.linear import DagmaLinear

        return DagmaLinear(loss_type="l2").fit(X, lambda1=self.lambda1, w_threshold=self.w_threshold)


class DirectLiNGAM(_Peer):
    """``lingam.DirectLiNGAM``, its adjacency transposed into our convention.

    Parameters
    ----------
    random_state : int or None, default None
        Passed to ``DirectLiNGAM``.
    n_jobs, verbose : ignored

    Attributes
    ----------
    weights_ : ndarray of shape (d, d)
        ``adjacency_matrix_.T`` (lingam's ``B[i, j]`` is the effect of ``x_j`` on ``x_i``), after
        lingam's own adaptive-lasso pruning; no further threshold.
    """

    def __init__(self, random_state=None, n_jobs=None, verbose=False):
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _learn(self, X):
        import lingam

        return np.asarray(lingam.DirectLiNGAM(random_state=self.random_state).fit(X).adjacency_matrix_).T


class GCastleNotears(_Peer):
    """gCastle's linear ``Notears`` ("NOTEARS (poly)" in the tables).

    Parameters
    ----------
    lambda1 : float, default 0.1
        L1 weight.
    w_threshold : float, default 0.3
        |weight| below it is dropped (by gCastle).
    random_state, n_jobs, verbose : ignored

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

    def _learn(self, X):
        from castle.algorithms import Notears

        model = Notears(lambda1=self.lambda1, w_threshold=self.w_threshold)
        model.learn(X)
        W = getattr(model, "weight_causal_matrix", None)
        return np.asarray(model.causal_matrix if W is None else W)
