//! AIT's intervention scores (`acyclic_core::active`): statistics, graphs and candidates in,
//! one score per candidate out.

use crate::convert::to_numpy;
use crate::errors::Error;
use crate::progress::{run_cancellable, settle};
use crate::stats::groups_from;
use acyclic_core::active::{hypotheses, scores, Candidate, Hypothesis};
use acyclic_core::error::CoreError;
use acyclic_core::stats::SufficientStats;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::prelude::*;

/// `n` rows under do(X_target = value) from `graph` (d×d bool) with its least-squares
/// linear-Gaussian mechanisms fitted on the statistics (as `ait_scores`), in the units of the
/// columns divided by `scale` and centred; the standard normals come from `seed`.
#[pyfunction]
#[pyo3(signature = (stats, graph, target, value, n, seed, *, scale, patterns = None))]
#[allow(clippy::too_many_arguments)]
pub fn ait_simulate<'py>(
    py: Python<'py>,
    stats: &Bound<'py, PyAny>,
    graph: PyReadonlyArray2<'py, bool>,
    target: usize,
    value: f64,
    n: usize,
    seed: u64,
    scale: PyReadonlyArray1<'py, f64>,
    patterns: Option<PyReadonlyArray2<'py, bool>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (groups, patterns) = groups_from(stats, patterns)?;
    let scale = scale.as_slice()?.to_vec();
    let graph: Vec<bool> = graph.as_array().iter().copied().collect();
    let rows = py
        .detach(|| {
            let covariances = SufficientStats::node_covariances(&groups, &patterns, &scale)?;
            Hypothesis::fit(&graph, &covariances)?.sample(Candidate { target, value }, n, seed)
        })
        .map_err(Error)?;
    Ok(to_numpy(py, &rows))
}

/// AIT's score of each candidate do(X_targets[c] = values[c]) over the graphs `graphs` (K×d×d
/// bool, `graphs[k, i, j]` for i → j), their linear-Gaussian mechanisms fitted on the data's
/// statistics `stats` (one tuple, or with `patterns` (g×d bool) a list of g tuples, one per group
/// of rows with that intervention-mask row), the columns divided by `scale`; `n_samples` rows per
/// graph from the standard normals of `seed`.
#[pyfunction]
#[pyo3(signature = (stats, graphs, targets, values, n_samples, seed, *, scale, patterns = None, n_threads = 1))]
#[allow(clippy::too_many_arguments)]
pub fn ait_scores<'py>(
    py: Python<'py>,
    stats: &Bound<'py, PyAny>,
    graphs: PyReadonlyArray3<'py, bool>,
    targets: Vec<usize>,
    values: PyReadonlyArray1<'py, f64>,
    n_samples: usize,
    seed: u64,
    scale: PyReadonlyArray1<'py, f64>,
    patterns: Option<PyReadonlyArray2<'py, bool>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (groups, patterns) = groups_from(stats, patterns)?;
    let graphs = graphs.as_array();
    let (k, d, d2) = graphs.dim();
    let scale = scale.as_slice()?.to_vec();
    if d != d2 || scale.len() != d {
        return Err(Error(CoreError::InvalidInput(format!(
            "graphs must be K x d x d with d = {} columns, got {k} x {d} x {d2}",
            scale.len()
        )))
        .into());
    }
    let graphs: Vec<Vec<bool>> =
        (0..k).map(|g| graphs.slice(numpy::ndarray::s![g, .., ..]).iter().copied().collect()).collect();
    let values = values.as_slice()?;
    if values.len() != targets.len() {
        return Err(Error(CoreError::InvalidInput("one value per target".into())).into());
    }
    let candidates: Vec<Candidate> =
        targets.iter().zip(values).map(|(&target, &value)| Candidate { target, value }).collect();
    let outcome = run_cancellable(py, n_threads, |_| {
        let covariances = SufficientStats::node_covariances(&groups, &patterns, &scale)?;
        scores(&hypotheses(&graphs, &covariances)?, &candidates, n_samples, seed)
    })?;
    Ok(settle(py, outcome)?.into_pyarray(py))
}
