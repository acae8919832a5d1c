//! BaCaDI (Hägele, Rothfuss, Lorch, Somnath, Schölkopf, Krause, "BaCaDI: Bayesian Causal
//! Discovery with Unknown Interventions", AISTATS 2023) and DiBS (Lorch, Rothfuss, Schölkopf,
//! Krause, "DiBS: Differentiable Bayesian Structure Learning", NeurIPS 2021): a particle
//! approximation of the joint posterior over the graph, its linear-Gaussian parameters and, for
//! BaCaDI, each experiment's unknown intervention targets.
//!
//! Each of M particles holds a latent graph Z = (U, V) (edge probabilities σ(α_t uᵢᵀvⱼ)), edge
//! weights Θ, per-environment intervention means μ and target latents Γ (target probabilities
//! σ(α_t γ/2)). Stein variational gradient descent ([`svgd`]) moves them along the gradient of
//! the log posterior ([`estimators`]: self-normalised Monte-Carlo estimates through Gumbel-soft
//! samples; priors in [`latent`]; the likelihood in [`gaussian`], from per-environment
//! statistics, [`stats`]) with an additive RBF kernel and RMSprop; α_t = α·t and β_t = β·t
//! sharpen the probabilities and the acyclicity prior as the steps go.
//!
//! The data decide the variant: environments with an intervention mask fix the targets (DiBS
//! with interventions, or BaCaDI with known targets); environments without one let BaCaDI infer
//! them; one environment is observational DiBS.
//!
//! Defaults: the reference's (`haeggee/bacadi`) published linear-Gaussian runs: 20 particles,
//! 3000 steps, RMSprop step 0.005, α = 0.01, β = 2, λ = 1, 128 likelihood and 32 acyclicity
//! samples, kernel bandwidths 0.5518 / 452 / 3.276 (its ER runs), ER prior with 2 edges per
//! node, noise variance 0.1, intervention variance 0.5, Θ ~ N(0, 1), μ ~ N(0, 10²).
//!
//! Output, as the reference's evaluation: each particle's hard graph 1[uᵢᵀvⱼ > 0] and targets
//! 1[γ > 0], weighted by f at them (the likelihood with the priors of Θ and μ); cyclic particles
//! are left out of the edge marginals and the point estimate (the best acyclic particle).

pub mod bge;
pub mod estimators;
pub mod gaussian;
pub mod latent;
pub mod stats;
pub mod svgd;

use crate::error::{CoreError, Result};
use crate::graph::{is_dag, project_to_dag, Mask};
use crate::learners::params::{check_count, check_number, MAX_COUNT};
use crate::learners::{Auto, Data, Fitted, Learner, Prior, Value};
use crate::progress::{Progress, Status};
use crate::simulate::random::Random;
use bge::Bge;
use estimators::{Layout, Likelihood, Model, Particle, Streams, Temperatures};
use faer::Mat;
use gaussian::LinearGaussian;
use latent::{Entry, GraphPrior, LatentPrior};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;
use stats::EnvStats;
use svgd::{Bandwidths, RmsProp};

/// The prior on graphs, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphPriorKind {
    /// Erdős–Rényi with `edges_per_node`·d expected edges.
    Er,
    /// Scale-free (Σ_i −3 log(1 + out-degree_i)).
    Sf,
}

/// The likelihood, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LikelihoodKind {
    /// Joint inference over graphs and linear-Gaussian weights.
    #[serde(rename = "linear-gaussian")]
    LinearGaussian,
    /// Marginal inference with the BGe score (weights integrated out).
    #[serde(rename = "bge")]
    Bge,
}

/// Settings (names as the Python estimators'); defaults in [`Config::default`].
#[derive(Debug, Clone, Serialize, Deserialize, SmartDefault)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// "linear-gaussian" (joint, the default) or "bge" (marginal, score-function gradients).
    #[default(LikelihoodKind::LinearGaussian)]
    pub likelihood: LikelihoodKind,
    /// BGe's α_μ (default 1).
    #[default(1.0)]
    pub bge_alpha_mu: f64,
    /// BGe's α_λ, > d + 1; "auto": d + 2.
    #[default(Auto::Auto)]
    pub bge_alpha_lambda: Auto<f64>,
    /// M, the number of particles (default 20).
    #[default(20)]
    pub n_particles: usize,
    /// SVGD steps (default 3000).
    #[default(3000)]
    pub n_steps: usize,
    /// RMSprop's step size (default 0.005).
    #[default(0.005)]
    pub step_size: f64,
    /// α of the schedule α_t = α·t of the edge and target probabilities (default 0.01).
    #[default(0.01)]
    pub alpha_linear: f64,
    /// β of the schedule β_t = β·t of the acyclicity prior (default 2).
    #[default(2.0)]
    pub beta_linear: f64,
    /// λ, the prior's weight on the expected number of targets (default 1).
    #[default(1.0)]
    pub lambda_regul: f64,
    /// Draws of each likelihood-gradient estimator (default 128).
    #[default(128)]
    pub n_grad_mc_samples: usize,
    /// Draws of the acyclicity and target-sparsity expectations (default 32).
    #[default(32)]
    pub n_acyclicity_mc_samples: usize,
    /// Kernel bandwidth of the latent graphs Z (default 0.5518).
    #[default(0.5518)]
    pub h_latent: f64,
    /// Kernel bandwidth of the weights and intervention means (default 452).
    #[default(452.0)]
    pub h_theta: f64,
    /// Kernel bandwidth of the target latents Γ (default 3.276).
    #[default(3.276)]
    pub h_interv: f64,
    /// Graph prior, "er" (default) or "sf".
    #[default(GraphPriorKind::Er)]
    pub graph_prior: GraphPriorKind,
    /// Expected edges per node of the ER prior (default 2).
    #[default(2.0)]
    pub edges_per_node: f64,
    /// Noise variance of every mechanism (default 0.1).
    #[default(0.1)]
    pub obs_noise: f64,
    /// Variance of an intervened node around its environment's mean (default 0.5).
    #[default(0.5)]
    pub interv_noise: f64,
    /// Prior standard deviation of an edge weight (default 1).
    #[default(1.0)]
    pub sig_edge: f64,
    /// Prior standard deviation of an intervention mean (default 10).
    #[default(10.0)]
    pub interv_prior_std: f64,
    /// k, the latent dimension; "auto": d.
    #[default(Auto::Auto)]
    pub n_latent: Auto<usize>,
    /// Seed of the initial particles and of every Monte-Carlo draw.
    #[default(0)]
    pub seed: u64,
}

impl Learner for Config {
    const NAME: &'static str = "bacadi";

    fn validate(&self) -> Result<()> {
        check_count("n_particles", self.n_particles, 1, 100_000)?;
        check_count("n_steps", self.n_steps, 1, MAX_COUNT)?;
        check_count("n_grad_mc_samples", self.n_grad_mc_samples, 1, 1 << 20)?;
        check_count("n_acyclicity_mc_samples", self.n_acyclicity_mc_samples, 1, 1 << 20)?;
        for (name, v) in [
            ("step_size", self.step_size),
            ("h_latent", self.h_latent),
            ("h_theta", self.h_theta),
            ("h_interv", self.h_interv),
            ("edges_per_node", self.edges_per_node),
            ("obs_noise", self.obs_noise),
            ("interv_noise", self.interv_noise),
            ("sig_edge", self.sig_edge),
            ("interv_prior_std", self.interv_prior_std),
            ("bge_alpha_mu", self.bge_alpha_mu),
        ] {
            check_number(name, v, 0.0, true)?;
        }
        for (name, v) in [
            ("alpha_linear", self.alpha_linear),
            ("beta_linear", self.beta_linear),
            ("lambda_regul", self.lambda_regul),
        ] {
            check_number(name, v, 0.0, false)?;
        }
        if let Auto::Value(k) = self.n_latent {
            check_count("n_latent", k, 1, 100_000)?;
        }
        Ok(())
    }

    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
        fit(self, data, prior, progress)
    }
}

/// The known 0/1 targets ((E−1)×d) from an intervention mask that is constant within each
/// environment; errors name the environment that breaks it.
fn targets_from_mask(mask: &Mask, labels: &[usize], count: usize, d: usize) -> Result<Mat<f64>> {
    let mut targets: Vec<Option<&[bool]>> = vec![None; count];
    for (r, &e) in labels.iter().enumerate() {
        let row = &mask[r * d..(r + 1) * d];
        match targets[e] {
            None => targets[e] = Some(row),
            Some(first) if first != row => {
                return Err(CoreError::InvalidInput(format!(
                    "the intervention mask differs between rows of environment {e}: the targets of an environment are the same for all its rows"
                )))
            }
            Some(_) => {}
        }
    }
    if targets[0].is_some_and(|row| row.iter().any(|&v| v)) {
        return Err(CoreError::InvalidInput("the observational environment (label 0) has intervention targets".into()));
    }
    Ok(Mat::from_fn(count - 1, d, |e, j| f64::from(targets[e + 1].is_some_and(|row| row[j]))))
}

/// Which graph entries are free, fixed at 0 (diagonal, forbidden) or at 1 (required);
/// column-major.
fn entries(d: usize, prior: &Prior) -> Vec<Entry> {
    let marked = |m: &Option<Mask>, i: usize, j: usize| m.as_ref().is_some_and(|m| m[i * d + j]);
    (0..d * d)
        .map(|k| {
            let (i, j) = (k % d, k / d);
            if i == j || marked(&prior.forbidden, i, j) {
                Entry::Never
            } else if marked(&prior.required, i, j) {
                Entry::Always
            } else {
                Entry::Free
            }
        })
        .collect()
}

/// Draws the initial particles as the reference: Z ~ N(0, 1/k), Θ ~ N(0, 0.3²) and
/// μ ~ N(0, 0.1) (the joint model only), Γ ~ N(0, 0.1).
fn initial_particles(layout: &Layout, m: usize, infer_targets: bool, joint: bool, seed: u64) -> Vec<Particle> {
    let mut rng = Random::with_stream(seed, u64::MAX);
    let (d, k, envs) = (layout.d, layout.k, layout.envs);
    let z_sd = 1.0 / (k as f64).sqrt();
    let small = 0.1f64.sqrt();
    (0..m)
        .map(|_| {
            let z = (0..2 * d * k).map(|_| rng.normal(0.0, z_sd)).collect();
            let mut theta_mu: Vec<f64> = Vec::new();
            if joint {
                theta_mu.extend((0..d * d).map(|_| rng.normal(0.0, 0.3)));
                theta_mu.extend((0..envs * d).map(|_| rng.normal(0.0, small)));
            }
            let gamma =
                if infer_targets { (0..envs * d).map(|_| rng.normal(0.0, small)).collect() } else { Vec::new() };
            Particle { z, theta_mu, gamma }
        })
        .collect()
}

/// Fits BaCaDI/DiBS; see the module documentation.
pub fn fit(config: &Config, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
    config.validate()?;
    let x = data.rows("BaCaDI/DiBS")?;
    let (n, d) = (x.nrows(), x.ncols());
    prior.check(d)?;
    if data.intervened.is_some() && data.environments.is_none() {
        return Err(CoreError::InvalidInput(
            "bacadi takes interventional data as environments (with or without their targets), not as an intervention mask alone".into(),
        ));
    }
    let count = data.environments.map_or(1, |e| e.count());
    if let Some(env) = data.environments {
        if let Some(e) = env.sizes().iter().position(|&r| r < 2) {
            return Err(CoreError::InvalidInput(format!("environment {e} has fewer than 2 rows")));
        }
    }
    if n < 2 {
        return Err(CoreError::InvalidInput("bacadi needs at least 2 rows".into()));
    }
    let known = match (data.intervened, data.environments) {
        (Some(mask), Some(env)) => Some(targets_from_mask(mask, env.labels(), count, d)?),
        (None, Some(_)) if count > 1 => None,
        _ => Some(Mat::zeros(count - 1, d)),
    };
    let infer_targets = known.is_none();
    let k = config.n_latent.resolve(|| d);
    let layout = Layout { d, k, envs: count - 1 };
    let stats = EnvStats::new(x, data.environments);
    let entries = entries(d, prior);
    let mut warnings = Vec::new();
    let graph = match config.graph_prior {
        GraphPriorKind::Er => {
            let pairs = (d * d.saturating_sub(1)) as f64 / 2.0;
            let raw = config.edges_per_node * d as f64 / pairs.max(1.0);
            if raw >= 1.0 {
                warnings.push(format!(
                    "the ER prior expects {} edges among {pairs} node pairs (edges_per_node = {}): every edge gets \
                     prior probability ~1; lower edges_per_node below {}",
                    config.edges_per_node * d as f64,
                    config.edges_per_node,
                    (d.saturating_sub(1)) as f64 / 2.0
                ));
            }
            GraphPrior::ErdosRenyi { p: raw.clamp(1e-6, 1.0 - 1e-6) }
        }
        GraphPriorKind::Sf => GraphPrior::ScaleFree,
    };
    let likelihood = match config.likelihood {
        LikelihoodKind::LinearGaussian => Likelihood::Gaussian(LinearGaussian::new(
            config.obs_noise,
            config.interv_noise,
            config.sig_edge,
            config.interv_prior_std,
        )),
        LikelihoodKind::Bge => {
            let alpha_lambda = config.bge_alpha_lambda.resolve(|| d as f64 + 2.0);
            if alpha_lambda.is_nan() || alpha_lambda <= d as f64 + 1.0 || !alpha_lambda.is_finite() {
                return Err(CoreError::InvalidParameter(format!(
                    "bge_alpha_lambda must be a finite number > d + 1 = {}, got {alpha_lambda}",
                    d + 1
                )));
            }
            Likelihood::Bge(Bge { alpha_mu: config.bge_alpha_mu, alpha_lambda })
        }
    };
    let model = Model {
        stats: &stats,
        likelihood,
        prior: LatentPrior {
            graph,
            z_precision: k as f64,
            gamma_precision: 10.0,
            lambda_regul: config.lambda_regul,
            beta_a: 1.0 / d as f64,
        },
        layout,
        entries: &entries,
        known_targets: known.as_ref(),
        n_mc: config.n_grad_mc_samples,
        n_acyclicity: config.n_acyclicity_mc_samples,
    };
    let m = config.n_particles;
    let joint = config.likelihood == LikelihoodKind::LinearGaussian;
    let mut particles = initial_particles(&layout, m, infer_targets, joint, config.seed);
    let mut optimiser = RmsProp::new(config.step_size, &particles);
    let bandwidths = Bandwidths { z: config.h_latent, theta: config.h_theta, gamma: config.h_interv };
    let mut history = Vec::with_capacity(config.n_steps);
    for t in 0..config.n_steps {
        if progress.should_stop() {
            return Err(CoreError::Cancelled);
        }
        let temp = Temperatures { alpha: config.alpha_linear * t as f64, beta: config.beta_linear * t as f64 };
        let grads = particles
            .par_iter()
            .enumerate()
            .map(|(i, p)| model.gradient(p, temp, &mut Streams::new(config.seed, (t * m + i) as u64)))
            .collect::<Result<Vec<_>>>()?;
        let directions = svgd::direction(&particles, &grads, &bandwidths);
        optimiser.ascend(&mut particles, &directions);
        if particles.iter().any(|p| p.z.iter().chain(&p.theta_mu).chain(&p.gamma).any(|v| !v.is_finite())) {
            return Err(CoreError::Numerical(format!(
                "a particle left the float64 range at step {t}; lower step_size"
            )));
        }
        let mean_log_joint = particles.iter().map(|p| model.log_joint(p)).sum::<f64>() / m as f64;
        history.push(mean_log_joint);
        let cyclic = particles.iter().filter(|p| !is_dag(model.hard_limit(p).0.as_ref())).count();
        progress.report(&Status {
            iteration: t + 1,
            max_iter: config.n_steps,
            objective: mean_log_joint,
            quantities: &[("alpha", temp.alpha), ("beta", temp.beta), ("cyclic", cyclic as f64)],
        });
    }
    let mut fitted = summarise(&model, &particles, prior, config.n_steps, history)?;
    fitted.warnings.extend(warnings);
    Ok(fitted)
}

/// The fitted result from the final particles.
fn summarise(
    model: &Model<'_>,
    particles: &[Particle],
    prior: &Prior,
    steps: usize,
    history: Vec<f64>,
) -> Result<Fitted> {
    let l = model.layout;
    let (d, envs) = (l.d, l.envs);
    let m = particles.len();
    let limits: Vec<(Mat<f64>, Mat<f64>)> = particles.iter().map(|p| model.hard_limit(p)).collect();
    let log_joint: Vec<f64> = particles.iter().map(|p| model.log_joint(p)).collect();
    let acyclic: Vec<bool> = limits.iter().map(|(g, _)| is_dag(g.as_ref())).collect();
    let n_cyclic = acyclic.iter().filter(|&&a| !a).count();
    let softmax = |keep: &dyn Fn(usize) -> bool| {
        let max = (0..m).filter(|&i| keep(i)).map(|i| log_joint[i]).fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = (0..m).map(|i| if keep(i) { libm::exp(log_joint[i] - max) } else { 0.0 }).collect();
        let total: f64 = w.iter().sum();
        w.into_iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect::<Vec<f64>>()
    };
    let graph_weights = softmax(&|i| acyclic[i]);
    let target_weights = softmax(&|_| true);
    let mut edge_probabilities = Mat::<f64>::zeros(d, d);
    for (i, (g, _)) in limits.iter().enumerate() {
        edge_probabilities += g * graph_weights[i];
    }
    let mut target_probabilities = Mat::<f64>::zeros(envs + 1, d);
    for (i, (_, t)) in limits.iter().enumerate() {
        for j in 0..d {
            for e in 0..envs {
                target_probabilities[(e + 1, j)] += target_weights[i] * t[(e, j)];
            }
        }
    }
    let weighted = |i: usize| model.point_weights(&particles[i]);
    // the point estimate: the acyclic particle of highest f (or, with none, the best one made acyclic)
    let best = (0..m).filter(|&i| acyclic[i]).max_by(|&a, &b| log_joint[a].total_cmp(&log_joint[b]));
    let mut warnings = Vec::new();
    let (raw, weights) = match best {
        Some(i) => (weighted(i), weighted(i)),
        None => {
            let i = (0..m).max_by(|&a, &b| log_joint[a].total_cmp(&log_joint[b])).unwrap_or(0);
            warnings.push(format!(
                "all {m} particles are cyclic: edge_probabilities_ is zero and the point estimate is the best particle with its weakest cycle edges removed; run more steps (n_steps) or raise beta_linear"
            ));
            let w = weighted(i);
            let projected = project_to_dag(w.as_ref(), prior.required.as_ref())?;
            (w, projected)
        }
    };
    let mut targets_stack = Mat::<f64>::zeros(m * (envs + 1), d);
    for (i, (_, t)) in limits.iter().enumerate() {
        for j in 0..d {
            for e in 0..envs {
                targets_stack[(i * (envs + 1) + e + 1, j)] = t[(e, j)];
            }
        }
    }
    let fitted = Fitted::new(raw, weights, prior, steps, true, history)?;
    let mut fitted = fitted
        .with("edge_probabilities", Value::NodeMatrix(edge_probabilities))
        .with("target_probabilities", Value::NodeColumns(target_probabilities))
        .with("particle_graphs", Value::NodeMatrices(limits.iter().map(|(g, _)| g.clone()).collect()))
        .with("particle_weights", Value::NodeMatrices((0..m).map(weighted).collect()))
        .with("particle_targets", Value::NodeColumns(targets_stack))
        .with("particle_log_joint", Value::Floats(log_joint))
        .with("particle_acyclic", Value::Ints(acyclic.iter().map(|&a| i64::from(a)).collect()))
        .with("mixture_weights", Value::Floats(graph_weights))
        .with("n_cyclic", n_cyclic);
    fitted.warnings.extend(warnings);
    Ok(fitted)
}
