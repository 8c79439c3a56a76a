//! OffsetDelete: removes committed offsets of partitions a group no longer consumes.
//! The group state lives in `coordinator/`; this file is the API's entry point and owns the
//! per-topic authorisation (Kafka's KafkaApis.handleOffsetDeleteRequest): group DELETE is
//! checked first (`group_authz`), then each topic needs READ — an unauthorised topic's
//! partitions are answered TOPIC_AUTHORIZATION_FAILED (dropped when the group itself fails,
//! as Kafka's response builder does) and its offsets stay.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::offset_delete_response::{
    OffsetDeleteResponsePartition, OffsetDeleteResponseTopic,
};
use kafka_protocol::messages::{OffsetDeleteRequest, OffsetDeleteResponse};

use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    mut req: OffsetDeleteRequest,
) -> OffsetDeleteResponse {
    let (allowed, denied): (Vec<_>, Vec<_>) = std::mem::take(&mut req.topics)
        .into_iter()
        .partition(|t| ctx.authorize(Operation::Read, Resource::Topic(t.name.0.as_str())));
    req.topics = allowed;
    let mut resp = state.groups.offset_delete(req, ctx.api_version).await;
    if resp.error_code == 0 {
        resp.topics.extend(denied.into_iter().map(|t| {
            OffsetDeleteResponseTopic::default()
                .with_name(t.name)
                .with_partitions(
                    t.partitions
                        .iter()
                        .map(|p| {
                            OffsetDeleteResponsePartition::default()
                                .with_partition_index(p.partition_index)
                                .with_error_code(ErrorCode::TopicAuthorizationFailed.code())
                        })
                        .collect(),
                )
        }));
    }
    resp
}
