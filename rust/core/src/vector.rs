//! Dense vector kernels (of the quasi-Newton solver and the matrix helpers), dispatched at run time to AVX2 where the
//! processor has it. Both paths perform the same operations in the same order (no fused
//! multiply-add), so results are bit-identical on every x86-64 machine.

/// Σ a_i b_i with eight independent partial sums (a single running f64 sum cannot be
/// vectorised, since addition is not associative, and is bound by the adder's latency).
#[inline(always)]
fn dot_body(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    for (xa, xb) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += xa[k] * xb[k];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

#[inline(always)]
fn axpy_body(alpha: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn dot_avx2(a: &[f64], b: &[f64]) -> f64 {
    dot_body(a, b)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn axpy_avx2(alpha: f64, x: &[f64], y: &mut [f64]) {
    axpy_body(alpha, x, y)
}

#[inline]
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// aᵀb over the common length of the two slices.
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the processor supports AVX2 (checked above).
        return unsafe { dot_avx2(a, b) };
    }
    dot_body(a, b)
}

/// Σ a_i with eight partial sums, like [`dot`].
pub fn sum(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = a.chunks_exact(8);
    let tail: f64 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for k in 0..8 {
            acc[k] += chunk[k];
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

/// y += α x.
pub fn axpy(alpha: f64, x: &[f64], y: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the processor supports AVX2 (checked above).
        return unsafe { axpy_avx2(alpha, x, y) };
    }
    axpy_body(alpha, x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_matches_the_portable_body_bit_for_bit() {
        let a: Vec<f64> = (0..1003).map(|i| ((i * 37 % 101) as f64).sin()).collect();
        let b: Vec<f64> = (0..1003).map(|i| ((i * 53 % 97) as f64).cos() * 1e3).collect();
        assert_eq!(dot(&a, &b).to_bits(), dot_body(&a, &b).to_bits());
        let (mut y1, mut y2) = (b.clone(), b.clone());
        axpy(0.37, &a, &mut y1);
        axpy_body(0.37, &a, &mut y2);
        assert_eq!(y1, y2);
        let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-9 * naive.abs().max(1.0));
    }
}
