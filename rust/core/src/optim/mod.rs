//! The optimizers of the learners.
//!
//! - [`owlqn`]: OWL-QN for smooth + L1 objectives (NOTEARS' subproblems). argmin has OWL-QN too,
//!   but it evaluates the cost and the gradient separately (two matrix exponentials per trial
//!   point here), cannot take +∞ (an overflowing penalty, a point outside the log-det domain)
//!   in its line search, and cannot poll for cancellation between evaluations.
//! - [`lbfgsb`]: L-BFGS under bounds x ≥ 0 (no crate has bounds), used by DAGMA's optional
//!   `lbfgs` stage solver on the split W = W⁺ − W⁻; both share its two-loop recursion.
//! - [`augmented_lagrangian`]: the outer schedule of NOTEARS.

pub mod augmented_lagrangian;
pub mod lbfgsb;
pub mod owlqn;
