//! What every learner returns: one result type for all of them.

use crate::canonical::Permutation;
use crate::error::{CoreError, Result};
use crate::graph::{topological_order, Mask};
use crate::learners::Prior;
use faer::Mat;

/// A learner-specific fitted quantity (front ends show it under its name). The `Node*` kinds
/// are indexed by node, so they follow the columns when a fit runs in another column order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Float(f64),
    Ints(Vec<i64>),
    Floats(Vec<f64>),
    Matrix(Mat<f64>),
    /// One number per node.
    NodeFloats(Vec<f64>),
    /// A d×d matrix over pairs of nodes.
    NodeMatrix(Mat<f64>),
    /// A list of node indices (e.g. an order).
    Nodes(Vec<usize>),
    /// A matrix whose columns are nodes (its rows are something else, e.g. environments).
    NodeColumns(Mat<f64>),
    /// A stack of d×d matrices over pairs of nodes (e.g. one graph per particle).
    NodeMatrices(Vec<Mat<f64>>),
}

impl Value {
    /// The same quantity for the input's column order, from the canonical order `perm`
    /// (quantities not indexed by node are unchanged).
    pub fn restored(self, perm: &Permutation) -> Value {
        match self {
            Value::NodeFloats(v) => Value::NodeFloats(perm.restore_vector(&v)),
            Value::NodeMatrix(m) => Value::NodeMatrix(perm.restore_matrix(&m)),
            Value::Nodes(nodes) => Value::Nodes(perm.restore_indices(&nodes)),
            Value::NodeColumns(m) => Value::NodeColumns(perm.restore_columns(&m)),
            Value::NodeMatrices(ms) => Value::NodeMatrices(ms.iter().map(|m| perm.restore_matrix(m)).collect()),
            other => other,
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(v as i64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<Vec<usize>> for Value {
    fn from(v: Vec<usize>) -> Self {
        Value::Ints(v.into_iter().map(|i| i as i64).collect())
    }
}
impl From<Vec<f64>> for Value {
    fn from(v: Vec<f64>) -> Self {
        Value::Floats(v)
    }
}
impl From<Mat<f64>> for Value {
    fn from(v: Mat<f64>) -> Self {
        Value::Matrix(v)
    }
}

/// A fitted learner: the graph, how the fit went, and the learner's own extras.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The optimiser's weights before thresholding and projection (may hold small cycles).
    pub raw_weights: Mat<f64>,
    /// The weighted adjacency of the learned DAG; `weights[(i, j)] != 0` means i → j. Zero
    /// diagonal.
    pub weights: Mat<f64>,
    /// 0/1 adjacency: the nonzero entries of `weights` plus every required edge (a required
    /// edge stays an edge when the data give it a weight of exactly 0). Always acyclic.
    pub adjacency: Mask,
    /// A topological order of `adjacency` (roots first, smallest index first among ties).
    pub order: Vec<usize>,
    /// Iterations of the learner's main loop (its unit is the learner's).
    pub n_iter: usize,
    /// Whether the learner's stopping rule was met.
    pub converged: bool,
    /// Objective after each outer iteration.
    pub history: Vec<f64>,
    /// Learner-specific quantities, by name.
    pub extras: Vec<(&'static str, Value)>,
    /// Things the user should know about this fit (front ends show them as warnings).
    pub warnings: Vec<String>,
}

impl Fitted {
    /// The result of a fit under `prior` whose final weights are `weights`; checks the promises
    /// every learner makes (a DAG, forbidden entries zero) and computes the adjacency and a
    /// topological order.
    pub fn new(
        raw_weights: Mat<f64>,
        mut weights: Mat<f64>,
        prior: &Prior,
        n_iter: usize,
        converged: bool,
        history: Vec<f64>,
    ) -> Result<Self> {
        let (forbidden, required) = (prior.forbidden.as_ref(), prior.required.as_ref());
        let d = weights.nrows();
        for k in 0..d {
            weights[(k, k)] = 0.0;
        }
        let marked = |mask: Option<&Mask>, i: usize, j: usize| mask.is_some_and(|m| m[i * d + j]);
        let mut adjacency = vec![false; d * d];
        for i in 0..d {
            for j in 0..d {
                if weights[(i, j)] != 0.0 && marked(forbidden, i, j) {
                    return Err(CoreError::Numerical("internal error: a forbidden edge has a nonzero weight".into()));
                }
                adjacency[i * d + j] = i != j && (weights[(i, j)] != 0.0 || marked(required, i, j));
            }
        }
        let graph = Mat::from_fn(d, d, |i, j| if adjacency[i * d + j] { 1.0 } else { 0.0 });
        let Some(order) = topological_order(graph.as_ref()) else {
            return Err(CoreError::Numerical("internal error: the learned graph has a cycle".into()));
        };
        Ok(Fitted {
            raw_weights,
            weights,
            adjacency,
            order,
            n_iter,
            converged,
            history,
            extras: Vec::new(),
            warnings: Vec::new(),
        })
    }

    /// The same fit in the input's column order, from the canonical order `perm` (adjacency and
    /// order recomputed; `restore_extra` maps the learner's own quantities that are not `Node*`).
    pub fn restored(
        self,
        perm: &Permutation,
        prior: &Prior,
        restore_extra: impl Fn(&str, Value) -> Result<Value>,
    ) -> Result<Self> {
        let mut fitted = Fitted::new(
            perm.restore_matrix(&self.raw_weights),
            perm.restore_matrix(&self.weights),
            prior,
            self.n_iter,
            self.converged,
            self.history,
        )?;
        for (name, value) in self.extras {
            fitted.extras.push((name, restore_extra(name, value.restored(perm))?));
        }
        fitted.warnings = self.warnings;
        Ok(fitted)
    }

    /// Adds a learner-specific quantity.
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.extras.push((name, value.into()));
        self
    }

    /// The extra called `name`, if any.
    pub fn extra(&self, name: &str) -> Option<&Value> {
        self.extras.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacency_order_and_required_edges() {
        let w = Mat::from_fn(3, 3, |i, j| if (i, j) == (2, 0) { 1.5 } else { 0.0 });
        let mut required = vec![false; 9];
        required[1] = true; // 0 -> 1 with weight 0
        let prior = Prior { required: Some(required), ..Prior::default() };
        let fitted = Fitted::new(w.clone(), w, &prior, 1, true, vec![]).unwrap();
        assert_eq!(fitted.adjacency, vec![false, true, false, false, false, false, true, false, false]);
        assert_eq!(fitted.order, vec![2, 0, 1]);
    }

    #[test]
    fn a_cycle_or_a_forbidden_weight_is_an_internal_error() {
        let cyclic = Mat::from_fn(2, 2, |i, j| if i != j { 1.0 } else { 0.0 });
        assert!(Fitted::new(cyclic.clone(), cyclic, &Prior::default(), 0, true, vec![]).is_err());
        let w = Mat::from_fn(2, 2, |i, j| if (i, j) == (0, 1) { 1.0 } else { 0.0 });
        let prior = Prior { forbidden: Some(vec![false, true, false, false]), ..Prior::default() };
        assert!(Fitted::new(w.clone(), w, &prior, 0, true, vec![]).is_err());
    }
}
