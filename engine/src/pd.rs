//! Model probabilities of default of a batch's grants, computed outside the engine (by the
//! `finrisk-models` PD model the caller chose) and handed in for RC-HIGH-PD.
//!
//! The engine does not train or run models: it compares each PD with the ruleset's threshold
//! and reports the PD, the model and its top reasons as the finding's evidence.

use serde::Serialize;
use std::sync::Arc;

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

impl GrantPds {
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

    /// The same evidence as JSON text, written straight from the columns (the batch path).
    pub fn evidence_json(&self, i: usize) -> String {
        serde_json::to_string(&self.row(i)).unwrap_or_default()
    }
}
