//! Evaluation of findings against labels: the planted codes of generated data (or codes a
//! reviewer assigned), per code precision and recall. Used by `batch --truth` and `report
//! --truth`.

use crate::failure::bad_input;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

/// Precision and recall of every code against a truth table (`grant_id`, `codes`). The
/// planted codes of each grant are kept as one bit per code (the catalogue's codes, then any
/// other code the table uses), so 10 million labelled grants take about 40 bytes each.
pub(crate) struct TruthAccumulator {
    file: String,
    /// Bit `k` is `codes[k]`.
    codes: Vec<String>,
    truth: HashMap<Box<str>, u64>,
    /// Per code (by bit): planted, flagged, both.
    counts: Vec<(usize, usize, usize)>,
    matched: usize,
    without_truth: usize,
    /// AUC of the weak-risk-control, duplicate-credit and overall scores against "a code of the
    /// dimension (any code, for overall) was planted".
    dimension_auc: [finrisk_models::metrics::AucCounter; 3],
    /// When the table has `person_id`: grants of persons with one grant, and how many of them
    /// got each of [`PERSON_CODES`] where the truth does not plant it (a person with one grant
    /// can carry DC-MANY-LENDERS only from the bureau's `active_lenders`, which the truth
    /// plants; every other one comes from a false join).
    single_grant: Option<(usize, [usize; 3])>,
}

/// The codes that add up a person's grants.
const PERSON_CODES: [&str; 3] = [
    "DC-CONCURRENT-SAME-LENDER",
    "DC-EXPOSURE-INCOME",
    "DC-MANY-LENDERS",
];

/// The bit of a truth entry that says "the grant's person has one grant" (codes use the others).
const SINGLE_GRANT_PERSON: u64 = 1 << 63;

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
        let text_column = |name: &str| -> anyhow::Result<polars::prelude::Column> {
            let column = frame.column(name).map_err(|_| {
                bad_input(format!("truth: {} has no `{name}` column", path.display()))
            })?;
            column
                .cast(&polars::prelude::DataType::String)
                .map_err(|e| bad_input(format!("truth: {name}: {e}")))
        };
        let (ids, planted) = (text_column("grant_id")?, text_column("codes")?);
        let ids = ids
            .str()
            .map_err(|e| bad_input(format!("truth: grant_id: {e}")))?;
        let planted = planted
            .str()
            .map_err(|e| bad_input(format!("truth: codes: {e}")))?;
        let mut codes: Vec<String> = finrisk_engine::catalogue::CATALOGUE
            .iter()
            .map(|spec| spec.code.to_string())
            .collect();
        let mut truth: HashMap<Box<str>, u64> = HashMap::with_capacity(ids.len());
        for (row, (id, list)) in ids.iter().zip(planted.iter()).enumerate() {
            let id =
                id.ok_or_else(|| bad_input(format!("truth: row {}: grant_id is empty", row + 1)))?;
            let mut bits = 0u64;
            for code in list
                .unwrap_or_default()
                .split(';')
                .filter(|c| !c.is_empty())
            {
                let k = match codes.iter().position(|c| c == code) {
                    Some(k) => k,
                    None if codes.len() < 63 => {
                        codes.push(code.to_string());
                        codes.len() - 1
                    }
                    None => {
                        return Err(bad_input(format!(
                            "truth: row {}: more than 63 distinct codes (`{code}`)",
                            row + 1
                        )));
                    }
                };
                bits |= 1 << k;
            }
            truth.insert(id.into(), bits);
        }
        // Persons with one grant, when the table names the person behind each grant.
        let single_grant = match frame.column("person_id") {
            Ok(_) => {
                let persons = text_column("person_id")?;
                let persons = persons
                    .str()
                    .map_err(|e| bad_input(format!("truth: person_id: {e}")))?;
                let mut grants_of: HashMap<&str, usize> = HashMap::new();
                for p in persons.iter().flatten() {
                    *grants_of.entry(p).or_insert(0) += 1;
                }
                for (id, p) in ids.iter().zip(persons.iter()) {
                    if let (Some(id), Some(p)) = (id, p)
                        && grants_of.get(p) == Some(&1)
                        && let Some(bits) = truth.get_mut(id)
                    {
                        *bits |= SINGLE_GRANT_PERSON;
                    }
                }
                Some((0, [0; 3]))
            }
            Err(_) => None,
        };
        Ok(Self {
            file: path.display().to_string(),
            counts: vec![(0, 0, 0); codes.len()],
            codes,
            truth,
            matched: 0,
            without_truth: 0,
            dimension_auc: Default::default(),
            single_grant,
        })
    }

    /// Counts one assessed row: its id, its `;`-joined findings and its scores in
    /// [`LABELLED_SCORES`] order.
    pub(crate) fn add(&mut self, grant_id: &str, findings: &str, scores: [f64; 3]) {
        let Some(&planted) = self.truth.get(grant_id) else {
            self.without_truth += 1;
            return;
        };
        self.matched += 1;
        let of_prefix = |prefix: &str| {
            self.codes
                .iter()
                .enumerate()
                .any(|(k, c)| planted & (1 << k) != 0 && c.starts_with(prefix))
        };
        let labels = LABELLED_SCORES.map(|(_, prefix)| of_prefix(prefix));
        for ((counter, label), score) in self.dimension_auc.iter_mut().zip(labels).zip(scores) {
            counter.add(score, label);
        }
        let mut found = 0u64;
        for code in findings.split(';').filter(|c| !c.is_empty()) {
            // Findings are catalogue codes, which the table starts with.
            if let Some(k) = self.codes.iter().position(|c| c == code) {
                found |= 1 << k;
            }
        }
        if planted & SINGLE_GRANT_PERSON != 0
            && let Some((grants, flagged)) = &mut self.single_grant
        {
            *grants += 1;
            for (code, n) in PERSON_CODES.iter().zip(flagged.iter_mut()) {
                let was_planted = self
                    .codes
                    .iter()
                    .position(|c| c == code)
                    .is_some_and(|k| planted & (1 << k) != 0);
                *n += usize::from(!was_planted && findings.split(';').any(|c| c == *code));
            }
        }
        for (k, count) in self.counts.iter_mut().enumerate() {
            let bit = 1u64 << k;
            count.0 += usize::from(planted & bit != 0);
            count.1 += usize::from(found & bit != 0);
            count.2 += usize::from(planted & found & bit != 0);
        }
    }

    /// Per code: planted, flagged, both, precision and recall; and the row counts.
    pub(crate) fn finish(self) -> Value {
        // A share of nothing is undefined (null), never 1; every share carries its Wilson 95%
        // interval, which says how little a figure from a handful of grants shows.
        let ratio = |n: usize, d: usize| finrisk_models::metrics::wilson(n, d).map(|s| s.value);
        let interval =
            |n: usize, d: usize| finrisk_models::metrics::wilson(n, d).map(|s| [s.low, s.high]);
        let per_code: serde_json::Map<String, Value> = self
            .codes
            .into_iter()
            .zip(self.counts)
            .filter(|(_, (planted, flagged, _))| planted + flagged > 0)
            .map(|(code, (planted, flagged, both))| {
                (
                    code,
                    json!({
                        "planted": planted,
                        "flagged": flagged,
                        "flagged_and_planted": both,
                        "precision": ratio(both, flagged),
                        "precision_ci95": interval(both, flagged),
                        "recall": ratio(both, planted),
                        "recall_ci95": interval(both, planted),
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
            "single_grant_persons": self.single_grant.map(|(grants, flagged)| json!({
                "grants": grants,
                "flagged": PERSON_CODES
                    .iter()
                    .zip(flagged)
                    .map(|(c, n)| ((*c).to_string(), json!(n)))
                    .collect::<serde_json::Map<String, Value>>(),
            })),
            "dimension_auc": LABELLED_SCORES
                .iter()
                .zip(&self.dimension_auc)
                .map(|((name, _), counter)| ((*name).to_string(), json!(counter.auc())))
                .collect::<serde_json::Map<String, Value>>(),
        })
    }
}
