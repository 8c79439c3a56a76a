//! ListOffsets: earliest, latest, by timestamp, max timestamp (KIP-734) and earliest-local.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::list_offsets_response::{
    ListOffsetsPartitionResponse, ListOffsetsTopicResponse,
};
use kafka_protocol::messages::{ListOffsetsRequest, ListOffsetsResponse};

use crate::context::{Operation, RequestContext, Resource};
use crate::partition::{Partition, LEADER_EPOCH};
use crate::state::BrokerState;

const LATEST: i64 = -1;
const EARLIEST: i64 = -2;
const MAX_TIMESTAMP: i64 = -3;
const EARLIEST_LOCAL: i64 = -4;
const LATEST_TIERED: i64 = -5;
const EARLIEST_PENDING_UPLOAD: i64 = -6;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: ListOffsetsRequest,
) -> ListOffsetsResponse {
    let version = ctx.api_version;
    // leader_epoch exists from v4 on; setting it for older versions cannot be encoded.
    let epoch = if version >= 4 { LEADER_EPOCH } else { -1 };
    let topics = req
        .topics
        .into_iter()
        .map(|t| {
            let topic = state.topics.get(t.name.0.as_str());
            let allowed = ctx.authorize(Operation::Describe, Resource::Topic(t.name.0.as_str()));
            let partitions = t
                .partitions
                .into_iter()
                .map(|p| {
                    let base = ListOffsetsPartitionResponse::default()
                        .with_partition_index(p.partition_index)
                        .with_timestamp(-1)
                        .with_offset(-1)
                        .with_leader_epoch(-1);
                    if !allowed {
                        return base.with_error_code(ErrorCode::TopicAuthorizationFailed.code());
                    }
                    let partition = topic.as_ref().and_then(|t| {
                        usize::try_from(p.partition_index)
                            .ok()
                            .and_then(|i| t.partitions.get(i))
                    });
                    match partition {
                        None => base.with_error_code(ErrorCode::UnknownTopicOrPartition.code()),
                        Some(partition) => match lookup(partition, p.timestamp) {
                            Ok(Some((offset, ts))) => base
                                .with_error_code(0)
                                .with_offset(offset)
                                .with_timestamp(ts)
                                .with_leader_epoch(epoch),
                            Ok(None) => base.with_error_code(0),
                            Err(code) => base.with_error_code(code),
                        },
                    }
                })
                .collect();
            ListOffsetsTopicResponse::default()
                .with_name(t.name)
                .with_partitions(partitions)
        })
        .collect();
    ListOffsetsResponse::default().with_topics(topics)
}

/// (offset, timestamp) for one query; Ok(None) means "no such record" (offset -1).
fn lookup(p: &Partition, ts: i64) -> Result<Option<(i64, i64)>, i16> {
    let (start, end) = p.offsets().ok_or(56i16)?;
    match ts {
        LATEST => Ok(Some((end, -1))),
        EARLIEST | EARLIEST_LOCAL => Ok(Some((start, -1))),
        MAX_TIMESTAMP => p.max_timestamp().map_err(|e| e.code()),
        // No tiered storage: nothing is tiered, nothing is pending upload.
        LATEST_TIERED | EARLIEST_PENDING_UPLOAD => Ok(None),
        t if t >= 0 => p.offset_for_timestamp(t).map_err(|e| e.code()),
        _ => Err(42),
    }
}
