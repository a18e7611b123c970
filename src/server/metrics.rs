//! Request metrics per method: count, errors, a latency histogram and the calls being handled
//! now, served by `GetMetrics`.
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
    /// Calls of the method that a handler has started and not yet answered.
    pub(crate) in_flight: u64,
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

    /// Counts a call of `method` as in flight until the returned guard is dropped (answered,
    /// failed or cancelled alike).
    pub(crate) fn begin(&self, method: &'static str) -> InFlight<'_> {
        if let Ok(mut map) = self.methods.lock() {
            map.entry(method).or_default().in_flight += 1;
        }
        InFlight {
            metrics: self,
            method,
        }
    }

    /// Records one finished call of `method`: whether it succeeded and how long it took.
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

    /// Every method's statistics so far, and the time since the server started.
    pub(crate) fn snapshot(&self) -> (Vec<(&'static str, MethodStats)>, Duration) {
        let map = self.methods.lock().map(|m| m.clone()).unwrap_or_default();
        (map.into_iter().collect(), self.started.elapsed())
    }
}

/// A call counted in flight by [`Metrics::begin`]; dropping it ends the count.
#[derive(Debug)]
pub(crate) struct InFlight<'a> {
    metrics: &'a Metrics,
    method: &'static str,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut map) = self.metrics.methods.lock()
            && let Some(s) = map.get_mut(self.method)
        {
            s.in_flight = s.in_flight.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_flight(metrics: &Metrics, method: &str) -> u64 {
        let (methods, _) = metrics.snapshot();
        methods
            .iter()
            .find(|(name, _)| *name == method)
            .map_or(0, |(_, s)| s.in_flight)
    }

    #[test]
    fn a_call_is_in_flight_until_its_guard_drops() {
        let metrics = Metrics::new();
        let first = metrics.begin("ScoreCase");
        let second = metrics.begin("ScoreCase");
        assert_eq!(in_flight(&metrics, "ScoreCase"), 2);
        drop(first);
        metrics.record("ScoreCase", true, Duration::from_micros(120));
        assert_eq!(in_flight(&metrics, "ScoreCase"), 1);
        drop(second);
        assert_eq!(in_flight(&metrics, "ScoreCase"), 0);
        let (methods, _) = metrics.snapshot();
        assert_eq!(methods[0].1.requests, 1);
        assert_eq!(methods[0].1.buckets[1], 1);
    }
}
