//! Shared test fixtures of the assessment tests: the embedded CN ruleset and grammar, a
//! product and a grant row that carry no finding, a small loan book, model PDs.

use crate::date::Date;
use crate::domain::grant::GrantBatch;
use crate::domain::product::{Ad, Controls, Limits, Pricing, ProductKind, QuotedRate, RateUnit};
use crate::domain::{GrantRecord, Jurisdiction, Product, Repayment};
use crate::marketing::ClaimGrammar;
use crate::pd::GrantPds;
use crate::ruleset::Ruleset;

pub(super) fn cn() -> Ruleset {
    Ruleset::embedded(Jurisdiction::Cn).unwrap()
}

pub(super) fn lex() -> ClaimGrammar {
    ClaimGrammar::embedded().unwrap()
}

pub(super) fn clean_product() -> Product {
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
        contract: None,
    }
}

pub(super) fn clean_row() -> GrantRecord {
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

/// A small batch of product P-001 grants carrying duplicate-credit codes.
pub(super) fn dc_batch() -> GrantBatch {
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

pub(super) fn pds(values: &[f64]) -> GrantPds {
    GrantPds {
        validation: Some(crate::pd::ModelValidation {
            jurisdiction: "CN".into(),
            currency: "CNY".into(),
            population: "test grants".into(),
        }),
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
