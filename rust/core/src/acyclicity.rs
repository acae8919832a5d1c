//! Acyclicity penalties h(W) with their gradients.
//!
//! Each penalty is zero exactly on weighted adjacency matrices of DAGs and positive otherwise.
//!
//! - [`Penalty::Expm`]: h(W) = tr(exp(W∘W)) − d, ∇h = exp(W∘W)ᵀ ∘ 2W
//!   (Zheng, Aragam, Ravikumar, Xing, "DAGs with NO TEARS", NeurIPS 2018).

use crate::error::{CoreError, Result};
use crate::linalg::{expm, hadamard};
use faer::{Mat, MatRef};

/// An acyclicity characterisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Penalty {
    /// NOTEARS' trace of the matrix exponential.
    Expm,
}

impl Penalty {
    /// Parses the name used in the Python API.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "expm" => Ok(Penalty::Expm),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown acyclicity penalty {other:?}; expected one of: \"expm\""
            ))),
        }
    }

    /// Value and gradient of h at a square W.
    ///
    /// When the true value exceeds the float64 range (exp of W∘W overflows) the value is
    /// `+∞` and the gradient is all zeros: line searches treat it as a failed trial step.
    pub fn value_grad(&self, w: MatRef<'_, f64>) -> Result<(f64, Mat<f64>)> {
        let d = w.nrows();
        if w.ncols() != d {
            return Err(CoreError::InvalidInput(format!(
                "W must be square, got {}x{}",
                d,
                w.ncols()
            )));
        }
        match self {
            Penalty::Expm => {
                let w_owned = w.to_owned();
                let a = hadamard(&w_owned, &w_owned);
                match expm(a.as_ref()) {
                    Ok(e) => {
                        // Σ_i (exp(A)_ii − 1): subtracting per entry keeps h = 0 on DAGs exact.
                        let h = (0..d).map(|i| e[(i, i)] - 1.0).sum::<f64>().max(0.0);
                        let grad = Mat::from_fn(d, d, |i, j| e[(j, i)] * 2.0 * w[(i, j)]);
                        Ok((h, grad))
                    }
                    Err(CoreError::NonFinite(_)) => Ok((f64::INFINITY, Mat::zeros(d, d))),
                    Err(other) => Err(other),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd_check(w: &Mat<f64>) {
        let (_, g) = Penalty::Expm.value_grad(w.as_ref()).unwrap();
        let eps = 1e-6;
        for i in 0..w.nrows() {
            for j in 0..w.ncols() {
                let mut wp = w.clone();
                wp[(i, j)] += eps;
                let mut wm = w.clone();
                wm[(i, j)] -= eps;
                let fp = Penalty::Expm.value_grad(wp.as_ref()).unwrap().0;
                let fm = Penalty::Expm.value_grad(wm.as_ref()).unwrap().0;
                let fd = (fp - fm) / (2.0 * eps);
                assert!((fd - g[(i, j)]).abs() < 1e-6 * (1.0 + fd.abs()), "({i},{j}) {fd} vs {}", g[(i, j)]);
            }
        }
    }

    #[test]
    fn zero_on_dag_positive_on_cycle() {
        let mut w = Mat::<f64>::zeros(3, 3);
        w[(0, 1)] = 1.5;
        w[(1, 2)] = -0.7;
        w[(0, 2)] = 2.0;
        assert!(Penalty::Expm.value_grad(w.as_ref()).unwrap().0.abs() < 1e-12);
        w[(2, 0)] = 0.3;
        assert!(Penalty::Expm.value_grad(w.as_ref()).unwrap().0 > 1e-6);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let w = Mat::from_fn(4, 4, |i, j| if i == j { 0.0 } else { ((i * 7 + j * 3) % 5) as f64 * 0.2 - 0.4 });
        fd_check(&w);
    }

    #[test]
    fn overflow_gives_infinity() {
        let mut w = Mat::<f64>::zeros(2, 2);
        w[(0, 1)] = 80.0;
        w[(1, 0)] = 80.0;
        let (h, g) = Penalty::Expm.value_grad(w.as_ref()).unwrap();
        assert!(h.is_infinite() && g[(0, 1)] == 0.0);
    }
}
