//! Stein variational gradient descent (Liu & Wang, NeurIPS 2016) over the particles with
//! BaCaDI's additive kernel, and the RMSprop steps the reference takes along its direction.
//!
//! k(x, x') = exp(−‖Z − Z'‖²/h_Z) + exp(−‖(Θ, μ) − (Θ', μ')‖²/h_Θ) + exp(−‖Γ − Γ'‖²/h_Γ), and
//! for each block B of particle m
//!   φ_B(m) = (1/M) Σ_{m'} [k(x_{m'}, x_m) ∇_B log π(x_{m'}) + ∇_{B_{m'}} k_B(x_{m'}, x_m)],
//! with ∇_{B_{m'}} k_B = −(2/h_B)(B_{m'} − B_m) k_B: the pull towards high posterior density,
//! shared through the kernel, and a repulsion that keeps the particles apart.

use super::estimators::Particle;

/// The kernel's bandwidths h_Z, h_Θ, h_Γ.
#[derive(Debug, Clone, Copy)]
pub struct Bandwidths {
    pub z: f64,
    pub theta: f64,
    pub gamma: f64,
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn blocks(p: &Particle) -> [&[f64]; 3] {
    [&p.z, &p.theta_mu, &p.gamma]
}

fn blocks_mut(p: &mut Particle) -> [&mut Vec<f64>; 3] {
    [&mut p.z, &mut p.theta_mu, &mut p.gamma]
}

/// The SVGD direction φ of every particle, given each particle's gradient of log π.
pub fn direction(particles: &[Particle], grads: &[Particle], h: &Bandwidths) -> Vec<Particle> {
    let m = particles.len();
    let widths = [h.z, h.theta, h.gamma];
    // k_B(m', m) for each block: symmetric M×M
    let kernels: Vec<Vec<f64>> = (0..3)
        .map(|b| {
            let mut k = vec![0.0; m * m];
            for a in 0..m {
                for c in 0..m {
                    let sq = squared_distance(blocks(&particles[a])[b], blocks(&particles[c])[b]);
                    k[a * m + c] = if blocks(&particles[a])[b].is_empty() { 0.0 } else { libm::exp(-sq / widths[b]) };
                }
            }
            k
        })
        .collect();
    let scale = 1.0 / m as f64;
    (0..m)
        .map(|target| {
            let mut phi = Particle {
                z: vec![0.0; particles[target].z.len()],
                theta_mu: vec![0.0; particles[target].theta_mu.len()],
                gamma: vec![0.0; particles[target].gamma.len()],
            };
            for source in 0..m {
                let k_total: f64 = (0..3).map(|b| kernels[b][source * m + target]).sum();
                let (xs, xt, gs) = (blocks(&particles[source]), blocks(&particles[target]), blocks(&grads[source]));
                for (b, out) in blocks_mut(&mut phi).into_iter().enumerate() {
                    let repulsion = -2.0 / widths[b] * kernels[b][source * m + target];
                    for (((o, &g), &s), &t) in out.iter_mut().zip(gs[b]).zip(xs[b]).zip(xt[b]) {
                        *o += k_total * g + repulsion * (s - t);
                    }
                }
            }
            for out in blocks_mut(&mut phi) {
                out.iter_mut().for_each(|v| *v *= scale);
            }
            phi
        })
        .collect()
}

/// RMSprop ascent (the reference's: decay 0.9, ε = 1e-8 inside the square root, zero initial
/// averages).
#[derive(Debug, Clone)]
pub struct RmsProp {
    step: f64,
    averages: Vec<Particle>,
}

impl RmsProp {
    pub fn new(step: f64, particles: &[Particle]) -> Self {
        let zero = |p: &Particle| Particle {
            z: vec![0.0; p.z.len()],
            theta_mu: vec![0.0; p.theta_mu.len()],
            gamma: vec![0.0; p.gamma.len()],
        };
        RmsProp { step, averages: particles.iter().map(zero).collect() }
    }

    /// Moves every particle along its direction.
    pub fn ascend(&mut self, particles: &mut [Particle], directions: &[Particle]) {
        for ((p, phi), avg) in particles.iter_mut().zip(directions).zip(&mut self.averages) {
            for ((x, g), v) in blocks_mut(p).into_iter().zip(blocks(phi)).zip(blocks_mut(avg)) {
                for ((xi, &gi), vi) in x.iter_mut().zip(g).zip(v.iter_mut()) {
                    *vi = 0.9 * *vi + 0.1 * gi * gi;
                    *xi += self.step * gi / (*vi + 1e-8).sqrt();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn particle(z: f64, t: f64) -> Particle {
        Particle { z: vec![z, -z], theta_mu: vec![t], gamma: vec![] }
    }

    #[test]
    fn one_particle_follows_its_gradient_and_two_repel() {
        let h = Bandwidths { z: 2.0, theta: 3.0, gamma: 1.0 };
        // M = 1: φ = k(x, x) ∇ log π = 2 ∇ log π (two non-empty blocks, each exp(0) = 1)
        let phi = direction(&[particle(0.3, 1.0)], &[particle(1.0, -2.0)], &h);
        assert_eq!(phi[0].z, vec![2.0, -2.0]);
        assert_eq!(phi[0].theta_mu, vec![-4.0]);
        // M = 2 with zero gradients: each is pushed away from the other along Z and Θ
        let ps = [particle(0.0, 0.0), particle(1.0, 1.0)];
        let zero = [particle(0.0, 0.0), particle(0.0, 0.0)];
        let phi = direction(&ps, &zero, &h);
        let kz = (-2.0f64 / 2.0).exp(); // ‖ΔZ‖² = 2
        assert!((phi[0].z[0] - 0.5 * (-2.0 / 2.0) * kz * 1.0).abs() < 1e-15);
        assert!(phi[0].z[0] < 0.0 && phi[1].z[0] > 0.0 && phi[0].theta_mu[0] < 0.0);
    }

    #[test]
    fn rmsprop_takes_the_reference_step() {
        let mut ps = vec![particle(0.0, 0.0)];
        let mut opt = RmsProp::new(0.005, &ps);
        opt.ascend(&mut ps, &[particle(2.0, -1.0)]);
        // first step: v = 0.1 g², x = η g / √(0.1 g² + 1e-8)
        let expected = 0.005 * 2.0 / (0.4f64 + 1e-8).sqrt();
        assert!((ps[0].z[0] - expected).abs() < 1e-15);
    }
}
