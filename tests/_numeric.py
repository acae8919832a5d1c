"""Numerical helpers shared by the test modules."""

import numpy as np


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
