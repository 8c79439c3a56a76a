//! Authentication counters of one client (all its connections), named as Java's client
//! exports them in `producer-metrics` / `consumer-metrics` (its `Selector`'s metrics):
//! `successful-authentication-total`, `failed-authentication-total`,
//! `successful-reauthentication-total` and `failed-reauthentication-total` (KIP-368).
//!
//! Owns the counters (shared through [`super::ConnectionConfig`], so every connection a client's
//! pool or group coordinator opens counts into the same ones) and their snapshot. Counted once
//! per SASL exchange, never per request. Connections without SASL count nothing, as in Java.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// The live counters.
#[derive(Debug, Default)]
pub struct AuthMetrics {
    authenticated: AtomicU64,
    authentication_failed: AtomicU64,
    reauthenticated: AtomicU64,
    reauthentication_failed: AtomicU64,
}

/// A point-in-time view of [`AuthMetrics`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthMetricsSnapshot {
    /// `successful-authentication-total`: SASL authentications of new connections that succeeded.
    pub successful_authentication_total: u64,
    /// `failed-authentication-total`: SASL authentications of new connections that failed.
    pub failed_authentication_total: u64,
    /// `successful-reauthentication-total`: in-band re-authentications (KIP-368) that succeeded.
    pub successful_reauthentication_total: u64,
    /// `failed-reauthentication-total`: re-authentications that failed (the connection closed).
    pub failed_reauthentication_total: u64,
}

impl AuthMetricsSnapshot {
    /// `(kafka metric name, value)` pairs.
    pub fn to_pairs(self) -> [(&'static str, f64); 4] {
        [
            (
                "successful-authentication-total",
                self.successful_authentication_total as f64,
            ),
            (
                "failed-authentication-total",
                self.failed_authentication_total as f64,
            ),
            (
                "successful-reauthentication-total",
                self.successful_reauthentication_total as f64,
            ),
            (
                "failed-reauthentication-total",
                self.failed_reauthentication_total as f64,
            ),
        ]
    }
}

impl AuthMetrics {
    /// A connection's first SASL exchange ended: `ok` or not.
    pub(super) fn authentication(&self, ok: bool) {
        let c = if ok {
            &self.authenticated
        } else {
            &self.authentication_failed
        };
        c.fetch_add(1, Relaxed);
    }

    /// A re-authentication ended: `ok` or not.
    pub(super) fn reauthentication(&self, ok: bool) {
        let c = if ok {
            &self.reauthenticated
        } else {
            &self.reauthentication_failed
        };
        c.fetch_add(1, Relaxed);
    }

    pub fn snapshot(&self) -> AuthMetricsSnapshot {
        AuthMetricsSnapshot {
            successful_authentication_total: self.authenticated.load(Relaxed),
            failed_authentication_total: self.authentication_failed.load(Relaxed),
            successful_reauthentication_total: self.reauthenticated.load(Relaxed),
            failed_reauthentication_total: self.reauthentication_failed.load(Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AuthMetrics;

    #[test]
    fn counts_each_outcome_under_java_names() {
        let m = AuthMetrics::default();
        m.authentication(true);
        m.authentication(true);
        m.authentication(false);
        m.reauthentication(true);
        let pairs = m.snapshot().to_pairs();
        assert_eq!(
            pairs,
            [
                ("successful-authentication-total", 2.0),
                ("failed-authentication-total", 1.0),
                ("successful-reauthentication-total", 1.0),
                ("failed-reauthentication-total", 0.0),
            ]
        );
    }
}
