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
//! Interventional data: node j's equation is fitted on the rows that do not intervene on it, so
//! its regressions use Σ⁽ʲ⁾ of those rows ([`NodeCovariances`]) and its share of the objective is
//! (n_j/n)·rss_j / d + price·|parents|, the limit of the masked training loss; a parent then enters
//! when it lowers rss_j by more than d·price·n/n_j, and node j's intercept comes from its rows'
//! means ([`node_means`]).
//!
//! Everything works on the covariance matrix Σ of all n rows, and the stepwise selection updates
//! partial covariances as parents enter, so sparse graphs stay cheap at d = 1000. A node whose
//! predecessors are the same in several orders is solved once (up to a bounded number of
//! remembered regressions), and the orders are scored a block at a time.

use super::distribution::DagDistribution;
use super::edges::EdgeState;
use crate::error::{CoreError, Result};
use crate::graph::Mask;
use crate::progress::Progress;
use crate::regression::{node_means, stepwise, Covariance, NodeCovariances, Selection};
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
/// (preprocessed) rows `x`, each node on the rows `intervened` (row-major n×d, when given) leaves
/// it alone. Threads: the current rayon pool; the result does not depend on it.
///
/// Errors: `InvalidInput` for fewer than two rows, a shape that does not match `dist`, or a
/// mask of the wrong size or with a node intervened on in every row; `Cancelled`.
pub fn refit(
    x: MatRef<'_, f64>,
    intervened: Option<&Mask>,
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
    // node j's covariance and its share of the rows (observational: Σ of all rows, share 1)
    let (covariances, of_node, shares) = match intervened {
        None => (vec![Covariance::from_data(x)?], vec![0; d], None),
        Some(mask) => {
            let node = NodeCovariances::new(x, mask)?;
            let covariances =
                node.matrices.iter().map(|m| Covariance::from_matrix(m.as_ref())).collect::<Result<_>>()?;
            let shares: Vec<f64> = (0..d).map(|j| node.share(j)).collect();
            (covariances, node.of_node, Some(shares))
        }
    };
    let states = dist.states();
    let threshold = d as f64 * price;
    let solve = |order: &[usize], r: usize| {
        let j = order[r];
        let (allowed, required) = candidates(&order[..r], j, states, d);
        let threshold = shares.as_ref().map_or(threshold, |s| threshold / s[j]);
        stepwise(&covariances[of_node[j]], j, &allowed, &required, threshold)
    };
    let share = |fit: &Selection, j: usize| {
        let free = fit.selected.iter().filter(|&&i| states[j * d + i] == EdgeState::Free).count();
        let residual = shares.as_ref().map_or(fit.residual_variance, |s| s[j] * fit.residual_variance);
        residual / d as f64 + price * free as f64
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

    // x̂_j = b_j + Σ_i w_ij x_i with b_j = μ_j − Σ_i w_ij μ_i, the means of node j's rows
    let means: Vec<f64> = (0..d).map(|j| x.col(j).iter().sum::<f64>() / n as f64).collect();
    let node_means = intervened.map(|mask| node_means(x, mask)).transpose()?;
    let mean = |i: usize, j: usize| node_means.as_ref().map_or(means[i], |m| m[(i, j)]);
    let mut weights = Mat::<f64>::zeros(d, d);
    let mut adjacency = Mat::<f64>::zeros(d, d);
    let mut bias: Vec<f64> = (0..d).map(|j| mean(j, j)).collect();
    for (r, &j) in order.iter().enumerate() {
        let fit = solve(&order, r)?;
        for (&i, &w) in fit.selected.iter().zip(&fit.coefficients) {
            weights[(i, j)] = w;
            adjacency[(i, j)] = 1.0;
            bias[j] -= w * mean(i, j);
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
        let modal_only = refit(x.as_ref(), None, &dist, 0.01, 0, 1, &mut Silent).unwrap();
        assert_eq!(modal_only.n_orders, 1);
        let out = refit(x.as_ref(), None, &dist, 0.01, 200, 1, &mut Silent).unwrap();
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
        let again = refit(x.as_ref(), None, &dist, 0.01, 200, 1, &mut Silent).unwrap();
        assert_eq!(again.weights, out.weights);
        let mut forbidden = vec![false; 16];
        forbidden[1] = true; // 0 → 1 (row-major)
        let mut required = vec![false; 16];
        required[3 * 4 + 2] = true; // 3 → 2
        let dist =
            DagDistribution::new(&theta, Mat::<f64>::zeros(4, 4).as_ref(), Some(&forbidden), Some(&required)).unwrap();
        let out = refit(x.as_ref(), None, &dist, 0.01, 200, 1, &mut Silent).unwrap();
        assert_eq!(out.weights[(0, 1)], 0.0);
        assert!(out.weights[(3, 2)] != 0.0);
    }

    #[test]
    fn interventional_rows_orient_the_chain_and_centre_each_node_on_its_rows() {
        // The chain x0 → x1 → x2 with the last 600 rows setting x1 to a shifted constant-variance
        // value: node 1's regressions leave those rows out (its weight on x0 stays 2), node 2's
        // keep them; the intercepts reproduce each node's mean on its own rows.
        let n = 2600;
        let mut x = chain(n);
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let normal = Normal::new(0.0, 1.0).unwrap();
        let mut mask = vec![false; n * 4];
        for r in 2000..n {
            mask[r * 4 + 1] = true;
            x[(r, 1)] = 4.0 + normal.sample(&mut rng);
            x[(r, 2)] = -1.5 * x[(r, 1)] + normal.sample(&mut rng);
        }
        let theta = [1.0, 0.5, 0.0, 0.2]; // the true order 0, 3, 1, 2
        let dist = DagDistribution::new(&theta, Mat::<f64>::zeros(4, 4).as_ref(), None, None).unwrap();
        let out = refit(x.as_ref(), Some(&mask), &dist, 0.01, 0, 1, &mut Silent).unwrap();
        let edges: Vec<(usize, usize)> =
            (0..4).flat_map(|i| (0..4).map(move |j| (i, j))).filter(|&(i, j)| out.weights[(i, j)] != 0.0).collect();
        assert_eq!(edges, vec![(0, 1), (1, 2)]);
        assert!((out.weights[(0, 1)] - 2.0).abs() < 0.1, "{}", out.weights[(0, 1)]);
        for j in 0..4 {
            let rows: Vec<usize> = (0..n).filter(|&r| !mask[r * 4 + j]).collect();
            let mean_x: f64 = rows.iter().map(|&r| x[(r, j)]).sum::<f64>() / rows.len() as f64;
            let mean_pred: f64 = rows
                .iter()
                .map(|&r| out.bias[j] + (0..4).map(|i| out.weights[(i, j)] * x[(r, i)]).sum::<f64>())
                .sum::<f64>()
                / rows.len() as f64;
            assert!((mean_x - mean_pred).abs() < 1e-9, "{j}");
        }
        // the pooled refit, fitting node 1 on the intervened rows too, gets its weight wrong
        let pooled = refit(x.as_ref(), None, &dist, 0.01, 0, 1, &mut Silent).unwrap();
        assert!((pooled.weights[(0, 1)] - 2.0).abs() > 0.3, "{}", pooled.weights[(0, 1)]);
    }
}
