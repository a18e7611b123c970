//! Monthly repayment schedules for the four repayment methods, in integer minor units.
//!
//! Follows domain.md section 7.4 and SPEC section 5: interest on the outstanding balance at
//! the nominal rate / 12, the monthly fee as `monthly_fee_rate x principal` every month (bullet:
//! all at maturity), mandatory monthly fees every month, one-off fees deducted at disbursement.
//! Every amount is rounded half away from zero to the minor unit and the last payment absorbs
//! the residual, so the principal parts always add up to exactly the principal.

use crate::domain::Repayment;
use crate::error::{EngineError, FieldError};
use crate::validate::Checker;
use serde::Serialize;

/// The price terms of one loan, as the schedule needs them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LoanTerms {
    /// Contract principal, minor units.
    pub principal_minor: i64,
    /// Term in months.
    pub term_months: u32,
    /// Repayment method.
    pub repayment: Repayment,
    /// Nominal annual interest rate (interest per month = rate / 12 of the balance).
    pub nominal_annual_rate: f64,
    /// Monthly fee as a share of the original principal (月费率).
    pub monthly_fee_rate: f64,
    /// Fees deducted at disbursement, minor units.
    pub upfront_fee_minor: i64,
    /// Mandatory fixed fees charged every month (membership and the like), minor units.
    pub monthly_fixed_fee_minor: i64,
}

impl LoanTerms {
    /// Terms with only principal, term and method; no interest and no fees.
    pub fn new(principal_minor: i64, term_months: u32, repayment: Repayment) -> Self {
        Self {
            principal_minor,
            term_months,
            repayment,
            nominal_annual_rate: 0.0,
            monthly_fee_rate: 0.0,
            upfront_fee_minor: 0,
            monthly_fixed_fee_minor: 0,
        }
    }

    /// Checks the terms; field names are those of the CLI and the case contract. Amounts are
    /// capped at [`MAX_TERMS_MINOR`], so that no sum over a 360-month schedule at the highest
    /// rates overflows.
    pub fn validate(&self) -> Result<(), EngineError> {
        let mut c = Checker::new();
        c.positive_minor("principal_minor", self.principal_minor);
        for (field, value) in [
            ("principal_minor", self.principal_minor),
            ("upfront_fee_minor", self.upfront_fee_minor),
            ("monthly_fixed_fee_minor", self.monthly_fixed_fee_minor),
        ] {
            if value > MAX_TERMS_MINOR {
                c.fail(
                    field,
                    format!("must be at most {MAX_TERMS_MINOR} minor units, got {value}"),
                );
            }
        }
        c.int_range("term_months", i64::from(self.term_months), 1, 360);
        c.rate("nominal_annual_rate", self.nominal_annual_rate, 0.0, 10.0);
        c.rate("monthly_fee_rate", self.monthly_fee_rate, 0.0, 1.0);
        c.non_negative_minor("upfront_fee_minor", self.upfront_fee_minor);
        if self.principal_minor > 0 && self.upfront_fee_minor >= self.principal_minor {
            c.fail("upfront_fee_minor", "must be below the principal");
        }
        c.non_negative_minor("monthly_fixed_fee_minor", self.monthly_fixed_fee_minor);
        c.finish()
    }
}

/// Largest principal or fee the schedule takes, in minor units (10^15: ten trillion in the
/// currency). Found by fuzzing: larger amounts overflowed the schedule's sums.
pub const MAX_TERMS_MINOR: i64 = 1_000_000_000_000_000;

/// One month of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Installment {
    /// Month number, 1-based.
    pub period: u32,
    /// Principal repaid this month.
    pub principal_minor: i64,
    /// Interest this month.
    pub interest_minor: i64,
    /// Fees this month (monthly fee rate and mandatory monthly fees).
    pub fee_minor: i64,
    /// Total paid this month.
    pub payment_minor: i64,
    /// Principal outstanding after this month.
    pub balance_minor: i64,
}

/// A full schedule and its totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    /// What the borrower actually receives at month 0 (principal less up-front fees).
    pub net_received_minor: i64,
    /// The monthly payments.
    pub installments: Vec<Installment>,
    /// Interest over the term.
    pub total_interest_minor: i64,
    /// Monthly and fixed fees over the term (excluding up-front fees).
    pub total_periodic_fees_minor: i64,
    /// Everything paid beyond the principal, up-front fees included.
    pub total_cost_minor: i64,
    /// Everything paid over the term.
    pub total_paid_minor: i64,
}

impl Schedule {
    /// The borrower's cash flows in major-unit-free minor units: `+net received` at month 0,
    /// then `-payment` each month.
    pub fn cash_flows(&self) -> Vec<f64> {
        let mut flows = Vec::with_capacity(self.installments.len() + 1);
        self.cash_flows_into(&mut flows);
        flows
    }

    /// Writes the cash flows into `out` (cleared first), reusing its allocation.
    pub fn cash_flows_into(&self, out: &mut Vec<f64>) {
        out.clear();
        out.push(self.net_received_minor as f64);
        out.extend(self.installments.iter().map(|i| -(i.payment_minor as f64)));
    }
}

/// `x` rounded to the nearest minor unit. Amounts are validated below 10^15 minor units, far
/// inside `i64` and exact in `f64`; a value outside `i64` (or not finite) saturates (NaN gives
/// 0), as Rust's float-to-integer casts do.
#[expect(
    clippy::cast_possible_truncation,
    reason = "a saturating cast of a rounded amount that validation keeps far inside i64"
)]
pub fn round_minor(x: f64) -> i64 {
    x.round() as i64
}

/// Builds the schedule of `terms`, after validating them.
pub fn build_schedule(terms: &LoanTerms) -> Result<Schedule, EngineError> {
    terms.validate()?;
    let mut installments = Vec::with_capacity(terms.term_months as usize);
    fill_schedule(terms, &mut installments);
    let total_interest_minor: i64 = installments.iter().map(|i| i.interest_minor).sum();
    let total_periodic_fees_minor: i64 = installments.iter().map(|i| i.fee_minor).sum();
    let total_paid_minor: i64 = installments.iter().map(|i| i.payment_minor).sum();
    let repaid: i64 = installments.iter().map(|i| i.principal_minor).sum();
    if repaid != terms.principal_minor {
        return Err(EngineError::Invalid(vec![FieldError::with_code(
            "schedule",
            format!(
                "principal parts add up to {repaid}, not {}",
                terms.principal_minor
            ),
            crate::error::ErrorCode::Internal,
        )]));
    }
    Ok(Schedule {
        net_received_minor: terms.principal_minor - terms.upfront_fee_minor,
        installments,
        total_interest_minor,
        total_periodic_fees_minor,
        total_cost_minor: total_interest_minor
            + total_periodic_fees_minor
            + terms.upfront_fee_minor,
        total_paid_minor,
    })
}

/// Fills `out` (cleared first) with the installments of already validated terms. Does not
/// allocate when `out` has room for the term; the batch path uses it with a reused buffer.
pub fn fill_schedule(terms: &LoanTerms, out: &mut Vec<Installment>) {
    out.clear();
    let p = terms.principal_minor;
    let n = terms.term_months.max(1);
    let i = terms.nominal_annual_rate / 12.0;
    let monthly_fee = round_minor(terms.monthly_fee_rate * p as f64);
    let fixed = terms.monthly_fixed_fee_minor;
    let mut balance = p;
    let level_payment = match terms.repayment {
        Repayment::EqualInstallment if i > 0.0 => {
            round_minor(p as f64 * i / (1.0 - (1.0 + i).powi(-(n as i32))))
        }
        Repayment::EqualInstallment => round_minor(p as f64 / f64::from(n)),
        _ => 0,
    };
    let principal_part = round_minor(p as f64 / f64::from(n));
    for k in 1..=n {
        let last = k == n;
        let (principal, interest) = match terms.repayment {
            Repayment::EqualInstallment => {
                let interest = round_minor(balance as f64 * i);
                let principal = if last {
                    balance
                } else {
                    (level_payment - interest).clamp(0, balance)
                };
                (principal, interest)
            }
            Repayment::EqualPrincipal => {
                let interest = round_minor(balance as f64 * i);
                let principal = if last {
                    balance
                } else {
                    principal_part.min(balance)
                };
                (principal, interest)
            }
            Repayment::InterestOnly => {
                let interest = round_minor(p as f64 * i);
                (if last { balance } else { 0 }, interest)
            }
            Repayment::Bullet => {
                if last {
                    (balance, round_minor(p as f64 * i * f64::from(n)))
                } else {
                    (0, 0)
                }
            }
        };
        let fee = match terms.repayment {
            Repayment::Bullet if last => monthly_fee * i64::from(n) + fixed,
            Repayment::Bullet => fixed,
            _ => monthly_fee + fixed,
        };
        balance -= principal;
        out.push(Installment {
            period: k,
            principal_minor: principal,
            interest_minor: interest,
            fee_minor: fee,
            payment_minor: principal + interest + fee,
            balance_minor: balance,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::test_support::any_repayment;
    use proptest::prelude::*;

    #[test]
    fn amounts_beyond_the_cap_are_refused_not_overflowed() {
        // The input the loan_terms fuzz target found (fuzz/artifacts), and the extremes.
        for (principal, fixed) in [(1_000_000, 0x3f00_0000_0000_0000_i64), (i64::MAX, 0)] {
            let mut t = LoanTerms::new(principal, 360, Repayment::Bullet);
            t.nominal_annual_rate = 10.0;
            t.monthly_fee_rate = 1.0;
            t.monthly_fixed_fee_minor = fixed;
            let err = build_schedule(&t).unwrap_err();
            let fields: Vec<String> = err.field_errors().into_iter().map(|e| e.field).collect();
            assert!(
                fields.contains(&"principal_minor".to_string())
                    || fields.contains(&"monthly_fixed_fee_minor".to_string()),
                "{fields:?}"
            );
        }
        // At the cap, every repayment method at the highest rates builds.
        for repayment in [
            Repayment::EqualInstallment,
            Repayment::EqualPrincipal,
            Repayment::InterestOnly,
            Repayment::Bullet,
        ] {
            let mut t = LoanTerms::new(MAX_TERMS_MINOR, 360, repayment);
            t.nominal_annual_rate = 10.0;
            t.monthly_fee_rate = 1.0;
            t.upfront_fee_minor = MAX_TERMS_MINOR - 1;
            t.monthly_fixed_fee_minor = MAX_TERMS_MINOR;
            assert!(build_schedule(&t).is_ok(), "{repayment:?}");
        }
    }

    #[test]
    fn tv4_equal_installment_rounded() {
        let mut t = LoanTerms::new(1_000_000, 12, Repayment::EqualInstallment);
        t.nominal_annual_rate = 0.12;
        let s = build_schedule(&t).unwrap();
        let first = s.installments[0];
        assert_eq!(
            (
                first.interest_minor,
                first.principal_minor,
                first.balance_minor
            ),
            (10_000, 78_849, 921_151)
        );
        let second = s.installments[1];
        assert_eq!(
            (
                second.interest_minor,
                second.principal_minor,
                second.balance_minor
            ),
            (9_212, 79_637, 841_514)
        );
        assert!(
            s.installments[..11]
                .iter()
                .all(|i| i.payment_minor == 88_849)
        );
        let last = s.installments[11];
        assert_eq!(
            (
                last.payment_minor,
                last.interest_minor,
                last.principal_minor,
                last.balance_minor
            ),
            (88_847, 880, 87_967, 0)
        );
        assert_eq!(s.total_interest_minor, 66_186);
    }

    #[test]
    fn tv5_equal_principal() {
        let mut t = LoanTerms::new(1_200_000, 12, Repayment::EqualPrincipal);
        t.nominal_annual_rate = 0.12;
        let s = build_schedule(&t).unwrap();
        let payments: Vec<i64> = s.installments.iter().map(|i| i.payment_minor).collect();
        let expected: Vec<i64> = (0..12).map(|k| 112_000 - 1_000 * k).collect();
        assert_eq!(payments, expected);
        assert_eq!(s.total_interest_minor, 78_000);
    }

    #[test]
    fn tv2_monthly_fee_schedule() {
        let mut t = LoanTerms::new(1_200_000, 12, Repayment::EqualInstallment);
        t.monthly_fee_rate = 0.008;
        let s = build_schedule(&t).unwrap();
        assert!(s.installments.iter().all(|i| i.payment_minor == 109_600));
        assert_eq!(s.total_cost_minor, 115_200);
    }

    #[test]
    fn bullet_charges_everything_at_maturity() {
        let mut t = LoanTerms::new(900_000, 12, Repayment::Bullet);
        t.nominal_annual_rate = 0.2;
        let s = build_schedule(&t).unwrap();
        assert!(s.installments[..11].iter().all(|i| i.payment_minor == 0));
        assert_eq!(s.installments[11].payment_minor, 1_080_000);
    }

    #[test]
    fn interest_only_pays_interest_then_principal() {
        let mut t = LoanTerms::new(1_000_000, 6, Repayment::InterestOnly);
        t.nominal_annual_rate = 0.12;
        let s = build_schedule(&t).unwrap();
        assert!(
            s.installments[..5]
                .iter()
                .all(|i| i.payment_minor == 10_000)
        );
        assert_eq!(s.installments[5].payment_minor, 1_010_000);
    }

    #[test]
    fn bad_terms_name_the_field() {
        let t = LoanTerms::new(0, 0, Repayment::Bullet);
        let e = build_schedule(&t).unwrap_err();
        let fields: Vec<String> = e.field_errors().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, vec!["principal_minor", "term_months"]);
    }

    proptest! {
        #[test]
        fn schedules_repay_exactly_the_principal(
            principal in 1i64..1_000_000_000, n in 1u32..=360, rate in 0.0f64..1.0,
            fee in 0.0f64..0.05, fixed in 0i64..10_000, method in any_repayment(),
        ) {
            let mut t = LoanTerms::new(principal, n, method);
            t.nominal_annual_rate = rate;
            t.monthly_fee_rate = fee;
            t.monthly_fixed_fee_minor = fixed;
            let s = build_schedule(&t).unwrap();
            prop_assert_eq!(s.installments.len(), n as usize);
            prop_assert_eq!(s.installments.iter().map(|i| i.principal_minor).sum::<i64>(), principal);
            prop_assert_eq!(s.installments.last().unwrap().balance_minor, 0);
            prop_assert!(s.installments.iter().all(|i| i.principal_minor >= 0 && i.interest_minor >= 0));
            prop_assert_eq!(s.total_paid_minor, principal + s.total_cost_minor);
        }
    }
}
