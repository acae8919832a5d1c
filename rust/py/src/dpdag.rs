//! A fitted DP-DAG model after the fit: its mechanisms' predictions and DAG samples. The model
//! travels as the arrays the fit returned (θ, Φ, mechanism parameters).

use crate::convert::{mask_from, mat_from, to_numpy};
use crate::errors::Error;
use acyclic_core::learners::dpdag::distribution::DagDistribution;
use acyclic_core::mlp::{Activation, Mlp};
use acyclic_core::CoreError;
use numpy::{IntoPyArray, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// x̂ (n×d): each node's network applied to its parents in `adjacency` (0/1 d×d) on the rows of
/// (preprocessed) X; `hidden` empty means the linear mechanism.
#[pyfunction]
pub fn dpdag_predict<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    hidden: Vec<usize>,
    mechanism: PyReadonlyArray1<'py, f64>,
    adjacency: PyReadonlyArray2<'py, f64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (x, adjacency) = (mat_from(&x), mat_from(&adjacency));
    let d = x.ncols();
    if adjacency.nrows() != d || adjacency.ncols() != d {
        return Err(Error(CoreError::InvalidInput(format!("the adjacency must be {d}x{d}"))).into());
    }
    let mlp = Mlp::from_params(d, &hidden, Activation::Relu, mechanism.as_slice()?.to_vec()).map_err(Error)?;
    let a: Vec<f64> = (0..d * d).map(|k| adjacency[(k % d, k / d)]).collect();
    let prediction = py.detach(|| mlp.predict(x.as_ref(), Some(&a)));
    Ok(to_numpy(py, &prediction))
}

/// `n_samples` DAGs from the distribution (θ, Φ) as a (n_samples, d, d) uint8 array of 0/1.
#[pyfunction]
#[pyo3(signature = (theta, phi, n_samples, seed, forbidden = None, required = None))]
pub fn dpdag_sample_dags<'py>(
    py: Python<'py>,
    theta: PyReadonlyArray1<'py, f64>,
    phi: PyReadonlyArray2<'py, f64>,
    n_samples: usize,
    seed: u64,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
) -> PyResult<Bound<'py, PyArray3<u8>>> {
    let theta = theta.as_slice()?;
    let d = theta.len();
    let forbidden = forbidden.map(|m| mask_from(&m, d, "forbidden")).transpose()?;
    let required = required.map(|m| mask_from(&m, d, "required")).transpose()?;
    let dist =
        DagDistribution::new(theta, mat_from(&phi).as_ref(), forbidden.as_ref(), required.as_ref()).map_err(Error)?;
    // 1 GiB of samples at most: beyond that the caller should draw in batches
    let flat = py.detach(|| dist.sample_dags(n_samples, seed, 1 << 30)).map_err(Error)?;
    let array = numpy::ndarray::Array3::from_shape_vec((n_samples, d, d), flat)
        .map_err(|e| Error(CoreError::InvalidInput(e.to_string())))?;
    Ok(array.into_pyarray(py))
}
