//! OffsetCommit: a group (or a standalone consumer) stores committed offsets, durably.
//! The group state lives in `coordinator/`; this file turns the request into an
//! [`OffsetCommit`] and the per-partition results into the versioned response, and owns the
//! per-topic authorisation (Kafka's KafkaApis.handleOffsetCommitRequest): group READ is checked
//! first (`group_authz`), then each topic needs READ — an unauthorised topic's partitions are
//! answered TOPIC_AUTHORIZATION_FAILED and never reach the coordinator; when no topic is left,
//! the coordinator is not asked at all (so nothing about the group changes).

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::offset_commit_request::OffsetCommitRequestTopic;
use kafka_protocol::messages::offset_commit_response::{
    OffsetCommitResponsePartition, OffsetCommitResponseTopic,
};
use kafka_protocol::messages::{OffsetCommitRequest, OffsetCommitResponse};

use crate::context::{Operation, RequestContext, Resource};
use crate::coordinator::{CommitPartition, CommitTopic, OffsetCommit, PartitionResults};
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    mut req: OffsetCommitRequest,
) -> OffsetCommitResponse {
    let (allowed, denied): (Vec<_>, Vec<_>) = std::mem::take(&mut req.topics)
        .into_iter()
        .partition(|t| ctx.authorize(Operation::Read, Resource::Topic(t.name.0.as_str())));
    let denied: Vec<OffsetCommitResponseTopic> = denied
        .iter()
        .map(|t| failed_topic(t, ErrorCode::TopicAuthorizationFailed.code()))
        .collect();
    if allowed.is_empty() && !denied.is_empty() {
        return OffsetCommitResponse::default().with_topics(denied);
    }
    req.topics = allowed;
    let results = state
        .groups
        .offset_commit(&request(&req, ctx.api_version))
        .await;
    let mut resp = response(&req, results);
    resp.topics.extend(denied);
    resp
}

/// The coordinator's input for an OffsetCommit request of `version`.
pub(crate) fn request(req: &OffsetCommitRequest, version: i16) -> OffsetCommit {
    OffsetCommit {
        group_id: req.group_id.0.to_string(),
        generation_id: req.generation_id_or_member_epoch,
        member_id: req.member_id.to_string(),
        // group.instance.id exists from v7 on.
        instance_id: if version >= 7 {
            req.group_instance_id.as_ref().map(|s| s.to_string())
        } else {
            None
        },
        unknown_group_not_found: version >= 9,
        topics: req
            .topics
            .iter()
            .map(|t| CommitTopic {
                name: t.name.0.to_string(),
                partitions: t
                    .partitions
                    .iter()
                    .map(|p| CommitPartition {
                        partition: p.partition_index,
                        offset: p.committed_offset,
                        // The leader epoch exists from v6 on.
                        leader_epoch: if version >= 6 {
                            p.committed_leader_epoch
                        } else {
                            -1
                        },
                        metadata: Some(
                            p.committed_metadata
                                .as_ref()
                                .map(|m| m.to_string())
                                .unwrap_or_default(),
                        ),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The response to `req`: each requested partition with its result.
pub(crate) fn response(
    req: &OffsetCommitRequest,
    results: PartitionResults,
) -> OffsetCommitResponse {
    let mut r = OffsetCommitResponse::default();
    r.topics = req
        .topics
        .iter()
        .zip(results)
        .map(|(t, codes)| {
            let mut rt = OffsetCommitResponseTopic::default();
            rt.name = t.name.clone();
            rt.partitions = t
                .partitions
                .iter()
                .zip(codes)
                .map(|(p, code)| {
                    let mut rp = OffsetCommitResponsePartition::default();
                    rp.partition_index = p.partition_index;
                    rp.error_code = code.map_or(0, |e| e.code());
                    rp
                })
                .collect();
            rt
        })
        .collect();
    r
}

/// `t` answered with `code` on every partition (an authorisation failure).
pub(super) fn failed_topic(t: &OffsetCommitRequestTopic, code: i16) -> OffsetCommitResponseTopic {
    OffsetCommitResponseTopic::default()
        .with_name(t.name.clone())
        .with_topic_id(t.topic_id)
        .with_partitions(
            t.partitions
                .iter()
                .map(|p| {
                    OffsetCommitResponsePartition::default()
                        .with_partition_index(p.partition_index)
                        .with_error_code(code)
                })
                .collect(),
        )
}
