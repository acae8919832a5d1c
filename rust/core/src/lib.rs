//! `acyclic-core`: learning causal DAGs from data. Pure Rust; the Python binding lives in
//! `rust/py`.
//!
//! Conventions: matrices are faer `Mat<f64>`; a weighted adjacency W (d×d) has `W[(i, j)] ≠ 0`
//! for an edge i → j, so column j holds the parents of node j; a linear SEM is X = XW + E with
//! X of shape n×d (rows are samples). Masks are row-major `Vec<bool>` of length d².
//! Errors are [`error::CoreError`]; no function panics on user input.
//!
//! Modules: [`linalg`] (expm, sign/log-determinant and inverse), [`acyclicity`] (penalties h(W):
//! expm, log-det, polynomial, spectral radius), [`loss`] (scores), [`optim`]
//! (OWL-QN, bounded L-BFGS, augmented Lagrangian), [`graph`] (DAG checks, cycle projection),
//! [`learners`] (NOTEARS, DAGMA, TOPO, COSMO, DP-DAG), [`regression`] (least squares, stepwise
//! selection and the elastic net on the covariance matrix), [`progress`] (progress reports and
//! cancellation), [`scalar`] (stable sigmoid and softplus).

pub mod acyclicity;
pub mod canonical;
pub mod constraints;
pub mod error;
pub mod graph;
pub mod learners;
pub mod linalg;
pub mod loss;
pub mod matmul;
pub mod mmatrix;
pub mod optim;
pub mod progress;
pub mod regression;
pub mod scalar;
pub mod simulate;
pub mod sortability;
pub(crate) mod vector;

pub use error::{CoreError, Result};
