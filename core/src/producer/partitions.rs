//! The producer's view of a topic's partitions (Java's `Producer.partitionsFor`).
//!
//! Owns [`Producer::partitions_for`]: waits up to `max.block.ms` for the topic's metadata, as
//! the Java producer does, and reports it as [`PartitionInfo`]s. It must not send records.

use tokio::time::Instant;

use super::Producer;
use crate::admin::PartitionInfo;
use crate::error::Result;

impl Producer {
    /// The partitions of `topic`, loading its metadata within `max.block.ms` if needed.
    pub async fn partitions_for(&self, topic: &str) -> Result<Vec<PartitionInfo>> {
        let deadline = Instant::now() + self.inner.shared.cfg.producer.max_block;
        let meta = self.inner.shared.cluster.topic(topic, deadline).await?;
        Ok(meta
            .partitions
            .iter()
            .map(|p| PartitionInfo {
                partition: p.partition,
                leader: p.leader,
                replicas: p.replicas.clone(),
                isr: p.isr.clone(),
                elr: None,
                last_known_elr: None,
            })
            .collect())
    }
}
