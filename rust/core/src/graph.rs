//! Directed-graph utilities on weighted adjacency matrices (W[i, j] ≠ 0 means i → j):
//! acyclicity test, deterministic topological order, strongly connected components and the
//! cycle projection used after thresholding.

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

/// An edge inside a component, in local node numbering.
#[derive(Clone, Copy)]
struct Edge {
    from: usize,
    to: usize,
    strength: f64,
    required: bool,
}

/// Whether the local graph made of `edges` (all but the first `skip` removable ones, in the
/// given order) is strongly connected over `k` nodes.
fn strongly_connected(k: usize, edges: &[Edge], removable: &[usize], skip: usize) -> bool {
    let mut removed = vec![false; edges.len()];
    for &e in &removable[..skip] {
        removed[e] = true;
    }
    let mut fwd = vec![Vec::new(); k];
    let mut bwd = vec![Vec::new(); k];
    for (e, edge) in edges.iter().enumerate() {
        if !removed[e] {
            fwd[edge.from].push(edge.to);
            bwd[edge.to].push(edge.from);
        }
    }
    let reaches_all = |adj: &Vec<Vec<usize>>| {
        let mut seen = vec![false; k];
        let mut todo = vec![0usize];
        seen[0] = true;
        let mut count = 1;
        while let Some(v) = todo.pop() {
            for &u in &adj[v] {
                if !seen[u] {
                    seen[u] = true;
                    count += 1;
                    todo.push(u);
                }
            }
        }
        count == k
    };
    reaches_all(&fwd) && reaches_all(&bwd)
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

/// Removes edges from W until it is acyclic, leaving an acyclic W unchanged.
///
/// Within each strongly connected component, the weakest edge (smallest |w|, ties broken by
/// (i, j)) is removed, repeatedly, while the component is still strongly connected; this is
/// computed by finding the smallest k such that removing the k weakest edges disconnects it
/// (doubling, then bisection), after which the new components are processed the same way.
/// Edges marked in `required` (row-major d×d) are never removed.
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
    let succ = out_neighbours(out.as_ref());
    let mut work: Vec<Vec<usize>> = strongly_connected_components(&succ).into_iter().filter(|c| c.len() > 1).collect();
    while let Some(nodes) = work.pop() {
        let k = nodes.len();
        let mut edges = Vec::new();
        for (a, &i) in nodes.iter().enumerate() {
            for (b, &j) in nodes.iter().enumerate() {
                if i != j && out[(i, j)] != 0.0 {
                    edges.push(Edge { from: a, to: b, strength: out[(i, j)].abs(), required: is_required(i, j) });
                }
            }
        }
        // Removable edges, weakest first; ties by (i, j) in global numbering.
        let mut removable: Vec<usize> = (0..edges.len()).filter(|&e| !edges[e].required).collect();
        removable.sort_by(|&p, &q| {
            let (ep, eq) = (&edges[p], &edges[q]);
            ep.strength
                .total_cmp(&eq.strength)
                .then((nodes[ep.from], nodes[ep.to]).cmp(&(nodes[eq.from], nodes[eq.to])))
        });
        if strongly_connected(k, &edges, &removable, removable.len()) {
            return Err(CoreError::InvalidInput("the required edges form a directed cycle".into()));
        }
        // Smallest `cut` with the component no longer strongly connected: doubling, bisection.
        let mut hi = 1;
        while hi < removable.len() && strongly_connected(k, &edges, &removable, hi) {
            hi = (hi * 2).min(removable.len());
        }
        let mut lo = hi / 2; // strongly connected after removing `lo` (or lo = 0)
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if strongly_connected(k, &edges, &removable, mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        for &e in &removable[..hi] {
            out[(nodes[edges[e].from], nodes[edges[e].to])] = 0.0;
        }
        // Split what is left of this component and keep working on its cyclic parts.
        let local_succ: Vec<Vec<usize>> =
            (0..k).map(|a| (0..k).filter(|&b| a != b && out[(nodes[a], nodes[b])] != 0.0).collect()).collect();
        for component in strongly_connected_components(&local_succ) {
            if component.len() > 1 {
                work.push(component.into_iter().map(|a| nodes[a]).collect());
            }
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
    fn projection_respects_required_edges() {
        let cyc = from_edges(3, &[(0, 1, 0.9), (1, 2, 0.8), (2, 0, 0.7)]);
        let mut req = vec![false; 9];
        req[2 * 3] = true; // 2 -> 0
        let p = project_to_dag(cyc.as_ref(), Some(&req)).unwrap();
        assert!(is_dag(p.as_ref()) && p[(2, 0)] == 0.7 && p[(0, 1)] == 0.9 && p[(1, 2)] == 0.0);
        let all = vec![true; 9];
        assert!(project_to_dag(cyc.as_ref(), Some(&all)).is_err());
    }

    #[test]
    fn projection_of_a_dense_matrix_is_a_dag() {
        let d = 60;
        let w = Mat::from_fn(
            d,
            d,
            |i, j| if i == j { 0.0 } else { (((i * 7919 + j * 104729) % 1000) as f64 + 1.0) / 1000.0 },
        );
        let p = project_to_dag(w.as_ref(), None).unwrap();
        assert!(is_dag(p.as_ref()));
    }
}
