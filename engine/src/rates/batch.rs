//! APR of many loans at once: rayon over chunks, with buffers reused inside each chunk.
//!
//! This is the hot path when a product's terms grid or a grants table is priced: no
//! allocation per loan beyond the first of each chunk, and results in input order.

use super::apr::{AprFigures, irr_error};
use super::irr::irr_periodic;
use super::schedule::{LoanTerms, fill_schedule};
use crate::error::EngineError;
use rayon::prelude::*;

/// Loans per rayon task: large enough that scheduling costs nothing, small enough to balance.
const CHUNK: usize = 1024;

/// APR figures of every loan, in input order; a loan that fails validation or has no IRR
/// gets its error in its own slot and does not stop the others.
pub fn apr_many(terms: &[LoanTerms]) -> Vec<Result<AprFigures, EngineError>> {
    terms
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut installments = Vec::new();
            let mut flows = Vec::new();
            chunk.iter().map(move |t| {
                t.validate()?;
                fill_schedule(t, &mut installments);
                flows.clear();
                flows.push((t.principal_minor - t.upfront_fee_minor) as f64);
                flows.extend(installments.iter().map(|i| -(i.payment_minor as f64)));
                irr_periodic(&flows)
                    .map(AprFigures::from_monthly_irr)
                    .map_err(|e| irr_error(e, "schedule"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Repayment;
    use crate::rates::apr::apr_of_terms;

    #[test]
    fn batch_matches_one_by_one_and_keeps_errors_in_place() {
        let mut terms: Vec<LoanTerms> = (1..=3000u32)
            .map(|k| {
                let mut t = LoanTerms::new(
                    100_000 + i64::from(k) * 1_000,
                    1 + k % 36,
                    Repayment::ALL[(k % 4) as usize],
                );
                t.nominal_annual_rate = f64::from(k % 30) / 100.0;
                t.monthly_fee_rate = f64::from(k % 7) / 1000.0;
                t
            })
            .collect();
        terms[1500].term_months = 0;
        let batch = apr_many(&terms);
        assert_eq!(batch.len(), terms.len());
        for (t, b) in terms.iter().zip(&batch) {
            match apr_of_terms(t) {
                Ok((_, one)) => assert_eq!(b.as_ref().ok(), Some(&one)),
                Err(e) => assert_eq!(b.as_ref().err(), Some(&e)),
            }
        }
        assert!(batch[1500].is_err());
    }
}
