//! Assessments: the findings, scores and grade of a product (with its loan book), a grant, or
//! a dispute case, under a ruleset and the marketing lexicons.
//!
//! Every finding carries the numbers that triggered it and the threshold applied, so each
//! figure traces to an input and a rule. Grants are assessed row by row from the columnar
//! batch (rayon over chunks of rows); a row gives the same result alone or inside any batch.

use crate::catalogue::{CATALOGUE, catalogue_index};
use crate::date::Date;
use crate::dc::{DcAnalysis, DcChunk};
use crate::domain::grant::GrantBatch;
use crate::domain::product::{FeePer, ProductKind};
use crate::domain::{Case, Cause, Product, Repayment};
use crate::error::EngineError;
use crate::evidence::Evidence;
use crate::findings::{Contribution, Dimension, Finding, Level, Scores};
use crate::marketing::{AdFacts, Category, Lexicons, PhraseMatch, extract_rates};
use crate::pd::GrantPds;
use crate::rates::apr::annualise_quote;
use crate::rates::{
    ApplicableCap, CaseCost, LoanTerms, applicable_cap, apr_of_terms, case_cost, check_cap,
};
use crate::ruleset::Ruleset;
use rayon::prelude::*;
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

/// The cause whose cap applies to a product of this kind.
pub fn cause_of_kind(kind: ProductKind) -> Cause {
    match kind {
        ProductKind::Microloan => Cause::Microloan,
        ProductKind::CreditCard => Cause::CreditCard,
        ProductKind::CreditLine | ProductKind::Installment => Cause::ConsumerFinance,
        ProductKind::CashLoan => Cause::FinancialLoan,
    }
}

/// Collects findings at one level, one per code (evidence merged).
struct Collector<'r> {
    ruleset: &'r Ruleset,
    level: Level,
    evidence: BTreeMap<&'static str, Value>,
}

impl<'r> Collector<'r> {
    fn new(ruleset: &'r Ruleset, level: Level) -> Self {
        Self {
            ruleset,
            level,
            evidence: BTreeMap::new(),
        }
    }

    /// The threshold of an enabled code; `None` if switched off.
    fn threshold(&self, code: &str) -> Option<f64> {
        self.ruleset.code(code).map(|r| r.threshold())
    }

    fn enabled(&self, code: &str) -> bool {
        self.ruleset.code(code).is_some()
    }

    /// Adds evidence for `code` if enabled; object evidence of repeated calls is merged.
    fn add(&mut self, code: &'static str, evidence: Value) {
        if !self.enabled(code) {
            return;
        }
        match self.evidence.get_mut(code) {
            Some(Value::Object(existing)) => {
                if let Value::Object(new) = evidence {
                    for (k, v) in new {
                        existing.insert(k, v);
                    }
                }
            }
            _ => {
                self.evidence.insert(code, evidence);
            }
        }
    }

    /// RC-MINOR when the lowest age is below its threshold, RC-ELDERLY when the highest age is
    /// above its threshold; each value comes with the field it was read from.
    fn age_limits(&mut self, lowest: Option<(&str, i64)>, highest: Option<(&str, i64)>) {
        if let (Some(t), Some((field, age))) = (self.threshold("RC-MINOR"), lowest)
            && (age as f64) < t
        {
            self.add("RC-MINOR", json!({ field: age, "threshold": t }));
        }
        if let (Some(t), Some((field, age))) = (self.threshold("RC-ELDERLY"), highest)
            && age as f64 > t
        {
            self.add("RC-ELDERLY", json!({ field: age, "threshold": t }));
        }
    }

    fn into_findings(self) -> Vec<Finding> {
        let mut out = Vec::with_capacity(self.evidence.len());
        for spec in &CATALOGUE {
            let (Some(evidence), Some(rule)) =
                (self.evidence.get(spec.code), self.ruleset.code(spec.code))
            else {
                continue;
            };
            out.push(Finding {
                code: spec.code.to_string(),
                dimension: Dimension::of_code(spec.code).unwrap_or(Dimension::WeakRiskControl),
                severity: rule.severity,
                level: self.level,
                evidence: evidence.clone(),
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

fn phrase_json(ad: usize, m: &PhraseMatch) -> Value {
    json!({ "ad": ad, "phrase": m.phrase, "start": m.start, "end": m.end })
}

/// Text checks shared by products (ads) and cases (marketing texts): MK-NO-APR,
/// MK-PERIODIC-RATE, MK-FALSE-FREE, MK-INDUCEMENT, MK-VULNERABLE-TARGET, MK-NO-RISK-WARNING.
fn text_findings(c: &mut Collector<'_>, facts: &[AdFacts], max_apr: f64, context: Value) {
    if facts.is_empty() {
        return;
    }
    let mut per_code: BTreeMap<&'static str, Vec<Value>> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate() {
        if let Some(m) = f.no_apr() {
            per_code
                .entry("MK-NO-APR")
                .or_default()
                .push(phrase_json(i, m));
        }
        if let Some(m) = f.periodic_first() {
            per_code
                .entry("MK-PERIODIC-RATE")
                .or_default()
                .push(phrase_json(i, m));
        }
        if max_apr > 0.0 {
            for m in f.of_category(Category::Free) {
                per_code
                    .entry("MK-FALSE-FREE")
                    .or_default()
                    .push(phrase_json(i, m));
            }
        }
        for m in f.of_category(Category::Inducement) {
            per_code
                .entry("MK-INDUCEMENT")
                .or_default()
                .push(phrase_json(i, m));
        }
        for m in f.of_category(Category::Vulnerable) {
            per_code
                .entry("MK-VULNERABLE-TARGET")
                .or_default()
                .push(phrase_json(i, m));
        }
    }
    for (code, matches) in per_code {
        let mut ev = json!({ "matches": matches });
        if code == "MK-FALSE-FREE" {
            ev["apr"] = json!(max_apr);
        }
        merge(&mut ev, &context);
        c.add(code, ev);
    }
    if !facts.iter().any(AdFacts::has_risk_warning) {
        let mut ev = json!({ "ads_checked": facts.len() });
        merge(&mut ev, &context);
        c.add("MK-NO-RISK-WARNING", ev);
    }
}

fn merge(target: &mut Value, extra: &Value) {
    if let (Value::Object(t), Value::Object(e)) = (target, extra) {
        for (k, v) in e {
            t.insert(k.clone(), v.clone());
        }
    }
}

/// The APR of a product for one of its terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermApr {
    /// Term, months.
    pub term_months: u32,
    /// Principal the figures are for (a typical loan within the product's limits), minor units.
    pub principal_minor: i64,
    /// Nominal APR.
    pub apr_nominal: f64,
    /// Effective APR.
    pub apr_effective: f64,
    /// The jurisdiction's legal APR.
    pub apr: f64,
    /// Whether within the applicable cap.
    pub within_cap: bool,
}

/// Statistics of a product's loan book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioStats {
    /// Grants of this product assessed.
    pub grants: usize,
    /// Rows of the table for other products (not assessed here).
    pub other_product_rows: usize,
    /// Share of grants to students (of those with the flag).
    pub share_student: Option<f64>,
    /// Share with unverified income.
    pub share_income_unverified: Option<f64>,
    /// Share with RC-DTI-HIGH.
    pub share_dti_high: f64,
    /// First-payment-default rate (of those with the outcome).
    pub fpd_rate: Option<f64>,
    /// Default rate (of those with the outcome).
    pub default_rate: Option<f64>,
    /// Mean APR.
    pub mean_apr: f64,
    /// Open grants at the as-of date.
    pub open_at_as_of: usize,
    /// The as-of date used.
    pub as_of: Option<Date>,
    /// Grants carrying each grant-level code.
    pub code_counts: BTreeMap<String, usize>,
    /// Model PDs of the product's grants, when a PD model was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pd: Option<PortfolioPd>,
}

/// Model PDs of a loan book.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioPd {
    /// The model's id.
    pub model: String,
    /// Mean PD of the product's grants.
    pub mean_pd: f64,
    /// Share of the product's grants with a PD above the RC-HIGH-PD threshold.
    pub share_above_threshold: f64,
    /// The RC-HIGH-PD threshold.
    pub threshold: f64,
    /// Model inputs the table did not have.
    pub absent_inputs: Vec<String>,
}

/// The assessment of a product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductAssessment {
    /// Product id.
    pub product_id: String,
    /// Institution id.
    pub institution_id: String,
    /// Ruleset version.
    pub ruleset_version: String,
    /// Lexicon versions.
    pub lexicon_versions: Vec<String>,
    /// The applicable cap.
    pub cap: ApplicableCap,
    /// APR per term.
    pub apr_by_term: Vec<TermApr>,
    /// Loan-book statistics, when grants were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioStats>,
    /// Findings, scores and grade.
    #[serde(flatten)]
    pub assessment: Assessment,
}

/// A typical principal for quoting a product: 10,000 major units within its limits.
fn quote_principal(p: &Product) -> i64 {
    1_000_000i64.clamp(
        p.limits.min_principal_minor,
        p.limits
            .max_principal_minor
            .max(p.limits.min_principal_minor),
    )
}

/// Assesses a validated product, and its grants when given (rows of other products are counted
/// and left out). `as_of` defaults to the latest date in the grants.
pub fn assess_product(
    product: &Product,
    grants: Option<&GrantBatch>,
    pds: Option<&GrantPds>,
    as_of: Option<Date>,
    ruleset: &Ruleset,
    lexicons: &Lexicons,
) -> Result<ProductAssessment, EngineError> {
    let mut c = Collector::new(ruleset, Level::Product);
    let k = &product.controls;
    let pr = &product.pricing;
    if k.verifies_income == Some(false) {
        c.add(
            "RC-INCOME-UNVERIFIED",
            json!({ "controls.verifies_income": false }),
        );
    }
    if k.checks_credit_bureau == Some(false) && k.checks_multi_lending == Some(false) {
        c.add("RC-NO-BUREAU-CHECK", json!({ "controls.checks_credit_bureau": false, "controls.checks_multi_lending": false }));
    }
    if let (Some(t), Some(v)) = (c.threshold("RC-DTI-HIGH"), k.max_dti)
        && v > t
    {
        c.add(
            "RC-DTI-HIGH",
            json!({ "controls.max_dti": v, "threshold": t }),
        );
    }
    if let (Some(t), Some(v)) = (c.threshold("RC-LINE-TO-INCOME"), k.max_line_to_income)
        && v > t
    {
        c.add(
            "RC-LINE-TO-INCOME",
            json!({ "controls.max_line_to_income": v, "threshold": t }),
        );
    }
    if k.allows_students == Some(true) {
        c.add("RC-STUDENT", json!({ "controls.allows_students": true }));
    }
    c.age_limits(
        k.min_age.map(|v| ("controls.min_age", v)),
        k.max_age.map(|v| ("controls.max_age", v)),
    );
    if let (Some(rule), Some(secs)) = (ruleset.code("RC-FAST-APPROVAL"), k.median_approval_seconds)
    {
        let line_limit = rule.param("income_multiple") * rule.param("typical_monthly_income_minor");
        if secs < rule.threshold() && product.limits.max_principal_minor as f64 > line_limit {
            c.add(
                "RC-FAST-APPROVAL",
                json!({ "controls.median_approval_seconds": secs, "threshold_seconds": rule.threshold(),
                        "limits.max_principal_minor": product.limits.max_principal_minor, "large_line_minor": line_limit }),
            );
        }
    }
    if let Some(t) = c.threshold("RC-BORROWER-CAP")
        && product.limits.max_principal_minor as f64 > t
    {
        c.add("RC-BORROWER-CAP", json!({ "limits.max_principal_minor": product.limits.max_principal_minor, "threshold_minor": t }));
    }
    let longest = pr.term_months.iter().copied().max().unwrap_or(0);
    if let Some(t) = c.threshold("RC-BULLET-TERM")
        && matches!(pr.repayment, Repayment::Bullet | Repayment::InterestOnly)
        && longest as f64 > t
    {
        c.add("RC-BULLET-TERM", json!({ "pricing.repayment": pr.repayment.as_str(), "longest_term_months": longest, "threshold_months": t }));
    }
    if let (Some(t), Some(v)) = (c.threshold("RC-JOINT-SHARE"), k.funding_share)
        && v < t
    {
        c.add(
            "RC-JOINT-SHARE",
            json!({ "controls.funding_share": v, "threshold": t }),
        );
    }

    // Pricing: APR of a typical loan for every term, against the cap.
    let principal = quote_principal(product);
    let monthly_fixed = product.monthly_mandatory_fees_minor();
    let upfront = (pr.upfront_fee_rate * principal as f64).round() as i64
        + product.once_mandatory_fees_minor();
    let cause = cause_of_kind(product.kind);
    let mut apr_by_term = Vec::with_capacity(pr.term_months.len());
    let mut cap = ApplicableCap::None {
        reason: "no term".into(),
    };
    for &term in &pr.term_months {
        let terms = LoanTerms {
            principal_minor: principal,
            term_months: u32::try_from(term).unwrap_or(0),
            repayment: pr.repayment,
            nominal_annual_rate: pr.nominal_annual_rate,
            monthly_fee_rate: pr.monthly_fee_rate,
            upfront_fee_minor: upfront.min(principal - 1),
            monthly_fixed_fee_minor: monthly_fixed,
        };
        let (schedule, figures) = apr_of_terms(&terms).map_err(|e| prefix_terms(e, "pricing."))?;
        cap = applicable_cap(
            ruleset,
            cause,
            product.launched_at,
            None,
            figures.apr_effective,
            terms.term_months,
        )
        .map_err(|e| prefix_terms(e, "product."))?;
        let check = check_cap(&cap, &figures, &schedule, ruleset.apr.report_borderline);
        apr_by_term.push(TermApr {
            term_months: terms.term_months,
            principal_minor: principal,
            apr_nominal: figures.apr_nominal,
            apr_effective: figures.apr_effective,
            apr: figures.legal(ruleset.apr.legal_definition),
            within_cap: check.within_cap,
        });
    }
    let above: Vec<&TermApr> = apr_by_term.iter().filter(|t| !t.within_cap).collect();
    if !above.is_empty() {
        let cap_rate = match &cap {
            ApplicableCap::AnnualRate { rate, .. } => json!(rate),
            _ => Value::Null,
        };
        c.add(
            "RC-COST-CAP",
            json!({ "terms_above_cap": above.iter().map(|t| json!({ "term_months": t.term_months, "apr": t.apr })).collect::<Vec<_>>(),
                    "cap": cap_rate, "principal_minor": principal }),
        );
    }
    let min_apr = apr_by_term
        .iter()
        .map(|t| t.apr)
        .fold(f64::INFINITY, f64::min);
    let max_apr = apr_by_term.iter().map(|t| t.apr).fold(0.0, f64::max);
    if let (Some(t), Some(q)) = (c.threshold("MK-RATE-UNDERSTATED"), pr.advertised_rate) {
        let annual = annualise_quote(q.value, q.unit, ruleset.apr.quoted_rate_day_basis).simple;
        if min_apr.is_finite() && annual < min_apr - t {
            c.add(
                "MK-RATE-UNDERSTATED",
                json!({ "pricing.advertised_rate": { "value": q.value, "unit": q.unit }, "advertised_annualised": annual,
                        "lowest_apr": min_apr, "gap": min_apr - annual, "threshold": t }),
            );
        }
    }

    // Rates stated in the ads, annualised, against the lowest APR.
    if let Some(t) = c
        .threshold("MK-RATE-UNDERSTATED")
        .filter(|_| min_apr.is_finite())
    {
        let mut stated = Vec::new();
        for (ad, a) in product.marketing.iter().enumerate() {
            for r in extract_rates(&a.text) {
                let annual =
                    annualise_quote(r.value, r.unit, ruleset.apr.quoted_rate_day_basis).simple;
                if annual < min_apr - t {
                    stated.push(json!({ "ad": ad, "phrase": r.phrase, "start": r.start, "end": r.end, "value": r.value,
                                        "unit": r.unit, "annualised": annual, "labelled_annualised": r.annualised_label, "from_rate": r.from }));
                }
            }
        }
        if !stated.is_empty() {
            c.add(
                "MK-RATE-UNDERSTATED",
                json!({ "stated_in_ads": stated, "lowest_apr": min_apr, "threshold": t }),
            );
        }
    }

    // Ads.
    let facts: Vec<AdFacts> = product
        .marketing
        .iter()
        .map(|a| AdFacts::of(&a.text, lexicons))
        .collect();
    text_findings(&mut c, &facts, max_apr, json!({}));
    if !facts.is_empty() {
        let mut fees: Vec<String> = product
            .pricing
            .other_fees
            .iter()
            .filter(|f| f.mandatory)
            .map(|f| {
                format!(
                    "{} ({} per {})",
                    f.name,
                    f.amount_minor,
                    if f.per == FeePer::Month {
                        "month"
                    } else {
                        "loan"
                    }
                )
            })
            .collect();
        if pr.monthly_fee_rate > 0.0 {
            fees.push(format!(
                "monthly fee {}% of principal",
                pr.monthly_fee_rate * 100.0
            ));
        }
        if pr.upfront_fee_rate > 0.0 {
            fees.push(format!(
                "up-front fee {}% of principal",
                pr.upfront_fee_rate * 100.0
            ));
        }
        let named = |name: &str| {
            product
                .marketing
                .iter()
                .any(|a| a.text.to_lowercase().contains(&name.to_lowercase()))
        };
        // A fee named in a denial ("no hidden fees", 无手续费) does not disclose it.
        let any_fee_phrase = product.marketing.iter().zip(&facts).any(|(ad, f)| {
            f.of_category(Category::Fee)
                .any(|m| !denied(&ad.text, m.start))
        });
        let unnamed_other = product
            .pricing
            .other_fees
            .iter()
            .any(|f| f.mandatory && !named(&f.name));
        if !fees.is_empty()
            && !any_fee_phrase
            && (unnamed_other || pr.monthly_fee_rate > 0.0 || pr.upfront_fee_rate > 0.0)
        {
            c.add(
                "MK-HIDDEN-FEE",
                json!({ "mandatory_fees": fees, "ads_checked": facts.len() }),
            );
        }
    }
    let mut findings = c.into_findings();

    // Loan book.
    let portfolio = match grants {
        Some(batch) => {
            let (stats, portfolio_findings) = assess_portfolio(product, batch, pds, as_of, ruleset);
            // A code found in the terms and in the loan book is one finding (counted once),
            // with the loan-book evidence under `portfolio`.
            for pf in portfolio_findings {
                match findings.iter_mut().find(|f| f.code == pf.code) {
                    Some(existing) => existing.evidence["portfolio"] = pf.evidence,
                    None => findings.push(pf),
                }
            }
            let order = |code: &str| {
                CATALOGUE
                    .iter()
                    .position(|c| c.code == code)
                    .unwrap_or(usize::MAX)
            };
            findings.sort_by_key(|f| order(&f.code));
            Some(stats)
        }
        None => None,
    };
    Ok(ProductAssessment {
        product_id: product.product_id.clone(),
        institution_id: product.institution_id.clone(),
        ruleset_version: ruleset.version.clone(),
        lexicon_versions: lexicons
            .versions()
            .into_iter()
            .map(str::to_string)
            .collect(),
        cap,
        apr_by_term,
        portfolio,
        assessment: score_findings(ruleset, findings),
    })
}

/// Whether the phrase starting at character `start` is denied by what stands just before it
/// ("no hidden fees", "without fees", 无手续费, 免服务费, 0手续费, 不收费).
fn denied(text: &str, start: usize) -> bool {
    let before: String = text
        .chars()
        .take(start)
        .collect::<Vec<_>>()
        .iter()
        .rev()
        .take(12)
        .rev()
        .collect::<String>()
        .to_lowercase();
    let before = before.trim_end();
    [
        "no hidden",
        "no",
        "without",
        "zero",
        "free of",
        "无",
        "免",
        "0",
        "零",
        "不收",
        "没有",
    ]
    .iter()
    .any(|d| before.ends_with(d))
}

fn prefix_terms(e: EngineError, prefix: &str) -> EngineError {
    match e {
        EngineError::Invalid(mut v) => {
            for f in &mut v {
                f.field = format!("{prefix}{}", f.field);
            }
            EngineError::Invalid(v)
        }
        other => other,
    }
}

/// `n / d`, or `None` when `d` is 0.
pub(crate) fn share(n: usize, d: usize) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

fn assess_portfolio(
    product: &Product,
    batch: &GrantBatch,
    pds: Option<&GrantPds>,
    as_of: Option<Date>,
    ruleset: &Ruleset,
) -> (PortfolioStats, Vec<Finding>) {
    let rows: Vec<usize> = (0..batch.len())
        .filter(|&i| batch.product_id[i] == product.product_id)
        .collect();
    let as_of = as_of.or_else(|| batch.latest_date());
    let rules = GrantRules::new(ruleset, Some(cause_of_kind(product.kind)));
    // The person's grants at every institution in the table count for duplicate credit.
    let dc = DcAnalysis::analyse(batch, as_of);
    let mut code_counts: BTreeMap<String, usize> = BTreeMap::new();
    let (mut students, mut student_known, mut unverified, mut verified_known) = (0, 0, 0, 0);
    let (mut fpd, mut fpd_known, mut defaults, mut default_known) = (0, 0, 0, 0);
    let mut apr_sum = 0.0;
    let mut open = 0;
    for &i in &rows {
        for f in rules.assess_full(batch, i, Some(dc.whole()), pds).findings {
            *code_counts.entry(f.code).or_insert(0) += 1;
        }
        if let Some(s) = batch.is_student[i] {
            student_known += 1;
            students += usize::from(s);
        }
        if let Some(v) = batch.income_verified[i] {
            verified_known += 1;
            unverified += usize::from(!v);
        }
        if let Some(f) = batch.first_payment_default[i] {
            fpd_known += 1;
            fpd += usize::from(f);
        }
        if let Some(d) = batch.defaulted[i] {
            default_known += 1;
            defaults += usize::from(d);
        }
        apr_sum += batch.apr[i];
        if let Some(day) = as_of
            && batch.granted_at[i] <= day
            && batch.closed_at[i].is_none_or(|c| c > day)
        {
            open += 1;
        }
    }
    let n = rows.len();
    let stats = PortfolioStats {
        grants: n,
        other_product_rows: batch.len() - n,
        share_student: share(students, student_known),
        share_income_unverified: share(unverified, verified_known),
        share_dti_high: share(code_counts.get("RC-DTI-HIGH").copied().unwrap_or(0), n)
            .unwrap_or(0.0),
        fpd_rate: share(fpd, fpd_known),
        default_rate: share(defaults, default_known),
        mean_apr: if n > 0 { apr_sum / n as f64 } else { 0.0 },
        open_at_as_of: open,
        as_of,
        code_counts: code_counts.clone(),
        pd: pds.filter(|_| n > 0).map(|p| {
            let threshold = ruleset
                .code("RC-HIGH-PD")
                .map_or(f64::INFINITY, |r| r.threshold());
            let values: Vec<f64> = rows.iter().filter_map(|&i| p.pd.get(i).copied()).collect();
            let m = values.len().max(1) as f64;
            PortfolioPd {
                model: p.model.clone(),
                mean_pd: values.iter().sum::<f64>() / m,
                share_above_threshold: values.iter().filter(|&&v| v > threshold).count() as f64 / m,
                threshold,
                absent_inputs: p.absent_inputs.clone(),
            }
        }),
    };
    let mut c = Collector::new(ruleset, Level::Portfolio);
    let min_share = ruleset.scoring.portfolio_share;
    for (code, count) in code_counts
        .iter()
        .filter(|(c, _)| c.as_str() != "RC-HIGH-PD")
    {
        let s = *count as f64 / n.max(1) as f64;
        if s >= min_share
            && let Some(spec) = CATALOGUE.iter().find(|x| x.code == code)
        {
            c.add(spec.code, json!({ "grants_with_code": count, "grants": n, "share": s, "portfolio_share": min_share }));
        }
    }
    // RC-HIGH-PD at portfolio level: the share of approvals above the PD threshold exceeds
    // the code's own `portfolio_share`.
    if let (Some(rule), Some(p)) = (ruleset.code("RC-HIGH-PD"), &stats.pd) {
        let limit = rule.param("portfolio_share");
        if p.share_above_threshold > limit {
            c.add(
                "RC-HIGH-PD",
                json!({ "model": p.model, "grants": n, "mean_pd": p.mean_pd, "share_above_threshold": p.share_above_threshold, "threshold": p.threshold, "portfolio_share": limit, "absent_inputs": p.absent_inputs }),
            );
        }
    }
    if let (Some(t), Some(rate)) = (c.threshold("RC-EARLY-DEFAULT"), stats.fpd_rate)
        && rate > t
    {
        c.add(
            "RC-EARLY-DEFAULT",
            json!({ "fpd_rate": rate, "grants_with_outcome": fpd_known, "threshold": t }),
        );
    }
    (stats, c.into_findings())
}

/// The one-sided-marketing checks of one ad text. With a product, the ad is judged against the
/// product's pricing (APR, fees, advertised rate) as if it were the product's only ad; without
/// one, only the text checks run (MK-FALSE-FREE needs an APR, so it is left out).
pub fn assess_ad(
    text: &str,
    product: Option<&Product>,
    ruleset: &Ruleset,
    lexicons: &Lexicons,
) -> Result<Assessment, EngineError> {
    let mut check = crate::validate::Checker::new();
    check.text("text", text);
    check.finish()?;
    let findings = match product {
        Some(p) => {
            let mut one = p.clone();
            one.marketing = vec![crate::domain::product::Ad {
                channel: None,
                language: None,
                text: text.to_string(),
            }];
            let a = assess_product(&one, None, None, None, ruleset, lexicons)?;
            a.assessment
                .findings
                .into_iter()
                .filter(|f| f.dimension == Dimension::OneSidedMarketing)
                .collect()
        }
        None => {
            let mut c = Collector::new(ruleset, Level::Product);
            text_findings(&mut c, &[AdFacts::of(text, lexicons)], 0.0, json!({}));
            c.into_findings()
        }
    };
    Ok(score_findings(ruleset, findings))
}

/// Thresholds of the grant-level codes, read once from the ruleset.
#[derive(Debug, Clone)]
pub struct GrantRules<'r> {
    ruleset: &'r Ruleset,
    cap: Option<f64>,
    /// Per catalogue code: its dimension and weighted points when the ruleset enables it.
    enabled: Vec<Option<(Dimension, f64)>>,
    /// Per catalogue code: its threshold (0 when it has none) when the ruleset enables it. Read
    /// for every grant, so looked up once here instead of in the ruleset's map per row.
    thresholds: [Option<f64>; CATALOGUE.len()],
}

/// What the batch writes of one grant: codes, scores, grade, evidence text.
struct CompactAssessment {
    findings: String,
    scores: Scores,
    grade: char,
    evidence: String,
}

/// The grant-level codes evaluated from one row's own columns, in catalogue order (the
/// across-grant codes come from [`GrantRules::evaluate_dc`]).
pub const GRANT_CODES: [&str; 12] = [
    "RC-INCOME-UNVERIFIED",
    "RC-DTI-HIGH",
    "RC-LINE-TO-INCOME",
    "RC-STUDENT",
    "RC-MINOR",
    "RC-ELDERLY",
    "RC-BORROWER-CAP",
    "RC-COST-CAP",
    "DC-MANY-LENDERS",
    "DC-MANY-INQUIRIES",
    "DC-NEW-WHILE-DELINQUENT",
    "DC-LINE-UP-DELINQUENT",
];

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
            .map(|c| c.rate);
        let enabled = CATALOGUE
            .iter()
            .map(|spec| {
                ruleset.code(spec.code).map(|rule| {
                    (
                        Dimension::of_code(spec.code).unwrap_or(Dimension::WeakRiskControl),
                        ruleset.scoring.points(rule.severity) * rule.weight,
                    )
                })
            })
            .collect();
        let thresholds =
            std::array::from_fn(|k| ruleset.code(CATALOGUE[k].code).map(|rule| rule.threshold()));
        Self {
            ruleset,
            cap,
            enabled,
            thresholds,
        }
    }

    /// The assessment of row `i` as the batch writes it: the same codes, scores and grade as
    /// [`GrantRules::assess_full`], and its findings' evidence as one JSON object keyed by code
    /// (what `Value::Object` of the findings would print), without building the findings
    /// (their basis and recommendation texts) or the score contributions.
    fn assess_compact(
        &self,
        b: &GrantBatch,
        i: usize,
        dc: Option<DcChunk<'_>>,
        pds: Option<&GrantPds>,
    ) -> CompactAssessment {
        let mut found = self.evaluate(b, i);
        if let Some(dc) = dc {
            found.extend(self.evaluate_dc(b, i, dc));
        }
        if let Some(hit) = pds.and_then(|p| self.evaluate_pd(p, i)) {
            found.push(hit);
        }
        // Enabled codes only; a code found twice has its object evidence merged (as
        // `Collector::add` does).
        let mut hits: Vec<(usize, &'static str, Evidence<'_>)> = Vec::with_capacity(found.len());
        for (code, evidence) in found {
            let Some(k) = CATALOGUE.iter().position(|spec| spec.code == code) else {
                continue;
            };
            if self.enabled[k].is_none() {
                continue;
            }
            match hits.iter_mut().find(|h| h.0 == k) {
                Some(h) => h.2.merge(evidence),
                None => hits.push((k, code, evidence)),
            }
        }
        hits.sort_unstable_by_key(|h| h.0);
        let mut items = [("", Dimension::WeakRiskControl, 0.0); CATALOGUE.len()];
        let mut findings = String::with_capacity(hits.len() * 20);
        for (slot, (k, code, _)) in items.iter_mut().zip(&hits) {
            let (dimension, points) = self.enabled[*k].unwrap_or((Dimension::WeakRiskControl, 0.0));
            *slot = (code, dimension, points);
            if !findings.is_empty() {
                findings.push(';');
            }
            findings.push_str(code);
        }
        let scores = self.ruleset.scoring.scores_only(&items[..hits.len()]);
        // Evidence keyed by code in key order, as a JSON object prints.
        hits.sort_unstable_by(|a, b| a.1.cmp(b.1));
        let mut evidence = Vec::with_capacity(64 + 96 * hits.len());
        evidence.push(b'{');
        for (n, (_, code, value)) in hits.iter_mut().enumerate() {
            if n > 0 {
                evidence.push(b',');
            }
            evidence.push(b'"');
            evidence.extend_from_slice(code.as_bytes());
            evidence.extend_from_slice(b"\":");
            value.write_json(&mut evidence);
        }
        evidence.push(b'}');
        CompactAssessment {
            findings,
            grade: self.ruleset.scoring.grade(scores.overall),
            scores,
            evidence: String::from_utf8(evidence).unwrap_or_default(),
        }
    }

    /// The threshold of the code at catalogue index `k`, if the ruleset enables it.
    fn t(&self, k: usize) -> Option<f64> {
        self.thresholds[k]
    }

    /// Codes row `i` meets, in [`GRANT_CODES`] order, with their evidence.
    pub fn evaluate<'b>(&self, b: &'b GrantBatch, i: usize) -> Vec<(&'static str, Evidence<'b>)> {
        let mut out = Vec::new();
        let income = b.monthly_income_minor[i].filter(|v| *v > 0);
        if b.income_verified[i] == Some(false)
            && self
                .t(const { catalogue_index("RC-INCOME-UNVERIFIED") })
                .is_some()
        {
            out.push((
                "RC-INCOME-UNVERIFIED",
                Evidence::of([("income_verified", 0i64.into())]),
            ));
        }
        if let (Some(t), Some(dti), Some(inc)) = (
            self.t(const { catalogue_index("RC-DTI-HIGH") }),
            b.dti[i],
            income,
        ) {
            let payment = monthly_payment(b.principal_minor[i], b.apr[i], b.term_months[i]);
            let total = dti + payment / inc as f64;
            if total > t {
                out.push((
                    "RC-DTI-HIGH",
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
        if let (Some(t), Some(inc)) = (
            self.t(const { catalogue_index("RC-LINE-TO-INCOME") }),
            income,
        ) {
            let multiple = b.principal_minor[i] as f64 / inc as f64;
            if multiple > t {
                out.push((
                    "RC-LINE-TO-INCOME",
                    Evidence::of([
                        ("monthly_income_minor", inc.into()),
                        ("multiple", multiple.into()),
                        ("principal_minor", b.principal_minor[i].into()),
                        ("threshold", t.into()),
                    ]),
                ));
            }
        }
        if b.is_student[i] == Some(true)
            && self.t(const { catalogue_index("RC-STUDENT") }).is_some()
        {
            out.push(("RC-STUDENT", Evidence::of([("is_student", 1i64.into())])));
        }
        if let (Some(t), Some(age)) = (
            self.t(const { catalogue_index("RC-MINOR") }),
            b.borrower_age[i],
        ) && f64::from(age) < t
        {
            out.push((
                "RC-MINOR",
                Evidence::of([("borrower_age", age.into()), ("threshold", t.into())]),
            ));
        }
        if let (Some(t), Some(age)) = (
            self.t(const { catalogue_index("RC-ELDERLY") }),
            b.borrower_age[i],
        ) && f64::from(age) > t
        {
            out.push((
                "RC-ELDERLY",
                Evidence::of([("borrower_age", age.into()), ("threshold", t.into())]),
            ));
        }
        if let Some(t) = self.t(const { catalogue_index("RC-BORROWER-CAP") })
            && b.principal_minor[i] as f64 > t
        {
            out.push((
                "RC-BORROWER-CAP",
                Evidence::of([
                    ("principal_minor", b.principal_minor[i].into()),
                    ("threshold_minor", t.into()),
                ]),
            ));
        }
        if let (Some(cap), true) = (
            self.cap,
            self.t(const { catalogue_index("RC-COST-CAP") }).is_some(),
        ) && b.apr[i] > cap
        {
            out.push((
                "RC-COST-CAP",
                Evidence::of([("apr", b.apr[i].into()), ("cap", cap.into())]),
            ));
        }
        if let (Some(t), Some(n)) = (
            self.t(const { catalogue_index("DC-MANY-LENDERS") }),
            b.active_lenders[i],
        ) && f64::from(n) >= t
        {
            out.push((
                "DC-MANY-LENDERS",
                Evidence::of([("active_lenders", n.into()), ("threshold", t.into())]),
            ));
        }
        if let (Some(t), Some(n)) = (
            self.t(const { catalogue_index("DC-MANY-INQUIRIES") }),
            b.inquiries_30d[i],
        ) && f64::from(n) >= t
        {
            out.push((
                "DC-MANY-INQUIRIES",
                Evidence::of([("inquiries_30d", n.into()), ("threshold", t.into())]),
            ));
        }
        if let (Some(t), Some(dpd)) = (
            self.t(const { catalogue_index("DC-NEW-WHILE-DELINQUENT") }),
            b.dpd_at_grant[i],
        ) && f64::from(dpd) >= t
        {
            out.push((
                "DC-NEW-WHILE-DELINQUENT",
                Evidence::of([("dpd_at_grant", dpd.into()), ("threshold", t.into())]),
            ));
        }
        if let (Some(t), Some(true), Some(dpd)) = (
            self.t(const { catalogue_index("DC-LINE-UP-DELINQUENT") }),
            b.line_increased[i],
            b.dpd_at_grant[i],
        ) && f64::from(dpd) > t
        {
            out.push((
                "DC-LINE-UP-DELINQUENT",
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
    ) -> Vec<(&'static str, Evidence<'b>)> {
        let mut out = Vec::new();
        let r = dc.row(i);
        if r.concurrent > 0
            && self
                .t(const { catalogue_index("DC-CONCURRENT-SAME-LENDER") })
                .is_some()
        {
            let ids: Vec<&str> = dc
                .partners(i)
                .iter()
                .take(20)
                .map(|&p| dc.analysis.grant_id(p as usize))
                .collect();
            out.push((
                "DC-CONCURRENT-SAME-LENDER",
                Evidence::of([
                    ("as_of", dc.analysis.as_of.into()),
                    ("concurrent_grants", r.concurrent.into()),
                    ("concurrent_with", ids.into()),
                    ("institution_id", b.institution_id[i].as_str().into()),
                ]),
            ));
        }
        if let Some(t) = self.t(const { catalogue_index("DC-MANY-LENDERS") })
            && f64::from(r.open_institutions) >= t
        {
            out.push((
                "DC-MANY-LENDERS",
                Evidence::of([
                    ("open_institutions_in_data", r.open_institutions.into()),
                    ("threshold", t.into()),
                ]),
            ));
        }
        if let (Some(t), Some(inc)) = (
            self.t(const { catalogue_index("DC-EXPOSURE-INCOME") }),
            b.monthly_income_minor[i].filter(|v| *v > 0),
        ) {
            let multiple = r.open_exposure_minor as f64 / inc as f64;
            if multiple > t {
                out.push((
                    "DC-EXPOSURE-INCOME",
                    Evidence::of([
                        ("monthly_income_minor", inc.into()),
                        ("multiple", multiple.into()),
                        ("open_exposure_minor", r.open_exposure_minor.into()),
                        ("threshold", t.into()),
                    ]),
                ));
            }
        }
        let person = dc.person_of(i);
        if person.keys.len() > 1
            && self
                .t(const { catalogue_index("DC-SHARED-IDENTITY") })
                .is_some()
        {
            let keys: Vec<&str> = person.keys.iter().take(20).map(|k| &**k).collect();
            out.push((
                "DC-SHARED-IDENTITY",
                Evidence::of([
                    ("key_count", person.keys.len().into()),
                    ("keys", keys.into()),
                    ("person_id", person.id().into()),
                ]),
            ));
        }
        out
    }

    /// RC-HIGH-PD of row `i` when its model PD is above the threshold, with the PD, the model
    /// and its reasons as evidence.
    pub fn evaluate_pd(&self, pds: &GrantPds, i: usize) -> Option<(&'static str, Evidence<'_>)> {
        let t = self.t(const { catalogue_index("RC-HIGH-PD") })?;
        let pd = *pds.pd.get(i)?;
        (pd > t).then(|| {
            let mut ev = pds.evidence(i);
            ev["threshold"] = json!(t);
            ("RC-HIGH-PD", Evidence::Value(ev))
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
        for (code, ev) in self.evaluate(b, i) {
            c.add(code, ev.into_value());
        }
        if let Some(dc) = dc {
            for (code, ev) in self.evaluate_dc(b, i, dc) {
                c.add(code, ev.into_value());
            }
        }
        if let Some((code, ev)) = pds.and_then(|p| self.evaluate_pd(p, i)) {
            c.add(code, ev.into_value());
        }
        score_findings(self.ruleset, c.into_findings())
    }

    /// Just the codes of row `i`.
    pub fn codes(&self, b: &GrantBatch, i: usize) -> Vec<&'static str> {
        self.evaluate(b, i).into_iter().map(|(c, _)| c).collect()
    }

    /// The assessment of row `i` from its own columns only (no across-grant codes).
    pub fn assess(&self, b: &GrantBatch, i: usize) -> Assessment {
        self.assess_with(b, i, None)
    }
}

/// One row of a batch assessment of grants.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantRow {
    /// Index in the batch.
    pub index: usize,
    /// Codes joined by `;`.
    pub findings: String,
    /// Scores.
    pub scores: Scores,
    /// Grade.
    pub grade: char,
    /// Evidence of every finding, as a JSON object keyed by code; with a PD model, also `PD`:
    /// the grant's PD, score, model id and top reasons.
    pub evidence: String,
    /// Model PD, when a PD model was applied.
    pub pd: Option<f64>,
    /// Scorecard score of the PD model.
    pub pd_score: Option<f64>,
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
    let dc = DcAnalysis::analyse(batch, as_of);
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
    (0..chunk.len())
        .into_par_iter()
        .with_min_len(2_048)
        .map(|i| {
            let a = rules.assess_compact(chunk, i, Some(dc), pds);
            let codes = a.evidence;
            // Every grant's evidence carries its model PD, score and reasons under "PD",
            // written straight into the text (after the codes), in a string of exact size.
            let evidence = match pds.filter(|p| i < p.pd.len()) {
                Some(p) => {
                    let pd = p.evidence_json(i);
                    let mut text = String::with_capacity(codes.len() + pd.len() + 8);
                    text.push_str(&codes[..codes.len() - 1]);
                    if codes.len() > 2 {
                        text.push(',');
                    }
                    text.push_str("\"PD\":");
                    text.push_str(&pd);
                    text.push('}');
                    text
                }
                None => codes,
            };
            GrantRow {
                index: i,
                findings: a.findings,
                scores: a.scores,
                grade: a.grade,
                evidence,
                pd: pds.and_then(|p| p.pd.get(i).copied()),
                pd_score: pds.and_then(|p| p.score.get(i).copied().flatten()),
            }
        })
        .collect()
}

/// The assessment of a case: cost figures, findings, scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseAssessment {
    /// Case id.
    pub case_id: String,
    /// Jurisdiction.
    pub jurisdiction: &'static str,
    /// Cause.
    pub cause: &'static str,
    /// Currency.
    pub currency: String,
    /// Ruleset version.
    pub ruleset_version: String,
    /// As-of date of the claims.
    pub as_of: Date,
    /// Cost figures (SPEC section 5).
    #[serde(flatten)]
    pub cost: CaseCost,
    /// Findings, scores and grade.
    #[serde(flatten)]
    pub assessment: Assessment,
}

/// Assesses a validated case.
pub fn assess_case(
    case: &Case,
    ruleset: &Ruleset,
    lexicons: &Lexicons,
) -> Result<CaseAssessment, EngineError> {
    let cost = case_cost(case, ruleset)?;
    let mut c = Collector::new(ruleset, Level::Case);
    let d = &case.defendant;
    let k = &case.contract;
    if cost.excess_minor > 0 {
        let rate = match &cost.cap {
            ApplicableCap::AnnualRate { rate, .. } => json!(rate),
            _ => Value::Null,
        };
        c.add(
            "RC-COST-CAP",
            json!({ "excess_minor": cost.excess_minor, "allowed_cost_minor": cost.allowed_cost_minor, "total_cost_minor": cost.total_cost_minor, "cap": rate }),
        );
    }
    if d.income_verified == Some(false) {
        c.add(
            "RC-INCOME-UNVERIFIED",
            json!({ "defendant.income_verified": false }),
        );
    }
    if d.is_student == Some(true) {
        c.add("RC-STUDENT", json!({ "defendant.is_student": true }));
    }
    c.age_limits(
        d.age.map(|a| ("defendant.age", a)),
        d.age.map(|a| ("defendant.age", a)),
    );
    if let (Some(t), Some(inc)) = (
        c.threshold("RC-LINE-TO-INCOME"),
        d.monthly_income_minor.filter(|v| *v > 0),
    ) {
        let multiple = k.principal_minor as f64 / inc as f64;
        if multiple > t {
            c.add("RC-LINE-TO-INCOME", json!({ "contract.principal_minor": k.principal_minor, "defendant.monthly_income_minor": inc, "multiple": multiple, "threshold": t }));
        }
    }
    if let Some(t) = c.threshold("RC-BORROWER-CAP")
        && k.principal_minor as f64 > t
    {
        c.add(
            "RC-BORROWER-CAP",
            json!({ "contract.principal_minor": k.principal_minor, "threshold_minor": t }),
        );
    }
    if let Some(t) = c.threshold("RC-BULLET-TERM")
        && matches!(k.repayment, Repayment::Bullet | Repayment::InterestOnly)
        && k.term_months as f64 > t
    {
        c.add("RC-BULLET-TERM", json!({ "contract.repayment": k.repayment.as_str(), "contract.term_months": k.term_months, "threshold_months": t }));
    }
    if let (Some(t), Some(n)) = (c.threshold("DC-MANY-LENDERS"), d.active_lenders)
        && n as f64 >= t
    {
        c.add(
            "DC-MANY-LENDERS",
            json!({ "defendant.active_lenders": n, "threshold": t }),
        );
    }
    if let (Some(t), Some(n)) = (c.threshold("DC-REPEAT-DEFENDANT"), d.other_cases_12m)
        && n as f64 >= t
    {
        c.add(
            "DC-REPEAT-DEFENDANT",
            json!({ "defendant.other_cases_12m": n, "threshold": t }),
        );
    }
    let facts: Vec<AdFacts> = case
        .evidence
        .marketing_texts
        .iter()
        .map(|t| AdFacts::of(t, lexicons))
        .collect();
    let context = match case.evidence.borrower_alleges_misled {
        Some(v) => json!({ "evidence.borrower_alleges_misled": v }),
        None => json!({}),
    };
    text_findings(&mut c, &facts, cost.contract_apr.apr_nominal, context);
    Ok(CaseAssessment {
        case_id: case.case_id.clone(),
        jurisdiction: case.jurisdiction.as_str(),
        cause: case.cause.as_str(),
        currency: case.currency().to_string(),
        ruleset_version: ruleset.version.clone(),
        as_of: case.claims.as_of,
        cost,
        assessment: score_findings(ruleset, c.into_findings()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GrantRecord;
    use crate::domain::Jurisdiction;
    use crate::domain::case::tests::SPEC_CASE;
    use crate::domain::product::{Ad, Controls, Fee, Limits, Pricing, QuotedRate, RateUnit};

    fn cn() -> Ruleset {
        Ruleset::embedded(Jurisdiction::Cn).unwrap()
    }

    fn lex() -> Lexicons {
        Lexicons::embedded().unwrap()
    }

    fn clean_product() -> Product {
        Product {
            product_id: "P-CLEAN".into(),
            institution_id: "INST-A".into(),
            name: "Prudent Loan".into(),
            kind: ProductKind::CashLoan,
            jurisdiction: Jurisdiction::Cn,
            currency: "CNY".into(),
            launched_at: Date::parse("2024-01-01").ok(),
            pricing: Pricing {
                repayment: Repayment::EqualInstallment,
                term_months: vec![12, 24],
                nominal_annual_rate: 0.12,
                monthly_fee_rate: 0.0,
                upfront_fee_rate: 0.0,
                other_fees: vec![],
                advertised_rate: Some(QuotedRate { value: 0.12, unit: RateUnit::Annual }),
            },
            limits: Limits { min_principal_minor: 100_000, max_principal_minor: 5_000_000 },
            controls: Controls {
                verifies_income: Some(true),
                checks_credit_bureau: Some(true),
                checks_multi_lending: Some(true),
                min_age: Some(22),
                max_age: Some(60),
                allows_students: Some(false),
                max_dti: Some(0.4),
                max_line_to_income: Some(10.0),
                median_approval_seconds: Some(3_600.0),
                cooling_off_days: Some(7),
                funding_share: Some(1.0),
            },
            marketing: vec![
                Ad { channel: None, language: Some("zh".into()), text: "年化利率(单利)12%起，贷款有风险，借款需谨慎。".into() },
                Ad { channel: None, language: Some("en".into()), text: "Representative example: 10,000 over 12 months at 12% APR. Borrowing costs money.".into() },
            ],
        }
    }

    fn product_codes(p: &Product) -> Vec<String> {
        p.validate().unwrap();
        let a = assess_product(p, None, None, None, &cn(), &lex()).unwrap();
        a.assessment
            .findings
            .iter()
            .map(|f| f.code.clone())
            .collect()
    }

    type Edit = fn(&mut Product);

    #[test]
    fn each_product_code_fires_and_its_near_miss_does_not() {
        assert_eq!(product_codes(&clean_product()), Vec::<String>::new());
        let cases: Vec<(&str, Edit, Edit)> = vec![
            (
                "RC-INCOME-UNVERIFIED",
                |p| p.controls.verifies_income = Some(false),
                |p| p.controls.verifies_income = None,
            ),
            (
                "RC-NO-BUREAU-CHECK",
                |p| {
                    p.controls.checks_credit_bureau = Some(false);
                    p.controls.checks_multi_lending = Some(false)
                },
                |p| p.controls.checks_credit_bureau = Some(false),
            ),
            (
                "RC-DTI-HIGH",
                |p| p.controls.max_dti = Some(0.6),
                |p| p.controls.max_dti = Some(0.5),
            ),
            (
                "RC-LINE-TO-INCOME",
                |p| p.controls.max_line_to_income = Some(13.0),
                |p| p.controls.max_line_to_income = Some(12.0),
            ),
            (
                "RC-STUDENT",
                |p| p.controls.allows_students = Some(true),
                |p| p.controls.allows_students = None,
            ),
            (
                "RC-MINOR",
                |p| p.controls.min_age = Some(16),
                |p| p.controls.min_age = Some(18),
            ),
            (
                "RC-ELDERLY",
                |p| p.controls.max_age = Some(70),
                |p| p.controls.max_age = Some(65),
            ),
            (
                "RC-FAST-APPROVAL",
                |p| {
                    p.controls.median_approval_seconds = Some(30.0);
                    p.limits.max_principal_minor = 20_000_000
                },
                |p| p.controls.median_approval_seconds = Some(30.0),
            ),
            (
                "RC-BORROWER-CAP",
                |p| p.limits.max_principal_minor = 20_000_001,
                |p| p.limits.max_principal_minor = 20_000_000,
            ),
            (
                "RC-BULLET-TERM",
                |p| {
                    p.pricing.repayment = Repayment::Bullet;
                    p.pricing.term_months = vec![24]
                },
                |p| {
                    p.pricing.repayment = Repayment::Bullet;
                    p.pricing.term_months = vec![12]
                },
            ),
            (
                "RC-JOINT-SHARE",
                |p| p.controls.funding_share = Some(0.29),
                |p| p.controls.funding_share = Some(0.30),
            ),
            (
                "RC-COST-CAP",
                |p| {
                    p.pricing.nominal_annual_rate = 0.30;
                    p.pricing.advertised_rate = None
                },
                |p| {
                    p.pricing.nominal_annual_rate = 0.2399;
                    p.pricing.advertised_rate = None
                },
            ),
            (
                "MK-RATE-UNDERSTATED",
                |p| {
                    p.pricing.advertised_rate = Some(QuotedRate {
                        value: 0.11,
                        unit: RateUnit::Annual,
                    })
                },
                |p| {
                    p.pricing.advertised_rate = Some(QuotedRate {
                        value: 0.116,
                        unit: RateUnit::Annual,
                    })
                },
            ),
            (
                "MK-RATE-UNDERSTATED",
                |p| {
                    p.pricing.advertised_rate = None;
                    p.marketing[0].text = "年化利率低至10%，贷款有风险".into();
                },
                |p| {
                    p.pricing.advertised_rate = None;
                    p.marketing[0].text = "年化利率11.6%起，贷款有风险".into();
                },
            ),
            (
                "MK-NO-APR",
                |p| p.marketing[0].text = "利率低至0.03%，贷款有风险".into(),
                |p| p.marketing[0].text = "年化利率12%，贷款有风险".into(),
            ),
            (
                "MK-PERIODIC-RATE",
                |p| p.marketing[0].text = "日利率0.03%，年化利率10.95%，贷款有风险".into(),
                |p| p.marketing[0].text = "年化利率10.95%，日利率0.03%，贷款有风险".into(),
            ),
            (
                "MK-FALSE-FREE",
                |p| {
                    p.pricing.monthly_fee_rate = 0.005;
                    p.marketing[0].text = "年化利率12%起，3期免息，贷款有风险，含服务费".into()
                },
                |p| {
                    p.pricing.nominal_annual_rate = 0.0;
                    p.pricing.advertised_rate = None;
                    p.marketing[0].text = "3期免息，年化利率0%，贷款有风险".into()
                },
            ),
            (
                "MK-INDUCEMENT",
                |p| p.marketing[0].text = "年化利率12%起，不看征信，贷款有风险".into(),
                |p| p.marketing[0].text = "年化利率12%起，查询征信后审批，贷款有风险".into(),
            ),
            (
                "MK-VULNERABLE-TARGET",
                |p| p.marketing[0].text = "年化利率12%起，大学生专享，贷款有风险".into(),
                |p| p.marketing[0].text = "年化利率12%起，上班族专享，贷款有风险".into(),
            ),
            (
                "MK-NO-RISK-WARNING",
                |p| {
                    p.marketing[0].text = "年化利率12%起".into();
                    p.marketing[1].text = "12% APR, apply today".into()
                },
                |p| p.marketing[0].text = "年化利率12%起".into(),
            ),
            (
                "MK-HIDDEN-FEE",
                |p| {
                    p.pricing.other_fees = vec![Fee {
                        name: "membership".into(),
                        amount_minor: 1_990,
                        per: FeePer::Month,
                        mandatory: true,
                    }]
                },
                |p| {
                    p.pricing.other_fees = vec![Fee {
                        name: "membership".into(),
                        amount_minor: 1_990,
                        per: FeePer::Month,
                        mandatory: true,
                    }];
                    p.marketing[0].text = "年化利率(单利)14%起，含会员费，贷款有风险".into()
                },
            ),
        ];
        for (code, fire, near) in cases {
            let mut p = clean_product();
            fire(&mut p);
            assert!(
                product_codes(&p).contains(&code.to_string()),
                "{code} should fire: {:?}",
                product_codes(&p)
            );
            let mut q = clean_product();
            near(&mut q);
            assert!(
                !product_codes(&q).contains(&code.to_string()),
                "{code} near miss fired: {:?}",
                product_codes(&q)
            );
        }
    }

    #[test]
    fn english_ads_fire_and_near_miss_like_chinese_ones() {
        let en = |text: &str, edit: fn(&mut Product)| {
            let mut p = clean_product();
            edit(&mut p);
            p.marketing = vec![Ad {
                channel: None,
                language: Some("en".into()),
                text: text.into(),
            }];
            product_codes(&p)
        };
        let none: fn(&mut Product) = |_| {};
        let cases: [(&str, &str, &str); 5] = [
            (
                "MK-NO-APR",
                "Low rates from 0.9% a month. Borrowing costs money.",
                "Representative 12% APR, 0.9% a month. Borrowing costs money.",
            ),
            (
                "MK-PERIODIC-RATE",
                "Only 0.03% per day, 10.95% APR. Borrowing costs money.",
                "10.95% APR, or 0.03% per day. Borrowing costs money.",
            ),
            (
                "MK-INDUCEMENT",
                "12% APR, no credit check. Borrowing costs money.",
                "12% APR after a credit check. Borrowing costs money.",
            ),
            (
                "MK-VULNERABLE-TARGET",
                "12% APR, students welcome. Borrowing costs money.",
                "12% APR, for salaried workers. Borrowing costs money.",
            ),
            (
                "MK-NO-RISK-WARNING",
                "12% APR, apply today.",
                "12% APR. Borrowing costs money.",
            ),
        ];
        for (code, fire, near) in cases {
            assert!(
                en(fire, none).contains(&code.to_string()),
                "{code}: {:?}",
                en(fire, none)
            );
            assert!(
                !en(near, none).contains(&code.to_string()),
                "{code} near miss: {:?}",
                en(near, none)
            );
        }
        // A stated rate below the product's APR (12.0%) by more than 0.5 pp.
        let no_quote: fn(&mut Product) = |p| p.pricing.advertised_rate = None;
        assert!(
            en("Representative 10% APR. Borrowing costs money.", no_quote)
                .contains(&"MK-RATE-UNDERSTATED".to_string())
        );
        assert!(
            !en("Representative 11.6% APR. Borrowing costs money.", no_quote)
                .contains(&"MK-RATE-UNDERSTATED".to_string())
        );
        let with_fee: fn(&mut Product) = |p| {
            p.pricing.other_fees = vec![Fee {
                name: "membership".into(),
                amount_minor: 1_990,
                per: FeePer::Month,
                mandatory: true,
            }]
        };
        // "no hidden fees" does not disclose the membership fee; naming it does.
        assert!(
            en("12% APR, no hidden fees. Borrowing costs money.", with_fee)
                .contains(&"MK-HIDDEN-FEE".to_string())
        );
        assert!(
            !en(
                "14% APR including a monthly membership fee. Borrowing costs money.",
                with_fee
            )
            .contains(&"MK-HIDDEN-FEE".to_string())
        );
        // By itself (no mandatory fee) "no hidden fees" fires nothing.
        assert!(
            !en("12% APR, no hidden fees. Borrowing costs money.", none)
                .contains(&"MK-HIDDEN-FEE".to_string())
        );
        let free_with_fee: fn(&mut Product) = |p| p.pricing.monthly_fee_rate = 0.005;
        assert!(
            en(
                "Interest-free for 3 months, then 12% APR. Borrowing costs money.",
                free_with_fee
            )
            .contains(&"MK-FALSE-FREE".to_string())
        );
        let free_no_cost: fn(&mut Product) = |p| {
            p.pricing.nominal_annual_rate = 0.0;
            p.pricing.advertised_rate = None;
        };
        assert!(
            !en(
                "Interest-free, 0% APR. Borrowing costs money.",
                free_no_cost
            )
            .contains(&"MK-FALSE-FREE".to_string())
        );
    }

    #[test]
    fn a_clean_product_scores_lower_everywhere_and_gets_a_good_grade() {
        let clean = assess_product(&clean_product(), None, None, None, &cn(), &lex()).unwrap();
        let bad = Product::from_json(include_str!("../../examples/product.json")).unwrap();
        let mut bad = bad;
        bad.controls.checks_credit_bureau = Some(false);
        let dirty = assess_product(&bad, Some(&dc_batch()), None, None, &cn(), &lex()).unwrap();
        assert!(
            ["A", "B"].contains(&clean.assessment.grade.as_str()),
            "{}",
            clean.assessment.grade
        );
        let (c, d) = (clean.assessment.scores, dirty.assessment.scores);
        assert!(c.weak_risk_control < d.weak_risk_control);
        assert!(
            c.duplicate_credit < d.duplicate_credit,
            "{} vs {}",
            c.duplicate_credit,
            d.duplicate_credit
        );
        assert!(c.one_sided_marketing < d.one_sided_marketing);
        assert!(c.overall < d.overall);
        assert_eq!(dirty.assessment.grade, "E");
    }

    fn clean_row() -> GrantRecord {
        GrantRecord {
            grant_id: "G1".into(),
            institution_id: "INST-A".into(),
            product_id: "P-001".into(),
            borrower_key: "b1".into(),
            granted_at: Date::parse("2024-03-01").ok(),
            principal_minor: 2_000_000,
            term_months: 12,
            apr: 0.15,
            borrower_age: Some(35),
            monthly_income_minor: Some(1_000_000),
            income_verified: Some(true),
            is_student: Some(false),
            dti: Some(0.1),
            active_lenders: Some(1),
            inquiries_30d: Some(1),
            dpd_at_grant: Some(0),
            line_increased: Some(false),
            ..GrantRecord::default()
        }
    }

    fn row_codes(r: GrantRecord) -> Vec<&'static str> {
        let mut b = GrantBatch::default();
        b.push(1, r).unwrap();
        GrantRules::new(&cn(), None).codes(&b, 0)
    }

    /// A small batch of product P-001 grants carrying duplicate-credit codes.
    fn dc_batch() -> GrantBatch {
        let mut b = GrantBatch::default();
        for k in 0..10 {
            let mut r = clean_row();
            r.grant_id = format!("G{k}");
            r.active_lenders = Some(5);
            r.first_payment_default = Some(k < 2);
            b.push(k + 1, r).unwrap();
        }
        b
    }

    fn pds(values: &[f64]) -> GrantPds {
        GrantPds {
            model: "pd_test@1".into(),
            pd: values.to_vec(),
            score: vec![None; values.len()],
            reasons: vec![
                vec![crate::pd::PdReason {
                    feature: "apr".into(),
                    bin: "(0.16, +inf]".into(),
                    impact: 12.5,
                }];
                values.len()
            ],
            absent_inputs: vec![],
        }
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
            r.phone_hash = Some("ph".into());
            r.active_lenders = Some(5);
            r.income_verified = Some(k % 3 != 0);
            r.apr = 0.1 + 0.05 * k as f64;
            b.push(k + 1, r).unwrap();
        }
        let ruleset = cn();
        let rules = GrantRules::new(&ruleset, None);
        let dc = DcAnalysis::analyse(&b, None);
        let values: Vec<f64> = (0..10).map(|k| 0.05 * k as f64).collect();
        let p = pds(&values);
        let rows = assess_grant_chunk(&b, &ruleset, dc.whole(), Some(&p));
        let mut merged_seen = false;
        for (i, row) in rows.iter().enumerate() {
            let full = rules.assess_full(&b, i, Some(dc.whole()), Some(&p));
            let expected: serde_json::Map<String, Value> = full
                .findings
                .iter()
                .map(|f| (f.code.clone(), f.evidence.clone()))
                .collect();
            // The batch's text: the codes' object, then the model's evidence under "PD".
            let codes = Value::Object(expected).to_string();
            let separator = if codes == "{}" { "" } else { "," };
            let expected = format!(
                "{}{separator}\"PD\":{}}}",
                &codes[..codes.len() - 1],
                p.evidence_json(i)
            );
            assert_eq!(row.evidence, expected, "row {i}");
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
        assert_eq!(f.evidence["pd"], 0.3001);
        assert_eq!(f.evidence["threshold"], 0.3);
        assert_eq!(f.evidence["model"], "pd_test@1");
        assert_eq!(f.evidence["reasons"][0]["feature"], "apr");
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
        assert_eq!(ev["PD"]["reasons"][0]["feature"], "apr");
        assert_eq!(ev["RC-HIGH-PD"]["pd"], 0.3001);
        let clean: Value = serde_json::from_str(&rows[0].evidence).unwrap();
        assert_eq!(clean["PD"]["pd"], 0.1);
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
        assert_eq!(f.evidence["share_above_threshold"], 0.2);
        assert_eq!(f.evidence["portfolio_share"], 0.1);
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

    #[test]
    fn portfolio_findings_follow_shares_and_the_fpd_rate() {
        let p = Product::from_json(include_str!("../../examples/product.json")).unwrap();
        let a = assess_product(&p, Some(&dc_batch()), None, None, &cn(), &lex()).unwrap();
        let portfolio: Vec<&Finding> = a
            .assessment
            .findings
            .iter()
            .filter(|f| f.level == Level::Portfolio)
            .collect();
        let codes: Vec<&str> = portfolio.iter().map(|f| f.code.as_str()).collect();
        assert!(codes.contains(&"DC-MANY-LENDERS"), "{codes:?}");
        assert!(codes.contains(&"RC-EARLY-DEFAULT"), "{codes:?}");
        let stats = a.portfolio.unwrap();
        assert_eq!((stats.grants, stats.fpd_rate), (10, Some(0.2)));
        // 1 FPD in 20 grants is 5%: not above the 5% threshold.
        let mut b = GrantBatch::default();
        for k in 0..20 {
            let mut r = clean_row();
            r.grant_id = format!("G{k}");
            r.first_payment_default = Some(k == 0);
            b.push(k + 1, r).unwrap();
        }
        let a = assess_product(&p, Some(&b), None, None, &cn(), &lex()).unwrap();
        assert!(
            !a.assessment
                .findings
                .iter()
                .any(|f| f.code == "RC-EARLY-DEFAULT")
        );
    }

    fn case_codes(doc: &str) -> Vec<String> {
        let case = Case::from_json(doc).unwrap();
        assess_case(&case, &cn(), &lex())
            .unwrap()
            .assessment
            .findings
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn each_case_code_fires_and_its_near_miss_does_not() {
        let base = case_codes(SPEC_CASE);
        for code in [
            "RC-INCOME-UNVERIFIED",
            "RC-STUDENT",
            "DC-MANY-LENDERS",
            "DC-REPEAT-DEFENDANT",
            "MK-NO-APR",
            "MK-PERIODIC-RATE",
            "MK-NO-RISK-WARNING",
        ] {
            assert!(
                base.contains(&code.to_string()),
                "{code} missing from {base:?}"
            );
        }
        assert!(!base.contains(&"RC-COST-CAP".to_string()));
        type Replace<'a> = (&'a str, &'a str);
        let pairs: [(&str, Replace<'_>, Replace<'_>); 6] = [
            (
                "DC-REPEAT-DEFENDANT",
                ("\"other_cases_12m\": 3", "\"other_cases_12m\": 2"),
                ("\"other_cases_12m\": 3", "\"other_cases_12m\": 1"),
            ),
            (
                "DC-MANY-LENDERS",
                ("\"active_lenders\": 6", "\"active_lenders\": 4"),
                ("\"active_lenders\": 6", "\"active_lenders\": 3"),
            ),
            (
                "RC-COST-CAP",
                ("\"interest_minor\": 60000", "\"interest_minor\": 210000"),
                ("\"interest_minor\": 60000", "\"interest_minor\": 200000"),
            ),
            (
                "RC-LINE-TO-INCOME",
                (
                    "\"monthly_income_minor\": 300000",
                    "\"monthly_income_minor\": 83000",
                ),
                (
                    "\"monthly_income_minor\": 300000",
                    "\"monthly_income_minor\": 83334",
                ),
            ),
            (
                "RC-MINOR",
                ("\"age\": 21", "\"age\": 17"),
                ("\"age\": 21", "\"age\": 18"),
            ),
            (
                "MK-INDUCEMENT",
                ("日息低至0.02%", "日息低至0.02%，必下款"),
                ("日息低至0.02%", "日息低至0.02%，需审核"),
            ),
        ];
        for (code, (a, b), (c, d)) in pairs {
            assert!(
                case_codes(&SPEC_CASE.replacen(a, b, 1)).contains(&code.to_string()),
                "{code} should fire"
            );
            assert!(
                !case_codes(&SPEC_CASE.replacen(c, d, 1)).contains(&code.to_string()),
                "{code} near miss fired"
            );
        }
        let bullet = SPEC_CASE
            .replacen(
                "\"repayment\": \"equal_installment\"",
                "\"repayment\": \"bullet\"",
                1,
            )
            .replacen("\"term_months\": 12", "\"term_months\": 13", 1);
        assert!(case_codes(&bullet).contains(&"RC-BULLET-TERM".to_string()));
        let near = SPEC_CASE.replacen(
            "\"repayment\": \"equal_installment\"",
            "\"repayment\": \"bullet\"",
            1,
        );
        assert!(!case_codes(&near).contains(&"RC-BULLET-TERM".to_string()));
    }

    #[test]
    fn assessing_twice_gives_identical_output() {
        let case = Case::from_json(SPEC_CASE).unwrap();
        let a = serde_json::to_string(&assess_case(&case, &cn(), &lex()).unwrap()).unwrap();
        let b = serde_json::to_string(&assess_case(&case, &cn(), &lex()).unwrap()).unwrap();
        assert_eq!(a, b);
    }
}
