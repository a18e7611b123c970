//! Findings, the three dimensions, severities, and the scoring formula that turns findings
//! into explainable scores and a grade.
//!
//! Scoring (documented in docs/scores.md): each finding is worth `severity_points[severity] x
//! weight` points (at most 100). A dimension's score is `100 x (1 - prod(1 - p_i / 100))` over
//! its findings, so it is 0 with no finding, grows with every finding, never passes 100 and is
//! monotone in severity. `overall` is the same product over all findings, each scaled by its
//! dimension's weight. Contributions are attributed in a fixed order (points descending, then
//! code), each finding getting the increase it causes, so they add up to the scores exactly.

use serde::{Deserialize, Serialize};

/// The three harms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Lending without a real assessment of the borrower.
    WeakRiskControl,
    /// Granting the same person credit again and again, beyond capacity.
    DuplicateCredit,
    /// Advertising that shows the benefit and hides the cost or the risk.
    OneSidedMarketing,
}

impl Dimension {
    /// All dimensions in output order.
    pub const ALL: [Dimension; 3] = [
        Self::WeakRiskControl,
        Self::DuplicateCredit,
        Self::OneSidedMarketing,
    ];

    /// The dimension a code belongs to, by its prefix (`RC-`, `DC-`, `MK-`).
    pub fn of_code(code: &str) -> Option<Self> {
        match code.get(..3) {
            Some("RC-") => Some(Self::WeakRiskControl),
            Some("DC-") => Some(Self::DuplicateCredit),
            Some("MK-") => Some(Self::OneSidedMarketing),
            _ => None,
        }
    }

    /// Field name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeakRiskControl => "weak_risk_control",
            Self::DuplicateCredit => "duplicate_credit",
            Self::OneSidedMarketing => "one_sided_marketing",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::WeakRiskControl => 0,
            Self::DuplicateCredit => 1,
            Self::OneSidedMarketing => 2,
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Information only: reported with its evidence, worth no points. A model-driven finding
    /// from a model not validated for the data's jurisdiction is reported so.
    Info,
    /// Worth a look.
    Low,
    /// A weakness.
    Medium,
    /// A breach of a rule or of sound practice.
    High,
    /// A breach that harms borrowers directly (cost above the legal cap, lending to minors).
    Critical,
}

impl Severity {
    /// The name in outputs (as serialised: `info`, `low`, `medium`, `high`, `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

/// Where a finding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The product's terms, controls or ads.
    Product,
    /// A product's loan book as a whole.
    Portfolio,
    /// One grant.
    Grant,
    /// One dispute case.
    Case,
}

impl Level {
    /// The name in outputs (as serialised: `product`, `portfolio`, `grant`, `case`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::Portfolio => "portfolio",
            Self::Grant => "grant",
            Self::Case => "case",
        }
    }
}

/// One finding: what went wrong, the numbers that show it, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code (`RC-DTI-HIGH`).
    pub code: String,
    /// Dimension.
    pub dimension: Dimension,
    /// Severity (from the ruleset).
    pub severity: Severity,
    /// Level it applies at.
    pub level: Level,
    /// The numbers and text spans that triggered it, with the threshold applied.
    pub evidence: FindingEvidence,
    /// Legal or practice reference (from the ruleset, shared with it).
    pub basis: std::sync::Arc<str>,
    /// What to do about it (from the ruleset, shared with it).
    pub recommendation: std::sync::Arc<str>,
}

/// A finding's evidence: a JSON object, held as the JSON text the outputs carry.
///
/// The evidence is written once, when the finding is made, and copied as text into every
/// output (the gRPC `evidence_json`, tables; a serde output such as the CLI's JSON embeds the
/// text as it is). An ad's findings carry every match with its pattern, span and parsed price:
/// built as a `serde_json::Value` (a `String` per key, a map node per few keys) and dropped
/// again, that evidence cost more than reading the ad did. [`FindingEvidence::to_value`] gives
/// the parsed object where a caller wants to look inside.
#[derive(Debug, Clone)]
pub struct FindingEvidence(String);

impl FindingEvidence {
    /// The evidence of a value (any JSON value; the engine's findings always make objects).
    pub fn from_value(value: &serde_json::Value) -> Self {
        // Printing a `Value` cannot fail: its map keys are strings.
        Self(serde_json::to_string(value).unwrap_or_else(|_| "null".to_string()))
    }

    /// Evidence the engine wrote as JSON text itself (keys in sorted order, as a `Value`
    /// object prints them); the writer's tests check it parses.
    pub(crate) fn from_json_text(text: String) -> Self {
        Self(text)
    }

    /// The evidence as JSON text (keys in sorted order).
    pub fn as_json(&self) -> &str {
        &self.0
    }

    /// The evidence parsed (for a caller that looks inside; outputs use [`Self::as_json`]).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.0).unwrap_or(serde_json::Value::Null)
    }
}

impl Default for FindingEvidence {
    /// An empty object.
    fn default() -> Self {
        Self("{}".to_string())
    }
}

impl PartialEq for FindingEvidence {
    /// Equal when the two parse to the same JSON value (key order and spacing aside).
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || self.to_value() == other.to_value()
    }
}

impl Serialize for FindingEvidence {
    /// The JSON text as it is, embedded (not quoted) in a serde_json output.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw: &serde_json::value::RawValue =
            serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl std::fmt::Display for FindingEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The scores of one assessed object.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scores {
    /// Weak risk control, 0..100, higher is worse.
    pub weak_risk_control: f64,
    /// Duplicate credit, 0..100.
    pub duplicate_credit: f64,
    /// One-sided marketing, 0..100.
    pub one_sided_marketing: f64,
    /// All findings together, 0..100.
    pub overall: f64,
}

/// How many points one finding (or model output) added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// Code of the finding.
    pub code: String,
    /// Its dimension.
    pub dimension: Dimension,
    /// Points the finding is worth on its own.
    pub points: f64,
    /// Points it added to its dimension's score.
    pub dimension_points: f64,
    /// Points it added to the overall score.
    pub overall_points: f64,
}

/// Scoring parameters, from the ruleset's `[scoring]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringRules {
    /// Points per severity.
    pub severity_points: SeverityPoints,
    /// Weight of each dimension in the overall score (0..1).
    pub dimension_weights: DimensionWeights,
    /// Upper bounds (exclusive) of the overall score for grades A, B, C and D; E above.
    pub grade_bounds: [f64; 4],
    /// Share of a product's grants carrying a grant-level code from which the product gets a
    /// portfolio finding with that code.
    pub portfolio_share: f64,
}

/// Points per severity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityPoints {
    /// Low.
    pub low: f64,
    /// Medium.
    pub medium: f64,
    /// High.
    pub high: f64,
    /// Critical.
    pub critical: f64,
}

/// Dimension weights in the overall score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionWeights {
    /// Weak risk control.
    pub weak_risk_control: f64,
    /// Duplicate credit.
    pub duplicate_credit: f64,
    /// One-sided marketing.
    pub one_sided_marketing: f64,
}

impl DimensionWeights {
    fn of(&self, d: Dimension) -> f64 {
        match d {
            Dimension::WeakRiskControl => self.weak_risk_control,
            Dimension::DuplicateCredit => self.duplicate_credit,
            Dimension::OneSidedMarketing => self.one_sided_marketing,
        }
    }
}

impl ScoringRules {
    /// Points of a severity.
    pub fn points(&self, s: Severity) -> f64 {
        match s {
            Severity::Info => 0.0,
            Severity::Low => self.severity_points.low,
            Severity::Medium => self.severity_points.medium,
            Severity::High => self.severity_points.high,
            Severity::Critical => self.severity_points.critical,
        }
    }

    /// Checks ranges and order; returns the offending key.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let p = &self.severity_points;
        let pts = [
            ("low", p.low),
            ("medium", p.medium),
            ("high", p.high),
            ("critical", p.critical),
        ];
        for (name, v) in pts {
            if !(v.is_finite() && v > 0.0 && v <= 100.0) {
                return Err((
                    format!("scoring.severity_points.{name}"),
                    "must be above 0 and at most 100".into(),
                ));
            }
        }
        if !(p.low < p.medium && p.medium < p.high && p.high < p.critical) {
            return Err((
                "scoring.severity_points".into(),
                "must increase from low to critical".into(),
            ));
        }
        for d in Dimension::ALL {
            let w = self.dimension_weights.of(d);
            if !(w.is_finite() && (0.0..=1.0).contains(&w)) {
                return Err((
                    format!("scoring.dimension_weights.{}", d.as_str()),
                    "must be between 0 and 1".into(),
                ));
            }
        }
        let b = self.grade_bounds;
        if !(b.iter().all(|x| x.is_finite() && *x > 0.0 && *x <= 100.0)
            && b.windows(2).all(|w| w[0] < w[1]))
        {
            return Err((
                "scoring.grade_bounds".into(),
                "must be four increasing numbers in (0, 100]".into(),
            ));
        }
        if !(self.portfolio_share.is_finite()
            && self.portfolio_share > 0.0
            && self.portfolio_share <= 1.0)
        {
            return Err((
                "scoring.portfolio_share".into(),
                "must be above 0 and at most 1".into(),
            ));
        }
        Ok(())
    }

    /// Grade A (best) .. E of an overall score.
    pub fn grade(&self, overall: f64) -> char {
        let idx = self
            .grade_bounds
            .iter()
            .position(|b| overall < *b)
            .unwrap_or(4);
        ['A', 'B', 'C', 'D', 'E'][idx]
    }

    /// Scores and contributions of findings given as `(code, dimension, points)`.
    /// Input order does not matter; output order is the attribution order.
    pub fn score(&self, items: &[(&str, Dimension, f64)]) -> (Scores, Vec<Contribution>) {
        let mut contributions = Vec::with_capacity(items.len());
        let scores = self.score_each(
            items,
            |code, dimension, points, dimension_points, overall_points| {
                contributions.push(Contribution {
                    code: code.to_string(),
                    dimension,
                    points,
                    dimension_points,
                    overall_points,
                });
            },
        );
        (scores, contributions)
    }

    /// The scores of [`ScoringRules::score`] without the contributions (no allocation for up
    /// to 32 findings): the batch path, which reports codes and scores per grant.
    pub fn scores_only(&self, items: &[(&str, Dimension, f64)]) -> Scores {
        self.score_each(items, |_, _, _, _, _| {})
    }

    fn score_each(
        &self,
        items: &[(&str, Dimension, f64)],
        mut contribution: impl FnMut(&str, Dimension, f64, f64, f64),
    ) -> Scores {
        let mut small = [0usize; 32];
        let mut large = Vec::new();
        let order: &mut [usize] = if items.len() <= small.len() {
            &mut small[..items.len()]
        } else {
            large.extend(0..items.len());
            &mut large
        };
        for (k, o) in order.iter_mut().enumerate() {
            *o = k;
        }
        order.sort_by(|&a, &b| {
            items[b]
                .2
                .total_cmp(&items[a].2)
                .then_with(|| items[a].0.cmp(items[b].0))
        });
        let mut keep = [1.0f64; 3];
        let mut keep_all = 1.0f64;
        for &i in order.iter() {
            let (code, dim, points) = items[i];
            let p = (points / 100.0).clamp(0.0, 1.0);
            let d = dim.index();
            let before_dim = 100.0 * (1.0 - keep[d]);
            keep[d] *= 1.0 - p;
            let before_all = 100.0 * (1.0 - keep_all);
            keep_all *= 1.0 - p * self.dimension_weights.of(dim);
            contribution(
                code,
                dim,
                points,
                100.0 * (1.0 - keep[d]) - before_dim,
                100.0 * (1.0 - keep_all) - before_all,
            );
        }
        Scores {
            weak_risk_control: 100.0 * (1.0 - keep[0]),
            duplicate_credit: 100.0 * (1.0 - keep[1]),
            one_sided_marketing: 100.0 * (1.0 - keep[2]),
            overall: 100.0 * (1.0 - keep_all),
        }
    }
}

/// `n / d`, or `None` when `d` is 0 (a share of nothing is undefined, not 0).
pub(crate) fn share(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_text_is_embedded_in_json_outputs_and_compared_as_json() {
        let value = serde_json::json!({ "b": [1, 2.5], "a": "x\"y" });
        let evidence = FindingEvidence::from_value(&value);
        assert_eq!(evidence.as_json(), r#"{"a":"x\"y","b":[1,2.5]}"#);
        assert_eq!(evidence.to_value(), value);
        // In a serde_json output the text is the value itself, not a quoted string.
        let out = serde_json::to_string(&serde_json::json!({ "evidence": evidence })).unwrap();
        assert_eq!(out, r#"{"evidence":{"a":"x\"y","b":[1,2.5]}}"#);
        let wrapped = serde_json::to_value([&evidence]).unwrap();
        assert_eq!(wrapped[0], value);
        // The same JSON with other spacing or key order is the same evidence; other JSON is not.
        let spaced = FindingEvidence::from_json_text(r#"{ "b": [1, 2.5], "a": "x\"y" }"#.into());
        assert_eq!(spaced, evidence);
        assert_ne!(FindingEvidence::default(), evidence);
        assert_eq!(FindingEvidence::default().to_value(), serde_json::json!({}));
    }

    fn rules() -> ScoringRules {
        ScoringRules {
            severity_points: SeverityPoints {
                low: 10.0,
                medium: 25.0,
                high: 40.0,
                critical: 60.0,
            },
            dimension_weights: DimensionWeights {
                weak_risk_control: 1.0,
                duplicate_credit: 1.0,
                one_sided_marketing: 1.0,
            },
            grade_bounds: [10.0, 25.0, 45.0, 70.0],
            portfolio_share: 0.1,
        }
    }

    #[test]
    fn names_are_the_serialised_names() {
        for s in [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ] {
            assert_eq!(serde_json::to_value(s).ok(), Some(s.as_str().into()));
        }
        for l in [Level::Product, Level::Portfolio, Level::Grant, Level::Case] {
            assert_eq!(serde_json::to_value(l).ok(), Some(l.as_str().into()));
        }
    }

    #[test]
    fn no_finding_scores_zero_and_grade_a() {
        let r = rules();
        let (s, c) = r.score(&[]);
        assert_eq!((s.overall, s.weak_risk_control), (0.0, 0.0));
        assert!(c.is_empty());
        assert_eq!(r.grade(s.overall), 'A');
    }

    #[test]
    fn contributions_add_up_and_do_not_depend_on_order() {
        let r = rules();
        let items = [
            ("RC-DTI-HIGH", Dimension::WeakRiskControl, 40.0),
            ("MK-NO-APR", Dimension::OneSidedMarketing, 40.0),
            ("RC-STUDENT", Dimension::WeakRiskControl, 25.0),
        ];
        let (s, c) = r.score(&items);
        let mut reversed = items;
        reversed.reverse();
        let (s2, c2) = r.score(&reversed);
        assert_eq!(s, s2);
        assert_eq!(c, c2);
        let sum_rc: f64 = c
            .iter()
            .filter(|x| x.dimension == Dimension::WeakRiskControl)
            .map(|x| x.dimension_points)
            .sum();
        assert!((sum_rc - s.weak_risk_control).abs() < 1e-9);
        let sum_all: f64 = c.iter().map(|x| x.overall_points).sum();
        assert!((sum_all - s.overall).abs() < 1e-9);
        assert!((s.weak_risk_control - 100.0 * (1.0 - 0.6 * 0.75)).abs() < 1e-9);
    }

    #[test]
    fn scores_are_monotone_in_severity() {
        let r = rules();
        let mut last = 0.0;
        for sev in [
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ] {
            let (s, _) = r.score(&[("RC-X", Dimension::WeakRiskControl, r.points(sev))]);
            assert!(s.overall > last);
            last = s.overall;
        }
    }

    use proptest::prelude::*;

    fn any_dimension() -> impl Strategy<Value = Dimension> {
        prop_oneof![
            Just(Dimension::WeakRiskControl),
            Just(Dimension::DuplicateCredit),
            Just(Dimension::OneSidedMarketing),
        ]
    }

    const CODES: [&str; 6] = ["RC-A", "RC-B", "DC-A", "DC-B", "MK-A", "MK-B"];

    /// Findings as `(code, dimension, points)`, points as severity points x weights up to 2.
    fn any_items() -> impl Strategy<Value = Vec<(&'static str, Dimension, f64)>> {
        proptest::collection::vec((0..CODES.len(), any_dimension(), 0.0f64..120.0), 0..40)
            .prop_map(|v| v.into_iter().map(|(c, d, p)| (CODES[c], d, p)).collect())
    }

    fn all(s: &Scores) -> [f64; 4] {
        [
            s.weak_risk_control,
            s.duplicate_credit,
            s.one_sided_marketing,
            s.overall,
        ]
    }

    proptest! {
        #[test]
        fn scores_stay_within_0_and_100(items in any_items()) {
            let (s, _) = rules().score(&items);
            for v in all(&s) {
                prop_assert!((0.0..=100.0).contains(&v), "{v}");
            }
            prop_assert!(['A', 'B', 'C', 'D', 'E'].contains(&rules().grade(s.overall)));
        }

        #[test]
        fn adding_a_finding_never_lowers_a_score(
            items in any_items(),
            extra in (0..CODES.len(), any_dimension(), 0.0f64..120.0),
        ) {
            let r = rules();
            let (before, _) = r.score(&items);
            let mut more = items.clone();
            more.push((CODES[extra.0], extra.1, extra.2));
            let (after, _) = r.score(&more);
            for (a, b) in all(&after).into_iter().zip(all(&before)) {
                prop_assert!(a >= b - 1e-9, "{a} < {b}");
            }
            prop_assert!(r.grade(after.overall) >= r.grade(before.overall));
        }

        #[test]
        fn contributions_sum_to_the_scores_in_any_order(
            items in any_items(),
            seed in any::<u64>(),
        ) {
            let r = rules();
            let (s, c) = r.score(&items);
            // A permutation of the findings (Fisher-Yates driven by the seed).
            let mut shuffled = items.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let (s2, c2) = r.score(&shuffled);
            prop_assert_eq!(s, s2);
            prop_assert_eq!(&c, &c2);
            let overall: f64 = c.iter().map(|x| x.overall_points).sum();
            prop_assert!((overall - s.overall).abs() < 1e-6);
            for d in Dimension::ALL {
                let dim: f64 = c.iter().filter(|x| x.dimension == d).map(|x| x.dimension_points).sum();
                let score = all(&s)[d.index()];
                prop_assert!((dim - score).abs() < 1e-6);
            }
        }
    }
}
