//! Predictions of the per-node networks a nonlinear fit returned (`mechanism_params`), for every
//! learner with MLP mechanisms (NOTEARS, DAGMA, COSMO, DP-DAG).

use crate::convert::{mat_from, to_numpy};
use crate::errors::Error;
use acyclic_core::mlp::{Activation, Mlp};
use acyclic_core::CoreError;
use numpy::{PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// x̂ (n×d): each node's network (hidden widths `hidden`, empty for the linear mechanism;
/// `activation` "relu" or "sigmoid") applied to its inputs scaled by `adjacency` (d×d) on the rows
/// of (preprocessed) X.
#[pyfunction]
pub fn mlp_predict<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    hidden: Vec<usize>,
    activation: &str,
    params: PyReadonlyArray1<'py, f64>,
    adjacency: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (x, adjacency) = (mat_from(&x), mat_from(&adjacency));
    let d = x.ncols();
    if adjacency.nrows() != d || adjacency.ncols() != d {
        return Err(Error(CoreError::InvalidInput(format!("the adjacency must be {d}x{d}"))).into());
    }
    let activation = activation_from(activation)?;
    let mlp = Mlp::from_params(d, &hidden, activation, params.as_slice()?.to_vec()).map_err(Error)?;
    let a: Vec<f64> = (0..d * d).map(|k| adjacency[(k % d, k / d)]).collect();
    let prediction = py.detach(|| mlp.predict(x.as_ref(), Some(&a)));
    Ok(to_numpy(py, &prediction))
}

/// The hidden activation named "relu" or "sigmoid".
pub fn activation_from(name: &str) -> PyResult<Activation> {
    match name {
        "relu" => Ok(Activation::Relu),
        "sigmoid" => Ok(Activation::Sigmoid),
        other => {
            Err(Error(CoreError::InvalidParameter(format!("activation must be 'relu' or 'sigmoid', got {other:?}")))
                .into())
        }
    }
}
