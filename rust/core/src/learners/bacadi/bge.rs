//! The marginal BGe likelihood (Geiger & Heckerman, Annals of Statistics 2002; the local score as
//! corrected by Kuipers, Moffa & Heckerman, Annals of Statistics 2014) with interventions: the
//! likelihood of BaCaDI's and DiBS' marginal models, in which the weights are integrated out.
//!
//! Node j's local score uses the rows that do not set it (its environments with I_ej = 0); with
//! T = t·I, t = α_μ(α_λ − d − 1)/(α_μ + 1), prior mean 0, and over those N rows the mean x̄ and
//! centred scatter S, R = T + S + (N α_μ/(N + α_μ)) x̄x̄ᵀ, and with p = |pa(j)|:
//!
//!   log p(x_j | x_pa) = ½ log(α_μ/(N + α_μ)) + lnΓ(½(N + α_λ − d + p + 1)) − lnΓ(½(α_λ − d + p + 1))
//!                       − ½N log π + ½(α_λ − d + 2p + 1) log t
//!                       + ½(N + α_λ − d + p) log|R_pa,pa| − ½(N + α_λ − d + p + 1) log|R_{pa∪j}|.
//!
//! An intervened node's values in environment e are scored by the same formula for one variable
//! without parents (d = 1, α_λ = 3, α_μ as above) on that environment's rows. (The reference's
//! version of this term adds ½(N + α_λ − d) where the log-determinant of an empty matrix, 0,
//! belongs, multiplies its mean term by d and centres it at the true intervention value; none of
//! this is kept.)

use super::stats::EnvStats;

/// The BGe hyperparameters.
#[derive(Debug, Clone, Copy)]
pub struct Bge {
    /// α_μ, the precision weight of the prior mean (DiBS and BaCaDI: 1).
    pub alpha_mu: f64,
    /// α_λ, the Wishart degrees of freedom (> d + 1; DiBS and BaCaDI: d + 2).
    pub alpha_lambda: f64,
}

/// ln Γ(x) for x > 0 (the `libm` crate's, the same bits everywhere).
fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// log|A| of a symmetric positive definite m×m matrix (row-major), by Cholesky; −∞ if it is not
/// positive definite to working precision.
fn log_det(a: &[f64], m: usize) -> f64 {
    let mut l = a.to_vec();
    let mut total = 0.0;
    for j in 0..m {
        let mut diag = l[j * m + j];
        for k in 0..j {
            diag -= l[j * m + k] * l[j * m + k];
        }
        if diag.is_nan() || diag <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let root = diag.sqrt();
        l[j * m + j] = root;
        total += 2.0 * libm::log(root);
        for i in j + 1..m {
            let mut v = l[i * m + j];
            for k in 0..j {
                v -= l[i * m + k] * l[j * m + k];
            }
            l[i * m + j] = v / root;
        }
    }
    total
}

impl Bge {
    /// The score's terms for N rows with sums `sums` and uncentred scatter `scatter` over the
    /// nodes `nodes` (parents first, the node last; `scatter` row-major |nodes|²), in a model
    /// of `d` variables with Wishart degrees `alpha_lambda`.
    fn score(&self, rows: f64, sums: &[f64], scatter: &[f64], d: f64, alpha_lambda: f64) -> f64 {
        let m = sums.len();
        let p = (m - 1) as f64;
        let am = self.alpha_mu;
        let t = am * (alpha_lambda - d - 1.0) / (am + 1.0);
        let mean: Vec<f64> = sums.iter().map(|s| if rows > 0.0 { s / rows } else { 0.0 }).collect();
        let shrink = rows * am / (rows + am);
        let mut r = vec![0.0; m * m];
        for a in 0..m {
            for b in 0..m {
                // centred scatter S − N x̄x̄ᵀ, plus the prior's T and the mean term
                r[a * m + b] = scatter[a * m + b] - rows * mean[a] * mean[b] + shrink * mean[a] * mean[b];
            }
            r[a * m + a] += t;
        }
        let parents_block: Vec<f64> =
            (0..m - 1).flat_map(|a| (0..m - 1).map(move |b| (a, b))).map(|(a, b)| r[a * m + b]).collect();
        let log_det_pa = if m > 1 { log_det(&parents_block, m - 1) } else { 0.0 };
        let log_det_all = log_det(&r, m);
        0.5 * (libm::log(am) - libm::log(rows + am)) + ln_gamma(0.5 * (rows + alpha_lambda - d + p + 1.0))
            - ln_gamma(0.5 * (alpha_lambda - d + p + 1.0))
            - 0.5 * rows * libm::log(std::f64::consts::PI)
            + 0.5 * (alpha_lambda - d + 2.0 * p + 1.0) * libm::log(t)
            + 0.5 * (rows + alpha_lambda - d + p) * log_det_pa
            - 0.5 * (rows + alpha_lambda - d + p + 1.0) * log_det_all
    }

    /// Node j's local score with parents `parents`, on the rows of the environments that do not
    /// set it (`envs`: the labels ≥ 1 that do), plus its intervened values' scores in `envs`.
    pub fn node_score(&self, stats: &EnvStats, j: usize, parents: &[usize], envs: &[usize]) -> f64 {
        let mut nodes = parents.to_vec();
        nodes.push(j);
        let (rows, sums, scatter) = stats.restricted(&nodes, envs);
        let mut total = self.score(rows, &sums, &scatter, stats.d() as f64, self.alpha_lambda);
        for &e in envs {
            let (n, s, sq) = (stats.rows[e], stats.sums[(e, j)], stats.scatter[e][(j, j)]);
            total += self.score(n, &[s], &[sq], 1.0, 3.0);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::Environments;
    use crate::simulate::random::Random;
    use faer::Mat;

    fn bge(d: usize) -> Bge {
        Bge { alpha_mu: 1.0, alpha_lambda: d as f64 + 2.0 }
    }

    #[test]
    fn log_det_is_the_product_of_the_eigenvalues() {
        // [[4, 2], [2, 3]]: det 8
        assert!((log_det(&[4.0, 2.0, 2.0, 3.0], 2) - 8f64.ln()).abs() < 1e-14);
        assert_eq!(log_det(&[1.0, 2.0, 2.0, 1.0], 2), f64::NEG_INFINITY);
    }

    #[test]
    fn markov_equivalent_graphs_score_the_same_and_the_true_one_beats_the_empty_one() {
        // BGe is score-equivalent: 0 → 1 → 2 and 0 ← 1 ← 2 (one class) get the same total
        let (n, d) = (200, 3);
        let mut rng = Random::new(1);
        let mut x = Mat::<f64>::zeros(n, d);
        for r in 0..n {
            x[(r, 0)] = rng.normal(0.0, 1.0);
            x[(r, 1)] = 0.8 * x[(r, 0)] + rng.normal(0.0, 0.5);
            x[(r, 2)] = -0.7 * x[(r, 1)] + rng.normal(0.0, 0.5);
        }
        let env = Environments::new(vec![0; n], n).unwrap();
        let stats = EnvStats::new(x.as_ref(), Some(&env));
        let b = bge(d);
        let total = |parents: [&[usize]; 3]| (0..d).map(|j| b.node_score(&stats, j, parents[j], &[])).sum::<f64>();
        let chain = total([&[], &[0], &[1]]);
        let reversed = total([&[1], &[2], &[]]);
        let empty = total([&[], &[], &[]]);
        assert!((chain - reversed).abs() < 1e-9 * chain.abs(), "{chain} {reversed}");
        assert!(chain > empty + 50.0);
    }

    #[test]
    fn the_local_score_is_the_normal_wishart_marginal_of_one_variable() {
        // one variable, no parents: the closed form of a Normal–Gamma marginal likelihood
        let xs = [0.3, -1.2, 2.0, 0.7, 1.1];
        let n = xs.len() as f64;
        let (s, sq): (f64, f64) = (xs.iter().sum(), xs.iter().map(|v| v * v).sum());
        let b = Bge { alpha_mu: 1.0, alpha_lambda: 3.0 };
        let got = b.score(n, &[s], &[sq], 1.0, 3.0);
        // μ | τ ~ N(0, 1/(α_μ τ)), τ ~ Gamma(a0 = α_λ/2, rate b0 = t/2), t = α_μ(α_λ − 2)/(α_μ + 1)
        let t = 0.5;
        let (a0, b0) = (1.5, t / 2.0);
        let mean = s / n;
        let centred = sq - n * mean * mean;
        let (an, bn) = (a0 + n / 2.0, b0 + 0.5 * centred + 0.5 * n / (n + 1.0) * mean * mean);
        let expected = libm::lgamma(an) - libm::lgamma(a0) + a0 * b0.ln() - an * bn.ln() + 0.5 * (1.0 / (n + 1.0)).ln()
            - 0.5 * n * (2.0 * std::f64::consts::PI).ln();
        assert!((got - expected).abs() < 1e-10, "{got} {expected}");
    }
}
