//! BaCaDI's joint linear-Gaussian model (Hägele et al., AISTATS 2023, after DiBS' joint model,
//! Lorch et al., NeurIPS 2021): for graph G, weights Θ, intervention targets I ((E−1)×d, one row
//! per interventional environment) and intervention means μ ((E−1)×d),
//!
//!   f(G, I) = Σ_ij G_ij log N(Θ_ij; 0, σ_Θ²) + Σ_{e≥1, j} I_ej log N(μ_ej; 0, σ_μ²)
//!           + Σ_rows Σ_j [(1 − I_ej) log N(x_rj; x_r·(G∘Θ)_{:,j}, σ²) + I_ej log N(x_rj; μ_ej, σ_I²)]
//!
//! (environment 0 observational, I_0j = 0). G and I may be soft (in [0, 1]) or hard. Every sum
//! over rows is taken from the per-environment statistics ([`EnvStats`]). The evaluations, one
//! per kind of Monte-Carlo sample the estimators draw:
//! - [`LinearGaussian::with_hard_targets`]: any G, 0/1 targets; f, ∂f/∂(G∘Θ) and ∂f/∂μ (the
//!   estimator of Z, whose graphs are soft);
//! - [`LinearGaussian::node_term`]: one node's share of f at a 0/1 graph and 0/1 targets, with
//!   its gradients in Θ and μ (the estimator of Θ and μ, which caches it);
//! - [`LinearGaussian::node_environments`]: one node's log-densities in every environment at a
//!   0/1 graph (the estimator of Γ, whose targets are soft);
//! - [`LinearGaussian::with_soft_targets`]: f at a 0/1 graph and any targets (the particles'
//!   mixture weights; the reference the others are tested against).
//!
//! What depends on Θ and μ only is prepared once per particle and step ([`Parameters`]).

use super::stats::{axpy_short, dot_short, EnvStats};
use crate::matmul::matmul;
use faer::{Accum, Mat};
use std::f64::consts::PI;

/// The model's fixed variances (the reference's published settings are the defaults of the
/// learner's configuration).
#[derive(Debug, Clone, Copy)]
pub struct LinearGaussian {
    /// σ², the noise variance of a node's mechanism.
    obs_var: f64,
    /// σ_I², the variance of an intervened node around its environment's mean.
    interv_var: f64,
    /// σ_Θ, the prior standard deviation of an edge weight.
    edge_sd: f64,
    /// σ_μ, the prior standard deviation of an intervention mean.
    mean_sd: f64,
}

/// log N(x; 0, sd²).
fn log_normal0(x: f64, sd: f64) -> f64 {
    let z = x / sd;
    -0.5 * z * z - libm::log(sd) - 0.5 * libm::log(2.0 * PI)
}

/// −½ log(2π v), the constant of one Gaussian density of variance v.
fn constant(v: f64) -> f64 {
    -0.5 * libm::log(2.0 * PI * v)
}

/// What the evaluations need of one particle's Θ and μ: the parameters, the edge prior's
/// log-densities log N(Θ_ij; 0, σ_Θ²) and each environment's interventional term and its
/// derivative in μ.
#[derive(Debug, Clone)]
pub struct Parameters {
    pub theta: Mat<f64>,
    pub mu: Mat<f64>,
    /// log N(Θ_ij; 0, σ_Θ²), zero diagonal.
    edge_log_prior: Mat<f64>,
    /// Σ_{r∈e} log N(x_rj; μ_ej, σ_I²) + log N(μ_ej; 0, σ_μ²), (E−1)×d.
    intervened: Mat<f64>,
    /// Its derivative in μ_ej.
    intervened_grad: Mat<f64>,
}

/// Buffers of [`LinearGaussian::with_hard_targets`], reused across draws.
#[derive(Debug, Clone)]
pub struct Workspace {
    w: Mat<f64>,
    p: Mat<f64>,
    q: Vec<f64>,
    rows: Vec<f64>,
    residual: Vec<f64>,
}

impl Workspace {
    pub fn new(d: usize, stats: &EnvStats) -> Self {
        let longest = stats.blocks.iter().flatten().map(|b| b.ncols()).max().unwrap_or(0);
        Workspace {
            w: Mat::zeros(d, d),
            p: Mat::zeros(d, d),
            q: vec![0.0; d],
            rows: vec![0.0; d],
            residual: vec![0.0; longest],
        }
    }
}

impl LinearGaussian {
    /// The model with noise variance `obs_var`, intervention variance `interv_var` and prior
    /// standard deviations `edge_sd` (weights) and `mean_sd` (intervention means).
    pub fn new(obs_var: f64, interv_var: f64, edge_sd: f64, mean_sd: f64) -> Self {
        LinearGaussian { obs_var, interv_var, edge_sd, mean_sd }
    }

    /// Prepares a particle's Θ (d×d) and μ ((E−1)×d).
    pub fn parameters(&self, stats: &EnvStats, theta: Mat<f64>, mu: Mat<f64>) -> Parameters {
        let d = theta.nrows();
        let edge_log_prior =
            Mat::from_fn(d, d, |i, j| if i == j { 0.0 } else { log_normal0(theta[(i, j)], self.edge_sd) });
        let (c_int, prec) = (constant(self.interv_var), 1.0 / (self.mean_sd * self.mean_sd));
        let mut intervened = Mat::<f64>::zeros(mu.nrows(), d);
        let mut intervened_grad = Mat::<f64>::zeros(mu.nrows(), d);
        for j in 0..d {
            for e in 0..mu.nrows() {
                let (n, s, sq) = (stats.rows[e + 1], stats.sums[(e + 1, j)], stats.scatter[e + 1][(j, j)]);
                let m = mu[(e, j)];
                intervened[(e, j)] = -(sq - 2.0 * m * s + n * m * m) / (2.0 * self.interv_var)
                    + n * c_int
                    + log_normal0(m, self.mean_sd);
                intervened_grad[(e, j)] = (s - n * m) / self.interv_var - m * prec;
            }
        }
        Parameters { theta, mu, edge_log_prior, intervened, intervened_grad }
    }

    /// Σ_ij G_ij log N(Θ_ij; 0, σ_Θ²).
    fn edge_prior(&self, g: &Mat<f64>, params: &Parameters) -> f64 {
        let d = g.nrows();
        (0..d).map(|j| dot_short(g.col_as_slice(j), params.edge_log_prior.col_as_slice(j))).sum()
    }

    /// f at graph `g` (any values), 0/1 targets `i_hard` ((E−1)×d) and the particle's
    /// parameters. Returns f and fills `grad_w` with ∂f/∂W at W = G∘Θ (likelihood only: the
    /// edge prior's own terms are added by the caller's chain rule, see
    /// [`Self::edge_prior_grad`]) and `grad_mu` with ∂f/∂μ.
    ///
    /// Every row enters node j's equation through S_total W; the rows of the environments that
    /// set node j are then taken out, one environment at a time, through its rows (when it has
    /// fewer rows than columns) or its scatter matrix.
    #[allow(clippy::too_many_arguments)]
    pub fn with_hard_targets(
        &self,
        stats: &EnvStats,
        g: &Mat<f64>,
        params: &Parameters,
        i_hard: &Mat<f64>,
        work: &mut Workspace,
        grad_w: &mut Mat<f64>,
        mut grad_mu: Option<&mut Mat<f64>>,
    ) -> f64 {
        let d = g.nrows();
        let theta = &params.theta;
        for j in 0..d {
            for (i, (w, (&gi, &ti))) in work
                .w
                .col_as_slice_mut(j)
                .iter_mut()
                .zip(g.col_as_slice(j).iter().zip(theta.col_as_slice(j)))
                .enumerate()
            {
                *w = if i == j { 0.0 } else { gi * ti };
            }
        }
        matmul(work.p.as_mut(), Accum::Replace, stats.total.as_ref(), work.w.as_ref(), 1.0);
        let inv_var = 1.0 / self.obs_var;
        let total_rows: f64 = stats.rows.iter().sum();
        // q[j]: node j's residual sum over the rows that do not set it; rows[j] their number
        for j in 0..d {
            let (wj, s_j, p_j) = (work.w.col_as_slice(j), stats.total.col_as_slice(j), work.p.col_as_slice(j));
            work.q[j] = stats.total[(j, j)] - 2.0 * dot_short(wj, s_j) + dot_short(wj, p_j);
            work.rows[j] = total_rows;
            for ((g_i, &p_i), &s_i) in grad_w.col_as_slice_mut(j).iter_mut().zip(p_j).zip(s_j) {
                *g_i = -(p_i - s_i) * inv_var;
            }
        }
        let mut f = self.edge_prior(g, params);
        if let Some(gm) = grad_mu.as_deref_mut() {
            gm.fill(0.0);
        }
        for e in 1..stats.count() {
            for j in 0..d {
                if i_hard[(e - 1, j)] == 0.0 {
                    continue;
                }
                let wj = work.w.col_as_slice(j);
                match &stats.blocks[e] {
                    Some(xt) => {
                        // the environment's rows (columns of X_eᵀ): residuals r_a = x_aj − x_a·w_j
                        let r = &mut work.residual[..xt.ncols()];
                        for (a, ra) in r.iter_mut().enumerate() {
                            let xa = xt.col_as_slice(a);
                            *ra = xa[j] - dot_short(xa, wj);
                        }
                        work.q[j] -= dot_short(r, r);
                        let gw = grad_w.col_as_slice_mut(j);
                        for (a, &ra) in r.iter().enumerate() {
                            axpy_short(-ra * inv_var, xt.col_as_slice(a), gw);
                        }
                    }
                    None => {
                        let s_e = &stats.scatter[e];
                        let gw = grad_w.col_as_slice_mut(j);
                        let mut quad = 0.0;
                        for (i, g_i) in gw.iter_mut().enumerate() {
                            let m_i = dot_short(s_e.col_as_slice(i), wj); // (S_e w_j)_i, S_e symmetric
                            quad += wj[i] * m_i;
                            *g_i += (m_i - s_e[(i, j)]) * inv_var;
                        }
                        work.q[j] -= s_e[(j, j)] - 2.0 * dot_short(wj, s_e.col_as_slice(j)) + quad;
                    }
                }
                work.rows[j] -= stats.rows[e];
                f += params.intervened[(e - 1, j)];
                if let Some(gm) = grad_mu.as_deref_mut() {
                    gm[(e - 1, j)] = params.intervened_grad[(e - 1, j)];
                }
            }
        }
        let c_obs = constant(self.obs_var);
        for j in 0..d {
            grad_w[(j, j)] = 0.0;
            f += -0.5 * work.q[j] * inv_var + work.rows[j] * c_obs;
        }
        f
    }

    /// ∂/∂G and ∂/∂Θ of f from ∂f/∂W (W = G∘Θ) and the edge prior: `grad_g` = ∂f/∂W ∘ Θ +
    /// log N(Θ; 0, σ_Θ²), `grad_theta` = G ∘ (∂f/∂W − Θ/σ_Θ²); zero diagonal.
    pub fn edge_prior_grad(
        &self,
        g: &Mat<f64>,
        params: &Parameters,
        grad_w: &Mat<f64>,
        grad_g: Option<&mut Mat<f64>>,
        grad_theta: Option<&mut Mat<f64>>,
    ) {
        let d = g.nrows();
        let theta = &params.theta;
        if let Some(gg) = grad_g {
            for j in 0..d {
                for i in 0..d {
                    gg[(i, j)] =
                        if i == j { 0.0 } else { params.edge_log_prior[(i, j)] + grad_w[(i, j)] * theta[(i, j)] };
                }
            }
        }
        if let Some(gt) = grad_theta {
            let prec = 1.0 / (self.edge_sd * self.edge_sd);
            for j in 0..d {
                for i in 0..d {
                    gt[(i, j)] = if i == j { 0.0 } else { g[(i, j)] * (grad_w[(i, j)] - theta[(i, j)] * prec) };
                }
            }
        }
    }

    /// Node j's share of f at a 0/1 graph whose column j has the parents `parents` and 0/1
    /// targets whose column j marks the environments `envs` (labels ≥ 1); with its gradient in
    /// Θ's column j (on the parents) and μ's column j (on `envs`). f = Σ_j node_term(j): the
    /// estimators cache it by (parents, environments).
    pub fn node_term(
        &self,
        stats: &EnvStats,
        j: usize,
        parents: &[usize],
        params: &Parameters,
        envs: &[usize],
    ) -> NodeTerm {
        // the rows that do not set node j, over its parents and itself (last)
        let mut f = 0.0;
        let mut grad_mu = Vec::with_capacity(envs.len());
        for &e in envs {
            f += params.intervened[(e - 1, j)];
            grad_mu.push(params.intervened_grad[(e - 1, j)]);
        }
        let mut nodes = parents.to_vec();
        nodes.push(j);
        let m = nodes.len();
        let (rows, _, t) = stats.restricted(&nodes, envs);
        let w: Vec<f64> = parents.iter().map(|&i| params.theta[(i, j)]).collect();
        let last = m - 1;
        // (T w)_a − T_aj for each parent a: node j's normal equations
        let normal: Vec<f64> = (0..last).map(|a| dot_short(&t[a * m..a * m + last], &w) - t[a * m + last]).collect();
        // q = T_jj − 2 wᵀT_{·j} + wᵀTw = T_jj + Σ_a w_a ((T w)_a − T_aj) − wᵀT_{·j}
        let cross: f64 = (0..last).map(|a| w[a] * t[a * m + last]).sum();
        let q = t[last * m + last] + dot_short(&w, &normal) - cross;
        f += -0.5 * q / self.obs_var + rows * constant(self.obs_var);
        let prec = 1.0 / (self.edge_sd * self.edge_sd);
        let grad_theta = parents
            .iter()
            .enumerate()
            .map(|(a, &i)| {
                f += params.edge_log_prior[(i, j)];
                -normal[a] / self.obs_var - w[a] * prec
            })
            .collect();
        NodeTerm { f, grad_theta, grad_mu }
    }

    /// Node j's edge prior and observational log-density in every environment (`obs[e]`, e = 0
    /// the observational one) at a 0/1 graph whose column j has the parents `parents`.
    pub fn node_environments(
        &self,
        stats: &EnvStats,
        j: usize,
        parents: &[usize],
        params: &Parameters,
    ) -> (f64, Vec<f64>) {
        let d = params.theta.nrows();
        let mut w = vec![0.0; d];
        let mut prior = 0.0;
        for &i in parents {
            w[i] = params.theta[(i, j)];
            prior += params.edge_log_prior[(i, j)];
        }
        let mut obs = vec![0.0; stats.count()];
        stats.residual_sums(j, &w, parents, &mut obs);
        let c_obs = constant(self.obs_var);
        for (o, &n) in obs.iter_mut().zip(&stats.rows) {
            *o = -0.5 * *o / self.obs_var + n * c_obs;
        }
        (prior, obs)
    }

    /// Node j's interventional term (with μ's prior) in interventional environment e + 1.
    pub fn intervened(&self, params: &Parameters, e: usize, j: usize) -> f64 {
        params.intervened[(e, j)]
    }

    /// f at a 0/1 graph `g` (its parents `parents[j]`), targets `i_soft` ((E−1)×d, any values
    /// in [0, 1]) and the particle's parameters; fills `grad_i` with ∂f/∂I when given.
    pub fn with_soft_targets(
        &self,
        stats: &EnvStats,
        g: &Mat<f64>,
        parents: &[Vec<usize>],
        params: &Parameters,
        i_soft: &Mat<f64>,
        mut grad_i: Option<&mut Mat<f64>>,
    ) -> f64 {
        let d = g.nrows();
        let mut f = 0.0;
        for j in 0..d {
            let (prior, obs) = self.node_environments(stats, j, &parents[j], params);
            f += prior + obs[0];
            for e in 1..stats.count() {
                let target = i_soft[(e - 1, j)];
                let int = params.intervened[(e - 1, j)];
                f += (1.0 - target) * obs[e] + target * int;
                if let Some(gi) = grad_i.as_deref_mut() {
                    gi[(e - 1, j)] = int - obs[e];
                }
            }
        }
        f
    }
}

/// Node j's share of f and its gradients (see [`LinearGaussian::node_term`]).
#[derive(Debug, Clone)]
pub struct NodeTerm {
    pub f: f64,
    /// ∂f/∂Θ_ij for the parents i, in their order.
    pub grad_theta: Vec<f64>,
    /// ∂f/∂μ_ej for the environments e, in their order.
    pub grad_mu: Vec<f64>,
}

/// The parents of every node of a 0/1 graph (column j's nonzero rows).
pub fn parents_of(g: &Mat<f64>) -> Vec<Vec<usize>> {
    (0..g.ncols()).map(|j| (0..g.nrows()).filter(|&i| i != j && g[(i, j)] != 0.0).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::learners::Environments;
    use crate::simulate::random::Random;

    fn model() -> LinearGaussian {
        LinearGaussian::new(0.1, 0.5, 1.0, 10.0)
    }

    fn problem(seed: u64) -> (Mat<f64>, Environments, Mat<f64>, Mat<f64>) {
        // environment 1 has more rows than columns (its scatter matrix is used), 2 and 3 fewer
        // (their rows are)
        let (n, d) = (23, 6);
        let mut rng = Random::new(seed);
        let x = Mat::from_fn(n, d, |_, _| rng.normal(0.0, 1.5));
        let labels: Vec<usize> = (0..n)
            .map(|r| {
                if r < 8 {
                    0
                } else if r < 17 {
                    1
                } else {
                    2 + r % 2
                }
            })
            .collect();
        let env = Environments::new(labels, n).unwrap();
        let theta = Mat::from_fn(d, d, |_, _| rng.normal(0.0, 1.0));
        let mu = Mat::from_fn(3, d, |_, _| rng.normal(0.0, 2.0));
        (x, env, theta, mu)
    }

    /// f straight from the rows, as the reference writes it.
    fn direct(x: &Mat<f64>, env: &Environments, g: &Mat<f64>, theta: &Mat<f64>, i: &Mat<f64>, mu: &Mat<f64>) -> f64 {
        let m = LinearGaussian::new(0.1, 0.5, 1.0, 10.0);
        let d = g.nrows();
        let mut f = 0.0;
        for j in 0..d {
            for k in 0..d {
                if k != j {
                    f += g[(k, j)] * log_normal0(theta[(k, j)], m.edge_sd);
                }
            }
        }
        for e in 1..env.count() {
            for j in 0..d {
                f += i[(e - 1, j)] * log_normal0(mu[(e - 1, j)], m.mean_sd);
            }
        }
        for r in 0..x.nrows() {
            let e = env.labels()[r];
            for j in 0..d {
                let pred: f64 = (0..d).filter(|&k| k != j).map(|k| x[(r, k)] * g[(k, j)] * theta[(k, j)]).sum();
                let t = if e == 0 { 0.0 } else { i[(e - 1, j)] };
                let lo = -0.5 * (x[(r, j)] - pred).powi(2) / m.obs_var - 0.5 * (2.0 * PI * m.obs_var).ln();
                let li = if e == 0 {
                    0.0
                } else {
                    -0.5 * (x[(r, j)] - mu[(e - 1, j)]).powi(2) / m.interv_var - 0.5 * (2.0 * PI * m.interv_var).ln()
                };
                f += (1.0 - t) * lo + t * li;
            }
        }
        f
    }

    #[test]
    fn both_evaluations_equal_the_row_by_row_joint() {
        for seed in 0..5 {
            let (x, env, theta, mu) = problem(seed);
            let stats = EnvStats::new(x.as_ref(), Some(&env));
            let d = x.ncols();
            let mut rng = Random::new(100 + seed);
            let g_hard = Mat::from_fn(d, d, |i, j| if i != j && rng.uniform() < 0.4 { 1.0 } else { 0.0 });
            let g_soft = Mat::from_fn(d, d, |i, j| if i == j { 0.0 } else { rng.uniform() });
            let i_hard = Mat::from_fn(3, d, |_, _| if rng.uniform() < 0.3 { 1.0 } else { 0.0 });
            let i_soft = Mat::from_fn(3, d, |_, _| rng.uniform());
            let mut gw = Mat::zeros(d, d);
            let params = model().parameters(&stats, theta.clone(), mu.clone());
            let mut work = Workspace::new(d, &stats);
            let a = model().with_hard_targets(&stats, &g_soft, &params, &i_hard, &mut work, &mut gw, None);
            let b = direct(&x, &env, &g_soft, &theta, &i_hard, &mu);
            assert!((a - b).abs() < 1e-10 * b.abs(), "{a} {b}");
            let a = model().with_soft_targets(&stats, &g_hard, &parents_of(&g_hard), &params, &i_soft, None);
            let b = direct(&x, &env, &g_hard, &theta, &i_soft, &mu);
            assert!((a - b).abs() < 1e-10 * b.abs(), "{a} {b}");
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        let (x, env, theta, mu) = problem(7);
        let stats = EnvStats::new(x.as_ref(), Some(&env));
        let d = x.ncols();
        let mut rng = Random::new(3);
        let g = Mat::from_fn(d, d, |i, j| if i == j { 0.0 } else { rng.uniform() });
        let g_hard = Mat::from_fn(d, d, |i, j| if i != j && rng.uniform() < 0.5 { 1.0 } else { 0.0 });
        let i_hard = Mat::from_fn(3, d, |e, j| if (e + j) % 3 == 0 { 1.0 } else { 0.0 });
        let i_soft = Mat::from_fn(3, d, |_, _| rng.uniform());
        let m = model();
        let f_of = |g: &Mat<f64>, theta: &Mat<f64>, mu: &Mat<f64>| {
            let params = m.parameters(&stats, theta.clone(), mu.clone());
            m.with_hard_targets(
                &stats,
                g,
                &params,
                &i_hard,
                &mut Workspace::new(d, &stats),
                &mut Mat::zeros(d, d),
                None,
            )
        };
        let params = m.parameters(&stats, theta.clone(), mu.clone());
        let mut gw = Mat::zeros(d, d);
        let mut gmu = Mat::zeros(3, d);
        m.with_hard_targets(&stats, &g, &params, &i_hard, &mut Workspace::new(d, &stats), &mut gw, Some(&mut gmu));
        let (mut gg, mut gt) = (Mat::zeros(d, d), Mat::zeros(d, d));
        m.edge_prior_grad(&g, &params, &gw, Some(&mut gg), Some(&mut gt));
        let h = 1e-6;
        let close = |fd: f64, an: f64| assert!((fd - an).abs() < 1e-5 * (1.0 + an.abs()), "fd {fd} analytic {an}");
        for i in 0..d {
            for j in 0..d {
                if i == j {
                    continue;
                }
                let (mut gp, mut gn) = (g.clone(), g.clone());
                gp[(i, j)] += h;
                gn[(i, j)] -= h;
                close((f_of(&gp, &theta, &mu) - f_of(&gn, &theta, &mu)) / (2.0 * h), gg[(i, j)]);
                let (mut tp, mut tn) = (theta.clone(), theta.clone());
                tp[(i, j)] += h;
                tn[(i, j)] -= h;
                close((f_of(&g, &tp, &mu) - f_of(&g, &tn, &mu)) / (2.0 * h), gt[(i, j)]);
            }
        }
        for e in 0..3 {
            for j in 0..d {
                let (mut mp, mut mn) = (mu.clone(), mu.clone());
                mp[(e, j)] += h;
                mn[(e, j)] -= h;
                close((f_of(&g, &theta, &mp) - f_of(&g, &theta, &mn)) / (2.0 * h), gmu[(e, j)]);
            }
        }
        // ∂f/∂I at a hard graph (f is linear in I: the difference is exact)
        let parents = parents_of(&g_hard);
        let mut gi = Mat::zeros(3, d);
        m.with_soft_targets(&stats, &g_hard, &parents, &params, &i_soft, Some(&mut gi));
        for e in 0..3 {
            for j in 0..d {
                let (mut ip, mut im) = (i_soft.clone(), i_soft.clone());
                ip[(e, j)] += h;
                im[(e, j)] -= h;
                let fd = (m.with_soft_targets(&stats, &g_hard, &parents, &params, &ip, None)
                    - m.with_soft_targets(&stats, &g_hard, &parents, &params, &im, None))
                    / (2.0 * h);
                close(fd, gi[(e, j)]);
            }
        }
    }
}
