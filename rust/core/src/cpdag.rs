//! Equivalence classes of DAGs. The CPDAG (essential graph) of a DAG keeps the edges that every
//! Markov-equivalent DAG orients the same way and leaves the others undirected; under a family
//! of intervention targets, the interventional essential graph does the same for the DAGs that
//! are also equivalent under those interventions.
//!
//! Observational: orient the v-structures, then close under Meek's rules (Meek, UAI 1995;
//! Chickering, UAI 1995 and JMLR 2002 prove the result is the essential graph). Interventional
//! (Hauser & Bühlmann, JMLR 2012): for a conservative family of targets (every node left alone
//! by at least one of them, e.g. when the observational ∅ is in the family), two DAGs are
//! equivalent when they also agree on the orientation of every edge with exactly one endpoint in
//! some target, since the intervention cuts that edge in one orientation only. Those edges are
//! known orientations on top of the v-structures, and Meek's rules with background knowledge
//! close them to the interventional essential graph. Rule 4, which only background knowledge
//! can make fire, is applied too; on thousands of random DAGs with random targets (d ≤ 5) it
//! was never needed, but it is sound and cheap, so the closure does not rely on that.
//!
//! A partially directed graph is a row-major d×d [`Mask`]: `m[i * d + j]` and not `m[j * d + i]`
//! is the edge i → j, both entries the undirected edge i − j.

use crate::error::{CoreError, Result};
use crate::graph::{find_cycle, topological_order, Mask};
use faer::MatRef;

/// A partially directed graph with its (fixed) skeleton's neighbour lists.
struct Pdag {
    d: usize,
    mark: Mask,
    neighbours: Vec<Vec<usize>>,
}

impl Pdag {
    fn new(d: usize, mark: Mask) -> Self {
        let neighbours =
            (0..d).map(|i| (0..d).filter(|&j| j != i && (mark[i * d + j] || mark[j * d + i])).collect()).collect();
        Pdag { d, mark, neighbours }
    }

    fn has(&self, i: usize, j: usize) -> bool {
        self.mark[i * self.d + j]
    }

    fn adjacent(&self, i: usize, j: usize) -> bool {
        self.has(i, j) || self.has(j, i)
    }

    fn directed(&self, i: usize, j: usize) -> bool {
        self.has(i, j) && !self.has(j, i)
    }

    fn undirected(&self, i: usize, j: usize) -> bool {
        self.has(i, j) && self.has(j, i)
    }

    /// Turns the edge between i and j into i → j.
    fn orient(&mut self, i: usize, j: usize) {
        self.mark[j * self.d + i] = false;
    }

    /// Whether one of Meek's rules orients the undirected edge a − b as a → b. Each rule says
    /// that b → a would create a directed cycle or a v-structure that the graph does not have.
    fn meek_orients(&self, a: usize, b: usize) -> bool {
        let around_a = &self.neighbours[a];
        // R1: c → a − b with c, b not adjacent
        let r1 = || around_a.iter().any(|&c| self.directed(c, a) && !self.adjacent(c, b));
        // R2: a → c → b
        let r2 = || around_a.iter().any(|&c| self.directed(a, c) && self.directed(c, b));
        // R3: a − c → b and a − e → b with c, e not adjacent
        let r3 = || {
            let middle: Vec<usize> =
                around_a.iter().copied().filter(|&c| self.undirected(a, c) && self.directed(c, b)).collect();
            middle.iter().enumerate().any(|(k, &c)| middle[k + 1..].iter().any(|&e| !self.adjacent(c, e)))
        };
        // R4: c → e → b with a adjacent to c and e, and c, b not adjacent. Only background
        // knowledge (here: edges cut by an intervention) makes it fire. Meek states it for
        // a − c; any mark on a, c is sound: c → a would already fire R1, and with a → c the
        // orientation b → a would close the cycle b → a → c → e → b.
        let r4 = || {
            around_a
                .iter()
                .any(|&e| self.directed(e, b) && around_a.iter().any(|&c| self.directed(c, e) && !self.adjacent(c, b)))
        };
        r1() || r2() || r3() || r4()
    }

    /// Applies Meek's rules until none orients another edge.
    fn close_under_meek_rules(&mut self) {
        loop {
            let mut changed = false;
            for a in 0..self.d {
                for k in 0..self.neighbours[a].len() {
                    let b = self.neighbours[a][k];
                    if self.undirected(a, b) && self.meek_orients(a, b) {
                        self.orient(a, b);
                        changed = true;
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }
}

/// The 0/1 mask of the graph with edges where `w != 0`, or `InvalidInput` naming a directed
/// cycle (a self-loop counts) when it is not a DAG.
fn dag_mask(w: MatRef<'_, f64>) -> Result<Mask> {
    let d = w.nrows();
    if w.ncols() != d {
        return Err(CoreError::InvalidInput(format!("W must be square, got {}x{}", d, w.ncols())));
    }
    if topological_order(w).is_none() {
        let cycle = find_cycle(w).unwrap_or_default();
        let path: Vec<String> = cycle.iter().chain(cycle.first()).map(|v| v.to_string()).collect();
        return Err(CoreError::InvalidInput(format!(
            "W is not a DAG: it has the directed cycle {}",
            path.join(" -> ")
        )));
    }
    Ok((0..d * d).map(|k| w[(k / d, k % d)] != 0.0).collect())
}

/// For each target set, which nodes it holds; checks the indices and that the family is
/// conservative (every node left alone by at least one set).
fn target_membership(d: usize, targets: &[Vec<usize>]) -> Result<Vec<Vec<bool>>> {
    if targets.is_empty() {
        return Err(CoreError::InvalidInput(
            "the family of intervention targets is empty: give at least one set, e.g. [[]] for observational data"
                .into(),
        ));
    }
    let mut membership = Vec::with_capacity(targets.len());
    for (k, target) in targets.iter().enumerate() {
        let mut inside = vec![false; d];
        for &v in target {
            if v >= d {
                return Err(CoreError::InvalidInput(format!(
                    "target set {k} names node {v}, but the graph has nodes 0..{d}"
                )));
            }
            inside[v] = true;
        }
        membership.push(inside);
    }
    if let Some(v) = (0..d).find(|&v| membership.iter().all(|inside| inside[v])) {
        return Err(CoreError::InvalidInput(format!(
            "node {v} is in every target set: the interventional essential graph (Hauser & Bühlmann 2012) \
             needs a conservative family, in which every node is left alone by some set (add [] for \
             observational data)"
        )));
    }
    Ok(membership)
}

/// The essential graph of a DAG as a row-major mask (see the module docs for the encoding):
/// the CPDAG for the observational family `[[]]`, the interventional essential graph of Hauser
/// & Bühlmann (JMLR 2012) for a conservative family of intervention target sets.
///
/// Errors: `InvalidInput` when W is not square or has a directed cycle (named), a target names
/// a node ≥ d, the family is empty, or a node is in every target set.
pub fn essential_graph(w: MatRef<'_, f64>, targets: &[Vec<usize>]) -> Result<Mask> {
    let dag = dag_mask(w)?;
    let d = w.nrows();
    let membership = target_membership(d, targets)?;
    let mut mark = dag.clone();
    for i in 0..d {
        for j in 0..d {
            if dag[i * d + j] {
                mark[j * d + i] = true; // start from the skeleton: every edge undirected
            }
        }
    }
    let mut pdag = Pdag::new(d, mark);
    let edge = |i: usize, j: usize| dag[i * d + j];
    for b in 0..d {
        let parents: Vec<usize> = (0..d).filter(|&a| edge(a, b)).collect();
        for (k, &a) in parents.iter().enumerate() {
            for &c in &parents[k + 1..] {
                if !edge(a, c) && !edge(c, a) {
                    // the v-structure a → b ← c
                    pdag.orient(a, b);
                    pdag.orient(c, b);
                }
            }
            // an intervention on exactly one of a, b cuts a → b but would not cut b → a
            if membership.iter().any(|inside| inside[a] != inside[b]) {
                pdag.orient(a, b);
            }
        }
    }
    pdag.close_under_meek_rules();
    Ok(pdag.mark)
}

/// A DAG with the skeleton and directed edges of the partially directed graph `pdag` and no
/// v-structure that `pdag` lacks (a consistent extension, Dor & Tarsi 1992), or `None` when it
/// has none. Repeatedly takes a node x with no directed edge out of it whose undirected
/// neighbours are adjacent to all of x's other neighbours, directs its undirected edges into x
/// and removes it.
pub fn consistent_extension(pdag: &Mask, d: usize) -> Option<Mask> {
    let graph = Pdag::new(d, pdag.clone());
    let mut dag = pdag.clone();
    let mut removed = vec![false; d];
    let mut left = (0..d).filter(|&v| !graph.has(v, v)).count();
    if left < d {
        return None; // a self-loop
    }
    while left > 0 {
        let sink = (0..d).find(|&x| {
            !removed[x] && {
                let around: Vec<usize> = graph.neighbours[x].iter().copied().filter(|&y| !removed[y]).collect();
                around.iter().all(|&y| !graph.directed(x, y))
                    && around
                        .iter()
                        .filter(|&&y| graph.undirected(x, y))
                        .all(|&y| around.iter().all(|&z| z == y || graph.adjacent(y, z)))
            }
        })?;
        for &y in &graph.neighbours[sink] {
            if !removed[y] && graph.undirected(sink, y) {
                dag[sink * d + y] = false; // y → sink
            }
        }
        removed[sink] = true;
        left -= 1;
    }
    Some(dag)
}

/// Whether `pdag` (row-major d×d) is the essential graph of some DAG for the family `targets`
/// (`[[]]`: a CPDAG): it has a consistent extension whose essential graph it is.
///
/// Errors: `InvalidInput` when `pdag` does not have d² entries; as [`essential_graph`] for the
/// targets.
pub fn is_essential_graph(pdag: &Mask, d: usize, targets: &[Vec<usize>]) -> Result<bool> {
    if pdag.len() != d * d {
        return Err(CoreError::InvalidInput(format!("the graph must have {d}x{d} entries, got {}", pdag.len())));
    }
    target_membership(d, targets)?;
    let Some(dag) = consistent_extension(pdag, d) else {
        return Ok(false);
    };
    let w = faer::Mat::from_fn(d, d, |i, j| if dag[i * d + j] { 1.0 } else { 0.0 });
    Ok(essential_graph(w.as_ref(), targets)? == *pdag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    const EMPTY_FAMILY: &[Vec<usize>] = &[];

    fn observational() -> Vec<Vec<usize>> {
        vec![vec![]]
    }

    fn dag(d: usize, edges: &[(usize, usize)]) -> Mat<f64> {
        let mut w = Mat::<f64>::zeros(d, d);
        for &(i, j) in edges {
            w[(i, j)] = 1.0;
        }
        w
    }

    /// A partially directed graph from its directed and undirected edges.
    fn pdag(d: usize, directed: &[(usize, usize)], undirected: &[(usize, usize)]) -> Mask {
        let mut m = vec![false; d * d];
        for &(i, j) in directed {
            m[i * d + j] = true;
        }
        for &(i, j) in undirected {
            m[i * d + j] = true;
            m[j * d + i] = true;
        }
        m
    }

    fn cpdag(d: usize, edges: &[(usize, usize)]) -> Mask {
        essential_graph(dag(d, edges).as_ref(), &observational()).unwrap()
    }

    #[test]
    fn a_chain_is_all_undirected() {
        assert_eq!(cpdag(3, &[(0, 1), (1, 2)]), pdag(3, &[], &[(0, 1), (1, 2)]));
    }

    #[test]
    fn a_collider_stays_directed() {
        assert_eq!(cpdag(3, &[(0, 1), (2, 1)]), pdag(3, &[(0, 1), (2, 1)], &[]));
    }

    #[test]
    fn a_shielded_collider_is_undirected() {
        // 0 → 1 ← 2 with 0 → 2: a complete graph, every orientation equivalent
        let edges = [(0, 1), (2, 1), (0, 2)];
        assert_eq!(cpdag(3, &edges), pdag(3, &[], &edges));
    }

    #[test]
    fn meek_rule_1_orients_away_from_a_collider() {
        // 0 → 2 ← 1 and 2 → 3: 3 is not adjacent to 0, so 2 → 3 is compelled (R1)
        let edges = [(0, 2), (1, 2), (2, 3)];
        assert_eq!(cpdag(4, &edges), pdag(4, &edges, &[]));
    }

    #[test]
    fn meek_rule_2_avoids_a_cycle() {
        // 0 → 2 ← 1 (v-structure), 2 → 3 by R1, and 0 → 3: 0 − 3 would close 3 → 0 → 2 → 3, so
        // 0 → 3 (R2)
        let edges = [(0, 2), (1, 2), (2, 3), (0, 3)];
        assert_eq!(cpdag(4, &edges), pdag(4, &edges, &[]));
        // R2 alone, on a partially directed graph: 0 → 1 → 2 and 0 − 2 gives 0 → 2
        let mut g = Pdag::new(3, pdag(3, &[(0, 1), (1, 2)], &[(0, 2)]));
        g.close_under_meek_rules();
        assert_eq!(g.mark, pdag(3, &[(0, 1), (1, 2), (0, 2)], &[]));
    }

    #[test]
    fn meek_rule_3_orients_the_diagonal_of_a_kite() {
        // 1 → 3 ← 2 (v-structure) and 0 adjacent to 1, 2, 3: 0 − 1, 0 − 2 stay undirected and
        // 0 − 3 becomes 0 → 3 (R3; R1 and R2 cannot fire)
        let edges = [(1, 3), (2, 3), (0, 1), (0, 2), (0, 3)];
        assert_eq!(cpdag(4, &edges), pdag(4, &[(1, 3), (2, 3), (0, 3)], &[(0, 1), (0, 2)]));
        let mut g = Pdag::new(4, pdag(4, &[(1, 3), (2, 3)], &[(0, 1), (0, 2), (0, 3)]));
        assert!(g.meek_orients(0, 3) && !g.meek_orients(3, 0));
        g.close_under_meek_rules();
        assert_eq!(g.mark, pdag(4, &[(1, 3), (2, 3), (0, 3)], &[(0, 1), (0, 2)]));
    }

    #[test]
    fn meek_rule_4_uses_background_knowledge() {
        // a = 0, b = 1, c = 2, e = 3: 2 → 3 → 1 known (e.g. from interventions), 0 − 1, 0 − 2,
        // 0 − 3 undirected, 2 and 1 not adjacent. R1–R3 cannot orient 0 − 1 (no directed edge
        // into 0, no directed path 0 → · → 1, only one undirected neighbour of 0 points to 1);
        // R4 gives 0 → 1, and nothing gives 1 → 0.
        let g = Pdag::new(4, pdag(4, &[(2, 3), (3, 1)], &[(0, 1), (0, 2), (0, 3)]));
        assert!(g.meek_orients(0, 1));
        assert!(!g.meek_orients(1, 0));
    }

    #[test]
    fn interventions_orient_a_chain() {
        let chain = dag(3, &[(0, 1), (1, 2)]);
        // intervening on 0 cuts 0 − 1 (one endpoint); 1 − 2 then follows by R1
        let on_0 = essential_graph(chain.as_ref(), &[vec![], vec![0]]).unwrap();
        assert_eq!(on_0, pdag(3, &[(0, 1), (1, 2)], &[]));
        // intervening on 2 cuts 1 − 2 only: 0 − 1 stays undirected
        let on_2 = essential_graph(chain.as_ref(), &[vec![], vec![2]]).unwrap();
        assert_eq!(on_2, pdag(3, &[(1, 2)], &[(0, 1)]));
        // intervening on 0 and 1 together cuts only 1 − 2
        let on_01 = essential_graph(chain.as_ref(), &[vec![], vec![0, 1]]).unwrap();
        assert_eq!(on_01, pdag(3, &[(1, 2)], &[(0, 1)]));
        // a conservative family without ∅
        let both = essential_graph(chain.as_ref(), &[vec![0], vec![2]]).unwrap();
        assert_eq!(both, pdag(3, &[(0, 1), (1, 2)], &[]));
    }

    #[test]
    fn an_intervention_orients_through_meek_rules() {
        // Two triangles 0, 2, 3 and 0, 3, 1 sharing 0 − 3, no v-structure (the parents 0, 3 of
        // 1 and 0, 2 of 3 are adjacent): observationally every edge is undirected. Intervening
        // on {2} cuts 0 → 2 and 2 → 3; then R1 gives 3 → 1 (2 → 3, 2 and 1 not adjacent), R2
        // gives 0 → 3 (0 → 2 → 3) and 0 → 1 (0 → 3 → 1).
        let w = dag(4, &[(0, 1), (0, 2), (0, 3), (2, 3), (3, 1)]);
        let observed = essential_graph(w.as_ref(), &observational()).unwrap();
        assert_eq!(observed, pdag(4, &[], &[(0, 1), (0, 2), (0, 3), (2, 3), (1, 3)]));
        let on_2 = essential_graph(w.as_ref(), &[vec![], vec![2]]).unwrap();
        assert_eq!(on_2, pdag(4, &[(0, 1), (0, 2), (0, 3), (2, 3), (3, 1)], &[]));
    }

    #[test]
    fn bad_input_is_an_error() {
        let cyclic = dag(3, &[(0, 1), (1, 2), (2, 0)]);
        let err = essential_graph(cyclic.as_ref(), &observational()).unwrap_err();
        assert_eq!(err, CoreError::InvalidInput("W is not a DAG: it has the directed cycle 0 -> 1 -> 2 -> 0".into()));
        let mut looped = dag(2, &[]);
        looped[(1, 1)] = 0.5;
        assert!(essential_graph(looped.as_ref(), &observational()).is_err());
        let chain = dag(3, &[(0, 1), (1, 2)]);
        assert!(
            matches!(essential_graph(chain.as_ref(), &[vec![3]]), Err(CoreError::InvalidInput(m)) if m.contains("node 3"))
        );
        assert!(
            matches!(essential_graph(chain.as_ref(), &[vec![1], vec![1, 2]]), Err(CoreError::InvalidInput(m)) if m.contains("node 1 is in every"))
        );
        assert!(essential_graph(chain.as_ref(), EMPTY_FAMILY).is_err());
        let rectangular = Mat::<f64>::zeros(2, 3);
        assert!(essential_graph(rectangular.as_ref(), &observational()).is_err());
    }

    #[test]
    fn essential_graphs_are_recognised() {
        let obs = observational();
        assert!(is_essential_graph(&pdag(3, &[], &[(0, 1), (1, 2)]), 3, &obs).unwrap());
        assert!(is_essential_graph(&pdag(3, &[(0, 1), (2, 1)], &[]), 3, &obs).unwrap());
        // a directed chain is a DAG but not its own CPDAG
        assert!(!is_essential_graph(&pdag(3, &[(0, 1), (1, 2)], &[]), 3, &obs).unwrap());
        // ... unless an intervention on 0 orients it
        assert!(is_essential_graph(&pdag(3, &[(0, 1), (1, 2)], &[]), 3, &[vec![], vec![0]]).unwrap());
        // an undirected 4-cycle has no consistent extension (not chordal)
        let square = pdag(4, &[], &[(0, 1), (1, 2), (2, 3), (3, 0)]);
        assert!(consistent_extension(&square, 4).is_none());
        assert!(!is_essential_graph(&square, 4, &obs).unwrap());
        // 0 → 1 − 2 with 0, 2 not adjacent is not closed under R1
        assert!(!is_essential_graph(&pdag(3, &[(0, 1)], &[(1, 2)]), 3, &obs).unwrap());
        // a directed cycle has no extension
        assert!(consistent_extension(&pdag(3, &[(0, 1), (1, 2), (2, 0)], &[]), 3).is_none());
        assert!(is_essential_graph(&vec![false; 5], 2, &obs).is_err());
    }
}
