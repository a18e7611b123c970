//! APR from a schedule: the monthly IRR of the borrower's cash flows, annualised two ways.
//!
//! `apr_nominal = 12 r` is the legal APR in CN and US; `apr_effective = (1 + r)^12 - 1` is the
//! legal APR (APRC) in the EU and UK (SPEC section 5, domain.md section 7.3). Quoted daily and
//! monthly rates convert with a configurable day basis (360 for PBOC practice, 365 for courts
//! that use calendar days).

use super::irr::{IrrError, irr_periodic};
use super::schedule::{LoanTerms, Schedule, build_schedule};
use crate::domain::product::RateUnit;
use crate::error::EngineError;
use serde::{Deserialize, Serialize};

/// Which annualisation a jurisdiction uses as its legal APR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AprDefinition {
    /// `12 r`: simple annualisation (CN, US Reg Z).
    Nominal,
    /// `(1 + r)^12 - 1`: compound annualisation (EU, UK APRC).
    Effective,
}

/// The three rate figures of one loan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AprFigures {
    /// Monthly IRR of the borrower's flows.
    pub monthly_irr: f64,
    /// `12 x monthly_irr`.
    pub apr_nominal: f64,
    /// `(1 + monthly_irr)^12 - 1`.
    pub apr_effective: f64,
}

impl AprFigures {
    /// Annualises a monthly IRR both ways.
    pub fn from_monthly_irr(monthly_irr: f64) -> Self {
        Self {
            monthly_irr,
            apr_nominal: 12.0 * monthly_irr,
            apr_effective: (1.0 + monthly_irr).powi(12) - 1.0,
        }
    }

    /// The figure a definition selects.
    pub fn legal(&self, definition: AprDefinition) -> f64 {
        match definition {
            AprDefinition::Nominal => self.apr_nominal,
            AprDefinition::Effective => self.apr_effective,
        }
    }
}

/// APR figures of monthly cash flows (`flows[0]` received now, then one flow a month).
pub fn apr_of_flows(flows: &[f64], field: &str) -> Result<AprFigures, EngineError> {
    irr_periodic(flows)
        .map(AprFigures::from_monthly_irr)
        .map_err(|e| irr_error(e, field))
}

/// Builds the schedule of `terms` and computes its APR figures.
pub fn apr_of_terms(terms: &LoanTerms) -> Result<(Schedule, AprFigures), EngineError> {
    let schedule = build_schedule(terms)?;
    let figures = apr_of_flows(&schedule.cash_flows(), "schedule")?;
    Ok((schedule, figures))
}

/// Converts an IRR failure into an engine error about `field`.
pub fn irr_error(e: IrrError, field: &str) -> EngineError {
    EngineError::NoIrr {
        field: field.to_string(),
        reason: e.to_string(),
    }
}

/// Days in a year when converting quoted daily rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DayBasis {
    /// 360 days (PBOC 2005 interest-calculation practice).
    #[serde(rename = "360")]
    Days360,
    /// 365 days (calendar days).
    #[serde(rename = "365")]
    Days365,
}

impl DayBasis {
    /// Number of days.
    pub fn days(self) -> f64 {
        match self {
            Self::Days360 => 360.0,
            Self::Days365 => 365.0,
        }
    }
}

/// A quoted rate turned into annual figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AnnualisedQuote {
    /// Simple annualisation: daily x days in year, monthly x 12.
    pub simple: f64,
    /// Compound annualisation: daily compounded over 365 days, monthly over 12 months.
    pub compound: f64,
}

/// Annualises a quoted rate (domain.md section 7.3, test vector TV-7).
pub fn annualise_quote(value: f64, unit: RateUnit, basis: DayBasis) -> AnnualisedQuote {
    match unit {
        RateUnit::Daily => AnnualisedQuote {
            simple: value * basis.days(),
            compound: (1.0 + value).powi(365) - 1.0,
        },
        RateUnit::Monthly => AnnualisedQuote {
            simple: value * 12.0,
            compound: (1.0 + value).powi(12) - 1.0,
        },
        RateUnit::Annual => AnnualisedQuote {
            simple: value,
            compound: value,
        },
    }
}

/// The rate per period quoted for an annual rate (annual / days, annual / 12).
pub fn periodic_from_annual(annual: f64, unit: RateUnit, basis: DayBasis) -> f64 {
    match unit {
        RateUnit::Daily => annual / basis.days(),
        RateUnit::Monthly => annual / 12.0,
        RateUnit::Annual => annual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Repayment;
    use crate::rates::test_support::any_repayment;
    use proptest::prelude::*;

    const PP: f64 = 5e-6; // 0.0005 percentage points

    fn add_on(principal_minor: i64, n: u32, f: f64) -> AprFigures {
        let mut t = LoanTerms::new(principal_minor, n, Repayment::EqualInstallment);
        t.monthly_fee_rate = f;
        apr_of_terms(&t).unwrap().1
    }

    #[test]
    fn spec_vector_monthly_fee_10000() {
        let a = add_on(1_000_000, 12, 0.008);
        assert!(
            (a.apr_nominal - 0.172_708).abs() < 5e-7,
            "{}",
            a.apr_nominal
        );
        assert!(
            (a.apr_effective - 0.187_057).abs() < 5e-7,
            "{}",
            a.apr_effective
        );
    }

    #[test]
    fn tv2_tv3_and_the_reference_grid() {
        let a = add_on(1_200_000, 12, 0.008);
        assert!((a.monthly_irr - 0.014_392_37).abs() < 5e-9);
        let b = add_on(1_200_000, 12, 0.006);
        assert!((b.monthly_irr - 0.010_861_85).abs() < 5e-9);
        assert!((b.apr_nominal - 0.130_342).abs() < PP && (b.apr_effective - 0.138_418).abs() < PP);
        let grid = [
            (0.006, 3, 0.107_679, 0.113_156),
            (0.008, 3, 0.143_432, 0.153_247),
            (0.006, 6, 0.122_394, 0.129_498),
            (0.008, 6, 0.162_745, 0.175_450),
            (0.0075, 12, 0.162_165, 0.174_778),
            (0.006, 24, 0.132_656, 0.141_026),
            (0.008, 24, 0.174_664, 0.189_348),
        ];
        for (f, n, nominal, effective) in grid {
            let a = add_on(1_200_000, n, f);
            assert!(
                (a.apr_nominal - nominal).abs() < PP,
                "f={f} n={n}: {}",
                a.apr_nominal
            );
            assert!(
                (a.apr_effective - effective).abs() < PP,
                "f={f} n={n}: {}",
                a.apr_effective
            );
        }
    }

    #[test]
    fn tv4_rounded_annuity() {
        let mut t = LoanTerms::new(1_000_000, 12, Repayment::EqualInstallment);
        t.nominal_annual_rate = 0.12;
        let (_, a) = apr_of_terms(&t).unwrap();
        assert!(
            (a.monthly_irr - 0.010_000_10).abs() < 5e-9,
            "{}",
            a.monthly_irr
        );
        assert!((a.apr_nominal - 0.120_001).abs() < PP);
        assert!((a.apr_effective - 0.126_826).abs() < PP);
    }

    #[test]
    fn tv5_equal_principal_irr_is_exactly_one_percent() {
        let mut t = LoanTerms::new(1_200_000, 12, Repayment::EqualPrincipal);
        t.nominal_annual_rate = 0.12;
        let (_, a) = apr_of_terms(&t).unwrap();
        assert!((a.monthly_irr - 0.01).abs() < 1e-12);
    }

    #[test]
    fn tv6_flat_add_on() {
        // 10% a year flat on the original principal = 100 a month on 12,000.
        let flows: Vec<f64> = std::iter::once(12_000.0)
            .chain(std::iter::repeat_n(-1_100.0, 12))
            .collect();
        let a = apr_of_flows(&flows, "flows").unwrap();
        assert!((a.monthly_irr - 0.014_976_66).abs() < 5e-9);
        assert!((a.apr_nominal - 0.179_720).abs() < PP && (a.apr_effective - 0.195_288).abs() < PP);
    }

    #[test]
    fn tv7_quoted_rate_conversions() {
        let d360 = annualise_quote(0.0005, RateUnit::Daily, DayBasis::Days360);
        let d365 = annualise_quote(0.0005, RateUnit::Daily, DayBasis::Days365);
        assert!((d360.simple - 0.18).abs() < 1e-12);
        assert!((d365.simple - 0.1825).abs() < 1e-12);
        assert!((d365.compound - 0.200_159).abs() < PP);
        let m = annualise_quote(0.02, RateUnit::Monthly, DayBasis::Days360);
        assert!((m.simple - 0.24).abs() < 1e-12 && (m.compound - 0.268_242).abs() < PP);
        assert!(
            (periodic_from_annual(0.18, RateUnit::Daily, DayBasis::Days360) - 0.0005).abs() < 1e-15
        );
    }

    #[test]
    fn tv8_upfront_deduction_uses_amount_received() {
        let flows: Vec<f64> = std::iter::once(9_000.0)
            .chain(std::iter::repeat_n(-900.0, 12))
            .collect();
        let a = apr_of_flows(&flows, "flows").unwrap();
        assert!((a.monthly_irr - 0.029_228_54).abs() < 5e-9);
        assert!((a.apr_nominal - 0.350_742).abs() < PP && (a.apr_effective - 0.412_999).abs() < PP);
        let wrong: Vec<f64> = std::iter::once(10_000.0)
            .chain(std::iter::repeat_n(-900.0, 12))
            .collect();
        let w = apr_of_flows(&wrong, "flows").unwrap();
        assert!((w.apr_nominal - 0.144_521).abs() < PP);
        assert!((w.apr_effective - 0.154_489).abs() < PP);
        // Bullet variant: receive 9,000, repay 10,800 after 12 months: 20.00% over the year.
        let mut bullet = vec![9_000.0];
        bullet.extend(std::iter::repeat_n(0.0, 11));
        bullet.push(-10_800.0);
        let b = apr_of_flows(&bullet, "flows").unwrap();
        assert!((b.apr_effective - 0.20).abs() < 1e-9, "{}", b.apr_effective);
    }

    #[test]
    fn tv10_fee_and_membership_variants_rounded_payment() {
        let mut t = LoanTerms::new(1_000_000, 12, Repayment::EqualInstallment);
        t.nominal_annual_rate = 0.18;
        let (s, a) = apr_of_terms(&t).unwrap();
        assert_eq!(s.installments[0].payment_minor, 91_680);
        assert!((a.apr_nominal - 0.180_000).abs() < PP && (a.apr_effective - 0.195_618).abs() < PP);
        t.upfront_fee_minor = 30_000;
        let (_, a) = apr_of_terms(&t).unwrap();
        // The schedule's last payment absorbs the rounding residual, so compare at the
        // stated rate tolerance; the exact vector flows are checked below.
        assert!((a.apr_nominal - 0.239_088).abs() < PP && (a.apr_effective - 0.267_108).abs() < PP);
        t.upfront_fee_minor = 0;
        t.monthly_fixed_fee_minor = 3_000;
        let (_, a) = apr_of_terms(&t).unwrap();
        assert!((a.apr_nominal - 0.242_487).abs() < PP && (a.apr_effective - 0.271_338).abs() < PP);
        // TV-10 flows as stated: every payment 916.80 (946.80 with the membership fee).
        let level = |received: f64, payment: f64| -> Vec<f64> {
            std::iter::once(received)
                .chain(std::iter::repeat_n(-payment, 12))
                .collect()
        };
        let fee = apr_of_flows(&level(9_700.0, 916.80), "flows").unwrap();
        assert!(
            (fee.monthly_irr - 0.019_924_00).abs() < 5e-9,
            "{}",
            fee.monthly_irr
        );
        let member = apr_of_flows(&level(10_000.0, 946.80), "flows").unwrap();
        assert!(
            (member.monthly_irr - 0.020_207_26).abs() < 5e-9,
            "{}",
            member.monthly_irr
        );
        let unrounded = apr_of_flows(&level(9_700.0, 916.799_929), "flows").unwrap();
        assert!(
            (unrounded.monthly_irr - 0.019_923_98).abs() < 5e-9,
            "{}",
            unrounded.monthly_irr
        );
    }

    #[test]
    fn tv12_mla_mapr() {
        let flows: Vec<f64> = std::iter::once(1_000.0)
            .chain(std::iter::repeat_n(-181.549_971, 6))
            .collect();
        let a = apr_of_flows(&flows, "flows").unwrap();
        assert!((a.apr_nominal - 0.30).abs() < PP);
        let net: Vec<f64> = std::iter::once(950.0)
            .chain(std::iter::repeat_n(-181.549_971, 6))
            .collect();
        let m = apr_of_flows(&net, "flows").unwrap();
        assert!((m.monthly_irr - 0.040_552_62).abs() < 5e-9);
        assert!((m.apr_nominal - 0.486_631).abs() < PP && (m.apr_effective - 0.611_271).abs() < PP);
    }

    proptest! {
        #[test]
        fn zero_cost_loan_has_zero_apr(principal in 1i64..1_000_000_000, n in 1u32..=360, method in any_repayment()) {
            let (_, a) = apr_of_terms(&LoanTerms::new(principal, n, method)).unwrap();
            prop_assert_eq!(a.apr_nominal, 0.0);
            prop_assert_eq!(a.apr_effective, 0.0);
        }

        #[test]
        fn any_added_fee_raises_the_apr(
            principal in 10_000i64..100_000_000, n in 1u32..=120, rate in 0.0f64..0.5,
            method in any_repayment(), which in 0u8..3, amount in 0.001f64..0.05,
        ) {
            let mut t = LoanTerms::new(principal, n, method);
            t.nominal_annual_rate = rate;
            let (_, base) = apr_of_terms(&t).unwrap();
            let mut more = t;
            match which {
                0 => more.monthly_fee_rate = amount,
                1 => more.upfront_fee_minor = ((principal as f64 * amount) as i64).max(1),
                _ => more.monthly_fixed_fee_minor = ((principal as f64 * amount / 10.0) as i64).max(1),
            }
            let (_, higher) = apr_of_terms(&more).unwrap();
            prop_assert!(higher.apr_nominal > base.apr_nominal, "{} !> {}", higher.apr_nominal, base.apr_nominal);
            prop_assert!(higher.apr_effective > base.apr_effective);
        }
    }
}
