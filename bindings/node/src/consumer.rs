//! `NativeConsumer`: the core consumer behind one JS object. `poll` resolves with a batch of
//! records; group membership, fetching and commits are the core's.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use ferrokafka_core::{Consumer, OffsetAndMetadata, TopicPartition};
use napi_derive::napi;

use crate::convert::{client_config, Tp, TpOffset};
use crate::error::{on_core, to_napi};
use crate::packed::{pack, PolledRecords};
use crate::requests::{observer, RequestCallback};

/// A Kafka consumer (group membership, fetch prefetch, commits) from the core.
#[napi]
pub struct NativeConsumer {
    inner: Consumer,
}

fn tps(list: Vec<Tp>) -> Vec<TopicPartition> {
    list.into_iter().map(Into::into).collect()
}

#[napi]
impl NativeConsumer {
    /// Creates a consumer from Java-named properties (`group.id`, `session.timeout.ms`, ...).
    #[napi(constructor)]
    pub fn new(props: HashMap<String, String>) -> napi::Result<Self> {
        let cfg = client_config(props)?;
        let inner = Consumer::new(cfg).map_err(to_napi)?;
        Ok(NativeConsumer { inner })
    }

    /// Subscribes to these topics (replacing any subscription).
    #[napi]
    pub fn subscribe(&self, topics: Vec<String>) -> napi::Result<()> {
        let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
        self.inner.subscribe(&refs).map_err(to_napi)
    }

    /// Subscribes to every topic whose whole name matches `pattern`.
    #[napi]
    pub fn subscribe_pattern(&self, pattern: String) -> napi::Result<()> {
        self.inner.subscribe_pattern(&pattern).map_err(to_napi)
    }

    /// Waits up to `timeout_ms` for records; resolves with a batch, possibly empty, of at most
    /// `max_records` records and about `max_bytes` bytes (at least one record when any is
    /// ready), packed for one crossing (decoded by the TS layer).
    #[napi]
    pub async fn poll(
        &self,
        timeout_ms: u32,
        max_records: u32,
        max_bytes: u32,
    ) -> napi::Result<PolledRecords> {
        let c = self.inner.clone();
        let timeout = Duration::from_millis(timeout_ms.into());
        let records = on_core(async move {
            c.poll_within(timeout, max_records as usize, max_bytes as usize)
                .await
        })
        .await?;
        Ok(pack(&records))
    }

    /// Commits these offsets (the next offset to read), or every current position when unset.
    #[napi]
    pub async fn commit(&self, offsets: Option<Vec<TpOffset>>) -> napi::Result<()> {
        let offsets = offsets.map(|list| {
            list.into_iter()
                .map(|o| {
                    (
                        TopicPartition::new(o.topic, o.partition),
                        OffsetAndMetadata::with_metadata(o.offset, o.metadata.unwrap_or_default()),
                    )
                })
                .collect::<BTreeMap<_, _>>()
        });
        let c = self.inner.clone();
        on_core(async move { c.commit_sync(offsets).await }).await
    }

    /// Makes the next poll return records of the partition from `offset`.
    #[napi]
    pub fn seek(&self, topic: String, partition: i32, offset: i64) -> napi::Result<()> {
        self.inner
            .seek(&TopicPartition::new(topic, partition), offset)
            .map_err(to_napi)
    }

    /// Stops returning records of these partitions.
    #[napi]
    pub fn pause(&self, partitions: Vec<Tp>) {
        self.inner.pause(&tps(partitions));
    }

    /// Resumes paused partitions.
    #[napi]
    pub fn resume(&self, partitions: Vec<Tp>) {
        self.inner.resume(&tps(partitions));
    }

    /// The paused partitions.
    #[napi]
    pub fn paused(&self) -> Vec<Tp> {
        self.inner.paused().iter().map(Tp::from).collect()
    }

    /// The partitions assigned to this consumer now.
    #[napi]
    pub fn assignment(&self) -> Vec<Tp> {
        self.inner.assignment().iter().map(Tp::from).collect()
    }

    /// The high watermark the last fetch of this partition reported (unset before one).
    #[napi]
    pub fn high_watermark(&self, topic: String, partition: i32) -> Option<i64> {
        self.inner
            .high_watermark(&TopicPartition::new(topic, partition))
    }

    /// Reports every finished request of this client to `callback` (kafkajs's
    /// network.request events), or stops with `null`.
    #[napi(ts_args_type = "callback: ((event: RequestEventJs) => void) | null")]
    pub fn on_requests(&self, callback: Option<RequestCallback>) {
        self.inner.set_request_observer(callback.map(observer));
    }

    /// Node ids of the brokers in the consumer's metadata, ascending (kafkajs fetches from each).
    #[napi]
    pub fn broker_ids(&self) -> Vec<i32> {
        self.inner.broker_ids()
    }

    /// The member id in the group (empty before joining).
    #[napi]
    pub fn member_id(&self) -> String {
        self.inner.member_id()
    }

    /// The member id of the group's leader at the last join (empty before joining).
    #[napi]
    pub fn leader_id(&self) -> String {
        self.inner.group_leader_id()
    }

    /// Heartbeats the group coordinator accepted so far (a count that only grows).
    #[napi]
    pub fn heartbeats(&self) -> i64 {
        i64::try_from(self.inner.group_heartbeats()).unwrap_or(i64::MAX)
    }

    /// The group generation joined (`-1` before joining).
    #[napi]
    pub fn generation(&self) -> i32 {
        self.inner.generation()
    }

    /// Commits (with auto-commit), leaves the group and closes connections.
    #[napi]
    pub async fn close(&self) -> napi::Result<()> {
        let c = self.inner.clone();
        on_core(async move { c.close().await }).await
    }
}
