//! The broker's periodic background work: segment roll by time, retention, interval flush,
//! and group/offset expiry. It must not serve requests.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::now_ms;
use crate::state::BrokerState;

/// Periodic log housekeeping (roll by time, retention, interval flush) and group expiry.
pub(crate) async fn run(state: Arc<BrokerState>, mut shutdown: watch::Receiver<bool>) {
    let log_every = Duration::from_millis(state.config.log_retention_check_interval_ms.min(1000));
    let groups_every = Duration::from_millis(state.config.offsets_retention_check_interval_ms);
    let mut log_tick = tokio::time::interval(log_every);
    let mut group_tick = tokio::time::interval(groups_every);
    loop {
        tokio::select! {
            _ = log_tick.tick() => {
                let now = now_ms();
                for t in state.topics.all() {
                    for p in &t.partitions {
                        p.housekeeping(now);
                    }
                }
            }
            _ = group_tick.tick() => state.groups.housekeeping(now_ms()),
            _ = shutdown.changed() => break,
        }
    }
}
