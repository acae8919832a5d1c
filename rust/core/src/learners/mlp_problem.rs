//! The shared pieces of NOTEARS-MLP and DAGMA-MLP: per-node sigmoid MLPs ([`crate::mlp`]) whose
//! edge strengths are the L2 norms of their first-layer weights, W_ij = sqrt(Σ_m θ_{j,m,i}²)
//! (Zheng, Dan, Aragam, Ravikumar, Xing, "Learning Sparse Nonparametric DAGs", AISTATS 2020;
//! Bello, Aragam, Ravikumar, "DAGMA", NeurIPS 2022).
//!
//! Which parameters are free: a first-layer weight from input i into node j's network is fixed at
//! 0 when i = j (no self-loop) or i → j is forbidden. The L1 weight λ1 applies to the free
//! first-layer weights except those of required edges; the L2 weight to every weight (not the
//! biases), as in the NOTEARS-MLP reference.
//!
//! The acyclicity term is h(W) of any [`Penalty`] (with A = W∘W = Σ_m θ²), and its gradient is
//! ∂h/∂θ_{j,m,i} = ∂h/∂A_ij · 2θ = (∂h/∂W_ij / W_ij) · θ: the ratio θ/W is bounded by 1, and is
//! 0 where W_ij = 0 (then every θ into it is 0).

use crate::acyclicity::Penalty;
use crate::canonical::Permutation;
use crate::error::{CoreError, Result};
use crate::learners::{Data, Prior, Value};
use crate::mlp::{Activation, Mlp, ParamKind};
use faer::{Mat, MatRef};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Data, network layout and per-parameter weights of one nonlinear fit.
pub struct MlpProblem<'a> {
    /// n×d data as the learner sees it.
    pub x: MatRef<'a, f64>,
    /// Column-major n×d: entries left out of the loss (perfect interventions).
    pub intervened: Option<Vec<bool>>,
    /// The networks; `mlp.params` is the starting point.
    pub mlp: Mlp,
    /// What each parameter is.
    pub kinds: Vec<ParamKind>,
    /// False for parameters fixed at 0.
    pub free: Vec<bool>,
    /// λ1 per parameter (0 off the free first-layer weights of non-required edges).
    pub l1: Vec<f64>,
    /// 1 for weights (the L2 term), 0 for biases.
    pub is_weight: Vec<f64>,
}

impl<'a> MlpProblem<'a> {
    /// Sigmoid networks of hidden widths `hidden` initialised from `seed` (PyTorch's `Linear`
    /// initialisation; `zero_first_layer`: first layer 0 as DAGMA-MLP), with the fixed
    /// parameters set to 0.
    ///
    /// Errors: `InvalidParameter` for bad widths or an empty `hidden`; `InvalidInput` for a bad
    /// prior or an intervention mask that leaves a node no rows.
    pub fn new(
        data: &Data<'a>,
        hidden: &[usize],
        lambda1: f64,
        prior: &Prior,
        seed: u64,
        zero_first_layer: bool,
    ) -> Result<Self> {
        let x = data.rows("the MLP mechanism")?;
        let (n, d) = (x.nrows(), x.ncols());
        prior.check(d)?;
        if hidden.is_empty() {
            return Err(CoreError::InvalidParameter(
                "hidden must hold at least one layer width for mechanism='mlp', got []".into(),
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut mlp = Mlp::new(d, hidden, Activation::Sigmoid, &mut rng)?;
        if zero_first_layer {
            mlp.zero_first_layer();
        }
        let forbidden = |i: usize, j: usize| i == j || prior.forbidden.as_ref().is_some_and(|m| m[i * d + j]);
        let required = |i: usize, j: usize| prior.required.as_ref().is_some_and(|m| m[i * d + j]);
        mlp.zero_inputs(|i, j| !forbidden(i, j));
        let kinds = mlp.kinds();
        let free: Vec<bool> =
            kinds.iter().map(|k| !matches!(k, ParamKind::Input { i, j } if forbidden(*i, *j))).collect();
        let l1 = kinds
            .iter()
            .zip(&free)
            .map(|(k, &f)| match k {
                ParamKind::Input { i, j } if f && !required(*i, *j) => lambda1,
                _ => 0.0,
            })
            .collect();
        let is_weight = kinds.iter().map(|k| if matches!(k, ParamKind::Bias) { 0.0 } else { 1.0 }).collect();
        let intervened = match data.intervened {
            None => None,
            Some(mask) => {
                if let Some(j) = (0..d).find(|&j| (0..n).all(|r| mask[r * d + j])) {
                    return Err(CoreError::InvalidInput(format!(
                        "node {j} is intervened on in every row: its equation has no rows to be fitted on"
                    )));
                }
                Some((0..n * d).map(|k| mask[(k % n) * d + k / n]).collect())
            }
        };
        Ok(MlpProblem { x, intervened, mlp, kinds, free, l1, is_weight })
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.free.len()
    }

    /// True when there are no parameters (d = 0).
    pub fn is_empty(&self) -> bool {
        self.free.is_empty()
    }

    /// The sum of squared errors at `params` (the kept entries) and its gradient (overwritten).
    pub fn sse_grad(&mut self, params: &[f64], grad: &mut [f64]) -> f64 {
        self.mlp.params.copy_from_slice(params);
        self.mlp.squared_error_grad(self.x, None, self.intervened.as_deref(), 1.0, grad, None)
    }

    /// The sum of squared errors at `params`.
    pub fn sse(&mut self, params: &[f64]) -> f64 {
        self.mlp.params.copy_from_slice(params);
        self.mlp.squared_error(self.x, None, self.intervened.as_deref())
    }

    /// The edge strengths W (d×d) at `params`.
    pub fn weights(&mut self, params: &[f64]) -> Mat<f64> {
        self.mlp.params.copy_from_slice(params);
        self.mlp.input_weights()
    }

    /// h(W) at `params`; writes ∂h/∂θ into `grad` (overwritten) when given.
    ///
    /// Errors: the penalty's (`OutsideDomain` for the log-det penalty outside its domain).
    pub fn acyclicity(&mut self, params: &[f64], penalty: &Penalty, grad: Option<&mut [f64]>) -> Result<f64> {
        let w = self.weights(params);
        let (h, g_w) = penalty.value_grad(w.as_ref())?;
        if let Some(grad) = grad {
            for (p, kind) in self.kinds.iter().enumerate() {
                grad[p] = match *kind {
                    ParamKind::Input { i, j } if w[(i, j)] > 0.0 => g_w[(i, j)] * (params[p] / w[(i, j)]),
                    _ => 0.0,
                };
            }
        }
        Ok(h)
    }

    /// Σ λ1_p |θ_p|.
    pub fn l1_norm(&self, params: &[f64]) -> f64 {
        self.l1.iter().zip(params).map(|(l, p)| l * p.abs()).sum()
    }

    /// ½ Σ_weights θ² (the L2 term without its λ2).
    pub fn half_squared_norm(&self, params: &[f64]) -> f64 {
        0.5 * self.is_weight.iter().zip(params).map(|(w, p)| w * p * p).sum::<f64>()
    }

    /// Zeroes the gradient of the fixed parameters.
    pub fn clear_fixed(&self, grad: &mut [f64]) {
        grad.iter_mut().zip(&self.free).for_each(|(g, &f)| {
            if !f {
                *g = 0.0
            }
        });
    }
}

/// Per-node network parameters fitted in the canonical column order `perm`, for the input's
/// order (the `mechanism_params` extra of every MLP learner).
///
/// Errors: `InvalidInput` when `params` does not fit `hidden`.
pub fn restored_mechanism(hidden: &[usize], params: Vec<f64>, perm: &Permutation) -> Result<Value> {
    restored_mechanisms(hidden, params, 1, perm)
}

/// [`restored_mechanism`] for `sets` sets of networks stacked one after another (D-Struct's
/// members).
///
/// Errors: `InvalidInput` when `params` does not split into `sets` sets that fit `hidden`.
pub fn restored_mechanisms(hidden: &[usize], params: Vec<f64>, sets: usize, perm: &Permutation) -> Result<Value> {
    let block = params.len() / sets.max(1);
    let mut restored = Vec::with_capacity(params.len());
    for set in params.chunks(block.max(1)) {
        let mlp = Mlp::from_params(perm.len(), hidden, Activation::Sigmoid, set.to_vec())?;
        restored.extend(mlp.relabelled(|i| perm.canonical_of(i)).params);
    }
    Ok(Value::Floats(restored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acyclicity::PenaltyKind;
    use rand::Rng;

    fn data(n: usize, d: usize) -> Mat<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        Mat::from_fn(n, d, |_, _| rng.random_range(-1.0..1.0))
    }

    #[test]
    fn acyclicity_gradient_matches_finite_differences() {
        let x = data(6, 4);
        let data = Data::observational(x.as_ref());
        let mut forbidden = vec![false; 16];
        forbidden[1] = true; // 0 → 1
        let prior = Prior { forbidden: Some(forbidden), required: None };
        let mut problem = MlpProblem::new(&data, &[3], 0.1, &prior, 7, false).unwrap();
        let params = problem.mlp.params.clone();
        assert_eq!(problem.weights(&params)[(0, 1)], 0.0);
        for kind in [PenaltyKind::Expm, PenaltyKind::Logdet, PenaltyKind::Poly] {
            let penalty = Penalty::new(kind, 5.0).unwrap();
            let mut grad = vec![0.0; problem.len()];
            problem.acyclicity(&params, &penalty, Some(&mut grad)).unwrap();
            let step = 1e-6;
            for p in 0..problem.len() {
                let (mut plus, mut minus) = (params.clone(), params.clone());
                plus[p] += step;
                minus[p] -= step;
                let numeric = (problem.acyclicity(&plus, &penalty, None).unwrap()
                    - problem.acyclicity(&minus, &penalty, None).unwrap())
                    / (2.0 * step);
                let expected = if problem.free[p] { numeric } else { grad[p] };
                assert!(
                    (expected - grad[p]).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "{kind:?} {p}: {numeric} vs {}",
                    grad[p]
                );
            }
        }
    }
}
