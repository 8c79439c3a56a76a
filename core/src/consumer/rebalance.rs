//! Group rebalances for [`Consumer`]: deciding to (re)join, revoking (eager: everything before
//! joining; cooperative: only what moved, then rejoining), calling the listener, and the
//! background heartbeat task that also enforces `max.poll.interval.ms`.
//!
//! It must not build protocol messages (that is [`super::group`]).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::assignor::RebalanceProtocol;
use super::group::Group;
use super::state::Subscription;
use super::{Consumer, DEFAULT_API_TIMEOUT};
use crate::error::Result;
use crate::types::TopicPartition;

impl Consumer {
    /// Resolves a pattern subscription against cluster metadata (every `metadata.max.age.ms`
    /// or after subscribing); flags a rejoin when the topic set changed.
    async fn refresh_pattern(&self, group: &Group) -> Result<()> {
        let (re, checked) = {
            let st = self.state();
            let Subscription::Pattern(re) = &st.subscription else {
                return Ok(());
            };
            (re.clone(), st.pattern_checked)
        };
        let age = self.inner.cfg.common.metadata_max_age;
        if checked.is_some_and(|t| t.elapsed() < age) {
            return Ok(());
        }
        let md = self.inner.cluster.fetch_metadata(None).await?;
        let topics: BTreeSet<String> = md
            .topics
            .iter()
            .filter(|t| !t.is_internal && t.error_code == 0)
            .filter_map(|t| t.name.as_ref().map(|n| n.0.to_string()))
            .filter(|n| re.is_match(n))
            .collect();
        let mut st = self.state();
        st.pattern_checked = Some(Instant::now());
        if st.topics != topics {
            self.inner.cluster.add_topics(topics.iter().cloned());
            st.topics = topics;
            group.lock().needs_rejoin = true;
        }
        Ok(())
    }

    /// Runs a rebalance when the subscription changed or the group asked for one.
    pub(crate) async fn maybe_rebalance(&self) -> Result<()> {
        let Some(group) = self.inner.group.clone() else {
            return Ok(());
        };
        if matches!(
            self.state().subscription,
            Subscription::Manual | Subscription::None
        ) {
            return Ok(());
        }
        self.refresh_pattern(&group).await?;
        let (needs, lost) = {
            let s = group.lock();
            (s.needs_rejoin || s.generation < 0, s.lost)
        };
        if !needs {
            return Ok(());
        }
        let protocol = group.rebalance_protocol();
        let (listener, current) = {
            let st = self.state();
            (st.listener.clone(), st.assignment())
        };
        if lost && !current.is_empty() {
            info!(
                partitions = current.len(),
                "partitions lost: the group moved on without this member"
            );
            if let Some(l) = &listener {
                l.on_partitions_lost(&current);
            }
            self.state().parts.clear();
        } else if protocol == RebalanceProtocol::Eager && !current.is_empty() {
            self.commit_before_revoke(&current).await;
            if let Some(l) = &listener {
                l.on_partitions_revoked(&current);
            }
            self.state().parts.clear();
        }
        let (topics, owned) = {
            let st = self.state();
            (st.topics.clone(), st.assignment())
        };
        let outcome = group
            .join(&topics, &owned, Instant::now() + DEFAULT_API_TIMEOUT)
            .await?;
        let new: BTreeSet<TopicPartition> = outcome.assignment.into_iter().collect();
        let owned_set: BTreeSet<TopicPartition> = owned.iter().cloned().collect();
        let revoked: Vec<TopicPartition> = owned_set.difference(&new).cloned().collect();
        let added: Vec<TopicPartition> = new.difference(&owned_set).cloned().collect();
        if !revoked.is_empty() {
            // Cooperative: give up what moved, then rejoin so it can be handed over.
            self.commit_before_revoke(&revoked).await;
            if let Some(l) = &listener {
                l.on_partitions_revoked(&revoked);
            }
            self.state().remove(&revoked);
            group.lock().needs_rejoin = true;
        }
        self.state().add(&added);
        if let Some(l) = &listener {
            l.on_partitions_assigned(&added);
        }
        self.ensure_heartbeat(&group);
        Ok(())
    }

    async fn commit_before_revoke(&self, parts: &[TopicPartition]) {
        if !self.inner.cfg.consumer.enable_auto_commit {
            return;
        }
        let offsets = self
            .state()
            .positions()
            .into_iter()
            .filter(|(tp, _)| parts.contains(tp))
            .map(|(tp, (o, e))| {
                (
                    tp,
                    super::OffsetAndMetadata {
                        offset: o,
                        metadata: String::new(),
                        leader_epoch: e,
                    },
                )
            })
            .collect();
        if let Err(e) = self
            .commit(offsets, Instant::now() + DEFAULT_API_TIMEOUT)
            .await
        {
            warn!(error = %e, "commit before revoking partitions failed");
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
