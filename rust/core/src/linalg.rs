//! Dense linear algebra on top of faer: the matrix exponential and small helpers.
//!
//! `expm` follows Higham (2005), "The scaling and squaring method for the matrix exponential
//! revisited", SIAM J. Matrix Anal. Appl. 26(4): Padé approximants of degree 3, 5, 7, 9 or 13
//! chosen from the 1-norm, scaling by a power of two and repeated squaring (the algorithm of
//! `scipy.linalg.expm`, without its later refinements of the scaling exponent).

use crate::error::{CoreError, Result};
use crate::matmul::matmul;
use crate::vector::axpy;
use faer::prelude::*;
use faer::{Accum, Mat, MatRef};

/// `dst = a · b` (sequential; the matrices here are at most a few thousand wide).
pub fn mul(a: MatRef<'_, f64>, b: MatRef<'_, f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.nrows(), b.ncols());
    matmul(out.as_mut(), Accum::Replace, a, b, 1.0);
    out
}

/// Copies the rows `rows` of `x` into `out` (a minibatch), reallocating `out` only when its shape
/// differs.
pub fn gather_rows(x: MatRef<'_, f64>, rows: &[usize], out: &mut Mat<f64>) {
    if out.nrows() != rows.len() || out.ncols() != x.ncols() {
        *out = Mat::zeros(rows.len(), x.ncols());
    }
    for j in 0..x.ncols() {
        let (source, target) = (x.col(j), out.col_as_slice_mut(j));
        target.iter_mut().zip(rows).for_each(|(value, &row)| *value = source[row]);
    }
}

/// Maximum absolute column sum.
pub fn norm1(a: MatRef<'_, f64>) -> f64 {
    (0..a.ncols()).map(|j| (0..a.nrows()).map(|i| a[(i, j)].abs()).sum::<f64>()).fold(0.0, f64::max)
}

/// True when every entry is finite.
pub fn all_finite(a: MatRef<'_, f64>) -> bool {
    (0..a.ncols()).all(|j| a.col(j).iter().all(|x| x.is_finite()))
}

// Higham (2005), Table 2.3: the largest 1-norm for which each degree is accurate to unit roundoff.
// The digits are the published ones (2.539398330063230e-1 keeps its trailing zero).
#[allow(clippy::excessive_precision)]
const THETA: [(usize, f64); 4] =
    [(3, 1.495585217958292e-2), (5, 2.539398330063230e-1), (7, 9.504178996162932e-1), (9, 2.097847961257068e0)];
const THETA_13: f64 = 5.371920351148152e0;

fn pade_coefficients(m: usize) -> &'static [f64] {
    match m {
        3 => &[120.0, 60.0, 12.0, 1.0],
        5 => &[30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0],
        7 => &[17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0],
        9 => &[
            17643225600.0,
            8821612800.0,
            2075673600.0,
            302702400.0,
            30270240.0,
            2162160.0,
            110880.0,
            3960.0,
            90.0,
            1.0,
        ],
        _ => &[
            64764752532480000.0,
            32382376266240000.0,
            7771770303897600.0,
            1187353796428800.0,
            129060195264000.0,
            10559470521600.0,
            670442572800.0,
            33522128640.0,
            1323241920.0,
            40840800.0,
            960960.0,
            16380.0,
            182.0,
            1.0,
        ],
    }
}

/// `Σ_k c_k P_k` over n×n matrices, column by column on contiguous slices (vectorisable,
/// unlike element-wise indexing).
fn combine(terms: &[(f64, &Mat<f64>)], n: usize) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(n, n);
    for j in 0..n {
        let column = out.col_as_slice_mut(j);
        for (c, p) in terms {
            axpy(*c, p.col_as_slice(j), column);
        }
    }
    out
}

/// `a ∘ b` (element-wise product) of two owned matrices of equal shape.
pub fn hadamard(a: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.nrows(), a.ncols());
    for j in 0..a.ncols() {
        for ((o, x), y) in out.col_as_slice_mut(j).iter_mut().zip(a.col_as_slice(j)).zip(b.col_as_slice(j)) {
            *o = x * y;
        }
    }
    out
}

/// The Padé numerator part U (odd powers) and denominator part V (even powers).
fn pade_uv(a: MatRef<'_, f64>, m: usize) -> (Mat<f64>, Mat<f64>) {
    let n = a.nrows();
    let b = pade_coefficients(m);
    let eye = Mat::<f64>::identity(n, n);
    let a2 = mul(a, a);
    if m == 13 {
        let a4 = mul(a2.as_ref(), a2.as_ref());
        let a6 = mul(a4.as_ref(), a2.as_ref());
        let inner_u = combine(&[(b[13], &a6), (b[11], &a4), (b[9], &a2)], n);
        let mut u_sum = combine(&[(b[7], &a6), (b[5], &a4), (b[3], &a2), (b[1], &eye)], n);
        matmul(u_sum.as_mut(), Accum::Add, a6.as_ref(), inner_u.as_ref(), 1.0);
        let u = mul(a, u_sum.as_ref());
        let inner_v = combine(&[(b[12], &a6), (b[10], &a4), (b[8], &a2)], n);
        let mut v = combine(&[(b[6], &a6), (b[4], &a4), (b[2], &a2), (b[0], &eye)], n);
        matmul(v.as_mut(), Accum::Add, a6.as_ref(), inner_v.as_ref(), 1.0);
        return (u, v);
    }
    // powers[k] = A^(2k)
    let mut powers = vec![eye, a2];
    while powers.len() < m.div_ceil(2) + 1 {
        let next = mul(powers.last().unwrap().as_ref(), powers[1].as_ref());
        powers.push(next);
    }
    let odd: Vec<(f64, &Mat<f64>)> = (0..=m / 2).map(|k| (b[2 * k + 1], &powers[k])).collect();
    let even: Vec<(f64, &Mat<f64>)> = (0..=m / 2).map(|k| (b[2 * k], &powers[k])).collect();
    let u = mul(a, combine(&odd, n).as_ref());
    let v = combine(&even, n);
    (u, v)
}

/// Matrix exponential of a square matrix.
///
/// Errors: `InvalidInput` for a non-square matrix; `NonFinite` when the input holds NaN/inf or
/// the result overflows float64 (callers such as the NOTEARS penalty turn that into +∞).
pub fn expm(a: MatRef<'_, f64>) -> Result<Mat<f64>> {
    let n = a.nrows();
    if a.ncols() != n {
        return Err(CoreError::InvalidInput(format!("expm needs a square matrix, got {}x{}", n, a.ncols())));
    }
    if !all_finite(a) {
        return Err(CoreError::NonFinite("expm input holds NaN or inf".into()));
    }
    if n == 0 {
        return Ok(Mat::zeros(0, 0));
    }
    let norm = norm1(a);
    // r = (V − U)⁻¹ (V + U)
    let solve = |u: Mat<f64>, v: Mat<f64>| -> Mat<f64> {
        let p = combine(&[(1.0, &v), (1.0, &u)], n);
        let q = combine(&[(1.0, &v), (-1.0, &u)], n);
        q.partial_piv_lu().solve(p)
    };
    for (m, theta) in THETA {
        if norm <= theta {
            let (u, v) = pade_uv(a, m);
            let r = solve(u, v);
            return finite_or_overflow(r);
        }
    }
    let s = if norm > THETA_13 { libm::log2(norm / THETA_13).ceil().max(0.0) as i32 } else { 0 };
    if s > 1000 {
        return Err(CoreError::NonFinite("expm overflows: the 1-norm of the input is too large".into()));
    }
    let scale = 0.5f64.powi(s);
    let scaled = Mat::from_fn(n, n, |i, j| a[(i, j)] * scale);
    let (u, v) = pade_uv(scaled.as_ref(), 13);
    let mut r = solve(u, v);
    for _ in 0..s {
        r = mul(r.as_ref(), r.as_ref());
        if !all_finite(r.as_ref()) {
            return Err(CoreError::NonFinite("expm overflows float64".into()));
        }
    }
    finite_or_overflow(r)
}

fn finite_or_overflow(r: Mat<f64>) -> Result<Mat<f64>> {
    if all_finite(r.as_ref()) {
        Ok(r)
    } else {
        Err(CoreError::NonFinite("expm overflows float64".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expm_of_zero_is_identity() {
        let e = expm(Mat::<f64>::zeros(4, 4).as_ref()).unwrap();
        for i in 0..4 {
            for j in 0..4 {
                assert_eq!(e[(i, j)], if i == j { 1.0 } else { 0.0 });
            }
        }
    }

    #[test]
    fn expm_of_diagonal_and_nilpotent() {
        // diag(a, b) -> diag(e^a, e^b) across every Padé degree and the scaled branch.
        for &x in &[1e-3, 0.2, 0.9, 2.0, 5.0, 30.0] {
            let mut a = Mat::<f64>::zeros(2, 2);
            a[(0, 0)] = x;
            a[(1, 1)] = -x;
            let e = expm(a.as_ref()).unwrap();
            assert!((e[(0, 0)] / x.exp() - 1.0).abs() < 1e-13, "x = {x}");
            assert!((e[(1, 1)] / (-x).exp() - 1.0).abs() < 1e-12, "x = {x}");
        }
        // [[0, t], [0, 0]] -> [[1, t], [0, 1]]
        let mut a = Mat::<f64>::zeros(2, 2);
        a[(0, 1)] = 7.0;
        let e = expm(a.as_ref()).unwrap();
        assert!((e[(0, 1)] - 7.0).abs() < 1e-12 && (e[(0, 0)] - 1.0).abs() < 1e-14);
    }

    #[test]
    fn expm_overflow_is_an_error() {
        let mut a = Mat::<f64>::zeros(2, 2);
        a[(0, 1)] = 800.0;
        a[(1, 0)] = 800.0;
        assert!(matches!(expm(a.as_ref()), Err(CoreError::NonFinite(_))));
    }
}
