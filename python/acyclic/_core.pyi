"""Type stubs of the Rust extension ``acyclic._core`` (see rust/py/src/lib.rs)."""

from typing import Callable, List, Optional, Sequence, Tuple

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
def order_respecting(mask: Bool2D, preferred: Sequence[int]) -> List[int]: ...
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
def dagma_fit(
    x: Float2D,
    *,
    loss_type: str = "l2",
    lambda1: float = 0.03,
    w_threshold: float = 0.3,
    t_stages: int = 5,
    mu_init: float = 1.0,
    mu_factor: float = 0.1,
    s: Sequence[float] = ...,
    warm_iter: int = 30000,
    max_iter: int = 60000,
    lr: float = 3e-4,
    h_tol: float = 1e-6,
    solver: str = "hybrid",
    hybrid_tol: float = 1e-4,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
    callback: Optional[Callable[[int, int, float, float, float], None]] = None,
    n_threads: int = 1,
) -> dict: ...
def topo_fit(
    x: Float2D,
    order: Sequence[int],
    *,
    size_small: Optional[int] = None,
    size_large: Optional[int] = None,
    n_large_searches: Optional[int] = None,
    w_threshold: float = 0.3,
    max_iter: int = 1000,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
    callback: Optional[Callable[[int, int, float, float, float], None]] = None,
    n_threads: int = 1,
) -> dict: ...
def cosmo_fit(
    x: Float2D,
    *,
    lambda1: float,
    lambda2: float,
    lambda_p: float,
    shift: float,
    t_start: float,
    t_end: float,
    lr: float,
    batch_size: int,
    max_iter: int,
    tol: float,
    refit: bool,
    w_threshold: float,
    seed: int,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
    callback: Optional[Callable[[int, int, float, float, float], None]] = None,
    n_threads: int = 1,
) -> dict: ...
def dpdag_fit(
    x: Float2D,
    *,
    hidden: List[int],
    lambda_kl: float,
    prior: float,
    tau: float,
    lr_graph: float,
    lr_mech: float,
    batch_size: int,
    max_iter: int,
    patience: int,
    tol: float,
    validation_fraction: float,
    edge_threshold: float,
    refit: bool,
    refit_orders: int,
    seed: int,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
    callback: Optional[Callable[[int, int, float, float, float], None]] = None,
    n_threads: int = 1,
) -> dict: ...
def dpdag_predict(x: Float2D, hidden: List[int], mechanism: npt.NDArray[np.float64], adjacency: Float2D) -> Float2D: ...
def dpdag_sample_dags(
    theta: npt.NDArray[np.float64],
    phi: Float2D,
    n_samples: int,
    seed: int,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
) -> npt.NDArray[np.uint8]: ...
def dpdag_edge_probabilities(
    theta: npt.NDArray[np.float64],
    phi: Float2D,
    n_orders: int,
    seed: int,
    forbidden: Optional[Bool2D] = None,
    required: Optional[Bool2D] = None,
) -> Tuple[Float2D, bool]: ...
