//! DAGMA-MLP: the log-det central path with one sigmoid MLP per node (Bello, Aragam, Ravikumar,
//! "DAGMA: Learning DAGs via M-matrices and a Log-Determinant Acyclicity Characterization",
//! NeurIPS 2022; the reference's `DagmaMLP` / `DagmaNonlinear`).
//!
//! For t = 0..T−1, from the previous solution (first layer 0 at the start):
//!   θ_{t+1} = argmin_θ  μ_t (Q(θ) + λ1‖θ¹‖₁) + (μ_t λ2/2)‖θ‖² + h_{s_t}(W(θ)),  μ_{t+1} = μ_factor·μ_t,
//! with the log-MSE score Q = (d/2)·log(n⁻¹Σ(x̂ − x)²), W_ij the L2 norm of the first-layer
//! weights from input i into node j's network ([`super::mlp_problem`]) and the L2 term on every
//! parameter (the reference's Adam `weight_decay = μλ2`). Inner solvers as in
//! [`super::dagma`]:
//! - [`InnerSolver::Adam`]: the reference's loop: Adam (β 0.99, 0.999), the relative change of
//!   the objective checked every `checkpoint` iterations against `tol`; when h leaves its domain
//!   the stage restarts from its start with lr halved, lr ×0.8 every 1000 iterations and s = 1
//!   (the halved lr carries over to later stages, as in the reference).
//! - [`InnerSolver::Lbfgs`]: OWL-QN on the stage objective divided by μ, h = +∞ outside the
//!   domain so that the line search backtracks.
//! - [`InnerSolver::Hybrid`]: Adam until the relative change per checkpoint falls to
//!   `hybrid_tol`, then OWL-QN from there.
//!
//! "auto" is OWL-QN: on mim and mlp data (ER2, d = 10 and 20) it ended at about the Adam path's
//! SHD in 4–40× fewer evaluations (benchmarks/RESULTS.md, "Nonlinear learners").

use crate::acyclicity::Penalty;
use crate::error::{CoreError, Result};
use crate::graph::{project_to_dag, threshold};
use crate::learners::dagma::{final_h, Config, InnerSolver, Path};
use crate::learners::mlp_problem::MlpProblem;
use crate::learners::{Data, Fitted, Prior, Value};
use crate::optim::adam::Adam;
use crate::optim::lbfgs;
use crate::optim::owlqn::minimize_l1;
use crate::progress::{Progress, Status};

/// A stage's result: parameters, objective (without the L2 term), evaluations, iterations.
type Stage = (Vec<f64>, f64, usize, usize);

/// The stage's terms at θ: returns (Q, h) and writes ∂/∂θ of μQ + (μλ2)·θ-decay + h into `grad`
/// (L1 not included). `None` outside the log-det domain.
struct Terms<'p, 'a> {
    problem: &'p mut MlpProblem<'a>,
    penalty: Penalty,
    lambda2: f64,
    grad_h: Vec<f64>,
}

impl Terms<'_, '_> {
    /// μQ + h and its gradient plus the weight decay μλ2θ; `None` outside the domain.
    fn smooth(&mut self, theta: &[f64], mu: f64, grad: &mut [f64]) -> Result<Option<(f64, f64)>> {
        let h = match self.problem.acyclicity(theta, &self.penalty, Some(&mut self.grad_h)) {
            Err(CoreError::OutsideDomain(_)) => return Ok(None),
            other => other?,
        };
        let (n, d) = (self.problem.x.nrows() as f64, self.problem.x.ncols() as f64);
        let sse = self.problem.sse_grad(theta, grad);
        let q = 0.5 * d * libm::log(sse / n);
        let dq = 0.5 * d / sse;
        for (k, g) in grad.iter_mut().enumerate() {
            *g = mu * (dq * *g + self.lambda2 * theta[k]) + self.grad_h[k];
        }
        self.problem.clear_fixed(grad);
        Ok(Some((q, h)))
    }
}

// A stage's state (start, μ, s, lr) and the limits it runs under are the algorithm's arguments.
#[allow(clippy::too_many_arguments)]
fn stage_adam(
    terms: &mut Terms<'_, '_>,
    start: &[f64],
    mu: f64,
    iterations: usize,
    lr_start: f64,
    lr_decay: bool,
    tol: f64,
    config: &Config,
    progress: &mut dyn Progress,
) -> Result<Option<Stage>> {
    let len = start.len();
    let l1 = terms.problem.l1.clone();
    let mut theta = start.to_vec();
    let mut grad = vec![0.0; len];
    let mut scratch = vec![0.0; len];
    let mut adam = Adam::new(len, config.betas.0, config.betas.1, 1e-8);
    let (mut lr, mut previous, mut n_evals, mut iter) = (lr_start, 1e16, 0, 0);
    while iter < iterations {
        if progress.should_stop() {
            return Err(CoreError::Cancelled);
        }
        let Some((q, h)) = terms.smooth(&theta, mu, &mut grad)? else { return Ok(None) };
        n_evals += 1;
        let mut l1_norm = 0.0;
        for k in 0..len {
            if l1[k] > 0.0 {
                let sign = f64::from(u8::from(theta[k] > 0.0)) - f64::from(u8::from(theta[k] < 0.0));
                grad[k] += mu * l1[k] * sign;
                l1_norm += l1[k] * theta[k].abs();
            }
        }
        let objective = mu * (q + l1_norm) + h;
        adam.step(&mut theta, &grad, lr, &mut scratch);
        if lr_decay && (iter + 1) % 1000 == 0 {
            lr *= 0.8;
        }
        let checked = iter % config.checkpoint == 0 || iter + 1 == iterations;
        iter += 1;
        if checked {
            if ((previous - objective) / previous).abs() <= tol {
                break;
            }
            previous = objective;
        }
    }
    let Some((q, h)) = terms.smooth(&theta, mu, &mut grad)? else { return Ok(None) };
    let objective = mu * (q + terms.problem.l1_norm(&theta)) + h;
    Ok(Some((theta, objective, n_evals + 1, iter)))
}

fn stage_owlqn(
    terms: &mut Terms<'_, '_>,
    start: &[f64],
    mu: f64,
    iterations: usize,
    progress: &mut dyn Progress,
) -> Result<Stage> {
    let l1 = terms.problem.l1.clone();
    // (μQ + (μλ2/2)‖θ‖² + h)/μ: the same minimiser, values of order Q for the relative stopping
    // rule. OWL-QN adds λ1‖θ¹‖₁.
    let objective = |theta: &[f64], grad: &mut [f64]| -> Result<f64> {
        let Some((q, h)) = terms.smooth(theta, mu, grad)? else { return Ok(f64::INFINITY) };
        if !q.is_finite() {
            return Ok(f64::INFINITY);
        }
        grad.iter_mut().for_each(|g| *g /= mu);
        let decay = 0.5 * terms.lambda2 * theta.iter().map(|t| t * t).sum::<f64>();
        Ok(q + decay + h / mu)
    };
    let options = lbfgs::Options { max_iter: iterations, ..lbfgs::Options::default() };
    let out = minimize_l1(start, objective, &l1, &options, progress)?;
    let mut grad = vec![0.0; start.len()];
    let (q, h) = terms.smooth(&out.x, mu, &mut grad)?.unwrap_or((f64::INFINITY, f64::INFINITY));
    let objective = mu * (q + terms.problem.l1_norm(&out.x)) + h;
    Ok((out.x, objective, out.n_evals, out.n_iter))
}

/// Fits DAGMA-MLP under `prior` with `config`'s settings ("auto" resolved by [`Config::path`]).
///
/// Errors: `InvalidParameter` for bad widths; `InvalidInput` for a bad prior or mask;
/// `Numerical` when no stage start lies in the log-det domain; `Cancelled`.
pub fn fit(data: &Data<'_>, config: &Config, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
    let Path { lambda1, lambda2, t_stages, mu_init, s, warm_iter, max_iter, lr, solver } = config.path();
    let mut problem = MlpProblem::new(data, &config.hidden, lambda1, prior, config.seed, true)?;
    let mut theta = problem.mlp.params.clone();
    let len = theta.len();
    let mut terms =
        Terms { problem: &mut problem, penalty: Penalty::LogDet { s: 1.0 }, lambda2, grad_h: vec![0.0; len] };
    let (mut mu, mut lr) = (mu_init, lr);
    let (mut n_evals, mut n_iter) = (0, 0);
    let mut history = Vec::with_capacity(t_stages);
    let mut s_used = Vec::with_capacity(t_stages);
    for t in 0..t_stages {
        let iterations = if t + 1 == t_stages { max_iter } else { warm_iter };
        let mut s_now = s[t.min(s.len() - 1)];
        let mut lr_decay = false;
        let (next, objective, evals, iters) = loop {
            terms.penalty = Penalty::LogDet { s: s_now };
            let solved = match solver {
                InnerSolver::Lbfgs => {
                    let mut grad = vec![0.0; len];
                    match terms.smooth(&theta, mu, &mut grad)? {
                        Some(_) => Some(stage_owlqn(&mut terms, &theta, mu, iterations, progress)?),
                        None => None, // the start is outside this s's domain
                    }
                }
                InnerSolver::Adam | InnerSolver::Hybrid | InnerSolver::Auto => {
                    let tol = if solver == InnerSolver::Adam { config.tol } else { config.hybrid_tol };
                    let adam = stage_adam(&mut terms, &theta, mu, iterations, lr, lr_decay, tol, config, progress)?;
                    match adam {
                        Some((after, _, evals, iters)) if solver == InnerSolver::Hybrid => {
                            let (x, objective, more_evals, more_iters) =
                                stage_owlqn(&mut terms, &after, mu, iterations, progress)?;
                            Some((x, objective, evals + more_evals, iters + more_iters))
                        }
                        other => other,
                    }
                }
            };
            match solved {
                Some(stage) => break stage,
                // the reference: restart the stage with lr halved, its decay on and s = 1
                None => {
                    lr *= 0.5;
                    lr_decay = true;
                    if lr < 1e-10 {
                        return Err(CoreError::Numerical(format!(
                            "DAGMA-MLP left the log-det domain at every learning rate down to 1e-10 (stage {})",
                            t + 1
                        )));
                    }
                    s_now = if s_now < 1.0 { 1.0 } else { s_now + 0.1 };
                }
            }
        };
        theta = next;
        n_evals += evals;
        n_iter = iters;
        history.push(objective);
        s_used.push(s_now);
        progress.report(&Status {
            iteration: t + 1,
            max_iter: t_stages,
            objective,
            quantities: &[("mu", mu), ("s", s_now)],
        });
        mu *= config.mu_factor;
    }
    let raw_weights = problem.weights(&theta);
    let h = final_h(raw_weights.as_ref())?;
    let thresholded = threshold(raw_weights.as_ref(), config.w_threshold, prior.required.as_ref());
    let weights = project_to_dag(thresholded.as_ref(), prior.required.as_ref())?;
    let fitted = Fitted::new(raw_weights, weights, prior, n_iter, h <= config.h_tol, history)?;
    Ok(fitted
        .with("h", h)
        .with("n_evals", n_evals)
        .with("s_used", s_used)
        .with("mechanism_params", Value::Floats(theta)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_stage_gradient_matches_finite_differences() {
        // μ·(d/2)log(SSE/n) + (μλ2/2)‖θ‖² + h_s, the smooth part of a stage (the decay is the
        // gradient of that L2 term)
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x = Mat::from_fn(12, 4, |_, _| rng.random_range(-1.0..1.0));
        let data = Data::observational(x.as_ref());
        let mut problem = MlpProblem::new(&data, &[3], 0.02, &Prior::default(), 5, false).unwrap();
        let theta = problem.mlp.params.iter().map(|v| 0.5 * v).collect::<Vec<_>>();
        let (mu, lambda2) = (0.3, 0.01);
        let len = theta.len();
        let mut terms =
            Terms { problem: &mut problem, penalty: Penalty::LogDet { s: 5.0 }, lambda2, grad_h: vec![0.0; len] };
        let mut value = |theta: &[f64], grad: &mut [f64]| -> f64 {
            let (q, h) = terms.smooth(theta, mu, grad).unwrap().unwrap();
            mu * q + 0.5 * mu * lambda2 * theta.iter().map(|t| t * t).sum::<f64>() + h
        };
        let mut grad = vec![0.0; len];
        value(&theta, &mut grad);
        let mut scratch = vec![0.0; len];
        let step = 1e-6;
        for k in (0..len).filter(|&k| grad[k] != 0.0) {
            let (mut plus, mut minus) = (theta.clone(), theta.clone());
            plus[k] += step;
            minus[k] -= step;
            let numeric = (value(&plus, &mut scratch) - value(&minus, &mut scratch)) / (2.0 * step);
            assert!((numeric - grad[k]).abs() < 1e-6 * (1.0 + numeric.abs()), "{k}: {numeric} vs {}", grad[k]);
        }
    }
}
