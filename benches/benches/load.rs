//! Parsing a grants table into the engine's batch (`finrisk_datasets::grants_from_frame`): the
//! first step of `finrisk batch --kind grants`, run on every chunk of its input. 1,000,000
//! generated grants (seed 42), read from Parquet once; the bench times the parse alone (cells
//! to typed columns, validation, the batch), not the read, in the batch's chunks of 32,768 rows
//! and with its allocator (mimalloc), each chunk's batch dropped before the next, as the batch
//! does.

#![expect(
    clippy::expect_used,
    reason = "bench set-up: failing to generate or read the data should stop the bench"
)]

use criterion::{Throughput, criterion_group, criterion_main};
use finrisk_benches::{config, generated_grants_file};
use finrisk_datasets::generate::DataProfile;
use std::hint::black_box;
use std::time::Duration;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Rows per chunk, as `finrisk batch` reads.
const CHUNK_ROWS: usize = 32_768;

fn load(c: &mut criterion::Criterion) {
    let grants = 1_000_000u64;
    let (file, _) = generated_grants_file(grants, DataProfile::Planted).expect("generated grants");
    let frame = finrisk_datasets::read_table(&file).expect("read the grants table");
    let mut group = c.benchmark_group("grants_from_frame");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(grants));
    group.bench_function(grants.to_string(), |b| {
        b.iter(|| {
            let mut accepted = 0;
            for start in (0..frame.height()).step_by(CHUNK_ROWS) {
                let chunk = frame.slice(i64::try_from(start).expect("row offset"), CHUNK_ROWS);
                let (batch, report) =
                    finrisk_datasets::grants::grants_from_frame_at(black_box(&chunk), start)
                        .expect("parse");
                assert_eq!(report.rows_rejected, 0);
                accepted += batch.len();
            }
            accepted
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = load
}
criterion_main!(benches);
