//! OffsetDelete: removes committed offsets of partitions a group no longer consumes.
//! The group state lives in `coordinator/`; this file turns the request into (topic,
//! partitions) lists and the results into the response, and owns the per-topic authorisation (Kafka's KafkaApis.handleOffsetDeleteRequest): group DELETE is
//! checked first (`group_authz`), then each topic needs READ — an unauthorised topic's
//! partitions are answered TOPIC_AUTHORIZATION_FAILED (dropped when the group itself fails,
//! as Kafka's response builder does) and its offsets stay.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::offset_delete_response::{
    OffsetDeleteResponsePartition, OffsetDeleteResponseTopic,
};
use kafka_protocol::messages::{OffsetDeleteRequest, OffsetDeleteResponse};

use crate::context::{Operation, RequestContext, Resource};
use crate::coordinator::PartitionResults;
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
    let result = state
        .groups
        .offset_delete(&req.group_id.0, &topics(&req))
        .await;
    let mut resp = response(&req, result);
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

/// The (topic, partitions) a request names.
pub(crate) fn topics(req: &OffsetDeleteRequest) -> Vec<(String, Vec<i32>)> {
    req.topics
        .iter()
        .map(|t| {
            let partitions = t.partitions.iter().map(|p| p.partition_index).collect();
            (t.name.0.to_string(), partitions)
        })
        .collect()
}

/// The response to `req`: the group's error, or each requested partition with its result.
pub(crate) fn response(
    req: &OffsetDeleteRequest,
    result: Result<PartitionResults, ErrorCode>,
) -> OffsetDeleteResponse {
    let mut r = OffsetDeleteResponse::default();
    match result {
        Err(e) => r.error_code = e.code(),
        Ok(codes) => {
            r.topics = req
                .topics
                .iter()
                .zip(codes)
                .map(|(t, codes)| {
                    let mut rt = OffsetDeleteResponseTopic::default();
                    rt.name = t.name.clone();
                    rt.partitions = t
                        .partitions
                        .iter()
                        .zip(codes)
                        .map(|(p, code)| {
                            let mut rp = OffsetDeleteResponsePartition::default();
                            rp.partition_index = p.partition_index;
                            rp.error_code = code.map_or(0, |e| e.code());
                            rp
                        })
                        .collect();
                    rt
                })
                .collect();
        }
    }
    r
}
