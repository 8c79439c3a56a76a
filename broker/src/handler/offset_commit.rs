//! OffsetCommit: a group (or a standalone consumer) stores committed offsets, durably.
//! The group state lives in `coordinator/`; this file is the API's entry point and owns the
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
    let mut resp = state.groups.offset_commit(req, ctx.api_version).await;
    resp.topics.extend(denied);
    resp
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
