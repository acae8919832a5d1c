//! COSMO's final refit (our addition): W fitted exactly to the t → 0 limit of the objective with
//! the learned orientation held.
//!
//! S becomes the hard mask and the loss, now convex in W, is minimised on all rows (not
//! minibatches):
//!   (1/(n d))‖X − XW‖² + λ1‖W‖₁ + λ2‖W‖_F  over the allowed entries, the others 0.
//! The minibatch Adam of the epochs never settles (its graph still changes in the last tenth,
//! while t falls 12-fold); this gives the weights the learned orientation calls for, and a
//! convergence test with a meaning.
//!
//! ‖W‖_F couples the columns; it is majorised at the current W⁰ by ‖W‖²/(2c) + c/2
//! (c = ‖W⁰‖_F), which leaves one elastic net per column ([`ElasticNet`]), solved exactly and in
//! parallel; c is then updated until it settles (majorise–minimise: the objective never
//! increases). At W = 0, the kink of ‖W‖_F, the optimality condition is tested directly.

use super::Config;
use crate::error::{CoreError, Result};
use crate::progress::Progress;
use crate::regression::{soft_threshold, Covariance, ElasticNet, Solution, Stopping};
use faer::{Mat, MatRef};
use rayon::prelude::*;

/// One entry of W the refit may set: row i, column j, its λ1, and whether λ1 and λ2 apply
/// (not for required edges).
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) row: usize,
    pub(super) column: usize,
    pub(super) l1: f64,
    pub(super) penalised: bool,
}

/// Cap on the outer (majorise–minimise) rounds of [`refit`].
const REFIT_MAX_OUTER: usize = 50;
/// Relative tolerance of the refit: of ‖W‖_F between rounds, and of the optimality conditions
/// within a column.
const REFIT_TOL: f64 = 1e-7;
/// When a column's elastic net stops: at most 20 passes of up to 100 coordinate-descent sweeps
/// and an active-set step each.
const COLUMN_STOPPING: Stopping = Stopping { max_passes: 20, max_sweeps_per_pass: 100, tol: REFIT_TOL };

/// Minimises the t → 0 objective (see the module docs) on the (uncentred) rows `x` over the
/// `allowed` entries, from the annealed weights `start`. Returns W, whether the refit settled
/// (every column's elastic net optimal and ‖W‖_F steady, or W = 0 optimal) and the rounds run.
///
/// Errors: `InvalidInput` for X without rows; `Cancelled`.
pub(super) fn refit(
    x: MatRef<'_, f64>,
    start: &Mat<f64>,
    allowed: &[Entry],
    config: &Config,
    progress: &mut dyn Progress,
) -> Result<(Mat<f64>, bool, usize)> {
    let d = x.ncols();
    let covariance = Covariance::from_data(x)?;
    // The data term is (2/d)·½n⁻¹‖X − XW‖² = (2/d)·½ tr((I − W)ᵀΣ(I − W)).
    let scale = 2.0 / d as f64;
    let mut parents: Vec<Vec<Entry>> = vec![Vec::new(); d];
    for entry in allowed {
        parents[entry.column].push(*entry);
    }
    let mut w = Mat::<f64>::zeros(d, d);
    for e in allowed {
        w[(e.row, e.column)] = start[(e.row, e.column)];
    }
    // ‖W‖_F over the penalised entries (required edges are not penalised), safe from underflow.
    let penalised_norm =
        |w: &Mat<f64>| scaled_norm(allowed.iter().filter(|e| e.penalised).map(|e| w[(e.row, e.column)]));
    let solve_columns = |w: &Mat<f64>, ridge: f64, progress: &mut dyn Progress| -> Result<Vec<Solution>> {
        // Columns in parallel, a few per thread at a time, so that a Ctrl-C is seen within a
        // fraction of a second even at d = 1000 (each column is solved alone: the result does
        // not depend on the threads).
        let chunk = 4 * rayon::current_num_threads().max(2);
        let mut solved = Vec::with_capacity(d);
        for first in (0..d).step_by(chunk) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let columns = first..(first + chunk).min(d);
            let chunk_solved: Result<Vec<Solution>> = columns
                .into_par_iter()
                .map(|j| {
                    let warm: Vec<f64> = parents[j].iter().map(|e| w[(e.row, j)]).collect();
                    solve_column(&covariance, j, &parents[j], warm, scale, ridge)
                })
                .collect();
            solved.extend(chunk_solved?);
        }
        Ok(solved)
    };
    let mut converged = false;
    let mut rounds = 0;
    while rounds < REFIT_MAX_OUTER {
        rounds += 1;
        if zero_is_optimal(&covariance, &parents, &w, scale, config.lambda2) {
            // Every penalised entry at 0 (the penalty's kink): fit the required edges alone,
            // then W is the minimiser if 0 is still optimal for the rest.
            for e in allowed.iter().filter(|e| e.penalised) {
                w[(e.row, e.column)] = 0.0;
            }
            let mut all_settled = true;
            for (j, p) in parents.iter().enumerate() {
                let required: Vec<Entry> = p.iter().filter(|e| !e.penalised).copied().collect();
                let warm: Vec<f64> = required.iter().map(|e| w[(e.row, j)]).collect();
                let solution = solve_column(&covariance, j, &required, warm, scale, 0.0)?;
                all_settled &= solution.optimal;
                for (e, v) in required.iter().zip(solution.coefficients) {
                    w[(e.row, j)] = v;
                }
            }
            if zero_is_optimal(&covariance, &parents, &w, scale, config.lambda2) {
                converged = all_settled;
                break;
            }
        }
        let c = penalised_norm(&w);
        // From W = 0 (where the majoriser is undefined) a first round without λ2 starts the path.
        let ridge = if c > 0.0 { config.lambda2 / c } else { 0.0 };
        let solved = solve_columns(&w, ridge, progress)?;
        let mut all_settled = true;
        for (j, solution) in solved.into_iter().enumerate() {
            all_settled &= solution.optimal;
            for (e, v) in parents[j].iter().zip(solution.coefficients) {
                w[(e.row, j)] = v;
            }
        }
        if !all_settled {
            break; // more rounds do not help a column that cannot be solved (e.g. a singular one)
        }
        let c_new = penalised_norm(&w);
        if (c_new - c).abs() <= REFIT_TOL * c_new {
            converged = true;
            break;
        }
    }
    Ok((w, converged, rounds))
}

/// The elastic net of column j on its allowed `entries`, from `warm`: λ1 per entry, and the
/// majoriser of λ2‖W‖_F as a ridge on the penalised entries.
fn solve_column(
    covariance: &Covariance,
    j: usize,
    entries: &[Entry],
    warm: Vec<f64>,
    scale: f64,
    ridge: f64,
) -> Result<Solution> {
    let rows: Vec<usize> = entries.iter().map(|e| e.row).collect();
    let l1: Vec<f64> = entries.iter().map(|e| e.l1).collect();
    let ridges: Vec<f64> = entries.iter().map(|e| if e.penalised { ridge } else { 0.0 }).collect();
    ElasticNet::new(covariance, j, &rows, &l1, &ridges, scale)?.solve(warm, &COLUMN_STOPPING)
}

/// The Euclidean norm of `values` without underflow or overflow (scaled by the largest |value|).
fn scaled_norm(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let largest = values.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    largest * values.map(|v| (v / largest) * (v / largest)).sum::<f64>().sqrt()
}

/// Whether W with every penalised entry at 0 (the required ones as in `w`) is the minimiser: at
/// the kink of λ2‖W‖_F the optimality condition is ‖soft(−∇, λ1)‖ ≤ λ2 over the penalised
/// entries. Majorise–minimise only approaches that point geometrically, so it is tested directly.
fn zero_is_optimal(covariance: &Covariance, parents: &[Vec<Entry>], w: &Mat<f64>, scale: f64, lambda2: f64) -> bool {
    let gradients = parents.iter().enumerate().flat_map(|(j, p)| {
        p.iter().filter(|e| e.penalised).map(move |e| {
            // −∂/∂W_ij of the data term with the penalised entries at 0
            let fitted: f64 =
                p.iter().filter(|r| !r.penalised).map(|r| covariance[(e.row, r.row)] * w[(r.row, j)]).sum();
            soft_threshold(scale * (covariance[(e.row, j)] - fitted), e.l1)
        })
    });
    scaled_norm(gradients) <= lambda2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::cosmo::tests::{config, data};
    use crate::progress::Silent;

    #[test]
    fn refit_meets_the_optimality_conditions() {
        // The t → 0 objective on the upper triangle: at the refit's answer every allowed entry
        // satisfies the subgradient conditions of (2/d)·½n⁻¹‖X − XW‖² + λ1‖W‖₁ + λ2‖W‖_F.
        let (n, d) = (400, 6);
        let x = data(n, d, 5);
        let cfg = Config { lambda1: 0.02, lambda2: 0.05, ..config() };
        let allowed: Vec<usize> = (0..d * d).filter(|&k| k % d < k / d).collect();
        let entries: Vec<Entry> =
            allowed.iter().map(|&k| Entry { row: k % d, column: k / d, l1: cfg.lambda1, penalised: true }).collect();
        let (w, converged, rounds) = refit(x.as_ref(), &Mat::zeros(d, d), &entries, &cfg, &mut Silent).unwrap();
        assert!(converged && rounds >= 1);
        let sigma = Covariance::from_data(x.as_ref()).unwrap();
        let (scale, norm) = (2.0 / d as f64, w.norm_l2());
        let mut nonzero = 0;
        for &k in &allowed {
            let (i, j) = (k % d, k / d);
            let fitted: f64 = (0..d).map(|m| sigma[(i, m)] * w[(m, j)]).sum();
            // minus the smooth part's gradient
            let g = scale * (sigma[(i, j)] - fitted) - cfg.lambda2 * w[(i, j)] / norm;
            if w[(i, j)] != 0.0 {
                nonzero += 1;
                assert!((g - cfg.lambda1 * w[(i, j)].signum()).abs() < 1e-6, "({i},{j}): {g}");
            } else {
                assert!(g.abs() <= cfg.lambda1 + 1e-6, "({i},{j}): {g}");
            }
        }
        // the chain's edges are found, and λ1 zeroes some of the rest
        assert!((1..d).all(|j| w[(j - 1, j)] > 0.5));
        assert!(nonzero < allowed.len());
        // entries outside `allowed` stay 0
        assert!((0..d * d).filter(|k| !allowed.contains(k)).all(|k| w[(k % d, k / d)] == 0.0));
    }
}
