//! Random DAGs: Erdős–Rényi and scale-free (Barabási–Albert), the graphs of the NOTEARS
//! benchmark protocol.

use super::random::Random;
use crate::error::{CoreError, Result};
use faer::Mat;
use std::collections::BTreeSet;

/// The two graph families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum GraphType {
    /// Erdős–Rényi G(d, s0): exactly s0 edges among the d(d−1)/2 pairs, uniformly.
    #[serde(rename = "ER")]
    Er,
    /// Barabási–Albert preferential attachment with m = max(1, round(s0/d)) edges per new node.
    #[serde(rename = "SF")]
    Sf,
}

/// A random DAG on d nodes as a 0/1 matrix (`B[(i, j)] = 1` for i → j), relabelled by a random
/// permutation so that the node labels carry no information.
///
/// ER: `s0` distinct unordered pairs (Floyd's sampling without replacement), each oriented along
/// one random total order. SF: node t sends min(t, m) edges to distinct earlier nodes chosen
/// with probability proportional to 1 + their in-degree (edges point from newer to older
/// nodes, so early nodes become hubs with many parents, as in the reference simulator).
pub fn simulate_dag(d: usize, s0: usize, graph_type: GraphType, seed: u64) -> Result<Mat<f64>> {
    if d == 0 {
        return Err(CoreError::InvalidInput("d must be >= 1".into()));
    }
    let mut random = Random::new(seed);
    let edges = match graph_type {
        GraphType::Er => er_edges(d, s0, &mut random)?,
        GraphType::Sf => sf_edges(d, attachment(s0, d), &mut random),
    };
    let perm = random.permutation(d);
    let mut b = Mat::<f64>::zeros(d, d);
    for (from, to) in edges {
        b[(perm[from], perm[to])] = 1.0;
    }
    Ok(b)
}

/// The SF attachment number m = max(1, round(s0/d)), halves to even (as Python's round).
pub fn attachment(s0: usize, d: usize) -> usize {
    let ratio = s0 as f64 / d as f64;
    let rounded = libm::rint(ratio); // round half to even
    (rounded as usize).max(1)
}

/// ER edges (lo → hi in positions) for s0 distinct pairs.
fn er_edges(d: usize, s0: usize, random: &mut Random) -> Result<Vec<(usize, usize)>> {
    let pairs = d * (d - 1) / 2;
    if s0 > pairs {
        return Err(CoreError::InvalidInput(format!(
            "s0 = {s0} edges do not fit in a DAG on d = {d} nodes (at most d*(d-1)/2 = {pairs})"
        )));
    }
    // Floyd (1987): a uniform s0-subset of 0..pairs in O(s0) memory.
    let mut chosen = BTreeSet::new();
    for j in pairs - s0..pairs {
        let t = random.index(j + 1);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    Ok(chosen.into_iter().map(pair_of).collect())
}

/// The pair (lo, hi), lo < hi, of index k in the enumeration k = hi(hi − 1)/2 + lo.
fn pair_of(k: usize) -> (usize, usize) {
    // the largest hi with hi(hi − 1)/2 ≤ k, from the float estimate corrected exactly
    let mut hi = ((1.0 + (1.0 + 8.0 * k as f64).sqrt()) / 2.0) as usize;
    while hi * (hi - 1) / 2 > k {
        hi -= 1;
    }
    while (hi + 1) * hi / 2 <= k {
        hi += 1;
    }
    (k - hi * (hi - 1) / 2, hi)
}

/// SF edges (newer → older, in arrival positions).
fn sf_edges(d: usize, m: usize, random: &mut Random) -> Vec<(usize, usize)> {
    let mut indegree = vec![0.0f64; d];
    let mut edges = Vec::new();
    for t in 1..d {
        let k = t.min(m);
        let targets: Vec<usize> = if k == t {
            (0..t).collect()
        } else {
            // k draws without replacement, each proportional to 1 + in-degree
            let mut weight: Vec<f64> = indegree[..t].iter().map(|v| v + 1.0).collect();
            let mut picked = Vec::with_capacity(k);
            for _ in 0..k {
                let total: f64 = weight.iter().sum();
                let mut u = random.uniform() * total;
                let mut choice = t - 1;
                for (i, &w) in weight.iter().enumerate() {
                    if w > 0.0 && u < w {
                        choice = i;
                        break;
                    }
                    u -= w;
                }
                // rounding can leave u just above the last positive weight: take the last one
                if weight[choice] == 0.0 {
                    choice = weight.iter().rposition(|&w| w > 0.0).unwrap_or(choice);
                }
                weight[choice] = 0.0;
                picked.push(choice);
            }
            picked
        };
        for &target in &targets {
            edges.push((t, target));
            indegree[target] += 1.0;
        }
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::is_dag;

    #[test]
    fn er_has_s0_edges_and_is_a_dag() {
        for seed in 0..5 {
            let b = simulate_dag(20, 40, GraphType::Er, seed).unwrap();
            let edges: f64 = (0..20).flat_map(|i| (0..20).map(move |j| (i, j))).map(|(i, j)| b[(i, j)]).sum();
            assert_eq!(edges, 40.0);
            assert!(is_dag(b.as_ref()));
        }
        assert!(simulate_dag(3, 4, GraphType::Er, 0).is_err());
        let full = simulate_dag(6, 15, GraphType::Er, 1).unwrap();
        assert!(is_dag(full.as_ref()));
    }

    #[test]
    fn sf_edge_count_and_pairs() {
        // m = 4 at d = 20: sum_t min(t, 4) = 1 + 2 + 3 + 4·16 = 70
        let b = simulate_dag(20, 80, GraphType::Sf, 3).unwrap();
        let edges: f64 = (0..20).flat_map(|i| (0..20).map(move |j| (i, j))).map(|(i, j)| b[(i, j)]).sum();
        assert_eq!(edges, 70.0);
        assert!(is_dag(b.as_ref()));
        assert_eq!(attachment(25, 10), 2); // 2.5 rounds to even
        assert_eq!(attachment(35, 10), 4);
        for k in 0..50 {
            let (lo, hi) = pair_of(k);
            assert!(lo < hi && hi * (hi - 1) / 2 + lo == k);
        }
    }
}
