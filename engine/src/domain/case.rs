//! A loan-dispute case: parties, contract, repayments made and the lender's claims (SPEC section 4).

use super::{Cause, Jurisdiction, Repayment, check_currency};
use crate::date::Date;
use crate::error::EngineError;
use crate::validate::{Checker, MAX_LIST_ITEMS, MAX_REPAYMENTS, parse_json, parse_value};
use serde::{Deserialize, Serialize};

/// The lender that sues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plaintiff {
    /// Institution id.
    pub institution_id: String,
    /// Product the loan was made under, when known.
    #[serde(default)]
    pub product_id: Option<String>,
}

/// The borrower who is sued; facts known about them at grant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defendant {
    /// Pseudonymous borrower key.
    pub borrower_key: String,
    /// Age at grant.
    #[serde(default)]
    pub age: Option<i64>,
    /// Monthly income, minor units.
    #[serde(default)]
    pub monthly_income_minor: Option<i64>,
    /// Whether the lender verified the income.
    #[serde(default)]
    pub income_verified: Option<bool>,
    /// Whether the borrower was a student.
    #[serde(default)]
    pub is_student: Option<bool>,
    /// Lenders with open credit to the borrower at grant.
    #[serde(default)]
    pub active_lenders: Option<i64>,
    /// Other cases against the borrower in the last 12 months.
    #[serde(default)]
    pub other_cases_12m: Option<i64>,
}

/// The loan contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// Contract principal, minor units.
    pub principal_minor: i64,
    /// Date the money was paid out.
    pub disbursed_at: Date,
    /// Term in months.
    pub term_months: i64,
    /// Repayment method.
    pub repayment: Repayment,
    /// Nominal annual interest rate.
    #[serde(default)]
    pub nominal_annual_rate: f64,
    /// Monthly fee as a share of the original principal.
    #[serde(default)]
    pub monthly_fee_rate: f64,
    /// Fee deducted from the principal at disbursement, minor units.
    #[serde(default)]
    pub upfront_fee_minor: i64,
    /// Annual penalty (overdue) rate.
    #[serde(default)]
    pub penalty_annual_rate: Option<f64>,
}

/// One repayment the borrower made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRepayment {
    /// Date paid.
    pub date: Date,
    /// Part that repaid principal, minor units.
    pub principal_minor: i64,
    /// Part that paid interest, fees or penalties, minor units.
    pub cost_minor: i64,
}

/// What the lender claims, as of a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// Date the claim is computed to.
    pub as_of: Date,
    /// Principal claimed.
    pub principal_minor: i64,
    /// Interest claimed.
    #[serde(default)]
    pub interest_minor: i64,
    /// Penalty interest claimed.
    #[serde(default)]
    pub penalty_minor: i64,
    /// Compound interest claimed.
    #[serde(default)]
    pub compound_minor: i64,
    /// Fees claimed.
    #[serde(default)]
    pub fees_minor: i64,
    /// Legal costs claimed (outside the cap).
    #[serde(default)]
    pub legal_costs_minor: i64,
}

impl Claims {
    /// Interest, penalty, compound interest and fees together: the costs the cap applies to.
    pub fn capped_costs_minor(&self) -> i64 {
        self.interest_minor + self.penalty_minor + self.compound_minor + self.fees_minor
    }
}

/// Other evidence in the file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Advertising texts the borrower saw.
    #[serde(default)]
    pub marketing_texts: Vec<String>,
    /// Whether the borrower says they were misled.
    #[serde(default)]
    pub borrower_alleges_misled: Option<bool>,
    /// Whether insurance was bundled with the loan.
    #[serde(default)]
    pub insurance_bundled: Option<bool>,
}

/// A loan-dispute case (SPEC section 4, `case.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Case number.
    pub case_id: String,
    /// Court.
    #[serde(default)]
    pub court: Option<String>,
    /// Jurisdiction.
    pub jurisdiction: Jurisdiction,
    /// ISO 4217 currency; defaults to the jurisdiction's.
    #[serde(default)]
    pub currency: Option<String>,
    /// Cause of action.
    pub cause: Cause,
    /// Date the suit was filed.
    pub filed_at: Date,
    /// Lender.
    pub plaintiff: Plaintiff,
    /// Borrower.
    pub defendant: Defendant,
    /// Contract.
    pub contract: Contract,
    /// Repayments made, in any order.
    #[serde(default)]
    pub repayments: Vec<CaseRepayment>,
    /// Claims.
    pub claims: Claims,
    /// Other evidence.
    #[serde(default)]
    pub evidence: Evidence,
}

impl Case {
    /// Parses and validates a case JSON document.
    pub fn from_json(document: &str) -> Result<Self, EngineError> {
        let case: Case = parse_json(document, "case")?;
        case.validate()?;
        Ok(case)
    }

    /// Reads and validates a case built as a JSON value (a row of an element table): the same
    /// checks and field names as [`Case::from_json`].
    pub fn from_value(value: serde_json::Value) -> Result<Self, EngineError> {
        let case: Case = parse_value(value, "case")?;
        case.validate()?;
        Ok(case)
    }

    /// The currency of every amount in the case.
    pub fn currency(&self) -> &str {
        self.currency
            .as_deref()
            .unwrap_or(self.jurisdiction.default_currency())
    }

    /// Sum of principal repaid.
    pub fn repaid_principal_minor(&self) -> i64 {
        self.repayments.iter().map(|r| r.principal_minor).sum()
    }

    /// Checks ranges and cross-field rules (dates in order, repaid principal within the
    /// principal); returns every problem found.
    pub fn validate(&self) -> Result<(), EngineError> {
        let mut c = Checker::new();
        c.identifier("case_id", &self.case_id);
        check_currency(&mut c, "currency", self.currency());
        c.identifier("plaintiff.institution_id", &self.plaintiff.institution_id);
        if let Some(p) = &self.plaintiff.product_id {
            c.identifier("plaintiff.product_id", p);
        }
        let d = &self.defendant;
        c.identifier("defendant.borrower_key", &d.borrower_key);
        if let Some(a) = d.age {
            c.int_range("defendant.age", a, 0, 130);
        }
        if let Some(v) = d.monthly_income_minor {
            c.non_negative_minor("defendant.monthly_income_minor", v);
        }
        if let Some(v) = d.active_lenders {
            c.int_range("defendant.active_lenders", v, 0, 10_000);
        }
        if let Some(v) = d.other_cases_12m {
            c.int_range("defendant.other_cases_12m", v, 0, 100_000);
        }
        let k = &self.contract;
        c.positive_minor("contract.principal_minor", k.principal_minor);
        c.int_range("contract.term_months", k.term_months, 1, 360);
        c.rate(
            "contract.nominal_annual_rate",
            k.nominal_annual_rate,
            0.0,
            10.0,
        );
        c.rate("contract.monthly_fee_rate", k.monthly_fee_rate, 0.0, 1.0);
        c.non_negative_minor("contract.upfront_fee_minor", k.upfront_fee_minor);
        if k.upfront_fee_minor >= k.principal_minor && k.principal_minor > 0 {
            c.fail(
                "contract.upfront_fee_minor",
                "must be below contract.principal_minor",
            );
        }
        if let Some(v) = k.penalty_annual_rate {
            c.rate("contract.penalty_annual_rate", v, 0.0, 10.0);
        }
        if self.filed_at < k.disbursed_at {
            c.fail(
                "filed_at",
                format!(
                    "{} is before contract.disbursed_at {}",
                    self.filed_at, k.disbursed_at
                ),
            );
        }
        let as_of = self.claims.as_of;
        if as_of < k.disbursed_at {
            c.fail(
                "claims.as_of",
                format!("{as_of} is before contract.disbursed_at {}", k.disbursed_at),
            );
        }
        let mut repaid: i64 = 0;
        c.at_most_items("repayments", self.repayments.len(), MAX_REPAYMENTS);
        for (i, r) in self.repayments.iter().enumerate().take(MAX_REPAYMENTS) {
            let at = format!("repayments[{i}]");
            c.non_negative_minor(&format!("{at}.principal_minor"), r.principal_minor);
            c.non_negative_minor(&format!("{at}.cost_minor"), r.cost_minor);
            if r.date < k.disbursed_at {
                c.fail(
                    format!("{at}.date"),
                    format!(
                        "{} is before contract.disbursed_at {}",
                        r.date, k.disbursed_at
                    ),
                );
            }
            if r.date > as_of {
                c.fail(
                    format!("{at}.date"),
                    format!("{} is after claims.as_of {as_of}", r.date),
                );
            }
            repaid = repaid.saturating_add(r.principal_minor.max(0));
        }
        if k.principal_minor > 0 && repaid > k.principal_minor {
            c.fail(
                "repayments",
                format!(
                    "principal repaid {repaid} is more than contract.principal_minor {}",
                    k.principal_minor
                ),
            );
        }
        let cl = &self.claims;
        c.non_negative_minor("claims.principal_minor", cl.principal_minor);
        c.non_negative_minor("claims.interest_minor", cl.interest_minor);
        c.non_negative_minor("claims.penalty_minor", cl.penalty_minor);
        c.non_negative_minor("claims.compound_minor", cl.compound_minor);
        c.non_negative_minor("claims.fees_minor", cl.fees_minor);
        c.non_negative_minor("claims.legal_costs_minor", cl.legal_costs_minor);
        if k.principal_minor > 0 && cl.principal_minor > k.principal_minor {
            c.fail(
                "claims.principal_minor",
                "must not be above contract.principal_minor",
            );
        }
        let texts = &self.evidence.marketing_texts;
        c.at_most_items("evidence.marketing_texts", texts.len(), MAX_LIST_ITEMS);
        for (i, t) in texts.iter().enumerate().take(MAX_LIST_ITEMS) {
            c.text(&format!("evidence.marketing_texts[{i}]"), t);
        }
        c.finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::ErrorCode;

    /// The case of SPEC section 4, with one real marketing text.
    pub(crate) const SPEC_CASE: &str = r#"{ "case_id": "2024-0192-1234", "court": "internet court", "jurisdiction": "CN",
  "cause": "financial_loan", "filed_at": "2024-05-10",
  "plaintiff": { "institution_id": "INST-A", "product_id": "P-001" },
  "defendant": { "borrower_key": "b7f3", "age": 21, "monthly_income_minor": 300000,
    "income_verified": false, "is_student": true, "active_lenders": 6, "other_cases_12m": 3 },
  "contract": { "principal_minor": 1000000, "disbursed_at": "2023-01-05", "term_months": 12,
    "repayment": "equal_installment", "nominal_annual_rate": 0.12, "monthly_fee_rate": 0.005,
    "upfront_fee_minor": 0, "penalty_annual_rate": 0.18 },
  "repayments": [ { "date": "2023-02-05", "principal_minor": 78849, "cost_minor": 15000 } ],
  "claims": { "as_of": "2024-05-10", "principal_minor": 921151, "interest_minor": 60000,
    "penalty_minor": 50000, "compound_minor": 0, "fees_minor": 30000, "legal_costs_minor": 5000 },
  "evidence": { "marketing_texts": ["日息低至0.02%"], "borrower_alleges_misled": true,
    "insurance_bundled": false } }"#;

    #[test]
    fn spec_example_parses() {
        let case = Case::from_json(SPEC_CASE).unwrap();
        assert_eq!(case.currency(), "CNY");
        assert_eq!(case.repaid_principal_minor(), 78849);
    }

    #[test]
    fn term_zero_is_named() {
        let doc = SPEC_CASE.replace("\"term_months\": 12", "\"term_months\": 0");
        let e = Case::from_json(&doc).unwrap_err();
        assert_eq!(
            e.to_string(),
            "contract.term_months: must be between 1 and 360, got 0"
        );
    }

    #[test]
    fn repayment_after_as_of_is_refused() {
        let doc = SPEC_CASE.replace("\"date\": \"2023-02-05\"", "\"date\": \"2024-06-01\"");
        let e = Case::from_json(&doc).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "repayments[0].date");
    }

    #[test]
    fn repaid_principal_above_principal_is_refused() {
        let doc = SPEC_CASE.replace("\"principal_minor\": 78849", "\"principal_minor\": 1078849");
        let e = Case::from_json(&doc).unwrap_err();
        assert!(
            e.field_errors().iter().any(|f| f.field == "repayments"),
            "{e}"
        );
    }

    #[test]
    fn missing_field_names_the_field() {
        let doc = SPEC_CASE.replace("\"disbursed_at\": \"2023-01-05\",", "");
        let e = Case::from_json(&doc).unwrap_err();
        assert_eq!(e.to_string(), "contract.disbursed_at: is required");
        assert_eq!(e.code(), ErrorCode::InvalidField);
    }

    #[test]
    fn impossible_date_names_the_field() {
        let doc = SPEC_CASE.replace(
            "2024-05-10\",\n  \"plaintiff",
            "2024-02-30\",\n  \"plaintiff",
        );
        let e = Case::from_json(&doc).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "filed_at");
    }

    #[test]
    fn pii_in_borrower_key_is_refused() {
        let doc = SPEC_CASE.replace("\"b7f3\"", "\"11010519491231002X\"");
        let e = Case::from_json(&doc).unwrap_err();
        assert_eq!(e.code(), ErrorCode::PiiInClear);
        assert_eq!(e.field_errors()[0].field, "defendant.borrower_key");
    }

    #[test]
    fn truncated_json_is_malformed() {
        let e = Case::from_json(&SPEC_CASE[..200]).unwrap_err();
        assert_eq!(e.code(), ErrorCode::MalformedDocument);
        assert!(e.to_string().starts_with("case: truncated JSON"), "{e}");
    }
}
