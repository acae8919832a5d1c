//! Optimizers written here because no crate fits: a bound-constrained L-BFGS (argmin has
//! L-BFGS and OWL-QN but no bounds) and the augmented-Lagrangian driver of NOTEARS.

pub mod augmented_lagrangian;
pub mod lbfgsb;
pub mod owlqn;

