//! Model probabilities of default of a batch's grants, computed outside the engine (by the
//! `finrisk-models` PD model the caller chose) and handed in for RC-HIGH-PD.
//!
//! The engine does not train or run models: it compares each PD with the ruleset's threshold
//! and reports the PD, the model and its top reasons as the finding's evidence.

use crate::ruleset::Ruleset;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where a PD model was validated: the jurisdiction, currency and population of the data its
/// quality figures come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelValidation {
    /// Jurisdiction code of the validation data (`US`, `CN`, `TW`, ...).
    pub jurisdiction: String,
    /// Currency of the validation data's amounts (`USD`, `CNY`, ...).
    pub currency: String,
    /// The population validated on (lender, product, years).
    pub population: String,
}

/// How many reasons (the characteristics that raised the PD most) a grant's PD comes with:
/// the batch writes one set of reason columns for each.
pub const TOP_REASONS: usize = 3;

/// A characteristic that raised a grant's PD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdReason {
    /// Input column (shared by every grant's reasons).
    pub feature: Arc<str>,
    /// The grant's bin or value (shared by the grants in the same bin).
    pub bin: Arc<str>,
    /// Scorecard points lost against the characteristic's best bin (or, for other models, the
    /// push on the log-odds of default).
    pub impact: f64,
}

/// PDs of every grant of a batch, in row order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantPds {
    /// The model's id (`name@version`).
    pub model: String,
    /// PD per row.
    pub pd: Vec<f64>,
    /// Scorecard score per row (scorecards only).
    pub score: Vec<Option<f64>>,
    /// Top reasons per row.
    pub reasons: Vec<Vec<PdReason>>,
    /// Model inputs the table did not have (scored as missing for every row).
    pub absent_inputs: Vec<String>,
    /// Where the model was validated (`None`: nowhere stated).
    pub validation: Option<ModelValidation>,
}

/// The evidence of one row, borrowed from the columns.
#[derive(Serialize)]
struct RowEvidence<'a> {
    pd: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    model: &'a str,
    reasons: &'a [PdReason],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    absent_inputs: &'a [String],
}

/// The evidence of RC-HIGH-PD for one row, borrowed from the columns: the row's PD evidence
/// with the threshold and, when the model is not validated for the data, why the finding is
/// information only. Fields in key order, and each reason's too, so that its JSON text is the
/// text of its JSON value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HighPdEvidence<'a> {
    /// Model inputs the table did not have.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub absent_inputs: &'a [String],
    /// Why the finding is information only, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_only: Option<&'a str>,
    /// The model's id.
    pub model: &'a str,
    /// The row's PD.
    pub pd: f64,
    /// The row's top reasons.
    #[serde(serialize_with = "reasons_in_key_order")]
    pub reasons: &'a [PdReason],
    /// The row's scorecard score.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The ruleset's RC-HIGH-PD threshold.
    pub threshold: f64,
}

/// Reasons printed with their keys in order (`bin`, `feature`, `impact`), as a JSON value of
/// them prints.
fn reasons_in_key_order<S: serde::Serializer>(
    reasons: &&[PdReason],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    struct InKeyOrder<'a>(&'a PdReason);
    impl Serialize for InKeyOrder<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut s = serializer.serialize_struct("PdReason", 3)?;
            s.serialize_field("bin", &*self.0.bin)?;
            s.serialize_field("feature", &*self.0.feature)?;
            s.serialize_field("impact", &self.0.impact)?;
            s.end()
        }
    }
    serializer.collect_seq(reasons.iter().map(InKeyOrder))
}

impl GrantPds {
    /// Why the model's findings are information only on data scored under `ruleset` (whose
    /// currency is `currency`, when known), or `None` when the model is validated for that
    /// data: its validation names the ruleset's jurisdiction (and the data's currency), or the
    /// ruleset lists the model under `validated_models` of `code`.
    pub fn information_only_reason(
        &self,
        ruleset: &Ruleset,
        code: &str,
        currency: Option<&str>,
    ) -> Option<String> {
        if ruleset
            .codes
            .get(code)
            .is_some_and(|rule| rule.validated_models.contains(&self.model))
        {
            return None;
        }
        let here = ruleset.jurisdiction.as_str();
        match &self.validation {
            None => Some(format!(
                "model {} states no validation; {code} is information only on {here} data unless the ruleset lists the model under validated_models",
                self.model
            )),
            Some(v) if v.jurisdiction != here => Some(format!(
                "model {} was validated on {} ({}, {}), not on {here} data: information only unless the {here} ruleset lists it under validated_models",
                self.model, v.population, v.jurisdiction, v.currency
            )),
            Some(v) if currency.is_some_and(|c| c != v.currency) => Some(format!(
                "model {} was validated on amounts in {}, not {}: information only unless the ruleset lists it under validated_models",
                self.model,
                v.currency,
                currency.unwrap_or_default()
            )),
            Some(_) => None,
        }
    }

    fn row(&self, i: usize) -> RowEvidence<'_> {
        RowEvidence {
            pd: self.pd[i],
            score: self.score.get(i).copied().flatten(),
            model: &self.model,
            reasons: self.reasons.get(i).map_or(&[], Vec::as_slice),
            absent_inputs: &self.absent_inputs,
        }
    }

    /// The evidence of row `i`: PD, score, model, reasons and absent inputs.
    pub fn evidence(&self, i: usize) -> serde_json::Value {
        serde_json::to_value(self.row(i)).unwrap_or(serde_json::Value::Null)
    }

    /// The evidence of RC-HIGH-PD for row `i` against `threshold`, with `information_only`
    /// when the finding is information only.
    pub fn high_pd_evidence<'a>(
        &'a self,
        i: usize,
        threshold: f64,
        information_only: Option<&'a str>,
    ) -> HighPdEvidence<'a> {
        let row = self.row(i);
        HighPdEvidence {
            absent_inputs: row.absent_inputs,
            information_only,
            model: row.model,
            pd: row.pd,
            reasons: row.reasons,
            score: row.score,
            threshold,
        }
    }
}
