//! The latent variables of a particle and what is drawn from them: DiBS' edge probabilities
//! σ(α uᵢᵀvⱼ) and BaCaDI's target probabilities σ(α γ/2), their Gumbel-soft (binary concrete,
//! temperature 1) and hard samples, and the gradients of the priors on Z and Γ.
//!
//! A soft sample of probability p = σ(a) is σ(a + logit u) with u ~ U(0, 1), written
//! u·p / (u·p + (1 − u)(1 − p)) so that it costs no logarithm; its slope in a is s(1 − s).

use crate::acyclicity::poly_of_nonnegative;
use crate::scalar::sigmoid;
use crate::simulate::random::Random;
use faer::Mat;

/// What an entry of the graph may be, under prior knowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Drawn from its probability.
    Free,
    /// Never an edge (the diagonal, forbidden edges): probability 0.
    Never,
    /// Always an edge (required edges): probability 1.
    Always,
}

/// A probability p = σ(a) kept with its complement 1 − p = σ(−a) (both exact where p rounds to
/// 0 or 1).
#[derive(Debug, Clone, Copy)]
pub struct Probability {
    pub p: f64,
    pub q: f64,
}

impl Probability {
    pub fn of_logit(a: f64) -> Self {
        Probability { p: sigmoid(a), q: sigmoid(-a) }
    }

    /// The soft sample for the uniform `u` and its slope ∂/∂a.
    pub fn soft(&self, u: f64) -> (f64, f64) {
        let (a, b) = (u * self.p, (1.0 - u) * self.q);
        let sum = a + b;
        if sum > 0.0 {
            let s = a / sum;
            (s, s * (b / sum))
        } else {
            (if self.p >= self.q { 1.0 } else { 0.0 }, 0.0)
        }
    }

    /// The hard sample for the uniform `u`.
    pub fn hard(&self, u: f64) -> f64 {
        if u < self.p {
            1.0
        } else {
            0.0
        }
    }
}

/// Edge probabilities σ(α sᵢⱼ) of the scores `scores` (d×d), with entries fixed by `entries`
/// (column-major).
pub fn edge_probabilities(scores: &Mat<f64>, alpha: f64, entries: &[Entry]) -> Vec<Probability> {
    let d = scores.nrows();
    let mut out = Vec::with_capacity(d * d);
    for j in 0..d {
        for i in 0..d {
            out.push(match entries[j * d + i] {
                Entry::Free => Probability::of_logit(alpha * scores[(i, j)]),
                Entry::Never => Probability { p: 0.0, q: 1.0 },
                Entry::Always => Probability { p: 1.0, q: 0.0 },
            });
        }
    }
    out
}

/// A Gumbel-soft sample of a d×d graph (column-major probabilities) and its slopes
/// ∂G̃/∂(α s) (zero on fixed entries).
pub fn soft_graph(probs: &[Probability], entries: &[Entry], d: usize, rng: &mut Random) -> (Mat<f64>, Mat<f64>) {
    let mut g = Mat::<f64>::zeros(d, d);
    let mut slope = Mat::<f64>::zeros(d, d);
    soft_graph_into(probs, entries, rng, &mut g, &mut slope);
    (g, slope)
}

/// [`soft_graph`] into `g` and `slope` (d×d, overwritten).
pub fn soft_graph_into(
    probs: &[Probability],
    entries: &[Entry],
    rng: &mut Random,
    g: &mut Mat<f64>,
    slope: &mut Mat<f64>,
) {
    let d = g.nrows();
    for j in 0..d {
        for i in 0..d {
            let k = j * d + i;
            match entries[k] {
                Entry::Free => {
                    let (s, ds) = probs[k].soft(rng.uniform());
                    g[(i, j)] = s;
                    slope[(i, j)] = ds;
                }
                Entry::Always => {
                    g[(i, j)] = 1.0;
                    slope[(i, j)] = 0.0;
                }
                Entry::Never => {
                    g[(i, j)] = 0.0;
                    slope[(i, j)] = 0.0;
                }
            }
        }
    }
}

/// A hard sample of a d×d graph: entry 1 with its probability.
pub fn hard_graph(probs: &[Probability], entries: &[Entry], d: usize, rng: &mut Random) -> Mat<f64> {
    let mut g = Mat::<f64>::zeros(d, d);
    hard_graph_into(probs, entries, rng, &mut g);
    g
}

/// [`hard_graph`] into `g` (d×d, overwritten).
pub fn hard_graph_into(probs: &[Probability], entries: &[Entry], rng: &mut Random, g: &mut Mat<f64>) {
    let d = g.nrows();
    for j in 0..d {
        for i in 0..d {
            let k = j * d + i;
            g[(i, j)] = match entries[k] {
                Entry::Free => probs[k].hard(rng.uniform()),
                Entry::Always => 1.0,
                Entry::Never => 0.0,
            };
        }
    }
}

/// The priors on one particle's latent graph Z = (U, V) and targets Γ, as the reference's runs
/// set them.
#[derive(Debug, Clone, Copy)]
pub struct LatentPrior {
    /// The graph prior.
    pub graph: GraphPrior,
    /// 1/σ_Z² (the reference: σ_Z = 1/√k).
    pub z_precision: f64,
    /// 1/σ_Γ² (the reference: σ_Γ = √0.1).
    pub gamma_precision: f64,
    /// λ, the weight of the expected number of targets.
    pub lambda_regul: f64,
    /// a of the Beta(a, 1 − a) prior on target probabilities (the reference: 1/d).
    pub beta_a: f64,
}

/// The prior on graphs, evaluated on the edge probabilities P.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GraphPrior {
    /// Erdős–Rényi with edge probability p: E log p + (N − E) log(1 − p), E = Σ P.
    ErdosRenyi { p: f64 },
    /// Scale-free: Σ_i −3 log(1 + Σ_j P_ij) (out-degrees, as BaCaDI's code).
    ScaleFree,
}

impl GraphPrior {
    /// ∂ log p_G / ∂P, column-major, zero on fixed entries.
    pub fn grad(&self, probs: &[Probability], entries: &[Entry], d: usize) -> Vec<f64> {
        match *self {
            GraphPrior::ErdosRenyi { p } => {
                let logit = libm::log(p) - libm::log1p(-p);
                entries.iter().map(|&e| if e == Entry::Free { logit } else { 0.0 }).collect()
            }
            GraphPrior::ScaleFree => {
                let mut out_degree = vec![0.0; d];
                for j in 0..d {
                    for (i, deg) in out_degree.iter_mut().enumerate() {
                        *deg += probs[j * d + i].p;
                    }
                }
                let mut g = vec![0.0; d * d];
                for j in 0..d {
                    for i in 0..d {
                        if entries[j * d + i] == Entry::Free {
                            g[j * d + i] = -3.0 / (1.0 + out_degree[i]);
                        }
                    }
                }
                g
            }
        }
    }
}

/// −β·(1/S) Σ_s ∂h(G̃_s)/∂(α s), the acyclicity prior's gradient in the scaled scores, over
/// `samples` Gumbel-soft graphs (h = tr((I + G/d)^d) − d, DiBS'); added into `into` (d×d).
pub fn acyclicity_grad(
    probs: &[Probability],
    entries: &[Entry],
    d: usize,
    beta: f64,
    samples: usize,
    rng: &mut Random,
    into: &mut Mat<f64>,
) {
    if beta == 0.0 || samples == 0 {
        // the draws are still made, so that the stream does not depend on β
        for _ in 0..samples {
            soft_graph(probs, entries, d, rng);
        }
        return;
    }
    let scale = -beta / samples as f64;
    for _ in 0..samples {
        let (g, slope) = soft_graph(probs, entries, d, rng);
        let (h, grad) = poly_of_nonnegative(g);
        if !h.is_finite() {
            continue; // (I + G/d)^d of a soft graph is at most 2^d: only at absurd d
        }
        for j in 0..d {
            for i in 0..d {
                into[(i, j)] += scale * grad[(i, j)] * slope[(i, j)];
            }
        }
    }
}

/// The prior's gradient in the target latents Γ ((E−1)×d): the sparsity term
/// −λ E[Σ Ĩ] (over `samples` soft draws), the Beta(a, 1 − a) density of σ(αγ/2) and the Gaussian.
pub fn gamma_prior_grad(
    gamma: &Mat<f64>,
    alpha: f64,
    prior: &LatentPrior,
    samples: usize,
    rng: &mut Random,
) -> Mat<f64> {
    let (rows, d) = (gamma.nrows(), gamma.ncols());
    let half = 0.5 * alpha;
    let probs: Vec<Probability> = (0..d)
        .flat_map(|j| (0..rows).map(move |e| (e, j)))
        .map(|(e, j)| Probability::of_logit(half * gamma[(e, j)]))
        .collect();
    let mut grad = Mat::<f64>::zeros(rows, d);
    let scale = -prior.lambda_regul * half / samples.max(1) as f64;
    for _ in 0..samples {
        for j in 0..d {
            for e in 0..rows {
                let (_, slope) = probs[j * rows + e].soft(rng.uniform());
                grad[(e, j)] += scale * slope;
            }
        }
    }
    let b = 1.0 - prior.beta_a;
    for j in 0..d {
        for e in 0..rows {
            let q = probs[j * rows + e].p;
            if q > 1e-8 && q < 1.0 - 1e-8 {
                grad[(e, j)] += half * (q - b);
            }
            grad[(e, j)] -= prior.gamma_precision * gamma[(e, j)];
        }
    }
    grad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_samples_are_the_sigmoid_of_the_perturbed_logit() {
        for &a in &[-3.0, -0.2, 0.0, 1.5, 40.0] {
            for &u in &[0.01, 0.3, 0.5, 0.93] {
                let (s, slope) = Probability::of_logit(a).soft(u);
                let expected = sigmoid(a + (u / (1.0 - u)).ln());
                assert!((s - expected).abs() < 1e-14, "{a} {u}");
                assert!((slope - expected * (1.0 - expected)).abs() < 1e-14);
            }
        }
        // no NaN where the probability rounds to 1
        let (s, slope) = Probability::of_logit(800.0).soft(0.0);
        assert!(s == 1.0 && slope == 0.0);
    }

    #[test]
    fn prior_gradients_match_finite_differences() {
        // the Beta and Gaussian parts of Γ's prior (λ = 0, so the sampled sparsity term vanishes)
        let prior = LatentPrior {
            graph: GraphPrior::ScaleFree,
            z_precision: 1.0,
            gamma_precision: 10.0,
            lambda_regul: 0.0,
            beta_a: 0.25,
        };
        let gamma = Mat::from_fn(2, 3, |e, j| 0.7 * e as f64 - 0.4 * j as f64 + 0.1);
        let alpha = 1.7;
        let log_prior = |g: &Mat<f64>| {
            let mut f = 0.0;
            for j in 0..3 {
                for e in 0..2 {
                    let q = sigmoid(0.5 * alpha * g[(e, j)]);
                    f += (prior.beta_a - 1.0) * q.ln() + (1.0 - prior.beta_a - 1.0) * (1.0 - q).ln()
                        - 5.0 * g[(e, j)].powi(2);
                }
            }
            f
        };
        let grad = gamma_prior_grad(&gamma, alpha, &prior, 4, &mut Random::new(1));
        // the sparsity term −λ E[Σ Ĩ] with its 4 soft draws replayed (column-major, as drawn)
        let with_sparsity = LatentPrior { lambda_regul: 1.5, ..prior };
        let grad_sparse = gamma_prior_grad(&gamma, alpha, &with_sparsity, 4, &mut Random::new(1));
        let sparsity = |g: &Mat<f64>| {
            let mut rng = Random::new(1);
            let mut total = 0.0;
            for _ in 0..4 {
                for j in 0..3 {
                    for e in 0..2 {
                        total += Probability::of_logit(0.5 * alpha * g[(e, j)]).soft(rng.uniform()).0;
                    }
                }
            }
            -1.5 * total / 4.0
        };
        for j in 0..3 {
            for e in 0..2 {
                let (mut p, mut m) = (gamma.clone(), gamma.clone());
                p[(e, j)] += 1e-6;
                m[(e, j)] -= 1e-6;
                let fd = (sparsity(&p) - sparsity(&m)) / 2e-6;
                assert!((fd - (grad_sparse[(e, j)] - grad[(e, j)])).abs() < 1e-6, "sparsity: {fd}");
            }
        }
        for j in 0..3 {
            for e in 0..2 {
                let (mut p, mut m) = (gamma.clone(), gamma.clone());
                p[(e, j)] += 1e-6;
                m[(e, j)] -= 1e-6;
                let fd = (log_prior(&p) - log_prior(&m)) / 2e-6;
                assert!((fd - grad[(e, j)]).abs() < 1e-6, "{fd} {}", grad[(e, j)]);
            }
        }
        // the scale-free prior's gradient in P
        let d = 3;
        let entries: Vec<Entry> = (0..9).map(|k| if k % 4 == 0 { Entry::Never } else { Entry::Free }).collect();
        let scores = Mat::from_fn(d, d, |i, j| (i as f64 - j as f64) * 0.3 + 0.1);
        let probs = edge_probabilities(&scores, 1.0, &entries);
        let g = GraphPrior::ScaleFree.grad(&probs, &entries, d);
        let log_sf =
            |p: &[f64]| (0..d).map(|i| -3.0 * (1.0 + (0..d).map(|j| p[j * d + i]).sum::<f64>()).ln()).sum::<f64>();
        let base: Vec<f64> = probs.iter().map(|p| p.p).collect();
        for k in 0..9 {
            if entries[k] != Entry::Free {
                continue;
            }
            let (mut p, mut m) = (base.clone(), base.clone());
            p[k] += 1e-6;
            m[k] -= 1e-6;
            assert!(((log_sf(&p) - log_sf(&m)) / 2e-6 - g[k]).abs() < 1e-7);
        }
    }

    #[test]
    fn the_acyclicity_gradient_is_the_mean_of_the_samples_chain_rule() {
        // β·E[h(G̃)] as a function of the scaled scores a = α s, with the uniforms fixed
        let d = 3;
        let entries: Vec<Entry> = (0..9).map(|k| if k % 4 == 0 { Entry::Never } else { Entry::Free }).collect();
        let a = Mat::from_fn(d, d, |i, j| 0.5 * i as f64 - 0.8 * j as f64 + 0.3);
        let h_mean = |a: &Mat<f64>| {
            let probs = edge_probabilities(a, 1.0, &entries);
            let mut rng = Random::new(9);
            let mut total = 0.0;
            for _ in 0..4 {
                let (g, _) = soft_graph(&probs, &entries, d, &mut rng);
                total += poly_of_nonnegative(g).0;
            }
            total / 4.0
        };
        let mut grad = Mat::zeros(d, d);
        acyclicity_grad(&edge_probabilities(&a, 1.0, &entries), &entries, d, 2.0, 4, &mut Random::new(9), &mut grad);
        for j in 0..d {
            for i in 0..d {
                let (mut p, mut m) = (a.clone(), a.clone());
                p[(i, j)] += 1e-6;
                m[(i, j)] -= 1e-6;
                let fd = -2.0 * (h_mean(&p) - h_mean(&m)) / 2e-6;
                assert!((fd - grad[(i, j)]).abs() < 1e-6, "{fd} {}", grad[(i, j)]);
            }
        }
    }
}
