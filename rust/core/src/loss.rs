//! Score functions of a linear structural equation model with their gradients in W.
//!
//! With M = X W (no intercept), following Zheng et al. (NeurIPS 2018):
//! - least squares: ½n⁻¹‖X − XW‖²_F computed from the covariance Σ = XᵀX/n of the centred X as
//!   ½ tr((I − W)ᵀ Σ (I − W)), gradient −Σ(I − W): O(d³) per evaluation, whatever n is;
//! - logistic: n⁻¹ Σ [log(1 + e^M) − X∘M], gradient n⁻¹ Xᵀ(σ(M) − X);
//! - Poisson: n⁻¹ Σ [e^M − X∘M], gradient n⁻¹ Xᵀ(e^M − X).

use crate::error::{CoreError, Result};
use crate::graph::Mask;
use crate::linalg::mul;
use crate::matmul::matmul;
use crate::regression::NodeCovariances;
use crate::scalar::sigmoid;
use crate::scalar::softplus;
use faer::{Accum, Mat, MatRef};

/// A loss with the data it needs.
#[derive(Debug, Clone)]
pub enum Loss {
    /// Least squares from the sufficient statistic Σ = XᵀX/n (X centred by the caller).
    LeastSquares {
        /// d×d covariance.
        sigma: Mat<f64>,
    },
    /// Least squares of interventional data: node j's residuals only on the rows that do not
    /// intervene on it, ½n⁻¹ Σ_j Σ_{rows} (x_j − X w_j)², from the per-node covariances.
    LeastSquaresPerNode {
        /// Σ⁽ʲ⁾ per node, and each node's share of the rows.
        covariances: NodeCovariances,
    },
    /// Logistic (binary X), from the n×d data.
    Logistic {
        /// n×d data.
        x: Mat<f64>,
    },
    /// Poisson (count X), from the n×d data.
    Poisson {
        /// n×d data.
        x: Mat<f64>,
    },
}

/// The kind of loss, as front ends name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LossType {
    /// Least squares on centred data.
    #[default]
    L2,
    /// Logistic, for binary data.
    Logistic,
    /// Poisson, for count data.
    Poisson,
}

impl Loss {
    /// Builds the loss of the given kind from n×d data.
    pub fn from_type(kind: LossType, x: MatRef<'_, f64>) -> Result<Self> {
        match kind {
            LossType::L2 => Self::least_squares_from_data(x),
            LossType::Logistic => Ok(Loss::Logistic { x: x.to_owned() }),
            LossType::Poisson => Ok(Loss::Poisson { x: x.to_owned() }),
        }
    }

    /// Builds the least-squares loss from n×d data: centres a copy and forms Σ = XᵀX/n.
    pub fn least_squares_from_data(x: MatRef<'_, f64>) -> Result<Self> {
        let n = x.nrows();
        if n == 0 {
            return Err(CoreError::InvalidInput("X has no rows".into()));
        }
        let d = x.ncols();
        let means: Vec<f64> = (0..d).map(|j| (0..n).map(|i| x[(i, j)]).sum::<f64>() / n as f64).collect();
        let xc = Mat::from_fn(n, d, |i, j| x[(i, j)] - means[j]);
        let mut sigma = mul(xc.transpose(), xc.as_ref());
        sigma *= faer::Scale(1.0 / n as f64);
        Ok(Loss::LeastSquares { sigma })
    }

    /// The least-squares loss of interventional data: `intervened` is the row-major n×d mask of
    /// the entries set by perfect interventions (node j's equation is fitted on the other rows).
    pub fn least_squares_interventional(x: MatRef<'_, f64>, intervened: &Mask) -> Result<Self> {
        if x.nrows() == 0 {
            return Err(CoreError::InvalidInput("X has no rows".into()));
        }
        Ok(Loss::LeastSquaresPerNode { covariances: NodeCovariances::new(x, intervened)? })
    }

    /// Parses the Python-side name and builds the loss from n×d data.
    pub fn from_name(name: &str, x: MatRef<'_, f64>) -> Result<Self> {
        match name {
            "l2" => Self::least_squares_from_data(x),
            "logistic" => Ok(Loss::Logistic { x: x.to_owned() }),
            "poisson" => Ok(Loss::Poisson { x: x.to_owned() }),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown loss_type {other:?}; expected one of: \"l2\", \"logistic\", \"poisson\""
            ))),
        }
    }

    /// Number of variables d.
    pub fn dim(&self) -> usize {
        match self {
            Loss::LeastSquares { sigma } => sigma.nrows(),
            Loss::LeastSquaresPerNode { covariances } => covariances.of_node.len(),
            Loss::Logistic { x } | Loss::Poisson { x } => x.ncols(),
        }
    }

    /// Value and gradient at W (d×d). The value is +∞ (and the gradient zero) where it
    /// overflows, e.g. e^M in the Poisson loss.
    pub fn value_grad(&self, w: MatRef<'_, f64>) -> (f64, Mat<f64>) {
        let d = self.dim();
        match self {
            Loss::LeastSquares { sigma } => {
                // S = Σ(I − W) = Σ − ΣW; Q = ½ Σ_ij (I − W)_ij S_ij = ½ (tr S − Σ_ij W_ij S_ij);
                // ∇Q = −S.
                let mut grad = sigma.clone();
                matmul(grad.as_mut(), Accum::Add, sigma.as_ref(), w, -1.0);
                let mut value = 0.0;
                for j in 0..d {
                    let column = grad.col_as_slice_mut(j);
                    value += column[j] - w.col(j).iter().zip(column.iter()).map(|(a, b)| a * b).sum::<f64>();
                    column.iter_mut().for_each(|x| *x = -*x);
                }
                (0.5 * value, grad)
            }
            Loss::LeastSquaresPerNode { covariances } => per_node_least_squares(covariances, w),
            Loss::Logistic { x } => self.glm(x, w, |m, xv| (softplus(m) - xv * m, sigmoid(m) - xv)),
            Loss::Poisson { x } => self.glm(x, w, |m, xv| {
                let e = libm::exp(m);
                (e - xv * m, e - xv)
            }),
        }
    }

    /// Shared body of the GLM losses: `f(m, x) -> (loss term, d loss / d m)`.
    fn glm(&self, x: &Mat<f64>, w: MatRef<'_, f64>, f: impl Fn(f64, f64) -> (f64, f64)) -> (f64, Mat<f64>) {
        let n = x.nrows();
        let d = x.ncols();
        let m = mul(x.as_ref(), w);
        let mut value = 0.0;
        let mut resid = Mat::<f64>::zeros(n, d);
        for j in 0..d {
            for i in 0..n {
                let (l, g) = f(m[(i, j)], x[(i, j)]);
                value += l;
                resid[(i, j)] = g;
            }
        }
        let value = value / n as f64;
        if !value.is_finite() {
            return (f64::INFINITY, Mat::zeros(d, d));
        }
        let mut grad = mul(x.transpose(), resid.as_ref());
        grad *= faer::Scale(1.0 / n as f64);
        (value, grad)
    }
}

/// Σ_j ½ s_j (e_j − w_j)ᵀΣ⁽ʲ⁾(e_j − w_j) and its gradient −s_j Σ⁽ʲ⁾(e_j − w_j) column by
/// column, s_j = n⁽ʲ⁾/n; the columns that share a Σ go through one matrix product.
fn per_node_least_squares(covariances: &NodeCovariances, w: MatRef<'_, f64>) -> (f64, Mat<f64>) {
    let d = w.nrows();
    let mut grad = Mat::<f64>::zeros(d, d);
    let mut value = 0.0;
    for (p, sigma) in covariances.matrices.iter().enumerate() {
        let columns: Vec<usize> = (0..d).filter(|&j| covariances.of_node[j] == p).collect();
        // S = Σ(I − W) on these columns
        let w_columns = Mat::from_fn(d, columns.len(), |i, k| w[(i, columns[k])]);
        let mut s = Mat::from_fn(d, columns.len(), |i, k| sigma[(i, columns[k])]);
        matmul(s.as_mut(), Accum::Add, sigma.as_ref(), w_columns.as_ref(), -1.0);
        for (k, &j) in columns.iter().enumerate() {
            let share = covariances.share(j);
            let column = s.col(k);
            value += share * (column[j] - (0..d).fold(0.0, |acc, i| acc + w[(i, j)] * column[i]));
            for i in 0..d {
                grad[(i, j)] = -share * column[i];
            }
        }
    }
    (0.5 * value, grad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Mat<f64> {
        Mat::from_fn(40, 3, |i, j| (((i * 31 + j * 17) % 23) as f64 / 23.0 - 0.5) * (j + 1) as f64)
    }

    fn check_fd(loss: &Loss) {
        let w = Mat::from_fn(3, 3, |i, j| if i == j { 0.0 } else { 0.1 * (i as f64) - 0.2 * (j as f64) + 0.05 });
        let (_, g) = loss.value_grad(w.as_ref());
        let eps = 1e-6;
        for i in 0..3 {
            for j in 0..3 {
                let mut wp = w.clone();
                wp[(i, j)] += eps;
                let mut wm = w.clone();
                wm[(i, j)] -= eps;
                let fd = (loss.value_grad(wp.as_ref()).0 - loss.value_grad(wm.as_ref()).0) / (2.0 * eps);
                assert!((fd - g[(i, j)]).abs() < 1e-6 * (1.0 + fd.abs()), "{fd} vs {}", g[(i, j)]);
            }
        }
    }

    #[test]
    fn least_squares_equals_residual_norm() {
        let x = data();
        let loss = Loss::least_squares_from_data(x.as_ref()).unwrap();
        let w = Mat::from_fn(3, 3, |i, j| if i < j { 0.3 } else { 0.0 });
        let means: Vec<f64> = (0..3).map(|j| (0..40).map(|i| x[(i, j)]).sum::<f64>() / 40.0).collect();
        let xc = Mat::from_fn(40, 3, |i, j| x[(i, j)] - means[j]);
        let r = &xc - mul(xc.as_ref(), w.as_ref());
        let direct = 0.5 / 40.0 * r.norm_l2().powi(2);
        assert!((loss.value_grad(w.as_ref()).0 - direct).abs() < 1e-12);
        check_fd(&loss);
    }

    #[test]
    fn glm_gradients_match_finite_differences() {
        let x = data();
        let binary = Mat::from_fn(40, 3, |i, j| if x[(i, j)] > 0.0 { 1.0 } else { 0.0 });
        check_fd(&Loss::Logistic { x: binary });
        let counts = Mat::from_fn(40, 3, |i, j| ((x[(i, j)] + 2.0) * 2.0).floor().max(0.0));
        check_fd(&Loss::Poisson { x: counts });
    }

    #[test]
    fn interventional_least_squares_is_the_masked_residual_norm() {
        // rows 0..10 intervene on node 0, rows 10..25 on nodes 1 and 2, the rest on nothing
        let x = data();
        let (n, d) = (40, 3);
        let intervened = |i: usize, j: usize| (i < 10 && j == 0) || ((10..25).contains(&i) && j > 0);
        let mask: Mask = (0..n * d).map(|k| intervened(k / d, k % d)).collect();
        let loss = Loss::least_squares_interventional(x.as_ref(), &mask).unwrap();
        let w = Mat::from_fn(3, 3, |i, j| if i < j { 0.3 + 0.1 * i as f64 } else { 0.0 });
        // node j's equation with its intercept fitted on its own rows: centre every column there
        let mut direct = 0.0;
        for j in 0..d {
            let rows: Vec<usize> = (0..n).filter(|&i| !intervened(i, j)).collect();
            let mean = |c: usize| rows.iter().map(|&i| x[(i, c)]).sum::<f64>() / rows.len() as f64;
            let means: Vec<f64> = (0..d).map(mean).collect();
            for &i in &rows {
                let fitted: f64 = (0..d).map(|k| (x[(i, k)] - means[k]) * w[(k, j)]).sum();
                direct += (x[(i, j)] - means[j] - fitted).powi(2);
            }
        }
        direct *= 0.5 / n as f64;
        let value = loss.value_grad(w.as_ref()).0;
        assert!((value - direct).abs() < 1e-12 * direct, "{value} vs {direct}");
        check_fd(&loss);
    }

    #[test]
    fn an_empty_intervention_mask_is_the_observational_loss() {
        let x = data();
        let observational = Loss::least_squares_from_data(x.as_ref()).unwrap();
        let masked = Loss::least_squares_interventional(x.as_ref(), &vec![false; 120]).unwrap();
        let w = Mat::from_fn(3, 3, |i, j| if i < j { 0.3 } else { 0.0 });
        let (a, b) = (observational.value_grad(w.as_ref()), masked.value_grad(w.as_ref()));
        assert!((a.0 - b.0).abs() < 1e-14);
        assert!((&a.1 - &b.1).norm_max() < 1e-14);
    }
}
