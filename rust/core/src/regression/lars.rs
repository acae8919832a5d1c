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

/// The breakpoints β of the lasso path of min ½‖y − Xβ‖² + α‖β‖₁, from α = max |c₀| down to the
/// least-squares fit (or as far as the active predictors stay independent).
pub fn lasso_path(gram: &Mat<f64>, xty: &[f64]) -> Result<Vec<Vec<f64>>> {
    let k = xty.len();
    if gram.nrows() != k || gram.ncols() != k {
        return Err(CoreError::InvalidInput("the Gram matrix and Xᵀy disagree in size".into()));
    }
    let mut beta = vec![0.0; k];
    let mut path = vec![beta.clone()];
    let mut active: Vec<usize> = Vec::new();
    let mut correlation: Vec<f64> = xty.to_vec();
    let first = correlation.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    if first == 0.0 {
        return Ok(path);
    }
    let mut dropped: Option<usize> = None;
    for _ in 0..(8 * k + 8) {
        let c_max = correlation
            .iter()
            .enumerate()
            .filter(|(j, _)| !active.contains(j))
            .fold(0.0f64, |m, (_, c)| m.max(c.abs()));
        let c_active = active.first().map(|&j| correlation[j].abs()).unwrap_or(c_max);
        if active.is_empty() || (dropped.is_none() && c_max >= c_active * (1.0 - 1e-12) && active.len() < k) {
            // join: the inactive predictor with the largest correlation (first index among ties)
            if let Some(j) = (0..k).filter(|j| !active.contains(j)).find(|&j| correlation[j].abs() == c_max) {
                if c_max > TINY * first {
                    active.push(j);
                }
            }
        }
        dropped = None;
        let c = active.first().map(|&j| correlation[j].abs()).unwrap_or(0.0);
        if active.is_empty() || c <= TINY * first {
            break;
        }
        // equiangular direction: G_AA w = s_A
        let signs: Vec<f64> = active.iter().map(|&j| correlation[j].signum()).collect();
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
        // the correlations' rate of change along it: a = G[:, A] d_A (for active j: scale·s_j)
        let rate: Vec<f64> =
            (0..k).map(|j| active.iter().zip(&direction).map(|(&i, d)| gram[(j, i)] * d).sum::<f64>()).collect();
        // step to the next join, or to the full least-squares fit when every predictor is in
        let mut gamma = c / scale;
        for j in (0..k).filter(|j| !active.contains(j)) {
            for candidate in [(c - correlation[j]) / (scale - rate[j]), (c + correlation[j]) / (scale + rate[j])] {
                if candidate > 1e-15 * gamma && candidate < gamma {
                    gamma = candidate;
                }
            }
        }
        // the lasso modification: stop where an active coefficient crosses zero and drop it
        let mut drop_at = None;
        for (a, &i) in active.iter().enumerate() {
            if direction[a] != 0.0 {
                let crossing = -beta[i] / direction[a];
                if crossing > 1e-15 * gamma && crossing < gamma {
                    gamma = crossing;
                    drop_at = Some(a);
                }
            }
        }
        for (a, &i) in active.iter().enumerate() {
            beta[i] += gamma * direction[a];
        }
        for j in 0..k {
            correlation[j] -= gamma * rate[j];
        }
        if let Some(a) = drop_at {
            let i = active.remove(a);
            beta[i] = 0.0;
            dropped = Some(i);
        }
        path.push(beta.clone());
        if drop_at.is_none() && active.len() == k {
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
