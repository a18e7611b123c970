//! Any numbers as loan terms: the schedule and APR solver give figures or an error naming a
//! field; never a panic, never a non-finite APR.
#![no_main]

use finrisk_engine::domain::Repayment;
use finrisk_engine::rates::apr::apr_of_terms;
use finrisk_engine::rates::schedule::LoanTerms;
use libfuzzer_sys::fuzz_target;

fn take<const N: usize>(data: &mut &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let n = N.min(data.len());
    out[..n].copy_from_slice(&data[..n]);
    *data = &data[n..];
    out
}

fuzz_target!(|data: &[u8]| {
    let mut d = data;
    let repayment = match take::<1>(&mut d)[0] % 4 {
        0 => Repayment::EqualInstallment,
        1 => Repayment::EqualPrincipal,
        2 => Repayment::InterestOnly,
        _ => Repayment::Bullet,
    };
    let terms = LoanTerms {
        principal_minor: i64::from_le_bytes(take(&mut d)),
        term_months: u32::from_le_bytes(take(&mut d)),
        repayment,
        nominal_annual_rate: f64::from_le_bytes(take(&mut d)),
        monthly_fee_rate: f64::from_le_bytes(take(&mut d)),
        upfront_fee_minor: i64::from_le_bytes(take(&mut d)),
        monthly_fixed_fee_minor: i64::from_le_bytes(take(&mut d)),
    };
    match apr_of_terms(&terms) {
        Ok((_, figures)) => assert!(figures.monthly_irr.is_finite(), "{terms:?}"),
        Err(e) => finrisk_fuzz::assert_names_a_field(&e),
    }
});
