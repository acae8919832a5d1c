//! Simulators of the NOTEARS benchmark protocol (Zheng et al., NeurIPS 2018; AISTATS 2020):
//! random DAGs, edge weights, and samples from linear and nonlinear structural equation models,
//! observational or under perfect interventions.
//!
//! A seed means the same data on every machine: random bits from ChaCha8, samplers and
//! transcendental functions in software ([`random`]), sums in a fixed order, no BLAS.

pub mod graphs;
pub mod interventional;
pub mod random;
pub mod sem;

pub use graphs::{simulate_dag, GraphType};
pub use interventional::{
    simulate_interventional_sem, Environments, Equations, InterventionValues, InterventionalSample, ValueSign,
};
pub use sem::{simulate_linear_sem, simulate_nonlinear_sem, simulate_parameter, LinearNoise, Mechanism};
