//! Throughput and latency figures, computed the way Apache Kafka's ProducerPerformance does:
//! a record's latency runs from just before `send` to its delivery result; the run's elapsed time
//! from before the first send until the producer is closed.
//!
//! Owns collecting per-record latencies (microsecond resolution, every record kept rather than
//! Java's sampled subset) and formatting the summary lines. No I/O besides returning strings.

use std::time::Duration;

/// Per-record latencies of one run.
#[derive(Debug, Default)]
pub struct Latencies {
    micros: Vec<u32>,
    errors: u64,
}

/// A run's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub records: u64,
    pub errors: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    pub records_per_sec: f64,
    pub mb_per_sec: f64,
    pub avg_ms: f64,
    pub max_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
}

impl Latencies {
    /// Room for `n` records.
    pub fn with_capacity(n: usize) -> Latencies {
        Latencies {
            micros: Vec::with_capacity(n),
            errors: 0,
        }
    }

    /// One delivered record.
    pub fn record(&mut self, latency: Duration) {
        self.micros
            .push(u32::try_from(latency.as_micros()).unwrap_or(u32::MAX));
    }

    /// One failed record.
    pub fn error(&mut self) {
        self.errors += 1;
    }

    /// Delivered records so far.
    pub fn delivered(&self) -> usize {
        self.micros.len()
    }

    /// The summary of a run that moved `bytes` of payload in `elapsed`.
    pub fn summary(mut self, bytes: u64, elapsed: Duration) -> Summary {
        self.micros.sort_unstable();
        let n = self.micros.len();
        let pct = |p: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            // Java's Stats.percentiles: index (int)(p * count), clamped.
            let i = ((p * n as f64) as usize).min(n - 1);
            f64::from(self.micros[i]) / 1000.0
        };
        let secs = elapsed.as_secs_f64().max(1e-9);
        let sum: u64 = self.micros.iter().map(|&m| u64::from(m)).sum();
        Summary {
            records: n as u64,
            errors: self.errors,
            bytes,
            elapsed,
            records_per_sec: n as f64 / secs,
            mb_per_sec: bytes as f64 / (1024.0 * 1024.0) / secs,
            avg_ms: if n == 0 {
                0.0
            } else {
                sum as f64 / n as f64 / 1000.0
            },
            max_ms: self.micros.last().map_or(0.0, |&m| f64::from(m) / 1000.0),
            p50_ms: pct(0.5),
            p95_ms: pct(0.95),
            p99_ms: pct(0.99),
            p999_ms: pct(0.999),
        }
    }
}

impl Summary {
    /// ProducerPerformance's final line (its MB is 1024 * 1024 bytes).
    pub fn java_line(&self) -> String {
        format!(
            "{} records sent, {:.1} records/sec ({:.2} MB/sec), {:.2} ms avg latency, {:.2} ms max latency, \
             {:.2} ms 50th, {:.2} ms 95th, {:.2} ms 99th, {:.2} ms 99.9th.",
            self.records,
            self.records_per_sec,
            self.mb_per_sec,
            self.avg_ms,
            self.max_ms,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.p999_ms
        )
    }

    /// One JSON object for scripts.
    pub fn json(&self, tool: &str) -> String {
        format!(
            "{{\"tool\":\"{tool}\",\"records\":{},\"errors\":{},\"bytes\":{},\"elapsed_s\":{:.6},\
             \"records_per_sec\":{:.3},\"mb_per_sec\":{:.4},\"avg_ms\":{:.4},\"max_ms\":{:.4},\
             \"p50_ms\":{:.4},\"p95_ms\":{:.4},\"p99_ms\":{:.4},\"p999_ms\":{:.4}}}",
            self.records,
            self.errors,
            self.bytes,
            self.elapsed.as_secs_f64(),
            self.records_per_sec,
            self.mb_per_sec,
            self.avg_ms,
            self.max_ms,
            self.p50_ms,
            self.p95_ms,
            self.p99_ms,
            self.p999_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_rates_and_lines() {
        let mut l = Latencies::with_capacity(1000);
        for i in 1..=1000u64 {
            l.record(Duration::from_micros(i * 1000));
        }
        l.error();
        let s = l.summary(100_000, Duration::from_secs(2));
        assert_eq!(s.records, 1000);
        assert_eq!(s.errors, 1);
        assert_eq!(s.records_per_sec, 500.0);
        assert_eq!(s.p50_ms, 501.0);
        assert_eq!(s.p99_ms, 991.0);
        assert_eq!(s.max_ms, 1000.0);
        assert_eq!(s.avg_ms, 500.5);
        assert!(s
            .java_line()
            .starts_with("1000 records sent, 500.0 records/sec"));
        assert!(s.json("x").contains("\"p99_ms\":991.0000"));
    }

    #[test]
    fn empty_run_has_zeroes() {
        let s = Latencies::default().summary(0, Duration::ZERO);
        assert_eq!((s.records, s.p99_ms, s.max_ms), (0, 0.0, 0.0));
    }
}
