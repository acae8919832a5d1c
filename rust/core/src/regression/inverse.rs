//! The inverse of a Gram matrix Σ_PP kept up to date while variables enter and leave P, in
//! O(k²) per change instead of a new O(k³) factorisation: forward selection and active-set
//! methods change P one variable at a time.

use faer::Mat;
use std::ops::Index;

/// (Σ_PP)⁻¹ for the current set P (symmetric k×k, in the order the variables entered).
#[derive(Debug, Clone)]
pub struct InverseGram {
    values: Mat<f64>,
}

impl Default for InverseGram {
    fn default() -> Self {
        InverseGram { values: Mat::zeros(0, 0) }
    }
}

impl InverseGram {
    /// The inverse for no variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// The k×k inverse with entries `entry(a, b)`.
    pub(crate) fn from_fn(k: usize, entry: impl FnMut(usize, usize) -> f64) -> Self {
        InverseGram { values: Mat::from_fn(k, k, entry) }
    }

    /// The number of variables.
    #[inline]
    pub fn dim(&self) -> usize {
        self.values.nrows()
    }

    /// (Σ_PP)⁻¹ b (b in the order of P).
    pub fn apply(&self, b: &[f64]) -> Vec<f64> {
        let k = self.dim();
        (0..k).map(|t| (0..k).map(|v| self.values[(t, v)] * b[v]).sum()).collect()
    }

    /// bᵀ (Σ_PP)⁻¹ b.
    pub fn quadratic_form(&self, b: &[f64]) -> f64 {
        b.iter().zip(self.apply(b)).map(|(bt, value)| bt * value).sum()
    }

    /// Column t.
    pub fn column(&self, t: usize) -> Vec<f64> {
        (0..self.dim()).map(|v| self.values[(v, t)]).collect()
    }

    /// Adds variable a after the others (bordering): `w` = (Σ_PP)⁻¹ Σ_Pa and `schur` =
    /// Σ_aa − Σ_aPᵀ w > 0 (a's variance left unexplained by P; the caller may hold it already,
    /// e.g. from partial-variance updates). The new inverse is
    ///   [[Σ_PP⁻¹ + w wᵀ/s, −w/s], [−wᵀ/s, 1/s]].
    /// Panics unless `w` has [`InverseGram::dim`] entries.
    pub fn add_variable(&mut self, w: &[f64], schur: f64) {
        let k = self.dim();
        let old = &self.values;
        self.values = Mat::from_fn(k + 1, k + 1, |t, v| match (t < k, v < k) {
            (true, true) => old[(t, v)] + w[t] * w[v] / schur,
            (true, false) => -w[t] / schur,
            (false, true) => -w[v] / schur,
            (false, false) => 1.0 / schur,
        });
    }

    /// Removes the variable at position r: the inverse restricted to the others, minus b bᵀ / c
    /// with b = column r (row r removed) and c its (r, r) entry (a Schur complement). Panics
    /// unless r < [`InverseGram::dim`].
    pub fn remove_variable(&mut self, r: usize) {
        let k = self.dim();
        let old = &self.values;
        let keep = |a: usize| if a < r { a } else { a + 1 };
        let c = old[(r, r)];
        self.values =
            Mat::from_fn(k - 1, k - 1, |a, b| old[(keep(a), keep(b))] - old[(keep(a), r)] * old[(r, keep(b))] / c);
    }
}

impl Index<(usize, usize)> for InverseGram {
    type Output = f64;

    #[inline]
    fn index(&self, (t, v): (usize, usize)) -> &f64 {
        &self.values[(t, v)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regression::cholesky::Cholesky;
    use faer::linalg::solvers::Solve;
    use faer::Side;

    fn spd(k: usize) -> Mat<f64> {
        let b = Mat::from_fn(k + 2, k, |i, j| (((i * 5 + j * 11) % 13) as f64 - 6.0) / 3.0);
        let mut a = crate::linalg::mul(b.transpose(), b.as_ref());
        for i in 0..k {
            a[(i, i)] += 0.05;
        }
        a
    }

    /// faer's inverse of A restricted to `variables`.
    fn faer_inverse(a: &Mat<f64>, variables: &[usize]) -> Mat<f64> {
        let k = variables.len();
        let sub = Mat::from_fn(k, k, |r, c| a[(variables[r], variables[c])]);
        sub.llt(Side::Lower).unwrap().solve(Mat::<f64>::identity(k, k))
    }

    fn assert_close(inverse: &InverseGram, expected: &Mat<f64>) {
        assert_eq!(inverse.dim(), expected.nrows());
        let scale = (0..expected.nrows()).fold(1.0f64, |m, r| m.max(expected[(r, r)].abs()));
        for r in 0..expected.nrows() {
            for c in 0..expected.nrows() {
                assert!((inverse[(r, c)] - expected[(r, c)]).abs() < 1e-9 * scale, "({r}, {c})");
            }
        }
    }

    #[test]
    fn variables_enter_and_leave() {
        let a = spd(6);
        let mut inverse = InverseGram::new();
        let mut entered: Vec<usize> = Vec::new();
        for v in [3, 0, 5, 1] {
            let cross: Vec<f64> = entered.iter().map(|&p| a[(p, v)]).collect();
            let w = inverse.apply(&cross);
            let schur = a[(v, v)] - cross.iter().zip(&w).map(|(x, y)| x * y).sum::<f64>();
            inverse.add_variable(&w, schur);
            entered.push(v);
            assert_close(&inverse, &faer_inverse(&a, &entered));
        }
        inverse.remove_variable(1);
        entered.remove(1);
        assert_close(&inverse, &faer_inverse(&a, &entered));
        inverse.remove_variable(2);
        entered.remove(2);
        assert_close(&inverse, &faer_inverse(&a, &entered));
        let b = [0.3, -1.0];
        let x = inverse.apply(&b);
        assert!((inverse.quadratic_form(&b) - (b[0] * x[0] + b[1] * x[1])).abs() < 1e-12);
        assert_eq!(inverse.column(1), vec![inverse[(0, 1)], inverse[(1, 1)]]);
    }

    #[test]
    fn the_inverse_of_a_cholesky_factor_downdates_like_a_fresh_one() {
        let a = spd(5);
        let all = [0, 1, 2, 3, 4];
        let mut inverse = Cholesky::from_fn(5, |r, c| a[(r, c)]).unwrap().inverse();
        assert_close(&inverse, &faer_inverse(&a, &all));
        inverse.remove_variable(0);
        assert_close(&inverse, &faer_inverse(&a, &all[1..]));
    }
}
