//! CoreError → the exception classes of `acyclic.exceptions`, one class per kind.

use acyclic_core::CoreError;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// A core error on its way to Python: `?` turns it into the matching exception.
pub struct Error(pub CoreError);

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Error(e)
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        Python::attach(|py| to_pyerr(py, e.0))
    }
}

static INVALID_INPUT: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static NUMERICAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static OUTSIDE_DOMAIN: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The class `name` of `acyclic.exceptions`, imported once.
fn class<'py>(py: Python<'py>, cell: &'static PyOnceLock<Py<PyType>>, name: &str) -> PyResult<&'py Bound<'py, PyType>> {
    cell.import(py, "acyclic.exceptions", name)
}

/// The Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, err: CoreError) -> PyErr {
    let message = err.to_string();
    let class = match err {
        CoreError::InvalidInput(_) | CoreError::InvalidParameter(_) => class(py, &INVALID_INPUT, "InvalidInputError"),
        CoreError::NonFinite(_) | CoreError::Numerical(_) => class(py, &NUMERICAL, "NumericalError"),
        CoreError::OutsideDomain(_) => class(py, &OUTSIDE_DOMAIN, "OutsideDomainError"),
        CoreError::Cancelled => return PyKeyboardInterrupt::new_err("the fit was cancelled"),
    };
    match class {
        Ok(class) => PyErr::from_type(class.clone(), message),
        Err(_) => PyRuntimeError::new_err(message),
    }
}
