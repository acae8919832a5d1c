//! The simulators (`acyclic_core::simulate`): arguments in, numpy arrays out.

use crate::convert::{enum_from_str, mat_from, square_from, to_numpy};
use crate::errors::Error;
use crate::mlp::activation_from;
use acyclic_core::error::CoreError;
use acyclic_core::mlp::Mlp;
use acyclic_core::simulate::{
    self, Environments, Equations, GraphType, InterventionValues, LinearNoise, Mechanism, ValueSign,
};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
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

/// n rows of the nonlinear additive-noise SEM on the DAG B with mechanisms `sem_type` (drawn
/// from a stream of their own with `functions_seed`).
#[pyfunction]
#[pyo3(signature = (b, n, sem_type, noise_scale, n_features, seed, functions_seed = None))]
#[allow(clippy::too_many_arguments)]
pub fn simulate_nonlinear_sem<'py>(
    py: Python<'py>,
    b: PyReadonlyArray2<'py, f64>,
    n: usize,
    sem_type: &str,
    noise_scale: Vec<f64>,
    n_features: usize,
    seed: u64,
    functions_seed: Option<u64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let mechanism: Mechanism = enum_from_str("sem_type", sem_type)?;
    let b = square_from(&b)?;
    let x = py
        .detach(|| {
            simulate::simulate_nonlinear_sem(b.as_ref(), n, mechanism, &noise_scale, n_features, seed, functions_seed)
        })
        .map_err(Error)?;
    Ok(to_numpy(py, &x))
}

/// (X, intervention mask, environment labels) as numpy arrays.
type Sample<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<bool>>, Bound<'py, PyArray1<i64>>);

/// (X, intervention mask, environment labels) of the SEM of W (weights for mechanism "linear",
/// a graph otherwise) under perfect interventions: `n_obs` observational rows, then
/// `n_per_environment[k]` rows in which the nodes `targets[k]` take N(±value_loc, value_scale²)
/// values (with `value_noise`, BaCaDI's design: one value per environment and target, rows
/// scattered around it with that standard deviation). Mechanism "networks": fitted per-node
/// networks `networks` = (hidden widths, activation, parameters) on W's graph (`mlp_predict`'s
/// layout). A nonlinear mechanism's functions come from a stream of their own with
/// `functions_seed`.
#[pyfunction]
#[pyo3(signature = (w, n_obs, targets, n_per_environment, mechanism, sem_type, noise_scale, value_loc, value_scale,
    value_sign, n_features, seed, value_noise = None, networks = None, functions_seed = None))]
#[allow(clippy::too_many_arguments)]
pub fn simulate_interventional_sem<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
    n_obs: usize,
    targets: Vec<Vec<usize>>,
    n_per_environment: Vec<usize>,
    mechanism: &str,
    sem_type: &str,
    noise_scale: Vec<f64>,
    value_loc: f64,
    value_scale: f64,
    value_sign: &str,
    n_features: usize,
    seed: u64,
    value_noise: Option<f64>,
    networks: Option<(Vec<usize>, String, Vec<f64>)>,
    functions_seed: Option<u64>,
) -> PyResult<Sample<'py>> {
    let w = square_from(&w)?;
    let fitted = match (mechanism, networks) {
        ("networks", Some((hidden, activation, params))) => {
            Some(Mlp::from_params(w.nrows(), &hidden, activation_from(&activation)?, params).map_err(Error)?)
        }
        ("networks", None) | (_, Some(_)) => {
            return Err(Error(CoreError::InvalidParameter(
                "mechanism 'networks' and the networks argument go together".into(),
            ))
            .into())
        }
        _ => None,
    };
    let equations = match (mechanism, &fitted) {
        (_, Some(networks)) => Equations::Networks(networks),
        ("linear", None) => Equations::Linear,
        (other, None) => Equations::Nonlinear { mechanism: enum_from_str("mechanism", other)?, functions_seed },
    };
    let noise: LinearNoise = enum_from_str("sem_type", sem_type)?;
    let sign: ValueSign = enum_from_str("value_sign", value_sign)?;
    let values = InterventionValues { loc: value_loc, scale: value_scale, sign, row_noise: value_noise };
    let environments = Environments { n_obs, targets, n_per_environment };
    let sample = py
        .detach(|| {
            simulate::simulate_interventional_sem(
                w.as_ref(),
                &environments,
                equations,
                noise,
                &noise_scale,
                values,
                n_features,
                seed,
            )
        })
        .map_err(Error)?;
    let (n, d) = (sample.x.nrows(), sample.x.ncols());
    let mask = numpy::ndarray::Array2::from_shape_vec((n, d), sample.mask)
        .expect("the core returns n·d mask entries")
        .into_pyarray(py);
    let labels = sample.environments.into_iter().map(|e| e as i64).collect::<Vec<_>>().into_pyarray(py);
    Ok((to_numpy(py, &sample.x), mask, labels))
}
