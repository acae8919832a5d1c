//! The one entry point of every learner: read its parameters, fit without the GIL, return the
//! shared result as a dict.

use crate::convert::{mask_from, preprocessed_from, row_mask_from, to_numpy, value_from_py, value_to_py};
use crate::errors::Error;
use crate::progress::{run_cancellable, settle, PyProgress};
use crate::stats::{groups_from, stats_from, StatsArrays};
use acyclic_core::learners::{Environments, Fitted, LearnerConfig, Prior, Value};
use acyclic_core::CoreError;
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// The settings of learner `learner` read from the dict `params` (names as in the estimator's
/// `__init__`; missing ones take the core's defaults).
fn read_config(learner: &str, params: &Bound<'_, PyAny>) -> PyResult<LearnerConfig> {
    let value = value_from_py(params)?;
    Ok(LearnerConfig::read(learner, serde_value::ValueDeserializer::<serde_value::DeserializerError>::new(value))
        .map_err(Error)?)
}

/// Fits learner `learner` (one of `LEARNERS`) with `params` to X, centred and scaled on the way
/// by `mean` and `scale` (`intervention_mask`, n×d bool: the entries set by perfect
/// interventions; `environments`, n int64 labels 0..E with 0 observational: the experiment of
/// each row); returns a dict: raw_weights, weights, adjacency, order, n_iter,
/// converged, history, extras (dict), warnings (list of str).
#[pyfunction]
#[pyo3(signature = (learner, x, params, *, mean = None, scale = None, forbidden = None, required = None,
    intervention_mask = None, environments = None, callback = None, n_threads = 1))]
// The arguments are those of the Python function `_core.fit`.
#[allow(clippy::too_many_arguments)]
pub fn fit<'py>(
    py: Python<'py>,
    learner: &str,
    x: PyReadonlyArray2<'py, f64>,
    params: &Bound<'py, PyAny>,
    mean: Option<PyReadonlyArray1<'py, f64>>,
    scale: Option<PyReadonlyArray1<'py, f64>>,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    intervention_mask: Option<PyReadonlyArray2<'py, bool>>,
    environments: Option<PyReadonlyArray1<'py, i64>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let config = read_config(learner, params)?;
    let x = preprocessed_from(&x, mean, scale)?;
    let d = x.ncols();
    let prior = prior_from(forbidden, required, d)?;
    let intervened = intervention_mask.map(|m| row_mask_from(&m, x.nrows(), d)).transpose()?;
    let environments = environments
        .map(|labels| {
            let labels = labels
                .as_array()
                .iter()
                .map(|&e| {
                    usize::try_from(e).map_err(|_| CoreError::InvalidInput(format!("negative environment label {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Environments::new(labels, x.nrows())
        })
        .transpose()
        .map_err(Error)?;
    let outcome = run_cancellable(py, n_threads, |cancel| {
        config.fit(x, intervened, environments.as_ref(), &prior, &mut PyProgress::new(callback, cancel))
    })?;
    fitted_dict(py, settle(py, outcome)?)
}

/// The prior knowledge masks (d×d bool arrays) as the core's `Prior`.
fn prior_from(
    forbidden: Option<PyReadonlyArray2<'_, bool>>,
    required: Option<PyReadonlyArray2<'_, bool>>,
    d: usize,
) -> PyResult<Prior> {
    Ok(Prior {
        forbidden: forbidden.map(|m| mask_from(&m, d, "forbidden")).transpose()?,
        required: required.map(|m| mask_from(&m, d, "required")).transpose()?,
    })
}

/// Whether learner `learner` with `params` fits observational data from sufficient statistics.
#[pyfunction]
pub fn fits_from_statistics(learner: &str, params: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(read_config(learner, params)?.fits_from_statistics())
}

/// Fits learner `learner` to observational data known by its sufficient statistics `stats`
/// (n, mean, scatter, m3, m4: `stats_of_rows`), the columns divided by `scale`; the same dict
/// as `fit`. With `patterns` (g×d bool), `stats` is a list of g such tuples, one per group of
/// rows with intervention-mask row `patterns[g]`: interventional data. Learners that need the
/// rows raise InvalidInputError.
#[pyfunction]
#[pyo3(signature = (learner, stats, params, *, scale, forbidden = None, required = None, callback = None,
    n_threads = 1, patterns = None))]
#[allow(clippy::too_many_arguments)]
pub fn fit_statistics<'py>(
    py: Python<'py>,
    learner: &str,
    stats: &Bound<'py, PyAny>,
    params: &Bound<'py, PyAny>,
    scale: PyReadonlyArray1<'py, f64>,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
    patterns: Option<PyReadonlyArray2<'py, bool>>,
) -> PyResult<Bound<'py, PyDict>> {
    let config = read_config(learner, params)?;
    let scale = scale.as_slice()?.to_vec();
    let outcome = match patterns {
        None => {
            let stats = stats_from(stats.extract::<StatsArrays<'py>>()?)?;
            let prior = prior_from(forbidden, required, stats.dim())?;
            run_cancellable(py, n_threads, |cancel| {
                config.fit_summary(&stats, &scale, &prior, &mut PyProgress::new(callback, cancel))
            })?
        }
        Some(patterns) => {
            let (groups, patterns) = groups_from(stats, Some(patterns))?;
            let prior = prior_from(forbidden, required, scale.len())?;
            run_cancellable(py, n_threads, |cancel| {
                config.fit_interventional_summary(
                    &groups,
                    &patterns,
                    &scale,
                    &prior,
                    &mut PyProgress::new(callback, cancel),
                )
            })?
        }
    };
    fitted_dict(py, settle(py, outcome)?)
}

/// Learner `learner`'s default settings as the core defines them (a dict).
#[pyfunction]
pub fn defaults<'py>(py: Python<'py>, learner: &str) -> PyResult<Bound<'py, PyAny>> {
    let config = LearnerConfig::defaults(learner).map_err(Error)?;
    let value = serde_value::to_value(&config).map_err(|e| Error(CoreError::InvalidParameter(e.to_string())))?;
    value_to_py(py, &value)
}

fn fitted_dict<'py>(py: Python<'py>, fitted: Fitted) -> PyResult<Bound<'py, PyDict>> {
    let d = fitted.weights.nrows();
    let out = PyDict::new(py);
    out.set_item("raw_weights", to_numpy(py, &fitted.raw_weights))?;
    out.set_item("weights", to_numpy(py, &fitted.weights))?;
    let adjacency = numpy::ndarray::Array2::from_shape_fn((d, d), |(i, j)| i64::from(fitted.adjacency[i * d + j]));
    out.set_item("adjacency", adjacency.into_pyarray(py))?;
    out.set_item("order", fitted.order.iter().map(|&i| i as i64).collect::<Vec<_>>().into_pyarray(py))?;
    out.set_item("n_iter", fitted.n_iter)?;
    out.set_item("converged", fitted.converged)?;
    out.set_item("history", fitted.history.into_pyarray(py))?;
    let extras = PyDict::new(py);
    for (name, value) in fitted.extras {
        extras.set_item(name, extra_to_py(py, value)?)?;
    }
    out.set_item("extras", extras)?;
    out.set_item("warnings", PyList::new(py, fitted.warnings)?)?;
    Ok(out)
}

fn extra_to_py(py: Python<'_>, value: Value) -> PyResult<Bound<'_, PyAny>> {
    Ok(match value {
        Value::Bool(v) => v.into_pyobject(py)?.to_owned().into_any(),
        Value::Int(v) => v.into_pyobject(py)?.into_any(),
        Value::Float(v) => v.into_pyobject(py)?.into_any(),
        Value::Ints(v) => v.into_pyarray(py).into_any(),
        Value::Floats(v) | Value::NodeFloats(v) => v.into_pyarray(py).into_any(),
        Value::Matrix(m) | Value::NodeMatrix(m) | Value::NodeColumns(m) => to_numpy(py, &m).into_any(),
        Value::NodeMatrices(ms) => {
            let d = ms.first().map_or(0, |m| m.nrows());
            numpy::ndarray::Array3::from_shape_fn((ms.len(), d, d), |(k, i, j)| ms[k][(i, j)])
                .into_pyarray(py)
                .into_any()
        }
        Value::Nodes(v) => v.into_iter().map(|i| i as i64).collect::<Vec<_>>().into_pyarray(py).into_any(),
    })
}
