//! D-Struct (Berrevoets, Seedat, Imrie, van der Schaar, "Differentiable and Transportable
//! Structure Learning", ICML 2023) around the linear NOTEARS: K members, each fitted on its own
//! overlapping subset of the rows, trained jointly with an agreement term that pulls their
//! adjacencies A_k = W_k ∘ W_k towards the mean Ā:
//!
//!   Σ_k [½ tr((I − W_k)ᵀ Σ_k (I − W_k)) + λ1‖W_k‖₁ + (ρ/2) h(W_k)² + α_k h(W_k)]
//!     + λ_agree Σ_k mean_{i≠j} (A_k − Ā)²_ij
//!
//! The subsets are the reference's Beta partition: the rows, in a random order, sit at positions
//! r/(n − 1) in [0, 1]; member k takes each row with probability Beta_k's density there,
//! min-max normalised, with the shapes (i, K) for i in linspace(1, K − 1, ⌊K/2⌋), then (K, K) for
//! odd K, then (K, i) in reverse. The published code adds the agreement term detached (it moves
//! no weight: K independent NOTEARS fits, averaged); here it carries its gradient, and
//! `agreement_gradient = false` gives the published variant (the term left out of the
//! optimisation, the members then independent). One augmented-Lagrangian schedule runs for all
//! members: ρ grows while the largest h_k falls by less than 4×, each member has its own α_k.
//! The result is the mean of the members' W_k, thresholded and projected to a DAG.

use crate::acyclicity::Penalty;
use crate::constraints::Variables;
use crate::error::{CoreError, Result};
use crate::graph::{project_to_dag, threshold};
use crate::learners::notears;
use crate::learners::params::check_count;
use crate::learners::params::check_number;
use crate::learners::{Data, Fitted, Learner, Prior, Value};
use crate::loss::Loss;
use crate::mlp::Mechanism;
use crate::optim::lbfgs;
use crate::optim::owlqn::minimize_l1;
use crate::progress::{Progress, Status};
use crate::regression::Moments;
use crate::simulate::random::Random;
use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;

/// Settings: D-Struct's own, and those of its NOTEARS members.
#[derive(Debug, Clone, Serialize, Deserialize, SmartDefault)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Members K ≥ 2 (default 5, the reference's).
    #[default(5)]
    pub n_subsets: usize,
    /// Weight λ of the agreement term (default 3, the reference's).
    #[default(3.0)]
    pub lambda_agreement: f64,
    /// Whether the agreement term moves the weights (default true); false is the published code.
    #[default(true)]
    pub agreement_gradient: bool,
    /// Seed of the subsets.
    #[default(0)]
    pub seed: u64,
    /// The members' NOTEARS settings (linear mechanism, l2 loss).
    #[serde(flatten)]
    pub notears: notears::Config,
}

/// The rows of each member: the Beta partition of 0..n (see the module documentation).
pub fn beta_subsets(n: usize, k: usize, seed: u64) -> Result<Vec<Vec<usize>>> {
    let mut shapes: Vec<(f64, f64)> = Vec::with_capacity(k);
    let half = k / 2;
    let kf = k as f64;
    let ramp: Vec<f64> =
        (0..half).map(|t| if half == 1 { 1.0 } else { 1.0 + (kf - 2.0) * t as f64 / (half - 1) as f64 }).collect();
    shapes.extend(ramp.iter().map(|&i| (i, kf)));
    if k % 2 == 1 {
        shapes.push((kf, kf));
    }
    shapes.extend(ramp.iter().rev().map(|&i| (kf, i)));
    let mut random = Random::new(seed);
    let position = random.permutation(n);
    let at = |r: usize| if n > 1 { position[r] as f64 / (n - 1) as f64 } else { 0.5 };
    let mut subsets = Vec::with_capacity(k);
    for &(a, b) in &shapes {
        // the density up to its constant, which the min-max normalisation removes
        let density: Vec<f64> = (0..n).map(|r| libm::pow(at(r), a - 1.0) * libm::pow(1.0 - at(r), b - 1.0)).collect();
        let (low, high) = density.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        let span = if high > low { high - low } else { 1.0 };
        let rows: Vec<usize> = (0..n).filter(|&r| random.uniform() < (density[r] - low) / span).collect();
        if rows.len() < 2 {
            return Err(CoreError::InvalidInput(format!(
                "a D-Struct subset drew {} row(s) of {n}: too few rows for {k} subsets",
                rows.len()
            )));
        }
        subsets.push(rows);
    }
    Ok(subsets)
}

/// The agreement term λ Σ_k mean_{i≠j}(A_k − Ā)² over the members' W (column-major d×d
/// buffers), and its gradient in each W_k, 4λ/m (A_k − Ā) ∘ W_k (m = d(d − 1); the Ā terms
/// cancel because Σ_k (A_k − Ā) = 0).
pub fn agreement(ws: &[&[f64]], d: usize, lambda: f64, grads: &mut [Vec<f64>]) -> f64 {
    let k = ws.len() as f64;
    let m = (d * (d - 1)).max(1) as f64;
    let mut value = 0.0;
    for idx in 0..d * d {
        if idx % d == idx / d {
            continue; // the diagonal
        }
        let mean = ws.iter().map(|w| w[idx] * w[idx]).sum::<f64>() / k;
        for (w, g) in ws.iter().zip(grads.iter_mut()) {
            let diff = w[idx] * w[idx] - mean;
            value += diff * diff;
            g[idx] = 4.0 * lambda / m * diff * w[idx];
        }
    }
    lambda * value / m
}

impl Learner for Config {
    const NAME: &'static str = "dstruct";

    fn validate(&self) -> Result<()> {
        check_count("n_subsets", self.n_subsets, 2, 64)?;
        check_number("lambda_agreement", self.lambda_agreement, 0.0, false)?;
        self.notears.validate()?;
        if self.notears.mechanism != Mechanism::Linear || self.notears.loss_type != crate::loss::LossType::L2 {
            return Err(CoreError::InvalidParameter(
                "D-Struct runs linear NOTEARS members with the l2 loss (mechanism='linear', loss_type='l2')".into(),
            ));
        }
        Ok(())
    }

    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
        self.validate()?;
        if data.intervened.is_some() {
            return Err(CoreError::InvalidParameter("D-Struct takes observational data (no intervention_mask)".into()));
        }
        let x = data.rows(Self::NAME)?;
        let d = x.ncols();
        prior.check(d)?;
        let subsets = beta_subsets(x.nrows(), self.n_subsets, self.seed)?;
        let losses: Vec<Loss> =
            subsets.iter().map(|rows| Loss::LeastSquares { sigma: Moments::of_rows(x, rows).covariance() }).collect();
        let fit = fit_members(&losses, self, prior, progress)?;
        let sizes: Vec<f64> = subsets.iter().map(|rows| rows.len() as f64).collect();
        let fitted = Fitted::new(fit.mean_weights, fit.weights, prior, fit.n_iter, fit.converged, fit.history)?;
        Ok(fitted
            .with("h", fit.h)
            .with("rho", fit.rho)
            .with("agreement", fit.agreement)
            .with("subset_sizes", Value::Floats(sizes))
            .with("member_weights", Value::NodeMatrices(fit.members)))
    }
}

/// What [`fit_members`] returns.
pub struct MembersFit {
    /// Each member's W (raw).
    pub members: Vec<Mat<f64>>,
    /// Their mean (raw).
    pub mean_weights: Mat<f64>,
    /// The mean thresholded and projected: a DAG.
    pub weights: Mat<f64>,
    /// The largest h_k at the end.
    pub h: f64,
    /// Final ρ.
    pub rho: f64,
    /// The agreement term's value at the end (without λ).
    pub agreement: f64,
    /// Outer steps accepted.
    pub n_iter: usize,
    /// Largest h_k ≤ h_tol at the end.
    pub converged: bool,
    /// Σ_k score after each outer step.
    pub history: Vec<f64>,
}

/// Fits the K members jointly (see the module documentation); `losses[k]` carries member k's data.
pub fn fit_members(losses: &[Loss], config: &Config, prior: &Prior, progress: &mut dyn Progress) -> Result<MembersFit> {
    let nt = &config.notears;
    let (k, d) = (losses.len(), losses[0].dim());
    let vars = Variables::new(d, nt.lambda1(), prior.forbidden.as_ref(), prior.required.as_ref());
    let nv = vars.len();
    let l1: Vec<f64> = (0..k).flat_map(|_| vars.l1.iter().copied()).collect();
    let penalty = Penalty::new(nt.penalty, nt.s)?;
    let lambda = if config.agreement_gradient { config.lambda_agreement } else { 0.0 };
    let fill = |x: &[f64], buffer: &mut [f64]| vars.fill(|v| x[v], buffer);
    let unpack = |x: &[f64]| -> Vec<Vec<f64>> {
        (0..k)
            .map(|m| {
                let mut buffer = vec![0.0; d * d];
                fill(&x[m * nv..(m + 1) * nv], &mut buffer);
                buffer
            })
            .collect()
    };
    let hs_of = |buffers: &[Vec<f64>]| -> Result<Vec<f64>> {
        buffers.iter().map(|b| Ok(penalty.value_grad(MatRef::from_column_major_slice(b, d, d))?.0)).collect()
    };
    let score_of = |buffers: &[Vec<f64>], x: &[f64]| -> f64 {
        let fit: f64 = buffers
            .iter()
            .zip(losses)
            .map(|(b, loss)| loss.value_grad(MatRef::from_column_major_slice(b, d, d)).0)
            .sum();
        fit + x.iter().zip(&l1).map(|(v, w)| w * v.abs()).sum::<f64>()
    };

    let (mut rho, mut alpha, mut h_max) = (1.0, vec![0.0; k], f64::INFINITY);
    let mut x = vec![0.0; k * nv];
    let mut history = Vec::new();
    let inner = lbfgs::Options { max_iter: nt.inner_max_iter, ..nt.inner };
    for step in 0..nt.max_iter {
        let mut accepted: Option<(Vec<f64>, Vec<f64>)> = None;
        while rho < nt.rho_max {
            let mut buffers = vec![vec![0.0; d * d]; k];
            let mut agree_grads = vec![vec![0.0; d * d]; k];
            let objective = |x: &[f64], grad: &mut [f64]| -> Result<f64> {
                let mut total = 0.0;
                for m in 0..k {
                    fill(&x[m * nv..(m + 1) * nv], &mut buffers[m]);
                }
                let views: Vec<&[f64]> = buffers.iter().map(|b| b.as_slice()).collect();
                if lambda > 0.0 {
                    total += agreement(&views, d, lambda, &mut agree_grads);
                }
                for m in 0..k {
                    let w = MatRef::from_column_major_slice(&buffers[m], d, d);
                    let (value, g_loss) = losses[m].value_grad(w);
                    let (h, g_h) = match penalty.value_grad(w) {
                        Err(CoreError::OutsideDomain(_)) => return Ok(f64::INFINITY),
                        other => other?,
                    };
                    if !value.is_finite() || !h.is_finite() {
                        return Ok(f64::INFINITY);
                    }
                    let c = rho * h + alpha[m];
                    for (v, &(i, j)) in vars.entries.iter().enumerate() {
                        let agree = if lambda > 0.0 { agree_grads[m][j * d + i] } else { 0.0 };
                        grad[m * nv + v] = g_loss.col_as_slice(j)[i] + c * g_h.col_as_slice(j)[i] + agree;
                    }
                    total += value + 0.5 * rho * h * h + alpha[m] * h;
                }
                Ok(total)
            };
            let solved = minimize_l1(&x, objective, &l1, &inner, &mut *progress)?;
            let hs = hs_of(&unpack(&solved.x))?;
            let worst = hs.iter().cloned().fold(0.0, f64::max);
            let too_slow = worst > 0.25 * h_max;
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
        let score = score_of(&unpack(&x), &x);
        history.push(score);
        progress.report(&Status {
            iteration: step + 1,
            max_iter: nt.max_iter,
            objective: score,
            quantities: &[("h", h_max), ("rho", rho)],
        });
        if h_max <= nt.h_tol || rho >= nt.rho_max {
            break;
        }
    }

    let buffers = unpack(&x);
    let members: Vec<Mat<f64>> = buffers.iter().map(|b| MatRef::from_column_major_slice(b, d, d).to_owned()).collect();
    let mean_weights = Mat::from_fn(d, d, |i, j| members.iter().map(|w| w[(i, j)]).sum::<f64>() / k as f64);
    let views: Vec<&[f64]> = buffers.iter().map(|b| b.as_slice()).collect();
    let agreement_value = agreement(&views, d, 1.0, &mut vec![vec![0.0; d * d]; k]);
    let thresholded = threshold(mean_weights.as_ref(), nt.w_threshold, prior.required.as_ref());
    let weights = project_to_dag(thresholded.as_ref(), prior.required.as_ref())?;
    Ok(MembersFit {
        members,
        mean_weights,
        weights,
        h: h_max,
        rho,
        agreement: agreement_value,
        n_iter: history.len(),
        converged: h_max <= nt.h_tol,
        history,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    #[test]
    fn subsets_follow_the_beta_shapes() {
        let subsets = beta_subsets(2000, 5, 3).unwrap();
        assert_eq!(subsets.len(), 5);
        // Beta(5, 5) keeps the middle: about ∫ x⁴(1−x)⁴/max dx = 0.406·… of the rows
        let middle = subsets[2].len() as f64 / 2000.0;
        assert!((0.3..0.5).contains(&middle), "{middle}");
        // Beta(1, 5) and Beta(5, 1) mirror each other: about a sixth (∫(1−x)⁴ = 1/5) each
        for k in [0, 4] {
            let share = subsets[k].len() as f64 / 2000.0;
            assert!((0.15..0.25).contains(&share), "{k}: {share}");
        }
        assert_eq!(beta_subsets(2000, 5, 3).unwrap(), subsets);
        assert!(beta_subsets(3, 5, 3).is_err());
    }

    #[test]
    fn agreement_gradient_matches_finite_differences() {
        let d = 3;
        let mut random = Random::new(1);
        let ws: Vec<Vec<f64>> = (0..3).map(|_| (0..d * d).map(|_| random.normal(0.0, 1.0)).collect()).collect();
        let value = |ws: &[Vec<f64>]| {
            let views: Vec<&[f64]> = ws.iter().map(|w| w.as_slice()).collect();
            agreement(&views, d, 2.5, &mut vec![vec![0.0; d * d]; 3])
        };
        let views: Vec<&[f64]> = ws.iter().map(|w| w.as_slice()).collect();
        let mut grads = vec![vec![0.0; d * d]; 3];
        agreement(&views, d, 2.5, &mut grads);
        for m in 0..3 {
            for idx in 0..d * d {
                let (mut up, mut down) = (ws.clone(), ws.clone());
                up[m][idx] += 1e-6;
                down[m][idx] -= 1e-6;
                let numeric = (value(&up) - value(&down)) / 2e-6;
                assert!((numeric - grads[m][idx]).abs() <= 1e-6 * (1.0 + numeric.abs()), "{m} {idx}");
            }
        }
    }

    #[test]
    fn without_agreement_the_members_are_independent_notears_fits() {
        use crate::simulate::{simulate_dag, simulate_linear_sem, simulate_parameter, GraphType, LinearNoise};
        let b = simulate_dag(5, 5, GraphType::Er, 2).unwrap();
        let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], 2).unwrap();
        let x = simulate_linear_sem(w.as_ref(), 400, LinearNoise::Gauss, &[1.0; 5], 2).unwrap();
        let config = Config { n_subsets: 2, agreement_gradient: false, ..Default::default() };
        let subsets = beta_subsets(400, 2, 0).unwrap();
        let losses: Vec<Loss> = subsets
            .iter()
            .map(|rows| Loss::LeastSquares { sigma: Moments::of_rows(x.as_ref(), rows).covariance() })
            .collect();
        let joint = fit_members(&losses, &config, &Prior::default(), &mut Silent).unwrap();
        for (m, loss) in losses.iter().enumerate() {
            let alone = notears::fit(loss, &config.notears, &Prior::default(), &mut Silent).unwrap();
            let (a, b) = (&joint.members[m], &alone.raw_weights);
            let scale = (0..25).map(|i| b[(i % 5, i / 5)].abs()).fold(0.0, f64::max);
            let diff = (0..25).map(|i| (a[(i % 5, i / 5)] - b[(i % 5, i / 5)]).abs()).fold(0.0, f64::max);
            // the same problem, solved jointly: the same optimum to the solver's tolerance
            assert!(diff <= 5e-3 * scale, "member {m}: {diff} vs {scale}");
        }
    }
}
