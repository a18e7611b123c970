//! Request metrics per method: count, errors and a latency histogram, served by `GetMetrics`.
//! Labels are method names only: never a case id, borrower key or institution id.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds of the latency buckets, microseconds; a last bucket catches the rest.
pub(crate) const BUCKETS_MICROS: [u64; 12] = [
    100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000,
];

#[derive(Debug, Clone, Default)]
pub(crate) struct MethodStats {
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) buckets: [u64; 13],
    pub(crate) total_micros: u128,
}

/// All methods' statistics.
#[derive(Debug)]
pub(crate) struct Metrics {
    started: Instant,
    methods: Mutex<BTreeMap<&'static str, MethodStats>>,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        Self {
            started: Instant::now(),
            methods: Mutex::new(BTreeMap::new()),
        }
    }

    pub(crate) fn record(&self, method: &'static str, ok: bool, elapsed: Duration) {
        let micros = elapsed.as_micros();
        let bucket = BUCKETS_MICROS
            .iter()
            .position(|b| micros <= u128::from(*b))
            .unwrap_or(BUCKETS_MICROS.len());
        let Ok(mut map) = self.methods.lock() else {
            return;
        };
        let s = map.entry(method).or_default();
        s.requests += 1;
        s.errors += u64::from(!ok);
        s.buckets[bucket] += 1;
        s.total_micros += micros;
    }

    pub(crate) fn snapshot(&self) -> (Vec<(&'static str, MethodStats)>, Duration) {
        let map = self.methods.lock().map(|m| m.clone()).unwrap_or_default();
        (map.into_iter().collect(), self.started.elapsed())
    }
}
