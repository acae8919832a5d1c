"""Fuzzing the Rust extension: whatever the shapes, values and parameters, a call returns or
raises an ordinary Python exception. A Rust panic would surface as pyo3's PanicException (a
BaseException, not an Exception), which these tests would let through and fail on."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from acyclic import _core

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from([0.0, 1e-300, 1e300, -1e300, 80.0])
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def matrices(min_side=0, max_side=6, square=False):
    if square:
        side = st.integers(min_side, max_side)
        return side.flatmap(lambda d: hnp.arrays(np.float64, (d, d), elements=FLOATS))
    return hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=min_side, max_side=max_side), elements=FLOATS)


def survives(call):
    """Runs ``call``; ordinary exceptions are fine, a BaseException that is not one is not."""
    try:
        return call()
    except Exception:
        return None


@SETTINGS
@given(w=matrices(), kind=st.sampled_from(["expm", "logdet", "poly", "spectral", "bogus"]),
       s=st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([1.0, 0.0, -1.0]))
def test_penalties(w, kind, s):
    out = survives(lambda: _core.penalty_value_grad(w, kind, s))
    if out is not None:
        value, grad = out
        assert grad.shape == w.shape
        assert not np.isnan(value)


@SETTINGS
@given(x=matrices(min_side=0, max_side=8), w=matrices(), loss=st.sampled_from(["l2", "logistic", "poisson", ""]))
def test_losses(x, w, loss):
    survives(lambda: _core.loss_value_grad(x, w, loss))


@SETTINGS
@given(w=matrices(), required=st.none() | hnp.arrays(np.bool_, st.tuples(st.integers(0, 6), st.integers(0, 6))))
def test_graph_functions(w, required):
    survives(lambda: _core.expm(w))
    survives(lambda: _core.is_dag(w))
    survives(lambda: _core.topological_order(w))
    out = survives(lambda: _core.project_to_dag(w, required))
    if out is not None:
        assert _core.is_dag(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=matrices(min_side=1, max_side=5), data=st.data())
def test_learner_entry_points(x, data):
    d = x.shape[1]
    order = data.draw(st.lists(st.integers(-1, d + 1), min_size=0, max_size=d + 1))
    threshold = data.draw(st.sampled_from([0.0, 0.3, -1.0, np.nan]))
    survives(lambda: _core.notears_fit(x, max_iter=2, w_threshold=threshold))
    survives(lambda: _core.dagma_fit(x, t_stages=1, warm_iter=20, max_iter=20, w_threshold=threshold))
    survives(lambda: _core.topo_fit(x, order, max_iter=3, w_threshold=threshold))
    survives(lambda: _core.cosmo_fit(x, lambda1=1e-3, lambda2=1e-3, lambda_p=1e-3, shift=1e-2, t_start=0.4,
                                     t_end=1e-3, lr=1e-2, batch_size=data.draw(st.integers(0, 4)),
                                     max_iter=2, tol=0.1, w_threshold=threshold, seed=0))


@SETTINGS
@given(mask=hnp.arrays(np.bool_, st.tuples(st.integers(0, 5), st.integers(0, 5))),
       preferred=st.lists(st.integers(-1, 6), max_size=6))
def test_order_respecting(mask, preferred):
    order = survives(lambda: _core.order_respecting(mask, preferred))
    if order is not None:  # a permutation in which every edge of the mask goes forward
        assert sorted(order) == list(range(len(preferred)))
        position = {node: k for k, node in enumerate(order)}
        assert all(position[i] < position[j] for i, j in zip(*np.nonzero(mask)))
