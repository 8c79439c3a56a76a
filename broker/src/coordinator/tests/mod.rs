//! Test helpers shared by the coordinator's unit tests: a fixed topic oracle, request builders
//! and a join helper that follows the KIP-394 member-id handshake.

mod durability;
mod encoding;
mod membership;
mod offsets;
mod plain_api;
mod static_members;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::join_group_request::JoinGroupRequestProtocol;
use kafka_protocol::messages::offset_commit_request::{
    OffsetCommitRequestPartition, OffsetCommitRequestTopic,
};
use kafka_protocol::messages::sync_group_request::SyncGroupRequestAssignment;
use kafka_protocol::messages::*;
use kafka_protocol::protocol::{Encodable, StrBytes};

use super::{ClientInfo, CoordinatorConfig, GroupCoordinator, TopicOracle};

pub(super) const NONE: i16 = 0;

/// Topics "orders" (3 partitions) and "audit" (1 partition).
pub(super) struct Topics(HashMap<&'static str, i32>);

impl TopicOracle for Topics {
    fn partition_exists(&self, topic: &str, partition: i32) -> bool {
        self.0
            .get(topic)
            .is_some_and(|n| partition >= 0 && partition < *n)
    }
}

pub(super) fn topics() -> Arc<Topics> {
    Arc::new(Topics(HashMap::from([("orders", 3), ("audit", 1)])))
}

pub(super) fn config() -> CoordinatorConfig {
    CoordinatorConfig {
        group_initial_rebalance_delay_ms: 0,
        ..Default::default()
    }
}

pub(super) fn open_with(dir: &std::path::Path, cfg: CoordinatorConfig) -> Arc<GroupCoordinator> {
    GroupCoordinator::open(dir, cfg, topics()).expect("open coordinator")
}

pub(super) fn s(v: &str) -> StrBytes {
    StrBytes::from_string(v.to_string())
}

pub(super) fn gid(v: &str) -> GroupId {
    GroupId(s(v))
}

/// Consumer protocol subscription metadata (version 0) for `topics`.
pub(super) fn subscription(topics: &[&str]) -> Bytes {
    let sub =
        ConsumerProtocolSubscription::default().with_topics(topics.iter().map(|t| s(t)).collect());
    let mut buf = BytesMut::new();
    buf.put_i16(0);
    sub.encode(&mut buf, 0).expect("encode subscription");
    buf.freeze()
}

pub(super) fn join_req(group: &str, member_id: &str, meta: Bytes) -> JoinGroupRequest {
    JoinGroupRequest::default()
        .with_group_id(gid(group))
        .with_member_id(s(member_id))
        .with_session_timeout_ms(10_000)
        .with_rebalance_timeout_ms(5_000)
        .with_protocol_type(s("consumer"))
        .with_protocols(vec![JoinGroupRequestProtocol::default()
            .with_name(s("range"))
            .with_metadata(meta)])
}

pub(super) fn client(id: &str) -> ClientInfo {
    ClientInfo {
        client_id: id.to_string(),
        client_host: "/127.0.0.1".to_string(),
    }
}

/// JoinGroup at `version`, redoing the request with the handed-out id on MEMBER_ID_REQUIRED.
pub(super) async fn join(
    c: &GroupCoordinator,
    req: JoinGroupRequest,
    version: i16,
) -> JoinGroupResponse {
    let first = wire::join_from(c, req.clone(), version, client("app")).await;
    if first.error_code != ferrokafka_protocol::ErrorCode::MemberIdRequired.code() {
        return first;
    }
    wire::join_from(
        c,
        req.with_member_id(first.member_id),
        version,
        client("app"),
    )
    .await
}

pub(super) fn sync_req(
    group: &str,
    generation: i32,
    member_id: &str,
    assignments: &[(&str, &[u8])],
) -> SyncGroupRequest {
    SyncGroupRequest::default()
        .with_group_id(gid(group))
        .with_generation_id(generation)
        .with_member_id(s(member_id))
        .with_assignments(
            assignments
                .iter()
                .map(|(m, a)| {
                    SyncGroupRequestAssignment::default()
                        .with_member_id(s(m))
                        .with_assignment(Bytes::copy_from_slice(a))
                })
                .collect(),
        )
}

pub(super) fn heartbeat_req(group: &str, generation: i32, member_id: &str) -> HeartbeatRequest {
    HeartbeatRequest::default()
        .with_group_id(gid(group))
        .with_generation_id(generation)
        .with_member_id(s(member_id))
}

pub(super) fn commit_req(
    group: &str,
    generation: i32,
    member_id: &str,
    parts: &[(&str, i32, i64)],
) -> OffsetCommitRequest {
    let mut topics: Vec<OffsetCommitRequestTopic> = Vec::new();
    for (t, p, o) in parts {
        let part = OffsetCommitRequestPartition::default()
            .with_partition_index(*p)
            .with_committed_offset(*o)
            .with_committed_leader_epoch(3)
            .with_committed_metadata(Some(s("meta")));
        match topics.iter_mut().find(|x| x.name.0.as_str() == *t) {
            Some(x) => x.partitions.push(part),
            None => topics.push(
                OffsetCommitRequestTopic::default()
                    .with_name(TopicName(s(t)))
                    .with_partitions(vec![part]),
            ),
        }
    }
    OffsetCommitRequest::default()
        .with_group_id(gid(group))
        .with_generation_id_or_member_epoch(generation)
        .with_member_id(s(member_id))
        .with_topics(topics)
}

/// Error codes of a commit response, flattened in request order.
pub(super) fn commit_codes(r: &OffsetCommitResponse) -> Vec<i16> {
    r.topics
        .iter()
        .flat_map(|t| t.partitions.iter().map(|p| p.error_code))
        .collect()
}

/// OffsetFetch v7 of the listed partitions; returns (topic, partition, offset, epoch, metadata).
pub(super) async fn fetch(
    c: &GroupCoordinator,
    group: &str,
    parts: Option<&[(&str, i32)]>,
) -> Vec<(String, i32, i64, i32, String)> {
    use kafka_protocol::messages::offset_fetch_request::OffsetFetchRequestTopic;
    let topics = parts.map(|ps| {
        let mut out: Vec<OffsetFetchRequestTopic> = Vec::new();
        for (t, p) in ps {
            match out.iter_mut().find(|x| x.name.0.as_str() == *t) {
                Some(x) => x.partition_indexes.push(*p),
                None => out.push(
                    OffsetFetchRequestTopic::default()
                        .with_name(TopicName(s(t)))
                        .with_partition_indexes(vec![*p]),
                ),
            }
        }
        out
    });
    let req = OffsetFetchRequest::default()
        .with_group_id(gid(group))
        .with_topics(topics);
    let r = wire::fetch_offsets(c, req, 7).await;
    assert_eq!(r.error_code, NONE);
    r.topics
        .iter()
        .flat_map(|t| {
            t.partitions.iter().map(|p| {
                (
                    t.name.0.to_string(),
                    p.partition_index,
                    p.committed_offset,
                    p.committed_leader_epoch,
                    p.metadata.as_deref().unwrap_or("").to_string(),
                )
            })
        })
        .collect()
}

pub(super) async fn describe(c: &GroupCoordinator, group: &str) -> (String, usize) {
    let r = wire::describe_all(
        c,
        DescribeGroupsRequest::default().with_groups(vec![gid(group)]),
        5,
    )
    .await;
    let g = &r.groups[0];
    (g.group_state.to_string(), g.members.len())
}
