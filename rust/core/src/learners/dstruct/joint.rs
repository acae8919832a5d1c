//! The members' joint objective and the two schedules that drive it to acyclic members:
//! NOTEARS' augmented Lagrangian and DAGMA's central path.
//!
//! The objective over the stacked parameters (member k's in the k-th block of equal length):
//!   Σ_k [score_k + c(h_k)] + λ_agree · agreement(A_1..A_K),
//! with c(h) = (ρ/2)h² + α_k h for NOTEARS and h_s/μ for DAGMA (its stage objective divided by
//! μ, as the lone DAGMA's OWL-QN stage does); OWL-QN adds the members' L1 terms. The members'
//! terms are computed in parallel (rayon) and summed in member order, so the result does not
//! depend on the number of threads.

use super::members::{agreement, Member};
use crate::acyclicity::Penalty;
use crate::error::{CoreError, Result};
use crate::learners::dagma;
use crate::optim::lbfgs;
use crate::optim::owlqn::minimize_l1;
use crate::progress::{Progress, Status};
use faer::MatRef;
use rayon::prelude::*;

/// A member's score plus constraint term and its W; `None` outside the domain or not finite.
type MemberTerms = Option<(f64, Vec<f64>)>;

/// The members and the agreement weight of one joint fit.
pub struct Joint<M: Member> {
    /// The K members (equal parameter layouts).
    pub members: Vec<M>,
    /// Number of nodes.
    pub d: usize,
    /// λ_agree; 0 leaves the members independent.
    pub lambda: f64,
}

/// What a schedule returns.
pub struct JointFit {
    /// The stacked parameters (member k's in the k-th block).
    pub x: Vec<f64>,
    /// Each member's W (column-major d×d).
    pub weights: Vec<Vec<f64>>,
    /// The largest member's h at the end (the schedule's own h: NOTEARS' penalty, DAGMA's h₁).
    pub h: f64,
    /// The schedule's last weight: ("rho", ρ) for NOTEARS, ("mu", μ) of the last stage for DAGMA.
    pub last_weight: (&'static str, f64),
    /// Σ_k (score_k + L1_k) after each outer step or stage.
    pub history: Vec<f64>,
}

impl<M: Member> Joint<M> {
    fn block(&self) -> usize {
        self.members[0].len()
    }

    /// The members' L1 weights, stacked.
    pub fn l1(&self) -> Vec<f64> {
        self.members.iter().flat_map(|m| m.l1().iter().copied()).collect()
    }

    /// The members' starting points, stacked.
    pub fn start(&self) -> Vec<f64> {
        self.members.iter().flat_map(|m| m.start()).collect()
    }

    /// Each member's W at `x`.
    pub fn weights(&mut self, x: &[f64]) -> Vec<Vec<f64>> {
        let block = self.block();
        self.members.iter_mut().zip(x.chunks(block)).map(|(m, p)| m.weights(p)).collect()
    }

    /// Each member's h under `penalty` at `x` (`OutsideDomain` propagates).
    pub fn hs(&mut self, x: &[f64], penalty: &Penalty) -> Result<Vec<f64>> {
        let d = self.d;
        self.weights(x).iter().map(|w| Ok(penalty.value_grad(MatRef::from_column_major_slice(w, d, d))?.0)).collect()
    }

    /// Σ_k (score_k + L1_k) at `x`.
    pub fn score(&mut self, x: &[f64]) -> f64 {
        let block = self.block();
        let l1 = self.l1();
        let mut scratch = vec![0.0; block];
        let fit: f64 = self.members.iter_mut().zip(x.chunks(block)).map(|(m, p)| m.score_grad(p, &mut scratch)).sum();
        fit + x.iter().zip(&l1).map(|(v, w)| w * v.abs()).sum::<f64>()
    }

    /// The objective at `x` with c(h_k) = `constraint(k, h_k)` = (value, slope); writes its
    /// gradient. +∞ where a member is outside the penalty's domain or not finite.
    pub fn evaluate<C>(&mut self, x: &[f64], grad: &mut [f64], penalty: &Penalty, constraint: C) -> Result<f64>
    where
        C: Fn(usize, f64) -> (f64, f64) + Sync,
    {
        let (d, block, lambda) = (self.d, self.block(), self.lambda);
        let parts: Vec<Result<MemberTerms>> = self
            .members
            .par_iter_mut()
            .zip(x.par_chunks(block))
            .zip(grad.par_chunks_mut(block))
            .enumerate()
            .map(|(k, ((member, p), g))| {
                let w = member.weights(p);
                let (h, g_h) = match penalty.value_grad(MatRef::from_column_major_slice(&w, d, d)) {
                    Err(CoreError::OutsideDomain(_)) => return Ok(None),
                    other => other?,
                };
                let score = member.score_grad(p, g);
                if !score.is_finite() || !h.is_finite() {
                    return Ok(None);
                }
                let (value, slope) = constraint(k, h);
                member.add_weight_chain(p, &w, g_h.as_ref(), slope, g);
                Ok(Some((score + value, w)))
            })
            .collect();
        let mut total = 0.0;
        let mut ws = Vec::with_capacity(parts.len());
        for part in parts {
            match part? {
                None => return Ok(f64::INFINITY),
                Some((value, w)) => {
                    total += value;
                    ws.push(w);
                }
            }
        }
        if lambda > 0.0 {
            let mut g_a = vec![vec![0.0; d * d]; ws.len()];
            total += agreement(&ws, d, M::SQUARED, lambda, &mut g_a);
            self.members
                .par_iter()
                .zip(x.par_chunks(block))
                .zip(grad.par_chunks_mut(block))
                .zip(ws.par_iter().zip(g_a.par_iter()))
                .for_each(|(((member, p), g), (w, g_w))| {
                    member.add_weight_chain(p, w, MatRef::from_column_major_slice(g_w, d, d), 1.0, g)
                });
        }
        Ok(total)
    }
}

/// NOTEARS' schedule for all members: ρ grows ×10 while the largest h_k falls by less than 4×,
/// each member has its own α_k; stops at `h_tol` or `rho_max`.
pub fn augmented_lagrangian<M: Member>(
    joint: &mut Joint<M>,
    penalty: &Penalty,
    schedule: &crate::optim::augmented_lagrangian::Schedule,
    inner: &lbfgs::Options,
    progress: &mut dyn Progress,
) -> Result<JointFit> {
    let k = joint.members.len();
    let l1 = joint.l1();
    let (mut rho, mut alpha, mut h_max) = (1.0, vec![0.0; k], f64::INFINITY);
    let mut x = joint.start();
    let mut history = Vec::new();
    for step in 0..schedule.max_iter {
        let mut accepted: Option<(Vec<f64>, Vec<f64>)> = None;
        while rho < schedule.rho_max {
            let objective = |p: &[f64], grad: &mut [f64]| -> Result<f64> {
                joint.evaluate(p, grad, penalty, |m, h| (0.5 * rho * h * h + alpha[m] * h, rho * h + alpha[m]))
            };
            let solved = minimize_l1(&x, objective, &l1, inner, &mut *progress)?;
            let hs = joint.hs(&solved.x, penalty)?;
            let too_slow = hs.iter().cloned().fold(0.0, f64::max) > 0.25 * h_max;
            accepted = Some((solved.x, hs));
            if too_slow {
                rho *= 10.0;
            } else {
                break;
            }
        }
        let Some((next, hs)) = accepted else { break };
        x = next;
        h_max = hs.iter().cloned().fold(0.0, f64::max);
        for (a, h) in alpha.iter_mut().zip(&hs) {
            *a += rho * h;
        }
        let score = joint.score(&x);
        history.push(score);
        progress.report(&Status {
            iteration: step + 1,
            max_iter: schedule.max_iter,
            objective: score,
            quantities: &[("h", h_max), ("rho", rho)],
        });
        if h_max <= schedule.h_tol || rho >= schedule.rho_max {
            break;
        }
    }
    let weights = joint.weights(&x);
    Ok(JointFit { x, weights, h: h_max, last_weight: ("rho", rho), history })
}

/// DAGMA's central path for all members, each stage solved by OWL-QN: for t < T, minimise
/// Σ_k [score_k + L1_k + h_{s_t}(W_k)/μ_t] + agreement from the last stage's solution, then
/// μ ← μ_factor·μ. A stage whose start leaves some member outside the log-det domain raises s by
/// 0.1, as the lone DAGMA does. The final h is the largest member's h₁.
pub fn central_path<M: Member>(
    joint: &mut Joint<M>,
    config: &dagma::Config,
    progress: &mut dyn Progress,
) -> Result<JointFit> {
    let path = config.path();
    let l1 = joint.l1();
    let mut x = joint.start();
    let mut mu = path.mu_init;
    let mut history = Vec::with_capacity(path.t_stages);
    for t in 0..path.t_stages {
        let iterations = if t + 1 == path.t_stages { path.max_iter } else { path.warm_iter };
        let mut s = path.s[t.min(path.s.len() - 1)];
        let mut attempts = 0;
        loop {
            match joint.hs(&x, &Penalty::LogDet { s }) {
                Ok(_) => break,
                Err(CoreError::OutsideDomain(_)) => {}
                Err(e) => return Err(e),
            }
            attempts += 1;
            if attempts > 100 {
                return Err(CoreError::Numerical(
                    "D-Struct (DAGMA members) could not find an s for which every W lies in the log-det domain".into(),
                ));
            }
            s += 0.1;
        }
        let penalty = Penalty::LogDet { s };
        let objective = |p: &[f64], grad: &mut [f64]| -> Result<f64> {
            joint.evaluate(p, grad, &penalty, |_, h| (h / mu, 1.0 / mu))
        };
        let options = lbfgs::Options { max_iter: iterations, ..lbfgs::Options::default() };
        x = minimize_l1(&x, objective, &l1, &options, &mut *progress)?.x;
        let score = joint.score(&x);
        history.push(score);
        progress.report(&Status {
            iteration: t + 1,
            max_iter: path.t_stages,
            objective: score,
            quantities: &[("mu", mu), ("s", s)],
        });
        mu *= config.mu_factor;
    }
    let weights = joint.weights(&x);
    let d = joint.d;
    let h = weights
        .iter()
        .map(|w| dagma::final_h(MatRef::from_column_major_slice(w, d, d)))
        .collect::<Result<Vec<f64>>>()?
        .into_iter()
        .fold(0.0, f64::max);
    Ok(JointFit { x, weights, h, last_weight: ("mu", mu / config.mu_factor), history })
}
