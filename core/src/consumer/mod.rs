//! The consumer: subscribe or assign, poll records, manage offsets.
//!
//! Owns the public [`Consumer`] API, shaped for every binding (kafkajs eachBatch/eachMessage,
//! kafka-python and Java poll). `poll` returns within its timeout: it never waits for the
//! network itself. The group join ([`rebalance`]), a pattern subscription's metadata lookup
//! and position resets (`reset`) run as background tasks whose results a later poll applies;
//! poll hands out buffered records up to `max.poll.records` and keeps one fetch per leader in
//! flight (prefetch, [`fetcher`]). Blocking lookups (`lookups`) are bounded by
//! `default.api.timeout.ms`. Group requests live in [`group`], ListOffsets in [`offsets`].

pub mod assignor;
mod background;
mod brokers;
pub mod fetch_session;
pub mod fetcher;
pub mod group;
pub mod listener;
mod lookups;
mod membership;
pub mod metrics;
mod positions;
mod rebalance;
pub mod record;
mod reset;
pub mod state;
mod watermarks;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regex::Regex;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cluster::Cluster;
use crate::config::ClientConfig;
use crate::connection::{Connector, TcpConnector};
use crate::error::{Error, ErrorKind, Result};
use crate::types::TopicPartition;
use fetcher::FetchEvent;
use group::Group;
pub use listener::RebalanceListener;
pub use metrics::ConsumerMetrics;
use metrics::Metrics;
pub use record::{
    BatchHeader, ConsumerRecord, OffsetAndMetadata, OffsetAndTimestamp, TimestampType,
};
use state::{State, Subscription};

/// What `close` does about the group membership (Java's
/// `CloseOptions.GroupMembershipOperation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloseMembership {
    /// Dynamic members leave; static members stay until their session times out.
    #[default]
    Default,
    /// Leave the group, a static member too.
    Leave,
    /// Stay: the group rebalances when the session times out.
    Remain,
}

pub(crate) struct Inner {
    pub(crate) cluster: Cluster,
    pub(crate) cfg: ClientConfig,
    pub(crate) group: Option<Arc<Group>>,
    pub(crate) state: Mutex<State>,
    pub(crate) results_tx: mpsc::UnboundedSender<FetchEvent>,
    pub(crate) results_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<FetchEvent>>,
    pub(crate) metrics: Arc<Metrics>,
    /// One incremental fetch session (KIP-227) per broker.
    pub(crate) fetch_sessions: Arc<fetch_session::FetchSessions>,
    pub(crate) heartbeat: Mutex<Option<JoinHandle<()>>>,
    /// The LeaveGroup `unsubscribe` sent in the background; `close` waits for it.
    pub(crate) leaving: Mutex<Option<JoinHandle<()>>>,
    /// The background JoinGroup/SyncGroup round trip, while one is in flight.
    pub(crate) join: Mutex<Option<rebalance::PendingJoin>>,
    /// The background position lookup (committed offsets, then ListOffsets).
    pub(crate) reset: background::Slot<Result<reset::Found>>,
    /// The background metadata lookup of a pattern subscription, tagged with the pattern.
    pub(crate) pattern: background::Slot<Result<BTreeSet<String>>, String>,
    /// Notified when background work finishes, so a waiting poll applies it at once.
    pub(crate) wake: Arc<Notify>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(h) = self
            .heartbeat
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            h.abort();
        }
        if let Some(j) = self.join.lock().unwrap_or_else(|p| p.into_inner()).take() {
            j.abort();
        }
        self.reset.abort();
        self.pattern.abort();
    }
}

/// A Kafka consumer. Cheap to clone; clones share one membership and one set of positions.
#[derive(Clone)]
pub struct Consumer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("group", &self.inner.cfg.consumer.group_id)
            .finish()
    }
}

impl Consumer {
    /// Creates a consumer; it connects lazily on first use.
    pub fn new(config: ClientConfig) -> Result<Consumer> {
        Consumer::with_connector(config, Arc::new(TcpConnector))
    }

    /// Creates a consumer with a custom transport (TLS, test fakes).
    pub fn with_connector(config: ClientConfig, connector: Arc<dyn Connector>) -> Result<Consumer> {
        let _rt = crate::runtime::handle().enter();
        let auto_create = config.common.allow_auto_create_topics.unwrap_or(false);
        let cluster = Cluster::new(config.clone(), connector.clone(), auto_create)?;
        let c = &config.consumer;
        if c.heartbeat_interval >= c.session_timeout {
            return Err(Error::config(
                "`heartbeat.interval.ms` must be lower than `session.timeout.ms`",
            ));
        }
        let group = match &c.group_id {
            Some(g) => {
                let mut assignors = Vec::new();
                for name in &c.partition_assignment_strategy {
                    assignors.push(assignor::by_name(name).ok_or_else(|| {
                        Error::config(format!(
                            "unknown assignor `{name}` in `partition.assignment.strategy`"
                        ))
                    })?);
                }
                Some(Arc::new(Group::new(
                    cluster.clone(),
                    g.clone(),
                    assignors,
                    connector.clone(),
                )))
            }
            None => None,
        };
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(Consumer {
            inner: Arc::new(Inner {
                cluster,
                cfg: config.clone(),
                group,
                state: Mutex::new(State::default()),
                results_tx: tx,
                results_rx: tokio::sync::Mutex::new(rx),
                metrics: Arc::new(Metrics::new(config.metric_samples())),
                fetch_sessions: Arc::default(),
                heartbeat: Mutex::new(None),
                leaving: Mutex::new(None),
                join: Mutex::new(None),
                reset: background::Slot::default(),
                pattern: background::Slot::default(),
                wake: Arc::new(Notify::new()),
            }),
        })
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn require_group(&self, what: &str) -> Result<Arc<Group>> {
        self.inner.group.clone().ok_or_else(|| {
            Error::config(format!(
                "{what} needs `group.id`; set it in the consumer configuration"
            ))
        })
    }

    fn ensure_open(&self) -> Result<()> {
        if self.state().closed {
            return Err(Error::new(
                ErrorKind::Closed,
                "the consumer is closed; create a new one",
            ));
        }
        Ok(())
    }

    /// Subscribes to `topics` (replacing any subscription); partitions come from the group.
    pub fn subscribe(&self, topics: &[&str]) -> Result<()> {
        self.subscribe_inner(
            Subscription::Topics(topics.iter().map(|t| t.to_string()).collect()),
            None,
        )
    }

    /// Like [`subscribe`](Self::subscribe), with rebalance callbacks.
    pub fn subscribe_with_listener(
        &self,
        topics: &[&str],
        listener: Arc<dyn RebalanceListener>,
    ) -> Result<()> {
        self.subscribe_inner(
            Subscription::Topics(topics.iter().map(|t| t.to_string()).collect()),
            Some(listener),
        )
    }

    /// Subscribes to every topic whose whole name matches `pattern` (Java's `Pattern` rules
    /// for the common subset); new matching topics join on the next metadata check.
    pub fn subscribe_pattern(&self, pattern: &str) -> Result<()> {
        self.subscribe_inner(Subscription::Pattern(whole_name_regex(pattern)?), None)
    }

    /// Like [`subscribe_pattern`](Self::subscribe_pattern), with rebalance callbacks.
    pub fn subscribe_pattern_with_listener(
        &self,
        pattern: &str,
        listener: Arc<dyn RebalanceListener>,
    ) -> Result<()> {
        let re = whole_name_regex(pattern)?;
        self.subscribe_inner(Subscription::Pattern(re), Some(listener))
    }

    /// Makes the next poll rejoin the group (Java's `enforceRebalance`); a no-op without a
    /// subscription.
    pub fn enforce_rebalance(&self) {
        let subscribed = !matches!(
            self.state().subscription,
            Subscription::Manual | Subscription::None
        );
        if let (true, Some(g)) = (subscribed, &self.inner.group) {
            g.lock().needs_rejoin = true;
        }
    }

    fn subscribe_inner(
        &self,
        sub: Subscription,
        listener: Option<Arc<dyn RebalanceListener>>,
    ) -> Result<()> {
        self.ensure_open()?;
        let group = self.require_group("subscribe")?;
        let mut st = self.state();
        if matches!(st.subscription, Subscription::Manual) {
            st.parts.clear();
        }
        if let Subscription::Topics(t) = &sub {
            st.topics = t.clone();
            self.inner.cluster.add_topics(t.iter().cloned());
        }
        st.subscription = sub;
        st.pattern_checked = None;
        st.pattern_retry_at = None;
        self.inner.pattern.abort(); // a lookup for the previous pattern
        if listener.is_some() {
            st.listener = listener;
        }
        group.lock().needs_rejoin = true;
        Ok(())
    }

    /// Drops the subscription or manual assignment. A group member leaves the group (the
    /// LeaveGroup goes out in the background; `close` waits for it), as Java's and
    /// kafka-python's `unsubscribe` do, so the rest of the group rebalances at once instead of
    /// after a session timeout. The rebalance listener is not called: Java calls
    /// `onPartitionsRevoked` here and kafka-python does not, so each binding does as its
    /// library does.
    pub fn unsubscribe(&self) {
        let subscribed = {
            let mut st = self.state();
            let subscribed = !matches!(st.subscription, Subscription::Manual | Subscription::None);
            st.subscription = Subscription::None;
            st.topics.clear();
            st.parts.clear();
            subscribed
        };
        let Some(g) = &self.inner.group else { return };
        let member_id = g.forget_member();
        if subscribed && !member_id.is_empty() {
            let g = g.clone();
            let leaving = crate::runtime().spawn(async move {
                let reason = "the consumer unsubscribed from all topics";
                if let Err(e) = g.send_leave(member_id, reason, false).await {
                    tracing::debug!(error = %e, "LeaveGroup after unsubscribe failed");
                }
            });
            *self.inner.leaving.lock().unwrap_or_else(|p| p.into_inner()) = Some(leaving);
        }
    }

    /// Reads exactly `partitions`, without group membership (commits still use `group.id`).
    pub fn assign(&self, partitions: Vec<TopicPartition>) -> Result<()> {
        self.ensure_open()?;
        let mut st = self.state();
        st.subscription = Subscription::Manual;
        let keep: BTreeSet<TopicPartition> = partitions.iter().cloned().collect();
        st.parts.retain(|tp, _| keep.contains(tp));
        st.add(&partitions);
        st.topics = partitions.iter().map(|tp| tp.topic.to_string()).collect();
        self.inner.cluster.add_topics(st.topics.iter().cloned());
        Ok(())
    }

    /// The partitions currently assigned to this consumer.
    pub fn assignment(&self) -> Vec<TopicPartition> {
        self.state().assignment()
    }

    /// The topics of the current subscription (resolved pattern included).
    pub fn subscription(&self) -> Vec<String> {
        self.state().topics.iter().cloned().collect()
    }

    /// Waits up to `timeout` for records; returns at most `max.poll.records`, possibly none.
    ///
    /// A rebalance never holds poll past its timeout: the join runs in the background; with a
    /// cooperative assignor the partitions kept keep delivering records meanwhile (eager: all
    /// partitions are revoked first, so poll returns empty until the new assignment arrives).
    /// Rebalance callbacks run inside poll, on the caller's task.
    pub async fn poll(&self, timeout: Duration) -> Result<Vec<ConsumerRecord>> {
        self.poll_within(
            timeout,
            self.inner.cfg.consumer.max_poll_records,
            usize::MAX,
        )
        .await
    }

    /// [`poll`](Self::poll) returning at most `max_records` records and about `max_bytes` of
    /// them (keys, values and headers plus a fixed per-record overhead), at least one record
    /// when any is ready. A binding that hands whole batches to a slower thread bounds a poll
    /// this way so it never drains the prefetch buffer: the next fetch is then already on its
    /// way while the caller works through the batch.
    pub async fn poll_within(
        &self,
        timeout: Duration,
        max_records: usize,
        max_bytes: usize,
    ) -> Result<Vec<ConsumerRecord>> {
        self.ensure_open()?;
        let deadline = Instant::now() + timeout;
        if let Some(g) = &self.inner.group {
            g.lock().last_poll = Instant::now();
        }
        // Another clone polling concurrently holds the receiver: wait for it, within bounds.
        let Ok(mut rx) = tokio::time::timeout_at(deadline, self.inner.results_rx.lock()).await
        else {
            return Ok(Vec::new());
        };
        loop {
            self.maybe_rebalance().await?;
            self.maybe_auto_commit().await;
            self.drive_reset().await?;
            while let Ok(r) = rx.try_recv() {
                self.apply_fetch(r)?;
            }
            let records = self
                .state()
                .take_records_within(max_records.max(1), max_bytes);
            self.send_fetches();
            if !records.is_empty() {
                let bytes = records
                    .iter()
                    .map(|r| r.value.as_ref().map_or(0, |v| v.len()))
                    .sum();
                self.inner.metrics.on_records(records.len(), bytes);
                return Ok(records);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            // Short waits so a rebalance the heartbeat task flagged is handled promptly;
            // finished background work (join, reset, pattern lookup) wakes us at once.
            let wait = (deadline - now).min(Duration::from_millis(100));
            tokio::select! {
                r = rx.recv() => {
                    if let Some(r) = r {
                        self.apply_fetch(r)?;
                    }
                }
                _ = self.inner.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Commits `offsets`, or every current position when `None`; waits for the broker.
    pub async fn commit_sync(
        &self,
        offsets: Option<BTreeMap<TopicPartition, OffsetAndMetadata>>,
    ) -> Result<()> {
        let offsets = offsets.unwrap_or_else(|| self.current_offsets());
        let deadline = self.api_deadline();
        lookups::bounded(
            deadline,
            "committing offsets",
            self.commit(offsets, deadline),
        )
        .await
    }

    /// [`commit_sync`](Self::commit_sync) bounded by `timeout`.
    pub async fn commit_sync_with_timeout(
        &self,
        offsets: Option<BTreeMap<TopicPartition, OffsetAndMetadata>>,
        timeout: Duration,
    ) -> Result<()> {
        let offsets = offsets.unwrap_or_else(|| self.current_offsets());
        let deadline = Instant::now() + timeout;
        lookups::bounded(
            deadline,
            "committing offsets",
            self.commit(offsets, deadline),
        )
        .await
    }

    /// Commits in the background; the handle resolves with the outcome.
    pub fn commit_async(
        &self,
        offsets: Option<BTreeMap<TopicPartition, OffsetAndMetadata>>,
    ) -> JoinHandle<Result<()>> {
        let offsets = offsets.unwrap_or_else(|| self.current_offsets());
        let me = self.clone();
        crate::runtime::spawn(async move {
            let deadline = me.api_deadline();
            lookups::bounded(deadline, "committing offsets", me.commit(offsets, deadline)).await
        })
    }

    /// What a commit without explicit offsets commits: each assigned partition's position
    /// (Java's `allConsumed()`), with no metadata.
    pub fn current_offsets(&self) -> BTreeMap<TopicPartition, OffsetAndMetadata> {
        self.state()
            .positions()
            .into_iter()
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

    pub(crate) async fn commit(
        &self,
        offsets: BTreeMap<TopicPartition, OffsetAndMetadata>,
        deadline: Instant,
    ) -> Result<()> {
        let group = self.require_group("committing offsets")?;
        let manual = matches!(self.state().subscription, Subscription::Manual);
        if manual {
            let inst = group.instance_id.clone();
            group::commit_offsets_via(
                &self.inner.cluster,
                |d| group.coordinator(d),
                &group.group_id,
                "",
                -1,
                inst.as_deref(),
                &offsets,
                deadline,
                Some(&group.state),
            )
            .await
        } else {
            group.commit(&offsets, deadline).await
        }
    }

    /// Makes the next poll return records of `tp` from `offset`.
    pub fn seek(&self, tp: &TopicPartition, offset: i64) -> Result<()> {
        let mut st = self.state();
        let p = st.parts.get_mut(tp).ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownTopicOrPartition,
                format!("cannot seek {tp}: it is not assigned to this consumer"),
            )
        })?;
        p.seek(Some(offset));
        Ok(())
    }

    pub(crate) fn isolation(&self) -> i8 {
        match self.inner.cfg.consumer.isolation_level {
            crate::config::IsolationLevel::ReadUncommitted => 0,
            crate::config::IsolationLevel::ReadCommitted => 1,
        }
    }

    /// Stops returning records of `partitions` (still assigned; buffered records are kept).
    pub fn pause(&self, partitions: &[TopicPartition]) {
        let mut st = self.state();
        for tp in partitions {
            if let Some(p) = st.parts.get_mut(tp) {
                p.paused = true;
            }
        }
    }

    /// Resumes paused partitions.
    pub fn resume(&self, partitions: &[TopicPartition]) {
        let mut st = self.state();
        for tp in partitions {
            if let Some(p) = st.parts.get_mut(tp) {
                p.paused = false;
            }
        }
    }

    /// The paused partitions.
    pub fn paused(&self) -> Vec<TopicPartition> {
        self.state()
            .parts
            .iter()
            .filter(|(_, p)| p.paused)
            .map(|(tp, _)| tp.clone())
            .collect()
    }

    /// Metrics with Kafka's names.
    pub fn metrics(&self) -> ConsumerMetrics {
        self.inner
            .metrics
            .snapshot(self.inner.cluster.auth_metrics())
    }

    /// Commits (when `enable.auto.commit`), revokes, leaves the group and closes connections.
    /// The commit and the LeaveGroup are bounded by `default.api.timeout.ms`; connections are
    /// closed either way.
    pub async fn close(&self) -> Result<()> {
        self.close_with_timeout(self.inner.cfg.common.default_api_timeout)
            .await
    }

    /// [`close`](Self::close) with the commit and LeaveGroup bounded by `timeout`.
    pub async fn close_with_timeout(&self, timeout: Duration) -> Result<()> {
        self.close_with(timeout, CloseMembership::Default).await
    }

    /// [`close_with_timeout`](Self::close_with_timeout), choosing what happens to the group
    /// membership (Java's `CloseOptions`).
    pub async fn close_with(&self, timeout: Duration, membership: CloseMembership) -> Result<()> {
        if self.state().closed {
            return Ok(());
        }
        let deadline = Instant::now() + timeout;
        self.abort_join().await;
        self.inner.reset.abort();
        self.inner.pattern.abort();
        let mut result = Ok(());
        let subscribed = !matches!(
            self.state().subscription,
            Subscription::Manual | Subscription::None
        );
        if self.inner.cfg.consumer.enable_auto_commit && self.inner.group.is_some() {
            let offsets = self.current_offsets();
            let commit = self.commit(offsets, deadline);
            if let Err(e) = lookups::bounded(deadline, "committing offsets", commit).await {
                result = Err(e);
            }
        }
        if subscribed {
            let (listener, parts) = {
                let st = self.state();
                (st.listener.clone(), st.assignment())
            };
            if let Some(l) = listener {
                l.on_partitions_revoked(&parts);
            }
        }
        // Leave whenever the group still knows this member, subscribed or not: spring-kafka's
        // listener containers call unsubscribe() and then close(), and a member that only stops
        // heartbeating holds up the next join of its group for a whole session timeout.
        // (`leave` is a no-op without a member id, and for static members.)
        let unsubscribed = self
            .inner
            .leaving
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(pending) = unsubscribed {
            let done = async {
                pending
                    .await
                    .map_err(|e| Error::internal(format!("the LeaveGroup task failed: {e}")))
            };
            if let Err(e) = lookups::bounded(deadline, "leaving the group", done).await {
                tracing::warn!(error = %e, "leaving the group failed");
            }
        }
        if let Some(g) = &self.inner.group {
            let member_id = g.forget_member();
            let reason = "the consumer is being closed";
            let leave = match membership {
                CloseMembership::Default => Some(g.send_leave(member_id, reason, false)),
                CloseMembership::Leave => Some(g.send_leave(member_id, reason, true)),
                CloseMembership::Remain => None,
            };
            if let Some(leave) = leave {
                if let Err(e) = lookups::bounded(deadline, "leaving the group", leave).await {
                    tracing::warn!(error = %e, "leaving the group failed");
                }
            }
        }
        if let Some(h) = self
            .inner
            .heartbeat
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            h.abort();
        }
        if let Some(g) = &self.inner.group {
            g.lock().closed = true;
            g.close_connection().await;
        }
        {
            let mut st = self.state();
            st.closed = true;
            st.parts.clear();
        }
        self.inner.cluster.close();
        result
    }
}

/// A subscription pattern matched against whole topic names, as Java's `Pattern.matches`.
fn whole_name_regex(pattern: &str) -> Result<Regex> {
    Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|e| Error::config(format!("invalid subscription pattern {pattern:?}: {e}")))
}
