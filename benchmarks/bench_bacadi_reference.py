"""Per-SVGD-step time of the reference JAX BaCaDI (haeggee/bacadi, AISTATS 2023), and of PyPI
``dibs-lib``'s JointDiBS, on the paper's linear-Gaussian setting.

    /work/venv-bench-bacadi/bin/python benchmarks/bench_bacadi_reference.py \\
        --impl bacadi --d 20 --steps 200 --warmup 20 --seed 1 --particles 20

What it measures: wall seconds per SVGD step of the reference's own step function (jitted once),
after ``--warmup`` steps that are timed separately (the first of them includes JIT compilation;
``jit_s`` = first step minus the median steady step), CPU seconds of the process over the timed
steps (``time.process_time``, all threads) and their ratio to wall time (> 1 means XLA ran on more
than one core). Every step is synchronised (``block_until_ready``) so per-step percentiles are
exact; at ~1 s a step that costs nothing measurable. One JSON line is printed at the end.

Setting (the paper's LinG runs, ``results/lingauss3007_20nodes_v2/.../6720261755586691985``, the
ER-2 BaCaDI (LinG) entry of the reference's ``config.py``; every value below is from those result
files' ``params``): data from the reference's ``bacadi.eval.target.make_linear_gaussian_model``
(ER, 2 edges per node in expectation, random noise scales, ``random_all`` interventions = one
observational environment of 100 rows + d single-node environments of 10 rows each, intervention
values sign(u)*5+u with u~N(0,4), noise 0.5); model = ``BaCaDIJoint`` (unknown targets,
``fit(x_interv_data, envs)``), lingauss likelihood (obs_noise 0.1, sig_edge 1, init_sig_edge 0.3,
interv prior N(0, 10^2)), 20 particles, 128 MC samples for the likelihood gradients, 32 for the
acyclicity/regulariser gradients, alpha_linear 0.01, beta_linear 2.0 (the published runs; the
parser default is 1.0), tau 1, lambda_regul 1, kernel bandwidths h_latent 0.5518, h_theta 452.0,
h_interv 3.276 (tuned values of that run), RMSprop step 0.005, float64 (the reference's
``eval/run_experiment.py`` sets ``JAX_ENABLE_X64``; ``--no-x64`` for float32). The published
``duration`` of those runs (3000 steps plus the final evaluation, their cluster) was 2418-5725 s,
median 3787 s.

``--impl dibs``: ``dibs.inference.JointDiBS`` (PyPI ``dibs-lib``, Lorch et al.'s maintained
DiBS) on the same rows with the true intervention targets as a KNOWN mask (DiBS cannot infer
targets), same particles, MC sample counts, alpha/beta, h_latent/h_theta, RMSprop 0.005, its own
``LinearGaussian`` (obs_noise 0.1) and ER-2 prior. Its loop is a ``lax.fori_loop`` compiled per
chunk, so it is timed per chunk of ``--dibs-chunk`` steps through its callback. At d <= 5 its ER
prior has edge probability p = 1 (2 edges per node), log(1 - p) = -inf, and its particles become
NaN (the reference BaCaDI clips p to (d-1)/d); use d >= 6.

Side by side (``--impl both``): acyclic's ``BaCaDI`` (defaults = the published configuration;
``--acyclic-src`` points at a built source tree's ``python/``, else the installed package) on the
same rows, then the reference, in one process; its JSON line has both per-step times and the
ratio. acyclic's per-step time is that of steps ``warmup``..``warmup + steps − 1``: the
difference of a fit of ``warmup + steps`` steps and one of ``warmup`` steps.

    /work/venv-bench-bacadi/bin/python benchmarks/bench_bacadi_reference.py --impl both \
        --d 20 --warmup 20 --steps 300 --seed 1 --acyclic-src python

Full mode (``--full OUT.npz``, bacadi only): one complete run with the published configuration
instead of timing. ``--steps`` (default 3000 here) is the number of SVGD steps of
``BaCaDIJoint.fit`` (the reference's own loop, t = 0..steps-1; no warmup split). A progress line
goes to stderr after the first step and every ``--progress-every`` steps. After the fit the
reference's own evaluation runs: ``eval/result.py::get_metrics`` on ``particle_empirical()`` and
``particle_mixture()`` exactly as ``eval/eval.py`` calls it, with ``final=False`` (identical to the
published ``final=True`` except that E-SID, which needs R via ``cdt``, is not computed; ``cdt`` and
``causaldag`` are replaced by stand-ins that raise if used, only if they are not installed). The
keys are ``{mixture,empirical}_{eshd,auroc,auprc,avgprec,intv_auroc,intv_auprc,intv_avgprec,
negll,negll_interv}`` (auprc = trapezoid ``auc(recall, precision)``, the paper's AUPRC; cyclic
particles are dropped for the edge metrics, with the reference's fallbacks if none is acyclic).
The JSON line on stdout also has n_cyclic_particles, mixture_max_weight / mixture_ess, fit_s and
wall_s. OUT.npz is written twice, atomically: data only (``complete`` = False) before the fit,
then everything (``complete`` = True). Its arrays:

- ``X`` [n, d] float64: ``target.x_interv_data``, exactly what is fitted; ``env`` [n] int64:
  ``target.envs``, 0 = observational (100 rows), e = 1..E-1 interventional (10 rows each).
- ``B`` [d, d] int8: true DAG ``target.g``, ``B[i, j] = 1`` <=> edge i -> j (igraph adjacency;
  the generator and the likelihood compute x_j from ``X @ (B * theta)[:, j]``).
  ``W_true`` = B * theta (``W_true[i, j]`` = weight of i -> j); ``theta_true_full`` the full draw.
- ``targets_true`` [E-1, d] int8: ``target.interv_targets[1:]``; row e-1 is environment e (in
  ``random_all`` env e intervenes node e-1, so it is the identity). ``interv_means_true`` [E-1, d]
  (generating value where targeted, 0 elsewhere); ``interv_noise_var_true`` = 0.5.
- ``noise_var_true`` [d]: per-node observation noise variances of the generator.
- held-out / unused data of the Target: ``X_obs_unused`` (``target.x``), ``X_ho``,
  ``X_ho_interv``, ``env_ho``, ``targets_ho`` (the negll inputs).
- particles (M = --particles): ``G_particles`` [M, d, d] int8 (1[u_i.v_j > 0], zero diagonal, same
  orientation as B), ``I_particles`` [M, E-1, d] int8 (1[gamma > 0], rows as targets_true),
  ``is_dag``/``h_particles`` [M], ``mixture_logw``/``empirical_logw`` [M] (normalised log weights),
  ``edge_probs_*`` [d, d] and ``target_probs_*`` [E-1, d] (the reference's expected_graph /
  expected_interv: all particles, cyclic ones included), raw ``Z`` [M, d, d, 2], ``Theta``
  [M, d, d], ``mu`` [M, E-1, d], ``Gamma`` [M, E-1, d]; ``metrics_json`` (the metrics above);
  ``d, seed, model_seed, steps, particles``.

The reference source is NOT copied into this repository: it is imported from a checkout
(``--bacadi-src``, default ``$ACYCLIC_BACADI_SRC`` or /work/scratch/ref-bacadi) that has been
ported to current JAX (renamed/removed JAX APIs only, no algorithmic change; every change is
listed with file:line in that folder's PORTING.md, and summarised below). This script
imports ``acyclic`` only with ``--impl both``.

The benchmark venv (CPython 3.11; the reference pins jax 0.2.13, which has no 3.11 wheel):

    python3.11 -m venv /work/venv-bench-bacadi
    /work/venv-bench-bacadi/bin/pip install --upgrade pip
    /work/venv-bench-bacadi/bin/pip install "jax[cpu]" numpy scipy python-igraph networkx \\
        scikit-learn pandas tqdm
    /work/venv-bench-bacadi/bin/pip install --no-deps dibs-lib==1.3.3   # its deps pull jupyter
    /work/venv-bench-bacadi/bin/pip install matplotlib imageio           # what dibs imports
    # resolved 2026-12: jax/jaxlib 0.10.2, numpy 2.4.6, scipy 1.17.1, python-igraph 1.0.0
    # reference source: git archive of github haeggee/bacadi (b2c27d5f) -> /work/scratch/ref-bacadi,
    # then the import ports of its PORTING.md, which are (in the copy's bacadi/ only):
    #   jax.experimental.optimizers / stax  -> jax.example_libraries.optimizers / stax
    #   tree_multimap                       -> imported as an alias of jax.tree_util.tree_map
    #   jax._src.scipy.special.logsumexp    -> jax.scipy.special.logsumexp
    #   jax.ops.index_update / index_mul    -> x.at[...].set / .multiply
    #   jax.interpreters.masking.ShapeError -> import removed (unused)
    #   eval/target.py: `for k in interv_targets` -> `for k in onp.asarray(interv_targets)`
    #   (jax arrays are no longer hashable dict keys; 0.2.13 yielded numpy scalars there)
    # This script and the acyclic side are also in "--impl both" (``--acyclic-src``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time


def _parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--impl",
        choices=["bacadi", "dibs", "both"],
        default="bacadi",
        help="both: acyclic's BaCaDI, then the reference's, on the same rows in one run",
    )
    p.add_argument(
        "--acyclic-src",
        default=None,
        help="a source tree's python/ directory holding a built acyclic (else the installed one)",
    )
    p.add_argument("--jobs", type=int, default=2, help="acyclic's n_jobs (both)")
    p.add_argument("--d", type=int, default=20, help="number of variables")
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        help="timed SVGD steps (default 200); with --full: total SVGD steps of the fit (default 3000)",
    )
    p.add_argument("--warmup", type=int, default=20, help="untimed steps before (first one compiles)")
    p.add_argument("--seed", type=int, default=1, help="data (target) seed")
    p.add_argument("--model-seed", type=int, default=42, help="particle init / SVGD rng seed")
    p.add_argument("--particles", type=int, default=20)
    p.add_argument("--no-x64", action="store_true", help="float32 instead of the reference's float64")
    p.add_argument("--per-step", action="store_true", help="include every timed step's seconds in the JSON")
    p.add_argument("--dibs-chunk", type=int, default=10, help="dibs only: steps per compiled chunk")
    p.add_argument("--bacadi-src", default=os.environ.get("ACYCLIC_BACADI_SRC", "/work/scratch/ref-bacadi"))
    p.add_argument(
        "--full",
        metavar="OUT.npz",
        default=None,
        help="bacadi only: full fit of --steps steps + the reference's evaluation; data, particles "
        "and metrics go to OUT.npz (see 'Full mode' in the module docstring)",
    )
    p.add_argument(
        "--progress-every",
        type=int,
        default=100,
        help="--full only: a progress line on stderr every this many steps (0 = none)",
    )
    a = p.parse_args()
    if a.steps is None:
        a.steps = 3000 if a.full else 200
    if a.full and a.impl != "bacadi":
        p.error("--full is only implemented for --impl bacadi")
    return a


ARGS = _parse()
# must be set before jax is imported (as the reference's eval/run_experiment.py does)
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ["JAX_ENABLE_X64"] = "False" if ARGS.no_x64 else "True"

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

# published LinG (ER) configuration, see the module docstring
CFG = dict(
    alpha_linear=0.01,
    beta_linear=2.0,
    tau=1.0,
    lambda_regul=1.0,
    interv_per_env=0,
    h_latent=0.5517582570291933,
    h_theta=451.9830246077232,
    h_interv=3.2761007547303644,
    stepsize=0.005,
    n_grad_mc_samples=128,
    n_acyclicity_mc_samples=32,
    obs_noise=0.1,
    mean_edge=0.0,
    sig_edge=1.0,
    init_sig_edge=0.3,
    interv_mean=5.0,
    interv_noise=0.5,
    interv_prior_mean=0.0,
    interv_prior_std=10.0,
)


@contextlib.contextmanager
def _in_tmpdir():
    # bacadi/eval/target.py creates ./store at import time; keep it out of the caller's cwd
    old = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            yield
        finally:
            os.chdir(old)


def make_data(d, seed):
    """The reference's data generation with the published run's target options (make_target)."""
    sys.path.insert(0, os.path.abspath(ARGS.bacadi_src))
    with _in_tmpdir():
        import bacadi.eval.target as T
        from bacadi.eval.target import make_linear_gaussian_model

    # Record the generating LinearGaussian instance (its per-node noise variances are not kept in
    # the Target tuple). The subclass changes nothing else; the original is restored right after.
    orig_lg = T.LinearGaussian

    class _RecordingLinearGaussian(orig_lg):
        def __init__(self, **kw):
            super().__init__(**kw)
            GENERATIVE["model"] = self

    T.LinearGaussian = _RecordingLinearGaussian
    try:
        target = _make_lg(make_linear_gaussian_model, d, seed)
    finally:
        T.LinearGaussian = orig_lg
    return target


GENERATIVE = {}


def _make_lg(make_linear_gaussian_model, d, seed):
    target = make_linear_gaussian_model(
        key=jax.random.PRNGKey(seed),
        n_vars=d,
        graph_prior_str="er",
        inference="newbge",
        obs_noise=0.1,
        random_noise=True,
        mean_edge=0.0,
        sig_edge=1.0,
        init_sig_edge=1.0,
        alpha_mu=1.0,
        alpha_lambd_add=2.0,
        n_observations=100,
        n_ho_observations=100,
        n_intervention_sets=10,
        n_interv_obs=10,
        perc_intervened=0.2,
        edges_per_node=2,
        interventions="random_all",
        intervention_val=5.0,
        intervention_noise=0.5,
    )
    return target


def _block(tree):
    jax.tree_util.tree_map(lambda a: a.block_until_ready() if hasattr(a, "block_until_ready") else a, tree)


def _summary(marks, warmup, steps):
    """marks: list of (step_index, wall, cpu) taken after each synchronised step; index -1 = start."""
    wall = {i: w for i, w, _ in marks}
    cpu = {i: c for i, _, c in marks}
    per_step = [wall[i] - wall[i - 1] for i in range(warmup, warmup + steps)]
    w_timed = wall[warmup + steps - 1] - wall[warmup - 1]
    c_timed = cpu[warmup + steps - 1] - cpu[warmup - 1]
    first = wall[0] - wall[-1]
    med = statistics.median(per_step)
    warm_rest = [wall[i] - wall[i - 1] for i in range(1, warmup)]
    extra = dict(per_step_s=per_step) if ARGS.per_step else {}
    return dict(
        **extra,
        s_per_step=w_timed / steps,
        s_per_step_median=med,
        s_per_step_p10=float(np.percentile(per_step, 10)),
        s_per_step_p90=float(np.percentile(per_step, 90)),
        first_step_s=first,
        jit_s=first - med,
        warmup_rest_s_per_step=(statistics.mean(warm_rest) if warm_rest else None),
        warmup_total_s=wall[warmup - 1] - wall[-1],
        timed_wall_s=w_timed,
        timed_cpu_s=c_timed,
        cpu_per_wall=c_timed / w_timed,
    )


def _make_bacadi(n_steps):
    from bacadi.inference.bacadi_joint import BaCaDIJoint

    return BaCaDIJoint(
        random_state=jax.random.PRNGKey(ARGS.model_seed),
        model_param=dict(
            obs_noise=CFG["obs_noise"],
            mean_edge=CFG["mean_edge"],
            sig_edge=CFG["sig_edge"],
            init_sig_edge=CFG["init_sig_edge"],
            interv_mean=CFG["interv_mean"],
            interv_noise=CFG["interv_noise"],
            interv_prior_mean=CFG["interv_prior_mean"],
            interv_prior_std=CFG["interv_prior_std"],
        ),
        kernel="frob-joint-interv-add",
        graph_prior="er",
        edges_per_node=2,
        model_prior="lingauss",
        alpha_linear=CFG["alpha_linear"],
        beta_linear=CFG["beta_linear"],
        tau=CFG["tau"],
        h_latent=CFG["h_latent"],
        h_theta=CFG["h_theta"],
        h_interv=CFG["h_interv"],
        interv_per_env=CFG["interv_per_env"],
        lambda_regul=CFG["lambda_regul"],
        optimizer=dict(name="rmsprop", stepsize=CFG["stepsize"]),
        n_grad_mc_samples=CFG["n_grad_mc_samples"],
        n_acyclicity_mc_samples=CFG["n_acyclicity_mc_samples"],
        grad_estimator_z="reparam",
        score_function_baseline=0.0,
        n_steps=n_steps,
        n_particles=ARGS.particles,
        callback_every=0,
        callback=None,
        verbose=False,
    )


def run_bacadi(target):
    n_total = ARGS.warmup + ARGS.steps
    model = _make_bacadi(n_total)

    # Time the reference's own loop (BaCaDIJoint.fit -> sample_particles -> self.svgd_step each
    # step) by shadowing the jitted bound method with a wrapper that synchronises and stamps.
    marks = []
    orig_step = model.svgd_step
    counter = [0]

    def timed_step(*a):
        i = counter[0]
        if i == 0:
            marks.append((-1, time.perf_counter(), time.process_time()))
        out = orig_step(*a)
        _block(out)
        marks.append((i, time.perf_counter(), time.process_time()))
        counter[0] += 1
        return out

    model.svgd_step = timed_step
    t0 = time.perf_counter()
    model.fit(target.x_interv_data, target.envs)
    fit_total = time.perf_counter() - t0
    assert counter[0] == n_total, counter[0]
    res = _summary(marks, ARGS.warmup, ARGS.steps)
    res["fit_total_s"] = fit_total
    z = model.particles_z
    res["finite_particles"] = bool(jnp.all(jnp.isfinite(z)) and jnp.all(jnp.isfinite(model.particles_gamma)))
    res["dtype"] = str(z.dtype)
    res["n_env"] = int(model.n_env)
    return res


def run_acyclic(target):
    """acyclic's BaCaDI on the same rows with the same configuration (its defaults are the
    published run's): seconds per step of steps warmup..warmup+steps-1, from the difference of
    two fits of warmup and warmup+steps steps (same seed: the first steps are the same)."""
    if ARGS.acyclic_src:
        sys.path.insert(0, os.path.abspath(ARGS.acyclic_src))
    import acyclic

    X, env = np.asarray(target.x_interv_data, dtype=np.float64), np.asarray(target.envs)
    walls, cpus = [], []
    for steps in (ARGS.warmup, ARGS.warmup + ARGS.steps):
        model = acyclic.BaCaDI(
            n_particles=ARGS.particles, n_steps=steps, random_state=ARGS.model_seed, n_jobs=ARGS.jobs
        )
        w0, c0 = time.perf_counter(), time.process_time()
        model.fit(X, environments=env)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return dict(
        s_per_step=(walls[1] - walls[0]) / ARGS.steps,
        cpu_per_wall=(cpus[1] - cpus[0]) / (walls[1] - walls[0]),
        warmup_total_s=walls[0],
        fit_total_s=walls[1],
        n_jobs=ARGS.jobs,
        acyclic=acyclic.__version__,
        acyclic_file=acyclic.__file__,
    )


def _stub_r_modules():
    """bacadi/eval/metrics.py imports ``cdt`` (CausalDiscoveryToolbox, needs R) and ``causaldag`` at
    module level; they are only used by E-SID and the CPDAG (``use_cpdag``) paths, which the full
    mode does not call. If they are not installed, register stand-ins that raise when used, so the
    reference's metric code itself can be imported unchanged."""
    import importlib.util
    import types

    def _unavailable(*a, **k):
        raise RuntimeError("cdt/causaldag are not installed (E-SID / CPDAG metrics are not computed)")

    if importlib.util.find_spec("cdt") is None:
        cdt = types.ModuleType("cdt")
        cdt.metrics = types.ModuleType("cdt.metrics")
        cdt.metrics.get_CPDAG = cdt.metrics.SID = cdt.metrics.SID_CPDAG = _unavailable
        sys.modules["cdt"], sys.modules["cdt.metrics"] = cdt, cdt.metrics
    if importlib.util.find_spec("causaldag") is None:
        sys.modules["causaldag"] = types.ModuleType("causaldag")


def _save_npz(path, arrays):
    """Atomic write (temp file in the same folder, then rename) so a reader never sees half a file."""
    path = os.path.abspath(path)
    d = os.path.dirname(path)
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _data_arrays(target):
    d = target.n_vars
    g = np.asarray(target.g).astype(np.int8)  # [i, j] = 1 <=> i -> j (see docstring)
    theta = np.asarray(target.theta, dtype=np.float64)  # full d x d draw, [i, j] = weight of i -> j
    it = np.asarray(target.interv_targets).astype(np.int8)  # [E, d], row 0 = observational (all 0)
    assert (it[0] == 0).all()
    n_env = it.shape[0]
    means = np.zeros((n_env - 1, d))
    for e, (interv, _) in enumerate(target.x_interv):
        for j, spec in interv.items():
            if j != "n_samples":
                assert e >= 1 and it[e, int(j)] == 1
                means[e - 1, int(j)] = float(spec["mean"])
    gen = GENERATIVE.get("model")
    noise = (
        np.broadcast_to(np.asarray(gen.obs_noise, dtype=np.float64), (d,)).copy()
        if gen is not None
        else np.full(d, np.nan)
    )
    return dict(
        X=np.asarray(target.x_interv_data, dtype=np.float64),
        env=np.asarray(target.envs).astype(np.int64),
        B=g,
        W_true=g * theta,
        theta_true_full=theta,
        targets_true=it[1:],
        interv_means_true=means,
        noise_var_true=noise,
        interv_noise_var_true=np.float64(0.5),
        X_obs_unused=np.asarray(target.x, dtype=np.float64),
        X_ho=np.asarray(target.x_ho, dtype=np.float64),
        X_ho_interv=np.asarray(target.x_ho_interv_data, dtype=np.float64),
        env_ho=np.asarray(target.envs_ho).astype(np.int64),
        targets_ho=np.asarray(target.interv_targets_ho).astype(np.int8),
    )


def run_full(target, data_s, load_start):
    """Fit of ARGS.steps steps with the reference's own loop, then the reference's own evaluation
    (eval/result.py::get_metrics, as eval/eval.py calls it after a fit, minus E-SID)."""
    from types import SimpleNamespace

    t_start = time.perf_counter()
    data = _data_arrays(target)
    meta = dict(
        d=np.int64(ARGS.d),
        seed=np.int64(ARGS.seed),
        model_seed=np.int64(ARGS.model_seed),
        steps=np.int64(ARGS.steps),
        particles=np.int64(ARGS.particles),
    )
    # data first (complete=False), so it is usable while the fit runs; rewritten at the end
    _save_npz(ARGS.full, dict(**data, **meta, complete=np.bool_(False)))
    print(
        f"[full] data written to {ARGS.full}: n={data['X'].shape[0]} d={ARGS.d} "
        f"E={data['targets_true'].shape[0] + 1} true_edges={int(data['B'].sum())}",
        file=sys.stderr,
        flush=True,
    )

    model = _make_bacadi(ARGS.steps)
    orig_step = model.svgd_step
    counter = [0]
    t_fit0 = [None]
    every = ARGS.progress_every

    def progress_step(*a):
        i = counter[0]
        if i == 0:
            t_fit0[0] = time.perf_counter()
        out = orig_step(*a)
        counter[0] += 1
        n = counter[0]
        if every and (n == 1 or n % every == 0 or n == ARGS.steps):
            _block(out)
            el = time.perf_counter() - t_fit0[0]
            print(
                f"[full] step {n}/{ARGS.steps} elapsed {el:.1f}s ({el / n:.3f} s/step incl. JIT)",
                file=sys.stderr,
                flush=True,
            )
        return out

    model.svgd_step = progress_step
    t0 = time.perf_counter()
    model.fit(target.x_interv_data, target.envs)
    _block((model.particles_z, model.particles_theta, model.particles_gamma))
    fit_s = time.perf_counter() - t0
    assert counter[0] == ARGS.steps, counter[0]

    # --- the reference's evaluation ---
    t_ev = time.perf_counter()
    _stub_r_modules()
    sys.path.insert(0, os.path.join(os.path.abspath(ARGS.bacadi_src), "eval"))
    from bacadi.utils.func import expected_graph, expected_interv
    from bacadi.utils.graph import elwise_acyclic_constr_nograd
    from result import get_metrics  # eval/result.py of the reference

    config = SimpleNamespace(joint=True, infer_interv=True, interv_data=True)
    dist_emp = model.particle_empirical()
    dist_mix = model.particle_mixture()
    metrics = {}
    for descr, dist in (("empirical_", dist_emp), ("mixture_", dist_mix)):
        # final=False: identical to final=True except that E-SID (R/cdt) is skipped
        m = get_metrics(descr, dist, target, config, bacadi=model, use_cpdag=False, final=False)
        metrics.update({k: float(v) for k, v in m.items()})

    d = ARGS.d
    g_part = np.asarray(model.particle_to_g_lim(model.particles_z)).astype(np.int8)
    i_part = np.asarray(model.particle_to_interv_lim(model.particles_gamma)).astype(np.int8)
    h = np.asarray(elwise_acyclic_constr_nograd(jnp.asarray(g_part), d))
    is_dag = h == 0
    logw_mix = np.asarray(dist_mix[-1], dtype=np.float64)
    logw_emp = np.asarray(dist_emp[-1], dtype=np.float64)
    w = np.exp(logw_mix - logw_mix.max())
    w /= w.sum()
    eval_s = time.perf_counter() - t_ev
    theta_g, mu = model.particles_theta
    n_cyc = int((~is_dag).sum())

    _save_npz(
        ARGS.full,
        dict(
            **data,
            **meta,
            complete=np.bool_(True),
            G_particles=g_part,
            I_particles=i_part,
            is_dag=is_dag,
            h_particles=h.astype(np.float64),
            mixture_logw=logw_mix,
            empirical_logw=logw_emp,
            edge_probs_mixture=np.asarray(expected_graph(dist_mix, d), dtype=np.float64),
            edge_probs_empirical=np.asarray(expected_graph(dist_emp, d), dtype=np.float64),
            target_probs_mixture=np.asarray(expected_interv(dist_mix), dtype=np.float64),
            target_probs_empirical=np.asarray(expected_interv(dist_emp), dtype=np.float64),
            Z=np.asarray(model.particles_z, dtype=np.float64),
            Theta=np.asarray(theta_g, dtype=np.float64),
            mu=np.asarray(mu, dtype=np.float64),
            Gamma=np.asarray(model.particles_gamma, dtype=np.float64),
            metrics_json=np.array(json.dumps(metrics)),
        ),
    )
    out = dict(
        bench="bacadi_reference_full",
        impl="bacadi",
        impl_version="haeggee/bacadi@b2c27d5 (ported, see PORTING.md)",
        out=os.path.abspath(ARGS.full),
        d=d,
        n_rows=int(data["X"].shape[0]),
        n_env=int(model.n_env),
        n_true_edges=int(data["B"].sum()),
        particles=ARGS.particles,
        steps=ARGS.steps,
        seed=ARGS.seed,
        model_seed=ARGS.model_seed,
        x64=not ARGS.no_x64,
        **metrics,
        n_cyclic_particles=n_cyc,
        n_acyclic_particles=int(is_dag.sum()),
        mixture_max_weight=float(w.max()),
        mixture_ess=float(1.0 / np.sum(w**2)),
        mixture_top_particle_is_dag=bool(is_dag[int(np.argmax(w))]),
        finite_particles=bool(
            np.all(np.isfinite(np.asarray(model.particles_z)))
            and np.all(np.isfinite(np.asarray(model.particles_gamma)))
            and np.all(np.isfinite(np.asarray(theta_g)))
        ),
        data_gen_s=data_s,
        fit_s=fit_s,
        fit_s_per_step=fit_s / ARGS.steps,
        eval_s=eval_s,
        wall_s=data_s + (time.perf_counter() - t_start),
        loadavg_start=load_start[0],
        loadavg_end=os.getloadavg()[0],
        cpu_count=os.cpu_count(),
        affinity=len(os.sched_getaffinity(0)),
        jax=jax.__version__,
        python=platform.python_version(),
        config=CFG,
    )
    print(json.dumps(out), flush=True)


def run_dibs(target):
    from dibs.inference import JointDiBS
    from dibs.models import ErdosReniDAGDistribution, LinearGaussian

    d = ARGS.d
    x = jnp.asarray(target.x_interv_data)
    # known intervention mask per row: environment e's true targets (env 0 observational)
    mask = jnp.asarray(target.interv_targets, dtype=jnp.int32)[jnp.asarray(target.envs)]
    chunk = ARGS.dibs_chunk
    assert ARGS.warmup % chunk == 0 and ARGS.steps % chunk == 0, "--warmup/--steps must be multiples of --dibs-chunk"
    model = JointDiBS(
        x=x,
        interv_mask=mask,
        graph_model=ErdosReniDAGDistribution(n_vars=d, n_edges_per_node=2),
        likelihood_model=LinearGaussian(
            n_vars=d, obs_noise=CFG["obs_noise"], mean_edge=CFG["mean_edge"], sig_edge=CFG["sig_edge"]
        ),
        kernel_param=dict(h_latent=CFG["h_latent"], h_theta=CFG["h_theta"]),
        optimizer="rmsprop",
        optimizer_param=dict(stepsize=CFG["stepsize"]),
        alpha_linear=CFG["alpha_linear"],
        beta_linear=CFG["beta_linear"],
        tau=CFG["tau"],
        n_grad_mc_samples=CFG["n_grad_mc_samples"],
        n_acyclicity_mc_samples=CFG["n_acyclicity_mc_samples"],
        grad_estimator_z="reparam",
        score_function_baseline=0.0,
    )

    marks = []  # per chunk; converted to per-step below

    def cb(**kw):
        _block(kw["zs"])
        _block(kw["thetas"])
        marks.append((kw["t"] - 1, time.perf_counter(), time.process_time()))

    # the first chunk's start: sample() does particle init (cheap) right before its first chunk
    marks.append((-1, time.perf_counter(), time.process_time()))
    t0 = time.perf_counter()
    g, theta = model.sample(
        key=jax.random.PRNGKey(ARGS.model_seed),
        n_particles=ARGS.particles,
        steps=ARGS.warmup + ARGS.steps,
        callback=cb,
        callback_every=chunk,
    )
    fit_total = time.perf_counter() - t0
    # chunk marks -> summary over chunks, scaled per step
    wall = {i: w for i, w, _ in marks}
    cpu = {i: c for i, _, c in marks}
    w0, c0 = wall[ARGS.warmup - 1], cpu[ARGS.warmup - 1]
    w1, c1 = wall[ARGS.warmup + ARGS.steps - 1], cpu[ARGS.warmup + ARGS.steps - 1]
    per_chunk = [
        (wall[i] - wall[i - chunk]) / chunk for i in range(ARGS.warmup - 1 + chunk, ARGS.warmup + ARGS.steps, chunk)
    ]
    first_chunk = wall[chunk - 1] - wall[-1]
    med = statistics.median(per_chunk)
    return dict(
        s_per_step=(w1 - w0) / ARGS.steps,
        s_per_step_median=med,
        s_per_step_p10=float(np.percentile(per_chunk, 10)),
        s_per_step_p90=float(np.percentile(per_chunk, 90)),
        first_chunk_s=first_chunk,
        jit_s=first_chunk - chunk * med,
        warmup_total_s=w0 - wall[-1],
        timed_wall_s=w1 - w0,
        timed_cpu_s=c1 - c0,
        cpu_per_wall=(c1 - c0) / (w1 - w0),
        fit_total_s=fit_total,
        chunk=chunk,
        finite_particles=bool(np.all(np.isfinite(np.asarray(theta)))),
        dtype=str(np.asarray(theta).dtype),
        interventions="known mask (DiBS)",
    )


def main():
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    target = make_data(ARGS.d, ARGS.seed)
    data_s = time.perf_counter() - t0
    n_edges = int(np.asarray(target.g).sum())
    if ARGS.full:
        run_full(target, data_s, load_start)
        return
    if ARGS.impl == "both":
        ours = run_acyclic(target)
        ref = run_bacadi(target)
        print(
            json.dumps(
                dict(
                    bench="bacadi_side_by_side",
                    d=ARGS.d,
                    n_rows=int(target.x_interv_data.shape[0]),
                    particles=ARGS.particles,
                    steps=ARGS.steps,
                    warmup=ARGS.warmup,
                    seed=ARGS.seed,
                    acyclic=ours,
                    reference=ref,
                    speedup_mean=ref["s_per_step"] / ours["s_per_step"],
                    speedup_vs_median=ref["s_per_step_median"] / ours["s_per_step"],
                    loadavg_start=load_start[0],
                    loadavg_end=os.getloadavg()[0],
                    jax=jax.__version__,
                )
            )
        )
        return
    if ARGS.impl == "bacadi":
        res = run_bacadi(target)
        impl_version = "haeggee/bacadi@b2c27d5 (ported, see PORTING.md)"
    else:
        res = run_dibs(target)
        from importlib.metadata import version

        impl_version = "dibs-lib " + version("dibs-lib")
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    out = dict(
        bench="bacadi_reference",
        impl=ARGS.impl,
        impl_version=impl_version,
        d=ARGS.d,
        n_rows=int(target.x_interv_data.shape[0]),
        n_true_edges=n_edges,
        particles=ARGS.particles,
        steps=ARGS.steps,
        warmup=ARGS.warmup,
        seed=ARGS.seed,
        model_seed=ARGS.model_seed,
        x64=not ARGS.no_x64,
        data_gen_s=data_s,
        **res,
        used_both_cores=res["cpu_per_wall"] > 1.2,
        # 1-min load average before and after: other processes on the machine skew wall time
        loadavg_start=load_start[0],
        loadavg_end=os.getloadavg()[0],
        process_threads=threads,
        cpu_count=os.cpu_count(),
        affinity=len(os.sched_getaffinity(0)),
        jax=jax.__version__,
        jaxlib=jax.lib.__version__ if hasattr(jax.lib, "__version__") else None,
        devices=[str(x) for x in jax.devices()],
        python=platform.python_version(),
        config=CFG,
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
