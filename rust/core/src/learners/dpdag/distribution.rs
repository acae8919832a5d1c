//! The distribution over DAGs that DP-DAG learns: ordering scores θ (d) and edge logits Φ (d×d).
//!
//! A sample draws an order from θ + Gumbel noise (descending, largest first, or Kahn's order
//! closest to it when required edges constrain it) and independent edges U_ij ~ Bernoulli(σ(Φ_ij)),
//! and keeps i → j when U_ij = 1 and i comes before j: a DAG every time. Without required edges
//! the difference of two Gumbels is logistic, so P(i → j) = σ(Φ_ij) σ(θ_i − θ_j) exactly.

use super::edges::{edge_states, EdgeSample, EdgeState};
use super::ordering::{order_from_scores, OrderSample, Relaxation};
use crate::error::{CoreError, Result};
use crate::graph::Mask;
use crate::scalar::sigmoid;
use faer::{Mat, MatRef};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// θ and Φ with the entries fixed by prior knowledge.
#[derive(Debug, Clone)]
pub struct DagDistribution {
    d: usize,
    /// θ (d entries), then Φ (column-major d×d): one vector for the optimiser.
    pub params: Vec<f64>,
    states: Vec<EdgeState>,
    required: Option<Mask>,
}

/// A standard Gumbel draw.
fn gumbel(rng: &mut impl Rng) -> f64 {
    -libm::log(-libm::log(rng.random_range(f64::MIN_POSITIVE..1.0)))
}

impl DagDistribution {
    /// From θ (d) and Φ (d×d); `forbidden` / `required` are row-major d×d masks.
    ///
    /// Errors: `InvalidInput` for mismatched shapes or non-finite values; `InvalidParameter` when
    /// the required edges form a cycle.
    pub fn new(theta: &[f64], phi: MatRef<'_, f64>, forbidden: Option<&Mask>, required: Option<&Mask>) -> Result<Self> {
        let d = theta.len();
        if phi.nrows() != d || phi.ncols() != d {
            return Err(CoreError::InvalidInput(format!("phi must be {d}x{d}, got {}x{}", phi.nrows(), phi.ncols())));
        }
        for (name, mask) in [("forbidden", forbidden), ("required", required)] {
            if mask.is_some_and(|m| m.len() != d * d) {
                return Err(CoreError::InvalidInput(format!("the {name} mask must have {d}x{d} entries")));
            }
        }
        let mut params = theta.to_vec();
        params.extend((0..d * d).map(|k| phi[(k % d.max(1), k / d.max(1))]));
        if params.iter().any(|v| !v.is_finite()) {
            return Err(CoreError::InvalidInput("theta and phi must be finite".into()));
        }
        // no required edge is no constraint: the marginals stay exact
        let required = required.filter(|m| m.iter().any(|&r| r));
        // fails now, not at the first sample, when the required edges form a cycle
        order_from_scores(theta, required)?;
        Ok(DagDistribution { d, params, states: edge_states(d, forbidden, required), required: required.cloned() })
    }

    /// Number of nodes.
    pub fn d(&self) -> usize {
        self.d
    }

    /// The ordering scores θ.
    pub fn theta(&self) -> &[f64] {
        &self.params[..self.d]
    }

    /// The edge logits Φ (column-major).
    pub fn phi(&self) -> &[f64] {
        &self.params[self.d..]
    }

    /// Φ as a d×d matrix.
    pub fn phi_matrix(&self) -> Mat<f64> {
        let (d, phi) = (self.d, self.phi());
        Mat::from_fn(d, d, |i, j| phi[j * d + i])
    }

    /// What each entry may be (column-major).
    pub fn states(&self) -> &[EdgeState] {
        &self.states
    }

    /// The order of the scores `scores` (respecting the required edges).
    pub fn order_of(&self, scores: &[f64]) -> Vec<usize> {
        // checked in `new`: the required edges are acyclic, so this cannot fail
        order_from_scores(scores, self.required.as_ref()).expect("required edges checked acyclic")
    }

    /// σ(Φ) (column-major), the edge probabilities given the order.
    pub fn probabilities(&self) -> Vec<f64> {
        self.phi().iter().map(|&z| sigmoid(z)).collect()
    }

    /// θ + g, g i.i.d. standard Gumbel: the scores whose order is a sample of q(π).
    fn perturbed_scores(&self, rng: &mut impl Rng) -> Vec<f64> {
        self.theta().iter().map(|&t| t + gumbel(rng)).collect()
    }

    /// One order drawn from q(π) (roots first), respecting the required edges.
    pub fn sample_order(&self, rng: &mut impl Rng) -> Vec<usize> {
        self.order_of(&self.perturbed_scores(rng))
    }

    /// One sample: its ordering (with SoftSort relaxation at temperature τ) and its edges, given
    /// `probabilities` = [`probabilities`](Self::probabilities)().
    pub fn sample(
        &self,
        probabilities: &[f64],
        rng: &mut impl Rng,
        tau: f64,
        relaxation: Relaxation,
    ) -> (OrderSample, EdgeSample) {
        let scores = self.perturbed_scores(rng);
        let order = self.order_of(&scores);
        let uniforms: Vec<f64> = (0..self.d * self.d).map(|_| rng.random::<f64>()).collect();
        (OrderSample::new(&scores, order, tau), EdgeSample::new(probabilities, &uniforms, &self.states, relaxation))
    }

    /// The modal DAG: the order of θ (no noise) and the edges with σ(Φ_ij) > `threshold` allowed by
    /// it, plus the required ones. Returns the order and the 0/1 adjacency (column-major).
    pub fn modal(&self, threshold: f64) -> (Vec<usize>, Vec<f64>) {
        let d = self.d;
        let order = self.order_of(self.theta());
        let mut rank = vec![0; d];
        order.iter().enumerate().for_each(|(r, &node)| rank[node] = r);
        let mut adjacency = vec![0.0; d * d];
        for j in 0..d {
            for i in 0..d {
                let k = j * d + i;
                let kept = match self.states[k] {
                    EdgeState::Never => false,
                    EdgeState::Always => true,
                    EdgeState::Free => sigmoid(self.phi()[k]) > threshold && rank[i] < rank[j],
                };
                adjacency[k] = f64::from(u8::from(kept));
            }
        }
        (order, adjacency)
    }

    /// `n` sampled DAGs as 0/1 bytes, sample-major then row-major (shape (n, d, d) in C order).
    ///
    /// Errors: `InvalidInput` when n·d² bytes exceed `max_bytes` (or overflow).
    pub fn sample_dags(&self, n: usize, seed: u64, max_bytes: usize) -> Result<Vec<u8>> {
        let d = self.d;
        let bytes = n.checked_mul(d * d).filter(|&b| b <= max_bytes).ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "{n} samples of {d}x{d} DAGs need more than {max_bytes} bytes; draw them in batches"
            ))
        })?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = vec![0u8; bytes];
        let probabilities = self.probabilities();
        for sample in out.chunks_mut((d * d).max(1)).take(n) {
            let (order, edges) = self.sample(&probabilities, &mut rng, 1.0, Relaxation::Hard);
            let b = order.mask(Relaxation::Hard);
            for i in 0..d {
                for j in 0..d {
                    sample[i * d + j] = u8::from(edges.values[j * d + i] * b[j * d + i] > 0.0);
                }
            }
        }
        Ok(out)
    }

    /// P(i → j) under the distribution (d×d) and whether it is exact.
    ///
    /// Without required edges: σ(Φ_ij) σ(θ_i − θ_j), exact (0 where forbidden). With required
    /// edges the order is no longer a plain sort, so P(i before j) is estimated from `n_orders`
    /// sampled orders (seeded by `seed`); required edges get 1 and forbidden ones 0.
    pub fn edge_probabilities(&self, n_orders: usize, seed: u64) -> (Mat<f64>, bool) {
        let d = self.d;
        let (theta, phi) = (self.theta(), self.phi());
        let before: Mat<f64> = match &self.required {
            None => Mat::from_fn(d, d, |i, j| if i == j { 0.0 } else { sigmoid(theta[i] - theta[j]) }),
            Some(_) => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let mut counts = Mat::<f64>::zeros(d, d);
                let mut rank = vec![0; d];
                for _ in 0..n_orders {
                    self.sample_order(&mut rng).iter().enumerate().for_each(|(r, &node)| rank[node] = r);
                    for j in 0..d {
                        for i in 0..d {
                            if rank[i] < rank[j] {
                                counts[(i, j)] += 1.0;
                            }
                        }
                    }
                }
                Mat::from_fn(d, d, |i, j| counts[(i, j)] / n_orders.max(1) as f64)
            }
        };
        let probabilities = Mat::from_fn(d, d, |i, j| match self.states[j * d + i] {
            EdgeState::Never => 0.0,
            EdgeState::Always => 1.0,
            EdgeState::Free => sigmoid(phi[j * d + i]) * before[(i, j)],
        });
        (probabilities, self.required.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::is_dag;

    fn distribution(required: Option<&Mask>) -> DagDistribution {
        let theta = [0.5, -0.3, 1.2, 0.0];
        let phi = Mat::from_fn(4, 4, |i, j| ((i * 3 + j * 5) % 7) as f64 / 3.0 - 1.0);
        let mut forbidden = vec![false; 16];
        forbidden[2 * 4 + 1] = true; // 2 → 1
        DagDistribution::new(&theta, phi.as_ref(), Some(&forbidden), required).unwrap()
    }

    fn mean_of_samples(dist: &DagDistribution, n: usize) -> Mat<f64> {
        let d = dist.d();
        let samples = dist.sample_dags(n, 11, usize::MAX).unwrap();
        let mut mean = Mat::<f64>::zeros(d, d);
        for sample in samples.chunks(d * d) {
            let dense = Mat::from_fn(d, d, |i, j| f64::from(sample[i * d + j]));
            assert!(is_dag(dense.as_ref()));
            mean += &dense;
        }
        mean * faer::Scale(1.0 / n as f64)
    }

    #[test]
    fn sample_mean_matches_the_closed_form_marginals() {
        let dist = distribution(None);
        let (p, exact) = dist.edge_probabilities(0, 0);
        assert!(exact);
        assert_eq!(p[(2, 1)], 0.0);
        let mean = mean_of_samples(&dist, 20_000);
        for i in 0..4 {
            for j in 0..4 {
                assert!((mean[(i, j)] - p[(i, j)]).abs() < 0.015, "({i},{j}): {} vs {}", mean[(i, j)], p[(i, j)]);
            }
        }
    }

    #[test]
    fn required_edges_are_always_sampled_and_marginals_are_estimated() {
        let mut required = vec![false; 16];
        required[4 + 2] = true; // row 1, column 2: 1 → 2 against the scores (θ_2 > θ_1)
        let dist = distribution(Some(&required));
        let (p, exact) = dist.edge_probabilities(20_000, 3);
        assert!(!exact);
        assert_eq!(p[(1, 2)], 1.0);
        assert_eq!(p[(2, 1)], 0.0);
        let mean = mean_of_samples(&dist, 20_000);
        assert_eq!(mean[(1, 2)], 1.0);
        for i in 0..4 {
            for j in 0..4 {
                assert!((mean[(i, j)] - p[(i, j)]).abs() < 0.02);
            }
        }
        let (order, adjacency) = dist.modal(0.5);
        let position = |v: usize| order.iter().position(|&x| x == v).unwrap();
        assert!(position(1) < position(2));
        assert_eq!(adjacency[2 * 4 + 1], 1.0);
    }

    #[test]
    fn an_empty_required_mask_keeps_the_marginals_exact_and_sizes_are_checked() {
        let dist = distribution(Some(&vec![false; 16]));
        assert!(dist.edge_probabilities(10, 0).1);
        assert!(dist.sample_dags(usize::MAX / 2, 0, usize::MAX).is_err());
        assert!(dist.sample_dags(100, 0, 1599).is_err());
        assert_eq!(dist.sample_dags(100, 0, 1600).unwrap().len(), 1600);
    }

    #[test]
    fn a_cycle_of_required_edges_is_an_error() {
        let mut required = vec![false; 16];
        required[1] = true; // 0 → 1
        required[4] = true; // 1 → 0
        let phi = Mat::<f64>::zeros(4, 4);
        assert!(DagDistribution::new(&[0.0; 4], phi.as_ref(), None, Some(&required)).is_err());
    }
}
