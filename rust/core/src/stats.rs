//! Sufficient statistics of a data set too large for memory, built in one streaming pass.
//!
//! The least-squares learners (NOTEARS and DAGMA with the linear mechanism and `l2` loss, TOPO,
//! SortnRegress) see the data only through n and the covariance; the canonical column order
//! (`crate::canonical`) through each column's variance, skewness and kurtosis. So the rows can
//! be reduced chunk by chunk to [`SufficientStats`]: n, the column means, the scatter matrix
//! Σ_r (x_r − x̄)(x_r − x̄)ᵀ and each column's third and fourth central sums. Two sets of rows
//! merge exactly (Chan, Golub & LeVeque 1979 for the scatter; Pébay, "Formulas for robust,
//! one-pass parallel computation of covariances and arbitrary-order statistical moments",
//! Sandia report SAND2008-6212, for the higher sums).
//!
//! A chunk is cut into blocks of [`BLOCK_ROWS`] rows, reduced in parallel (centred copy, one
//! product XcᵀXc through `crate::matmul`) and merged in block order, and chunks merge in the order
//! they arrive: the result depends on the chunking, never on the number of threads.

use crate::error::{CoreError, Result};
use crate::matmul::matmul;
use crate::regression::NodeCovariances;
use faer::{Accum, Mat, MatRef};
use rayon::prelude::*;

/// Rows per block of a chunk (the unit of parallel work and of the merge order).
pub const BLOCK_ROWS: usize = 1 << 14;

/// n, means, scatter matrix and the per-column third and fourth central sums of a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SufficientStats {
    /// Rows.
    pub n: usize,
    /// Column means (d).
    pub mean: Vec<f64>,
    /// Σ_r (x_r − mean)(x_r − mean)ᵀ (d×d, symmetric).
    pub scatter: Mat<f64>,
    /// Σ_r (x_rj − mean_j)³ per column.
    pub m3: Vec<f64>,
    /// Σ_r (x_rj − mean_j)⁴ per column.
    pub m4: Vec<f64>,
}

impl SufficientStats {
    /// No rows, d columns.
    pub fn empty(d: usize) -> Self {
        SufficientStats { n: 0, mean: vec![0.0; d], scatter: Mat::zeros(d, d), m3: vec![0.0; d], m4: vec![0.0; d] }
    }

    /// The number of columns.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The statistics of the rows of `x` (a chunk): blocks of [`BLOCK_ROWS`] rows reduced in
    /// parallel on the current rayon pool, merged in row order. Errors on a non-finite value,
    /// naming its row (counted from 0 in this chunk) and column.
    pub fn of_rows(x: MatRef<'_, f64>) -> Result<Self> {
        Self::of_rows_until(x, &|| false)
    }

    /// [`SufficientStats::of_rows`], stopping with `CoreError::Cancelled` once `stop()` is true
    /// (checked before each block).
    pub fn of_rows_until(x: MatRef<'_, f64>, stop: &(dyn Fn() -> bool + Sync)) -> Result<Self> {
        let n = x.nrows();
        let blocks: Vec<(usize, usize)> =
            (0..n).step_by(BLOCK_ROWS).map(|start| (start, (start + BLOCK_ROWS).min(n))).collect();
        let reduced: Vec<Result<SufficientStats>> = blocks
            .par_iter()
            .map(|&(start, end)| {
                if stop() {
                    return Err(CoreError::Cancelled);
                }
                Self::of_block(x.subrows(start, end - start), start)
            })
            .collect();
        let mut total = Self::empty(x.ncols());
        for block in reduced {
            total = total.merge(&block?);
        }
        Ok(total)
    }

    /// One block: means, then the centred copy (one contiguous column per row, so that reading
    /// a row-major block and the product below both run along memory), its cross-products and
    /// central power sums. Every sum runs over the rows in order.
    fn of_block(x: MatRef<'_, f64>, first_row: usize) -> Result<Self> {
        let (n, d) = (x.nrows(), x.ncols());
        if n == 0 {
            return Ok(Self::empty(d));
        }
        let mut sum = vec![0.0; d];
        for r in 0..n {
            let row = x.row(r);
            for (j, s) in sum.iter_mut().enumerate() {
                let v = row[j];
                if !v.is_finite() {
                    return Err(CoreError::InvalidInput(format!(
                        "row {} of the chunk, column {j}: a non-finite value ({v})",
                        first_row + r
                    )));
                }
                *s += v;
            }
        }
        let nf = n as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / nf).collect();
        // centred rows as the columns of a d×n matrix C: the scatter is C·Cᵀ
        let mut centred = Mat::<f64>::zeros(d, n);
        let (mut m3, mut m4) = (vec![0.0; d], vec![0.0; d]);
        for r in 0..n {
            let row = x.row(r);
            let column = centred.col_as_slice_mut(r);
            for j in 0..d {
                let c = row[j] - mean[j];
                column[j] = c;
                let c2 = c * c;
                m3[j] += c2 * c;
                m4[j] += c2 * c2;
            }
        }
        let mut scatter = Mat::<f64>::zeros(d, d);
        matmul(scatter.as_mut(), Accum::Replace, centred.as_ref(), centred.transpose(), 1.0);
        Ok(SufficientStats { n, mean, scatter, m3, m4 })
    }

    /// The statistics of the union of two sets of rows (self's first). Errors when the column
    /// counts differ.
    pub fn merge(&self, other: &SufficientStats) -> SufficientStats {
        if other.n == 0 {
            return self.clone();
        }
        if self.n == 0 {
            return other.clone();
        }
        let d = self.dim();
        let (na, nb) = (self.n as f64, other.n as f64);
        let nf = na + nb;
        let delta: Vec<f64> = (0..d).map(|j| other.mean[j] - self.mean[j]).collect();
        let mean = (0..d).map(|j| self.mean[j] + delta[j] * nb / nf).collect();
        let weight = na * nb / nf;
        let scatter =
            Mat::from_fn(d, d, |i, j| self.scatter[(i, j)] + other.scatter[(i, j)] + delta[i] * delta[j] * weight);
        let (mut m3, mut m4) = (vec![0.0; d], vec![0.0; d]);
        for j in 0..d {
            let (s2a, s2b) = (self.scatter[(j, j)], other.scatter[(j, j)]);
            let dl = delta[j];
            let (d2, d3, d4) = (dl * dl, dl * dl * dl, dl * dl * dl * dl);
            m3[j] =
                self.m3[j] + other.m3[j] + d3 * na * nb * (na - nb) / (nf * nf) + 3.0 * dl * (na * s2b - nb * s2a) / nf;
            m4[j] = self.m4[j]
                + other.m4[j]
                + d4 * na * nb * (na * na - na * nb + nb * nb) / (nf * nf * nf)
                + 6.0 * d2 * (na * na * s2b + nb * nb * s2a) / (nf * nf)
                + 4.0 * dl * (na * other.m3[j] - nb * self.m3[j]) / nf;
        }
        SufficientStats { n: self.n + other.n, mean, scatter, m3, m4 }
    }

    /// Checks the statistics a learner is about to use: at least 2 rows, finite, consistent
    /// shapes.
    pub fn check(&self) -> Result<()> {
        let d = self.dim();
        if self.scatter.nrows() != d || self.scatter.ncols() != d || self.m3.len() != d || self.m4.len() != d {
            return Err(CoreError::InvalidInput("sufficient statistics of inconsistent shapes".into()));
        }
        if self.n < 2 {
            return Err(CoreError::InvalidInput(format!(
                "sufficient statistics of {} row(s): need at least 2",
                self.n
            )));
        }
        // m3 and m4 may overflow for huge values (x⁴ beyond 1e308): they only order the
        // columns (`crate::canonical` compares them with a total order)
        let finite = self.mean.iter().all(|v| v.is_finite())
            && (0..d).all(|j| self.scatter.col(j).iter().all(|v| v.is_finite()));
        if !finite {
            return Err(CoreError::InvalidInput("sufficient statistics with non-finite entries".into()));
        }
        Ok(())
    }

    /// The covariance of the preprocessed data (x − c)/s: Σ_ij = scatter_ij / (n s_i s_j)
    /// (the centring c drops out).
    pub fn covariance(&self, scale: &[f64]) -> Mat<f64> {
        let d = self.dim();
        let nf = self.n as f64;
        Mat::from_fn(d, d, |i, j| self.scatter[(i, j)] / nf / (scale[i] * scale[j]))
    }

    /// The merge of `groups` in their order.
    pub fn merged(groups: &[SufficientStats]) -> Result<SufficientStats> {
        let first = groups.first().ok_or_else(|| CoreError::InvalidInput("no groups of statistics".into()))?;
        if groups.iter().any(|g| g.dim() != first.dim()) {
            return Err(CoreError::InvalidInput("groups of statistics with different numbers of columns".into()));
        }
        Ok(groups[1..].iter().fold(first.clone(), |acc, g| acc.merge(g)))
    }

    /// The per-node covariances of interventional data known by the statistics of its groups of
    /// rows, `patterns[g]` the mask row of group g (true: the group set that node), the columns
    /// scaled by `scale`.
    ///
    /// Errors: `InvalidInput` for patterns of the wrong shape or a node intervened on in every
    /// group.
    pub fn node_covariances(
        groups: &[SufficientStats],
        patterns: &[Vec<bool>],
        scale: &[f64],
    ) -> Result<NodeCovariances> {
        let pooled = Self::merged(groups)?;
        let d = pooled.dim();
        if patterns.len() != groups.len() || patterns.iter().any(|p| p.len() != d) {
            return Err(CoreError::InvalidInput(format!(
                "one mask row of {d} entries per group of statistics ({} groups, {} patterns)",
                groups.len(),
                patterns.len()
            )));
        }
        let sizes: Vec<usize> = groups.iter().map(|g| g.n).collect();
        NodeCovariances::from_groups(patterns, &sizes, pooled.covariance(scale), |keep| {
            let kept: Vec<SufficientStats> =
                groups.iter().zip(keep).filter(|(_, &k)| k).map(|(g, _)| g.clone()).collect();
            Self::merged(&kept).map_or_else(|_| Mat::zeros(d, d), |m| m.covariance(scale))
        })
    }

    /// Each preprocessed column's (variance, third, fourth) central moment, divided by n.
    pub fn column_moments(&self, scale: &[f64]) -> Vec<[f64; 3]> {
        let nf = self.n as f64;
        (0..self.dim())
            .map(|j| {
                let s = scale[j];
                [self.scatter[(j, j)] / nf / (s * s), self.m3[j] / nf / (s * s * s), self.m4[j] / nf / (s * s * s * s)]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::random::Random;

    fn data(n: usize, d: usize, seed: u64) -> Mat<f64> {
        let mut random = Random::new(seed);
        Mat::from_fn(n, d, |_, j| 3.0 * j as f64 + random.exponential(1.0 + j as f64))
    }

    fn two_pass(x: MatRef<'_, f64>) -> SufficientStats {
        let (n, d) = (x.nrows(), x.ncols());
        let mean: Vec<f64> = (0..d).map(|j| (0..n).map(|r| x[(r, j)]).sum::<f64>() / n as f64).collect();
        let c = |r: usize, j: usize| x[(r, j)] - mean[j];
        let scatter = Mat::from_fn(d, d, |i, j| (0..n).map(|r| c(r, i) * c(r, j)).sum());
        let m3 = (0..d).map(|j| (0..n).map(|r| c(r, j).powi(3)).sum()).collect();
        let m4 = (0..d).map(|j| (0..n).map(|r| c(r, j).powi(4)).sum()).collect();
        SufficientStats { n, mean, scatter, m3, m4 }
    }

    fn assert_close(a: &SufficientStats, b: &SufficientStats, rtol: f64) {
        assert_eq!(a.n, b.n);
        let close = |x: f64, y: f64| (x - y).abs() <= rtol * (1.0 + x.abs().max(y.abs()));
        for j in 0..a.dim() {
            assert!(close(a.mean[j], b.mean[j]), "mean {j}");
            assert!(close(a.m3[j], b.m3[j]), "m3 {j}: {} vs {}", a.m3[j], b.m3[j]);
            assert!(close(a.m4[j], b.m4[j]), "m4 {j}: {} vs {}", a.m4[j], b.m4[j]);
            for i in 0..a.dim() {
                assert!(close(a.scatter[(i, j)], b.scatter[(i, j)]), "scatter {i},{j}");
            }
        }
    }

    #[test]
    fn any_chunking_gives_the_two_pass_statistics() {
        let x = data(40_000, 4, 1);
        let whole = two_pass(x.as_ref());
        assert_close(&SufficientStats::of_rows(x.as_ref()).unwrap(), &whole, 1e-11);
        for cuts in [vec![1, 7, 39_999], vec![20_000], vec![3, 4, 5, 17_000, 33_333]] {
            let mut bounds = vec![0];
            bounds.extend(cuts);
            bounds.push(x.nrows());
            let mut merged = SufficientStats::empty(4);
            for w in bounds.windows(2) {
                merged = merged.merge(&SufficientStats::of_rows(x.subrows(w[0], w[1] - w[0])).unwrap());
            }
            assert_close(&merged, &whole, 1e-11);
        }
    }

    #[test]
    fn threads_do_not_change_the_bits() {
        let x = data(3 * BLOCK_ROWS + 5, 3, 2);
        let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let a = one.install(|| SufficientStats::of_rows(x.as_ref()).unwrap());
        let b = two.install(|| SufficientStats::of_rows(x.as_ref()).unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn a_non_finite_value_is_named() {
        let mut x = data(10, 3, 3);
        x[(6, 2)] = f64::NAN;
        let err = SufficientStats::of_rows(x.as_ref()).unwrap_err().to_string();
        assert!(err.contains("row 6") && err.contains("column 2"), "{err}");
        assert!(SufficientStats::empty(3).check().is_err());
    }

    #[test]
    fn preprocessed_moments_scale() {
        let x = data(500, 2, 4);
        let s = SufficientStats::of_rows(x.as_ref()).unwrap();
        let scaled = Mat::from_fn(500, 2, |r, j| (x[(r, j)] - 1.0) / [2.0, 0.5][j]);
        let t = SufficientStats::of_rows(scaled.as_ref()).unwrap();
        let (mom, cov) = (s.column_moments(&[2.0, 0.5]), s.covariance(&[2.0, 0.5]));
        let (mom_t, cov_t) = (t.column_moments(&[1.0, 1.0]), t.covariance(&[1.0, 1.0]));
        for j in 0..2 {
            for k in 0..3 {
                assert!((mom[j][k] - mom_t[j][k]).abs() <= 1e-12 * mom_t[j][k].abs().max(1.0));
            }
            for i in 0..2 {
                assert!((cov[(i, j)] - cov_t[(i, j)]).abs() <= 1e-12 * cov_t[(i, j)].abs().max(1.0));
            }
        }
    }
}
