//! Bindings of the learners: each converts its arguments, runs the core learner through
//! [`run_learner`] and returns a dict built by [`fitted_dict`].

use crate::convert::{mat_from, prior_masks, to_numpy};
use crate::errors::to_pyerr;
use crate::progress::{run_cancellable, PyProgress};
use acyclic_core::acyclicity::Penalty;
use acyclic_core::learners::{cosmo, dagma, dpdag, notears, topo};
use acyclic_core::loss::Loss;
use acyclic_core::progress::Progress;
use acyclic_core::CoreError;
use faer::Mat;
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Runs `fit` without the GIL on `n_threads` threads, cancellable by Ctrl-C or by an exception
/// in `callback`, and maps its error to the Python exception.
fn run_fit<T: Send>(
    py: Python<'_>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
    fit: impl FnOnce(&mut dyn Progress) -> acyclic_core::Result<T> + Send,
) -> PyResult<T> {
    let (result, pending) = run_cancellable(py, n_threads, |cancel| fit(&mut PyProgress::new(callback, cancel)))?;
    result.map_err(|e| to_pyerr(py, e, pending))
}

/// [`run_fit`] for the learners that work on a loss: builds it from X (inside the worker, so it
/// runs without the GIL too).
fn run_learner<T: Send>(
    py: Python<'_>,
    x: &Mat<f64>,
    loss_type: &str,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
    fit: impl FnOnce(&Loss, &mut dyn Progress) -> acyclic_core::Result<T> + Send,
) -> PyResult<T> {
    run_fit(py, callback, n_threads, |progress| fit(&Loss::from_name(loss_type, x.as_ref())?, progress))
}

/// The entries every learner returns.
#[allow(clippy::too_many_arguments)]
fn fitted_dict<'py>(
    py: Python<'py>,
    raw_weights: &Mat<f64>,
    weights: &Mat<f64>,
    h: f64,
    n_iter: usize,
    n_evals: usize,
    converged: bool,
    history: Vec<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("raw_weights", to_numpy(py, raw_weights))?;
    out.set_item("weights", to_numpy(py, weights))?;
    out.set_item("h", h)?;
    out.set_item("n_iter", n_iter)?;
    out.set_item("n_evals", n_evals)?;
    out.set_item("converged", converged)?;
    out.set_item("history", history.into_pyarray(py))?;
    Ok(out)
}

/// Fits NOTEARS; returns a dict of numpy arrays and numbers (see `acyclic.NOTEARS`). `penalty`
/// names the acyclicity penalty and `s` is the log-det parameter.
#[pyfunction]
#[pyo3(signature = (x, *, loss_type = "l2", lambda1 = 0.1, max_iter = 100, h_tol = 1e-8,
    rho_max = 1e16, w_threshold = 0.3, penalty = "expm", s = 1.0, forbidden = None, required = None,
    callback = None, n_threads = 1))]
#[allow(clippy::too_many_arguments)]
pub fn notears_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    loss_type: &str,
    lambda1: f64,
    max_iter: usize,
    h_tol: f64,
    rho_max: f64,
    w_threshold: f64,
    penalty: &str,
    s: f64,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let x = mat_from(&x);
    let (forbidden, required) = prior_masks(py, forbidden, required, x.ncols())?;
    let config = notears::Config {
        lambda1,
        max_iter,
        h_tol,
        rho_max,
        w_threshold,
        penalty: Penalty::from_name(penalty, s).map_err(|e| to_pyerr(py, e, None))?,
        forbidden,
        required,
        ..notears::Config::default()
    };
    let fit =
        run_learner(py, &x, loss_type, callback, n_threads, |loss, progress| notears::fit(loss, &config, progress))?;
    let out =
        fitted_dict(py, &fit.raw_weights, &fit.weights, fit.h, fit.n_iter, fit.n_evals, fit.converged, fit.history)?;
    out.set_item("rho", fit.rho)?;
    Ok(out)
}

/// Fits DAGMA; returns a dict of numpy arrays and numbers (see `acyclic.DAGMA`).
#[pyfunction]
#[pyo3(signature = (x, *, loss_type = "l2", lambda1 = 0.03, w_threshold = 0.3, t_stages = 5,
    mu_init = 1.0, mu_factor = 0.1, s = vec![1.0, 0.9, 0.8, 0.7, 0.6], warm_iter = 30000,
    max_iter = 60000, lr = 3e-4, h_tol = 1e-6, solver = "hybrid", hybrid_tol = 1e-4, forbidden = None,
    required = None, callback = None, n_threads = 1))]
#[allow(clippy::too_many_arguments)]
pub fn dagma_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    loss_type: &str,
    lambda1: f64,
    w_threshold: f64,
    t_stages: usize,
    mu_init: f64,
    mu_factor: f64,
    s: Vec<f64>,
    warm_iter: usize,
    max_iter: usize,
    lr: f64,
    h_tol: f64,
    solver: &str,
    hybrid_tol: f64,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let x = mat_from(&x);
    let (forbidden, required) = prior_masks(py, forbidden, required, x.ncols())?;
    let solver = match solver {
        "lbfgs" => dagma::InnerSolver::Lbfgs,
        "adam" => dagma::InnerSolver::Adam,
        "hybrid" => dagma::InnerSolver::Hybrid,
        other => {
            let message = format!("unknown solver {other:?}; expected \"hybrid\", \"adam\" or \"lbfgs\"");
            return Err(to_pyerr(py, CoreError::InvalidParameter(message), None));
        }
    };
    let config = dagma::Config {
        lambda1,
        w_threshold,
        t_stages,
        mu_init,
        mu_factor,
        s,
        warm_iter,
        max_iter,
        lr,
        h_tol,
        solver,
        hybrid_tol,
        forbidden,
        required,
        ..dagma::Config::default()
    };
    let fit =
        run_learner(py, &x, loss_type, callback, n_threads, |loss, progress| dagma::fit(loss, &config, progress))?;
    let out =
        fitted_dict(py, &fit.raw_weights, &fit.weights, fit.h, fit.n_iter, fit.n_evals, fit.converged, fit.history)?;
    out.set_item("s_used", fit.s_used.into_pyarray(py))?;
    Ok(out)
}

/// Fits TOPO from the starting order `order`; returns a dict of numpy arrays and numbers (see
/// `acyclic.TOPO`).
#[pyfunction]
#[pyo3(signature = (x, order, *, size_small = None, size_large = None, n_large_searches = None,
    w_threshold = 0.3, max_iter = 1000, forbidden = None, required = None, callback = None, n_threads = 1))]
#[allow(clippy::too_many_arguments)]
pub fn topo_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    order: Vec<usize>,
    size_small: Option<usize>,
    size_large: Option<usize>,
    n_large_searches: Option<usize>,
    w_threshold: f64,
    max_iter: usize,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let x = mat_from(&x);
    let (forbidden, required) = prior_masks(py, forbidden, required, x.ncols())?;
    let config =
        topo::Config { order, size_small, size_large, n_large_searches, w_threshold, max_iter, forbidden, required };
    let fit = run_learner(py, &x, "l2", callback, n_threads, |loss, progress| topo::fit(loss, &config, progress))?;
    // TOPO has no acyclicity residual: every iterate is a DAG.
    let out =
        fitted_dict(py, &fit.raw_weights, &fit.weights, 0.0, fit.n_iter, fit.n_evals, fit.converged, fit.history)?;
    out.set_item("order", fit.order.into_pyarray(py))?;
    out.set_item("ridge", fit.ridge)?;
    Ok(out)
}

/// Fits COSMO to (preprocessed) X; returns a dict of numpy arrays and numbers (see
/// `acyclic.COSMO`).
#[pyfunction]
#[pyo3(signature = (x, *, lambda1, lambda2, lambda_p, shift, t_start, t_end, lr, batch_size,
    max_iter, tol, refit, w_threshold, seed, forbidden = None, required = None, callback = None, n_threads = 1))]
#[allow(clippy::too_many_arguments)]
pub fn cosmo_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    lambda1: f64,
    lambda2: f64,
    lambda_p: f64,
    shift: f64,
    t_start: f64,
    t_end: f64,
    lr: f64,
    batch_size: usize,
    max_iter: usize,
    tol: f64,
    refit: bool,
    w_threshold: f64,
    seed: u64,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let x = mat_from(&x);
    let (forbidden, required) = prior_masks(py, forbidden, required, x.ncols())?;
    let config = cosmo::Config {
        lambda1,
        lambda2,
        lambda_p,
        shift,
        t_start,
        t_end,
        lr,
        batch_size,
        max_iter,
        tol,
        refit,
        w_threshold,
        seed,
        forbidden,
        required,
    };
    // COSMO works on the data (minibatches), not on a loss built from it.
    let fit = run_fit(py, callback, n_threads, |progress| cosmo::fit(x.as_ref(), &config, progress))?;
    let out =
        fitted_dict(py, &fit.raw_weights, &fit.weights, f64::NAN, fit.n_iter, fit.n_steps, fit.converged, fit.history)?;
    out.set_item("priorities", fit.priorities.into_pyarray(py))?;
    out.set_item("refit_rounds", fit.refit_rounds)?;
    out.set_item("refit_seconds", fit.refit_seconds)?;
    Ok(out)
}

/// Fits DP-DAG to (preprocessed) X; returns a dict of numpy arrays and numbers (see
/// `acyclic.DPDAG`). `hidden` empty means the linear mechanism.
#[pyfunction]
#[pyo3(signature = (x, *, hidden, lambda_kl, prior, tau, lr_graph, lr_mech, batch_size, max_iter,
    patience, tol, validation_fraction, edge_threshold, refit, refit_orders, seed, forbidden = None, required = None,
    callback = None, n_threads = 1))]
#[allow(clippy::too_many_arguments)]
pub fn dpdag_fit<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    hidden: Vec<usize>,
    lambda_kl: f64,
    prior: f64,
    tau: f64,
    lr_graph: f64,
    lr_mech: f64,
    batch_size: usize,
    max_iter: usize,
    patience: usize,
    tol: f64,
    validation_fraction: f64,
    edge_threshold: f64,
    refit: bool,
    refit_orders: usize,
    seed: u64,
    forbidden: Option<PyReadonlyArray2<'py, bool>>,
    required: Option<PyReadonlyArray2<'py, bool>>,
    callback: Option<Py<PyAny>>,
    n_threads: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let x = mat_from(&x);
    let (forbidden, required) = prior_masks(py, forbidden, required, x.ncols())?;
    let config = dpdag::Config {
        hidden,
        lambda_kl,
        prior,
        tau,
        lr_graph,
        lr_mech,
        batch_size,
        max_iter,
        patience,
        tol,
        validation_fraction,
        edge_threshold,
        refit,
        refit_orders,
        seed,
        forbidden,
        required,
    };
    let fit = run_fit(py, callback, n_threads, |progress| dpdag::fit(x.as_ref(), &config, progress))?;
    // every sample is a DAG: there is no acyclicity residual
    let out =
        fitted_dict(py, &fit.raw_weights, &fit.weights, 0.0, fit.n_iter, fit.n_steps, fit.converged, fit.history)?;
    out.set_item("adjacency", to_numpy(py, &fit.adjacency))?;
    out.set_item("theta", fit.theta.into_pyarray(py))?;
    out.set_item("phi", to_numpy(py, &fit.phi))?;
    out.set_item("mechanism", fit.mechanism.into_pyarray(py))?;
    out.set_item("order", fit.order.into_pyarray(py))?;
    out.set_item("validation", fit.validation.into_pyarray(py))?;
    out.set_item("best_epoch", fit.best_epoch)?;
    out.set_item("refit_orders", fit.refit_orders)?;
    out.set_item("refit_seconds", fit.refit_seconds)?;
    Ok(out)
}
