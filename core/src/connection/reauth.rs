//! Client re-authentication (KIP-368): when SaslAuthenticate granted a session lifetime, the
//! connection authenticates again, in band, before that lifetime ends — at a random point
//! between 85 % and 95 % of it, as Java's client does — instead of letting the broker close it.
//!
//! Owns the per-connection task that waits for that point, pauses the callers' queue (frames
//! wait in the writer's channel, never half-written), waits until every request on the wire has
//! its response, runs SaslHandshake + SaslAuthenticate over the writer's priority queue and
//! resumes. A refused re-authentication poisons the connection with the typed authentication
//! error (the broker would close it anyway). It must not change users or mechanisms.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, watch};
use tracing::{debug, warn};

use super::{sasl, AuthMetrics, Link, WriteCmd};
use crate::config::SaslConfig;

/// When to re-authenticate a session of `lifetime_ms`: 85–95 % of it (Java's rule, which
/// spreads a fleet's re-authentications out).
pub(super) fn delay(lifetime_ms: i64) -> Duration {
    let fraction = 0.85 + 0.10 * (crate::random::next_u64() as f64 / u64::MAX as f64);
    Duration::from_millis((lifetime_ms.max(0) as f64 * fraction) as u64)
}

/// Re-authenticates over `link` (the priority queue) for as long as the connection lives and
/// the broker keeps granting lifetimes; each outcome counts in `metrics`.
pub(super) async fn run(
    link: Link,
    sasl: Arc<SaslConfig>,
    metrics: Arc<AuthMetrics>,
    version: i16,
    lifetime_ms: i64,
) {
    let mut closed = link.shared.closed.subscribe();
    let mut due = Instant::now() + delay(lifetime_ms);
    link.shared.set_reauth_due(Some(due));
    loop {
        tokio::select! {
            _ = closed.wait_for(|c| *c) => return,
            _ = tokio::time::sleep_until(due.into()) => {}
            // The writer saw it overdue first (this timer runs late on a loaded machine).
            _ = link.shared.reauth_now.notified() => {
                if Instant::now() < due {
                    continue;
                }
            }
        }
        let (ack, acked) = oneshot::channel();
        if link.writer.send(WriteCmd::Pause(ack)).is_err() || acked.await.is_err() {
            return;
        }
        if !wait_idle(&link, &mut closed).await {
            return;
        }
        let next = match sasl::authenticate(&link, version, &sasl).await {
            Ok(next) => next,
            Err(e) => {
                metrics.reauthentication(false);
                warn!(addr = link.addr(), error = %e, "re-authentication failed; closing the connection");
                link.shared.poison(e);
                return;
            }
        };
        metrics.reauthentication(true);
        let n = link
            .shared
            .reauthentications
            .fetch_add(1, Ordering::Relaxed)
            + 1;
        debug!(
            addr = link.addr(),
            reauthentications = n,
            lifetime_ms = next,
            "re-authenticated"
        );
        // The next due time before resuming, or the writer would hold frames again.
        due = Instant::now() + delay(next);
        link.shared.set_reauth_due((next > 0).then_some(due));
        if link.writer.send(WriteCmd::Resume).is_err() || next <= 0 {
            return;
        }
    }
}

/// Waits until no request is on the wire; false if the connection closed first.
async fn wait_idle(link: &Link, closed: &mut watch::Receiver<bool>) -> bool {
    loop {
        let idle = link.shared.idle.notified();
        tokio::pin!(idle);
        idle.as_mut().enable();
        if link.shared.on_wire.load(Ordering::Acquire) == 0 {
            return true;
        }
        tokio::select! {
            _ = closed.wait_for(|c| *c) => return false,
            _ = idle => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::delay;

    #[test]
    fn reauthenticates_between_85_and_95_percent_of_the_lifetime() {
        for _ in 0..1000 {
            let d = delay(10_000).as_millis();
            assert!((8_500..=9_500).contains(&d), "{d}");
        }
        assert_eq!(delay(0).as_millis(), 0);
    }
}
