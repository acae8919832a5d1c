//! D-Struct's members: what the joint objective needs of one learner on one subset of the rows
//! (its parameters, its data term, its edge strengths W and how W moves with the parameters),
//! and the agreement term between the members.
//!
//! Two kinds: a linear SEM (W is the parameter vector, on W's free entries) and NOTEARS-MLP's
//! per-node networks (W_ij = sqrt(Σ_m θ_{j,m,i}²), [`crate::learners::mlp_problem`]). D-Struct's
//! agreement compares A_k = W_k ∘ W_k for the linear members and A_k = W_k for the networks, as
//! the reference does.

use crate::constraints::Variables;
use crate::learners::mlp_problem::MlpProblem;
use crate::loss::Loss;
use crate::mlp::ParamKind;
use faer::MatRef;

/// One member of the joint fit.
pub trait Member: Send + Sync {
    /// Whether the agreement compares W ∘ W (linear members) or W (networks).
    const SQUARED: bool;

    /// Number of parameters.
    fn len(&self) -> usize;

    /// The L1 weight of each parameter.
    fn l1(&self) -> &[f64];

    /// The starting parameters.
    fn start(&self) -> Vec<f64>;

    /// The data term (with any L2 term) at `p`; writes its gradient into `grad` (overwritten).
    fn score_grad(&mut self, p: &[f64], grad: &mut [f64]) -> f64;

    /// The edge strengths W at `p`, a column-major d×d buffer.
    fn weights(&mut self, p: &[f64]) -> Vec<f64>;

    /// Adds `scale` · Σ_ij g_w[ij] ∂W_ij/∂p to `grad` (W = `w`, the strengths at `p`).
    fn add_weight_chain(&self, p: &[f64], w: &[f64], g_w: MatRef<'_, f64>, scale: f64, grad: &mut [f64]);
}

/// A linear SEM scored by a least-squares loss, on W's free entries.
pub struct Linear {
    /// The member's data (its subset's covariance).
    pub loss: Loss,
    /// W's free entries and their L1 weights.
    pub layout: Variables,
}

impl Member for Linear {
    const SQUARED: bool = true;

    fn len(&self) -> usize {
        self.layout.len()
    }

    fn l1(&self) -> &[f64] {
        &self.layout.l1
    }

    fn start(&self) -> Vec<f64> {
        vec![0.0; self.layout.len()]
    }

    fn score_grad(&mut self, p: &[f64], grad: &mut [f64]) -> f64 {
        let d = self.layout.d;
        let buffer = self.weights(p);
        let (value, g) = self.loss.value_grad(MatRef::from_column_major_slice(&buffer, d, d));
        for (v, &(i, j)) in self.layout.entries.iter().enumerate() {
            grad[v] = g[(i, j)];
        }
        value
    }

    fn weights(&mut self, p: &[f64]) -> Vec<f64> {
        let d = self.layout.d;
        let mut buffer = vec![0.0; d * d];
        self.layout.fill(|v| p[v], &mut buffer);
        buffer
    }

    fn add_weight_chain(&self, _p: &[f64], _w: &[f64], g_w: MatRef<'_, f64>, scale: f64, grad: &mut [f64]) {
        for (v, &(i, j)) in self.layout.entries.iter().enumerate() {
            grad[v] += scale * g_w[(i, j)];
        }
    }
}

/// NOTEARS-MLP's networks on the member's rows: ½n⁻¹ SSE + (λ2/2)‖θ‖² (weights, not biases).
pub struct Networks<'a> {
    /// The member's rows, layout, fixed parameters and L1 weights.
    pub problem: MlpProblem<'a>,
    /// λ2.
    pub lambda2: f64,
}

impl Member for Networks<'_> {
    const SQUARED: bool = false;

    fn len(&self) -> usize {
        self.problem.len()
    }

    fn l1(&self) -> &[f64] {
        &self.problem.l1
    }

    fn start(&self) -> Vec<f64> {
        self.problem.mlp.params.clone()
    }

    fn score_grad(&mut self, p: &[f64], grad: &mut [f64]) -> f64 {
        let scale = 0.5 / self.problem.x.nrows() as f64;
        let sse = self.problem.sse_grad(p, grad);
        for (q, g) in grad.iter_mut().enumerate() {
            *g = scale * *g + self.lambda2 * self.problem.is_weight[q] * p[q];
        }
        self.problem.clear_fixed(grad);
        scale * sse + self.lambda2 * self.problem.half_squared_norm(p)
    }

    fn weights(&mut self, p: &[f64]) -> Vec<f64> {
        let w = self.problem.weights(p);
        let d = w.nrows();
        (0..d * d).map(|k| w[(k % d, k / d)]).collect()
    }

    fn add_weight_chain(&self, p: &[f64], w: &[f64], g_w: MatRef<'_, f64>, scale: f64, grad: &mut [f64]) {
        // ∂W_ij/∂θ = θ/W_ij (bounded by 1; nothing flows into an edge whose inputs are all 0)
        let d = g_w.nrows();
        for (q, kind) in self.problem.kinds.iter().enumerate() {
            if let ParamKind::Input { i, j } = *kind {
                let strength = w[j * d + i];
                if strength > 0.0 {
                    grad[q] += scale * g_w[(i, j)] * p[q] / strength;
                }
            }
        }
    }
}

/// The agreement term λ Σ_k mean_{i≠j} (A_k − Ā)² over the members' W (column-major d×d
/// buffers), with A_k = W_k ∘ W_k (`squared`) or W_k, and its gradient in each W_k, written into
/// `grads`: 4λ/m (A_k − Ā) ∘ W_k, or 2λ/m (A_k − Ā) (m = d(d − 1); the Ā terms cancel because
/// Σ_k (A_k − Ā) = 0).
pub fn agreement(ws: &[Vec<f64>], d: usize, squared: bool, lambda: f64, grads: &mut [Vec<f64>]) -> f64 {
    let k = ws.len() as f64;
    let m = (d * (d - 1)).max(1) as f64;
    let adjacency = |w: f64| if squared { w * w } else { w };
    let mut value = 0.0;
    for idx in (0..d * d).filter(|idx| idx % d != idx / d) {
        let mean = ws.iter().map(|w| adjacency(w[idx])).sum::<f64>() / k;
        for (w, g) in ws.iter().zip(grads.iter_mut()) {
            let diff = adjacency(w[idx]) - mean;
            value += diff * diff;
            g[idx] = if squared { 4.0 * lambda / m * diff * w[idx] } else { 2.0 * lambda / m * diff };
        }
    }
    lambda * value / m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::{Data, Prior};
    use crate::simulate::random::Random;
    use faer::Mat;

    #[test]
    fn agreement_gradient_matches_finite_differences() {
        let d = 3;
        let mut random = Random::new(1);
        let ws: Vec<Vec<f64>> = (0..3).map(|_| (0..d * d).map(|_| random.normal(0.0, 1.0)).collect()).collect();
        for squared in [true, false] {
            let value = |ws: &[Vec<f64>]| agreement(ws, d, squared, 2.5, &mut vec![vec![0.0; d * d]; 3]);
            let mut grads = vec![vec![0.0; d * d]; 3];
            agreement(&ws, d, squared, 2.5, &mut grads);
            for m in 0..3 {
                for idx in 0..d * d {
                    let (mut up, mut down) = (ws.clone(), ws.clone());
                    up[m][idx] += 1e-6;
                    down[m][idx] -= 1e-6;
                    let numeric = (value(&up) - value(&down)) / 2e-6;
                    assert!((numeric - grads[m][idx]).abs() <= 1e-6 * (1.0 + numeric.abs()), "{squared} {m} {idx}");
                }
            }
        }
    }

    /// Σ_ij g_ij W_ij(p) differentiated by finite differences equals the chain.
    fn check_chain<M: Member>(member: &mut M, p: &[f64], d: usize) {
        let mut random = Random::new(5);
        let g = Mat::from_fn(d, d, |_, _| random.normal(0.0, 1.0));
        let inner = |member: &mut M, p: &[f64]| -> f64 {
            let w = member.weights(p);
            (0..d * d).map(|k| g[(k % d, k / d)] * w[k]).sum()
        };
        let w = member.weights(p);
        let mut grad = vec![0.0; p.len()];
        member.add_weight_chain(p, &w, g.as_ref(), 1.0, &mut grad);
        for q in 0..p.len() {
            let (mut up, mut down) = (p.to_vec(), p.to_vec());
            up[q] += 1e-6;
            down[q] -= 1e-6;
            let numeric = (inner(member, &up) - inner(member, &down)) / 2e-6;
            assert!((numeric - grad[q]).abs() <= 1e-5 * (1.0 + numeric.abs()), "{q}: {numeric} vs {}", grad[q]);
        }
    }

    #[test]
    fn weight_chains_match_finite_differences() {
        let d = 4;
        let mut random = Random::new(2);
        let x = Mat::from_fn(30, d, |_, _| random.normal(0.0, 1.0));
        let mut linear = Linear {
            loss: Loss::least_squares_from_data(x.as_ref()).unwrap(),
            layout: Variables::new(d, 0.1, None, None),
        };
        let p: Vec<f64> = (0..linear.len()).map(|_| random.normal(0.0, 1.0)).collect();
        check_chain(&mut linear, &p, d);
        let data = Data::observational(x.as_ref());
        let problem = MlpProblem::new(&data, &[3], 0.1, &Prior::default(), 4, false).unwrap();
        let mut networks = Networks { problem, lambda2: 0.01 };
        let p = networks.start();
        check_chain(&mut networks, &p, d);
    }
}
