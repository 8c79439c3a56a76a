//! DeleteRecords: advance a partition's log start offset (offset -1 = the high watermark).

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::delete_records_response::{
    DeleteRecordsPartitionResult, DeleteRecordsTopicResult,
};
use kafka_protocol::messages::{DeleteRecordsRequest, DeleteRecordsResponse};

use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DeleteRecordsRequest,
) -> DeleteRecordsResponse {
    let topics = req
        .topics
        .into_iter()
        .map(|t| {
            let allowed = ctx.authorize(Operation::Delete, Resource::Topic(t.name.0.as_str()));
            let partitions = t
                .partitions
                .into_iter()
                .map(|p| {
                    let r = DeleteRecordsPartitionResult::default()
                        .with_partition_index(p.partition_index)
                        .with_low_watermark(-1);
                    if !allowed {
                        return r.with_error_code(ErrorCode::TopicAuthorizationFailed.code());
                    }
                    match state.topics.partition(t.name.0.as_str(), p.partition_index) {
                        None => r.with_error_code(ErrorCode::UnknownTopicOrPartition.code()),
                        Some(part) => match part.delete_records_before(p.offset) {
                            Ok(low) => r.with_error_code(0).with_low_watermark(low),
                            Err(e) => r.with_error_code(e.code()),
                        },
                    }
                })
                .collect();
            DeleteRecordsTopicResult::default()
                .with_name(t.name)
                .with_partitions(partitions)
        })
        .collect();
    DeleteRecordsResponse::default().with_topics(topics)
}
