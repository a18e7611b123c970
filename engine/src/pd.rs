//! Model probabilities of default of a batch's grants, computed outside the engine (by the
//! `finrisk-models` PD model the caller chose) and handed in for RC-HIGH-PD.
//!
//! The engine does not train or run models: it compares each PD with the ruleset's threshold
//! and reports the PD, the model and its top reasons as the finding's evidence.

use serde::Serialize;

/// A characteristic that raised a grant's PD.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PdReason {
    /// Input column.
    pub feature: String,
    /// The grant's bin or value.
    pub bin: String,
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

impl GrantPds {
    /// The evidence of row `i`: PD, score, model, reasons and absent inputs.
    pub fn evidence(&self, i: usize) -> serde_json::Value {
        let mut v = serde_json::json!({
            "pd": self.pd[i],
            "model": self.model,
            "reasons": self.reasons[i],
        });
        if let Some(s) = self.score[i] {
            v["score"] = serde_json::json!(s);
        }
        if !self.absent_inputs.is_empty() {
            v["absent_inputs"] = serde_json::json!(self.absent_inputs);
        }
        v
    }
}
