//! L-BFGS for min f(x) subject to x ≥ 0 (projected two-metric quasi-Newton).
//!
//! Each iteration fixes the ε-active variables (x_i ≈ 0 with ∂f/∂x_i > 0), takes the L-BFGS
//! direction (Nocedal & Wright 2006, Alg. 7.4) on the free ones, and backtracks along the
//! projected path max(0, x + t·d) until the Armijo condition holds. The stopping rules and their
//! defaults are those of scipy's L-BFGS-B: projected-gradient ∞-norm ≤ `pgtol` (1e-5) or a
//! relative decrease of f ≤ `ftol` (factr 1e7 × machine epsilon).
//!
//! The objective may return +∞ (e.g. an overflowing penalty); the line search then shrinks the
//! step. It is evaluated through one closure that returns the value and fills the gradient.

use crate::vector::dot;
use crate::error::{CoreError, Result};
use crate::progress::Progress;

/// Settings of [`minimize_nonnegative`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Number of correction pairs kept (scipy: maxcor = 10).
    pub memory: usize,
    /// Cap on iterations (scipy: maxiter = 15000).
    pub max_iter: usize,
    /// Relative decrease of f under which the solve stops (scipy: ftol = factr·eps).
    pub ftol: f64,
    /// Projected-gradient ∞-norm under which the solve stops (scipy: gtol = 1e-5).
    pub pgtol: f64,
    /// Cap on function evaluations per line search.
    pub max_linesearch: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { memory: 10, max_iter: 15000, ftol: 1e7 * f64::EPSILON, pgtol: 1e-5, max_linesearch: 40 }
    }
}

/// Why the solve stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Projected gradient small enough.
    Gradient,
    /// Relative decrease of f small enough.
    Decrease,
    /// No step along the search direction decreased f.
    LineSearch,
    /// `max_iter` reached.
    MaxIter,
}

/// Result of [`minimize_nonnegative`].
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The minimiser found (all entries ≥ 0).
    pub x: Vec<f64>,
    /// f at `x`.
    pub value: f64,
    /// Objective evaluations used.
    pub n_evals: usize,
    /// Iterations used.
    pub n_iter: usize,
    /// Why it stopped.
    pub stop: Stop,
}


/// The last `memory` correction pairs (s, y), in a ring buffer.
pub(crate) struct History {
    s: Vec<Vec<f64>>,
    y: Vec<Vec<f64>>,
    /// Index of the oldest pair; `len` pairs are stored.
    start: usize,
    pub(crate) len: usize,
}

impl History {
    pub(crate) fn new(memory: usize, n: usize) -> Self {
        History { s: vec![vec![0.0; n]; memory], y: vec![vec![0.0; n]; memory], start: 0, len: 0 }
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Position of the k-th stored pair, oldest first.
    fn slot(&self, k: usize) -> usize {
        (self.start + k) % self.s.len()
    }

    /// Stores s = x_new − x and y = g_new − g when the curvature sᵀy is positive.
    pub(crate) fn push(&mut self, x_new: &[f64], x: &[f64], g_new: &[f64], g: &[f64]) {
        let memory = self.s.len();
        let slot = if self.len < memory { self.slot(self.len) } else { self.start };
        let (s, y) = (&mut self.s[slot], &mut self.y[slot]);
        for i in 0..x.len() {
            s[i] = x_new[i] - x[i];
            y[i] = g_new[i] - g[i];
        }
        let (sy, yy) = (dot(s, y), dot(y, y));
        if sy <= f64::EPSILON * yy || sy <= 0.0 {
            return; // no usable curvature: keep the old pairs
        }
        if self.len < memory {
            self.len += 1;
        } else {
            self.start = (self.start + 1) % memory;
        }
    }

    /// `out = −H_F g`: the L-BFGS inverse-Hessian approximation (two-loop recursion, Nocedal &
    /// Wright 2006, Alg. 7.4) built from the correction pairs restricted to the free variables
    /// `free` (indices), applied to the gradient on those variables; `out` is zero elsewhere.
    /// Working on the free set only is the two-metric projection method (Bertsekas 1982) and
    /// costs O(m·|free|): at a sparse solution most variables sit fixed at their bound.
    pub(crate) fn direction(&self, g: &[f64], free: &[usize], alpha: &mut [f64], rho: &mut [f64], out: &mut [f64]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        for &i in free {
            out[i] = -g[i];
        }
        let dot_free = |a: &[f64], b: &[f64]| -> f64 { gather_dot(free, a, b) };
        for k in (0..self.len).rev() {
            let slot = self.slot(k);
            let sy = dot_free(&self.s[slot], &self.y[slot]);
            rho[k] = if sy > 0.0 { 1.0 / sy } else { 0.0 };
            let a = rho[k] * dot_free(&self.s[slot], out);
            alpha[k] = a;
            let y = &self.y[slot];
            for &i in free {
                out[i] -= a * y[i];
            }
        }
        if self.len > 0 {
            let slot = self.slot(self.len - 1);
            let yy = dot_free(&self.y[slot], &self.y[slot]);
            let sy = dot_free(&self.s[slot], &self.y[slot]);
            if yy > 0.0 && sy > 0.0 {
                let gamma = sy / yy;
                for &i in free {
                    out[i] *= gamma;
                }
            }
        }
        for k in 0..self.len {
            let slot = self.slot(k);
            let b = rho[k] * dot_free(&self.y[slot], out);
            let (c, s) = (alpha[k] - b, &self.s[slot]);
            for &i in free {
                out[i] += c * s[i];
            }
        }
    }
}

/// Σ_{i ∈ idx} a_i b_i with four independent partial sums (a single running sum is bound by
/// the adder's latency).
fn gather_dot(idx: &[usize], a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = idx.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().map(|&i| a[i] * b[i]).sum();
    for c in chunks {
        for k in 0..4 {
            acc[k] += a[c[k]] * b[c[k]];
        }
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail
}

/// Minimises `f` over x ≥ 0 starting from `x0` (projected onto the bounds first).
///
/// `f(x, grad)` returns f(x) and writes ∇f(x) into `grad`. Errors: `Numerical` when f is not
/// finite at the start, `Cancelled` when `progress.should_stop()` says so.
pub fn minimize_nonnegative<F>(
    x0: &[f64],
    mut f: F,
    options: &Options,
    progress: &mut dyn Progress,
) -> Result<Outcome>
where
    F: FnMut(&[f64], &mut [f64]) -> Result<f64>,
{
    let n = x0.len();
    let mut x: Vec<f64> = x0.iter().map(|v| v.max(0.0)).collect();
    let mut g = vec![0.0; n];
    let mut value = f(&x, &mut g)?;
    let mut n_evals = 1;
    if !value.is_finite() {
        return Err(CoreError::Numerical("the objective is not finite at the starting point".into()));
    }
    let mut history = History::new(options.memory.max(1), n);
    let mut alpha = vec![0.0; options.memory.max(1)];
    let mut rho = vec![0.0; options.memory.max(1)];
    let mut direction = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut free: Vec<usize> = Vec::with_capacity(n);
    let mut moved = vec![0.0; n];

    for iter in 0..options.max_iter {
        // Projected gradient: at a bound only a negative component can be followed.
        let pg_norm = x
            .iter()
            .zip(&g)
            .map(|(&xi, &gi)| if xi > 0.0 { gi.abs() } else { (-gi).max(0.0) })
            .fold(0.0, f64::max);
        if pg_norm <= options.pgtol {
            return Ok(Outcome { x, value, n_evals, n_iter: iter, stop: Stop::Gradient });
        }
        // Variables at (or within ε of) their bound whose gradient pushes them out are fixed.
        let eps_active = pg_norm.min(1e-8);
        free.clear();
        free.extend((0..n).filter(|&i| !(x[i] <= eps_active && g[i] > 0.0)));
        history.direction(&g, &free, &mut alpha, &mut rho, &mut direction);
        if !(dot(&g, &direction) < 0.0) {
            // Numerically no descent: restart from steepest descent.
            history.clear();
            direction.iter_mut().for_each(|v| *v = 0.0);
            for &i in &free {
                direction[i] = -g[i];
            }
        }
        let mut step = if history.len == 0 { (1.0 / dot(&direction, &direction).sqrt()).min(1.0) } else { 1.0 };
        let mut accepted = false;
        let mut value_new = f64::INFINITY;
        for _ in 0..options.max_linesearch {
            if progress.should_stop() {
                return Err(CoreError::Cancelled);
            }
            for i in 0..n {
                x_new[i] = (x[i] + step * direction[i]).max(0.0);
                moved[i] = x_new[i] - x[i];
            }
            // gᵀ(x_new − x), the first-order decrease along the projected step
            let decrease = dot(&g, &moved);
            value_new = f(&x_new, &mut g_new)?;
            n_evals += 1;
            // Armijo condition along the projected path.
            if value_new.is_finite() && value_new <= value + 1e-4 * decrease.min(0.0) {
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
    fn bounded_quadratic() {
        // min Σ (x_i − c_i)² over x ≥ 0 → x = max(c, 0).
        let c = [1.5, -2.0, 0.3, -0.1, 4.0];
        let out = minimize_nonnegative(
            &[0.0; 5],
            |x, g| {
                let mut v = 0.0;
                for i in 0..5 {
                    v += (x[i] - c[i]).powi(2);
                    g[i] = 2.0 * (x[i] - c[i]);
                }
                Ok(v)
            },
            &Options::default(),
            &mut Silent,
        )
        .unwrap();
        for i in 0..5 {
            assert!((out.x[i] - c[i].max(0.0)).abs() < 1e-5, "{:?}", out.x);
        }
    }

    #[test]
    fn rosenbrock_in_the_positive_orthant() {
        let out = minimize_nonnegative(
            &[0.1, 2.0],
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                Ok((1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2))
            },
            &Options { ftol: 0.0, pgtol: 1e-9, ..Options::default() },
            &mut Silent,
        )
        .unwrap();
        assert!((out.x[0] - 1.0).abs() < 1e-5 && (out.x[1] - 1.0).abs() < 1e-5, "{:?}", out);
    }
}
