//! The finding collector (one finding per code at one level, evidence merged) and the scoring
//! of findings under a ruleset.

use crate::catalogue::{CodeId, code};
use crate::findings::{Contribution, Dimension, Finding, FindingEvidence, Level, Scores, Severity};
use crate::ruleset::{CodeRule, Ruleset};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Findings with their scores, grade and contributions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// Scores, 0..100, higher is worse.
    pub scores: Scores,
    /// Grade A (best) .. E.
    pub grade: String,
    /// Findings, in catalogue order.
    pub findings: Vec<Finding>,
    /// Points each finding added, in attribution order.
    pub contributions: Vec<Contribution>,
}

impl Assessment {
    /// Codes of the findings joined by `;`, in catalogue order (the batch `findings` column).
    pub fn codes(&self) -> String {
        self.findings
            .iter()
            .map(|f| f.code.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// The evidence gathered for one code: an object still open to merging, or JSON text written
/// once by a check that builds its whole evidence in one go (the ad checks).
enum Gathered {
    Value(Value),
    Text(FindingEvidence),
}

/// Collects findings at one level, one per code (evidence merged).
pub(super) struct Collector<'r> {
    ruleset: &'r Ruleset,
    level: Level,
    /// Each code's evidence, with its rule (looked up once, when the code is first added).
    evidence: BTreeMap<CodeId, (&'r CodeRule, Gathered)>,
    /// Codes reported as information only (severity info, no points).
    information: Vec<CodeId>,
}

impl<'r> Collector<'r> {
    pub(super) fn new(ruleset: &'r Ruleset, level: Level) -> Self {
        Self {
            ruleset,
            level,
            evidence: BTreeMap::new(),
            information: Vec::new(),
        }
    }

    /// The rule of an enabled code; `None` if switched off.
    pub(super) fn rule(&self, code: CodeId) -> Option<&'r CodeRule> {
        self.ruleset.code(code.as_str())
    }

    /// The ruleset the findings are judged under.
    pub(super) fn ruleset(&self) -> &'r Ruleset {
        self.ruleset
    }

    /// The threshold of an enabled code; `None` if switched off.
    pub(super) fn threshold(&self, code: CodeId) -> Option<f64> {
        self.ruleset.code(code.as_str()).map(|r| r.threshold())
    }

    fn enabled(&self, code: CodeId) -> bool {
        self.ruleset.code(code.as_str()).is_some()
    }

    /// Adds evidence for `code` if enabled; object evidence of repeated calls is merged.
    pub(super) fn add(&mut self, code: CodeId, evidence: Value) {
        let (rule, gathered) = match self.evidence.remove(&code) {
            Some((rule, Gathered::Value(v))) => (rule, Some(v)),
            Some((rule, Gathered::Text(t))) => (rule, Some(t.to_value())),
            None => match self.rule(code) {
                Some(rule) => (rule, None),
                None => return,
            },
        };
        let merged = match gathered {
            Some(Value::Object(mut existing)) => {
                if let Value::Object(new) = evidence {
                    for (k, v) in new {
                        existing.insert(k, v);
                    }
                }
                Value::Object(existing)
            }
            _ => evidence,
        };
        self.evidence.insert(code, (rule, Gathered::Value(merged)));
    }

    /// Adds evidence for `code` already written as JSON text, if enabled. Where the code has
    /// evidence already, the two are merged as [`Collector::add`] merges objects.
    pub(super) fn add_text(&mut self, code: CodeId, evidence: FindingEvidence) {
        if self.evidence.contains_key(&code) {
            self.add(code, evidence.to_value());
        } else if let Some(rule) = self.rule(code) {
            self.evidence.insert(code, (rule, Gathered::Text(evidence)));
        }
    }

    /// Adds evidence for `code` as [`Collector::add`] does, and marks its finding as
    /// information only: severity info, worth no points (a model-driven finding from a model
    /// not validated for the data).
    pub(super) fn add_information(&mut self, code: CodeId, evidence: Value) {
        if self.enabled(code) && !self.information.contains(&code) {
            self.information.push(code);
        }
        self.add(code, evidence);
    }

    /// RC-MINOR when the lowest age is below its threshold, RC-ELDERLY when the highest age is
    /// above its threshold; each value comes with the field it was read from.
    pub(super) fn age_limits(&mut self, lowest: Option<(&str, i64)>, highest: Option<(&str, i64)>) {
        if let (Some(t), Some((field, age))) = (self.threshold(code::RC_MINOR), lowest)
            && (age as f64) < t
        {
            self.add(code::RC_MINOR, json!({ field: age, "threshold": t }));
        }
        if let (Some(t), Some((field, age))) = (self.threshold(code::RC_ELDERLY), highest)
            && age as f64 > t
        {
            self.add(code::RC_ELDERLY, json!({ field: age, "threshold": t }));
        }
    }

    /// The findings, in catalogue order (the evidence map is ordered by code id).
    pub(super) fn into_findings(self) -> Vec<Finding> {
        let mut out = Vec::with_capacity(self.evidence.len());
        for (code, (rule, gathered)) in self.evidence {
            let evidence = match gathered {
                Gathered::Value(v) => FindingEvidence::from_value(&v),
                Gathered::Text(t) => t,
            };
            out.push(Finding {
                code: code.as_str().to_string(),
                dimension: Dimension::of_code(code.as_str()).unwrap_or(Dimension::WeakRiskControl),
                severity: if self.information.contains(&code) {
                    Severity::Info
                } else {
                    rule.severity
                },
                level: self.level,
                evidence,
                basis: rule.basis.clone(),
                recommendation: rule.recommendation.clone(),
            });
        }
        out
    }
}

/// Scores findings under the ruleset.
pub fn score_findings(ruleset: &Ruleset, findings: Vec<Finding>) -> Assessment {
    let items: Vec<(&str, Dimension, f64)> = findings
        .iter()
        .map(|f| {
            let weight = ruleset.codes.get(&f.code).map_or(1.0, |r| r.weight);
            (
                f.code.as_str(),
                f.dimension,
                ruleset.scoring.points(f.severity) * weight,
            )
        })
        .collect();
    let (scores, contributions) = ruleset.scoring.score(&items);
    Assessment {
        grade: ruleset.scoring.grade(scores.overall).to_string(),
        scores,
        findings,
        contributions,
    }
}

/// Adds the fields of the object `extra` to the object `target` (other values are left alone).
pub(super) fn merge(target: &mut Value, extra: &Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        for (k, v) in e {
            t.insert(k.clone(), v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::cn;
    use super::*;

    #[test]
    fn text_evidence_is_kept_as_written_and_merges_with_later_objects() {
        let ruleset = cn();
        let mut c = Collector::new(&ruleset, Level::Product);
        let written = r#"{"matches":[{"ad":0,"text":"秒到账"}]}"#;
        c.add_text(
            code::MK_INDUCEMENT,
            FindingEvidence::from_json_text(written.into()),
        );
        c.add_text(
            code::MK_NO_APR,
            FindingEvidence::from_json_text(r#"{"matches":[]}"#.into()),
        );
        // A later object for the same code merges into the written text's fields.
        c.add(code::MK_NO_APR, json!({ "apr": 0.36 }));
        // Text for a code that already has evidence merges the same way.
        c.add(code::MK_VULNERABLE_TARGET, json!({ "a": 1 }));
        c.add_text(
            code::MK_VULNERABLE_TARGET,
            FindingEvidence::from_json_text(r#"{"b":2}"#.into()),
        );
        let findings = c.into_findings();
        let by_code = |code: &str| {
            findings
                .iter()
                .find(|f| f.code == code)
                .map(|f| f.evidence.clone())
                .unwrap()
        };
        assert_eq!(by_code("MK-INDUCEMENT").as_json(), written);
        assert_eq!(
            by_code("MK-NO-APR").to_value(),
            json!({ "apr": 0.36, "matches": [] })
        );
        assert_eq!(
            by_code("MK-VULNERABLE-TARGET").to_value(),
            json!({ "a": 1, "b": 2 })
        );
        let inducement = findings.iter().find(|f| f.code == "MK-INDUCEMENT").unwrap();
        let rule = ruleset.code("MK-INDUCEMENT").unwrap();
        assert_eq!(inducement.basis, rule.basis);
        assert_eq!(inducement.severity, rule.severity);
    }
}
