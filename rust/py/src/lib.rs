//! `acyclic._core`: the Python binding of `acyclic-core`.
//!
//! This crate only converts arrays, parameters and errors, and releases the GIL; every algorithm
//! lives in `acyclic-core`. Every learner runs through the one [`fit::fit`] entry point. User
//! data are validated in Python (`acyclic._validation`); parameters are validated by the core.

mod active;
mod convert;
mod cpdag;
mod dpdag;
mod errors;
mod fit;
mod mlp;
mod progress;
mod resample;
mod simulate;
mod stats;

use acyclic_core::acyclicity::Penalty;
use acyclic_core::learners::LearnerConfig;
use acyclic_core::loss::Loss;
use acyclic_core::{graph, linalg, sortability};
use convert::{mask_from, mat_from, square_from, to_numpy};
use errors::Error;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;

// The learners allocate a few d×d matrices per step; glibc's malloc returns freed blocks of that
// size to the OS and page-faults them back in on the next step (40% of a log-det evaluation at
// d = 100). mimalloc keeps them, as polars does for the same reason. Only Rust allocations of
// this extension use it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// expm(A) for a square matrix (Padé approximation with scaling and squaring).
#[pyfunction]
fn expm<'py>(py: Python<'py>, a: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let a = mat_from(&a);
    let e = py.detach(|| linalg::expm(a.as_ref())).map_err(Error)?;
    Ok(to_numpy(py, &e))
}

/// (h(W), ∇h(W)) for the named acyclicity penalty ("expm", "logdet", "poly", "spectral");
/// `s` is the log-det parameter (ignored by the others).
#[pyfunction]
#[pyo3(signature = (w, kind = "expm", s = 1.0))]
fn penalty_value_grad<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
    kind: &str,
    s: f64,
) -> PyResult<(f64, Bound<'py, PyArray2<f64>>)> {
    let penalty = Penalty::from_name(kind, s).map_err(Error)?;
    let w = mat_from(&w);
    let (h, g) = py.detach(|| penalty.value_grad(w.as_ref())).map_err(Error)?;
    Ok((h, to_numpy(py, &g)))
}

/// (L(W), ∇L(W)) for the named loss on data X (n×d); "l2" centres X first.
#[pyfunction]
#[pyo3(signature = (x, w, loss_type = "l2"))]
fn loss_value_grad<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    w: PyReadonlyArray2<'py, f64>,
    loss_type: &str,
) -> PyResult<(f64, Bound<'py, PyArray2<f64>>)> {
    let x = mat_from(&x);
    let w = mat_from(&w);
    let loss = Loss::from_name(loss_type, x.as_ref()).map_err(Error)?;
    if w.nrows() != loss.dim() || w.ncols() != loss.dim() {
        let message = format!("W must be {0}x{0} for X with {0} columns", loss.dim());
        return Err(Error(acyclic_core::CoreError::InvalidInput(message)).into());
    }
    let (v, g) = py.detach(|| loss.value_grad(w.as_ref()));
    Ok((v, to_numpy(py, &g)))
}

/// True when the graph with edges where W != 0 is acyclic.
#[pyfunction]
fn is_dag(w: PyReadonlyArray2<'_, f64>) -> PyResult<bool> {
    Ok(graph::is_dag(square_from(&w)?.as_ref()))
}

/// Topological order (roots first, smallest index first among ties), or None for a cyclic graph.
#[pyfunction]
fn topological_order<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
) -> PyResult<Option<Bound<'py, PyArray1<i64>>>> {
    Ok(graph::topological_order(square_from(&w)?.as_ref())
        .map(|order| order.into_iter().map(|i| i as i64).collect::<Vec<_>>().into_pyarray(py)))
}

/// The nodes of one directed cycle of the graph where W != 0 (first node not repeated), or None.
#[pyfunction]
fn find_cycle(w: PyReadonlyArray2<'_, f64>) -> PyResult<Option<Vec<usize>>> {
    Ok(graph::find_cycle(square_from(&w)?.as_ref()))
}

/// W with entries |w| < `threshold` set to 0 (entries marked `required` are kept).
#[pyfunction]
#[pyo3(signature = (w, threshold, required = None))]
fn threshold<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
    threshold: f64,
    required: Option<PyReadonlyArray2<'py, bool>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let w = square_from(&w)?;
    let required = required.map(|m| mask_from(&m, w.nrows(), "required")).transpose()?;
    Ok(to_numpy(py, &graph::threshold(w.as_ref(), threshold, required.as_ref())))
}

/// A maximal acyclic subgraph of W: required edges, then the others by decreasing |w|, each
/// kept unless it closes a cycle (`acyclic_core::graph::project_to_dag`).
#[pyfunction]
#[pyo3(signature = (w, required = None))]
fn project_to_dag<'py>(
    py: Python<'py>,
    w: PyReadonlyArray2<'py, f64>,
    required: Option<PyReadonlyArray2<'py, bool>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let w = square_from(&w)?;
    let required = required.map(|m| mask_from(&m, w.nrows(), "required")).transpose()?;
    let out = py.detach(|| graph::project_to_dag(w.as_ref(), required.as_ref())).map_err(Error)?;
    Ok(to_numpy(py, &out))
}

/// A topological order of the graph `mask` (bool d×d) as close as possible to `preferred`
/// (Kahn's algorithm preferring earlier nodes of `preferred`).
#[pyfunction]
fn order_respecting(mask: PyReadonlyArray2<'_, bool>, preferred: Vec<usize>) -> PyResult<Vec<usize>> {
    let mask = mask_from(&mask, preferred.len(), "required")?;
    Ok(graph::order_respecting(&mask, &preferred).map_err(Error)?)
}

/// R² of each variable of the covariance `sigma` regressed on all the others.
#[pyfunction]
fn r2_scores<'py>(py: Python<'py>, sigma: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray1<f64>>> {
    Ok(sortability::r2_scores(square_from(&sigma)?.as_ref()).into_pyarray(py))
}

/// The instruction set the core's kernels take on this processor: "avx2+fma" (faer's large-product
/// kernel pinned to AVX2+FMA, the optimisers' x86-64-v3 loops: the bit-reproducible path) or
/// "portable" (a processor without AVX2 and FMA).
#[pyfunction]
fn matmul_kernel() -> &'static str {
    acyclic_core::matmul::kernel()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // The matrices here are small (d×d): faer's default rayon splitting of LU and solves costs
    // more than it saves and makes timings noisy. Parallelism comes from splitting whole tasks.
    faer::set_global_parallelism(faer::Par::Seq);
    m.add("LEARNERS", LearnerConfig::NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(expm, m)?)?;
    m.add_function(wrap_pyfunction!(penalty_value_grad, m)?)?;
    m.add_function(wrap_pyfunction!(loss_value_grad, m)?)?;
    m.add_function(wrap_pyfunction!(is_dag, m)?)?;
    m.add_function(wrap_pyfunction!(topological_order, m)?)?;
    m.add_function(wrap_pyfunction!(find_cycle, m)?)?;
    m.add_function(wrap_pyfunction!(threshold, m)?)?;
    m.add_function(wrap_pyfunction!(project_to_dag, m)?)?;
    m.add_function(wrap_pyfunction!(order_respecting, m)?)?;
    m.add_function(wrap_pyfunction!(cpdag::to_cpdag, m)?)?;
    m.add_function(wrap_pyfunction!(cpdag::is_cpdag, m)?)?;
    m.add_function(wrap_pyfunction!(r2_scores, m)?)?;
    m.add_function(wrap_pyfunction!(matmul_kernel, m)?)?;
    m.add_function(wrap_pyfunction!(fit::fit, m)?)?;
    m.add_function(wrap_pyfunction!(fit::defaults, m)?)?;
    m.add_function(wrap_pyfunction!(fit::fit_statistics, m)?)?;
    m.add_function(wrap_pyfunction!(active::ait_scores, m)?)?;
    m.add_function(wrap_pyfunction!(active::ait_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(fit::fits_from_statistics, m)?)?;
    m.add_function(wrap_pyfunction!(stats::stats_of_rows, m)?)?;
    m.add_function(wrap_pyfunction!(stats::merge_stats, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_dag, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_parameter, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_linear_sem, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_nonlinear_sem, m)?)?;
    m.add_function(wrap_pyfunction!(simulate::simulate_interventional_sem, m)?)?;
    m.add_function(wrap_pyfunction!(mlp::mlp_predict, m)?)?;
    m.add_function(wrap_pyfunction!(dpdag::dpdag_sample_dags, m)?)?;
    m.add_function(wrap_pyfunction!(resample::resample_rows, m)?)?;
    m.add_function(wrap_pyfunction!(resample::complementary_halves, m)?)?;
    m.add_function(wrap_pyfunction!(resample::cv_folds, m)?)?;
    Ok(())
}
