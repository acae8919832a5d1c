//! numpy ⇄ faer conversions (copies; the matrices are at most d×d or n×d).

use crate::errors::to_pyerr;
use acyclic_core::graph::Mask;
use acyclic_core::CoreError;
use faer::Mat;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;

/// Copies a 2-D float64 array (any strides) into a faer matrix.
pub fn mat_from(a: &PyReadonlyArray2<'_, f64>) -> Mat<f64> {
    let view = a.as_array();
    Mat::from_fn(view.nrows(), view.ncols(), |i, j| view[[i, j]])
}

/// Copies a d×d bool array into a row-major mask; any other shape is an InvalidInputError.
pub fn mask_from(py: Python<'_>, a: &PyReadonlyArray2<'_, bool>, d: usize, name: &str) -> PyResult<Mask> {
    let view = a.as_array();
    if view.dim() != (d, d) {
        let (r, c) = view.dim();
        return Err(to_pyerr(
            py,
            CoreError::InvalidInput(format!("the {name} mask must have shape ({d}, {d}), got ({r}, {c})")),
            None,
        ));
    }
    Ok(view.iter().copied().collect())
}

/// The optional forbidden and required masks of a learner, each checked to be d×d.
pub fn prior_masks(
    py: Python<'_>,
    forbidden: Option<PyReadonlyArray2<'_, bool>>,
    required: Option<PyReadonlyArray2<'_, bool>>,
    d: usize,
) -> PyResult<(Option<Mask>, Option<Mask>)> {
    Ok((
        forbidden.map(|m| mask_from(py, &m, d, "forbidden")).transpose()?,
        required.map(|m| mask_from(py, &m, d, "required")).transpose()?,
    ))
}

/// A copy of W, or an InvalidInputError when it is not square.
pub fn square_from(py: Python<'_>, a: &PyReadonlyArray2<'_, f64>) -> PyResult<Mat<f64>> {
    let m = mat_from(a);
    if m.nrows() != m.ncols() {
        return Err(to_pyerr(
            py,
            CoreError::InvalidInput(format!("W must be square, got {}x{}", m.nrows(), m.ncols())),
            None,
        ));
    }
    Ok(m)
}

/// Copies a faer matrix into a new C-ordered numpy array.
pub fn to_numpy<'py>(py: Python<'py>, m: &Mat<f64>) -> Bound<'py, PyArray2<f64>> {
    numpy::ndarray::Array2::from_shape_fn((m.nrows(), m.ncols()), |(i, j)| m[(i, j)]).into_pyarray(py)
}
