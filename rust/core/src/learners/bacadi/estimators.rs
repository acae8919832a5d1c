//! One particle's gradient of the log posterior, as BaCaDI's reference estimates it (Hägele et
//! al., AISTATS 2023; DiBS' joint inference, Lorch et al., NeurIPS 2021).
//!
//! The likelihood enters as log E_{G ~ p(G|Z), I ~ p(I|Γ)}[exp f(G, I)], whose gradient is
//! estimated by self-normalised Monte Carlo: Σ_s w_s ∇f_s with w = softmax(f_1..f_S) over S
//! fresh draws. Three estimators, each with its own draws (as the reference):
//! - Z: Gumbel-soft graphs G̃(Z) with hard targets (reparameterised through G̃);
//! - Θ and μ: hard graphs and hard targets;
//! - Γ: hard graphs with Gumbel-soft targets Ĩ(Γ).
//!
//! Priors: Z's (−β E[h(G̃)] over its own soft draws, the graph prior on the edge probabilities,
//! a Gaussian) and Γ's ([`gamma_prior_grad`]); Θ's and μ's are inside f.

use super::bge::Bge;
use super::gaussian::{parents_of, LinearGaussian, NodeTerm, Workspace};
use super::latent::{
    acyclicity_grad, edge_probabilities, gamma_prior_grad, hard_graph_into, soft_graph_into, Entry, LatentPrior,
    Probability,
};
#[cfg(test)]
use super::latent::{hard_graph, soft_graph};
use super::stats::EnvStats;
use crate::error::{CoreError, Result};
use crate::matmul::matmul;
use crate::simulate::random::Random;
use faer::{Accum, Mat, MatRef};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// One particle: its latent graph Z = (U, V) (two d×k blocks, column-major, U first), its edge
/// weights Θ (d×d) followed by its intervention means μ ((E−1)×d), and its target latents Γ
/// ((E−1)×d; empty when the targets are known).
#[derive(Debug, Clone, PartialEq)]
pub struct Particle {
    pub z: Vec<f64>,
    pub theta_mu: Vec<f64>,
    pub gamma: Vec<f64>,
}

/// Where a particle's blocks are.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub d: usize,
    pub k: usize,
    /// Interventional environments, E − 1.
    pub envs: usize,
}

impl Layout {
    pub fn u<'a>(&self, p: &'a Particle) -> MatRef<'a, f64> {
        MatRef::from_column_major_slice(&p.z[..self.d * self.k], self.d, self.k)
    }
    pub fn v<'a>(&self, p: &'a Particle) -> MatRef<'a, f64> {
        MatRef::from_column_major_slice(&p.z[self.d * self.k..], self.d, self.k)
    }
    pub fn theta(&self, p: &Particle) -> Mat<f64> {
        MatRef::from_column_major_slice(&p.theta_mu[..self.d * self.d], self.d, self.d).to_owned()
    }
    pub fn mu(&self, p: &Particle) -> Mat<f64> {
        MatRef::from_column_major_slice(&p.theta_mu[self.d * self.d..], self.envs, self.d).to_owned()
    }
    pub fn gamma(&self, p: &Particle) -> Mat<f64> {
        MatRef::from_column_major_slice(&p.gamma, self.envs, self.d).to_owned()
    }
    /// The scores uᵢᵀvⱼ (d×d).
    pub fn scores(&self, p: &Particle) -> Mat<f64> {
        let mut s = Mat::<f64>::zeros(self.d, self.d);
        matmul(s.as_mut(), Accum::Replace, self.u(p), self.v(p).transpose(), 1.0);
        s
    }
}

/// A node's cached terms of one step, by the bits of its parents (and targets).
type Cache<V> = HashMap<Vec<u64>, V, BuildHasherDefault<WordHasher>>;

/// A multiplicative hash of 64-bit words (the keys are bit sets; no adversary).
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // a slice of u64 arrives as its bytes
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

/// The bits of a 0/1 column followed by those of the 0/1 values `more`, into `key`.
fn key_of(column: &[f64], more: impl Iterator<Item = f64>, key: &mut Vec<u64>) {
    key.clear();
    let mut word = 0u64;
    let mut bit = 0;
    for v in column.iter().copied().chain(more) {
        if v != 0.0 {
            word |= 1 << bit;
        }
        bit += 1;
        if bit == 64 {
            key.push(word);
            word = 0;
            bit = 0;
        }
    }
    key.push(word);
}

/// Σ_s w_s g_s / Σ_s w_s with log-weights, kept stable by rescaling to the running maximum.
struct SelfNormalised {
    max: f64,
    total: f64,
    acc: Vec<f64>,
}

impl SelfNormalised {
    fn new(len: usize) -> Self {
        SelfNormalised { max: f64::NEG_INFINITY, total: 0.0, acc: vec![0.0; len] }
    }

    fn add(&mut self, log_w: f64, g: impl Iterator<Item = f64>) -> Result<()> {
        if log_w.is_nan() || log_w == f64::INFINITY {
            return Err(CoreError::Numerical(format!("the log joint of a Monte-Carlo sample is {log_w}")));
        }
        if log_w == f64::NEG_INFINITY {
            return Ok(());
        }
        if log_w > self.max {
            let rescale = libm::exp(self.max - log_w);
            self.total *= rescale;
            self.acc.iter_mut().for_each(|a| *a *= rescale);
            self.max = log_w;
        }
        let w = libm::exp(log_w - self.max);
        self.total += w;
        for (a, v) in self.acc.iter_mut().zip(g) {
            *a += w * v;
        }
        Ok(())
    }

    fn mean(self) -> Vec<f64> {
        let total = self.total;
        if total > 0.0 {
            self.acc.into_iter().map(|a| a / total).collect()
        } else {
            self.acc
        }
    }
}

/// The random streams of one particle's step: one per estimator, one for the priors'
/// expectations.
pub struct Streams {
    pub z: Random,
    pub theta_mu: Random,
    pub gamma: Random,
    pub priors: Random,
}

impl Streams {
    /// The streams of task `task` (e.g. step × particles + particle) of `seed`.
    pub fn new(seed: u64, task: u64) -> Self {
        let stream = |k: u64| Random::with_stream(seed, 4 * task + k);
        Streams { z: stream(0), theta_mu: stream(1), gamma: stream(2), priors: stream(3) }
    }
}

/// The likelihood, and with it the kind of inference.
#[derive(Debug, Clone, Copy)]
pub enum Likelihood {
    /// Joint inference over graphs and linear-Gaussian weights (reparameterised gradients).
    Gaussian(LinearGaussian),
    /// Marginal inference with the weights integrated out (BGe; score-function gradients).
    Bge(Bge),
}

/// Everything the estimators need besides a particle.
pub struct Model<'a> {
    pub stats: &'a EnvStats,
    pub likelihood: Likelihood,
    pub prior: LatentPrior,
    pub layout: Layout,
    /// Column-major d×d: which entries of the graph are free.
    pub entries: &'a [Entry],
    /// The 0/1 targets ((E−1)×d) when known; `None`: inferred through Γ.
    pub known_targets: Option<&'a Mat<f64>>,
    /// S, the draws of each likelihood estimator.
    pub n_mc: usize,
    /// Draws of the acyclicity (and target-sparsity) expectations.
    pub n_acyclicity: usize,
}

/// The schedules' values at a step: α_t = α·t, β_t = β·t.
#[derive(Debug, Clone, Copy)]
pub struct Temperatures {
    pub alpha: f64,
    pub beta: f64,
}

impl Model<'_> {
    fn target_probabilities(&self, particle: &Particle, alpha: f64) -> Vec<Probability> {
        let l = self.layout;
        match self.known_targets {
            Some(t) => (0..l.d)
                .flat_map(|j| (0..l.envs).map(move |e| (e, j)))
                .map(|(e, j)| Probability { p: t[(e, j)], q: 1.0 - t[(e, j)] })
                .collect(),
            None => particle.gamma.iter().map(|&g| Probability::of_logit(0.5 * alpha * g)).collect(),
        }
    }

    #[cfg(test)]
    fn hard_targets(&self, probs: &[Probability], rng: &mut Random) -> Mat<f64> {
        let mut t = Mat::<f64>::zeros(self.layout.envs, self.layout.d);
        self.hard_targets_into(probs, rng, &mut t);
        t
    }

    /// Hard targets into `t` ((E−1)×d): drawn, or the known ones.
    fn hard_targets_into(&self, probs: &[Probability], rng: &mut Random, t: &mut Mat<f64>) {
        let l = self.layout;
        match self.known_targets {
            Some(known) => t.copy_from(known),
            None => {
                for j in 0..l.d {
                    for e in 0..l.envs {
                        t[(e, j)] = probs[j * l.envs + e].hard(rng.uniform());
                    }
                }
            }
        }
    }

    /// The gradient of the log posterior in each block of `particle` at temperatures `temp`.
    /// Each estimator draws from its own stream (so that each can be replayed alone).
    pub fn gradient(&self, particle: &Particle, temp: Temperatures, streams: &mut Streams) -> Result<Particle> {
        match self.likelihood {
            Likelihood::Gaussian(model) => self.joint_gradient(&model, particle, temp, streams),
            Likelihood::Bge(model) => self.marginal_gradient(&model, particle, temp, streams),
        }
    }

    /// The joint model's gradient (Z, Θ and μ, Γ).
    fn joint_gradient(
        &self,
        model: &LinearGaussian,
        particle: &Particle,
        temp: Temperatures,
        streams: &mut Streams,
    ) -> Result<Particle> {
        let l = self.layout;
        let d = l.d;
        let params = model.parameters(self.stats, l.theta(particle), l.mu(particle));
        let mut work = Workspace::new(d, self.stats);
        let edge_probs = edge_probabilities(&l.scores(particle), temp.alpha, self.entries);
        let target_probs = self.target_probabilities(particle, temp.alpha);

        // Z: soft graphs, hard targets; b = ∂ log π / ∂(α s), then the chain rule to U and V
        let mut acc = SelfNormalised::new(d * d);
        let mut grad_w = Mat::<f64>::zeros(d, d);
        let mut grad_g = Mat::<f64>::zeros(d, d);
        let rng = &mut streams.z;
        let (mut g, mut slope) = (Mat::<f64>::zeros(d, d), Mat::<f64>::zeros(d, d));
        let mut targets = Mat::<f64>::zeros(l.envs, d);
        for _ in 0..self.n_mc {
            soft_graph_into(&edge_probs, self.entries, rng, &mut g, &mut slope);
            self.hard_targets_into(&target_probs, rng, &mut targets);
            let f = model.with_hard_targets(self.stats, &g, &params, &targets, &mut work, &mut grad_w, None);
            model.edge_prior_grad(&g, &params, &grad_w, Some(&mut grad_g), None);
            acc.add(
                f,
                (0..d).flat_map(|j| grad_g.col_as_slice(j).iter().zip(slope.col_as_slice(j)).map(|(a, b)| a * b)),
            )?;
        }
        let mean = acc.mean();
        let grad_z = self.z_gradient(particle, Mat::from_fn(d, d, |i, j| mean[j * d + i]), &edge_probs, temp, streams);

        // Θ and μ: hard graphs, hard targets. f is a sum over nodes of terms that depend on the
        // node's parents and targets only: once the probabilities are sharp most draws repeat
        // them, so the terms are cached by (node, parents, targets) for this step.
        let envs_d = l.envs * d;
        let mut acc = SelfNormalised::new(d * d + envs_d);
        let mut cache: Vec<Cache<NodeTerm>> = vec![Cache::default(); d];
        let mut gradient = vec![0.0; d * d + envs_d];
        let mut key = Vec::new();
        let rng = &mut streams.theta_mu;
        for _ in 0..self.n_mc {
            hard_graph_into(&edge_probs, self.entries, rng, &mut g);
            self.hard_targets_into(&target_probs, rng, &mut targets);
            gradient.iter_mut().for_each(|v| *v = 0.0);
            let mut f = 0.0;
            for j in 0..d {
                key_of(g.col_as_slice(j), (0..l.envs).map(|e| targets[(e, j)]), &mut key);
                let term = match cache[j].get(key.as_slice()) {
                    Some(term) => term,
                    None => {
                        let parents: Vec<usize> = (0..d).filter(|&i| g[(i, j)] != 0.0).collect();
                        let envs: Vec<usize> = (0..l.envs).filter(|&e| targets[(e, j)] != 0.0).map(|e| e + 1).collect();
                        let term = model.node_term(self.stats, j, &parents, &params, &envs);
                        cache[j].entry(key.clone()).or_insert(term)
                    }
                };
                f += term.f;
                let parents = (0..d).filter(|&i| g[(i, j)] != 0.0);
                for (i, &v) in parents.zip(&term.grad_theta) {
                    gradient[j * d + i] = v;
                }
                let envs = (0..l.envs).filter(|&e| targets[(e, j)] != 0.0);
                for (e, &v) in envs.zip(&term.grad_mu) {
                    gradient[d * d + j * l.envs + e] = v;
                }
            }
            acc.add(f, gradient.iter().copied())?;
        }
        let grad_theta_mu = acc.mean();

        // Γ: hard graphs, soft targets, then Γ's prior. Node j's observational log-density in
        // each environment depends on its parents only: cached by (node, parents).
        let grad_gamma = if self.known_targets.is_some() || l.envs == 0 {
            Vec::new()
        } else {
            let mut acc = SelfNormalised::new(envs_d);
            let mut cache: Vec<Cache<(f64, Vec<f64>)>> = vec![Cache::default(); d];
            let mut gradient = vec![0.0; envs_d];
            let mut key = Vec::new();
            let half = 0.5 * temp.alpha;
            let rng = &mut streams.gamma;
            for _ in 0..self.n_mc {
                hard_graph_into(&edge_probs, self.entries, rng, &mut g);
                let mut f = 0.0;
                for j in 0..d {
                    key_of(g.col_as_slice(j), std::iter::empty(), &mut key);
                    let (prior, obs) = match cache[j].get(key.as_slice()) {
                        Some(v) => v,
                        None => {
                            let parents: Vec<usize> = (0..d).filter(|&i| g[(i, j)] != 0.0).collect();
                            let v = model.node_environments(self.stats, j, &parents, &params);
                            cache[j].entry(key.clone()).or_insert(v)
                        }
                    };
                    f += *prior + obs[0];
                    for e in 0..l.envs {
                        let (soft, slope) = target_probs[j * l.envs + e].soft(rng.uniform());
                        let (int, o) = (model.intervened(&params, e, j), obs[e + 1]);
                        f += (1.0 - soft) * o + soft * int;
                        gradient[j * l.envs + e] = (int - o) * slope * half;
                    }
                }
                acc.add(f, gradient.iter().copied())?;
            }
            self.with_gamma_prior(particle, acc.mean(), temp, streams)
        };
        Ok(Particle { z: grad_z, theta_mu: grad_theta_mu, gamma: grad_gamma })
    }

    /// The marginal (BGe) model's gradient (Z, Γ): score-function estimates over hard draws
    /// (G_s, I_s), Σ_s w_s ∇ log p(G_s, I_s | Z, Γ) with w = softmax(f_s), f_s the BGe score
    /// (DiBS' estimator, Lorch et al. 2021, without a baseline). The node scores are cached by
    /// (node, parents, targets) for the step.
    fn marginal_gradient(
        &self,
        model: &Bge,
        particle: &Particle,
        temp: Temperatures,
        streams: &mut Streams,
    ) -> Result<Particle> {
        let l = self.layout;
        let d = l.d;
        let infer = self.known_targets.is_none() && l.envs > 0;
        let edge_probs = edge_probabilities(&l.scores(particle), temp.alpha, self.entries);
        let target_probs = self.target_probabilities(particle, temp.alpha);
        let envs_d = if infer { l.envs * d } else { 0 };
        let mut acc = SelfNormalised::new(d * d + envs_d);
        let mut cache: Vec<Cache<f64>> = vec![Cache::default(); d];
        let (mut g, mut targets) = (Mat::<f64>::zeros(d, d), Mat::<f64>::zeros(l.envs, d));
        let mut gradient = vec![0.0; d * d + envs_d];
        let mut key = Vec::new();
        let half = 0.5 * temp.alpha;
        let rng = &mut streams.z;
        for _ in 0..self.n_mc {
            hard_graph_into(&edge_probs, self.entries, rng, &mut g);
            self.hard_targets_into(&target_probs, rng, &mut targets);
            let mut f = 0.0;
            for j in 0..d {
                key_of(g.col_as_slice(j), (0..l.envs).map(|e| targets[(e, j)]), &mut key);
                f += match cache[j].get(key.as_slice()) {
                    Some(&score) => score,
                    None => {
                        let parents: Vec<usize> = (0..d).filter(|&i| g[(i, j)] != 0.0).collect();
                        let envs: Vec<usize> = (0..l.envs).filter(|&e| targets[(e, j)] != 0.0).map(|e| e + 1).collect();
                        *cache[j].entry(key.clone()).or_insert(model.node_score(self.stats, j, &parents, &envs))
                    }
                };
                for i in 0..d {
                    let free = self.entries[j * d + i] == Entry::Free;
                    gradient[j * d + i] = if free { g[(i, j)] - edge_probs[j * d + i].p } else { 0.0 };
                }
                if infer {
                    for e in 0..l.envs {
                        gradient[d * d + j * l.envs + e] = (targets[(e, j)] - target_probs[j * l.envs + e].p) * half;
                    }
                }
            }
            acc.add(f, gradient.iter().copied())?;
        }
        let mean = acc.mean();
        let grad_z = self.z_gradient(particle, Mat::from_fn(d, d, |i, j| mean[j * d + i]), &edge_probs, temp, streams);
        let grad_gamma =
            if infer { self.with_gamma_prior(particle, mean[d * d..].to_vec(), temp, streams) } else { Vec::new() };
        Ok(Particle { z: grad_z, theta_mu: Vec::new(), gamma: grad_gamma })
    }

    /// Z's gradient from the likelihood's ∂/∂(α s) (`b`, d×d): adds the acyclicity prior (its own
    /// soft draws), the graph prior on the edge probabilities, the chain rule to U and V and the
    /// Gaussian prior.
    fn z_gradient(
        &self,
        particle: &Particle,
        mut b: Mat<f64>,
        edge_probs: &[Probability],
        temp: Temperatures,
        streams: &mut Streams,
    ) -> Vec<f64> {
        let l = self.layout;
        let (d, k) = (l.d, l.k);
        acyclicity_grad(edge_probs, self.entries, d, temp.beta, self.n_acyclicity, &mut streams.priors, &mut b);
        let graph = self.prior.graph.grad(edge_probs, self.entries, d);
        for j in 0..d {
            for i in 0..d {
                let p = edge_probs[j * d + i];
                b[(i, j)] += graph[j * d + i] * p.p * p.q;
            }
        }
        let (u, v) = (l.u(particle), l.v(particle));
        let mut grad_z = vec![0.0; 2 * d * k];
        {
            let (gu, gv) = grad_z.split_at_mut(d * k);
            let gu = faer::MatMut::from_column_major_slice_mut(gu, d, k);
            matmul(gu, Accum::Replace, b.as_ref(), v, temp.alpha);
            let gv = faer::MatMut::from_column_major_slice_mut(gv, d, k);
            matmul(gv, Accum::Replace, b.transpose(), u, temp.alpha);
        }
        for (g, &z) in grad_z.iter_mut().zip(&particle.z) {
            *g -= self.prior.z_precision * z;
        }
        grad_z
    }

    /// Γ's likelihood gradient (column-major (E−1)×d) plus its prior's.
    fn with_gamma_prior(
        &self,
        particle: &Particle,
        mut grad: Vec<f64>,
        temp: Temperatures,
        streams: &mut Streams,
    ) -> Vec<f64> {
        let l = self.layout;
        let prior =
            gamma_prior_grad(&l.gamma(particle), temp.alpha, &self.prior, self.n_acyclicity, &mut streams.priors);
        for j in 0..l.d {
            for e in 0..l.envs {
                grad[j * l.envs + e] += prior[(e, j)];
            }
        }
        grad
    }

    /// The particle's hard graph 1[uᵢᵀvⱼ > 0] (prior knowledge applied) and hard targets
    /// 1[γ > 0] (or the known ones).
    pub fn hard_limit(&self, particle: &Particle) -> (Mat<f64>, Mat<f64>) {
        let l = self.layout;
        let scores = l.scores(particle);
        let g = Mat::from_fn(l.d, l.d, |i, j| match self.entries[j * l.d + i] {
            Entry::Free => f64::from(scores[(i, j)] > 0.0),
            Entry::Always => 1.0,
            Entry::Never => 0.0,
        });
        let targets = match self.known_targets {
            Some(t) => t.clone(),
            None => Mat::from_fn(l.envs, l.d, |e, j| f64::from(particle.gamma[j * l.envs + e] > 0.0)),
        };
        (g, targets)
    }

    /// f at the particle's hard limit: its unnormalised log weight in the mixture (the
    /// reference's: the likelihood and the priors of Θ and μ, not those of Z and Γ).
    pub fn log_joint(&self, particle: &Particle) -> f64 {
        let l = self.layout;
        let (g, targets) = self.hard_limit(particle);
        let parents = parents_of(&g);
        match self.likelihood {
            Likelihood::Gaussian(model) => {
                let params = model.parameters(self.stats, l.theta(particle), l.mu(particle));
                model.with_soft_targets(self.stats, &g, &parents, &params, &targets, None)
            }
            Likelihood::Bge(model) => (0..l.d)
                .map(|j| {
                    let envs: Vec<usize> = (0..l.envs).filter(|&e| targets[(e, j)] != 0.0).map(|e| e + 1).collect();
                    model.node_score(self.stats, j, &parents[j], &envs)
                })
                .sum(),
        }
    }

    /// The particle's point weights on its hard graph: G∘Θ (joint model), or each node's
    /// least-squares regression on its parents over the rows that do not set it (marginal model,
    /// whose weights are integrated out).
    pub fn point_weights(&self, particle: &Particle) -> Mat<f64> {
        let l = self.layout;
        let (g, targets) = self.hard_limit(particle);
        match self.likelihood {
            Likelihood::Gaussian(_) => {
                let theta = l.theta(particle);
                Mat::from_fn(l.d, l.d, |i, j| g[(i, j)] * theta[(i, j)])
            }
            Likelihood::Bge(_) => {
                let mut w = Mat::<f64>::zeros(l.d, l.d);
                for (j, parents) in parents_of(&g).iter().enumerate() {
                    let envs: Vec<usize> = (0..l.envs).filter(|&e| targets[(e, j)] != 0.0).map(|e| e + 1).collect();
                    for (&i, v) in parents.iter().zip(self.stats.regression(j, parents, &envs)) {
                        w[(i, j)] = v;
                    }
                }
                w
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::bacadi::latent::GraphPrior;
    use crate::learners::Environments;

    fn coordinate(q: &mut Particle, block: usize, c: usize) -> &mut f64 {
        match block {
            0 => &mut q.z[c],
            1 => &mut q.theta_mu[c],
            _ => &mut q.gamma[c],
        }
    }

    fn log_sum_exp(v: &[f64]) -> f64 {
        let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        m + v.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
    }

    /// The BGe score-function estimate converges to the exact gradient of log E_{p(G|Z)}[exp f(G)],
    /// computed by enumerating the four graphs of two nodes.
    #[test]
    fn the_score_function_estimator_converges_to_the_exact_gradient() {
        let (n, d) = (60, 2);
        let mut rng = Random::new(3);
        let mut x = Mat::<f64>::zeros(n, d);
        for r in 0..n {
            x[(r, 0)] = rng.normal(0.0, 1.0);
            x[(r, 1)] = 0.3 * x[(r, 0)] + rng.normal(0.0, 1.0);
        }
        let stats = EnvStats::new(x.as_ref(), None);
        let entries = vec![Entry::Never, Entry::Free, Entry::Free, Entry::Never];
        let bge = Bge { alpha_mu: 1.0, alpha_lambda: 4.0 };
        let model = Model {
            stats: &stats,
            likelihood: Likelihood::Bge(bge),
            prior: LatentPrior {
                graph: GraphPrior::ErdosRenyi { p: 0.5 },
                z_precision: 0.0,
                gamma_precision: 10.0,
                lambda_regul: 1.0,
                beta_a: 0.5,
            },
            layout: Layout { d, k: 1, envs: 0 },
            entries: &entries,
            known_targets: None,
            n_mc: 200_000,
            n_acyclicity: 1,
        };
        let particle = Particle { z: vec![0.4, -0.3, 0.7, 0.2], theta_mu: vec![], gamma: vec![] };
        let temp = Temperatures { alpha: 1.0, beta: 0.0 };
        let grad = model.gradient(&particle, temp, &mut Streams::new(1, 0)).unwrap();
        // exact: Σ_G w_G (G − P) with w_G ∝ p(G|Z) exp f(G), over G ∈ {∅, 0→1, 1→0, both}
        let probs = edge_probabilities(&model.layout.scores(&particle), 1.0, &entries);
        let (p01, p10) = (probs[2].p, probs[1].p); // column-major: (0, 1) at 1·2 + 0, (1, 0) at 0·2 + 1
        let score = |e01: bool, e10: bool| {
            let pa1: &[usize] = if e01 { &[0] } else { &[] };
            let pa0: &[usize] = if e10 { &[1] } else { &[] };
            bge.node_score(&stats, 0, pa0, &[]) + bge.node_score(&stats, 1, pa1, &[])
        };
        let mut terms = Vec::new();
        for (e01, e10) in [(false, false), (true, false), (false, true), (true, true)] {
            let prior = (if e01 { p01 } else { 1.0 - p01 }) * (if e10 { p10 } else { 1.0 - p10 });
            terms.push((prior.ln() + score(e01, e10), f64::from(e01) - p01, f64::from(e10) - p10));
        }
        let max = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = terms.iter().map(|t| (t.0 - max).exp()).sum();
        let b01: f64 = terms.iter().map(|t| (t.0 - max).exp() * t.1).sum::<f64>() / total;
        let b10: f64 = terms.iter().map(|t| (t.0 - max).exp() * t.2).sum::<f64>() / total;
        // ∇U = α B V, ∇V = α Bᵀ U with k = 1: U = (0.4, −0.3), V = (0.7, 0.2)
        let expected = [b01 * 0.2, b10 * 0.7, b10 * -0.3, b01 * 0.4];
        for (g, e) in grad.z.iter().zip(expected) {
            assert!((g - e).abs() < 0.01, "{:?} vs {expected:?}", grad.z);
        }
    }

    /// ∇ log Σ_s exp f_s with every draw replayed from the same stream: what each estimator
    /// must return (plus the priors), checked by central differences in every coordinate.
    #[test]
    fn each_estimator_is_the_gradient_of_the_log_mean_joint_of_its_draws() {
        let (n, d, envs) = (30, 3, 2);
        let mut rng = Random::new(5);
        let x = Mat::from_fn(n, d, |_, _| rng.normal(0.0, 1.0));
        let env = Environments::new((0..n).map(|r| if r < 14 { 0 } else { 1 + r % 2 }).collect(), n).unwrap();
        let stats = EnvStats::new(x.as_ref(), Some(&env));
        let entries: Vec<Entry> =
            (0..d * d).map(|k| if k % (d + 1) == 0 { Entry::Never } else { Entry::Free }).collect();
        let layout = Layout { d, k: 2, envs };
        let model = Model {
            stats: &stats,
            likelihood: Likelihood::Gaussian(LinearGaussian::new(0.3, 0.5, 1.0, 10.0)),
            prior: LatentPrior {
                graph: GraphPrior::ErdosRenyi { p: 0.5 },
                z_precision: 0.0,
                gamma_precision: 10.0,
                lambda_regul: 1.0,
                beta_a: 1.0 / 3.0,
            },
            layout,
            entries: &entries,
            known_targets: None,
            n_mc: 6,
            n_acyclicity: 3,
        };
        let particle = Particle {
            z: (0..12).map(|_| rng.normal(0.0, 0.7)).collect(),
            theta_mu: (0..d * d + envs * d).map(|_| rng.normal(0.0, 0.8)).collect(),
            gamma: (0..envs * d).map(|_| rng.normal(0.0, 0.5)).collect(),
        };
        let temp = Temperatures { alpha: 0.9, beta: 0.0 };
        let lg = LinearGaussian::new(0.3, 0.5, 1.0, 10.0);
        let (seed, task) = (11, 3);
        let grad = model.gradient(&particle, temp, &mut Streams::new(seed, task)).unwrap();

        let f_z = |p: &Particle| {
            let mut rng = Streams::new(seed, task).z;
            let probs = edge_probabilities(&layout.scores(p), temp.alpha, &entries);
            let tp = model.target_probabilities(p, temp.alpha);
            let fs: Vec<f64> = (0..model.n_mc)
                .map(|_| {
                    let (g, _) = soft_graph(&probs, &entries, d, &mut rng);
                    let t = model.hard_targets(&tp, &mut rng);
                    let params = lg.parameters(&stats, layout.theta(p), layout.mu(p));
                    lg.with_hard_targets(
                        &stats,
                        &g,
                        &params,
                        &t,
                        &mut Workspace::new(d, &stats),
                        &mut Mat::zeros(d, d),
                        None,
                    )
                })
                .collect();
            log_sum_exp(&fs)
        };
        let f_theta = |p: &Particle| {
            let mut rng = Streams::new(seed, task).theta_mu;
            let probs = edge_probabilities(&layout.scores(p), temp.alpha, &entries);
            let tp = model.target_probabilities(p, temp.alpha);
            let fs: Vec<f64> = (0..model.n_mc)
                .map(|_| {
                    let g = hard_graph(&probs, &entries, d, &mut rng);
                    let t = model.hard_targets(&tp, &mut rng);
                    let params = lg.parameters(&stats, layout.theta(p), layout.mu(p));
                    lg.with_hard_targets(
                        &stats,
                        &g,
                        &params,
                        &t,
                        &mut Workspace::new(d, &stats),
                        &mut Mat::zeros(d, d),
                        None,
                    )
                })
                .collect();
            log_sum_exp(&fs)
        };
        let f_gamma = |p: &Particle| {
            let mut rng = Streams::new(seed, task).gamma;
            let probs = edge_probabilities(&layout.scores(p), temp.alpha, &entries);
            let tp = model.target_probabilities(p, temp.alpha);
            let fs: Vec<f64> = (0..model.n_mc)
                .map(|_| {
                    let g = hard_graph(&probs, &entries, d, &mut rng);
                    let mut i_soft = Mat::<f64>::zeros(envs, d);
                    for j in 0..d {
                        for e in 0..envs {
                            i_soft[(e, j)] = tp[j * envs + e].soft(rng.uniform()).0;
                        }
                    }
                    let params = lg.parameters(&stats, layout.theta(p), layout.mu(p));
                    lg.with_soft_targets(&stats, &g, &parents_of(&g), &params, &i_soft, None)
                })
                .collect();
            log_sum_exp(&fs)
        };
        // the prior part of Γ's gradient, replayed from the priors' stream
        let mut priors = Streams::new(seed, task).priors;
        let probs = edge_probabilities(&layout.scores(&particle), temp.alpha, &entries);
        acyclicity_grad(&probs, &entries, d, 0.0, model.n_acyclicity, &mut priors, &mut Mat::zeros(d, d));
        let gamma_prior =
            gamma_prior_grad(&layout.gamma(&particle), temp.alpha, &model.prior, model.n_acyclicity, &mut priors);

        let h = 1e-6;
        let check = |f: &dyn Fn(&Particle) -> f64, block: usize, analytic: &[f64], offset: &dyn Fn(usize) -> f64| {
            for (c, &an) in analytic.iter().enumerate() {
                let (mut p, mut m) = (particle.clone(), particle.clone());
                *coordinate(&mut p, block, c) += h;
                *coordinate(&mut m, block, c) -= h;
                let fd = (f(&p) - f(&m)) / (2.0 * h) + offset(c);
                assert!(
                    (fd - an).abs() < 1e-5 * (1.0 + an.abs()),
                    "block {block} coordinate {c}: fd {fd} analytic {an}"
                );
            }
        };
        check(&f_z, 0, &grad.z, &|_| 0.0);
        check(&f_theta, 1, &grad.theta_mu, &|_| 0.0);
        check(&f_gamma, 2, &grad.gamma, &|c| gamma_prior[(c % envs, c / envs)]);
    }
}
