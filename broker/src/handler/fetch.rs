//! Fetch: serve stored record batches as raw bytes, long-polling until `min_bytes` are available
//! or `max_wait_ms` has passed, within `max_bytes` and each partition's `partition_max_bytes`.
//!
//! Fetch sessions (KIP-227) are not handed out: every answer has session id 0, which tells
//! clients to keep sending full fetch requests. Reading stops at the high watermark, which on a
//! single node is the log end offset.

use ferrokafka_protocol::ErrorCode;
use std::time::Duration;

use bytes::Bytes;
use kafka_protocol::messages::fetch_response::{FetchableTopicResponse, PartitionData};
use kafka_protocol::messages::{BrokerId, FetchRequest, FetchResponse};

use crate::context::{Operation, RequestContext, Resource};
use crate::partition::LEADER_EPOCH;
use crate::state::BrokerState;

const READ_COMMITTED: i8 = 1;

pub async fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: FetchRequest,
) -> FetchResponse {
    let version = ctx.api_version;
    if req.session_id != 0 {
        return FetchResponse::default().with_error_code(ErrorCode::FetchSessionIdNotFound.code());
    }
    let deadline =
        tokio::time::Instant::now() + Duration::from_millis(req.max_wait_ms.max(0) as u64);
    let mut appended = state.appended.subscribe();
    loop {
        // Mark the current append count as seen *before* reading, so an append that lands
        // during the read wakes the wait below.
        appended.borrow_and_update();
        let (response, bytes, errors) = read_once(state, ctx, &req, version);
        if bytes >= req.min_bytes.max(0) as usize
            || errors
            || tokio::time::Instant::now() >= deadline
        {
            return response;
        }
        match tokio::time::timeout_at(deadline, appended.changed()).await {
            Ok(Ok(())) => continue,
            // Timed out, or the broker is shutting down: answer with what there is.
            _ => return read_once(state, ctx, &req, version).0,
        }
    }
}

/// One pass over the requested partitions: (response, record bytes, whether any partition erred).
fn read_once(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: &FetchRequest,
    version: i16,
) -> (FetchResponse, usize, bool) {
    let by_id = version >= 13;
    let mut remaining = if req.max_bytes > 0 {
        req.max_bytes as usize
    } else {
        usize::MAX
    };
    let mut min_one = true;
    let mut total = 0usize;
    let mut errors = false;
    let mut topics = Vec::with_capacity(req.topics.len());
    for t in &req.topics {
        let topic = if by_id {
            state.topics.get_by_id(&t.topic_id)
        } else {
            state.topics.get(t.topic.0.as_str())
        };
        let mut partitions = Vec::with_capacity(t.partitions.len());
        let topic_name = topic
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_else(|| t.topic.0.to_string());
        // An unknown topic id is answered as unknown, not as unauthorised.
        let allowed = (by_id && topic.is_none())
            || ctx.authorize(Operation::Read, Resource::Topic(&topic_name));
        for p in &t.partitions {
            let data = PartitionData::default()
                .with_partition_index(p.partition)
                .with_high_watermark(-1)
                .with_last_stable_offset(-1)
                .with_log_start_offset(-1)
                .with_preferred_read_replica(BrokerId(-1))
                .with_aborted_transactions((req.isolation_level == READ_COMMITTED).then(Vec::new))
                .with_records(Some(Bytes::new()));
            if !allowed {
                errors = true;
                partitions.push(data.with_error_code(ErrorCode::TopicAuthorizationFailed.code()));
                continue;
            }
            let partition = topic.as_ref().and_then(|t| {
                usize::try_from(p.partition)
                    .ok()
                    .and_then(|i| t.partitions.get(i))
            });
            let Some(partition) = partition else {
                errors = true;
                let code = if by_id && topic.is_none() {
                    ErrorCode::UnknownTopicId.code()
                } else {
                    ErrorCode::UnknownTopicOrPartition.code()
                };
                partitions.push(data.with_error_code(code));
                continue;
            };
            // The leader epoch never changes on a single node, so no client can be behind it;
            // one ahead of it saw metadata from elsewhere.
            if p.current_leader_epoch > LEADER_EPOCH {
                errors = true;
                partitions.push(data.with_error_code(ErrorCode::UnknownLeaderEpoch.code()));
                continue;
            }
            let limit = (p.partition_max_bytes.max(0) as usize).min(remaining);
            match partition.read(p.fetch_offset, limit, min_one) {
                Ok(read) => {
                    let n = read.records.len();
                    if n > 0 {
                        min_one = false;
                        total += n;
                        remaining = remaining.saturating_sub(n);
                    }
                    partitions.push(
                        data.with_error_code(0)
                            .with_high_watermark(read.high_watermark)
                            .with_last_stable_offset(read.high_watermark)
                            .with_log_start_offset(read.log_start_offset)
                            .with_records(Some(read.records)),
                    );
                }
                Err((code, _message)) => {
                    errors = true;
                    let (start, end) = partition.offsets().unwrap_or((-1, -1));
                    partitions.push(
                        data.with_error_code(code)
                            .with_high_watermark(end)
                            .with_last_stable_offset(end)
                            .with_log_start_offset(start),
                    );
                }
            }
        }
        topics.push(
            FetchableTopicResponse::default()
                .with_topic(t.topic.clone())
                .with_topic_id(t.topic_id)
                .with_partitions(partitions),
        );
    }
    let response = FetchResponse::default()
        .with_error_code(0)
        .with_session_id(0)
        .with_responses(topics);
    (response, total, errors)
}
