//! How much of a case's claimed cost exceeds the legal cap (SPEC section 5).
//!
//! `allowed_cost = sum(cap x outstanding_principal x days / 365)` from disbursement to
//! `claims.as_of`, the outstanding principal falling by each repayment's principal on its date
//! and the cap rate following its dated segments; `total_cost` = cost already repaid plus the
//! interest, penalty, compound interest and fees claimed; `excess = max(0, total - allowed)`.
//! Principal is the amount actually received (Civil Code art. 670): an up-front deduction
//! lowers the recognised principal and the supportable principal. Legal costs pass through.
//! Every interval of the calculation is returned, so each figure traces back to its inputs.

use super::apr::{AprFigures, apr_of_terms};
use super::caps::{ApplicableCap, applicable_cap, hcstc_allowed_cost};
use super::schedule::LoanTerms;
use crate::date::Date;
use crate::domain::Case;
use crate::error::EngineError;
use crate::ruleset::Ruleset;
use serde::Serialize;

/// One interval of constant outstanding principal and cap rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostInterval {
    /// First day.
    pub from: Date,
    /// Day after the last (exclusive).
    pub to: Date,
    /// Days in the interval.
    pub days: i32,
    /// Principal outstanding, minor units.
    pub outstanding_minor: i64,
    /// Annual cap rate in force (`null` for money caps and no cap).
    pub cap_rate: Option<f64>,
    /// Cost the cap allows over the interval, minor units (unrounded; `null` with no cap).
    pub allowed_cost: Option<f64>,
}

/// Where the total cost comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostBreakdown {
    /// Interest, fees and penalties already paid (sum of `repayments[].cost_minor`).
    pub repaid_cost_minor: i64,
    /// Interest claimed.
    pub interest_minor: i64,
    /// Penalty interest claimed.
    pub penalty_minor: i64,
    /// Compound interest claimed.
    pub compound_minor: i64,
    /// Fees claimed.
    pub fees_minor: i64,
}

/// The cost figures of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseCost {
    /// APR figures of the contract terms (schedule at the contract rates and fees).
    pub contract_apr: AprFigures,
    /// The contract's legal APR under the ruleset's definition.
    pub contract_apr_legal: f64,
    /// Actual annual cost rate: total cost over principal-years outstanding (`null` when no
    /// time has passed).
    pub effective_apr: Option<f64>,
    /// The applicable cap.
    pub cap: ApplicableCap,
    /// Principal recognised: contract principal less any up-front deduction.
    pub recognised_principal_minor: i64,
    /// Up-front deduction taken off the recognised and the supportable principal.
    pub principal_reduction_minor: i64,
    /// Sum of outstanding principal x days / 365, minor units x years.
    pub principal_years_minor: f64,
    /// Largest cost the cap allows, minor units (`null` when no cap applies).
    pub allowed_cost_minor: Option<i64>,
    /// Cost paid and claimed together, minor units.
    pub total_cost_minor: i64,
    /// Its parts.
    pub cost_breakdown: CostBreakdown,
    /// Cost above the cap, minor units.
    pub excess_minor: i64,
    /// Principal plus costs claimed (legal costs excluded).
    pub claimed_minor: i64,
    /// What the claim can be supported up to: claimed principal (less any up-front
    /// deduction) plus claimed costs, less the excess, never below zero.
    pub supportable_claim_minor: i64,
    /// Legal costs claimed; outside the cap, passed through.
    pub legal_costs_minor: i64,
    /// Whether the total cost is within the cap.
    pub within_cap: bool,
    /// The intervals of the allowed-cost sum.
    pub intervals: Vec<CostInterval>,
}

/// Computes the cost figures of a validated case under `ruleset`.
pub fn case_cost(case: &Case, ruleset: &Ruleset) -> Result<CaseCost, EngineError> {
    let k = &case.contract;
    let term = u32::try_from(k.term_months)
        .map_err(|_| EngineError::field("contract.term_months", "must be between 1 and 360"))?;
    let terms = LoanTerms {
        principal_minor: k.principal_minor,
        term_months: term,
        repayment: k.repayment,
        nominal_annual_rate: k.nominal_annual_rate,
        monthly_fee_rate: k.monthly_fee_rate,
        upfront_fee_minor: k.upfront_fee_minor,
        monthly_fixed_fee_minor: 0,
    };
    let (_, contract_apr) = apr_of_terms(&terms).map_err(|e| prefix(e, "contract."))?;
    let cap = applicable_cap(
        ruleset,
        case.cause,
        Some(k.disbursed_at),
        Some(case.filed_at),
        contract_apr.apr_effective,
        term,
    )
    .map_err(|e| match e {
        EngineError::Invalid(mut v) => {
            for f in &mut v {
                f.field = match f.field.as_str() {
                    "contract_date" => "contract.disbursed_at".to_string(),
                    other => other.to_string(),
                };
            }
            EngineError::Invalid(v)
        }
        other => other,
    })?;

    let recognised = k.principal_minor - k.upfront_fee_minor;
    let as_of = case.claims.as_of;
    let mut repayments: Vec<(Date, i64)> = case
        .repayments
        .iter()
        .map(|r| (r.date, r.principal_minor))
        .collect();
    repayments.sort_by_key(|(d, _)| *d);
    // Break points: repayment dates and cap changes inside (disbursed_at, as_of).
    let mut breaks: Vec<Date> = repayments.iter().map(|(d, _)| *d).collect();
    if let ApplicableCap::AnnualRate { segments, .. } = &cap {
        breaks.extend(segments.iter().filter_map(|s| s.from));
    }
    breaks.retain(|d| *d > k.disbursed_at && *d < as_of);
    breaks.push(as_of);
    breaks.sort();
    breaks.dedup();

    let mut intervals = Vec::with_capacity(breaks.len());
    let mut outstanding = recognised;
    let mut next_repayment = 0;
    let mut from = k.disbursed_at;
    let mut principal_years = 0.0;
    let mut allowed = 0.0;
    for to in breaks {
        while next_repayment < repayments.len() && repayments[next_repayment].0 <= from {
            outstanding = (outstanding - repayments[next_repayment].1).max(0);
            next_repayment += 1;
        }
        let days = from.days_until(to);
        if days > 0 {
            let weight = outstanding as f64 * f64::from(days) / 365.0;
            let cap_rate = cap.rate_on(from);
            let interval_allowed = match &cap {
                ApplicableCap::AnnualRate { .. } => cap_rate.unwrap_or(0.0) * weight,
                ApplicableCap::UkHcstc { daily_rate, .. } => {
                    daily_rate * outstanding as f64 * f64::from(days)
                }
                ApplicableCap::None { .. } => f64::INFINITY,
            };
            principal_years += weight;
            allowed += interval_allowed;
            intervals.push(CostInterval {
                from,
                to,
                days,
                outstanding_minor: outstanding,
                cap_rate,
                allowed_cost: interval_allowed.is_finite().then_some(interval_allowed),
            });
        }
        from = to;
    }
    if let ApplicableCap::UkHcstc {
        daily_rate,
        total_cost_ratio,
        ..
    } = &cap
    {
        allowed = hcstc_allowed_cost(
            *daily_rate,
            *total_cost_ratio,
            recognised as f64,
            allowed / daily_rate,
        );
    }

    let cl = &case.claims;
    let repaid_cost: i64 = case.repayments.iter().map(|r| r.cost_minor).sum();
    let total_cost = repaid_cost + cl.capped_costs_minor();
    let (allowed_minor, excess) = if allowed.is_finite() {
        let allowed_minor = super::round_minor(allowed);
        (
            Some(allowed_minor),
            super::round_minor(total_cost as f64 - allowed).max(0),
        )
    } else {
        (None, 0)
    };
    let claimed = cl.principal_minor + cl.capped_costs_minor();
    let supportable_principal = (cl.principal_minor - k.upfront_fee_minor).max(0);
    let supportable = (supportable_principal + cl.capped_costs_minor() - excess).max(0);
    Ok(CaseCost {
        contract_apr_legal: contract_apr.legal(ruleset.apr.legal_definition),
        contract_apr,
        effective_apr: (principal_years > 0.0).then(|| total_cost as f64 / principal_years),
        cap,
        recognised_principal_minor: recognised,
        principal_reduction_minor: k.upfront_fee_minor,
        principal_years_minor: principal_years,
        allowed_cost_minor: allowed_minor,
        total_cost_minor: total_cost,
        cost_breakdown: CostBreakdown {
            repaid_cost_minor: repaid_cost,
            interest_minor: cl.interest_minor,
            penalty_minor: cl.penalty_minor,
            compound_minor: cl.compound_minor,
            fees_minor: cl.fees_minor,
        },
        excess_minor: excess,
        claimed_minor: claimed,
        supportable_claim_minor: supportable,
        legal_costs_minor: cl.legal_costs_minor,
        within_cap: excess == 0,
        intervals,
    })
}

fn prefix(e: EngineError, path: &str) -> EngineError {
    match e {
        EngineError::Invalid(mut v) => {
            for f in &mut v {
                f.field = format!("{path}{}", f.field);
            }
            EngineError::Invalid(v)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Jurisdiction;
    use crate::domain::case::tests::SPEC_CASE;

    fn cn() -> Ruleset {
        Ruleset::embedded(Jurisdiction::Cn).unwrap()
    }

    #[test]
    fn spec_case_figures_by_hand() {
        let case = Case::from_json(SPEC_CASE).unwrap();
        let c = case_cost(&case, &cn()).unwrap();
        // 1,000,000 outstanding 2023-01-05 .. 2023-02-05 (31 days), then 921,151 to 2024-05-10 (460 days).
        assert_eq!(c.intervals.len(), 2);
        assert_eq!(
            (c.intervals[0].days, c.intervals[0].outstanding_minor),
            (31, 1_000_000)
        );
        assert_eq!(
            (c.intervals[1].days, c.intervals[1].outstanding_minor),
            (460, 921_151)
        );
        let py = 1_000_000.0 * 31.0 / 365.0 + 921_151.0 * 460.0 / 365.0;
        assert!((c.principal_years_minor - py).abs() < 1e-6);
        assert_eq!(c.allowed_cost_minor, Some((0.24 * py).round() as i64));
        assert_eq!(c.total_cost_minor, 15_000 + 60_000 + 50_000 + 30_000);
        assert_eq!(c.excess_minor, 0);
        assert_eq!(c.supportable_claim_minor, 921_151 + 140_000);
        assert_eq!(c.legal_costs_minor, 5_000);
        assert!(c.within_cap);
    }

    #[test]
    fn claim_above_the_cap_is_cut_by_the_excess() {
        // 10,000.00 for one non-leap year, nothing repaid, claims 3,600.00 of interest: 24% allows 2,400.00.
        let doc = SPEC_CASE
            .replace("\"disbursed_at\": \"2023-01-05\"", "\"disbursed_at\": \"2022-05-10\"")
            .replace("\"as_of\": \"2024-05-10\"", "\"as_of\": \"2023-05-10\"")
            .replace("\"repayments\": [ { \"date\": \"2023-02-05\", \"principal_minor\": 78849, \"cost_minor\": 15000 } ],", "\"repayments\": [],")
            .replace("\"principal_minor\": 921151, \"interest_minor\": 60000,\n    \"penalty_minor\": 50000, \"compound_minor\": 0, \"fees_minor\": 30000",
                     "\"principal_minor\": 1000000, \"interest_minor\": 360000,\n    \"penalty_minor\": 0, \"compound_minor\": 0, \"fees_minor\": 0");
        let case = Case::from_json(&doc).unwrap();
        let c = case_cost(&case, &cn()).unwrap();
        assert_eq!(c.allowed_cost_minor, Some(240_000));
        assert_eq!(c.excess_minor, 120_000);
        assert_eq!(c.supportable_claim_minor, 1_000_000 + 240_000);
        assert!(!c.within_cap);
        assert!((c.effective_apr.unwrap() - 0.36).abs() < 1e-12);
    }

    #[test]
    fn private_lending_transition_uses_two_rates() {
        let doc = SPEC_CASE
            .replace("\"financial_loan\"", "\"private_lending\"")
            .replace(
                "\"disbursed_at\": \"2023-01-05\"",
                "\"disbursed_at\": \"2020-01-05\"",
            )
            .replace("\"date\": \"2023-02-05\"", "\"date\": \"2020-02-05\"")
            .replace(
                "\"filed_at\": \"2024-05-10\"",
                "\"filed_at\": \"2021-03-01\"",
            )
            .replace("\"as_of\": \"2024-05-10\"", "\"as_of\": \"2021-03-01\"");
        let case = Case::from_json(&doc).unwrap();
        let c = case_cost(&case, &cn()).unwrap();
        let rates: Vec<Option<f64>> = c.intervals.iter().map(|i| i.cap_rate).collect();
        assert_eq!(rates.len(), 3);
        assert_eq!(rates[0], Some(0.24));
        assert_eq!(rates[1], Some(0.24));
        assert!((rates[2].unwrap() - 0.154).abs() < 1e-12);
        assert_eq!(c.intervals[2].from, Date::parse("2020-08-20").unwrap());
    }

    #[test]
    fn upfront_deduction_lowers_the_recognised_principal() {
        let doc = SPEC_CASE.replace("\"upfront_fee_minor\": 0", "\"upfront_fee_minor\": 100000");
        let case = Case::from_json(&doc).unwrap();
        let c = case_cost(&case, &cn()).unwrap();
        assert_eq!(c.recognised_principal_minor, 900_000);
        assert_eq!(c.intervals[0].outstanding_minor, 900_000);
        assert_eq!(
            c.supportable_claim_minor,
            921_151 - 100_000 + 140_000 - c.excess_minor
        );
    }
}
