//! Produce: validate and append each partition's record batches, answering per partition.
//!
//! acks=0 gets no response at all (as Kafka). acks=1 and acks=-1 are the same on a single node:
//! the answer comes after the batches are written to the log (and fsynced when the topic's
//! `flush.messages` asks for it).

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::produce_response::{
    BatchIndexAndErrorMessage, PartitionProduceResponse, TopicProduceResponse,
};
use kafka_protocol::messages::{ProduceRequest, ProduceResponse};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: ProduceRequest,
) -> Option<ProduceResponse> {
    let version = ctx.api_version;
    let by_id = version >= 13;
    let refuse_all = if !matches!(req.acks, -1..=1) {
        Some((
            ErrorCode::InvalidRequiredAcks.code(),
            "acks must be -1 (all), 0 or 1".to_string(),
        ))
    } else if req.transactional_id.is_some() {
        Some((
            ErrorCode::UnsupportedVersion.code(),
            "ferrokafka does not support transactions yet; unset transactional.id".to_string(),
        ))
    } else {
        None
    };
    let now = crate::now_ms();
    let mut appended = false;
    let mut responses = Vec::with_capacity(req.topic_data.len());
    for t in req.topic_data {
        let topic = if by_id {
            state.topics.get_by_id(&t.topic_id)
        } else {
            state.topics.get(t.name.0.as_str())
        };
        let mut partition_responses = Vec::with_capacity(t.partition_data.len());
        let topic_name = topic
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_else(|| t.name.0.to_string());
        let allowed = (by_id && topic.is_none())
            || ctx.authorize(Operation::Write, Resource::Topic(&topic_name));
        for p in t.partition_data {
            let base = PartitionProduceResponse::default()
                .with_index(p.index)
                .with_base_offset(-1)
                .with_log_append_time_ms(-1)
                .with_log_start_offset(-1);
            let failed = |code: i16, message: String| {
                let mut r = base.clone().with_error_code(code);
                if version >= 8 {
                    if code == ErrorCode::InvalidRecord.code() {
                        r.record_errors = vec![BatchIndexAndErrorMessage::default()
                            .with_batch_index(0)
                            .with_batch_index_error_message(Some(sb(message.clone())))];
                    }
                    r.error_message = Some(sb(message));
                }
                r
            };
            if let Some((code, message)) = &refuse_all {
                partition_responses.push(failed(*code, message.clone()));
                continue;
            }
            if !allowed {
                partition_responses.push(failed(
                    ErrorCode::TopicAuthorizationFailed.code(),
                    "Not authorized to write to the topic".into(),
                ));
                continue;
            }
            let unknown = if by_id {
                ErrorCode::UnknownTopicId.code()
            } else {
                ErrorCode::UnknownTopicOrPartition.code()
            };
            let Some(topic) = &topic else {
                partition_responses.push(failed(unknown, "unknown topic".into()));
                continue;
            };
            let Some(partition) = usize::try_from(p.index)
                .ok()
                .and_then(|i| topic.partitions.get(i))
            else {
                partition_responses.push(failed(
                    ErrorCode::UnknownTopicOrPartition.code(),
                    format!("topic {} has no partition {}", topic.name, p.index),
                ));
                continue;
            };
            let records = match &p.records {
                Some(r) if !r.is_empty() => r,
                _ => {
                    partition_responses.push(failed(
                        ErrorCode::CorruptMessage.code(),
                        "the produce request has no record batch for this partition".into(),
                    ));
                    continue;
                }
            };
            match partition.append(records, now) {
                Ok(o) => {
                    appended |= !o.duplicate;
                    partition_responses.push(
                        base.with_error_code(0)
                            .with_base_offset(o.base_offset)
                            .with_log_append_time_ms(o.log_append_time_ms)
                            .with_log_start_offset(o.log_start_offset),
                    );
                }
                Err(e) => {
                    tracing::debug!(topic = %topic.name, partition = p.index, code = e.code(), message = %e.message, "produce refused");
                    partition_responses.push(failed(e.code(), e.message));
                }
            }
        }
        responses.push(
            TopicProduceResponse::default()
                .with_name(t.name)
                .with_topic_id(t.topic_id)
                .with_partition_responses(partition_responses),
        );
    }
    if appended {
        state.notify_appended();
    }
    if req.acks == 0 {
        return None;
    }
    Some(ProduceResponse::default().with_responses(responses))
}
