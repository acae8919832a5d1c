"""Type stubs of the Rust extension ``acyclic._core`` (see rust/py/src/lib.rs)."""

from typing import Callable, Optional, Tuple

import numpy as np
import numpy.typing as npt

Float2D = npt.NDArray[np.float64]
Bool2D = npt.NDArray[np.bool_]

def expm(a: Float2D) -> Float2D: ...
def penalty_value_grad(w: Float2D, kind: str = "expm", s: float = 1.0) -> Tuple[float, Float2D]: ...
def loss_value_grad(x: Float2D, w: Float2D, loss_type: str = "l2") -> Tuple[float, Float2D]: ...
def is_dag(w: Float2D) -> bool: ...
def topological_order(w: Float2D) -> Optional[npt.NDArray[np.int64]]: ...
def project_to_dag(w: Float2D, required: Optional[Bool2D] = None) -> Float2D: ...
def notears_fit(
    x: Float2D,
    *,
    loss_type: str = "l2",
    lambda1: float = 0.1,
    max_iter: int = 100,
    h_tol: float = 1e-8,
    rho_max: float = 1e16,
    w_threshold: float = 0.3,
    penalty: str = "expm",
    s: float = 1.0,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
    callback: Optional[Callable[[int, int, float, float, float], None]] = None,
    n_threads: int = 1,
) -> dict: ...
