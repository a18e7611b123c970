//! Model probabilities of default of a batch's grants, computed outside the engine (by the
//! `finrisk-models` PD model the caller chose) and handed in for RC-HIGH-PD.
//!
//! The engine does not train or run models: it compares each PD with the ruleset's threshold
//! and reports the PD, the model and its top reasons as the finding's evidence.

use crate::ruleset::Ruleset;
use hashbrown::HashMap;
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

    /// The same evidence as JSON text, written straight from the columns.
    pub fn evidence_json(&self, i: usize) -> String {
        serde_json::to_string(&self.row(i)).unwrap_or_default()
    }

    /// A writer of the rows' evidence text that escapes what the rows share once (the model,
    /// each reason's feature and bin): the batch path.
    pub fn evidence_text(&self) -> PdEvidenceText<'_> {
        PdEvidenceText::new(self)
    }
}

/// How many rows' reasons [`PdEvidenceText`] reads ahead for the (feature, bin) pairs to
/// escape once; a pair first met later is escaped where it is met.
const REASON_HEADS_FROM_ROWS: usize = 4_096;

/// The evidence text of a batch's PDs ([`GrantPds::evidence_json`]'s text, byte for byte) with the parts every row shares escaped once: the model's name, the absent inputs
/// and each (feature, bin) reason's keys, looked up by the address of the shared names.
pub struct PdEvidenceText<'a> {
    pds: &'a GrantPds,
    /// `,"model":"…","reasons":[`
    model_then_reasons: Vec<u8>,
    /// `]`, the absent inputs when there are any, `}`
    close: Vec<u8>,
    /// `{"feature":"…","bin":"…","impact":` by the addresses of the reason's feature and bin.
    reason_heads: HashMap<(usize, usize), Vec<u8>, foldhash::fast::RandomState>,
}

/// The addresses of a reason's shared feature and bin names.
fn reason_key(r: &PdReason) -> (usize, usize) {
    (
        Arc::as_ptr(&r.feature).cast::<u8>() as usize,
        Arc::as_ptr(&r.bin).cast::<u8>() as usize,
    )
}

/// `{"feature":…,"bin":…,"impact":` for `r`, as serde prints `PdReason`'s first fields.
fn write_reason_head(r: &PdReason, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"feature\":");
    let _ = serde_json::to_writer(&mut *out, &*r.feature);
    out.extend_from_slice(b",\"bin\":");
    let _ = serde_json::to_writer(&mut *out, &*r.bin);
    out.extend_from_slice(b",\"impact\":");
}

impl<'a> PdEvidenceText<'a> {
    fn new(pds: &'a GrantPds) -> Self {
        let mut model_then_reasons = b",\"model\":".to_vec();
        let _ = serde_json::to_writer(&mut model_then_reasons, pds.model.as_str());
        model_then_reasons.extend_from_slice(b",\"reasons\":[");
        let mut close = b"]".to_vec();
        if !pds.absent_inputs.is_empty() {
            close.extend_from_slice(b",\"absent_inputs\":");
            let _ = serde_json::to_writer(&mut close, &pds.absent_inputs);
        }
        close.push(b'}');
        let mut reason_heads: HashMap<_, _, foldhash::fast::RandomState> = HashMap::default();
        for r in pds.reasons.iter().take(REASON_HEADS_FROM_ROWS).flatten() {
            reason_heads.entry(reason_key(r)).or_insert_with(|| {
                let mut head = Vec::with_capacity(48);
                write_reason_head(r, &mut head);
                head
            });
        }
        Self {
            pds,
            model_then_reasons,
            close,
            reason_heads,
        }
    }

    /// The PDs the text is written from.
    pub fn pds(&self) -> &'a GrantPds {
        self.pds
    }

    /// Appends row `i`'s evidence to `out`: the text of [`GrantPds::evidence_json`].
    pub fn write(&self, i: usize, out: &mut Vec<u8>) {
        let p = self.pds;
        out.extend_from_slice(b"{\"pd\":");
        let _ = serde_json::to_writer(&mut *out, &p.pd[i]);
        if let Some(score) = p.score.get(i).copied().flatten() {
            out.extend_from_slice(b",\"score\":");
            let _ = serde_json::to_writer(&mut *out, &score);
        }
        out.extend_from_slice(&self.model_then_reasons);
        for (k, r) in p
            .reasons
            .get(i)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .enumerate()
        {
            if k > 0 {
                out.push(b',');
            }
            match self.reason_heads.get(&reason_key(r)) {
                Some(head) => out.extend_from_slice(head),
                None => write_reason_head(r, out),
            }
            let _ = serde_json::to_writer(&mut *out, &r.impact);
            out.push(b'}');
        }
        out.extend_from_slice(&self.close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PDs of `n` rows whose reasons share a few names (some needing escapes), with a pair
    /// first met after the rows read ahead, a non-finite impact, and rows without a score.
    fn pds(n: usize, absent: &[&str]) -> GrantPds {
        let names: Vec<Arc<str>> = ["dti", "income \"verified\"", "年龄", "a\\b"]
            .into_iter()
            .map(Arc::from)
            .collect();
        let bins: Vec<Arc<str>> = ["[0.4, inf)", "missing", "18-25"]
            .into_iter()
            .map(Arc::from)
            .collect();
        let late: Arc<str> = Arc::from("late\nfeature");
        let reasons = (0..n)
            .map(|i| {
                let mut v: Vec<PdReason> = (0..i % 4)
                    .map(|k| PdReason {
                        feature: Arc::clone(&names[(i + k) % names.len()]),
                        bin: Arc::clone(&bins[(i * 7 + k) % bins.len()]),
                        impact: if i % 97 == 5 {
                            f64::NAN
                        } else {
                            i as f64 / 3.0 - k as f64
                        },
                    })
                    .collect();
                if i == n - 1 {
                    v.push(PdReason {
                        feature: Arc::clone(&late),
                        bin: Arc::clone(&bins[0]),
                        impact: 1e-9,
                    });
                }
                v
            })
            .collect();
        GrantPds {
            model: "score\"card@1".into(),
            pd: (0..n).map(|i| i as f64 / n as f64).collect(),
            score: (0..n)
                .map(|i| (i % 3 != 0).then_some(600.0 + i as f64))
                .collect(),
            reasons,
            absent_inputs: absent.iter().map(|s| s.to_string()).collect(),
            validation: None,
        }
    }

    #[test]
    fn the_shared_text_writer_prints_what_serde_prints() {
        for absent in [&[][..], &["emp_length", "a\"b"][..]] {
            let p = pds(REASON_HEADS_FROM_ROWS + 50, absent);
            let text = p.evidence_text();
            for i in 0..p.pd.len() {
                let mut fast = Vec::new();
                text.write(i, &mut fast);
                assert_eq!(
                    String::from_utf8(fast).unwrap(),
                    p.evidence_json(i),
                    "row {i}"
                );
            }
        }
    }
}
