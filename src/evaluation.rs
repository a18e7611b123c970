//! Evaluation of findings against labels: the planted codes of generated data (or codes a
//! reviewer assigned), per code precision and recall. Used by `batch --truth` and `report
//! --truth`.

use crate::failure::bad_input;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Precision and recall of every code against a truth table (`grant_id`, `codes`).
pub(crate) struct TruthAccumulator {
    file: String,
    truth: HashMap<String, Vec<String>>,
    /// Per code: (planted, flagged, both).
    counts: BTreeMap<String, (usize, usize, usize)>,
    matched: usize,
    without_truth: usize,
    /// AUC of the weak-risk-control, duplicate-credit and overall scores against "a code of the
    /// dimension (any code, for overall) was planted".
    dimension_auc: [finrisk_models::metrics::AucCounter; 3],
}

/// The scores [`TruthAccumulator::add`] evaluates, with the code prefix of their dimension.
pub(crate) const LABELLED_SCORES: [(&str, &str); 3] = [
    ("weak_risk_control", "RC-"),
    ("duplicate_credit", "DC-"),
    ("overall", ""),
];

impl TruthAccumulator {
    /// Reads a truth table (CSV or Parquet with `grant_id` and `;`-joined `codes`).
    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        let frame = finrisk_datasets::read_table(path)?;
        let text_column = |name: &str| -> anyhow::Result<Vec<Option<String>>> {
            let column = frame.column(name).map_err(|_| {
                bad_input(format!("truth: {} has no `{name}` column", path.display()))
            })?;
            let cast = column
                .cast(&polars::prelude::DataType::String)
                .map_err(|e| bad_input(format!("truth: {name}: {e}")))?;
            let ca = cast
                .str()
                .map_err(|e| bad_input(format!("truth: {name}: {e}")))?;
            Ok(ca.iter().map(|v| v.map(str::to_string)).collect())
        };
        let ids = text_column("grant_id")?;
        let codes = text_column("codes")?;
        let mut truth: HashMap<String, Vec<String>> = HashMap::with_capacity(ids.len());
        for (row, (id, codes)) in ids.into_iter().zip(codes).enumerate() {
            let id =
                id.ok_or_else(|| bad_input(format!("truth: row {}: grant_id is empty", row + 1)))?;
            let list = codes
                .unwrap_or_default()
                .split(';')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            truth.insert(id, list);
        }
        Ok(Self {
            file: path.display().to_string(),
            truth,
            counts: BTreeMap::new(),
            matched: 0,
            without_truth: 0,
            dimension_auc: Default::default(),
        })
    }

    /// Counts one assessed row: its id, its `;`-joined findings and its scores in
    /// [`LABELLED_SCORES`] order.
    pub(crate) fn add(&mut self, grant_id: &str, findings: &str, scores: [f64; 3]) {
        let Some(planted) = self.truth.get(grant_id) else {
            self.without_truth += 1;
            return;
        };
        self.matched += 1;
        for ((counter, (_, prefix)), score) in self
            .dimension_auc
            .iter_mut()
            .zip(LABELLED_SCORES)
            .zip(scores)
        {
            counter.add(score, planted.iter().any(|c| c.starts_with(prefix)));
        }
        let found: Vec<&str> = findings.split(';').filter(|c| !c.is_empty()).collect();
        for code in planted {
            let e = self.counts.entry(code.clone()).or_default();
            e.0 += 1;
            if found.contains(&code.as_str()) {
                e.2 += 1;
            }
        }
        for code in &found {
            self.counts.entry((*code).to_string()).or_default().1 += 1;
        }
    }

    /// Per code: planted, flagged, both, precision and recall; and the row counts.
    pub(crate) fn finish(self) -> Value {
        let ratio = |n: usize, d: usize| (d > 0).then(|| n as f64 / d as f64);
        let per_code: serde_json::Map<String, Value> = self
            .counts
            .into_iter()
            .map(|(code, (planted, flagged, both))| {
                (
                    code,
                    json!({
                        "planted": planted,
                        "flagged": flagged,
                        "flagged_and_planted": both,
                        "precision": ratio(both, flagged),
                        "recall": ratio(both, planted),
                    }),
                )
            })
            .collect();
        json!({
            "file": self.file,
            "rows_matched": self.matched,
            "rows_without_truth": self.without_truth,
            "truth_rows_not_assessed": self.truth.len().saturating_sub(self.matched),
            "codes": per_code,
            "dimension_auc": LABELLED_SCORES
                .iter()
                .zip(&self.dimension_auc)
                .map(|((name, _), counter)| ((*name).to_string(), json!(counter.auc())))
                .collect::<serde_json::Map<String, Value>>(),
        })
    }
}
