//! The one error type of the core. The binding maps each variant to a Python exception.

use thiserror::Error;

/// Everything that can go wrong inside `acyclic-core`.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// The data is unusable (wrong shape, too few samples, ...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A parameter is out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A value left the range of float64 (NaN or infinity) where it cannot be recovered.
    #[error("non-finite value: {0}")]
    NonFinite(String),
    /// A factorisation or iteration failed.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// The point is outside the domain where the function is defined (e.g. the log-det
    /// acyclicity penalty needs s·I − W∘W to be a nonsingular M-matrix). Optimisers treat it
    /// as an objective of +∞ so that their line search backtracks.
    #[error("outside the domain: {0}")]
    OutsideDomain(String),
    /// The caller asked to stop (Ctrl-C or a progress callback).
    #[error("cancelled")]
    Cancelled,
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, CoreError>;
