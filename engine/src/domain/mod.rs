//! Domain types of SPEC section 4 (product, grant, case) and the enums they share.
//!
//! Each document type deserialises from the JSON of the spec (unknown fields are refused, so a
//! misspelt optional field is reported rather than silently ignored) and has a `validate`
//! method that checks ranges and cross-field rules and names every bad field by its path.

pub mod case;
pub mod grant;
pub mod product;

pub use case::Case;
pub use grant::{GrantBatch, GrantRecord, RowError};
pub use product::Product;

use serde::{Deserialize, Serialize};

/// Legal system whose rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Jurisdiction {
    /// People's Republic of China.
    #[serde(rename = "CN")]
    Cn,
    /// United States.
    #[serde(rename = "US")]
    Us,
    /// European Union.
    #[serde(rename = "EU")]
    Eu,
    /// United Kingdom.
    #[serde(rename = "UK")]
    Uk,
}

impl Jurisdiction {
    /// The code as written in inputs (`CN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cn => "CN",
            Self::Us => "US",
            Self::Eu => "EU",
            Self::Uk => "UK",
        }
    }

    /// The usual currency of the jurisdiction, used when a case does not state one.
    pub fn default_currency(self) -> &'static str {
        match self {
            Self::Cn => "CNY",
            Self::Us => "USD",
            Self::Eu => "EUR",
            Self::Uk => "GBP",
        }
    }

    /// Parses `CN`, `US`, `EU` or `UK` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_uppercase().as_str() {
            "CN" => Some(Self::Cn),
            "US" => Some(Self::Us),
            "EU" => Some(Self::Eu),
            "UK" | "GB" => Some(Self::Uk),
            _ => None,
        }
    }
}

/// How a loan is repaid (SPEC section 4, domain.md section 7.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Repayment {
    /// Equal instalments, annuity (等额本息).
    EqualInstallment,
    /// Equal principal parts, falling payments (等额本金).
    EqualPrincipal,
    /// Interest every month, principal at the end (先息后本).
    InterestOnly,
    /// Principal and interest in one payment at maturity (一次性还本付息).
    Bullet,
}

impl Repayment {
    /// The value as written in inputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EqualInstallment => "equal_installment",
            Self::EqualPrincipal => "equal_principal",
            Self::InterestOnly => "interest_only",
            Self::Bullet => "bullet",
        }
    }

    /// Every method, in the order of the spec.
    pub const ALL: [Repayment; 4] = [
        Self::EqualInstallment,
        Self::EqualPrincipal,
        Self::InterestOnly,
        Self::Bullet,
    ];

    /// Parses the input spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// The cause of action of a dispute case; selects the applicable cost cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Loan by a financial institution (金融借款合同纠纷).
    FinancialLoan,
    /// Credit-card dispute.
    CreditCard,
    /// Loan by a consumer-finance company.
    ConsumerFinance,
    /// Loan by a microloan (small-loan) company.
    Microloan,
    /// Loan by a lender that is not a licensed lending institution (民间借贷).
    PrivateLending,
}

impl Cause {
    /// The value as written in inputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FinancialLoan => "financial_loan",
            Self::CreditCard => "credit_card",
            Self::ConsumerFinance => "consumer_finance",
            Self::Microloan => "microloan",
            Self::PrivateLending => "private_lending",
        }
    }

    /// Every cause, in the order of the spec.
    pub const ALL: [Cause; 5] = [
        Self::FinancialLoan,
        Self::CreditCard,
        Self::ConsumerFinance,
        Self::Microloan,
        Self::PrivateLending,
    ];

    /// Parses the input spelling.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// ISO 4217 currencies the engine knows, with their number of minor-unit digits.
pub const CURRENCIES: [(&str, u32); 12] = [
    ("CNY", 2),
    ("HKD", 2),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("JPY", 0),
    ("KRW", 0),
    ("SGD", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("TWD", 2),
];

/// Number of minor-unit digits of a known currency.
pub fn minor_unit_digits(currency: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(code, _)| *code == currency)
        .map(|(_, d)| *d)
}

/// Formats an amount in minor units as major units (`123456` CNY → `1234.56`).
pub fn format_minor(amount_minor: i64, currency: &str) -> String {
    let digits = minor_unit_digits(currency).unwrap_or(2);
    if digits == 0 {
        return amount_minor.to_string();
    }
    let scale = 10i64.pow(digits);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let abs = amount_minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale as u64,
        abs % scale as u64,
        width = digits as usize
    )
}

pub(crate) fn check_currency(c: &mut crate::validate::Checker, field: &str, currency: &str) {
    if minor_unit_digits(currency).is_none() {
        let known: Vec<&str> = CURRENCIES.iter().map(|(code, _)| *code).collect();
        c.fail(
            field,
            format!(
                "`{currency}` is not a supported ISO 4217 code (one of {})",
                known.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_minor_units() {
        assert_eq!(format_minor(123_456, "CNY"), "1234.56");
        assert_eq!(format_minor(-5, "USD"), "-0.05");
        assert_eq!(format_minor(1200, "JPY"), "1200");
    }

    #[test]
    fn enums_round_trip_their_spelling() {
        for r in Repayment::ALL {
            assert_eq!(Repayment::parse(r.as_str()), Some(r));
        }
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
        }
        assert_eq!(Jurisdiction::parse("uk"), Some(Jurisdiction::Uk));
    }
}
