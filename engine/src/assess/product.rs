//! Product assessment: the product's controls, its pricing (the APR of a typical loan for every
//! term, against the cap), its advertised rates, its ads, and, when grants are given, its loan
//! book. Each step is a function of its own; [`assess_product`] runs them in order.

use super::cause_of_kind;
use super::collector::{Assessment, Collector, score_findings};
use super::portfolio::{PortfolioStats, assess_portfolio};
use super::text::{hidden_fee_findings, text_findings};
use crate::catalogue::{CodeId, code};
use crate::contract::{ClauseHit, ContractCheck, ContractContext};
use crate::date::Date;
use crate::domain::grant::GrantBatch;
use crate::domain::{Product, Repayment};
use crate::error::EngineError;
use crate::findings::{Finding, FindingEvidence, Level};
use crate::marketing::{AdFacts, ClaimGrammar};
use crate::pd::GrantPds;
use crate::rates::apr::annualise_quote;
use crate::rates::{
    ApplicableCap, LoanTerms, applicable_cap, apr_of_terms, check_cap, round_minor,
};
use crate::ruleset::Ruleset;
use serde::Serialize;
use serde_json::{Value, json};

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

/// The assessment of a product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductAssessment {
    /// Product id.
    pub product_id: String,
    /// Institution id.
    pub institution_id: String,
    /// Ruleset version.
    pub ruleset_version: String,
    /// Claim grammar versions.
    pub grammar_versions: Vec<String>,
    /// The applicable cap.
    pub cap: ApplicableCap,
    /// APR per term.
    pub apr_by_term: Vec<TermApr>,
    /// Loan-book statistics, when grants were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<PortfolioStats>,
    /// What the clause checks read in the contract, when the product gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<ContractCheck>,
    /// Findings, scores and grade.
    #[serde(flatten)]
    pub assessment: Assessment,
}

/// Assesses a validated product, and its grants when given (rows of other products are counted
/// and left out). `as_of` defaults to the latest date in the grants.
pub fn assess_product(
    product: &Product,
    grants: Option<&GrantBatch>,
    pds: Option<&GrantPds>,
    as_of: Option<Date>,
    ruleset: &Ruleset,
    grammar: &ClaimGrammar,
) -> Result<ProductAssessment, EngineError> {
    let mut c = Collector::new(ruleset, Level::Product);
    control_findings(&mut c, product);
    let pricing = price_terms(product, ruleset)?;
    if let Some(evidence) = pricing.above_cap_evidence() {
        c.add(code::RC_COST_CAP, evidence);
    }
    let facts: Vec<AdFacts> = product
        .marketing
        .iter()
        .map(|a| AdFacts::of(&a.text, grammar))
        .collect();
    let term_days = shortest_term_days(product);
    rate_understated_findings(
        &mut c,
        product,
        &facts,
        ruleset,
        pricing.lowest_apr(),
        term_days,
    );
    text_findings(&mut c, &facts, pricing.highest_apr(), term_days, json!({}));
    hidden_fee_findings(&mut c, product, &facts, grammar);
    let contract = product.contract.as_ref().map(|contract| {
        let check = grammar.contract().check(
            contract,
            &ContractContext {
                jurisdiction: product.jurisdiction,
                contract_apr: pricing.lowest_apr(),
                cap: &pricing.cap,
                day_basis: ruleset.apr.quoted_rate_day_basis.days(),
                min_trigger_days: c
                    .threshold(code::RC_CLAUSE_ACCELERATION)
                    .unwrap_or(f64::INFINITY),
            },
        );
        contract_findings(&mut c, &check);
        check
    });
    let mut findings = c.into_findings();
    let portfolio = grants.map(|batch| {
        let (stats, portfolio_findings) = assess_portfolio(product, batch, pds, as_of, ruleset);
        merge_portfolio_findings(&mut findings, portfolio_findings);
        stats
    });
    Ok(ProductAssessment {
        product_id: product.product_id.clone(),
        institution_id: product.institution_id.clone(),
        ruleset_version: ruleset.version.clone(),
        grammar_versions: grammar.versions().into_iter().map(str::to_string).collect(),
        cap: pricing.cap,
        apr_by_term: pricing.by_term,
        portfolio,
        contract,
        assessment: score_findings(ruleset, findings),
    })
}

/// Step 1: the product's stated controls and limits against the ruleset (RC-INCOME-UNVERIFIED,
/// RC-NO-BUREAU-CHECK, RC-DTI-HIGH, RC-LINE-TO-INCOME, RC-STUDENT, RC-MINOR, RC-ELDERLY,
/// RC-FAST-APPROVAL, RC-BORROWER-CAP, RC-BULLET-TERM, RC-JOINT-SHARE).
fn control_findings(c: &mut Collector<'_>, product: &Product) {
    let k = &product.controls;
    let pr = &product.pricing;
    if k.verifies_income == Some(false) {
        c.add(
            code::RC_INCOME_UNVERIFIED,
            json!({ "controls.verifies_income": false }),
        );
    }
    if k.checks_credit_bureau == Some(false) && k.checks_multi_lending == Some(false) {
        c.add(
            code::RC_NO_BUREAU_CHECK,
            json!({ "controls.checks_credit_bureau": false, "controls.checks_multi_lending": false }),
        );
    }
    above_threshold(c, code::RC_DTI_HIGH, "controls.max_dti", k.max_dti);
    above_threshold(
        c,
        code::RC_LINE_TO_INCOME,
        "controls.max_line_to_income",
        k.max_line_to_income,
    );
    if k.allows_students == Some(true) {
        c.add(
            code::RC_STUDENT,
            json!({ "controls.allows_students": true }),
        );
    }
    c.age_limits(
        k.min_age.map(|v| ("controls.min_age", v)),
        k.max_age.map(|v| ("controls.max_age", v)),
    );
    if let (Some(rule), Some(secs)) = (c.rule(code::RC_FAST_APPROVAL), k.median_approval_seconds) {
        let line_limit = rule.param("income_multiple") * rule.param("typical_monthly_income_minor");
        let threshold = rule.threshold();
        if secs < threshold && product.limits.max_principal_minor as f64 > line_limit {
            c.add(
                code::RC_FAST_APPROVAL,
                json!({ "controls.median_approval_seconds": secs, "threshold_seconds": threshold,
                        "limits.max_principal_minor": product.limits.max_principal_minor, "large_line_minor": line_limit }),
            );
        }
    }
    if let Some(t) = c.threshold(code::RC_BORROWER_CAP)
        && product.limits.max_principal_minor as f64 > t
    {
        c.add(
            code::RC_BORROWER_CAP,
            json!({ "limits.max_principal_minor": product.limits.max_principal_minor, "threshold_minor": t }),
        );
    }
    let longest = pr.term_months.iter().copied().max().unwrap_or(0);
    if let Some(t) = c.threshold(code::RC_BULLET_TERM)
        && matches!(pr.repayment, Repayment::Bullet | Repayment::InterestOnly)
        && longest as f64 > t
    {
        c.add(
            code::RC_BULLET_TERM,
            json!({ "pricing.repayment": pr.repayment.as_str(), "longest_term_months": longest, "threshold_months": t }),
        );
    }
    if let (Some(t), Some(v)) = (c.threshold(code::RC_JOINT_SHARE), k.funding_share)
        && v < t
    {
        c.add(
            code::RC_JOINT_SHARE,
            json!({ "controls.funding_share": v, "threshold": t }),
        );
    }
}

/// `field`'s value above the threshold of `found`: the finding, with the value and threshold.
fn above_threshold(c: &mut Collector<'_>, found: CodeId, field: &str, value: Option<f64>) {
    if let (Some(t), Some(v)) = (c.threshold(found), value)
        && v > t
    {
        c.add(found, json!({ field: v, "threshold": t }));
    }
}

/// The pricing of a product: the APR of a typical loan for every term and the applicable cap.
struct Pricing {
    principal_minor: i64,
    by_term: Vec<TermApr>,
    cap: ApplicableCap,
}

impl Pricing {
    /// The lowest legal APR over the terms (infinite when there is no term).
    fn lowest_apr(&self) -> f64 {
        self.by_term
            .iter()
            .map(|t| t.apr)
            .fold(f64::INFINITY, f64::min)
    }

    /// The highest legal APR over the terms (0 when there is no term).
    fn highest_apr(&self) -> f64 {
        self.by_term.iter().map(|t| t.apr).fold(0.0, f64::max)
    }

    /// RC-COST-CAP's evidence when some term is above the cap.
    fn above_cap_evidence(&self) -> Option<Value> {
        let above: Vec<Value> = self
            .by_term
            .iter()
            .filter(|t| !t.within_cap)
            .map(|t| json!({ "term_months": t.term_months, "apr": t.apr }))
            .collect();
        if above.is_empty() {
            return None;
        }
        let cap_rate = match &self.cap {
            ApplicableCap::AnnualRate { rate, .. } => json!(rate),
            _ => Value::Null,
        };
        Some(
            json!({ "terms_above_cap": above, "cap": cap_rate, "cap_nature": self.cap.label(), "principal_minor": self.principal_minor }),
        )
    }
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

/// Step 2: the APR of a typical loan for every term, each against the applicable cap.
fn price_terms(product: &Product, ruleset: &Ruleset) -> Result<Pricing, EngineError> {
    let pr = &product.pricing;
    let principal = quote_principal(product);
    let monthly_fixed = product.monthly_mandatory_fees_minor();
    let upfront =
        round_minor(pr.upfront_fee_rate * principal as f64) + product.once_mandatory_fees_minor();
    let cause = cause_of_kind(product.kind);
    let mut by_term = Vec::with_capacity(pr.term_months.len());
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
        let (schedule, figures) = apr_of_terms(&terms).map_err(|e| prefix_fields(e, "pricing."))?;
        cap = applicable_cap(
            ruleset,
            cause,
            product.launched_at,
            None,
            figures.apr_effective,
            terms.term_months,
        )
        .map_err(|e| prefix_fields(e, "product."))?;
        let check = check_cap(&cap, &figures, &schedule, ruleset.apr.report_borderline);
        by_term.push(TermApr {
            term_months: terms.term_months,
            principal_minor: principal,
            apr_nominal: figures.apr_nominal,
            apr_effective: figures.apr_effective,
            apr: figures.legal(ruleset.apr.legal_definition),
            within_cap: check.within_cap,
        });
    }
    Ok(Pricing {
        principal_minor: principal,
        by_term,
        cap,
    })
}

/// The product's shortest term in days (365/12 a month): the term a price per loan in its ads
/// is annualised over.
pub fn shortest_term_days(product: &Product) -> Option<f64> {
    product
        .pricing
        .term_months
        .iter()
        .min()
        .map(|m| *m as f64 * crate::rates::caps::DAYS_PER_MONTH)
}

/// Step 3: MK-RATE-UNDERSTATED, from the advertised rate of the pricing and from the prices
/// stated in the ads (the price parser's), each annualised and compared with the lowest APR.
fn rate_understated_findings(
    c: &mut Collector<'_>,
    product: &Product,
    facts: &[AdFacts],
    ruleset: &Ruleset,
    lowest_apr: f64,
    term_days: Option<f64>,
) {
    let Some(t) = c
        .threshold(code::MK_RATE_UNDERSTATED)
        .filter(|_| lowest_apr.is_finite())
    else {
        return;
    };
    let day_basis = ruleset.apr.quoted_rate_day_basis;
    if let Some(q) = product.pricing.advertised_rate {
        let annual = annualise_quote(q.value, q.unit, day_basis).simple;
        if annual < lowest_apr - t {
            c.add(
                code::MK_RATE_UNDERSTATED,
                json!({ "pricing.advertised_rate": { "value": q.value, "unit": q.unit }, "advertised_annualised": annual,
                        "lowest_apr": lowest_apr, "gap": lowest_apr - annual, "threshold": t }),
            );
        }
    }
    let mut stated = Vec::new();
    for (ad, f) in facts.iter().enumerate() {
        for p in &f.prices {
            let annual = p.annualised(day_basis.days(), term_days, None).simple;
            if annual < lowest_apr - t {
                stated.push(super::text::price_value(ad, p, day_basis.days(), term_days));
            }
        }
    }
    if !stated.is_empty() {
        c.add(
            code::MK_RATE_UNDERSTATED,
            json!({ "stated_in_ads": stated, "lowest_apr": lowest_apr, "threshold": t }),
        );
    }
}

/// Step 4: the clause findings of the contract, each with the clauses and spans behind it.
fn contract_findings(c: &mut Collector<'_>, check: &ContractCheck) {
    for code in check.codes() {
        let Some(id) = CodeId::find(code) else {
            continue;
        };
        let evidence = if id == code::RC_CLAUSE_PENALTY_STACK {
            json!({ "penalty": check.penalty })
        } else if id == code::RC_CLAUSE_NO_ESERVICE {
            json!({
                "clauses_checked": check.clauses_checked,
                "reason": "no clause confirms the borrower's address for service (electronic service included)",
            })
        } else {
            let clauses: Vec<&ClauseHit> = check.hits.iter().filter(|h| h.code == code).collect();
            json!({ "clauses": clauses })
        };
        c.add(id, evidence);
    }
}

/// Step 5: the loan book's findings join the product's. A code found in the terms and in the
/// loan book is one finding (counted once), with the loan-book evidence under `portfolio`.
fn merge_portfolio_findings(findings: &mut Vec<Finding>, portfolio: Vec<Finding>) {
    for pf in portfolio {
        match findings.iter_mut().find(|f| f.code == pf.code) {
            Some(existing) => {
                let mut evidence = existing.evidence.to_value();
                if let serde_json::Value::Object(fields) = &mut evidence {
                    fields.insert("portfolio".to_string(), pf.evidence.to_value());
                }
                existing.evidence = FindingEvidence::from_value(&evidence);
            }
            None => findings.push(pf),
        }
    }
    findings.sort_by_key(|f| CodeId::find(&f.code).map_or(usize::MAX, CodeId::index));
}

/// Prefixes the fields of a validation error (`principal_minor` -> `pricing.principal_minor`).
fn prefix_fields(e: EngineError, prefix: &str) -> EngineError {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::fixtures::{clean_product, cn, dc_batch, lex};
    use crate::domain::product::{Ad, Fee, FeePer, QuotedRate, RateUnit};

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
        let bad = Product::from_json(include_str!("../../../examples/product.json")).unwrap();
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
}
