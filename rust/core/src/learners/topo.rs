//! TOPO: search over topological orders by swapping pairs of nodes (Deng, Bello, Aragam,
//! Ravikumar, "Optimizing NOTEARS Objectives via Topological Swaps", ICML 2023), for the
//! least-squares score.
//!
//! Inner level: given an order π, every node is regressed by least squares on all the nodes
//! before it. With Σ the covariance of the centred data and Σ_ππ = L Lᵀ (Cholesky, rows in the
//! order π), the residual variance of the node at position r is L_rr², so the score of π is
//!   Q(π) = ½ Σ_r L_rr² = 1/(2n) ‖X − X W_π‖²,
//! and the regression coefficients come from triangular solves with L.
//!
//! Outer level: a swap exchanges the nodes at positions a < b. Only rows a..=b of L change (the
//! later nodes keep the same set of predecessors), so a candidate costs O((b − a)·d²), not a
//! refit. Candidates are ranked by the total weight of the directed paths from the earlier node
//! to the later one, N = (I − |W|)⁻¹ (the acyclicity gradient TOPO uses): swapping a pair with
//! few and light paths between them breaks little. The `size_small` best are tried first, the
//! next ones up to `size_large` once when none of those improves (`n_large_searches`); all
//! improving swaps whose position intervals do not overlap are applied together (their score
//! changes add up), and the search stops when no candidate improves or after `max_iter` rounds.
//!
//! Ties (equal path weights, equal scores) are broken by node index and candidates are scored
//! independently, so the result does not depend on the number of threads.
//!
//! Interventional data: node j is regressed on the rows that leave it alone, i.e. on its own
//! covariance Σ⁽ʲ⁾ ([`NodeCovariances`](crate::regression::NodeCovariances)), weighted by its share of the rows. Each distinct Σ
//! keeps its own prefix factor of the current order, so a swap recomputes rows a..=b of every
//! factor a node in a..=b uses: with single-node targets on every node the cost of a candidate
//! grows by up to (b − a + 1).
//!
//! Criteria (the `criterion` setting): "l2" is the published TOPO's ½ Σ_j s_j σ̂_j² (residual variances σ̂², row shares
//! s_j; equal noise variances); "nll" is the Gaussian negative log-likelihood with a noise
//! variance per node, ½ Σ_j s_j log σ̂_j² (per row, constants dropped), which does not depend on
//! the columns' scales: the interventional score of GIES (Hauser & Bühlmann, JMLR 2012) without
//! its penalty. "auto" is "l2" on observational data, "nll" on interventional data.
//!
//! Prior knowledge: a node with a forbidden parent among its predecessors is regressed on the
//! allowed ones only (its own Cholesky factor; the prefix factor still serves every other
//! node), so forbidden weights are exactly 0. Required edges i → j keep i before j: the starting
//! order is made compatible (Kahn's algorithm, preferring the given order) and swaps that would
//! reverse a required pair are never candidates; required edges survive the threshold.

use crate::canonical::Permutation;
use crate::error::{CoreError, Result};
use crate::graph::{order_respecting, threshold, Mask};
use crate::learners::params::Auto;
use crate::learners::params::{check_count, check_number, MAX_COUNT};
use crate::learners::{Data, Fitted, Learner, Prior, Value};
use crate::loss::Loss;
use crate::progress::{Progress, Status};
use crate::regression::{bordered_row, least_squares, stabilising_ridge, stepwise, Cholesky, Covariance};
use crate::simulate::random::Random;
use crate::sortability::{ascending, r2_scores, variances};
use faer::{Mat, MatRef};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use smart_default::SmartDefault;

/// Where the search starts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Init {
    /// "var": increasing marginal variance (roots first); "r2": increasing R² of each variable
    /// on all the others (scale-invariant); "random": a permutation drawn from `seed`.
    Named(InitName),
    /// An explicit order (a permutation of 0..d, roots first).
    Order(Vec<usize>),
}

/// The named starting orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitName {
    Var,
    R2,
    Random,
}

impl<'de> Deserialize<'de> for Init {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Named(InitName),
            Order(Vec<usize>),
        }
        match Raw::deserialize(deserializer) {
            Ok(Raw::Named(name)) => Ok(Init::Named(name)),
            Ok(Raw::Order(order)) => Ok(Init::Order(order)),
            Err(_) => Err(serde::de::Error::custom(
                "expected \"var\", \"r2\", \"random\" or an order (a permutation of the column indices)",
            )),
        }
    }
}

impl Init {
    /// The starting order for the covariance `sigma`.
    fn order(&self, sigma: MatRef<'_, f64>, seed: u64) -> Vec<usize> {
        match self {
            Init::Named(InitName::Var) => ascending(&variances(sigma)),
            Init::Named(InitName::R2) => ascending(&r2_scores(sigma)),
            Init::Named(InitName::Random) => {
                let mut order: Vec<usize> = (0..sigma.nrows()).collect();
                order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
                order
            }
            Init::Order(order) => order.clone(),
        }
    }
}

/// What an order is scored by (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Score {
    /// ½ Σ_j s_j σ̂_j²: least squares, equal noise variances (the published TOPO).
    L2,
    /// ½ Σ_j s_j log σ̂_j²: Gaussian likelihood with a noise variance per node.
    Nll,
}

impl Score {
    /// Node j's term from its share of the rows and its residual variance.
    fn term(self, share: f64, residual: f64) -> f64 {
        match self {
            Score::L2 => share * residual,
            Score::Nll => share * libm::log(residual),
        }
    }
}

/// How the final graph keeps the edges of the order's full regressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prune {
    /// Drop |w| < `w_threshold`, refit the rest (the published TOPO).
    Threshold,
    /// Per node, the predecessors chosen by BIC (Schwarz 1978) with the noise variance of the
    /// regression on all of them: stepwise selection at a price of σ̂² log(n_j)/n_j per parent
    /// (n_j the node's rows). Scale-invariant; `w_threshold` is not used.
    Bic,
}

/// Settings of [`fit`].
#[derive(Debug, Clone, Serialize, Deserialize, SmartDefault)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The starting topological order (default "var"). Made compatible with `required` if it is
    /// not.
    #[default(Init::Named(InitName::Var))]
    pub init: Init,
    /// Candidates tried first per round; `None`: ⌊1.5 d⌋ (capped at d(d−1)/2).
    pub size_small: Option<usize>,
    /// Candidates of the larger search; `None`: ⌊√d (d−1) log₁₀ d⌋, at least `size_small`.
    pub size_large: Option<usize>,
    /// How many rounds may fall back on the larger candidate set; `None`: every round whose
    /// small set fails (the reference allows 1).
    pub n_large_searches: Option<usize>,
    /// |w| below this is dropped at the end (default 0.3).
    #[default(0.3)]
    pub w_threshold: f64,
    /// Cap on swap rounds (default 1000).
    #[default(1000)]
    pub max_iter: usize,
    /// Seed of `init = "random"`.
    pub seed: u64,
    /// The score of an order (default "auto": "l2" on observational data, "nll" with
    /// interventions).
    pub criterion: Auto<Score>,
    /// How edges are kept (default "auto": "threshold" with the "l2" criterion, "bic" with "nll").
    pub prune: Auto<Prune>,
    /// Local searches, the best score kept (default "auto": 1 with the "l2" criterion, 6 with
    /// "nll"): from `init`, then from the "r2" order (or "var" when `init` is "r2"), then from
    /// random orders of a fixed stream (so that the fit does not depend on `seed`).
    pub n_restarts: Auto<usize>,
}

impl Learner for Config {
    const NAME: &'static str = "topo";

    fn validate(&self) -> Result<()> {
        check_number("w_threshold", self.w_threshold, 0.0, false)?;
        check_count("max_iter", self.max_iter, 1, MAX_COUNT)?;
        if let Auto::Value(n) = self.n_restarts {
            check_count("n_restarts", n, 1, MAX_COUNT)?;
        }
        if let (Some(small), Some(large)) = (self.size_small, self.size_large) {
            if large < small {
                return Err(CoreError::InvalidParameter(format!(
                    "size_large ({large}) must be >= size_small ({small})"
                )));
            }
        }
        Ok(())
    }

    fn reordered(&self, perm: &Permutation) -> Self {
        match &self.init {
            // an explicit order names input columns: name the same columns in the fit's order
            // (an invalid one is left for the fit to report as given)
            Init::Order(order) if is_permutation(order, perm.len()) => {
                Config { init: Init::Order(perm.canonical_indices(order)), ..self.clone() }
            }
            _ => self.clone(),
        }
    }

    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
        let fit = fit(&data.least_squares()?, data.n_rows(), self, prior, progress)?;
        let fitted = Fitted::new(fit.raw_weights, fit.weights, prior, fit.n_iter, fit.converged, fit.history)?;
        Ok(fitted.with("order", Value::Nodes(fit.order)).with("n_evals", fit.n_evals).with("ridge", fit.ridge))
    }
}

/// What [`fit`] returns.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Least-squares coefficients of every node on all its allowed predecessors in `order`.
    pub raw_weights: Mat<f64>,
    /// `raw_weights` without entries below `w_threshold` (required ones kept), the kept ones
    /// refit by least squares on the kept parents: a DAG (its support follows `order`).
    pub weights: Mat<f64>,
    /// The final topological order.
    pub order: Vec<usize>,
    /// The score (with the ridge, if any) after each round, the start first.
    pub history: Vec<f64>,
    /// Rounds that applied swaps.
    pub n_iter: usize,
    /// Candidate swaps scored.
    pub n_evals: usize,
    /// True when a round found no improving swap (false: stopped by `max_iter`).
    pub converged: bool,
    /// The ridge added to Σ's diagonal (0 unless Σ was singular or nearly so; the largest over
    /// the per-node Σ⁽ʲ⁾ of interventional data).
    pub ridge: f64,
}

/// The reference's candidate-set sizes for d nodes: (small, large).
pub fn default_sizes(d: usize) -> (usize, usize) {
    let pairs = d * d.saturating_sub(1) / 2;
    let small = (3 * d / 2).min(pairs);
    let df = d as f64;
    let large = (df.sqrt() * (df - 1.0) * libm::log10(df)).floor().max(0.0) as usize;
    (small, large.max(small).min(pairs))
}

/// Fits TOPO to the least-squares loss from the given starting order, under `prior`: a node is
/// never regressed on a forbidden parent; for a required edge i → j, i stays before j and the
/// edge survives the threshold.
///
/// Errors: `InvalidParameter` for a loss other than least squares, an order that is not a
/// permutation of 0..d, a negative or NaN `w_threshold`, `max_iter` = 0, `size_large` <
/// `size_small`, or required edges that form a cycle; `InvalidInput` for a prior that fails
/// [`Prior::check`] (masks of the wrong size, an edge both forbidden and required); `Cancelled`.
pub fn fit(loss: &Loss, n: usize, config: &Config, prior: &Prior, progress: &mut dyn Progress) -> Result<Fit> {
    let (pooled, covariances, of_node, rows, default_score) = match loss {
        Loss::LeastSquares { sigma } => (sigma, vec![sigma], vec![0; sigma.nrows()], vec![n; sigma.nrows()], Score::L2),
        Loss::LeastSquaresPerNode { covariances: node } => {
            (&node.pooled, node.matrices.iter().collect(), node.of_node.clone(), node.rows_of_node.clone(), Score::Nll)
        }
        _ => return Err(CoreError::InvalidParameter("TOPO supports the least-squares loss (\"l2\") only".into())),
    };
    let d = pooled.nrows();
    config.validate()?;
    prior.check(d)?;
    let (default_small, default_large) = default_sizes(d);
    let size_small = config.size_small.unwrap_or(default_small);
    let size_large = config.size_large.unwrap_or(default_large.max(size_small));
    let mut ridge: f64 = 0.0;
    let mut stabilised = Vec::with_capacity(covariances.len());
    for sigma in covariances {
        let covariance = Covariance::from_matrix(sigma.as_ref())?;
        let added = stabilising_ridge(&covariance);
        ridge = ridge.max(added);
        stabilised.push(covariance.with_ridge(added));
    }
    let score = config.criterion.resolve(|| default_score);
    let shares = rows.iter().map(|&r| r as f64 / n.max(1) as f64).collect();
    let scorer = Scorer { covariances: stabilised, of_node, shares, score, forbidden: prior.forbidden.clone() };
    let required = prior.required.as_ref();

    let search = Search { scorer: &scorer, required, size_small, size_large, config };
    let first = config.init.order(pooled.as_ref(), config.seed);
    check_permutation(&first, d)?;
    let n_restarts = config.n_restarts.resolve(|| if score == Score::Nll { NLL_RESTARTS } else { 1 });
    // a fixed stream: the fit does not depend on `seed` unless `init` is "random"
    let mut random = Random::new(RESTART_SEED);
    let mut best: Option<Searched> = None;
    let (mut n_iter, mut n_evals) = (0, 0);
    for k in 0..n_restarts {
        let start = match k {
            0 => first.clone(),
            1 if config.init != Init::Named(InitName::R2) => Init::Named(InitName::R2).order(pooled.as_ref(), 0),
            1 => Init::Named(InitName::Var).order(pooled.as_ref(), 0),
            _ => random.permutation(d),
        };
        let searched = search.run(&start, n_iter, progress)?;
        n_iter += searched.n_iter;
        n_evals += searched.n_evals;
        // the best score wins; ties go to the earlier start
        if best.as_ref().is_none_or(|b| searched.factor.score() < b.factor.score()) {
            best = Some(searched);
        }
    }
    let Searched { order, factor, history, converged, .. } = best.expect("n_restarts >= 1");
    let raw_weights = to_matrix(&scorer.coefficients(&factor, &order), &order);
    let prune = config.prune.resolve(|| if score == Score::Nll { Prune::Bic } else { Prune::Threshold });
    let weights = match prune {
        Prune::Threshold => scorer.refit(&threshold(raw_weights.as_ref(), config.w_threshold, required), required),
        Prune::Bic => scorer.select_by_bic(&order, &rows, required)?,
    };
    Ok(Fit { raw_weights, weights, order, history, n_iter, n_evals, converged, ridge })
}

/// Starts of the "nll" score by default: the likelihood has more local optima under swaps than
/// least squares (on simulated standardized ER2 data with single-node interventions, the best
/// of six starts reached the true order's score where the "var" start alone often did not).
const NLL_RESTARTS: usize = 6;

/// Seed of the random starts after the first two.
const RESTART_SEED: u64 = 0x7090;

/// One local search's settings.
struct Search<'a> {
    scorer: &'a Scorer,
    required: Option<&'a Mask>,
    size_small: usize,
    size_large: usize,
    config: &'a Config,
}

/// Where one local search ended.
struct Searched {
    order: Vec<usize>,
    factor: Factor,
    history: Vec<f64>,
    n_iter: usize,
    n_evals: usize,
    converged: bool,
}

impl Search<'_> {
    /// Swaps from `start` (made compatible with the required edges) until no candidate improves
    /// or after `max_iter` rounds; `done` rounds were made by earlier starts (for the progress
    /// report).
    fn run(&self, start: &[usize], done: usize, progress: &mut dyn Progress) -> Result<Searched> {
        let (scorer, required, config) = (self.scorer, self.required, self.config);
        let mut order = compatible_order(start, required)?;
        let mut factor = scorer.factor(&order)?;
        let mut history = vec![factor.score()];
        let (mut n_iter, mut n_evals, mut large_searches) = (0, 0, 0);
        let mut converged = false;
        while n_iter < config.max_iter {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let ranked = ranked_pairs(&scorer.coefficients(&factor, &order), &order, required);
            let small = &ranked[..self.size_small.min(ranked.len())];
            let mut improving = scorer.improving_swaps(&factor, &order, small, progress)?;
            n_evals += small.len();
            if improving.is_empty() && config.n_large_searches.is_none_or(|cap| large_searches < cap) {
                let large = &ranked[small.len()..self.size_large.min(ranked.len())];
                improving = scorer.improving_swaps(&factor, &order, large, progress)?;
                n_evals += large.len();
                if !improving.is_empty() {
                    large_searches += 1;
                }
            }
            if improving.is_empty() {
                converged = true;
                break;
            }
            let score = factor.score();
            let (next_order, next_factor) = apply_swaps(scorer, &order, &improving, score)?;
            order = next_order;
            factor = next_factor;
            n_iter += 1;
            history.push(factor.score());
            progress.report(&Status {
                iteration: done + n_iter,
                max_iter: config.max_iter,
                objective: factor.score(),
                quantities: &[],
            });
        }
        Ok(Searched { order, factor, history, n_iter, n_evals, converged })
    }
}

/// Whether `order` is a permutation of 0..d.
fn is_permutation(order: &[usize], d: usize) -> bool {
    let mut seen = vec![false; d];
    order.len() == d && order.iter().all(|&v| v < d && !std::mem::replace(&mut seen[v], true))
}

/// An error unless `order` is a permutation of 0..d.
fn check_permutation(order: &[usize], d: usize) -> Result<()> {
    if !is_permutation(order, d) {
        let last = d.saturating_sub(1);
        return Err(CoreError::InvalidParameter(format!(
            "init must be a permutation of 0..{last} (an order of the columns), got {order:?}"
        )));
    }
    Ok(())
}

/// `order` if it puts every required edge's tail before its head, else the closest order that
/// does ([`order_respecting`]).
fn compatible_order(order: &[usize], required: Option<&Mask>) -> Result<Vec<usize>> {
    match required {
        None => Ok(order.to_vec()),
        Some(mask) => order_respecting(mask, order),
    }
}

/// False when swapping positions a < b would put the head of a required edge before its tail:
/// the node at a moves behind positions a+1..=b, the node at b ahead of positions a..b.
fn swap_allowed(order: &[usize], a: usize, b: usize, required: Option<&Mask>) -> bool {
    let Some(required) = required else {
        return true;
    };
    let d = order.len();
    let (first, last) = (order[a], order[b]);
    order[a + 1..=b].iter().all(|&x| !required[first * d + x]) && order[a..b].iter().all(|&x| !required[x * d + last])
}

/// The covariances (+ ridge on the diagonal; one per distinct Σ⁽ʲ⁾, a single one for
/// observational data), which one each node is regressed with, the nodes' shares of the rows,
/// the score and the forbidden parents: what scores an order.
struct Scorer {
    covariances: Vec<Covariance>,
    of_node: Vec<usize>,
    shares: Vec<f64>,
    score: Score,
    forbidden: Option<Mask>,
}

/// The Cholesky factors of each Σ_ππ (row r for the node at position r), and each position's
/// score term from the residual variance of its node on its allowed predecessors (L_rr² of the
/// node's own factor unless a predecessor is a forbidden parent).
struct Factor {
    choleskys: Vec<Cholesky>,
    terms: Vec<f64>,
}

impl Scorer {
    /// The covariance `node` is regressed with.
    fn covariance_of(&self, node: usize) -> &Covariance {
        &self.covariances[self.of_node[node]]
    }

    /// The score term of `node` with residual variance `residual`.
    fn term(&self, node: usize, residual: f64) -> f64 {
        self.score.term(self.shares[node], residual)
    }

    /// The allowed predecessors of the node at position r, when some predecessor is forbidden
    /// as its parent (`None`: all of them are allowed, the prefix factor applies).
    fn restricted_parents(&self, order: &[usize], r: usize) -> Option<Vec<usize>> {
        let forbidden = self.forbidden.as_ref()?;
        let (d, node) = (order.len(), order[r]);
        let is_forbidden = |i: usize| forbidden[i * d + node];
        order[..r]
            .iter()
            .any(|&i| is_forbidden(i))
            .then(|| order[..r].iter().copied().filter(|&i| !is_forbidden(i)).collect())
    }

    /// Residual variance and coefficients of `node` regressed on `parents`.
    fn regress(&self, node: usize, parents: &[usize]) -> (f64, Vec<f64>) {
        let covariance = self.covariance_of(node);
        if parents.is_empty() {
            return (covariance[(node, node)], Vec::new());
        }
        // Σ + ridge is positive definite (stabilising_ridge), so its principal submatrices are
        // too; should rounding say otherwise, the parents explain nothing.
        match least_squares(covariance, node, parents) {
            Ok(fit) => (fit.residual_variance.max(f64::MIN_POSITIVE), fit.coefficients),
            Err(_) => (covariance[(node, node)].max(f64::MIN_POSITIVE), vec![0.0; parents.len()]),
        }
    }

    /// The score term of the node at position r whose factor row (in its own factor) is `row`.
    fn position_term(&self, order: &[usize], r: usize, row: &[f64]) -> f64 {
        let residual = match self.restricted_parents(order, r) {
            None => row[r] * row[r],
            Some(parents) => self.regress(order[r], &parents).0,
        };
        self.term(order[r], residual)
    }

    /// Row r of the factor of covariance `p`'s Σ_ππ from rows 0..r (`earlier`), into `out`;
    /// false when the pivot is not positive.
    fn row<'a>(
        &self,
        p: usize,
        order: &[usize],
        r: usize,
        earlier: impl Fn(usize) -> &'a [f64],
        out: &mut Vec<f64>,
    ) -> bool {
        let (node, covariance) = (order[r], &self.covariances[p]);
        bordered_row(r, |c| covariance[(node, order[c])], covariance[(node, node)], earlier, out)
    }

    /// The factors of positive definite Σs (guaranteed by [`stabilising_ridge`]); a pivot lost
    /// to rounding is floored at the smallest positive value instead of failing.
    fn factor(&self, order: &[usize]) -> Result<Factor> {
        let choleskys = self
            .covariances
            .iter()
            .map(|covariance| Cholesky::of_floored(covariance, order, f64::MIN_POSITIVE))
            .collect::<Result<Vec<_>>>()?;
        let terms =
            (0..order.len()).map(|r| self.position_term(order, r, choleskys[self.of_node[order[r]]].row(r))).collect();
        Ok(Factor { choleskys, terms })
    }

    /// Score change of swapping positions a < b: ½ Σ_{r=a..=b} (new − old term), recomputing
    /// rows a..=b of the factors the nodes there use (rows before a are shared with `factor`;
    /// later nodes keep the same set of predecessors). +∞ on a lost pivot.
    fn swap_delta(&self, factor: &Factor, order: &[usize], a: usize, b: usize, scratch: &mut Scratch) -> f64 {
        scratch.order.clear();
        scratch.order.extend_from_slice(order);
        scratch.order.swap(a, b);
        // the last position in a..=b whose node uses each covariance (rows a..=last are needed)
        scratch.last.clear();
        scratch.last.resize(self.covariances.len(), None);
        for r in a..=b {
            scratch.last[self.of_node[scratch.order[r]]] = Some(r);
        }
        scratch.rows.resize_with(self.covariances.len(), Vec::new);
        for (p, last) in scratch.last.iter().enumerate() {
            let Some(last) = *last else { continue };
            let rows = &mut scratch.rows[p];
            rows.resize_with(last - a + 1, Vec::new);
            for r in a..=last {
                let (done, rest) = rows.split_at_mut(r - a);
                let done: &[Vec<f64>] = done;
                let earlier = |c: usize| if c < a { factor.choleskys[p].row(c) } else { done[c - a].as_slice() };
                if !self.row(p, &scratch.order, r, earlier, &mut rest[0]) {
                    return f64::INFINITY;
                }
            }
        }
        let mut delta = 0.0;
        for r in a..=b {
            let row = &scratch.rows[self.of_node[scratch.order[r]]][r - a];
            delta += 0.5 * (self.position_term(&scratch.order, r, row) - factor.terms[r]);
        }
        delta
    }

    /// Candidates (as position pairs) whose swap lowers the score by more than rounding, with
    /// their score changes, best first (ties: by position pair). Scored in parallel, four per
    /// thread at a time, so that a cancellation is seen within a few candidates (one can cost
    /// O(d³) at d = 1000, and a large candidate set minutes).
    fn improving_swaps(
        &self,
        factor: &Factor,
        order: &[usize],
        candidates: &[(usize, usize)],
        progress: &mut dyn Progress,
    ) -> Result<Vec<(f64, usize, usize)>> {
        let chunk_size = 4 * rayon::current_num_threads();
        let tolerance = 1e-12 * factor.score().abs().max(f64::MIN_POSITIVE);
        let mut improving: Vec<(f64, usize, usize)> = Vec::new();
        for chunk in candidates.chunks(chunk_size) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let scored: Vec<(f64, usize, usize)> = chunk
                .par_iter()
                .map_init(Scratch::default, |scratch, &(a, b)| (self.swap_delta(factor, order, a, b, scratch), a, b))
                .filter(|&(delta, _, _)| delta < -tolerance)
                .collect();
            improving.extend(scored);
        }
        improving.sort_by(|x, y| x.0.total_cmp(&y.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        Ok(improving)
    }

    /// Coefficients in position coordinates: `beta[r][p]` is the weight of the node at position
    /// p < r in the regression of the node at position r (0 for forbidden parents).
    fn coefficients(&self, factor: &Factor, order: &[usize]) -> Vec<Vec<f64>> {
        (0..order.len())
            .map(|r| match self.restricted_parents(order, r) {
                None => factor.choleskys[self.of_node[order[r]]].coefficients_on_earlier(r),
                Some(parents) => {
                    let (_, beta) = self.regress(order[r], &parents);
                    let mut by_position = vec![0.0; r];
                    let mut values = parents.iter().zip(beta).peekable();
                    for (p, slot) in by_position.iter_mut().enumerate() {
                        if let Some((_, value)) = values.next_if(|(&node, _)| node == order[p]) {
                            *slot = value;
                        }
                    }
                    by_position
                }
            })
            .collect()
    }

    /// Per node, the allowed predecessors in `order` chosen by BIC ([`Prune::Bic`]; required
    /// parents always kept), with their least-squares weights.
    fn select_by_bic(&self, order: &[usize], rows: &[usize], required: Option<&Mask>) -> Result<Mat<f64>> {
        let d = order.len();
        let mut weights = Mat::<f64>::zeros(d, d);
        for r in 0..d {
            let node = order[r];
            let candidates = self.restricted_parents(order, r).unwrap_or_else(|| order[..r].to_vec());
            if candidates.is_empty() {
                continue;
            }
            let (noise, _) = self.regress(node, &candidates);
            let n = rows[node].max(2) as f64;
            let price = noise * libm::log(n) / n;
            let is_required: Vec<bool> =
                candidates.iter().map(|&i| required.is_some_and(|m| m[i * d + node])).collect();
            let chosen = stepwise(self.covariance_of(node), node, &candidates, &is_required, price)?;
            for (&i, &value) in chosen.selected.iter().zip(&chosen.coefficients) {
                weights[(i, node)] = value;
            }
        }
        Ok(weights)
    }

    /// Least-squares weights of every node on its parents in `support` (nonzero or required
    /// entries). Dropping small coefficients without refitting biases the others; the refit
    /// minimises the least-squares score over the kept graph.
    fn refit(&self, support: &Mat<f64>, required: Option<&Mask>) -> Mat<f64> {
        let d = support.nrows();
        let mut weights = Mat::<f64>::zeros(d, d);
        for j in 0..d {
            let kept = |i: usize| support[(i, j)] != 0.0 || required.is_some_and(|m| m[i * d + j]);
            let parents: Vec<usize> = (0..d).filter(|&i| kept(i)).collect();
            let (_, beta) = self.regress(j, &parents);
            for (&i, value) in parents.iter().zip(beta) {
                weights[(i, j)] = value;
            }
        }
        weights
    }
}

#[derive(Default)]
struct Scratch {
    order: Vec<usize>,
    /// Per covariance, the last position of the swapped interval whose node uses it.
    last: Vec<Option<usize>>,
    /// Per covariance, rows a..=last of its factor in the swapped order.
    rows: Vec<Vec<Vec<f64>>>,
}

impl Factor {
    /// ½ Σ_r term_r.
    fn score(&self) -> f64 {
        0.5 * self.terms.iter().sum::<f64>()
    }
}

/// Candidate position pairs (a, b), a < b, by increasing total path weight from the node at a to
/// the node at b in |W| (N = (I − |W|)⁻¹, upper triangular in position coordinates); ties by
/// (later node, earlier node) index. Swaps that would reverse a required edge are left out.
fn ranked_pairs(beta: &[Vec<f64>], order: &[usize], required: Option<&Mask>) -> Vec<(usize, usize)> {
    let d = order.len();
    // N[p][q] for q > p: N = I + U N with U[p][k] = |β_k[p]| (edge from position p to k > p),
    // filled from the last row up.
    let mut paths = vec![vec![0.0; d]; d];
    for p in (0..d).rev() {
        paths[p][p] = 1.0;
        for k in p + 1..d {
            let weight = beta[k][p].abs();
            if weight != 0.0 {
                let (upper, lower) = paths.split_at_mut(k);
                for (target, &via) in upper[p][k..].iter_mut().zip(&lower[0][k..]) {
                    *target += weight * via;
                }
            }
        }
    }
    let mut pairs: Vec<(f64, usize, usize, usize, usize)> = Vec::with_capacity(d * d.saturating_sub(1) / 2);
    for a in 0..d {
        for b in a + 1..d {
            if swap_allowed(order, a, b, required) {
                pairs.push((paths[a][b], order[b], order[a], a, b));
            }
        }
    }
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0).then((x.1, x.2).cmp(&(y.1, y.2))));
    pairs.into_iter().map(|(_, _, _, a, b)| (a, b)).collect()
}

/// Applies the best swap and every further improving one whose interval does not overlap an
/// accepted one. Swaps on disjoint intervals change disjoint sets of residual variances, so
/// their score changes add; should rounding say otherwise, only the best swap is applied.
/// (Disjoint swaps that each keep the required edges in order keep them all in order.)
fn apply_swaps(
    scorer: &Scorer,
    order: &[usize],
    improving: &[(f64, usize, usize)],
    score: f64,
) -> Result<(Vec<usize>, Factor)> {
    let mut accepted: Vec<(usize, usize)> = Vec::new();
    for &(_, a, b) in improving {
        if accepted.iter().all(|&(a2, b2)| b < a2 || b2 < a) {
            accepted.push((a, b));
        }
    }
    let mut next = order.to_vec();
    for &(a, b) in &accepted {
        next.swap(a, b);
    }
    let factor = scorer.factor(&next)?;
    if factor.score() < score || accepted.len() == 1 {
        return Ok((next, factor));
    }
    let (_, a, b) = improving[0];
    let mut next = order.to_vec();
    next.swap(a, b);
    let factor = scorer.factor(&next)?;
    Ok((next, factor))
}

/// W (node coordinates) from coefficients in position coordinates.
fn to_matrix(beta: &[Vec<f64>], order: &[usize]) -> Mat<f64> {
    let d = order.len();
    let mut w = Mat::<f64>::zeros(d, d);
    for (r, coefficients) in beta.iter().enumerate() {
        for (p, &value) in coefficients.iter().enumerate() {
            w[(order[p], order[r])] = value;
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::is_dag;
    use crate::progress::Silent;

    /// Σ of a chain 0 → 1 → 2 → 3 with unit noise and weight 0.8, plus a small perturbation.
    fn chain_sigma() -> Mat<f64> {
        let d = 4;
        let mut b = Mat::<f64>::zeros(d, d); // X = X B + E, Σ = (I − B)⁻ᵀ (I − B)⁻¹
        for i in 0..d - 1 {
            b[(i, i + 1)] = 0.8;
        }
        let mut inv = Mat::<f64>::identity(d, d); // (I − B)⁻¹ = Σ_k B^k
        let mut power = Mat::<f64>::identity(d, d);
        for _ in 0..d {
            power = crate::linalg::mul(power.as_ref(), b.as_ref());
            inv += &power;
        }
        crate::linalg::mul(inv.transpose(), inv.as_ref())
    }

    fn scorer(sigma: &Mat<f64>, forbidden: Option<Mask>) -> Scorer {
        let d = sigma.nrows();
        let covariances = vec![Covariance::from_matrix(sigma.as_ref()).unwrap()];
        Scorer { covariances, of_node: vec![0; d], shares: vec![1.0; d], score: Score::L2, forbidden }
    }

    #[test]
    fn score_is_half_the_sum_of_residual_variances() {
        let sigma = chain_sigma();
        let cov = scorer(&sigma, None);
        let factor = cov.factor(&[0, 1, 2, 3]).unwrap();
        // the true order regresses each node on its parent: residual variance 1 each
        assert!((factor.score() - 2.0).abs() < 1e-12, "{}", factor.score());
        let w = to_matrix(&cov.coefficients(&factor, &[0, 1, 2, 3]), &[0, 1, 2, 3]);
        for i in 0..4 {
            for j in 0..4 {
                let expected = if j == i + 1 { 0.8 } else { 0.0 };
                assert!((w[(i, j)] - expected).abs() < 1e-12, "({i},{j}) {}", w[(i, j)]);
            }
        }
    }

    #[test]
    fn swap_delta_equals_a_refit() {
        let sigma = chain_sigma();
        let cov = scorer(&sigma, None);
        let order = vec![2, 0, 3, 1];
        let factor = cov.factor(&order).unwrap();
        let mut scratch = Scratch::default();
        for a in 0..4 {
            for b in a + 1..4 {
                let mut swapped = order.clone();
                swapped.swap(a, b);
                let refit = cov.factor(&swapped).unwrap().score() - factor.score();
                let delta = cov.swap_delta(&factor, &order, a, b, &mut scratch);
                assert!((refit - delta).abs() < 1e-12, "({a},{b}) {refit} {delta}");
            }
        }
    }

    #[test]
    fn search_descends_to_a_swap_local_minimum() {
        let sigma = chain_sigma();
        let loss = Loss::LeastSquares { sigma: sigma.clone() };
        let config = |order: Vec<usize>| Config {
            init: Init::Order(order),
            size_small: None,
            size_large: None,
            n_large_searches: None,
            w_threshold: 0.3,
            max_iter: 100,
            seed: 0,
            criterion: Auto::Auto,
            prune: Auto::Auto,
            n_restarts: Auto::Auto,
        };
        // two disjoint improving swaps apply in one round and reach the true order
        let out = fit(&loss, 100, &config(vec![1, 0, 3, 2]), &Prior::default(), &mut Silent).unwrap();
        assert_eq!(out.order, vec![0, 1, 2, 3]);
        assert_eq!(out.n_iter, 1);
        assert!((out.history.last().unwrap() - 2.0).abs() < 1e-12);
        assert!(is_dag(out.weights.as_ref()) && out.weights[(0, 1)] != 0.0);
        // from the reversed order: strictly decreasing scores, ending where no swap improves
        let out = fit(&loss, 100, &config(vec![3, 2, 1, 0]), &Prior::default(), &mut Silent).unwrap();
        assert!(out.converged && out.n_iter >= 1);
        assert!(out.history.windows(2).all(|p| p[1] < p[0]), "{:?}", out.history);
        let cov = scorer(&sigma, None);
        let factor = cov.factor(&out.order).unwrap();
        let mut scratch = Scratch::default();
        for a in 0..4 {
            for b in a + 1..4 {
                assert!(cov.swap_delta(&factor, &out.order, a, b, &mut scratch) >= -1e-12);
            }
        }
    }

    #[test]
    fn default_sizes_follow_the_reference() {
        assert_eq!(default_sizes(20), (30, 110));
        assert_eq!(default_sizes(50), (75, 588));
        assert_eq!(default_sizes(2), (1, 1));
        assert_eq!(default_sizes(1), (0, 0));
    }

    #[test]
    fn singular_covariance_gets_a_ridge() {
        // column 2 = column 0 + column 1
        let mut sigma = Mat::<f64>::identity(3, 3);
        sigma[(0, 2)] = 1.0;
        sigma[(2, 0)] = 1.0;
        sigma[(1, 2)] = 1.0;
        sigma[(2, 1)] = 1.0;
        sigma[(2, 2)] = 2.0;
        assert!(stabilising_ridge(&Covariance::from_matrix(sigma.as_ref()).unwrap()) > 0.0);
        let loss = Loss::LeastSquares { sigma };
        let config = Config {
            init: Init::Order(vec![2, 1, 0]),
            size_small: None,
            size_large: None,
            n_large_searches: None,
            w_threshold: 0.3,
            max_iter: 10,
            seed: 0,
            criterion: Auto::Auto,
            prune: Auto::Auto,
            n_restarts: Auto::Auto,
        };
        let out = fit(&loss, 100, &config, &Prior::default(), &mut Silent).unwrap();
        assert!(out.raw_weights.col_iter().all(|c| c.iter().all(|v| v.is_finite())));
        assert!(is_dag(out.weights.as_ref()));
    }

    #[test]
    fn bad_settings_are_errors() {
        let loss = Loss::LeastSquares { sigma: chain_sigma() };
        let base = Config {
            init: Init::Order(vec![0, 1, 2, 3]),
            size_small: None,
            size_large: None,
            n_large_searches: None,
            w_threshold: 0.3,
            max_iter: 10,
            seed: 0,
            criterion: Auto::Auto,
            prune: Auto::Auto,
            n_restarts: Auto::Auto,
        };
        for order in [vec![0, 1, 2], vec![0, 1, 2, 2], vec![0, 1, 2, 4]] {
            let config = Config { init: Init::Order(order), ..base.clone() };
            assert!(matches!(
                fit(&loss, 100, &config, &Prior::default(), &mut Silent),
                Err(CoreError::InvalidParameter(_))
            ));
        }
        let config = Config { size_small: Some(5), size_large: Some(2), ..base.clone() };
        assert!(matches!(
            fit(&loss, 100, &config, &Prior::default(), &mut Silent),
            Err(CoreError::InvalidParameter(_))
        ));
    }

    fn mask(d: usize, edges: &[(usize, usize)]) -> Mask {
        let mut m = vec![false; d * d];
        for &(i, j) in edges {
            m[i * d + j] = true;
        }
        m
    }

    #[test]
    fn required_edges_shape_the_order_and_swaps() {
        let required = mask(4, &[(2, 0)]);
        assert_eq!(compatible_order(&[0, 1, 2, 3], Some(&required)).unwrap(), vec![1, 2, 0, 3]);
        assert_eq!(compatible_order(&[2, 0, 1, 3], Some(&required)).unwrap(), vec![2, 0, 1, 3]);
        let cycle = mask(3, &[(0, 1), (1, 2), (2, 0)]);
        assert!(matches!(compatible_order(&[0, 1, 2], Some(&cycle)), Err(CoreError::InvalidParameter(_))));
        // order [2, 0, 1, 3]: swapping positions 0 and 1 (2 <-> 0) or 0 and 2 (2 moves behind 0)
        // breaks 2 -> 0; swapping positions 1 and 3 does not
        assert!(!swap_allowed(&[2, 0, 1, 3], 0, 1, Some(&required)));
        assert!(!swap_allowed(&[2, 0, 1, 3], 0, 2, Some(&required)));
        assert!(swap_allowed(&[2, 0, 1, 3], 1, 3, Some(&required)));
        assert!(swap_allowed(&[2, 0, 1, 3], 0, 1, None));
    }

    #[test]
    fn forbidden_edges_are_exactly_zero_and_required_ones_present() {
        let loss = Loss::LeastSquares { sigma: chain_sigma() };
        // the chain 0 → 1 → 2 → 3 with its first edge forbidden and a wrong edge 3 → 0 required;
        // 1 → 0 and 2 → 0 are forbidden too, else 0 ⫫ 3 given them and the weight of 3 → 0 is 0
        let forbidden = mask(4, &[(0, 1), (1, 0), (2, 0)]);
        let required = mask(4, &[(3, 0)]);
        let config = Config {
            init: Init::Order(vec![0, 1, 2, 3]),
            size_small: None,
            size_large: None,
            n_large_searches: None,
            w_threshold: 0.3,
            max_iter: 100,
            seed: 0,
            criterion: Auto::Auto,
            prune: Auto::Auto,
            n_restarts: Auto::Auto,
        };
        let prior = Prior { forbidden: Some(forbidden.clone()), required: Some(required) };
        let out = fit(&loss, 100, &config, &prior, &mut Silent).unwrap();
        assert!(is_dag(out.weights.as_ref()));
        assert_eq!(out.raw_weights[(0, 1)], 0.0);
        assert_eq!(out.weights[(0, 1)], 0.0);
        assert!(out.weights[(3, 0)] != 0.0);
        let position = |v: usize| out.order.iter().position(|&x| x == v).unwrap();
        assert!(position(3) < position(0));
        assert!(out.history.windows(2).all(|p| p[1] < p[0]));
        // the score is that of the constrained regressions: a refit from scratch agrees
        let cov = scorer(&chain_sigma(), Some(forbidden));
        assert!((cov.factor(&out.order).unwrap().score() - out.history.last().unwrap()).abs() < 1e-12);
        // swap deltas still equal refits with a forbidden parent in play
        let mut scratch = Scratch::default();
        let order = vec![1, 0, 3, 2];
        let factor = cov.factor(&order).unwrap();
        for a in 0..4 {
            for b in a + 1..4 {
                let mut swapped = order.clone();
                swapped.swap(a, b);
                let refit = cov.factor(&swapped).unwrap().score() - factor.score();
                assert!((cov.swap_delta(&factor, &order, a, b, &mut scratch) - refit).abs() < 1e-12);
            }
        }
        // both forbidden and required, or a mask of the wrong size: an error
        let both = Prior { forbidden: Some(mask(4, &[(3, 0)])), ..prior };
        assert!(matches!(fit(&loss, 100, &config, &both, &mut Silent), Err(CoreError::InvalidInput(_))));
        let small = Prior { forbidden: Some(mask(3, &[])), required: None };
        assert!(matches!(fit(&loss, 100, &config, &small, &mut Silent), Err(CoreError::InvalidInput(_))));
    }
}
