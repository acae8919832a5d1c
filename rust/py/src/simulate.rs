//! The simulators (`acyclic_core::simulate`): arguments in, numpy arrays out.

use crate::convert::{enum_from_str, mat_from, square_from, to_numpy};
use crate::errors::Error;
use acyclic_core::simulate::{self, GraphType, LinearNoise, Mechanism};
use numpy::{PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;

/// A random DAG (0/1 float matrix) of type "ER" or "SF".
#[pyfunction]
pub fn simulate_dag<'py>(
    py: Python<'py>,
    d: usize,
    s0: usize,
    graph_type: &str,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let graph_type: GraphType = enum_from_str("graph_type", graph_type)?;
    let b = py.detach(|| simulate::simulate_dag(d, s0, graph_type, seed)).map_err(Error)?;
    Ok(to_numpy(py, &b))
}

/// A weight for every nonzero entry of B, uniform in one of `ranges`.
#[pyfunction]
pub fn simulate_parameter<'py>(
    py: Python<'py>,
    b: PyReadonlyArray2<'py, f64>,
    ranges: Vec<(f64, f64)>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let b = mat_from(&b);
    let w = py.detach(|| simulate::simulate_parameter(b.as_ref(), &ranges, seed)).map_err(Error)?;
    Ok(to_numpy(py, &w))
}

/// n rows of the linear SEM with weights W, noise `sem_type` and scales `noise_scale` (d,).
#[pyfunction]
pub fn simulate_linear_sem<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
    n: usize,
    sem_type: &str,
    noise_scale: Vec<f64>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let noise: LinearNoise = enum_from_str("sem_type", sem_type)?;
    let w = square_from(&w)?;
    let x = py.detach(|| simulate::simulate_linear_sem(w.as_ref(), n, noise, &noise_scale, seed)).map_err(Error)?;
    Ok(to_numpy(py, &x))
}

/// n rows of the nonlinear additive-noise SEM on the DAG B with mechanisms `sem_type`.
#[pyfunction]
pub fn simulate_nonlinear_sem<'py>(
    py: Python<'py>,
    b: PyReadonlyArray2<'py, f64>,
    n: usize,
    sem_type: &str,
    noise_scale: Vec<f64>,
    n_features: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let mechanism: Mechanism = enum_from_str("sem_type", sem_type)?;
    let b = square_from(&b)?;
    let x = py
        .detach(|| simulate::simulate_nonlinear_sem(b.as_ref(), n, mechanism, &noise_scale, n_features, seed))
        .map_err(Error)?;
    Ok(to_numpy(py, &x))
}
