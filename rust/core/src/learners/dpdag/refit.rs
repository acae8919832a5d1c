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
//! node's parents are chosen among its predecessors by stepwise selection (Efroymson 1960): add
//! the predecessor that lowers rss_j most, while it lowers it by more than d · price, and after
//! each addition drop the free parents whose removal would raise rss_j by less than that. Required
//! parents enter first and stay; forbidden ones never enter. Each node's parents end at a local
//! optimum of its share of the objective: no single addition or removal lowers it.
//!
//! Everything works on the covariance matrix Σ of all n rows. An addition updates every
//! candidate's partial covariance with the node and its partial variance in O(k·s) (k candidates,
//! s parents), as forward selection and orthogonal matching pursuit do, so a node costs O(k·s²)
//! rather than the O(k³) of starting from all its predecessors: sparse graphs stay cheap at
//! d = 1000. A node whose predecessors are the same in several orders is solved once (up to a
//! bounded number of remembered regressions), and the orders are scored a block at a time.

use super::distribution::DagDistribution;
use super::edges::EdgeState;
use crate::error::{CoreError, Result};
use crate::linalg::inverse_without_index;
use crate::loss::Loss;
use crate::progress::Progress;
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

/// One node's regression: its parents, their weights and the residual variance.
#[derive(Debug, Clone)]
struct NodeFit {
    parents: Vec<usize>,
    coefficients: Vec<f64>,
    rss: f64,
}

/// Below this share of its variance left unexplained by the parents, a candidate is taken to be a
/// linear combination of them (its partial variance is rounding error) and is not added.
const COLLINEAR: f64 = 1e-10;

/// The parents of node j among `candidates` by stepwise selection (see the module docs):
/// `required[a]` marks candidates that enter first and never leave. The result is a local optimum
/// of rss_j + `threshold` · |parents|: adding any candidate lowers rss_j by at most `threshold`,
/// removing any free parent raises it by at least that much. A parent dropped on the way may
/// enter again later (once other parents have changed what it adds).
fn select_parents(
    sigma: MatRef<'_, f64>,
    j: usize,
    candidates: &[usize],
    required: &[bool],
    threshold: f64,
) -> NodeFit {
    let k = candidates.len();
    // for every candidate c, given the current parents P: r_c = cov(x_c, residual of x_j) and
    // q_c = the partial variance of x_c (what P leaves unexplained)
    let mut r: Vec<f64> = candidates.iter().map(|&c| sigma[(c, j)]).collect();
    let mut q: Vec<f64> = candidates.iter().map(|&c| sigma[(c, c)]).collect();
    let floor: Vec<f64> = candidates.iter().map(|&c| COLLINEAR * sigma[(c, c)]).collect();
    let mut parent = vec![false; k];
    let mut chosen: Vec<usize> = Vec::new(); // positions in `candidates`
    let mut b: Vec<f64> = Vec::new();
    let mut inverse = Mat::<f64>::zeros(0, 0); // (Σ_PP)⁻¹
    let cov = |a: usize, c: usize| sigma[(candidates[a], candidates[c])];
    // Every move lowers rss_j + threshold·|P| strictly, so no parent set comes back and the
    // moves end; the cap only guards against rounding making a move look like a gain twice.
    for _ in 0..MAX_ADDITIONS_PER_CANDIDATE * (k + 1) {
        let required_next = (0..k).find(|&a| !parent[a] && required[a]);
        let next = required_next.or_else(|| {
            (0..k)
                .filter(|&a| !parent[a] && q[a] > floor[a])
                .map(|a| (r[a] * r[a] / q[a], a))
                .max_by(|x, y| x.0.total_cmp(&y.0))
                .filter(|&(gain, _)| gain > threshold)
                .map(|(_, a)| a)
        });
        let Some(a) = next else { break };
        // add a: w = Σ_PP⁻¹ Σ_Pa, u_c = partial covariance of c and a given P
        let qa = q[a].max(floor[a]).max(f64::MIN_POSITIVE);
        let s = chosen.len();
        let w: Vec<f64> = (0..s).map(|t| (0..s).map(|v| inverse[(t, v)] * cov(chosen[v], a)).sum()).collect();
        let u: Vec<f64> =
            (0..k).map(|c| cov(c, a) - chosen.iter().zip(&w).map(|(&p, wt)| cov(c, p) * wt).sum::<f64>()).collect();
        let coefficient = r[a] / qa;
        b.iter_mut().zip(&w).for_each(|(bt, wt)| *bt -= wt * coefficient);
        b.push(coefficient);
        for c in 0..k {
            r[c] -= u[c] * coefficient;
            q[c] -= u[c] * u[c] / qa;
        }
        inverse = Mat::from_fn(s + 1, s + 1, |t, v| match (t < s, v < s) {
            (true, true) => inverse[(t, v)] + w[t] * w[v] / qa,
            (true, false) => -w[t] / qa,
            (false, true) => -w[v] / qa,
            (false, false) => 1.0 / qa,
        });
        chosen.push(a);
        parent[a] = true;
        // then drop free parents that no longer pay for themselves, the cheapest first
        loop {
            let cheapest = (0..chosen.len())
                .filter(|&t| !required[chosen[t]])
                .map(|t| (b[t] * b[t] / inverse[(t, t)], t))
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .filter(|&(rise, _)| rise < threshold);
            let Some((_, t)) = cheapest else { break };
            let ratio = b[t] / inverse[(t, t)];
            let column: Vec<f64> = (0..chosen.len()).map(|v| inverse[(v, t)]).collect();
            b.iter_mut().zip(&column).for_each(|(bv, c)| *bv -= c * ratio);
            b.remove(t);
            inverse = inverse_without_index(&inverse, t);
            parent[chosen.remove(t)] = false;
            // recompute the candidates' partial covariances from scratch given the new P
            for c in 0..k {
                let sc: Vec<f64> = chosen.iter().map(|&p| cov(c, p)).collect();
                r[c] = sigma[(candidates[c], j)] - sc.iter().zip(&b).map(|(x, y)| x * y).sum::<f64>();
                let quad: f64 =
                    (0..sc.len()).map(|t| sc[t] * (0..sc.len()).map(|v| inverse[(t, v)] * sc[v]).sum::<f64>()).sum();
                q[c] = sigma[(candidates[c], candidates[c])] - quad;
            }
        }
    }
    let parents: Vec<usize> = chosen.iter().map(|&a| candidates[a]).collect();
    let explained: f64 = parents.iter().zip(&b).map(|(&i, w)| w * sigma[(i, j)]).sum();
    NodeFit { parents, coefficients: b, rss: (sigma[(j, j)] - explained).max(0.0) }
}

/// How many additions per candidate [`select_parents`] may make at most (a parent that was
/// dropped may come back once others have joined).
const MAX_ADDITIONS_PER_CANDIDATE: usize = 10;

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
    let Loss::LeastSquares { sigma } = Loss::least_squares_from_data(x)? else {
        unreachable!("built as least squares")
    };
    let states = dist.states();
    let threshold = d as f64 * price;
    let solve = |order: &[usize], r: usize| {
        let (allowed, required) = candidates(&order[..r], order[r], states, d);
        select_parents(sigma.as_ref(), order[r], &allowed, &required, threshold)
    };
    let share = |fit: &NodeFit, j: usize| {
        let free = fit.parents.iter().filter(|&&i| states[j * d + i] == EdgeState::Free).count();
        fit.rss / d as f64 + price * free as f64
    };

    // A node's share of the objective depends only on the node and the set of nodes before it.
    // Such a set is keyed by two Zobrist hashes (the xor of a random word per member, from two
    // tables): a false match has probability about 2⁻¹²⁸ per pair. The cache is bounded, and
    // the orders are drawn and scored a block at a time, so memory stays O(d · block) however
    // many orders are asked for.
    let mut words = ChaCha8Rng::seed_from_u64(0x5eed);
    let zobrist: Vec<[u64; 2]> = (0..d).map(|_| [words.random(), words.random()]).collect();
    let mut cache: HashMap<(usize, [u64; 2]), f64> = HashMap::new();
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
        let mut block: Vec<(Vec<usize>, Vec<(usize, [u64; 2])>)> = Vec::with_capacity(ORDERS_PER_BLOCK);
        while block.len() < ORDERS_PER_BLOCK && drawn <= n_orders {
            let order = if drawn == 0 { dist.order_of(dist.theta()) } else { dist.sample_order(&mut rng) };
            drawn += 1;
            let mut key = [0u64; 2];
            let mut whole = [0u64; 2];
            let keys: Vec<(usize, [u64; 2])> = order
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
        let mut pending: HashMap<(usize, [u64; 2]), (usize, usize)> = HashMap::new();
        for (b, (_, keys)) in block.iter().enumerate() {
            for (r, key) in keys.iter().enumerate() {
                if !cache.contains_key(key) {
                    pending.entry(*key).or_insert((b, r));
                }
            }
        }
        let mut pending: Vec<((usize, [u64; 2]), (usize, usize))> = pending.into_iter().collect();
        pending.sort_unstable_by_key(|&(_, at)| at); // a fixed order, whatever the hash map's
        let chunk = 4 * rayon::current_num_threads().max(2);
        let mut solved: HashMap<(usize, [u64; 2]), f64> = HashMap::with_capacity(pending.len());
        for batch in pending.chunks(chunk) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            let shares: Vec<f64> =
                batch.par_iter().map(|&(_, (b, r))| share(&solve(&block[b].0, r), block[b].0[r])).collect();
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
        let fit = solve(&order, r);
        for (&i, &w) in fit.parents.iter().zip(&fit.coefficients) {
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
    use rand::Rng;
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

    fn covariance(x: MatRef<'_, f64>) -> Mat<f64> {
        let Loss::LeastSquares { sigma } = Loss::least_squares_from_data(x).unwrap() else { unreachable!() };
        sigma
    }

    /// Residual variance of x_j on `parents` by ordinary least squares (all of them required).
    fn residual_variance(sigma: MatRef<'_, f64>, j: usize, parents: &[usize]) -> f64 {
        select_parents(sigma, j, parents, &vec![true; parents.len()], f64::INFINITY).rss
    }

    fn sorted(mut v: Vec<usize>) -> Vec<usize> {
        v.sort();
        v
    }

    #[test]
    fn stepwise_selection_matches_least_squares_and_keeps_only_parents_worth_their_price() {
        let x = chain(2000);
        let sigma = covariance(x.as_ref());
        // at no price every candidate that explains anything enters, with least-squares weights
        let all = select_parents(sigma.as_ref(), 2, &[0, 1, 3], &[false; 3], 0.0);
        assert_eq!(sorted(all.parents.clone()), vec![0, 1, 3]);
        let at = |fit: &NodeFit, i: usize| fit.coefficients[fit.parents.iter().position(|&p| p == i).unwrap()];
        assert!((at(&all, 1) + 1.5).abs() < 0.05, "{:?}", all.coefficients);
        // at a moderate price, x0 and x3 add almost nothing once x1 is in
        let sparse = select_parents(sigma.as_ref(), 2, &[0, 1, 3], &[false; 3], 0.05);
        assert_eq!(sparse.parents, vec![1]);
        assert!((sparse.rss - residual_variance(sigma.as_ref(), 2, &[1])).abs() < 1e-10);
        // a required candidate stays whatever the price
        let kept = select_parents(sigma.as_ref(), 2, &[0, 1, 3], &[false, false, true], 1e6);
        assert_eq!(kept.parents, vec![3]);
    }

    #[test]
    fn every_node_ends_at_a_local_optimum_of_its_share_of_the_objective() {
        // random linear SEMs on 8 nodes with large, signed weights (raw data: variances grow
        // along the order, parents explain one another): no single addition or removal lowers
        // rss_j + threshold·|P|. A parent dropped early may have to come back later.
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
            let sigma = covariance(x.as_ref());
            for share in [0.0005, 0.005, 0.02, 0.1] {
                for j in 1..8 {
                    let threshold = share * sigma[(j, j)];
                    let candidates: Vec<usize> = (0..j).collect();
                    let fit = select_parents(sigma.as_ref(), j, &candidates, &vec![false; j], threshold);
                    let base = residual_variance(sigma.as_ref(), j, &fit.parents);
                    assert!((base - fit.rss).abs() < 1e-9 * sigma[(j, j)]);
                    for &i in &fit.parents {
                        let rest: Vec<usize> = fit.parents.iter().copied().filter(|&p| p != i).collect();
                        assert!(
                            residual_variance(sigma.as_ref(), j, &rest) - base >= threshold * (1.0 - 1e-9),
                            "{j}: removing {i}"
                        );
                    }
                    for &i in candidates.iter().filter(|i| !fit.parents.contains(i)) {
                        let more: Vec<usize> = fit.parents.iter().copied().chain([i]).collect();
                        assert!(
                            base - residual_variance(sigma.as_ref(), j, &more) <= threshold * (1.0 + 1e-9),
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
        let sigma = covariance(x.as_ref());
        let fit = select_parents(sigma.as_ref(), 2, &[1, 3], &[false; 2], 0.01);
        assert_eq!(fit.parents.len(), 1);
        assert!(fit.coefficients[0].is_finite() && (fit.coefficients[0] + 1.5).abs() < 0.1);
        // a required copy still enters, with finite weights
        let both = select_parents(sigma.as_ref(), 2, &[1, 3], &[true; 2], 0.01);
        assert_eq!(sorted(both.parents.clone()), vec![1, 3]);
        assert!(both.coefficients.iter().all(|w| w.is_finite()) && both.rss.is_finite());
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
