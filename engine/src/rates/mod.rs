//! Rates and legal caps: schedules, IRR, APR, quoted-rate conversion, caps, case excess, and
//! the APR quote of one loan ([`quote()`]).
//!
//! Everything here is pure arithmetic over validated inputs, normative per domain.md section 7
//! and SPEC section 5, and checked against the test vectors of domain.md section 8.

pub mod apr;
pub mod batch;
pub mod caps;
pub mod excess;
pub mod irr;
pub mod quote;
pub mod schedule;

pub use apr::{AprDefinition, AprFigures, DayBasis, annualise_quote, apr_of_flows, apr_of_terms};
pub use batch::apr_many;
pub use caps::{ApplicableCap, CapCheck, applicable_cap, check_cap};
pub use excess::{CaseCost, case_cost};
pub use irr::{IrrError, irr_periodic, irr_timed, xirr};
pub use quote::{AprQuote, RawTerms, quote};
pub use schedule::{Installment, LoanTerms, Schedule, build_schedule, round_minor};

/// Test helpers shared by the rates modules.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::domain::Repayment;
    use proptest::prelude::*;

    /// Any of the four repayment methods.
    pub(crate) fn any_repayment() -> impl Strategy<Value = Repayment> {
        prop_oneof![
            Just(Repayment::EqualInstallment),
            Just(Repayment::EqualPrincipal),
            Just(Repayment::InterestOnly),
            Just(Repayment::Bullet)
        ]
    }
}
