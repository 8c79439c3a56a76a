//! Consumer metrics with Kafka's names: `records-consumed-rate`, `fetch-latency-avg`,
//! `records-lag-max`.
//!
//! Owns lock-free counters updated by poll and the fetcher; rates are averaged over the
//! consumer's lifetime. It must not affect fetching.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Counters shared by the consumer's tasks.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    records: AtomicU64,
    bytes: AtomicU64,
    fetches: AtomicU64,
    fetch_latency_us: AtomicU64,
    lag_max: AtomicI64,
}

/// A point-in-time view named as Kafka's consumer fetch-manager metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerMetrics {
    /// `records-consumed-rate`: records returned by poll per second.
    pub records_consumed_rate: f64,
    /// `records-consumed-total`.
    pub records_consumed_total: u64,
    /// `bytes-consumed-total`.
    pub bytes_consumed_total: u64,
    /// `fetch-latency-avg`: ms per fetch request.
    pub fetch_latency_avg: f64,
    /// `fetch-total`.
    pub fetch_total: u64,
    /// `records-lag-max`: largest high watermark minus position seen in the last fetch.
    pub records_lag_max: f64,
}

impl ConsumerMetrics {
    /// `(kafka metric name, value)` pairs.
    pub fn to_pairs(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("records-consumed-rate", self.records_consumed_rate),
            ("records-consumed-total", self.records_consumed_total as f64),
            ("bytes-consumed-total", self.bytes_consumed_total as f64),
            ("fetch-latency-avg", self.fetch_latency_avg),
            ("fetch-total", self.fetch_total as f64),
            ("records-lag-max", self.records_lag_max),
        ]
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            records: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
            fetch_latency_us: AtomicU64::new(0),
            lag_max: AtomicI64::new(0),
        }
    }
}

impl Metrics {
    pub fn on_records(&self, n: usize, bytes: usize) {
        self.records.fetch_add(n as u64, Relaxed);
        self.bytes.fetch_add(bytes as u64, Relaxed);
    }

    pub fn on_fetch(&self, latency: std::time::Duration) {
        self.fetches.fetch_add(1, Relaxed);
        self.fetch_latency_us
            .fetch_add(latency.as_micros() as u64, Relaxed);
    }

    pub fn set_lag_max(&self, lag: i64) {
        self.lag_max.store(lag.max(0), Relaxed);
    }

    pub fn snapshot(&self) -> ConsumerMetrics {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let records = self.records.load(Relaxed);
        let fetches = self.fetches.load(Relaxed);
        ConsumerMetrics {
            records_consumed_rate: records as f64 / secs,
            records_consumed_total: records,
            bytes_consumed_total: self.bytes.load(Relaxed),
            fetch_latency_avg: if fetches == 0 {
                0.0
            } else {
                self.fetch_latency_us.load(Relaxed) as f64 / 1000.0 / fetches as f64
            },
            fetch_total: fetches,
            records_lag_max: self.lag_max.load(Relaxed) as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn averages_and_names() {
        let m = super::Metrics::default();
        m.on_fetch(std::time::Duration::from_millis(10));
        m.on_fetch(std::time::Duration::from_millis(30));
        m.on_records(5, 50);
        m.set_lag_max(7);
        let s = m.snapshot();
        assert_eq!(s.fetch_latency_avg, 20.0);
        assert_eq!(s.records_consumed_total, 5);
        assert_eq!(s.records_lag_max, 7.0);
        assert!(s
            .to_pairs()
            .iter()
            .any(|(n, _)| *n == "records-consumed-rate"));
    }
}
