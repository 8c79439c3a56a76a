//! Producer metrics with Kafka's names.
//!
//! Owns the producer's counters and windowed stats (see [`crate::stats`]: rates and averages
//! cover `metrics.num.samples` × `metrics.sample.window.ms`, as in Kafka; totals cover the
//! producer's lifetime) and the [`MetricsSnapshot`] computed from them. Updated once per
//! batch or request by the sender, never per record on the send path. It must not affect
//! sending.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use crate::connection::AuthMetricsSnapshot;
use crate::stats::{self, Avg, Clock, Rate, SampleConfig};

/// Counters shared by the producer's tasks.
#[derive(Debug)]
pub struct Metrics {
    clock: Arc<dyn Clock>,
    records_sent: AtomicU64,
    records_failed: AtomicU64,
    retries: AtomicU64,
    send_rate: Rate,
    error_rate: Rate,
    batch_size: Avg,
    request_latency: Avg,
}

/// A point-in-time view, named as in Kafka's producer metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSnapshot {
    /// `record-send-rate`: records acknowledged per second, over the window.
    pub record_send_rate: f64,
    /// `record-send-total`.
    pub record_send_total: u64,
    /// `batch-size-avg`: bytes per batch sent, over the window (0 without batches).
    pub batch_size_avg: f64,
    /// `request-latency-avg`: ms per produce request, over the window (0 without requests).
    pub request_latency_avg: f64,
    /// `record-error-rate`: records failed per second, over the window.
    pub record_error_rate: f64,
    /// `record-error-total`.
    pub record_error_total: u64,
    /// `record-retry-total`.
    pub record_retry_total: u64,
    /// `successful-authentication-total` and the other SASL counters of the producer's
    /// connections (zero without SASL).
    pub authentication: AuthMetricsSnapshot,
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
        .into_iter()
        .chain(self.authentication.to_pairs())
        .collect()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new(SampleConfig::default())
    }
}

impl Metrics {
    /// Metrics over the window `cfg`, on the real clock.
    pub fn new(cfg: SampleConfig) -> Metrics {
        Metrics::with_clock(cfg, stats::system_clock())
    }

    /// Metrics on a given clock (tests move a [`stats::ManualClock`]).
    pub fn with_clock(cfg: SampleConfig, clock: Arc<dyn Clock>) -> Metrics {
        Metrics {
            clock,
            records_sent: AtomicU64::new(0),
            records_failed: AtomicU64::new(0),
            retries: AtomicU64::new(0),
            send_rate: Rate::new(cfg),
            error_rate: Rate::new(cfg),
            batch_size: Avg::new(cfg),
            request_latency: Avg::new(cfg),
        }
    }

    /// One batch of `records` acknowledged, `bytes` long on the wire.
    pub fn batch_sent(&self, records: i32, bytes: usize) {
        let n = records.max(0) as u64;
        self.records_sent.fetch_add(n, Relaxed);
        let now = self.clock.now_ms();
        self.send_rate.record(n as f64, now);
        self.batch_size.record(bytes as f64, now);
    }

    pub fn records_failed(&self, records: i32) {
        let n = records.max(0) as u64;
        self.records_failed.fetch_add(n, Relaxed);
        self.error_rate.record(n as f64, self.clock.now_ms());
    }

    pub fn request_done(&self, latency: Duration) {
        self.request_latency
            .record(latency.as_secs_f64() * 1000.0, self.clock.now_ms());
    }

    pub fn retried(&self, records: i32) {
        self.retries.fetch_add(records.max(0) as u64, Relaxed);
    }

    /// The producer's own metrics with the connections' `authentication` counters.
    pub fn snapshot(&self, authentication: AuthMetricsSnapshot) -> MetricsSnapshot {
        let now = self.clock.now_ms();
        MetricsSnapshot {
            record_send_rate: self.send_rate.measure(now),
            record_send_total: self.records_sent.load(Relaxed),
            batch_size_avg: self.batch_size.measure(now),
            request_latency_avg: self.request_latency.measure(now),
            record_error_rate: self.error_rate.measure(now),
            record_error_total: self.records_failed.load(Relaxed),
            record_retry_total: self.retries.load(Relaxed),
            authentication,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::Metrics;
    use crate::stats::{ManualClock, SampleConfig};

    fn metrics() -> (Metrics, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::default());
        (
            Metrics::with_clock(SampleConfig::default(), clock.clone()),
            clock,
        )
    }

    #[test]
    fn averages_and_totals() {
        let (m, _) = metrics();
        m.batch_sent(10, 1000);
        m.batch_sent(30, 3000);
        m.records_failed(2);
        m.request_done(Duration::from_millis(4));
        m.request_done(Duration::from_millis(6));
        let s = m.snapshot(Default::default());
        assert_eq!(s.record_send_total, 40);
        assert_eq!(s.batch_size_avg, 2000.0);
        assert!((s.request_latency_avg - 5.0).abs() < 1e-9);
        assert_eq!(s.record_error_total, 2);
        // A fresh producer's window is padded to one full sample (30 s).
        assert!((s.record_send_rate - 40.0 / 30.0).abs() < 1e-9);
        assert_eq!(s.to_pairs()[0].0, "record-send-rate");
    }

    #[test]
    fn rates_follow_the_window_and_decay() {
        let (m, clock) = metrics();
        // 10 batches of 100 records a second for two minutes, then a slower minute.
        for _ in 0..120 {
            for _ in 0..10 {
                m.batch_sent(100, 16_384);
            }
            m.records_failed(1);
            clock.advance(Duration::from_secs(1));
        }
        let fast = m.snapshot(Default::default());
        assert!((fast.record_send_rate - 1000.0).abs() < 20.0, "{fast:?}");
        assert!((fast.record_error_rate - 1.0).abs() < 0.1, "{fast:?}");
        for _ in 0..60 {
            m.batch_sent(100, 1_000);
            clock.advance(Duration::from_secs(1));
        }
        let slow = m.snapshot(Default::default());
        assert!((slow.record_send_rate - 100.0).abs() < 5.0, "{slow:?}");
        assert_eq!(
            slow.batch_size_avg, 1_000.0,
            "the big batches left the window"
        );
        assert_eq!(slow.record_error_rate, 0.0, "no errors for a minute");
        // A lifetime average would report (120 000 + 6 000) / 180 s = 700 records/s.
        clock.advance(Duration::from_secs(61));
        let idle = m.snapshot(Default::default());
        assert_eq!(idle.record_send_rate, 0.0);
        assert_eq!(idle.record_send_total, 126_000);
    }
}
