//! Group-coordinator requests that need no membership: FindCoordinator, OffsetCommit and
//! OffsetFetch, with their retries. Shared by the consumer (as a member or with `assign()`)
//! and by admin (group offsets). It must not track membership (the consumer's `group` does);
//! a member lends its coordinator cache through [`CoordinatorSlot`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use kafka_protocol::messages::find_coordinator_request::FindCoordinatorRequest;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
use kafka_protocol::messages::{GroupId, OffsetCommitRequest, OffsetFetchRequest, TopicName};
use tokio::time::Instant;
use tracing::debug;

use ferrokafka_protocol::ErrorCode;

use super::{capped, sb};
use crate::cluster::Cluster;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::types::{OffsetAndMetadata, TopicPartition};

/// Where a group member remembers its coordinator's node id between requests.
pub(crate) trait CoordinatorSlot: Send + Sync {
    fn get(&self) -> Option<i32>;
    fn set(&self, node: Option<i32>);
    /// The coordinator no longer knows this member's generation: rejoin before the next commit.
    fn rejoin_needed(&self);
}

impl<T: CoordinatorSlot + ?Sized> CoordinatorSlot for Arc<T> {
    fn get(&self) -> Option<i32> {
        (**self).get()
    }
    fn set(&self, node: Option<i32>) {
        (**self).set(node)
    }
    fn rejoin_needed(&self) {
        (**self).rejoin_needed()
    }
}

/// Whether `code` means the coordinator moved or is unavailable (forget the cached one).
fn coordinator_moved(code: i16) -> bool {
    code == ErrorCode::NotCoordinator.code() || code == ErrorCode::CoordinatorNotAvailable.code()
}

/// The broker coordinating a group or transactional id, as FindCoordinator answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoordinatorNode {
    pub node: i32,
    pub host: String,
    pub port: i32,
}

/// One FindCoordinator request for `key` (`key_type` 0 = group) to any broker, no retries.
pub(crate) async fn lookup_coordinator(
    cluster: &Cluster,
    key: &str,
    key_type: i8,
) -> Result<CoordinatorNode> {
    let conn = cluster.any_broker().await?;
    let v = conn.version::<FindCoordinatorRequest>()?;
    let mut req = FindCoordinatorRequest::default().with_key_type(key_type);
    if v >= 4 {
        req = req.with_coordinator_keys(vec![sb(key)]);
    } else {
        req = req.with_key(sb(key));
    }
    let resp = conn.request(&req).await?;
    let (code, node, host, port) = match resp.coordinators.first() {
        Some(c) if v >= 4 => (c.error_code, c.node_id.0, c.host.to_string(), c.port),
        _ => (
            resp.error_code,
            resp.node_id.0,
            resp.host.to_string(),
            resp.port,
        ),
    };
    if code != 0 {
        return Err(Error::from_code(code, format!("FindCoordinator for {key}")));
    }
    Ok(CoordinatorNode { node, host, port })
}

/// FindCoordinator for `key` (`key_type` 0 = group) with retries until `deadline`; caches the
/// node in `state` when given.
pub async fn find_coordinator(
    cluster: &Cluster,
    key: &str,
    key_type: i8,
    deadline: Instant,
    state: Option<&dyn CoordinatorSlot>,
) -> Result<Arc<Connection>> {
    if let Some(node) = state.and_then(|s| s.get()) {
        match cluster.broker(node).await {
            Ok(c) => return Ok(c),
            Err(_) => {
                if let Some(s) = state {
                    s.set(None);
                }
            }
        }
    }
    let backoff = cluster.config().common.retry_backoff;
    loop {
        let attempt = lookup_coordinator(cluster, key, key_type)
            .await
            .map(|c| c.node);
        match attempt {
            Ok(node) => {
                if !cluster.metadata().brokers.contains_key(&node) {
                    cluster.refresh().await.ok();
                }
                if let Some(s) = state {
                    s.set(Some(node));
                }
                return cluster.broker(node).await;
            }
            Err(e) if e.is_retriable() && Instant::now() + backoff < deadline => {
                debug!(key, error = %e, "coordinator lookup failed; retrying");
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn topic_name(t: &str) -> TopicName {
    TopicName(sb(t))
}

/// OffsetCommit for `group` (generation `-1` and an empty member id for a consumer that only
/// assigns partitions, or for admin), sent on the pooled connection to the coordinator.
#[allow(clippy::too_many_arguments)]
pub async fn commit_offsets(
    cluster: &Cluster,
    group: &str,
    member_id: &str,
    generation: i32,
    instance_id: Option<&str>,
    offsets: &BTreeMap<TopicPartition, OffsetAndMetadata>,
    deadline: Instant,
    state: Option<&dyn CoordinatorSlot>,
) -> Result<()> {
    let pooled = |d| find_coordinator(cluster, group, 0, d, state);
    commit_offsets_via(
        cluster,
        pooled,
        group,
        member_id,
        generation,
        instance_id,
        offsets,
        deadline,
        state,
    )
    .await
}

/// [`commit_offsets`] on the connection `connect` gives for each attempt (called with the
/// deadline). A consumer passes its dedicated coordinator connection, as Java's consumer does:
/// on the connection its fetches use, a commit would wait behind a fetch the broker holds for
/// up to `fetch.max.wait.ms`, since a broker answers a connection's requests in order.
#[allow(clippy::too_many_arguments)]
pub async fn commit_offsets_via<C, F>(
    cluster: &Cluster,
    connect: C,
    group: &str,
    member_id: &str,
    generation: i32,
    instance_id: Option<&str>,
    offsets: &BTreeMap<TopicPartition, OffsetAndMetadata>,
    deadline: Instant,
    state: Option<&dyn CoordinatorSlot>,
) -> Result<()>
where
    C: Fn(Instant) -> F,
    F: std::future::Future<Output = Result<Arc<Connection>>>,
{
    if offsets.is_empty() {
        return Ok(());
    }
    let mut by_topic: BTreeMap<&str, Vec<OffsetCommitRequestPartition>> = BTreeMap::new();
    for (tp, om) in offsets {
        by_topic.entry(&tp.topic).or_default().push(
            OffsetCommitRequestPartition::default()
                .with_partition_index(tp.partition)
                .with_committed_offset(om.offset)
                .with_committed_leader_epoch(om.leader_epoch.unwrap_or(-1))
                .with_committed_metadata(Some(sb(&om.metadata))),
        );
    }
    let req = OffsetCommitRequest::default()
        .with_group_id(GroupId(sb(group)))
        .with_generation_id_or_member_epoch(generation)
        .with_member_id(sb(member_id))
        .with_group_instance_id(instance_id.map(sb))
        .with_retention_time_ms(-1)
        .with_topics(
            by_topic
                .into_iter()
                .map(|(t, ps)| {
                    OffsetCommitRequestTopic::default()
                        .with_name(topic_name(t))
                        .with_partitions(ps)
                })
                .collect(),
        );
    let backoff = cluster.config().common.retry_backoff;
    loop {
        let attempt: Result<()> = async {
            let conn = connect(deadline).await?;
            let v = capped::<OffsetCommitRequest>(&conn, 8)?;
            let resp = conn.request_raw(&req, v, None).await?;
            for t in &resp.topics {
                for p in &t.partitions {
                    if p.error_code != 0 {
                        if let Some(s) = state {
                            if coordinator_moved(p.error_code) {
                                s.set(None);
                            }
                            if [
                                ErrorCode::UnknownMemberId,
                                ErrorCode::IllegalGeneration,
                                ErrorCode::RebalanceInProgress,
                            ]
                            .iter()
                            .any(|c| c.code() == p.error_code)
                            {
                                s.rejoin_needed();
                            }
                        }
                        return Err(Error::from_code(
                            p.error_code,
                            format!("committing offset of {}-{}", t.name.0, p.partition_index),
                        ));
                    }
                }
            }
            Ok(())
        }
        .await;
        match attempt {
            Ok(()) => return Ok(()),
            Err(e)
                if (e.is_retriable()
                    || e.code() == Some(ErrorCode::CoordinatorLoadInProgress.code()))
                    && Instant::now() + backoff < deadline =>
            {
                tokio::time::sleep(backoff).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// OffsetFetch: the committed offsets of `partitions` (`None` = every partition with an
/// offset) in `group`. Partitions without a committed offset are absent.
pub async fn fetch_committed(
    cluster: &Cluster,
    group: &str,
    partitions: Option<&[TopicPartition]>,
    deadline: Instant,
    state: Option<&dyn CoordinatorSlot>,
) -> Result<HashMap<TopicPartition, OffsetAndMetadata>> {
    let pooled = |d| find_coordinator(cluster, group, 0, d, state);
    fetch_committed_via(cluster, pooled, group, partitions, deadline, state).await
}

/// [`fetch_committed`] on the connection `connect` gives (see [`commit_offsets_via`]).
pub async fn fetch_committed_via<C, F>(
    cluster: &Cluster,
    connect: C,
    group: &str,
    partitions: Option<&[TopicPartition]>,
    deadline: Instant,
    state: Option<&dyn CoordinatorSlot>,
) -> Result<HashMap<TopicPartition, OffsetAndMetadata>>
where
    C: Fn(Instant) -> F,
    F: std::future::Future<Output = Result<Arc<Connection>>>,
{
    let topics = partitions.map(|ps| {
        let mut by: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
        for tp in ps {
            by.entry(&tp.topic).or_default().push(tp.partition);
        }
        by.into_iter()
            .map(|(t, p)| {
                OffsetFetchRequestTopic::default()
                    .with_name(topic_name(t))
                    .with_partition_indexes(p)
            })
            .collect::<Vec<_>>()
    });
    let req = OffsetFetchRequest::default()
        .with_group_id(GroupId(sb(group)))
        .with_topics(topics)
        .with_require_stable(true);
    let backoff = cluster.config().common.retry_backoff;
    loop {
        let attempt: Result<HashMap<TopicPartition, OffsetAndMetadata>> = async {
            let conn = connect(deadline).await?;
            let v = capped::<OffsetFetchRequest>(&conn, 7)?;
            let resp = conn.request_raw(&req, v, None).await?;
            if resp.error_code != 0 {
                if let Some(s) = state {
                    if coordinator_moved(resp.error_code) {
                        s.set(None);
                    }
                }
                return Err(Error::from_code(
                    resp.error_code,
                    format!("fetching committed offsets of group {group}"),
                ));
            }
            let mut out = HashMap::new();
            for t in &resp.topics {
                for p in &t.partitions {
                    if p.error_code != 0 {
                        return Err(Error::from_code(
                            p.error_code,
                            format!("committed offset of {}-{}", t.name.0, p.partition_index),
                        ));
                    }
                    if p.committed_offset >= 0 {
                        out.insert(
                            TopicPartition::new(t.name.0.as_str(), p.partition_index),
                            OffsetAndMetadata {
                                offset: p.committed_offset,
                                metadata: p
                                    .metadata
                                    .as_ref()
                                    .map(|m| m.to_string())
                                    .unwrap_or_default(),
                                leader_epoch: (p.committed_leader_epoch >= 0)
                                    .then_some(p.committed_leader_epoch),
                            },
                        );
                    }
                }
            }
            Ok(out)
        }
        .await;
        match attempt {
            Ok(o) => return Ok(o),
            Err(e) if e.is_retriable() && Instant::now() + backoff < deadline => {
                tokio::time::sleep(backoff).await
            }
            Err(e) => return Err(e),
        }
    }
}
