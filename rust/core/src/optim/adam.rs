//! Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015), the inner
//! solver of DAGMA's reference code. No crate offers it on plain slices (argmin has none), and
//! DAGMA needs to propose a step, test it against the log-det domain and only then commit it
//! (or halve the learning rate and retry), so the moments are advanced into separate buffers.

/// The moment estimates and the step count of one Adam run.
#[derive(Debug, Clone)]
pub struct Adam {
    beta1: f64,
    beta2: f64,
    eps: f64,
    /// First and second moments of the last committed step.
    m: Vec<f64>,
    v: Vec<f64>,
    /// Moments of the proposed step.
    m_next: Vec<f64>,
    v_next: Vec<f64>,
    steps: i32,
}

impl Adam {
    /// Zero moments for `n` variables with decay rates β1, β2 and the denominator's ε.
    pub fn new(n: usize, beta1: f64, beta2: f64, eps: f64) -> Self {
        Adam {
            beta1,
            beta2,
            eps,
            m: vec![0.0; n],
            v: vec![0.0; n],
            m_next: vec![0.0; n],
            v_next: vec![0.0; n],
            steps: 0,
        }
    }

    /// Writes the next iterate x − lr·m̂/(√v̂ + ε) for gradient `g` at `x` into `x_next`, without
    /// committing it. Panics if the slices' lengths differ from `n`.
    pub fn propose(&mut self, x: &[f64], g: &[f64], lr: f64, x_next: &mut [f64]) {
        let n = self.m.len();
        assert!(x.len() == n && g.len() == n && x_next.len() == n, "Adam: slices of different lengths");
        let t = self.steps + 1;
        // 1/(1 − βᵗ) once per step: the divisions per entry are the loop's bottleneck.
        let scale = Scales {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            lr,
            unbias1: 1.0 / (1.0 - self.beta1.powi(t)),
            unbias2: 1.0 / (1.0 - self.beta2.powi(t)),
        };
        propose_body(&scale, x, g, &self.m, &self.v, &mut self.m_next, &mut self.v_next, x_next);
    }

    /// Accepts the last proposed step.
    pub fn commit(&mut self) {
        std::mem::swap(&mut self.m, &mut self.m_next);
        std::mem::swap(&mut self.v, &mut self.v_next);
        self.steps += 1;
    }

    /// An unconditional step: [`propose`](Self::propose) into `scratch`, [`commit`](Self::commit),
    /// and `x` takes the new iterate (the old one is left in `scratch` for reuse).
    pub fn step(&mut self, x: &mut Vec<f64>, g: &[f64], lr: f64, scratch: &mut Vec<f64>) {
        self.propose(x, g, lr, scratch);
        self.commit();
        std::mem::swap(x, scratch);
    }
}

struct Scales {
    beta1: f64,
    beta2: f64,
    eps: f64,
    lr: f64,
    unbias1: f64,
    unbias2: f64,
}

// The optimiser's state as separate slices: the loop over them vectorises (see below), with
// AVX2 where the processor has it (the same operations in the same order on either path).
#[allow(clippy::too_many_arguments)]
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
fn propose_body(
    c: &Scales,
    x: &[f64],
    g: &[f64],
    m: &[f64],
    v: &[f64],
    m_next: &mut [f64],
    v_next: &mut [f64],
    x_next: &mut [f64],
) {
    // Equal lengths up front and an indexed loop: the compiler then vectorises the square roots
    // and divisions (a zip of eight slices kept it scalar).
    let n = x.len();
    let (g, m, v, m_next, v_next, x_next) =
        (&g[..n], &m[..n], &v[..n], &mut m_next[..n], &mut v_next[..n], &mut x_next[..n]);
    for i in 0..n {
        let m1 = c.beta1 * m[i] + (1.0 - c.beta1) * g[i];
        let v1 = c.beta2 * v[i] + (1.0 - c.beta2) * g[i] * g[i];
        m_next[i] = m1;
        v_next[i] = v1;
        x_next[i] = x[i] - c.lr * (m1 * c.unbias1) / ((v1 * c.unbias2).sqrt() + c.eps);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_every_coordinate_by_lr_against_the_gradient_sign() {
        // m̂ = g and v̂ = g² after one step, so the step is lr·g/(|g| + ε).
        let mut adam = Adam::new(3, 0.9, 0.999, 1e-8);
        let (x, g) = ([1.0, 2.0, 3.0], [4.0, -0.5, 0.0]);
        let mut next = [0.0; 3];
        adam.propose(&x, &g, 0.1, &mut next);
        assert!((next[0] - (1.0 - 0.1 * 4.0 / (4.0 + 1e-8))).abs() < 1e-15);
        assert!((next[1] - (2.0 + 0.1 * 0.5 / (0.5 + 1e-8))).abs() < 1e-15);
        assert_eq!(next[2], 3.0);
    }

    #[test]
    fn minimises_a_quadratic_and_uncommitted_steps_leave_no_trace() {
        // f(x) = Σ (x_i − i)², from 0.
        let n = 11;
        let mut adam = Adam::new(n, 0.9, 0.999, 1e-8);
        let mut x = vec![0.0; n];
        let mut next = vec![0.0; n];
        for _ in 0..5000 {
            let g: Vec<f64> = x.iter().enumerate().map(|(i, &v)| 2.0 * (v - i as f64)).collect();
            // a rejected proposal with a huge lr must not change the state
            adam.propose(&x, &g, 1e6, &mut next);
            adam.propose(&x, &g, 0.05, &mut next);
            adam.commit();
            std::mem::swap(&mut x, &mut next);
        }
        for (i, v) in x.iter().enumerate() {
            assert!((v - i as f64).abs() < 1e-3, "x[{i}] = {v}");
        }
    }
}
