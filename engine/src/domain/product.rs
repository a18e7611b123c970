//! A credit product: pricing, limits, risk controls and its advertising (SPEC section 4).

use super::{Jurisdiction, Repayment, check_currency};
use crate::date::Date;
use crate::error::EngineError;
use crate::validate::{Checker, MAX_LIST_ITEMS, parse_json};
use serde::{Deserialize, Serialize};

/// Kind of digital-finance product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductKind {
    /// Cash loan paid out at once.
    CashLoan,
    /// Revolving credit line.
    CreditLine,
    /// Instalment purchase or buy-now-pay-later.
    Installment,
    /// Credit card.
    CreditCard,
    /// Small loan by a microloan company.
    Microloan,
}

/// Unit of a quoted rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateUnit {
    /// Per day (日息).
    Daily,
    /// Per month (月息, 月费率).
    Monthly,
    /// Per year.
    Annual,
}

/// How often a fee is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeePer {
    /// Once, at disbursement (deducted from what the borrower receives).
    Once,
    /// Every month of the term.
    Month,
}

/// A rate as a product states it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuotedRate {
    /// The number as shown (`0.0002` for 0.02%).
    pub value: f64,
    /// The period it refers to.
    pub unit: RateUnit,
}

/// A named fee besides interest and the monthly fee rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Name as the product calls it (`membership`, `guarantee`).
    pub name: String,
    /// Amount per charge, in minor units.
    pub amount_minor: i64,
    /// How often it is charged.
    pub per: FeePer,
    /// Whether the borrower must pay it to get the loan. Mandatory fees are part of the APR.
    /// Defaults to `true`: a fee is taken as mandatory unless the product says it is optional.
    #[serde(default = "yes")]
    pub mandatory: bool,
}

fn yes() -> bool {
    true
}

/// Price terms of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// Repayment method.
    pub repayment: Repayment,
    /// Terms offered, in months.
    pub term_months: Vec<i64>,
    /// Contractual nominal annual interest rate.
    #[serde(default)]
    pub nominal_annual_rate: f64,
    /// Monthly fee as a share of the original principal (月费率).
    #[serde(default)]
    pub monthly_fee_rate: f64,
    /// Fee deducted at disbursement, as a share of the principal.
    #[serde(default)]
    pub upfront_fee_rate: f64,
    /// Other fees.
    #[serde(default)]
    pub other_fees: Vec<Fee>,
    /// The headline rate the product advertises.
    #[serde(default)]
    pub advertised_rate: Option<QuotedRate>,
}

/// Principal limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Smallest principal, minor units.
    pub min_principal_minor: i64,
    /// Largest principal or line, minor units.
    pub max_principal_minor: i64,
}

/// Risk controls the product applies at grant. `None` means not stated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Controls {
    /// Whether income is verified.
    #[serde(default)]
    pub verifies_income: Option<bool>,
    /// Whether the credit bureau is checked.
    #[serde(default)]
    pub checks_credit_bureau: Option<bool>,
    /// Whether borrowing at other lenders is checked.
    #[serde(default)]
    pub checks_multi_lending: Option<bool>,
    /// Minimum borrower age.
    #[serde(default)]
    pub min_age: Option<i64>,
    /// Maximum borrower age.
    #[serde(default)]
    pub max_age: Option<i64>,
    /// Whether students are accepted.
    #[serde(default)]
    pub allows_students: Option<bool>,
    /// Maximum debt-to-income ratio accepted.
    #[serde(default)]
    pub max_dti: Option<f64>,
    /// Maximum line as a multiple of monthly income.
    #[serde(default)]
    pub max_line_to_income: Option<f64>,
    /// Median time from application to approval, seconds.
    #[serde(default)]
    pub median_approval_seconds: Option<f64>,
    /// Days in which the borrower may withdraw without cost.
    #[serde(default)]
    pub cooling_off_days: Option<i64>,
    /// Share of each loan the institution funds itself (joint lending).
    #[serde(default)]
    pub funding_share: Option<f64>,
}

/// One piece of advertising.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ad {
    /// Where it ran (`app_banner`, `sms`, `search`).
    #[serde(default)]
    pub channel: Option<String>,
    /// Language tag (`zh`, `en`).
    #[serde(default)]
    pub language: Option<String>,
    /// The text as shown.
    pub text: String,
}

/// One clause of a loan contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// The clause's heading as written (`第十五条 争议解决`, `Governing law`); may be empty.
    #[serde(default)]
    pub title: String,
    /// The clause's text.
    pub text: String,
    /// Whether the institution draws the borrower's attention to it (bold, a separate
    /// confirmation, a pop-up the borrower must acknowledge). `None`: not stated, and the
    /// checker reads the text for a notice.
    #[serde(default)]
    pub prominent_notice: Option<bool>,
}

/// The loan contract the product is offered under (SPEC section 4, optional `contract`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The clauses, in the contract's order.
    pub clauses: Vec<Clause>,
}

/// A credit product (SPEC section 4, `product.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Product id, unique within the institution.
    pub product_id: String,
    /// The institution that offers it.
    pub institution_id: String,
    /// Display name.
    pub name: String,
    /// Kind of product.
    pub kind: ProductKind,
    /// Jurisdiction whose rules apply.
    pub jurisdiction: Jurisdiction,
    /// ISO 4217 currency of every `*_minor` amount.
    pub currency: String,
    /// Launch date.
    #[serde(default)]
    pub launched_at: Option<Date>,
    /// Price terms.
    pub pricing: Pricing,
    /// Principal limits.
    pub limits: Limits,
    /// Risk controls.
    #[serde(default)]
    pub controls: Controls,
    /// Advertising texts.
    #[serde(default)]
    pub marketing: Vec<Ad>,
    /// The loan contract's clauses, for the clause checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
}

impl Product {
    /// Parses and validates a product JSON document.
    pub fn from_json(document: &str) -> Result<Self, EngineError> {
        let product: Product = parse_json(document, "product")?;
        product.validate()?;
        Ok(product)
    }

    /// Checks ranges and cross-field rules; returns every problem found.
    pub fn validate(&self) -> Result<(), EngineError> {
        let mut c = Checker::new();
        c.identifier("product_id", &self.product_id);
        c.identifier("institution_id", &self.institution_id);
        c.non_blank("name", &self.name);
        check_currency(&mut c, "currency", &self.currency);
        let p = &self.pricing;
        if p.term_months.is_empty() {
            c.fail("pricing.term_months", "must list at least one term");
        }
        c.at_most_items("pricing.term_months", p.term_months.len(), MAX_LIST_ITEMS);
        for (i, t) in p.term_months.iter().enumerate().take(MAX_LIST_ITEMS) {
            c.int_range(&format!("pricing.term_months[{i}]"), *t, 1, 360);
        }
        c.rate(
            "pricing.nominal_annual_rate",
            p.nominal_annual_rate,
            0.0,
            10.0,
        );
        c.rate("pricing.monthly_fee_rate", p.monthly_fee_rate, 0.0, 1.0);
        c.rate("pricing.upfront_fee_rate", p.upfront_fee_rate, 0.0, 0.99);
        c.at_most_items("pricing.other_fees", p.other_fees.len(), MAX_LIST_ITEMS);
        for (i, fee) in p.other_fees.iter().enumerate().take(MAX_LIST_ITEMS) {
            c.text(&format!("pricing.other_fees[{i}].name"), &fee.name);
            c.non_negative_minor(
                &format!("pricing.other_fees[{i}].amount_minor"),
                fee.amount_minor,
            );
        }
        if let Some(q) = &p.advertised_rate {
            c.rate("pricing.advertised_rate.value", q.value, 0.0, 10.0);
        }
        let l = &self.limits;
        c.positive_minor("limits.min_principal_minor", l.min_principal_minor);
        c.positive_minor("limits.max_principal_minor", l.max_principal_minor);
        if l.max_principal_minor < l.min_principal_minor {
            c.fail(
                "limits.max_principal_minor",
                "must not be below limits.min_principal_minor",
            );
        }
        let k = &self.controls;
        if let Some(a) = k.min_age {
            c.int_range("controls.min_age", a, 0, 130);
        }
        if let Some(a) = k.max_age {
            c.int_range("controls.max_age", a, 0, 130);
        }
        if let (Some(lo), Some(hi)) = (k.min_age, k.max_age)
            && hi < lo
        {
            c.fail("controls.max_age", "must not be below controls.min_age");
        }
        if let Some(v) = k.max_dti {
            c.rate("controls.max_dti", v, 0.0, 100.0);
        }
        if let Some(v) = k.max_line_to_income {
            c.rate("controls.max_line_to_income", v, 0.0, 10_000.0);
        }
        if let Some(v) = k.median_approval_seconds {
            c.rate("controls.median_approval_seconds", v, 0.0, 1e9);
        }
        if let Some(v) = k.cooling_off_days {
            c.int_range("controls.cooling_off_days", v, 0, 3650);
        }
        if let Some(v) = k.funding_share {
            c.rate("controls.funding_share", v, 0.0, 1.0);
        }
        c.at_most_items("marketing", self.marketing.len(), MAX_LIST_ITEMS);
        for (i, ad) in self.marketing.iter().enumerate().take(MAX_LIST_ITEMS) {
            c.text(&format!("marketing[{i}].text"), &ad.text);
        }
        if let Some(contract) = &self.contract {
            if contract.clauses.is_empty() {
                c.fail("contract.clauses", "must list at least one clause");
            }
            c.at_most_items("contract.clauses", contract.clauses.len(), MAX_LIST_ITEMS);
            for (i, clause) in contract.clauses.iter().enumerate().take(MAX_LIST_ITEMS) {
                c.text(&format!("contract.clauses[{i}].text"), &clause.text);
                if clause.title.chars().count() > 200 {
                    c.fail(
                        format!("contract.clauses[{i}].title"),
                        "must be at most 200 characters",
                    );
                }
            }
        }
        c.finish()
    }

    /// Mandatory fees charged every month, summed, in minor units.
    pub fn monthly_mandatory_fees_minor(&self) -> i64 {
        self.pricing
            .other_fees
            .iter()
            .filter(|f| f.mandatory && f.per == FeePer::Month)
            .map(|f| f.amount_minor)
            .sum()
    }

    /// Mandatory one-off fees, summed, in minor units (deducted at disbursement).
    pub fn once_mandatory_fees_minor(&self) -> i64 {
        self.pricing
            .other_fees
            .iter()
            .filter(|f| f.mandatory && f.per == FeePer::Once)
            .map(|f| f.amount_minor)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    pub(crate) const SPEC_PRODUCT: &str = r#"{ "product_id": "P-001", "institution_id": "INST-A", "name": "Quick Cash",
  "kind": "cash_loan", "jurisdiction": "CN", "currency": "CNY", "launched_at": "2024-03-01",
  "pricing": { "repayment": "equal_installment", "term_months": [3, 6, 12],
    "nominal_annual_rate": 0.0, "monthly_fee_rate": 0.008, "upfront_fee_rate": 0.0,
    "other_fees": [ { "name": "membership", "amount_minor": 1990, "per": "month", "mandatory": true } ],
    "advertised_rate": { "value": 0.0002, "unit": "daily" } },
  "limits": { "min_principal_minor": 50000, "max_principal_minor": 20000000 },
  "controls": { "verifies_income": false, "checks_credit_bureau": true,
    "checks_multi_lending": false, "min_age": 18, "max_age": 70, "allows_students": false,
    "max_dti": null, "max_line_to_income": null, "median_approval_seconds": 30,
    "cooling_off_days": 0, "funding_share": 1.0 },
  "marketing": [ { "channel": "app_banner", "language": "zh", "text": "日息低至0.02%，秒到账" } ] }"#;

    #[test]
    fn spec_example_parses() {
        let p = Product::from_json(SPEC_PRODUCT).unwrap();
        assert_eq!(p.pricing.term_months, vec![3, 6, 12]);
        assert_eq!(p.monthly_mandatory_fees_minor(), 1990);
        assert_eq!(p.controls.max_dti, None);
    }

    #[test]
    fn unknown_kind_names_its_path() {
        let doc = SPEC_PRODUCT.replace("\"cash_loan\"", "\"payday\"");
        let e = Product::from_json(&doc).unwrap_err();
        let fe = &e.field_errors()[0];
        assert_eq!(fe.field, "kind");
        assert_eq!(fe.code, ErrorCode::InvalidField);
        assert!(fe.reason.contains("unknown variant"), "{}", fe.reason);
    }

    #[test]
    fn wrong_type_deep_in_document_names_its_path() {
        let doc = SPEC_PRODUCT.replace("\"amount_minor\": 1990", "\"amount_minor\": \"1990\"");
        let e = Product::from_json(&doc).unwrap_err();
        assert_eq!(
            e.field_errors()[0].field,
            "pricing.other_fees[0].amount_minor"
        );
    }

    #[test]
    fn misspelt_field_is_reported() {
        let doc = SPEC_PRODUCT.replace("\"cooling_off_days\"", "\"cooling_of_days\"");
        let e = Product::from_json(&doc).unwrap_err();
        assert_eq!(e.field_errors()[0].field, "controls.cooling_of_days");
    }

    #[test]
    fn range_errors_name_fields() {
        let doc = SPEC_PRODUCT
            .replace("[3, 6, 12]", "[3, 0, 12]")
            .replace("\"funding_share\": 1.0", "\"funding_share\": 1.5");
        let e = Product::from_json(&doc).unwrap_err();
        let fields: Vec<String> = e.field_errors().into_iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            vec!["pricing.term_months[1]", "controls.funding_share"]
        );
    }
}
