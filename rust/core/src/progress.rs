//! Progress reports and cancellation.
//!
//! Long loops call [`Progress::should_stop`] often (every function evaluation) and
//! [`Progress::report`] once per outer step. The Python binding implements the trait to
//! re-acquire the GIL now and then, run Python's signal handlers (Ctrl-C) and drive tqdm;
//! the core itself knows nothing of Python.

/// One outer step of an iterative learner, as shown to the user.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Status<'a> {
    /// Outer steps done so far (1-based after the first).
    pub iteration: usize,
    /// The cap on outer steps.
    pub max_iter: usize,
    /// Objective value at the accepted iterate.
    pub objective: f64,
    /// The learner's own quantities at this step, by name (e.g. NOTEARS' "h" and "rho", DAGMA's
    /// "mu", COSMO's "temperature").
    pub quantities: &'a [(&'static str, f64)],
}

/// Receives progress and decides about cancellation.
pub trait Progress {
    /// Returns `true` when the computation must stop as soon as possible.
    fn should_stop(&mut self) -> bool {
        false
    }
    /// Called after each outer step.
    fn report(&mut self, _status: &Status<'_>) {}
}

/// A progress sink that never cancels and shows nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {}
