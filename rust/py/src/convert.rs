//! numpy ⇄ faer conversions (copies; the matrices are at most d×d or n×d).

use acyclic_core::graph::Mask;
use faer::Mat;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;

/// Copies a 2-D float64 array (any strides) into a faer matrix.
pub fn mat_from(a: &PyReadonlyArray2<'_, f64>) -> Mat<f64> {
    let view = a.as_array();
    Mat::from_fn(view.nrows(), view.ncols(), |i, j| view[[i, j]])
}

/// Copies a 2-D bool array into a row-major mask.
pub fn mask_from(a: &PyReadonlyArray2<'_, bool>) -> Mask {
    a.as_array().iter().copied().collect()
}

/// Copies a faer matrix into a new C-ordered numpy array.
pub fn to_numpy<'py>(py: Python<'py>, m: &Mat<f64>) -> Bound<'py, PyArray2<f64>> {
    numpy::ndarray::Array2::from_shape_fn((m.nrows(), m.ncols()), |(i, j)| m[(i, j)]).into_pyarray(py)
}
