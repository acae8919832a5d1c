//! A seeded random stream whose draws have the same bits on every machine: ChaCha8 for the bits,
//! and samplers written here with the software transcendentals of the `libm` crate (the
//! system's libm may round differently from one version to the next).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Draws from the distributions the simulators need.
pub struct Random {
    rng: ChaCha8Rng,
    /// The second normal of the last polar pair, not yet handed out.
    spare_normal: Option<f64>,
}

impl Random {
    /// The stream of `seed`.
    pub fn new(seed: u64) -> Self {
        Random { rng: ChaCha8Rng::seed_from_u64(seed), spare_normal: None }
    }

    /// Stream `stream` of `seed` (ChaCha's 64-bit stream id): independent streams for tasks that
    /// run in any order or on any thread.
    pub fn with_stream(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Random { rng, spare_normal: None }
    }

    /// U[0, 1), with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// U[low, high).
    pub fn uniform_in(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.uniform()
    }

    /// An integer in 0..n (n ≥ 1), uniformly.
    pub fn index(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n)
    }

    /// A uniformly random permutation of 0..n (Fisher–Yates).
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut p: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.index(i + 1);
            p.swap(i, j);
        }
        p
    }

    /// `k` distinct integers of 0..n, uniformly (a partial Fisher–Yates shuffle), in draw order.
    pub fn choose(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.index(n - i);
            pool.swap(i, j);
        }
        pool.truncate(k.min(n));
        pool
    }

    /// N(0, 1) by Marsaglia's polar method (two normals per accepted pair).
    pub fn standard_normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let factor = (-2.0 * libm::log(s) / s).sqrt();
                self.spare_normal = Some(v * factor);
                return u * factor;
            }
        }
    }

    /// N(mean, sd²).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        mean + sd * self.standard_normal()
    }

    /// Exponential with mean `scale`.
    pub fn exponential(&mut self, scale: f64) -> f64 {
        -scale * libm::log1p(-self.uniform())
    }

    /// Gumbel(0, scale): −scale·log(−log U).
    pub fn gumbel(&mut self, scale: f64) -> f64 {
        // U in (0, 1): 1 − uniform() is in (0, 1]; a draw of exactly 1 would give +∞, so redraw
        loop {
            let u = 1.0 - self.uniform();
            if u < 1.0 {
                return -scale * libm::log(-libm::log(u));
            }
        }
    }

    /// 1 with probability p, else 0.
    pub fn bernoulli(&mut self, p: f64) -> f64 {
        if self.uniform() < p {
            1.0
        } else {
            0.0
        }
    }

    /// Poisson(λ), λ ≥ 0: multiplication of uniforms for λ < 10 (Knuth), the transformed
    /// rejection PTRS of Hörmann (1993) above.
    pub fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda <= 0.0 {
            return 0.0;
        }
        if lambda < 10.0 {
            let limit = libm::exp(-lambda);
            let (mut k, mut product) = (0.0, self.uniform());
            while product > limit {
                k += 1.0;
                product *= self.uniform();
            }
            return k;
        }
        let slam = lambda.sqrt();
        let loglam = libm::log(lambda);
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - u.abs();
            let k = libm::floor((2.0 * a / us + b) * u + lambda + 0.43);
            if us >= 0.07 && v <= vr {
                return k;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            let left = libm::log(v) + libm::log(inv_alpha) - libm::log(a / (us * us) + b);
            if left <= -lambda + k * loglam - libm::lgamma(k + 1.0) {
                return k;
            }
        }
    }
}

/// N(0, 1) from any generator by Marsaglia's polar method (the pair's second normal is dropped).
pub fn polar_normal(rng: &mut impl Rng) -> f64 {
    loop {
        let u = 2.0 * rng.random::<f64>() - 1.0;
        let v = 2.0 * rng.random::<f64>() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * libm::log(s) / s).sqrt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_var(draws: &[f64]) -> (f64, f64) {
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        (mean, draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n)
    }

    #[test]
    fn moments_match_the_distributions() {
        let mut r = Random::new(1);
        let n = 200_000;
        let (m, v) = mean_var(&(0..n).map(|_| r.standard_normal()).collect::<Vec<_>>());
        assert!(m.abs() < 0.01 && (v - 1.0).abs() < 0.01, "{m} {v}");
        let (m, v) = mean_var(&(0..n).map(|_| r.exponential(2.0)).collect::<Vec<_>>());
        assert!((m - 2.0).abs() < 0.02 && (v - 4.0).abs() < 0.1, "{m} {v}");
        let (m, _) = mean_var(&(0..n).map(|_| r.gumbel(1.0)).collect::<Vec<_>>());
        assert!((m - 0.5772).abs() < 0.01, "{m}");
        for lambda in [0.5, 4.0, 25.0, 1e4] {
            let (m, v) = mean_var(&(0..n).map(|_| r.poisson(lambda)).collect::<Vec<_>>());
            assert!(
                (m - lambda).abs() < 0.02 * lambda.max(1.0) && (v - lambda).abs() < 0.05 * lambda.max(1.0),
                "{lambda}: {m} {v}"
            );
        }
    }

    #[test]
    fn same_seed_same_stream_and_valid_draws() {
        let (mut a, mut b) = (Random::new(7), Random::new(7));
        assert!((0..100).all(|_| a.standard_normal().to_bits() == b.standard_normal().to_bits()));
        let mut p = a.permutation(10);
        p.sort_unstable();
        assert_eq!(p, (0..10).collect::<Vec<_>>());
        let mut c = a.choose(10, 4);
        c.sort_unstable();
        c.dedup();
        assert_eq!(c.len(), 4);
    }
}
