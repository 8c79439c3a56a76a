//! Reading Metadata responses into the clients' value types.

use kafka_protocol::messages::metadata_response::MetadataResponseTopic;

use crate::types::PartitionInfo;

/// The partitions of one Metadata response topic, sorted by index.
pub(crate) fn partition_infos(t: &MetadataResponseTopic) -> Vec<PartitionInfo> {
    let mut parts: Vec<PartitionInfo> = t
        .partitions
        .iter()
        .map(|p| PartitionInfo {
            partition: p.partition_index,
            leader: (p.leader_id.0 >= 0).then_some(p.leader_id.0),
            replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
            isr: p.isr_nodes.iter().map(|b| b.0).collect(),
            elr: None,
            last_known_elr: None,
        })
        .collect();
    parts.sort_by_key(|p| p.partition);
    parts
}
