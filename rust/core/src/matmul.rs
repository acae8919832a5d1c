//! Matrix products with the same bits on every x86-64-v3 CPU, and a portable path elsewhere.
//!
//! faer picks its large-product kernel at run time: AVX-512 where the CPU has it, AVX2 + FMA
//! otherwise. The two split each sum over different accumulators, so the same fit gives
//! different last bits (and, through a non-convex optimiser, sometimes different graphs) on an
//! AVX-512 machine. Every product of the core goes through [`matmul`], which takes faer's own
//! path for the shapes where faer never looks at AVX-512 (small products, matrix–vector
//! products, rank-one updates) and otherwise calls faer's large-product kernel itself with the
//! AVX2 + FMA instruction set pinned. Its blocking of the summed dimension is fixed (512), not
//! derived from the cache sizes, so the order of every sum is the same on every machine.
//!
//! The crate is compiled for the x86-64 baseline: the pinned kernel is chosen at run time, where
//! the CPU has AVX2 and FMA; elsewhere (x86-64 v1/v2 processors) every product takes faer's own
//! path, which sums in another order (results then agree to rounding, not to the bit).

use faer::{Accum, MatMut, MatRef, Par};

/// Below this many multiply–adds (m·n·k) faer uses its small-product kernels, which have no
/// AVX-512 variant (faer's `NANO_GEMM_THRESHOLD`).
const SMALL_PRODUCT: usize = 16 * 16 * 16;

/// The instruction set of the large-product kernel: "avx2+fma" (pinned), or "portable" on a
/// CPU without them (faer's generic kernel, whose sums differ in their last bits).
pub fn kernel() -> &'static str {
    if pinned_available() {
        "avx2+fma"
    } else {
        "portable"
    }
}

/// `dst = [dst +] alpha · lhs · rhs` (`beta` says whether `dst` is added to), sequential.
pub fn matmul(dst: MatMut<'_, f64>, beta: Accum, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, alpha: f64) {
    assert!(
        dst.nrows() == lhs.nrows() && dst.ncols() == rhs.ncols() && lhs.ncols() == rhs.nrows(),
        "matmul: incompatible shapes"
    );
    if takes_large_kernel(&dst, lhs, rhs) && pinned_available() {
        #[cfg(target_arch = "x86_64")]
        {
            pinned::gemm(dst, beta, lhs, rhs, alpha);
            return;
        }
    }
    faer::linalg::matmul::matmul(dst, beta, lhs, rhs, alpha, Par::Seq);
}

/// Whether faer would hand this product to its run-time dispatched large-product kernel (the
/// conditions of faer 0.24's `matmul_imp`, in its order).
fn takes_large_kernel(dst: &MatMut<'_, f64>, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>) -> bool {
    let (m, n, k) = (dst.nrows(), dst.ncols(), lhs.ncols());
    if m == 0 || n == 0 || k == 0 {
        return false;
    }
    // faer flips negative strides first; the core never makes such views, and the pinned call
    // below assumes none.
    if dst.row_stride() < 0
        || dst.col_stride() < 0
        || lhs.row_stride() < 0
        || lhs.col_stride() < 0
        || rhs.row_stride() < 0
        || rhs.col_stride() < 0
    {
        return false;
    }
    let col_major = |rs: isize| rs == 1;
    if n == 1
        && ((col_major(dst.row_stride()) && col_major(lhs.row_stride()))
            || (col_major(rhs.row_stride()) && lhs.col_stride() == 1))
    {
        return false; // matrix–vector
    }
    if m == 1 && ((dst.col_stride() == 1 && rhs.col_stride() == 1) || (lhs.col_stride() == 1 && rhs.row_stride() == 1))
    {
        return false; // vector–matrix
    }
    if k == 1
        && ((col_major(dst.row_stride()) && col_major(lhs.row_stride()))
            || (dst.col_stride() == 1 && rhs.col_stride() == 1))
    {
        return false; // rank-one update
    }
    m.saturating_mul(n).saturating_mul(k) > SMALL_PRODUCT
}

fn pinned_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod pinned {
    use faer::{Accum, MatMut, MatRef};
    use private_gemm_x86::{gemm as kernel, Accum as KernelAccum, DType, DstKind, IType, InstrSet};

    /// faer's own call of its large-product kernel, with the instruction set fixed.
    pub fn gemm(dst: MatMut<'_, f64>, beta: Accum, lhs: MatRef<'_, f64>, rhs: MatRef<'_, f64>, alpha: f64) {
        let beta = match beta {
            Accum::Replace => KernelAccum::Replace,
            Accum::Add => KernelAccum::Add,
        };
        // SAFETY: the shapes agree (checked by the caller), every stride is nonnegative, the
        // pointers come from live faer views that outlive the call, and AVX2 + FMA were
        // detected. The arguments are those faer 0.24 passes for an f64 product.
        unsafe {
            kernel(
                DType::F64,
                IType::U64,
                InstrSet::Avx256,
                dst.nrows(),
                dst.ncols(),
                lhs.ncols(),
                dst.as_ptr_mut() as *mut (),
                dst.row_stride(),
                dst.col_stride(),
                core::ptr::null(),
                core::ptr::null(),
                DstKind::Full,
                beta,
                lhs.as_ptr() as *const (),
                lhs.row_stride(),
                lhs.col_stride(),
                false,
                core::ptr::null(),
                0,
                rhs.as_ptr() as *const (),
                rhs.row_stride(),
                rhs.col_stride(),
                false,
                &raw const alpha as *const (),
                1,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    fn reference(a: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
        let mut out = Mat::zeros(a.nrows(), b.ncols());
        faer::linalg::matmul::matmul(out.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0, Par::Seq);
        out
    }

    #[test]
    fn agrees_with_faer_on_every_shape_and_layout() {
        let value = |i: usize, j: usize, s: f64| ((i * 31 + j * 17) as f64 * s).sin();
        for &(m, n, k) in
            &[(1, 1, 1), (40, 1, 300), (1, 40, 300), (40, 40, 1), (10, 10, 10), (30, 20, 700), (64, 64, 64)]
        {
            let a = Mat::from_fn(m, k, |i, j| value(i, j, 0.37));
            let b = Mat::from_fn(k, n, |i, j| value(i, j, 0.71));
            let c = reference(&a, &b);
            let mut out = Mat::from_fn(m, n, |_, _| 1.0);
            matmul(out.as_mut(), Accum::Replace, a.as_ref(), b.as_ref(), 1.0);
            for i in 0..m {
                for j in 0..n {
                    assert!((out[(i, j)] - c[(i, j)]).abs() <= 1e-12 * (1.0 + c[(i, j)].abs()));
                }
            }
            // transposed views and accumulation
            let at = a.transpose().to_owned();
            let mut acc = Mat::from_fn(m, n, |_, _| 1.0);
            matmul(acc.as_mut(), Accum::Add, at.transpose(), b.as_ref(), 2.0);
            for i in 0..m {
                for j in 0..n {
                    assert!((acc[(i, j)] - 1.0 - 2.0 * c[(i, j)]).abs() <= 1e-11 * (1.0 + c[(i, j)].abs()));
                }
            }
        }
    }

    #[test]
    fn large_products_take_the_pinned_kernel() {
        let (a, b) = (Mat::<f64>::zeros(30, 700), Mat::<f64>::zeros(700, 20));
        let dst = Mat::<f64>::zeros(30, 20);
        let mut dst = dst;
        assert!(takes_large_kernel(&dst.as_mut(), a.as_ref(), b.as_ref()));
        let small = Mat::<f64>::zeros(10, 10);
        let mut small_dst = Mat::<f64>::zeros(10, 10);
        assert!(!takes_large_kernel(&small_dst.as_mut(), small.as_ref(), small.as_ref()));
        #[cfg(target_arch = "x86_64")]
        {
            let v3 = std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma");
            assert_eq!(kernel(), if v3 { "avx2+fma" } else { "portable" });
        }
    }
}
