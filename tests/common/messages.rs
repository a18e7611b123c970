//! The SPEC example documents as JSON, and as proto messages built field by field (so a test
//! can compare a gRPC answer with the CLI's for the same document).

#![allow(dead_code, reason = "each test file uses a part of the shared set-up")]
#![allow(clippy::unwrap_used, reason = "test set-up: a failure should panic")]

use finrisk_proto::v1 as pb;
use serde_json::Value;
use std::path::PathBuf;

/// An example document of `examples/` as JSON.
pub(crate) fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}
fn os(v: &Value, k: &str) -> Option<String> {
    v[k].as_str().map(str::to_string)
}
fn i(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or_default()
}
fn oi(v: &Value, k: &str) -> Option<i64> {
    v[k].as_i64()
}
fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_default()
}
fn of(v: &Value, k: &str) -> Option<f64> {
    v[k].as_f64()
}
fn ob(v: &Value, k: &str) -> Option<bool> {
    v[k].as_bool()
}

fn repayment(v: &str) -> i32 {
    match v {
        "equal_installment" => pb::Repayment::EqualInstallment as i32,
        "equal_principal" => pb::Repayment::EqualPrincipal as i32,
        "interest_only" => pb::Repayment::InterestOnly as i32,
        "bullet" => pb::Repayment::Bullet as i32,
        _ => 0,
    }
}

/// The SPEC JSON of a case as a proto message, field by field.
pub(crate) fn case_pb(v: &Value) -> pb::Case {
    let d = &v["defendant"];
    let k = &v["contract"];
    let cl = &v["claims"];
    let ev = &v["evidence"];
    pb::Case {
        case_id: s(v, "case_id"),
        court: os(v, "court"),
        jurisdiction: pb::Jurisdiction::Cn as i32,
        currency: os(v, "currency"),
        cause: pb::Cause::FinancialLoan as i32,
        filed_at: s(v, "filed_at"),
        plaintiff: Some(pb::Plaintiff {
            institution_id: s(&v["plaintiff"], "institution_id"),
            product_id: os(&v["plaintiff"], "product_id"),
        }),
        defendant: Some(pb::Defendant {
            borrower_key: s(d, "borrower_key"),
            age: oi(d, "age"),
            monthly_income_minor: oi(d, "monthly_income_minor"),
            income_verified: ob(d, "income_verified"),
            is_student: ob(d, "is_student"),
            active_lenders: oi(d, "active_lenders"),
            other_cases_12m: oi(d, "other_cases_12m"),
        }),
        contract: Some(pb::Contract {
            principal_minor: i(k, "principal_minor"),
            disbursed_at: s(k, "disbursed_at"),
            term_months: i(k, "term_months"),
            repayment: repayment(&s(k, "repayment")),
            nominal_annual_rate: f(k, "nominal_annual_rate"),
            monthly_fee_rate: f(k, "monthly_fee_rate"),
            upfront_fee_minor: i(k, "upfront_fee_minor"),
            penalty_annual_rate: of(k, "penalty_annual_rate"),
        }),
        repayments: v["repayments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| pb::CaseRepayment {
                date: s(r, "date"),
                principal_minor: i(r, "principal_minor"),
                cost_minor: i(r, "cost_minor"),
            })
            .collect(),
        claims: Some(pb::Claims {
            as_of: s(cl, "as_of"),
            principal_minor: i(cl, "principal_minor"),
            interest_minor: i(cl, "interest_minor"),
            penalty_minor: i(cl, "penalty_minor"),
            compound_minor: i(cl, "compound_minor"),
            fees_minor: i(cl, "fees_minor"),
            legal_costs_minor: i(cl, "legal_costs_minor"),
        }),
        evidence: Some(pb::Evidence {
            marketing_texts: ev["marketing_texts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect(),
            borrower_alleges_misled: ob(ev, "borrower_alleges_misled"),
            insurance_bundled: ob(ev, "insurance_bundled"),
        }),
    }
}

/// The SPEC JSON of a product as a proto message.
pub(crate) fn product_pb(v: &Value) -> pb::Product {
    let pr = &v["pricing"];
    let k = &v["controls"];
    pb::Product {
        product_id: s(v, "product_id"),
        institution_id: s(v, "institution_id"),
        name: s(v, "name"),
        kind: pb::ProductKind::CashLoan as i32,
        jurisdiction: pb::Jurisdiction::Cn as i32,
        currency: s(v, "currency"),
        launched_at: os(v, "launched_at"),
        pricing: Some(pb::Pricing {
            repayment: repayment(&s(pr, "repayment")),
            term_months: pr["term_months"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_i64().unwrap())
                .collect(),
            nominal_annual_rate: f(pr, "nominal_annual_rate"),
            monthly_fee_rate: f(pr, "monthly_fee_rate"),
            upfront_fee_rate: f(pr, "upfront_fee_rate"),
            other_fees: pr["other_fees"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| pb::Fee {
                    name: s(x, "name"),
                    amount_minor: i(x, "amount_minor"),
                    per: pb::FeePer::Month as i32,
                    mandatory: ob(x, "mandatory"),
                })
                .collect(),
            advertised_rate: Some(pb::QuotedRate {
                value: f(&pr["advertised_rate"], "value"),
                unit: pb::RateUnit::Daily as i32,
            }),
        }),
        limits: Some(pb::Limits {
            min_principal_minor: i(&v["limits"], "min_principal_minor"),
            max_principal_minor: i(&v["limits"], "max_principal_minor"),
        }),
        controls: Some(pb::Controls {
            verifies_income: ob(k, "verifies_income"),
            checks_credit_bureau: ob(k, "checks_credit_bureau"),
            checks_multi_lending: ob(k, "checks_multi_lending"),
            min_age: oi(k, "min_age"),
            max_age: oi(k, "max_age"),
            allows_students: ob(k, "allows_students"),
            max_dti: of(k, "max_dti"),
            max_line_to_income: of(k, "max_line_to_income"),
            median_approval_seconds: of(k, "median_approval_seconds"),
            cooling_off_days: oi(k, "cooling_off_days"),
            funding_share: of(k, "funding_share"),
        }),
        marketing: v["marketing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| pb::Ad {
                channel: os(a, "channel"),
                language: os(a, "language"),
                text: s(a, "text"),
            })
            .collect(),
        contract: v["contract"].as_object().map(|k| pb::ProductContract {
            clauses: k["clauses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| pb::ContractClause {
                    title: s(c, "title"),
                    text: s(c, "text"),
                    prominent_notice: ob(c, "prominent_notice"),
                })
                .collect(),
        }),
    }
}
