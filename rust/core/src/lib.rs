//! `acyclic-core`: learning causal DAGs from data. Pure Rust; the Python binding lives in
//! `rust/py`.
//!
//! Conventions: matrices are faer `Mat<f64>`; a weighted adjacency W (d×d) has `W[(i, j)] ≠ 0`
//! for an edge i → j, so column j holds the parents of node j; a linear SEM is X = XW + E with
//! X of shape n×d (rows are samples). Masks are row-major `Vec<bool>` of length d².
//! Errors are [`error::CoreError`]; no function panics on user input.
//!
//! Modules:
//! - [`learners`]: the [`Learner`](learners::Learner) trait,
//!   [`LearnerConfig`](learners::LearnerConfig) (a learner's settings read by name),
//!   [`Prior`](learners::Prior) (forbidden and required edges), the shared result
//!   [`Fitted`](learners::Fitted), [`params`](learners::params) (`"auto"` settings and the
//!   parameter checks), and one module per learner: [`notears`](learners::notears),
//!   [`dagma`](learners::dagma), [`topo`](learners::topo), [`cosmo`](learners::cosmo),
//!   [`dpdag`](learners::dpdag).
//! - [`regression`]: least squares on the covariance matrix: Cholesky with updates, the inverse
//!   Gram matrix, a stabilising ridge, stepwise selection and the elastic net (TOPO, and the
//!   COSMO and DP-DAG refits).
//! - [`loss`]: scores (least squares, logistic, Poisson) with their gradients in W.
//! - [`acyclicity`]: penalties h(W) and their gradients: expm, log-det, polynomial, spectral
//!   radius.
//! - [`mmatrix`]: inverse and log-determinant of a Z-matrix with the M-matrix test (the log-det
//!   penalty's kernel).
//! - [`linalg`]: the matrix exponential and small helpers (product, Hadamard product, row
//!   gathering, 1-norm, finiteness test).
//! - [`matmul`]: every matrix product, with the same bits on every x86-64-v3 CPU (chosen at run time).
//! - [`optim`]: OWL-QN, the L-BFGS history, Adam, the augmented Lagrangian.
//! - [`stats`]: sufficient statistics (n, means, scatter, column moments) built chunk by chunk,
//!   merged exactly: what the least-squares learners need of data too large for memory.
//! - [`resample`]: the rows of bootstrap and subsample ensembles, stratified by experiment.
//! - [`graph`]: DAG test, topological orders (also respecting required edges), cycles,
//!   thresholding and the cycle projection.
//! - [`cpdag`]: equivalence classes: the essential graph (CPDAG) of a DAG by Meek's rules,
//!   observational or under a family of intervention targets (Hauser & Bühlmann 2012), and the
//!   test whether a partially directed graph is one.
//! - [`constraints`]: which entries of W are variables under prior knowledge.
//! - [`sortability`]: the variance and R² sort keys.
//! - [`progress`]: progress reports and cancellation.
//! - [`error`]: [`CoreError`], the one error type.
//! - [`scalar`]: stable sigmoid and softplus.
//! - `vector` (internal): dot product, sum and axpy, dispatched at run time to AVX2 where the
//!   CPU has it, with the same bits either way.

// Tests may compute their reference values with the standard library.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod active;
pub mod acyclicity;
pub mod canonical;
pub mod constraints;
pub mod cpdag;
pub mod error;
pub mod graph;
pub mod learners;
pub mod linalg;
pub mod loss;
pub mod matmul;
pub mod mlp;
pub mod mmatrix;
pub mod optim;
pub mod progress;
pub mod regression;
pub mod resample;
pub mod scalar;
pub mod simulate;
pub mod sortability;
pub mod stats;
pub(crate) mod vector;

pub use error::{CoreError, Result};
