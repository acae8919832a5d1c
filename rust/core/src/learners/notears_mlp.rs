//! NOTEARS-MLP: min ½n⁻¹Σ(x̂ − x)² + (λ2/2)‖θ‖² + λ1‖θ¹‖₁ subject to h(W(θ)) = 0, with one
//! sigmoid MLP per node and W_ij the L2 norm of the first-layer weights from input i into node
//! j's network (Zheng, Dan, Aragam, Ravikumar, Xing, "Learning Sparse Nonparametric DAGs",
//! AISTATS 2020).
//!
//! The augmented Lagrangian is the reference's ([`crate::optim::augmented_lagrangian`]); each
//! subproblem is solved by OWL-QN ([`crate::optim::owlqn`]) directly on θ, the L1 term on the
//! first-layer weights. (The reference splits the first layer θ¹ = θ⁺ − θ⁻ ≥ 0 for L-BFGS-B.)
//! Pieces shared with DAGMA-MLP: [`super::mlp_problem`].

use crate::acyclicity::Penalty;
use crate::error::{CoreError, Result};
use crate::graph::{project_to_dag, threshold};
use crate::learners::mlp_problem::MlpProblem;
use crate::learners::notears::Config;
use crate::learners::{Data, Fitted, Prior, Value};
use crate::optim::augmented_lagrangian::{self, Schedule, Solved};
use crate::optim::lbfgs;
use crate::optim::owlqn::minimize_l1;
use crate::progress::Progress;

/// Fits NOTEARS-MLP with hidden widths `hidden`, weights `lambda1`, `lambda2` and the rest of
/// `config` (penalty, schedule, threshold, seed) under `prior`.
///
/// Errors: `InvalidParameter` for bad widths; `InvalidInput` for a bad prior or mask; the
/// optimiser's (`Cancelled`, numerical failures).
pub fn fit(
    data: &Data<'_>,
    config: &Config,
    lambda1: f64,
    lambda2: f64,
    prior: &Prior,
    progress: &mut dyn Progress,
) -> Result<Fitted> {
    let n = data.x.nrows();
    let mut problem = MlpProblem::new(data, &config.hidden, lambda1, prior, config.seed, false)?;
    let penalty = Penalty::new(config.penalty, config.s)?;
    let schedule = Schedule { max_iter: config.max_iter, h_tol: config.h_tol, rho_max: config.rho_max };
    let scale = 0.5 / n as f64;
    let l1 = problem.l1.clone();
    let inner = lbfgs::Options { max_iter: config.inner_max_iter, ..config.inner };
    let mut grad_h = vec![0.0; problem.len()];
    let start = problem.mlp.params.clone();
    let outcome = augmented_lagrangian::run(
        start,
        &schedule,
        |start, rho, alpha, progress: &mut dyn Progress| {
            // The smooth part ½n⁻¹SSE + (λ2/2)‖θ‖² + (ρ/2)h² + αh; OWL-QN adds the L1 term.
            let objective = |p: &[f64], grad: &mut [f64]| -> Result<f64> {
                let h = match problem.acyclicity(p, &penalty, Some(&mut grad_h)) {
                    Err(CoreError::OutsideDomain(_)) => return Ok(f64::INFINITY), // line search backtracks
                    other => other?,
                };
                let sse = problem.sse_grad(p, grad);
                if !sse.is_finite() || !h.is_finite() {
                    return Ok(f64::INFINITY);
                }
                let c = rho * h + alpha;
                for (q, g) in grad.iter_mut().enumerate() {
                    *g = scale * *g + lambda2 * problem.is_weight[q] * p[q] + c * grad_h[q];
                }
                problem.clear_fixed(grad);
                Ok(scale * sse + lambda2 * problem.half_squared_norm(p) + 0.5 * rho * h * h + alpha * h)
            };
            let solved = minimize_l1(start, objective, &l1, &inner, progress)?;
            let h = problem.acyclicity(&solved.x, &penalty, None)?;
            let score = scale * problem.sse(&solved.x)
                + lambda2 * problem.half_squared_norm(&solved.x)
                + problem.l1_norm(&solved.x);
            Ok(Solved { x: solved.x, h, score, n_evals: solved.n_evals })
        },
        progress,
    )?;

    let raw_weights = problem.weights(&outcome.x);
    let thresholded = threshold(raw_weights.as_ref(), config.w_threshold, prior.required.as_ref());
    let weights = project_to_dag(thresholded.as_ref(), prior.required.as_ref())?;
    let converged = outcome.h <= config.h_tol;
    let fitted = Fitted::new(raw_weights, weights, prior, outcome.n_iter, converged, outcome.history)?;
    Ok(fitted
        .with("h", outcome.h)
        .with("rho", outcome.rho)
        .with("n_evals", outcome.n_evals)
        .with("mechanism_params", Value::Floats(outcome.x)))
}
