//! The lasso path by least angle regression, and the BIC choice along it.
//!
//! LARS with the lasso modification (Efron, Hastie, Johnstone & Tibshirani, "Least Angle
//! Regression", Annals of Statistics 2004) on the Gram matrix G = XᵀX and c₀ = Xᵀy: it walks the
//! exact piecewise-linear lasso path from β = 0, adding the predictor most correlated with the
//! residual and dropping one whose coefficient crosses zero. [`bic_lasso`] picks the breakpoint
//! with the lowest Bayesian information criterion, as scikit-learn's `LassoLarsIC` does
//! (Zou, Hastie & Tibshirani, "On the degrees of freedom of the lasso", 2007: the number of
//! nonzero coefficients).

use super::cholesky::Cholesky;
use crate::error::{CoreError, Result};
use faer::Mat;

/// Correlations below this fraction of the first one count as zero (the path has reached the
/// least-squares fit).
const TINY: f64 = 1e-12;

/// The smallest strictly positive value, or +∞.
fn min_positive(values: impl Iterator<Item = f64>) -> f64 {
    values.filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min)
}

/// The breakpoints β of the lasso path of min ½‖y − Xβ‖² + α‖β‖₁, from α = max |c₀| down to the
/// least-squares fit (or as far as the active predictors stay independent).
///
/// As in the reference algorithm, the level of the active correlations at each step is the
/// largest |correlation| among the inactive predictors (the next one to join), not the active
/// ones' own, which drift from it by rounding: the choices along the path then do not depend
/// on the last bits of the data.
pub fn lasso_path(gram: &Mat<f64>, xty: &[f64]) -> Result<Vec<Vec<f64>>> {
    let k = xty.len();
    if gram.nrows() != k || gram.ncols() != k {
        return Err(CoreError::InvalidInput("the Gram matrix and Xᵀy disagree in size".into()));
    }
    let mut beta = vec![0.0; k];
    let mut path = vec![beta.clone()];
    let mut active: Vec<usize> = Vec::new();
    let mut signs: Vec<f64> = Vec::new();
    // correlations of the inactive predictors with the residual (the active ones' are the level)
    let mut correlation: Vec<f64> = xty.to_vec();
    let first = correlation.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    let mut dropped = false;
    for _ in 0..(8 * k + 8) {
        let inactive: Vec<usize> = (0..k).filter(|j| !active.contains(j)).collect();
        // the level: the largest inactive |correlation| (the first among ties)
        let Some(&next) =
            inactive.iter().max_by(|&&a, &&b| correlation[a].abs().total_cmp(&correlation[b].abs()).then(b.cmp(&a)))
        else {
            break;
        };
        let level = correlation[next].abs();
        if level <= TINY * first {
            break;
        }
        if !dropped {
            active.push(next);
            signs.push(correlation[next].signum());
        }
        dropped = false;
        // equiangular direction: G_AA w = s_A, scaled to unit correlation change
        let Ok(factor) = Cholesky::from_fn(active.len(), |a, b| gram[(active[a], active[b])]) else {
            break; // dependent predictors: the path ends here
        };
        let w = factor.solve(&signs);
        let norm = signs.iter().zip(&w).map(|(s, v)| s * v).sum::<f64>();
        if norm.is_nan() || norm <= 0.0 {
            break;
        }
        let scale = 1.0 / norm.sqrt();
        let direction: Vec<f64> = w.iter().map(|v| v * scale).collect();
        let rate = |j: usize| active.iter().zip(&direction).map(|(&i, d)| gram[(j, i)] * d).sum::<f64>();
        let others: Vec<(usize, f64)> = (0..k).filter(|j| !active.contains(j)).map(|j| (j, rate(j))).collect();
        // the step to the next join (or to the least-squares fit)
        let joins = min_positive(
            others
                .iter()
                .flat_map(|&(j, a)| [(level - correlation[j]) / (scale - a), (level + correlation[j]) / (scale + a)]),
        );
        let mut gamma = joins.min(level / scale);
        // the lasso modification: an active coefficient that would cross zero first is dropped
        let crossing = min_positive(active.iter().zip(&direction).map(|(&i, d)| -beta[i] / d));
        let drop_at = if crossing < gamma {
            gamma = crossing;
            active.iter().zip(&direction).position(|(&i, d)| -beta[i] / d == crossing)
        } else {
            None
        };
        for (&i, d) in active.iter().zip(&direction) {
            beta[i] += gamma * d;
        }
        for &(j, a) in &others {
            correlation[j] -= gamma * a;
        }
        if let Some(a) = drop_at {
            let i = active.remove(a);
            signs.remove(a);
            beta[i] = 0.0;
            // its correlation with the residual, computed afresh
            correlation[i] = xty[i] - (0..k).map(|m| gram[(i, m)] * beta[m]).sum::<f64>();
            dropped = true;
        }
        path.push(beta.clone());
        if !dropped && active.len() == k && gamma >= level / scale {
            break; // the least-squares fit
        }
    }
    Ok(path)
}

/// The adaptive-lasso coefficients chosen by BIC: the lasso path on the predictors scaled by
/// `weights` (e.g. |β_OLS|), each breakpoint scored by n·log(2πσ²) + RSS/σ² + log(n)·df with the
/// noise variance σ² given, the lowest kept (the first among ties), scaled back.
pub fn bic_lasso(
    gram: &Mat<f64>,
    xty: &[f64],
    yty: f64,
    n: usize,
    weights: &[f64],
    noise_variance: f64,
) -> Result<Vec<f64>> {
    let k = xty.len();
    let scaled = Mat::from_fn(k, k, |i, j| gram[(i, j)] * weights[i] * weights[j]);
    let scaled_xty: Vec<f64> = xty.iter().zip(weights).map(|(c, w)| c * w).collect();
    let nf = n as f64;
    let mut best: Option<(f64, Vec<f64>)> = None;
    for beta in lasso_path(&scaled, &scaled_xty)? {
        let quadratic: f64 = (0..k).map(|i| beta[i] * (0..k).map(|j| scaled[(i, j)] * beta[j]).sum::<f64>()).sum();
        let linear: f64 = beta.iter().zip(&scaled_xty).map(|(b, c)| b * c).sum();
        let rss = (yty - 2.0 * linear + quadratic).max(0.0);
        let df = beta.iter().filter(|b| **b != 0.0).count() as f64;
        let criterion =
            nf * libm::log(2.0 * std::f64::consts::PI * noise_variance) + rss / noise_variance + libm::log(nf) * df;
        if best.as_ref().is_none_or(|(c, _)| criterion < *c) {
            best = Some((criterion, beta));
        }
    }
    let beta = best.map(|(_, b)| b).unwrap_or_else(|| vec![0.0; k]);
    Ok(beta.iter().zip(weights).map(|(b, w)| b * w).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> (Mat<f64>, Vec<f64>, f64, usize) {
        // y = 2 x0 − x2 + small noise, x1 correlated with x0
        let n = 40;
        let x = Mat::from_fn(n, 3, |i, j| {
            let t = i as f64;
            match j {
                0 => libm::sin(0.7 * t),
                1 => 0.6 * libm::sin(0.7 * t) + 0.8 * libm::cos(1.3 * t),
                _ => libm::cos(0.31 * t + 1.0),
            }
        });
        let y: Vec<f64> = (0..n).map(|i| 2.0 * x[(i, 0)] - x[(i, 2)] + 0.01 * libm::sin(5.0 * i as f64)).collect();
        let gram = Mat::from_fn(3, 3, |a, b| (0..n).map(|i| x[(i, a)] * x[(i, b)]).sum());
        let xty = (0..3).map(|a| (0..n).map(|i| x[(i, a)] * y[i]).sum()).collect();
        (gram, xty, y.iter().map(|v| v * v).sum(), n)
    }

    #[test]
    fn the_path_ends_at_least_squares_and_each_point_is_a_lasso_solution() {
        let (gram, xty, _, _) = problem();
        let path = lasso_path(&gram, &xty).unwrap();
        let last = path.last().unwrap();
        let ols = Cholesky::from_fn(3, |a, b| gram[(a, b)]).unwrap().solve(&xty);
        for j in 0..3 {
            assert!((last[j] - ols[j]).abs() < 1e-9, "{last:?} vs {ols:?}");
        }
        // KKT: at each breakpoint the active correlations share one |c| = α and the others are below it
        for beta in &path[1..] {
            let c: Vec<f64> = (0..3).map(|j| xty[j] - (0..3).map(|i| gram[(j, i)] * beta[i]).sum::<f64>()).collect();
            let alpha = (0..3).filter(|&j| beta[j] != 0.0).map(|j| c[j].abs()).fold(0.0f64, f64::max);
            for j in 0..3 {
                if beta[j] != 0.0 {
                    assert!((c[j].abs() - alpha).abs() < 1e-9 * (1.0 + alpha) && c[j] * beta[j] >= -1e-12);
                } else {
                    assert!(c[j].abs() <= alpha + 1e-9 * (1.0 + alpha));
                }
            }
        }
    }

    #[test]
    fn bic_picks_the_true_support() {
        let (gram, xty, yty, n) = problem();
        let ols = Cholesky::from_fn(3, |a, b| gram[(a, b)]).unwrap().solve(&xty);
        let weights: Vec<f64> = ols.iter().map(|b| b.abs()).collect();
        let beta = bic_lasso(&gram, &xty, yty, n, &weights, 1e-4).unwrap();
        assert!(beta[0] > 1.5 && beta[1] == 0.0 && beta[2] < -0.5, "{beta:?}");
    }
}
