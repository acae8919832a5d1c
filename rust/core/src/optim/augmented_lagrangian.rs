//! The augmented-Lagrangian schedule of NOTEARS (Zheng et al., NeurIPS 2018) for
//! min F(x) subject to h(x) = 0.
//!
//! Start with ρ = 1, α = 0, h = +∞. Each outer step solves min F + (ρ/2)h² + αh from the last
//! accepted iterate, multiplying ρ by 10 and re-solving (again from the last accepted iterate)
//! while the new h is above a quarter of the old one; it then accepts, sets α += ρh and stops
//! once h ≤ `h_tol` or ρ ≥ `rho_max`.

use crate::error::Result;
use crate::progress::{Progress, Status};

/// Schedule parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Cap on outer (dual ascent) steps.
    pub max_iter: usize,
    /// Target acyclicity residual.
    pub h_tol: f64,
    /// Largest penalty parameter.
    pub rho_max: f64,
}

/// What one subproblem solve returns.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The solution of the subproblem.
    pub x: Vec<f64>,
    /// h at `x`.
    pub h: f64,
    /// The score (without the Lagrangian terms) at `x`, for the history.
    pub score: f64,
    /// Objective evaluations the solve used.
    pub n_evals: usize,
}

/// Result of [`run`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Last accepted iterate.
    pub x: Vec<f64>,
    /// h at `x` (+∞ when no step was accepted).
    pub h: f64,
    /// Final ρ.
    pub rho: f64,
    /// Outer steps accepted.
    pub n_iter: usize,
    /// Objective evaluations over all subproblems.
    pub n_evals: usize,
    /// Score after each accepted outer step.
    pub history: Vec<f64>,
}

/// Runs the schedule. `solve(x_start, rho, alpha, progress)` minimises the augmented objective.
pub fn run<S>(x0: Vec<f64>, schedule: &Schedule, mut solve: S, progress: &mut dyn Progress) -> Result<Outcome>
where
    S: FnMut(&[f64], f64, f64, &mut dyn Progress) -> Result<Solved>,
{
    let (mut rho, mut alpha, mut h) = (1.0, 0.0, f64::INFINITY);
    let mut x = x0;
    let mut history = Vec::new();
    let mut n_evals = 0;
    for step in 0..schedule.max_iter {
        let mut solved: Option<Solved> = None;
        while rho < schedule.rho_max {
            let candidate = solve(&x, rho, alpha, &mut *progress)?;
            n_evals += candidate.n_evals;
            let too_slow = candidate.h > 0.25 * h;
            solved = Some(candidate);
            if too_slow {
                rho *= 10.0;
            } else {
                break;
            }
        }
        let Some(accepted) = solved else { break };
        x = accepted.x;
        h = accepted.h;
        alpha += rho * h;
        history.push(accepted.score);
        progress.report(&Status {
            iteration: step + 1,
            max_iter: schedule.max_iter,
            objective: accepted.score,
            quantities: &[("h", h), ("rho", rho)],
        });
        if h <= schedule.h_tol || rho >= schedule.rho_max {
            break;
        }
    }
    Ok(Outcome { x, h, rho, n_iter: history.len(), n_evals, history })
}
