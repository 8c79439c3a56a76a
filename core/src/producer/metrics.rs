//! Producer metrics with Kafka's names.
//!
//! Owns lock-free counters updated by the sender and a [`MetricsSnapshot`] computed from them
//! (rates are averaged over the producer's lifetime). It must not affect sending.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

/// Counters shared by the producer's tasks.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    records_sent: AtomicU64,
    records_failed: AtomicU64,
    batches_sent: AtomicU64,
    batch_bytes: AtomicU64,
    requests: AtomicU64,
    request_latency_us: AtomicU64,
    retries: AtomicU64,
}

/// A point-in-time view, named as in Kafka's producer metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSnapshot {
    /// `record-send-rate`: records acknowledged per second.
    pub record_send_rate: f64,
    /// `record-send-total`.
    pub record_send_total: u64,
    /// `batch-size-avg`: bytes per batch sent.
    pub batch_size_avg: f64,
    /// `request-latency-avg`: ms per produce request.
    pub request_latency_avg: f64,
    /// `record-error-rate`: records failed per second.
    pub record_error_rate: f64,
    /// `record-error-total`.
    pub record_error_total: u64,
    /// `record-retry-total`.
    pub record_retry_total: u64,
}

impl MetricsSnapshot {
    /// `(kafka metric name, value)` pairs, for bindings' metric registries.
    pub fn to_pairs(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("record-send-rate", self.record_send_rate),
            ("record-send-total", self.record_send_total as f64),
            ("batch-size-avg", self.batch_size_avg),
            ("request-latency-avg", self.request_latency_avg),
            ("record-error-rate", self.record_error_rate),
            ("record-error-total", self.record_error_total as f64),
            ("record-retry-total", self.record_retry_total as f64),
        ]
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            records_sent: AtomicU64::new(0),
            records_failed: AtomicU64::new(0),
            batches_sent: AtomicU64::new(0),
            batch_bytes: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            request_latency_us: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    pub fn batch_sent(&self, records: i32, bytes: usize) {
        self.records_sent.fetch_add(records.max(0) as u64, Relaxed);
        self.batches_sent.fetch_add(1, Relaxed);
        self.batch_bytes.fetch_add(bytes as u64, Relaxed);
    }

    pub fn records_failed(&self, records: i32) {
        self.records_failed
            .fetch_add(records.max(0) as u64, Relaxed);
    }

    pub fn request_done(&self, latency: std::time::Duration) {
        self.requests.fetch_add(1, Relaxed);
        self.request_latency_us
            .fetch_add(latency.as_micros() as u64, Relaxed);
    }

    pub fn retried(&self, records: i32) {
        self.retries.fetch_add(records.max(0) as u64, Relaxed);
    }

    pub fn snapshot(&self) -> MetricsSnapshot {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let sent = self.records_sent.load(Relaxed);
        let failed = self.records_failed.load(Relaxed);
        let batches = self.batches_sent.load(Relaxed);
        let reqs = self.requests.load(Relaxed);
        let avg = |total: u64, n: u64| if n == 0 { 0.0 } else { total as f64 / n as f64 };
        MetricsSnapshot {
            record_send_rate: sent as f64 / secs,
            record_send_total: sent,
            batch_size_avg: avg(self.batch_bytes.load(Relaxed), batches),
            request_latency_avg: avg(self.request_latency_us.load(Relaxed), reqs) / 1000.0,
            record_error_rate: failed as f64 / secs,
            record_error_total: failed,
            record_retry_total: self.retries.load(Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn averages_and_totals() {
        let m = super::Metrics::default();
        m.batch_sent(10, 1000);
        m.batch_sent(30, 3000);
        m.records_failed(2);
        m.request_done(std::time::Duration::from_millis(4));
        m.request_done(std::time::Duration::from_millis(6));
        let s = m.snapshot();
        assert_eq!(s.record_send_total, 40);
        assert_eq!(s.batch_size_avg, 2000.0);
        assert!((s.request_latency_avg - 5.0).abs() < 1e-9);
        assert_eq!(s.record_error_total, 2);
        assert!(s.record_send_rate > 0.0);
        assert_eq!(s.to_pairs()[0].0, "record-send-rate");
    }
}
