//! DP-DAG / VI-DP-DAG: variational inference over DAGs by differentiable DAG sampling
//! (Charpentier, Kibler, Günnemann, "Differentiable DAG Sampling", ICLR 2022).
//!
//! The learner fits a distribution q(G) over DAGs ([`distribution`]: ordering scores θ and edge
//! logits Φ) together with per-node mechanisms ([`mechanism`]: linear or small MLPs). A step draws
//! one DAG (Gumbel-perturbed order relaxed by SoftSort, [`ordering`]; logistic-perturbed edges,
//! [`edges`]; both hard forward and straight-through backward) for a minibatch of B rows and
//! takes an Adam step on
//!   L = Σ_bj (x̂_bj − x_bj)² / (B d)  +  λ Σ_{i≠j} KL(Bernoulli(σ(Φ_ij)) ‖ Bernoulli(p0)) / (d(d − 1)),
//! with one learning rate for (θ, Φ) and another for the mechanisms. A held-out fraction of the
//! rows scores the modal DAG after every epoch; training stops after `patience` epochs without
//! improvement and returns the best epoch's parameters. Every sample, and the modal DAG, is
//! acyclic by construction: no acyclicity penalty is involved.
//!
//! Interventional data (perfect interventions, `intervention_mask`): node j's mechanism is fitted
//! only on the rows that do not intervene on it. The entries (b, j) of a row that set node j
//! are left out of the squared error (still divided by B d, so that an epoch estimates
//! (1/(n d)) Σ_j Σ_{rows of j} (x̂ − x)²), for the linear and the MLP mechanisms alike, and the
//! held-out objective is masked the same way; the refit regresses each node on its rows
//! ([`refit`]). Without a mask the arithmetic is the observational one, bit for bit.

pub mod distribution;
pub mod edges;

pub mod ordering;
pub mod refit;

use crate::canonical::Permutation;
use crate::error::{CoreError, Result};
use crate::graph::Mask;
use crate::learners::mlp_problem::restored_mechanism;
use crate::learners::params::{check_count, check_number, check_probability, one_or_many, MAX_COUNT};
use crate::learners::{Auto, Data, Fitted, Learner, Prior, Value};
use crate::linalg::gather_rows;
use crate::mlp::{Activation, Mlp};
use crate::optim::adam::Adam;
use crate::progress::{Progress, Status};
use crate::regression::gather_mask_rows;
use distribution::DagDistribution;
use edges::{bernoulli_kl, bernoulli_kl_gradient};
use faer::{Mat, MatRef};
use ordering::Relaxation;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;

pub use crate::mlp::{Mechanism, MAX_WIDTH};

/// Settings as front ends give them, with "auto" values; [`Config::resolve`] turns them into
/// the [`Settings`] of [`fit`]. Defaults in [`Config::default`].
#[derive(Debug, Clone, Serialize, Deserialize, SmartDefault)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Linear (default) or MLP mechanisms.
    #[default(Mechanism::Linear)]
    pub mechanism: Mechanism,
    /// Hidden-layer widths of each node's MLP (mechanism "mlp" only; default [16, 16, 16], the
    /// reference's).
    #[serde(deserialize_with = "one_or_many")]
    #[default(_code = "vec![16, 16, 16]")]
    pub hidden: Vec<usize>,
    /// λ, the weight of the mean Bernoulli KL; "auto": 0.01·(d − 1).
    #[default(Auto::Auto)]
    pub lambda_kl: Auto<f64>,
    /// p0 ∈ (0, 1): prior probability of an edge (default 0.01).
    #[default(0.01)]
    pub prior: f64,
    /// SoftSort temperature τ > 0 (default 1).
    #[default(1.0)]
    pub tau: f64,
    /// Adam's learning rate for θ and Φ (default 1e-2).
    #[default(1e-2)]
    pub lr_graph: f64,
    /// Adam's learning rate for the mechanisms; "auto": 1e-2 linear, 1e-3 MLP.
    #[default(Auto::Auto)]
    pub lr_mech: Auto<f64>,
    /// Rows per minibatch (default 64).
    #[default(64)]
    pub batch_size: usize,
    /// Epochs at most (default 5000).
    #[default(5000)]
    pub max_iter: usize,
    /// Epochs without improvement before stopping; "auto": 100 with the refit, 500 without.
    #[default(Auto::Auto)]
    pub patience: Auto<usize>,
    /// Relative improvement that resets the patience count, in [0, 1) (default 1e-2).
    #[default(1e-2)]
    pub tol: f64,
    /// Fraction of rows held out for early stopping, in [0, 0.5] (default 0.1).
    #[default(0.1)]
    pub validation_fraction: f64,
    /// An edge of the modal DAG needs σ(Φ_ij) above this, in (0, 1) (default 0.5).
    #[default(0.5)]
    pub edge_threshold: f64,
    /// Final refit of the linear mechanism; "auto": on for the linear mechanism.
    #[default(Auto::Auto)]
    pub refit: Auto<bool>,
    /// Orders drawn from q(π) for the refit, besides the modal one (default 500).
    #[default(500)]
    pub refit_orders: usize,
    /// Seed of the split, the initialisation, the minibatches and the samples.
    pub seed: u64,
}

/// Orders sampled to estimate the edge marginals when required edges make them inexact.
pub const N_ORDER_SAMPLES: usize = 10_000;

impl Config {
    /// Whether the final refit runs.
    pub fn refits(&self) -> bool {
        self.refit.resolve(|| self.mechanism == Mechanism::Linear)
    }

    /// The settings of [`fit`] for d variables.
    pub fn resolve(&self, d: usize) -> Settings {
        let linear = self.mechanism == Mechanism::Linear;
        let refit = self.refits();
        Settings {
            hidden: if linear { Vec::new() } else { self.hidden.clone() },
            lambda_kl: self.lambda_kl.resolve(|| 0.01 * d.saturating_sub(1) as f64),
            prior: self.prior,
            tau: self.tau,
            lr_graph: self.lr_graph,
            lr_mech: self.lr_mech.resolve(|| if linear { 1e-2 } else { 1e-3 }),
            batch_size: self.batch_size,
            max_iter: self.max_iter,
            patience: self.patience.resolve(|| if refit { 100 } else { 500 }),
            tol: self.tol,
            validation_fraction: self.validation_fraction,
            edge_threshold: self.edge_threshold,
            seed: self.seed,
            refit,
            refit_orders: self.refit_orders,
        }
    }
}

impl Learner for Config {
    const NAME: &'static str = "dpdag";

    fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(CoreError::InvalidParameter(what));
        if self.mechanism == Mechanism::Mlp
            && (self.hidden.is_empty() || self.hidden.iter().any(|&h| !(1..=MAX_WIDTH).contains(&h)))
        {
            return bad(format!(
                "hidden must be a non-empty sequence of layer widths in [1, {MAX_WIDTH}] for mechanism='mlp', got {:?}",
                self.hidden
            ));
        }
        if let Auto::Value(v) = self.lambda_kl {
            check_number("lambda_kl", v, 0.0, false)?;
        }
        check_number("tau", self.tau, 0.0, true)?;
        check_number("lr_graph", self.lr_graph, 0.0, true)?;
        if let Auto::Value(v) = self.lr_mech {
            check_number("lr_mech", v, 0.0, true)?;
        }
        check_probability("prior", self.prior)?;
        check_probability("edge_threshold", self.edge_threshold)?;
        if !(0.0..1.0).contains(&self.tol) {
            return bad(format!("tol must be in [0, 1), got {}", self.tol));
        }
        if !(0.0..=0.5).contains(&self.validation_fraction) {
            return bad(format!("validation_fraction must be in [0, 0.5], got {}", self.validation_fraction));
        }
        check_count("batch_size", self.batch_size, 1, MAX_COUNT)?;
        check_count("max_iter", self.max_iter, 1, MAX_COUNT)?;
        if let Auto::Value(v) = self.patience {
            check_count("patience", v, 1, MAX_COUNT)?;
        }
        check_count("refit_orders", self.refit_orders, 0, 1_000_000)?;
        if self.refit == Auto::Value(true) && self.mechanism != Mechanism::Linear {
            return bad("refit=True needs mechanism='linear' (the refit solves least-squares mechanisms \
                        exactly; the MLP has no such solution): use refit='auto' or False"
                .into());
        }
        Ok(())
    }

    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
        let x = data.rows(Self::NAME)?;
        let settings = self.resolve(x.ncols());
        let fit = fit_interventional(x, data.intervened, &settings, prior, progress)?;
        let distribution =
            DagDistribution::new(&fit.theta, fit.phi.as_ref(), prior.forbidden.as_ref(), prior.required.as_ref())?;
        let (probabilities, exact) = distribution.edge_probabilities(N_ORDER_SAMPLES, settings.seed);
        let mut fitted = Fitted::new(fit.raw_weights, fit.weights, prior, fit.n_iter, fit.converged, fit.history)?
            .with("order_scores", Value::NodeFloats(fit.theta))
            .with("edge_logits", Value::NodeMatrix(fit.phi))
            .with("edge_probabilities", Value::NodeMatrix(probabilities))
            .with("edge_probabilities_exact", exact)
            .with("validation_history", fit.validation)
            .with("best_epoch", fit.best_epoch)
            .with("n_steps", fit.n_steps)
            .with("n_refit_orders", fit.refit_orders)
            .with("refit_time", fit.refit_seconds)
            .with("mechanism_params", fit.mechanism);
        if settings.refit && (settings.lambda_kl == 0.0 || settings.prior >= 0.5) {
            fitted.warnings.push(format!(
                "lambda_kl = {} and prior = {} make an edge free (its price λ·log((1 − prior)/prior) is not \
                 positive): the refit keeps every predecessor that explains anything, a complete DAG on its order",
                settings.lambda_kl, settings.prior
            ));
        }
        Ok(fitted)
    }

    fn restore_extra(&self, name: &str, value: Value, perm: &Permutation) -> Result<Value> {
        match (name, value) {
            ("mechanism_params", Value::Floats(params)) => {
                restored_mechanism(&self.resolve(perm.len()).hidden, params, perm)
            }
            (_, value) => Ok(value),
        }
    }
}

/// Settings of [`fit`], every value resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Hidden layer widths of each node's MLP; empty for the linear mechanism.
    pub hidden: Vec<usize>,
    /// λ: weight of the mean Bernoulli KL.
    pub lambda_kl: f64,
    /// p0 ∈ (0, 1): prior probability of an edge.
    pub prior: f64,
    /// SoftSort temperature τ > 0.
    pub tau: f64,
    /// Adam's learning rate for θ and Φ.
    pub lr_graph: f64,
    /// Adam's learning rate for the mechanisms.
    pub lr_mech: f64,
    /// Rows per minibatch.
    pub batch_size: usize,
    /// Epochs at most.
    pub max_iter: usize,
    /// Epochs without a held-out loss lower by `tol` (relative) than the last such one before
    /// stopping; the best epoch is returned either way.
    pub patience: usize,
    /// Relative improvement that resets the patience count, in [0, 1).
    pub tol: f64,
    /// Fraction of the rows held out for early stopping, in [0, 0.5]; 0 monitors the training loss.
    pub validation_fraction: f64,
    /// An edge of the modal DAG needs σ(Φ_ij) above this, in (0, 1).
    pub edge_threshold: f64,
    /// Seed of the split, the initialisation, the minibatches and the samples.
    pub seed: u64,
    /// Replace the modal DAG by the refit of [`refit`] (linear mechanism only).
    pub refit: bool,
    /// Orders drawn from q(π) for the refit, besides the modal one.
    pub refit_orders: usize,
}

/// What [`fit`] returns (the parameters of the best epoch).
#[derive(Debug, Clone)]
pub struct Fit {
    /// Ordering scores θ.
    pub theta: Vec<f64>,
    /// Edge logits Φ.
    pub phi: Mat<f64>,
    /// The mechanisms' parameters (see [`Mlp::from_params`]).
    pub mechanism: Vec<f64>,
    /// The mechanisms' input weights without the modal mask (see [`Mlp::input_weights`]).
    pub raw_weights: Mat<f64>,
    /// The input weights on the modal DAG.
    pub weights: Mat<f64>,
    /// The modal DAG's 0/1 adjacency.
    pub adjacency: Mat<f64>,
    /// The modal order (θ descending, respecting required edges).
    pub order: Vec<usize>,
    /// Training objective of each epoch (mean minibatch loss, with the KL term).
    pub history: Vec<f64>,
    /// Held-out objective of the modal DAG after each epoch (training rows when none is held out).
    pub validation: Vec<f64>,
    /// Epochs run.
    pub n_iter: usize,
    /// Adam steps.
    pub n_steps: usize,
    /// The epoch whose parameters are returned (0-based).
    pub best_epoch: usize,
    /// Early stopping triggered before `max_iter`.
    pub converged: bool,
    /// Distinct orders the refit compared (0 without a refit).
    pub refit_orders: usize,
    /// Seconds the refit took.
    pub refit_seconds: f64,
}

fn validate(config: &Settings, n: usize, d: usize) -> Result<()> {
    let bad = |what: String| Err(CoreError::InvalidParameter(what));
    if !(config.lambda_kl >= 0.0 && config.lambda_kl.is_finite()) {
        return bad(format!("lambda_kl must be a finite number >= 0, got {}", config.lambda_kl));
    }
    for (name, value) in [("tau", config.tau), ("lr_graph", config.lr_graph), ("lr_mech", config.lr_mech)] {
        if !(value > 0.0 && value.is_finite()) {
            return bad(format!("{name} must be a finite number > 0, got {value}"));
        }
    }
    for (name, value) in [("prior", config.prior), ("edge_threshold", config.edge_threshold)] {
        if !(value > 0.0 && value < 1.0) {
            return bad(format!("{name} must be in (0, 1), got {value}"));
        }
    }
    if !(0.0..1.0).contains(&config.tol) {
        return bad(format!("tol must be in [0, 1), got {}", config.tol));
    }
    if !(0.0..=0.5).contains(&config.validation_fraction) {
        return bad(format!("validation_fraction must be in [0, 0.5], got {}", config.validation_fraction));
    }
    if config.batch_size == 0 || config.max_iter == 0 || config.patience == 0 {
        return bad("batch_size, max_iter and patience must be >= 1".into());
    }
    if config.refit && !config.hidden.is_empty() {
        return bad("refit needs the linear mechanism (hidden layers are empty)".into());
    }
    if n < 2 || d == 0 {
        return Err(CoreError::InvalidInput("X must have at least two rows and one column".into()));
    }
    Ok(())
}

/// The model being fitted: the DAG distribution and the mechanisms.
#[derive(Clone)]
struct Model {
    graph: DagDistribution,
    mechanism: Mlp,
}

impl Model {
    /// The number of off-diagonal entries, over which the KL term is averaged.
    fn kl_normaliser(&self) -> f64 {
        let d = self.graph.d();
        (d * d.saturating_sub(1)).max(1) as f64
    }

    /// λ · mean KL over the off-diagonal entries.
    fn kl(&self, config: &Settings) -> f64 {
        bernoulli_kl(self.graph.phi(), self.graph.states(), config.prior, self.kl_normaliser(), config.lambda_kl)
    }

    /// The objective of the modal DAG on the rows `x`: mean squared error (without the entries
    /// set in `intervened`, column-major rows×d) plus the KL term.
    fn modal_objective(&self, config: &Settings, x: MatRef<'_, f64>, intervened: Option<&[bool]>) -> f64 {
        let (_, adjacency) = self.graph.modal(config.edge_threshold);
        let sse = self.mechanism.squared_error(x, Some(&adjacency), intervened);
        sse / (x.nrows() * x.ncols()) as f64 + self.kl(config)
    }
}

/// Gradients and buffers of one step.
struct Step {
    grad_graph: Vec<f64>,
    grad_mech: Vec<f64>,
    grad_a: Vec<f64>,
}

/// One minibatch step's gradients (into `step`) for a sampled DAG, without the entries set in
/// `intervened` (column-major B×d); returns the mean squared error (the KL term's value, which
/// does not depend on the sample, is [`Model::kl`]).
fn loss_grad(
    model: &Model,
    config: &Settings,
    xb: MatRef<'_, f64>,
    intervened: Option<&[bool]>,
    rng: &mut ChaCha8Rng,
    relaxation: Relaxation,
    step: &mut Step,
) -> f64 {
    let d = model.graph.d();
    let probabilities = model.graph.probabilities();
    let (order, edges) = model.graph.sample(&probabilities, rng, config.tau, relaxation);
    let mask = order.mask(relaxation);
    let a: Vec<f64> = edges.values.iter().zip(&mask).map(|(u, b)| u * b).collect();
    let scale = 1.0 / (xb.nrows() * d) as f64;
    let sse = model.mechanism.squared_error_grad(
        xb,
        Some(&a),
        intervened,
        scale,
        &mut step.grad_mech,
        Some(&mut step.grad_a),
    );
    // A = U ∘ B: ∂L/∂U = G ∘ B, ∂L/∂B = G ∘ U
    let grad_u: Vec<f64> = step.grad_a.iter().zip(&mask).map(|(g, b)| g * b).collect();
    let grad_b: Vec<f64> = step.grad_a.iter().zip(&edges.values).map(|(g, u)| g * u).collect();
    let (grad_theta, grad_phi) = step.grad_graph.split_at_mut(d);
    grad_theta.copy_from_slice(&order.score_gradient(&order.permutation_gradient(&grad_b, relaxation)));
    grad_phi.iter_mut().for_each(|g| *g = 0.0);
    edges.add_logit_gradient(&grad_u, grad_phi);
    let phi = model.graph.phi();
    bernoulli_kl_gradient(
        phi,
        &probabilities,
        model.graph.states(),
        config.prior,
        model.kl_normaliser(),
        config.lambda_kl,
        grad_phi,
    );
    sse * scale
}

/// Fits DP-DAG to the (preprocessed) data `x` (n×d) under `prior`: forbidden entries are never
/// edges; required ones are always edges and constrain every order.
///
/// Errors: `InvalidParameter` for settings out of range or required edges forming a cycle;
/// `InvalidInput` for fewer than two rows or masks that are not d×d; `NonFinite` when the loss
/// leaves the float64 range (lower the learning rates or standardize); `Cancelled`.
pub fn fit(x: MatRef<'_, f64>, config: &Settings, prior: &Prior, progress: &mut dyn Progress) -> Result<Fit> {
    fit_interventional(x, None, config, prior, progress)
}

/// [`fit`] on data with perfect interventions: `intervened` (row-major n×d, `true` where row i
/// set node j) keeps node j's mechanism off the rows that set it (see the module docs); `None`
/// is [`fit`], bit for bit.
///
/// Errors: those of [`fit`]; `InvalidInput` for a mask of the wrong size or a node intervened
/// on in every row.
pub fn fit_interventional(
    x: MatRef<'_, f64>,
    intervened: Option<&Mask>,
    config: &Settings,
    prior: &Prior,
    progress: &mut dyn Progress,
) -> Result<Fit> {
    let (n, d) = (x.nrows(), x.ncols());
    validate(config, n, d)?;
    if let Some(mask) = intervened {
        if mask.len() != n * d {
            return Err(CoreError::InvalidInput(format!(
                "the intervention mask must have shape ({n}, {d}), got {} entries",
                mask.len()
            )));
        }
        if let Some(j) = (0..d).find(|&j| (0..n).all(|r| mask[r * d + j])) {
            return Err(CoreError::InvalidInput(format!(
                "node {j} is intervened on in every row: its equation has no rows to be fitted on"
            )));
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);

    // held-out rows first, then the training rows
    let mut rows: Vec<usize> = (0..n).collect();
    rows.shuffle(&mut rng);
    let n_held = ((config.validation_fraction * n as f64).floor() as usize).min(n - 1);
    let (held_rows, train_rows) = rows.split_at(n_held);
    let mut train_rows = train_rows.to_vec();
    let mut held = Mat::<f64>::zeros(0, d);
    gather_rows(x, if n_held > 0 { held_rows } else { &train_rows }, &mut held);
    let held_mask = intervened.map(|mask| {
        let mut out = Vec::new();
        gather_mask_rows(mask, d, if n_held > 0 { held_rows } else { &train_rows }, &mut out);
        out
    });

    // θ = 0, Φ ~ U(0, 1) as the reference
    let phi = Mat::from_fn(d, d, |_, _| rng.random_range(0.0..1.0));
    let graph = DagDistribution::new(&vec![0.0; d], phi.as_ref(), prior.forbidden.as_ref(), prior.required.as_ref())?;
    let mechanism = Mlp::new(d, &config.hidden, Activation::Relu, &mut rng)?;
    let mut model = Model { graph, mechanism };
    let mut best = model.clone();

    let mut adam_graph = Adam::new(model.graph.params.len(), 0.9, 0.999, 1e-8);
    let mut adam_mech = Adam::new(model.mechanism.params.len(), 0.9, 0.999, 1e-8);
    let mut step = Step {
        grad_graph: vec![0.0; d + d * d],
        grad_mech: vec![0.0; model.mechanism.params.len()],
        grad_a: vec![0.0; d * d],
    };
    let mut next_graph = vec![0.0; model.graph.params.len()];
    let mut next_mech = vec![0.0; model.mechanism.params.len()];
    let batch = config.batch_size.min(train_rows.len());
    let mut xb = Mat::<f64>::zeros(batch, d);
    let mut batch_mask = Vec::new();
    let (mut history, mut validation) = (Vec::new(), Vec::new());
    let (mut best_value, mut best_epoch, mut since_best, mut mark) = (f64::INFINITY, 0, 0, f64::INFINITY);
    let (mut n_steps, mut converged) = (0, false);
    let non_finite = |epoch: usize| {
        CoreError::NonFinite(format!(
            "DP-DAG's loss or its gradient left the float64 range at epoch {epoch} (standardize the data, or lower lambda_kl or lr_mech)"
        ))
    };
    for epoch in 0..config.max_iter {
        train_rows.shuffle(&mut rng);
        let mut epoch_loss = 0.0;
        for chunk in train_rows.chunks(batch) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            gather_rows(x, chunk, &mut xb);
            let masked = intervened.map(|mask| {
                gather_mask_rows(mask, d, chunk, &mut batch_mask);
                batch_mask.as_slice()
            });
            let loss = loss_grad(&model, config, xb.as_ref(), masked, &mut rng, Relaxation::Hard, &mut step);
            // Adam squares the gradient: beyond ~1e150 its second moment is infinite and every
            // step is silently zero, so such a gradient is as fatal as a non-finite one
            let too_large = |g: &f64| g.is_nan() || g.abs() >= 1e150;
            if !loss.is_finite() || step.grad_mech.iter().any(too_large) || step.grad_graph.iter().any(too_large) {
                return Err(non_finite(epoch));
            }
            epoch_loss += loss * chunk.len() as f64;
            adam_graph.step(&mut model.graph.params, &step.grad_graph, config.lr_graph, &mut next_graph);
            adam_mech.step(&mut model.mechanism.params, &step.grad_mech, config.lr_mech, &mut next_mech);
            n_steps += 1;
        }
        let train_loss = epoch_loss / train_rows.len() as f64 + model.kl(config);
        let held_loss = model.modal_objective(config, held.as_ref(), held_mask.as_deref());
        if !held_loss.is_finite() {
            return Err(non_finite(epoch));
        }
        history.push(train_loss);
        validation.push(held_loss);
        progress.report(&Status {
            iteration: epoch + 1,
            max_iter: config.max_iter,
            objective: held_loss,
            quantities: &[],
        });
        if held_loss < best_value {
            (best_value, best_epoch) = (held_loss, epoch);
            best = model.clone();
        }
        // patience counts epochs without a relative improvement of `tol` on the last mark
        if !mark.is_finite() || held_loss < mark - config.tol * mark.abs() {
            (mark, since_best) = (held_loss, 0);
        } else {
            since_best += 1;
            if since_best >= config.patience {
                converged = epoch + 1 < config.max_iter;
                break;
            }
        }
    }

    let started = std::time::Instant::now();
    let (order, adjacency, refit_orders) = if config.refit {
        // an edge surely present costs λ log(1/p0), one surely absent λ log(1/(1 − p0)), per d(d − 1)
        let price = config.lambda_kl * libm::log((1.0 - config.prior) / config.prior) / best.kl_normaliser();
        let out = refit::refit(x, intervened, &best.graph, price, config.refit_orders, rng.random(), progress)?;
        best.mechanism.set_linear(out.weights.as_ref(), &out.bias)?;
        (out.order, out.adjacency, out.n_orders)
    } else {
        let (order, adjacency) = best.graph.modal(config.edge_threshold);
        (order, Mat::from_fn(d, d, |i, j| adjacency[j * d + i]), 0)
    };
    let refit_seconds = if config.refit { started.elapsed().as_secs_f64() } else { 0.0 };
    let raw_weights = best.mechanism.input_weights();
    let weights = Mat::from_fn(d, d, |i, j| raw_weights[(i, j)] * adjacency[(i, j)]);
    Ok(Fit {
        theta: best.graph.theta().to_vec(),
        phi: best.graph.phi_matrix(),
        mechanism: best.mechanism.params.clone(),
        raw_weights,
        weights,
        adjacency,
        order,
        n_iter: history.len(),
        history,
        validation,
        n_steps,
        best_epoch,
        converged,
        refit_orders,
        refit_seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::is_dag;
    use crate::progress::Silent;
    use rand_distr::{Distribution, Normal};

    fn config(hidden: Vec<usize>) -> Settings {
        Settings {
            hidden,
            lambda_kl: 0.1,
            prior: 0.01,
            tau: 1.0,
            lr_graph: 1e-2,
            lr_mech: 1e-2,
            batch_size: 64,
            max_iter: 200,
            patience: 20,
            tol: 0.0,
            validation_fraction: 0.1,
            edge_threshold: 0.5,
            seed: 0,
            refit: false,
            refit_orders: 0,
        }
    }

    /// A chain 0 → 1 → 2 with weights 1.5 and unit noise.
    fn chain(n: usize, seed: u64) -> Mat<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut x = Mat::<f64>::zeros(n, 3);
        for r in 0..n {
            x[(r, 0)] = normal.sample(&mut rng);
            x[(r, 1)] = 1.5 * x[(r, 0)] + normal.sample(&mut rng);
            x[(r, 2)] = 1.5 * x[(r, 1)] + normal.sample(&mut rng);
        }
        x
    }

    #[test]
    fn soft_relaxation_gradients_match_finite_differences() {
        // On the relaxed forward pass (SoftSort P̂, binary-concrete U) the straight-through
        // formulas are exact gradients; the same noise is replayed for every evaluation. With and
        // without a mask of intervened entries (column-major 7×4).
        let d = 4;
        let x = Mat::from_fn(7, d, |r, j| ((r * 5 + j * 3) % 7) as f64 / 3.0 - 1.0);
        let mask: Vec<bool> = (0..7 * d).map(|k| (k / 7 == 0 && k % 7 < 2) || (k / 7 == 2 && k % 7 >= 5)).collect();
        for (hidden, intervened) in
            [(vec![], None), (vec![3, 2], None), (vec![], Some(mask.as_slice())), (vec![3, 2], Some(mask.as_slice()))]
        {
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            let phi = Mat::from_fn(d, d, |_, _| rng.random_range(-1.0..1.0));
            let theta: Vec<f64> = (0..d).map(|_| rng.random_range(-0.5..0.5)).collect();
            let graph = DagDistribution::new(&theta, phi.as_ref(), None, None).unwrap();
            let mechanism = Mlp::new(d, &hidden, Activation::Relu, &mut rng).unwrap();
            let model = Model { graph, mechanism };
            let cfg = Settings { tau: 0.8, ..config(hidden.clone()) };
            let n_mech = model.mechanism.params.len();
            let mut step =
                Step { grad_graph: vec![0.0; d + d * d], grad_mech: vec![0.0; n_mech], grad_a: vec![0.0; d * d] };
            let evaluate = |m: &Model, step: &mut Step| {
                loss_grad(m, &cfg, x.as_ref(), intervened, &mut ChaCha8Rng::seed_from_u64(4), Relaxation::Soft, step)
                    + m.kl(&cfg)
            };
            evaluate(&model, &mut step);
            let (grad_graph, grad_mech) = (step.grad_graph.clone(), step.grad_mech.clone());
            let h = 1e-6;
            for (k, &analytic) in grad_graph.iter().enumerate() {
                if k >= d && (k - d) % (d + 1) == 0 {
                    continue; // the diagonal is never an edge
                }
                let (mut plus, mut minus) = (model.clone(), model.clone());
                plus.graph.params[k] += h;
                minus.graph.params[k] -= h;
                let numeric = (evaluate(&plus, &mut step) - evaluate(&minus, &mut step)) / (2.0 * h);
                assert!(
                    (numeric - analytic).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "graph {k} {hidden:?}: {numeric} vs {analytic}"
                );
            }
            for k in (0..n_mech).step_by(3) {
                let (mut plus, mut minus) = (model.clone(), model.clone());
                plus.mechanism.params[k] += h;
                minus.mechanism.params[k] -= h;
                let numeric = (evaluate(&plus, &mut step) - evaluate(&minus, &mut step)) / (2.0 * h);
                assert!(
                    (numeric - grad_mech[k]).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "mech {k}: {numeric} vs {}",
                    grad_mech[k]
                );
            }
        }
    }

    #[test]
    fn learns_a_chain_and_returns_a_reproducible_dag() {
        let x = chain(1000, 1);
        let cfg = Settings { max_iter: 2000, patience: 200, tol: 1e-2, ..config(vec![]) };
        let out = fit(x.as_ref(), &cfg, &Prior::default(), &mut Silent).unwrap();
        assert!(is_dag(out.weights.as_ref()));
        let edges: Vec<(usize, usize)> =
            (0..3).flat_map(|i| (0..3).map(move |j| (i, j))).filter(|&(i, j)| out.adjacency[(i, j)] != 0.0).collect();
        // the chain or its reversal (Markov equivalent), without the shortcut
        assert!(edges == vec![(0, 1), (1, 2)] || edges == vec![(1, 0), (2, 1)], "{edges:?}");
        let again = fit(x.as_ref(), &cfg, &Prior::default(), &mut Silent).unwrap();
        assert_eq!(out.weights, again.weights);
        assert_eq!(out.history, again.history);
    }

    #[test]
    fn prior_knowledge_holds_and_bad_settings_are_errors() {
        let x = chain(300, 2);
        let d = 3;
        let mut forbidden = vec![false; d * d];
        forbidden[1] = true; // 0 → 1
        forbidden[3] = true; // 1 → 0
        let mut required = vec![false; d * d];
        required[2 * d] = true; // 2 → 0
        let cfg = Settings { max_iter: 20, ..config(vec![4]) };
        let prior = Prior { forbidden: Some(forbidden), required: Some(required) };
        let out = fit(x.as_ref(), &cfg, &prior, &mut Silent).unwrap();
        assert_eq!(out.adjacency[(0, 1)], 0.0);
        assert_eq!(out.adjacency[(1, 0)], 0.0);
        assert_eq!(out.adjacency[(2, 0)], 1.0);
        assert!(is_dag(out.adjacency.as_ref()));
        for bad in [
            Settings { prior: 1.0, ..config(vec![]) },
            Settings { validation_fraction: 0.7, ..config(vec![]) },
            Settings { hidden: vec![0], ..config(vec![]) },
        ] {
            assert!(fit(x.as_ref(), &bad, &Prior::default(), &mut Silent).is_err());
        }
    }

    #[test]
    fn interventional_fits_are_dags_and_no_mask_is_the_observational_fit() {
        // The chain plus 300 rows setting node 1 to a shifted value: linear (with the refit) and
        // MLP fits are DAGs and differ from the pooled fits; without a mask, fit_interventional
        // is fit, bit for bit; a node set in every row is an error.
        let n = 900;
        let mut x = chain(n, 3);
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut mask = vec![false; n * 3];
        for r in 600..n {
            mask[r * 3 + 1] = true;
            x[(r, 1)] = 3.0 + normal.sample(&mut rng);
            x[(r, 2)] = 1.5 * x[(r, 1)] + normal.sample(&mut rng);
        }
        for cfg in [
            Settings { max_iter: 60, refit: true, refit_orders: 20, ..config(vec![]) },
            Settings { max_iter: 20, ..config(vec![4]) },
        ] {
            let out = fit_interventional(x.as_ref(), Some(&mask), &cfg, &Prior::default(), &mut Silent).unwrap();
            assert!(is_dag(out.adjacency.as_ref()));
            let pooled = fit(x.as_ref(), &cfg, &Prior::default(), &mut Silent).unwrap();
            assert!(out.history != pooled.history);
            let none = fit_interventional(x.as_ref(), None, &cfg, &Prior::default(), &mut Silent).unwrap();
            assert_eq!(none.weights, pooled.weights);
            assert_eq!(none.history, pooled.history);
            assert_eq!(none.validation, pooled.validation);
        }
        let cfg = Settings { max_iter: 5, ..config(vec![]) };
        let everywhere: Mask = (0..n * 3).map(|k| k % 3 == 1).collect();
        assert!(fit_interventional(x.as_ref(), Some(&everywhere), &cfg, &Prior::default(), &mut Silent).is_err());
        assert!(
            fit_interventional(x.as_ref(), Some(&mask[1..].to_vec()), &cfg, &Prior::default(), &mut Silent).is_err()
        );
    }
}
