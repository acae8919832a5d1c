//! The Cholesky factor A = L Lᵀ of a symmetric positive definite matrix, in plain loops.
//!
//! Built a row at a time: appending row r (bordering) adds a variable, which is also how a
//! factor in a new variable order reuses the rows of an old one up to the first change. The
//! rows are stored apart (row r holds L[r, 0..=r]) so that they can be borrowed from another
//! factor. Products use [`dot`], whose summation order is fixed, and no fused multiply–add:
//! the same bits on every x86-64 processor.

use super::covariance::Covariance;
use super::inverse::InverseGram;
use crate::error::{CoreError, Result};
use crate::vector::dot;

/// A lower-triangular Cholesky factor, row-major (row r holds L[r, 0..=r]).
#[derive(Debug, Clone, Default)]
pub struct Cholesky {
    rows: Vec<Vec<f64>>,
}

/// Row r of the factor from rows 0..r (`earlier(c)` is row c, of this factor or another):
///   L[r, c] = (A[r, c] − ⟨L[r, ..c], L[c, ..c]⟩) / L[c, c],  c < r,
///   L[r, r] = √(A[r, r] − ‖L[r, ..r]‖²),
/// with A[r, c] = `covariance_with(c)` and A[r, r] = `variance`, into `row`. False when the
/// pivot is not positive and finite (A singular, or nearly so, in this order): `row` then holds
/// the r off-diagonal entries only.
pub fn bordered_row<'a>(
    r: usize,
    covariance_with: impl Fn(usize) -> f64,
    variance: f64,
    earlier: impl Fn(usize) -> &'a [f64],
    row: &mut Vec<f64>,
) -> bool {
    row.clear();
    for c in 0..r {
        let row_c = earlier(c);
        let value = (covariance_with(c) - dot(&row[..c], &row_c[..c])) / row_c[c];
        row.push(value);
    }
    let pivot = variance - dot(row, row);
    if !(pivot > 0.0 && pivot.is_finite()) {
        return false;
    }
    row.push(pivot.sqrt());
    true
}

impl Cholesky {
    /// The factor of an empty matrix (no variables yet).
    pub fn new() -> Self {
        Cholesky::default()
    }

    /// The factor of the k×k matrix with entries `entry(r, c)` (only c ≤ r is read).
    ///
    /// Errors: `Numerical` when the matrix is not positive definite (to rounding).
    pub fn from_fn(k: usize, entry: impl Fn(usize, usize) -> f64) -> Result<Self> {
        let mut factor = Cholesky { rows: Vec::with_capacity(k) };
        for r in 0..k {
            factor.push(|c| entry(r, c), entry(r, r))?;
        }
        Ok(factor)
    }

    /// The factor of Σ restricted to `variables`, in that order.
    ///
    /// Errors: `InvalidParameter` for an index out of range; `Numerical` when the submatrix is
    /// not positive definite (to rounding).
    pub fn of(covariance: &Covariance, variables: &[usize]) -> Result<Self> {
        covariance.check_indices(variables.iter().copied())?;
        Self::from_fn(variables.len(), |r, c| covariance[(variables[r], variables[c])])
    }

    /// As [`Cholesky::of`], but a pivot lost to rounding (Σ singular, or nearly so) is set to
    /// √`floor` instead of failing, so that every variable keeps a residual variance ≥ `floor`.
    ///
    /// Errors: `InvalidParameter` for an index out of range.
    pub fn of_floored(covariance: &Covariance, variables: &[usize], floor: f64) -> Result<Self> {
        covariance.check_indices(variables.iter().copied())?;
        let mut factor = Cholesky { rows: Vec::with_capacity(variables.len()) };
        for &v in variables {
            factor.push_floored(|c| covariance[(v, variables[c])], covariance[(v, v)], floor);
        }
        Ok(factor)
    }

    /// Adds a variable after the others (bordering): `covariance_with(c)` is its entry with the
    /// variable of row c, `variance` its diagonal entry. O(k²).
    ///
    /// Errors: `Numerical` when the matrix would no longer be positive definite (the factor is
    /// then unchanged).
    pub fn push(&mut self, covariance_with: impl Fn(usize) -> f64, variance: f64) -> Result<()> {
        let mut row = Vec::with_capacity(self.rows.len() + 1);
        if !self.bordered(covariance_with, variance, &mut row) {
            return Err(CoreError::Numerical(format!(
                "the matrix is not positive definite (pivot {} of the Cholesky factor)",
                self.rows.len()
            )));
        }
        self.rows.push(row);
        Ok(())
    }

    /// As [`Cholesky::push`], with a pivot that is not positive set to √`floor`.
    pub fn push_floored(&mut self, covariance_with: impl Fn(usize) -> f64, variance: f64, floor: f64) {
        let mut row = Vec::with_capacity(self.rows.len() + 1);
        if !self.bordered(covariance_with, variance, &mut row) {
            row.push(floor.sqrt());
        }
        self.rows.push(row);
    }

    fn bordered(&self, covariance_with: impl Fn(usize) -> f64, variance: f64, row: &mut Vec<f64>) -> bool {
        bordered_row(self.rows.len(), covariance_with, variance, |c| &self.rows[c], row)
    }

    /// The number of variables.
    #[inline]
    pub fn dim(&self) -> usize {
        self.rows.len()
    }

    /// Row r: L[r, 0..=r].
    #[inline]
    pub fn row(&self, r: usize) -> &[f64] {
        &self.rows[r]
    }

    /// Solves L_k y = b for the leading k×k block, k = `b.len()` (forward substitution).
    pub fn forward_substitute(&self, b: &[f64]) -> Vec<f64> {
        let mut y: Vec<f64> = Vec::with_capacity(b.len());
        for (r, &value) in b.iter().enumerate() {
            let row = &self.rows[r];
            y.push((value - dot(&row[..r], &y)) / row[r]);
        }
        y
    }

    /// Solves L_kᵀ x = y for the leading k×k block, k = `y.len()` (back substitution, a column
    /// of Lᵀ at a time).
    pub fn back_substitute(&self, mut y: Vec<f64>) -> Vec<f64> {
        for c in (0..y.len()).rev() {
            y[c] /= self.rows[c][c];
            let value = y[c];
            for (k, entry) in y[..c].iter_mut().enumerate() {
                *entry -= self.rows[c][k] * value;
            }
        }
        y
    }

    /// Solves A_k x = b for the leading k×k block, k = `b.len()`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        self.back_substitute(self.forward_substitute(b))
    }

    /// The coefficients of the variable of row r regressed on those of rows 0..r: with
    /// A = Σ, Σ_PP β = Σ_Pr is L_rᵀ β = L[r, ..r].
    pub fn coefficients_on_earlier(&self, r: usize) -> Vec<f64> {
        self.back_substitute(self.rows[r][..r].to_vec())
    }

    /// L⁻¹, row-major lower triangle (row r holds L⁻¹[r, 0..=r]).
    fn lower_inverse(&self) -> Vec<Vec<f64>> {
        let k = self.dim();
        let mut inverse: Vec<Vec<f64>> = Vec::with_capacity(k);
        for r in 0..k {
            let mut row = vec![0.0; r + 1];
            for c in 0..=r {
                let mut value = if r == c { 1.0 } else { 0.0 };
                for (m, row_m) in inverse.iter().enumerate().take(r).skip(c) {
                    value -= self.rows[r][m] * row_m[c];
                }
                row[c] = value / self.rows[r][r];
            }
            inverse.push(row);
        }
        inverse
    }

    /// The diagonal of A⁻¹ = L⁻ᵀ L⁻¹ (column sums of squares of L⁻¹). Entry c is 1 / the
    /// residual variance of variable c regressed on all the others.
    pub fn inverse_diagonal(&self) -> Vec<f64> {
        let inverse = self.lower_inverse();
        let k = self.dim();
        (0..k).map(|c| (c..k).map(|r| inverse[r][c] * inverse[r][c]).sum()).collect()
    }

    /// A⁻¹ = L⁻ᵀ L⁻¹ (exactly symmetric).
    pub fn inverse(&self) -> InverseGram {
        let lower = self.lower_inverse();
        let k = self.dim();
        InverseGram::from_fn(k, |a, b| {
            let (low, high) = (a.min(b), a.max(b));
            (high..k).map(|r| lower[r][low] * lower[r][high]).sum()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::linalg::solvers::Solve;
    use faer::{Mat, Side};

    /// A symmetric positive definite k×k matrix with some strong correlations.
    fn spd(k: usize, seed: usize) -> Mat<f64> {
        let b = Mat::from_fn(k + 3, k, |i, j| (((i * 7 + j * 13 + seed * 5) % 17) as f64 - 8.0) / 4.0);
        let mut a = crate::linalg::mul(b.transpose(), b.as_ref());
        for i in 0..k {
            a[(i, i)] += 0.1;
        }
        a
    }

    fn faer_solve(a: &Mat<f64>, b: &[f64]) -> Vec<f64> {
        let rhs = Mat::from_fn(b.len(), 1, |i, _| b[i]);
        let x = a.llt(Side::Lower).unwrap().solve(&rhs);
        (0..b.len()).map(|i| x[(i, 0)]).collect()
    }

    fn close(x: &[f64], y: &[f64], tol: f64) -> bool {
        let scale = y.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        x.len() == y.len() && x.iter().zip(y).all(|(a, b)| (a - b).abs() <= tol * scale)
    }

    #[test]
    fn solves_agree_with_faer() {
        for k in [1, 2, 5, 9] {
            let a = spd(k, k);
            let factor = Cholesky::from_fn(k, |r, c| a[(r, c)]).unwrap();
            let b: Vec<f64> = (0..k).map(|i| (i as f64 * 0.7).sin()).collect();
            assert!(close(&factor.solve(&b), &faer_solve(&a, &b), 1e-10), "k = {k}");
            // L Lᵀ reproduces A
            for r in 0..k {
                for c in 0..=r {
                    let product = dot(&factor.row(r)[..=c], factor.row(c));
                    assert!((product - a[(r, c)]).abs() < 1e-12 * a[(r, r)].max(1.0));
                }
            }
        }
    }

    #[test]
    fn bordering_adds_a_variable_and_leading_blocks_solve_alone() {
        let k = 6;
        let a = spd(k, 1);
        let mut grown = Cholesky::new();
        for r in 0..k {
            grown.push(|c| a[(r, c)], a[(r, r)]).unwrap();
        }
        let whole = Cholesky::from_fn(k, |r, c| a[(r, c)]).unwrap();
        assert!((0..k).all(|r| grown.row(r) == whole.row(r)));
        // the leading 4×4 block's solve is the solve of A's leading block
        let lead = Mat::from_fn(4, 4, |r, c| a[(r, c)]);
        let b = [1.0, -2.0, 0.5, 3.0];
        assert!(close(&grown.solve(&b), &faer_solve(&lead, &b), 1e-10));
        // coefficients on earlier rows: the normal equations of the leading block
        let target: Vec<f64> = (0..4).map(|c| a[(4, c)]).collect();
        assert!(close(&grown.coefficients_on_earlier(4), &faer_solve(&lead, &target), 1e-10));
    }

    #[test]
    fn inverse_and_its_diagonal_agree_with_faer() {
        let k = 5;
        let a = spd(k, 3);
        let factor = Cholesky::from_fn(k, |r, c| a[(r, c)]).unwrap();
        let expected = a.llt(Side::Lower).unwrap().solve(Mat::<f64>::identity(k, k));
        let (inverse, diagonal) = (factor.inverse(), factor.inverse_diagonal());
        for r in 0..k {
            let scale = expected[(r, r)].abs();
            assert!((diagonal[r] - expected[(r, r)]).abs() < 1e-10 * scale);
            for c in 0..k {
                assert!((inverse[(r, c)] - expected[(r, c)]).abs() < 1e-10 * scale, "({r}, {c})");
                assert_eq!(inverse[(r, c)], inverse[(c, r)]);
            }
        }
    }

    #[test]
    fn a_singular_matrix_fails_or_is_floored() {
        // variable 2 = variable 0 + variable 1
        let mut sigma = Mat::<f64>::identity(3, 3);
        for (i, j) in [(0, 2), (2, 0), (1, 2), (2, 1)] {
            sigma[(i, j)] = 1.0;
        }
        sigma[(2, 2)] = 2.0;
        let covariance = Covariance::from_matrix(sigma.as_ref()).unwrap();
        assert!(matches!(Cholesky::of(&covariance, &[0, 1, 2]), Err(CoreError::Numerical(_))));
        assert!(Cholesky::of(&covariance, &[0, 2]).is_ok());
        let floored = Cholesky::of_floored(&covariance, &[0, 1, 2], f64::MIN_POSITIVE).unwrap();
        assert_eq!(floored.row(2)[2], f64::MIN_POSITIVE.sqrt());
        assert!(matches!(Cholesky::of(&covariance, &[0, 3]), Err(CoreError::InvalidParameter(_))));
        let mut factor = Cholesky::of(&covariance, &[0, 1]).unwrap();
        assert!(factor.push(|c| sigma[(2, c)], 2.0).is_err());
        assert_eq!(factor.dim(), 2);
    }
}
