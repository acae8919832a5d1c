//! Ordinary least squares of one variable on a set of others, and the ridge that keeps a
//! singular Σ usable.

use super::cholesky::Cholesky;
use super::covariance::Covariance;
use crate::error::Result;

/// A regression of a target on predictors.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// The coefficients, in the order of the predictors.
    pub coefficients: Vec<f64>,
    /// Σ_tt − βᵀΣ_Pt: the residual variance n⁻¹‖x_t − X_P β‖² (with a ridge on Σ, the ridge
    /// regression's penalised value); floored at 0 against rounding.
    pub residual_variance: f64,
}

/// Regresses variable `target` on `predictors` by least squares: Σ_PP β = Σ_Pt (normal
/// equations, solved with a Cholesky factor). No predictors: β = () and the variance of the
/// target.
///
/// Errors: `InvalidParameter` for an index out of range; `Numerical` when Σ_PP is not
/// positive definite (collinear predictors: see [`stabilising_ridge`]).
pub fn least_squares(covariance: &Covariance, target: usize, predictors: &[usize]) -> Result<Regression> {
    covariance.check_indices([target])?;
    let factor = Cholesky::of(covariance, predictors)?;
    let cross: Vec<f64> = predictors.iter().map(|&p| covariance[(p, target)]).collect();
    let coefficients = factor.solve(&cross);
    let explained: f64 = coefficients.iter().zip(&cross).map(|(b, c)| b * c).sum();
    Ok(Regression { coefficients, residual_variance: (covariance[(target, target)] - explained).max(0.0) })
}

/// The ridge to add to Σ's diagonal ([`Covariance::with_ridge`]) before regressing on it: 0 when
/// every variable keeps a residual variance above 1e-10 × the mean variance whatever it is
/// regressed on, else 1e-6 × the mean variance (Σ singular: d > n, or collinear columns).
pub fn stabilising_ridge(covariance: &Covariance) -> f64 {
    let mean_variance = covariance.mean_variance();
    // The smallest residual variance over all sets of predictors is the one on all the other
    // variables, 1 / (Σ⁻¹)_jj.
    let all: Vec<usize> = (0..covariance.dim()).collect();
    let nearly_singular = match Cholesky::of(covariance, &all) {
        Err(_) => true,
        Ok(factor) => factor.inverse_diagonal().iter().any(|&v| !(v.is_finite() && 1.0 / v > 1e-10 * mean_variance)),
    };
    if nearly_singular {
        1e-6 * mean_variance
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CoreError;
    use faer::linalg::solvers::Solve;
    use faer::{Mat, Side};

    fn data() -> Mat<f64> {
        Mat::from_fn(40, 5, |i, j| {
            let base = ((i * 7 + j * 3) % 11) as f64 - 5.0;
            base + if j == 4 { 0.5 * (((i * 13) % 7) as f64) } else { 0.1 * (i % (j + 2)) as f64 }
        })
    }

    #[test]
    fn least_squares_solves_the_normal_equations() {
        let covariance = Covariance::from_data(data().as_ref()).unwrap();
        let (target, predictors) = (4, [2, 0, 3]);
        let fit = least_squares(&covariance, target, &predictors).unwrap();
        let gram = Mat::from_fn(3, 3, |a, b| covariance[(predictors[a], predictors[b])]);
        let cross = Mat::from_fn(3, 1, |a, _| covariance[(predictors[a], target)]);
        let expected = gram.llt(Side::Lower).unwrap().solve(&cross);
        for a in 0..3 {
            assert!((fit.coefficients[a] - expected[(a, 0)]).abs() < 1e-10 * expected[(a, 0)].abs().max(1.0));
        }
        // the residual variance is that of the residuals themselves
        let x = data();
        let means: Vec<f64> = (0..5).map(|j| x.col(j).iter().sum::<f64>() / 40.0).collect();
        let residual = |i: usize| {
            let predicted: f64 =
                predictors.iter().zip(&fit.coefficients).map(|(&p, b)| b * (x[(i, p)] - means[p])).sum();
            x[(i, target)] - means[target] - predicted
        };
        let variance = (0..40).map(|i| residual(i) * residual(i)).sum::<f64>() / 40.0;
        assert!((fit.residual_variance - variance).abs() < 1e-10 * variance);
        // no predictors: the target's variance
        let alone = least_squares(&covariance, target, &[]).unwrap();
        assert_eq!((alone.coefficients.len(), alone.residual_variance), (0, covariance[(target, target)]));
        assert!(matches!(least_squares(&covariance, 5, &[0]), Err(CoreError::InvalidParameter(_))));
        assert!(matches!(least_squares(&covariance, 0, &[1, 9]), Err(CoreError::InvalidParameter(_))));
    }

    #[test]
    fn a_singular_covariance_gets_a_ridge_and_then_regresses() {
        // column 2 = column 0 + column 1
        let mut sigma = Mat::<f64>::identity(3, 3);
        for (i, j) in [(0, 2), (2, 0), (1, 2), (2, 1)] {
            sigma[(i, j)] = 1.0;
        }
        sigma[(2, 2)] = 2.0;
        let covariance = Covariance::from_matrix(sigma.as_ref()).unwrap();
        assert!(matches!(least_squares(&covariance, 2, &[0, 1, 2]), Err(CoreError::Numerical(_))));
        let ridge = stabilising_ridge(&covariance);
        assert!(ridge > 0.0);
        let identity = Covariance::from_matrix(Mat::<f64>::identity(3, 3).as_ref()).unwrap();
        assert_eq!(stabilising_ridge(&identity), 0.0);
        let fit = least_squares(&covariance.with_ridge(ridge), 2, &[0, 1]).unwrap();
        assert!(fit.coefficients.iter().all(|b| (b - 1.0).abs() < 1e-5));
    }
}
