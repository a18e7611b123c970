//! PD model scoring of grant batches: loads the model a `--pd-model` option names, builds the
//! model's inputs from the engine's grant columns, scores them, and hands the PDs and reasons
//! to the engine (RC-HIGH-PD) as a [`GrantPds`].

use crate::table::FeatureKind;
use crate::{ColumnData, FeatureColumn, FeatureTable, ModelError, PdModel};
use finrisk_engine::domain::grant::GrantBatch;
use finrisk_engine::pd::{GrantPds, PdReason};

/// Reasons kept per grant (the engine's, which the batch writes as columns).
pub use finrisk_engine::pd::TOP_REASONS;

fn numbers<T: Copy>(v: &[Option<T>], f: impl Fn(T) -> f64) -> Vec<f64> {
    v.iter().map(|x| x.map_or(f64::NAN, &f)).collect()
}

/// The grant column called `name` as model input, if the engine knows it as an input.
pub fn grant_column(b: &GrantBatch, name: &str) -> Option<ColumnData> {
    let flag = |x: bool| f64::from(u8::from(x));
    Some(match name {
        "principal_minor" => {
            ColumnData::Numeric(b.principal_minor.iter().map(|&v| v as f64).collect())
        }
        "term_months" => ColumnData::Numeric(b.term_months.iter().map(|&v| f64::from(v)).collect()),
        "apr" => ColumnData::Numeric(b.apr.clone()),
        "borrower_age" => ColumnData::Numeric(numbers(&b.borrower_age, f64::from)),
        "monthly_income_minor" => {
            ColumnData::Numeric(numbers(&b.monthly_income_minor, |v| v as f64))
        }
        "income_verified" => ColumnData::Numeric(numbers(&b.income_verified, flag)),
        "is_student" => ColumnData::Numeric(numbers(&b.is_student, flag)),
        "dti" => ColumnData::Numeric(numbers(&b.dti, |v| v)),
        "active_lenders" => ColumnData::Numeric(numbers(&b.active_lenders, f64::from)),
        "inquiries_30d" => ColumnData::Numeric(numbers(&b.inquiries_30d, f64::from)),
        "inquiries_6m" => ColumnData::Numeric(numbers(&b.inquiries_6m, f64::from)),
        "open_lines" => ColumnData::Numeric(numbers(&b.open_lines, f64::from)),
        "delinquencies_2y" => ColumnData::Numeric(numbers(&b.delinquencies_2y, f64::from)),
        "revolving_utilization" => ColumnData::Numeric(numbers(&b.revolving_utilization, |v| v)),
        "line_increased" => ColumnData::Numeric(numbers(&b.line_increased, flag)),
        "dpd_at_grant" => ColumnData::Numeric(numbers(&b.dpd_at_grant, f64::from)),
        "institution_id" => ColumnData::categorical(b.institution_id.iter().map(Some)),
        "product_id" => ColumnData::categorical(b.product_id.iter().map(Some)),
        _ => return None,
    })
}

/// The model a `--pd-model` (or `--model`) option names: `default` (the embedded model) or the
/// path of an artifact file. Errors name the file.
pub fn load_model(spec: &str) -> Result<PdModel, ModelError> {
    if spec == "default" {
        return PdModel::default_pd();
    }
    let text = std::fs::read_to_string(spec)
        .map_err(|e| ModelError::Artifact(format!("cannot read {spec}: {e}")))?;
    PdModel::from_json(&text).map_err(|e| match e {
        ModelError::Artifact(reason) => ModelError::Artifact(format!("{spec}: {reason}")),
        other => ModelError::Artifact(format!("{spec}: {other}")),
    })
}

/// The PDs of `batch` under the model `spec` names ([`load_model`]), or none for `none`.
pub fn pds_for(spec: &str, batch: &GrantBatch) -> Result<Option<GrantPds>, ModelError> {
    if spec == "none" {
        return Ok(None);
    }
    grant_pds(&load_model(spec)?, batch, None).map(Some)
}

/// Which numeric inputs of `model` have a value in some row of `batch` (one flag per model
/// feature; categorical inputs always count as present). A streamed batch ORs these over its
/// chunks to know the inputs absent from the whole input.
pub fn present_inputs(model: &PdModel, batch: &GrantBatch) -> Vec<bool> {
    model
        .features
        .iter()
        .map(|spec| match grant_column(batch, &spec.name) {
            Some(ColumnData::Numeric(v)) => v.iter().any(|x| !x.is_nan()),
            _ => true,
        })
        .collect()
}

/// PDs, scores and reasons of every grant of `batch` under `model`. A model input absent from
/// the input (`absent`, or when `None`, missing in every row of `batch`) is scored as missing
/// and listed in `absent_inputs`; a model that reads a column the grants table does not define
/// (or an outcome) is refused.
pub fn grant_pds(
    model: &PdModel,
    batch: &GrantBatch,
    absent_in_input: Option<&[String]>,
) -> Result<GrantPds, ModelError> {
    let mut columns = Vec::with_capacity(model.features.len());
    let mut absent = Vec::new();
    for spec in &model.features {
        let data = grant_column(batch, &spec.name).ok_or_else(|| ModelError::Input {
            field: spec.name.clone(),
            reason: format!(
                "model {} reads this column, which is not a grant input column (SPEC section 4)",
                model.id()
            ),
        })?;
        if data.kind() != spec.kind {
            return Err(ModelError::Input {
                field: spec.name.clone(),
                reason: format!("model {} reads it as {:?}", model.id(), spec.kind),
            });
        }
        let is_absent = match absent_in_input {
            Some(list) => list.contains(&spec.name),
            None => {
                spec.kind == FeatureKind::Numeric
                    && !batch.is_empty()
                    && matches!(&data, ColumnData::Numeric(v) if v.iter().all(|x| x.is_nan()))
            }
        };
        if is_absent {
            absent.push(spec.name.clone());
        }
        columns.push(FeatureColumn {
            name: spec.name.clone(),
            data,
        });
    }
    let table = FeatureTable::new(columns)?;
    let explained = model.explain(&table, TOP_REASONS)?;
    let mut pds = GrantPds {
        validation: model.validation.clone(),
        model: model.id(),
        pd: Vec::with_capacity(explained.len()),
        score: Vec::with_capacity(explained.len()),
        reasons: Vec::with_capacity(explained.len()),
        absent_inputs: absent,
    };
    for e in explained {
        pds.pd.push(e.pd);
        pds.score.push(e.score);
        pds.reasons.push(
            e.reasons
                .into_iter()
                .map(|r| PdReason {
                    feature: r.feature,
                    bin: r.bin,
                    impact: r.impact,
                })
                .collect(),
        );
    }
    Ok(pds)
}
