//! Dispute cases derived from defaulted grants, with claims planted above or below the cap.
//!
//! The borrower repaid some months on schedule, then stopped; the lender sues some months later.
//! The claimed costs are set to a planted multiple of what the cap allows (1.2-2.0x above,
//! 0.3-0.85x below; above in 5% of a careful institution's cases, 50% of a lax one's and 90%
//! of a predatory one's), using the engine's own case calculation, so the truth says whether the
//! claim exceeds the cap and by how much.

use super::people::{GenGrant, grant_terms};
use super::rng::{Rng, saturating_u32};
use super::world::{GenProduct, Profile};
use finrisk_engine::Ruleset;
use finrisk_engine::domain::case::{
    CaseRepayment, Claims, Contract, Defendant, Evidence, Plaintiff,
};
use finrisk_engine::domain::product::ProductKind;
use finrisk_engine::domain::{Case, Cause};
use finrisk_engine::rates::{build_schedule, case_cost, round_minor};
use serde::Serialize;

/// Truth row for one case (`truth/cases.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct CaseTruth {
    /// Case id.
    pub case_id: String,
    /// The defaulted grant it comes from.
    pub grant_id: String,
    /// Whether the claim was planted above the cap.
    pub above_cap: bool,
    /// Planted total cost over allowed cost.
    pub planted_factor: f64,
    /// Allowed cost by the engine's calculation, fen.
    pub allowed_cost_minor: i64,
    /// Excess over the cap by the engine's calculation, fen.
    pub excess_minor: i64,
    /// Codes the case meets (SPEC section 6 defaults) that follow from its data.
    pub codes: Vec<&'static str>,
}

fn cause_of(kind: ProductKind) -> Cause {
    match kind {
        ProductKind::Microloan => Cause::Microloan,
        ProductKind::CreditCard => Cause::CreditCard,
        ProductKind::CreditLine | ProductKind::Installment => Cause::ConsumerFinance,
        ProductKind::CashLoan => Cause::FinancialLoan,
    }
}

/// Builds case number `case_no` from defaulted grant `g`.
pub(super) fn build_case(
    seed: u64,
    products: &[GenProduct],
    ruleset: &Ruleset,
    g: &GenGrant,
    case_no: u64,
) -> Option<(Case, CaseTruth)> {
    let p = products.get(g.product)?;
    let mut rng = Rng::new(seed, 0x6361_7365_0000_0000 ^ g.index);
    let terms = grant_terms(p, g.principal_minor, g.term_months);
    let schedule = build_schedule(&terms).ok()?;
    let paid_months = if g.first_payment_default || g.term_months <= 1 {
        0
    } else {
        saturating_u32(rng.int(1, i64::from(g.term_months) - 1))
    };
    let repayments: Vec<CaseRepayment> = schedule
        .installments
        .iter()
        .take(paid_months as usize)
        .filter(|i| i.payment_minor > 0)
        .map(|i| CaseRepayment {
            date: g.granted_at.add_months(i.period),
            principal_minor: i.principal_minor,
            cost_minor: i.interest_minor + i.fee_minor,
        })
        .collect();
    let repaid: i64 = repayments.iter().map(|r| r.principal_minor).sum();
    let default_at = g.granted_at.add_months(paid_months + 1);
    let as_of = default_at.add_days(rng.days(60, 400));
    let case_id = format!("GEN-{}-{case_no:06}", as_of.ymd().0);
    let other_cases = match g.kind {
        "many_lenders" | "distressed" | "ring" => rng.int(2, 5),
        _ => rng.int(0, 1),
    };
    let has_fees =
        p.product.pricing.monthly_fee_rate > 0.0 || !p.product.pricing.other_fees.is_empty();
    let mut case = Case {
        case_id: case_id.clone(),
        court: Some("internet court".to_string()),
        jurisdiction: p.product.jurisdiction,
        currency: Some(p.product.currency.clone()),
        cause: cause_of(p.product.kind),
        filed_at: as_of,
        plaintiff: Plaintiff {
            institution_id: p.product.institution_id.clone(),
            product_id: Some(p.product.product_id.clone()),
        },
        defendant: Defendant {
            borrower_key: g.borrower_key.clone(),
            age: Some(g.borrower_age),
            monthly_income_minor: Some(g.monthly_income_minor),
            income_verified: Some(g.income_verified),
            is_student: Some(g.is_student),
            active_lenders: Some(g.active_lenders),
            other_cases_12m: Some(other_cases),
        },
        contract: Contract {
            principal_minor: g.principal_minor,
            disbursed_at: g.granted_at,
            term_months: i64::from(g.term_months),
            repayment: p.product.pricing.repayment,
            nominal_annual_rate: p.product.pricing.nominal_annual_rate,
            monthly_fee_rate: p.product.pricing.monthly_fee_rate,
            upfront_fee_minor: terms.upfront_fee_minor,
            penalty_annual_rate: Some((rng.uniform(0.18, 0.36) * 100.0).round() / 100.0),
        },
        repayments,
        claims: Claims {
            as_of,
            principal_minor: g.principal_minor - repaid,
            interest_minor: 0,
            penalty_minor: 0,
            compound_minor: 0,
            fees_minor: 0,
            legal_costs_minor: rng.int(20, 300) * 100,
        },
        evidence: Evidence {
            marketing_texts: p.product.marketing.iter().map(|a| a.text.clone()).collect(),
            borrower_alleges_misled: Some(rng.chance(
                if p.planted.iter().any(|c| c.starts_with("MK-")) {
                    0.6
                } else {
                    0.1
                },
            )),
            insurance_bundled: Some(rng.chance(0.1)),
        },
    };
    let base = case_cost(&case, ruleset).ok()?;
    let allowed = base.allowed_cost_minor?;
    let repaid_cost = base.cost_breakdown.repaid_cost_minor;
    // How often an institution's claims go above the cap follows how it lends: a careful
    // lender rarely overclaims, a predatory one mostly does (a docket has institutions a
    // judicial suggestion is for, and institutions it is not for).
    let mut above = rng.chance(match p.profile {
        Profile::Careful => 0.05,
        Profile::Lax => 0.5,
        Profile::Predatory => 0.9,
    });
    let mut factor = if above {
        rng.uniform(1.2, 2.0)
    } else {
        rng.uniform(0.3, 0.85)
    };
    if !above && (repaid_cost as f64) > 0.85 * allowed as f64 {
        // What was already paid is near the cap: this case can only be planted above it.
        above = true;
        factor = rng.uniform(1.2, 2.0);
    }
    let claimed = (round_minor(factor * allowed as f64) - repaid_cost).max(0);
    let (interest, penalty, fees) = if has_fees {
        (
            claimed / 2,
            claimed * 3 / 10,
            claimed - claimed / 2 - claimed * 3 / 10,
        )
    } else {
        (claimed - claimed * 3 / 10, claimed * 3 / 10, 0)
    };
    case.claims.interest_minor = interest;
    case.claims.penalty_minor = penalty;
    case.claims.fees_minor = fees;
    case.validate().ok()?;
    let cost = case_cost(&case, ruleset).ok()?;
    let mut codes = Vec::new();
    if cost.excess_minor > 0 {
        codes.push("RC-COST-CAP");
    }
    if other_cases >= 2 {
        codes.push("DC-REPEAT-DEFENDANT");
    }
    if g.is_student {
        codes.push("RC-STUDENT");
    }
    if !g.income_verified {
        codes.push("RC-INCOME-UNVERIFIED");
    }
    codes.sort_unstable();
    let truth = CaseTruth {
        case_id,
        grant_id: g.grant_id(),
        above_cap: above,
        planted_factor: (factor * 1e4).round() / 1e4,
        allowed_cost_minor: allowed,
        excess_minor: cost.excess_minor,
        codes,
    };
    Some((case, truth))
}
