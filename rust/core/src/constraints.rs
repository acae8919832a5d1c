//! Which entries of W a learner optimises, and how prior knowledge shapes them.
//!
//! The diagonal and forbidden entries are not variables at all (fixed at 0); required entries
//! are variables exempt from the L1 term. Variables are listed column by column (j outer), so
//! a learner fills its column-major W buffer in memory order.

use crate::graph::Mask;

/// The free entries of a d×d W and the L1 weight of each.
#[derive(Debug, Clone)]
pub struct Variables {
    /// Matrix size.
    pub d: usize,
    /// (i, j) of each variable, column-major order.
    pub entries: Vec<(usize, usize)>,
    /// λ1 for each variable (0 for required edges).
    pub l1: Vec<f64>,
}

impl Variables {
    /// All off-diagonal entries not in `forbidden`; `required` ones get no L1 weight.
    pub fn new(d: usize, lambda1: f64, forbidden: Option<&Mask>, required: Option<&Mask>) -> Self {
        let marked = |mask: Option<&Mask>, i: usize, j: usize| mask.is_some_and(|m| m[i * d + j]);
        let entries: Vec<(usize, usize)> = (0..d)
            .flat_map(|j| (0..d).map(move |i| (i, j)))
            .filter(|&(i, j)| i != j && !marked(forbidden, i, j))
            .collect();
        let l1 = entries.iter().map(|&(i, j)| if marked(required, i, j) { 0.0 } else { lambda1 }).collect();
        Variables { d, entries, l1 }
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no entry is free.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The layout as two column-major d×d weight vectors, for learners that update all d²
    /// entries at once (contiguous, so the loops vectorise): `free` is 1 on variables and 0 on
    /// the diagonal and forbidden entries (multiplying a gradient by it keeps them at 0), `l1` is
    /// the L1 weight of each variable and 0 elsewhere.
    pub fn dense(&self) -> DenseVariables {
        let (mut free, mut l1) = (vec![0.0; self.d * self.d], vec![0.0; self.d * self.d]);
        self.fill(|_| 1.0, &mut free);
        self.fill(|v| self.l1[v], &mut l1);
        DenseVariables { free, l1 }
    }

    /// Writes `value(v)` for every variable v into a column-major d×d buffer (other entries are
    /// left as they are: zero in a zeroed buffer).
    pub fn fill(&self, value: impl Fn(usize) -> f64, buffer: &mut [f64]) {
        for (v, &(i, j)) in self.entries.iter().enumerate() {
            buffer[j * self.d + i] = value(v);
        }
    }
}

/// See [`Variables::dense`].
#[derive(Debug, Clone)]
pub struct DenseVariables {
    /// 1 on variables, 0 elsewhere (column-major d×d).
    pub free: Vec<f64>,
    /// The L1 weight of each variable, 0 elsewhere (column-major d×d).
    pub l1: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_skips_diagonal_and_forbidden_and_frees_required_from_l1() {
        let mut forbidden = vec![false; 9];
        forbidden[1] = true; // 0 -> 1
        let mut required = vec![false; 9];
        required[2 * 3] = true; // 2 -> 0
        let vars = Variables::new(3, 0.5, Some(&forbidden), Some(&required));
        assert_eq!(vars.entries, vec![(1, 0), (2, 0), (2, 1), (0, 2), (1, 2)]);
        assert_eq!(vars.l1, vec![0.5, 0.0, 0.5, 0.5, 0.5]);
        let mut buffer = vec![0.0; 9];
        vars.fill(|v| v as f64 + 1.0, &mut buffer);
        assert_eq!(buffer, vec![0.0, 1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 5.0, 0.0]);
    }
}
