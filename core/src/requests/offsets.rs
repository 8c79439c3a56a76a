//! ListOffsets: earliest, latest, max-timestamp or by-timestamp offsets of partitions, sent to
//! each partition's leader and retried on leadership changes until a deadline.
//!
//! Shared by the consumer (offset reset, `offsets_for_times`, `seek_to_*`) and admin. It must
//! not change positions itself.

use std::collections::{BTreeMap, HashMap};

use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::{BrokerId, ListOffsetsRequest, TopicName};
use tokio::time::Instant;

use super::sb;
use crate::cluster::Cluster;
use crate::error::{Error, ErrorKind, Result};
use crate::types::TopicPartition;

/// `timestamp` value asking for the log end offset.
pub const LATEST: i64 = -1;
/// `timestamp` value asking for the log start offset.
pub const EARLIEST: i64 = -2;
/// `timestamp` value asking for the offset of the record with the largest timestamp (KIP-734).
pub const MAX_TIMESTAMP: i64 = -3;

/// One answer: offset (`-1` when no record has a timestamp at or after the one asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedOffset {
    pub offset: i64,
    pub timestamp: i64,
    pub leader_epoch: Option<i32>,
}

/// Lists offsets for each `(partition, timestamp spec)`.
pub async fn list_offsets(
    cluster: &Cluster,
    query: &BTreeMap<TopicPartition, i64>,
    isolation_level: i8,
    deadline: Instant,
) -> Result<HashMap<TopicPartition, ListedOffset>> {
    let mut out = HashMap::new();
    let mut pending: BTreeMap<TopicPartition, i64> = query.clone();
    let backoff = cluster.config().common.retry_backoff;
    cluster.add_topics(query.keys().map(|tp| tp.topic.to_string()));
    loop {
        let mut last_err: Option<Error> = None;
        let mut by_leader: BTreeMap<i32, Vec<(TopicPartition, i64)>> = BTreeMap::new();
        for (tp, ts) in &pending {
            let mut md = cluster.topic(&tp.topic, deadline).await?;
            if md.partition(tp.partition).is_none() {
                // The cached metadata may predate a partition increase: ask the brokers once.
                cluster.refresh().await?;
                md = cluster.topic(&tp.topic, deadline).await?;
            }
            if md.partition(tp.partition).is_none() {
                return Err(Error::new(
                    ErrorKind::UnknownTopicOrPartition,
                    format!("partition {tp} does not exist"),
                ));
            }
            match cluster.metadata().leader(&tp.topic, tp.partition) {
                Some(l) => by_leader.entry(l).or_default().push((tp.clone(), *ts)),
                None => last_err = Some(Error::from_code(5, format!("no leader for {tp}"))),
            }
        }
        for (leader, parts) in by_leader {
            let mut topics: BTreeMap<String, Vec<ListOffsetsPartition>> = BTreeMap::new();
            for (tp, ts) in &parts {
                topics.entry(tp.topic.to_string()).or_default().push(
                    ListOffsetsPartition::default()
                        .with_partition_index(tp.partition)
                        .with_current_leader_epoch(-1)
                        .with_timestamp(*ts),
                );
            }
            let req = ListOffsetsRequest::default()
                .with_replica_id(BrokerId(-1))
                .with_isolation_level(isolation_level)
                .with_timeout_ms(cluster.config().common.request_timeout.as_millis() as i32)
                .with_topics(
                    topics
                        .into_iter()
                        .map(|(t, p)| {
                            ListOffsetsTopic::default()
                                .with_name(TopicName(sb(&t)))
                                .with_partitions(p)
                        })
                        .collect(),
                );
            let resp = match cluster.broker(leader).await {
                Ok(c) => c.request(&req).await,
                Err(e) => Err(e),
            };
            let resp = match resp {
                Ok(r) => r,
                Err(e) => {
                    cluster.on_error(&e);
                    last_err = Some(e);
                    continue;
                }
            };
            for t in resp.topics {
                for p in t.partitions {
                    let tp = TopicPartition::new(t.name.0.as_str(), p.partition_index);
                    if p.error_code != 0 {
                        let e = Error::from_code(p.error_code, format!("listing offsets of {tp}"));
                        if !e.is_retriable() {
                            return Err(e);
                        }
                        cluster.on_error(&e);
                        last_err = Some(e);
                        continue;
                    }
                    pending.remove(&tp);
                    out.insert(
                        tp,
                        ListedOffset {
                            offset: p.offset,
                            timestamp: p.timestamp,
                            leader_epoch: (p.leader_epoch >= 0).then_some(p.leader_epoch),
                        },
                    );
                }
            }
        }
        if pending.is_empty() {
            return Ok(out);
        }
        if Instant::now() + backoff >= deadline {
            return Err(last_err
                .unwrap_or_else(|| Error::new(ErrorKind::Timeout, "listing offsets"))
                .context("gave up listing offsets at the deadline (default.api.timeout.ms)"));
        }
        tokio::time::sleep(backoff).await;
        cluster.refresh().await.ok();
    }
}
