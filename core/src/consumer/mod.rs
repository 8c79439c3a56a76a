//! The consumer: subscribe or assign, poll records, manage offsets.
//!
//! Owns the public [`Consumer`] API, shaped for every binding (kafkajs eachBatch/eachMessage,
//! kafka-python and Java poll): `poll` drives the group protocol without waiting for it (the
//! join runs in the background, see [`rebalance`]) and returns within its timeout,
//! resets positions (committed offset, else `auto.offset.reset`), hands out buffered records up
//! to `max.poll.records` and keeps one fetch per leader in flight (prefetch, [`fetcher`]).
//! Group requests live in [`group`], ListOffsets in [`offsets`].

pub mod assignor;
pub mod coordinator;
pub mod fetcher;
pub mod group;
pub mod listener;
pub mod metrics;
pub mod offsets;
mod positions;
mod rebalance;
pub mod record;
pub mod state;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use regex::Regex;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cluster::Cluster;
use crate::config::ClientConfig;
use crate::connection::{Connector, TcpConnector};
use crate::error::{Error, ErrorKind, Result};
use crate::types::TopicPartition;
use fetcher::FetchResult;
use group::Group;
pub use listener::RebalanceListener;
pub use metrics::ConsumerMetrics;
use metrics::Metrics;
pub use record::{ConsumerRecord, OffsetAndMetadata, OffsetAndTimestamp, TimestampType};
use state::{State, Subscription};

/// Java's `default.api.timeout.ms` default: the bound for blocking offset and group calls.
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_millis(60_000);

pub(crate) struct Inner {
    pub(crate) cluster: Cluster,
    pub(crate) cfg: ClientConfig,
    pub(crate) group: Option<Arc<Group>>,
    pub(crate) state: Mutex<State>,
    pub(crate) results_tx: mpsc::UnboundedSender<FetchResult>,
    pub(crate) results_rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<FetchResult>>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) heartbeat: Mutex<Option<JoinHandle<()>>>,
    /// The background JoinGroup/SyncGroup round trip, while one is in flight.
    pub(crate) join: Mutex<Option<rebalance::PendingJoin>>,
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
        let cluster = Cluster::new(config.clone(), connector.clone(), false)?;
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
                cfg: config,
                group,
                state: Mutex::new(State::default()),
                results_tx: tx,
                results_rx: tokio::sync::Mutex::new(rx),
                metrics: Arc::new(Metrics::default()),
                heartbeat: Mutex::new(None),
                join: Mutex::new(None),
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
        let re = Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| Error::config(format!("invalid subscription pattern {pattern:?}: {e}")))?;
        self.subscribe_inner(Subscription::Pattern(re), None)
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
        if listener.is_some() {
            st.listener = listener;
        }
        group.lock().needs_rejoin = true;
        Ok(())
    }

    /// Drops the subscription or manual assignment.
    pub fn unsubscribe(&self) {
        let mut st = self.state();
        st.subscription = Subscription::None;
        st.topics.clear();
        st.parts.clear();
        if let Some(g) = &self.inner.group {
            g.lock().needs_rejoin = true;
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
        self.ensure_open()?;
        let deadline = Instant::now() + timeout;
        if let Some(g) = &self.inner.group {
            g.lock().last_poll = Instant::now();
        }
        let mut rx = self.inner.results_rx.lock().await;
        loop {
            self.maybe_rebalance().await?;
            self.maybe_auto_commit().await;
            self.reset_positions(Instant::now() + DEFAULT_API_TIMEOUT)
                .await?;
            while let Ok(r) = rx.try_recv() {
                self.apply_fetch(r)?;
            }
            let records = self
                .state()
                .take_records(self.inner.cfg.consumer.max_poll_records);
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
            // Short waits so a rebalance the heartbeat task flagged is handled promptly.
            let wait = (deadline - now).min(Duration::from_millis(100));
            if let Ok(Some(r)) = tokio::time::timeout(wait, rx.recv()).await {
                self.apply_fetch(r)?;
            }
        }
    }

    /// Commits `offsets`, or every current position when `None`; waits for the broker.
    pub async fn commit_sync(
        &self,
        offsets: Option<BTreeMap<TopicPartition, OffsetAndMetadata>>,
    ) -> Result<()> {
        let offsets = offsets.unwrap_or_else(|| self.current_offsets());
        self.commit(offsets, Instant::now() + DEFAULT_API_TIMEOUT)
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
            me.commit(offsets, Instant::now() + DEFAULT_API_TIMEOUT)
                .await
        })
    }

    fn current_offsets(&self) -> BTreeMap<TopicPartition, OffsetAndMetadata> {
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
            group::commit_offsets(
                &self.inner.cluster,
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

    /// The last committed offsets of `partitions` in this consumer's group.
    pub async fn committed(
        &self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        let group = self.require_group("committed")?;
        group::fetch_committed(
            &self.inner.cluster,
            &group.group_id,
            Some(partitions),
            Instant::now() + DEFAULT_API_TIMEOUT,
            Some(&group.state),
        )
        .await
    }

    /// The offset of the next record to be returned for `tp` (resolving it if unknown).
    pub async fn position(&self, tp: &TopicPartition) -> Result<i64> {
        if !self.state().parts.contains_key(tp) {
            return Err(Error::new(
                ErrorKind::UnknownTopicOrPartition,
                format!("{tp} is not assigned to this consumer"),
            ));
        }
        self.reset_positions(Instant::now() + DEFAULT_API_TIMEOUT)
            .await?;
        self.state()
            .parts
            .get(tp)
            .and_then(|p| p.position)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Timeout,
                    format!("position of {tp} could not be resolved"),
                )
            })
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

    /// Seeks `partitions` to their log start offsets.
    pub async fn seek_to_beginning(&self, partitions: &[TopicPartition]) -> Result<()> {
        self.seek_to(partitions, offsets::EARLIEST).await
    }

    /// Seeks `partitions` to their log end offsets.
    pub async fn seek_to_end(&self, partitions: &[TopicPartition]) -> Result<()> {
        self.seek_to(partitions, offsets::LATEST).await
    }

    async fn seek_to(&self, partitions: &[TopicPartition], spec: i64) -> Result<()> {
        let q: BTreeMap<TopicPartition, i64> =
            partitions.iter().map(|tp| (tp.clone(), spec)).collect();
        let found = offsets::list_offsets(
            &self.inner.cluster,
            &q,
            self.isolation(),
            Instant::now() + DEFAULT_API_TIMEOUT,
        )
        .await?;
        for (tp, o) in found {
            self.seek(&tp, o.offset)?;
        }
        Ok(())
    }

    pub(crate) fn isolation(&self) -> i8 {
        match self.inner.cfg.consumer.isolation_level {
            crate::config::IsolationLevel::ReadUncommitted => 0,
            crate::config::IsolationLevel::ReadCommitted => 1,
        }
    }

    /// For each partition, the earliest offset whose timestamp is at or after the given one
    /// (`None` when there is no such record).
    pub async fn offsets_for_times(
        &self,
        query: &BTreeMap<TopicPartition, i64>,
    ) -> Result<HashMap<TopicPartition, Option<OffsetAndTimestamp>>> {
        let found = offsets::list_offsets(
            &self.inner.cluster,
            query,
            self.isolation(),
            Instant::now() + DEFAULT_API_TIMEOUT,
        )
        .await?;
        Ok(found
            .into_iter()
            .map(|(tp, o)| {
                let v = (o.offset >= 0).then_some(OffsetAndTimestamp {
                    offset: o.offset,
                    timestamp: o.timestamp,
                    leader_epoch: o.leader_epoch,
                });
                (tp, v)
            })
            .collect())
    }

    /// Log start offsets of `partitions`.
    pub async fn beginning_offsets(
        &self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, i64>> {
        self.list(partitions, offsets::EARLIEST).await
    }

    /// Log end offsets (high watermarks) of `partitions`.
    pub async fn end_offsets(
        &self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, i64>> {
        self.list(partitions, offsets::LATEST).await
    }

    async fn list(
        &self,
        partitions: &[TopicPartition],
        spec: i64,
    ) -> Result<HashMap<TopicPartition, i64>> {
        let q: BTreeMap<TopicPartition, i64> =
            partitions.iter().map(|tp| (tp.clone(), spec)).collect();
        let found = offsets::list_offsets(
            &self.inner.cluster,
            &q,
            self.isolation(),
            Instant::now() + DEFAULT_API_TIMEOUT,
        )
        .await?;
        Ok(found.into_iter().map(|(tp, o)| (tp, o.offset)).collect())
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
        self.inner.metrics.snapshot()
    }

    /// The member id in the group (empty before joining).
    pub fn member_id(&self) -> String {
        self.inner
            .group
            .as_ref()
            .map(|g| g.lock().member_id.clone())
            .unwrap_or_default()
    }

    /// The group generation this member joined (`-1` before joining).
    pub fn generation(&self) -> i32 {
        self.inner
            .group
            .as_ref()
            .map_or(-1, |g| g.lock().generation)
    }

    /// Commits (when `enable.auto.commit`), revokes, leaves the group and closes connections.
    pub async fn close(&self) -> Result<()> {
        if self.state().closed {
            return Ok(());
        }
        self.abort_join().await;
        let mut result = Ok(());
        let subscribed = !matches!(
            self.state().subscription,
            Subscription::Manual | Subscription::None
        );
        if self.inner.cfg.consumer.enable_auto_commit && self.inner.group.is_some() {
            let offsets = self.current_offsets();
            if let Err(e) = self
                .commit(offsets, Instant::now() + DEFAULT_API_TIMEOUT)
                .await
            {
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
            if let Some(g) = &self.inner.group {
                if let Err(e) = g.leave("the consumer is being closed").await {
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
