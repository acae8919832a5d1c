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

/// The augmented Lagrangian's coefficients of one subproblem, and λ2.
#[derive(Debug, Clone, Copy)]
struct Lagrangian {
    rho: f64,
    alpha: f64,
    lambda2: f64,
}

/// The smooth part ½n⁻¹SSE + (λ2/2)‖θ‖² + (ρ/2)h² + αh at `p` and its gradient (OWL-QN adds the
/// L1 term); +∞ where it is not finite or h is outside its domain (the line search backtracks).
fn smooth_objective(
    problem: &mut MlpProblem<'_>,
    penalty: &Penalty,
    terms: Lagrangian,
    p: &[f64],
    grad: &mut [f64],
    grad_h: &mut [f64],
) -> Result<f64> {
    let Lagrangian { rho, alpha, lambda2 } = terms;
    let scale = 0.5 / problem.x.nrows() as f64;
    let h = match problem.acyclicity(p, penalty, Some(grad_h)) {
        Err(CoreError::OutsideDomain(_)) => return Ok(f64::INFINITY),
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
}

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
            let objective = |p: &[f64], grad: &mut [f64]| -> Result<f64> {
                smooth_objective(&mut problem, &penalty, Lagrangian { rho, alpha, lambda2 }, p, grad, &mut grad_h)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acyclicity::PenaltyKind;
    use faer::Mat;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_augmented_objective_gradient_matches_finite_differences() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x = Mat::from_fn(15, 4, |_, _| rng.random_range(-1.0..1.0));
        let data = Data::observational(x.as_ref());
        let mut problem = MlpProblem::new(&data, &[3, 2], 0.1, &Prior::default(), 9, false).unwrap();
        let p0 = problem.mlp.params.clone();
        let terms = Lagrangian { rho: 3.0, alpha: 0.7, lambda2: 0.05 };
        for kind in [PenaltyKind::Expm, PenaltyKind::Logdet] {
            let penalty = Penalty::new(kind, 50.0).unwrap();
            let mut grad_h = vec![0.0; p0.len()];
            let mut grad = vec![0.0; p0.len()];
            smooth_objective(&mut problem, &penalty, terms, &p0, &mut grad, &mut grad_h).unwrap();
            let mut scratch = vec![0.0; p0.len()];
            let step = 1e-6;
            let free = problem.free.clone();
            for k in (0..p0.len()).filter(|&k| free[k]) {
                let (mut plus, mut minus) = (p0.clone(), p0.clone());
                plus[k] += step;
                minus[k] -= step;
                let up = smooth_objective(&mut problem, &penalty, terms, &plus, &mut scratch, &mut grad_h).unwrap();
                let down = smooth_objective(&mut problem, &penalty, terms, &minus, &mut scratch, &mut grad_h).unwrap();
                let numeric = (up - down) / (2.0 * step);
                assert!(
                    (numeric - grad[k]).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "{kind:?} {k}: {numeric} vs {}",
                    grad[k]
                );
            }
        }
    }
}
