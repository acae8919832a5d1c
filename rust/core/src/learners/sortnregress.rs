//! Sort-and-regress baselines (Reisach, Seiler & Weichwald, "Beware of the Simulated DAG! Causal
//! Discovery Benchmarks May Be Easy To Game", NeurIPS 2021; the R² sort: Reisach, Weichwald et
//! al., "A Scale-Invariant Sorting Criterion to Find a Causal Order in Additive Noise Models",
//! NeurIPS 2023).
//!
//! Sort the variables by a criterion, then regress each on all the variables before it with an
//! adaptive lasso chosen by BIC: least squares gives |β|, the predictors are scaled by it, the
//! lasso path of the scaled problem is computed exactly by LARS and its BIC-best breakpoint is
//! scaled back (as scikit-learn's `LassoLarsIC(criterion="bic")`, the reference's choice, does).
//! A learner that does no better than these on simulated data is exploiting how the data were
//! simulated, not learning structure. Everything works on the covariance of the centred data.
//!
//! Interventional data: the sort uses the covariance of all rows; node j is regressed on its own
//! rows (those that do not intervene on it), i.e. on Σ⁽ʲ⁾ with n⁽ʲ⁾ rows for BIC.

use crate::error::{CoreError, Result};
use crate::graph::{order_respecting, threshold};
use crate::learners::params::check_number;
use crate::learners::{Data, Fitted, Learner, Prior, Value};
use crate::progress::Progress;
use crate::regression::{bic_lasso, least_squares, Covariance, NodeCovariances};
use crate::simulate::random::Random;
use crate::sortability::{ascending, r2_scores, variances};
use faer::{Mat, MatRef};
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;

/// The sort criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Increasing marginal variance (fails once the data are standardized, as it should).
    Var,
    /// Increasing R² of each variable regressed on all the others (scale-invariant).
    R2,
    /// A random order drawn from `seed` (the floor any method should beat).
    Random,
}

/// Settings; no weight threshold by default, as in the reference.
#[derive(Debug, Clone, Serialize, Deserialize, SmartDefault)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The sort criterion (default "var").
    #[default(Sort::Var)]
    pub sort: Sort,
    /// |w| below this is dropped (default 0: keep what the lasso keeps).
    pub w_threshold: f64,
    /// Seed of `sort = "random"`.
    pub seed: u64,
}

/// A residual variance below this fraction of the target's variance counts as an exact fit: the
/// BIC's noise variance is floored there so that it stays defined.
const NOISE_FLOOR: f64 = 1e-12;

impl Learner for Config {
    const NAME: &'static str = "sortnregress";

    fn validate(&self) -> Result<()> {
        check_number("w_threshold", self.w_threshold, 0.0, false)
    }

    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
        let (n, d) = (data.n_rows(), data.x.ncols());
        // the covariance of every node (one for observational data) and each node's rows
        let per_node = match (data.intervened, data.summary.and_then(|s| s.per_node.as_ref())) {
            (Some(mask), _) => Some(NodeCovariances::new(data.rows(Self::NAME)?, mask)?),
            (None, Some(known)) => Some(known.clone()),
            (None, None) => None,
        };
        let (covariances, of_node, rows, pooled) = match per_node {
            Some(node) => {
                let matrices =
                    node.matrices.iter().map(|m| Covariance::from_matrix(m.as_ref())).collect::<Result<Vec<_>>>()?;
                (matrices, node.of_node, node.rows_of_node, node.pooled)
            }
            None => {
                let covariance = match data.summary {
                    Some(summary) => Covariance::from_matrix(summary.sigma.as_ref())?,
                    None => Covariance::from_data(data.x)?,
                };
                let pooled = covariance.as_mat().to_owned();
                (vec![covariance], vec![0; d], vec![n; d], pooled)
            }
        };
        let sigma = pooled.as_ref();
        let mut order = match self.sort {
            Sort::Var => ascending(&variances(sigma)),
            Sort::R2 => ascending(&r2_scores(sigma)),
            Sort::Random => Random::new(self.seed).permutation(d),
        };
        if let Some(required) = &prior.required {
            // the closest order that keeps every required edge forward
            order = order_respecting(required, &order)?;
        }
        let forbidden = |i: usize, j: usize| prior.forbidden.as_ref().is_some_and(|m| m[i * d + j]);
        let required = |i: usize, j: usize| prior.required.as_ref().is_some_and(|m| m[i * d + j]);
        let mut raw = Mat::<f64>::zeros(d, d);
        let mut fallbacks = 0;
        for (k, &target) in order.iter().enumerate() {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let parents: Vec<usize> = order[..k].iter().copied().filter(|&p| !forbidden(p, target)).collect();
            if parents.is_empty() {
                continue;
            }
            let covariance = &covariances[of_node[target]];
            let (beta, fell_back) = adaptive_lasso(covariance, target, &parents, rows[target])?;
            fallbacks += usize::from(fell_back);
            for (&p, &b) in parents.iter().zip(&beta) {
                raw[(p, target)] = b;
            }
            if parents.iter().any(|&p| required(p, target) && raw[(p, target)] == 0.0) {
                // a required edge the lasso dropped keeps its least-squares weight
                let ols = ordinary(covariance, target, &parents)?;
                for (&p, &b) in parents.iter().zip(&ols) {
                    if required(p, target) && raw[(p, target)] == 0.0 {
                        raw[(p, target)] = b;
                    }
                }
            }
        }
        let weights = threshold(raw.as_ref(), self.w_threshold, prior.required.as_ref());
        let score = (0..d)
            .map(|j| rows[j] as f64 / n as f64 * node_least_squares(covariances[of_node[j]].as_mat(), &raw, j))
            .sum::<f64>();
        let mut fitted = Fitted::new(raw, weights, prior, 1, true, vec![score])?.with("order", Value::Nodes(order));
        if fallbacks > 0 {
            fitted.warnings.push(format!(
                "{fallbacks} regression(s) had too few rows for BIC (n <= predictors + 1) and used plain least squares"
            ));
        }
        Ok(fitted)
    }
}

/// Least squares of `target` on `parents`, with a tiny ridge when Σ restricted to them is
/// singular (copied columns, or more predictors than rows).
fn ordinary(covariance: &Covariance, target: usize, parents: &[usize]) -> Result<Vec<f64>> {
    match least_squares(covariance, target, parents) {
        Ok(fit) => Ok(fit.coefficients),
        Err(CoreError::Numerical(_)) => {
            let ridge = 1e-10 * covariance.mean_variance().max(f64::MIN_POSITIVE);
            Ok(least_squares(&covariance.clone().with_ridge(ridge), target, parents)?.coefficients)
        }
        Err(e) => Err(e),
    }
}

/// The BIC-chosen adaptive lasso of `target` on `parents`, and whether plain least squares was
/// used instead (too few rows for BIC).
fn adaptive_lasso(covariance: &Covariance, target: usize, parents: &[usize], n: usize) -> Result<(Vec<f64>, bool)> {
    let ols = ordinary(covariance, target, parents)?;
    let k = parents.len();
    if n <= k + 1 || ols.iter().any(|b| !b.is_finite()) {
        return Ok((ols.iter().map(|b| if b.is_finite() { *b } else { 0.0 }).collect(), true));
    }
    // sums of squares and cross-products (LassoLarsIC works on X, not X/n)
    let nf = n as f64;
    let gram = Mat::from_fn(k, k, |a, b| nf * covariance[(parents[a], parents[b])]);
    let xty: Vec<f64> = parents.iter().map(|&p| nf * covariance[(p, target)]).collect();
    let yty = nf * covariance[(target, target)];
    let explained: f64 = ols.iter().zip(&xty).map(|(b, c)| b * c).sum();
    let rss = (yty - explained).max(0.0);
    let noise_variance = (rss / (nf - k as f64)).max(NOISE_FLOOR * covariance[(target, target)]);
    let weights: Vec<f64> = ols.iter().map(|b| b.abs()).collect();
    Ok((bic_lasso(&gram, &xty, yty, n, &weights, noise_variance)?, false))
}

/// Node j's ½ (Σ_jj − 2 w_jᵀΣ_·j + w_jᵀ Σ w_j) = ½n⁻¹‖x_j − X w_j‖² from Σ: summed over j
/// (with weights n⁽ʲ⁾/n for interventional data), the least-squares score.
fn node_least_squares(sigma: MatRef<'_, f64>, w: &Mat<f64>, j: usize) -> f64 {
    let d = sigma.nrows();
    let cross: f64 = (0..d).map(|i| w[(i, j)] * sigma[(i, j)]).sum();
    let quadratic: f64 = (0..d).map(|i| w[(i, j)] * (0..d).map(|k| sigma[(i, k)] * w[(k, j)]).sum::<f64>()).sum();
    0.5 * (sigma[(j, j)] - 2.0 * cross + quadratic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::is_dag;
    use crate::progress::Silent;
    use crate::simulate::{simulate_linear_sem, LinearNoise};

    #[test]
    fn recovers_a_chain_from_raw_data_and_honours_the_prior() {
        let w = Mat::from_fn(4, 4, |i, j| if j == i + 1 { 1.5 } else { 0.0 });
        let x = simulate_linear_sem(w.as_ref(), 2000, LinearNoise::Gauss, &[1.0; 4], 0).unwrap();
        let fitted = Config::default().fit(&Data::observational(x.as_ref()), &Prior::default(), &mut Silent).unwrap();
        for i in 0..4 {
            for j in 0..4 {
                assert_eq!(fitted.adjacency[i * 4 + j], j == i + 1, "{i}->{j}: {:?}", fitted.weights);
            }
        }
        let mut forbidden = vec![false; 16];
        forbidden[1] = true; // 0 -> 1
        let prior = Prior { forbidden: Some(forbidden), required: None };
        let fitted = Config { sort: Sort::R2, ..Default::default() }
            .fit(&Data::observational(x.as_ref()), &prior, &mut Silent)
            .unwrap();
        assert!(fitted.weights[(0, 1)] == 0.0 && is_dag(fitted.weights.as_ref()));
    }
}
