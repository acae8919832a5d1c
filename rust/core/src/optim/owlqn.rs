//! OWL-QN: L-BFGS for min f(x) + Σ λ_i |x_i| (Andrew & Gao, "Scalable training of
//! L1-regularized log-linear models", ICML 2007).
//!
//! The quasi-Newton direction is computed from the pseudo-gradient on the variables it does not
//! hold at zero, sign-aligned with it, and the line search stays in the current orthant
//! (coordinates that would change sign are set to zero). Stopping rules as in
//! [`super::lbfgs`]: pseudo-gradient ∞-norm ≤ `pgtol` or relative decrease ≤ `ftol`.

use super::lbfgs::{History, Options, Outcome, Stop};
use crate::error::{CoreError, Result};
use crate::progress::Progress;
use crate::vector::dot;

/// The pseudo-gradient of f + Σ λ|x| at x (the minimum-norm subgradient).
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
fn pseudo_gradient(x: &[f64], g: &[f64], l1: &[f64], out: &mut [f64]) {
    for i in 0..x.len() {
        out[i] = if x[i] > 0.0 {
            g[i] + l1[i]
        } else if x[i] < 0.0 {
            g[i] - l1[i]
        } else if g[i] + l1[i] < 0.0 {
            g[i] + l1[i]
        } else if g[i] - l1[i] > 0.0 {
            g[i] - l1[i]
        } else {
            0.0
        };
    }
}

/// Σ λ_i |x_i|, summed in order.
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
fn l1_penalty(x: &[f64], l1: &[f64]) -> f64 {
    x.iter().zip(l1).map(|(v, l)| l * v.abs()).sum()
}

/// `x_new = x + step · direction` kept in the orthant of x (of −pg where x is zero: coordinates
/// that would change sign become zero), and `moved = x_new − x`.
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
fn orthant_step(x: &[f64], pg: &[f64], direction: &[f64], step: f64, x_new: &mut [f64], moved: &mut [f64]) {
    let n = x.len();
    let (pg, direction, x_new, moved) = (&pg[..n], &direction[..n], &mut x_new[..n], &mut moved[..n]);
    for i in 0..n {
        // the orthant of x, or of −pg where x is zero
        let orthant = if x[i] != 0.0 { x[i].signum() } else { -pg[i].signum() };
        let t = x[i] + step * direction[i];
        x_new[i] = if t * orthant > 0.0 { t } else { 0.0 };
        moved[i] = x_new[i] - x[i];
    }
}

/// Minimises `f(x) + Σ l1_i |x_i|` from `x0`. `f(x, grad)` returns the smooth part and writes
/// its gradient. Errors: `Numerical` when f is not finite at `x0`, `Cancelled` when
/// `progress.should_stop()` says so.
pub fn minimize_l1<F>(
    x0: &[f64],
    mut f: F,
    l1: &[f64],
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<Outcome>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<f64>,
{
    let n = x0.len();
    let penalty = |x: &[f64]| -> f64 { l1_penalty(x, l1) };
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g)? + penalty(&x);
    let mut n_evals = 1;
    if !value.is_finite() {
        return Err(CoreError::Numerical("the objective is not finite at the starting point".into()));
    }
    let memory = options.memory.max(1);
    let mut history = History::new(memory, n);
    let (mut alpha, mut rho) = (vec![0.0; memory], vec![0.0; memory]);
    let mut pg = vec![0.0; n];
    let mut direction = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut moved = vec![0.0; n];
    let mut free: Vec<usize> = Vec::with_capacity(n);

    for iter in 0..options.max_iter {
        pseudo_gradient(&x, &g, l1, &mut pg);
        let pg_norm = pg.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if pg_norm <= options.pgtol {
            return Ok(Outcome { x, value, n_evals, n_iter: iter, stop: Stop::Gradient });
        }
        free.clear();
        free.extend((0..n).filter(|&i| pg[i] != 0.0));
        history.direction(&pg, &free, &mut alpha, &mut rho, &mut direction);
        // Keep only the components that descend along −pg.
        for &i in &free {
            if direction[i] * pg[i] >= 0.0 {
                direction[i] = 0.0;
            }
        }
        let slope = dot(&pg, &direction);
        if slope.is_nan() || slope >= 0.0 {
            history.clear();
            direction.iter_mut().for_each(|v| *v = 0.0);
            for &i in &free {
                direction[i] = -pg[i];
            }
        }
        let mut step = if history.len == 0 { (1.0 / dot(&direction, &direction).sqrt()).min(1.0) } else { 1.0 };
        let mut accepted = false;
        let mut value_new = f64::INFINITY;
        for _ in 0..options.max_linesearch {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            orthant_step(&x, &pg, &direction, step, &mut x_new, &mut moved);
            let smooth = f(&x_new, &mut g_new)?;
            n_evals += 1;
            value_new = smooth + penalty(&x_new);
            if value_new.is_finite() && value_new <= value + 1e-4 * dot(&pg, &moved).min(0.0) {
                accepted = true;
                break;
            }
            step *= if value_new.is_finite() { 0.5 } else { 0.1 };
        }
        if !accepted {
            return Ok(Outcome { x, value, n_evals, n_iter: iter, stop: Stop::LineSearch });
        }
        history.push(&x_new, &x, &g_new, &g);
        let relative = (value - value_new) / value.abs().max(value_new.abs()).max(1.0);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        value = value_new;
        if relative <= options.ftol {
            return Ok(Outcome { x, value, n_evals, n_iter: iter + 1, stop: Stop::Decrease });
        }
    }
    Ok(Outcome { x, value, n_evals, n_iter: options.max_iter, stop: Stop::MaxIter })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    #[test]
    fn soft_thresholding_of_a_separable_quadratic() {
        // min Σ ½ a_i (x_i − c_i)² + λ_i |x_i|  →  x_i = sign(c_i) max(|c_i| − λ_i / a_i, 0)
        let a = [1.0, 4.0, 0.5, 2.0, 1.0];
        let c = [1.5, -2.0, 0.3, -0.1, 0.0];
        let l1 = [0.5, 1.0, 0.5, 0.0, 0.2];
        let out = minimize_l1(
            &[0.0; 5],
            |x, g| {
                let mut v = 0.0;
                for i in 0..5 {
                    v += 0.5 * a[i] * (x[i] - c[i]).powi(2);
                    g[i] = a[i] * (x[i] - c[i]);
                }
                Ok(v)
            },
            &l1,
            &Options { ftol: 0.0, pgtol: 1e-10, ..Options::default() },
            &mut Silent,
        )
        .unwrap();
        for i in 0..5 {
            let expected = c[i].signum() * (c[i].abs() - l1[i] / a[i]).max(0.0);
            assert!((out.x[i] - expected).abs() < 1e-8, "{i}: {:?}", out.x);
        }
    }

    #[test]
    fn lasso_on_a_coupled_quadratic_satisfies_the_optimality_conditions() {
        // f = ½ xᵀQx − bᵀx with Q positive definite; at the optimum |∇f_i| ≤ λ where x_i = 0 and
        // ∇f_i = −λ sign(x_i) elsewhere.
        let q = [[3.0, 1.0, 0.5], [1.0, 2.0, 0.3], [0.5, 0.3, 1.5]];
        let b = [2.0, -1.0, 0.2];
        let lambda = 0.4;
        let grad_at = |x: &[f64], g: &mut [f64]| {
            for i in 0..3 {
                g[i] = (0..3).map(|j| q[i][j] * x[j]).sum::<f64>() - b[i];
            }
        };
        let out = minimize_l1(
            &[0.0; 3],
            |x, g| {
                grad_at(x, g);
                Ok(0.5 * (0..3).map(|i| x[i] * (0..3).map(|j| q[i][j] * x[j]).sum::<f64>()).sum::<f64>()
                    - (0..3).map(|i| b[i] * x[i]).sum::<f64>())
            },
            &[lambda; 3],
            &Options { ftol: 0.0, pgtol: 1e-10, ..Options::default() },
            &mut Silent,
        )
        .unwrap();
        let mut g = [0.0; 3];
        grad_at(&out.x, &mut g);
        for i in 0..3 {
            if out.x[i] == 0.0 {
                assert!(g[i].abs() <= lambda + 1e-8);
            } else {
                assert!((g[i] + lambda * out.x[i].signum()).abs() < 1e-8, "{:?} {:?}", out.x, g);
            }
        }
    }
}
