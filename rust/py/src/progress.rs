//! The core's `Progress` trait, implemented with Python: Ctrl-C and an optional callback.

use acyclic_core::progress::{Progress, Status};
use pyo3::prelude::*;
use std::time::{Duration, Instant};

/// How often the GIL is taken back to run Python's signal handlers.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// Polls Python's signal handlers (so Ctrl-C raises KeyboardInterrupt) and forwards each outer
/// step to `callback(iteration, max_iter, objective, h, rho)`. Any exception raised there stops
/// the computation and is re-raised by the binding.
pub struct PyProgress {
    callback: Option<Py<PyAny>>,
    last_poll: Instant,
    error: Option<PyErr>,
}

impl PyProgress {
    pub fn new(callback: Option<Py<PyAny>>) -> Self {
        PyProgress { callback, last_poll: Instant::now(), error: None }
    }

    /// The Python exception that stopped the computation, if any.
    pub fn take_error(&mut self) -> Option<PyErr> {
        self.error.take()
    }
}

impl Progress for PyProgress {
    fn should_stop(&mut self) -> bool {
        if self.error.is_none() && self.last_poll.elapsed() >= POLL_EVERY {
            self.last_poll = Instant::now();
            Python::attach(|py| {
                if let Err(e) = py.check_signals() {
                    self.error = Some(e);
                }
            });
        }
        self.error.is_some()
    }

    fn report(&mut self, status: &Status) {
        if self.error.is_some() {
            return;
        }
        if let Some(callback) = &self.callback {
            Python::attach(|py| {
                let args = (status.iteration, status.max_iter, status.objective, status.h, status.rho);
                if let Err(e) = callback.call1(py, args) {
                    self.error = Some(e);
                }
            });
        }
    }
}
