"""Reliability: numerical range.

Huge weights or huge data scales never produce NaN. Where the true penalty exceeds the float
range (exp of W∘W with entries of 80), the kernel returns +inf to the line search (and the losses
likewise); the log-det penalty outside its domain raises ``OutsideDomainError`` (a
``NumericalError``) instead of returning a number, and the solvers that use it (NOTEARS with
``penalty="logdet"``, DAGMA) stay inside the domain. Every learner, on data scaled by 1e±6, returns
a finite DAG or raises ``NumericalError``; column scales 1e-3…1e3 give a warning that suggests
``standardize=True``; scales beyond float64 arithmetic are named.
"""

import warnings

import acyclic
import numpy as np
import pytest
import scipy.linalg
from _learners import LEARNERS, check_output, make, sem, small_data
from _numeric import cyclic_weights, logistic_reference, spectral_radius
from acyclic import _core
from acyclic.exceptions import InvalidInputError, NumericalError, OutsideDomainError
from acyclic.penalties import h

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

DIMS = [2, 5, 30]


# ----------------------------------------------------------------------------- every learner
@pytest.mark.parametrize("learner", LEARNERS)
def test_huge_and_tiny_scales_give_finite_results(learner):
    # A NumericalError is an acceptable answer, but not the only one: on seeds 0-19 of sem(seed)
    # every learner fits both scales (tests/measure_bounds.py huge_and_tiny_scales), so at least
    # one of the two must fit here (a margin of one), or the test would pass with every fit refused.
    X = sem(1)
    fitted = 0
    for factor in (1e6, 1e-6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = make(learner).fit(X * factor)
            except NumericalError:
                continue
        check_output(model, X.shape[1])
        fitted += 1
    assert fitted >= 1


@pytest.mark.parametrize("learner", LEARNERS)
def test_disparate_column_scales_warn(learner):
    X = sem(2) * np.array([1e-3, 1, 1, 1, 1, 1e3])
    with pytest.warns(UserWarning, match="standardize=True"):
        make(learner, max_iter=1).fit(X)


# ----------------------------------------------------------------------------- scales of the data
@pytest.mark.parametrize("scale", [1e160, 1e-170])
def test_columns_beyond_float64_arithmetic_are_named(scale):
    X = small_data()
    X[:, 2] *= scale
    with pytest.raises(InvalidInputError, match="'2'|2"):
        acyclic.NOTEARS(standardize=True, max_iter=2).fit(X)


def test_extreme_uniform_scale_warns():
    X = small_data()
    with pytest.warns(UserWarning, match="lose their meaning"):
        acyclic.NOTEARS(max_iter=3).fit(X * 1e100)


# ----------------------------------------------------------------------------- overflow in the kernels
@pytest.mark.parametrize("d", [2, 5])
def test_penalty_overflow_is_infinite_not_nan(d):
    W = np.zeros((d, d))
    W[0, 1] = 80.0
    W[1, 0] = 80.0  # (W∘W) has a 2-cycle of weight 6400: exp overflows
    h, G = _core.penalty_value_grad(W)
    assert h == np.inf
    assert not np.isnan(G).any()
    # but large weights on a DAG are fine (nilpotent W∘W)
    W[1, 0] = 0.0
    h, G = _core.penalty_value_grad(W)
    assert h == 0.0 and np.all(np.isfinite(G))


def test_poisson_loss_overflow_is_infinite_not_nan():
    X = np.array([[5.0, 1.0], [3.0, 2.0], [4.0, 0.0]])
    W = np.array([[0.0, 500.0], [0.0, 0.0]])
    value, G = _core.loss_value_grad(X, W, "poisson")
    assert value == np.inf
    assert not np.isnan(G).any()


def test_logistic_loss_is_stable_for_large_logits():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[0.0, -800.0], [0.0, 0.0]])
    value, G = _core.loss_value_grad(X, W, "logistic")
    v_ref, G_ref = logistic_reference(X, W)
    assert np.isfinite(value) and value == pytest.approx(v_ref, rel=1e-12)
    np.testing.assert_allclose(G, G_ref, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- the log-det domain
def test_logdet_outside_the_domain_raises():
    # a 2-cycle with ρ(W∘W) = 1.5 > s: the determinant is negative
    W = np.array([[0.0, 1.5], [1.0, 0.0]])
    with pytest.raises(OutsideDomainError, match="outside the domain"):
        h(W, "logdet")
    assert h(W, "logdet", s=2.0)[0] == pytest.approx(-np.log(1.0 - (1.5 / 2.0) ** 2), rel=1e-13)
    # on the boundary, ρ = s: singular (its second leading principal minor is 0)
    with pytest.raises(OutsideDomainError, match="leading principal minors"):
        h(np.array([[0.0, 1.0], [1.0, 0.0]]), "logdet")
    # two disjoint such cycles: det(I − W∘W) = (1 − 1.5²)² > 0, but a leading minor is negative
    W2 = scipy.linalg.block_diag(W, W)
    assert np.linalg.slogdet(np.eye(4) - W2 * W2)[0] > 0
    with pytest.raises(OutsideDomainError, match="leading principal minors"):
        h(W2, "logdet")
    # a larger cyclic graph just outside, and an OutsideDomainError is a NumericalError
    for d in DIMS:
        with pytest.raises(NumericalError):
            h(cyclic_weights(d, 50 + d, rho=1.01), "logdet")
        assert h(cyclic_weights(d, 50 + d, rho=0.99), "logdet")[0] > 0
    assert issubclass(OutsideDomainError, NumericalError)


def test_notears_logdet_stays_inside_a_small_domain():
    """With s = 0.05 the first trial steps leave the log-det domain; the line search must
    backtrack (the objective is +inf there) rather than abort the fit."""
    X = sem(3, d=10, n=1000)
    model = acyclic.NOTEARS(penalty="logdet", s=0.05, max_iter=5).fit(X)
    A = model.raw_weights_**2
    assert spectral_radius(A) < 0.05
    assert np.isfinite(model.h_)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("s", [0.01, 0.05])
def test_dagma_stays_inside_the_domain_when_s_is_far_below_the_weights(solver, s):
    """Raw data with weights up to 2 (entries of W∘W up to 4) against s = 0.01 or 0.05: trial
    steps leave the M-matrix domain; the solver backtracks (or raises a stage's s, recorded in
    ``s_used_``), and the result is finite."""
    X = sem(3, d=10, n=1000)
    model = acyclic.DAGMA(s=s, T=2, warm_iter=2000, max_iter=2000, solver=solver).fit(X)
    check_output(model, 10)
    assert np.all(model.s_used_ >= s) and np.isfinite(model.h_) and model.h_ >= 0
    assert model.adjacency_.sum() > 0
