//! The pieces of L-BFGS (Nocedal & Wright 2006, §7.2) that [`super::owlqn`] builds on: settings
//! and stopping rules (scipy's L-BFGS-B defaults: projected-gradient ∞-norm ≤ `pgtol` = 1e-5 or a
//! relative decrease of f ≤ `ftol` = factr 1e7 × machine epsilon), and the correction-pair
//! history with its two-loop recursion restricted to a set of free variables.

use crate::vector::dot;

/// Settings of the L-BFGS solvers (defaults: scipy's L-BFGS-B).
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

/// Result of an L-BFGS solve.
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
            gather_axpy(free, -a, &self.y[slot], out);
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
            gather_axpy(free, alpha[k] - b, &self.s[slot], out);
        }
    }
}

/// `out_i += c · x_i` for i ∈ idx (`out_i −= a · y_i` is the same with c = −a: x·(−a) and
/// −(a·x) are the same number, and adding a negated product is subtracting it).
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
fn gather_axpy(idx: &[usize], c: f64, x: &[f64], out: &mut [f64]) {
    for &i in idx {
        out[i] += c * x[i];
    }
}

/// Σ_{i ∈ idx} a_i b_i with four independent partial sums (a single running sum is bound by
/// the adder's latency).
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
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
