//! The generated world: institutions with behaviour profiles and their products, with terms,
//! controls and ads in Chinese and English, and the problems planted in each.

use super::rng::{Rng, saturating_u32};
use finrisk_engine::Date;
use finrisk_engine::domain::product::{
    Ad, Controls, Fee, FeePer, Limits, Pricing, ProductKind, QuotedRate, RateUnit,
};
use finrisk_engine::domain::{Jurisdiction, Product, Repayment};
use finrisk_engine::rates::{LoanTerms, apr_of_terms, round_minor};
use serde::Serialize;

/// How an institution lends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Verifies income, checks bureaus, prices within the caps, advertises the APR with a warning.
    Careful,
    /// Skips income checks, prices with monthly fees, advertises periodic rates.
    Lax,
    /// Bullet terms, high fees, membership add-ons, inducement and targeting in ads.
    Predatory,
}

impl Profile {
    /// Profile of institution `i`: 40% careful, 40% lax, 20% predatory, interleaved.
    pub fn of_institution(i: usize) -> Self {
        match i % 5 {
            0 | 3 => Self::Careful,
            1 | 4 => Self::Lax,
            _ => Self::Predatory,
        }
    }
}

/// A generated product with what was planted in it.
#[derive(Debug, Clone)]
pub struct GenProduct {
    /// The product, in the SPEC format.
    pub product: Product,
    /// Profile of its institution.
    pub profile: Profile,
    /// Institution index.
    pub institution: usize,
    /// Codes planted at product level (RC and MK), sorted.
    pub planted: Vec<&'static str>,
    /// APR (nominal, CN legal figure) of a 10,000.00 loan for each offered term.
    pub apr_by_term: Vec<(u32, f64)>,
    /// Whether its institution lends to ever weaker borrowers over the window (planted
    /// RC-DOWN-TIERING: every third institution, see `world::down_tiering`).
    pub down_tiering: bool,
}

/// Whether institution `i` down-tiers: every third institution from the second (1, 4, 7, ...),
/// whatever its profile. Its grants are weakened with a probability rising linearly from 0 at
/// the first grant date to [`DOWN_TIERING_MAX`] at the last.
pub(crate) fn down_tiering(i: usize) -> bool {
    i % 3 == 1
}

/// The share of a down-tiering institution's grants weakened at the end of the window: income
/// not verified, a DTI 0.3 to 0.7 higher, three to five more active lenders, and for half of
/// them an age of 18 to 22.
pub(crate) const DOWN_TIERING_MAX: f64 = 0.5;

/// Truth row for one product (`truth/products.jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct ProductTruth<'a> {
    /// Product id.
    pub product_id: &'a str,
    /// Institution id.
    pub institution_id: &'a str,
    /// Profile of the institution.
    pub profile: Profile,
    /// Codes planted.
    pub planted: &'a [&'static str],
    /// Whether the institution's loan book down-tiers (RC-DOWN-TIERING at the institution).
    pub down_tiering: bool,
    /// Nominal APR per term for a 10,000.00 loan.
    pub apr_by_term: &'a [(u32, f64)],
}

/// An ad template and the MK codes it plants by itself.
struct Template {
    language: &'static str,
    channel: &'static str,
    /// `{apr}` is replaced by the annual rate in %, `{rate}` by the advertised periodic rate in %.
    text: &'static str,
    codes: &'static [&'static str],
    mentions_fee: bool,
    has_warning: bool,
}

const COMPLIANT: [Template; 2] = [
    Template {
        language: "zh",
        channel: "app_banner",
        text: "年化利率(单利){apr}%起，以实际审批为准。贷款有风险，借款需谨慎，请理性借贷。",
        codes: &[],
        mentions_fee: false,
        has_warning: true,
    },
    Template {
        language: "en",
        channel: "web",
        text: "Representative example: borrow 10,000 over 12 months at {apr}% APR (fixed). Borrowing costs money; borrow only what you can repay.",
        codes: &[],
        mentions_fee: false,
        has_warning: true,
    },
];

const LAX: [Template; 3] = [
    Template {
        language: "zh",
        channel: "app_banner",
        text: "日息低至{rate}%，最快3分钟放款，借1千元每天只需几毛钱",
        codes: &["MK-PERIODIC-RATE", "MK-NO-APR"],
        mentions_fee: false,
        has_warning: false,
    },
    Template {
        language: "zh",
        channel: "sms",
        text: "您有一笔额度待领取，月费率低至{rate}%，含服务费，贷款有风险，借款需谨慎",
        codes: &["MK-PERIODIC-RATE", "MK-NO-APR"],
        mentions_fee: true,
        has_warning: true,
    },
    Template {
        language: "en",
        channel: "search",
        text: "Low rates from {rate}% per day. Apply online in minutes.",
        codes: &["MK-PERIODIC-RATE", "MK-NO-APR"],
        mentions_fee: false,
        has_warning: false,
    },
];

const PREDATORY: [Template; 4] = [
    Template {
        language: "zh",
        channel: "app_banner",
        text: "日息低至{rate}%，不看征信，秒到账，想借就借",
        codes: &["MK-PERIODIC-RATE", "MK-NO-APR", "MK-INDUCEMENT"],
        mentions_fee: false,
        has_warning: false,
    },
    Template {
        language: "zh",
        channel: "social",
        text: "大学生专享，无需收入证明，0利息，3期免息，必下款",
        codes: &[
            "MK-VULNERABLE-TARGET",
            "MK-FALSE-FREE",
            "MK-INDUCEMENT",
            "MK-NO-APR",
        ],
        mentions_fee: false,
        has_warning: false,
    },
    Template {
        language: "en",
        channel: "social",
        text: "Interest-free cash today! No credit check, 100% approval. Students and pensioners welcome.",
        codes: &[
            "MK-FALSE-FREE",
            "MK-INDUCEMENT",
            "MK-VULNERABLE-TARGET",
            "MK-NO-APR",
        ],
        mentions_fee: false,
        has_warning: false,
    },
    Template {
        language: "zh",
        channel: "sms",
        text: "退休人员也能借，月费率仅{rate}%，会员费每月19.9元，随借随还",
        codes: &[
            "MK-VULNERABLE-TARGET",
            "MK-PERIODIC-RATE",
            "MK-NO-APR",
            "MK-INDUCEMENT",
        ],
        mentions_fee: true,
        has_warning: false,
    },
];

const NAMES: [&str; 12] = [
    "Quick Cash",
    "Easy Line",
    "Star Loan",
    "Harvest Credit",
    "Bright Wallet",
    "Swift Pay Later",
    "Golden Bridge",
    "Cloud Credit",
    "Jade Instalment",
    "Pine Micro",
    "River Line",
    "Summit Cash",
];

/// Typical principal used to quote a product's APR (10,000.00 CNY).
pub(super) const QUOTE_PRINCIPAL_MINOR: i64 = 1_000_000;
/// The CN financial-loan cap used to plant RC-COST-CAP (same figure as rules/cn.toml).
const CN_CAP: f64 = 0.24;
/// CN internet-loan borrower cap (RC-BORROWER-CAP), 200,000 CNY.
const BORROWER_CAP_MINOR: i64 = 20_000_000;

fn pct(x: f64) -> String {
    let s = format!("{:.4}", x * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Builds `count` products over `institutions` institutions.
pub(super) fn build_products(
    seed: u64,
    count: usize,
    institutions: usize,
    start: Date,
) -> Vec<GenProduct> {
    (0..count)
        .map(|p| build_product(seed, p, institutions.max(1), start))
        .collect()
}

fn build_product(seed: u64, index: usize, institutions: usize, start: Date) -> GenProduct {
    let mut rng = Rng::new(seed, 0x7072_6f64_0000_0000 | index as u64);
    let institution = index % institutions;
    let profile = Profile::of_institution(institution);
    let institution_id = format!("INST-{:03}", institution + 1);
    let product_id = format!("P-{:03}-{:02}", institution + 1, index / institutions + 1);
    let (kind, repayment, terms, nominal, monthly_fee, upfront, membership) = match profile {
        Profile::Careful => (
            *rng.pick(&[
                ProductKind::CashLoan,
                ProductKind::Installment,
                ProductKind::CreditLine,
            ]),
            *rng.pick(&[Repayment::EqualInstallment, Repayment::EqualPrincipal]),
            vec![6, 12, 24, 36],
            (rng.uniform(0.06, 0.18) * 1e4).round() / 1e4,
            0.0,
            0.0,
            0,
        ),
        Profile::Lax => (
            *rng.pick(&[
                ProductKind::CashLoan,
                ProductKind::Installment,
                ProductKind::Microloan,
            ]),
            Repayment::EqualInstallment,
            vec![3, 6, 12],
            (rng.uniform(0.0, 0.08) * 1e4).round() / 1e4,
            (rng.uniform(0.004, 0.009) * 1e4).round() / 1e4,
            0.0,
            0,
        ),
        Profile::Predatory => (
            *rng.pick(&[ProductKind::Microloan, ProductKind::CashLoan]),
            *rng.pick(&[
                Repayment::Bullet,
                Repayment::InterestOnly,
                Repayment::EqualInstallment,
            ]),
            vec![1, 3, 6, 12, 24],
            (rng.uniform(0.1, 0.24) * 1e4).round() / 1e4,
            (rng.uniform(0.008, 0.02) * 1e4).round() / 1e4,
            (rng.uniform(0.0, 0.08) * 1e3).round() / 1e3,
            1_990,
        ),
    };
    let terms_u32: Vec<u32> = terms.iter().map(|t| saturating_u32(*t)).collect();
    let apr_by_term: Vec<(u32, f64)> = terms_u32
        .iter()
        .map(|&t| {
            let quote = LoanTerms {
                principal_minor: QUOTE_PRINCIPAL_MINOR,
                term_months: t,
                repayment,
                nominal_annual_rate: nominal,
                monthly_fee_rate: monthly_fee,
                upfront_fee_minor: round_minor(upfront * QUOTE_PRINCIPAL_MINOR as f64),
                monthly_fixed_fee_minor: membership,
            };
            (
                t,
                apr_of_terms(&quote)
                    .map(|(_, a)| a.apr_nominal)
                    .unwrap_or(f64::NAN),
            )
        })
        .collect();
    let min_apr = apr_by_term
        .iter()
        .map(|(_, a)| *a)
        .fold(f64::INFINITY, f64::min);
    let max_apr = apr_by_term.iter().map(|(_, a)| *a).fold(0.0, f64::max);

    // The advertised rate: careful lenders quote the real APR; others a periodic figure.
    let advertised_rate = match profile {
        Profile::Careful => QuotedRate {
            value: (min_apr * 1e4).floor() / 1e4,
            unit: RateUnit::Annual,
        },
        Profile::Lax if rng.chance(0.5) => QuotedRate {
            value: monthly_fee,
            unit: RateUnit::Monthly,
        },
        _ => QuotedRate {
            value: (rng.uniform(0.0002, 0.0005) * 1e5).round() / 1e5,
            unit: RateUnit::Daily,
        },
    };
    let templates: Vec<&Template> = match profile {
        Profile::Careful => vec![&COMPLIANT[rng.index(2)], &COMPLIANT[0]],
        Profile::Lax => vec![rng.pick(&LAX), rng.pick(&LAX)],
        Profile::Predatory => vec![
            rng.pick(&PREDATORY),
            rng.pick(&PREDATORY),
            rng.pick(&PREDATORY),
        ],
    };
    let mut seen = Vec::new();
    let mut marketing = Vec::new();
    let mut planted: Vec<&'static str> = Vec::new();
    let (mut any_warning, mut fee_mentioned) = (false, false);
    for t in templates {
        if seen.contains(&t.text) {
            continue;
        }
        seen.push(t.text);
        let rate_text = pct(advertised_rate.value);
        let text = t
            .text
            .replace(
                "{apr}",
                &pct(advertised_rate.value.max(min_apr.floor_to(4))),
            )
            .replace("{rate}", &rate_text);
        marketing.push(Ad {
            channel: Some(t.channel.to_string()),
            language: Some(t.language.to_string()),
            text,
        });
        planted.extend(t.codes.iter().copied());
        any_warning |= t.has_warning;
        fee_mentioned |= t.mentions_fee;
    }
    if !any_warning {
        planted.push("MK-NO-RISK-WARNING");
    }
    if membership > 0 && !fee_mentioned {
        planted.push("MK-HIDDEN-FEE");
    }
    let advertised_annual = match advertised_rate.unit {
        RateUnit::Daily => advertised_rate.value * 360.0,
        RateUnit::Monthly => advertised_rate.value * 12.0,
        RateUnit::Annual => advertised_rate.value,
    };
    if advertised_annual < min_apr - 0.005 {
        planted.push("MK-RATE-UNDERSTATED");
    }
    let max_principal_minor = match profile {
        Profile::Careful => 20_000_000,
        Profile::Lax => 5_000_000,
        Profile::Predatory => *rng.pick(&[3_000_000, 30_000_000]),
    };
    let controls = match profile {
        Profile::Careful => Controls {
            verifies_income: Some(true),
            checks_credit_bureau: Some(true),
            checks_multi_lending: Some(true),
            min_age: Some(22),
            max_age: Some(60),
            allows_students: Some(false),
            max_dti: Some(0.5),
            max_line_to_income: Some(10.0),
            median_approval_seconds: Some(3_600.0),
            cooling_off_days: Some(7),
            funding_share: Some(1.0),
        },
        Profile::Lax => Controls {
            verifies_income: Some(false),
            checks_credit_bureau: Some(true),
            checks_multi_lending: Some(false),
            min_age: Some(18),
            max_age: Some(65),
            allows_students: Some(rng.chance(0.5)),
            max_dti: None,
            max_line_to_income: None,
            median_approval_seconds: Some(rng.uniform(30.0, 120.0).round()),
            cooling_off_days: Some(0),
            funding_share: Some((rng.uniform(0.3, 1.0) * 100.0).round() / 100.0),
        },
        Profile::Predatory => Controls {
            verifies_income: Some(false),
            checks_credit_bureau: Some(false),
            checks_multi_lending: Some(false),
            min_age: Some(16),
            max_age: Some(75),
            allows_students: Some(true),
            max_dti: None,
            max_line_to_income: None,
            median_approval_seconds: Some(rng.uniform(5.0, 20.0).round()),
            cooling_off_days: Some(0),
            funding_share: Some((rng.uniform(0.05, 0.25) * 100.0).round() / 100.0),
        },
    };
    if controls.verifies_income == Some(false) {
        planted.push("RC-INCOME-UNVERIFIED");
    }
    if controls.checks_credit_bureau == Some(false) && controls.checks_multi_lending == Some(false)
    {
        planted.push("RC-NO-BUREAU-CHECK");
    }
    if controls.median_approval_seconds.is_some_and(|s| s < 60.0)
        && max_principal_minor > 10 * 600_000
    {
        planted.push("RC-FAST-APPROVAL");
    }
    if max_principal_minor > BORROWER_CAP_MINOR {
        planted.push("RC-BORROWER-CAP");
    }
    if matches!(repayment, Repayment::Bullet | Repayment::InterestOnly)
        && terms_u32.iter().any(|t| *t > 12)
    {
        planted.push("RC-BULLET-TERM");
    }
    if controls.funding_share.is_some_and(|s| s < 0.30) {
        planted.push("RC-JOINT-SHARE");
    }
    if max_apr > CN_CAP {
        planted.push("RC-COST-CAP");
    }
    planted.sort_unstable();
    planted.dedup();
    let product = Product {
        product_id,
        institution_id,
        name: NAMES[index % NAMES.len()].to_string(),
        kind,
        jurisdiction: Jurisdiction::Cn,
        currency: "CNY".to_string(),
        launched_at: Some(start.add_days(-rng.days(30, 900))),
        pricing: Pricing {
            repayment,
            term_months: terms,
            nominal_annual_rate: nominal,
            monthly_fee_rate: monthly_fee,
            upfront_fee_rate: upfront,
            other_fees: if membership > 0 {
                vec![Fee {
                    name: "membership".to_string(),
                    amount_minor: membership,
                    per: FeePer::Month,
                    mandatory: true,
                }]
            } else {
                Vec::new()
            },
            advertised_rate: Some(advertised_rate),
        },
        limits: Limits {
            min_principal_minor: 50_000,
            max_principal_minor,
        },
        controls,
        marketing,
        contract: None,
    };
    GenProduct {
        product,
        profile,
        institution,
        planted,
        apr_by_term,
        down_tiering: down_tiering(institution),
    }
}

trait FloorTo {
    fn floor_to(self, digits: i32) -> f64;
}

impl FloorTo for f64 {
    fn floor_to(self, digits: i32) -> f64 {
        let f = 10f64.powi(digits);
        (self * f).floor() / f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_are_valid_and_carry_their_plants() {
        let start = Date::parse("2023-01-01").unwrap();
        let products = build_products(42, 30, 10, start);
        assert_eq!(products.len(), 30);
        for g in &products {
            g.product.validate().unwrap();
            match g.profile {
                Profile::Careful => assert!(
                    g.planted.iter().all(|c| !c.starts_with("MK-")),
                    "{:?}",
                    g.planted
                ),
                Profile::Predatory => assert!(g.planted.contains(&"MK-NO-RISK-WARNING")),
                Profile::Lax => assert!(g.planted.contains(&"RC-INCOME-UNVERIFIED")),
            }
        }
        assert!(products.iter().any(|g| g.planted.contains(&"RC-COST-CAP")));
        assert!(
            products
                .iter()
                .any(|g| g.planted.contains(&"MK-HIDDEN-FEE"))
        );
    }
}
