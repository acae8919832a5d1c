//! Numerically stable scalar functions shared by the losses and the learners.

/// The logistic function σ(z) = 1/(1 + e^{−z}), without overflow for large |z|.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

/// softplus(z) = log(1 + eᶻ), without overflow for large z.
pub fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + libm::log1p(libm::exp(-z))
    } else {
        libm::log1p(libm::exp(z))
    }
}

/// e^x for |x| ≤ 708 (clamped beyond) in plain IEEE arithmetic, within 2 ulp of libm's:
/// Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, a degree-13 Taylor polynomial for e^r
/// (truncation error below 1e-17, evaluated by Estrin's scheme) and 2^k written into the exponent bits. No branch and no
/// library call, so loops over it vectorise, and no fused multiply–add, so every instruction
/// set gives the same bits.
#[inline(always)]
pub fn exp_branchless(x: f64) -> f64 {
    // ln 2 = LN2_HI + LN2_LO (fdlibm's split); LN2_HI's low 21 bits are zero, so k·LN2_HI is exact
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const INV_LN2: f64 = core::f64::consts::LOG2_E;
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²: adding it rounds to an integer
                                                // 1/m! for m = 13, 12, …, 2
    const INV_FACTORIALS: [f64; 12] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    let x = x.clamp(-708.0, 708.0);
    let t = x * INV_LN2 + SHIFT;
    let k = t - SHIFT;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Estrin's scheme: a shallow dependency chain, so vectorised iterations overlap
    let c = &INV_FACTORIALS; // c[m] = 1/(13 − m)!
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q0 = (1.0 + r) + r2 * (c[11] + c[10] * r);
    let q1 = (c[9] + c[8] * r) + r2 * (c[7] + c[6] * r);
    let q2 = (c[5] + c[4] * r) + r2 * (c[3] + c[2] * r);
    let q3 = c[1] + c[0] * r;
    let p = (q0 + r4 * q1) + r8 * (q2 + r4 * q3);
    // t's mantissa holds k + 2⁵¹ exactly, so its bits minus SHIFT's are k
    let k_int = t.to_bits().wrapping_sub(SHIFT.to_bits());
    let scale = f64::from_bits(k_int.wrapping_add(1023) << 52);
    p * scale
}

/// σ(z) = 1/(1 + e^{−z}) in place, for every entry (vectorised; the same bits on every CPU).
#[multiversion::multiversion(targets("x86_64+avx+avx2+fma+bmi1+bmi2+lzcnt+popcnt+movbe+f16c"))]
pub fn sigmoid_in_place(values: &mut [f64]) {
    for v in values.iter_mut() {
        *v = 1.0 / (1.0 + exp_branchless(-*v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_and_softplus_are_stable_at_both_ends() {
        assert_eq!(sigmoid(1e4), 1.0);
        assert_eq!(sigmoid(-1e4), 0.0);
        assert!((sigmoid(0.3) + sigmoid(-0.3) - 1.0).abs() < 1e-15);
        assert_eq!(softplus(1e4), 1e4);
        assert_eq!(softplus(-1e4), 0.0);
        assert!((softplus(0.7) - (1.0 + 0.7f64.exp()).ln()).abs() < 1e-15);
    }

    #[test]
    fn branchless_exp_is_within_two_ulp_of_libm() {
        let mut worst = 0.0f64;
        for k in -200_000..=200_000 {
            let x = k as f64 * 0.003_54; // −708 … 708
            let (ours, exact) = (exp_branchless(x), libm::exp(x));
            worst = worst.max(((ours - exact) / exact).abs() / f64::EPSILON);
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert_eq!(exp_branchless(0.0), 1.0);
        assert!(exp_branchless(-1e4) > 0.0 && exp_branchless(1e4).is_finite());
        let mut s = [-1e4, -3.0, 0.0, 0.5, 1e4];
        sigmoid_in_place(&mut s);
        let expected = [0.0, sigmoid(-3.0), 0.5, sigmoid(0.5), 1.0];
        for (a, b) in s.iter().zip(expected) {
            assert!((a - b).abs() <= 4.0 * f64::EPSILON * b + 1e-300, "{a} vs {b}");
        }
    }
}
