//! The price parser: every way an ad states a price of credit (a rate per day, week, month,
//! instalment or year; a cost per amount per time; a 分/厘 rate) becomes a structured
//! [`Price`], found by the grammar's `[[price]]` patterns and annualised with its assumption
//! stated.
//!
//! Conventions (the grammar README cites them):
//! - annualisation is simple: a daily rate times the ruleset's day basis (365 by default), a
//!   weekly one times 365/7, a monthly or per-instalment one times 12, a price per N days
//!   times 365/N;
//! - a price per instalment assumes monthly instalments unless the product says otherwise;
//! - a cost per amount with no time (`$15 per $100 borrowed`) is per loan: the product's
//!   shortest term annualises it when there is a product, and otherwise a two-week term is
//!   assumed, the typical payday loan the CFPB describes ("a typical two-week payday loan with
//!   a $15 per $100 fee equates to an annual percentage rate (APR) of almost 400 percent");
//! - 分 is a tenth and 厘 a hundredth of the period's unit rate (年息1分 = 10% a year, 月息1分 =
//!   1% a month, 日息1分 = 0.1% a day; 月息8厘 = 0.8% a month), the usage of Chinese private
//!   lending.

use super::pattern::{SlotKind, SlotValue};
use serde::{Deserialize, Serialize};

/// The period a price refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricePeriod {
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per instalment.
    Instalment,
    /// Per year.
    Year,
    /// Per a number of days (`every two weeks`, `用7天`, `per fortnight`): `period_days`, from
    /// the ad's `{dur:period}` slot or the grammar's `days`.
    Days,
    /// Per loan, with no time stated (`$15 per $100 borrowed`).
    Loan,
    /// Taken from the pattern's `{dur:period}` slot (grammar files only).
    Captured,
}

impl PricePeriod {
    /// The name the period is written with in JSON (`day`, `instalment`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Instalment => "instalment",
            Self::Year => "year",
            Self::Days => "days",
            Self::Loan => "loan",
            Self::Captured => "captured",
        }
    }

    /// Whether a price for this period is a periodic rate (MK-PERIODIC-RATE): anything but a
    /// year or a whole loan.
    pub fn is_periodic(self) -> bool {
        !matches!(self, Self::Year | Self::Loan)
    }

    /// The unit rate a 分/厘 rate scales (a tenth / a hundredth of it).
    fn fen_unit(self) -> Option<f64> {
        match self {
            Self::Year => Some(1.0),
            Self::Month | Self::Instalment => Some(0.1),
            Self::Day => Some(0.01),
            _ => None,
        }
    }
}

/// How the price is stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceForm {
    /// A rate: a percentage, 万分之N, N分/N厘.
    Rate,
    /// A cost per amount borrowed (`每千元每天0.3元`, `$15 per $100`).
    CostPerAmount,
}

/// A price of credit an ad states.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Price {
    /// The grammar's price family that read it (shared with the grammar).
    pub family: std::sync::Arc<str>,
    /// The pattern that matched (shared with the grammar).
    pub pattern: std::sync::Arc<str>,
    /// How it is stated.
    pub form: PriceForm,
    /// The price per period as a fraction of the amount borrowed (万分之五 a day is 0.0005).
    pub value: f64,
    /// The period.
    pub period: PricePeriod,
    /// Days in the period, when the ad states a number of days (`Days`) or a unit; for a price
    /// per loan, the loan's term when the ad states it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_days: Option<f64>,
    /// For a cost per amount: the cost, currency units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// For a cost per amount: the amount it is for, currency units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_amount: Option<f64>,
    /// Whether it is stated as a fee (a fee word in its clause, or a cost per amount).
    pub fee: bool,
    /// Whether it is labelled as an annualised rate (年化, APR, APRC).
    pub annualised_label: bool,
    /// Whether it is a "from" price (起, 低至, 仅, as low as, from).
    pub from: bool,
    /// First character of the match (0-based, in characters, into the original text).
    pub start: usize,
    /// One past its last character.
    pub end: usize,
    /// First character of the number the price rests on (the rate or the cost).
    pub value_start: usize,
    /// One past it.
    pub value_end: usize,
    /// The matched text as written.
    pub text: String,
}

/// A price annualised, with the assumption that made it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annualised {
    /// The simple annual rate.
    pub simple: f64,
    /// How it was computed.
    pub assumption: String,
}

/// The term assumed for a price per loan when neither the ad nor a product states one: the
/// typical two-week payday loan (CFPB, "What is a payday loan?").
pub const ASSUMED_LOAN_TERM_DAYS: f64 = 14.0;

impl Price {
    /// The simple annual rate. `day_basis`: days in a year for daily rates (the ruleset's);
    /// `loan_term_days`: the product's term, for a price per loan; `instalment_days`: days
    /// between the product's instalments, for a price per instalment (30 when `None`).
    pub fn annualised(
        &self,
        day_basis: f64,
        loan_term_days: Option<f64>,
        instalment_days: Option<f64>,
    ) -> Annualised {
        let v = self.value;
        let (simple, assumption) = match self.period {
            PricePeriod::Year => (v, "stated per year".to_string()),
            PricePeriod::Day => (
                v * day_basis,
                format!("simple: daily rate x {day_basis} days"),
            ),
            PricePeriod::Week => (v * 365.0 / 7.0, "simple: weekly rate x 365/7".into()),
            PricePeriod::Month => (v * 12.0, "simple: monthly rate x 12".into()),
            PricePeriod::Instalment => match instalment_days {
                Some(d) if d > 0.0 => (
                    v * 365.0 / d,
                    format!(
                        "simple: per-instalment rate x 365/{d} (the product's instalment period)"
                    ),
                ),
                _ => (
                    v * 12.0,
                    "simple: per-instalment rate x 12 (monthly instalments assumed)".into(),
                ),
            },
            PricePeriod::Days | PricePeriod::Captured => {
                let d = self.period_days.unwrap_or(1.0).max(1e-9);
                (
                    v * 365.0 / d,
                    format!("simple: rate per {d} days x 365/{d}"),
                )
            }
            PricePeriod::Loan => match self.period_days.or(loan_term_days) {
                Some(d) if d > 0.0 => (
                    v * 365.0 / d,
                    if self.period_days.is_some() {
                        format!("simple: cost per loan x 365/{d} (the term the ad states)")
                    } else {
                        format!("simple: cost per loan x 365/{d} (the product's shortest term)")
                    },
                ),
                _ => (
                    v * 365.0 / ASSUMED_LOAN_TERM_DAYS,
                    format!(
                        "simple: cost per loan x 365/{ASSUMED_LOAN_TERM_DAYS} (no term stated: a two-week loan assumed, as the CFPB's payday example)"
                    ),
                ),
            },
        };
        Annualised { simple, assumption }
    }
}

/// A candidate price from one pattern match, before overlaps are resolved.
pub(crate) struct Candidate {
    pub price: Price,
    /// Whether the period marker stands before the number (it wins over one after it).
    pub marker_before: bool,
}

/// Builds the candidate a price pattern's match gives, or `None` when its slots do not make a
/// price (a zero amount, a 分 rate for a period without a unit rate).
#[allow(clippy::too_many_arguments)]
pub(crate) fn candidate(
    family: &std::sync::Arc<str>,
    pattern: &std::sync::Arc<str>,
    period: PricePeriod,
    days: Option<f64>,
    fee: bool,
    labelled: bool,
    slots: &[SlotValue],
    start: usize,
    end: usize,
    original: &[char],
    normalised: &[char],
) -> Option<Candidate> {
    let named = |n: &str| slots.iter().find(|s| s.name == n);
    let (mut period, mut period_days) = (period, None);
    if period == PricePeriod::Days {
        period_days = Some(days?);
    }
    if period == PricePeriod::Captured {
        let d = named("period")?.value;
        (period, period_days) = match d {
            d if (d - 1.0).abs() < 1e-9 => (PricePeriod::Day, Some(1.0)),
            d if (d - 7.0).abs() < 1e-9 => (PricePeriod::Week, Some(7.0)),
            d if (d - 30.0).abs() < 1e-9 => (PricePeriod::Month, Some(30.0)),
            d if (d - 365.0).abs() < 1e-9 => (PricePeriod::Year, Some(365.0)),
            // A price per minute is not a price of credit (最快1分钟到账 next to an amount).
            d if d >= 1.0 => (PricePeriod::Days, Some(d)),
            _ => return None,
        };
    }
    let (form, value, key, cost, per_amount) = if let Some(rate) = named("rate") {
        let value = match rate.kind {
            SlotKind::Fen => {
                let unit = period.fen_unit()?;
                rate.value * unit / if rate.li { 100.0 } else { 10.0 }
            }
            SlotKind::Pct => rate.value,
            _ => return None,
        };
        (PriceForm::Rate, value, rate, None, None)
    } else {
        let base = named("base")?;
        // A cost, or the amount repaid (the cost is what is repaid beyond the amount).
        let (cost_slot, cost) = match (named("cost"), named("repay")) {
            (Some(c), _) => (c, c.value),
            (None, Some(r)) => (r, r.value - base.value),
            (None, None) => return None,
        };
        if base.value <= 0.0 || cost <= 0.0 {
            return None;
        }
        (
            PriceForm::CostPerAmount,
            cost / base.value,
            cost_slot,
            Some(cost),
            Some(base.value),
        )
    };
    // A loan's own term (`borrow $100 for two weeks`): the cost is per loan, over that term.
    if period == PricePeriod::Loan
        && let Some(term) = named("term").filter(|t| t.value >= 1.0)
    {
        period_days = Some(term.value);
    }
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let before = super::text_of(&normalised[start..key.start]);
    let from = [
        "低至",
        "低到",
        "仅",
        "只要",
        "只需",
        "最低",
        "as low as",
        "from",
        "starting at",
        "just",
    ]
    .iter()
    .any(|w| before.contains(w))
        || normalised.get(key.end) == Some(&'起');
    Some(Candidate {
        marker_before: key.start > start,
        price: Price {
            family: family.clone(),
            pattern: pattern.clone(),
            form,
            value,
            period,
            period_days,
            cost,
            per_amount,
            fee: fee || form == PriceForm::CostPerAmount,
            annualised_label: labelled,
            from,
            start,
            end,
            value_start: key.start,
            value_end: key.end,
            text: super::text_of(&original[start..end]),
        },
    })
}

/// One price per number: among the candidates on the same number, a definite period beats a
/// price per loan, a marker before the number beats one after it, and the nearest (shortest
/// match) wins. Candidates on a number inside a chosen price's match are dropped.
pub(crate) fn resolve(mut candidates: Vec<Candidate>) -> Vec<Price> {
    candidates.sort_by(|a, b| {
        let rank = |c: &Candidate| {
            (
                c.price.period == PricePeriod::Loan,
                !c.marker_before,
                c.price.end - c.price.start,
            )
        };
        rank(a).cmp(&rank(b))
    });
    let mut chosen: Vec<Price> = Vec::new();
    for c in candidates {
        let p = c.price;
        let clash = chosen.iter().any(|q| {
            (p.value_start < q.value_end && q.value_start < p.value_end)
                || (q.start <= p.value_start && p.value_end <= q.end)
                || (p.start <= q.value_start && q.value_end <= p.end)
        });
        if !clash {
            chosen.push(p);
        }
    }
    chosen.sort_by_key(|p| (p.value_start, p.start));
    chosen
}

#[cfg(test)]
mod tests {
    use super::PricePeriod;

    #[test]
    fn period_names_are_the_json_names() {
        for p in [
            PricePeriod::Day,
            PricePeriod::Week,
            PricePeriod::Month,
            PricePeriod::Instalment,
            PricePeriod::Year,
            PricePeriod::Days,
            PricePeriod::Loan,
            PricePeriod::Captured,
        ] {
            assert_eq!(
                serde_json::to_value(p).ok(),
                Some(serde_json::Value::String(p.as_str().to_string()))
            );
        }
    }
}
