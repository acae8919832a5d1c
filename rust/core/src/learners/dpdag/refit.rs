//! The final refit of the linear mechanism: an addition to the paper's algorithm.
//!
//! Training leaves a distribution q(π) over orders and mechanism weights that were trained only on
//! the edges the samples happened to contain. Its modal DAG is often a poor fit even for its own
//! order: once a pair is ordered the wrong way, the edges that would have to change with it are
//! never sampled, so the straight-through gradients cannot propose the swap.
//!
//! The refit makes the point estimate the best DAG, by the objective VI-DP-DAG itself minimises,
//! among the modal order and `n_orders` orders drawn from q(π). For a q with all its mass on one
//! DAG G and least-squares linear mechanisms, that objective is (up to a constant)
//!   Σ_j rss_j(G) / d  +  price · |G|,   price = λ (log(1/p0) − log(1/(1 − p0))) / (d(d − 1)),
//! where rss_j is the residual variance of x_j regressed on its parents in G (the KL of an edge
//! that is surely present, minus that of one surely absent, is the price). Given an order, each
//! node's parents are chosen among its predecessors by stepwise selection at d · price per
//! parent ([`stepwise`], Efroymson 1960). Required parents enter first and stay; forbidden ones
//! never enter. Each node's parents end at a local optimum of its share of the objective: no
//! single addition or removal lowers it.
//!
//! Everything works on the covariance matrix Σ of all n rows, and the stepwise selection updates
//! partial covariances as parents enter, so sparse graphs stay cheap at d = 1000. A node whose
//! predecessors are the same in several orders is solved once (up to a bounded number of
//! remembered regressions), and the orders are scored a block at a time.

use super::distribution::DagDistribution;
use super::edges::EdgeState;
use crate::error::{CoreError, Result};
use crate::progress::Progress;
use crate::regression::{stepwise, Covariance, Selection};
use faer::{Mat, MatRef};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// The refitted point estimate.
#[derive(Debug, Clone)]
pub struct Refit {
    /// The chosen order (roots first).
    pub order: Vec<usize>,
    /// The chosen DAG, 0/1 (d×d).
    pub adjacency: Mat<f64>,
    /// Least-squares weights on the chosen DAG (d×d; zero off it).
    pub weights: Mat<f64>,
    /// Intercepts: x̂_j = b_j + Σ_i w_ij x_i reproduces the fit on the uncentred rows.
    pub bias: Vec<f64>,
    /// The objective Σ_j rss_j / d + price · (free edges) of the chosen DAG.
    pub objective: f64,
    /// Distinct orders compared (the modal one included).
    pub n_orders: usize,
}

/// A node and the Zobrist hashes of the set of nodes before it in an order: its regression
/// depends on nothing else.
type NodeKey = (usize, [u64; 2]);

/// The parent set a node may take in an order: its predecessors that are not forbidden, and which
/// of them are required.
fn candidates(order_prefix: &[usize], j: usize, states: &[EdgeState], d: usize) -> (Vec<usize>, Vec<bool>) {
    let allowed: Vec<usize> = order_prefix.iter().copied().filter(|&i| states[j * d + i] != EdgeState::Never).collect();
    let kept = allowed.iter().map(|&i| states[j * d + i] == EdgeState::Always).collect();
    (allowed, kept)
}

/// Picks the best of the modal order and `n_orders` orders drawn from `dist` (seeded by `seed`),
/// each with the parents chosen by stepwise selection at `price` per free edge, on the
/// (preprocessed) rows `x`. Threads: the current rayon pool; the result does not depend on it.
///
/// Errors: `InvalidInput` for fewer than two rows or a shape that does not match `dist`;
/// `Cancelled`.
pub fn refit(
    x: MatRef<'_, f64>,
    dist: &DagDistribution,
    price: f64,
    n_orders: usize,
    seed: u64,
    progress: &mut dyn Progress,
) -> Result<Refit> {
    let (n, d) = (x.nrows(), x.ncols());
    if n < 2 || d != dist.d() {
        return Err(CoreError::InvalidInput(format!(
            "the refit needs at least two rows of {} columns, got {n}x{d}",
            dist.d()
        )));
    }
    let covariance = Covariance::from_data(x)?;
    let states = dist.states();
    let threshold = d as f64 * price;
    let solve = |order: &[usize], r: usize| {
        let (allowed, required) = candidates(&order[..r], order[r], states, d);
        stepwise(&covariance, order[r], &allowed, &required, threshold)
    };
    let share = |fit: &Selection, j: usize| {
        let free = fit.selected.iter().filter(|&&i| states[j * d + i] == EdgeState::Free).count();
        fit.residual_variance / d as f64 + price * free as f64
    };

    // A node's share of the objective depends only on the node and the set of nodes before it.
    // Such a set is keyed by two Zobrist hashes (the xor of a random word per member, from two
    // tables): a false match has probability about 2⁻¹²⁸ per pair. The cache is bounded, and
    // the orders are drawn and scored a block at a time, so memory stays O(d · block) however
    // many orders are asked for.
    let mut words = ChaCha8Rng::seed_from_u64(0x5eed);
    let zobrist: Vec<[u64; 2]> = (0..d).map(|_| [words.random(), words.random()]).collect();
    let mut cache: HashMap<NodeKey, f64> = HashMap::new();
    let mut seen: HashSet<[u64; 2]> = HashSet::new(); // whole orders, by the hashes of their prefixes
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best: Option<(f64, Vec<usize>)> = None;
    let mut distinct = 0;
    let mut drawn = 0;
    while drawn <= n_orders {
        if progress.should_stop() {
            return Err(CoreError::Cancelled);
        }
        // the next block of new orders (the modal one first), with each node's key
        let mut block: Vec<(Vec<usize>, Vec<NodeKey>)> = Vec::with_capacity(ORDERS_PER_BLOCK);
        while block.len() < ORDERS_PER_BLOCK && drawn <= n_orders {
            let order = if drawn == 0 { dist.order_of(dist.theta()) } else { dist.sample_order(&mut rng) };
            drawn += 1;
            let mut key = [0u64; 2];
            let mut whole = [0u64; 2];
            let keys: Vec<NodeKey> = order
                .iter()
                .map(|&j| {
                    let node_key = (j, key);
                    (0..2).for_each(|h| {
                        key[h] ^= zobrist[j][h];
                        whole[h] = whole[h].rotate_left(7) ^ key[h];
                    });
                    node_key
                })
                .collect();
            if seen.insert(whole) {
                block.push((order, keys));
            }
        }
        distinct += block.len();
        // the block's regressions not yet cached, each once, solved in parallel a few per
        // thread between cancellation checks
        let mut pending: HashMap<NodeKey, (usize, usize)> = HashMap::new();
        for (b, (_, keys)) in block.iter().enumerate() {
            for (r, key) in keys.iter().enumerate() {
                if !cache.contains_key(key) {
                    pending.entry(*key).or_insert((b, r));
                }
            }
        }
        let mut pending: Vec<(NodeKey, (usize, usize))> = pending.into_iter().collect();
        pending.sort_unstable_by_key(|&(_, at)| at); // a fixed order, whatever the hash map's
        let chunk = 4 * rayon::current_num_threads().max(2);
        let mut solved: HashMap<NodeKey, f64> = HashMap::with_capacity(pending.len());
        for batch in pending.chunks(chunk) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let shares: Vec<f64> = batch
                .par_iter()
                .map(|&(_, (b, r))| Ok(share(&solve(&block[b].0, r)?, block[b].0[r])))
                .collect::<Result<_>>()?;
            solved.extend(batch.iter().map(|&(key, _)| key).zip(shares));
        }
        for (order, keys) in &block {
            let objective: f64 = keys
                .iter()
                .map(|key| cache.get(key).or_else(|| solved.get(key)).copied().expect("every key is solved or cached"))
                .sum();
            // the lowest objective; ties go to the earlier order (the modal one first)
            if best.as_ref().is_none_or(|(value, _)| objective < *value) {
                best = Some((objective, order.clone()));
            }
        }
        if cache.len() + solved.len() <= MAX_CACHED {
            cache.extend(solved);
        }
    }
    let (objective, order) = best.expect("the modal order is always scored");

    let means: Vec<f64> = (0..d).map(|j| x.col(j).iter().sum::<f64>() / n as f64).collect();
    let mut weights = Mat::<f64>::zeros(d, d);
    let mut adjacency = Mat::<f64>::zeros(d, d);
    let mut bias = means.clone();
    for (r, &j) in order.iter().enumerate() {
        let fit = solve(&order, r)?;
        for (&i, &w) in fit.selected.iter().zip(&fit.coefficients) {
            weights[(i, j)] = w;
            adjacency[(i, j)] = 1.0;
            bias[j] -= w * means[i];
        }
    }
    Ok(Refit { order, adjacency, weights, bias, objective, n_orders: distinct })
}

/// Orders drawn and scored together (between cancellation checks of the drawing).
const ORDERS_PER_BLOCK: usize = 64;
/// At most this many node regressions are remembered across blocks (about 50 bytes each).
const MAX_CACHED: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
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

    #[test]
    fn picks_the_true_order_among_samples_and_reproduces_the_data_mean() {
        let x = chain(2000);
        // θ prefers the reversed chain 2, 1, 0 but leaves the true order some probability
        let theta = [0.0, 0.5, 1.0, 0.2];
        let dist = DagDistribution::new(&theta, Mat::<f64>::zeros(4, 4).as_ref(), None, None).unwrap();
        let modal_only = refit(x.as_ref(), &dist, 0.01, 0, 1, &mut Silent).unwrap();
        assert_eq!(modal_only.n_orders, 1);
        let out = refit(x.as_ref(), &dist, 0.01, 200, 1, &mut Silent).unwrap();
        assert!(out.n_orders > 1 && out.objective < modal_only.objective);
        let edges: Vec<(usize, usize)> =
            (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).filter(|&(i, j)| out.weights[(i, j)] != 0.0).collect();
        assert_eq!(edges, vec![(0, 1), (1, 2)]);
        // the intercepts make the predictions unbiased on the raw rows
        for j in 0..4 {
            let mean_x: f64 = x.col(j).iter().sum::<f64>() / 2000.0;
            let mean_pred: f64 = (0..2000)
                .map(|r| out.bias[j] + (0..4).map(|i| out.weights[(i, j)] * x[(r, i)]).sum::<f64>())
                .sum::<f64>()
                / 2000.0;
            assert!((mean_x - mean_pred).abs() < 1e-9);
        }
        // the same seed gives the same answer; forbidden and required entries hold
        let again = refit(x.as_ref(), &dist, 0.01, 200, 1, &mut Silent).unwrap();
        assert_eq!(again.weights, out.weights);
        let mut forbidden = vec![false; 16];
        forbidden[1] = true; // 0 → 1 (row-major)
        let mut required = vec![false; 16];
        required[3 * 4 + 2] = true; // 3 → 2
        let dist =
            DagDistribution::new(&theta, Mat::<f64>::zeros(4, 4).as_ref(), Some(&forbidden), Some(&required)).unwrap();
        let out = refit(x.as_ref(), &dist, 0.01, 200, 1, &mut Silent).unwrap();
        assert_eq!(out.weights[(0, 1)], 0.0);
        assert!(out.weights[(3, 2)] != 0.0);
    }
}
