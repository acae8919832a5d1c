//! COSMO's final refit (our addition): W fitted exactly to the t → 0 limit of the objective with
//! the learned orientation held.
//!
//! S becomes the hard mask and the loss, now convex in W, is minimised on all rows (not
//! minibatches):
//!   (1/(n d))‖X − XW‖² + λ1‖W‖₁ + λ2‖W‖_F  over the allowed entries, the others 0.
//! The minibatch Adam of the epochs never settles (its graph still changes in the last tenth,
//! while t falls 12-fold); this gives the weights the learned orientation calls for, and a
//! convergence test with a meaning.
//!
//! ‖W‖_F (over the penalised entries: required edges carry no penalty) couples the columns. At
//! W = 0, its kink, the optimality condition is tested directly: W = 0 is the minimiser when
//! G = ‖soft(−∇, λ1)‖ ≤ λ2 there ([`zero_gradient_norm`]). Otherwise the minimiser W* ≠ 0 and,
//! with c = ‖W*‖_F, it is also the minimiser of the same problem with λ2‖W‖_F replaced by the
//! ridge λ2‖W‖²/(2c): the subgradient λ2 W/‖W‖ of the norm is the ridge's gradient there.
//! That problem splits into one elastic net per column ([`ElasticNet`]), solved exactly and in
//! parallel; call its solution W(λ2/c). So c is the root of the scalar equation
//!   f(c) = N(c) − c = 0,   N(c) = ‖W(λ2/c)‖_F,
//! and any root gives a minimiser. N is non-decreasing in c (a larger ridge never gives a larger
//! norm) and N(c)/c non-increasing, from G/λ2 > 1 as c → 0 to 0 as c → ∞; so f > 0 below the
//! root and < 0 above it, and in u = ln c, φ(u) = ln N − u decreases with slope in [−1, 0].
//!
//! [`RootSearch`] finds the root: a secant in u until the root is bracketed, then regula falsi
//! with the Anderson–Björck modification, each step kept within the bounds that every evaluation
//! gives for free (φ(u) > 0 ⇒ the root is ≥ ln N, φ(u) < 0 ⇒ it is ≤ ln N) and, before the
//! bracket, also trying the chord from c = 0, where N(c)/c − 1 → G/λ2 − 1 is known. The
//! fixed-point iteration c ← N(c) (majorise–minimise with the majoriser ‖W‖²/(2c) + c/2) has
//! the same fixed point but crawls when λ2 is just below G: there N(c) ≈ c·G/λ2 and each round
//! gains a factor G/λ2 ≈ 1 (λ2 = 10 on a d = 8 problem: 50 rounds, still 0.14 away). Each
//! evaluation warm-starts the column solves from the previous W; the search stops when
//! |f(c)| ≤ `REFIT_TOL`·c and every column met its optimality conditions.

use super::Settings;
use crate::error::{CoreError, Result};
use crate::graph::Mask;
use crate::progress::Progress;
use crate::regression::{soft_threshold, Covariance, ElasticNet, NodeCovariances, Solution, Stopping};
use faer::{Mat, MatRef};
use rayon::prelude::*;

/// One entry of W the refit may set: row i, column j, its λ1, and whether λ1 and λ2 apply
/// (not for required edges).
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub(super) row: usize,
    pub(super) column: usize,
    pub(super) l1: f64,
    pub(super) penalised: bool,
}

/// Cap on the evaluations of f (each a pass of elastic nets over the columns) in [`refit`].
const REFIT_MAX_EVALUATIONS: usize = 50;
/// Relative tolerance of the refit: of f(c) = ‖W(λ2/c)‖_F − c (|f| ≤ tol·c), and of the
/// optimality conditions within a column.
const REFIT_TOL: f64 = 1e-7;
/// When a column's elastic net stops: at most 20 passes of up to 100 coordinate-descent sweeps
/// and an active-set step each.
const COLUMN_STOPPING: Stopping = Stopping { max_passes: 20, max_sweeps_per_pass: 100, tol: REFIT_TOL };
/// Before the root is bracketed, a step may move ln c by at most this (a factor of 100 in c)
/// beyond the fixed-point step, which never overshoots.
const MAX_EXTRAPOLATION: f64 = 4.605_170_185_988_092;

/// Which entries of each column a pass solves for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entries {
    /// Every allowed entry.
    All,
    /// The required edges alone (the penalised entries held at 0).
    Required,
}

/// What the refit's data term needs of the rows: each column's covariance and weight.
///
/// Observational data: Σ of all rows for every column, weight 2/d, so the data term is
/// (2/d)·½n⁻¹‖X − XW‖² = (2/d)·½ tr((I − W)ᵀΣ(I − W)). Interventional data: column j is fitted on
/// the rows that do not intervene on node j, with Σ⁽ʲ⁾ of those rows (centred on them: node j's
/// intercept) and the weight 2·(n_j/n)/d, so the data term is (2/d)·½n⁻¹ Σ_j Σ_{its rows} r², the
/// limit of the masked minibatch loss.
pub(super) struct Statistics {
    covariances: Vec<Covariance>,
    of_node: Vec<usize>,
    scales: Vec<f64>,
}

impl Statistics {
    /// All rows for every column.
    ///
    /// Errors: `InvalidInput` for X without rows.
    pub(super) fn observational(x: MatRef<'_, f64>) -> Result<Self> {
        let d = x.ncols();
        Ok(Statistics {
            covariances: vec![Covariance::from_data(x)?],
            of_node: vec![0; d],
            scales: vec![2.0 / d as f64; d],
        })
    }

    /// Column j on the rows where `intervened` (row-major n×d) leaves node j alone.
    ///
    /// Errors: `InvalidInput` for a mask of the wrong size or a node intervened on in every row.
    pub(super) fn interventional(x: MatRef<'_, f64>, intervened: &Mask) -> Result<Self> {
        let d = x.ncols();
        let node = NodeCovariances::new(x, intervened)?;
        let covariances = node.matrices.iter().map(|m| Covariance::from_matrix(m.as_ref())).collect::<Result<_>>()?;
        let scales = (0..d).map(|j| 2.0 * node.share(j) / d as f64).collect();
        Ok(Statistics { covariances, of_node: node.of_node, scales })
    }

    /// Either of the above, as `intervened` says.
    ///
    /// Errors: those of [`observational`](Self::observational) and [`interventional`](Self::interventional).
    pub(super) fn new(x: MatRef<'_, f64>, intervened: Option<&Mask>) -> Result<Self> {
        match intervened {
            None => Self::observational(x),
            Some(mask) => Self::interventional(x, mask),
        }
    }

    /// The number of columns d.
    fn dim(&self) -> usize {
        self.of_node.len()
    }

    /// Column j's covariance.
    fn covariance(&self, j: usize) -> &Covariance {
        &self.covariances[self.of_node[j]]
    }
}

/// The refit's problem: the data's statistics and the allowed entries by column.
struct Problem<'a> {
    statistics: &'a Statistics,
    parents: Vec<Vec<Entry>>,
}

impl<'a> Problem<'a> {
    fn new(statistics: &'a Statistics, allowed: &[Entry]) -> Self {
        let mut parents: Vec<Vec<Entry>> = vec![Vec::new(); statistics.dim()];
        for entry in allowed {
            parents[entry.column].push(*entry);
        }
        Problem { statistics, parents }
    }

    /// One pass: every column's elastic net with `ridge` on its penalised entries, warm-started
    /// from `w`; the new W and whether every column met its optimality conditions.
    ///
    /// Errors: `Cancelled`.
    fn solve_columns(
        &self,
        w: &Mat<f64>,
        ridge: f64,
        which: Entries,
        progress: &mut dyn Progress,
    ) -> Result<(Mat<f64>, bool)> {
        let d = self.parents.len();
        // Columns in parallel, a few per thread at a time, so that a Ctrl-C is seen within a
        // fraction of a second even at d = 1000 (each column is solved alone: the result does
        // not depend on the threads).
        let chunk = 4 * rayon::current_num_threads().max(2);
        let mut next = Mat::<f64>::zeros(d, d);
        let mut settled = true;
        for first in (0..d).step_by(chunk) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let columns = first..(first + chunk).min(d);
            let solved: Result<Vec<(Vec<Entry>, Solution)>> = columns
                .into_par_iter()
                .map(|j| {
                    let entries: Vec<Entry> =
                        self.parents[j].iter().filter(|e| which == Entries::All || !e.penalised).copied().collect();
                    let warm: Vec<f64> = entries.iter().map(|e| w[(e.row, j)]).collect();
                    let (covariance, scale) = (self.statistics.covariance(j), self.statistics.scales[j]);
                    let solution = solve_column(covariance, j, &entries, warm, scale, ridge)?;
                    Ok((entries, solution))
                })
                .collect();
            for (entries, solution) in solved? {
                settled &= solution.optimal;
                for (e, v) in entries.iter().zip(solution.coefficients) {
                    next[(e.row, e.column)] = v;
                }
            }
        }
        Ok((next, settled))
    }

    /// W = 0 on the penalised entries with the required edges fitted alone (from their values
    /// in `start`), whether those fits settled, and G of [`zero_gradient_norm`] there: that W is
    /// the minimiser when G ≤ λ2 (the optimality condition at the kink).
    ///
    /// Errors: `Cancelled`.
    fn at_zero(&self, start: &Mat<f64>, progress: &mut dyn Progress) -> Result<(Mat<f64>, bool, f64)> {
        let d = self.parents.len();
        let mut required_start = Mat::<f64>::zeros(d, d);
        for e in self.parents.iter().flatten().filter(|e| !e.penalised) {
            required_start[(e.row, e.column)] = start[(e.row, e.column)];
        }
        let (zero, settled) = self.solve_columns(&required_start, 0.0, Entries::Required, progress)?;
        let gradient = zero_gradient_norm(self.statistics, &self.parents, &zero);
        Ok((zero, settled, gradient))
    }
}

/// Whether the refit's problem on the `allowed` entries has its minimiser at W = 0 on the
/// penalised entries (the required edges fitted alone). Over every entry the prior allows, this
/// holds for every orientation too: the test's G over fewer entries is no larger.
///
/// Errors: `Cancelled`.
pub(super) fn zero_is_optimal(
    statistics: &Statistics,
    allowed: &[Entry],
    config: &Settings,
    progress: &mut dyn Progress,
) -> Result<bool> {
    let problem = Problem::new(statistics, allowed);
    let d = statistics.dim();
    let (_, _, gradient) = problem.at_zero(&Mat::zeros(d, d), progress)?;
    Ok(gradient <= config.lambda2)
}

/// Minimises the t → 0 objective (see the module docs) on the data's `statistics` over the
/// `allowed` entries, from the annealed weights `start`. Returns W, whether the refit settled
/// (every column's elastic net optimal and |f(c)| ≤ `REFIT_TOL`·c, or W = 0 optimal for the
/// penalised entries) and the passes over the columns: the evaluations of f, or 1 when W = 0 is
/// optimal (the fit of the required edges alone that the test of W = 0 needs is not counted
/// otherwise).
///
/// Errors: `Cancelled`.
pub(super) fn refit(
    statistics: &Statistics,
    start: &Mat<f64>,
    allowed: &[Entry],
    config: &Settings,
    progress: &mut dyn Progress,
) -> Result<(Mat<f64>, bool, usize)> {
    let d = statistics.dim();
    let problem = Problem::new(statistics, allowed);
    // ‖W‖_F over the penalised entries (required edges are not penalised), safe from underflow.
    let penalised_norm =
        |w: &Mat<f64>| scaled_norm(allowed.iter().filter(|e| e.penalised).map(|e| w[(e.row, e.column)]));
    let solve_columns =
        |w: &Mat<f64>, ridge: f64, progress: &mut dyn Progress| problem.solve_columns(w, ridge, Entries::All, progress);

    // W = 0 on the penalised entries, the required edges fitted alone: the minimiser when the
    // optimality condition at the kink holds (G ≤ λ2).
    let (zero, zero_settled, gradient) = problem.at_zero(start, progress)?;
    if gradient <= config.lambda2 {
        return Ok((zero, zero_settled, 1));
    }

    let mut w = Mat::<f64>::zeros(d, d);
    for e in allowed {
        w[(e.row, e.column)] = start[(e.row, e.column)];
    }
    let mut evaluations = 0;
    if config.lambda2 == 0.0 {
        // No coupling: one pass of lassos.
        let (solved, settled) = solve_columns(&w, 0.0, progress)?;
        return Ok((solved, settled, 1));
    }
    let mut search = RootSearch::new(config.lambda2, gradient);
    let mut c = penalised_norm(&w);
    if !(c > 0.0 && c.is_finite()) {
        // No usable start (W = 0 on the penalised entries): the ridge 0 gives N(∞), an upper
        // bound on the root (N never exceeds it), where the search starts.
        let (solved, settled) = solve_columns(&w, 0.0, progress)?;
        evaluations += 1;
        w = solved;
        c = penalised_norm(&w);
        if !(settled && c > 0.0 && c.is_finite()) {
            return Ok((w, false, evaluations));
        }
        search.bound_above(c);
    }
    let mut converged = false;
    while evaluations < REFIT_MAX_EVALUATIONS {
        let (solved, settled) = solve_columns(&w, config.lambda2 / c, progress)?;
        evaluations += 1;
        w = solved;
        if !settled {
            break; // more evaluations do not help a column that cannot be solved (e.g. a singular one)
        }
        let norm = penalised_norm(&w);
        if (norm - c).abs() <= REFIT_TOL * c {
            converged = true;
            break;
        }
        match search.next(c, norm) {
            Some(next) => c = next,
            None => break, // the bracket collapsed without |f| ≤ tol·c: inexact column solves
        }
    }
    Ok((w, converged, evaluations))
}

/// The root of f(c) = N(c) − c, searched in u = ln c on φ(u) = ln N − u (see the module docs):
/// a point is a pair (u, φ).
#[derive(Debug, Clone)]
struct RootSearch {
    /// G/λ2 − 1 > 0: the limit of N(c)/c − 1 as c → 0.
    at_zero: f64,
    /// The smallest u tried, so that the ridge λ2/c stays finite.
    floor: f64,
    /// Bounds on the root's u from the evaluations (the fixed-point step never overshoots): the
    /// largest ln N(c) of the points with φ > 0, the smallest of those with φ < 0.
    lower: f64,
    upper: f64,
    /// The latest evaluation and the one before it (for the secant before the bracket).
    latest: Option<(f64, f64)>,
    previous: Option<(f64, f64)>,
    /// Once the root is bracketed: the latest endpoint and the retained one, whose φ the
    /// Anderson–Björck rule scales down each time it is retained again.
    bracket: Option<((f64, f64), (f64, f64))>,
}

impl RootSearch {
    fn new(lambda2: f64, gradient: f64) -> Self {
        RootSearch {
            at_zero: gradient / lambda2 - 1.0,
            floor: libm::log(lambda2) - libm::log(f64::MAX) + 1.0,
            lower: f64::NEG_INFINITY,
            upper: f64::INFINITY,
            latest: None,
            previous: None,
            bracket: None,
        }
    }

    /// The root is at most `c`.
    fn bound_above(&mut self, c: f64) {
        self.upper = self.upper.min(libm::log(c));
    }

    /// Records f at c (through N(c) = `norm`) and returns the next c to evaluate, or None when
    /// no c is left between the bracket's ends (or N(c) is 0, which only rounding allows).
    fn next(&mut self, c: f64, norm: f64) -> Option<f64> {
        if !(norm > 0.0 && norm.is_finite()) {
            return None;
        }
        let u = libm::log(c);
        let image = libm::log(norm); // the fixed-point step's u
        let phi = image - u;
        if phi > 0.0 {
            self.lower = self.lower.max(image);
        } else {
            self.upper = self.upper.min(image);
        }
        let point = (u, phi);
        self.bracket = match (self.bracket, self.latest) {
            (Some((newest, _)), _) if (phi > 0.0) != (newest.1 > 0.0) => Some((point, newest)),
            (Some((newest, retained)), _) => {
                let m = 1.0 - phi / newest.1;
                let m = if m > 0.0 { m } else { 0.5 };
                Some((point, (retained.0, m * retained.1)))
            }
            (None, Some(latest)) if (phi > 0.0) != (latest.1 > 0.0) => Some((point, latest)),
            (None, _) => None,
        };
        self.previous = self.latest.replace(point);
        let candidate = match (self.bracket, self.previous) {
            // regula falsi between the ends (φ of opposite signs)
            (Some((newest, retained)), _) => newest.0 - newest.1 * (newest.0 - retained.0) / (newest.1 - retained.1),
            (None, previous) => self.extrapolate(point, previous),
        };
        // within the free bounds (unless rounding made them cross), strictly inside the bracket
        let mut next = if self.lower <= self.upper { candidate.clamp(self.lower, self.upper) } else { candidate };
        if let Some(((a, _), (b, _))) = self.bracket {
            let (low, high) = (a.min(b), a.max(b));
            if !(next > low && next < high) {
                next = 0.5 * (low + high);
                if !(next > low && next < high) {
                    return None;
                }
            }
        }
        let next = next.max(self.floor);
        (next != u && next.is_finite()).then(|| libm::exp(next))
    }

    /// The next u before the root is bracketed, from `point` (and the evaluation before it, on
    /// the same side): the most hopeful of the secant in u (the fixed-point step when there is
    /// no secant or its slope is not negative) and the chord in c from (0, G/λ2 − 1), moving at
    /// most `MAX_EXTRAPOLATION` beyond the fixed-point step.
    fn extrapolate(&self, point: (f64, f64), previous: Option<(f64, f64)>) -> f64 {
        let (u, phi) = point;
        let secant = previous
            .map(|(u0, phi0)| (phi - phi0) / (u - u0))
            .filter(|slope| *slope < 0.0 && slope.is_finite())
            .map_or(u + phi, |slope| u - phi / slope);
        // h(c) = N(c)/c − 1 between (0, at_zero) and (c, h): its root is c·at_zero/(at_zero − h).
        let h = libm::expm1(phi);
        let chord = u + libm::log(self.at_zero / (self.at_zero - h));
        let reach = phi.abs().max(MAX_EXTRAPOLATION);
        let (best, limit) = if phi > 0.0 {
            (secant.max(if chord.is_finite() { chord } else { secant }), u + reach)
        } else {
            (secant.min(if chord.is_finite() { chord } else { secant }), u - reach)
        };
        if phi > 0.0 {
            best.min(limit)
        } else {
            best.max(limit)
        }
    }
}

/// The elastic net of column j on its allowed `entries`, from `warm`: λ1 per entry, and `ridge`
/// (λ2/c, standing in for λ2‖W‖_F) on the penalised entries.
fn solve_column(
    covariance: &Covariance,
    j: usize,
    entries: &[Entry],
    warm: Vec<f64>,
    scale: f64,
    ridge: f64,
) -> Result<Solution> {
    let rows: Vec<usize> = entries.iter().map(|e| e.row).collect();
    let l1: Vec<f64> = entries.iter().map(|e| e.l1).collect();
    let ridges: Vec<f64> = entries.iter().map(|e| if e.penalised { ridge } else { 0.0 }).collect();
    ElasticNet::new(covariance, j, &rows, &l1, &ridges, scale)?.solve(warm, &COLUMN_STOPPING)
}

/// The Euclidean norm of `values` without underflow or overflow (scaled by the largest |value|).
fn scaled_norm(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let largest = values.clone().fold(0.0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 || !largest.is_finite() {
        return largest;
    }
    largest * values.map(|v| (v / largest) * (v / largest)).sum::<f64>().sqrt()
}

/// G = ‖soft(−∇, λ1)‖ over the penalised entries, the gradient ∇ of the data term taken with
/// every penalised entry at 0 and the required ones as in `w`: with the required edges fitted,
/// W is the minimiser exactly when G ≤ λ2 (the optimality condition at the kink of λ2‖W‖_F), and
/// otherwise G/λ2 is the limit of N(c)/c as c → 0 (see the module docs).
fn zero_gradient_norm(statistics: &Statistics, parents: &[Vec<Entry>], w: &Mat<f64>) -> f64 {
    let gradients = parents.iter().enumerate().flat_map(|(j, p)| {
        let (covariance, scale) = (statistics.covariance(j), statistics.scales[j]);
        p.iter().filter(|e| e.penalised).map(move |e| {
            // −∂/∂W_ij of the data term with the penalised entries at 0
            let fitted: f64 =
                p.iter().filter(|r| !r.penalised).map(|r| covariance[(e.row, r.row)] * w[(r.row, j)]).sum();
            soft_threshold(scale * (covariance[(e.row, j)] - fitted), e.l1)
        })
    });
    scaled_norm(gradients)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::cosmo::tests::{config, data};
    use crate::progress::Silent;

    /// The entries above the diagonal of a d×d W, column-major, with `l1`; those in `required`
    /// unpenalised (λ1 = 0, as the learner sets them).
    fn upper_entries(d: usize, l1: f64, required: &[(usize, usize)]) -> Vec<Entry> {
        (0..d * d)
            .filter(|&k| k % d < k / d)
            .map(|k| {
                let (row, column) = (k % d, k / d);
                let penalised = !required.contains(&(row, column));
                Entry { row, column, l1: if penalised { l1 } else { 0.0 }, penalised }
            })
            .collect()
    }

    fn observed(x: &Mat<f64>) -> Statistics {
        Statistics::observational(x.as_ref()).unwrap()
    }

    /// The subgradient conditions of (2/d)·½n⁻¹‖X − XW‖² + λ1‖W‖₁ + λ2‖W‖_F (the penalties on the
    /// penalised entries only) at `w`, within 1e-6; entries outside `entries` must be 0. Returns
    /// the number of nonzero penalised entries.
    fn assert_optimal(x: &Mat<f64>, w: &Mat<f64>, entries: &[Entry], lambda2: f64) -> usize {
        assert_optimal_on(&observed(x), w, entries, lambda2)
    }

    /// [`assert_optimal`] for the data term of `statistics` (per column: its Σ and weight).
    fn assert_optimal_on(statistics: &Statistics, w: &Mat<f64>, entries: &[Entry], lambda2: f64) -> usize {
        let d = statistics.dim();
        let norm = scaled_norm(entries.iter().filter(|e| e.penalised).map(|e| w[(e.row, e.column)]));
        // minus the data term's gradient
        let g = |i: usize, j: usize| {
            let (sigma, scale) = (statistics.covariance(j), statistics.scales[j]);
            scale * (sigma[(i, j)] - (0..d).map(|m| sigma[(i, m)] * w[(m, j)]).sum::<f64>())
        };
        let mut nonzero = 0;
        let mut kink = Vec::new();
        for e in entries {
            let (i, j, v) = (e.row, e.column, w[(e.row, e.column)]);
            if !e.penalised {
                assert!(g(i, j).abs() < 1e-6, "required ({i},{j}): {}", g(i, j));
            } else if norm == 0.0 {
                kink.push(soft_threshold(g(i, j), e.l1));
            } else if v != 0.0 {
                nonzero += 1;
                let r = g(i, j) - lambda2 * v / norm - e.l1 * v.signum();
                assert!(r.abs() < 1e-6, "({i},{j}): {r}");
            } else {
                let r = g(i, j);
                assert!(r.abs() <= e.l1 + 1e-6, "({i},{j}): {r}");
            }
        }
        // at W_P = 0 the subdifferential of λ2‖W_P‖ is the ball of radius λ2
        assert!(scaled_norm(kink.into_iter()) <= lambda2 * (1.0 + 1e-9));
        let outside = (0..d * d).filter(|&k| !entries.iter().any(|e| e.row == k % d && e.column == k / d));
        assert!(outside.into_iter().all(|k| w[(k % d, k / d)] == 0.0));
        nonzero
    }

    /// G of the test of W = 0 for `entries` (the required ones fitted alone).
    fn kink_gradient(x: &Mat<f64>, entries: &[Entry], cfg: &Settings) -> f64 {
        let d = x.ncols();
        let mut parents: Vec<Vec<Entry>> = vec![Vec::new(); d];
        entries.iter().for_each(|e| parents[e.column].push(*e));
        // the refit with a λ2 no gradient reaches returns W = 0 with the required edges fitted
        let huge = Settings { lambda2: f64::MAX, ..cfg.clone() };
        let (zero, converged, rounds) = refit(&observed(x), &Mat::zeros(d, d), entries, &huge, &mut Silent).unwrap();
        assert!(converged && rounds == 1);
        zero_gradient_norm(&observed(x), &parents, &zero)
    }

    #[test]
    fn refit_meets_the_optimality_conditions() {
        // The t → 0 objective on the upper triangle: at the refit's answer every allowed entry
        // satisfies the subgradient conditions of (2/d)·½n⁻¹‖X − XW‖² + λ1‖W‖₁ + λ2‖W‖_F.
        let (n, d) = (400, 6);
        let x = data(n, d, 5);
        let cfg = Settings { lambda1: 0.02, lambda2: 0.05, ..config() };
        let entries = upper_entries(d, cfg.lambda1, &[]);
        let (w, converged, rounds) = refit(&observed(&x), &Mat::zeros(d, d), &entries, &cfg, &mut Silent).unwrap();
        assert!(converged && (1..=8).contains(&rounds), "{rounds}");
        let nonzero = assert_optimal(&x, &w, &entries, cfg.lambda2);
        // the chain's edges are found, and λ1 zeroes some of the rest
        assert!((1..d).all(|j| w[(j - 1, j)] > 0.5));
        assert!(nonzero < entries.len());
        // from a start near the answer as from W = 0 (the epochs' weights)
        let (again, converged, _) = refit(&observed(&x), &w, &entries, &cfg, &mut Silent).unwrap();
        assert!(converged);
        assert_optimal(&x, &again, &entries, cfg.lambda2);
    }

    #[test]
    fn a_large_lambda2_just_below_the_kink_converges_quickly() {
        // λ2 just below G: the minimiser is W ≠ 0 with a tiny norm. The fixed-point iteration
        // c ← ‖W(λ2/c)‖ gains a factor G/λ2 per round there (it ran out of its 50 rounds); the
        // root search needs a handful of evaluations. Just above G, W = 0 in one round.
        let (n, d) = (400, 6);
        let x = data(n, d, 5);
        for required in [vec![], vec![(0, 3), (2, 5)]] {
            let cfg = Settings { lambda1: 0.02, ..config() };
            let entries = upper_entries(d, cfg.lambda1, &required);
            let g = kink_gradient(&x, &entries, &cfg);
            let start = Mat::from_fn(d, d, |i, j| if i < j { 0.3 } else { 0.0 });
            for fraction in [0.5, 0.9, 0.99, 0.999, 0.99999] {
                let cfg = Settings { lambda2: fraction * g, ..cfg.clone() };
                for from in [&Mat::zeros(d, d), &start] {
                    let (w, converged, rounds) = refit(&observed(&x), from, &entries, &cfg, &mut Silent).unwrap();
                    assert!(converged && rounds <= 12, "λ2 = {fraction}·G, {required:?}: {converged} {rounds}");
                    let nonzero = assert_optimal(&x, &w, &entries, cfg.lambda2);
                    assert!(nonzero > 0);
                }
            }
            let cfg = Settings { lambda2: 1.001 * g, ..cfg.clone() };
            let (w, converged, rounds) = refit(&observed(&x), &start, &entries, &cfg, &mut Silent).unwrap();
            assert!(converged && rounds == 1);
            assert_eq!(assert_optimal(&x, &w, &entries, cfg.lambda2), 0);
            assert!(required.iter().all(|&(i, j)| w[(i, j)] != 0.0));
        }
    }

    #[test]
    fn the_refit_does_not_depend_on_the_threads() {
        let (n, d) = (300, 40);
        let x = data(n, d, 7);
        let cfg = Settings { lambda1: 0.01, lambda2: 0.05, ..config() };
        let entries = upper_entries(d, cfg.lambda1, &[(0, 5)]);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| refit(&observed(&x), &Mat::zeros(d, d), &entries, &cfg, &mut Silent).unwrap())
        };
        let (one, two) = (run(1), run(2));
        assert!(one.1 && one.2 == two.2 && one.1 == two.1);
        assert!((0..d).all(|j| (0..d).all(|i| one.0[(i, j)].to_bits() == two.0[(i, j)].to_bits())));
    }

    #[test]
    fn the_interventional_refit_fits_each_column_on_its_rows() {
        // Rows 200.. set node 2 (to a shifted value) and rows 100..200 node 0: the refit meets the
        // optimality conditions of (2/d)·½n⁻¹ Σ_j Σ_{rows of j} r² + penalties, whose Σ⁽ʲ⁾ and
        // weights n_j/n are those of the rows, and it differs from the observational refit.
        let (n, d) = (300, 5);
        let mut x = data(n, d, 11);
        let mask: Mask =
            (0..n * d).map(|k| (k / d >= 200 && k % d == 2) || ((100..200).contains(&(k / d)) && k % d == 0)).collect();
        for r in 200..n {
            x[(r, 2)] = 3.0 + 0.1 * (r % 7) as f64;
        }
        let statistics = Statistics::interventional(x.as_ref(), &mask).unwrap();
        assert_eq!(statistics.scales[2], 2.0 * (200.0 / 300.0) / d as f64);
        let cfg = Settings { lambda1: 0.01, lambda2: 0.05, ..config() };
        let entries = upper_entries(d, cfg.lambda1, &[(0, 4)]);
        let (w, converged, _) = refit(&statistics, &Mat::zeros(d, d), &entries, &cfg, &mut Silent).unwrap();
        assert!(converged);
        assert!(assert_optimal_on(&statistics, &w, &entries, cfg.lambda2) > 0);
        // column 2 on its 200 rows recovers the chain's edge 1 → 2
        assert!(w[(1, 2)] > 0.5, "{}", w[(1, 2)]);
        let (pooled, _, _) = refit(&observed(&x), &Mat::zeros(d, d), &entries, &cfg, &mut Silent).unwrap();
        assert!((pooled[(1, 2)] - w[(1, 2)]).abs() > 0.1);
        let everywhere: Mask = (0..n * d).map(|k| k % d == 1).collect();
        assert!(Statistics::interventional(x.as_ref(), &everywhere).is_err());
    }
}
