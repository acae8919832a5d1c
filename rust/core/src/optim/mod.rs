//! The optimizers of the learners.
//!
//! - [`owlqn`]: OWL-QN for smooth + L1 objectives (NOTEARS' subproblems). argmin has OWL-QN too,
//!   but it evaluates the cost and the gradient separately (two matrix exponentials per trial
//!   point here), cannot take +∞ (an overflowing penalty, a point outside the log-det domain)
//!   in its line search, and cannot poll for cancellation between evaluations.
//! - [`lbfgs`]: the L-BFGS history and two-loop recursion, settings and stopping rules.
//! - [`augmented_lagrangian`]: the outer schedule of NOTEARS.
//! - [`adam`]: Adam with propose/commit steps (DAGMA's reference solver).

pub mod adam;
pub mod augmented_lagrangian;
pub mod lbfgs;
pub mod owlqn;
