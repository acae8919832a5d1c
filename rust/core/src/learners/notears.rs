//! NOTEARS: min L(W) + λ1‖W‖₁ subject to h(W) = 0 (Zheng, Aragam, Ravikumar, Xing,
//! "DAGs with NO TEARS: Continuous Optimization for Structure Learning", NeurIPS 2018).
//!
//! Each augmented-Lagrangian subproblem min L + (ρ/2)h² + αh + λ1‖W‖₁ is solved by OWL-QN
//! ([`crate::optim::owlqn`]) directly on W's free entries. (The reference code splits
//! W = W⁺ − W⁻ ≥ 0 for L-BFGS-B; on the benchmark, OWL-QN needs about half the evaluations on a
//! vector half as long, at equal or lower final objectives.) The diagonal and forbidden entries
//! are not variables at all.

use crate::acyclicity::{Penalty, PenaltyKind};
use crate::canonical::Permutation;
use crate::constraints::Variables;
use crate::error::{CoreError, Result};
use crate::graph::{project_to_dag, threshold};
use crate::learners::mlp_problem::restored_mechanism;
use crate::learners::notears_mlp;
use crate::learners::params::{check_count, check_number, one_or_many, Auto};
use crate::learners::{Data, Fitted, Learner, Prior, Value};
use crate::loss::{Loss, LossType};
use crate::mlp::{check_hidden, Mechanism, MAX_WIDTH};
use crate::optim::augmented_lagrangian::{self, Schedule, Solved};
use crate::optim::lbfgs;
use crate::optim::owlqn::minimize_l1;
use crate::progress::Progress;
use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;

/// Settings of [`fit`]; the defaults are the reference code's.
#[derive(Debug, Clone, Serialize, Deserialize, SmartDefault)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// L1 weight λ1 ≥ 0; "auto": 0.1 linear (the linear reference's), 0.01 MLP (the
    /// nonlinear reference's example).
    #[default(Auto::Auto)]
    pub lambda1: Auto<f64>,
    /// Linear W (default) or one MLP per node ([`super::notears_mlp`]).
    #[default(Mechanism::Linear)]
    pub mechanism: Mechanism,
    /// Hidden-layer widths of each node's MLP (mechanism "mlp"; default [10], the reference's).
    #[serde(deserialize_with = "one_or_many")]
    #[default(_code = "vec![10]")]
    pub hidden: Vec<usize>,
    /// L2 weight λ2 ≥ 0 on the MLP weights; "auto": 0.01 (the nonlinear reference's example).
    /// The linear mechanism has no L2 term ("auto" or 0 only).
    #[default(Auto::Auto)]
    pub lambda2: Auto<f64>,
    /// Seed of the MLPs' initial weights (the linear mechanism starts at W = 0).
    #[default(0)]
    pub seed: u64,
    /// The score: least squares (default), logistic or Poisson.
    #[default(LossType::L2)]
    pub loss_type: LossType,
    /// Cap on outer (dual ascent) steps (default 100).
    #[default(100)]
    pub max_iter: usize,
    /// Target h (default 1e-8).
    #[default(1e-8)]
    pub h_tol: f64,
    /// Largest ρ (default 1e16).
    #[default(1e16)]
    pub rho_max: f64,
    /// |w| below this is dropped at the end (default 0.3).
    #[default(0.3)]
    pub w_threshold: f64,
    /// Acyclicity penalty (default expm).
    #[default(PenaltyKind::Expm)]
    pub penalty: PenaltyKind,
    /// The log-det penalty's parameter s > 0 (default 1): W must keep ρ(W∘W) < s.
    #[default(1.0)]
    pub s: f64,
    /// Cap on the inner solver's iterations per subproblem (default 15000, scipy's L-BFGS-B
    /// `maxiter`): with `max_iter` it bounds the work, at most max_iter·inner_max_iter
    /// iterations of a few evaluations each.
    #[default(15000)]
    pub inner_max_iter: usize,
    /// Inner solver settings (default: the stopping rules of scipy's L-BFGS-B).
    #[serde(skip)]
    #[default(lbfgs::Options::default())]
    pub inner: lbfgs::Options,
}

/// What [`fit`] returns.
#[derive(Debug, Clone)]
pub struct Fit {
    /// The optimiser's W before thresholding (may hold small cycles).
    pub raw_weights: Mat<f64>,
    /// Thresholded and projected W: always a DAG.
    pub weights: Mat<f64>,
    /// h of `raw_weights`.
    pub h: f64,
    /// Final ρ.
    pub rho: f64,
    /// Outer steps accepted.
    pub n_iter: usize,
    /// Loss + gradient evaluations.
    pub n_evals: usize,
    /// h ≤ h_tol at the end.
    pub converged: bool,
    /// Score L(W) + λ1‖W‖₁ after each outer step.
    pub history: Vec<f64>,
}

impl Learner for Config {
    const NAME: &'static str = "notears";

    fn validate(&self) -> Result<()> {
        check_number("lambda1", self.lambda1(), 0.0, false)?;
        check_number("lambda2", self.lambda2(), 0.0, false)?;
        if self.mechanism == Mechanism::Linear && self.lambda2() != 0.0 {
            return Err(CoreError::InvalidParameter(format!(
                "lambda2 applies to mechanism='mlp' only (the linear NOTEARS has no L2 term), got {}",
                self.lambda2()
            )));
        }
        if self.mechanism == Mechanism::Mlp {
            if self.hidden.is_empty() {
                return Err(CoreError::InvalidParameter(format!(
                    "hidden must be a non-empty sequence of layer widths in [1, {MAX_WIDTH}] for mechanism='mlp', got []"
                )));
            }
            check_hidden(&self.hidden)?;
            if self.loss_type != LossType::L2 {
                return Err(CoreError::InvalidParameter(
                    "mechanism='mlp' fits the least-squares loss only (loss_type='l2')".into(),
                ));
            }
        }
        check_number("w_threshold", self.w_threshold, 0.0, false)?;
        check_count("max_iter", self.max_iter, 1, 10_000_000)?;
        check_count("inner_max_iter", self.inner_max_iter, 1, 10_000_000)?;
        check_number("h_tol", self.h_tol, 0.0, true)?;
        check_number("rho_max", self.rho_max, 1.0, true)?;
        check_number("s", self.s, 0.0, true)
    }

    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
        if self.mechanism == Mechanism::Mlp {
            self.validate()?;
            return notears_mlp::fit(data, self, self.lambda1(), self.lambda2(), prior, progress);
        }
        let fit = fit(&data.loss(self.loss_type, "NOTEARS")?, self, prior, progress)?;
        let fitted = Fitted::new(fit.raw_weights, fit.weights, prior, fit.n_iter, fit.converged, fit.history)?;
        Ok(fitted.with("h", fit.h).with("rho", fit.rho).with("n_evals", fit.n_evals))
    }

    fn restore_extra(&self, name: &str, value: Value, perm: &Permutation) -> Result<Value> {
        match (name, value) {
            ("mechanism_params", Value::Floats(params)) => restored_mechanism(&self.hidden, params, perm),
            (_, value) => Ok(value),
        }
    }
}

impl Config {
    /// λ1 with "auto" resolved.
    pub fn lambda1(&self) -> f64 {
        self.lambda1.resolve(|| if self.mechanism == Mechanism::Mlp { 0.01 } else { 0.1 })
    }

    /// λ2 with "auto" resolved.
    pub fn lambda2(&self) -> f64 {
        self.lambda2.resolve(|| if self.mechanism == Mechanism::Mlp { 0.01 } else { 0.0 })
    }
}

/// Fits NOTEARS to `loss` (which carries the data) under `prior`: forbidden entries are fixed
/// at 0; required ones are exempt from the L1 term, the threshold and the cycle projection.
///
/// Errors: `InvalidParameter` for settings out of range, `InvalidInput` for a prior that fails
/// [`Prior::check`], and the optimiser's (`Cancelled`, numerical failures).
pub fn fit(loss: &Loss, config: &Config, prior: &Prior, progress: &mut dyn Progress) -> Result<Fit> {
    let d = loss.dim();
    config.validate()?;
    prior.check(d)?;
    let vars = Variables::new(d, config.lambda1(), prior.forbidden.as_ref(), prior.required.as_ref());
    let (k, l1) = (vars.len(), &vars.l1);
    // The optimiser's vector x holds W's free entries, column by column.
    let fill = |x: &[f64], buffer: &mut [f64]| vars.fill(|v| x[v], buffer);
    let to_matrix = |x: &[f64]| {
        let mut buffer = vec![0.0; d * d];
        fill(x, &mut buffer);
        MatRef::from_column_major_slice(&buffer, d, d).to_owned()
    };
    let l1_term = |x: &[f64]| -> f64 { (0..k).map(|v| l1[v] * x[v].abs()).sum() };
    let penalty = Penalty::new(config.penalty, config.s)?;
    let schedule = Schedule { max_iter: config.max_iter, h_tol: config.h_tol, rho_max: config.rho_max };

    let outcome = augmented_lagrangian::run(
        vec![0.0; k],
        &schedule,
        |start, rho, alpha, progress: &mut dyn Progress| {
            let mut buffer = vec![0.0; d * d];
            // The smooth part L + (ρ/2)h² + αh and its gradient; OWL-QN adds the L1 term.
            let objective = |x: &[f64], grad: &mut [f64]| -> Result<f64> {
                fill(x, &mut buffer);
                let w = MatRef::from_column_major_slice(&buffer, d, d);
                let (value, g_loss) = loss.value_grad(w);
                let (h, g_h) = match penalty.value_grad(w) {
                    Err(CoreError::OutsideDomain(_)) => return Ok(f64::INFINITY), // line search backtracks
                    other => other?,
                };
                if !value.is_finite() || !h.is_finite() {
                    return Ok(f64::INFINITY);
                }
                let c = rho * h + alpha;
                for (v, &(i, j)) in vars.entries.iter().enumerate() {
                    grad[v] = g_loss.col_as_slice(j)[i] + c * g_h.col_as_slice(j)[i];
                }
                Ok(value + 0.5 * rho * h * h + alpha * h)
            };
            let inner = lbfgs::Options { max_iter: config.inner_max_iter, ..config.inner };
            let solved = minimize_l1(start, objective, l1, &inner, progress)?;
            let w = to_matrix(&solved.x);
            let (h, _) = penalty.value_grad(w.as_ref())?;
            let score = loss.value_grad(w.as_ref()).0 + l1_term(&solved.x);
            Ok(Solved { x: solved.x, h, score, n_evals: solved.n_evals })
        },
        progress,
    )?;

    let raw_weights = to_matrix(&outcome.x);
    let thresholded = threshold(raw_weights.as_ref(), config.w_threshold, prior.required.as_ref());
    let weights = project_to_dag(thresholded.as_ref(), prior.required.as_ref())?;
    Ok(Fit {
        raw_weights,
        weights,
        h: outcome.h,
        rho: outcome.rho,
        n_iter: outcome.n_iter,
        n_evals: outcome.n_evals,
        converged: outcome.h <= config.h_tol,
        history: outcome.history,
    })
}
