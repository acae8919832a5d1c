//! The covariance of the centred data, formed once and read by every regression.

use crate::error::{CoreError, Result};
use crate::loss::Loss;
use faer::{Mat, MatRef};
use std::ops::Index;

/// Σ = XᵀX/n of the centred data (d×d, symmetric), possibly with a ridge on its diagonal.
/// A least-squares regression of one variable on others needs nothing else, whatever n is.
#[derive(Debug, Clone)]
pub struct Covariance {
    sigma: Mat<f64>,
}

impl Covariance {
    /// Σ of the n×d data `x` (columns centred on a copy).
    ///
    /// Errors: `InvalidInput` for data without rows.
    pub fn from_data(x: MatRef<'_, f64>) -> Result<Self> {
        match Loss::least_squares_from_data(x)? {
            Loss::LeastSquares { sigma } => Ok(Covariance { sigma }),
            _ => Err(CoreError::Numerical("the least-squares loss did not hold a covariance".into())),
        }
    }

    /// A covariance matrix computed elsewhere (e.g. the least-squares loss's Σ).
    ///
    /// Errors: `InvalidInput` for a matrix that is not square.
    pub fn from_matrix(sigma: MatRef<'_, f64>) -> Result<Self> {
        if sigma.nrows() != sigma.ncols() {
            return Err(CoreError::InvalidInput(format!(
                "a covariance matrix must be square, got {}x{}",
                sigma.nrows(),
                sigma.ncols()
            )));
        }
        Ok(Covariance { sigma: sigma.to_owned() })
    }

    /// Σ + ridge·I: every regression on it is then a ridge regression, and the residual
    /// variances include the ridge.
    pub fn with_ridge(mut self, ridge: f64) -> Self {
        for i in 0..self.sigma.nrows() {
            self.sigma[(i, i)] += ridge;
        }
        self
    }

    /// The number of variables d.
    #[inline]
    pub fn dim(&self) -> usize {
        self.sigma.nrows()
    }

    /// Σ as a matrix.
    pub fn as_mat(&self) -> MatRef<'_, f64> {
        self.sigma.as_ref()
    }

    /// The mean of the variances (Σ's diagonal), 0 for no variables.
    pub fn mean_variance(&self) -> f64 {
        let d = self.dim();
        (0..d).map(|i| self.sigma[(i, i)]).sum::<f64>() / d.max(1) as f64
    }

    /// `InvalidParameter` unless every index names a variable.
    pub(crate) fn check_indices(&self, indices: impl IntoIterator<Item = usize>) -> Result<()> {
        let d = self.dim();
        match indices.into_iter().find(|&i| i >= d) {
            Some(i) => Err(CoreError::InvalidParameter(format!("variable {i} is out of range for {d} variables"))),
            None => Ok(()),
        }
    }
}

impl Index<(usize, usize)> for Covariance {
    type Output = f64;

    #[inline]
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        &self.sigma[(i, j)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_data_is_the_least_squares_loss_covariance_bit_for_bit() {
        let x = Mat::from_fn(7, 3, |i, j| ((i * 5 + j * 3) % 7) as f64 + 0.1 * j as f64);
        let Loss::LeastSquares { sigma } = Loss::least_squares_from_data(x.as_ref()).unwrap() else { unreachable!() };
        let covariance = Covariance::from_data(x.as_ref()).unwrap();
        assert_eq!(covariance.as_mat(), sigma.as_ref());
        assert!(matches!(Covariance::from_data(Mat::<f64>::zeros(0, 3).as_ref()), Err(CoreError::InvalidInput(_))));
    }

    #[test]
    fn ridge_shifts_the_diagonal_only() {
        let sigma = Mat::from_fn(2, 2, |i, j| if i == j { 2.0 } else { 0.5 });
        let covariance = Covariance::from_matrix(sigma.as_ref()).unwrap().with_ridge(0.25);
        assert_eq!((covariance[(0, 0)], covariance[(0, 1)], covariance[(1, 1)]), (2.25, 0.5, 2.25));
        assert_eq!(covariance.mean_variance(), 2.25);
        assert!(Covariance::from_matrix(Mat::<f64>::zeros(2, 3).as_ref()).is_err());
        assert!(covariance.check_indices([0, 1]).is_ok() && covariance.check_indices([2]).is_err());
    }
}
