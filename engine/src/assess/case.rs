//! Case assessment: the cost figures of a dispute case against the cap (SPEC section 5), the
//! defendant's and the contract's findings, and the text checks of the marketing texts in
//! evidence.

use super::collector::{Assessment, Collector, score_findings};
use super::text::text_findings;
use crate::catalogue::code;
use crate::date::Date;
use crate::domain::{Case, Repayment};
use crate::error::EngineError;
use crate::findings::Level;
use crate::marketing::{AdFacts, ClaimGrammar};
use crate::rates::{ApplicableCap, CaseCost, case_cost};
use crate::ruleset::Ruleset;
use serde::Serialize;
use serde_json::{Value, json};

/// The assessment of a case: cost figures, findings, scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseAssessment {
    /// Case id.
    pub case_id: String,
    /// The plaintiff institution.
    pub institution_id: String,
    /// The product the loan was made under, when known.
    pub product_id: Option<String>,
    /// The defendant's pseudonymous borrower key.
    pub borrower_key: String,
    /// Date the suit was filed.
    pub filed_at: Date,
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
    grammar: &ClaimGrammar,
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
            code::RC_COST_CAP,
            json!({ "excess_minor": cost.excess_minor, "allowed_cost_minor": cost.allowed_cost_minor, "total_cost_minor": cost.total_cost_minor, "cap": rate, "cap_nature": cost.cap.label() }),
        );
    }
    if d.income_verified == Some(false) {
        c.add(
            code::RC_INCOME_UNVERIFIED,
            json!({ "defendant.income_verified": false }),
        );
    }
    if d.is_student == Some(true) {
        c.add(code::RC_STUDENT, json!({ "defendant.is_student": true }));
    }
    c.age_limits(
        d.age.map(|a| ("defendant.age", a)),
        d.age.map(|a| ("defendant.age", a)),
    );
    if let (Some(t), Some(inc)) = (
        c.threshold(code::RC_LINE_TO_INCOME),
        d.monthly_income_minor.filter(|v| *v > 0),
    ) {
        let multiple = k.principal_minor as f64 / inc as f64;
        if multiple > t {
            c.add(code::RC_LINE_TO_INCOME, json!({ "contract.principal_minor": k.principal_minor, "defendant.monthly_income_minor": inc, "multiple": multiple, "threshold": t }));
        }
    }
    if let Some(t) = c.threshold(code::RC_BORROWER_CAP)
        && k.principal_minor as f64 > t
    {
        c.add(
            code::RC_BORROWER_CAP,
            json!({ "contract.principal_minor": k.principal_minor, "threshold_minor": t }),
        );
    }
    if let Some(t) = c.threshold(code::RC_BULLET_TERM)
        && matches!(k.repayment, Repayment::Bullet | Repayment::InterestOnly)
        && k.term_months as f64 > t
    {
        c.add(code::RC_BULLET_TERM, json!({ "contract.repayment": k.repayment.as_str(), "contract.term_months": k.term_months, "threshold_months": t }));
    }
    if let (Some(t), Some(n)) = (c.threshold(code::DC_MANY_LENDERS), d.active_lenders)
        && n as f64 >= t
    {
        c.add(
            code::DC_MANY_LENDERS,
            json!({ "defendant.active_lenders": n, "threshold": t }),
        );
    }
    if let (Some(t), Some(n)) = (c.threshold(code::DC_REPEAT_DEFENDANT), d.other_cases_12m)
        && n as f64 >= t
    {
        c.add(
            code::DC_REPEAT_DEFENDANT,
            json!({ "defendant.other_cases_12m": n, "threshold": t }),
        );
    }
    let facts: Vec<AdFacts> = case
        .evidence
        .marketing_texts
        .iter()
        .map(|t| AdFacts::of(t, grammar))
        .collect();
    let context = match case.evidence.borrower_alleges_misled {
        Some(v) => json!({ "evidence.borrower_alleges_misled": v }),
        None => json!({}),
    };
    let term_days = Some(case.contract.term_months as f64 * crate::rates::caps::DAYS_PER_MONTH);
    text_findings(
        &mut c,
        &facts,
        cost.contract_apr.apr_nominal,
        term_days,
        context,
    );
    Ok(CaseAssessment {
        case_id: case.case_id.clone(),
        institution_id: case.plaintiff.institution_id.clone(),
        product_id: case.plaintiff.product_id.clone(),
        borrower_key: case.defendant.borrower_key.clone(),
        filed_at: case.filed_at,
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
    use crate::assess::fixtures::{cn, lex};
    use crate::domain::case::tests::SPEC_CASE;

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
