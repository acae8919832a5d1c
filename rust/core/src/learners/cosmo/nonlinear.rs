//! COSMO's nonlinear model (the reference's `PriorityNonLinearSCM`; Massidda, Landolfi,
//! Cinquini, Bacciu, ICLR 2024): one sigmoid MLP per node ([`crate::mlp`]) whose first layer
//! reads input i scaled by the smooth orientation S_ij = σ((p_j − p_i − ε)/t),
//!   x̂_j = Σ_m v_jm σ(Σ_i θ_ijm S_ij x_i + b_jm) + c_j,
//! with the minibatch loss ‖X − X̂‖²/(B d) + λ1‖θ¹‖₁ + λ2‖θ¹‖_F + λp‖p‖₂ (the regularisers on
//! the first-layer weights θ¹, norms not squared, as the linear model's). The gradient reaches
//! the priorities through S: with G = ∂MSE/∂S (the kernel's input-scale gradient),
//! M = G∘S∘(1 − S)/t and ∂/∂p_k = Σ_i M_ik − Σ_j M_kj, as in the linear model. The weighted
//! adjacency is the reference's signed sum A_ij = Σ_m θ_ijm S_ij at the last temperature, and the
//! graph its hard mask p_j − p_i > ε, |A_ij| > `w_threshold`: a DAG by construction. There is
//! no refit (it solves least-squares weights); `converged` is the relative-change rule on the
//! epoch losses (`tol`).

use super::{end_epoch, order_required, orientation_into, required_in_order, settled, temperature, validate, Settings};
use crate::error::{CoreError, Result};
use crate::learners::mlp_problem::MlpProblem;
use crate::learners::{Data, Fitted, Prior, Value};
use crate::linalg::gather_rows;
use crate::mlp::ParamKind;
use crate::optim::adam::Adam;
use crate::progress::Progress;
use crate::regression::gather_mask_rows;
use crate::simulate::random::polar_normal;
use crate::vector::{dot, sum};
use faer::Mat;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Fits COSMO's nonlinear model (see the module docs) under `prior`.
///
/// Errors: `InvalidParameter` for bad settings; `InvalidInput` for a bad prior or mask;
/// `NonFinite` when the loss leaves the float64 range; `Cancelled`.
pub fn fit(data: &Data<'_>, config: &Settings, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted> {
    let (x, intervened) = (data.x, data.intervened);
    let (n, d) = (x.nrows(), x.ncols());
    validate(config, n, d)?;
    let mut problem = MlpProblem::new(data, &config.hidden, config.lambda1, prior, config.seed, false)?;
    let required = required_in_order(prior.required.as_ref(), d)?;
    let is_required = |i: usize, j: usize| prior.required.as_ref().is_some_and(|m| m[i * d + j]);
    let lr = config.learning_rate(d);
    let n_params = problem.len();
    // the priorities' stream is seeded apart from the networks' initialisation
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut theta = problem.mlp.params.clone();
    let sd = config.shift / 2f64.sqrt();
    theta.extend((0..d).map(|_| sd * polar_normal(&mut rng)));
    order_required(&mut theta[n_params..], &required, config.shift);
    let first_layer: Vec<bool> = problem.kinds.iter().map(|k| matches!(k, ParamKind::Input { .. })).collect();

    let mut adam = Adam::new(n_params + d, 0.9, 0.999, 1e-8);
    let mut grad = vec![0.0; n_params + d];
    let mut next = vec![0.0; n_params + d];
    let (mut s, mut grad_s) = (vec![0.0; d * d], vec![0.0; d * d]);
    let mut rows: Vec<usize> = (0..n).collect();
    let batch = config.batch_size.min(n);
    let mut xb = Mat::<f64>::zeros(batch, d);
    let mut batch_mask = Vec::new();
    let mut history = Vec::with_capacity(config.max_iter);
    let (mut last_error, mut n_steps) = (f64::NAN, 0);
    for epoch in 0..config.max_iter {
        let t = temperature(config, epoch, config.max_iter);
        rows.shuffle(&mut rng);
        let mut epoch_loss = 0.0;
        for chunk in rows.chunks(batch) {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            gather_rows(x, chunk, &mut xb);
            let mask = intervened.map(|mask| {
                gather_mask_rows(mask, d, chunk, &mut batch_mask);
                batch_mask.as_slice()
            });
            let (params, p) = theta.split_at(n_params);
            orientation_into(p, None, config.shift, t, &mut s, None);
            problem.mlp.params.copy_from_slice(params);
            let scale = 1.0 / (chunk.len() * d) as f64;
            let (grad_params, grad_p) = grad.split_at_mut(n_params);
            let sse =
                problem.mlp.squared_error_grad(xb.as_ref(), Some(&s), mask, scale, grad_params, Some(&mut grad_s));
            let mse = scale * sse;
            if !mse.is_finite() {
                return Err(CoreError::NonFinite(format!(
                    "COSMO's loss left the float64 range at epoch {epoch} (lower lr, or standardize the data)"
                )));
            }
            regulariser_grads(&problem, params, &first_layer, config, grad_params);
            priority_grads(p, &s, &grad_s, t, config.lambda_p, grad_p);
            epoch_loss += mse * chunk.len() as f64;
            adam.step(&mut theta, &grad, lr, &mut next);
            order_required(&mut theta[n_params..], &required, config.shift);
            n_steps += 1;
        }
        last_error = epoch_loss / n as f64;
        let loss = last_error + regularisers(&problem, &theta, &first_layer, config);
        end_epoch(loss, epoch, t, config, &mut history, progress)?;
    }

    let t_final = temperature(config, config.max_iter - 1, config.max_iter);
    let (params, p) = theta.split_at(n_params);
    orientation_into(p, None, config.shift, t_final, &mut s, None);
    problem.mlp.params.copy_from_slice(params);
    let sums = problem.mlp.input_sums();
    let raw_weights = Mat::from_fn(d, d, |i, j| sums[(i, j)] * s[j * d + i]);
    let mut weights = Mat::<f64>::zeros(d, d);
    for j in 0..d {
        for i in 0..d {
            let forbidden = i == j || prior.forbidden.as_ref().is_some_and(|m| m[i * d + j]);
            let forward = p[j] - p[i] > config.shift;
            if !forbidden && (is_required(i, j) || (forward && raw_weights[(i, j)].abs() > config.w_threshold)) {
                weights[(i, j)] = raw_weights[(i, j)];
            }
        }
    }
    let converged = settled(&history, config);
    // the error of predicting every column by its mean
    let empty_loss = (0..d)
        .map(|j| {
            let column: Vec<f64> = (0..n).map(|r| x[(r, j)]).collect();
            let mean = sum(&column) / n as f64;
            column.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>()
        })
        .sum::<f64>()
        / (n * d) as f64;
    let diverged = last_error > empty_loss;
    let mut fitted = Fitted::new(raw_weights, weights, prior, config.max_iter, converged && !diverged, history)?;
    if diverged {
        fitted.warnings.push(format!(
            "COSMO's mean squared error ended at {last_error:.3e}, above the empty graph's ({empty_loss:.3e}): the \
             minibatch optimisation diverged and the graph is unreliable; lower lr (it was {lr})"
        ));
    }
    Ok(fitted
        .with("priorities", Value::NodeFloats(p.to_vec()))
        .with("n_steps", n_steps)
        .with("diverged", diverged)
        .with("n_refit_rounds", 0usize)
        .with("refit_time", 0.0)
        .with("shift", config.shift)
        .with("mechanism_params", Value::Floats(params.to_vec())))
}

/// Adds the gradients of λ1‖θ¹‖₁ (sign, 0 at 0) + λ2‖θ¹‖_F to `grad` and zeroes the fixed entries.
fn regulariser_grads(
    problem: &MlpProblem<'_>,
    params: &[f64],
    first_layer: &[bool],
    config: &Settings,
    grad: &mut [f64],
) {
    let norm = first_layer.iter().zip(params).filter(|(f, _)| **f).map(|(_, v)| v * v).sum::<f64>().sqrt();
    let ridge = if norm > 0.0 { config.lambda2 / norm } else { 0.0 };
    for k in 0..params.len() {
        if first_layer[k] {
            let sign = f64::from(u8::from(params[k] > 0.0)) - f64::from(u8::from(params[k] < 0.0));
            grad[k] += problem.l1[k] * sign + ridge * params[k];
        }
    }
    problem.clear_fixed(grad);
}

/// ∂/∂p_k = Σ_i M_ik − Σ_j M_kj + λp p_k/‖p‖ with M = G∘S∘(1 − S)/t (G = ∂MSE/∂S), into `grad_p`.
fn priority_grads(p: &[f64], s: &[f64], grad_s: &[f64], t: f64, lambda_p: f64, grad_p: &mut [f64]) {
    let d = p.len();
    grad_p.iter_mut().for_each(|v| *v = 0.0);
    let mut m = vec![0.0; d];
    for j in 0..d {
        let (sc, gc) = (&s[j * d..(j + 1) * d], &grad_s[j * d..(j + 1) * d]);
        m.iter_mut().zip(sc.iter().zip(gc)).for_each(|(mk, (&sk, &gk))| *mk = gk * sk * (1.0 - sk) / t);
        grad_p[j] += sum(&m);
        grad_p.iter_mut().zip(&m).for_each(|(gp, &mk)| *gp -= mk);
    }
    let norm = dot(p, p).sqrt();
    if norm > 0.0 {
        grad_p.iter_mut().zip(p).for_each(|(gp, &pk)| *gp += lambda_p * pk / norm);
    }
}

/// λ1‖θ¹‖₁ + λ2‖θ¹‖_F + λp‖p‖₂ at `theta` (network parameters, then priorities).
fn regularisers(problem: &MlpProblem<'_>, theta: &[f64], first_layer: &[bool], config: &Settings) -> f64 {
    let (params, p) = theta.split_at(problem.len());
    let norm = first_layer.iter().zip(params).filter(|(f, _)| **f).map(|(_, v)| v * v).sum::<f64>().sqrt();
    problem.l1_norm(params) + config.lambda2 * norm + config.lambda_p * dot(p, p).sqrt()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{config, data};
    use super::*;
    use crate::mlp::Mechanism;
    use rand::Rng;

    #[test]
    fn gradients_match_finite_differences() {
        // loss + regularisers of one minibatch against central differences, over the network
        // parameters and the priorities
        let (b, d) = (10, 4);
        let x = data(b, d, 2);
        let cfg = Settings { mechanism: Mechanism::Mlp, hidden: vec![3], refit: false, ..config() };
        let data = Data::observational(x.as_ref());
        let mut problem = MlpProblem::new(&data, &cfg.hidden, cfg.lambda1, &Prior::default(), 1, false).unwrap();
        let first_layer: Vec<bool> = problem.kinds.iter().map(|k| matches!(k, ParamKind::Input { .. })).collect();
        let n_params = problem.len();
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let mut theta = problem.mlp.params.clone();
        theta.extend((0..d).map(|_| rng.random_range(-0.2..0.2)));
        let t = 0.3;
        let mut evaluate = |theta: &[f64], grad: &mut [f64]| -> f64 {
            let (params, p) = theta.split_at(n_params);
            let (mut s, mut grad_s) = (vec![0.0; d * d], vec![0.0; d * d]);
            orientation_into(p, None, cfg.shift, t, &mut s, None);
            problem.mlp.params.copy_from_slice(params);
            let scale = 1.0 / (b * d) as f64;
            let (gp, gq) = grad.split_at_mut(n_params);
            let sse = problem.mlp.squared_error_grad(x.as_ref(), Some(&s), None, scale, gp, Some(&mut grad_s));
            regulariser_grads(&problem, params, &first_layer, &cfg, gp);
            priority_grads(p, &s, &grad_s, t, cfg.lambda_p, gq);
            scale * sse + regularisers(&problem, theta, &first_layer, &cfg)
        };
        let mut grad = vec![0.0; theta.len()];
        evaluate(&theta, &mut grad);
        let mut scratch = vec![0.0; theta.len()];
        let h = 1e-6;
        for k in 0..theta.len() {
            let (mut plus, mut minus) = (theta.clone(), theta.clone());
            plus[k] += h;
            minus[k] -= h;
            let numeric = (evaluate(&plus, &mut scratch) - evaluate(&minus, &mut scratch)) / (2.0 * h);
            // the diagonal first-layer weights are fixed (S_ii = 0: no effect, no gradient)
            assert!((numeric - grad[k]).abs() < 1e-6 * (1.0 + numeric.abs()), "entry {k}: {numeric} vs {}", grad[k]);
        }
    }
}
