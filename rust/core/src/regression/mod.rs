//! Regressions on the covariance matrix: what every learner that regresses a variable on
//! others needs (TOPO's orders, COSMO's refit, DP-DAG's refit).
//!
//! Everything works on Σ = XᵀX/n of the centred data, formed once ([`Covariance`]): the
//! regression of x_t on the variables P needs only Σ_PP and Σ_Pt, whatever n is.
//!
//! - [`Cholesky`]: Σ_PP = L Lᵀ, grown a variable at a time (bordering, [`bordered_row`]), with
//!   triangular solves, the regression of a variable on the ones before it, and the inverse or
//!   its diagonal.
//! - [`InverseGram`]: (Σ_PP)⁻¹ kept up to date in O(|P|²) as variables enter (bordering) and
//!   leave (a Schur complement).
//! - [`least_squares`]: ordinary least squares of a target on a subset; [`stabilising_ridge`]
//!   and [`Covariance::with_ridge`] for a singular Σ.
//! - [`stepwise`]: stepwise selection at a price per predictor (Efroymson 1960).
//! - [`Moments`] / [`NodeCovariances`] / [`node_means`]: counts, means and scatter matrices per group of rows,
//!   merged exactly (Chan, Golub & LeVeque 1979), and the per-node covariances of interventional
//!   data (node j fitted only on the rows that do not intervene on it).
//! - [`lasso_path`] / [`bic_lasso`]: the exact lasso path by least angle regression (Efron et al.
//!   2004) and the adaptive lasso chosen on it by BIC (the sort-and-regress baselines).
//! - [`ElasticNet`]: the lasso / elastic net of a target with per-predictor penalties, by
//!   coordinate descent on Σ (Friedman, Hastie & Tibshirani 2010) with active-set steps
//!   (Osborne, Presnell & Turlach 2000).
//!
//! The factorisations are plain loops, not faer's: faer picks its kernels at run time (AVX-512
//! where the processor has it), and they sum in another order there, so the last bits, and with
//! them a learner's discrete choices, would depend on the processor. Plain loops compiled once,
//! without fused multiply–add, give the same bits everywhere.
//!
//! References:
//! - M. A. Efroymson (1960), "Multiple regression analysis", in A. Ralston and H. S. Wilf (eds.),
//!   Mathematical Methods for Digital Computers, Wiley, 191–203.
//! - J. Friedman, T. Hastie and R. Tibshirani (2010), "Regularization paths for generalized
//!   linear models via coordinate descent", Journal of Statistical Software 33(1), 1–22.
//! - M. R. Osborne, B. Presnell and B. A. Turlach (2000), "A new approach to variable selection
//!   in least squares problems", IMA Journal of Numerical Analysis 20(3), 389–403.

mod cholesky;
mod covariance;
mod elastic_net;
mod inverse;
mod lars;
mod least_squares;
mod moments;
mod stepwise;

pub use cholesky::{bordered_row, Cholesky};
pub use covariance::Covariance;
pub use elastic_net::{soft_threshold, ElasticNet, Solution, Stopping};
pub use inverse::InverseGram;
pub use lars::{bic_lasso, lasso_path};
pub use least_squares::{least_squares, stabilising_ridge, Regression};
pub use moments::{gather_mask_rows, node_means, Moments, NodeCovariances};
pub use stepwise::{stepwise, Selection};
