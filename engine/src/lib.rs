//! finrisk-engine: the pure core of finrisk.
//!
//! - Domain types and their validation ([`domain`], [`validate`], dates in [`Date`]).
//! - Rates and legal caps ([`rates`]): schedules, IRR, APR, XIRR, caps, the case excess over
//!   the cap, and the APR quote of one loan.
//! - Rulesets as data ([`ruleset`]) and the catalogue of finding codes ([`catalogue`], with
//!   its generated page in [`codes_doc`]).
//! - Findings and scores ([`findings`]), and the assessments built from them ([`assess`]):
//!   products with their ads and loan books, grants, cases, single ads; the docket of many
//!   cases and the judicial suggestions drafted from it ([`docket`]).
//! - The marketing text checks ([`marketing`]), the loan contract's clause checks ([`contract`]),
//!   customer-quality down-tiering by vintage ([`vintage`]), the duplicate-credit analysis across grants
//!   ([`dc`]), model PDs as the engine receives them ([`pd`]), the evaluation index of a loan
//!   book ([`index`]) and the evidence of grant findings ([`evidence`]).
//!
//! The engine does no I/O, knows nothing of files, gRPC, databases or async, and gives the same
//! output for the same input; it runs batches on rayon.

// Narrowing casts are justified where they stay (`#[expect]` with the bound) or replaced by
// checked conversions; test code may cast freely.
#![cfg_attr(not(test), warn(clippy::cast_possible_truncation))]

pub mod assess;
pub mod catalogue;
pub mod codes_doc;
pub mod contract;
mod date;
pub mod dc;
pub mod docket;
pub mod domain;
mod error;
pub mod evidence;
pub mod findings;
pub mod index;
pub mod marketing;
pub mod pd;
pub mod rates;
pub mod ruleset;
pub mod stats;
pub mod validate;
pub mod vintage;

pub use date::{Date, IsoDate};
pub use error::{EngineError, ErrorCode, FieldError};
pub use ruleset::Ruleset;

#[cfg(test)]
mod autotraits {
    fn send_sync<T: Send + Sync>() {}

    #[test]
    fn public_types_are_send_and_sync() {
        send_sync::<crate::Ruleset>();
        send_sync::<crate::domain::Case>();
        send_sync::<crate::domain::Product>();
        send_sync::<crate::domain::GrantBatch>();
        send_sync::<crate::EngineError>();
    }
}
