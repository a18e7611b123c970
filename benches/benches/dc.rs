//! Duplicate-credit analysis (identity resolution + timelines) on 1,000,000 and 10,000,000
//! generated grants, and on 1,000,000 of the `realistic` profile (shop terminals, family
//! phones, recycled numbers). Prints the analysis's own memory per grant (resident growth while
//! it is held) for BENCHMARKS.md.

#![expect(
    clippy::expect_used,
    reason = "bench set-up: failing to generate the data should stop the bench"
)]

use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use finrisk_benches::{config, generated_grants_of, resident_bytes};
use finrisk_datasets::generate::DataProfile;
use finrisk_engine::dc::{DcAnalysis, DcSettings};
use std::hint::black_box;
use std::time::Duration;

fn dc(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("dc_analyse");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30));
    let settings = DcSettings::default();
    for (n, profile) in [
        (1_000_000u64, DataProfile::Planted),
        (1_000_000, DataProfile::Realistic),
        (10_000_000, DataProfile::Planted),
    ] {
        let (batch, as_of) = generated_grants_of(n, profile).expect("generated grants");
        let before = resident_bytes();
        let held = DcAnalysis::analyse(&batch, Some(as_of), &settings);
        let after = resident_bytes();
        let id = match profile {
            DataProfile::Planted => n.to_string(),
            DataProfile::Realistic => format!("realistic/{n}"),
        };
        eprintln!(
            "dc_analyse/{id}: {} persons, {} hubs, analysis holds about {} bytes per grant",
            held.person_count(),
            held.hubs().len(),
            after.saturating_sub(before) / n
        );
        drop(held);
        group.throughput(Throughput::Elements(n));
        group.bench_with_input(BenchmarkId::from_parameter(id), &batch, |b, batch| {
            b.iter(|| DcAnalysis::analyse(black_box(batch), Some(as_of), &settings))
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
