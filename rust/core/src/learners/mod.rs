//! Structure learners. Each takes its data and settings and returns its fitted matrices.

pub mod cosmo;
pub mod dagma;
pub mod dpdag;
pub mod notears;
pub mod topo;
