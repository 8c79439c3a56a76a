//! Windowed statistics with Kafka's semantics, shared by producer and consumer metrics.
//!
//! Owns [`Rate`], [`Avg`] and [`Max`]: each keeps `metrics.num.samples` samples of
//! `metrics.sample.window.ms` each (plus the one being filled), forgets samples with no event
//! in the last `samples × window`, and combines what is left: a rate is the sum over the
//! retained samples divided by the time they span (padded to `samples - 1` full windows, so a
//! fresh client does not report a burst as a huge rate), an average is sum / count, a maximum
//! the largest value. Time comes from a [`Clock`] so tests can move it by hand.
//!
//! Each stat is one small mutex-guarded ring: record at batch or request granularity, never per
//! record on a hot path. It must not know metric names (those live in the clients' metrics).

use std::fmt::Debug;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many samples of which length a windowed stat keeps (`metrics.num.samples`,
/// `metrics.sample.window.ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleConfig {
    /// Samples that make up the measured window (at least 1).
    pub samples: usize,
    /// Length of one sample.
    pub window: Duration,
}

impl Default for SampleConfig {
    /// Kafka's defaults: 2 samples of 30 s.
    fn default() -> Self {
        SampleConfig {
            samples: 2,
            window: Duration::from_millis(30_000),
        }
    }
}

impl SampleConfig {
    fn window_ms(&self) -> u64 {
        (self.window.as_millis() as u64).max(1)
    }

    fn samples(&self) -> u64 {
        self.samples.max(1) as u64
    }
}

/// A monotonic millisecond clock.
pub trait Clock: Send + Sync + Debug {
    /// Milliseconds since an arbitrary, fixed origin; never goes backwards.
    fn now_ms(&self) -> u64;
}

/// The real clock: milliseconds since it was created.
#[derive(Debug)]
pub struct MonotonicClock {
    origin: Instant,
}

impl Default for MonotonicClock {
    fn default() -> Self {
        MonotonicClock {
            origin: Instant::now(),
        }
    }
}

impl Clock for MonotonicClock {
    fn now_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }
}

/// A clock moved by hand, for tests.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct ManualClock {
    ms: std::sync::atomic::AtomicU64,
}

#[cfg(test)]
impl ManualClock {
    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        self.ms
            .fetch_add(by.as_millis() as u64, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.ms.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The real clock, shared.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(MonotonicClock::default())
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    start_ms: u64,
    last_event_ms: u64,
    count: u64,
    /// Sum of the values (rate, average) or their maximum (max).
    value: f64,
}

impl Sample {
    fn new(now: u64) -> Sample {
        Sample {
            start_ms: now,
            last_event_ms: now,
            count: 0,
            value: 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Sum,
    Max,
}

/// The ring of samples behind every stat.
#[derive(Debug)]
struct Samples {
    cfg: SampleConfig,
    fold: Fold,
    ring: Vec<Sample>,
    current: usize,
}

impl Samples {
    fn new(cfg: SampleConfig, fold: Fold) -> Samples {
        Samples {
            cfg,
            fold,
            ring: Vec::new(),
            current: 0,
        }
    }

    fn record(&mut self, value: f64, now: u64) {
        if self.ring.is_empty() {
            self.ring.push(Sample::new(now));
            self.current = 0;
        }
        let complete = self
            .ring
            .get(self.current)
            .is_some_and(|s| now.saturating_sub(s.start_ms) >= self.cfg.window_ms());
        if complete {
            // One sample more than configured: the oldest still overlaps the measured window
            // while the newest is being filled.
            let slots = self.cfg.samples() as usize + 1;
            self.current = (self.current + 1) % slots;
            if self.current >= self.ring.len() {
                self.ring.push(Sample::new(now));
            } else if let Some(s) = self.ring.get_mut(self.current) {
                *s = Sample::new(now);
            }
        }
        let fold = self.fold;
        if let Some(s) = self.ring.get_mut(self.current) {
            s.value = match fold {
                Fold::Sum => s.value + value,
                Fold::Max if s.count == 0 => value,
                Fold::Max => s.value.max(value),
            };
            s.count += 1;
            s.last_event_ms = now;
        }
    }

    /// Empties samples whose last event is older than the whole measured window.
    fn purge(&mut self, now: u64) {
        let expire = self.cfg.samples() * self.cfg.window_ms();
        for s in &mut self.ring {
            if now.saturating_sub(s.last_event_ms) >= expire {
                *s = Sample::new(now);
            }
        }
    }

    fn total(&self) -> (f64, u64) {
        self.ring
            .iter()
            .fold((0.0, 0), |(v, n), s| (v + s.value, n + s.count))
    }

    fn max(&self) -> Option<f64> {
        self.ring
            .iter()
            .filter(|s| s.count > 0)
            .map(|s| s.value)
            .reduce(f64::max)
    }

    /// Milliseconds the retained samples span, padded to `samples - 1` full windows.
    fn span_ms(&self, now: u64) -> u64 {
        let oldest = self.ring.iter().map(|s| s.start_ms).min().unwrap_or(now);
        let mut elapsed = now.saturating_sub(oldest);
        let window = self.cfg.window_ms();
        let full = elapsed / window;
        let min_full = self.cfg.samples() - 1;
        if full < min_full {
            elapsed += (min_full - full) * window;
        }
        elapsed
    }
}

fn lock(m: &Mutex<Samples>) -> std::sync::MutexGuard<'_, Samples> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Events (or a quantity) per second over the window.
#[derive(Debug)]
pub struct Rate(Mutex<Samples>);

impl Rate {
    pub fn new(cfg: SampleConfig) -> Rate {
        Rate(Mutex::new(Samples::new(cfg, Fold::Sum)))
    }

    /// Adds `value` (a count of events, bytes...) at `now_ms`.
    pub fn record(&self, value: f64, now_ms: u64) {
        lock(&self.0).record(value, now_ms);
    }

    /// The quantity recorded in the retained samples per second of the time they span.
    pub fn measure(&self, now_ms: u64) -> f64 {
        let mut s = lock(&self.0);
        s.purge(now_ms);
        let span = s.span_ms(now_ms);
        if span == 0 {
            return 0.0;
        }
        s.total().0 / (span as f64 / 1000.0)
    }
}

/// The mean of the values recorded in the window (0 when there are none).
#[derive(Debug)]
pub struct Avg(Mutex<Samples>);

impl Avg {
    pub fn new(cfg: SampleConfig) -> Avg {
        Avg(Mutex::new(Samples::new(cfg, Fold::Sum)))
    }

    pub fn record(&self, value: f64, now_ms: u64) {
        lock(&self.0).record(value, now_ms);
    }

    /// Kafka reports NaN for an empty window; this reports 0 so sums and dashboards stay
    /// numeric.
    pub fn measure(&self, now_ms: u64) -> f64 {
        let mut s = lock(&self.0);
        s.purge(now_ms);
        match s.total() {
            (_, 0) => 0.0,
            (sum, n) => sum / n as f64,
        }
    }
}

/// The largest value recorded in the window (0 when there are none).
#[derive(Debug)]
pub struct Max(Mutex<Samples>);

impl Max {
    pub fn new(cfg: SampleConfig) -> Max {
        Max(Mutex::new(Samples::new(cfg, Fold::Max)))
    }

    pub fn record(&self, value: f64, now_ms: u64) {
        lock(&self.0).record(value, now_ms);
    }

    pub fn measure(&self, now_ms: u64) -> f64 {
        let mut s = lock(&self.0);
        s.purge(now_ms);
        s.max().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1000;

    fn cfg() -> SampleConfig {
        SampleConfig::default() // 2 × 30 s
    }

    #[test]
    fn a_fresh_rate_is_padded_to_one_full_window() {
        let r = Rate::new(cfg());
        r.record(300.0, 0);
        // 10 s elapsed in the first window: padded to 30 s + 10 s.
        assert!((r.measure(10 * SEC) - 300.0 / 40.0).abs() < 1e-9);
        assert_eq!(Rate::new(cfg()).measure(0), 0.0);
    }

    #[test]
    fn a_steady_rate_is_measured_over_the_window() {
        let r = Rate::new(cfg());
        // 100 events per second for 5 minutes, recorded once a second.
        for t in 0..300 {
            r.record(100.0, t * SEC);
        }
        let m = r.measure(300 * SEC);
        assert!((m - 100.0).abs() < 5.0, "{m}");
    }

    #[test]
    fn a_rate_decays_after_traffic_stops() {
        let r = Rate::new(cfg());
        for t in 0..120 {
            r.record(50.0, t * SEC);
        }
        let busy = r.measure(120 * SEC);
        assert!(busy > 40.0, "{busy}");
        let quieter = r.measure(150 * SEC);
        assert!(quieter < busy, "{quieter} < {busy}");
        // Nothing recorded for longer than samples × window: the rate is zero again.
        assert_eq!(r.measure(181 * SEC), 0.0);
        // A lifetime average would still say 6000 / 181 s ≈ 33.
    }

    #[test]
    fn a_new_burst_after_silence_is_not_inflated() {
        let r = Rate::new(cfg());
        r.record(10.0, 0);
        r.record(60.0, 600 * SEC);
        // The old sample is purged; the burst counts over a padded full window.
        assert!((r.measure(600 * SEC) - 60.0 / 30.0).abs() < 1e-9);
    }

    #[test]
    fn avg_covers_only_the_window() {
        let a = Avg::new(cfg());
        a.record(100.0, 0);
        a.record(300.0, 10 * SEC);
        assert_eq!(a.measure(10 * SEC), 200.0);
        // 40 s later the first sample (0..30 s) is still retained next to the current one.
        a.record(10.0, 50 * SEC);
        assert!((a.measure(50 * SEC) - 410.0 / 3.0).abs() < 1e-9);
        // The first sample's last event (10 s) is 90 s old at 100 s: it is dropped.
        a.record(20.0, 70 * SEC);
        a.record(30.0, 100 * SEC);
        let m = a.measure(100 * SEC);
        assert!((m - (10.0 + 20.0 + 30.0) / 3.0).abs() < 1e-9, "{m}");
        // Silence longer than samples × window empties it.
        assert_eq!(a.measure(200 * SEC), 0.0);
    }

    #[test]
    fn max_covers_only_the_window() {
        let m = Max::new(cfg());
        assert_eq!(m.measure(0), 0.0);
        m.record(7.0, 0);
        m.record(3.0, 5 * SEC);
        assert_eq!(m.measure(5 * SEC), 7.0);
        m.record(2.0, 40 * SEC);
        // The sample holding 7 had its last event 55 s ago: still inside 2 × 30 s.
        assert_eq!(m.measure(60 * SEC), 7.0);
        // 61 s after it, it is forgotten; 2 remains.
        assert_eq!(m.measure(66 * SEC), 2.0);
        assert_eq!(m.measure(100 * SEC), 0.0);
    }

    #[test]
    fn negative_values_are_kept_by_max() {
        let m = Max::new(cfg());
        m.record(-5.0, 0);
        m.record(-2.0, 1);
        assert_eq!(m.measure(2), -2.0);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::default();
        assert_eq!(c.now_ms(), 0);
        c.advance(Duration::from_secs(3));
        assert_eq!(c.now_ms(), 3000);
    }
}
