"""DP-DAG: samples are DAGs, marginals match samples, recovery on linear and nonlinear SEMs, and
the final refit (least squares at a local optimum of the edge prices, checked with numpy).

The gradients (SoftSort and edge straight-through, the MLP backward pass, the Bernoulli KL) are
checked against finite differences on the relaxed forward pass in the Rust core's tests
(`cargo test -p acyclic-core dpdag`). Early stopping and ``converged_``, and reproducibility: tests/reliability/
(test_6_convergence.py, test_5_reproducibility.py), with the checks every learner must pass.
"""

import numpy as np
import pytest
from acyclic import DPDAG, NOTEARS, PriorKnowledge
from acyclic.exceptions import InvalidInputError
from acyclic.graph import is_dag
from acyclic.metrics import count_accuracy
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_nonlinear_sem, simulate_parameter

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def linear_data(seed, d=10, k=2, n=1000):
    B = simulate_dag(d, k * d, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    return B, simulate_linear_sem(W, n, "gauss", random_state=seed)


@pytest.fixture(scope="module")
def fitted():
    _, X = linear_data(0, d=8, n=500)
    # without the refit: adjacency_ is then the modal DAG of q
    return DPDAG(random_state=0, max_iter=300, patience=50, refit=False).fit(X)


def test_every_sample_is_a_dag_and_sample_means_match_the_marginals(fitted):
    samples = fitted.sample_dags(20_000, random_state=1)
    assert samples.shape == (20_000, 8, 8) and samples.dtype == np.uint8
    assert set(np.unique(samples)) <= {0, 1}
    assert all(is_dag(s) for s in samples[:1000])
    assert fitted.edge_probabilities_exact_
    # Monte Carlo: the largest deviation over sampling seeds 0-19 is 0.0125 (tests/measure_bounds.py
    # dpdag_marginals); bound 0.02
    np.testing.assert_allclose(samples.mean(axis=0), fitted.edge_probabilities_, atol=0.02)
    # the closed form σ(Φ_ij) σ(θ_i − θ_j)
    theta, phi = fitted.order_scores_, fitted.edge_logits_
    expected = 1 / (1 + np.exp(-phi)) / (1 + np.exp(-(theta[:, None] - theta[None, :])))
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(fitted.edge_probabilities_, expected, rtol=1e-12, atol=1e-15)
    # seeded
    np.testing.assert_array_equal(fitted.sample_dags(5, random_state=3), fitted.sample_dags(5, random_state=3))


def test_modal_dag_follows_the_scores_and_the_threshold(fitted):
    A = fitted.adjacency_
    order = np.argsort(-fitted.order_scores_, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    probability = 1 / (1 + np.exp(-fitted.edge_logits_))
    expected = (probability > fitted.edge_threshold) & (rank[:, None] < rank[None, :])
    np.testing.assert_array_equal(A, expected.astype(int))
    assert is_dag(A)
    assert np.all(fitted.weights_[A == 0] == 0)
    assert fitted.validation_history_.shape == fitted.history_.shape == (fitted.n_iter_,)
    assert 0 <= fitted.best_epoch_ < fitted.n_iter_


def test_linear_mechanism_recovers_er2_on_raw_data_with_the_refit():
    # Over seeds 0-19 (tests/measure_bounds.py dpdag_linear): SHD with the refit at worst 11 (seed
    # 10), mean 2.2; the modal DAG of q alone (a local optimum of the order) minus the refit at
    # least 0 on every seed, mean 5.4; standardized data minus raw at least 8, mean 18.5. This
    # test runs seeds 0-2 against per-seed bounds with margins of 3, 2 and 3.
    for seed in range(3):
        B, X = linear_data(seed)
        model = DPDAG(standardize=False, random_state=seed).fit(X)
        assert is_dag(model.adjacency_) and model.n_refit_orders_ > 1 and model.refit_time_ > 0
        refitted = count_accuracy(B, model.adjacency_)["shd"]
        alone = DPDAG(standardize=False, random_state=seed, refit=False).fit(X)
        assert is_dag(alone.adjacency_) and alone.n_refit_orders_ == 0
        modal = count_accuracy(B, alone.adjacency_)["shd"]
        standardized = count_accuracy(B, DPDAG(standardize=True, random_state=seed).fit(X).adjacency_)["shd"]
        assert refitted <= 14 and modal >= refitted - 2 and standardized >= refitted + 5, (seed, refitted, modal,
                                                                                          standardized)  # fmt: skip


def test_standardize_defaults_to_false_like_every_learner():
    import acyclic
    from acyclic import baselines

    learners = [getattr(acyclic, name) for name in ("NOTEARS", "DAGMA", "TOPO", "COSMO", "DPDAG")]
    learners += [baselines.SortnRegress, baselines.VarSortnRegress, baselines.R2SortnRegress]
    learners += [baselines.RandomSortnRegress]
    assert {cls().get_params()["standardize"] for cls in learners} == {False}
    # the default fits the raw data: centred, not scaled
    _, X = linear_data(0, d=5, n=200)
    model = DPDAG(max_iter=5, random_state=0).fit(X)
    np.testing.assert_array_equal(model.scale_, np.ones(5))
    assert not np.allclose(X.std(axis=0), 1.0)
    np.testing.assert_array_equal(model.weights_, DPDAG(max_iter=5, random_state=0, standardize=False).fit(X).weights_)


# The conditions below hold on each of seeds 0-19 (tests/measure_bounds.py dpdag_refit_optimum): a
# dropped parent costs at least 1.05 prices, an added ancestor gains at most 0.945 of one, and the
# weights match least squares to 2.3e-13 relative.
@pytest.mark.parametrize("seed", [1, 4])
def test_refit_is_least_squares_at_a_local_optimum_of_the_edge_prices(seed):
    B, X = linear_data(seed)
    model = DPDAG(standardize=False, random_state=seed).fit(X)
    A, W = model.adjacency_, model.weights_
    np.testing.assert_array_equal(model.raw_weights_, W)
    d = X.shape[1]
    Xc = X - X.mean(axis=0)
    lam = 0.01 * (d - 1)
    price = lam * np.log((1 - 0.01) / 0.01) / (d * (d - 1))

    def residual_variance(j, parents):
        if not parents:
            return Xc[:, j] @ Xc[:, j] / len(X)
        beta = np.linalg.lstsq(Xc[:, parents], Xc[:, j], rcond=None)[0]
        r = Xc[:, j] - Xc[:, parents] @ beta
        return r @ r / len(X)

    ancestors = np.linalg.matrix_power(np.eye(d, dtype=int) + A, d) > 0
    np.fill_diagonal(ancestors, False)
    for j in range(d):
        parents = [int(p) for p in np.flatnonzero(A[:, j])]
        # the weights solve the normal equations on the chosen parents
        if parents:
            beta = np.linalg.lstsq(Xc[:, parents], Xc[:, j], rcond=None)[0]
            np.testing.assert_allclose(W[parents, j], beta, rtol=1e-7, atol=1e-9)
        # dropping any parent raises node j's share of the mean squared error by more than the
        # price; adding any ancestor (it precedes j in every order A allows, the refit's
        # included) lowers it by less (seed 1: a parent dropped early was not offered again)
        for i in parents:
            rest = [p for p in parents if p != i]
            assert (residual_variance(j, rest) - residual_variance(j, parents)) / d >= price * (1 - 1e-9)
        for i in np.flatnonzero(ancestors[:, j]):
            if i not in parents:
                gain = residual_variance(j, parents) - residual_variance(j, parents + [i])
                assert gain / d <= price * (1 + 1e-9), (j, i, gain / d / price)
    # predict applies the refitted weights and intercepts to the raw rows
    prediction = model.predict(X)
    np.testing.assert_allclose(prediction, X.mean(axis=0) + Xc @ W, rtol=1e-9, atol=1e-9)
    # the refit runs on the current rayon pool: threads do not change it
    again = DPDAG(standardize=False, random_state=seed, n_jobs=2).fit(X)
    np.testing.assert_array_equal(again.weights_, W)
    # no orders drawn: the modal order's edges only
    modal_only = DPDAG(standardize=False, random_state=seed, refit_orders=0).fit(X)
    assert modal_only.n_refit_orders_ == 1
    theta = modal_only.order_scores_
    assert all(theta[i] > theta[j] for i, j in zip(*np.nonzero(modal_only.adjacency_)))


def test_mlp_mechanisms_fit_a_nonlinear_sem_better_than_linear_notears():
    # ER2, d = 10, n = 1000, MLP SEM. Its graphs are not better than linear NOTEARS's: over seeds
    # 0-19 the mean SHDs are 12.2 and 12.35, single seeds go either way (-7 to +5)
    # (tests/measure_bounds.py dpdag_mlp_d10). What holds on every seed is the fit: the mean
    # squared residual of predict() (each node from its learned parents) is at most 0.79 times
    # NOTEARS's (seed 19; mean 0.53) and 0.85 times DP-DAG's own linear mechanism's
    # (dpdag_mlp_fit_d10). This test runs seed 0 (a fit takes seconds) with the bound 0.9 (margin 0.11).
    B = simulate_dag(10, 20, "ER", random_state=0)
    X = simulate_nonlinear_sem(B, 1000, "mlp", random_state=0)
    model = DPDAG(mechanism="mlp", standardize=False, random_state=0).fit(X)
    assert is_dag(model.adjacency_)
    ours = np.mean((X - model.predict(X)) ** 2)
    linear = np.mean((X - NOTEARS().fit(X).predict(X)) ** 2)
    assert ours <= 0.9 * linear, ours / linear


def test_predict_uses_the_mechanisms_on_the_modal_dag(fitted):
    _, X = linear_data(0, d=8, n=500)
    prediction = fitted.predict(X)
    assert prediction.shape == X.shape
    # linear mechanism: standardized prediction = Xs W + b, so the residual of Xs W is constant
    standardized = (X - fitted.mean_) / fitted.scale_
    offset = (prediction - fitted.mean_) / fitted.scale_ - standardized @ fitted.weights_
    np.testing.assert_allclose(offset, np.broadcast_to(offset[0], offset.shape), atol=1e-9)
    # a node without parents is predicted by a constant
    roots = np.flatnonzero(fitted.adjacency_.sum(axis=0) == 0)
    assert roots.size and np.allclose(prediction[:, roots], prediction[0, roots])


def test_mlp_weights_are_first_layer_norms_and_threads_do_not_change_results():
    B = simulate_dag(6, 6, "ER", random_state=2)
    X = simulate_nonlinear_sem(B, 300, "mim", random_state=2)
    one = DPDAG(mechanism="mlp", hidden=(8, 4), max_iter=40, random_state=3, n_jobs=1).fit(X)
    two = DPDAG(mechanism="mlp", hidden=(8, 4), max_iter=40, random_state=3, n_jobs=2).fit(X)
    np.testing.assert_array_equal(one.raw_weights_, two.raw_weights_)
    np.testing.assert_array_equal(one.predict(X), two.predict(X))
    assert np.all(one.raw_weights_ >= 0) and np.all(np.diag(one.raw_weights_) == 0)
    assert np.all((one.weights_ > 0) == (one.adjacency_ == 1))
    other = DPDAG(mechanism="mlp", hidden=(8, 4), max_iter=40, random_state=4).fit(X)
    assert not np.array_equal(one.raw_weights_, other.raw_weights_)


def test_prior_knowledge_holds_in_the_modal_dag_samples_and_marginals():
    _, X = linear_data(1, d=6, n=400)
    prior = PriorKnowledge(forbidden=[(0, 1), (2, 3)], required=[(5, 0), (4, 2)])
    model = DPDAG(prior_knowledge=prior, random_state=0, max_iter=100).fit(X)
    A, P = model.adjacency_, model.edge_probabilities_
    assert A[0, 1] == A[2, 3] == 0 and A[5, 0] == A[4, 2] == 1
    assert P[0, 1] == P[2, 3] == 0.0 and P[5, 0] == P[4, 2] == 1.0
    assert not model.edge_probabilities_exact_
    samples = model.sample_dags(3000, random_state=0)
    assert np.all(samples[:, 0, 1] == 0) and np.all(samples[:, 5, 0] == 1) and np.all(samples[:, 4, 2] == 1)
    np.testing.assert_allclose(samples.mean(axis=0), P, atol=0.04)  # worst over sampling seeds 0-19: 0.024
    with pytest.raises(InvalidInputError, match="cycle"):
        DPDAG(prior_knowledge=PriorKnowledge(required=[(0, 1), (1, 0)])).fit(X)


@pytest.mark.parametrize(
    "params",
    [
        {"mechanism": "gp"},
        {"mechanism": "mlp", "hidden": ()},
        {"mechanism": "mlp", "hidden": (16, 0)},
        {"mechanism": "mlp", "hidden": "16"},
        {"prior": 0.0},
        {"prior": 1.0},
        {"edge_threshold": 1.5},
        {"tau": 0.0},
        {"lr_graph": -1.0},
        {"lr_mech": "fast"},
        {"lambda_kl": np.nan},
        {"lambda_kl": "big"},
        {"validation_fraction": 0.8},
        {"patience": 0},
        {"tol": 1.0},
        {"batch_size": 2.5},
        {"refit": "yes"},
        {"refit": 1},
        {"mechanism": "mlp", "refit": True},
        {"refit_orders": -1},
        {"refit_orders": 1.5},
        {"patience": "long"},
    ],
)
def test_bad_parameters_are_named(params):
    _, X = linear_data(0, d=4, k=1, n=100)
    name = "hidden" if "hidden" in params else next(iter(params))
    with pytest.raises(InvalidInputError, match=name):
        DPDAG(**params).fit(X)


def test_bad_sample_requests_and_unfitted_use_are_errors(fitted):
    from sklearn.exceptions import NotFittedError

    for bad in (0, -3, 2.0, True):
        with pytest.raises(InvalidInputError, match="n_samples"):
            fitted.sample_dags(bad)
    with pytest.raises(NotFittedError):
        DPDAG().sample_dags(3)


def test_found_by_a_fresh_user():
    from acyclic.exceptions import NumericalError

    _, X = linear_data(0, d=6, n=300)
    model = DPDAG(max_iter=20, random_state=0).fit(X)
    # sample_dags refuses more than 1 GiB (and integers that overflow n·d²) before allocating
    for n in (10**9, 2**58 + 1, 2**64, np.uint64(2**64 - 1)):
        with pytest.raises(InvalidInputError, match="draw them in batches"):
            model.sample_dags(n)
    # a scale at which Adam's squared gradient overflows is an error, not a silent no-op fit
    with pytest.raises(NumericalError, match="left the float64 range"):
        DPDAG(standardize=False, random_state=0, max_iter=50).fit(X * 1e80)
    with pytest.raises(NumericalError, match="lambda_kl"):
        DPDAG(random_state=0, max_iter=50, lambda_kl=1e300).fit(X)
    # prior knowledge without required edges keeps the marginals exact
    forbid = DPDAG(max_iter=20, random_state=0, prior_knowledge=PriorKnowledge(forbidden=[(1, 2)])).fit(X)
    assert forbid.edge_probabilities_exact_ and forbid.edge_probabilities_[1, 2] == 0.0
    assert DPDAG(max_iter=20, random_state=0, prior_knowledge=PriorKnowledge()).fit(X).edge_probabilities_exact_
    # random_state: named errors, and a numpy Generator is accepted
    for bad in (-1, "a", 2**40):
        with pytest.raises(InvalidInputError, match="random_state"):
            DPDAG(max_iter=5, random_state=bad).fit(X)
    assert is_dag(DPDAG(max_iter=5, random_state=np.random.default_rng(0)).fit(X).adjacency_)


def test_found_by_a_review_of_the_refit():
    _, X = linear_data(0, d=6, n=300)
    # a non-positive edge price is legal but gives a complete DAG: say so
    with pytest.warns(UserWarning, match="make an edge free"):
        free = DPDAG(lambda_kl=0, random_state=0, max_iter=50).fit(X)
    assert free.adjacency_.sum() == 6 * 5 // 2 and is_dag(free.adjacency_)
    with pytest.warns(UserWarning, match="make an edge free"):
        DPDAG(prior=0.6, random_state=0, max_iter=5).fit(X)
    # the parameters that take "auto" say so when they are wrong
    for params in ({"patience": "long"}, {"refit": "yes"}):
        with pytest.raises(InvalidInputError, match='or "auto"'):
            DPDAG(**params).fit(X)
    # at extreme scales the warning names DP-DAG's own scale-dependent parameter
    with pytest.warns(UserWarning, match="lambda_kl"):
        DPDAG(standardize=False, random_state=0, max_iter=5).fit(X * 1e8)
