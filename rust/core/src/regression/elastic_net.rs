//! The elastic net of one target on Σ, by coordinate descent with active-set steps.
//!
//!   min_w  scale·(½ wᵀΣ_PP w − Σ_Ptᵀ w) + Σ_a (½ ridge_a w_a² + l1_a |w_a|)
//!
//! over the coefficients w of the predictors P (the data term is scale·½n⁻¹‖x_t − X_P w‖² up to
//! a constant). Each coordinate has its own penalties, so unpenalised coordinates (0, 0) sit
//! next to penalised ones.
//!
//! Coordinate descent on the covariance (Friedman, Hastie & Tibshirani 2010: each step updates
//! q = Σ_PP w in O(|P|)) finds the support and signs but crawls on raw, strongly correlated
//! columns. So once a sweep leaves the support as it was, active-set steps follow (Osborne,
//! Presnell & Turlach 2000): on the face of the current support and signs the objective is a
//! quadratic, minimised exactly; where a sign would flip, the step stops at the first zero
//! crossing (the objective decreases on the way), that coordinate leaves the support, and the
//! face's system is solved again, its inverse downdated ([`InverseGram::remove_variable`]).
//! When the signs hold and no coordinate off the support wants to enter, w is the exact
//! minimiser; otherwise coordinate descent resumes from there. A face step that does not lower
//! the objective (a singular system, e.g. copied columns without a ridge) is undone, and
//! coordinate descent, which never raises it, carries on alone.

use super::cholesky::Cholesky;
use super::covariance::Covariance;
use super::inverse::InverseGram;
use crate::error::{CoreError, Result};

/// Relative objective difference below which two values count as equal (rounding noise).
const ROUNDING: f64 = 1e-12;

/// One target's elastic net on Σ (see the module docs); build it with [`ElasticNet::new`].
#[derive(Debug, Clone, Copy)]
pub struct ElasticNet<'a> {
    covariance: &'a Covariance,
    target: usize,
    predictors: &'a [usize],
    l1: &'a [f64],
    ridge: &'a [f64],
    scale: f64,
}

/// When [`ElasticNet::solve`] stops.
#[derive(Debug, Clone, Copy)]
pub struct Stopping {
    /// Cap on the passes (coordinate-descent sweeps, then an active-set step).
    pub max_passes: usize,
    /// Cap on the coordinate-descent sweeps of a pass (it ends earlier once a sweep leaves the
    /// support as it was, while active-set steps are in use).
    pub max_sweeps_per_pass: usize,
    /// The optimality conditions must hold within `tol` × scale × Σ_tt.
    pub tol: f64,
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping { max_passes: 20, max_sweeps_per_pass: 100, tol: 1e-7 }
    }
}

/// What [`ElasticNet::solve`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// w, in the order of the predictors.
    pub coefficients: Vec<f64>,
    /// True when w meets the optimality conditions (within [`Stopping::tol`]).
    pub optimal: bool,
}

/// sign(z)·max(|z| − λ, 0): the minimiser of ½(w − z)² + λ|w|.
pub fn soft_threshold(z: f64, lambda: f64) -> f64 {
    if z > lambda {
        z - lambda
    } else if z < -lambda {
        z + lambda
    } else {
        0.0
    }
}

impl<'a> ElasticNet<'a> {
    /// The elastic net of `target` on `predictors`, with per-predictor penalties `l1` and
    /// `ridge` (≥ 0; a ridge may be +∞, which holds that coefficient where it starts) and the
    /// data term's weight `scale`.
    ///
    /// Errors: `InvalidParameter` for an index out of range, penalties not one per predictor,
    /// a negative or NaN penalty, or a `scale` that is not finite and > 0.
    pub fn new(
        covariance: &'a Covariance,
        target: usize,
        predictors: &'a [usize],
        l1: &'a [f64],
        ridge: &'a [f64],
        scale: f64,
    ) -> Result<Self> {
        let bad = |what: String| Err(CoreError::InvalidParameter(what));
        covariance.check_indices(predictors.iter().copied().chain([target]))?;
        if l1.len() != predictors.len() || ridge.len() != predictors.len() {
            return bad(format!(
                "{} predictors need as many penalties, got {} l1 and {} ridge",
                predictors.len(),
                l1.len(),
                ridge.len()
            ));
        }
        if let Some(v) = l1.iter().chain(ridge).find(|v| v.is_nan() || **v < 0.0) {
            return bad(format!("elastic-net penalties must be >= 0, got {v}"));
        }
        if !(scale > 0.0 && scale.is_finite()) {
            return bad(format!("the elastic net's scale must be a finite number > 0, got {scale}"));
        }
        Ok(ElasticNet { covariance, target, predictors, l1, ridge, scale })
    }

    /// Σ between predictors a and b (positions).
    #[inline]
    fn sig(&self, a: usize, b: usize) -> f64 {
        self.covariance[(self.predictors[a], self.predictors[b])]
    }

    /// Σ between predictor a and the target.
    #[inline]
    fn cross(&self, a: usize) -> f64 {
        self.covariance[(self.predictors[a], self.target)]
    }

    /// q = Σ_PP w.
    fn gram_times(&self, w: &[f64]) -> Vec<f64> {
        let m = self.predictors.len();
        (0..m).map(|a| (0..m).map(|b| self.sig(a, b) * w[b]).sum()).collect()
    }

    /// The objective at w.
    pub fn objective(&self, w: &[f64]) -> f64 {
        self.objective_given(w, &self.gram_times(w))
    }

    fn objective_given(&self, w: &[f64], q: &[f64]) -> f64 {
        (0..w.len())
            .map(|a| {
                self.scale * (0.5 * w[a] * q[a] - self.cross(a) * w[a])
                    + 0.5 * self.ridge[a] * w[a] * w[a]
                    + self.l1[a] * w[a].abs()
            })
            .sum()
    }

    /// The optimality (KKT) conditions at w within `tol` × scale × Σ_tt: with
    /// g_a = scale·(Σ_at − (Σ_PP w)_a) − ridge_a·w_a (minus the smooth part's gradient),
    /// g_a = l1_a sign(w_a) on the support and |g_a| ≤ l1_a off it.
    pub fn is_optimal(&self, w: &[f64], tol: f64) -> bool {
        w.len() == self.predictors.len() && self.optimal_given(w, &self.gram_times(w), tol)
    }

    fn optimal_given(&self, w: &[f64], q: &[f64], tol: f64) -> bool {
        let slack = tol * self.scale * self.covariance[(self.target, self.target)];
        (0..w.len()).all(|a| {
            let g = self.scale * (self.cross(a) - q[a]) - self.ridge[a] * w[a];
            if w[a] == 0.0 {
                g.abs() <= self.l1[a] + slack
            } else {
                (g - self.l1[a] * w[a].signum()).abs() <= slack
            }
        })
    }

    /// Minimises from `warm` (one value per predictor).
    ///
    /// Errors: `InvalidParameter` when `warm` does not have one value per predictor.
    pub fn solve(&self, warm: Vec<f64>, stopping: &Stopping) -> Result<Solution> {
        if warm.len() != self.predictors.len() {
            return Err(CoreError::InvalidParameter(format!(
                "{} predictors need as many starting values, got {}",
                self.predictors.len(),
                warm.len()
            )));
        }
        let mut w = warm;
        if w.is_empty() {
            return Ok(Solution { coefficients: w, optimal: true });
        }
        let mut q = self.gram_times(&w);
        let mut faces = true;
        for _ in 0..stopping.max_passes {
            // Sweeps until one leaves the support as it was (an active-set step costs a
            // factorisation, a sweep O(m²)).
            for _ in 0..stopping.max_sweeps_per_pass {
                let support_changed = self.sweep(&mut w, &mut q);
                if !support_changed && faces {
                    break;
                }
            }
            if faces {
                let (before, value_before) = (w.clone(), self.objective_given(&w, &q));
                let exact = self.face_minimiser(&mut w);
                q = self.gram_times(&w);
                // "no higher" up to rounding: where the step lands on coordinate descent's own
                // point, the two objectives agree to the last bits and an exact comparison would
                // make the choice (and the result) depend on them. False for NaN.
                let after = self.objective_given(&w, &q);
                let kept_or_lowered = after <= value_before + ROUNDING * value_before.abs();
                if !kept_or_lowered {
                    (w, faces) = (before, false);
                    q = self.gram_times(&w);
                } else if !exact {
                    faces = false;
                }
            }
            if self.optimal_given(&w, &q, stopping.tol) {
                return Ok(Solution { coefficients: w, optimal: true });
            }
        }
        Ok(Solution { coefficients: w, optimal: false })
    }

    /// One sweep of coordinate descent, keeping q = Σ_PP w; true when the support changed.
    /// Coordinates without a positive, finite curvature are left where they are.
    fn sweep(&self, w: &mut [f64], q: &mut [f64]) -> bool {
        let mut support_changed = false;
        for a in 0..w.len() {
            let curvature = self.scale * self.sig(a, a) + self.ridge[a];
            if !(curvature > 0.0 && curvature.is_finite()) {
                continue;
            }
            let rho = self.scale * (self.cross(a) - q[a] + self.sig(a, a) * w[a]);
            let updated = soft_threshold(rho, self.l1[a]) / curvature;
            let step = updated - w[a];
            if step != 0.0 {
                support_changed |= (updated == 0.0) != (w[a] == 0.0);
                w[a] = updated;
                q.iter_mut().enumerate().for_each(|(b, qb)| *qb += self.sig(b, a) * step);
            }
        }
        support_changed
    }

    /// Moves w to the minimiser on the face of its support and signs, shrinking the support
    /// where a sign would flip (see the module docs). One factorisation; the inverse is
    /// downdated as coordinates leave (O(k²) each). False when the face's system cannot be
    /// factored or its solution is not finite (w is then left where the steps reached).
    fn face_minimiser(&self, w: &mut [f64]) -> bool {
        let mut support: Vec<usize> = (0..w.len()).filter(|&a| w[a] != 0.0).collect();
        if support.is_empty() {
            return true;
        }
        let hessian = |r: usize, c: usize| {
            let diagonal = if r == c { self.ridge[support[r]] } else { 0.0 };
            self.scale * self.sig(support[r], support[c]) + diagonal
        };
        let Some(mut inverse) = face_inverse(support.len(), hessian) else { return false };
        while !support.is_empty() {
            let signs: Vec<f64> = support.iter().map(|&a| w[a].signum()).collect();
            let rhs: Vec<f64> =
                support.iter().zip(&signs).map(|(&a, s)| self.scale * self.cross(a) - self.l1[a] * s).collect();
            let z = inverse.apply(&rhs);
            if z.iter().any(|v| !v.is_finite()) {
                return false;
            }
            let crossing = (0..support.len())
                .filter(|&r| z[r].signum() != signs[r] || z[r] == 0.0)
                .map(|r| (w[support[r]] / (w[support[r]] - z[r]), r))
                .min_by(|x, y| x.0.total_cmp(&y.0));
            let Some((t, first)) = crossing else {
                for (&a, &v) in support.iter().zip(&z) {
                    w[a] = v;
                }
                return true;
            };
            for (&a, &v) in support.iter().zip(&z) {
                w[a] += t * (v - w[a]);
            }
            w[support[first]] = 0.0;
            // Every coordinate now at zero leaves the support (ties included).
            while let Some(r) = (0..support.len()).rev().find(|&r| w[support[r]] == 0.0) {
                inverse.remove_variable(r);
                support.remove(r);
            }
        }
        true
    }
}

/// The inverse of the k×k face system `hessian`, or `None` when it is not positive definite.
fn face_inverse(k: usize, hessian: impl Fn(usize, usize) -> f64) -> Option<InverseGram> {
    Cholesky::from_fn(k, hessian).ok().map(|factor| factor.inverse())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regression::least_squares::least_squares;
    use faer::Mat;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    /// Raw data with correlated columns: x_j = 1.5 x_{j−1} + noise (j < 5), x5 = 2 x2 − x4 + noise,
    /// plus a copy of x1 as x6.
    fn covariance() -> Covariance {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut x = Mat::<f64>::zeros(200, 7);
        for r in 0..200 {
            for j in 0..5 {
                let parent = if j > 0 { 1.5 * x[(r, j - 1)] } else { 0.0 };
                x[(r, j)] = parent + normal.sample(&mut rng);
            }
            x[(r, 5)] = 2.0 * x[(r, 2)] - x[(r, 4)] + normal.sample(&mut rng);
            x[(r, 6)] = x[(r, 1)];
        }
        Covariance::from_data(x.as_ref()).unwrap()
    }

    /// The KKT conditions, written out independently of the solver.
    fn assert_kkt(net: &ElasticNet<'_>, w: &[f64]) {
        let (covariance, target, predictors, l1, ridge, scale) =
            (net.covariance, net.target, net.predictors, net.l1, net.ridge, net.scale);
        for (a, &p) in predictors.iter().enumerate() {
            let fitted: f64 = predictors.iter().zip(w).map(|(&b, wb)| covariance[(p, b)] * wb).sum();
            let g = scale * (covariance[(p, target)] - fitted) - ridge[a] * w[a];
            let slack = 1e-6 * scale * covariance[(target, target)];
            if w[a] == 0.0 {
                assert!(g.abs() <= l1[a] + slack, "off the support {p}: |{g}| > {}", l1[a]);
            } else {
                assert!((g - l1[a] * w[a].signum()).abs() <= slack, "on the support {p}: {g}");
            }
        }
    }

    #[test]
    fn lasso_and_elastic_net_solutions_meet_the_kkt_conditions() {
        let covariance = covariance();
        let predictors = [0, 1, 2, 3, 4];
        for (l1, ridge) in [(0.02, 0.0), (0.5, 0.0), (0.2, 0.3), (0.0, 0.1), (1e3, 0.0)] {
            let l1s = vec![l1; 5];
            let mut ridges = vec![ridge; 5];
            ridges[2] = 0.0; // an unpenalised coordinate among penalised ones
            let mut l1s_mixed = l1s.clone();
            l1s_mixed[2] = 0.0;
            let net = ElasticNet::new(&covariance, 5, &predictors, &l1s_mixed, &ridges, 0.5).unwrap();
            let solution = net.solve(vec![0.0; 5], &Stopping::default()).unwrap();
            assert!(solution.optimal, "l1 {l1} ridge {ridge}");
            assert!(net.is_optimal(&solution.coefficients, 1e-7));
            assert_kkt(&net, &solution.coefficients);
            // from another start: the same minimiser (the problem is strictly convex here)
            let again = net.solve(vec![1.0, -1.0, 0.5, 0.0, 2.0], &Stopping::default()).unwrap();
            for (x, y) in again.coefficients.iter().zip(&solution.coefficients) {
                assert!((x - y).abs() < 1e-6 * y.abs().max(1.0));
            }
            assert!(net.objective(&solution.coefficients) <= net.objective(&[0.0; 5]));
        }
    }

    #[test]
    fn without_penalties_it_is_least_squares() {
        let covariance = covariance();
        let predictors = [2, 4, 0];
        let zeros = [0.0; 3];
        let net = ElasticNet::new(&covariance, 5, &predictors, &zeros, &zeros, 1.0).unwrap();
        let solution = net.solve(vec![0.0; 3], &Stopping::default()).unwrap();
        let exact = least_squares(&covariance, 5, &predictors).unwrap();
        assert!(solution.optimal);
        for (x, y) in solution.coefficients.iter().zip(&exact.coefficients) {
            assert!((x - y).abs() < 1e-8 * y.abs().max(1.0), "{x} {y}");
        }
    }

    #[test]
    fn copied_columns_are_solved_by_coordinate_descent_alone() {
        // x6 = x1: Σ_PP is singular without a ridge; the face step cannot be used
        let covariance = covariance();
        let predictors = [1, 6, 3];
        let l1 = [0.05; 3];
        let zeros = [0.0; 3];
        let net = ElasticNet::new(&covariance, 2, &predictors, &l1, &zeros, 1.0).unwrap();
        let solution = net.solve(vec![0.5, 0.5, 0.0], &Stopping::default()).unwrap();
        assert!(solution.coefficients.iter().all(|v| v.is_finite()));
        assert_kkt(&net, &solution.coefficients);
    }

    #[test]
    fn bad_settings_are_errors() {
        let covariance = covariance();
        let one = [0.0];
        assert!(ElasticNet::new(&covariance, 7, &[0], &one, &one, 1.0).is_err());
        assert!(ElasticNet::new(&covariance, 1, &[0], &[], &one, 1.0).is_err());
        assert!(ElasticNet::new(&covariance, 1, &[0], &[-1.0], &one, 1.0).is_err());
        assert!(ElasticNet::new(&covariance, 1, &[0], &one, &[f64::NAN], 1.0).is_err());
        assert!(ElasticNet::new(&covariance, 1, &[0], &one, &one, 0.0).is_err());
        let net = ElasticNet::new(&covariance, 1, &[0], &one, &one, 1.0).unwrap();
        assert!(net.solve(vec![], &Stopping::default()).is_err());
        assert_eq!(soft_threshold(3.0, 1.0), 2.0);
        assert_eq!(soft_threshold(-3.0, 1.0), -2.0);
        assert_eq!(soft_threshold(0.5, 1.0), 0.0);
    }
}
