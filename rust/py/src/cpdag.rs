//! Equivalence classes: the essential graph (CPDAG) of a DAG and the test for one
//! (`acyclic_core::cpdag`).

use crate::convert::square_from;
use crate::errors::Error;
use acyclic_core::cpdag;
use acyclic_core::graph::Mask;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;

/// The family of target sets, `None` being the observational `[[]]`.
fn family(targets: Option<Vec<Vec<usize>>>) -> Vec<Vec<usize>> {
    targets.unwrap_or_else(|| vec![vec![]])
}

/// The essential graph of the DAG where W != 0, as a d×d int64 array: C[i, j] = 1, C[j, i] = 0
/// for a directed edge i → j, C[i, j] = C[j, i] = 1 for an undirected one. `targets` is a
/// conservative family of intervention target sets (None: observational).
#[pyfunction]
#[pyo3(signature = (w, targets = None))]
pub fn to_cpdag<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
    targets: Option<Vec<Vec<usize>>>,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let w = square_from(&w)?;
    let targets = family(targets);
    let mask = py.detach(|| cpdag::essential_graph(w.as_ref(), &targets)).map_err(Error)?;
    Ok(int_matrix(py, &mask, w.nrows()))
}

/// Whether the graph of marks C != 0 (C[i, j] and C[j, i] both nonzero: undirected) is the
/// essential graph of some DAG for `targets` (None: a CPDAG).
#[pyfunction]
#[pyo3(signature = (c, targets = None))]
pub fn is_cpdag(py: Python<'_>, c: PyReadonlyArray2<'_, f64>, targets: Option<Vec<Vec<usize>>>) -> PyResult<bool> {
    let c = square_from(&c)?;
    let d = c.nrows();
    let marks: Mask = (0..d * d).map(|k| c[(k / d, k % d)] != 0.0).collect();
    let targets = family(targets);
    Ok(py.detach(|| cpdag::is_essential_graph(&marks, d, &targets)).map_err(Error)?)
}

fn int_matrix<'py>(py: Python<'py>, mask: &Mask, d: usize) -> Bound<'py, PyArray2<i64>> {
    numpy::ndarray::Array2::from_shape_fn((d, d), |(i, j)| i64::from(mask[i * d + j])).into_pyarray(py)
}
