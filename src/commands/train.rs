//! `finrisk train` and `finrisk eval`: PD models on any CSV/Parquet table or a shipped dataset.

use crate::cli::{CompareModelsArgs, DataArgs, EvalArgs, TrainArgs};
use crate::failure::bad_input;
use finrisk_datasets::{
    PeriodFilter, PeriodSelection, RealDataset, dataset_column, load_model_table, read_table,
};
use finrisk_models::binning::BinningParams;
use finrisk_models::calibration::CalibrationMethod;
use finrisk_models::frame::{Selection, feature_table, target_values, training_set};
use finrisk_models::pd::Validation;
use finrisk_models::scorecard::Scaling;
use finrisk_models::{ModelKind, PdModel, TrainOptions, TrainingSet};
use polars::prelude::DataFrame;
use serde_json::json;
use std::path::PathBuf;

/// The loaded data: frame, target column, where it came from, and the period it was cut to.
struct Loaded {
    frame: DataFrame,
    target: String,
    label: String,
    path: PathBuf,
    period: Option<PeriodSelection>,
}

fn load(args: &DataArgs) -> anyhow::Result<Loaded> {
    let loaded = load_all_rows(args)?;
    match &args.period_column {
        Some(column) => cut_to_period(args, column, loaded),
        None => Ok(loaded),
    }
}

/// Keeps the rows of `loaded` in the period `[--from, --before)` of `column` (taken out of the
/// frame, or read from the shipped dataset's file), recording the counts; an empty period is
/// bad input naming the bounds.
fn cut_to_period(args: &DataArgs, column: &str, mut loaded: Loaded) -> anyhow::Result<Loaded> {
    let filter = PeriodFilter {
        column: column.to_string(),
        from: args.period_from.clone(),
        before: args.period_before.clone(),
    };
    let values = match args.dataset.as_deref().and_then(RealDataset::parse) {
        Some(dataset) => dataset_column(dataset, None, column)?,
        None => {
            let values = loaded.frame.column(column).cloned().map_err(|_| {
                bad_input(format!(
                    "period-column: column `{column}` is not in {}",
                    loaded.label
                ))
            })?;
            loaded.frame = loaded.frame.drop(column)?;
            values
        }
    };
    if values.len() != loaded.frame.height() {
        return Err(bad_input(format!(
            "period-column: `{column}` has {} rows, the data {}",
            values.len(),
            loaded.frame.height()
        )));
    }
    let selection = filter.select(&values)?;
    if selection.rows_in_period == 0 {
        return Err(bad_input(format!(
            "from/before: no row of {} has `{column}` in [{}, {}) ({} outside, {} missing)",
            loaded.label,
            filter.from.as_deref().unwrap_or("-inf"),
            filter.before.as_deref().unwrap_or("+inf"),
            selection.rows_outside,
            selection.rows_missing_period
        )));
    }
    let mask: polars::prelude::BooleanChunked = selection.keep.iter().copied().collect();
    loaded.frame = loaded.frame.filter(&mask)?;
    loaded.label = format!(
        "{}, {column} in [{}, {})",
        loaded.label,
        filter.from.as_deref().unwrap_or("-inf"),
        filter.before.as_deref().unwrap_or("+inf")
    );
    loaded.period = Some(selection);
    Ok(loaded)
}

/// Every row of `--data` or `--dataset`.
fn load_all_rows(args: &DataArgs) -> anyhow::Result<Loaded> {
    if let Some(name) = &args.dataset {
        let dataset = RealDataset::parse(name).ok_or_else(|| {
            let names: Vec<&str> = RealDataset::ALL.iter().map(|d| d.name()).collect();
            bad_input(format!(
                "dataset: unknown dataset `{name}`, expected one of {}",
                names.join(", ")
            ))
        })?;
        let table = load_model_table(dataset, None)?;
        return Ok(Loaded {
            frame: table.frame,
            target: "target".into(),
            label: format!("dataset {}", dataset.name()),
            path: dataset.default_path(),
            period: None,
        });
    }
    let path = args
        .data
        .clone()
        .ok_or_else(|| bad_input("data: give --data PATH or --dataset NAME"))?;
    let target = args
        .target
        .clone()
        .ok_or_else(|| bad_input("target: --target COL is required with --data"))?;
    Ok(Loaded {
        frame: read_table(&path)?,
        target,
        label: path.display().to_string(),
        path,
        period: None,
    })
}

fn selection(args: &DataArgs) -> Selection {
    Selection {
        features: args.features.clone(),
        exclude: args.exclude.clone(),
    }
}

fn specials(values: &[String]) -> anyhow::Result<Vec<(String, Vec<f64>)>> {
    values
        .iter()
        .map(|s| {
            let (col, vals) = s
                .split_once('=')
                .ok_or_else(|| bad_input(format!("special: `{s}` is not COL=V1,V2")))?;
            let vals = vals
                .split(',')
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .map_err(|_| bad_input(format!("special: `{v}` in `{s}` is not a number")))
                })
                .collect::<anyhow::Result<Vec<f64>>>()?;
            Ok((col.to_string(), vals))
        })
        .collect()
}

fn options(args: &TrainArgs) -> anyhow::Result<TrainOptions> {
    let kind = ModelKind::parse(&args.model).ok_or_else(|| {
        bad_input(format!(
            "model: unknown model `{}`, expected scorecard, logistic, gbm or forest",
            args.model
        ))
    })?;
    let calibration = match args.calibration.as_str() {
        "platt" => CalibrationMethod::Platt,
        "isotonic" => CalibrationMethod::Isotonic,
        "none" => CalibrationMethod::None,
        other => {
            return Err(bad_input(format!(
                "calibration: unknown method `{other}`, expected platt, isotonic or none"
            )));
        }
    };
    if args.folds == 1 {
        return Err(bad_input(
            "folds: 1 fold cannot cross-validate; use 0 (none) or 2 and more",
        ));
    }
    for (field, v) in [("pdo", args.pdo), ("base-odds", args.base_odds)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(bad_input(format!(
                "{field}: must be a positive number, got {v}"
            )));
        }
    }
    if !args.base_score.is_finite() {
        return Err(bad_input("base-score: must be a finite number"));
    }
    Ok(TrainOptions {
        folds: args.folds,
        seed: args.seed,
        calibration,
        binning: BinningParams {
            specials: specials(&args.special)?,
            ..BinningParams::default()
        },
        scaling: Scaling {
            pdo: args.pdo,
            base_score: args.base_score,
            base_odds: args.base_odds,
        },
        ..TrainOptions::new(kind)
    })
}

/// The command line that reproduces a training run.
fn command_line(args: &TrainArgs) -> String {
    let mut c = String::from("finrisk train");
    let d = &args.data;
    if let Some(p) = &d.data {
        c += &format!(" --data {}", p.display());
    }
    if let Some(t) = &d.target {
        c += &format!(" --target {t}");
    }
    if let Some(n) = &d.dataset {
        c += &format!(" --dataset {n}");
    }
    if !d.features.is_empty() {
        c += &format!(" --features {}", d.features.join(","));
    }
    if !d.exclude.is_empty() {
        c += &format!(" --exclude {}", d.exclude.join(","));
    }
    if let Some(p) = &d.period_column {
        c += &format!(" --period-column {p}");
        if let Some(f) = &d.period_from {
            c += &format!(" --from {f}");
        }
        if let Some(b) = &d.period_before {
            c += &format!(" --before {b}");
        }
    }
    c += &format!(
        " --model {} --folds {} --seed {} --calibration {}",
        args.model, args.folds, args.seed, args.calibration
    );
    for s in &args.special {
        c += &format!(" --special {s}");
    }
    if args.model == "scorecard" {
        c += &format!(
            " --pdo {} --base-score {} --base-odds {}",
            args.pdo, args.base_score, args.base_odds
        );
    }
    if let Some(n) = &args.name {
        c += &format!(" --name {n}");
    }
    if let (Some(j), Some(cur)) = (&args.validated_jurisdiction, &args.validated_currency) {
        c += &format!(" --validated-jurisdiction {j} --validated-currency {cur}");
    }
    c += &format!(" --version {} --out {}", args.version, args.out.display());
    c
}

/// The validation record of a model trained on `loaded`: the shipped dataset's own, or the
/// jurisdiction and currency the options state (the population is the data's label).
fn validation(args: &TrainArgs, loaded: &Loaded) -> anyhow::Result<Option<Validation>> {
    if let (Some(j), Some(c)) = (&args.validated_jurisdiction, &args.validated_currency) {
        for (field, value) in [("validated_jurisdiction", j), ("validated_currency", c)] {
            if value.len() != 2 && value.len() != 3
                || !value.chars().all(|ch| ch.is_ascii_uppercase())
            {
                return Err(bad_input(format!(
                    "{field}: `{value}` is not an upper-case code (CN, US, CNY, USD)"
                )));
            }
        }
        return Ok(Some(Validation {
            jurisdiction: j.clone(),
            currency: c.clone(),
            population: loaded.label.clone(),
        }));
    }
    Ok(args
        .data
        .dataset
        .as_deref()
        .and_then(RealDataset::parse)
        .map(|d| {
            let (jurisdiction, currency, population) = d.population();
            Validation {
                jurisdiction: jurisdiction.into(),
                currency: currency.into(),
                population: population.into(),
            }
        }))
}

fn mean_std(m: &finrisk_models::pd::MeanStd) -> serde_json::Value {
    json!({ "mean": m.mean, "std": m.std })
}

pub(crate) fn run(args: &TrainArgs) -> anyhow::Result<String> {
    let options = options(args)?;
    let loaded = load(&args.data)?;
    let set: TrainingSet = training_set(&loaded.frame, &loaded.target, &selection(&args.data))?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| match &args.data.dataset {
            Some(d) => d.clone(),
            None => loaded
                .path
                .file_stem()
                .map_or("model".into(), |s| s.to_string_lossy().to_string()),
        });
    let mut model = PdModel::train(
        &set,
        &options,
        &name,
        &args.version,
        &loaded.label,
        &crate::output::file_sha256(&loaded.path)?,
        &command_line(args),
    )?;
    model.validation = validation(args, &loaded)?;
    std::fs::write(&args.out, model.to_json()? + "\n")?;
    let cv = model.cv.as_ref().map(|cv| {
        json!({
            "folds": cv.folds,
            "seed": cv.seed,
            "auc": mean_std(&cv.auc),
            "ks": mean_std(&cv.ks),
            "gini": mean_std(&cv.gini),
            "brier": mean_std(&cv.brier),
            "log_loss": mean_std(&cv.log_loss),
            "per_fold_auc": cv.per_fold.iter().map(|m| m.auc).collect::<Vec<_>>(),
        })
    });
    let summary = json!({
        "artifact": args.out.display().to_string(),
        "model": model.id(),
        "kind": model.kind,
        "data": loaded.label,
        "data_sha256": model.training.data_sha256,
        "rows": set.rows(),
        "positive_rate": set.positive_rate(),
        "period": loaded.period,
        "features": model.features.len(),
        "cv": cv,
        "in_sample": model.in_sample,
    });
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}

/// Loads `--model` (a file, or `default`); a file that cannot be read or parsed is bad input
/// naming the file.
pub(crate) fn load_model(spec: &str) -> anyhow::Result<PdModel> {
    finrisk_models::grants::load_model(spec).map_err(|e| match e {
        finrisk_models::ModelError::Artifact(reason) => bad_input(format!("model: {reason}")),
        other => bad_input(format!("model: {other}")),
    })
}

/// The PDs of `batch` under the model `--pd-model` names: `default` (the embedded model), an
/// artifact file, or `none` (no scoring).
pub(crate) fn pds_for(
    spec: &str,
    batch: &finrisk_engine::domain::GrantBatch,
) -> anyhow::Result<Option<finrisk_engine::pd::GrantPds>> {
    if spec == "none" {
        return Ok(None);
    }
    finrisk_models::grants::grant_pds(&load_model(spec)?, batch, None)
        .map(Some)
        .map_err(|e| bad_input(format!("pd-model: {e}")))
}

/// The 0/1 target column of the loaded data.
fn target_of(loaded: &Loaded) -> anyhow::Result<Vec<u8>> {
    let column = loaded.frame.column(&loaded.target).map_err(|_| {
        bad_input(format!(
            "target: column `{}` is not in the data",
            loaded.target
        ))
    })?;
    Ok(target_values(column)?)
}

pub(crate) fn eval(args: &EvalArgs) -> anyhow::Result<String> {
    let model = load_model(&args.model)?;
    let loaded = load(&args.data)?;
    let target = target_of(&loaded)?;
    let names: Vec<String> = model.features.iter().map(|f| f.name.clone()).collect();
    let table = feature_table(&loaded.frame, &names)?;
    let pd = model.pd(&table)?;
    let m = finrisk_models::metrics::evaluate(&pd, &target);
    let psi_vs_compare = match &args.compare {
        Some(path) => {
            let other = feature_table(&read_table(path)?, &names)
                .map_err(|e| bad_input(format!("compare: {e}")))?;
            let other_pd = model.pd(&other)?;
            Some(finrisk_models::metrics::psi(&pd, &other_pd, 10))
        }
        None => None,
    };
    let mut summary = json!({
        "model": model.id(),
        "data": loaded.label,
        "period": loaded.period,
        "rows": m.rows,
        "positive_rate": m.positive_rate,
        "auc": m.auc,
        "ks": m.ks,
        "gini": m.gini,
        "brier": m.brier,
        "log_loss": m.log_loss,
        "mean_pd": pd.iter().sum::<f64>() / pd.len().max(1) as f64,
        "psi_vs_training": model.psi(&pd),
        "psi_vs_compare": psi_vs_compare,
        "calibration": finrisk_models::metrics::calibration_table(&pd, &target, 10),
    });
    if let Some(spec) = &args.challenger {
        let challenger = load_model(spec)?;
        summary["challenger"] =
            comparison((&args.model, &model), (spec, &challenger), &loaded, &target)?;
    }
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}

/// `finrisk compare-models`: two PD models on the same rows of one data set: each model's AUC,
/// KS and Brier score, and the difference of each with its 95% interval (AUC: DeLong; Brier:
/// paired normal; KS: paired bootstrap of 500 resamples, seed 42).
pub(crate) fn compare_models(args: &CompareModelsArgs) -> anyhow::Result<String> {
    let [spec_a, spec_b] = args.model.as_slice() else {
        return Err(bad_input(format!(
            "model: give exactly two --model options, not {}",
            args.model.len()
        )));
    };
    let (model_a, model_b) = (load_model(spec_a)?, load_model(spec_b)?);
    let loaded = load(&args.data)?;
    let target = target_of(&loaded)?;
    let mut summary = comparison((spec_a, &model_a), (spec_b, &model_b), &loaded, &target)?;
    summary["data"] = json!(loaded.label);
    summary["period"] = json!(loaded.period);
    Ok(serde_json::to_string_pretty(&summary)? + "\n")
}

/// Two models scored on the rows of `loaded`: each one's AUC, KS and Brier score, and the
/// differences (first minus second) with their 95% intervals.
fn comparison(
    (spec_a, model_a): (&str, &PdModel),
    (spec_b, model_b): (&str, &PdModel),
    loaded: &Loaded,
    target: &[u8],
) -> anyhow::Result<serde_json::Value> {
    let score = |model: &PdModel, which: &str| -> anyhow::Result<Vec<f64>> {
        let names: Vec<String> = model.features.iter().map(|f| f.name.clone()).collect();
        let table = feature_table(&loaded.frame, &names)
            .map_err(|e| bad_input(format!("model {which}: {e}")))?;
        Ok(model.pd(&table)?)
    };
    let (pd_a, pd_b) = (score(model_a, "a")?, score(model_b, "b")?);
    let (ma, mb) = (
        finrisk_models::metrics::evaluate(&pd_a, target),
        finrisk_models::metrics::evaluate(&pd_b, target),
    );
    let auc = finrisk_models::delong::auc_difference(&pd_a, &pd_b, target).ok_or_else(|| {
        bad_input("target: the data need at least two rows of each class to compare AUCs")
    })?;
    let brier = finrisk_models::delong::brier_difference(&pd_a, &pd_b, target);
    let ks = finrisk_models::delong::ks_difference(&pd_a, &pd_b, target, 500, 42);
    Ok(json!({
        "rows": ma.rows,
        "positive_rate": ma.positive_rate,
        "models": [
            {"artifact": spec_a, "model": model_a.id(), "auc": ma.auc, "ks": ma.ks, "brier": ma.brier},
            {"artifact": spec_b, "model": model_b.id(), "auc": mb.auc, "ks": mb.ks, "brier": mb.brier},
        ],
        "a_minus_b": {
            "auc": {
                "difference": auc.difference,
                "ci95": auc.ci95,
                "standard_error": auc.standard_error,
                "z": auc.z,
                "p_value": auc.p_value,
                "method": "DeLong, DeLong and Clarke-Pearson (1988), midrank algorithm of Sun and Xu (2014)",
            },
            "brier": brier.map(|[d, lo, hi]| json!({
                "difference": d, "ci95": [lo, hi], "method": "paired per-row differences, normal approximation",
            })),
            "ks": ks.map(|[d, lo, hi]| json!({
                "difference": d, "ci95": [lo, hi], "method": "paired percentile bootstrap, 500 resamples, seed 42",
            })),
        },
    }))
}
