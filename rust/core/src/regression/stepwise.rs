//! Stepwise selection of predictors at a fixed price per predictor (Efroymson 1960).
//!
//! Minimises rss(P) + price·|P| over sets P of candidates, locally: add the candidate that
//! lowers the residual variance most while it lowers it by more than the price, and after each
//! addition drop the predictors whose removal would raise it by less than that, the cheapest
//! first. Required candidates enter first and stay. At the end no single addition or removal
//! lowers the objective.
//!
//! An addition updates every candidate's partial covariance with the target and its partial
//! variance given P in O(k·s) (k candidates, s selected), as forward selection and orthogonal
//! matching pursuit do, and (Σ_PP)⁻¹ by bordering: a target costs O(k·s²), not the O(k³) of
//! starting from all its candidates.

use super::covariance::Covariance;
use super::inverse::InverseGram;
use crate::error::{CoreError, Result};

/// The predictors [`stepwise`] chose and their least-squares fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The chosen variables (not in any particular order).
    pub selected: Vec<usize>,
    /// Their least-squares coefficients, in the same order.
    pub coefficients: Vec<f64>,
    /// The target's residual variance on them, floored at 0 against rounding.
    pub residual_variance: f64,
}

/// Below this share of its variance left unexplained by the selected predictors, a candidate is
/// taken to be a linear combination of them (its partial variance is rounding error) and is not
/// added.
const COLLINEAR: f64 = 1e-10;

/// How many additions per candidate [`stepwise`] may make at most (a predictor that was dropped
/// may come back once others have joined).
const MAX_ADDITIONS_PER_CANDIDATE: usize = 10;

/// Selects predictors of `target` among `candidates` (see the module docs) at `price` per
/// predictor: the result is a local optimum of rss + price·|P|, where adding any candidate
/// lowers rss by at most `price` and removing any free predictor raises it by at least that
/// much. `required[a]` marks candidates that enter first and never leave. A predictor dropped
/// on the way may enter again later (once others have changed what it adds).
///
/// Errors: `InvalidParameter` for an index out of range or `required` not as long as
/// `candidates`.
pub fn stepwise(
    covariance: &Covariance,
    target: usize,
    candidates: &[usize],
    required: &[bool],
    price: f64,
) -> Result<Selection> {
    covariance.check_indices(candidates.iter().copied().chain([target]))?;
    if required.len() != candidates.len() {
        return Err(CoreError::InvalidParameter(format!(
            "{} candidates but {} required flags",
            candidates.len(),
            required.len()
        )));
    }
    let mut state = Stepwise::new(covariance, target, candidates);
    // Every move lowers rss + price·|P| strictly, so no set comes back and the moves end; the
    // cap only guards against rounding making a move look like a gain twice.
    for _ in 0..MAX_ADDITIONS_PER_CANDIDATE * (candidates.len() + 1) {
        let Some(a) = state.next_addition(required, price) else { break };
        state.add(a);
        while let Some(t) = state.cheapest_removal(required, price) {
            state.remove(t);
        }
    }
    Ok(state.into_selection())
}

/// The state of a stepwise selection; candidates are referred to by position in `candidates`.
struct Stepwise<'a> {
    covariance: &'a Covariance,
    target: usize,
    candidates: &'a [usize],
    /// For every candidate c, given the selected P: cov(x_c, residual of the target)...
    r: Vec<f64>,
    /// ... and the partial variance of x_c (what P leaves unexplained).
    q: Vec<f64>,
    /// The partial variance below which c counts as collinear with P.
    floor: Vec<f64>,
    selected: Vec<bool>,
    /// The selected candidates in the order they entered, their coefficients, (Σ_PP)⁻¹.
    chosen: Vec<usize>,
    b: Vec<f64>,
    inverse: InverseGram,
}

impl<'a> Stepwise<'a> {
    fn new(covariance: &'a Covariance, target: usize, candidates: &'a [usize]) -> Self {
        let k = candidates.len();
        Stepwise {
            covariance,
            target,
            candidates,
            r: candidates.iter().map(|&c| covariance[(c, target)]).collect(),
            q: candidates.iter().map(|&c| covariance[(c, c)]).collect(),
            floor: candidates.iter().map(|&c| COLLINEAR * covariance[(c, c)]).collect(),
            selected: vec![false; k],
            chosen: Vec::new(),
            b: Vec::new(),
            inverse: InverseGram::new(),
        }
    }

    /// Covariance of candidates a and c (positions).
    #[inline]
    fn cov(&self, a: usize, c: usize) -> f64 {
        self.covariance[(self.candidates[a], self.candidates[c])]
    }

    /// A required candidate not yet in, else the one that lowers rss most, if by more than
    /// `price` (rss falls by r_a² / q_a when a enters).
    fn next_addition(&self, required: &[bool], price: f64) -> Option<usize> {
        let k = self.candidates.len();
        (0..k).find(|&a| !self.selected[a] && required[a]).or_else(|| {
            (0..k)
                .filter(|&a| !self.selected[a] && self.q[a] > self.floor[a])
                .map(|a| (self.r[a] * self.r[a] / self.q[a], a))
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .filter(|&(gain, _)| gain > price)
                .map(|(_, a)| a)
        })
    }

    /// Adds candidate a: with w = Σ_PP⁻¹ Σ_Pa and u_c the partial covariance of c and a given
    /// P, every r_c and q_c loses a's share.
    fn add(&mut self, a: usize) {
        let k = self.candidates.len();
        let qa = self.q[a].max(self.floor[a]).max(f64::MIN_POSITIVE);
        let cross: Vec<f64> = self.chosen.iter().map(|&p| self.cov(p, a)).collect();
        let w = self.inverse.apply(&cross);
        let u: Vec<f64> = (0..k)
            .map(|c| self.cov(c, a) - self.chosen.iter().zip(&w).map(|(&p, wt)| self.cov(c, p) * wt).sum::<f64>())
            .collect();
        let coefficient = self.r[a] / qa;
        self.b.iter_mut().zip(&w).for_each(|(bt, wt)| *bt -= wt * coefficient);
        self.b.push(coefficient);
        for ((rc, qc), uc) in self.r.iter_mut().zip(&mut self.q).zip(&u) {
            *rc -= uc * coefficient;
            *qc -= uc * uc / qa;
        }
        self.inverse.add_variable(&w, qa);
        self.chosen.push(a);
        self.selected[a] = true;
    }

    /// The free selected predictor (position in `chosen`) whose removal raises rss least
    /// (by b_t² / (Σ_PP⁻¹)_tt), if by less than `price`.
    fn cheapest_removal(&self, required: &[bool], price: f64) -> Option<usize> {
        (0..self.chosen.len())
            .filter(|&t| !required[self.chosen[t]])
            .map(|t| (self.b[t] * self.b[t] / self.inverse[(t, t)], t))
            .min_by(|x, y| x.0.total_cmp(&y.0))
            .filter(|&(rise, _)| rise < price)
            .map(|(_, t)| t)
    }

    /// Removes the selected predictor at position t of `chosen`, then recomputes every
    /// candidate's partial covariances from scratch given the new P.
    fn remove(&mut self, t: usize) {
        let ratio = self.b[t] / self.inverse[(t, t)];
        let column = self.inverse.column(t);
        self.b.iter_mut().zip(&column).for_each(|(bv, c)| *bv -= c * ratio);
        self.b.remove(t);
        self.inverse.remove_variable(t);
        let gone = self.chosen.remove(t);
        self.selected[gone] = false;
        for c in 0..self.candidates.len() {
            let cross: Vec<f64> = self.chosen.iter().map(|&p| self.cov(c, p)).collect();
            let fitted: f64 = cross.iter().zip(&self.b).map(|(x, y)| x * y).sum();
            self.r[c] = self.covariance[(self.candidates[c], self.target)] - fitted;
            self.q[c] = self.cov(c, c) - self.inverse.quadratic_form(&cross);
        }
    }

    fn into_selection(self) -> Selection {
        let selected: Vec<usize> = self.chosen.iter().map(|&a| self.candidates[a]).collect();
        let explained: f64 = selected.iter().zip(&self.b).map(|(&i, w)| w * self.covariance[(i, self.target)]).sum();
        let residual_variance = (self.covariance[(self.target, self.target)] - explained).max(0.0);
        Selection { selected, coefficients: self.b, residual_variance }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regression::least_squares::least_squares;
    use faer::Mat;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    /// x0 → x1 → x2 (weights 2, −1.5) and x3 independent, unit noise.
    fn chain(n: usize) -> Mat<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut x = Mat::<f64>::zeros(n, 4);
        for r in 0..n {
            x[(r, 0)] = normal.sample(&mut rng) + 3.0;
            x[(r, 1)] = 2.0 * x[(r, 0)] + normal.sample(&mut rng);
            x[(r, 2)] = -1.5 * x[(r, 1)] + normal.sample(&mut rng);
            x[(r, 3)] = normal.sample(&mut rng);
        }
        x
    }

    /// Residual variance of the target on `predictors` by ordinary least squares.
    fn residual_variance(covariance: &Covariance, target: usize, predictors: &[usize]) -> f64 {
        least_squares(covariance, target, predictors).unwrap().residual_variance
    }

    fn sorted(mut v: Vec<usize>) -> Vec<usize> {
        v.sort();
        v
    }

    #[test]
    fn matches_least_squares_and_keeps_only_predictors_worth_their_price() {
        let covariance = Covariance::from_data(chain(2000).as_ref()).unwrap();
        // at no price every candidate that explains anything enters, with least-squares weights
        let all = stepwise(&covariance, 2, &[0, 1, 3], &[false; 3], 0.0).unwrap();
        assert_eq!(sorted(all.selected.clone()), vec![0, 1, 3]);
        let exact = least_squares(&covariance, 2, &all.selected).unwrap();
        for (b, e) in all.coefficients.iter().zip(&exact.coefficients) {
            assert!((b - e).abs() < 1e-9 * e.abs().max(1.0));
        }
        let at = |fit: &Selection, i: usize| fit.coefficients[fit.selected.iter().position(|&p| p == i).unwrap()];
        assert!((at(&all, 1) + 1.5).abs() < 0.05, "{:?}", all.coefficients);
        // at a moderate price, x0 and x3 add almost nothing once x1 is in
        let sparse = stepwise(&covariance, 2, &[0, 1, 3], &[false; 3], 0.05).unwrap();
        assert_eq!(sparse.selected, vec![1]);
        assert!((sparse.residual_variance - residual_variance(&covariance, 2, &[1])).abs() < 1e-10);
        // a required candidate stays whatever the price
        let kept = stepwise(&covariance, 2, &[0, 1, 3], &[false, false, true], 1e6).unwrap();
        assert_eq!(kept.selected, vec![3]);
        // bad indices and flags are errors
        assert!(matches!(stepwise(&covariance, 4, &[0], &[false], 0.0), Err(CoreError::InvalidParameter(_))));
        assert!(matches!(stepwise(&covariance, 2, &[0, 1], &[false], 0.0), Err(CoreError::InvalidParameter(_))));
    }

    #[test]
    fn ends_at_a_local_optimum_no_single_addition_or_removal_improves() {
        // random linear SEMs on 8 nodes with large, signed weights (raw data: variances grow
        // along the order, predictors explain one another): no single addition or removal lowers
        // rss + price·|P|. A predictor dropped early may have to come back later.
        for seed in 0..30 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let normal = Normal::new(0.0, 1.0).unwrap();
            let weights: Vec<f64> =
                (0..64).map(|_| if rng.random::<f64>() < 0.4 { rng.random_range(-2.0..2.0) } else { 0.0 }).collect();
            let mut x = Mat::<f64>::zeros(300, 8);
            for r in 0..300 {
                for j in 0..8 {
                    let parents: f64 = (0..j).map(|i| x[(r, i)] * weights[i * 8 + j]).sum();
                    x[(r, j)] = parents + normal.sample(&mut rng);
                }
            }
            let covariance = Covariance::from_data(x.as_ref()).unwrap();
            for share in [0.0005, 0.005, 0.02, 0.1] {
                for j in 1..8 {
                    let price = share * covariance[(j, j)];
                    let candidates: Vec<usize> = (0..j).collect();
                    let fit = stepwise(&covariance, j, &candidates, &vec![false; j], price).unwrap();
                    let base = residual_variance(&covariance, j, &fit.selected);
                    assert!((base - fit.residual_variance).abs() < 1e-9 * covariance[(j, j)]);
                    for &i in &fit.selected {
                        let rest: Vec<usize> = fit.selected.iter().copied().filter(|&p| p != i).collect();
                        assert!(
                            residual_variance(&covariance, j, &rest) - base >= price * (1.0 - 1e-9),
                            "{j}: removing {i}"
                        );
                    }
                    for &i in candidates.iter().filter(|i| !fit.selected.contains(i)) {
                        let more: Vec<usize> = fit.selected.iter().copied().chain([i]).collect();
                        assert!(
                            base - residual_variance(&covariance, j, &more) <= price * (1.0 + 1e-9),
                            "seed {seed} node {j}: adding {i}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn copied_columns_enter_once() {
        let mut x = chain(300);
        let copy = x.col(1).to_owned();
        x.col_mut(3).copy_from(&copy);
        let covariance = Covariance::from_data(x.as_ref()).unwrap();
        let fit = stepwise(&covariance, 2, &[1, 3], &[false; 2], 0.01).unwrap();
        assert_eq!(fit.selected.len(), 1);
        assert!(fit.coefficients[0].is_finite() && (fit.coefficients[0] + 1.5).abs() < 0.1);
        // a required copy still enters, with finite weights
        let both = stepwise(&covariance, 2, &[1, 3], &[true; 2], 0.01).unwrap();
        assert_eq!(sorted(both.selected.clone()), vec![1, 3]);
        assert!(both.coefficients.iter().all(|w| w.is_finite()) && both.residual_variance.is_finite());
    }
}
