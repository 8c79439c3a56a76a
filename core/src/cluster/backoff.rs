//! Exponential backoff with jitter, as Java's `ExponentialBackoff` (multiplier 2, jitter 0.2).
//!
//! Owns the delay after `n` consecutive failures; used for reconnects (`reconnect.backoff.ms` up
//! to `reconnect.backoff.max.ms`) and retries (`retry.backoff.ms` up to `retry.backoff.max.ms`).

use std::time::Duration;

/// Backoff parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub initial: Duration,
    pub max: Duration,
    pub jitter: f64,
}

impl Backoff {
    /// Backoff from `initial` doubling up to `max`, ±20% jitter.
    pub fn new(initial: Duration, max: Duration) -> Backoff {
        Backoff {
            initial,
            max: max.max(initial),
            jitter: 0.2,
        }
    }

    /// The delay before attempt `failures + 1` (0 failures → no delay).
    pub fn delay(&self, failures: u32) -> Duration {
        if failures == 0 || self.initial.is_zero() {
            return Duration::ZERO;
        }
        let exp = (failures - 1).min(30);
        let base = self.initial.as_secs_f64() * f64::from(1u32 << exp.min(20));
        let capped = base.min(self.max.as_secs_f64());
        let factor = 1.0 - self.jitter + 2.0 * self.jitter * crate::random::unit();
        Duration::from_secs_f64((capped * factor).min(self.max.as_secs_f64()).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_jitter_and_caps() {
        let b = Backoff::new(Duration::from_millis(50), Duration::from_millis(1000));
        assert_eq!(b.delay(0), Duration::ZERO);
        for _ in 0..100 {
            let d1 = b.delay(1).as_millis();
            assert!((40..=60).contains(&d1), "{d1}");
            let d3 = b.delay(3).as_millis();
            assert!((160..=240).contains(&d3), "{d3}");
            let d10 = b.delay(10).as_millis();
            assert!((800..=1000).contains(&d10), "{d10}");
            assert!(b.delay(1000) <= Duration::from_millis(1000));
        }
    }
}
