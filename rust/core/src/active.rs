//! AIT's score of candidate interventions (Scherrer, Bilaniuk, Annadani, Goyal, Schwab,
//! Schölkopf, Mozer, Bengio, Bauer, Ke, "Learning Neural Causal Models with Active
//! Interventions", arXiv 2109.02429, 2021).
//!
//! Each hypothesis is a graph drawn from a learner's posterior with linear-Gaussian mechanisms:
//! each node regressed on its parents in that graph by least squares on the data seen so far
//! (per node, on the rows that do not intervene on it), its residual variance the noise's. For a
//! candidate do(X_t = v), every hypothesis k simulates S rows from the same standard normals
//! (common random numbers: hypotheses that agree give the same rows), and the candidate scores
//! the ANOVA-like ratio of between- to within-hypothesis variation of those rows,
//!
//!   D = Σ_k S ‖μ_k − μ‖² / Σ_k Σ_s ‖x_ks − μ_k‖²,
//!
//! with μ_k hypothesis k's mean row and μ the mean of the μ_k. A large D: the hypotheses disagree
//! about the experiment's outcome by more than their own noise, so running it separates them.

use crate::error::{CoreError, Result};
use crate::graph::{topological_order, Mask};
use crate::regression::{least_squares, stabilising_ridge, Covariance, NodeCovariances};
use crate::simulate::random::Random;
use faer::{Mat, MatRef};
use rayon::prelude::*;

/// A graph with its fitted linear-Gaussian mechanisms.
#[derive(Debug, Clone)]
pub struct Hypothesis {
    /// d×d: B[i, j] the weight of i → j.
    pub coefficients: Mat<f64>,
    /// Each node's noise standard deviation.
    pub noise_sd: Vec<f64>,
    /// A topological order of the graph.
    pub order: Vec<usize>,
}

impl Hypothesis {
    /// The least-squares mechanisms of `graph` (row-major d×d, true for i → j) on the per-node
    /// covariances of the data (a small ridge where a covariance is singular).
    ///
    /// Errors: `InvalidInput` for a graph of the wrong size or with a cycle.
    pub fn fit(graph: &[bool], covariances: &NodeCovariances) -> Result<Self> {
        let d = covariances.pooled.nrows();
        if graph.len() != d * d {
            return Err(CoreError::InvalidInput(format!("a graph must be {d}x{d}")));
        }
        let adjacency = Mat::from_fn(d, d, |i, j| if graph[i * d + j] && i != j { 1.0 } else { 0.0 });
        let order = topological_order(adjacency.as_ref())
            .ok_or_else(|| CoreError::InvalidInput("a sampled graph has a cycle".into()))?;
        let matrices = covariances
            .matrices
            .iter()
            .map(|m| {
                let covariance = Covariance::from_matrix(m.as_ref())?;
                let ridge = stabilising_ridge(&covariance);
                Ok(covariance.with_ridge(ridge))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut coefficients = Mat::<f64>::zeros(d, d);
        let mut noise_sd = vec![0.0; d];
        for j in 0..d {
            let parents: Vec<usize> = (0..d).filter(|&i| adjacency[(i, j)] != 0.0).collect();
            let fit = least_squares(&matrices[covariances.of_node[j]], j, &parents)?;
            for (&p, &b) in parents.iter().zip(&fit.coefficients) {
                coefficients[(p, j)] = b;
            }
            noise_sd[j] = fit.residual_variance.sqrt();
        }
        Ok(Hypothesis { coefficients, noise_sd, order })
    }

    /// Rows under do(X_target = value) from the standard normals `z` (rows × d): x_t = value,
    /// x_j = Σ_i B_ij x_i + sd_j z_j in topological order (intercepts 0: centred data).
    pub fn simulate(&self, target: usize, value: f64, z: MatRef<'_, f64>) -> Mat<f64> {
        let (n, d) = (z.nrows(), z.ncols());
        let mut x = Mat::<f64>::zeros(n, d);
        for &j in &self.order {
            if j == target {
                x.col_mut(j).iter_mut().for_each(|v| *v = value);
                continue;
            }
            // the parents only (sampled graphs are sparse), a column at a time
            let parents: Vec<(usize, f64)> =
                (0..d).filter(|&i| self.coefficients[(i, j)] != 0.0).map(|i| (i, self.coefficients[(i, j)])).collect();
            let mut column: Vec<f64> = z.col(j).iter().map(|e| self.noise_sd[j] * e).collect();
            for &(i, b) in &parents {
                column.iter_mut().zip(x.col(i).iter()).for_each(|(v, xi)| *v += b * xi);
            }
            x.col_mut(j).iter_mut().zip(&column).for_each(|(v, c)| *v = *c);
        }
        x
    }
}

impl Hypothesis {
    /// `n` rows under `candidate` from the standard normals of `seed` (the rows [`scores`]
    /// simulates for this hypothesis when `n` is its `n_samples`).
    ///
    /// Errors: `InvalidInput` for a target out of range, a non-finite value or `n` = 0.
    pub fn sample(&self, candidate: Candidate, n: usize, seed: u64) -> Result<Mat<f64>> {
        let d = self.noise_sd.len();
        candidate.check(d)?;
        if n == 0 {
            return Err(CoreError::InvalidInput("n must be >= 1".into()));
        }
        Ok(self.simulate(candidate.target, candidate.value, standard_normals(n, d, seed).as_ref()))
    }
}

/// One candidate experiment: do(X_target = value).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The intervened node.
    pub target: usize,
    /// Its value.
    pub value: f64,
}

impl Candidate {
    /// `InvalidInput` unless the target is one of `d` nodes and the value finite.
    fn check(&self, d: usize) -> Result<()> {
        if self.target >= d || !self.value.is_finite() {
            return Err(CoreError::InvalidInput(format!(
                "candidate do(X_{} = {}): the target must be in 0..{d} and the value finite",
                self.target, self.value
            )));
        }
        Ok(())
    }
}

/// n×d standard normals from `seed`: the common random numbers every hypothesis shares.
fn standard_normals(n: usize, d: usize, seed: u64) -> Mat<f64> {
    let mut random = Random::new(seed);
    Mat::from_fn(n, d, |_, _| random.standard_normal())
}

/// AIT's D of each candidate over `hypotheses`, from `n_samples` rows each; the standard normals
/// come from `seed` and are shared by every hypothesis and candidate. Parallel over candidates
/// and hypotheses; the result does not depend on the number of threads. D is 0 when the
/// hypotheses give the same rows, and +∞ when they differ without any noise.
///
/// Errors: `InvalidInput` for no hypotheses, hypotheses of different sizes, a target out of
/// range, a non-finite value or no samples.
pub fn scores(hypotheses: &[Hypothesis], candidates: &[Candidate], n_samples: usize, seed: u64) -> Result<Vec<f64>> {
    let d = match hypotheses.first() {
        Some(h) => h.noise_sd.len(),
        None => return Err(CoreError::InvalidInput("no hypotheses to score".into())),
    };
    if hypotheses.iter().any(|h| h.noise_sd.len() != d) {
        return Err(CoreError::InvalidInput("hypotheses over different numbers of nodes".into()));
    }
    if n_samples == 0 {
        return Err(CoreError::InvalidInput("n_samples must be >= 1".into()));
    }
    candidates.iter().try_for_each(|c| c.check(d))?;
    let z = standard_normals(n_samples, d, seed);
    // (Σ_s x_ks, Σ_s ‖x_ks − μ_k‖²) per (candidate, hypothesis)
    let k = hypotheses.len();
    let parts: Vec<(Vec<f64>, f64)> = (0..candidates.len() * k)
        .into_par_iter()
        .map(|index| {
            let (c, h) = (candidates[index / k], &hypotheses[index % k]);
            let x = h.simulate(c.target, c.value, z.as_ref());
            let mean: Vec<f64> = (0..d).map(|j| x.col(j).iter().sum::<f64>() / n_samples as f64).collect();
            let within = (0..d).map(|j| x.col(j).iter().map(|v| (v - mean[j]) * (v - mean[j])).sum::<f64>()).sum();
            (mean, within)
        })
        .collect();
    Ok(parts
        .chunks(k)
        .map(|group| {
            // Σ_k ‖μ_k − μ‖² in its pairwise form (1/K) Σ_{k<l} ‖μ_k − μ_l‖²: exactly 0 when the
            // hypotheses' means are equal (the grand mean's rounding would leave ~1e-31)
            let mut pairs = 0.0;
            for (a, (ma, _)) in group.iter().enumerate() {
                for (mb, _) in &group[a + 1..] {
                    pairs += ma.iter().zip(mb).map(|(x, y)| (x - y) * (x - y)).sum::<f64>();
                }
            }
            let between = n_samples as f64 * pairs / k as f64;
            let within: f64 = group.iter().map(|(_, w)| w).sum();
            if between == 0.0 {
                0.0
            } else {
                between / within
            }
        })
        .collect())
}

/// The hypotheses of `graphs` (each row-major d×d) fitted on `covariances`.
///
/// Errors: as [`Hypothesis::fit`].
pub fn hypotheses(graphs: &[Mask], covariances: &NodeCovariances) -> Result<Vec<Hypothesis>> {
    graphs.par_iter().map(|g| Hypothesis::fit(g, covariances)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-node covariances of observational data with covariance `sigma`.
    fn observational(sigma: Mat<f64>) -> NodeCovariances {
        let d = sigma.nrows();
        NodeCovariances::from_groups(&[vec![false; d]], &[1000], sigma.clone(), |_| sigma.clone()).unwrap()
    }

    fn graph(d: usize, edges: &[(usize, usize)]) -> Mask {
        let mut g = vec![false; d * d];
        edges.iter().for_each(|&(i, j)| g[i * d + j] = true);
        g
    }

    /// Σ of the chain 0 → 1 → 2 with unit weights and noise.
    fn chain_sigma() -> Mat<f64> {
        // rows x = e (I − B)⁻¹, so Σ = (I − B)⁻ᵀ (I − B)⁻¹ for unit noise; (I − B)⁻¹ = I + B + B²
        // of the chain is upper-triangular ones
        let inv = Mat::from_fn(3, 3, |i, j| if j >= i { 1.0 } else { 0.0 });
        crate::linalg::mul(inv.transpose(), inv.as_ref())
    }

    #[test]
    fn agreeing_hypotheses_score_zero() {
        let covariances = observational(chain_sigma());
        let g = graph(3, &[(0, 1), (1, 2)]);
        let hs = hypotheses(&[g.clone(), g.clone(), g], &covariances).unwrap();
        let candidates: Vec<Candidate> = (0..3).map(|t| Candidate { target: t, value: 2.0 }).collect();
        assert_eq!(scores(&hs, &candidates, 50, 1).unwrap(), vec![0.0; 3]);
    }

    #[test]
    fn the_intervention_that_separates_two_hypotheses_wins() {
        // data from the chain 0 → 1 → 2; hypotheses {0 → 1, 0 → 2} and {0 → 1, 1 → 2}. Under
        // do(X_0) both move X_2 by the same mean; under do(X_2) nothing else moves; only do(X_1)
        // moves X_2 in the second hypothesis and not in the first
        let covariances = observational(chain_sigma());
        let hs = hypotheses(&[graph(3, &[(0, 1), (0, 2)]), graph(3, &[(0, 1), (1, 2)])], &covariances).unwrap();
        let candidates: Vec<Candidate> = (0..3).map(|t| Candidate { target: t, value: 3.0 }).collect();
        let d = scores(&hs, &candidates, 200, 4).unwrap();
        let best = (0..3).max_by(|&a, &b| d[a].total_cmp(&d[b])).unwrap();
        assert_eq!(best, 1, "{d:?}");
        assert!(d[0] < 0.1 * d[1] && d[2] < 0.1 * d[1], "{d:?}");
    }

    #[test]
    fn a_strong_disagreement_beats_uncertain_near_zero_edges() {
        // node 0 → 1 strongly (weight 2) in one hypothesis and reversed in the other; node 2's
        // edge 2 → 3 carries almost nothing (weight 0.01) and is present in one hypothesis only
        let w = Mat::from_fn(4, 4, |i, j| match (i, j) {
            (0, 1) => 2.0,
            (2, 3) => 0.01,
            _ => 0.0,
        });
        // (I − W)⁻¹ = I + W (W² = 0: the two edges do not chain)
        let inv = Mat::from_fn(4, 4, |i, j| if i == j { 1.0 } else { 0.0 } + w[(i, j)]);
        let sigma = crate::linalg::mul(inv.transpose(), inv.as_ref());
        let covariances = observational(sigma);
        let hs = hypotheses(&[graph(4, &[(0, 1), (2, 3)]), graph(4, &[(1, 0)])], &covariances).unwrap();
        let candidates: Vec<Candidate> = (0..4).map(|t| Candidate { target: t, value: 2.0 }).collect();
        let d = scores(&hs, &candidates, 200, 2).unwrap();
        let best = (0..4).max_by(|&a, &b| d[a].total_cmp(&d[b])).unwrap();
        assert!(best == 0 || best == 1, "{d:?}");
        assert!(d[2] < 0.01 * d[best], "{d:?}");
    }

    #[test]
    fn scores_are_deterministic_and_errors_are_named() {
        let covariances = observational(chain_sigma());
        let hs = hypotheses(&[graph(3, &[(0, 1), (1, 2)]), graph(3, &[(1, 0), (1, 2)])], &covariances).unwrap();
        let candidates = [Candidate { target: 0, value: 1.0 }, Candidate { target: 2, value: -1.0 }];
        assert_eq!(scores(&hs, &candidates, 30, 9).unwrap(), scores(&hs, &candidates, 30, 9).unwrap());
        assert!(scores(&hs, &[Candidate { target: 3, value: 0.0 }], 30, 9).is_err());
        assert!(scores(&hs, &[Candidate { target: 0, value: f64::NAN }], 30, 9).is_err());
        assert!(scores(&[], &candidates, 30, 9).is_err());
        assert!(Hypothesis::fit(&graph(3, &[(0, 1), (1, 0)]), &covariances).is_err());
    }
}
