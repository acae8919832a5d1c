"""Re-measure the bounds of the statistical tests (not a test module: pytest does not collect it).

Each statistical assertion in ``tests/`` compares a noisy quantity (SHD, TPR, a weight error, an
objective ratio, a sample moment) against a bound set at the worst value measured over at least
20 seeds plus a stated margin; the comment next to each bound gives the measured worst value and
the margin. This script prints those per-seed values again, e.g. after the simulators or a learner
changed::

    PYTHONPATH=python python tests/measure_bounds.py            # every experiment (minutes)
    PYTHONPATH=python python tests/measure_bounds.py dagma_er2   # one; --list names them
    PYTHONPATH=python python tests/measure_bounds.py dagma_er2 --seeds 40

Each experiment prints one line per seed and then the worst (and mean) of every quantity.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from acyclic import COSMO, DAGMA, DPDAG, NOTEARS, TOPO, PriorKnowledge  # noqa: E402
from acyclic.metrics import count_accuracy, varsortability  # noqa: E402
from acyclic.simulate import simulate_dag, simulate_linear_sem, simulate_nonlinear_sem, simulate_parameter  # noqa: E402

EXPERIMENTS = {}


def experiment(func):
    EXPERIMENTS[func.__name__] = func
    return func


def sem(seed, d, k, n, sem_type="gauss", w_ranges=((-2.0, -0.5), (0.5, 2.0)), edges=None):
    B = simulate_dag(d, k * d if edges is None else edges, "ER", random_state=seed)
    W = simulate_parameter(B, w_ranges=w_ranges, random_state=seed)
    return B, W, simulate_linear_sem(W, n, sem_type, random_state=seed)


def shd(B, model_or_W):
    W = getattr(model_or_W, "weights_", model_or_W)
    return count_accuracy(B, W)["shd"]


# ----------------------------------------------------------------------------- test_prior.py
PRIOR_LEARNERS = {
    "notears": lambda prior: NOTEARS(prior_knowledge=prior),
    "dagma": lambda prior: DAGMA(prior_knowledge=prior),
    "topo": lambda prior: TOPO(prior_knowledge=prior),
    "cosmo": lambda prior: COSMO(prior_knowledge=prior, random_state=0, max_iter=300),
    "dpdag": lambda prior: DPDAG(prior_knowledge=prior, random_state=0, max_iter=200, standardize=False),
}


def _prior_tpr(name):
    def run(seed):
        B, _, X = sem(seed, 10, 2, 500)
        true_edges = [tuple(map(int, e)) for e in np.argwhere(B != 0)][:3]
        base = PRIOR_LEARNERS[name](None).fit(X)
        guided = PRIOR_LEARNERS[name](PriorKnowledge(required=true_edges)).fit(X)
        present = all(guided.adjacency_[i, j] == 1 for i, j in true_edges)
        free, helped = count_accuracy(B, base.weights_)["tpr"], count_accuracy(B, guided.weights_)["tpr"]
        return {"required_present": present, "tpr_free": free, "tpr_helped": helped, "helped_minus_free": helped - free}

    return run


for _name in PRIOR_LEARNERS:
    EXPERIMENTS[f"prior_tpr_{_name}"] = _prior_tpr(_name)


# ----------------------------------------------------------------------------- test_dagma.py
@experiment
def dagma_er2(seed):
    B, _, X = sem(seed, 20, 2, 1000)
    model = DAGMA().fit(X)
    return {"shd": shd(B, model), "converged": model.converged_, "h": model.h_}


@experiment
def dagma_hybrid_vs_adam(seed):
    B, _, X = sem(seed, 20, 4, 1000)
    adam = DAGMA(solver="adam").fit(X)
    hybrid = DAGMA().fit(X)
    return {
        "same_graph": bool(np.array_equal(hybrid.adjacency_, adam.adjacency_)),
        "shd_hybrid_minus_adam": shd(B, hybrid) - shd(B, adam),
        "max_history_ratio": float(np.max(hybrid.history_ / adam.history_)),
        "evals_ratio": hybrid.n_evals_ / adam.n_evals_,
    }


@experiment
def dagma_hybrid_tol0(seed):
    _, _, X = sem(seed, 20, 4, 1000)
    polished = DAGMA(hybrid_tol=0.0, T=2, warm_iter=3000, max_iter=3000).fit(X)
    plain = DAGMA(solver="adam", T=2, warm_iter=3000, max_iter=3000).fit(X)
    return {
        "evals_polished_minus_plain": polished.n_evals_ - plain.n_evals_,
        "final_polished_minus_plain": polished.history_[-1] - plain.history_[-1],
    }


@experiment
def dagma_lbfgs_vs_adam(seed):
    B, _, X = sem(seed, 20, 2, 1000)
    adam = DAGMA(solver="adam").fit(X)
    lbfgs = DAGMA(solver="lbfgs").fit(X)
    return {
        "shd_lbfgs_minus_adam": shd(B, lbfgs) - shd(B, adam),
        "final_rel_diff": abs(lbfgs.history_[-1] - adam.history_[-1]) / abs(adam.history_[-1]),
        "evals_ratio": lbfgs.n_evals_ / adam.n_evals_,
    }


@experiment
def dagma_stages(seed):
    _, _, X = sem(seed, 8, 2, 500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = DAGMA(T=4, s=1.0, warm_iter=2000, max_iter=4000).fit(X)
    return {"max_stage_diff": float(np.max(np.diff(model.history_))), "n_iter": model.n_iter_}


@experiment
def dagma_logistic(seed):
    B, _, X = sem(seed, 5, 1, 2000, "logistic")
    model = DAGMA(loss_type="logistic", lambda1=0.01, solver="lbfgs").fit(X)
    return {"shd": shd(B, model)}


# ----------------------------------------------------------------------------- test_notears.py
@experiment
def notears_er2(seed):
    B, W, X = sem(seed, 10, 2, 1000)
    model = NOTEARS().fit(X)
    found = model.adjacency_.astype(bool) & (B != 0)
    return {
        "shd": shd(B, model),
        "converged": model.converged_,
        "h": model.h_,
        "min_history_step": float(np.min(np.diff(model.history_))) if len(model.history_) > 1 else 0.0,
        "median_weight_error": float(np.median(np.abs(model.weights_[found] - W[found]))),
        "tpr": count_accuracy(B, model.weights_)["tpr"],
    }


def _notears_glm(loss_type, w_ranges):
    def run(seed):
        B = simulate_dag(5, 5, "ER", random_state=seed)
        W = simulate_parameter(B, w_ranges=w_ranges, random_state=seed)
        X = simulate_linear_sem(W, 2000, loss_type, random_state=seed)
        model = NOTEARS(lambda1=0.01, loss_type=loss_type).fit(X)
        return {"shd": shd(B, model), "n_edges": int(B.sum())}

    return run


EXPERIMENTS["notears_logistic"] = _notears_glm("logistic", ((-2.0, -0.5), (0.5, 2.0)))
EXPERIMENTS["notears_poisson"] = _notears_glm("poisson", ((-1.0, -0.5),))


@experiment
def estimator_d5(seed):
    B = simulate_dag(5, 5, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    X = simulate_linear_sem(W, 500, random_state=seed)
    return {"shd": shd(B, NOTEARS().fit(X))}


def _penalty(kind):
    extra = {"spectral": {"rho_max": 1e6}}.get(kind, {})

    def run(seed):
        B, _, X = sem(seed, 10, 2, 1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return {"shd": shd(B, NOTEARS(penalty=kind, **extra).fit(X))}

    return run


for _kind in ("expm", "logdet", "poly", "spectral"):
    EXPERIMENTS[f"penalty_{_kind}"] = _penalty(_kind)


# ----------------------------------------------------------------------------- test_topo.py
def _topo(k):
    def run(seed):
        B, _, X = sem(seed, 20, k, 1000)
        model = TOPO().fit(X)
        return {"shd": shd(B, model), "converged": model.converged_,
                "max_history_step": float(np.max(np.diff(model.history_))) if len(model.history_) > 1 else -1.0}  # fmt: skip

    return run


EXPERIMENTS["topo_er2"] = _topo(2)
EXPERIMENTS["topo_er4"] = _topo(4)


# ----------------------------------------------------------------------------- test_cosmo.py
@experiment
def cosmo_er2(seed):
    B, _, X = sem(seed, 20, 2, 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = COSMO(random_state=seed).fit(X)
    acc = count_accuracy(B, model.weights_)
    return {"shd": acc["shd"], "tpr": acc["tpr"]}


def _cosmo_refit(d, k):
    def run(seed):
        B, _, X = sem(seed, d, k, 1000)
        out = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for refit in (True, False):
                out[f"shd_refit_{refit}"] = shd(B, COSMO(random_state=seed, refit=refit).fit(X).adjacency_)
        out["refit_minus_plain"] = out["shd_refit_True"] - out["shd_refit_False"]
        return out

    return run


EXPERIMENTS["cosmo_refit_er4_d30"] = _cosmo_refit(30, 4)
EXPERIMENTS["cosmo_refit_er2_d10"] = _cosmo_refit(10, 2)
EXPERIMENTS["cosmo_refit_er4_d12"] = _cosmo_refit(12, 4)
EXPERIMENTS["cosmo_refit_er4_d15"] = _cosmo_refit(15, 4)
EXPERIMENTS["cosmo_refit_er3_d15"] = _cosmo_refit(15, 3)
EXPERIMENTS["cosmo_refit_er2_d20"] = _cosmo_refit(20, 2)
EXPERIMENTS["cosmo_refit_er4_d20"] = _cosmo_refit(20, 4)


@experiment
def cosmo_lr(seed):
    B = simulate_dag(10, 20, "ER", random_state=seed)
    X = simulate_linear_sem(simulate_parameter(B, random_state=seed), 500, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = COSMO(random_state=0, lr=100.0).fit(X)
        fine = COSMO(random_state=0).fit(X)
    return {"bad_diverged": bad.diverged_, "bad_converged": bad.converged_,
            "fine_diverged": fine.diverged_, "fine_converged": fine.converged_}  # fmt: skip


# ----------------------------------------------------------------------------- test_dpdag.py
@experiment
def dpdag_linear(seed):
    B, _, X = sem(seed, 10, 2, 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        refit = shd(B, DPDAG(standardize=False, random_state=seed).fit(X).adjacency_)
        modal = shd(B, DPDAG(standardize=False, random_state=seed, refit=False).fit(X).adjacency_)
        std = shd(B, DPDAG(standardize=True, random_state=seed).fit(X).adjacency_)
    return {"refit": refit, "modal": modal, "standardized": std,
            "modal_minus_refit": modal - refit, "standardized_minus_refit": std - refit}  # fmt: skip


def _dpdag_mlp(d, edges, n, **params):
    def run(seed):
        B = simulate_dag(d, edges, "ER", random_state=seed)
        X = simulate_nonlinear_sem(B, n, "mlp", random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = shd(B, DPDAG(mechanism="mlp", standardize=False, random_state=seed, **params).fit(X).adjacency_)
            lin = shd(B, NOTEARS().fit(X).adjacency_)
        return {"mlp": ours, "notears": lin, "notears_minus_mlp": lin - ours}

    return run


EXPERIMENTS["dpdag_mlp_d10"] = _dpdag_mlp(10, 20, 1000)
EXPERIMENTS["dpdag_mlp_d6"] = _dpdag_mlp(6, 12, 500)


def _dpdag_mlp_fit(d, edges, n):
    def run(seed):
        B = simulate_dag(d, edges, "ER", random_state=seed)
        X = simulate_nonlinear_sem(B, n, "mlp", random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp = DPDAG(mechanism="mlp", standardize=False, random_state=seed).fit(X)
            lin = DPDAG(standardize=False, random_state=seed).fit(X)
            nt = NOTEARS().fit(X)
        mse = {
            name: float(np.mean((X - m.predict(X)) ** 2))
            for name, m in (("mlp", mlp), ("linear", lin), ("notears", nt))
        }
        return {
            "mlp_over_linear": mse["mlp"] / mse["linear"],
            "mlp_over_notears": mse["mlp"] / mse["notears"],
            "shd_mlp": shd(B, mlp.adjacency_),
            "shd_linear": shd(B, lin.adjacency_),
            "n_edges": int(B.sum()),
        }

    return run


EXPERIMENTS["dpdag_mlp_fit_d6"] = _dpdag_mlp_fit(6, 12, 500)
EXPERIMENTS["dpdag_mlp_fit_d10"] = _dpdag_mlp_fit(10, 20, 1000)


@experiment
def dpdag_refit_optimum(seed):
    B, _, X = sem(seed, 10, 2, 1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = DPDAG(standardize=False, random_state=seed).fit(X)
    A, W = model.adjacency_, model.weights_
    d = X.shape[1]
    Xc = X - X.mean(axis=0)
    lam = 0.01 * (d - 1)
    price = lam * np.log((1 - 0.01) / 0.01) / (d * (d - 1))

    def rv(j, parents):
        if not parents:
            return Xc[:, j] @ Xc[:, j] / len(X)
        beta = np.linalg.lstsq(Xc[:, parents], Xc[:, j], rcond=None)[0]
        r = Xc[:, j] - Xc[:, parents] @ beta
        return r @ r / len(X)

    ancestors = np.linalg.matrix_power(np.eye(d, dtype=int) + A, d) > 0
    np.fill_diagonal(ancestors, False)
    drop, add, lsq = np.inf, 0.0, 0.0
    for j in range(d):
        parents = [int(p) for p in np.flatnonzero(A[:, j])]
        if parents:
            beta = np.linalg.lstsq(Xc[:, parents], Xc[:, j], rcond=None)[0]
            lsq = max(lsq, float(np.max(np.abs(W[parents, j] - beta) / np.maximum(np.abs(beta), 1e-300))))
        for i in parents:
            rest = [p for p in parents if p != i]
            drop = min(drop, (rv(j, rest) - rv(j, parents)) / d / price)
        for i in np.flatnonzero(ancestors[:, j]):
            if i not in parents:
                add = max(add, (rv(j, parents) - rv(j, parents + [int(i)])) / d / price)
    return {"min_drop_over_price": drop, "max_add_over_price": add, "lstsq_rel": lsq}


@experiment
def convergence_advice(seed):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
    from _learners import CORE_LEARNERS, make
    from _learners import sem as rsem
    from test_6_convergence import SHORT_AND_ADVISED

    X = rsem(seed, d=8, k=3)
    out = {}
    for learner in CORE_LEARNERS:
        short, _, advised = SHORT_AND_ADVISED[learner]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[f"{learner}_short_not_converged"] = not make(learner, **short).fit(X).converged_
            out[f"{learner}_advised_converged"] = bool(make(learner, **advised).fit(X).converged_)
    return out


@experiment
def cosmo_without_refit(seed):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
    from _learners import make
    from _learners import sem as rsem

    out = {}
    X = rsem(seed, d=8, k=3)  # test_6's SHORT_AND_ADVISED
    for max_iter in (10, 20, 100):
        out[f"d8_converged_max_iter_{max_iter}"] = bool(make("cosmo", refit=False, max_iter=max_iter).fit(X).converged_)
    out["d8_converged_tol_1e-12"] = bool(make("cosmo", refit=False, max_iter=100, tol=1e-12).fit(X).converged_)
    X = rsem(seed, d=5, k=1, n=100)  # test_cosmo_without_refit_rarely_converges
    for max_iter in (20, 1000):
        out[f"d5_converged_max_iter_{max_iter}"] = bool(
            COSMO(max_iter=max_iter, random_state=0, refit=False).fit(X).converged_
        )
    return out


@experiment
def notears_history(seed):
    _, _, X = sem(seed, 10, 2, 1000)
    h = NOTEARS().fit(X).history_
    return {
        "min_rel_step": float(np.min(np.diff(h) / np.abs(h[1:]))),
        "min_step": float(np.min(np.diff(h))),
        "last": float(h[-1]),
    }


@experiment
def dpdag_marginals(seed):
    _, _, X = sem(0, 8, 2, 500)
    fitted = DPDAG(random_state=0, max_iter=300, patience=50, refit=False).fit(X)
    samples = fitted.sample_dags(20_000, random_state=seed)
    _, _, X6 = sem(1, 6, 2, 400)
    prior = PriorKnowledge(forbidden=[(0, 1), (2, 3)], required=[(5, 0), (4, 2)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = DPDAG(prior_knowledge=prior, random_state=0, max_iter=100).fit(X6)
    s6 = model.sample_dags(3000, random_state=seed)
    return {"exact_max_dev_20000": float(np.abs(samples.mean(axis=0) - fitted.edge_probabilities_).max()),
            "prior_max_dev_3000": float(np.abs(s6.mean(axis=0) - model.edge_probabilities_).max())}  # fmt: skip


# ----------------------------------------------------------------------------- test_baselines.py
@experiment
def baselines(seed):
    from acyclic.baselines import R2SortnRegress, RandomSortnRegress, VarSortnRegress

    B, _, X = sem(seed, 10, 2, 1000)
    var_raw = shd(B, VarSortnRegress(w_threshold=0.3).fit(X))
    var_std = shd(B, VarSortnRegress(w_threshold=0.3, standardize=True).fit(X))
    r2_raw = shd(B, R2SortnRegress().fit(X).adjacency_)
    r2_std = shd(B, R2SortnRegress(standardize=True).fit(X).adjacency_)
    rnd = shd(B, RandomSortnRegress(random_state=seed).fit(X).adjacency_)
    return {"var_raw": var_raw, "var_std": var_std, "r2_equal": r2_raw == r2_std, "random": rnd,
            "std_minus_raw": var_std - var_raw, "random_minus_raw": rnd - var_raw}  # fmt: skip


# ----------------------------------------------------------------------------- test_bench.py smoke
@experiment
def bench_smoke(seed):
    from acyclic.bench.data import Setting, make_data
    from acyclic.bench.methods import METHODS

    out = {}
    for d in (5, 10):
        B, _, X = make_data(Setting(graph="ER", k=1, d=d, n=200), seed)
        out[f"varsortability_d{d}"] = varsortability(X, B)
        for name in ("notears", "dagma", "topo", "varsortnregress"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = METHODS[name].build(seed, 1).fit(X)
            out[f"{name}_d{d}"] = shd(B, est)
    return out


# ----------------------------------------------------------------------------- test_sortability.py
@experiment
def interventional(seed):
    """test_interventions_fit: SHD observational → interventional on the same standardized rows."""
    from acyclic.baselines import R2SortnRegress, VarSortnRegress
    from acyclic.simulate import simulate_interventional_sem

    B = simulate_dag(8, 16, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed)
    X, mask, _ = simulate_interventional_sem(W, 500, [[j] for j in range(8)], 100, random_state=seed)
    X = (X - X.mean(0)) / X.std(0)
    row = {}
    for name, cls in (("notears", NOTEARS), ("dagma", DAGMA), ("topo", TOPO), ("r2", R2SortnRegress),
                      ("var", VarSortnRegress)):  # fmt: skip
        observational = count_accuracy(B, cls().fit(X).adjacency_)["shd"]
        shd = count_accuracy(B, cls().fit(X, intervention_mask=mask).adjacency_)["shd"]
        row[f"{name}_shd"] = shd
        row[f"{name}_gain"] = observational - shd
    return row


@experiment
def sortability(seed):
    B = simulate_dag(10, 20, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed + 1)
    X = simulate_linear_sem(W, 2000, "gauss", random_state=seed + 2)
    return {"varsortability": varsortability(X, B)}


# ----------------------------------------------------------------------------- test_simulate.py
@experiment
def simulate_moments(seed):
    B = simulate_dag(5, 6, "ER", random_state=seed)
    W = simulate_parameter(B, random_state=seed + 1)
    s = np.array([1.0, 0.5, 2.0, 1.0, 1.5])
    X = simulate_linear_sem(W, 200_000, "gauss", noise_scale=s, random_state=seed + 2)
    inv = np.linalg.inv(np.eye(5) - W)
    sigma = inv.T @ np.diag(s**2) @ inv
    S = np.cov(X, rowvar=False)
    # assert_allclose(S, sigma, rtol, atol=0.02 max|sigma|): the rtol it needs given that atol
    excess = np.maximum(np.abs(S - sigma) - 0.02 * np.abs(sigma).max(), 0)
    out = {"cov_rtol_needed": float(np.max(np.divide(excess, np.abs(sigma), out=np.where(excess > 0, np.inf, 0.0),
                                                     where=sigma != 0))),
           "mean_in_sd": float(np.abs(X.mean(axis=0)).max() / np.sqrt(np.diag(sigma)).max())}  # fmt: skip
    Z = np.zeros((3, 3))
    s3 = np.array([1.0, 2.0, 3.0])
    n = 100_000
    Xe = simulate_linear_sem(Z, n, "exp", noise_scale=s3, random_state=seed)
    Xg = simulate_linear_sem(Z, n, "gumbel", noise_scale=s3, random_state=seed + 1)
    Xn = simulate_linear_sem(Z, n, "gauss", noise_scale=s3, random_state=seed + 2)
    X2 = simulate_linear_sem(np.array([[0.0, 2.0], [0.0, 0.0]]), n, "exp", noise_scale=1.0, random_state=seed + 3)
    out.update(exp_mean_rel=float(np.abs(Xe.mean(axis=0) / s3 - 1).max()),
               gumbel_mean_rel=float(np.abs(Xg.mean(axis=0) / (np.euler_gamma * s3) - 1).max()),
               gauss_mean_abs=float(np.abs(Xn.mean(axis=0)).max()),
               gauss_sd_rel=float(np.abs(Xn.std(axis=0) / s3 - 1).max()),
               chain_mean_rel=float(np.abs(X2.mean(axis=0) / [1.0, 3.0] - 1).max()))  # fmt: skip
    Wl = np.array([[0.0, 1.0, -0.5], [0.0, 0.0, 0.5], [0.0, 0.0, 0.0]])
    Xl = simulate_linear_sem(Wl, 20_000, "logistic", random_state=seed)
    Wp = np.array([[0.0, 0.3, 0.0], [0.0, 0.0, 0.2], [0.0, 0.0, 0.0]])
    Xp = simulate_linear_sem(Wp, 20_000, "POISSON", random_state=seed)
    out.update(logistic_root=abs(Xl[:, 0].mean() - 0.5),
               logistic_child=abs(Xl[Xl[:, 0] == 1, 1].mean() - 1 / (1 + np.exp(-1.0))),
               poisson_root=abs(Xp[:, 0].mean() - 1.0),
               poisson_child_rel=abs(Xp[Xp[:, 0] == 2, 1].mean() / np.exp(0.6) - 1))  # fmt: skip
    W3 = np.array([[0.0, 1.5, 0.0], [0.0, 0.0, -0.7], [0.0, 0.0, 0.0]])
    Xu = simulate_linear_sem(W3, 5000, "uniform", noise_scale=[1.0, 2.0, 0.5], random_state=seed)
    E = Xu - Xu @ W3
    out["uniform_max_rel"] = float(np.abs(np.abs(E).max(axis=0) / [1.0, 2.0, 0.5] - 1).max())
    Xo = simulate_linear_sem(np.array([[0.0, 0.0], [1.0, 0.0]]), 50_000, "gauss", random_state=seed)
    out["order_var_rel"] = float(np.abs(np.var(Xo, axis=0) / [2.0, 1.0] - 1).max())
    Bn = np.zeros((4, 4), dtype=int)
    Bn[0, 2] = Bn[1, 2] = Bn[2, 3] = 1
    for kind in ("mlp", "mim", "gp-sines"):
        Xk = simulate_nonlinear_sem(Bn, 20_000, kind, noise_scale=0.5, random_state=seed)
        out[f"{kind}_root_sd_rel"] = float(np.abs(Xk[:, [0, 1]].std(axis=0) / 0.5 - 1).max())
        out[f"{kind}_child_var_over_noise"] = float(Xk[:, 2].var() / 0.25)
    return out


# ----------------------------------------------------------------------------- reliability
@experiment
def huge_and_tiny_scales(seed):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
    from _learners import LEARNERS, make
    from _learners import sem as rsem
    from acyclic.exceptions import NumericalError

    X = rsem(seed)
    out = {}
    for learner in LEARNERS:
        ok = 0
        for factor in (1e6, 1e-6):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    make(learner).fit(X * factor)
                    ok += 1
                except NumericalError:
                    pass
        out[learner] = ok
    return out


# ----------------------------------------------------------------------------- test_nonlinear.py
def nonlinear_data(seed):
    """ER, d = 6, 6 edges, n = 400, the additive index model (mim), as test_nonlinear.py."""
    B = simulate_dag(6, 6, "ER", random_state=seed)
    return B, simulate_nonlinear_sem(B, 400, "mim", random_state=seed)


NONLINEAR_LEARNERS = {
    "notears": lambda: NOTEARS(mechanism="mlp", standardize=True, random_state=0),
    "dagma": lambda: DAGMA(mechanism="mlp", solver="lbfgs", standardize=True, random_state=0),
    "cosmo": lambda: COSMO(mechanism="mlp", max_iter=300, standardize=True, random_state=0),
}


@experiment
def nonlinear_recovery(seed):
    B, X = nonlinear_data(seed)
    row = {"empty": int(B.sum())}
    for name, make in NONLINEAR_LEARNERS.items():
        start = time.perf_counter()
        row[name] = shd(B, make().fit(X))
        row[f"{name}_s"] = time.perf_counter() - start
    return row


def summarize(name, rows):
    keys = list(rows[0][1])
    print(f"== {name}: {len(rows)} seeds")
    for key in keys:
        values = [r[key] for _, r in rows]
        if isinstance(values[0], (bool, np.bool_)):
            bad = [seed for seed, r in rows if not r[key]]
            print(
                f"   {key}: true on {len(values) - len(bad)}/{len(values)}" + (f" (false: seeds {bad})" if bad else "")
            )
        else:
            v = np.asarray(values, dtype=float)
            print(f"   {key}: min {v.min():.6g} (seed {rows[int(v.argmin())][0]}), max {v.max():.6g} "
                  f"(seed {rows[int(v.argmax())][0]}), mean {v.mean():.6g}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        print("\n".join(EXPERIMENTS))
        return
    for name in args.names or list(EXPERIMENTS):
        rows = []
        start = time.perf_counter()
        for seed in range(args.seeds):
            row = EXPERIMENTS[name](seed)
            rows.append((seed, row))
            print(f"{name} seed {seed}: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                                     for k, v in row.items()), flush=True)  # fmt: skip
        summarize(name, rows)
        print(f"   ({time.perf_counter() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main()
