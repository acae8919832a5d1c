//! D-Struct (Berrevoets, Seedat, Imrie, van der Schaar, "Differentiable and Transportable
//! Structure Learning", ICML 2023): K members of one learner, each fitted on its own overlapping
//! subset of the rows, trained jointly with an agreement term that pulls their adjacencies A_k
//! towards the mean Ā:
//!
//!   Σ_k [score_k(W_k) + λ1‖·‖₁ + acyclicity terms of member k] + λ_agree Σ_k mean_{i≠j} (A_k − Ā)²_ij
//!
//! The members are linear NOTEARS (l2), NOTEARS-MLP (the paper's own setting) or linear DAGMA
//! (l2); A_k = W_k ∘ W_k for the linear members and W_k = sqrt(Σ_m θ¹²) for the networks
//! ([`members`]). NOTEARS members share one augmented-Lagrangian schedule (ρ on the largest h_k,
//! one α_k each), DAGMA members one central path ([`joint`]).
//!
//! The subsets are the reference's Beta partition: the rows, in a random order, sit at positions
//! r/(n − 1) in [0, 1]; member k takes each row with probability Beta_k's density there,
//! min-max normalised, with the shapes (i, K) for i in linspace(1, K − 1, ⌊K/2⌋), then (K, K) for
//! odd K, then (K, i) in reverse. The published code adds the agreement term detached (it moves
//! no weight: K independent fits, averaged); here it carries its gradient, and
//! `agreement_gradient = false` gives the published variant (the term left out of the
//! optimisation, the members then independent). The networks of every member start from the same
//! seeded initialisation. The result is the mean of the members' W_k, thresholded at the
//! learner's `w_threshold` and projected to a DAG.

mod joint;
mod members;

use crate::acyclicity::Penalty;
use crate::canonical::Permutation;
use crate::constraints::Variables;
use crate::error::{CoreError, Result};
use crate::graph::{project_to_dag, threshold};
use crate::learners::mlp_problem::{restored_mechanisms, MlpProblem};
use crate::learners::params::check_count;
use crate::learners::params::check_number;
use crate::learners::{dagma, notears};
use crate::learners::{Data, Fitted, Learner, Prior, Value};
use crate::loss::{Loss, LossType};
use crate::mlp::Mechanism;
use crate::optim::augmented_lagrangian::Schedule;
use crate::optim::lbfgs;
use crate::progress::Progress;
use crate::regression::Moments;
use crate::simulate::random::Random;
use faer::{Mat, MatRef};
use joint::{augmented_lagrangian, central_path, Joint, JointFit};
use members::{agreement, Linear, Networks};
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;

/// Settings: D-Struct's own, and those of its members' learner.
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
    /// NOTEARS members with these settings (linear with the l2 loss, or the MLP mechanism).
    /// With neither this nor `dagma`: NOTEARS' defaults.
    pub notears: Option<notears::Config>,
    /// Linear DAGMA members (l2 loss) with these settings.
    pub dagma: Option<dagma::Config>,
}

/// The members' learner.
enum Members<'c> {
    Notears(&'c notears::Config),
    Dagma(&'c dagma::Config),
}

impl Config {
    fn members(&self) -> Result<Members<'_>> {
        static DEFAULT: std::sync::OnceLock<notears::Config> = std::sync::OnceLock::new();
        match (&self.notears, &self.dagma) {
            (Some(_), Some(_)) => {
                Err(CoreError::InvalidParameter("D-Struct's members are NOTEARS or DAGMA, not both".into()))
            }
            (Some(c), None) => Ok(Members::Notears(c)),
            (None, Some(c)) => Ok(Members::Dagma(c)),
            (None, None) => Ok(Members::Notears(DEFAULT.get_or_init(Default::default))),
        }
    }
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

impl Learner for Config {
    const NAME: &'static str = "dstruct";

    fn validate(&self) -> Result<()> {
        check_count("n_subsets", self.n_subsets, 2, 64)?;
        check_number("lambda_agreement", self.lambda_agreement, 0.0, false)?;
        match self.members()? {
            Members::Notears(c) => {
                c.validate()?;
                if c.loss_type != LossType::L2 {
                    return Err(CoreError::InvalidParameter(
                        "D-Struct runs NOTEARS members with the l2 loss (loss_type='l2')".into(),
                    ));
                }
            }
            Members::Dagma(c) => {
                c.validate()?;
                if c.mechanism != Mechanism::Linear || c.loss_type != LossType::L2 {
                    return Err(CoreError::InvalidParameter(
                        "D-Struct runs DAGMA members with the linear mechanism and the l2 loss (DAGMA-MLP \
                         members are not implemented: use NOTEARS with mechanism='mlp')"
                            .into(),
                    ));
                }
            }
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
        let lambda = if self.agreement_gradient { self.lambda_agreement } else { 0.0 };
        let linear = |lambda1: f64| -> Vec<Linear> {
            subsets
                .iter()
                .map(|rows| Linear {
                    loss: Loss::LeastSquares { sigma: Moments::of_rows(x, rows).covariance() },
                    layout: Variables::new(d, lambda1, prior.forbidden.as_ref(), prior.required.as_ref()),
                })
                .collect()
        };
        let (fit, networks, w_threshold, h_tol) = match self.members()? {
            Members::Notears(c) => {
                let penalty = Penalty::new(c.penalty, c.s)?;
                let schedule = Schedule { max_iter: c.max_iter, h_tol: c.h_tol, rho_max: c.rho_max };
                let inner = lbfgs::Options { max_iter: c.inner_max_iter, ..c.inner };
                if c.mechanism == Mechanism::Linear {
                    let mut joint = Joint { members: linear(c.lambda1()), d, lambda };
                    let fit = augmented_lagrangian(&mut joint, &penalty, &schedule, &inner, progress)?;
                    (fit, false, c.w_threshold, c.h_tol)
                } else {
                    let rows: Vec<Mat<f64>> =
                        subsets.iter().map(|r| Mat::from_fn(r.len(), d, |a, j| x[(r[a], j)])).collect();
                    let datas: Vec<Data<'_>> = rows.iter().map(|m| Data::observational(m.as_ref())).collect();
                    let members = datas
                        .iter()
                        .map(|member_data| {
                            let problem = MlpProblem::new(member_data, &c.hidden, c.lambda1(), prior, c.seed, false)?;
                            Ok(Networks { problem, lambda2: c.lambda2() })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let mut joint = Joint { members, d, lambda };
                    let fit = augmented_lagrangian(&mut joint, &penalty, &schedule, &inner, progress)?;
                    (fit, true, c.w_threshold, c.h_tol)
                }
            }
            Members::Dagma(c) => {
                let mut joint = Joint { members: linear(c.path().lambda1), d, lambda };
                (central_path(&mut joint, c, progress)?, false, c.w_threshold, c.h_tol)
            }
        };
        let JointFit { x: params, weights: member_buffers, h, last_weight, history } = fit;
        let members: Vec<Mat<f64>> =
            member_buffers.iter().map(|b| MatRef::from_column_major_slice(b, d, d).to_owned()).collect();
        let k = members.len() as f64;
        let mean_weights = Mat::from_fn(d, d, |i, j| members.iter().map(|w| w[(i, j)]).sum::<f64>() / k);
        let agreement_value = agreement(&member_buffers, d, !networks, 1.0, &mut vec![vec![0.0; d * d]; members.len()]);
        let thresholded = threshold(mean_weights.as_ref(), w_threshold, prior.required.as_ref());
        let weights = project_to_dag(thresholded.as_ref(), prior.required.as_ref())?;
        let sizes: Vec<f64> = subsets.iter().map(|rows| rows.len() as f64).collect();
        let n_iter = history.len();
        let fitted = Fitted::new(mean_weights, weights, prior, n_iter, h <= h_tol, history)?;
        let fitted = if networks { fitted.with("mechanism_params", Value::Floats(params)) } else { fitted };
        Ok(fitted
            .with("h", h)
            .with(last_weight.0, last_weight.1)
            .with("agreement", agreement_value)
            .with("subset_sizes", Value::Floats(sizes))
            .with("member_weights", Value::NodeMatrices(members)))
    }

    fn restore_extra(&self, name: &str, value: Value, perm: &Permutation) -> Result<Value> {
        match (name, value, self.members()?) {
            ("mechanism_params", Value::Floats(params), Members::Notears(c)) => {
                restored_mechanisms(&c.hidden, params, self.n_subsets, perm)
            }
            (_, value, _) => Ok(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use members::Member;

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

    /// Member k's W from a fit's extras.
    fn member(fitted: &Fitted, k: usize) -> Mat<f64> {
        match fitted.extras.iter().find(|(name, _)| *name == "member_weights") {
            Some((_, Value::NodeMatrices(ws))) => ws[k].clone(),
            _ => panic!("no member_weights"),
        }
    }

    fn max_abs(m: MatRef<'_, f64>) -> f64 {
        (0..m.nrows()).flat_map(|i| (0..m.ncols()).map(move |j| m[(i, j)].abs())).fold(0.0, f64::max)
    }

    /// Without the agreement term the joint problem is K independent ones: each member is the
    /// lone learner's fit on its subset, to the solver's tolerance.
    fn check_independent(config: &Config, lone: impl Fn(&Data<'_>) -> Fitted, tolerance: f64) {
        use crate::simulate::{simulate_dag, simulate_linear_sem, simulate_parameter, GraphType, LinearNoise};
        let b = simulate_dag(5, 5, GraphType::Er, 2).unwrap();
        let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], 2).unwrap();
        let x = simulate_linear_sem(w.as_ref(), 400, LinearNoise::Gauss, &[1.0; 5], 2).unwrap();
        let x = Mat::from_fn(400, 5, |i, j| x[(i, j)].tanh() + 0.1 * x[(i, j)]);
        let joint = config.fit(&Data::observational(x.as_ref()), &Prior::default(), &mut Silent).unwrap();
        for (m, rows) in beta_subsets(400, config.n_subsets, config.seed).unwrap().iter().enumerate() {
            let sub = Mat::from_fn(rows.len(), 5, |a, j| x[(rows[a], j)]);
            let sub = Mat::from_fn(rows.len(), 5, |a, j| {
                sub[(a, j)] - (0..rows.len()).map(|r| sub[(r, j)]).sum::<f64>() / rows.len() as f64
            });
            let alone = lone(&Data::observational(sub.as_ref()));
            let a = member(&joint, m);
            let diff = max_abs((&a - &alone.raw_weights).as_ref());
            assert!(
                diff <= tolerance * max_abs(alone.raw_weights.as_ref()),
                "member {m}: {diff}\n{a:?}\n{:?}",
                alone.raw_weights
            );
        }
    }

    #[test]
    fn without_agreement_the_members_are_independent_fits() {
        let notears = notears::Config::default();
        let config =
            Config { n_subsets: 2, agreement_gradient: false, notears: Some(notears.clone()), ..Default::default() };
        check_independent(&config, |data| notears.fit(data, &Prior::default(), &mut Silent).unwrap(), 5e-3);
        let dagma = dagma::Config { solver: dagma::InnerSolver::Lbfgs, ..Default::default() };
        let config =
            Config { n_subsets: 2, agreement_gradient: false, dagma: Some(dagma.clone()), ..Default::default() };
        check_independent(&config, |data| dagma.fit(data, &Prior::default(), &mut Silent).unwrap(), 5e-3);
    }

    /// The joint objective's gradient (scores, acyclicity, agreement) against finite differences.
    /// `free[q]`: whether parameter q of a member may move (the networks fix their self-loops).
    fn check_joint_gradient<M: Member>(members: Vec<M>, d: usize, free: &[bool]) {
        let mut joint = Joint { members, d, lambda: 2.0 };
        let mut random = Random::new(8);
        let x: Vec<f64> = joint
            .start()
            .iter()
            .enumerate()
            .map(|(q, v)| if free[q % free.len()] { v + 0.3 * random.normal(0.0, 1.0) } else { *v })
            .collect();
        let penalty = Penalty::new(crate::acyclicity::PenaltyKind::Expm, 1.0).unwrap();
        let constraint = |k: usize, h: f64| (0.5 * 3.0 * h * h + k as f64 * h, 3.0 * h + k as f64);
        let mut grad = vec![0.0; x.len()];
        joint.evaluate(&x, &mut grad, &penalty, constraint).unwrap();
        let mut scratch = vec![0.0; x.len()];
        for q in (0..x.len()).filter(|q| free[q % free.len()]) {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[q] += 1e-6;
            down[q] -= 1e-6;
            let numeric = (joint.evaluate(&up, &mut scratch, &penalty, constraint).unwrap()
                - joint.evaluate(&down, &mut scratch, &penalty, constraint).unwrap())
                / 2e-6;
            assert!((numeric - grad[q]).abs() <= 1e-5 * (1.0 + numeric.abs()), "{q}: {numeric} vs {}", grad[q]);
        }
    }

    #[test]
    fn the_joint_gradient_matches_finite_differences() {
        let d = 4;
        let mut random = Random::new(2);
        let x = Mat::from_fn(40, d, |_, _| random.normal(0.0, 1.0));
        let subsets = beta_subsets(40, 3, 1).unwrap();
        let linear = subsets
            .iter()
            .map(|rows| Linear {
                loss: Loss::LeastSquares { sigma: Moments::of_rows(x.as_ref(), rows).covariance() },
                layout: Variables::new(d, 0.1, None, None),
            })
            .collect::<Vec<_>>();
        let free = vec![true; linear[0].len()];
        check_joint_gradient(linear, d, &free);
        let rows: Vec<Mat<f64>> = subsets.iter().map(|r| Mat::from_fn(r.len(), d, |a, j| x[(r[a], j)])).collect();
        let datas: Vec<Data<'_>> = rows.iter().map(|m| Data::observational(m.as_ref())).collect();
        let networks = datas
            .iter()
            .map(|data| Networks {
                problem: MlpProblem::new(data, &[3], 0.1, &Prior::default(), 5, false).unwrap(),
                lambda2: 0.01,
            })
            .collect::<Vec<_>>();
        let free = networks[0].problem.free.clone();
        check_joint_gradient(networks, d, &free);
    }

    #[test]
    fn the_agreement_pulls_the_members_together() {
        for members in [
            Config { notears: Some(Default::default()), ..Default::default() },
            Config { dagma: Some(Default::default()), ..Default::default() },
            Config {
                notears: Some(notears::Config { mechanism: Mechanism::Mlp, hidden: vec![4], ..Default::default() }),
                ..Default::default()
            },
        ] {
            use crate::simulate::{simulate_dag, simulate_linear_sem, simulate_parameter, GraphType, LinearNoise};
            let b = simulate_dag(5, 5, GraphType::Er, 3).unwrap();
            let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], 3).unwrap();
            let x = simulate_linear_sem(w.as_ref(), 300, LinearNoise::Gauss, &[1.0; 5], 3).unwrap();
            let data = Data::observational(x.as_ref());
            let agreement_of = |config: &Config| -> f64 {
                let fitted = config.fit(&data, &Prior::default(), &mut Silent).unwrap();
                assert!(crate::graph::is_dag(fitted.weights.as_ref()));
                match fitted.extras.iter().find(|(name, _)| *name == "agreement") {
                    Some((_, Value::Float(v))) => *v,
                    _ => panic!("no agreement"),
                }
            };
            let apart = agreement_of(&Config { n_subsets: 3, agreement_gradient: false, ..members.clone() });
            let joint = agreement_of(&Config { n_subsets: 3, lambda_agreement: 30.0, ..members.clone() });
            assert!(joint < 0.5 * apart, "{joint} vs {apart}");
        }
    }
}
