//! Resetting positions in the background: partitions without a position get the committed
//! offset, else the `auto.offset.reset` policy's (ListOffsets), without `poll` waiting for it.
//!
//! Owns [`Consumer::drive_reset`] (apply a finished lookup, start the next one) and
//! [`Consumer::wait_position`] (what `position()` blocks on). A lookup that fails or times out
//! leaves its partitions without a position, so the next drive (after `retry.backoff.ms`)
//! asks again: no partition stays without a position for good. Results are applied only to
//! partitions that are still assigned and still lack a position (a seek meanwhile wins).
//!
//! It must not fetch records or talk to the group protocol beyond OffsetFetch.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tokio::time::Instant;
use tracing::{debug, warn};

use super::group::{self, Group};
use super::Consumer;
use crate::cluster::Cluster;
use crate::config::OffsetReset;
use crate::error::{Error, ErrorKind, Result};
use crate::requests::offsets::{self, list_offsets};
use crate::types::TopicPartition;

/// Positions a background lookup found: `(offset, leader epoch)` per partition.
pub(crate) type Found = Vec<(TopicPartition, i64, Option<i32>)>;

/// What one lookup needs, snapshotted from the consumer's state.
struct Lookup {
    cluster: Cluster,
    group: Option<Arc<Group>>,
    /// Newly assigned: committed offset first, then the policy.
    fresh: Vec<TopicPartition>,
    /// Out of range: the policy only.
    out_of_range: Vec<TopicPartition>,
    policy: OffsetReset,
    isolation: i8,
    deadline: Instant,
}

impl Lookup {
    async fn run(self) -> Result<Found> {
        let mut found = Found::new();
        let mut by_policy = self.out_of_range;
        if !self.fresh.is_empty() {
            let committed = match &self.group {
                Some(g) => {
                    group::fetch_committed_via(
                        &self.cluster,
                        |d| g.coordinator(d),
                        &g.group_id,
                        Some(&self.fresh),
                        self.deadline,
                        Some(&g.state),
                    )
                    .await?
                }
                None => HashMap::new(),
            };
            for tp in self.fresh {
                match committed.get(&tp) {
                    Some(om) => found.push((tp, om.offset, om.leader_epoch)),
                    None => by_policy.push(tp),
                }
            }
        }
        if by_policy.is_empty() {
            return Ok(found);
        }
        let spec = match self.policy {
            OffsetReset::Earliest => offsets::EARLIEST,
            OffsetReset::Latest => offsets::LATEST,
            OffsetReset::None => {
                let names: Vec<String> = by_policy.iter().map(ToString::to_string).collect();
                return Err(Error::new(
                    ErrorKind::OffsetOutOfRange,
                    format!(
                        "no valid offset for partitions {} and auto.offset.reset=none; seek to an offset or set \
                         auto.offset.reset to earliest or latest",
                        names.join(", ")
                    ),
                ));
            }
        };
        let q: BTreeMap<TopicPartition, i64> =
            by_policy.iter().map(|tp| (tp.clone(), spec)).collect();
        let listed = list_offsets(&self.cluster, &q, self.isolation, self.deadline).await?;
        found.extend(listed.into_iter().map(|(tp, o)| (tp, o.offset, None)));
        Ok(found)
    }
}

impl Consumer {
    /// Applies a finished position lookup and starts one for partitions still without a
    /// position. Never waits for the network: a lookup in flight is left running.
    ///
    /// Returns the lookup's error when it is not retriable (`auto.offset.reset=none` with no
    /// committed offset, authorization); retriable failures are logged and retried.
    pub(crate) async fn drive_reset(&self) -> Result<()> {
        let mut outcome = Ok(());
        if let Some((done, ())) = self.inner.reset.take_finished().await {
            match done.and_then(|r| r) {
                Ok(found) => self.apply_reset(found),
                Err(e) => {
                    let backoff = self.inner.cfg.common.retry_backoff;
                    self.state().reset_retry_at = Some(Instant::now() + backoff);
                    if e.is_retriable() {
                        debug!(error = %e, "resetting positions failed; retrying");
                    } else {
                        outcome = Err(e);
                    }
                }
            }
        }
        self.start_reset();
        outcome
    }

    fn start_reset(&self) {
        if self.inner.reset.busy() {
            return;
        }
        let (fresh, out_of_range) = {
            let mut st = self.state();
            if st.reset_retry_at.is_some_and(|t| Instant::now() < t) {
                return;
            }
            st.reset_retry_at = None;
            let mut fresh = Vec::new();
            let mut oor = Vec::new();
            for (tp, p) in st.parts.iter().filter(|(_, p)| p.position.is_none()) {
                if p.out_of_range {
                    oor.push(tp.clone());
                } else {
                    fresh.push(tp.clone());
                }
            }
            (fresh, oor)
        };
        if fresh.is_empty() && out_of_range.is_empty() {
            return;
        }
        let lookup = Lookup {
            cluster: self.inner.cluster.clone(),
            group: self.inner.group.clone(),
            fresh,
            out_of_range,
            policy: self.inner.cfg.consumer.auto_offset_reset,
            isolation: self.isolation(),
            deadline: self.api_deadline(),
        };
        let deadline = lookup.deadline;
        let work = super::lookups::bounded(deadline, "resetting positions", lookup.run());
        self.inner.reset.start((), &self.inner.wake, work);
    }

    fn apply_reset(&self, found: Found) {
        let mut st = self.state();
        for (tp, offset, epoch) in found {
            let Some(p) = st.parts.get_mut(&tp) else {
                continue; // revoked meanwhile
            };
            if p.position.is_some() {
                continue; // seeked meanwhile
            }
            if p.out_of_range {
                warn!(partition = %tp, offset, "position reset by auto.offset.reset after OFFSET_OUT_OF_RANGE");
            } else {
                debug!(partition = %tp, offset, "position initialised");
            }
            p.position = Some(offset);
            p.leader_epoch = epoch;
            p.out_of_range = false;
        }
    }

    /// Waits until `tp` has a position or `deadline` passes (Java's `position(tp)`).
    pub(crate) async fn wait_position(
        &self,
        tp: &TopicPartition,
        deadline: Instant,
    ) -> Result<i64> {
        loop {
            self.drive_reset().await?;
            let pos = match self.state().parts.get(tp) {
                Some(p) => p.position,
                None => {
                    return Err(Error::new(
                        ErrorKind::UnknownTopicOrPartition,
                        format!("{tp} is not assigned to this consumer"),
                    ))
                }
            };
            if let Some(pos) = pos {
                return Ok(pos);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the position of {tp} could not be resolved within default.api.timeout.ms; \
                         check that the partition's leader and the group coordinator are reachable"
                    ),
                ));
            }
            // Woken when the lookup finishes; the cap covers a wake taken by a concurrent poll.
            let wait = (deadline - now).min(std::time::Duration::from_millis(100));
            let _ = tokio::time::timeout(wait, self.inner.wake.notified()).await;
        }
    }
}
