//! Describing topics through DescribeTopicPartitions (API 75, KIP-966), which Kafka 4 brokers
//! serve and Kafka's admin client asks first: it carries the eligible leader replicas that
//! Metadata lacks, and pages through large topics with a cursor.

use std::collections::BTreeMap;

use kafka_protocol::messages::describe_topic_partitions_request::{Cursor, TopicRequest};
use kafka_protocol::messages::{DescribeTopicPartitionsRequest, TopicName};

use super::topics::{PartitionState, TopicDescription};
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::requests::sb;
use crate::types::PartitionInfo;

/// Partitions per response, as Kafka's admin client asks by default.
const PARTITIONS_PER_RESPONSE: i32 = 2000;

fn ids(list: &[kafka_protocol::messages::BrokerId]) -> Vec<i32> {
    list.iter().map(|b| b.0).collect()
}

/// Describes `names` (every topic when empty), following the cursor until the broker has
/// returned every partition. Topics come back sorted by name.
pub(crate) async fn describe(conn: &Connection, names: &[String]) -> Result<Vec<TopicDescription>> {
    let topics: Vec<TopicRequest> = names
        .iter()
        .map(|n| TopicRequest::default().with_name(TopicName(sb(n.as_str()))))
        .collect();
    let mut found: BTreeMap<String, TopicDescription> = BTreeMap::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let req = DescribeTopicPartitionsRequest::default()
            .with_topics(topics.clone())
            .with_response_partition_limit(PARTITIONS_PER_RESPONSE)
            .with_cursor(cursor.take());
        let resp = conn.request(&req).await?;
        for t in &resp.topics {
            let name = t.name.as_ref().map(|n| n.0.to_string()).unwrap_or_default();
            if t.error_code != 0 {
                return Err(Error::from_code(
                    t.error_code,
                    format!("describing topic {name}"),
                ));
            }
            let entry = found
                .entry(name.clone())
                .or_insert_with(|| TopicDescription {
                    name,
                    topic_id: t.topic_id,
                    internal: t.is_internal,
                    partitions: Vec::new(),
                    partition_states: Vec::new(),
                    authorized_operations: (t.topic_authorized_operations != i32::MIN)
                        .then_some(t.topic_authorized_operations),
                });
            entry
                .partitions
                .extend(t.partitions.iter().map(|p| PartitionInfo {
                    partition: p.partition_index,
                    leader: (p.leader_id.0 >= 0).then_some(p.leader_id.0),
                    replicas: ids(&p.replica_nodes),
                    isr: ids(&p.isr_nodes),
                    elr: p.eligible_leader_replicas.as_deref().map(ids),
                    last_known_elr: p.last_known_elr.as_deref().map(ids),
                }));
            entry
                .partition_states
                .extend(t.partitions.iter().map(|p| PartitionState {
                    partition: p.partition_index,
                    leader_epoch: p.leader_epoch,
                    offline_replicas: ids(&p.offline_replicas),
                }));
        }
        match resp.next_cursor {
            Some(next) => {
                cursor = Some(
                    Cursor::default()
                        .with_topic_name(next.topic_name)
                        .with_partition_index(next.partition_index),
                )
            }
            None => break,
        }
    }
    let mut out: Vec<TopicDescription> = found.into_values().collect();
    for t in &mut out {
        t.partitions.sort_by_key(|p| p.partition);
        t.partition_states.sort_by_key(|p| p.partition);
    }
    Ok(out)
}
