//! Scoring throughput of the default PD model (the LendingClub scorecard on the engine's grant
//! columns): PDs alone, and PDs with scores and the top-3 reason codes (what `finrisk batch`
//! writes), on LendingClub 2007-2011 tiled to 1,000,000 rows.

#![expect(
    clippy::expect_used,
    reason = "bench set-up: failing to load the data should stop the bench"
)]

use criterion::{BenchmarkId, Throughput, criterion_group, criterion_main};
use finrisk_benches::config;
use finrisk_datasets::{RealDataset, load_model_table};
use finrisk_models::PdModel;
use finrisk_models::frame::{Selection, training_set};
use std::hint::black_box;
use std::time::Duration;

fn pd(c: &mut criterion::Criterion) {
    let model = PdModel::default_pd().expect("default model");
    let table = load_model_table(RealDataset::LendingClubGrants, None).expect("LendingClub");
    let set = training_set(&table.frame, "target", &Selection::default()).expect("table");
    let n = set.rows();
    let mut group = c.benchmark_group("pd_default");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    let rows = 1_000_000usize;
    let tiled: Vec<usize> = (0..rows).map(|i| i % n).collect();
    let features = set.table.take(&tiled);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_with_input(BenchmarkId::new("pd", rows), &features, |b, t| {
        b.iter(|| model.pd(black_box(t)).expect("scores"))
    });
    group.bench_with_input(BenchmarkId::new("pd_reasons", rows), &features, |b, t| {
        b.iter(|| model.explain(black_box(t), 3).expect("scores"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = pd
}
criterion_main!(benches);
