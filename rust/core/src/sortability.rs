//! The sort criteria of Reisach, Seiler & Weichwald ("Beware of the Simulated DAG!", NeurIPS
//! 2021) and Reisach et al. ("A Scale-Invariant Sorting Criterion to Find a Causal Order in
//! Additive Noise Models", NeurIPS 2023): marginal variances and the R² of each variable
//! regressed on all the others, both from the covariance Σ of the centred data.

use crate::canonical::round_relative;
use faer::{Mat, MatRef};

/// The diagonal of Σ: each variable's variance.
pub fn variances(sigma: MatRef<'_, f64>) -> Vec<f64> {
    (0..sigma.nrows()).map(|j| sigma[(j, j)]).collect()
}

/// R² of each variable regressed on all the others: 1 − 1 / (Σ_jj (Σ⁻¹)_jj). A ridge of 1e-6 ×
/// the mean variance keeps it defined when Σ is singular (copied or constant-sum columns).
pub fn r2_scores(sigma: MatRef<'_, f64>) -> Vec<f64> {
    let d = sigma.nrows();
    let ridge = 1e-6 * variances(sigma).iter().sum::<f64>() / d.max(1) as f64;
    let regularised = Mat::from_fn(d, d, |i, j| sigma[(i, j)] + if i == j { ridge } else { 0.0 });
    let precision_diagonal = inverse_diagonal(regularised.as_ref());
    (0..d).map(|j| 1.0 - 1.0 / (sigma[(j, j)] * precision_diagonal[j])).collect()
}

/// The diagonal of the inverse of a symmetric positive definite matrix, by Gauss–Jordan
/// elimination without pivoting (the matrix is SPD): plain loops, the same bits on every CPU.
/// NaN entries when a pivot is not positive.
fn inverse_diagonal(a: MatRef<'_, f64>) -> Vec<f64> {
    let d = a.nrows();
    // [A | I] reduced in place on a copy; only the inverse's diagonal is read at the end.
    let mut m = a.to_owned();
    let mut inv = Mat::<f64>::identity(d, d);
    for p in 0..d {
        let pivot = m[(p, p)];
        if pivot.is_nan() || pivot <= 0.0 {
            return vec![f64::NAN; d];
        }
        for j in 0..d {
            m[(p, j)] /= pivot;
            inv[(p, j)] /= pivot;
        }
        for i in 0..d {
            if i == p {
                continue;
            }
            let factor = m[(i, p)];
            if factor == 0.0 {
                continue;
            }
            for j in 0..d {
                m[(i, j)] -= factor * m[(p, j)];
                inv[(i, j)] -= factor * inv[(p, j)];
            }
        }
    }
    (0..d).map(|j| inv[(j, j)]).collect()
}

/// Indices sorted by increasing `keys`, where keys that agree to about 2⁻³⁰ relative count as
/// tied and keep their index order: rounding noise (e.g. the unit variances of standardized
/// data) never decides an order.
pub fn ascending(keys: &[f64]) -> Vec<usize> {
    let rounded: Vec<f64> = keys.iter().map(|&k| round_relative(k)).collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| rounded[a].total_cmp(&rounded[b]).then(a.cmp(&b)));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_of_a_two_variable_covariance_is_the_squared_correlation() {
        // corr = 0.6: R² of each on the other is 0.36 (up to the tiny ridge)
        let sigma = Mat::from_fn(2, 2, |i, j| if i == j { [1.0, 4.0][i] } else { 0.6 * 2.0 });
        let r2 = r2_scores(sigma.as_ref());
        assert!((r2[0] - 0.36).abs() < 1e-5 && (r2[1] - 0.36).abs() < 1e-5, "{r2:?}");
    }

    #[test]
    fn inverse_diagonal_matches_faer() {
        let d = 6;
        let b = Mat::from_fn(d, d, |i, j| ((i * 7 + j * 3) as f64).sin());
        let a = Mat::from_fn(d, d, |i, j| {
            (0..d).map(|k| b[(k, i)] * b[(k, j)]).sum::<f64>() + if i == j { 1.0 } else { 0.0 }
        });
        let diag = inverse_diagonal(a.as_ref());
        let inverse = faer::linalg::solvers::DenseSolveCore::inverse(&a.partial_piv_lu());
        for j in 0..d {
            assert!((diag[j] - inverse[(j, j)]).abs() < 1e-10 * inverse[(j, j)].abs());
        }
    }

    #[test]
    fn ascending_is_stable() {
        assert_eq!(ascending(&[2.0, 1.0, 2.0, 0.5]), vec![3, 1, 0, 2]);
        assert_eq!(ascending(&[1.0 + 1e-15, 1.0, 0.5, 1.0 - 2e-16]), vec![2, 0, 1, 3]);
    }
}
