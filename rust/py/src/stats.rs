//! Sufficient statistics (`acyclic_core::stats`): a chunk of rows in, (n, mean, scatter, m3, m4)
//! out, and the exact merge of two such tuples. They travel as numpy arrays so that Python (and
//! Dask) can hold, pickle and merge them.

use crate::convert::{mat_from, to_numpy};
use crate::errors::Error;
use crate::progress::{run_cancellable, settle};
use acyclic_core::stats::SufficientStats;
use acyclic_core::CoreError;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// (n, mean, scatter, m3, m4) as Python receives them.
pub type StatsArrays<'py> = (
    usize,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray2<'py, f64>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
);
type StatsOut<'py> =
    (usize, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// The core's statistics from the arrays (shapes checked).
pub fn stats_from(stats: StatsArrays<'_>) -> PyResult<SufficientStats> {
    let (n, mean, scatter, m3, m4) = stats;
    let stats = SufficientStats {
        n,
        mean: mean.as_slice()?.to_vec(),
        scatter: mat_from(&scatter),
        m3: m3.as_slice()?.to_vec(),
        m4: m4.as_slice()?.to_vec(),
    };
    let d = stats.dim();
    if stats.scatter.nrows() != d || stats.scatter.ncols() != d || stats.m3.len() != d || stats.m4.len() != d {
        return Err(Error(CoreError::InvalidInput("sufficient statistics of inconsistent shapes".into())).into());
    }
    Ok(stats)
}

fn to_python(py: Python<'_>, s: SufficientStats) -> StatsOut<'_> {
    (s.n, s.mean.into_pyarray(py), to_numpy(py, &s.scatter), s.m3.into_pyarray(py), s.m4.into_pyarray(py))
}

/// The statistics of the rows of `x` (one chunk), on `n_threads` threads (the bits do not
/// depend on them).
#[pyfunction]
#[pyo3(signature = (x, n_threads = 1))]
pub fn stats_of_rows<'py>(py: Python<'py>, x: PyReadonlyArray2<'py, f64>, n_threads: usize) -> PyResult<StatsOut<'py>> {
    // a C-ordered array is read in place; any other layout is copied first
    let copied;
    let view = match x.as_slice() {
        Ok(slice) => {
            let (n, d) = x.as_array().dim();
            faer::MatRef::from_row_major_slice(slice, n, d)
        }
        Err(_) => {
            copied = mat_from(&x);
            copied.as_ref()
        }
    };
    // Ctrl-C stops the pass within a block of rows
    let outcome =
        run_cancellable(py, n_threads, |cancel| SufficientStats::of_rows_until(view, &|| cancel.is_raised()))?;
    Ok(to_python(py, settle(py, outcome)?))
}

/// The statistics of the rows of `a` followed by those of `b` (exact merge).
#[pyfunction]
pub fn merge_stats<'py>(py: Python<'py>, a: StatsArrays<'py>, b: StatsArrays<'py>) -> PyResult<StatsOut<'py>> {
    let (a, b) = (stats_from(a)?, stats_from(b)?);
    if a.dim() != b.dim() {
        return Err(Error(CoreError::InvalidInput(format!(
            "cannot merge statistics of {} and {} columns",
            a.dim(),
            b.dim()
        )))
        .into());
    }
    Ok(to_python(py, a.merge(&b)))
}

/// The statistics' groups and their mask rows: `stats` is one tuple (observational: one group
/// with an all-false mask row) or, with `patterns` (g×d bool), a list of g tuples.
pub type Groups = (Vec<SufficientStats>, Vec<Vec<bool>>);

/// [`Groups`] from the Python arguments (shapes of each tuple checked).
pub fn groups_from<'py>(stats: &Bound<'py, PyAny>, patterns: Option<PyReadonlyArray2<'py, bool>>) -> PyResult<Groups> {
    Ok(match patterns {
        None => {
            let one = stats_from(stats.extract::<StatsArrays<'py>>()?)?;
            let d = one.dim();
            (vec![one], vec![vec![false; d]])
        }
        Some(patterns) => (
            stats.extract::<Vec<StatsArrays<'py>>>()?.into_iter().map(stats_from).collect::<PyResult<Vec<_>>>()?,
            patterns.as_array().rows().into_iter().map(|row| row.to_vec()).collect(),
        ),
    })
}
