//! Consumer metrics with Kafka's names: `records-consumed-rate`, `fetch-latency-avg`,
//! `records-lag-max`, and their totals; plus two counters of our own (not in Kafka's consumer,
//! so not in [`ConsumerMetrics::to_pairs`]): full and incremental (KIP-227) fetches answered.
//!
//! Owns the consumer's counters and windowed stats (see [`crate::stats`]: rates, averages and
//! maxima cover `metrics.num.samples` × `metrics.sample.window.ms`, as in Kafka; totals cover
//! the consumer's lifetime). Updated once per poll and once per fetch response, never per
//! record. It must not affect fetching.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use crate::connection::AuthMetricsSnapshot;
use crate::stats::{self, Avg, Clock, Max, Rate, SampleConfig};

/// Counters shared by the consumer's tasks.
#[derive(Debug)]
pub struct Metrics {
    clock: Arc<dyn Clock>,
    records: AtomicU64,
    bytes: AtomicU64,
    fetches: AtomicU64,
    full_fetches: AtomicU64,
    incremental_fetches: AtomicU64,
    records_rate: Rate,
    fetch_latency: Avg,
    lag_max: Max,
}

/// A point-in-time view named as Kafka's consumer fetch-manager metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerMetrics {
    /// `records-consumed-rate`: records returned by poll per second, over the window.
    pub records_consumed_rate: f64,
    /// `records-consumed-total`.
    pub records_consumed_total: u64,
    /// `bytes-consumed-total`.
    pub bytes_consumed_total: u64,
    /// `fetch-latency-avg`: ms per fetch request, over the window (0 without fetches).
    pub fetch_latency_avg: f64,
    /// `fetch-total`.
    pub fetch_total: u64,
    /// `records-lag-max`: the largest lag (high watermark minus the next offset) a fetch
    /// reported within the window.
    pub records_lag_max: f64,
    /// Fetches sent as FULL (session epoch 0: opening a session, or sessionless) and answered
    /// without a top-level error. Ours; Kafka's consumer has no such metric.
    pub full_fetch_total: u64,
    /// Fetches sent as INCREMENTAL on an open session (epoch > 0) and answered without a
    /// top-level error. Ours; Kafka's consumer has no such metric.
    pub incremental_fetch_total: u64,
    /// `successful-authentication-total` and the other SASL counters of the consumer's
    /// connections (zero without SASL).
    pub authentication: AuthMetricsSnapshot,
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
            records: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
            full_fetches: AtomicU64::new(0),
            incremental_fetches: AtomicU64::new(0),
            records_rate: Rate::new(cfg),
            fetch_latency: Avg::new(cfg),
            lag_max: Max::new(cfg),
        }
    }

    /// Records handed out by one poll.
    pub fn on_records(&self, n: usize, bytes: usize) {
        self.records.fetch_add(n as u64, Relaxed);
        self.bytes.fetch_add(bytes as u64, Relaxed);
        self.records_rate.record(n as f64, self.clock.now_ms());
    }

    /// One fetch response arrived after `latency`.
    pub fn on_fetch(&self, latency: Duration) {
        self.fetches.fetch_add(1, Relaxed);
        self.fetch_latency
            .record(latency.as_secs_f64() * 1000.0, self.clock.now_ms());
    }

    /// A fetch was answered without a top-level error; `incremental` if it used a session.
    pub fn on_fetch_answered(&self, incremental: bool) {
        let counter = if incremental {
            &self.incremental_fetches
        } else {
            &self.full_fetches
        };
        counter.fetch_add(1, Relaxed);
    }

    /// The largest partition lag one fetch response showed.
    pub fn set_lag_max(&self, lag: i64) {
        self.lag_max.record(lag.max(0) as f64, self.clock.now_ms());
    }

    /// The consumer's own metrics with the connections' `authentication` counters.
    pub fn snapshot(&self, authentication: AuthMetricsSnapshot) -> ConsumerMetrics {
        let now = self.clock.now_ms();
        ConsumerMetrics {
            records_consumed_rate: self.records_rate.measure(now),
            records_consumed_total: self.records.load(Relaxed),
            bytes_consumed_total: self.bytes.load(Relaxed),
            fetch_latency_avg: self.fetch_latency.measure(now),
            fetch_total: self.fetches.load(Relaxed),
            records_lag_max: self.lag_max.measure(now),
            full_fetch_total: self.full_fetches.load(Relaxed),
            incremental_fetch_total: self.incremental_fetches.load(Relaxed),
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
    fn averages_and_names() {
        let (m, _) = metrics();
        m.on_fetch(Duration::from_millis(10));
        m.on_fetch(Duration::from_millis(30));
        m.on_records(5, 50);
        m.set_lag_max(7);
        m.set_lag_max(3);
        m.on_fetch_answered(false);
        m.on_fetch_answered(true);
        m.on_fetch_answered(true);
        let s = m.snapshot(Default::default());
        assert_eq!((s.full_fetch_total, s.incremental_fetch_total), (1, 2));
        assert_eq!(s.fetch_latency_avg, 20.0);
        assert_eq!(s.records_consumed_total, 5);
        assert_eq!(
            s.records_lag_max, 7.0,
            "max over the window, not the last fetch"
        );
        assert!(s
            .to_pairs()
            .iter()
            .any(|(n, _)| *n == "records-consumed-rate"));
    }

    #[test]
    fn window_stats_forget_old_activity_but_totals_do_not() {
        let (m, clock) = metrics();
        for _ in 0..60 {
            m.on_records(100, 1000);
            m.on_fetch(Duration::from_millis(50));
            clock.advance(Duration::from_secs(1));
        }
        m.set_lag_max(1000);
        let busy = m.snapshot(Default::default());
        assert!((busy.records_consumed_rate - 100.0).abs() < 5.0, "{busy:?}");
        clock.advance(Duration::from_secs(120));
        m.on_fetch(Duration::from_millis(4));
        m.set_lag_max(2);
        let idle = m.snapshot(Default::default());
        assert_eq!(idle.records_consumed_rate, 0.0);
        assert_eq!(idle.fetch_latency_avg, 4.0);
        assert_eq!(idle.records_lag_max, 2.0);
        assert_eq!(idle.records_consumed_total, 6000);
        assert_eq!(idle.fetch_total, 61);
    }
}
