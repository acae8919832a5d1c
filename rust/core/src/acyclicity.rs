//! Acyclicity penalties h(W) with their gradients. Throughout, A = W∘W (element-wise square).
//!
//! Each penalty is zero exactly on weighted adjacency matrices of DAGs and positive otherwise.
//!
//! - [`Penalty::Expm`]: h(W) = tr(exp(W∘W)) − d, ∇h = exp(W∘W)ᵀ ∘ 2W
//!   (Zheng, Aragam, Ravikumar, Xing, "DAGs with NO TEARS", NeurIPS 2018).
//! - [`Penalty::LogDet`]: h(W) = −log det(sI − W∘W) + d log s, ∇h = 2 (sI − W∘W)⁻ᵀ ∘ W
//!   (Bello, Aragam, Ravikumar, "DAGMA", NeurIPS 2022). Defined only where sI − W∘W is a
//!   nonsingular M-matrix (equivalently ρ(W∘W) < s); elsewhere it returns
//!   [`CoreError::OutsideDomain`]. O(d³): the inverse by block elimination, [`crate::mmatrix`].
//! - [`Penalty::Poly`]: h(W) = tr((I + W∘W/d)^d) − d, ∇h = 2W ∘ ((I + W∘W/d)^(d−1))ᵀ
//!   (Yu, Chen, Gao, Yu, "DAG-GNN", ICML 2019). O(d³ log d) by binary powering.
//! - [`Penalty::Spectral`]: h(W) = ρ(W∘W), the spectral radius, ∇h = 2W ∘ u vᵀ / (uᵀv) with u, v
//!   the left and right Perron vectors (Lee, Danieletto, Miotto, Cherng, Dudley, "Scaling
//!   structural learning with NO-BEARS to infer causal transcriptome networks", 2019). Power
//!   iteration on A + σI with σ half the running estimate of ρ(A), O(d²) per step.
//!
//! On a DAG each penalty has value 0 and gradient 0: ∂h/∂W_ij is W_ij times a weighted count of
//! paths j ⇝ i, and no such path exists when i → j is an edge of a DAG. `LogDet`, `Poly` and
//! `Spectral` test acyclicity first (O(d²), [`crate::graph::is_dag`] on W∘W, self-loops count as
//! cycles) and return exact zeros there; for `Spectral` this is required (A is nilpotent and the
//! power iteration has no Perron vector to converge to).

use crate::error::{CoreError, Result};
use crate::graph::is_dag;
use crate::linalg::{all_finite, expm, hadamard};
use crate::matmul::matmul;
use crate::mmatrix::inverse_logdet;
use crate::vector::{axpy, dot};
use faer::{Accum, Mat, MatRef};

/// Cap on the power-iteration steps of [`Penalty::Spectral`]. When it is reached the current
/// estimates are returned (no error): the value uᵀAv / uᵀv is then accurate to about the product
/// of the errors of u and v.
pub const SPECTRAL_MAX_ITER: usize = 1_000;

/// [`Penalty::Spectral`] stops once neither unit-norm Perron vector estimate moves by more than
/// this in any entry in one step.
pub const SPECTRAL_TOL: f64 = 1e-12;

/// An acyclicity characterisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Penalty {
    /// NOTEARS' trace of the matrix exponential.
    Expm,
    /// DAGMA's log-determinant with parameter s > 0 (the reference code uses s = 1 and then
    /// 0.9, 0.8, … along its central path).
    LogDet {
        /// The M-matrix parameter s > 0: W must satisfy ρ(W∘W) < s.
        s: f64,
    },
    /// DAG-GNN's matrix polynomial.
    Poly,
    /// NO-BEARS' spectral radius.
    Spectral,
}

fn check_s(s: f64) -> Result<()> {
    if s > 0.0 && s.is_finite() {
        Ok(())
    } else {
        Err(CoreError::InvalidParameter(format!("the log-det parameter s must be a finite number > 0, got {s}")))
    }
}

/// A penalty by name, as front ends choose it (the log-det parameter s comes separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PenaltyKind {
    #[default]
    Expm,
    Logdet,
    Poly,
    Spectral,
}

impl Penalty {
    /// The names [`Penalty::from_name`] accepts.
    pub const NAMES: [&'static str; 4] = ["expm", "logdet", "poly", "spectral"];

    /// The penalty of kind `kind`; `s` is the log-det parameter (the others ignore it).
    pub fn new(kind: PenaltyKind, s: f64) -> Result<Self> {
        match kind {
            PenaltyKind::Expm => Ok(Penalty::Expm),
            PenaltyKind::Logdet => check_s(s).map(|()| Penalty::LogDet { s }),
            PenaltyKind::Poly => Ok(Penalty::Poly),
            PenaltyKind::Spectral => Ok(Penalty::Spectral),
        }
    }

    /// Parses the name used in the Python API. `s` is the log-det parameter; the other
    /// penalties ignore it.
    pub fn from_name(name: &str, s: f64) -> Result<Self> {
        match name {
            "expm" => Ok(Penalty::Expm),
            "logdet" => check_s(s).map(|()| Penalty::LogDet { s }),
            "poly" => Ok(Penalty::Poly),
            "spectral" => Ok(Penalty::Spectral),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown acyclicity penalty {other:?}; expected one of: \"expm\", \"logdet\", \"poly\", \"spectral\""
            ))),
        }
    }

    /// Value and gradient of h at a square W.
    ///
    /// When the true value exceeds the float64 range (exp of W∘W overflows) the value is
    /// `+∞` and the gradient is all zeros: line searches treat it as a failed trial step. The
    /// same holds for `Poly` when (I + W∘W/d)^d overflows, and for `Poly` and `Spectral` when
    /// W∘W itself overflows (|w| > 1.3e154) on a cyclic graph.
    ///
    /// Errors: `InvalidInput` for a non-square W; for `LogDet`, `Poly` and `Spectral`,
    /// `NonFinite` when W holds NaN or inf; for `LogDet`, `InvalidParameter` for s ≤ 0,
    /// `OutsideDomain` when sI − W∘W is not a nonsingular M-matrix (ρ(W∘W) ≥ s: a leading
    /// principal minor is not positive, see [`crate::mmatrix`]) and
    /// `NonFinite` when W∘W overflows on a cyclic graph; for `Spectral`, `Numerical` if the
    /// Perron vectors give a non-finite gradient.
    pub fn value_grad(&self, w: MatRef<'_, f64>) -> Result<(f64, Mat<f64>)> {
        let d = w.nrows();
        if w.ncols() != d {
            return Err(CoreError::InvalidInput(format!("W must be square, got {}x{}", d, w.ncols())));
        }
        match self {
            Penalty::Expm => {
                let w_owned = w.to_owned();
                let a = hadamard(&w_owned, &w_owned);
                match expm(a.as_ref()) {
                    Ok(e) => {
                        // Σ_i (exp(A)_ii − 1): subtracting per entry keeps h = 0 on DAGs exact.
                        let h = (0..d).map(|i| e[(i, i)] - 1.0).sum::<f64>().max(0.0);
                        let grad = Mat::from_fn(d, d, |i, j| e[(j, i)] * 2.0 * w[(i, j)]);
                        Ok((h, grad))
                    }
                    Err(CoreError::NonFinite(_)) => Ok((f64::INFINITY, Mat::zeros(d, d))),
                    Err(other) => Err(other),
                }
            }
            Penalty::LogDet { s } => {
                check_s(*s)?;
                match nonnegative_square(w)? {
                    None => Ok((0.0, Mat::zeros(d, d))),
                    Some(a) => log_det(w, a, *s),
                }
            }
            Penalty::Poly => match nonnegative_square(w)? {
                None => Ok((0.0, Mat::zeros(d, d))),
                Some(a) if !all_finite(a.as_ref()) => Ok((f64::INFINITY, Mat::zeros(d, d))),
                Some(a) => Ok(poly(w, a)),
            },
            Penalty::Spectral => match nonnegative_square(w)? {
                None => Ok((0.0, Mat::zeros(d, d))),
                Some(a) if !all_finite(a.as_ref()) => Ok((f64::INFINITY, Mat::zeros(d, d))),
                Some(a) => spectral(w, a),
            },
        }
    }
}

/// A = W∘W, or `None` when its graph is a DAG (then every penalty and its gradient vanish).
fn nonnegative_square(w: MatRef<'_, f64>) -> Result<Option<Mat<f64>>> {
    if !all_finite(w) {
        return Err(CoreError::NonFinite("W holds NaN or inf".into()));
    }
    let mut a = w.to_owned();
    for j in 0..a.ncols() {
        a.col_as_slice_mut(j).iter_mut().for_each(|x| *x *= *x);
    }
    Ok((!is_acyclic(&a)).then_some(a))
}

/// True when the graph with edges where A ≠ 0 is a DAG.
///
/// Two O(d)-on-dense-matrices exits first: a self-loop, or no node without parents (every
/// column of A has a nonzero; a finite graph in which every node has a parent has a cycle).
/// Otherwise [`crate::graph::is_dag`] on Aᵀ — the reversed graph, acyclic exactly when A is —
/// since it scans row by row, which on the transposed view of a column-major matrix is contiguous.
fn is_acyclic(a: &Mat<f64>) -> bool {
    let d = a.nrows();
    if (0..d).any(|i| a[(i, i)] != 0.0) {
        return false;
    }
    if (0..d).all(|j| a.col_as_slice(j).iter().any(|&x| x != 0.0)) {
        return false;
    }
    is_dag(a.transpose())
}

/// −log det(sI − A) + d log s and 2 (sI − A)⁻ᵀ ∘ W, after the M-matrix domain test.
fn log_det(w: MatRef<'_, f64>, a: Mat<f64>, s: f64) -> Result<(f64, Mat<f64>)> {
    let d = a.nrows();
    if !all_finite(a.as_ref()) {
        return Err(CoreError::NonFinite("W∘W overflows float64 on a cyclic graph".into()));
    }
    // Mᵀ = sI − Aᵀ (same determinant; its inverse is M⁻ᵀ, which the gradient needs as it is).
    let mut m_t = a.transpose().to_owned();
    for j in 0..d {
        let column = m_t.col_as_slice_mut(j);
        column.iter_mut().for_each(|x| *x = -*x);
        column[j] += s;
    }
    let Some((log_det_m, mut inverse_t)) = inverse_logdet(m_t.as_ref()) else {
        return Err(CoreError::OutsideDomain(format!(
            "the log-det penalty needs rho(W∘W) < s = {s}, i.e. s·I − W∘W a nonsingular M-matrix \
             (all leading principal minors positive), but it is not"
        )));
    };
    let h = (d as f64 * libm::log(s) - log_det_m).max(0.0);
    for j in 0..d {
        for (x, &w_ij) in inverse_t.col_as_slice_mut(j).iter_mut().zip(w.col(j).iter()) {
            *x *= 2.0 * w_ij;
        }
    }
    Ok((h, inverse_t))
}

/// `out = X + Y + XY`, i.e. (I + X)(I + Y) − I (`out` must be another matrix than X and Y).
fn compose_into(x: &Mat<f64>, y: &Mat<f64>, out: &mut Mat<f64>) {
    for j in 0..x.ncols() {
        for ((o, p), q) in out.col_as_slice_mut(j).iter_mut().zip(x.col_as_slice(j)).zip(y.col_as_slice(j)) {
            *o = p + q;
        }
    }
    matmul(out.as_mut(), Accum::Add, x.as_ref(), y.as_ref(), 1.0);
}

/// tr((I + A/d)^d) − d and 2W ∘ ((I + A/d)^(d−1))ᵀ (the chain rule through A = W∘W).
fn poly(w: MatRef<'_, f64>, a: Mat<f64>) -> (f64, Mat<f64>) {
    let (h, mut grad) = poly_of_nonnegative(a);
    for j in 0..grad.ncols() {
        for (i, g) in grad.col_as_slice_mut(j).iter_mut().enumerate() {
            *g *= 2.0 * w[(i, j)];
        }
    }
    (h, grad)
}

/// h(A) = tr((I + A/d)^d) − d of a nonnegative square A and its gradient ((I + A/d)^(d−1))ᵀ:
/// the polynomial acyclicity of Yu et al. (DAG-GNN, ICML 2019) applied to A itself, as DiBS
/// applies it to a soft graph (`Penalty::Poly` applies it to W∘W). `(+∞, 0)` on overflow.
///
/// Works with E_k = (I + B)^k − I, B = A/d, rather than with the powers themselves:
/// E_(j+k) = E_j + E_k + E_j E_k, so binary powering gives E_(d−1) in ⌊log₂(d−1)⌋ squarings and
/// popcount(d−1) − 1 further products, and h = tr(E_d) = tr(E_(d−1)) + tr(B) + Σ_ij (E_(d−1))_ij B_ji.
/// Every term is ≥ 0, so h has full relative accuracy even when it is tiny (no tr(·) − d
/// cancellation). Four d×d buffers in all (A, which becomes B, and three that rotate): fresh
/// buffers cost page faults for large d.
pub fn poly_of_nonnegative(a: Mat<f64>) -> (f64, Mat<f64>) {
    let d = a.nrows();
    let scale = 1.0 / d as f64;
    let mut b = a;
    for j in 0..d {
        b.col_as_slice_mut(j).iter_mut().for_each(|x| *x *= scale);
    }
    let mut base = b.clone(); // E_1 = B
    let mut result: Option<Mat<f64>> = None; // E_0 = 0
    let mut spare = Mat::<f64>::zeros(d, d);
    let mut p = d.saturating_sub(1);
    while p > 0 {
        if p & 1 == 1 {
            match result.as_mut() {
                None => result = Some(base.clone()),
                Some(r) => {
                    compose_into(r, &base, &mut spare);
                    std::mem::swap(r, &mut spare);
                }
            }
        }
        p >>= 1;
        if p > 0 {
            compose_into(&base, &base, &mut spare);
            std::mem::swap(&mut base, &mut spare);
        }
    }
    // Eᵀ, so that both the trace term Σ_ij (Eᵀ)_ij B_ij and the gradient read contiguously.
    let mut e_t = spare;
    match &result {
        Some(e) => e_t.copy_from(e.transpose()),
        None => e_t.fill(0.0),
    }
    let mut h = 0.0;
    for i in 0..d {
        h += e_t[(i, i)] + b[(i, i)];
    }
    for j in 0..d {
        h += e_t.col_as_slice(j).iter().zip(b.col_as_slice(j)).map(|(x, y)| x * y).sum::<f64>();
    }
    if !(h.is_finite() && all_finite(e_t.as_ref())) {
        return (f64::INFINITY, Mat::zeros(d, d));
    }
    let mut grad = e_t;
    for i in 0..d {
        grad[(i, i)] += 1.0;
    }
    (h, grad)
}

/// Scales `x` to unit 2-norm in place (x ≠ 0 here) and returns the largest entry change
/// against `previous`.
fn normalise_and_change(x: &mut [f64], previous: &[f64]) -> f64 {
    let norm = dot(x, x).sqrt();
    let mut change = 0.0f64;
    for (xi, &pi) in x.iter_mut().zip(previous) {
        *xi /= norm;
        change = change.max((*xi - pi).abs());
    }
    change
}

/// `av = A v` and `atu = Aᵀ u` in one pass over the columns of A (memory-bound for large d, so
/// A is read once per step).
fn both_products(a: &Mat<f64>, v: &[f64], u: &[f64], av: &mut [f64], atu: &mut [f64]) {
    av.iter_mut().for_each(|x| *x = 0.0);
    for j in 0..a.ncols() {
        let column = a.col_as_slice(j);
        axpy(v[j], column, av);
        atu[j] = dot(column, u);
    }
}

/// ρ(A) and 2W ∘ u vᵀ / (uᵀv) by power iteration for both Perron vectors.
///
/// Each step multiplies the right vector by A + σI and the left one by Aᵀ + σI, with σ half the
/// current Rayleigh estimate uᵀAv / uᵀv of ρ(A) — that is, by A + I after scaling A to spectral
/// radius ≈ 2 (the vectors are renormalised every step, so the scaling itself is never applied).
/// - A shift is needed when A has several eigenvalues of modulus ρ(A): a k-cycle has k of them
///   and plain power iteration oscillates on a 2-cycle. For A ≥ 0 and σ > 0 only λ = ρ(A)
///   reaches |λ + σ| = ρ(A) + σ, so the shifted iteration converges.
/// - σ proportional to ρ(A), rather than 1, keeps the rate independent of the scale of W. With
///   A + I the factor on a k-cycle is about 1 − ρ(A)(1 − cos(2π/k)): at ρ(A) ≈ 0.01, where NOTEARS
///   spends its end game, ~10⁴ steps per evaluation (measured: NOTEARS on ER2 d = 10 took 18 s
///   for its third outer step, at h ≈ 0.01, and did not finish).
/// - σ = ρ/2 rather than ρ: the factor is (|λ₂| + σ)/(ρ + σ) when the Perron root is well
///   separated, which a smaller shift improves (dense W, d = 500: 22 steps instead of 34), while
///   a 2-cycle still contracts by 1/3 per step and a long k-cycle by 1 − (2/9)(1 − cos(2π/k))
///   instead of 1 − (1/4)(1 − cos(2π/k)).
///
/// Start vectors are all ones (deterministic; positive, so never orthogonal to a Perron
/// vector); each step is one pass over the columns of A ([`both_products`]). A is scaled by its
/// largest entry first so that no product overflows.
fn spectral(w: MatRef<'_, f64>, mut a: Mat<f64>) -> Result<(f64, Mat<f64>)> {
    let d = a.nrows();
    // A ≠ 0 here (its graph has a cycle), so the largest entry is > 0.
    let scale = (0..d).flat_map(|j| a.col_as_slice(j).iter()).fold(0.0f64, |m, &x| m.max(x));
    for j in 0..d {
        a.col_as_slice_mut(j).iter_mut().for_each(|x| *x /= scale);
    }
    let start = 1.0 / (d as f64).sqrt();
    let mut v = vec![start; d];
    let mut u = vec![start; d];
    let mut av = vec![0.0; d];
    let mut atu = vec![0.0; d];
    let mut v_next = vec![0.0; d];
    let mut u_next = vec![0.0; d];
    let mut estimate = 0.0;
    for _ in 0..SPECTRAL_MAX_ITER {
        both_products(&a, &v, &u, &mut av, &mut atu);
        // uᵀAv / uᵀv: second-order accurate in the errors of u and v.
        estimate = dot(&u, &av) / dot(&u, &v);
        let shift = 0.5 * if estimate > 0.0 && estimate.is_finite() { estimate } else { 1.0 };
        for k in 0..d {
            v_next[k] = av[k] + shift * v[k];
            u_next[k] = atu[k] + shift * u[k];
        }
        let change = normalise_and_change(&mut v_next, &v).max(normalise_and_change(&mut u_next, &u));
        if change <= SPECTRAL_TOL {
            break;
        }
        std::mem::swap(&mut v, &mut v_next);
        std::mem::swap(&mut u, &mut u_next);
    }
    // `estimate` belongs to the current u, v (those the last product used).
    let rho = scale * estimate.max(0.0);
    let utv = dot(&u, &v);
    // The gradient overwrites A (fresh d×d buffers cost page faults for large d).
    let mut grad = a;
    for j in 0..d {
        let factor = 2.0 * v[j] / utv;
        for (i, g) in grad.col_as_slice_mut(j).iter_mut().enumerate() {
            *g = factor * w[(i, j)] * u[i];
        }
    }
    if !(rho.is_finite() && all_finite(grad.as_ref())) {
        return Err(CoreError::Numerical(
            "the spectral-radius gradient is not finite (the Perron root of W∘W is not simple)".into(),
        ));
    }
    Ok((rho, grad))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Penalty; 4] = [Penalty::Expm, Penalty::LogDet { s: 1.0 }, Penalty::Poly, Penalty::Spectral];

    fn value(p: Penalty, w: &Mat<f64>) -> f64 {
        p.value_grad(w.as_ref()).unwrap().0
    }

    fn fd_check_with(p: Penalty, w: &Mat<f64>, tol: f64) {
        let (_, g) = p.value_grad(w.as_ref()).unwrap();
        let eps = 1e-6;
        for i in 0..w.nrows() {
            for j in 0..w.ncols() {
                let mut wp = w.clone();
                wp[(i, j)] += eps;
                let mut wm = w.clone();
                wm[(i, j)] -= eps;
                let fd = (value(p, &wp) - value(p, &wm)) / (2.0 * eps);
                assert!((fd - g[(i, j)]).abs() < tol * (1.0 + fd.abs()), "{p:?} ({i},{j}) {fd} vs {}", g[(i, j)]);
            }
        }
    }

    fn fd_check(w: &Mat<f64>) {
        fd_check_with(Penalty::Expm, w, 1e-6);
    }

    fn two_cycle(a: f64, b: f64) -> Mat<f64> {
        let mut w = Mat::<f64>::zeros(2, 2);
        w[(0, 1)] = a;
        w[(1, 0)] = b;
        w
    }

    /// A small W with both signs, zero diagonal, a few cycles, scaled so that ρ(W∘W) < 1.
    fn mixed(d: usize) -> Mat<f64> {
        Mat::from_fn(d, d, |i, j| if i == j { 0.0 } else { (((i * 7 + j * 3) % 5) as f64 * 0.2 - 0.4) * 0.9 })
    }

    #[test]
    fn zero_on_dag_positive_on_cycle() {
        let mut w = Mat::<f64>::zeros(3, 3);
        w[(0, 1)] = 1.5;
        w[(1, 2)] = -0.7;
        w[(0, 2)] = 2.0;
        assert!(Penalty::Expm.value_grad(w.as_ref()).unwrap().0.abs() < 1e-12);
        w[(2, 0)] = 0.3;
        assert!(Penalty::Expm.value_grad(w.as_ref()).unwrap().0 > 1e-6);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let w = Mat::from_fn(4, 4, |i, j| if i == j { 0.0 } else { ((i * 7 + j * 3) % 5) as f64 * 0.2 - 0.4 });
        fd_check(&w);
    }

    #[test]
    fn overflow_gives_infinity() {
        let mut w = Mat::<f64>::zeros(2, 2);
        w[(0, 1)] = 80.0;
        w[(1, 0)] = 80.0;
        let (h, g) = Penalty::Expm.value_grad(w.as_ref()).unwrap();
        assert!(h.is_infinite() && g[(0, 1)] == 0.0);
    }

    #[test]
    fn names() {
        assert_eq!(Penalty::from_name("expm", 1.0).unwrap(), Penalty::Expm);
        assert_eq!(Penalty::from_name("logdet", 0.7).unwrap(), Penalty::LogDet { s: 0.7 });
        assert_eq!(Penalty::from_name("poly", -3.0).unwrap(), Penalty::Poly);
        assert_eq!(Penalty::from_name("spectral", 1.0).unwrap(), Penalty::Spectral);
        for bad in ["", "Expm", "tmpi"] {
            assert!(matches!(Penalty::from_name(bad, 1.0), Err(CoreError::InvalidParameter(_))));
        }
        for s in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(Penalty::from_name("logdet", s), Err(CoreError::InvalidParameter(_))));
            let w = two_cycle(0.1, 0.1);
            assert!(matches!(Penalty::LogDet { s }.value_grad(w.as_ref()), Err(CoreError::InvalidParameter(_))));
        }
    }

    #[test]
    fn two_cycle_hand_computed() {
        // W∘W = [[0, a²], [b², 0]], c = ab: eigenvalues ±c.
        let (a, b) = (0.8, 0.5);
        let c: f64 = a * b;
        let w = two_cycle(a, b);
        // log-det: det(sI − A) = s² − c², h = −ln(1 − c²/s²); ∂h/∂a = 2ab²/(s² − c²).
        for s in [1.0, 0.5, 2.0] {
            let (h, g) = Penalty::LogDet { s }.value_grad(w.as_ref()).unwrap();
            assert!((h + (1.0 - c * c / (s * s)).ln()).abs() < 1e-15, "s = {s}: {h}");
            assert!((g[(0, 1)] - 2.0 * a * b * b / (s * s - c * c)).abs() < 1e-14);
            assert!((g[(1, 0)] - 2.0 * b * a * a / (s * s - c * c)).abs() < 1e-14);
            assert!(g[(0, 0)] == 0.0 && g[(1, 1)] == 0.0);
        }
        // poly, d = 2: tr((I + A/2)²) − 2 = c²/2; ∂h/∂a = a b².
        let (h, g) = Penalty::Poly.value_grad(w.as_ref()).unwrap();
        assert!((h - c * c / 2.0).abs() < 1e-16);
        assert!((g[(0, 1)] - a * b * b).abs() < 1e-15 && (g[(1, 0)] - b * a * a).abs() < 1e-15);
        // spectral: ρ = c (needs the shift: A alone has eigenvalues ±c); ∂ρ/∂a = b for a, b > 0.
        let (h, g) = Penalty::Spectral.value_grad(w.as_ref()).unwrap();
        assert!((h - c).abs() < 1e-14, "{h}");
        assert!((g[(0, 1)] - b).abs() < 1e-10 && (g[(1, 0)] - a).abs() < 1e-10, "{g:?}");
    }

    #[test]
    fn three_cycle_and_self_loop() {
        // 3-cycle with weights x, y, z: ρ(A) = (xyz)^(2/3); poly with d = 3: tr(M³) − 3 = 3·(xyz)²/27.
        let mut w = Mat::<f64>::zeros(3, 3);
        w[(0, 1)] = 0.9;
        w[(1, 2)] = -0.6;
        w[(2, 0)] = 0.7;
        let p: f64 = 0.9 * 0.6 * 0.7;
        assert!((value(Penalty::Spectral, &w) - p.powf(2.0 / 3.0)).abs() < 1e-12);
        assert!((value(Penalty::Poly, &w) - p * p / 9.0).abs() < 1e-16);
        // log-det: det(I − A) = 1 − p², as A³ = p² I.
        assert!((value(Penalty::LogDet { s: 1.0 }, &w) + (1.0 - p * p).ln()).abs() < 1e-15);
        // a self-loop of weight x on node 1 of 3: h_logdet = −ln(1 − x²), poly (1 + x²/3)³ − 1, ρ = x².
        let mut w = Mat::<f64>::zeros(3, 3);
        w[(1, 1)] = 0.5;
        w[(0, 2)] = 1.7;
        assert!((value(Penalty::LogDet { s: 1.0 }, &w) + (0.75f64).ln()).abs() < 1e-15);
        assert!((value(Penalty::Poly, &w) - ((1.0 + 0.25 / 3.0f64).powi(3) - 1.0)).abs() < 1e-15);
        assert!((value(Penalty::Spectral, &w) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn new_penalties_vanish_on_dags() {
        // a permuted upper-triangular W with large weights: value and gradient exactly 0.
        let d = 7;
        let perm = [3, 0, 6, 2, 5, 1, 4];
        let mut w = Mat::<f64>::zeros(d, d);
        for i in 0..d {
            for j in i + 1..d {
                if (i + 2 * j) % 3 != 0 {
                    w[(perm[i], perm[j])] = 1.9 * if (i + j) % 2 == 0 { 1.0 } else { -1.0 };
                }
            }
        }
        for p in ALL {
            let (h, g) = p.value_grad(w.as_ref()).unwrap();
            assert!(h.abs() < 1e-12, "{p:?}: {h}");
            assert!((0..d).all(|i| (0..d).all(|j| g[(i, j)].abs() < 1e-12)), "{p:?}");
        }
        for p in [Penalty::LogDet { s: 1.0 }, Penalty::Poly, Penalty::Spectral] {
            let (h, g) = p.value_grad(w.as_ref()).unwrap();
            assert!(h == 0.0 && (0..d).all(|i| (0..d).all(|j| g[(i, j)] == 0.0)), "{p:?}");
        }
        // empty and 1×1 matrices
        for p in ALL {
            assert_eq!(p.value_grad(Mat::<f64>::zeros(0, 0).as_ref()).unwrap().0, 0.0);
            assert_eq!(p.value_grad(Mat::<f64>::zeros(1, 1).as_ref()).unwrap().0, 0.0);
        }
    }

    #[test]
    fn new_penalties_positive_on_cycles() {
        let w = mixed(6);
        for p in ALL {
            assert!(value(p, &w) > 1e-6, "{p:?}");
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        for d in [2, 4, 6] {
            let w = mixed(d);
            fd_check_with(Penalty::LogDet { s: 1.0 }, &w, 1e-6);
            fd_check_with(Penalty::LogDet { s: 0.8 }, &w, 1e-6);
            fd_check_with(Penalty::Poly, &w, 1e-6);
            // the spectral radius is differentiable where the Perron root is simple: positive
            // off-diagonal entries make W∘W irreducible.
            let positive =
                Mat::from_fn(d, d, |i, j| if i == j { 0.0 } else { 0.2 + ((i * 5 + j * 3) % 7) as f64 * 0.1 });
            fd_check_with(Penalty::Spectral, &positive, 1e-6);
        }
    }

    #[test]
    fn spectral_on_reducible_graph() {
        // node 0 → 2-cycle {1, 2} → node 3: ρ = |w12 w21|; the edges into and out of the cycle do
        // not change ρ, so their gradient is 0 (up to the convergence tolerance).
        let mut w = Mat::<f64>::zeros(4, 4);
        w[(0, 1)] = 1.3;
        w[(1, 2)] = 0.6;
        w[(2, 1)] = 0.9;
        w[(2, 3)] = 2.0;
        let (h, g) = Penalty::Spectral.value_grad(w.as_ref()).unwrap();
        assert!((h - 0.54).abs() < 1e-12, "{h}");
        assert!(g[(0, 1)].abs() < 1e-9 && g[(2, 3)].abs() < 1e-9, "{g:?}");
        assert!((g[(1, 2)] - 0.9).abs() < 1e-9 && (g[(2, 1)] - 0.6).abs() < 1e-9, "{g:?}");
    }

    #[test]
    fn logdet_outside_the_domain_is_an_error() {
        // 2-cycle with c = ab > s: det(sI − A) = s² − c² < 0.
        let w = two_cycle(1.5, 1.0);
        assert!(matches!(Penalty::LogDet { s: 1.0 }.value_grad(w.as_ref()), Err(CoreError::OutsideDomain(_))));
        assert!(Penalty::LogDet { s: 2.0 }.value_grad(w.as_ref()).is_ok());
        // on the boundary: singular
        let w = two_cycle(1.0, 1.0);
        assert!(matches!(Penalty::LogDet { s: 1.0 }.value_grad(w.as_ref()), Err(CoreError::OutsideDomain(_))));
        // two disjoint 2-cycles outside the domain: det = (1 − c²)² > 0, caught by a minor
        let mut w = Mat::<f64>::zeros(4, 4);
        w[(0, 1)] = 1.5;
        w[(1, 0)] = 1.0;
        w[(2, 3)] = 1.5;
        w[(3, 2)] = 1.0;
        let m = Mat::from_fn(4, 4, |i, j| if i == j { 1.0 } else { 0.0 } - w[(i, j)] * w[(i, j)]);
        let u = m.partial_piv_lu().U().to_owned();
        assert!((0..4).map(|i| u[(i, i)]).product::<f64>() > 0.0, "the determinant alone misses it");
        match (Penalty::LogDet { s: 1.0 }).value_grad(w.as_ref()) {
            Err(CoreError::OutsideDomain(msg)) => assert!(msg.contains("leading principal minors"), "{msg}"),
            other => panic!("expected OutsideDomain, got {other:?}"),
        }
        // a self-loop heavier than s
        let mut w = Mat::<f64>::zeros(2, 2);
        w[(0, 0)] = 1.2;
        assert!(matches!(Penalty::LogDet { s: 1.0 }.value_grad(w.as_ref()), Err(CoreError::OutsideDomain(_))));
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let rect = Mat::<f64>::zeros(2, 3);
        let mut nan = two_cycle(0.1, 0.2);
        nan[(0, 0)] = f64::NAN;
        for p in ALL {
            assert!(matches!(p.value_grad(rect.as_ref()), Err(CoreError::InvalidInput(_))));
        }
        for p in [Penalty::LogDet { s: 1.0 }, Penalty::Poly, Penalty::Spectral] {
            assert!(matches!(p.value_grad(nan.as_ref()), Err(CoreError::NonFinite(_))));
        }
        // overflow: poly like expm returns +∞ (line searches backtrack), no NaN
        let w = two_cycle(80.0, 80.0);
        let (h, g) = Penalty::Poly.value_grad(w.as_ref()).unwrap();
        assert!((h - 6400.0f64.powi(2) / 2.0).abs() / h < 1e-15 && g[(0, 1)].is_finite());
        let w = two_cycle(1e200, 1e200);
        for p in [Penalty::Poly, Penalty::Spectral] {
            let (h, g) = p.value_grad(w.as_ref()).unwrap();
            assert!(h == f64::INFINITY && g[(0, 1)] == 0.0, "{p:?}");
        }
        assert!(matches!(Penalty::LogDet { s: 1.0 }.value_grad(w.as_ref()), Err(CoreError::NonFinite(_))));
        let big = Mat::from_fn(40, 40, |i, j| if i == j { 0.0 } else { 1e5 }); // (1 + 39e10/40)^40 overflows
        let (h, g) = Penalty::Poly.value_grad(big.as_ref()).unwrap();
        assert!(h == f64::INFINITY && g[(0, 1)] == 0.0);
    }
}
