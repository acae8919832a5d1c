//! The edges of a DP-DAG sample and the Bernoulli KL term on their logits.
//!
//! Edge i → j is kept with probability σ(Φ_ij): U_ij = 1[Φ_ij + ℓ_ij > 0] with ℓ standard
//! logistic noise (the difference of two Gumbels, i.e. a Gumbel-softmax over {edge, no edge} at
//! temperature 1). Straight-through: the forward pass keeps the 0/1 value, the backward pass uses
//! the binary-concrete relaxation σ(Φ_ij + ℓ_ij), so ∂U_ij/∂Φ_ij := σ(Φ+ℓ)(1 − σ(Φ+ℓ)).
//!
//! Entries fixed by prior knowledge (and the diagonal) are never sampled and get no gradient.
//! Matrices are column-major d×d: entry (i, j) at `j * d + i`.

use super::ordering::Relaxation;
use crate::graph::Mask;
use crate::scalar::sigmoid;
use crate::scalar::softplus;

/// What an entry of the edge matrix may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeState {
    /// Sampled from σ(Φ_ij).
    Free,
    /// Never an edge (diagonal, forbidden).
    Never,
    /// Always an edge (required).
    Always,
}

/// The state of every entry (column-major), from the row-major prior-knowledge masks.
pub fn edge_states(d: usize, forbidden: Option<&Mask>, required: Option<&Mask>) -> Vec<EdgeState> {
    let mut states = vec![EdgeState::Free; d * d];
    for j in 0..d {
        for i in 0..d {
            let row_major = i * d + j;
            states[j * d + i] = if i == j || forbidden.is_some_and(|m| m[row_major]) {
                EdgeState::Never
            } else if required.is_some_and(|m| m[row_major]) {
                EdgeState::Always
            } else {
                EdgeState::Free
            };
        }
    }
    states
}

/// One edge sample: U (0/1, or σ(Φ+ℓ) when soft) and the slope σ'(Φ+ℓ) of each free entry.
///
/// The noise is drawn as u ~ U(0, 1), ℓ = logit(u). With p = σ(Φ), σ(Φ + ℓ) = up / (up + (1−u)(1−p)),
/// so a sample costs no transcendental function beyond the d² sigmoids of p, which the KL
/// gradient shares.
#[derive(Debug, Clone)]
pub struct EdgeSample {
    /// U, column-major.
    pub values: Vec<f64>,
    /// ∂U/∂Φ (0 on fixed entries), column-major.
    slopes: Vec<f64>,
}

impl EdgeSample {
    /// Samples U given p = σ(Φ) (`probabilities`) and the uniforms `uniforms` (both column-major d×d).
    pub fn new(probabilities: &[f64], uniforms: &[f64], states: &[EdgeState], relaxation: Relaxation) -> Self {
        let mut values = vec![0.0; probabilities.len()];
        let mut slopes = vec![0.0; probabilities.len()];
        for k in 0..probabilities.len() {
            match states[k] {
                EdgeState::Never => {}
                EdgeState::Always => values[k] = 1.0,
                EdgeState::Free => {
                    let (p, u) = (probabilities[k], uniforms[k]);
                    let (on, off) = (u * p, (1.0 - u) * (1.0 - p));
                    // σ(Φ+ℓ); both terms vanish only when p rounds to 0 or 1 at an extreme u
                    let soft = if on + off > 0.0 { on / (on + off) } else { f64::from(u8::from(on > 0.0)) };
                    slopes[k] = soft * (1.0 - soft);
                    values[k] = match relaxation {
                        Relaxation::Hard => f64::from(u8::from(on > off)),
                        Relaxation::Soft => soft,
                    };
                }
            }
        }
        EdgeSample { values, slopes }
    }

    /// Adds ∂L/∂Φ to `grad_phi` from ∂L/∂U.
    pub fn add_logit_gradient(&self, grad_values: &[f64], grad_phi: &mut [f64]) {
        for ((g, &slope), &gu) in grad_phi.iter_mut().zip(&self.slopes).zip(grad_values) {
            *g += slope * gu;
        }
    }
}

/// Adds the gradient of `weight` · Σ_free KL(Bernoulli(σ(Φ_ij)) ‖ Bernoulli(p0)) / `normaliser`
/// to `grad`, given p = σ(Φ): ∂KL/∂Φ = p(1 − p)(Φ − logit p0).
pub fn bernoulli_kl_gradient(
    phi: &[f64],
    probabilities: &[f64],
    states: &[EdgeState],
    p0: f64,
    normaliser: f64,
    weight: f64,
    grad: &mut [f64],
) {
    let logit = libm::log(p0 / (1.0 - p0));
    for (k, g) in grad.iter_mut().enumerate() {
        if states[k] == EdgeState::Free {
            let p = probabilities[k];
            *g += weight * p * (1.0 - p) * (phi[k] - logit) / normaliser;
        }
    }
}

/// `weight` · Σ_free KL(Bernoulli(σ(Φ_ij)) ‖ Bernoulli(p0)) / `normaliser` (fixed entries
/// contribute nothing), with KL = σ log(σ/p0) + (1 − σ) log((1 − σ)/(1 − p0)).
pub fn bernoulli_kl(phi: &[f64], states: &[EdgeState], p0: f64, normaliser: f64, weight: f64) -> f64 {
    let (log_p, log_q) = (libm::log(p0), libm::log1p(-p0));
    let mut total = 0.0;
    for (&z, &state) in phi.iter().zip(states) {
        if state == EdgeState::Free {
            let s = sigmoid(z);
            // log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z)
            total += s * (-softplus(-z) - log_p) + (1.0 - s) * (-softplus(z) - log_q);
        }
    }
    weight * total / normaliser
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kl_and_its_gradient_match_the_closed_form_and_finite_differences() {
        let states = vec![EdgeState::Free, EdgeState::Free, EdgeState::Never, EdgeState::Free];
        let phi = vec![-3.0, 0.2, 5.0, 40.0];
        let p0 = 0.01;
        let mut grad = vec![0.0; 4];
        let value = bernoulli_kl(&phi, &states, p0, 3.0, 2.0);
        let probabilities: Vec<f64> = phi.iter().map(|&z| sigmoid(z)).collect();
        bernoulli_kl_gradient(&phi, &probabilities, &states, p0, 3.0, 2.0, &mut grad);
        let kl = |z: f64| {
            let s: f64 = 1.0 / (1.0 + (-z).exp());
            s * (s / p0).ln() + (1.0 - s) * ((1.0 - s) / (1.0 - p0)).ln()
        };
        let expected = 2.0 * (kl(-3.0) + kl(0.2) + (1.0 / p0).ln()) / 3.0; // σ(40) = 1 to f64
        assert!((value - expected).abs() < 1e-9, "{value} vs {expected}");
        assert_eq!(grad[2], 0.0);
        let h = 1e-6;
        for k in [0, 1] {
            let numeric = 2.0 * (kl(phi[k] + h) - kl(phi[k] - h)) / (2.0 * h) / 3.0;
            assert!((numeric - grad[k]).abs() < 1e-7, "{k}: {numeric} vs {}", grad[k]);
        }
        // minimised at Φ = logit p0
        let mut g = vec![0.0; 1];
        bernoulli_kl_gradient(&[(p0 / (1.0 - p0)).ln()], &[p0], &[EdgeState::Free], p0, 1.0, 1.0, &mut g);
        assert!(g[0].abs() < 1e-15);
    }

    #[test]
    fn fixed_entries_are_never_sampled() {
        let states = edge_states(2, Some(&vec![false, true, false, false]), None);
        // column-major: (0,0) Never, (1,0) Free, (0,1) forbidden → Never, (1,1) Never
        assert_eq!(states, vec![EdgeState::Never, EdgeState::Free, EdgeState::Never, EdgeState::Never]);
        let sample = EdgeSample::new(&[sigmoid(9.0); 4], &[0.5; 4], &states, Relaxation::Hard);
        assert_eq!(sample.values, vec![0.0, 1.0, 0.0, 0.0]);
        let mut grad = vec![0.0; 4];
        sample.add_logit_gradient(&[1.0; 4], &mut grad);
        assert_eq!((grad[0], grad[2], grad[3]), (0.0, 0.0, 0.0));
        assert!(grad[1] > 0.0);
    }
}
