//! Assessments: the findings, scores and grade of a product (with its loan book), a grant, or
//! a dispute case, under a ruleset and the marketing grammar.
//!
//! Every finding carries the numbers that triggered it and the threshold applied, so each
//! figure traces to an input and a rule. Grants are assessed row by row from the columnar
//! batch (rayon over chunks of rows); a row gives the same result alone or inside any batch.
//!
//! One module per job: `collector` gathers findings and scores them, `text` runs the ad
//! text checks shared by products and cases, `product` assesses a product's terms and ads,
//! `portfolio` its loan book, `grant` the grant rules of a batch, `case` a dispute case.

mod case;
mod collector;
mod grant;
mod portfolio;
mod product;
mod text;

#[cfg(test)]
mod fixtures;

pub use crate::index::GrantRow;
pub use case::{CaseAssessment, assess_case};
pub use collector::{Assessment, score_findings};
pub use grant::{GRANT_CODES, GrantHit, GrantRules, assess_grant_chunk, assess_grants};
pub use portfolio::{PortfolioPd, PortfolioStats, down_tiering_evidence};
pub use product::{ProductAssessment, TermApr, assess_product, shortest_term_days};
pub use text::assess_ad;

use crate::domain::Cause;
use crate::domain::product::ProductKind;

/// The cause whose cap applies to a product of this kind.
pub fn cause_of_kind(kind: ProductKind) -> Cause {
    match kind {
        ProductKind::Microloan => Cause::Microloan,
        ProductKind::CreditCard => Cause::CreditCard,
        ProductKind::CreditLine | ProductKind::Installment => Cause::ConsumerFinance,
        ProductKind::CashLoan => Cause::FinancialLoan,
    }
}

/// A score rounded to one decimal, as outputs that people read show it (text output, CSV
/// tables, reports).
pub fn round_score(score: f64) -> f64 {
    (score * 10.0).round() / 10.0
}

#[cfg(test)]
mod round_tests {
    #[test]
    fn scores_round_to_one_decimal() {
        assert_eq!(super::round_score(94.16799999999999), 94.2);
        assert_eq!(super::round_score(0.04), 0.0);
        assert_eq!(super::round_score(100.0), 100.0);
    }
}
