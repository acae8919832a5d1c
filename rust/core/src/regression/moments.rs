//! Sufficient statistics of data: counts, means and scatter matrices, per group of rows, merged
//! exactly (Chan, Golub & LeVeque, "Updating formulae and a pairwise algorithm for computing
//! sample variances", 1979), and the per-node covariances of interventional data.
//!
//! With perfect (hard) interventions, node j's equation holds only on the rows where j was not
//! set by an intervention. Rows are grouped by which nodes they intervene on (their row of the
//! intervention mask); node j's covariance Σ⁽ʲ⁾ is the merge of the groups that leave j alone,
//! centred on those rows (node j's intercept is fitted on its own rows). Nodes whose groups are
//! the same share one Σ, so the work is bounded by the number of distinct sets of groups, at most
//! min(d, 2^groups); with single-node targets there is one Σ per targeted node plus one shared by
//! the nodes never targeted.

use crate::error::{CoreError, Result};
use crate::graph::Mask;
use faer::{Mat, MatRef};
use std::collections::HashMap;

/// The count, mean and scatter Σ_r (x_r − mean)(x_r − mean)ᵀ of a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    /// Rows.
    pub n: usize,
    /// Column means (d).
    pub mean: Vec<f64>,
    /// Scatter matrix (d×d, symmetric).
    pub scatter: Mat<f64>,
}

impl Moments {
    /// No rows.
    pub fn empty(d: usize) -> Self {
        Moments { n: 0, mean: vec![0.0; d], scatter: Mat::zeros(d, d) }
    }

    /// The rows `rows` of `x`: means, then centred cross-products, in row order (two passes: no
    /// cancellation between large means and small variances).
    pub fn of_rows(x: MatRef<'_, f64>, rows: &[usize]) -> Self {
        let d = x.ncols();
        let n = rows.len();
        if n == 0 {
            return Moments::empty(d);
        }
        let mean: Vec<f64> = (0..d).map(|j| rows.iter().fold(0.0, |a, &r| a + x[(r, j)]) / n as f64).collect();
        let mut scatter = Mat::<f64>::zeros(d, d);
        let mut centred = vec![0.0; d];
        for &r in rows {
            for j in 0..d {
                centred[j] = x[(r, j)] - mean[j];
            }
            for j in 0..d {
                for i in j..d {
                    scatter[(i, j)] += centred[i] * centred[j];
                }
            }
        }
        for j in 0..d {
            for i in j + 1..d {
                scatter[(j, i)] = scatter[(i, j)];
            }
        }
        Moments { n, mean, scatter }
    }

    /// The statistics of the union of the two sets of rows (Chan et al. 1979):
    /// n = n_a + n_b, mean = mean_a + δ n_b/n, scatter = S_a + S_b + δδᵀ n_a n_b / n, δ = mean_b − mean_a.
    pub fn merge(&self, other: &Moments) -> Moments {
        if other.n == 0 {
            return self.clone();
        }
        if self.n == 0 {
            return other.clone();
        }
        let d = self.mean.len();
        let n = self.n + other.n;
        let (na, nb, nf) = (self.n as f64, other.n as f64, n as f64);
        let delta: Vec<f64> = (0..d).map(|j| other.mean[j] - self.mean[j]).collect();
        let mean = (0..d).map(|j| self.mean[j] + delta[j] * nb / nf).collect();
        let weight = na * nb / nf;
        let scatter =
            Mat::from_fn(d, d, |i, j| self.scatter[(i, j)] + other.scatter[(i, j)] + delta[i] * delta[j] * weight);
        Moments { n, mean, scatter }
    }

    /// The covariance scatter / n (zero for no rows).
    pub fn covariance(&self) -> Mat<f64> {
        let n = self.n.max(1) as f64;
        Mat::from_fn(self.scatter.nrows(), self.scatter.ncols(), |i, j| self.scatter[(i, j)] / n)
    }
}

/// Per-node covariances of interventional data: node j's equation is fitted on the rows that do
/// not intervene on it.
#[derive(Debug, Clone)]
pub struct NodeCovariances {
    /// The distinct covariances, each of the rows that some nodes are fitted on (centred on
    /// those rows).
    pub matrices: Vec<Mat<f64>>,
    /// For each node, the index of its matrix.
    pub of_node: Vec<usize>,
    /// For each node, how many rows its equation is fitted on.
    pub rows_of_node: Vec<usize>,
    /// The covariance of all rows (what orders the nodes by variance or R²).
    pub pooled: Mat<f64>,
    /// Rows in all.
    pub n: usize,
}

impl NodeCovariances {
    /// From the data `x` (n×d) and the row-major n×d intervention mask (`true` where the row set
    /// the node by an intervention). One pass over the rows per group of rows with the same
    /// mask row; the groups are then merged per node.
    ///
    /// Errors: `InvalidInput` for a mask of the wrong size or a node intervened on in every row
    /// (its equation has no rows to be fitted on).
    pub fn new(x: MatRef<'_, f64>, mask: &Mask) -> Result<Self> {
        let (n, d) = (x.nrows(), x.ncols());
        if mask.len() != n * d {
            return Err(CoreError::InvalidInput(format!(
                "the intervention mask must have shape ({n}, {d}), got {} entries",
                mask.len()
            )));
        }
        // group the rows by their mask row, in order of first appearance
        let mut group_of: HashMap<&[bool], usize> = HashMap::new();
        let mut patterns: Vec<&[bool]> = Vec::new();
        let mut rows_of: Vec<Vec<usize>> = Vec::new();
        for r in 0..n {
            let pattern = &mask[r * d..(r + 1) * d];
            let g = *group_of.entry(pattern).or_insert_with(|| {
                patterns.push(pattern);
                rows_of.push(Vec::new());
                patterns.len() - 1
            });
            rows_of[g].push(r);
        }
        let groups: Vec<Moments> = rows_of.iter().map(|rows| Moments::of_rows(x, rows)).collect();
        let pooled = groups.iter().fold(Moments::empty(d), |acc, g| acc.merge(g)).covariance();
        let sizes: Vec<usize> = rows_of.iter().map(Vec::len).collect();
        let patterns: Vec<Vec<bool>> = patterns.iter().map(|p| p.to_vec()).collect();
        Self::from_groups(&patterns, &sizes, pooled, |keep| {
            groups.iter().zip(keep).filter(|(_, &k)| k).fold(Moments::empty(d), |acc, (g, _)| acc.merge(g)).covariance()
        })
    }

    /// From groups of rows known by their sizes and mask rows (`patterns[g][j]`: group g
    /// intervenes on node j): node j is fitted on the groups that leave it alone, and
    /// `covariance_of(keep)` is the covariance of the union of the groups with `keep[g]`. Nodes
    /// with the same groups share one matrix.
    ///
    /// Errors: `InvalidInput` for a node intervened on in every group.
    pub fn from_groups(
        patterns: &[Vec<bool>],
        sizes: &[usize],
        pooled: Mat<f64>,
        covariance_of: impl Fn(&[bool]) -> Mat<f64>,
    ) -> Result<Self> {
        let d = pooled.nrows();
        let n = sizes.iter().sum();
        let mut index_of: HashMap<Vec<bool>, usize> = HashMap::new();
        let mut matrices = Vec::new();
        let mut of_node = Vec::with_capacity(d);
        let mut rows_of_node = Vec::with_capacity(d);
        for j in 0..d {
            let key: Vec<bool> = patterns.iter().map(|p| !p[j]).collect();
            let rows: usize = sizes.iter().zip(&key).filter(|(_, &keep)| keep).map(|(r, _)| r).sum();
            if rows == 0 {
                return Err(CoreError::InvalidInput(format!(
                    "node {j} is intervened on in every row: its equation has no rows to be fitted on"
                )));
            }
            rows_of_node.push(rows);
            let next = matrices.len();
            let index = *index_of.entry(key.clone()).or_insert(next);
            if index == next {
                matrices.push(covariance_of(&key));
            }
            of_node.push(index);
        }
        Ok(NodeCovariances { matrices, of_node, rows_of_node, pooled, n })
    }

    /// The same covariances for the nodes relabelled: node a of the result is node `input(a)`.
    pub fn relabelled(&self, input: impl Fn(usize) -> usize) -> Self {
        let d = self.pooled.nrows();
        let permute = |m: &Mat<f64>| Mat::from_fn(d, d, |a, b| m[(input(a), input(b))]);
        NodeCovariances {
            matrices: self.matrices.iter().map(permute).collect(),
            of_node: (0..d).map(|a| self.of_node[input(a)]).collect(),
            rows_of_node: (0..d).map(|a| self.rows_of_node[input(a)]).collect(),
            pooled: permute(&self.pooled),
            n: self.n,
        }
    }

    /// Σ⁽ʲ⁾: the covariance of the rows node j is fitted on.
    pub fn of(&self, j: usize) -> MatRef<'_, f64> {
        self.matrices[self.of_node[j]].as_ref()
    }

    /// Node j's share of the rows, n⁽ʲ⁾/n: the weight of its residuals in the least-squares
    /// loss ½n⁻¹ Σ_j Σ_{its rows} r².
    pub fn share(&self, j: usize) -> f64 {
        self.rows_of_node[j] as f64 / self.n as f64
    }
}

/// For each node j, the column means of the rows its equation is fitted on (those that do not
/// intervene on j): column j of the d×d result. Node j's intercept fitted on its rows makes its
/// residual on row r (x_rj − μ⁽ʲ⁾_j) − Σ_k (x_rk − μ⁽ʲ⁾_k) w_kj, the centring of Σ⁽ʲ⁾.
///
/// One pass over the rows: the column sums of all rows, less, for each node, the sums of the rows
/// that intervene on it (O(n·d + intervened entries·d)); the data are centred, so the difference
/// loses nothing to cancellation.
///
/// Errors: `InvalidInput` for a mask of the wrong size or a node intervened on in every row.
pub fn node_means(x: MatRef<'_, f64>, mask: &Mask) -> Result<Mat<f64>> {
    let (n, d) = (x.nrows(), x.ncols());
    if mask.len() != n * d {
        return Err(CoreError::InvalidInput(format!(
            "the intervention mask must have shape ({n}, {d}), got {} entries",
            mask.len()
        )));
    }
    let mut total = vec![0.0; d];
    let mut removed = Mat::<f64>::zeros(d, d);
    let mut count = vec![0usize; d];
    for r in 0..n {
        for k in 0..d {
            total[k] += x[(r, k)];
        }
        for j in (0..d).filter(|&j| mask[r * d + j]) {
            count[j] += 1;
            for k in 0..d {
                removed[(k, j)] += x[(r, k)];
            }
        }
    }
    if let Some(j) = (0..d).find(|&j| count[j] == n) {
        return Err(CoreError::InvalidInput(format!(
            "node {j} is intervened on in every row: its equation has no rows to be fitted on"
        )));
    }
    Ok(Mat::from_fn(d, d, |k, j| (total[k] - removed[(k, j)]) / (n - count[j]) as f64))
}

/// The rows `rows` of a row-major n×d mask, column-major into `out` (|rows|×d: entry r + j·|rows|
/// is `mask[rows[r]·d + j]`), so that a minibatch's column j is one slice.
pub fn gather_mask_rows(mask: &Mask, d: usize, rows: &[usize], out: &mut Vec<bool>) {
    let b = rows.len();
    out.clear();
    out.resize(b * d, false);
    for (r, &row) in rows.iter().enumerate() {
        for j in 0..d {
            out[j * b + r] = mask[row * d + j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, d: usize) -> Mat<f64> {
        Mat::from_fn(n, d, |i, j| libm::sin((i * 13 + j * 7) as f64 * 0.31) * (1.0 + j as f64) + 100.0 * j as f64)
    }

    #[test]
    fn merging_equals_the_statistics_of_the_union() {
        let x = data(40, 3);
        let all: Vec<usize> = (0..40).collect();
        let (a, b): (Vec<usize>, Vec<usize>) = all.iter().partition(|&&r| r % 3 == 0);
        let merged = Moments::of_rows(x.as_ref(), &a).merge(&Moments::of_rows(x.as_ref(), &b));
        let direct = Moments::of_rows(x.as_ref(), &all);
        assert_eq!(merged.n, direct.n);
        for i in 0..3 {
            assert!((merged.mean[i] - direct.mean[i]).abs() < 1e-12 * direct.mean[i].abs().max(1.0));
            for j in 0..3 {
                assert!(
                    (merged.scatter[(i, j)] - direct.scatter[(i, j)]).abs()
                        < 1e-10 * direct.scatter[(i, j)].abs().max(1.0)
                );
            }
        }
    }

    #[test]
    fn node_covariances_leave_out_the_intervened_rows() {
        let (n, d) = (30, 3);
        let x = data(n, d);
        let mut mask = vec![false; n * d];
        for r in 20..30 {
            mask[r * d + 1] = true; // rows 20.. intervene on node 1
        }
        let covs = NodeCovariances::new(x.as_ref(), &mask).unwrap();
        assert_eq!(covs.matrices.len(), 2);
        assert_eq!(covs.of_node[0], covs.of_node[2]);
        assert_eq!(covs.rows_of_node, vec![30, 20, 30]);
        assert_eq!(covs.share(1), 20.0 / 30.0);
        let first20: Vec<usize> = (0..20).collect();
        let expected = Moments::of_rows(x.as_ref(), &first20).covariance();
        for a in 0..d {
            for b in 0..d {
                assert!((covs.of(1)[(a, b)] - expected[(a, b)]).abs() < 1e-9);
            }
        }
        let everywhere: Mask = (0..n * d).map(|k| k % d == 2).collect();
        assert!(NodeCovariances::new(x.as_ref(), &everywhere).is_err());
    }

    #[test]
    fn node_means_are_the_means_of_each_nodes_rows() {
        let (n, d) = (30, 3);
        let x = data(n, d);
        let mask: Mask = (0..n * d).map(|k| (k / d >= 20 && k % d == 1) || (k / d < 5 && k % d == 0)).collect();
        let means = node_means(x.as_ref(), &mask).unwrap();
        for j in 0..d {
            let rows: Vec<usize> = (0..n).filter(|&r| !mask[r * d + j]).collect();
            let direct = Moments::of_rows(x.as_ref(), &rows);
            for k in 0..d {
                assert!((means[(k, j)] - direct.mean[k]).abs() < 1e-9 * direct.mean[k].abs().max(1.0), "{k} {j}");
            }
        }
        let everywhere: Mask = (0..n * d).map(|k| k % d == 2).collect();
        assert!(node_means(x.as_ref(), &everywhere).is_err());
        assert!(node_means(x.as_ref(), &mask[1..].to_vec()).is_err());
        let mut batch = Vec::new();
        gather_mask_rows(&mask, d, &[22, 3, 10], &mut batch);
        assert_eq!(batch, vec![false, true, false, true, false, false, false, false, false]);
    }
}
