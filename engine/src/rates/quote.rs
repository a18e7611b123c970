//! The APR quote of one loan: loan terms from raw values (range-checked, with the field named),
//! then the schedule, the APR figures, the legal APR of the jurisdiction and the cap check.
//! What `finrisk apr` prints and the `ComputeApr` call returns.

use crate::date::Date;
use crate::domain::{Cause, Jurisdiction, Repayment};
use crate::error::EngineError;
use crate::rates::{
    ApplicableCap, AprDefinition, AprFigures, CapCheck, Installment, LoanTerms, applicable_cap,
    apr_of_terms, check_cap,
};
use crate::ruleset::Ruleset;
use crate::validate::Checker;
use serde::Serialize;

/// The raw values of a loan's terms, as a user or a request gives them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawTerms {
    /// Principal, minor units (must be positive).
    pub principal_minor: i64,
    /// Term in months, 1..=360 (range-checked before it is narrowed, so -5 or 400 months are
    /// named as given).
    pub term_months: i64,
    /// Repayment method.
    pub repayment: Repayment,
    /// Nominal annual interest rate.
    pub nominal_annual_rate: f64,
    /// Monthly fee rate, on the principal.
    pub monthly_fee_rate: f64,
    /// Up-front fee, minor units.
    pub upfront_fee_minor: i64,
    /// Other fixed fee per month, minor units.
    pub monthly_other_fee_minor: i64,
}

impl RawTerms {
    /// The loan terms, or the fields that are out of range.
    pub fn checked(self) -> Result<LoanTerms, EngineError> {
        let mut c = Checker::new();
        c.int_range("term_months", self.term_months, 1, 360);
        c.positive_minor("principal_minor", self.principal_minor);
        c.finish()?;
        Ok(LoanTerms {
            principal_minor: self.principal_minor,
            term_months: u32::try_from(self.term_months).unwrap_or(0),
            repayment: self.repayment,
            nominal_annual_rate: self.nominal_annual_rate,
            monthly_fee_rate: self.monthly_fee_rate,
            upfront_fee_minor: self.upfront_fee_minor,
            monthly_fixed_fee_minor: self.monthly_other_fee_minor,
        })
    }
}

/// The APR quote of a loan: figures, totals, cap and schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AprQuote {
    /// Jurisdiction whose legal APR definition and cap apply.
    pub jurisdiction: &'static str,
    /// Ruleset version.
    pub ruleset_version: String,
    /// The terms quoted.
    pub terms: LoanTerms,
    /// Monthly IRR, nominal and effective APR.
    #[serde(flatten)]
    pub figures: AprFigures,
    /// The jurisdiction's legal APR.
    pub apr: f64,
    /// Which APR is the legal one.
    pub apr_definition: AprDefinition,
    /// What the borrower receives (principal less up-front fees), minor units.
    pub net_received_minor: i64,
    /// Interest over the schedule, minor units.
    pub total_interest_minor: i64,
    /// Periodic fees over the schedule, minor units.
    pub total_periodic_fees_minor: i64,
    /// Up-front fee, minor units.
    pub upfront_fee_minor: i64,
    /// Interest and all fees, minor units.
    pub total_cost_minor: i64,
    /// Everything paid over the schedule, minor units.
    pub total_paid_minor: i64,
    /// The applicable cap.
    pub cap: ApplicableCap,
    /// The loan against the cap.
    #[serde(flatten)]
    pub check: CapCheck,
    /// Month by month.
    pub schedule: Vec<Installment>,
}

/// Schedule, APR figures and cap check of `terms` (validated here) under `ruleset`, for a loan
/// of `cause` contracted on `contract_date` in `jurisdiction`.
pub fn quote(
    terms: LoanTerms,
    jurisdiction: Jurisdiction,
    cause: Cause,
    contract_date: Option<Date>,
    ruleset: &Ruleset,
) -> Result<AprQuote, EngineError> {
    let (schedule, figures) = apr_of_terms(&terms)?;
    let cap = applicable_cap(
        ruleset,
        cause,
        contract_date,
        None,
        figures.apr_effective,
        terms.term_months,
    )?;
    let check = check_cap(&cap, &figures, &schedule, ruleset.apr.report_borderline);
    let definition = ruleset.apr.legal_definition;
    Ok(AprQuote {
        jurisdiction: jurisdiction.as_str(),
        ruleset_version: ruleset.version.clone(),
        terms,
        figures,
        apr: figures.legal(definition),
        apr_definition: definition,
        net_received_minor: schedule.net_received_minor,
        total_interest_minor: schedule.total_interest_minor,
        total_periodic_fees_minor: schedule.total_periodic_fees_minor,
        upfront_fee_minor: terms.upfront_fee_minor,
        total_cost_minor: schedule.total_cost_minor,
        total_paid_minor: schedule.total_paid_minor,
        cap,
        check,
        schedule: schedule.installments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(term_months: i64, principal_minor: i64) -> RawTerms {
        RawTerms {
            principal_minor,
            term_months,
            repayment: Repayment::EqualInstallment,
            nominal_annual_rate: 0.12,
            monthly_fee_rate: 0.0,
            upfront_fee_minor: 0,
            monthly_other_fee_minor: 0,
        }
    }

    #[test]
    fn out_of_range_terms_name_their_fields() {
        let Err(EngineError::Invalid(errors)) = raw(400, 0).checked() else {
            panic!("400 months and a zero principal were accepted");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["term_months", "principal_minor"]);
        assert!(raw(-5, 100).checked().is_err());
        assert_eq!(raw(12, 100).checked().map(|t| t.term_months).ok(), Some(12));
    }

    #[test]
    fn a_quote_adds_up_and_its_legal_apr_follows_the_ruleset() {
        let ruleset = Ruleset::embedded(Jurisdiction::Cn).unwrap();
        let terms = raw(12, 1_000_000).checked().unwrap();
        let q = quote(
            terms,
            Jurisdiction::Cn,
            Cause::FinancialLoan,
            None,
            &ruleset,
        )
        .unwrap();
        assert_eq!(q.schedule.len(), 12);
        let paid: i64 = q.schedule.iter().map(|i| i.payment_minor).sum();
        assert_eq!(paid, q.total_paid_minor);
        assert_eq!(q.total_paid_minor - 1_000_000, q.total_cost_minor);
        assert_eq!(q.apr, q.figures.legal(ruleset.apr.legal_definition));
        // 12% nominal is within every CN cap.
        assert!(q.check.within_cap);
    }
}
