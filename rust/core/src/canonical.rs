//! A canonical column order, so that a learner's answer does not depend on the order of the
//! columns, nor on the last bits of the data.
//!
//! Learners fit the data with its columns sorted by a key made of column moments rounded to
//! about 2⁻³⁰ relative (variance, then skewness, then kurtosis, then the position), and the
//! result is mapped back. Floating-point sums are not associative, so fitting `X[:, p]` directly
//! would give other last bits than fitting `X`, and non-convex learners amplify those; fitting
//! both in the same canonical order gives the same bits. The rounding makes the key blind to a
//! 1-ulp change of the data, which would otherwise reorder columns whose moments tie.
//! Exactly tied columns (copies) keep their input order.

use crate::graph::Mask;
use faer::{Mat, MatMut, MatRef};

/// Bits of relative precision the keys keep.
const KEY_BITS: i32 = 30;

/// `value` rounded to `KEY_BITS` bits of relative precision (0, ±∞ and NaN unchanged).
pub fn round_relative(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let exponent = libm::ilogb(value);
    let unit = libm::ldexp(1.0, exponent - KEY_BITS);
    libm::rint(value / unit) * unit
}

/// `value` rounded to an absolute grid of 2⁻³⁰ (for scale-free quantities that may be near 0).
fn round_absolute(value: f64) -> f64 {
    if !value.is_finite() {
        return value;
    }
    let unit = libm::ldexp(1.0, -KEY_BITS);
    libm::rint(value / unit) * unit
}

/// The key of one column: rounded variance, skewness and kurtosis.
fn column_key(x: MatRef<'_, f64>, j: usize) -> [f64; 3] {
    let rows = x.nrows();
    let n = rows.max(1) as f64;
    let mean = (0..rows).fold(0.0, |a, r| a + x[(r, j)]) / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for v in (0..rows).map(|r| x[(r, j)]) {
        let c = v - mean;
        let c2 = c * c;
        m2 += c2;
        m3 += c2 * c;
        m4 += c2 * c2;
    }
    key_of([m2 / n, m3 / n, m4 / n])
}

/// The key of a column from its central moments divided by n (variance, third, fourth).
fn key_of([m2, m3, m4]: [f64; 3]) -> [f64; 3] {
    if m2.is_nan() || m2 <= 0.0 {
        return [round_relative(m2), 0.0, 0.0];
    }
    [round_relative(m2), round_absolute(m3 / m2.powi(3).sqrt()), round_absolute(m4 / (m2 * m2))]
}

/// A reordering of d columns: canonical column a is input column `to_input[a]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permutation {
    to_input: Vec<usize>,
    to_canonical: Vec<usize>,
}

impl Permutation {
    /// From the input index of each canonical position (must be a permutation of 0..d).
    pub fn new(to_input: Vec<usize>) -> Self {
        let mut to_canonical = vec![0; to_input.len()];
        for (a, &i) in to_input.iter().enumerate() {
            to_canonical[i] = a;
        }
        Permutation { to_input, to_canonical }
    }

    /// The canonical order of the columns of `x`.
    pub fn canonical(x: MatRef<'_, f64>) -> Self {
        Self::sorted_by((0..x.ncols()).map(|j| column_key(x, j)).collect())
    }

    /// The canonical order of columns known by their central moments divided by n (variance,
    /// third, fourth; e.g. from `crate::stats::SufficientStats::column_moments`).
    pub fn from_moments(moments: &[[f64; 3]]) -> Self {
        Self::sorted_by(moments.iter().map(|&m| key_of(m)).collect())
    }

    fn sorted_by(keys: Vec<[f64; 3]>) -> Self {
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| {
            let (ka, kb) = (&keys[a], &keys[b]);
            ka[0].total_cmp(&kb[0]).then(ka[1].total_cmp(&kb[1])).then(ka[2].total_cmp(&kb[2])).then(a.cmp(&b))
        });
        Permutation::new(order)
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.to_input.len()
    }

    /// True for zero columns.
    pub fn is_empty(&self) -> bool {
        self.to_input.is_empty()
    }

    /// True when nothing moves.
    pub fn is_identity(&self) -> bool {
        self.to_input.iter().enumerate().all(|(a, &i)| a == i)
    }

    /// The input index of canonical position `a`.
    pub fn input(&self, a: usize) -> usize {
        self.to_input[a]
    }

    /// The canonical position of input index `i`.
    pub fn canonical_of(&self, i: usize) -> usize {
        self.to_canonical[i]
    }

    /// Reorders the columns of `x` in place into canonical order (O(n) extra memory).
    pub fn permute_columns(&self, mut x: MatMut<'_, f64>) {
        // follow each cycle of the permutation, moving one column at a time
        let d = self.len();
        let mut done = vec![false; d];
        let mut buffer = vec![0.0; x.nrows()];
        for start in 0..d {
            if done[start] || self.to_input[start] == start {
                done[start] = true;
                continue;
            }
            for (r, b) in buffer.iter_mut().enumerate() {
                *b = x[(r, start)];
            }
            let mut a = start;
            loop {
                done[a] = true;
                let source = self.to_input[a];
                if source == start {
                    for (r, &b) in buffer.iter().enumerate() {
                        x[(r, a)] = b;
                    }
                    break;
                }
                for r in 0..x.nrows() {
                    let value = x[(r, source)];
                    x[(r, a)] = value;
                }
                a = source;
            }
        }
    }

    /// A d×d row-major mask in canonical order.
    pub fn permute_mask(&self, mask: &Mask) -> Mask {
        let d = self.len();
        let mut out = vec![false; d * d];
        for a in 0..d {
            for b in 0..d {
                out[a * d + b] = mask[self.to_input[a] * d + self.to_input[b]];
            }
        }
        out
    }

    /// A row-major n×d mask (one row per sample, one column per node) with its columns in
    /// canonical order.
    pub fn permute_row_mask(&self, mask: &Mask) -> Mask {
        let d = self.len();
        let mut out = vec![false; mask.len()];
        for (row, chunk) in mask.chunks(d.max(1)).enumerate() {
            for a in 0..d {
                out[row * d + a] = chunk[self.to_input[a]];
            }
        }
        out
    }

    /// A d×d matrix of canonical nodes back in input order.
    pub fn restore_matrix(&self, m: &Mat<f64>) -> Mat<f64> {
        Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(self.to_canonical[i], self.to_canonical[j])])
    }

    /// A matrix whose columns are canonical nodes, with its columns back in input order.
    pub fn restore_columns(&self, m: &Mat<f64>) -> Mat<f64> {
        Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, self.to_canonical[j])])
    }

    /// A per-node vector of canonical nodes back in input order.
    pub fn restore_vector(&self, v: &[f64]) -> Vec<f64> {
        (0..v.len()).map(|i| v[self.to_canonical[i]]).collect()
    }

    /// Canonical node indices as input indices.
    pub fn restore_indices(&self, nodes: &[usize]) -> Vec<usize> {
        nodes.iter().map(|&a| self.to_input[a]).collect()
    }

    /// Input node indices as canonical ones.
    pub fn canonical_indices(&self, nodes: &[usize]) -> Vec<usize> {
        nodes.iter().map(|&i| self.to_canonical[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, d: usize) -> Mat<f64> {
        Mat::from_fn(n, d, |i, j| libm::sin((i * 7 + 1) as f64 * (j + 1) as f64 * 0.37) * (j as f64 + 1.0))
    }

    #[test]
    fn the_order_is_the_same_for_permuted_columns() {
        let x = data(50, 6);
        let p = Permutation::canonical(x.as_ref());
        let shuffle = [3, 0, 5, 1, 4, 2];
        let y = Mat::from_fn(50, 6, |i, j| x[(i, shuffle[j])]);
        let q = Permutation::canonical(y.as_ref());
        // the same columns, whichever order they came in
        for a in 0..6 {
            assert_eq!(p.input(a), shuffle[q.input(a)]);
        }
    }

    #[test]
    fn one_ulp_does_not_change_the_order_and_ties_keep_input_order() {
        let x = data(50, 4);
        let nudged =
            Mat::from_fn(50, 4, |i, j| if i % 2 == 0 { f64::from_bits(x[(i, j)].to_bits() + 1) } else { x[(i, j)] });
        assert_eq!(Permutation::canonical(x.as_ref()), Permutation::canonical(nudged.as_ref()));
        let copies = Mat::from_fn(10, 3, |i, _| i as f64);
        assert!(Permutation::canonical(copies.as_ref()).is_identity());
    }

    #[test]
    fn permuting_in_place_and_restoring() {
        let x = data(5, 5);
        let p = Permutation::new(vec![2, 4, 0, 1, 3]);
        let mut y = x.clone();
        p.permute_columns(y.as_mut());
        for a in 0..5 {
            for r in 0..5 {
                assert_eq!(y[(r, a)], x[(r, p.input(a))]);
            }
        }
        let m = Mat::from_fn(5, 5, |i, j| (i * 5 + j) as f64);
        let canonical = Mat::from_fn(5, 5, |a, b| m[(p.input(a), p.input(b))]);
        assert_eq!(p.restore_matrix(&canonical), m);
        let mask: Mask = (0..25).map(|k| k % 3 == 0).collect();
        let pm = p.permute_mask(&mask);
        assert!((0..5).all(|a| (0..5).all(|b| pm[a * 5 + b] == mask[p.input(a) * 5 + p.input(b)])));
        assert_eq!(p.restore_indices(&p.canonical_indices(&[4, 1])), vec![4, 1]);
    }
}
