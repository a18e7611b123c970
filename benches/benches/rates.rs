//! Rates hot paths: IRR of one loan's flows, schedule + APR of one loan, APR of many loans.

#![expect(clippy::expect_used, reason = "constant, known-valid inputs")]

use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use finrisk_benches::{config, sample_loans};
use finrisk_engine::domain::Repayment;
use finrisk_engine::rates::{LoanTerms, apr_many, apr_of_terms, irr_periodic};
use std::hint::black_box;

fn irr(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("irr_periodic");
    for n in [12usize, 60, 360] {
        let mut t = LoanTerms::new(1_000_000, n as u32, Repayment::EqualInstallment);
        t.nominal_annual_rate = 0.12;
        t.monthly_fee_rate = 0.005;
        let (schedule, _) = apr_of_terms(&t).expect("valid terms");
        let flows = schedule.cash_flows();
        group.bench_with_input(BenchmarkId::from_parameter(n), &flows, |b, flows| {
            b.iter(|| irr_periodic(black_box(flows)))
        });
    }
    group.finish();
}

fn apr_one(c: &mut criterion::Criterion) {
    let mut t = LoanTerms::new(1_000_000, 12, Repayment::EqualInstallment);
    t.monthly_fee_rate = 0.008;
    c.bench_function("apr_of_terms/12m", |b| {
        b.iter(|| apr_of_terms(black_box(&t)))
    });
}

fn apr_batch(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("apr_many");
    for n in [10_000usize, 100_000] {
        let loans = sample_loans(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &loans, |b, loans| {
            b.iter(|| apr_many(black_box(loans)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = irr, apr_one, apr_batch
}
criterion_main!(benches);
