//! Samples from a structural equation model under perfect (hard) interventions: one
//! observational environment and one environment per target set, in which every target node's
//! equation is replaced by a draw from N(±loc, scale²) (the shifted Gaussian of DCDI's perfect
//! interventions, Brouillard et al., NeurIPS 2020). The mechanisms are drawn once and shared by
//! every environment; descendants of a target are generated from its intervened values.
//!
//! The draws come from one stream, in a fixed order: the environments' signs (when random), then,
//! node by node in the topological order of [`sem`](super::sem), the noise of every row, the
//! node's mechanism (nonlinear models), and the intervention values of its intervened rows in
//! row order. Sums run over parents in increasing index, so a seed means the same bits on every
//! machine. With no target sets the observational rows are those of `simulate_linear_sem` /
//! `simulate_nonlinear_sem` with the same seed.

use super::random::Random;
use super::sem::{check_scales, dag_order, gp_sines, mim, mlp, parents, LinearNoise, Mechanism};
use crate::error::{CoreError, Result};
use crate::mlp::Mlp;
use faer::{Mat, MatRef};

/// How each node's value depends on its parents' values.
#[derive(Debug, Clone, Copy)]
pub enum Equations<'a> {
    /// x_j = Σ_i W_ij x_i + noise (W holds the weights).
    Linear,
    /// x_j = f_j(x_pa) + noise with f_j drawn from a nonlinear family (W is read as a graph).
    Nonlinear {
        /// The family of the f_j.
        mechanism: Mechanism,
        /// `None`: the f_j are drawn from the simulation's one stream (between the noise and
        /// the intervention values of each node). `Some(seed)`: from a stream of their own, so
        /// every call with that seed has the same functions whatever its rows, environments and
        /// noise seed (an experiment oracle on a fixed ground truth).
        functions_seed: Option<u64>,
    },
    /// x_j = f_j(x_pa) + noise with f_j node j's fitted network, its inputs outside W's graph
    /// zeroed (a learner's MLP mechanism; a root keeps its network's constant output).
    Networks(&'a Mlp),
}

/// The sign of the intervention values' mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueSign {
    /// Every environment draws from N(loc, scale²).
    Positive,
    /// Each environment draws its sign s = ±1 (probability 1/2) once; its values are
    /// s·(loc + scale·z), z ~ N(0, 1), i.e. N(s·loc, scale²).
    Random,
}

/// The distribution that replaces an intervened node's equation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InterventionValues {
    /// Mean of the values (before the sign).
    pub loc: f64,
    /// Standard deviation of the values (>= 0).
    pub scale: f64,
    /// Whether each environment draws the sign of `loc`.
    pub sign: ValueSign,
    /// `None`: every row draws its own value, s·(loc + scale·z). `Some(sd)`: BaCaDI's design
    /// (Hägele et al. 2023): each environment draws one value per target, s·(loc + scale·|z|),
    /// and each row adds N(0, sd²) to it.
    pub row_noise: Option<f64>,
}

/// The environments of an interventional data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Environments {
    /// Rows of the observational environment (label 0).
    pub n_obs: usize,
    /// The intervened nodes of environments 1, 2, …
    pub targets: Vec<Vec<usize>>,
    /// The rows of environments 1, 2, … (one entry per target set, each >= 1).
    pub n_per_environment: Vec<usize>,
}

/// An interventional sample: the data, which entries an intervention set, and each row's
/// environment. Rows are grouped by environment, observational first.
#[derive(Debug, Clone)]
pub struct InterventionalSample {
    /// (n, d) values.
    pub x: Mat<f64>,
    /// Row-major (n·d) flags: true where node j was set by an intervention in row i.
    pub mask: Vec<bool>,
    /// (n) environment labels: 0 observational, k for the k-th target set.
    pub environments: Vec<usize>,
}

impl Environments {
    /// Checks the target sets against `d` nodes and returns the total number of rows.
    fn check(&self, d: usize) -> Result<usize> {
        if self.targets.len() != self.n_per_environment.len() {
            return Err(CoreError::InvalidInput(format!(
                "n_per_environment has {} entries for {} target sets",
                self.n_per_environment.len(),
                self.targets.len()
            )));
        }
        for (k, set) in self.targets.iter().enumerate() {
            if let Some(&bad) = set.iter().find(|&&j| j >= d) {
                return Err(CoreError::InvalidInput(format!(
                    "targets[{k}] names node {bad}, but the graph has d = {d} nodes (0 to {})",
                    d.saturating_sub(1)
                )));
            }
            if let Some(&twice) = set.iter().enumerate().find_map(|(a, j)| set[..a].contains(j).then_some(j)) {
                return Err(CoreError::InvalidInput(format!("targets[{k}] names node {twice} twice")));
            }
        }
        if let Some(k) = self.n_per_environment.iter().position(|&m| m == 0) {
            return Err(CoreError::InvalidInput(format!(
                "n_per_environment[{k}] is 0: every interventional environment needs rows"
            )));
        }
        let n = self
            .n_per_environment
            .iter()
            .try_fold(self.n_obs, |acc, &m| acc.checked_add(m))
            .ok_or_else(|| CoreError::InvalidInput("the number of rows overflows".into()))?;
        if n == 0 {
            return Err(CoreError::InvalidInput("no rows: n_obs is 0 and there are no target sets".into()));
        }
        Ok(n)
    }

    /// The environment label of every row.
    fn labels(&self) -> Vec<usize> {
        let mut labels = vec![0; self.n_obs];
        for (k, &m) in self.n_per_environment.iter().enumerate() {
            labels.extend(std::iter::repeat_n(k + 1, m));
        }
        labels
    }
}

/// One additive noise draw with scale `s` (the additive noises of [`LinearNoise`] only).
fn additive_noise(noise: LinearNoise, s: f64, random: &mut Random) -> f64 {
    match noise {
        LinearNoise::Gauss => random.normal(0.0, s),
        LinearNoise::Exp => random.exponential(s),
        LinearNoise::Gumbel => random.gumbel(s),
        LinearNoise::Uniform => random.uniform_in(-s, s),
        LinearNoise::Logistic | LinearNoise::Poisson => unreachable!("checked: additive noises only"),
    }
}

/// Samples the SEM of `w` (weights for [`Equations::Linear`], a graph otherwise) in the
/// observational environment and under the perfect interventions of `environments`.
///
/// `noise` is the additive noise (gauss, exp, gumbel or uniform; binary and count data cannot
/// take Gaussian intervention values), `scale` its per-node scale, `n_features` the sines per
/// parent of the "gp-sines" mechanism.
#[allow(clippy::too_many_arguments)]
pub fn simulate_interventional_sem(
    w: MatRef<'_, f64>,
    environments: &Environments,
    equations: Equations<'_>,
    noise: LinearNoise,
    scale: &[f64],
    values: InterventionValues,
    n_features: usize,
    seed: u64,
) -> Result<InterventionalSample> {
    let order = dag_order(w)?;
    let d = w.nrows();
    check_scales(scale, d)?;
    if matches!(noise, LinearNoise::Logistic | LinearNoise::Poisson) {
        return Err(CoreError::InvalidInput(
            "sem_type must be an additive noise (gauss, exp, gumbel, uniform): interventions draw Gaussian \
             values, which binary (logistic) or count (poisson) data cannot take"
                .into(),
        ));
    }
    if values.row_noise.is_some_and(|sd| !(sd.is_finite() && sd >= 0.0)) {
        return Err(CoreError::InvalidInput("value_noise must be finite and >= 0".into()));
    }
    if !(values.loc.is_finite() && values.scale.is_finite() && values.scale >= 0.0) {
        return Err(CoreError::InvalidInput("value_loc must be finite and value_scale finite and >= 0".into()));
    }
    if n_features == 0 {
        return Err(CoreError::InvalidInput("n_features must be >= 1".into()));
    }
    let n = environments.check(d)?;
    let labels = environments.labels();
    let mut mask = vec![false; n * d];
    for (row, &env) in labels.iter().enumerate() {
        if env > 0 {
            environments.targets[env - 1].iter().for_each(|&j| mask[row * d + j] = true);
        }
    }

    let mut random = Random::new(seed);
    let signs: Vec<f64> = (0..environments.targets.len())
        .map(|_| match values.sign {
            ValueSign::Positive => 1.0,
            ValueSign::Random => {
                if random.uniform() < 0.5 {
                    -1.0
                } else {
                    1.0
                }
            }
        })
        .collect();
    // BaCaDI's design: one value per (environment, target), drawn before any row
    let env_values: Vec<Vec<f64>> = match values.row_noise {
        None => Vec::new(),
        Some(_) => environments
            .targets
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let mut v = vec![0.0; d];
                for &j in t {
                    v[j] = signs[k] * (values.loc + values.scale * random.standard_normal().abs());
                }
                v
            })
            .collect(),
    };
    if let Equations::Networks(networks) = equations {
        if networks.n_nodes() != d {
            return Err(CoreError::InvalidInput(format!("networks for {} nodes, a graph of {d}", networks.n_nodes())));
        }
    }
    // W's graph as the networks' input scaling (column-major)
    let graph: Vec<f64> = (0..d * d).map(|k| if w[(k % d, k / d)] != 0.0 { 1.0 } else { 0.0 }).collect();
    let mut functions_stream = match equations {
        Equations::Nonlinear { functions_seed: Some(seed), .. } => Some(Random::new(seed)),
        _ => None,
    };
    let mut x = Mat::<f64>::zeros(n, d);
    for &j in &order {
        let pa = parents(w, j);
        let e: Vec<f64> = (0..n).map(|_| additive_noise(noise, scale[j], &mut random)).collect();
        let f: Vec<f64> = match equations {
            Equations::Networks(networks) => networks.predict_node(j, x.as_ref(), Some(&graph)),
            _ if pa.is_empty() => vec![0.0; n],
            Equations::Linear => {
                (0..n).map(|row| pa.iter().fold(0.0, |acc, &i| acc + x[(row, i)] * w[(i, j)])).collect()
            }
            Equations::Nonlinear { mechanism, .. } => {
                let draws = functions_stream.as_mut().unwrap_or(&mut random);
                match mechanism {
                    Mechanism::Mlp => mlp(&x, &pa, n, draws),
                    Mechanism::Mim => mim(&x, &pa, n, draws),
                    Mechanism::GpSines => gp_sines(&x, &pa, n, n_features, draws),
                }
            }
        };
        for row in 0..n {
            x[(row, j)] = if mask[row * d + j] {
                match values.row_noise {
                    None => signs[labels[row] - 1] * (values.loc + values.scale * random.standard_normal()),
                    Some(sd) => env_values[labels[row] - 1][j] + sd * random.standard_normal(),
                }
            } else {
                f[row] + e[row]
            };
        }
    }
    Ok(InterventionalSample { x, mask, environments: labels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{simulate_linear_sem, simulate_nonlinear_sem};

    fn chain(d: usize, weight: f64) -> Mat<f64> {
        Mat::from_fn(d, d, |i, j| if j == i + 1 { weight } else { 0.0 })
    }

    const DCDI: InterventionValues =
        InterventionValues { loc: 2.0, scale: 1.0, sign: ValueSign::Positive, row_noise: None };

    fn environments(n_obs: usize, targets: Vec<Vec<usize>>, m: usize) -> Environments {
        let n_per_environment = vec![m; targets.len()];
        Environments { n_obs, targets, n_per_environment }
    }

    fn mean_var(v: &[f64]) -> (f64, f64) {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        (mean, v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n)
    }

    #[test]
    fn without_targets_the_rows_are_the_observational_simulators() {
        let w = chain(4, 0.8);
        let envs = environments(60, vec![], 1);
        let lin = simulate_interventional_sem(
            w.as_ref(),
            &envs,
            Equations::Linear,
            LinearNoise::Gauss,
            &[1.0; 4],
            DCDI,
            10,
            5,
        )
        .unwrap();
        assert_eq!(lin.x, simulate_linear_sem(w.as_ref(), 60, LinearNoise::Gauss, &[1.0; 4], 5).unwrap());
        for m in [Mechanism::Mlp, Mechanism::Mim, Mechanism::GpSines] {
            let s = simulate_interventional_sem(
                w.as_ref(),
                &envs,
                Equations::Nonlinear { mechanism: m, functions_seed: None },
                LinearNoise::Gauss,
                &[1.0; 4],
                DCDI,
                10,
                5,
            )
            .unwrap();
            assert_eq!(s.x, simulate_nonlinear_sem(w.as_ref(), 60, m, &[1.0; 4], 10, 5, None).unwrap());
            assert!(s.mask.iter().all(|&b| !b) && s.environments == vec![0; 60]);
        }
    }

    #[test]
    fn targets_take_the_intervention_values_and_descendants_follow() {
        // chain 0 -> 1 -> 2 with weight 1: intervene on node 1
        let w = chain(3, 1.0);
        let envs = environments(20_000, vec![vec![1]], 20_000);
        let s = simulate_interventional_sem(
            w.as_ref(),
            &envs,
            Equations::Linear,
            LinearNoise::Gauss,
            &[1.0; 3],
            DCDI,
            1,
            3,
        )
        .unwrap();
        let col = |j: usize, rows: std::ops::Range<usize>| rows.map(|r| s.x[(r, j)]).collect::<Vec<_>>();
        let (obs, int) = (0..20_000, 20_000..40_000);
        let (m1, v1) = mean_var(&col(1, int.clone()));
        assert!((m1 - 2.0).abs() < 0.03 && (v1 - 1.0).abs() < 0.04, "{m1} {v1}");
        // node 2 = node 1 + noise: mean 2, variance 2 under the intervention; mean 0, variance 3 without
        let (m2, v2) = mean_var(&col(2, int.clone()));
        assert!((m2 - 2.0).abs() < 0.05 && (v2 - 2.0).abs() < 0.08, "{m2} {v2}");
        let (m2o, v2o) = mean_var(&col(2, obs.clone()));
        assert!(m2o.abs() < 0.05 && (v2o - 3.0).abs() < 0.12, "{m2o} {v2o}");
        // the root is not a descendant: same distribution in both environments
        let ((a, b), (c, e)) = (mean_var(&col(0, obs)), mean_var(&col(0, int)));
        assert!((a - c).abs() < 0.05 && (b - e).abs() < 0.06);
        assert_eq!(s.environments[19_999..20_001], [0, 1]);
        assert!((0..40_000).all(|r| (0..3).all(|j| s.mask[r * 3 + j] == (r >= 20_000 && j == 1))));
    }

    #[test]
    fn nonlinear_targets_take_the_values_and_the_mechanisms_are_shared() {
        // chain 0 -> 1 -> 2; constant intervention values on node 1 (scale 0)
        let w = chain(3, 1.0);
        let values = InterventionValues { loc: 1.5, scale: 0.0, sign: ValueSign::Positive, row_noise: None };
        for m in [Mechanism::Mlp, Mechanism::Mim, Mechanism::GpSines] {
            let envs = environments(50, vec![vec![1]], 50);
            let s = simulate_interventional_sem(
                w.as_ref(),
                &envs,
                Equations::Nonlinear { mechanism: m, functions_seed: None },
                LinearNoise::Gauss,
                &[1.0, 1.0, 0.0],
                values,
                10,
                11,
            )
            .unwrap();
            assert!((50..100).all(|r| s.x[(r, 1)] == 1.5));
            // node 2 = f_2(x_1) without noise: one function, so equal inputs give equal outputs
            assert!((51..100).all(|r| s.x[(r, 2)] == s.x[(50, 2)]));
            assert!((0..50).any(|r| s.x[(r, 2)] != s.x[(50, 2)]));
            assert!(s.x.col(0).iter().chain(s.x.col(2).iter()).all(|v| v.is_finite()));
        }
    }

    #[test]
    fn random_signs_are_per_environment_and_bad_input_is_named() {
        let w = chain(3, 0.5);
        let values = InterventionValues { loc: 5.0, scale: 0.0, sign: ValueSign::Random, row_noise: None };
        let envs = environments(5, (0..40).map(|k| vec![k % 3]).collect(), 4);
        let s = simulate_interventional_sem(
            w.as_ref(),
            &envs,
            Equations::Linear,
            LinearNoise::Gauss,
            &[1.0; 3],
            values,
            1,
            0,
        )
        .unwrap();
        let signs: Vec<f64> = (0..40).map(|k| s.x[(5 + 4 * k, k % 3)]).collect();
        assert!(signs.iter().all(|&v| v == 5.0 || v == -5.0));
        assert!(signs.contains(&5.0) && signs.contains(&-5.0));
        for (k, &sign) in signs.iter().enumerate() {
            assert!((0..4).all(|r| s.x[(5 + 4 * k + r, k % 3)] == sign));
        }
        let run = |envs: &Environments, noise: LinearNoise| {
            simulate_interventional_sem(w.as_ref(), envs, Equations::Linear, noise, &[1.0; 3], DCDI, 1, 0)
        };
        let err = |r: Result<InterventionalSample>| match r {
            Err(CoreError::InvalidInput(m)) => m,
            other => panic!("{other:?}"),
        };
        assert!(err(run(&environments(5, vec![vec![3]], 2), LinearNoise::Gauss)).contains("targets[0] names node 3"));
        assert!(err(run(&environments(5, vec![vec![1, 1]], 2), LinearNoise::Gauss)).contains("twice"));
        assert!(err(run(&environments(5, vec![vec![1]], 0), LinearNoise::Gauss)).contains("n_per_environment[0]"));
        assert!(err(run(&environments(0, vec![], 1), LinearNoise::Gauss)).contains("no rows"));
        assert!(err(run(&environments(5, vec![vec![1]], 2), LinearNoise::Poisson)).contains("additive noise"));
        let uneven = Environments { n_obs: 5, targets: vec![vec![1]], n_per_environment: vec![1, 2] };
        assert!(err(run(&uneven, LinearNoise::Gauss)).contains("2 entries for 1 target sets"));
    }

    /// Fitted networks: every row solves x_j = f_j(x_pa) + 0 (no noise) for the nodes not
    /// intervened on, the target holds its value, and a root keeps its network's constant.
    #[test]
    fn fitted_networks_give_rows_that_solve_their_equations() {
        use crate::mlp::Activation;
        use rand::SeedableRng;
        let (d, n) = (4, 30);
        let w = chain(d, 1.0);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let networks = Mlp::new(d, &[5], Activation::Sigmoid, &mut rng).unwrap();
        let envs = environments(10, vec![vec![1]], n - 10);
        let values = InterventionValues { loc: 1.5, scale: 0.0, sign: ValueSign::Positive, row_noise: None };
        let sample = simulate_interventional_sem(
            w.as_ref(),
            &envs,
            Equations::Networks(&networks),
            LinearNoise::Gauss,
            &[0.0; 4],
            values,
            1,
            0,
        )
        .unwrap();
        let graph: Vec<f64> = (0..d * d).map(|k| if w[(k % d, k / d)] != 0.0 { 1.0 } else { 0.0 }).collect();
        let predicted = networks.predict(sample.x.as_ref(), Some(&graph));
        for r in 0..n {
            for j in 0..d {
                let expected = if sample.mask[r * d + j] { 1.5 } else { predicted[(r, j)] };
                assert!((sample.x[(r, j)] - expected).abs() <= 1e-12, "{r} {j}");
            }
            assert_eq!(sample.mask[r * d + 1], r >= 10);
        }
        assert_eq!(
            networks.predict_node(2, sample.x.as_ref(), Some(&graph)),
            (0..n).map(|r| predicted[(r, 2)]).collect::<Vec<_>>()
        );
    }
    /// With a functions seed the mechanisms are fixed: noise-free rows under do(x_0 = v) are the
    /// same for any noise seed and any number of rows, and a different functions seed gives
    /// different functions. Without one, the noise seed changes the functions too.
    #[test]
    fn a_functions_seed_fixes_the_mechanisms_whatever_the_noise_seed() {
        let w = Mat::from_fn(3, 3, |i, j| if i < j { 1.0 } else { 0.0 });
        let values = InterventionValues { loc: 0.7, scale: 0.0, sign: ValueSign::Positive, row_noise: None };
        for mechanism in [Mechanism::Mlp, Mechanism::Mim, Mechanism::GpSines] {
            let run = |functions_seed: Option<u64>, seed: u64, rows: usize, noise: f64| {
                let envs = environments(0, vec![vec![0]], rows);
                let equations = Equations::Nonlinear { mechanism, functions_seed };
                simulate_interventional_sem(
                    w.as_ref(),
                    &envs,
                    equations,
                    LinearNoise::Gauss,
                    &[noise; 3],
                    values,
                    4,
                    seed,
                )
                .unwrap()
                .x
            };
            let (a, b) = (run(Some(9), 1, 3, 0.0), run(Some(9), 2, 5, 0.0));
            assert!((0..3).all(|j| a[(0, j)] == b[(4, j)]), "{mechanism:?}");
            assert!(a[(0, 2)] != run(Some(10), 1, 3, 0.0)[(0, 2)], "{mechanism:?}");
            assert!(run(None, 1, 3, 0.0)[(0, 2)] != run(None, 2, 3, 0.0)[(0, 2)], "{mechanism:?}");
            let (c, e) = (run(Some(9), 1, 3, 1.0), run(Some(9), 2, 3, 1.0));
            assert!(c[(0, 1)] != e[(0, 1)], "the noise still follows the seed");
        }
    }
}
