//! Duplicate-credit analysis (identity resolution + timelines) on 1,000,000 and 10,000,000
//! generated grants. Prints the analysis's own memory per grant (resident growth while it is
//! held) for BENCHMARKS.md.

#![expect(
    clippy::expect_used,
    reason = "bench set-up: failing to generate the data should stop the bench"
)]

use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use finrisk_benches::{config, generated_grants, resident_bytes};
use finrisk_engine::dc::DcAnalysis;
use std::hint::black_box;
use std::time::Duration;

fn dc(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("dc_analyse");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    for n in [1_000_000u64, 10_000_000] {
        let (batch, as_of) = generated_grants(n).expect("generated grants");
        let before = resident_bytes();
        let held = DcAnalysis::analyse(&batch, Some(as_of));
        let after = resident_bytes();
        eprintln!(
            "dc_analyse/{n}: {} persons, analysis holds about {} bytes per grant",
            held.person_count(),
            after.saturating_sub(before) / n
        );
        drop(held);
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::from_parameter(n), &batch, |b, batch| {
            b.iter(|| DcAnalysis::analyse(black_box(batch), Some(as_of)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = dc
}
criterion_main!(benches);
