//! The grant rules: the codes of one row of a grants batch from its own columns
//! ([`GrantRules::evaluate`]), from the duplicate-credit analysis of the whole input
//! ([`GrantRules::evaluate_dc`]) and from model PDs ([`GrantRules::evaluate_pd`]); the full
//! assessment of a row, and the compact one the batch writes for every row of a chunk.

use super::collector::{Assessment, Collector, score_findings};
use crate::catalogue::{CATALOGUE, CodeId, CodeSet, code};
use crate::date::Date;
use crate::dc::{Aggregate, DcAnalysis, DcChunk, DcSettings};
use crate::domain::Cause;
use crate::domain::grant::GrantBatch;
use crate::evidence::{Evidence, Field};
use crate::findings::{Dimension, Level, Scores};
use crate::index::GrantRow;
use crate::pd::GrantPds;
use crate::ruleset::Ruleset;
use rayon::prelude::*;
use serde_json::Value;

/// Thresholds of the grant-level codes, read once from the ruleset.
#[derive(Debug, Clone)]
pub struct GrantRules<'r> {
    ruleset: &'r Ruleset,
    /// The flat annual cap grants are compared with, and the nature of its rule.
    cap: Option<(f64, &'r str)>,
    /// Per catalogue code: its dimension and weighted points when the ruleset enables it.
    enabled: [Option<(Dimension, f64)>; CATALOGUE.len()],
    /// Per catalogue code: its threshold (0 when it has none) when the ruleset enables it. Read
    /// for every grant, so looked up once here instead of in the ruleset's map per row.
    thresholds: [Option<f64>; CATALOGUE.len()],
    /// Currency of the grants' amounts, when known (a product's loan book): a PD model validated
    /// on other currencies gives information-only findings.
    currency: Option<&'r str>,
}

/// What the batch writes of one grant: codes, scores, grade, evidence text.
struct CompactAssessment {
    findings: String,
    codes: CodeSet,
    scores: Scores,
    grade: char,
    evidence: String,
}

/// A code found for a row, with its evidence.
pub type GrantHit<'b> = (CodeId, Evidence<'b>);

/// The grant-level codes evaluated from one row's own columns, in catalogue order (the
/// across-grant codes come from [`GrantRules::evaluate_dc`]).
pub const GRANT_CODES: [CodeId; 12] = [
    code::RC_INCOME_UNVERIFIED,
    code::RC_DTI_HIGH,
    code::RC_LINE_TO_INCOME,
    code::RC_STUDENT,
    code::RC_MINOR,
    code::RC_ELDERLY,
    code::RC_BORROWER_CAP,
    code::RC_COST_CAP,
    code::DC_MANY_LENDERS,
    code::DC_MANY_INQUIRIES,
    code::DC_NEW_WHILE_DELINQUENT,
    code::DC_LINE_UP_DELINQUENT,
];

/// How a value is compared with a ruleset threshold.
#[derive(Debug, Clone, Copy)]
enum Beyond {
    /// Fires when the value is strictly below the threshold.
    Below,
    /// Fires when the value is strictly above it.
    Above,
    /// Fires when the value is at or above it.
    AtLeast,
}

impl Beyond {
    fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Beyond::Below => value < threshold,
            Beyond::Above => value > threshold,
            Beyond::AtLeast => value >= threshold,
        }
    }
}

/// Monthly payment of an equal-instalment loan at the grant's APR (the grants table has no
/// repayment method; equal instalments is the common case and is documented as the basis).
fn monthly_payment(principal: i64, apr: f64, term: u16) -> f64 {
    let n = f64::from(term.max(1));
    let i = apr / 12.0;
    if i <= 0.0 {
        principal as f64 / n
    } else {
        principal as f64 * i / (1.0 - (1.0 + i).powf(-n))
    }
}

impl<'r> GrantRules<'r> {
    /// Rules of `ruleset`; `cause` selects the flat cap grants are compared with (default
    /// financial_loan when the product is unknown).
    pub fn new(ruleset: &'r Ruleset, cause: Option<Cause>) -> Self {
        let cause = cause.unwrap_or(Cause::FinancialLoan);
        let cap = ruleset
            .caps
            .annual
            .iter()
            .find(|c| c.causes.contains(&cause))
            .map(|c| (c.rate, c.label.as_str()));
        let enabled = std::array::from_fn(|k| {
            let code = CATALOGUE[k].code;
            ruleset.code(code).map(|rule| {
                (
                    Dimension::of_code(code).unwrap_or(Dimension::WeakRiskControl),
                    ruleset.scoring.points(rule.severity) * rule.weight,
                )
            })
        });
        let thresholds =
            std::array::from_fn(|k| ruleset.code(CATALOGUE[k].code).map(|rule| rule.threshold()));
        Self {
            ruleset,
            cap,
            enabled,
            thresholds,
            currency: None,
        }
    }

    /// The same rules for grants whose amounts are in `currency`.
    pub fn with_currency(mut self, currency: &'r str) -> Self {
        self.currency = Some(currency);
        self
    }

    /// Why RC-HIGH-PD from `pds`'s model is information only on these grants (the model is not
    /// validated for the ruleset's jurisdiction or the grants' currency), or `None`.
    pub fn pd_information_only(&self, pds: &GrantPds) -> Option<String> {
        pds.information_only_reason(self.ruleset, code::RC_HIGH_PD.as_str(), self.currency)
    }

    /// The assessment of row `i` as the batch writes it: the same codes, scores and grade as
    /// [`GrantRules::assess_full`], and its findings' evidence as one JSON object keyed by code
    /// (what `Value::Object` of the findings would print), without building the findings
    /// (their basis and recommendation texts) or the score contributions. The model's PD,
    /// score and reasons are not in that text: the batch writes them as columns.
    fn assess_compact(
        &self,
        b: &GrantBatch,
        i: usize,
        dc: Option<DcChunk<'_>>,
        pds: Option<&GrantPds>,
        pd_note: Option<&str>,
    ) -> CompactAssessment {
        let mut found = self.evaluate(b, i);
        if let Some(dc) = dc {
            found.extend(self.evaluate_dc(b, i, dc));
        }
        if let Some(hit) = pds.and_then(|p| self.pd_hit(p, i, pd_note)) {
            found.push(hit);
        }
        // Enabled codes only; a code found twice has its object evidence merged (as
        // `Collector::add` does).
        let mut hits: Vec<GrantHit<'_>> = Vec::with_capacity(found.len());
        for (id, evidence) in found {
            if self.enabled[id.index()].is_none() {
                continue;
            }
            match hits.iter_mut().find(|h| h.0 == id) {
                Some(h) => h.1.merge(evidence),
                None => hits.push((id, evidence)),
            }
        }
        hits.sort_unstable_by_key(|h| h.0);
        let mut items = [("", Dimension::WeakRiskControl, 0.0); CATALOGUE.len()];
        let mut findings = String::with_capacity(hits.len() * 20);
        let codes: CodeSet = hits.iter().map(|h| h.0).collect();
        for (slot, (id, _)) in items.iter_mut().zip(&hits) {
            let (dimension, mut points) =
                self.enabled[id.index()].unwrap_or((Dimension::WeakRiskControl, 0.0));
            if *id == code::RC_HIGH_PD && pd_note.is_some() {
                // Information only: reported, worth no points (Severity::Info).
                points = 0.0;
            }
            *slot = (id.as_str(), dimension, points);
            if !findings.is_empty() {
                findings.push(';');
            }
            findings.push_str(id.as_str());
        }
        let scores = self.ruleset.scoring.scores_only(&items[..hits.len()]);
        // Evidence keyed by code in key order, as a JSON object prints.
        hits.sort_unstable_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let mut evidence = Vec::with_capacity(2 + 96 * hits.len());
        evidence.push(b'{');
        for (n, (id, value)) in hits.iter_mut().enumerate() {
            if n > 0 {
                evidence.push(b',');
            }
            evidence.push(b'"');
            evidence.extend_from_slice(id.as_str().as_bytes());
            evidence.extend_from_slice(b"\":");
            value.write_json(&mut evidence);
        }
        evidence.push(b'}');
        CompactAssessment {
            findings,
            codes,
            grade: self.ruleset.scoring.grade(scores.overall),
            scores,
            evidence: String::from_utf8(evidence).unwrap_or_default(),
        }
    }

    /// The threshold of `code`, if the ruleset enables it.
    fn t(&self, code: CodeId) -> Option<f64> {
        self.thresholds[code.index()]
    }

    /// Whether the ruleset enables `code`.
    fn on(&self, code: CodeId) -> bool {
        self.thresholds[code.index()].is_some()
    }

    /// The finding `code` when the row's `value` of column `field` is `beyond` the code's
    /// threshold (and the ruleset enables the code), with the value and the threshold (under
    /// `threshold_key`) as evidence.
    fn against_threshold<'b, V>(
        &self,
        code: CodeId,
        field: &'static str,
        value: Option<V>,
        beyond: Beyond,
        threshold_key: &'static str,
    ) -> Option<GrantHit<'b>>
    where
        V: Into<Field<'b>> + Into<f64> + Copy,
    {
        let (t, v) = (self.t(code)?, value?);
        beyond.holds(v.into(), t).then(|| {
            (
                code,
                Evidence::of([(field, v.into()), (threshold_key, t.into())]),
            )
        })
    }

    /// Codes row `i` meets, in [`GRANT_CODES`] order, with their evidence.
    pub fn evaluate<'b>(&self, b: &'b GrantBatch, i: usize) -> Vec<GrantHit<'b>>
    where
        'r: 'b,
    {
        let mut out = Vec::new();
        let income = b.monthly_income_minor[i].filter(|v| *v > 0);
        if b.income_verified[i] == Some(false) && self.on(code::RC_INCOME_UNVERIFIED) {
            out.push((
                code::RC_INCOME_UNVERIFIED,
                Evidence::of([("income_verified", 0i64.into())]),
            ));
        }
        if let (Some(t), Some(dti), Some(inc)) = (self.t(code::RC_DTI_HIGH), b.dti[i], income) {
            let payment = monthly_payment(b.principal_minor[i], b.apr[i], b.term_months[i]);
            let total = dti + payment / inc as f64;
            if total > t {
                out.push((
                    code::RC_DTI_HIGH,
                    Evidence::of([
                        ("dti", dti.into()),
                        ("dti_with_loan", total.into()),
                        ("monthly_income_minor", inc.into()),
                        ("payment_minor", payment.round().into()),
                        ("threshold", t.into()),
                    ]),
                ));
            }
        }
        if let (Some(t), Some(inc)) = (self.t(code::RC_LINE_TO_INCOME), income) {
            let multiple = b.principal_minor[i] as f64 / inc as f64;
            if multiple > t {
                out.push((
                    code::RC_LINE_TO_INCOME,
                    Evidence::of([
                        ("monthly_income_minor", inc.into()),
                        ("multiple", multiple.into()),
                        ("principal_minor", b.principal_minor[i].into()),
                        ("threshold", t.into()),
                    ]),
                ));
            }
        }
        if b.is_student[i] == Some(true) && self.on(code::RC_STUDENT) {
            out.push((
                code::RC_STUDENT,
                Evidence::of([("is_student", 1i64.into())]),
            ));
        }
        let age = b.borrower_age[i];
        let principal = PrincipalMinor(b.principal_minor[i]);
        out.extend(
            [
                self.against_threshold(
                    code::RC_MINOR,
                    "borrower_age",
                    age,
                    Beyond::Below,
                    "threshold",
                ),
                self.against_threshold(
                    code::RC_ELDERLY,
                    "borrower_age",
                    age,
                    Beyond::Above,
                    "threshold",
                ),
                self.against_threshold(
                    code::RC_BORROWER_CAP,
                    "principal_minor",
                    Some(principal),
                    Beyond::Above,
                    "threshold_minor",
                ),
            ]
            .into_iter()
            .flatten(),
        );
        if let Some((cap, nature)) = self.cap.filter(|_| self.on(code::RC_COST_CAP))
            && b.apr[i] > cap
        {
            out.push((
                code::RC_COST_CAP,
                Evidence::of([
                    ("apr", b.apr[i].into()),
                    ("cap", cap.into()),
                    ("cap_nature", nature.into()),
                ]),
            ));
        }
        out.extend(
            [
                self.against_threshold(
                    code::DC_MANY_LENDERS,
                    "active_lenders",
                    b.active_lenders[i],
                    Beyond::AtLeast,
                    "threshold",
                ),
                self.against_threshold(
                    code::DC_MANY_INQUIRIES,
                    "inquiries_30d",
                    b.inquiries_30d[i],
                    Beyond::AtLeast,
                    "threshold",
                ),
                self.against_threshold(
                    code::DC_NEW_WHILE_DELINQUENT,
                    "dpd_at_grant",
                    b.dpd_at_grant[i],
                    Beyond::AtLeast,
                    "threshold",
                ),
            ]
            .into_iter()
            .flatten(),
        );
        if let (Some(t), Some(true), Some(dpd)) = (
            self.t(code::DC_LINE_UP_DELINQUENT),
            b.line_increased[i],
            b.dpd_at_grant[i],
        ) && f64::from(dpd) > t
        {
            out.push((
                code::DC_LINE_UP_DELINQUENT,
                Evidence::of([
                    ("dpd_at_grant", dpd.into()),
                    ("line_increased", 1i64.into()),
                    ("threshold", t.into()),
                ]),
            ));
        }
        out
    }

    /// Codes of row `i` that need the other grants of its person (the duplicate-credit
    /// analysis of the whole batch), with their evidence.
    pub fn evaluate_dc<'b>(
        &self,
        b: &'b GrantBatch,
        i: usize,
        dc: DcChunk<'b>,
    ) -> Vec<GrantHit<'b>> {
        let mut out = Vec::new();
        let r = dc.row_for(Aggregate::Concurrent, i);
        if r.concurrent > 0 && self.on(code::DC_CONCURRENT_SAME_LENDER) {
            let ids: Vec<&str> = dc
                .partners(i)
                .iter()
                .take(20)
                .map(|&p| dc.analysis.grant_id(p as usize))
                .collect();
            out.push((
                code::DC_CONCURRENT_SAME_LENDER,
                Evidence::of([
                    ("as_of", dc.analysis.as_of.into()),
                    ("concurrent_grants", r.concurrent.into()),
                    ("concurrent_with", ids.into()),
                    ("institution_id", b.institution_id[i].as_str().into()),
                ]),
            ));
        }
        out.extend(self.against_threshold(
            code::DC_MANY_LENDERS,
            "open_institutions_in_data",
            Some(dc.row_for(Aggregate::ManyLenders, i).open_institutions),
            Beyond::AtLeast,
            "threshold",
        ));
        if let (Some(t), Some(inc)) = (
            self.t(code::DC_EXPOSURE_INCOME),
            b.monthly_income_minor[i].filter(|v| *v > 0),
        ) {
            let exposure = dc.row_for(Aggregate::Exposure, i).open_exposure_minor;
            let multiple = exposure as f64 / inc as f64;
            if multiple > t {
                out.push((
                    code::DC_EXPOSURE_INCOME,
                    Evidence::of([
                        ("monthly_income_minor", inc.into()),
                        ("multiple", multiple.into()),
                        ("open_exposure_minor", exposure.into()),
                        ("threshold", t.into()),
                    ]),
                ));
            }
        }
        if self.on(code::DC_SHARED_IDENTITY)
            && let Some(ev) = dc.analysis.shared_identity(dc.first + i)
        {
            out.push((code::DC_SHARED_IDENTITY, Evidence::SharedIdentity(ev)));
        }
        if self.on(code::DC_IDENTIFIER_HUB)
            && let Some(ev) = dc.analysis.hub_evidence(dc.first + i)
        {
            out.push((code::DC_IDENTIFIER_HUB, Evidence::Value(ev)));
        }
        out
    }

    /// RC-HIGH-PD of row `i` when its model PD is above the threshold, with the PD, the model
    /// and its reasons as evidence; when the model is not validated for these grants
    /// ([`GrantRules::pd_information_only`]), the reason is in the evidence under
    /// `information_only` and the finding is information only.
    pub fn evaluate_pd(&self, pds: &GrantPds, i: usize) -> Option<(CodeId, Value)> {
        if !self.pd_fires(pds, i) {
            return None;
        }
        let note = self.pd_information_only(pds);
        self.pd_hit(pds, i, note.as_deref())
            .map(|(code, ev)| (code, ev.into_value()))
    }

    /// Whether row `i`'s PD is above the RC-HIGH-PD threshold (the ruleset enabling the code).
    fn pd_fires(&self, pds: &GrantPds, i: usize) -> bool {
        self.t(code::RC_HIGH_PD)
            .zip(pds.pd.get(i))
            .is_some_and(|(t, pd)| *pd > t)
    }

    /// RC-HIGH-PD of row `i` with `note` (the information-only reason, computed once per
    /// batch) in its evidence.
    fn pd_hit<'p>(
        &self,
        pds: &'p GrantPds,
        i: usize,
        note: Option<&'p str>,
    ) -> Option<GrantHit<'p>> {
        let t = self.t(code::RC_HIGH_PD)?;
        let pd = *pds.pd.get(i)?;
        (pd > t).then(|| {
            (
                code::RC_HIGH_PD,
                Evidence::HighPd(pds.high_pd_evidence(i, t, note)),
            )
        })
    }

    /// The full assessment of row `i`, with the across-grant codes when `dc` is given.
    pub fn assess_with(&self, b: &GrantBatch, i: usize, dc: Option<DcChunk<'_>>) -> Assessment {
        self.assess_full(b, i, dc, None)
    }

    /// The full assessment of row `i`, with the across-grant codes when `dc` is given and
    /// RC-HIGH-PD when model PDs are.
    pub fn assess_full(
        &self,
        b: &GrantBatch,
        i: usize,
        dc: Option<DcChunk<'_>>,
        pds: Option<&GrantPds>,
    ) -> Assessment {
        let mut c = Collector::new(self.ruleset, Level::Grant);
        for (found, ev) in self.evaluate(b, i) {
            c.add(found, ev.into_value());
        }
        if let Some(dc) = dc {
            for (found, ev) in self.evaluate_dc(b, i, dc) {
                c.add(found, ev.into_value());
            }
        }
        if let Some(p) = pds
            && self.pd_fires(p, i)
        {
            // The information-only reason, worked out once, where the finding fires.
            let note = self.pd_information_only(p);
            if let Some((found, ev)) = self.pd_hit(p, i, note.as_deref()) {
                if note.is_some() {
                    c.add_information(found, ev.into_value());
                } else {
                    c.add(found, ev.into_value());
                }
            }
        }
        score_findings(self.ruleset, c.into_findings())
    }

    /// Just the codes of row `i`.
    pub fn codes(&self, b: &GrantBatch, i: usize) -> Vec<&'static str> {
        self.evaluate(b, i)
            .into_iter()
            .map(|(c, _)| c.as_str())
            .collect()
    }

    /// The assessment of row `i` from its own columns only (no across-grant codes).
    pub fn assess(&self, b: &GrantBatch, i: usize) -> Assessment {
        self.assess_with(b, i, None)
    }
}

/// A principal in minor units, compared with a threshold as a number and written as an
/// integer in evidence.
#[derive(Debug, Clone, Copy)]
struct PrincipalMinor(i64);

impl From<PrincipalMinor> for f64 {
    fn from(v: PrincipalMinor) -> f64 {
        v.0 as f64
    }
}

impl From<PrincipalMinor> for Field<'_> {
    fn from(v: PrincipalMinor) -> Self {
        Field::Int(v.0)
    }
}

/// Assesses every grant of a batch in parallel (rayon over chunks of rows), in row order, with
/// the duplicate-credit analysis of the whole batch (open grants run to `as_of`, default the
/// latest date in the data). Returns the rows and the analysis (persons, partners).
pub fn assess_grants(
    batch: &GrantBatch,
    ruleset: &Ruleset,
    as_of: Option<Date>,
    pds: Option<&GrantPds>,
) -> (Vec<GrantRow>, DcAnalysis) {
    let dc = DcAnalysis::analyse(batch, as_of, &DcSettings::from_ruleset(ruleset));
    let rows = assess_grant_chunk(batch, ruleset, dc.whole(), pds);
    (rows, dc)
}

/// Assesses every grant of `chunk` (rayon over blocks of rows), in row order, against the
/// duplicate-credit analysis of the whole input seen from the chunk (`dc`); `pds` are the
/// chunk's PDs. A batch streamed in chunks gives the rows a single [`assess_grants`] gives.
pub fn assess_grant_chunk(
    chunk: &GrantBatch,
    ruleset: &Ruleset,
    dc: DcChunk<'_>,
    pds: Option<&GrantPds>,
) -> Vec<GrantRow> {
    let rules = GrantRules::new(ruleset, None);
    let pd_note = pds.and_then(|p| rules.pd_information_only(p));
    (0..chunk.len())
        .into_par_iter()
        .with_min_len(2_048)
        .map(|i| {
            let a = rules.assess_compact(chunk, i, Some(dc), pds, pd_note.as_deref());
            GrantRow {
                index: i,
                findings: a.findings,
                codes: a.codes,
                scores: a.scores,
                grade: a.grade,
                evidence: a.evidence,
                pd: pds.and_then(|p| p.pd.get(i).copied()),
                pd_score: pds.and_then(|p| p.score.get(i).copied().flatten()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::assess_product;
    use crate::assess::fixtures::{clean_product, clean_row, cn, dc_batch, lex, pds};
    use crate::domain::GrantRecord;
    use serde_json::Value;

    fn row_codes(r: GrantRecord) -> Vec<&'static str> {
        let mut b = GrantBatch::default();
        b.push(1, r).unwrap();
        GrantRules::new(&cn(), None).codes(&b, 0)
    }

    #[test]
    fn the_batch_evidence_text_is_the_full_assessment_evidence_printed() {
        // One borrower at ten lenders: DC-MANY-LENDERS found both from the row's own column and
        // from the analysis (merged), the concurrent and shared-identity codes, RC-HIGH-PD.
        let mut b = GrantBatch::default();
        for k in 0..10 {
            let mut r = clean_row();
            r.grant_id = format!("G{k}");
            r.institution_id = format!("I{}", k % 7);
            r.borrower_key = format!("k{}", k % 2);
            r.granted_at = Date::parse(&format!("2024-03-{:02}", k + 1)).ok();
            r.device_hash = Some("dv".into());
            r.active_lenders = Some(5);
            r.income_verified = Some(k % 3 != 0);
            r.apr = 0.1 + 0.05 * k as f64;
            b.push(k + 1, r).unwrap();
        }
        let ruleset = cn();
        let rules = GrantRules::new(&ruleset, None);
        let dc = DcAnalysis::analyse(&b, None, &DcSettings::from_ruleset(&ruleset));
        let values: Vec<f64> = (0..10).map(|k| 0.05 * k as f64).collect();
        let p = pds(&values);
        let rows = assess_grant_chunk(&b, &ruleset, dc.whole(), Some(&p));
        let mut merged_seen = false;
        for (i, row) in rows.iter().enumerate() {
            let full = rules.assess_full(&b, i, Some(dc.whole()), Some(&p));
            let expected: serde_json::Map<String, Value> = full
                .findings
                .iter()
                .map(|f| (f.code.clone(), f.evidence.to_value()))
                .collect();
            // The batch's text: the codes' object (the model's PD, score and reasons are
            // columns of the batch, not in this text).
            let expected = Value::Object(expected).to_string();
            assert_eq!(row.evidence, expected, "row {i}");
            // The set of codes is the findings text's, code for code.
            let codes: CodeSet = full
                .findings
                .iter()
                .filter_map(|f| CodeId::find(&f.code))
                .collect();
            assert_eq!(row.codes, codes, "row {i}");
            assert_eq!(row.codes, CodeSet::from_codes(row.findings.split(';')));
            merged_seen |= row
                .evidence
                .contains("\"active_lenders\":5,\"open_institutions_in_data\"");
        }
        assert!(merged_seen, "no row merged DC-MANY-LENDERS: {rows:#?}");
        assert!(rows.iter().any(|r| r.findings.contains("RC-HIGH-PD")));
        assert!(
            rows.iter()
                .any(|r| r.findings.contains("DC-SHARED-IDENTITY"))
        );
    }

    #[test]
    fn the_high_pd_evidence_is_the_rows_pd_evidence_with_the_threshold_and_the_note() {
        let mut p = pds(&[0.1, 0.5]);
        p.absent_inputs = vec!["dti".into()];
        p.score = vec![Some(512.25), None];
        p.reasons[0].push(crate::pd::PdReason {
            feature: "inquiries_6m".into(),
            bin: "(2, \"+inf\"]".into(),
            impact: 0.1 + 0.2,
        });
        for i in 0..2 {
            for note in [None, Some("model pd_test@1 was validated on \"US\" data")] {
                let typed = p.high_pd_evidence(i, 0.3, note);
                let mut expected = p.evidence(i);
                expected["threshold"] = serde_json::json!(0.3);
                if let Some(note) = note {
                    expected["information_only"] = serde_json::json!(note);
                }
                assert_eq!(serde_json::to_value(&typed).unwrap(), expected);
                let mut text = Vec::new();
                crate::evidence::Evidence::HighPd(typed).write_json(&mut text);
                assert_eq!(String::from_utf8(text).unwrap(), expected.to_string());
            }
        }
    }

    #[test]
    fn high_pd_fires_above_the_threshold_with_the_model_evidence() {
        let b = dc_batch();
        let ruleset = cn();
        let rules = GrantRules::new(&ruleset, None);
        let mut product = clean_product();
        product.product_id = "P-001".into();
        // Threshold 0.30: 0.3001 fires, 0.30 does not.
        let mut values = vec![0.1; 10];
        values[3] = 0.3001;
        values[4] = 0.30;
        let p = pds(&values);
        let fired = rules.assess_full(&b, 3, None, Some(&p));
        let f = fired
            .findings
            .iter()
            .find(|f| f.code == "RC-HIGH-PD")
            .unwrap();
        assert_eq!(f.evidence.to_value()["pd"], 0.3001);
        assert_eq!(f.evidence.to_value()["threshold"], 0.3);
        assert_eq!(f.evidence.to_value()["model"], "pd_test@1");
        assert_eq!(f.evidence.to_value()["reasons"][0]["feature"], "apr");
        let near = rules.assess_full(&b, 4, None, Some(&p));
        assert!(near.findings.iter().all(|f| f.code != "RC-HIGH-PD"));
        // Without PDs the code is not evaluated.
        assert!(
            rules
                .assess(&b, 3)
                .findings
                .iter()
                .all(|f| f.code != "RC-HIGH-PD")
        );
        let (rows, _) = assess_grants(&b, &cn(), None, Some(&p));
        assert_eq!(rows[3].pd, Some(0.3001));
        let ev: Value = serde_json::from_str(&rows[3].evidence).unwrap();
        assert_eq!(ev["RC-HIGH-PD"]["reasons"][0]["feature"], "apr");
        assert_eq!(ev["RC-HIGH-PD"]["pd"], 0.3001);
        // Below the threshold: no RC-HIGH-PD evidence; the PD is in the row's columns.
        assert!(
            !rows[0].evidence.contains("RC-HIGH-PD"),
            "{}",
            rows[0].evidence
        );
        assert!(!rows[0].evidence.contains("\"pd\""), "{}", rows[0].evidence);
        assert_eq!(rows[0].pd, Some(0.1));
        assert!(rows[3].findings.contains("RC-HIGH-PD"));
        // Portfolio: 1 of 10 above (10 %) is not more than portfolio_share 0.10; 2 of 10 is.
        let a = assess_product(&product, Some(&b), Some(&p), None, &cn(), &lex()).unwrap();
        let stats = a.portfolio.as_ref().unwrap().pd.as_ref().unwrap();
        assert!((stats.share_above_threshold - 0.1).abs() < 1e-12);
        assert!(
            a.assessment
                .findings
                .iter()
                .all(|f| !(f.code == "RC-HIGH-PD" && f.level == Level::Portfolio))
        );
        values[5] = 0.9;
        let a =
            assess_product(&product, Some(&b), Some(&pds(&values)), None, &cn(), &lex()).unwrap();
        let f = a
            .assessment
            .findings
            .iter()
            .find(|f| f.code == "RC-HIGH-PD" && f.level == Level::Portfolio)
            .unwrap();
        assert_eq!(f.evidence.to_value()["share_above_threshold"], 0.2);
        assert_eq!(f.evidence.to_value()["portfolio_share"], 0.1);
    }

    /// PDs of the fixture model validated on `jurisdiction` and `currency`.
    fn pds_validated_on(values: &[f64], jurisdiction: &str, currency: &str) -> GrantPds {
        let mut p = pds(values);
        p.validation = Some(crate::pd::ModelValidation {
            jurisdiction: jurisdiction.into(),
            currency: currency.into(),
            population: "LendingClub personal loans issued 2007-2011".into(),
        });
        p
    }

    fn high_pd(a: &Assessment) -> Option<&crate::findings::Finding> {
        a.findings.iter().find(|f| f.code == "RC-HIGH-PD")
    }

    #[test]
    fn a_model_validated_elsewhere_gives_information_only_findings_worth_no_points() {
        use crate::findings::Severity;
        let b = dc_batch();
        let ruleset = cn();
        let rules = GrantRules::new(&ruleset, None);
        let mut values = vec![0.1; 10];
        values[3] = 0.9;
        // Validated on CN data: the finding keeps the ruleset's severity and its points.
        let cn_model = pds_validated_on(&values, "CN", "CNY");
        let full = rules.assess_full(&b, 3, None, Some(&cn_model));
        let f = high_pd(&full).unwrap();
        assert_eq!(f.severity, ruleset.code("RC-HIGH-PD").unwrap().severity);
        assert!(f.evidence.to_value().get("information_only").is_none());
        let without = rules.assess(&b, 3);
        assert!(full.scores.overall > without.scores.overall);
        // Validated on US data: information only, with the reason, and no points.
        let us_model = pds_validated_on(&values, "US", "USD");
        let info = rules.assess_full(&b, 3, None, Some(&us_model));
        let f = high_pd(&info).unwrap();
        assert_eq!(f.severity, Severity::Info);
        let evidence = f.evidence.to_value();
        let reason = evidence["information_only"].as_str().unwrap();
        assert!(
            reason.contains("US") && reason.contains("not on CN data"),
            "{reason}"
        );
        assert_eq!(info.scores, without.scores);
        assert_eq!(info.grade, without.grade);
        // A model that states no validation is information only too.
        let mut unstated = us_model.clone();
        unstated.validation = None;
        let f = rules.assess_full(&b, 3, None, Some(&unstated));
        assert_eq!(high_pd(&f).unwrap().severity, Severity::Info);
        // The batch path agrees: code listed, no points, the reason in the evidence.
        let dc = DcAnalysis::analyse(&b, None, &DcSettings::from_ruleset(&ruleset));
        let rows = assess_grant_chunk(&b, &ruleset, dc.whole(), Some(&us_model));
        let plain = assess_grant_chunk(&b, &ruleset, dc.whole(), None);
        assert!(rows[3].findings.contains("RC-HIGH-PD"));
        assert_eq!(rows[3].scores, plain[3].scores);
        assert!(rows[3].evidence.contains("\"information_only\":"));
        // A ruleset that lists the model as validated for its jurisdiction restores it.
        let mut listed = cn();
        listed
            .codes
            .get_mut("RC-HIGH-PD")
            .unwrap()
            .validated_models
            .push(us_model.model.clone());
        let rules = GrantRules::new(&listed, None);
        let f = rules.assess_full(&b, 3, None, Some(&us_model));
        assert_eq!(
            high_pd(&f).unwrap().severity,
            listed.code("RC-HIGH-PD").unwrap().severity
        );
        let rows = assess_grant_chunk(&b, &listed, dc.whole(), Some(&us_model));
        assert!(rows[3].scores.overall > plain[3].scores.overall);
    }

    #[test]
    fn a_loan_book_in_another_currency_gets_information_only_model_findings() {
        use crate::findings::Severity;
        let b = dc_batch();
        let mut product = clean_product();
        product.product_id = "P-001".into();
        let values = vec![0.9; 10];
        // Validated on CN data in CNY: the portfolio finding counts.
        let a =
            assess_product(&product, Some(&b), Some(&pds(&values)), None, &cn(), &lex()).unwrap();
        let f = a
            .assessment
            .findings
            .iter()
            .find(|f| f.code == "RC-HIGH-PD" && f.level == Level::Portfolio)
            .unwrap();
        assert_ne!(f.severity, Severity::Info);
        // Validated on CN data in another currency: information only.
        let other = pds_validated_on(&values, "CN", "USD");
        let a = assess_product(&product, Some(&b), Some(&other), None, &cn(), &lex()).unwrap();
        let f = a
            .assessment
            .findings
            .iter()
            .find(|f| f.code == "RC-HIGH-PD")
            .unwrap();
        assert_eq!(f.severity, Severity::Info);
        assert!(
            f.evidence.to_value()["information_only"]
                .as_str()
                .unwrap()
                .contains("USD")
        );
        let stats = a.portfolio.unwrap().pd.unwrap();
        assert!(stats.information_only.is_some());
    }

    type RowEdit = fn(&mut GrantRecord);

    #[test]
    fn each_grant_code_fires_and_its_near_miss_does_not() {
        assert!(
            row_codes(clean_row()).is_empty(),
            "{:?}",
            row_codes(clean_row())
        );
        let cases: Vec<(&str, RowEdit, RowEdit)> = vec![
            (
                "RC-INCOME-UNVERIFIED",
                |r| r.income_verified = Some(false),
                |r| r.income_verified = None,
            ),
            (
                "RC-DTI-HIGH",
                |r| r.dti = Some(0.45),
                |r| r.dti = Some(0.30),
            ),
            (
                "RC-LINE-TO-INCOME",
                |r| r.principal_minor = 12_000_001,
                |r| r.principal_minor = 12_000_000,
            ),
            (
                "RC-STUDENT",
                |r| r.is_student = Some(true),
                |r| r.is_student = None,
            ),
            (
                "RC-MINOR",
                |r| r.borrower_age = Some(17),
                |r| r.borrower_age = Some(18),
            ),
            (
                "RC-ELDERLY",
                |r| r.borrower_age = Some(66),
                |r| r.borrower_age = Some(65),
            ),
            (
                "RC-BORROWER-CAP",
                |r| {
                    r.principal_minor = 20_000_001;
                    r.monthly_income_minor = Some(100_000_000)
                },
                |r| {
                    r.principal_minor = 20_000_000;
                    r.monthly_income_minor = Some(100_000_000)
                },
            ),
            ("RC-COST-CAP", |r| r.apr = 0.2401, |r| r.apr = 0.24),
            (
                "DC-MANY-LENDERS",
                |r| r.active_lenders = Some(4),
                |r| r.active_lenders = Some(3),
            ),
            (
                "DC-MANY-INQUIRIES",
                |r| r.inquiries_30d = Some(5),
                |r| r.inquiries_30d = Some(4),
            ),
            (
                "DC-NEW-WHILE-DELINQUENT",
                |r| r.dpd_at_grant = Some(30),
                |r| r.dpd_at_grant = Some(29),
            ),
            (
                "DC-LINE-UP-DELINQUENT",
                |r| {
                    r.line_increased = Some(true);
                    r.dpd_at_grant = Some(1)
                },
                |r| r.line_increased = Some(true),
            ),
        ];
        for (code, fire, near) in cases {
            let mut r = clean_row();
            fire(&mut r);
            assert!(
                row_codes(r.clone()).contains(&code),
                "{code} should fire: {:?}",
                row_codes(r)
            );
            let mut q = clean_row();
            near(&mut q);
            assert!(
                !row_codes(q.clone()).contains(&code),
                "{code} near miss fired: {:?}",
                row_codes(q)
            );
        }
    }
}
