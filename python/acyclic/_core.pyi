"""Type stubs of the Rust extension ``acyclic._core`` (rust/py/src); checked by ``mypy.stubtest``."""

from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

# Array aliases of this stub only (private: the extension has no such names).
_Float1D = npt.NDArray[np.float64]
_Float2D = npt.NDArray[np.float64]
_Bool2D = npt.NDArray[np.bool_]

__all__ = [
    "LEARNERS",
    "expm",
    "penalty_value_grad",
    "loss_value_grad",
    "is_dag",
    "topological_order",
    "find_cycle",
    "threshold",
    "project_to_dag",
    "order_respecting",
    "to_cpdag",
    "is_cpdag",
    "r2_scores",
    "matmul_kernel",
    "fit",
    "defaults",
    "simulate_dag",
    "simulate_parameter",
    "simulate_linear_sem",
    "simulate_nonlinear_sem",
    "simulate_interventional_sem",
    "mlp_predict",
    "dpdag_sample_dags",
    "resample_rows",
    "complementary_halves",
    "cv_folds",
    "fit_statistics",
    "ait_scores",
    "ait_simulate",
    "fits_from_statistics",
    "stats_of_rows",
    "merge_stats",
]

#: The names of the core's learners, as ``fit`` takes them.
LEARNERS: List[str]

def expm(a: _Float2D) -> _Float2D: ...
def penalty_value_grad(w: _Float2D, kind: str = "expm", s: float = 1.0) -> Tuple[float, _Float2D]: ...
def loss_value_grad(x: _Float2D, w: _Float2D, loss_type: str = "l2") -> Tuple[float, _Float2D]: ...
def is_dag(w: _Float2D) -> bool: ...
def topological_order(w: _Float2D) -> Optional[npt.NDArray[np.int64]]: ...
def find_cycle(w: _Float2D) -> Optional[List[int]]: ...
def threshold(w: _Float2D, threshold: float, required: Optional[_Bool2D] = None) -> _Float2D: ...
def project_to_dag(w: _Float2D, required: Optional[_Bool2D] = None) -> _Float2D: ...
def order_respecting(mask: _Bool2D, preferred: Sequence[int]) -> List[int]: ...
def to_cpdag(w: _Float2D, targets: Optional[Sequence[Sequence[int]]] = None) -> npt.NDArray[np.int64]: ...
def is_cpdag(c: _Float2D, targets: Optional[Sequence[Sequence[int]]] = None) -> bool: ...
def r2_scores(sigma: _Float2D) -> _Float1D: ...
def matmul_kernel() -> str: ...
def fit(
    learner: str,
    x: _Float2D,
    params: Mapping[str, Any],
    *,
    mean: Optional[_Float1D] = None,
    scale: Optional[_Float1D] = None,
    forbidden: Optional[_Bool2D] = None,
    required: Optional[_Bool2D] = None,
    intervention_mask: Optional[_Bool2D] = None,
    environments: Optional[npt.NDArray[np.int64]] = None,
    callback: Optional[Callable[[int, int, float, Dict[str, float]], object]] = None,
    n_threads: int = 1,
) -> Dict[str, Any]: ...
def defaults(learner: str) -> Dict[str, Any]: ...
def simulate_dag(d: int, s0: int, graph_type: str, seed: int) -> _Float2D: ...
def simulate_parameter(b: _Float2D, ranges: Sequence[Tuple[float, float]], seed: int) -> _Float2D: ...
def simulate_linear_sem(w: _Float2D, n: int, sem_type: str, noise_scale: Sequence[float], seed: int) -> _Float2D: ...
def simulate_nonlinear_sem(
    b: _Float2D,
    n: int,
    sem_type: str,
    noise_scale: Sequence[float],
    n_features: int,
    seed: int,
    functions_seed: Optional[int] = None,
) -> _Float2D: ...
def simulate_interventional_sem(
    w: _Float2D,
    n_obs: int,
    targets: Sequence[Sequence[int]],
    n_per_environment: Sequence[int],
    mechanism: str,
    sem_type: str,
    noise_scale: Sequence[float],
    value_loc: float,
    value_scale: float,
    value_sign: str,
    n_features: int,
    seed: int,
    value_noise: Optional[float] = None,
    networks: Optional[Tuple[Sequence[int], str, Sequence[float]]] = None,
    functions_seed: Optional[int] = None,
) -> Tuple[_Float2D, _Bool2D, npt.NDArray[np.int64]]: ...
def mlp_predict(
    x: _Float2D, hidden: Sequence[int], activation: str, params: _Float1D, adjacency: _Float2D
) -> _Float2D: ...
def dpdag_sample_dags(
    theta: _Float1D,
    phi: _Float2D,
    n_samples: int,
    seed: int,
    forbidden: Optional[_Bool2D] = None,
    required: Optional[_Bool2D] = None,
) -> npt.NDArray[np.uint8]: ...
def resample_rows(
    strata: npt.NDArray[np.int64], seed: int, member: int, subsample: Optional[float] = None
) -> npt.NDArray[np.int64]: ...
def complementary_halves(
    strata: npt.NDArray[np.int64], seed: int, pair: int
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def cv_folds(strata: npt.NDArray[np.int64], k: int, seed: int) -> npt.NDArray[np.int64]: ...

_Stats = Tuple[int, _Float1D, _Float2D, _Float1D, _Float1D]

def fit_statistics(
    learner: str,
    stats: Union[_Stats, Sequence[_Stats]],
    params: Mapping[str, Any],
    *,
    scale: _Float1D,
    forbidden: Optional[_Bool2D] = None,
    required: Optional[_Bool2D] = None,
    callback: Optional[Callable[[int, int, float, Dict[str, float]], object]] = None,
    n_threads: int = 1,
    patterns: Optional[_Bool2D] = None,
) -> Dict[str, Any]: ...
def ait_scores(
    stats: Union[_Stats, Sequence[_Stats]],
    graphs: npt.NDArray[np.bool_],
    targets: Sequence[int],
    values: _Float1D,
    n_samples: int,
    seed: int,
    *,
    scale: _Float1D,
    patterns: Optional[_Bool2D] = None,
    n_threads: int = 1,
) -> _Float1D: ...
def ait_simulate(
    stats: Union[_Stats, Sequence[_Stats]],
    graph: _Bool2D,
    target: int,
    value: float,
    n: int,
    seed: int,
    *,
    scale: _Float1D,
    patterns: Optional[_Bool2D] = None,
) -> _Float2D: ...
def fits_from_statistics(learner: str, params: Mapping[str, Any]) -> bool: ...
def stats_of_rows(x: _Float2D, n_threads: int = 1) -> _Stats: ...
def merge_stats(a: _Stats, b: _Stats) -> _Stats: ...
