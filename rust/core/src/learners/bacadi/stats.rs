//! Per-environment sufficient statistics of the rows: the linear-Gaussian likelihood of any
//! graph, weights and targets is a function of them, so a likelihood evaluation costs d³ (or
//! less) instead of n·d², whatever the number of rows.

use crate::learners::Environments;
use faer::{Mat, MatRef};

/// Row counts, column sums and uncentred scatter matrices Σ xᵀx of each environment, and their
/// totals.
#[derive(Debug, Clone)]
pub struct EnvStats {
    /// Rows of each environment.
    pub rows: Vec<f64>,
    /// Column sums, E×d.
    pub sums: Mat<f64>,
    /// Σ_{r ∈ e} x_rᵀ x_r, one d×d matrix per environment.
    pub scatter: Vec<Mat<f64>>,
    /// Σ_e scatter[e].
    pub total: Mat<f64>,
    /// The rows themselves, transposed (d × n_e: row a of X_e is column a), of the environments
    /// with fewer rows than columns (where products with the rows cost less than with S_e).
    pub blocks: Vec<Option<Mat<f64>>>,
    /// The scatter matrices with the environment innermost: entry (i, k) of every environment
    /// at `((i·d + k)·E ..)`, so that sums over environments are vector operations. `None` when
    /// d²·E exceeds [`MAX_STACKED`] (the slower per-environment path is taken).
    stacked: Option<Vec<f64>>,
}

/// y += a·x for short vectors (inlined: the call of the dispatched kernels costs more here).
#[inline(always)]
pub fn axpy_short(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// xᵀy for short vectors, with four partial sums in a fixed order.
#[inline(always)]
pub fn dot_short(x: &[f64], y: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (cx, cy) = (x.chunks_exact(4), y.chunks_exact(4));
    let tail: f64 = cx.remainder().iter().zip(cy.remainder()).map(|(a, b)| a * b).sum();
    for (a, b) in cx.zip(cy) {
        for k in 0..4 {
            acc[k] += a[k] * b[k];
        }
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail
}

/// The largest d²·E for which [`EnvStats`] keeps the environment-innermost copy (128 MiB).
pub const MAX_STACKED: usize = 1 << 24;

impl EnvStats {
    /// The statistics of `x` (n×d) with its rows labelled by `environments` (`None`: one
    /// environment).
    pub fn new(x: MatRef<'_, f64>, environments: Option<&Environments>) -> Self {
        let (n, d) = (x.nrows(), x.ncols());
        let count = environments.map_or(1, |e| e.count());
        let label = |r: usize| environments.map_or(0, |e| e.labels()[r]);
        let mut rows = vec![0.0; count];
        let mut sums = Mat::<f64>::zeros(count, d);
        let mut scatter = vec![Mat::<f64>::zeros(d, d); count];
        // rows are added in order, so the sums do not depend on threads
        let mut row = vec![0.0; d];
        for r in 0..n {
            let e = label(r);
            rows[e] += 1.0;
            for (j, v) in row.iter_mut().enumerate() {
                *v = x[(r, j)];
                sums[(e, j)] += *v;
            }
            let s = &mut scatter[e];
            for j in 0..d {
                let xj = row[j];
                for (i, &xi) in row.iter().enumerate().skip(j) {
                    s[(i, j)] += xi * xj;
                }
            }
        }
        for s in &mut scatter {
            for j in 0..d {
                for i in 0..j {
                    s[(i, j)] = s[(j, i)];
                }
            }
        }
        let mut total = Mat::<f64>::zeros(d, d);
        for s in &scatter {
            total += s;
        }
        let blocks = (0..count)
            .map(|e| {
                let members: Vec<usize> = (0..n).filter(|&r| label(r) == e).collect();
                (members.len() < d).then(|| Mat::from_fn(d, members.len(), |j, a| x[(members[a], j)]))
            })
            .collect();
        let stacked = (d * d * count <= MAX_STACKED).then(|| {
            let mut v = vec![0.0; d * d * count];
            for (e, s) in scatter.iter().enumerate() {
                for k in 0..d {
                    for i in 0..d {
                        v[(i * d + k) * count + e] = s[(i, k)];
                    }
                }
            }
            v
        });
        EnvStats { rows, sums, scatter, total, blocks, stacked }
    }

    /// The number of environments.
    pub fn count(&self) -> usize {
        self.rows.len()
    }

    /// The number of nodes.
    pub fn d(&self) -> usize {
        self.total.nrows()
    }

    /// The rows of every environment but `excluded` (labels), over `nodes`: their number, the
    /// column sums and the uncentred scatter (row-major |nodes|²).
    pub fn restricted(&self, nodes: &[usize], excluded: &[usize]) -> (f64, Vec<f64>, Vec<f64>) {
        let mut c = vec![1.0; self.count()];
        for &e in excluded {
            c[e] = 0.0;
        }
        let rows: f64 = c.iter().zip(&self.rows).map(|(a, b)| a * b).sum();
        let sums = nodes.iter().map(|&i| (0..self.count()).map(|e| c[e] * self.sums[(e, i)]).sum()).collect();
        let mut scatter = Vec::new();
        self.weighted_scatter(nodes, &c, &mut scatter);
        (rows, sums, scatter)
    }

    /// The least-squares weights of node j on `parents` (with an intercept) over the rows of the
    /// environments other than `envs`; zeros where the parents' covariance is singular.
    pub fn regression(&self, j: usize, parents: &[usize], envs: &[usize]) -> Vec<f64> {
        let m = parents.len();
        if m == 0 {
            return Vec::new();
        }
        let mut nodes = parents.to_vec();
        nodes.push(j);
        let (rows, sums, s) = self.restricted(&nodes, envs);
        let mean: Vec<f64> = sums.iter().map(|v| v / rows.max(1.0)).collect();
        let k = m + 1;
        let cov = |a: usize, b: usize| s[a * k + b] - rows * mean[a] * mean[b];
        // Cholesky of the parents' centred scatter, then the normal equations
        let mut l = vec![0.0; m * m];
        for a in 0..m {
            for b in 0..=a {
                let mut v = cov(a, b);
                for t in 0..b {
                    v -= l[a * m + t] * l[b * m + t];
                }
                if a == b {
                    if v.is_nan() || v <= 1e-12 * cov(a, a).abs().max(1e-300) {
                        return vec![0.0; m];
                    }
                    l[a * m + a] = v.sqrt();
                } else {
                    l[a * m + b] = v / l[b * m + b];
                }
            }
        }
        let mut y: Vec<f64> = (0..m).map(|a| cov(a, m)).collect();
        for a in 0..m {
            for t in 0..a {
                y[a] -= l[a * m + t] * y[t];
            }
            y[a] /= l[a * m + a];
        }
        for a in (0..m).rev() {
            for t in a + 1..m {
                y[a] -= l[t * m + a] * y[t];
            }
            y[a] /= l[a * m + a];
        }
        y
    }

    /// Σ_{r ∈ e} (x_rj − x_r·w)² for node j's weight column `w` (nonzero on `support`) in every
    /// environment e, into `out` (length E).
    pub fn residual_sums(&self, j: usize, w: &[f64], support: &[usize], out: &mut [f64]) {
        let (d, count) = (self.d(), self.count());
        let Some(stacked) = &self.stacked else {
            for (e, o) in out.iter_mut().enumerate() {
                *o = Self::residual_sum(&self.scatter[e], j, w, support);
            }
            return;
        };
        let entry = |i: usize, k: usize| &stacked[(i * d + k) * count..(i * d + k + 1) * count];
        out.copy_from_slice(entry(j, j));
        for (a, &i) in support.iter().enumerate() {
            axpy_short(-2.0 * w[i], entry(i, j), out);
            axpy_short(w[i] * w[i], entry(i, i), out);
            for &k in &support[a + 1..] {
                axpy_short(2.0 * w[i] * w[k], entry(i, k), out);
            }
        }
    }

    /// Σ_e c_e S_e restricted to the rows and columns `nodes` (a small |nodes|² matrix,
    /// row-major), for environment weights `c` (length E).
    pub fn weighted_scatter(&self, nodes: &[usize], c: &[f64], out: &mut Vec<f64>) {
        let (d, count, m) = (self.d(), self.count(), nodes.len());
        out.clear();
        out.resize(m * m, 0.0);
        for (a, &i) in nodes.iter().enumerate() {
            for (b, &k) in nodes.iter().enumerate().skip(a) {
                let v = match &self.stacked {
                    Some(stacked) => dot_short(c, &stacked[(i * d + k) * count..(i * d + k + 1) * count]),
                    None => c.iter().zip(&self.scatter).map(|(&ce, s)| ce * s[(i, k)]).sum(),
                };
                out[a * m + b] = v;
                out[b * m + a] = v;
            }
        }
    }

    /// Σ_{r ∈ e} (x_rj − x_r·w)² for node j's weight column `w`, from the statistics of one
    /// environment (`scatter` = S_e): S_jj − 2 wᵀS_{:,j} + wᵀ S w, over the nonzero entries
    /// `support` of w only.
    pub fn residual_sum(scatter: &Mat<f64>, j: usize, w: &[f64], support: &[usize]) -> f64 {
        let mut cross = 0.0;
        let mut quad = 0.0;
        for &i in support {
            let col = scatter.col_as_slice(i);
            cross += w[i] * col[j];
            let mut inner = 0.0;
            for &k in support {
                inner += col[k] * w[k];
            }
            quad += w[i] * inner;
        }
        scatter[(j, j)] - 2.0 * cross + quad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_give_the_residual_sums_of_the_rows() {
        let x = Mat::from_fn(7, 3, |r, j| ((r * 5 + j * 3) % 7) as f64 - 2.5 + 0.1 * j as f64);
        let env = Environments::new(vec![0, 0, 1, 1, 1, 2, 0], 7).unwrap();
        let stats = EnvStats::new(x.as_ref(), Some(&env));
        assert_eq!(stats.rows, vec![3.0, 3.0, 1.0]);
        let w = [0.7, 0.0, -1.3]; // node 1's parents 0 and 2
        for e in 0..3 {
            let direct: f64 = (0..7)
                .filter(|&r| env.labels()[r] == e)
                .map(|r| (x[(r, 1)] - 0.7 * x[(r, 0)] + 1.3 * x[(r, 2)]).powi(2))
                .sum();
            let from_stats = EnvStats::residual_sum(&stats.scatter[e], 1, &w, &[0, 2]);
            assert!((direct - from_stats).abs() < 1e-12 * (1.0 + direct));
            let mut all = vec![0.0; 3];
            stats.residual_sums(1, &w, &[0, 2], &mut all);
            assert!((direct - all[e]).abs() < 1e-12 * (1.0 + direct));
        }
        // Σ_e c_e S_e on nodes {2, 0}
        let c = [1.0, 0.0, 2.0];
        let mut m = Vec::new();
        stats.weighted_scatter(&[2, 0], &c, &mut m);
        let expected = |i: usize, k: usize| stats.scatter[0][(i, k)] + 2.0 * stats.scatter[2][(i, k)];
        assert_eq!(m, vec![expected(2, 2), expected(2, 0), expected(0, 2), expected(0, 0)]);
    }
}
