//! finrisk-engine: the pure core of finrisk.
//!
//! Domain types and their validation ([`domain`]), rates and legal caps ([`rates`]), rulesets
//! as data ([`ruleset`]). The engine does no I/O, knows nothing of files, gRPC or async, and
//! gives the same output for the same input.

pub mod assess;
pub mod catalogue;
pub mod date;
pub mod dc;
pub mod domain;
pub mod error;
pub mod evidence;
pub mod findings;
pub mod index;
pub mod marketing;
pub mod pd;
pub mod rates;
pub mod ruleset;
pub mod validate;

pub use date::Date;
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
