//! Directed-graph utilities on weighted adjacency matrices (W[i, j] ≠ 0 means i → j):
//! acyclicity test, deterministic topological order, strongly connected components and the
//! cycle projection used after thresholding (greedy: strongest edges first, each kept unless it
//! closes a cycle).

use crate::error::{CoreError, Result};
use faer::{Mat, MatRef};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A d×d boolean matrix stored row-major (`mask[i * d + j]` is the entry (i, j)).
pub type Mask = Vec<bool>;

fn out_neighbours(w: MatRef<'_, f64>) -> Vec<Vec<usize>> {
    let d = w.nrows();
    (0..d).map(|i| (0..d).filter(|&j| w[(i, j)] != 0.0).collect()).collect()
}

/// Topological order (roots first) of the graph with edges where `w != 0`, choosing the
/// smallest available index first, or `None` when the graph has a cycle (a self-loop counts)
/// or W is not square.
pub fn topological_order(w: MatRef<'_, f64>) -> Option<Vec<usize>> {
    let d = w.nrows();
    if w.ncols() != d {
        return None;
    }
    let succ = out_neighbours(w);
    let mut indegree = vec![0usize; d];
    for list in &succ {
        for &j in list {
            indegree[j] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..d).filter(|&j| indegree[j] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(d);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &j in &succ[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse(j));
            }
        }
    }
    (order.len() == d).then_some(order)
}

/// The nodes of one directed cycle of the graph with edges where `w != 0` (in the cycle's
/// order, first node not repeated), or `None` for a DAG. A self-loop is a cycle of one node.
pub fn find_cycle(w: MatRef<'_, f64>) -> Option<Vec<usize>> {
    let succ = out_neighbours(w);
    let d = succ.len();
    // 0: unseen, 1: on the depth-first stack, 2: finished
    let mut state = vec![0u8; d];
    let mut parent = vec![usize::MAX; d];
    for root in 0..d {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&child) = succ[node].get(*next) {
                *next += 1;
                match state[child] {
                    0 => {
                        state[child] = 1;
                        parent[child] = node;
                        stack.push((child, 0));
                    }
                    1 => {
                        // the edge node -> child closes child -> ... -> node -> child
                        let mut cycle = vec![node];
                        while *cycle.last()? != child {
                            cycle.push(parent[*cycle.last()?]);
                        }
                        cycle.reverse();
                        return Some(cycle);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

/// True when the graph with edges where `w != 0` has no directed cycle.
pub fn is_dag(w: MatRef<'_, f64>) -> bool {
    topological_order(w).is_some()
}

/// Strongly connected components (Tarjan's algorithm, iterative) of a graph given by
/// successor lists. Components come out in reverse topological order.
pub fn strongly_connected_components(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = succ.len();
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, next successor position)
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if *pos < succ[v].len() {
                let u = succ[v][*pos];
                *pos += 1;
                if index[u] == UNSEEN {
                    index[u] = counter;
                    low[u] = counter;
                    counter += 1;
                    stack.push(u);
                    on_stack[u] = true;
                    call.push((u, 0));
                } else if on_stack[u] {
                    low[v] = low[v].min(index[u]);
                }
            } else {
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    loop {
                        let u = stack.pop().expect("Tarjan stack holds v");
                        on_stack[u] = false;
                        component.push(u);
                        if u == v {
                            break;
                        }
                    }
                    component.sort_unstable();
                    components.push(component);
                }
            }
        }
    }
    components
}

/// A topological order of the graph `mask` (row-major d×d) that stays as close as it can to
/// `preferred` (a permutation of 0..d): Kahn's algorithm taking, among the nodes whose parents
/// are all placed, the one earliest in `preferred`. `preferred` itself when it already fits.
///
/// Errors: `InvalidInput` when `preferred` is not a permutation of 0..d with d² = `mask.len()`;
/// `InvalidParameter` when the graph has a directed cycle.
pub fn order_respecting(mask: &Mask, preferred: &[usize]) -> Result<Vec<usize>> {
    let d = preferred.len();
    let mut rank = vec![usize::MAX; d];
    for (position, &node) in preferred.iter().enumerate() {
        if node >= d || rank[node] != usize::MAX {
            return Err(CoreError::InvalidInput(format!(
                "the order must be a permutation of 0..{d}, got {preferred:?}"
            )));
        }
        rank[node] = position;
    }
    if mask.len() != d * d {
        return Err(CoreError::InvalidInput(format!("the mask must have {d}x{d} entries")));
    }
    let mut waiting: Vec<usize> = (0..d).map(|j| (0..d).filter(|&i| mask[i * d + j]).count()).collect();
    let mut ready: std::collections::BTreeSet<(usize, usize)> =
        (0..d).filter(|&v| waiting[v] == 0).map(|v| (rank[v], v)).collect();
    let mut order = Vec::with_capacity(d);
    while let Some((_, node)) = ready.pop_first() {
        order.push(node);
        for child in (0..d).filter(|&j| mask[node * d + j]) {
            waiting[child] -= 1;
            if waiting[child] == 0 {
                ready.insert((rank[child], child));
            }
        }
    }
    if order.len() < d {
        return Err(CoreError::InvalidParameter("the required edges form a directed cycle".into()));
    }
    Ok(order)
}

/// Reachability of a growing DAG: for every node the bitset of its descendants and of its
/// ancestors (each including the node itself), updated on each insertion.
struct Reachability {
    words: usize,
    desc: Vec<u64>,
    anc: Vec<u64>,
}

impl Reachability {
    fn new(d: usize) -> Self {
        let words = d.div_ceil(64);
        let mut r = Reachability { words, desc: vec![0; d * words], anc: vec![0; d * words] };
        for v in 0..d {
            r.desc[v * words + v / 64] |= 1 << (v % 64);
            r.anc[v * words + v / 64] |= 1 << (v % 64);
        }
        r
    }

    fn bit(rows: &[u64], words: usize, row: usize, col: usize) -> bool {
        rows[row * words + col / 64] >> (col % 64) & 1 == 1
    }

    /// Whether a path leads from `from` to `to` (true when they are equal).
    fn reaches(&self, from: usize, to: usize) -> bool {
        Self::bit(&self.desc, self.words, from, to)
    }

    /// Adds the edge i → j, which must not close a cycle (`!self.reaches(j, i)`): every
    /// ancestor of i gains the descendants of j, every descendant of j the ancestors of i.
    fn insert(&mut self, i: usize, j: usize) {
        if self.reaches(i, j) {
            return; // the edge adds no new path
        }
        let w = self.words;
        let below: Vec<u64> = self.desc[j * w..(j + 1) * w].to_vec();
        let above: Vec<u64> = self.anc[i * w..(i + 1) * w].to_vec();
        // An ancestor u of i that already reaches j already reaches all of j's descendants; the
        // same holds the other way round, so only rows that change are touched.
        for_each_bit(&above, |u| {
            if !Self::bit(&self.desc, w, u, j) {
                self.desc[u * w..(u + 1) * w].iter_mut().zip(&below).for_each(|(a, b)| *a |= b);
            }
        });
        for_each_bit(&below, |v| {
            if !Self::bit(&self.anc, w, v, i) {
                self.anc[v * w..(v + 1) * w].iter_mut().zip(&above).for_each(|(a, b)| *a |= b);
            }
        });
    }
}

/// Calls `f` with the index of every set bit of `bits`, in increasing order.
fn for_each_bit(bits: &[u64], mut f: impl FnMut(usize)) {
    for (k, &word) in bits.iter().enumerate() {
        let mut rest = word;
        while rest != 0 {
            f(k * 64 + rest.trailing_zeros() as usize);
            rest &= rest - 1;
        }
    }
}

/// A maximal acyclic subgraph of W, strongest edges first (greedy); an acyclic W
/// is returned unchanged (the diagonal zeroed).
///
/// The edges (entries `w != 0` off the diagonal) are taken in turn: first the required ones
/// (marked in `required`, row-major d×d; they count as edges even where W is 0, as in a
/// learner's `adjacency`), then the others by decreasing |w|, ties by (i, j) in row-major
/// order. Each edge is kept unless it closes a directed cycle with the edges kept before it.
/// The result is acyclic, keeps every required edge, and is maximal: putting any removed
/// edge back creates a cycle. Reachability is kept in bitsets of descendants and ancestors
/// updated on each insertion (a row is touched only when it gains a node), so an edge costs
/// two bit tests unless it adds new paths (timings: benchmarks/bench_projection.py).
///
/// Errors: `InvalidInput` when the required edges alone form a cycle or shapes disagree.
pub fn project_to_dag(w: MatRef<'_, f64>, required: Option<&Mask>) -> Result<Mat<f64>> {
    let d = w.nrows();
    if w.ncols() != d {
        return Err(CoreError::InvalidInput(format!("W must be square, got {}x{}", d, w.ncols())));
    }
    if let Some(mask) = required {
        if mask.len() != d * d {
            return Err(CoreError::InvalidInput("the required-edge mask does not match W".into()));
        }
    }
    let mut out = w.to_owned();
    for i in 0..d {
        out[(i, i)] = 0.0;
    }
    let is_required = |i: usize, j: usize| required.is_some_and(|m| m[i * d + j]);
    let mut reach = Reachability::new(d);
    // Required edges first (in row-major order: they are all kept or the call fails).
    for i in 0..d {
        for j in (0..d).filter(|&j| j != i && is_required(i, j)) {
            if reach.reaches(j, i) {
                return Err(CoreError::InvalidInput("the required edges form a directed cycle".into()));
            }
            reach.insert(i, j);
        }
    }
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    for i in 0..d {
        for j in 0..d {
            if i != j && out[(i, j)] != 0.0 && !is_required(i, j) {
                edges.push((out[(i, j)].abs(), i, j));
            }
        }
    }
    // Strongest first; ties by (i, j). (A stable sort keeps the row-major order of ties.)
    edges.sort_by(|p, q| q.0.total_cmp(&p.0));
    for (_, i, j) in edges {
        if reach.reaches(j, i) {
            out[(i, j)] = 0.0;
        } else {
            reach.insert(i, j);
        }
    }
    Ok(out)
}

/// Zeroes entries with |w| < `threshold` (except required ones) and the diagonal.
pub fn threshold(w: MatRef<'_, f64>, threshold: f64, required: Option<&Mask>) -> Mat<f64> {
    let d = w.nrows();
    Mat::from_fn(d, w.ncols(), |i, j| {
        let keep = required.is_some_and(|m| m[i * d + j]) || w[(i, j)].abs() >= threshold;
        if i != j && keep {
            w[(i, j)]
        } else {
            0.0
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn from_edges(d: usize, edges: &[(usize, usize, f64)]) -> Mat<f64> {
        let mut w = Mat::<f64>::zeros(d, d);
        for &(i, j, v) in edges {
            w[(i, j)] = v;
        }
        w
    }

    #[test]
    fn find_cycle_names_the_nodes_of_a_cycle() {
        let c = from_edges(4, &[(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0), (3, 0, 1.0)]);
        let cycle = find_cycle(c.as_ref()).unwrap();
        assert_eq!(cycle, vec![0, 1, 2]);
        assert_eq!(find_cycle(from_edges(2, &[(1, 1, 1.0)]).as_ref()), Some(vec![1]));
        assert_eq!(find_cycle(from_edges(3, &[(0, 1, 1.0), (1, 2, 1.0)]).as_ref()), None);
    }

    #[test]
    fn order_and_dag() {
        let w = from_edges(4, &[(2, 0, 1.0), (0, 1, 1.0), (3, 1, 1.0)]);
        assert_eq!(topological_order(w.as_ref()), Some(vec![2, 0, 3, 1]));
        let c = from_edges(3, &[(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)]);
        assert!(!is_dag(c.as_ref()));
    }

    #[test]
    fn projection_keeps_a_dag_and_cuts_the_weakest_edge() {
        let dag = from_edges(3, &[(0, 1, 0.5), (1, 2, -2.0)]);
        assert_eq!(project_to_dag(dag.as_ref(), None).unwrap(), dag);
        let cyc = from_edges(4, &[(0, 1, 0.9), (1, 2, -0.8), (2, 0, 0.7), (2, 3, 0.1)]);
        let p = project_to_dag(cyc.as_ref(), None).unwrap();
        assert_eq!(p, from_edges(4, &[(0, 1, 0.9), (1, 2, -0.8), (2, 3, 0.1)]));
    }

    #[test]
    fn projection_removes_only_what_closes_a_cycle() {
        // 0 -> 1 (5), 1 -> 0 (6), 1 -> 2 (3), 2 -> 0 (9): 2 -> 0 and 1 -> 0 are kept, 0 -> 1
        // closes 0 -> 1 -> 0 and goes, 1 -> 2 closes nothing and stays.
        let w = from_edges(3, &[(0, 1, 5.0), (1, 0, 6.0), (1, 2, 3.0), (2, 0, 9.0)]);
        let p = project_to_dag(w.as_ref(), None).unwrap();
        assert_eq!(p, from_edges(3, &[(1, 0, 6.0), (1, 2, 3.0), (2, 0, 9.0)]));
    }

    #[test]
    fn projection_zeroes_the_diagonal_and_breaks_ties_row_major() {
        let mut w = from_edges(3, &[(0, 1, 1.0), (1, 2, -1.0), (2, 0, 1.0)]);
        w[(1, 1)] = 4.0;
        // equal |w|: (0, 1) then (1, 2) are kept, (2, 0) closes the cycle
        let p = project_to_dag(w.as_ref(), None).unwrap();
        assert_eq!(p, from_edges(3, &[(0, 1, 1.0), (1, 2, -1.0)]));
    }

    #[test]
    fn projection_respects_required_edges() {
        let cyc = from_edges(3, &[(0, 1, 0.9), (1, 2, 0.8), (2, 0, 0.7)]);
        let mut req = vec![false; 9];
        req[2 * 3] = true; // 2 -> 0
        let p = project_to_dag(cyc.as_ref(), Some(&req)).unwrap();
        assert!(is_dag(p.as_ref()) && p[(2, 0)] == 0.7 && p[(0, 1)] == 0.9 && p[(1, 2)] == 0.0);
        let all = vec![true; 9];
        assert!(project_to_dag(cyc.as_ref(), Some(&all)).is_err());
        // a required edge of weight 0 still counts: 1 -> 0 required, so 0 -> 1 must go
        let w = from_edges(2, &[(0, 1, 1.0)]);
        let mut req = vec![false; 4];
        req[2] = true;
        assert_eq!(project_to_dag(w.as_ref(), Some(&req)).unwrap(), Mat::<f64>::zeros(2, 2));
    }

    /// A small pseudo-random matrix: entries drawn from a few values (so that ties occur),
    /// about `density` of them nonzero, and a required mask that is a random DAG's edges.
    fn random_case(rng: &mut impl Rng, d: usize) -> (Mat<f64>, Mask) {
        const VALUES: [f64; 5] = [-1.0, -0.5, 0.5, 1.0, 2.0];
        let density: f64 = rng.random_range(0.2..0.9);
        let w = Mat::from_fn(d, d, |i, j| {
            if i != j && rng.random::<f64>() < density {
                VALUES[rng.random_range(0..VALUES.len())]
            } else {
                0.0
            }
        });
        let perm = {
            let mut p: Vec<usize> = (0..d).collect();
            for k in (1..d).rev() {
                p.swap(k, rng.random_range(0..=k));
            }
            p
        };
        let mut rank = vec![0; d];
        for (r, &v) in perm.iter().enumerate() {
            rank[v] = r;
        }
        let with_required = rng.random::<f64>() < 0.5;
        let required =
            (0..d * d).map(|k| with_required && rank[k / d] < rank[k % d] && rng.random::<f64>() < 0.2).collect();
        (w, required)
    }

    /// The greedy rule written naively: a full acyclicity test for every edge.
    fn naive_greedy(w: &Mat<f64>, required: &Mask) -> Mat<f64> {
        let d = w.nrows();
        let mut kept = Mat::<f64>::zeros(d, d);
        let mut order: Vec<(bool, f64, usize, usize)> = Vec::new();
        for i in 0..d {
            for j in 0..d {
                if i != j && (w[(i, j)] != 0.0 || required[i * d + j]) {
                    order.push((required[i * d + j], w[(i, j)].abs(), i, j));
                }
            }
        }
        order.sort_by(|p, q| q.0.cmp(&p.0).then(q.1.total_cmp(&p.1)).then((p.2, p.3).cmp(&(q.2, q.3))));
        let mut out = Mat::<f64>::zeros(d, d);
        for (_, _, i, j) in order {
            kept[(i, j)] = 1.0;
            if is_dag(kept.as_ref()) {
                out[(i, j)] = w[(i, j)];
            } else {
                kept[(i, j)] = 0.0;
            }
        }
        out
    }

    #[test]
    fn projection_is_acyclic_maximal_and_keeps_required_edges() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for case in 0..300 {
            let d = 2 + case % 7;
            let (w, required) = random_case(&mut rng, d);
            let p = project_to_dag(w.as_ref(), Some(&required)).unwrap();
            // the graph of the result, required edges included
            let graph = Mat::from_fn(d, d, |i, j| if p[(i, j)] != 0.0 || required[i * d + j] { 1.0 } else { 0.0 });
            assert!(is_dag(graph.as_ref()), "case {case}: a cycle is left");
            for i in 0..d {
                for j in 0..d {
                    if required[i * d + j] {
                        assert_eq!(p[(i, j)], w[(i, j)], "case {case}: required ({i}, {j}) changed");
                    } else if p[(i, j)] != 0.0 {
                        assert_eq!(p[(i, j)], w[(i, j)], "case {case}: weight ({i}, {j}) changed");
                    } else if i != j && w[(i, j)] != 0.0 {
                        // maximal: the removed edge cannot be put back
                        let mut back = graph.clone();
                        back[(i, j)] = 1.0;
                        assert!(!is_dag(back.as_ref()), "case {case}: ({i}, {j}) was removed needlessly");
                    }
                }
            }
            assert_eq!(p, naive_greedy(&w, &required), "case {case}: not the greedy rule");
        }
    }

    #[test]
    fn projection_leaves_random_dags_unchanged() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        for d in [1, 2, 5, 20, 80] {
            let (w, _) = random_case(&mut rng, d);
            // keep the entries that go forward in a random order of the nodes
            let mut rank: Vec<usize> = (0..d).collect();
            for k in (1..d).rev() {
                rank.swap(k, rng.random_range(0..=k));
            }
            let dag = Mat::from_fn(d, d, |i, j| if rank[i] < rank[j] { w[(i, j)] } else { 0.0 });
            assert!(is_dag(dag.as_ref()));
            assert_eq!(project_to_dag(dag.as_ref(), None).unwrap(), dag);
        }
    }

    #[test]
    fn projection_of_a_complete_graph_keeps_a_total_order() {
        // every off-diagonal entry nonzero: a maximal acyclic subgraph is a transitive
        // tournament, d(d-1)/2 edges
        let d = 60;
        let w = Mat::from_fn(
            d,
            d,
            |i, j| if i == j { 0.0 } else { (((i * 7919 + j * 104729) % 1000) as f64 + 1.0) / 1000.0 },
        );
        let p = project_to_dag(w.as_ref(), None).unwrap();
        assert!(is_dag(p.as_ref()));
        let kept = (0..d).flat_map(|i| (0..d).map(move |j| (i, j))).filter(|&(i, j)| p[(i, j)] != 0.0).count();
        assert_eq!(kept, d * (d - 1) / 2);
    }
}
