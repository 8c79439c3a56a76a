//! Group rebalances for [`Consumer`]: deciding to (re)join, revoking (eager: everything before
//! joining; cooperative: only what moved, then rejoining), calling the listener, and the
//! background heartbeat task that also enforces `max.poll.interval.ms`.
//!
//! The JoinGroup/SyncGroup round trip runs on a spawned task so `poll` never waits for it:
//! it keeps returning records of the partitions still owned (cooperative) and honours its
//! timeout; the next poll after SyncGroup applies the assignment and calls the listener on the
//! caller's task, as Java's consumer does.
//!
//! It must not build protocol messages (that is [`super::group`]).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::assignor::RebalanceProtocol;
use super::group::{Group, JoinOutcome};
use super::state::Subscription;
use super::{Consumer, OffsetAndMetadata};
use crate::error::{Error, Result};
use crate::types::TopicPartition;

/// A JoinGroup/SyncGroup round trip running on its own task while poll keeps fetching.
pub(crate) struct PendingJoin {
    handle: JoinHandle<Result<JoinOutcome>>,
    /// The subscription the join announced (a change meanwhile needs another join).
    topics: BTreeSet<String>,
}

impl PendingJoin {
    /// Cancels the join task (the consumer is being dropped).
    pub(crate) fn abort(&self) {
        self.handle.abort();
    }
}

impl Consumer {
    /// Resolves a pattern subscription against cluster metadata (every `metadata.max.age.ms`
    /// or after subscribing) without waiting: the Metadata request runs in the background and
    /// a later call applies its answer, flagging a rejoin when the topic set changed.
    ///
    /// Returns whether the pattern was resolved since it was subscribed (no join before).
    async fn refresh_pattern(&self, group: &Group) -> bool {
        let (re, checked, retry_at) = {
            let st = self.state();
            let Subscription::Pattern(re) = &st.subscription else {
                return true;
            };
            (re.clone(), st.pattern_checked, st.pattern_retry_at)
        };
        let mut resolved = checked.is_some();
        if let Some((done, pattern)) = self.inner.pattern.take_finished().await {
            match done.and_then(|r| r) {
                // An answer for a pattern subscribed before the current one is dropped.
                Ok(topics) if pattern == re.as_str() => {
                    let mut st = self.state();
                    st.pattern_checked = Some(Instant::now());
                    resolved = true;
                    if st.topics != topics {
                        self.inner.cluster.add_topics(topics.iter().cloned());
                        st.topics = topics;
                        group.lock().needs_rejoin = true;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    warn!(error = %e, "resolving the subscription pattern failed; retrying");
                    let backoff = self.inner.cfg.common.retry_backoff;
                    self.state().pattern_retry_at = Some(Instant::now() + backoff);
                    return resolved;
                }
            }
        }
        let age = self.inner.cfg.common.metadata_max_age;
        let fresh = self
            .state()
            .pattern_checked
            .is_some_and(|t| t.elapsed() < age);
        if fresh || retry_at.is_some_and(|t| Instant::now() < t) {
            return resolved;
        }
        let cluster = self.inner.cluster.clone();
        let tag = re.as_str().to_string();
        self.inner.pattern.start(tag, &self.inner.wake, async move {
            let md = cluster.fetch_metadata(None).await?;
            Ok(md
                .topics
                .iter()
                .filter(|t| !t.is_internal && t.error_code == 0)
                .filter_map(|t| t.name.as_ref().map(|n| n.0.to_string()))
                .filter(|n| re.is_match(n))
                .collect())
        });
        resolved
    }

    /// Drives a rebalance without blocking: completes a finished background join (applying
    /// the new assignment and calling the listener on the caller's task), or starts one when
    /// the subscription changed or the group asked for one. While a join runs, the partitions
    /// still owned (cooperative) keep being fetched and returned by poll.
    pub(crate) async fn maybe_rebalance(&self) -> Result<()> {
        let Some(group) = self.inner.group.clone() else {
            return Ok(());
        };
        let finished = {
            let mut slot = self.join_slot();
            match slot.as_ref() {
                Some(p) if p.handle.is_finished() => slot.take(),
                Some(_) => return Ok(()), // still joining: keep consuming what we own
                None => None,
            }
        };
        if let Some(pending) = finished {
            let outcome = pending.handle.await.map_err(|e| {
                Error::internal(format!(
                    "the group join task failed: {e}; poll again to rejoin"
                ))
            })?;
            self.complete_rebalance(&group, &pending.topics, outcome?);
            return Ok(());
        }
        if matches!(
            self.state().subscription,
            Subscription::Manual | Subscription::None
        ) {
            return Ok(());
        }
        if !self.refresh_pattern(&group).await {
            return Ok(()); // join once the pattern resolved to topics
        }
        let (needs, lost) = {
            let s = group.lock();
            (s.needs_rejoin || s.generation < 0, s.lost)
        };
        if !needs {
            return Ok(());
        }
        self.start_join(&group, lost);
        Ok(())
    }

    /// Revokes what must go before rejoining (eager: everything; lost: everything, reported
    /// as lost) and spawns the JoinGroup/SyncGroup round trip, preceded by the commit of the
    /// revoked partitions' positions when `enable.auto.commit`.
    fn start_join(&self, group: &Arc<Group>, lost: bool) {
        let protocol = group.rebalance_protocol();
        let (listener, current, mut to_commit) = {
            let mut st = self.state();
            let pending = std::mem::take(&mut st.revoke_commit);
            (st.listener.clone(), st.assignment(), pending)
        };
        if lost && !current.is_empty() {
            info!(
                partitions = current.len(),
                "partitions lost: the group moved on without this member"
            );
            to_commit.clear(); // they belong to someone else already
            if let Some(l) = &listener {
                l.on_partitions_lost(&current);
            }
            self.state().parts.clear();
        } else if protocol == RebalanceProtocol::Eager && !current.is_empty() {
            to_commit.extend(self.auto_commit_offsets(&current));
            if let Some(l) = &listener {
                l.on_partitions_revoked(&current);
            }
            self.state().parts.clear();
        }
        let (topics, owned) = {
            let st = self.state();
            (st.topics.clone(), st.assignment())
        };
        debug!(group = %group.group_id, ?protocol, owned = owned.len(), "rejoining the group in the background");
        let g = group.clone();
        let join_topics = topics.clone();
        let api_timeout = self.inner.cfg.common.default_api_timeout;
        let wake = self.inner.wake.clone();
        let handle = crate::runtime::spawn(async move {
            if !to_commit.is_empty() {
                if let Err(e) = g.commit(&to_commit, Instant::now() + api_timeout).await {
                    warn!(error = %e, "commit before revoking partitions failed");
                }
            }
            let out = g
                .join(&join_topics, &owned, Instant::now() + api_timeout)
                .await;
            wake.notify_one();
            out
        });
        *self.join_slot() = Some(PendingJoin { handle, topics });
    }

    /// Applies a completed join: cooperative revokes only what moved (then rejoins, KIP-429),
    /// adds what is new, and calls the listener.
    fn complete_rebalance(
        &self,
        group: &Arc<Group>,
        topics: &BTreeSet<String>,
        outcome: JoinOutcome,
    ) {
        let new: BTreeSet<TopicPartition> = outcome.assignment.into_iter().collect();
        let (listener, current, subscribed, same_topics) = {
            let st = self.state();
            let current: BTreeSet<TopicPartition> = st.parts.keys().cloned().collect();
            let subscribed = !matches!(st.subscription, Subscription::Manual | Subscription::None);
            (
                st.listener.clone(),
                current,
                subscribed,
                st.topics == *topics,
            )
        };
        if !subscribed {
            return; // unsubscribed or switched to assign() meanwhile
        }
        let revoked: Vec<TopicPartition> = current.difference(&new).cloned().collect();
        let added: Vec<TopicPartition> = new.difference(&current).cloned().collect();
        if !revoked.is_empty() {
            // Cooperative: give up what moved, then rejoin so it can be handed over.
            let offsets = self.auto_commit_offsets(&revoked);
            if let Some(l) = &listener {
                l.on_partitions_revoked(&revoked);
            }
            let mut st = self.state();
            st.revoke_commit.extend(offsets);
            st.remove(&revoked);
            group.lock().needs_rejoin = true;
        }
        self.state().add(&added);
        if let Some(l) = &listener {
            l.on_partitions_assigned(&added);
        }
        if !same_topics {
            group.lock().needs_rejoin = true; // the subscription changed during the join
        }
        self.ensure_heartbeat(group);
    }

    /// The positions of `parts` to commit before giving them up (empty unless auto commit).
    fn auto_commit_offsets(
        &self,
        parts: &[TopicPartition],
    ) -> BTreeMap<TopicPartition, OffsetAndMetadata> {
        if !self.inner.cfg.consumer.enable_auto_commit {
            return BTreeMap::new();
        }
        self.state()
            .positions()
            .into_iter()
            .filter(|(tp, _)| parts.contains(tp))
            .map(|(tp, (o, e))| {
                (
                    tp,
                    OffsetAndMetadata {
                        offset: o,
                        metadata: String::new(),
                        leader_epoch: e,
                    },
                )
            })
            .collect()
    }

    fn join_slot(&self) -> std::sync::MutexGuard<'_, Option<PendingJoin>> {
        self.inner.join.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a background join is in flight.
    pub(crate) fn joining(&self) -> bool {
        self.join_slot().is_some()
    }

    /// Stops a background join (close) and waits until it is gone.
    pub(crate) async fn abort_join(&self) {
        let pending = self.join_slot().take();
        if let Some(p) = pending {
            p.handle.abort();
            let _ = p.handle.await;
        }
    }

    fn ensure_heartbeat(&self, group: &Arc<Group>) {
        let mut slot = self
            .inner
            .heartbeat
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if slot.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        *slot = Some(crate::runtime::spawn(heartbeat_loop(
            group.clone(),
            self.inner.cfg.consumer.max_poll_interval,
        )));
    }
}

/// Heartbeats every `heartbeat.interval.ms` while a member; leaves the group when poll was not
/// called within `max.poll.interval.ms` (the next poll rejoins, reporting the partitions lost).
async fn heartbeat_loop(group: Arc<Group>, max_poll_interval: Duration) {
    loop {
        tokio::time::sleep(group.heartbeat_interval).await;
        let (closed, generation, last_poll, joining) = {
            let s = group.lock();
            (s.closed, s.generation, s.last_poll, s.joining)
        };
        if closed {
            return;
        }
        if generation < 0 || joining {
            continue;
        }
        if last_poll.elapsed() > max_poll_interval {
            warn!(group = %group.group_id, "poll was not called within max.poll.interval.ms; leaving the group");
            if let Err(e) = group.leave("consumer poll timeout has expired").await {
                debug!(error = %e, "LeaveGroup after poll timeout failed");
            }
            group.lock().lost = true;
            continue;
        }
        if let Err(e) = group.heartbeat().await {
            debug!(group = %group.group_id, error = %e, "heartbeat failed");
        }
    }
}
