//! Bindings of a fitted DP-DAG model: its mechanisms' predictions, DAG samples and edge marginals.
//! The model travels as the arrays `acyclic._core.dpdag_fit` returned (θ, Φ, mechanism params).

use crate::convert::{mat_from, prior_masks, to_numpy};
use crate::errors::to_pyerr;
use acyclic_core::learners::dpdag::distribution::DagDistribution;
use acyclic_core::learners::dpdag::mechanism::MaskedMlp;
use acyclic_core::CoreError;
use numpy::{IntoPyArray, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// x̂ (n×d): each node's network applied to its parents in `adjacency` (0/1 d×d) on the rows of
/// (preprocessed) X.
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
        return Err(to_pyerr(py, CoreError::InvalidInput(format!("the adjacency must be {d}x{d}")), None));
    }
    let mlp = MaskedMlp::from_params(d, &hidden, mechanism.as_slice()?.to_vec()).map_err(|e| to_pyerr(py, e, None))?;
    let a: Vec<f64> = (0..d * d).map(|k| adjacency[(k % d, k / d)]).collect();
    let prediction = py.detach(|| mlp.predict(x.as_ref(), &a));
    Ok(to_numpy(py, &prediction))
}

fn distribution(
    py: Python<'_>,
    theta: &PyReadonlyArray1<'_, f64>,
    phi: &PyReadonlyArray2<'_, f64>,
    forbidden: Option<PyReadonlyArray2<'_, bool>>,
    required: Option<PyReadonlyArray2<'_, bool>>,
) -> PyResult<DagDistribution> {
    let theta = theta.as_slice()?;
    let (forbidden, required) = prior_masks(py, forbidden, required, theta.len())?;
    DagDistribution::new(theta, mat_from(phi).as_ref(), forbidden.as_ref(), required.as_ref())
        .map_err(|e| to_pyerr(py, e, None))
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
    let dist = distribution(py, &theta, &phi, forbidden, required)?;
    let d = dist.d();
    // 1 GiB of samples at most: beyond that the caller should draw in batches
    let flat = py.detach(|| dist.sample_dags(n_samples, seed, 1 << 30)).map_err(|e| to_pyerr(py, e, None))?;
    let array = numpy::ndarray::Array3::from_shape_vec((n_samples, d, d), flat)
        .map_err(|e| to_pyerr(py, CoreError::InvalidInput(e.to_string()), None))?;
    Ok(array.into_pyarray(py))
}

/// P(i → j) under (θ, Φ), d×d, and whether it is exact (no required edges) or estimated from
/// `n_orders` sampled orders.
#[pyfunction]
#[pyo3(signature = (theta, phi, n_orders, seed, forbidden = None, required = None))]
pub fn dpdag_edge_probabilities<'py>(
    py: Python<'py>,
    theta: PyReadonlyArray1<'py, f64>,
    phi: PyReadonlyArray2<'py, f64>,
    n_orders: usize,
    seed: u64,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
) -> PyResult<(Bound<'py, PyArray2<f64>>, bool)> {
    let dist = distribution(py, &theta, &phi, forbidden, required)?;
    let (p, exact) = py.detach(|| dist.edge_probabilities(n_orders, seed));
    Ok((to_numpy(py, &p), exact))
}
