//! The cluster metadata cache: brokers, topics (ids, partitions), leaders and leader epochs.
//!
//! Owns an immutable [`MetadataSnapshot`] built from Metadata responses, merged so that a
//! response from a lagging broker never replaces a partition's newer leader epoch. It must not
//! send requests (the `Cluster` does).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;
use std::time::Instant;

use kafka_protocol::messages::MetadataResponse;
use uuid::Uuid;

/// One broker as metadata describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerInfo {
    pub id: i32,
    pub host: String,
    pub port: i32,
    pub rack: Option<String>,
}

impl BrokerInfo {
    /// `host:port`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// One partition's placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionMetadata {
    pub partition: i32,
    /// `None` while there is no leader (election in progress).
    pub leader: Option<i32>,
    pub leader_epoch: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
    pub offline: Vec<i32>,
    pub error_code: i16,
}

/// One topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicMetadata {
    pub name: Arc<str>,
    pub id: Uuid,
    pub is_internal: bool,
    /// Kafka error code for the topic (0 = fine).
    pub error_code: i16,
    /// Sorted by partition index.
    pub partitions: Vec<PartitionMetadata>,
    /// Partitions with a leader right now.
    pub available: Vec<i32>,
}

impl TopicMetadata {
    /// Number of partitions.
    pub fn partition_count(&self) -> i32 {
        self.partitions.len() as i32
    }

    /// Partitions with a leader right now.
    pub fn available_partitions(&self) -> &[i32] {
        &self.available
    }

    fn compute_available(partitions: &[PartitionMetadata]) -> Vec<i32> {
        partitions
            .iter()
            .filter(|p| p.leader.is_some())
            .map(|p| p.partition)
            .collect()
    }

    /// One partition, if it exists.
    pub fn partition(&self, index: i32) -> Option<&PartitionMetadata> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.partitions.get(i))
            .filter(|p| p.partition == index)
            .or_else(|| self.partitions.iter().find(|p| p.partition == index))
    }
}

/// Topics by name, looked up on every send: a fast non-keyed hash (the keys are the
/// application's own topic names, not input from the network).
pub type TopicMap = HashMap<String, Arc<TopicMetadata>, BuildHasherDefault<rustc_hash::FxHasher>>;

/// An immutable view of the cluster at one point in time.
#[derive(Debug, Clone)]
pub struct MetadataSnapshot {
    pub cluster_id: Option<String>,
    pub controller_id: Option<i32>,
    pub brokers: HashMap<i32, BrokerInfo>,
    pub topics: TopicMap,
    pub updated_at: Instant,
}

impl Default for MetadataSnapshot {
    fn default() -> Self {
        MetadataSnapshot {
            cluster_id: None,
            controller_id: None,
            brokers: HashMap::new(),
            topics: TopicMap::default(),
            updated_at: Instant::now(),
        }
    }
}

fn some_id(id: i32) -> Option<i32> {
    (id >= 0).then_some(id)
}

impl MetadataSnapshot {
    /// The leader broker of a partition.
    pub fn leader(&self, topic: &str, partition: i32) -> Option<i32> {
        self.topics.get(topic)?.partition(partition)?.leader
    }

    /// A new snapshot: `resp` merged over `self`. Topics absent from `resp` are kept unless
    /// `replace_all` (a full Metadata request for every topic).
    pub fn merge(&self, resp: &MetadataResponse, replace_all: bool) -> MetadataSnapshot {
        let brokers = resp
            .brokers
            .iter()
            .map(|b| {
                let id = b.node_id.0;
                let info = BrokerInfo {
                    id,
                    host: b.host.to_string(),
                    port: b.port,
                    rack: b.rack.as_ref().map(|r| r.to_string()),
                };
                (id, info)
            })
            .collect();
        let mut topics = if replace_all {
            TopicMap::default()
        } else {
            self.topics.clone()
        };
        for t in &resp.topics {
            let Some(name) = t.name.as_ref().map(|n| n.0.to_string()) else {
                continue;
            };
            let old = self.topics.get(&name);
            let mut partitions: Vec<PartitionMetadata> = t
                .partitions
                .iter()
                .map(|p| {
                    let fresh = PartitionMetadata {
                        partition: p.partition_index,
                        leader: some_id(p.leader_id.0),
                        leader_epoch: p.leader_epoch,
                        replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                        isr: p.isr_nodes.iter().map(|b| b.0).collect(),
                        offline: p.offline_replicas.iter().map(|b| b.0).collect(),
                        error_code: p.error_code,
                    };
                    // Keep a newer leader epoch we already know (the responding broker lags).
                    match old.and_then(|o| o.partition(p.partition_index)) {
                        Some(o)
                            if o.leader_epoch >= 0
                                && fresh.leader_epoch >= 0
                                && o.leader_epoch > fresh.leader_epoch =>
                        {
                            o.clone()
                        }
                        _ => fresh,
                    }
                })
                .collect();
            partitions.sort_by_key(|p| p.partition);
            let available = TopicMetadata::compute_available(&partitions);
            topics.insert(
                name.clone(),
                Arc::new(TopicMetadata {
                    name: Arc::from(name.as_str()),
                    id: t.topic_id,
                    is_internal: t.is_internal,
                    error_code: t.error_code,
                    partitions,
                    available,
                }),
            );
        }
        MetadataSnapshot {
            cluster_id: resp.cluster_id.as_ref().map(|c| c.to_string()),
            controller_id: some_id(resp.controller_id.0),
            brokers,
            topics,
            updated_at: Instant::now(),
        }
    }

    /// A copy where `topic`/`partition` has a new leader (from a Produce/Fetch response's
    /// `current_leader`), if its epoch is newer than the cached one.
    pub fn with_leader(
        &self,
        topic: &str,
        partition: i32,
        leader: i32,
        epoch: i32,
    ) -> Option<MetadataSnapshot> {
        let t = self.topics.get(topic)?;
        let p = t.partition(partition)?;
        if epoch <= p.leader_epoch || !self.brokers.contains_key(&leader) {
            return None;
        }
        let mut nt = (**t).clone();
        if let Some(np) = nt.partitions.iter_mut().find(|x| x.partition == partition) {
            np.leader = Some(leader);
            np.leader_epoch = epoch;
        }
        nt.available = TopicMetadata::compute_available(&nt.partitions);
        let mut snap = self.clone();
        snap.topics.insert(topic.to_string(), Arc::new(nt));
        Some(snap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kafka_protocol::messages::metadata_response::{
        MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::{BrokerId, TopicName};
    use kafka_protocol::protocol::StrBytes;

    fn resp(leader: i32, epoch: i32) -> MetadataResponse {
        MetadataResponse::default()
            .with_brokers(vec![
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(1))
                    .with_host(StrBytes::from_static_str("h1"))
                    .with_port(9092),
                MetadataResponseBroker::default()
                    .with_node_id(BrokerId(2))
                    .with_host(StrBytes::from_static_str("h2"))
                    .with_port(9093),
            ])
            .with_controller_id(BrokerId(1))
            .with_topics(vec![MetadataResponseTopic::default()
                .with_name(Some(TopicName(StrBytes::from_static_str("t"))))
                .with_partitions(vec![
                    MetadataResponsePartition::default()
                        .with_partition_index(1)
                        .with_leader_id(BrokerId(-1))
                        .with_leader_epoch(0),
                    MetadataResponsePartition::default()
                        .with_partition_index(0)
                        .with_leader_id(BrokerId(leader))
                        .with_leader_epoch(epoch),
                ])])
    }

    #[test]
    fn builds_topics_sorted_with_leaders() {
        let s = MetadataSnapshot::default().merge(&resp(2, 5), false);
        let t = &s.topics["t"];
        assert_eq!(t.partition_count(), 2);
        assert_eq!(t.partitions[0].partition, 0);
        assert_eq!(s.leader("t", 0), Some(2));
        assert_eq!(s.leader("t", 1), None);
        assert_eq!(t.available_partitions(), &[0]);
        assert_eq!(s.brokers[&2].addr(), "h2:9093");
    }

    #[test]
    fn older_leader_epochs_do_not_overwrite_newer_ones() {
        let s = MetadataSnapshot::default().merge(&resp(2, 5), false);
        let stale = s.merge(&resp(1, 4), false);
        assert_eq!(stale.leader("t", 0), Some(2));
        let newer = s.merge(&resp(1, 6), false);
        assert_eq!(newer.leader("t", 0), Some(1));
        let moved = s.with_leader("t", 0, 1, 7).unwrap();
        assert_eq!(moved.leader("t", 0), Some(1));
        assert!(s.with_leader("t", 0, 1, 5).is_none());
    }
}
