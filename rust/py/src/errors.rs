//! CoreError → the exception classes of `acyclic.exceptions`.

use acyclic_core::CoreError;
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError};
use pyo3::prelude::*;

fn exception_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    py.import("acyclic.exceptions")?.getattr(name)
}

/// Maps a core error to a Python exception. `pending` is an exception raised by Python code
/// during the computation (a signal handler or a progress callback); it wins over `Cancelled`.
pub fn to_pyerr(py: Python<'_>, err: CoreError, pending: Option<PyErr>) -> PyErr {
    if let Some(e) = pending {
        return e;
    }
    let class = match &err {
        CoreError::InvalidInput(_) | CoreError::InvalidParameter(_) => "InvalidInputError",
        CoreError::NonFinite(_) | CoreError::Numerical(_) => "NumericalError",
        CoreError::OutsideDomain(_) => "OutsideDomainError",
        CoreError::Cancelled => return PyKeyboardInterrupt::new_err("the fit was cancelled"),
    };
    let message = err.to_string();
    match exception_class(py, class).and_then(|cls| cls.call1((message.clone(),))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => PyRuntimeError::new_err(message),
    }
}
