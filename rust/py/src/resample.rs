//! Row resampling for ensembles (`acyclic_core::resample`): stratum codes in, row indices out.

use crate::errors::Error;
use acyclic_core::resample::{self, Scheme};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

/// Two halves of the rows, as int64 arrays.
type Halves<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>);

fn strata_from(strata: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<usize>> {
    strata
        .as_slice()?
        .iter()
        .map(|&s| {
            usize::try_from(s).map_err(|_| {
                Error(acyclic_core::CoreError::InvalidInput(format!("stratum codes must be >= 0; got {s}"))).into()
            })
        })
        .collect()
}

fn to_int64(py: Python<'_>, rows: Vec<usize>) -> Bound<'_, PyArray1<i64>> {
    rows.into_iter().map(|r| r as i64).collect::<Vec<_>>().into_pyarray(py)
}

/// The rows of ensemble member `member`: a bootstrap sample per stratum (`subsample=None`) or a
/// subsample of that fraction of each stratum without replacement; sorted, int64.
#[pyfunction]
#[pyo3(signature = (strata, seed, member, subsample = None))]
pub fn resample_rows<'py>(
    py: Python<'py>,
    strata: PyReadonlyArray1<'py, i64>,
    seed: u64,
    member: u64,
    subsample: Option<f64>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let strata = strata_from(&strata)?;
    let scheme = subsample.map_or(Scheme::Bootstrap, Scheme::Subsample);
    let rows = resample::resample(&strata, scheme, seed, member).map_err(Error)?;
    Ok(to_int64(py, rows))
}

/// Pair `pair` of complementary halves of the rows, stratified (Shah & Samworth 2013).
#[pyfunction]
pub fn complementary_halves<'py>(
    py: Python<'py>,
    strata: PyReadonlyArray1<'py, i64>,
    seed: u64,
    pair: u64,
) -> PyResult<Halves<'py>> {
    let strata = strata_from(&strata)?;
    let (a, b) = resample::complementary_halves(&strata, seed, pair).map_err(Error)?;
    Ok((to_int64(py, a), to_int64(py, b)))
}

/// Each row's fold (0..k) for stratified k-fold cross-validation, int64.
#[pyfunction]
pub fn cv_folds<'py>(
    py: Python<'py>,
    strata: PyReadonlyArray1<'py, i64>,
    k: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let strata = strata_from(&strata)?;
    let fold = resample::folds(&strata, k, seed).map_err(Error)?;
    Ok(to_int64(py, fold))
}
