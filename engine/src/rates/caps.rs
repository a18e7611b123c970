//! Which legal cost cap applies to a loan, and whether a product's APR is within it.
//!
//! The cap depends on jurisdiction, cause and dates (domain.md sections 2.1 and 7.6): in China
//! 24% a year for loans by financial institutions, 4 x the one-year LPR for private lending
//! (with the 2020 transition rule); 36% in the US; the UK HCSTC daily and total-cost caps in
//! money. A cap may change over a loan's life, so an annual cap is a list of dated segments.

use super::apr::{AprDefinition, AprFigures};
use super::schedule::Schedule;
use crate::date::Date;
use crate::domain::Cause;
use crate::error::EngineError;
use crate::ruleset::Ruleset;
use serde::Serialize;

/// A cap rate in force from a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapSegment {
    /// First day the rate applies; `None` from the start of the loan.
    pub from: Option<Date>,
    /// Annual cap rate.
    pub rate: f64,
    /// Rate above which interest is void in this segment, where the rule has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub void_rate: Option<f64>,
    /// Legal basis.
    pub basis: String,
    /// How the rate was found (`24% line`, `4 x LPR 3.45% on 2024-03-01`).
    pub derivation: String,
}

/// The cap that applies to one loan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApplicableCap {
    /// An annual cost-rate cap, possibly changing over time.
    AnnualRate {
        /// The rate in force at the start (the headline figure).
        rate: f64,
        /// Which APR figure it is compared with.
        compared_with: AprDefinition,
        /// Nature of the rule.
        label: String,
        /// The dated segments (one unless the rule changed during the loan).
        segments: Vec<CapSegment>,
    },
    /// UK high-cost short-term credit caps, in money.
    UkHcstc {
        /// Cost per day as a share of the amount outstanding.
        daily_rate: f64,
        /// Total charges as a share of the amount borrowed.
        total_cost_ratio: f64,
        /// Legal basis.
        basis: String,
        /// Nature of the rule.
        label: String,
    },
    /// No cap applies.
    None {
        /// Why not.
        reason: String,
    },
}

impl ApplicableCap {
    /// The nature of the rule (`statute`, `judicial practice, not statute`, ...), so that a
    /// figure resting on practice is never shown as law; `None` when no cap applies.
    pub fn label(&self) -> Option<&str> {
        match self {
            Self::AnnualRate { label, .. } | Self::UkHcstc { label, .. } => Some(label),
            Self::None { .. } => None,
        }
    }

    /// The annual cap rate in force on `date`, if the cap is an annual rate.
    pub fn rate_on(&self, date: Date) -> Option<f64> {
        match self {
            Self::AnnualRate { segments, .. } => segments
                .iter()
                .rev()
                .find(|s| s.from.is_none_or(|f| f <= date))
                .map(|s| s.rate),
            _ => None,
        }
    }
}

/// The cap for a loan under `ruleset`.
///
/// `contract_date` is when the contract was made (needed for LPR-linked caps); `filed_at` is
/// when the suit was filed (the transition rule), or `None` outside a dispute, in which case the
/// contract date stands for it. `apr_effective` and `term_months` decide whether UK HCSTC applies.
pub fn applicable_cap(
    ruleset: &Ruleset,
    cause: Cause,
    contract_date: Option<Date>,
    filed_at: Option<Date>,
    apr_effective: f64,
    term_months: u32,
) -> Result<ApplicableCap, EngineError> {
    let compared_with = ruleset.apr.legal_definition;
    if let Some(cap) = ruleset
        .caps
        .annual
        .iter()
        .find(|c| c.causes.contains(&cause))
    {
        return Ok(ApplicableCap::AnnualRate {
            rate: cap.rate,
            compared_with,
            label: cap.label.clone(),
            segments: vec![CapSegment {
                from: None,
                rate: cap.rate,
                void_rate: None,
                basis: cap.basis.clone(),
                derivation: format!("flat cap for cause {}", cause.as_str()),
            }],
        });
    }
    if let Some(l) = ruleset
        .caps
        .lpr_linked
        .as_ref()
        .filter(|l| l.causes.contains(&cause))
    {
        let Some(contract) = contract_date else {
            return Err(EngineError::field(
                "contract_date",
                format!("is needed for the LPR-linked cap of {}", cause.as_str()),
            ));
        };
        let filed = filed_at.unwrap_or(contract);
        let lpr_segment =
            |on: Date, from: Option<Date>, what: &str| -> Result<CapSegment, EngineError> {
                let entry = ruleset.lpr_on(on).ok_or_else(|| {
                    EngineError::field(
                        what,
                        format!(
                            "{on} is before the first LPR in ruleset {}",
                            ruleset.version
                        ),
                    )
                })?;
                Ok(CapSegment {
                    from,
                    rate: l.lpr_multiple * entry.rate,
                    void_rate: None,
                    basis: l.basis.clone(),
                    derivation: format!(
                        "{} x one-year LPR {:.2}% (published {}) in force on {on}",
                        l.lpr_multiple,
                        entry.rate * 100.0,
                        entry.from
                    ),
                })
            };
        let before = CapSegment {
            from: None,
            rate: l.rate_before,
            void_rate: Some(l.void_rate_before),
            basis: l.basis_before.clone(),
            derivation: format!(
                "rule before {}: {:.2}% supported",
                l.effective_from,
                l.rate_before * 100.0
            ),
        };
        let segments = if filed < l.effective_from {
            vec![before]
        } else if contract >= l.effective_from {
            vec![lpr_segment(contract, None, "contract_date")?]
        } else {
            vec![
                before,
                lpr_segment(filed, Some(l.effective_from), "filed_at")?,
            ]
        };
        return Ok(ApplicableCap::AnnualRate {
            rate: segments[0].rate,
            compared_with,
            label: "statute".to_string(),
            segments,
        });
    }
    if let Some(h) = &ruleset.caps.hcstc {
        if term_months <= h.max_term_months && apr_effective >= h.min_apr {
            return Ok(ApplicableCap::UkHcstc {
                daily_rate: h.daily_rate,
                total_cost_ratio: h.total_cost_ratio,
                basis: h.basis.clone(),
                label: h.label.clone(),
            });
        }
        return Ok(ApplicableCap::None {
            reason: format!(
                "not high-cost short-term credit (needs APR >= {:.0}% and term <= {} months)",
                h.min_apr * 100.0,
                h.max_term_months
            ),
        });
    }
    Ok(ApplicableCap::None {
        reason: format!(
            "ruleset {} sets no cap for {}",
            ruleset.version,
            cause.as_str()
        ),
    })
}

/// A product's APR against its cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapCheck {
    /// Whether the cost is within the cap (always true when no cap applies).
    pub within_cap: bool,
    /// Nominal APR within the cap but effective APR above it (domain.md 7.5).
    pub borderline: bool,
    /// For money caps: the largest cost the cap allows, minor units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_cost_minor: Option<i64>,
}

/// Average days in a month, for schedules that carry no calendar dates.
pub const DAYS_PER_MONTH: f64 = 365.0 / 12.0;

/// The most a UK HCSTC loan may cost: `daily_rate` on every day's outstanding principal
/// (`outstanding_day_sum` = sum of outstanding x days), and never more than
/// `total_cost_ratio` x the amount borrowed (test vector TV-13).
pub fn hcstc_allowed_cost(
    daily_rate: f64,
    total_cost_ratio: f64,
    principal: f64,
    outstanding_day_sum: f64,
) -> f64 {
    (daily_rate * outstanding_day_sum).min(total_cost_ratio * principal)
}

/// Compares a schedule's cost with the cap.
pub fn check_cap(
    cap: &ApplicableCap,
    figures: &AprFigures,
    schedule: &Schedule,
    report_borderline: bool,
) -> CapCheck {
    match cap {
        ApplicableCap::AnnualRate {
            rate,
            compared_with,
            ..
        } => {
            let legal = figures.legal(*compared_with);
            let within = legal <= *rate;
            let borderline = report_borderline && within && figures.apr_effective > *rate;
            CapCheck {
                within_cap: within,
                borderline,
                allowed_cost_minor: None,
            }
        }
        ApplicableCap::UkHcstc {
            daily_rate,
            total_cost_ratio,
            ..
        } => {
            let principal = schedule
                .installments
                .iter()
                .map(|i| i.principal_minor)
                .sum::<i64>() as f64;
            let mut outstanding = principal;
            let mut day_sum = 0.0;
            for i in &schedule.installments {
                day_sum += outstanding * DAYS_PER_MONTH;
                outstanding -= i.principal_minor as f64;
            }
            let allowed = super::round_minor(hcstc_allowed_cost(
                *daily_rate,
                *total_cost_ratio,
                principal,
                day_sum,
            ));
            CapCheck {
                within_cap: schedule.total_cost_minor <= allowed,
                borderline: false,
                allowed_cost_minor: Some(allowed),
            }
        }
        ApplicableCap::None { .. } => CapCheck {
            within_cap: true,
            borderline: false,
            allowed_cost_minor: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Jurisdiction;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn cn() -> Ruleset {
        Ruleset::embedded(Jurisdiction::Cn).unwrap()
    }

    fn rate(cap: &ApplicableCap) -> f64 {
        match cap {
            ApplicableCap::AnnualRate { rate, .. } => *rate,
            other => panic!("not an annual cap: {other:?}"),
        }
    }

    #[test]
    fn tv11_private_lending_caps() {
        let r = cn();
        let at = |date: &str| {
            rate(&applicable_cap(&r, Cause::PrivateLending, Some(d(date)), None, 0.0, 12).unwrap())
        };
        assert!((at("2020-09-01") - 0.154).abs() < 1e-12);
        assert!((at("2021-12-20") - 0.152).abs() < 1e-12);
        assert!((at("2024-10-20") - 0.134).abs() < 1e-12);
        assert!((at("2024-10-21") - 0.124).abs() < 1e-12);
        assert!((at("2025-06-01") - 0.12).abs() < 1e-12);
        let bank = applicable_cap(
            &r,
            Cause::FinancialLoan,
            Some(d("2024-10-21")),
            None,
            0.0,
            12,
        )
        .unwrap();
        assert_eq!(rate(&bank), 0.24);
    }

    #[test]
    fn tv11_transitional_case_splits_at_2020_08_20() {
        let cap = applicable_cap(
            &cn(),
            Cause::PrivateLending,
            Some(d("2019-05-01")),
            Some(d("2021-03-01")),
            0.0,
            12,
        )
        .unwrap();
        assert_eq!(cap.rate_on(d("2020-08-19")), Some(0.24));
        let after = cap.rate_on(d("2020-08-20")).unwrap();
        assert!((after - 0.154).abs() < 1e-12);
        if let ApplicableCap::AnnualRate { segments, .. } = &cap {
            assert_eq!(segments[0].void_rate, Some(0.36));
        }
    }

    #[test]
    fn us_cap_is_36_percent_and_eu_has_none() {
        let us = Ruleset::embedded(Jurisdiction::Us).unwrap();
        assert_eq!(
            rate(&applicable_cap(&us, Cause::ConsumerFinance, None, None, 0.5, 12).unwrap()),
            0.36
        );
        let eu = Ruleset::embedded(Jurisdiction::Eu).unwrap();
        assert!(matches!(
            applicable_cap(&eu, Cause::ConsumerFinance, None, None, 0.5, 12).unwrap(),
            ApplicableCap::None { .. }
        ));
    }

    #[test]
    fn private_lending_without_a_date_names_the_field() {
        let e = applicable_cap(&cn(), Cause::PrivateLending, None, None, 0.0, 12).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "contract_date");
    }

    #[test]
    fn tv13_uk_hcstc_money_caps() {
        assert!((hcstc_allowed_cost(0.008, 1.0, 200.0, 200.0 * 30.0) - 48.0).abs() < 1e-9);
        assert!((hcstc_allowed_cost(0.008, 1.0, 300.0, 300.0 * 30.0) - 72.0).abs() < 1e-9);
        // A year at 0.8% a day would be 292%: the 100% total-cost cap binds.
        assert!((hcstc_allowed_cost(0.008, 1.0, 200.0, 200.0 * 365.0) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn uk_hcstc_applies_only_to_short_high_cost_loans() {
        let uk = Ruleset::embedded(Jurisdiction::Uk).unwrap();
        assert!(matches!(
            applicable_cap(&uk, Cause::Microloan, None, None, 12.0, 1).unwrap(),
            ApplicableCap::UkHcstc { .. }
        ));
        assert!(matches!(
            applicable_cap(&uk, Cause::Microloan, None, None, 0.3, 1).unwrap(),
            ApplicableCap::None { .. }
        ));
        assert!(matches!(
            applicable_cap(&uk, Cause::Microloan, None, None, 2.0, 24).unwrap(),
            ApplicableCap::None { .. }
        ));
    }
}
