//! The core's `Progress` trait, implemented with Python: Ctrl-C and an optional callback.
//!
//! Python runs signal handlers only on the main thread, while the fit runs on a rayon worker.
//! So [`run_cancellable`] keeps the calling thread polling `check_signals` and raises a shared
//! flag that the worker's [`PyProgress::should_stop`] reads.

use acyclic_core::progress::{Progress, Status};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the calling thread takes the GIL back to run Python's signal handlers.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// Shared between the polling thread and the worker.
#[derive(Default)]
pub struct Cancel {
    flag: AtomicBool,
    error: Mutex<Option<PyErr>>,
}

impl Cancel {
    fn raise(&self, err: PyErr) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(err);
        }
        self.flag.store(true, Ordering::SeqCst);
    }

    /// Whether the computation was asked to stop.
    pub fn is_raised(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// The Python exception that stopped the computation, if any.
    pub fn take_error(&self) -> Option<PyErr> {
        self.error.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// Forwards each outer step to `callback(iteration, max_iter, objective, quantities)` (the
/// learner's named quantities as a dict) and stops when the shared flag is raised (Ctrl-C, or an
/// exception in the callback).
pub struct PyProgress {
    callback: Option<Py<PyAny>>,
    cancel: Arc<Cancel>,
}

impl PyProgress {
    pub fn new(callback: Option<Py<PyAny>>, cancel: Arc<Cancel>) -> Self {
        PyProgress { callback, cancel }
    }
}

impl Progress for PyProgress {
    fn should_stop(&mut self) -> bool {
        self.cancel.flag.load(Ordering::Relaxed)
    }

    fn report(&mut self, status: &Status<'_>) {
        if self.should_stop() {
            return;
        }
        if let Some(callback) = &self.callback {
            let call = |py: Python<'_>| -> PyResult<()> {
                let quantities = PyDict::new(py);
                for (name, value) in status.quantities {
                    quantities.set_item(name, value)?;
                }
                callback.call1(py, (status.iteration, status.max_iter, status.objective, quantities))?;
                Ok(())
            };
            if let Err(e) = Python::attach(call) {
                self.cancel.raise(e);
            }
        }
    }
}

/// Runs `work` without the GIL on a rayon pool of `n_threads` threads (0 = all cores) while the
/// calling thread polls Python's signal handlers; returns the work's result and the Python
/// exception (KeyboardInterrupt, or one raised by a callback) that cancelled it, if any.
pub fn run_cancellable<T: Send>(
    py: Python<'_>,
    n_threads: usize,
    work: impl FnOnce(Arc<Cancel>) -> T + Send,
) -> PyResult<(T, Option<PyErr>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n_threads)
        .build()
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start threads: {e}")))?;
    let cancel = Arc::new(Cancel::default());
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let worker_cancel = Arc::clone(&cancel);
            // The worker drops `done` when it ends (or panics), which wakes the wait below at
            // once: a fit of a few milliseconds does not wait for the next poll.
            let (done, finished) = mpsc::channel::<()>();
            let handle = scope.spawn(move || {
                let _done = done;
                pool.install(move || work(worker_cancel))
            });
            while let Err(RecvTimeoutError::Timeout) = finished.recv_timeout(POLL_EVERY) {
                if let Err(e) = Python::attach(|py| py.check_signals()) {
                    cancel.raise(e);
                }
            }
            handle.join()
        })
    });
    match result {
        Ok(value) => Ok((value, cancel.take_error())),
        Err(_) => Err(pyo3::exceptions::PyRuntimeError::new_err("internal error: the worker thread panicked")),
    }
}

/// The value of a cancellable run, or its error: an exception raised in Python during the run
/// (Ctrl-C, a callback's) wins over the core's `Cancelled`.
pub fn settle<T>(py: Python<'_>, (result, pending): (acyclic_core::Result<T>, Option<PyErr>)) -> PyResult<T> {
    match (result, pending) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(crate::errors::to_pyerr(py, e)),
        (Ok(value), None) => Ok(value),
    }
}
