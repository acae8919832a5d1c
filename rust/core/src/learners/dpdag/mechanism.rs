//! The causal mechanisms of DP-DAG: one small network per node, fed its sampled parents.
//!
//! x̂_j = f_j(x ∘ A[:, j]): node j's network sees the whole d-vector with its non-parents zeroed.
//! f_j is an MLP with layer widths [d, h_1, …, h_L, 1], ReLU after every layer but the last, or,
//! with no hidden layer, the linear regression x̂_j = Σ_i A_ij w_ij x_i + b_j. Initialisation as
//! PyTorch's `Linear`: weights and biases U(±1/√fan_in).
//!
//! Gradients are written by hand. Masking the input is masking the first layer's rows:
//! (x ∘ a) W₀ = x (diag(a) W₀), so with Q = Xᵀ δ₀ (δ₀ the gradient at the first layer's output),
//!   ∂L/∂W₀ = diag(a) Q,   ∂L/∂a_i = Σ_k W₀[i, k] Q[i, k].
//! Interventional data: an optional column-major rows×d mask leaves out the entries (r, j) whose
//! row set node j by an intervention, from the error and hence from every gradient (node j's
//! network, bias included, is fitted on its rows only; δ is 0 on the others).
//! Nodes are independent: they run in parallel (rayon), each writing only its own parameters'
//! gradient and its own column of ∂L/∂A, so results do not depend on the number of threads.

use crate::error::{CoreError, Result};
use crate::matmul::matmul;
use faer::{Accum, Mat, MatRef};
use rand::Rng;
use rayon::prelude::*;

/// Where one layer of a node's network lives in that node's parameter block.
#[derive(Debug, Clone, Copy)]
struct Layer {
    /// Offset of the weights, column-major fan_in × fan_out.
    weights: usize,
    /// Offset of the fan_out biases.
    bias: usize,
    fan_in: usize,
    fan_out: usize,
}

/// d per-node networks with masked inputs; parameters in one flat vector, node by node.
#[derive(Debug, Clone)]
pub struct MaskedMlp {
    d: usize,
    layers: Vec<Layer>,
    /// Parameters of one node.
    node_len: usize,
    /// All parameters: node 0's block, node 1's, … (each laid out as `layers`).
    pub params: Vec<f64>,
}

impl MaskedMlp {
    fn layout(d: usize, hidden: &[usize]) -> (Vec<Layer>, usize) {
        let widths: Vec<usize> = std::iter::once(d).chain(hidden.iter().copied()).chain(std::iter::once(1)).collect();
        let mut layers = Vec::with_capacity(widths.len() - 1);
        let mut offset = 0;
        for pair in widths.windows(2) {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            layers.push(Layer { weights: offset, bias: offset + fan_in * fan_out, fan_in, fan_out });
            offset += fan_in * fan_out + fan_out;
        }
        (layers, offset)
    }

    /// Networks for `d` nodes with hidden widths `hidden` (empty: linear), initialised from `rng`.
    ///
    /// Errors: `InvalidParameter` for a hidden width of 0.
    pub fn new(d: usize, hidden: &[usize], rng: &mut impl Rng) -> Result<Self> {
        if hidden.contains(&0) {
            return Err(CoreError::InvalidParameter(format!("hidden layer widths must be >= 1, got {hidden:?}")));
        }
        let (layers, node_len) = Self::layout(d, hidden);
        let mut params = vec![0.0; d * node_len];
        for block in params.chunks_mut(node_len.max(1)) {
            for layer in &layers {
                let bound = 1.0 / (layer.fan_in as f64).sqrt();
                for v in &mut block[layer.weights..layer.bias + layer.fan_out] {
                    *v = rng.random_range(-bound..bound);
                }
            }
        }
        Ok(MaskedMlp { d, layers, node_len, params })
    }

    /// Networks with the given parameters (as returned by a fit).
    ///
    /// Errors: `InvalidInput` when `params` has the wrong length; `InvalidParameter` for a width of 0.
    pub fn from_params(d: usize, hidden: &[usize], params: Vec<f64>) -> Result<Self> {
        if hidden.contains(&0) {
            return Err(CoreError::InvalidParameter(format!("hidden layer widths must be >= 1, got {hidden:?}")));
        }
        let (layers, node_len) = Self::layout(d, hidden);
        if params.len() != d * node_len {
            return Err(CoreError::InvalidInput(format!(
                "the mechanism has {} parameters, expected {} for d = {d} and hidden = {hidden:?}",
                params.len(),
                d * node_len
            )));
        }
        Ok(MaskedMlp { d, layers, node_len, params })
    }

    /// The networks with nodes relabelled: node j of the result is node `source(j)` of these,
    /// and input i of every first layer is input `source(i)` (a d×d relabelling of the graph).
    pub fn relabelled(&self, source: impl Fn(usize) -> usize) -> MaskedMlp {
        let (d, len, first) = (self.d, self.node_len, self.layers[0]);
        let mut params = vec![0.0; self.params.len()];
        for j in 0..d {
            let from = &self.params[source(j) * len..(source(j) + 1) * len];
            let to = &mut params[j * len..(j + 1) * len];
            to.copy_from_slice(from);
            // first layer: column-major fan_in (= d) × fan_out, one row per input
            for k in 0..first.fan_out {
                for i in 0..d {
                    to[first.weights + k * d + i] = from[first.weights + k * d + source(i)];
                }
            }
        }
        MaskedMlp { d, layers: self.layers.clone(), node_len: len, params }
    }

    /// True for the linear mechanism (no hidden layer).
    pub fn is_linear(&self) -> bool {
        self.layers.len() == 1
    }

    /// Node j's network on the rows `x` with input mask `a` (column j of A); returns its output
    /// (rows × 1) and the post-activation output of every hidden layer.
    fn forward_node(&self, block: &[f64], x: MatRef<'_, f64>, a: &[f64]) -> (Mat<f64>, Vec<Mat<f64>>) {
        let rows = x.nrows();
        let last = self.layers.len() - 1;
        let mut hidden: Vec<Mat<f64>> = Vec::with_capacity(last);
        let mut output = Mat::<f64>::zeros(0, 0);
        for (l, layer) in self.layers.iter().enumerate() {
            let w = MatRef::from_column_major_slice(&block[layer.weights..layer.bias], layer.fan_in, layer.fan_out);
            let mut z = Mat::<f64>::zeros(rows, layer.fan_out);
            if l == 0 {
                let masked = Mat::from_fn(layer.fan_in, layer.fan_out, |i, k| w[(i, k)] * a[i]);
                matmul(z.as_mut(), Accum::Replace, x, masked.as_ref(), 1.0);
            } else {
                matmul(z.as_mut(), Accum::Replace, hidden[l - 1].as_ref(), w, 1.0);
            }
            let bias = &block[layer.bias..layer.bias + layer.fan_out];
            for (k, &b) in bias.iter().enumerate() {
                let column = z.col_as_slice_mut(k);
                if l == last {
                    column.iter_mut().for_each(|v| *v += b);
                } else {
                    column.iter_mut().for_each(|v| *v = (*v + b).max(0.0));
                }
            }
            if l == last {
                output = z;
            } else {
                hidden.push(z);
            }
        }
        (output, hidden)
    }

    /// `scale` · Σ (x̂ − x)² over the rows of `x` with adjacency `a` (column-major d×d), leaving
    /// out the entries set in `intervened` (column-major rows×d, when given); writes its gradient
    /// with respect to the parameters into `grad_params` and to A into `grad_a` (both
    /// overwritten). Returns the unscaled sum of squares.
    pub fn squared_error_grad(
        &self,
        x: MatRef<'_, f64>,
        a: &[f64],
        intervened: Option<&[bool]>,
        scale: f64,
        grad_params: &mut [f64],
        grad_a: &mut [f64],
    ) -> f64 {
        let rows = x.nrows();
        let skip_of = |j: usize| intervened.map(|m| &m[j * rows..(j + 1) * rows]);
        if self.is_linear() {
            return self.linear_squared_error_grad(x, a, intervened, scale, grad_params, grad_a);
        }
        let (d, len) = (self.d, self.node_len);
        let per_node: Vec<f64> = grad_params
            .par_chunks_mut(len.max(1))
            .zip(grad_a.par_chunks_mut(d.max(1)))
            .enumerate()
            .map(|(j, (grad_block, grad_column))| {
                let block = &self.params[j * len..(j + 1) * len];
                let column = &a[j * d..(j + 1) * d];
                self.node_backward(block, x, j, column, skip_of(j), scale, grad_block, grad_column)
            })
            .collect();
        per_node.iter().sum()
    }

    // One node's parameters, inputs and gradient slices: the pieces of its backward pass.
    #[allow(clippy::too_many_arguments)]
    fn node_backward(
        &self,
        block: &[f64],
        x: MatRef<'_, f64>,
        j: usize,
        a: &[f64],
        skip: Option<&[bool]>,
        scale: f64,
        grad: &mut [f64],
        grad_a: &mut [f64],
    ) -> f64 {
        let (output, hidden) = self.forward_node(block, x, a);
        let target = x.col(j);
        let rows = x.nrows();
        let mut sse = 0.0;
        let mut delta = Mat::<f64>::zeros(rows, 1);
        for r in 0..rows {
            if skip.is_some_and(|s| s[r]) {
                continue; // an intervened entry: no error, no gradient
            }
            let e = output[(r, 0)] - target[r];
            sse += e * e;
            delta[(r, 0)] = 2.0 * scale * e;
        }
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let w = MatRef::from_column_major_slice(&block[layer.weights..layer.bias], layer.fan_in, layer.fan_out);
            for k in 0..layer.fan_out {
                grad[layer.bias + k] = delta.col_as_slice(k).iter().sum();
            }
            if l == 0 {
                // Q = Xᵀδ; ∂W₀ = diag(a)Q, ∂a_i = Σ_k W₀[i,k] Q[i,k]
                let mut q = Mat::<f64>::zeros(layer.fan_in, layer.fan_out);
                matmul(q.as_mut(), Accum::Replace, x.transpose(), delta.as_ref(), 1.0);
                let grad_w = &mut grad[layer.weights..layer.bias];
                grad_a.iter_mut().for_each(|v| *v = 0.0);
                for k in 0..layer.fan_out {
                    for i in 0..layer.fan_in {
                        grad_w[k * layer.fan_in + i] = q[(i, k)] * a[i];
                        grad_a[i] += w[(i, k)] * q[(i, k)];
                    }
                }
            } else {
                let input = &hidden[l - 1];
                let mut grad_w = Mat::<f64>::zeros(layer.fan_in, layer.fan_out);
                matmul(grad_w.as_mut(), Accum::Replace, input.transpose(), delta.as_ref(), 1.0);
                for k in 0..layer.fan_out {
                    grad[layer.weights + k * layer.fan_in..layer.weights + (k + 1) * layer.fan_in]
                        .copy_from_slice(grad_w.col_as_slice(k));
                }
                let mut previous = Mat::<f64>::zeros(rows, layer.fan_in);
                matmul(previous.as_mut(), Accum::Replace, delta.as_ref(), w.transpose(), 1.0);
                // ReLU: no gradient where the unit was off
                for k in 0..layer.fan_in {
                    previous.col_as_slice_mut(k).iter_mut().zip(input.col_as_slice(k)).for_each(|(g, &h)| {
                        if h <= 0.0 {
                            *g = 0.0
                        }
                    });
                }
                delta = previous;
            }
        }
        sse
    }

    /// The linear mechanism as one matrix: (W∘A) (d×d) and the biases.
    fn linear_coefficients(&self, a: &[f64]) -> (Mat<f64>, Vec<f64>) {
        let d = self.d;
        let coefficients = Mat::from_fn(d, d, |i, j| self.params[j * (d + 1) + i] * a[j * d + i]);
        (coefficients, (0..d).map(|j| self.params[j * (d + 1) + d]).collect())
    }

    /// [`squared_error_grad`](Self::squared_error_grad) for the linear mechanism, with all nodes
    /// in two matrix products: X̂ = X(W∘A) + b and C = Xᵀ ∂L/∂X̂, so ∂L/∂W = A∘C and ∂L/∂A = W∘C.
    fn linear_squared_error_grad(
        &self,
        x: MatRef<'_, f64>,
        a: &[f64],
        intervened: Option<&[bool]>,
        scale: f64,
        grad_params: &mut [f64],
        grad_a: &mut [f64],
    ) -> f64 {
        let (d, rows) = (self.d, x.nrows());
        let (coefficients, bias) = self.linear_coefficients(a);
        let mut residual = x.to_owned();
        matmul(residual.as_mut(), Accum::Add, x, coefficients.as_ref(), -1.0);
        let mut sse = 0.0;
        for (j, &b) in bias.iter().enumerate() {
            // residual = x − x̂; the error e = x̂ − x = −residual
            let column = residual.col_as_slice_mut(j);
            column.iter_mut().for_each(|r| *r -= b);
            if let Some(mask) = intervened {
                let skip = &mask[j * rows..(j + 1) * rows];
                column.iter_mut().zip(skip).for_each(|(r, &s)| {
                    if s {
                        *r = 0.0
                    }
                });
            }
            sse += column.iter().map(|r| r * r).sum::<f64>();
            grad_params[j * (d + 1) + d] = -2.0 * scale * column.iter().sum::<f64>();
        }
        let mut c = Mat::<f64>::zeros(d, d);
        matmul(c.as_mut(), Accum::Replace, x.transpose(), residual.as_ref(), -2.0 * scale);
        for j in 0..d {
            for i in 0..d {
                let k = j * d + i;
                grad_params[j * (d + 1) + i] = a[k] * c[(i, j)];
                grad_a[k] = self.params[j * (d + 1) + i] * c[(i, j)];
            }
        }
        sse
    }

    /// Sets the linear mechanism to x̂_j = bias_j + Σ_i weights_ij x_i (weights d×d, zero diagonal).
    ///
    /// Errors: `InvalidParameter` for the MLP mechanism; `InvalidInput` for mismatched shapes.
    pub fn set_linear(&mut self, weights: MatRef<'_, f64>, bias: &[f64]) -> Result<()> {
        let d = self.d;
        if !self.is_linear() {
            return Err(CoreError::InvalidParameter("only the linear mechanism can be set from weights".into()));
        }
        if weights.nrows() != d || weights.ncols() != d || bias.len() != d {
            return Err(CoreError::InvalidInput(format!(
                "the linear mechanism needs {d}x{d} weights and {d} intercepts"
            )));
        }
        for j in 0..d {
            for i in 0..d {
                self.params[j * (d + 1) + i] = weights[(i, j)];
            }
            self.params[j * (d + 1) + d] = bias[j];
        }
        Ok(())
    }

    /// x̂ (rows × d): every node's network on the rows of `x` with adjacency `a` (column-major d×d).
    pub fn predict(&self, x: MatRef<'_, f64>, a: &[f64]) -> Mat<f64> {
        let (d, len) = (self.d, self.node_len);
        if self.is_linear() {
            let (coefficients, bias) = self.linear_coefficients(a);
            let mut out = Mat::from_fn(x.nrows(), d, |_, j| bias[j]);
            matmul(out.as_mut(), Accum::Add, x, coefficients.as_ref(), 1.0);
            return out;
        }
        let columns: Vec<Mat<f64>> = (0..d)
            .into_par_iter()
            .map(|j| self.forward_node(&self.params[j * len..(j + 1) * len], x, &a[j * d..(j + 1) * d]).0)
            .collect();
        Mat::from_fn(x.nrows(), d, |r, j| columns[j][(r, 0)])
    }

    /// Sum of squared errors of [`predict`](Self::predict) against `x`, leaving out the entries
    /// set in `intervened` (column-major rows×d, when given).
    pub fn squared_error(&self, x: MatRef<'_, f64>, a: &[f64], intervened: Option<&[bool]>) -> f64 {
        let prediction = self.predict(x, a);
        let rows = x.nrows();
        (0..self.d)
            .map(|j| {
                let pairs = prediction.col_as_slice(j).iter().zip(x.col(j).iter());
                match intervened {
                    None => pairs.map(|(p, t)| (p - t) * (p - t)).sum::<f64>(),
                    Some(mask) => pairs
                        .zip(&mask[j * rows..(j + 1) * rows])
                        .map(|((p, t), &s)| if s { 0.0 } else { (p - t) * (p - t) })
                        .sum::<f64>(),
                }
            })
            .sum()
    }

    /// How strongly each input i feeds node j's network (d×d, zero diagonal): the weight w_ij for
    /// the linear mechanism, the L2 norm of the first-layer weights from input i otherwise.
    pub fn input_weights(&self) -> Mat<f64> {
        let (d, len, first) = (self.d, self.node_len, self.layers[0]);
        Mat::from_fn(d, d, |i, j| {
            if i == j {
                return 0.0;
            }
            let w = &self.params[j * len + first.weights..j * len + first.bias];
            if self.is_linear() {
                w[i]
            } else {
                (0..first.fan_out).map(|k| w[k * d + i] * w[k * d + i]).sum::<f64>().sqrt()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn data(rows: usize, d: usize, seed: u64) -> Mat<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Mat::from_fn(rows, d, |_, _| rng.random_range(-1.5..1.5))
    }

    fn check_gradients(hidden: &[usize], intervened: Option<&[bool]>) {
        let d = 4;
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mlp = MaskedMlp::new(d, hidden, &mut rng).unwrap();
        let x = data(9, d, 2);
        // a soft adjacency, as in the relaxed forward pass
        let a: Vec<f64> = (0..d * d).map(|k| if k % (d + 1) == 0 { 0.0 } else { rng.random_range(0.1..0.9) }).collect();
        let scale = 1.0 / 36.0;
        let mut grad_p = vec![0.0; mlp.params.len()];
        let mut grad_a = vec![0.0; d * d];
        let sse = mlp.squared_error_grad(x.as_ref(), &a, intervened, scale, &mut grad_p, &mut grad_a);
        assert!((sse - mlp.squared_error(x.as_ref(), &a, intervened)).abs() < 1e-10);
        if let Some(mask) = intervened {
            // the kept entries' errors, from the predictions
            let p = mlp.predict(x.as_ref(), &a);
            let direct: f64 = (0..d)
                .flat_map(|j| (0..9).map(move |r| (r, j)))
                .filter(|&(r, j)| !mask[j * 9 + r])
                .map(|(r, j)| (p[(r, j)] - x[(r, j)]) * (p[(r, j)] - x[(r, j)]))
                .sum();
            assert!((sse - direct).abs() < 1e-10);
            // no entry set: the unmasked error and gradients, bit for bit
            let (mut gp, mut ga) = (vec![0.0; grad_p.len()], vec![0.0; d * d]);
            let (mut gp0, mut ga0) = (vec![0.0; grad_p.len()], vec![0.0; d * d]);
            let none = mlp.squared_error_grad(x.as_ref(), &a, Some(&[false; 36]), scale, &mut gp, &mut ga);
            let plain = mlp.squared_error_grad(x.as_ref(), &a, None, scale, &mut gp0, &mut ga0);
            assert_eq!(none.to_bits(), plain.to_bits());
            assert!(gp.iter().zip(&gp0).chain(ga.iter().zip(&ga0)).all(|(u, v)| u.to_bits() == v.to_bits()));
        }
        let h = 1e-6;
        for (k, &analytic) in grad_p.iter().enumerate() {
            let (mut plus, mut minus) = (mlp.clone(), mlp.clone());
            plus.params[k] += h;
            minus.params[k] -= h;
            let numeric = scale
                * (plus.squared_error(x.as_ref(), &a, intervened) - minus.squared_error(x.as_ref(), &a, intervened))
                / (2.0 * h);
            assert!((numeric - analytic).abs() < 1e-6 * (1.0 + numeric.abs()), "param {k}: {numeric} vs {analytic}");
        }
        for k in 0..d * d {
            let (mut plus, mut minus) = (a.clone(), a.clone());
            plus[k] += h;
            minus[k] -= h;
            let numeric = scale
                * (mlp.squared_error(x.as_ref(), &plus, intervened)
                    - mlp.squared_error(x.as_ref(), &minus, intervened))
                / (2.0 * h);
            assert!((numeric - grad_a[k]).abs() < 1e-6 * (1.0 + numeric.abs()), "A {k}: {numeric} vs {}", grad_a[k]);
        }
    }

    #[test]
    fn mlp_gradients_match_finite_differences() {
        check_gradients(&[5, 3], None);
    }

    #[test]
    fn linear_gradients_match_finite_differences() {
        check_gradients(&[], None);
    }

    /// Column-major 9×4: rows 0..3 set node 1, rows 6.. node 3, and row 4 node 0.
    fn intervened() -> Vec<bool> {
        (0..36).map(|k| (k / 9 == 1 && k % 9 < 3) || (k / 9 == 3 && k % 9 >= 6) || k == 4).collect()
    }

    #[test]
    fn masked_mlp_gradients_match_finite_differences() {
        check_gradients(&[5, 3], Some(&intervened()));
    }

    #[test]
    fn masked_linear_gradients_match_finite_differences() {
        check_gradients(&[], Some(&intervened()));
    }

    #[test]
    fn a_node_ignores_its_non_parents_and_linear_weights_are_signed() {
        let d = 3;
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mlp = MaskedMlp::new(d, &[], &mut rng).unwrap();
        let x = data(5, d, 1);
        let a = vec![0.0; d * d]; // no edges: each node predicted by its bias
        let p = mlp.predict(x.as_ref(), &a);
        for j in 0..d {
            let bias = mlp.params[j * 4 + 3];
            assert!((0..5).all(|r| (p[(r, j)] - bias).abs() < 1e-15));
        }
        let w = mlp.input_weights();
        assert_eq!(w[(1, 0)], mlp.params[1]);
        assert_eq!(w[(0, 0)], 0.0);
        assert!(MaskedMlp::from_params(d, &[], vec![0.0; 5]).is_err());
        assert!(MaskedMlp::new(d, &[0], &mut rng).is_err());
    }
}
