//! The node ordering of a DP-DAG sample and its relaxation.
//!
//! Scores s = θ + g (g standard Gumbel) are sorted in descending order: the node with the largest
//! score comes first (a root). The permutation P (rows = ranks, columns = nodes, P_{r,π(r)} = 1) is
//! relaxed by SoftSort (Prillo & Eisenschlos, ICML 2020):
//!   P̂_rc = softmax_c(−|s̃_r − s_c| / τ),  s̃_r = s_{π(r)},
//! whose row-wise argmax is P itself. The edge mask B = PᵀMP (M strictly upper triangular) has
//! B_ij = 1[rank(i) < rank(j)], so every masked graph is acyclic.
//!
//! Straight-through: the forward pass uses the hard P, the backward pass differentiates P̂. With
//! G = ∂L/∂B, ∂L/∂P = M P Gᵀ + Mᵀ P G; for the hard P this is a row/column gather plus prefix and
//! suffix sums over ranks, O(d²):
//!   ∂L/∂P_{r,c} = Σ_{r'>r} G_{c,π(r')} + Σ_{r'<r} G_{π(r'),c}.
//!
//! When required edges constrain the order, π is Kahn's order preferring larger scores, and s̃_r =
//! s_{π(r)} still makes P the argmax of P̂, so the same relaxation and gradients apply.
//!
//! Matrices here are column-major d×d: entry (i, j) at `j * d + i` (column j = parents of j).

use crate::error::Result;
use crate::graph::{order_respecting, Mask};

/// Forward pass of a sample: hard (straight-through gradients) or the relaxed soft one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relaxation {
    /// Hard permutation and edges forward, gradients of their relaxations backward (training).
    Hard,
    /// SoftSort matrix and binary-concrete edges forward (for checking gradients).
    Soft,
}

/// Nodes by descending score, ties by index.
pub fn sort_descending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order
}

/// The order of a sample: by descending score, or, when `required` (row-major d×d) is given, the
/// topological order of the required edges closest to it.
pub fn order_from_scores(scores: &[f64], required: Option<&Mask>) -> Result<Vec<usize>> {
    let preferred = sort_descending(scores);
    match required {
        Some(mask) => order_respecting(mask, &preferred),
        None => Ok(preferred),
    }
}

/// One sampled ordering with its SoftSort relaxation.
#[derive(Debug, Clone)]
pub struct OrderSample {
    d: usize,
    tau: f64,
    /// π: the node at each rank.
    order: Vec<usize>,
    /// rank of each node (π⁻¹).
    rank: Vec<usize>,
    /// P̂, row-major (row r = rank r).
    soft: Vec<f64>,
}

impl OrderSample {
    /// The relaxation of the order `order` (a permutation) of the scores `scores` at temperature τ.
    pub fn new(scores: &[f64], order: Vec<usize>, tau: f64) -> Self {
        let d = scores.len();
        let mut rank = vec![0; d];
        for (r, &node) in order.iter().enumerate() {
            rank[node] = r;
        }
        let mut soft = vec![0.0; d * d];
        // exp(−|s̃_r − s_c|/τ) = e⁻_{π(r)} e⁺_c when s_c ≤ s̃_r, e⁺_{π(r)} e⁻_c otherwise, with
        // e^± = exp(±(s − m)/τ) about the midpoint m: 2d exponentials instead of d². When the
        // scores spread so wide that a factor could overflow, every entry takes its own exp.
        let (low, high) = scores.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let middle = 0.5 * (low + high);
        let factored = 0.5 * (high - low) / tau < 300.0;
        let up: Vec<f64> = scores.iter().map(|&s| if factored { libm::exp((s - middle) / tau) } else { 0.0 }).collect();
        let down: Vec<f64> = up.iter().map(|&e| if factored { 1.0 / e } else { 0.0 }).collect();
        for (r, row) in soft.chunks_mut(d.max(1)).enumerate() {
            let (node, sorted) = (order[r], scores[order[r]]);
            for (c, p) in row.iter_mut().enumerate() {
                *p = if !factored {
                    // the largest entry of the row is 1 (at c = π(r)), so no exp overflows
                    libm::exp(-(sorted - scores[c]).abs() / tau)
                } else if scores[c] <= sorted {
                    down[node] * up[c]
                } else {
                    up[node] * down[c]
                };
            }
            let total: f64 = row.iter().sum();
            row.iter_mut().for_each(|p| *p /= total);
        }
        OrderSample { d, tau, order, rank, soft }
    }

    /// π: the node at each rank (roots first).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The SoftSort matrix P̂ (row-major, rows = ranks).
    pub fn soft_permutation(&self) -> &[f64] {
        &self.soft
    }

    /// The mask B (column-major): 1[rank(i) < rank(j)] when hard, P̂ᵀMP̂ when soft.
    pub fn mask(&self, relaxation: Relaxation) -> Vec<f64> {
        let d = self.d;
        let mut b = vec![0.0; d * d];
        match relaxation {
            Relaxation::Hard => {
                for j in 0..d {
                    for i in 0..d {
                        b[j * d + i] = f64::from(u8::from(self.rank[i] < self.rank[j]));
                    }
                }
            }
            Relaxation::Soft => {
                // S = M P̂ (suffix sums over ranks, excluding the rank itself), B = P̂ᵀ S.
                let suffix = self.suffix_sums();
                for j in 0..d {
                    for i in 0..d {
                        b[j * d + i] = (0..d).map(|r| self.soft[r * d + i] * suffix[r * d + j]).sum();
                    }
                }
            }
        }
        b
    }

    /// Row r of the result: Σ_{r' > r} P̂_{r'} (row-major).
    fn suffix_sums(&self) -> Vec<f64> {
        let d = self.d;
        let mut out = vec![0.0; d * d];
        for r in (0..d.saturating_sub(1)).rev() {
            for c in 0..d {
                out[r * d + c] = out[(r + 1) * d + c] + self.soft[(r + 1) * d + c];
            }
        }
        out
    }

    /// ∂L/∂P = M P Gᵀ + Mᵀ P G (row-major) for G = ∂L/∂B (column-major), at the hard P
    /// (straight-through) or at P̂.
    pub fn permutation_gradient(&self, grad_mask: &[f64], relaxation: Relaxation) -> Vec<f64> {
        let d = self.d;
        let g = |i: usize, j: usize| grad_mask[j * d + i];
        let mut out = vec![0.0; d * d];
        match relaxation {
            Relaxation::Hard => {
                // suffix part: Σ_{r'>r} G[c, π(r')], built from the last rank up
                let mut running = vec![0.0; d];
                for r in (0..d).rev() {
                    out[r * d..(r + 1) * d].copy_from_slice(&running);
                    let node = self.order[r];
                    running.iter_mut().enumerate().for_each(|(c, v)| *v += g(c, node));
                }
                // prefix part: Σ_{r'<r} G[π(r'), c]
                running.iter_mut().for_each(|v| *v = 0.0);
                for r in 0..d {
                    out[r * d..(r + 1) * d].iter_mut().zip(&running).for_each(|(o, v)| *o += v);
                    let node = self.order[r];
                    running.iter_mut().enumerate().for_each(|(c, v)| *v += g(node, c));
                }
            }
            Relaxation::Soft => {
                // (P̂Gᵀ)_{r,c} = Σ_k P̂_{r,k} G_{c,k} and (P̂G)_{r,c} = Σ_k P̂_{r,k} G_{k,c}
                let p = &self.soft;
                let pgt: Vec<f64> =
                    (0..d * d).map(|rc| (0..d).map(|k| p[(rc / d) * d + k] * g(rc % d, k)).sum()).collect();
                let pg: Vec<f64> =
                    (0..d * d).map(|rc| (0..d).map(|k| p[(rc / d) * d + k] * g(k, rc % d)).sum()).collect();
                for r in 0..d {
                    for c in 0..d {
                        let later: f64 = (r + 1..d).map(|q| pgt[q * d + c]).sum();
                        let earlier: f64 = (0..r).map(|q| pg[q * d + c]).sum();
                        out[r * d + c] = later + earlier;
                    }
                }
            }
        }
        out
    }

    /// ∂L/∂s from ∂L/∂P̂ (row-major), through the softmax and |s̃_r − s_c| (s̃_r = s_{π(r)}).
    pub fn score_gradient(&self, grad_perm: &[f64]) -> Vec<f64> {
        let d = self.d;
        let inv_tau = 1.0 / self.tau;
        let mut out = vec![0.0; d];
        for r in 0..d {
            let (row, grow) = (&self.soft[r * d..(r + 1) * d], &grad_perm[r * d..(r + 1) * d]);
            let mean: f64 = row.iter().zip(grow).map(|(p, g)| p * g).sum();
            let mut to_sorted = 0.0;
            // ∂a_rc/∂s_c = sign(s̃_r − s_c)/τ and ∂a_rc/∂s̃_r = −sign(s̃_r − s_c)/τ; the sign is +1
            // for the nodes ranked after r (smaller scores) and −1 for those before
            for c in 0..d {
                let sign = f64::from(u8::from(self.rank[c] > r)) - f64::from(u8::from(self.rank[c] < r));
                let da = row[c] * (grow[c] - mean) * sign * inv_tau;
                out[c] += da;
                to_sorted -= da;
            }
            out[self.order[r]] += to_sorted;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(scores: &[f64], tau: f64) -> OrderSample {
        OrderSample::new(scores, sort_descending(scores), tau)
    }

    #[test]
    fn hard_mask_follows_descending_scores_and_is_the_argmax_of_softsort() {
        let scores = [0.3, 2.0, -1.0, 0.9];
        let s = sample(&scores, 1.0);
        assert_eq!(s.order(), &[1, 3, 0, 2]);
        let b = s.mask(Relaxation::Hard);
        let d = 4;
        let entry = |row: usize, column: usize| b[row * d + column];
        assert_eq!(entry(0, 1), 1.0); // 1 → 0
        assert_eq!(entry(1, 0), 0.0);
        assert_eq!(entry(2, 3), 1.0); // 3 → 2
        for r in 0..d {
            let row = &s.soft_permutation()[r * d..(r + 1) * d];
            let best = (0..d).max_by(|&a, &b| row[a].total_cmp(&row[b])).unwrap();
            assert_eq!(best, s.order()[r]);
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn hard_permutation_gradient_equals_the_dense_formula() {
        let d = 5;
        let scores = [0.1, -0.4, 1.3, 0.7, -2.0];
        let s = sample(&scores, 1.0);
        let g: Vec<f64> = (0..d * d).map(|k| ((k * 7 % 11) as f64 - 5.0) / 3.0).collect();
        let fast = s.permutation_gradient(&g, Relaxation::Hard);
        // dense M P Gᵀ + Mᵀ P G with the hard P
        let p = |r: usize, c: usize| f64::from(u8::from(s.order()[r] == c));
        let gm = |i: usize, j: usize| g[j * d + i];
        for r in 0..d {
            for c in 0..d {
                let mut expected = 0.0;
                for q in 0..d {
                    for k in 0..d {
                        if q > r {
                            expected += p(q, k) * gm(c, k);
                        }
                        if q < r {
                            expected += p(q, k) * gm(k, c);
                        }
                    }
                }
                assert!((fast[r * d + c] - expected).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn soft_gradient_matches_finite_differences() {
        // L = Σ G ∘ B(P̂(s)) for a fixed G; the order π is held fixed while s moves a little.
        let d = 4;
        let scores = vec![0.2, -0.5, 0.9, 0.4];
        let order = sort_descending(&scores);
        let g: Vec<f64> = (0..d * d).map(|k| ((k * 5 % 7) as f64 - 3.0) / 2.0).collect();
        let loss = |s: &[f64]| -> f64 {
            let sample = OrderSample::new(s, order.clone(), 0.7);
            sample.mask(Relaxation::Soft).iter().zip(&g).map(|(b, g)| b * g).sum()
        };
        let base = OrderSample::new(&scores, order.clone(), 0.7);
        let analytic = base.score_gradient(&base.permutation_gradient(&g, Relaxation::Soft));
        let h = 1e-6;
        for c in 0..d {
            let (mut plus, mut minus) = (scores.clone(), scores.clone());
            plus[c] += h;
            minus[c] -= h;
            let numeric = (loss(&plus) - loss(&minus)) / (2.0 * h);
            assert!((numeric - analytic[c]).abs() < 1e-7, "score {c}: {numeric} vs {}", analytic[c]);
        }
        // the scores only matter through their differences
        assert!(analytic.iter().sum::<f64>().abs() < 1e-12);
    }

    #[test]
    fn factored_softsort_equals_the_direct_formula() {
        for (spread, tau) in [(0.5, 1.0), (40.0, 0.3), (2000.0, 1.0)] {
            let scores: Vec<f64> = (0..7).map(|k| spread * ((k * 37 % 11) as f64 / 10.0 - 0.5)).collect();
            let s = sample(&scores, tau);
            for r in 0..7 {
                let sorted = scores[s.order()[r]];
                let row: Vec<f64> = scores.iter().map(|&c| (-(sorted - c).abs() / tau).exp()).collect();
                let total: f64 = row.iter().sum();
                for (c, &value) in row.iter().enumerate() {
                    let expected = value / total;
                    assert!(
                        (s.soft_permutation()[r * 7 + c] - expected).abs() <= 1e-12 * expected + 1e-300,
                        "{spread} ({r},{c})"
                    );
                }
            }
        }
    }

    #[test]
    fn required_edges_constrain_the_order() {
        let d = 3;
        let mut required = vec![false; d * d];
        required[2 * d] = true; // row 2, column 0: 2 → 0 although 0 scores highest
        let order = order_from_scores(&[3.0, 2.0, 1.0], Some(&required)).unwrap();
        assert_eq!(order, vec![1, 2, 0]);
    }
}
