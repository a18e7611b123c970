//! Rulesets as data: legal caps, APR conventions and the LPR table, one TOML file per jurisdiction.
//!
//! The files in `rules/` are embedded in the engine as defaults ([`Ruleset::embedded`]); a user
//! can pass another file's text to [`Ruleset::from_toml`]. Loading refuses unknown keys and
//! out-of-range values, naming the offending key (`caps.annual[0].rate`), so a bad ruleset never
//! scores anything.

use crate::catalogue::{CATALOGUE, spec_of};
use crate::date::Date;
use crate::domain::{Cause, Jurisdiction};
use crate::error::EngineError;
use crate::findings::{ScoringRules, Severity};
use crate::rates::apr::{AprDefinition, DayBasis};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a jurisdiction defines and reports its APR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AprRules {
    /// Which annualisation is the legal APR.
    pub legal_definition: AprDefinition,
    /// Days in a year when converting quoted daily rates.
    pub quoted_rate_day_basis: DayBasis,
    /// Whether to flag loans whose nominal APR is within the cap but effective APR is above it.
    #[serde(default)]
    pub report_borderline: bool,
}

/// A flat cap on the annual cost rate for some causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualCap {
    /// Causes it applies to.
    pub causes: Vec<Cause>,
    /// The cap, as an annual rate on the outstanding principal.
    pub rate: f64,
    /// Legal basis.
    pub basis: String,
    /// Nature of the rule (statute, judicial practice, ...).
    pub label: String,
}

/// A cap as a multiple of the one-year LPR (PRC private lending), with its transition rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LprLinkedCap {
    /// Causes it applies to.
    pub causes: Vec<Cause>,
    /// Multiple of the LPR.
    pub lpr_multiple: f64,
    /// Cases filed and contracts made from this date follow the LPR rule.
    pub effective_from: Date,
    /// Annual cap before `effective_from`.
    pub rate_before: f64,
    /// Annual rate above which interest was void before `effective_from`.
    pub void_rate_before: f64,
    /// Legal basis of the LPR rule.
    pub basis: String,
    /// Legal basis of the rule before it.
    pub basis_before: String,
}

/// UK high-cost short-term credit caps (in money, not APR).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HcstcCap {
    /// APR (effective) from which a loan is high-cost.
    pub min_apr: f64,
    /// Longest term, in months, of short-term credit.
    pub max_term_months: u32,
    /// Interest and fees per day, as a share of the amount outstanding.
    pub daily_rate: f64,
    /// All charges over the life of the loan, as a share of the amount borrowed.
    pub total_cost_ratio: f64,
    /// Legal basis.
    pub basis: String,
    /// Nature of the rule.
    pub label: String,
}

/// Every cap of a ruleset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapRules {
    /// Flat annual caps.
    #[serde(default)]
    pub annual: Vec<AnnualCap>,
    /// LPR-linked cap.
    #[serde(default)]
    pub lpr_linked: Option<LprLinkedCap>,
    /// UK HCSTC caps.
    #[serde(default)]
    pub hcstc: Option<HcstcCap>,
}

/// One LPR publication: the rate in force from a date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LprEntry {
    /// Publication date.
    pub from: Date,
    /// One-year LPR.
    pub rate: f64,
}

/// The ruleset data of one finding code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRule {
    /// Severity of its findings.
    pub severity: Severity,
    /// Whether the code is evaluated (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Multiplier of its points (default 1).
    #[serde(default = "one")]
    pub weight: f64,
    /// Its main threshold, where the catalogue says it has one.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Other named parameters the catalogue lists.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Models validated for this ruleset's jurisdiction (`name@version`), for model-driven
    /// codes: their findings keep the code's severity even when the model's own validation
    /// names another jurisdiction or currency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validated_models: Vec<String>,
    /// Legal or practice reference (shared with every finding of the code).
    pub basis: std::sync::Arc<str>,
    /// What to do about it (shared with every finding of the code).
    pub recommendation: std::sync::Arc<str>,
    /// The legal reference in Chinese, for judicial suggestions drafted in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis_zh: Option<String>,
    /// The recommendation in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation_zh: Option<String>,
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

impl CodeRule {
    /// The threshold (validated present where the catalogue needs one; 0 otherwise).
    pub fn threshold(&self) -> f64 {
        self.threshold.unwrap_or(0.0)
    }

    /// A named parameter (validated present where the catalogue needs it; 0 otherwise).
    pub fn param(&self, name: &str) -> f64 {
        self.params.get(name).copied().unwrap_or(0.0)
    }
}

/// One value per identifier column that can join borrower keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerIdentifier {
    /// For `phone_hash`.
    pub phone_hash: u32,
    /// For `device_hash`.
    pub device_hash: u32,
}

/// How the duplicate-credit analysis joins borrower keys into persons (SPEC section 6,
/// DC-SHARED-IDENTITY and DC-IDENTIFIER-HUB; `engine::dc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityRules {
    /// An identifier seen with more borrower keys than this (over the whole input) is a hub:
    /// it joins no keys, and its grants get DC-IDENTIFIER-HUB.
    pub hub_keys: PerIdentifier,
    /// Two keys seen with one identifier only in periods more than this many days apart are
    /// not joined through it (recycled numbers, resold handsets).
    pub recycle_gap_days: u32,
    /// The strength a shared identifier of each type gives a link; a link's strength is the
    /// sum over the types two keys share. 0: the type joins nothing.
    pub link_weight: PerIdentifier,
}

impl Default for IdentityRules {
    /// The embedded rulesets' values: hubs above 5 keys, a one-year gap, a phone 1 and a
    /// device 2 (`rules/cn.toml` gives the sources).
    fn default() -> Self {
        Self {
            hub_keys: PerIdentifier {
                phone_hash: 5,
                device_hash: 5,
            },
            recycle_gap_days: 365,
            link_weight: PerIdentifier {
                phone_hash: 1,
                device_hash: 2,
            },
        }
    }
}

/// A validated ruleset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ruleset {
    /// Version string, reported with every result.
    pub version: String,
    /// Jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// Human name.
    pub name: String,
    /// APR conventions.
    pub apr: AprRules,
    /// Caps.
    #[serde(default)]
    pub caps: CapRules,
    /// One-year LPR change points, ascending.
    #[serde(default)]
    pub lpr: Vec<LprEntry>,
    /// How findings become scores and grades.
    pub scoring: ScoringRules,
    /// How borrower keys are joined into persons (default: [`IdentityRules::default`]).
    #[serde(default)]
    pub identity: IdentityRules,
    /// Every code of the catalogue, by code.
    pub codes: BTreeMap<String, CodeRule>,
    /// How dockets of cases are summarised and judicial suggestions drafted (default:
    /// [`DocketRules::default`]).
    #[serde(default)]
    pub docket: DocketRules,
}

/// Judicial-suggestion settings (`[docket]`): which of an institution's patterns a letter
/// addresses, and in which language it is drafted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocketRules {
    /// A code goes into an institution's suggestion letter only when at least this share of
    /// the institution's cases carry it (default 0.10).
    #[serde(default = "default_suggestion_min_share")]
    pub suggestion_min_share: f64,
    /// Fewest cases of an institution a letter rests on (default 3): one case is a case, not
    /// a pattern.
    #[serde(default = "default_suggestion_min_cases")]
    pub suggestion_min_cases: usize,
    /// The language letters are drafted in when none is asked for: `zh` or `en`.
    #[serde(default = "default_letter_language")]
    pub letter_language: String,
}

fn default_suggestion_min_share() -> f64 {
    0.10
}

fn default_suggestion_min_cases() -> usize {
    3
}

fn default_letter_language() -> String {
    "en".to_string()
}

impl Default for DocketRules {
    fn default() -> Self {
        Self {
            suggestion_min_share: default_suggestion_min_share(),
            suggestion_min_cases: default_suggestion_min_cases(),
            letter_language: default_letter_language(),
        }
    }
}

/// The embedded default ruleset texts, by jurisdiction.
pub const EMBEDDED: [(Jurisdiction, &str, &str); 4] = [
    (
        Jurisdiction::Cn,
        "rules/cn.toml",
        include_str!("../../rules/cn.toml"),
    ),
    (
        Jurisdiction::Us,
        "rules/us.toml",
        include_str!("../../rules/us.toml"),
    ),
    (
        Jurisdiction::Eu,
        "rules/eu.toml",
        include_str!("../../rules/eu.toml"),
    ),
    (
        Jurisdiction::Uk,
        "rules/uk.toml",
        include_str!("../../rules/uk.toml"),
    ),
];

impl Ruleset {
    /// The embedded default ruleset of a jurisdiction.
    pub fn embedded(jurisdiction: Jurisdiction) -> Result<Self, EngineError> {
        let (_, name, text) = EMBEDDED
            .iter()
            .find(|(j, _, _)| *j == jurisdiction)
            .ok_or_else(|| ruleset_error("embedded", "jurisdiction", "no embedded ruleset"))?;
        Self::from_toml(text, name)
    }

    /// Parses and validates a ruleset. `source_name` names it in errors.
    pub fn from_toml(text: &str, source_name: &str) -> Result<Self, EngineError> {
        let value: toml::Table = toml::from_str(text)
            .map_err(|e| ruleset_error(source_name, "(syntax)", e.message()))?;
        let ruleset: Ruleset = serde_path_to_error::deserialize(toml::Value::Table(value))
            .map_err(|e| {
                let key = e.path().to_string();
                ruleset_error(source_name, &key, &e.into_inner().to_string())
            })?;
        ruleset.validate(source_name)?;
        Ok(ruleset)
    }

    fn validate(&self, source: &str) -> Result<(), EngineError> {
        let err = |key: &str, reason: &str| Err(ruleset_error(source, key, reason));
        if self.version.trim().is_empty() {
            return err("version", "must not be empty");
        }
        let rate_ok = |r: f64| r.is_finite() && r > 0.0 && r <= 10.0;
        let d = &self.docket;
        if !(d.suggestion_min_share.is_finite() && (0.0..=1.0).contains(&d.suggestion_min_share)) {
            return err("docket.suggestion_min_share", "must be between 0 and 1");
        }
        if d.suggestion_min_cases == 0 {
            return err("docket.suggestion_min_cases", "must be at least 1");
        }
        if !matches!(d.letter_language.as_str(), "zh" | "en") {
            return err("docket.letter_language", "must be zh or en");
        }
        let mut seen: Vec<Cause> = Vec::new();
        for (i, cap) in self.caps.annual.iter().enumerate() {
            if !rate_ok(cap.rate) {
                return err(
                    &format!("caps.annual[{i}].rate"),
                    "must be a rate above 0 and at most 10",
                );
            }
            if cap.causes.is_empty() {
                return err(
                    &format!("caps.annual[{i}].causes"),
                    "must list at least one cause",
                );
            }
            for c in &cap.causes {
                if seen.contains(c) {
                    return err(
                        &format!("caps.annual[{i}].causes"),
                        &format!("cause {} has two caps", c.as_str()),
                    );
                }
                seen.push(*c);
            }
        }
        if let Some(l) = &self.caps.lpr_linked {
            if !(l.lpr_multiple.is_finite() && l.lpr_multiple > 0.0 && l.lpr_multiple <= 100.0) {
                return err(
                    "caps.lpr_linked.lpr_multiple",
                    "must be above 0 and at most 100",
                );
            }
            if !rate_ok(l.rate_before) || !rate_ok(l.void_rate_before) {
                return err(
                    "caps.lpr_linked.rate_before",
                    "rates must be above 0 and at most 10",
                );
            }
            for c in &l.causes {
                if seen.contains(c) {
                    return err(
                        "caps.lpr_linked.causes",
                        &format!("cause {} has two caps", c.as_str()),
                    );
                }
                seen.push(*c);
            }
            if self.lpr.is_empty() {
                return err("lpr", "an LPR-linked cap needs the LPR table");
            }
        }
        if let Some(h) = &self.caps.hcstc
            && (!rate_ok(h.daily_rate) || !rate_ok(h.total_cost_ratio) || !h.min_apr.is_finite())
        {
            return err("caps.hcstc", "rates must be above 0 and at most 10");
        }
        let ids = &self.identity;
        for (name, v) in [
            ("phone_hash", ids.hub_keys.phone_hash),
            ("device_hash", ids.hub_keys.device_hash),
        ] {
            if !(1..=1_000_000).contains(&v) {
                return err(
                    &format!("identity.hub_keys.{name}"),
                    "must be between 1 and 1,000,000 keys",
                );
            }
        }
        for (name, v) in [
            ("phone_hash", ids.link_weight.phone_hash),
            ("device_hash", ids.link_weight.device_hash),
        ] {
            if v > 1_000 {
                return err(
                    &format!("identity.link_weight.{name}"),
                    "must be between 0 and 1,000",
                );
            }
        }
        if ids.recycle_gap_days > 36_500 {
            return err(
                "identity.recycle_gap_days",
                "must be between 0 and 36,500 days",
            );
        }
        if let Err((key, reason)) = self.scoring.validate() {
            return err(&key, &reason);
        }
        for spec in &CATALOGUE {
            let Some(rule) = self.codes.get(spec.code) else {
                return err(
                    &format!("codes.{}", spec.code),
                    "is missing: every code of the catalogue must be present (set enabled = false to switch it off)",
                );
            };
            if spec.needs_threshold && !rule.threshold.is_some_and(f64::is_finite) {
                return err(
                    &format!("codes.{}.threshold", spec.code),
                    "is required and must be a finite number",
                );
            }
            for p in spec.params {
                let Some(v) = rule.params.get(*p).copied().filter(|v| v.is_finite()) else {
                    return err(
                        &format!("codes.{}.params.{p}", spec.code),
                        "is required and must be a finite number",
                    );
                };
                if *p == crate::dc::MIN_LINK_STRENGTH
                    && !(v.fract() == 0.0 && (1.0..=1_000.0).contains(&v))
                {
                    return err(
                        &format!("codes.{}.params.{p}", spec.code),
                        "must be a whole number from 1 to 1,000",
                    );
                }
            }
            if !(rule.weight.is_finite() && rule.weight >= 0.0 && rule.weight <= 10.0) {
                return err(
                    &format!("codes.{}.weight", spec.code),
                    "must be between 0 and 10",
                );
            }
            if rule.basis.trim().is_empty() {
                return err(&format!("codes.{}.basis", spec.code), "must not be empty");
            }
        }
        if let Some(unknown) = self.codes.keys().find(|c| spec_of(c).is_none()) {
            return err(
                &format!("codes.{unknown}"),
                "is not a code of the catalogue",
            );
        }
        for (i, e) in self.lpr.iter().enumerate() {
            if !(e.rate.is_finite() && e.rate > 0.0 && e.rate < 1.0) {
                return err(
                    &format!("lpr[{i}].rate"),
                    "must be a rate above 0 and below 1",
                );
            }
            if i > 0 && e.from <= self.lpr[i - 1].from {
                return err(&format!("lpr[{i}].from"), "dates must increase");
            }
        }
        Ok(())
    }

    /// The rule of an enabled code, or `None` when the ruleset switches it off.
    pub fn code(&self, code: &str) -> Option<&CodeRule> {
        self.codes.get(code).filter(|r| r.enabled)
    }

    /// The one-year LPR in force on `date`: the latest publication on or before it.
    pub fn lpr_on(&self, date: Date) -> Option<LprEntry> {
        let idx = self.lpr.partition_point(|e| e.from <= date);
        idx.checked_sub(1).map(|i| self.lpr[i])
    }
}

fn ruleset_error(source: &str, key: &str, reason: &str) -> EngineError {
    EngineError::Ruleset {
        source_name: source.to_string(),
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_ruleset_loads() {
        for (j, _, _) in EMBEDDED {
            let r = Ruleset::embedded(j).unwrap();
            assert_eq!(r.jurisdiction, j);
        }
    }

    #[test]
    fn tv11_lpr_lookup_counts_the_publication_day() {
        let r = Ruleset::embedded(Jurisdiction::Cn).unwrap();
        let at = |d: &str| r.lpr_on(Date::parse(d).unwrap()).unwrap().rate;
        assert_eq!(at("2020-09-01"), 0.0385);
        assert_eq!(at("2021-12-20"), 0.038);
        assert_eq!(at("2024-10-20"), 0.0335);
        assert_eq!(at("2024-10-21"), 0.031);
        assert_eq!(at("2025-06-01"), 0.03);
        assert!(r.lpr_on(Date::parse("2019-08-19").unwrap()).is_none());
    }

    #[test]
    fn bad_ruleset_names_the_key() {
        let text = include_str!("../../rules/cn.toml").replace("rate = 0.24\n", "rate = -0.24\n");
        let e = Ruleset::from_toml(&text, "test.toml").unwrap_err();
        assert_eq!(
            e.to_string(),
            "ruleset test.toml: caps.annual[0].rate: must be a rate above 0 and at most 10"
        );
        let typo = include_str!("../../rules/us.toml").replace("label =", "lable =");
        let e = Ruleset::from_toml(&typo, "test.toml").unwrap_err();
        assert!(e.to_string().contains("caps.annual[0]"), "{e}");
        assert!(e.to_string().contains("lable"), "{e}");
    }

    #[test]
    fn every_catalogue_code_is_required() {
        let text = include_str!("../../rules/cn.toml")
            .replace("[codes.\"MK-HIDDEN-FEE\"]", "[codes.\"MK-HIDDEN-FEES\"]");
        let e = Ruleset::from_toml(&text, "x").unwrap_err();
        assert!(
            e.to_string().contains("codes.MK-HIDDEN-FEE: is missing"),
            "{e}"
        );
        let text = include_str!("../../rules/cn.toml").replacen("threshold = 0.5\n", "", 1);
        let e = Ruleset::from_toml(&text, "x").unwrap_err();
        assert!(
            e.to_string()
                .contains("codes.RC-DTI-HIGH.threshold: is required"),
            "{e}"
        );
        let text = include_str!("../../rules/cn.toml").replacen(
            "severity = \"high\"",
            "severity = \"severe\"",
            1,
        );
        let e = Ruleset::from_toml(&text, "x").unwrap_err();
        assert!(
            e.to_string().contains("codes.RC-NO-BUREAU-CHECK.severity"),
            "{e}"
        );
    }

    #[test]
    fn unsorted_lpr_table_is_refused() {
        let text = include_str!("../../rules/cn.toml")
            .replace("from = \"2019-09-20\"", "from = \"2019-08-01\"");
        let e = Ruleset::from_toml(&text, "x").unwrap_err();
        assert!(e.to_string().contains("lpr[1].from"), "{e}");
    }
}
