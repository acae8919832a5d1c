//! Edge weights and samples from linear and nonlinear structural equation models.
//!
//! Nodes are visited in a topological order (roots first, smallest index first among ties);
//! each node's value is computed from its parents' with sums in increasing parent index, one
//! row at a time, so the result has the same bits on every machine.

use super::interventional::{simulate_interventional_sem, Environments, Equations, InterventionValues, ValueSign};
use super::random::Random;
use crate::error::{CoreError, Result};
use crate::graph::topological_order;
use crate::scalar::sigmoid;
use faer::{Mat, MatRef};

/// Largest Poisson rate a Poisson SEM may reach: beyond it the counts explode along the chain.
pub const POISSON_MAX_RATE: f64 = 1e15;

/// The noise (or link) of a linear SEM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinearNoise {
    /// x = η + N(0, s²).
    Gauss,
    /// x = η + Exponential(scale s) (mean s, not centred).
    Exp,
    /// x = η + Gumbel(0, s) (mean 0.5772 s, not centred).
    Gumbel,
    /// x = η + U(−s, s).
    Uniform,
    /// x ~ Bernoulli(σ(η)).
    Logistic,
    /// x ~ Poisson(exp(η)).
    Poisson,
}

/// The mechanism family of a nonlinear SEM (Zheng et al., AISTATS 2020).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// One hidden layer of 100 sigmoid units, weights ±U[0.5, 2].
    Mlp,
    /// tanh(x·w1) + cos(x·w2) + sin(x·w3), weights ±U[0.5, 2].
    Mim,
    /// A sum over parents of random-Fourier-feature draws of an RBF Gaussian process.
    GpSines,
}

/// A weight for every nonzero entry of `b` (visited column by column): one of `ranges` with
/// equal probability, then uniform in it.
pub fn simulate_parameter(b: MatRef<'_, f64>, ranges: &[(f64, f64)], seed: u64) -> Result<Mat<f64>> {
    if ranges.is_empty() || ranges.iter().any(|&(lo, hi)| !(lo.is_finite() && hi.is_finite() && lo <= hi)) {
        return Err(CoreError::InvalidInput("w_ranges must be finite (low, high) pairs with low <= high".into()));
    }
    let mut random = Random::new(seed);
    let mut w = Mat::<f64>::zeros(b.nrows(), b.ncols());
    for j in 0..b.ncols() {
        for i in 0..b.nrows() {
            if b[(i, j)] != 0.0 {
                let (lo, hi) = ranges[random.index(ranges.len())];
                w[(i, j)] = random.uniform_in(lo, hi);
            }
        }
    }
    Ok(w)
}

/// The topological order of a DAG, or an error naming it.
pub(super) fn dag_order(w: MatRef<'_, f64>) -> Result<Vec<usize>> {
    if w.nrows() != w.ncols() {
        return Err(CoreError::InvalidInput("the weight matrix must be square".into()));
    }
    topological_order(w).ok_or_else(|| CoreError::InvalidInput("the graph has a directed cycle".into()))
}

/// The parents of node j (nonzero entries of column j), in increasing index.
pub(super) fn parents(w: MatRef<'_, f64>, j: usize) -> Vec<usize> {
    (0..w.nrows()).filter(|&i| w[(i, j)] != 0.0).collect()
}

/// n rows of the linear SEM X = XW + E (or its logistic / Poisson GLM) with noise scales `scale`.
pub fn simulate_linear_sem(
    w: MatRef<'_, f64>,
    n: usize,
    noise: LinearNoise,
    scale: &[f64],
    seed: u64,
) -> Result<Mat<f64>> {
    let order = dag_order(w)?;
    let d = w.nrows();
    check_scales(scale, d)?;
    let mut random = Random::new(seed);
    let mut x = Mat::<f64>::zeros(n, d);
    for &j in &order {
        let pa = parents(w, j);
        let s = scale[j];
        for row in 0..n {
            let eta = pa.iter().fold(0.0, |acc, &i| acc + x[(row, i)] * w[(i, j)]);
            x[(row, j)] = match noise {
                LinearNoise::Gauss => eta + random.normal(0.0, s),
                LinearNoise::Exp => eta + random.exponential(s),
                LinearNoise::Gumbel => eta + random.gumbel(s),
                LinearNoise::Uniform => eta + random.uniform_in(-s, s),
                LinearNoise::Logistic => random.bernoulli(sigmoid(eta)),
                LinearNoise::Poisson => {
                    let rate = libm::exp(eta);
                    if rate.is_nan() || rate > POISSON_MAX_RATE {
                        return Err(CoreError::Numerical(format!(
                            "poisson SEM: the rate exp(X_pa w) of node {j} exceeds {POISSON_MAX_RATE:e}; the counts \
                             explode along the chain, use smaller weights"
                        )));
                    }
                    random.poisson(rate)
                }
            };
        }
    }
    Ok(x)
}

pub(super) fn check_scales(scale: &[f64], d: usize) -> Result<()> {
    if scale.len() != d || scale.iter().any(|&s| !(s.is_finite() && s >= 0.0)) {
        return Err(CoreError::InvalidInput(format!("noise_scale must hold {d} finite numbers >= 0")));
    }
    Ok(())
}

/// ±U[0.5, 2]: the weights of the nonlinear mechanisms.
fn signed_weight(random: &mut Random) -> f64 {
    let magnitude = random.uniform_in(0.5, 2.0);
    if random.uniform() < 0.5 {
        -magnitude
    } else {
        magnitude
    }
}

/// Hidden units of the "mlp" mechanism.
const MLP_HIDDEN: usize = 100;

/// n rows of the additive-noise SEM x_j = f_j(x_pa) + N(0, s_j²) on the DAG `b` (weights
/// ignored); each node's f_j is drawn from `mechanism` (`n_features` sines per parent for
/// "gp-sines"), from the noise's stream or, with `functions_seed`, from a stream of its own
/// (the observational environment of [`simulate_interventional_sem`]).
pub fn simulate_nonlinear_sem(
    b: MatRef<'_, f64>,
    n: usize,
    mechanism: Mechanism,
    scale: &[f64],
    n_features: usize,
    seed: u64,
    functions_seed: Option<u64>,
) -> Result<Mat<f64>> {
    if n == 0 {
        dag_order(b)?;
        check_scales(scale, b.nrows())?;
        return Ok(Mat::zeros(0, b.nrows()));
    }
    let environments = Environments { n_obs: n, targets: Vec::new(), n_per_environment: Vec::new() };
    // no row is intervened on: the values' distribution is never drawn from
    let values = InterventionValues { loc: 0.0, scale: 0.0, sign: ValueSign::Positive, row_noise: None };
    let equations = Equations::Nonlinear { mechanism, functions_seed };
    let sample =
        simulate_interventional_sem(b, &environments, equations, LinearNoise::Gauss, scale, values, n_features, seed)?;
    Ok(sample.x)
}

/// σ(x_pa W1) w2 with W1 (|pa|×100) and w2 (100) drawn ±U[0.5, 2].
pub(super) fn mlp(x: &Mat<f64>, pa: &[usize], n: usize, random: &mut Random) -> Vec<f64> {
    let w1: Vec<f64> = (0..pa.len() * MLP_HIDDEN).map(|_| signed_weight(random)).collect();
    let w2: Vec<f64> = (0..MLP_HIDDEN).map(|_| signed_weight(random)).collect();
    (0..n)
        .map(|row| {
            (0..MLP_HIDDEN).fold(0.0, |acc, h| {
                let z = pa.iter().enumerate().fold(0.0, |z, (k, &i)| z + x[(row, i)] * w1[k * MLP_HIDDEN + h]);
                acc + sigmoid(z) * w2[h]
            })
        })
        .collect()
}

/// tanh(x·w1) + cos(x·w2) + sin(x·w3), weights ±U[0.5, 2].
pub(super) fn mim(x: &Mat<f64>, pa: &[usize], n: usize, random: &mut Random) -> Vec<f64> {
    let draw = |random: &mut Random| -> Vec<f64> { pa.iter().map(|_| signed_weight(random)).collect() };
    let (w1, w2, w3) = (draw(random), draw(random), draw(random));
    let dot = |row: usize, w: &[f64]| pa.iter().zip(w).fold(0.0, |acc, (&i, &wk)| acc + x[(row, i)] * wk);
    (0..n).map(|row| libm::tanh(dot(row, &w1)) + libm::cos(dot(row, &w2)) + libm::sin(dot(row, &w3))).collect()
}

/// Σ over parents of √(2/R) Σ_r a_r sin(ω_r x + φ_r), a, ω ~ N(0, 1), φ ~ U[0, 2π): random
/// Fourier features of an RBF Gaussian process with unit length-scale and variance (Rahimi &
/// Recht 2007).
pub(super) fn gp_sines(x: &Mat<f64>, pa: &[usize], n: usize, features: usize, random: &mut Random) -> Vec<f64> {
    let mut f = vec![0.0; n];
    let amplitude = (2.0 / features as f64).sqrt();
    for &i in pa {
        let a: Vec<f64> = (0..features).map(|_| random.standard_normal()).collect();
        let omega: Vec<f64> = (0..features).map(|_| random.standard_normal()).collect();
        let phi: Vec<f64> = (0..features).map(|_| random.uniform_in(0.0, 2.0 * std::f64::consts::PI)).collect();
        for (row, value) in f.iter_mut().enumerate() {
            let t = x[(row, i)];
            let g = (0..features).fold(0.0, |acc, r| acc + a[r] * libm::sin(omega[r] * t + phi[r]));
            *value += amplitude * g;
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(d: usize, weight: f64) -> Mat<f64> {
        Mat::from_fn(d, d, |i, j| if j == i + 1 { weight } else { 0.0 })
    }

    #[test]
    fn linear_gauss_has_the_covariance_of_the_sem() {
        // x0 ~ N(0,1), x1 = 2 x0 + N(0,1): var(x1) = 5, cov = 2
        let x = simulate_linear_sem(chain(2, 2.0).as_ref(), 100_000, LinearNoise::Gauss, &[1.0, 1.0], 0).unwrap();
        let n = x.nrows() as f64;
        let (v0, v1, c) = (0..x.nrows()).fold((0.0, 0.0, 0.0), |(a, b, c), r| {
            (a + x[(r, 0)] * x[(r, 0)], b + x[(r, 1)] * x[(r, 1)], c + x[(r, 0)] * x[(r, 1)])
        });
        assert!((v0 / n - 1.0).abs() < 0.02 && (v1 / n - 5.0).abs() < 0.1 && (c / n - 2.0).abs() < 0.05);
    }

    #[test]
    fn every_noise_and_mechanism_runs_and_cycles_are_errors() {
        let w = chain(4, 0.8);
        for noise in [
            LinearNoise::Gauss,
            LinearNoise::Exp,
            LinearNoise::Gumbel,
            LinearNoise::Uniform,
            LinearNoise::Logistic,
            LinearNoise::Poisson,
        ] {
            let weights = if noise == LinearNoise::Poisson { chain(4, 0.1) } else { w.clone() };
            let x = simulate_linear_sem(weights.as_ref(), 50, noise, &[1.0; 4], 1).unwrap();
            assert!((0..50).all(|r| (0..4).all(|j| x[(r, j)].is_finite())));
        }
        for mechanism in [Mechanism::Mlp, Mechanism::Mim, Mechanism::GpSines] {
            let x = simulate_nonlinear_sem(w.as_ref(), 50, mechanism, &[1.0; 4], 10, 1, None).unwrap();
            assert!((0..50).all(|r| (0..4).all(|j| x[(r, j)].is_finite())));
        }
        let mut cyclic = chain(3, 1.0);
        cyclic[(2, 0)] = 1.0;
        assert!(simulate_linear_sem(cyclic.as_ref(), 5, LinearNoise::Gauss, &[1.0; 3], 0).is_err());
        let exploding = chain(3, 100.0);
        assert!(matches!(
            simulate_linear_sem(exploding.as_ref(), 5, LinearNoise::Poisson, &[1.0; 3], 0),
            Err(CoreError::Numerical(_))
        ));
    }

    #[test]
    fn parameters_follow_the_support_and_ranges() {
        let b = chain(5, 1.0);
        let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], 3).unwrap();
        for i in 0..5 {
            for j in 0..5 {
                let v: f64 = w[(i, j)];
                assert_eq!(v != 0.0, b[(i, j)] != 0.0);
                assert!(v == 0.0 || (0.5..=2.0).contains(&v.abs()));
            }
        }
    }
}
