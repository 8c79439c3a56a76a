//! DescribeTopicPartitions (API 75, KIP-966): topics and their partitions with the eligible
//! leader replicas, paginated by a cursor — what Kafka 4's admin client and `kafka-topics
//! --describe` ask first. Topics come sorted by name; at most `response_partition_limit`
//! partitions (capped by `max.request.partition.size.limit`, 2000 by default) per response, with
//! `next_cursor` naming where the next request starts, as Kafka's handler does.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::describe_topic_partitions_response::{
    Cursor, DescribeTopicPartitionsResponsePartition, DescribeTopicPartitionsResponseTopic,
};
use kafka_protocol::messages::{
    BrokerId, DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse, TopicName,
};

use super::authorized_operations::{self, NOT_REQUESTED};
use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::partition::LEADER_EPOCH;
use crate::state::BrokerState;
use crate::topics::Topic;

/// Kafka's default `max.request.partition.size.limit`.
const DEFAULT_PARTITION_LIMIT: i32 = 2000;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeTopicPartitionsRequest,
) -> DescribeTopicPartitionsResponse {
    let broker_limit = state
        .config
        .given
        .get("max.request.partition.size.limit")
        .and_then(|v| v.parse::<i32>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(DEFAULT_PARTITION_LIMIT);
    let limit = req.response_partition_limit.clamp(1, broker_limit) as usize;
    let may_describe = |name: &str| ctx.authorize(Operation::Describe, Resource::Topic(name));
    let mut names: Vec<String> = if req.topics.is_empty() {
        // Every topic the principal may describe; the others are left out silently.
        state
            .topics
            .all()
            .iter()
            .map(|t| t.name.clone())
            .filter(|n| may_describe(n))
            .collect()
    } else {
        req.topics.iter().map(|t| t.name.0.to_string()).collect()
    };
    names.sort();
    names.dedup();

    let (start_topic, start_partition) = match &req.cursor {
        Some(c) => (Some(c.topic_name.0.to_string()), c.partition_index.max(0)),
        None => (None, 0),
    };
    if let Some(cursor_topic) = &start_topic {
        // Kafka refuses a cursor outside the requested topics as an invalid request.
        if !req.topics.is_empty() && !names.contains(cursor_topic) {
            return error_for_all(&names, ErrorCode::InvalidRequest.code());
        }
    }

    let mut topics = Vec::new();
    let mut left = limit;
    let mut next_cursor = None;
    let mut remaining = names
        .iter()
        .filter(|n| start_topic.as_ref().is_none_or(|s| *n >= s))
        .peekable();
    while let Some(name) = remaining.next() {
        if !may_describe(name) {
            topics.push(failed(name, ErrorCode::TopicAuthorizationFailed.code()));
            continue;
        }
        let Some(topic) = state.topics.get(name) else {
            // Kafka reports its operations on an unknown but describable topic too.
            let mut unknown = failed(name, ErrorCode::UnknownTopicOrPartition.code());
            unknown.topic_authorized_operations =
                authorized_operations::of(ctx, Resource::Topic(name));
            topics.push(unknown);
            continue;
        };
        let first = if start_topic.as_deref() == Some(name.as_str()) {
            start_partition
        } else {
            0
        };
        if left == 0 {
            next_cursor = Some(cursor(name, first));
            break;
        }
        let (mut described, next) = describe(&topic, state.node_id, first, &mut left);
        described.topic_authorized_operations =
            authorized_operations::of(ctx, Resource::Topic(name));
        topics.push(described);
        if let Some(p) = next {
            next_cursor = Some(cursor(name, p));
            break;
        }
        if left == 0 {
            // Exactly at the limit: the next response starts at the next existing topic.
            next_cursor = remaining.peek().map(|n| cursor(n, 0));
            break;
        }
    }
    DescribeTopicPartitionsResponse::default()
        .with_topics(topics)
        .with_next_cursor(next_cursor)
}

fn cursor(topic: &str, partition: i32) -> Cursor {
    Cursor::default()
        .with_topic_name(TopicName(sb(topic)))
        .with_partition_index(partition)
}

fn failed(name: &str, code: i16) -> DescribeTopicPartitionsResponseTopic {
    DescribeTopicPartitionsResponseTopic::default()
        .with_error_code(code)
        .with_name(Some(TopicName(sb(name))))
        .with_topic_authorized_operations(NOT_REQUESTED)
}

fn error_for_all(names: &[String], code: i16) -> DescribeTopicPartitionsResponse {
    DescribeTopicPartitionsResponse::default()
        .with_topics(names.iter().map(|n| failed(n, code)).collect())
}

/// The topic from partition `first`, taking at most `left` partitions; returns the index to
/// continue from when the limit cut it short.
fn describe(
    topic: &Topic,
    node_id: i32,
    first: i32,
    left: &mut usize,
) -> (DescribeTopicPartitionsResponseTopic, Option<i32>) {
    let mut partitions = Vec::new();
    let mut next = None;
    for p in topic.partitions.iter().filter(|p| p.index >= first) {
        if *left == 0 {
            next = Some(p.index);
            break;
        }
        *left -= 1;
        partitions.push(
            DescribeTopicPartitionsResponsePartition::default()
                .with_partition_index(p.index)
                .with_leader_id(BrokerId(node_id))
                .with_leader_epoch(LEADER_EPOCH)
                .with_replica_nodes(vec![BrokerId(node_id)])
                .with_isr_nodes(vec![BrokerId(node_id)])
                // One replica, always in sync: no replica is eligible beyond the ISR.
                .with_eligible_leader_replicas(Some(Vec::new()))
                .with_last_known_elr(Some(Vec::new())),
        );
    }
    let described = DescribeTopicPartitionsResponseTopic::default()
        .with_name(Some(TopicName(sb(topic.name.as_str()))))
        .with_topic_id(topic.id)
        .with_is_internal(false)
        .with_partitions(partitions);
    (described, next)
}
