//! numpy ⇄ faer arrays and Python ⇄ serde values (copies; the matrices are at most n×d).

use crate::errors::Error;
use acyclic_core::graph::Mask;
use acyclic_core::CoreError;
use faer::Mat;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_value::Value;
use std::collections::BTreeMap;

/// Copies a 2-D float64 array (any strides) into a faer matrix.
pub fn mat_from(a: &PyReadonlyArray2<'_, f64>) -> Mat<f64> {
    let view = a.as_array();
    Mat::from_fn(view.nrows(), view.ncols(), |i, j| view[[i, j]])
}

/// Copies X into a faer matrix, centring and scaling each column on the way: (x − mean) / scale.
pub fn preprocessed_from(
    x: &PyReadonlyArray2<'_, f64>,
    mean: Option<PyReadonlyArray1<'_, f64>>,
    scale: Option<PyReadonlyArray1<'_, f64>>,
) -> Result<Mat<f64>, Error> {
    let view = x.as_array();
    let d = view.ncols();
    let vector = |v: Option<PyReadonlyArray1<'_, f64>>, name: &str, default: f64| -> Result<Vec<f64>, Error> {
        match v {
            None => Ok(vec![default; d]),
            Some(v) => {
                let v = v.as_array().to_vec();
                if v.len() == d {
                    Ok(v)
                } else {
                    Err(CoreError::InvalidInput(format!("{name} must have {d} entries, got {}", v.len())).into())
                }
            }
        }
    };
    let (mean, scale) = (vector(mean, "mean", 0.0)?, vector(scale, "scale", 1.0)?);
    Ok(Mat::from_fn(view.nrows(), d, |i, j| (view[[i, j]] - mean[j]) / scale[j]))
}

/// Copies a d×d bool array into a row-major mask; any other shape is an InvalidInputError.
pub fn mask_from(a: &PyReadonlyArray2<'_, bool>, d: usize, name: &str) -> Result<Mask, Error> {
    let view = a.as_array();
    if view.dim() != (d, d) {
        let (r, c) = view.dim();
        return Err(
            CoreError::InvalidInput(format!("the {name} mask must have shape ({d}, {d}), got ({r}, {c})")).into()
        );
    }
    Ok(view.iter().copied().collect())
}

/// Copies an n×d bool array into a row-major mask; any other shape is an InvalidInputError.
pub fn row_mask_from(a: &PyReadonlyArray2<'_, bool>, n: usize, d: usize) -> Result<Mask, Error> {
    let view = a.as_array();
    if view.dim() != (n, d) {
        let (r, c) = view.dim();
        let message = format!("intervention_mask must have the shape of X, ({n}, {d}), got ({r}, {c})");
        return Err(CoreError::InvalidInput(message).into());
    }
    Ok(view.iter().copied().collect())
}

/// A copy of W, or an InvalidInputError when it is not square.
pub fn square_from(a: &PyReadonlyArray2<'_, f64>) -> Result<Mat<f64>, Error> {
    let m = mat_from(a);
    if m.nrows() != m.ncols() {
        return Err(CoreError::InvalidInput(format!("W must be square, got {}x{}", m.nrows(), m.ncols())).into());
    }
    Ok(m)
}

/// Copies a faer matrix into a new C-ordered numpy array.
pub fn to_numpy<'py>(py: Python<'py>, m: &Mat<f64>) -> Bound<'py, PyArray2<f64>> {
    numpy::ndarray::Array2::from_shape_fn((m.nrows(), m.ncols()), |(i, j)| m[(i, j)]).into_pyarray(py)
}

/// A value of one of the core's named choices (a serde enum) from its name.
pub fn enum_from_str<T: serde::de::DeserializeOwned>(what: &str, name: &str) -> Result<T, Error> {
    let value = Value::String(name.to_string());
    T::deserialize(serde_value::ValueDeserializer::<serde_value::DeserializerError>::new(value))
        .map_err(|e| Error(CoreError::InvalidParameter(format!("{what}: {e}"))))
}

/// A learner's parameters, read with the types Python gives them: a bool is never a number and
/// a string is never a bool (so `refit="False"` is an error, not True).
pub fn value_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_none() {
        Ok(Value::Unit)
    } else if obj.is_instance_of::<PyBool>() {
        Ok(Value::Bool(obj.extract()?))
    } else if obj.is_instance_of::<PyInt>() {
        match obj.extract::<i64>() {
            Ok(v) => Ok(Value::I64(v)),
            Err(_) => Ok(Value::U64(obj.extract::<u64>()?)),
        }
    } else if obj.is_instance_of::<PyFloat>() {
        Ok(Value::F64(obj.extract()?))
    } else if let Ok(s) = obj.cast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.map(|item| value_from_py(&item?)).collect::<PyResult<Vec<_>>>().map(Value::Seq)
    } else if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = BTreeMap::new();
        for (key, item) in dict.iter() {
            map.insert(Value::String(key.str()?.to_cow()?.into_owned()), value_from_py(&item)?);
        }
        Ok(Value::Map(map))
    } else {
        let name = obj.get_type().qualname()?;
        Err(PyTypeError::new_err(format!("unsupported parameter value of type {name}: {}", obj.repr()?)))
    }
}

/// A serde value (e.g. a learner's default settings) as a Python object.
pub fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Unit | Value::Option(None) => py.None().into_bound(py),
        Value::Option(Some(v)) | Value::Newtype(v) => value_to_py(py, v)?,
        Value::Bool(v) => PyBool::new(py, *v).to_owned().into_any(),
        Value::U8(v) => v.into_pyobject(py)?.into_any(),
        Value::U16(v) => v.into_pyobject(py)?.into_any(),
        Value::U32(v) => v.into_pyobject(py)?.into_any(),
        Value::U64(v) => v.into_pyobject(py)?.into_any(),
        Value::I8(v) => v.into_pyobject(py)?.into_any(),
        Value::I16(v) => v.into_pyobject(py)?.into_any(),
        Value::I32(v) => v.into_pyobject(py)?.into_any(),
        Value::I64(v) => v.into_pyobject(py)?.into_any(),
        Value::F32(v) => v.into_pyobject(py)?.into_any(),
        Value::F64(v) => v.into_pyobject(py)?.into_any(),
        Value::Char(v) => v.to_string().into_pyobject(py)?.into_any(),
        Value::String(v) => v.into_pyobject(py)?.into_any(),
        Value::Bytes(v) => v.clone().into_pyobject(py)?.into_any(),
        Value::Seq(items) => {
            PyList::new(py, items.iter().map(|v| value_to_py(py, v)).collect::<PyResult<Vec<_>>>()?)?.into_any()
        }
        Value::Map(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(value_to_py(py, k)?, value_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
