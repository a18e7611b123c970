//! Probability-of-default models: training with stratified k-fold cross-validation, scoring,
//! reason codes, and the versioned JSON artifact.
//!
//! An artifact ([`PdModel`]) holds everything needed to score again exactly: the feature spec
//! (input column names and kinds), the fitted estimator (binning tables and points, or
//! coefficients and scaling, or trees and calibration), the training data's SHA-256, the
//! options, the command, the cross-validated metrics and the in-sample fit. Floats are written
//! with shortest round-trip formatting and parsed exactly, so a reloaded model gives the same
//! PDs bit for bit.

use crate::ModelError;
use crate::binning::BinningParams;
use crate::calibration::{Calibration, CalibrationMethod};
use crate::forest::{Forest, ForestParams};
use crate::gbm::{Booster, GbmParams};
use crate::linear::LinearModel;
use crate::metrics::{CalibrationBand, Metrics, PsiReference, calibration_table, evaluate};
use crate::reasons::{Reason, top_reasons};
use crate::scorecard::{Scaling, Scorecard};
use crate::table::{
    ColumnData, FeatureSpec, FeatureTable, TrainingSet, stratified_folds, stratified_split,
};
use crate::trees::TreeEncoding;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The artifact format name.
pub const FORMAT: &str = "finrisk-pd-model";
/// The artifact format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The model families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// WoE scorecard (binning + logistic regression + points).
    Scorecard,
    /// Logistic regression on standardised numbers and one-hot categories.
    Logistic,
    /// Gradient-boosted trees, calibrated.
    Gbm,
    /// Random forest of linfa trees, calibrated.
    Forest,
}

impl ModelKind {
    /// Every kind.
    pub const ALL: [ModelKind; 4] = [Self::Scorecard, Self::Logistic, Self::Gbm, Self::Forest];

    /// Name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Scorecard => "scorecard",
            Self::Logistic => "logistic",
            Self::Gbm => "gbm",
            Self::Forest => "forest",
        }
    }

    /// Parses a name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Training options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Model family.
    pub kind: ModelKind,
    /// Cross-validation folds (0: no cross-validation).
    pub folds: usize,
    /// Seed of the folds, holdouts and forest samples.
    pub seed: u64,
    /// Binning (scorecard).
    pub binning: BinningParams,
    /// Points scaling (scorecard).
    pub scaling: Scaling,
    /// L2 penalty of the logistic fits (1 = scikit-learn's C = 1).
    pub alpha: f64,
    /// Boosting settings.
    pub gbm: GbmParams,
    /// Forest settings.
    pub forest: ForestParams,
    /// Calibration of the tree models.
    pub calibration: CalibrationMethod,
    /// Share of the training rows held out to calibrate (and early-stop) the tree models.
    pub holdout_share: f64,
}

impl TrainOptions {
    /// Defaults for `kind`.
    pub fn new(kind: ModelKind) -> Self {
        Self {
            kind,
            folds: 5,
            seed: 42,
            binning: BinningParams::default(),
            scaling: Scaling::default(),
            alpha: 1.0,
            gbm: GbmParams::default(),
            forest: ForestParams::default(),
            calibration: CalibrationMethod::Platt,
            holdout_share: 0.2,
        }
    }
}

/// A tree model with its encodings and calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeModel<T> {
    /// How each input column becomes a number.
    pub encodings: Vec<TreeEncoding>,
    /// The fitted trees.
    pub model: T,
    /// Raw score to PD.
    pub calibration: Calibration,
}

/// The fitted estimator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Estimator {
    /// A scorecard.
    Scorecard(Scorecard),
    /// A logistic regression.
    Logistic(LinearModel),
    /// Boosted trees.
    Gbm(TreeModel<Booster>),
    /// A forest.
    Forest(TreeModel<Forest>),
}

/// Mean and standard deviation of a metric over the folds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    /// Mean.
    pub mean: f64,
    /// Population standard deviation (as numpy's default).
    pub std: f64,
}

impl MeanStd {
    fn of(values: &[f64]) -> Self {
        let n = values.len().max(1) as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        Self {
            mean,
            std: var.sqrt(),
        }
    }
}

/// Cross-validation results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    /// Folds.
    pub folds: usize,
    /// Seed.
    pub seed: u64,
    /// Metrics of each fold's held-out rows.
    pub per_fold: Vec<Metrics>,
    /// AUC over the folds.
    pub auc: MeanStd,
    /// KS over the folds.
    pub ks: MeanStd,
    /// Gini over the folds.
    pub gini: MeanStd,
    /// Brier score over the folds.
    pub brier: MeanStd,
    /// Log loss over the folds.
    pub log_loss: MeanStd,
    /// Calibration of the out-of-fold PDs, in ten bands.
    pub calibration: Vec<CalibrationBand>,
}

/// Where the model came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// The data it was trained on (path or dataset name).
    pub data: String,
    /// SHA-256 of the data file.
    pub data_sha256: String,
    /// Rows.
    pub rows: usize,
    /// Share of positives.
    pub positive_rate: f64,
    /// The target column and what 1 means.
    pub target: String,
    /// The command that trained it.
    pub command: String,
    /// The options.
    pub options: TrainOptions,
}

/// A versioned, self-contained PD model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PdModel {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Model name.
    pub name: String,
    /// Model version.
    pub version: String,
    /// Family.
    pub kind: ModelKind,
    /// Input columns, in order, with their kinds.
    pub features: Vec<FeatureSpec>,
    /// The fitted estimator.
    pub estimator: Estimator,
    /// Provenance.
    pub training: TrainingRecord,
    /// Cross-validated quality (when trained with folds).
    pub cv: Option<CvReport>,
    /// Metrics on the training data itself.
    pub in_sample: Metrics,
    /// Decile distribution of the training PDs: the reference for the population stability
    /// index of later samples ([`PdModel::psi`]).
    pub pd_reference: PsiReference,
    /// Where the model's quality figures were measured: jurisdiction, currency, population.
    /// On other data its findings are information only (RC-HIGH-PD), unless a ruleset lists
    /// the model as validated. `None`: validated nowhere stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

/// The data a model was validated on (the engine's record, stored in the artifact).
pub use finrisk_engine::pd::ModelValidation as Validation;

/// A record's PD and what drove it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explained {
    /// Probability of default.
    pub pd: f64,
    /// Scorecard points (scorecards only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The top reasons.
    pub reasons: Vec<Reason>,
}

fn tree_columns(encodings: &[TreeEncoding], columns: &[&ColumnData]) -> Vec<Vec<f64>> {
    encodings
        .par_iter()
        .zip(columns.par_iter())
        .map(|(e, c)| e.encode(c))
        .collect()
}

fn fit_estimator(set: &TrainingSet, o: &TrainOptions) -> Result<Estimator, ModelError> {
    Ok(match o.kind {
        ModelKind::Scorecard => {
            Estimator::Scorecard(Scorecard::fit(set, &o.binning, o.scaling, o.alpha)?)
        }
        ModelKind::Logistic => Estimator::Logistic(LinearModel::fit(set, o.alpha)?),
        ModelKind::Gbm | ModelKind::Forest => {
            let encodings: Vec<TreeEncoding> = set
                .table
                .columns
                .iter()
                .map(|c| TreeEncoding::fit(&c.data, &set.target))
                .collect();
            let refs: Vec<&ColumnData> = set.table.columns.iter().map(|c| &c.data).collect();
            let cols = tree_columns(&encodings, &refs);
            let calibrated = o.calibration != CalibrationMethod::None && o.holdout_share > 0.0;
            let (fit_rows, held) = if calibrated {
                stratified_split(&set.target, o.holdout_share, o.seed)
            } else {
                ((0..set.rows()).collect(), Vec::new())
            };
            let raw_of = |score: &dyn Fn(usize) -> f64| -> Vec<f64> {
                held.iter().map(|&i| score(i)).collect()
            };
            let held_y: Vec<u8> = held.iter().map(|&i| set.target[i]).collect();
            let calibrate = |raw: Vec<f64>, none: Calibration| {
                if calibrated {
                    Calibration::fit(o.calibration, &raw, &held_y)
                } else {
                    Ok(none)
                }
            };
            if o.kind == ModelKind::Gbm {
                let booster = crate::gbm::fit(&cols, &set.target, &fit_rows, &held, &o.gbm)?;
                let raw = raw_of(&|i| booster.margin(|f| cols[f][i]));
                // Without calibration the margin goes through the logistic function.
                let calibration = calibrate(raw, Calibration::Platt { a: 1.0, b: 0.0 })?;
                Estimator::Gbm(TreeModel {
                    encodings,
                    model: booster,
                    calibration,
                })
            } else {
                let forest = crate::forest::fit(&cols, &set.target, &fit_rows, &o.forest, o.seed)?;
                let raw = raw_of(&|i| forest.vote(|f| cols[f][i]));
                let calibration = calibrate(raw, Calibration::None)?;
                Estimator::Forest(TreeModel {
                    encodings,
                    model: forest,
                    calibration,
                })
            }
        }
    })
}

impl Estimator {
    /// PD of every row (`columns` in model order, kinds checked).
    pub fn pd(&self, columns: &[&ColumnData]) -> Vec<f64> {
        match self {
            Self::Scorecard(s) => s.pd(columns),
            Self::Logistic(m) => m.pd(columns),
            Self::Gbm(t) => {
                let cols = tree_columns(&t.encodings, columns);
                let rows = columns.first().map_or(0, |c| c.len());
                (0..rows)
                    .into_par_iter()
                    .with_min_len(1024)
                    .map(|i| t.calibration.apply(t.model.margin(|f| cols[f][i])))
                    .collect()
            }
            Self::Forest(t) => {
                let cols = tree_columns(&t.encodings, columns);
                let rows = columns.first().map_or(0, |c| c.len());
                (0..rows)
                    .into_par_iter()
                    .with_min_len(1024)
                    .map(|i| t.calibration.apply(t.model.vote(|f| cols[f][i])))
                    .collect()
            }
        }
    }
}

fn summarise(per_fold: Vec<Metrics>, folds: usize, seed: u64, oof: &[f64], y: &[u8]) -> CvReport {
    let get = |f: fn(&Metrics) -> f64| MeanStd::of(&per_fold.iter().map(f).collect::<Vec<_>>());
    CvReport {
        folds,
        seed,
        auc: get(|m| m.auc),
        ks: get(|m| m.ks),
        gini: get(|m| m.gini),
        brier: get(|m| m.brier),
        log_loss: get(|m| m.log_loss),
        per_fold,
        calibration: calibration_table(oof, y, 10),
    }
}

/// Stratified k-fold cross-validation of `options` on `set`.
pub fn cross_validate(set: &TrainingSet, o: &TrainOptions) -> Result<CvReport, ModelError> {
    let fold = stratified_folds(&set.target, o.folds, o.seed)?;
    let mut oof = vec![0.0; set.rows()];
    let mut per_fold = Vec::with_capacity(o.folds);
    for k in 0..o.folds {
        let train: Vec<usize> = (0..set.rows()).filter(|&i| fold[i] != k).collect();
        let test: Vec<usize> = (0..set.rows()).filter(|&i| fold[i] == k).collect();
        let est = fit_estimator(&set.take(&train), o)?;
        let test_set = set.take(&test);
        let refs: Vec<&ColumnData> = test_set.table.columns.iter().map(|c| &c.data).collect();
        let pd = est.pd(&refs);
        per_fold.push(evaluate(&pd, &test_set.target));
        for (&i, p) in test.iter().zip(pd) {
            oof[i] = p;
        }
    }
    Ok(summarise(per_fold, o.folds, o.seed, &oof, &set.target))
}

impl PdModel {
    /// Cross-validates (when `options.folds > 0`), then fits on all of `set`.
    pub fn train(
        set: &TrainingSet,
        options: &TrainOptions,
        name: &str,
        version: &str,
        data: &str,
        data_sha256: &str,
        command: &str,
    ) -> Result<Self, ModelError> {
        let cv = if options.folds > 0 {
            Some(cross_validate(set, options)?)
        } else {
            None
        };
        let estimator = fit_estimator(set, options)?;
        let refs: Vec<&ColumnData> = set.table.columns.iter().map(|c| &c.data).collect();
        let in_sample_pd = estimator.pd(&refs);
        let in_sample = evaluate(&in_sample_pd, &set.target);
        Ok(Self {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            name: name.into(),
            version: version.into(),
            kind: options.kind,
            features: set.table.specs(),
            estimator,
            training: TrainingRecord {
                data: data.into(),
                data_sha256: data_sha256.into(),
                rows: set.rows(),
                positive_rate: set.positive_rate(),
                target: set.target_name.clone(),
                command: command.into(),
                options: options.clone(),
            },
            cv,
            in_sample,
            pd_reference: PsiReference::fit(&in_sample_pd, 10),
            validation: None,
        })
    }

    /// The model's id: `name@version`.
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// PD of every row of `table` (which must hold the model's columns with their kinds).
    pub fn pd(&self, table: &FeatureTable) -> Result<Vec<f64>, ModelError> {
        let columns = table.resolve(&self.features)?;
        Ok(self.estimator.pd(&columns))
    }

    /// PD, score and the `top` reasons of every row.
    pub fn explain(&self, table: &FeatureTable, top: usize) -> Result<Vec<Explained>, ModelError> {
        let columns = table.resolve(&self.features)?;
        let names: Vec<String> = self.features.iter().map(|f| f.name.clone()).collect();
        let rows = table.rows();
        // Each kind computes its intermediate (bins, terms, encoded columns) once and derives
        // both the PD and the reasons from it.
        Ok(match &self.estimator {
            Estimator::Scorecard(s) => {
                let bins = s.bins(&columns);
                let pd = s.pd_of_bins(&bins);
                s.explain_rows(&bins, top)
                    .into_iter()
                    .zip(pd)
                    .map(|((score, reasons), pd)| Explained {
                        pd,
                        score: Some(score),
                        reasons,
                    })
                    .collect()
            }
            Estimator::Logistic(m) => m
                .explain(&columns, &names, top)
                .into_iter()
                .map(|(pd, reasons)| Explained {
                    pd,
                    score: None,
                    reasons,
                })
                .collect(),
            Estimator::Gbm(t) => {
                let cols = tree_columns(&t.encodings, &columns);
                (0..rows)
                    .into_par_iter()
                    .with_min_len(1024)
                    .map(|i| {
                        let mut push = vec![0.0; names.len()];
                        for tree in &t.model.trees {
                            tree.attribute(|f| cols[f][i], &mut push);
                        }
                        Explained {
                            pd: t.calibration.apply(t.model.margin(|f| cols[f][i])),
                            score: None,
                            reasons: top_reasons(&push, &names, &columns, i, top),
                        }
                    })
                    .collect()
            }
            Estimator::Forest(t) => {
                let cols = tree_columns(&t.encodings, &columns);
                let trees = t.model.trees.len().max(1) as f64;
                (0..rows)
                    .into_par_iter()
                    .with_min_len(1024)
                    .map(|i| {
                        // Missing values go where the forest sends them: the training median.
                        let x = |f: usize| {
                            let v = cols[f][i];
                            if v.is_nan() { t.model.medians[f] } else { v }
                        };
                        let mut push = vec![0.0; names.len()];
                        for tree in &t.model.trees {
                            tree.attribute(x, &mut push);
                        }
                        push.iter_mut().for_each(|v| *v /= trees);
                        Explained {
                            pd: t.calibration.apply(t.model.vote(|f| cols[f][i])),
                            score: None,
                            reasons: top_reasons(&push, &names, &columns, i, top),
                        }
                    })
                    .collect()
            }
        })
    }

    /// Population stability index of a sample's PDs against the training PDs (below 0.1:
    /// stable; 0.1 to 0.25: watch; above 0.25: the population has shifted).
    pub fn psi(&self, pd: &[f64]) -> f64 {
        self.pd_reference.psi(pd)
    }

    /// Writes the artifact as pretty JSON.
    pub fn to_json(&self) -> Result<String, ModelError> {
        serde_json::to_string_pretty(self).map_err(|e| ModelError::Artifact(e.to_string()))
    }

    /// Reads an artifact, checking the format name and version.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        #[derive(Deserialize)]
        struct Header {
            format: String,
            format_version: u32,
        }
        let header: Header = serde_json::from_str(text)
            .map_err(|e| ModelError::Artifact(format!("not a finrisk model artifact: {e}")))?;
        if header.format != FORMAT {
            return Err(ModelError::Artifact(format!(
                "format is {:?}, expected {FORMAT:?}",
                header.format
            )));
        }
        if header.format_version != FORMAT_VERSION {
            return Err(ModelError::Artifact(format!(
                "format_version {} is not supported (this build reads {FORMAT_VERSION})",
                header.format_version
            )));
        }
        serde_json::from_str(text).map_err(|e| ModelError::Artifact(e.to_string()))
    }

    /// The shipped default PD model (LendingClub 2007-2011 on the engine's grant columns).
    pub fn default_pd() -> Result<Self, ModelError> {
        Self::from_json(DEFAULT_PD_JSON)
    }
}

/// The default PD model's artifact, embedded.
pub const DEFAULT_PD_JSON: &str = include_str!("../artifacts/pd_lending_club_grants_v1.json");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{Selection, training_set};
    use finrisk_datasets::{RealDataset, load_model_table};

    fn german() -> TrainingSet {
        let table = load_model_table(RealDataset::GermanCredit, None).unwrap();
        training_set(&table.frame, "target", &Selection::default()).unwrap()
    }

    fn small_options(kind: ModelKind) -> TrainOptions {
        let mut o = TrainOptions::new(kind);
        o.folds = 3;
        o.forest.trees = 15;
        o.gbm.rounds = 60;
        o
    }

    #[test]
    fn every_kind_reloads_and_scores_bit_for_bit() {
        let set = german();
        for kind in ModelKind::ALL {
            let o = small_options(kind);
            let model = PdModel::train(&set, &o, "german", "1", "test", "0", "test").unwrap();
            let cv = model.cv.as_ref().unwrap();
            assert!(cv.auc.mean > 0.7, "{kind:?}: cv auc {}", cv.auc.mean);
            let json = model.to_json().unwrap();
            let back = PdModel::from_json(&json).unwrap();
            assert_eq!(back, model, "{kind:?}: the artifact changed on reload");
            let before = model.pd(&set.table).unwrap();
            let after = back.pd(&set.table).unwrap();
            let same = before
                .iter()
                .zip(&after)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{kind:?}: PDs differ after reload");
            assert_eq!(back.psi(&after), 0.0, "{kind:?}: PSI of the training PDs");
            let shifted: Vec<f64> = after.iter().map(|p| (p * 2.0).min(1.0)).collect();
            assert!(
                back.psi(&shifted) > 0.25,
                "{kind:?}: a shifted sample is stable?"
            );
            let explained = back.explain(&set.table, 3).unwrap();
            assert!(
                explained
                    .iter()
                    .zip(&before)
                    .all(|(e, p)| e.pd.to_bits() == p.to_bits())
            );
            assert!(
                explained.iter().any(|e| !e.reasons.is_empty()),
                "{kind:?}: no reasons"
            );
        }
    }

    #[test]
    fn scorecard_points_and_reasons_follow_the_scaling() {
        let set = german();
        let o = TrainOptions {
            folds: 0,
            ..TrainOptions::new(ModelKind::Scorecard)
        };
        let model = PdModel::train(&set, &o, "g", "1", "t", "0", "t").unwrap();
        let Estimator::Scorecard(card) = &model.estimator else {
            panic!("scorecard")
        };
        let explained = model.explain(&set.table, 3).unwrap();
        let factor = 20.0 / std::f64::consts::LN_2;
        let offset = 600.0 - factor * 50.0f64.ln();
        for e in explained.iter().take(50) {
            // score = offset + factor * ln(odds good) = offset - factor * logit(pd)
            let logit = (e.pd / (1.0 - e.pd)).ln();
            let score = e.score.unwrap();
            assert!((score - (offset - factor * logit)).abs() < 1e-6, "{score}");
            assert!(e.reasons.len() <= 3);
            assert!(e.reasons.windows(2).all(|w| w[0].impact >= w[1].impact));
        }
        assert!(
            card.excluded
                .iter()
                .all(|n| model.features.iter().any(|f| &f.name == n))
        );
    }

    #[test]
    fn the_shipped_default_is_what_its_command_trains() {
        let shipped = PdModel::default_pd().unwrap();
        assert_eq!(shipped.kind, ModelKind::Scorecard);
        let table = load_model_table(RealDataset::LendingClubGrants, None).unwrap();
        let set = training_set(&table.frame, "target", &Selection::default()).unwrap();
        let names: Vec<&str> = shipped.features.iter().map(|f| f.name.as_str()).collect();
        let expected: Vec<&str> = RealDataset::LendingClubGrants
            .features()
            .iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(names, expected);
        // Retrain with the shipped options (folds included): the fit, the in-sample and the
        // cross-validated figures are recomputed here, not read back from the artifact.
        let again =
            PdModel::train(&set, &shipped.training.options, "x", "1", "x", "x", "x").unwrap();
        assert_eq!(again.estimator, shipped.estimator);
        assert_eq!(again.in_sample, shipped.in_sample);
        assert_eq!(
            again.cv, shipped.cv,
            "the stored CV figures are stale: retrain"
        );
        let cv = again.cv.as_ref().unwrap();
        assert!(cv.auc.mean > 0.68, "{}", cv.auc.mean);
    }

    #[test]
    fn artifacts_of_another_format_or_version_are_refused() {
        let shipped = PdModel::default_pd().unwrap();
        let mut v: serde_json::Value = serde_json::from_str(DEFAULT_PD_JSON).unwrap();
        v["format_version"] = serde_json::json!(99);
        let err = PdModel::from_json(&v.to_string()).unwrap_err();
        assert!(err.to_string().contains("format_version 99"), "{err}");
        v["format"] = serde_json::json!("other");
        assert!(PdModel::from_json(&v.to_string()).is_err());
        assert!(PdModel::from_json("[]").is_err());
        // A table without a model column is refused with the column's name.
        let table = FeatureTable::new(vec![crate::table::FeatureColumn {
            name: "apr".into(),
            data: ColumnData::Numeric(vec![0.1]),
        }])
        .unwrap();
        let err = shipped.pd(&table).unwrap_err();
        assert!(matches!(err, ModelError::Input { field, .. } if field == "monthly_income_minor"));
    }
}
