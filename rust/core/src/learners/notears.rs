//! NOTEARS: min L(W) + λ1‖W‖₁ subject to h(W) = 0 (Zheng, Aragam, Ravikumar, Xing,
//! "DAGs with NO TEARS: Continuous Optimization for Structure Learning", NeurIPS 2018).
//!
//! The L1 term is handled as in the paper's reference code: W = W⁺ − W⁻ with W± ≥ 0, so each
//! augmented-Lagrangian subproblem is smooth and bound-constrained, solved by
//! [`crate::optim::lbfgsb`]. The diagonal and forbidden entries are not variables at all.

use crate::acyclicity::Penalty;
use crate::error::{CoreError, Result};
use crate::graph::{project_to_dag, threshold, Mask};
use crate::loss::Loss;
use crate::optim::augmented_lagrangian::{self, Schedule, Solved};
use crate::optim::lbfgsb::{self, minimize_nonnegative};
use crate::progress::Progress;
use faer::Mat;

/// Settings of [`fit`]; the defaults are the reference code's.
#[derive(Debug, Clone)]
pub struct Config {
    /// L1 weight λ1 ≥ 0 (default 0.1).
    pub lambda1: f64,
    /// Cap on outer (dual ascent) steps (default 100).
    pub max_iter: usize,
    /// Target h (default 1e-8).
    pub h_tol: f64,
    /// Largest ρ (default 1e16).
    pub rho_max: f64,
    /// |w| below this is dropped at the end (default 0.3).
    pub w_threshold: f64,
    /// Acyclicity penalty (default expm).
    pub penalty: Penalty,
    /// Inner solver settings (default: scipy's L-BFGS-B defaults).
    pub inner: lbfgsb::Options,
    /// Entries fixed at zero (row-major d×d), e.g. from prior knowledge.
    pub forbidden: Option<Mask>,
    /// Entries exempt from the L1 term, the threshold and the cycle projection.
    pub required: Option<Mask>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lambda1: 0.1,
            max_iter: 100,
            h_tol: 1e-8,
            rho_max: 1e16,
            w_threshold: 0.3,
            penalty: Penalty::Expm,
            inner: lbfgsb::Options::default(),
            forbidden: None,
            required: None,
        }
    }
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

fn validate(config: &Config, d: usize) -> Result<()> {
    let bad = |what: String| Err(CoreError::InvalidParameter(what));
    if !(config.lambda1 >= 0.0 && config.lambda1.is_finite()) {
        return bad(format!("lambda1 must be a finite number >= 0, got {}", config.lambda1));
    }
    if !(config.w_threshold >= 0.0) {
        return bad(format!("w_threshold must be >= 0, got {}", config.w_threshold));
    }
    if !(config.h_tol > 0.0) {
        return bad(format!("h_tol must be > 0, got {}", config.h_tol));
    }
    if !(config.rho_max > 1.0) {
        return bad(format!("rho_max must be > 1, got {}", config.rho_max));
    }
    for (name, mask) in [("forbidden", &config.forbidden), ("required", &config.required)] {
        if mask.as_ref().is_some_and(|m| m.len() != d * d) {
            return bad(format!("the {name} mask must have d*d = {} entries", d * d));
        }
    }
    Ok(())
}

/// Fits NOTEARS to `loss` (which carries the data).
pub fn fit(loss: &Loss, config: &Config, progress: &mut dyn Progress) -> Result<Fit> {
    let d = loss.dim();
    validate(config, d)?;
    let forbidden = |i: usize, j: usize| config.forbidden.as_ref().is_some_and(|m| m[i * d + j]);
    let required = |i: usize, j: usize| config.required.as_ref().is_some_and(|m| m[i * d + j]);
    let vars: Vec<(usize, usize)> =
        (0..d).flat_map(|i| (0..d).map(move |j| (i, j))).filter(|&(i, j)| i != j && !forbidden(i, j)).collect();
    let l1: Vec<f64> = vars.iter().map(|&(i, j)| if required(i, j) { 0.0 } else { config.lambda1 }).collect();
    let k = vars.len();
    let to_matrix = |x: &[f64]| {
        let mut w = Mat::<f64>::zeros(d, d);
        for (v, &(i, j)) in vars.iter().enumerate() {
            w[(i, j)] = x[v] - x[v + k];
        }
        w
    };
    let penalty = config.penalty;
    let score = |w: &Mat<f64>, x: &[f64]| -> (f64, Mat<f64>) {
        let (value, grad) = loss.value_grad(w.as_ref());
        let l1_term: f64 = (0..k).map(|v| l1[v] * (x[v] + x[v + k])).sum();
        (value + l1_term, grad)
    };
    let schedule = Schedule { max_iter: config.max_iter, h_tol: config.h_tol, rho_max: config.rho_max };

    let outcome = augmented_lagrangian::run(
        vec![0.0; 2 * k],
        &schedule,
        |start, rho, alpha, progress: &mut dyn Progress| {
            let objective = |x: &[f64], grad: &mut [f64]| -> Result<f64> {
                let w = to_matrix(x);
                let (s, g_loss) = score(&w, x);
                let (h, g_h) = penalty.value_grad(w.as_ref())?;
                if !s.is_finite() || !h.is_finite() {
                    return Ok(f64::INFINITY);
                }
                let c = rho * h + alpha;
                for (v, &(i, j)) in vars.iter().enumerate() {
                    let g = g_loss[(i, j)] + c * g_h[(i, j)];
                    grad[v] = g + l1[v];
                    grad[v + k] = -g + l1[v];
                }
                Ok(s + 0.5 * rho * h * h + alpha * h)
            };
            let solved = minimize_nonnegative(start, objective, &config.inner, progress)?;
            let w = to_matrix(&solved.x);
            let (h, _) = penalty.value_grad(w.as_ref())?;
            let (s, _) = score(&w, &solved.x);
            Ok(Solved { x: solved.x, h, score: s, n_evals: solved.n_evals })
        },
        progress,
    )?;

    let raw_weights = to_matrix(&outcome.x);
    let thresholded = threshold(raw_weights.as_ref(), config.w_threshold, config.required.as_ref());
    let weights = project_to_dag(thresholded.as_ref(), config.required.as_ref())?;
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
