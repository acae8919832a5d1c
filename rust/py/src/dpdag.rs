//! A fitted DP-DAG model after the fit: DAG samples from its distribution, which travels as the
//! arrays the fit returned (θ, Φ).

use crate::convert::{mask_from, mat_from};
use crate::errors::Error;
use acyclic_core::learners::dpdag::distribution::DagDistribution;
use acyclic_core::CoreError;
use numpy::{IntoPyArray, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

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
