//! The consumer's blocking lookups: committed offsets, positions, offsets by time, log start
//! and end offsets, seeking to either end, and the topics of the cluster (internal ones on
//! request).
//!
//! Each call without a timeout is bounded by `default.api.timeout.ms`, as in Java; each has a
//! `_with_timeout` twin for Java's `Duration` overloads. A call that runs out of time is an
//! [`ErrorKind::Timeout`] error. It must not change positions except through `seek`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use tokio::time::Instant;
use tracing::debug;

use super::{group, Consumer, OffsetAndMetadata, OffsetAndTimestamp};
use crate::error::{Error, ErrorKind, Result};
use crate::requests::offsets;
use crate::types::PartitionInfo;
use crate::types::TopicPartition;

impl Consumer {
    /// Now plus `default.api.timeout.ms`: the deadline of a blocking call given no timeout.
    pub(crate) fn api_deadline(&self) -> Instant {
        Instant::now() + self.inner.cfg.common.default_api_timeout
    }

    /// The last committed offsets of `partitions` in this consumer's group.
    pub async fn committed(
        &self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        self.committed_until(partitions, self.api_deadline()).await
    }

    /// [`committed`](Self::committed) bounded by `timeout`.
    pub async fn committed_with_timeout(
        &self,
        partitions: &[TopicPartition],
        timeout: Duration,
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        self.committed_until(partitions, Instant::now() + timeout)
            .await
    }

    async fn committed_until(
        &self,
        partitions: &[TopicPartition],
        deadline: Instant,
    ) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
        let group = self.require_group("committed")?;
        bounded(
            deadline,
            "fetching committed offsets",
            group::fetch_committed_via(
                &self.inner.cluster,
                |d| group.coordinator(d),
                &group.group_id,
                Some(partitions),
                deadline,
                Some(&group.state),
            ),
        )
        .await
    }

    /// The offset of the next record to be returned for `tp` (resolving it if unknown).
    pub async fn position(&self, tp: &TopicPartition) -> Result<i64> {
        self.wait_position(tp, self.api_deadline()).await
    }

    /// [`position`](Self::position) bounded by `timeout`.
    pub async fn position_with_timeout(
        &self,
        tp: &TopicPartition,
        timeout: Duration,
    ) -> Result<i64> {
        self.wait_position(tp, Instant::now() + timeout).await
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
        let found = self.list(partitions, spec, self.api_deadline()).await?;
        for (tp, o) in found {
            self.seek(&tp, o)?;
        }
        Ok(())
    }

    /// For each partition, the earliest offset whose timestamp is at or after the given one
    /// (`None` when there is no such record).
    pub async fn offsets_for_times(
        &self,
        query: &BTreeMap<TopicPartition, i64>,
    ) -> Result<HashMap<TopicPartition, Option<OffsetAndTimestamp>>> {
        self.offsets_for_times_until(query, self.api_deadline())
            .await
    }

    /// [`offsets_for_times`](Self::offsets_for_times) bounded by `timeout`.
    pub async fn offsets_for_times_with_timeout(
        &self,
        query: &BTreeMap<TopicPartition, i64>,
        timeout: Duration,
    ) -> Result<HashMap<TopicPartition, Option<OffsetAndTimestamp>>> {
        self.offsets_for_times_until(query, Instant::now() + timeout)
            .await
    }

    async fn offsets_for_times_until(
        &self,
        query: &BTreeMap<TopicPartition, i64>,
        deadline: Instant,
    ) -> Result<HashMap<TopicPartition, Option<OffsetAndTimestamp>>> {
        let found = bounded(
            deadline,
            "listing offsets",
            offsets::list_offsets(&self.inner.cluster, query, self.isolation(), deadline),
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
        self.list(partitions, offsets::EARLIEST, self.api_deadline())
            .await
    }

    /// [`beginning_offsets`](Self::beginning_offsets) bounded by `timeout`.
    pub async fn beginning_offsets_with_timeout(
        &self,
        partitions: &[TopicPartition],
        timeout: Duration,
    ) -> Result<HashMap<TopicPartition, i64>> {
        self.list(partitions, offsets::EARLIEST, Instant::now() + timeout)
            .await
    }

    /// Log end offsets (high watermarks) of `partitions`.
    pub async fn end_offsets(
        &self,
        partitions: &[TopicPartition],
    ) -> Result<HashMap<TopicPartition, i64>> {
        self.list(partitions, offsets::LATEST, self.api_deadline())
            .await
    }

    /// [`end_offsets`](Self::end_offsets) bounded by `timeout`.
    pub async fn end_offsets_with_timeout(
        &self,
        partitions: &[TopicPartition],
        timeout: Duration,
    ) -> Result<HashMap<TopicPartition, i64>> {
        self.list(partitions, offsets::LATEST, Instant::now() + timeout)
            .await
    }

    async fn list(
        &self,
        partitions: &[TopicPartition],
        spec: i64,
        deadline: Instant,
    ) -> Result<HashMap<TopicPartition, i64>> {
        let q: BTreeMap<TopicPartition, i64> =
            partitions.iter().map(|tp| (tp.clone(), spec)).collect();
        let found = bounded(
            deadline,
            "listing offsets",
            offsets::list_offsets(&self.inner.cluster, &q, self.isolation(), deadline),
        )
        .await?;
        Ok(found.into_iter().map(|(tp, o)| (tp, o.offset)).collect())
    }

    /// Every topic the client may see with its partitions; internal ones (`__consumer_offsets`,
    /// `__transaction_state`) only with `include_internal`, as Java's `listTopics()` lists them
    /// (kafka-python's and aiokafka's `topics()` leave them out).
    pub async fn list_topics(
        &self,
        include_internal: bool,
    ) -> Result<BTreeMap<String, Vec<PartitionInfo>>> {
        self.list_topics_with_timeout(include_internal, self.inner.cfg.common.default_api_timeout)
            .await
    }

    /// [`list_topics`](Self::list_topics) bounded by `timeout`.
    pub async fn list_topics_with_timeout(
        &self,
        include_internal: bool,
        timeout: Duration,
    ) -> Result<BTreeMap<String, Vec<PartitionInfo>>> {
        let deadline = Instant::now() + timeout;
        let backoff = self.inner.cfg.common.retry_backoff;
        let md = loop {
            match bounded(
                deadline,
                "listing topics",
                self.inner.cluster.fetch_metadata(None),
            )
            .await
            {
                Ok(md) => break md,
                Err(e) if e.is_retriable() && Instant::now() + backoff < deadline => {
                    debug!(error = %e, "listing topics failed; retrying");
                    tokio::time::sleep(backoff).await;
                }
                Err(e) => return Err(e),
            }
        };
        let mut out = BTreeMap::new();
        for t in md
            .topics
            .iter()
            .filter(|t| (include_internal || !t.is_internal) && t.error_code == 0)
        {
            let Some(name) = t.name.as_ref() else {
                continue;
            };
            out.insert(
                name.0.to_string(),
                crate::requests::metadata::partition_infos(t),
            );
        }
        Ok(out)
    }
}

/// Runs `work` until `deadline`: a request stuck on a silent broker cannot outlive the call.
pub(crate) async fn bounded<T>(
    deadline: Instant,
    what: &str,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    match tokio::time::timeout_at(deadline, work).await {
        Ok(r) => r,
        Err(_) => Err(Error::new(
            ErrorKind::Timeout,
            format!(
                "{what} did not complete within the timeout (default.api.timeout.ms unless \
                 given); check that the brokers are reachable, or allow more time"
            ),
        )),
    }
}
