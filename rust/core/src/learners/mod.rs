//! Structure learners, and the one interface through which a front end runs any of them.
//!
//! Each learner module has a `Config` (its settings, with the defaults of its paper or reference
//! code) that implements [`Learner`]: it validates itself, resolves its `"auto"` settings from
//! the data, fits, and returns the shared [`Fitted`]. A front end reads a learner's settings by
//! name with [`LearnerConfig::read`] from any serde source (the Python binding reads a dict),
//! then calls [`LearnerConfig::fit`]; nothing else is learner-specific. Settings are spelled as
//! the Python estimators spell them.

pub mod bacadi;
pub mod cosmo;
pub mod dagma;
pub mod dagma_mlp;
pub mod dpdag;
pub mod dstruct;
mod environments;
mod fitted;
pub mod mlp_problem;
pub mod notears;
pub mod notears_mlp;
pub mod params;
pub mod sortnregress;
pub mod topo;

pub use environments::Environments;
pub use fitted::{Fitted, Value};
pub use params::Auto;

use crate::canonical::Permutation;
use crate::error::{CoreError, Result};
use crate::graph::Mask;
use crate::loss::{Loss, LossType};
use crate::mlp::Mechanism;
use crate::progress::Progress;
use crate::regression::NodeCovariances;
use crate::stats::SufficientStats;
use faer::{Mat, MatRef};
use serde::{Deserialize, Deserializer, Serialize};

/// Prior knowledge about the graph, as d×d row-major masks.
#[derive(Debug, Clone, Default)]
pub struct Prior {
    /// Edges that must not appear.
    pub forbidden: Option<Mask>,
    /// Edges that must appear (exempt from sparsity penalties, thresholds and projections).
    pub required: Option<Mask>,
}

impl Prior {
    /// Checks that each mask is d×d and that no entry is both forbidden and required.
    pub fn check(&self, d: usize) -> Result<()> {
        for (name, mask) in [("forbidden", &self.forbidden), ("required", &self.required)] {
            if mask.as_ref().is_some_and(|m| m.len() != d * d) {
                return Err(CoreError::InvalidInput(format!("the {name} mask must be {d}x{d}")));
            }
        }
        if let (Some(f), Some(r)) = (&self.forbidden, &self.required) {
            if f.iter().zip(r).any(|(&a, &b)| a && b) {
                return Err(CoreError::InvalidInput("an edge is both forbidden and required".into()));
            }
        }
        Ok(())
    }
}

/// The data a learner fits: the preprocessed rows and, for interventional data, which entries
/// were set by perfect (hard) interventions.
#[derive(Debug, Clone, Copy)]
pub struct Data<'a> {
    /// n×d, centred (and scaled) as the front end documents.
    pub x: MatRef<'a, f64>,
    /// Row-major n×d: `true` where row i set node j by an intervention (node j's equation is then
    /// not fitted on row i). `None`: observational data.
    pub intervened: Option<&'a Mask>,
    /// The experiment of every row, for the learners that model experiments (BaCaDI/DiBS);
    /// the others read only `intervened`.
    pub environments: Option<&'a Environments>,
    /// Data known only by its sufficient statistics (`x` then has no rows): what the
    /// least-squares learners need. See [`LearnerConfig::fit_summary`].
    pub summary: Option<&'a Summary>,
}

/// Observational data known by n and the covariance of the preprocessed columns.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Rows.
    pub n: usize,
    /// d×d covariance Σ = XᵀX/n of the centred (and scaled) data.
    pub sigma: Mat<f64>,
    /// Interventional data: each node's covariance of the rows that leave it alone.
    pub per_node: Option<NodeCovariances>,
}

impl<'a> Data<'a> {
    /// Observational data.
    pub fn observational(x: MatRef<'a, f64>) -> Self {
        Data { x, intervened: None, environments: None, summary: None }
    }

    /// The number of rows (also when only their statistics are known).
    pub fn n_rows(&self) -> usize {
        self.summary.map_or(self.x.nrows(), |s| s.n)
    }

    /// The rows themselves, for learners that need them; an error naming `learner` when only
    /// sufficient statistics were given.
    pub fn rows(&self, learner: &str) -> Result<MatRef<'a, f64>> {
        match self.summary {
            None => Ok(self.x),
            Some(_) => Err(rows_needed(learner)),
        }
    }

    /// The least-squares loss of these data (per node when some entries were intervened on).
    pub fn least_squares(&self) -> Result<Loss> {
        if let Some(summary) = self.summary {
            return Ok(match &summary.per_node {
                Some(covariances) => Loss::LeastSquaresPerNode { covariances: covariances.clone() },
                None => Loss::LeastSquares { sigma: summary.sigma.clone() },
            });
        }
        match self.intervened {
            None => Loss::least_squares_from_data(self.x),
            Some(mask) => Loss::least_squares_interventional(self.x, mask),
        }
    }

    /// The loss `kind` of these data; the GLM losses have no interventional form yet.
    pub fn loss(&self, kind: LossType, learner: &str) -> Result<Loss> {
        match (kind, self.intervened) {
            (LossType::L2, _) => self.least_squares(),
            (_, None) if self.summary.is_some() => Err(CoreError::InvalidInput(format!(
                "{learner} with loss_type={kind:?} needs the rows; sufficient statistics serve the l2 loss only"
            ))),
            (_, None) => Loss::from_type(kind, self.x),
            (_, Some(_)) => Err(CoreError::InvalidParameter(format!(
                "{learner} fits interventional data (intervention_mask) with loss_type='l2' only"
            ))),
        }
    }
}

/// What every learner's configuration can do.
pub trait Learner: Clone + Default + Serialize + for<'de> Deserialize<'de> {
    /// The name front ends use for the learner.
    const NAME: &'static str;

    /// Checks every setting; the message names the setting.
    fn validate(&self) -> Result<()>;

    /// Fits to the preprocessed `data` under `prior`.
    fn fit(&self, data: &Data<'_>, prior: &Prior, progress: &mut dyn Progress) -> Result<Fitted>;

    /// The settings for the data with its columns in the order `perm` (only settings that name
    /// columns change, e.g. an explicit starting order).
    fn reordered(&self, _perm: &Permutation) -> Self {
        self.clone()
    }

    /// A quantity of this learner's result, fitted in the order `perm`, back in the input's
    /// order (the `Node*` kinds are already; an opaque one, e.g. per-node network parameters,
    /// needs the learner).
    fn restore_extra(&self, _name: &str, value: Value, _perm: &Permutation) -> Result<Value> {
        Ok(value)
    }
}

/// Fits `config` in the canonical column order of `x` (see [`crate::canonical`]) and maps the
/// result back, so that it depends neither on the order of the columns nor on their last bits.
fn fit_canonically<L: Learner>(
    config: &L,
    mut x: Mat<f64>,
    intervened: Option<Mask>,
    environments: Option<&Environments>,
    prior: &Prior,
    progress: &mut dyn Progress,
) -> Result<Fitted> {
    let perm = Permutation::canonical(x.as_ref());
    if perm.is_identity() {
        let data = Data { x: x.as_ref(), intervened: intervened.as_ref(), environments, summary: None };
        return config.fit(&data, prior, progress);
    }
    perm.permute_columns(x.as_mut());
    let intervened = intervened.map(|mask| perm.permute_row_mask(&mask));
    let canonical_prior = Prior {
        forbidden: prior.forbidden.as_ref().map(|m| perm.permute_mask(m)),
        required: prior.required.as_ref().map(|m| perm.permute_mask(m)),
    };
    let reordered = config.reordered(&perm);
    let data = Data { x: x.as_ref(), intervened: intervened.as_ref(), environments, summary: None };
    let fitted = reordered.fit(&data, &canonical_prior, progress)?;
    fitted.restored(&perm, prior, |name, value| reordered.restore_extra(name, value, &perm))
}

/// The error of a learner that needs the rows but was given sufficient statistics.
fn rows_needed(learner: &str) -> CoreError {
    CoreError::InvalidInput(format!(
        "{learner} needs the rows (its objective is not a function of the covariance): fit it on the data \
         array; sufficient statistics serve NOTEARS and DAGMA (linear, l2), TOPO and SortnRegress"
    ))
}

/// `fit_canonically` for data known by its statistics: the canonical order from the columns'
/// moments, the covariance permuted into it, and no rows.
fn fit_summary_canonically<L: Learner>(
    config: &L,
    stats: &SufficientStats,
    per_node: Option<NodeCovariances>,
    scale: &[f64],
    prior: &Prior,
    progress: &mut dyn Progress,
) -> Result<Fitted> {
    let d = stats.dim();
    let perm = Permutation::from_moments(&stats.column_moments(scale));
    let sigma = stats.covariance(scale);
    let summary = Summary {
        n: stats.n,
        sigma: Mat::from_fn(d, d, |a, b| sigma[(perm.input(a), perm.input(b))]),
        per_node: per_node.map(|p| p.relabelled(|a| perm.input(a))),
    };
    let empty = Mat::<f64>::zeros(0, d);
    let data = Data { x: empty.as_ref(), intervened: None, environments: None, summary: Some(&summary) };
    if perm.is_identity() {
        return config.fit(&data, prior, progress);
    }
    let canonical_prior = Prior {
        forbidden: prior.forbidden.as_ref().map(|m| perm.permute_mask(m)),
        required: prior.required.as_ref().map(|m| perm.permute_mask(m)),
    };
    let reordered = config.reordered(&perm);
    let fitted = reordered.fit(&data, &canonical_prior, progress)?;
    fitted.restored(&perm, prior, |name, value| reordered.restore_extra(name, value, &perm))
}

/// The settings of one of the learners, chosen by name.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LearnerConfig {
    Notears(notears::Config),
    Dagma(dagma::Config),
    Topo(topo::Config),
    Cosmo(cosmo::Config),
    Dpdag(dpdag::Config),
    SortnRegress(sortnregress::Config),
    Bacadi(bacadi::Config),
    Dstruct(dstruct::Config),
}

impl LearnerConfig {
    /// The learners' names.
    pub const NAMES: [&'static str; 8] = [
        notears::Config::NAME,
        dagma::Config::NAME,
        topo::Config::NAME,
        cosmo::Config::NAME,
        dpdag::Config::NAME,
        sortnregress::Config::NAME,
        bacadi::Config::NAME,
        dstruct::Config::NAME,
    ];

    /// Reads learner `name`'s settings from `params` (missing ones take their defaults, unknown
    /// ones are errors) and validates them.
    pub fn read<'de, D: Deserializer<'de>>(name: &str, params: D) -> Result<Self> {
        let config = match name {
            notears::Config::NAME => LearnerConfig::Notears(read(params)?),
            dagma::Config::NAME => LearnerConfig::Dagma(read(params)?),
            topo::Config::NAME => LearnerConfig::Topo(read(params)?),
            cosmo::Config::NAME => LearnerConfig::Cosmo(read(params)?),
            dpdag::Config::NAME => LearnerConfig::Dpdag(read(params)?),
            sortnregress::Config::NAME => LearnerConfig::SortnRegress(read(params)?),
            bacadi::Config::NAME => LearnerConfig::Bacadi(read(params)?),
            dstruct::Config::NAME => LearnerConfig::Dstruct(read(params)?),
            other => return Err(unknown(other)),
        };
        config.validate()?;
        Ok(config)
    }

    /// Learner `name` with its default settings.
    pub fn defaults(name: &str) -> Result<Self> {
        Ok(match name {
            notears::Config::NAME => LearnerConfig::Notears(Default::default()),
            dagma::Config::NAME => LearnerConfig::Dagma(Default::default()),
            topo::Config::NAME => LearnerConfig::Topo(Default::default()),
            cosmo::Config::NAME => LearnerConfig::Cosmo(Default::default()),
            dpdag::Config::NAME => LearnerConfig::Dpdag(Default::default()),
            sortnregress::Config::NAME => LearnerConfig::SortnRegress(Default::default()),
            bacadi::Config::NAME => LearnerConfig::Bacadi(Default::default()),
            dstruct::Config::NAME => LearnerConfig::Dstruct(Default::default()),
            other => return Err(unknown(other)),
        })
    }

    /// Checks every setting.
    pub fn validate(&self) -> Result<()> {
        match self {
            LearnerConfig::Notears(c) => c.validate(),
            LearnerConfig::Dagma(c) => c.validate(),
            LearnerConfig::Topo(c) => c.validate(),
            LearnerConfig::Cosmo(c) => c.validate(),
            LearnerConfig::Dpdag(c) => c.validate(),
            LearnerConfig::SortnRegress(c) => c.validate(),
            LearnerConfig::Bacadi(c) => c.validate(),
            LearnerConfig::Dstruct(c) => c.validate(),
        }
    }

    /// Fits the learner to the preprocessed data `x` (n×d) under `prior`, in the canonical
    /// column order of `x` (the answer for `x` with its columns permuted is this one with its
    /// rows and columns permuted, bit for bit).
    ///
    /// `intervened` (row-major n×d) marks the entries set by perfect interventions; a mask with
    /// no entry set is observational data, bit for bit. `environments` labels the rows'
    /// experiments (read by the learners that model them).
    pub fn fit(
        &self,
        x: Mat<f64>,
        intervened: Option<Mask>,
        environments: Option<&Environments>,
        prior: &Prior,
        progress: &mut dyn Progress,
    ) -> Result<Fitted> {
        prior.check(x.ncols())?;
        let (n, d) = (x.nrows(), x.ncols());
        if let Some(mask) = &intervened {
            if mask.len() != n * d {
                return Err(CoreError::InvalidInput(format!(
                    "the intervention mask must have shape ({n}, {d}), got {} entries",
                    mask.len()
                )));
            }
        }
        if let Some(env) = environments {
            if env.labels().len() != n {
                return Err(CoreError::InvalidInput(format!(
                    "there must be one environment label per row: {} labels for {n} rows",
                    env.labels().len()
                )));
            }
        }
        let intervened = intervened.filter(|mask| mask.iter().any(|&v| v));
        match self {
            LearnerConfig::Notears(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::Dagma(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::Topo(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::Cosmo(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::Dpdag(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::SortnRegress(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::Bacadi(c) => fit_canonically(c, x, intervened, environments, prior, progress),
            LearnerConfig::Dstruct(c) => fit_canonically(c, x, intervened, environments, prior, progress),
        }
    }
}

impl LearnerConfig {
    /// Whether this learner, with these settings, fits observational data from its sufficient
    /// statistics alone ([`LearnerConfig::fit_summary`]).
    pub fn fits_from_statistics(&self) -> bool {
        match self {
            LearnerConfig::Notears(c) => c.mechanism == Mechanism::Linear && c.loss_type == LossType::L2,
            LearnerConfig::Dagma(c) => c.mechanism == Mechanism::Linear && c.loss_type == LossType::L2,
            LearnerConfig::Topo(_) | LearnerConfig::SortnRegress(_) => true,
            LearnerConfig::Cosmo(_)
            | LearnerConfig::Dpdag(_)
            | LearnerConfig::Bacadi(_)
            | LearnerConfig::Dstruct(_) => false,
        }
    }

    /// Fits observational data known only by its sufficient statistics, the columns scaled by
    /// `scale` (ones: centred only). The learners whose objective is a function of n and the
    /// covariance take them (NOTEARS and DAGMA with the linear mechanism and the l2 loss, TOPO,
    /// SortnRegress); the others return `InvalidInput` saying they need the rows. With the same
    /// statistics as the rows', the result is the fit of the rows to rounding.
    pub fn fit_summary(
        &self,
        stats: &SufficientStats,
        scale: &[f64],
        prior: &Prior,
        progress: &mut dyn Progress,
    ) -> Result<Fitted> {
        self.fit_summary_with(stats, None, scale, prior, progress)
    }

    /// [`LearnerConfig::fit_summary`] for interventional data known by the statistics of its
    /// groups of rows, `patterns[g]` the intervention-mask row of group g: node j's equation is
    /// fitted on the groups that leave it alone, as `fit` does with the rows and the mask. The
    /// same learners take it; the result is the fit of the rows to rounding.
    ///
    /// Errors: as `fit_summary`; `InvalidInput` for patterns that do not match the groups or a
    /// node intervened on in every group.
    pub fn fit_interventional_summary(
        &self,
        groups: &[SufficientStats],
        patterns: &[Vec<bool>],
        scale: &[f64],
        prior: &Prior,
        progress: &mut dyn Progress,
    ) -> Result<Fitted> {
        let pooled = SufficientStats::merged(groups)?;
        pooled.check()?;
        if scale.len() != pooled.dim() {
            return Err(CoreError::InvalidInput(format!("scale must hold {} positive finite numbers", pooled.dim())));
        }
        let per_node = SufficientStats::node_covariances(groups, patterns, scale)?;
        self.fit_summary_with(&pooled, Some(per_node), scale, prior, progress)
    }

    fn fit_summary_with(
        &self,
        stats: &SufficientStats,
        per_node: Option<NodeCovariances>,
        scale: &[f64],
        prior: &Prior,
        progress: &mut dyn Progress,
    ) -> Result<Fitted> {
        stats.check()?;
        let d = stats.dim();
        prior.check(d)?;
        if scale.len() != d || scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(CoreError::InvalidInput(format!("scale must hold {d} positive finite numbers")));
        }
        let linear_l2 = |mechanism: Mechanism, loss: LossType, name: &str| -> Result<()> {
            if mechanism != Mechanism::Linear || loss != LossType::L2 {
                return Err(rows_needed(&format!("{name} with mechanism={mechanism:?}, loss_type={loss:?}")));
            }
            Ok(())
        };
        match self {
            LearnerConfig::Notears(c) => {
                linear_l2(c.mechanism, c.loss_type, "NOTEARS")?;
                fit_summary_canonically(c, stats, per_node, scale, prior, progress)
            }
            LearnerConfig::Dagma(c) => {
                linear_l2(c.mechanism, c.loss_type, "DAGMA")?;
                fit_summary_canonically(c, stats, per_node, scale, prior, progress)
            }
            LearnerConfig::Topo(c) => fit_summary_canonically(c, stats, per_node, scale, prior, progress),
            LearnerConfig::SortnRegress(c) => fit_summary_canonically(c, stats, per_node, scale, prior, progress),
            LearnerConfig::Cosmo(_) => Err(rows_needed("COSMO")),
            LearnerConfig::Dpdag(_) => Err(rows_needed("DP-DAG")),
            LearnerConfig::Bacadi(_) => Err(rows_needed("BaCaDI/DiBS")),
            LearnerConfig::Dstruct(_) => Err(rows_needed("D-Struct")),
        }
    }
}

fn unknown(name: &str) -> CoreError {
    CoreError::InvalidParameter(format!("unknown learner {name:?}; expected one of {:?}", LearnerConfig::NAMES))
}

/// Deserializes a configuration; the error names the setting at fault.
fn read<'de, T: Learner, D: Deserializer<'de>>(params: D) -> Result<T> {
    serde_path_to_error::deserialize(params).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // the path names the setting, unless the message already does (an unknown field)
        let named = path == "." || path.is_empty() || message.contains(path.as_str());
        CoreError::InvalidParameter(if named { message } else { format!("{path}: {message}") })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::Loss;
    use crate::progress::Silent;
    use faer::Mat;

    #[test]
    fn a_bad_prior_given_to_a_learner_directly_is_an_error() {
        let d = 3;
        let x = Mat::from_fn(20, d, |r, j| ((r * 7 + j * 3) % 5) as f64 - 2.0);
        let loss = Loss::least_squares_from_data(x.as_ref()).unwrap();
        let wrong_size = Prior { forbidden: Some(vec![false; 4]), required: None };
        let mut edge = vec![false; d * d];
        edge[1] = true; // 0 -> 1
        let both = Prior { forbidden: Some(edge.clone()), required: Some(edge) };
        for prior in [&wrong_size, &both] {
            assert!(notears::fit(&loss, &Default::default(), prior, &mut Silent).is_err());
            assert!(dagma::fit(&loss, &Default::default(), prior, &mut Silent).is_err());
            assert!(topo::fit(&loss, 100, &Default::default(), prior, &mut Silent).is_err());
            assert!(cosmo::fit(x.as_ref(), &Default::default(), prior, &mut Silent).is_err());
        }
        let settings = dpdag::Config::default().resolve(d);
        assert!(dpdag::fit(x.as_ref(), &settings, &wrong_size, &mut Silent).is_err());
        for name in LearnerConfig::NAMES {
            let config = LearnerConfig::defaults(name).unwrap();
            for prior in [&wrong_size, &both] {
                assert!(matches!(
                    config.fit(x.clone(), None, None, prior, &mut Silent),
                    Err(CoreError::InvalidInput(_))
                ));
            }
        }
    }

    /// The fit from sufficient statistics is the fit of the rows (to rounding: the covariance is
    /// summed in another order), and the learners that need rows say so.
    #[test]
    fn sufficient_statistics_fit_as_the_rows() {
        use crate::simulate::{simulate_dag, simulate_linear_sem, simulate_parameter, GraphType, LinearNoise};
        let b = simulate_dag(6, 8, GraphType::Er, 1).unwrap();
        let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], 1).unwrap();
        let raw = simulate_linear_sem(w.as_ref(), 500, LinearNoise::Gauss, &[1.0; 6], 1).unwrap();
        let stats = SufficientStats::of_rows(raw.as_ref()).unwrap();
        let scale: Vec<f64> = (0..6).map(|j| (stats.scatter[(j, j)] / 500.0).sqrt()).collect();
        let x = Mat::from_fn(500, 6, |r, j| (raw[(r, j)] - stats.mean[j]) / scale[j]);
        let none = Prior::default();
        // NOTEARS' augmented Lagrangian amplifies the covariance's last-bit differences (its
        // weights agree to its solver's tolerance, as on the portable kernels); the others
        // agree to rounding. (The Python layer sends observational rows through the statistics,
        // so there fit(X) and fit(statistics) are the same bits.)
        for (name, rtol) in [("notears", 1e-2), ("dagma", 1e-9), ("topo", 1e-9), ("sortnregress", 1e-9)] {
            let config = LearnerConfig::defaults(name).unwrap();
            let rows = config.fit(x.clone(), None, None, &none, &mut Silent).unwrap();
            let summary = config.fit_summary(&stats, &scale, &none, &mut Silent).unwrap();
            assert_eq!(rows.adjacency, summary.adjacency, "{name}");
            for i in 0..6 {
                for j in 0..6 {
                    let (a, b) = (rows.weights[(i, j)], summary.weights[(i, j)]);
                    assert!((a - b).abs() <= rtol * a.abs().max(1.0), "{name} ({i}, {j}): {a} vs {b}");
                }
            }
        }
        for name in ["cosmo", "dpdag", "bacadi"] {
            let config = LearnerConfig::defaults(name).unwrap();
            let err = config.fit_summary(&stats, &scale, &none, &mut Silent).unwrap_err().to_string();
            assert!(err.contains("needs the rows"), "{name}: {err}");
        }
    }

    /// Interventional data known by the statistics of its groups (rows with the same mask row)
    /// fit as the rows with the mask.
    #[test]
    fn group_statistics_fit_as_the_rows_with_their_mask() {
        use crate::simulate::{simulate_dag, simulate_linear_sem, simulate_parameter, GraphType, LinearNoise};
        let (n, d) = (600, 5);
        let b = simulate_dag(d, 6, GraphType::Er, 4).unwrap();
        let w = simulate_parameter(b.as_ref(), &[(-2.0, -0.5), (0.5, 2.0)], 4).unwrap();
        let mut raw = simulate_linear_sem(w.as_ref(), n, LinearNoise::Gauss, &[1.0; 5], 4).unwrap();
        // rows 400..500 set node 1, rows 500..600 node 3 (to values unrelated to their parents)
        let mut mask = vec![false; n * d];
        for r in 400..n {
            let t = if r < 500 { 1 } else { 3 };
            mask[r * d + t] = true;
            raw[(r, t)] = 2.0 + ((r * 37) % 11) as f64 / 11.0;
        }
        let groups_rows = [(0..400).collect::<Vec<_>>(), (400..500).collect(), (500..600).collect()];
        let groups: Vec<SufficientStats> = groups_rows
            .iter()
            .map(|rows| {
                SufficientStats::of_rows(Mat::from_fn(rows.len(), d, |a, j| raw[(rows[a], j)]).as_ref()).unwrap()
            })
            .collect();
        let patterns: Vec<Vec<bool>> =
            groups_rows.iter().map(|rows| mask[rows[0] * d..rows[0] * d + d].to_vec()).collect();
        let pooled = SufficientStats::merged(&groups).unwrap();
        let scale = vec![1.0; d];
        let x = Mat::from_fn(n, d, |r, j| raw[(r, j)] - pooled.mean[j]);
        let none = Prior::default();
        for (name, rtol) in [("notears", 1e-2), ("dagma", 1e-8), ("topo", 1e-8), ("sortnregress", 1e-8)] {
            let config = LearnerConfig::defaults(name).unwrap();
            let rows = config.fit(x.clone(), Some(mask.clone()), None, &none, &mut Silent).unwrap();
            let summary = config.fit_interventional_summary(&groups, &patterns, &scale, &none, &mut Silent).unwrap();
            assert_eq!(rows.adjacency, summary.adjacency, "{name}");
            for i in 0..d {
                for j in 0..d {
                    let (a, b) = (rows.weights[(i, j)], summary.weights[(i, j)]);
                    assert!((a - b).abs() <= rtol * a.abs().max(1.0), "{name} ({i}, {j}): {a} vs {b}");
                }
            }
        }
        let everywhere = vec![vec![true, false, false, false, false]; 3];
        let config = LearnerConfig::defaults("topo").unwrap();
        assert!(config.fit_interventional_summary(&groups, &everywhere, &scale, &none, &mut Silent).is_err());
        assert!(config.fit_interventional_summary(&groups, &patterns[..2], &scale, &none, &mut Silent).is_err());
    }
}
